# SPDX-License-Identifier: GPL-3.0-or-later
"""Multi-compartment cells: a NeuroML2 <cell> discretised and run as NEURON
runs it (dtb_mcell(3); the file subset in dtb-mcell(5)). Units are ms, mV
and nA; segments are named by their NeuroML id, places on them by the
fraction x from the proximal end.

    with dtb.MCell('ball_and_stick.nml', 'bs_cell', nseg=9) as cell:
        cell.add_current_clamp(0, 0.5, delay=20, duration=100, amplitude=0.3)
        v = cell.add_recording(0, 0.5, 'v')
        m = cell.add_recording(0, 0.5, 'naChans/m')
        cell.run(200, 0.025)
        soma_v = cell.trace(v)
"""
import ctypes

from . import _ffi
from ._core import _b, _check, _copy_out, _Handle

__all__ = ['MCell']


_METHODS = {'backward_euler': _ffi.DTB_MCELL_METHOD_BACKWARD_EULER,
            'crank_nicolson': _ffi.DTB_MCELL_METHOD_CRANK_NICOLSON}


class MCell(_Handle):
    """MCell(path, cell_id=None, nseg=0, method='backward_euler'): read and
    check cell cell_id (None: the file's only <cell>); nseg compartments
    per section, 0 for NEURON's d_lambda rule; method NEURON's
    secondorder=0 ('backward_euler') or 2 ('crank_nicolson'). Errors name
    the file, the line and the element."""
    _free = staticmethod(_ffi.dtb_mcell_free)

    def __init__(self, path, cell_id=None, nseg=0, method='backward_euler'):
        ptr = ctypes.POINTER(_ffi.dtb_mcell)()
        _check(_ffi.dtb_mcell_load(ctypes.byref(ptr), _b(path), _b(cell_id)))
        super().__init__(ptr)
        if nseg:
            self.nseg = nseg
        self.method = method

    @property
    def temperature(self):
        """Degrees Celsius of the gates' q10ExpTemp settings (None: the
        file's <network temperature>). Write-only in C; reading gives the
        value last set here."""
        return getattr(self, '_temperature', None)

    @temperature.setter
    def temperature(self, celsius):
        _check(_ffi.dtb_mcell_set_temperature(self._h, float(celsius)))
        self._temperature = float(celsius)

    @property
    def method(self):
        """'backward_euler' or 'crank_nicolson'."""
        return getattr(self, '_method', 'backward_euler')

    @method.setter
    def method(self, name):
        if name not in _METHODS:
            raise ValueError("MCell: method must be 'backward_euler' or 'crank_nicolson', not %r"
                             % (name,))
        _check(_ffi.dtb_mcell_set_method(self._h, _METHODS[name]))
        self._method = name

    @property
    def segment_count(self):
        return _ffi.dtb_mcell_segment_count(self._h)

    @property
    def compartment_count(self):
        """Compartments with membrane, over all sections, at the present nseg."""
        return _ffi.dtb_mcell_compartment_count(self._h)

    @property
    def nseg(self):
        """Compartments per section (0: the d_lambda rule). Write-only in
        C; reading gives the value last set here."""
        return getattr(self, '_nseg', 0)

    @nseg.setter
    def nseg(self, value):
        _check(_ffi.dtb_mcell_set_nseg(self._h, int(value)))
        self._nseg = int(value)

    def add_current_clamp(self, segment, x, delay, duration, amplitude):
        """A current pulse of amplitude nA from delay for duration ms."""
        _check(_ffi.dtb_mcell_add_current_clamp(self._h, int(segment), float(x), float(delay),
                                                float(duration), float(amplitude)))

    def add_recording(self, segment, x, variable='v'):
        """Record 'v' or a gate 'DENSITY/GATE' there; returns its number."""
        index = ctypes.c_int64()
        _check(_ffi.dtb_mcell_add_recording(self._h, int(segment), float(x), _b(variable),
                                            ctypes.byref(index)))
        return index.value

    def run(self, duration, dt):
        """Run from rest for duration ms in steps of dt ms."""
        _check(_ffi.dtb_mcell_run(self._h, float(duration), float(dt)))

    @property
    def trace_length(self):
        """Samples per trace of the last run (steps + 1, t = 0 first)."""
        return _ffi.dtb_mcell_trace_length(self._h)

    def trace(self, recording):
        """A recording's trace of the last run (NumPy array or list)."""
        return _copy_out(_ffi.dtb_mcell_trace, self._h, int(recording))

    def spike_times(self):
        """The spikes of the last run (ms): the soma reaching spikeThresh
        from below, as NEURON's NetCon reports them (NumPy array or list)."""
        return _copy_out(_ffi.dtb_mcell_spike_times, self._h)
