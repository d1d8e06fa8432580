-- Index scans reuse one set of search arrays per backend (hnswsearch.c,
-- vx_disk_graph_init_scan): scans that run at the same time (nested,
-- cursors), scans after an error inside the transaction, and rescans must
-- each get arrays of their own and return the exact answers.
SELECT setseed(0.42);
CREATE TABLE reuse (id int, v vector(8));
INSERT INTO reuse SELECT i, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)
	FROM generate_series(1, 500) i;
CREATE INDEX reuse_idx ON reuse USING hnsw (v vector_l2_ops);
SET hnsw.ef_search = 400;

-- exact answers, by sequential scan
SET enable_indexscan = off;
SET enable_bitmapscan = off;
CREATE TEMP TABLE exact_nn AS
	SELECT a.id, ARRAY(SELECT b.id FROM reuse b ORDER BY b.v <-> a.v, b.id LIMIT 5) AS nn
	FROM reuse a WHERE a.id <= 40 OR a.id IN
		(SELECT id FROM reuse ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]' LIMIT 40);
RESET enable_indexscan;
RESET enable_bitmapscan;
SET enable_seqscan = off;

-- nested: the outer index scan stays open while the inner one is rescanned
-- for each of its rows; at ef_search 10 the outer scan walks the graph
-- again for each further batch, after inner scans ran.  Its rows and the
-- inner answers must be what the same scans give one at a time.
SET hnsw.ef_search = 10;
CREATE TEMP TABLE outer_alone AS
	SELECT row_number() OVER () AS n, id, v
	FROM (SELECT id, v FROM reuse ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]' LIMIT 60) o;
CREATE TEMP TABLE nested_alone AS
	SELECT n, id, ARRAY(SELECT b.id FROM reuse b ORDER BY b.v <-> o.v LIMIT 5) AS nn
	FROM outer_alone o;
EXPLAIN (COSTS OFF)
SELECT o.id, ARRAY(SELECT b.id FROM reuse b ORDER BY b.v <-> o.v LIMIT 5) AS nn
FROM (SELECT id, v FROM reuse ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]' LIMIT 60) o;
SELECT count(*) AS rows, count(*) FILTER (WHERE a.id = x.id AND a.nn = x.nn) AS same
FROM nested_alone a JOIN
	(SELECT row_number() OVER () AS n, id, nn
	 FROM (SELECT o.id, ARRAY(SELECT b.id FROM reuse b ORDER BY b.v <-> o.v LIMIT 5) AS nn
		   FROM (SELECT id, v FROM reuse ORDER BY v <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]' LIMIT 60) o) y) x
	USING (n);
SET hnsw.ef_search = 400;
SELECT count(*) AS rows, count(*) FILTER (WHERE e.nn = x.nn) AS exact
FROM (SELECT * FROM exact_nn WHERE id <= 40) e,
	LATERAL (SELECT ARRAY(SELECT b.id FROM reuse b ORDER BY b.v <-> (SELECT v FROM reuse WHERE id = e.id) LIMIT 5) AS nn) x;

-- a cursor holds a scan open while other scans run
BEGIN;
DECLARE c CURSOR FOR SELECT id FROM reuse ORDER BY v <-> (SELECT v FROM reuse WHERE id = 7);
FETCH 3 FROM c;
SELECT array_agg(id) = (SELECT nn FROM exact_nn WHERE id = 8) AS exact
FROM (SELECT id FROM reuse ORDER BY v <-> (SELECT v FROM reuse WHERE id = 8) LIMIT 5) s;
FETCH 2 FROM c;
SELECT ARRAY[7] || ARRAY(SELECT id FROM (SELECT id FROM reuse ORDER BY v <-> (SELECT v FROM reuse WHERE id = 7) LIMIT 5) s OFFSET 1) =
	(SELECT nn FROM exact_nn WHERE id = 7) AS exact;
CLOSE c;
COMMIT;

-- an error in the middle of a scan, caught by a savepoint: later scans in
-- the same transaction and after it are exact
BEGIN;
SAVEPOINT s;
SELECT id, 1 / (id - (SELECT nn[3] FROM exact_nn WHERE id = 9)) FROM reuse
	ORDER BY v <-> (SELECT v FROM reuse WHERE id = 9) LIMIT 5;
ROLLBACK TO SAVEPOINT s;
SELECT array_agg(id) = (SELECT nn FROM exact_nn WHERE id = 9) AS exact
FROM (SELECT id FROM reuse ORDER BY v <-> (SELECT v FROM reuse WHERE id = 9) LIMIT 5) s;
COMMIT;
SELECT array_agg(id) = (SELECT nn FROM exact_nn WHERE id = 10) AS exact
FROM (SELECT id FROM reuse ORDER BY v <-> (SELECT v FROM reuse WHERE id = 10) LIMIT 5) s;

-- a scan with an ef_search far above the table, then an ordinary one
SET hnsw.ef_search = 100000;
SELECT count(*) FROM (SELECT id FROM reuse ORDER BY v <-> '[0,0,0,0,0,0,0,0]' LIMIT 500) s;
SET hnsw.ef_search = 400;
SELECT array_agg(id) = (SELECT nn FROM exact_nn WHERE id = 11) AS exact
FROM (SELECT id FROM reuse ORDER BY v <-> (SELECT v FROM reuse WHERE id = 11) LIMIT 5) s;

DROP TABLE reuse;
