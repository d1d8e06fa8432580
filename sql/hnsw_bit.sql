--
-- hnsw_bit: the hnsw operator classes of bit (bit_hamming_ops,
-- bit_jaccard_ops).  The graph holds the bits themselves (the BITS codec):
-- every distance the index computes is the operator's own, so a scan
-- returns exact values and the executor rechecks nothing.
--
-- As in hnsw_halfvec, only properties that hold for any graph are asserted:
-- with hnsw.ef_search above the table size a search visits every reachable
-- node, and vecidx_hnsw_check requires every live row to be reachable, so
-- the index must return exactly the rows an exact sort returns, in the same
-- distance order (Hamming distances tie a lot: the id sets are compared
-- without the rows tied at a LIMIT, vx_knn_cmp).
--

\set ECHO none
\i sql/include/plan.sql
\i sql/include/knn_compare.sql
\set ECHO all

-- the operator classes (no default for bit, as pgvector), valid
SELECT * FROM vx_hnsw_opclasses('bit');

-- random bit strings of n bits (row i of a fixed seed)
CREATE FUNCTION hnsw_bit_rand(n int, i int) RETURNS bit varying
LANGUAGE sql VOLATILE AS $$
	SELECT string_agg(CASE WHEN random() < 0.5 THEN '1' ELSE '0' END, '')::varbit
	FROM generate_series(1, n) WHERE i > 0
$$;

-- every query of hnsw_bit_q of the right length against the exact sort
-- (vx_knn_all, with length(q) = n as its query filter)
CREATE TABLE hnsw_bit_q (qid int, q varbit);

SET hnsw.ef_search = 400;
SELECT setseed(0.25);

--
-- bit(64): build on 250 rows, then 50 more rows, an all-zero row, an
-- all-one row and a NULL through the insert path
--
CREATE TABLE hnsw_bit64 (id int, v bit(64));
INSERT INTO hnsw_bit64 SELECT i, hnsw_bit_rand(64, i)::bit(64) FROM generate_series(1, 250) i;
INSERT INTO hnsw_bit_q SELECT i, hnsw_bit_rand(64, i) FROM generate_series(1, 10) i;
-- a row of the table itself (distance 0), and the all-zero string (Jaccard
-- distance 1 to every row)
INSERT INTO hnsw_bit_q SELECT 100, v::varbit FROM hnsw_bit64 WHERE id = 17;
INSERT INTO hnsw_bit_q VALUES (101, repeat('0', 64)::varbit);
CREATE INDEX hnsw_bit64_ham ON hnsw_bit64 USING hnsw (v bit_hamming_ops);
CREATE INDEX hnsw_bit64_jac ON hnsw_bit64 USING hnsw (v bit_jaccard_ops);
INSERT INTO hnsw_bit64 SELECT i, hnsw_bit_rand(64, i)::bit(64) FROM generate_series(251, 300) i;
INSERT INTO hnsw_bit64 VALUES (301, repeat('0', 64)::bit(64)), (302, repeat('1', 64)::bit(64)),
	(303, NULL);

-- the index answers each operator with its own class, without recheck
SET enable_seqscan = off;
SELECT * FROM vx_plan('SELECT id FROM hnsw_bit64 ORDER BY v <~> repeat(''1'', 64)::bit(64) LIMIT 5');
SELECT * FROM vx_plan('SELECT id FROM hnsw_bit64 ORDER BY v <%> repeat(''1'', 64)::bit(64) LIMIT 5');
SELECT id, v <~> repeat('1', 64)::bit(64) AS d
FROM hnsw_bit64 ORDER BY v <~> repeat('1', 64)::bit(64) LIMIT 1;
SELECT id, v <%> repeat('1', 64)::bit(64) AS d
FROM hnsw_bit64 ORDER BY v <%> repeat('1', 64)::bit(64) LIMIT 1;
-- NULLs are not indexed: 302 rows; a NULL query returns every indexed row
SELECT count(*) AS hamming_rows FROM (SELECT id FROM hnsw_bit64 ORDER BY v <~> repeat('1', 64)::bit(64)) s;
SELECT count(*) AS null_query_rows FROM (SELECT id FROM hnsw_bit64 ORDER BY v <%> (SELECT NULL::bit)) s;
RESET enable_seqscan;

-- index results equal the exact sort
SELECT * FROM vx_knn_all('hnsw_bit_q', 'hnsw_bit64', 'bit(64)', '<~>', 'v IS NOT NULL', 'length(q) = 64');
SELECT * FROM vx_knn_all('hnsw_bit_q', 'hnsw_bit64', 'bit(64)', '<%>', 'v IS NOT NULL', 'length(q) = 64');

-- the graphs are sound and hold every row they should
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_bit64_ham', true);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_bit64_jac', true);

-- a filter, exact at an ef_search above the table size; at a small
-- ef_search further batches bring every row
SELECT * FROM vx_knn_all('hnsw_bit_q', 'hnsw_bit64', 'bit(64)', '<~>', 'id % 7 = 0', 'length(q) = 64');
SET hnsw.ef_search = 10;
SET hnsw.iterative_scan = relaxed_order;
SELECT sum(c.index_rows) AS index_rows, sum(c.seq_rows) AS seq_rows,
	   bool_and(c.same_ids) AS same_ids
FROM hnsw_bit_q, lateral vx_knn_cmp('hnsw_bit64', 'bit(64)', '<%>', q::text, NULL, 'id % 7 = 0') c
WHERE length(q) = 64;
RESET hnsw.iterative_scan;
SET hnsw.ef_search = 400;

-- delete, vacuum, check: still exact; then insert into the freed slots
DELETE FROM hnsw_bit64 WHERE id % 5 = 0;
VACUUM hnsw_bit64;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_bit64_ham', true);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_bit64_jac', true);
SELECT * FROM vx_knn_all('hnsw_bit_q', 'hnsw_bit64', 'bit(64)', '<~>', 'v IS NOT NULL', 'length(q) = 64');
SELECT * FROM vx_knn_all('hnsw_bit_q', 'hnsw_bit64', 'bit(64)', '<%>', 'v IS NOT NULL', 'length(q) = 64');
INSERT INTO hnsw_bit64 SELECT i, hnsw_bit_rand(64, i)::bit(64) FROM generate_series(401, 440) i;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_bit64_ham', true);
SELECT * FROM vx_knn_all('hnsw_bit_q', 'hnsw_bit64', 'bit(64)', '<~>', 'v IS NOT NULL', 'length(q) = 64');

-- a query of another length: the operator's message
SET enable_seqscan = off;
SELECT id FROM hnsw_bit64 ORDER BY v <~> B'101' LIMIT 1;
SELECT id FROM hnsw_bit64 ORDER BY v <%> B'101' LIMIT 1;
RESET enable_seqscan;
DROP TABLE hnsw_bit64;

--
-- other lengths: 1 bit, 9 bits (a padded last byte), 1,000 bits; built on
-- an empty table, every row through the insert path
--
INSERT INTO hnsw_bit_q SELECT 200 + i, hnsw_bit_rand(9, i) FROM generate_series(1, 6) i;
INSERT INTO hnsw_bit_q SELECT 300 + i, hnsw_bit_rand(1000, i) FROM generate_series(1, 4) i;
INSERT INTO hnsw_bit_q VALUES (400, B'0'), (401, B'1');
CREATE TABLE hnsw_bit9 (id int, v bit(9));
CREATE INDEX hnsw_bit9_ham ON hnsw_bit9 USING hnsw (v bit_hamming_ops);
CREATE INDEX hnsw_bit9_jac ON hnsw_bit9 USING hnsw (v bit_jaccard_ops);
INSERT INTO hnsw_bit9 SELECT i, hnsw_bit_rand(9, i)::bit(9) FROM generate_series(1, 200) i;
SELECT * FROM vx_knn_all('hnsw_bit_q', 'hnsw_bit9', 'bit(9)', '<~>', 'v IS NOT NULL', 'length(q) = 9');
SELECT * FROM vx_knn_all('hnsw_bit_q', 'hnsw_bit9', 'bit(9)', '<%>', 'v IS NOT NULL', 'length(q) = 9');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_bit9_jac', true);
DROP TABLE hnsw_bit9;
CREATE TABLE hnsw_bit1 (id int, v bit(1));
INSERT INTO hnsw_bit1 SELECT i, (i % 2)::bit(1) FROM generate_series(1, 20) i;
CREATE INDEX hnsw_bit1_ham ON hnsw_bit1 USING hnsw (v bit_hamming_ops);
SELECT * FROM vx_knn_all('hnsw_bit_q', 'hnsw_bit1', 'bit(1)', '<~>', 'v IS NOT NULL', 'length(q) = 1');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_bit1_ham', true);
DROP TABLE hnsw_bit1;
CREATE TABLE hnsw_bit1000 (id int, v bit(1000));
INSERT INTO hnsw_bit1000 SELECT i, hnsw_bit_rand(1000, i)::bit(1000) FROM generate_series(1, 120) i;
CREATE INDEX hnsw_bit1000_jac ON hnsw_bit1000 USING hnsw (v bit_jaccard_ops) WITH (m = 4);
SELECT * FROM vx_knn_all('hnsw_bit_q', 'hnsw_bit1000', 'bit(1000)', '<%>', 'v IS NOT NULL', 'length(q) = 1000');
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_bit1000_jac', true);
DROP TABLE hnsw_bit1000;

--
-- expression index on binary_quantize, as pgvector's README has it (a
-- first pass to re-rank), for vector and halfvec
--
CREATE TABLE hnsw_bit_bq (id int, v vector(128), h halfvec(16));
INSERT INTO hnsw_bit_bq
	SELECT i, ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 128) WHERE i > 0),
		   ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 16) WHERE i > 0)
	FROM generate_series(1, 200) i;
CREATE INDEX hnsw_bit_bq_idx ON hnsw_bit_bq
	USING hnsw ((binary_quantize(v)::bit(128)) bit_hamming_ops);
CREATE INDEX hnsw_bit_bq_h ON hnsw_bit_bq
	USING hnsw ((binary_quantize(h)::bit(16)) bit_jaccard_ops);
INSERT INTO hnsw_bit_bq VALUES (201, array_fill(0.5, ARRAY[128]), array_fill(0.5, ARRAY[16]));
SET enable_seqscan = off;
SELECT * FROM vx_plan('SELECT id FROM hnsw_bit_bq ORDER BY binary_quantize(v)::bit(128) <~> binary_quantize(array_fill(1, ARRAY[128])::vector)::bit(128) LIMIT 5');
SELECT id, binary_quantize(v)::bit(128) <~> binary_quantize(array_fill(1, ARRAY[128])::vector)::bit(128) AS d
FROM hnsw_bit_bq
ORDER BY binary_quantize(v)::bit(128) <~> binary_quantize(array_fill(1, ARRAY[128])::vector)::bit(128)
LIMIT 1;
SELECT id, binary_quantize(h)::bit(16) <%> binary_quantize(array_fill(1, ARRAY[16])::halfvec)::bit(16) AS d
FROM hnsw_bit_bq
ORDER BY binary_quantize(h)::bit(16) <%> binary_quantize(array_fill(1, ARRAY[16])::halfvec)::bit(16)
LIMIT 1;
-- the whole order against the exact sort
CREATE TEMP TABLE hnsw_bit_bq_order AS
	SELECT row_number() OVER () AS n, d FROM (
		SELECT binary_quantize(v)::bit(128) <~> binary_quantize(array_fill(1, ARRAY[128])::vector)::bit(128) AS d
		FROM hnsw_bit_bq
		ORDER BY binary_quantize(v)::bit(128) <~> binary_quantize(array_fill(1, ARRAY[128])::vector)::bit(128)) s;
RESET enable_seqscan;
SET enable_indexscan = off;
SELECT count(*) AS rows, count(*) FILTER (WHERE o.d IS DISTINCT FROM s.d) AS differ
FROM hnsw_bit_bq_order o FULL JOIN (
	SELECT row_number() OVER () AS n, d FROM (
		SELECT binary_quantize(v)::bit(128) <~> binary_quantize(array_fill(1, ARRAY[128])::vector)::bit(128) AS d
		FROM hnsw_bit_bq
		ORDER BY binary_quantize(v)::bit(128) <~> binary_quantize(array_fill(1, ARRAY[128])::vector)::bit(128)) s2
	) s USING (n);
RESET enable_indexscan;
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_bit_bq_idx', true);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_bit_bq_h', true);
DROP TABLE hnsw_bit_bq;

--
-- refusals: a varbit column (no fixed length; index an expression) and the
-- page's limit (63,520 bits at m = 16; pgvector: 64,000)
--
CREATE TABLE hnsw_bit_dims (v varbit(3));
CREATE INDEX ON hnsw_bit_dims USING hnsw (v bit_hamming_ops);
CREATE INDEX ON hnsw_bit_dims USING hnsw ((v::bit(3)) bit_hamming_ops);
CREATE INDEX ON hnsw_bit_dims USING hnsw ((v::bit(63521)) bit_hamming_ops);
DROP TABLE hnsw_bit_dims;
CREATE TABLE hnsw_bit_dims (v bit(63520));
CREATE INDEX ON hnsw_bit_dims USING hnsw (v bit_hamming_ops);
INSERT INTO hnsw_bit_dims SELECT repeat('10', 31760)::bit(63520) FROM generate_series(1, 3);
SELECT nodes, deleted, unreachable FROM vecidx_hnsw_check('hnsw_bit_dims_v_idx', true);
DROP TABLE hnsw_bit_dims;
CREATE TABLE hnsw_bit_dims (v bit(63521));
CREATE INDEX ON hnsw_bit_dims USING hnsw (v bit_hamming_ops);
-- a smaller m leaves room for more bits
CREATE INDEX ON hnsw_bit_dims USING hnsw (v bit_hamming_ops) WITH (m = 8);
DROP TABLE hnsw_bit_dims;
-- quantization changes nothing for bits (there is nothing to quantize):
-- every byte value, every query exact
CREATE TABLE hnsw_bit_dims (id int, v bit(8));
INSERT INTO hnsw_bit_dims SELECT i, i::bit(8) FROM generate_series(0, 255) i;
CREATE INDEX ON hnsw_bit_dims USING hnsw (v bit_jaccard_ops) WITH (quantization = none);
CREATE INDEX ON hnsw_bit_dims USING hnsw (v bit_hamming_ops) WITH (quantization = int8);
SELECT count(*) AS queries,
	   count(*) FILTER (WHERE NOT c.same_distances OR NOT c.same_ids) AS jaccard_differ,
	   count(*) FILTER (WHERE NOT h.same_distances OR NOT h.same_ids) AS hamming_differ
FROM generate_series(0, 255, 17) q,
	 lateral vx_knn_cmp('hnsw_bit_dims', 'bit(8)', '<%>', q::bit(8)::text) c,
	 lateral vx_knn_cmp('hnsw_bit_dims', 'bit(8)', '<~>', q::bit(8)::text) h;
DROP TABLE hnsw_bit_dims;

DROP FUNCTION hnsw_bit_rand;
DROP TABLE hnsw_bit_q;
RESET hnsw.ef_search;
