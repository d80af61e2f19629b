#!/usr/bin/env bash
# Installs missing packages, builds, and runs the whole test suite through
# CTest. Extra arguments go to ctest (e.g. -L unit, -LE slow, -R consensus).
#
# --sanitizers (first argument) runs the sanitizer configuration instead:
# everything under ASan+UBSan in ${ASAN_BUILD_DIR:-build-asan}, then the
# networking and validation tests under TSan in ${TSAN_BUILD_DIR:-build-tsan}.
# contrib/sanitizers/README.md says what each run covers and why.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=0
if [ "${1:-}" = "--sanitizers" ]; then
  sanitizers=1
  shift
fi
if [ "$sanitizers" = 0 ]; then
  ./contrib/install-deps.sh
  ./contrib/build.sh
else
  # The TSan build uses clang and its sanitizer runtimes (contrib/sanitizers/README.md).
  ./contrib/install-deps.sh clang libclang-rt-14-dev
fi
# bcoin for tests/functional/interop_bcoin.py, pinned by contrib/interop's lockfile;
# reinstalled only when missing or older than the lockfile. --ignore-scripts: no
# native builds (contrib/interop/README.md says why).
if [ ! -f contrib/interop/node_modules/.package-lock.json ] ||
   [ contrib/interop/package-lock.json -nt contrib/interop/node_modules/.package-lock.json ]; then
  npm ci --prefix contrib/interop --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
fi
if [ "$sanitizers" = 0 ]; then
  ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
  exit
fi
exec ./contrib/sanitizers/run.sh "$@"
