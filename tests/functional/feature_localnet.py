#!/usr/bin/env python3
"""minibit-localnet end to end: `up --nodes=4` brings four wallets to one tip; a payment from
node 0 to node 3 confirms on every node; `partition 1 2` splits the line into two sides that
mine different chains, and `heal` brings every node to the side with more work with the payment
still confirmed; `down` leaves no process behind and `up` resumes the same chains. Errors
(no network, bad node index, a stopped network) exit non-zero, and `cli` keeps minibit-cli's
exit code."""

import json
import os
import signal
import subprocess
import sys
import time

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_in

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "contrib",
                    "localnet", "minibit-localnet")
STATUS_FIELDS = {"name", "rpc_port", "p2p_port", "datadir", "height", "best_block_hash",
                 "peers", "mempool_size", "balance"}
NODES = 4


def processes_with(text):
    """Pids of live (non-zombie) processes whose command line contains text."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf8") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode("utf8", "replace")
        except (OSError, IndexError):
            continue
        if text in cmdline:
            found.append(int(entry))
    return found


class LocalnetTest(MinibitTestFramework):
    def localnet(self, *args, check=True):
        """Runs the tool on this test's network; returns the CompletedProcess."""
        cmd = [sys.executable, TOOL, f"--bin-dir={self.bin_dir}", f"--dir={self.netdir}", *args]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
        if check and result.returncode != 0:
            raise TestFailure(f"{' '.join(args)} failed ({result.returncode}): "
                              f"{result.stdout}{result.stderr}")
        return result

    def status(self):
        out = json.loads(self.localnet("status", "--json").stdout)
        for row in out["nodes"]:
            assert_equal(set(row), STATUS_FIELDS)
        return out["nodes"]

    def cli(self, index, *args):
        return self.localnet("cli", str(index), *args).stdout.strip()

    def wait_tips(self, groups, what):
        """Waits until each group of node indexes agrees on one tip; returns the tips."""
        def agreed():
            rows = self.status()
            tips = [{rows[i]["best_block_hash"] for i in g} for g in groups]
            if all(len(t) == 1 and None not in t for t in tips):
                return [(t.pop(), rows[g[0]]["height"]) for t, g in zip(tips, groups)]
            return None
        return self.wait_until(agreed, timeout=60, what=what)

    def run_test(self):
        self.bin_dir = os.path.dirname(self.options.minibitd)
        self.netdir = os.path.join(self.tmpdir, "net")
        try:
            self.scenario()
        finally:
            self.localnet("down", check=False)
            for pid in processes_with(self.netdir):
                os.kill(pid, signal.SIGKILL)

    def scenario(self):
        assert os.access(TOOL, os.X_OK), "minibit-localnet must be executable"

        self.log("commands without a network fail clearly")
        result = self.localnet("status", check=False)
        assert result.returncode != 0
        assert_in("no network in", result.stderr)
        assert_equal(self.localnet("up", check=False).returncode != 0, True)

        self.log("up --nodes=4: four nodes, one tip, every wallet funded")
        start = time.monotonic()
        up = self.localnet("up", f"--nodes={NODES}").stdout
        self.log(f"up took {time.monotonic() - start:.1f}s")
        for i in range(NODES):
            assert_in(f"-datadir={os.path.join(self.netdir, f'node{i}')} ", up)
        assert_equal(up.count("-rpcwallet=w getbalance"), NODES)
        rows = self.status()
        assert_equal([r["name"] for r in rows], [f"node{i}" for i in range(NODES)])
        assert_equal(len({r["best_block_hash"] for r in rows}), 1)
        # One block per wallet, 100 to mature them, one with node 0's payments.
        assert_equal({r["height"] for r in rows}, {101 + NODES})
        assert all(r["balance"] > 0 for r in rows), rows
        # The default topology is a line: 0-1-2-3.
        assert_equal([r["peers"] for r in rows], [1, 2, 2, 1])
        assert_equal(len({r["rpc_port"] for r in rows} | {r["p2p_port"] for r in rows}), 2 * NODES)
        assert_equal(self.cli(3, "getbestblockhash"), rows[0]["best_block_hash"])

        self.log("send 0 -> 3 confirms everywhere after mine 1")
        txid = self.localnet("send", "--from=0", "--to=3", "1.5").stdout.strip()
        assert_equal(len(txid), 64)
        self.wait_until(lambda: self.status()[3]["mempool_size"] == 1, what="tx at node 3")
        self.localnet("mine", "1")
        [(tip, height)] = self.wait_tips([range(NODES)], "the payment's block everywhere")
        assert_equal(height, 102 + NODES)
        for i in range(NODES):
            assert_in(txid, json.loads(self.cli(i, "getblock", tip))["tx"])
        received = json.loads(self.cli(3, "-rpcwallet=w", "gettransaction", txid))
        assert_equal((received["confirmations"], received["amount"]), (1, 1.5))

        self.log("partition 1 2: the sides mine 2 and 5 blocks")
        self.localnet("partition", "1", "2")
        assert_equal([r["peers"] for r in self.status()], [1, 1, 1, 1])
        assert_equal(len(self.localnet("mine", "2", "--node=0").stdout.split()), 2)
        assert_equal(len(self.localnet("mine", "5", "--node=3").stdout.split()), 5)
        (left, lh), (right, rh) = self.wait_tips([[0, 1], [2, 3]], "each side to sync")
        assert left != right
        assert_equal((lh, rh), (height + 2, height + 5))

        self.log("heal: every node follows the side with more work")
        self.localnet("heal")
        [(tip, final_height)] = self.wait_tips([range(NODES)], "convergence after heal")
        assert_equal((tip, final_height), (right, rh))
        assert_equal([r["peers"] for r in self.status()], [1, 2, 2, 1])
        sent = json.loads(self.cli(0, "-rpcwallet=w", "gettransaction", txid))
        assert sent["confirmations"] > 0, sent
        assert_equal(sent["confirmations"], 6)

        self.log("errors: bad node index; cli keeps minibit-cli's exit code")
        bad = self.localnet("mine", "1", "--node=9", check=False)
        assert bad.returncode != 0
        assert_in("bad node index", bad.stderr)
        assert self.localnet("cli", "4", "getblockcount", check=False).returncode != 0
        # Core's convention: the exit code is |RPC error code|; -8 is an invalid parameter.
        assert_equal(self.localnet("cli", "0", "getblock", "00", check=False).returncode, 8)
        assert_in("minibit", self.localnet("logs", "2").stdout)

        self.log("down leaves no process behind")
        self.localnet("down")
        assert_equal(processes_with(self.netdir), [])
        assert_equal({r["height"] for r in self.status()}, {None})
        stopped = self.localnet("mine", "1", check=False)
        assert stopped.returncode != 0
        assert_in("not running", stopped.stderr)

        self.log("up again resumes the chains")
        self.localnet("up")
        rows = self.status()
        assert_equal({(r["best_block_hash"], r["height"]) for r in rows}, {(tip, final_height)})
        assert_equal([r["peers"] for r in rows], [1, 2, 2, 1])
        self.localnet("down")
        assert_equal(processes_with(self.netdir), [])


if __name__ == "__main__":
    LocalnetTest().main()
