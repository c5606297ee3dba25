# SPDX-License-Identifier: GPL-3.0-or-later
"""Atlas surgery and queries, model introspection (dtb_atlas(3), dtb_model(3))."""
import math
import os

import pytest

import dtb

np = pytest.importorskip('numpy')
HERE = os.path.dirname(os.path.abspath(__file__))
TEST_DATA = os.environ.get('DTB_TEST_DATA', os.path.join(HERE, '..', '..', '..', 'tests', 'data'))

W = [[0.0, 2.0, 1.0], [4.0, 0.0, 0.5], [1.0, 3.0, 0.0]]
L = [[0.0, 10.0, 20.0], [10.0, 0.0, 30.0], [20.0, 30.0, 0.0]]
C = [[-40.0, 0.0, 10.0], [40.0, 5.0, 10.0], [0.0, -60.0, 0.0]]


def small():
    return dtb.Atlas.from_arrays(W, tract_lengths=L, centres=C, labels=['a_L', 'b_R', 'c'])


def test_queries():
    a = small()
    assert a.has_tract_lengths and a.has_centres and not a.is_synthetic
    assert a.edge_count == 6
    assert np.array_equal(a.tract_lengths, np.array(L))
    assert np.array_equal(a.centres, np.array(C))
    assert a.centre('b_R') == (40.0, 5.0, 10.0)
    assert a.region('c') == 2 and a.find_region('a_L') == 0
    with pytest.raises(dtb.NotFound):
        a.region('nowhere')
    with pytest.raises(IndexError):
        a.region(3)
    assert a.weight('a_L', 'b_R') == 2.0 and a.weight(1, 0) == 4.0
    assert a.tract_length(2, 1) == 30.0
    no_lengths = dtb.Atlas.from_arrays(W)
    assert not no_lengths.has_tract_lengths and math.isnan(no_lengths.tract_length(0, 1))
    with pytest.raises(dtb.NotFound):
        no_lengths.tract_lengths
    with pytest.raises(dtb.NotFound):
        no_lengths.centres


def test_builtin_atlas_anatomy():
    a = dtb.Atlas.builtin('bn246')
    assert a.is_synthetic and 'Brainnetome' in a.description
    hemi = a.hemispheres
    assert hemi.count('left') == hemi.count('right') == 123
    assert all(a.lobes) and all(a.gyri) and a.lobes[0] == 'Frontal'
    assert a.edge_count == int(np.count_nonzero(a.weights))
    with pytest.raises(dtb.NotFound):
        dtb.Atlas.builtin('no-such-atlas')


def test_surgery_in_place():
    a = small()
    b = a.copy()
    a.set_weight('b_R', 'a_L', 7.0).lesion('c')
    w = a.weights
    assert w[1, 0] == 7.0 and not w[2].any() and not w[:, 2].any()
    assert np.array_equal(b.weights, np.array(W))     # the copy is untouched
    b.scale_connections(['a_L'], ['b_R', 'c'], 0.5)    # from a to b and c: directed
    assert b.weight(1, 0) == 2.0 and b.weight(2, 0) == 0.5 and b.weight(0, 1) == 2.0
    b.scale(2.0)
    assert b.weight(1, 0) == 4.0
    with pytest.raises(dtb.InvalidArgument):
        b.scale_connections([0], [1], -1.0)


def test_normalisations():
    w = np.array(W)
    a = small().normalize('max')
    assert np.allclose(a.weights, w / 4.0)
    a = small().normalize('row_sum')
    assert np.allclose(a.weights.sum(axis=1), 1.0)
    a = small().normalize('region')
    assert np.allclose(a.weights, w / w.sum(axis=1).max())
    a = small().normalize('log1p')
    assert np.allclose(a.weights, np.log1p(w))
    with pytest.raises(dtb.InvalidArgument, match='weight_norm'):
        small().normalize('maximum')


def test_misspelt_atlas_option_is_a_type_error():
    with pytest.raises(TypeError, match="tract_length_path.*did you mean 'tract_lengths_path'"):
        dtb.Atlas('bn246', tract_length_path='lengths.txt')


def test_atlas_paths_are_used(tmp_path):
    p = tmp_path / 'w.txt'
    p.write_text('0 1\n1 0\n')
    lengths = tmp_path / 'l.txt'
    lengths.write_text('0 42\n42 0\n')
    a = dtb.Atlas(str(p), tract_lengths_path=str(lengths))
    assert a.tract_length(0, 1) == 42.0


def test_model_introspection():
    m = dtb.Model('reduced_wong_wang_exc_inh')
    assert m.states == ['S_e', 'S_i'] and m.state_index('S_i') == 1
    assert m.state_bounds('S_e') == (0.0, 1.0)
    lo, hi = m.state_range(0)
    assert 0.0 <= lo < hi <= 1.0
    assert m.coupling_variables == [('S_e', 'c0')]
    assert m.variables_of_interest == [('S_e', 0), ('S_i', 1)]
    assert 'r_e' in m.derived and m.time_scale == 1e-3
    assert m.params[m.param_index('G')] == 'G'
    unit, text = m.param_info('G')
    assert 'coupling' in text
    assert m.description and m.reference
    with pytest.raises(dtb.NotFound):
        m.param_index('GG')
    with pytest.raises(dtb.NotFound):
        m.state_index('S_x')
    c = m.copy()
    c['G'] = 3.0
    assert m['G'] != 3.0 and c['G'] == 3.0


def test_model_sources():
    path = os.path.join(TEST_DATA, 'models', 'decay.xml')
    assert dtb.Model.from_file(path).states == dtb.Model(path).states
    assert dtb.Model.builtin('generic_2d_oscillator').name == 'generic_2d_oscillator'
    with pytest.raises(dtb.Error):
        dtb.Model.builtin(path)                  # a file is not a built-in name
    with pytest.raises(dtb.Error):
        dtb.Model.from_file('generic_2d_oscillator')  # nor a name a file
    exposures = dtb.Model('generic_2d_oscillator').exposures
    assert isinstance(exposures, list)


def test_library_facts():
    major, minor, patch = (int(x) for x in dtb.version.split('.')[:3])
    assert dtb.version_number() == major * 10000 + minor * 100 + patch
    assert dtb.has_feature('csv') and not dtb.has_feature('no-such-feature')
    assert dtb.status_string(-2) and dtb.status_string(-2) != dtb.status_string(-5)
