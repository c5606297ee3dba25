# SPDX-License-Identifier: GPL-3.0-or-later
"""Experiments built into a Sim, copied, read from strings; spiking regions
in a simulation; keyword options that do not exist."""
import math
import os

import pytest

import dtb

np = pytest.importorskip('numpy')

def test_experiment_from_string_copy_duration(tmp_path):
    path = tmp_path / 'e.xml'
    dtb.Experiment(atlas='bn246', duration='50ms', seed=3).save(str(path))
    text = path.read_text()
    e = dtb.Experiment.from_string(text, name='e.xml', base_dir=str(tmp_path))
    assert e.settings == dtb.Experiment(str(path)).settings
    assert e.duration == pytest.approx(0.05)
    c = e.copy()
    c.add('duration', '2s')
    assert c.duration == pytest.approx(2.0) and e.duration == pytest.approx(0.05)
    with pytest.raises(dtb.ParseError):
        dtb.Experiment.from_string('<experiment><setting', name='broken.xml')


def test_build_gives_the_run_of_experiment_run(tmp_path):
    e = dtb.Experiment(atlas='bn246', duration='20ms', seed=3, set=['G=0.2'])
    e.run(str(tmp_path / 'ran'))
    sim = e.build_sim(str(tmp_path / 'built'))   # Experiment.build(): test_built_experiment.py
    assert isinstance(sim, dtb.Sim) and sim.time == 0.0 and sim.n_regions == 246
    sim.run(e.duration)
    assert sim.time == pytest.approx(0.02)
    del sim   # the observers write their files when the simulation goes
    import gc
    gc.collect()
    ran = sorted(os.listdir(tmp_path / 'ran'))
    built = sorted(os.listdir(tmp_path / 'built'))
    data = [f for f in ran if f.endswith(('.csv', '.npy')) and f in built]
    assert data
    for f in data:
        assert (tmp_path / 'ran' / f).read_bytes() == (tmp_path / 'built' / f).read_bytes(), f


def test_misspelt_experiment_option_is_a_type_error():
    with pytest.raises(TypeError, match="'atlass'"):
        dtb.Experiment(atlass='bn246')
    with pytest.raises(dtb.InvalidArgument):
        dtb.Experiment(fic='yes')   # a known setting with a bad value stays the library's error


def test_spiking_region():
    atlas = dtb.Atlas.from_arrays([[0.0, 1.0], [1.0, 0.0]], labels=['m', 's'])
    sim = dtb.Sim(atlas, dtb.Model('reduced_wong_wang_exc_inh'), seed=1, speed=math.inf)
    assert sim.spiking_net is None and sim.spiking_regions == []
    with pytest.raises(TypeError, match="'background'"):
        sim.add_spiking_region('s', background=10.0)
    i = sim.add_spiking_region('s', n=200, background_hz=2000.0)
    assert i == 0
    (region, e, inh), = sim.spiking_regions
    assert region == 1
    net = sim.spiking_net
    assert sim.spiking_net is net
    net.close()                      # a view: closing it frees nothing
    net = sim.spiking_net
    assert net.population_size(e) + net.population_size(inh) == 200
    net.record(e)
    sim.record('raw', variables='S_e')
    tr = sim.run(0.05)
    cells, times = net.spikes(e)
    assert len(times) > 0 and times.max() <= 0.05 + 1e-12
    assert sim.spiking_rate(0) > 0.0
    with pytest.raises(IndexError):
        sim.spiking_rate(1)
    # the spiking region's S_e is its rate mapped into the state range, not the mass model's
    assert not np.array_equal(tr['S_e.1'], tr['S_e.0'])
    assert net.dt == sim.dt
    assert net.last_step_spikes(e) >= 0


def test_cell_tables_and_connect_list():
    params = dtb.SpikingNet.cell_params('lif')
    assert params and all(isinstance(u, str) for _, u in params.values())
    assert dtb.SpikingNet.cell_states('lif')
    with pytest.raises(dtb.NotFound):
        dtb.SpikingNet.cell_params('no_such_cell')
    net = dtb.SpikingNet(dt=1e-4, seed=1)
    a = net.add_population('A', 'lif', 3)
    rec = net.add_receptor(a, 'ampa', 'delta')
    net.connect_list(a, a, rec, [0, 1], [1, 2], [0.1, 0.2], [0.001, 0.002])
    assert net.synapse_count == 2
    with pytest.raises(dtb.InvalidArgument):
        net.connect_list(a, a, rec, [0, 1], [1], [0.1, 0.2])
    assert net.population_size('A') == 3


def test_spiking_region_of_a_neuroml_cell():
    shared = os.environ.get('DTB_SHARED_DATA',
                            os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'shared',
                                         'data'))
    core = os.path.join(shared, 'neuroml', 'NeuroML2', 'NeuroML2CoreTypes')
    cell = os.path.join(shared, 'neuroml', 'OSB-IzhikevichModel', 'NeuroML2', 'Izh2007One.net.nml')
    atlas = dtb.Atlas.from_arrays([[0.0, 1.0], [1.0, 0.0]], labels=['m', 's'])
    sim = dtb.Sim(atlas, dtb.Model('reduced_wong_wang_exc_inh'), seed=1, speed=math.inf)
    with pytest.raises(dtb.InvalidArgument, match='w_exc and w_inh'):
        sim.add_spiking_region_lems('s', cell, 'RS', include=[core], n=50)
    i = sim.add_spiking_region_lems('s', cell, 'RS', include=[core], n=100, w_exc=0.02,
                                    w_inh=0.08, background_hz=3000.0)
    assert i == 0
    (region, e, inh), = sim.spiking_regions
    net = sim.spiking_net
    net.record(e)
    sim.run(0.1)
    cells, times = net.spikes(e)
    assert len(times) > 0 and sim.spiking_rate(0) > 0.0
