#!/usr/bin/env python3
"""List every check of a `meson test` run that did not run.

  check-skips.py BUILD/meson-logs/testlog.json

A test counts as skipped when meson says SKIP (exit status 77: a missing
tool, e.g. abidw or pytest), when CMocka reports one of its tests as
SKIPPED (skip(): e.g. no decimal-comma locale) or when pytest reports
skipped tests. meson's summary counts only the first kind ("Skipped: 0"
while a CMocka test inside an executable skipped), hence this scan of the
whole log. Prints one line per skip and exits 1 if there was any, 0 if
none (tools/run-tests.sh fails on it unless DTB_ALLOW_SKIPS=1).
"""
import json
import re
import sys

CMOCKA_SKIP = re.compile(r'^\[  SKIPPED \] (\w+)\s*$', re.M)
PYTEST_SKIP = re.compile(r'\b(\d+) skipped\b')


def reason_of(text):
    """The line a skipping test printed about why (by convention 'SKIP: ...')."""
    m = re.search(r'SKIP: (.*)', text)
    return m.group(1).strip() if m else 'no reason printed'


def skips(log):
    found = []
    for line in log:
        if not line.strip():
            continue
        t = json.loads(line)
        name = t['name']
        text = (t.get('stdout') or '') + '\n' + (t.get('stderr') or '')
        if t.get('result') == 'SKIP':
            found.append(f'{name}: skipped ({reason_of(text)})')
            continue
        for test in sorted(set(CMOCKA_SKIP.findall(text))):
            found.append(f'{name}: CMocka test {test} skipped ({reason_of(text)})')
        m = PYTEST_SKIP.search(text)
        if m and int(m.group(1)) > 0:
            found.append(f'{name}: pytest skipped {m.group(1)} test(s)')
    return found


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding='utf-8') as f:
        found = skips(f)
    for s in found:
        print(f'skipped: {s}')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
