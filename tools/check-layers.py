#!/usr/bin/env python3
"""Check that libdtb's #include lines keep to the layer table.

The table lives in docs/ARCHITECTURE.md, between the markers
<!-- layers:begin --> and <!-- layers:end -->: one row per folder of libdtb/,
"| folder | builds on |", the second cell a comma-separated list of folders
(or "-"); the folder's name in `backticks`. A folder may include its own headers, the public headers (dtb/...)
and the headers of every folder it builds on, directly or through others.

It fails (exit 1, one line per finding) when
  - a file includes "X/..." and X is neither its own folder nor beneath it
    (an upward or sideways include: the layering this table promises);
  - the table names a folder that does not exist, misses one that does, or
    has a cycle;
  - the levels the document draws from the table (between
    <!-- levels:begin --> and <!-- levels:end -->, if it has them) differ
    from the table's;
  - a folder is said to build on another that none of its files includes
    (the table would say something that is no longer true);
  - tools/dtb includes anything but the public headers (it is a client of
    the public API, like any third-party driver).

Usage: check-layers.py [--list | --farm DIR | --stamp FILE [--farm DIR]] [SOURCE_ROOT]
The build runs it before compiling the library (libdtb/meson.build) and
writes FILE when it passes; --list prints the files it reads (the build's
dependencies); the suite 'spec' runs it as a test.

--farm DIR makes the include folders the compiler enforces the table with:
DIR/LAYER/ holds a symbolic link to each folder LAYER builds on (directly
or through others) and to LAYER itself, nothing else, and each layer's
objects are compiled with -I DIR/LAYER alone (libdtb/meson.build), so an
include of a folder the table does not allow fails to compile. It prints
the layers, lowest level first (the order meson builds them in).
"""
import os
import re
import sys

BEGIN, END = '<!-- layers:begin -->', '<!-- layers:end -->'
LEVELS_BEGIN, LEVELS_END = '<!-- levels:begin -->', '<!-- levels:end -->'
INCLUDE = re.compile(r'^\s*#\s*include\s*"([A-Za-z0-9_]+)/')
# The generators that write C code (embed_xml.py) carry their
# include lines in strings.
GENERATED_INCLUDE = re.compile(r'#include "([A-Za-z0-9_]+)/')
SOURCE_SUFFIXES = ('.c', '.h', '.h.in', '.c.in')


def read_table(doc_path):
    text = open(doc_path, encoding='utf-8').read()
    if BEGIN not in text or END not in text:
        sys.exit(f'{doc_path}: no layer table (markers {BEGIN} ... {END})')
    body = text[text.index(BEGIN) + len(BEGIN):text.index(END)]
    table = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) < 2 or not re.fullmatch(r'`[a-z_]+`', cells[0]):
            continue   # the header row, the separator, prose: folders are in `backticks`
        folder = cells[0].strip('`')
        deps = [d.strip().strip('`') for d in cells[1].split(',')]
        table[folder] = sorted(d for d in deps if d and d not in ('-', '—'))
    return table


def closure(table, folder, seen=None):
    seen = set() if seen is None else seen
    for d in table.get(folder, []):
        if d not in seen:
            seen.add(d)
            closure(table, d, seen)
    return seen


def find_cycle(table):
    state = {}

    def visit(node, path):
        state[node] = 'open'
        for d in table.get(node, []):
            if state.get(d) == 'open':
                return path + [node, d]
            if d not in state:
                found = visit(d, path + [node])
                if found:
                    return found
        state[node] = 'done'
        return None

    for node in sorted(table):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def levels(table):
    """Level of each folder: 0 for one that builds on nothing, else one more
    than the highest of those it builds on."""
    memo = {}

    def level(f):
        if f not in memo:
            memo[f] = 0
            memo[f] = 1 + max((level(d) for d in table.get(f, []) if d in table), default=-1)
        return memo[f]

    by_level = {}
    for f in table:
        by_level.setdefault(level(f), []).append(f)
    return [sorted(by_level[k]) for k in sorted(by_level)]


def levels_text(table):
    return '\n'.join(f'{k}: {", ".join(fs)}' for k, fs in enumerate(levels(table)))


def read_levels(doc_path):
    """The levels written in the document (between LEVELS_BEGIN and
    LEVELS_END, inside a code block), or None if it has none."""
    text = open(doc_path, encoding='utf-8').read()
    if LEVELS_BEGIN not in text or LEVELS_END not in text:
        return None
    body = text[text.index(LEVELS_BEGIN) + len(LEVELS_BEGIN):text.index(LEVELS_END)]
    return '\n'.join(l.strip() for l in body.splitlines() if re.match(r'\s*\d+:', l))


def includes_of(path):
    """(line number, top folder) of each "folder/..." include in path."""
    pattern = GENERATED_INCLUDE if path.endswith('.py') else INCLUDE
    with open(path, encoding='utf-8', errors='replace') as f:
        for number, line in enumerate(f, 1):
            for m in pattern.finditer(line) if path.endswith('.py') else [pattern.match(line)]:
                if m:
                    yield number, m.group(1)


def files_under(folder):
    for root, _dirs, names in os.walk(folder):
        for name in sorted(names):
            if name.endswith(SOURCE_SUFFIXES) or name.endswith('.py'):
                yield os.path.join(root, name)


def check(source_root):
    lib = os.path.join(source_root, 'libdtb')
    doc = 'docs/ARCHITECTURE.md'
    table = read_table(os.path.join(source_root, doc))
    folders = sorted(d for d in os.listdir(lib) if os.path.isdir(os.path.join(lib, d)))
    problems = []
    for f in folders:
        if f not in table:
            problems.append(f'{doc}: libdtb/{f}/ is not in the layer table')
    for f, deps in sorted(table.items()):
        if f not in folders:
            problems.append(f'{doc}: the layer table names {f}, which is not a folder of libdtb/')
        for d in deps:
            if d not in table:
                problems.append(f'{doc}: {f} builds on {d}, which is not in the table')
    cycle = find_cycle(table)
    if cycle:
        problems.append(f'{doc}: the layer table has a cycle: {" -> ".join(cycle)}')

    written = read_levels(os.path.join(source_root, doc))
    if written is not None and not cycle and written != levels_text(table):
        problems.append(f'{doc}: the levels drawn from the table are out of date; they are:\n'
                        + levels_text(table))

    used = {f: set() for f in folders}
    for f in folders:
        allowed = closure(table, f) | {f, 'dtb'}
        for path in files_under(os.path.join(lib, f)):
            rel = os.path.relpath(path, source_root)
            for number, target in includes_of(path):
                used[f].add(target)
                if target in allowed:
                    continue
                if target in table:
                    problems.append(f'{rel}:{number}: includes {target}/, which is not beneath {f} '
                                    f'(docs/ARCHITECTURE.md: {f} builds on '
                                    f'{", ".join(table.get(f)) or "nothing"})')
                else:
                    problems.append(f'{rel}:{number}: includes {target}/, which is no layer of libdtb')
    for f in folders:
        for d in table.get(f, []):
            if d not in used[f]:
                problems.append(f'{doc}: the table says {f} builds on {d}, but no file of '
                                f'libdtb/{f}/ includes {d}/: drop it from the row')

    cli = os.path.join(source_root, 'tools', 'dtb')
    if os.path.isdir(cli):
        for path in files_under(cli):
            for number, target in includes_of(path):
                if target != 'dtb':
                    problems.append(f'{os.path.relpath(path, source_root)}:{number}: includes '
                                    f'{target}/: the dtb program uses the public headers only')
    return problems


def scanned_files(source_root):
    """Every file the check reads, for the build's dependency list."""
    for top in (os.path.join(source_root, 'libdtb'), os.path.join(source_root, 'tools', 'dtb')):
        yield from files_under(top)


def make_farm(root, farm):
    """DIR/LAYER/X -> libdtb/X for X in LAYER and what it builds on; links
    the table no longer allows are removed. Returns the layers by level."""
    table = read_table(os.path.join(root, 'docs', 'ARCHITECTURE.md'))
    if find_cycle(table):
        sys.exit('check-layers: the layer table has a cycle; run the check for details')
    lib = os.path.abspath(os.path.join(root, 'libdtb'))
    for layer in table:
        want = closure(table, layer) | {layer}
        d = os.path.join(farm, layer)
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            if name not in want:
                os.remove(os.path.join(d, name))
        for dep in want:
            link, target = os.path.join(d, dep), os.path.join(lib, dep)
            if os.path.islink(link) and os.readlink(link) == target:
                continue
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(target, link)
    return [f for level in levels(table) for f in level]


def main(argv):
    stamp = farm = None
    args = list(argv)
    usage = 'usage: check-layers.py [--list | --farm DIR | --stamp FILE [--farm DIR]] [SOURCE_ROOT]'
    if args[:1] == ['--list']:
        root = args[1] if len(args) > 1 else '.'
        for path in scanned_files(root):
            print(path)
        return 0
    if args[:1] == ['--stamp']:
        if len(args) < 2:
            sys.exit(usage)
        stamp = args[1]
        args = args[2:]
    if args[:1] == ['--farm']:
        if len(args) < 2:
            sys.exit(usage)
        farm = args[1]
        args = args[2:]
    root = args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if farm and not stamp:
        print('\n'.join(make_farm(root, farm)))
        return 0
    problems = check(root)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f'check-layers: {len(problems)} problem(s); the layers are in docs/ARCHITECTURE.md',
              file=sys.stderr)
        if stamp and os.path.exists(stamp):
            os.remove(stamp)   # a stale stamp must not let the build pass next time
        return 1
    if farm:
        make_farm(root, farm)
    if stamp:
        with open(stamp, 'w', encoding='utf-8') as f:
            f.write('/* the layer check passed (tools/check-layers.py) */\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
