--
-- hnsw_reach_small_m: with the smallest m, and with m up to 4 for
-- vector_ip_ops, every node of a freshly built index stays reachable from
-- the entry point over layer-0 edges, so a scan with hnsw.ef_search above
-- the table size returns every row.  (Before 6053bd1 some nodes were not:
-- every run for vector_ip_ops, now and then for m = 2 with the others.)
--
-- vecidx_hnsw_check(index, false) counts unreachable nodes without raising.
--

-- the table and hnsw_reach_try: sql/include/reach_try.sql
\set ECHO none
\i sql/include/reach_try.sql
\set ECHO all

SELECT count(*) FROM hnsw_reach;
SELECT * FROM hnsw_reach_all(ARRAY['vector_l2_ops', 'vector_ip_ops', 'vector_ip_ops', 'vector_ip_ops',
						   'vector_cosine_ops', 'vector_l1_ops'],
						   ARRAY[2, 2, 3, 4, 2, 2]);

DROP FUNCTION hnsw_reach_all;
DROP FUNCTION hnsw_reach_try;
DROP TABLE hnsw_reach;
