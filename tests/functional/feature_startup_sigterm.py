#!/usr/bin/env python3
"""SIGTERM at each stage of startup stops minibitd cleanly, and the next start is clean.

A node holds a chaingen chain (signed spends) plus blocks mined to a wallet with a history,
and a mempool.dat of unconfirmed wallet transactions. It is started again and
again with -loadblock of the same chain, -checkblocks=0 -checklevel=4 and -wallet, and gets
SIGTERM as soon as debug.log shows the line that opens (or closes) one startup stage: the
arguments and config, the locked datadir, the RPC server in warm-up, the block index load,
the loaded chainstate, the -loadblock import, the -checkblocks verification, peers.dat,
mempool.dat, the P2P listener, the wallet and the end of loading. Each time the node must
log the signal, exit 0 after "Shutdown: done", log no error and write nothing on stderr; the
next start without -reindex (nor -loadblock) must log no error and come up with the same tip,
the same hash_serialized_3, the same mempool and the same wallet as before any signal.

Every stage's line must have appeared while the node still ran (the signal was sent in it);
where the signal was taken (the last stage line before "Received SIGTERM") is printed. A
SIGTERM in the -checkblocks verification must cut it short (no "No coin database
inconsistencies" line): the verification of 400 blocks at level 4 takes far longer than
the signal's delivery.
"""

import os
import signal
import time

from test_framework.faults import LogFollower, last_stage, run_chaingen, utxo_digest
from test_framework.sanitizers import scaled
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_in, assert_not_in

CHAIN_BLOCKS = 300
CHAIN_INPUTS = 20
WALLET = "w"

# (stage, the log line that triggers the SIGTERM), in the order a start logs them.
STAGES = [
    ("arguments and config", "minibit version v"),
    ("datadir locked", "Using data directory"),
    ("RPC warm-up", "Binding RPC on address"),
    ("block index load", "Cache configuration:"),
    ("chainstate loaded", "Loaded best chain:"),
    ("-loadblock import", "Importing blocks file"),
    ("import finished", "Import finished:"),
    ("-checkblocks verification", "Verifying last"),
    ("peers.dat load", "addresses from peers.dat"),
    ("mempool.dat load", "Imported mempool transactions from disk"),
    ("P2P listening", "Bound to"),
    ("wallet load", f'Wallet "{WALLET}" loaded from'),
    ("loading done", "init message: Done loading"),
]


class StartupSigtermTest(MinibitTestFramework):
    def add_options(self, parser):
        parser.add_argument("--chaingen", required=True, help="path to the chaingen tool")

    def run_test(self):
        started = time.monotonic()
        chain_file = os.path.join(self.tmpdir, "chain.dat")
        chain_tip = run_chaingen(self.options.chaingen, chain_file, CHAIN_BLOCKS, CHAIN_INPUTS,
                                 seed=11)
        node = self.add_node()
        self.node = node
        self.stage_args = [f"-loadblock={chain_file}", "-checkblocks=0", "-checklevel=4",
                           f"-wallet={WALLET}", "-printtoconsole=0"]
        self.check_args = [f"-wallet={WALLET}", "-printtoconsole=0"]

        self.log("set-up: import the chain, a wallet with a history, a mempool")
        node.start_and_wait([f"-loadblock={chain_file}", "-printtoconsole=0"], timeout=120)
        assert_equal(node.getbestblockhash(), chain_tip)
        node.createwallet(WALLET)
        wallet = node.wallet(WALLET)
        address = wallet.getnewaddress()
        node.generatetoaddress(110, address)
        for _ in range(6):
            wallet.sendtoaddress(wallet.getnewaddress(), 1)
        node.generatetoaddress(1, address)
        for _ in range(4):
            wallet.sendtoaddress(wallet.getnewaddress(), 2)
        assert_equal(node.stop(), 0)

        self.log("reference state from a clean start")
        self.reference = self.clean_start()
        height, tip, _digest = self.reference["utxo"]
        assert_equal(height, CHAIN_BLOCKS + 111)
        assert_equal(len(self.reference["mempool"]), 4)
        self.log(f"  tip {tip} at height {height}, {len(self.reference['mempool'])} "
                 f"mempool transactions, {self.reference['wallet_txs']} wallet transactions")

        landed = {}
        for stage, line in STAGES:
            landed[stage] = self.sigterm_at(stage, line)
            self.clean_start()

        self.log("where each SIGTERM was taken (last stage line before 'Received SIGTERM'):")
        for stage, line in STAGES:
            self.log(f"  at {line!r} ({stage}): taken in {landed[stage]}")
        self.log(f"took {time.monotonic() - started:.1f} s")

    def sigterm_at(self, stage, line):
        """Starts the node with every startup stage enabled and sends SIGTERM when `line`
        appears in its log; checks the clean stop and returns the stage it was taken in."""
        node = self.node
        follower = LogFollower(node.debug_log_path)
        node.start(self.stage_args)
        deadline = time.monotonic() + scaled(120)
        while line not in follower.poll():
            if node.process.poll() is not None:
                raise TestFailure(f"node exited with {node.process.returncode} before "
                                  f"{line!r} ({stage}); stderr: {node.read_stderr()!r}")
            if time.monotonic() > deadline:
                raise TestFailure(f"{line!r} ({stage}) never appeared")
            time.sleep(0.0005)
        # The stage counts as hit only if the node was still running when signalled.
        if node.process.poll() is not None:
            raise TestFailure(f"node had exited when {line!r} appeared")
        node.send_signal(signal.SIGTERM)
        code = node.wait_for_exit(timeout=120)
        log = follower.poll()
        assert_equal(code, 0, f"exit code after SIGTERM at {stage}")
        assert_in("Received SIGTERM", log)
        assert_in("Shutdown: done", log)
        assert_not_in("[error]", log)
        assert_equal(node.read_stderr(), "")
        taken = last_stage(log, STAGES, before="Received SIGTERM")
        if stage == "-checkblocks verification":
            assert_not_in("No coin database inconsistencies", log,
                          "(SIGTERM did not interrupt the verification)")
        self.log(f"SIGTERM at {line!r} ({stage}): exit 0, taken in {taken}")
        return taken

    def clean_start(self):
        """Starts without -reindex or -loadblock, checks the log is clean and the state
        matches the reference (once there is one), stops with SIGTERM; returns the state."""
        node = self.node
        follower = LogFollower(node.debug_log_path)
        node.start(self.check_args)
        node.wait_for_rpc(timeout=120)
        node.wait_until_ready(timeout=120)
        wallet = node.wallet(WALLET)
        state = {
            "utxo": utxo_digest(node),
            "tip": node.getbestblockhash(),
            "mempool": sorted(node.getrawmempool()),
            "balances": wallet.getbalances(),
            "wallet_txs": len(wallet.listtransactions("*", 1000)),
        }
        assert_equal(node.stop(), 0)
        log = follower.poll()
        assert_not_in("[error]", log)
        assert_not_in("Replaying blocks", log)
        assert_equal(node.read_stderr(), "")
        if hasattr(self, "reference"):
            for key, value in self.reference.items():
                assert_equal(state[key], value, f"({key} after the restart)")
        return state


if __name__ == "__main__":
    StartupSigtermTest().main()
