"""
vecidx.psycopg -- psycopg 3 adapters for `vector` and a binary COPY loader.

    import psycopg
    from vecidx.psycopg import register_vector, copy_vectors

    conn = psycopg.connect(autocommit=True)
    register_vector(conn)
    conn.execute('INSERT INTO items (embedding) VALUES (%s)',
                 (np.array([1, 2, 3]),))
    conn.execute('SELECT embedding FROM items').fetchone()[0]   # float32 array
    copy_vectors(conn, 'items', embeddings)                      # bulk load

After register_vector(conn), NumPy arrays and vecidx.Vector values are sent
as `vector` (binary by default: %s and %b; %t forces text) and `vector`
results come back as float32 NumPy arrays (lists without NumPy), in both
text and binary result formats.  When the database has them, vecidx.HalfVector
and vecidx.SparseVector values are sent as `halfvec` and `sparsevec` and
come back as those classes; vecidx.Bit values are sent as `bit` (whose
results stay psycopg's strings).  Same names as pgvector.psycopg.
"""

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg.rows import tuple_row
from psycopg.types import TypeInfo

from .._copy import (DEFAULT_BATCH_ROWS, PayloadStream, column_fetcher,
                     plan_copy)
from .._bit import Bit
from .._halfvector import HalfVector
from .._sparsevector import SparseVector
from .._vector import Vector

__all__ = ['register_vector', 'register_vector_async', 'register_vector_info',
           'copy_vectors', 'Vector', 'HalfVector', 'SparseVector', 'Bit']

# the types register_vector looks up, besides vector itself
_OTHER_TYPES = ('halfvec', 'sparsevec', 'bit')


def _adapter_classes(cls, oid):
    """Text and binary dumper and loader classes for value class cls."""
    def dump_text(self, obj):
        return cls._to_db(obj).encode('ascii')

    def dump_binary(self, obj):
        return cls._to_db_binary(obj)

    def load_text(self, data):
        return cls._from_db(bytes(data).decode('ascii'))

    def load_binary(self, data):
        return cls._from_db_binary(bytes(data))

    name = cls.__name__
    return (type(name + 'TextDumper', (Dumper,),
                 {'format': Format.TEXT, 'oid': oid, 'dump': dump_text}),
            type(name + 'BinaryDumper', (Dumper,),
                 {'format': Format.BINARY, 'oid': oid, 'dump': dump_binary}),
            type(name + 'TextLoader', (Loader,),
                 {'format': Format.TEXT, 'load': load_text}),
            type(name + 'BinaryLoader', (Loader,),
                 {'format': Format.BINARY, 'load': load_binary}))


def _register(context, info, cls, python_types, loaders=True):
    """Register cls's adapters for the type info on context."""
    info.register(context)      # arrays of the type use the element loaders
    text_dumper, binary_dumper, text_loader, binary_loader = \
        _adapter_classes(cls, info.oid)
    adapters = context.adapters
    for t in python_types:
        adapters.register_dumper(t, text_dumper)
        adapters.register_dumper(t, binary_dumper)      # last one: default
    if loaders:
        adapters.register_loader(info.oid, text_loader)
        adapters.register_loader(info.oid, binary_loader)


def register_vector_info(context, info, others=()):
    """
    Register the adapters on context (a connection or cursor) for the type
    described by info (a TypeInfo for `vector`, None if the type is absent)
    and for the TypeInfos in others (halfvec, sparsevec, bit; None entries
    are types the database does not have).
    """
    if info is None:
        raise psycopg.ProgrammingError('vector type not found in the database')
    _register(context, info, Vector, ('numpy.ndarray', Vector))
    for other in others:
        if other is None:
            continue
        if other.name == 'halfvec':
            _register(context, other, HalfVector, (HalfVector,))
        elif other.name == 'sparsevec':
            _register(context, other, SparseVector, (SparseVector,))
        elif other.name == 'bit':
            # dump only: bit results stay psycopg's strings, as with pgvector
            _register(context, other, Bit, (Bit,), loaders=False)


def register_vector(context):
    """
    Look up `vector` on the connection (search_path decides which schema)
    and register its adapters there.  Raises psycopg.ProgrammingError when
    the extension is not installed.
    """
    register_vector_info(context, TypeInfo.fetch(context, 'vector'),
                         [TypeInfo.fetch(context, t) for t in _OTHER_TYPES])


async def register_vector_async(context):
    """register_vector for psycopg.AsyncConnection."""
    register_vector_info(context, await TypeInfo.fetch(context, 'vector'),
                         [await TypeInfo.fetch(context, t) for t in _OTHER_TYPES])


def copy_vectors(conn, table, vectors, *, ids=None, column='embedding',
                 id_column='id', batch_rows=DEFAULT_BATCH_ROWS):
    """
    Bulk-load vectors into table.column with COPY ... (FORMAT BINARY).

    vectors   2-D NumPy array (fastest), or any iterable of vectors (lists,
              tuples, arrays, vecidx.Vector); consumed in batches of
              batch_rows rows, so a generator streams without holding the
              whole data set in memory.
    ids       optional iterable of integers for id_column (smallint,
              integer or bigint), one per vector.
    table     a table name as SQL would read it ('items', 'app.items').

    Returns the number of rows copied.  A dimension that does not match
    the column's vector(n) (or, for plain vector, the first row), a
    non-integer or out-of-range id, or an id count that differs from the
    vector count raises ValueError; no row of the call is stored.  The
    first two batches are checked before the COPY starts (so the
    transaction stays usable); a later error aborts the COPY.  Runs in the connection's current
    transaction; commit as usual unless the connection is in autocommit.
    Does not need register_vector().
    """
    with conn.cursor(row_factory=tuple_row) as cur:
        plan = plan_copy(column_fetcher(cur), table, column, id_column,
                         ids is not None)
        stream = PayloadStream(plan, vectors, ids, batch_rows)
        try:
            with cur.copy(plan.statement) as copy:
                for chunk in stream:
                    copy.write(chunk)
        except psycopg.Error:
            if stream.error is not None:
                raise stream.error from None
            raise
    return plan.count
