"""Helpers shared by the wallet_* tests: node arguments, a minibit-cli runner and amounts."""

import json
import os
import subprocess
from decimal import Decimal

# Regtest has no fee estimates, so the wallet needs a fallback fee rate (as Core's own tests
# set it): 0.0002 BTC/kvB = 20 sat/vB.
WALLET_ARGS = ["-fallbackfee=0.0002"]


def add_cli_option(parser):
    parser.add_argument("--minibit-cli", dest="cli", required=True,
                        help="path to the minibit-cli binary")


def cli(test, node, *args, check=True, timeout=60, stdin=None):
    """Runs minibit-cli against `node`; returns stdout (JSON decoded when it parses)."""
    cmd = [os.path.abspath(test.options.cli), f"-datadir={node.datadir}", "-regtest",
           f"-rpcport={node.rpc_port}", *args]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=stdin)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr}")
    if not check:
        return result
    out = result.stdout.strip()
    try:
        return json.loads(out, parse_float=Decimal)
    except ValueError:
        return out


def sats(amount):
    """BTC (Decimal) to satoshis."""
    return int(Decimal(amount) * 100_000_000)


def start_alice_and_bob(test):
    """Two connected nodes with wallet arguments: "alice" on node0 with 50 BTC mature (101
    blocks mined to her), "bob" on node1, both nodes at the same tip. Returns
    (node0, node1, alice, bob) where alice and bob are the wallets' RPC clients."""
    n0, n1 = test.add_node(), test.add_node()
    for node in (n0, n1):
        node.start_and_wait(WALLET_ARGS)
    test.connect_nodes(1, 0)
    n0.createwallet("alice")
    n1.createwallet("bob")
    alice, bob = n0.wallet("alice"), n1.wallet("bob")
    n0.generatetoaddress(101, alice.getnewaddress())
    test.sync_blocks()
    return n0, n1, alice, bob
