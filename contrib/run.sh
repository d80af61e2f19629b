#!/usr/bin/env bash
# Installs missing packages, builds, and runs minibitd on regtest in the
# foreground with its data in ./.minibit/. Arguments pass through to minibitd.
# Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
./contrib/install-deps.sh
./contrib/build.sh
mkdir -p .minibit
exec "${BUILD_DIR:-build}/src/bin/minibitd" -regtest -datadir="$PWD/.minibit" -printtoconsole "$@"
