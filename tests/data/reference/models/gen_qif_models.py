#!/usr/bin/python3
"""Quadratic integrate-and-fire mean fields (Ott-Antonsen / Montbrio-Pazo-
Roxin reductions): one uncoupled node each, integrated by SciPy (DOP853,
rtol = atol = 1e-12; see scipy_cases.py) from the equations of the papers
as TVB's classes (tvb/simulator/models/infinite_theta.py) write them. Time
in ms; r is the firing rate (kHz), V the mean potential.

  montbrio_pazo_roxin   Montbrio, Pazo, Roxin 2015 (Phys Rev X 5:021028), eq. 12:
                          tau r' = Delta / (pi tau) + 2 r V
                          tau V' = V^2 + eta + J tau r + I - (pi tau r)^2
  coombes_byrne         Coombes & Byrne 2019, QIF with a conductance-based alpha
                        synapse (tau = 1):
                          r' = Delta / pi + 2 r V - g r
                          V' = V^2 + eta - pi^2 r^2 + (v_syn - V) g
                          g' = alpha q,  q' = alpha (k pi r - g - 2 q)
                        (the shunting term g(v_syn - V) adds -g r to r'; TVB's
                        docstring writes "- g r^2", its code -g r, as the
                        reduction gives)
  coombes_byrne_2d      the same with the synapse instantaneous, g = k pi r
  dumont_gutkin         Dumont & Gutkin 2019, E and I QIF populations with
                        first-order synapses s_ab (tau_s), TVB's form:
                          tau_a r_a' = Delta_a / (pi tau_a) + 2 r_a V_a
                          tau_a V_a' = V_a^2 + eta_a + I_a - (pi tau_a r_a)^2
                                       + tau_a (s_aE - s_aI)
                          tau_s s_ab' = -s_ab + J_ab r_b
  gast_schmidt_knosche_sd / _sf
                        Gast, Schmidt, Knosche 2020: MPR with an adaptation A
                        filtered twice (alpha kernel, tau_A):
                          tau_A A' = B,  tau_A B' = alpha r - A - 2 B
                        SD (synaptic depression): J tau r (1 - A) in V';
                        SF (spike-frequency adaptation): J tau r - A in V'

r >= 0 is a state bound in TVB and libdtb; in every case here r' > 0 at
r = 0 (Delta > 0), so the bound is never reached.
Writes <model>.csv and qif_models.json beside this script."""
import math
import os

import scipy_cases

PI = math.pi


def mpr(p):
    def f(t, y):
        r, V = y
        tau = p["tau"]
        return [(p["Delta"] / (PI * tau) + 2 * r * V) / tau,
                (V * V + p["eta"] + p["J"] * tau * r + p["I"] - (PI * tau * r) ** 2) / tau]
    return f


def coombes_byrne(p):
    def f(t, y):
        r, V, g, q = y
        return [p["Delta"] / PI + 2 * r * V - g * r,
                V * V + p["eta"] - PI * PI * r * r + (p["v_syn"] - V) * g,
                p["alpha"] * q,
                p["alpha"] * (p["k"] * PI * r - g - 2 * q)]
    return f


def coombes_byrne_2d(p):
    def f(t, y):
        r, V = y
        g = p["k"] * PI * r
        return [p["Delta"] / PI + 2 * r * V - g * r,
                V * V + p["eta"] - PI * PI * r * r + (p["v_syn"] - V) * g]
    return f


def dumont_gutkin(p):
    def pop(r, V, s_exc, s_inh, a):
        tau = p["tau_" + a]
        return [(p["Delta_" + a] / (PI * tau) + 2 * r * V) / tau,
                (V * V + p["eta_" + a] + p["I_" + a] - (PI * tau * r) ** 2
                 + tau * (s_exc - s_inh)) / tau]

    def f(t, y):
        r_e, V_e, s_ee, s_ei, r_i, V_i, s_ie, s_ii = y
        ts = p["tau_s"]
        e = pop(r_e, V_e, s_ee, s_ei, "e")
        i = pop(r_i, V_i, s_ie, s_ii, "i")
        return [e[0], e[1], (-s_ee + p["J_ee"] * r_e) / ts, (-s_ei + p["J_ei"] * r_i) / ts,
                i[0], i[1], (-s_ie + p["J_ie"] * r_e) / ts, (-s_ii + p["J_ii"] * r_i) / ts]
    return f


def gsk(depression):
    def make(p):
        def f(t, y):
            r, V, A, B = y
            tau = p["tau"]
            rec = p["J"] * tau * r * (1 - A) if depression else p["J"] * tau * r - A
            return [(p["Delta"] / (PI * tau) + 2 * r * V) / tau,
                    (V * V + p["eta"] + rec + p["I"] - (PI * tau * r) ** 2) / tau,
                    B / p["tau_A"],
                    (p["alpha"] * r - A - 2 * B) / p["tau_A"]]
        return f
    return make


MPR = dict(tau=1.0, I=0.0, Delta=1.0, J=15.0, eta=-5.0, Gamma=0.0, cr=1.0, cv=0.0)
GSK = dict(tau=1.0, tau_A=10.0, I=0.0, Delta=2.0, J=21.2132, cr=1.0, cv=0.0)

CASES = [
    # TVB's defaults are bistable; from this start the node spirals into
    # the high-activity focus (r ~ 1.03) over ~30 ms
    dict(model="montbrio_pazo_roxin", f=mpr, defaults=MPR, set=dict(), start=[1.0, 0.5],
         t_end=50.0, sample=0.05),
    # TVB's defaults: a limit cycle of period ~2 ms
    dict(model="coombes_byrne", f=coombes_byrne,
         defaults=dict(Delta=0.5, alpha=0.95, v_syn=-10.0, k=1.0, eta=20.0), set=dict(),
         start=[1.0, 0.0, 1.5, 0.0], t_end=100.0, sample=0.1),
    dict(model="coombes_byrne_2d", f=coombes_byrne_2d,
         defaults=dict(Delta=1.0, v_syn=-4.0, k=1.0, eta=2.0), set=dict(),
         start=[0.1, -2.0], t_end=20.0, sample=0.02),   # at rest after ~10 ms
    dict(model="dumont_gutkin", f=dumont_gutkin,
         defaults=dict(I_e=0.0, Delta_e=1.0, eta_e=-5.0, tau_e=10.0, I_i=0.0, Delta_i=1.0,
                       eta_i=-5.0, tau_i=10.0, tau_s=1.0, J_ee=0.0, J_ei=10.0, J_ie=0.0,
                       J_ii=15.0, Gamma=5.0),
         set=dict(), start=[0.05, -2.0, 0.3, 0.5, 0.05, -1.0, 0.2, 0.3]),
    dict(model="gast_schmidt_knosche_sd", f=gsk(True), defaults=dict(GSK, alpha=0.5, eta=-6.0),
         set=dict(), start=[1.0, -1.0, 0.0, 0.0], t_end=200.0, sample=0.2),
    # TVB's defaults: bursts every ~22 ms
    dict(model="gast_schmidt_knosche_sf", f=gsk(False), defaults=dict(GSK, alpha=10.0, eta=1.0),
         set=dict(), start=[0.5, -1.0, 0.0, 0.0], t_end=200.0, sample=0.2),
]

if __name__ == "__main__":
    scipy_cases.write(CASES, "qif_models.json", os.path.dirname(os.path.abspath(__file__)))
