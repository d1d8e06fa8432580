"""
test/python/client_reference.py -- what the asyncpg and Django client tests
order by distance: the rows, the query, and per operator its operator class
and a NumPy reference distance.
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


def nearest(op, k=3):
    """Positions in ROWS of the k rows closest to QUERY by op, ties by position."""
    ref = OPERATORS[op][1]
    return sorted(range(len(ROWS)), key=lambda i: (
        ref(np.array(ROWS[i], dtype=np.float32), QUERY), i))[:k]
