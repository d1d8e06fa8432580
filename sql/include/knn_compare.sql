-- sql/include/knn_compare.sql: an index scan against the exact sort, shared
-- by the pg_regress files (\i from the top of the source tree, where make
-- installcheck runs psql).
--
-- vx_knn_cmp(tab, typ, op, q, lim, filter) runs
--	 SELECT id, v <op> q::typ FROM tab WHERE <filter> ORDER BY v <op> q::typ LIMIT lim
-- once with index scans only and once with index scans off, and reports
-- whether the first used an index of tab, both row counts, whether the
-- distance sequences are equal, and whether the id sets are equal (with a
-- LIMIT, leaving out the rows at the last distance: rows tied at the LIMIT
-- may differ).  lim NULL is LIMIT ALL.
CREATE OR REPLACE FUNCTION vx_knn_cmp(tab text, typ text, op text, q text,
									  lim int DEFAULT NULL, filter text DEFAULT 'true',
									  OUT index_used bool, OUT index_rows int,
									  OUT seq_rows int, OUT same_distances bool,
									  OUT same_ids bool)
LANGUAGE plpgsql AS $$
DECLARE
	sql			text;
	agg			text;
	plan		text;
	ids_i		int[];
	ids_s		int[];
	d_i			float8[];
	d_s			float8[];
BEGIN
	sql := format('SELECT id, v %s %L::%s AS d FROM %I WHERE %s ORDER BY v %s %L::%s LIMIT %s',
				  op, q, typ, tab, filter, op, q, typ, coalesce(lim::text, 'ALL'));
	agg := format('SELECT array_agg(id ORDER BY id) FILTER (WHERE %s OR (d = dmax) IS NOT TRUE), '
				  'array_agg(d ORDER BY n) FROM (SELECT id, d, row_number() OVER () AS n, '
				  'max(d) OVER () AS dmax FROM (%s) s) t',
				  CASE WHEN lim IS NULL THEN 'true' ELSE 'false' END, sql);
	PERFORM set_config('enable_seqscan', 'off', true);
	PERFORM set_config('enable_indexscan', 'on', true);
	PERFORM set_config('enable_bitmapscan', 'off', true);
	index_used := false;
	FOR plan IN EXECUTE 'EXPLAIN (COSTS OFF) ' || sql LOOP
		IF plan ~ ('Index Scan using \S+ on ' || tab || '\M') THEN
			index_used := true;
		END IF;
	END LOOP;
	EXECUTE agg INTO ids_i, d_i;
	PERFORM set_config('enable_seqscan', 'on', true);
	PERFORM set_config('enable_indexscan', 'off', true);
	EXECUTE agg INTO ids_s, d_s;
	PERFORM set_config('enable_indexscan', 'on', true);
	PERFORM set_config('enable_bitmapscan', 'on', true);
	index_rows := coalesce(cardinality(d_i), 0);
	seq_rows := coalesce(cardinality(d_s), 0);
	same_distances := d_i IS NOT DISTINCT FROM d_s;
	same_ids := ids_i IS NOT DISTINCT FROM ids_s;
END
$$;

-- vx_knn_all(qtab, tab, typ, op, filter, qfilter) runs vx_knn_cmp for
-- every query q of table qtab that qfilter admits, at LIMIT 10 and LIMIT
-- ALL, and sums up: queries run, whether every one used the index, rows
-- each way, and how many gave other distances or other ids.
CREATE OR REPLACE FUNCTION vx_knn_all(qtab regclass, tab text, typ text, op text,
									  filter text DEFAULT 'v IS NOT NULL',
									  qfilter text DEFAULT 'true',
									  OUT queries int, OUT index_used bool,
									  OUT index_rows bigint, OUT seq_rows bigint,
									  OUT distances_differ int, OUT ids_differ int)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('SELECT count(*)::int, bool_and(c.index_used), sum(c.index_rows), sum(c.seq_rows), '
				   'count(*) FILTER (WHERE NOT c.same_distances)::int, '
				   'count(*) FILTER (WHERE NOT c.same_ids)::int '
				   'FROM %s, lateral (VALUES (10), (NULL::int)) l(lim), '
				   'lateral vx_knn_cmp(%L, %L, %L, q::text, l.lim, %L) c WHERE %s',
				   qtab, tab, typ, op, filter, qfilter)
		INTO queries, index_used, index_rows, seq_rows, distances_differ, ids_differ;
END
$$;

-- vx_hnsw_opclasses(type): the hnsw operator classes of a type, whether
-- each is the type's default, and amvalidate's verdict
CREATE OR REPLACE FUNCTION vx_hnsw_opclasses(t regtype)
RETURNS TABLE (opcname name, opcdefault boolean, amvalidate boolean)
LANGUAGE sql STABLE AS $$
	SELECT opcname, opcdefault, amvalidate(oid)
	FROM pg_opclass
	WHERE opcmethod = (SELECT oid FROM pg_am WHERE amname = 'hnsw')
		AND opcintype = t
	ORDER BY opcname
$$;
