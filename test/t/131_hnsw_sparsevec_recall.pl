#
# 131_hnsw_sparsevec_recall.pl
#	  Recall@10 of sparsevec_l2_ops, sparsevec_ip_ops, sparsevec_cosine_ops
#	  and sparsevec_l1_ops at the default hnsw.ef_search, on clustered
#	  sparse data, after a serial build, after a round of inserts, and after
#	  a parallel build (workers forced as in 127); vecidx_hnsw_check clean
#	  after each step, and the rows in the order of the operator's distances
#	  (nothing is rechecked).
#
# Data: 20 clusters in sparsevec(100000); a centre is 30 random indices
# with random values, a point keeps each of its centre's elements with
# probability 0.8 (value jittered) and adds 5 elements at random indices.
# 3000 rows before the build, 500 inserted after it, 50 queries drawn
# around the same centres.  Recall counts a returned row as a hit when its
# exact distance is at most the exact 10th distance (ties => 1).
#
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = new_node('sparserecall', 31);

$node->safe_psql('postgres', q{
	SELECT setseed(0.31);
	CREATE TABLE centres AS
		SELECT k, array_agg(i ORDER BY i) AS idx,
			   array_agg((0.2 + random()) * (CASE WHEN random() < 0.5 THEN -1 ELSE 1 END) ORDER BY i) AS val
		FROM (SELECT DISTINCT k, (random() * 99999)::int + 1 AS i
			  FROM generate_series(0, 19) k, generate_series(1, 30) j) s
		GROUP BY k;
	CREATE FUNCTION sparse_point(c int) RETURNS sparsevec(100000)
		LANGUAGE sql VOLATILE
		RETURN (SELECT ('{' || string_agg(i || ':' || v, ',' ORDER BY i) || '}/100000')::sparsevec
				FROM (SELECT i, min(v) AS v FROM (
					SELECT e.idx[j] AS i, round((e.val[j] + 0.3 * (random() - 0.5))::numeric, 4) AS v
					FROM centres e, generate_series(1, cardinality(e.idx)) j
					WHERE e.k = c AND random() < 0.8
					UNION ALL
					SELECT (random() * 99999)::int + 1, round((random() - 0.5)::numeric, 4)
					FROM generate_series(1, 5)) p
					  WHERE v <> 0 GROUP BY i) s);
	CREATE TABLE pool AS
		SELECT i AS id, sparse_point((i * 7) % 20) AS v FROM generate_series(1, 3550) i;
	CREATE TABLE queries AS SELECT id - 3500 AS qid, v FROM pool WHERE id > 3500;
	DELETE FROM pool WHERE id > 3500;
});

# the index returns rows in the order of the operator's distances (nothing
# is rechecked: the order is the index's own)
sub in_order
{
	my ($table, $op, $idx) = @_;
	is($node->safe_psql('postgres', qq{
		SET enable_seqscan = off;
		SELECT count(*) FROM (
			SELECT d, lag(d) OVER () AS prev
			FROM (SELECT v $op (SELECT v FROM queries WHERE qid = 3) AS d FROM $table
				  ORDER BY v $op (SELECT v FROM queries WHERE qid = 3) LIMIT 500) s) s
		WHERE d < prev;
	}), '0', "$idx: rows come in the operator's distance order");
}

for my $opc ([ 'l2', 'sparsevec_l2_ops', '<->' ], [ 'ip', 'sparsevec_ip_ops', '<#>' ],
			 [ 'cos', 'sparsevec_cosine_ops', '<=>' ], [ 'l1', 'sparsevec_l1_ops', '<+>' ])
{
	my ($name, $opclass, $op) = @$opc;
	my $table = "items_$name";
	my $idx = "items_${name}_idx";

	$node->safe_psql('postgres', qq{
		CREATE TABLE $table (id int, v sparsevec(100000));
		INSERT INTO $table SELECT id, v FROM pool WHERE id <= 3000;
		CREATE INDEX $idx ON $table USING hnsw (v $opclass);
	});
	check_index($node, $table, $idx, 'after build');
	my $r = recall_at_10($node, $table, $op, $idx, ties => 1);
	cmp_ok($r, '>=', 0.95, "$name: recall\@10 after build ($r) >= 0.95");
	note("$name: recall\@10 after build = $r");
	in_order($table, $op, $idx);

	$node->safe_psql('postgres', "INSERT INTO $table SELECT id, v FROM pool WHERE id > 3000");
	check_index($node, $table, $idx, 'after inserts');
	$r = recall_at_10($node, $table, $op, $idx, ties => 1);
	cmp_ok($r, '>=', 0.95, "$name: recall\@10 after inserts ($r) >= 0.95");
	note("$name: recall\@10 after inserts = $r");

	# a parallel build of the same rows
	$node->safe_psql('postgres', "ALTER TABLE $table SET (parallel_workers = 2)");
	my ($ret, $out, $err) = $node->psql('postgres', qq{
		SET maintenance_work_mem = '128MB';
		SET max_parallel_maintenance_workers = 2;
		SET min_parallel_table_scan_size = 0;
		SET client_min_messages = debug1;
		REINDEX INDEX $idx;
	}, extra_params => [ '-v', 'VERBOSITY=default' ]);
	is($ret, 0, "$idx: parallel build succeeds") or diag($err);
	my ($launched) = $err =~ /hnsw build: (\d+) parallel workers launched/;
	cmp_ok($launched // 0, '>', 0, "$idx: the build launched workers (" . ($launched // 0) . ")");
	check_index($node, $table, $idx, 'after a parallel build');
	$r = recall_at_10($node, $table, $op, $idx, ties => 1);
	cmp_ok($r, '>=', 0.95, "$name: recall\@10 after a parallel build ($r) >= 0.95");
	note("$name: recall\@10 after a parallel build = $r");
	in_order($table, $op, $idx);
}

$node->stop;
done_testing();
