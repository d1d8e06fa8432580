#!/usr/bin/python3
"""
test/bench/function_cost.py -- the COST of the distance functions, measured
as core measures its own: time per call relative to a cheap builtin (int4pl,
COST 1), in a sequential scan (issue 12).

For each dimension it loads --rows clustered rows twice, once with the
vector column at STORAGE plain (always in the heap tuple) and once at the
type's default STORAGE external (out of line once the row passes the TOAST
threshold, about 2 kB), and times

    SELECT count(v) FROM t             SELECT count(v <op> 'q') FROM t

and, on a table of 2,000,000 int4 rows (measured again beside each table),

    SELECT count(id) FROM fc_int       SELECT count(id + 1 + ... + 1) FROM fc_int
                                       (20 additions)

(the least CPU time of the backend over --passes, from /proc/PID/schedstat:
the machine is shared, so wall times measure the neighbours too; the server
must run on this machine); per call = (time with the call - time without) /
rows.  The ratio of a distance call to an int4pl call is its cost in units
of cpu_operator_cost.  Under STORAGE external the difference includes
fetching and detoasting the value (count(v) does not detoast).

Prints a table and writes JSON to bench-results/function-cost-<time>.json.
A benchmark: it asserts nothing.

Usage (as root: the cluster runs as postgres):
  /usr/bin/python3 test/bench/function_cost.py --pg-config $PG_CONFIG \
      [--dims 32,128,384,768,1536] [--rows 20000] [--dsn DSN]
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgserver import COPY_HEADER, COPY_TRAILER, copy_binary_rows  # noqa: E402
from planner_matrix import REPO, Server, clustered, log  # noqa: E402

OPS = {"l2_distance": "<->", "vector_negative_inner_product": "<#>",
       "cosine_distance": "<=>", "l1_distance": "<+>"}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg-config", default=os.environ.get("PG_CONFIG", "pg_config"))
    p.add_argument("--dsn")
    p.add_argument("--keep-dir")
    p.add_argument("--reuse-dir")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--dims", default="32,128,384,768,1536")
    p.add_argument("--rows", type=int, default=20000)
    p.add_argument("--passes", type=int, default=7)
    p.add_argument("--out", default=os.path.join(REPO, "bench-results"))
    return p.parse_args(argv)


def cpu_ns(pid):
    """CPU time the backend has run, in ns (/proc/PID/schedstat, first field)."""
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def timed(conn, sql, passes):
    """Least CPU time of the backend over `passes` runs (after one unmeasured), in
    seconds: the machine is shared, so wall time measures the neighbours too."""
    pid = conn.info.backend_pid
    conn.execute(sql).fetchall()
    lat = []
    for _ in range(passes):
        t0 = cpu_ns(pid)
        conn.execute(sql).fetchall()
        lat.append((cpu_ns(pid) - t0) * 1e-9)
    return min(lat)


def int4pl_call(conn, passes, n=2000000, calls=20):
    """Seconds per int4pl call: count(id + 1 + ... + 1), `calls` additions, against
    count(id) over n int4 rows (one call alone is lost in the noise)."""
    conn.execute("DROP TABLE IF EXISTS fc_int")
    conn.execute("CREATE TABLE fc_int AS SELECT i AS id FROM generate_series(1, %d) i" % n)
    conn.execute("VACUUM ANALYZE fc_int")
    t_id = timed(conn, "SELECT count(id) FROM fc_int", passes)
    t_pl = timed(conn, "SELECT count(id%s) FROM fc_int" % (" + 1" * calls), passes)
    return (t_pl - t_id) / (n * calls)


def load(conn, name, n, d, storage, rng):
    conn.execute("DROP TABLE IF EXISTS %s" % name)
    conn.execute("CREATE TABLE %s (id int4, v vector(%d))" % (name, d))
    conn.execute("ALTER TABLE %s ALTER COLUMN v SET STORAGE %s" % (name, storage))
    with conn.cursor() as cur:
        with cur.copy("COPY %s (id, v) FROM STDIN (FORMAT BINARY)" % name) as cp:
            cp.write(COPY_HEADER)
            cp.write(copy_binary_rows(np.arange(n, dtype=np.int32), clustered(n, d, rng)))
            cp.write(COPY_TRAILER)
    conn.execute("VACUUM ANALYZE %s" % name)
    toast = conn.execute("SELECT coalesce(pg_relation_size(reltoastrelid), 0) FROM pg_class "
                         "WHERE oid = %s::regclass", (name,)).fetchone()[0]
    conn.execute("SELECT pg_prewarm(%s::regclass)", (name,))
    if toast:
        conn.execute("SELECT pg_prewarm(reltoastrelid) FROM pg_class WHERE oid = %s::regclass",
                     (name,))
        conn.execute("SELECT pg_prewarm(indexrelid) FROM pg_index WHERE indrelid = "
                     "(SELECT reltoastrelid FROM pg_class WHERE oid = %s::regclass)", (name,))
    return toast


def main(argv=None):
    args = parse_args(argv)
    dims = [int(x) for x in args.dims.split(",")]
    server = Server(args)
    dsn = server.start()
    rows = []
    try:
        conn = psycopg.connect(dsn, autocommit=True)
        conn.execute("CREATE EXTENSION IF NOT EXISTS vecidx")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        conn.execute("SET max_parallel_workers_per_gather = 0")
        rng = np.random.default_rng(5)
        for d in dims:
            q = "[" + ",".join("%.5g" % x for x in rng.normal(size=d)) + "]"
            for storage in ("plain", "external"):
                if storage == "plain" and d > 2000:
                    continue
                name = "fc_%d_%s" % (d, storage)
                log("table %s" % name)
                toast = load(conn, name, args.rows, d, storage, rng)
                n = args.rows
                int4pl = int4pl_call(conn, args.passes)
                t_v = timed(conn, "SELECT count(v) FROM %s" % name, args.passes)
                row = {"dim": d, "storage": storage, "rows": n, "toast_bytes": toast,
                       "int4pl_ns": int4pl * 1e9, "functions": {}}
                for fn, op in OPS.items():
                    t = timed(conn, "SELECT count(v %s '%s') FROM %s" % (op, q, name),
                              args.passes)
                    per = (t - t_v) / n
                    row["functions"][fn] = {"ns": per * 1e9, "cost": per / int4pl}
                rows.append(row)
                log("  int4pl %.1f ns; %s" % (row["int4pl_ns"], ", ".join(
                    "%s %.0f ns = %.1f" % (op, row["functions"][fn]["ns"],
                                           row["functions"][fn]["cost"])
                    for fn, op in OPS.items())))
        conn.close()
    finally:
        server.stop()
    print("%5s %-9s %8s | %s" % ("dim", "storage", "int4pl", " ".join(
        "%15s" % op for op in OPS.values())))
    for r in rows:
        print("%5d %-9s %6.1fns | %s" % (r["dim"], r["storage"], r["int4pl_ns"], " ".join(
            "%7.0fns %5.1f" % (r["functions"][fn]["ns"], r["functions"][fn]["cost"])
            for fn in OPS)))
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "function-cost-%s.json" % time.strftime("%Y%m%dT%H%M%S"))
    with open(path, "w") as f:
        json.dump({"rows": rows}, f, indent=1)
    print("JSON: %s" % path)


if __name__ == "__main__":
    main()
