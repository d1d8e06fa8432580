--
-- hnsw_stats: an index scan counts in pg_stat_user_indexes.idx_scan (and in
-- 18's EXPLAIN "Index Searches"), so monitoring shows the index in use
--
CREATE TABLE hnsw_stats (id int, v vector(3));
INSERT INTO hnsw_stats SELECT i, ARRAY[i, i % 7, i % 3] FROM generate_series(1, 200) i;
CREATE INDEX hnsw_stats_idx ON hnsw_stats USING hnsw (v vector_l2_ops);
SELECT pg_stat_force_next_flush();
SELECT idx_scan AS scans_before FROM pg_stat_user_indexes WHERE indexrelname = 'hnsw_stats_idx' \gset
SET enable_seqscan = off;
SELECT id FROM hnsw_stats ORDER BY v <-> '[10,3,1]' LIMIT 3;
SELECT id FROM hnsw_stats ORDER BY v <-> '[50,1,2]' LIMIT 3;
RESET enable_seqscan;
SELECT pg_stat_force_next_flush();
SELECT idx_scan - :scans_before AS new_scans
FROM pg_stat_user_indexes WHERE indexrelname = 'hnsw_stats_idx';
DROP TABLE hnsw_stats;
