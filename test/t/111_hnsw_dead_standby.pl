#
# 111_hnsw_dead_standby.pl
#	  Rows deleted but not vacuumed never push live rows out of a LIMIT,
#	  whether or not the scan can learn that they are dead: on a hot
#	  standby (where the executor never reports a row dead to every
#	  snapshot) and on a primary while an older snapshot still sees the
#	  rows, a LIMIT 10 whose 200 nearest rows were deleted returns 10 rows,
#	  the same as a primary with no older snapshot, at the default settings
#	  (hnsw.iterative_scan = off, ef_search 40).  README, "Dead rows before
#	  vacuum".
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $primary = new_node('primary', 0, allows_streaming => 1);

my %uniform = (width => 2, lo => -1);
$primary->safe_psql('postgres',
	random_table('items', 3000, 16, seed => 0.111, with => 'autovacuum_enabled = off', %uniform) . q{
	CREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops);
} . random_queries(5, 16, %uniform));

$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby', node_port_params(0));
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->start;

# an older snapshot on the primary: the deleted rows stay visible to it, so
# they are not dead to every snapshot and the executor never says they are
my $old = $primary->background_psql('postgres');
$old->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
$old->query_safe('SELECT count(*) FROM items');

# every query's 200 nearest rows deleted, not vacuumed
$primary->safe_psql('postgres', q{
	DELETE FROM items WHERE id IN
		(SELECT n.id FROM queries q,
			 LATERAL (SELECT id FROM items t ORDER BY t.v <-> q.v LIMIT 200) n);
});
$primary->wait_for_catchup($standby);

# per query: the number of rows of a LIMIT 10, and their ids
sub answers
{
	my ($node) = @_;
	return $node->safe_psql('postgres', q{
		SET enable_seqscan = off;
		SELECT q.qid, cardinality(a.ids), a.ids
		FROM queries q,
			 LATERAL (SELECT ARRAY(SELECT id FROM items t ORDER BY t.v <-> q.v LIMIT 10) AS ids) a
		ORDER BY q.qid;
	});
}

my $plan = $standby->safe_psql('postgres', q{
	SET enable_seqscan = off;
	EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY v <-> (SELECT v FROM queries WHERE qid = 1) LIMIT 10;
});
like($plan, qr/Index Scan using items_l2/, 'the standby plan uses the index');

my $full = join("\n", map { "$_|10" } 1 .. 5);
my $s = answers($standby);
my $p_old = answers($primary);
(my $counts_s = $s) =~ s/\|\{.*\}$//mg;
(my $counts_p_old = $p_old) =~ s/\|\{.*\}$//mg;
is($counts_s, $full, 'standby: every LIMIT 10 returns 10 rows');
is($counts_p_old, $full, 'primary with an older snapshot: every LIMIT 10 returns 10 rows');

$old->query_safe('COMMIT');
$old->quit;

# the first scans on the primary without the old snapshot may see the rows
# dead to all and say so: the answers do not depend on that
my $p = answers($primary);
my $p2 = answers($primary);
is($p, $s, 'primary and standby return the same rows');
is($p2, $s, 'primary returns the same rows once the executor has reported the dead rows');
is($p_old, $s, 'primary with an older snapshot returns the same rows');

$standby->stop;
$primary->stop;
done_testing();
