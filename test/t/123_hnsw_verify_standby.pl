#
# 123_hnsw_verify_standby.pl
#	  vecidx_hnsw_check on a hot standby: during recovery it takes
#	  AccessShareLock and runs in concurrent mode (no heapallindexed; links
#	  that look wrong are rechecked against the pages as they are now).  A
#	  check on the standby is paused between its two walks (test point
#	  vecidx_hnsw_check-between-passes) while the primary vacuums deleted
#	  rows and inserts new ones, reusing the freed slots; the standby
#	  replays all of it; then the check resumes.  Links written after its
#	  first walk point at nodes it has not seen or saw as free slots: it
#	  must recheck them (it says how many at DEBUG1) and report no
#	  corruption.  heapallindexed is refused during recovery.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $primary = new_node('primary', 23, allows_streaming => 1);
$primary->safe_psql('postgres', random_table('items', 3000, 8, seed => 0.23) . q{
	CREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 16);
	ALTER TABLE items SET (autovacuum_enabled = off);
});
$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby', node_port_params(23));
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
# replay must never cancel the paused check (it holds a snapshot, though
# one that needs none of the rows vacuum removes: they were deleted before)
$standby->append_conf('postgresql.conf', "max_standby_streaming_delay = -1\n");
$standby->start;
$primary->wait_for_catchup($standby);

my $counts = "SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('items_l2', false)";
is($standby->safe_psql('postgres', $counts), $primary->safe_psql('postgres', $counts),
	'standby check gives the primary\'s counts');

my ($ret, $out, $err) = $standby->psql('postgres', "SELECT vecidx_hnsw_check('items_l2')");
isnt($ret, 0, 'heapallindexed is refused on a standby');
like($err, qr/heapallindexed cannot be checked during recovery/, 'with the reason');

# what follows needs the test pause points (USE_ASSERT_CHECKING builds)
unless (has_test_hooks($standby))
{
	note('module built without USE_ASSERT_CHECKING: the rest needs test pause points');
	$standby->stop;
	$primary->stop;
	done_testing();
	exit 0;
}

# rows deleted before the check starts: its snapshot does not need them, so
# the primary's vacuum may remove them while the check is paused
$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 3 = 0');
$primary->wait_for_catchup($standby);

my $holder = $standby->background_psql('postgres');
$holder->query_safe('SELECT pg_advisory_lock(7606)');
my $checker = $standby->background_psql('postgres', on_error_stop => 0);
$checker->query_until(qr/started/, q{
	SET client_min_messages = debug1;
	SET vecidx.test_pause = 'vecidx_hnsw_check-between-passes';
	\echo started
	SELECT 'result', nodes FROM vecidx_hnsw_check('items_l2', false);
});
$standby->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE wait_event = 'advisory'")
  or die 'the check did not reach its pause point';

# while it waits: vacuum frees the deleted rows' nodes, inserts reuse them
$primary->safe_psql('postgres', q{
	VACUUM (INDEX_CLEANUP ON, TRUNCATE false) items;
	INSERT INTO items SELECT 5000 + i, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)::vector
		FROM generate_series(1, 1500) i;
});
$primary->wait_for_catchup($standby);

$holder->query_safe('SELECT pg_advisory_unlock(7606)');
my $result = $checker->query_until(qr/done/, "\\echo done\n");
like($result, qr/^result\|\d+$/m, 'the paused check completes without error')
  or diag("stdout '$result' stderr '$checker->{stderr}'");
unlike($checker->{stderr}, qr/ERROR/, 'no corruption reported');
my ($rechecked) = $checker->{stderr} =~ /rechecked (\d+) links/;
cmp_ok($rechecked // 0, '>', 0, 'links written during the pause were rechecked ('
	  . ($rechecked // 'none') . ')');
$checker->quit;
$holder->quit;

is($standby->safe_psql('postgres', $counts), $primary->safe_psql('postgres', $counts),
	'after replay the standby check gives the primary\'s counts again');
check_index($primary, 'items', 'items_l2', 'on the primary');

$standby->stop;
$primary->stop;
done_testing();
