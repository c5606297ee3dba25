# SPDX-License-Identifier: GPL-3.0-or-later
"""A resume must continue the experiment that saved the checkpoint: every
difference (an atlas of the same size with other weights, --set, --seed,
--coupling, --noise, --speed, --lesion, ...) is refused with exit status 2,
naming it, before the results folder is touched; damaged checkpoints too.
The same settings resume, and the folder then says so."""
import json
import os
import shutil

import faultlib as F


def main():
    t = F.Tally('faults_resume')
    work = F.workdir('resume')
    atlas = os.path.join(work, 'atlas')
    shutil.copytree(F.TVB76, atlas)
    # the same size, one weight changed
    atlas2 = os.path.join(work, 'atlas2')
    shutil.copytree(F.TVB76, atlas2)
    with open(os.path.join(atlas2, 'weights.txt')) as f:
        lines = f.read().split('\n')
    row = lines[1].split()
    row[0] = '0.5' if row[0] != '0.5' else '0.25'
    lines[1] = ' '.join(row)
    with open(os.path.join(atlas2, 'weights.txt'), 'w') as f:
        f.write('\n'.join(lines))
    setting = ['--atlas', 'atlas', '--model', 'generic_2d_oscillator', '--set', 'a=1.05',
               '--seed', '5', '--coupling', 'linear:a=0.0152', '--speed', '3', '--noise', '1e-6',
               '--lesion', 'region=3', '--observe', 'tavg:period=1ms']
    first = F.dtb(['run'] + setting + ['--duration', '100ms', '--checkpoint', 'ck.bin',
                                       '--out', 'r', '--quiet'], work)
    assert first.status == 0, first
    before = F.snapshot(os.path.join(work, 'r'))

    def replace(name, value):
        out, skip = [], False
        for i, a in enumerate(setting):
            if skip:
                skip = False
                continue
            if a == name:
                if value is not None:
                    out += [name, value]
                skip = True
            else:
                out.append(a)
        return out

    variants = [
        (replace('--atlas', 'atlas2'), 'atlas'),
        (replace('--set', 'a=1.1'), 'set'),
        (setting + ['--set', 'b=-1'], 'set'),
        (replace('--seed', '6'), 'seed'),
        (replace('--seed', None), 'seed'),
        (replace('--coupling', 'linear:a=0.02'), 'coupling'),
        (replace('--coupling', 'difference'), 'coupling'),
        (replace('--noise', '2e-6'), 'noise'),
        (setting + ['--noise-kind', 'multiplicative'], 'noise-kind'),
        (replace('--speed', '4'), 'speed'),
        (replace('--speed', 'inf'), 'speed'),
        (replace('--lesion', 'region=4'), 'lesion'),
        (replace('--lesion', None), 'lesion'),
        (setting + ['--lesion', 'edge=1:2'], 'lesion'),
        (setting + ['--lesion', 'region=5:at=150ms'], 'lesion'),
        (replace('--model', 'sup_hopf'), 'model'),
        (setting + ['--integrator', 'rk4'], 'integrator'),
        (setting + ['--dt', '0.05ms'], 'dt'),
        (replace('--observe', 'raw'), 'observe'),
        (setting + ['--format', 'npy'], 'format'),
        (setting + ['--init', 'V=0.1'], 'init'),
        (setting + ['--stimulus', 'pulse:onset=110ms,width=5ms,amplitude=0.1:regions=1:into=V'],
         'stimulus'),
        (setting + ['--normalize', 'max'], 'normalize'),
        (setting + ['--tvb-float32-coupling'], 'tvb-float32-coupling'),
        (setting + ['--noise-scale', '2'], 'noise-scale'),
    ]
    for args, named in variants:
        run = F.dtb(['run'] + args + ['--duration', '200ms', '--resume', 'ck.bin', '--out', 'r',
                                      '--quiet'], work)
        ok = (run.status == 2 and f'{named}:' in run.err and
              F.snapshot(os.path.join(work, 'r')) == before and F.bounded(run, 10))
        t.check(ok, f'resume with {named} changed: {run}')
        if ok:
            print(f'ok: {named}: {run.err.strip()[:160]}', flush=True)

    # damaged checkpoints
    with open(os.path.join(work, 'ck.bin'), 'rb') as f:
        good = f.read()
    damaged = {
        'truncated': good[:len(good) // 2], 'empty': b'', 'one byte flipped':
        good[:len(good) // 3] + bytes([good[len(good) // 3] ^ 0x40]) + good[len(good) // 3 + 1:],
        'format 99': good[:8] + bytes([99, 0, 0, 0]) + good[12:], 'text': b'not a checkpoint\n',
        'checksum only': good[-8:], 'magic only': good[:8],
    }
    for name, data in damaged.items():
        with open(os.path.join(work, 'bad.bin'), 'wb') as f:
            f.write(data)
        run = F.dtb(['run'] + setting + ['--duration', '200ms', '--resume', 'bad.bin',
                                         '--out', 'r', '--quiet'], work)
        t.check(run.status == 2 and F.snapshot(os.path.join(work, 'r')) == before and
                'bad.bin' in run.err, f'{name} checkpoint: {run}')
    for dev in ('/dev/zero', '/dev/urandom', '/dev/null', work):
        run = F.dtb(['run'] + setting + ['--duration', '200ms', '--resume', dev, '--out', 'r',
                                         '--quiet'], work)
        t.check(run.status == 2 and F.bounded(run) and
                F.snapshot(os.path.join(work, 'r')) == before, f'--resume {dev}: {run}')

    # the same settings resume, and say so
    run = F.dtb(['run'] + setting + ['--duration', '200ms', '--resume', 'ck.bin', '--out', 'r',
                                     '--quiet'], work)
    with open(os.path.join(work, 'r', 'provenance.json')) as f:
        prov = json.load(f)
    ok = (run.status == 0 and prov['state'] == 'completed' and prov['resumed_from'] == 'ck.bin'
          and prov['outputs'][0]['samples'] == 200 and F.check_folder(os.path.join(work, 'r')))
    if not ok:
        print(f'FAIL: the same settings did not resume: {run} {prov}')
        raise SystemExit(1)
    # and the folder's own experiment.xml resumes it too (paths relative to it)
    run = F.dtb(['run', 'r/experiment.xml', '--duration', '300ms', '--resume', 'ck.bin',
                 '--out', 'r', '--quiet'], work)
    if run.status != 0:
        print(f'FAIL: r/experiment.xml did not resume: {run}')
        raise SystemExit(1)
    shutil.rmtree(work, ignore_errors=True)
    t.finish()


if __name__ == '__main__':
    main()
