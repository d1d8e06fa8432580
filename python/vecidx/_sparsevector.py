"""
vecidx._sparsevector -- the client-side `sparsevec` value and its wire formats.

  text    '{1:0.5,3:2}/5'  -- one-based index:value pairs, then the
          dimension (sparsevec_in / sparsevec_out)
  binary  int32 dim, int32 nnz, int32 unused (0), nnz x int32 zero-based
          index, nnz x float4 value, all big-endian -- pgvector's
          sparsevec_send/sparsevec_recv layout

Indices are kept zero-based and sorted, zeros are dropped, values are
Python floats.  Same class and method names as pgvector.SparseVector:
SparseVector(dict, dim), SparseVector(dense list or array) or
SparseVector(scipy sparse array of one row); results of type sparsevec
come back as SparseVector objects.
"""

import struct

from ._vector import _WireValue, _require_numpy, check_dimensions, np

__all__ = ['SparseVector', 'SPARSEVEC_MAX_DIM', 'SPARSEVEC_MAX_NNZ']

# Same limits as pgvector's SPARSEVEC_MAX_DIM and SPARSEVEC_MAX_NNZ
SPARSEVEC_MAX_DIM = 1000000000
SPARSEVEC_MAX_NNZ = 16000

_HEADER = struct.Struct('>iii')
_NO_DEFAULT = object()


class SparseVector(_WireValue):
    """A value of a `sparsevec` column."""

    __slots__ = ('_dim', '_indices', '_values')
    _max_dim = SPARSEVEC_MAX_DIM
    _kind = 'sparsevec'

    def __init__(self, value, dimensions=_NO_DEFAULT, /):
        if type(value).__module__.startswith('scipy.sparse'):
            if dimensions is not _NO_DEFAULT:
                raise ValueError('extra argument: a scipy sparse array has '
                                 'its own shape')
            self._from_scipy(value)
        elif isinstance(value, dict):
            if dimensions is _NO_DEFAULT:
                raise ValueError('missing dimensions: SparseVector(dict, '
                                 'dimensions)')
            self._from_dict(value, dimensions)
        else:
            if dimensions is not _NO_DEFAULT:
                raise ValueError('extra argument: a dense value has its own '
                                 'length')
            self._from_dense(value)

    def _from_dict(self, d, dim):
        dim = int(dim)
        items = sorted((int(i), float(v)) for i, v in d.items() if v != 0)
        for i, _ in items:
            if i < 0 or i >= dim:
                raise ValueError('index %d out of range for %d dimensions'
                                 % (i, dim))
        self._set(dim, [i for i, _ in items], [v for _, v in items])

    def _from_dense(self, value):
        if isinstance(value, (str, bytes, bytearray, memoryview, dict)):
            raise ValueError('expected a sequence of numbers, not %s'
                             % type(value).__name__)
        if np is not None:
            arr = np.asarray(value)
            if arr.ndim != 1:
                raise ValueError('expected ndim to be 1, got %d' % arr.ndim)
            nz = np.flatnonzero(arr)
            self._set(len(arr), nz.tolist(), arr[nz].astype(float).tolist())
            return
        values = [float(v) for v in value]
        indices = [i for i, v in enumerate(values) if v != 0]
        self._set(len(values), indices, [values[i] for i in indices])

    def _from_scipy(self, value):
        coo = value.tocoo()
        coo.sum_duplicates()        # also sorts the coordinates
        if coo.ndim == 1:
            dim, cols = coo.shape[0], coo.coords[0]
        elif coo.shape[0] == 1:
            dim, cols = coo.shape[1], coo.col
        else:
            raise ValueError('expected one row, got a sparse array of shape %r'
                             % (coo.shape,))
        keep = coo.data != 0
        self._set(int(dim), [int(i) for i in cols[keep]],
                  [float(v) for v in coo.data[keep]])

    def _set(self, dim, indices, values):
        self._dim = dim
        self._indices = indices
        self._values = values

    def __repr__(self):
        return 'SparseVector(%r, %d)' % (dict(zip(self._indices, self._values)),
                                         self._dim)

    def __eq__(self, other):
        if isinstance(other, SparseVector):
            return (self._dim == other._dim and self._indices == other._indices
                    and self._values == other._values)
        return False

    __hash__ = None

    def dimensions(self):
        """Number of dimensions (zeros included)."""
        return self._dim

    def indices(self):
        """Zero-based indices of the non-zero elements, ascending."""
        return list(self._indices)

    def values(self):
        """The non-zero values, in index order."""
        return list(self._values)

    def to_list(self):
        """The dense values as a list of floats."""
        out = [0.0] * self._dim
        for i, v in zip(self._indices, self._values):
            out[i] = v
        return out

    def to_numpy(self):
        """The dense values as a float32 NumPy array (requires NumPy)."""
        _require_numpy()
        out = np.zeros(self._dim, dtype=np.float32)
        out[self._indices] = self._values
        return out

    def to_coo(self):
        """A scipy.sparse.coo_array of shape (1, dimensions) (requires SciPy)."""
        from scipy.sparse import coo_array
        rows = [0] * len(self._indices)
        return coo_array((self._values, (rows, self._indices)),
                         shape=(1, self._dim))

    def to_text(self):
        """The text form, '{i:v,...}/dim' with one-based indices."""
        return '{' + ','.join('%d:%r' % (i + 1, v) for i, v in
                              zip(self._indices, self._values)) \
            + '}/%d' % self._dim

    def to_binary(self):
        """The binary form (sparsevec_recv's input)."""
        nnz = len(self._indices)
        return _HEADER.pack(self._dim, nnz, 0) + struct.pack(
            '>%di%df' % (nnz, nnz), *self._indices, *self._values)

    @classmethod
    def from_text(cls, text):
        """Parse the text form produced by sparsevec_out."""
        try:
            elements, dim = text.strip().split('/')
            elements = elements.strip()
            if elements[0] != '{' or elements[-1] != '}':
                raise ValueError
            indices, values = [], []
            if elements[1:-1].strip():
                for e in elements[1:-1].split(','):
                    i, v = e.split(':')
                    indices.append(int(i) - 1)
                    values.append(float(v))
            obj = cls.__new__(cls)
            obj._set(int(dim), indices, values)
            return obj
        except (ValueError, IndexError):
            raise ValueError('malformed sparsevec literal: %r'
                             % text[:40]) from None

    @classmethod
    def from_binary(cls, data):
        """Parse the binary form produced by sparsevec_send."""
        data = bytes(data)
        if len(data) < 12:
            raise ValueError('binary sparsevec shorter than its 12-byte header')
        dim, nnz, unused = _HEADER.unpack_from(data)
        if nnz < 0 or len(data) != 12 + 8 * nnz:
            raise ValueError('binary sparsevec of %d bytes does not match its '
                             '%d non-zero elements' % (len(data), nnz))
        obj = cls.__new__(cls)
        obj._set(dim, list(struct.unpack_from('>%di' % nnz, data, 12)),
                 list(struct.unpack_from('>%df' % nnz, data, 12 + 4 * nnz)))
        return obj

    # -- helpers used by the adapter modules (same names as pgvector's) --

    @classmethod
    def _checked(cls, value, dim):
        if isinstance(value, cls):
            vec = value
        elif isinstance(value, (list, tuple)) or (np is not None and
                                                   isinstance(value, np.ndarray)):
            vec = cls(value)
        else:
            raise ValueError('expected sparsevec (a SparseVector, list or '
                             'NumPy array), not %s' % type(value).__name__)
        check_dimensions(vec.dimensions(), dim, SPARSEVEC_MAX_DIM, 'sparsevec')
        if len(vec._indices) > SPARSEVEC_MAX_NNZ:
            raise ValueError('sparsevec cannot have more than %d non-zero '
                             'elements, got %d'
                             % (SPARSEVEC_MAX_NNZ, len(vec._indices)))
        return vec
