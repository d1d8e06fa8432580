#!/usr/bin/python3
"""
test/bench/load.py -- load test of the hnsw index with a report.

Builds an hnsw index (m = 16, ef_construction = 64) over --rows (20,000)
rows of 128-d clustered synthetic data (a gaussian mixture, fixed seed) in

    load_t (id serial primary key, cat int, v vector(128))

with cat = id % 10, and a pool of fresh vectors load_pool (id, v) from the
same mixture.  Then, for --seconds (60), --clients (4) pgbench clients run
these custom scripts (weights in brackets):

    insert    [3]  INSERT a pool vector as a new row
    delete    [3]  DELETE the first row with id >= a random id in
                   1..max(id), in a REPEATABLE READ transaction (two
                   clients deleting the same row: a serialization failure,
                   retried by pgbench)
    knn       [3]  SELECT id ... ORDER BY v <-> (pool vector) LIMIT 10
    knn_cat   [2]  the same WHERE cat = random 0..9, with
                   hnsw.iterative_scan = relaxed_order

while one more pgbench client runs VACUUM load_t every --vacuum-every (5) s.
pgbench retries serialization failures and deadlocks (--max-tries 10);
any other error aborts that client and is reported.

Afterwards: vecidx_hnsw_check(index) (dead rows still in place), VACUUM,
vecidx_hnsw_check again, recall@10 against exact (numpy over the final
rows) at the default ef_search for --recall-queries (200) fresh query
vectors, without and with the category filter, then the same after REINDEX
(a fresh graph on the same rows) for comparison.  Printed: rows inserted,
rows deleted, queries answered, vacuums run, errors by SQLSTATE (from the
server log of the throwaway cluster; pgbench's messages otherwise), index
size before and after.

This is a benchmark / report tool, not a test: nothing is timed against a
bound.  It exits 1 if a check fails or an error other than a serialization
failure (40001) or deadlock (40P01) was seen, or a query plan does not use
the index.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloadlib  # noqa: E402
from workloadlib import log  # noqa: E402

DIM = 128
SEED = 20241124
ACCEPTABLE_SQLSTATES = {"40001", "40P01"}

SCRIPTS = {
    "insert": """\\set p random(1, {pool})
INSERT INTO load_t (cat, v) SELECT :p % 10, v FROM load_pool WHERE id = :p;
""",
    "delete": """BEGIN ISOLATION LEVEL REPEATABLE READ;
DELETE FROM load_t WHERE id = (SELECT id FROM load_t WHERE id >= (SELECT floor(random() * (SELECT max(id) FROM load_t))::int + 1) ORDER BY id LIMIT 1);
COMMIT;
""",
    "knn": """\\set p random(1, {pool})
SELECT id FROM load_t ORDER BY v <-> (SELECT v FROM load_pool WHERE id = :p) LIMIT 10;
""",
    "knn_cat": """\\set p random(1, {pool})
\\set c random(0, 9)
SET hnsw.iterative_scan = relaxed_order;
SELECT id FROM load_t WHERE cat = :c ORDER BY v <-> (SELECT v FROM load_pool WHERE id = :p) LIMIT 10;
SET hnsw.iterative_scan = off;
""",
    "vacuum": """\\sleep {vacuum_every} s
VACUUM load_t;
""",
}
WEIGHTS = {"insert": 3, "delete": 3, "knn": 3, "knn_cat": 2}


def mixture(n, rng, centres, scales):
    """n draws from the gaussian mixture: a random centre plus gaussian
    noise with that cluster's per-axis scales."""
    c = rng.integers(0, centres.shape[0], n)
    x = centres[c] + rng.standard_normal((n, DIM)) * scales[c]
    return x.astype(np.float32)


def make_data(rows, pool, nq):
    rng = np.random.default_rng(SEED)
    k = 20
    centres = rng.standard_normal((k, DIM)) * 2.0
    # Decaying per-axis scale, shuffled per cluster: low effective rank.
    decay = 0.8 * np.exp(-np.arange(DIM) / 24.0) + 0.05
    scales = np.stack([rng.permutation(decay) for _ in range(k)])
    return (mixture(rows, rng, centres, scales),
            mixture(pool, rng, centres, scales),
            mixture(nq, rng, centres, scales))


def parse_vec(s):
    return np.array(s.strip("[]").split(","), dtype=np.float32)


def index_size(cur):
    cur.execute("SELECT pg_relation_size('load_t_v_idx')")
    return cur.fetchone()[0]


def setup(conn, base, pool):
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS vecidx")
    cur.execute("DROP TABLE IF EXISTS load_t, load_pool")
    cur.execute("CREATE TABLE load_t (id serial PRIMARY KEY, cat int, v vector(%d))" % DIM)
    cur.execute("CREATE TABLE load_pool (id int PRIMARY KEY, v vector(%d))" % DIM)
    workloadlib.copy_rows(conn, "load_t", ["id", "cat", "v"],
                       ((i + 1, (i + 1) % 10, base[i]) for i in range(len(base))))
    cur.execute("SELECT setval('load_t_id_seq', %s)", (len(base),))
    workloadlib.copy_rows(conn, "load_pool", ["id", "v"],
                       ((i + 1, pool[i]) for i in range(len(pool))))
    cur.execute("VACUUM ANALYZE load_t")
    cur.execute("VACUUM ANALYZE load_pool")
    t0 = time.time()
    cur.execute("CREATE INDEX load_t_v_idx ON load_t USING hnsw (v vector_l2_ops) "
                "WITH (m = 16, ef_construction = 64)")
    build_s = time.time() - t0
    cur.execute("ANALYZE load_t")
    return build_s


def check_plans(conn):
    """The k-NN scripts must use the hnsw index (problems: list)."""
    cur = conn.cursor()
    problems = []
    cur.execute("SET enable_seqscan = off")  # as the pgbench sessions
    for sql in ("SELECT id FROM load_t ORDER BY v <-> (SELECT v FROM load_pool WHERE id = 1) LIMIT 10",
                "SELECT id FROM load_t WHERE cat = 3 ORDER BY v <-> (SELECT v FROM load_pool WHERE id = 1) LIMIT 10"):
        cur.execute("EXPLAIN (COSTS off) " + sql)
        plan = "\n".join(r[0] for r in cur.fetchall())
        if "load_t_v_idx" not in plan:
            problems.append("plan does not use the index:\n" + plan)
    cur.execute("RESET enable_seqscan")
    return problems


def parse_pgbench(out):
    """Per-script transaction counts and failure counts from pgbench's
    report (pgbench 15 output format)."""
    res = {"scripts": {}}
    m = re.search(r"number of transactions actually processed: (\d+)", out)
    res["transactions"] = int(m.group(1)) if m else None
    m = re.search(r"number of failed transactions: (\d+)", out)
    res["failed"] = int(m.group(1)) if m else 0
    for k in ("serialization failures", "deadlock failures"):
        m = re.search(r"number of %s: (\d+)" % k, out)
        res[k.replace(" ", "_")] = int(m.group(1)) if m else 0
    m = re.search(r"number of transactions retried: (\d+)", out)
    res["retried"] = int(m.group(1)) if m else 0
    for m in re.finditer(r"SQL script \d+: \S*/(\w+)\.sql\n(?: - weight.*\n)? - (\d+) transactions", out):
        res["scripts"][m.group(1)] = int(m.group(2))
    if not res["scripts"]:
        m = re.search(r"transaction type: \S*/(\w+)\.sql", out)
        if m:
            res["scripts"][m.group(1)] = res["transactions"]
    m = re.search(r"tps = ([\d.]+)", out)
    res["tps"] = float(m.group(1)) if m else None
    return res


def server_log(logfile, offset):
    """ERROR lines in the server log after byte offset, by SQLSTATE (the
    cluster's log_line_prefix ends in %e), and WARNING messages (numbers
    masked) with their counts."""
    counts, samples, warnings = {}, {}, {}
    if not logfile:
        return counts, samples, warnings
    with open(logfile, "rb") as f:
        f.seek(offset)
        for line in f.read().decode(errors="replace").splitlines():
            m = re.search(r" ([0-9A-Z]{5}) (ERROR|FATAL|PANIC|WARNING):\s+(.*)", line)
            if not m:
                continue
            if m.group(2) == "WARNING":
                key = re.sub(r"\d+", "N", m.group(3))
                warnings[key] = warnings.get(key, 0) + 1
            else:
                counts[m.group(1)] = counts.get(m.group(1), 0) + 1
                samples.setdefault(m.group(1), m.group(3))
    return counts, samples, warnings


def table_rows(conn):
    """(ids, cats, vectors) of the table's current rows."""
    cur = conn.cursor()
    cur.execute("SELECT id, cat, v::text FROM load_t")
    rows = cur.fetchall()
    return (np.array([r[0] for r in rows]), np.array([r[1] for r in rows]),
            np.stack([parse_vec(r[2]) for r in rows]).astype(np.float64))


def recall(conn, queries, rows, k=10, cat=None):
    """Mean recall@k of the index at the session's ef_search against exact
    top-k over rows (numpy), and the number of queries short of k rows."""
    ids, cats, x = rows
    cur = conn.cursor()
    cur.execute("SET enable_seqscan = off")
    if cat is not None:
        cur.execute("SET hnsw.iterative_scan = relaxed_order")
    total, short = 0.0, 0
    for i, q in enumerate(queries):
        d = np.einsum("ij,ij->i", x - q, x - q)
        if cat is not None:
            c = i % 10
            mask = cats == c
            truth = set(ids[mask][np.argsort(d[mask])[:k]].tolist())
            cur.execute("SELECT id FROM load_t WHERE cat = %s ORDER BY v <-> %s::vector LIMIT %s",
                        (c, workloadlib.vec_text(q), k))
        else:
            truth = set(ids[np.argsort(d)[:k]].tolist())
            cur.execute("SELECT id FROM load_t ORDER BY v <-> %s::vector LIMIT %s",
                        (workloadlib.vec_text(q), k))
        got = [r[0] for r in cur.fetchall()]
        short += len(got) < k
        total += len(truth.intersection(got)) / k
    cur.execute("RESET ALL")
    return total / len(queries), short


def hnsw_check(conn, label):
    """Run vecidx_hnsw_check; return None or the error text."""
    cur = conn.cursor()
    try:
        t0 = time.time()
        cur.execute("SELECT vecidx_hnsw_check('load_t_v_idx', true)")
        log("check (%s): clean, %.2f s" % (label, time.time() - t0))
        return None
    except Exception as e:  # noqa: BLE001 -- report whatever it is
        log("check (%s) FAILED: %s" % (label, e))
        return "%s: %s" % (label, e)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pg-config", default=os.environ.get("PG_CONFIG", "pg_config"))
    ap.add_argument("--port", type=int, default=56720)
    ap.add_argument("--start", action="store_true",
                    help="start a throwaway cluster (else use PGHOST/PGPORT)")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--pool", type=int, default=20000)
    ap.add_argument("--vacuum-every", type=int, default=5)
    ap.add_argument("--recall-queries", type=int, default=200)
    ap.add_argument("--output", default="")
    args = ap.parse_args()

    base, pool, queries = make_data(args.rows, args.pool, args.recall_queries)
    bindir = subprocess.check_output([args.pg_config, "--bindir"], text=True).strip()
    cluster = None
    if args.start:
        cluster = workloadlib.Cluster(
            args.pg_config, args.port, name="vx-load", keep=args.keep,
            settings={"log_line_prefix": "%m [%p] %e ",
                      "shared_buffers": "512MB"}).start()
    logfile = os.path.join(cluster.dir, "server.log") if cluster else None
    report = {"clients": args.clients, "seconds": args.seconds,
              "rows": args.rows, "problems": [], "check_failed": False}
    problems = report["problems"]
    tmp = None
    try:
        conn = workloadlib.connect()
        cur = conn.cursor()
        report["build_s"] = setup(conn, base, pool)
        report["index_bytes_before"] = index_size(cur)
        cur.execute("SELECT max(id) FROM load_t")
        max_before = cur.fetchone()[0]
        cur.execute("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'load_t'")
        vac_before = cur.fetchone()[0]
        problems += check_plans(conn)
        log("built index over %d rows in %.2f s, %.1f MB"
            % (args.rows, report["build_s"], report["index_bytes_before"] / 1e6))

        tmp = tempfile.mkdtemp(prefix="vx-load-scripts-")
        files = {}
        for name, text in SCRIPTS.items():
            files[name] = os.path.join(tmp, name + ".sql")
            with open(files[name], "w") as f:
                f.write(text.format(pool=args.pool, vacuum_every=args.vacuum_every))
        env = dict(os.environ, PGOPTIONS="-c enable_seqscan=off")
        pgb = os.path.join(bindir, "pgbench")
        common = ["-n", "-T", str(args.seconds), "--max-tries", "10",
                  "--failures-detailed"]
        main_cmd = [pgb] + common + ["-c", str(args.clients),
                                     "-j", str(min(args.clients, 2))]
        for name, w in WEIGHTS.items():
            main_cmd += ["-f", "%s@%d" % (files[name], w)]
        vac_cmd = [pgb] + common + ["-c", "1", "-f", files["vacuum"]]
        log_off = os.path.getsize(logfile) if logfile else 0
        log("running: %s" % " ".join(main_cmd))
        t0 = time.time()
        p1 = subprocess.Popen(main_cmd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        p2 = subprocess.Popen(vac_cmd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        out1, err1 = p1.communicate()
        out2, err2 = p2.communicate()
        report["wall_s"] = time.time() - t0
        report["pgbench"] = parse_pgbench(out1)
        report["pgbench_vacuum"] = parse_pgbench(out2)
        report["pgbench_rc"] = [p1.returncode, p2.returncode]
        aborted = [l for l in (err1 + err2).splitlines()
                   if "aborted" in l or "ERROR" in l or "error" in l]
        report["pgbench_error_lines"] = aborted[:50]
        if p1.returncode != 0 or p2.returncode != 0:
            problems.append("pgbench exit status %s" % report["pgbench_rc"])
        counts, samples, warnings = server_log(logfile, log_off)
        report["errors_by_sqlstate"] = counts
        report["error_samples"] = samples
        for st, n in counts.items():
            if st not in ACCEPTABLE_SQLSTATES:
                problems.append("%d errors with SQLSTATE %s (%s)" % (n, st, samples[st]))
        if not logfile and aborted:
            problems.append("pgbench reported errors: %s" % aborted[:5])

        cur.execute("SELECT count(*), count(*) FILTER (WHERE id <= %s), max(id) FROM load_t",
                    (max_before,))
        n_now, n_old, max_now = cur.fetchone()
        n_new = n_now - n_old
        # Sequence values used (no insert fails, so none is lost).
        report["rows_inserted"] = max_now - max_before
        report["rows_deleted"] = args.rows + report["rows_inserted"] - n_now
        report["rows_now"] = n_now
        sc = report["pgbench"]["scripts"]
        report["queries_answered"] = sc.get("knn", 0) + sc.get("knn_cat", 0)
        report["index_bytes_after_run"] = index_size(cur)
        time.sleep(0.6)  # let the cumulative statistics catch up
        cur.execute("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'load_t'")
        report["vacuums_run"] = cur.fetchone()[0] - vac_before
        log("inserted %d, deleted %d (rows now %d, %d of them new), queries %d"
            % (report["rows_inserted"], report["rows_deleted"], n_now, n_new,
               report["queries_answered"]))

        for label in ("after the run, before VACUUM", "after VACUUM"):
            if label == "after VACUUM":
                cur.execute("VACUUM load_t")
                report["index_bytes_after_vacuum"] = index_size(cur)
            err = hnsw_check(conn, label)
            if err:
                problems.append(err)
                report["check_failed"] = True
        cur.execute("SHOW hnsw.ef_search")
        report["ef_search"] = cur.fetchone()[0]
        rows = table_rows(conn)
        report["recall_at_10"], report["recall_short"] = recall(conn, queries, rows)
        report["recall_at_10_cat"], report["recall_cat_short"] = recall(conn, queries, rows, cat=True)
        cur.execute("REINDEX INDEX load_t_v_idx")
        report["index_bytes_reindexed"] = index_size(cur)
        report["recall_at_10_fresh"], _ = recall(conn, queries, rows)
        report["recall_at_10_cat_fresh"], _ = recall(conn, queries, rows, cat=True)
        if report["recall_short"] or report["recall_cat_short"]:
            problems.append("recall check: %d / %d queries returned fewer than 10 rows"
                            % (report["recall_short"], report["recall_cat_short"]))
        conn.close()
        # Warnings of the run and of the final VACUUM (e.g. nodes vacuum
        # could not relink).
        report["server_warnings"] = server_log(logfile, log_off)[2]
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        if cluster:
            cluster.stop()

    r = report
    pg = r["pgbench"]
    print()
    print("load test: %d clients + 1 vacuum client, %d s, %d rows of %d-d clustered data, "
          "hnsw m=16 ef_construction=64" % (r["clients"], r["seconds"], r["rows"], DIM))
    print("  transactions      %s (%.0f tps; by script: %s)"
          % (pg["transactions"], pg["tps"] or 0, pg["scripts"]))
    print("  rows inserted     %d" % r["rows_inserted"])
    print("  rows deleted      %d" % r["rows_deleted"])
    print("  rows at the end   %d" % r["rows_now"])
    print("  queries answered  %d (knn %d, knn with filter %d)"
          % (r["queries_answered"], pg["scripts"].get("knn", 0), pg["scripts"].get("knn_cat", 0)))
    print("  vacuums run       %d" % r["vacuums_run"])
    print("  retried / failed  %d / %d (serialization %d, deadlock %d)"
          % (pg["retried"], pg["failed"], pg["serialization_failures"], pg["deadlock_failures"]))
    print("  errors by SQLSTATE %s" % (r["errors_by_sqlstate"] or "none")
          + ("" if logfile else " (server log not available: pgbench's report only)"))
    if logfile:
        print("  server warnings   %s" % (
            "; ".join("%d x %s" % (n, w) for w, n in r["server_warnings"].items()) or "none"))
    print("  index size        %.2f MB before, %.2f MB after the run, %.2f MB after VACUUM, "
          "%.2f MB after REINDEX"
          % (r["index_bytes_before"] / 1e6, r["index_bytes_after_run"] / 1e6,
             r["index_bytes_after_vacuum"] / 1e6, r["index_bytes_reindexed"] / 1e6))
    print("  vecidx_hnsw_check %s" % ("FAILED" if r["check_failed"] else "clean (after the run, and after VACUUM)"))
    print("  recall@10 (ef_search %s, %d queries): %.4f, with cat filter %.4f; "
          "fresh build on the same rows: %.4f / %.4f"
          % (r["ef_search"], args.recall_queries, r["recall_at_10"], r["recall_at_10_cat"],
             r["recall_at_10_fresh"], r["recall_at_10_cat_fresh"]))
    for p in problems:
        print("PROBLEM: %s" % p)
    out = args.output or os.path.join(os.getcwd(), "bench-results",
                                      "load-%s.json" % time.strftime("%Y%m%dT%H%M%S"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
    print("JSON: %s" % out)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
