#!/usr/bin/python3
"""The cells of tests/data/mcell built by hand in NEURON 8.2 (the oracle of
libdtb's multi-compartment cells): the same morphology, channels, nseg and
dt, written from the NeuroML files' numbers, not read from them.

  neuron_cells.py CELL NSEG DT DURATION AMP_NA OUT.csv [--bench REPEATS [tables]]
                  [--secondorder 0|2] [--celsius T]

CELL is ball_and_stick, branched or tapered; NSEG 0 means the d_lambda rule
(fixnseg.hoc: 0.1 of the length constant at 100 Hz). A current clamp of
AMP_NA nA from 20 ms for 100 ms at soma(0.5). OUT.csv: one column per
recording, named as the C test names them, one row per step from t = 0;
OUT.csv.spikes: the times a NetCon at soma(0.5) saw -20 mV crossed.
With --bench: no file, the run repeated and the compartment updates per
second printed (bench/bench_mcell.c); a 9th argument "tables" turns hh's
rate tables on (NEURON's default; libdtb evaluates the rates)."""
import math
import sys
import time

from neuron import h

h.load_file("stdrun.hoc")


def dlambda_nseg(sec):
    lam = 1e5 * math.sqrt(sec.diam / (4 * math.pi * 100 * sec.Ra * sec.cm))
    return int((sec.L / (0.1 * lam) + 0.9) / 2) * 2 + 1


def hh(sec, gna, gk):
    sec.insert("hh")
    for seg in sec:
        seg.hh.gnabar = gna
        seg.hh.gkbar = gk
        seg.hh.gl = 0.0003
        seg.hh.el = -54.3
    sec.ena = 50
    sec.ek = -77


def ball_and_stick():
    soma = h.Section(name="soma")
    soma.L = soma.diam = 17.841242       # the NeuroML sphere: a cylinder of its area
    dend = h.Section(name="dend")
    dend.L, dend.diam = 500, 2
    dend.connect(soma(1))
    for sec in (soma, dend):
        sec.Ra, sec.cm = 100, 1
    hh(soma, 0.12, 0.036)
    dend.insert("pas")
    dend.g_pas, dend.e_pas = 0.0003, -54.3
    secs = [soma, dend]
    rec = {"soma_v": lambda: soma(0.5)._ref_v, "soma_m": lambda: soma(0.5)._ref_m_hh,
           "dend_mid_v": lambda: dend(0.5)._ref_v, "dend_end_v": lambda: dend(1)._ref_v}
    return secs, soma, rec   # rec: the pointers to record, taken once nseg is set


def branched():
    def sec(name, length, diam):
        s = h.Section(name=name)
        s.L, s.diam, s.Ra, s.cm = length, diam, 150, 1
        return s
    soma = sec("soma", 20, 20)
    trunk_a = sec("trunk_a", 100, 3)
    trunk_b = sec("trunk_b", 100, 3)
    left = sec("left", math.hypot(100, 100), 1.5)
    right = sec("right", math.hypot(150, 80), 1)
    oblique = sec("oblique", 90, 0.8)
    left.cm = right.cm = 2
    trunk_a.connect(soma(1))
    trunk_b.connect(trunk_a(1))
    left.connect(trunk_b(1))
    right.connect(trunk_b(1))
    oblique.connect(trunk_a(0.5))
    hh(soma, 0.12, 0.036)
    for s in (trunk_a, trunk_b, left, right, oblique):
        hh(s, 0.02, 0.01)
    secs = [soma, trunk_a, trunk_b, left, right, oblique]
    rec = {"soma_v": lambda: soma(0.5)._ref_v, "trunk_h": lambda: trunk_b(0.5)._ref_h_hh,
           "left_v": lambda: left(0.5)._ref_v, "right_v": lambda: right(0.9)._ref_v,
           "oblique_v": lambda: oblique(0.5)._ref_v, "fork_v": lambda: trunk_b(1)._ref_v}
    return secs, soma, rec


def bench_runs(cell, secs, steps, repeats, dt):
    """Time `repeats` runs (finitialize, then the steps in NEURON's own C
    loop, ParallelContext.psolve, so no Python runs per step; nothing
    recorded), each on its own; print the best and median of the thread's
    CPU time and of the wall time, as bench/bench_stats.h does."""
    ncomp = sum(s.nseg for s in secs)
    pc = h.ParallelContext()
    pc.set_maxstep(10)                   # psolve needs it (no network here)
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.thread_time(), time.perf_counter()
        h.finitialize(-65)
        pc.psolve(steps * dt)
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - w0)
    cpu.sort()
    wall.sort()
    print("neuron%s cell=%s compartments=%d steps=%d best_cpu_s=%.4f median_cpu_s=%.4f "
          "best_wall_s=%.4f median_wall_s=%.4f updates_per_cpu_s=%.4g"
          % ("_tables" if h.usetable_hh else "", cell, ncomp, steps, cpu[0], cpu[len(cpu) // 2], wall[0], wall[len(wall) // 2],
             ncomp * steps / cpu[0]))


def tapered():
    soma = h.Section(name="soma")
    soma.L = soma.diam = 20
    dend = h.Section(name="dend")
    h.pt3dadd(20, 0, 0, 4, sec=dend)     # the NeuroML segment's proximal and distal points
    h.pt3dadd(320, 0, 0, 1, sec=dend)
    dend.connect(soma(1))
    for sec in (soma, dend):
        sec.Ra, sec.cm = 150, 1
        hh(sec, 0.12, 0.036)
    rec = {"soma_v": lambda: soma(0.5)._ref_v, "dend_v": lambda: dend(0.9)._ref_v,
           "dend_n": lambda: dend(0.3)._ref_n_hh}
    return [soma, dend], soma, rec


def main():
    secondorder, celsius = 0, 6.3
    if "--secondorder" in sys.argv:   # 2: Crank-Nicolson
        k = sys.argv.index("--secondorder")
        secondorder = int(sys.argv[k + 1])
        del sys.argv[k:k + 2]
    if "--celsius" in sys.argv:       # hh's q10 = 3^((celsius - 6.3)/10)
        k = sys.argv.index("--celsius")
        celsius = float(sys.argv[k + 1])
        del sys.argv[k:k + 2]
    cell, nseg, dt, duration, amp, out = sys.argv[1:7]
    nseg, dt, duration, amp = int(nseg), float(dt), float(duration), float(amp)
    bench = int(sys.argv[8]) if len(sys.argv) > 8 and sys.argv[7] == "--bench" else 0
    secs, soma, rec = {"ball_and_stick": ball_and_stick, "branched": branched,
                       "tapered": tapered}[cell]()
    for s in secs:
        s.nseg = nseg if nseg > 0 else dlambda_nseg(s)
    h.celsius = celsius                  # 6.3: hh's q10 = 1, NeuroML's rates as written
    h.usetable_hh = 0                    # the rate functions, not their tables
    if len(sys.argv) > 9 and sys.argv[9] == "tables":
        h.usetable_hh = 1                # NEURON's default, for the bench only
    clamp = h.IClamp(soma(0.5))
    clamp.delay, clamp.dur, clamp.amp = 20, 100, amp
    h.dt = dt
    h.secondorder = secondorder
    steps = int(round(duration / dt))
    if bench:
        bench_runs(cell, secs, steps, bench, dt)
        return
    # spikeThresh (-20 mV in every file) at the soma, as NEURON's NeuroML export
    spikes = h.Vector()
    netcon = h.NetCon(soma(0.5)._ref_v, None, sec=soma)
    netcon.threshold = -20
    netcon.record(spikes)
    vecs = {}
    for name, ref in rec.items():
        vecs[name] = h.Vector()
        vecs[name].record(ref())   # after nseg is set: a pointer taken before moves
    h.finitialize(-65)
    for _ in range(steps):
        h.fadvance()
    names = list(rec)
    with open(out, "w") as f:
        f.write(",".join(names) + "\n")
        for i in range(steps + 1):
            f.write(",".join("%.17g" % vecs[n][i] for n in names) + "\n")
    with open(out + ".spikes", "w") as f:
        for t in spikes:
            f.write("%.17g\n" % t)


if __name__ == "__main__":
    main()
