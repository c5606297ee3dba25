# SPDX-License-Identifier: GPL-3.0-or-later
"""What the fault-injection tests share (meson test --suite faults):
running dtb under a time and memory limit, and checking a results folder
after whatever ended its run: every output file whole and parseable, and
provenance.json saying exactly what is on disk, or the folder marked
incomplete ("state": "running").

Every test counts the hostile inputs it tries (`Tally`) and prints the
count; README.md adds them up. Plain Python: no NumPy (NPY files are read
here, header and data, as a strict reader would)."""
import ast
import csv
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

DTB = os.environ['DTB_EXE']
SHARED = os.environ['DTB_SHARED_DATA']
TVB76 = os.path.join(SHARED, 'atlases', 'tvb76')
# Under AddressSanitizer the address space is mostly shadow: no RLIMIT_AS
# there; the peak resident size is checked instead (both builds).
ASAN = os.environ.get('DTB_SANITIZED') == '1'
MEMORY_LIMIT = 1 << 30         # bytes of address space for one dtb (normal build)
RSS_LIMIT = (768 if ASAN else 400) << 20


class Failure(AssertionError):
    pass


class Tally:
    """Counts hostile inputs and the failures among them."""

    def __init__(self, name):
        self.name = name
        self.tried = 0
        self.failed = []

    def check(self, ok, what):
        self.tried += 1
        if not ok:
            self.failed.append(what)
            print(f'FAIL: {what}', flush=True)

    def finish(self):
        print(f'{self.name}: {self.tried} hostile inputs tried, '
              f'{self.tried - len(self.failed)} handled', flush=True)
        if self.failed:
            print(f'{self.name}: {len(self.failed)} FAILED', flush=True)
            sys.exit(1)


def workdir(name):
    # the build folder's own (two builds' suites never share a folder)
    base = os.environ.get('FAULTS_TMP') or os.environ.get('TMPDIR') or '/tmp'
    d = os.path.join(base, 'faults-tmp', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def _limits(fsize=None, memory=True):
    def apply():
        os.setsid()   # signals to the test go to dtb only
        if memory and not ASAN:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return apply


class Run:
    """A finished dtb: exit status (negative: killed by that signal),
    output, wall seconds, peak resident bytes."""

    def __init__(self, status, out, err, seconds, rss):
        self.status, self.out, self.err, self.seconds, self.rss = status, out, err, seconds, rss

    def __repr__(self):
        return f'Run(status={self.status}, {self.seconds:.2f} s, {self.rss >> 20} MiB, err={self.err[-300:]!r})'


class Child:
    """A running dtb: its output goes to files, and it is reaped with
    wait4 for its own peak resident size."""

    def __init__(self, args, cwd, fsize=None):
        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()
        self.t0 = time.monotonic()
        self.p = subprocess.Popen([DTB] + args, cwd=cwd, stdout=self.out, stderr=self.err,
                                  preexec_fn=_limits(fsize))

    def signal(self, sig):
        if self.p.returncode is None:
            try:
                os.kill(self.p.pid, sig)
            except ProcessLookupError:
                pass

    def wait(self, timeout=60):
        timer = threading.Timer(timeout, self.signal, (signal.SIGKILL,))
        timer.start()
        _, status, usage = os.wait4(self.p.pid, 0)
        timed_out = not timer.is_alive() and os.WIFSIGNALED(status) and \
            os.WTERMSIG(status) == signal.SIGKILL
        timer.cancel()
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        self.p.returncode = code
        texts = []
        for f in (self.out, self.err):
            f.seek(0)
            texts.append(f.read().decode(errors='replace'))
            f.close()
        return Run('timeout' if timed_out else code, texts[0], texts[1],
                   time.monotonic() - self.t0, usage.ru_maxrss * 1024)


def dtb(args, cwd, timeout=60, fsize=None):
    return Child(args, cwd, fsize).wait(timeout)


def bounded(run, seconds=20):
    """Refused quickly and without taking the machine's memory."""
    return run.status != 'timeout' and run.seconds < seconds and run.rss < RSS_LIMIT


# ----------------------------------------------------------- results files

def read_npy(path):
    """(rows, cols) of a float64 2-D NPY file this project writes; raises
    on anything a strict reader would refuse. Extra bytes after the rows
    its header counts are allowed (a kill between the data and the header),
    fewer are not."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:6] != b'\x93NUMPY' or data[6] != 1:
        raise Failure(f'{path}: not an NPY 1.0 file')
    hlen = data[8] | data[9] << 8
    header = ast.literal_eval(data[10:10 + hlen].decode('latin1'))
    if header['descr'] not in ('<f8', '>f8') or header['fortran_order']:
        raise Failure(f'{path}: unexpected dtype {header}')
    rows, cols = header['shape']
    have = len(data) - 10 - hlen
    if have < rows * cols * 8:
        raise Failure(f'{path}: header says {rows} rows, the file holds {have // (8 * cols)}')
    return rows, cols


def read_csv(path, allow_cut=False, numbers=True):
    """Rows of a results CSV file (header excluded): every row complete
    (as many numbers as the header has names). allow_cut: the last line may
    be cut (a folder marked incomplete)."""
    with open(path, newline='') as f:
        text = f.read()
    if not text.endswith('\n'):
        if not allow_cut:
            raise Failure(f'{path}: the last line is cut')
        text = text[:text.rfind('\n') + 1]
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise Failure(f'{path}: no header')
    width = len(rows[0])
    for i, r in enumerate(rows[1:], 2):
        if len(r) != width:
            raise Failure(f'{path}:{i}: {len(r)} fields, the header has {width}')
        for v in r if numbers else ():
            float(v)
    return len(rows) - 1


def check_folder(folder, require=True):
    """A results folder after a run ended in any way. Returns the state
    ('completed', 'stopped', 'failed', 'running' or None: no record)."""
    prov_path = os.path.join(folder, 'provenance.json')
    if not os.path.exists(prov_path):
        if require:
            raise Failure(f'{folder}: no provenance.json')
        return None
    with open(prov_path) as f:
        prov = json.load(f)   # whole: written atomically
    state = prov['state']
    if state not in ('completed', 'stopped', 'failed', 'running'):
        raise Failure(f'{folder}: state {state!r}')
    if prov['completed'] != (state == 'completed'):
        raise Failure(f'{folder}: completed {prov["completed"]} with state {state}')
    cut_ok = state == 'running'
    for out in prov.get('outputs', []):
        name = out if isinstance(out, str) else out['file']
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            if state == 'running':
                continue
            raise Failure(f'{path}: listed but missing')
        if name.endswith('.npy'):
            rows, _ = read_npy(path)
        else:   # a table of kind "text" has text fields (dtb assimilate's forecast_skill.csv)
            rows = read_csv(path, allow_cut=cut_ok,
                            numbers=not (isinstance(out, dict) and out['kind'] == 'text'))
        if isinstance(out, dict) and out['kind'] not in ('fc', 'fcd', 'psd'):
            if rows != out['samples']:
                raise Failure(f'{path}: {rows} rows, provenance says {out["samples"]} ({state})')
    for tmp in os.listdir(folder):
        if tmp.endswith('.tmp') and state != 'running':
            raise Failure(f'{folder}: temporary file {tmp} left')
    return state


def snapshot(folder):
    """Every file of a folder and its bytes (to prove nothing changed)."""
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            p = os.path.join(root, name)
            with open(p, 'rb') as f:
                out[os.path.relpath(p, folder)] = f.read()
    return out


def rng():
    """The tests' random choices: seeded (FAULTS_SEED, default 13), printed."""
    seed = int(os.environ.get('FAULTS_SEED', '13'))
    print(f'random seed {seed} (FAULTS_SEED)', flush=True)
    return random.Random(seed)


SIGNALS = {'TERM': signal.SIGTERM, 'HUP': signal.SIGHUP, 'INT': signal.SIGINT}
