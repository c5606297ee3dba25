#!/usr/bin/env python3
"""Independent reference runs that tell the fixed-step integrators apart.

TVB's kuramoto_delay reference (shared/data/reference/tvb) cannot: its
dtheta/dt = omega + c does not depend on theta, and TVB holds the coupling c
over the step, so Euler, Heun and RK4 all give theta + dt (omega + c). This
script integrates a model whose derivative depends on the state -- TVB's
SupHopf, dx/dt = (a - x^2 - y^2) x - omega y + c0, dy/dt = (a - x^2 - y^2) y
+ omega x + c1 -- on the same network (TVB's 76-region connectivity, delays
rint(length / 3 mm/ms / dt), Linear coupling c = a_c sum_j w_kj x_j(n - 1 -
d_kj) computed once per step from the history and held over the stages),
with TVB's Euler, Heun and RK4 (TVB-CONVENTIONS.md section 4), in NumPy
float64, from a constant initial history. Written from TVB's conventions
and the model's equations, not from libdtb.

  /usr/bin/python3 gen_suphopf_integrators.py ../../../../../shared/data/atlases/tvb76

writes suphopf_x0.npy (2 x 76), suphopf_{euler,heun,rk4}.npy (rows x 2 x 76:
the state after steps 20, 40, ..., i.e. every 2 ms from 2 ms to 100 ms) and
suphopf.json (the settings). Deterministic: the initial state comes from a
seeded NumPy generator.
"""
import json
import os
import sys

import numpy as np

DT = 0.1            # ms
SPEED = 3.0         # mm/ms
A_C = 0.01          # Linear coupling gain
A, OMEGA = 0.5, 1.0  # SupHopf: a limit cycle of radius sqrt(0.5) at 1 rad/ms
STEPS = 1000        # 100 ms
EVERY = 20          # record every 2 ms
SEED = 20


def dfun(x, c):
    """SupHopf with coupling rows c0 (of x) and c1 (of y)."""
    r2 = x[0] ** 2 + x[1] ** 2
    return np.array([(A - r2) * x[0] - OMEGA * x[1] + c[0],
                     (A - r2) * x[1] + OMEGA * x[0] + c[1]])


def run(method, w, idelay, x0):
    n = w.shape[0]
    horizon = idelay.max() + 1
    hist = np.repeat(x0[None, :, :], horizon, axis=0)   # slot s % horizon: state after step s
    x = x0.copy()
    out = []
    for step in range(1, STEPS + 1):
        # c(step) from x(step - 1 - d): slot (step - 1 - d) mod horizon
        slots = (step - 1 - idelay) % horizon
        c = np.empty((2, n))
        for v in range(2):
            delayed = hist[slots, v, np.broadcast_to(np.arange(n)[None, :], (n, n))]
            c[v] = A_C * (w * delayed).sum(axis=1)
        if method == 'euler':
            x = x + DT * dfun(x, c)
        elif method == 'heun':
            k1 = dfun(x, c)
            k2 = dfun(x + DT * k1, c)
            x = x + DT * (k1 + k2) / 2
        elif method == 'rk4':
            k1 = dfun(x, c)
            k2 = dfun(x + DT / 2 * k1, c)
            k3 = dfun(x + DT / 2 * k2, c)
            k4 = dfun(x + DT * k3, c)
            x = x + DT / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        hist[step % horizon] = x
        if step % EVERY == 0:
            out.append(x.copy())
    return np.array(out)


def main():
    atlas = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), '..', '..', '..', '..', '..', 'shared', 'data', 'atlases', 'tvb76')
    w = np.loadtxt(os.path.join(atlas, 'weights.txt'))
    lengths = np.loadtxt(os.path.join(atlas, 'tract_lengths.txt'))
    idelay = np.rint(lengths / SPEED / DT).astype(int)
    x0 = np.random.default_rng(SEED).uniform(-0.5, 0.5, size=(2, w.shape[0]))
    here = os.path.dirname(os.path.abspath(__file__))
    np.save(os.path.join(here, 'suphopf_x0.npy'), x0)
    runs = {}
    for method in ('euler', 'heun', 'rk4'):
        runs[method] = run(method, w, idelay, x0)
        np.save(os.path.join(here, f'suphopf_{method}.npy'), runs[method])
    spread = {f'{p}_vs_{q}': float(np.abs(runs[p] - runs[q]).max())
              for p, q in (('euler', 'heun'), ('heun', 'rk4'), ('euler', 'rk4'))}
    meta = {
        'generator': 'gen_suphopf_integrators.py (NumPy ' + np.__version__ + ', float64)',
        'atlas': 'shared/data/atlases/tvb76 (weights.txt as is, tract_lengths.txt in mm)',
        'model': 'SupHopf: dx = (a - x^2 - y^2) x - omega y + c0; dy = (a - x^2 - y^2) y + omega x + c1',
        'parameters': {'a': A, 'omega': OMEGA},
        'coupling': {'kind': 'linear', 'a': A_C, 'b': 0.0, 'of': ['x', 'y']},
        'speed_mm_per_ms': SPEED, 'dt_ms': DT, 'steps': STEPS,
        'delays': 'rint(tract_length / speed / dt), half to even',
        'initial': 'constant history x0 = suphopf_x0.npy (uniform in [-0.5, 0.5], seed %d)' % SEED,
        'rows': 'state (x, y) x 76 regions after steps %d, %d, ..., %d' % (EVERY, 2 * EVERY, STEPS),
        'max_abs_difference_between_integrators': spread,
    }
    with open(os.path.join(here, 'suphopf.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    print(json.dumps(spread))


if __name__ == '__main__':
    main()
