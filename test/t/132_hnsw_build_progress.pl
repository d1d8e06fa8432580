#
# 132_hnsw_build_progress.pl
#	  pg_stat_progress_create_index during an hnsw build: while it loads,
#	  tuples_total is the table's estimated rows; while it writes, the
#	  graph's nodes, with tuples_done counted from 0.  A build paused at the
#	  test points build-load and build-write (vecidx.test_pause, src/hnsw/
#	  hnswtest.c) is looked at from a second session.  Needs a module built
#	  with USE_ASSERT_CHECKING (CI's flags); skipped otherwise.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('progress', 32);
if (!has_test_hooks($node))
{
	plan skip_all => 'module built without USE_ASSERT_CHECKING (no test pause points)';
}

$node->safe_psql('postgres', q{
	SELECT setseed(0.32);
	CREATE TABLE items (id int, v vector(8));
	INSERT INTO items SELECT i, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)::vector
		FROM generate_series(1, 3000) i;
	-- 300 rows without a vector: read, not indexed
	INSERT INTO items SELECT i, NULL FROM generate_series(3001, 3300) i;
	ANALYZE items;
});

my $waiting = q{SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
	AND classid = 0 AND objid = 7606 AND objsubid = 1 AND NOT granted)};
my $progress = q{SELECT phase, tuples_total, tuples_done FROM pg_stat_progress_create_index};
my $ctl = $node->background_psql('postgres');

for my $point ('build-load', 'build-write')
{
	$ctl->query_safe('SELECT pg_advisory_lock(7606)');
	my $bg = $node->background_psql('postgres', on_error_stop => 0);
	$bg->query_safe("SET max_parallel_maintenance_workers = 0");
	$bg->query_safe("SET vecidx.test_pause = '$point'");
	$bg->query_until(qr/started/,
		"\\echo started\nCREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops);\n");
	$node->poll_query_until('postgres', $waiting)
	  or die "the build did not reach $point";
	my $seen = $node->safe_psql('postgres', $progress);
	if ($point eq 'build-load')
	{
		is($seen, 'building index: loading tuples|3300|0',
			'loading: tuples_total is the estimated rows, none read yet');
	}
	else
	{
		is($seen, 'building index: writing index pages|3000|0',
			'writing: tuples_total is the graph\'s nodes, none written yet');
	}
	$ctl->query_safe('SELECT pg_advisory_unlock(7606)');
	$bg->query_safe('SELECT 1');
	is($bg->{stderr}, '', "the build paused at $point completes without error");
	$bg->quit;
	check_index($node, 'items', 'items_l2', "after the build paused at $point");
	$node->safe_psql('postgres', 'DROP INDEX items_l2');
}

$ctl->quit;
$node->stop;
done_testing();
