#
# 115_hnsw_vacuum_insert.pl
#	  Inserts that run while VACUUM works on an hnsw index, made
#	  deterministic with the test-only pause points (vecidx.test_pause,
#	  src/hnsw/hnswtest.c): VACUUM stops at a named point, the test inserts,
#	  then lets VACUUM go on.  Needs a module built with USE_ASSERT_CHECKING
#	  (CI's flags); skipped otherwise.
#
#	  1. DELETE FROM t, insert during VACUUM (after its repair pass): the
#		 new row's candidates are all DELETED; it must end up the entry
#		 point, not an orphan behind an empty entry point.
#	  2. a whole cluster deleted, rows inserted in its place during VACUUM:
#		 they must be reachable afterwards.
#	  3. the entry point's row deleted, a new entry point inserted during
#		 VACUUM: its link to the old entry must not survive the vacuum as a
#		 link to a free slot.
#	  4. many rows inserted while VACUUM's reach pass is about to start:
#		 the old live nodes must not be mistaken for unreached ones (no
#		 forced relinks, counted from VACUUM's DEBUG1 line).
#	  After each: vecidx_hnsw_check(idx, true) clean, live nodes = rows, and
#	  an exact-match query finds every row.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('vacins', 15, conf => "autovacuum = off\n");
skip_without_hooks($node, 'test pause points');

# the session that holds the pause lock
my $ctl = $node->background_psql('postgres');
my $waiting = q{SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
	AND classid = 0 AND objid = 7606 AND objsubid = 1 AND NOT granted)};

# start VACUUM (in a new session) that stops at pause point $point
sub vacuum_paused
{
	my ($table, $point) = @_;

	$ctl->query_safe('SELECT pg_advisory_lock(7606)');
	my $bg = $node->background_psql('postgres', on_error_stop => 0);
	$bg->query_safe("SET vecidx.test_pause = '$point'");
	$bg->query_safe("SET log_min_messages = debug1");
	$bg->query_until(qr/started/, "\\echo started\nVACUUM (INDEX_CLEANUP ON) $table;\n");
	$node->poll_query_until('postgres', $waiting)
	  or die "VACUUM did not reach pause point $point";
	return $bg;
}

# let the paused VACUUM finish
sub vacuum_release
{
	my ($bg) = @_;

	$ctl->query_safe('SELECT pg_advisory_unlock(7606)');
	$bg->query_safe('SELECT 1');
	$bg->quit;
}

sub check
{
	my ($table, $idx, $what) = @_;
	my ($ret, $out, $err) = $node->psql('postgres',
		"SELECT nodes - deleted, unreachable FROM vecidx_hnsw_check('$idx', true)");
	my $count = $node->safe_psql('postgres', "SELECT count(*) FROM $table");
	is($ret, 0, "$idx: vecidx_hnsw_check clean $what") or diag($err);
	is($out, "$count|0", "$idx: every row a live node, none unreachable $what");
	is(missing_rows($node, $table), '0', "$table: an exact-match query finds every row $what");
}

# 1. everything deleted, one row inserted during VACUUM
$node->safe_psql('postgres', random_table('t1', 300, 8, seed => 0.15) . q{
	CREATE INDEX t1_idx ON t1 USING hnsw (v vector_l2_ops);
	DELETE FROM t1;
});
my $bg = vacuum_paused('t1', 'vacuum-after-repair');
$node->safe_psql('postgres', q{
	SET vecidx.test_level = 0;
	INSERT INTO t1 VALUES (1000, '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]');
});
vacuum_release($bg);
check('t1', 't1_idx', 'after DELETE FROM t and an insert during VACUUM');

# 2. a cluster deleted, rows inserted in its place during VACUUM: 20 rows
# stay, the entry point (level 2) and the 200 rows of a cluster around it
# go.  After the repair pass the new rows' search starts at the DELETED
# entry point and walks its stale lists: their candidates are all DELETED
$node->safe_psql('postgres', q{
	SELECT setseed(0.25);
	CREATE TABLE t2 (id int, v vector(8));
	CREATE INDEX t2_idx ON t2 USING hnsw (v vector_l2_ops);
} . entry_row('t2', 1, 2, -4.5, 8)
  . random_rows('t2', 2, 21, 8, lo => 5)
  . random_rows('t2', 101, 300, 8, lo => -5) . q{
	CREATE TABLE t2_gone AS SELECT * FROM t2 WHERE id > 100;
	DELETE FROM t2 WHERE id > 100 OR id = 1;
});
$bg = vacuum_paused('t2', 'vacuum-after-repair');
$node->safe_psql('postgres', q{
	SET vecidx.test_level = 0;
	INSERT INTO t2 SELECT id + 1000, v FROM t2_gone WHERE id <= 120;
});
vacuum_release($bg);
check('t2', 't2_idx', 'after inserts into a deleted cluster during VACUUM');

# 3. the entry point's row deleted; a new entry point inserted during VACUUM
$node->safe_psql('postgres', q{
	SELECT setseed(0.35);
	CREATE TABLE t3 (id int, v vector(8));
	CREATE INDEX t3_idx ON t3 USING hnsw (v vector_l2_ops);
} . entry_row('t3', 1, 2, 0.5, 8) . random_rows('t3', 2, 300, 8) . q{
	DELETE FROM t3 WHERE id = 1;
});
$bg = vacuum_paused('t3', 'vacuum-after-repair');
$node->safe_psql('postgres', q{
	SET vecidx.test_level = 3;
	INSERT INTO t3 VALUES (1000, '[0.4,0.5,0.5,0.5,0.5,0.5,0.5,0.5]');
});
vacuum_release($bg);
check('t3', 't3_idx', 'after a new entry point was inserted during VACUUM');

# 4. many inserts just before the reach pass walks the graph
$node->safe_psql('postgres', q{
	SELECT setseed(0.45);
	CREATE TABLE t4 (id int, v vector(8));
	CREATE INDEX t4_idx ON t4 USING hnsw (v vector_l2_ops);
	-- the entry point (row 1) stays: with it deleted, inserts would wait
	-- for the reach pass (and so for the paused VACUUM)
} . entry_row('t4', 1, 3, 0.5, 8) . random_rows('t4', 2, 2000, 8) . q{
	DELETE FROM t4 WHERE id % 100 = 0;
});
my $logstart = -s $node->logfile;
$bg = vacuum_paused('t4', 'vacuum-before-reach');
$node->safe_psql('postgres',
	'SET vecidx.test_level = 0;' . random_rows('t4', 3001, 7000, 8));
vacuum_release($bg);
my $log = substr(slurp_file($node->logfile), $logstart);
my @relinked = $log =~ /hnsw vacuum of "t4_idx".* (\d+) nodes relinked/g;
ok(@relinked > 0, 't4_idx: VACUUM reported its relinks at DEBUG1');
my $sum = 0;
$sum += $_ for @relinked;
# the graph was whole before the VACUUM, 20 of 2000 rows went and the
# inserts linked themselves in: at most one node needs a forced link.  The
# old walk enqueued at most the live count of pass 2 (1980) per walk, so
# reachable nodes beyond that looked unreached and were relinked (at least
# two for the 5980 nodes here).
cmp_ok($sum, '<=', 1, "t4_idx: at most one node relinked (got $sum)");
check('t4', 't4_idx', 'after 4000 inserts during the reach pass');

$ctl->quit;
$node->stop;
done_testing();
