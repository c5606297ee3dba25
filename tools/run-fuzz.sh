#!/bin/sh
# Run every fuzz harness of tests/fuzz with libFuzzer for a bounded time
# (part of tools/run-tests.sh).
#
#   sh tools/run-fuzz.sh              FUZZ_SECONDS per harness (default 20)
#   FUZZ_SECONDS=300 sh tools/run-fuzz.sh
#   FUZZ_ONLY=model sh tools/run-fuzz.sh
#
# Builds build-fuzz with clang, libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer (any report stops the run). Each harness starts
# from its seed folders (tests/data, the built-in models, ../shared/data,
# read where they are), its kept crash inputs and what earlier runs in this
# build folder found (build-fuzz/corpus/<harness>). FUZZ_SEED (default 1)
# fixes libFuzzer's random seed; what a run explores still depends on how
# fast the machine is.
#
# A crash, leak, timeout or sanitizer report fails the script and leaves
# the input in tests/fuzz/regressions/<harness>/ (libFuzzer's
# -artifact_prefix). Fix the bug, keep the input there (the test
# fuzz_replay_<harness> of every normal build replays it) and commit both.
set -eu
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
seed=${FUZZ_SEED:-1}
build=build-fuzz

if ! command -v clang >/dev/null 2>&1; then
  echo "run-fuzz: clang is not installed (sh tools/install-deps.sh --test)" >&2
  exit 1
fi
probe=$(mktemp -d)
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
  > "$probe/probe.c"
if ! clang -fsanitize=fuzzer,address "$probe/probe.c" -o "$probe/probe" 2>"$probe/err"; then
  echo "run-fuzz: clang cannot link libFuzzer (Debian package libclang-rt-14-dev):" >&2
  cat "$probe/err" >&2
  rm -rf "$probe"
  exit 1
fi
rm -rf "$probe"

[ -f "$build/build.ninja" ] || CC=clang meson setup "$build" -Dfuzzing=true -Dtests=false \
  -Db_sanitize=address,undefined -Db_lundef=false >/dev/null

# The harnesses, their seed folders, -max_len and dictionary: from the
# fuzz_replay_* tests that tests/fuzz/meson.build defines (one place).
plan=$(meson introspect --tests "$build" | python3 -c '
import json, os, shlex, sys
only = os.environ.get("FUZZ_ONLY", "")
for t in json.load(sys.stdin):
    if not t["name"].startswith("fuzz_replay_"):
        continue
    h = t["name"][len("fuzz_replay_"):]
    if only and h not in only.split(","):
        continue
    env = t.get("env") or {}
    args = [a for a in t["cmd"][1:] if a != "-runs=0"]
    print(h, t["cmd"][0], env.get("FUZZ_MAX_LEN", "0"), env.get("FUZZ_DICT", "") or "-",
          " ".join(shlex.quote(a) for a in args))
')
if [ -z "$plan" ]; then
  echo "run-fuzz: no harnesses found in $build" >&2
  exit 1
fi
targets=$(printf '%s\n' "$plan" | awk '{ print $2 }' | sed "s|^$(pwd)/$build/||")
# shellcheck disable=SC2086
ninja -C "$build" $targets >/dev/null

failed=""
rm -f "$build/fuzz-failed"
printf '%s\n' "$plan" | while read -r h exe max_len dict args; do
  # absolute: a harness may work in a folder of its own (fuzz_options)
  corpus="$(pwd)/$build/corpus/$h"
  mkdir -p "$corpus" "tests/fuzz/regressions/$h"
  log="$build/fuzz-$h.log"
  set -- -max_total_time="$seconds" -seed="$seed" -max_len="$max_len" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$(pwd)/tests/fuzz/regressions/$h/"
  [ "$dict" = "-" ] || set -- "$@" -dict="$dict"
  # shellcheck disable=SC2086
  if eval "\"$exe\" \"\$@\" \"$corpus\" $args" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "fuzz $h: ${seconds}s, ${runs:-?} inputs, $cov, no crash"
  else
    echo "fuzz $h: FAILED (log: $log)" >&2
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written|artifact' "$log" | head -20 >&2
    echo "fix the bug and commit the input left in tests/fuzz/regressions/$h/" >&2
    echo "$h" >>"$build/fuzz-failed"
  fi
done
if [ -f "$build/fuzz-failed" ]; then
  failed=$(tr '\n' ' ' <"$build/fuzz-failed")
  rm -f "$build/fuzz-failed"
  echo "run-fuzz: harnesses that failed: $failed" >&2
  exit 1
fi
