#!/usr/bin/env bash
# The sanitizer configuration, run by ./contrib/test.sh --sanitizers after it has
# installed the dependencies (README.md beside this file explains the choices).
#   1. ASan+UBSan: builds everything into ${ASAN_BUILD_DIR:-build-asan} and runs
#      the whole CTest suite (unit, functional, fuzz corpus replays, bench smoke).
#   2. TSan: builds minibitd, minibit-cli and the net, node and kernel unit tests
#      into ${TSAN_BUILD_DIR:-build-tsan} and runs those with the P2P, sync and
#      reorg functional tests.
# Extra arguments go to both ctest runs. SANITIZER_RUNS="asan" or "tsan" runs one.
# Exits non-zero if either run failed; both run regardless.
set -euo pipefail
cd "$(dirname "$0")/../.."
supp_dir=$PWD/contrib/sanitizers
jobs=$(nproc)
runs=${SANITIZER_RUNS:-asan tsan}
# -O2 with line tables: sanitized code at -O0 is too slow for the functional tests,
# and reports need file:line.
build_type=${BUILD_TYPE:-RelWithDebInfo}

# Networking and validation under TSan: the unit binaries of src/net, src/node and
# src/kernel, every p2p_* functional test, and the ones that sync or reorg chains
# between nodes.
tsan_tests='^(net_tests|node_tests|kernel_tests|p2p_.*|feature_blocks_second_node|mempool_reorg|wallet_reorg)$'

# Sanitized binaries run several times slower; test_framework stretches its waits by
# this factor (ASan about 2-3x, TSan 5-15x slower than Release).
asan_timeout_factor=${ASAN_TIMEOUT_FACTOR:-3}
tsan_timeout_factor=${TSAN_TIMEOUT_FACTOR:-5}

status=0
for run in $runs; do
  start=$SECONDS
  case $run in
    asan)
      dir=${ASAN_BUILD_DIR:-build-asan}
      # MINIBIT_BENCH=ON: feature_kill9 needs chaingen (contrib/bench), and the
      # bench smoke run is one more sanitized program.
      BUILD_DIR=$dir BUILD_TYPE=$build_type ./contrib/build.sh \
        -DMINIBIT_SANITIZE=address,undefined -DMINIBIT_BENCH=ON
      echo "sanitizers: ASan+UBSan build took $((SECONDS - start)) s"
      start=$SECONDS
      # halt_on_error: the first report ends the process, so its test fails.
      # detect_leaks: LeakSanitizer runs at every normal exit (killed nodes are not checked).
      if env ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1" \
          LSAN_OPTIONS="suppressions=$supp_dir/lsan.supp:print_suppressions=0" \
          UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
          MINIBIT_TIMEOUT_FACTOR="$asan_timeout_factor" \
          ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@"; then
        echo "sanitizers: ASan+UBSan tests passed in $((SECONDS - start)) s"
      else
        echo "sanitizers: ASan+UBSan tests FAILED after $((SECONDS - start)) s"
        status=1
      fi
      ;;
    tsan)
      dir=${TSAN_BUILD_DIR:-build-tsan}
      # clang: gcc 12 miscompiles code under -fsanitize=thread (CMakeLists.txt says how).
      CC=clang CXX=clang++ BUILD_DIR=$dir BUILD_TYPE=$build_type \
        BUILD_TARGETS="minibitd minibit-cli net_tests node_tests kernel_tests" \
        ./contrib/build.sh -DMINIBIT_SANITIZE=thread -DMINIBIT_BENCH=OFF
      echo "sanitizers: TSan build took $((SECONDS - start)) s"
      start=$SECONDS
      # second_deadlock_stack: lock-order reports show where both locks were taken.
      if env TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$supp_dir/tsan.supp" \
          MINIBIT_TIMEOUT_FACTOR="$tsan_timeout_factor" \
          ctest --test-dir "$dir" --output-on-failure -j "$jobs" -R "$tsan_tests" "$@"; then
        echo "sanitizers: TSan tests passed in $((SECONDS - start)) s"
      else
        echo "sanitizers: TSan tests FAILED after $((SECONDS - start)) s"
        status=1
      fi
      ;;
    *)
      echo "SANITIZER_RUNS: unknown run '$run' (asan, tsan)" >&2
      exit 2
      ;;
  esac
done
exit "$status"
