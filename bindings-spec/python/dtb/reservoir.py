# SPDX-License-Identifier: GPL-3.0-or-later
"""Connectomes as computing reservoirs."""
import ctypes

from . import _ffi, _core
from ._core import (InvalidArgument, _Handle, _b, _buffer, _check, _doubles, _enum, _matrix,
                    _shape)


from .experiment import Experiment, _explore_options


class Reservoir(_Handle):
    """A connectome as a computing reservoir, against null connectomes
    (dtb_reservoir(3), man 7 dtb-reservoir).

        res = dtb.Reservoir(dtb.Atlas('bn246'), task='memory-capacity', nulls=100)
        res.run([0.5, 0.9, 1.3], 'out', jobs=2)
        res.results            # alphas x (1 + nulls): column 0 the connectome
        res.percentiles        # where the connectome stands, per alpha

    Reservoir(atlas, ...): an echo-state network on the atlas' weights;
    Reservoir(experiment, into='I_o', ...): a simulation is the reservoir.
    regions=(input, output): region lists (indices, label globs,
    lobe:/gyrus:/hemisphere:, joined by '+'); task: a built-in name, or
    (u, y) arrays with classes=K for classification targets."""
    _free = staticmethod(_ffi.dtb_reservoir_free)

    def __init__(self, source, task=None, steps=0, delays=0, regions=None, activation=None,
                 readout=None, nulls=0, null_model='strength', seed=None, into=None, scale=1.0,
                 observe='tavg', period=0.01, classes=0):
        ptr = ctypes.POINTER(_ffi.dtb_reservoir)()
        if isinstance(source, Experiment):
            if into is None:
                raise InvalidArgument(_ffi.DTB_EINVAL, 'a simulation reservoir needs into= (the '
                                      'variable, parameter or input the task enters)')
            with source._lock:
                _check(_ffi.dtb_reservoir_create_sim(ctypes.byref(ptr), source._h, _b(into),
                                                     float(scale), _b(observe), float(period)))
        else:
            with source._lock:   # not closed while it is copied
                _check(_ffi.dtb_reservoir_create(ctypes.byref(ptr), source._h))
        super().__init__(ptr)
        self._nulls = int(nulls)
        self._alphas = []
        if seed is not None:
            _check(_ffi.dtb_reservoir_set_seed(self._h, int(seed)))
        if activation is not None:
            _check(_ffi.dtb_reservoir_set_activation(self._h, _b(activation)))
        if regions is not None:
            _check(_ffi.dtb_reservoir_set_regions(self._h, _b(regions[0]), _b(regions[1])))
        if readout is not None:
            _check(_ffi.dtb_reservoir_set_readout(self._h, _b(readout)))
        _check(_ffi.dtb_reservoir_set_nulls(self._h, _enum(_ffi.dtb_null_model, 'DTB_NULL_',
                                                           null_model), self._nulls))
        if isinstance(task, (tuple, list)):
            self.set_task_data(task[0], task[1], classes)
        elif task is not None or steps or delays:
            _check(_ffi.dtb_reservoir_set_task(self._h, _b(task or 'memory-capacity'), int(steps),
                                               int(delays)))

    @staticmethod
    def _columns(values, name='values'):
        """values (T, or T x C) as T x C rows, the shape checked before
        it reaches C: at least one row and one column, no ragged rows."""
        shape = _shape(values, name)
        if len(shape) == 1:
            values = [[v] for v in values] if _core._np is None or not isinstance(values, _core._np.ndarray) \
                else values.reshape(-1, 1)
            shape = (shape[0], 1)
        if len(shape) != 2 or not shape[0] or not shape[1]:
            raise InvalidArgument(_ffi.DTB_EINVAL, f'{name}: shape {shape}, expected T or T x C '
                                  '(at least one value)')
        return values, shape[0], shape[1]

    def set_task_data(self, u, y, classes=0):
        """Your own task: input u (T or T x C), targets y (T or T x Q);
        classes=K: y holds class indices (-1: no decision at that step)."""
        u2, T, C = self._columns(u, 'u')
        y2, Ty, Q = self._columns(y, 'y')
        if Ty != T:
            raise InvalidArgument(_ffi.DTB_EINVAL, f'y: {Ty} rows, u has {T}')
        pu, _, keep_u = _doubles(u2, (T, C), 'u')
        py, _, keep_y = _doubles(y2, (T, Q), 'y')
        _check(_ffi.dtb_reservoir_set_task_data(self._h, pu, T, C, py, Q, int(classes)))
        return self

    def states(self, alpha, u, network=-1):
        """The states for the input u (T or T x C): T x regions for an
        echo-state network (row t: the state after input row t)."""
        u2, T, C = self._columns(u, 'u')
        pu, _, keep = _doubles(u2, (T, C), 'u')
        needed = ctypes.c_size_t()
        _check(_ffi.dtb_reservoir_states(self._h, float(alpha), int(network), pu, T, C, None, 0,
                                         ctypes.byref(needed)))
        arr, ptr = _buffer(needed.value)
        _check(_ffi.dtb_reservoir_states(self._h, float(alpha), int(network), pu, T, C, ptr,
                                         needed.value, None))
        return _matrix(arr, T, needed.value // T)

    def score(self, alpha, network=-1, readout_path=None):
        """The task score of one network (-1: the connectome, k: null k);
        readout_path: save the fitted readout (dtb.readout_predict reads it)."""
        out = ctypes.c_double()
        _check(_ffi.dtb_reservoir_score(self._h, float(alpha), int(network), _b(readout_path),
                                        ctypes.byref(out)))
        return out.value

    def run(self, alphas, out_dir=None, jobs=1, mpi=False, mpi_comm=0, progress=None):
        """Every alpha on the connectome and its nulls (threads; MPI ranks
        with mpi=True). out_dir: reservoir.csv, reservoir.svg, provenance."""
        alphas = [float(a) for a in (alphas if hasattr(alphas, '__len__') else [alphas])]
        pa, n, keep_a = _doubles(alphas)
        opts, keep = _explore_options(self, out_dir, jobs, 0, False, False, mpi, mpi_comm,
                                      progress)
        status = _ffi.dtb_reservoir_run(self._h, pa, n, ctypes.byref(opts))
        if keep is not None and keep.error is not None:
            raise keep.error
        _check(status)
        self._alphas = alphas
        return self

    def request_stop(self):
        """Stop the running run (from any thread); it raises dtb.Cancelled. Never waits."""
        self._stop(_ffi.dtb_reservoir_request_stop)

    @property
    def alphas(self):
        """The alphas of the last run."""
        return list(self._alphas)

    @property
    def results(self):
        """alphas x (1 + nulls) scores of the last run: column 0 the
        connectome, column k + 1 null k (NaN: not run or failed)."""
        rows = [[_ffi.dtb_reservoir_result(self._h, a, k) for k in range(-1, self._nulls)]
                for a in range(len(self._alphas))]
        return _core._np.array(rows, dtype=float) if _core._np is not None else rows

    @property
    def percentiles(self):
        """Per alpha, the percentage of nulls scoring below the connectome."""
        return [_ffi.dtb_reservoir_percentile(self._h, a) for a in range(len(self._alphas))]


def readout_predict(path, states):
    """Apply a readout saved by Reservoir.score(readout_path=...) to states
    (T x features): T x targets."""
    x, T, p = Reservoir._columns(states, 'states')
    px, _, keep = _doubles(x, (T, p), 'states')
    needed = ctypes.c_size_t()
    _check(_ffi.dtb_readout_predict(_b(path), px, T, p, None, 0, ctypes.byref(needed)))
    arr, ptr = _buffer(needed.value)
    _check(_ffi.dtb_readout_predict(_b(path), px, T, p, ptr, needed.value, None))
    return _matrix(arr, T, needed.value // T)
