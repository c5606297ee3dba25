# SPDX-License-Identifier: GPL-3.0-or-later
"""The high-level layer covers the C API: every function of
bindings-spec/dtb-api.json is used by dtb/*.py (not counting the generated
_ffi.py), or listed in uncovered.txt with the reason. A function added to
the library fails this until it is wrapped."""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(HERE, '..', 'dtb')
SPEC = os.path.join(HERE, '..', '..', 'dtb-api.json')
# The list only shrinks: raising this number needs a reason as good as the
# three below, and a reviewer.
MAX_UNCOVERED = 4   # 3, plus the deprecated old name of dtb_spiking_connect_options_init


def _uncovered():
    listed = {}
    with open(os.path.join(HERE, 'uncovered.txt'), encoding='utf-8') as f:
        for line in f:
            if line.strip() and not line.startswith('#'):
                name, _, reason = line.strip().partition(' ')
                listed[name] = reason.strip()
    return listed


def _used_names():
    words = set()
    for name in os.listdir(PACKAGE):
        if name.endswith('.py') and name != '_ffi.py':
            with open(os.path.join(PACKAGE, name), encoding='utf-8') as f:
                words |= set(re.findall(r'\bdtb_\w+', f.read()))
    return words


def test_every_function_is_wrapped():
    with open(SPEC, encoding='utf-8') as f:
        functions = [fn['name'] for fn in json.load(f)['functions']]
    used = _used_names()
    listed = _uncovered()
    problems = []
    for fn in functions:
        if fn not in used and fn not in listed:
            problems.append(f'{fn}: not used by the dtb package (wrap it, or list it in '
                            'tests/uncovered.txt with the reason)')
        if fn in used and fn in listed:
            problems.append(f'{fn}: the package uses it now; remove it from tests/uncovered.txt')
    for fn, reason in listed.items():
        if fn not in functions:
            problems.append(f'{fn}: listed in tests/uncovered.txt but not in dtb-api.json')
        if not reason:
            problems.append(f'{fn}: listed in tests/uncovered.txt without a reason')
    assert not problems, '\n'.join(problems)
    assert len(listed) <= MAX_UNCOVERED, 'tests/uncovered.txt only shrinks'


def test_the_check_sees_a_missing_wrapper(tmp_path):
    """The scan finds names as the layer spells them, and would miss one
    that appears only in _ffi.py."""
    used = _used_names()
    assert 'dtb_sim_run' in used and 'dtb_atlas_normalize_weights' in used
    assert 'dtb_free' not in used   # listed: only _ffi.py has it
