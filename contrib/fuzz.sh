#!/usr/bin/env bash
# Fuzzes one libFuzzer target for a while: contrib/fuzz.sh TARGET SECONDS [libFuzzer flags]
#
# Installs clang and libFuzzer when missing, builds the target with
# -DMINIBIT_FUZZ=ON (ASan + UBSan) in build-fuzz (FUZZ_BUILD_DIR), and fuzzes a
# scratch copy of the committed seed corpus so the repository stays small.
# Crashing inputs land in <build>/fuzz-work/TARGET/artifacts/; the exit status
# is libFuzzer's (0: no finding). Targets: the tests/fuzz/*.cpp that define
# LLVMFuzzerTestOneInput.
set -euo pipefail
cd "$(dirname "$0")/.."

targets() {
  grep -l LLVMFuzzerTestOneInput tests/fuzz/*.cpp | grep -v replay_main | xargs -n1 basename | sed 's/\.cpp$//'
}
usage() {
  echo "usage: contrib/fuzz.sh TARGET SECONDS [libFuzzer flags...]" >&2
  echo "targets: $(targets | tr '\n' ' ')" >&2
  exit 2
}
[ $# -ge 2 ] || usage
target=$1
seconds=$2
shift 2
[[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number, got '$seconds'" >&2; usage; }
targets | grep -qx -- "$target" || { echo "fuzz.sh: unknown target '$target'" >&2; usage; }

./contrib/install-deps.sh clang libclang-rt-14-dev
build=${FUZZ_BUILD_DIR:-build-fuzz}
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DMINIBIT_FUZZ=ON -DMINIBIT_BENCH=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
ninja -C "$build" "fuzz_$target"

work="$build/fuzz-work/$target"
mkdir -p "$work/corpus" "$work/artifacts"
cp -n "tests/fuzz/corpus/$target/"* "$work/corpus/"
echo "fuzz.sh: $target for ${seconds}s, corpus $work/corpus, findings go to $work/artifacts/"
# -timeout: an input that runs a minute is a hang worth reporting.
exec "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=60 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$@" "$work/corpus"
