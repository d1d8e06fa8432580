--
-- hnsw_build: a build that outgrows maintenance_work_mem goes on with a
-- NOTICE and yields a complete index; progress phase names; the planner
-- picks the index for a top-k query on a table of some size by itself.
--

-- plan helpers (vx_plan, vx_plan_analyze): sql/include/plan.sql
\set ECHO none
\i sql/include/plan.sql
\set ECHO all
CREATE TABLE hnsw_build (id int, v vector(128));
SELECT setseed(0.3);
INSERT INTO hnsw_build
	SELECT i, ARRAY(SELECT round(random() * 100)
					FROM generate_series(1, 128) WHERE i > 0)::vector
	FROM generate_series(1, 5000) i;
ANALYZE hnsw_build;

-- hnsw_build_same(op, q, k): top-k by index (ef_search above the table size,
-- so exact) equals top-k by sequential scan, as distance sequence and id set
CREATE FUNCTION hnsw_build_same(op text, q text, k int) RETURNS bool
LANGUAGE plpgsql AS $$
DECLARE
	sql			text;
	a			text;
	b			text;
BEGIN
	sql := format('SELECT string_agg(d::text, '','') || '' '' || (SELECT string_agg(x::text, '','' ORDER BY x) FROM unnest(array_agg(id)) x) FROM (SELECT id, v %s %L::vector AS d FROM hnsw_build ORDER BY v %s %L::vector LIMIT %s) s',
				  op, q, op, q, k);
	PERFORM set_config('hnsw.ef_search', '10000', true);
	PERFORM set_config('enable_seqscan', 'off', true);
	EXECUTE sql INTO a;
	PERFORM set_config('enable_seqscan', 'on', true);
	PERFORM set_config('enable_indexscan', 'off', true);
	EXECUTE sql INTO b;
	PERFORM set_config('enable_indexscan', 'on', true);
	RETURN a = b;
END
$$;

-- the build spills (the NOTICE's tuple count depends on memory accounting,
-- so only its SQLSTATE is shown; test/t checks the text)
SET maintenance_work_mem = '1MB';
\set VERBOSITY sqlstate
CREATE INDEX hnsw_build_l2 ON hnsw_build USING hnsw (v vector_l2_ops);
CREATE INDEX hnsw_build_cos ON hnsw_build USING hnsw (v vector_cosine_ops)
	WITH (quantization = 'none');
\set VERBOSITY default
RESET maintenance_work_mem;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_build_l2');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_build_cos');
SELECT hnsw_build_same('<->', (SELECT v::text FROM hnsw_build WHERE id = 7), 20);
SELECT hnsw_build_same('<->', array_fill(50.5::real, ARRAY[128])::vector::text, 20);
SELECT hnsw_build_same('<=>', (SELECT (v * array_fill(0.5::real, ARRAY[128])::vector)::text FROM hnsw_build WHERE id = 11), 20);

-- the same with enough memory: no NOTICE
CREATE INDEX hnsw_build_l2b ON hnsw_build USING hnsw (v vector_l2_ops);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_build_l2b');
-- an in-memory build keeps every layer-0 list full (2m = 32 slots; upper
-- layers add more edges): a build whose back links pruned lists below 2m
-- had about 28 edges per node here
SELECT edges >= 32 * nodes AS layer0_lists_full FROM vecidx_hnsw_check('hnsw_build_l2b');
DROP INDEX hnsw_build_l2b;

-- the planner picks the index on its own for ORDER BY ... LIMIT
SELECT * FROM vx_plan($$SELECT id FROM hnsw_build ORDER BY v <-> (SELECT v FROM hnsw_build WHERE id = 1) LIMIT 10$$);
-- and not for a filter on the distance
SELECT * FROM vx_plan($$SELECT id FROM hnsw_build WHERE v <-> (SELECT v FROM hnsw_build WHERE id = 1) < 10$$);
-- a row's own vector finds the row (ef_search covers the table: exact)
SET hnsw.ef_search = 10000;
SELECT count(*) AS not_found FROM hnsw_build a
	WHERE a.id % 100 = 0
	AND a.id <> (SELECT b.id FROM hnsw_build b ORDER BY b.v <=> a.v LIMIT 1);
RESET hnsw.ef_search;

-- progress reporting: phase names of the access method
SELECT n, pg_indexam_progress_phasename((SELECT oid FROM pg_am WHERE amname = 'hnsw'), n)
FROM generate_series(0, 4) n;

DROP TABLE hnsw_build;
DROP FUNCTION hnsw_build_same;
