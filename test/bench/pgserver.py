"""PostgreSQL side of the benchmark: throwaway cluster, binary COPY, index build, queries.

Cluster: `Cluster` runs initdb / pg_ctl from a given pg_config's bindir as
user postgres (when we are root; otherwise as ourselves) in a fresh directory
under /tmp, listening only on a private Unix socket and a private port, with
the server settings of BENCHMARKS.md.  `stop()` removes it (unless kept).

Queries go through libpq's extended protocol at the lowest level psycopg
offers (`conn.pgconn.prepare` / `exec_prepared`): one named server-side
prepared statement per ef_search, the query vector passed in pgvector's
binary wire format, so the client adds as little as possible per query.
"""

import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import psycopg
from psycopg import pq

# the binary COPY encoder is the Python package's (python/vecidx/_copy.py)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from vecidx._copy import COPY_HEADER, COPY_TRAILER, CopyPlan, _encode_numpy  # noqa: E402,F401
from timing import time_each  # noqa: E402


def vector_binary(v):
    """pgvector's binary send/recv layout: int16 dim, int16 unused (0), float4 x dim, big-endian."""
    v = np.asarray(v, dtype=np.float32)
    return struct.pack(">hh", v.shape[0], 0) + v.astype(">f4").tobytes()


def halfvec_binary(v):
    """halfvec's binary send/recv layout: int16 dim, int16 unused (0), float2 x dim, big-endian."""
    v = np.asarray(v, dtype=np.float32)
    return struct.pack(">hh", v.shape[0], 0) + v.astype(">f2").tobytes()


def copy_binary_rows(ids, vecs):
    """Binary COPY tuples (without header/trailer) for rows (id int4, v vector),
    encoded by vecidx.psycopg's copy_vectors encoder."""
    return _encode_numpy(CopyPlan(None, vecs.shape[1], "int4"), vecs, ids)


def free_port(lo, hi):
    """First TCP port in [lo, hi] nobody listens on (also checked at bind time by the server)."""
    for port in range(lo, hi + 1):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        if not os.path.exists("/tmp/.s.PGSQL.%d" % port):
            return port
    raise RuntimeError("no free port in %d-%d" % (lo, hi))


def mem_total_bytes():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return 0


def default_shared_buffers():
    """6GB as in BENCHMARKS.md (measured with 24 GB of RAM); a quarter of RAM on
    machines with less than 16 GB."""
    mem = mem_total_bytes()
    if mem == 0 or mem >= 15 * 1024 ** 3:
        return "6GB"
    return "%dMB" % (mem // 4 // 1024 ** 2)


class Cluster:
    """A throwaway PostgreSQL cluster.  Use as a context manager (always stopped)."""

    def __init__(self, pg_config, port, settings, keep=False, log=print):
        self.bindir = subprocess.check_output([pg_config, "--bindir"], text=True).strip()
        self.port = port
        self.settings = settings
        self.keep = keep
        self.log = log
        self.as_root = os.geteuid() == 0
        self.topdir = tempfile.mkdtemp(prefix="vecidx-bench-")
        self.datadir = os.path.join(self.topdir, "data")
        self.sockdir = self.topdir
        self.user = "postgres" if self.as_root else None
        self.started = False

    def _run(self, argv, **kw):
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        return subprocess.run(argv, check=True, **kw)

    def start(self):
        if self.as_root:
            shutil.chown(self.topdir, "postgres", "postgres")
        os.chmod(self.topdir, 0o700 if not self.as_root else 0o755)
        self._run([os.path.join(self.bindir, "initdb"), "-D", self.datadir, "-U", "postgres",
                   "--auth=trust", "--encoding=UTF8", "--no-locale", "-N"],
                  stdout=subprocess.DEVNULL)
        conf = dict(self.settings)
        conf.update({"listen_addresses": "''", "port": str(self.port),
                     "unix_socket_directories": "'%s'" % self.sockdir,
                     "logging_collector": "off"})
        with open(os.path.join(self.datadir, "postgresql.auto.conf"), "a") as f:
            for k, v in conf.items():
                f.write("%s = %s\n" % (k, v))
        logfile = os.path.join(self.topdir, "server.log")
        try:
            self._run([os.path.join(self.bindir, "pg_ctl"), "-D", self.datadir, "-w",
                       "-t", "120", "-l", logfile, "start"], stdout=subprocess.DEVNULL)
        except subprocess.CalledProcessError:
            if os.path.exists(logfile):
                with open(logfile) as f:
                    self.log("server log:\n" + "".join(f.readlines()[-20:]))
            self.started = True     # pg_ctl may have left a postmaster behind: stop it
            raise
        self.started = True
        self.log("cluster: %s (port %d, socket %s)" % (self.datadir, self.port, self.sockdir))
        return self

    def dsn(self, dbname="postgres"):
        return "host=%s port=%d user=postgres dbname=%s" % (self.sockdir, self.port, dbname)

    def stop(self):
        if self.started:
            try:
                self._run([os.path.join(self.bindir, "pg_ctl"), "-D", self.datadir, "-w",
                           "-m", "fast", "stop"], stdout=subprocess.DEVNULL)
            except subprocess.CalledProcessError as e:
                self.log("warning: pg_ctl stop failed: %s" % e)
            self.started = False
        if self.keep:
            self.log("cluster kept (stopped) in %s; log: %s/server.log" % (self.topdir, self.topdir))
        else:
            shutil.rmtree(self.topdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class WorkerWatcher(threading.Thread):
    """Counts parallel workers (pg_stat_activity) while an index build runs."""

    def __init__(self, dsn, interval=0.2):
        super().__init__(daemon=True)
        self.dsn = dsn
        self.interval = interval
        self.max_workers = 0
        self.phases = []
        self._halt = threading.Event()
        self.error = None

    def run(self):
        try:
            with psycopg.connect(self.dsn, autocommit=True) as c:
                while not self._halt.is_set():
                    n = c.execute("SELECT count(*) FROM pg_stat_activity "
                                  "WHERE backend_type = 'parallel worker'").fetchone()[0]
                    self.max_workers = max(self.max_workers, n)
                    row = c.execute("SELECT phase FROM pg_stat_progress_create_index").fetchone()
                    if row and (not self.phases or self.phases[-1] != row[0]):
                        self.phases.append(row[0])
                    self._halt.wait(self.interval)
        except Exception as e:  # reported, never fatal to the benchmark
            self.error = str(e)

    def finish(self):
        self._halt.set()
        self.join(timeout=5)


OPCLASS = {"euclidean": ("vector_l2_ops", "<->"), "angular": ("vector_cosine_ops", "<=>")}

# the indexed column's type (--type): "vector"; "halfvec" (the column
# converted after loading, halfvec operator classes, halfvec query
# parameters); "bit" (an expression index on binary_quantize(v)::bit(dim)
# with bit_hamming_ops; each query takes the ef_search nearest by Hamming
# distance and re-ranks them by the metric on v, pgvector's documented
# re-ranking query)
VTYPES = ("vector", "halfvec", "bit")


class PgBench:
    """One benchmark table in one database: load, index, query."""

    def __init__(self, dsn, table, metric, dim, log=print, vtype="vector"):
        if vtype not in VTYPES:
            raise ValueError("unknown column type %r" % vtype)
        self.dsn = dsn
        self.table = table
        self.index = table + "_v_idx"
        self.metric = metric
        self.dim = dim
        self.vtype = vtype
        self.opclass, self.op = OPCLASS[metric]
        if vtype == "halfvec":
            self.opclass = self.opclass.replace("vector_", "halfvec_")
        self.log = log
        self.conn = psycopg.connect(dsn, autocommit=True)
        self.vector_oid = None
        self.have_prewarm = False
        self.session_settings = []

    def close(self):
        self.conn.close()

    def scalar(self, sql, params=None):
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def server_info(self):
        info = {"server_version": self.scalar("SHOW server_version")}
        for g in ("shared_buffers", "maintenance_work_mem", "work_mem",
                  "max_parallel_maintenance_workers", "max_parallel_workers_per_gather",
                  "max_parallel_workers", "max_worker_processes", "jit",
                  "synchronous_commit", "fsync", "huge_pages"):
            info[g] = self.scalar("SELECT current_setting(%s)", (g,))
        info["extensions"] = dict(self.conn.execute(
            "SELECT extname, extversion FROM pg_extension").fetchall())
        # vecidx-specific settings, when the extension defines them
        for g in self.conn.execute(
                "SELECT name FROM pg_settings WHERE name LIKE 'vecidx.%%' "
                "OR name LIKE 'hnsw.%%' ORDER BY name").fetchall():
            info[g[0]] = self.scalar("SELECT current_setting(%s)", (g[0],))
        return info

    def apply_session_settings(self, settings):
        """SET each (name, value) on this connection (benchmark-wide session settings)."""
        self.session_settings = list(settings)
        for name, value in self.session_settings:
            self.conn.execute("SELECT set_config(%s, %s, false)", (name, value))

    def setup_extensions(self, extension="vecidx"):
        """CREATE EXTENSION of the extension providing `vector` (and hnsw), and pg_prewarm."""
        self.conn.execute("CREATE EXTENSION IF NOT EXISTS %s" % extension)
        try:
            self.conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            self.have_prewarm = True
        except psycopg.Error as e:
            self.log("warning: no pg_prewarm (%s): tables will not be prewarmed"
                     % str(e).strip())
            self.have_prewarm = False
        self.vector_oid = self.scalar("SELECT %s::regtype::oid",
                                      ("halfvec" if self.vtype == "halfvec" else "vector",))

    def param_binary(self, q):
        """A query vector in the binary form of the query parameter's type."""
        return halfvec_binary(q) if self.vtype == "halfvec" else vector_binary(q)

    def has_hnsw(self):
        return bool(self.scalar("SELECT count(*) FROM pg_am WHERE amname = 'hnsw'"))

    def load(self, base, chunk=20000, storage=None):
        """CREATE TABLE (with the vector column's STORAGE set, if given), binary COPY
        all rows (id = row number), VACUUM ANALYZE.

        Returns seconds spent in COPY and in VACUUM ANALYZE, and the column's storage."""
        n, d = base.shape
        self.conn.execute("DROP TABLE IF EXISTS %s" % self.table)
        self.conn.execute("CREATE TABLE %s (id int4, v vector(%d))" % (self.table, d))
        if storage:
            self.conn.execute("ALTER TABLE %s ALTER COLUMN v SET STORAGE %s"
                              % (self.table, storage.upper()))
        t0 = time.perf_counter()
        with self.conn.cursor() as cur:
            with cur.copy("COPY %s (id, v) FROM STDIN (FORMAT BINARY)" % self.table) as cp:
                cp.write(COPY_HEADER)
                for start in range(0, n, chunk):
                    stop = min(n, start + chunk)
                    cp.write(copy_binary_rows(np.arange(start, stop, dtype=np.int32),
                                              base[start:stop]))
                cp.write(COPY_TRAILER)
        if self.vtype == "halfvec":
            self.conn.execute("ALTER TABLE %s ALTER COLUMN v TYPE halfvec(%d) USING v::halfvec(%d)"
                              % (self.table, d, d))
        t1 = time.perf_counter()
        self.conn.execute("VACUUM ANALYZE %s" % self.table)
        t2 = time.perf_counter()
        count = self.scalar("SELECT count(*) FROM %s" % self.table)
        if count != n:
            raise RuntimeError("loaded %d rows, expected %d" % (count, n))
        attstorage = self.scalar("SELECT attstorage FROM pg_attribute WHERE attrelid = "
                                 "%s::regclass AND attname = 'v'", (self.table,))
        return {"copy_s": t1 - t0, "vacuum_analyze_s": t2 - t1, "rows": n,
                "attstorage": attstorage}

    def build_index(self, m, ef_construction, extra_options=()):
        """Time CREATE INDEX ... USING hnsw from the client; count parallel workers seen."""
        opts = ["m = %d" % m, "ef_construction = %d" % ef_construction] + list(extra_options)
        column = ("(binary_quantize(v)::bit(%d)) bit_hamming_ops" % self.dim
                  if self.vtype == "bit" else "v %s" % self.opclass)
        sql = "CREATE INDEX %s ON %s USING hnsw (%s) WITH (%s)" % (
            self.index, self.table, column, ", ".join(opts))
        self.conn.execute("DROP INDEX IF EXISTS %s" % self.index)
        watcher = WorkerWatcher(self.dsn)
        watcher.start()
        t0 = time.perf_counter()
        try:
            self.conn.execute(sql)
        finally:
            elapsed = time.perf_counter() - t0
            watcher.finish()
        return {"sql": sql, "build_s": elapsed,
                "parallel_workers_seen": watcher.max_workers,
                "build_processes_seen": 1 + watcher.max_workers,
                "progress_phases_seen": watcher.phases,
                "watcher_error": watcher.error}

    def sizes(self, with_index=True):
        row = self.conn.execute(
            "SELECT pg_relation_size(c.oid), "
            "       coalesce(pg_relation_size(c.reltoastrelid), 0), "
            "       coalesce((SELECT sum(pg_relation_size(i.indexrelid)) FROM pg_index i "
            "                 WHERE i.indrelid = c.reltoastrelid), 0)::bigint, "
            "       pg_total_relation_size(c.oid) "
            "FROM pg_class c WHERE c.oid = %s::regclass", (self.table,)).fetchone()
        out = {"table_bytes": row[0], "toast_bytes": row[1], "toast_index_bytes": row[2],
               "table_plus_toast_bytes": row[0] + row[1], "total_relation_bytes": row[3]}
        if with_index:
            out["index_bytes"] = self.scalar("SELECT pg_relation_size(%s::regclass)", (self.index,))
        return out

    def prewarm(self, with_index=True):
        """pg_prewarm the table, its TOAST table and TOAST index, and the index.

        Without pg_prewarm, reads every relation once with a plain scan instead."""
        rels = [self.table]
        toast = self.scalar("SELECT reltoastrelid::regclass::text FROM pg_class "
                            "WHERE oid = %s::regclass AND reltoastrelid <> 0", (self.table,))
        if toast:
            rels.append(toast)
            rels += [r[0] for r in self.conn.execute(
                "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass",
                (toast,)).fetchall()]
        if with_index:
            rels.append(self.index)
        if not self.have_prewarm:
            self.conn.execute("SELECT sum(length(v::text)) FROM %s" % self.table)
            return {"seqscan": rels[:1]}
        return {r: self.scalar("SELECT pg_prewarm(%s::regclass)", (r,)) for r in rels}

    # -- queries ---------------------------------------------------------

    def query_sql(self, k=10):
        if self.vtype == "bit":
            return ("SELECT id FROM (SELECT id, v FROM %s ORDER BY binary_quantize(v)::bit(%d) "
                    "<~> binary_quantize($1::vector) LIMIT current_setting('hnsw.ef_search')::int) s "
                    "ORDER BY v %s $1::vector LIMIT %d" % (self.table, self.dim, self.op, k))
        return "SELECT id FROM %s ORDER BY v %s $1::%s LIMIT %d" % (
            self.table, self.op, self.vtype, k)

    def prepare(self, name, k=10):
        res = self.conn.pgconn.prepare(name.encode(), self.query_sql(k).encode(),
                                       [self.vector_oid])
        if res.status != pq.ExecStatus.COMMAND_OK:
            raise RuntimeError("prepare failed: %s" % res.error_message.decode())

    def deallocate_all(self):
        self.conn.execute("DEALLOCATE ALL")

    def session(self, use_index, ef_search=None, force=True):
        """Session settings for a run: force (or, with force False, allow) or forbid
        the index, set ef_search."""
        if use_index and not force:
            self.conn.execute("RESET enable_seqscan")
            self.conn.execute("RESET enable_indexscan")
        elif use_index:
            self.conn.execute("SET enable_seqscan = off")
            self.conn.execute("RESET enable_indexscan")
        else:
            self.conn.execute("RESET enable_seqscan")
            self.conn.execute("SET enable_indexscan = off")
            self.conn.execute("SET enable_bitmapscan = off")
        if ef_search is not None:
            self.conn.execute("SET hnsw.ef_search = %d" % ef_search)

    def explain(self, name, qvec, analyze=False):
        """EXPLAIN [ANALYZE, BUFFERS] EXECUTE of a prepared statement; JSON plan."""
        opts = "ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON" if analyze else "FORMAT JSON"
        lit = "[" + ",".join(repr(float(x)) for x in qvec) + "]"
        plan = self.conn.execute("EXPLAIN (%s) EXECUTE %s('%s'::%s)"
                                 % (opts, name, lit,
                                    "halfvec" if self.vtype == "halfvec" else "vector")).fetchone()[0]
        return plan[0] if isinstance(plan, list) else plan

    def run_queries(self, name, queries):
        """Execute prepared `name` once per query, sequentially.

        Returns (ids per query, latency seconds per query, wall seconds)."""
        pgconn = self.conn.pgconn
        params = [[self.param_binary(q)] for q in queries]
        stmt = name.encode()

        def ids(res):
            if res.status != pq.ExecStatus.TUPLES_OK:
                raise RuntimeError("query failed: %s" % res.error_message.decode())
            return [int(res.get_value(r, 0)) for r in range(res.ntuples)]
        return time_each(params, lambda p: pgconn.exec_prepared(stmt, p, param_formats=[1],
                                                                result_format=0), ids)

    def roundtrip_floor(self, n=2000):
        """p50 / mean latency of a trivial prepared statement (SELECT $1::int)."""
        pgconn = self.conn.pgconn
        pgconn.prepare(b"vecidx_bench_rtt", b"SELECT $1::int", [23])
        lat = np.empty(n)
        arg = [struct.pack(">i", 1)]
        for i in range(n):
            t0 = time.perf_counter()
            res = pgconn.exec_prepared(b"vecidx_bench_rtt", arg, param_formats=[1])
            lat[i] = time.perf_counter() - t0
            if res.status != pq.ExecStatus.TUPLES_OK or res.ntuples != 1:
                raise RuntimeError("round-trip probe failed: %s" % res.error_message.decode())
        self.conn.execute("DEALLOCATE vecidx_bench_rtt")
        return {"p50_ms": float(np.median(lat) * 1e3), "mean_ms": float(lat.mean() * 1e3)}


def plan_nodes(plan):
    """All node types of a JSON plan, depth first."""
    out = []

    def walk(node):
        out.append((node.get("Node Type"), node.get("Index Name")))
        for child in node.get("Plans", []):
            walk(child)
    walk(plan["Plan"])
    return out


def plan_uses_index(plan, index):
    return any(nt in ("Index Scan", "Index Only Scan") and ix == index
               for nt, ix in plan_nodes(plan))


def plan_summary(plan):
    return " -> ".join(nt + (" using " + ix if ix else "") for nt, ix in plan_nodes(plan))


def _client_worker(dsn, table, metric, dim, ef, queries, barrier, out, settings):
    """One concurrent client (a forked process): prepare, wait at the barrier, run all queries."""
    try:
        pgb = PgBench(dsn, table, metric, dim, log=lambda m: None)
        pgb.vector_oid = pgb.scalar("SELECT 'vector'::regtype::oid")
        pgb.apply_session_settings(settings)
        pgb.session(True, ef)
        pgb.prepare("vb_conc")
        barrier.wait(timeout=60)
        t0 = time.time()
        ids, lat, wall = pgb.run_queries("vb_conc", queries)
        out.put({"start": t0, "end": t0 + wall, "n": len(ids),
                 "p50_ms": float(np.percentile(lat, 50) * 1e3)})
        pgb.close()
    except Exception as e:  # reported by the parent
        out.put({"error": repr(e)})


def concurrent_qps(dsn, table, metric, dim, ef, queries, clients, min_queries=3000,
                   settings=()):
    """Aggregate QPS of `clients` processes each running the query list (client i
    starting at query i * nq / clients), repeated until it holds at least
    `min_queries` queries so that process start-up noise does not dominate; all
    clients start together at a barrier.  QPS = all queries / (last end - first start).

    Returns {"clients", "ef_search", "qps", "per_client_p50_ms"}."""
    import multiprocessing as mp
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(clients)
    out = ctx.Queue()
    nq = len(queries)
    procs = []
    for c in range(clients):
        shift = (c * nq) // clients
        reps = -(-min_queries // nq)
        order = np.tile(np.roll(np.arange(nq), -shift), reps)
        p = ctx.Process(target=_client_worker,
                        args=(dsn, table, metric, dim, ef, queries[order], barrier, out,
                              list(settings)))
        p.start()
        procs.append((p, order))
    results = [out.get(timeout=3600) for _ in procs]
    for p, _ in procs:
        p.join()
    errors = [r["error"] for r in results if "error" in r]
    if errors:
        raise RuntimeError("concurrent client failed: %s" % errors[0])
    start = min(r["start"] for r in results)
    end = max(r["end"] for r in results)
    total = sum(r["n"] for r in results)
    return {"clients": clients, "ef_search": ef, "qps": total / (end - start),
            "per_client_p50_ms": [r["p50_ms"] for r in results]}
