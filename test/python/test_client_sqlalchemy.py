"""
test_client_sqlalchemy.py -- vecidx.sqlalchemy against a real server.

ORM and Core use of the Vector type: create, insert, query ordered by each
distance, values checked against the server's own distance functions and
against NumPy, aggregates, hnsw index DDL (pg_indexes and EXPLAIN),
reflection, and dimension errors that must fail before the statement is
sent.  Written in the 2.0 style that SQLAlchemy 1.4 accepts with
future=True, plus one 2.x-only declarative test.
"""

import numpy as np
import pytest
import sqlalchemy
from sqlalchemy import (Column, Index, Integer, MetaData, Table, event, func,
                        inspect, select, text)
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, declarative_base

from vecidx.sqlalchemy import VECTOR, Vector, avg, sum

SA2 = not sqlalchemy.__version__.startswith('1.')

ROWS = [[1, 1, 1], [2, 2, 2], [1, 1, 2], [-1, 0.5, 3], [0.25, -2, 1]]
QUERY = np.array([1, 1, 1.5], dtype=np.float32)

# distance method -> (operator, server function, NumPy reference)
METHODS = {
    'l2_distance': ('<->', 'l2_distance',
                    lambda a, b: np.sqrt(np.sum((a - b) ** 2))),
    'max_inner_product': ('<#>', None, lambda a, b: -np.dot(a, b)),
    'cosine_distance': ('<=>', 'cosine_distance',
                        lambda a, b: 1 - np.dot(a, b)
                        / np.linalg.norm(a) / np.linalg.norm(b)),
    'l1_distance': ('<+>', 'l1_distance',
                    lambda a, b: np.sum(np.abs(a - b))),
}
OPCLASS = {
    'l2_distance': 'vector_l2_ops',
    'max_inner_product': 'vector_ip_ops',
    'cosine_distance': 'vector_cosine_ops',
    'l1_distance': 'vector_l1_ops',
}


def make_model(name, dim=3):
    """A fresh declarative class mapped to table `name`."""
    Base = declarative_base()

    class Item(Base):
        __tablename__ = name
        id = Column(Integer, primary_key=True)
        embedding = Column(Vector(dim))

    return Base, Item


@pytest.fixture
def items(engine, table_name):
    """The Item model with ROWS inserted (ids 1..5); returns (Base, Item)."""
    Base, Item = make_model(table_name('orm'))
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Item(id=i + 1, embedding=v)
                         for i, v in enumerate(ROWS)])
        session.commit()
    return Base, Item


def count_statements(engine):
    """Attach a cursor-execute counter to engine; returns (list, remover)."""
    seen = []

    def before(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    event.listen(engine, 'before_cursor_execute', before)
    return seen, lambda: event.remove(engine, 'before_cursor_execute', before)


def test_ddl_and_column_type(engine, items):
    Base, Item = items
    with engine.connect() as conn:
        typ = conn.execute(text(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = CAST(:t AS regclass) AND attname = 'embedding'"),
            {'t': Item.__tablename__}).scalar_one()
    assert typ == 'vector(3)'


def test_insert_and_read_back_numpy(engine, items):
    Base, Item = items
    with Session(engine) as session:
        got = session.get(Item, 4).embedding
    assert isinstance(got, np.ndarray)
    assert got.dtype == np.float32
    assert np.array_equal(got, np.array(ROWS[3], dtype=np.float32))


def test_binds_list_tuple_numpy_and_null(engine, table_name):
    Base, Item = make_model(table_name('bind'))
    Base.metadata.create_all(engine)
    values = {1: [0.1, 0.2, 0.3], 2: (4, 5, 6),
              3: np.array([7, 8, 9], dtype=np.float64), 4: None}
    with Session(engine) as session:
        session.add_all([Item(id=k, embedding=v) for k, v in values.items()])
        session.commit()
        got = {i.id: i.embedding for i in session.scalars(select(Item))}
    assert got[4] is None
    for k in (1, 2, 3):
        assert np.array_equal(got[k], np.asarray(values[k], dtype=np.float32))


def test_order_by_distance_limit(engine, items):
    Base, Item = items
    with Session(engine) as session:
        for method, (op, fn, ref) in METHODS.items():
            dist = getattr(Item.embedding, method)(QUERY)
            ids = [i.id for i in session.scalars(
                select(Item).order_by(dist, Item.id).limit(3))]
            expected = sorted(range(1, 6), key=lambda i: (
                ref(np.array(ROWS[i - 1], dtype=np.float32), QUERY), i))[:3]
            assert ids == expected, method


@pytest.mark.parametrize('method', sorted(METHODS))
def test_distance_matches_server_and_numpy(engine, items, method):
    Base, Item = items
    op, fn, ref = METHODS[method]
    expr = getattr(Item.embedding, method)(QUERY)
    assert isinstance(expr.type, sqlalchemy.Float)
    compiled = str(expr.compile(dialect=engine.dialect))
    assert ' %s ' % op in compiled
    q = sqlalchemy.bindparam('q', QUERY, type_=Vector(3))
    if fn is None:      # <#> is the negated inner_product()
        server = -func.inner_product(Item.embedding, q)
    else:
        server = getattr(func, fn)(Item.embedding, q)
    with Session(engine) as session:
        rows = session.execute(select(Item.embedding, expr.label('via_op'),
                                      server.label('via_fn'))
                               .order_by(Item.id)).all()
    assert len(rows) == len(ROWS)
    for emb, via_op, via_fn in rows:
        assert isinstance(via_op, float)
        assert via_op == via_fn
        assert via_op == pytest.approx(float(ref(emb.astype(np.float64),
                                                 QUERY.astype(np.float64))),
                                       rel=1e-5, abs=1e-6)


def test_aggregates_keep_vector_type(engine, items):
    Base, Item = items
    with Session(engine) as session:
        a = session.scalar(select(avg(Item.embedding)))
        s = session.scalar(select(sum(Item.embedding)))
    data = np.array(ROWS, dtype=np.float32)
    assert isinstance(a, np.ndarray) and isinstance(s, np.ndarray)
    assert np.allclose(a, data.mean(axis=0), rtol=1e-6)
    assert np.allclose(s, data.sum(axis=0), rtol=1e-6)
    assert isinstance(avg(Item.embedding).type, VECTOR)
    assert isinstance(sum(Item.embedding).type, VECTOR)
    # registered under the package name, so plain func.avg is untouched
    assert not isinstance(func.avg(Item.embedding), avg)
    assert isinstance(func.vecidx.avg(Item.embedding), avg)


def test_core_table_and_where_distance(engine, id_table):
    t = id_table('core', Column('embedding', VECTOR(2)))
    with engine.begin() as conn:
        conn.execute(t.insert(), [{'id': 1, 'embedding': [0, 0]},
                                  {'id': 2, 'embedding': [3, 4]},
                                  {'id': 3, 'embedding': [30, 40]}])
        ids = conn.execute(select(t.c.id)
                           .where(t.c.embedding.l2_distance([0, 0]) < 10)
                           .order_by(t.c.id)).scalars().all()
    assert ids == [1, 2]


def test_unconstrained_vector_column(engine, id_table):
    t = id_table('nodim', Column('embedding', Vector()))
    with engine.begin() as conn:
        conn.execute(t.insert(), [{'id': 1, 'embedding': [1, 2]},
                                  {'id': 2, 'embedding': [1, 2, 3, 4]}])
        got = conn.execute(select(t.c.embedding).order_by(t.c.id)).scalars().all()
    assert [len(v) for v in got] == [2, 4]


def test_dimension_error_before_round_trip(engine, items):
    Base, Item = items
    seen, remove = count_statements(engine)
    try:
        with Session(engine) as session:
            session.add(Item(id=100, embedding=[1, 2]))
            with pytest.raises(StatementError) as info:
                session.flush()
            assert isinstance(info.value.orig, ValueError)
            assert 'expected 3 dimensions, not 2' in str(info.value.orig)
            session.rollback()
            with pytest.raises(StatementError) as info:
                session.scalars(select(Item).order_by(
                    Item.embedding.l2_distance([1, 2, 3, 4]))).all()
            assert 'expected 3 dimensions, not 4' in str(info.value.orig)
    finally:
        remove()
    assert not any('INSERT' in s or '<->' in s for s in seen), seen
    with Session(engine) as session:
        assert session.get(Item, 100) is None


def test_bad_values_rejected_before_round_trip(engine, items):
    Base, Item = items
    seen, remove = count_statements(engine)
    try:
        with Session(engine) as session:
            for bad in ([[1, 2, 3]], 'abc', np.zeros((3, 1))):
                session.add(Item(id=101, embedding=bad))
                with pytest.raises(StatementError) as info:
                    session.flush()
                assert isinstance(info.value.orig, ValueError)
                session.rollback()
    finally:
        remove()
    assert not any('INSERT' in s for s in seen), seen
    with pytest.raises(ValueError):
        Vector(0)
    with pytest.raises(ValueError):
        Vector(16001)
    with pytest.raises(TypeError):
        Vector(True)
    with pytest.raises(TypeError):
        Vector(2.5)
    assert Vector('3').dim == 3 and Vector(np.int64(3)).dim == 3


def test_server_still_checks_its_side(engine, items):
    """NaN passes the client (it has the right length); the server refuses it."""
    Base, Item = items
    with Session(engine) as session:
        session.add(Item(id=102, embedding=[1, float('nan'), 3]))
        with pytest.raises(sqlalchemy.exc.DBAPIError) as info:
            session.flush()
        assert 'NaN not allowed in vector' in str(info.value)


def test_literal_binds(engine, items):
    Base, Item = items
    stmt = select(Item.id).order_by(Item.embedding.cosine_distance([1, 0.5, 2]))
    sql = str(stmt.compile(dialect=engine.dialect,
                           compile_kwargs={'literal_binds': True}))
    assert "<=> '[1,0.5,2]'" in sql
    q = np.array([1, 0.5, 2], dtype=np.float32)
    cos = METHODS['cosine_distance'][2]
    nearest = 1 + min(range(len(ROWS)), key=lambda i: cos(
        np.array(ROWS[i], dtype=np.float32), q))
    with engine.connect() as conn:
        assert conn.exec_driver_sql(sql).scalars().all()[0] == nearest


def test_reflection(engine, items):
    Base, Item = items
    cols = {c['name']: c['type'] for c in
            inspect(engine).get_columns(Item.__tablename__)}
    assert isinstance(cols['embedding'], VECTOR)
    assert cols['embedding'].dim == 3
    t = Table(Item.__tablename__, MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        got = conn.execute(select(t.c.embedding).where(t.c.id == 2)).scalar_one()
    assert np.array_equal(got, np.array(ROWS[1], dtype=np.float32))
    # the reflected column keeps the distance methods
    assert ' <-> ' in str(t.c.embedding.l2_distance([1, 2, 3]))


@pytest.mark.parametrize('method', sorted(METHODS))
def test_hnsw_index_created_and_used(engine, items, method):
    Base, Item = items
    name = Item.__tablename__ + '_' + method[:3]
    idx = Index(name, Item.embedding, postgresql_using='hnsw',
                postgresql_with={'m': 16, 'ef_construction': 64},
                postgresql_ops={'embedding': OPCLASS[method]})
    idx.create(engine)
    with engine.connect() as conn:
        indexdef = conn.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE tablename = :t "
            "AND indexname = :i"), {'t': Item.__tablename__, 'i': name}
        ).scalar_one()
        # the default opclass (vector_l2_ops) is not printed, so read it
        assert 'USING hnsw (embedding' in indexdef, indexdef
        opclass = conn.execute(text(
            "SELECT opcname FROM pg_index JOIN pg_opclass o "
            "ON o.oid = indclass[0] WHERE indexrelid = CAST(:i AS regclass)"),
            {'i': name}).scalar_one()
        assert opclass == OPCLASS[method]
        # ruleutils quotes numeric reloption values: m='16'
        assert "WITH (m='16', ef_construction='64')" in indexdef, indexdef

        conn.execute(text('SET enable_seqscan = off'))
        stmt = select(Item.id).order_by(
            getattr(Item.embedding, method)(QUERY)).limit(3)
        sql = str(stmt.compile(dialect=engine.dialect,
                               compile_kwargs={'literal_binds': True}))
        plan = '\n'.join(conn.exec_driver_sql('EXPLAIN ' + sql).scalars())
        assert 'Index Scan using %s' % name in plan, plan
        # and the index scan returns the LIMIT's worth of rows
        assert len(conn.exec_driver_sql(sql).scalars().all()) == 3
        conn.rollback()


@pytest.mark.skipif(not SA2, reason='SQLAlchemy %s has no Mapped/mapped_column '
                    '(2.x API); the 2.0-style tests above run on 1.4 with '
                    'future=True' % sqlalchemy.__version__)
def test_sqlalchemy2_declarative(engine, table_name):
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Doc(Base):
        __tablename__ = table_name('sa2')
        id: Mapped[int] = mapped_column(primary_key=True)
        embedding = mapped_column(Vector(2))

    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all([Doc(id=1, embedding=[1, 0]), Doc(id=2, embedding=[0, 1])])
        session.commit()
        best = session.scalars(select(Doc).order_by(
            Doc.embedding.l2_distance([0, 0.9])).limit(1)).one()
    assert best.id == 2


def test_lists_without_numpy(engine, items, monkeypatch):
    """Without NumPy, binds still work and results are lists of floats."""
    import vecidx._vector
    Base, Item = items
    monkeypatch.setattr(vecidx._vector, 'np', None)
    with Session(engine) as session:
        session.add(Item(id=50, embedding=(0.5, -1, 2)))
        session.commit()
        got = session.get(Item, 50).embedding
        nearest = session.scalars(select(Item.id).order_by(
            Item.embedding.l2_distance([0.5, -1, 2])).limit(1)).one()
        total = session.scalar(select(sum(Item.embedding)))
    assert got == [0.5, -1.0, 2.0] and nearest == 50
    assert isinstance(total, list) and len(total) == 3
    assert total == pytest.approx(list(np.sum(ROWS + [[0.5, -1, 2]], axis=0)))
