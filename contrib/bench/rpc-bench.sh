#!/usr/bin/env bash
# JSON-RPC macro benchmark (issue 5): starts a real `minibitd -regtest` in a
# temporary datadir on a free port, mines a few blocks, runs rpc_bench
# (getblockcount on keep-alive connections, a batch of 1,000 calls, and an
# in-process Beast server as the baseline of the same run), stops the node and
# prints the table. Exit status: 1 on a functional failure (a wrong or failed
# reply, a node that dies or does not stop cleanly), 2 when a binary is missing
# or an option is wrong, 0 otherwise. Speed never fails the run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
BUILD=1
SECONDS_PER_RUN=5
THREADS=8
BATCH=1000
BATCH_THREADS=8
RPCTHREADS=""
BLOCKS=10
REPEAT=1
# Any valid regtest address will do; this is BIP173's P2WPKH example key hash.
ADDRESS=bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080

usage() {
    cat <<EOF
usage: contrib/bench/rpc-bench.sh [options]
  --build-dir DIR       build directory (default: \$BUILD_DIR or build)
  --no-build            use the binaries already built
  --seconds S           length of each timed scenario (default: $SECONDS_PER_RUN)
  --threads N           client threads (one keep-alive connection each) for
                        the baseline and single-call scenarios (default: $THREADS)
  --batch N             calls per batch request (default: $BATCH)
  --batch-threads N     client threads sending batches (default: $BATCH_THREADS)
  --rpcthreads N        pass -rpcthreads=N to minibitd (default: its own default)
  --blocks N            blocks to mine before measuring (default: $BLOCKS)
  --repeat N            run rpc_bench N times against the same node and name
                        the median run by minibitd/baseline ratio (default: $REPEAT)
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --batch-threads) BATCH_THREADS=$2; shift 2 ;;
    --rpcthreads) RPCTHREADS=$2; shift 2 ;;
    --blocks) BLOCKS=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
NAME=rpc-bench
# shellcheck source=contrib/bench/bench-lib.sh
source "$ROOT/contrib/bench/bench-lib.sh"
bench_require_positive "$THREADS" "$BATCH" "$BATCH_THREADS" "$BLOCKS" "$REPEAT" ${RPCTHREADS:+"$RPCTHREADS"}
if ! [[ "$SECONDS_PER_RUN" =~ ^[0-9]+(\.[0-9]+)?$ ]] || [ "$SECONDS_PER_RUN" = 0 ]; then
    echo "rpc-bench: --seconds '$SECONDS_PER_RUN' is not a positive number" >&2
    exit 2
fi
bench_build rpc_bench
RPC_BENCH="$BENCH_BINARY"
DATADIR=$(mktemp -d "${TMPDIR:-/tmp}/rpc-bench.XXXXXX")

PORT=$(bench_free_port)
NODE_ARGS=(-regtest "-datadir=$DATADIR" "-rpcport=$PORT" -printtoconsole=0 -listen=0)
[ -n "$RPCTHREADS" ] && NODE_ARGS+=("-rpcthreads=$RPCTHREADS")
CLI_ARGS=(-regtest "-datadir=$DATADIR" "-rpcport=$PORT")

"$MINIBITD" "${NODE_ARGS[@]}" &
NODE_PID=$!
"$CLI" "${CLI_ARGS[@]}" -rpcwait -rpcwaittimeout=60 generatetoaddress "$BLOCKS" "$ADDRESS" \
    >/dev/null || fail "generatetoaddress $BLOCKS did not succeed"
HEIGHT=$("$CLI" "${CLI_ARGS[@]}" getblockcount) || fail "getblockcount did not succeed"
[ "$HEIGHT" = "$BLOCKS" ] || fail "height is $HEIGHT after mining $BLOCKS blocks"

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),"\
     "shared by minibitd and the load generator"
echo "minibitd ${NODE_ARGS[*]}  (-rpcthreads: ${RPCTHREADS:-default})"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

SUMMARIES=()
for ((run = 1; run <= REPEAT; run++)); do
    [ "$REPEAT" -gt 1 ] && echo "--- run $run of $REPEAT ---"
    OUTPUT=$("$RPC_BENCH" "-port=$PORT" "-cookie=$DATADIR/regtest/.cookie" "-expect=$HEIGHT" \
        "-threads=$THREADS" "-batch-threads=$BATCH_THREADS" "-batch=$BATCH" \
        "-seconds=$SECONDS_PER_RUN" "-server-pid=$NODE_PID") && status=0 || status=$?
    echo "$OUTPUT" | grep -v '^SUMMARY'
    [ "$status" = 0 ] || fail "rpc_bench exited with status $status"
    kill -0 "$NODE_PID" 2>/dev/null || fail "minibitd exited during the run"
    SUMMARIES+=("$(echo "$OUTPUT" | grep '^SUMMARY')")
done

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$CLI" "${CLI_ARGS[@]}" stop >/dev/null || fail "stop did not succeed"
wait "$NODE_PID" && node_status=0 || node_status=$?
NODE_PID=""
[ "$node_status" = 0 ] || fail "minibitd exited with status $node_status"
[ ! -e "$DATADIR/regtest/.cookie" ] || fail "the cookie file is still there after a clean stop"

if [ "$REPEAT" -gt 1 ]; then
    echo "--- summary of $REPEAT runs (median by minibitd/baseline ratio marked *) ---"
    printf '%s\n' "${SUMMARIES[@]}" | awk '
        { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } ratio[NR] = v[NR, "ratio_single_baseline"] }
        END {
            n = NR
            for (i = 1; i <= n; i++) order[i] = i
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
                if (ratio[order[j]] + 0 < ratio[order[i]] + 0) { t = order[i]; order[i] = order[j]; order[j] = t }
            median = order[int((n + 1) / 2)]
            printf "%-4s %12s %12s %12s %10s %12s %10s %10s %10s\n", "run", "baseline/s", "single/s",
                "single_p99", "batch/s", "batch_c/s", "batch_p99", "node/base", "batch/sgl"
            for (i = 1; i <= n; i++)
                printf "%-4s %12s %12s %10sus %10s %12s %8sus %10s %10s\n", i (i == median ? "*" : ""),
                    v[i, "baseline_calls_s"], v[i, "single_calls_s"], v[i, "single_p99_us"],
                    v[i, "batch_req_s"], v[i, "batch_calls_s"], v[i, "batch_p99_us"],
                    v[i, "ratio_single_baseline"], v[i, "ratio_batch_single"]
        }'
fi
echo "rpc-bench: OK"
