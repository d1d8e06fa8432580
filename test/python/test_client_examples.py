"""
test_client_examples.py -- the documented examples work as written.

Runs the SQLAlchemy example from python/README.md (with its table renamed
to a unique name) and python/examples/quickstart.py (random data, .npy and
.fvecs files) as separate processes against the test server, so the
documentation cannot drift from the code.
"""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# not imported from conftest: test/run-tests runs test/bench in the same
# pytest session, and its conftest module may be the one named 'conftest'
PYTHON_DIR = Path(__file__).resolve().parents[2] / 'python'
README = PYTHON_DIR / 'README.md'
QUICKSTART = PYTHON_DIR / 'examples' / 'quickstart.py'


def run_python(args, cwd):
    """
    Run Python on args with the package on PYTHONPATH.  cwd must not be the
    top of a built checkout: its vecidx.so would shadow the package.
    """
    env = dict(os.environ)
    env['PYTHONPATH'] = str(PYTHON_DIR)
    return subprocess.run([sys.executable] + args, env=env, cwd=cwd,
                          timeout=300, capture_output=True, text=True)


def readme_block(heading):
    """The first ```python block after a '## heading' line of python/README.md."""
    text = README.read_text()
    section = text[text.index('\n## %s\n' % heading):]
    return re.search(r'```python\n(.*?)```', section, re.S).group(1)


def test_readme_sqlalchemy_example(server, table_name, tmp_path):
    code = readme_block('SQLAlchemy')
    assert "'items'" in code and 'l2_distance' in code
    code = code.replace('items', table_name('readme'))
    result = run_python(['-c', code], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '[(3, array([1., 1., 1.], dtype=float32)), '
        '(1, array([1., 2., 3.], dtype=float32))]')


def test_quickstart(pg3, table_name, tmp_path):
    name = table_name('quick')
    result = run_python([str(QUICKSTART), '--rows', '3000', '--dim', '24',
                         '--queries', '20', '--table', name], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert 'loaded 3000 vectors of 24 dimensions' in out, out
    assert 'built hnsw index' in out, out
    recall = float(re.search(r'recall@10 against an exact scan: ([0-9.]+)',
                             out).group(1))
    assert recall >= 0.8, out
    # the table is dropped unless --keep
    assert pg3.execute('SELECT to_regclass(%s)', (name,)).fetchone()[0] is None


def test_quickstart_data_files(table_name, tmp_path):
    """--file reads .npy and .fvecs (int32 dimension, then the floats)."""
    data = np.random.default_rng(3).standard_normal((600, 8)).astype(np.float32)
    np.save(tmp_path / 'data.npy', data)
    rows = np.empty((600, 9), dtype='<f4')
    rows[:, 0] = np.array([8], dtype='<i4').view('<f4')[0]
    rows[:, 1:] = data
    rows.tofile(tmp_path / 'data.fvecs')
    for name in ('data.npy', 'data.fvecs'):
        result = run_python([str(QUICKSTART), '--file', str(tmp_path / name),
                             '--queries', '10', '--table', table_name('file')],
                            tmp_path)
        assert result.returncode == 0, result.stderr
        # the last 10 rows are the held-out queries
        assert 'loaded 590 vectors of 8 dimensions' in result.stdout, \
            result.stdout


def create_items(pg3, name):
    pg3.execute('CREATE TABLE %s (id serial PRIMARY KEY, embedding vector(3))' % name)
    pg3.execute("INSERT INTO %s (embedding) VALUES ('[1,1,1]'), ('[2,2,2]'), ('[1,2,3]')"
                % name)


def test_readme_psycopg2_example(pg3, table_name, tmp_path):
    """The psycopg2 example as written (table renamed), then its rows printed."""
    pytest.importorskip('psycopg2')
    code = readme_block('psycopg2')
    assert 'FROM items' in code
    name = table_name('readme_pg2')
    create_items(pg3, name)
    code = code.replace('items', name) + '\nprint([r[0].tolist() for r in cur.fetchall()])\n'
    result = run_python(['-c', code], tmp_path)
    assert result.returncode == 0, result.stderr
    # distances to [3,1,2]: [2,2,2] 2, [1,1,1] 5, [1,2,3] 6
    assert result.stdout.strip() == '[[2.0, 2.0, 2.0], [1.0, 1.0, 1.0], [1.0, 2.0, 3.0]]'


def test_readme_asyncpg_example(pg3, table_name, tmp_path):
    """
    The asyncpg example as written (table renamed), run inside a coroutine
    (it uses top-level await, as the asyncio REPL allows): it inserts
    [1,2,3] and fetches the five nearest rows to [3,1,2].
    """
    pytest.importorskip('asyncpg')
    code = readme_block('asyncpg')
    assert 'INTO items' in code and 'FROM items' in code
    name = table_name('readme_apg')
    create_items(pg3, name)
    body = code.replace('items', name) + \
        "print([(r['id'], r['embedding'].tolist()) for r in rows])\n"
    program = ('import asyncio\n\nasync def main():\n' +
               ''.join('    ' + line + '\n' for line in body.splitlines()) +
               '\nasyncio.run(main())\n')
    result = run_python(['-c', program], tmp_path)
    assert result.returncode == 0, result.stderr
    rows = ast.literal_eval(result.stdout.strip())
    # distances to [3,1,2]: id 2 ([2,2,2]) 2, id 1 5, ids 3 and the new 4
    # ([1,2,3] both) 6, in either order
    assert rows[:2] == [(2, [2.0, 2.0, 2.0]), (1, [1.0, 1.0, 1.0])], rows
    assert sorted(rows[2:]) == [(3, [1.0, 2.0, 3.0]), (4, [1.0, 2.0, 3.0])], rows


def test_readme_psycopg3_example(pg3, table_name, tmp_path):
    """The psycopg 3 example as written (table renamed): insert, then query."""
    code = readme_block('psycopg 3')
    assert 'INTO items' in code and 'FROM items' in code
    name = table_name('readme_pg3')
    create_items(pg3, name)
    lines = code.replace('items', name).rstrip('\n').split('\n')
    # the last statement is the query (two lines): print what it returns
    program = '\n'.join(lines[:-2]) + '\nprint([r[0].tolist() for r in ' + \
        ' '.join(l.strip() for l in lines[-2:]) + '])\n'
    result = run_python(['-c', program], tmp_path)
    assert result.returncode == 0, result.stderr
    rows = ast.literal_eval(result.stdout.strip())
    assert rows[:2] == [[2.0, 2.0, 2.0], [1.0, 1.0, 1.0]], rows
    assert rows[2:] == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], rows
