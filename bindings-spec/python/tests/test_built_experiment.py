# SPDX-License-Identifier: GPL-3.0-or-later
"""Experiment.build() (a BuiltExperiment owning its Sim), the settings
vocabulary (setting_kind, parse_value), check_write, and
Sim.branch_from_checkpoint against the continued run, bit for bit."""
import gc
import math
import os

import pytest

import dtb

np = pytest.importorskip('numpy')


def _data_files(folder):
    out = {}
    for f in sorted(os.listdir(folder)):
        if f.endswith(('.csv', '.npy')):
            with open(os.path.join(folder, f), 'rb') as fh:
                out[f] = fh.read()
    return out


def test_built_run_writes_experiment_runs_files(tmp_path):
    e = dtb.Experiment(duration='20ms', seed=3, set=['G=0.2'], observe=['raw', 'tavg'],
                       format='npy')
    e.run(str(tmp_path / 'ran'))
    with e.build(str(tmp_path / 'built')) as built:
        assert isinstance(built, dtb.BuiltExperiment)
        assert built.out_dir == str(tmp_path / 'built') and os.path.isdir(built.out_dir)
        assert built.end_time == pytest.approx(0.02) and built.seed == 3
        assert built.is_default_twin and built.is_noisy
        assert built.checkpoint_path is None and built.spiking_spike_count is None
        sim = built.sim
        assert isinstance(sim, dtb.Sim) and sim is built.sim
        assert sim.time == 0.0 and sim.n_regions == built.atlas.n_regions
        assert built.atlas.labels == dtb.Atlas('bn246').labels
        assert built.model.states == ['S_e', 'S_i']   # the default twin's model
        outputs = built.outputs
        assert [os.path.basename(p) for _, p in outputs] == ['raw.npy', 'tavg.npy']
        assert [o.kind for o, _ in outputs] == ['raw', 'tavg']
        assert outputs[0][0].columns == [f'{v}.{k}' for v in ('S_e', 'S_i')
                                         for k in range(sim.n_regions)]
        fractions = []
        built.run(progress=lambda t, fraction: fractions.append(fraction) and False)
        assert sim.time == pytest.approx(0.02) and fractions[-1] == pytest.approx(1.0)
        assert outputs[0][0].sample_count == 200   # a raw row per 0.1 ms step
        with pytest.raises(dtb.StateError):
            built.run()
    ran, got = _data_files(tmp_path / 'ran'), _data_files(tmp_path / 'built')
    assert sorted(ran) == ['raw.npy', 'tavg.npy'] and got == ran
    assert os.path.exists(tmp_path / 'built' / 'provenance.json')
    # the borrowed Sim and observers die with their owner, without a crash
    with pytest.raises(dtb.StateError):
        sim.time
    with pytest.raises(dtb.StateError):
        outputs[0][0].sample_count


def test_the_sim_keeps_its_built_experiment_alive(tmp_path):
    sim = dtb.Experiment(duration='5ms', seed=1).build(str(tmp_path / 'o')).sim
    gc.collect()   # the BuiltExperiment has no other reference: the Sim holds it
    sim.run(0.002)
    assert sim.time == pytest.approx(0.002)
    sim.close()    # frees nothing (the BuiltExperiment owns it)
    with pytest.raises(dtb.StateError):
        sim.time
    del sim
    gc.collect()


def test_cancel_discard_and_refusals(tmp_path):
    e = dtb.Experiment(duration='50ms', seed=1)
    built = e.build(str(tmp_path / 'c'))
    with pytest.raises(dtb.Cancelled):
        built.run(progress=lambda t, fraction: t > 0.01)
    assert 0.01 <= built.sim.time < 0.05
    assert os.path.exists(tmp_path / 'c' / 'provenance.json')   # written after a cancel too
    built.close()
    built = e.build(str(tmp_path / 'd'))
    with pytest.raises(RuntimeError, match='boom'):
        built.run(progress=lambda t, fraction: (_ for _ in ()).throw(RuntimeError('boom')))
    built.close()
    built = e.build(str(tmp_path / 'e'))
    with pytest.raises(dtb.Cancelled):
        built.run(progress=lambda t, fraction: t > 0.005 and built.request_stop())
    assert built.sim.time < 0.05
    built.close()
    built = e.build(str(tmp_path / 'f'))
    sim = built.sim
    with pytest.raises(dtb.Cancelled):
        built.run(progress=lambda t, fraction: t > 0.005 and sim.request_stop())
    built.close()
    sim.request_stop()   # on a closed owner: nothing
    built = e.build(str(tmp_path / 'gone'))
    assert os.path.isdir(tmp_path / 'gone')
    built.discard()
    assert not os.path.exists(tmp_path / 'gone')
    with pytest.raises(dtb.StateError):
        built.seed
    # an extra file the caller will write is checked with the run's own
    with pytest.raises(dtb.InvalidArgument, match='--save-x'):
        e.build(str(tmp_path / 'x'), extra_setting='--save-x',
                extra_path=str(tmp_path / 'no' / 'such' / 'folder.xml'))
    assert not os.path.exists(tmp_path / 'x')   # nothing is left on disk


def test_built_model_has_the_settings_applied(tmp_path):
    e = dtb.Experiment(duration='5ms', model='generic_2d_oscillator', set=['a=1.7'])
    with e.build(str(tmp_path / 'm')) as built:
        assert not built.is_default_twin and not built.is_noisy
        model = built.model            # a copy of the model as built
        assert model.name == 'generic_2d_oscillator' and model['a'] == pytest.approx(1.7)
        model['a'] = 0.5               # the copy is the caller's own
        assert built.model['a'] == pytest.approx(1.7)
        built.sim.set_param('a', 0.5)  # the Sim is the one that will run
        assert built.sim.get_param('a')[0] == 0.5
        assert built.sim.set_state is not None and built.sim._states == model.states


def test_check_write(tmp_path):
    weights = tmp_path / 'w.txt'
    np.savetxt(weights, np.ones((2, 2)) - np.eye(2))
    e = dtb.Experiment(atlas=str(weights))
    e.check_write(str(tmp_path / 'states.npy'), 'save-states')
    dtb.check_write(str(tmp_path / 'states.npy'), 'save-states', others=[None, 'a.csv'])
    with pytest.raises(dtb.InvalidArgument, match='save-states'):
        e.check_write(str(weights), 'save-states')   # an input of the experiment
    with pytest.raises(dtb.InvalidArgument, match='states.npy'):
        dtb.check_write(str(tmp_path / 'states.npy'), 'save-states',
                        others=[str(tmp_path / 'states.npy')])
    with pytest.raises(dtb.InvalidArgument):
        dtb.check_write(str(tmp_path / 'missing' / 'states.npy'), 'save-states')


def test_settings_vocabulary():
    assert dtb.setting_kind('duration') == 'single'
    assert dtb.setting_kind('set') == 'repeat' and dtb.setting_kind('observe') == 'repeat'
    assert dtb.setting_kind('fic') == 'flag'
    assert dtb.setting_kind('noise-kind') == 'single'
    assert dtb.setting_kind('atlass') is None and dtb.setting_kind('') is None
    assert dtb.parse_value('time', '2s') == 2.0
    assert dtb.parse_value('time', '5') == pytest.approx(0.005)     # bare: milliseconds
    assert dtb.parse_value('time', '0.1ms') == pytest.approx(1e-4)
    assert dtb.parse_value('frequency', '0.1kHz') == pytest.approx(100.0)
    assert dtb.parse_value('speed', 'inf') == math.inf
    assert dtb.parse_value('number', '-1.5e3') == -1500.0
    with pytest.raises(dtb.InvalidArgument, match='abc'):
        dtb.parse_value('time', 'abc')
    with pytest.raises(dtb.InvalidArgument):
        dtb.parse_value('speed', '-3')
    with pytest.raises(dtb.InvalidArgument, match='known'):
        dtb.parse_value('colour', '1')
    # the misspelt-keyword check asks setting_kind, not the library's message
    with pytest.raises(TypeError, match="'noise_knd'"):
        dtb.Experiment(noise_knd='sigma')
    assert dtb.Experiment(noise_kind='sigma').get('noise-kind') == 'sigma'


def _twin(seed=1, dt=1e-4):
    atlas = dtb.Atlas.from_arrays([[0, 1, 0.5], [1, 0, 0.2], [0.5, 0.2, 0]],
                                  tract_lengths=[[0, 30, 60], [30, 0, 45], [60, 45, 0]])
    sim = dtb.Sim(atlas, dtb.Model('generic_2d_oscillator'), dt=dt, speed=3.0, seed=seed)
    sim.set_noise(1e-3)
    sim.record('raw')
    return sim


def test_branch_without_intervention_continues_the_run_bit_for_bit(tmp_path):
    ckpt = str(tmp_path / 'at20ms.ckpt')
    whole = _twin()
    whole.run(0.02)
    whole.save_checkpoint(ckpt)
    t_rest, rest = whole.run(0.02)
    branch = _twin(seed=99)   # the noise stream is the checkpoint's
    branch.branch_from_checkpoint(ckpt)
    assert branch.time == pytest.approx(0.02)
    t_b, x_b = branch.run(0.02)
    assert np.array_equal(t_b, t_rest) and np.array_equal(x_b, rest)
    assert any('branch' in line.lower() for line in branch.provenance)
    reseeded = _twin(seed=99)
    reseeded.branch_from_checkpoint(ckpt, reseed=True)
    _, x_r = reseeded.run(0.02)
    assert not np.array_equal(x_r, rest)   # its own noise from the branch point on
    with pytest.raises(dtb.StateError):
        whole.branch_from_checkpoint(ckpt)   # stepped already
    with pytest.raises(dtb.InvalidArgument, match='dt'):
        _twin(dt=5e-5).branch_from_checkpoint(ckpt)
