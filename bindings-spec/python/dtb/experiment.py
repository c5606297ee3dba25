# SPDX-License-Identifier: GPL-3.0-or-later
"""Experiments in dtb run's vocabulary, sweeps and fits of them."""
import ctypes

from . import _ffi, _core
from ._core import (InvalidArgument, NotFound, _b, _check, _copy_out, _enum, _Handle, _NO_PROGRESS,
                    _no_unknown, _run_with_progress, _s, _tls)


# ---------------------------------------------------- settings vocabulary

def setting_kind(name):
    """How an experiment setting takes values: 'single' (one value, the
    last wins: 'duration'), 'repeat' (every value counts: 'set',
    'observe'), 'flag' (no value: 'fic'), or None for a name that is no
    setting. Names are written without dashes ('stimulus', 'noise-kind')."""
    kind = _ffi.dtb_experiment_setting_kind(_b(name))
    if kind == _ffi.DTB_SETTING_UNKNOWN:
        return None
    return _ffi.dtb_setting_kind(kind).name[len('DTB_SETTING_'):].lower()


def parse_value(kind, text):
    """A value as experiment settings write it, in SI units, in any locale:
    kind 'number', 'time' ('0.1ms', '2s'; a bare number is milliseconds;
    in s), 'frequency' ('40Hz', '0.1kHz'; in Hz) or 'speed' ('3m/s', 'inf';
    in m/s). dtb.InvalidArgument naming the text and what was expected."""
    out = ctypes.c_double()
    _check(_ffi.dtb_experiment_parse_value(ctypes.byref(out),
                                           _enum(_ffi.dtb_value_kind, 'DTB_VALUE_', kind),
                                           _b(text)))
    return out.value


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
        self._add_settings('Experiment()', settings)

    def _add_settings(self, where, settings):
        for name, value in settings.items():
            setting = name.replace('_', '-')
            if setting_kind(setting) is None:
                # a keyword the library does not know is a misspelt option
                raise TypeError(f'{where}: unknown option {name!r} (no experiment setting '
                                f'{setting!r})')
            for v in value if isinstance(value, (list, tuple)) else [value]:
                self.add(setting, v)

    @classmethod
    def from_string(cls, xml, name=None, base_dir=None):
        """An experiment from XML text (dtb-experiment(5)); relative file
        names are relative to base_dir (None: the working directory); name
        is used in messages."""
        data = _b(xml)
        ptr = ctypes.POINTER(_ffi.dtb_experiment)()
        _check(_ffi.dtb_experiment_load_memory(ctypes.byref(ptr), data, len(data), _b(name),
                                               _b(base_dir)))
        return cls._adopt(ptr)

    def copy(self):
        """An independent copy."""
        ptr = ctypes.POINTER(_ffi.dtb_experiment)()
        _check(_ffi.dtb_experiment_clone(ctypes.byref(ptr), self._h))
        return Experiment._adopt(ptr)

    __copy__ = copy

    @property
    def duration(self):
        """Simulated seconds the experiment runs."""
        return _ffi.dtb_experiment_duration(self._h)

    def build_sim(self, out_dir=None):
        """The simulation the experiment describes (atlas, model, coupling,
        noise, FIC, stimuli, lesions at time 0, its observers writing into
        out_dir), not run: a dtb.Sim of your own to step, inspect or run
        (dtb_experiment_build). Its state variables and regions are known
        by index only. Experiment.build() gives the whole built run."""
        from .sim import Sim
        ptr = ctypes.POINTER(_ffi.dtb_sim)()
        _check(_ffi.dtb_experiment_build(self._h, _b(out_dir), ctypes.byref(ptr)))
        return Sim._adopt(ptr, None)

    def build(self, out_dir=None, extra_setting=None, extra_path=None):
        """Build the run without running it (dtb_built_experiment(3)): a
        BuiltExperiment holding the simulation (built.sim, a dtb.Sim it
        owns), the atlas, the model, the output files and what the run will
        do; built.run() then runs it as Experiment.run() does. out_dir
        (None: the experiment's 'out' setting, else 'dtb-out') is made now;
        every file the run writes is checked first, and extra_path (named
        extra_setting in messages), a file you will write beside them, with
        them. On failure nothing is left on disk.

        Use it as a context manager, or close() it: the simulation, the
        observers and their files are finished when it is closed (the
        files stay); discard() removes what the build made."""
        opts = _ffi.dtb_built_experiment_options()
        _check(_ffi.dtb_built_experiment_options_init(ctypes.byref(opts),
                                                      _ffi.DTB_BUILT_EXPERIMENT_OPTIONS_VERSION))
        opts.out_dir = _b(out_dir)
        opts.extra_setting = _b(extra_setting)
        opts.extra_path = _b(extra_path)
        ptr = ctypes.POINTER(_ffi.dtb_built_experiment)()
        _check(_ffi.dtb_built_experiment_create(ctypes.byref(ptr), self._h, ctypes.byref(opts)))
        return BuiltExperiment(ptr)

    def check_write(self, path, setting='output', others=()):
        """Refuse (dtb.InvalidArgument naming both paths) a file you would
        write beside this experiment's results when its folder does not
        exist or it is one of the experiment's inputs or of `others` (your
        own inputs and outputs; None entries are skipped); setting names
        the file in messages."""
        check_write(path, setting, others, experiment=self)

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
        """Remove every setting of that name."""
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
        """Write the experiment as XML (dtb-experiment(5))."""
        _check(_ffi.dtb_experiment_save(self._h, _b(path)))

    def run(self, out_dir=None):
        """Build and run to the end, writing the observers' files,
        experiment.xml and provenance.json into out_dir."""
        _check(_ffi.dtb_experiment_run(self._h, _b(out_dir), _NO_PROGRESS, None))


def check_write(path, setting='output', others=(), experiment=None):
    """dtb_experiment_check_write without an experiment (or with one):
    dtb.InvalidArgument when path's folder does not exist or path is one of
    the experiment's inputs or of `others` (None entries skipped)."""
    others = list(others)
    arr = (ctypes.c_char_p * max(len(others), 1))(*[_b(o) for o in others])
    if experiment is None:
        _check(_ffi.dtb_experiment_check_write(None, _b(setting), _b(path), arr, len(others)))
    else:
        with experiment._lock:
            _check(_ffi.dtb_experiment_check_write(experiment._h, _b(setting), _b(path), arr,
                                                   len(others)))


class BuiltExperiment(_Handle):
    """A built experiment (Experiment.build()): the simulation, atlas,
    model and output files of a run, before and after it runs.

        with exp.build('out') as built:
            built.sim.n_regions, built.end_time, built.outputs
            built.run(progress=lambda t, fraction: False)

    built.sim is a dtb.Sim owned by the built experiment (it shares its
    lock; closing the built experiment closes it; it keeps the built
    experiment alive). built.atlas and built.model are copies."""
    _free = staticmethod(_ffi.dtb_built_experiment_free)

    def __init__(self, ptr):
        super().__init__(ptr)
        self._errors = []
        self._sim = None

    @property
    def sim(self):
        """The simulation (a dtb.Sim borrowed from this handle: never freed
        by Python, unusable once this handle is closed)."""
        if self._sim is None:
            from .sim import _BorrowedSim
            self._sim = _BorrowedSim(_ffi.dtb_built_experiment_sim(self._h), self)
        return self._sim

    @property
    def atlas(self):
        """A copy of the atlas as built (a dtb.Atlas of your own)."""
        from .atlas import Atlas
        ptr = ctypes.POINTER(_ffi.dtb_atlas)()
        _check(_ffi.dtb_atlas_clone(ctypes.byref(ptr), _ffi.dtb_built_experiment_atlas(self._h)))
        return Atlas._adopt(ptr)

    @property
    def model(self):
        """A copy of the model as built (parameter settings applied)."""
        from .model import Model
        ptr = ctypes.POINTER(_ffi.dtb_model)()
        _check(_ffi.dtb_model_clone(ctypes.byref(ptr), _ffi.dtb_built_experiment_model(self._h)))
        return Model._adopt(ptr)

    @property
    def outputs(self):
        """[(observer, path), ...], one per observer, in the order of the
        experiment's 'observe' settings; observer is a dtb.Observer
        borrowed from the simulation (its kind, columns, sample_count)."""
        from .observer import _BorrowedObserver
        sim = self.sim
        out = []
        for i in range(_ffi.dtb_built_experiment_output_count(self._h)):
            obs = _ffi.dtb_built_experiment_output_observer(self._h, i)
            out.append((_BorrowedObserver(obs, sim),
                        _s(_ffi.dtb_built_experiment_output_path(self._h, i))))
        return out

    @property
    def out_dir(self):
        """The output folder."""
        return _s(_ffi.dtb_built_experiment_out_dir(self._h))

    @property
    def checkpoint_path(self):
        """The checkpoint the run writes, or None."""
        return _s(_ffi.dtb_built_experiment_checkpoint_path(self._h))

    @property
    def end_time(self):
        """The simulated time (s) the run ends at."""
        return _ffi.dtb_built_experiment_end_time(self._h)

    @property
    def seed(self):
        """The seed the run uses."""
        return _ffi.dtb_built_experiment_seed(self._h)

    @property
    def is_default_twin(self):
        """True when the experiment names no model (the default twin runs)."""
        return _ffi.dtb_built_experiment_is_default_twin(self._h) == 1

    @property
    def is_noisy(self):
        """True when some noise intensity is above 0."""
        return _ffi.dtb_built_experiment_is_noisy(self._h) == 1

    @property
    def spiking_spike_count(self):
        """After the run: spikes written to spikes_spiking.csv, or None when
        that file is not written."""
        n = _ffi.dtb_built_experiment_spiking_spike_count(self._h)
        return None if n < 0 else n

    def run(self, progress=None):
        """Run to the end as Experiment.run() does (files completed,
        provenance.json and experiment.xml written, also after a failed or
        cancelled run). progress(t, fraction) covers the whole run; a true
        return stops it (dtb.Cancelled), as does built.sim.request_stop().
        Once per built experiment (dtb.StateError after that)."""
        _run_with_progress(self, lambda pf, key: _ffi.dtb_built_experiment_run(self._h, pf, key),
                           progress)

    def request_stop(self):
        """Stop a running run() after the current step (any thread). Never waits."""
        self._stop(lambda ptr: _ffi.dtb_sim_request_stop(_ffi.dtb_built_experiment_sim(ptr)))

    def discard(self):
        """Free the handle and remove the files and folders the build made
        (for a run you decide not to do)."""
        lock = self._lock
        if lock.held_here() and lock._depth > 1:
            raise _core.StateError(_ffi.DTB_ESTATE, 'BuiltExperiment.discard(): called from '
                                   'inside one of its calls')
        with self._ptr_lock:
            ptr, self._ptr = self._ptr, None
            if ptr:
                _ffi.dtb_built_experiment_discard(ptr)


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
        """Vary a setting: spec 'A:B:N', 'A:B:N:log', 'v1,v2,...' or a sequence of values."""
        if not isinstance(spec, str):
            spec = ','.join(repr(float(v)) for v in spec)
        _check(_ffi.dtb_sweep_vary(self._h, _b(name), _b(spec)))
        return self

    def add_score(self, spec):
        """Score every point ('fc=FILE:of=bold:tr=720ms', 'stable', ...)."""
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
        """Stop the running sweep (from any thread); run() raises dtb.Cancelled. Never waits."""
        self._stop(_ffi.dtb_sweep_request_stop)

    @property
    def names(self):
        """The varied names, in column order of points."""
        return _names(_ffi.dtb_sweep_variable_count, _ffi.dtb_sweep_variable_name, self._h)

    @property
    def score_names(self):
        """The score names, in column order of scores."""
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
        if _core._np is not None:
            return _core._np.array(rows, dtype=float).reshape(n, cols)
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
        """Wall-clock seconds each point took."""
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
        """Check everything (nothing runs, nothing is written)."""
        _check(_ffi.dtb_fit_prepare(self._h))
        return self

    def run(self, out_dir=None, jobs=1, batch=0, keep_outputs=False, same_seed=False, mpi=False,
            mpi_comm=0, progress=None):
        """Evaluate candidates up to the budget. progress(done, total) may return True to stop
        (dtb.Cancelled)."""
        opts, keep = _explore_options(self, out_dir, jobs, batch, keep_outputs, same_seed, mpi,
                                      mpi_comm, progress)
        _run_explore(_ffi.dtb_fit_run, self._h, opts, keep)
        return self

    def request_stop(self):
        """Stop the running fit (from any thread); run() raises dtb.Cancelled. Never waits."""
        self._stop(_ffi.dtb_fit_request_stop)

    @property
    def names(self):
        """The free names, in the order of best."""
        return _names(_ffi.dtb_fit_free_count, _ffi.dtb_fit_free_name, self._h)

    @property
    def score_names(self):
        """The score names, in the order of best_scores."""
        return _names(_ffi.dtb_fit_score_count, _ffi.dtb_fit_score_name, self._h)

    @property
    def evaluations(self):
        """Candidates evaluated so far."""
        return _ffi.dtb_fit_evaluation_count(self._h)

    @property
    def best(self):
        """{name: value} of the best candidate."""
        return dict(zip(self.names, (float(v) for v in _copy_out(_ffi.dtb_fit_best_values, self._h))))

    @property
    def best_scores(self):
        """{score: value} of the best candidate."""
        return dict(zip(self.score_names,
                        (float(v) for v in _copy_out(_ffi.dtb_fit_best_scores, self._h))))

    @property
    def best_objective(self):
        """The best candidate's objective."""
        return _ffi.dtb_fit_best_objective(self._h)

    def best_experiment(self):
        """The best candidate as an Experiment (its seed included)."""
        ptr = ctypes.POINTER(_ffi.dtb_experiment)()
        _check(_ffi.dtb_fit_best_experiment(self._h, ctypes.byref(ptr)))
        return Experiment._adopt(ptr)
