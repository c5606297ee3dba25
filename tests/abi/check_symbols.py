#!/usr/bin/env python3
"""The public API three ways must agree: functions declared DTB_API in the
headers, names in the linker version script, and symbols the shared library
exports (nm -D). Also: nothing but dtb_ symbols is exported."""
import re
import subprocess
import sys


def header_functions(headers):
    names = set()
    for path in headers:
        text = open(path, encoding='utf-8').read()
        text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
        for m in re.finditer(r'^DTB_API\b[^;]*?\b(dtb_\w+)\s*\(', text, flags=re.M):
            names.add(m.group(1))
    return names


def map_functions(path):
    text = re.sub(r'/\*.*?\*/', '', open(path, encoding='utf-8').read(), flags=re.S)
    names = set()
    for block in re.findall(r'global:(.*?)(?:local:|\})', text, flags=re.S):
        names.update(n.strip() for n in block.split(';') if n.strip())
    return names


def exported(lib):
    out = subprocess.run(['nm', '-D', '--defined-only', lib], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] not in ('A',):
            names.add(parts[2].split('@')[0])
    return names


def main():
    lib, mapfile, headers = sys.argv[1], sys.argv[2], sys.argv[3:]
    h, m, e = header_functions(headers), map_functions(mapfile), exported(lib)
    ok = True
    for what, a, b in (('declared in headers but not in the version script', h, m),
                       ('in the version script but not declared', m, h),
                       ('declared but not exported', h, e),
                       ('exported but not declared', e, h)):
        if a - b:
            print(f'{what}: {sorted(a - b)}')
            ok = False
    stray = sorted(n for n in e if not n.startswith('dtb_'))
    if stray:
        print('exported symbols without the dtb_ prefix:', stray)
        ok = False
    print(f'{len(h)} functions: headers, version script and exports agree' if ok else 'FAILED')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
