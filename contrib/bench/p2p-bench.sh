#!/usr/bin/env bash
# P2P macro benchmark in one command (issue 7): builds minibitd and chaingen
# with MINIBIT_BENCH=ON, generates (or reuses) a 2,000-block regtest chain of
# signed spends, times a fresh node syncing it from one and from three local
# peers against a -loadblock import of the same chain, and times a block
# crossing a 5-node line with and without compact blocks against submitblock
# on a standalone node. Options: see `contrib/bench/p2p-bench.sh --help`.
# Exits non-zero only when something fails functionally, never on speed.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/p2p_bench.py" "$@"
