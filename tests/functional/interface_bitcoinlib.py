#!/usr/bin/env python3
"""Debian's python3-bitcoinlib talks to minibitd unchanged.

bitcoin.rpc.Proxy finds the RPC port in the config file and the cookie in <datadir>/regtest,
exactly as it does for bitcoind, then decodes blocks, headers and transactions with its own
deserializers; the decoded objects must hash to what the node reports.
"""

import os

import bitcoin
import bitcoin.rpc
from bitcoin.core import b2lx, lx
from bitcoin.wallet import P2WPKHBitcoinAddress

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal


class BitcoinlibTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        conf = os.path.join(node.datadir, "minibit.conf")
        with open(conf, "w", encoding="utf8") as f:
            # bitcoinlib reads key=value lines (ignoring the section header); minibitd reads the
            # [regtest] section.
            f.write(f"regtest=1\n[regtest]\nrpcport={node.rpc_port}\n")
        node.start_and_wait([])

        bitcoin.SelectParams("regtest")
        proxy = bitcoin.rpc.Proxy(btc_conf_file=conf)
        try:
            self.check(node, proxy)
        finally:
            proxy.close()
        assert_equal(node.stop(), 0)

    def check(self, node, proxy):
        self.log("getblockcount and getbestblockhash on a fresh chain")
        assert_equal(proxy.getblockcount(), 0)
        genesis = proxy.getbestblockhash()
        assert_equal(b2lx(genesis), node.getblockhash(0))

        self.log("generatetoaddress with a CBitcoinAddress")
        address = P2WPKHBitcoinAddress.from_bytes(0, b"\x07" * 20)
        hashes = list(proxy.generatetoaddress(3, address))
        assert_equal(len(hashes), 3)
        assert_equal(proxy.getblockcount(), 3)
        assert_equal(proxy.getbestblockhash(), hashes[-1])

        self.log("getblock returns a CBlock that hashes to its hash and links to its parent")
        block = proxy.getblock(hashes[1])
        assert_equal(block.GetHash(), hashes[1])
        assert_equal(block.hashPrevBlock, hashes[0])
        assert_equal(len(block.vtx), 1)
        coinbase = block.vtx[0]
        assert coinbase.is_coinbase()
        assert_equal(coinbase.vout[0].scriptPubKey, address.to_scriptPubKey())
        assert_equal(coinbase.vout[0].nValue, 50 * 100_000_000)
        assert_equal(block.calc_merkle_root(), block.hashMerkleRoot)

        self.log("getblockheader: the raw header and the verbose dict")
        header = proxy.getblockheader(hashes[1])
        assert_equal(header.GetHash(), hashes[1])
        assert_equal(header.nTime, block.nTime)
        verbose = proxy.getblockheader(hashes[1], verbose=True)
        assert_equal(verbose["height"], 2)
        assert_equal(verbose["confirmations"], 2)
        assert_equal(verbose["nextblockhash"], hashes[2])

        self.log("getrawtransaction with the block hash decodes to a CTransaction")
        tx = proxy.getrawtransaction(coinbase.GetTxid(), block_hash=hashes[1])
        assert_equal(tx.GetTxid(), coinbase.GetTxid())
        assert_equal(b2lx(tx.GetTxid()), node.getblock(b2lx(hashes[1]), 1)["tx"][0])
        info = proxy.getrawtransaction(coinbase.GetTxid(), verbose=True, block_hash=hashes[1])
        assert_equal(info["tx"].GetTxid(), coinbase.GetTxid())
        assert_equal(info["blockhash"], hashes[1])

        self.log("errors map to bitcoinlib's exceptions")
        try:
            proxy.getblock(lx("11" * 32))
        except IndexError as e:
            assert "Block not found" in str(e), str(e)
        else:
            raise AssertionError("getblock of an unknown hash did not fail")
        try:
            proxy.getblockhash(100)
        except IndexError as e:
            assert "Block height out of range" in str(e), str(e)
        else:
            raise AssertionError("getblockhash out of range did not fail")


if __name__ == "__main__":
    BitcoinlibTest().main()
