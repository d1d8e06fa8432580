--
-- hnsw_ddl: REINDEX, CREATE INDEX CONCURRENTLY, unlogged and partitioned
-- tables, partial and expression indexes.  With hnsw.ef_search above the
-- table size every index scan must return what a sequential scan returns.
--

-- plan helpers (vx_plan, vx_plan_analyze): sql/include/plan.sql
\set ECHO none
\i sql/include/plan.sql
\set ECHO all
SET hnsw.ef_search = 1000;

CREATE TABLE hnsw_ddl (id int, v vector(4));
SELECT setseed(0.5);
INSERT INTO hnsw_ddl
	SELECT i, ARRAY(SELECT floor(random() * 21) - 10
					FROM generate_series(1, 4) WHERE i > 0)::vector
	FROM generate_series(1, 200) i;
INSERT INTO hnsw_ddl VALUES (201, NULL);

-- hnsw_ddl_same(query): the query (SELECT id, <distance> AS d ... ORDER BY
-- ...) run with index scans only and with sequential scans only; reports
-- whether the index was used, the row count, whether the distance sequences
-- are equal and whether the id sets are equal (which, with a LIMIT, holds
-- only when no two rows tie at the cut)
CREATE FUNCTION hnsw_ddl_same(query text, OUT index_used bool, OUT nrows int,
							  OUT same_distances bool, OUT same_ids bool)
LANGUAGE plpgsql AS $$
DECLARE
	plan		text;
	d_i			float8[];
	d_s			float8[];
	ids_i		int[];
	ids_s		int[];
BEGIN
	PERFORM set_config('enable_seqscan', 'off', true);
	PERFORM set_config('enable_bitmapscan', 'off', true);
	index_used := false;
	FOR plan IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
		IF plan ~ 'Index Scan using' THEN
			index_used := true;
		END IF;
	END LOOP;
	EXECUTE format('SELECT array_agg(id), array_agg(d) FROM (%s) s', query) INTO ids_i, d_i;
	PERFORM set_config('enable_seqscan', 'on', true);
	PERFORM set_config('enable_indexscan', 'off', true);
	EXECUTE format('SELECT array_agg(id), array_agg(d) FROM (%s) s', query) INTO ids_s, d_s;
	PERFORM set_config('enable_indexscan', 'on', true);
	PERFORM set_config('enable_bitmapscan', 'on', true);
	nrows := coalesce(cardinality(ids_i), 0);
	same_distances := d_i IS NOT DISTINCT FROM d_s;
	same_ids := ARRAY(SELECT unnest(ids_i) ORDER BY 1) = ARRAY(SELECT unnest(ids_s) ORDER BY 1);
END
$$;

-- REINDEX
CREATE INDEX hnsw_ddl_idx ON hnsw_ddl USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 16);
SELECT * FROM hnsw_ddl_same($$SELECT id, v <-> '[1,2,3,4]' AS d FROM hnsw_ddl WHERE v IS NOT NULL ORDER BY v <-> '[1,2,3,4]'$$);
INSERT INTO hnsw_ddl SELECT id + 1000, v FROM hnsw_ddl WHERE id <= 50;
DELETE FROM hnsw_ddl WHERE id BETWEEN 100 AND 120;
REINDEX INDEX hnsw_ddl_idx;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_ddl_idx');
SELECT * FROM hnsw_ddl_same($$SELECT id, v <-> '[1,2,3,4]' AS d FROM hnsw_ddl WHERE v IS NOT NULL ORDER BY v <-> '[1,2,3,4]'$$);
REINDEX TABLE hnsw_ddl;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_ddl_idx');
REINDEX INDEX CONCURRENTLY hnsw_ddl_idx;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_ddl_idx');
SELECT index_used, nrows, same_distances FROM hnsw_ddl_same($$SELECT id, v <-> '[1,2,3,4]' AS d FROM hnsw_ddl WHERE v IS NOT NULL ORDER BY v <-> '[1,2,3,4]' LIMIT 20$$);
DROP INDEX hnsw_ddl_idx;

-- CREATE INDEX CONCURRENTLY (outside a transaction block)
CREATE INDEX CONCURRENTLY hnsw_ddl_cic ON hnsw_ddl USING hnsw (v vector_cosine_ops);
SELECT indisvalid, indisready FROM pg_index WHERE indexrelid = 'hnsw_ddl_cic'::regclass;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_ddl_cic');
SELECT * FROM hnsw_ddl_same($$SELECT id, v <=> '[1,2,3,4]' AS d FROM hnsw_ddl WHERE vector_norm(v) > 0 ORDER BY v <=> '[1,2,3,4]'$$);
BEGIN;
CREATE INDEX CONCURRENTLY hnsw_ddl_cic2 ON hnsw_ddl USING hnsw (v);
ROLLBACK;
DROP INDEX CONCURRENTLY hnsw_ddl_cic;

-- partial index: used when the query implies its predicate
CREATE INDEX hnsw_ddl_part ON hnsw_ddl USING hnsw (v vector_l1_ops) WHERE id % 2 = 0;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_ddl_part');
SELECT count(*) FROM hnsw_ddl WHERE id % 2 = 0 AND v IS NOT NULL;
SELECT * FROM hnsw_ddl_same($$SELECT id, v <+> '[1,2,3,4]' AS d FROM hnsw_ddl WHERE id % 2 = 0 AND v IS NOT NULL ORDER BY v <+> '[1,2,3,4]'$$);
SET enable_seqscan = off;
SELECT * FROM vx_plan($$SELECT id FROM hnsw_ddl WHERE id % 2 = 0 ORDER BY v <+> '[1,2,3,4]' LIMIT 3$$);
SELECT * FROM vx_plan($$SELECT id FROM hnsw_ddl ORDER BY v <+> '[1,2,3,4]' LIMIT 3$$);
RESET enable_seqscan;
INSERT INTO hnsw_ddl VALUES (2000, '[1,2,3,4]'), (2001, '[1,2,3,4]');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_ddl_part');
DROP INDEX hnsw_ddl_part;

-- expression index
-- (an expression without a typmod has no dimensions)
CREATE INDEX hnsw_ddl_expr ON hnsw_ddl USING hnsw ((v * '[2,2,2,2]'::vector) vector_ip_ops);
CREATE INDEX hnsw_ddl_expr ON hnsw_ddl USING hnsw (((v * '[2,2,2,2]')::vector(4)) vector_ip_ops);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_ddl_expr');
SELECT * FROM hnsw_ddl_same($$SELECT id, (v * '[2,2,2,2]')::vector(4) <#> '[1,-2,3,-4]' AS d FROM hnsw_ddl WHERE v IS NOT NULL ORDER BY (v * '[2,2,2,2]')::vector(4) <#> '[1,-2,3,-4]'$$);
CREATE INDEX hnsw_ddl_expr2 ON hnsw_ddl USING hnsw ((subvector(v, 1, 2)::vector(2)));
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_ddl_expr2');
-- (2-d integer points repeat, so rows tie at the LIMIT: compare distances)
SELECT index_used, nrows, same_distances FROM hnsw_ddl_same($$SELECT id, subvector(v, 1, 2)::vector(2) <-> '[3,-3]' AS d FROM hnsw_ddl WHERE v IS NOT NULL ORDER BY subvector(v, 1, 2)::vector(2) <-> '[3,-3]' LIMIT 10$$);
DROP TABLE hnsw_ddl;

-- unlogged table: the init fork holds a valid empty index
CREATE UNLOGGED TABLE hnsw_ddl_unlogged (id int, v vector(4));
CREATE INDEX hnsw_ddl_unlogged_idx ON hnsw_ddl_unlogged USING hnsw (v);
SELECT relpersistence FROM pg_class WHERE oid = 'hnsw_ddl_unlogged_idx'::regclass;
SELECT pg_relation_size('hnsw_ddl_unlogged_idx', 'init') > 0 AS has_init_fork;
INSERT INTO hnsw_ddl_unlogged SELECT i, ARRAY[i, i % 3, i % 5, 1]::vector FROM generate_series(1, 100) i;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_ddl_unlogged_idx');
SET enable_seqscan = off;
SELECT id FROM hnsw_ddl_unlogged ORDER BY v <-> '[50,0.9,1.9,1]' LIMIT 3;
RESET enable_seqscan;
ALTER TABLE hnsw_ddl_unlogged SET LOGGED;
SELECT relpersistence FROM pg_class WHERE oid = 'hnsw_ddl_unlogged_idx'::regclass;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_ddl_unlogged_idx');
DROP TABLE hnsw_ddl_unlogged;

-- partitioned table: the index is created on each partition
CREATE TABLE hnsw_ddl_parted (id int, v vector(3)) PARTITION BY RANGE (id);
CREATE TABLE hnsw_ddl_p1 PARTITION OF hnsw_ddl_parted FOR VALUES FROM (0) TO (100);
CREATE TABLE hnsw_ddl_p2 PARTITION OF hnsw_ddl_parted FOR VALUES FROM (100) TO (200);
INSERT INTO hnsw_ddl_parted SELECT i, ARRAY[i, 200 - i, i % 7]::vector FROM generate_series(0, 149) i;
CREATE INDEX hnsw_ddl_parted_idx ON hnsw_ddl_parted USING hnsw (v vector_l2_ops);
CREATE TABLE hnsw_ddl_p3 PARTITION OF hnsw_ddl_parted FOR VALUES FROM (200) TO (300);
INSERT INTO hnsw_ddl_parted SELECT i, ARRAY[i, 200 - i, i % 7]::vector FROM generate_series(150, 299) i;
SELECT c.relname, (vecidx_hnsw_check(c.oid)).nodes, (vecidx_hnsw_check(c.oid)).unreachable
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'hnsw_ddl_parted_idx'::regclass
ORDER BY c.relname;
SET enable_seqscan = off;
SELECT * FROM vx_plan($$SELECT id FROM hnsw_ddl_parted ORDER BY v <-> '[120,80,3]' LIMIT 5$$);
SELECT id, v <-> '[120.2,80.1,3]' AS d FROM hnsw_ddl_parted ORDER BY v <-> '[120.2,80.1,3]' LIMIT 5;
SELECT id FROM hnsw_ddl_parted WHERE id >= 200 ORDER BY v <-> '[120.2,80.1,3]' LIMIT 2;
RESET enable_seqscan;
DROP TABLE hnsw_ddl_parted;

DROP FUNCTION hnsw_ddl_same;
RESET hnsw.ef_search;
