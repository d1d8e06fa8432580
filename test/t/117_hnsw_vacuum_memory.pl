#
# 117_hnsw_vacuum_memory.pl
#	  VACUUM of an hnsw index whose dead nodes need more memory than
#	  maintenance_work_mem allows: the bulk delete must work in several
#	  rounds, keep its memory bounded (the DEBUG1 line of each round reports
#	  the vacuum context's size) and leave a correct graph.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('vacmem', 17, conf => "autovacuum = off\n");

# 20000 rows of 8 dimensions, half of them deleted: the lists of 10000
# DELETED nodes (about 250 bytes each) are 2.5 MB, the budget 1 MB
$node->safe_psql('postgres', random_table('t', 20000, 8, seed => 0.17) . q{
	CREATE INDEX t_idx ON t USING hnsw (v vector_l2_ops);
	DELETE FROM t WHERE id % 2 = 0;
});

my $logstart = -s $node->logfile;
my ($ret, $out, $err) = $node->psql('postgres', q{
	SET maintenance_work_mem = '1MB';
	SET log_min_messages = debug1;
	VACUUM (INDEX_CLEANUP ON) t;
});
is($ret, 0, 'VACUUM with maintenance_work_mem = 1MB succeeds');
is($err, '', 'VACUUM without warnings') or diag($err);

my $log = substr(slurp_file($node->logfile), $logstart);
my @rounds = $log =~ /hnsw vacuum of "t_idx", round \d+: (\d+) nodes unlinked.* memory (\d+) kB/g;
my ($n, $unlinked, $maxmem) = (0, 0, 0);
while (my ($u, $mem) = splice(@rounds, 0, 2))
{
	$n++;
	$unlinked += $u;
	$maxmem = $mem if $mem > $maxmem;
}
cmp_ok($n, '>=', 2, "the bulk delete ran in several rounds (got $n)");
is($unlinked, 10000, 'the rounds unlinked every deleted row');
cmp_ok($maxmem, '>', 0, 'memory reported');
# the budget is 1024 kB; the reach pass's bitmaps and scratch come on top
cmp_ok($maxmem, '<=', 1536, "vacuum memory stayed near maintenance_work_mem (max $maxmem kB)");

check_index($node, 't', 't_idx', 'after a VACUUM in rounds');
is(missing_rows($node, 't'), '0', 'an exact-match query finds every row');

$node->stop;
done_testing();
