"""
vecidx -- Python access to the vecidx PostgreSQL extension.

The extension provides a pgvector-compatible `vector` type and an `hnsw`
index.  This package mirrors the `pgvector` Python package so that code
written for it works after changing the import line:

    vecidx.Vector           value classes (text and binary wire formats):
    vecidx.HalfVector       vector, halfvec, sparsevec and bit(n)
    vecidx.SparseVector
    vecidx.Bit
    vecidx.sqlalchemy       VECTOR, HALFVEC, SPARSEVEC, BIT column types, avg, sum
    vecidx.psycopg          register_vector(conn) for psycopg 3, copy_vectors
    vecidx.psycopg2         register_vector(conn) for psycopg2, copy_vectors
    vecidx.asyncpg          register_vector(conn) for asyncpg
    vecidx.django           VectorField, HnswIndex, L2Distance, ... for Django

Submodules import their driver lazily: importing vecidx needs nothing but
the standard library.  NumPy is used when installed.
"""

from ._bit import Bit
from ._halfvector import HALFVEC_MAX_DIM, HalfVector
from ._sparsevector import SPARSEVEC_MAX_DIM, SPARSEVEC_MAX_NNZ, SparseVector
from ._vector import HAS_NUMPY, VECTOR_MAX_DIM, Vector

__version__ = '0.1.0'

__all__ = ['Vector', 'HalfVector', 'SparseVector', 'Bit', 'HAS_NUMPY',
           'VECTOR_MAX_DIM', 'HALFVEC_MAX_DIM', 'SPARSEVEC_MAX_DIM',
           'SPARSEVEC_MAX_NNZ', '__version__']
