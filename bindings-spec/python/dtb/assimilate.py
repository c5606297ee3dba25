# SPDX-License-Identifier: GPL-3.0-or-later
"""Data assimilation: a twin that follows a recording (dtb_assimilate(3))."""
import ctypes

from . import _ffi, _core
from ._core import _b, _check, _copy_out, _enum, _Handle, _s, _tls


class _Progress:
    """progress(done, total) on the run's thread; its exception stops the
    run and is raised when run() returns."""

    def __init__(self, fn, owner):
        self.fn = fn
        self.owner = owner
        self.error = None

    def __call__(self, done, total, user_data):
        before = getattr(_tls, 'callback_of', None)
        _tls.callback_of = self.owner
        try:
            return 1 if self.fn(done, total) else 0
        except BaseException as e:  # never unwind through libdtb
            self.error = e
            return 1
        finally:
            _tls.callback_of = before


class Assimilation(_Handle):
    """M members of an experiment corrected by an ensemble Kalman filter
    after every sample of a recording, estimating parameters as it goes.

        a = dtb.Assimilation(exp, data='bold.txt', observer='bold:tr=720ms',
                             estimate={'G': (0.0, 1.0), 'I_o@0+3': (0.2, 0.5)})
        a.run('out', members=50, jobs=2)
        a.times, a.means, a.spreads, a.forecast   # one row per sample

    estimate maps NAME (one value in every region) or NAME@REGIONS (one
    value per region; parameters named NAME@k) to (lo, hi), or to (lo, hi,
    pull) for a hierarchical estimate. method is 'etkf' (default) or
    'enkf'."""
    _free = staticmethod(_ffi.dtb_assimilation_free)

    def __init__(self, experiment, data=None, observer=None, estimate=None):
        ptr = ctypes.POINTER(_ffi.dtb_assimilation)()
        with experiment._lock:
            _check(_ffi.dtb_assimilation_create(ctypes.byref(ptr), experiment._h))
        super().__init__(ptr)
        if data is not None:
            self.set_data(data)
        if observer is not None:
            self.set_observer(observer)
        for name, bounds in (estimate or {}).items():
            self.estimate(name, *bounds)   # (lo, hi) or (lo, hi, pull)

    def estimate(self, name, lo, hi, pull=None):
        """Estimate NAME or NAME@REGIONS within [lo, hi]; with pull (0 < pull
        <= 1), NAME@REGIONS hierarchically: the region values pulled towards
        a shared hyper-parameter NAME, estimated with them."""
        if pull is None:
            _check(_ffi.dtb_assimilation_estimate(self._h, _b(name), float(lo), float(hi)))
        else:
            _check(_ffi.dtb_assimilation_estimate_hierarchical(self._h, _b(name), float(lo),
                                                               float(hi), float(pull)))
        return self

    def set_data(self, path):
        """The recording: time x columns (or columns x time), text, CSV or NPY."""
        _check(_ffi.dtb_assimilation_set_data(self._h, _b(path)))
        return self

    def set_observer(self, spec):
        """What the members predict, in --observe's vocabulary (default 'bold')."""
        _check(_ffi.dtb_assimilation_set_observer(self._h, _b(spec)))
        return self

    def _options(self, out_dir, members, jobs, method, inflation, drift, obs_error,
                 localisation, distance, seed, update_state, no_drift, progress,
                 data_scale='none'):
        o = _ffi.dtb_assimilate_options()
        _check(_ffi.dtb_assimilate_options_init(ctypes.byref(o),
                                                _ffi.DTB_ASSIMILATE_OPTIONS_VERSION))
        o.members = int(members)
        o.jobs = int(jobs)
        o.method = _enum(_ffi.dtb_assimilate_method, 'DTB_ASSIMILATE_', method)
        o.inflation = float(inflation)
        o.drift = float(drift)
        o.obs_error = float(obs_error)
        o.localisation = float(localisation)
        o.distance = _enum(_ffi.dtb_assimilate_distance, 'DTB_ASSIMILATE_DISTANCE_', distance)
        o.seed = int(seed)
        o.out_dir = _b(out_dir)
        if data_scale not in ('none', 'zscore'):
            raise ValueError("data_scale %r: not 'none' or 'zscore'" % (data_scale,))
        o.flags = ((_ffi.DTB_ASSIMILATE_FLAG_UPDATE_STATE if update_state else 0) |
                   (_ffi.DTB_ASSIMILATE_FLAG_NO_DRIFT if no_drift else 0) |
                   (_ffi.DTB_ASSIMILATE_FLAG_ZSCORE if data_scale == 'zscore' else 0))
        keep = None
        if progress is not None:
            keep = _Progress(progress, self)
            o.progress = _ffi.dtb_assimilate_progress_fn(keep)
            keep.c = o.progress   # the C function pointer lives as long as the run
        return o, keep

    def prepare(self, **options):
        """Check everything without running (the options of run())."""
        o, _ = self._options(None, **{**_DEFAULTS, **options})
        _check(_ffi.dtb_assimilation_prepare(self._h, ctypes.byref(o)))
        return self

    def run(self, out_dir=None, members=0, jobs=1, method='etkf', inflation=0.0, drift=0.0,
            obs_error=0.0, localisation=0.0, distance='centres', seed=0, update_state=False,
            no_drift=False, progress=None, data_scale='none'):
        """Assimilate every sample (zero: the default). With out_dir:
        estimates.csv, forecast.csv, forecast_skill.csv and the SVGs.
        distance: 'centres', 'tracts' or 'hops' (what localisation
        measures). data_scale 'zscore': the data's columns z-scored and the
        predictions standardised (recorded BOLD in scanner units).
        progress(done, total) may return True to stop (dtb.Cancelled)."""
        o, keep = self._options(out_dir, members, jobs, method, inflation, drift, obs_error,
                                localisation, distance, seed, update_state, no_drift, progress,
                                data_scale)
        status = _ffi.dtb_assimilation_run(self._h, ctypes.byref(o))
        if keep is not None and keep.error is not None:
            raise keep.error
        _check(status)
        return self

    def request_stop(self):
        """Stop the running assimilation after its sample (from any thread). Never waits."""
        self._stop(_ffi.dtb_assimilation_request_stop)

    @property
    def parameters(self):
        """The estimated parameters' names (NAME, NAME@k), after prepare or run."""
        n = _ffi.dtb_assimilation_parameter_count(self._h)
        return [_s(_ffi.dtb_assimilation_parameter_name(self._h, i)) for i in range(max(n, 0))]

    @property
    def observation_count(self):
        """Columns of the observed signal (-1 before prepare)."""
        return _ffi.dtb_assimilation_observation_count(self._h)

    def __len__(self):
        return _ffi.dtb_assimilation_sample_count(self._h)

    def _rows(self, fn, cols):
        flat = _copy_out(fn, self._h)
        n = len(self)
        if _core._np is not None:
            return flat.reshape(n, cols)
        return [list(flat[i * cols:(i + 1) * cols]) for i in range(n)]

    @property
    def times(self):
        """The assimilated samples' times (s)."""
        return _copy_out(_ffi.dtb_assimilation_times, self._h)

    @property
    def means(self):
        """Each parameter's ensemble mean after each analysis: samples x parameters."""
        return self._rows(_ffi.dtb_assimilation_means, len(self.parameters))

    @property
    def spreads(self):
        """Each parameter's ensemble standard deviation: samples x parameters."""
        return self._rows(_ffi.dtb_assimilation_spreads, len(self.parameters))

    @property
    def forecast(self):
        """The one-step-ahead forecasts (ensemble means before each analysis):
        samples x columns."""
        return self._rows(_ffi.dtb_assimilation_forecast, self.observation_count)

    @property
    def skill(self):
        """The forecasts' skill over the samples done: a dict with 'r' (each
        column's correlation of forecast and recording), 'mean' (their mean)
        and 'fc' (the forecasts' FC against the recording's); None before a
        sample is assimilated."""
        flat = list(_copy_out(_ffi.dtb_assimilation_forecast_skill, self._h))
        if not flat:
            return None
        return {'r': flat[:-2], 'mean': flat[-2], 'fc': flat[-1]}


_DEFAULTS = dict(members=0, jobs=1, method='etkf', inflation=0.0, drift=0.0, obs_error=0.0,
                 localisation=0.0, distance='centres', seed=0, update_state=False, no_drift=False, progress=None,
                 data_scale='none')
