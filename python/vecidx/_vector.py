"""
vecidx._vector -- the client-side vector value and its two wire formats.

Everything the driver and ORM modules send or receive goes through here, so
the text and binary encodings exist once:

  text    '[1,2.5,-3]'  -- what vector_in accepts and vector_out produces
  binary  int16 dim, int16 unused (0), dim x float4, all big-endian
          -- what vector_send produces and vector_recv accepts (pgvector's
          layout, byte for byte)

Values are float4 on the server, so every encoder first rounds to float32;
text and binary therefore store the same bits for the same input.  NumPy is
used when installed; without it the array module provides float32 storage
and results come back as lists of floats.
"""

import struct
import sys
from array import array

try:
    import numpy as np
except ImportError:     # NumPy is optional
    np = None

__all__ = ['Vector', 'HAS_NUMPY', 'VECTOR_MAX_DIM']

HAS_NUMPY = np is not None

# Same limit as the server (src/vector.h); checked here so that a wrong
# value fails before any bytes are sent.
VECTOR_MAX_DIM = 16000

_HEADER = struct.Struct('>hh')
_LITTLE = sys.byteorder == 'little'


def _float32_values(value):
    """
    Return value as a one-dimensional float32 container: a NumPy array when
    NumPy is installed, otherwise array('f').  Raises ValueError for anything
    that is not a flat sequence of numbers.
    """
    if isinstance(value, Vector):
        return value._value
    _refuse_wire_form(value, 'Vector')
    if np is not None:
        return _numpy_values(value, np.float32, 'vector',
                             'expected a one-dimensional vector, got an '
                             'array with %d dimensions')
    try:
        return array('f', value)
    except TypeError as exc:
        raise ValueError('cannot convert %s to a vector: %s'
                         % (type(value).__name__, exc)) from None


def _refuse_wire_form(value, classname):
    """ValueError for a str or bytes value: text and binary go through from_*."""
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        raise ValueError('expected a sequence of numbers, not %s; use '
                         '%s.from_text() or %s.from_binary() to parse '
                         'wire formats' % (type(value).__name__, classname, classname))


def _numpy_values(value, dtype, kind, ndim_error=None):
    """
    value as a NumPy array of dtype; ValueError naming kind if it is no
    numbers, and ndim_error % ndim if given and the array is not flat.
    """
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError('cannot convert %s to a %s: %s'
                         % (type(value).__name__, kind, exc)) from None
    if ndim_error is not None and arr.ndim != 1:
        raise ValueError(ndim_error % arr.ndim)
    return arr


def _require_numpy():
    if np is None:
        raise RuntimeError('NumPy is not installed')


def _literal_body(text, kind):
    """The elements of a '[...]' literal split at commas, and the stripped literal."""
    text = text.strip()
    if len(text) < 2 or text[0] != '[' or text[-1] != ']':
        raise ValueError('malformed %s literal: %r' % (kind, text[:40]))
    return text[1:-1].split(','), text


def _binary_dim(data, kind, width):
    """The dimension of a binary dense value (header, then dim x width bytes)."""
    if len(data) < 4:
        raise ValueError('binary %s shorter than its 4-byte header' % kind)
    dim, unused = _HEADER.unpack_from(data)
    if dim < 0 or len(data) != 4 + width * dim:
        raise ValueError('binary %s of %d bytes does not match its '
                         'dimension %d' % (kind, len(data), dim))
    return dim


class _WireValue:
    """
    What the adapter modules call on every value class (the same names as
    pgvector's): _to_db / _to_db_binary validate a Python value (and its
    length against dim, when given) and return its text / binary form;
    _from_db / _from_db_binary turn what the server sent into an instance.
    A class sets _max_dim and _kind, and may override _checked.
    """

    __slots__ = ()
    _max_dim = VECTOR_MAX_DIM
    _kind = 'vector'

    def dimensions(self):
        return len(self)

    @classmethod
    def _checked(cls, value, dim):
        vec = value if isinstance(value, cls) else cls(value)
        check_dimensions(vec.dimensions(), dim, cls._max_dim, cls._kind)
        return vec

    @classmethod
    def _to_db(cls, value, dim=None):
        """Validate value (optionally against dim) and return its text form."""
        if value is None:
            return None
        return cls._checked(value, dim).to_text()

    @classmethod
    def _to_db_binary(cls, value, dim=None):
        """Validate value (optionally against dim) and return its binary form."""
        if value is None:
            return None
        return cls._checked(value, dim).to_binary()

    @classmethod
    def _from_db(cls, value):
        """Text from the server to an instance (None stays None)."""
        if value is None or isinstance(value, cls):
            return value
        if not isinstance(value, str):
            value = bytes(value).decode('ascii')
        return cls.from_text(value)

    @classmethod
    def _from_db_binary(cls, value):
        """Binary from the server to an instance (None stays None)."""
        if value is None or isinstance(value, cls):
            return value
        return cls.from_binary(value)


class _DenseValue(_WireValue):
    """
    A value class whose elements are all stored, in _value (Vector,
    HalfVector): equality, length and repr from the list of values.
    """

    __slots__ = ()

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, self.to_list())

    def __eq__(self, other):
        if isinstance(other, type(self)):
            return self.to_list() == other.to_list()
        return False

    __hash__ = None

    def __len__(self):
        return len(self._value)

    def dimensions(self):
        """Number of elements."""
        return len(self._value)


class Vector(_DenseValue):
    """
    A vector value as stored in a vecidx (or pgvector) `vector` column.

    Vector(values) accepts a list, tuple, NumPy array or another Vector.
    The values are rounded to float32, exactly as the server stores them.
    Same method names as pgvector.Vector.
    """

    __slots__ = ('_value',)

    def __init__(self, value):
        self._value = _float32_values(value)

    def to_list(self):
        """The values as a list of Python floats (exact float32 values)."""
        return self._value.tolist()

    def to_numpy(self):
        """The values as a float32 NumPy array (requires NumPy)."""
        _require_numpy()
        return self._value

    def to_text(self):
        """
        The text form, '[v1,v2,...]'.  Nine significant digits identify a
        float32 uniquely, so parsing the text gives back the same bits.
        """
        return '[' + ','.join(map('%.9g'.__mod__, self._value.tolist())) + ']'

    def to_binary(self):
        """The binary form (vector_recv's input)."""
        dim = len(self._value)
        if dim > VECTOR_MAX_DIM:
            raise ValueError('vector cannot have more than %d dimensions, '
                             'got %d' % (VECTOR_MAX_DIM, dim))
        if np is not None:
            body = self._value.astype('>f4', copy=False).tobytes()
        else:
            values = array('f', self._value)
            if _LITTLE:
                values.byteswap()
            body = values.tobytes()
        return _HEADER.pack(dim, 0) + body

    @classmethod
    def from_text(cls, text):
        """Parse the text form produced by vector_out."""
        return cls._wrap(_parse_text(text))

    @classmethod
    def from_binary(cls, data):
        """Parse the binary form produced by vector_send."""
        return cls._wrap(_parse_binary(data))

    @classmethod
    def _wrap(cls, values):
        obj = cls.__new__(cls)
        obj._value = values
        return obj

    # results are NumPy arrays (lists), not Vector objects, as with pgvector

    @classmethod
    def _from_db(cls, value):
        """Text from the server to a NumPy array (list without NumPy)."""
        if value is None or not isinstance(value, (str, bytes, bytearray, memoryview)):
            return value        # NULL, or already converted by a driver adapter
        if not isinstance(value, str):
            value = bytes(value).decode('ascii')
        return _result(_parse_text(value))

    @classmethod
    def _from_db_binary(cls, value):
        """Binary from the server to a NumPy array (list without NumPy)."""
        if value is None:
            return None
        return _result(_parse_binary(value))


def check_dimensions(n, dim, maximum=VECTOR_MAX_DIM, kind='vector'):
    """
    Raise ValueError unless a value of n elements fits: n equals dim (when
    given) and lies between 1 and maximum.  Shared by every value class.
    """
    if dim is not None and n != dim:
        raise ValueError('expected %d dimensions, not %d' % (dim, n))
    if n < 1:
        raise ValueError('%s must have at least 1 dimension' % kind)
    if n > maximum:
        raise ValueError('%s cannot have more than %d dimensions, got %d'
                         % (kind, maximum, n))


def _result(values):
    """What a query returns: the NumPy array itself, or a list of floats."""
    return values if np is not None else values.tolist()


def _parse_text(text):
    parts, text = _literal_body(text, 'vector')
    try:
        if np is not None:
            return np.array(parts, dtype=np.float64).astype(np.float32)
        return array('f', map(float, parts))
    except ValueError:
        raise ValueError('malformed vector literal: %r' % text[:40]) from None


def _parse_binary(data):
    data = bytes(data) if not isinstance(data, bytes) else data
    dim = _binary_dim(data, 'vector', 4)
    if np is not None:
        return np.frombuffer(data, dtype='>f4', count=dim, offset=4).astype(np.float32)
    values = array('f')
    values.frombytes(data[4:])
    if _LITTLE:
        values.byteswap()
    return values
