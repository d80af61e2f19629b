#!/usr/bin/env bash
# Reindex macro benchmark in one command: builds with MINIBIT_BENCH=ON,
# generates (or reuses) a signature-heavy regtest chain, imports it, times
# -reindex-chainstate with -par=1 and -par=2 and compares both to the raw
# libsecp256k1 rate. Options: see `contrib/bench/reindex-bench.sh --help`.
# Exits non-zero only when something fails functionally, never on speed.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/reindex_bench.py" "$@"
