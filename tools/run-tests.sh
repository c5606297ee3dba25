#!/bin/sh
# Set up, build and run the whole test suite: the normal build (with the
# ABI, spec, Python, ThreadSanitizer and fuzz-replay suites), then the tests
# again under AddressSanitizer + UndefinedBehaviorSanitizer, then each fuzz
# harness with libFuzzer for FUZZ_SECONDS (default 20) seconds.
#
# A skipped test is a check that did not run, so any skip fails the suite
# (meson's exit-77 skips, CMocka's skip(), pytest's; tools/check-skips.py),
# as CI needs. For a local run on a machine that lacks something:
#   DTB_ALLOW_SKIPS=1 sh tools/run-tests.sh
set -eu
cd "$(dirname "$0")/.."
allow_skips=${DTB_ALLOW_SKIPS:-0}
if [ "$allow_skips" = 1 ]; then
  echo "run-tests: DTB_ALLOW_SKIPS=1: skipped tests are listed but do not fail the suite"
else
  echo "run-tests: any skipped test fails the suite (local opt-out: DTB_ALLOW_SKIPS=1)"
fi
check_skips() {
  if python3 tools/check-skips.py "$1/meson-logs/testlog.json"; then
    return 0
  fi
  if [ "$allow_skips" = 1 ]; then
    echo "run-tests: $1: the tests above were skipped (allowed: DTB_ALLOW_SKIPS=1)" >&2
    return 0
  fi
  echo "run-tests: $1: the tests above did not run; install what they name" \
       "(sh tools/install-deps.sh --test), or set DTB_ALLOW_SKIPS=1 for a local run" >&2
  exit 1
}
sh tools/install-deps.sh --test
[ -f build-test/build.ninja ] || meson setup build-test >/dev/null
ninja -C build-test
meson test -C build-test --print-errorlogs
check_skips build-test
[ -f build-asan/build.ninja ] || meson setup build-asan -Db_sanitize=address,undefined \
  -Db_lundef=false >/dev/null
ninja -C build-asan
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --timeout-multiplier 4
check_skips build-asan
sh tools/run-fuzz.sh
