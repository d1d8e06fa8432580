-- sparsevec: text form, input checks and their order, wire format, casts,
-- distances against the dense ones, norms, comparison order and btree

-- text form: 1-based indices sorted on input, zeros dropped, the shortest
-- float that reads back, blanks and signs allowed around every token
SELECT '{7:2,1:0.5}/10'::sparsevec;
SELECT '{1:0.1,2:3.14159274,3:-0,4:0}/4'::sparsevec;
SELECT E'\t{ +2 : -1e-3 ,1:1e30 }\n/ +3 '::sparsevec;
SELECT '{1:1.4e-45,2:3.4028235e38}/2'::sparsevec;
-- a zero element is dropped before its index is checked
SELECT '{0:0,5:0}/1'::sparsevec;
-- the largest dimension, and an element at its last index
SELECT '{1000000000:1}/1000000000'::sparsevec;
SELECT '{}/1000000000'::sparsevec(1000000000);
SELECT format_type('sparsevec'::regtype, 3), '{}/3'::sparsevec(3);

-- errors: syntax, values, dimensions, then (after sorting) each index
SELECT '[1,2]'::sparsevec;
SELECT '{1:1}'::sparsevec;
SELECT '{1:1}/3 4'::sparsevec;
SELECT '{1;1}/3'::sparsevec;
SELECT '{1:1 2:1}/3'::sparsevec;
SELECT '{1:1}/x'::sparsevec;
SELECT '{1:4e38}/3'::sparsevec;
SELECT '{1:1e-50}/3'::sparsevec;
SELECT '{1:nan}/3'::sparsevec;
SELECT '{1:-inf}/3'::sparsevec;
SELECT '{1:1}/0'::sparsevec;
SELECT '{1:1}/3'::sparsevec(2);
-- a syntax error after a bad index still wins: indices are checked last
SELECT '{9:1,x}/3'::sparsevec;
-- sorted first: the lowest bad index decides which error is raised
SELECT '{3:1,2:1,3:1,9:1}/3'::sparsevec;
SELECT '{9:1,2:1,2:1}/3'::sparsevec;
SELECT '{0:1,2:1,2:1}/3'::sparsevec;
SELECT '{2:1,1:2,2:-1}/3'::sparsevec;
-- the non-zero limit counts elements (commas), zero or not, before parsing
SELECT '{' || string_agg(i || ':0', ',') || '}/20000' AS lit
FROM generate_series(1, 16001) i \gset
SELECT :'lit'::sparsevec;
SELECT '{' || string_agg(i || ':1', ',') || '}/20000' AS lit
FROM generate_series(1, 16000) i \gset
SELECT l2_norm(:'lit'::sparsevec);

-- type modifier
SELECT '{}/3'::sparsevec(0);
SELECT '{}/3'::sparsevec(1000000001);
SELECT '{}/3'::sparsevec(2, 3);

-- wire format: int32 dim, int32 nnz, int32 unused, nnz int32 0-based
-- indices, nnz float4 values, network byte order
SELECT sparsevec_send('{1:1,3:-2}/5');
SELECT sparsevec_send('{}/1000000000');

-- binary COPY round trip keeps every bit.  Files go to the server's data
-- directory, which belongs to the throwaway test cluster.
SELECT current_setting('data_directory') || '/vecidx_sparsevec_type.bin' AS binfile \gset
CREATE TABLE sv_src (id int, v sparsevec);
INSERT INTO sv_src VALUES
	(1, '{1:1,3:-2}/5'), (2, '{}/7'), (3, NULL), (4, '{2:1.4e-45,4:3.4028235e38}/1000000000'),
	(5, (SELECT ('{' || string_agg(i || ':' || sin(i), ',') || '}/16000')::sparsevec
		 FROM generate_series(1, 16000) i));
COPY sv_src TO :'binfile' WITH (FORMAT binary);
CREATE TABLE sv_dst (id int, v sparsevec);
COPY sv_dst FROM :'binfile' WITH (FORMAT binary);
SELECT s.id, s.v IS NOT DISTINCT FROM d.v AS same,
       sparsevec_send(s.v) IS NOT DISTINCT FROM sparsevec_send(d.v) AS same_bytes
FROM sv_src s JOIN sv_dst d USING (id) ORDER BY id;
CREATE TABLE sv_typmod (id int, v sparsevec(5));
COPY sv_typmod FROM :'binfile' WITH (FORMAT binary);
DROP TABLE sv_src, sv_dst, sv_typmod;

-- Corrupt binary input.  A bytea column is written in binary COPY format as
-- its raw bytes, so the crafted bytes below reach sparsevec_recv unchanged
-- when the file is read back into a sparsevec column.
CREATE TABLE sv_raw (id int, b bytea);
INSERT INTO sv_raw VALUES
	(1, '\x00000005 00000002 00000000 00000000 00000002 3f800000 c0000000'),	-- control
	(2, '\x00000000 00000000 00000000'),						-- dim 0
	(3, '\x3b9aca01 00000000 00000000'),						-- dim 1e9 + 1
	(4, '\x00000005 ffffffff 00000000'),						-- negative nnz
	(5, '\x00ffffff 00003e81 00000000'),						-- nnz 16001
	(6, '\x00000002 00000003 00000000'),						-- nnz > dim
	(7, '\x00000005 00000000 00000001'),						-- unused
	(8, '\x00000005 00000001 00000000 00000005 3f800000'),		-- index = dim
	(9, '\x00000005 00000001 00000000 ffffffff 3f800000'),		-- index < 0
	(10, '\x00000005 00000002 00000000 00000002 00000001 3f800000 3f800000'), -- order
	(11, '\x00000005 00000002 00000000 00000001 00000001 3f800000 3f800000'), -- duplicate
	(12, '\x00000005 00000002 00000000 00000000 00000001 3f800000 00000000'), -- zero
	(13, '\x00000005 00000002 00000000 00000000 00000001 80000000 3f800000'), -- -0
	(14, '\x00000005 00000001 00000000 00000000 7fc00000'),		-- NaN
	(15, '\x00000005 00000001 00000000 00000000 ff800000'),		-- -Infinity
	(16, '\x00000005 00000002 00000000 00000000 00000001 3f800000'),	-- short
	(17, '\x00000005 00000000'),								-- short header
	(18, '\x00000005 00000000 00000000 00');					-- surplus byte
CREATE TABLE sv_in (v sparsevec);
CREATE TABLE sv_in3 (v sparsevec(3));
DO $$
DECLARE
	r record;
	f text := current_setting('data_directory') || '/vecidx_sparsevec_type.bin';
BEGIN
	FOR r IN SELECT id FROM sv_raw ORDER BY id LOOP
		EXECUTE format('COPY (SELECT b FROM sv_raw WHERE id = %s) TO %L WITH (FORMAT binary)', r.id, f);
		BEGIN
			EXECUTE format('COPY sv_in FROM %L WITH (FORMAT binary)', f);
			RAISE NOTICE 'case %: accepted', r.id;
		EXCEPTION WHEN OTHERS THEN
			RAISE NOTICE 'case %: % %', r.id, SQLSTATE, SQLERRM;
		END;
	END LOOP;
	-- the type modifier is checked after nnz and before unused
	EXECUTE format('COPY (SELECT b FROM sv_raw WHERE id = 1) TO %L WITH (FORMAT binary)', f);
	BEGIN
		EXECUTE format('COPY sv_in3 FROM %L WITH (FORMAT binary)', f);
	EXCEPTION WHEN OTHERS THEN
		RAISE NOTICE 'typmod: % %', SQLSTATE, SQLERRM;
	END;
END
$$;
SELECT * FROM sv_in;
DROP TABLE sv_raw, sv_in, sv_in3;

-- casts: to and from vector and halfvec, from arrays
SELECT '[0,1.5,0,-2]'::vector::sparsevec, '[0,0]'::vector::sparsevec;
SELECT '{2:1.5,4:-2}/4'::sparsevec::vector, '{}/2'::sparsevec::vector;
SELECT '[0,0.1,0,65504]'::halfvec::sparsevec;
SELECT '{2:0.1,3:70000}/3'::sparsevec::halfvec;
SELECT '{2:0.1,3:65519}/3'::sparsevec::halfvec;
SELECT '{16001:1}/16001'::sparsevec::vector;
SELECT '{1:1}/16001'::sparsevec::halfvec;
SELECT '[1,2]'::vector::sparsevec(3);
SELECT '{1:1}/2'::sparsevec::vector(3);
SELECT '{1:1}/2'::sparsevec::halfvec(3);
SELECT ARRAY[0,1,0,-3]::sparsevec, ARRAY[0,1e-50,2.5]::float8[]::sparsevec,
       ARRAY[0.25,0]::numeric[]::sparsevec, ARRAY[0,1]::real[]::sparsevec(2);
SELECT ARRAY[1e300]::float8[]::sparsevec;
SELECT ARRAY['NaN',1]::float8[]::sparsevec;
SELECT '{1,NULL}'::real[]::sparsevec;
SELECT '{{1,2}}'::real[]::sparsevec;
SELECT '{}'::real[]::sparsevec;
SELECT ARRAY[1,2]::sparsevec(3);
-- 16,001 non-zero elements do not fit; 16,001 with zeros among them do
SELECT array_fill(1, ARRAY[16001])::sparsevec;
SELECT l2_norm((array_fill(1, ARRAY[16000]) || 0)::sparsevec);
SELECT array_fill(1, ARRAY[16001])::vector::sparsevec;
-- implicit vector -> sparsevec and halfvec -> sparsevec in comparisons
SELECT '{1:1,2:2}/2'::sparsevec = '[1,2]'::vector, '{1:1}/2'::sparsevec = '[1,0]'::halfvec;

-- distances
SELECT '{1:3}/2'::sparsevec <-> '{2:4}/2', '{1:1,2:2}/2'::sparsevec <#> '{2:3}/2',
       '{1:1}/2'::sparsevec <=> '{1:-2}/2', '{1:1,3:-1}/3'::sparsevec <+> '{2:2,3:1}/3';
SELECT l2_distance('{1:1}/2'::sparsevec, '{1:1}/3');
SELECT inner_product('{1:1}/2'::sparsevec, '{1:1}/3');
SELECT cosine_distance('{1:1}/2'::sparsevec, '{}/2'), sparsevec_l2_squared_distance('{1:3}/2', '{2:4}/2'),
       sparsevec_negative_inner_product('{1:3}/2', '{1:4}/2');
-- every index interleaving, against the dense distances of the same values
CREATE TABLE sd AS
SELECT i, ('{' || string_agg(j || ':' || round(sin(i * 13 + j)::numeric, 3), ',' ORDER BY j)
		   FILTER (WHERE sin(i * 5 + j * 3) > 0.3) || '}/60')::sparsevec AS a,
		  ('{' || string_agg(j || ':' || round(cos(i * 7 + j)::numeric, 3), ',' ORDER BY j)
		   FILTER (WHERE cos(i * 11 + j * 2) > 0.2) || '}/60')::sparsevec AS b
FROM generate_series(1, 40) i, generate_series(1, 60) j GROUP BY i;
SET vecidx.simd = scalar;
SELECT count(*) AS pairs,
       max(abs((a <-> b) - (a::vector <-> b::vector))) < 1e-5 AS l2,
       max(abs((a <#> b) - (a::vector <#> b::vector))) < 1e-5 AS ip,
       max(abs((a <=> b) - (a::vector <=> b::vector))) < 1e-6 AS cos,
       max(abs((a <+> b) - (a::vector <+> b::vector))) < 1e-5 AS l1,
       max(abs(sparsevec_l2_squared_distance(a, b) - vector_l2_squared_distance(a::vector, b::vector))) < 1e-4 AS l2sq,
       max(abs((a <-> b) - (b <-> a)) + abs((a <#> b) - (b <#> a)) + abs((a <+> b) - (b <+> a))) = 0 AS symmetric,
       count(*) FILTER (WHERE a <-> a <> 0 OR a <+> a <> 0) AS self_nonzero
FROM sd;
RESET vecidx.simd;
DROP TABLE sd;

-- norms
SELECT l2_norm('{1:3,5:4}/5'::sparsevec), l2_norm('{}/5'::sparsevec), l2_norm('{1:3e38,2:3e38}/2'::sparsevec);
SELECT l2_normalize('{1:3,5:4}/5'::sparsevec), l2_normalize('{}/5'::sparsevec);
-- an element that underflows to zero is dropped
SELECT l2_normalize('{1:3e38,2:1e-37,3:-1e-37}/3'::sparsevec);
SELECT l2_normalize('{2:1.4e-45}/3'::sparsevec);

-- comparison: the order of the dense vectors (element by element, then the
-- shorter first), over every vector of 1..3 dimensions with elements -1, 0, 1
CREATE TABLE sc AS
SELECT row_number() OVER () AS id, v::sparsevec AS s, v AS d
FROM (SELECT ('[' || concat_ws(',', x, y, z) || ']')::vector AS v
	  FROM (VALUES (-1), (0), (1)) a(x),
		   (VALUES (-1), (0), (1), (NULL)) b(y),
		   (VALUES (-1), (0), (1), (NULL)) c(z)
	  WHERE NOT (y IS NULL AND z IS NOT NULL)) t;
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE sparsevec_cmp(p.s, q.s) <> vector_cmp(p.d, q.d)) AS cmp_differs,
       count(*) FILTER (WHERE (p.s < q.s) <> (p.d < q.d) OR (p.s <= q.s) <> (p.d <= q.d)
						  OR (p.s = q.s) <> (p.d = q.d) OR (p.s <> q.s) <> (p.d <> q.d)
						  OR (p.s >= q.s) <> (p.d >= q.d) OR (p.s > q.s) <> (p.d > q.d)) AS ops_differ
FROM sc p, sc q;
-- btree: ORDER BY, DISTINCT, a unique index and an index lookup
SELECT s FROM sc ORDER BY s LIMIT 5;
SELECT count(DISTINCT s) AS distinct_values, count(DISTINCT s::vector) AS distinct_dense FROM sc;
CREATE UNIQUE INDEX ON sc (s);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM sc WHERE s = '{2:1}/3';
SELECT id, s FROM sc WHERE s = '{2:1}/3';
RESET enable_seqscan;
INSERT INTO sc VALUES (0, '[0,1,0]'::vector, '[0,1,0]');
DROP TABLE sc;
