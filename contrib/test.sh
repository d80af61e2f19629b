#!/usr/bin/env bash
# Installs missing packages, builds, and runs the whole test suite through
# CTest. Extra arguments go to ctest (e.g. -L unit, -LE slow, -R consensus).
set -euo pipefail
cd "$(dirname "$0")/.."
./contrib/install-deps.sh
./contrib/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
