#!/usr/bin/python3
"""
test/bench/filtered.py -- filtered k-NN benchmark for the hnsw index
(iterative scans).

On mnist-784-euclidean (60,000 x 784, L2) it builds one hnsw index
(m = 16, ef_construction = 64) on a table

    filtered_bench (id int, v vector(784),
                    km2 int, km10 int, km100 int,     -- correlated labels
                    mod2 int, mod10 int, mod100 int)  -- uncorrelated labels

and runs the 1,000 queries

    SELECT id FROM filtered_bench WHERE <label> = $2
    ORDER BY v <-> $1::vector LIMIT 10

as server-side prepared statements, one connection, sequentially.

Label columns:
  kmK   k-means cluster id of the row (K = 2, 10, 100 clusters; numpy Lloyd
        iterations from K random rows, fixed seed): a category correlated
        with the vectors.  The query's label is the cluster of its nearest
        base vector (ground-truth id 0), i.e. the query asks for its own
        category.
  modK  id % K (K = 2, 10, 100): a label independent of the vectors.  Every
        query uses the fixed value 0 (all values have the same count).
  km100x  (not in the default --columns) the km100 labels, but the query
        asks for cluster (own cluster + 50) % 100: a 1% category away from
        the query, the hard case for a graph walk.

For every label column it runs hnsw.iterative_scan = relaxed_order; for the
1% columns also strict_order, off, and an exact scan (enable_indexscan =
off, a sequential scan + sort).  Reported per run: rows returned per query
(min / mean / number of queries with fewer than 10), recall@10 against the
exact filtered top-10 (numpy, float64; a returned row counts when its
distance is <= the 10th exact distance, so ties at the cut are not
penalised), queries whose rows come back out of distance order, QPS (median
of --passes passes) and p50 / p99 latency of the median pass.  If the 1%
relaxed_order run misses the target (10 rows for every query, recall >=
0.9), hnsw.max_scan_tuples is raised until it is met.

JSON goes to bench-results/filtered-<time>.json; a table is printed.
This is a benchmark, not a test: it asserts nothing.
"""

import argparse
import json
import os
import re
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloadlib  # noqa: E402
from workloadlib import log  # noqa: E402

TABLE = "filtered_bench"
INDEX = "filtered_bench_v_idx"
KMEANS_SEED = 20241124


def kmeans(x, k, seed, iters=25):
    """Lloyd's k-means on the rows of x from k random rows; returns the
    cluster id of every row (int32).  An empty cluster is re-seeded with the
    row farthest from its centre."""
    rng = np.random.default_rng(seed)
    x = x.astype(np.float32)
    xx = np.einsum("ij,ij->i", x, x)
    centres = x[rng.choice(x.shape[0], k, replace=False)].copy()
    assign = None
    for _ in range(iters):
        cc = np.einsum("ij,ij->i", centres, centres)
        d = xx[:, None] - 2.0 * (x @ centres.T) + cc[None, :]
        new = np.argmin(d, axis=1).astype(np.int32)
        dmin = d[np.arange(x.shape[0]), new]
        if assign is not None and np.array_equal(new, assign):
            break
        assign = new
        counts = np.bincount(assign, minlength=k)
        for c in range(k):
            if counts[c] == 0:
                far = int(np.argmax(dmin))
                centres[c] = x[far]
                dmin[far] = -1
            else:
                centres[c] = x[assign == c].mean(axis=0)
    return assign


def make_labels(base, gt):
    """Return {column: (row_labels, query_labels, kind, K)}."""
    n = base.shape[0]
    nq = gt.shape[0]
    ids = np.arange(n)
    cols = {}
    for k in (2, 10, 100):
        t0 = time.time()
        lab = kmeans(base, k, KMEANS_SEED + k)
        log("k-means k=%d: %.1f s, cluster sizes %d..%d"
            % (k, time.time() - t0, np.bincount(lab).min(),
               np.bincount(lab).max()))
        cols["km%d" % k] = (lab, lab[gt[:, 0]], "correlated", k)
    # The hard case: the query asks for a category other than its own.
    lab = cols["km100"][0]
    cols["km100x"] = (lab, (lab[gt[:, 0]] + 50) % 100, "other-cluster", 100)
    for k in (2, 10, 100):
        cols["mod%d" % k] = ((ids % k).astype(np.int32),
                             np.zeros(nq, dtype=np.int32), "uncorrelated", k)
    return cols


def exact_topk(base, queries, cols, k=10, chunk=100):
    """For every label column: exact filtered top-k ids and k-th squared
    distance per query, float64 (MNIST values are integers, so exact)."""
    b64 = base.astype(np.float64)
    bb = np.einsum("ij,ij->i", b64, b64)
    out = {c: (np.zeros((len(queries), k), dtype=np.int64),
               np.zeros(len(queries))) for c in cols}
    for s in range(0, len(queries), chunk):
        q = queries[s:s + chunk].astype(np.float64)
        d = bb[None, :] - 2.0 * (q @ b64.T) + np.einsum("ij,ij->i", q, q)[:, None]
        for c, (rlab, qlab, _, _) in cols.items():
            for i in range(q.shape[0]):
                m = np.nonzero(rlab == qlab[s + i])[0]
                dm = d[i, m]
                order = np.lexsort((m, dm))[:k]
                out[c][0][s + i] = m[order]
                out[c][1][s + i] = dm[order[-1]]
    return out


def sqdist(base, q, ids):
    if len(ids) == 0:
        return np.zeros(0)
    x = base[ids].astype(np.float64) - q.astype(np.float64)[None, :]
    return np.einsum("ij,ij->i", x, x)


def setup_table(conn, base, cols, args):
    """Create and load the table and build the index unless --reuse finds
    them already there; returns build facts."""
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS vecidx")
    cur.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
    if args.reuse:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (INDEX,))
        if cur.fetchone()[0]:
            cur.execute("SELECT count(*) FROM %s" % TABLE)
            if cur.fetchone()[0] == base.shape[0]:
                log("reusing table and index")
                return {"reused": True}
    names = list(cols)
    cur.execute("DROP TABLE IF EXISTS %s" % TABLE)
    cur.execute("CREATE TABLE %s (id int, v vector(%d), %s)"
                % (TABLE, base.shape[1],
                   ", ".join("%s int" % c for c in names)))
    t0 = time.time()
    workloadlib.copy_rows(
        conn, TABLE, ["id", "v"] + names,
        ((i, base[i]) + tuple(int(cols[c][0][i]) for c in names)
         for i in range(base.shape[0])))
    load_s = time.time() - t0
    cur.execute("VACUUM ANALYZE %s" % TABLE)
    log("loaded %d rows in %.1f s" % (base.shape[0], load_s))
    t0 = time.time()
    cur.execute("CREATE INDEX %s ON %s USING hnsw (v vector_l2_ops) "
                "WITH (m = 16, ef_construction = 64)" % (INDEX, TABLE))
    build_s = time.time() - t0
    cur.execute("ANALYZE %s" % TABLE)
    cur.execute("SELECT pg_relation_size(%s), pg_total_relation_size(%s)",
                (INDEX, TABLE))
    isz, tsz = cur.fetchone()
    log("index built in %.1f s (one process), %.1f MB" % (build_s, isz / 1e6))
    return {"reused": False, "load_s": load_s, "build_s": build_s,
            "build_processes": 1, "index_bytes": isz,
            "table_total_bytes": tsz}


def prewarm(conn):
    cur = conn.cursor()
    cur.execute("SELECT reltoastrelid::regclass FROM pg_class "
                "WHERE oid = %s::regclass", (TABLE,))
    toast = cur.fetchone()[0]
    for rel in (TABLE, toast, INDEX):
        cur.execute("SELECT pg_prewarm(%s::regclass)", (str(rel),))


def set_run_gucs(cur, run, args):
    cur.execute("RESET ALL")
    cur.execute("SET enable_seqscan = off" if run["mode"] != "exact"
                else "SET enable_indexscan = off")
    if run["mode"] != "exact":
        cur.execute("SET hnsw.iterative_scan = %s" % run["mode"])
        cur.execute("SET hnsw.max_scan_tuples = %d" % run["max_scan_tuples"])
    if args.ef_search:
        cur.execute("SET hnsw.ef_search = %d" % args.ef_search)


def run_one(conn, run, qtext, qlab, args):
    """Run the queries of one configuration; returns (ids per query of the
    first pass, per-pass wall seconds, per-pass latency arrays, plan)."""
    cur = conn.cursor()
    set_run_gucs(cur, run, args)
    # A distinct statement text per run: a cached generic plan must not
    # carry over from a run with other planner settings.
    sql = ("SELECT id FROM %s WHERE %s = %%s ORDER BY v <-> %%s::vector "
           "LIMIT 10 /* %s %s %d */"
           % (TABLE, run["column"], run["column"], run["mode"],
              run["max_scan_tuples"]))
    cur.execute("EXPLAIN (COSTS off) " + sql, (int(qlab[0]), qtext[0]))
    plan = "\n".join(r[0] for r in cur.fetchall())
    plan = re.sub(r"'\[[^]]*\]'", "'[...]'", plan)
    uses_index = INDEX in plan
    if uses_index != (run["mode"] != "exact"):
        raise RuntimeError("unexpected plan for %s:\n%s" % (run, plan))
    ids0 = None
    walls, lats = [], []
    nq = len(qtext)
    for p in range(args.passes if run["mode"] != "exact" else 1):
        lat = np.zeros(nq)
        ids = []
        t0 = time.perf_counter()
        for i in range(nq):
            t1 = time.perf_counter()
            cur.execute(sql, (int(qlab[i]), qtext[i]), prepare=True)
            rows = cur.fetchall()
            lat[i] = time.perf_counter() - t1
            ids.append([r[0] for r in rows])
        walls.append(time.perf_counter() - t0)
        lats.append(lat)
        if ids0 is None:
            ids0 = ids
    return ids0, walls, lats, plan


def evaluate(ids, base, queries, truth):
    """rows returned, recall@10 (tie-aware), order violations."""
    exact_ids, kth = truth
    counts = np.array([len(r) for r in ids])
    recalls = np.zeros(len(ids))
    out_of_order = 0
    for i, r in enumerate(ids):
        d = sqdist(base, queries[i], np.array(r, dtype=np.int64))
        recalls[i] = np.count_nonzero(d <= kth[i]) / 10.0
        if np.any(np.diff(d) < 0):
            out_of_order += 1
    return {
        "rows_min": int(counts.min()), "rows_mean": float(counts.mean()),
        "queries_short": int(np.count_nonzero(counts < 10)),
        "recall_mean": float(recalls.mean()),
        "recall_min": float(recalls.min()),
        "queries_out_of_order": out_of_order,
    }


def timing(walls, lats):
    nq = len(lats[0])
    order = np.argsort(walls)
    med = order[len(order) // 2]
    return {
        "qps_passes": [nq / w for w in walls],
        "qps_median": nq / walls[med],
        "p50_ms": workloadlib.percentile(lats[med], 50) * 1000,
        "p99_ms": workloadlib.percentile(lats[med], 99) * 1000,
    }


def meets_target(res):
    return res["rows_min"] == 10 and res["recall_mean"] >= 0.9


def print_table(results, sel):
    hdr = ("%-7s %-12s %6s %-14s %7s %5s %6s %6s %5s %8s %7s %7s"
           % ("column", "kind", "sel%", "mode", "maxtup", "rmin", "rmean",
              "recall", "short", "QPS", "p50ms", "p99ms"))
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        print("%-7s %-12s %6.2f %-14s %7s %5d %6.2f %6.4f %5d %8.1f %7.2f %7.2f"
              % (r["column"], r["kind"], sel[r["column"]]["mean_pct"],
                 r["mode"], r["max_scan_tuples"] if r["mode"] != "exact" else "-",
                 r["rows_min"], r["rows_mean"], r["recall_mean"],
                 r["queries_short"], r["qps_median"], r["p50_ms"], r["p99_ms"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", default="mnist-784-euclidean")
    ap.add_argument("--pg-config", default=os.environ.get("PG_CONFIG", "pg_config"))
    ap.add_argument("--port", type=int, default=56710,
                    help="port of the throwaway cluster (with --start)")
    ap.add_argument("--start", action="store_true",
                    help="start a throwaway cluster (else use PGHOST/PGPORT)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the throwaway cluster's files after the run")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse table and index if they exist")
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--queries", type=int, default=0,
                    help="use only the first N queries (0 = all)")
    ap.add_argument("--ef-search", type=int, default=0,
                    help="SET hnsw.ef_search (0 = server default)")
    ap.add_argument("--columns", default="km2,km10,km100,mod2,mod10,mod100")
    ap.add_argument("--output", default="")
    args = ap.parse_args()

    base, queries, gt = workloadlib.load_dataset(args.dataset)
    if args.queries:
        queries, gt = queries[:args.queries], gt[:args.queries]
    log("dataset %s: %d x %d, %d queries"
        % (args.dataset, base.shape[0], base.shape[1], len(queries)))
    cols = make_labels(base, gt)
    wanted = args.columns.split(",")

    sel = {}
    for c, (rlab, qlab, kind, k) in cols.items():
        counts = np.bincount(rlab)
        per_q = counts[qlab] / base.shape[0] * 100
        sel[c] = {"kind": kind, "clusters": k,
                  "mean_pct": float(per_q.mean()),
                  "min_pct": float(per_q.min()), "max_pct": float(per_q.max()),
                  "label_rows_min": int(counts.min()),
                  "label_rows_max": int(counts.max())}
    log("computing exact filtered top-10")
    t0 = time.time()
    truth = exact_topk(base, queries, {c: cols[c] for c in wanted})
    log("exact top-10: %.1f s" % (time.time() - t0))
    qtext = [workloadlib.vec_text(q) for q in queries]

    cluster = None
    if args.start:
        cluster = workloadlib.Cluster(args.pg_config, args.port,
                                   name="vx-filtered", keep=args.keep).start()
    try:
        conn = workloadlib.connect()
        build = setup_table(conn, base, cols, args)
        prewarm(conn)
        cur = conn.cursor()
        cur.execute("SHOW hnsw.ef_search")
        ef = cur.fetchone()[0]
        cur.execute("SELECT version()")
        version = cur.fetchone()[0]

        runs = []
        for c in wanted:
            runs.append({"column": c, "mode": "relaxed_order",
                         "max_scan_tuples": 20000})
            if cols[c][3] == 100:
                for m in ("strict_order", "off", "exact"):
                    runs.append({"column": c, "mode": m,
                                 "max_scan_tuples": 20000})
        results = []
        i = 0
        while i < len(runs):
            run = runs[i]
            i += 1
            log("run %s %s max_scan_tuples=%d"
                % (run["column"], run["mode"], run["max_scan_tuples"]))
            ids, walls, lats, plan = run_one(conn, run, qtext, cols[run["column"]][1], args)
            res = dict(run)
            res["kind"] = cols[run["column"]][2]
            res.update(evaluate(ids, base, queries, truth[run["column"]]))
            res.update(timing(walls, lats))
            res["plan"] = plan
            results.append(res)
            log("  rows min %d mean %.2f, recall %.4f, %.1f QPS"
                % (res["rows_min"], res["rows_mean"], res["recall_mean"],
                   res["qps_median"]))
            # 1% relaxed_order short of the target: raise max_scan_tuples.
            if (cols[run["column"]][3] == 100 and run["mode"] == "relaxed_order"
                    and not meets_target(res)
                    and run["max_scan_tuples"] < 8 * base.shape[0]):
                runs.insert(i, dict(run, max_scan_tuples=run["max_scan_tuples"] * 2))
        conn.close()
    finally:
        if cluster:
            cluster.stop()

    print()
    print("dataset %s, hnsw m=16 ef_construction=64, ef_search %s, %d queries, "
          "%d passes (QPS = median pass)" % (args.dataset, ef, len(queries), args.passes))
    print_table(results, sel)
    print()
    print("selectivity (share of rows matching the query's label, %):")
    for c in wanted:
        s = sel[c]
        print("  %-7s %-12s mean %6.2f  min %6.2f  max %6.2f  (label sizes %d..%d rows)"
              % (c, s["kind"], s["mean_pct"], s["min_pct"], s["max_pct"],
                 s["label_rows_min"], s["label_rows_max"]))

    out = args.output or os.path.join(
        os.getcwd(), "bench-results",
        "filtered-%s.json" % time.strftime("%Y%m%dT%H%M%S"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"dataset": args.dataset, "ef_search": ef,
                   "server": version, "settings": workloadlib.SERVER_SETTINGS,
                   "build": build, "selectivity": sel, "passes": args.passes,
                   "queries": len(queries), "results": results}, f, indent=1)
    print("\nJSON: %s" % out)


if __name__ == "__main__":
    main()
