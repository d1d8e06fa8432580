#
# 128_hnsw_vacuum_cancel.pl
#	  A VACUUM cancelled between its repair pass (pass 2: live nodes' lists
#	  no longer name the DELETED nodes) and its reach pass (pass 4: live
#	  nodes the walk missed are linked again) must leave no live row
#	  unreachable: pass 2's plan links the rows behind a deleted region
#	  before any list is written.  The next VACUUM must finish the round
#	  even when it does no bulk delete: here it skips index vacuuming
#	  because fewer than 2% of the heap's pages hold dead items
#	  (PostgreSQL's bypass), so only amvacuumcleanup runs.
#
#	  The graph is made so that the repair cuts rows off: the entry point
#	  far away, a cluster C of rows in heap blocks 0-2 around the origin, a
#	  few rows L at its centre inserted after it, and many rows elsewhere.
#	  C is deleted; L is linked only from C and from each other, and the
#	  other rows reach the entry point through C.  Looking one hop deep for
#	  replacements, pass 2 cut off all but the entry point; looking through
#	  the deleted region (up to VX_REPAIR_DEEPER nodes), a few rows; with
#	  the plan, none (asserted).
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

my $node = new_node('vaccancel', 28, conf => "autovacuum = off\n");
skip_without_hooks($node, 'test pause points');

# the rest: 200 heap pages
$node->safe_psql('postgres', cut_off_graph(30000));
my $cblocks = $node->safe_psql('postgres',
	q{SELECT count(*) FROM t WHERE (ctid::text::point)[0] < 3 AND id > 0 AND id < 1000});
my $pages = $node->safe_psql('postgres',
	q{SELECT pg_relation_size('t') / current_setting('block_size')::int});
cmp_ok($pages, '>', 150, "the heap has $pages pages: 3 of them under PostgreSQL's 2% bypass threshold");
check_index($node, 't', 't_idx', 'after the build');

$node->safe_psql('postgres',
	q{DELETE FROM t WHERE (ctid::text::point)[0] < 3 AND id > 0 AND id < 1000});
note("deleted $cblocks rows of C in heap blocks 0-2");

# VACUUM paused after pass 2, then cancelled
cancel_paused($node, pause_vacuum($node, 'postgres', 'vacuum-after-repair'));

my ($deleted, $unreachable) = split /\|/, $node->safe_psql('postgres',
	q{SELECT deleted, unreachable FROM vecidx_hnsw_check('t_idx', false)});
cmp_ok($deleted, '>', 0,
	"the cancelled VACUUM left $deleted DELETED nodes behind (the state this test is about)");
# Pass 2 looks through the deleted region for live replacements: one hop
# deep it left all but the entry point of the 28,006 live rows cut off here
is($unreachable, '0',
	'the repair pass kept the rows behind the deleted region reachable (5 cut off before it was planned)');

# a VACUUM that does no bulk delete: cleanup only
my $log_offset = -s $node->logfile;
my ($ret, $out, $err) = $node->psql('postgres',
	q{SET log_min_messages = debug1; VACUUM (VERBOSE) t});
is($ret, 0, 'VACUUM after the cancel');
like($err, qr/index scan bypassed/, 'that VACUUM skipped index vacuuming (no bulk delete)');
ok($node->log_contains('finishing an interrupted vacuum', $log_offset),
	"its cleanup finished the cancelled vacuum's round");
check_index($node, 't', 't_idx', 'after a VACUUM that skipped index vacuuming');
is($node->safe_psql('postgres', q{SELECT deleted FROM vecidx_hnsw_check('t_idx', false)}),
	'0', 'no DELETED node is left: the round was finished');
# L hangs off the far rows by the links pass 4 made: reachable (above), and
# found by a search that looks far enough.  At the default ef_search 40 a
# search for an L row missed it in 1 of about 10 runs (the random levels
# differ run to run), so that is noted, not asserted.
my $exact_missing = q{
	SET enable_seqscan = off;
	SELECT count(*) FROM t
	WHERE NOT EXISTS (SELECT 1 FROM (SELECT id FROM t s ORDER BY s.v <-> t.v LIMIT 1) x
					  WHERE x.id = t.id) AND id BETWEEN 1001 AND 1005};
note('rows of L an exact-match query misses at ef_search 40: '
	  . $node->safe_psql('postgres', $exact_missing));
# The cancelled VACUUM's plan kept L reachable through a link from a far
# node whose deleted region led to L (the nearest such); the relink from the
# nearest node a search finds was its pass 4's, which did not run, and the
# VACUUM after it finds L reachable.  At ef_search 1000 a search for an L
# row then missed 1 of 5 (noted); above the row count it looks at every
# node it can reach.
note('rows of L an exact-match query misses at ef_search 1000: '
	  . $node->safe_psql('postgres', "SET hnsw.ef_search = 1000; $exact_missing"));
is($node->safe_psql('postgres', "SET hnsw.ef_search = 30000; $exact_missing"), '0',
	'an exact-match query at ef_search 30000 finds every row of L');

$node->stop;
done_testing();
