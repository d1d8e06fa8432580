"""In-process HNSW references: Debian's python3-hnswlib and python3-faiss (IndexHNSWFlat).

Both are built and searched on one thread with the same M / ef_construction
as our index.  Cosine: hnswlib uses its 'cosine' space; FAISS gets
L2-normalised vectors (L2 on unit vectors ranks as cosine).  Memory size is the
size of the serialised index (the in-memory layout of both is essentially that
file: vectors, level-0 links, upper-level links).
"""

import hashlib
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np

from timing import time_each


def _serialised_size(write):
    fd, path = tempfile.mkstemp(prefix="vecidx-bench-", suffix=".idx")
    os.close(fd)
    try:
        write(path)
        return os.path.getsize(path)
    finally:
        os.unlink(path)


def _normalise(x):
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray((x / norms).astype(np.float32))


class HnswlibIndex:
    name = "hnswlib"

    def __init__(self, metric, dim, m, ef_construction, seed=100):
        import hnswlib
        self.version = getattr(hnswlib, "__version__", "python3-hnswlib")
        self.index = hnswlib.Index(space="cosine" if metric == "angular" else "l2", dim=dim)
        self.m = m
        self.ef_construction = ef_construction
        self.seed = seed

    def build(self, base):
        t0 = time.perf_counter()
        self.index.init_index(max_elements=base.shape[0], M=self.m,
                              ef_construction=self.ef_construction, random_seed=self.seed)
        self.index.set_num_threads(1)
        self.index.add_items(base, np.arange(base.shape[0]), num_threads=1)
        build_s = time.perf_counter() - t0
        return {"build_s": build_s, "threads": 1,
                "size_bytes": _serialised_size(self.index.save_index)}

    def set_ef(self, ef):
        self.index.set_ef(ef)

    def prepare_queries(self, queries):
        return [np.ascontiguousarray(q[None, :]) for q in queries]

    def search_one(self, q, k):
        labels, _d = self.index.knn_query(q, k=k, num_threads=1)
        return labels[0]

    def search_batch(self, queries, k):
        labels, _d = self.index.knn_query(queries, k=k, num_threads=1)
        return labels


class FaissIndex:
    name = "faiss"

    def __init__(self, metric, dim, m, ef_construction):
        import faiss
        self.faiss = faiss
        self.version = faiss.__version__
        self.metric = metric
        self.index = faiss.IndexHNSWFlat(dim, m)
        self.index.hnsw.efConstruction = ef_construction

    def _prep(self, x):
        return _normalise(x) if self.metric == "angular" else np.ascontiguousarray(x, np.float32)

    def build(self, base):
        self.faiss.omp_set_num_threads(1)
        data = self._prep(base)
        t0 = time.perf_counter()
        self.index.add(data)
        build_s = time.perf_counter() - t0
        return {"build_s": build_s, "threads": 1,
                "size_bytes": _serialised_size(lambda p: self.faiss.write_index(self.index, p))}

    def set_ef(self, ef):
        self.index.hnsw.efSearch = ef

    def prepare_queries(self, queries):
        data = self._prep(queries)
        return [np.ascontiguousarray(q[None, :]) for q in data]

    def search_one(self, q, k):
        _d, labels = self.index.search(q, k)
        return labels[0]

    def search_batch(self, queries, k):
        _d, labels = self.index.search(self._prep(queries), k)
        return labels


class HnswlibNative:
    """hnswlib compiled from Debian's libhnswlib-dev headers with -O3 -march=native
    (test/bench/hnswlib_native.cpp), run as a subprocess that holds the index; the
    queries are timed inside it, one at a time, so no Python overhead is counted.
    The binary is compiled once per source version into a cache directory."""
    name = "hnswlib-native"
    HEADER = "/usr/include/hnswlib/hnswlib.h"

    def __init__(self, metric, dim, m, ef_construction):
        if not os.path.exists(self.HEADER):
            raise RuntimeError("hnswlib-native needs the libhnswlib-dev package "
                               "(apt-get install libhnswlib-dev)")
        self.metric = metric
        self.dim = dim
        self.m = m
        self.ef_construction = ef_construction
        self.version = "hnswlib 0.6.2 (libhnswlib-dev) g++ -O3 -march=%s" % self.march()
        self.exe = self._compile()
        self.tmp = tempfile.mkdtemp(prefix="vecidx-bench-native-")
        self.proc = None
        self.nq = 0
        self.k = 10

    @staticmethod
    def march():
        """-march for hnswlib: native, or VECIDX_BENCH_HNSWLIB_MARCH (e.g. x86-64-v3 to
        compare with AVX2-only builds on an AVX-512 machine)."""
        return os.environ.get("VECIDX_BENCH_HNSWLIB_MARCH", "native")

    @classmethod
    def _compile(cls):
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hnswlib_native.cpp")
        march = cls.march()
        with open(src, "rb") as f:
            digest = hashlib.sha256(f.read() + march.encode()).hexdigest()[:16]
        cache = os.path.join(tempfile.gettempdir(), "vecidx-bench-bin")
        os.makedirs(cache, exist_ok=True)
        exe = os.path.join(cache, "hnswlib_native-" + digest)
        if not os.path.exists(exe):
            cxx = shutil.which("g++") or shutil.which("c++")
            if not cxx:
                raise RuntimeError("hnswlib-native needs a C++ compiler (g++)")
            subprocess.check_call([cxx, "-O3", "-march=" + march, "-DNDEBUG", "-o",
                                   exe + ".tmp", src])
            os.replace(exe + ".tmp", exe)
        return exe

    def _prep(self, x):
        return _normalise(x) if self.metric == "angular" else np.ascontiguousarray(x, np.float32)

    def set_queries(self, queries):
        """The queries go to the subprocess before it starts (call before build)."""
        self.queries = queries

    def build(self, base):
        """Start the subprocess, which builds the index on one thread and times it."""
        if self.proc is not None:
            self.close()
        bpath = os.path.join(self.tmp, "base.f32")
        qpath = os.path.join(self.tmp, "queries.f32")
        self._prep(base).tofile(bpath)
        self._prep(self.queries).tofile(qpath)
        self.base_path = bpath
        self.proc = subprocess.Popen(
            [self.exe, "ip" if self.metric == "angular" else "l2", str(self.dim), str(self.m),
             str(self.ef_construction), self.base_path, qpath, str(self.k)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        words = self.proc.stdout.readline().split()
        if not words or words[0] != b"built":
            raise RuntimeError("hnswlib-native failed to build its index")
        self.nq = self.queries.shape[0]
        os.unlink(bpath)
        os.unlink(qpath)
        return {"build_s": float(words[1]), "threads": 1, "size_bytes": int(words[2])}

    def prepare_queries(self, queries):
        return queries

    def set_ef(self, ef):
        self.ef = ef

    def run_all(self):
        """(ids per query, latency per query, wall seconds) of one pass at self.ef."""
        self.proc.stdin.write(b"run %d\n" % self.ef)
        self.proc.stdin.flush()
        words = self.proc.stdout.readline().split()
        if not words or words[0] != b"ok":
            raise RuntimeError("hnswlib-native: bad answer %r" % words)
        nq, wall = int(words[1]), float(words[2])
        ids = np.frombuffer(self._read(nq * self.k * 4), dtype=np.int32).reshape(nq, self.k)
        lat = np.frombuffer(self._read(nq * 8), dtype=np.float64).copy()
        return [list(r[r >= 0]) for r in ids], lat, wall

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.proc.stdout.read(n - len(buf))
            if not chunk:
                raise RuntimeError("hnswlib-native ended early")
            buf += chunk
        return buf

    def search_batch(self, queries, k):
        ids, _lat, _wall = self.run_all()
        return np.array([r + [-1] * (k - len(r)) for r in ids])

    def close(self):
        if self.proc is not None:
            try:
                self.proc.stdin.write(b"quit\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
            self.proc = None
        shutil.rmtree(self.tmp, ignore_errors=True)


def make(name, metric, dim, m, ef_construction):
    if name == "hnswlib-native":
        return HnswlibNative(metric, dim, m, ef_construction)
    if name == "hnswlib":
        return HnswlibIndex(metric, dim, m, ef_construction)
    if name == "faiss":
        return FaissIndex(metric, dim, m, ef_construction)
    raise ValueError(name)


def run_queries(lib, prepared, k=10):
    """One query at a time, sequentially: (ids per query, latency per query, wall seconds)."""
    return time_each(prepared, lambda q: lib.search_one(q, k))
