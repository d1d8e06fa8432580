-- vecidx_hnsw_check refuses what it cannot check, with the reason
-- (partitioned indexes, invalid indexes, OIDs that name no index), and
-- checks what it can
SET client_min_messages = warning;

CREATE TABLE vfy (id int, v vector(3));
INSERT INTO vfy SELECT i, ARRAY[i, i % 7, i % 3]::vector FROM generate_series(1, 300) i;
CREATE INDEX vfy_idx ON vfy USING hnsw (v vector_l2_ops) WITH (m = 4);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('vfy_idx');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('vfy_idx', false);

-- OIDs that name no index
SELECT vecidx_hnsw_check(0);
SELECT vecidx_hnsw_check(4294967295::oid::regclass);
SELECT vecidx_hnsw_check('vfy');
CREATE INDEX vfy_btree ON vfy (id);
SELECT vecidx_hnsw_check('vfy_btree');

-- a partitioned index has no storage: check each partition's index
CREATE TABLE vfy_part (id int, v vector(3)) PARTITION BY RANGE (id);
CREATE TABLE vfy_part1 PARTITION OF vfy_part FOR VALUES FROM (0) TO (100);
CREATE TABLE vfy_part2 PARTITION OF vfy_part FOR VALUES FROM (100) TO (200);
INSERT INTO vfy_part SELECT i, ARRAY[i, 1, 2]::vector FROM generate_series(0, 199) i;
CREATE INDEX vfy_part_idx ON vfy_part USING hnsw (v vector_l2_ops);
SELECT vecidx_hnsw_check('vfy_part_idx');
SELECT c.relname, r.nodes, r.unreachable
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,
	LATERAL vecidx_hnsw_check(c.oid) r
WHERE i.inhparent = 'vfy_part_idx'::regclass ORDER BY 1;

-- an invalid index (a failed CREATE INDEX CONCURRENTLY) is refused, not
-- reported as corrupt
-- (SET search_path: 17+ runs index expressions with a restricted one)
CREATE FUNCTION vfy_fail(v vector) RETURNS vector IMMUTABLE LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	IF v = '[250,5,1]' THEN
		RAISE EXCEPTION 'vfy_fail: build fails here';
	END IF;
	RETURN v;
END
$$;
CREATE INDEX CONCURRENTLY vfy_invalid ON vfy USING hnsw ((vfy_fail(v)::vector(3)) vector_l2_ops);
SELECT indisvalid FROM pg_index WHERE indexrelid = 'vfy_invalid'::regclass;
SELECT vecidx_hnsw_check('vfy_invalid');
DROP INDEX vfy_invalid;

DROP TABLE vfy, vfy_part;
DROP FUNCTION vfy_fail;
