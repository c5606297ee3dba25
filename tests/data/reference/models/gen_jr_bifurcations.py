#!/usr/bin/python3
"""The folds and Hopf points of one Jansen-Rit column in its input mu, with
v0 = 6 mV (Grimbert & Faugeras 2006's setting), computed without any
continuation and without libdtb: at an equilibrium y3 = y4 = y5 = 0 and
every state follows from v = y1 - y2,
    y0 = A/a S(v),  y1 = A/a (mu + a_2 J S(a_1 J y0)),  y2 = B/b a_4 J S(a_3 J y0),
so the branch is mu(v) = a/A (v + B/b a_4 J S(a_3 J y0)) - a_2 J S(a_1 J y0), a
function of v. Folds are the zeros of dmu/dv (brentq on its central
difference); Hopf points are where the real part of the complex eigenvalue
pair nearest the imaginary axis of the Jacobian (6 x 6, central differences
on the equations of gen_neural_masses.py, numpy's eigenvalues) changes sign
(brentq). Writes jr_bifurcations.csv: kind,mu (1/ms), for
tests/dynamics/test_dynamics_scipy.c."""
import math
import os

import numpy as np
from scipy.optimize import brentq

from gen_neural_masses import JR, jansen_rit

HERE = os.path.dirname(os.path.abspath(__file__))
P = dict(JR, v0=6.0)


def S(v):
    return 2 * P["nu_max"] / (1 + math.exp(P["r"] * (P["v0"] - v)))


def state(v):
    A, B, a, b, J = P["A"], P["B"], P["a"], P["b"], P["J"]
    y0 = A / a * S(v)
    mu = a / A * (v + B / b * P["a_4"] * J * S(P["a_3"] * J * y0)) - P["a_2"] * J * S(P["a_1"] * J * y0)
    y2 = B / b * P["a_4"] * J * S(P["a_3"] * J * y0)
    return mu, [y0, v + y2, y2, 0.0, 0.0, 0.0]


def dmu(v, h=1e-6):
    return (state(v + h)[0] - state(v - h)[0]) / (2 * h)


def hopf_test(v):
    mu, y = state(v)
    f = jansen_rit(dict(P, mu=mu))
    J = np.zeros((6, 6))
    for j in range(6):
        h = 1e-6 * max(1.0, abs(y[j]))
        yp, ym = list(y), list(y)
        yp[j] += h
        ym[j] -= h
        J[:, j] = (np.array(f(0, yp)) - np.array(f(0, ym))) / (2 * h)
    ev = np.linalg.eigvals(J)
    pairs = [z for z in ev if z.imag > 1e-9]
    return min(pairs, key=lambda z: abs(z.real)).real if pairs else float("nan")


def main():
    vs = np.linspace(-5.0, 15.0, 4001)
    rows = []
    d = [dmu(v) for v in vs]
    h = [hopf_test(v) for v in vs]
    for i in range(len(vs) - 1):
        if d[i] * d[i + 1] < 0:
            v = brentq(dmu, vs[i], vs[i + 1], xtol=1e-13)
            rows.append(("fold", state(v)[0]))
        if np.isfinite(h[i]) and np.isfinite(h[i + 1]) and h[i] * h[i + 1] < 0:
            v = brentq(hopf_test, vs[i], vs[i + 1], xtol=1e-13)
            rows.append(("hopf", state(v)[0]))
    with open(os.path.join(HERE, "jr_bifurcations.csv"), "w") as out:
        out.write("kind,mu\n")
        for kind, mu in rows:
            out.write("%s,%.15g\n" % (kind, mu))
            print(kind, mu)


if __name__ == "__main__":
    main()
