# SPDX-License-Identifier: GPL-3.0-or-later
"""Figures as SVG files drawn by libdtb's own writer (dtb_plot(3)): line
charts, heat maps, spike rasters and brain figures, the figures of
`dtb plot`."""
import ctypes

from . import _ffi
from ._core import (InvalidArgument, _b, _check, _doubles, _no_unknown, _shape)

__all__ = ['plot_lines', 'plot_heatmap', 'plot_raster', 'plot_brain']

_OPTIONS = ('title', 'x_label', 'y_label', 'value_label', 'vmin', 'vmax', 'log_y', 'diverging',
            'max_edges', 'max_labels')


def _options(where, options, known):
    """A dtb_plot_options from keyword options (TypeError naming an unknown one)."""
    _no_unknown(where, options, known)
    opts = _ffi.dtb_plot_options()
    _check(_ffi.dtb_plot_options_init(ctypes.byref(opts), _ffi.DTB_PLOT_OPTIONS_VERSION))
    keep = []
    for name in ('title', 'x_label', 'y_label', 'value_label'):
        if options.get(name) is not None:
            keep.append(_b(options[name]))
            setattr(opts, name, keep[-1])
    for name in ('vmin', 'vmax'):
        if options.get(name) is not None:
            setattr(opts, name, float(options[name]))
    for name in ('max_edges', 'max_labels'):
        if options.get(name) is not None:
            setattr(opts, name, int(options[name]))
    opts.flags = ((_ffi.DTB_PLOT_FLAG_LOG_Y if options.get('log_y') else 0) |
                  (_ffi.DTB_PLOT_FLAG_DIVERGING if options.get('diverging') else 0))
    return opts, keep


def _strings(items, n, name):
    """A C array of n strings (None entries stay NULL), or None."""
    if items is None:
        return None
    items = list(items)
    if len(items) != n:
        raise InvalidArgument(_ffi.DTB_EINVAL, f'{name}: {len(items)} strings, expected {n}')
    return (ctypes.c_char_p * max(n, 1))(*[_b(s) for s in items])


def plot_lines(path, x, y, names=None, **options):
    """A line chart of series over the same x values: y is series x points
    (one series: a 1-D array of len(x)); names (one per series, entries may
    be None) make the legend. Options: title, x_label, y_label, log_y
    (logarithmic y axis; values <= 0 are left out). A non-finite value
    breaks its line."""
    opts, keep = _options('plot_lines()', options, ('title', 'x_label', 'y_label', 'log_y'))
    n_points = len(x)
    yshape = _shape(y, 'y')
    if len(yshape) == 1:
        yshape = (1,) + yshape
    if len(yshape) != 2 or yshape[1] != n_points:
        raise InvalidArgument(_ffi.DTB_EINVAL, f'y: shape {_shape(y, "y")}, expected series x '
                              f'{n_points} (the length of x)')
    xp, _n, kx = _doubles(x, (n_points,), 'x')
    yp, _n, ky = _doubles(y, None, 'y')
    _check(_ffi.dtb_plot_lines(_b(path), xp, yp, n_points, yshape[0],
                               _strings(names, yshape[0], 'names'), ctypes.byref(opts)))


def plot_heatmap(path, values, row_labels=None, col_labels=None, **options):
    """A heat map of a rows x cols matrix (row 0 at the top) with a colour
    bar; row_labels / col_labels default to the indices. Options: title,
    x_label, y_label, value_label (the colour bar's), vmin and vmax (the
    colour range; both unset or 0: from the data), diverging (blue-white-red
    centred on 0, for correlations)."""
    opts, keep = _options('plot_heatmap()', options, ('title', 'x_label', 'y_label',
                                                       'value_label', 'vmin', 'vmax', 'diverging'))
    shape = _shape(values, 'values')
    if len(shape) != 2:
        raise InvalidArgument(_ffi.DTB_EINVAL, f'values: shape {shape}, expected rows x cols')
    vp, _n, kv = _doubles(values, shape, 'values')
    _check(_ffi.dtb_plot_heatmap(_b(path), vp, shape[0], shape[1],
                                 _strings(row_labels, shape[0], 'row_labels'),
                                 _strings(col_labels, shape[1], 'col_labels'),
                                 ctypes.byref(opts)))


def plot_raster(path, times, units, n_units, **options):
    """A spike raster: spike k at times[k] (seconds) of unit units[k]
    (0 .. n_units-1, rounded; others are left out). Option: title."""
    opts, keep = _options('plot_raster()', options, ('title',))
    n = len(times)
    tp, _n, kt = _doubles(times, (n,), 'times')
    up, _n, ku = _doubles(units, (n,), 'units')
    _check(_ffi.dtb_plot_raster(_b(path), tp, up, n, int(n_units), ctypes.byref(opts)))


def plot_brain(path, atlas, values=None, edges=None, **options):
    """A brain figure on glass-brain views (sagittal, coronal, axial) of the
    atlas' region centres: values (one per region; non-finite: grey) as
    node colours, the strongest connections of edges (n x n: FC, weights)
    as lines, red positive, blue negative. Options: title, value_label,
    vmin, vmax, diverging, max_edges (default 40; negative: none),
    max_labels (regions of largest |value| labelled; default 5; negative:
    none). dtb.InvalidArgument for an atlas without centres."""
    opts, keep = _options('plot_brain()', options, ('title', 'value_label', 'vmin', 'vmax',
                                                     'diverging', 'max_edges', 'max_labels'))
    with atlas._lock:
        n = _ffi.dtb_atlas_region_count(atlas._h)
        vp, nv, kv = (None, 0, None) if values is None else _doubles(values, (n,), 'values')
        if edges is None:
            ep, ne, ke = None, 0, None
        else:
            flat = _shape(edges, 'edges') == (n * n,)
            ep, ne, ke = _doubles(edges, (n * n,) if flat else (n, n), 'edges')
        _check(_ffi.dtb_plot_brain(_b(path), atlas._h, vp, nv, ep, ne, ctypes.byref(opts)))
