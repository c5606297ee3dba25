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

This layer is hand-written on top of `dtb._ffi`, which is generated from
bindings-spec/dtb-api.json (see bindings-spec/README.md).
"""
import ctypes
import functools
import itertools
import threading
import weakref

from . import _ffi

try:
    import numpy as _np
except ImportError:  # NumPy is optional
    _np = None

__all__ = ['Atlas', 'Model', 'Sim', 'Observer', 'Trace', 'SpikingNet', 'Experiment', 'Sweep', 'Fit',
           'Reservoir', 'readout_predict',
           'has_mpi', 'Error', 'InvalidArgument',
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


def _shape(values, name):
    """The shape of nested sequences (or an array); ragged input is refused:
    C reads exactly as many numbers as the shape says."""
    if _np is not None and isinstance(values, _np.ndarray):
        return tuple(values.shape)
    if isinstance(values, (str, bytes)) or not hasattr(values, '__len__'):
        return ()
    items = list(values)
    shapes = {_shape(v, name) for v in items}
    if len(shapes) > 1:
        raise InvalidArgument(_ffi.DTB_EINVAL, f'{name}: ragged (rows of different lengths)')
    return (len(items),) + (shapes.pop() if shapes else ())


def _doubles(values, shape=None, name='values'):
    """A ctypes double array holding `values` (any sequence, or a NumPy
    array), checked against `shape` when given (None in it: any size)."""
    got = _shape(values, name)
    if shape is not None and (len(got) != len(shape) or
                              any(w is not None and w != g for w, g in zip(shape, got))):
        want = ' x '.join('n' if w is None else str(w) for w in shape)
        raise InvalidArgument(_ffi.DTB_EINVAL, f'{name}: shape {got}, expected {want}')
    if _np is not None:
        try:
            values = _np.ascontiguousarray(values, dtype=_np.float64).ravel()
        except (TypeError, ValueError) as e:
            raise InvalidArgument(_ffi.DTB_EINVAL, f'{name}: not numbers ({e})') from None
        return values.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), values.size, values
    try:
        values = [float(v) for v in _flatten(values)]
    except (TypeError, ValueError) as e:
        raise InvalidArgument(_ffi.DTB_EINVAL, f'{name}: not numbers ({e})') from None
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

class _HandleLock:
    """A re-entrant lock that knows whether this thread holds it (close()
    from inside a call of the same object must raise, not deadlock)."""

    def __init__(self):
        self._lock = threading.RLock()
        self._owner = None
        self._depth = 0

    def __enter__(self):
        self._lock.acquire()
        self._owner = threading.get_ident()
        self._depth += 1
        return self

    def __exit__(self, *exc):
        self._depth -= 1
        if not self._depth:
            self._owner = None
        self._lock.release()

    def held_here(self):
        return self._owner == threading.get_ident()


# A callback of which handle this thread is running (explore progress runs on
# the run's worker threads, while the run's own thread holds the lock).
_tls = threading.local()


def _locked(fn):
    """Run a method with its object's lock held."""
    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        lock = self._lock
        if not lock.held_here() and getattr(_tls, 'callback_of', None) is self:
            raise StateError(_ffi.DTB_ESTATE, f'{type(self).__name__}.{fn.__name__}: called from '
                             'the progress callback of its run on another thread (only '
                             'request_stop() may be called there)')
        with lock:
            return fn(self, *args, **kwargs)
    return method


# Methods that never wait: they are for stopping a call that holds the lock.
_UNLOCKED = {'close', 'request_stop'}


class _Handle:
    _free = None

    def __init_subclass__(cls, **kwargs):
        """Every method and property of a handle class holds the object's
        lock while it runs (the pointer cannot be freed under it, two
        threads cannot run one simulation at once)."""
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if name in _UNLOCKED or (name.startswith('_') and name not in
                                     ('__len__', '__getitem__', '__setitem__', '_run', '_rows', '_set')):
                continue
            if isinstance(value, property):
                setattr(cls, name, property(value.fget and _locked(value.fget),
                                            value.fset and _locked(value.fset), value.fdel,
                                            value.__doc__))
            elif callable(value) and not isinstance(value, (staticmethod, classmethod, type)):
                setattr(cls, name, _locked(value))

    def __init__(self, ptr, lock=None):
        self._lock = lock or _HandleLock()
        self._ptr_lock = threading.Lock()   # request_stop() against close()
        self._ptr = ptr

    def close(self):
        """Free the C object now (it is also freed when garbage-collected).
        Waits for a call running on another thread; raises dtb.StateError
        when called from inside a call of this object (its callback)."""
        lock = getattr(self, '_lock', None)
        if lock is None:
            return
        if lock.held_here():
            raise StateError(_ffi.DTB_ESTATE, f'{type(self).__name__}.close(): called while this '
                             'thread is inside one of its calls (a callback of its run); stop the '
                             'run (return True, or request_stop()) and close it afterwards')
        with lock, self._ptr_lock:
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

    def _stop(self, fn):
        """Call fn(ptr) without waiting for the lock (request_stop)."""
        with self._ptr_lock:
            if self._ptr:
                fn(self._ptr)


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
        centres n x 3 in mm; labels n strings. All copied; every shape is
        checked (flat sequences of n*n and 3n numbers are accepted too)."""
        shape = _shape(weights, 'weights')
        if len(shape) == 2 and shape[0] == shape[1]:
            n = shape[0]
        elif len(shape) == 1 and int(round(shape[0] ** 0.5)) ** 2 == shape[0]:
            n = int(round(shape[0] ** 0.5))
        else:
            raise InvalidArgument(_ffi.DTB_EINVAL, f'weights: shape {shape}, expected n x n')
        if n < 1:
            raise InvalidArgument(_ffi.DTB_EINVAL, 'weights: no regions')

        def square(values, name):
            flat = _shape(values, name) == (n * n,)
            return _doubles(values, (n * n,) if flat else (n, n), name)
        w = square(weights, 'weights')
        tl = square(tract_lengths, 'tract_lengths') if tract_lengths is not None else (None, 0, None)
        ce = (None, 0, None)
        if centres is not None:
            flat = _shape(centres, 'centres') == (3 * n,)
            ce = _doubles(centres, (3 * n,) if flat else (n, 3), 'centres')
        lab = None
        if labels is not None:
            labels = list(labels)
            if len(labels) != n or not all(isinstance(x, (str, bytes)) for x in labels):
                raise InvalidArgument(_ffi.DTB_EINVAL, f'labels: {len(labels)} given, expected '
                                      f'{n} strings')
            lab = (ctypes.c_char_p * n)(*[_b(x) for x in labels])
        ptr = ctypes.POINTER(_ffi.dtb_atlas)()
        _check(_ffi.dtb_atlas_create_from_arrays(ctypes.byref(ptr), n, w[0], tl[0], ce[0], lab))
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

    def rewire(self, model='strength', seed=0, swaps_per_edge=0):
        """A null connectome of this atlas (dtb_atlas_rewire): 'degree',
        'strength', 'random' or 'spatial'; the same seed, the same null."""
        ptr = ctypes.POINTER(_ffi.dtb_atlas)()
        _check(_ffi.dtb_atlas_rewire(ctypes.byref(ptr), self._h,
                                     _enum(_ffi.dtb_null_model, 'DTB_NULL_', model), int(seed),
                                     float(swaps_per_edge)))
        out = Atlas.__new__(Atlas)
        _Handle.__init__(out, ptr)
        return out


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

    @property
    def default_coupling(self):
        """The coupling the model's descriptor says it was published with,
        as (kind, {parameter: value}) -- ('linear', {'a': 1.0}) for the
        reduced Wong-Wang E-I models -- or None when it states none (then
        a Sim uses linear coupling at TVB's a = 1/256)."""
        kind = _ffi.dtb_model_default_coupling(self._h)
        if kind <= 0:
            return None
        params = {}
        for i in range(_ffi.dtb_model_default_coupling_param_count(self._h)):
            name = _ffi.dtb_model_default_coupling_param_name(self._h, i)
            v = ctypes.c_double()
            _check(_ffi.dtb_model_get_default_coupling_param(self._h, name, ctypes.byref(v)))
            params[_s(name)] = v.value
        return _s(_ffi.dtb_coupling_kind_name(kind)), params

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
        # the simulation's lock: reading samples while it runs on another
        # thread would race with the run writing them
        super().__init__(ptr, sim._lock)
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
        with atlas._lock, model._lock:   # not closed while they are copied
            _check(_ffi.dtb_sim_create(ctypes.byref(ptr), atlas._h, model._h, ctypes.byref(opts)))
            states = model.states
        super().__init__(ptr)
        self._observers = []
        self._errors = []
        self._states = states

    # -- configuration
    def set_param(self, name, value):
        """One value for every region, or a sequence with one per region."""
        if isinstance(value, (int, float)):
            _check(_ffi.dtb_sim_set_param(self._h, _b(name), float(value)))
        else:
            ptr, n, _keep = _doubles(value, (None,), name)
            _check(_ffi.dtb_sim_set_param_regions(self._h, _b(name), ptr, n))

    def set_coupling(self, kind, **params):
        _check(_ffi.dtb_sim_set_coupling(self._h, _enum(_ffi.dtb_coupling_kind,
                                                        'DTB_COUPLING_', kind)))
        for k, v in params.items():
            self.set_coupling_param(k, v)

    def set_coupling_param(self, name, value):
        _check(_ffi.dtb_sim_set_coupling_param(self._h, _b(name), float(value)))

    @property
    def provenance(self):
        """What was done to the twin and when, one line per event: the
        coupling it was created with, lesions, stimuli, scheduled changes."""
        return [_s(_ffi.dtb_sim_provenance_entry(self._h, i))
                for i in range(_ffi.dtb_sim_provenance_count(self._h))]

    @property
    def coupling(self):
        """The coupling now: (kind, {parameter: value}), e.g. ('linear',
        {'a': 1.0, 'b': 0.0})."""
        params = {}
        for i in range(_ffi.dtb_sim_coupling_param_count(self._h)):
            name = _ffi.dtb_sim_coupling_param_name(self._h, i)
            v = ctypes.c_double()
            _check(_ffi.dtb_sim_get_coupling_param(self._h, name, ctypes.byref(v)))
            params[_s(name)] = v.value
        return _s(_ffi.dtb_coupling_kind_name(_ffi.dtb_sim_coupling(self._h))), params

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
        callback or another thread); it raises dtb.Cancelled. Never waits."""
        self._stop(_ffi.dtb_sim_request_stop)

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
        opts = _ffi.dtb_spiking_connect_options()
        _check(_ffi.dtb_spiking_connect_options_init(ctypes.byref(opts), _ffi.DTB_SPIKING_CONNECT_OPTIONS_VERSION))
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
            ptr, n, _keep = _doubles(value, (None,), name)
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
        ptr, n, _keep = _doubles(times, (None,), 'times')
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


# ---------------------------------------------------------- experiments

class Experiment(_Handle):
    """A whole run as settings in dtb run's vocabulary (dtb_experiment(3)).

    Experiment(path=None, **settings): an experiment file, or an empty
    experiment (the default twin); keyword settings are added in order, a
    list giving a repeatable setting several values, True a flag:
        Experiment(atlas='bn246', duration='2s', set=['G=0.3'], fic=True)
    Names with a dash take an underscore: noise_kind='sigma'."""
    _free = staticmethod(_ffi.dtb_experiment_free)

    def __init__(self, path=None, **settings):
        ptr = ctypes.POINTER(_ffi.dtb_experiment)()
        if path is None:
            _check(_ffi.dtb_experiment_create(ctypes.byref(ptr)))
        else:
            _check(_ffi.dtb_experiment_load(ctypes.byref(ptr), _b(path)))
        super().__init__(ptr)
        for name, value in settings.items():
            for v in value if isinstance(value, (list, tuple)) else [value]:
                self.add(name.replace('_', '-'), v)

    @classmethod
    def _adopt(cls, ptr):
        exp = cls.__new__(cls)
        _Handle.__init__(exp, ptr)
        return exp

    def add(self, name, value=None):
        """Add a setting (value None or True for a flag)."""
        if value is True:
            value = None
        _check(_ffi.dtb_experiment_add(self._h, _b(name), _b(value)))
        return self

    def remove(self, name):
        _check(_ffi.dtb_experiment_remove(self._h, _b(name)))
        return self

    def get(self, name):
        """The value of the last setting of that name, or None."""
        return _s(_ffi.dtb_experiment_get(self._h, _b(name)))

    @property
    def settings(self):
        """[(name, value), ...] in order."""
        n = _ffi.dtb_experiment_setting_count(self._h)
        return [(_s(_ffi.dtb_experiment_setting_name(self._h, i)),
                 _s(_ffi.dtb_experiment_setting_value(self._h, i))) for i in range(n)]

    def save(self, path):
        _check(_ffi.dtb_experiment_save(self._h, _b(path)))

    def run(self, out_dir=None):
        """Build and run to the end, writing the observers' files,
        experiment.xml and provenance.json into out_dir."""
        _check(_ffi.dtb_experiment_run(self._h, _b(out_dir), _NO_PROGRESS, None))


def has_mpi():
    """Whether this libdtb was built with MPI (Sweep/Fit run(mpi=True))."""
    return bool(_ffi.dtb_explore_has_mpi())


class _ExploreProgress:
    """A progress callable reached from the run's threads (one call at a
    time); its exception stops the run and is raised when run() returns."""

    def __init__(self, fn, owner):
        self.fn = fn
        self.owner = owner
        self.error = None

    def __call__(self, done, total, user_data):
        # on a worker thread while the run's thread holds the owner's lock:
        # a call on the owner from here raises instead of waiting forever
        before = getattr(_tls, 'callback_of', None)
        _tls.callback_of = self.owner
        try:
            return 1 if self.fn(done, total) else 0
        except BaseException as e:  # never unwind through libdtb
            self.error = e
            return 1
        finally:
            _tls.callback_of = before


def _explore_options(owner, out_dir, jobs, batch, keep_outputs, same_seed, mpi, mpi_comm,
                     progress):
    opts = _ffi.dtb_explore_options()
    _check(_ffi.dtb_explore_options_init(ctypes.byref(opts), _ffi.DTB_EXPLORE_OPTIONS_VERSION))
    opts.jobs = int(jobs)
    opts.batch = int(batch)
    opts.out_dir = _b(out_dir)
    opts.flags = ((_ffi.DTB_EXPLORE_FLAG_KEEP_OUTPUTS if keep_outputs else 0) |
                  (_ffi.DTB_EXPLORE_FLAG_SAME_SEED if same_seed else 0) |
                  (_ffi.DTB_EXPLORE_FLAG_MPI if mpi else 0))
    opts.mpi_comm = int(mpi_comm)
    keep = None
    if progress is not None:
        keep = _ExploreProgress(progress, owner)
        opts.progress = _ffi.dtb_explore_progress_fn(keep)
        keep.c = opts.progress   # the C function pointer lives as long as the run
    return opts, keep


def _run_explore(fn, handle, opts, keep):
    status = fn(handle, ctypes.byref(opts))
    if keep is not None and keep.error is not None:
        raise keep.error
    _check(status)


def _names(count_fn, name_fn, handle):
    return [_s(name_fn(handle, i)) for i in range(count_fn(handle))]


class Sweep(_Handle):
    """Many runs of one experiment with settings varied, scored in-process
    (dtb_explore(3)).

        sw = dtb.Sweep(exp, vary={'G': '0.1:0.5:5', 'noise': '0.5,1,2'},
                       scores=['fc=fc.txt:of=bold:tr=720ms'], transient=10.0)
        sw.run('results', jobs=2)
        sw.points, sw.scores, sw.status       # NumPy arrays / lists

    vary maps a NAME (parameter, NAME@REGIONS, speed, noise, seed,
    coupling.PARAM) to a SPEC ('A:B:N', 'A:B:N:log', 'v1,v2,...');
    sample is 'grid', 'random:N', 'lhs:N' or 'sobol:N'."""
    _free = staticmethod(_ffi.dtb_sweep_free)

    def __init__(self, experiment, vary=None, sample=None, scores=(), empirical_bold=None,
                 transient=None):
        ptr = ctypes.POINTER(_ffi.dtb_sweep)()
        with experiment._lock:
            _check(_ffi.dtb_sweep_create(ctypes.byref(ptr), experiment._h))
        super().__init__(ptr)
        for name, spec in (vary or {}).items():
            self.vary(name, spec)
        if sample is not None:
            _check(_ffi.dtb_sweep_set_sample(self._h, _b(sample)))
        for spec in [scores] if isinstance(scores, str) else scores:
            self.add_score(spec)
        if empirical_bold is not None:
            _check(_ffi.dtb_sweep_set_empirical_bold(self._h, _b(empirical_bold)))
        if transient is not None:
            _check(_ffi.dtb_sweep_set_transient(self._h, float(transient)))

    def vary(self, name, spec):
        if not isinstance(spec, str):
            spec = ','.join(repr(float(v)) for v in spec)
        _check(_ffi.dtb_sweep_vary(self._h, _b(name), _b(spec)))
        return self

    def add_score(self, spec):
        _check(_ffi.dtb_sweep_add_score(self._h, _b(spec)))
        return self

    def prepare(self):
        """Check everything (nothing runs, nothing is written)."""
        _check(_ffi.dtb_sweep_prepare(self._h))
        return self

    def run(self, out_dir=None, jobs=1, batch=0, keep_outputs=False, same_seed=False, mpi=False,
            mpi_comm=0, progress=None):
        """Run the points not run yet. progress(done, total) may return True
        to stop (dtb.Cancelled). mpi_comm: an mpi4py communicator's py2f()."""
        opts, keep = _explore_options(self, out_dir, jobs, batch, keep_outputs, same_seed, mpi,
                                      mpi_comm, progress)
        _run_explore(_ffi.dtb_sweep_run, self._h, opts, keep)
        return self

    def request_stop(self):
        self._stop(_ffi.dtb_sweep_request_stop)

    @property
    def names(self):
        return _names(_ffi.dtb_sweep_variable_count, _ffi.dtb_sweep_variable_name, self._h)

    @property
    def score_names(self):
        return _names(_ffi.dtb_sweep_score_count, _ffi.dtb_sweep_score_name, self._h)

    def __len__(self):
        n = _ffi.dtb_sweep_point_count(self._h)
        if n < 0:
            self.prepare()
            n = _ffi.dtb_sweep_point_count(self._h)
        return n

    def _rows(self, fn, cols):
        n = len(self)
        rows = [_copy_out(fn, self._h, i) for i in range(n)]
        if _np is not None:
            return _np.array(rows, dtype=float).reshape(n, cols)
        return [list(r) for r in rows]

    @property
    def points(self):
        """One row per point, one column per varied name."""
        return self._rows(_ffi.dtb_sweep_point_values, len(self.names))

    @property
    def scores(self):
        """One row per point, one column per score (NaN: undefined or not run)."""
        return self._rows(_ffi.dtb_sweep_point_scores, len(self.score_names))

    @property
    def status(self):
        """'ok', a failed point's message, or None when it has not run."""
        return [_s(_ffi.dtb_sweep_point_status(self._h, i)) for i in range(len(self))]

    @property
    def seconds(self):
        return [_ffi.dtb_sweep_point_seconds(self._h, i) for i in range(len(self))]

    def point_experiment(self, point):
        """The experiment of one point (its seed included)."""
        ptr = ctypes.POINTER(_ffi.dtb_experiment)()
        _check(_ffi.dtb_sweep_point_experiment(self._h, int(point), ctypes.byref(ptr)))
        return Experiment._adopt(ptr)


class Fit(_Handle):
    """The settings of an experiment that maximise an objective of its
    scores (dtb_explore(3)).

        fit = dtb.Fit(exp, free={'G': (0.05, 1.5), 'noise': (0.25, 4)},
                      scores=['fc=fc.txt:of=bold:tr=720ms'], budget=48)
        fit.run('fit-out', jobs=2)
        fit.best          # {'G': ..., 'noise': ...}
        fit.best_scores   # {'fc': ...}"""
    _free = staticmethod(_ffi.dtb_fit_free)

    def __init__(self, experiment, free=None, scores=(), objective=None, method=None, budget=None,
                 repeats=None, empirical_bold=None, transient=None):
        ptr = ctypes.POINTER(_ffi.dtb_fit)()
        with experiment._lock:
            _check(_ffi.dtb_fit_create(ctypes.byref(ptr), experiment._h))
        super().__init__(ptr)
        for name, (lo, hi) in (free or {}).items():
            _check(_ffi.dtb_fit_add_free(self._h, _b(name), float(lo), float(hi)))
        for spec in [scores] if isinstance(scores, str) else scores:
            _check(_ffi.dtb_fit_add_score(self._h, _b(spec)))
        if objective is not None:
            _check(_ffi.dtb_fit_set_objective(self._h, _b(objective)))
        if method is not None:
            _check(_ffi.dtb_fit_set_method(self._h, _b(method)))
        if budget is not None:
            _check(_ffi.dtb_fit_set_budget(self._h, int(budget)))
        if repeats is not None:
            _check(_ffi.dtb_fit_set_repeats(self._h, int(repeats)))
        if empirical_bold is not None:
            _check(_ffi.dtb_fit_set_empirical_bold(self._h, _b(empirical_bold)))
        if transient is not None:
            _check(_ffi.dtb_fit_set_transient(self._h, float(transient)))

    def prepare(self):
        _check(_ffi.dtb_fit_prepare(self._h))
        return self

    def run(self, out_dir=None, jobs=1, batch=0, keep_outputs=False, same_seed=False, mpi=False,
            mpi_comm=0, progress=None):
        opts, keep = _explore_options(self, out_dir, jobs, batch, keep_outputs, same_seed, mpi,
                                      mpi_comm, progress)
        _run_explore(_ffi.dtb_fit_run, self._h, opts, keep)
        return self

    def request_stop(self):
        self._stop(_ffi.dtb_fit_request_stop)

    @property
    def names(self):
        return _names(_ffi.dtb_fit_free_count, _ffi.dtb_fit_free_name, self._h)

    @property
    def score_names(self):
        return _names(_ffi.dtb_fit_score_count, _ffi.dtb_fit_score_name, self._h)

    @property
    def evaluations(self):
        return _ffi.dtb_fit_evaluation_count(self._h)

    @property
    def best(self):
        """{name: value} of the best candidate."""
        return dict(zip(self.names, (float(v) for v in _copy_out(_ffi.dtb_fit_best_values, self._h))))

    @property
    def best_scores(self):
        return dict(zip(self.score_names,
                        (float(v) for v in _copy_out(_ffi.dtb_fit_best_scores, self._h))))

    @property
    def best_objective(self):
        return _ffi.dtb_fit_best_objective(self._h)

    def best_experiment(self):
        ptr = ctypes.POINTER(_ffi.dtb_experiment)()
        _check(_ffi.dtb_fit_best_experiment(self._h, ctypes.byref(ptr)))
        return Experiment._adopt(ptr)


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
            values = [[v] for v in values] if _np is None or not isinstance(values, _np.ndarray) \
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
        self._stop(_ffi.dtb_reservoir_request_stop)

    @property
    def alphas(self):
        return list(self._alphas)

    @property
    def results(self):
        """alphas x (1 + nulls) scores of the last run: column 0 the
        connectome, column k + 1 null k (NaN: not run or failed)."""
        rows = [[_ffi.dtb_reservoir_result(self._h, a, k) for k in range(-1, self._nulls)]
                for a in range(len(self._alphas))]
        return _np.array(rows, dtype=float) if _np is not None else rows

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
