# SPDX-License-Identifier: GPL-3.0-or-later
"""Stimuli (dtb_stimulus(3)): shapes, patterns, callbacks, added to a Sim."""
import math

import pytest

import dtb

np = pytest.importorskip('numpy')


def test_shapes_and_values():
    s = dtb.Stimulus('I').add('pulse', onset=0.1, width=0.05, amplitude=2.0)
    assert s.target == 'I'
    assert s.value(0.099) == 0.0 and s.value(0.1) == 2.0 and s.value(0.16) == 0.0
    s.add('step', onset=0.2, amplitude=1.0)           # shapes add up
    assert s.value(0.12) == 2.0 and s.value(0.3) == 1.0
    assert list(s.value([0.0, 0.12, 0.3])) == [0.0, 2.0, 1.0]
    t = dtb.Stimulus('I').table([0.0, 1.0], [0.5, 2.0], [3.0, 4.0])
    assert (t.value(0.25), t.value(0.75), t.value(1.5)) == (3.0, 0.0, 4.0)
    w = dtb.Stimulus('I').waveform([0.0, 1.0], [0.0, 10.0])
    assert w.value(0.25) == pytest.approx(2.5) and w.value(2.0) == 0.0
    win = dtb.Stimulus('I').add('step', onset=0.0).window(0.5, 1.0)
    assert (win.value(0.4), win.value(0.6), win.value(1.0)) == (0.0, 1.0, 0.0)
    sine = dtb.Stimulus('I').add('sine', frequency=10.0, amplitude=1.0)
    assert sine.value(0.025) == pytest.approx(math.sin(2 * math.pi * 10 * 0.025))
    with pytest.raises(TypeError, match="'widht'.*it has: onset, width"):
        dtb.Stimulus('I').add('pulse', onset=0.1, widht=0.05)
    with pytest.raises(dtb.Error):
        dtb.Stimulus('I').add('no_such_shape')


def run(stim=None, seconds=0.02, pattern=None):
    atlas = dtb.Atlas.from_arrays([[0.0] * 3] * 3, centres=[[0, 0, 0], [50, 0, 0], [0, 80, 0]],
                                  labels=['a_L', 'b_L', 'c_R'])
    sim = dtb.Sim(atlas, dtb.Model("generic_2d_oscillator"), seed=1, speed=math.inf)
    if stim is not None:
        sim.add_stimulus(stim)
        assert sim.stimulus_count == 1
    sim.record('raw', variables='V')
    return sim.run(seconds).values


def test_spatial_patterns():
    quiet = run()

    def touched(stim):
        return [not np.array_equal(c, q) for c, q in zip(run(stim).T, quiet.T)]
    assert touched(dtb.Stimulus('I').add('step', onset=0.0)) == [True, True, True]
    assert touched(dtb.Stimulus('I').add('step', onset=0.0).regions([1])) == [False, True, False]
    assert touched(dtb.Stimulus('I').add('step', onset=0.0).labels('*_L')) == [True, True, False]
    assert touched(dtb.Stimulus('I').add('step', onset=0.0).weights([0, 0, 2.0])) == \
        [False, False, True]
    g = run(dtb.Stimulus('I').add('step', onset=0.0).gaussian([0, 0, 0], 10.0))
    assert not np.array_equal(g[:, 0], quiet[:, 0])
    with pytest.raises(dtb.NotFound):
        run(dtb.Stimulus('I').labels('nowhere_*'))
    with pytest.raises(dtb.NotFound):
        run(dtb.Stimulus('no_such_target'))


def test_callback_stimulus():
    calls = []

    def f(t):
        calls.append(t)
        return 1.0 if t >= 0.01 else 0.0
    by_callback = run(dtb.Stimulus('I').callback(f))
    by_shape = run(dtb.Stimulus('I').add('step', onset=0.01))
    assert calls and np.array_equal(by_callback, by_shape)

    def bad(t):
        raise RuntimeError('stimulus went wrong')
    with pytest.raises(RuntimeError, match='stimulus went wrong'):
        run(dtb.Stimulus('I').callback(bad))


def test_a_stimulus_is_copied_into_the_sim():
    stim = dtb.Stimulus('I').add('step', onset=0.0)
    atlas = dtb.Atlas.from_arrays([[0.0]])
    sim = dtb.Sim(atlas, dtb.Model("generic_2d_oscillator"), seed=1, speed=math.inf)
    sim.add_stimulus(stim)
    stim.add('step', onset=0.0, amplitude=100.0)   # not seen by sim
    sim.record('raw', variables='V')
    a = sim.run(0.01).values
    assert np.array_equal(a, run_single(dtb.Stimulus('I').add('step', onset=0.0)))
    stim.close()


def run_single(stim):
    sim = dtb.Sim(dtb.Atlas.from_arrays([[0.0]]), dtb.Model("generic_2d_oscillator"), seed=1, speed=math.inf)
    sim.add_stimulus(stim)
    sim.record('raw', variables='V')
    return sim.run(0.01).values
