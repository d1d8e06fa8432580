"""
vecidx.asyncpg -- asyncpg codecs for `vector`, `halfvec` and `sparsevec`.

    import asyncpg
    from vecidx.asyncpg import register_vector

    conn = await asyncpg.connect()
    await register_vector(conn)
    await conn.execute('INSERT INTO items (embedding) VALUES ($1)',
                       np.array([1, 2, 3]))
    await conn.fetchval('SELECT embedding FROM items LIMIT 1')  # float32 array

register_vector(conn) sets codecs for `vector` (NumPy arrays, lists,
tuples and vecidx.Vector in; float32 NumPy arrays out, lists without
NumPy) and, when those types exist in the database, `halfvec`
(vecidx.HalfVector out) and `sparsevec` (vecidx.SparseVector out).  The
binary wire format is the default; format='text' uses the text format.
Every encoder also takes a value already in text form ('[1,2,3]'), which
is what the SQLAlchemy types bind, so create_async_engine('postgresql+
asyncpg://...') works with connections on which register_vector was run:

    @event.listens_for(engine.sync_engine, 'connect')
    def connect(dbapi_connection, connection_record):
        dbapi_connection.run_async(register_vector)

asyncpg does not see a column's type modifier, so a vector of the wrong
dimension is refused by the server (SQLSTATE 22000), not here; the
SQLAlchemy types check it before sending.  `bit` keeps asyncpg's own codec
(asyncpg.BitString).  Same name and first arguments as pgvector.asyncpg.
"""

from .._halfvector import HalfVector
from .._sparsevector import SparseVector
from .._vector import Vector

__all__ = ['register_vector', 'Vector', 'HalfVector', 'SparseVector']

_SCHEMA_QUERY = (
    "SELECT t.typname, n.nspname FROM pg_catalog.pg_type t "
    "JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
    "WHERE t.oid IN (pg_catalog.to_regtype('vector'), "
    "pg_catalog.to_regtype('halfvec'), pg_catalog.to_regtype('sparsevec'))")

# type name -> value class; vector comes first and is required
_TYPES = (('vector', Vector), ('halfvec', HalfVector),
          ('sparsevec', SparseVector))


def _codecs(cls, fmt):
    """(encoder, decoder) for value class cls in format fmt."""
    if fmt == 'binary':
        def encode(value):
            if isinstance(value, str):      # text bound by vecidx.sqlalchemy
                value = cls.from_text(value)
            return cls._to_db_binary(value)
        return encode, cls._from_db_binary

    def encode_text(value):
        if isinstance(value, str):
            return cls.from_text(value).to_text()
        return cls._to_db(value)
    return encode_text, cls._from_db


async def register_vector(conn, schema=None, *, format='binary'):
    """
    Set the codecs on conn (an asyncpg Connection).  schema: where the
    types live; None looks them up through conn's search_path.  Raises
    ValueError when `vector` is not found (the extension is not installed
    in that schema); halfvec and sparsevec are set when present.
    """
    if format not in ('binary', 'text'):
        raise ValueError("format must be 'binary' or 'text', not %r" % (format,))
    if schema is None:
        found = dict(await conn.fetch(_SCHEMA_QUERY))
    else:
        found = dict(await conn.fetch(
            "SELECT t.typname, n.nspname FROM pg_catalog.pg_type t "
            "JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = $1 AND t.typname IN "
            "('vector', 'halfvec', 'sparsevec')", schema))
    if 'vector' not in found:
        raise ValueError('unknown type: %s.vector (is the vecidx extension '
                         'installed there?)' % (schema or 'search_path'))
    for name, cls in _TYPES:
        if name in found:
            encoder, decoder = _codecs(cls, format)
            await conn.set_type_codec(name, schema=found[name],
                                      encoder=encoder, decoder=decoder,
                                      format=format)
