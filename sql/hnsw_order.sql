--
-- hnsw_order: rows come back in exact distance order, and a LIMIT gets its
-- rows, in every hnsw.iterative_scan mode.  Continuation batches can hold
-- rows whose lower bound is below one already returned; the scan keeps the
-- rows of all batches in one pool and fetches the next batch before it
-- releases the tail of the current one (README, "Iterative scans").  Real
-- float data, so that bounds are loose; rows deleted and not vacuumed, and
-- filters, so that the executor asks for more rows than one batch holds.
--

-- pgvector's own hnsw_vector case: three rows, ef_search = 1, strict_order
CREATE TABLE hnsw_order3 (val vector(3));
INSERT INTO hnsw_order3 (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON hnsw_order3 USING hnsw (val vector_l2_ops);
SET enable_seqscan = off;
SET hnsw.ef_search = 1;
SET hnsw.iterative_scan = strict_order;
SELECT * FROM hnsw_order3 ORDER BY val <-> '[3,3,3]';
SET hnsw.iterative_scan = relaxed_order;
SELECT * FROM hnsw_order3 ORDER BY val <-> '[3,3,3]';
SET hnsw.iterative_scan = off;
SELECT * FROM hnsw_order3 ORDER BY val <-> '[3,3,3]';
RESET hnsw.iterative_scan;
RESET hnsw.ef_search;
RESET enable_seqscan;
DROP TABLE hnsw_order3;

CREATE TABLE hnsw_ord (id int, c int, v vector(16)) WITH (autovacuum_enabled = off);
SELECT setseed(0.37);
INSERT INTO hnsw_ord
	SELECT i, i % 100, ARRAY(SELECT random() * 2 - 1
							 FROM generate_series(1, 16) WHERE i > 0)::vector
	FROM generate_series(1, 3000) i;
CREATE INDEX hnsw_ord_l2 ON hnsw_ord USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32);
CREATE INDEX hnsw_ord_cos ON hnsw_ord USING hnsw (v vector_cosine_ops) WITH (m = 8, ef_construction = 32);
CREATE TABLE hnsw_ord_q AS
	SELECT i AS qid, ARRAY(SELECT random() * 2 - 1
						   FROM generate_series(1, 16) WHERE i > 0)::vector(16) AS v
	FROM generate_series(1, 15) i;

-- hnsw_ord_run(op, filter, k): for every query, the index scan's rows of
--	 SELECT v <op> q FROM hnsw_ord WHERE <filter> ORDER BY v <op> q LIMIT k
-- against a sequential scan's: queries answered out of order, and queries
-- with another number of rows than the sequential scan's (the rows
-- themselves may differ: the search is approximate)
CREATE FUNCTION hnsw_ord_run(op text, filter text, k int, OUT out_of_order int,
							 OUT short int)
LANGUAGE plpgsql AS $$
DECLARE
	sql			text;
	plan		text;
	used		bool := false;
	qv			vector;
	d_i			float8[];
	d_s			float8[];
BEGIN
	out_of_order := 0;
	short := 0;
	sql := format('SELECT v %s $1 AS d FROM hnsw_ord WHERE %s ORDER BY v %s $1 LIMIT %s',
				  op, filter, op, k);
	PERFORM set_config('enable_seqscan', 'off', true);
	FOR plan IN EXECUTE 'EXPLAIN (COSTS OFF) ' || replace(sql, '$1', '''[1]''::vector') LOOP
		used := used OR plan ~ 'Index Scan using hnsw_ord_';
	END LOOP;
	IF NOT used THEN
		RAISE EXCEPTION 'index not used';
	END IF;
	FOR qv IN SELECT v FROM hnsw_ord_q ORDER BY qid LOOP
		PERFORM set_config('enable_seqscan', 'off', true);
		PERFORM set_config('enable_indexscan', 'on', true);
		EXECUTE format('SELECT array_agg(d) FROM (%s) s', sql) INTO d_i USING qv;
		PERFORM set_config('enable_seqscan', 'on', true);
		PERFORM set_config('enable_indexscan', 'off', true);
		EXECUTE format('SELECT array_agg(d) FROM (%s) s', sql) INTO d_s USING qv;
		IF d_i <> ARRAY(SELECT unnest(d_i) ORDER BY 1) THEN
			out_of_order := out_of_order + 1;
		END IF;
		IF coalesce(cardinality(d_i), 0) <> coalesce(cardinality(d_s), 0) THEN
			short := short + 1;
		END IF;
	END LOOP;
	PERFORM set_config('enable_seqscan', 'on', true);
	PERFORM set_config('enable_indexscan', 'on', true);
END
$$;

-- dead rows, not vacuumed: every seventh row, and each query's 60 nearest
-- (found by a sequential scan)
DELETE FROM hnsw_ord WHERE id % 7 = 0;
SET enable_indexscan = off;
DELETE FROM hnsw_ord WHERE id IN
	(SELECT n.id FROM hnsw_ord_q q,
		 LATERAL (SELECT id FROM hnsw_ord t ORDER BY t.v <-> q.v LIMIT 60) n);
RESET enable_indexscan;
SELECT count(*) FROM hnsw_ord;

-- the default mode (off) at default settings: ordered, every LIMIT filled
SELECT * FROM hnsw_ord_run('<->', 'true', 10);
SELECT * FROM hnsw_ord_run('<->', 'true', 100);
SELECT * FROM hnsw_ord_run('<=>', 'true', 10);
SELECT * FROM hnsw_ord_run('<->', 'c < 5', 10);
SELECT * FROM hnsw_ord_run('<=>', 'c < 5', 10);
SELECT * FROM hnsw_ord_run('<->', 'id <= 400', 10);
-- smaller batches: the dead rows make the scan go on, and the looser
-- cosine bounds of a later batch overlap the rows already returned
SET hnsw.ef_search = 10;
SELECT out_of_order FROM hnsw_ord_run('<=>', 'true', 10);
SET hnsw.ef_search = 20;
SELECT out_of_order FROM hnsw_ord_run('<=>', 'true', 10);
-- a small ef_search: many continuation batches, bounds far apart
SET hnsw.ef_search = 5;
SELECT out_of_order FROM hnsw_ord_run('<->', 'true', 200);
SELECT out_of_order FROM hnsw_ord_run('<->', 'c < 3', 20);
SELECT out_of_order FROM hnsw_ord_run('<=>', 'c < 3', 20);
SET hnsw.iterative_scan = strict_order;
SELECT out_of_order FROM hnsw_ord_run('<->', 'true', 200);
SELECT out_of_order FROM hnsw_ord_run('<->', 'c < 3', 20);
SELECT out_of_order FROM hnsw_ord_run('<=>', 'c < 3', 20);
-- relaxed_order may be slightly out of order: run it, assert nothing on order
SET hnsw.iterative_scan = relaxed_order;
SELECT short FROM hnsw_ord_run('<->', 'c < 3', 20);
RESET hnsw.ef_search;
SET hnsw.iterative_scan = strict_order;
SELECT * FROM hnsw_ord_run('<->', 'c < 5', 10);
SELECT * FROM hnsw_ord_run('<->', 'true', 1000);
SET hnsw.iterative_scan = relaxed_order;
SELECT short FROM hnsw_ord_run('<->', 'c < 5', 10);
SELECT short FROM hnsw_ord_run('<->', 'true', 1000);
RESET hnsw.iterative_scan;

-- two ORDER BY keys: the index orders by the first; rows that tie on it
-- (duplicate vectors; integer coordinates, so their codes are exact) come
-- in the order of the second, as a sequential scan has them (ef_search
-- above the table size: one batch holds every row, so the rows are exact)
CREATE TABLE hnsw_ord2 (id int, v vector(2));
INSERT INTO hnsw_ord2
	SELECT i, ARRAY[(i * 7) % 5, (i * 3) % 4]::vector FROM generate_series(1, 200) i;
CREATE INDEX ON hnsw_ord2 USING hnsw (v vector_l2_ops);
SET hnsw.ef_search = 1000;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT id FROM hnsw_ord2 ORDER BY v <-> '[2,2]', v <-> '[0,3]' LIMIT 50;
CREATE TEMP TABLE hnsw_ord2_i AS
	SELECT row_number() OVER () AS n, d1, d2 FROM
		(SELECT v <-> '[2,2]' AS d1, v <-> '[0,3]' AS d2 FROM hnsw_ord2
		 ORDER BY v <-> '[2,2]', v <-> '[0,3]' LIMIT 50) s;
RESET enable_seqscan;
SET enable_indexscan = off;
CREATE TEMP TABLE hnsw_ord2_s AS
	SELECT row_number() OVER () AS n, d1, d2 FROM
		(SELECT v <-> '[2,2]' AS d1, v <-> '[0,3]' AS d2 FROM hnsw_ord2
		 ORDER BY v <-> '[2,2]', v <-> '[0,3]' LIMIT 50) s;
RESET enable_indexscan;
RESET hnsw.ef_search;
SELECT count(*) AS rows, count(*) FILTER (WHERE i.d1 = s.d1 AND i.d2 = s.d2) AS same
FROM hnsw_ord2_i i JOIN hnsw_ord2_s s USING (n);
-- float data: bounds below the distances, rechecked
SET enable_seqscan = off;
CREATE TEMP TABLE hnsw_ord2_f AS
	SELECT ARRAY(SELECT v <-> q.v FROM hnsw_ord t
				 ORDER BY t.v <-> q.v, t.v <-> (SELECT v FROM hnsw_ord_q WHERE qid = 1)
				 LIMIT 20) AS d
	FROM hnsw_ord_q q;
RESET enable_seqscan;
SELECT count(*) FILTER (WHERE d = ARRAY(SELECT unnest(d) ORDER BY 1)) AS ordered, count(*)
FROM hnsw_ord2_f;

DROP TABLE hnsw_ord, hnsw_ord_q, hnsw_ord2;
DROP FUNCTION hnsw_ord_run;
