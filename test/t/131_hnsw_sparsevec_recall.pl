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
# out of the first 200 (the clusters share some, as sparse embeddings share
# common terms) with random values, a point keeps each of its centre's
# elements with probability 0.8 (value jittered) and adds 5 elements at
# random indices of all 100000.  (With centres on disjoint indices every
# cluster was equally far from every other, the graph's links between
# clusters were a matter of chance, and recall after inserts or a parallel
# build fell to 0.944-0.956 in about one CI run in ten.)
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
		FROM (SELECT DISTINCT k, (random() * 199)::int + 1 AS i
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

recall_steps($node, 'l2', 'sparsevec(100000)', 'sparsevec_l2_ops', '<->', 3000);
recall_steps($node, 'ip', 'sparsevec(100000)', 'sparsevec_ip_ops', '<#>', 3000);
recall_steps($node, 'cos', 'sparsevec(100000)', 'sparsevec_cosine_ops', '<=>', 3000);
recall_steps($node, 'l1', 'sparsevec(100000)', 'sparsevec_l1_ops', '<+>', 3000);

$node->stop;
done_testing();
