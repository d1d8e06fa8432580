#
# 108_hnsw_crash_vacuum.pl
#	  Crash during VACUUM of an hnsw index: half of 20000 rows are deleted
#	  and VACUUM runs in the background; once it reports the "vacuuming
#	  indexes" phase the server is stopped in immediate mode.  After crash
#	  recovery: vecidx_hnsw_check clean, a full scan returns every row once,
#	  and a second VACUUM finishes the job (live nodes = rows).  If VACUUM
#	  finishes before the phase is seen, the test still checks the result
#	  (and says so in a note).
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('crashvac', 8, conf => "autovacuum = off\n");

make_clusters($node, 32, 0.81, queries => 10);
cluster_table($node, 'items', 32, 20000);
$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 2 = 0');

my $bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/started/, "\\echo started\nVACUUM (INDEX_CLEANUP ON) items;\n");
# until VACUUM works on the indexes, or has finished
$node->poll_query_until('postgres', q{
	SELECT EXISTS (SELECT 1 FROM pg_stat_progress_vacuum
				   WHERE phase IN ('vacuuming indexes', 'cleaning up indexes'))
		OR (SELECT vacuum_count > 0 FROM pg_stat_user_tables WHERE relname = 'items')
}) or die 'VACUUM neither reached the index phase nor finished';
my $phase = $node->safe_psql('postgres', 'SELECT phase FROM pg_stat_progress_vacuum');
$node->stop('immediate');
eval { $bg->quit; };
note($phase ne '' ? "crashed during VACUUM phase '$phase'"
	: 'VACUUM finished before the crash');
$node->start;

for my $idx ('items_l2', 'items_cos')
{
	my ($ret, $out, $err) = $node->psql('postgres',
		"SELECT nodes - deleted >= (SELECT count(*) FROM items), unreachable FROM vecidx_hnsw_check('$idx')");
	is($ret, 0, "$idx: vecidx_hnsw_check clean after a crash during VACUUM") or diag($err);
	is($out, 't|0', "$idx: every row indexed, none unreachable");
}
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM items');
is($rows, '10000', 'the deleted rows stay deleted');
for my $op ('<->', '<=>')
{
	is(full_scan($node, 'items', $op, 1), "$rows $rows",
		"$op: a full scan returns every row once after recovery");
}

my ($ret, $out, $err) = $node->psql('postgres', 'VACUUM (INDEX_CLEANUP ON) items');
is($ret, 0, 'VACUUM after recovery succeeds');
is($err, '', 'VACUUM after recovery without warnings') or diag($err);
check_index($node, 'items', $_, 'after VACUUM following recovery')
  for ('items_l2', 'items_cos');
# recall on this data is near 0.95 even for a fresh build (20000 rows), so
# it is reported, not asserted
for my $idx ('items_l2', 'items_cos')
{
	my $op = $idx eq 'items_l2' ? '<->' : '<=>';
	my $r = recall_at_10($node, 'items', $op, $idx);
	note("$idx: recall\@10 after crash and VACUUM = $r");
}

$node->stop;
done_testing();
