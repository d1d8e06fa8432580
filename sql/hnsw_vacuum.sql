--
-- hnsw_vacuum: deleted rows never come back from an index scan; after
-- VACUUM the index holds as many live nodes as the table has rows, the graph
-- stays searchable, and inserts after a VACUUM that emptied the table build
-- a working graph again.
--

CREATE TABLE hnsw_vac (id serial, v vector(8));
SELECT setseed(0.95);
INSERT INTO hnsw_vac (v)
	SELECT ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)::vector
	FROM generate_series(1, 1000) i;
CREATE INDEX hnsw_vac_l2 ON hnsw_vac USING hnsw (v vector_l2_ops);
CREATE INDEX hnsw_vac_cos ON hnsw_vac USING hnsw (v vector_cosine_ops);

-- deleted rows are not returned, before and after VACUUM (which either marks
-- their nodes deleted or unlinks and frees them: "live" is nodes - deleted)
DELETE FROM hnsw_vac WHERE id % 3 = 0;
SET enable_seqscan = off;
SET hnsw.ef_search = 10000;
SELECT count(*), count(*) FILTER (WHERE id % 3 = 0) AS deleted_rows
	FROM (SELECT id FROM hnsw_vac ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') s;
VACUUM (INDEX_CLEANUP ON) hnsw_vac;
SELECT nodes - deleted AS live, unreachable FROM vecidx_hnsw_check('hnsw_vac_l2');
SELECT nodes - deleted AS live, unreachable FROM vecidx_hnsw_check('hnsw_vac_cos');
SELECT count(*), count(*) FILTER (WHERE id % 3 = 0) AS deleted_rows
	FROM (SELECT id FROM hnsw_vac ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') s;
SELECT count(*), count(*) FILTER (WHERE id % 3 = 0) AS deleted_rows
	FROM (SELECT id FROM hnsw_vac ORDER BY v <=> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') s;

-- updates: the new version is indexed, the old one goes with VACUUM
UPDATE hnsw_vac SET v = '[9,9,9,9,9,9,9,9]' WHERE id = 1;
SELECT id FROM hnsw_vac ORDER BY v <-> '[9,9,9,9,9,9,9,9]' LIMIT 1;
VACUUM (INDEX_CLEANUP ON) hnsw_vac;
SELECT nodes - deleted AS live, unreachable FROM vecidx_hnsw_check('hnsw_vac_l2');
SELECT count(*) FROM (SELECT id FROM hnsw_vac ORDER BY v <-> '[9,9,9,9,9,9,9,9]') s WHERE id = 1;

-- a plain VACUUM (index cleanup may be skipped) leaves a valid index too
DELETE FROM hnsw_vac WHERE id % 7 = 0;
VACUUM hnsw_vac;
SELECT unreachable FROM vecidx_hnsw_check('hnsw_vac_l2');
SELECT count(*) = (SELECT count(*) FROM hnsw_vac) AS all_live_rows
	FROM (SELECT id FROM hnsw_vac ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') s;

-- every row deleted and vacuumed: scans return nothing, inserts start over
DELETE FROM hnsw_vac;
VACUUM (INDEX_CLEANUP ON) hnsw_vac;
-- (edges counts live and deleted nodes' pointers, not free slots' stale lists)
SELECT nodes - deleted AS live, edges, unreachable FROM vecidx_hnsw_check('hnsw_vac_l2');
SELECT count(*) FROM (SELECT id FROM hnsw_vac ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]' LIMIT 5) s;
SELECT setseed(0.96);
INSERT INTO hnsw_vac (v)
	SELECT ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)::vector
	FROM generate_series(1, 500) i;
SELECT nodes - deleted AS live, unreachable FROM vecidx_hnsw_check('hnsw_vac_l2');
SELECT nodes - deleted AS live, unreachable FROM vecidx_hnsw_check('hnsw_vac_cos');
SELECT count(*) FROM (SELECT id FROM hnsw_vac ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') s;
SELECT count(*) FROM (SELECT id FROM hnsw_vac ORDER BY v <=> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') s;

-- most rows deleted: with iterative scans a LIMIT is still met through
-- the deleted nodes
DELETE FROM hnsw_vac WHERE id % 10 <> 0;
VACUUM (INDEX_CLEANUP ON) hnsw_vac;
SELECT count(*) FROM hnsw_vac;
RESET hnsw.ef_search;
SELECT count(*) <= 10 AS at_most_ten FROM (SELECT id FROM hnsw_vac ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]' LIMIT 10) s;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*) FROM (SELECT id FROM hnsw_vac ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]' LIMIT 10) s;
RESET hnsw.iterative_scan;
RESET enable_seqscan;

-- REINDEX drops the deleted nodes
REINDEX INDEX hnsw_vac_l2;
SELECT nodes - deleted AS live, unreachable FROM vecidx_hnsw_check('hnsw_vac_l2');

DROP TABLE hnsw_vac;
