"""
test/python/conftest.py -- fixtures shared by the Python client tests.

The tests run against a real server (the throwaway cluster started by
test/run-tests, or any server) reached through the libpq environment:
PGHOST, PGPORT, PGUSER and PGDATABASE must all be set; a missing one is
an error, never a silent skip.  `import vecidx` resolves to the package in
python/ of this checkout, not to an installed copy.
"""

import os
import sys
import uuid
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[2] / 'python'
sys.path.insert(0, str(PYTHON_DIR))

REQUIRED_ENV = ('PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE')


def _require_env():
    missing = [name for name in REQUIRED_ENV if not os.environ.get(name)]
    if missing:
        pytest.fail('the Python client tests need a server: set %s (libpq '
                    'environment variables; test/run-tests sets them for its '
                    'throwaway cluster)' % ', '.join(missing), pytrace=False)


@pytest.fixture(scope='session')
def server():
    """Check the environment once and install the extension."""
    _require_env()
    import psycopg
    with psycopg.connect(autocommit=True) as conn:
        conn.execute('CREATE EXTENSION IF NOT EXISTS vecidx')
    return True


@pytest.fixture
def table_name(server):
    """
    A factory of unique table names; every table it named is dropped at
    teardown (whether or not the test created it).
    """
    import psycopg
    names = []

    def make(prefix='vx'):
        name = 'test_client_%s_%s' % (prefix, uuid.uuid4().hex[:10])
        names.append(name)
        return name

    yield make
    with psycopg.connect(autocommit=True) as conn:
        conn.execute("SET lock_timeout = '10s'")    # fail, never hang
        for name in names:
            conn.execute('DROP TABLE IF EXISTS %s CASCADE' % name)


# pg3 and pg2 request table_name so that they are torn down first: a
# connection left in a transaction would otherwise block the DROP TABLE.

@pytest.fixture
def pg3(server, table_name):
    """psycopg 3 connection, autocommit, vector adapters registered."""
    import psycopg
    from vecidx.psycopg import register_vector
    conn = psycopg.connect(autocommit=True)
    register_vector(conn)
    yield conn
    conn.close()


@pytest.fixture
def pg2(server, table_name):
    """psycopg2 connection (transactional), vector adapters registered."""
    import psycopg2
    from vecidx.psycopg2 import register_vector
    conn = psycopg2.connect('')
    register_vector(conn)
    yield conn
    conn.rollback()
    conn.close()


@pytest.fixture(scope='session')
def engine(server):
    """SQLAlchemy engine over psycopg2, 2.0-style API (future=True on 1.4)."""
    import sqlalchemy
    kwargs = {}
    if sqlalchemy.__version__.startswith('1.'):
        kwargs['future'] = True
    eng = sqlalchemy.create_engine('postgresql+psycopg2://', **kwargs)
    yield eng
    eng.dispose()


@pytest.fixture
def id_table(engine, table_name):
    """
    A factory: make(prefix, column) creates, through engine, a SQLAlchemy
    Table (id integer primary key, column) named by table_name(prefix).
    """
    from sqlalchemy import Column, Integer, MetaData, Table

    def make(prefix, column):
        meta = MetaData()
        t = Table(table_name(prefix), meta, Column('id', Integer, primary_key=True),
                  column)
        meta.create_all(engine)
        return t
    return make

