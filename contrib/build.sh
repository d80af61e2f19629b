#!/usr/bin/env bash
# Configures and builds minibit into ${BUILD_DIR:-build} (Release, Ninja).
# Extra arguments go to the CMake configure step. BUILD_TARGETS (space separated)
# builds only those targets instead of everything.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
# shellcheck disable=SC2086 # BUILD_TARGETS is a list of target names
cmake --build "$BUILD_DIR" -j "$(nproc)" ${BUILD_TARGETS:+--target $BUILD_TARGETS}
