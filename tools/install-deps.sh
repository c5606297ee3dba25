#!/bin/sh
# Install the Debian 12 packages libdtb needs (only those missing).
#   tools/install-deps.sh          build and run
#   tools/install-deps.sh --test   also the test tools
set -eu
packages="gcc meson ninja-build pkg-config python3 libgsl-dev libxml2-dev"
if [ "${1:-}" = "--test" ]; then
  packages="$packages libcmocka-dev valgrind g++ abigail-tools"
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
