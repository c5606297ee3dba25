# SPDX-License-Identifier: GPL-3.0-or-later
"""dtb.Assimilation: a constant input current of one region recovered from
a recording of a four-region twin, the same numbers as the C API's getters
give, the files, bad input and stopping."""
import os

import pytest

import dtb

try:
    import numpy as np
except ImportError:
    np = None

needs_numpy = pytest.mark.skipif(np is None, reason='needs NumPy (python3-numpy)')
OBSERVER = 'tavg:period=50ms:vars=S'


def write_atlas(folder):
    os.makedirs(folder)
    w = [[0, 1, 0.5, 0], [1, 0, 1, 0.3], [0.5, 1, 0, 1], [0, 0.3, 1, 0]]
    with open(os.path.join(folder, 'weights.txt'), 'w') as f:
        f.writelines(' '.join(str(v) for v in row) + '\n' for row in w)
    with open(os.path.join(folder, 'tract_lengths.txt'), 'w') as f:
        f.writelines(' '.join(str(20.0 * abs(i - j)) for j in range(4)) + '\n' for i in range(4))
    with open(os.path.join(folder, 'centres.txt'), 'w') as f:
        f.writelines(f'{20.0 * i} 0 0\n' for i in range(4))


def twin(atlas, seed, **more):
    return dtb.Experiment(atlas=atlas, model='reduced_wong_wang', noise='1e-5', seed=str(seed),
                          **more)


@pytest.fixture
def recording(tmp_path):
    atlas = str(tmp_path / 'atlas')
    write_atlas(atlas)
    truth = twin(atlas, 999, set=['I_o@0=0.42'], duration='3s', observe=[OBSERVER],
                 out=str(tmp_path / 'truth'))
    truth.run()
    return atlas, str(tmp_path / 'truth' / 'tavg.csv')


@needs_numpy
def test_recovers_a_constant_input(recording, tmp_path):
    atlas, data = recording
    a = dtb.Assimilation(twin(atlas, 5), data=data, observer=OBSERVER,
                         estimate={'I_o@0': (0.1, 0.6)})
    a.prepare(members=10)
    assert a.parameters == ['I_o@0']
    assert a.observation_count == 4
    seen = []
    a.run(str(tmp_path / 'out'), members=10, jobs=2, progress=lambda d, t: seen.append(d))
    assert len(a) == 60 and seen == list(range(1, 61))
    means, spreads, fc = a.means, a.spreads, a.forecast
    assert means.shape == (60, 1) and spreads.shape == (60, 1) and fc.shape == (60, 4)
    assert abs(means[-20:, 0].mean() - 0.42) < 0.03
    assert 0 < spreads[-1, 0] < 0.05
    assert np.allclose(a.times, 0.025 + 0.05 * np.arange(60))
    # estimates.csv holds the same numbers
    table = np.loadtxt(tmp_path / 'out' / 'estimates.csv', delimiter=',', skiprows=1)
    assert np.array_equal(table[:, 1], means[:, 0])
    assert np.array_equal(table[:, 2], spreads[:, 0])
    for name in ('forecast.csv', 'estimates.svg', 'forecast.svg'):
        assert (tmp_path / 'out' / name).exists()
    with pytest.raises(dtb.StateError):
        a.run()


def test_bad_input(recording):
    atlas, data = recording
    a = dtb.Assimilation(twin(atlas, 5), data=data, observer=OBSERVER)
    with pytest.raises(dtb.InvalidArgument, match='bounds 0.6:0.1'):
        a.estimate('I_o', 0.6, 0.1)
    a.estimate('I_o@0', 0.1, 0.6)
    with pytest.raises(dtb.InvalidArgument, match='members 1: at least 2'):
        a.prepare(members=1)
    with pytest.raises(dtb.InvalidArgument, match='sampled signal'):
        a.set_observer('fc')
    with pytest.raises(dtb.InvalidArgument, match="unknown assimilate_method 'kalman'"):
        a.run(method='kalman')
    a.set_observer('bold')
    with pytest.raises(dtb.InvalidArgument, match='0.05 s apart'):
        a.prepare()


def test_hierarchical_names(recording):
    atlas, data = recording
    a = dtb.Assimilation(twin(atlas, 5), data=data, observer=OBSERVER,
                         estimate={'I_o@0+2': (0.1, 0.6, 0.1)})
    a.prepare(members=4)
    assert a.parameters == ['I_o', 'I_o@0', 'I_o@2']
    with pytest.raises(dtb.InvalidArgument, match='pull 2'):
        a.estimate('w@1', 0, 1, pull=2)


def test_stop_from_progress(recording):
    atlas, data = recording
    a = dtb.Assimilation(twin(atlas, 5), data=data, observer=OBSERVER,
                         estimate={'I_o@0': (0.1, 0.6)})
    with pytest.raises(dtb.Cancelled):
        a.run(members=3, method='enkf', localisation=1, distance='hops',
              progress=lambda done, total: done >= 2)
    assert len(a) == 2
    a.request_stop()


@needs_numpy
def test_zscore_and_skill(recording, tmp_path):
    """data_scale='zscore': forecasts in z units; the skill is each column's
    r of forecast and recording, their mean and the FCs' r (NumPy here)."""
    atlas, data = recording
    a = dtb.Assimilation(twin(atlas, 5), data=data, observer=OBSERVER,
                         estimate={'I_o@0': (0.1, 0.6)})
    assert a.skill is None
    with pytest.raises(ValueError):
        a.run(members=3, data_scale='minmax')
    a.run(str(tmp_path / 'out'), members=3, data_scale='zscore')
    rec = np.loadtxt(data, delimiter=',', skiprows=1)[:, 1:]
    fc = a.forecast
    assert abs(fc.mean()) < 1.0          # z units, not the recording's
    r = [np.corrcoef(fc[:, c], rec[:, c])[0, 1] for c in range(4)]
    skill = a.skill
    assert np.allclose(skill['r'], r, rtol=0, atol=1e-12)
    assert abs(skill['mean'] - np.mean(r)) < 1e-12
    iu = np.triu_indices(4, k=1)
    fc_r = np.corrcoef(np.corrcoef(fc.T)[iu], np.corrcoef(rec.T)[iu])[0, 1]
    assert abs(skill['fc'] - fc_r) < 1e-12
    assert (tmp_path / 'out' / 'forecast_skill.csv').exists()
