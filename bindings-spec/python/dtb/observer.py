# SPDX-License-Identifier: GPL-3.0-or-later
"""What a simulation records: observers and their samples (Trace)."""
import ctypes

from . import _ffi, _core
from ._core import (StateError, _Handle, _buffer, _check, _matrix, _s)


class Trace:
    """Samples of an observer: `t` (one time in seconds per sample),
    `values` (one row per sample, one column per variable and region) and
    `columns` (their names, 'V.0', 'V.1', ...). Unpacks as t, values.

    Indexing:
      trace[i]          (t, row) of sample i (negative i from the end)
      trace[a:b:c]      a Trace of those samples
      trace['V.3']      one column: an array over the samples
      trace['V']        every column of a variable: samples x regions
    len(trace) is the number of samples."""
    __slots__ = ('t', 'values', 'columns')

    def __init__(self, t, values, columns):
        self.t = t
        self.values = values
        self.columns = columns

    def __iter__(self):
        return iter((self.t, self.values))

    def __len__(self):
        return len(self.t)

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._column(key)
        if isinstance(key, slice):
            rows = self.values[key]
            return Trace(self.t[key], rows if _core._np is not None else list(rows), self.columns)
        if isinstance(key, bool) or not hasattr(key, '__index__'):
            raise TypeError(f'Trace indices are sample numbers, slices or column names, '
                            f'not {type(key).__name__}')
        i = key.__index__()
        n = len(self.t)
        if not -n <= i < n:
            raise IndexError(f'sample {i}: the trace has {n} samples')
        return self.t[i], self.values[i]

    def _column(self, name):
        if name in self.columns:
            j = self.columns.index(name)
            picks = [j]
            single = True
        else:
            picks = [j for j, c in enumerate(self.columns) if c.rsplit('.', 1)[0] == name]
            single = False
            if not picks:
                variables = sorted({c.rsplit('.', 1)[0] for c in self.columns})
                raise KeyError(f'no column or variable {name!r} (variables: '
                               f'{", ".join(variables)})')
        if _core._np is not None:
            block = _core._np.asarray(self.values).reshape(len(self.t), len(self.columns))
            return block[:, picks[0]] if single else block[:, picks]
        if single:
            return [row[picks[0]] for row in self.values]
        return [[row[j] for j in picks] for row in self.values]

    def __repr__(self):
        return f'Trace({len(self.t)} samples x {len(self.columns)} columns)'


class Observer(_Handle):
    """What a simulation records (Sim.record() makes one)."""
    _free = staticmethod(_ffi.dtb_observer_free)

    def __init__(self, ptr, sim, sink):
        # the simulation's lock: reading samples while it runs on another
        # thread would race with the run writing them
        super().__init__(ptr, sim._lock)
        self.sim = sim
        self.sink = sink
        # matrix observers have a result, not samples to read
        self.matrix = _ffi.dtb_observer_kind_of(ptr) in (
            _ffi.DTB_OBSERVER_FC, _ffi.DTB_OBSERVER_FCD, _ffi.DTB_OBSERVER_PSD)

    @property
    def columns(self):
        """Column names ('V.0', 'V.1', ...)."""
        return [_s(_ffi.dtb_observer_column_name(self._h, i))
                for i in range(_ffi.dtb_observer_column_count(self._h))]

    @property
    def sample_count(self):
        """Samples emitted since creation, whatever the sink."""
        return _ffi.dtb_observer_sample_count(self._h)

    def read(self):
        """Take every sample waiting in a memory observer: Trace (t, values)."""
        n = _ffi.dtb_observer_pending(self._h)
        cols = _ffi.dtb_observer_column_count(self._h)
        times, tptr = _buffer(max(n, 0))
        values, vptr = _buffer(max(n, 0) * cols)
        got = ctypes.c_size_t()
        _check(_ffi.dtb_observer_read(self._h, tptr, vptr, max(n, 0), ctypes.byref(got)))
        t = times if _core._np is not None else list(times)
        return Trace(t, _matrix(values, got.value, cols), self.columns)

    def flush(self):
        """CSV/NPY sinks: write what is buffered and make the file complete."""
        _check(_ffi.dtb_observer_flush(self._h))

    @property
    def kind(self):
        """'raw', 'subsample', 'tavg', 'bold', 'projection', 'fc', 'fcd',
        'psd', 'spikes' or 'rate'."""
        _check(_ffi.dtb_observer_kind_of(self._h))
        return _s(_ffi.dtb_observer_kind_name(self._h))

    def result(self):
        """FC, FCD and PSD observers: the result so far, a matrix (FC
        n x n; FCD windows x windows; PSD frequencies x (1 + n), column 0
        the frequency in Hz). dtb.StateError for sample observers."""
        rows, cols = ctypes.c_int64(), ctypes.c_int64()
        _check(_ffi.dtb_observer_result(self._h, None, 0, ctypes.byref(rows), ctypes.byref(cols)))
        n = rows.value * cols.value
        arr, ptr = _buffer(n)
        _check(_ffi.dtb_observer_result(self._h, ptr, n, None, None))
        return _matrix(arr, rows.value, cols.value)


class _BorrowedObserver(Observer):
    """An observer of a BuiltExperiment's simulation: owned by it (never
    freed here), locked by its lock; unusable once it is closed."""
    _free = staticmethod(lambda ptr: None)

    def __init__(self, ptr, sim):
        super().__init__(ptr, sim, None)

    @property
    def _h(self):
        if not self._ptr or not self.sim._built._ptr:
            raise StateError(_ffi.DTB_ESTATE, 'Observer of a closed BuiltExperiment')
        return self._ptr
