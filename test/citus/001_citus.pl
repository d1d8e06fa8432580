#
# 001_citus.pl
#	  Scale-out with Citus (issue 12; README "Scaling out"): a coordinator
#	  and two workers on local sockets, a table of 768-dimensional rows
#	  distributed over 8 shards, an hnsw index created on the coordinator.
#	  Checks that
#	  - ORDER BY v <-> q LIMIT 10 returns the same rows as a single node's
#	    exact top 10 when shards search with a high ef_search (set through
#	    SET LOCAL with citus.propagate_set_commands = 'local');
#	  - every shard plans its index scan at the default settings;
#	  - vecidx_hnsw_check passes on every shard's index.
#	  Run by test/run-tests' citus tier, which skips when Citus is not
#	  installed into the PostgreSQL under test.
#
use strict;
use warnings;

use FindBin;
use lib "$FindBin::RealBin/../t";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my @nodes;
for my $name (qw(coordinator worker1 worker2))
{
	my $node = PostgreSQL::Test::Cluster->new($name, node_port_params(scalar @nodes));
	$node->init;
	$node->append_conf('postgresql.conf',
		"shared_preload_libraries = 'citus'\nshared_buffers = 64MB\njit = off\n"
		  . "max_worker_processes = 16\n");
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION citus; CREATE EXTENSION vecidx');
	push @nodes, $node;
}
my ($coord, @workers) = @nodes;

$coord->safe_psql('postgres', sprintf(
		"SELECT citus_set_coordinator_host('%s', %d)", $coord->host, $coord->port));
for my $w (@workers)
{
	$coord->safe_psql('postgres', sprintf(
			"SELECT citus_add_node('%s', %d)", $w->host, $w->port));
}
is($coord->safe_psql('postgres', 'SELECT count(*) FROM citus_get_active_worker_nodes()'),
	'2', 'two workers active');

# the same rows in a distributed table and in a local one (single node)
$coord->safe_psql('postgres', q{
	SELECT setseed(0.012);
	CREATE TABLE local_items (id int PRIMARY KEY, v vector(768));
	INSERT INTO local_items
		SELECT i, array_agg(random() * 2 - 1 + (i % 10) * 0.1 ORDER BY j)::real[]::vector
		FROM generate_series(1, 8000) i, generate_series(1, 768) j GROUP BY i;
	CREATE TABLE items (id int PRIMARY KEY, v vector(768));
	SET citus.shard_count = 8;
	SELECT create_distributed_table('items', 'id');
	INSERT INTO items SELECT * FROM local_items;
	CREATE INDEX items_v_idx ON items USING hnsw (v vector_l2_ops);
	ANALYZE items;
	CREATE TABLE queries AS SELECT id AS qid, v FROM local_items WHERE id % 1000 = 7;
});

is($coord->safe_psql('postgres', q{
	SELECT count(*) FROM citus_shards WHERE table_name = 'items'::regclass}),
	'8', '8 shards');

# 1. shards use their index at the default settings
my $q1 = $coord->safe_psql('postgres', 'SELECT v FROM local_items WHERE id = 1');
my $plan = $coord->safe_psql('postgres', qq{
	SET citus.explain_all_tasks = on;
	EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY v <-> '$q1' LIMIT 10});
my $tasks = () = $plan =~ /->  Task/g;
my $index_scans = () = $plan =~ /Index Scan using items_v_idx_\d+/g;
is($tasks, 8, 'a task per shard') or diag($plan);
is($index_scans, 8, 'every shard plans its hnsw index scan at default settings')
  or diag($plan);

# 2. the distributed top 10 at a high ef_search is the exact single-node top 10
my $qids = $coord->safe_psql('postgres', 'SELECT qid FROM queries ORDER BY qid');
for my $qid (split /\n/, $qids)
{
	my $qv = $coord->safe_psql('postgres', "SELECT v FROM queries WHERE qid = $qid");
	my $exact = $coord->safe_psql('postgres', qq{
		SET enable_indexscan = off;
		SELECT string_agg(id::text, ',' ORDER BY d, id) FROM (
			SELECT id, v <-> '$qv' AS d FROM local_items ORDER BY d LIMIT 10) s});
	my $dist = $coord->safe_psql('postgres', qq{
		BEGIN;
		SET LOCAL citus.propagate_set_commands = 'local';
		SET LOCAL hnsw.ef_search = 1000;
		SELECT string_agg(id::text, ',' ORDER BY d, id) FROM (
			SELECT id, v <-> '$qv' AS d FROM items ORDER BY d LIMIT 10) s;
		COMMIT;});
	is($dist, $exact, "query $qid: distributed top 10 at ef_search 1000 = exact top 10");
}

# the setting reaches the shards only that way: a plain SET stays on the coordinator
is($coord->safe_psql('postgres', q{
	SET hnsw.ef_search = 123;
	SELECT count(*) FROM run_command_on_workers(
		$$SELECT current_setting('hnsw.ef_search', true)$$) WHERE result = '123'}),
	'0', 'a plain SET on the coordinator does not reach the workers');

# 3. vecidx_hnsw_check on every shard's index, on the worker that holds it
# (each worker also holds the empty shell table items and its index: metadata)
my $checked = 0;
for my $w (@workers)
{
	my $out = $w->safe_psql('postgres', q{
		SET citus.override_table_visibility = off;
		SELECT string_agg(format('%s %s %s', c.relname, k.nodes - k.deleted, k.unreachable), E'\n')
		FROM pg_class c JOIN pg_am a ON a.oid = c.relam AND a.amname = 'hnsw',
			LATERAL vecidx_hnsw_check(c.oid) k
		WHERE c.relname ~ '^items_v_idx_[0-9]+$'});
	for my $line (split /\n/, $out)
	{
		my ($idx, $live, $unreachable) = split / /, $line;
		my $shard = $idx =~ s/^items_v_idx_(\d+)$/items_$1/r;
		my $rows = $w->safe_psql('postgres', qq{
			SET citus.override_table_visibility = off; SELECT count(*) FROM $shard});
		is("$live $unreachable", "$rows 0", "$idx: every row a live reachable node");
		$checked++;
	}
}
is($checked, 8, 'vecidx_hnsw_check ran on all 8 shard indexes');

$_->stop for @nodes;
done_testing();
