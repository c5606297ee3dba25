#!/bin/sh
# Set up, build and run the whole test suite: the normal build (with the
# ABI, spec, Python, ThreadSanitizer and fuzz-replay suites), then the tests
# again under AddressSanitizer + UndefinedBehaviorSanitizer, then each fuzz
# harness with libFuzzer for FUZZ_SECONDS (default 20) seconds.
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh --test
[ -f build-test/build.ninja ] || meson setup build-test >/dev/null
ninja -C build-test
meson test -C build-test --print-errorlogs
[ -f build-asan/build.ninja ] || meson setup build-asan -Db_sanitize=address,undefined \
  -Db_lundef=false >/dev/null
ninja -C build-asan
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --timeout-multiplier 4
sh tools/run-fuzz.sh
