#!/usr/bin/python3
"""One Traub-Miles cell (Traub & Miles 1991, as benchmark 3 of Brette et al.
2007, J Comput Neurosci 23:349-398, and Brian2's COBAHH example) under a
current step, integrated by SciPy (DOP853, rtol = atol = 1e-11, max_step
0.02 ms) from the equations of the paper, never by libdtb. Spikes are upward
crossings of -20 mV located by solve_ivp's event root finding.

Units: mV, ms, nF, uS, nA (uS * mV = nA, nA / nF = mV/ms).
    C dV/dt = g_L (E_L - V) + g_Na m^3 h (E_Na - V) + g_K n^4 (E_K - V) + I(t)
    dx/dt = alpha_x (1 - x) - beta_x x,  x = m, h, n,  u = V - V_T:
    alpha_m = 0.32 (13 - u) / (exp((13 - u) / 4) - 1)
    beta_m  = 0.28 (u - 40) / (exp((u - 40) / 5) - 1)
    alpha_h = 0.128 exp((17 - u) / 18)
    beta_h  = 4 / (1 + exp((40 - u) / 5))
    alpha_n = 0.032 (15 - u) / (exp((15 - u) / 5) - 1)
    beta_n  = 0.5 exp((10 - u) / 40)
Parameters of a 20 000 um^2 patch: C 0.2 nF, g_L 0.01 uS, E_L -60 mV,
g_Na 20 uS, E_Na 50 mV, g_K 6 uS, E_K -90 mV, V_T -63 mV.
Start: V = -60 mV, each gate at its steady state there. I = 0 before 20 ms,
0.2 nA from 20 ms to 220 ms, 0 after; 300 ms. Writes traub_miles.json
beside this script: the parameters, the start, and the spike times (ms),
and the same repeated at rtol = atol = 1e-9 (their largest difference is
the reference's own error bound); and the spike times alone, one per line
after a header, in traub_miles_spikes.csv (what the test reads)."""
import json
import math
import os

import numpy as np
from scipy.integrate import solve_ivp

P = dict(C=0.2, g_L=0.01, E_L=-60.0, g_Na=20.0, E_Na=50.0, g_K=6.0, E_K=-90.0, V_T=-63.0)
STEP = dict(t_on=20.0, t_off=220.0, amplitude=0.2)
T_END = 300.0
V_SPIKE = -20.0


def xm1(x):
    """x / (exp(x) - 1), continuous at 0."""
    return 1.0 - 0.5 * x if abs(x) < 1e-7 else x / math.expm1(x)


def rates(v):
    u = v - P["V_T"]
    am = 0.32 * 4.0 * xm1((13.0 - u) / 4.0)
    bm = 0.28 * 5.0 * xm1((u - 40.0) / 5.0)
    ah = 0.128 * math.exp((17.0 - u) / 18.0)
    bh = 4.0 / (1.0 + math.exp((40.0 - u) / 5.0))
    an = 0.032 * 5.0 * xm1((15.0 - u) / 5.0)
    bn = 0.5 * math.exp((10.0 - u) / 40.0)
    return am, bm, ah, bh, an, bn


def current(t):
    return STEP["amplitude"] if STEP["t_on"] <= t < STEP["t_off"] else 0.0


def rhs(t, y):
    v, m, h, n = y
    am, bm, ah, bh, an, bn = rates(v)
    i_ion = (P["g_L"] * (P["E_L"] - v) + P["g_Na"] * m ** 3 * h * (P["E_Na"] - v)
             + P["g_K"] * n ** 4 * (P["E_K"] - v))
    return [(i_ion + current(t)) / P["C"], am * (1 - m) - bm * m, ah * (1 - h) - bh * h,
            an * (1 - n) - bn * n]


def crossing(t, y):
    return y[0] - V_SPIKE


crossing.direction = 1.0


def start():
    am, bm, ah, bh, an, bn = rates(P["E_L"])
    return [P["E_L"], am / (am + bm), ah / (ah + bh), an / (an + bn)]


def spikes(tol):
    out = []
    y0 = start()
    # the current's jumps are integration boundaries
    edges = [0.0, STEP["t_on"], STEP["t_off"], T_END]
    for a, b in zip(edges[:-1], edges[1:]):
        mid = 0.5 * (a + b)
        sol = solve_ivp(lambda t, y: rhs(mid if t == b else t, y), (a, b), y0, method="DOP853",
                        rtol=tol, atol=tol, max_step=0.02, events=crossing)
        out.extend(float(t) for t in sol.t_events[0])
        y0 = sol.y[:, -1]
    return out


def main():
    fine = spikes(1e-11)
    coarse = spikes(1e-9)
    assert len(fine) == len(coarse)
    here = os.path.dirname(os.path.abspath(__file__))
    doc = {
        "model": "traub_miles (Traub & Miles 1991; Brette et al. 2007 benchmark 3)",
        "units": "mV, ms, nF, uS, nA",
        "parameters": P,
        "start": dict(zip(["V", "m", "h", "n"], start())),
        "stimulus": STEP,
        "duration_ms": T_END,
        "spike": "upward crossing of %g mV, located by event root finding" % V_SPIKE,
        "method": "scipy.integrate.solve_ivp DOP853, rtol = atol = 1e-11, max_step 0.02 ms",
        "spike_times_ms": fine,
        "max_diff_vs_rtol_1e-9_ms": max(abs(a - b) for a, b in zip(fine, coarse)),
    }
    with open(os.path.join(here, "traub_miles.json"), "w") as f:
        json.dump(doc, f, indent=1)
    with open(os.path.join(here, "traub_miles_spikes.csv"), "w") as f:
        f.write("t_ms\n")
        for t in fine:
            f.write("%.12f\n" % t)
    print(len(fine), "spikes", fine[:3], "...", "self-check", doc["max_diff_vs_rtol_1e-9_ms"])


if __name__ == "__main__":
    main()
