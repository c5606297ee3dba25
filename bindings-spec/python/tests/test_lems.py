# SPDX-License-Identifier: GPL-3.0-or-later
"""dtb.LemsDocument / dtb.LemsSimulation: a NeuroML file run from Python
writes the files `dtb lems` writes for it, byte for byte; describe() is
`dtb check`'s report; progress, cancellation and errors."""
import os
import subprocess

import pytest

import dtb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', '..', '..')
CLI = os.environ.get('DTB_CLI')
SHARED = os.environ.get('DTB_SHARED_DATA', os.path.join(ROOT, '..', 'shared', 'data'))
CORE = os.path.join(SHARED, 'neuroml', 'NeuroML2', 'NeuroML2CoreTypes')
DATA = os.environ.get('DTB_TEST_DATA', os.path.join(ROOT, 'tests', 'data'))
SPIKES = os.path.join(DATA, 'lems_ok', 'spike_events.xml')

pytestmark = pytest.mark.skipif(not os.path.isdir(CORE),
                                reason=f'no NeuroML core types at {CORE}')


def _files(folder):
    out = {}
    for f in sorted(os.listdir(folder)):
        with open(os.path.join(folder, f), 'rb') as fh:
            out[f] = fh.read()
    return out


def test_run_writes_what_dtb_lems_writes(tmp_path):
    if not CLI:
        pytest.skip('DTB_CLI not set (meson sets it)')
    subprocess.run([CLI, 'lems', SPIKES, '-I', CORE, '--out', str(tmp_path / 'cli'),
                    '--seed', '5', '--quiet'], check=True)
    doc = dtb.LemsDocument(SPIKES, include_dirs=[CORE])
    with dtb.LemsSimulation(doc, seed=5) as sim:
        doc.close()   # the simulation keeps the document
        assert sim.dt == pytest.approx(2.5e-5, rel=1e-12)
        assert sim.step_count == 8000 and sim.instance_count >= 2
        assert sim.outputs == [('file', 'v.dat', 2), ('events', 'spikes.dat', 0)]
        assert sim.outputs[1].kind == 'events'
        sim.open_outputs(str(tmp_path / 'py'))
        with pytest.raises(dtb.StateError):
            sim.open_outputs(str(tmp_path / 'py'))
        calls = []
        sim.run(progress=lambda t, fraction: calls.append(fraction) and False)
        assert sim.row_count == 8001 and calls and calls[-1] == pytest.approx(1.0)
        with pytest.raises(dtb.StateError, match='has run already'):
            sim.run()
    py, cli = _files(tmp_path / 'py'), _files(tmp_path / 'cli')
    assert sorted(py) == ['spikes.dat', 'v.dat'] and py == cli
    assert len(py['v.dat'].splitlines()) == 8001 and py['spikes.dat'].strip()


def test_describe_is_dtb_checks_report():
    doc = dtb.LemsDocument(SPIKES, include_dirs=CORE)
    text = doc.describe()
    assert text.startswith(SPIKES + ': valid (') and 'izhikevich2007Cell' in text
    everything = doc.describe(all=True)
    assert len(everything) > len(text) and 'izhikevich2007Cell' in everything
    if CLI:
        # dtb check prints the same report (and a hint at --all)
        out = subprocess.run([CLI, 'check', SPIKES, '-I', CORE], capture_output=True, text=True,
                             check=True)
        assert out.stdout == text + '(dtb check --all lists them)\n'
        out = subprocess.run([CLI, 'check', '--all', SPIKES, '-I', CORE], capture_output=True,
                             text=True, check=True)
        assert out.stdout == everything


def test_cancel_and_errors(tmp_path):
    doc = dtb.LemsDocument(SPIKES, [CORE])
    sim = dtb.LemsSimulation(doc)
    sim.open_outputs(str(tmp_path))
    with pytest.raises(dtb.Cancelled):
        sim.run(progress=lambda t, fraction: t > 0.01)
    rows = sim.row_count
    assert 0 < rows < 8001
    assert len((tmp_path / 'v.dat').read_text().splitlines()) == rows   # whole rows reach the file
    sim.close()
    sim = dtb.LemsSimulation(doc)
    with pytest.raises(ZeroDivisionError):
        sim.run(progress=lambda t, fraction: 1 / 0)
    assert sim.row_count == 1   # stopped after the first row
    sim = dtb.LemsSimulation(doc)
    with pytest.raises(dtb.Cancelled):
        sim.run(progress=lambda t, fraction: sim.request_stop())
    assert sim.row_count < 8001
    with pytest.raises(TypeError, match="'sead'"):
        dtb.LemsSimulation(doc, sead=1)
    with pytest.raises(dtb.Error, match='nope'):
        dtb.LemsSimulation(doc, simulation='nope')
    with pytest.raises(dtb.NotFound):
        dtb.LemsDocument(str(tmp_path / 'missing.xml'))
    broken = tmp_path / 'broken.xml'
    broken.write_text('<Lems><ComponentType name="x">\n')
    with pytest.raises(dtb.ParseError, match='broken.xml'):
        dtb.LemsDocument(str(broken))


def test_warnings_order_and_method(tmp_path):
    alias = dtb.LemsDocument(os.path.join(DATA, 'lems_ok', 'derived_state_alias.xml'))
    (w,) = alias.warnings
    assert "derived_state_alias.xml:16: <DerivedVariable name='S'>" in w
    doc = dtb.LemsDocument(SPIKES, [CORE])
    assert doc.warnings == []
    # jLEMS' order is the default; pylems' order and the other methods run too
    texts = {}
    for name, opts in [('default', {}), ('jlems', {'order': 'jlems'}), ('pylems', {'order': 'pylems'}),
                       ('rk4', {'method': 'rk4'}), ('rkf45', {'method': 'rkf45', 'rtol': 1e-9})]:
        with dtb.LemsSimulation(doc, seed=5, **opts) as sim:
            sim.open_outputs(str(tmp_path / name))
            sim.run()
        texts[name] = (tmp_path / name / 'v.dat').read_text()
    assert texts['default'] == texts['jlems'] != texts['pylems']
    assert len(texts['rk4'].splitlines()) == len(texts['rkf45'].splitlines()) == 8001
    with pytest.raises(ValueError, match='jlems'):
        dtb.LemsSimulation(doc, order='nest')
    with pytest.raises(ValueError, match='rk4'):
        dtb.LemsSimulation(doc, method='midpoint')
    with pytest.raises(dtb.InvalidArgument, match='rtol'):
        dtb.LemsSimulation(doc, method='rkf45', rtol=-1)
