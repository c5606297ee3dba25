# SPDX-License-Identifier: GPL-3.0-or-later
"""dtb.Dynamics: the Jacobian against differences, fixed points of the Hopf
normal form, and a continuation that finds its Hopf point at a = 0."""
import math

import pytest

import dtb


def test_jacobian_matches_differences():
    d = dtb.Dynamics(dtb.Model('wilson_cowan'))
    x = [0.2, 0.1]
    J = d.jacobian(x)
    for j in range(2):
        h = 1e-6
        xp, xm = list(x), list(x)
        xp[j] += h
        xm[j] -= h
        fp, fm = d.rates(xp), d.rates(xm)
        for i in range(2):
            assert abs(J[i][j] - (fp[i] - fm[i]) / (2 * h)) < 1e-6 * max(1.0, abs(J[i][j]))


def test_fixed_points_and_hopf():
    d = dtb.Dynamics(dtb.Model('sup_hopf'))
    d['a'] = -0.5
    assert d['a'] == -0.5
    (p,) = d.fixed_points(n_starts=8)
    assert p.kind == 'stable focus'
    assert all(abs(v) < 1e-10 for v in p.state)
    assert abs(p.eigenvalues[0].real + 0.5) < 1e-12
    assert d.param_derivative('a', [0.5, 0.0])[0] == 0.5
    d.input = [0.0, 0.0]
    b = d.continue_branch('a', -1.0, 1.0, [0.0, 0.0], max_step=0.05)
    (s,) = b.special
    assert s.kind == 'hopf' and abs(s.param) < 1e-8
    pts = b.points
    assert pts[0].stable and not pts[-1].stable
    assert all('left' in e for e in b.ends)
    with pytest.raises(dtb.NotFound, match='nope'):
        d['nope'] = 1.0
    with pytest.raises(dtb.InvalidArgument):
        d.rates([0.0])
    with pytest.raises(TypeError, match='n_starts'):
        d.fixed_points(starts=3)
    b.close()
    d.close()


def test_network_critical_linear_closed_form():
    np = pytest.importorskip('numpy')
    atlas = dtb.Atlas('bn246')
    w = np.asarray(atlas.weights)
    lmax = max(np.linalg.eigvals(w).real)
    d = dtb.Dynamics(dtb.Model('linear'))
    want = -d['gamma'] / lmax
    got = d.network_critical(atlas, 'a', 0.0, 3 * want, b=0.0)
    assert abs(got - want) < 1e-8 * want
    assert d.network_critical(atlas, 'a', 0.0, 0.5 * want) is None
    lead = d.network_eigenvalues(atlas, n=3, a=0.5 * want)
    assert len(lead) == 3 and abs(lead[0].real - d['gamma'] / 2) < 1e-6 * abs(d['gamma'])
    with pytest.raises(dtb.Unsupported):
        d.network_critical(atlas, 'a', 0.0, 1.0, coupling='kuramoto')


def test_phase_plane_svg(tmp_path):
    d = dtb.Dynamics(dtb.Model('wilson_cowan'))
    path = tmp_path / 'wc.svg'
    d.phase_plane(path, ('E', 0.0, 0.6), ('I', 0.0, 0.4))
    assert path.read_text().count('<circle') == 3
    with pytest.raises(dtb.NotFound):
        d.phase_plane(path, ('E', 0, 1), ('Q', 0, 1))
