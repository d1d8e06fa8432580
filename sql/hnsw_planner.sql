--
-- hnsw_planner: with nothing forced, the planner picks the index or a
-- sequential scan for ORDER BY v <-> q LIMIT 10 where the choice is clear
-- (issue 12; the figures behind each point are in README "Planner costs",
-- from test/bench/planner_matrix.py):
--   - 10,000 rows, small ef_search: the index (the walk touches a few
--     hundred of 10,000 nodes);
--   - the same rows, ef_search far above the table size: a sequential scan
--     (the walk would visit every node, and then some);
--   - 20 rows: a sequential scan;
--   - 1,000 rows of 768 dimensions, stored out of line (TOAST): the index
--     even at ef_search 1,000 (a sequential scan fetches every row from
--     TOAST; before the distance functions charged that, the planner picked
--     it at every ef_search, 5 times slower);
-- and the distance's cost follows the column's storage and dimension;
-- halfvec's distances are charged the same way (2-byte elements).
--

-- plan helpers (vx_plan, vx_plan_analyze): sql/include/plan.sql
\set ECHO none
\i sql/include/plan.sql
\set ECHO all
SELECT setseed(0.12);
CREATE TABLE hnsw_planner (id int, v vector(32));
INSERT INTO hnsw_planner
	SELECT i, array_agg(round((random() * 20)::numeric, 2) + i % 7 ORDER BY j)::real[]::vector
	FROM generate_series(1, 10000) i, generate_series(1, 32) j GROUP BY i;
CREATE INDEX hnsw_planner_idx ON hnsw_planner USING hnsw (v vector_l2_ops);
ANALYZE hnsw_planner;

SET hnsw.ef_search = 10;
SELECT vx_plan($$SELECT id FROM hnsw_planner ORDER BY v <-> (SELECT v FROM hnsw_planner WHERE id = 1) LIMIT 10$$);
SET hnsw.ef_search = 40;
SELECT vx_plan($$SELECT id FROM hnsw_planner ORDER BY v <-> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]' LIMIT 10$$);
-- ef_search half the table and more: the walk reaches nearly every node
SET hnsw.ef_search = 5000;
SELECT vx_plan($$SELECT id FROM hnsw_planner ORDER BY v <-> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]' LIMIT 10$$);
SET hnsw.ef_search = 40;
-- a LIMIT far above ef_search: the walk's candidate list grows to it
SELECT vx_plan($$SELECT id FROM hnsw_planner ORDER BY v <-> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]' LIMIT 8000$$);

-- a tiny table: a sequential scan at any ef_search
CREATE TABLE hnsw_planner_tiny (id int, v vector(32));
INSERT INTO hnsw_planner_tiny SELECT id, v FROM hnsw_planner WHERE id <= 20;
CREATE INDEX ON hnsw_planner_tiny USING hnsw (v vector_l2_ops);
ANALYZE hnsw_planner_tiny;
SET hnsw.ef_search = 10;
SELECT vx_plan($$SELECT id FROM hnsw_planner_tiny ORDER BY v <-> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]' LIMIT 10$$);

-- 768 dimensions: rows stored out of line (STORAGE external, pgvector's
-- default; vecidx's main keeps them in the heap row)
CREATE TABLE hnsw_planner_toast (id int, v vector(768));
ALTER TABLE hnsw_planner_toast ALTER COLUMN v SET STORAGE external;
INSERT INTO hnsw_planner_toast
	SELECT i, array_agg(round((random() * 4)::numeric, 1) + i % 5 ORDER BY j)::real[]::vector
	FROM generate_series(1, 1000) i, generate_series(1, 768) j GROUP BY i;
CREATE INDEX hnsw_planner_toast_idx ON hnsw_planner_toast USING hnsw (v vector_l2_ops);
ANALYZE hnsw_planner_toast;
SELECT pg_relation_size(reltoastrelid) > 1000 * 3000 AS toasted
	FROM pg_class WHERE relname = 'hnsw_planner_toast';
SET hnsw.ef_search = 40;
SELECT vx_plan($$SELECT id FROM hnsw_planner_toast ORDER BY v <-> (SELECT v FROM hnsw_planner_toast WHERE id = 1) LIMIT 10$$);
SET hnsw.ef_search = 1000;
SELECT vx_plan($$SELECT id FROM hnsw_planner_toast ORDER BY v <-> (SELECT v FROM hnsw_planner_toast WHERE id = 1) LIMIT 10$$);
-- the same rows kept in the heap (STORAGE plain): no TOAST fetch
CREATE TABLE hnsw_planner_plain (id int, v vector(768));
ALTER TABLE hnsw_planner_plain ALTER COLUMN v SET STORAGE plain;
INSERT INTO hnsw_planner_plain SELECT * FROM hnsw_planner_toast;
ANALYZE hnsw_planner_plain;

-- the distance's cost per call: what the support function charges, read
-- from the planner's estimate of a scan computing it for every row
CREATE FUNCTION hnsw_planner_cost(tab text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
	p			json;
	with_call	float8;
	without		float8;
BEGIN
	EXECUTE format('EXPLAIN (FORMAT JSON) SELECT v <-> v FROM %I', tab) INTO p;
	with_call := (p -> 0 -> 'Plan' ->> 'Total Cost')::float8;
	EXECUTE format('EXPLAIN (FORMAT JSON) SELECT v FROM %I', tab) INTO p;
	without := (p -> 0 -> 'Plan' ->> 'Total Cost')::float8;
	-- per row the planner expects (the table's size where it has no statistics)
	RETURN (with_call - without) / (p -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
END
$$;
-- per row, in units of cpu_operator_cost: a 32-d call, a 768-d call on
-- values in the heap, and on values two out-of-line arguments fetch
SELECT round((hnsw_planner_cost('hnsw_planner') / current_setting('cpu_operator_cost')::float8)::numeric) AS inline_32,
	   round((hnsw_planner_cost('hnsw_planner_plain') / current_setting('cpu_operator_cost')::float8)::numeric) AS plain_768,
	   round((hnsw_planner_cost('hnsw_planner_toast') / current_setting('cpu_operator_cost')::float8)::numeric) AS toast_768;

-- halfvec: its distances are charged as vector's (support function
-- halfvec_distance_support), so its index is chosen where vector's is (at
-- COST 1 the planner took a sequential scan here)
CREATE TABLE hnsw_planner_hv (id int, v halfvec(32));
INSERT INTO hnsw_planner_hv SELECT id, v FROM hnsw_planner;
CREATE INDEX hnsw_planner_hv_idx ON hnsw_planner_hv USING hnsw (v halfvec_l2_ops);
ANALYZE hnsw_planner_hv;
SET hnsw.ef_search = 40;
SELECT vx_plan($$SELECT id FROM hnsw_planner_hv ORDER BY v <-> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]' LIMIT 10$$);
SET hnsw.ef_search = 5000;
SELECT vx_plan($$SELECT id FROM hnsw_planner_hv ORDER BY v <-> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]' LIMIT 10$$);
-- per call: 2-byte elements, so 768 dimensions stay inline (1,544 bytes,
-- under the TOAST threshold; no statistics: the size rule decides) and
-- 1,536 go out of line
CREATE TABLE hnsw_planner_hv768 (id int, v halfvec(768));
INSERT INTO hnsw_planner_hv768 SELECT id, v FROM hnsw_planner_toast WHERE id <= 100;
CREATE TABLE hnsw_planner_hv1536 (id int, v halfvec(1536));
ALTER TABLE hnsw_planner_hv1536 ALTER COLUMN v SET STORAGE external;
INSERT INTO hnsw_planner_hv1536 SELECT id, v || v FROM hnsw_planner_toast WHERE id <= 100;
SELECT round((hnsw_planner_cost('hnsw_planner_hv') / current_setting('cpu_operator_cost')::float8)::numeric) AS inline_32,
	   round((hnsw_planner_cost('hnsw_planner_hv768') / current_setting('cpu_operator_cost')::float8)::numeric) AS inline_768,
	   round((hnsw_planner_cost('hnsw_planner_hv1536') / current_setting('cpu_operator_cost')::float8)::numeric) AS toast_1536;
SELECT pg_relation_size(reltoastrelid) > 0 AS hv1536_toasted
	FROM pg_class WHERE relname = 'hnsw_planner_hv1536';
-- the types' default STORAGE main (no statistics: the size rule): inline
-- while the row fits a page (1,536 and 2,000 dims), out of line past it
CREATE TABLE hnsw_planner_m1536 (id int, v vector(1536));
CREATE TABLE hnsw_planner_m2000 (id int, v vector(2000));
CREATE TABLE hnsw_planner_m2100 (id int, v vector(2100));
CREATE TABLE hnsw_planner_mhv4000 (id int, v halfvec(4000));
CREATE TABLE hnsw_planner_mhv4200 (id int, v halfvec(4200));
SELECT round((hnsw_planner_cost('hnsw_planner_m1536') / current_setting('cpu_operator_cost')::float8)::numeric) AS main_1536,
	   round((hnsw_planner_cost('hnsw_planner_m2000') / current_setting('cpu_operator_cost')::float8)::numeric) AS main_2000,
	   round((hnsw_planner_cost('hnsw_planner_m2100') / current_setting('cpu_operator_cost')::float8)::numeric) AS main_2100,
	   round((hnsw_planner_cost('hnsw_planner_mhv4000') / current_setting('cpu_operator_cost')::float8)::numeric) AS main_hv4000,
	   round((hnsw_planner_cost('hnsw_planner_mhv4200') / current_setting('cpu_operator_cost')::float8)::numeric) AS main_hv4200;
DROP TABLE hnsw_planner_m1536, hnsw_planner_m2000, hnsw_planner_m2100,
	hnsw_planner_mhv4000, hnsw_planner_mhv4200;
DROP TABLE hnsw_planner_hv, hnsw_planner_hv768, hnsw_planner_hv1536;

RESET hnsw.ef_search;
DROP TABLE hnsw_planner, hnsw_planner_tiny, hnsw_planner_toast, hnsw_planner_plain;
DROP FUNCTION hnsw_planner_cost(text);
