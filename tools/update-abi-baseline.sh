#!/bin/sh
# Regenerate the ABI baseline tests/abi/libdtb.so.<N>.abi from a build, on
# purpose: after adding public functions or option-struct members, or at a
# release. It first shows what changed against the old baseline (and whether
# abidiff calls it incompatible), then writes the new one and checks it.
# Review the diff and commit the baseline in its own commit, saying why.
#
#   sh tools/update-abi-baseline.sh [BUILD_DIR]     (default: build-test)
#
# The build must be made with gcc (the baseline is compared with gcc builds)
# and debug info (meson's default buildtype here, debugoptimized).
set -eu
cd "$(dirname "$0")/.."
build=${1:-build-test}
[ -f "$build/build.ninja" ] || CC=gcc meson setup "$build" >/dev/null
meson compile -C "$build" dtb:shared_library >/dev/null
lib=$(readlink -f "$build/libdtb/libdtb.so")
soname=$(objdump -p "$lib" | awk '/SONAME/ { print $2 }')
baseline="tests/abi/$soname.abi"
if [ -f "$baseline" ]; then
  echo "== changes against the old $baseline:"
  if python3 tests/abi/abi_tool.py check --lib "$lib" --baseline "$baseline" \
       --suppressions tests/abi/libdtb.abignore; then
    echo "(none that the check reports)"
  fi
else
  echo "== no $baseline yet (new SONAME): writing it"
fi
python3 tests/abi/abi_tool.py dump --lib "$lib" --headers include/dtb \
  --headers "$build/include/dtb" --out "$baseline"
python3 tests/abi/abi_tool.py check --lib "$lib" --baseline "$baseline" \
  --suppressions tests/abi/libdtb.abignore
git diff --stat -- "$baseline" || true
