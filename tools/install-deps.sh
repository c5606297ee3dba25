#!/bin/sh
# Install the Debian 12 packages libdtb needs (only those missing).
#   tools/install-deps.sh          build and run
#   tools/install-deps.sh --test   also the test tools:
#     libcmocka-dev     the C unit tests
#     valgrind, g++     memory checks; each public header compiles as C++
#     abigail-tools     abidw/abidiff: the ABI guard (meson test --suite abi)
#     python3-pytest    the Python binding tests (--suite python)
#     python3-numpy     the Python bindings return NumPy arrays when it is there
#     clang, libclang-rt-14-dev   libFuzzer and the clang sanitizers (tools/run-fuzz.sh)
set -eu
packages="gcc meson ninja-build pkg-config python3 libgsl-dev libxml2-dev libnlopt-dev"
# Open MPI: sweeps and fits on several processes or machines (mpirun)
packages="$packages libopenmpi-dev openmpi-bin"
if [ "${1:-}" = "--test" ]; then
  packages="$packages libcmocka-dev valgrind g++ abigail-tools python3-pytest python3-numpy"
  packages="$packages clang libclang-rt-14-dev"
fi
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "install-deps: need root to install:$missing" >&2; exit 1; fi
else
  SUDO=
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
