"""
test_client_psycopg2.py -- vecidx.psycopg2 against a real server.

Text adapters with bit-exact NumPy round trips, vector[] arrays, the
missing-type error, and the binary COPY loader: 100K rows with a printed
throughput, contents checked exactly, dimension errors before the COPY.
"""

import time

import numpy as np
import psycopg2
import pytest
from psycopg2.extensions import (TRANSACTION_STATUS_INERROR,
                                 TRANSACTION_STATUS_INTRANS)

from vecidx import Vector
from vecidx.psycopg2 import copy_vectors, register_vector

from client_reference import assert_rows_exact, report_copy_rate, same_bits


def test_numpy_round_trip_exact(pg2, table_name):
    name = table_name('pg2')
    rng = np.random.default_rng(11)
    data = (rng.choice([-1.0, 1.0], (60, 8)) * rng.uniform(1, 10, (60, 8))
            * 10.0 ** rng.uniform(-37, 37, (60, 8))).astype(np.float32)
    with pg2.cursor() as cur:
        cur.execute('CREATE TABLE %s (id int, embedding vector(8))' % name)
        cur.executemany('INSERT INTO %s VALUES (%%s, %%s)' % name,
                        [(i, data[i]) for i in range(len(data))])
        cur.execute('SELECT id, embedding FROM %s ORDER BY id' % name)
        assert_rows_exact(cur.fetchall(), data)


def test_vector_class_null_and_distance(pg2):
    with pg2.cursor() as cur:
        cur.execute('SELECT %s::vector, NULL::vector, %s::vector <-> %s',
                    (Vector([1, 2]), np.array([0, 0]), np.array([3, 4])))
        v, null, dist = cur.fetchone()
    assert same_bits(v, [1, 2]) and null is None and dist == 5.0


def test_vector_arrays(pg2):
    with pg2.cursor() as cur:
        cur.execute("SELECT ARRAY['[1,2]'::vector, NULL, '[3,4.5]']")
        got = cur.fetchone()[0]
    assert len(got) == 3 and got[1] is None
    assert same_bits(got[0], [1, 2]) and same_bits(got[2], [3, 4.5])


def test_register_on_cursor(server):
    conn = psycopg2.connect('')
    try:
        cur = conn.cursor()
        register_vector(cur)
        cur.execute("SELECT '[1,2,3]'::vector")
        assert same_bits(cur.fetchone()[0], [1, 2, 3])
        other = conn.cursor()      # cursor scope: other cursors see text
        other.execute("SELECT '[1,2,3]'::vector")
        assert other.fetchone()[0] == '[1,2,3]'
    finally:
        conn.close()


def test_register_vector_without_type(server):
    conn = psycopg2.connect('', options='-c search_path=pg_catalog')
    try:
        with pytest.raises(psycopg2.ProgrammingError,
                           match='vector type not found'):
            register_vector(conn)
    finally:
        conn.close()


def test_copy_vectors_100k(pg2, table_name, capsys):
    name = table_name('bulk2')
    dim, n = 128, 100_000
    with pg2.cursor() as cur:
        cur.execute('CREATE TABLE %s (id int, embedding vector(%d))'
                    % (name, dim))
    pg2.commit()
    data = np.random.default_rng(5).standard_normal((n, dim)).astype(np.float32)
    start = time.perf_counter()
    count = copy_vectors(pg2, name, data, ids=range(n))
    pg2.commit()
    elapsed = time.perf_counter() - start
    report_copy_rate(capsys, 'psycopg2', n, dim, elapsed)
    assert count == n
    with pg2.cursor() as cur:
        cur.execute('SELECT count(*), count(DISTINCT id), '
                    'count(DISTINCT vector_dims(embedding)) FROM %s' % name)
        assert cur.fetchone() == (n, n, 1)
        cur.execute('SELECT id, embedding FROM %s WHERE id %% 1009 = 0' % name)
        sample = cur.fetchall()
    assert len(sample) > 30
    for ident, emb in sample:
        assert same_bits(emb, data[ident]), ident


def test_copy_vectors_errors(pg2, table_name):
    name = table_name('bad2')
    with pg2.cursor() as cur:
        cur.execute('CREATE TABLE %s (embedding vector(3))' % name)
    pg2.commit()
    # first batch: refused before the COPY starts, transaction still usable
    with pytest.raises(ValueError, match='expected 3 dimensions, not 2'):
        copy_vectors(pg2, name, [[1, 2, 3], [1, 2]])
    assert pg2.get_transaction_status() == TRANSACTION_STATUS_INTRANS
    # later batch: the COPY is aborted, the original error re-raised
    with pytest.raises(ValueError, match=r'expected 3 dimensions, not 4 \(row 12\)'):
        copy_vectors(pg2, name, [[1, 2, 3]] * 12 + [[1, 2, 3, 4]],
                     batch_rows=5)
    assert pg2.get_transaction_status() == TRANSACTION_STATUS_INERROR
    pg2.rollback()
    with pg2.cursor() as cur:
        cur.execute('SELECT count(*) FROM %s' % name)
        assert cur.fetchone()[0] == 0
