# SPDX-License-Identifier: GPL-3.0-or-later
"""The dynamics of one region model (dtb_dynamics(3)): its rates and exact
Jacobian, fixed points with their eigenvalues and kind, and continuation of
equilibrium branches in one parameter with folds and Hopf points.

    d = dtb.Dynamics(dtb.Model('sup_hopf'))
    d['a'] = -0.5
    for p in d.fixed_points():          # FixedPoint(state, eigenvalues, kind)
        print(p.kind, p.state)
    b = d.continue_branch('a', -1, 1, [0, 0])
    b.special                           # [Special('hopf', ~0.0, state)]
"""
import collections
import ctypes

from . import _ffi, _core
from ._core import _Handle, _b, _check, _doubles, _matrix, _s, _no_unknown

__all__ = ['Dynamics', 'Branch', 'FixedPoint', 'BranchPoint', 'Special']

FixedPoint = collections.namedtuple('FixedPoint', 'state eigenvalues kind')
FixedPoint.__doc__ = """A fixed point: its state, its eigenvalues (complex,
decreasing real part; NaN for states without a TimeDerivative) and its kind
('stable node', 'stable focus', 'unstable node', 'unstable focus',
'saddle', 'centre')."""
BranchPoint = collections.namedtuple('BranchPoint', 'param state stable max_re')
Special = collections.namedtuple('Special', 'kind param state')
Special.__doc__ = """A special point of a branch: kind 'fold' or 'hopf',
the parameter's value and the state there."""


def _list(arr):
    return arr if _core._np is not None else list(arr)


class Dynamics(_Handle):
    """One node of `model` (a dtb.Model) with its own parameter values
    (copied now) and a constant coupling input (zero; set `input`).
    d['a'] reads and d['a'] = 0.3 sets a parameter. Its Jacobian is exact
    (symbolic); a model using random() raises dtb.Unsupported."""
    _free = staticmethod(_ffi.dtb_dynamics_free)

    def __init__(self, model):
        ptr = ctypes.POINTER(_ffi.dtb_dynamics)()
        _check(_ffi.dtb_dynamics_create(ctypes.byref(ptr), model._h))
        super().__init__(ptr)
        self._n_input = _ffi.dtb_model_coupling_count(model._h)

    @property
    def n_states(self):
        """The number of state variables."""
        return _ffi.dtb_dynamics_state_count(self._h)

    def __getitem__(self, name):
        v = ctypes.c_double()
        _check(_ffi.dtb_dynamics_get_param(self._h, _b(name), ctypes.byref(v)))
        return v.value

    def __setitem__(self, name, value):
        _check(_ffi.dtb_dynamics_set_param(self._h, _b(name), float(value)))

    def _set_input(self, values):
        ptr, n, _keep = _doubles(values, (self._n_input,), 'input')
        _check(_ffi.dtb_dynamics_set_input(self._h, ptr, n))

    input = property(None, _set_input, doc="""The constant coupling input: one value
        per coupling input of the model (write-only).""")

    def _state(self, state):
        return _doubles(state, (self.n_states,), 'state')

    def rates(self, state):
        """The time derivatives at `state`."""
        ptr, n, _keep = self._state(state)
        arr, out = _core._buffer(n)
        _check(_ffi.dtb_dynamics_rates(self._h, ptr, n, out, n))
        return _list(arr)

    def jacobian(self, state):
        """d(rate_i)/d(state_j) at `state`: n x n."""
        ptr, n, _keep = self._state(state)
        arr, out = _core._buffer(n * n)
        _check(_ffi.dtb_dynamics_jacobian(self._h, ptr, n, out, n * n))
        return _matrix(arr, n, n)

    def param_derivative(self, name, state):
        """d(rate_i)/d(name) at `state`; name a parameter or a coupling input."""
        ptr, n, _keep = self._state(state)
        arr, out = _core._buffer(n)
        _check(_ffi.dtb_dynamics_param_derivative(self._h, _b(name), ptr, n, out, n))
        return _list(arr)

    def fixed_points(self, **options):
        """The fixed points found by Newton from a Sobol set of starts in
        the states' ranges. Options: n_starts (64), max_iterations (100),
        tolerance (1e-10). A list of FixedPoint, sorted by the first state."""
        _no_unknown('Dynamics.fixed_points', options, ('n_starts', 'max_iterations', 'tolerance'))
        o = _ffi.dtb_fixed_point_options()
        _check(_ffi.dtb_fixed_point_options_init(ctypes.byref(o), _ffi.DTB_FIXED_POINT_OPTIONS_VERSION))
        for k, v in options.items():
            setattr(o, k, v)
        count = ctypes.c_int64()
        _check(_ffi.dtb_dynamics_find_fixed_points(self._h, ctypes.byref(o), ctypes.byref(count)))
        n = self.n_states
        found = []
        for i in range(count.value):
            x, xp = _core._buffer(n)
            re, rp = _core._buffer(n)
            im, ip = _core._buffer(n)
            kind = ctypes.c_int32()
            _check(_ffi.dtb_dynamics_fixed_point(self._h, i, xp, n, rp, ip, n, ctypes.byref(kind)))
            eig = [complex(re[k], im[k]) for k in range(n)]
            found.append(FixedPoint(_list(x), eig, _s(_ffi.dtb_fixed_point_kind_name(kind.value))))
        return found

    def phase_plane(self, path, x, y, state=None):
        """The phase plane of state variables x = (name, lo, hi) and
        y = (name, lo, hi) as an SVG at `path`: the field, its nullclines,
        trajectories and the fixed points; the other states at `state`
        (default: zeros)."""
        xs, x_lo, x_hi = x
        ys, y_lo, y_hi = y
        ptr, n, _keep = self._state(state if state is not None else [0.0] * self.n_states)
        _check(_ffi.dtb_dynamics_phase_plane(self._h, _b(xs), _b(ys), float(x_lo), float(x_hi),
                                             float(y_lo), float(y_hi), ptr, n, _b(str(path))))

    def network_critical(self, atlas, param, lo, hi, coupling='linear', **values):
        """The coupling value at which the delay-free network of this node
        on `atlas` (a dtb.Atlas) loses the stability of its fixed point,
        varying the coupling parameter `param` ('a', or 'b' for linear)
        from lo to hi; None when it stays stable up to hi. coupling:
        'linear', 'scaling' or 'difference'; values: the coupling's other
        parameters (a=..., b=...)."""
        kind = _core._enum(_ffi.dtb_coupling_kind, 'DTB_COUPLING_', coupling)
        names = (ctypes.c_char_p * max(len(values), 1))(*[_b(k) for k in values])
        vals = (ctypes.c_double * max(len(values), 1))(*[float(v) for v in values.values()])
        out = ctypes.c_double()
        _check(_ffi.dtb_dynamics_network_critical(self._h, atlas._h, kind, names, vals, len(values),
                                                  _b(param), float(lo), float(hi), ctypes.byref(out)))
        return None if out.value != out.value else out.value

    def network_eigenvalues(self, atlas, n=10, coupling='linear', **values):
        """The n leading eigenvalues (complex, decreasing real part) of the
        delay-free network's Jacobian at its fixed point, with the coupling
        values given (a=..., b=...)."""
        kind = _core._enum(_ffi.dtb_coupling_kind, 'DTB_COUPLING_', coupling)
        names = (ctypes.c_char_p * max(len(values), 1))(*[_b(k) for k in values])
        vals = (ctypes.c_double * max(len(values), 1))(*[float(v) for v in values.values()])
        re, rp = _core._buffer(max(n, 1))
        im, ip = _core._buffer(max(n, 1))
        got = ctypes.c_size_t()
        _check(_ffi.dtb_dynamics_network_eigenvalues(self._h, atlas._h, kind, names, vals, len(values),
                                                     rp, ip, n, ctypes.byref(got)))
        return [complex(re[k], im[k]) for k in range(got.value)]

    def continue_branch(self, param, lo, hi, state, **options):
        """Follow the equilibrium branch through `state` (a fixed point at
        the current value of `param`, corrected first) over [lo, hi] in
        both directions. param: a parameter or coupling input. Options:
        max_points, step, max_step, min_step, tolerance. Returns a Branch."""
        _no_unknown('Dynamics.continue_branch', options,
                    ('max_points', 'step', 'max_step', 'min_step', 'tolerance'))
        o = _ffi.dtb_continuation_options()
        _check(_ffi.dtb_continuation_options_init(ctypes.byref(o),
                                                  _ffi.DTB_CONTINUATION_OPTIONS_VERSION))
        for k, v in options.items():
            setattr(o, k, v)
        ptr, n, _keep = self._state(state)
        out = ctypes.POINTER(_ffi.dtb_branch)()
        _check(_ffi.dtb_dynamics_continue(self._h, _b(param), float(lo), float(hi), ptr, n,
                                          ctypes.byref(o), ctypes.byref(out)))
        return Branch._adopt(out, n)


class Branch(_Handle):
    """An equilibrium branch: `points` (BranchPoint: param, state, stable,
    max_re, in order along the branch), `special` (Special: 'fold' or
    'hopf' points) and `ends` (how each side ended)."""
    _free = staticmethod(_ffi.dtb_branch_free)

    @classmethod
    def _adopt(cls, ptr, n_states):
        self = cls.__new__(cls)
        _Handle.__init__(self, ptr)
        self._n = n_states
        return self

    @property
    def points(self):
        """Every point, in order along the branch."""
        pts = []
        for i in range(_ffi.dtb_branch_point_count(self._h)):
            mu, stable, max_re = ctypes.c_double(), ctypes.c_int32(), ctypes.c_double()
            x, xp = _core._buffer(self._n)
            _check(_ffi.dtb_branch_point(self._h, i, ctypes.byref(mu), xp, self._n,
                                         ctypes.byref(stable), ctypes.byref(max_re)))
            pts.append(BranchPoint(mu.value, _list(x), bool(stable.value), max_re.value))
        return pts

    @property
    def special(self):
        """The folds and Hopf points, in order along the branch."""
        found = []
        for i in range(_ffi.dtb_branch_special_count(self._h)):
            kind, mu = ctypes.c_int32(), ctypes.c_double()
            x, xp = _core._buffer(self._n)
            _check(_ffi.dtb_branch_special(self._h, i, ctypes.byref(kind), ctypes.byref(mu), xp,
                                           self._n))
            found.append(Special(_s(_ffi.dtb_bifurcation_kind_name(kind.value)), mu.value, _list(x)))
        return found

    @property
    def ends(self):
        """(how the branch's start ended, how its end ended)."""
        return tuple(_s(_ffi.dtb_branch_end_reason(self._h, side)) for side in (0, 1))
