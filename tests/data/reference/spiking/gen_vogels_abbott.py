#!/usr/bin/env python3
"""Independent NumPy runs of the Vogels-Abbott benchmark networks (Brette et
al. 2007) as Brian2 2.5.1's scripts define them, over many seeds: the
statistics libdtb's CUBA and COBA must reproduce (tests/spiking).

Written from Brian2's example scripts and scheduling, not from libdtb:

CUBA (Brian2 examples/CUBA.py, method 'exact'):
    dv/dt  = (ge + gi - (v - El)) / taum : volt (unless refractory)
    dge/dt = -ge / taue;  dgi/dt = -gi / taui
    taum 20 ms, taue 5 ms, taui 10 ms, Vt -50 mV, Vr -60 mV, El -49 mV,
    refractory 5 ms, v0 = Vr + rand() (Vt - Vr), ge = gi = 0,
    on_pre ge += 1.62 mV (from cells i < 3200), gi += -9 mV (i >= 3200).
COBA (Brian2's COBA benchmark, method 'euler'):
    dv/dt  = (ge (Ee - v) + gi (Ei - v) - (v - El) + I) / taum (unless refractory)
    dge/dt = -ge / taue;  dgi/dt = -gi / taui   (ge, gi in units of g_L)
    El = Vr = -60 mV, Vt -50 mV, Ee 0 mV, Ei -80 mV, I = 20 mV, refractory 5 ms,
    v0 = -55 mV + 5 mV randn(), ge = gi = 0, on_pre ge += 0.6, gi += 6.7.
Both: 4000 cells (3200 excitatory), connect(p = 0.02) from every source to
every target (self-connections included), no delay, dt 0.1 ms, 1 s.

A step of Brian2's default schedule: state update (from the state at the
step's start; a refractory cell's v is frozen while timestep(t - lastspike)
< timestep(refractory)), threshold v > Vt on non-refractory cells, the
spikes' on_pre into ge/gi (felt from the next step's update), reset v = Vr
and lastspike = t.

  /usr/bin/python3 gen_vogels_abbott.py [seeds]     (default 32; about 80 s of CPU)

writes cuba.csv and coba.csv: one row per seed (NumPy default_rng(seed),
seeds 1..N) with the spike count, rate (Hz), excitatory and inhibitory
rates, mean CV of the ISIs (population standard deviation / mean, over the
cells with at least 3 spikes, as Brian2's statistics and libdtb's
dtb_spiking_cv_isi), the number of those cells and the silent fraction.
"""
import os
import sys

import numpy as np

N, NE = 4000, 3200
DT = 0.1          # ms
STEPS = 10000     # 1 s
REF_STEPS = 50    # 5 ms


def network(rng):
    """Targets of every source, connect(p=0.02) with self-connections."""
    return [np.flatnonzero(rng.random(N) < 0.02) for _ in range(N)]


def run(kind, seed):
    rng = np.random.default_rng(seed)
    taum, taue, taui, vt, vr = 20.0, 5.0, 10.0, -50.0, -60.0
    if kind == 'cuba':
        el = -49.0
        v = vr + rng.random(N) * (vt - vr)
        we, wi = 1.62, -9.0
    else:
        el, ee, ei, drive = -60.0, 0.0, -80.0, 20.0
        v = -55.0 + 5.0 * rng.standard_normal(N)
        we, wi = 0.6, 6.7
    targets = network(rng)
    ge = np.zeros(N)
    gi = np.zeros(N)
    last = np.full(N, -10 ** 9)            # step of the last spike
    # exact propagators of the linear CUBA system over one step
    pm, pe, pi = np.exp(-DT / taum), np.exp(-DT / taue), np.exp(-DT / taui)
    ke, ki = taue / (taue - taum) * (pe - pm), taui / (taui - taum) * (pi - pm)
    spikes_of = np.zeros(N, dtype=np.int64)
    times = [[] for _ in range(N)]
    for step in range(STEPS):
        active = (step - last) >= REF_STEPS
        if kind == 'cuba':
            vn = el + (v - el) * pm + ge * ke + gi * ki
            ge, gi = ge * pe, gi * pi
        else:
            dv = (ge * (ee - v) + gi * (ei - v) - (v - el) + drive) / taum
            vn = v + DT * dv
            ge, gi = ge + DT * (-ge / taue), gi + DT * (-gi / taui)
        v = np.where(active, vn, v)
        fired = np.flatnonzero((v > vt) & active)
        if fired.size:
            exc = fired[fired < NE]
            inh = fired[fired >= NE]
            if exc.size:
                ge += we * np.bincount(np.concatenate([targets[i] for i in exc]), minlength=N)
            if inh.size:
                gi += wi * np.bincount(np.concatenate([targets[i] for i in inh]), minlength=N)
            v[fired] = vr
            last[fired] = step
            spikes_of[fired] += 1
            for i in fired:
                times[i].append(step * DT)
    cvs = []
    for t in times:
        if len(t) >= 3:
            isi = np.diff(t)
            cvs.append(isi.std() / isi.mean())
    total = int(spikes_of.sum())
    return {'seed': seed, 'spikes': total, 'rate_hz': total / N,
            'rate_exc_hz': spikes_of[:NE].sum() / NE, 'rate_inh_hz': spikes_of[NE:].sum() / (N - NE),
            'mean_cv': float(np.mean(cvs)), 'n_cv': len(cvs),
            'silent_fraction': float(np.mean(spikes_of == 0))}


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    here = os.path.dirname(os.path.abspath(__file__))
    cols = ['seed', 'spikes', 'rate_hz', 'rate_exc_hz', 'rate_inh_hz', 'mean_cv', 'n_cv',
            'silent_fraction']
    for kind in ('cuba', 'coba'):
        rows = [run(kind, s) for s in range(1, seeds + 1)]
        with open(os.path.join(here, kind + '.csv'), 'w') as f:
            f.write(f'# {kind.upper()} 4000 cells, 1 s, NumPy ' + np.__version__
                    + ' (gen_vogels_abbott.py), one row per seed\n')
            f.write(','.join(cols) + '\n')
            for r in rows:
                f.write(','.join(repr(r[c]) if isinstance(r[c], float) else str(r[c]) for c in cols)
                        + '\n')
        rate = np.array([r['rate_hz'] for r in rows])
        cv = np.array([r['mean_cv'] for r in rows])
        print(f'{kind}: rate {rate.mean():.3f} +- {rate.std(ddof=1):.3f} Hz, '
              f'CV {cv.mean():.3f} +- {cv.std(ddof=1):.3f} over {seeds} seeds')


if __name__ == '__main__':
    main()
