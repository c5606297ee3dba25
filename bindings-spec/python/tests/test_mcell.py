# SPDX-License-Identifier: GPL-3.0-or-later
"""dtb.MCell: the ball-and-stick cell of tests/data/mcell from Python gives
the traces the C API gives (the same calls), spikes under a strong clamp,
rests without one; bad files and calls raise naming what is wrong."""
import os

import pytest

import dtb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', '..', '..')
DATA = os.environ.get('DTB_TEST_DATA', os.path.join(ROOT, 'tests', 'data'))
BALL = os.path.join(DATA, 'mcell', 'ball_and_stick.nml')


def _crossings(v):
    return sum(1 for a, b in zip(v[:-1], v[1:]) if a < 0 <= b)


def test_ball_and_stick_spikes_and_rests():
    with dtb.MCell(BALL, 'bs_cell', nseg=9) as cell:
        assert cell.segment_count == 2
        assert cell.nseg == 9
        assert cell.compartment_count == 18
        cell.add_current_clamp(0, 0.5, delay=20, duration=100, amplitude=0.3)
        v = cell.add_recording(0, 0.5, 'v')
        m = cell.add_recording(0, 0.5, 'naChans/m')
        end = cell.add_recording(1, 1.0)
        cell.run(200, 0.025)
        assert cell.trace_length == 8001
        soma = list(cell.trace(v))
        assert soma[0] == -65
        assert _crossings(soma) == 8          # as NEURON (tests/mcell)
        spikes = list(cell.spike_times())
        assert len(spikes) == 8 and 20 < spikes[0] < spikes[-1] < 120
        gate = list(cell.trace(m))
        assert 0 < min(gate) and max(gate) < 1
        assert max(cell.trace(end)) < max(soma)
    with dtb.MCell(BALL) as rest:             # the file's only cell, d_lambda
        rest.nseg = 0
        assert rest.compartment_count == 1 + 13   # the soma 1, the 500 um dendrite 13
        v = rest.add_recording(0, 0.5)
        rest.run(50, 0.025)
        assert _crossings(list(rest.trace(v))) == 0


def test_bad_files_and_calls(tmp_path):
    bad = tmp_path / 'cycle.nml'
    bad.write_text('<neuroml><cell id="c"><morphology id="m">\n'
                   '<segment id="0"><parent segment="1"/><distal x="1" y="0" z="0" diameter="1"/></segment>\n'
                   '<segment id="1"><parent segment="0"/><distal x="2" y="0" z="0" diameter="1"/></segment>\n'
                   '</morphology></cell></neuroml>\n')
    with pytest.raises(dtb.ParseError, match=r"cycle\.nml:2: <segment id='0'>.*cycle"):
        dtb.MCell(str(bad))
    with dtb.MCell(BALL, 'bs_cell') as cell:
        with pytest.raises(dtb.NotFound, match='no segment 7'):
            cell.add_recording(7, 0.5)
        with pytest.raises(dtb.NotFound, match="has no gate 'q'"):
            cell.add_recording(0, 0.5, 'naChans/q')
        with pytest.raises(dtb.InvalidArgument):
            cell.add_current_clamp(0, 2.0, 0, 1, 1)
        with pytest.raises(dtb.InvalidArgument):
            cell.run(10, 0)
        with pytest.raises(ValueError, match='crank_nicolson'):
            cell.method = 'rk4'
        with pytest.raises(dtb.InvalidArgument):
            cell.temperature = float('nan')


def test_temperature():
    """branched.nml's gates have q10ExpTemp settings and the file no
    <network temperature>: a run needs one."""
    with dtb.MCell(os.path.join(DATA, 'mcell', 'branched.nml')) as cell:
        assert cell.temperature is None
        with pytest.raises(dtb.StateError, match='set the temperature'):
            cell.run(1, 0.025)
        cell.temperature = 6.3
        cell.run(1, 0.025)
        assert cell.trace_length == 41


def test_crank_nicolson_is_close_to_backward_euler():
    """Two first-or-second order methods of one cell at a small step agree
    on the spikes (the tests in C compare each with NEURON)."""
    counts = []
    for method in ('backward_euler', 'crank_nicolson'):
        with dtb.MCell(BALL, nseg=9, method=method) as cell:
            assert cell.method == method
            cell.add_current_clamp(0, 0.5, 20, 100, 0.3)
            v = cell.add_recording(0, 0.5)
            cell.run(200, 0.01)
            counts.append(_crossings(list(cell.trace(v))))
    assert counts[0] == counts[1] == 8
