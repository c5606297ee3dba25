"""Shared by the gen_*.py scripts of this folder: integrate one uncoupled
node of a region model with SciPy (DOP853, rtol = atol = 1e-12), check the
run against a second one at rtol = atol = 1e-10 (the reference's own error
bound) or against a closed form, and write the result.

A case is a dict:
  model     libdtb's built-in name (the C test loads it by this name)
  file      optional: the CSV's name when a model has a second case
            (the CSV then names the model on a "# model NAME" line)
  f         f(p) -> the right-hand side f(t, y), written from the paper /
            TVB's documented equations by the calling script
  defaults  every parameter at TVB's default (the equations use these)
  set       the changes from the defaults (written to the CSV for the
            C test to apply with dtb_model_set_param)
  start     the initial state
  t_end     ms; sample: ms between rows (both optional: 300, 1)
  exact     optional exact(p, t) -> states: a closed form; then the
            closed form is the reference and DOP853 is only checked on it

Writes <model>.csv ("# set NAME VALUE" lines, "# start X ...", "# sample
MS", then t_ms and the states, one row per sample) and a JSON file with
every case's parameters, start, oracle and self-check figure (the states
are in the CSV files only)."""
import json
import os

import numpy as np
from scipy.integrate import solve_ivp


def grid(case):
    t_end = case.get("t_end", 300.0)
    sample = case.get("sample", 1.0)
    n = int(round(t_end / sample))
    return np.arange(n + 1) * sample


def integrate(f, y0, t, tol, max_step):
    sol = solve_ivp(f, (0.0, t[-1]), y0, method="DOP853", rtol=tol, atol=tol, t_eval=t,
                    max_step=max_step)
    assert sol.success, sol.message
    return sol.y.T


def run(case):
    p = dict(case["defaults"])
    p.update(case["set"])
    t = grid(case)
    f = case["f"](p)
    max_step = case.get("max_step", 0.5)
    fine = integrate(f, case["start"], t, 1e-12, max_step)
    if "exact" in case:
        exact = np.asarray(case["exact"](p, t))
        scale = max(1e-300, float(np.max(np.abs(exact))))
        check = float(np.max(np.abs(fine - exact))) / scale
        print("%s: DOP853 vs closed form %.3g" % (case["model"], check))
        assert check < 1e-8
        states = exact
    else:
        coarse = integrate(f, case["start"], t, 1e-10, max_step)
        scale = max(1e-300, float(np.max(np.abs(fine))))
        check = float(np.max(np.abs(fine - coarse))) / scale
        states = fine
    name = case.get("file", case["model"])
    print("%-26s rows %d  min %s  max %s  self-check %.3g" %
          (name, len(t), np.array2string(states.min(axis=0), precision=4),
           np.array2string(states.max(axis=0), precision=4), check))
    return {"model": case["model"], "file": name, "set": case["set"], "parameters": p,
            "start": list(case["start"]), "t": t.tolist(), "states": states.tolist(),
            "oracle": "closed form" if "exact" in case else "DOP853",
            "self_check_max_rel_diff": check}


def write(cases, json_name, here):
    out = {"method": "scipy.integrate.solve_ivp DOP853, rtol = atol = 1e-12",
           "time_unit": "ms", "coupling": "none (c0 = c1 = ... = 0)", "cases": []}
    for case in cases:
        res = run(case)
        out["cases"].append({k: v for k, v in res.items() if k not in ("t", "states")})
        with open(os.path.join(here, res["file"] + ".csv"), "w") as fo:
            if res["file"] != res["model"]:
                fo.write("# model %s\n" % res["model"])
            for k, v in res["set"].items():
                fo.write("# set %s %.17g\n" % (k, v))
            fo.write("# start %s\n" % " ".join("%.17g" % v for v in res["start"]))
            fo.write("# sample %.17g\n" % case.get("sample", 1.0))
            for tt, row in zip(res["t"], res["states"]):
                fo.write("%.17g,%s\n" % (tt, ",".join("%.17g" % v for v in row)))
    with open(os.path.join(here, json_name), "w") as fo:
        json.dump(out, fo, indent=0)
