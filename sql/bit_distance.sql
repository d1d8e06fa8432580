-- bit distances: hamming_distance / <~>, jaccard_distance / <%>

SELECT B'1010' <~> B'0110', B'1010' <%> B'0110', B'1010' <%> B'1010';
SELECT hamming_distance(B'', B''), jaccard_distance(B'0000', B'0000');
SELECT B'101' <~> B'10';
SELECT B'101'::varbit <%> B'1011'::varbit;

-- every length from 0 to 600 bits (every tail of the 32-byte blocks),
-- against popcounts SQL computes from the bit strings themselves
CREATE TABLE bs AS
SELECT n, string_agg(CASE WHEN sin(n * 13 + j) > 0.3 THEN '1' ELSE '0' END, '' ORDER BY j)::varbit AS a,
		  string_agg(CASE WHEN cos(n * 5 + j * 3) > 0 THEN '1' ELSE '0' END, '' ORDER BY j)::varbit AS b
FROM generate_series(1, 600) n, generate_series(1, n) j GROUP BY n;
CREATE FUNCTION ones(varbit) RETURNS int LANGUAGE sql IMMUTABLE
	AS $$ SELECT length(replace($1::text, '0', '')) $$;
SELECT count(*) AS lengths,
	   count(*) FILTER (WHERE a <~> b = ones(a # b)) AS hamming_ok,
	   count(*) FILTER (WHERE a <%> b = CASE WHEN ones(a & b) = 0 THEN 1
		   ELSE 1 - ones(a & b)::float8 / ones(a | b) END) AS jaccard_ok
FROM bs;
SET vecidx.simd = scalar;
SELECT count(*) FILTER (WHERE a <~> b = ones(a # b)) AS hamming_ok,
	   count(*) FILTER (WHERE a <%> b = CASE WHEN ones(a & b) = 0 THEN 1
		   ELSE 1 - ones(a & b)::float8 / ones(a | b) END) AS jaccard_ok
FROM bs;
RESET vecidx.simd;
DROP TABLE bs;
DROP FUNCTION ones(varbit);

-- binary_quantize of vector and halfvec give the same bits
SELECT binary_quantize(v) = binary_quantize(v::halfvec) AS same,
	   binary_quantize(v) <~> binary_quantize(v::halfvec * array_fill(-1, ARRAY[9])::halfvec) AS flipped
FROM (SELECT '[1,-2,3,0.0001,-5,6,7,-8,9]'::vector AS v) t;
