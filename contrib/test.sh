#!/usr/bin/env bash
# Installs missing packages, builds, and runs the whole test suite through
# CTest. Extra arguments go to ctest (e.g. -L unit, -LE slow, -R consensus).
set -euo pipefail
cd "$(dirname "$0")/.."
./contrib/install-deps.sh
./contrib/build.sh
# bcoin for tests/functional/interop_bcoin.py, pinned by contrib/interop's lockfile;
# reinstalled only when missing or older than the lockfile. --ignore-scripts: no
# native builds (contrib/interop/README.md says why).
if [ ! -f contrib/interop/node_modules/.package-lock.json ] ||
   [ contrib/interop/package-lock.json -nt contrib/interop/node_modules/.package-lock.json ]; then
  npm ci --prefix contrib/interop --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
fi
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
