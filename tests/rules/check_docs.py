#!/usr/bin/env python3
"""Lists in the manual pages that the code decides, checked against the code
(meson test docs), so that they cannot drift again (issue 14 item 4):

  check_docs.py SOURCE_ROOT DTB_EXE

1. dtb_model(3) names every built-in model (as `dtb models` lists them) as a
   .B entry of its list, and no model the library does not have.
2. libdtb(3)'s "Option structures" names every `dtb_*_options` struct of
   include/dtb/*.h, and none that does not exist.
3. dtb_spiking(3)'s "Built-in cells" names every built-in spiking cell (the
   descriptors libdtb/spiking/meson.build embeds), in their order, as a .B
   entry, and dtb(1)'s --spiking model list names every cell whose
   descriptor has spiking-region defaults (<RegionDefaults>), and no other.

Prints what drifted and exits 1; exits 0 when nothing did.
"""
import glob
import os
import re
import subprocess
import sys


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def section(text, start, end):
    i = text.index(start)
    return text[i:text.index(end, i + len(start))]


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root, dtb = sys.argv[1], sys.argv[2]
    problems = []

    out = subprocess.run([dtb, 'models'], capture_output=True, text=True, check=True).stdout
    models = {line.strip() for line in out.splitlines() if line and not line[0].isspace()}
    page = read(os.path.join(root, 'man', 'dtb_model.3'))
    listed = set(re.findall(r'^\.B (\w+)$',
                            section(page, "The built-in models are TVB's", '.BR dtb (1)\n.B models'),
                            re.M))
    for m in sorted(models - listed):
        problems.append(f'dtb_model(3): built-in model {m} is not in the list')
    for m in sorted(listed - models):
        problems.append(f'dtb_model(3): lists {m}, which is not a built-in model')

    structs = set()
    for h in glob.glob(os.path.join(root, 'include', 'dtb', '*.h')):
        structs.update(re.findall(r'typedef struct (dtb_\w+_options)\b', read(h)))
    page = read(os.path.join(root, 'man', 'libdtb.3'))
    named = set(re.findall(r'\b(dtb_\w+_options)\b',
                           section(page, '.SS Option structures', 'Each starts with')))
    for s in sorted(structs - named):
        problems.append(f'libdtb(3) Option structures: {s} is missing')
    for s in sorted(named - structs):
        problems.append(f'libdtb(3) Option structures: names {s}, which no header defines')

    build = read(os.path.join(root, 'libdtb', 'spiking', 'meson.build'))
    cells = re.findall(r"'builtin/(\w+)\.xml'", build)
    region_cells = [c for c in cells
                    if '<dtb:RegionDefaults' in read(os.path.join(root, 'libdtb', 'spiking', 'builtin',
                                                                  c + '.xml'))]
    page = read(os.path.join(root, 'man', 'dtb_spiking.3'))
    listed = re.findall(r'^\.B (\w+)$', section(page, '.SS Built-in cells', '.SS LEMS and NeuroML cells'),
                        re.M)
    if listed != cells:
        problems.append(f'dtb_spiking(3) Built-in cells: lists {", ".join(listed)}; the library has '
                        f'{", ".join(cells)} (libdtb/spiking/meson.build), in that order')
    page = read(os.path.join(root, 'man', 'dtb.1'))
    text = section(page, 'a built-in cell with spiking-region defaults:', 'default lif')
    named = re.findall(r'\b(\w+)\b', text.split(':', 1)[1])
    if named != region_cells:
        problems.append(f'dtb(1) --spiking model: names {", ".join(named)}; the cells with region '
                        f'defaults are {", ".join(region_cells)}')

    print(f'{len(models)} built-in models, {len(structs)} option structures, {len(cells)} built-in cells')
    for p in problems:
        print('FAIL:', p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
