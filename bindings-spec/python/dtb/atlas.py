# SPDX-License-Identifier: GPL-3.0-or-later
"""Atlases: regions, their structural connectivity, surgery and queries."""
import ctypes

from . import _ffi, _core
from ._core import (InvalidArgument, _Handle, _b, _check, _copy_out, _doubles, _enum,
                    _init_options, _int64s, _matrix, _no_unknown, _s, _shape)


class Atlas(_Handle):
    """Brain regions and their structural connectivity.

    Atlas(name_or_path): a built-in atlas ('bn246'), a TVB folder
    (weights.txt, tract_lengths.txt, centres.txt, region_labels.txt) or a
    single CSV/text weight matrix. Atlas.from_arrays() builds one from data.
    """
    _free = staticmethod(_ffi.dtb_atlas_free)

    _PATHS = ('weights_path', 'tract_lengths_path', 'centres_path', 'labels_path')

    def __init__(self, name_or_path, **paths):
        """paths: weights_path=, tract_lengths_path=, centres_path=,
        labels_path= override the files of a folder (text or CSV matrices;
        relative names against the working directory). A misspelt name
        raises TypeError."""
        _no_unknown('Atlas()', paths, self._PATHS)
        ptr = ctypes.POINTER(_ffi.dtb_atlas)()
        opts = None
        if paths:
            opts = _init_options(_ffi.dtb_atlas_load_options, _ffi.dtb_atlas_load_options_init,
                                 _ffi.DTB_ATLAS_LOAD_OPTIONS_VERSION)
            for k, v in paths.items():
                setattr(opts, k, _b(v))
            opts = ctypes.byref(opts)
        _check(_ffi.dtb_atlas_load(ctypes.byref(ptr), _b(name_or_path), opts))
        super().__init__(ptr)

    @classmethod
    def _adopt(cls, ptr):
        self = cls.__new__(cls)
        _Handle.__init__(self, ptr)
        return self

    @classmethod
    def builtin(cls, name):
        """A built-in atlas by name only (no file is looked for)."""
        ptr = ctypes.POINTER(_ffi.dtb_atlas)()
        _check(_ffi.dtb_atlas_create_builtin(ctypes.byref(ptr), _b(name)))
        return cls._adopt(ptr)

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
        """Names of the built-in atlases ('bn246', ...)."""
        return [_s(_ffi.dtb_atlas_builtin_name(i)) for i in range(_ffi.dtb_atlas_builtin_count())]

    @property
    def name(self):
        """The atlas' name."""
        return _s(_ffi.dtb_atlas_name(self._h))

    @property
    def n_regions(self):
        """Number of regions."""
        return _ffi.dtb_atlas_region_count(self._h)

    def __len__(self):
        return self.n_regions

    @property
    def labels(self):
        """Every region's label, in index order."""
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
        return Atlas._adopt(ptr)

    def copy(self):
        """An independent copy (dtb_atlas_clone): surgery on one leaves the
        other as it was."""
        ptr = ctypes.POINTER(_ffi.dtb_atlas)()
        _check(_ffi.dtb_atlas_clone(ctypes.byref(ptr), self._h))
        return Atlas._adopt(ptr)

    __copy__ = copy

    # -- what it is
    @property
    def description(self):
        """Where the atlas came from, in words."""
        return _s(_ffi.dtb_atlas_description(self._h))

    @property
    def is_synthetic(self):
        """True when the connectivity was generated, not measured."""
        return bool(_ffi.dtb_atlas_is_synthetic(self._h))

    @property
    def edge_count(self):
        """Non-zero weights, the diagonal included."""
        return _ffi.dtb_atlas_edge_count(self._h)

    @property
    def has_tract_lengths(self):
        """Whether tract lengths are known (else delays need centres or infinite speed)."""
        return bool(_ffi.dtb_atlas_has_tract_lengths(self._h))

    @property
    def has_centres(self):
        """Whether region centres (MNI mm) are known."""
        return bool(_ffi.dtb_atlas_has_centres(self._h))

    # -- regions
    def region(self, region):
        """The index of a region given by index or exact label (first
        match); dtb.NotFound for an unknown label, IndexError for an index
        out of range."""
        if isinstance(region, str):
            out = ctypes.c_int64()
            _check(_ffi.dtb_atlas_find_region(self._h, _b(region), ctypes.byref(out)))
            return out.value
        k = int(region)
        n = _ffi.dtb_atlas_region_count(self._h)
        if not 0 <= k < n:
            raise IndexError(f'region {k}: the atlas has {n} regions (0 to {n - 1})')
        return k

    find_region = region

    @property
    def lobes(self):
        """The lobe of every region ('' when the atlas does not say)."""
        return [_s(_ffi.dtb_atlas_region_lobe(self._h, k)) or '' for k in range(self.n_regions)]

    @property
    def gyri(self):
        """The gyrus of every region ('' when the atlas does not say)."""
        return [_s(_ffi.dtb_atlas_region_gyrus(self._h, k)) or '' for k in range(self.n_regions)]

    _HEMI = {_ffi.DTB_HEMISPHERE_LEFT: 'left', _ffi.DTB_HEMISPHERE_RIGHT: 'right'}

    @property
    def hemispheres(self):
        """'left', 'right' or None (unknown) for every region."""
        return [self._HEMI.get(int(_ffi.dtb_atlas_region_hemisphere(self._h, k)))
                for k in range(self.n_regions)]

    @property
    def centres(self):
        """n x 3 region centres (MNI mm); dtb.NotFound without centres."""
        n = self.n_regions
        flat = []
        xyz = (ctypes.c_double * 3)()
        for k in range(n):
            _check(_ffi.dtb_atlas_region_centre(self._h, k, xyz))
            flat.extend(xyz)
        return _matrix(_core._np.array(flat) if _core._np is not None else flat, n, 3)

    def centre(self, region):
        """(x, y, z) of one region in mm."""
        xyz = (ctypes.c_double * 3)()
        _check(_ffi.dtb_atlas_region_centre(self._h, self.region(region), xyz))
        return tuple(xyz)

    # -- connectivity
    @property
    def tract_lengths(self):
        """n x n tract lengths in mm (rows are targets), a copy;
        dtb.NotFound when the atlas has none."""
        n = self.n_regions
        return _matrix(_copy_out(_ffi.dtb_atlas_copy_tract_lengths, self._h), n, n)

    def weight(self, target, source):
        """The weight from source to target (indices or labels)."""
        return _ffi.dtb_atlas_weight(self._h, self.region(target), self.region(source))

    def tract_length(self, target, source):
        """The tract length (mm) from source to target; NaN without lengths."""
        return _ffi.dtb_atlas_tract_length(self._h, self.region(target), self.region(source))

    # -- surgery (in place; returns self so that calls chain)
    def set_weight(self, target, source, weight):
        """Set one weight (finite), e.g. 0 to cut an edge."""
        _check(_ffi.dtb_atlas_set_weight(self._h, self.region(target), self.region(source),
                                         float(weight)))
        return self

    def lesion(self, region):
        """Zero a region's row and column of weights (indices stay)."""
        _check(_ffi.dtb_atlas_lesion_region(self._h, self.region(region)))
        return self

    def scale_connections(self, sources, targets, factor):
        """Multiply every weight from a region of sources to a region of
        targets (each an index, a label or a sequence of them) by factor
        (>= 0; 0 cuts them). Directed."""
        src, ns = _int64s(self._regions(sources), 'sources')
        tgt, nt = _int64s(self._regions(targets), 'targets')
        _check(_ffi.dtb_atlas_scale_connections(self._h, src, ns, tgt, nt, float(factor)))
        return self

    def _regions(self, regions):
        if isinstance(regions, (str, int)):
            regions = [regions]
        return [self.region(r) for r in regions]

    def normalize(self, norm='max'):
        """Normalise the weights in place: 'max' (w / max|w|), 'region'
        (w / the largest row sum), 'row_sum' (each row by its sum), 'log1p'
        (log(1 + w)) or 'none'."""
        _check(_ffi.dtb_atlas_normalize_weights(self._h, _enum(_ffi.dtb_weight_norm,
                                                               'DTB_WEIGHT_NORM_', norm)))
        return self

    def scale(self, factor):
        """Multiply every weight by factor (finite)."""
        _check(_ffi.dtb_atlas_scale_weights(self._h, float(factor)))
        return self
