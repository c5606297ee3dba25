#!/usr/bin/python3
"""Region models whose uncoupled node has a closed form: the closed form
is the reference (SciPy's DOP853 run of the same equations is only checked
against it, to 1e-8). Equations as TVB's model classes document them
(time in ms, no coupling):

  linear            dx/dt = gamma x + c0 (TVB Linear)        x = x0 exp(gamma t)
  kuramoto          dtheta/dt = omega + c0 (TVB Kuramoto;    theta = theta0 + omega t
                    TVB-CONVENTIONS.md §5, not wrapped)
  hopfield          TVB Hopfield, dynamic = False: dx/dt = (-x + c0) / taux;
                    TVB's dfun returns dx for theta as well ("returns dx twice
                    to be compatible with dfunDyn"), so theta moves with x:
                    x = x0 exp(-t / taux), theta = theta0 + x - x0
  dynamic_hopfield  TVB Hopfield, dynamic = True: dx/dt = (-x + c0) / taux,
                    dtheta/dt = (-theta + c1) / tauT (Golos et al. 2015):
                    x = x0 exp(-t / taux), theta = theta0 exp(-t / tauT)

Parameters chosen so that 300 ms shows the decay (TVB's linear gamma = -10
per ms and Hopfield's taux = 1 ms would be at zero within a few ms).
Writes <model>.csv and closed_forms.json beside this script."""
import os

import numpy as np

import scipy_cases


def linear(p):
    return lambda t, y: [p["gamma"] * y[0]]


def kuramoto(p):
    return lambda t, y: [p["omega"]]


def hopfield(p):
    def f(t, y):
        dx = -y[0] / p["taux"]
        return [dx, dx]
    return f


def dynamic_hopfield(p):
    return lambda t, y: [-y[0] / p["taux"], -y[1] / p["tauT"]]


CASES = [
    dict(model="linear", f=linear, defaults=dict(gamma=-10.0), set=dict(gamma=-0.01),
         start=[1.5], exact=lambda p, t: np.stack([1.5 * np.exp(p["gamma"] * t)], axis=1)),
    dict(model="kuramoto", f=kuramoto, defaults=dict(omega=1.0), set=dict(), start=[0.3],
         exact=lambda p, t: np.stack([0.3 + p["omega"] * t], axis=1)),
    dict(model="hopfield", f=hopfield, defaults=dict(taux=1.0, tauT=5.0), set=dict(taux=40.0),
         start=[0.8, 0.2],
         exact=lambda p, t: np.stack([0.8 * np.exp(-t / p["taux"]),
                                      0.2 + 0.8 * np.exp(-t / p["taux"]) - 0.8], axis=1)),
    dict(model="dynamic_hopfield", f=dynamic_hopfield, defaults=dict(taux=1.0, tauT=5.0),
         set=dict(taux=40.0, tauT=100.0), start=[0.8, 0.6],
         exact=lambda p, t: np.stack([0.8 * np.exp(-t / p["taux"]),
                                      0.6 * np.exp(-t / p["tauT"])], axis=1)),
]

if __name__ == "__main__":
    scipy_cases.write(CASES, "closed_forms.json", os.path.dirname(os.path.abspath(__file__)))
