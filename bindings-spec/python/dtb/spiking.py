# SPDX-License-Identifier: GPL-3.0-or-later
"""Networks of spiking neurons."""
import ctypes

from . import _ffi
from ._core import (InvalidArgument, NotFound, _Handle, _b, _buffer, _check, _copy_out, _doubles,
                    _enum, _int64s, _s)


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
        """The Vogels-Abbott benchmark network 'cuba' or 'coba' of n cells."""
        ptr = ctypes.POINTER(_ffi.dtb_spiking_net)()
        _check(_ffi.dtb_spiking_create_benchmark(ctypes.byref(ptr), _b(name), int(n), int(seed)))
        return cls(_ptr=ptr)

    @staticmethod
    def cell_models():
        """Names of the built-in cell models ('lif', ...)."""
        return [_s(_ffi.dtb_spiking_cell_model_name(i))
                for i in range(_ffi.dtb_spiking_cell_model_count())]

    @staticmethod
    def cell_params(cell_model):
        """{name: (default, unit)} of a built-in cell model's parameters."""
        m = _b(cell_model)
        n = _ffi.dtb_spiking_cell_param_count(m)
        if n < 0:
            raise NotFound(_ffi.DTB_ENOTFOUND, f'no built-in cell model {cell_model!r} (known: '
                           f'{", ".join(SpikingNet.cell_models())})')
        return {_s(_ffi.dtb_spiking_cell_param_name(m, i)):
                (_ffi.dtb_spiking_cell_param_default(m, i),
                 _s(_ffi.dtb_spiking_cell_param_unit(m, i)) or '') for i in range(n)}

    @staticmethod
    def cell_states(cell_model):
        """The state variables of a built-in cell model."""
        m = _b(cell_model)
        n = _ffi.dtb_spiking_cell_state_count(m)
        if n < 0:
            raise NotFound(_ffi.DTB_ENOTFOUND, f'no built-in cell model {cell_model!r}')
        return [_s(_ffi.dtb_spiking_cell_state_name(m, i)) for i in range(n)]

    def add_population(self, name, model='lif', n=1):
        """Add n cells of a built-in cell model; returns the population index."""
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
        """Add a synaptic receptor to pop: kind 'delta', 'exp' or 'biexp', mode 'current' or
        'conductance'; times in s. Returns its index."""
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
        _check(_ffi.dtb_spiking_connect_options_init(ctypes.byref(opts),
                                                     _ffi.DTB_SPIKING_CONNECT_OPTIONS_VERSION))
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

    def connect_list(self, pre, post, receptor, pre_cells, post_cells, weights, delays=None):
        """Synapses i from cell pre_cells[i] of pre to post_cells[i] of post
        with weights[i] and delays[i] (s; None: 0). All of one length."""
        n = len(pre_cells)
        pc, npc = _int64s(pre_cells, 'pre_cells')
        qc, nqc = _int64s(post_cells, 'post_cells')
        w, nw, keep_w = _doubles(weights, (n,), 'weights')
        d, nd, keep_d = (None, n, None) if delays is None else _doubles(delays, (n,), 'delays')
        if nqc != n:
            raise InvalidArgument(_ffi.DTB_EINVAL, f'post_cells: {nqc} values, pre_cells has {n}')
        _check(_ffi.dtb_spiking_connect_list(self._h, int(pre), int(post), int(receptor), pc, qc,
                                             w, d, n))

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
        """Set a cell parameter of pop: a number, one per cell, or ('uniform', a, b) / ('normal',
        mean, sd)."""
        self._set(_ffi.dtb_spiking_set_param, _ffi.dtb_spiking_set_param_values, pop, name, value)

    def set_state(self, pop, name, value):
        """Set a state variable of pop (values as set_param)."""
        self._set(_ffi.dtb_spiking_set_state, _ffi.dtb_spiking_set_state_values, pop, name, value)

    def param(self, pop, name):
        """A parameter's value in every cell of pop."""
        return _copy_out(_ffi.dtb_spiking_get_param_values, self._h, int(pop), _b(name))

    def state(self, pop, name):
        """A state variable's value in every cell of pop."""
        return _copy_out(_ffi.dtb_spiking_get_state_values, self._h, int(pop), _b(name))

    def set_method(self, pop, method):
        """'default' or 'euler'."""
        _check(_ffi.dtb_spiking_set_method(self._h, int(pop),
                                           _enum(_ffi.dtb_spiking_method, 'DTB_SPIKING_METHOD_',
                                                 method)))

    def add_poisson(self, pop, receptor, rate, weight):
        """Independent Poisson input of rate Hz to every cell of pop; returns its index."""
        index = ctypes.c_int64()
        _check(_ffi.dtb_spiking_add_poisson(self._h, int(pop), int(receptor), float(rate),
                                            float(weight), ctypes.byref(index)))
        return index.value

    def set_poisson_rate(self, index, rate):
        """Change a Poisson input's rate (Hz)."""
        _check(_ffi.dtb_spiking_set_poisson_rate(self._h, int(index), float(rate)))

    def add_spike_train(self, pop, cell, receptor, times, weight):
        """Spikes at the given times (s) into one cell."""
        ptr, n, _keep = _doubles(times, (None,), 'times')
        _check(_ffi.dtb_spiking_add_spike_train(self._h, int(pop), int(cell), int(receptor), ptr, n,
                                                float(weight)))

    def record(self, pop, on=True):
        """Record pop's spikes (or stop recording them)."""
        _check(_ffi.dtb_spiking_record(self._h, int(pop), 1 if on else 0))

    def run(self, duration):
        """Advance duration seconds."""
        _check(_ffi.dtb_spiking_run(self._h, float(duration)))

    def step(self, n_steps=1):
        """Advance n_steps steps."""
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
        """Spikes of pop recorded so far."""
        return _ffi.dtb_spiking_spike_count(self._h, int(pop))

    def cv_isi(self, pop, min_spikes=3):
        """(mean CV of the inter-spike intervals, cells counted)."""
        cv, cells = ctypes.c_double(), ctypes.c_int64()
        _check(_ffi.dtb_spiking_cv_isi(self._h, int(pop), int(min_spikes), ctypes.byref(cv),
                                       ctypes.byref(cells)))
        return cv.value, cells.value

    @property
    def time(self):
        """Simulated time (s)."""
        return _ffi.dtb_spiking_time(self._h)

    @property
    def synapse_count(self):
        """Synapses in the network."""
        return _ffi.dtb_spiking_synapse_count(self._h)

    def population(self, name):
        """The index of a population by name (-1 if none)."""
        return _ffi.dtb_spiking_population_index(self._h, _b(name))

    def __len__(self):
        return _ffi.dtb_spiking_population_count(self._h)

    @property
    def dt(self):
        """The step (s)."""
        return _ffi.dtb_spiking_dt(self._h)

    def population_size(self, pop):
        """Cells in a population (by index or name)."""
        n = _ffi.dtb_spiking_population_size(self._h, self._pop(pop))
        if n < 0:
            raise IndexError(f'population {pop}: the network has {len(self)}')
        return n

    def last_step_spikes(self, pop):
        """Spikes of pop in the last step."""
        return _ffi.dtb_spiking_last_step_spikes(self._h, self._pop(pop))

    def _pop(self, pop):
        if isinstance(pop, str):
            i = _ffi.dtb_spiking_population_index(self._h, _b(pop))
            if i < 0:
                raise NotFound(_ffi.DTB_ENOTFOUND, f'no population {pop!r}')
            return i
        return int(pop)


class _BorrowedNet(SpikingNet):
    """The network of a simulation's spiking regions: owned by the Sim
    (never freed here), locked by its lock, alive while the Sim is."""
    _free = staticmethod(lambda ptr: None)

    def __init__(self, ptr, sim):
        _Handle.__init__(self, ptr, sim._lock)
        self._sim = sim   # the Sim outlives this view
