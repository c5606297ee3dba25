#!/usr/bin/python3
"""Single uncoupled nodes of region models, integrated by SciPy (DOP853,
rtol = atol = 1e-12) from the equations of TVB's model classes as
../../../../../shared/reference/TVB-CONVENTIONS.md §5 writes them (and the
papers they cite), never from libdtb's descriptors, never by libdtb.
Time in ms (TVB's unit); no coupling (c0 = c1 = 0); the state every 1 ms
for 300 ms. Writes region_models.json beside this script: per case the
model, its parameters (only those that differ from TVB's defaults are
listed in "set"; the equations below use every value), the start, the
times and the states; and the largest difference from a second run at
rtol = atol = 1e-10 (the reference's own error bound). The same, one file
per model, as <model>.csv for the C test (tests/model/test_models_scipy.c).

Cases:
  generic_2d_oscillator  TVB's docstring "Table 4" set (~10 Hz limit cycle)
  wilson_cowan           Sanz-Leon et al. 2014 "Table 1" set (~20 Hz)
  sup_hopf               a = 1, omega = 1: the normal form's limit cycle; here the
                         reference is the closed form (r^2(t) = a / (1 + (a / r0^2 - 1)
                         exp(-2 a t)), phase theta0 + omega t), and the DOP853 run
                         is only checked against it
  reduced_wong_wang      TVB's defaults: relaxes to its fixed point
"""
import json
import math
import os

import numpy as np
from scipy.integrate import solve_ivp

T_END = 300.0
T = np.arange(0.0, T_END + 0.5, 1.0)


def g2d(p):
    def f(t, y):
        V, W = y
        dV = p["d"] * p["tau"] * (p["alpha"] * W - p["f"] * V ** 3 + p["e"] * V ** 2 + p["g"] * V
                                  + p["gamma"] * p["I"])
        dW = p["d"] * (p["a"] + p["b"] * V + p["c"] * V ** 2 - p["beta"] * W) / p["tau"]
        return [dV, dW]
    return f


def wilson_cowan(p):
    def sig(x, a, b, c, shift):
        s = c / (1 + math.exp(-a * (x - b)))
        return s - c / (1 + math.exp(a * b)) if shift else s

    def f(t, y):
        E, I = y
        xe = p["alpha_e"] * (p["c_ee"] * E - p["c_ei"] * I + p["P"] - p["theta_e"])
        xi = p["alpha_i"] * (p["c_ie"] * E - p["c_ii"] * I + p["Q"] - p["theta_i"])
        se = sig(xe, p["a_e"], p["b_e"], p["c_e"], p["shift_sigmoid"])
        si = sig(xi, p["a_i"], p["b_i"], p["c_i"], p["shift_sigmoid"])
        return [(-E + (p["k_e"] - p["r_e"] * E) * se) / p["tau_e"],
                (-I + (p["k_i"] - p["r_i"] * I) * si) / p["tau_i"]]
    return f


def sup_hopf(p):
    def f(t, y):
        x, v = y
        r2 = x * x + v * v
        return [(p["a"] - r2) * x - p["omega"] * v, (p["a"] - r2) * v + p["omega"] * x]
    return f


def rww(p):
    def f(t, y):
        S = y[0]
        x = p["w"] * p["J_N"] * S + p["I_o"]
        u = p["a"] * x - p["b"]
        H = u / (1 - math.exp(-p["d"] * u))
        return [-S / p["tau_s"] + (1 - S) * H * p["gamma"]]
    return f


CASES = [
    ("generic_2d_oscillator", g2d,
     dict(tau=1.0, I=0.0, a=-2.0, b=-10.0, c=0.0, d=0.02, e=3.0, f=1.0, g=0.0, alpha=1.0, beta=1.0,
          gamma=1.0),
     dict(a=1.05, b=-1.0, c=0.0, d=0.1, I=0.0, alpha=1.0, beta=0.2, gamma=-1.0, e=0.0, g=1.0,
          f=1.0 / 3.0, tau=1.25),
     [0.5, -0.3]),
    ("wilson_cowan", wilson_cowan,
     dict(c_ee=12.0, c_ei=4.0, c_ie=13.0, c_ii=11.0, tau_e=10.0, tau_i=10.0, a_e=1.2, b_e=2.8,
          c_e=1.0, theta_e=0.0, a_i=1.0, b_i=4.0, theta_i=0.0, c_i=1.0, r_e=1.0, r_i=1.0, k_e=1.0,
          k_i=1.0, P=0.0, Q=0.0, alpha_e=1.0, alpha_i=1.0, shift_sigmoid=1.0),
     dict(k_e=1.0, k_i=1.0, r_e=0.0, r_i=0.0, tau_e=10.0, tau_i=10.0, c_ee=10.0, c_ei=6.0,
          c_ie=10.0, c_ii=1.0, a_e=1.0, a_i=1.0, b_e=0.0, b_i=0.0, theta_e=2.0, theta_i=3.5,
          alpha_e=1.2, alpha_i=2.0, P=0.5, Q=0.0, c_e=1.0, c_i=1.0, shift_sigmoid=0.0),
     [0.1, 0.05]),
    ("sup_hopf", sup_hopf, dict(a=-0.5, omega=1.0), dict(a=1.0, omega=1.0), [0.2, 0.1]),
    ("reduced_wong_wang", rww,
     dict(a=0.270, b=0.108, d=154.0, gamma=0.641, tau_s=100.0, w=0.6, J_N=0.2609, I_o=0.33),
     dict(), [0.05]),
]


def integrate(f, y0, tol):
    sol = solve_ivp(f, (0.0, T_END), y0, method="DOP853", rtol=tol, atol=tol, t_eval=T,
                    max_step=0.5)
    assert sol.success
    return sol.y.T


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = {"method": "scipy.integrate.solve_ivp DOP853, rtol = atol = 1e-12, max_step 0.5 ms",
           "time_unit": "ms", "coupling": "none (c0 = c1 = 0)", "t": T.tolist(), "cases": []}
    for name, make, defaults, changes, y0 in CASES:
        p = dict(defaults)
        p.update(changes)
        f = make(p)
        fine = integrate(f, y0, 1e-12)
        coarse = integrate(f, y0, 1e-10)
        if name == "sup_hopf":
            a, w = p["a"], p["omega"]
            r0 = math.hypot(*y0)
            r = np.sqrt(a / (1 + (a / r0 ** 2 - 1) * np.exp(-2 * a * T)))
            th = math.atan2(y0[1], y0[0]) + w * T
            exact = np.stack([r * np.cos(th), r * np.sin(th)], axis=1)
            print("sup_hopf: DOP853 vs closed form", float(np.max(np.abs(fine - exact))))
            assert np.max(np.abs(fine - exact)) < 1e-8
            coarse, fine = fine, exact
        scale = max(1e-300, float(np.max(np.abs(fine))))
        out["cases"].append({"model": name, "set": changes, "parameters": p, "start": y0,
                             "states": fine.tolist(),
                             "self_check_max_rel_diff": float(np.max(np.abs(fine - coarse))) / scale})
        print(name, "range", fine.min(axis=0), fine.max(axis=0), "self-check",
              out["cases"][-1]["self_check_max_rel_diff"])
    with open(os.path.join(here, "region_models.json"), "w") as fo:
        json.dump(out, fo, indent=0)
    # the same for the C test: <model>.csv with "# set NAME VALUE" and
    # "# start X..." lines, then t_ms and the states, one row per ms
    for c in out["cases"]:
        with open(os.path.join(here, c["model"] + ".csv"), "w") as fo:
            for k, v in c["set"].items():
                fo.write("# set %s %.17g\n" % (k, v))
            fo.write("# start %s\n" % " ".join("%.17g" % v for v in c["start"]))
            for t, row in zip(out["t"], c["states"]):
                fo.write("%.17g,%s\n" % (t, ",".join("%.17g" % v for v in row)))


if __name__ == "__main__":
    main()
