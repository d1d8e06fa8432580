#
# 133_hnsw_vacuum_reach.pl
#	  No record boundary of a VACUUM leaves a live row unreachable from the
#	  entry point (issue 10: "crash-safe at every record boundary").  The
#	  graph is the one of 128_hnsw_vacuum_cancel.pl, smaller: the entry
#	  point far away, a cluster C around the origin, a few rows L at its
#	  centre linked only from C and from each other, and 3,000 rows
#	  elsewhere that reach the entry point through C; C is deleted.  Before
#	  the vacuum planned its repair, writing the repaired lists page by page
#	  cut L and a few far rows off (5 of 3,006 after one record) until the
#	  reach pass linked them again.
#
#	  1. A VACUUM paused after its repair pass (vacuum-after-repair): an
#	     index scan returns every live row and an exact-match query finds
#	     every row of L (both at an ef_search above the row count, so that
#	     they test reachability, not the beam); cancelled there, no live row
#	     is unreachable (vecidx_hnsw_check) either.
#	  2. A crash after every WAL record of the VACUUM in turn
#	     (vecidx.test_crash_after_record = n, n = 1, 2, ... until the VACUUM
#	     completes), each on a fresh copy of the same database (CREATE
#	     DATABASE ... TEMPLATE: the same pages, so record n is the same
#	     record each time): after recovery, the same checks.
#	  Needs a module built with USE_ASSERT_CHECKING (CI's flags); skipped
#	  otherwise.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('vacreach', 33, conf => "autovacuum = off\nrestart_after_crash = on\n");
skip_without_hooks($node, 'test hooks');

# the template: every node of level 0 but the entry point (a graph that
# does not depend on the random levels), C deleted, not yet vacuumed
$node->safe_psql('postgres', 'CREATE DATABASE tmpl');
$node->safe_psql('tmpl', 'CREATE EXTENSION vecidx; ' . cut_off_graph(5000) .
	' DELETE FROM t WHERE (ctid::text::point)[0] < 3 AND id > 0 AND id < 1000;');
my $rows = $node->safe_psql('tmpl', 'SELECT count(*) FROM t');
cmp_ok($rows, '>', 3000, "$rows live rows, C deleted");

# wait until the server has come back from the crash the statement run
# after log offset $off caused
sub wait_restarted
{
	my ($off) = @_;
	$node->wait_for_log(qr/database system is ready to accept connections/, $off);
	$node->poll_query_until('postgres', 'SELECT 1', '1')
	  or die 'server did not come back after the test crash';
}

# what scans find in database $db: rows an index scan that looks at more
# nodes than the index has (ef_search 4000: the search visits everything it
# can reach) does not return, and rows of L an exact-match query at
# ef_search $ef misses (4000 unless given).  Until the reach pass has run,
# an L row may hang only off a far node whose deleted region led to it (the
# plan's forced link), which a search at ef_search 1000 can miss although
# the row is reachable; that count is noted.
sub scan_misses
{
	my ($db, $ef) = @_;
	$ef //= 4000;
	note("rows of L an exact-match query at ef_search 1000 misses in $db: "
		  . l_misses($db, 1000));
	my $missed = $node->safe_psql($db, q{
		SET enable_seqscan = off;
		SET hnsw.ef_search = 4000;
		SELECT (SELECT count(*) FROM t) - count(DISTINCT id)
		FROM (SELECT id FROM t ORDER BY v <-> '[0,0,0,0]' LIMIT 100000) s});
	return "$missed|" . l_misses($db, $ef);
}

sub l_misses
{
	my ($db, $ef) = @_;
	return $node->safe_psql($db, qq{
		SET enable_seqscan = off;
		SET hnsw.ef_search = $ef;
		SELECT count(*) FROM t
		WHERE NOT EXISTS (SELECT 1 FROM (SELECT id FROM t s ORDER BY s.v <-> t.v LIMIT 1) x
						  WHERE x.id = t.id) AND id BETWEEN 1001 AND 1005});
}

# and before that, the live rows vecidx_hnsw_check calls unreachable
sub reach_counts
{
	my ($db) = @_;
	my $unreachable = $node->safe_psql($db,
		q{SELECT unreachable FROM vecidx_hnsw_check('t_idx', false)});
	return "$unreachable|" . scan_misses($db);
}

# 1. paused after the repair pass (scans only: vecidx_hnsw_check's
# ShareLock waits for the VACUUM), then cancelled there
$node->safe_psql('postgres', 'CREATE DATABASE p TEMPLATE tmpl');
my $paused = pause_vacuum($node, 'p', 'vacuum-after-repair');
is(scan_misses('p'), '0|0',
	'paused after the repair pass: an index scan returns every row, every row of L found');
cancel_paused($node, $paused);
is(reach_counts('p'), '0|0|0',
	'cancelled after the repair pass: none unreachable, every row returned, every row of L found');
$node->safe_psql('p', 'VACUUM (INDEX_CLEANUP ON) t');
is($node->safe_psql('p', q{SELECT nodes - deleted, unreachable FROM vecidx_hnsw_check('t_idx')}),
	"$rows|0", 'a VACUUM after the cancel: every row a live node, none unreachable');

# 2. a crash after each record of the VACUUM, each on a fresh copy
my $crashes = 0;
my $completed = 0;
for my $n (1 .. 300)
{
	$node->safe_psql('postgres', 'DROP DATABASE IF EXISTS c');
	$node->safe_psql('postgres', 'CREATE DATABASE c TEMPLATE tmpl');
	my $off = -s $node->logfile;
	my ($ret) = $node->psql('c', qq{
		SET vecidx.test_crash_after_record = $n;
		VACUUM (INDEX_CLEANUP ON) t;
	});
	if ($ret == 0)
	{
		$completed = $n;
		last;
	}
	$crashes++;
	wait_restarted($off);
	is(reach_counts('c'), '0|0|0',
		"VACUUM crash after record $n: none unreachable, every row returned, every row of L found");
}
cmp_ok($crashes, '>=', 10, "VACUUM crashed at $crashes record boundaries");
ok($completed > 0, "VACUUM completed without reaching record $completed");
is(reach_counts('c'), '0|0|0', 'after the VACUUM that completed');
is(l_misses('c', 1000), '0',
	'after the VACUUM that completed, an exact-match query at ef_search 1000 finds every row of L');

$node->stop;
done_testing();
