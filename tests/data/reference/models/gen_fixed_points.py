#!/usr/bin/python3
"""Fixed points and their eigenvalues of two region models, found by SciPy
(scipy.optimize.fsolve from a 25 x 25 grid of starts over twice the
states' ranges) on the right-hand sides gen_region_models.py writes from
TVB's documented equations (never from libdtb), with the Jacobian by
central differences (h = 1e-6, Richardson-extrapolated) and numpy's
eigenvalues. For several parameter sets each. Writes fixed_points.csv for
tests/dynamics/test_dynamics_scipy.c:

  model,set,x0,x1,re1,im1,re2,im2

set: "NAME=VALUE;NAME=VALUE" changes from TVB's defaults (empty: defaults);
eigenvalues sorted by decreasing real part, then decreasing imaginary
part; rows of one model and set sorted by x0."""
import os

import numpy as np
from scipy.optimize import fsolve

from gen_region_models import g2d, wilson_cowan, CASES

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULTS = {name: defaults for name, _f, defaults, _set, _start in CASES}
BOXES = {"wilson_cowan": [(-0.5, 1.5), (-0.5, 1.5)], "generic_2d_oscillator": [(-5.0, 7.0), (-12.0, 12.0)]}
SETS = [
    ("generic_2d_oscillator", g2d, {}),
    ("generic_2d_oscillator", g2d, {"a": -0.5}),
    ("generic_2d_oscillator", g2d, {"I": 1.5, "b": -4.0}),
    ("wilson_cowan", wilson_cowan, {}),
    ("wilson_cowan", wilson_cowan, {"P": 1.0}),
    ("wilson_cowan", wilson_cowan, {"c_ee": 16.0, "Q": 0.5}),
]


def jacobian(f, x):
    n = len(x)
    J = np.zeros((n, n))
    for j in range(n):
        def d(h):
            xp, xm = np.array(x, float), np.array(x, float)
            xp[j] += h
            xm[j] -= h
            return (np.array(f(0, xp)) - np.array(f(0, xm))) / (2 * h)
        h = 1e-4 * max(1.0, abs(x[j]))
        J[:, j] = (4 * d(h / 2) - d(h)) / 3
    return J


def roots(f, box):
    found = []
    for a in np.linspace(box[0][0], box[0][1], 25):
        for b in np.linspace(box[1][0], box[1][1], 25):
            try:
                x, info, ier, _msg = fsolve(lambda y: f(0, y), [a, b], full_output=True, xtol=1e-14)
            except OverflowError:   # a start far out in a sigmoid's tail
                continue
            if ier != 1 or np.max(np.abs(f(0, x))) > 1e-12:
                continue
            if not any(np.max(np.abs(x - y)) < 1e-7 for y in found):
                found.append(x)
    return sorted(found, key=lambda y: y[0])


def main():
    rows = ["model,set,x0,x1,re1,im1,re2,im2"]
    for name, make, change in SETS:
        p = dict(DEFAULTS[name])
        p.update(change)
        f = make(p)
        for x in roots(f, BOXES[name]):
            ev = np.linalg.eigvals(jacobian(f, x))
            ev = sorted(ev, key=lambda z: (-z.real, -z.imag))
            tag = ";".join("%s=%r" % kv for kv in sorted(change.items()))
            rows.append("%s,%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g" % (
                name, tag, x[0], x[1], ev[0].real, ev[0].imag, ev[1].real, ev[1].imag))
            print(rows[-1])
    with open(os.path.join(HERE, "fixed_points.csv"), "w") as out:
        out.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
