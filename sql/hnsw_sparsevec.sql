--
-- hnsw_sparsevec: the hnsw operator classes of sparsevec (sparsevec_l2_ops,
-- sparsevec_ip_ops, sparsevec_cosine_ops, sparsevec_l1_ops).  The graph
-- holds the sparse vectors themselves (the SPARSE codec): every distance
-- the index computes is the operator's own, so a scan returns exact values
-- and the executor rechecks nothing.
--
-- As in hnsw_bit, only properties that hold for any graph are asserted:
-- with hnsw.ef_search above the table size a search visits every reachable
-- node, and vecidx_hnsw_check requires every live row to be reachable, so
-- the index must return exactly the rows an exact sort returns, in the same
-- distance order (sparse rows that share no index with the query tie: the
-- id sets are compared without the rows tied at a LIMIT, vx_knn_cmp;
-- vx_knn_all runs it for every query of a table).
--

\set ECHO none
\i sql/include/plan.sql
\i sql/include/knn_compare.sql
\set ECHO all

-- the operator classes (no default for sparsevec, as pgvector), valid
SELECT * FROM vx_hnsw_opclasses('sparsevec');

-- a random sparse vector of dimension dim (row i of a fixed seed): up to
-- nnz elements at indices 1..60, and one in every third row at an index
-- up to dim; values of either sign, never zero
CREATE FUNCTION hnsw_sv_rand(dim int, nnz int, i int) RETURNS text
LANGUAGE sql VOLATILE AS $$
	SELECT '{' || coalesce(string_agg(k || ':' || v, ',' ORDER BY k), '') || '}/' || dim
	FROM (SELECT k, min(v) AS v FROM (
		SELECT (random() * 59)::int + 1 AS k,
			   round(((0.1 + random()) * (CASE WHEN random() < 0.3 THEN -1 ELSE 1 END))::numeric, 4) AS v
		FROM generate_series(1, 1 + (random() * (nnz - 1))::int) WHERE i > 0
		UNION ALL
		SELECT 60 + (random() * (dim - 61))::int, 0.5 WHERE i % 3 = 0) e GROUP BY k) s
$$;

-- the queries (vx_knn_all: each against the exact sort, LIMIT 10 and ALL)
CREATE TABLE hnsw_sv_q (qid int, q text);

SET hnsw.ef_search = 500;
SELECT setseed(0.5);

--
-- sparsevec(1000000000): build on 300 rows, then 60 more rows, a zero
-- vector, a row at the last index and a NULL through the insert path
--
CREATE TABLE hnsw_sv (id int, v sparsevec(1000000000));
INSERT INTO hnsw_sv SELECT i, hnsw_sv_rand(1000000000, 20, i)::sparsevec FROM generate_series(1, 300) i;
INSERT INTO hnsw_sv_q SELECT i, hnsw_sv_rand(1000000000, 20, i) FROM generate_series(1, 8) i;
-- a row of the table itself (distance 0), a query at the last index only
INSERT INTO hnsw_sv_q SELECT 100, v::text FROM hnsw_sv WHERE id = 18;
INSERT INTO hnsw_sv_q VALUES (101, '{1000000000:2}/1000000000');
CREATE INDEX hnsw_sv_l2 ON hnsw_sv USING hnsw (v sparsevec_l2_ops);
CREATE INDEX hnsw_sv_ip ON hnsw_sv USING hnsw (v sparsevec_ip_ops);
CREATE INDEX hnsw_sv_cos ON hnsw_sv USING hnsw (v sparsevec_cosine_ops);
CREATE INDEX hnsw_sv_l1 ON hnsw_sv USING hnsw (v sparsevec_l1_ops);
INSERT INTO hnsw_sv SELECT i, hnsw_sv_rand(1000000000, 20, i)::sparsevec FROM generate_series(301, 360) i;
INSERT INTO hnsw_sv VALUES (361, '{}/1000000000'), (362, '{1:3,1000000000:-1.5}/1000000000'),
	(363, NULL);

-- the index answers each operator with its own class, without recheck
SET enable_seqscan = off;
SELECT * FROM vx_plan('SELECT id FROM hnsw_sv ORDER BY v <-> ''{1:1}/1000000000'' LIMIT 5');
SELECT * FROM vx_plan('SELECT id FROM hnsw_sv ORDER BY v <#> ''{1:1}/1000000000'' LIMIT 5');
SELECT * FROM vx_plan('SELECT id FROM hnsw_sv ORDER BY v <=> ''{1:1}/1000000000'' LIMIT 5');
SELECT * FROM vx_plan('SELECT id FROM hnsw_sv ORDER BY v <+> ''{1:1}/1000000000'' LIMIT 5');
SELECT id, v <-> '{1:3,1000000000:-1.5}/1000000000' AS d
FROM hnsw_sv ORDER BY v <-> '{1:3,1000000000:-1.5}/1000000000' LIMIT 1;
SELECT id, v <#> '{1000000000:-1}/1000000000' AS d
FROM hnsw_sv ORDER BY v <#> '{1000000000:-1}/1000000000' LIMIT 1;
SELECT id, v <=> '{1:6,1000000000:-3}/1000000000' AS d
FROM hnsw_sv ORDER BY v <=> '{1:6,1000000000:-3}/1000000000' LIMIT 1;
SELECT id, v <+> '{1:3,1000000000:-1.5}/1000000000' AS d
FROM hnsw_sv ORDER BY v <+> '{1:3,1000000000:-1.5}/1000000000' LIMIT 1;
-- NULLs are not indexed: 362 rows; nor the zero vector under cosine: 361;
-- a NULL query returns every indexed row, as does a zero query under
-- cosine (the operator's NaN for each)
SELECT count(*) AS l2_rows FROM (SELECT id FROM hnsw_sv ORDER BY v <-> '{1:1}/1000000000') s;
SELECT count(*) AS cosine_rows FROM (SELECT id FROM hnsw_sv ORDER BY v <=> '{1:1}/1000000000') s;
SELECT count(*) AS null_query_rows FROM (SELECT id FROM hnsw_sv ORDER BY v <+> (SELECT NULL::sparsevec)) s;
SELECT count(*) AS zero_query_rows, count(*) FILTER (WHERE d = 'NaN') AS nan
FROM (SELECT id, v <=> '{}/1000000000' AS d FROM hnsw_sv ORDER BY v <=> '{}/1000000000') s;
RESET enable_seqscan;

-- index results equal the exact sort (cosine: but for the zero vector)
SELECT * FROM vx_knn_all('hnsw_sv_q', 'hnsw_sv', 'sparsevec', '<->');
SELECT * FROM vx_knn_all('hnsw_sv_q', 'hnsw_sv', 'sparsevec', '<#>');
SELECT * FROM vx_knn_all('hnsw_sv_q', 'hnsw_sv', 'sparsevec', '<=>', 'v IS NOT NULL AND id <> 361');
SELECT * FROM vx_knn_all('hnsw_sv_q', 'hnsw_sv', 'sparsevec', '<+>');

-- the graphs are sound and hold every row they should
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_sv_l2', true);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_sv_ip', true);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_sv_cos', true);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_sv_l1', true);

-- a filter, exact at an ef_search above the table size; at a small
-- ef_search further batches bring every row
SELECT * FROM vx_knn_all('hnsw_sv_q', 'hnsw_sv', 'sparsevec', '<->', 'id % 7 = 0');
SET hnsw.ef_search = 10;
SET hnsw.iterative_scan = relaxed_order;
SELECT sum(c.index_rows) AS index_rows, sum(c.seq_rows) AS seq_rows,
	   bool_and(c.same_ids) AS same_ids
FROM hnsw_sv_q, lateral vx_knn_cmp('hnsw_sv', 'sparsevec', '<#>', q, NULL, 'id % 7 = 0') c;
SELECT sum(c.index_rows) AS index_rows, sum(c.seq_rows) AS seq_rows,
	   bool_and(c.same_ids) AS same_ids
FROM hnsw_sv_q, lateral vx_knn_cmp('hnsw_sv', 'sparsevec', '<+>', q, NULL, 'id % 7 = 0') c;
-- strict_order skips a row a later batch brings below one returned (README
-- "Iterative scans"): what it returns is in order
SET hnsw.iterative_scan = strict_order;
SET enable_seqscan = off;
SELECT count(*) > 10 AS some_rows, bool_and(d >= p) AS ordered
FROM (SELECT d, lag(d) OVER (ORDER BY n) AS p
	  FROM (SELECT row_number() OVER () AS n, d
			FROM (SELECT v <=> q::sparsevec AS d FROM hnsw_sv, hnsw_sv_q
				  WHERE qid = 1 AND id % 7 = 0 ORDER BY v <=> (SELECT q::sparsevec FROM hnsw_sv_q WHERE qid = 1)) s) t) u;
RESET enable_seqscan;
RESET hnsw.iterative_scan;
SET hnsw.ef_search = 500;

-- delete, vacuum, check: still exact; then insert into the freed slots
DELETE FROM hnsw_sv WHERE id % 5 = 0;
VACUUM hnsw_sv;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_sv_l2', true);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_sv_cos', true);
SELECT * FROM vx_knn_all('hnsw_sv_q', 'hnsw_sv', 'sparsevec', '<->');
SELECT * FROM vx_knn_all('hnsw_sv_q', 'hnsw_sv', 'sparsevec', '<=>', 'v IS NOT NULL AND id <> 361');
INSERT INTO hnsw_sv SELECT i, hnsw_sv_rand(1000000000, 40, i)::sparsevec FROM generate_series(401, 440) i;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_sv_l2', true);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_sv_ip', true);
SELECT * FROM vx_knn_all('hnsw_sv_q', 'hnsw_sv', 'sparsevec', '<->');
SELECT * FROM vx_knn_all('hnsw_sv_q', 'hnsw_sv', 'sparsevec', '<#>');

-- a query of another dimension: the operator's message
SET enable_seqscan = off;
SELECT id FROM hnsw_sv ORDER BY v <-> '{1:1}/3' LIMIT 1;
SELECT id FROM hnsw_sv ORDER BY v <=> '{1:1}/3' LIMIT 1;
RESET enable_seqscan;
DROP TABLE hnsw_sv;

--
-- small dimensions, an unconstrained sparsevec column refused as for
-- vector, a table built empty
--
CREATE TABLE hnsw_sv_small (id int, v sparsevec(3));
CREATE INDEX hnsw_sv_small_l1 ON hnsw_sv_small USING hnsw (v sparsevec_l1_ops);
INSERT INTO hnsw_sv_small SELECT i, ('{' || (i % 3 + 1) || ':' || i || '}/3')::sparsevec FROM generate_series(1, 30) i;
DELETE FROM hnsw_sv_q;
INSERT INTO hnsw_sv_q VALUES (1, '{1:2,3:-4}/3'), (2, '{}/3'), (3, '{2:30}/3');
SELECT * FROM vx_knn_all('hnsw_sv_q', 'hnsw_sv_small', 'sparsevec', '<+>');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_sv_small_l1', true);
DROP TABLE hnsw_sv_small;
CREATE TABLE hnsw_sv_nodim (v sparsevec);
CREATE INDEX ON hnsw_sv_nodim USING hnsw (v sparsevec_l2_ops);
DROP TABLE hnsw_sv_nodim;

--
-- the non-zero elements a row may have: what a level-0 node holds in a
-- page (992 at m = 16, 866 at m = 100), at most pgvector's 1000 (m = 2);
-- refused at build and at insert, never truncated
--
CREATE FUNCTION hnsw_sv_nnz(n int) RETURNS sparsevec
LANGUAGE sql AS $$
	SELECT ('{' || string_agg(k * 7 || ':' || k, ',') || '}/100000')::sparsevec
	FROM generate_series(1, n) k
$$;
CREATE TABLE hnsw_sv_nnz (id int, v sparsevec(100000));
INSERT INTO hnsw_sv_nnz SELECT i, hnsw_sv_nnz(i * 99) FROM generate_series(1, 10) i;
INSERT INTO hnsw_sv_nnz VALUES (11, hnsw_sv_nnz(993));
CREATE INDEX ON hnsw_sv_nnz USING hnsw (v sparsevec_l2_ops);
DELETE FROM hnsw_sv_nnz WHERE id = 11;
CREATE INDEX hnsw_sv_nnz_l2 ON hnsw_sv_nnz USING hnsw (v sparsevec_l2_ops);
INSERT INTO hnsw_sv_nnz VALUES (12, hnsw_sv_nnz(993));
INSERT INTO hnsw_sv_nnz VALUES (12, hnsw_sv_nnz(992));
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_sv_nnz_l2', true);
DELETE FROM hnsw_sv_q;
INSERT INTO hnsw_sv_q SELECT i, hnsw_sv_nnz(i * 150)::text FROM generate_series(1, 7) i;
SELECT * FROM vx_knn_all('hnsw_sv_q', 'hnsw_sv_nnz', 'sparsevec', '<->');
DROP INDEX hnsw_sv_nnz_l2;
CREATE INDEX hnsw_sv_nnz_m100 ON hnsw_sv_nnz USING hnsw (v sparsevec_ip_ops) WITH (m = 100, ef_construction = 200);
DELETE FROM hnsw_sv_nnz WHERE id >= 9;
CREATE INDEX hnsw_sv_nnz_m100 ON hnsw_sv_nnz USING hnsw (v sparsevec_ip_ops) WITH (m = 100, ef_construction = 200);
INSERT INTO hnsw_sv_nnz VALUES (13, hnsw_sv_nnz(867));
INSERT INTO hnsw_sv_nnz VALUES (13, hnsw_sv_nnz(866));
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_sv_nnz_m100', true);
DROP INDEX hnsw_sv_nnz_m100;
CREATE INDEX hnsw_sv_nnz_m2 ON hnsw_sv_nnz USING hnsw (v sparsevec_cosine_ops) WITH (m = 2);
INSERT INTO hnsw_sv_nnz VALUES (14, hnsw_sv_nnz(1001));
INSERT INTO hnsw_sv_nnz VALUES (14, hnsw_sv_nnz(1000));
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_sv_nnz_m2', true);
SELECT * FROM vx_knn_all('hnsw_sv_q', 'hnsw_sv_nnz', 'sparsevec', '<=>');
DROP TABLE hnsw_sv_nnz;
DROP FUNCTION hnsw_sv_nnz;

DROP FUNCTION hnsw_sv_rand;
DROP TABLE hnsw_sv_q;
RESET hnsw.ef_search;
