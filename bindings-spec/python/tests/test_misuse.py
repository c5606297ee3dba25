# SPDX-License-Identifier: GPL-3.0-or-later
"""Misuse from Python that once corrupted memory (issue 13, class 5):
arrays of the wrong shape, closing a Sim from its own callbacks or from
another thread during a run, two threads running one Sim, a run started
from inside a run. Each must raise a dtb error or wait, never crash; the
suite also runs these under AddressSanitizer (meson test --suite faults in
build-asan). HOSTILE counts the inputs tried (README's figure)."""
import os
import threading
import time

import pytest

import dtb

HOSTILE = 0


def hostile(n=1):
    global HOSTILE
    HOSTILE += n


def small_atlas(n=4):
    w = [[0.0 if i == j else 0.1 for j in range(n)] for i in range(n)]
    tl = [[0.0 if i == j else 10.0 for j in range(n)] for i in range(n)]
    return dtb.Atlas.from_arrays(w, tl)


def small_sim():
    return dtb.Sim(small_atlas(), dtb.Model('generic_2d_oscillator'), dt=1e-4)


@pytest.mark.parametrize('numpy', [True, False])
def test_from_arrays_shapes(numpy):
    previous = dtb.use_numpy(numpy) if numpy else dtb.use_numpy(False)
    try:
        w = [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
        bad = [
            dict(weights=w, tract_lengths=[1.0, 2.0]),                  # too few lengths
            dict(weights=w, tract_lengths=[[1.0] * 3] * 2),             # 2 x 3
            dict(weights=w, centres=[[0.0, 0.0, 0.0]]),                 # one centre of three
            dict(weights=w, centres=[[0.0, 0.0]] * 3),                  # 3 x 2
            dict(weights=w, centres=[0.0] * 8),                         # 8 numbers, not 9
            dict(weights=[[0.0, 1.0], [1.0]]),                          # ragged
            dict(weights=[[0.0, 1.0, 2.0], [1.0, 0.0, 2.0]]),           # 2 x 3
            dict(weights=[0.0] * 5),                                    # not a square count
            dict(weights=[]),                                           # no regions
            dict(weights=w, labels=['a', 'b']),                         # two labels of three
            dict(weights=w, labels=['a', 'b', 3]),                      # not a string
            dict(weights=[['x', 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]),   # not numbers
            dict(weights=w, tract_lengths=[[1.0, [2.0], 3.0]] * 3),     # nested deeper
            dict(weights=w, labels=['a', 'b', 'c\x1b[31m']),            # control character
        ]
        for kwargs in bad:
            hostile()
            with pytest.raises(dtb.InvalidArgument):
                dtb.Atlas.from_arrays(**kwargs)
        # the right shapes still work, flat or nested
        a = dtb.Atlas.from_arrays(w, [x for row in w for x in row], [0.0] * 9, ['a', 'b', 'c'])
        assert a.n_regions == 3 and a.labels == ['a', 'b', 'c']
    finally:
        dtb.use_numpy(previous)


def test_close_from_own_progress_callback():
    sim = small_sim()
    calls = []

    def progress(t, fraction):
        calls.append(t)
        sim.close()   # raises StateError inside the callback: the run stops

    hostile()
    with pytest.raises(dtb.StateError):
        sim.run(0.01, progress=progress)
    assert calls
    assert sim.time > 0          # still usable
    sim.close()
    with pytest.raises(dtb.StateError):
        sim.time                 # closed now


def test_close_from_observer_callback():
    sim = small_sim()
    sim.record('tavg', period=1e-3, callback=lambda t, row: sim.close())
    hostile()
    with pytest.raises(dtb.StateError):
        sim.run(0.01)
    sim.close()


def test_run_from_own_callback():
    sim = small_sim()
    hostile(2)
    with pytest.raises(dtb.StateError):
        sim.run(0.01, progress=lambda t, f: sim.run(0.01))
    with pytest.raises(dtb.StateError):
        sim.run(0.01, progress=lambda t, f: sim.step(3))
    sim.run(0.001)   # usable afterwards
    sim.close()


def test_close_from_another_thread_waits():
    sim = small_sim()
    started = threading.Event()
    result = {}

    def progress(t, fraction):
        started.set()
        time.sleep(0.001)

    def runner():
        try:
            result['trace'] = sim.run(0.05, progress=progress)
        except Exception as e:  # pragma: no cover - the failure to report
            result['error'] = e

    th = threading.Thread(target=runner)
    th.start()
    started.wait(10)
    hostile()
    sim.close()          # waits for the run
    th.join()
    assert 'error' not in result, result.get('error')
    assert len(result['trace'].t) == 50
    with pytest.raises(dtb.StateError):
        sim.run(0.01)


def test_two_threads_run_one_sim():
    sim = small_sim()
    obs = sim.record('raw')
    errors = []

    def runner():
        try:
            for _ in range(5):
                sim.run(0.002)
                obs.read()
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=runner) for _ in range(3)]
    hostile(3)
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert sim.step_index == 3 * 5 * 20
    sim.close()


def test_request_stop_and_close_race():
    sim = small_sim()
    started = threading.Event()
    out = {}

    def runner():
        try:
            sim.run(100.0, progress=lambda t, f: started.set())
        except dtb.Cancelled:
            out['cancelled'] = True

    th = threading.Thread(target=runner)
    th.start()
    started.wait(10)
    hostile(2)
    sim.request_stop()    # never waits
    sim.close()           # waits for the run to end
    th.join()
    assert out.get('cancelled')
    sim.request_stop()    # on a closed Sim: nothing happens
    sim.close()


def test_closed_handles():
    atlas = small_atlas()
    model = dtb.Model('generic_2d_oscillator')
    atlas.close()
    hostile(3)
    with pytest.raises(dtb.StateError):
        dtb.Sim(atlas, model)
    with pytest.raises(dtb.StateError):
        atlas.labels
    model.close()
    with pytest.raises(dtb.StateError):
        model['a']


def test_sweep_progress_from_worker_thread():
    data = os.environ.get('DTB_TEST_DATA')
    exp = dtb.Experiment(model='generic_2d_oscillator', duration='20ms')
    sw = dtb.Sweep(exp, vary={'a': '0.5:1.5:4'}, scores=['stable'])
    seen = []

    def progress(done, total):
        try:
            sw.status
        except dtb.StateError as e:
            seen.append(e)
        return False

    hostile()
    sw.run(jobs=2, progress=progress)
    assert len(sw.status) == 4
    if seen:   # called on a worker thread while run() held the lock: refused, not hung
        assert 'request_stop' in str(seen[0])
    sw.close()
    exp.close()
    assert data is None or os.path.isdir(data)


@pytest.mark.parametrize('numpy', [True, False])
def test_reservoir_shapes(numpy, tmp_path):
    previous = dtb.use_numpy(numpy)
    try:
        res = dtb.Reservoir(small_atlas(), task='memory-capacity', steps=200, delays=5, seed=1)
        bad = [
            lambda: res.set_task_data([[0.1, 0.2], [0.3]], [1.0, 2.0]),       # ragged u
            lambda: res.set_task_data([0.1, 0.2, 0.3], [1.0, 2.0]),           # y shorter than u
            lambda: res.set_task_data([], []),                                # nothing
            lambda: res.set_task_data([[0.1, [0.2]]], [1.0]),                 # nested deeper
            lambda: res.set_task_data([['x']], [1.0]),                        # not numbers
            lambda: res.states(0.9, [[0.1, 0.2], [0.3]]),                     # ragged input
            lambda: res.states(0.9, []),
            lambda: dtb.readout_predict(str(tmp_path / 'none.txt'), [[1.0, 2.0], [3.0]]),
        ]
        for call in bad:
            hostile()
            with pytest.raises(dtb.InvalidArgument):
                call()
        # the right shapes still work
        states = res.states(0.9, [0.1] * 10)
        assert len(states) == 10 and len(states[0]) == 4
        res.close()
    finally:
        dtb.use_numpy(previous)


def test_zz_count():
    print(f'\nhostile inputs tried by test_misuse.py: {HOSTILE}, all handled')
