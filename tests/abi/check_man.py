#!/usr/bin/env python3
"""Every exported function is documented: man/<function>.3 exists (an alias
'.so man3/<group>.3' or a page of its own), is installed by man/meson.build,
and the page it leads to shows the function in its SYNOPSIS."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from check_symbols import header_functions  # noqa: E402


def main():
    man_dir, headers = sys.argv[1], sys.argv[2:]
    installed = open(os.path.join(man_dir, 'meson.build'), encoding='utf-8').read()
    missing = []
    for fn in sorted(header_functions(headers)):
        page = os.path.join(man_dir, fn + '.3')
        if not os.path.exists(page):
            missing.append(f'{fn}: no man/{fn}.3')
            continue
        if f"'{fn}.3'" not in installed:
            missing.append(f'{fn}: man/{fn}.3 is not installed by man/meson.build')
        text = open(page, encoding='utf-8').read()
        m = re.match(r'\.so man3/(\S+)', text)
        if m:
            text = open(os.path.join(man_dir, m.group(1)), encoding='utf-8').read()
        synopsis = text.split('.SH DESCRIPTION')[0]
        if not re.search(r'\b' + re.escape(fn) + r'\(', synopsis):
            missing.append(f'{fn}: not in the SYNOPSIS of its page')
    for line in missing:
        print(line)
    print(f'{len(header_functions(headers))} functions documented' if not missing else 'FAILED')
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
