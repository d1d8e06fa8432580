#!/usr/bin/python3
"""vecidx HNSW benchmark: our index in PostgreSQL beside hnswlib and FAISS, in one run.

Loads a texmex dataset (or generates a clustered one), loads it into PostgreSQL
by binary COPY, times CREATE INDEX ... USING hnsw, measures recall@10 / QPS /
p50 / p99 per ef_search over one connection with server-side prepared
statements, builds and queries python3-hnswlib and python3-faiss with the same
M / ef_construction, and writes JSON + a recall-vs-QPS plot to bench-results/.
Method: ../shared/BENCHMARKS.md (beside the clone).  Usage: test/bench/README.md.
"""

import argparse
import hashlib
import os
import platform
import signal
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import datasets  # noqa: E402
import inproc  # noqa: E402
import pgserver  # noqa: E402
import report  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
K = 10


def log(msg):
    print(msg, flush=True)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Benchmark the vecidx hnsw index against hnswlib and FAISS.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--dataset", help="texmex dataset name in --data-dir (e.g. small, "
                     "mnist-784-euclidean) or a path prefix PREFIX_{base,query,groundtruth}")
    src.add_argument("--synthetic", metavar="N,D",
                     help="generated clustered gaussian mixture of N vectors of D dims")
    ap.add_argument("--data-dir", default=os.path.join(os.path.dirname(REPO), "shared", "data"),
                    help="texmex files (default: ../shared/data beside the clone)")
    ap.add_argument("--metric", choices=datasets.METRICS,
                    help="override the metric (default: from datasets.json / name; "
                    "synthetic: euclidean)")
    ap.add_argument("--synthetic-queries", type=int, default=1000)
    ap.add_argument("--synthetic-clusters", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1, help="seed of the synthetic set")
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=64)
    ap.add_argument("--ef-search", default="10,20,40,80,160,320",
                    help="comma-separated ef_search values")
    ap.add_argument("--queries", type=int, help="use only the first N queries")
    ap.add_argument("--passes", "--runs", type=int, default=3,
                    help="query passes per system and ef_search; the fastest is kept")
    ap.add_argument("--builds", type=int, default=1,
                    help="build our index this many times (each followed by the query "
                    "passes); report medians and the spread, since graphs differ build to build")
    ap.add_argument("--index-option", action="append", default=[], metavar="NAME=VALUE",
                    help="extra WITH (...) option of CREATE INDEX (repeatable)")
    ap.add_argument("--no-index", action="store_true",
                    help="do not build our index (pipeline test before hnsw exists); "
                    "implies --exact-scan")
    ap.add_argument("--exact-scan", action="store_true",
                    help="also measure ORDER BY ... LIMIT 10 without an index (slow: "
                    "meant for small sets; see --exact-queries)")
    ap.add_argument("--exact-queries", type=int, default=100,
                    help="number of queries for the exact-scan baseline")
    ap.add_argument("--buffers-ef", type=int, default=40,
                    help="ef_search at which EXPLAIN (ANALYZE, BUFFERS) counts buffers")
    ap.add_argument("--buffers-queries", type=int, default=50)
    ap.add_argument("--clients", type=int, default=0,
                    help="also measure the aggregate QPS of this many concurrent clients "
                    "(separate processes) at --clients-ef")
    ap.add_argument("--clients-ef", type=int, default=40)
    ap.add_argument("--rotate", type=int, metavar="SEED",
                    help="rotate base and queries by a seeded random orthogonal matrix: the "
                    "same neighbours (ground truth unchanged), values off any integer lattice")
    ap.add_argument("--pgvector", action="store_true",
                    help="also measure pgvector (extension 'vector', installed into the same "
                    "server: ../shared/peers/build-pgvector) in a second database of the "
                    "same cluster, same rows, same m / ef_construction, alternating passes")
    ap.add_argument("--planner-free", action="store_true",
                    help="do not force the index (no enable_seqscan = off): the planner "
                    "chooses, as users see it; each plan is reported")
    ap.add_argument("--skip-hnswlib-native", action="store_true",
                    help="leave out hnswlib compiled -march=native (libhnswlib-dev, g++)")
    ap.add_argument("--skip-hnswlib", action="store_true")
    ap.add_argument("--skip-faiss", action="store_true")
    ap.add_argument("--skip-postgres", action="store_true",
                    help="run only the in-process libraries")
    ap.add_argument("--batch", action="store_true",
                    help="also time the in-process libraries with one call for all queries")
    pg = ap.add_argument_group("PostgreSQL")
    pg.add_argument("--dsn", help="use this existing server instead of a throwaway cluster "
                    "(its settings are reported, not changed)")
    pg.add_argument("--pg-config", default=os.environ.get("PG_CONFIG", "pg_config"),
                    help="pg_config of the PostgreSQL whose initdb/pg_ctl run the cluster "
                    "(vecidx must be installed there: make PG_CONFIG=... install)")
    pg.add_argument("--port-range", default="56500-56599",
                    help="LO-HI: the throwaway cluster takes the first free port")
    pg.add_argument("--shared-buffers", default=None,
                    help="default 6GB, or a quarter of RAM when that is less")
    pg.add_argument("--maintenance-work-mem", default="4GB")
    pg.add_argument("--work-mem", default="64MB")
    pg.add_argument("--max-parallel-maintenance-workers", type=int, default=1)
    pg.add_argument("--set", action="append", default=[], metavar="GUC=VALUE",
                    help="extra server setting for the throwaway cluster (repeatable)")
    pg.add_argument("--session-set", action="append", default=[], metavar="GUC=VALUE",
                    help="SET on the benchmark connections before load, build and queries "
                    "(repeatable), e.g. a vecidx search setting")
    pg.add_argument("--keep-cluster", action="store_true",
                    help="keep the cluster directory (stopped) for inspection")
    pg.add_argument("--table", default="vecidx_bench")
    pg.add_argument("--storage", choices=("plain", "main", "external", "extended"),
                    help="ALTER TABLE ... SET STORAGE of the vector column before loading "
                    "(default: the type's own)")
    pg.add_argument("--type", choices=pgserver.VTYPES, default="vector",
                    help="indexed column type: vector; halfvec (column converted after "
                    "loading, halfvec operator classes); bit (hnsw on binary_quantize(v)::bit(dim) "
                    "with bit_hamming_ops, ef_search Hamming candidates re-ranked by the metric)")
    pg.add_argument("--extension", default="vecidx",
                    help="extension that provides the vector type and the hnsw access method")
    ap.add_argument("--out-dir", default=os.path.join(REPO, "bench-results"))
    ap.add_argument("--no-plot", action="store_true")
    args = ap.parse_args(argv)
    if any("=" not in kv for kv in args.session_set + args.set + args.index_option):
        ap.error("--session-set, --set and --index-option take NAME=VALUE")
    args.ef_list = [int(x) for x in args.ef_search.split(",") if x.strip()]
    if not args.ef_list or min(args.ef_list) < 1:
        ap.error("--ef-search needs positive integers")
    if args.no_index:
        args.exact_scan = True
    if args.passes < 1 or args.builds < 1:
        ap.error("--passes and --builds must be at least 1")
    return args


def load_dataset(args):
    t0 = time.perf_counter()
    if args.synthetic:
        try:
            n, d = (int(x) for x in args.synthetic.split(","))
        except ValueError:
            sys.exit("--synthetic wants N,D (e.g. 100000,128)")
        ds = datasets.synthetic(n, d, nq=args.synthetic_queries,
                                metric=args.metric or "euclidean", seed=args.seed,
                                clusters=args.synthetic_clusters)
    else:
        ds = datasets.load_texmex(args.dataset, args.data_dir, args.metric)
    if args.queries:
        ds.queries = ds.queries[:args.queries]
        ds.groundtruth = ds.groundtruth[:args.queries]
    if args.rotate is not None:
        datasets.rotate(ds, args.rotate)
    log("dataset %s: %d x %d %s, %d queries (%.1f s to load)" % (
        ds.name, ds.base.shape[0], ds.dim, ds.metric, ds.queries.shape[0],
        time.perf_counter() - t0))
    return ds


def point(ef, ids, lat, wall, gt):
    return {"ef_search": ef, "recall": datasets.recall_at(ids, gt, K),
            "qps": len(ids) / wall, "wall_s": wall,
            "p50_ms": float(np.percentile(lat, 50) * 1e3),
            "p99_ms": float(np.percentile(lat, 99) * 1e3),
            "mean_ms": float(lat.mean() * 1e3), "queries": len(ids)}


def keep_best(store, key, pt):
    """Best of passes: keep the pass with the smallest wall time; remember all."""
    old = store.get(key)
    walls = (old["pass_walls_s"] if old else []) + [pt["wall_s"]]
    if old is None or pt["wall_s"] < old["wall_s"]:
        store[key] = pt
    store[key]["pass_walls_s"] = walls
    if old is not None and abs(old["recall"] - pt["recall"]) > 1e-12:
        store[key]["recall_varied_between_passes"] = True


def git_info():
    def git(*a):
        return subprocess.run(["git", "-C", REPO] + list(a), capture_output=True,
                              text=True).stdout.strip()
    return {"commit": git("rev-parse", "HEAD"), "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def host_info():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    flags = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                flags = line
                break
    return {"cpu": cpu, "cpus": os.cpu_count(), "mem_bytes": pgserver.mem_total_bytes(),
            "loadavg_at_start": os.getloadavg(),
            "avx2": " avx2" in flags, "avx512f": " avx512f" in flags,
            "python": platform.python_version(), "numpy": np.__version__}


def library_info(pg_config, extension):
    """Path, sha256 and mtime of the installed extension library (ties results to a build)."""
    try:
        libdir = subprocess.check_output([pg_config, "--pkglibdir"], text=True).strip()
        path = os.path.join(libdir, extension + ".so")
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        return {"path": path, "sha256": digest,
                "mtime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(os.path.getmtime(path)))}
    except (OSError, subprocess.CalledProcessError) as e:
        return {"error": str(e)}


class PgSystem:
    """Our index (or, with use_index False, the exact scan) behind the query-pass interface."""

    def __init__(self, pgb, name, use_index, queries, force=True):
        self.pgb = pgb
        self.name = name
        self.use_index = use_index
        self.queries = queries
        self.force = force

    def stmt(self, ef):
        return "vb_exact" if ef is None else "vb_ef%d" % ef

    def prepare(self, efs):
        for ef in efs:
            self.pgb.session(self.use_index, ef, force=self.force)
            self.pgb.prepare(self.stmt(ef))

    def check_plan(self, ef):
        self.pgb.session(self.use_index, ef, force=self.force)
        plan = self.pgb.explain(self.stmt(ef), self.queries[0])
        uses = pgserver.plan_uses_index(plan, self.pgb.index)
        ok = uses if self.use_index else not uses
        return {"plan": pgserver.plan_summary(plan), "ok": ok, "forced": self.force}

    def run(self, ef):
        self.pgb.session(self.use_index, ef, force=self.force)
        return self.pgb.run_queries(self.stmt(ef), self.queries)


class LibSystem:
    def __init__(self, lib, queries):
        self.lib = lib
        self.name = lib.name
        self.prepared = lib.prepare_queries(queries)
        self.raw = queries

    def run(self, ef):
        self.lib.set_ef(ef)
        if hasattr(self.lib, "run_all"):
            return self.lib.run_all()
        return inproc.run_queries(self.lib, self.prepared, K)

    def run_batch(self, ef):
        self.lib.set_ef(ef)
        t0 = time.perf_counter()
        ids = self.lib.search_batch(self.raw, K)
        return ids, time.perf_counter() - t0


def run_postgres_setup(args, ds, dsn, result):
    """Load, optional exact scan, index build, sizes, prewarm.  Returns (pgb, systems)."""
    pgb = pgserver.PgBench(dsn, args.table, ds.metric, ds.dim, log=log, vtype=args.type)
    pgres = result["postgres"]
    pgb.setup_extensions(args.extension)
    pgb.apply_session_settings(kv.split("=", 1) for kv in args.session_set)
    pgres["session_settings"] = dict(pgb.session_settings)
    pgres["server"] = pgb.server_info()
    log("server %s; max_parallel_maintenance_workers=%s; CPU %s; vecidx kernels %s" % (
        pgres["server"]["server_version"], pgres["server"]["max_parallel_maintenance_workers"],
        result["host"]["cpu"], pgres["server"].get("vecidx.simd_active", "?")))
    pgres["load"] = pgb.load(ds.base, storage=args.storage)
    log("loaded %d rows: COPY %.1f s, VACUUM ANALYZE %.1f s" % (
        pgres["load"]["rows"], pgres["load"]["copy_s"], pgres["load"]["vacuum_analyze_s"]))
    pgres["roundtrip_floor"] = pgb.roundtrip_floor()
    systems = []
    if args.exact_scan:
        nq = min(args.exact_queries, ds.queries.shape[0])
        exact = PgSystem(pgb, "exact-scan", False, ds.queries[:nq])
        exact.gt = ds.groundtruth[:nq]
        exact.efs = [None]
        pgb.prewarm(with_index=False)
        exact.prepare(exact.efs)
        pgres["exact_plan"] = exact.check_plan(None)
        log("exact scan plan: %s" % pgres["exact_plan"]["plan"])
        systems.append(exact)
    if not args.no_index:
        if not pgb.has_hnsw():
            raise SystemExit("the server has no 'hnsw' access method (vecidx without the "
                             "index?): use --no-index to test the pipeline")
        pgres["builds"] = [build_ours(args, pgb)]
    pgres["sizes"] = pgb.sizes(with_index=not args.no_index)
    pgres["prewarm_blocks"] = pgb.prewarm(with_index=not args.no_index)
    if not args.no_index:
        ours = PgSystem(pgb, "vecidx", True, ds.queries, force=not args.planner_free)
        ours.gt = ds.groundtruth
        ours.efs = args.ef_list
        ours.prepare(ours.efs)
        pgres["plans"] = check_plans(ours)
        systems.insert(0, ours)
    return pgb, systems


def run_pgvector_setup(args, ds, cluster, result):
    """pgvector in a second database of the same cluster: same rows, same index
    parameters.  Returns (PgBench, system)."""
    admin = pgserver.PgBench(cluster.dsn(), args.table, ds.metric, ds.dim, log=log)
    admin.conn.execute("DROP DATABASE IF EXISTS vb_pgvector")
    admin.conn.execute("CREATE DATABASE vb_pgvector")
    admin.close()
    pgv = pgserver.PgBench(cluster.dsn("vb_pgvector"), args.table, ds.metric, ds.dim, log=log,
                          vtype=args.type)
    try:
        pgv.setup_extensions("vector")
    except Exception as e:
        raise SystemExit("--pgvector: CREATE EXTENSION vector failed (%s); build it into this "
                         "server with %s/shared/peers/build-pgvector %s"
                         % (str(e).strip(), os.path.dirname(REPO), args.pg_config))
    rec = {"version": pgv.scalar("SELECT extversion FROM pg_extension WHERE extname = 'vector'")}
    rec["load"] = pgv.load(ds.base, storage=args.storage)
    log("pgvector %s: loaded %d rows" % (rec["version"], rec["load"]["rows"]))
    log("building pgvector index: m=%d ef_construction=%d ..." % (args.m, args.ef_construction))
    b = pgv.build_index(args.m, args.ef_construction)
    b["index_bytes"] = pgv.sizes()["index_bytes"]
    log("  %s: %.2f s, build processes seen %d, %.1f MB" % (
        b["sql"], b["build_s"], b["build_processes_seen"], b["index_bytes"] / report.MB))
    rec["build"] = b
    pgv.prewarm()
    s = PgSystem(pgv, "pgvector", True, ds.queries, force=not args.planner_free)
    s.gt = ds.groundtruth
    s.efs = args.ef_list
    s.prepare(s.efs)
    rec["plans"] = check_plans(s)
    result["postgres"]["pgvector"] = rec
    result["systems"]["pgvector"] = {"build": {
        "build_s": b["build_s"], "processes": b["build_processes_seen"],
        "size_bytes": b["index_bytes"], "version": rec["version"]}}
    return pgv, s


def build_ours(args, pgb):
    """(Re)build our index and return the build record (time, processes, size)."""
    log("building index: m=%d ef_construction=%d ..." % (args.m, args.ef_construction))
    b = pgb.build_index(args.m, args.ef_construction, args.index_option)
    b["index_bytes"] = pgb.sizes()["index_bytes"]
    log("  %s: %.2f s, build processes seen %d, %.1f MB" % (
        b["sql"], b["build_s"], b["build_processes_seen"], b["index_bytes"] / report.MB))
    return b


def check_plans(system):
    """EXPLAIN EXECUTE every ef_search statement; warn loudly when the index is not used."""
    plans = {str(ef): system.check_plan(ef) for ef in system.efs}
    for ef, pl in plans.items():
        if not pl["ok"]:
            log("WARNING: %s ef_search %s plan does not use the index%s: %s" % (
                system.name, ef, "" if pl["forced"] else " (planner left alone)", pl["plan"]))
    return plans


def combine_builds(per_build):
    """Headline point per ef_search over several builds: medians of recall, QPS,
    p50, p99, with min / max of recall and QPS and every build's point kept."""
    out = []
    for pts in zip(*per_build):
        med = {"ef_search": pts[0]["ef_search"], "builds": len(pts)}
        for key in ("recall", "qps", "p50_ms", "p99_ms", "mean_ms"):
            vals = [p[key] for p in pts]
            med[key] = float(np.median(vals))
            if key in ("recall", "qps"):
                med[key + "_min"], med[key + "_max"] = float(min(vals)), float(max(vals))
        med["queries"] = pts[0]["queries"]
        med["per_build"] = list(pts)
        out.append(med)
    return out


def buffers_per_query(pgb, ds, ef, nq):
    """Mean shared hit/read blocks of EXPLAIN (ANALYZE, BUFFERS) over the first nq queries.

    Uses its own prepared statement so the timed statements' plan caches stay untouched."""
    name = "vb_buf%d" % ef
    pgb.session(True, ef)
    pgb.prepare(name)
    hits, reads, exec_ms = [], [], []
    for q in ds.queries[:nq]:
        plan = pgb.explain(name, q, analyze=True)
        hits.append(plan["Plan"].get("Shared Hit Blocks", 0))
        reads.append(plan["Plan"].get("Shared Read Blocks", 0))
        exec_ms.append(plan.get("Execution Time", float("nan")))
    return {"ef_search": ef, "queries": len(hits), "hit_mean": float(np.mean(hits)),
            "read_mean": float(np.mean(reads)), "hit": hits, "read": reads,
            "server_execution_ms_median": float(np.median(exec_ms)),
            "note": "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) Execution Time"}


def _sigterm(signum, frame):
    raise SystemExit("terminated by signal %d" % signum)


def start_server(args, result):
    """The throwaway cluster (or None with --dsn) and the DSN to use."""
    if args.dsn:
        result["postgres"]["server_source"] = "existing server (--dsn)"
        return None, args.dsn
    lo, hi = (int(x) for x in args.port_range.split("-"))
    settings = {
        "shared_buffers": args.shared_buffers or pgserver.default_shared_buffers(),
        "maintenance_work_mem": args.maintenance_work_mem,
        "work_mem": args.work_mem,
        "max_parallel_maintenance_workers": str(args.max_parallel_maintenance_workers),
        "max_parallel_workers_per_gather": "0",
        "jit": "off", "synchronous_commit": "off", "fsync": "on",
    }
    for kv in args.set:
        k, _, v = kv.partition("=")
        settings[k.strip()] = v.strip()
    cluster = pgserver.Cluster(args.pg_config, pgserver.free_port(lo, hi), settings,
                               keep=args.keep_cluster, log=log)
    result["postgres"]["server_source"] = "throwaway cluster"
    result["postgres"]["settings"] = settings
    cluster.start()
    return cluster, cluster.dsn()


def build_libraries(args, ds, result):
    """Build hnswlib and FAISS (one thread each); return their query-pass systems."""
    systems = []
    for libname in ("hnswlib-native", "hnswlib", "faiss"):
        if getattr(args, "skip_" + libname.replace("-", "_")):
            continue
        lib = inproc.make(libname, ds.metric, ds.dim, args.m, args.ef_construction)
        if hasattr(lib, "set_queries"):
            lib.set_queries(ds.queries)
        log("building %s (1 thread) ..." % libname)
        b = lib.build(ds.base)
        b["processes"] = 1
        b["version"] = lib.version
        log("  %.2f s, %.1f MB" % (b["build_s"], b["size_bytes"] / report.MB))
        s = LibSystem(lib, ds.queries)
        s.gt = ds.groundtruth
        s.efs = args.ef_list
        systems.append(s)
        result["systems"][libname] = {"build": b}
    return systems


def run_passes(args, systems, pgb, result):
    """All query passes.  For each build of our index (the first is already built),
    `passes` passes; inside a pass every system runs every ef_search in turn
    (A B A B, because QPS drifts).  Returns the best pass per (system, ef, build)."""
    best = {}
    builds = 1 if args.no_index or args.skip_postgres else args.builds
    for bno in range(builds):
        if bno > 0:
            pgres = result["postgres"]
            pgres["builds"].append(build_ours(args, pgb))
            pgb.prewarm()
            pgres.setdefault("plans_rebuilds", []).append(
                check_plans([s for s in systems if s.name == "vecidx"][0]))
        for pas in range(args.passes):
            for s in systems:
                if s.name == "exact-scan" and bno > 0:
                    continue
                key_build = bno if s.name == "vecidx" else 0
                for ef in s.efs:
                    ids, lat, wall = s.run(ef)
                    keep_best(best, (s.name, ef, key_build), point(ef, ids, lat, wall, s.gt))
            load = os.getloadavg()
            result["host"].setdefault("loadavg_1min_per_pass", []).append(load[0])
            log("build %d/%d, pass %d/%d done (load average %.2f)" % (
                bno + 1, builds, pas + 1, args.passes, load[0]))
    return best, builds


def collect_points(args, systems, best, builds, result):
    """Fill result['systems'][name]['points'] (and our build summary), vecidx first."""
    if "builds" in result.get("postgres", {}):
        bl = result["postgres"]["builds"]
        times = [b["build_s"] for b in bl]
        result["systems"]["vecidx"] = {"build": {
            "build_s": float(np.median(times)), "build_s_all": times,
            "processes": max(b["build_processes_seen"] for b in bl),
            "size_bytes": int(np.median([b["index_bytes"] for b in bl]))}}
    for s in systems:
        if s.name == "vecidx":
            pts = combine_builds([[best[(s.name, ef, b)] for ef in s.efs]
                                  for b in range(builds)])
        else:
            pts = [best[(s.name, ef, 0)] for ef in s.efs]
        if isinstance(s, LibSystem) and args.batch:
            for pt in pts:
                walls = []
                for _ in range(args.passes):
                    ids, wall = s.run_batch(pt["ef_search"])
                    walls.append(wall)
                pt["batch_qps"] = len(ids) / min(walls)
                pt["batch_recall"] = datasets.recall_at(ids, s.gt, K)
        result["systems"].setdefault(s.name, {})["points"] = pts
    order = ["vecidx", "pgvector", "exact-scan", "hnswlib-native", "hnswlib", "faiss"]
    result["systems"] = dict(sorted(result["systems"].items(),
                                    key=lambda kv: order.index(kv[0])
                                    if kv[0] in order else len(order)))


def postgres_extras(args, ds, dsn, pgb, systems, result):
    """After the passes: plans again, buffer counts, concurrent clients, final sizes."""
    pgres = result["postgres"]
    if not args.no_index:
        ours = [s for s in systems if s.name == "vecidx"][0]
        pgres["plans_after"] = check_plans(ours)
        pgres["buffers"] = buffers_per_query(pgb, ds, args.buffers_ef,
                                             min(args.buffers_queries, ds.queries.shape[0]))
    if args.exact_scan:
        result["systems"]["exact-scan"]["note"] = (
            "ORDER BY without index over the first %d queries"
            % min(args.exact_queries, ds.queries.shape[0]))
    if args.clients > 1 and not args.no_index:
        c = pgserver.concurrent_qps(dsn, args.table, ds.metric, ds.dim, args.clients_ef,
                                    ds.queries, args.clients,
                                    settings=pgb.session_settings)
        one = [p for p in result["systems"]["vecidx"]["points"]
               if p["ef_search"] == args.clients_ef]
        if one:
            c["speedup_vs_one_client"] = c["qps"] / one[0]["qps"]
        pgres["concurrent"] = c
        log("%d concurrent clients at ef_search %d: %.0f QPS" % (
            args.clients, args.clients_ef, c["qps"]))
    pgres["sizes_final"] = pgb.sizes(with_index=not args.no_index)


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)   # so the cluster is stopped on kill
    ds = load_dataset(args)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    result = {
        "tool": "vecidx test/bench/bench.py",
        "started_utc": stamp,
        "argv": sys.argv if argv is None else ["bench.py"] + list(argv),
        "dataset": {"name": ds.name, "metric": ds.metric, "n_base": int(ds.base.shape[0]),
                    "dim": ds.dim, "n_queries": int(ds.queries.shape[0]), "info": ds.info},
        "params": {"m": args.m, "ef_construction": args.ef_construction, "k": K,
                   "ef_search": args.ef_list, "passes": args.passes, "builds": args.builds,
                   "index_options": args.index_option},
        "host": host_info(), "git": git_info(), "systems": {},
    }
    cluster = None
    pgb = None
    pgv = None
    dsn = None
    systems = []
    try:
        if not args.skip_postgres:
            result["postgres"] = {"library": library_info(args.pg_config, args.extension)}
            cluster, dsn = start_server(args, result)
            pgb, systems = run_postgres_setup(args, ds, dsn, result)
            if args.exact_scan:
                result["systems"]["exact-scan"] = {}
            if args.pgvector:
                if cluster is None:
                    raise SystemExit("--pgvector needs the throwaway cluster (not --dsn)")
                pgv, pgv_system = run_pgvector_setup(args, ds, cluster, result)
                systems.insert(1, pgv_system)
        systems += build_libraries(args, ds, result)
        best, builds = run_passes(args, systems, pgb, result)
        collect_points(args, systems, best, builds, result)
        if pgb is not None:
            postgres_extras(args, ds, dsn, pgb, systems, result)
    finally:
        for s in systems:
            if hasattr(getattr(s, "lib", None), "close"):
                s.lib.close()
        if pgv is not None:
            pgv.close()
        if pgb is not None:
            pgb.close()
        if cluster is not None:
            cluster.stop()

    report.compute_ratios(result)
    for line in report.text_report(result):
        log(line)
    base = os.path.join(args.out_dir, "%s-%s" % (ds.name, stamp))
    report.write_json(result, base + ".json")
    log("wrote %s.json" % base)
    with open(base + ".md", "w") as f:
        f.write(report.markdown(result))
    log("wrote %s.md" % base)
    if not args.no_plot:
        report.plot(result, base + ".png")
        log("wrote %s.png" % base)
    return result


if __name__ == "__main__":
    main()
