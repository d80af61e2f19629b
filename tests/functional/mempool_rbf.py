#!/usr/bin/env python3
"""Replace-by-fee (BIP125 rules as Core v28 applies them, full RBF on): each rule accepted
and refused, and replaced transactions (with their descendants) gone from the pool."""

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import (assert_equal, assert_in, assert_not_in, assert_raises_rpc_error)
from test_framework.wallet import OpTrueWallet


class MempoolRbfTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait()
        self.node = node
        wallet = self.wallet = OpTrueWallet(node)
        wallet.generate(110)

        self.log("full RBF: a non-signalling transaction is replaced by a better one")
        coin = wallet.get_utxo()
        original = wallet.send(wallet.create(utxos=coin, fee_rate=10, sequence=0xFFFFFFFF))
        assert_equal(node.getmempoolentry(original.txid)["bip125-replaceable"], False)
        assert_equal(node.getmempoolinfo()["fullrbf"], True)
        replacement = wallet.create(utxos=coin, fee=original.fee + original.vsize * 2)
        assert_equal(replacement.vsize, original.vsize)
        # testmempoolaccept reports the replacement as acceptable and changes nothing.
        assert_equal(node.testmempoolaccept([replacement.hex])[0]["allowed"], True)
        assert_in(original.txid, node.getrawmempool())
        wallet.send(replacement)
        pool = node.getrawmempool()
        assert_in(replacement.txid, pool)
        assert_not_in(original.txid, pool)
        assert_raises_rpc_error(-5, "Transaction not in mempool", node.getmempoolentry,
                                original.txid)

        self.log("rule 3: the replacement must pay at least the fees it removes")
        coin = wallet.get_utxo()
        # Two outputs: larger, so a smaller replacement can pay a higher feerate but less fee.
        big = wallet.send(wallet.create(utxos=coin, fee_rate=10, num_outputs=2))
        small = wallet.create(utxos=coin, fee=big.fee - 1)
        assert small.feerate() > big.feerate()
        result = node.testmempoolaccept([small.hex])[0]
        assert_equal(result["reject-reason"], "insufficient fee")
        assert_raises_rpc_error(
            -26, f"insufficient fee, rejecting replacement {small.txid}, less fees than "
            f"conflicting txs", node.sendrawtransaction, small.hex)
        assert_in(big.txid, node.getrawmempool())

        self.log("rule 4: the extra fee must pay for the replacement at the incremental rate")
        enough = big.fee + small.vsize  # 1 sat/vB incremental relay fee
        short = wallet.create(utxos=coin, fee=enough - 1)
        assert_equal(short.vsize, small.vsize)
        assert_raises_rpc_error(
            -26, f"insufficient fee, rejecting replacement {short.txid}, not enough additional "
            f"fees to relay", node.sendrawtransaction, short.hex)
        ok = wallet.send(wallet.create(utxos=coin, fee=enough))
        assert_equal(sorted(node.getrawmempool()), sorted([replacement.txid, ok.txid]))

        self.log("rule 6 (feerate): a replacement at a lower feerate is refused")
        coin = wallet.get_utxo()
        dense = wallet.send(wallet.create(utxos=coin, fee_rate=50))
        # More fee in total but at a lower rate (three outputs make it larger).
        sparse = wallet.create(utxos=coin, fee=dense.fee + 100, num_outputs=3)
        assert sparse.feerate() < dense.feerate()
        assert_raises_rpc_error(-26, "insufficient fee, rejecting replacement "
                                f"{sparse.txid}; new feerate", node.sendrawtransaction, sparse.hex)

        self.log("rule 2: no new unconfirmed inputs")
        coin = wallet.get_utxo()
        first = wallet.send(wallet.create(utxos=coin, fee_rate=5))
        unrelated = wallet.send_self_transfer(fee_rate=5)
        adds = wallet.create(utxos=[coin, unrelated.utxos[0]], fee_rate=50)
        result = node.testmempoolaccept([adds.hex])[0]
        assert_equal(result["reject-reason"], "replacement-adds-unconfirmed")
        assert_raises_rpc_error(
            -26, f"replacement-adds-unconfirmed, replacement {adds.txid} adds unconfirmed input",
            node.sendrawtransaction, adds.hex)
        # A new confirmed input is fine.
        confirmed = wallet.get_utxo()
        adds_confirmed = wallet.send(wallet.create(utxos=[coin, confirmed], fee_rate=50))
        assert_not_in(first.txid, node.getrawmempool())

        self.log("a replacement may not spend an output of what it replaces")
        coin = wallet.get_utxo()
        parent = wallet.send(wallet.create(utxos=coin, fee_rate=5))
        own_child = wallet.create(utxos=[coin, parent.utxos[0]], fee_rate=100)
        result = node.testmempoolaccept([own_child.hex])[0]
        assert_equal(result["reject-reason"], "bad-txns-spends-conflicting-tx")
        assert_raises_rpc_error(
            -26, f"bad-txns-spends-conflicting-tx, {own_child.txid} spends conflicting "
            f"transaction {parent.txid}", node.sendrawtransaction, own_child.hex)

        self.log("descendants of a replaced transaction leave with it; their fees count")
        coin = wallet.get_utxo()
        chain = wallet.send_chain(coin, 3, fee_rate=5)
        total = sum(t.fee for t in chain)
        too_little = wallet.create(utxos=coin, fee=total - 1)
        assert_raises_rpc_error(-26, "less fees than conflicting txs", node.sendrawtransaction,
                                too_little.hex)
        repl = wallet.send(wallet.create(utxos=coin, fee=total + 200))
        pool = node.getrawmempool()
        assert_in(repl.txid, pool)
        for t in chain:
            assert_not_in(t.txid, pool)

        self.log("rule 5: at most 100 transactions evicted")
        fan = wallet.create(num_outputs=101, fee_rate=2)
        wallet.send(fan)
        self.log("mining confirms the replacements so far, not the replaced")
        block = node.getblock(wallet.generate(1)[0])
        for t in (replacement, ok, adds_confirmed, repl, fan, dense, parent):
            assert_in(t.txid, block["tx"])
        for t in [original, big, first, sparse, too_little] + chain:
            assert_not_in(t.txid, block["tx"])
        assert_equal(node.getrawmempool(), [])
        spends = [wallet.send(wallet.create(utxos=u, fee_rate=1)) for u in fan.utxos]
        pool = node.getrawmempool()
        for s in spends:
            assert_in(s.txid, pool)
        fees = sum(s.fee for s in spends)
        too_many = wallet.create(utxos=fan.utxos, fee=fees + 20000)
        assert_raises_rpc_error(-26, "too many potential replacements", node.sendrawtransaction,
                                too_many.hex)
        assert_equal(node.testmempoolaccept([too_many.hex])[0]["reject-reason"],
                     "too many potential replacements")
        hundred = wallet.create(utxos=fan.utxos[:100], fee=fees + 20000)
        wallet.send(hundred)
        pool = node.getrawmempool()
        assert_in(hundred.txid, pool)
        assert_in(spends[100].txid, pool)
        for s in spends[:100]:
            assert_not_in(s.txid, pool)

        block = node.getblock(wallet.generate(1)[0])
        assert_equal(sorted(block["tx"][1:]), sorted([hundred.txid, spends[100].txid]))
        assert_equal(node.getrawmempool(), [])


if __name__ == "__main__":
    MempoolRbfTest().main()
