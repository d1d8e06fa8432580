--
-- hnsw_highdim: 4096-dimensional vectors (beyond pgvector's 2000) build,
-- take inserts and are searched; with ef_search above the table size the
-- index returns the sequential scan's rows in the same order.
--

-- plan helpers (vx_plan, vx_plan_analyze): sql/include/plan.sql
\set ECHO none
\i sql/include/plan.sql
\set ECHO all
CREATE TABLE hnsw_hd (id int, v vector(4096));
SELECT setseed(0.3);
INSERT INTO hnsw_hd
	SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 4096) WHERE i > 0)::vector
	FROM generate_series(1, 300) i;
CREATE INDEX hnsw_hd_cos ON hnsw_hd USING hnsw (v vector_cosine_ops);
CREATE INDEX hnsw_hd_l2 ON hnsw_hd USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32);
INSERT INTO hnsw_hd
	SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 4096) WHERE i > 0)::vector
	FROM generate_series(301, 400) i;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_hd_cos');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_hd_l2');
-- int8 codes: the index is smaller than the table's float4 data (in TOAST)
SELECT pg_relation_size('hnsw_hd_l2') < pg_table_size('hnsw_hd') AS index_smaller_than_table;

CREATE FUNCTION hnsw_hd_same(op text, qid int, k int) RETURNS bool
LANGUAGE plpgsql AS $$
DECLARE
	sql			text;
	a			text;
	b			text;
BEGIN
	sql := format('SELECT string_agg(id::text || '':'' || d::text, '','') FROM (SELECT id, v %s q AS d FROM hnsw_hd, (SELECT v AS q FROM hnsw_hd WHERE id = %s) s ORDER BY v %s q LIMIT %s) s',
				  op, qid, op, k);
	PERFORM set_config('enable_seqscan', 'off', true);
	EXECUTE sql INTO a;
	PERFORM set_config('enable_seqscan', 'on', true);
	PERFORM set_config('enable_indexscan', 'off', true);
	EXECUTE sql INTO b;
	PERFORM set_config('enable_indexscan', 'on', true);
	RETURN a = b;
END
$$;

SET hnsw.ef_search = 1000;
SET enable_seqscan = off;
SELECT * FROM vx_plan($$SELECT id FROM hnsw_hd ORDER BY v <=> (SELECT v FROM hnsw_hd WHERE id = 1) LIMIT 5$$);
RESET enable_seqscan;
SELECT hnsw_hd_same('<=>', 7, 400), hnsw_hd_same('<->', 7, 400);
SELECT hnsw_hd_same('<=>', 350, 10), hnsw_hd_same('<->', 350, 10);
RESET hnsw.ef_search;

DROP TABLE hnsw_hd;
DROP FUNCTION hnsw_hd_same;
