#
# 118_hnsw_crash_records.pl
#	  A crash at every WAL record boundary of an insert and of a VACUUM of
#	  an hnsw index: vecidx.test_crash_after_record = n (test only,
#	  src/hnsw/hnswtest.c) makes the session flush its n-th index record and
#	  PANIC; the server recovers by itself.  n runs from 1 until the
#	  statement completes without reaching it.
#
#	  After each insert crash: vecidx_hnsw_check(idx, true) is clean (no
#	  live row unreachable from the entry point) and an exact-match query
#	  finds every committed row.  The inserts take levels 1, 2, 3, ... so
#	  that each one moves the entry point (the boundary of defect 9).
#	  After each VACUUM crash: the graph is structurally sound
#	  (vecidx_hnsw_check(idx, false)); live rows a crash between the repair
#	  and reach passes leaves unreachable are noted, not failed (README,
#	  "Vacuum"); then a complete VACUUM must leave a clean index and every
#	  row findable.  Needs a module built with USE_ASSERT_CHECKING (CI's
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

my $node = new_node('crashrec', 18, conf => "autovacuum = off\nrestart_after_crash = on\n");
skip_without_hooks($node, 'test crash hook');

$node->safe_psql('postgres', random_table('t', 300, 8, seed => 0.18) . q{
	CREATE INDEX t_idx ON t USING hnsw (v vector_l2_ops);
});

# wait until the server has come back from the crash the statement run
# after log offset $off caused: a bare "SELECT 1" can still connect in the
# moment before the postmaster notices the crash (seen on a loaded machine)
sub wait_restarted
{
	my ($off) = @_;
	$node->wait_for_log(qr/database system is ready to accept connections/, $off);
	$node->poll_query_until('postgres', 'SELECT 1', '1')
	  or die 'server did not come back after the test crash';
}

# run $sql with the server crashing after WAL record $n: nothing if it
# completed, else (once the server is back) the result ($ret, $out, $err)
# of vecidx_hnsw_check('t_idx', $heapallindexed)
sub crash_after
{
	my ($n, $sql, $heapallindexed) = @_;
	my $off = -s $node->logfile;
	my ($ret) = $node->psql('postgres', "SET vecidx.test_crash_after_record = $n;\n$sql");

	return () if $ret == 0;
	wait_restarted($off);
	return $node->psql('postgres',
		"SELECT unreachable FROM vecidx_hnsw_check('t_idx', $heapallindexed)");
}

# inserts: crash after record n of an insert of level n
my $crashes = 0;
for my $n (1 .. 60)
{
	my $level = $n < 12 ? $n : 12;
	my ($ret, $out, $err) = crash_after($n, qq{
		SET vecidx.test_level = $level;
		INSERT INTO t SELECT 1000 + $n, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE $n > 0);
	}, 'true');
	last unless defined $ret;
	$crashes++;
	is($ret, 0, "insert crash after record $n: vecidx_hnsw_check clean") or diag($err);
	is(missing_rows($node, 't'), '0', "insert crash after record $n: every committed row found");
}
cmp_ok($crashes, '>=', 2, "inserts crashed at $crashes record boundaries");
is($node->safe_psql('postgres', 'SELECT count(*) FROM t'), '301',
	'only the insert that did not crash committed');

# VACUUM: crash after record n
$node->safe_psql('postgres', 'DELETE FROM t WHERE id % 3 = 0');
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM t');
$crashes = 0;
my $unreached = 0;
for my $n (1 .. 200)
{
	my ($ret, $out, $err) = crash_after($n, 'VACUUM (INDEX_CLEANUP ON) t', 'false');
	last unless defined $ret;
	$crashes++;
	is($ret, 0, "VACUUM crash after record $n: graph structurally sound") or diag($err);
	$unreached++ if $ret == 0 && $out ne '0';
}
cmp_ok($crashes, '>=', 5, "VACUUM crashed at $crashes record boundaries");
note("$unreached of $crashes VACUUM crashes left a live row unreachable until the next VACUUM");
check_index($node, 't', 't_idx', 'after VACUUM completed following the crashes');
is(missing_rows($node, 't'), '0', 'every row found after the final VACUUM');
is($node->safe_psql('postgres', 'SELECT count(*) FROM t'), $rows, 'the deleted rows stay deleted');

$node->stop;
done_testing();
