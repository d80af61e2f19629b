#!/usr/bin/env python3
"""-txindex: built in the background, reported by getindexinfo, used by gettxoutproof.

The index is turned on for a chain that already exists, follows new blocks and a
reorg while it runs, resumes after restarts, and catches up with blocks and a
reorg that happened while the node ran without it. Proofs are checked
independently (merkle root recomputed with hashlib), see rpc_txoutproof.py.
"""

import os

from rpc_txoutproof import ADDRESS, BlockMaker, build_chain, check_proof
from test_framework.messages import COIN, hash_to_hex, hex_to_hash
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error, wait_until


def index_state(height):
    return {"txindex": {"synced": True, "best_block_height": height}}


class TxIndexTest(MinibitTestFramework):
    def wait_synced(self, node, height):
        wait_until(lambda: node.getindexinfo() == index_state(height), timeout=60,
                   what=f"txindex synced at height {height}")

    def restart(self, node, args=()):
        assert_equal(node.stop(), 0)
        node.start_and_wait(list(args))

    def run_test(self):
        node = self.add_node()
        node.start_and_wait()
        maker = BlockMaker(node)

        self.log("without -txindex a fully spent transaction cannot be found")
        block_a, txs_a = build_chain(node, maker)
        split_a = hash_to_hex(txs_a[1].txid())
        assert_raises_rpc_error(-5, "Transaction not yet in block", node.gettxoutproof, [split_a])
        assert_equal(node.getindexinfo(), {})

        self.log("-txindex on an existing chain: built in the background, then used")
        self.restart(node, ["-txindex"])
        self.wait_synced(node, 102)
        assert os.path.isdir(os.path.join(node.chain_datadir, "indexes", "txindex"))
        proof = node.gettxoutproof([split_a])
        check_proof(proof, block_a, [split_a])
        assert_equal(node.verifytxoutproof(proof), [split_a])
        for tx in txs_a:
            proof = node.gettxoutproof([hash_to_hex(tx.txid())])
            check_proof(proof, block_a, [hash_to_hex(tx.txid())])
        assert_equal(node.getindexinfo("txindex"), index_state(102))
        assert_equal(node.getindexinfo("coinstatsindex"), {})
        # Unknown and genesis transactions are not in the index.
        assert_raises_rpc_error(-5, "Transaction not yet in block", node.gettxoutproof, ["ab" * 32])
        genesis_coinbase = node.getblock(node.getblockhash(0), 1)["tx"][0]
        assert_raises_rpc_error(-5, "Transaction not yet in block", node.gettxoutproof,
                         [genesis_coinbase])

        self.log("the index follows new blocks")
        coinbase_2 = hex_to_hash(node.getblock(node.getblockhash(2), 1)["tx"][0])
        block_b, txs_b = maker.spend_block(coinbase_2, 50 * COIN, 5, block_a, 103)
        split_b = hash_to_hex(txs_b[1].txid())
        assert_equal(node.getindexinfo(), index_state(103))
        check_proof(node.gettxoutproof([split_b]), block_b, [split_b])

        self.log("a restart resumes; blocks mined while the index was off are caught up")
        self.restart(node, ["-txindex"])
        node.wait_for_log("Syncing txindex with block chain from height 103")
        self.wait_synced(node, 103)
        self.restart(node)
        mined = node.generatetoaddress(5, ADDRESS)
        assert_equal(node.getindexinfo(), {})
        self.restart(node, ["-txindex"])
        node.wait_for_log("Syncing txindex with block chain from height 103")
        self.wait_synced(node, 108)
        check_proof(node.gettxoutproof([split_b]), block_b, [split_b])
        mined_coinbase = node.getblock(mined[-1], 1)["tx"][0]
        # Unspent, so the UTXO set would find it too; it must still prove the right block.
        check_proof(node.gettxoutproof([mined_coinbase]), mined[-1], [mined_coinbase])

        self.log("a reorg while the index was off is undone when it comes back")
        self.restart(node)
        parent = node.getblockhash(102)
        tip = parent
        for height in range(103, 110):  # 7 blocks beat the 6 from 103 to 108
            tip, _ = maker.submit(tip, height, [])
        assert_equal(node.getbestblockhash(), tip)
        self.restart(node, ["-txindex"])
        node.wait_for_log("Syncing txindex with block chain from height 108")
        node.wait_for_log("txindex is enabled at height 109")
        self.wait_synced(node, 109)
        assert_raises_rpc_error(-5, "Transaction not yet in block", node.gettxoutproof, [split_b])
        assert_raises_rpc_error(-5, "Transaction not yet in block", node.gettxoutproof,
                         [mined_coinbase])
        check_proof(node.gettxoutproof([split_a]), block_a, [split_a])
        # The stale block still yields a proof when named, as in Core.
        check_proof(node.gettxoutproof([split_b], block_b), block_b, [split_b])

        self.log("a reorg while the index follows: the transactions move to the new block")
        tip = parent
        new_b = None
        for height in range(103, 111):  # 8 blocks beat the 7 from 103 to 109
            tip, _ = maker.submit(tip, height, txs_b[1:] if height == 103 else [],
                                  fees=1000 * len(txs_b[1:]) if height == 103 else 0)
            new_b = new_b or tip
        assert_equal(node.getbestblockhash(), tip)
        assert_equal(node.getindexinfo(), index_state(110))
        for tx in txs_b[1:]:
            txid = hash_to_hex(tx.txid())
            check_proof(node.gettxoutproof([txid]), new_b, [txid])
        proof = node.gettxoutproof([hash_to_hex(tx.txid()) for tx in txs_b[1:]])
        assert_equal(node.verifytxoutproof(proof), [hash_to_hex(tx.txid()) for tx in txs_b[1:]])

        self.log("the index survives a restart after all that")
        self.restart(node, ["-txindex"])
        self.wait_synced(node, 110)
        check_proof(node.gettxoutproof([split_b]), new_b, [split_b])


if __name__ == "__main__":
    TxIndexTest().main()
