#!/usr/bin/env python3
"""Headers-first sync over real connections: a second node syncs 600 blocks from the first; a
third syncs too; a fourth connects to the three synced peers at once and syncs, receiving
blocks from more than one of them (getpeerinfo bytesrecv_per_msg["block"]).

With 600 blocks and at most 16 blocks in flight per peer, a node downloading from three peers
that all have the chain spreads its requests over them; the assertion is made over the whole
sync, so it needs no timing."""

from test_framework.messages import hex_to_hash
from test_framework.node import wait_for_connection
from test_framework.p2p import parse_headers
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal
from test_framework.wallet import OP_TRUE_ADDRESS

BLOCKS = 600


class SyncTest(MinibitTestFramework):
    def run_test(self):
        nodes = [self.add_node() for _ in range(4)]
        for node in nodes:
            node.start_and_wait(["-debug=net"])

        self.log(f"node0 mines {BLOCKS} blocks")
        for _ in range(BLOCKS // 100):
            nodes[0].generatetoaddress(100, OP_TRUE_ADDRESS)
        tip = nodes[0].getbestblockhash()
        assert_equal(nodes[0].getblockcount(), BLOCKS)

        self.log("node1 connects to node0 and syncs")
        self.connect_nodes(1, 0)
        self.sync_blocks([0, 1], timeout=120)
        assert_equal(nodes[1].getbestblockhash(), tip)
        assert_equal(nodes[1].getblockcount(), BLOCKS)
        # The blocks came over the wire from node0.
        peer0 = [p for p in nodes[1].getpeerinfo() if p["addr"] == nodes[0].p2p_address][0]
        if peer0["bytesrecv_per_msg"].get("block", 0) < BLOCKS * (80 + 24):
            raise TestFailure(f"node1 received too few block bytes: {peer0['bytesrecv_per_msg']}")

        self.log("node2 connects to node1 and syncs")
        self.connect_nodes(2, 1)
        self.sync_blocks([0, 1, 2], timeout=120)

        self.log("node3 connects to node0, node1 and node2 together and syncs from them")
        for i in range(3):
            self.connect_nodes(3, i, wait=False)
        for i in range(3):
            self.wait_for_outbound(nodes[3], nodes[i])
        self.sync_blocks(timeout=120)
        assert_equal(nodes[3].getbestblockhash(), tip)
        served = {}
        for peer in nodes[3].getpeerinfo():
            served[peer["addr"]] = peer["bytesrecv_per_msg"].get("block", 0)
        self.log(f"  block bytes node3 received per peer: {served}")
        senders = [addr for addr, n in served.items() if n > 0]
        if len(senders) < 2:
            raise TestFailure(f"node3 received blocks from {len(senders)} peer(s): {served}")
        # Every block arrived at least once (counts include each message's 24-byte header); a few
        # may come twice when a slow peer's request is reassigned, so the upper bound is loose.
        total = sum(served.values())
        one_copy = sum(len(nodes[0].getblock(nodes[0].getblockhash(h), 0)) // 2
                       for h in range(1, BLOCKS + 1))
        if total < one_copy or total > 2 * (one_copy + 24 * BLOCKS):
            raise TestFailure(f"node3 received {total} block bytes for a {one_copy}-byte chain")

        self.log("all four stay in sync for a new block")
        nodes[2].generatetoaddress(1, OP_TRUE_ADDRESS)
        self.sync_blocks(nodes, timeout=30)

        fresh = self.add_node()
        fresh.start_and_wait(["-debug=net"])
        self.log("a node at genesis answers getheaders (Core >= 24: empty headers, not silence)")
        # Otherwise a peer that connected while both were at genesis waits two minutes
        # (HEADERS_RESPONSE_TIME) before it asks again.
        peer = fresh.add_p2p_connection()
        peer.send_getheaders([hex_to_hash(fresh.getbestblockhash())])
        reply = peer.wait_for_message("headers", timeout=10)
        assert_equal(parse_headers(reply.payload), [])
        peer.close()

    def wait_for_outbound(self, a, b):
        wait_for_connection(a, b)


if __name__ == "__main__":
    SyncTest().main()
