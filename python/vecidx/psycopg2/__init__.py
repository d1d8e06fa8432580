"""
vecidx.psycopg2 -- psycopg2 adapters for `vector` and a binary COPY loader.

    import psycopg2
    from vecidx.psycopg2 import register_vector, copy_vectors

    conn = psycopg2.connect('')
    register_vector(conn)
    cur = conn.cursor()
    cur.execute('INSERT INTO items (embedding) VALUES (%s)',
                (np.array([1, 2, 3]),))
    cur.execute('SELECT embedding FROM items')
    cur.fetchone()[0]                                 # float32 NumPy array
    copy_vectors(conn, 'items', embeddings)           # bulk load

psycopg2 sends parameters and receives results in text form only, so the
adapters use the text format; copy_vectors() uses the binary format.
NumPy arrays and vecidx.Vector values are quoted as vector literals (note:
psycopg2's register_adapter is always process-wide), and `vector` and
`vector[]` results become float32 NumPy arrays (lists without NumPy).
vecidx.HalfVector, vecidx.SparseVector and vecidx.Bit values are quoted as
their literals, and `halfvec` / `sparsevec` results (when the database has
those types) become HalfVector / SparseVector objects.
Same names as pgvector.psycopg2.
"""

import io

import psycopg2
from psycopg2.extensions import (QuotedString, cursor, new_array_type,
                                 new_type, register_adapter, register_type)

from .._copy import (DEFAULT_BATCH_ROWS, PayloadStream, column_fetcher,
                     plan_copy)
from .._bit import Bit
from .._halfvector import HalfVector
from .._sparsevector import SparseVector
from .._vector import Vector, np

__all__ = ['register_vector', 'register_vector_info', 'copy_vectors',
           'VectorAdapter', 'Vector', 'HalfVector', 'SparseVector', 'Bit']


class _LiteralAdapter:
    """Quotes a value as its text form: value_class._to_db(value)."""

    value_class = Vector

    def __init__(self, value):
        self._value = value

    def getquoted(self):
        return QuotedString(self.value_class._to_db(self._value)).getquoted()


class VectorAdapter(_LiteralAdapter):
    """Quotes a NumPy array or vecidx.Vector as a vector literal."""


class HalfVectorAdapter(_LiteralAdapter):
    """Quotes a vecidx.HalfVector as a halfvec literal."""

    value_class = HalfVector


class SparseVectorAdapter(_LiteralAdapter):
    """Quotes a vecidx.SparseVector as a sparsevec literal."""

    value_class = SparseVector


class BitAdapter(_LiteralAdapter):
    """Quotes a vecidx.Bit as a bit string literal."""

    value_class = Bit


def _register_casters(name, oid, array_oid, load, scope):
    caster = new_type((oid,), name.upper(), lambda value, cur: load(value))
    register_type(caster, scope)
    if array_oid is not None:
        register_type(new_array_type((array_oid,), name.upper() + 'ARRAY',
                                     caster), scope)


def _register_adapters():
    """The process-wide adapters (psycopg2's register_adapter has no scope)."""
    if np is not None:
        register_adapter(np.ndarray, VectorAdapter)
    register_adapter(Vector, VectorAdapter)
    register_adapter(HalfVector, HalfVectorAdapter)
    register_adapter(SparseVector, SparseVectorAdapter)
    register_adapter(Bit, BitAdapter)


def register_vector_info(oid, array_oid, scope=None):
    """
    Register the caster for type oid (and array_oid for vector[], if not
    None) on scope (a connection or cursor; None = every connection), and
    the global adapters for NumPy arrays and the vecidx value classes.
    """
    _register_casters('vector', oid, array_oid, Vector._from_db, scope)
    _register_adapters()


def register_vector(conn_or_curs, globally=False, arrays=True):
    """
    Look up `vector`, and `halfvec` and `sparsevec` when present
    (search_path decides which schema), and register their casters on
    conn_or_curs (or process-wide with globally=True).  Raises
    psycopg2.ProgrammingError when the extension is not installed.
    """
    conn = conn_or_curs if isinstance(conn_or_curs, psycopg2.extensions.connection) \
        else conn_or_curs.connection
    names = ('vector', 'halfvec', 'sparsevec')
    with conn.cursor(cursor_factory=cursor) as cur:
        cur.execute("SELECT typname, oid FROM pg_catalog.pg_type WHERE oid IN ("
                    + ', '.join("pg_catalog.to_regtype('%s'), "
                                "pg_catalog.to_regtype('%s[]')" % (n, n)
                                for n in names) + ")")
        found = dict(cur.fetchall())
    if 'vector' not in found:
        raise psycopg2.ProgrammingError('vector type not found in the database')
    scope = None if globally else conn_or_curs
    for name, load in zip(names, (Vector._from_db, HalfVector._from_db,
                                  SparseVector._from_db)):
        if name in found:
            _register_casters(name, found[name],
                              found.get('_' + name) if arrays else None,
                              load, scope)
    _register_adapters()


class _PayloadReader(io.RawIOBase):
    """A read()-able view of the COPY byte generator, for copy_expert."""

    def __init__(self, chunks):
        self._chunks = chunks
        self._pending = b''

    def readable(self):
        return True

    def read(self, size=-1):
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return b''
        if size is None or size < 0 or size >= len(self._pending):
            out, self._pending = self._pending, b''
        else:
            out = self._pending[:size]
            self._pending = self._pending[size:]
        return out


def copy_vectors(conn, table, vectors, *, ids=None, column='embedding',
                 id_column='id', batch_rows=DEFAULT_BATCH_ROWS):
    """
    Bulk-load vectors into table.column with COPY ... (FORMAT BINARY).
    Same arguments, result and guarantees as vecidx.psycopg.copy_vectors:
    returns the row count; bad input (wrong dimension, bad ids) raises
    ValueError, before the COPY starts when it is in the first two batches,
    and no row of the call is stored.  Runs in the connection's current
    transaction (commit afterwards).  Does not need register_vector().
    """
    with conn.cursor(cursor_factory=cursor) as cur:
        plan = plan_copy(column_fetcher(cur), table, column, id_column,
                         ids is not None)
        stream = PayloadStream(plan, vectors, ids, batch_rows)
        try:
            cur.copy_expert(plan.statement, _PayloadReader(iter(stream)),
                            size=1 << 20)
        except psycopg2.Error:
            if stream.error is not None:
                raise stream.error from None
            raise
    return plan.count
