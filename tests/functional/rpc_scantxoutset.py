#!/usr/bin/env python3
"""scantxoutset on a live regtest node: blocks are mined to addresses of descriptors (keys
derived here with an independent pure-Python BIP32/secp256k1), then found in the UTXO set with
Core's result fields, inferred descriptors, default range, errors and one-scan-at-a-time."""

import decimal
import threading

from test_framework.address import (REGTEST_HRP, decode_wif, descsum_create, p2pkh_address,
                                    p2sh_address, segwit_address)
from test_framework.key import decode_xpub, derive_xpub, pubkey_from_secret
from test_framework.messages import hash160
from test_framework.rpc import JSONRPCException
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_raises_rpc_error_exact, wait_until

# A well-known test tpub (Bitcoin Core's descriptor tests) and Core's signmessage test key.
TPUB = ("tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstxYSnhysw"
        "J76uZPStJRJCTKvosUCJZL5B")
WIF = "cUeKHd5orzT3mz8P9pxyREHfsWtVfgsfDjiZZBcjUBAaGk1BTj7N"


class ScanTxOutSetTest(MinibitTestFramework):
    def run_test(self):
        self.node = self.add_node()
        self.node.start_and_wait()
        rpc = self.rpc = self.node.rpc
        root_fpr = hash160(decode_xpub(TPUB)[1])[:4].hex()

        self.log("no scan running: status is null, abort is false")
        assert_equal(rpc.scantxoutset("status"), None)
        assert_equal(rpc.scantxoutset("abort"), False)

        self.log("mine to a ranged pkh key, a wpkh key and an unrelated script")
        key3 = derive_xpub(TPUB, [1, 3])
        wif_key = pubkey_from_secret(*decode_wif(WIF))
        other = p2sh_address(b"\x51")
        heights = {}
        for name, address in (("pkh3", p2pkh_address(key3)),
                              ("wpkh", segwit_address(REGTEST_HRP, 0, hash160(wif_key)))):
            [block] = rpc.generatetoaddress(1, address)
            heights[name] = rpc.getblock(block)["height"]
        rpc.generatetoaddress(3, other)
        tip = rpc.getblockcount()

        self.log("start finds both coinbase outputs with Core's fields")
        res = rpc.scantxoutset("start", [{"desc": f"pkh({TPUB}/1/*)", "range": 10},
                                         f"wpkh({WIF})"])
        assert_equal(list(res), ["success", "txouts", "height", "bestblock", "unspents",
                                 "total_amount"])
        assert_equal(res["success"], True)
        assert_equal(res["height"], tip)
        assert_equal(res["bestblock"], rpc.getbestblockhash())
        assert_equal(res["txouts"], tip)  # one coinbase output per block after genesis
        assert_equal(res["total_amount"], decimal.Decimal("100.00000000"))
        expected = {
            heights["pkh3"]: ("76a914" + hash160(key3).hex() + "88ac",
                              descsum_create(f"pkh([{root_fpr}/1/3]{key3.hex()})")),
            heights["wpkh"]: ("0014" + hash160(wif_key).hex(),
                              descsum_create(f"wpkh([{hash160(wif_key)[:4].hex()}]"
                                             f"{wif_key.hex()})")),
        }
        unspents = res["unspents"]
        assert_equal(len(unspents), 2)
        # Core orders matches by outpoint: txid bytes in storage (reversed display) order.
        assert_equal([u["txid"] for u in unspents],
                     sorted((u["txid"] for u in unspents), key=lambda t: bytes.fromhex(t)[::-1]))
        for u in unspents:
            height = u["height"]
            spk, desc = expected[height]
            block_hash = rpc.getblockhash(height)
            assert_equal(list(u), ["txid", "vout", "scriptPubKey", "desc", "amount", "coinbase",
                                   "height", "blockhash", "confirmations"])
            assert_equal(u, {"txid": rpc.getblock(block_hash)["tx"][0], "vout": 0,
                             "scriptPubKey": spk, "desc": desc,
                             "amount": decimal.Decimal("50.00000000"), "coinbase": True,
                             "height": height, "blockhash": block_hash,
                             "confirmations": tip - height + 1})

        self.log("the default range is 0..1000; an explicit range reaches further")
        key1000 = derive_xpub(TPUB, [1, 1000])
        key1001 = derive_xpub(TPUB, [1, 1001])
        rpc.generatetoaddress(1, p2pkh_address(key1000))
        rpc.generatetoaddress(1, p2pkh_address(key1001))
        found = rpc.scantxoutset("start", [f"pkh({TPUB}/1/*)"])["unspents"]
        assert_equal(sorted(u["desc"] for u in found), sorted([
            descsum_create(f"pkh([{root_fpr}/1/1000]{key1000.hex()})"),
            expected[heights["pkh3"]][1]]))
        found = rpc.scantxoutset("start", [{"desc": f"pkh({TPUB}/1/*)", "range": [1001, 1001]}])
        assert_equal([u["desc"] for u in found["unspents"]],
                     [descsum_create(f"pkh([{root_fpr}/1/1001]{key1001.hex()})")])

        self.log("addr() and raw() matches are described as addr()")
        other_spk = "a914" + hash160(b"\x51").hex() + "87"
        for obj in (f"addr({other})", f"raw({other_spk})", {"desc": f"addr({other})"}):
            res = rpc.scantxoutset("start", [obj])
            assert_equal(len(res["unspents"]), 3, str(obj))
            assert_equal({u["desc"] for u in res["unspents"]}, {descsum_create(f"addr({other})")})
            assert_equal(res["total_amount"], decimal.Decimal("150.00000000"))
        assert_equal(rpc.scantxoutset("start", [f"combo({key3.hex()})"])["unspents"][0]["desc"],
                     descsum_create(f"pkh([{hash160(key3)[:4].hex()}]{key3.hex()})"))
        assert_equal(rpc.scantxoutset("start", [])["unspents"], [])

        self.log("errors as Core")
        assert_raises_rpc_error_exact(-8, "Invalid action 'foo'", rpc.scantxoutset, "foo")
        assert_raises_rpc_error_exact(-1, "scanobjects argument is required for the start action",
                         rpc.scantxoutset, "start")
        assert_raises_rpc_error_exact(-8, "Scan object needs to be either a string or an object",
                         rpc.scantxoutset, "start", [5])
        assert_raises_rpc_error_exact(-8, "Descriptor needs to be provided in scan object",
                         rpc.scantxoutset, "start", [{"range": 5}])
        assert_raises_rpc_error_exact(-5, "'nonsense' is not a valid descriptor function",
                         rpc.scantxoutset, "start", ["nonsense"])
        assert_raises_rpc_error_exact(-8, "Range specified as [begin,end] must not have begin after end",
                         rpc.scantxoutset, "start", [{"desc": f"pkh({TPUB}/*)", "range": [5, 1]}])
        assert_raises_rpc_error_exact(-8, "Range is too large", rpc.scantxoutset, "start",
                         [{"desc": f"pkh({TPUB}/*)", "range": [0, 1000000]}])
        hardened = f"pkh({TPUB}/*h)"
        assert_raises_rpc_error_exact(-5, f"Cannot derive script without private keys: '{hardened}'",
                         rpc.scantxoutset, "start", [hardened])
        assert_raises_rpc_error_exact(-3, None, rpc.scantxoutset, "start", "notanarray")
        assert_raises_rpc_error_exact(-1, None, rpc.scantxoutset)

        self.log("one scan at a time: a second start is refused while the first runs")
        self.check_single_scan()
        self.node.stop()

    def check_single_scan(self):
        rpc = self.rpc
        # Expanding a large range keeps the scan slot busy long enough to observe it.
        slow = [{"desc": f"pkh({TPUB}/2/*)", "range": [0, 40000]}]
        outcome = {}

        def run():
            client = self.node.rpc_client(timeout=300)
            try:
                outcome["result"] = client.scantxoutset("start", slow)
            except JSONRPCException as e:
                outcome["error"] = e
            finally:
                client.close()

        thread = threading.Thread(target=run)
        thread.start()
        status = wait_until(lambda: rpc.scantxoutset("status"), timeout=60, what="scan running")
        assert_equal(list(status), ["progress"])
        assert 0 <= status["progress"] <= 100, status
        try:
            assert_raises_rpc_error_exact(-8, 'Scan already in progress, use action "abort" or "status"',
                             rpc.scantxoutset, "start", ["raw(51)"])
            assert_equal(rpc.scantxoutset("abort"), True)
        finally:
            thread.join(timeout=300)
        if thread.is_alive() or "error" in outcome:
            raise TestFailure(f"first scan did not finish cleanly: {outcome}")
        assert_equal(type(outcome["result"]["success"]), bool)
        wait_until(lambda: rpc.scantxoutset("status") is None, what="scan slot released")
        # The slot is free again.
        assert_equal(rpc.scantxoutset("start", ["raw(51)"])["success"], True)


if __name__ == "__main__":
    ScanTxOutSetTest().main()
