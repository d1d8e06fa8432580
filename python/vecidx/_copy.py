"""
vecidx._copy -- the driver-independent half of the bulk loader.

copy_vectors() in vecidx.psycopg and vecidx.psycopg2 both stream a binary
COPY: this module resolves the target table and columns from the catalog
and turns vectors (and optional integer ids) into COPY BINARY bytes; the
driver modules only move those bytes.

Every row has the same width once the dimension is known, so with NumPy a
batch of rows is one structured array written with a single tobytes(): no
per-row Python work for 2-D array input.  Without NumPy each row is packed
with struct.

COPY BINARY layout (PostgreSQL docs, "COPY -- Binary Format"):
  header   'PGCOPY\\n\\377\\r\\n\\0', int32 flags (0), int32 extension length (0)
  row      int16 field count, then per field int32 length + bytes
  trailer  int16 -1
A vector field's bytes are vector_recv's input: int16 dim, int16 0, float4s.
"""

import struct
from array import array

from ._vector import _LITTLE, VECTOR_MAX_DIM, _float32_values, np

COPY_HEADER = b'PGCOPY\n\xff\r\n\x00' + struct.pack('>ii', 0, 0)
COPY_TRAILER = struct.pack('>h', -1)

DEFAULT_BATCH_ROWS = 10000

# integer id column types accepted, with their binary width and range
_INT_TYPES = {
    'int2': (2, 'h', -2 ** 15, 2 ** 15 - 1),
    'int4': (4, 'i', -2 ** 31, 2 ** 31 - 1),
    'int8': (8, 'q', -2 ** 63, 2 ** 63 - 1),
}

# One query per column: the table as the server would print it (quoted and
# schema-qualified when needed), the quoted column name, its type and typmod.
COLUMN_QUERY = (
    "SELECT a.attrelid::regclass::text, quote_ident(a.attname), t.typname, "
    "a.atttypmod "
    "FROM pg_catalog.pg_attribute a "
    "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
    "WHERE a.attrelid = pg_catalog.to_regclass(%s) AND a.attname = %s "
    "AND a.attnum > 0 AND NOT a.attisdropped")


class CopyPlan:
    """
    What to send: the COPY statement, the vector dimension (None until
    the first row fixes it when the column has no typmod) and the id
    column's binary width (None when no ids are sent).
    """

    def __init__(self, statement, dim, id_type):
        self.statement = statement
        self.dim = dim
        self.id_type = id_type
        self.count = 0


def column_fetcher(cur):
    """The fetch_column of plan_copy for a DB-API cursor (psycopg, psycopg2)."""
    def fetch_column(table, column):
        cur.execute(COLUMN_QUERY, (table, column))
        return cur.fetchone()
    return fetch_column


def plan_copy(fetch_column, table, column, id_column, with_ids):
    """
    Build a CopyPlan.  fetch_column(table, column) runs COLUMN_QUERY and
    returns its row or None; errors here are ValueError and happen before
    any data is sent.
    """
    row = fetch_column(table, column)
    if row is None:
        raise ValueError('table %r not found or has no column %r'
                         % (table, column))
    relname, vec_ident, typname, typmod = row
    if typname != 'vector':
        raise ValueError('column %s of %s has type %s, not vector'
                         % (vec_ident, relname, typname))
    dim = typmod if typmod is not None and typmod > 0 else None
    columns = [vec_ident]
    id_type = None
    if with_ids:
        row = fetch_column(table, id_column)
        if row is None:
            raise ValueError('table %r not found or has no column %r'
                             % (table, id_column))
        _, id_ident, id_typname, _ = row
        if id_typname not in _INT_TYPES:
            raise ValueError('id column %s has type %s; copy_vectors sends '
                             'ids as smallint, integer or bigint'
                             % (id_ident, id_typname))
        id_type = id_typname
        columns.insert(0, id_ident)
    statement = 'COPY %s (%s) FROM STDIN WITH (FORMAT BINARY)' \
        % (relname, ', '.join(columns))
    return CopyPlan(statement, dim, id_type)


def copy_payload(plan, vectors, ids=None, batch_rows=DEFAULT_BATCH_ROWS):
    """
    Yield the COPY BINARY stream for vectors (a 2-D array or any iterable
    of vectors) and ids (None or an iterable of ints of the same length),
    batch_rows rows per chunk.  plan.count holds the rows yielded so far.
    A wrong dimension, a vector/id count mismatch or an id out of range
    raises ValueError; the caller aborts the COPY so nothing is stored.
    """
    if batch_rows < 1:
        raise ValueError('batch_rows must be positive')
    plan.count = 0
    yield COPY_HEADER
    # sequences (arrays, ranges, lists) are sliced, other iterables walked
    sliceable = hasattr(ids, '__getitem__') and hasattr(ids, '__len__')
    id_iter = iter(ids) if ids is not None and not sliceable else None
    for batch in _batches(vectors, batch_rows):
        id_batch = None
        if sliceable:
            id_batch = ids[plan.count:plan.count + len(batch)]
        elif id_iter is not None:
            id_batch = _take(id_iter, len(batch))
        if id_batch is not None and len(id_batch) != len(batch):
            raise ValueError('more vectors than ids (%d ids)'
                             % (plan.count + len(id_batch)))
        if np is not None:
            chunk = _encode_numpy(plan, batch, id_batch)
        else:
            chunk = _encode_rows(plan, batch, id_batch)
        plan.count += len(batch)
        yield chunk
    if (len(ids) > plan.count if sliceable
            else id_iter is not None and _take(id_iter, 1)):
        raise ValueError('more ids than vectors (%d vectors)' % plan.count)
    yield COPY_TRAILER


class PayloadStream:
    """
    copy_payload() wrapped for the drivers.  The header, the first batch
    and what follows it (the next batch, or the end-of-data checks and the
    trailer) are encoded on construction, so an error there raises
    ValueError before the COPY is even started: always for input of at
    most batch_rows rows, and for the usual mistake in larger input (every
    row has the wrong length).  A later ValueError aborts the COPY; the
    driver turns that into its own error, so the original is kept in
    .error for the caller to re-raise.
    """

    def __init__(self, plan, vectors, ids, batch_rows):
        self.error = None
        self._gen = copy_payload(plan, vectors, ids, batch_rows)
        self._head = [next(self._gen), next(self._gen)]
        if self._head[-1] is not COPY_TRAILER:
            self._head.append(next(self._gen))

    def __iter__(self):
        yield from self._head
        self._head = []
        try:
            yield from self._gen
        except ValueError as exc:
            self.error = exc
            raise


def _take(iterator, n):
    out = []
    for item in iterator:
        out.append(item)
        if len(out) == n:
            break
    return out


def _batches(vectors, batch_rows):
    """Split input into lists (or 2-D array slices) of at most batch_rows."""
    if np is not None and isinstance(vectors, np.ndarray):
        if vectors.ndim != 2:
            raise ValueError('expected a 2-D array of vectors, got %d '
                             'dimensions' % vectors.ndim)
        for start in range(0, len(vectors), batch_rows):
            yield vectors[start:start + batch_rows]
        return
    batch = []
    for item in vectors:
        batch.append(item)
        if len(batch) == batch_rows:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_dim(plan, n, row):
    if plan.dim is None:
        if n < 1 or n > VECTOR_MAX_DIM:
            raise ValueError('vector must have between 1 and %d dimensions, '
                             'row %d has %d' % (VECTOR_MAX_DIM, row, n))
        plan.dim = n
    elif n != plan.dim:
        raise ValueError('expected %d dimensions, not %d (row %d)'
                         % (plan.dim, n, row))


def _encode_numpy(plan, batch, id_batch):
    """One structured array per batch, written with a single tobytes()."""
    if isinstance(batch, np.ndarray):
        _check_dim(plan, batch.shape[1], plan.count)
        values = batch
    else:
        rows = []
        for i, item in enumerate(batch):
            vec = _float32_values(item)
            _check_dim(plan, len(vec), plan.count + i)
            rows.append(vec)
        values = np.stack(rows)
    dim = plan.dim
    fields = [('nfields', '>i2')]
    if id_batch is not None:
        width, code, lo, hi = _INT_TYPES[plan.id_type]
        fields += [('idlen', '>i4'), ('id', '>i%d' % width)]
    fields += [('veclen', '>i4'), ('dim', '>i2'), ('unused', '>i2'),
               ('x', '>f4', (dim,))]
    rec = np.empty(len(values), dtype=np.dtype(fields))
    rec['nfields'] = 2 if id_batch is not None else 1
    if id_batch is not None:
        idv = np.asarray(id_batch)
        if idv.dtype.kind not in 'iu' or idv.ndim != 1:
            if any(isinstance(v, bool) or not isinstance(v, int)
                   for v in id_batch):
                raise ValueError('ids must be integers')
            idv = np.array(id_batch, dtype=object)
        if len(idv) and (idv.min() < lo or idv.max() > hi):
            raise ValueError('id out of range for %s' % plan.id_type)
        rec['idlen'] = width
        rec['id'] = idv
    rec['veclen'] = 4 + 4 * dim
    rec['dim'] = dim
    rec['unused'] = 0
    rec['x'] = values
    return rec.tobytes()


def _encode_rows(plan, batch, id_batch):
    """The same bytes as _encode_numpy, packed row by row."""
    out = []
    for i, item in enumerate(batch):
        vec = array('f', _float32_values(item))
        _check_dim(plan, len(vec), plan.count + i)
        if _LITTLE:
            vec.byteswap()
        if id_batch is not None:
            width, code, lo, hi = _INT_TYPES[plan.id_type]
            ident = id_batch[i]
            if hasattr(ident, '__index__') and not isinstance(ident, bool):
                ident = ident.__index__()       # e.g. a NumPy integer
            if isinstance(ident, bool) or not isinstance(ident, int):
                raise ValueError('ids must be integers')
            if ident < lo or ident > hi:
                raise ValueError('id out of range for %s' % plan.id_type)
            out.append(struct.pack('>hi' + code, 2, width, ident))
        else:
            out.append(struct.pack('>h', 1))
        out.append(struct.pack('>ihh', 4 + 4 * plan.dim, plan.dim, 0))
        out.append(vec.tobytes())
    return b''.join(out)


__all__ = ['COPY_HEADER', 'COPY_TRAILER', 'COLUMN_QUERY', 'CopyPlan',
           'column_fetcher', 'plan_copy', 'copy_payload', 'PayloadStream']
