#
# 103_hnsw_concurrent.pl
#	  Several sessions inserting, querying, deleting and vacuuming at once
#	  (pgbench, 6 clients): no errors; right after the run, before any
#	  further VACUUM, vecidx_hnsw_check (heapallindexed) finds no corruption
#	  and no unreachable node; after a VACUUM it is clean again with every
#	  row a live node, recall@10 at default ef_search >= 0.95, and a scan
#	  with ef_search above the table size returns every row.  Run once on a
#	  table whose index was built from 2000 rows (checked after the build
#	  too) and once on a table whose index starts empty (concurrent inserts
#	  race to set the entry point).  Nothing depends on timing: the
#	  interleaving varies from run to run, the invariants hold for all.
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('concurrent', 3, conf => "max_connections = 40\n");

make_clusters($node, 32, 0.31, queries => 30);
cluster_table($node, 'built', 32, 2000, id => 'bigserial');
$node->safe_psql('postgres', q{
	CREATE TABLE empty (id bigserial, v vector(32));
	CREATE INDEX empty_l2 ON empty USING hnsw (v vector_l2_ops);
	CREATE INDEX empty_cos ON empty USING hnsw (v vector_cosine_ops);
});

check_index($node, 'built', $_, 'after build') for ('built_l2', 'built_cos');

my $dir = PostgreSQL::Test::Utils::tempdir;

for my $table ('built', 'empty')
{
	my %scripts = (
		insert => qq{
INSERT INTO $table (v)
	SELECT cluster_point(c)
	FROM (SELECT (SELECT c FROM centres ORDER BY random() + 0 * g LIMIT 1) AS c
		  FROM generate_series(1, 5) g) s;
},
		query_l2 => qq{
SET enable_seqscan = off;
SELECT id FROM $table ORDER BY v <-> (SELECT cluster_point(c) FROM centres ORDER BY random() LIMIT 1) LIMIT 10;
},
		query_cos => qq{
SET enable_seqscan = off;
SELECT id FROM $table ORDER BY v <=> (SELECT cluster_point(c) FROM centres ORDER BY random() LIMIT 1) LIMIT 10;
},
		delete => qq{
\\set id random(1, 4000)
DELETE FROM $table WHERE id = :id;
},
		vacuum => qq{
VACUUM $table;
},);
	my @files;
	my %weight = (insert => 10, query_l2 => 6, query_cos => 4, delete => 2, vacuum => 1);
	for my $s (sort keys %scripts)
	{
		PostgreSQL::Test::Utils::append_to_file("$dir/$table-$s.sql", $scripts{$s});
		push @files, '-f', "$dir/$table-$s.sql\@$weight{$s}";
	}

	# pgbench exits non-zero when a client aborts on an error
	my ($stdout, $stderr);
	my $ok = IPC::Run::run(
		[ 'pgbench', '-n', '-c', '6', '-j', '6', '-t', '250', @files,
		  '-h', $node->host, '-p', $node->port, 'postgres' ],
		'>', \$stdout, '2>', \$stderr);
	ok($ok, "$table: pgbench with 6 clients inserting, querying, deleting, vacuuming succeeds");
	unlike($stderr, qr/ERROR|FATAL|PANIC|abort/i, "$table: no errors from any client")
	  or diag($stderr);
	like($stdout, qr/number of failed transactions: 0/, "$table: no failed transactions")
	  if $stdout =~ /failed transactions/;
	note($stdout);

	# dead rows are not vacuumed yet: the graph must still be sound and
	# every node reachable
	for my $idx ("${table}_l2", "${table}_cos")
	{
		my ($ret, $out, $err) = $node->psql('postgres',
			"SELECT unreachable FROM vecidx_hnsw_check('$idx', true)");
		is($ret, 0, "$idx: vecidx_hnsw_check clean right after the concurrent run")
		  or diag($err);
		is($out, '0', "$idx: every node reachable right after the concurrent run");
	}

	$node->safe_psql('postgres', "VACUUM (INDEX_CLEANUP ON) $table");
	my $rows = $node->safe_psql('postgres', "SELECT count(*) FROM $table");
	cmp_ok($rows, '>', 2000, "$table: rows were inserted ($rows)");
	for my $idx ("${table}_l2", "${table}_cos")
	{
		check_index($node, $table, $idx, 'after concurrent writes');
		my $op = $idx =~ /cos$/ ? '<=>' : '<->';
		my $r = recall_at_10($node, $table, $op, $idx);
		cmp_ok($r, '>=', 0.95, "$idx: recall\@10 after concurrent writes ($r) >= 0.95");
		is(full_scan($node, $table, $op, 3), "$rows $rows",
			"$idx: a scan with ef_search above the table size returns every row once");
	}

	# inserts into the space VACUUM freed: a node left behind for a removed
	# row would now point at a new row and return it twice
	$node->safe_psql('postgres', "INSERT INTO $table (v) SELECT cluster_points(3000)");
	$rows = $node->safe_psql('postgres', "SELECT count(*) FROM $table");
	for my $idx ("${table}_l2", "${table}_cos")
	{
		my $op = $idx =~ /cos$/ ? '<=>' : '<->';
		is(full_scan($node, $table, $op, 4), "$rows $rows",
			"$idx: after inserts reusing freed space, a full scan returns every row once");
	}
}

$node->stop;
done_testing();
