--
-- hnsw_iterative: iterative index scans (hnsw.iterative_scan,
-- hnsw.max_scan_tuples, hnsw.scan_mem_multiplier) and the walk switch
-- vecidx.walk_quantized.  A selective filter with a small ef_search: an
-- iterative scan in strict order goes on past the first batch and returns
-- more rows than one batch holds; strict_order never returns rows out of
-- order (it may skip some), relaxed_order returns every row of a filter the
-- LIMIT asks for once the graph is exhausted.
--

-- load the module, so that its GUCs exist and SET checks values
-- plan helpers (vx_plan, vx_plan_analyze): sql/include/plan.sql
\set ECHO none
\i sql/include/plan.sql
\set ECHO all
SELECT '[1]'::vector AS load_module;

SHOW hnsw.iterative_scan;
SHOW hnsw.max_scan_tuples;
SHOW hnsw.scan_mem_multiplier;
SHOW vecidx.walk_quantized;
SET hnsw.iterative_scan = on;
SET hnsw.iterative_scan = 'strict';
SET hnsw.max_scan_tuples = 0;
SET hnsw.scan_mem_multiplier = 0;
SET hnsw.scan_mem_multiplier = 1001;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.iterative_scan = strict_order;
SET hnsw.iterative_scan = off;

CREATE TABLE hnsw_iter (id int, c int, v vector(8));
SELECT setseed(0.71);
INSERT INTO hnsw_iter
	SELECT i, i % 50, ARRAY(SELECT floor(random() * 41) - 20
							FROM generate_series(1, 8) WHERE i > 0)::vector
	FROM generate_series(1, 1000) i;
CREATE INDEX hnsw_iter_l2 ON hnsw_iter USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32);
CREATE INDEX hnsw_iter_cos ON hnsw_iter USING hnsw (v vector_cosine_ops) WITH (m = 8, ef_construction = 32);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_iter_l2');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_iter_cos');

-- hnsw_iter_scan(op, filter, k): run
--	 SELECT id, v <op> q FROM hnsw_iter WHERE <filter> ORDER BY v <op> q LIMIT k
-- through the index (enable_seqscan off) and report the number of rows,
-- whether their distances never decrease, whether the ids are the same set
-- as a sequential scan's, and whether distances and ids are exactly a
-- sequential scan's
CREATE FUNCTION hnsw_iter_scan(op text, filter text, k int, OUT rows int,
							   OUT in_order bool, OUT same_set bool, OUT exact bool)
LANGUAGE plpgsql AS $$
DECLARE
	sql			text;
	plan		text;
	used		bool := false;
	d_i			float8[];
	d_s			float8[];
	ids_i		int[];
	ids_s		int[];
BEGIN
	sql := format('SELECT id, v %s %L::vector AS d FROM hnsw_iter WHERE %s ORDER BY v %s %L::vector LIMIT %s',
				  op, '[0.3,-3.1,7.7,1.9,-0.7,2.2,-6.6,4.4]', filter,
				  op, '[0.3,-3.1,7.7,1.9,-0.7,2.2,-6.6,4.4]', k);
	PERFORM set_config('enable_seqscan', 'off', true);
	FOR plan IN EXECUTE 'EXPLAIN (COSTS OFF) ' || sql LOOP
		used := used OR plan ~ 'Index Scan using hnsw_iter_';
	END LOOP;
	IF NOT used THEN
		RAISE EXCEPTION 'index not used';
	END IF;
	EXECUTE format('SELECT array_agg(id), array_agg(d) FROM (%s) s', sql) INTO ids_i, d_i;
	PERFORM set_config('enable_seqscan', 'on', true);
	PERFORM set_config('enable_indexscan', 'off', true);
	EXECUTE format('SELECT array_agg(id), array_agg(d) FROM (%s) s', sql) INTO ids_s, d_s;
	PERFORM set_config('enable_indexscan', 'on', true);
	rows := coalesce(cardinality(ids_i), 0);
	in_order := coalesce(d_i = ARRAY(SELECT unnest(d_i) ORDER BY 1), true);
	same_set := ARRAY(SELECT unnest(ids_i) ORDER BY 1) = ARRAY(SELECT unnest(ids_s) ORDER BY 1);
	exact := same_set AND d_i = d_s;
END
$$;

SELECT count(*) FROM hnsw_iter WHERE c = 7;
SELECT count(*) FROM hnsw_iter WHERE c = 11;
SET hnsw.ef_search = 10;
-- off: in order (further batches while the LIMIT wants rows)
SELECT rows <= 10 AS at_most_ten, in_order FROM hnsw_iter_scan('<->', 'c = 7', 10);
-- strict_order: in order, possibly fewer rows
SET hnsw.iterative_scan = strict_order;
SELECT rows <= 10 AS at_most_ten, in_order FROM hnsw_iter_scan('<->', 'c = 7', 10);
SELECT rows <= 10 AS at_most_ten, in_order FROM hnsw_iter_scan('<=>', 'c = 7', 10);
SELECT rows <= 20 AS at_most_twenty, in_order FROM hnsw_iter_scan('<->', 'c = 11', 100);
SET vecidx.walk_quantized = off;
SELECT rows <= 10 AS at_most_ten, in_order FROM hnsw_iter_scan('<->', 'c = 7', 10);
RESET vecidx.walk_quantized;
-- relaxed_order: the graph is searched until the LIMIT is met or the graph
-- is exhausted (1000 nodes, well under hnsw.max_scan_tuples)
SET hnsw.iterative_scan = relaxed_order;
SELECT rows FROM hnsw_iter_scan('<->', 'c = 7', 10);
SELECT rows FROM hnsw_iter_scan('<=>', 'c = 7', 10);
SELECT rows, same_set FROM hnsw_iter_scan('<->', 'c = 11', 100);
SELECT rows, same_set FROM hnsw_iter_scan('<=>', 'c = 11', 100);
SELECT rows, same_set FROM hnsw_iter_scan('<->', 'c IN (1, 2, 3)', 1000);
-- with ef_search above the table size the first batch is the whole graph
SET hnsw.ef_search = 1000;
SELECT * FROM hnsw_iter_scan('<->', 'c = 7', 10);
SET hnsw.iterative_scan = strict_order;
SELECT * FROM hnsw_iter_scan('<=>', 'c = 7', 10);
RESET hnsw.iterative_scan;

-- vecidx.walk_quantized: exact results either way
SET vecidx.walk_quantized = off;
SELECT * FROM hnsw_iter_scan('<->', 'true', 1000);
SELECT * FROM hnsw_iter_scan('<=>', 'true', 25);
SET vecidx.walk_quantized = on;
SELECT * FROM hnsw_iter_scan('<->', 'true', 1000);
SELECT * FROM hnsw_iter_scan('<=>', 'true', 25);
RESET vecidx.walk_quantized;
RESET hnsw.ef_search;

-- rescans: the inner index scan of a correlated subquery, once per outer
-- row with a new query vector
CREATE TEMP TABLE hnsw_iter_q AS
	SELECT i AS qid, ARRAY(SELECT random() * 41 - 20
						   FROM generate_series(1, 8) WHERE i > 0)::vector AS v
	FROM generate_series(1, 20) i;
SET enable_seqscan = off;
SET hnsw.ef_search = 10;
SET hnsw.iterative_scan = relaxed_order;
SELECT * FROM vx_plan($$SELECT q.qid, (SELECT count(*) FROM (SELECT id FROM hnsw_iter WHERE c = 7 ORDER BY v <-> q.v LIMIT 5) s)
FROM hnsw_iter_q q$$);
SELECT count(*) FILTER (WHERE n = 5) AS full_answers, count(*) AS queries
FROM (SELECT (SELECT count(*) FROM (SELECT id FROM hnsw_iter WHERE c = 7 ORDER BY v <-> q.v LIMIT 5) s) AS n
	  FROM hnsw_iter_q q) z;
RESET hnsw.iterative_scan;
SET hnsw.ef_search = 1000;
CREATE TEMP TABLE hnsw_iter_a AS
	SELECT q.qid, ARRAY(SELECT id FROM hnsw_iter t ORDER BY t.v <-> q.v LIMIT 5) AS ids
	FROM hnsw_iter_q q;
RESET enable_seqscan;
SET enable_indexscan = off;
CREATE TEMP TABLE hnsw_iter_b AS
	SELECT q.qid, ARRAY(SELECT id FROM hnsw_iter t ORDER BY t.v <-> q.v LIMIT 5) AS ids
	FROM hnsw_iter_q q;
RESET enable_indexscan;
RESET hnsw.ef_search;
SELECT count(*) FILTER (WHERE a.ids = b.ids) AS same_answers, count(*) AS queries
FROM hnsw_iter_a a JOIN hnsw_iter_b b USING (qid);
DROP TABLE hnsw_iter_q, hnsw_iter_a, hnsw_iter_b;

DROP TABLE hnsw_iter;
DROP FUNCTION hnsw_iter_scan;
