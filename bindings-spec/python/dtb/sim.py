# SPDX-License-Identifier: GPL-3.0-or-later
"""Simulations of a connectome of region models."""
import ctypes

from . import _ffi
from ._core import (InvalidArgument, NotFound, StateError, _b, _callbacks, _check, _copy_out,
                    _DESTROY, _doubles, _Entry, _enum, _Handle, _init_options, _int64s, _matrix,
                    _no_unknown, _run_with_progress, _s, _SAMPLE, _shape)


from .observer import Observer


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
        self._integrator = opts.integrator or _ffi.DTB_INTEGRATOR_HEUN
        ptr = ctypes.POINTER(_ffi.dtb_sim)()
        with atlas._lock, model._lock:   # not closed while they are copied
            _check(_ffi.dtb_sim_create(ctypes.byref(ptr), atlas._h, model._h, ctypes.byref(opts)))
            states = model.states
            labels = atlas.labels
        super().__init__(ptr)
        self._observers = []
        self._errors = []
        self._states = states
        self._labels = labels
        self._net = None

    @classmethod
    def _adopt(cls, ptr, states, labels=None):
        """A Sim made by the library (Experiment.build)."""
        self = cls.__new__(cls)
        _Handle.__init__(self, ptr)
        self._observers = []
        self._errors = []
        self._states = states
        self._labels = labels
        self._net = None
        self._integrator = 0
        return self

    def _state(self, state):
        """A state variable's index from its name or index (-1: all)."""
        if isinstance(state, str):
            if self._states is None:
                raise InvalidArgument(_ffi.DTB_EINVAL, f'state {state!r}: this simulation does '
                                      'not know its state names (give an index)')
            if state not in self._states:
                raise NotFound(_ffi.DTB_ENOTFOUND, f'no state variable {state!r} '
                               f'(the model has {", ".join(self._states)})')
            return self._states.index(state)
        return int(state)

    def _region(self, region):
        """A region's index from its index or exact label."""
        if isinstance(region, str):
            if self._labels is None:
                raise InvalidArgument(_ffi.DTB_EINVAL, f'region {region!r}: this simulation '
                                      'does not know its labels (give an index)')
            if region not in self._labels:
                raise NotFound(_ffi.DTB_ENOTFOUND, f'no region labelled {region!r}')
            return self._labels.index(region)
        return int(region)

    def _regions(self, regions):
        if isinstance(regions, (str, int)):
            regions = [regions]
        return [self._region(r) for r in regions]

    # -- configuration
    def set_param(self, name, value):
        """One value for every region, or a sequence with one per region."""
        if isinstance(value, (int, float)):
            _check(_ffi.dtb_sim_set_param(self._h, _b(name), float(value)))
        else:
            ptr, n, _keep = _doubles(value, (None,), name)
            _check(_ffi.dtb_sim_set_param_regions(self._h, _b(name), ptr, n))

    def set_coupling(self, kind, **params):
        """Change the coupling function ('linear', 'sigmoidal', ...; its
        parameters start at their defaults) and set some of its parameters:
        set_coupling('linear', a=0.5). An unknown parameter raises TypeError
        naming it (and the coupling stays as it was)."""
        kind = _enum(_ffi.dtb_coupling_kind, 'DTB_COUPLING_', kind)
        before = self.coupling
        _check(_ffi.dtb_sim_set_coupling(self._h, kind))
        try:
            _no_unknown(f'set_coupling({_s(_ffi.dtb_coupling_kind_name(kind))!r})', params,
                        list(self.coupling[1]))
        except TypeError:
            # back to the kind and values it had
            _ffi.dtb_sim_set_coupling(self._h, _enum(_ffi.dtb_coupling_kind, 'DTB_COUPLING_',
                                                     before[0]))
            for k, v in before[1].items():
                self.set_coupling_param(k, v)
            raise
        for k, v in params.items():
            self.set_coupling_param(k, v)

    def set_coupling_param(self, name, value):
        """Set one parameter of the coupling now in force."""
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
        """Noise intensity D >= 0 of one state variable (index or name; -1:
        all): one number for every region, or a sequence of one per region."""
        state = self._state(state)
        if isinstance(D, (int, float)):
            _check(_ffi.dtb_sim_set_noise(self._h, state, float(D)))
        else:
            ptr, n, _keep = _doubles(D, (self.n_regions,), 'D')
            _check(_ffi.dtb_sim_set_noise_regions(self._h, state, ptr, n))

    def record(self, kind='tavg', period=None, variables=None, callback=None, path=None,
               sink=None, append=False, source=None, bold_model=None, gain=None, gain_path=None,
               head_model=None, noise=None, seed=None, fcd_method=None, fcd_compare=None,
               window=None, window_step=None, threshold=None, skip=None):
        """Attach an observer (dtb_observer(3)); returns it.

        kind: 'raw', 'subsample', 'tavg' (default), 'bold', 'projection',
        'spikes', 'rate' (samples), or 'fc', 'fcd', 'psd' (a matrix,
        Observer.result()). period in seconds (default 1 ms; BOLD: its TR,
        default 2 s). variables: 'V,W' or a list (default: the variables
        of interest). With callback=fn, fn(t, values) is called once per
        sample (values: one per column); a true return value stops the
        run. With path=..., samples go to a CSV or NPY file (by sink= or
        the suffix; append=True continues a file, for a checkpoint resume).
        Otherwise they stay in memory until read.

        By kind: bold_model ('friston2000', 'friston2003', 'stephan2007',
        'opendtb', 'tvb_volterra': the Balloon-Windkessel constant sets;
        also for a BOLD source); source (fc/fcd/psd: the kind of signal
        analysed, 'tavg' by default or 'bold', 'raw', ...); skip (fc/fcd/psd:
        seconds of source samples left out, the transient); window and
        window_step (fcd: seconds; psd: the segment); fcd_method
        ('pearson', 'phase', 'mtd') and fcd_compare ('pearson_ut',
        'cosine_ut', 'pearson_leading', 'cosine_leading'); gain
        (sensors x regions array) or gain_path, head_model ('homogeneous',
        'three_shell') for the built-in EEG lead field, noise (standard
        deviation) and seed (projection); threshold (spikes, rate)."""
        opts = _init_options(_ffi.dtb_observer_options, _ffi.dtb_observer_options_init,
                             _ffi.DTB_OBSERVER_OPTIONS_VERSION)
        opts.kind = _enum(_ffi.dtb_observer_kind, 'DTB_OBSERVER_', kind)
        opts.period = period or 0.0
        if variables is not None and not isinstance(variables, str):
            variables = ','.join(variables)
        opts.variables = _b(variables)
        opts.flags = _ffi.DTB_OBSERVER_FLAG_APPEND if append else 0
        opts.source = _enum(_ffi.dtb_observer_kind, 'DTB_OBSERVER_', source)
        opts.bold_model = _enum(_ffi.dtb_bold_model, 'DTB_BOLD_', bold_model)
        opts.head_model = _enum(_ffi.dtb_head_model, 'DTB_HEAD_', head_model)
        opts.fcd_method = _enum(_ffi.dtb_fcd_method, 'DTB_FCD_METHOD_', fcd_method)
        opts.fcd_compare = _enum(_ffi.dtb_fcd_compare, 'DTB_FCD_COMPARE_', fcd_compare)
        opts.gain_path = _b(gain_path)
        keep_gain = None
        if gain is not None:
            shape = _shape(gain, 'gain')
            if len(shape) != 2 or shape[1] != self.n_regions:
                raise InvalidArgument(_ffi.DTB_EINVAL, f'gain: shape {shape}, expected '
                                      f'sensors x {self.n_regions}')
            ptr, _n, keep_gain = _doubles(gain, shape, 'gain')
            opts.gain = ctypes.cast(ptr, ctypes.POINTER(ctypes.c_double))
            opts.gain_rows = shape[0]
        for name, value in (('noise', noise), ('window', window), ('window_step', window_step),
                            ('threshold', threshold), ('skip', skip)):
            if value is not None:
                setattr(opts, name, float(value))
        if seed is not None:
            opts.seed = int(seed)
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
        del keep_gain   # copied by the library
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
        memory = [o for o in self._observers if o.sink == _ffi.DTB_SINK_MEMORY and not o.matrix]
        return memory[0].read() if memory else None

    def step(self, n_steps=1):
        """Advance n_steps steps of dt."""
        self._run(lambda h, n, fn, ud: _ffi.dtb_sim_step(h, n), int(n_steps), None)

    def _run(self, fn, arg, progress):
        _run_with_progress(self, lambda pf, key: fn(self._h, arg, pf, key), progress)

    def request_stop(self):
        """Stop the running step/run after the current step (from a
        callback or another thread); it raises dtb.Cancelled. Never waits."""
        self._stop(_ffi.dtb_sim_request_stop)

    # -- inspection
    @property
    def time(self):
        """Simulated time (s)."""
        return _ffi.dtb_sim_time(self._h)

    @property
    def step_index(self):
        """Steps done."""
        return _ffi.dtb_sim_step_index(self._h)

    @property
    def dt(self):
        """The step (s)."""
        return _ffi.dtb_sim_dt(self._h)

    @property
    def n_regions(self):
        """Number of regions."""
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

    # -- noise
    def set_noise_kind(self, kind, tau=0.0):
        """How noise enters every state variable: 'additive' (default),
        'sigma' (D is the standard deviation), 'multiplicative', or
        'coloured' with correlation time tau > 0 (seconds; tau must be 0
        for the other kinds)."""
        _check(_ffi.dtb_sim_set_noise_kind(self._h, _enum(_ffi.dtb_noise_kind, 'DTB_NOISE_', kind),
                                           float(tau)))

    def scale_noise(self, factor):
        """Multiply every noise amplitude by factor >= 0 (D by factor for
        'sigma', by factor**2 for the other kinds)."""
        _check(_ffi.dtb_sim_scale_noise(self._h, float(factor)))

    # -- parameters and coupling
    def get_param(self, name):
        """A parameter's value in every region: an array of n_regions."""
        return _copy_out(_ffi.dtb_sim_get_param_regions, self._h, _b(name))

    def schedule_param(self, t, name, value):
        """Change a parameter at simulated time t (seconds): one value, or
        one per region; applied before the first step starting at or after t."""
        if isinstance(value, (int, float)):
            value = [value]
        ptr, n, _keep = _doubles(value, (None,), name)
        _check(_ffi.dtb_sim_schedule_param(self._h, float(t), _b(name), ptr, n))

    def set_coupling_expressions(self, pre, post, **params):
        """A coupling of your own: post(sum_j w_kj pre(x_j)) in the LEMS
        expression language (pre may use x_j, post gx, x_i and w_sum), with
        named parameters: set_coupling_expressions('x_j', 'a * gx', a=0.1)."""
        names = (ctypes.c_char_p * max(len(params), 1))(*[_b(k) for k in params])
        values, n, _keep = _doubles([float(v) for v in params.values()], (None,), 'params')
        _check(_ffi.dtb_sim_set_coupling_expressions(self._h, _b(pre), _b(post),
                                                     names if params else None,
                                                     values if params else None, n))

    def load_coupling(self, path):
        """A coupling function from an XML file (<CouplingFunction pre= post=>)."""
        _check(_ffi.dtb_sim_load_coupling(self._h, _b(path)))

    @property
    def coupling_input(self):
        """The coupling input of the last step: couplings x regions."""
        flat = _copy_out(_ffi.dtb_sim_get_coupling_input, self._h)
        n = self.n_regions
        return _matrix(flat, len(flat) // n if n else 0, n)

    # -- connectivity
    def set_speed(self, speed):
        """Conduction speed in m/s (float('inf'): no delays); delays are
        recomputed."""
        _check(_ffi.dtb_sim_set_speed(self._h, float(speed)))

    def lesion(self, region):
        """Zero a region's connections (index or label); indices stay."""
        _check(_ffi.dtb_sim_lesion_region(self._h, self._region(region)))

    def scale_connections(self, sources, targets, factor):
        """Multiply the weights from sources to targets (index, label or a
        sequence of them) by factor >= 0. Directed."""
        src, ns = _int64s(self._regions(sources), 'sources')
        tgt, nt = _int64s(self._regions(targets), 'targets')
        _check(_ffi.dtb_sim_scale_connections(self._h, src, ns, tgt, nt, float(factor)))

    @property
    def delays(self):
        """n x n delays in steps (rows are targets)."""
        n = self.n_regions
        return _matrix(_copy_out(_ffi.dtb_sim_get_delays, self._h, ctype=ctypes.c_int64), n, n)

    @property
    def horizon(self):
        """History length in steps (largest delay + 1)."""
        return _ffi.dtb_sim_horizon(self._h)

    # -- state
    def _full_state(self, x, name):
        shape = (_ffi.dtb_sim_state_count(self._h), self.n_regions)
        flat = _shape(x, name) == (shape[0] * shape[1],)
        return _doubles(x, (shape[0] * shape[1],) if flat else shape, name)

    def set_initial_state(self, x):
        """Initial state (before the first step): states x regions (or the
        same flattened state-major); the past is this state."""
        ptr, n, _keep = self._full_state(x, 'x')
        _check(_ffi.dtb_sim_set_initial_state(self._h, ptr, n))

    def set_initial_value(self, state, value):
        """Initial value of one state variable (name or index) in every region."""
        _check(_ffi.dtb_sim_set_initial_value(self._h, self._state(state), float(value)))

    def set_state(self, x):
        """Replace the current state (states x regions); the history of
        earlier steps is kept."""
        ptr, n, _keep = self._full_state(x, 'x')
        _check(_ffi.dtb_sim_set_state(self._h, ptr, n))

    # -- feedback inhibition control
    def apply_fic(self, target_current=-0.026):
        """Feedback inhibition control (Deco et al. 2014; reduced Wong-Wang
        E-I models): set each region's J_i so its excitatory input sits
        target_current nA from threshold at the fixed point (where the run
        then starts). Returns J_i per region."""
        _check(_ffi.dtb_sim_apply_fic(self._h, float(target_current)))
        return self.get_param('J_i')

    def fic_stability(self):
        """After apply_fic: the largest real part (1/s) of the Jacobian's
        eigenvalues at the fixed point (negative: stable)."""
        out = ctypes.c_double()
        _check(_ffi.dtb_sim_fic_stability(self._h, ctypes.byref(out)))
        return out.value

    # -- running to a time, checkpoints
    def run_to(self, t_end, progress=None):
        """Advance to simulated time t_end (seconds); as run() otherwise
        (returns the first memory observer's new samples, or None)."""
        self._run(_ffi.dtb_sim_run_to, float(t_end), progress)
        memory = [o for o in self._observers if o.sink == _ffi.DTB_SINK_MEMORY and not o.matrix]
        return memory[0].read() if memory else None

    def save_checkpoint(self, path):
        """Write the complete state (time, history, noise generator,
        observers' windows, ...) to path."""
        _check(_ffi.dtb_sim_save_checkpoint(self._h, _b(path)))

    def branch_from_checkpoint(self, path, reseed=False):
        """Branching twins: start this simulation (set up as for a fresh
        run, with any parameters, lesions, coupling, noise, stimuli and
        observers of its own, not yet stepped) at the time and state of
        another run's checkpoint: its step, state, delay history, coupling
        input, noise stream (reseed=True: this simulation's own seed's
        stream instead), the stimuli's streams they have in common and the
        spiking networks. Model, regions, dt, integrator and delays must be
        the checkpoint's (dtb.InvalidArgument naming the difference);
        dtb.StateError once stepped. Without an intervention the branch
        continues the run bit for bit."""
        _check(_ffi.dtb_sim_branch_from_checkpoint(
            self._h, _b(path), _ffi.DTB_SIM_BRANCH_RESEED if reseed else 0))

    def load_checkpoint(self, path):
        """Restore a checkpoint into a simulation created the same way
        (same atlas, model, options, stimuli and observers in the same
        order; file observers with append=True): the run then continues
        bit-identically."""
        _check(_ffi.dtb_sim_load_checkpoint(self._h, _b(path)))

    @property
    def integrator(self):
        """The integrator's name ('heun', ...)."""
        return _s(_ffi.dtb_integrator_name(self._integrator))

    # -- stimuli
    def add_stimulus(self, stimulus):
        """Add a copy of a dtb.Stimulus (later changes to it do not reach
        this simulation)."""
        with stimulus._lock:
            _check(_ffi.dtb_sim_add_stimulus(self._h, stimulus._h))

    @property
    def stimulus_count(self):
        """Stimuli added."""
        return _ffi.dtb_sim_stimulus_count(self._h)

    # -- spiking regions
    _SPIKING_OPTIONS = ('n', 'exc_fraction', 'k_exc', 'k_inh', 'w_exc', 'w_inh', 'background_hz',
                        'input_gain', 'input_weight', 'rate_tau', 'rate_half', 'current_input')

    def _spiking_options(self, what, options):
        _no_unknown(what, options, self._SPIKING_OPTIONS)
        opts = _init_options(_ffi.dtb_spiking_region_options,
                             _ffi.dtb_spiking_region_options_init,
                             _ffi.DTB_SPIKING_REGION_OPTIONS_VERSION)
        for k, v in options.items():
            if k == 'current_input':
                opts.flags = _ffi.DTB_SPIKING_REGION_FLAG_CURRENT_INPUT if v else 0
            elif k in ('n', 'k_exc', 'k_inh'):
                setattr(opts, k, int(v))
            else:
                setattr(opts, k, float(v))
        return opts

    def add_spiking_region(self, region, cell_model='lif', **options):
        """Make a region a network of spiking E and I cells
        (dtb_spiking(3)); options: n, exc_fraction, k_exc, k_inh, w_exc,
        w_inh, background_hz, input_gain, input_weight, rate_tau,
        rate_half, current_input (bool). Unknown options raise TypeError.
        Returns its index among the spiking regions."""
        opts = self._spiking_options('add_spiking_region()', options)
        _check(_ffi.dtb_sim_add_spiking_region(self._h, self._region(region), _b(cell_model),
                                               ctypes.byref(opts)))
        return _ffi.dtb_sim_spiking_region_count(self._h) - 1

    def add_spiking_region_lems(self, region, path, cell, include=(), **options):
        """The same with a LEMS/NeuroML cell: `cell` is a component id or a
        ComponentType of the file at `path` (dtb_sim_add_spiking_region_lems(3));
        w_exc and w_inh (nA) are required, the input is Poisson."""
        opts = self._spiking_options('add_spiking_region_lems()', options)
        dirs = (ctypes.c_char_p * max(len(include), 1))(*[_b(d) for d in include])
        _check(_ffi.dtb_sim_add_spiking_region_lems(self._h, self._region(region), _b(path),
                                                    _b(cell), dirs if include else None,
                                                    len(include), ctypes.byref(opts)))
        return _ffi.dtb_sim_spiking_region_count(self._h) - 1

    @property
    def spiking_regions(self):
        """[(region, E population, I population), ...] in the order added;
        the populations are indices in sim.spiking_net."""
        out = []
        for i in range(_ffi.dtb_sim_spiking_region_count(self._h)):
            r, e, inh = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int64()
            _check(_ffi.dtb_sim_spiking_region_info(self._h, i, ctypes.byref(r), ctypes.byref(e),
                                                    ctypes.byref(inh)))
            out.append((r.value, e.value, inh.value))
        return out

    def spiking_rate(self, index):
        """The smoothed E rate (Hz) of the index-th spiking region."""
        n = _ffi.dtb_sim_spiking_region_count(self._h)
        if not 0 <= int(index) < n:
            raise IndexError(f'spiking region {index}: the simulation has {n}')
        return _ffi.dtb_sim_spiking_rate(self._h, int(index))

    @property
    def spiking_net(self):
        """The network of every spiking region's populations (a SpikingNet
        sharing this simulation's lock and life), or None before the first."""
        ptr = _ffi.dtb_sim_spiking_net(self._h)
        if not ptr:
            return None
        address = ctypes.cast(ptr, ctypes.c_void_p).value
        if self._net is None or not self._net._ptr or self._net_address != address:
            from .spiking import _BorrowedNet
            self._net = _BorrowedNet(ptr, self)
            self._net_address = address
        return self._net


class _BorrowedSim(Sim):
    """The simulation of a BuiltExperiment: owned by it (never freed here),
    locked by its lock, and keeping it alive; unusable once it is closed.
    Only the observers the experiment built record, unless you add more."""
    _free = staticmethod(lambda ptr: None)

    def __init__(self, ptr, built):
        _Handle.__init__(self, ptr, built._lock)
        self._built = built   # the owner outlives this view
        self._observers = []
        self._errors = []
        atlas, model = built.atlas, built.model
        self._states = model.states
        self._labels = atlas.labels
        atlas.close()
        model.close()
        self._net = None
        self._integrator = 0

    @property
    def _h(self):
        if not self._ptr or not self._built._ptr:
            raise StateError(_ffi.DTB_ESTATE, 'Sim of a closed BuiltExperiment')
        return self._ptr

    def _stop(self, fn):
        """request_stop(): never on the pointer of a closed owner."""
        with self._built._ptr_lock:
            if self._built._ptr and self._ptr:
                fn(self._ptr)

    def run(self, duration, progress=None):
        """Advance `duration` seconds (see Sim.run); the built observers
        write their files. Returns the first memory observer's samples if
        you added one, else None."""
        self._run(_ffi.dtb_sim_run, duration, progress)
        memory = [o for o in self._observers if o.sink == _ffi.DTB_SINK_MEMORY and not o.matrix]
        return memory[0].read() if memory else None
