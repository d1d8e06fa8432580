"""
test/bench/workloadlib.py -- helpers shared by the workload benchmarks
(filtered.py, load.py): dataset loading, a throwaway PostgreSQL cluster,
binary COPY of vectors, and small statistics helpers.

Nothing here asserts anything; the scripts decide what a failure is.
Run with /usr/bin/python3 (Debian's numpy and psycopg 3).
"""

import gzip
import os
import shutil
import struct
import subprocess
import sys
import time

import numpy as np
import psycopg

# the shared data folder next to the repository, unless VX_DATA_DIR says
REPO_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA_DIR = os.environ.get("VX_DATA_DIR", os.path.join(REPO_DIR, "..", "shared", "data"))

# Server settings from ../shared/BENCHMARKS.md (outside the repository), scaled down to share the
# machine with other work.
SERVER_SETTINGS = {
    "shared_buffers": "2GB",
    "maintenance_work_mem": "2GB",
    "work_mem": "64MB",
    "max_parallel_maintenance_workers": "1",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
    "synchronous_commit": "off",
    "fsync": "on",
    "max_connections": "40",
    "autovacuum": "off",
}


def log(msg):
    """Print a progress line to stderr with a timestamp."""
    sys.stderr.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def read_vecs(path, dtype):
    """Read a gzipped .fvecs (dtype float32) or .ivecs (int32) file into a
    2-D numpy array; every record must have the same dimension."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    d = struct.unpack_from("<i", raw, 0)[0]
    rec = np.frombuffer(raw, dtype=np.int32).reshape(-1, d + 1)
    if not np.all(rec[:, 0] == d):
        raise ValueError("%s: records of different dimensions" % path)
    return rec[:, 1:].copy().view(dtype)


def load_dataset(name):
    """Return (base, queries, groundtruth) of a dataset in DATA_DIR."""
    p = os.path.join(DATA_DIR, name)
    base = read_vecs(p + "_base.fvecs.gz", np.float32)
    queries = read_vecs(p + "_query.fvecs.gz", np.float32)
    gt = read_vecs(p + "_groundtruth.ivecs.gz", np.int32)
    return base, queries, gt


def vec_text(v):
    """Text form of a vector for a ::vector parameter."""
    return "[" + ",".join(repr(float(x)) for x in v) + "]"


def vector_binary(v):
    """The vector type's binary (send/recv) format: int16 dim, int16 unused,
    then big-endian float4 values."""
    v = np.asarray(v, dtype=">f4")
    return struct.pack(">hh", v.shape[0], 0) + v.tobytes()


def copy_rows(conn, table, columns, rows):
    """Binary COPY rows into table.  rows yields tuples of int (int4) or
    numpy float vectors (vector), in the order of columns."""
    out = bytearray(b"PGCOPY\n\xff\r\n\0" + struct.pack(">ii", 0, 0))
    with conn.cursor() as cur:
        with cur.copy("COPY %s (%s) FROM STDIN (FORMAT binary)"
                      % (table, ", ".join(columns))) as cp:
            for row in rows:
                out += struct.pack(">h", len(row))
                for val in row:
                    if isinstance(val, (int, np.integer)):
                        out += struct.pack(">ii", 4, int(val))
                    else:
                        b = vector_binary(val)
                        out += struct.pack(">i", len(b)) + b
                if len(out) > (1 << 22):
                    cp.write(bytes(out))
                    out = bytearray()
            out += struct.pack(">h", -1)
            cp.write(bytes(out))


def percentile(a, p):
    return float(np.percentile(np.asarray(a, dtype=np.float64), p))


class Cluster:
    """A throwaway cluster run as user postgres, listening only on a Unix
    socket in its own directory under /tmp.  Use as a context manager; the
    cluster is stopped and removed on exit unless keep is true."""

    def __init__(self, pg_config, port, name="vxbench", keep=False,
                 settings=None):
        self.bindir = subprocess.check_output(
            [pg_config, "--bindir"], text=True).strip()
        self.port = int(port)
        self.dir = "/tmp/%s-%d" % (name, self.port)
        self.pgdata = os.path.join(self.dir, "data")
        self.keep = keep
        self.settings = dict(SERVER_SETTINGS)
        if settings:
            self.settings.update(settings)

    def _as_postgres(self, argv, **kw):
        if os.getuid() == 0:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        return subprocess.run(argv, check=True, **kw)

    def start(self):
        if os.path.exists(self.dir):
            shutil.rmtree(self.dir)
        os.makedirs(self.dir)
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._as_postgres([os.path.join(self.bindir, "initdb"), "-D",
                           self.pgdata, "-A", "trust", "-U", "postgres",
                           "--no-sync"], stdout=subprocess.DEVNULL)
        with open(os.path.join(self.pgdata, "postgresql.conf"), "a") as f:
            f.write("listen_addresses = ''\n")
            f.write("unix_socket_directories = '%s'\n" % self.dir)
            f.write("port = %d\n" % self.port)
            for k, v in self.settings.items():
                f.write("%s = '%s'\n" % (k, v))
        self._as_postgres([os.path.join(self.bindir, "pg_ctl"), "-D",
                           self.pgdata, "-l",
                           os.path.join(self.dir, "server.log"), "-w",
                           "start"], stdout=subprocess.DEVNULL)
        os.environ["PGHOST"] = self.dir
        os.environ["PGPORT"] = str(self.port)
        os.environ["PGUSER"] = "postgres"
        os.environ["PGDATABASE"] = "postgres"
        log("cluster started: host=%s port=%d" % (self.dir, self.port))
        return self

    def stop(self):
        try:
            self._as_postgres([os.path.join(self.bindir, "pg_ctl"), "-D",
                               self.pgdata, "-m", "fast", "-w", "stop"],
                              stdout=subprocess.DEVNULL)
        finally:
            if not self.keep:
                shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def connect(**kw):
    """Connect with the libpq environment (PGHOST, PGPORT, ...)."""
    return psycopg.connect(autocommit=True, **kw)
