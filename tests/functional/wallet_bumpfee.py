#!/usr/bin/env python3
"""bumpfee replaces a stuck payment: Alice pays Bob at 1 sat/vB, bumps it, both nodes' mempools
swap the transaction, the original is marked replaced, and once mined Bob holds the payment and
the original counts as conflicted. psbtbumpfee gives an unsigned replacement that
walletprocesspsbt signs."""

from decimal import Decimal

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, assert_not_in, assert_raises_rpc_error
from test_framework.wallet_util import sats, start_alice_and_bob


class WalletBumpFeeTest(MinibitTestFramework):
    def run_test(self):
        n0, n1, alice, bob = start_alice_and_bob(self)

        self.log("a payment at 1 sat/vB")
        to_bob = bob.getnewaddress()
        old = alice.sendtoaddress(to_bob, 1, "", "", False, True, None, "unset", False, 1)
        self.sync_mempools()
        old_entry = n0.getmempoolentry(old)
        assert_equal(sats(old_entry["fees"]["base"]), old_entry["vsize"])  # 1 sat/vB
        self.wait_until(lambda: old in [t["txid"] for t in bob.listtransactions()],
                        what="Bob sees the payment")

        self.log("bumpfee replaces it in both mempools")
        bumped = alice.bumpfee(old)
        assert_equal(bumped["errors"], [])
        new = bumped["txid"]
        assert new != old
        assert_equal(bumped["origfee"], old_entry["fees"]["base"])
        new_entry = n0.getmempoolentry(new)
        # BIP125 rule 4: the new fee pays for its own size at the incremental relay fee.
        assert sats(bumped["fee"]) >= sats(bumped["origfee"]) + new_entry["vsize"], bumped
        assert_equal(new_entry["fees"]["base"], bumped["fee"])
        self.sync_mempools()
        assert_in(new, n1.getrawmempool())
        assert_not_in(old, n1.getrawmempool())
        assert_equal(alice.gettransaction(old)["replaced_by_txid"], new)
        assert_equal(alice.gettransaction(new)["replaces_txid"], old)
        assert_in(new, alice.gettransaction(old)["walletconflicts"])
        assert_raises_rpc_error(-4, None, alice.bumpfee, old)
        # The payment itself is unchanged.
        outs = n0.decoderawtransaction(alice.gettransaction(new)["hex"])["vout"]
        assert_in((to_bob, Decimal("1")),
                  [(o["scriptPubKey"].get("address"), o["value"]) for o in outs])

        self.log("mined, Bob holds 1 BTC and the original is conflicted")
        n0.generatetoaddress(1, alice.getnewaddress())
        self.sync_blocks()
        self.wait_until(lambda: bob.getbalance() == Decimal("1"), what="Bob's balance")
        assert_equal(alice.gettransaction(new)["confirmations"], 1)
        assert_equal(alice.gettransaction(old)["confirmations"], -1)
        assert_raises_rpc_error(-4, "Transaction has been mined", alice.bumpfee, new)

        self.log("psbtbumpfee: an unsigned replacement, signed by walletprocesspsbt")
        third = alice.sendtoaddress(to_bob, Decimal("0.5"), "", "", False, True, None, "unset",
                                    False, 1)
        result = alice.psbtbumpfee(third)
        assert "psbt" in result and result["fee"] > result["origfee"], result
        signed = alice.walletprocesspsbt(result["psbt"])
        assert_equal(signed["complete"], True)
        replacement = n0.sendrawtransaction(signed["hex"])
        assert_in(replacement, n0.getrawmempool())
        assert_not_in(third, n0.getrawmempool())
        for node in (n0, n1):
            assert_equal(node.stop(), 0)


if __name__ == "__main__":
    WalletBumpFeeTest().main()
