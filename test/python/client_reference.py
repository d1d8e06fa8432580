"""
test/python/client_reference.py -- what the client tests share: the rows,
the query, and per operator its operator class and a NumPy reference
distance (asyncpg, Django); float32 data over the whole range and bit-exact
comparison (psycopg, psycopg2).
"""

import numpy as np

ROWS = [[1, 1, 1], [2, 2, 2], [1, 1, 2], [-1, 0.5, 3], [0.25, -2, 1]]
QUERY = np.array([1, 1, 1.5], dtype=np.float32)

# operator -> (opclass, NumPy reference distance)
OPERATORS = {
    '<->': ('vector_l2_ops', lambda a, b: np.sqrt(np.sum((a - b) ** 2))),
    '<#>': ('vector_ip_ops', lambda a, b: -np.dot(a, b)),
    '<=>': ('vector_cosine_ops',
            lambda a, b: 1 - np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b)),
    '<+>': ('vector_l1_ops', lambda a, b: np.sum(np.abs(a - b))),
}


def awkward_float32(n, dim, seed):
    """float32 values over the whole normal range, both signs."""
    rng = np.random.default_rng(seed)
    sign = rng.choice([-1.0, 1.0], (n, dim))
    mant = rng.uniform(1, 10, (n, dim))
    expo = rng.uniform(-37, 37, (n, dim))
    out = (sign * mant * 10.0 ** expo).astype(np.float32)
    out[0, :4] = [np.finfo(np.float32).max, np.finfo(np.float32).tiny,
                  -np.finfo(np.float32).max, 0.1]
    return out


def same_bits(a, b):
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    return a.shape == b.shape and np.array_equal(a.view(np.uint32),
                                                 b.view(np.uint32))


def assert_rows_exact(rows, data):
    """rows (id, embedding) hold data[id] bit for bit, as float32 arrays."""
    assert len(rows) == len(data)
    for i, emb in rows:
        assert isinstance(emb, np.ndarray) and emb.dtype == np.float32
        assert same_bits(emb, data[i]), i


def report_copy_rate(capsys, driver, n, dim, elapsed):
    """Print a copy_vectors throughput line past pytest's capture."""
    with capsys.disabled():
        print('\n[vecidx.%s copy_vectors] %d rows x %d dims in %.2f s: '
              '%.0f rows/s, %.1f MB/s of vector data'
              % (driver, n, dim, elapsed, n / elapsed,
                 n * dim * 4 / elapsed / 1e6))


def nearest(op, k=3):
    """Positions in ROWS of the k rows closest to QUERY by op, ties by position."""
    ref = OPERATORS[op][1]
    return sorted(range(len(ROWS)), key=lambda i: (
        ref(np.array(ROWS[i], dtype=np.float32), QUERY), i))[:k]
