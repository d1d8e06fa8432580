"""
test_client_install.py -- the installation README states works verbatim
on Debian 12, where a plain `pip install` is refused (PEP 668).

Runs the shell block under "## Install" of python/README.md on a copy of
python/ (pip builds in the source tree), with the venv path moved into the
test's directory, then imports every module from the venv in a directory
that is not a checkout.  No network: the block uses the system's
setuptools and the package has no dependencies.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[2] / 'python'
README = PYTHON_DIR / 'README.md'
VENV_IN_README = '~/vecidx-venv'


def test_readme_venv_install(tmp_path):
    section = README.read_text().split('## Install', 1)[1]
    block = re.search(r'```sh\n(.*?)```', section, re.S).group(1)
    assert VENV_IN_README in block and 'pip install' in block, block
    checkout = tmp_path / 'checkout'
    shutil.copytree(PYTHON_DIR, checkout / 'python',
                    ignore=shutil.ignore_patterns('__pycache__', 'build', '*.egg-info'))
    venv = tmp_path / 'venv'
    script = block.replace(VENV_IN_README, str(venv))
    # `python3` in the block is the Python running the tests (Debian's
    # /usr/bin/python3 under test/run-tests), whatever else PATH holds
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep
               + os.environ.get('PATH', ''))
    result = subprocess.run(['bash', '-euxc', script], cwd=checkout, env=env,
                            timeout=600, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

    probe = ('import vecidx, vecidx.sqlalchemy, vecidx.psycopg, vecidx.psycopg2, '
             'vecidx.asyncpg, vecidx.django; print(vecidx.__file__)')
    out = subprocess.run([str(venv / 'bin' / 'python'), '-c', probe],
                         cwd=tmp_path, timeout=120, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith(str(venv)), out.stdout
