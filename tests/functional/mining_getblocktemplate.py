#!/usr/bin/env python3
"""getblocktemplate (BIP22/23), getmininginfo and getnetworkhashps: the test builds blocks
itself from templates (BIP34 coinbase, witness commitment, merkle root and nonce in Python)
and submitblock accepts them; proposals, long polls and Core's errors. With a mempool
(sendrawtransaction), a child paying for its parent comes first and the block carries both."""

import struct
import threading
import time
from decimal import Decimal

from test_framework.messages import (COIN, OP_TRUE_P2WSH_SPK, dsha256, hash_to_hex, hex_to_hash,
                                     merkle_root, ser_compact_size, script_num_push,
                                     solve_regtest, spend_op_true, Tx)
from test_framework.rpc import JSONRPCException
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

OP_TRUE_ADDRESS = "bcrt1qft5p2uhsdcdc3l2ua4ap5qqfg4pjaqlp250x7us7a8qqhrxrxfsqseac85"
RULES = {"rules": ["segwit"]}
SEGWIT_ERROR = ('getblocktemplate must be called with the segwit rule set '
                '(call with {"rules": ["segwit"]})')
# Core v28's template fields, in the order it writes them.
TEMPLATE_KEYS = ["capabilities", "version", "rules", "vbavailable", "vbrequired",
                 "previousblockhash", "transactions", "coinbaseaux", "coinbasevalue",
                 "longpollid", "target", "mintime", "mutable", "noncerange", "sigoplimit",
                 "sizelimit", "weightlimit", "curtime", "bits", "height",
                 "default_witness_commitment"]
TX_KEYS = ["data", "txid", "hash", "depends", "fee", "sigops", "weight"]
REGTEST_DIFFICULTY = Decimal("4.656542373906925E-10")  # the client reads numbers as Decimal
WITNESS_RESERVED = b"\x00" * 32


def witness_commitment(wtxids):
    """BIP141: OP_RETURN 0xaa21a9ed || dsha256(witness root || reserved value); the coinbase
    counts as 32 zero bytes."""
    root = merkle_root([b"\x00" * 32] + wtxids)
    return bytes.fromhex("6a24aa21a9ed") + dsha256(root + WITNESS_RESERVED)


def build_block(template, time_offset=0, extra_nonce=0):
    """A block from the template: our own coinbase (BIP34 height, an extra nonce, the full
    coinbasevalue to OP_TRUE, the default witness commitment), the template's transactions,
    merkle root computed here, nonce ground. Returns (hex, block hash in display hex)."""
    height = template["height"]
    script_sig = script_num_push(height) + script_num_push(extra_nonce)
    commitment = bytes.fromhex(template["default_witness_commitment"])
    coinbase = Tx([(b"\x00" * 32, 0xFFFFFFFF, [WITNESS_RESERVED])],
                  [(template["coinbasevalue"], OP_TRUE_P2WSH_SPK), (0, commitment)],
                  script_sigs=[script_sig])
    txs = [bytes.fromhex(t["data"]) for t in template["transactions"]]
    txids = [coinbase.txid()] + [hex_to_hash(t["txid"]) for t in template["transactions"]]
    header = (struct.pack("<i", template["version"]) + hex_to_hash(template["previousblockhash"])
              + merkle_root(txids) + struct.pack("<I", template["curtime"] + time_offset)
              + struct.pack("<I", int(template["bits"], 16)) + b"\x00" * 4)
    header = solve_regtest(header)
    body = ser_compact_size(1 + len(txs)) + coinbase.serialize() + b"".join(txs)
    return (header + body).hex(), hash_to_hex(dsha256(header))


def expected_hashps(node, nblocks, height):
    """Core's GetNetworkHashPS from getblockheader data: work over the window divided by the
    spread of its timestamps."""
    tip = node.getblockcount() if height == -1 else height
    if tip == 0:
        return 0
    if nblocks == -1:
        nblocks = tip % 144 + 1  # regtest's retarget interval (never used for retargets)
    nblocks = min(nblocks, tip)
    headers = [node.getblockheader(node.getblockhash(h)) for h in range(tip - nblocks, tip + 1)]
    times = [h["time"] for h in headers]
    if min(times) == max(times):
        return 0
    work = int(headers[-1]["chainwork"], 16) - int(headers[0]["chainwork"], 16)
    return work / (max(times) - min(times))


class GetBlockTemplateTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait()
        node.generatetoaddress(101, OP_TRUE_ADDRESS)

        self.log("the segwit rule is required; unknown modes are refused")
        assert_raises_rpc_error(-8, SEGWIT_ERROR, node.getblocktemplate, {})
        assert_raises_rpc_error(-8, SEGWIT_ERROR, node.getblocktemplate, {"rules": ["csv"]})
        assert_raises_rpc_error(-8, "Invalid mode", node.getblocktemplate,
                                {"mode": "bogus", "rules": ["segwit"]})
        assert_raises_rpc_error(-8, "Invalid mode", node.getblocktemplate,
                                {"mode": 7, "rules": ["segwit"]})
        assert_raises_rpc_error(-3, None, node.getblocktemplate, "segwit")

        self.log("an empty-mempool template has Core's fields and values")
        tip = node.getbestblockhash()
        tmpl = node.getblocktemplate(RULES)
        assert_equal(list(tmpl.keys()), TEMPLATE_KEYS)
        assert_equal(tmpl["capabilities"], ["proposal"])
        assert_equal(tmpl["rules"], ["csv", "!segwit", "taproot"])
        assert_equal(tmpl["vbavailable"], {})
        assert_equal(tmpl["vbrequired"], 0)
        assert_equal(tmpl["previousblockhash"], tip)
        assert_equal(tmpl["transactions"], [])
        assert_equal(tmpl["coinbaseaux"], {})
        assert_equal(tmpl["coinbasevalue"], 50 * COIN)
        assert_equal(tmpl["target"], "7fffff" + "0" * 58)
        assert_equal(tmpl["mintime"], node.getblockheader(tip)["mediantime"] + 1)
        assert tmpl["curtime"] >= tmpl["mintime"]
        assert abs(tmpl["curtime"] - time.time()) < 60
        assert_equal(tmpl["mutable"], ["time", "transactions", "prevblock"])
        assert_equal(tmpl["noncerange"], "00000000ffffffff")
        assert_equal(tmpl["sigoplimit"], 80000)
        assert_equal(tmpl["sizelimit"], 4000000)
        assert_equal(tmpl["weightlimit"], 4000000)
        assert_equal(tmpl["bits"], "207fffff")
        assert_equal(tmpl["height"], 102)
        assert_equal(tmpl["version"] & 0xE0000000, 0x20000000)
        assert_equal(tmpl["default_witness_commitment"], witness_commitment([]).hex())
        assert_equal(tmpl["longpollid"][:64], tip)

        self.log("getmininginfo reports the last template")
        info = node.getmininginfo()
        assert_equal(list(info.keys()), ["blocks", "currentblockweight", "currentblocktx",
                                         "difficulty", "networkhashps", "pooledtx", "chain",
                                         "warnings"])
        assert_equal(info["blocks"], 101)
        assert_equal(info["currentblockweight"], 4000)  # Core counts the coinbase reserve
        assert_equal(info["currentblocktx"], 0)
        assert_equal(info["difficulty"], REGTEST_DIFFICULTY)
        assert_equal(info["pooledtx"], 0)
        assert_equal(info["chain"], "regtest")
        assert_equal(info["warnings"], [])

        self.log("proposals: checked without proof of work, BIP22 answers")
        block_hex, block_hash = build_block(tmpl)
        assert_raises_rpc_error(-3, "Missing data String key for proposal", node.getblocktemplate,
                                {"mode": "proposal", "rules": ["segwit"]})
        assert_raises_rpc_error(-22, "Block decode failed", node.getblocktemplate,
                                {"mode": "proposal", "data": "00"})
        bad_root = block_hex[:72] + "00" * 32 + block_hex[136:]
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": bad_root}),
                     "bad-txnmrklroot")
        not_tip = block_hex[:8] + "11" * 32 + block_hex[72:]
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": not_tip}),
                     "inconclusive-not-best-prevblk")
        # Checks short of the UTXO set pass; the chain interface cannot connect it without
        # proof of work, so the answer stays inconclusive rather than null.
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": block_hex}),
                     "inconclusive")

        self.log("a block built from the template is accepted by submitblock")
        assert_equal(node.submitblock(block_hex), None)
        assert_equal(node.getbestblockhash(), block_hash)
        assert_equal(node.getblocktemplate({"mode": "proposal", "data": block_hex}), "duplicate")
        coinbase = node.getblock(block_hash, 2)["tx"][0]
        assert coinbase["vin"][0]["coinbase"].startswith(script_num_push(102).hex())

        self.log("a few more template blocks with spread timestamps, for the hash rate")
        for i in range(3):
            tmpl = node.getblocktemplate(RULES)
            assert_equal(tmpl["previousblockhash"], node.getbestblockhash())
            block_hex, block_hash = build_block(tmpl, time_offset=120 * (i + 1), extra_nonce=i)
            assert_equal(node.submitblock(block_hex), None)
            assert_equal(node.getbestblockhash(), block_hash)

        self.log("getnetworkhashps follows chain work over time, with Core's errors")
        for nblocks, height in [(120, -1), (2, -1), (-1, -1), (3, 104), (500, -1), (1, 50)]:
            got = float(node.getnetworkhashps(nblocks, height))
            want = expected_hashps(node, nblocks, height)
            assert abs(got - want) <= 1e-9 * max(1, abs(want)), (nblocks, height, got, want)
        assert node.getnetworkhashps(3) > 0
        assert_equal(node.getnetworkhashps(120, 0), 0)
        # At genesis Core answers the integer 0, not 0.0.
        _status, _headers, body = node.rpc.raw('{"id":1,"method":"getnetworkhashps","params":[120,0]}')
        assert b'"result":0,' in body, body
        assert_equal(node.getmininginfo()["networkhashps"], node.getnetworkhashps())
        for bad in (0, -2):
            assert_raises_rpc_error(-8, "Invalid nblocks. Must be a positive number or -1.",
                                    node.getnetworkhashps, bad)
        for bad in (-2, node.getblockcount() + 1):
            assert_raises_rpc_error(-8, "Block does not exist at specified height",
                                    node.getnetworkhashps, 120, bad)

        self.log("long poll: an old longpollid answers at once, a current one waits for a block")
        tmpl = node.getblocktemplate(RULES)
        stale_id = "00" * 32 + "0"
        assert_equal(node.getblocktemplate({"rules": ["segwit"], "longpollid": stale_id})
                     ["previousblockhash"], tmpl["previousblockhash"])
        result = {}

        def poll():  # on its own connection: the main one keeps working meanwhile
            client = node.rpc_client(timeout=120)
            started = time.time()
            result["template"] = client.getblocktemplate(
                {"rules": ["segwit"], "longpollid": tmpl["longpollid"]})
            result["returned"] = time.time()
            result["elapsed"] = result["returned"] - started

        waiter = threading.Thread(target=poll)
        waiter.start()
        time.sleep(1.5)
        assert waiter.is_alive(), "long poll returned before anything changed"
        new_tip = node.generatetoaddress(1, OP_TRUE_ADDRESS)[0]
        waiter.join(30)
        assert not waiter.is_alive(), "long poll did not return after a new block"
        assert_equal(result["template"]["previousblockhash"], new_tip)
        assert result["elapsed"] < 30
        assert_raises_rpc_error(-8, None, node.getblocktemplate,
                                {"rules": ["segwit"], "longpollid": "zz"})

        if not self.has_method(node, "sendrawtransaction"):
            self.log("sendrawtransaction is not there yet: mempool part skipped")
            assert_equal(node.stop(), 0)
            return

        self.log("with a mempool: the child pays for its parent, both ahead of a middling tx")
        coins = [node.getblock(node.getblockhash(h), 2)["tx"][0]["txid"] for h in (1, 2)]
        parent = spend_op_true(coins[0], 0, 50 * COIN - 200)   # ~1.6 sat/vB
        child = spend_op_true(parent.txid_hex(), 0, 50 * COIN - 200 - 30_000)
        middle = spend_op_true(coins[1], 0, 50 * COIN - 5_000)
        for tx in (parent, child, middle):
            node.sendrawtransaction(tx.serialize().hex())
        # A template on the same tip is reused until the mempool has changed and 5 seconds
        # have passed since it was made (Core's rule); the last one came with the long poll.
        time.sleep(max(0.0, result["returned"] + 5.5 - time.time()))
        tmpl = node.getblocktemplate(RULES)
        assert_equal([t["txid"] for t in tmpl["transactions"]],
                     [parent.txid_hex(), child.txid_hex(), middle.txid_hex()])
        for entry, tx, fee in zip(tmpl["transactions"], (parent, child, middle),
                                  (200, 30_000, 5_000)):
            assert_equal(list(entry.keys()), TX_KEYS)
            assert_equal(entry["data"], tx.serialize().hex())
            assert_equal(entry["hash"], tx.wtxid_hex())
            assert_equal(entry["fee"], fee)
            assert_equal(entry["sigops"], 0)
            assert_equal(entry["weight"],
                         3 * len(tx.serialize(with_witness=False)) + len(tx.serialize()))
        assert_equal([t["depends"] for t in tmpl["transactions"]], [[], [1], []])
        assert_equal(tmpl["coinbasevalue"], 50 * COIN + 200 + 30_000 + 5_000)
        assert_equal(tmpl["default_witness_commitment"],
                     witness_commitment([tx.wtxid() for tx in (parent, child, middle)]).hex())
        info = node.getmininginfo()
        assert_equal(info["currentblocktx"], 3)
        assert_equal(info["currentblockweight"],
                     4000 + sum(t["weight"] for t in tmpl["transactions"]))
        assert_equal(info["pooledtx"], 3)

        block_hex, block_hash = build_block(tmpl)
        assert_equal(node.submitblock(block_hex), None)
        assert_equal(node.getbestblockhash(), block_hash)
        assert_equal(len(node.getblock(block_hash)["tx"]), 4)
        assert_equal(node.getmininginfo()["pooledtx"], 0)
        assert_equal(node.getblocktemplate(RULES)["transactions"], [])

        assert_equal(node.stop(), 0)

    @staticmethod
    def has_method(node, name):
        try:
            text = node.help(name)
        except JSONRPCException:
            return False
        return "unknown command" not in text.lower()


if __name__ == "__main__":
    GetBlockTemplateTest().main()
