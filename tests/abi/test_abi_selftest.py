#!/usr/bin/env python3
"""A test of the ABI guard itself: it must fail on deliberate ABI breaks and
pass on compatible changes, with the same flags and suppressions as the
real check (abi_tool.py, libdtb.abignore).

1. A miniature API (selftest/abt.h) is built in variants. The baseline is
   written from the BASE variant; each other variant is checked against it
   and must give the expected verdict (see EXPECTED).
2. The real baseline of libdtb is mutated in memory so that it no longer
   matches the real library: a parameter type changed (dtb_sim_step's
   int64_t n_steps recorded as int32_t), an option struct member re-typed
   in place (dtb_sim_options.seed recorded as uint32_t, which libabigail's
   append-only suppression lets through; abi_tool's own option-struct
   comparison must catch it), and an exported function missing from the
   baseline. Each mutation must make the real check fail and name the
   function or struct.

usage: test_abi_selftest.py SUPPRESSIONS HEADERS_DIR REAL_BASELINE REAL_LIB NAME=LIB...
"""
import os
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import abi_tool  # noqa: E402

# variant -> (check passes?, function the report must name)
EXPECTED = {
    'BASE': (True, None),
    'ABT_PRIVATE_CHANGE': (True, None),       # opaque struct layout is not ABI
    'ABT_APPEND_MEMBER': (True, None),        # option structs grow at the end
    'ABT_APPEND_ENUM': (True, None),          # new enum value
    'ABT_ADD_EXPERIMENTAL': (True, None),     # DTB_EXPERIMENTAL node is suppressed
    'ABT_PARAM_INT32': (False, 'dtb_abt_step'),       # int64_t -> int32_t parameter
    'ABT_CALLBACK_FLOAT': (False, 'dtb_abt_run'),     # callback double -> float
    'ABT_INSERT_MEMBER': (False, 'dtb_abt_create'),   # member inserted mid-struct
    'ABT_RETYPE_MEMBER': (False, 'dtb_abt_options'),  # uint32_t -> int32_t in place
    'ABT_RENUMBER_ENUM': (False, 'dtb_abt_kind_of'),  # pinned value changed
    'ABT_REMOVE_FUNCTION': (False, 'dtb_abt_count'),  # exported function removed
    'ABT_ADD_FUNCTION': (False, 'dtb_abt_added'),     # new function not in baseline
}


def check_variants(suppressions, headers, libs, tmp):
    failures = []
    baseline = os.path.join(tmp, 'abt.abi')
    abi_tool.dump(libs['BASE'], [headers], baseline)
    for name, (should_pass, function) in sorted(EXPECTED.items()):
        if name not in libs:
            failures.append(f'variant {name}: not built')
            continue
        v = abi_tool.check(libs[name], baseline, suppressions)
        if v.status & (abi_tool.ABIDIFF_ERROR | abi_tool.ABIDIFF_USAGE_ERROR):
            failures.append(f'variant {name}: abidiff error {v.status}:\n{v.report}')
        elif v.ok != should_pass:
            failures.append(f'variant {name}: check {"failed" if not v.ok else "passed"}, '
                            f'expected it to {"pass" if should_pass else "fail"}:\n{v.report}')
        elif function and function not in ' '.join(v.explain()):
            failures.append(f'variant {name}: report does not name {function}:\n{v.report}')
        else:
            print(f'ok: variant {name}: {"passes" if v.ok else "fails"} as expected')
    return failures


def find_typedef_id(root, name):
    for el in root.iter('typedef-decl'):
        if el.get('name') == name:
            return el.get('id')
    raise KeyError(f'typedef {name} not in the baseline')


def mutate_param_type(root):
    """Record dtb_sim_step's second parameter as int32_t."""
    int32 = find_typedef_id(root, 'int32_t')
    for fn in root.iter('function-decl'):
        if fn.get('name') == 'dtb_sim_step':
            params = fn.findall('parameter')
            params[1].set('type-id', int32)
            return 'dtb_sim_step'
    raise KeyError('dtb_sim_step not in the baseline')


def mutate_option_member(root):
    """Record dtb_sim_options.seed (uint64_t) as a uint32_t."""
    u32 = find_typedef_id(root, 'uint32_t')
    for cls in root.iter('class-decl'):
        if cls.get('name') == 'dtb_sim_options':
            for var in cls.iter('var-decl'):
                if var.get('name') == 'seed':
                    var.set('type-id', u32)
                    return 'dtb_sim_options'
    raise KeyError('dtb_sim_options.seed not in the baseline')


def mutate_drop_symbol(root):
    """Forget that dtb_version_string is exported (as if it were new)."""
    for parent in root.iter():
        for el in list(parent):
            if el.tag == 'elf-symbol' and el.get('name') == 'dtb_version_string':
                parent.remove(el)
                return 'dtb_version_string'
    raise KeyError('dtb_version_string not in the baseline')


def check_real(suppressions, baseline, lib, tmp):
    failures = []
    v = abi_tool.check(lib, baseline, suppressions)
    if not v.ok:
        # The real check (test 'abidiff') reports this; the mutations below
        # would prove nothing against a baseline that already differs.
        return [f'the real library does not match its baseline; fix that first:\n{v.report}']
    for mutate in (mutate_param_type, mutate_option_member, mutate_drop_symbol):
        tree = ET.parse(baseline)
        function = mutate(tree.getroot())
        path = os.path.join(tmp, mutate.__name__ + '.abi')
        tree.write(path, encoding='unicode')
        v = abi_tool.check(lib, path, suppressions)
        if v.ok:
            failures.append(f'{mutate.__name__}: the check passed a deliberate ABI break')
        elif function not in ' '.join(v.explain()):
            failures.append(f'{mutate.__name__}: report does not name {function}:\n'
                            + '\n'.join(v.explain()))
        else:
            print(f'ok: libdtb with {mutate.__doc__.strip()[:-1].lower()}: check fails: '
                  + '; '.join(v.explain()))
    return failures


def main():
    suppressions, headers, real_baseline, real_lib = sys.argv[1:5]
    libs = dict(arg.split('=', 1) for arg in sys.argv[5:])
    try:
        abi_tool.tool('abidw')
        abi_tool.tool('abidiff')
    except FileNotFoundError as e:
        print(f'SKIP: {e}')
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        try:
            failures = check_variants(suppressions, headers, libs, tmp)
            failures += check_real(suppressions, real_baseline, real_lib, tmp)
        except abi_tool.NoDebugInfo as e:
            failures = [f'refused: {e}']
    for f in failures:
        print('FAIL:', f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
