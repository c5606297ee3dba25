#!/usr/bin/env python3
"""Header hygiene: every public header compiles on its own, as C99 with
-pedantic -Werror and as C++11, and exposes no struct layout except the
versioned option structs."""
import os
import re
import subprocess
import sys


def compile_alone(compiler, lang, std, header, incs):
    src = f'#include <dtb/{os.path.basename(header)}>\nint dtb_header_test_dummy;\n'
    cmd = [compiler, f'-std={std}', '-Wall', '-Wextra', '-pedantic', '-Werror', '-fsyntax-only',
           '-x', lang, '-'] + [f'-I{i}' for i in incs]
    r = subprocess.run(cmd, input=src, capture_output=True, text=True)
    return r.returncode == 0, r.stderr


def main():
    cc, cxx = sys.argv[1], sys.argv[2]
    incs = sys.argv[3].split(':')
    headers = sys.argv[4:]
    ok = True
    for h in headers:
        for compiler, lang, std in ((cc, 'c', 'c99'), (cxx, 'c++', 'c++11')):
            good, err = compile_alone(compiler, lang, std, h, incs)
            if not good:
                print(f'{os.path.basename(h)} does not compile alone as {lang}:\n{err}')
                ok = False
        text = re.sub(r'/\*.*?\*/', '', open(h, encoding='utf-8').read(), flags=re.S)
        for m in re.finditer(r'typedef\s+struct\s+(\w+)\s*\{', text):
            if not m.group(1).endswith('_options'):
                print(f'{os.path.basename(h)}: public struct layout {m.group(1)}')
                ok = False
        for m in re.finditer(r'typedef\s+enum\s+(\w+)\s*\{(.*?)\}', text, flags=re.S):
            if '0x7FFFFFFF' not in m.group(2):
                print(f'{os.path.basename(h)}: enum {m.group(1)} lacks a FORCE32 entry')
                ok = False
        if re.search(r'\bbool\b|\blong\b|\binline\b', text):
            print(f'{os.path.basename(h)}: bool, long or inline in a public header')
            ok = False
    print(f'{len(headers)} headers compile alone as C and C++' if ok else 'FAILED')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
