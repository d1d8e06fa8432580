--
-- hnsw_reach: every indexed node stays reachable from the entry point, for
-- every opclass, down to the smallest m, and when rows arrive after the
-- build from outside the range the quantizer was trained on.  An unreachable node is a row that
-- no index scan can return, whatever hnsw.ef_search.
--
-- vecidx_hnsw_check(index, false) counts unreachable nodes without raising
-- (with heapallindexed it raises on the first live row it cannot reach).
--

-- the table and hnsw_reach_try: sql/include/reach_try.sql
\set ECHO none
\i sql/include/reach_try.sql
\set ECHO all

SELECT count(*) FROM hnsw_reach;
-- (m = 2 for every opclass and m = 3, 4 for vector_ip_ops: see
-- hnsw_reach_small_m)
SELECT * FROM hnsw_reach_all(ARRAY['vector_l2_ops', 'vector_l2_ops', 'vector_l2_ops', 'vector_ip_ops',
						   'vector_cosine_ops', 'vector_cosine_ops', 'vector_cosine_ops',
						   'vector_l1_ops', 'vector_l1_ops', 'vector_l1_ops'],
						   ARRAY[3, 4, 8, 8, 3, 4, 8, 3, 4, 8]);

DROP FUNCTION hnsw_reach_all;
DROP FUNCTION hnsw_reach_try;
DROP TABLE hnsw_reach;

-- rows inserted after the build far outside the range the quantizer was
-- trained on (data drift) stay reachable: a scan with ef_search above the
-- table size returns all of them
CREATE TABLE hnsw_drift (id int, v vector(4));
SELECT setseed(0.9);
INSERT INTO hnsw_drift SELECT i, ARRAY(SELECT random() FROM generate_series(1, 4) WHERE i > 0)::vector
	FROM generate_series(1, 300) i;
CREATE INDEX hnsw_drift_l2 ON hnsw_drift USING hnsw (v vector_l2_ops);
CREATE INDEX hnsw_drift_ip ON hnsw_drift USING hnsw (v vector_ip_ops);
CREATE INDEX hnsw_drift_cos ON hnsw_drift USING hnsw (v vector_cosine_ops);
CREATE INDEX hnsw_drift_l1 ON hnsw_drift USING hnsw (v vector_l1_ops);
INSERT INTO hnsw_drift SELECT i, ARRAY(SELECT 100 + random() * 100 FROM generate_series(1, 4) WHERE i > 0)::vector
	FROM generate_series(301, 400) i;
INSERT INTO hnsw_drift SELECT i, ARRAY(SELECT -1e6 * random() FROM generate_series(1, 4) WHERE i > 0)::vector
	FROM generate_series(401, 450) i;
SELECT c.relname, (vecidx_hnsw_check(c.oid, false)).nodes,
	(vecidx_hnsw_check(c.oid, false)).unreachable = 0 AS all_reachable
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = 'hnsw_drift'::regclass
ORDER BY c.relname;
SET enable_seqscan = off;
SET hnsw.ef_search = 1000;
SELECT count(*) FROM (SELECT id FROM hnsw_drift ORDER BY v <-> '[150,150,150,150]') s;
SELECT count(*) FROM (SELECT id FROM hnsw_drift ORDER BY v <#> '[150,150,150,150]') s;
SELECT count(*) FROM (SELECT id FROM hnsw_drift ORDER BY v <=> '[150,150,150,150]') s;
SELECT count(*) FROM (SELECT id FROM hnsw_drift ORDER BY v <+> '[150,150,150,150]') s;
RESET enable_seqscan;
RESET hnsw.ef_search;
DROP TABLE hnsw_drift;

-- many identical vectors, at build and inserted later
CREATE TABLE hnsw_same (id serial, v vector(3));
INSERT INTO hnsw_same (v) SELECT '[1,2,3]' FROM generate_series(1, 500);
CREATE INDEX hnsw_same_l2 ON hnsw_same USING hnsw (v vector_l2_ops);
SELECT nodes, unreachable = 0 AS all_reachable FROM vecidx_hnsw_check('hnsw_same_l2', false);
INSERT INTO hnsw_same (v) SELECT '[1,2,3]' FROM generate_series(1, 500);
SELECT nodes, unreachable = 0 AS all_reachable FROM vecidx_hnsw_check('hnsw_same_l2', false);
SET enable_seqscan = off;
SET hnsw.ef_search = 10000;
SELECT count(*) FROM (SELECT id FROM hnsw_same ORDER BY v <-> '[1,2,3]') s;
SELECT count(*) FROM (SELECT id FROM hnsw_same ORDER BY v <-> '[3,2,1]') s;
RESET hnsw.ef_search;
SELECT count(*) FROM (SELECT id FROM hnsw_same ORDER BY v <-> '[1,2,3]' LIMIT 10) s;
RESET enable_seqscan;
DROP TABLE hnsw_same;
