"""
test_client_django.py -- vecidx.django against a real server.

Django is configured for a database of its own (created here, without the
extension), so the app's first migration, VectorExtension(), really runs
CREATE EXTENSION.  Then: column types and the HnswIndex as created by the
migrations, makemigrations finding nothing left (fields and index
deconstruct to what the migration file says), ORM insert / read back as
NumPy / order by each distance / limit against NumPy, the index used by
the plan, dimension errors raised before any query, the form field, and
serialization.  halfvec and sparsevec fields (with an hnsw index of
halfvec_l2_ops on the halfvec one) and the bit distances are
tested when the server has those types and operators.

Runs on bookworm's Django 3.2 and (python tier, second pass) trixie's 4.2.
"""

import io
import json
import os
from contextlib import contextmanager

import numpy as np
import pytest

django = pytest.importorskip('django')

from client_reference import OPERATORS, QUERY, ROWS, nearest  # noqa: E402

# expression class name -> operator
DISTANCES = {'L2Distance': '<->', 'MaxInnerProduct': '<#>',
             'CosineDistance': '<=>', 'L1Distance': '<+>'}


def expected_order(name, k=3):
    return nearest(DISTANCES[name], k)


def admin_execute(*statements):
    import psycopg2
    conn = psycopg2.connect('')
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for s in statements:
                cur.execute(s)
    finally:
        conn.close()


@pytest.fixture(scope='module')
def dj(server):
    """Django configured and migrated on a fresh database; yields its name."""
    from django.conf import settings
    dbname = os.environ['PGDATABASE'] + '_django'
    admin_execute('DROP DATABASE IF EXISTS %s' % dbname, 'CREATE DATABASE %s' % dbname)
    settings.configure(
        DATABASES={'default': {
            'ENGINE': 'django.db.backends.postgresql', 'NAME': dbname,
            'HOST': os.environ['PGHOST'], 'PORT': os.environ['PGPORT'],
            'USER': os.environ['PGUSER']}},
        INSTALLED_APPS=['vecidx_djangotest'],
        DEFAULT_AUTO_FIELD='django.db.models.AutoField',
        USE_TZ=False)
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    call_command('migrate', 'vecidx_djangotest', verbosity=0)
    yield dbname
    connection.close()
    admin_execute('DROP DATABASE IF EXISTS %s' % dbname)


@pytest.fixture
def items(dj):
    """Item rows for ROWS; returns their ids in ROWS order."""
    from vecidx_djangotest.models import Item
    Item.objects.all().delete()
    ids = [Item.objects.create(embedding=v).id for v in ROWS]
    yield ids
    Item.objects.all().delete()


@contextmanager
def recorded_queries():
    """Collect the SQL Django sends on the default connection."""
    from django.db import connection
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


def scalar(sql, params=()):
    from django.db import connection
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def test_migrations_create_extension_columns_and_index(dj):
    assert scalar("SELECT extname FROM pg_extension WHERE extname = 'vecidx'") == 'vecidx'
    types = {name: scalar(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = 'vecidx_djangotest_item'::regclass AND attname = %s",
        (name,)) for name in ('embedding', 'bits')}
    assert types == {'embedding': 'vector(3)', 'bits': 'bit(4)'}
    indexdef = scalar("SELECT indexdef FROM pg_indexes WHERE indexname = 'djt_item_l2_idx'")
    assert 'USING hnsw (embedding' in indexdef, indexdef
    assert "WITH (m='16', ef_construction='64')" in indexdef, indexdef


def test_makemigrations_finds_nothing_to_do(dj):
    from django.core.management import call_command
    out = io.StringIO()
    # --check exits with status 1 when the models differ from the migrations
    call_command('makemigrations', 'vecidx_djangotest', '--check', '--dry-run',
                 stdout=out)
    assert 'No changes detected' in out.getvalue(), out.getvalue()


def test_field_and_index_deconstruct():
    from vecidx.django import BitField, HnswIndex, VectorField
    name, path, args, kwargs = VectorField(dimensions=3).deconstruct()
    assert path == 'vecidx.django.VectorField' and kwargs == {'dimensions': 3}
    assert BitField(length=8).deconstruct()[3] == {'length': 8}
    path, args, kwargs = HnswIndex(name='i', fields=['e'], m=8, ef_construction=32,
                                   opclasses=['vector_ip_ops']).deconstruct()
    assert path == 'vecidx.django.HnswIndex'
    assert kwargs['m'] == 8 and kwargs['ef_construction'] == 32
    assert kwargs['opclasses'] == ('vector_ip_ops',) or \
        kwargs['opclasses'] == ['vector_ip_ops']
    with pytest.raises(ValueError):
        VectorField(dimensions=16001)


def test_insert_and_read_back(items):
    from vecidx import Vector
    from vecidx_djangotest.models import Item
    a = Item.objects.create(embedding=np.array([0.5, -1, 2.25]))
    b = Item.objects.create(embedding=Vector([3, 2, 1]))
    c = Item.objects.create(embedding=None)
    got = {i.id: i.embedding for i in Item.objects.filter(id__in=[a.id, b.id, c.id])}
    assert got[c.id] is None
    assert isinstance(got[a.id], np.ndarray) and got[a.id].dtype == np.float32
    assert np.array_equal(got[a.id], [0.5, -1, 2.25])
    assert np.array_equal(got[b.id], [3, 2, 1])
    for i, v in zip(items, ROWS):
        assert np.array_equal(Item.objects.get(id=i).embedding, v)


@pytest.mark.parametrize('name', sorted(DISTANCES))
def test_order_by_distance_limit(items, name):
    import vecidx.django
    from vecidx_djangotest.models import Item
    expr = getattr(vecidx.django, name)
    rows = list(Item.objects.annotate(d=expr('embedding', QUERY))
                .order_by('d', 'id')[:3])
    assert [items.index(r.id) for r in rows] == expected_order(name)
    ref = OPERATORS[DISTANCES[name]][1]
    for r in rows:
        assert r.d == pytest.approx(float(ref(r.embedding.astype(np.float64),
                                              QUERY.astype(np.float64))),
                                    rel=1e-5, abs=1e-6)
    # a list works as the query value too
    first = Item.objects.order_by(expr('embedding', QUERY.tolist()), 'id').first()
    assert items.index(first.id) == expected_order(name)[0]


def test_index_used_by_the_plan(items):
    from django.db import connection, transaction

    from vecidx.django import L2Distance
    from vecidx_djangotest.models import Item
    qs = Item.objects.order_by(L2Distance('embedding', QUERY))[:3]
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute('SET LOCAL enable_seqscan = off')
        plan = qs.explain()
        got = [items.index(i.id) for i in qs]
    assert 'Index Scan using djt_item_l2_idx' in plan, plan
    # rows 0 and 2 tie for first place: the index may return either first
    assert sorted(got) == sorted(expected_order('L2Distance'))


def test_wrong_dimension_before_round_trip(items):
    from vecidx_djangotest.models import Item
    with recorded_queries() as seen:
        with pytest.raises(ValueError, match='expected 3 dimensions, not 2'):
            Item.objects.create(embedding=[1, 2])
        with pytest.raises(ValueError, match='expected 3 dimensions, not 4'):
            Item.objects.filter(embedding=[1, 2, 3, 4]).count()
        with pytest.raises(ValueError, match='one-dimensional'):
            Item.objects.create(embedding=[[1, 2, 3]])
    assert seen == [], seen
    assert Item.objects.count() == len(ROWS)


def test_model_form(items):
    from django import forms

    from vecidx_djangotest.models import Item

    class ItemForm(forms.ModelForm):
        class Meta:
            model = Item
            fields = ['embedding', 'bits']

    form = ItemForm(data={'embedding': '[1, 2.5, 3]', 'bits': '1010'})
    assert form.is_valid(), form.errors
    saved = form.save()
    assert np.array_equal(Item.objects.get(id=saved.id).embedding, [1, 2.5, 3])
    assert Item.objects.get(id=saved.id).bits == '1010'

    bad = ItemForm(data={'embedding': '[1, 2]', 'bits': ''})
    assert not bad.is_valid()
    assert 'expected 3 dimensions, not 2' in str(bad.errors['embedding'])
    junk = ItemForm(data={'embedding': 'one, two', 'bits': ''})
    assert not junk.is_valid() and 'embedding' in junk.errors

    # an instance's vector is shown in text form and unchanged data is no change
    edit = ItemForm(instance=Item.objects.get(id=items[3]))
    assert 'value="[-1,0.5,3]"' in str(edit['embedding'])
    same = ItemForm(data={'embedding': '[-1,0.5,3]', 'bits': ''},
                    instance=Item.objects.get(id=items[3]))
    assert same.is_valid() and 'embedding' not in same.changed_data


def test_serialization_round_trip(items):
    from django.core import serializers

    from vecidx_djangotest.models import Item
    Item.objects.filter(id=items[0]).update(bits='0110')
    data = serializers.serialize('json', Item.objects.order_by('id'))
    fields = [o['fields'] for o in json.loads(data)]
    assert fields[0] == {'embedding': '[1,1,1]', 'bits': '0110'}
    assert fields[3]['embedding'] == '[-1,0.5,3]'
    Item.objects.all().delete()
    for obj in serializers.deserialize('json', data):
        obj.save()
    for i, v in zip(items, ROWS):
        assert np.array_equal(Item.objects.get(id=i).embedding, v)
    assert Item.objects.get(id=items[0]).bits == '0110'


def test_bit_field_and_distances(dj):
    from vecidx import Bit
    from vecidx.django import HammingDistance, JaccardDistance
    from vecidx_djangotest.models import Item
    Item.objects.all().delete()
    a = Item.objects.create(bits='1010')
    b = Item.objects.create(bits=Bit('1111'))
    assert Item.objects.get(id=b.id).bits == '1111'
    with recorded_queries() as seen:
        with pytest.raises(ValueError, match='expected 4 bits, not 3'):
            Item.objects.create(bits='101')
        with pytest.raises(ValueError, match='only 0 and 1'):
            Item.objects.create(bits='10a1')
    assert seen == []
    if not scalar("SELECT to_regoperator('<~>(bit,bit)') IS NOT NULL "
                  "AND to_regoperator('<%%>(bit,bit)') IS NOT NULL"):
        pytest.skip('the server has no <~> / <%> bit operators yet')
    got = {i.id: (i.h, i.j) for i in Item.objects.annotate(
        h=HammingDistance('bits', Bit('1000')), j=JaccardDistance('bits', '1000'))}
    assert got[a.id] == (1.0, pytest.approx(0.5))
    assert got[b.id] == (3.0, pytest.approx(0.75))
    Item.objects.all().delete()


def server_has(typname):
    return scalar('SELECT to_regtype(%s) IS NOT NULL', (typname,))


@pytest.mark.parametrize('model', ['HalfItem', 'SparseItem'])
def test_halfvec_and_sparsevec_fields(dj, model):
    from django.db import connection

    import vecidx_djangotest.models as models
    from vecidx import HalfVector, SparseVector
    from vecidx.django import CosineDistance, L2Distance
    typname = {'HalfItem': 'halfvec', 'SparseItem': 'sparsevec'}[model]
    if not server_has(typname):
        pytest.skip('the server has no %s type yet' % typname)
    cls = getattr(models, model)
    if model == 'HalfItem':
        values = [HalfVector([1, 1, 1]), HalfVector([2, 2, 2]), HalfVector([1, 1, 2])]
        query, wrong = HalfVector([1, 1, 1.25]), HalfVector([1, 2])
    else:
        values = [SparseVector({0: 1, 4: 1}, 5), SparseVector({0: 2, 4: 2}, 5),
                  SparseVector({0: 1, 4: 2}, 5)]
        query, wrong = SparseVector({0: 1, 4: 1.25}, 5), SparseVector({0: 1}, 4)
    with connection.schema_editor() as editor:
        editor.create_model(cls)
    try:
        ids = [cls.objects.create(embedding=v).id for v in values]
        assert [cls.objects.get(id=i).embedding for i in ids] == values
        order = [ids.index(o.id) for o in
                 cls.objects.order_by(L2Distance('embedding', query), 'id')[:2]]
        assert order == [0, 2]
        assert cls.objects.annotate(d=CosineDistance('embedding', query)) \
            .get(id=ids[0]).d == pytest.approx(
                1 - np.dot(values[0].to_numpy(), query.to_numpy())
                / np.linalg.norm(values[0].to_numpy())
                / np.linalg.norm(query.to_numpy()), abs=1e-3)
        with pytest.raises(ValueError, match='expected'):
            cls.objects.create(embedding=wrong)
        if model == 'HalfItem' and scalar(
                "SELECT count(*) FROM pg_opclass WHERE opcname = 'halfvec_l2_ops'"):
            # an hnsw index with a halfvec operator class serves the query
            from vecidx.django import HnswIndex
            index = HnswIndex(name='djt_half_l2_idx', fields=['embedding'], m=16,
                              ef_construction=64, opclasses=['halfvec_l2_ops'])
            with connection.schema_editor() as editor:
                editor.add_index(cls, index)
            with connection.cursor() as cur:
                cur.execute('SET enable_seqscan = off')
            try:
                qs = cls.objects.order_by(L2Distance('embedding', query))[:2]
                assert 'djt_half_l2_idx' in qs.explain()
                assert [ids.index(o.id) for o in qs] == [0, 2]
            finally:
                with connection.cursor() as cur:
                    cur.execute('RESET enable_seqscan')
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(cls)
