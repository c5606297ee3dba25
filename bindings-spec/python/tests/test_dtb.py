# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the Python bindings (meson suite 'python', Debian's pytest),
against the shared library the build made ($DTB_LIBRARY, set by meson)."""
import gc
import json
import math
import os
import threading

import pytest

import dtb
from dtb import _ffi

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, '..', '..', 'dtb-api.json')
TEST_DATA = os.environ.get('DTB_TEST_DATA', os.path.join(HERE, '..', '..', '..', 'tests', 'data'))

try:
    import numpy as np
except ImportError:
    np = None


@pytest.fixture(scope='module')
def twin():
    return dtb.Atlas('bn246'), dtb.Model('generic_2d_oscillator')


def decay_sim(**kw):
    """Two uncoupled regions of the test model 'decay': x(0) = 0,
    dx/dt = -k (x - 1) with k = 0.5/ms, so x(t) = 1 - exp(-t / 2 ms)."""
    atlas = dtb.Atlas.from_arrays([[0.0, 0.0], [0.0, 0.0]], labels=['a', 'b'])
    with open(os.path.join(TEST_DATA, 'models', 'decay.xml'), encoding='utf-8') as f:
        model = dtb.Model.from_xml(f.read(), 'decay.xml')
    return dtb.Sim(atlas, model, dt=1e-5, speed=math.inf, integrator='rk4', **kw)


def test_generated_module_matches_library():
    with open(SPEC, encoding='utf-8') as f:
        spec = json.load(f)
    assert _ffi.MISSING == []
    assert dtb.version == spec['api_version'] == _ffi.API_VERSION
    for fn in spec['functions']:
        assert getattr(_ffi, fn['name']) is not None, fn['name']
    # The C side asserts that option structs have no padding; so must ctypes.
    for t in spec['types']:
        if t['kind'] == 'options':
            cls = getattr(_ffi, t['name'])
            assert _ffi.ctypes.sizeof(cls) == sum(_ffi.ctypes.sizeof(f[1])
                                                  for f in cls._fields_), t['name']


def test_run_returns_arrays(twin):
    atlas, model = twin
    sim = dtb.Sim(atlas, model, seed=3)
    t, x = sim.run(0.02)
    assert len(t) == 20
    assert t[0] == pytest.approx(0.0005) and t[-1] == pytest.approx(0.0195)
    assert len(x) == 20 and len(x[0]) == atlas.n_regions
    assert sim.columns()[:2] == ['V.0', 'V.1']
    assert sim.step_index == 200
    if np is not None:
        assert isinstance(t, np.ndarray) and x.shape == (20, 246)
        assert np.all(np.isfinite(x))
    # Same seed, same numbers.
    t2, x2 = dtb.Sim(atlas, model, seed=3).run(0.02)
    assert list(map(list, x)) == list(map(list, x2))


def test_without_numpy_gives_lists(twin, lists):
    atlas, model = twin
    t, x = dtb.Sim(atlas, model, seed=3).run(0.02)
    assert isinstance(t, list) and isinstance(x, list) and isinstance(x[0], list)
    assert len(t) == 20 and len(x[0]) == 246
    w = atlas.weights
    assert isinstance(w, list) and len(w) == 246 and len(w[0]) == 246
    if np is not None:
        dtb.use_numpy(True)
        t2, x2 = dtb.Sim(atlas, model, seed=3).run(0.02)
        assert x2.tolist() == x and t2.tolist() == t


def test_numbers_reach_python_exactly_enough():
    sim = decay_sim()
    raw = sim.record(kind='raw', variables='x')
    t, x = sim.run(0.004)
    assert len(raw.read().t) == 0   # run() took them
    assert len(t) == 400
    for k in (0, 99, 399):
        expect = 1.0 - math.exp(-t[k] / 2e-3)
        assert x[k][0] == pytest.approx(expect, abs=1e-9)
        assert x[k][1] == x[k][0]


def test_callback_observer_sees_every_sample():
    sim = decay_sim()
    seen = []
    sim.record(kind='raw', variables='x', callback=lambda t, v: seen.append((t, list(v))))
    sim.record(kind='raw', variables='x')
    t, x = sim.run(0.001)       # the samples of the first memory observer
    assert len(seen) == len(t) == 100
    assert [s[0] for s in seen] == list(t)
    assert [s[1] for s in seen] == [list(r) for r in x]


def test_progress_callback_cancels():
    sim = decay_sim()
    calls = []

    def progress(t, fraction):
        calls.append(fraction)
        return fraction >= 0.25

    with pytest.raises(dtb.Cancelled) as e:
        sim.run(0.01, progress=progress)      # 1000 steps, progress every step
    assert 'progress callback' in e.value.message
    assert e.value.status == _ffi.DTB_ECANCELLED
    assert sim.step_index == 250 and calls[-1] == pytest.approx(0.25)
    sim.run(0.001)                              # still usable afterwards
    assert sim.step_index == 350


def test_request_stop_from_an_observer_callback():
    sim = decay_sim()
    count = []

    def on_sample(t, v):
        count.append(t)
        if len(count) == 10:
            sim.request_stop()

    sim.record(kind='raw', callback=on_sample)
    with pytest.raises(dtb.Cancelled):
        sim.run(0.01)
    assert sim.step_index == 10 and len(count) == 10


def test_request_stop_from_another_thread_is_not_lost():
    # A stop requested before the run starts stops the run before its first
    # step (dtb_sim.h), so this does not depend on timing.
    sim = decay_sim()
    th = threading.Thread(target=sim.request_stop)
    th.start()
    th.join()
    with pytest.raises(dtb.Cancelled):
        sim.run(0.01)
    assert sim.step_index == 0


def test_callback_exception_propagates():
    sim = decay_sim()

    def bad(t, v):
        raise KeyError('from the callback')

    sim.record(kind='raw', callback=bad)
    with pytest.raises(KeyError, match='from the callback'):
        sim.run(0.001)
    assert sim.step_index == 1


def test_errors_carry_the_library_message(tmp_path):
    with pytest.raises(dtb.NotFound, match="unknown model 'no_such_model'"):
        dtb.Model('no_such_model')
    missing = tmp_path / 'nowhere'
    with pytest.raises(dtb.Error) as e:
        dtb.Atlas(str(missing))
    assert str(missing) in e.value.message
    with pytest.raises(dtb.ParseError) as e:
        dtb.Model.from_xml('<Lems><ComponentType name="x"', 'broken.xml')
    assert 'broken.xml' in e.value.message
    sim = decay_sim()
    with pytest.raises(dtb.NotFound, match='no_param'):
        sim.set_param('no_param', 1.0)
    with pytest.raises(dtb.InvalidArgument, match="unknown integrator 'leapfrog'"):
        dtb.Sim(*twin_objects(), integrator='leapfrog')


def twin_objects():
    return dtb.Atlas('bn246'), dtb.Model('generic_2d_oscillator')


def test_model_parameters_and_per_region_values():
    model = dtb.Model('generic_2d_oscillator')
    model['a'] = 1.05
    assert model['a'] == 1.05
    assert 'a' in model.params and model.states == ['V', 'W']
    sim = decay_sim()
    sim.set_param('x_inf', [1.0, 3.0])
    t, x = sim.run(0.02)
    assert x[-1][0] == pytest.approx(1.0, abs=1e-4)
    assert x[-1][1] == pytest.approx(3.0, abs=1e-3)


def test_one_coupling_default_per_model():
    rww = dtb.Model('reduced_wong_wang_exc_inh')
    assert rww.default_coupling == ('linear', {'a': 1.0})
    assert dtb.Model('kuramoto').default_coupling is None
    atlas = dtb.Atlas('bn246')
    sim = dtb.Sim(atlas, rww)
    assert sim.coupling == ('linear', {'a': 1.0, 'b': 0.0})
    assert 'values stated by the model' in sim.provenance[0]
    sim.set_coupling('scaling')
    assert sim.coupling == ('scaling', {'a': 0.00390625})
    assert dtb.Sim(atlas, dtb.Model('kuramoto')).coupling == ('linear', {'a': 0.00390625, 'b': 0.0})


def test_stored_callbacks_are_released_with_the_simulation():
    gc.collect()
    before = len(dtb._callbacks._table)
    sim = decay_sim()
    sim.record(kind='raw', callback=lambda t, v: None)
    assert len(dtb._callbacks._table) == before + 1
    del sim
    gc.collect()
    assert len(dtb._callbacks._table) == before


def test_atlas_from_arrays_round_trip():
    w = [[0.0, 1.0, 0.5], [2.0, 0.0, 0.0], [0.0, 0.25, 0.0]]
    atlas = dtb.Atlas.from_arrays(w, labels=['x', 'y', 'z'])
    assert atlas.n_regions == 3 and atlas.labels == ['x', 'y', 'z']
    assert [list(r) for r in atlas.weights] == w
    atlas.close()
    with pytest.raises(dtb.StateError):
        atlas.n_regions


# ------------------------------------------------------------------ spiking

def test_spiking_benchmark_statistics():
    net = dtb.SpikingNet.benchmark('cuba', 4000, seed=12345)
    net.run(1.0)
    # The seeded run pinned exactly, as tests/spiking/test_spiking.c pins it
    # (that test compares the statistics over seeds with NumPy and Brian2):
    # the former ranges (4.5-7 Hz, CV 0.42-0.65) passed CUBA with w_e x 1.1,
    # w_i x 0.9 or x 1.1, t_ref 2 ms or tau_e 4 ms; the counts change on each.
    assert (net.spike_count(0), net.spike_count(1)) == (17848, 4483)
    cv, cells = net.cv_isi(0)
    assert cells > 1000 and abs(cv - 0.52) < 0.05    # Brian2: 0.52
    cells_e, times_e = net.spikes(0)
    assert len(cells_e) == net.spike_count(0)
    assert all(times_e[i] <= times_e[i + 1] for i in range(len(times_e) - 1))
    assert abs(net.time - 1.0) < 1e-12


def test_spiking_build_drive_and_read(lists):
    net = dtb.SpikingNet(dt=1e-4, seed=3)
    assert 'lif' in dtb.SpikingNet.cell_models()
    e = net.add_population('E', 'lif', 50)
    assert net.population('E') == e and len(net) == 1
    r = net.add_receptor(e, 'ampa', 'exp', 'current', tau_decay=5e-3)
    net.set_param(e, 'tau_m', ('uniform', 15.0, 25.0))
    net.set_state(e, 'V', [-70.0 + 0.1 * i for i in range(50)])
    assert net.state(e, 'V')[1] == pytest.approx(-69.9)
    tau = net.param(e, 'tau_m')
    assert len(tau) == 50 and all(15.0 <= x < 25.0 for x in tau)
    assert net.connect(e, e, r, rule='fixed_indegree', indegree=5, weight=0.01, delay=1e-3) == 250
    assert net.synapse_count == 250
    drive = net.add_poisson(e, r, rate=0.0, weight=0.05)
    net.record(e)
    net.run(0.05)
    assert net.spike_count(e) == 0          # nothing drives them yet
    net.set_poisson_rate(drive, 4000.0)
    net.run(0.2)
    cells, times = net.spikes(e)
    assert len(cells) == net.spike_count(e) > 0
    assert min(times) > 0.05


def test_spiking_errors_leave_the_net_usable():
    net = dtb.SpikingNet()
    with pytest.raises(dtb.NotFound, match='nosuch'):
        net.add_population('x', 'nosuch', 3)
    p = net.add_population('x', 'izhikevich', 3)
    with pytest.raises(dtb.InvalidArgument):
        net.set_param(p, 'a', float('nan'))
    with pytest.raises(dtb.InvalidArgument):
        net.add_receptor(p, 'bad', 'biexp', tau_rise=5e-3, tau_decay=1e-3)
    with pytest.raises(dtb.InvalidArgument, match='distribution'):
        net.set_param(p, 'a', ('gamma', 1, 2))
    net.set_param(p, 'I_e', 10.0)
    net.record(p)
    net.run(0.1)
    assert net.spike_count(p) > 0
    with pytest.raises(dtb.StateError):
        net.add_population('y', 'lif', 2)


# ------------------------------------------------------- sweeps and fits

def oscillators(seconds):
    return dtb.Experiment(model='generic_2d_oscillator', duration=f'{seconds}s',
                          coupling='linear:a=0.0152', noise='1e-4', seed=3)


def test_experiment_settings_round_trip(tmp_path):
    exp = dtb.Experiment(model='generic_2d_oscillator', duration='50ms', set=['a=1.1', 'b=-1'],
                         noise_kind='sigma', fic=None)
    assert exp.get('noise-kind') == 'sigma'
    assert ('set', 'b=-1') in exp.settings
    path = str(tmp_path / 'e.xml')
    exp.save(path)
    again = dtb.Experiment(path)
    assert again.settings == exp.settings
    with pytest.raises(dtb.NotFound, match='unknown setting'):
        exp.add('no-such-setting', '1')
    with pytest.raises(dtb.InvalidArgument, match='speed'):
        exp.add('speed', '-3')


def test_sweep_threads_and_batches_agree(tmp_path):
    exp = oscillators(0.1)
    tables = []
    for jobs, batch in [(1, 1), (2, 0)]:
        sw = dtb.Sweep(exp, vary={'a': '0.9:1.1:3', 'coupling.a': [0.01, 0.03]},
                       scores=['mean-rate', 'stable'])
        seen = []
        sw.run(str(tmp_path / f'j{jobs}'), jobs=jobs, batch=batch,
               progress=lambda done, total: seen.append((done, total)))
        assert len(sw) == 6 and sw.names == ['a', 'coupling.a']
        assert sw.score_names == ['mean-rate', 'stable']
        assert sw.status == ['ok'] * 6
        assert seen[-1] == (6, 6)
        tables.append((sw.points, sw.scores))
    a, b = tables
    if np is not None:
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    with open(tmp_path / 'j1' / 'sweep.csv') as f:
        assert f.readline() == 'point,a,coupling.a,mean-rate,stable,status,seconds\n'


def test_sweep_point_is_a_run(tmp_path):
    exp = oscillators(0.05)
    exp.add('observe', 'tavg')
    sw = dtb.Sweep(exp, vary={'a': '1,1.2'}, scores='mean-rate')
    sw.run(str(tmp_path / 's'), keep_outputs=True)
    point = sw.point_experiment(1)
    assert point.get('set') == 'a=1.2'
    point.run(str(tmp_path / 'alone'))
    with open(tmp_path / 's' / 'points' / '0001' / 'tavg.csv') as f1, \
            open(tmp_path / 'alone' / 'tavg.csv') as f2:
        assert f1.read() == f2.read()


def test_sweep_errors_and_stop(tmp_path):
    exp = oscillators(0.05)
    with pytest.raises(dtb.InvalidArgument, match='A:B:N'):
        dtb.Sweep(exp, vary={'a': '1:2'})
    with pytest.raises(dtb.InvalidArgument, match='unknown kind'):
        dtb.Sweep(exp, vary={'a': '1,2'}, scores=['nope'])
    sw = dtb.Sweep(exp, vary={'nosuch': '1,2'}, scores=['mean-rate'])
    with pytest.raises(dtb.NotFound, match='nosuch'):
        sw.prepare()
    sw = dtb.Sweep(exp, vary={'a': '0.8:1.2:6'}, scores=['mean-rate'])
    with pytest.raises(dtb.Cancelled):
        sw.run(batch=1, progress=lambda done, total: done >= 2)
    assert sum(s is not None for s in sw.status) >= 2

    def boom(done, total):
        raise KeyError('from the callback')
    sw = dtb.Sweep(exp, vary={'a': '0.8:1.2:3'}, scores=['mean-rate'])
    with pytest.raises(KeyError, match='from the callback'):
        sw.run(progress=boom)


def test_fit_finds_the_generating_parameter(tmp_path):
    exp = oscillators(0.5)
    truth = dtb.Experiment(model='generic_2d_oscillator', duration='0.5s',
                           coupling='linear:a=0.0152', noise='1e-4', seed=3, set='a=1.1')
    sw = dtb.Sweep(truth, sample='random:1', scores='mean-rate')
    sw.run(same_seed=True)
    target = float(sw.scores[0][0])
    fit = dtb.Fit(exp, free={'a': (0.8, 1.4)}, scores='mean-rate',
                  objective=f'-abs(mean-rate - {target!r})', budget=30)
    fit.run(str(tmp_path / 'fit'), same_seed=True, jobs=2)
    assert abs(fit.best['a'] - 1.1) < 0.01
    assert fit.evaluations <= 30
    assert 'mean-rate' in fit.best_scores
    assert fit.best_experiment().get('seed') == '3'
    assert os.path.exists(tmp_path / 'fit' / 'best.xml')
    assert dtb.has_mpi() in (True, False)
