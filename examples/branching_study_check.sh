#!/bin/sh
# Test of branching_study.sh (examples/meson.build): run it briefly into a
# fresh folder and check its table — every treatment compared with the
# control, an r in [-1, 1] that is not 1 (a treatment that changed nothing
# would mean the branches did not take their interventions) — and that
# every branch's provenance names the state's checkpoint by its SHA-256.
set -eu
script=$1
out=$2
rm -rf "$out"
sh "$script" "$out" 100ms 300ms >"$out.table"
cat "$out.table"
sha=$(sha256sum "$out/state.ckpt" | cut -d' ' -f1)
for name in lesion stimulation parameter; do
  r=$(awk -v n="$name" '$1 == n { print $2 }' "$out.table")
  awk -v r="$r" -v n="$name" 'BEGIN { if (r == "" || r + 0 < -1 || r + 0 >= 1) {
    print n ": no FC comparison with the control (got \"" r "\")"; exit 1 } }'
done
for name in control lesion stimulation parameter; do
  grep -q "\"sha256\": \"$sha\"" "$out/$name/provenance.json" ||
    { echo "$name: provenance.json does not name the checkpoint's SHA-256 $sha"; exit 1; }
  [ -s "$out/$name/fc.svg" ] || { echo "$name: no fc.svg"; exit 1; }
done
echo "branching study: 3 treatments compared with the control"
