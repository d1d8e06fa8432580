"""Benchmark datasets: texmex files, a synthetic clustered set, exact ground truth, recall.

A dataset is a `Dataset`: float32 base and query matrices, the metric
("euclidean" or "angular"), and the exact neighbour ids of every query
(ground truth, row i = query i, ids ordered by increasing distance).

Texmex format (see ../shared/data/README.md beside the clone): `.fvecs` records are a
little-endian int32 dimension followed by that many float32 values; `.ivecs`
records the same with int32 values.  Files may be gzipped (`.gz`).
"""

import gzip
import json
import os
from dataclasses import dataclass, field

import numpy as np

METRICS = ("euclidean", "angular")


@dataclass
class Dataset:
    name: str
    metric: str
    base: np.ndarray            # (n, d) float32, C-contiguous
    queries: np.ndarray         # (nq, d) float32
    groundtruth: np.ndarray     # (nq, k) int32 base row ids, nearest first
    info: dict = field(default_factory=dict)

    @property
    def dim(self):
        return self.base.shape[1]


def _read_bytes(path):
    """Whole file contents, gunzipped when the name ends in .gz."""
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def read_vecs(path, dtype):
    """Parse an .fvecs (dtype float32) or .ivecs (int32) file into an (n, d) array.

    Raises ValueError when the records do not all have the same dimension or
    the file ends inside a record."""
    raw = np.frombuffer(_read_bytes(path), dtype="<i4")
    if raw.size == 0:
        raise ValueError("%s: empty file" % path)
    d = int(raw[0])
    if d <= 0 or raw.size % (d + 1) != 0:
        raise ValueError("%s: length is not a whole number of %d-d records" % (path, d))
    rows = raw.reshape(-1, d + 1)
    if not np.all(rows[:, 0] == d):
        raise ValueError("%s: records of differing dimensions" % path)
    return np.ascontiguousarray(rows[:, 1:]).view(dtype).astype(dtype, copy=False)


def write_vecs(path, arr):
    """Write an (n, d) float32 or int32 array in texmex format (used by tests)."""
    arr = np.ascontiguousarray(arr)
    n, d = arr.shape
    out = np.empty((n, d + 1), dtype="<i4")
    out[:, 0] = d
    out[:, 1:] = arr.view("<i4") if arr.dtype == np.float32 else arr
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(out.tobytes())


def _find(prefix, suffix):
    for cand in (prefix + suffix + ".gz", prefix + suffix):
        if os.path.exists(cand):
            return cand
    raise FileNotFoundError("no %s(.gz) for dataset prefix %s" % (suffix, prefix))


def _metric_from_name(name, datasets_json):
    """Metric from datasets.json when it knows the set, else from the name suffix."""
    entry = datasets_json.get(name)
    if entry:
        m = entry.get("metric", "")
        if m.startswith("angular"):
            return "angular"
        if m.startswith("euclidean"):
            return "euclidean"
    for m in METRICS:
        if name.endswith("-" + m):
            return m
    return None


def load_texmex(name, data_dir, metric=None):
    """Load NAME_{base,query}.fvecs[.gz] and NAME_groundtruth.ivecs[.gz].

    `name` is a dataset name looked up in data_dir, or a path prefix (contains
    a '/').  The metric comes from `metric`, else datasets.json, else the
    name's -euclidean/-angular suffix; "small" (MNIST slice) is euclidean per
    the data README."""
    if "/" in name:
        prefix = name
        name = os.path.basename(name)
        data_dir = os.path.dirname(prefix)
    else:
        prefix = os.path.join(data_dir, name)
    meta = {}
    meta_path = os.path.join(data_dir, "datasets.json")
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
    if metric is None:
        metric = _metric_from_name(name, meta)
    if metric is None:
        raise ValueError("cannot tell the metric of dataset %s: pass --metric" % name)
    files = {part: _find(prefix, "_" + part + suffix)
             for part, suffix in (("base", ".fvecs"), ("query", ".fvecs"),
                                  ("groundtruth", ".ivecs"))}
    base = read_vecs(files["base"], np.float32)
    queries = read_vecs(files["query"], np.float32)
    gt = read_vecs(files["groundtruth"], np.int32)
    if base.shape[1] != queries.shape[1]:
        raise ValueError("base and query dimensions differ: %d vs %d"
                         % (base.shape[1], queries.shape[1]))
    if gt.shape[0] != queries.shape[0]:
        raise ValueError("ground truth has %d rows for %d queries"
                         % (gt.shape[0], queries.shape[0]))
    info = {"source": "texmex", "files": files}
    if name in meta:
        info["datasets_json"] = {k: meta[name][k] for k in
                                 ("n_base", "n_query", "dims", "metric") if k in meta[name]}
    return Dataset(name, metric, base, queries, gt, info)


def synthetic(n, d, nq=1000, metric="euclidean", seed=1, clusters=100, k=100):
    """A clustered gaussian mixture, in the spirit of the 1M x 128 scale point
    of BENCHMARKS.md: `clusters` centres with Zipf-like weights, each cluster a
    low-rank gaussian (random orientation, decaying per-axis scale) plus small
    isotropic noise.  Queries are fresh draws from the same mixture.  Ground
    truth is exact (see exact_knn)."""
    rng = np.random.default_rng(seed)
    clusters = max(1, min(clusters, n))
    weights = 1.0 / np.arange(1, clusters + 1) ** 0.8
    weights /= weights.sum()
    centres = rng.normal(0.0, 1.0, (clusters, d)).astype(np.float32)
    rank = max(1, min(d, d // 4))
    scales = (0.5 * 0.9 ** np.arange(rank)).astype(np.float32)
    bases = []
    for _ in range(clusters):
        q, _r = np.linalg.qr(rng.normal(size=(d, rank)))
        bases.append((q[:, :rank].T * scales[:, None]).astype(np.float32))

    def draw(count):
        out = np.empty((count, d), dtype=np.float32)
        labels = rng.choice(clusters, size=count, p=weights)
        for start in range(0, count, 65536):
            lab = labels[start:start + 65536]
            z = rng.normal(size=(lab.size, rank)).astype(np.float32)
            block = centres[lab].copy()
            for c in np.unique(lab):
                sel = lab == c
                block[sel] += z[sel] @ bases[c]
            block += rng.normal(0.0, 0.02, block.shape).astype(np.float32)
            out[start:start + lab.size] = block
        return out

    base = draw(n)
    queries = draw(nq)
    gt = exact_knn(base, queries, metric, min(k, n))
    info = {"source": "synthetic", "seed": seed, "clusters": clusters, "rank": rank}
    return Dataset("synthetic-%dx%d-%s" % (n, d, metric), metric, base, queries, gt, info)


def rotate(ds, seed):
    """Rotate base and queries in place by one seeded random orthogonal matrix (QR of a
    gaussian matrix, signs fixed so it is uniformly distributed).  Distances and inner
    products are unchanged, so the ground truth stays exact; the values leave any
    integer lattice (MNIST's pixels), as real embeddings are."""
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.normal(size=(ds.dim, ds.dim)))
    q *= np.sign(np.diag(r))
    q = q.astype(np.float64)
    ds.base = np.ascontiguousarray((ds.base.astype(np.float64) @ q).astype(np.float32))
    ds.queries = np.ascontiguousarray((ds.queries.astype(np.float64) @ q).astype(np.float32))
    ds.name = "%s-rotated%d" % (ds.name, seed)
    ds.info["rotated"] = {"seed": seed, "method": "QR of a seeded gaussian matrix"}


def _normalise(x):
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


def exact_knn(base, queries, metric, k, block=2048):
    """Exact k nearest base ids per query, nearest first, ties to the smaller id.

    Candidates are screened in float32 in blocks of base rows (memory bounded
    by block x nq), keeping a generous margin, then re-ranked with float64
    distances, so float32 rounding cannot reorder the result."""
    n = base.shape[0]
    k = min(k, n)
    margin = min(n, max(4 * k, k + 64))
    if metric == "angular":
        b32, q32 = _normalise(base.astype(np.float32)), _normalise(queries.astype(np.float32))
    else:
        b32, q32 = base.astype(np.float32), queries.astype(np.float32)
    bnorm = (b32.astype(np.float64) ** 2).sum(axis=1).astype(np.float32)
    nq = q32.shape[0]
    best_d = np.full((nq, 0), np.inf, dtype=np.float32)
    best_i = np.zeros((nq, 0), dtype=np.int64)
    for start in range(0, n, block):
        stop = min(n, start + block)
        # squared L2 up to the per-query constant |q|^2 (ranking only)
        dist = bnorm[None, start:stop] - 2.0 * (q32 @ b32[start:stop].T)
        cat_d = np.concatenate([best_d, dist], axis=1)
        cat_i = np.concatenate([best_i, np.broadcast_to(
            np.arange(start, stop), (nq, stop - start))], axis=1)
        if cat_d.shape[1] > margin:
            part = np.argpartition(cat_d, margin - 1, axis=1)[:, :margin]
            cat_d = np.take_along_axis(cat_d, part, axis=1)
            cat_i = np.take_along_axis(cat_i, part, axis=1)
        best_d, best_i = cat_d, cat_i
    out = np.empty((nq, k), dtype=np.int32)
    b64 = base.astype(np.float64)
    for qi in range(nq):
        cand = best_i[qi]
        exact = distances(b64[cand], queries[qi].astype(np.float64), metric)
        order = np.lexsort((cand, exact))[:k]
        out[qi] = cand[order]
    return out


def distances(rows, q, metric):
    """Distances of each row to q in float64: L2 or cosine distance 1 - cos."""
    rows = np.asarray(rows, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if metric == "euclidean":
        return np.sqrt(((rows - q) ** 2).sum(axis=1))
    qn = np.linalg.norm(q)
    rn = np.linalg.norm(rows, axis=1)
    denom = rn * qn
    denom[denom == 0] = np.inf
    return 1.0 - (rows @ q) / denom


def recall_at(results, groundtruth, k=10):
    """Mean over queries of |results[i][:k] & groundtruth[i][:k]| / k.

    `results` is a sequence of id sequences (a query may return fewer than
    k ids; missing ids count as misses)."""
    if len(results) != len(groundtruth):
        raise ValueError("%d result rows for %d queries" % (len(results), len(groundtruth)))
    if len(results) == 0:
        return float("nan")
    hits = 0
    for res, gt in zip(results, groundtruth):
        hits += len(set(int(x) for x in list(res)[:k]) & set(int(x) for x in gt[:k]))
    return hits / (k * len(results))
