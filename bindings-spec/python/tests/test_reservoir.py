# SPDX-License-Identifier: GPL-3.0-or-later
"""dtb.Reservoir and Atlas.rewire against independent NumPy computations."""
import math
import os

import pytest

import dtb

try:
    import numpy as np
except ImportError:
    np = None

needs_numpy = pytest.mark.skipif(np is None, reason='needs NumPy (python3-numpy)')


def random_weights(n, seed, density=0.4):
    rng = np.random.default_rng(seed)
    w = rng.uniform(0, 1, (n, n)) * (rng.uniform(size=(n, n)) < density)
    np.fill_diagonal(w, 0)
    return w


def esn_numpy(w, u, alpha, inputs, f=np.tanh if np is not None else None):
    """x(0) = 0, x(t+1) = f(alpha W/rho x(t) + w_in u(t+1)); row t after input row t."""
    w_hat = w / np.max(np.abs(np.linalg.eigvals(w)))
    w_in = np.zeros(len(w))
    w_in[inputs] = 1
    x, rows = np.zeros(len(w)), []
    for ut in u:
        x = f(alpha * w_hat @ x + w_in * ut)
        rows.append(x)
    return np.array(rows)


@needs_numpy
@pytest.mark.parametrize('seed', [1, 2])
def test_states_equal_numpy(seed):
    w = random_weights(30, seed)
    u = np.random.default_rng(seed + 10).uniform(-1, 1, 500)
    res = dtb.Reservoir(dtb.Atlas.from_arrays(w), regions=('2+5+7', None))
    x = res.states(0.9, u)
    assert x.shape == (500, 30)
    assert np.max(np.abs(x - esn_numpy(w, u, 0.9, [2, 5, 7]))) < 1e-12


@needs_numpy
def test_nulls_keep_what_they_promise():
    w = random_weights(40, 3, density=0.2)
    atlas = dtb.Atlas.from_arrays(w)
    deg = lambda m: ((m != 0).sum(0), (m != 0).sum(1))
    d = atlas.rewire('degree', seed=4).weights
    assert all((a == b).all() for a, b in zip(deg(d), deg(w)))
    assert sorted(d[d != 0]) == sorted(w[w != 0])
    assert (d != w).any()
    s = atlas.rewire('strength', seed=4).weights
    assert all((a == b).all() for a, b in zip(deg(s), deg(w)))
    assert np.allclose(s.sum(0), w.sum(0), rtol=1e-10) and np.allclose(s.sum(1), w.sum(1), rtol=1e-10)
    assert (atlas.rewire('strength', seed=4).weights == s).all()
    assert (atlas.rewire('strength', seed=5).weights != s).any()
    r = atlas.rewire('random', seed=4).weights
    assert (r != 0).sum() == (w != 0).sum()
    with pytest.raises(dtb.InvalidArgument, match='no degree-preserving swap'):
        dtb.Atlas('bn246').rewire('degree')
    with pytest.raises(dtb.InvalidArgument, match='unknown'):
        atlas.rewire('wormhole')


@needs_numpy
def test_run_against_nulls(tmp_path):
    res = dtb.Reservoir(dtb.Atlas('bn246'), task='memory-capacity', steps=1000, delays=20, nulls=3,
                        seed=9)
    res.run([0.5, 1.0], str(tmp_path / 'out'), jobs=2)
    r = res.results
    assert r.shape == (2, 4)
    assert np.isfinite(r).all()
    for i in range(2):
        assert res.percentiles[i] == pytest.approx(100 * np.mean(r[i, 1:] < r[i, 0]))
        assert r[i, 0] == res.score(res.alphas[i])
        assert r[i, 2] == res.score(res.alphas[i], network=1)
    head = (tmp_path / 'out' / 'reservoir.csv').read_text().splitlines()[0]
    assert head == 'alpha,network,score'


@needs_numpy
def test_own_task_and_saved_readout(tmp_path):
    w = random_weights(25, 6)
    rng = np.random.default_rng(7)
    u = rng.uniform(-1, 1, 2000)
    y = np.stack([np.roll(u, 1), np.roll(u, 2)], axis=1)
    res = dtb.Reservoir(dtb.Atlas.from_arrays(w), task=(u, y), regions=('0', None))
    path = str(tmp_path / 'readout.txt')
    score = res.score(0.8, readout_path=path)
    assert 0.5 < score <= 1
    x = res.states(0.8, u)[:, 1:]          # the output regions: all but region 0
    pred = dtb.readout_predict(path, x)
    assert pred.shape == (2000, 2)
    r2 = np.corrcoef(pred[1400:, 0], y[1400:, 0])[0, 1] ** 2
    assert r2 > 0.5
    with pytest.raises(dtb.InvalidArgument):
        dtb.readout_predict(path, x[:, :5])


def test_errors_name_what(lists):
    atlas = dtb.Atlas('bn246')
    with pytest.raises(dtb.InvalidArgument, match='relu'):
        dtb.Reservoir(atlas, activation='relu')
    with pytest.raises(dtb.NotFound, match='nowhere'):
        dtb.Reservoir(atlas, regions=('nowhere', None))
    res = dtb.Reservoir(atlas, task='memory-capacity', steps=500, delays=10)
    with pytest.raises(dtb.InvalidArgument, match='alpha'):
        res.score(-1)
    assert math.isfinite(res.score(0.5))
    x = res.states(0.5, [0.1, -0.2, 0.3])
    assert len(x) == 3 and len(x[0]) == 246
