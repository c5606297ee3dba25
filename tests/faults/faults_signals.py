# SPDX-License-Identifier: GPL-3.0-or-later
"""Real signals at random points of runs writing CSV and NPY: SIGTERM,
SIGHUP, SIGINT, two SIGINTs, SIGINT then SIGTERM, and SIGKILL. After each,
every output file is whole and parseable and provenance.json counts the
rows each holds; after SIGKILL (which nothing can catch) the folder is
marked incomplete ("running") and the files still parse. The same for
dtb sweep and dtb reservoir (their tables)."""
import json
import os
import shutil
import signal
import time

import faultlib as F

PATTERNS = [['TERM'], ['HUP'], ['INT'], ['INT', 'INT'], ['INT', 'TERM'], ['HUP', 'INT', 'INT'],
            ['KILL']]


def one_run(t, r, work, i, fmt, pattern, delay):
    out = os.path.join(work, f'run{i}')
    args = ['run', '--atlas', F.TVB76, '--model', 'generic_2d_oscillator', '--duration', '10s',
            '--observe', 'raw', '--observe', 'tavg:period=1ms', '--observe', 'fc',
            '--format', fmt, '--out', out, '--quiet']
    c = F.Child(args, work)
    time.sleep(delay)
    for k, name in enumerate(pattern):
        c.signal(signal.SIGKILL if name == 'KILL' else F.SIGNALS[name])
        if k + 1 < len(pattern):
            time.sleep(r.uniform(0.001, 0.05))
    run = c.wait(120)
    what = f'{fmt} run, {"+".join(pattern)} after {delay:.3f} s: {run}'
    try:
        state = F.check_folder(out, require=False)
        if pattern == ['KILL']:
            ok = (run.status == -signal.SIGKILL and state in (None, 'running', 'completed')) or \
                 (run.status == 0 and state == 'completed')   # it ended before the kill
        elif state is None:
            # the signal came before dtb installed its handlers (it had
            # touched nothing then): killed by it, folder untouched
            ok = run.status < 0 and not os.path.exists(out)
        else:
            ok = (run.status == 130 and state == 'stopped') or (run.status == 0 and
                                                                state == 'completed')
    except (F.Failure, ValueError, KeyError) as e:
        ok, what = False, f'{what}: {e}'
    t.check(ok, what)
    if ok:
        print(f'ok: {fmt} {"+".join(pattern)} after {delay:.3f} s: exit {run.status}, '
              f'{state or "folder untouched"}', flush=True)
    shutil.rmtree(out, ignore_errors=True)


def sweep_run(t, work, i, name, delay):
    out = os.path.join(work, f'sweep{i}')
    c = F.Child(['sweep', '--atlas', F.TVB76, '--model', 'generic_2d_oscillator',
                 '--duration', '500ms', '--vary', 'a=0.5:1.5:40', '--score', 'stable',
                 '--out', out, '--quiet'], work)
    time.sleep(delay)
    c.signal(F.SIGNALS[name])
    run = c.wait(120)
    what = f'sweep, {name} after {delay:.3f} s: {run}'
    try:
        ok = run.status in (0, 130) or (run.status < 0 and not os.path.exists(out))
        if os.path.exists(os.path.join(out, 'provenance.json')):
            with open(os.path.join(out, 'provenance.json')) as f:
                prov = json.load(f)
            rows = F.read_csv(os.path.join(out, 'sweep.csv'), numbers=False)
            ok = ok and prov['rows'] == rows and prov['state'] in ('completed', 'stopped')
    except (F.Failure, ValueError, KeyError) as e:
        ok, what = False, f'{what}: {e}'
    t.check(ok, what)
    shutil.rmtree(out, ignore_errors=True)


def reservoir_run(t, work, i, name, delay):
    """dtb reservoir: the same handler as run and sweep (its table, figure
    and provenance)."""
    out = os.path.join(work, f'reservoir{i}')
    c = F.Child(['reservoir', '--atlas', 'bn246', '--task', 'memory-capacity', '--steps', '1000',
                 '--delays', '20', '--alpha', '0.5:0.9:2', '--nulls', '60', '--seed', '5',
                 '--out', out, '-q'], work)
    time.sleep(delay)
    for sig in name.split('+'):
        c.signal(F.SIGNALS[sig])
        time.sleep(0.02)
    run = c.wait(120)
    what = f'reservoir, {name} after {delay:.3f} s: {run}'
    try:
        ok = run.status in (0, 130) or (run.status < 0 and not os.path.exists(out))
        if os.path.exists(os.path.join(out, 'provenance.json')):
            with open(os.path.join(out, 'provenance.json')) as f:
                prov = json.load(f)
            rows = F.read_csv(os.path.join(out, 'reservoir.csv'), numbers=False)
            ok = ok and prov['rows'] == rows and (
                (run.status == 130 and prov['state'] == 'stopped') or
                (run.status == 0 and prov['state'] == 'completed' and rows == prov['total']))
            svg = os.path.join(out, 'reservoir.svg')
            if os.path.exists(svg):
                with open(svg) as f:
                    ok = ok and f.read().endswith('</svg>\n')
    except (F.Failure, ValueError, KeyError) as e:
        ok, what = False, f'{what}: {e}'
    t.check(ok, what)
    if ok:
        print(f'ok: {what[:60]}', flush=True)
    shutil.rmtree(out, ignore_errors=True)


def main():
    t = F.Tally('faults_signals')
    r = F.rng()
    work = F.workdir('signals')
    trials = 14 if F.ASAN else 28
    for i in range(trials):
        fmt = ('csv', 'npy')[i % 2]
        pattern = PATTERNS[i % len(PATTERNS)]
        one_run(t, r, work, i, fmt, pattern, r.uniform(0.0, 1.0 if not F.ASAN else 3.0))
    for i in range(4):
        sweep_run(t, work, i, ('TERM', 'HUP', 'INT', 'INT')[i], r.uniform(0.2, 2.0))
    for i in range(3):
        reservoir_run(t, work, i, ('TERM', 'HUP', 'INT+INT')[i], r.uniform(1.0, 4.0))
    shutil.rmtree(work, ignore_errors=True)
    t.finish()


if __name__ == '__main__':
    main()
