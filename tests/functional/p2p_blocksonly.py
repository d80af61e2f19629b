#!/usr/bin/env python3
"""-blocksonly (Core v28): the node asks peers not to relay transactions (version relay
flag 0); a peer that announces or sends one anyway is disconnected, without being
punished; transactions submitted over RPC are still accepted."""

from test_framework.p2p import MSG_WTX, ser_inv
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import OpTrueWallet


class BlocksOnlyTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait(["-blocksonly", "-debug=net"])
        wallet = OpTrueWallet(node)
        wallet.generate(101)

        self.log("the version message asks peers not to relay transactions")
        peer = node.add_p2p_connection()
        assert_equal(peer.peer_version["relay"], False)

        self.log("a transaction inv is a protocol violation: disconnected, not punished")
        spend = wallet.create()
        peer.send_message("inv", ser_inv([(MSG_WTX, bytes.fromhex(spend.wtxid)[::-1])]))
        peer.wait_for_disconnect(timeout=10)

        self.log("so is an unasked transaction")
        peer = node.add_p2p_connection()
        peer.send_tx(spend.tx)
        peer.wait_for_disconnect(timeout=10)
        assert spend.txid not in node.getrawmempool()
        with open(node.debug_log_path, encoding="utf8", errors="replace") as f:
            log = f.read()
        assert "in violation of protocol" in log
        assert "Misbehaving" not in log

        self.log("RPC submissions still work")
        node.sendrawtransaction(spend.tx.serialize().hex())
        assert spend.txid in node.getrawmempool()


if __name__ == "__main__":
    BlocksOnlyTest().main()
