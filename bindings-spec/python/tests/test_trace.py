# SPDX-License-Identifier: GPL-3.0-or-later
"""Trace indexing: trace[i] -> (t, row); trace[a:b] -> Trace; trace['V.3']
-> a column; trace['V'] -> samples x regions."""
import pytest

import dtb


def trace():
    return dtb.Trace([0.1, 0.2, 0.3], [[1.0, 2.0, 10.0], [3.0, 4.0, 30.0], [5.0, 6.0, 50.0]],
                     ['V.0', 'V.1', 'W.0'])


def test_indexing_with_lists(lists):
    tr = trace()
    assert len(tr) == 3
    assert tr[1] == (0.2, [3.0, 4.0, 30.0]) and tr[-1][0] == 0.3
    sub = tr[1:]
    assert isinstance(sub, dtb.Trace) and sub.t == [0.2, 0.3] and sub.columns == tr.columns
    assert tr['V.1'] == [2.0, 4.0, 6.0]
    assert tr['V'] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert tr['W'] == [[10.0], [30.0], [50.0]]
    with pytest.raises(IndexError):
        tr[3]
    with pytest.raises(KeyError, match='variables: V, W'):
        tr['X']
    with pytest.raises(TypeError):
        tr[1.5]
    t, values = tr   # still unpacks as before
    assert t == tr.t and values == tr.values


def test_indexing_a_run():
    np = pytest.importorskip('numpy')
    sim = dtb.Sim(dtb.Atlas('bn246'), dtb.Model('generic_2d_oscillator'), seed=1)
    tr = sim.run(0.005)
    assert tr['V'].shape == (5, 246)
    assert np.array_equal(tr['V.7'], tr.values[:, 7])
    t, row = tr[2]
    assert t == tr.t[2] and np.array_equal(row, tr.values[2])
    assert len(tr[::2]) == 3
