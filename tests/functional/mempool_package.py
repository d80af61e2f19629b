#!/usr/bin/env python3
"""Packages and CPFP: submitpackage lets a child pay for a parent below the (raised) mempool
minimum, testmempoolaccept checks packages without changing anything, and block assembly
(generatetoaddress, getblocktemplate) mines a low-fee parent with its high-fee child."""

from decimal import Decimal

from test_framework.messages import COIN
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, assert_not_in, assert_raises_rpc_error
from test_framework.wallet import OpTrueWallet


def btc(sats):
    return Decimal(sats) / COIN


def kvb_rate(fee, vsize):
    """BTC/kvB as Core prints a CFeeRate(fee, vsize): satoshis per 1000 vB, truncated."""
    return btc(fee * 1000 // vsize)


class MempoolPackageTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait(["-maxmempool=5"])
        wallet = OpTrueWallet(node)
        wallet.generate(150)

        self.log("testmempoolaccept of a package: sorted, both allowed, nothing added")
        parent = wallet.create(fee_rate=2)
        child = wallet.create(utxos=parent.utxos[0], fee_rate=60)
        results = node.testmempoolaccept([parent.hex, child.hex])
        assert_equal([r["txid"] for r in results], [parent.txid, child.txid])
        assert_equal([r["allowed"] for r in results], [True, True])
        assert_equal(results[1]["vsize"], child.vsize)
        assert_equal(results[1]["fees"]["base"], btc(child.fee))
        assert_equal(node.getrawmempool(), [])
        unsorted = node.testmempoolaccept([child.hex, parent.hex])
        for r in unsorted:
            assert_equal(r["package-error"], "package-not-sorted")
            assert_not_in("allowed", r)
        assert_raises_rpc_error(-8, "Array must contain between 1 and 25 transactions.",
                                node.testmempoolaccept, [])

        self.log("raise the mempool minimum by filling -maxmempool=5")
        wallet.fill_mempool(start_fee_rate=3)
        min_fee = node.getmempoolinfo()["mempoolminfee"]
        assert min_fee > Decimal("0.00002"), min_fee  # above the parent's 2 sat/vB

        self.log("the parent alone is refused; testmempoolaccept does no CPFP")
        result = node.testmempoolaccept([parent.hex])[0]
        assert_equal(result["reject-reason"], "mempool min fee not met")
        results = node.testmempoolaccept([parent.hex, child.hex])
        assert_equal(results[0]["reject-reason"], "mempool min fee not met")
        # The package did not fail a package rule: no package-error; the child is unchecked.
        for r in results:
            assert_not_in("package-error", r)
        assert_not_in("allowed", results[1])

        self.log("submitpackage: the child pays for its parent")
        answer = node.submitpackage([parent.hex, child.hex])
        assert_equal(answer["package_msg"], "success")
        assert_equal(answer["replaced-transactions"], [])
        package_rate = kvb_rate(parent.fee + child.fee, parent.vsize + child.vsize)
        for tx in (parent, child):
            r = answer["tx-results"][tx.wtxid]
            assert_equal(r["txid"], tx.txid)
            assert_equal(r["vsize"], tx.vsize)
            assert_equal(r["fees"]["base"], btc(tx.fee))
            assert_equal(r["fees"]["effective-feerate"], package_rate)
            assert_equal(sorted(r["fees"]["effective-includes"]),
                         sorted([parent.wtxid, child.wtxid]))
        pool = node.getrawmempool()
        assert_in(parent.txid, pool)
        assert_in(child.txid, pool)
        assert_equal(node.getmempoolentry(child.txid)["depends"], [parent.txid])
        # Submitting it again reports both as already there.
        again = node.submitpackage([parent.hex, child.hex])
        assert_equal(again["package_msg"], "success")
        assert_equal(again["tx-results"][child.wtxid]["txid"], child.txid)

        self.log("a zero-fee parent: Core v28 keeps the min relay fee per transaction")
        zero = wallet.create(fee=0)
        zero_child = wallet.create(utxos=zero.utxos[0], fee_rate=100)
        answer = node.submitpackage([zero.hex, zero_child.hex])
        assert_equal(answer["package_msg"], "transaction failed")
        assert_equal(answer["tx-results"][zero.wtxid]["error"],
                     f"min relay fee not met, 0 < {zero.vsize}")
        assert_not_in(zero.txid, node.getrawmempool())
        # prioritisetransaction lifts its modified fee to the relay minimum: then it goes in.
        node.prioritisetransaction(zero.txid, 0, zero.vsize)
        answer = node.submitpackage([zero.hex, zero_child.hex])
        assert_equal(answer["package_msg"], "success")
        assert_equal(node.getmempoolentry(zero.txid)["fees"]["base"], Decimal(0))
        assert_equal(node.getmempoolentry(zero.txid)["fees"]["modified"], btc(zero.vsize))

        self.log("package errors")
        assert_raises_rpc_error(
            -25, "package topology disallowed. not child-with-parents or parents depend on each "
            "other.", node.submitpackage, [child.hex, parent.hex])
        unrelated = wallet.create()
        assert_raises_rpc_error(-25, "package topology disallowed", node.submitpackage,
                                [unrelated.hex, child.hex])
        assert_raises_rpc_error(-8, "Array must contain between 1 and 25 transactions.",
                                node.submitpackage, [])
        # One transaction is a package too (Core v28).
        single = node.submitpackage([unrelated.hex])
        assert_equal(single["package_msg"], "success")
        assert_in(unrelated.txid, node.getrawmempool())

        self.log("CPFP in block assembly (-blockmintxfee=0.00005)")
        node.stop()
        node.start_and_wait(["-blockmintxfee=0.00005", "-persistmempool=0"])
        wallet.generate(1)
        low = wallet.send_self_transfer(fee_rate=1)
        block = node.getblock(wallet.generate(1)[0])
        assert_equal(len(block["tx"]), 1)  # 1 sat/vB is below the block minimum
        assert_in(low.txid, node.getrawmempool())
        high = wallet.send(wallet.create(utxos=low.utxos[0], fee_rate=50))
        assert kvb_rate(low.fee + high.fee, low.vsize + high.vsize) > Decimal("0.00005")
        template = node.getblocktemplate({"rules": ["segwit"]})
        txids = [t["txid"] for t in template["transactions"]]
        assert_equal(txids, [low.txid, high.txid])
        assert_equal(template["transactions"][0]["fee"], low.fee)
        assert_equal(template["transactions"][1]["fee"], high.fee)
        assert_equal(template["transactions"][1]["depends"], [1])
        assert_equal(template["transactions"][1]["weight"], high.weight)
        assert_equal(template["coinbasevalue"], 50 * COIN // 2 + low.fee + high.fee)
        block = node.getblock(wallet.generate(1)[0])
        assert_equal(block["tx"][1:], [low.txid, high.txid])
        assert_equal(node.getrawmempool(), [])


if __name__ == "__main__":
    MempoolPackageTest().main()
