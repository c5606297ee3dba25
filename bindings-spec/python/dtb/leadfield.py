# SPDX-License-Identifier: GPL-3.0-or-later
"""The built-in EEG lead field (dtb_leadfield(3)): scalp potentials of
region dipoles in a spherical head, 21 electrodes of the 10-20 system."""
import ctypes

from . import _ffi
from ._core import _check, _s, _shape, _doubles, _matrix, _buffer, _enum, InvalidArgument

__all__ = ['eeg_sensors', 'eeg_gain']


def eeg_sensors():
    """The electrodes' names ('Fp1', ..., 'O2'), in the gain's row order."""
    return [_s(_ffi.dtb_leadfield_sensor_name(i)) for i in range(_ffi.dtb_leadfield_sensor_count())]


def eeg_gain(centres, head='three_shell'):
    """The gain matrix (V per A.m), electrodes x regions, from region
    centres (regions x 3, MNI mm; an Atlas' centres). head: 'three_shell'
    (default) or 'homogeneous'. Give it to Sim.record('projection', gain=...)."""
    if hasattr(centres, 'centres') and not isinstance(centres, (list, tuple)):
        centres = centres.centres   # an Atlas
    shape = _shape(centres, 'centres')
    if len(shape) != 2 or shape[1] != 3:
        raise InvalidArgument(_ffi.DTB_EINVAL, f'centres: shape {shape}, expected regions x 3')
    c, _n, _keep = _doubles(centres, shape, 'centres')
    head = _enum(_ffi.dtb_head_model, 'DTB_HEAD_', head)
    needed = ctypes.c_size_t()
    _check(_ffi.dtb_leadfield_eeg(None, 0, ctypes.byref(needed), c, shape[0], head))
    out, ptr = _buffer(needed.value)
    _check(_ffi.dtb_leadfield_eeg(ptr, needed.value, None, c, shape[0], head))
    return _matrix(out, needed.value // shape[0], shape[0])
