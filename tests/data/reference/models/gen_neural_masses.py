#!/usr/bin/python3
"""Neural masses and conductance-based mean fields: one uncoupled node
each, integrated by SciPy (DOP853, rtol = atol = 1e-12; see scipy_cases.py)
from the equations of the papers as TVB's classes write them, TVB's
defaults unless a case says otherwise. Time in ms; no coupling (c0 = 0).

  jansen_rit   Jansen & Rit 1995 as TVB-CONVENTIONS.md §5 (TVB JansenRit):
                 S(v) = 2 nu_max / (1 + exp(r (v0 - v)))
                 y0' = y3, y1' = y4, y2' = y5
                 y3' = A a S(y1 - y2) - 2 a y3 - a^2 y0
                 y4' = A a (mu + a_2 J S(a_1 J y0)) - 2 a y4 - a^2 y1
                 y5' = B b a_4 J S(a_3 J y0) - 2 b y5 - b^2 y2
  zetterberg_jansen
               Zetterberg et al. 1978 in TVB's form (jansen_rit.py,
               ZetterbergJansen): second-order synaptic kernels,
                 sigma(v) = 2 e0 / (1 + exp(rho_1 (rho_2 - v)))
                 u = sigma(c0) = sigma(0): TVB passes the (here zero)
                     coupling through the sigmoid, so an unconnected node
                     still gets sigma(0) added to U, P and Q
                 v1'' = He ke (g1 sigma(v2 - v3) + g1T (U + u)) - 2 ke v1' - ke^2 v1
                 v2'' = He ke (g2 sigma(v1) + g2T (P + u))      - 2 ke v2' - ke^2 v2
                 v3'' = Hi ki g4 sigma(v4 - v5)                 - 2 ki v3' - ki^2 v3
                 v4'' = He ke (g3 sigma(v2 - v3) + g3T (Q + u)) - 2 ke v4' - ke^2 v4
                 v5'' = Hi ki g5 sigma(v4 - v5)                 - 2 ki v5' - KE^2 v5
                 v6' = y2 - y3, v7' = y4 - y5
               (TVB's code has ke^2, not ki^2, in the last kernel: a slip
               against the paper's inhibitory kernel that libdtb copies for
               compatibility -- the reference follows TVB, and says so)
  larter_breakspear
               Breakspear, Terry & Friston 2003 as TVB writes it
               (larter_breakspear.py, with the sign of a_ie Z Q_Z corrected
               as TVB's docstring notes), C the share of coupling:
                 m_ion = (1 + tanh((V - T_ion) / d_ion)) / 2, ion = Ca, Na, K
                 QV = QV_max (1 + tanh((V - VT) / d_V)) / 2, QZ likewise in Z
                 V' = t_scale (-(gCa + (1 - C) rNMDA aee QV) m_Ca (V - VCa)
                               - gK W (V - VK) - gL (V - VL)
                               - (gNa m_Na + (1 - C) aee QV) (V - VNa)
                               - aie Z QZ + ane Iext)
                 W' = t_scale phi (m_K - W) / tau_K
                 Z' = t_scale b (ani Iext + aei V QV)
  k_ion_ex     Bandyopadhyay, Rabuffo et al. 2021 (TVB KIonEx): a QIF-like
               mean field on two parabolas (left of Vstar: R_minus, c_minus;
               right: R_plus, c_plus) with Hodgkin-Huxley currents driven by
               the potassium and sodium concentrations; the constants of the
               paper (g_Cl 7.5, g_Na 40, g_K 22, g_Nal 0.02, g_Kl 0.12 nS,
               rho 250 pA, w_i 2160, w_o 720 um^3, Na_i0 16, Na_o0 138,
               K_i0 130, K_o0 4.8, Cl_i0 5, Cl_o0 112 mM, 26.64 mV = RT/F)
               are written out in k_ion_ex() below
  reduced_wong_wang_exc_inh
               Deco et al. 2014 (TVB ReducedWongWangExcInh):
                 x_e = w_p J_N S_e - J_i S_i + W_e I_o + I_ext (+ G J_N c0)
                 H_e = (a_e x_e - b_e) / (1 - exp(-d_e (a_e x_e - b_e)))
                 S_e' = -S_e / tau_e + (1 - S_e) H_e gamma_e
                 x_i = J_N S_e - S_i + W_i I_o (+ lamda G J_N c0)
                 H_i likewise with a_i, b_i, d_i
                 S_i' = -S_i / tau_i + H_i gamma_i      (no (1 - S_i) factor)
               S_e, S_i stay inside their [0, 1] bounds in this case.
  reduced_wong_wang_exc_inh_opendtb
               OpenDTB's (Xiong et al. 2023) copy of it: the same equations
               with no state bounds, started above S_e = 1.

Writes <model>.csv and neural_masses.json beside this script."""
import math
import os

import scipy_cases


def jansen_rit(p):
    def S(v):
        return 2 * p["nu_max"] / (1 + math.exp(p["r"] * (p["v0"] - v)))

    def f(t, y):
        y0, y1, y2, y3, y4, y5 = y
        a, b, J = p["a"], p["b"], p["J"]
        return [y3, y4, y5,
                p["A"] * a * S(y1 - y2) - 2 * a * y3 - a * a * y0,
                p["A"] * a * (p["mu"] + p["a_2"] * J * S(p["a_1"] * J * y0))
                - 2 * a * y4 - a * a * y1,
                p["B"] * b * p["a_4"] * J * S(p["a_3"] * J * y0) - 2 * b * y5 - b * b * y2]
    return f


def zetterberg_jansen(p):
    def sig(v):
        return 2 * p["e0"] / (1 + math.exp(p["rho_1"] * (p["rho_2"] - v)))

    def f(t, y):
        v1, y1, v2, y2, v3, y3, v4, y4, v5, y5, v6, v7 = y
        ke, ki = p["ke"], p["ki"]
        He, Hi = p["He"], p["Hi"]
        u = sig(0.0)
        return [y1, He * ke * (p["gamma_1"] * sig(v2 - v3) + p["gamma_1T"] * (p["U"] + u))
                - 2 * ke * y1 - ke * ke * v1,
                y2, He * ke * (p["gamma_2"] * sig(v1) + p["gamma_2T"] * (p["P"] + u))
                - 2 * ke * y2 - ke * ke * v2,
                y3, Hi * ki * p["gamma_4"] * sig(v4 - v5) - 2 * ki * y3 - ki * ki * v3,
                y4, He * ke * (p["gamma_3"] * sig(v2 - v3) + p["gamma_3T"] * (p["Q"] + u))
                - 2 * ke * y4 - ke * ke * v4,
                y5, Hi * ki * p["gamma_5"] * sig(v4 - v5) - 2 * ki * y5 - ke * ke * v5,
                y2 - y3, y4 - y5]
    return f


def larter_breakspear(p):
    def m(x, T, d):
        return 0.5 * (1 + math.tanh((x - T) / d))

    def f(t, y):
        V, W, Z = y
        QV = p["QV_max"] * m(V, p["VT"], p["d_V"])
        QZ = p["QZ_max"] * m(Z, p["ZT"], p["d_Z"])
        local = 1 - p["C"]
        dV = (-(p["gCa"] + local * p["rNMDA"] * p["aee"] * QV) * m(V, p["TCa"], p["d_Ca"])
              * (V - p["VCa"])
              - p["gK"] * W * (V - p["VK"]) - p["gL"] * (V - p["VL"])
              - (p["gNa"] * m(V, p["TNa"], p["d_Na"]) + local * p["aee"] * QV) * (V - p["VNa"])
              - p["aie"] * Z * QZ + p["ane"] * p["Iext"])
        dW = p["phi"] * (m(V, p["TK"], p["d_K"]) - W) / p["tau_K"]
        dZ = p["b"] * (p["ani"] * p["Iext"] + p["aei"] * V * QV)
        return [p["t_scale"] * dV, p["t_scale"] * dW, p["t_scale"] * dZ]
    return f


def k_ion_ex(p):
    g_Cl, g_Na, g_K, g_Nal, g_Kl = 7.5, 40.0, 22.0, 0.02, 0.12
    rho, w_i, w_o = 250.0, 2160.0, 720.0
    Na_i0, Na_o0, K_i0, K_o0, Cl_i0, Cl_o0 = 16.0, 138.0, 130.0, 4.8, 5.0, 112.0
    RT_F = 26.64
    beta = w_i / w_o

    def f(t, y):
        x, V, n, DKi, Kg = y
        # the potassium a cell loses (DKi < 0) is replaced by sodium, and the
        # extracellular changes are the intracellular ones scaled by the
        # volume ratio beta; Kg is the buffered (bath) part of K_o
        K_i = K_i0 + DKi
        Na_i = Na_i0 - DKi
        Na_o = Na_o0 + beta * DKi
        K_o = K_o0 - beta * DKi + Kg
        m_inf = 1 / (1 + math.exp((-24.0 - V) / 12.0))
        n_inf = 1 / (1 + math.exp((-19.0 - V) / 18.0))
        h = 1.1 - 1 / (1 + math.exp(-8.0 * (n - 0.4)))
        I_K = (g_Kl + g_K * n) * (V - RT_F * math.log(K_o / K_i))
        I_Na = (g_Nal + g_Na * m_inf * h) * (V - RT_F * math.log(Na_o / Na_i))
        I_Cl = g_Cl * (V + RT_F * math.log(Cl_o0 / Cl_i0))
        I_pump = rho / ((1 + math.exp((21.0 - Na_i) / 2.0)) * (1 + math.exp((5.5 - K_o) / 1.0)))
        r = p["R_minus"] * x / math.pi
        if V <= p["Vstar"]:
            R, c = p["R_minus"], p["c_minus"]
        else:
            R, c = p["R_plus"], p["c_plus"]
        return [p["Delta"] + 2 * R * (V - c) * x - p["J"] * r * x,
                -(I_Na + I_K + I_Cl + I_pump) / p["Cm"] - R * x * x + p["eta"],
                (n_inf - n) / p["tau_n"],
                -(p["gamma"] / w_i) * (I_K - 2 * I_pump),
                p["epsilon"] * (p["K_bath"] - K_o)]
    return f


def rww_exc_inh(p):
    def H(x, a, b, d):
        u = a * x - b
        return u / (1 - math.exp(-d * u))

    def f(t, y):
        S_e, S_i = y
        x_e = p["w_p"] * p["J_N"] * S_e - p["J_i"] * S_i + p["W_e"] * p["I_o"] + p["I_ext"]
        x_i = p["J_N"] * S_e - S_i + p["W_i"] * p["I_o"]
        return [-S_e / p["tau_e"] + (1 - S_e) * H(x_e, p["a_e"], p["b_e"], p["d_e"]) * p["gamma_e"],
                -S_i / p["tau_i"] + H(x_i, p["a_i"], p["b_i"], p["d_i"]) * p["gamma_i"]]
    return f


JR = dict(A=3.25, B=22.0, a=0.1, b=0.05, v0=5.52, nu_max=0.0025, r=0.56, J=135.0, a_1=1.0,
          a_2=0.8, a_3=0.25, a_4=0.25, p_min=0.12, p_max=0.32, mu=0.22)
ZJ = dict(He=3.25, Hi=22.0, ke=0.1, ki=0.05, e0=0.0025, rho_2=6.0, rho_1=0.56, gamma_1=135.0,
          gamma_2=108.0, gamma_3=33.75, gamma_4=33.75, gamma_5=15.0, gamma_1T=1.0, gamma_2T=1.0,
          gamma_3T=1.0, P=0.12, U=0.12, Q=0.12)
LB = dict(gCa=1.1, gK=2.0, gL=0.5, phi=0.7, gNa=6.7, TK=0.0, TCa=-0.01, TNa=0.3, VCa=1.0,
          VK=-0.7, VL=-0.5, VNa=0.53, d_K=0.3, tau_K=1.0, d_Na=0.15, d_Ca=0.15, aei=2.0, aie=2.0,
          b=0.1, C=0.1, ane=1.0, ani=0.4, aee=0.4, Iext=0.3, rNMDA=0.25, VT=0.0, d_V=0.65,
          ZT=0.0, d_Z=0.7, QV_max=1.0, QZ_max=1.0, t_scale=1.0)
KIONEX = dict(E=0.0, K_bath=5.5, J=0.1, eta=0.0, Delta=1.0, c_minus=-40.0, R_minus=0.5,
              c_plus=-20.0, R_plus=-0.5, Vstar=-31.0, Cm=1.0, tau_n=4.0, gamma=0.04,
              epsilon=0.001)
RWWEI = dict(a_e=310.0, b_e=125.0, d_e=0.16, gamma_e=0.000641, tau_e=100.0, w_p=1.4, J_N=0.15,
             W_e=1.0, a_i=615.0, b_i=177.0, d_i=0.087, gamma_i=0.001, tau_i=10.0, J_i=1.0,
             W_i=0.7, I_o=0.382, I_ext=0.0, G=2.0, lamda=0.0)

CASES = [
    # TVB's defaults: the ~6.8 Hz limit cycle, reached from near rest
    dict(model="jansen_rit", f=jansen_rit, defaults=JR, set=dict(),
         start=[0.1, 15.0, 10.0, 0.0, 0.0, 0.0], t_end=1000.0),
    dict(model="zetterberg_jansen", f=zetterberg_jansen, defaults=ZJ, set=dict(),
         start=[1.0, 0.0, 2.0, 0.0, 8.0, 0.0, 1.0, 0.0, 3.0, 0.0, 0.5, -0.5], t_end=500.0),
    # TVB's defaults: an unconnected node oscillates
    dict(model="larter_breakspear", f=larter_breakspear, defaults=LB, set=dict(),
         start=[0.0, 0.3, 0.1], t_end=300.0, sample=0.5),
    # KIonEx's right-hand side jumps where V crosses Vstar (TVB's two
    # parabolas do not meet there: 2 R (V - c) x is 9 x on the left, 11 x on
    # the right), where fixed-step RK4 is only first order: two cases, one
    # on each side, neither crossing. TVB's defaults stay left of Vstar...
    dict(model="k_ion_ex", f=k_ion_ex, defaults=KIONEX, set=dict(),
         start=[0.1, -60.0, 0.05, -5.0, -10.0], t_end=300.0),
    # ...and a strong drive (eta = 300) holds V right of it (-20.6 mV at
    # the lowest), with x ~ 15 driving the potassium exchange
    dict(model="k_ion_ex", file="k_ion_ex_depolarised", f=k_ion_ex, defaults=KIONEX,
         set=dict(eta=600.0), start=[0.3, -15.0, 0.5, -5.0, -10.0], t_end=300.0),
    # TVB's defaults, from a high start relaxing to the low fixed point
    dict(model="reduced_wong_wang_exc_inh", f=rww_exc_inh, defaults=RWWEI, set=dict(),
         start=[0.6, 0.2]),
    # OpenDTB's copy: the same equations without the [0, 1] bounds, started
    # at S_e = 1.2, outside them (the bounded model would clip it to 1)
    dict(model="reduced_wong_wang_exc_inh_opendtb", f=rww_exc_inh, defaults=RWWEI, set=dict(),
         start=[1.2, 0.2]),
]

if __name__ == "__main__":
    scipy_cases.write(CASES, "neural_masses.json", os.path.dirname(os.path.abspath(__file__)))
