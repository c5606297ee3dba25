#!/usr/bin/python3
"""The Balloon-Windkessel BOLD signal with OpenDTB's constant set, by SciPy
(DOP853, rtol = atol = 1e-12), for the C test tests/observe/test_bold_scipy.c.

The constants (../../../../../shared/reference/OPENDTB.md, "Monitors"):
tau_s 0.65 s, tau_f 0.41 s, tau_0 0.98 s, alpha 0.32, E0 0.4, TE 0.04 s,
V0 0.04, k1 = 4.3 nu0 E0 TE (nu0 = 40.3 /s), k2 = eps r0 E0 TE (eps = 1,
r0 = 25 /s), k3 = 1 -- the set of the Deco group's BOLD.m (e.g.
decolab/pnas-neuromod Functions/BOLD.m), where tau_s and tau_f are time
constants of the vasodilatory signal (Friston et al. 2000's kappa and gamma
are their inverses):

  ds/dt = z - s / tau_s - (f - 1) / tau_f
  df/dt = s
  dv/dt = (f - v^(1/alpha)) / tau_0
  dq/dt = (f (1 - (1 - E0)^(1/f)) / E0 - v^(1/alpha) q / v) / tau_0
  BOLD  = V0 (k1 (1 - q) + k2 (1 - q / v) + k3 (1 - v))

from rest (s = 0, f = v = q = 1), time in seconds. The input of each of three
regions is a known function, z(t) = base + amp sin(2 pi freq t + phase) (the
test drives libdtb's observer with the same signal through
tests/observe/data/driven.xml). BOLD every TR = 1 s for 20 s; and the same
with tau_s x (1 + 1e-5), the mutant the test must tell apart.

Writes bold_opendtb.csv beside this script: "# region FREQ BASE AMP PHASE"
lines, then t, the three BOLD signals, the three mutant signals."""
import math
import os

import numpy as np
from scipy.integrate import solve_ivp

C = dict(tau_s=0.65, tau_f=0.41, tau_0=0.98, alpha=0.32, E0=0.4, TE=0.04, V0=0.04)
C["k1"] = 4.3 * 40.3 * C["E0"] * C["TE"]
C["k2"] = 1.0 * 25.0 * C["E0"] * C["TE"]
C["k3"] = 1.0
REGIONS = [(0.1, 1.0, 0.5, 0.0), (0.25, 0.5, 0.5, 1.0), (0.05, 2.0, 1.0, 2.0)]
T = np.arange(1, 21) * 1.0


def balloon(c, z):
    def f(t, y):
        s, fl, v, q = y
        fout = v ** (1 / c["alpha"])
        return [z(t) - s / c["tau_s"] - (fl - 1) / c["tau_f"],
                s,
                (fl - fout) / c["tau_0"],
                (fl * (1 - (1 - c["E0"]) ** (1 / fl)) / c["E0"] - fout * q / v) / c["tau_0"]]
    return f


def bold(c, y):
    s, fl, v, q = y
    return c["V0"] * (c["k1"] * (1 - q) + c["k2"] * (1 - q / v) + c["k3"] * (1 - v))


def run(c, region, tol, max_step=0.01):
    freq, base, amp, phase = region
    z = lambda t: base + amp * math.sin(2 * math.pi * freq * t + phase)
    sol = solve_ivp(balloon(c, z), (0, T[-1]), [0, 1, 1, 1], method="DOP853", rtol=tol,
                    atol=tol, t_eval=T, max_step=max_step)
    assert sol.success
    return bold(c, sol.y)


def main():
    mutant = dict(C, tau_s=C["tau_s"] * (1 + 1e-5))
    ref = np.stack([run(C, r, 1e-12) for r in REGIONS], axis=1)
    check = np.stack([run(C, r, 1e-10, 0.1) for r in REGIONS], axis=1)
    mut = np.stack([run(mutant, r, 1e-12) for r in REGIONS], axis=1)
    scale = np.max(np.abs(ref))
    print("BOLD range", ref.min(), ref.max(), "self-check (rtol 1e-10, max_step 0.1 s)",
          np.max(np.abs(ref - check)) / scale, "mutant", np.max(np.abs(ref - mut)) / scale)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "bold_opendtb.csv"), "w") as fo:
        for r in REGIONS:
            fo.write("# region %.17g %.17g %.17g %.17g\n" % r)
        for t, a, b in zip(T, ref, mut):
            fo.write("%.17g,%s,%s\n" % (t, ",".join("%.17g" % v for v in a),
                                        ",".join("%.17g" % v for v in b)))


if __name__ == "__main__":
    main()
