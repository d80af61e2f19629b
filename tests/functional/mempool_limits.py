#!/usr/bin/env python3
"""Mempool size limit and expiry: with -maxmempool=5 the pool fills up, the lowest-feerate
packages are evicted, mempoolminfee rises and refuses what pays less; with
-mempoolexpiry and setmocktime, old transactions (and their descendants) leave."""

import time
from decimal import Decimal

from test_framework.messages import COIN
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import (assert_equal, assert_in, assert_not_in, assert_raises_rpc_error,
                                 assert_raises_rpc_error_exact)
from test_framework.wallet import OpTrueWallet


class MempoolLimitsTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait(["-maxmempool=5"])
        wallet = OpTrueWallet(node)
        wallet.generate(150)

        info = node.getmempoolinfo()
        assert_equal(info["maxmempool"], 5_000_000)
        assert_equal(info["mempoolminfee"], Decimal("0.00001000"))

        self.log("a low-feerate parent and child go in first")
        low_parent = wallet.send_self_transfer(fee_rate=1)
        low_child = wallet.send(wallet.create(utxos=low_parent.utxos[0], fee_rate=1))
        keeper = wallet.send_self_transfer(fee_rate=50)

        self.log("fill the pool with large transactions at rising feerates")
        def under_limit(info):
            assert info["usage"] <= 5_000_000, info

        fillers = wallet.fill_mempool(check=under_limit)
        assert len(fillers) > 5, len(fillers)
        pool = node.getrawmempool()
        assert_not_in(low_parent.txid, pool)
        assert_not_in(low_child.txid, pool)
        assert_in(keeper.txid, pool)
        assert_in(fillers[-1].txid, pool)

        self.log("mempoolminfee rose above the evicted package's feerate")
        info = node.getmempoolinfo()
        min_fee = info["mempoolminfee"]  # BTC/kvB
        assert min_fee > Decimal("0.00001"), min_fee
        assert_equal(info["minrelaytxfee"], Decimal("0.00001000"))
        min_fee_sat_vb = min_fee * COIN / 1000
        # Core: the rolling minimum is the evicted feerate plus the incremental relay fee.
        assert min_fee_sat_vb >= 2, min_fee_sat_vb

        self.log("a transaction below mempoolminfee is refused")
        below = wallet.create(fee_rate=min_fee_sat_vb - Decimal("0.1"))
        result = node.testmempoolaccept([below.hex])[0]
        assert_equal(result["allowed"], False)
        assert_equal(result["reject-reason"], "mempool min fee not met")
        assert_raises_rpc_error(-26, "mempool min fee not met", node.sendrawtransaction,
                                below.hex)
        above = wallet.send(wallet.create(utxos=below.spent,
                                          fee_rate=min_fee_sat_vb + Decimal(5)))
        assert_in(above.txid, node.getrawmempool())

        self.log("after blocks the minimum decays with time, not at once")
        wallet.generate(3)  # about 9 M weight units of fillers
        assert_equal(node.getrawmempool(), [])
        assert node.getmempoolinfo()["mempoolminfee"] > Decimal("0.00001")
        assert_raises_rpc_error(-26, "mempool min fee not met", node.sendrawtransaction,
                                low_parent.hex)
        # Two days at a half-life of at most 12 hours takes it below half the incremental
        # fee, where it drops to zero and the min relay fee rules again.
        node.setmocktime(int(time.time()) + 2 * 24 * 3600)
        assert_equal(node.getmempoolinfo()["mempoolminfee"], Decimal("0.00001000"))
        node.sendrawtransaction(low_parent.hex)
        node.sendrawtransaction(low_child.hex)
        node.setmocktime(0)

        self.log("expiry: -mempoolexpiry=1 with setmocktime")
        node.stop()
        node.start_and_wait(["-mempoolexpiry=1"])
        assert_raises_rpc_error_exact(-8, "Mocktime cannot be negative: -1.", node.setmocktime,
                                      -1)
        now = int(time.time())
        node.setmocktime(now)
        old = wallet.send_self_transfer()
        old_child = wallet.send(wallet.create(utxos=old.utxos[0]))
        assert_equal(node.getmempoolentry(old.txid)["time"], now)
        node.setmocktime(now + 1800)
        newer = wallet.send_self_transfer()
        assert_equal(node.getmempoolentry(newer.txid)["time"], now + 1800)
        node.setmocktime(now + 3600)
        wallet.send_self_transfer()
        assert_in(old.txid, node.getrawmempool())  # exactly one hour old: kept
        node.setmocktime(now + 3601)
        trigger = wallet.send_self_transfer()  # expiry runs after each acceptance
        pool = node.getrawmempool()
        assert_not_in(old.txid, pool)
        assert_not_in(old_child.txid, pool)
        assert_in(newer.txid, pool)
        assert_in(trigger.txid, pool)
        node.setmocktime(0)


if __name__ == "__main__":
    MempoolLimitsTest().main()
