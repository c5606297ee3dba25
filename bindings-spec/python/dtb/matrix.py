# SPDX-License-Identifier: GPL-3.0-or-later
"""Numeric tables read from files (text tables, .npy) as libdtb reads them,
and .npy files written as libdtb writes them (dtb_matrix(3))."""
import collections
import ctypes

from . import _ffi, _core
from ._core import (InvalidArgument, _b, _check, _doubles, _matrix, _s, _shape)

__all__ = ['Table', 'read_matrix', 'write_npy']


class Table(collections.namedtuple('Table', 'values labels')):
    """What read_matrix() returns: `values`, rows x cols (a 2-D NumPy array,
    a list of row lists without NumPy), and `labels`, the column labels of
    the file's header line (a list of cols strings) or None when the file
    has none. Unpacks as `values, labels = dtb.read_matrix(path)`."""
    __slots__ = ()

    @property
    def shape(self):
        """(rows, cols)."""
        if _core._np is not None:
            return tuple(self.values.shape)
        return (len(self.values), len(self.values[0]) if self.values else 0)


_HEADERS = {None: _ffi.DTB_MATRIX_HEADER_AUTO, False: _ffi.DTB_MATRIX_HEADER_NONE,
            True: _ffi.DTB_MATRIX_HEADER_PRESENT}


def read_matrix(path, header=None, square=False, allow_nonfinite=False):
    """Read a table as libdtb reads connectivity, FC and task files:
    a text table (whitespace, comma, semicolon or tab separated; '#'
    comments; numbers in the C locale) or a .npy file (1-D: one column;
    2-D; float64, float32, int32 or int64).

    header: None (default) reads numbers and, if the first line does not
    parse, reads it again as column labels; False: every line is numbers;
    True: the first line is labels (ignored for .npy). square=True refuses
    a table that is not n x n; allow_nonfinite=True accepts 'nan' and
    'inf'. Returns a Table (values, labels). Errors (dtb.NotFound,
    dtb.ParseError, ...) name the file, line and column."""
    if header is not None and not isinstance(header, bool):
        raise InvalidArgument(_ffi.DTB_EINVAL, f'header: {header!r}, expected None, True or False')
    opts = _ffi.dtb_matrix_read_options()
    _check(_ffi.dtb_matrix_read_options_init(ctypes.byref(opts),
                                             _ffi.DTB_MATRIX_READ_OPTIONS_VERSION))
    opts.header = _HEADERS[header]
    opts.flags = ((_ffi.DTB_MATRIX_FLAG_SQUARE if square else 0) |
                  (_ffi.DTB_MATRIX_FLAG_ALLOW_NONFINITE if allow_nonfinite else 0))
    ptr = ctypes.POINTER(_ffi.dtb_matrix)()
    _check(_ffi.dtb_matrix_read(ctypes.byref(ptr), _b(path), ctypes.byref(opts)))
    try:
        rows = _ffi.dtb_matrix_rows(ptr)
        cols = _ffi.dtb_matrix_cols(ptr)
        needed = ctypes.c_size_t()
        _check(_ffi.dtb_matrix_copy_data(ptr, None, 0, ctypes.byref(needed)))
        arr, buf = _core._buffer(needed.value)
        _check(_ffi.dtb_matrix_copy_data(ptr, buf, needed.value, None))
        labels = [_s(_ffi.dtb_matrix_column_label(ptr, j)) for j in range(cols)]
    finally:
        _ffi.dtb_matrix_free(ptr)
    if any(label is None for label in labels):
        labels = None
    return Table(_matrix(arr, rows, cols), labels)


def write_npy(path, array):
    """Write a 2-D array (rows x cols; a 1-D one is one row) as a NumPy
    .npy file of float64, little-endian, C order, replacing path.
    dtb.IOFailure naming the path."""
    shape = _shape(array, 'array')
    if len(shape) == 1:
        shape = (1, shape[0])
    if len(shape) != 2:
        raise InvalidArgument(_ffi.DTB_EINVAL, f'array: shape {shape}, expected rows x cols')
    ptr, _n, _keep = _doubles(array, None, 'array')
    _check(_ffi.dtb_matrix_write_npy(_b(path), ptr, shape[0], shape[1]))
