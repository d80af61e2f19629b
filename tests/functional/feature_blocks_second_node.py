#!/usr/bin/env python3
"""Blocks one node mines (with mempool transactions, a CPFP package and a replacement)
validate on a second node that only receives them through submitblock: same tip, same
UTXO set digest. Until P2P exists this is how two minibitd agree on a chain."""

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal
from test_framework.wallet import OpTrueWallet


class SecondNodeTest(MinibitTestFramework):
    def run_test(self):
        miner = self.add_node()
        checker = self.add_node()
        miner.start_and_wait()
        checker.start_and_wait()

        self.log("mine coins, then blocks full of mempool transactions")
        wallet = OpTrueWallet(miner)
        wallet.generate(110)
        for _ in range(3):
            wallet.send_self_transfer()
        # A zero-fee parent let in by prioritisation, and a child paying for both.
        parent = wallet.create(fee=0)
        miner.prioritisetransaction(txid=parent.txid, fee_delta=1000)
        wallet.send(parent)
        child = wallet.send(wallet.create(utxos=parent.utxos[0], fee_rate=50))
        wallet.send_chain(wallet.get_utxo(), 5)
        replaced = wallet.create()
        wallet.send(replaced)
        bump = wallet.create(utxos=replaced.spent, fee_rate=50)
        wallet.send(bump)
        in_pool = set(miner.getrawmempool())
        assert replaced.txid not in in_pool
        assert bump.txid in in_pool
        assert child.txid in in_pool
        mined = wallet.generate(2)
        assert_equal(miner.getrawmempool(), [])
        first = miner.getblock(mined[0], 1)
        assert len(first["tx"]) > 1
        for built in (parent, child, bump):
            assert built.txid in first["tx"]

        self.log("the second node accepts every block by submitblock and reaches the same state")
        for height in range(1, miner.getblockcount() + 1):
            raw = miner.getblock(miner.getblockhash(height), 0)
            assert_equal(checker.submitblock(raw), None)
        assert_equal(checker.getbestblockhash(), miner.getbestblockhash())
        assert_equal(checker.gettxoutsetinfo()["hash_serialized_3"],
                     miner.gettxoutsetinfo()["hash_serialized_3"])
        assert_equal(checker.submitblock(miner.getblock(mined[-1], 0)), "duplicate")
        assert_equal(miner.stop(), 0)
        assert_equal(checker.stop(), 0)


if __name__ == "__main__":
    SecondNodeTest().main()
