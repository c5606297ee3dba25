#!/bin/sh
# Virtual surgery is a comparison: run the twin to a state once, then try
# several treatments from that very state and compare what they do.
#
#   sh examples/branching_study.sh OUT_DIR [STATE_TIME [END_TIME]]
#
# 1. the default twin (OpenDTB's, on its Brainnetome connectome) runs to
#    STATE_TIME (default 2s) and saves its state: OUT_DIR/state.ckpt;
# 2. from that checkpoint, four branches run on to END_TIME (default 6s),
#    each into its own results folder (dtb run --from), recording the FC of
#    the 1 ms temporal average from the branch time on:
#      control      no intervention: the original run continued, bit for bit
#      lesion       the connections of both superior frontal A8m regions removed
#      stimulation  a 10 Hz sine into I_ext of the left precentral gyrus
#      parameter    global coupling G raised from 0.1 to 0.2
#    Every branch shares the state's noise stream (the same noise from the
#    branch time on), so what differs is the treatment alone;
# 3. the treatments' FC side by side: each against the control's (Pearson r
#    of the upper triangles), and an SVG of every FC (OUT_DIR/*/fc.svg).
#
# Every folder's provenance.json names the checkpoint by its SHA-256.
set -eu
out=${1:?output folder}
state_time=${2:-2s}
end_time=${3:-6s}
dtb=${DTB:-dtb}
mkdir -p "$out"

"$dtb" run --duration "$state_time" --checkpoint "$out/state.ckpt" --out "$out/state" --quiet >/dev/null

# One branch: NAME, then its intervention's options; its summary goes to
# OUT_DIR/NAME.txt and the FC fit to the control's (when there is one) is
# printed beside its name.
branch() {
  name=$1
  shift
  compare=
  [ "$name" = control ] || compare="--empirical-fc $out/control/fc.csv"
  # shellcheck disable=SC2086  # compare is empty or two words
  "$dtb" run --from "$out/state.ckpt" --duration "$end_time" --observe fc --plot "$@" $compare \
    --out "$out/$name" --quiet >"$out/$name.txt"
  r=$(sed -n 's/.*FC fit to .*: r = \([-0-9.]*\).*/\1/p' "$out/$name.txt")
  printf '%-12s %s\n' "$name" "${r:-1 (itself)}"
}

printf '%-12s %s\n' branch 'FC against the control'"'"'s (Pearson r of the upper triangles)'
branch control
branch lesion --lesion 'region=A8m_*'
branch stimulation --stimulus 'sine:frequency=10Hz,amplitude=0.05:regions=A4hf_L+A6cdl_L+A4ul_L:into=I_ext'
branch parameter --set G=0.2
