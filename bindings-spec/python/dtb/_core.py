# SPDX-License-Identifier: GPL-3.0-or-later
"""The machinery under every dtb object: errors, array conversion, callback
trampolines and the locked handle base class. NumPy is looked up here (use_numpy)."""
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

__all__ = ['Error', 'InvalidArgument',
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
        message = _ffi.dtb_last_error_message().decode('utf-8', 'replace') or \
            _s(_ffi.dtb_status_string(status))
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
    return arr if _np is not None else list(arr)


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
        """Store an entry; returns its key (the user_data C passes back)."""
        with self._lock:
            key = next(self._keys)
            self._table[key] = entry
        return key

    def get(self, key):
        """The entry of a key, or None once dropped."""
        with self._lock:
            return self._table.get(key)

    def drop(self, key):
        """Forget a key (libdtb called destroy, or the call returned)."""
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
        """Whether the calling thread holds the lock."""
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


# ---------------------------------------------------------------- keywords

def _no_unknown(where, given, known):
    """Refuse keyword options a function does not know, naming them (a
    misspelt option must not be silently ignored)."""
    unknown = [k for k in given if k not in known]
    if unknown:
        import difflib
        hints = []
        for k in unknown:
            close = difflib.get_close_matches(k, known, 1)
            hints.append(f'{k!r}' + (f' (did you mean {close[0]!r}?)' if close else ''))
        raise TypeError(f'{where}: unknown option{"s" if len(unknown) > 1 else ""} '
                        f'{", ".join(hints)}; known: {", ".join(sorted(known))}')


def _int64s(values, name='values'):
    """A ctypes int64 array of a sequence of integers (or one integer)."""
    if isinstance(values, int) or not hasattr(values, '__len__'):
        values = [values]
    try:
        items = [int(v) for v in values]
    except (TypeError, ValueError) as e:
        raise InvalidArgument(_ffi.DTB_EINVAL, f'{name}: not integers ({e})') from None
    return (ctypes.c_int64 * max(len(items), 1))(*items), len(items)


def _array(values):
    """A result buffer as the caller wants it: NumPy array or list."""
    if _np is not None:
        return _np.asarray(values)
    return list(values)


def _names_of(count_fn, name_fn, *args):
    return [_s(name_fn(*args, i)) for i in range(count_fn(*args))]


def _init_options(struct, init_fn, version):
    opts = struct()
    _check(init_fn(ctypes.byref(opts), version))
    return opts


# Exceptions raised in callbacks that cannot stop a run (a stimulus
# callback returns a value, not a verdict): kept per thread until the call
# that ran them returns, then raised by it.
def _stash_error(e):
    errors = getattr(_tls, 'errors', None)
    if errors is None:
        errors = _tls.errors = []
    errors.append(e)


def _take_errors():
    errors = getattr(_tls, 'errors', None) or []
    _tls.errors = []
    return errors


def _run_with_progress(owner, call, progress):
    """Run call(progress_fn, user_data) -- a library run taking a progress
    callback -- with `progress` (or none) registered for owner: a Python
    exception raised in any of owner's callbacks during the run is raised
    here, before the run's own status."""
    key = _callbacks.add(_Entry(progress, owner)) if progress is not None else None
    owner._errors = []
    _take_errors()
    try:
        status = call(_PROGRESS if key else _NO_PROGRESS, key)
    finally:
        if key is not None:
            _callbacks.drop(key)
    errors = owner._errors + _take_errors()
    if errors:
        raise errors[0]
    _check(status)


def version_number():
    """The loaded library's version as MAJOR*10000 + MINOR*100 + PATCH."""
    return _ffi.dtb_version_number()


def has_feature(name):
    """Whether the loaded library has an optional feature ('gsl',
    'libxml2', 'npy', 'csv', 'tvb-float32-coupling')."""
    return bool(_ffi.dtb_has_feature(_b(name)))


def status_string(status):
    """The name of a dtb_status code ('DTB_EINVAL' -> its words)."""
    return _s(_ffi.dtb_status_string(int(status)))
