"""
vecidx.sqlalchemy -- column types for SQLAlchemy 1.4 and 2.x: VECTOR,
HALFVEC, SPARSEVEC and BIT, with their distance comparators.

    from vecidx.sqlalchemy import Vector

    class Item(Base):
        __tablename__ = 'items'
        id = Column(Integer, primary_key=True)
        embedding = Column(Vector(3))

    session.scalars(select(Item)
                    .order_by(Item.embedding.l2_distance([3, 1, 2]))
                    .limit(5))

VECTOR binds lists, tuples, NumPy arrays and vecidx.Vector values, checking
the dimension before the statement is sent; results come back as float32
NumPy arrays (lists of floats when NumPy is not installed).  HALFVEC and
SPARSEVEC do the same with vecidx.HalfVector / vecidx.SparseVector results;
BIT binds vecidx.Bit values or strings of 0 and 1 and returns strings.
Importing this module also teaches the PostgreSQL dialect's reflection
about vector, halfvec and sparsevec.  With asyncpg (create_async_engine)
the types work with or without vecidx.asyncpg.register_vector on the
connections.

Same names as pgvector.sqlalchemy: Vector, VECTOR, HALFVEC, SPARSEVEC, BIT,
HalfVector, SparseVector (the value classes), avg, sum.
"""

import operator

from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.sql.functions import ReturnTypeFromArgs, sum
from sqlalchemy.types import Float, String, UserDefinedType

from .._bit import Bit as _Bit
from .._halfvector import HalfVector
from .._sparsevector import SparseVector
from .._vector import Vector as _Value

__all__ = ['Vector', 'VECTOR', 'HALFVEC', 'SPARSEVEC', 'BIT', 'HalfVector',
           'SparseVector', 'avg', 'sum']


def _type_modifier(dim, maximum, kind):
    """Validate a dimension given to a column type (None = unconstrained)."""
    if dim is None:
        return None
    if isinstance(dim, bool):
        raise TypeError('%s dimension must be an integer, not %r' % (kind, dim))
    if isinstance(dim, str):        # a reflected type modifier
        dim = int(dim)
    dim = operator.index(dim)       # int, or NumPy integer
    if dim < 1 or dim > maximum:
        raise ValueError('%s dimension must be between 1 and %d, not %d'
                         % (kind, maximum, dim))
    return dim


class _DistanceComparator(UserDefinedType.Comparator):
    """Distance operators of vector, halfvec and sparsevec; Float results."""

    def l2_distance(self, other):
        """Euclidean distance, operator <->."""
        return self.op('<->', return_type=Float)(other)

    def max_inner_product(self, other):
        """Negative inner product, operator <#>."""
        return self.op('<#>', return_type=Float)(other)

    def cosine_distance(self, other):
        """Cosine distance, operator <=>."""
        return self.op('<=>', return_type=Float)(other)

    def l1_distance(self, other):
        """Taxicab distance, operator <+>."""
        return self.op('<+>', return_type=Float)(other)


class _VectorTypeBase(UserDefinedType):
    """
    A column type `name` or `name(dim)` whose values go through a value
    class (_value_class) in text form.  dim, when given, becomes the
    column's type modifier and every bound value is checked against it: a
    wrong length raises ValueError (wrapped by SQLAlchemy in
    StatementError) before anything reaches the server.
    """

    cache_ok = True
    _string = String()
    _sql_name = None
    _max_dim = None
    _value_class = None
    comparator_factory = _DistanceComparator

    def __init__(self, dim=None):
        super(UserDefinedType, self).__init__()
        self.dim = _type_modifier(dim, self._max_dim, self._sql_name.lower())

    def get_col_spec(self, **kw):
        if self.dim is None:
            return self._sql_name
        return '%s(%d)' % (self._sql_name, self.dim)

    def bind_processor(self, dialect):
        dim, to_db = self.dim, self._value_class._to_db

        def process(value):
            return to_db(value, dim)
        return process

    def literal_processor(self, dialect):
        quote = self._string.literal_processor(dialect)
        dim, to_db = self.dim, self._value_class._to_db

        def process(value):
            return quote(to_db(value, dim))
        return process

    def result_processor(self, dialect, coltype):
        return self._value_class._from_db


def _column_type(value_class, results):
    """The column type of a value class (its SQL type is value_class._kind)."""
    name = value_class._kind.upper()
    return type(name, (_VectorTypeBase,), {
        '__doc__': 'Column type `%s` (or `%s(dim)`); results are %s.'
                   % (value_class._kind, value_class._kind, results),
        '__module__': __name__,
        'cache_ok': True,       # looked up on the class itself, not inherited
        '_sql_name': name,
        '_max_dim': value_class._max_dim,
        '_value_class': value_class})


VECTOR = _column_type(_Value, 'NumPy arrays')
HALFVEC = _column_type(HalfVector, 'HalfVector')
SPARSEVEC = _column_type(SparseVector, 'SparseVector')


class BIT(_VectorTypeBase):
    """
    Column type `bit(length)` (PostgreSQL's own), with the hamming and
    jaccard distances.  Binds vecidx.Bit values and strings of 0 and 1
    (checked against length before sending); results are strings.
    """

    cache_ok = True
    _sql_name = 'BIT'
    _max_dim = 83886080         # PostgreSQL's longest bit string
    _value_class = _Bit

    def __init__(self, length=None):
        super().__init__(length)
        self.length = self.dim

    def result_processor(self, dialect, coltype):
        return None             # the driver's strings, as with pgvector

    class comparator_factory(UserDefinedType.Comparator):
        """Bit distances; each returns a Float expression."""

        def hamming_distance(self, other):
            """Number of differing bits, operator <~>."""
            return self.op('<~>', return_type=Float)(other)

        def jaccard_distance(self, other):
            """Jaccard distance, operator <%>."""
            return self.op('<%>', return_type=Float)(other)


Vector = VECTOR


class avg(ReturnTypeFromArgs):
    """
    avg(vector) keeping the vector type, so the result comes back as an
    array.  Registered under the package name 'vecidx' so that the plain
    func.avg stays untouched (also reachable as func.vecidx.avg).
    """

    inherit_cache = True
    package = 'vecidx'


# sqlalchemy's own sum already returns the type of its argument; it is
# re-exported so that `from vecidx.sqlalchemy import avg, sum` works.

# Reflection: the PostgreSQL dialect maps type names from format_type() to
# classes through this dictionary; 'vector(3)' then reflects as VECTOR(3).
ischema_names['vector'] = VECTOR
ischema_names['halfvec'] = HALFVEC
ischema_names['sparsevec'] = SPARSEVEC
