#!/usr/bin/env python3
"""Propagation along a 5-node line 0-1-2-3-4: a block mined on node0 reaches node4, a
transaction sent on node0 reaches node4's mempool hop by hop, and a longer fork mined on node4
while it was cut off replaces node0's chain once the line is whole again.

Transaction relay is trickled (a few seconds per hop on average, exponentially distributed), so
this test takes some tens of seconds, and the transaction gets a generous wait: on a loaded
machine four hops have been seen to take over a minute."""

from test_framework.address import p2wsh_address
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, assert_not_in
from test_framework.wallet import OpTrueWallet

NODES = 5


class PropagationTest(MinibitTestFramework):
    def run_test(self):
        nodes = [self.add_node() for _ in range(NODES)]
        for node in nodes:
            node.start_and_wait(["-debug=net"])
        wallet = OpTrueWallet(nodes[0])
        wallet.generate(101)
        self.log("the line 0-1-2-3-4 syncs node0's chain link by link")
        for i in range(NODES - 1):
            self.connect_nodes(i + 1, i)
            self.sync_blocks(nodes[:i + 2], timeout=60)
        assert_equal(nodes[4].getblockcount(), 101)
        # Only neighbours are connected.
        assert_equal(len(nodes[0].getpeerinfo()), 1)
        assert_equal(len(nodes[2].getpeerinfo()), 2)
        assert_equal(len(nodes[4].getpeerinfo()), 1)

        self.log("a block mined on node0 reaches node4")
        block = wallet.generate(1)[0]
        self.wait_until(lambda: nodes[4].getbestblockhash() == block, timeout=30,
                        what="node0's block at node4")

        self.log("a transaction sent on node0 reaches node4's mempool")
        tx = wallet.send_self_transfer()
        self.wait_until(lambda: tx.txid in nodes[4].getrawmempool(), timeout=180,
                        what="the transaction in node4's mempool")
        self.sync_mempools(timeout=30)
        for node in nodes:
            assert_equal(node.getmempoolentry(tx.txid)["wtxid"], tx.wtxid)

        self.log("node4, cut off, mines a longer fork; reconnected, node0 reorgs to it")
        self.disconnect_nodes(4, 3)
        old_tip = wallet.generate(1)[0]  # confirms tx on node0's side
        self.sync_blocks(nodes[:4], timeout=30)
        assert_in(tx.txid, nodes[0].getblock(old_tip)["tx"])
        # Another payout address: mined on the same parent in the same second with the same
        # transaction, node4's first block would otherwise be node0's block, byte for byte.
        fork = nodes[4].generatetoaddress(3, p2wsh_address(b"\x52"))
        assert_equal(nodes[4].getblockcount(), nodes[0].getblockcount() + 2)
        self.connect_nodes(4, 3)
        self.sync_blocks(timeout=30)
        assert_equal(nodes[0].getbestblockhash(), fork[-1])
        assert_equal(nodes[0].getblockheader(old_tip)["confirmations"], -1)
        # node4 had tx in its mempool too, so its first fork block confirmed it.
        assert_in(tx.txid, nodes[0].getblock(fork[0])["tx"])
        assert_not_in(tx.txid, nodes[0].getrawmempool())
        statuses = {t["hash"]: t["status"] for t in nodes[0].getchaintips()}
        assert_equal(statuses[fork[-1]], "active")
        assert_equal(statuses[old_tip], "valid-fork")


if __name__ == "__main__":
    PropagationTest().main()
