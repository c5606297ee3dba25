# SPDX-License-Identifier: GPL-3.0-or-later
"""Simulation controls beyond a plain run (dtb_sim(3)): noise kinds and
per-region noise, parameters read back and scheduled, coupling
expressions, lesions and speed, state, FIC, checkpoints, observers of
BOLD/FC/FCD/PSD/EEG."""
import math

import pytest

import dtb

np = pytest.importorskip('numpy')

W3 = [[0.0, 1.0, 0.5], [1.0, 0.0, 0.2], [0.5, 0.2, 0.0]]


def osc(seed=1, atlas=None, **kw):
    atlas = atlas or dtb.Atlas.from_arrays(W3, tract_lengths=[[0, 30, 60], [30, 0, 90],
                                                                [60, 90, 0]],
                                           labels=['x', 'y', 'z'])
    return dtb.Sim(atlas, dtb.Model('generic_2d_oscillator'), seed=seed, **kw)


def raw(sim, duration=0.02):
    sim.record('raw', variables='V')
    return sim.run(duration).values


def test_noise_kinds():
    quiet = raw(osc())
    noisy = osc()
    noisy.set_noise(1e-3)
    a = raw(noisy)
    assert not np.array_equal(a, quiet)
    sigma = osc()
    sigma.set_noise_kind('sigma')
    sigma.set_noise(1e-3)
    assert not np.array_equal(raw(sigma), a)        # D means another thing
    coloured = osc()
    coloured.set_noise_kind('coloured', tau=0.01)
    coloured.set_noise(1e-3)
    assert not np.array_equal(raw(coloured), a)
    with pytest.raises(dtb.InvalidArgument):
        osc().set_noise_kind('sigma', 5.0)          # tau means nothing there (issue 14 item 5)
    with pytest.raises(dtb.InvalidArgument):
        osc().set_noise_kind('coloured', 0.0)
    zero = osc()
    zero.set_noise(1e-3)
    zero.scale_noise(0.0)
    assert np.array_equal(raw(zero), quiet)


def test_noise_per_region_and_state():
    # uncoupled: noise in region 1 only changes region 1
    base = osc()
    base.set_coupling('linear', a=0.0)
    quiet = raw(base)
    sim = osc()
    sim.set_coupling('linear', a=0.0)
    sim.set_noise([0.0, 1e-3, 0.0], state='V')
    x = raw(sim)
    assert np.array_equal(x[:, [0, 2]], quiet[:, [0, 2]]) and not np.array_equal(x[:, 1], quiet[:, 1])
    with pytest.raises(dtb.InvalidArgument):
        sim.set_noise([1e-3, 0.0], state='V')       # one per region
    with pytest.raises(dtb.NotFound):
        sim.set_noise(1e-3, state='Q')


def test_parameters_read_and_scheduled():
    sim = osc()
    sim.set_param('a', [1.0, 2.0, 3.0])
    assert list(sim.get_param('a')) == [1.0, 2.0, 3.0]
    sim.schedule_param(0.005, 'I', 0.5)
    sim.schedule_param(0.010, 'I', [0.1, 0.2, 0.3])
    sim.run_to(0.0049)
    assert list(sim.get_param('I')) == [0.0] * 3
    sim.run_to(0.0071)
    assert list(sim.get_param('I')) == [0.5] * 3
    sim.run_to(0.02)
    assert list(sim.get_param('I')) == [0.1, 0.2, 0.3]
    assert abs(sim.time - 0.02) < 1e-12
    assert any('0.005' in line or 'schedul' in line for line in sim.provenance)


def test_coupling_expression_equals_linear():
    lin = osc()
    lin.set_coupling('linear', a=0.1)
    expr = osc()
    expr.set_coupling_expressions('x_j', 'a * gx', a=0.1)
    assert expr.coupling[0] == 'expression'
    assert np.allclose(raw(lin), raw(expr), rtol=1e-12, atol=1e-12)


def test_load_coupling(tmp_path):
    path = tmp_path / 'coupling.xml'
    path.write_text('<Lems><CouplingFunction pre="x_j" post="a * gx">'
                    '<Parameter name="a" value="0.1"/></CouplingFunction></Lems>')
    lin = osc()
    lin.set_coupling('linear', a=0.1)
    sim = osc()
    sim.load_coupling(str(path))
    assert np.allclose(raw(lin), raw(sim), rtol=1e-12, atol=1e-12)
    fresh = osc()
    assert np.array_equal(fresh.coupling_input, np.zeros((1, 3)))   # before the first step
    assert sim.coupling_input.shape == (1, 3) and sim.coupling_input.any()


def test_misspelt_coupling_parameter():
    sim = osc()
    sim.set_coupling('linear', a=0.3)
    with pytest.raises(TypeError, match="'aa'"):
        sim.set_coupling('sigmoidal', aa=1.0)
    assert sim.coupling == ('linear', {'a': 0.3, 'b': 0.0})   # unchanged


def test_lesion_and_speed():
    atlas = dtb.Atlas.from_arrays(W3, tract_lengths=[[0, 30, 60], [30, 0, 90], [60, 90, 0]],
                                  labels=['x', 'y', 'z'])
    cut = atlas.copy().lesion('y')
    a = osc(atlas=cut)
    b = osc(atlas=atlas)
    b.lesion('y')
    assert np.array_equal(raw(a), raw(b))
    c = osc(atlas=atlas)
    c.scale_connections('x', ['y', 'z'], 0.0)
    c.scale_connections(['y', 'z'], 'x', 0.0)
    d = osc(atlas=atlas.copy().lesion('x'))
    assert np.array_equal(raw(c), raw(d))
    s = osc(speed=3.0)
    assert s.delays[2, 1] == round(90e-3 / 3.0 / s.dt) and s.horizon == s.delays.max() + 1
    s.set_speed(math.inf)
    assert not s.delays.any() and s.horizon == 1


def test_state_control():
    sim = osc()
    x0 = [[0.1, 0.2, 0.3], [-0.1, -0.2, -0.3]]
    sim.set_initial_state(x0)
    assert np.array_equal(sim.state, np.array(x0))
    sim.set_initial_value('W', 0.5)
    assert list(sim.state[1]) == [0.5] * 3
    sim.step(3)
    with pytest.raises(dtb.StateError):
        sim.set_initial_state(x0)
    sim.set_state(x0)
    assert np.array_equal(sim.state, np.array(x0))
    with pytest.raises(dtb.InvalidArgument):
        sim.set_state([[0.0] * 3])


def test_checkpoint_continues_bit_identically(tmp_path):
    def make():
        s = osc(seed=7)
        s.set_noise(1e-3)
        s.schedule_param(0.015, 'I', 0.2)
        return s
    whole = make()
    whole.record('raw', variables='V')
    whole.run(0.01)
    rest = whole.run(0.01).values
    first = make()
    first.record('raw', variables='V')
    first.run(0.01)
    ck = str(tmp_path / 'ck.bin')
    first.save_checkpoint(ck)
    again = make()
    again.record('raw', variables='V')
    again.load_checkpoint(ck)
    assert again.time == pytest.approx(0.01)
    assert np.array_equal(again.run(0.01).values, rest)
    (tmp_path / 'bad.bin').write_bytes(b'not a checkpoint')
    with pytest.raises(dtb.Error):
        make().load_checkpoint(str(tmp_path / 'bad.bin'))


def test_fic():
    atlas = dtb.Atlas('bn246')
    sim = dtb.Sim(atlas, dtb.Model('reduced_wong_wang_exc_inh'), seed=1)
    with pytest.raises(dtb.StateError):
        sim.fic_stability()
    J = sim.apply_fic(-0.026)
    assert J.shape == (246,) and (J > 0).all() and len(set(J.round(12))) > 1
    # at the fixed point the excitatory input sits 0.026 nA below threshold
    # (b_e/a_e): a noise-free step keeps the state where FIC put it
    x0 = sim.state
    sim.step(10)
    assert np.allclose(sim.state, x0, atol=1e-6)
    assert math.isfinite(sim.fic_stability())
    with pytest.raises(dtb.InvalidArgument):
        osc().apply_fic()


def test_bold_constants_and_fc_of_bold_with_transient():
    def run(bold_model):
        sim = dtb.Sim(dtb.Atlas('bn246'), dtb.Model('generic_2d_oscillator'), seed=2)
        sim.set_noise(1e-3)
        b = sim.record('bold', period=0.1, variables='V', bold_model=bold_model)
        fc = sim.record('fc', source='bold', period=0.1, variables='V', bold_model=bold_model,
                        skip=0.5)
        tr = sim.run(2.0)      # the first memory observer's samples: b's
        assert b.kind == 'bold' and fc.kind == 'fc'
        return tr, fc.result()
    tr3, fc3 = run('friston2003')
    tr0, _ = run('friston2000')
    assert tr3.values.shape == (20, 246) and not np.array_equal(tr3.values, tr0.values)
    keep = tr3.t >= 0.5
    assert np.allclose(fc3, dtb.analysis.fc(tr3.values[keep]), atol=1e-12, equal_nan=True)
    assert not np.allclose(fc3, dtb.analysis.fc(tr3.values), atol=1e-6, equal_nan=True)


def test_psd_fcd_and_eeg_observers():
    sim = dtb.Sim(dtb.Atlas('bn246'), dtb.Model('generic_2d_oscillator'), seed=3,
                  speed=math.inf)
    sim.set_noise(0.01)
    sim.record('tavg', period=0.01, variables='V')
    psd = sim.record('psd', source='tavg', period=0.01, variables='V', window=0.64)
    fcd = sim.record('fcd', source='tavg', period=0.01, variables='V', window=0.2,
                     window_step=0.1)
    gain = dtb.eeg_gain(dtb.Atlas('bn246'))
    eeg = sim.record('projection', period=0.01, variables='V', gain=gain)
    t, x = sim.run(1.0)
    assert (psd.kind, fcd.kind, eeg.kind) == ('psd', 'fcd', 'projection')
    P = psd.result()
    f, p = dtb.analysis.psd(x, 0.01, segment=64)
    assert np.array_equal(P[:, 0], f) and np.allclose(P[:, 1:], p, rtol=1e-12, atol=0)
    assert np.allclose(fcd.result(), dtb.analysis.fcd(x, 0.01, window=0.2, step=0.1),
                       atol=1e-12)
    e = eeg.read()
    assert e.values.shape == (100, 21)
    assert np.allclose(e.values, tavg_projection(x, gain), rtol=1e-9, atol=1e-18)
    with pytest.raises(dtb.StateError):
        sim._observers[0].result()
    with pytest.raises(dtb.InvalidArgument):
        sim.record('projection', gain=[[1.0, 2.0]])


def tavg_projection(x, gain):
    return x @ np.asarray(gain).T


def test_lists_without_numpy(lists):
    sim = osc(integrator='rk4')
    assert sim.integrator == 'rk4'
    sim.set_param('a', [1.0, 2.0, 3.0])
    assert sim.get_param('a') == [1.0, 2.0, 3.0]
    assert isinstance(sim.delays, list) and sim.delays[0][0] == 0
    sim.set_initial_state([[0.1, 0.2, 0.3], [0.0, 0.0, 0.0]])
    assert sim.state == [[0.1, 0.2, 0.3], [0.0, 0.0, 0.0]]
    sim.record('raw', variables='V')
    fc = sim.record('fc', variables='V')
    tr = sim.run(0.01)
    assert isinstance(tr.values, list) and len(tr['V.2']) == len(tr)
    r = fc.result()
    assert isinstance(r, list) and r[0][0] == pytest.approx(1.0)


def test_model_name_option_reaches_the_loader():
    with pytest.raises(dtb.NotFound, match="'nope'"):
        dtb.Model.from_xml('<Lems><ComponentType name="x"/></Lems>', model_name='nope')


def test_stimulus_callback_released_with_its_last_copy():
    import gc
    before = len(dtb._callbacks._table)
    stim = dtb.Stimulus('I').callback(lambda t: 0.0)
    sim = osc()
    sim.add_stimulus(stim)
    assert len(dtb._callbacks._table) == before + 1
    stim.close()
    assert len(dtb._callbacks._table) == before + 1   # the simulation's copy holds it
    sim.close()
    gc.collect()
    assert len(dtb._callbacks._table) == before
