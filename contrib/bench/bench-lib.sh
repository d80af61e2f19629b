# Shared by the shell benchmarks (rpc-bench.sh, mempool-bench.sh), sourced after
# their option parsing. The caller sets NAME (message prefix), ROOT, BUILD_DIR and
# BUILD (1: build first); this file provides option checks, the build, the
# binaries MINIBITD, CLI and BENCH_BINARY, a failure path that shows the node's
# log, cleanup of the node and its DATADIR on exit, and a free port.

# Exits with status 2 unless every argument is a positive integer.
bench_require_positive() {
    local n
    for n in "$@"; do
        if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
            echo "$NAME: '$n' is not a positive integer" >&2
            exit 2
        fi
    done
}

# Builds minibitd, minibit-cli and the bench client `$1` (unless BUILD=0) and
# checks they exist; exits with status 2 when one is missing.
bench_build() {
    case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
    if [ "$BUILD" = 1 ]; then
        cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
            -DMINIBIT_BENCH=ON >/dev/null
        cmake --build "$BUILD_DIR" --target minibitd minibit-cli "$1"
    fi
    MINIBITD="$BUILD_DIR/src/bin/minibitd"
    CLI="$BUILD_DIR/src/bin/minibit-cli"
    BENCH_BINARY="$BUILD_DIR/contrib/bench/$1"
    local binary
    for binary in "$MINIBITD" "$CLI" "$BENCH_BINARY"; do
        if [ ! -x "$binary" ]; then
            echo "$NAME: $binary is missing (build with -DMINIBIT_BENCH=ON)" >&2
            exit 2
        fi
    done
}

DATADIR=""
NODE_PID=""
bench_cleanup() {
    if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
        kill "$NODE_PID" 2>/dev/null || true
        wait "$NODE_PID" 2>/dev/null || true
    fi
    [ -n "$DATADIR" ] && rm -rf "$DATADIR"
    return 0
}
trap bench_cleanup EXIT

# Reports a functional failure with the end of the node's log and exits 1.
fail() {
    echo "$NAME: FAILED: $*" >&2
    if [ -n "$DATADIR" ] && [ -f "$DATADIR/regtest/debug.log" ]; then
        echo "--- last lines of debug.log ---" >&2
        tail -n 20 "$DATADIR/regtest/debug.log" >&2
    fi
    exit 1
}

# A port nobody listens on right now (the kernel picks it, then frees it).
bench_free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
