#!/usr/bin/env python3
"""The mempool across reorgs: invalidateblock brings a block's transactions back (linked to
pool children), a coinbase spend that becomes immature leaves, reconsiderblock confirms
them again and empties the pool, and a block's conflicts are removed."""

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, assert_not_in
from test_framework.wallet import COINBASE_MATURITY, OpTrueWallet, Utxo


class MempoolReorgTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait()
        wallet = OpTrueWallet(node)
        wallet.generate(120)

        self.log("a mined parent and child, then a pool grandchild spending the child")
        a = wallet.send_self_transfer(fee_rate=5)
        b = wallet.send(wallet.create(utxos=a.utxos[0], fee_rate=5))
        block_x = wallet.generate(1)[0]
        assert_equal(sorted(node.getblock(block_x)["tx"][1:]), sorted([a.txid, b.txid]))
        assert_equal(node.getrawmempool(), [])
        d = wallet.send(wallet.create(utxos=b.utxos[0], fee_rate=5))
        assert_equal(node.getmempoolentry(d.txid)["ancestorcount"], 1)

        self.log("invalidateblock: the block's transactions come back, below the grandchild")
        node.invalidateblock(block_x)
        assert_equal(sorted(node.getrawmempool()), sorted([a.txid, b.txid, d.txid]))
        entry = node.getmempoolentry(d.txid)
        assert_equal(entry["ancestorcount"], 3)
        assert_equal(entry["ancestorsize"], a.vsize + b.vsize + d.vsize)
        assert_equal(entry["depends"], [b.txid])
        assert_equal(node.getmempoolentry(a.txid)["descendantcount"], 3)
        assert_equal(node.getmempoolentry(a.txid)["spentby"], [b.txid])

        self.log("reconsiderblock: confirmed again; only the grandchild stays")
        node.reconsiderblock(block_x)
        assert_equal(node.getbestblockhash(), block_x)
        assert_equal(node.getrawmempool(), [d.txid])
        assert_equal(node.getmempoolentry(d.txid)["ancestorcount"], 1)
        wallet.generate(1)
        assert_equal(node.getrawmempool(), [])

        self.log("a coinbase spend that becomes immature leaves the pool")
        tip = node.getblockcount()
        # The coinbase of height tip - 99 may be spent in block tip + 1 (depth 100), not in
        # block tip (depth 99) once the tip is invalidated.
        height = tip + 1 - COINBASE_MATURITY
        coinbase = node.getblock(node.getblockhash(height), 2)["tx"][0]
        coin = Utxo(coinbase["txid"], 0, int(coinbase["vout"][0]["value"] * 100_000_000), height)
        wallet.utxos = [u for u in wallet.utxos if u.txid != coin.txid]
        mature_spend = wallet.send(wallet.create(utxos=coin))
        other = wallet.send_self_transfer()
        tip_hash = node.getbestblockhash()
        node.invalidateblock(tip_hash)
        pool = node.getrawmempool()
        assert_not_in(mature_spend.txid, pool)
        assert_in(other.txid, pool)
        result = node.testmempoolaccept([mature_spend.hex])[0]
        assert_equal(result["reject-reason"], "bad-txns-premature-spend-of-coinbase")
        node.reconsiderblock(tip_hash)
        assert_equal(node.getblockcount(), tip)
        wallet.send(mature_spend)  # mature again
        wallet.generate(1)
        assert_equal(node.getrawmempool(), [])

        self.log("transactions conflicting with a new block leave, with their descendants")
        coin = wallet.get_utxo()
        in_pool = wallet.send(wallet.create(utxos=coin, fee_rate=5))
        in_pool_child = wallet.send(wallet.create(utxos=in_pool.utxos[0], fee_rate=5))
        bystander = wallet.send_self_transfer()
        conflicting = wallet.create(utxos=coin, fee_rate=2)
        node.generateblock("raw(51)", [conflicting.hex])
        pool = node.getrawmempool()
        assert_not_in(in_pool.txid, pool)
        assert_not_in(in_pool_child.txid, pool)
        assert_equal(pool, [bystander.txid])
        # Disconnecting that block brings the block's transaction back, not the conflicts.
        node.invalidateblock(node.getbestblockhash())
        assert_equal(sorted(node.getrawmempool()), sorted([conflicting.txid, bystander.txid]))


if __name__ == "__main__":
    MempoolReorgTest().main()
