#!/usr/bin/env python3
"""The ABI guard: write an abidw baseline of libdtb and compare a built
library against it with abidiff. One place for the flags (CRAFT.md §2.12),
used by the `abi` test suite and by tools/update-abi-baseline.sh.

  abi_tool.py dump  --lib LIB --headers DIR [--headers DIR ...] --out FILE
  abi_tool.py check --lib LIB --baseline FILE --suppressions FILE

`check` fails (exit 1) when abidiff reports anything that is not filtered as
harmless or suppressed: a removed or changed function, a changed public type
(option struct member inserted, re-typed or reordered; enum value
renumbered; callback signature), and also an exported function that the
baseline does not record yet (a new function must be recorded on purpose by
regenerating the baseline). The suppressions allow only appending members
to versioned option structs and symbols of the DTB_EXPERIMENTAL node.

The option-struct suppression of libabigail 2.2 is broader than its name:
`has_data_member_inserted_at = end` also hides a member re-typed in place
when the struct keeps its size (dtb_sim_options.seed uint64_t -> uint32_t
passed; test_abi_selftest covers it). So `check` also compares every
`dtb_*_options` struct itself: the baseline's members (name, type, offset)
must be an exact prefix of the library's.

How the comparison is done, and why it differs from CRAFT.md §2.12: the
baseline is written with --drop-private-types and the public header folders,
so the private layout of the opaque handles is not in it. The built library
is read WITHOUT --headers-dir2: with it, abidiff treats every type declared
outside those folders as private and filters its changes, and int64_t,
int32_t, size_t and uint32_t are declared in system headers, so a parameter
changed from int64_t to int32_t passed unnoticed (checked with libabigail
2.2; test_abi_selftest covers it). Without it, the opaque structs appear
as "declaration-only became defined", which abidiff filters as harmless.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

ABIDW_FLAGS = ['--drop-private-types', '--exported-interfaces-only', '--short-locs',
               '--no-comp-dir-path', '--no-corpus-path', '--type-id-style', 'hash',
               '--drop-undefined-syms']
ABIDIFF_FLAGS = ['--exported-interfaces-only']

# abidiff exit status bits (libabigail abg-tools-utils.h).
ABIDIFF_ERROR = 1
ABIDIFF_USAGE_ERROR = 2
ABIDIFF_ABI_CHANGE = 4
ABIDIFF_ABI_INCOMPATIBLE_CHANGE = 8

UPDATE_HINT = ('If the change is intended (a new public function, or before 0.1 is '
               'released), record it with: sh tools/update-abi-baseline.sh')


def tool(name):
    path = shutil.which(name)
    if not path:
        raise FileNotFoundError(f'{name} not found (Debian package abigail-tools)')
    return path


def dump(lib, header_dirs, out=None):
    """abidw of `lib`; returns the XML text (and writes it to out if given)."""
    cmd = [tool('abidw')] + ABIDW_FLAGS
    for d in header_dirs:
        cmd += ['--headers-dir', d]
    cmd.append(lib)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f'abidw failed ({r.returncode}) on {lib}:\n{r.stderr}')
    text = r.stdout
    if out:
        with open(out, 'w', encoding='utf-8') as f:
            f.write(text)
    return text


OPTIONS_STRUCT = re.compile(r'^dtb_\w*_options$')


def _render(types, tid, depth=0):
    """A C-like spelling of the type with abixml id `tid`, for comparisons."""
    el = types.get(tid)
    if el is None or depth > 20:
        return f'?{tid}'
    tag = el.tag
    if tag == 'type-decl':
        return el.get('name')
    if tag == 'typedef-decl':
        return f'{el.get("name")}={{{_render(types, el.get("type-id"), depth + 1)}}}'
    if tag == 'pointer-type-def':
        return _render(types, el.get('type-id'), depth + 1) + '*'
    if tag == 'qualified-type-def':
        quals = ' '.join(q for q in ('const', 'volatile', 'restrict') if el.get(q) == 'yes')
        return f'{_render(types, el.get("type-id"), depth + 1)} {quals}'
    if tag == 'class-decl':
        return 'struct ' + el.get('name', '')
    if tag == 'enum-decl':
        return 'enum ' + el.get('name', '')
    if tag == 'array-type-def':
        return f'{_render(types, el.get("type-id"), depth + 1)}[{el.get("size-in-bits")}b]'
    if tag == 'function-type':
        params = [_render(types, p.get('type-id'), depth + 1) if p.get('type-id') else '...'
                  for p in el.findall('parameter')]
        ret = el.find('return')
        rtype = _render(types, ret.get('type-id'), depth + 1) if ret is not None else 'void'
        return f'{rtype}({", ".join(params)})'
    return f'{tag}:{el.get("name", tid)}'


def option_structs(xml_text):
    """{struct name: (size in bits, [(member, type, offset in bits), ...])}
    for the versioned option structs of an abidw dump."""
    root = ET.fromstring(xml_text)
    types = {}
    for el in root.iter():
        if el.get('id') and el.tag != 'elf-symbol':
            # The first complete definition wins (a struct may also appear
            # declaration-only in another translation unit).
            if el.get('id') not in types or types[el.get('id')].get('is-declaration-only'):
                types[el.get('id')] = el
    structs = {}
    for el in types.values():
        if el.tag != 'class-decl' or not OPTIONS_STRUCT.match(el.get('name', '')):
            continue
        if el.get('is-declaration-only') == 'yes':
            continue
        members = []
        for dm in el.findall('data-member'):
            var = dm.find('var-decl')
            members.append((var.get('name'), _render(types, var.get('type-id')),
                            int(dm.get('layout-offset-in-bits', '-1'))))
        structs[el.get('name')] = (int(el.get('size-in-bits', '0')), members)
    return structs


def compare_option_structs(old_xml, new_xml):
    """Problems where a baseline option struct is not a prefix of the new one."""
    old, new = option_structs(old_xml), option_structs(new_xml)
    problems = []
    for name, (size, members) in sorted(old.items()):
        if name not in new:
            problems.append(f'{name}: no longer in the ABI')
            continue
        nsize, nmembers = new[name]
        if nsize < size:
            problems.append(f'{name}: shrank from {size // 8} to {nsize // 8} bytes')
        for i, m in enumerate(members):
            if i >= len(nmembers):
                problems.append(f'{name}: member {m[0]} ({m[1]}) removed')
                break
            if nmembers[i] != m:
                problems.append(f'{name}: member {i} was {m[0]} ({m[1]}, bit {m[2]}), '
                                f'is now {nmembers[i][0]} ({nmembers[i][1]}, bit {nmembers[i][2]})')
                break
    return problems


class Verdict:
    def __init__(self, status, report, struct_problems=()):
        self.status = status
        self.report = report
        self.struct_problems = list(struct_problems)

    @property
    def ok(self):
        return self.status == 0 and not self.struct_problems

    def added_functions(self):
        return re.findall(r"\[A\] '[^']*?(\w+)\(", self.report)

    def removed_functions(self):
        return re.findall(r"\[D\] '[^']*?(\w+)\(", self.report)

    def changed_functions(self):
        return re.findall(r"\[C\] '[^']*?(\w+)\(", self.report)

    def explain(self):
        lines = []
        if self.status & (ABIDIFF_ERROR | ABIDIFF_USAGE_ERROR):
            lines.append(f'abidiff could not compare (status {self.status})')
        if self.status & ABIDIFF_ABI_INCOMPATIBLE_CHANGE:
            lines.append('INCOMPATIBLE ABI change: a SONAME bump would be required')
        elif self.status & ABIDIFF_ABI_CHANGE:
            lines.append('ABI change not recorded in the baseline')
        added = self.added_functions()
        if added:
            lines.append('functions exported but not recorded in the baseline: '
                         + ', '.join(added))
        removed = self.removed_functions()
        if removed:
            lines.append('functions in the baseline but no longer exported: ' + ', '.join(removed))
        changed = self.changed_functions()
        if changed:
            lines.append('functions whose signature or types changed: ' + ', '.join(changed))
        for p in self.struct_problems:
            lines.append('option struct changed other than by appending: ' + p)
        return lines


class NoDebugInfo(Exception):
    pass


def require_types(xml_text, what):
    """abidw reads types from DWARF; without it a dump lists symbol names
    only (no <abi-instr>), and abidiff would pass every type change (a
    --buildtype=release build: its self-test passed each deliberate break)."""
    if '<abi-instr' not in xml_text:
        raise NoDebugInfo(f'{what} has no debug information (DWARF), so abidiff cannot see '
                          'its types and would pass any type change; build it with -g '
                          '(tests/abi/meson.build does so for builds without debug info)')


def check(lib, baseline, suppressions):
    lib_xml = dump(lib, [])
    require_types(lib_xml, lib)
    with open(baseline, encoding='utf-8') as f:
        base_xml = f.read()
    require_types(base_xml, baseline)
    cmd = [tool('abidiff')] + ABIDIFF_FLAGS + ['--suppressions', suppressions, baseline, lib]
    r = subprocess.run(cmd, capture_output=True, text=True)
    problems = compare_option_structs(base_xml, lib_xml)
    return Verdict(r.returncode, r.stdout + r.stderr, problems)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    d = sub.add_parser('dump')
    d.add_argument('--lib', required=True)
    d.add_argument('--headers', action='append', required=True)
    d.add_argument('--out', required=True)
    c = sub.add_parser('check')
    c.add_argument('--lib', required=True)
    c.add_argument('--baseline', required=True)
    c.add_argument('--suppressions', required=True)
    args = ap.parse_args()
    try:
        if args.cmd == 'dump':
            dump(args.lib, args.headers, args.out)
            print(f'wrote {args.out}')
            return 0
        if not os.path.exists(args.baseline):
            print(f'no ABI baseline {args.baseline} (a new SONAME?). {UPDATE_HINT}')
            return 1
        v = check(args.lib, args.baseline, args.suppressions)
    except FileNotFoundError as e:
        print(f'SKIP: {e}')
        return 77
    except NoDebugInfo as e:
        print(f'REFUSED: {e}')
        return 1
    if v.ok:
        print(f'{os.path.basename(args.lib)}: ABI matches {os.path.basename(args.baseline)}')
        return 0
    print(v.report)
    for line in v.explain():
        print(line)
    print(UPDATE_HINT)
    return 1


if __name__ == '__main__':
    sys.exit(main())
