"""
vecidx._halfvector -- the client-side `halfvec` value and its wire formats.

  text    '[1,2.5,-3]'  -- what halfvec_in accepts and halfvec_out produces
  binary  int16 dim, int16 unused (0), dim x float2 (IEEE half), all
          big-endian -- pgvector's halfvec_send/halfvec_recv layout

Values are rounded to half precision on construction, so text and binary
carry the same value.  The text form writes each half value as the
shortest decimal that reads back as the same double, which is exact.
With NumPy the values live in a float16 array; without it, in a list of
Python floats rounded through struct's 'e' (half) format.

Same class and method names as pgvector.HalfVector; query results of
type halfvec come back as HalfVector objects, as with pgvector.
"""

import struct

from ._vector import (_HEADER, _DenseValue, _binary_dim, _literal_body,
                      _numpy_values, _refuse_wire_form, _require_numpy, np)

__all__ = ['HalfVector', 'HALFVEC_MAX_DIM']

# Same limit as pgvector's HALFVEC_MAX_DIM
HALFVEC_MAX_DIM = 16000


def _half_values(value):
    """value as float16 storage (NumPy array or rounded list); ValueError if unfit."""
    if isinstance(value, HalfVector):
        return value._value
    _refuse_wire_form(value, 'HalfVector')
    if np is not None:
        arr = _numpy_values(value, np.float64, 'halfvec',
                            'expected ndim to be 1, got %d')
        with np.errstate(over='ignore'):    # out of range -> inf, refused by the server
            return arr.astype(np.float16)
    try:
        values = [float(v) for v in value]
    except (TypeError, ValueError) as exc:
        raise ValueError('cannot convert %s to a halfvec: %s'
                         % (type(value).__name__, exc)) from None
    out = []
    for v in values:
        try:
            out.append(struct.unpack('<e', struct.pack('<e', v))[0])
        except OverflowError:
            out.append(float('inf') if v > 0 else float('-inf'))
    return out


class HalfVector(_DenseValue):
    """
    A value of a `halfvec` column.  HalfVector(values) accepts a list,
    tuple or NumPy array; values are rounded to half precision.
    """

    __slots__ = ('_value',)
    _max_dim = HALFVEC_MAX_DIM
    _kind = 'halfvec'

    def __init__(self, value):
        self._value = _half_values(value)

    def to_list(self):
        """The values as a list of Python floats (exact half values)."""
        if np is not None and isinstance(self._value, np.ndarray):
            return self._value.tolist()
        return list(self._value)

    def to_numpy(self):
        """The values as a float16 NumPy array (requires NumPy)."""
        _require_numpy()
        return np.asarray(self._value, dtype=np.float16)

    def to_text(self):
        """The text form, '[v1,v2,...]' (exact: half values are short decimals)."""
        return '[' + ','.join(map(repr, self.to_list())) + ']'

    def to_binary(self):
        """The binary form (halfvec_recv's input)."""
        dim = len(self._value)
        if np is not None and isinstance(self._value, np.ndarray):
            body = self._value.astype('>f2').tobytes()
        else:
            body = struct.pack('>%de' % dim, *self._value)
        return _HEADER.pack(dim, 0) + body

    @classmethod
    def from_text(cls, text):
        """Parse the text form produced by halfvec_out."""
        parts, text = _literal_body(text, 'halfvec')
        try:
            return cls([float(v) for v in parts])
        except ValueError:
            raise ValueError('malformed halfvec literal: %r' % text[:40]) from None

    @classmethod
    def from_binary(cls, data):
        """Parse the binary form produced by halfvec_send."""
        data = bytes(data)
        dim = _binary_dim(data, 'halfvec', 2)
        obj = cls.__new__(cls)
        if np is not None:
            obj._value = np.frombuffer(data, dtype='>f2', count=dim,
                                       offset=4).astype(np.float16)
        else:
            obj._value = list(struct.unpack_from('>%de' % dim, data, 4))
        return obj
