# SPDX-License-Identifier: GPL-3.0-or-later
"""Region models: compiled descriptors, their parameters and variables."""
import ctypes

from . import _ffi
from ._core import (_Handle, _b, _check, _init_options, _names_of, _s)


class Model(_Handle):
    """A compiled region-model descriptor.

    Model(name_or_path): a built-in model ('generic_2d_oscillator') or an XML
    file; Model.from_xml(text) reads a string. model['a'] reads and
    model['a'] = 1.05 sets a parameter (in its own unit)."""
    _free = staticmethod(_ffi.dtb_model_free)

    def __init__(self, name_or_path, model_name=None, include=()):
        """model_name: which RegionModel (or plain ComponentType/Component)
        of a LEMS file; include: extra folders for <Include file=...>."""
        ptr = ctypes.POINTER(_ffi.dtb_model)()
        opts, keep = _load_options(model_name, include)
        _check(_ffi.dtb_model_load(ctypes.byref(ptr), _b(name_or_path), opts))
        super().__init__(ptr)

    @classmethod
    def _adopt(cls, ptr):
        self = cls.__new__(cls)
        _Handle.__init__(self, ptr)
        return self

    @classmethod
    def builtin(cls, name):
        """A built-in model by name only (no file is looked for)."""
        ptr = ctypes.POINTER(_ffi.dtb_model)()
        _check(_ffi.dtb_model_create_builtin(ctypes.byref(ptr), _b(name)))
        return cls._adopt(ptr)

    @classmethod
    def from_file(cls, path, model_name=None, include=()):
        """A descriptor file only (a built-in name is not tried)."""
        ptr = ctypes.POINTER(_ffi.dtb_model)()
        opts, keep = _load_options(model_name, include)
        _check(_ffi.dtb_model_load_file(ctypes.byref(ptr), _b(path), opts))
        return cls._adopt(ptr)

    @classmethod
    def from_xml(cls, xml, source_name='<string>', model_name=None, include=()):
        """A descriptor in a string; source_name names it in messages and
        resolves relative includes."""
        data = _b(xml)
        ptr = ctypes.POINTER(_ffi.dtb_model)()
        opts, keep = _load_options(model_name, include)
        _check(_ffi.dtb_model_load_string(ctypes.byref(ptr), data, len(data), _b(source_name),
                                          opts))
        return cls._adopt(ptr)

    def copy(self):
        """An independent copy (parameters as set now)."""
        ptr = ctypes.POINTER(_ffi.dtb_model)()
        _check(_ffi.dtb_model_clone(ctypes.byref(ptr), self._h))
        return Model._adopt(ptr)

    __copy__ = copy

    @staticmethod
    def builtins():
        """Names of the built-in models ('generic_2d_oscillator', ...)."""
        return [_s(_ffi.dtb_model_builtin_name(i)) for i in range(_ffi.dtb_model_builtin_count())]

    @property
    def name(self):
        """The model's name."""
        return _s(_ffi.dtb_model_name(self._h))

    @property
    def params(self):
        """Parameter names, in index order."""
        return [_s(_ffi.dtb_model_param_name(self._h, i))
                for i in range(_ffi.dtb_model_param_count(self._h))]

    @property
    def states(self):
        """State variable names, in index order."""
        return [_s(_ffi.dtb_model_state_name(self._h, i))
                for i in range(_ffi.dtb_model_state_count(self._h))]

    @property
    def default_coupling(self):
        """The coupling the model's descriptor says it was published with,
        as (kind, {parameter: value}) -- ('linear', {'a': 1.0}) for the
        reduced Wong-Wang E-I models -- or None when it states none (then
        a Sim uses linear coupling at TVB's a = 1/256)."""
        kind = _ffi.dtb_model_default_coupling(self._h)
        if kind <= 0:
            return None
        params = {}
        for i in range(_ffi.dtb_model_default_coupling_param_count(self._h)):
            name = _ffi.dtb_model_default_coupling_param_name(self._h, i)
            v = ctypes.c_double()
            _check(_ffi.dtb_model_get_default_coupling_param(self._h, name, ctypes.byref(v)))
            params[_s(name)] = v.value
        return _s(_ffi.dtb_coupling_kind_name(kind)), params

    def __getitem__(self, name):
        v = ctypes.c_double()
        _check(_ffi.dtb_model_get_param(self._h, _b(name), ctypes.byref(v)))
        return v.value

    def __setitem__(self, name, value):
        if isinstance(value, str):
            _check(_ffi.dtb_model_set_param_string(self._h, _b(name), _b(value)))
        else:
            _check(_ffi.dtb_model_set_param(self._h, _b(name), float(value)))

    # -- what it is
    @property
    def description(self):
        """What the model is, in words."""
        return _s(_ffi.dtb_model_description(self._h))

    @property
    def reference(self):
        """The publication the model comes from."""
        return _s(_ffi.dtb_model_reference(self._h))

    @property
    def time_scale(self):
        """Seconds per unit of the model's own time (1e-3 for TVB models)."""
        return _ffi.dtb_model_time_scale(self._h)

    def param_info(self, name):
        """(unit, description) of a parameter."""
        i = self.param_index(name)
        return (_s(_ffi.dtb_model_param_unit(self._h, i)) or '',
                _s(_ffi.dtb_model_param_description(self._h, i)) or '')

    def param_index(self, name):
        """The index of a parameter; dtb.NotFound for an unknown name."""
        out = ctypes.c_int64()
        _check(_ffi.dtb_model_find_param(self._h, _b(name), ctypes.byref(out)))
        return out.value

    def state_index(self, name):
        """The index of a state variable; dtb.NotFound for an unknown name."""
        out = ctypes.c_int64()
        _check(_ffi.dtb_model_find_state(self._h, _b(name), ctypes.byref(out)))
        return out.value

    def _pair(self, fn, state):
        i = self.state_index(state) if isinstance(state, str) else int(state)
        lo, hi = ctypes.c_double(), ctypes.c_double()
        _check(fn(self._h, i, ctypes.byref(lo), ctypes.byref(hi)))
        return lo.value, hi.value

    def state_bounds(self, state):
        """(lo, hi): the hard bounds the integrator clips to (+-inf: none)."""
        return self._pair(_ffi.dtb_model_state_bounds, state)

    def state_range(self, state):
        """(lo, hi): the range default initial values are drawn from."""
        return self._pair(_ffi.dtb_model_state_range, state)

    @property
    def coupling_variables(self):
        """[(state name, input name), ...]: the state variables exchanged
        between regions and the input each arrives as."""
        states = self.states
        return [(states[_ffi.dtb_model_coupling_state(self._h, i)],
                 _s(_ffi.dtb_model_coupling_input(self._h, i)))
                for i in range(_ffi.dtb_model_coupling_count(self._h))]

    @property
    def derived(self):
        """Derived variables (observers record them like states)."""
        return _names_of(_ffi.dtb_model_derived_count, _ffi.dtb_model_derived_name, self._h)

    @property
    def exposures(self):
        """The names the LEMS ComponentType exposes (inherited ones first)."""
        return _names_of(_ffi.dtb_model_exposure_count, _ffi.dtb_model_exposure_name, self._h)

    @property
    def variables_of_interest(self):
        """[(name, state index or -1 for a derived variable), ...]: what
        observers record by default."""
        return [(_s(_ffi.dtb_model_voi_name(self._h, i)), _ffi.dtb_model_voi_state(self._h, i))
                for i in range(_ffi.dtb_model_voi_count(self._h))]


def _load_options(model_name, include):
    """dtb_model_load_options, or None when nothing is asked; keep the
    second value alive for the call (the include array)."""
    if model_name is None and not include:
        return None, None
    if isinstance(include, str):
        include = [include]
    opts = _init_options(_ffi.dtb_model_load_options, _ffi.dtb_model_load_options_init,
                         _ffi.DTB_MODEL_LOAD_OPTIONS_VERSION)
    opts.model_name = _b(model_name)
    dirs = (ctypes.c_char_p * max(len(include), 1))(*[_b(d) for d in include])
    if include:
        opts.include_dirs = dirs
        opts.n_include_dirs = len(include)
    return ctypes.byref(opts), (opts, dirs)
