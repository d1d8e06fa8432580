--
-- hnsw_scan: index scans return rows in exact distance order.
--
-- The graph's levels are random, so only properties that hold for any graph
-- are asserted: with hnsw.ef_search at least the table size a search visits
-- every reachable node, and the check function requires every live row to be
-- reachable, so the index path must return exactly the rows a sequential
-- scan returns, in the same distance order.  Data are integer-valued vectors
-- from a fixed seed; ties are allowed (the comparison is on the sequence of
-- distances plus the set of ids, not on the order of ids among ties), except
-- at the LIMIT of a query (none of the queries below has a tie there).
--

-- plan helpers (vx_plan, vx_plan_analyze): sql/include/plan.sql; vx_knn_cmp:
-- sql/include/knn_compare.sql
\set ECHO none
\i sql/include/plan.sql
\i sql/include/knn_compare.sql
\set ECHO all
CREATE TABLE hnsw_scan (id int, v vector(8));
SELECT setseed(0.42);
INSERT INTO hnsw_scan
	SELECT i, ARRAY(SELECT floor(random() * 41) - 20
					FROM generate_series(1, 8) WHERE i > 0)::vector
	FROM generate_series(1, 400) i;
-- two zero vectors and three NULLs
INSERT INTO hnsw_scan VALUES (401, '[0,0,0,0,0,0,0,0]'), (402, '[0,0,0,0,0,0,0,0]'),
	(403, NULL), (404, NULL), (405, NULL);
SELECT count(*), count(v), count(DISTINCT v) FROM hnsw_scan;

-- hnsw_cmp(op, q, lim, filter): vx_knn_cmp on hnsw_scan (index scan against
-- the exact sort: sql/include/knn_compare.sql)
CREATE FUNCTION hnsw_cmp(op text, q vector, lim int DEFAULT NULL,
						 filter text DEFAULT 'true',
						 OUT index_used bool, OUT index_rows int,
						 OUT seq_rows int, OUT same_distances bool,
						 OUT same_ids bool)
LANGUAGE sql AS $$
	SELECT * FROM vx_knn_cmp('hnsw_scan', 'vector', op, q::text, lim, filter)
$$;

SET hnsw.ef_search = 1000;

-- l2, multi-layer graph (small m), int8 codes
CREATE INDEX hnsw_scan_l2 ON hnsw_scan USING hnsw (v vector_l2_ops)
	WITH (m = 4, ef_construction = 16);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_l2');
SELECT * FROM hnsw_cmp('<->', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]', NULL, 'v IS NOT NULL');
SELECT * FROM hnsw_cmp('<->', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]', 10);
SELECT * FROM hnsw_cmp('<->', '[20,20,20,20,20,20,20,20]', 25);
SELECT * FROM hnsw_cmp('<->', '[-30,0,0,0,0,0,0,25]', 5);
-- (a query equal to an indexed vector: see hnsw_exact_match)
-- WHERE conditions are applied on top of the index order
SELECT * FROM hnsw_cmp('<->', '[1,2,3,4,5,6,7,8]', 10, 'id % 3 = 0');
DROP INDEX hnsw_scan_l2;

-- l2 with float4 graph (no quantization)
CREATE INDEX hnsw_scan_l2f ON hnsw_scan USING hnsw (v vector_l2_ops)
	WITH (m = 4, ef_construction = 16, quantization = 'none');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_l2f');
SELECT * FROM hnsw_cmp('<->', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]', NULL, 'v IS NOT NULL');
SELECT * FROM hnsw_cmp('<->', '[20,20,20,20,20,20,20,20]', 25);
DROP INDEX hnsw_scan_l2f;

-- inner product
CREATE INDEX hnsw_scan_ip ON hnsw_scan USING hnsw (v vector_ip_ops);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_ip');
SELECT * FROM hnsw_cmp('<#>', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]', NULL, 'v IS NOT NULL');
SELECT * FROM hnsw_cmp('<#>', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]', 10);
SELECT * FROM hnsw_cmp('<#>', '[-1,0.013,0,0.007,0,0,0.0031,0]', 25);
DROP INDEX hnsw_scan_ip;
CREATE INDEX hnsw_scan_ipf ON hnsw_scan USING hnsw (v vector_ip_ops)
	WITH (quantization = 'none');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_ipf');
SELECT * FROM hnsw_cmp('<#>', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]', NULL, 'v IS NOT NULL');
DROP INDEX hnsw_scan_ipf;

-- cosine: zero vectors are not indexed
CREATE INDEX hnsw_scan_cos ON hnsw_scan USING hnsw (v vector_cosine_ops)
	WITH (m = 4, ef_construction = 16);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_cos');
SELECT * FROM hnsw_cmp('<=>', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]', NULL, 'v IS NOT NULL AND vector_norm(v) > 0');
SELECT * FROM hnsw_cmp('<=>', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]', 10);
SELECT * FROM hnsw_cmp('<=>', '[1000,1,1,1,1,1,1,1]', 25);
DROP INDEX hnsw_scan_cos;
CREATE INDEX hnsw_scan_cosf ON hnsw_scan USING hnsw (v vector_cosine_ops)
	WITH (m = 4, ef_construction = 16, quantization = 'none');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_cosf');
SELECT * FROM hnsw_cmp('<=>', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]', NULL, 'v IS NOT NULL AND vector_norm(v) > 0');
DROP INDEX hnsw_scan_cosf;

-- l1
CREATE INDEX hnsw_scan_l1 ON hnsw_scan USING hnsw (v vector_l1_ops)
	WITH (m = 4, ef_construction = 16);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_l1');
SELECT * FROM hnsw_cmp('<+>', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]', NULL, 'v IS NOT NULL');
SELECT * FROM hnsw_cmp('<+>', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]', 10);
SELECT * FROM hnsw_cmp('<+>', '[20,-20,20,-20,20,-20,20,-20]', 25);
DROP INDEX hnsw_scan_l1;
CREATE INDEX hnsw_scan_l1f ON hnsw_scan USING hnsw (v vector_l1_ops)
	WITH (quantization = 'none');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_l1f');
SELECT * FROM hnsw_cmp('<+>', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]', NULL, 'v IS NOT NULL');
DROP INDEX hnsw_scan_l1f;

--
-- NULLs and zero vectors: not returned by the index path, still counted
--
CREATE INDEX hnsw_scan_l2 ON hnsw_scan USING hnsw (v vector_l2_ops);
CREATE INDEX hnsw_scan_cos ON hnsw_scan USING hnsw (v vector_cosine_ops);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_l2');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_cos');
SET enable_seqscan = off;
SELECT count(*) FROM hnsw_scan;
SELECT count(*) FROM (SELECT id FROM hnsw_scan ORDER BY v <-> '[1,1,1,1,1,1,1,1]') s;
SELECT count(*) FROM (SELECT id FROM hnsw_scan ORDER BY v <=> '[1,1,1,1,1,1,1,1]') s;
SELECT count(*) FROM (SELECT id FROM hnsw_scan ORDER BY v <-> '[1,1,1,1,1,1,1,1]') s
	WHERE id > 400;
SELECT count(*) FROM (SELECT id FROM hnsw_scan ORDER BY v <=> '[1,1,1,1,1,1,1,1]') s
	WHERE id > 400;
-- a scan goes on to further batches while the query wants rows, in every
-- hnsw.iterative_scan mode: a LIMIT above ef_search gets its rows
SET hnsw.ef_search = 1;
SELECT count(*) FROM (SELECT id FROM hnsw_scan ORDER BY v <-> '[1,1,1,1,1,1,1,1]' LIMIT 10) s;
SET hnsw.ef_search = 5;
SELECT count(*) FROM (SELECT id FROM hnsw_scan ORDER BY v <-> '[1,1,1,1,1,1,1,1]' LIMIT 10) s;
RESET hnsw.ef_search;
SELECT count(*) FROM (SELECT id FROM hnsw_scan ORDER BY v <-> '[1,1,1,1,1,1,1,1]' LIMIT 100) s;
SELECT count(*) FROM (SELECT id FROM hnsw_scan ORDER BY v <=> '[1,1,1,1,1,1,1,1]') s;
SET hnsw.ef_search = 1000;
-- NULL query vector: no error, rows come back in no particular order
-- (a literal NULL is folded by the planner, so use a subquery)
SELECT count(*) FROM (SELECT id FROM hnsw_scan ORDER BY v <-> (SELECT NULL::vector)) s;
SELECT count(*) FROM (SELECT id FROM hnsw_scan ORDER BY v <=> (SELECT NULL::vector)) s;
-- zero query vector with cosine: distances are NaN, no error
SELECT count(*) FROM (SELECT id FROM hnsw_scan ORDER BY v <=> '[0,0,0,0,0,0,0,0]') s;
-- dimension mismatch in the query
SELECT id FROM hnsw_scan ORDER BY v <-> '[1,2,3]' LIMIT 1;
SELECT id FROM hnsw_scan ORDER BY v <=> '[1,2,3,4,5,6,7,8,9]' LIMIT 1;
RESET enable_seqscan;

--
-- plans: ORDER BY distance LIMIT uses the index, other shapes do not
--
SET enable_seqscan = off;
SELECT * FROM vx_plan($$SELECT id FROM hnsw_scan ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 5$$);
SELECT * FROM vx_plan($$SELECT id FROM hnsw_scan ORDER BY v <=> '[1,2,3,4,5,6,7,8]' LIMIT 5$$);
SELECT * FROM vx_plan($$SELECT id FROM hnsw_scan WHERE id < 10 ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 5$$);
-- no index for these: filter only, wrong operator, descending order
SELECT * FROM vx_plan($$SELECT id FROM hnsw_scan WHERE v <-> '[1,2,3,4,5,6,7,8]' < 5$$);
SELECT * FROM vx_plan($$SELECT id FROM hnsw_scan WHERE v = '[1,2,3,4,5,6,7,8]'$$);
SELECT * FROM vx_plan($$SELECT id FROM hnsw_scan ORDER BY v <#> '[1,2,3,4,5,6,7,8]' LIMIT 5$$);
SELECT * FROM vx_plan($$SELECT id FROM hnsw_scan ORDER BY v <-> '[1,2,3,4,5,6,7,8]' DESC LIMIT 5$$);
RESET enable_seqscan;

--
-- EXPLAIN (ANALYZE, BUFFERS): runs; buffer counts vary, so Buffers lines are
-- checked for presence and left out of the output
--
SET enable_seqscan = off;
SELECT * FROM vx_plan_analyze($$SELECT id FROM hnsw_scan ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 5$$);
SELECT * FROM vx_plan_analyze($$SELECT id FROM hnsw_scan ORDER BY v <=> '[1,2,3,4,5,6,7,8]' LIMIT 400$$);
RESET enable_seqscan;

DROP TABLE hnsw_scan;

--
-- empty table: build, then inserts; TRUNCATE empties the index
--
CREATE TABLE hnsw_scan (id int, v vector(8));
CREATE INDEX hnsw_scan_empty ON hnsw_scan USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 8);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_empty');
SELECT * FROM hnsw_cmp('<->', '[1,2,3,4,5,6,7,8]', 10);
INSERT INTO hnsw_scan VALUES (1, '[1,1,1,1,1,1,1,1]');
SELECT * FROM hnsw_cmp('<->', '[1,2,3,4,5,6,7,8]', 10);
SELECT setseed(0.17);
INSERT INTO hnsw_scan
	SELECT i, ARRAY(SELECT floor(random() * 21) - 10
					FROM generate_series(1, 8) WHERE i > 0)::vector
	FROM generate_series(2, 300) i;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_empty');
SELECT * FROM hnsw_cmp('<->', '[0.313,-3.171,7.723,1.937,-0.719,2.241,-6.653,4.487]');
SELECT * FROM hnsw_cmp('<->', '[1,2,3,4,5,6,7,8]', 10);
TRUNCATE hnsw_scan;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_empty');
SELECT * FROM hnsw_cmp('<->', '[1,2,3,4,5,6,7,8]', 10);
INSERT INTO hnsw_scan VALUES (1, '[1,1,1,1,1,1,1,1]'), (2, '[2,2,2,2,2,2,2,2]'), (3, NULL);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_empty');
SELECT * FROM hnsw_cmp('<->', '[1,2,3,4,5,6,7,8]', 10, 'v IS NOT NULL');
-- the index path leaves out the NULL row a sequential scan sorts last
SELECT * FROM hnsw_cmp('<->', '[1,2,3,4,5,6,7,8]', 10);
-- cosine index on a table of only zero vectors and NULLs
CREATE TABLE hnsw_scan_zero (id int, v vector(3));
INSERT INTO hnsw_scan_zero VALUES (1, '[0,0,0]'), (2, NULL), (3, '[0,0,0]');
CREATE INDEX hnsw_scan_zero_cos ON hnsw_scan_zero USING hnsw (v vector_cosine_ops);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_zero_cos');
INSERT INTO hnsw_scan_zero VALUES (4, '[1,0,0]'), (5, '[0,0,0]');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_scan_zero_cos');
SET enable_seqscan = off;
SELECT id FROM hnsw_scan_zero ORDER BY v <=> '[1,1,1]';
RESET enable_seqscan;
DROP TABLE hnsw_scan_zero;

DROP TABLE hnsw_scan;
DROP FUNCTION hnsw_cmp;
RESET hnsw.ef_search;
