# SPDX-License-Identifier: GPL-3.0-or-later
"""A writer that fails at random byte counts: a file-size limit
(RLIMIT_FSIZE, as `ulimit -f`: every write past it fails with EFBIG) and,
where this test may mount one (root), a small tmpfs that fills up (ENOSPC).
After each run, every output file holds a header and whole rows and the
provenance counts them ("failed", the error named), or the folder holds no
record at all (the run could not even mark it), or it is marked
incomplete. Also the tables, figures and records of dtb sweep, fit and
reservoir (the error names the file), and dtb lems' files."""
import json
import os
import shutil
import subprocess
import sys

import faultlib as F

LEMS = os.path.join(os.environ.get('DTB_TEST_DATA', ''), 'lems_ok')
CORE = os.path.join(F.SHARED, 'neuroml', 'NeuroML2', 'NeuroML2CoreTypes')


def check(t, what, run, out, allow_completed):
    try:
        state = F.check_folder(out, require=False)
        if state is None:
            ok = run.status in (1, 2)            # nothing claimed
        elif state == 'failed':
            ok = run.status == 1 and ('write' in run.err or 'large' in run.err or
                                      'space' in run.err)
        elif state == 'running':
            ok = run.status == 1                 # its last record could not be written
        else:
            ok = allow_completed and run.status == 0 and state == 'completed'
    except (F.Failure, ValueError, KeyError) as e:
        ok, what = False, f'{what}: {e}'
    t.check(ok, f'{what}: {run}')
    if ok:
        print(f'ok: {what}: exit {run.status}, {state or "no record"}', flush=True)


def run_args(out, fmt):
    return ['run', '--atlas', F.TVB76, '--model', 'generic_2d_oscillator', '--duration', '1s',
            '--observe', 'raw', '--observe', 'tavg:period=1ms', '--observe', 'fc',
            '--format', fmt, '--out', out, '--quiet']


def fsize_runs(t, r, work):
    for i in range(12 if F.ASAN else 24):   # (the sanitizer build: the same writers, slower)
        fmt = ('csv', 'npy')[i % 2]
        # from nothing to more than the raw file takes
        limit = int(r.choice([r.uniform(0, 4096), r.uniform(4096, 1 << 20),
                              r.uniform(1 << 20, 12 << 20)]))
        out = os.path.join(work, f'fsize{i}')
        run = F.dtb(run_args(out, fmt), work, fsize=limit)
        check(t, f'{fmt} run, file-size limit {limit} bytes', run, out, allow_completed=True)
        shutil.rmtree(out, ignore_errors=True)


def tmpfs_runs(t, r, work):
    if os.geteuid() != 0:
        return 'tmpfs: not root, no small file system to fill (the file-size limit ran)'
    for i in range(8):
        mnt = os.path.join(work, f'tmpfs{i}')
        os.makedirs(mnt)
        size = r.choice([16, 64, 300, 1500, 6000]) * 1024
        if subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={size}', 'tmpfs', mnt],
                          capture_output=True).returncode != 0:
            return 'tmpfs: cannot mount one here (the file-size limit ran)'
        try:
            fmt = ('csv', 'npy')[i % 2]
            out = os.path.join(mnt, 'out')
            run = F.dtb(run_args(out, fmt) + ['--no-limits'], work)
            check(t, f'{fmt} run on a {size >> 10} KiB tmpfs', run, out, allow_completed=False)
        finally:
            subprocess.run(['umount', mnt])
    return None


def sweep_runs(t, r, work):
    for i in range(6):
        kind = 'sweep' if i < 4 else 'fit'
        out = os.path.join(work, f'{kind}{i}')
        # from the table's first rows to the figure a fit writes last
        limit = r.randint(100, 700) if i < 4 else r.randint(150, 3900)
        extra = (['--vary', 'a=0.5:1.5:30'] if kind == 'sweep' else
                 ['--free', 'a=0.5:1.5', '--budget', '12', '--objective', 'stable'])
        run = F.dtb([kind, '--atlas', F.TVB76, '--model', 'generic_2d_oscillator',
                     '--duration', '50ms', '--score', 'stable', '--out', out, '--quiet'] + extra,
                    work, fsize=limit)
        what = f'{kind}, file-size limit {limit} bytes: {run}'
        try:
            # refused or failed, naming the file that could not be written
            ok = run.status in (1, 2) and out in run.err
            table = os.path.join(out, f'{kind}.csv')
            if os.path.exists(os.path.join(out, 'provenance.json')) and os.path.exists(table):
                with open(os.path.join(out, 'provenance.json')) as f:
                    prov = json.load(f)
                rows = F.read_csv(table, numbers=False)
                ok = ok and (prov['state'] == 'running' or
                             (prov['state'] == 'failed' and prov['rows'] == rows))
        except (F.Failure, ValueError, KeyError) as e:
            ok, what = False, f'{what}: {e}'
        t.check(ok, what)
        shutil.rmtree(out, ignore_errors=True)


def reservoir_runs(t, r, work):
    for i in range(3):
        out = os.path.join(work, f'reservoir{i}')
        limit = r.randint(100, 1500)
        run = F.dtb(['reservoir', '--atlas', 'bn246', '--task', 'memory-capacity', '--steps', '500',
                     '--delays', '10', '--alpha', '0.5:0.9:2', '--nulls', '6', '--seed', '5',
                     '--out', out, '-q'], work, fsize=limit)
        what = f'reservoir, file-size limit {limit} bytes: {run}'
        try:
            ok = run.status in (1, 2) and out in run.err
            table = os.path.join(out, 'reservoir.csv')
            if os.path.exists(os.path.join(out, 'provenance.json')) and os.path.exists(table):
                with open(os.path.join(out, 'provenance.json')) as f:
                    prov = json.load(f)
                rows = F.read_csv(table, numbers=False)
                ok = ok and (prov['state'] == 'running' or
                             (prov['state'] == 'failed' and prov['rows'] == rows))
        except (F.Failure, ValueError, KeyError) as e:
            ok, what = False, f'{what}: {e}'
        t.check(ok, what)
        shutil.rmtree(out, ignore_errors=True)


def lems_runs(t, r, work):
    src = os.path.join(LEMS, 'spike_events.xml')
    for i in range(3):
        out = os.path.join(work, f'lems{i}')
        limit = r.randint(10, 3000)
        run = F.dtb(['lems', src, '-I', CORE, '--out', out, '--quiet'], work, fsize=limit)
        what = f'dtb lems, file-size limit {limit} bytes: {run}'
        try:
            ok = run.status in (0, 1) and (run.status == 0 or 'large' in run.err)
            for root, _, files in os.walk(out):
                for name in files:
                    with open(os.path.join(root, name)) as f:
                        text = f.read()
                    ok = ok and (not text or text.endswith('\n'))
        except (OSError, ValueError) as e:
            ok, what = False, f'{what}: {e}'
        t.check(ok, what)
        shutil.rmtree(out, ignore_errors=True)


def main():
    t = F.Tally('faults_writer')
    r = F.rng()
    work = F.workdir('writer')
    fsize_runs(t, r, work)
    skipped = tmpfs_runs(t, r, work)
    sweep_runs(t, r, work)
    reservoir_runs(t, r, work)
    lems_runs(t, r, work)
    shutil.rmtree(work, ignore_errors=True)
    t.finish()
    if skipped:   # the rest passed; a check that did not run is a skip (tools/check-skips.py)
        print(f'SKIP: {skipped}')
        sys.exit(77)


if __name__ == '__main__':
    main()
