#
# 116_hnsw_crash_entry.pl
#	  Crash right after an insert placed a new entry point (pause point
#	  insert-after-place, then an immediate stop): the new entry must reach
#	  every committed row after recovery, so its link to the old entry point
#	  has to be in the same WAL record as the node itself.
#
#	  To make the new node's own layer-0 list empty without that link, its
#	  neighbourhood is a cluster whose rows are deleted and flagged DELETED
#	  by a VACUUM cancelled after its mark pass (as an autovacuum cancelled
#	  for a lock request leaves it): an insert never links to a DELETED
#	  node, so the only layer-0 edge the new entry gets is the one to the
#	  old entry.  Needs a module built with USE_ASSERT_CHECKING (CI's
#	  flags); skipped otherwise.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('crashentry', 16, conf => "autovacuum = off\n");
skip_without_hooks($node, 'test pause points');

my $waiting = q{SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
	AND classid = 0 AND objid = 7606 AND objsubid = 1 AND NOT granted)};

# the entry point (level 2) first, 20 rows near it, 100 in a cluster away
# from it (all level 0); the cluster is deleted
$node->safe_psql('postgres', q{
	SELECT setseed(0.16);
	CREATE TABLE t (id int, v vector(8));
	CREATE INDEX t_idx ON t USING hnsw (v vector_l2_ops);
} . entry_row('t', 1, 2, 5, 8)
  . random_rows('t', 2, 21, 8, lo => 5)
  . random_rows('t', 101, 200, 8, lo => -5) . q{
	DELETE FROM t WHERE id > 100;
});

my $ctl = $node->background_psql('postgres');
$ctl->query_safe('SELECT pg_advisory_lock(7606)');

# a VACUUM that flags the cluster DELETED and is cancelled right after
my $vac = $node->background_psql('postgres', on_error_stop => 0);
$vac->query_safe("SET vecidx.test_pause = 'vacuum-after-mark'");
$vac->query_until(qr/started/, "\\echo started\nVACUUM (INDEX_CLEANUP ON) t;\n");
$node->poll_query_until('postgres', $waiting) or die 'VACUUM did not pause';
$node->safe_psql('postgres', q{
	SELECT pg_cancel_backend(pid) FROM pg_locks
	WHERE locktype = 'advisory' AND objid = 7606 AND NOT granted});
$node->poll_query_until('postgres', "SELECT NOT ($waiting)") or die 'VACUUM not cancelled';
$vac->quit;

# a new entry point (level 3) in the cluster's place; crash after placing it
my $ins = $node->background_psql('postgres', on_error_stop => 0);
$ins->query_safe("SET vecidx.test_pause = 'insert-after-place'");
$ins->query_safe('SET vecidx.test_level = 3');
$ins->query_until(qr/started/,
	"\\echo started\nINSERT INTO t VALUES (1000, '[-4.5,-4.5,-4.5,-4.5,-4.5,-4.5,-4.5,-4.5]');\n");
$node->poll_query_until('postgres', $waiting) or die 'insert did not pause';
# a commit elsewhere flushes the WAL, the paused insert's record included
$node->safe_psql('postgres', 'SET synchronous_commit = on; CREATE TABLE flush_wal ()');
$node->stop('immediate');
eval { $ins->quit; };
eval { $ctl->quit; };
$node->start;

my ($ret, $out, $err) = $node->psql('postgres',
	"SELECT max_level, unreachable FROM vecidx_hnsw_check('t_idx', true)");
is($ret, 0, 'vecidx_hnsw_check clean after a crash right after a new entry point was placed')
  or diag($err);
is($out, '3|0', 'the new node is the entry point and every node is reachable from it');
is(missing_rows($node, 't'), '0', 'an exact-match query finds every committed row after recovery');
is($node->safe_psql('postgres', 'SELECT count(*) FROM t'), '21', 'the insert did not commit');

($ret, $out, $err) = $node->psql('postgres', 'VACUUM (INDEX_CLEANUP ON) t');
is($ret, 0, 'VACUUM after recovery succeeds');
is($err, '', 'VACUUM after recovery without warnings');
check_index($node, 't', 't_idx', 'after VACUUM following recovery');

$node->stop;
done_testing();
