-- halfvec: rounding, limits, wire format, casts, distances, aggregates, btree

-- rounding to the nearest half, ties to even (11 significant bits)
SELECT '[2049,2051,2050,-2049]'::halfvec;
SELECT '[0.1,0.333333,1e4]'::halfvec;
-- largest finite half, the last float below the overflow bound, the bound
SELECT '[65504,65519.996]'::halfvec;
SELECT '[-65520]'::halfvec;
SELECT '[1e39]'::halfvec;
-- subnormal halves: the smallest is 2^-24; half of it rounds to zero (even)
SELECT '[5.9604645e-8,2.9802322e-8,4.5e-8,6.1035156e-5]'::halfvec;
-- syntax errors carry the halfvec type name
SELECT '[1,2'::halfvec;
SELECT '[1,NaN]'::halfvec;
SELECT '[]'::halfvec;
SELECT array_fill(1, ARRAY[16001])::halfvec;
SELECT vector_dims(array_fill(1, ARRAY[16000])::halfvec);
SELECT '[1]'::halfvec(16001);

-- wire format: int16 dim, int16 unused, big-endian IEEE halves
SELECT halfvec_send('[1,-2,0.5]');
SELECT halfvec_send('[65504,5.9604645e-8,-0]');

-- binary COPY round trip keeps every bit
CREATE TABLE hv (id int, v halfvec(4));
INSERT INTO hv VALUES (1, '[1,-0,65504,5.9604645e-8]'), (2, '[0.1,0.2,0.3,0.4]'), (3, NULL);
\copy hv TO 'results/halfvec_type.bin' WITH (FORMAT binary)
CREATE TABLE hv2 (id int, v halfvec(4));
\copy hv2 FROM 'results/halfvec_type.bin' WITH (FORMAT binary)
SELECT a.id, a.v, halfvec_send(a.v) = halfvec_send(b.v) AS same_bits
FROM hv a JOIN hv2 b USING (id) ORDER BY id;
-- a halfvec(4) column refuses a binary value of another dimension
CREATE TABLE hv3 (id int, v halfvec(3));
\copy hv3 FROM 'results/halfvec_type.bin' WITH (FORMAT binary)
DROP TABLE hv, hv2, hv3;

-- casts
SELECT '[0.1,3.14159,70000]'::vector::halfvec;
SELECT '[0.1,3.14159]'::vector::halfvec;
SELECT '[0.1,3.14159]'::halfvec::vector;
SELECT '[0.1,3.14159]'::halfvec::real[];
SELECT ARRAY[1,2049]::halfvec, ARRAY[0.1]::numeric[]::halfvec, ARRAY[1e-9]::float8[]::halfvec;
SELECT ARRAY[70000]::halfvec;
SELECT '{1,NULL}'::real[]::halfvec;
SELECT '{{1,2}}'::real[]::halfvec;
SELECT '[1,2]'::vector::halfvec(3);
-- implicit vector -> halfvec: a vector literal compared with a halfvec column
SELECT '[1,2]'::halfvec = '[1,2]'::vector;

-- distances: the scalar and the SIMD kernels agree to rounding
CREATE TABLE hd AS
SELECT i, array_agg(sin(i * 7 + j)::real ORDER BY j)::halfvec AS a,
		  array_agg(cos(i * 3 + j)::real ORDER BY j)::halfvec AS b
FROM generate_series(1, 5) i, generate_series(1, 203) j GROUP BY i;
SET vecidx.simd = scalar;
CREATE TABLE hd_scalar AS
SELECT i, a <-> b AS l2, a <#> b AS ip, a <=> b AS cos, a <+> b AS l1,
		  halfvec_l2_squared_distance(a, b) AS l2sq,
		  halfvec_spherical_distance(l2_normalize(a), l2_normalize(b)) AS sph
FROM hd;
RESET vecidx.simd;
SELECT s.i,
	   abs(s.l2 - (a <-> b)) <= 1e-5 * s.l2 AS l2,
	   abs(s.ip - (a <#> b)) <= 1e-4 AS ip,
	   abs(s.cos - (a <=> b)) <= 1e-5 AS cos,
	   abs(s.l1 - (a <+> b)) <= 1e-5 * s.l1 AS l1,
	   abs(s.l2sq - halfvec_l2_squared_distance(a, b)) <= 1e-5 * s.l2sq AS l2sq,
	   s.sph BETWEEN 0 AND 1 AS sph
FROM hd JOIN hd_scalar s USING (i) ORDER BY i;
-- and the halfvec distances are the vector distances of the widened values
SELECT i, round((a <-> b)::numeric, 4) = round((a::vector <-> b::vector)::numeric, 4) AS l2,
	   round((a <=> b)::numeric, 5) = round((a::vector <=> b::vector)::numeric, 5) AS cos,
	   round(l2_norm(a)::numeric, 6) = round(vector_norm(a::vector)::numeric, 6) AS norm
FROM hd ORDER BY i;
DROP TABLE hd, hd_scalar;

-- arithmetic rounds once to half
SELECT '[2048,1]'::halfvec + '[1,0.0001]';
SELECT '[60000]'::halfvec - '[-6000]';
SELECT '[300]'::halfvec * '[300]';
SELECT '[1e-4]'::halfvec * '[1e-4]';
SELECT '[1,2]'::halfvec || '[3]'::halfvec, vector_dims('[1,2]'::halfvec || '[3]');
SELECT l2_normalize('[1,1,1,1]'::halfvec), binary_quantize('[0.5,-0.5,0,1e-7]'::halfvec);
SELECT subvector('[1,2,3,4]'::halfvec, 2, 2), subvector('[1,2,3,4]'::halfvec, 4, 5);

-- aggregates: sums in double, the mean rounded to half
SELECT avg(v), sum(v) FROM (VALUES ('[1,2049]'::halfvec), ('[2,2050]')) t(v);
SELECT avg(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]'), ('[65504]')) t(v);
SELECT halfvec_combine('{0}', '{2,1,2}'), halfvec_combine('{1,1,2}', '{2,1,2}');
SELECT halfvec_combine('{1,1,2}', '{2,1}');

-- btree: order by value then dimension; -0 equals 0
CREATE TABLE hb (v halfvec);
INSERT INTO hb VALUES ('[1,2]'), ('[1]'), ('[0.5,9]'), ('[-0,1]'), ('[0,1]'), ('[1,2,0]'), (NULL);
CREATE INDEX ON hb (v);
SET enable_seqscan = off;
SELECT v FROM hb ORDER BY v;
SELECT count(*) FROM hb WHERE v = '[0,1]';
SELECT count(DISTINCT v) FROM hb;
RESET enable_seqscan;
DROP TABLE hb;
