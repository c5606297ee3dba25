# SPDX-License-Identifier: GPL-3.0-or-later
"""dtb assimilate and dtb run --control under faults: real signals (SIGTERM,
SIGHUP, SIGINT, two SIGINTs, SIGKILL) at random points, a file-size limit
at random byte counts (RLIMIT_FSIZE: EFBIG) and, as root, a small tmpfs
that fills up (ENOSPC). After each, the results folder says what it holds:
provenance.json "completed", "stopped" or "failed" with the rows of every
table it lists, or "running" after SIGKILL (or when even the record could
not be written), or no folder when dtb had touched nothing; and every
result file under its real name is whole (an assimilation's files are
written under temporary names and renamed, so a name never holds half a
file; dtb run's rows are whole)."""
import os
import shutil
import signal
import subprocess
import sys
import time

import faultlib as F

SIGNAL_PATTERNS = [['TERM'], ['HUP'], ['INT'], ['INT', 'INT'], ['KILL']]
CHAIN = ('0 1 0.5 0\n1 0 1 0.3\n0.5 1 0 1\n0 0.3 1 0\n',
         '0 20 40 60\n20 0 20 40\n40 20 0 20\n60 40 20 0\n',
         '0 0 0\n20 0 0\n40 0 0\n60 0 0\n')
TWIN = ['--model', 'reduced_wong_wang', '--noise', '1e-5']
OBSERVER = 'tavg:period=50ms:vars=S'


def setup(work):
    atlas = os.path.join(work, 'atlas')
    os.makedirs(atlas)
    for name, text in zip(('weights.txt', 'tract_lengths.txt', 'centres.txt'), CHAIN):
        with open(os.path.join(atlas, name), 'w') as f:
            f.write(text)
    run = F.dtb(['run', '--atlas', atlas] + TWIN + ['--seed', '999', '--set', 'I_o@0=0.42',
                '--duration', '10s', '--observe', OBSERVER, '--out', 'truth', '--quiet'], work)
    assert run.status == 0, run
    return atlas, os.path.join(work, 'truth', 'tavg.csv')


def assimilate_args(atlas, data, out, zscore=False):
    return (['assimilate', '--atlas', atlas] + TWIN +
            ['--seed', '5', '--observer', OBSERVER, '--data', data,
             '--estimate', 'I_o@0=0.1:0.6', '--members', '24', '--out', out, '--quiet'] +
            (['--data-scale', 'zscore'] if zscore else []))


def control_args(out, fmt):
    return ['run', '--atlas', F.TVB76, '--model', 'generic_2d_oscillator', '--duration', '10s',
            '--control', 'pid:kp=0.5,ki=20,min=-5,max=5,period=10ms:read=tavg:V@0:target=0.5:'
                         'drive=V@0+1+2',
            '--observe', 'raw', '--observe', 'tavg:period=1ms', '--format', fmt,
            '--out', out, '--quiet']


def files_whole(out, state):
    """Every CSV under its real name parses whole (a cut last line only in
    a folder marked running by dtb run, whose rows are written as they
    come); no temporary file outlives a record that says the run ended."""
    if not os.path.isdir(out):
        return
    for name in os.listdir(out):
        path = os.path.join(out, name)
        if name.endswith('.csv'):
            F.read_csv(path, allow_cut=state == 'running' and not name.startswith(('est', 'fore')),
                       numbers=name != 'forecast_skill.csv')
        if name.endswith('.tmp') and state not in ('running', None):
            raise F.Failure(f'{path}: a temporary file left by a run that ended ({state})')


def signal_trial(t, r, work, i, kind, args, out, pattern, delay):
    c = F.Child(args, work)
    time.sleep(delay)
    for k, name in enumerate(pattern):
        c.signal(signal.SIGKILL if name == 'KILL' else F.SIGNALS[name])
        if k + 1 < len(pattern):
            time.sleep(r.uniform(0.001, 0.05))
    run = c.wait(120)
    what = f'{kind}, {"+".join(pattern)} after {delay:.3f} s: {run}'
    try:
        state = F.check_folder(out, require=False)
        files_whole(out, state)
        if pattern == ['KILL']:
            ok = (run.status == -signal.SIGKILL and state in (None, 'running', 'completed')) or \
                 (run.status == 0 and state == 'completed')
        elif state is None:
            ok = run.status < 0 and not os.path.exists(out)   # before dtb touched anything
        else:
            ok = (run.status == 130 and state == 'stopped') or (run.status == 0 and
                                                                state == 'completed')
    except (F.Failure, ValueError, KeyError) as e:
        ok, what = False, f'{what}: {e}'
    t.check(ok, what)
    if ok:
        print(f'ok: {kind} {"+".join(pattern)} after {delay:.3f} s: exit {run.status}, '
              f'{state or "folder untouched"}', flush=True)
    shutil.rmtree(out, ignore_errors=True)


def writer_check(t, what, run, out):
    try:
        state = F.check_folder(out, require=False)
        files_whole(out, state)
        if state is None:
            ok = run.status in (1, 2)            # nothing claimed
        elif state == 'failed':
            ok = run.status == 1 and ('write' in run.err or 'large' in run.err or
                                      'space' in run.err)
        elif state == 'running':
            ok = run.status == 1                 # its last record could not be written
        else:
            ok = run.status == 0 and state == 'completed'
    except (F.Failure, ValueError, KeyError) as e:
        ok, what = False, f'{what}: {e}'
    t.check(ok, f'{what}: {run}')
    if ok:
        print(f'ok: {what}: exit {run.status}, {state or "no record"}', flush=True)


def tmpfs_trials(t, r, work, atlas, data):
    if os.geteuid() != 0:
        return 'tmpfs: not root, no small file system to fill (the file-size limit ran)'
    for i in range(6):
        mnt = os.path.join(work, f'tmpfs{i}')
        os.makedirs(mnt)
        size = r.choice([8, 24, 64, 200, 1500]) * 1024
        if subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={size}', 'tmpfs', mnt],
                          capture_output=True).returncode != 0:
            return 'tmpfs: cannot mount one here (the file-size limit ran)'
        try:
            out = os.path.join(mnt, 'out')
            if i % 2 == 0:
                run = F.dtb(assimilate_args(atlas, data, out), work)
                kind = 'assimilate'
            else:
                run = F.dtb(control_args(out, 'csv') + ['--duration', '1s', '--no-limits'], work)
                kind = 'run --control'
            writer_check(t, f'{kind} on a {size >> 10} KiB tmpfs', run, out)
        finally:
            subprocess.run(['umount', mnt])
    return None


def main():
    t = F.Tally('faults_assimilate')
    r = F.rng()
    work = F.workdir('assimilate')
    atlas, data = setup(work)
    slow = 3.0 if F.ASAN else 1.0
    for i in range(10 if F.ASAN else 15):
        pattern = SIGNAL_PATTERNS[i % len(SIGNAL_PATTERNS)]
        out = os.path.join(work, f'sig{i}')
        signal_trial(t, r, work, i, 'assimilate', assimilate_args(atlas, data, out, i % 5 == 4),
                     out, pattern, r.uniform(0.0, 2.5 * slow))
    for i in range(6 if F.ASAN else 10):
        pattern = SIGNAL_PATTERNS[i % len(SIGNAL_PATTERNS)]
        out = os.path.join(work, f'ctl{i}')
        signal_trial(t, r, work, i, 'run --control', control_args(out, ('csv', 'npy')[i % 2]),
                     out, pattern, r.uniform(0.0, 1.0 * slow))
    for i in range(8 if F.ASAN else 12):
        out = os.path.join(work, f'fsize{i}')
        # from nothing to more than the files take
        limit = int(r.choice([r.uniform(0, 512), r.uniform(512, 8192), r.uniform(8192, 40000)]))
        if i % 2 == 0:
            run = F.dtb(assimilate_args(atlas, data, out), work, fsize=limit)
            writer_check(t, f'assimilate, file-size limit {limit} bytes', run, out)
        else:
            run = F.dtb(control_args(out, ('csv', 'npy')[i % 4 // 2]) + ['--duration', '1s'],
                        work, fsize=limit * 40)
            writer_check(t, f'run --control, file-size limit {limit * 40} bytes', run, out)
        shutil.rmtree(out, ignore_errors=True)
    skipped = tmpfs_trials(t, r, work, atlas, data)
    shutil.rmtree(work, ignore_errors=True)
    t.finish()
    if skipped:   # the rest passed; a check that did not run is a skip (tools/check-skips.py)
        print(f'SKIP: {skipped}')
        sys.exit(77)


if __name__ == '__main__':
    main()
