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
#     locales           and a generated de_DE.UTF-8: the decimal-comma locale
#                       tests (tests/base, tests/expr), which a fresh Debian
#                       cannot run otherwise (it has only C and POSIX)
#     librsvg2-bin      rsvg-convert: the SVG figures must render (tests/observe)
#     python3-scipy     the Python analysis tests compare with SciPy (stats, signal)
#     python3-pip, python3-setuptools   the offline `pip install` of the bindings is tested
#     python3-neuron    NEURON 8.2: the oracle of the multi-compartment cells
#                       (tests/mcell build the same cells in NEURON and compare traces)
set -eu
packages="gcc meson ninja-build pkg-config python3 libgsl-dev libxml2-dev libnlopt-dev"
# Open MPI: sweeps and fits on several processes or machines (mpirun)
packages="$packages libopenmpi-dev openmpi-bin"
test_tools=0
if [ "${1:-}" = "--test" ]; then
  test_tools=1
  packages="$packages libcmocka-dev valgrind g++ abigail-tools python3-pytest python3-numpy"
  packages="$packages clang libclang-rt-14-dev locales librsvg2-bin"
  packages="$packages python3-scipy python3-pip python3-setuptools"
  # NEURON, the oracle of libdtb/mcell (tests/mcell); importable from /usr/bin/python3
  packages="$packages python3-neuron"
fi
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
need_locale=0
if [ "$test_tools" = 1 ] && ! locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\{0,1\}8'; then
  need_locale=1
fi
[ -z "$missing" ] && [ "$need_locale" = 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "install-deps: need root to install:$missing" \
         "$([ "$need_locale" = 1 ] && echo "(and generate the de_DE.UTF-8 locale)")" >&2
    exit 1; fi
else
  SUDO=
fi
if [ -n "$missing" ]; then
  echo "install-deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q >/dev/null
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
if [ "$need_locale" = 1 ]; then
  # localedef builds it from the `locales` package's sources (checked in a
  # fresh debootstrap of bookworm, where locale-gen would need
  # /etc/locale.gen edited first).
  echo "install-deps: generating the de_DE.UTF-8 locale"
  $SUDO localedef -i de_DE -c -f UTF-8 -A /usr/share/locale/locale.alias de_DE.UTF-8
fi
