# SPDX-License-Identifier: GPL-3.0-or-later
"""Analyses of recorded signals (dtb_analysis(3)): FC and its dynamics,
spectra, synchrony, and fit scores. Every function takes a recording x of
samples x signals (as an observer delivers it: Trace.values, or any
nested sequence / NumPy array) and returns NumPy arrays (lists without
NumPy). dt is the sample period in seconds, frequencies are in Hz."""
import ctypes

from . import _ffi
from ._core import (_check, _shape, _doubles, _matrix, _buffer, _enum, _init_options,
                    InvalidArgument)

__all__ = ['fc', 'covariance', 'fc_fit', 'kl_divergence', 'ks_distance', 'bandpass',
           'hilbert_phase', 'kuramoto_order', 'metastability', 'psd', 'fcd', 'fcd_fit']


def _recording(x, name='x'):
    """(pointer, n_samples, n_signals, keep) of a samples x signals array."""
    shape = _shape(x, name)
    if len(shape) == 1:
        shape = (shape[0], 1)
    if len(shape) != 2 or not shape[0] or not shape[1]:
        raise InvalidArgument(_ffi.DTB_EINVAL, f'{name}: shape {_shape(x, name)}, expected '
                              'samples x signals')
    ptr, _n, keep = _doubles(x, None, name)
    return ptr, shape[0], shape[1], keep


def _square(m, name):
    shape = _shape(m, name)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise InvalidArgument(_ffi.DTB_EINVAL, f'{name}: shape {shape}, expected n x n')
    ptr, _n, keep = _doubles(m, shape, name)
    return ptr, shape[0], keep


def fc(x):
    """Functional connectivity: the Pearson correlation of every pair of
    signals, signals x signals (a constant signal's row and column are NaN)."""
    p, T, n, _keep = _recording(x)
    out, ptr = _buffer(n * n)
    _check(_ffi.dtb_analysis_fc(ptr, p, T, n))
    return _matrix(out, n, n)


def covariance(x):
    """Covariance of every pair of signals (divided by samples - 1)."""
    p, T, n, _keep = _recording(x)
    out, ptr = _buffer(n * n)
    _check(_ffi.dtb_analysis_covariance(ptr, p, T, n))
    return _matrix(out, n, n)


def fc_fit(fc_a, fc_b):
    """Pearson r of the strict upper triangles of two n x n FC matrices."""
    a, n, _ka = _square(fc_a, 'fc_a')
    b, m, _kb = _square(fc_b, 'fc_b')
    if m != n:
        raise InvalidArgument(_ffi.DTB_EINVAL, f'fc_b: {m} x {m}, fc_a is {n} x {n}')
    r = ctypes.c_double()
    _check(_ffi.dtb_analysis_fc_fit(ctypes.byref(r), a, b, n))
    return r.value


def kl_divergence(p, q, normalize=False):
    """Symmetric Kullback-Leibler divergence of two arrays of positive
    values of one size (matrices flattened); normalize=True divides each
    by its sum first."""
    pp, n, _kp = _doubles(p, None, 'p')
    qq, m, _kq = _doubles(q, None, 'q')
    if m != n:
        raise InvalidArgument(_ffi.DTB_EINVAL, f'q: {m} values, p has {n}')
    out = ctypes.c_double()
    _check(_ffi.dtb_analysis_kl_divergence(ctypes.byref(out), pp, qq, n,
                                           _ffi.DTB_ANALYSIS_KL_NORMALIZE if normalize else 0))
    return out.value


def ks_distance(a, b):
    """Kolmogorov-Smirnov distance of two samples of values."""
    pa, na, _ka = _doubles(a, None, 'a')
    pb, nb, _kb = _doubles(b, None, 'b')
    out = ctypes.c_double()
    _check(_ffi.dtb_analysis_ks_distance(ctypes.byref(out), pa, na, pb, nb))
    return out.value


def bandpass(x, dt, f_lo, f_hi, order=2):
    """Zero-phase Butterworth band-pass (as SciPy's filtfilt): samples x
    signals, the shape of x."""
    p, T, n, _keep = _recording(x)
    out, ptr = _buffer(T * n)
    _check(_ffi.dtb_analysis_bandpass(ptr, p, T, n, float(dt), float(f_lo), float(f_hi),
                                      int(order)))
    return _matrix(out, T, n)


def hilbert_phase(x):
    """Instantaneous phase (radians) of every signal: samples x signals."""
    p, T, n, _keep = _recording(x)
    out, ptr = _buffer(T * n)
    _check(_ffi.dtb_analysis_hilbert_phase(ptr, p, T, n))
    return _matrix(out, T, n)


def kuramoto_order(phase):
    """The Kuramoto order parameter of phases (samples x signals) at every sample."""
    p, T, n, _keep = _recording(phase, 'phase')
    out, ptr = _buffer(T)
    _check(_ffi.dtb_analysis_kuramoto_order(ptr, p, T, n))
    return out if hasattr(out, 'shape') else list(out)


def metastability(phase):
    """(metastability, synchrony): the standard deviation and the mean
    over time of the Kuramoto order parameter of phases (samples x signals)."""
    p, T, n, _keep = _recording(phase, 'phase')
    m, s = ctypes.c_double(), ctypes.c_double()
    _check(_ffi.dtb_analysis_metastability(ctypes.byref(m), ctypes.byref(s), p, T, n))
    return m.value, s.value


def psd(x, dt, window='hann', segment=0, overlap=0, detrend=True):
    """Welch's power spectral density: (freqs, psd), freqs in Hz and psd
    frequencies x signals (signal^2 / Hz). segment: samples per segment
    (default 256 or all); overlap: samples shared (default segment / 2,
    -1 none); window 'hann' or 'boxcar'; detrend: subtract each segment's mean."""
    p, T, n, _keep = _recording(x)
    opts = _init_options(_ffi.dtb_psd_options, _ffi.dtb_psd_options_init,
                         _ffi.DTB_PSD_OPTIONS_VERSION)
    opts.window = _enum(_ffi.dtb_psd_window, 'DTB_PSD_WINDOW_', window)
    opts.segment = int(segment)
    opts.overlap = int(overlap)
    opts.flags = 0 if detrend else _ffi.DTB_PSD_FLAG_NO_DETREND
    nf = ctypes.c_size_t()
    _check(_ffi.dtb_analysis_psd(None, None, 0, ctypes.byref(nf), p, T, n, float(dt),
                                 ctypes.byref(opts)))
    freqs, fptr = _buffer(nf.value)
    out, optr = _buffer(nf.value * n)
    _check(_ffi.dtb_analysis_psd(fptr, optr, nf.value, None, p, T, n, float(dt),
                                 ctypes.byref(opts)))
    return (freqs if hasattr(freqs, 'shape') else list(freqs)), _matrix(out, nf.value, n)


def fcd(x, dt, window=0.0, step=0.0, method='pearson', compare='pearson_ut', order=0,
        f_lo=0.0, f_hi=0.0):
    """Functional connectivity dynamics: the similarity of the FCs of every
    pair of sliding windows, windows x windows. window, step in seconds
    (default 30 samples, window / 2); method 'pearson', 'phase' or 'mtd';
    compare 'pearson_ut', 'cosine_ut', 'pearson_leading' or
    'cosine_leading'; f_hi > 0 band-passes [f_lo, f_hi] first (order)."""
    p, T, n, _keep = _recording(x)
    opts = _init_options(_ffi.dtb_fcd_options, _ffi.dtb_fcd_options_init,
                         _ffi.DTB_FCD_OPTIONS_VERSION)
    opts.method = _enum(_ffi.dtb_fcd_method, 'DTB_FCD_METHOD_', method)
    opts.compare = _enum(_ffi.dtb_fcd_compare, 'DTB_FCD_COMPARE_', compare)
    opts.order = int(order)
    opts.window = float(window)
    opts.step = float(step)
    opts.f_lo = float(f_lo)
    opts.f_hi = float(f_hi)
    nw = ctypes.c_size_t()
    _check(_ffi.dtb_analysis_fcd(None, 0, ctypes.byref(nw), p, T, n, float(dt),
                                 ctypes.byref(opts)))
    w = nw.value
    out, ptr = _buffer(w * w)
    _check(_ffi.dtb_analysis_fcd(ptr, w * w, None, p, T, n, float(dt), ctypes.byref(opts)))
    return _matrix(out, w, w)


def fcd_fit(fcd_a, fcd_b):
    """KS distance of the upper-triangle values of two FCD matrices (0: the same)."""
    a, na, _ka = _square(fcd_a, 'fcd_a')
    b, nb, _kb = _square(fcd_b, 'fcd_b')
    out = ctypes.c_double()
    _check(_ffi.dtb_analysis_fcd_fit(ctypes.byref(out), a, na, b, nb))
    return out.value
