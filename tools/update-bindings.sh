#!/bin/sh
# After a change to the public headers: bring the bindings spec and the
# generated Python module in step.
#   1. bindings-spec/dtb-api.json is re-derived from the headers and the
#      version script; every reviewed annotation is kept; new or changed
#      functions, types and members get proposed annotations and a "todo"
#      key;
#   2. bindings-spec/python/dtb/_ffi.py is regenerated.
# Then review each "todo" entry (ownership, nullability, array lengths,
# callback scope, thread safety; see bindings-spec/README.md), delete the
# key, run this script again (the ctypes module reads the annotations) and
# `meson test -C build-test --suite spec --suite python`.
#
#   sh tools/update-bindings.sh [BUILD_DIR]     (default: build-test)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build-test}
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
meson compile -C "$build" dtb:shared_library >/dev/null
python3 bindings-spec/spec_tool.py update --headers include/dtb/*.h \
  "$build/include/dtb/dtb_version.h" --map libdtb/libdtb.map --lib "$build/libdtb/libdtb.so"
python3 bindings-spec/gen_ctypes.py
if grep -q '"todo"' bindings-spec/dtb-api.json; then
  echo "update-bindings: review the entries marked \"todo\" in bindings-spec/dtb-api.json"
fi
