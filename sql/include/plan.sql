-- sql/include/plan.sql: plan helpers shared by the pg_regress files (\i from
-- the top of the source tree, where make installcheck runs psql).
--
-- vx_plan(query) is EXPLAIN (COSTS OFF) query, a line per row, without what
-- changed between PostgreSQL majors and says nothing about the plan chosen:
-- 18's "Disabled: true" and "Index Searches: N" lines and fractional row
-- counts, and 17's naming of parameters ("(InitPlan 1).col1" where 15 says
-- "$0"): every parameter reads "$param".
-- vx_plan_analyze(query) does the same for EXPLAIN (ANALYZE, BUFFERS,
-- TIMING OFF, SUMMARY OFF), whose buffer counts vary: Buffers lines are
-- counted, not shown, and so are Planning lines.
CREATE OR REPLACE FUNCTION vx_plan_normalise(line text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN line ~ '^\s*(Disabled: true|Index Searches: \d+)\s*$' THEN NULL
		ELSE regexp_replace(regexp_replace(regexp_replace(regexp_replace(line,
			'InitPlan (\d+) \(returns \$\d+\)', 'InitPlan \1', 'g'),
			'\(InitPlan \d+\)\.col\d+', '$param', 'g'),
			'\$\d+', '$param', 'g'),
			'(rows=\d+)\.00', '\1', 'g')
		END
$$;
CREATE OR REPLACE FUNCTION vx_plan(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	line		text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
		line := vx_plan_normalise(line);
		IF line IS NOT NULL THEN
			RETURN NEXT line;
		END IF;
	END LOOP;
END
$$;
CREATE OR REPLACE FUNCTION vx_plan_analyze(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	line		text;
	nbuf		int := 0;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
		IF line ~ '^\s*Buffers:' THEN
			nbuf := nbuf + 1;
		ELSIF line !~ '^\s*Planning' THEN
			line := vx_plan_normalise(line);
			IF line IS NOT NULL THEN
				RETURN NEXT line;
			END IF;
		END IF;
	END LOOP;
	RETURN NEXT 'Buffers lines present: ' || (nbuf > 0)::text;
END
$$;
