#!/usr/bin/env python3
"""Rules every test obeys, checked on the sources (meson test rules).

  check_rules.py SOURCE_ROOT

1. Every function the library exports (libdtb/libdtb.map) is called by a C
   test or example (tests/**/*.c, examples/*.c: its name as a word), or is
   listed in tests/rules/uncalled.txt with the reason it is not yet. The
   list only shrinks: a listed function that a test now calls fails the
   check too, until its line is removed.
2. No fmax()/fmin() in the C tests: they drop a NaN (fmax(x, NaN) = x), so
   an accumulated error passes on NaN output; tests/test_util.h's
   nan_max()/nan_min() keep it.
3. No library message names a command-line flag ("--speed inf"): the
   library serves programs that have no such flags; its messages name
   settings and API values (a string literal in libdtb/**/*.c holding
   "--word" fails, outside comments).

Prints what breaks a rule and exits 1; exits 0 when none does.
"""
import os
import re
import sys


def read(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        return f.read()


def sources(root, folder, exts):
    for d, _, files in os.walk(os.path.join(root, folder)):
        for name in files:
            if name.endswith(exts):
                yield os.path.join(d, name)


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = sys.argv[1]
    exported = sorted(set(re.findall(r'^\s+(dtb_\w+);', read(os.path.join(root, 'libdtb', 'libdtb.map')),
                                     re.M)))
    code = {}
    for p in list(sources(root, 'tests', ('.c', '.h'))) + list(sources(root, 'examples', ('.c',))):
        code[p] = read(p)
    words = set()
    for text in code.values():
        words.update(re.findall(r'\bdtb_\w+\b', text))
    listed = {}
    for line in read(os.path.join(root, 'tests', 'rules', 'uncalled.txt')).splitlines():
        line = line.strip()
        if line and not line.startswith('#'):
            name, _, why = line.partition(' ')
            listed[name] = why.strip()
    problems = []
    uncalled = [f for f in exported if f not in words]
    for f in uncalled:
        if f not in listed:
            problems.append(f'{f}: exported, called by no test or example '
                            '(test it, or list it in tests/rules/uncalled.txt with the reason)')
    for f in listed:
        if f not in exported:
            problems.append(f'{f}: listed in tests/rules/uncalled.txt but not exported')
        elif f in words:
            problems.append(f'{f}: a test calls it now; remove it from tests/rules/uncalled.txt')
    nan_dropping = re.compile(r'\bf(max|min)\s*\(')
    for p, text in sorted(code.items()):
        if not p.endswith('.c') or os.path.relpath(p, root).startswith('examples'):
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if nan_dropping.search(line) and not line.lstrip().startswith(('/*', '*', '//')):
                problems.append(f'{os.path.relpath(p, root)}:{n}: fmax/fmin drop NaN; '
                                'use nan_max/nan_min (tests/test_util.h)')
    flag = re.compile(r'"[^"\n]*(?<![-\w])--[a-z][a-z0-9-]*[^"\n]*"')
    for p in sorted(sources(root, 'libdtb', ('.c',))):
        in_comment = False
        for n, line in enumerate(read(p).splitlines(), 1):
            code_part = line
            if in_comment:
                if '*/' not in line:
                    continue
                code_part = line.split('*/', 1)[1]
                in_comment = False
            code_part = re.sub(r'/\*.*?\*/', '', code_part)
            if '/*' in code_part:
                code_part, in_comment = code_part.split('/*', 1)[0], True
            code_part = code_part.split('//', 1)[0]
            if flag.search(code_part):
                problems.append(f'{os.path.relpath(p, root)}:{n}: a library message names a '
                                'command-line flag; name the setting or API value instead')
    print(f'{len(exported)} exported functions, {len(exported) - len(uncalled)} called by a test '
          f'or example, {len(uncalled)} listed as not yet:')
    for f in uncalled:
        print(f'  {f}: {listed.get(f, "NOT LISTED")}')
    for pr in problems:
        print('FAIL:', pr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
