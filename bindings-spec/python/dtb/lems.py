# SPDX-License-Identifier: GPL-3.0-or-later
"""LEMS and NeuroML files: load and check one, describe its ComponentTypes,
run its Simulation and write the files it asks for (dtb_lems(3); what
`dtb lems FILE` and `jnml FILE -nogui` do).

    doc = dtb.LemsDocument('LEMS_HH.xml', include_dirs=['NeuroML2CoreTypes'])
    print(doc.describe())
    with dtb.LemsSimulation(doc, seed=1) as sim:
        sim.open_outputs('results')       # every file the Simulation names
        sim.run(progress=lambda t, fraction: False)
"""
import collections
import ctypes

from . import _ffi
from ._core import (_b, _check, _Handle, _no_unknown, _run_with_progress, _s)

__all__ = ['LemsDocument', 'LemsSimulation', 'LemsOutput']


class LemsOutput(collections.namedtuple('LemsOutput', 'kind file columns')):
    """What a LEMS Simulation writes: kind 'file' (an OutputFile), 'display'
    (a Display, as <id>.dat) or 'events' (an EventOutputFile), the file's
    name relative to the output folder, and its quantity columns (the
    time not counted; 0 for events)."""
    __slots__ = ()


class LemsDocument(_Handle):
    """A LEMS or NeuroML file and what it includes, read and checked (XML,
    units, inheritance, expressions, components); errors name the file,
    the line and the element. Included files are looked for beside the
    including file, then in include_dirs."""
    _free = staticmethod(_ffi.dtb_lems_document_free)

    def __init__(self, path, include_dirs=()):
        if isinstance(include_dirs, str):
            include_dirs = [include_dirs]
        dirs = [_b(d) for d in include_dirs]
        arr = (ctypes.c_char_p * len(dirs))(*dirs) if dirs else None
        ptr = ctypes.POINTER(_ffi.dtb_lems_document)()
        _check(_ffi.dtb_lems_document_load(ctypes.byref(ptr), _b(path), arr, len(dirs)))
        super().__init__(ptr)

    def describe(self, all=False):
        """The report `dtb check` prints: counts, the ComponentTypes with
        their parameters, state, exposures, regimes (and why one cannot
        run), then the Simulations. all=True lists the included files'
        ComponentTypes too."""
        flags = _ffi.DTB_LEMS_DESCRIBE_ALL if all else 0
        needed = ctypes.c_size_t()
        _check(_ffi.dtb_lems_document_describe(self._h, flags, None, 0, ctypes.byref(needed)))
        buf = ctypes.create_string_buffer(needed.value)
        _check(_ffi.dtb_lems_document_describe(self._h, flags, buf, needed.value, None))
        return buf.value.decode('utf-8', 'replace')

    @property
    def warnings(self):
        """What the files do that jLEMS and pylems accept but is sloppy, one
        string per warning ("FILE:LINE: <Element ...>: ..."); [] if none."""
        needed = ctypes.c_size_t()
        _check(_ffi.dtb_lems_document_warnings(self._h, None, 0, ctypes.byref(needed)))
        buf = ctypes.create_string_buffer(needed.value)
        _check(_ffi.dtb_lems_document_warnings(self._h, buf, needed.value, None))
        return [w for w in buf.value.decode('utf-8', 'replace').split('\n') if w]


_ORDERS = {'jlems': _ffi.DTB_LEMS_ORDER_JLEMS, 'pylems': _ffi.DTB_LEMS_ORDER_PYLEMS}
_METHODS = {'euler': _ffi.DTB_LEMS_METHOD_EULER, 'rk4': _ffi.DTB_LEMS_METHOD_RK4,
            'rkf45': _ffi.DTB_LEMS_METHOD_RKF45, 'rkck': _ffi.DTB_LEMS_METHOD_RKCK,
            'rk8pd': _ffi.DTB_LEMS_METHOD_RK8PD}

_KINDS = {_ffi.DTB_LEMS_OUTPUT_FILE: 'file', _ffi.DTB_LEMS_OUTPUT_DISPLAY: 'display',
          _ffi.DTB_LEMS_OUTPUT_EVENTS: 'events'}


class LemsSimulation(_Handle):
    """A LEMS Simulation's component tree, ready to run (it keeps its
    document alive: the document may be closed first).

    LemsSimulation(document, simulation=None, seed=None, order='jlems',
    method='euler', rtol=None, atol=None): simulation is the id of a
    Simulation component (None: the document's Target); seed the seed of
    random() (None: the Simulation's seed attribute, else 0); order the
    order of a forward-Euler step's updates, 'jlems' or 'pylems'; method
    'euler', 'rk4' or GSL's adaptive 'rkf45', 'rkck', 'rk8pd' with their
    tolerances per step (None: 1e-8 and 1e-10).
    dtb.Unsupported / dtb.InvalidArgument for what the engine does not run
    or files outside the output folder. Unknown options raise TypeError."""
    _free = staticmethod(_ffi.dtb_lems_simulation_free)

    def __init__(self, document, **options):
        _no_unknown('LemsSimulation()', options,
                    ('simulation', 'seed', 'order', 'method', 'rtol', 'atol'))
        opts = _ffi.dtb_lems_simulation_options()
        _check(_ffi.dtb_lems_simulation_options_init(ctypes.byref(opts),
                                                     _ffi.DTB_LEMS_SIMULATION_OPTIONS_VERSION))
        keep = _b(options.get('simulation'))
        opts.simulation = keep
        if options.get('seed') is not None:
            opts.flags |= _ffi.DTB_LEMS_SIMULATION_FLAG_SEED
            opts.seed = int(options['seed'])
        order = options.get('order', 'jlems')
        if order not in _ORDERS:
            raise ValueError("LemsSimulation(): order must be 'jlems' or 'pylems', not %r" % (order,))
        opts.order = _ORDERS[order]
        method = options.get('method', 'euler')
        if method not in _METHODS:
            raise ValueError("LemsSimulation(): method must be one of %s, not %r"
                             % (', '.join(_METHODS), method))
        opts.method = _METHODS[method]
        opts.rtol = float(options.get('rtol') or 0.0)
        opts.atol = float(options.get('atol') or 0.0)
        ptr = ctypes.POINTER(_ffi.dtb_lems_simulation)()
        with document._lock:
            _check(_ffi.dtb_lems_simulation_create(ctypes.byref(ptr), document._h,
                                                   ctypes.byref(opts)))
        super().__init__(ptr)
        self._errors = []

    @property
    def dt(self):
        """The step (s)."""
        return _ffi.dtb_lems_simulation_dt(self._h)

    @property
    def step_count(self):
        """The number of steps N (rows are written for t = 0 .. N dt)."""
        return _ffi.dtb_lems_simulation_step_count(self._h)

    @property
    def instance_count(self):
        """Component instances in the tree."""
        return _ffi.dtb_lems_simulation_instance_count(self._h)

    @property
    def outputs(self):
        """[LemsOutput(kind, file, columns), ...] in document order."""
        out = []
        for i in range(_ffi.dtb_lems_simulation_output_count(self._h)):
            kind = _ffi.dtb_lems_simulation_output_kind(self._h, i)
            out.append(LemsOutput(_KINDS.get(kind, kind),
                                  _s(_ffi.dtb_lems_simulation_output_file(self._h, i)),
                                  _ffi.dtb_lems_simulation_output_column_count(self._h, i)))
        return out

    def open_outputs(self, out_dir=None):
        """Create (replace) every output file under out_dir (None: the
        working directory), with the folders their names hold. Once, before
        run() (dtb.StateError otherwise)."""
        _check(_ffi.dtb_lems_simulation_open_outputs(self._h, _b(out_dir)))

    def run(self, progress=None):
        """Run to the end, writing a row to every open file at each recorded
        time (without open outputs nothing is written). progress(t,
        fraction) is called after every row; a true return, an exception
        or request_stop() stops the run (dtb.Cancelled, or the exception);
        the files are complete up to there. Once per simulation."""
        _run_with_progress(self, lambda pf, key: _ffi.dtb_lems_simulation_run(self._h, pf, key),
                           progress)

    def request_stop(self):
        """Stop a running run() at its next row (any thread, a callback). Never waits."""
        self._stop(_ffi.dtb_lems_simulation_request_stop)

    @property
    def row_count(self):
        """Rows recorded so far."""
        return _ffi.dtb_lems_simulation_row_count(self._h)
