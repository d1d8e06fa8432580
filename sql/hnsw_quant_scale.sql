--
-- hnsw_quant_scale: the walk on the query's own INT8 code
-- (vecidx.walk_quantized, the default) does not depend on how the query's
-- magnitude compares with the trained range.
--
-- Inner product: the ranking of <q, x> does not depend on |q|, so recall@10
-- must not either.  Coded as it was, a query 1000 times smaller than the
-- rows rounded to almost one code point (recall about 0.02), one 1000 times
-- larger clipped to the corners of the code range (about 0.6).
-- L2: a query far outside the trained range is clipped when coded; the walk
-- then uses the float query, so it finds what walk_quantized = off finds.
--
-- The rows are seeded; the graph's levels are not, so recall is asserted
-- with a margin (about 1.0 is expected at every scale).
--

SELECT setseed(0.25);
CREATE TABLE hnsw_qs (id int, v vector(32));
INSERT INTO hnsw_qs
	SELECT i, ARRAY(SELECT random() + random() + random() - 1.5
					FROM generate_series(1, 32) WHERE i > 0)::vector
	FROM generate_series(1, 5000) i;
CREATE TABLE hnsw_qs_queries (qid int, v real[]);
INSERT INTO hnsw_qs_queries
	SELECT i, ARRAY(SELECT (random() + random() + random() - 1.5)::real
					FROM generate_series(1, 32) WHERE i > 0)
	FROM generate_series(1, 20) i;

CREATE INDEX hnsw_qs_ip ON hnsw_qs USING hnsw (v vector_ip_ops);
CREATE INDEX hnsw_qs_l2 ON hnsw_qs USING hnsw (v vector_l2_ops);

-- top-10 ids for every query scaled by scale, by index or by sequential scan
CREATE FUNCTION hnsw_qs_top(op text, scale float8, use_index bool)
RETURNS TABLE (qid int, ids int[])
LANGUAGE plpgsql AS $$
DECLARE
	q			record;
BEGIN
	PERFORM set_config('enable_seqscan', CASE WHEN use_index THEN 'off' ELSE 'on' END, true);
	PERFORM set_config('enable_indexscan', CASE WHEN use_index THEN 'on' ELSE 'off' END, true);
	PERFORM set_config('enable_bitmapscan', 'off', true);
	FOR q IN SELECT h.qid, ARRAY(SELECT (x * scale)::real FROM unnest(h.v) x)::vector AS qv
			 FROM hnsw_qs_queries h ORDER BY h.qid
	LOOP
		qid := q.qid;
		EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM hnsw_qs ORDER BY v %s $1 LIMIT 10) s', op)
			INTO ids USING q.qv;
		RETURN NEXT;
	END LOOP;
END $$;

CREATE FUNCTION hnsw_qs_recall(op text, scale float8) RETURNS float8
LANGUAGE sql AS $$
	SELECT avg(cardinality(ARRAY(SELECT unnest(e.ids) INTERSECT SELECT unnest(a.ids)))) / 10.0
	FROM hnsw_qs_top(op, scale, false) e JOIN hnsw_qs_top(op, scale, true) a USING (qid)
$$;

SET hnsw.ef_search = 100;

-- the plans use the indexes
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_qs ORDER BY v <#> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32]' LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_qs ORDER BY v <-> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32]' LIMIT 10;
RESET enable_seqscan;

-- inner product: recall@10 at least 0.9 at every scale
SELECT scale, hnsw_qs_recall('<#>', scale) >= 0.9 AS recall_ok
FROM unnest(ARRAY[1e-6, 1e-3, 1, 1e3, 1e6]::float8[]) scale;

-- walk_quantized = off: the float walk, the reference
SET vecidx.walk_quantized = off;
SELECT scale, hnsw_qs_recall('<#>', scale) >= 0.9 AS recall_ok
FROM unnest(ARRAY[1e-6, 1, 1e6]::float8[]) scale;
CREATE TEMP TABLE hnsw_qs_float AS SELECT * FROM hnsw_qs_top('<->', 50, true);
RESET vecidx.walk_quantized;

-- L2, 50 times outside the trained range: the same top-10 as the float walk
SELECT count(*) AS queries, count(*) FILTER (WHERE a.ids = f.ids) AS same_as_float_walk
FROM hnsw_qs_top('<->', 50, true) a JOIN hnsw_qs_float f USING (qid);
-- and inside it, recall as usual
SELECT hnsw_qs_recall('<->', 1) >= 0.9 AS recall_ok;

DROP TABLE hnsw_qs, hnsw_qs_queries, hnsw_qs_float;
DROP FUNCTION hnsw_qs_recall, hnsw_qs_top;
