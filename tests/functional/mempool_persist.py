#!/usr/bin/env python3
"""mempool.dat: a restart keeps the pool (entry times and prioritisation deltas included),
-persistmempool=0 neither loads nor writes it, savemempool returns its path, and a damaged
file is logged and leaves an empty pool that still works."""

import os

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, wait_until
from test_framework.wallet import OpTrueWallet


class MempoolPersistTest(MinibitTestFramework):
    def restart(self, args=()):
        self.node.stop()
        self.node.start_and_wait(list(args))
        wait_until(lambda: self.node.getmempoolinfo()["loaded"], what="mempool loaded")

    def run_test(self):
        node = self.node = self.add_node()
        node.start_and_wait()
        wallet = OpTrueWallet(node)
        wallet.generate(110)
        dat = os.path.join(node.chain_datadir, "mempool.dat")

        self.log("a pool of three, one of them prioritised, plus a delta for an unknown txid")
        parent = wallet.send_self_transfer(fee_rate=3)
        child = wallet.send(wallet.create(utxos=parent.utxos[0], fee_rate=7))
        other = wallet.send_self_transfer(fee_rate=20)
        node.prioritisetransaction(other.txid, 0, 4321)
        absent = "ef" * 32
        node.prioritisetransaction(absent, 0, -77)
        before = node.getrawmempool(True)
        assert_equal(len(before), 3)

        self.log("savemempool writes mempool.dat and returns its path")
        saved = node.savemempool()
        assert_equal(os.path.realpath(saved["filename"]), os.path.realpath(dat))
        assert os.path.getsize(dat) > 0

        self.log("restart: the same transactions, times, fees and deltas")
        self.restart()
        after = node.getrawmempool(True)
        assert_equal(sorted(after), sorted(before))
        for txid in before:
            for key in ("time", "vsize", "weight", "fees", "depends", "spentby", "wtxid"):
                assert_equal(after[txid][key], before[txid][key], f"{txid} {key}")
        assert_in("Imported mempool transactions from disk: 3", node.read_log(since_start=True))
        prio = node.getprioritisedtransactions()
        assert_equal(prio[other.txid]["fee_delta"], 4321)
        assert_equal(prio[other.txid]["in_mempool"], True)
        assert_equal(prio[absent], {"fee_delta": -77, "in_mempool": False})

        self.log("-persistmempool=0: starts empty and leaves the file alone")
        extra = wallet.send_self_transfer()
        node.stop()  # persisting: writes four transactions
        stat = os.stat(dat)
        node.start_and_wait(["-persistmempool=0"])
        wait_until(lambda: node.getmempoolinfo()["loaded"], what="mempool loaded")
        assert_equal(node.getrawmempool(), [])
        assert_equal(node.getprioritisedtransactions(), {})
        wallet.send_self_transfer()
        node.stop()
        assert_equal((os.stat(dat).st_size, os.stat(dat).st_mtime_ns),
                     (stat.st_size, stat.st_mtime_ns))
        node.start_and_wait()
        wait_until(lambda: node.getmempoolinfo()["loaded"], what="mempool loaded")
        assert_equal(sorted(node.getrawmempool()),
                     sorted([parent.txid, child.txid, other.txid, extra.txid]))
        node.stop()

        self.log("a damaged mempool.dat is logged; the pool starts empty and works")
        with open(dat, "wb") as f:
            f.write(b"\x02\x00\x00\x00\x00\x00\x00\x00" + b"\xff" * 5)
        node.start_and_wait()
        wait_until(lambda: node.getmempoolinfo()["loaded"], what="mempool loaded")
        node.wait_for_log("Failed to deserialize mempool data on disk")
        assert_equal(node.getrawmempool(), [])
        fresh = wallet.send_self_transfer()
        assert_equal(node.getrawmempool(), [fresh.txid])
        node.stop()
        with open(dat, "wb") as f:
            f.write(b"\x63" + b"\x00" * 7)  # unknown version
        node.start_and_wait()
        node.wait_for_log("Failed to deserialize mempool data on disk")
        assert_equal(node.getrawmempool(), [])


if __name__ == "__main__":
    MempoolPersistTest().main()
