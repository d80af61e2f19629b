#!/usr/bin/env python3
"""rawtransactions: create -> sign -> decode -> mine -> getrawtransaction.

The key, its WIF, pubkey and addresses are computed here in plain Python (secp256k1
point multiplication, base58check, bech32), independently of the node. The signed
spend is accepted only if the node's consensus validation passes it in a block
built with generateblock. decodescript results are compared with outputs Bitcoin
Core printed for the same scripts.
"""

import hashlib
from decimal import Decimal

from test_framework.rpc import JSONRPCException
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal

# ---- keys and addresses, independently of the node ----------------------------------

P = 2**256 - 2**32 - 977
G = (
    0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
    0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
)


def point_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    if a == b:
        lam = 3 * a[0] * a[0] * pow(2 * a[1], P - 2, P) % P
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], P - 2, P) % P
    x = (lam * lam - a[0] - b[0]) % P
    return (x, (lam * (a[0] - x) - a[1]) % P)


def point_mul(k):
    result, addend = None, G
    while k:
        if k & 1:
            result = point_add(result, addend)
        addend = point_add(addend, addend)
        k >>= 1
    return result


def compressed_pubkey(secret):
    x, y = point_mul(secret)
    return bytes([2 + (y & 1)]) + x.to_bytes(32, "big")


def hash160(data):
    return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(payload):
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((top >> i) & 1) else 0
    return chk


def segwit_v0_address(hrp, program):
    data, acc, bits = [0], 0, 0
    for b in program:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    poly = bech32_polymod(expanded + data + [0] * 6) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32[d] for d in data + checksum)


SECRET = 0x1F2E3D4C5B6A79880123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
PUBKEY = compressed_pubkey(SECRET)
WIF = base58check(b"\xef" + SECRET.to_bytes(32, "big") + b"\x01")
P2WPKH_ADDR = segwit_v0_address("bcrt", hash160(PUBKEY))
P2PKH_ADDR = base58check(b"\x6f" + hash160(PUBKEY))
OTHER_WIF = base58check(b"\xef" + (12345).to_bytes(32, "big") + b"\x01")

MULTISIG = (
    "52210276d4d259f156bc953231ae2365555c9a445d50f40e0f9d49f43b062a38df621321020498177dced0022d"
    "4538f0b39a09d315ec944c7205307dc126af8f132975cae3210202835b62db105222c0d5208b31189660bd8a2f"
    "636d25d91329f73be56282fe5253ae"
)


def assert_rpc_error(code, message, fn, *args):
    try:
        fn(*args)
    except JSONRPCException as e:
        assert_equal(e.code, code, f"error code for {message}")
        assert_equal(e.message, message)
        return
    raise AssertionError(f"expected error {code} {message}")


class RawTransactionTest(MinibitTestFramework):
    """Create, sign, decode and look up raw transactions."""

    def run_test(self):
        node = self.add_node()
        node.start_and_wait()

        self.log("decodescript matches Core's published output")
        d = node.decodescript(MULTISIG)
        assert_equal(d["type"], "multisig")
        assert_equal(d["desc"].split("#")[1], "lugfm7u3")
        assert_equal(d["p2sh"], "2N2iqBAJvyKA2zzhHGUFPwbufqzNs3vGKJo")
        assert_equal(d["segwit"]["asm"],
                     "0 b69f95a35df8ab1b1b924f8e5f7ceecb230d7ee5318c0efd0a2ec2988c2d99f5")
        assert_equal(d["segwit"]["desc"].split("#")[1], "rex36vz8")
        assert_equal(d["segwit"]["type"], "witness_v0_scripthash")
        assert_equal(d["segwit"]["p2sh-segwit"], "2MxnLjcU2FdCiFqur7R7XD4PFDWd4vXcRfB")
        assert_equal(list(d.keys()), ["asm", "desc", "type", "p2sh", "segwit"])
        d = node.decodescript("03e09304b17551")
        assert_equal(d["asm"], "300000 OP_CHECKLOCKTIMEVERIFY OP_DROP 1")
        assert_equal(d["desc"], "raw(03e09304b17551)#pll48me7")
        assert_equal(d["p2sh"], "2MuHsVSqmSpoddRxrDoAbpP6Jya38pDNFid")
        assert_equal(d["segwit"]["p2sh-segwit"], "2MutdmQihXZr3TXc8bYnc1oVyAeQs1iEyf6")
        assert_equal(d["segwit"]["desc"].startswith("addr(bcrt1q"), True)
        d = node.decodescript("a914" + "ee" * 20 + "87")
        assert_equal(d["type"], "scripthash")
        assert "p2sh" not in d and "segwit" not in d
        d = node.decodescript("41" + "04" + "11" * 64 + "ac")  # uncompressed key: no segwit
        assert "p2sh" in d and "segwit" not in d
        assert_equal(node.decodescript("")["type"], "nonstandard")

        self.log("mine to a key held here, then look the coinbase up by block")
        node.generatetoaddress(101, P2WPKH_ADDR)
        block1 = node.getblockhash(1)
        coinbase = node.getblock(block1)["tx"][0]
        assert_rpc_error(
            -5,
            "No such mempool transaction. Use -txindex or provide a block hash to enable "
            "blockchain transaction queries. Use gettransaction for wallet transactions.",
            node.getrawtransaction, coinbase)
        raw = node.getrawtransaction(coinbase, 0, block1)
        verbose = node.getrawtransaction(coinbase, True, block1)
        assert_equal(verbose["in_active_chain"], True)
        assert_equal(verbose["hex"], raw)
        assert_equal(verbose["blockhash"], block1)
        assert_equal(verbose["confirmations"], 101)
        assert_equal(verbose["vout"][0]["scriptPubKey"]["address"], P2WPKH_ADDR)
        assert_equal(list(verbose.keys())[:2], ["in_active_chain", "txid"])
        assert_equal(list(verbose.keys())[-4:], ["blockhash", "confirmations", "time", "blocktime"])
        assert_equal(node.decoderawtransaction(raw)["txid"], coinbase)
        assert_rpc_error(-5, "Block hash not found", node.getrawtransaction, coinbase, 1, "11" * 32)
        assert_rpc_error(
            -5,
            "No such transaction found in the provided block. Use gettransaction for wallet "
            "transactions.",
            node.getrawtransaction, coinbase, 1, node.getblockhash(2))
        genesis_cb = node.getblock(node.getblockhash(0))["tx"][0]
        assert_rpc_error(
            -5,
            "The genesis block coinbase is not considered an ordinary transaction and cannot be "
            "retrieved",
            node.getrawtransaction, genesis_cb)

        self.log("createrawtransaction")
        outputs = [{P2PKH_ADDR: "49.999"}, {"data": "00010203"}]
        unsigned = node.createrawtransaction([{"txid": coinbase, "vout": 0}], outputs)
        dec = node.decoderawtransaction(unsigned)
        assert_equal(dec["vin"][0]["sequence"], 0xFFFFFFFD)
        assert_equal(dec["vout"][0]["scriptPubKey"]["address"], P2PKH_ADDR)
        assert_equal(dec["vout"][0]["value"], Decimal("49.999"))
        assert_equal(dec["vout"][1]["scriptPubKey"]["asm"], "OP_RETURN 50462976")
        assert_equal(dec["vout"][1]["scriptPubKey"]["type"], "nulldata")
        final = node.createrawtransaction([{"txid": coinbase, "vout": 0}], {P2PKH_ADDR: 1}, 0, False)
        assert_equal(node.decoderawtransaction(final)["vin"][0]["sequence"], 0xFFFFFFFF)
        locked = node.createrawtransaction([{"txid": coinbase, "vout": 0}], {P2PKH_ADDR: 1}, 7, False)
        dec = node.decoderawtransaction(locked)
        assert_equal((dec["vin"][0]["sequence"], dec["locktime"]), (0xFFFFFFFE, 7))
        assert_rpc_error(-5, "Invalid Bitcoin address: nope", node.createrawtransaction, [],
                         {"nope": 1})
        assert_rpc_error(-8, "Invalid parameter, duplicate key: data", node.createrawtransaction,
                         [], [{"data": "00"}, {"data": "01"}])
        assert_rpc_error(-8, "Invalid parameter, duplicated address: " + P2PKH_ADDR,
                         node.createrawtransaction, [], [{P2PKH_ADDR: 1}, {P2PKH_ADDR: 2}])
        assert_rpc_error(
            -8, "Invalid parameter combination: Sequence number(s) contradict replaceable option",
            node.createrawtransaction, [{"txid": coinbase, "vout": 0, "sequence": 0xFFFFFFFF}],
            {P2PKH_ADDR: 1}, 0, True)
        assert_rpc_error(-8, "Invalid parameter, locktime out of range",
                         node.createrawtransaction, [], {P2PKH_ADDR: 1}, -1)
        assert_rpc_error(-22, "TX decode failed", node.decoderawtransaction, "zz")

        self.log("signrawtransactionwithkey: error paths")
        assert_rpc_error(-5, "Invalid private key", node.signrawtransactionwithkey, unsigned,
                         ["notakey"])
        assert_rpc_error(-8, "'FOO' is not a valid sighash parameter.",
                         node.signrawtransactionwithkey, unsigned, [WIF], None, "FOO")
        wrong = node.signrawtransactionwithkey(unsigned, [OTHER_WIF])
        assert_equal(wrong["complete"], False)
        assert_equal(wrong["errors"][0]["txid"], coinbase)
        # Core's wording for a P2WPKH witness without two items.
        assert_equal(wrong["errors"][0]["error"], "Witness program hash mismatch")
        assert_equal(wrong["errors"][0]["witness"], [])
        assert_equal(list(wrong["errors"][0].keys()),
                     ["txid", "vout", "witness", "scriptSig", "sequence", "error"])

        self.log("signrawtransactionwithkey: sign the matured coinbase spend")
        signed = node.signrawtransactionwithkey(unsigned, [WIF])
        assert_equal(signed["complete"], True)
        assert "errors" not in signed
        dec = node.decoderawtransaction(signed["hex"])
        witness = dec["vin"][0]["txinwitness"]
        assert_equal(len(witness), 2)
        assert_equal(witness[1], PUBKEY.hex())
        assert_equal(witness[0][-2:], "01")
        assert_equal(node.combinerawtransaction([unsigned, signed["hex"]]), signed["hex"])

        self.log("the node's consensus rules accept the signature in a block")
        block = node.generateblock(P2WPKH_ADDR, [signed["hex"]])["hash"]
        found = node.getrawtransaction(dec["txid"], 2, block)
        assert_equal(found["fee"], Decimal("0.001"))
        prevout = found["vin"][0]["prevout"]
        assert_equal((prevout["generated"], prevout["height"], prevout["value"]), (True, 1, Decimal(50)))
        assert_equal(prevout["scriptPubKey"]["address"], P2WPKH_ADDR)
        assert_equal(found["confirmations"], 1)
        # Spent now: signing again finds no coin.
        again = node.signrawtransactionwithkey(unsigned, [WIF])
        assert_equal(again["errors"][0]["error"], "Input not found or already spent")


if __name__ == "__main__":
    RawTransactionTest().main()
