#!/usr/bin/env python3
"""The dtb program is a client of the shared library (issue 14): it uses the
public API only, as a third-party driver would.

  check_dtb_imports.py MAPFILE BINARY
      exit 0 if BINARY
        1. has a DT_NEEDED entry on libdtb.so.<N> (it links the shared library),
        2. defines no dtb_ or dtb__ symbol itself, in its dynamic or its full
           symbol table (no library objects linked in statically), and
        3. imports no dtb__ symbol, and only dtb_ functions that the version
           script MAPFILE exports (the public API);
      else print each violation and exit 1.

  check_dtb_imports.py --selftest MAPFILE GOOD STATIC IMPORTING
      the check passes GOOD and fails STATIC (library objects linked in, no
      libdtb.so) and IMPORTING (an undefined dtb__ symbol), each for the
      reason expected: so the check cannot pass by not looking.

Reads the binary with binutils' readelf and nm.
"""
import re
import subprocess
import sys


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def exported(mapfile):
    with open(mapfile, encoding='utf-8') as f:
        return set(re.findall(r'^\s+(dtb_\w+);', f.read(), re.M))


def symbols(binary, *flags):
    """Names nm lists (an empty list for a stripped table)."""
    out = subprocess.run(['nm', *flags, binary], capture_output=True, text=True).stdout
    return [line.split()[-1] for line in out.splitlines() if line.strip()]


def violations(mapfile, binary):
    problems = []
    needed = re.findall(r'\(NEEDED\)\s+Shared library: \[([^\]]+)\]', run('readelf', '-d', binary))
    if not any(re.fullmatch(r'libdtb\.so\.\d+', n) for n in needed):
        problems.append(f'no DT_NEEDED on libdtb.so.N (needed: {", ".join(needed) or "none"}): '
                        'it does not link the shared library')
    defined = sorted({s for s in symbols(binary, '--defined-only') + symbols(binary, '-D', '--defined-only')
                      if s.startswith('dtb_')})
    if defined:
        problems.append(f'defines {len(defined)} dtb_ symbols itself (library objects linked in), '
                        f'e.g. {", ".join(defined[:5])}')
    public = exported(mapfile)
    for name in sorted({s.split('@')[0] for s in symbols(binary, '-D', '--undefined-only')}):
        if name.startswith('dtb__'):
            problems.append(f'imports the internal symbol {name}')
        elif name.startswith('dtb_') and name not in public:
            problems.append(f'imports {name}, which the version script does not export')
    return problems


def check(mapfile, binary):
    problems = violations(mapfile, binary)
    for p in problems:
        print(f'{binary}: {p}')
    if not problems:
        print(f'{binary}: links libdtb.so and uses the public API only')
    return 1 if problems else 0


def selftest(mapfile, good, static, importing):
    failures = []
    if violations(mapfile, good):
        failures.append(f'the check refuses {good}, a client of the shared library')
    found = violations(mapfile, static)
    if not any('DT_NEEDED' in p for p in found) or not any('defines' in p for p in found):
        failures.append(f'the check does not see that {static} links the objects statically: {found}')
    found = violations(mapfile, importing)
    if not any('internal symbol dtb__' in p for p in found):
        failures.append(f'the check does not see the dtb__ import of {importing}: {found}')
    for f in failures:
        print(f)
    print('FAILED' if failures else 'the check fails a static link and a dtb__ import, passes a client')
    return 1 if failures else 0


if __name__ == '__main__':
    if len(sys.argv) == 6 and sys.argv[1] == '--selftest':
        sys.exit(selftest(*sys.argv[2:]))
    if len(sys.argv) == 3:
        sys.exit(check(*sys.argv[1:]))
    print(__doc__.strip(), file=sys.stderr)
    sys.exit(2)
