"""
test_client_versions.py -- the python tier tests the library versions it
says it tests.

test/run-tests runs the client tests twice: on Debian 12's packages and on
trixie's, put first on PYTHONPATH by test/python-vendor.  It states the
versions each pass must see in VECIDX_EXPECT_VERSIONS ('sqlalchemy=2.0
django=4.2 ...'); a pass that silently imported the other copy fails
here.  Without the variable (a run by hand) there is nothing to check.
"""

import importlib
import os

import pytest

EXPECTED = dict(item.split('=', 1) for item in
                os.environ.get('VECIDX_EXPECT_VERSIONS', '').split())


@pytest.mark.skipif(not EXPECTED, reason='VECIDX_EXPECT_VERSIONS not set '
                    '(test/run-tests sets it)')
@pytest.mark.parametrize('module', sorted(EXPECTED) or ['-'])
def test_expected_version(module):
    mod = importlib.import_module(module)
    version = mod.__version__ if module != 'django' else mod.get_version()
    want = EXPECTED[module]
    assert version == want or version.startswith(want + '.'), \
        '%s %s imported from %s, the run expects %s' % (
            module, version, mod.__file__, want)
