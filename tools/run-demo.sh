#!/bin/sh
# Set up, build and run the default twin: `dtb run` on the built-in
# bn246-opendtb atlas (OpenDTB's connectome) with the default model; results
# go to dtb-out/.
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release -Dtests=false >/dev/null
ninja -C build >/dev/null
./build/tools/dtb/dtb run "$@"
