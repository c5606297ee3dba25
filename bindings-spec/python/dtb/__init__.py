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

This layer is hand-written on top of `dtb._ffi`, which is generated from
bindings-spec/dtb-api.json (see bindings-spec/README.md).
"""
import ctypes
import itertools
import threading
import weakref

from . import _ffi

try:
    import numpy as _np
except ImportError:  # NumPy is optional
    _np = None

__all__ = ['Atlas', 'Model', 'Sim', 'Observer', 'Trace', 'SpikingNet', 'Error', 'InvalidArgument',
           'OutOfMemory', 'Cancelled', 'NotFound', 'ParseError', 'NumericError',
           'Unsupported', 'IOFailure', 'StateError', 'version', 'use_numpy']

version = _ffi.dtb_version_string().decode()


def use_numpy(enabled):
    """Return NumPy arrays (True, the default when NumPy is installed) or
    plain lists (False). Returns the previous setting."""
    global _np
    previous = _np is not None
    if enabled:
        import numpy
        _np = numpy
    else:
        _np = None
    return previous


# ------------------------------------------------------------------ errors

class Error(Exception):
    """A libdtb call failed. `status` is the dtb_status code, `message` the
    library's message (what and where)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class InvalidArgument(Error, ValueError):
    pass


class OutOfMemory(Error, MemoryError):
    pass


class Cancelled(Error):
    """The run was stopped by a callback or by Sim.request_stop()."""


class NotFound(Error, LookupError):
    pass


class ParseError(Error, ValueError):
    pass


class NumericError(Error, ArithmeticError):
    pass


class Unsupported(Error):
    pass


class IOFailure(Error, OSError):
    pass


class StateError(Error):
    pass


_ERRORS = {_ffi.DTB_EINVAL: InvalidArgument, _ffi.DTB_ENOMEM: OutOfMemory,
           _ffi.DTB_ECANCELLED: Cancelled, _ffi.DTB_ENOTFOUND: NotFound,
           _ffi.DTB_EPARSE: ParseError, _ffi.DTB_ENUMERIC: NumericError,
           _ffi.DTB_EUNSUPPORTED: Unsupported, _ffi.DTB_EIO: IOFailure,
           _ffi.DTB_ESTATE: StateError, _ffi.DTB_EBUFSIZE: InvalidArgument}


def _check(status):
    """Raise for a negative dtb_status. The message is read at once, on this
    thread (it is thread-local in libdtb)."""
    if status < 0:
        message = _ffi.dtb_last_error_message().decode('utf-8', 'replace')
        raise _ERRORS.get(status, Error)(status, message)
    return status


def _b(text):
    return None if text is None else str(text).encode('utf-8')


def _s(raw):
    return None if raw is None else raw.decode('utf-8', 'replace')


def _doubles(values):
    """A ctypes double array holding `values` (any iterable, or a NumPy array)."""
    if _np is not None:
        values = _np.ascontiguousarray(values, dtype=_np.float64).ravel()
        return values.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), values.size, values
    values = [float(v) for v in _flatten(values)]
    arr = (ctypes.c_double * len(values))(*values)
    return arr, len(values), arr


def _flatten(values):
    for v in values:
        if isinstance(v, (list, tuple)):
            yield from _flatten(v)
        else:
            yield v


def _matrix(flat, rows, cols):
    """rows x cols values from a flat ctypes or NumPy buffer."""
    if _np is not None:
        return _np.asarray(flat).reshape(rows, cols)
    return [list(flat[r * cols:(r + 1) * cols]) for r in range(rows)]


def _buffer(n, ctype=ctypes.c_double):
    if _np is not None:
        dtype = _np.float64 if ctype is ctypes.c_double else _np.int64
        arr = _np.zeros(n, dtype=dtype)
        return arr, arr.ctypes.data_as(ctypes.POINTER(ctype))
    arr = (ctype * n)()
    return arr, arr


def _copy_out(fn, handle, *args, ctype=ctypes.c_double):
    """The two-call idiom: ask the size, then copy into a buffer."""
    needed = ctypes.c_size_t()
    _check(fn(handle, *args, None, 0, ctypes.byref(needed)))
    arr, ptr = _buffer(needed.value, ctype)
    _check(fn(handle, *args, ptr, needed.value, None))
    return arr


def _enum(enum_type, prefix, value):
    """An enum value from a name ('heun'), an enum member or an int."""
    if value is None:
        return 0
    if isinstance(value, str):
        try:
            return int(enum_type[prefix + value.upper().replace('-', '_')])
        except KeyError:
            names = ', '.join(m.name[len(prefix):].lower() for m in enum_type)
            what = enum_type.__name__[len('dtb_'):].replace('_kind', '')
            raise InvalidArgument(_ffi.DTB_EINVAL, f'unknown {what} {value!r} '
                                  f'(known: {names})') from None
    return int(value)


# --------------------------------------------------------------- callbacks

class _Callbacks:
    """Python callables reached from C through one trampoline per callback
    type. user_data carries a key into this table; a stored callback's key
    is dropped when libdtb calls its destroy function (scope 'notified'), a
    per-call one when the call returns (scope 'call')."""

    def __init__(self):
        self._lock = threading.Lock()
        self._table = {}
        self._keys = itertools.count(1)

    def add(self, entry):
        with self._lock:
            key = next(self._keys)
            self._table[key] = entry
        return key

    def get(self, key):
        with self._lock:
            return self._table.get(key)

    def drop(self, key):
        with self._lock:
            self._table.pop(key, None)


_callbacks = _Callbacks()


class _Entry:
    def __init__(self, fn, sim):
        self.fn = fn
        # Weak: a stored entry lives until libdtb destroys the observer, which
        # happens only when the Sim goes, so a strong reference would be a leak.
        self.sim = weakref.ref(sim)


def _call(key, *args):
    entry = _callbacks.get(key)
    if entry is None:
        return 1
    try:
        stop = entry.fn(*args)
    except BaseException as e:  # never unwind through libdtb: stop, re-raise later
        sim = entry.sim()
        if sim is not None:
            sim._errors.append(e)
        return 1
    return 1 if stop else 0


def _progress_trampoline(t, fraction, user_data):
    return _call(user_data, t, fraction)


def _sample_trampoline(t, values, n_values, user_data):
    entry = _callbacks.get(user_data)
    if entry is None:
        return 1
    if _np is not None:
        row = _np.ctypeslib.as_array(values, shape=(n_values,)).copy()
    else:
        row = values[:n_values]
    return _call(user_data, t, row)


def _destroy_trampoline(user_data):
    _callbacks.drop(user_data)


# Kept for the life of the module: libdtb may call them until the process ends.
_PROGRESS = _ffi.dtb_progress_fn(_progress_trampoline)
_SAMPLE = _ffi.dtb_sample_fn(_sample_trampoline)
_DESTROY = _ffi.dtb_destroy_fn(_destroy_trampoline)
_NO_PROGRESS = _ffi.dtb_progress_fn()   # a NULL function pointer


# ------------------------------------------------------------------ handles

class _Handle:
    _free = None

    def __init__(self, ptr):
        self._ptr = ptr

    def close(self):
        """Free the C object now (it is also freed when garbage-collected)."""
        ptr, self._ptr = getattr(self, '_ptr', None), None
        if ptr:
            type(self)._free(ptr)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def _h(self):
        if not self._ptr:
            raise StateError(_ffi.DTB_ESTATE, f'{type(self).__name__} is closed')
        return self._ptr


class Atlas(_Handle):
    """Brain regions and their structural connectivity.

    Atlas(name_or_path): a built-in atlas ('bn246'), a TVB folder
    (weights.txt, tract_lengths.txt, centres.txt, region_labels.txt) or a
    single CSV/text weight matrix. Atlas.from_arrays() builds one from data.
    """
    _free = staticmethod(_ffi.dtb_atlas_free)

    def __init__(self, name_or_path, **paths):
        ptr = ctypes.POINTER(_ffi.dtb_atlas)()
        opts = None
        if paths:
            opts = _ffi.dtb_atlas_load_options()
            _check(_ffi.dtb_atlas_load_options_init(ctypes.byref(opts),
                                                    _ffi.DTB_ATLAS_LOAD_OPTIONS_VERSION))
            for k, v in paths.items():
                setattr(opts, k, _b(v))
            opts = ctypes.byref(opts)
        _check(_ffi.dtb_atlas_load(ctypes.byref(ptr), _b(name_or_path), opts))
        super().__init__(ptr)

    @classmethod
    def from_arrays(cls, weights, tract_lengths=None, centres=None, labels=None):
        """weights: n x n (rows are targets); tract_lengths n x n in mm;
        centres n x 3 in mm; labels n strings. All copied."""
        w, nw, keep_w = _doubles(weights)
        n = int(round(nw ** 0.5))
        if n * n != nw:
            raise InvalidArgument(_ffi.DTB_EINVAL, f'weights has {nw} values, not n*n')
        tl = _doubles(tract_lengths) if tract_lengths is not None else (None, 0, None)
        ce = _doubles(centres) if centres is not None else (None, 0, None)
        lab = None
        if labels is not None:
            lab = (ctypes.c_char_p * n)(*[_b(x) for x in labels])
        ptr = ctypes.POINTER(_ffi.dtb_atlas)()
        _check(_ffi.dtb_atlas_create_from_arrays(ctypes.byref(ptr), n, w, tl[0], ce[0], lab))
        self = cls.__new__(cls)
        _Handle.__init__(self, ptr)
        return self

    @staticmethod
    def builtins():
        return [_s(_ffi.dtb_atlas_builtin_name(i)) for i in range(_ffi.dtb_atlas_builtin_count())]

    @property
    def name(self):
        return _s(_ffi.dtb_atlas_name(self._h))

    @property
    def n_regions(self):
        return _ffi.dtb_atlas_region_count(self._h)

    def __len__(self):
        return self.n_regions

    @property
    def labels(self):
        return [_s(_ffi.dtb_atlas_region_label(self._h, k)) for k in range(self.n_regions)]

    @property
    def weights(self):
        """n x n weights (rows are targets), a copy."""
        n = self.n_regions
        return _matrix(_copy_out(_ffi.dtb_atlas_copy_weights, self._h), n, n)


class Model(_Handle):
    """A compiled region-model descriptor.

    Model(name_or_path): a built-in model ('generic_2d_oscillator') or an XML
    file; Model.from_xml(text) reads a string. model['a'] reads and
    model['a'] = 1.05 sets a parameter (in its own unit)."""
    _free = staticmethod(_ffi.dtb_model_free)

    def __init__(self, name_or_path):
        ptr = ctypes.POINTER(_ffi.dtb_model)()
        _check(_ffi.dtb_model_load(ctypes.byref(ptr), _b(name_or_path), None))
        super().__init__(ptr)

    @classmethod
    def from_xml(cls, xml, source_name='<string>'):
        data = _b(xml)
        ptr = ctypes.POINTER(_ffi.dtb_model)()
        _check(_ffi.dtb_model_load_string(ctypes.byref(ptr), data, len(data), _b(source_name),
                                          None))
        self = cls.__new__(cls)
        _Handle.__init__(self, ptr)
        return self

    @staticmethod
    def builtins():
        return [_s(_ffi.dtb_model_builtin_name(i)) for i in range(_ffi.dtb_model_builtin_count())]

    @property
    def name(self):
        return _s(_ffi.dtb_model_name(self._h))

    @property
    def params(self):
        return [_s(_ffi.dtb_model_param_name(self._h, i))
                for i in range(_ffi.dtb_model_param_count(self._h))]

    @property
    def states(self):
        return [_s(_ffi.dtb_model_state_name(self._h, i))
                for i in range(_ffi.dtb_model_state_count(self._h))]

    def __getitem__(self, name):
        v = ctypes.c_double()
        _check(_ffi.dtb_model_get_param(self._h, _b(name), ctypes.byref(v)))
        return v.value

    def __setitem__(self, name, value):
        if isinstance(value, str):
            _check(_ffi.dtb_model_set_param_string(self._h, _b(name), _b(value)))
        else:
            _check(_ffi.dtb_model_set_param(self._h, _b(name), float(value)))


class Trace:
    """Samples of an observer: `t` (one time in seconds per sample),
    `values` (one row per sample, one column per variable and region) and
    `columns` (their names, 'V.0', 'V.1', ...). Unpacks as t, values."""
    __slots__ = ('t', 'values', 'columns')

    def __init__(self, t, values, columns):
        self.t = t
        self.values = values
        self.columns = columns

    def __iter__(self):
        return iter((self.t, self.values))

    def __len__(self):
        return len(self.t)

    def __repr__(self):
        return f'Trace({len(self.t)} samples x {len(self.columns)} columns)'


class Observer(_Handle):
    """What a simulation records (Sim.record() makes one)."""
    _free = staticmethod(_ffi.dtb_observer_free)

    def __init__(self, ptr, sim, sink):
        super().__init__(ptr)
        self.sim = sim
        self.sink = sink

    @property
    def columns(self):
        return [_s(_ffi.dtb_observer_column_name(self._h, i))
                for i in range(_ffi.dtb_observer_column_count(self._h))]

    @property
    def sample_count(self):
        return _ffi.dtb_observer_sample_count(self._h)

    def read(self):
        """Take every sample waiting in a memory observer: Trace (t, values)."""
        n = _ffi.dtb_observer_pending(self._h)
        cols = _ffi.dtb_observer_column_count(self._h)
        times, tptr = _buffer(max(n, 0))
        values, vptr = _buffer(max(n, 0) * cols)
        got = ctypes.c_size_t()
        _check(_ffi.dtb_observer_read(self._h, tptr, vptr, max(n, 0), ctypes.byref(got)))
        t = times if _np is not None else list(times)
        return Trace(t, _matrix(values, got.value, cols), self.columns)

    def flush(self):
        _check(_ffi.dtb_observer_flush(self._h))


class Sim(_Handle):
    """One simulation: atlas x model x coupling x integrator x observers.

    Sim(atlas, model, dt=None, speed=None, integrator=None, coupling=None,
        seed=0, rtol=None, atol=None, flags=0)
    Unset values take libdtb's defaults (dt 0.1 ms, 3 m/s, Heun, linear
    coupling). integrator and coupling take names ('rk4', 'gsl-rk8pd',
    'kuramoto') or the _ffi enum values. The atlas and model are copied.
    """
    _free = staticmethod(_ffi.dtb_sim_free)

    def __init__(self, atlas, model, dt=None, speed=None, integrator=None, coupling=None,
                 seed=0, rtol=None, atol=None, flags=0):
        opts = _ffi.dtb_sim_options()
        _check(_ffi.dtb_sim_options_init(ctypes.byref(opts), _ffi.DTB_SIM_OPTIONS_VERSION))
        opts.dt = dt or 0.0
        opts.speed = speed or 0.0
        opts.integrator = _enum(_ffi.dtb_integrator, 'DTB_INTEGRATOR_', integrator)
        opts.coupling = _enum(_ffi.dtb_coupling_kind, 'DTB_COUPLING_', coupling)
        opts.seed = seed
        opts.rtol = rtol or 0.0
        opts.atol = atol or 0.0
        opts.flags = flags
        ptr = ctypes.POINTER(_ffi.dtb_sim)()
        _check(_ffi.dtb_sim_create(ctypes.byref(ptr), atlas._h, model._h, ctypes.byref(opts)))
        super().__init__(ptr)
        self._observers = []
        self._errors = []
        self._states = model.states

    # -- configuration
    def set_param(self, name, value):
        """One value for every region, or a sequence with one per region."""
        if isinstance(value, (int, float)):
            _check(_ffi.dtb_sim_set_param(self._h, _b(name), float(value)))
        else:
            ptr, n, _keep = _doubles(value)
            _check(_ffi.dtb_sim_set_param_regions(self._h, _b(name), ptr, n))

    def set_coupling(self, kind, **params):
        _check(_ffi.dtb_sim_set_coupling(self._h, _enum(_ffi.dtb_coupling_kind,
                                                        'DTB_COUPLING_', kind)))
        for k, v in params.items():
            self.set_coupling_param(k, v)

    def set_coupling_param(self, name, value):
        _check(_ffi.dtb_sim_set_coupling_param(self._h, _b(name), float(value)))

    def set_noise(self, D, state=-1):
        """Noise intensity D of one state variable (index or name; -1: all)."""
        if isinstance(state, str):
            if state not in self._states:
                raise NotFound(_ffi.DTB_ENOTFOUND, f'no state variable {state!r} '
                               f'(the model has {", ".join(self._states)})')
            state = self._states.index(state)
        _check(_ffi.dtb_sim_set_noise(self._h, state, float(D)))

    def record(self, kind='tavg', period=None, variables=None, callback=None, path=None,
               sink=None):
        """Attach an observer. kind: 'raw', 'subsample' or 'tavg'; period in
        seconds; variables: 'V,W' or a list (default: variables of
        interest). With callback=fn, fn(t, values) is called once per sample
        (values: one per column); a true return value stops the run. With
        path=..., samples go to a CSV or NPY file (by sink= or suffix).
        Otherwise they stay in memory until read."""
        opts = _ffi.dtb_observer_options()
        _check(_ffi.dtb_observer_options_init(ctypes.byref(opts),
                                              _ffi.DTB_OBSERVER_OPTIONS_VERSION))
        opts.kind = _enum(_ffi.dtb_observer_kind, 'DTB_OBSERVER_', kind)
        opts.period = period or 0.0
        if variables is not None and not isinstance(variables, str):
            variables = ','.join(variables)
        opts.variables = _b(variables)
        key = None
        if callback is not None:
            opts.sink = _ffi.DTB_SINK_CALLBACK
            key = _callbacks.add(_Entry(callback, self))
            opts.callback = _SAMPLE
            opts.user_data = key
            opts.destroy = _DESTROY
        elif path is not None:
            if sink is None:
                sink = 'npy' if str(path).endswith('.npy') else 'csv'
            opts.sink = _enum(_ffi.dtb_sink_kind, 'DTB_SINK_', sink)
            opts.path = _b(path)
        ptr = ctypes.POINTER(_ffi.dtb_observer)()
        status = _ffi.dtb_observer_create(ctypes.byref(ptr), self._h, ctypes.byref(opts))
        if status < 0 and key is not None:
            _callbacks.drop(key)  # not stored: libdtb will not call destroy
        _check(status)
        obs = Observer(ptr, self, int(opts.sink))
        self._observers.append(obs)
        return obs

    # -- running
    def run(self, duration, progress=None):
        """Advance `duration` seconds. progress(t, fraction) is called about
        a thousand times; a true return stops the run (dtb.Cancelled).
        Returns the samples of the first memory observer as a Trace (t,
        values), recording the default (1 ms temporal average of the
        variables of interest) if no observer was attached."""
        if not self._observers:
            self.record()
        self._run(_ffi.dtb_sim_run, duration, progress)
        memory = [o for o in self._observers if o.sink == _ffi.DTB_SINK_MEMORY]
        return memory[0].read() if memory else None

    def step(self, n_steps=1):
        self._run(lambda h, n, fn, ud: _ffi.dtb_sim_step(h, n), int(n_steps), None)

    def _run(self, fn, arg, progress):
        key = _callbacks.add(_Entry(progress, self)) if progress is not None else None
        self._errors = []
        try:
            status = fn(self._h, arg, _PROGRESS if key else _NO_PROGRESS, key)
        finally:
            if key is not None:
                _callbacks.drop(key)
        if self._errors:
            raise self._errors[0]
        _check(status)

    def request_stop(self):
        """Stop the running step/run after the current step (from a
        callback or another thread); it raises dtb.Cancelled."""
        _ffi.dtb_sim_request_stop(self._h)

    # -- inspection
    @property
    def time(self):
        return _ffi.dtb_sim_time(self._h)

    @property
    def step_index(self):
        return _ffi.dtb_sim_step_index(self._h)

    @property
    def dt(self):
        return _ffi.dtb_sim_dt(self._h)

    @property
    def n_regions(self):
        return _ffi.dtb_sim_region_count(self._h)

    @property
    def state(self):
        """Current state: states x regions, a copy."""
        flat = _copy_out(_ffi.dtb_sim_get_state, self._h)
        return _matrix(flat, _ffi.dtb_sim_state_count(self._h), self.n_regions)

    def columns(self):
        """Column names of the first observer ('V.0', 'V.1', ...)."""
        if not self._observers:
            return []
        return self._observers[0].columns


# ---------------------------------------------------------------- spiking

_DISTS = {'constant': _ffi.DTB_DIST_CONSTANT, 'uniform': _ffi.DTB_DIST_UNIFORM,
          'normal': _ffi.DTB_DIST_NORMAL}


def _dist(value):
    """(dist, a, b) from a number or a tuple ('uniform', a, b) / ('normal', mean, sd)."""
    if isinstance(value, tuple):
        kind, a, b = value
        if kind not in _DISTS:
            raise InvalidArgument(_ffi.DTB_EINVAL, f'unknown distribution {kind!r} '
                                  f'(known: {", ".join(_DISTS)})')
        return _DISTS[kind], float(a), float(b)
    return _ffi.DTB_DIST_CONSTANT, float(value), 0.0


class SpikingNet(_Handle):
    """A network of spiking populations (man dtb_spiking(3)).

        net = dtb.SpikingNet(dt=1e-4, seed=1)
        e = net.add_population('E', 'lif', 800)
        ampa = net.add_receptor(e, 'ampa', 'exp', tau_decay=5e-3)
        net.connect(e, e, ampa, rule='fixed_probability', p=0.02, weight=0.01)
        net.add_poisson(e, ampa, rate=1000.0, weight=0.02)
        net.record(e)
        net.run(1.0)
        cells, times = net.spikes(e)

    Times are seconds, rates Hz; cell parameters in the units of the cell
    table (SI for LEMS cells). Values may be numbers, per-cell sequences, or
    ('uniform', a, b) / ('normal', mean, sd) to draw one per cell.
    SpikingNet.benchmark('cuba' | 'coba', n, seed) builds the Vogels-Abbott
    networks."""
    _free = staticmethod(_ffi.dtb_spiking_free)

    def __init__(self, dt=1e-4, seed=0, _ptr=None):
        ptr = _ptr
        if ptr is None:
            ptr = ctypes.POINTER(_ffi.dtb_spiking_net)()
            _check(_ffi.dtb_spiking_create(ctypes.byref(ptr), float(dt), int(seed)))
        super().__init__(ptr)

    @classmethod
    def benchmark(cls, name, n=4000, seed=12345):
        ptr = ctypes.POINTER(_ffi.dtb_spiking_net)()
        _check(_ffi.dtb_spiking_create_benchmark(ctypes.byref(ptr), _b(name), int(n), int(seed)))
        return cls(_ptr=ptr)

    @staticmethod
    def cell_models():
        return [_s(_ffi.dtb_spiking_cell_model_name(i))
                for i in range(_ffi.dtb_spiking_cell_model_count())]

    def add_population(self, name, model='lif', n=1):
        index = ctypes.c_int64()
        _check(_ffi.dtb_spiking_add_population(self._h, _b(name), _b(model), int(n),
                                               ctypes.byref(index)))
        return index.value

    def add_lems_population(self, name, path, cell, n=1, include=()):
        """A population of a LEMS/NeuroML cell type: `cell` is a component id
        or a ComponentType name of the file at `path`."""
        dirs = (ctypes.c_char_p * max(len(include), 1))(*[_b(d) for d in include])
        index = ctypes.c_int64()
        _check(_ffi.dtb_spiking_add_lems_population(self._h, _b(name), _b(path), _b(cell), int(n),
                                                    dirs if include else None, len(include),
                                                    ctypes.byref(index)))
        return index.value

    def add_receptor(self, pop, name, kind='exp', mode='current', tau_decay=5e-3, tau_rise=0.0,
                     e_rev=0.0):
        index = ctypes.c_int64()
        _check(_ffi.dtb_spiking_add_receptor(
            self._h, int(pop), _b(name), _enum(_ffi.dtb_synapse_kind, 'DTB_SYNAPSE_', kind),
            _enum(_ffi.dtb_synapse_mode, 'DTB_SYNAPSE_', mode), float(tau_rise), float(tau_decay),
            float(e_rev), ctypes.byref(index)))
        return index.value

    def connect(self, pre, post, receptor, rule='all_to_all', p=0.0, indegree=0, weight=1.0,
                delay=0.0, autapses=False):
        """Connect by a rule ('all_to_all', 'fixed_probability', 'fixed_indegree',
        'one_to_one'); returns the number of synapses made."""
        opts = _ffi.dtb_connect_options()
        _check(_ffi.dtb_connect_options_init(ctypes.byref(opts), _ffi.DTB_CONNECT_OPTIONS_VERSION))
        opts.rule = _enum(_ffi.dtb_connect_rule, 'DTB_CONNECT_', rule)
        opts.p = float(p)
        opts.indegree = int(indegree)
        opts.flags = _ffi.DTB_CONNECT_FLAG_AUTAPSES if autapses else 0
        opts.weight_dist, opts.weight_a, opts.weight_b = _dist(weight)
        opts.delay_dist, opts.delay_a, opts.delay_b = _dist(delay)
        n = ctypes.c_int64()
        _check(_ffi.dtb_spiking_connect(self._h, int(pre), int(post), int(receptor),
                                        ctypes.byref(opts), ctypes.byref(n)))
        return n.value

    def connect_file(self, pre, post, receptor, path, projection=None, default_weight=1.0):
        """Synapses from a CSV file (pre, post[, weight][, delay]) or a NeuroML2
        <projection>."""
        _check(_ffi.dtb_spiking_connect_file(self._h, int(pre), int(post), int(receptor), _b(path),
                                             _b(projection), float(default_weight)))

    def _set(self, fn_dist, fn_values, pop, name, value):
        if isinstance(value, tuple) or not hasattr(value, '__len__'):
            dist, a, b = _dist(value)
            _check(fn_dist(self._h, int(pop), _b(name), dist, a, b))
        else:
            ptr, n, _keep = _doubles(value)
            _check(fn_values(self._h, int(pop), _b(name), ptr, n))

    def set_param(self, pop, name, value):
        self._set(_ffi.dtb_spiking_set_param, _ffi.dtb_spiking_set_param_values, pop, name, value)

    def set_state(self, pop, name, value):
        self._set(_ffi.dtb_spiking_set_state, _ffi.dtb_spiking_set_state_values, pop, name, value)

    def param(self, pop, name):
        return _copy_out(_ffi.dtb_spiking_get_param_values, self._h, int(pop), _b(name))

    def state(self, pop, name):
        return _copy_out(_ffi.dtb_spiking_get_state_values, self._h, int(pop), _b(name))

    def set_method(self, pop, method):
        """'default' or 'euler'."""
        _check(_ffi.dtb_spiking_set_method(self._h, int(pop),
                                           _enum(_ffi.dtb_spiking_method, 'DTB_SPIKING_METHOD_',
                                                 method)))

    def add_poisson(self, pop, receptor, rate, weight):
        index = ctypes.c_int64()
        _check(_ffi.dtb_spiking_add_poisson(self._h, int(pop), int(receptor), float(rate),
                                            float(weight), ctypes.byref(index)))
        return index.value

    def set_poisson_rate(self, index, rate):
        _check(_ffi.dtb_spiking_set_poisson_rate(self._h, int(index), float(rate)))

    def add_spike_train(self, pop, cell, receptor, times, weight):
        ptr, n, _keep = _doubles(times)
        _check(_ffi.dtb_spiking_add_spike_train(self._h, int(pop), int(cell), int(receptor), ptr, n,
                                                float(weight)))

    def record(self, pop, on=True):
        _check(_ffi.dtb_spiking_record(self._h, int(pop), 1 if on else 0))

    def run(self, duration):
        _check(_ffi.dtb_spiking_run(self._h, float(duration)))

    def step(self, n_steps=1):
        _check(_ffi.dtb_spiking_step(self._h, int(n_steps)))

    def spikes(self, pop):
        """(cells, times) of the recorded spikes of pop, in time order."""
        needed = ctypes.c_size_t()
        _check(_ffi.dtb_spiking_get_spikes(self._h, int(pop), None, None, 0, ctypes.byref(needed)))
        cells, cptr = _buffer(needed.value, ctypes.c_int64)
        times, tptr = _buffer(needed.value)
        _check(_ffi.dtb_spiking_get_spikes(self._h, int(pop), cptr, tptr, needed.value, None))
        return cells, times

    def spike_count(self, pop):
        return _ffi.dtb_spiking_spike_count(self._h, int(pop))

    def cv_isi(self, pop, min_spikes=3):
        """(mean CV of the inter-spike intervals, cells counted)."""
        cv, cells = ctypes.c_double(), ctypes.c_int64()
        _check(_ffi.dtb_spiking_cv_isi(self._h, int(pop), int(min_spikes), ctypes.byref(cv),
                                       ctypes.byref(cells)))
        return cv.value, cells.value

    @property
    def time(self):
        return _ffi.dtb_spiking_time(self._h)

    @property
    def synapse_count(self):
        return _ffi.dtb_spiking_synapse_count(self._h)

    def population(self, name):
        """The index of a population by name (-1 if none)."""
        return _ffi.dtb_spiking_population_index(self._h, _b(name))

    def __len__(self):
        return _ffi.dtb_spiking_population_count(self._h)
