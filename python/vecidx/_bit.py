"""
vecidx._bit -- the client-side value of PostgreSQL's `bit(n)` type, which
pgvector's hamming (<~>) and jaccard (<%>) distances work on.

  text    '1011'  -- bit_in / bit_out
  binary  int32 bit length, then the bits packed most significant first,
          padded with zeros to whole bytes (PostgreSQL's bit_send layout)

Bit(value) accepts a string of '0' and '1', bytes (8 bits per byte), or a
sequence of booleans (a list, or a NumPy array as from np.unpackbits).
Same class and method names as pgvector.Bit.  `bit` results are left to
the driver (strings, or asyncpg's BitString), as pgvector leaves them.
"""

import struct
import warnings

from ._vector import _WireValue, _require_numpy, np

__all__ = ['Bit']

_LENGTH = struct.Struct('>i')


def _pack(bits):
    """A list of 0/1 ints -> bytes, most significant bit first, zero padded."""
    out = bytearray((len(bits) + 7) // 8)
    for i, b in enumerate(bits):
        if b:
            out[i >> 3] |= 0x80 >> (i & 7)
    return bytes(out)


class Bit(_WireValue):
    """A bit string value."""

    __slots__ = ('_len', '_data')

    def __init__(self, value):
        if isinstance(value, (bytes, bytearray, memoryview)):
            self._data = bytes(value)
            self._len = 8 * len(self._data)
            return
        if isinstance(value, str):
            if value.strip('01'):
                raise ValueError('a bit string holds only 0 and 1, got %r'
                                 % value[:40])
            bits = [c == '1' for c in value]
        elif np is not None:
            arr = np.asarray(value)
            if arr.ndim != 1:
                raise ValueError('expected ndim to be 1, got %d' % arr.ndim)
            if arr.dtype != np.bool_:
                if arr.size and not np.isin(arr, (0, 1)).all():
                    warnings.warn('expected elements to be boolean',
                                  stacklevel=2)
                arr = arr.astype(bool)
            self._len = len(arr)
            self._data = np.packbits(arr).tobytes()
            return
        else:
            bits = list(value)
            if any(b not in (0, 1) for b in bits):
                warnings.warn('expected elements to be boolean', stacklevel=2)
            bits = [bool(b) for b in bits]
        self._len = len(bits)
        self._data = _pack(bits)

    def __repr__(self):
        return 'Bit(%s)' % self.to_text()

    def __eq__(self, other):
        if isinstance(other, Bit):
            return self._len == other._len and self._data == other._data
        return False

    __hash__ = None

    def __len__(self):
        return self._len

    def to_list(self):
        """The bits as a list of booleans."""
        return [bool(self._data[i >> 3] & (0x80 >> (i & 7)))
                for i in range(self._len)]

    def to_numpy(self):
        """The bits as a boolean NumPy array (requires NumPy)."""
        _require_numpy()
        return np.unpackbits(np.frombuffer(self._data, dtype=np.uint8),
                             count=self._len).astype(bool)

    def to_text(self):
        """The text form, e.g. '1011'."""
        return ''.join(format(b, '08b') for b in self._data)[:self._len]

    def to_binary(self):
        """The binary form (bit_recv's input)."""
        return _LENGTH.pack(self._len) + self._data

    @classmethod
    def from_text(cls, text):
        """Parse the text form produced by bit_out."""
        return cls(str(text))

    @classmethod
    def from_binary(cls, data):
        """Parse the binary form produced by bit_send."""
        data = bytes(data)
        if len(data) < 4:
            raise ValueError('binary bit string shorter than its 4-byte header')
        length = _LENGTH.unpack_from(data)[0]
        if length < 0 or len(data) != 4 + (length + 7) // 8:
            raise ValueError('binary bit string of %d bytes does not match '
                             'its length %d' % (len(data), length))
        obj = cls.__new__(cls)
        obj._len = length
        obj._data = data[4:]
        return obj

    # -- used by _WireValue's _to_db / _to_db_binary (length for dim) --

    @classmethod
    def _checked(cls, value, length):
        if isinstance(value, str):
            value = cls(value)
        elif not isinstance(value, cls):
            raise ValueError('expected a Bit or a string of 0 and 1, not %s'
                             % type(value).__name__)
        if length is not None and value._len != length:
            raise ValueError('expected %d bits, not %d' % (length, value._len))
        return value
