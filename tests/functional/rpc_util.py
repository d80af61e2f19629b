#!/usr/bin/env python3
"""util RPCs on a live regtest node: validateaddress, createmultisig, getdescriptorinfo,
deriveaddresses, signmessagewithprivkey and verifymessage.

Expected values come from published vectors (Bitcoin Core's signmessage functional test,
Core's getdescriptorinfo/deriveaddresses answers as vendored in tests/data/descriptors) or are
computed here independently (hashlib, the BIP173/350 and BIP380 reference algorithms)."""

import json
import os

from test_framework.address import (BECH32_CHARSET, REGTEST_HRP, REGTEST_P2PKH, REGTEST_P2SH,
                                    base58check_encode, decode_segwit_address, descsum,
                                    descsum_create, p2sh_address, segwit_address)
from test_framework.messages import hash160, sha256
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error_exact

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")

# Bitcoin Core's rpc_signmessagewithprivkey.py vector.
CORE_PRIVKEY = "cUeKHd5orzT3mz8P9pxyREHfsWtVfgsfDjiZZBcjUBAaGk1BTj7N"
CORE_ADDRESS = "mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB"
CORE_MESSAGE = "This is just a test message"
CORE_SIGNATURE = "INbVnW4e6PeRmsv2Qgu8NuopvrVjkcxob+sX8OcZG0SALhWybUjzMLPdAsXI46YZGb0KQTRii+wWIQzRpG/U+S0="

# The keys of Core's createmultisig help example.
KEY1 = "03789ed0bb717d88f7d321a368d905e7430207ebbd82bd342cf11ae157a7ace5fd"
KEY2 = "03dbc6764b8884a92e871274b87583e6d5c2a58819473e17e107ef3f6aa5a61626"
# BIP380's uncompressed test key.
UNCOMPRESSED = ("04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0f"
                "a8722476c7709c02559e3aa73aa03918ba2d492eea75abea235")

# Bitcoin Core's test/functional/rpc_validateaddress.py (v28, MIT): mainnet addresses with the
# error and error locations Core reports, and valid ones with their scripts.
CORE_INVALID_MAIN = [
    ("tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",
     "Invalid or unsupported Segwit (Bech32) or Base58 encoding.", []),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "Invalid Bech32 checksum", [41]),
    ("BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",
     "Version 1+ witness address must use Bech32m checksum", []),
    ("bc1rw5uspcuh", "Version 1+ witness address must use Bech32m checksum", []),
    ("bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
     "Version 1+ witness address must use Bech32m checksum", []),
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
     "Invalid Bech32 v0 address program size (16 bytes), per BIP141", []),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
     "Invalid or unsupported Segwit (Bech32) or Base58 encoding.", []),
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3t4", "Invalid character or mixed case", [40]),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
     "Version 1+ witness address must use Bech32m checksum", []),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
     "Invalid or unsupported Segwit (Bech32) or Base58 encoding.", []),
    ("bc1gmk9yu", "Empty Bech32 data section", []),
    ("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
     "Invalid or unsupported Segwit (Bech32) or Base58 encoding.", []),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
     "Version 1+ witness address must use Bech32m checksum", []),
    ("tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
     "Invalid or unsupported Segwit (Bech32) or Base58 encoding.", []),
    ("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
     "Version 1+ witness address must use Bech32m checksum", []),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
     "Version 0 witness address must use Bech32 checksum", []),
    ("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
     "Invalid or unsupported Segwit (Bech32) or Base58 encoding.", []),
    ("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
     "Invalid Base 32 character", [59]),
    ("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
     "Invalid Bech32 address witness version", []),
    ("bc1pw5dgrnzv", "Invalid Bech32 address program size (1 byte)", []),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
     "Invalid Bech32 address program size (41 bytes)", []),
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
     "Invalid or unsupported Segwit (Bech32) or Base58 encoding.", []),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
     "Invalid padding in Bech32 data section", []),
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
     "Invalid or unsupported Segwit (Bech32) or Base58 encoding.", []),
]
CORE_VALID_MAIN = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
     "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"),
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
     "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    ("bc1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvses5wp4dt",
     "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"),
    ("bc1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvses7epu4h",
     "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
     "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
    ("bc1pfeessrawgf", "51024e73"),
]

# ---- scripts -----------------------------------------------------------------------------------

def push(data):
    assert len(data) < 0x4c
    return bytes([len(data)]) + data


def push_int(n):
    """A small positive script number: OP_1..OP_16, else a one-byte push."""
    return bytes([0x50 + n]) if n <= 16 else bytes([1, n])


def multisig_script(m, keys):
    return (push_int(m) + b"".join(push(bytes.fromhex(k)) for k in keys)
            + push_int(len(keys)) + b"\xae")


def p2pkh_spk(h160):
    return "76a914" + h160.hex() + "88ac"


def load_json(relative):
    with open(os.path.join(DATA_DIR, relative), encoding="utf-8") as f:
        return json.load(f)


def to_regtest_address(address):
    """Re-encodes a testnet bech32 address for regtest; base58 addresses are shared."""
    if address.startswith("tb1"):
        _, version, program = decode_segwit_address(address)
        return segwit_address(REGTEST_HRP, version, program)
    return address


class RpcUtilTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait()
        self.rpc = node.rpc
        self.test_validateaddress()
        self.test_createmultisig()
        self.test_getdescriptorinfo()
        self.test_deriveaddresses()
        self.test_messages()
        node.stop()
        self.test_validateaddress_main()

    def test_validateaddress_main(self):
        self.log("validateaddress on mainnet: Bitcoin Core's vectors, error locations included")
        node = self.add_node(chain_subdir="")
        node.start(extra_args=["-chain=main"], chain_arg=False)
        node.wait_for_rpc()
        for address, error, locations in CORE_INVALID_MAIN:
            res = node.rpc.validateaddress(address)
            assert_equal(res, {"isvalid": False, "error_locations": locations, "error": error},
                         address)
        for address, spk in CORE_VALID_MAIN:
            res = node.rpc.validateaddress(address)
            assert_equal((res["isvalid"], res["scriptPubKey"]), (True, spk), address)
            assert "error" not in res and "error_locations" not in res
        node.stop()

    def test_validateaddress(self):
        rpc = self.rpc
        self.log("validateaddress: each address kind, fields computed here")
        h160 = hash160(b"minibit")
        p2pkh = base58check_encode(bytes([REGTEST_P2PKH]) + h160)
        res = rpc.validateaddress(p2pkh)
        assert_equal(list(res), ["isvalid", "address", "scriptPubKey", "isscript", "iswitness"])
        assert_equal(res, {"isvalid": True, "address": p2pkh, "scriptPubKey": p2pkh_spk(h160),
                           "isscript": False, "iswitness": False})

        p2sh = base58check_encode(bytes([REGTEST_P2SH]) + h160)
        res = rpc.validateaddress(p2sh)
        assert_equal(res["scriptPubKey"], "a914" + h160.hex() + "87")
        assert_equal((res["isscript"], res["iswitness"]), (True, False))

        cases = [
            (0, h160, False),
            (0, sha256(b"minibit"), True),
            (1, sha256(b"minibit"), True),
        ]
        for version, program, isscript in cases:
            address = segwit_address(REGTEST_HRP, version, program)
            res = rpc.validateaddress(address.upper() if version == 0 and not isscript else address)
            opcode = "00" if version == 0 else "51"
            assert_equal(res, {
                "isvalid": True, "address": address,
                "scriptPubKey": opcode + bytes([len(program)]).hex() + program.hex(),
                "isscript": isscript, "iswitness": True, "witness_version": version,
                "witness_program": program.hex()})
        # A future witness version: no isscript, but version and program.
        future = segwit_address(REGTEST_HRP, 2, bytes(range(16)))
        res = rpc.validateaddress(future)
        assert_equal(res, {"isvalid": True, "address": future,
                           "scriptPubKey": "5210" + bytes(range(16)).hex(),
                           "iswitness": True, "witness_version": 2,
                           "witness_program": bytes(range(16)).hex()})

        self.log("validateaddress: invalid input answers isvalid false with an error")
        bad_checksum = p2pkh[:-1] + ("2" if p2pkh[-1] != "2" else "3")
        res = rpc.validateaddress(bad_checksum)
        assert_equal(res, {"isvalid": False, "error_locations": [],
                           "error": "Invalid checksum or length of Base58 address (P2PKH or P2SH)"})
        # Mainnet segwit address on regtest.
        res = rpc.validateaddress(segwit_address("bc", 0, h160))
        assert_equal(res["isvalid"], False)
        assert_equal(res["error"], "Invalid or unsupported Segwit (Bech32) or Base58 encoding.")
        for text in ("", "notanaddress", segwit_address(REGTEST_HRP, 0, h160)[:-1] + "q"):
            res = rpc.validateaddress(text)
            assert_equal(res["isvalid"], False, text)
            assert_equal(list(res), ["isvalid", "error_locations", "error"], text)
            assert res["error"], text
        self.log("validateaddress: a mistyped character is located (bech32 and bech32m)")
        for version, program, message in ((0, h160, "Invalid Bech32 checksum"),
                                          (1, sha256(b"x"), "Invalid Bech32m checksum")):
            address = segwit_address(REGTEST_HRP, version, program)
            for pos in range(len(REGTEST_HRP) + 1, len(address), 7):
                other = BECH32_CHARSET[(BECH32_CHARSET.index(address[pos]) + 1) % 32]
                typo = address[:pos] + other + address[pos + 1:]
                assert_equal(rpc.validateaddress(typo),
                             {"isvalid": False, "error_locations": [pos], "error": message}, typo)
        too_long = "bcrt1" + "q" * 90
        assert_equal(rpc.validateaddress(too_long)["error_locations"], list(range(90, 95)))
        assert_equal(rpc.validateaddress(too_long)["error"], "Bech32 string too long")
        assert_equal(rpc.validateaddress("bcrt1qqqqq"), {
            "isvalid": False, "error_locations": [4], "error": "Invalid separator position"})
        assert_equal(rpc.validateaddress("bcrtqqqqqqqqqq"), {
            "isvalid": False, "error_locations": [], "error": "Missing separator"})
        assert_raises_rpc_error_exact(-1, None, rpc.validateaddress)
        assert_raises_rpc_error_exact(-3, None, rpc.validateaddress, 1)

    def test_createmultisig(self):
        rpc = self.rpc
        self.log("createmultisig: legacy, p2sh-segwit and bech32 against independent encodings")
        redeem = multisig_script(2, [KEY1, KEY2])
        inner = f"multi(2,{KEY1},{KEY2})"
        res = rpc.createmultisig(2, [KEY1, KEY2])
        assert_equal(res, {"address": p2sh_address(redeem), "redeemScript": redeem.hex(),
                           "descriptor": descsum_create(f"sh({inner})")})
        assert_equal(rpc.createmultisig(2, [KEY1, KEY2], "legacy"), res)

        witness_program = b"\x00\x20" + sha256(redeem)
        res = rpc.createmultisig(2, [KEY1, KEY2], "p2sh-segwit")
        assert_equal(res, {"address": p2sh_address(witness_program), "redeemScript": redeem.hex(),
                           "descriptor": descsum_create(f"sh(wsh({inner}))")})

        res = rpc.call("createmultisig", nrequired=1, keys=[KEY1, KEY2], address_type="bech32")
        redeem1 = multisig_script(1, [KEY1, KEY2])
        assert_equal(res, {"address": segwit_address(REGTEST_HRP, 0, sha256(redeem1)),
                           "redeemScript": redeem1.hex(),
                           "descriptor": descsum_create(f"wsh(multi(1,{KEY1},{KEY2}))")})

        self.log("createmultisig: an uncompressed key forces legacy with a warning")
        res = rpc.createmultisig(1, [KEY1, UNCOMPRESSED], "bech32")
        redeem_u = multisig_script(1, [KEY1, UNCOMPRESSED])
        assert_equal(res, {
            "address": p2sh_address(redeem_u), "redeemScript": redeem_u.hex(),
            "descriptor": descsum_create(f"sh(multi(1,{KEY1},{UNCOMPRESSED}))"),
            "warnings": ["Unable to make chosen address type, please ensure no uncompressed "
                         "public keys are present."]})
        # Legacy was asked for: no warning.
        assert "warnings" not in rpc.createmultisig(1, [KEY1, UNCOMPRESSED])

        self.log("createmultisig: Core's errors")
        assert_raises_rpc_error_exact(-8, "not enough keys supplied (got 2 keys, but need at least 3 to redeem)",
                         rpc.createmultisig, 3, [KEY1, KEY2])
        assert_raises_rpc_error_exact(-8, "a multisignature address must require at least one key to redeem",
                         rpc.createmultisig, 0, [KEY1, KEY2])
        assert_raises_rpc_error_exact(-5, 'Pubkey "deadbeef" must have a length of either 33 or 65 bytes',
                         rpc.createmultisig, 1, ["deadbeef"])
        assert_raises_rpc_error_exact(-5, 'Pubkey "zz" must be a hex string', rpc.createmultisig, 1, ["zz"])
        invalid_point = "02" + "00" * 32
        assert_raises_rpc_error_exact(-5, f'Pubkey "{invalid_point}" must be cryptographically valid.',
                         rpc.createmultisig, 1, [invalid_point])
        assert_raises_rpc_error_exact(-5, "createmultisig cannot create bech32m multisig addresses",
                         rpc.createmultisig, 1, [KEY1], "bech32m")
        assert_raises_rpc_error_exact(-5, "Unknown address type 'foo'", rpc.createmultisig, 1, [KEY1], "foo")
        assert_raises_rpc_error_exact(-8, "Number of keys involved in the multisignature address creation > 20"
                         "\nReduce the number", rpc.createmultisig, 1, [KEY1] * 21)
        # 15 compressed keys fit the 520-byte P2SH limit; these 17 keys do not.
        assert_equal(len(multisig_script(1, [KEY1] * 15)), 513)
        rpc.createmultisig(1, [KEY1] * 15)
        too_big = [KEY1] * 16 + [UNCOMPRESSED]
        assert_raises_rpc_error_exact(-8, f"redeemScript exceeds size limit: "
                         f"{len(multisig_script(1, too_big))} > 520",
                         rpc.createmultisig, 1, too_big)

    def test_getdescriptorinfo(self):
        rpc = self.rpc
        self.log("getdescriptorinfo: Core's recorded answers (testnet/regtest keys)")
        checked = 0
        for entries in load_json("descriptors/desc-valid.json").values():
            for vec in entries:
                if vec.get("network") not in ("testnet", "regtest"):
                    continue
                res = rpc.getdescriptorinfo(vec["input"])
                assert_equal(res, {k: vec[k] for k in ("descriptor", "checksum", "isrange",
                                                       "issolvable", "hasprivatekeys")},
                             vec["input"])
                checked += 1
        assert checked >= 10, checked

        self.log("getdescriptorinfo: checksums and canonical form follow BIP380")
        desc = f"sh(multi(1,{KEY1},{KEY2}))"
        assert_equal(rpc.getdescriptorinfo(desc), {
            "descriptor": descsum_create(desc), "checksum": descsum(desc), "isrange": False,
            "issolvable": True, "hasprivatekeys": False})
        res = rpc.getdescriptorinfo(f"pkh({CORE_PRIVKEY})")
        assert_equal(res["hasprivatekeys"], True)
        assert_equal(res["checksum"], descsum(f"pkh({CORE_PRIVKEY})"))
        assert res["descriptor"].startswith("pkh(03") or res["descriptor"].startswith("pkh(02")
        raw = "raw(deadbeef)"
        assert_equal(rpc.getdescriptorinfo(raw)["issolvable"], False)

        self.log("getdescriptorinfo: errors are -5 with the parser's message")
        assert_raises_rpc_error_exact(-5, "'' is not a valid descriptor function", rpc.getdescriptorinfo, "")
        assert_raises_rpc_error_exact(-5, "Provided checksum '89f8spxm' does not match computed checksum "
                         f"'{descsum('raw(deedbeef)')}'", rpc.getdescriptorinfo,
                         "raw(deedbeef)#89f8spxm")
        assert_raises_rpc_error_exact(-5, "Multiple '#' symbols", rpc.getdescriptorinfo, "raw(deedbeef)##9f8spxm")
        assert_raises_rpc_error_exact(-3, None, rpc.getdescriptorinfo, 1)

    def test_deriveaddresses(self):
        rpc = self.rpc
        self.log("deriveaddresses: Core's recorded answers (testnet/regtest keys)")
        checked = 0
        for group, entries in load_json("descriptors/desc-addresses.json").items():
            if group in ("pk", "combo"):
                continue  # recorded before Core stopped giving P2PK an address
            for vec in entries:
                if vec.get("network") not in ("testnet", "regtest"):
                    continue
                text = vec["input"] if "#" in vec["input"] else descsum_create(vec["input"])
                args = [text] + ([vec["range"]] if "range" in vec else [])
                if "error" in vec:
                    # bcoin's wording differs from Core's; the call must fail either way.
                    assert_raises_rpc_error_exact(None, None, rpc.deriveaddresses, *args)
                else:
                    expected = [to_regtest_address(a) for a in vec["addresses"]]
                    assert_equal(rpc.deriveaddresses(*args), expected, text)
                checked += 1
        assert checked >= 8, checked

        self.log("deriveaddresses: plain keys give addresses computed here")
        key_h160 = hash160(bytes.fromhex(KEY1))
        assert_equal(rpc.deriveaddresses(descsum_create(f"wpkh({KEY1})")),
                     [segwit_address(REGTEST_HRP, 0, key_h160)])
        # combo skips P2PK and lists P2PKH, P2WPKH and P2SH-P2WPKH.
        wpkh_spk = b"\x00\x14" + key_h160
        assert_equal(rpc.deriveaddresses(descsum_create(f"combo({KEY1})")), [
            base58check_encode(bytes([REGTEST_P2PKH]) + key_h160),
            segwit_address(REGTEST_HRP, 0, key_h160), p2sh_address(wpkh_spk)])

        self.log("deriveaddresses: Core's errors")
        ranged = descsum_create(
            "wpkh(tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstx"
            "YSnhyswJ76uZPStJRJCTKvosUCJZL5B/*)")
        hardened = descsum_create(
            "wpkh(tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstx"
            "YSnhyswJ76uZPStJRJCTKvosUCJZL5B/*h)")
        plain = descsum_create(f"wpkh({KEY1})")
        assert_equal(len(rpc.deriveaddresses(ranged, 2)), 3)
        assert_equal(rpc.deriveaddresses(ranged, [1, 2]), rpc.deriveaddresses(ranged, 2)[1:])
        assert_raises_rpc_error_exact(-5, "Missing checksum", rpc.deriveaddresses, f"wpkh({KEY1})")
        assert_raises_rpc_error_exact(-8, "Range should not be specified for an un-ranged descriptor",
                         rpc.deriveaddresses, plain, 1)
        assert_raises_rpc_error_exact(-8, "Range must be specified for a ranged descriptor",
                         rpc.deriveaddresses, ranged)
        assert_raises_rpc_error_exact(-8, "Range specified as [begin,end] must not have begin after end",
                         rpc.deriveaddresses, ranged, [2, 1])
        assert_raises_rpc_error_exact(-8, "Range should be greater or equal than 0",
                         rpc.deriveaddresses, ranged, [-1, 1])
        assert_raises_rpc_error_exact(-8, "End of range is too high", rpc.deriveaddresses, ranged, 2 ** 31)
        assert_raises_rpc_error_exact(-8, "Range is too large", rpc.deriveaddresses, ranged, [0, 1000000])
        assert_raises_rpc_error_exact(-8, "Range must be specified as end or as [begin,end]",
                         rpc.deriveaddresses, ranged, "x")
        assert_raises_rpc_error_exact(-5, "Cannot derive script without private keys",
                         rpc.deriveaddresses, hardened, 1)
        assert_raises_rpc_error_exact(-5, "Descriptor does not have a corresponding address",
                         rpc.deriveaddresses, descsum_create(f"pk({KEY1})"))

    def test_messages(self):
        rpc = self.rpc
        self.log("signmessagewithprivkey / verifymessage: Bitcoin Core's vector")
        assert_equal(rpc.signmessagewithprivkey(CORE_PRIVKEY, CORE_MESSAGE), CORE_SIGNATURE)
        assert_equal(rpc.verifymessage(CORE_ADDRESS, CORE_SIGNATURE, CORE_MESSAGE), True)
        assert_equal(rpc.verifymessage(CORE_ADDRESS, CORE_SIGNATURE, CORE_MESSAGE + "!"), False)
        other = base58check_encode(bytes([REGTEST_P2PKH]) + hash160(b"someone else"))
        assert_equal(rpc.verifymessage(other, CORE_SIGNATURE, CORE_MESSAGE), False)
        # A well-formed base64 string that is not 65 bytes recovers nothing.
        assert_equal(rpc.verifymessage(CORE_ADDRESS, "AAAA", CORE_MESSAGE), False)

        self.log("signmessagewithprivkey / verifymessage: Core's errors")
        assert_raises_rpc_error_exact(-5, "Invalid private key", rpc.signmessagewithprivkey, "invalid_key",
                         CORE_MESSAGE)
        assert_raises_rpc_error_exact(-5, "Invalid address", rpc.verifymessage, "invalid_addr", CORE_SIGNATURE,
                         CORE_MESSAGE)
        assert_raises_rpc_error_exact(-3, "Malformed base64 encoding", rpc.verifymessage, CORE_ADDRESS,
                         "invalid_sig", CORE_MESSAGE)
        for non_p2pkh in (segwit_address(REGTEST_HRP, 0, hash160(b"x")),
                          p2sh_address(b"\x51")):
            assert_raises_rpc_error_exact(-3, "Address does not refer to key", rpc.verifymessage, non_p2pkh,
                             CORE_SIGNATURE, CORE_MESSAGE)
        for count in (0, 1, 3):
            assert_raises_rpc_error_exact(-1, None, rpc.signmessagewithprivkey, *(["dummy"] * count))
        for count in (0, 1, 2, 4):
            assert_raises_rpc_error_exact(-1, None, rpc.verifymessage, *(["dummy"] * count))


if __name__ == "__main__":
    RpcUtilTest().main()
