#!/usr/bin/python3
"""The Epileptor family: one uncoupled node each, integrated by SciPy
(DOP853, rtol = atol = 1e-12; see scipy_cases.py) from the equations of
Jirsa et al. 2014 (Brain 137:2210) as TVB's classes (tvb/simulator/models/
epileptor.py, epileptor_rs.py) write them, with TVB's defaults. Time in ms.

  epileptor   x1' = tt (y1 - z + Iext + f1 x1),
                f1 = -a x1^2 + b x1               (x1 < 0)
                f1 = slope - x2 + 0.6 (z - 4)^2   (x1 >= 0)
              y1' = tt (c - d x1^2 - y1)
              z'  = tt r (4 (x1 - x0) - z + h7),  h7 = -0.1 z^7 if z < 0 else 0
                    (modification = 0: the linear drive; s is not used)
              x2' = tt (-y2 + x2 - x2^3 + Iext2 + bb g - 0.3 (z - 3.5))
              y2' = tt (-y2 + f2) / tau,  f2 = 0 (x2 < -0.25), aa (x2 + 0.25) else
              g'  = tt (-0.01 (g - 0.1 x1))
  epileptor_2d
              Proix et al. 2014, the fast subsystem's y1 eliminated:
              x1' = tt (c - z + Iext - f x1),
                f = a x1^2 + (d - b) x1                 (x1 < 0)
                f = -slope - 0.6 (z - 4)^2 + d x1        (x1 >= 0)
              z'  = tt r (4 (x1 - x0) - z + h7)
  epileptor_resting_state
              Courtiol et al. 2020: the Epileptor above plus a generic 2-D
              oscillator (no linear term in x_rs, no V^2 term in y_rs):
              x_rs' = d_rs tau_rs (alpha_rs y_rs - f_rs x_rs^3 + e_rs x_rs^2
                                   + gamma_rs I_rs)
              y_rs' = d_rs (a_rs + b_rs x_rs - beta_rs y_rs) / tau_rs

The piecewise terms switch inside the runs (x1 crosses 0 in seizures, x2
crosses -0.25); DOP853 steps across the kinks at its tolerance, libdtb's
fixed-step RK4 loses an order at each crossing: the C test's bound
allows for that. Writes <model>.csv and epileptors.json beside this script."""
import os

import scipy_cases

EPI = dict(a=1.0, b=3.0, c=1.0, d=5.0, r=0.00035, s=4.0, x0=-1.6, Iext=3.1, slope=0.0,
           Iext2=0.45, tau=10.0, aa=6.0, bb=2.0, Kvf=0.0, Kf=0.0, Ks=0.0, tt=1.0,
           modification=0.0)


def h7(z):
    return -0.1 * z ** 7 if z < 0 else 0.0


def epileptor_rhs(p, y):
    x1, y1, z, x2, y2, g = y
    tt = p["tt"]
    f1 = -p["a"] * x1 * x1 + p["b"] * x1 if x1 < 0 else p["slope"] - x2 + 0.6 * (z - 4) ** 2
    f2 = 0.0 if x2 < -0.25 else p["aa"] * (x2 + 0.25)
    return [tt * (y1 - z + p["Iext"] + f1 * x1),
            tt * (p["c"] - p["d"] * x1 * x1 - y1),
            tt * p["r"] * (4 * (x1 - p["x0"]) - z + h7(z)),
            tt * (-y2 + x2 - x2 ** 3 + p["Iext2"] + p["bb"] * g - 0.3 * (z - 3.5)),
            tt * (-y2 + f2) / p["tau"],
            tt * (-0.01 * (g - 0.1 * x1))]


def epileptor(p):
    return lambda t, y: epileptor_rhs(p, y)


def epileptor_2d(p):
    def f(t, y):
        x1, z = y
        tt = p["tt"]
        if x1 < 0:
            fx = p["a"] * x1 * x1 + (p["d"] - p["b"]) * x1
        else:
            fx = -p["slope"] - 0.6 * (z - 4) ** 2 + p["d"] * x1
        return [tt * (p["c"] - z + p["Iext"] - fx * x1),
                tt * p["r"] * (4 * (x1 - p["x0"]) - z + h7(z))]
    return f


def epileptor_rs(p):
    def f(t, y):
        x_rs, y_rs = y[6], y[7]
        d, tau = p["d_rs"], p["tau_rs"]
        return epileptor_rhs(p, y[:6]) + [
            d * tau * (p["alpha_rs"] * y_rs - p["f_rs"] * x_rs ** 3 + p["e_rs"] * x_rs ** 2
                       + p["gamma_rs"] * p["I_rs"]),
            d * (p["a_rs"] + p["b_rs"] * x_rs - p["beta_rs"] * y_rs) / tau]
    return f


RS = dict(EPI, tau_rs=1.0, I_rs=0.0, a_rs=-2.0, b_rs=-10.0, d_rs=0.02, e_rs=3.0, f_rs=1.0,
          alpha_rs=1.0, beta_rs=1.0, gamma_rs=1.0, K_rs=1.0, p=0.0)

CASES = [
    dict(model="epileptor", f=epileptor, defaults=EPI, set=dict(),
         start=[-1.0, -5.0, 3.0, -0.8, 0.0, 0.0], t_end=2000.0, sample=1.0, max_step=0.1),
    dict(model="epileptor_2d", f=epileptor_2d,
         defaults={k: EPI[k] for k in ("a", "b", "c", "d", "r", "x0", "Iext", "slope", "Kvf",
                                        "Ks", "tt", "modification")},
         set=dict(), start=[-1.5, 2.9], t_end=2000.0, sample=1.0, max_step=0.1),
    # the Epileptor part interictal (x0 = -2.2: no seizure, a smooth
    # relaxation from the start) and the resting-state oscillator on its
    # limit cycle (a_rs = 2, TVB's generic oscillator "Table 1" note), so
    # that the part this model adds is measured, not the seizure's
    # sensitivity, which the epileptor case already covers
    dict(model="epileptor_resting_state", f=epileptor_rs, defaults=RS,
         set=dict(x0=-2.2, a_rs=2.0),
         start=[-1.5, -10.0, 4.0, -0.9, 0.3, 0.0, 1.0, -3.0], t_end=2000.0, sample=1.0,
         max_step=0.1),
]

if __name__ == "__main__":
    scipy_cases.write(CASES, "epileptors.json", os.path.dirname(os.path.abspath(__file__)))
