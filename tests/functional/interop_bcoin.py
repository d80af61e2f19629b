#!/usr/bin/env python3
"""minibitd and bcoin (another implementation of the Bitcoin protocol, JavaScript, from npm)
sync from each other on regtest over P2P:

1. minibitd mines 121 blocks (one with a segwit spend); bcoin dials it and reaches the same tip.
2. A transaction sent to minibitd is relayed to bcoin's mempool.
3. bcoin mines 20 blocks (the first confirms that transaction); minibitd follows its tip.
4. A transaction sent to bcoin is relayed to minibitd's mempool.
5. A second, empty minibitd dials only bcoin and syncs all 141 blocks from it.

bcoin comes from contrib/interop (`npm ci --ignore-scripts` there; contrib/test.sh does it).
Missing Node.js or bcoin makes this test fail, never skip."""

import os
import sys

from test_framework.address import segwit_address
from test_framework.messages import OP_TRUE_SCRIPT, sha256
from test_framework.node import free_port
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_in, wait_until
from test_framework.wallet import OpTrueWallet

INTEROP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                           "contrib", "interop")
sys.path.insert(0, INTEROP_DIR)
from bcoin_node import BCOIN_REGTEST_HRP, BcoinNode, check_installed  # noqa: E402

SYNC_TIMEOUT = 60


class InteropBcoinTest(MinibitTestFramework):
    def add_options(self, parser):
        parser.add_argument("--bcoin-modules", default=os.path.join(INTEROP_DIR, "node_modules"),
                            help="node_modules directory holding bcoin")

    def run_test(self):
        check_installed(self.options.bcoin_modules)  # raises: a missing bcoin fails the test
        self.bcoin = None
        try:
            self.run_scenario()
        except Exception:
            if self.bcoin is not None:
                self.log("bcoin log tail:\n" + self.bcoin.read_log()[-4000:])
            raise
        finally:
            if self.bcoin is not None:
                self.bcoin.stop()

    def wait_same_tip(self, node, what):
        def same():
            height, tip = self.bcoin.tip()
            return height == node.getblockcount() and tip == node.getbestblockhash()

        wait_until(same, timeout=SYNC_TIMEOUT, interval=0.2, what=what)

    def run_scenario(self):
        node = self.add_node()
        node.start_and_wait()
        wallet = OpTrueWallet(node)

        self.log("minibitd mines 121 blocks, the last with a segwit spend")
        wallet.generate(120)
        spend = wallet.send_self_transfer()
        wallet.generate(1)
        assert_equal(node.getrawmempool(), [])
        assert_in(spend.txid, node.getblock(node.getbestblockhash(), 1)["tx"])

        self.log("bcoin dials minibitd and syncs to its tip")
        self.bcoin = BcoinNode(os.path.join(self.tmpdir, "bcoin"), free_port(), free_port(),
                               connect=[node.p2p_address], modules_dir=self.options.bcoin_modules)
        self.bcoin.start()
        self.wait_same_tip(node, "bcoin to reach minibitd's tip (height 121)")
        assert_equal(self.bcoin.tip()[0], 121)
        wait_until(lambda: any(p.get("subver", "").startswith("/bcoin:")
                               for p in node.getpeerinfo()),
                   timeout=10, what="minibitd to list bcoin in getpeerinfo")
        bcoin_peer = [p for p in node.getpeerinfo() if p["subver"].startswith("/bcoin:")][0]
        assert bcoin_peer["inbound"], bcoin_peer
        assert_equal(bcoin_peer["version"], 70015)

        self.log("a transaction sent to minibitd reaches bcoin's mempool")
        to_bcoin = wallet.send_self_transfer()
        wait_until(lambda: to_bcoin.txid in self.bcoin.mempool(), timeout=SYNC_TIMEOUT,
                   what="minibitd's transaction in bcoin's mempool")

        self.log("bcoin mines 20 blocks; minibitd follows")
        bcoin_address = segwit_address(BCOIN_REGTEST_HRP, 0, sha256(OP_TRUE_SCRIPT))
        mined = self.bcoin.rpc("generatetoaddress", 20, bcoin_address)
        assert_equal(len(mined), 20)
        self.wait_same_tip(node, "minibitd to reach bcoin's tip (height 141)")
        assert_equal(node.getblockcount(), 141)
        assert_equal(node.getbestblockhash(), mined[-1])
        assert_in(to_bcoin.txid, node.getblock(mined[0], 1)["tx"])
        assert_equal(node.getrawmempool(), [])
        # bcoin's coinbases paid the OP_TRUE script: minibitd decodes the same output.
        coinbase = node.getblock(mined[-1], 2)["tx"][0]
        assert_equal(coinbase["vout"][0]["scriptPubKey"]["hex"],
                     "0020" + sha256(OP_TRUE_SCRIPT).hex())

        self.log("a transaction sent to bcoin reaches minibitd's mempool")
        to_minibit = wallet.create()
        assert_equal(self.bcoin.rpc("sendrawtransaction", to_minibit.hex), to_minibit.txid)
        wait_until(lambda: to_minibit.txid in node.getrawmempool(), timeout=SYNC_TIMEOUT,
                   what="bcoin's transaction in minibitd's mempool")
        assert_equal(node.getmempoolentry(to_minibit.txid)["wtxid"], to_minibit.wtxid)

        self.log("an empty minibitd dials only bcoin and syncs all 141 blocks from it")
        fresh = self.add_node()
        fresh.start_and_wait([f"-connect={self.bcoin.p2p_address}"])
        self.wait_same_tip(fresh, "the fresh minibitd to sync from bcoin")
        assert_equal(fresh.getblockcount(), 141)
        peers = fresh.getpeerinfo()
        assert_equal(len(peers), 1)
        assert not peers[0]["inbound"]
        assert peers[0]["subver"].startswith("/bcoin:"), peers[0]
        # Same UTXO set on both minibitds: the blocks relayed through bcoin arrived intact.
        assert_equal(fresh.gettxoutsetinfo()["hash_serialized_3"],
                     node.gettxoutsetinfo()["hash_serialized_3"])

        assert_equal(fresh.stop(), 0)
        assert_equal(node.stop(), 0)
        self.bcoin.stop()
        if self.bcoin.process.returncode != 0:
            raise TestFailure(f"bcoin exited with {self.bcoin.process.returncode}")


if __name__ == "__main__":
    InteropBcoinTest().main()
