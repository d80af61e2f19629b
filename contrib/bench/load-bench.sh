#!/usr/bin/env bash
# Load macro benchmark in one command (issue 10): builds minibitd, then on fresh regtest
# nodes runs three scenarios, each next to a baseline of the same run: eight raw P2P peers
# pushing valid transactions while four send junk and one pings (against
# sendrawtransaction from one RPC client), 100 concurrent keep-alive RPC clients (against
# one), and connection churn past -maxconnections (inbound count, RSS before and after,
# an honest peer served throughout). Options: see `contrib/bench/load-bench.sh --help`.
# Exits 1 when something fails functionally (a node dies, an RPC error, an honest peer
# dropped, too many inbound connections), 2 when minibitd is missing; never on speed.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/load_bench.py" "$@"
