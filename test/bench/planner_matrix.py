#!/usr/bin/python3
"""
test/bench/planner_matrix.py -- does the planner pick the faster plan for
ORDER BY v <-> q LIMIT 10 (issue 12)?

For every table size x dimension it loads a table

    planner_<rows>_<dim> (id int4, v vector(dim),
                          cat int4 GENERATED ALWAYS AS (id % 100) STORED)

(clustered gaussian rows, the vector column at its default STORAGE external,
a btree on cat, an hnsw index with m = 16, ef_construction = 64), and for
each hnsw.ef_search and each query shape

    plain      SELECT id FROM t ORDER BY v <-> q LIMIT 10
    filtered   SELECT id FROM t WHERE cat = 7 ORDER BY v <-> q LIMIT 10   (1%)

times three plans:
    index   the hnsw scan, forced (enable_seqscan, enable_bitmapscan and
            enable_sort off);
    exact   every plan but an index scan (enable_indexscan off): a
            sequential scan + top-N sort, or a bitmap scan on cat + sort;
    chosen  what the planner picks with nothing forced;
and records each plan's estimated total cost (EXPLAIN), the hnsw plan's
buffer accesses per query (EXPLAIN (ANALYZE, BUFFERS)), and whether the
chosen plan is the faster of index and exact ("right"), or within 20% of
it ("close": the two are about equal and either choice is fine).

Times are medians over --queries query vectors (the exact plan is timed
on fewer, --exact-queries, as it does not depend on ef_search), measured
as the backend's CPU time (/proc/PID/schedstat: the server must run on this
machine; parallel plans are off so the backend does all the work),
everything prewarmed.  Prints a table and writes JSON to
bench-results/planner-<time>.json.  A benchmark: it asserts nothing.

Usage (as root: the cluster runs as postgres):
  make PG_CONFIG=$PG_CONFIG install
  /usr/bin/python3 test/bench/planner_matrix.py --pg-config $PG_CONFIG \
      [--rows 1000,10000,100000] [--dims 128,768,1536] \
      [--ef 10,40,100,200,400,1000] [--keep-dir DIR | --dsn DSN]
--dsn uses a running server (tables already there of the right size are
reused); --keep-dir keeps the throwaway cluster's data for the next run
(--reuse-dir DIR starts it again).
"""

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgserver import COPY_HEADER, COPY_TRAILER, copy_binary_rows, free_port  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SETTINGS = {"shared_buffers": "2GB", "maintenance_work_mem": "1GB", "jit": "off",
            "max_wal_size": "4GB", "checkpoint_timeout": "30min", "fsync": "off",
            "synchronous_commit": "off", "full_page_writes": "off",
            "max_parallel_workers_per_gather": "0"}
FORCE = {
    "index": ["SET enable_seqscan = off", "SET enable_bitmapscan = off",
              "SET enable_sort = off"],
    "exact": ["SET enable_indexscan = off"],
    "chosen": [],
}
RESET = ["RESET enable_seqscan", "RESET enable_bitmapscan", "RESET enable_sort",
         "RESET enable_indexscan"]


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg-config", default=os.environ.get("PG_CONFIG", "pg_config"))
    p.add_argument("--dsn", help="use this running server instead of a throwaway cluster")
    p.add_argument("--keep-dir", help="create the cluster here and keep it (stopped)")
    p.add_argument("--reuse-dir", help="start the cluster kept by --keep-dir in this directory")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--rows", default="1000,10000,100000")
    p.add_argument("--dims", default="128,768,1536")
    p.add_argument("--ef", default="10,40,100,200,400,1000")
    p.add_argument("--shapes", default="plain,filtered")
    p.add_argument("--queries", type=int, default=7)
    p.add_argument("--exact-queries", type=int, default=3)
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--out", default=os.path.join(REPO, "bench-results"))
    return p.parse_args(argv)


def ints(s):
    return [int(x) for x in s.split(",") if x]


class Server:
    """A cluster under /tmp (or --keep-dir) run as postgres, or a given DSN."""

    def __init__(self, args):
        self.args = args
        self.proc_dir = None
        self.bindir = subprocess.check_output([args.pg_config, "--bindir"], text=True).strip()
        self.as_root = os.geteuid() == 0

    def _run(self, argv):
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)

    def start(self):
        a = self.args
        if a.dsn:
            return a.dsn
        port = a.port or free_port(55200, 55299)
        top = a.reuse_dir or a.keep_dir or ("/tmp/h-planner-%d" % os.getpid())
        data = os.path.join(top, "data")
        if not a.reuse_dir:
            if os.path.exists(top):
                shutil.rmtree(top)
            os.makedirs(top)
            if self.as_root:
                shutil.chown(top, "postgres", "postgres")
            self._run([os.path.join(self.bindir, "initdb"), "-D", data, "-U", "postgres",
                       "--auth=trust", "--no-locale", "-E", "UTF8", "-N"])
        conf = dict(SETTINGS, listen_addresses="''", port=str(port),
                    unix_socket_directories="'%s'" % top)
        with open(os.path.join(data, "postgresql.auto.conf"), "w") as f:
            for k, v in conf.items():
                f.write("%s = %s\n" % (k, v))
        self._run([os.path.join(self.bindir, "pg_ctl"), "-D", data, "-w", "-l",
                   os.path.join(top, "server.log"), "start"])
        self.proc_dir = top
        return "host=%s port=%d user=postgres dbname=postgres" % (top, port)

    def stop(self):
        if not self.proc_dir:
            return
        self._run([os.path.join(self.bindir, "pg_ctl"), "-D",
                   os.path.join(self.proc_dir, "data"), "-w", "-m", "fast", "stop"])
        if not (self.args.keep_dir or self.args.reuse_dir):
            shutil.rmtree(self.proc_dir, ignore_errors=True)


def clustered(n, d, rng, clusters=50):
    centres = rng.normal(0.0, 1.0, (clusters, d)).astype(np.float32)
    lab = rng.integers(0, clusters, n)
    return (centres[lab] + rng.normal(0.0, 0.35, (n, d))).astype(np.float32)


def load_table(conn, name, n, d, rng):
    """Create and fill table `name` unless it already holds n rows; index it."""
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]
    if exists and conn.execute("SELECT count(*) FROM %s" % name).fetchone()[0] == n:
        rng.normal(size=1)
        return None
    conn.execute("DROP TABLE IF EXISTS %s" % name)
    conn.execute("CREATE TABLE %s (id int4, v vector(%d), "
                 "cat int4 GENERATED ALWAYS AS (id %% 100) STORED)" % (name, d))
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        with cur.copy("COPY %s (id, v) FROM STDIN (FORMAT BINARY)" % name) as cp:
            cp.write(COPY_HEADER)
            for start in range(0, n, 10000):
                stop = min(n, start + 10000)
                cp.write(copy_binary_rows(np.arange(start, stop, dtype=np.int32),
                                          clustered(stop - start, d, rng)))
            cp.write(COPY_TRAILER)
    conn.execute("CREATE INDEX ON %s (cat)" % name)
    t1 = time.perf_counter()
    conn.execute("CREATE INDEX %s_hnsw ON %s USING hnsw (v vector_l2_ops) "
                 "WITH (m = 16, ef_construction = 64)" % (name, name))
    t2 = time.perf_counter()
    conn.execute("VACUUM ANALYZE %s" % name)
    return {"load_s": t1 - t0, "build_s": t2 - t1}


def sizes(conn, name):
    row = conn.execute(
        "SELECT pg_relation_size(c.oid), coalesce(pg_relation_size(c.reltoastrelid), 0), "
        "pg_relation_size(%s::regclass) FROM pg_class c WHERE c.oid = %s::regclass",
        (name + "_hnsw", name)).fetchone()
    return {"heap_bytes": row[0], "toast_bytes": row[1], "index_bytes": row[2]}


def prewarm(conn, name):
    rels = [name, name + "_hnsw"]
    toast = conn.execute("SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = "
                         "%s::regclass AND reltoastrelid <> 0", (name,)).fetchone()
    if toast:
        rels.append(toast[0])
        rels += [r[0] for r in conn.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass",
            (toast[0],)).fetchall()]
    for r in rels:
        conn.execute("SELECT pg_prewarm(%s::regclass)", (r,))


def query_text(name, shape, q):
    lit = "[" + ",".join("%.6g" % x for x in q) + "]"
    where = " WHERE cat = 7" if shape == "filtered" else ""
    return "SELECT id FROM %s%s ORDER BY v <-> '%s' LIMIT 10" % (name, where, lit)


def plan_summary(plan):
    """('hnsw' | 'seq' | 'bitmap' | other node name, top total cost) of a JSON plan."""
    kinds = []

    def walk(node):
        t = node["Node Type"]
        if t == "Index Scan" and node.get("Index Name", "").endswith("_hnsw"):
            kinds.append("hnsw")
        elif t in ("Seq Scan", "Bitmap Heap Scan", "Index Scan"):
            kinds.append({"Seq Scan": "seq", "Bitmap Heap Scan": "bitmap"}.get(t, "btree"))
        for c in node.get("Plans", []):
            walk(c)
    walk(plan["Plan"])
    if plan["Plan"]["Node Type"] == "Limit" and plan["Plan"]["Plans"][0]["Node Type"] == \
            "Gather Merge":
        kinds.append("parallel")
    return "+".join(kinds) or plan["Plan"]["Node Type"], plan["Plan"]["Total Cost"]


def explain(conn, sql, analyze=False):
    opts = "ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON" if analyze else "FORMAT JSON"
    plan = conn.execute("EXPLAIN (%s) %s" % (opts, sql)).fetchone()[0]
    return plan[0] if isinstance(plan, list) else plan


def buffers(plan):
    p = plan["Plan"]
    return p.get("Shared Hit Blocks", 0) + p.get("Shared Read Blocks", 0)


def cpu_ns(pid):
    """CPU time the backend has run, in ns (/proc/PID/schedstat, first field)."""
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def time_plan(conn, sqls, warm=0):
    """Median CPU milliseconds of the backend running each query in sqls (after
    `warm` unmeasured runs).  CPU time, not wall time: the machine is shared, and
    wall time measures the neighbours too (parallel plans are off, so the
    backend does all the work)."""
    pid = conn.info.backend_pid
    for sql in sqls[:warm]:
        conn.execute(sql).fetchall()
    lat = []
    for sql in sqls:
        t0 = cpu_ns(pid)
        conn.execute(sql).fetchall()
        lat.append((cpu_ns(pid) - t0) * 1e-9)
    return statistics.median(lat) * 1e3


def force(conn, mode):
    for s in RESET + FORCE[mode]:
        conn.execute(s)


def measure(conn, name, shape, efs, queries, args):
    """One table and query shape: the exact plan once, index and chosen per ef."""
    sqls = [query_text(name, shape, q) for q in queries]
    out = []
    force(conn, "exact")
    conn.execute("SET hnsw.ef_search = 40")
    ex_plan, ex_cost = plan_summary(explain(conn, sqls[0]))
    ex_ms = time_plan(conn, sqls[:args.exact_queries], warm=1)
    for ef in efs:
        conn.execute("SET hnsw.ef_search = %d" % ef)
        force(conn, "index")
        ix_plan, ix_cost = plan_summary(explain(conn, sqls[0]))
        ix_buf = statistics.median(buffers(explain(conn, s, analyze=True)) for s in sqls[:3])
        ix_ms = time_plan(conn, sqls, warm=len(sqls))
        force(conn, "chosen")
        ch_plan, ch_cost = plan_summary(explain(conn, sqls[0]))
        best = "index" if ix_ms <= ex_ms else "exact"
        chosen = "index" if "hnsw" in ch_plan else "exact"
        ch_ms = ix_ms if chosen == "index" else ex_ms
        out.append({
            "table": name, "shape": shape, "ef_search": ef,
            "index": {"plan": ix_plan, "cost": ix_cost, "ms": ix_ms, "buffers": ix_buf},
            "exact": {"plan": ex_plan, "cost": ex_cost, "ms": ex_ms},
            "chosen": {"plan": ch_plan, "cost": ch_cost, "kind": chosen},
            "faster": best, "right": chosen == best,
            "close": ch_ms <= 1.2 * min(ix_ms, ex_ms),
        })
    force(conn, "chosen")
    return out


def print_table(points):
    hdr = ("%-18s %-8s %5s | %9s %9s %7s | %9s %9s | %-14s %s"
           % ("table", "shape", "ef", "index ms", "cost", "bufs", "exact ms", "cost",
              "chosen", "verdict"))
    print(hdr)
    print("-" * len(hdr))
    for p in points:
        verdict = "ok" if p["right"] else ("close" if p["close"] else "WRONG")
        print("%-18s %-8s %5d | %9.2f %9.1f %7d | %9.2f %9.1f | %-14s %s"
              % (p["table"], p["shape"], p["ef_search"], p["index"]["ms"],
                 p["index"]["cost"], p["index"]["buffers"], p["exact"]["ms"],
                 p["exact"]["cost"], p["chosen"]["plan"], verdict))
    n = len(points)
    right = sum(p["right"] for p in points)
    close = sum((not p["right"]) and p["close"] for p in points)
    print("\n%d points: %d right, %d close (within 20%%), %d wrong"
          % (n, right, close, n - right - close))


def main(argv=None):
    args = parse_args(argv)
    rows, dims, efs = ints(args.rows), ints(args.dims), ints(args.ef)
    shapes = args.shapes.split(",")
    server = Server(args)
    dsn = server.start()
    result = {"started": datetime.datetime.utcnow().isoformat() + "Z",
              "settings": SETTINGS, "tables": {}, "points": []}
    try:
        conn = psycopg.connect(dsn, autocommit=True)
        conn.execute("CREATE EXTENSION IF NOT EXISTS vecidx")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        result["server_version"] = conn.execute("SHOW server_version").fetchone()[0]
        result["git"] = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                                       capture_output=True, text=True).stdout.strip()
        result["cpu"] = re.sub(r"\s+", " ", subprocess.run(
            ["sh", "-c", "lscpu | grep 'Model name'"], capture_output=True,
            text=True).stdout.split(":", 1)[-1]).strip()
        rng = np.random.default_rng(args.seed)
        for d in dims:
            queries = clustered(max(args.queries, args.exact_queries), d,
                                np.random.default_rng(args.seed + d))
            for n in rows:
                name = "planner_%d_%d" % (n, d)
                log("table %s" % name)
                info = load_table(conn, name, n, d, rng) or {}
                info.update(sizes(conn, name))
                result["tables"][name] = info
                prewarm(conn, name)
                for shape in shapes:
                    pts = measure(conn, name, shape, efs, queries, args)
                    result["points"] += pts
                    for p in pts:
                        log("  %s ef %d: index %.2f ms, exact %.2f ms, chosen %s"
                            % (shape, p["ef_search"], p["index"]["ms"], p["exact"]["ms"],
                               p["chosen"]["plan"]))
        conn.close()
    finally:
        server.stop()
    print_table(result["points"])
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "planner-%s.json" % time.strftime("%Y%m%dT%H%M%S"))
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    print("JSON: %s" % path)


if __name__ == "__main__":
    main()
