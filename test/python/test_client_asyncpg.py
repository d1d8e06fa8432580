"""
test_client_asyncpg.py -- vecidx.asyncpg, directly and under SQLAlchemy's
asyncio engine (postgresql+asyncpg), against a real server.

Direct use: NumPy, list and Vector values in, float32 arrays out, in the
binary and the text codec; each distance operator ordered with LIMIT and
checked against NumPy; an hnsw index used by the plan; the server's error
for a wrong dimension (asyncpg cannot see the column's typmod).  Through
SQLAlchemy: ORM create / insert / order by each distance / limit with and
without register_vector on the connections, and the dimension error raised
before any statement is sent.
"""

import os

import numpy as np
import pytest

asyncpg = pytest.importorskip('asyncpg')
pytest.importorskip('pytest_asyncio')

from vecidx import HalfVector, SparseVector, Vector      # noqa: E402
from vecidx.asyncpg import register_vector               # noqa: E402

from client_reference import OPERATORS, QUERY, ROWS, nearest  # noqa: E402


def expected_order(op, k=3):
    """ids (1 ..) of the k rows nearest QUERY"""
    return [i + 1 for i in nearest(op, k)]


async def connect(fmt='binary'):
    conn = await asyncpg.connect()      # libpq environment: PGHOST, PGPORT, ...
    await register_vector(conn, format=fmt)
    return conn


async def make_table(conn, name):
    await conn.execute('CREATE TABLE %s (id int PRIMARY KEY, embedding vector(3))'
                       % name)
    await conn.executemany('INSERT INTO %s VALUES ($1, $2)' % name,
                           [(i + 1, np.array(v)) for i, v in enumerate(ROWS)])


@pytest.mark.asyncio
@pytest.mark.parametrize('fmt', ['binary', 'text'])
async def test_round_trip_numpy_list_vector(table_name, fmt):
    name = table_name('apg')
    conn = await connect(fmt)
    try:
        await conn.execute('CREATE TABLE %s (id int, embedding vector)' % name)
        values = {1: np.array([1.5, -2, 3.25]), 2: [0.1, 0.2],
                  3: Vector([7, 8, 9, 10]), 4: None, 5: (1, 2)}
        await conn.executemany('INSERT INTO %s VALUES ($1, $2)' % name,
                               list(values.items()))
        got = dict(await conn.fetch('SELECT id, embedding FROM %s' % name))
        text = dict(await conn.fetch('SELECT id, embedding::text FROM %s' % name))
    finally:
        await conn.close()
    assert got[4] is None and text[4] is None
    for k in (1, 2, 3, 5):
        v = values[k].to_list() if isinstance(values[k], Vector) else values[k]
        want = np.asarray(v, dtype=np.float32)
        assert isinstance(got[k], np.ndarray) and got[k].dtype == np.float32
        assert np.array_equal(got[k], want), (k, got[k])
        # what the server stored, read back through its own text output
        assert Vector.from_text(text[k]) == Vector(want)


@pytest.mark.asyncio
async def test_binary_and_text_codecs_agree(table_name):
    """Random float32 values survive both codecs bit for bit."""
    name = table_name('apgc')
    data = np.random.default_rng(5).standard_normal((20, 16)).astype(np.float32)
    conns = [await connect('binary'), await connect('text')]
    try:
        await conns[0].execute('CREATE TABLE %s (id int, embedding vector(16))'
                               % name)
        await conns[0].executemany('INSERT INTO %s VALUES ($1, $2)' % name,
                                   [(i, data[i]) for i in range(10)])
        await conns[1].executemany('INSERT INTO %s VALUES ($1, $2)' % name,
                                   [(i, data[i]) for i in range(10, 20)])
        for conn in conns:
            rows = await conn.fetch('SELECT id, embedding FROM %s ORDER BY id' % name)
            got = np.stack([r['embedding'] for r in rows])
            assert np.array_equal(got, data)
    finally:
        for conn in conns:
            await conn.close()


@pytest.mark.asyncio
@pytest.mark.parametrize('op', sorted(OPERATORS))
async def test_order_by_distance_limit_and_index(table_name, op):
    name = table_name('apgo')
    conn = await connect()
    try:
        await make_table(conn, name)
        exact = 'SELECT id FROM %s ORDER BY embedding %s $1, id LIMIT 3' % (name, op)
        assert [r['id'] for r in await conn.fetch(exact, QUERY)] == expected_order(op)
        dist = await conn.fetch('SELECT embedding, embedding %s $1 AS d FROM %s'
                                % (op, name), QUERY)
        for row in dist:
            ref = OPERATORS[op][1](row['embedding'].astype(np.float64),
                                   QUERY.astype(np.float64))
            assert row['d'] == pytest.approx(float(ref), rel=1e-5, abs=1e-6)

        sql = 'SELECT id FROM %s ORDER BY embedding %s $1 LIMIT 3' % (name, op)
        await conn.execute('CREATE INDEX %s_idx ON %s USING hnsw (embedding %s) '
                           'WITH (m = 16, ef_construction = 64)'
                           % (name, name, OPERATORS[op][0]))
        async with conn.transaction():
            await conn.execute('SET LOCAL enable_seqscan = off')
            plan = '\n'.join(r[0] for r in await conn.fetch('EXPLAIN ' + sql, QUERY))
            assert 'Index Scan using %s_idx' % name in plan, plan
            got = [r['id'] for r in await conn.fetch(sql, QUERY)]
            # ties (rows 1 and 3 under <->) may come in either order
            assert sorted(got) == sorted(expected_order(op)), got
    finally:
        await conn.close()


@pytest.mark.asyncio
async def test_wrong_dimension_refused_by_server(table_name):
    name = table_name('apgd')
    conn = await connect()
    try:
        await make_table(conn, name)
        with pytest.raises(asyncpg.PostgresError) as info:
            await conn.execute('INSERT INTO %s VALUES (9, $1)' % name, [1, 2])
        assert info.value.sqlstate == '22000'
        assert 'expected 3 dimensions, not 2' in str(info.value)
        with pytest.raises(asyncpg.PostgresError) as info:
            await conn.fetch('SELECT embedding <-> $1 FROM %s' % name, [1, 2])
        assert info.value.sqlstate == '22000'
        # the client refuses what is no vector at all (asyncpg wraps the
        # encoder's ValueError in its client-side DataError)
        with pytest.raises(asyncpg.DataError, match='one-dimensional'):
            await conn.execute('INSERT INTO %s VALUES (9, $1)' % name, [[1, 2, 3]])
        assert await conn.fetchval('SELECT count(*) FROM %s' % name) == len(ROWS)
    finally:
        await conn.close()


@pytest.mark.asyncio
async def test_register_vector_errors_and_schema(server):
    conn = await asyncpg.connect()
    try:
        with pytest.raises(ValueError, match='format'):
            await register_vector(conn, format='csv')
        with pytest.raises(ValueError, match='unknown type'):
            await register_vector(conn, schema='pg_catalog')
        schema = await conn.fetchval(
            "SELECT n.nspname FROM pg_type t JOIN pg_namespace n "
            "ON n.oid = t.typnamespace WHERE t.oid = to_regtype('vector')")
        await register_vector(conn, schema)         # pgvector's positional form
        got = await conn.fetchval("SELECT '[1,2]'::vector")
        assert np.array_equal(got, [1, 2])
    finally:
        await conn.close()


@pytest.mark.asyncio
async def test_halfvec_and_sparsevec_when_present(server):
    conn = await connect()
    try:
        have = await conn.fetchrow("SELECT to_regtype('halfvec') IS NOT NULL, "
                                   "to_regtype('sparsevec') IS NOT NULL")
        if not any(have):
            pytest.skip('the server has no halfvec or sparsevec type yet')
        if have[0]:
            got = await conn.fetchval('SELECT $1::halfvec',
                                      HalfVector([1, 0.5, -2]))
            assert got == HalfVector([1, 0.5, -2])
        if have[1]:
            sv = SparseVector({0: 1.5, 4: -2}, 6)
            assert await conn.fetchval('SELECT $1::sparsevec', sv) == sv
    finally:
        await conn.close()


# ------------------------------------------------ SQLAlchemy asyncio engine

def async_engine(register=True):
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import create_async_engine
    url = 'postgresql+asyncpg:///%s?host=%s&port=%s&user=%s' % (
        os.environ['PGDATABASE'], os.environ['PGHOST'], os.environ['PGPORT'],
        os.environ['PGUSER'])
    engine = create_async_engine(url)
    if register:
        @event.listens_for(engine.sync_engine, 'connect')
        def connect(dbapi_connection, connection_record):
            dbapi_connection.run_async(register_vector)
    return engine


def item_model(tablename):
    """A declarative base and its model Item (id, embedding vector(3))."""
    from sqlalchemy import Column, Integer
    from sqlalchemy.orm import declarative_base

    from vecidx.sqlalchemy import Vector as VectorType

    Base = declarative_base()

    class Item(Base):
        __tablename__ = tablename
        id = Column(Integer, primary_key=True)
        embedding = Column(VectorType(3))
    return Base, Item


@pytest.mark.asyncio
@pytest.mark.parametrize('register', [True, False],
                         ids=['register_vector', 'plain'])
async def test_sqlalchemy_asyncio_orm(table_name, register):
    pytest.importorskip('sqlalchemy.ext.asyncio')
    from sqlalchemy import Index, select, text
    from sqlalchemy.ext.asyncio import AsyncSession

    Base, Item = item_model(table_name('sa_async'))

    Index(Item.__tablename__ + '_idx', Item.embedding, postgresql_using='hnsw',
          postgresql_ops={'embedding': 'vector_l2_ops'})
    engine = async_engine(register)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        async with AsyncSession(engine) as session:
            session.add_all([Item(id=i + 1, embedding=v) for i, v in enumerate(ROWS)])
            await session.commit()
            for method, op in (('l2_distance', '<->'), ('max_inner_product', '<#>'),
                               ('cosine_distance', '<=>'), ('l1_distance', '<+>')):
                dist = getattr(Item.embedding, method)(QUERY)
                items = (await session.scalars(
                    select(Item).order_by(dist, Item.id).limit(3))).all()
                assert [i.id for i in items] == expected_order(op), method
                for item in items:
                    assert isinstance(item.embedding, np.ndarray)
                    assert np.array_equal(item.embedding,
                                          np.array(ROWS[item.id - 1], dtype=np.float32))
            await session.execute(text('SET enable_seqscan = off'))
            stmt = select(Item.id).order_by(Item.embedding.l2_distance(QUERY)).limit(3)
            sql = str(stmt.compile(dialect=engine.dialect,
                                   compile_kwargs={'literal_binds': True}))
            plan = '\n'.join((await session.execute(text('EXPLAIN ' + sql))).scalars())
            assert 'Index Scan using %s_idx' % Item.__tablename__ in plan, plan
            # rows 1 and 3 tie for first place: the index may return either first
            got = (await session.scalars(stmt)).all()
            assert sorted(got) == sorted(expected_order('<->')), got
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_sqlalchemy_asyncio_dimension_error_before_round_trip(table_name):
    pytest.importorskip('sqlalchemy.ext.asyncio')
    from sqlalchemy import event
    from sqlalchemy.exc import StatementError
    from sqlalchemy.ext.asyncio import AsyncSession

    Base, Item = item_model(table_name('sa_async_dim'))

    engine = async_engine()
    seen = []
    event.listen(engine.sync_engine, 'before_cursor_execute',
                 lambda conn, cur, stmt, *args: seen.append(stmt))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        async with AsyncSession(engine) as session:
            session.add(Item(id=1, embedding=[1, 2]))
            with pytest.raises(StatementError) as info:
                await session.flush()
            assert 'expected 3 dimensions, not 2' in str(info.value.orig)
    finally:
        await engine.dispose()
    assert not any('INSERT' in s for s in seen), seen

