-- SQLSTATE, message and detail of every error the vector type raises
-- (the other tests show the messages; this one pins the error codes)

CREATE FUNCTION vector_errors_try(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	state text;
	msg text;
	detail text;
BEGIN
	EXECUTE query;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL;
	RETURN state || ': ' || msg || coalesce(' / ' || nullif(detail, ''), '');
END;
$$;

SELECT q AS query, vector_errors_try(q) AS result
FROM (VALUES
	-- text input
	($q$SELECT '[1,2'::vector$q$),
	($q$SELECT '1,2'::vector$q$),
	($q$SELECT '[1,2]x'::vector$q$),
	($q$SELECT '[1,,2]'::vector$q$),
	($q$SELECT '[a]'::vector$q$),
	($q$SELECT '[]'::vector$q$),
	($q$SELECT '[NaN]'::vector$q$),
	($q$SELECT '[Infinity]'::vector$q$),
	($q$SELECT '[-Infinity]'::vector$q$),
	($q$SELECT '[1e39]'::vector$q$),
	($q$SELECT ('[' || repeat('1,', 16000) || '1]')::vector$q$),
	($q$SELECT '[1,2]'::vector(3)$q$),
	-- type modifier
	($q$SELECT '[1]'::vector(1, 2)$q$),
	($q$SELECT '[1]'::vector(0)$q$),
	($q$SELECT '[1]'::vector(16001)$q$),
	-- casts
	($q$SELECT '{{1}}'::real[]::vector$q$),
	($q$SELECT '{1,NULL}'::real[]::vector$q$),
	($q$SELECT '{}'::real[]::vector$q$),
	($q$SELECT '{NaN}'::double precision[]::vector$q$),
	($q$SELECT '{1e300}'::double precision[]::vector$q$),
	($q$SELECT array_fill(1, ARRAY[16001])::vector$q$),
	($q$SELECT '{1,2}'::integer[]::vector(3)$q$),
	($q$SELECT '[1,2]'::vector::vector(3)$q$),
	-- functions and operators
	($q$SELECT '[1,2]'::vector <-> '[1]'$q$),
	($q$SELECT '[1,2]'::vector <#> '[1]'$q$),
	($q$SELECT '[1,2]'::vector <=> '[1]'$q$),
	($q$SELECT '[1,2]'::vector <+> '[1]'$q$),
	($q$SELECT inner_product('[1,2]'::vector, '[1]')$q$),
	($q$SELECT vector_l2_squared_distance('[1,2]', '[1]')$q$),
	($q$SELECT vector_spherical_distance('[1,2]', '[1]')$q$),
	($q$SELECT '[1,2]'::vector + '[1]'$q$),
	($q$SELECT '[1,2]'::vector - '[1]'$q$),
	($q$SELECT '[1,2]'::vector * '[1]'$q$),
	($q$SELECT '[3e38]'::vector + '[3e38]'$q$),
	($q$SELECT '[-3e38]'::vector - '[3e38]'$q$),
	($q$SELECT '[1e30]'::vector * '[1e30]'$q$),
	($q$SELECT '[1e-30]'::vector * '[1e-30]'$q$),
	($q$SELECT array_fill(1, ARRAY[16000])::vector || '[1]'$q$),
	($q$SELECT subvector('[1,2]'::vector, 1, 0)$q$),
	($q$SELECT subvector('[1,2]'::vector, 3, 1)$q$),
	-- aggregates
	($q$SELECT avg(v) FROM unnest('{"[1]","[1,2]"}'::vector[]) v$q$),
	($q$SELECT sum(v) FROM unnest('{"[1]","[1,2]"}'::vector[]) v$q$),
	($q$SELECT sum(v) FROM unnest('{"[3e38]","[3e38]"}'::vector[]) v$q$),
	($q$SELECT vector_accum('{}', '[1]')$q$),
	($q$SELECT vector_combine('{1,1e308}', '{1,1e308}')$q$),
	($q$SELECT vector_avg('{1,1e300}')$q$)
) t(q);

DROP FUNCTION vector_errors_try(text);
