#!/usr/bin/env python3
"""estimatesmartfee: the documented regtest fallback (0.00010000 BTC/kvB) before any data;
after blocks in which cheap transactions wait longer than dear ones (-blockmaxweight keeps
blocks small), estimates that fall as the target grows; fee_estimates.dat across a restart."""

from decimal import Decimal

from test_framework.messages import COIN
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet import OP_TRUE_ADDRESS, OpTrueWallet

# Room for the coinbase reserve (4000 weight units) and about six 384-weight transactions.
BLOCK_ARGS = ["-blockmaxweight=6400"]
FEE_RATES = [1, 3, 6, 12, 25, 50]  # sat/vB, two transactions of each per round
TARGETS = [2, 4, 8, 16]


class FeeEstimationTest(MinibitTestFramework):
    def estimates(self, node):
        return [node.estimatesmartfee(t) for t in TARGETS]

    def run_test(self):
        node = self.add_node()
        node.start_and_wait(BLOCK_ARGS)
        wallet = OpTrueWallet(node)
        wallet.generate(101)

        self.log("no data yet: the regtest fallback")
        for target in (1, 6, 1008):
            answer = node.estimatesmartfee(target)
            assert_equal(answer["feerate"], Decimal("0.00010000"))
            assert "errors" not in answer
        assert_equal(node.estimatesmartfee(6, "conservative")["feerate"], Decimal("0.00010000"))
        assert_raises_rpc_error(-8, "Invalid conf_target, must be between 1 and 1008",
                                node.estimatesmartfee, 0)
        assert_raises_rpc_error(-8, "Invalid conf_target, must be between 1 and 1008",
                                node.estimatesmartfee, 1009)
        assert_raises_rpc_error(-8, "Invalid estimate_mode parameter",
                                node.estimatesmartfee, 2, "fast")

        self.log("split a coinbase into many confirmed coins")
        fan = wallet.create(num_outputs=600, fee_rate=2)
        # Too big for the small blocks of -blockmaxweight: generateblock takes it as given.
        node.generateblock(OP_TRUE_ADDRESS, [fan.hex])
        coins = list(fan.utxos)

        self.log("rounds of activity: cheap transactions wait for room in small blocks")
        for _round in range(40):
            for rate in FEE_RATES:
                for _ in range(2):
                    wallet.send(wallet.create(utxos=coins.pop(), fee_rate=rate))
            wallet.generate(2)
        # Let the backlog drain so every tracked transaction confirms.
        while node.getrawmempool():
            wallet.generate(1)

        self.log("estimates exist and fall as the target grows")
        before = self.estimates(node)
        rates = []
        for target, answer in zip(TARGETS, before):
            assert "errors" not in answer, answer
            assert answer["blocks"] >= target, answer
            rates.append(answer["feerate"])
        self.log(f"estimates for {TARGETS}: {rates}")
        assert_equal(rates, sorted(rates, reverse=True))
        assert rates[0] > rates[-1], rates
        # Within the range of fee rates actually paid, and not the fallback.
        lowest = Decimal(FEE_RATES[0]) * 1000 / COIN
        highest = Decimal(FEE_RATES[-1]) * 1000 / COIN
        for rate in rates:
            assert lowest <= rate <= highest, rates

        self.log("fee_estimates.dat keeps them across a restart")
        node.stop()
        node.start_and_wait(BLOCK_ARGS)
        assert_equal(self.estimates(node), before)


if __name__ == "__main__":
    FeeEstimationTest().main()
