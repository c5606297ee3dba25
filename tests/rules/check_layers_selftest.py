#!/usr/bin/env python3
"""The layer check (tools/check-layers.py) on small made-up trees: it passes a
tree that keeps to its table and fails each way a tree or table can go wrong,
so that its passing on libdtb means something.

Usage: check_layers_selftest.py CHECK_LAYERS_PY
"""
import os
import subprocess
import sys
import tempfile

TABLE = '''# layers
<!-- layers:begin -->
| folder | builds on | what |
|---|---|---|
| `low` | - | bottom |
| `mid` | low | middle |
| `top` | mid | top |
<!-- layers:end -->
'''
FILES = {
    'libdtb/low/low.h': '#include "dtb/dtb_common.h"\n',
    'libdtb/mid/mid.c': '#include "low/low.h"\n#include "mid.h"\n',
    'libdtb/mid/mid.h': '\n',
    # top reaches low through mid: allowed
    'libdtb/top/top.c': '#include "low/low.h"\n#include "mid/mid.h"\n',
    'tools/dtb/main.c': '#include "dtb/dtb.h"\n',
}


def run(check, changes, table=TABLE):
    with tempfile.TemporaryDirectory() as root:
        files = dict(FILES)
        files.update(changes)
        files['docs/ARCHITECTURE.md'] = table
        for rel, text in files.items():
            if text is None:
                continue
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), 'w', encoding='utf-8') as f:
                f.write(text)
        stamp = os.path.join(root, 'stamp.h')
        with open(stamp, 'w', encoding='utf-8') as f:
            f.write('old\n')
        r = subprocess.run([sys.executable, check, '--stamp', stamp, root],
                           capture_output=True, text=True)
        return r.returncode, r.stderr, os.path.exists(stamp)


def main():
    check = sys.argv[1]
    failures = []

    def expect(name, changes, want_rc, want_text='', table=TABLE):
        rc, err, stamped = run(check, changes, table)
        ok = rc == want_rc and want_text in err and stamped == (want_rc == 0)
        print(f'{"ok" if ok else "FAIL"}: {name} (exit {rc}) {err.strip()}')
        if not ok:
            failures.append(name)

    expect('a tree that keeps to its table passes', {}, 0)
    expect('an upward include fails', {'libdtb/low/low.c': '#include "top/top.h"\n'}, 1,
           'includes top/, which is not beneath low')
    expect('a sideways include fails (same level, not beneath)',
           {'libdtb/side/side.c': '#include "mid/mid.h"\n'}, 1, 'includes mid/',
           table=TABLE.replace('<!-- layers:end -->', '| `side` | low | beside |\n<!-- layers:end -->'))
    expect('an include of an unknown folder fails', {'libdtb/mid/x.c': '#include "nowhere/x.h"\n'}, 1,
           'no layer of libdtb')
    expect('a folder missing from the table fails', {'libdtb/extra/e.c': '\n'}, 1,
           'libdtb/extra/ is not in the layer table')
    expect('a table row without a folder fails', {}, 1, 'names gone',
           table=TABLE.replace('<!-- layers:end -->', '| `gone` | low | x |\n<!-- layers:end -->'))
    expect('a dependency no file uses fails', {'libdtb/top/top.c': '#include "low/low.h"\n'}, 1,
           'no file of libdtb/top/ includes mid/')
    expect('a cycle fails', {}, 1, 'cycle',
           table=TABLE.replace('| `low` | - |', '| `low` | top |'))
    expect('the dtb program including internals fails', {'tools/dtb/main.c': '#include "mid/mid.h"\n'},
           1, 'public headers only')
    expect('a generator writing an upward include fails',
           {'libdtb/low/gen.py': "print('#include \"mid/mid.h\"')\n"}, 1, 'includes mid/')
    levels = '<!-- levels:begin -->\n```\n0: low\n1: mid\n2: top\n```\n<!-- levels:end -->\n'
    expect('levels that match the table pass', {}, 0, table=TABLE + levels)
    expect('levels that do not match the table fail', {}, 1, 'levels drawn from the table',
           table=TABLE + levels.replace('2: top', '1: top'))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
