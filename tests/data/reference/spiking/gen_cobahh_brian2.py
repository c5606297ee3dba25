#!/usr/bin/python3
"""Brian2's COBAHH benchmark (benchmark 3 of Brette et al. 2007, J Comput
Neurosci 23:349-398: 4000 Traub-Miles cells, 80 % excitatory, conductance
synapses, 2 % random connectivity, no external input), as Brian2's COBAHH
example writes it, run by Brian2 itself (Debian's python3-brian 2.5.1, the
numpy target: no compiler), never by libdtb. One run of 1 s at dt 0.1 ms per
seed 1..SEEDS; writes cobahh_brian2.csv beside this script: seed, spikes,
rate (Hz), mean CV of the ISIs over the cells with at least 3 spikes (the
population standard deviation, as dtb_spiking_cv_isi), the number of such
cells, the fraction of silent cells.

    /usr/bin/python3 gen_cobahh_brian2.py [SEEDS]      (default 8)
"""
import os
import sys

import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock, prefs, seed,
                    ms, mV, nS, siemens, cm, umetre, ufarad, msiemens, second, Equations, exprel)

prefs.codegen.target = "numpy"


def run(s):
    seed(s)
    np.random.seed(s)
    defaultclock.dt = 0.1 * ms
    area = 20000 * umetre ** 2
    Cm = (1 * ufarad * cm ** -2) * area
    gl = (5e-5 * siemens * cm ** -2) * area
    El = -60 * mV
    EK = -90 * mV
    ENa = 50 * mV
    g_na = (100 * msiemens * cm ** -2) * area
    g_kd = (30 * msiemens * cm ** -2) * area
    VT = -63 * mV
    taue = 5 * ms
    taui = 10 * ms
    Ee = 0 * mV
    Ei = -80 * mV
    we = 6 * nS
    wi = 67 * nS
    eqs = Equations('''
    dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
             g_na*(m*m*m)*h*(v-ENa)-
             g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    ''')
    P = NeuronGroup(4000, model=eqs, threshold='v>-20*mV', refractory=3 * ms,
                    method='exponential_euler')
    Pe = P[:3200]
    Pi = P[3200:]
    Ce = Synapses(Pe, P, on_pre='ge+=we')
    Ci = Synapses(Pi, P, on_pre='gi+=wi')
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)
    P.v = 'El + (randn() * 5 - 5)*mV'
    P.ge = '(randn() * 1.5 + 4) * 10.*nS'
    P.gi = '(randn() * 12 + 20) * 10.*nS'
    mon = SpikeMonitor(P)
    net = Network(P, Ce, Ci, mon)
    net.run(1 * second)
    i = np.asarray(mon.i)
    t = np.asarray(mon.t / second)
    cvs = []
    for k in range(4000):
        tk = np.sort(t[i == k])
        if len(tk) >= 3:
            d = np.diff(tk)
            cvs.append(d.std() / d.mean())
    counts = np.bincount(i, minlength=4000)
    return len(i), len(i) / 4000.0, float(np.mean(cvs)), len(cvs), float(np.mean(counts == 0))


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    here = os.path.dirname(os.path.abspath(__file__))
    rows = []
    for s in range(1, seeds + 1):
        r = run(s)
        rows.append((s,) + r)
        print("seed %d: %d spikes, %.4f Hz, CV %.4f (%d cells), silent %.4f" % ((s,) + r), flush=True)
    with open(os.path.join(here, "cobahh_brian2.csv"), "w") as f:
        f.write("seed,spikes,rate_hz,mean_cv_isi,n_cv,frac_silent\n")
        for row in rows:
            f.write("%d,%d,%.6f,%.6f,%d,%.6f\n" % row)


if __name__ == "__main__":
    main()
