-- sql/include/reach_try.sql: the table and helper of hnsw_reach and
-- hnsw_reach_small_m (\i from the top of the source tree).
--
-- hnsw_reach: 300 rows of 3 dimensions on a small lattice (many ties).
-- hnsw_reach_try(opclass, m, quant): builds hnsw_reach_idx with that
-- opclass, m, ef_construction 4m and quantization, and returns the
-- verifier's unreachable count and how many rows an index scan at
-- ef_search 1000 returns; drops the index again.
-- hnsw_reach_all(opclasses, ms): hnsw_reach_try for each (opclasses[i],
-- ms[i]), with quantization int8 and none, in that order.
CREATE TABLE hnsw_reach (id int, v vector(3));
INSERT INTO hnsw_reach SELECT i, ARRAY[i % 7, i % 5, i % 3 + 1]::vector
	FROM generate_series(1, 300) i;

CREATE FUNCTION hnsw_reach_try(opclass text, m int, quant text,
							   OUT unreachable bigint, OUT scan_rows bigint)
LANGUAGE plpgsql AS $$
DECLARE
	op			text;
BEGIN
	op := CASE opclass WHEN 'vector_l2_ops' THEN '<->'
					   WHEN 'vector_ip_ops' THEN '<#>'
					   WHEN 'vector_cosine_ops' THEN '<=>'
					   ELSE '<+>' END;
	EXECUTE format('CREATE INDEX hnsw_reach_idx ON hnsw_reach USING hnsw (v %s) WITH (m = %s, ef_construction = %s, quantization = %s)',
				   opclass, m, 4 * m, quant);
	SELECT c.unreachable INTO unreachable FROM vecidx_hnsw_check('hnsw_reach_idx', false) c;
	PERFORM set_config('enable_seqscan', 'off', true);
	PERFORM set_config('hnsw.ef_search', '1000', true);
	EXECUTE format('SELECT count(*) FROM (SELECT id FROM hnsw_reach ORDER BY v %s %L::vector) s',
				   op, '[1,1,1]') INTO scan_rows;
	DROP INDEX hnsw_reach_idx;
END
$$;

CREATE FUNCTION hnsw_reach_all(opclasses text[], ms int[])
RETURNS TABLE (opclass text, m int, quant text, all_reachable boolean, all_returned boolean)
LANGUAGE sql AS $$
	SELECT o.opclass, o.m, q.quant, r.unreachable = 0, r.scan_rows = 300
	FROM unnest(opclasses, ms) WITH ORDINALITY o(opclass, m, n),
		unnest(ARRAY['int8', 'none']) q(quant),
		LATERAL hnsw_reach_try(o.opclass, o.m, q.quant) r
	ORDER BY o.n, q.quant
$$;
