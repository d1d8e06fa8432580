"""
test_client_psycopg.py -- vecidx.psycopg (psycopg 3) against a real server.

Adapters in text and binary formats with bit-exact NumPy round trips, the
binary wire layout, vector[] arrays, the missing-type error, and the
binary COPY loader: 100K rows with a printed throughput, contents checked
exactly, and dimension errors raised before the COPY starts.  Also runs
the package's no-NumPy code paths by hiding NumPy from it.
"""

import struct
import time

import numpy as np
import psycopg
import pytest
from psycopg.pq import TransactionStatus

import vecidx._copy
import vecidx._vector
from vecidx import Vector
from vecidx.psycopg import copy_vectors, register_vector

from client_reference import (assert_rows_exact, awkward_float32,
                              report_copy_rate, same_bits)


@pytest.fixture
def vtable(pg3, table_name):
    name = table_name('pg3')
    pg3.execute('CREATE TABLE %s (id bigint PRIMARY KEY, embedding vector(16))'
                % name)
    return name


@pytest.mark.parametrize('send', ['%t', '%b'])
@pytest.mark.parametrize('receive', ['text', 'binary'])
def test_numpy_round_trip_exact(pg3, vtable, send, receive):
    data = awkward_float32(50, 16, seed=1)
    with pg3.cursor() as cur:
        cur.executemany('INSERT INTO %s VALUES (%%s, %s)' % (vtable, send),
                        [(i, data[i]) for i in range(len(data))])
    with pg3.cursor(binary=(receive == 'binary')) as cur:
        cur.execute('SELECT id, embedding FROM %s ORDER BY id' % vtable)
        assert_rows_exact(cur.fetchall(), data)


def test_text_form_matches_server(pg3):
    v = np.array([0.1, -2.5, 1e-7, 3e38], dtype=np.float32)
    server_text = pg3.execute('SELECT %t::vector::text', (v,)).fetchone()[0]
    assert same_bits(Vector.from_text(server_text).to_numpy(), v)
    # and the server parses our text into the same bits as our binary
    assert pg3.execute('SELECT %s::vector = %b::vector',
                       (Vector(v).to_text(), v)).fetchone()[0] is True


def test_binary_wire_layout(server):
    """Raw bytes from vector_send: int16 dim, int16 0, big-endian float4."""
    with psycopg.connect(autocommit=True) as conn:    # no adapters
        raw = conn.execute("SELECT '[1,-2.5,0.1]'::vector", binary=True) \
            .fetchone()[0]
    expected = struct.pack('>hh3f', 3, 0, 1.0, -2.5, 0.1)
    assert bytes(raw) == expected
    assert Vector([1, -2.5, 0.1]).to_binary() == expected
    assert same_bits(Vector.from_binary(raw).to_numpy(), [1, -2.5, 0.1])


def test_vector_class_lists_and_null(pg3):
    assert pg3.execute('SELECT %s::text', (Vector([1, 2.5]),)).fetchone()[0] \
        == '[1,2.5]'
    assert pg3.execute('SELECT %t::text', (Vector((3, 4)),)).fetchone()[0] \
        == '[3,4]'
    assert pg3.execute('SELECT NULL::vector').fetchone()[0] is None
    got = pg3.execute('SELECT vector_dims(%s)', (np.arange(7.0),)).fetchone()[0]
    assert got == 7


@pytest.mark.parametrize('binary', [False, True])
def test_vector_arrays(pg3, binary):
    got = pg3.execute("SELECT ARRAY['[1,2]'::vector, NULL, '[3,4.5]']",
                      binary=binary).fetchone()[0]
    assert len(got) == 3 and got[1] is None
    assert same_bits(got[0], [1, 2]) and same_bits(got[2], [3, 4.5])


def test_register_vector_without_type(server):
    with psycopg.connect(autocommit=True,
                         options='-c search_path=pg_catalog') as conn:
        with pytest.raises(psycopg.ProgrammingError,
                           match='vector type not found'):
            register_vector(conn)


def test_two_dimensional_parameter_rejected(pg3):
    with pytest.raises(ValueError, match='one-dimensional'):
        pg3.execute('SELECT %s', (np.zeros((2, 2)),))


def test_copy_vectors_100k(pg3, table_name, capsys):
    name = table_name('bulk')
    dim, n = 128, 100_000
    pg3.execute('CREATE TABLE %s (id bigint, embedding vector(%d))'
                % (name, dim))
    data = np.random.default_rng(7).standard_normal((n, dim)).astype(np.float32)
    ids = np.arange(n, dtype=np.int64) * 3
    start = time.perf_counter()
    count = copy_vectors(pg3, name, data, ids=ids)
    elapsed = time.perf_counter() - start
    report_copy_rate(capsys, 'psycopg', n, dim, elapsed)
    assert count == n
    assert pg3.execute('SELECT count(*), min(id), max(id), '
                       'count(DISTINCT vector_dims(embedding)) FROM %s'
                       % name).fetchone() == (n, 0, 3 * (n - 1), 1)
    with pg3.cursor(binary=True) as cur:
        cur.execute('SELECT id, embedding FROM %s WHERE id %% 997 = 0' % name)
        sample = cur.fetchall()
    assert len(sample) > 30
    for ident, emb in sample:
        assert same_bits(emb, data[ident // 3]), ident


def test_copy_vectors_iterables_and_unconstrained(pg3, table_name):
    name = table_name('iter')
    pg3.execute('CREATE TABLE %s (id int, embedding vector)' % name)
    rows = [[1, 2, 3], (4, 5, 6), np.array([7, 8, 9]), Vector([10, 11, 12])]
    assert copy_vectors(pg3, name, iter(rows), ids=iter([1, 2, 3, 4]),
                        batch_rows=3) == 4
    got = pg3.execute('SELECT id, embedding FROM %s ORDER BY id'
                      % name).fetchall()
    assert [r[0] for r in got] == [1, 2, 3, 4]
    for (_, emb), want in zip(got, rows):
        assert same_bits(emb, Vector(want).to_numpy())
    # no ids: the id column takes its default (NULL here)
    assert copy_vectors(pg3, name, [[0.5, 0.5, 0.5]]) == 1
    assert pg3.execute('SELECT count(*) FROM %s WHERE id IS NULL'
                       % name).fetchone()[0] == 1


def test_copy_vectors_errors_before_round_trip(server, table_name):
    name = table_name('bad')
    with psycopg.connect() as conn:        # transactional on purpose
        conn.execute('CREATE TABLE %s (id int, embedding vector(3))' % name)
        conn.commit()
        cases = [
            (np.zeros((5, 4), dtype=np.float32), None,
             'expected 3 dimensions, not 4'),
            ([[1, 2, 3], [1, 2]], None, 'expected 3 dimensions, not 2'),
            ([[1, 2, 3]] * 3, [1, 2], 'more vectors than ids'),
            ([[1, 2, 3]] * 3, iter([1, 2]), 'more vectors than ids'),
            ([[1, 2, 3]] * 3, range(4), 'more ids than vectors'),
            ([[1, 2, 3]] * 3, iter(range(4)), 'more ids than vectors'),
            ([[1, 2, 3]], [2 ** 40], 'id out of range for int4'),
            ([[1, 2, 3]], ['x'], 'ids must be integers'),
        ]
        for vectors, ids, message in cases:
            with pytest.raises(ValueError, match=message):
                copy_vectors(conn, name, vectors, ids=ids)
            # no COPY was started: the transaction is not in error
            assert conn.info.transaction_status == TransactionStatus.INTRANS
        with pytest.raises(ValueError, match='not found or has no column'):
            copy_vectors(conn, name, [[1, 2, 3]], column='nope')
        with pytest.raises(ValueError, match='has type integer|has type int4'):
            copy_vectors(conn, name, [[1, 2, 3]], column='id')
        assert conn.execute('SELECT count(*) FROM %s' % name).fetchone()[0] == 0


def test_copy_vectors_late_error_stores_nothing(pg3, table_name):
    """A bad row after the first batch aborts the whole COPY."""
    name = table_name('late')
    pg3.execute('CREATE TABLE %s (embedding vector(2))' % name)
    rows = [[1, 2]] * 25 + [[1, 2, 3]]
    with pytest.raises(ValueError, match=r'expected 2 dimensions, not 3 \(row 25\)'):
        copy_vectors(pg3, name, rows, batch_rows=10)
    assert pg3.execute('SELECT count(*) FROM %s' % name).fetchone()[0] == 0


def test_without_numpy(pg3, table_name, monkeypatch):
    """The array-module code paths produce the same bytes and values."""
    data = awkward_float32(40, 5, seed=3)
    with_np = b''.join(vecidx._copy.copy_payload(
        vecidx._copy.CopyPlan('', 5, 'int8'), data, ids=range(40),
        batch_rows=16))
    monkeypatch.setattr(vecidx._vector, 'np', None)
    monkeypatch.setattr(vecidx._copy, 'np', None)
    rows = data.tolist()
    without_np = b''.join(vecidx._copy.copy_payload(
        vecidx._copy.CopyPlan('', 5, 'int8'), rows, ids=range(40),
        batch_rows=16))
    assert with_np == without_np

    name = table_name('nonp')
    pg3.execute('CREATE TABLE %s (id bigint, embedding vector(5))' % name)
    assert copy_vectors(pg3, name, rows, ids=range(40)) == 40
    register_vector(pg3)
    for binary in (False, True):
        got = pg3.execute('SELECT id, embedding FROM %s ORDER BY id' % name,
                          binary=binary).fetchall()
        assert len(got) == 40
        for ident, emb in got:
            assert isinstance(emb, list)
            assert same_bits(emb, data[ident])     # this module's NumPy
    assert Vector(rows[0]).to_binary() == struct.pack(
        '>hh5f', 5, 0, *rows[0])


def test_copy_vectors_qualified_quoted_names(pg3):
    """table is read as SQL reads it; quoted column names are quoted back."""
    schema = 'test_client_schema_%d' % (time.time_ns() % 10 ** 12)
    pg3.execute('CREATE SCHEMA %s' % schema)
    try:
        pg3.execute('CREATE TABLE %s."Mixed Items" ("Row Id" int, "Emb" vector(2))'
                    % schema)
        table = '%s."Mixed Items"' % schema
        assert copy_vectors(pg3, table, [[1, 2], [3, 4]], ids=[7, 8],
                            column='Emb', id_column='Row Id') == 2
        got = pg3.execute('SELECT "Row Id", "Emb" FROM %s ORDER BY 1'
                          % table).fetchall()
        assert [r[0] for r in got] == [7, 8]
        assert same_bits(got[1][1], [3, 4])
        with pytest.raises(ValueError, match='not found'):   # case folds
            copy_vectors(pg3, '%s.Mixed_Items' % schema, [[1, 2]],
                         column='Emb')
        with pytest.raises(ValueError, match='not found'):
            copy_vectors(pg3, table, [[1, 2]], column='emb')
    finally:
        pg3.execute('DROP SCHEMA %s CASCADE' % schema)


def test_register_vector_async(server):
    import asyncio
    from vecidx.psycopg import register_vector_async

    async def run():
        async with await psycopg.AsyncConnection.connect() as conn:
            await register_vector_async(conn)
            cur = await conn.execute('SELECT %s::vector', (np.array([1.5, 2]),))
            return (await cur.fetchone())[0]

    assert same_bits(asyncio.run(run()), [1.5, 2])
