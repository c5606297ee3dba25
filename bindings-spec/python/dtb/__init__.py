# SPDX-License-Identifier: GPL-3.0-or-later
"""libdtb from Python: digital twin brain simulations.

    import dtb
    atlas = dtb.Atlas('bn246')                      # built-in name, TVB folder or matrix file
    model = dtb.Model('generic_2d_oscillator')      # built-in name or XML descriptor file
    sim = dtb.Sim(atlas, model, dt=1e-4, seed=1)
    t, x = sim.run(0.1)     # 100 ms; 1 ms temporal average of the variables of interest

`t` has one time (s) per sample and `x` one row per sample, one column per
variable and region (`sim.columns()` names them). They are NumPy arrays
when NumPy is installed, else lists. Errors raise `dtb.Error` (or a
subclass) carrying the library's message. Callbacks (`progress=` of
`Sim.run`, `callback=` of `Sim.record`) run on the calling thread; a true
return value, `sim.request_stop()` or an exception stops the run, which
then raises `dtb.Cancelled` (or re-raises the callback's exception).

Threads: every object holds a lock, taken by each of its methods, so two
threads may share one: their calls take turns (a second run of a Sim waits
for the first). `close()` on another thread waits for a running call to
end; `close()` or `run()` from the object's own callback raises
`dtb.StateError`; `request_stop()` is the one method that never waits.
Arrays are checked against the shapes they must have before they reach C.

What is where (one module per concept, everything re-exported here):
    Atlas           regions, connectivity, surgery (lesion, normalize, ...)
    Model           region models, parameters, variables
    Sim, Observer   a simulation, what it records (Sim.record: raw, tavg,
                    bold, projection, fc, fcd, psd, ...), Trace (samples)
    Stimulus        time course x spatial pattern, added to a Sim
    SpikingNet      spiking networks (and Sim.spiking_net)
    Experiment, Sweep, Fit, Reservoir   runs in dtb run's vocabulary
    BuiltExperiment Experiment.build(): the run built, looked at, then run
    setting_kind, parse_value, check_write   the experiment vocabulary
    read_matrix, write_npy   tables as libdtb reads and writes them
    plot_lines, plot_heatmap, plot_raster, plot_brain   SVG figures
    LemsDocument, LemsSimulation   LEMS / NeuroML files, checked and run
    dtb.analysis    fc, fcd, psd, bandpass, phases, fit scores
    eeg_gain        the built-in EEG lead field
    Dynamics        one node's dynamics: Jacobian, fixed points, Branch (continuation)
    Assimilation    a twin that follows a recording (ensemble Kalman filter)
    Controller      closed-loop control: PID or any rule, reading a Sim, driving a stimulus
    MCell           a multi-compartment NeuroML2 cell, run as NEURON runs it

This layer is hand-written on top of `dtb._ffi`, which is generated from
bindings-spec/dtb-api.json (see bindings-spec/README.md); it uses every
function of the C API (tests/test_coverage.py).
"""
from . import _ffi, _core  # noqa: F401 (dtb._ffi: the C API itself, for those who need it)
from ._core import (Error, InvalidArgument, OutOfMemory, Cancelled, NotFound, ParseError,
                    NumericError, Unsupported, IOFailure, StateError, version, use_numpy,
                    version_number, has_feature, status_string,
                    _callbacks)  # noqa: F401 (the tests count stored callbacks)
from .atlas import Atlas
from .model import Model
from .observer import Observer, Trace
from .sim import Sim
from .stimulus import Stimulus
from .spiking import SpikingNet
from .experiment import (Experiment, BuiltExperiment, Sweep, Fit, has_mpi, setting_kind,
                         parse_value, check_write)
from .matrix import Table, read_matrix, write_npy
from .plot import plot_lines, plot_heatmap, plot_raster, plot_brain
from .assimilate import Assimilation
from .control import Controller
from .lems import LemsDocument, LemsSimulation, LemsOutput
from .reservoir import Reservoir, readout_predict
from . import analysis
from .leadfield import eeg_sensors, eeg_gain
from .dynamics import Dynamics, Branch, FixedPoint, BranchPoint, Special
from .mcell import MCell

__all__ = ['Atlas', 'Model', 'Sim', 'Observer', 'Trace', 'Stimulus', 'SpikingNet', 'Experiment',
           'Sweep', 'Fit', 'Reservoir', 'readout_predict', 'analysis', 'eeg_sensors', 'eeg_gain',
           'has_mpi', 'BuiltExperiment', 'setting_kind', 'parse_value', 'check_write', 'Table',
           'read_matrix', 'write_npy', 'plot_lines', 'plot_heatmap', 'plot_raster', 'plot_brain',
           'LemsDocument', 'LemsSimulation', 'LemsOutput', 'Error', 'InvalidArgument',
           'OutOfMemory', 'Cancelled', 'NotFound', 'ParseError', 'NumericError',
           'Unsupported', 'IOFailure', 'StateError', 'version', 'version_number', 'has_feature',
           'status_string', 'use_numpy', 'Dynamics', 'Branch', 'FixedPoint', 'BranchPoint',
           'Special', 'Assimilation', 'Controller', 'MCell']

# The public names say where users find them (dtb.NotFound, not dtb._core.NotFound).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = __name__
del _name, _obj
