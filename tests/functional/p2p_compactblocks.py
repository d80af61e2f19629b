#!/usr/bin/env python3
"""BIP152 compact blocks between two nodes and towards a raw peer.

- A block whose transaction node1 already has in its mempool reaches node1 as a cmpctblock
  and is rebuilt without a getblocktxn round trip (no blocktxn, no full block).
- A block holding a transaction node1 never saw is rebuilt after one getblocktxn/blocktxn.
- A raw peer that asks for high-bandwidth mode (sendcmpct 1, version 2) receives the next
  block as a cmpctblock whose short ids are BIP152's SipHash of each wtxid (computed here in
  Python), with the coinbase prefilled, and gets a transaction back with getblocktxn.

The reconstruction is checked from getpeerinfo: bytesrecv_per_msg / bytessent_per_msg, and the
minibit extension counters (fields whose names contain "cmpct"); without those counters, from
the debug log line Core writes for each reconstruction."""

import re

from test_framework.messages import hex_to_hash
from test_framework.p2p import (ser_getblocktxn, ser_sendcmpct, parse_blocktxn,
                                parse_cmpctblock)
from test_framework.rpc import JSONRPCException
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal
from test_framework.wallet import OP_TRUE_ADDRESS, OpTrueWallet

COUNTERS = ("cmpctblock", "blocktxn", "block")


class CompactBlocksTest(MinibitTestFramework):
    def run_test(self):
        self.nodes_ = [self.add_node(), self.add_node()]
        node0, node1 = self.nodes_
        for node in self.nodes_:
            node.start_and_wait(["-debug=net", "-debug=cmpctblock", "-debug=mempool"])
        self.wallet = OpTrueWallet(node0)
        self.wallet.generate(120)
        self.connect_nodes(1, 0)
        self.sync_blocks(timeout=60)
        # A few single blocks so node1, out of IBD, settles on compact relay from node0.
        for _ in range(3):
            self.wallet.generate(1)
            self.sync_blocks(timeout=30)

        self.test_reconstruct_from_mempool()
        self.test_missing_transaction()
        self.test_raw_peer()

    def give_node1(self, txs):
        """Puts txs into node1's mempool too. Relay is p2p_propagation's subject; here the
        pools are filled over RPC so the test does not wait on trickled announcements."""
        node1 = self.nodes_[1]
        for tx in txs:
            if tx.txid not in node1.getrawmempool():
                try:
                    node1.sendrawtransaction(tx.hex)
                except JSONRPCException as e:
                    if "already" not in e.message:  # relayed meanwhile
                        raise
        self.sync_mempools(timeout=10)

    def peer_of_node0(self):
        node0, node1 = self.nodes_
        return [p for p in node1.getpeerinfo() if p["addr"] == node0.p2p_address][0]

    def snapshot(self):
        peer = self.peer_of_node0()
        recv = {k: peer["bytesrecv_per_msg"].get(k, 0) for k in COUNTERS}
        sent = peer["bytessent_per_msg"].get("getblocktxn", 0)
        extension = {k: v for k, v in peer.items() if "cmpct" in k and isinstance(v, int)}
        return recv, sent, extension

    def extension_delta(self, before, after, fragment):
        keys = [k for k in after if fragment in k]
        return {k: after[k] - before.get(k, 0) for k in keys}

    def reconstruction_logged(self, block_hash):
        """Txs requested for block_hash per Core's "Successfully reconstructed block ... and N
        txn ... requested" line, or None if no such line."""
        log = self.nodes_[1].read_log()
        for line in log.splitlines():
            if "reconstructed block" in line and block_hash in line:
                m = re.search(r"and (\d+) txn", line)
                return int(m.group(1)) if m else -1
        return None

    def test_reconstruct_from_mempool(self):
        node0, node1 = self.nodes_
        self.log("a block of mempool transactions is rebuilt without fetching anything")
        txs = [self.wallet.send_self_transfer() for _ in range(3)]
        self.give_node1(txs)
        recv0, sent0, ext0 = self.snapshot()
        block = self.wallet.generate(1)[0]
        self.sync_blocks(timeout=30)
        assert_equal(sorted(node1.getblock(block)["tx"][1:]), sorted(t.txid for t in txs))
        recv1, sent1, ext1 = self.snapshot()
        self.log(f"  per-message bytes before {recv0} after {recv1}; extension {ext0} -> {ext1}")
        if recv1["cmpctblock"] <= recv0["cmpctblock"]:
            raise TestFailure("node1 did not receive a cmpctblock")
        assert_equal(recv1["blocktxn"], recv0["blocktxn"], "blocktxn received")
        assert_equal(recv1["block"], recv0["block"], "full block received")
        assert_equal(sent1, sent0, "getblocktxn sent")
        if ext1:
            assert_equal(list(self.extension_delta(ext0, ext1, "reconstruct").values()), [1])
            missing = self.extension_delta(ext0, ext1, "missing")
            assert_equal(list(missing.values()), [0] * len(missing))
        else:
            self.wait_until(lambda: self.reconstruction_logged(block) is not None, timeout=10,
                            what="the reconstruction log line")
            assert_equal(self.reconstruction_logged(block), 0)

    def test_missing_transaction(self):
        node0, node1 = self.nodes_
        self.log("a transaction node1 never saw is fetched with getblocktxn")
        unseen = self.wallet.create()
        in_pool = self.wallet.send_self_transfer()
        self.give_node1([in_pool])
        recv0, sent0, ext0 = self.snapshot()
        block = node0.generateblock(OP_TRUE_ADDRESS, [unseen.hex, in_pool.hex])["hash"]
        self.sync_blocks(timeout=30)
        assert_equal(node1.getblock(block)["tx"][1:], [unseen.txid, in_pool.txid])
        recv1, sent1, ext1 = self.snapshot()
        self.log(f"  per-message bytes before {recv0} after {recv1}; extension {ext0} -> {ext1}")
        if recv1["cmpctblock"] <= recv0["cmpctblock"]:
            raise TestFailure("node1 did not receive a cmpctblock")
        if recv1["blocktxn"] <= recv0["blocktxn"] or sent1 <= sent0:
            raise TestFailure("no getblocktxn/blocktxn round trip for the unseen transaction")
        assert_equal(recv1["block"], recv0["block"], "full block received")
        if ext1:
            assert_equal(list(self.extension_delta(ext0, ext1, "missing").values()), [1])

    def test_raw_peer(self):
        node0 = self.nodes_[0]
        self.log("a raw high-bandwidth peer receives a cmpctblock with BIP152 short ids")
        peer = node0.add_p2p_connection()
        peer.send_message("sendcmpct", ser_sendcmpct(True, 2))
        # Tell the node we have its tip, so it announces the next block by cmpctblock.
        peer.send_getheaders([hex_to_hash(node0.getbestblockhash())])
        peer.sync_with_ping()
        txs = [self.wallet.send_self_transfer() for _ in range(2)]
        peer.sync_with_ping()
        block_hash = self.wallet.generate(1)[0]
        msg = peer.wait_for_message("cmpctblock", timeout=30)
        cmpct = parse_cmpctblock(msg.payload)
        assert_equal(cmpct.block_hash_hex(), block_hash)
        block = node0.getblock(block_hash, 2)
        wtxids = [hex_to_hash(tx["hash"]) for tx in block["tx"]]
        assert_equal([i for i, _ in cmpct.prefilled], [0])
        assert_equal(cmpct.prefilled[0][1].wtxid(), wtxids[0])
        assert_equal(cmpct.short_ids, cmpct.expected_short_ids(wtxids[1:]))
        assert_equal(sorted(t.wtxid for t in txs),
                     sorted(tx["hash"] for tx in block["tx"][1:]))

        peer.send_message("getblocktxn", ser_getblocktxn(cmpct.block_hash(), [1, 2]))
        reply = peer.wait_for_message("blocktxn", timeout=30)
        got_hash, got_txs = parse_blocktxn(reply.payload)
        assert_equal(got_hash, cmpct.block_hash())
        assert_equal([t.wtxid() for t in got_txs], wtxids[1:3])
        assert peer.is_connected
        peer.close()


if __name__ == "__main__":
    CompactBlocksTest().main()
