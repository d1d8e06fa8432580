--
-- hnsw_halfvec: the hnsw operator classes of halfvec (halfvec_l2_ops,
-- halfvec_ip_ops, halfvec_cosine_ops, halfvec_l1_ops).  The graph holds the
-- INT8 codes of the values cast to vector (support function 2); the scan
-- returns lower bounds and the executor rechecks with the halfvec operators.
--
-- As in hnsw_scan, only properties that hold for any graph are asserted:
-- with hnsw.ef_search above the table size a search visits every reachable
-- node, and vecidx_hnsw_check requires every live row to be reachable, so
-- the index must return exactly the rows an exact sort returns, in the same
-- distance order.  Rows are random halfvecs from a fixed seed; the
-- comparison is on the sequence of distances (exact, as the executor
-- computes them) and on the id sets.
--

-- plan helpers (vx_plan): sql/include/plan.sql; vx_knn_cmp (an index
-- scan against the exact sort): sql/include/knn_compare.sql
\set ECHO none
\i sql/include/plan.sql
\i sql/include/knn_compare.sql
\set ECHO all

-- the operator classes, and the default for halfvec
SELECT * FROM vx_hnsw_opclasses('halfvec');

CREATE TABLE hnsw_hv (id int, v halfvec(8));
SELECT setseed(0.15);
-- off the code lattice: elements in [-1, 1), rounded to half
INSERT INTO hnsw_hv
	SELECT i, ARRAY(SELECT random() * 2 - 1
					FROM generate_series(1, 8) WHERE i > 0)::halfvec
	FROM generate_series(1, 250) i;
-- queries from the same distribution
CREATE TABLE hnsw_hv_q (qid int, q halfvec(8));
INSERT INTO hnsw_hv_q
	SELECT i, ARRAY(SELECT random() * 2 - 1
					FROM generate_series(1, 8) WHERE i > 0)::halfvec
	FROM generate_series(1, 12) i;
-- and two rows of the table itself (distance 0 to one row)
INSERT INTO hnsw_hv_q SELECT 100 + id, v FROM hnsw_hv WHERE id IN (7, 123);

-- every query of hnsw_hv_q against the exact sort (vx_knn_all; NULLs are
-- not indexed: the default filter leaves them out of the exact sort)

SET hnsw.ef_search = 400;

-- build on 250 rows, then 50 more rows, two zero vectors and a NULL
-- through the insert path
CREATE INDEX hnsw_hv_l2 ON hnsw_hv USING hnsw (v halfvec_l2_ops);
CREATE INDEX hnsw_hv_ip ON hnsw_hv USING hnsw (v halfvec_ip_ops);
CREATE INDEX hnsw_hv_cos ON hnsw_hv USING hnsw (v halfvec_cosine_ops);
CREATE INDEX hnsw_hv_l1 ON hnsw_hv USING hnsw (v halfvec_l1_ops);
INSERT INTO hnsw_hv
	SELECT i, ARRAY(SELECT random() * 2 - 1
					FROM generate_series(1, 8) WHERE i > 0)::halfvec
	FROM generate_series(251, 300) i;
INSERT INTO hnsw_hv VALUES (301, '[0,0,0,0,0,0,0,0]'), (302, '[0,0,0,0,0,0,0,0]'),
	(303, NULL);

-- the index answers each operator with its own class
SET enable_seqscan = off;
SELECT * FROM vx_plan('SELECT id FROM hnsw_hv ORDER BY v <-> ''[1,0,0,0,0,0,0,0]'' LIMIT 5');
SELECT * FROM vx_plan('SELECT id FROM hnsw_hv ORDER BY v <#> ''[1,0,0,0,0,0,0,0]'' LIMIT 5');
SELECT * FROM vx_plan('SELECT id FROM hnsw_hv ORDER BY v <=> ''[1,0,0,0,0,0,0,0]'' LIMIT 5');
SELECT * FROM vx_plan('SELECT id FROM hnsw_hv ORDER BY v <+> ''[1,0,0,0,0,0,0,0]'' LIMIT 5');

RESET enable_seqscan;

-- index results equal the exact sort (cosine: the zero vectors are not
-- indexed, the exact sort puts their NaN distances last)
SELECT * FROM vx_knn_all('hnsw_hv_q', 'hnsw_hv', 'halfvec', '<->');
SELECT * FROM vx_knn_all('hnsw_hv_q', 'hnsw_hv', 'halfvec', '<#>');
SELECT * FROM vx_knn_all('hnsw_hv_q', 'hnsw_hv', 'halfvec', '<=>', 'v <> ''[0,0,0,0,0,0,0,0]''');
SELECT * FROM vx_knn_all('hnsw_hv_q', 'hnsw_hv', 'halfvec', '<+>');
SET enable_seqscan = off;
SELECT count(*) AS cosine_rows FROM (SELECT id FROM hnsw_hv ORDER BY v <=> '[1,1,1,1,1,1,1,1]') s;
SELECT count(*) AS l2_rows FROM (SELECT id FROM hnsw_hv ORDER BY v <-> '[1,1,1,1,1,1,1,1]') s;
-- a zero query under cosine: every distance is NaN, every indexed row returned
SELECT count(*) AS zero_query_rows FROM (SELECT id FROM hnsw_hv ORDER BY v <=> '[0,0,0,0,0,0,0,0]') s;
-- a vector query is cast to halfvec (implicit cast), the index still serves it
SELECT * FROM vx_plan('SELECT id FROM hnsw_hv ORDER BY v <-> ''[1,0,0,0,0,0,0,0]''::vector LIMIT 5');
SELECT id, v <-> '[1,0,0,0,0,0,0,0]'::vector AS d
FROM hnsw_hv ORDER BY v <-> '[1,0,0,0,0,0,0,0]'::vector LIMIT 2;
RESET enable_seqscan;
SELECT id, v <-> '[1,0,0,0,0,0,0,0]' AS d
FROM hnsw_hv ORDER BY v <-> '[1,0,0,0,0,0,0,0]' LIMIT 2;

-- the graph is sound and holds every row it should (heapallindexed casts
-- each heap value again)
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_hv_l2');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_hv_ip');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_hv_cos');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_hv_l1');

-- a filter: exact at an ef_search above the table size
SELECT * FROM vx_knn_all('hnsw_hv_q', 'hnsw_hv', 'halfvec', '<->', 'id % 7 = 0');
-- and at a small ef_search, further batches bring every row (in any graph:
-- every live row is reachable), relaxed_order returning late ones too
SET hnsw.ef_search = 10;
SET hnsw.iterative_scan = relaxed_order;
SELECT sum(c.index_rows) AS index_rows, sum(c.seq_rows) AS seq_rows,
	   bool_and(c.same_ids) AS same_ids
FROM hnsw_hv_q, lateral vx_knn_cmp('hnsw_hv', 'halfvec', '<->', q::text, NULL, 'id % 7 = 0') c;
RESET hnsw.iterative_scan;
SET hnsw.ef_search = 400;

-- delete, vacuum, check: still exact
DELETE FROM hnsw_hv WHERE id % 5 = 0;
VACUUM hnsw_hv;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_hv_l2');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_hv_cos');
SELECT * FROM vx_knn_all('hnsw_hv_q', 'hnsw_hv', 'halfvec', '<->');
SELECT * FROM vx_knn_all('hnsw_hv_q', 'hnsw_hv', 'halfvec', '<=>', 'v <> ''[0,0,0,0,0,0,0,0]''');

-- a query of other dimensions
SET enable_seqscan = off;
SELECT id FROM hnsw_hv ORDER BY v <-> '[1,2,3]' LIMIT 1;
RESET enable_seqscan;
DROP TABLE hnsw_hv;

--
-- values on the code lattice (integers spanning 255: step 1): codes are
-- exact, the scan computes the exact distance with vector's kernels and,
-- the halfvec operators' kernels summing in another order, returns it as a
-- bound to recheck; quantization = none stores the floats themselves (same
-- path)
--
CREATE TABLE hnsw_hv_int (id int, v halfvec(8));
SELECT setseed(0.5);
INSERT INTO hnsw_hv_int
	SELECT i, ARRAY(SELECT floor(random() * 256) - 128
					FROM generate_series(1, 8) WHERE i > 0)::halfvec
	FROM generate_series(1, 200) i;
INSERT INTO hnsw_hv_int VALUES (201, '[0,0,0,0,0,0,0,0]'),
	(202, '[-128,-128,-128,-128,-128,-128,-128,-128]'), (203, '[127,127,127,127,127,127,127,127]');
CREATE INDEX hnsw_hv_int_l2 ON hnsw_hv_int USING hnsw (v);
CREATE INDEX hnsw_hv_int_ip ON hnsw_hv_int USING hnsw (v halfvec_ip_ops);
CREATE INDEX hnsw_hv_int_l1 ON hnsw_hv_int USING hnsw (v halfvec_l1_ops)
	WITH (quantization = none);
SELECT * FROM vx_knn_all('hnsw_hv_q', 'hnsw_hv_int', 'halfvec', '<->');
SELECT * FROM vx_knn_all('hnsw_hv_q', 'hnsw_hv_int', 'halfvec', '<#>');
SELECT * FROM vx_knn_all('hnsw_hv_q', 'hnsw_hv_int', 'halfvec', '<+>');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_hv_int_l1');
DROP TABLE hnsw_hv_int;

--
-- expression index: a vector column indexed as halfvec(3)
--
CREATE TABLE hnsw_hv_expr (id int, v vector(3));
INSERT INTO hnsw_hv_expr
	SELECT i, ARRAY[i, i % 7, -i % 5]::vector FROM generate_series(1, 100) i;
CREATE INDEX hnsw_hv_expr_idx ON hnsw_hv_expr USING hnsw ((v::halfvec(3)) halfvec_l2_ops);
INSERT INTO hnsw_hv_expr VALUES (101, '[50.2,3.1,-1.9]');
SET enable_seqscan = off;
SELECT * FROM vx_plan('SELECT id FROM hnsw_hv_expr ORDER BY v::halfvec(3) <-> ''[50,3,-2]'' LIMIT 3');
SELECT id, v::halfvec(3) <-> '[50,3,-2]' AS d
FROM hnsw_hv_expr ORDER BY v::halfvec(3) <-> '[50,3,-2]' LIMIT 3;
RESET enable_seqscan;
SELECT id, v::halfvec(3) <-> '[50,3,-2]' AS d
FROM hnsw_hv_expr ORDER BY v::halfvec(3) <-> '[50,3,-2]' LIMIT 3;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_hv_expr_idx');
DROP TABLE hnsw_hv_expr;

--
-- dimensions: the page's limit, as for vector (pgvector: 4,000)
--
CREATE TABLE hnsw_hv_dims (v halfvec(7940));
CREATE INDEX ON hnsw_hv_dims USING hnsw (v halfvec_l2_ops);
DROP TABLE hnsw_hv_dims;
CREATE TABLE hnsw_hv_dims (v halfvec(7941));
CREATE INDEX ON hnsw_hv_dims USING hnsw (v halfvec_l2_ops);
DROP TABLE hnsw_hv_dims;
CREATE TABLE hnsw_hv_dims (v halfvec);
CREATE INDEX ON hnsw_hv_dims USING hnsw (v halfvec_l2_ops);
DROP TABLE hnsw_hv_dims;

DROP TABLE hnsw_hv_q;
RESET hnsw.ef_search;
