#!/usr/bin/python3
"""Occupancies of the three-state kinetic scheme of ks_clamp.xml (c1 <-> c2
<-> o, NeuroML vHalfTransition rates, all in c1 at t = 0) under the voltage
clamp v(t) = v0 + amp sin(2 pi 0.1/ms t), solved with SciPy's solve_ivp
(DOP853, rtol 1e-12, atol 1e-14) from the equations of the NeuroML
specification written out here, not from libdtb:
    rf0 = exp(z gamma (v - vHalf) / kte) / tau,  rr0 = exp(-z (1 - gamma) (v - vHalf) / kte) / tau,
    rf = 1 / (1/rf0 + tauMin),  rr = 1 / (1/rr0 + tauMin),  kte = 25.3 mV,
    flux_e = rf_e p_from - rr_e p_to;  dp_from/dt -= flux_e, dp_to/dt += flux_e.
Writes ks_reference.csv: case,t (s),c1,c2,o every 0.5 ms for 20 ms, for
the cases 'clamp' (v0 = -20 mV, amp = 0) and 'sine' (v0 = -20 mV,
amp = 20 mV), for tests/lems_run/test_lems_kinetic.c."""
import math
import os

import numpy as np
from scipy.integrate import solve_ivp

HERE = os.path.dirname(os.path.abspath(__file__))
KTE = 25.3e-3
EDGES = [  # from, to, vHalf, z, gamma, tau, tauMin (SI)
    (0, 1, -30e-3, 1.5, 0.75, 3.2e-3, 0.3e-3),
    (1, 2, -10e-3, 2.0, 0.5, 1e-3, 0.2e-3),
]


def rates(v, vhalf, z, gamma, tau, tau_min):
    rf0 = math.exp(z * gamma * (v - vhalf) / KTE) / tau
    rr0 = math.exp(-z * (1 - gamma) * (v - vhalf) / KTE) / tau
    return 1 / (1 / rf0 + tau_min), 1 / (1 / rr0 + tau_min)


def rhs(t, p, v0, amp):
    v = v0 + amp * math.sin(2 * math.pi * 100.0 * t)
    d = np.zeros(3)
    for i, j, *e in EDGES:
        rf, rr = rates(v, *e)
        flux = rf * p[i] - rr * p[j]
        d[i] -= flux
        d[j] += flux
    return d


def main():
    times = np.arange(41) * 0.5e-3
    with open(os.path.join(HERE, "ks_reference.csv"), "w") as f:
        f.write("# written by gen_ks_reference.py (SciPy solve_ivp DOP853, rtol 1e-12)\n")
        f.write("case,t,c1,c2,o\n")
        for case, amp in (("clamp", 0.0), ("sine", 20e-3)):
            sol = solve_ivp(rhs, (0, times[-1]), [1.0, 0.0, 0.0], method="DOP853", t_eval=times,
                            rtol=1e-12, atol=1e-14, args=(-20e-3, amp))
            assert sol.success
            for k, t in enumerate(sol.t):
                f.write("%s,%.6g,%.17g,%.17g,%.17g\n" % (case, t, *sol.y[:, k]))


if __name__ == "__main__":
    main()
