# SPDX-License-Identifier: GPL-3.0-or-later
"""Installed packages find their library: dtb/_libpath.py (written by
meson install) is used without $DTB_LIBRARY or LD_LIBRARY_PATH, and
`pip install .` works offline."""
import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(HERE, '..', 'dtb')
LIBRARY = os.environ.get('DTB_LIBRARY')


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ('DTB_LIBRARY', 'LD_LIBRARY_PATH', 'PYTHONPATH')}
    env.update(extra)
    return env


@pytest.mark.skipif(not LIBRARY, reason='needs $DTB_LIBRARY (the built library)')
def test_installed_package_loads_the_library_its_libpath_names(tmp_path):
    # A copy of the build's library under a name the dynamic loader cannot
    # find: only _libpath.py leads to it.
    lib = tmp_path / 'lib' / 'libdtb.so.0'
    lib.parent.mkdir()
    shutil.copy(LIBRARY, lib)
    site = tmp_path / 'site'
    shutil.copytree(PACKAGE, site / 'dtb', ignore=shutil.ignore_patterns('__pycache__'))
    (site / 'dtb' / '_libpath.py').write_text(f'LIBRARY = {str(lib)!r}\n')
    code = 'import dtb; print(dtb._ffi.lib._name); print(dtb.Atlas("bn246").n_regions)'
    out = subprocess.run([sys.executable, '-c', code], cwd=str(tmp_path), capture_output=True,
                         text=True, env=clean_env(PYTHONPATH=str(site)))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(lib), '246']
    # $DTB_LIBRARY still wins over _libpath.py
    out = subprocess.run([sys.executable, '-c', code], cwd=str(tmp_path), capture_output=True,
                         text=True, env=clean_env(PYTHONPATH=str(site), DTB_LIBRARY=LIBRARY))
    assert out.returncode == 0 and out.stdout.split()[0] == LIBRARY


@pytest.mark.skipif(not LIBRARY, reason='needs $DTB_LIBRARY (the built library)')
def test_pip_install_works_offline(tmp_path):
    # not imported here: setuptools' distutils shim warns, and warnings are errors
    have = subprocess.run([sys.executable, '-c', 'import setuptools, pip'], capture_output=True)
    if have.returncode:
        pytest.skip('pip or setuptools missing (Debian: python3-pip, python3-setuptools)')
    src = tmp_path / 'src'   # a copy: pip leaves build/ and *.egg-info behind
    shutil.copytree(os.path.join(HERE, '..'), src,
                    ignore=shutil.ignore_patterns('__pycache__', 'tests', 'build', '*.egg-info'))
    target = tmp_path / 'target'
    out = subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-build-isolation',
                          '--no-index', '--no-deps', '--disable-pip-version-check', '--quiet',
                          '--target', str(target), str(src)],
                         capture_output=True, text=True, env=clean_env(PIP_NO_INPUT='1'))
    assert out.returncode == 0, out.stdout + out.stderr
    installed = sorted(os.listdir(target / 'dtb'))
    wanted = sorted(f for f in os.listdir(PACKAGE) if f.endswith('.py'))
    assert [f for f in installed if f.endswith('.py')] == wanted
    code = 'import dtb; print(dtb.__file__); print(dtb.Model("generic_2d_oscillator").name)'
    out = subprocess.run([sys.executable, '-c', code], cwd=str(tmp_path), capture_output=True,
                         text=True, env=clean_env(PYTHONPATH=str(target), DTB_LIBRARY=LIBRARY))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(target / 'dtb' / '__init__.py'), 'generic_2d_oscillator']


def test_meson_installs_every_module():
    """bindings-spec/meson.build lists the package's files for meson
    install: a module added to dtb/ and not to the list would be missing
    from installed packages."""
    with open(os.path.join(HERE, '..', '..', 'meson.build'), encoding='utf-8') as f:
        listed = set(re.findall(r"'python/dtb/(\w+\.py)'", f.read()))
    present = {f for f in os.listdir(PACKAGE) if f.endswith('.py')}
    assert listed == present
