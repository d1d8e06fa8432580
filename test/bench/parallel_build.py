#!/usr/bin/python3
"""Parallel build benchmark (issue 14): CREATE INDEX ... USING hnsw with one
process and with more (leader + max_parallel_maintenance_workers workers) on a
generated, seeded clustered set, recall@10 of each index at one ef_search.

Runs a throwaway cluster (pgserver.Cluster) of the PostgreSQL whose pg_config
is given, with vecidx installed there.  Every configuration is built --runs
times, interleaved (1, 2, 1, 2, ...) so that a change in the machine's load
falls on both; medians are printed and everything goes to a JSON file.  It
is a benchmark: nothing is asserted.

  /usr/bin/python3 test/bench/parallel_build.py --pg-config PATH \\
      --rows 200000 --dim 128 --processes 1,2 --runs 3
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import datasets             # noqa: E402
import pgserver             # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg-config", default=os.environ.get("PG_CONFIG", "pg_config"))
    p.add_argument("--rows", type=int, default=200000)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--clusters", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--metric", default="euclidean", choices=sorted(pgserver.OPCLASS))
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=64)
    p.add_argument("--ef-search", type=int, default=40)
    p.add_argument("--processes", default="1,2",
                   help="comma-separated build process counts (leader + workers)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--maintenance-work-mem", default="1GB")
    p.add_argument("--shared-buffers", default="1GB")
    p.add_argument("--port-range", default="55590-55599")
    p.add_argument("--out", default=None, help="JSON path (default bench-results/...)")
    return p.parse_args(argv)


def lscpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def build_once(bench, args, procs, notices):
    """One CREATE INDEX with procs processes; its time, workers launched, recall."""
    bench.conn.execute("SET max_parallel_maintenance_workers = %d" % (procs - 1))
    bench.conn.execute("SET client_min_messages = debug1")
    del notices[:]
    r = bench.build_index(args.m, args.ef_construction)
    bench.conn.execute("RESET client_min_messages")
    launched = 0
    memory = None
    for n in notices:
        if "parallel workers launched" in n:
            launched = int(n.split("hnsw build: ")[1].split()[0])
        if "graph memory" in n:
            memory = float(n.split("graph memory ")[1].split()[0])
    bench.session(True, args.ef_search)
    bench.prepare("q")
    ids, _lat, _wall = bench.run_queries("q", bench_queries)
    bench.deallocate_all()
    rec = datasets.recall_at(ids, bench_gt, 10)
    return {"processes": procs, "build_s": r["build_s"], "workers_launched": launched,
            "processes_seen": r["build_processes_seen"], "peak_memory_mb": memory,
            "recall_at_10": rec}


def main(argv=None):
    global bench_queries, bench_gt
    args = parse_args(argv)
    procs_list = [int(x) for x in args.processes.split(",")]
    t0 = time.perf_counter()
    ds = datasets.synthetic(args.rows, args.dim, args.queries, args.metric, args.seed,
                            args.clusters, k=10)
    bench_queries, bench_gt = ds.queries, ds.groundtruth
    print("data: %s, generated in %.1f s" % (ds.name, time.perf_counter() - t0))
    settings = {"shared_buffers": args.shared_buffers,
                "maintenance_work_mem": args.maintenance_work_mem,
                "max_worker_processes": "8", "max_parallel_workers": "8",
                "max_parallel_maintenance_workers": str(max(procs_list) - 1),
                "max_parallel_workers_per_gather": "0", "jit": "off",
                "synchronous_commit": "off", "min_parallel_table_scan_size": "0"}
    lo, hi = (int(x) for x in args.port_range.split("-"))
    result = {"benchmark": "parallel_build", "args": vars(args), "cpu": lscpu_model(),
              "nproc": os.cpu_count(), "dataset": ds.name, "settings": settings,
              "runs": [], "note": "shared machine: medians of --runs interleaved builds"}
    with pgserver.Cluster(args.pg_config, pgserver.free_port(lo, hi), settings) as cluster:
        bench = pgserver.PgBench(cluster.dsn(), "items", args.metric, args.dim)
        notices = []
        bench.conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        bench.setup_extensions()
        result["server"] = bench.server_info()
        result["load"] = bench.load(ds.base)
        bench.conn.execute("ALTER TABLE items SET (parallel_workers = %d)"
                           % (max(procs_list) - 1))
        bench.prewarm(with_index=False)
        for run in range(args.runs):
            for procs in procs_list:
                r = build_once(bench, args, procs, notices)
                r["run"] = run
                result["runs"].append(r)
                print("run %d, %d process(es): build %.2f s, workers launched %d, "
                      "recall@10 %.4f, peak memory %s MB"
                      % (run, procs, r["build_s"], r["workers_launched"],
                         r["recall_at_10"], r["peak_memory_mb"]))
        bench.close()
    summary = {}
    for procs in procs_list:
        rs = [r for r in result["runs"] if r["processes"] == procs]
        summary[procs] = {"median_build_s": statistics.median(r["build_s"] for r in rs),
                          "median_recall_at_10": statistics.median(r["recall_at_10"] for r in rs),
                          "builds": len(rs)}
    base = summary[procs_list[0]]["median_build_s"]
    for procs in procs_list:
        summary[procs]["time_ratio_to_%d" % procs_list[0]] = summary[procs]["median_build_s"] / base
    result["summary"] = summary
    print("\n%s, m = %d, ef_construction = %d, recall@10 at ef_search %d; CPU %s (%s cores, "
          "shared machine; medians of %d)" % (ds.name, args.m, args.ef_construction,
                                               args.ef_search, result["cpu"], result["nproc"],
                                               args.runs))
    for procs in procs_list:
        s = summary[procs]
        print("  %d process(es): build %.2f s (x%.2f), recall@10 %.4f"
              % (procs, s["median_build_s"], s["time_ratio_to_%d" % procs_list[0]],
                 s["median_recall_at_10"]))
    out = args.out
    if out is None:
        top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
        os.makedirs(os.path.join(top, "bench-results"), exist_ok=True)
        out = os.path.join(top, "bench-results", "parallel-build-%s-%s.json"
                           % (ds.name, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())))
    with open(out, "w") as f:
        json.dump(result, f, indent=1, default=str)
    print("wrote %s" % os.path.normpath(out))


if __name__ == "__main__":
    main()
