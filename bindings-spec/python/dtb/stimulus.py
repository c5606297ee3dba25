# SPDX-License-Identifier: GPL-3.0-or-later
"""Stimuli: a time course times a spatial pattern, entering a state
variable, input or parameter of a simulation (dtb_stimulus(3))."""
import ctypes
import math

from . import _ffi
from ._core import (_check, _b, _s, _doubles, _int64s, _callbacks, _Handle, _DESTROY,
                    _stash_error, InvalidArgument, NotFound)


def _stimulus_trampoline(t, user_data):
    fn = _callbacks.get(user_data)
    if fn is None:
        return 0.0
    try:
        return float(fn(t))
    except BaseException as e:  # never unwind through libdtb: NaN, re-raised by the run
        _stash_error(e)
        return math.nan


_STIMULUS = _ffi.dtb_stimulus_fn(_stimulus_trampoline)


class Stimulus(_Handle):
    """A stimulus built first, then added to simulations (each gets a copy):

        stim = dtb.Stimulus('I_ext')                      # what it enters
        stim.add('pulse_train', onset=0.1, width=0.005, period=0.05, amplitude=2.0)
        stim.regions(['A8m_L', 3])                        # or labels('A8m_*'),
        sim.add_stimulus(stim)                            # weights(w), gaussian(c, r)

    Shapes (times in s, frequencies in Hz; several add up): pulse,
    pulse_train, biphasic, step, ramp, sine, gaussian, alpha, poisson,
    noise with their named parameters (dtb_stimulus(3)); table(start, end,
    amplitude); waveform(times, values); callback(fn) for fn(t) -> value.
    The last spatial pattern set wins; the default is every region with
    weight 1. Methods return the stimulus, so calls chain."""
    _free = staticmethod(_ffi.dtb_stimulus_free)

    def __init__(self, target):
        ptr = ctypes.POINTER(_ffi.dtb_stimulus)()
        _check(_ffi.dtb_stimulus_create(ctypes.byref(ptr), _b(target)))
        super().__init__(ptr)

    @property
    def target(self):
        """What the stimulus enters (a state variable, input or parameter name)."""
        return _s(_ffi.dtb_stimulus_target(self._h))

    def add(self, shape, **params):
        """A temporal shape by name with its parameters (seconds, Hz, the
        target's unit); a parameter the shape has not raises TypeError
        naming it, a missing one dtb.InvalidArgument."""
        names = (ctypes.c_char_p * max(len(params), 1))(*[_b(k) for k in params])
        values, n, _keep = _doubles([float(v) for v in params.values()], (None,), 'params')
        try:
            _check(_ffi.dtb_stimulus_add(self._h, _b(shape), names if params else None,
                                         values if params else None, n))
        except NotFound as e:
            # a keyword the shape does not have is a misspelt option
            bad = [k for k in params if f"has no parameter '{k}'" in e.message]
            if not bad:
                raise
            raise TypeError(f'Stimulus.add({shape!r}): unknown option {bad[0]!r}: '
                            f'{e.message}') from None
        return self

    def table(self, start, end, amplitude):
        """Piecewise constant: amplitude[i] on [start[i], end[i])."""
        n = len(start)
        s, _, k1 = _doubles(start, (n,), 'start')
        e, _, k2 = _doubles(end, (n,), 'end')
        a, _, k3 = _doubles(amplitude, (n,), 'amplitude')
        _check(_ffi.dtb_stimulus_add_table(self._h, s, e, a, n))
        return self

    def waveform(self, times, values):
        """Samples (times increasing), linear between them, 0 outside."""
        n = len(times)
        t, _, k1 = _doubles(times, (n,), 'times')
        v, _, k2 = _doubles(values, (n,), 'values')
        _check(_ffi.dtb_stimulus_add_waveform(self._h, t, v, n))
        return self

    def callback(self, fn):
        """fn(t) -> value, called once per step during a run (on the run's
        thread). An exception stops nothing at once: the step sees NaN and
        the run's call raises the exception when it returns."""
        if not callable(fn):
            raise InvalidArgument(_ffi.DTB_EINVAL, 'callback: not callable')
        key = _callbacks.add(fn)
        status = _ffi.dtb_stimulus_add_callback(self._h, _STIMULUS, key, _DESTROY)
        if status < 0:
            _callbacks.drop(key)
        _check(status)
        return self

    def regions(self, regions):
        """Only these regions (indices), weight 1."""
        r, n = _int64s(regions, 'regions')
        _check(_ffi.dtb_stimulus_set_regions(self._h, r, n))
        return self

    def labels(self, patterns):
        """Regions by label glob patterns joined by '+' ('A8m_*+A9l_L'), or a list."""
        if not isinstance(patterns, str):
            patterns = '+'.join(patterns)
        _check(_ffi.dtb_stimulus_set_labels(self._h, _b(patterns)))
        return self

    def weights(self, weights):
        """One weight per region."""
        w, n, _keep = _doubles(weights, (None,), 'weights')
        _check(_ffi.dtb_stimulus_set_weights(self._h, w, n))
        return self

    def gaussian(self, centre, radius):
        """A Gaussian around centre (x, y, z in MNI mm), radius its standard deviation (mm)."""
        c, _, _keep = _doubles(centre, (3,), 'centre')
        _check(_ffi.dtb_stimulus_set_gaussian(self._h, c, float(radius)))
        return self

    def window(self, start, stop=math.inf):
        """Active only for start <= t < stop (seconds)."""
        _check(_ffi.dtb_stimulus_set_window(self._h, float(start), float(stop)))
        return self

    def seed(self, seed):
        """Seed of the random shapes (poisson, noise)."""
        _check(_ffi.dtb_stimulus_set_seed(self._h, int(seed)))
        return self

    def value(self, t):
        """The temporal value at t (a number or a sequence of times; the
        random shapes left out)."""
        if hasattr(t, '__len__'):
            from ._core import _array
            return _array([_ffi.dtb_stimulus_value(self._h, float(x)) for x in t])
        return _ffi.dtb_stimulus_value(self._h, float(t))
