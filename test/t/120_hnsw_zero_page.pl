#
# 120_hnsw_zero_page.pl
#	  Zeroed pages are free pages, not corruption.  A crash after an insert
#	  extended the index but before the WAL record of the new page's first
#	  image reached disk leaves an all-zero block (PostgreSQL writes the
#	  extension's zeros to the file at once).  We make that state exactly:
#	  with the server stopped, two zero blocks are appended to the index's
#	  file.  Then vecidx_hnsw_check (with and without heapallindexed),
#	  VACUUM and a full index scan must treat them as free, and later
#	  inserts must reuse them (lowest first) before extending the index.
#	  Then the same state is made by a real crash: an insert paused (test
#	  point) right after extending the index, and an immediate shutdown.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

# pages are written on disk behind the server: no data checksums (18's default)
my $node = new_node('zero', 20, no_data_checksums => 1);
my $BLCKSZ = 8192;

$node->safe_psql('postgres', q{
	CREATE EXTENSION pageinspect;
	SELECT setseed(0.12);
	CREATE TABLE items (id int, v vector(8));
	INSERT INTO items SELECT i, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)::vector
		FROM generate_series(1, 1000) i;
	CREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 16);
});
check_index($node, 'items', 'items_l2', 'after build');

my $nblocks = $node->safe_psql('postgres', "SELECT pg_relation_size('items_l2') / $BLCKSZ");
my $path = $node->data_dir . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('items_l2')");
$node->stop;
open(my $fh, '>>:raw', $path) or die "open $path: $!";
print $fh "\0" x (2 * $BLCKSZ);
close($fh);
$node->start;

is($node->safe_psql('postgres', "SELECT pg_relation_size('items_l2') / $BLCKSZ"),
	$nblocks + 2, 'two zero blocks at the end of the index');

my ($ret, $out, $err) = $node->psql('postgres',
	"SELECT nodes, unreachable FROM vecidx_hnsw_check('items_l2', false)");
is($ret, 0, 'check without heapallindexed accepts zero pages') or diag($err);
check_index($node, 'items', 'items_l2', 'with two zero pages');

$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 10 = 0');
($ret, $out, $err) = $node->psql('postgres', 'VACUUM (INDEX_CLEANUP ON) items');
is($ret, 0, 'vacuum skips zero pages') or diag($err);
check_index($node, 'items', 'items_l2', 'after vacuum');

is($node->safe_psql('postgres', q{
	SET enable_seqscan = off;
	SET hnsw.ef_search = 100000;
	SELECT count(*) FROM (SELECT id FROM items ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') s;
}), '900', 'a scan visiting every node returns every row');

# page upper of a block: 0 while zeroed (pageinspect)
sub upper
{
	my ($blk) = @_;
	return $node->safe_psql('postgres',
		"SELECT upper FROM page_header(get_raw_page('items_l2', $blk))");
}

is(upper($nblocks), '0', 'first zero block still zeroed before inserts');

# insert until the index needs a page beyond its last node page: the zero
# pages are reused, lowest first, before the file grows
my $rows = 0;
while (upper($nblocks) eq '0' && $rows < 5000)
{
	$node->safe_psql('postgres', q{
		INSERT INTO items SELECT 2000 + i, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)::vector
			FROM generate_series(1, 20) i;
	});
	$rows += 20;
}
isnt(upper($nblocks), '0', "first zero block reused after $rows inserted rows");
is(upper($nblocks + 1), '0', 'second zero block still free');
is($node->safe_psql('postgres', "SELECT pg_relation_size('items_l2') / $BLCKSZ"),
	$nblocks + 2, 'index did not grow while a zero page was free');

while (upper($nblocks + 1) eq '0' && $rows < 10000)
{
	$node->safe_psql('postgres', q{
		INSERT INTO items SELECT 2000 + i, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)::vector
			FROM generate_series(1, 20) i;
	});
	$rows += 20;
}
isnt(upper($nblocks + 1), '0', 'second zero block reused');
is($node->safe_psql('postgres', "SELECT pg_relation_size('items_l2') / $BLCKSZ"),
	$nblocks + 2, 'index did not grow while a zero page was free');
check_index($node, 'items', 'items_l2', 'after reusing both zero pages');

# what follows needs the test pause points (USE_ASSERT_CHECKING builds)
unless (has_test_hooks($node))
{
	note('module built without USE_ASSERT_CHECKING: the rest needs test pause points');
	$node->stop;
	done_testing();
	exit 0;
}

# the same state from a real crash: an insert pauses right after extending
# the index (test point vx_new_buffer-extended, while we hold advisory lock
# 7606), and the server stops in immediate mode
$nblocks = $node->safe_psql('postgres', "SELECT pg_relation_size('items_l2') / $BLCKSZ");
my $holder = $node->background_psql('postgres');
$holder->query_safe('SELECT pg_advisory_lock(7606)');
my $inserter = $node->background_psql('postgres', on_error_stop => 0);
$inserter->query_until(qr/started/, q{
	SET vecidx.test_pause = 'vx_new_buffer-extended';
	\echo started
	INSERT INTO items SELECT 9000 + i, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)::vector
		FROM generate_series(1, 5000) i;
});
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE wait_event = 'advisory'")
  or die 'the insert did not reach its pause point';
$node->stop('immediate');
eval { $inserter->quit; };
eval { $holder->quit; };
$node->start;

my $last = $node->safe_psql('postgres', "SELECT pg_relation_size('items_l2') / $BLCKSZ") - 1;
cmp_ok($last, '>=', $nblocks, 'the insert extended the index before the crash');
is(upper($last), '0', "the crash left block $last zeroed");
($ret, $out, $err) = $node->psql('postgres',
	"SELECT nodes >= 0 FROM vecidx_hnsw_check('items_l2')");
is($ret, 0, 'check after the crash accepts the zeroed page') or diag($err);
$node->safe_psql('postgres', 'VACUUM (INDEX_CLEANUP ON) items');
check_index($node, 'items', 'items_l2', 'after the crash and a vacuum');

$node->stop;
done_testing();
