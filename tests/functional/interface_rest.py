#!/usr/bin/env python3
"""REST interface (-rest): every endpoint in every format, as Bitcoin Core serves them.

Binary answers are parsed with struct and checked against independent facts (sha256d of
headers, the JSON-RPC answers for the same objects); errors carry Core's status codes,
text/plain bodies and messages.
"""

import http.client
import json
import struct
from decimal import Decimal

from test_framework.messages import (COIN, OP_TRUE_P2WSH_SPK, dsha256_hex, read_compact_size,
                                     ser_compact_size, spend_op_true)
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in

# P2WSH of the script OP_TRUE: anyone can spend it with the witness [OP_TRUE].
OP_TRUE_SPK = OP_TRUE_P2WSH_SPK
OP_TRUE_ADDRESS = "bcrt1qft5p2uhsdcdc3l2ua4ap5qqfg4pjaqlp250x7us7a8qqhrxrxfsqseac85"


class RestTest(MinibitTestFramework):
    def get(self, path, body=None, method="GET"):
        conn = http.client.HTTPConnection("127.0.0.1", self.node.rpc_port, timeout=30)
        try:
            conn.request(method, path, body=body)
            resp = conn.getresponse()
            return resp.status, resp.getheader("Content-Type"), resp.read()
        finally:
            conn.close()

    def ok(self, path, content_type, body=None, method="GET"):
        status, ctype, data = self.get(path, body, method)
        assert_equal(status, 200, f"{path}: {data!r}")
        assert_equal(ctype, content_type, path)
        return data

    def bin(self, path, body=None):
        return self.ok(path, "application/octet-stream", body, "POST" if body else "GET")

    def hex(self, path, body=None):
        data = self.ok(path, "text/plain", body, "POST" if body else "GET").decode()
        assert data.endswith("\n"), path
        return data[:-1]

    def json(self, path):
        data = self.ok(path, "application/json").decode()
        assert data.endswith("\n"), path
        return json.loads(data, parse_float=Decimal)

    def error(self, path, status, message, body=None):
        got_status, ctype, data = self.get(path, body, "POST" if body else "GET")
        assert_equal(got_status, status, f"{path}: {data!r}")
        assert_equal(ctype, "text/plain", path)
        assert_equal(data.decode(), message + "\r\n", path)

    def run_test(self):
        self.node = node = self.add_node()
        node.start_and_wait(["-rest", "-txindex"])

        self.log("mine 101 blocks to OP_TRUE, then a block spending the first coinbase")
        hashes = node.generatetoaddress(101, OP_TRUE_ADDRESS)
        cb_txid = node.getblock(hashes[0], 1)["tx"][0]
        spend = spend_op_true(cb_txid, 0, 50 * COIN - 10_000).serialize()
        spend_block = node.generateblock(OP_TRUE_ADDRESS, [spend.hex()])["hash"]
        spend_txid = node.getblock(spend_block, 1)["tx"][1]
        height = node.getblockcount()
        assert_equal(height, 102)
        tip = node.getbestblockhash()

        self.check_blocks(hashes, spend_block)
        self.check_headers(hashes)
        self.check_blockhashbyheight()
        self.check_tx(cb_txid, spend_txid, hashes[0], spend_block, spend)
        self.check_getutxos(cb_txid, hashes, spend_block, tip, height)
        self.check_spenttxouts(spend_block, hashes)
        self.check_info()
        self.check_mempool(hashes)

        self.log("without -rest there is no /rest/ endpoint")
        assert_equal(node.stop(), 0)
        node.start_and_wait([])
        status, _ctype, _data = self.get("/rest/chaininfo.json")
        assert_equal(status, 404)
        assert_equal(node.stop(), 0)

    def check_blocks(self, hashes, spend_block):
        node = self.node
        self.log("/rest/block: bin, hex and json match getblock; notxdetails lists txids")
        for h in (hashes[0], spend_block):
            raw = self.bin(f"/rest/block/{h}.bin")
            assert_equal(dsha256_hex(raw[:80]), h)
            assert_equal(raw.hex(), node.getblock(h, 0))
            assert_equal(self.hex(f"/rest/block/{h}.hex"), node.getblock(h, 0))
            assert_equal(self.hex(f"/rest/block/notxdetails/{h}.hex"), node.getblock(h, 0))
            assert_equal(self.json(f"/rest/block/{h}.json"), node.getblock(h, 3))
            assert_equal(self.json(f"/rest/block/notxdetails/{h}.json"), node.getblock(h, 1))
        block = self.json(f"/rest/block/{spend_block}.json")
        assert_equal(block["tx"][1]["vin"][0]["prevout"]["value"], Decimal(50))

        self.log("/rest/block errors")
        unknown = "11" * 32
        self.error(f"/rest/block/{unknown}.bin", 404, f"{unknown} not found")
        self.error("/rest/block/123.bin", 400, "Invalid hash: 123")
        self.error(f"/rest/block/{'zz' * 32}.json", 400, f"Invalid hash: {'zz' * 32}")
        self.error(
            f"/rest/block/{hashes[0]}", 404, "output format not found (available: .bin, .hex, .json)"
        )
        self.error(f"/rest/block/{hashes[0]}.xml", 400, f"Invalid hash: {hashes[0]}.xml")

    def check_headers(self, hashes):
        node = self.node
        self.log("/rest/headers: count, deprecated form, formats")
        raw = self.bin(f"/rest/headers/{hashes[0]}.bin?count=3")
        assert_equal(len(raw), 240)
        for i in range(3):
            header = raw[80 * i : 80 * (i + 1)]
            assert_equal(dsha256_hex(header), hashes[i])
            (version,) = struct.unpack("<i", header[:4])
            assert_equal(version, node.getblockheader(hashes[i])["version"])
        assert_equal(self.bin(f"/rest/headers/3/{hashes[0]}.bin"), raw)
        assert_equal(self.hex(f"/rest/headers/{hashes[0]}.hex?count=3"), raw.hex())
        assert_equal(len(self.bin(f"/rest/headers/{hashes[0]}.bin")), 5 * 80)  # default count
        assert_equal(
            self.json(f"/rest/headers/{hashes[0]}.json?count=2"),
            [node.getblockheader(hashes[0]), node.getblockheader(hashes[1])],
        )
        tip = node.getbestblockhash()
        assert_equal(len(self.bin(f"/rest/headers/{tip}.bin?count=100")), 80)
        assert_equal(self.bin(f"/rest/headers/{'11' * 32}.bin"), b"")
        assert_equal(self.json(f"/rest/headers/{'11' * 32}.json"), [])
        rng = "Header count is invalid or out of acceptable range (1-2000): "
        self.error(f"/rest/headers/{tip}.bin?count=0", 400, rng + "0")
        self.error(f"/rest/headers/{tip}.bin?count=2001", 400, rng + "2001")
        self.error(f"/rest/headers/{tip}.bin?count=x", 400, rng + "x")
        self.error(f"/rest/headers/0/{tip}.bin", 400, rng + "0")
        self.error("/rest/headers/1/abc.bin", 400, "Invalid hash: abc")
        self.error(
            "/rest/headers/1/2/3.bin",
            400,
            "Invalid URI format. Expected /rest/headers/<hash>.<ext>?count=<count>",
        )
        self.error(
            f"/rest/headers/{tip}", 404, "output format not found (available: .bin, .hex, .json)"
        )

    def check_blockhashbyheight(self):
        node = self.node
        self.log("/rest/blockhashbyheight")
        h2 = node.getblockhash(2)
        assert_equal(self.bin("/rest/blockhashbyheight/2.bin")[::-1].hex(), h2)
        assert_equal(self.hex("/rest/blockhashbyheight/2.hex"), h2)
        assert_equal(self.json("/rest/blockhashbyheight/2.json"), {"blockhash": h2})
        assert_equal(self.hex("/rest/blockhashbyheight/0.hex"), node.getblockhash(0))
        self.error("/rest/blockhashbyheight/1000.json", 404, "Block height out of range")
        self.error("/rest/blockhashbyheight/-1.json", 400, "Invalid height: -1")
        self.error("/rest/blockhashbyheight/abc.json", 400, "Invalid height: abc")
        self.error(
            "/rest/blockhashbyheight/1", 404, "output format not found (available: .bin, .hex, .json)"
        )

    def check_tx(self, cb_txid, spend_txid, block1, spend_block, spend):
        self.log("/rest/tx through -txindex")
        raw = self.bin(f"/rest/tx/{spend_txid}.bin")
        assert_equal(raw, spend)
        assert_equal(self.hex(f"/rest/tx/{spend_txid}.hex"), spend.hex())
        tx = self.json(f"/rest/tx/{spend_txid}.json")
        assert_equal(tx["txid"], spend_txid)
        assert_equal(tx["blockhash"], spend_block)
        assert_equal(tx["hex"], spend.hex())
        assert_equal(tx["vin"][0]["txid"], cb_txid)
        assert_equal(tx["vout"][0]["value"], Decimal("49.99990000"))
        assert_equal(self.json(f"/rest/tx/{cb_txid}.json")["blockhash"], block1)
        self.error(f"/rest/tx/{'22' * 32}.hex", 404, f"{'22' * 32} not found")
        self.error("/rest/tx/xyz.hex", 400, "Invalid hash: xyz")
        self.error(
            f"/rest/tx/{spend_txid}.txt",
            400,
            f"Invalid hash: {spend_txid}.txt",
        )

    def parse_getutxos_bin(self, data):
        height, tip = struct.unpack("<i32s", data[:36])
        pos = 36
        nbitmap, pos = read_compact_size(data, pos)
        bitmap = data[pos : pos + nbitmap]
        pos += nbitmap
        ncoins, pos = read_compact_size(data, pos)
        coins = []
        for _ in range(ncoins):
            version, coin_height, value = struct.unpack("<IIq", data[pos : pos + 16])
            assert_equal(version, 0)
            pos += 16
            slen, pos = read_compact_size(data, pos)
            coins.append((coin_height, value, data[pos : pos + slen]))
            pos += slen
        assert_equal(pos, len(data))
        return height, tip[::-1].hex(), bitmap, coins

    def check_getutxos(self, cb_txid, hashes, spend_block, tip, height):
        node = self.node
        self.log("/rest/getutxos: json and BIP64 binary, path and body forms")
        cb2 = node.getblock(hashes[1], 1)["tx"][0]
        spent = f"{cb_txid}-0"
        unspent = f"{cb2}-0"
        missing = f"{cb2}-5"
        result = self.json(f"/rest/getutxos/{spent}/{unspent}/{missing}.json")
        assert_equal(result["chainHeight"], height)
        assert_equal(result["chaintipHash"], tip)
        assert_equal(result["bitmap"], "010")
        assert_equal(len(result["utxos"]), 1)
        utxo = result["utxos"][0]
        assert_equal(utxo["height"], 2)
        assert_equal(utxo["value"], Decimal(50))
        assert_equal(utxo["scriptPubKey"]["hex"], OP_TRUE_SPK.hex())
        assert_equal(utxo["scriptPubKey"]["address"], OP_TRUE_ADDRESS)
        assert_equal(utxo["scriptPubKey"]["type"], "witness_v0_scripthash")
        assert_equal(
            self.json(f"/rest/getutxos/checkmempool/{spent}/{unspent}/{missing}.json"), result
        )

        # Nine outpoints: the bitmap takes two bytes, bit i at byte i/8, bit i%8.
        query = [unspent, spent, spent, spent, spent, spent, spent, spent, unspent]
        data = self.bin("/rest/getutxos/" + "/".join(query) + ".bin")
        got_height, got_tip, bitmap, coins = self.parse_getutxos_bin(data)
        assert_equal((got_height, got_tip), (height, tip))
        assert_equal(bitmap, bytes([0x01, 0x01]))
        assert_equal(coins, [(2, 50 * COIN, OP_TRUE_SPK)] * 2)
        assert_equal(self.hex("/rest/getutxos/" + "/".join(query) + ".hex"), data.hex())

        body = (
            b"\x01"
            + ser_compact_size(2)
            + bytes.fromhex(cb2)[::-1]
            + struct.pack("<I", 0)
            + bytes.fromhex(cb_txid)[::-1]
            + struct.pack("<I", 0)
        )
        data = self.bin("/rest/getutxos.bin", body)
        assert_equal(self.parse_getutxos_bin(data)[2], bytes([0x01]))
        assert_equal(self.hex("/rest/getutxos.hex", body.hex().encode()), data.hex())

        self.log("/rest/getutxos errors")
        self.error("/rest/getutxos.json", 400, "Error: empty request")
        self.error("/rest/getutxos/checkmempool.json", 400, "Error: empty request")
        self.error(f"/rest/getutxos/{cb_txid}.json", 400, "Parse error")
        self.error(f"/rest/getutxos/{cb_txid}-x.json", 400, "Parse error")
        self.error("/rest/getutxos/abc-0.json", 400, "Parse error")
        self.error(f"/rest/getutxos/{unspent}", 404, "output format not found (available: .bin, .hex, .json)")
        self.error(
            "/rest/getutxos/" + "/".join([unspent] * 16) + ".json",
            400,
            "Error: max outpoints exceeded (max: 15, tried: 16)",
        )
        self.error(
            f"/rest/getutxos/{unspent}.bin",
            400,
            "Combination of URI scheme inputs and raw post data is not allowed",
            body=body,
        )
        self.error("/rest/getutxos.bin", 400, "Parse error", body=b"\x00\x05" + b"\x00" * 36)

    def check_spenttxouts(self, spend_block, hashes):
        self.log("/rest/spenttxouts: per transaction, the outputs its inputs spent")
        data = self.bin(f"/rest/spenttxouts/{spend_block}.bin")
        expected = ser_compact_size(2) + ser_compact_size(0) + ser_compact_size(1) + struct.pack("<q", 50 * COIN)
        expected += ser_compact_size(len(OP_TRUE_SPK)) + OP_TRUE_SPK
        assert_equal(data, expected)
        assert_equal(self.hex(f"/rest/spenttxouts/{spend_block}.hex"), expected.hex())
        result = self.json(f"/rest/spenttxouts/{spend_block}.json")
        assert_equal(len(result), 2)
        assert_equal(result[0], [])
        assert_equal(result[1][0]["value"], Decimal(50))
        assert_equal(result[1][0]["scriptPubKey"]["hex"], OP_TRUE_SPK.hex())
        # A coinbase-only block spends nothing.
        assert_equal(self.bin(f"/rest/spenttxouts/{hashes[5]}.bin"), b"\x01\x00")
        self.error(f"/rest/spenttxouts/{'33' * 32}.bin", 404, f"{'33' * 32} not found")
        self.error("/rest/spenttxouts/00.bin", 400, "Invalid hash: 00")
        self.error(
            "/rest/spenttxouts/a/b.bin",
            400,
            "Invalid URI format. Expected /rest/spenttxouts/<hash>.<ext>",
        )

    def check_mempool(self, hashes):
        node = self.node
        self.log("with a transaction in the mempool: /rest/mempool/*, getutxos/checkmempool, gettxout")
        cb_txid = node.getblock(hashes[1], 1)["tx"][0]
        pooled = spend_op_true(cb_txid, 0, 50 * COIN - 20_000)
        txid = node.sendrawtransaction(pooled.serialize().hex())
        assert_equal(self.json("/rest/mempool/info.json"), node.getmempoolinfo())
        assert_equal(self.json("/rest/mempool/info.json")["size"], 1)
        assert_equal(self.json("/rest/mempool/contents.json"), node.getrawmempool(True))
        assert_equal(self.json("/rest/mempool/contents.json?verbose=false"), [txid])
        with_seq = self.json("/rest/mempool/contents.json?verbose=false&mempool_sequence=true")
        assert_equal(with_seq, node.getrawmempool(False, True))
        assert_equal(self.hex(f"/rest/tx/{txid}.hex"), pooled.serialize().hex())

        spent, created = f"{cb_txid}-0", f"{txid}-0"
        plain = self.json(f"/rest/getutxos/{spent}/{created}.json")
        assert_equal(plain["bitmap"], "10")
        pooled_view = self.json(f"/rest/getutxos/checkmempool/{spent}/{created}.json")
        assert_equal(pooled_view["bitmap"], "01")
        assert_equal(pooled_view["utxos"][0]["height"], 0x7FFFFFFF)

        assert_equal(node.gettxout(cb_txid, 0), None)
        assert_equal(node.gettxout(cb_txid, 0, False)["confirmations"], node.getblockcount() - 1)
        out = node.gettxout(txid, 0)
        assert_equal(out["confirmations"], 0)
        assert_equal(out["value"], Decimal(50 * COIN - 20_000) / COIN)
        assert_equal(node.gettxout(txid, 0, False), None)
        node.generatetoaddress(1, OP_TRUE_ADDRESS)
        assert_equal(self.json("/rest/mempool/contents.json?verbose=false"), [])

    def check_info(self):
        node = self.node
        self.log("/rest/chaininfo.json, /rest/mempool/*, /rest/deploymentinfo")
        info = self.json("/rest/chaininfo.json")
        rpc_info = node.getblockchaininfo()
        assert_equal(sorted(info.keys()), sorted(rpc_info.keys()))
        for key in ("chain", "blocks", "headers", "bestblockhash", "chainwork"):
            assert_equal(info[key], rpc_info[key])
        assert_equal(info["chain"], "regtest")
        self.error("/rest/chaininfo.bin", 404, "output format not found (available: json)")

        mempool = self.json("/rest/mempool/info.json")
        assert_equal(
            list(mempool.keys()),
            [
                "loaded", "size", "bytes", "usage", "total_fee", "maxmempool", "mempoolminfee",
                "minrelaytxfee", "incrementalrelayfee", "unbroadcastcount", "fullrbf",
            ],
        )
        assert_equal(mempool["size"], 0)
        assert_equal(mempool["minrelaytxfee"], Decimal("0.00001000"))
        assert_equal(self.json("/rest/mempool/contents.json"), {})
        assert_equal(self.json("/rest/mempool/contents.json?verbose=false"), [])
        assert_equal(
            self.json("/rest/mempool/contents.json?verbose=false&mempool_sequence=true")["txids"], []
        )
        self.error(
            "/rest/mempool/contents.json?verbose=maybe",
            400,
            'The "verbose" query parameter must be either "true" or "false".',
        )
        self.error(
            "/rest/mempool/foo.json",
            400,
            "Invalid URI format. Expected /rest/mempool/<info|contents>.json",
        )
        self.error("/rest/mempool/info.hex", 404, "output format not found (available: json)")

        assert_equal(self.json("/rest/deploymentinfo.json"), node.getdeploymentinfo())
        h = node.getblockhash(1)
        assert_equal(self.json(f"/rest/deploymentinfo/{h}.json"), node.getdeploymentinfo(h))
        self.error(f"/rest/deploymentinfo/{'44' * 32}.json", 400, "Block not found")
        self.error("/rest/deploymentinfo/xx.json", 400, "Invalid hash: xx")
        status, _ctype, _data = self.get("/rest/unknown.json")
        assert_equal(status, 404)
        assert_in("bits", self.json(f"/rest/headers/{h}.json")[0])


if __name__ == "__main__":
    RestTest().main()
