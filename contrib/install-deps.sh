#!/usr/bin/env bash
# Installs the Debian 12 packages minibit needs to build and test, only those
# missing. Works as root or through sudo. Extra package names given as
# arguments are installed too (contrib/fuzz.sh adds clang and libFuzzer).
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build pkg-config ccache python3
  libsecp256k1-dev libleveldb-dev libboost-dev libssl-dev
  libgtest-dev libbenchmark-dev nlohmann-json3-dev
  libzmq3-dev python3-zmq python3-bitcoinlib curl
)
# Node.js runs bcoin for the interoperability test (contrib/interop). NodeSource's
# nodejs package bundles npm and conflicts with Debian's, so npm only when missing.
PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
PACKAGES+=("$@")

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
