#!/usr/bin/env python3
"""A reorg returns a confirmed payment to unconfirmed and a new block confirms it again: the
wallet follows the chain through block disconnections and the mempool."""

from decimal import Decimal

from test_framework.address import p2wsh_address
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in
from test_framework.wallet_util import start_alice_and_bob


class WalletReorgTest(MinibitTestFramework):
    def run_test(self):
        n0, n1, alice, bob = start_alice_and_bob(self)

        self.log("a payment confirmed in a block both nodes have")
        txid = alice.sendtoaddress(bob.getnewaddress(), 2)
        self.sync_mempools()
        block = n0.generatetoaddress(1, p2wsh_address(b"\x51"))[0]
        self.sync_blocks()
        self.wait_until(lambda: bob.getbalances()["mine"]["trusted"] == Decimal("2"),
                        what="Bob's confirmed payment")
        assert_equal(alice.gettransaction(txid)["blockhash"], block)

        self.log("node1, cut off, invalidates that block and mines a longer empty fork")
        self.disconnect_nodes(1, 0)
        n1.invalidateblock(block)
        self.wait_until(lambda: bob.gettransaction(txid)["confirmations"] == 0,
                        what="Bob's payment back to unconfirmed")
        assert_equal(bob.getbalances()["mine"]["trusted"], Decimal("0"))
        assert_in(txid, n1.getrawmempool())
        # Empty blocks: the fork must not confirm the payment.
        fork = [n1.generateblock(p2wsh_address(b"\x52"), [])["hash"] for _ in range(2)]
        self.wait_until(lambda: bob.gettransaction(txid)["confirmations"] == 0,
                        what="the payment still unconfirmed on the fork")
        n1.reconsiderblock(block)  # the old block is valid again, but the fork has more work
        assert_equal(n1.getbestblockhash(), fork[-1])

        self.log("node0 reorgs to the fork: Alice's payment is unconfirmed there too")
        self.connect_nodes(1, 0)
        self.sync_blocks()
        self.wait_until(lambda: alice.gettransaction(txid)["confirmations"] == 0,
                        what="Alice's payment back to unconfirmed")
        assert_in(txid, n0.getrawmempool())
        assert "blockhash" not in alice.gettransaction(txid)

        self.log("a new block confirms it again, on both sides")
        again = n0.generatetoaddress(1, p2wsh_address(b"\x53"))[0]
        self.sync_blocks()
        for wallet in (alice, bob):
            self.wait_until(lambda w=wallet: w.gettransaction(txid)["confirmations"] == 1,
                            what="the payment confirmed again")
            assert_equal(wallet.gettransaction(txid)["blockhash"], again)
        assert_equal(bob.getbalances()["mine"]["trusted"], Decimal("2"))
        for node in (n0, n1):
            assert_equal(node.stop(), 0)


if __name__ == "__main__":
    WalletReorgTest().main()
