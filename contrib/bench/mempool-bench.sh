#!/usr/bin/env bash
# Mempool macro benchmark (issue 6): for each run, starts a fresh `minibitd
# -regtest` in a temporary datadir on a free port and runs mempool_bench, which
# times 10,000 independent P2WPKH spends sent with sendrawtransaction against
# the same bytes sent to decoderawtransaction (baseline of the same run), fills
# the mempool to 50,000 transactions and times getblocktemplate against
# getrawmempool on that pool. Exit status: 1 on a functional failure (a wrong
# reply, a node that dies or does not stop cleanly), 2 when a binary is missing
# or an option is wrong, 0 otherwise. Speed never fails the run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-build}
BUILD=1
THREADS=8
SPENDS=10000
POOL=50000
CALLS=5
MAXMEMPOOL=2000
REPEAT=1

usage() {
    cat <<USAGE
usage: contrib/bench/mempool-bench.sh [options]
  --build-dir DIR   build directory (default: \$BUILD_DIR or build)
  --no-build        use the binaries already built
  --threads N       client threads, one keep-alive connection each (default: $THREADS)
  --spends N        spends timed against the decode baseline (default: $SPENDS)
  --pool N          mempool size for the template timing (default: $POOL)
  --calls N         timed getblocktemplate / getrawmempool calls (default: $CALLS)
  --maxmempool MB   -maxmempool of the node (default: $MAXMEMPOOL)
  --repeat N        full runs, each on a fresh node (default: $REPEAT)
USAGE
}

while [ $# -gt 0 ]; do
    case "$1" in
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --threads) THREADS=$2; shift 2 ;;
    --spends) SPENDS=$2; shift 2 ;;
    --pool) POOL=$2; shift 2 ;;
    --calls) CALLS=$2; shift 2 ;;
    --maxmempool) MAXMEMPOOL=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
NAME=mempool-bench
# shellcheck source=contrib/bench/bench-lib.sh
source "$ROOT/contrib/bench/bench-lib.sh"
bench_require_positive "$THREADS" "$SPENDS" "$POOL" "$CALLS" "$MAXMEMPOOL" "$REPEAT"
if [ "$POOL" -lt "$SPENDS" ]; then
    echo "mempool-bench: --pool must be at least --spends" >&2
    exit 2
fi
bench_build mempool_bench
MEMPOOL_BENCH="$BENCH_BINARY"

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),"\
     "shared by minibitd, the load generator and any other jobs"
SUMMARIES=()
for ((run = 1; run <= REPEAT; run++)); do
    [ "$REPEAT" -gt 1 ] && echo "--- run $run of $REPEAT ---"
    DATADIR=$(mktemp -d "${TMPDIR:-/tmp}/mempool-bench.XXXXXX")
    PORT=$(bench_free_port)
    # No mempool.dat: writing 50,000 transactions at stop is not what is measured.
    NODE_ARGS=(-regtest "-datadir=$DATADIR" "-rpcport=$PORT" -printtoconsole=0 -listen=0
        "-maxmempool=$MAXMEMPOOL" -persistmempool=0)
    CLI_ARGS=(-regtest "-datadir=$DATADIR" "-rpcport=$PORT")
    "$MINIBITD" "${NODE_ARGS[@]}" &
    NODE_PID=$!
    "$CLI" "${CLI_ARGS[@]}" -rpcwait -rpcwaittimeout=60 getblockcount >/dev/null \
        || fail "minibitd did not answer RPC"
    echo "minibitd ${NODE_ARGS[*]}"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    OUTPUT=$("$MEMPOOL_BENCH" "-port=$PORT" "-cookie=$DATADIR/regtest/.cookie" \
        "-threads=$THREADS" "-spends=$SPENDS" "-pool=$POOL" "-calls=$CALLS" \
        "-server-pid=$NODE_PID") && status=0 || status=$?
    echo "$OUTPUT" | grep -v '^SUMMARY' || true
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    [ "$status" = 0 ] || fail "mempool_bench exited with status $status"
    kill -0 "$NODE_PID" 2>/dev/null || fail "minibitd exited during the run"
    SUMMARIES+=("$(echo "$OUTPUT" | grep '^SUMMARY')")
    "$CLI" "${CLI_ARGS[@]}" stop >/dev/null || fail "stop did not succeed"
    wait "$NODE_PID" && node_status=0 || node_status=$?
    NODE_PID=""
    [ "$node_status" = 0 ] || fail "minibitd exited with status $node_status"
    rm -rf "$DATADIR"
    DATADIR=""
done

if [ "$REPEAT" -gt 1 ]; then
    echo "--- summary of $REPEAT runs (median by accept/decode ratio marked *) ---"
    printf '%s\n' "${SUMMARIES[@]}" | awk '
        { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } ratio[NR] = v[NR, "ratio_accept_decode"] }
        END {
            n = NR
            for (i = 1; i <= n; i++) order[i] = i
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
                if (ratio[order[j]] + 0 < ratio[order[i]] + 0) { t = order[i]; order[i] = order[j]; order[j] = t }
            median = order[int((n + 1) / 2)]
            printf "%-4s %10s %10s %10s %8s %10s %10s %8s %8s %9s %7s\n", "run", "accept/s", "decode/s",
                "fill/s", "acc/dec", "ecdsa/s", "script/s", "gbt_ms", "list_ms", "gbt/list", "gbt_tx"
            for (i = 1; i <= n; i++)
                printf "%-4s %10s %10s %10s %8s %10s %10s %8s %8s %9s %7s\n", i (i == median ? "*" : ""),
                    v[i, "accept_tx_s"], v[i, "decode_tx_s"], v[i, "fill_tx_s"], v[i, "ratio_accept_decode"],
                    v[i, "raw_ecdsa_s"], v[i, "verifyscript_s"], v[i, "gbt_ms"], v[i, "rawmempool_ms"],
                    v[i, "ratio_gbt_list"], v[i, "template_txs"]
        }'
fi
echo "mempool-bench: OK"
