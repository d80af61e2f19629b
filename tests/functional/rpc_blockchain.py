#!/usr/bin/env python3
"""Blockchain RPCs on a live regtest node: block and header queries, chain tips across
invalidate/reconsider, stats with a fee-paying transaction, UTXO set statistics, deployments,
verifychain and the waitfor* methods. Expected values are computed here from raw bytes."""

import decimal
import struct
import threading
import time

from test_framework.address import REGTEST_HRP, p2wsh_address
from test_framework.messages import (COIN, OP_TRUE_SCRIPT, dsha256_hex, hash_to_hex, parse_block,
                                     ser_compact_size, spend_op_true)
from test_framework.muhash import MuHash3072
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

ADDR = "bcrt1qjqmxmkpmxt80xz4y3746zgt0q3u3ferr34acd5"
REGTEST_GENESIS = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
REGTEST_DIFFICULTY = decimal.Decimal("4.656542373906925E-10")

# Anyone can spend a P2WSH output whose witness script is OP_TRUE: no signature needed.
OP_TRUE_ADDR = p2wsh_address(OP_TRUE_SCRIPT, REGTEST_HRP)


def chainwork_hex(n_blocks_after_genesis):
    # Each regtest block (bits 207fffff) adds 2 to the chain work.
    return format((n_blocks_after_genesis + 1) * 2, "064x")


class BlockchainTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start()
        node.wait_for_rpc()
        self.node = node

        self.test_genesis()
        hashes = node.generatetoaddress(10, ADDR)
        assert_equal(len(hashes), 10)
        self.test_blocks_and_headers(hashes)
        self.test_errors()
        self.test_chaintips(hashes)
        self.test_chaintxstats()
        self.test_gettxout_and_utxo_set()
        self.test_fee_stats()
        self.test_deployments()
        self.test_verifychain_and_waits()

    def test_genesis(self):
        node = self.node
        self.log("genesis: count, hash, difficulty, chain info")
        assert_equal(node.getblockcount(), 0)
        assert_equal(node.getblockhash(0), REGTEST_GENESIS)
        assert_equal(node.getbestblockhash(), REGTEST_GENESIS)
        assert_equal(node.getdifficulty(), REGTEST_DIFFICULTY)
        raw = bytes.fromhex(node.getblock(REGTEST_GENESIS, 0))
        assert_equal(dsha256_hex(raw[:80]), REGTEST_GENESIS)
        info = node.getblockchaininfo()
        assert_equal(info["chain"], "regtest")
        assert_equal(info["blocks"], 0)
        assert_equal(info["chainwork"], chainwork_hex(0))
        assert_equal(info["pruned"], False)
        assert_equal(info["warnings"], [])
        assert_equal(list(info.keys()),
                     ["chain", "blocks", "headers", "bestblockhash", "difficulty", "time",
                      "mediantime", "verificationprogress", "initialblockdownload", "chainwork",
                      "size_on_disk", "pruned", "warnings"])
        assert info["size_on_disk"] > 0

    def test_blocks_and_headers(self, hashes):
        node = self.node
        self.log("every block: hash from its bytes, header links, sizes, chainwork")
        tip = 10
        assert_equal(node.getblockcount(), tip)
        assert_equal(node.getbestblockhash(), hashes[-1])
        info = node.getblockchaininfo()
        assert_equal((info["blocks"], info["headers"], info["bestblockhash"]),
                     (tip, tip, hashes[-1]))
        assert_equal(info["chainwork"], chainwork_hex(tip))
        prev = REGTEST_GENESIS
        for height in range(1, tip + 1):
            block_hash = node.getblockhash(height)
            assert_equal(block_hash, hashes[height - 1])
            header_hex = node.getblockheader(block_hash, False)
            assert_equal(dsha256_hex(bytes.fromhex(header_hex)), block_hash)
            header = node.getblockheader(block_hash)
            assert_equal(header["height"], height)
            assert_equal(header["confirmations"], tip - height + 1)
            assert_equal(header["previousblockhash"], prev)
            assert_equal(header["chainwork"], chainwork_hex(height))
            assert_equal(header["bits"], "207fffff")
            assert_equal(header["difficulty"], REGTEST_DIFFICULTY)
            assert_equal(header["nTx"], 1)
            version = struct.unpack("<i", bytes.fromhex(header_hex)[:4])[0]
            assert_equal(header["version"], version)
            assert_equal(header["versionHex"], format(version & 0xffffffff, "08x"))
            assert_equal(header["time"], struct.unpack("<I", bytes.fromhex(header_hex)[68:72])[0])
            if height < tip:
                assert_equal(header["nextblockhash"], hashes[height])
            else:
                assert "nextblockhash" not in header
            prev = block_hash

        block_hash = hashes[4]
        raw = bytes.fromhex(node.getblock(block_hash, 0))
        assert_equal(node.getblock(block_hash, False), raw.hex())
        header, txs = parse_block(raw)
        assert_equal(dsha256_hex(header), block_hash)
        stripped_size = 80 + len(ser_compact_size(len(txs))) + sum(
            len(t.serialize(with_witness=False)) for t in txs)
        v1 = node.getblock(block_hash)
        assert_equal(node.getblock(block_hash, 1), v1)
        assert_equal(node.getblock(block_hash, True), v1)
        assert_equal(v1["size"], len(raw))
        assert_equal(v1["strippedsize"], stripped_size)
        assert_equal(v1["weight"], stripped_size * 3 + len(raw))
        assert_equal(v1["tx"], [t.txid_hex() for t in txs])
        assert_equal(v1["merkleroot"], txs[0].txid_hex())  # one transaction: root = txid
        assert_equal(list(v1.keys())[-4:], ["strippedsize", "size", "weight", "tx"])

        v2 = node.getblock(block_hash, 2)
        coinbase = v2["tx"][0]
        assert_equal(coinbase["txid"], txs[0].txid_hex())
        assert_equal(coinbase["hash"], txs[0].wtxid_hex())
        assert_equal(coinbase["hex"], txs[0].serialize().hex())
        assert "fee" not in coinbase
        assert_equal(coinbase["vout"][0]["value"], decimal.Decimal("50.00000000"))
        assert_equal(coinbase["vout"][0]["scriptPubKey"]["address"], ADDR)
        v3 = node.getblock(block_hash, 3)
        assert_equal(v3["tx"][0]["txid"], coinbase["txid"])
        assert_equal(node.getblock(block_hash, 7)["tx"], v3["tx"])  # above 3 acts as 3

        self.log("getblockstats of a coinbase-only block")
        stats = node.getblockstats(5)
        assert_equal(stats["blockhash"], block_hash)
        assert_equal((stats["height"], stats["txs"], stats["ins"]), (5, 1, 0))
        outputs = txs[0].outputs
        assert_equal(stats["outs"], len(outputs))
        assert_equal(stats["subsidy"], 50 * COIN)
        assert_equal((stats["totalfee"], stats["total_out"], stats["total_size"]), (0, 0, 0))
        assert_equal(stats["feerate_percentiles"], [0, 0, 0, 0, 0])
        spendable = [o for o in outputs if not o[1].startswith(b"\x6a")]
        # A UTXO entry costs its serialized output plus 41 bytes (outpoint, height, flag).
        def entry_size(o):
            return 8 + len(ser_compact_size(len(o[1]))) + len(o[1]) + 41
        assert_equal(stats["utxo_increase"], len(outputs))
        assert_equal(stats["utxo_increase_actual"], len(spendable))
        assert_equal(stats["utxo_size_inc"], sum(entry_size(o) for o in outputs))
        assert_equal(stats["utxo_size_inc_actual"], sum(entry_size(o) for o in spendable))
        assert_equal(stats["time"], v1["time"])
        assert_equal(stats["mediantime"], v1["mediantime"])
        assert_equal(list(stats.keys()), [
            "avgfee", "avgfeerate", "avgtxsize", "blockhash", "feerate_percentiles", "height",
            "ins", "maxfee", "maxfeerate", "maxtxsize", "medianfee", "mediantime", "mediantxsize",
            "minfee", "minfeerate", "mintxsize", "outs", "subsidy", "swtotal_size",
            "swtotal_weight", "swtxs", "time", "total_out", "total_size", "total_weight",
            "totalfee", "txs", "utxo_increase", "utxo_size_inc", "utxo_increase_actual",
            "utxo_size_inc_actual"])
        assert_equal(node.getblockstats(block_hash, ["txs", "height"]), {"height": 5, "txs": 1})
        assert_equal(node.getblockstats(hash_or_height=5, stats=["subsidy"]),
                     {"subsidy": 50 * COIN})

    def test_errors(self):
        node = self.node
        self.log("Core's error codes and messages")
        unknown = "11" * 32
        assert_raises_rpc_error(-8, "Block height out of range", node.getblockhash, -1)
        assert_raises_rpc_error(-8, "Block height out of range", node.getblockhash, 11)
        assert_raises_rpc_error(-5, "Block not found", node.getblock, unknown)
        assert_raises_rpc_error(-5, "Block not found", node.getblockheader, unknown)
        assert_raises_rpc_error(-8, "blockhash must be of length 64 (not 3, for 'abc')", node.getblock,
                         "abc")
        assert_raises_rpc_error(-8, "blockhash must be hexadecimal string (not '" + "zz" * 32 + "')",
                         node.getblock, "zz" * 32)
        assert_raises_rpc_error(-8, "Target block height 11 after current tip 10", node.getblockstats, 11)
        assert_raises_rpc_error(-8, "Target block height -1 is negative", node.getblockstats, -1)
        assert_raises_rpc_error(-8, "Invalid selected statistic 'nope'", node.getblockstats, 1, ["nope"])
        assert_raises_rpc_error(-5, "Block not found", node.getblockstats, unknown)
        assert_raises_rpc_error(-5, "Block not found", node.invalidateblock, unknown)
        assert_raises_rpc_error(-5, "Block not found", node.reconsiderblock, unknown)
        assert_raises_rpc_error(-5, "Block not found", node.preciousblock, unknown)
        assert_raises_rpc_error(-5, "Block not found", node.getdeploymentinfo, unknown)
        assert_raises_rpc_error(-3, None, node.getblockhash, "1")
        assert_raises_rpc_error(-1, None, node.getblockcount, 1)  # too many parameters: help text

    def test_chaintips(self, hashes):
        node = self.node
        self.log("invalidateblock, a competing branch, getchaintips, reconsiderblock")
        assert_equal(node.getchaintips(),
                     [{"height": 10, "hash": hashes[-1], "branchlen": 0, "status": "active"}])
        assert node.invalidateblock(hashes[7]) is None  # block 8
        assert_equal(node.getblockcount(), 7)
        assert_equal(node.getbestblockhash(), hashes[6])
        assert_equal(node.getblockheader(hashes[8])["confirmations"], -1)
        fork = node.generatetoaddress(4, OP_TRUE_ADDR)  # blocks 8'..11'
        assert_equal(node.getblockcount(), 11)
        tips = node.getchaintips()
        assert_equal(tips, [
            {"height": 11, "hash": fork[-1], "branchlen": 0, "status": "active"},
            {"height": 10, "hash": hashes[-1], "branchlen": 3, "status": "invalid"},
        ])
        assert node.reconsiderblock(hashes[7]) is None
        assert_equal(node.getbestblockhash(), fork[-1])  # more work stays active
        tips = node.getchaintips()
        assert_equal(tips[1], {"height": 10, "hash": hashes[-1], "branchlen": 3,
                               "status": "valid-fork"})
        old = node.getblock(hashes[-1])
        assert_equal(old["confirmations"], -1)
        assert "nextblockhash" not in node.getblockheader(hashes[8])
        assert node.preciousblock(fork[-1]) is None
        self.fork = fork

    def test_chaintxstats(self):
        node = self.node
        self.log("getchaintxstats over the active chain")
        tip_hash = node.getbestblockhash()
        stats = node.getchaintxstats()
        tip_header = node.getblockheader(tip_hash)
        first = node.getblockheader(node.getblockhash(1))
        assert_equal(stats["txcount"], 12)  # one transaction in each of blocks 0..11
        assert_equal(stats["window_final_block_hash"], tip_hash)
        assert_equal(stats["window_final_block_height"], 11)
        assert_equal(stats["window_block_count"], 10)
        assert_equal(stats["window_tx_count"], 10)
        interval = tip_header["mediantime"] - first["mediantime"]
        assert_equal(stats["window_interval"], interval)
        assert_equal(stats["time"], tip_header["time"])
        if interval > 0:
            assert_equal(float(stats["txrate"]), 10 / interval)
        else:
            assert "txrate" not in stats
        stats = node.getchaintxstats(0)
        assert_equal(stats["window_block_count"], 0)
        assert "window_interval" not in stats
        stats = node.getchaintxstats(2, node.getblockhash(5))
        assert_equal((stats["window_final_block_height"], stats["txcount"],
                      stats["window_tx_count"]), (5, 6, 2))
        assert_raises_rpc_error(-8, "Invalid block count: should be between 0 and the block's height - 1",
                         node.getchaintxstats, 11)
        assert_raises_rpc_error(-8, "Block is not in main chain", node.getchaintxstats, 1,
                         self.stale_hash())

    def stale_hash(self):
        return [t for t in self.node.getchaintips() if t["status"] != "active"][0]["hash"]

    def utxo_set(self):
        """Every unspent coin of the active chain: {(txid, n): (height, coinbase, value, spk)}."""
        node = self.node
        coins = {}
        for height in range(1, node.getblockcount() + 1):
            raw = bytes.fromhex(node.getblock(node.getblockhash(height), 0))
            _header, txs = parse_block(raw)
            for index, tx in enumerate(txs):
                txid = tx.txid_hex()
                if index > 0:
                    for prev_txid, prev_n, _witness in tx.inputs:
                        coins.pop((hash_to_hex(prev_txid), prev_n))
                for n, (value, spk) in enumerate(tx.outputs):
                    if spk.startswith(b"\x6a"):
                        continue
                    coins[(txid, n)] = (height, index == 0, value, spk)
        return coins

    def check_utxo_stats(self):
        node = self.node
        coins = self.utxo_set()
        stats = node.gettxoutsetinfo()
        assert_equal(stats["height"], node.getblockcount())
        assert_equal(stats["bestblock"], node.getbestblockhash())
        assert_equal(stats["txouts"], len(coins))
        assert_equal(stats["transactions"], len({txid for txid, _n in coins}))
        assert_equal(list(stats), ["height", "bestblock", "txouts", "bogosize", "hash_serialized_3",
                                   "total_amount", "transactions", "disk_size"])
        assert_equal(stats["total_amount"],
                     decimal.Decimal(sum(c[2] for c in coins.values())) / COIN)
        assert_equal(stats["bogosize"], sum(50 + len(c[3]) for c in coins.values()))
        # hash_serialized_3: SHA256d over (outpoint, height*2+coinbase, output) of every coin in
        # database key order (txid bytes as stored, then output index).
        # muhash: the same per-coin bytes, each one element of a MuHash3072 set (any order).
        writer = b""
        muhash = MuHash3072()
        for (txid, n) in sorted(coins, key=lambda k: (bytes.fromhex(k[0])[::-1], k[1])):
            height, coinbase, value, spk = coins[(txid, n)]
            coin = bytes.fromhex(txid)[::-1] + struct.pack("<I", n)
            coin += struct.pack("<I", height * 2 + int(coinbase))
            coin += struct.pack("<q", value) + ser_compact_size(len(spk)) + spk
            writer += coin
            muhash.insert(coin)
        assert_equal(stats["hash_serialized_3"], dsha256_hex(writer))
        assert stats["disk_size"] >= 0
        none = node.gettxoutsetinfo("none")
        assert "hash_serialized_3" not in none and "muhash" not in none
        assert_equal(none["txouts"], len(coins))
        mu = node.gettxoutsetinfo("muhash")
        assert_equal(list(mu), ["height", "bestblock", "txouts", "bogosize", "muhash",
                                "total_amount", "transactions", "disk_size"])
        assert_equal(mu["muhash"], muhash.digest_hex())
        assert_equal({k: v for k, v in mu.items() if k not in ("muhash", "disk_size")},
                     {k: v for k, v in stats.items() if k not in ("hash_serialized_3", "disk_size")})
        named = node.gettxoutsetinfo(hash_type="muhash", use_index=False)
        assert_equal(named["muhash"], mu["muhash"])

    def test_gettxout_and_utxo_set(self):
        node = self.node
        self.log("gettxout and gettxoutsetinfo against the coins read from the blocks")
        block1 = node.getblock(node.getblockhash(1), 2)
        coinbase = block1["tx"][0]
        out = node.gettxout(coinbase["txid"], 0)
        assert_equal(out["bestblock"], node.getbestblockhash())
        assert_equal(out["confirmations"], node.getblockcount())
        assert_equal(out["value"], decimal.Decimal("50.00000000"))
        assert_equal(out["coinbase"], True)
        assert_equal(out["scriptPubKey"]["address"], ADDR)
        assert_equal(out["scriptPubKey"]["type"], "witness_v0_keyhash")
        assert_equal(node.gettxout(coinbase["txid"], 0, False), out)
        assert node.gettxout(coinbase["txid"], 1) is None  # the witness commitment (OP_RETURN)
        assert node.gettxout("22" * 32, 0) is None
        assert_raises_rpc_error(-8, "txid must be of length 64", node.gettxout, "ab", 0)
        self.check_utxo_stats()
        assert_raises_rpc_error(-8, "'MUHASH' is not a valid hash_type", node.gettxoutsetinfo, "MUHASH")
        assert_raises_rpc_error(-8, "Querying specific block heights requires coinstatsindex",
                         node.gettxoutsetinfo, "muhash", 1)
        assert_raises_rpc_error(-8, "'bogus' is not a valid hash_type", node.gettxoutsetinfo, "bogus")
        assert_raises_rpc_error(-8, "Querying specific block heights requires coinstatsindex",
                         node.gettxoutsetinfo, "none", 1)

    def test_fee_stats(self):
        node = self.node
        self.log("a fee-paying segwit spend: getblock fee/prevout, getblockstats fee fields")
        # Block 8' paid 50 BTC to the OP_TRUE script; mature it, then spend it with a 10000 sat fee.
        funding = node.getblock(self.fork[0], 2)["tx"][0]
        assert_equal(funding["vout"][0]["scriptPubKey"]["address"], OP_TRUE_ADDR)
        node.generatetoaddress(100, ADDR)
        fee = 10_000
        spend = spend_op_true(funding["txid"], 0, 50 * COIN - fee)
        full, stripped = spend.serialize(), spend.serialize(with_witness=False)
        block_hash = node.generateblock(ADDR, [full.hex()])["hash"]
        txid = spend.txid_hex()
        v2 = node.getblock(block_hash, 2)
        assert_equal(v2["tx"][1]["txid"], txid)
        assert_equal(v2["tx"][1]["fee"], decimal.Decimal("0.00010000"))
        assert "prevout" not in v2["tx"][1]["vin"][0]
        prevout = node.getblock(block_hash, 3)["tx"][1]["vin"][0]["prevout"]
        assert_equal(prevout["generated"], True)
        assert_equal(prevout["height"], 8)
        assert_equal(prevout["value"], decimal.Decimal("50.00000000"))
        assert_equal(prevout["scriptPubKey"]["address"], OP_TRUE_ADDR)

        stats = node.getblockstats(block_hash)
        size, weight = len(full), len(stripped) * 3 + len(full)
        feerate = fee * 4 // weight
        assert_equal((stats["txs"], stats["ins"]), (2, 1))
        assert_equal((stats["totalfee"], stats["minfee"], stats["maxfee"], stats["medianfee"],
                      stats["avgfee"]), (fee, fee, fee, fee, fee))
        assert_equal((stats["total_size"], stats["mintxsize"], stats["maxtxsize"],
                      stats["mediantxsize"], stats["avgtxsize"]), (size,) * 5)
        assert_equal(stats["total_weight"], weight)
        assert_equal((stats["swtxs"], stats["swtotal_size"], stats["swtotal_weight"]),
                     (1, size, weight))
        assert_equal((stats["minfeerate"], stats["maxfeerate"], stats["avgfeerate"]),
                     (feerate,) * 3)
        assert_equal(stats["feerate_percentiles"], [feerate] * 5)
        assert_equal(stats["total_out"], 50 * COIN - fee)
        self.check_utxo_stats()  # the spent coin left the set, the new one joined
        assert node.gettxout(funding["txid"], 0) is None
        assert_equal(node.gettxout(txid, 0)["confirmations"], 1)

    def test_deployments(self):
        node = self.node
        self.log("getdeploymentinfo: buried heights, taproot always active, testdummy")
        info = node.getdeploymentinfo()
        assert_equal(info["hash"], node.getbestblockhash())
        assert_equal(info["height"], node.getblockcount())
        deps = info["deployments"]
        assert_equal(list(deps.keys()),
                     ["bip34", "bip66", "bip65", "csv", "segwit", "testdummy", "taproot"])
        for name, height in (("bip34", 1), ("bip66", 1), ("bip65", 1), ("csv", 1),
                             ("segwit", 0)):
            assert_equal(deps[name], {"type": "buried", "active": True, "height": height})
        assert_equal(deps["taproot"], {
            "type": "bip9", "height": 0, "active": True,
            "bip9": {"start_time": -1, "timeout": 9223372036854775807,
                     "min_activation_height": 0, "status": "active", "since": 0,
                     "status_next": "active"}})
        # 112 blocks: testdummy (period 144) has not started; minibit's blocks do not signal.
        dummy = deps["testdummy"]
        assert_equal(dummy["active"], False)
        assert_equal(dummy["bip9"]["status"], "defined")
        assert_equal(dummy["bip9"]["since"], 0)
        genesis = node.getdeploymentinfo(REGTEST_GENESIS)
        assert_equal(genesis["height"], 0)
        assert_equal(genesis["deployments"]["bip34"]["active"], True)  # applies to block 1

        node.generatetoaddress(144 - node.getblockcount() + 5, ADDR)  # into the second period
        dummy = node.getdeploymentinfo()["deployments"]["testdummy"]
        bip9 = dummy["bip9"]
        assert_equal((bip9["status"], bip9["since"], bip9["bit"]), ("started", 144, 28))
        height = node.getblockcount()
        elapsed = height - 143
        assert_equal(bip9["statistics"], {"period": 144, "elapsed": elapsed, "count": 0,
                                          "threshold": 108, "possible": True})
        assert_equal(bip9["signalling"], "-" * elapsed)

    def test_verifychain_and_waits(self):
        node = self.node
        self.log("verifychain")
        assert_equal(node.verifychain(), True)
        assert_equal(node.verifychain(4, 10), True)
        assert_equal(node.verifychain(0, 0), True)

        self.log("waitfor* with timeouts and a block arriving while waiting")
        tip = {"hash": node.getbestblockhash(), "height": node.getblockcount()}
        start = time.monotonic()
        assert_equal(node.waitfornewblock(200), tip)
        assert time.monotonic() - start >= 0.15
        assert_equal(node.waitforblockheight(tip["height"] + 1, 100), tip)
        assert_equal(node.waitforblockheight(1), tip)  # already reached: no wait
        assert_equal(node.waitforblock(tip["hash"]), tip)
        assert_equal(node.waitforblock("33" * 32, 50), tip)
        assert_raises_rpc_error(-1, "Negative timeout", node.waitfornewblock, -1)
        assert_raises_rpc_error(-1, "Negative timeout", node.waitforblockheight, 1, -1)

        results = {}
        waiter = node.rpc_client()

        def wait():
            results["new"] = waiter.waitfornewblock(0)

        thread = threading.Thread(target=wait)
        thread.start()
        time.sleep(0.3)
        new_hash = node.generatetoaddress(1, ADDR)[0]
        thread.join(timeout=20)
        assert not thread.is_alive()
        assert_equal(results["new"], {"hash": new_hash, "height": tip["height"] + 1})
        waiter.close()


if __name__ == "__main__":
    BlockchainTest().main()
