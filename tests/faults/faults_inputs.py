# SPDX-License-Identifier: GPL-3.0-or-later
"""Inputs that could exhaust the machine, each run under a time limit and
(outside the sanitizer build) a 1 GiB address-space limit, with the peak
resident size checked: devices (/dev/zero, /dev/urandom) and a 2 GiB
sparse file wherever a file is read, crafted NPY headers, XML entities
(flat repetition, nesting, external and parameter entities) in every XML
format, long DerivedVariable chains and cycles. Each must be refused
quickly (exit 2) with the file named. Also the rest of issue 13's class 6:
dtb lems writing outside --out, dtb cell on the same inputs, fc.csv labels with commas read back,
RegionModel names and coupling expressions too long for the old
checkpoints, repeated keys, control characters in labels."""
import os
import shutil
import struct

import faultlib as F

CORE = os.path.join(F.SHARED, 'neuroml', 'NeuroML2', 'NeuroML2CoreTypes')
HH = os.path.join(F.SHARED, 'neuroml', 'NeuroML2', 'LEMSexamples', 'LEMS_NML2_Ex1_HH.xml')
MODEL = ['--atlas', F.TVB76, '--model', 'generic_2d_oscillator', '--duration', '20ms', '--quiet',
         '--out', 'out']


def refused(t, work, args, what, named=None, status=2, seconds=20):
    run = F.dtb(args, work, timeout=60)
    ok = run.status == status and F.bounded(run, seconds) and (named is None or named in run.err)
    t.check(ok, f'{what}: {run}')
    if ok:
        print(f'ok: {what}: {run.seconds:.2f} s, {run.rss >> 20} MiB: {run.err.strip()[:120]}',
              flush=True)
    return run


def npy(path, header, data=b''):
    h = header.encode('latin1')
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h + data)


def devices(t, work):
    os.symlink('/dev/zero', os.path.join(work, 'zero.xml'))
    os.symlink('/dev/zero', os.path.join(work, 'zero.npy'))
    os.symlink('/dev/urandom', os.path.join(work, 'random.npy'))
    big = os.path.join(work, 'big.txt')
    with open(big, 'wb') as f:
        f.truncate(2 << 30)          # 2 GiB of holes: refused by its size, never read
    for dev in ('/dev/zero', '/dev/urandom', 'big.txt'):
        for option in ('--atlas', '--atlas-weights', '--atlas-lengths', '--atlas-centres',
                       '--atlas-labels', '--init', '--empirical-fc', '--resume'):
            args = ['run'] + MODEL + [option, dev]
            if option == '--atlas':
                args = ['run', '--model', 'generic_2d_oscillator', '--quiet', '--out', 'out',
                        option, dev]
            refused(t, work, args, f'{option} {dev}', named=dev)
        refused(t, work, ['run'] + MODEL + ['--set', f'a=@{dev}'], f'--set a=@{dev}', named=dev)
        refused(t, work, ['run'] + MODEL + ['--stimulus', f'waveform:file={dev}:regions=1:into=V'],
                f'waveform file={dev}', named=dev)
        refused(t, work, ['run'] + MODEL + ['--observe', f'eeg:gain={dev}:vars=V'],
                f'eeg gain={dev}', named=dev)
        refused(t, work, ['run', dev, '--quiet'], f'experiment file {dev}', named=dev)
    for name in ('zero.xml',):
        refused(t, work, ['run'] + MODEL[2:] + ['--atlas', F.TVB76, '--model', name], f'--model {name}',
                named=name)
        refused(t, work, ['run'] + MODEL + ['--coupling', name], f'--coupling {name}', named=name)
        refused(t, work, ['check', name], f'dtb check {name}', named=name)
        refused(t, work, ['lems', name, '--out', 'lems-out'], f'dtb lems {name}', named=name)
        refused(t, work, ['cell', name, '--record', '0:v', '--out', 'cell-out'], f'dtb cell {name}',
                named=name)
    refused(t, work, ['cell', 'big.txt', '--record', '0:v', '--out', 'cell-out'],
            'dtb cell big.txt', named='big.txt')
    for name in ('zero.npy', 'random.npy'):
        refused(t, work, ['run'] + MODEL + ['--empirical-fc', name], f'--empirical-fc {name}',
                named=name)
        refused(t, work, ['run'] + MODEL + ['--observe', f'eeg:gain={name}:vars=V'],
                f'gain={name}', named=name)
    for extra in (['--score', 'fcd-ks:of=bold', '--empirical-bold', '/dev/zero'],
                  ['--score', 'fc=/dev/zero']):
        refused(t, work, ['sweep'] + MODEL[:4] + ['--vary', 'a=1:2:2', '--out', 'sw',
                                                  '--quiet'] + extra,
                f'sweep {" ".join(extra)}', named='/dev/zero')


def crafted_npy(t, work):
    cases = {
        'overflow': "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, "
                    "4611686018427387904), }",
        'huge-shape': "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 76), }",
        'short-data': "{'descr': '<f8', 'fortran_order': False, 'shape': (76, 76), }",
        'negative': "{'descr': '<f8', 'fortran_order': False, 'shape': (-76, 76), }",
        'fortran': "{'descr': '<f8', 'fortran_order': True, 'shape': (76, 76), }",
        'descr': "{'descr': '<c16', 'fortran_order': False, 'shape': (76, 76), }",
        'no-quote': "{'descr': <f8, 'fortran_order': False, 'shape': (76, 76), }",
        'no-shape': "{'descr': '<f8', 'fortran_order': False, }",
        'nine-dims': "{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }",
        'nul': "{'descr': '<f8'\0, 'fortran_order': False, 'shape': (76, 76), }",
        'empty-descr': "{'descr': '', 'fortran_order': False, 'shape': (2, 2), }",
        'descr-at-end': "{'fortran_order': False, 'shape': (2, 2), 'descr':",
        'big-number': "{'descr': '<f8', 'fortran_order': False, 'shape': "
                      "(99999999999999999999999, 2), }",
    }
    for name, header in cases.items():
        path = os.path.join(work, f'{name}.npy')
        npy(path, header, b'\0' * 64)
        refused(t, work, ['run'] + MODEL + ['--empirical-fc', path], f'NPY header {name}',
                named=path)
        refused(t, work, ['run'] + MODEL + ['--observe', f'eeg:gain={path}:vars=V'],
                f'NPY header {name} as gain', named=path)


def entities(t, work):
    big = 'x' * 10000
    flat = f'<!DOCTYPE r [<!ENTITY a "{big}">]>\n'
    refs = '&a;' * 20000             # ~250 kB of file, 200 MB expanded
    nested = ('<!DOCTYPE r [<!ENTITY a0 "lol">' +
              ''.join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)) +
              ']>\n')
    external = '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
    zero = '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///dev/zero">]>\n'
    param = '<!DOCTYPE r [<!ENTITY % p "<!ENTITY q \'x\'>"> %p;]>\n'
    docs = {
        'experiment': lambda dt, ref: f'{dt}<experiment><model>{ref}</model></experiment>\n',
        'model': lambda dt, ref: f'{dt}<Lems><ComponentType name="T" description="{ref}">'
                                 '<Dynamics><StateVariable name="x" dimension="none"/>'
                                 '<TimeDerivative variable="x" value="-x"/></Dynamics>'
                                 '</ComponentType></Lems>\n',
        'coupling': lambda dt, ref: f'{dt}<Lems><CouplingFunction pre="x_j" post="gx" '
                                    f'description="{ref}"/></Lems>\n',
        'cell': lambda dt, ref: f'{dt}<neuroml><cell id="c"><notes>{ref}</notes></cell></neuroml>\n',
    }
    kinds = {'flat': (flat, refs), 'nested': (nested, '&a9;'), 'external': (external, '&e;'),
             'device': (zero, '&e;'), 'parameter': (param, '')}
    for fmt, make in docs.items():
        for kind, (dtd, ref) in kinds.items():
            path = os.path.join(work, f'{fmt}-{kind}.xml')
            with open(path, 'w') as f:
                f.write(make(dtd, ref))
            if fmt == 'experiment':
                args = ['run', path, '--quiet']
            elif fmt == 'model':
                args = ['run'] + MODEL[:2] + MODEL[4:] + ['--model', path + '#T']
            elif fmt == 'cell':
                args = ['cell', path, '--record', '0:v', '--out', 'cell-out']
            else:
                args = ['run'] + MODEL + ['--coupling', path]
            refused(t, work, args, f'{kind} entity in a {fmt} file', named=path)
            if fmt == 'model':
                refused(t, work, ['check', path], f'{kind} entity, dtb check', named=path)


def derived(t, work):
    n = 20000
    lines = ['<Lems>', '<Dimension name="none"/>', '<ComponentType name="Big">',
             '<Parameter name="k" dimension="none"/>', '<Dynamics>',
             '<StateVariable name="x" dimension="none"/>']
    lines += [f'<DerivedVariable name="d{i}" dimension="none" value="d{i - 1} + 1"/>'
              for i in range(n - 1, 0, -1)]
    lines += ['<DerivedVariable name="d0" dimension="none" value="x*k"/>',
              f'<TimeDerivative variable="x" value="-x + 0 * d{n - 1}"/>',
              '</Dynamics>', '</ComponentType>', '</Lems>']
    with open(os.path.join(work, 'chain.xml'), 'w') as f:
        f.write('\n'.join(lines))
    refused(t, work, ['check', 'chain.xml'], f'{n} chained DerivedVariables, dtb check',
            status=0, seconds=15)
    cyc = lines[:6] + ['<DerivedVariable name="a" dimension="none" value="b + 1"/>',
                       '<DerivedVariable name="b" dimension="none" value="c * 2"/>',
                       '<DerivedVariable name="c" dimension="none" value="a - k"/>',
                       '<TimeDerivative variable="x" value="a"/>', '</Dynamics>',
                       '</ComponentType>', '</Lems>']
    with open(os.path.join(work, 'cycle.xml'), 'w') as f:
        f.write('\n'.join(cyc))
    refused(t, work, ['check', 'cycle.xml'], 'circular DerivedVariables, dtb check',
            named="'a' uses 'b' uses 'c' uses 'a'")
    refused(t, work, ['run'] + MODEL[:2] + MODEL[4:] + ['--model', 'cycle.xml#Big'],
            'circular DerivedVariables, dtb run', named='circular')
    selfref = [x.replace('value="b + 1"', 'value="a + 1"') for x in cyc]
    with open(os.path.join(work, 'self.xml'), 'w') as f:
        f.write('\n'.join(selfref))
    refused(t, work, ['check', 'self.xml'], 'a DerivedVariable that uses itself', named='itself')


def lems_outside(t, work):
    with open(HH) as f:
        text = f.read()
    for name in ('../escape.dat', '/tmp/dtb-escape.dat', 'a/../../escape.dat'):
        path = os.path.join(work, 'hh-escape.xml')
        with open(path, 'w') as f:
            f.write(text.replace('fileName="results/hh_v.dat"', f'fileName="{name}"'))
        os.makedirs(os.path.join(work, 'lems-out'), exist_ok=True)
        run = refused(t, work, ['lems', path, '-I', CORE, '-I', os.path.dirname(HH),
                                '--out', 'lems-out'], f'OutputFile {name}', named=name)
        t.check(not os.path.exists(os.path.join(work, 'escape.dat')) and
                not os.path.exists('/tmp/dtb-escape.dat'), f'nothing written for {name}: {run}')


def class6(t, work):
    # fc.csv whose labels hold commas and quotes reads back (RFC 4180)
    atlas = os.path.join(work, 'quoted')
    shutil.copytree(F.TVB76, atlas)
    with open(os.path.join(atlas, 'region_labels.txt')) as f:
        labels = f.read().split()
    with open(os.path.join(atlas, 'region_labels.txt'), 'w') as f:
        for i, lab in enumerate(labels):
            f.write(f'"{lab}, part {i}"\n' if i % 3 == 0 else f'{lab}\n')
    run = F.dtb(['run', '--atlas', 'quoted', '--model', 'generic_2d_oscillator', '--duration',
                 '200ms', '--observe', 'fc', '--out', 'q', '--quiet'], work)
    run2 = F.dtb(['run', '--atlas', 'quoted', '--model', 'generic_2d_oscillator', '--duration',
                  '200ms', '--empirical-fc', 'q/fc.csv', '--out', 'q2', '--quiet'], work)
    t.check(run.status == 0 and run2.status == 0, f'fc.csv with quoted labels read back: {run2}')
    # control characters in labels: refused, and never echoed raw
    with open(os.path.join(atlas, 'region_labels.txt'), 'w') as f:
        for i, lab in enumerate(labels):
            f.write(f'{lab}\x1b[31m\n' if i == 5 else f'{lab}\n')
    run = refused(t, work, ['run', '--atlas', 'quoted', '--model', 'generic_2d_oscillator',
                            '--quiet'], 'an escape sequence in a label', named='control character')
    t.check('\x1b' not in run.err + run.out, 'the escape sequence is not echoed')
    run = refused(t, work, ['run', '--model', 'gen\x1b]0;owned\x07eric'],
                  'an escape sequence in an option', named='\\x1b')
    t.check('\x1b' not in run.err, 'the option is not echoed raw')
    # a RegionModel name of 600 characters and a coupling expression of
    # 6000 resume from their checkpoint
    with open(os.path.join(os.environ['DTB_TEST_DATA'], 'models', 'decay.xml')) as f:
        model = f.read()
    long_name = 'decay_' + 'x' * 600
    with open(os.path.join(work, 'long.xml'), 'w') as f:
        f.write(model.replace('RegionModel name="decay"', f'RegionModel name="{long_name}"'))
    post = ' + '.join(['0.0001 * gx'] * 500)
    with open(os.path.join(work, 'long-coupling.xml'), 'w') as f:
        f.write(f'<Lems><CouplingFunction pre="x_j" post="{post}"/></Lems>\n')
    base = ['run', '--atlas', F.TVB76, '--model', 'long.xml', '--coupling', 'long-coupling.xml',
            '--quiet', '--out', 'long']
    first = F.dtb(base + ['--duration', '20ms', '--checkpoint', 'long.ckpt'], work)
    second = F.dtb(base + ['--duration', '40ms', '--resume', 'long.ckpt'], work)
    t.check(first.status == 0 and second.status == 0,
            f'a 600-character model name and a 6000-character coupling resume: {first} {second}')
    # repeated keys and both forms of noise
    for args in (['--noise', 'V=1,V=2'], ['--noise', '1', '--noise', 'V=1'],
                 ['--noise', 'V=1', '--noise', 'V=2'], ['--observe', 'tavg:period=1ms:period=2ms'],
                 ['--observe', 'tavg:var=V:vars=W'], ['--coupling', 'linear:a=1,a=2'],
                 ['--stimulus', 'pulse:onset=1ms,onset=2ms:into=V'],
                 ['--stimulus', 'pulse:onset=1ms:into=V:into=W'], ['--init', 'V=1,V=2']):
        refused(t, work, ['run'] + MODEL + args, f'repeated: {" ".join(args)}', named='twice'
                if '--noise' not in args or 'V=1,V=2' in args else None)


def main():
    t = F.Tally('faults_inputs')
    work = F.workdir('inputs')
    devices(t, work)
    crafted_npy(t, work)
    entities(t, work)
    derived(t, work)
    lems_outside(t, work)
    class6(t, work)
    shutil.rmtree(work, ignore_errors=True)
    t.finish()


if __name__ == '__main__':
    main()
