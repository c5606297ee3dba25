# SPDX-License-Identifier: GPL-3.0-or-later
"""Closed-loop control: a controller reads a running simulation and drives
a stimulus (dtb_control(3))."""
import ctypes
import math

from . import _ffi
from ._core import (_b, _callbacks, _check, _DESTROY, _Handle, _int64s, _stash_error,
                    InvalidArgument)


def _control_trampoline(t, y, user_data):
    fn = _callbacks.get(user_data)
    if fn is None:
        return math.nan
    try:
        return float(fn(t, y))
    except BaseException as e:  # never unwind through libdtb: NaN stops the run, re-raised
        _stash_error(e)
        return math.nan


_CONTROL = _ffi.dtb_control_fn(_control_trampoline)


class Controller(_Handle):
    """A PID controller, or any rule fn(t, y) -> output:

        c = dtb.Controller(kp=5, ki=200, target=0.2, limits=(-5, 5))
        c.attach(sim, 'x', region=0, period=0.01, into='x', regions=[0])
        sim.run(1.0)
        c.output, c.measurement, c.updates

    It measures the temporal average of one variable in one region over
    each period and sets the amplitude of a stimulus into `into` (every
    region by default) at the end of the period. PID: u = bias + kp e +
    ki I + kd de/dt, e = target - y, output clamped to limits, the integral
    held while clamped (no wind-up). The simulation keeps an attached
    controller alive."""
    _free = staticmethod(_ffi.dtb_controller_free)

    def __init__(self, kp=0.0, ki=0.0, kd=0.0, target=0.0, limits=None, bias=0.0, rule=None):
        ptr = ctypes.POINTER(_ffi.dtb_controller)()
        if rule is not None:
            if not callable(rule):
                raise InvalidArgument(_ffi.DTB_EINVAL, 'Controller: rule is not callable')
            key = _callbacks.add(rule)
            status = _ffi.dtb_controller_create_callback(ctypes.byref(ptr), _CONTROL, key,
                                                         _DESTROY)
            if status < 0:
                _callbacks.drop(key)
            _check(status)
        else:
            o = _ffi.dtb_pid_options()
            _check(_ffi.dtb_pid_options_init(ctypes.byref(o), _ffi.DTB_PID_OPTIONS_VERSION))
            o.kp, o.ki, o.kd = float(kp), float(ki), float(kd)
            o.target, o.bias = float(target), float(bias)
            if limits is not None:
                o.out_min, o.out_max = float(limits[0]), float(limits[1])
            _check(_ffi.dtb_controller_create_pid(ctypes.byref(ptr), ctypes.byref(o)))
        super().__init__(ptr)

    def attach(self, sim, variable, region, period, into, regions=None):
        """Measure `variable` in `region` every `period` seconds; drive `into`
        in `regions` (None: every region)."""
        if regions is None:
            arr, n = None, 0
        else:
            arr, n = _int64s(regions, 'regions')
        with sim._lock:
            _check(_ffi.dtb_controller_attach(self._h, sim._h, _b(variable), int(region),
                                              float(period), _b(into), arr, n))
        return self

    def set_target(self, target):
        """A new set point, from the next period on (PID only)."""
        _check(_ffi.dtb_controller_set_target(self._h, float(target)))
        return self

    @property
    def output(self):
        """The output in force."""
        return _ffi.dtb_controller_output(self._h)

    @property
    def measurement(self):
        """The last measurement (NaN before the first period)."""
        return _ffi.dtb_controller_measurement(self._h)

    @property
    def updates(self):
        """Periods done."""
        return _ffi.dtb_controller_update_count(self._h)
