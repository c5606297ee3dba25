#!/usr/bin/env python3
"""The compiler enforces the layers (libdtb/meson.build): each layer's
objects are compiled with -I LAYER_INCLUDE/LAYER alone, a folder of links
to the folders it may build on. This checks that folder for every layer
(a link to each allowed folder, nothing else) and compiles two probes with
the build's own compiler: an include the table allows compiles, one it
does not fails.

Usage: layers_compile.py LAYER_INCLUDE SOURCE_ROOT PUBLIC_INCLUDE... -- CC...
"""
import importlib.util
import os
import subprocess
import sys
import tempfile


def load_check(root):
    spec = importlib.util.spec_from_file_location('check_layers',
                                                  os.path.join(root, 'tools', 'check-layers.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def compiles(cc, includes, farm, layer, text):
    with tempfile.NamedTemporaryFile('w', suffix='.c', delete=False) as f:
        f.write(text)
        path = f.name
    try:
        args = cc + ['-fsyntax-only', '-DDTB_BUILDING_LIBRARY'] + ['-I' + i for i in includes]
        args += ['-I' + os.path.join(farm, layer), path]
        r = subprocess.run(args, capture_output=True, text=True)
        return r.returncode == 0, r.stderr
    finally:
        os.unlink(path)


def main(argv):
    sep = argv.index('--')
    farm, root, includes, cc = argv[0], argv[1], argv[2:sep], argv[sep + 1:]
    check = load_check(root)
    table = check.read_table(os.path.join(root, 'docs', 'ARCHITECTURE.md'))
    problems = []
    for layer in table:
        want = check.closure(table, layer) | {layer}
        have = set(os.listdir(os.path.join(farm, layer)))
        if have != want:
            problems.append(f'{farm}/{layer}: links {sorted(have)}, the table allows {sorted(want)}')
    # observe builds on analysis (allowed) and not on experiment (above it)
    ok, err = compiles(cc, includes, farm, 'observe', '#include "analysis/analysis.h"\n')
    if not ok:
        problems.append('an allowed include (observe -> analysis) does not compile:\n' + err)
    ok, err = compiles(cc, includes, farm, 'observe', '#include "experiment/experiment.h"\n')
    if ok:
        problems.append('an upward include (observe -> experiment) compiles')
    elif 'experiment/experiment.h' not in err:
        problems.append('the upward include failed for another reason:\n' + err)
    for p in problems:
        print(p, file=sys.stderr)
    print(f'layers_compile: {len(table)} layers, {len(problems)} problem(s)')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
