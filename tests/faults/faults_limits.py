# SPDX-License-Identifier: GPL-3.0-or-later
"""Absurd limits and overwrite attempts: each is refused with exit status 2
before anything is touched, so an earlier run's results folder, the input
atlas and model files stay byte for byte what they were, and a checkpoint
whose folder is missing is found before the run, not after it."""
import os
import shutil
import stat
import threading

import faultlib as F

MODEL = os.path.join(os.environ.get('DTB_TEST_DATA', ''), 'models', 'decay.xml')


def main():
    t = F.Tally('faults_limits')
    work = F.workdir('limits')
    atlas = os.path.join(work, 'atlas')
    shutil.copytree(F.TVB76, atlas)
    model = os.path.join(work, 'model.xml')
    shutil.copy(MODEL, model)
    base = ['run', '--atlas', 'atlas', '--model', 'model.xml', '--out', 'good', '--quiet']
    first = F.dtb(base + ['--duration', '100ms'], work)
    assert first.status == 0, first
    os.makedirs(os.path.join(work, 'a-folder'))
    with open(os.path.join(work, 'a-file'), 'w') as f:
        f.write('not a folder\n')
    before = {name: F.snapshot(os.path.join(work, name)) for name in ('good', 'atlas')}
    with open(model, 'rb') as f:
        model_bytes = f.read()

    cases = [
        # absurd limits
        ['--duration', '1e11s'], ['--duration', '1e12s'], ['--duration', '1e300s'],
        ['--duration', 'inf'], ['--duration', 'nan'], ['--duration', '-1s'],
        ['--dt', '1e-12s', '--duration', '10s'], ['--dt', '0'],
        ['--duration', '1e5s', '--observe', 'raw'],                      # ~1.6 TB of CSV
        ['--duration', '1e5s', '--observe', 'raw', '--format', 'npy'],
        ['--duration', '2e5s', '--observe', 'subsample:period=0.1ms'],
        ['--duration', '1e12s', '--no-limits'],                           # not even with it
        ['--duration', '1e6s', '--observe', 'raw', '--observe', 'bold:tr=1ms'],
        # overwrite attempts
        ['--checkpoint', 'atlas/weights.txt'], ['--checkpoint', 'atlas/tract_lengths.txt'],
        ['--checkpoint', 'model.xml'], ['--checkpoint', 'good/tavg.csv'],
        ['--checkpoint', 'good/provenance.json'], ['--checkpoint', 'good/experiment.xml'],
        ['--checkpoint', './good/../good/tavg.csv'],
        ['--save-experiment', 'atlas/weights.txt'], ['--save-experiment', 'model.xml'],
        ['--save-experiment', 'good/tavg.csv'], ['--save-experiment', 'good/provenance.json'],
        ['--save-experiment', 'same.bin', '--checkpoint', 'same.bin'],
        ['--checkpoint', 'a-folder'], ['--save-experiment', 'a-folder'],
        ['--checkpoint', 'no-such-folder/ck.bin', '--duration', '60s'],
        ['--save-experiment', 'no-such-folder/e.xml', '--duration', '60s'],
        ['--init', 'good/tavg.csv'],                                      # an output as input
        ['--set', 'k=@good/tavg.csv'],
        ['--out', 'a-file'], ['--out', 'a-file/sub'],
        ['--lesion', 'region=3:at=5s'],                                   # never acts
        ['--checkpoint-at', '50ms'],                                      # where to?
        ['--checkpoint', 'ck.bin', '--checkpoint-at', '5s'],              # after the end
    ]
    for args in cases:
        run = F.dtb(base + args, work, timeout=60)
        now = {name: F.snapshot(os.path.join(work, name)) for name in ('good', 'atlas')}
        with open(model, 'rb') as f:
            same_model = f.read() == model_bytes
        ok = (run.status == 2 and now == before and same_model and F.bounded(run, 10) and
              run.err.startswith('dtb: ') and not os.path.exists(os.path.join(work, 'same.bin')))
        t.check(ok, f'{" ".join(args)}: {run}')
        if ok:
            print(f'ok: {" ".join(args)}: {run.err.strip()[:150]}', flush=True)
    # an output that is an input: good2/tavg.csv as the initial state
    os.makedirs(os.path.join(work, 'good2'))
    init = os.path.join(work, 'good2', 'tavg.csv')
    with open(init, 'w') as f:
        f.write('x,y\n' + '0.5,1\n' * 76)
    with open(init, 'rb') as f:
        init_bytes = f.read()
    run = F.dtb(['run', '--atlas', 'atlas', '--model', 'model.xml', '--out', 'good2', '--quiet',
                 '--init', 'good2/tavg.csv'], work)
    with open(init, 'rb') as f:
        t.check(run.status == 2 and f.read() == init_bytes and 'inputs' in run.err,
                f'an output onto the --init file: {run}')
    # a pipe and a symbolic link as write targets: a pipe is written to,
    # never replaced by a file (as root, renaming over /dev/null would put
    # a file in its place); a link stays a link, its target replaced whole
    fifo = os.path.join(work, 'exp.fifo')
    os.mkfifo(fifo)
    got = {}

    def reader():
        with open(fifo, 'rb') as f:
            got['data'] = f.read()
    th = threading.Thread(target=reader, daemon=True)   # (never left waiting at exit)
    th.start()
    os.makedirs(os.path.join(work, 'real'))
    with open(os.path.join(work, 'real', 'ck.bin'), 'w') as f:
        f.write('old\n')
    os.symlink(os.path.join('real', 'ck.bin'), os.path.join(work, 'ck-link.bin'))
    run = F.dtb(['run', '--atlas', 'atlas', '--model', 'model.xml', '--out', 'piped', '--quiet',
                 '--duration', '10ms', '--save-experiment', 'exp.fifo', '--checkpoint',
                 'ck-link.bin'], work)
    if run.status != 0:   # the reader would wait for ever
        with open(fifo, 'wb'):
            pass
    th.join(10)
    with open(os.path.join(work, 'real', 'ck.bin'), 'rb') as f:
        ck = f.read()
    t.check(run.status == 0 and stat.S_ISFIFO(os.stat(fifo).st_mode) and
            b'<experiment' in got.get('data', b''), f'--save-experiment onto a pipe: {run}')
    t.check(run.status == 0 and os.path.islink(os.path.join(work, 'ck-link.bin')) and
            ck.startswith(b'DTBCKPT'), f'--checkpoint through a symbolic link: {run}')
    # dtb reservoir's own write targets: checked before anything is built
    with open(os.path.join(work, 'u.txt'), 'w') as f:
        f.write(''.join(f'{0.01 * i}\n' for i in range(60)))
    with open(os.path.join(work, 'u.txt'), 'rb') as f:
        u_bytes = f.read()
    os.makedirs(os.path.join(work, 'res'), exist_ok=True)
    quick = ['reservoir', '--atlas', 'atlas', '--alpha', '0.9', '--quiet']
    for args in (['--input', 'u.txt', '--save-states', 'u.txt'],
                 ['--input', 'u.txt', '--save-states', './res/../u.txt'],
                 ['--input', 'u.txt', '--save-states', 's.npy', '--save-readout', 's.npy'],
                 ['--input', 'u.txt', '--save-states', 'atlas/weights.txt'],
                 ['--task', 'memory-capacity', '--steps', '500', '--save-readout',
                  'atlas/tract_lengths.txt', '--out', 'res'],
                 ['--task', 'memory-capacity', '--steps', '500', '--save-readout',
                  'res/reservoir.csv', '--out', 'res'],
                 ['--task', 'memory-capacity', '--steps', '500', '--save-readout',
                  'no-such-folder/r.txt', '--out', 'res']):
        run = F.dtb(quick + args, work)
        with open(os.path.join(work, 'u.txt'), 'rb') as f:
            same_u = f.read() == u_bytes
        ok = (run.status == 2 and same_u and F.snapshot(os.path.join(work, 'atlas')) ==
              before['atlas'] and not os.listdir(os.path.join(work, 'res')) and
              not os.path.exists(os.path.join(work, 's.npy')) and F.bounded(run, 10))
        t.check(ok, f'reservoir {" ".join(args)}: {run}')
        if ok:
            print(f'ok: reservoir {" ".join(args)}: {run.err.strip()[:150]}', flush=True)
    # the same through sweep and fit
    for cmd, extra in (('sweep', ['--vary', 'k=0.1:1:3']), ('fit', ['--free', 'k=0.1:1',
                                                                       '--score', 'stable'])):
        for dur in ('1e11s', '1e12s'):
            run = F.dtb([cmd, '--atlas', 'atlas', '--model', 'model.xml', '--duration', dur,
                         '--out', f'{cmd}-out', '--quiet'] + extra, work)
            t.check(run.status == 2 and not os.path.exists(os.path.join(work, f'{cmd}-out')),
                    f'{cmd} --duration {dur}: {run}')
    shutil.rmtree(work, ignore_errors=True)
    t.finish()


if __name__ == '__main__':
    main()
