"""
vecidx.django -- Django model fields, index and distance expressions.

    from vecidx.django import VectorExtension, VectorField, HnswIndex, L2Distance

    class Item(models.Model):
        embedding = VectorField(dimensions=3)

        class Meta:
            indexes = [HnswIndex(name='item_embedding_idx', fields=['embedding'],
                                 m=16, ef_construction=64,
                                 opclasses=['vector_l2_ops'])]

    Item.objects.order_by(L2Distance('embedding', [3, 1, 2]))[:5]

VectorExtension() is the migration operation that runs CREATE EXTENSION
vecidx.  VectorField values come back as float32 NumPy arrays;
HalfVectorField, SparseVectorField and BitField hold vecidx.HalfVector,
vecidx.SparseVector and bit strings.  Fields with dimensions (or length)
check every value before it is sent: a wrong length raises ValueError
without a round trip.  Form fields take the text form ('[1,2,3]') and
serialization (dumpdata / loaddata) writes it.

Same names as pgvector.django, except IvfflatIndex: vecidx has no ivfflat
access method.  Works with Django 3.2 and 4.2, over psycopg2 or psycopg 3.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.contrib.postgres.indexes import PostgresIndex
from django.contrib.postgres.operations import CreateExtension
from django.db.models import Field, FloatField, Func, Value

from .._bit import Bit
from .._halfvector import HalfVector
from .._sparsevector import SparseVector
from .._vector import Vector, np

__all__ = ['VectorExtension', 'VectorField', 'HalfVectorField',
           'SparseVectorField', 'BitField', 'HnswIndex', 'L2Distance',
           'MaxInnerProduct', 'CosineDistance', 'L1Distance',
           'HammingDistance', 'JaccardDistance', 'HalfVector', 'SparseVector',
           'Bit']


class VectorExtension(CreateExtension):
    """Migration operation: CREATE EXTENSION IF NOT EXISTS vecidx."""

    def __init__(self):
        self.name = 'vecidx'


def _as_plain(value):
    """NumPy arrays as lists, so Django's `value in empty_values` works."""
    if np is not None and isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _is_blank(value):
    """An empty form input: the field's value is NULL."""
    return isinstance(value, str) and not value.strip()


class _TextWidget(forms.TextInput):
    """Shows a vector value in its text form."""

    def format_value(self, value):
        if isinstance(value, (HalfVector, SparseVector, Bit)):
            value = value.to_text()
        elif np is not None and isinstance(value, np.ndarray):
            value = Vector(value).to_text()
        return super().format_value(value)


class VectorFormField(forms.CharField):
    """A text input holding '[1,2,3]'; the model field parses it."""

    widget = _TextWidget

    def has_changed(self, initial, data):
        return super().has_changed(_TextWidget().format_value(initial), data)


class _TextField(Field):
    """
    A column of vecidx's fields: `typname` or `typname(n)`, where n is the
    field's keyword argument named by _modifier; sent in text form, edited
    as text.
    """

    empty_strings_allowed = False
    _modifier = None

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if getattr(self, self._modifier) is not None:
            kwargs[self._modifier] = getattr(self, self._modifier)
        return name, path, args, kwargs

    def db_type(self, connection):
        n = getattr(self, self._modifier)
        if n is None:
            return self.typname
        return '%s(%d)' % (self.typname, n)

    def to_python(self, value):
        if _is_blank(value):
            return None
        return self._to_python(value)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return super().formfield(form_class=VectorFormField, **kwargs)


class _VectorFieldBase(_TextField):
    """
    A column `typname` or `typname(dimensions)` whose values go through
    value_class in text form; the value class names the type (_kind) and
    its largest dimension (_max_dim).  Subclasses set the value class and
    may say how to turn a form value into a Python one (_to_python).
    """

    value_class = None
    _modifier = 'dimensions'

    @property
    def typname(self):
        return self.value_class._kind

    @property
    def max_dim(self):
        return self.value_class._max_dim

    def __init__(self, *args, dimensions=None, **kwargs):
        if dimensions is not None and not 1 <= int(dimensions) <= self.max_dim:
            raise ValueError('%s dimensions must be between 1 and %d, not %r'
                             % (self.typname, self.max_dim, dimensions))
        self.dimensions = dimensions
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return self.value_class._from_db(value)

    def get_prep_value(self, value):
        return self.value_class._to_db(value, self.dimensions)

    def _to_python(self, value):
        return self.value_class._from_db(value)

    def clean(self, value, model_instance):
        # to_python parses form text; a malformed value is a form error
        try:
            return super().clean(value, model_instance)
        except ValueError as exc:
            raise ValidationError(str(exc), code='invalid') from None

    def validate(self, value, model_instance):
        super().validate(_as_plain(value), model_instance)
        if value is not None and self.dimensions is not None:
            n = len(value) if not isinstance(value, (HalfVector, SparseVector)) \
                else value.dimensions()
            if n != self.dimensions:
                raise ValidationError('expected %(dim)d dimensions, not %(n)d',
                                      code='dimensions',
                                      params={'dim': self.dimensions, 'n': n})

    def run_validators(self, value):
        super().run_validators(_as_plain(value))


class VectorField(_VectorFieldBase):
    """A `vector` column; values are float32 NumPy arrays."""

    description = 'Vector'
    value_class = Vector

    def _to_python(self, value):
        if isinstance(value, (list, tuple)):
            return Vector(value).to_numpy() if np is not None else list(value)
        if isinstance(value, Vector):
            return value.to_numpy() if np is not None else value.to_list()
        return Vector._from_db(value)


class HalfVectorField(_VectorFieldBase):
    """A `halfvec` column; values are vecidx.HalfVector."""

    description = 'Half vector'
    value_class = HalfVector

    def _to_python(self, value):
        if isinstance(value, (list, tuple)) or (np is not None and
                                                 isinstance(value, np.ndarray)):
            return HalfVector(value)
        return HalfVector._from_db(value)


class SparseVectorField(_VectorFieldBase):
    """A `sparsevec` column; values are vecidx.SparseVector."""

    description = 'Sparse vector'
    value_class = SparseVector


class BitField(_TextField):
    """A `bit(length)` column; values are strings of 0 and 1 (or vecidx.Bit)."""

    description = 'Bit string'
    typname = 'bit'
    _modifier = 'length'

    def __init__(self, *args, length=None, **kwargs):
        self.length = length
        super().__init__(*args, **kwargs)

    def get_prep_value(self, value):
        return Bit._to_db(value, self.length)

    def _to_python(self, value):
        if isinstance(value, Bit):
            return value.to_text()
        return value


class HnswIndex(PostgresIndex):
    """CREATE INDEX ... USING hnsw (...) WITH (m = .., ef_construction = ..)."""

    suffix = 'hnsw'

    def __init__(self, *expressions, m=None, ef_construction=None, **kwargs):
        self.m = m
        self.ef_construction = ef_construction
        super().__init__(*expressions, **kwargs)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        if self.m is not None:
            kwargs['m'] = self.m
        if self.ef_construction is not None:
            kwargs['ef_construction'] = self.ef_construction
        return path, args, kwargs

    def get_with_params(self):
        params = []
        if self.m is not None:
            params.append('m = %d' % self.m)
        if self.ef_construction is not None:
            params.append('ef_construction = %d' % self.ef_construction)
        return params


def _literal(value):
    """A query vector as a SQL parameter in its type's text form."""
    if isinstance(value, HalfVector):
        return Value(HalfVector._to_db(value))
    if isinstance(value, SparseVector):
        return Value(SparseVector._to_db(value))
    if isinstance(value, Bit):
        return Value(Bit._to_db(value))
    if isinstance(value, str):      # already a literal ('[1,2]', '101')
        return Value(value)
    return Value(Vector._to_db(value))


class _DistanceBase(Func):
    """expression OP vector; vector is an expression or a Python value."""

    function = ''
    output_field = FloatField()

    def __init__(self, expression, vector, **extra):
        if not hasattr(vector, 'resolve_expression'):
            vector = _literal(vector)
        super().__init__(expression, vector, **extra)
        # Django hashes an expression by its constructor's arguments
        # (identity, deconstruct): keep the literal there, not the value
        # object (HalfVector, SparseVector and Bit are unhashable, as in
        # pgvector-python)
        self._constructor_args = ((expression, vector), extra)


def _distance(name, joiner, doc):
    """A _DistanceBase subclass: expression <op> vector."""
    return type(name, (_DistanceBase,),
                {'__doc__': doc, '__module__': __name__, 'arg_joiner': joiner})


L2Distance = _distance('L2Distance', ' <-> ', 'Euclidean distance, <->.')
MaxInnerProduct = _distance('MaxInnerProduct', ' <#> ', 'Negative inner product, <#>.')
CosineDistance = _distance('CosineDistance', ' <=> ', 'Cosine distance, <=>.')
L1Distance = _distance('L1Distance', ' <+> ', 'Taxicab distance, <+>.')
HammingDistance = _distance('HammingDistance', ' <~> ',
                            'Hamming distance of bit strings, <~>.')
JaccardDistance = _distance('JaccardDistance', ' <%%> ',
                            'Jaccard distance of bit strings, <%>.')
