--
-- Distance kernels through SQL: every kernel table this CPU runs gives the
-- same distances as the scalar reference.  The vectors hold small integers,
-- so every sum is exact in float and the output is the same on any machine.
--
-- load the library (defines the settings)
SELECT vector_dims('[1,2,3]'::vector);
SELECT name, context, vartype, enumvals
FROM pg_settings WHERE name IN ('vecidx.simd', 'vecidx.simd_active') ORDER BY name;
SHOW vecidx.simd;

-- pairs for every dimension 1..130: all tail lengths of 8-, 16-, 32- and 64-wide loops
CREATE TEMP TABLE kernel_pairs AS
SELECT d,
	(SELECT array_agg(((i * 7 + d) % 17 - 8)::real ORDER BY i) FROM generate_series(1, d) i)::vector AS a,
	(SELECT array_agg(((i * 5 + 3 * d) % 13 - 6)::real ORDER BY i) FROM generate_series(1, d) i)::vector AS b
FROM generate_series(1, 130) d;

CREATE TEMP VIEW kernel_dists AS
SELECT d, vector_l2_squared_distance(a, b) AS l2sq, a <-> b AS l2, a <#> b AS nip,
	inner_product(a, b) AS ip, a <=> b AS cos, a <+> b AS l1
FROM kernel_pairs;

-- the scalar reference
SET vecidx.simd = scalar;
SHOW vecidx.simd_active;
CREATE TEMP TABLE dist_scalar AS SELECT * FROM kernel_dists;

-- the scalar kernels equal the exact sums computed by SQL
SELECT count(*) AS wrong_scalar
FROM dist_scalar s JOIN kernel_pairs p USING (d)
CROSS JOIN LATERAL (
	SELECT sum((u - v) ^ 2) AS l2sq, sum(u * v) AS ip, sum(abs(u - v)) AS l1
	FROM unnest(p.a::real[]::float8[], p.b::real[]::float8[]) AS t(u, v)) x
WHERE s.l2sq <> x.l2sq OR s.ip <> x.ip OR s.nip <> -x.ip OR s.l1 <> x.l1
	OR s.l2 <> sqrt(x.l2sq);

-- the automatically selected table (whatever this CPU runs)
SET vecidx.simd = auto;
SELECT current_setting('vecidx.simd_active') IN ('scalar', 'avx2imul1', 'avx2', 'avx512', 'avx512vnni')
	AS known_table;
SELECT current_setting('vecidx.simd_active') AS auto_table \gset
SELECT count(*) AS differing_auto
FROM (SELECT * FROM kernel_dists EXCEPT SELECT * FROM dist_scalar) s;

-- every level this CPU supports; unsupported ones are refused and skipped
DO $$
DECLARE
	lvl text;
	n bigint;
BEGIN
	FOREACH lvl IN ARRAY ARRAY['scalar', 'avx2', 'avx512'] LOOP
		BEGIN
			PERFORM set_config('vecidx.simd', lvl, true);
		EXCEPTION WHEN invalid_parameter_value THEN
			CONTINUE;
		END;
		IF current_setting('vecidx.simd_active') NOT LIKE lvl || '%' THEN
			RAISE EXCEPTION 'vecidx.simd = % runs table %', lvl,
				current_setting('vecidx.simd_active');
		END IF;
		SELECT count(*) INTO n
		FROM (SELECT * FROM kernel_dists EXCEPT SELECT * FROM dist_scalar) s;
		IF n <> 0 THEN
			RAISE EXCEPTION 'vecidx.simd = % differs from scalar in % rows', lvl, n;
		END IF;
	END LOOP;
END
$$;

-- a few values (exact; cosine rounded, its final double arithmetic may
-- differ in the last bit between platforms)
SELECT d, l2sq, l2, nip, ip, round(cos::numeric, 12) AS cos, l1
FROM dist_scalar WHERE d IN (1, 7, 8, 9, 16, 17, 63, 64, 65, 130) ORDER BY d;

-- the setting is per transaction like any other
BEGIN;
SET LOCAL vecidx.simd = scalar;
SHOW vecidx.simd_active;
ROLLBACK;
SELECT current_setting('vecidx.simd_active') = :'auto_table' AS restored;

-- bad values are refused
SET vecidx.simd = bogus;
SET vecidx.simd = '';
SET vecidx.simd_active = 'scalar';
SHOW vecidx.simd;
RESET vecidx.simd;
