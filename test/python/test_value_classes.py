"""
test_value_classes.py -- HalfVector, SparseVector and Bit: wire formats
against layouts built here with struct, round trips, pgvector's behaviour
(names, results, errors), the same without NumPy; then the SQLAlchemy
BIT / HALFVEC / SPARSEVEC types and the psycopg / psycopg2 adapters against
the server (bit is PostgreSQL's own type; halfvec and sparsevec are used
only when the server has them: to_regtype() is not null).
"""

import struct
import warnings

import numpy as np
import pytest

import vecidx._vector
from vecidx import Bit, HalfVector, SparseVector


@pytest.fixture(params=['numpy', 'no-numpy'])
def numpy_mode(request, monkeypatch):
    """Run a test with NumPy and with the pure-Python fallback."""
    if request.param == 'no-numpy':
        import vecidx._bit
        import vecidx._halfvector
        import vecidx._sparsevector
        for mod in (vecidx._vector, vecidx._halfvector, vecidx._sparsevector,
                    vecidx._bit):
            monkeypatch.setattr(mod, 'np', None)
    return request.param


def test_halfvector_formats(numpy_mode):
    v = HalfVector([1, 2.5, 0.1, -65504])
    # 0.1 rounds to the nearest half: 0x2e66 = 0.0999755859375
    assert v.to_list() == [1.0, 2.5, 0.0999755859375, -65504.0]
    assert v.to_binary() == struct.pack('>hh', 4, 0) + struct.pack('>4e', 1, 2.5, 0.1, -65504)
    assert v.to_text() == '[1.0,2.5,0.0999755859375,-65504.0]'
    assert HalfVector.from_binary(v.to_binary()) == v
    assert HalfVector.from_text(v.to_text()) == v
    assert HalfVector._from_db('[1,2]') == HalfVector([1, 2])
    assert HalfVector._from_db(None) is None
    assert repr(HalfVector([1, 2])) == 'HalfVector([1.0, 2.0])'
    with pytest.raises(ValueError, match='expected 3 dimensions, not 2'):
        HalfVector._to_db([1, 2], 3)
    with pytest.raises(ValueError):
        HalfVector.from_binary(b'\x00\x02\x00\x00\x00')
    with pytest.raises(ValueError):
        HalfVector('[1,2]')


def test_halfvector_numpy():
    v = HalfVector(np.array([1, 2, 3], dtype=np.float32))
    assert v.to_numpy().dtype == np.float16
    assert np.array_equal(v.to_numpy(), [1, 2, 3])
    with pytest.raises(ValueError, match='ndim'):
        HalfVector(np.zeros((2, 2)))


def test_sparsevector_formats(numpy_mode):
    v = SparseVector({3: 2.5, 0: 1, 1: 0}, 5)
    assert v.dimensions() == 5 and v.indices() == [0, 3] and v.values() == [1.0, 2.5]
    assert v.to_list() == [1.0, 0.0, 0.0, 2.5, 0.0]
    assert v.to_text() == '{1:1.0,4:2.5}/5'
    assert v.to_binary() == struct.pack('>iii2i2f', 5, 2, 0, 0, 3, 1, 2.5)
    assert SparseVector.from_text(v.to_text()) == v
    assert SparseVector.from_binary(v.to_binary()) == v
    assert SparseVector([1, 0, 0, 2.5, 0]) == v
    assert SparseVector.from_text('{}/3') == SparseVector([0, 0, 0])
    assert repr(v) == 'SparseVector({0: 1.0, 3: 2.5}, 5)'
    with pytest.raises(ValueError, match='missing dimensions'):
        SparseVector({0: 1})
    with pytest.raises(ValueError, match='extra argument'):
        SparseVector([1, 2], 2)
    with pytest.raises(ValueError, match='out of range'):
        SparseVector({5: 1}, 5)
    with pytest.raises(ValueError, match='expected sparsevec'):
        SparseVector._to_db('{1:1}/2')
    with pytest.raises(ValueError, match='expected 4 dimensions, not 5'):
        SparseVector._to_db(v, 4)
    with pytest.raises(ValueError, match='malformed'):
        SparseVector.from_text('{1:1/2')


def test_sparsevector_numpy_and_scipy():
    sparse = pytest.importorskip('scipy.sparse')
    v = SparseVector(np.array([0, 1.5, 0, -2], dtype=np.float32))
    assert np.array_equal(v.to_numpy(), [0, 1.5, 0, -2])
    for conv in (sparse.coo_array, sparse.csr_array, sparse.csr_matrix):
        assert SparseVector(conv(np.array([[0, 1.5, 0, -2]]))) == v
    coo = v.to_coo()
    assert coo.shape == (1, 4) and np.array_equal(coo.toarray()[0], v.to_numpy())
    with pytest.raises(ValueError, match='one row'):
        SparseVector(sparse.coo_array(np.ones((2, 2))))


def test_bit_formats(numpy_mode):
    b = Bit('101100101')
    assert len(b) == 9 and b.to_text() == '101100101'
    assert b.to_binary() == struct.pack('>i', 9) + bytes([0b10110010, 0b10000000])
    assert Bit.from_binary(b.to_binary()) == b
    assert Bit.from_text('0011') == Bit([False, False, True, True])
    assert Bit(b'\xf0').to_text() == '11110000'
    assert b.to_list()[:3] == [True, False, True]
    assert repr(Bit('10')) == 'Bit(10)'
    with pytest.raises(ValueError, match='only 0 and 1'):
        Bit('10a')
    with pytest.raises(ValueError, match='expected 4 bits, not 9'):
        Bit._to_db(b, 4)
    with pytest.raises(ValueError, match='expected a Bit'):
        Bit._to_db(101)
    with pytest.raises(ValueError):
        Bit.from_binary(struct.pack('>i', 9) + b'\x00')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert Bit([2, 0]).to_text() == '10'
    assert any('boolean' in str(w.message) for w in caught)


def test_bit_numpy():
    b = Bit(np.unpackbits(np.array([5], dtype=np.uint8)))
    assert b.to_text() == '00000101'
    assert b.to_numpy().dtype == bool and b.to_numpy().tolist() == b.to_list()


# ---------------------------------------------------------------- server

def server_has_type(conn, typname):
    return conn.execute('SELECT to_regtype(%s) IS NOT NULL', (typname,)).fetchone()[0]


def test_bit_through_psycopg_and_psycopg2(pg3, pg2, table_name):
    name = table_name('bit')
    pg3.execute('CREATE TABLE %s (id int, b bit(9))' % name)
    pg3.execute('INSERT INTO %s VALUES (1, %%s), (2, %%t)' % name,
                (Bit('101100101'), Bit('000000001')))
    with pg2.cursor() as cur:
        cur.execute('INSERT INTO %s VALUES (3, %%s)' % name, (Bit('111111111'),))
    pg2.commit()
    got = dict(pg3.execute('SELECT id, b::text FROM %s' % name).fetchall())
    assert got == {1: '101100101', 2: '000000001', 3: '111111111'}


def test_halfvec_sparsevec_through_psycopg(pg3, pg2):
    have = [t for t in ('halfvec', 'sparsevec') if server_has_type(pg3, t)]
    if not have:
        pytest.skip('the server has no halfvec or sparsevec type yet')
    from vecidx.psycopg import register_vector
    register_vector(pg3)        # again, now that the types exist
    values = {'halfvec': HalfVector([1, 0.5, -2]),
              'sparsevec': SparseVector({0: 1.5, 4: -2}, 6)}
    for t in have:
        v = values[t]
        assert pg3.execute('SELECT %%s::%s' % t, (v,)).fetchone()[0] == v
        assert pg3.execute('SELECT %%s::%s' % t, (v,), binary=True).fetchone()[0] == v
        with pg2.cursor() as cur:
            cur.execute('SELECT %%s::%s' % t, (v,))
            assert cur.fetchone()[0] == v


def test_sqlalchemy_bit_type(engine, id_table):
    from sqlalchemy import Column, select, text
    from sqlalchemy.exc import StatementError

    from vecidx.sqlalchemy import BIT
    t = id_table('sabit', Column('b', BIT(4)))
    with engine.begin() as conn:
        conn.execute(t.insert(), [{'id': 1, 'b': '1010'}, {'id': 2, 'b': Bit('1111')}])
        assert conn.execute(select(t.c.b).order_by(t.c.id)).scalars().all() == \
            ['1010', '1111']
        with pytest.raises(StatementError, match='expected 4 bits, not 3'):
            conn.execute(t.insert(), {'id': 3, 'b': '101'})
    assert ' <~> ' in str(t.c.b.hamming_distance('1000'))
    assert ' <%> ' in str(t.c.b.jaccard_distance('1000'))
    with engine.connect() as conn:
        # bound parameters: a literal '%' in text() depends on the driver
        if not conn.execute(text("SELECT to_regoperator(:h) IS NOT NULL "
                                 "AND to_regoperator(:j) IS NOT NULL"),
                            {'h': '<~>(bit,bit)', 'j': '<%>(bit,bit)'}).scalar():
            pytest.skip('the server has no <~> / <%> bit operators yet')
        rows = conn.execute(select(t.c.id, t.c.b.hamming_distance('1000'),
                                   t.c.b.jaccard_distance('1000'))
                            .order_by(t.c.id)).all()
    assert [(r[0], r[1]) for r in rows] == [(1, 1.0), (2, 3.0)]
    assert rows[0][2] == pytest.approx(0.5) and rows[1][2] == pytest.approx(0.75)


@pytest.mark.parametrize('typname', ['halfvec', 'sparsevec'])
def test_sqlalchemy_halfvec_sparsevec(engine, id_table, typname):
    from sqlalchemy import Column, select, text
    from sqlalchemy.exc import StatementError

    from vecidx.sqlalchemy import HALFVEC, SPARSEVEC
    typ, cls = {'halfvec': (HALFVEC, HalfVector),
                'sparsevec': (SPARSEVEC, SparseVector)}[typname]
    assert typ(3).get_col_spec() == '%s(3)' % typname.upper()
    assert ' <=> ' in str(Column('e', typ(3)).cosine_distance([1, 2, 3]))
    with engine.connect() as conn:
        if not conn.execute(text('SELECT to_regtype(:t) IS NOT NULL'),
                            {'t': typname}).scalar():
            pytest.skip('the server has no %s type yet' % typname)
    t = id_table('sa' + typname, Column('e', typ(3)))
    rows = [[1, 1, 1], [2, 2, 2], [1, 1, 2]]
    with engine.begin() as conn:
        conn.execute(t.insert(), [{'id': i, 'e': cls(v)} for i, v in enumerate(rows)])
        got = conn.execute(select(t.c.e).order_by(t.c.id)).scalars().all()
        assert got == [cls(v) for v in rows]
        for method in ('l2_distance', 'max_inner_product', 'cosine_distance',
                       'l1_distance'):
            ids = conn.execute(select(t.c.id).order_by(
                getattr(t.c.e, method)(cls([1, 1, 1.25])), t.c.id).limit(2)).scalars().all()
            assert len(ids) == 2, method
        assert conn.execute(select(t.c.id).order_by(
            t.c.e.l2_distance(cls([1, 1, 1.25]))).limit(2)).scalars().all() == [0, 2]
        with pytest.raises(StatementError, match='expected 3 dimensions'):
            conn.execute(t.insert(), {'id': 9, 'e': cls([1, 2])})
