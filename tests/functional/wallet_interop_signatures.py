#!/usr/bin/env python3
"""Libraries independent of minibit confirm the wallet's signatures.

(a) P2WPKH: Debian's python3-bitcoinlib computes the BIP143 signature hash (its VerifyScript has
    no witness support, so the test builds the P2PKH script code of the witness pubkey itself)
    and verifies the DER signature with its own ECDSA; HASH160(pubkey) must be the program.
(b) P2TR key path: contrib/interop/verify-taproot.js, with @scure/btc-signer (BIP341 signature
    hash) and @noble/curves (BIP340 Schnorr) from npm, verifies against the output key.

Each checker is first proven on the BIPs' own vectors (BIP143 native P2WPKH, BIP341 key-path
spending), then run on transactions minibitd's wallet signed; a flipped byte must fail.

The npm packages come from contrib/interop (`npm ci --ignore-scripts` there; contrib/test.sh
does it). Missing Node.js or packages make this test fail, never skip."""

import json
import os
import subprocess
import sys

from bitcoin.core import CTransaction, Hash160, b2lx, b2x, x
from bitcoin.core.key import CPubKey
from bitcoin.core.script import (OP_CHECKSIG, OP_DUP, OP_EQUALVERIFY, OP_HASH160,
                                 SIGVERSION_WITNESS_V0, CScript, SignatureHash)

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_in
from test_framework.wallet_util import WALLET_ARGS, sats

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
INTEROP_DIR = os.path.join(ROOT, "contrib", "interop")
VERIFIER = os.path.join(INTEROP_DIR, "verify-taproot.js")
BIP341_VECTORS = os.path.join(ROOT, "tests", "data", "bips", "bip341-wallet-test-vectors.json")
NPM_PACKAGES = ("@scure/btc-signer", "@noble/curves")
sys.path.insert(0, INTEROP_DIR)
from bcoin_node import find_node_binary  # noqa: E402

# BIP143, "Native P2WPKH" example: the signed transaction; its input 1 spends the P2WPKH output
# below (6 BTC) with SIGHASH_ALL, whose signature hash the BIP gives.
BIP143_SIGNED_TX = (
    "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000049"
    "4830450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b19"
    "4ba3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279"
    "655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280"
    "b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50c"
    "e2f0167faa815988ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f0"
    "1cc44a0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476c2e831"
    "88368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee635711000000")
BIP143_INPUT = 1
BIP143_SPENT_SCRIPT = "00141d0f172a0ecb48aee1be1f2687d2963ae33f71a1"
BIP143_SPENT_AMOUNT = 600_000_000
BIP143_SIGHASH = "c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670"

SECP256K1_HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0


def flip_byte(data, index):
    out = bytearray(data)
    out[index] ^= 0x01
    return bytes(out)


def der_s(der):
    """S of a strict DER ECDSA signature (BIP66 layout), or None when it is not one."""
    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2 or der[2] != 0x02:
        return None
    len_r = der[3]
    if 4 + len_r + 2 > len(der) or der[4 + len_r] != 0x02:
        return None
    len_s = der[5 + len_r]
    if 6 + len_r + len_s != len(der):
        return None
    return int.from_bytes(der[6 + len_r:], "big")


def check_p2wpkh(tx, index, spent_script, amount):
    """Checks input `index` of the bitcoinlib CTransaction as a P2WPKH spend of spent_script;
    returns (sighash, pubkey, der signature) after asserting that it verifies."""
    assert_equal(len(spent_script), 22, "P2WPKH scriptPubKey size")
    assert spent_script[:2] == b"\x00\x14", f"not P2WPKH: {b2x(spent_script)}"
    assert_equal(len(tx.vin[index].scriptSig), 0, "native segwit scriptSig")
    stack = tx.wit.vtxinwit[index].scriptWitness.stack
    assert_equal(len(stack), 2, "P2WPKH witness items")
    signature, pubkey = stack
    assert_equal(len(pubkey), 33, "compressed pubkey")
    assert_equal(Hash160(pubkey), spent_script[2:], "HASH160(pubkey) vs the witness program")
    der, hash_type = signature[:-1], signature[-1]
    # BIP143's script code for P2WPKH: the P2PKH script of the program's key hash.
    script_code = CScript([OP_DUP, OP_HASH160, spent_script[2:], OP_EQUALVERIFY, OP_CHECKSIG])
    sighash = SignatureHash(script_code, tx, index, hash_type, amount=amount,
                            sigversion=SIGVERSION_WITNESS_V0)
    key = CPubKey(pubkey)
    assert key.is_fullyvalid, f"pubkey {b2x(pubkey)} is not on the curve"
    if not key.verify(sighash, der):
        raise TestFailure(f"bitcoinlib rejects input {index}: sighash {b2x(sighash)}")
    # Negative: one flipped bit in the signed hash or in S must make bitcoinlib refuse.
    assert not key.verify(flip_byte(sighash, 0), der), "a changed sighash still verifies"
    assert not key.verify(sighash, flip_byte(der, len(der) - 1)), "a changed S still verifies"
    return sighash, pubkey, der, hash_type


class WalletInteropSignaturesTest(MinibitTestFramework):
    def add_options(self, parser):
        parser.add_argument("--interop-modules", default=os.path.join(INTEROP_DIR, "node_modules"),
                            help="node_modules directory holding @scure/btc-signer")

    def check_installed(self):
        if find_node_binary() is None:
            raise TestFailure("Node.js is not installed (apt-get install nodejs npm)")
        for package in NPM_PACKAGES:
            if not os.path.isfile(os.path.join(self.options.interop_modules, package,
                                               "package.json")):
                raise TestFailure(f"{package} is not installed in {self.options.interop_modules} "
                                  f"(run: npm ci --ignore-scripts --prefix {INTEROP_DIR})")

    def verify_taproot(self, tx_hex, prevouts):
        """Runs the JS verifier; prevouts are (amount in satoshis, scriptPubKey bytes)."""
        request = {"tx": tx_hex,
                   "prevouts": [{"amount": amount, "script": b2x(script)}
                                for amount, script in prevouts]}
        env = dict(os.environ, NODE_PATH=self.options.interop_modules)
        result = subprocess.run([find_node_binary(), VERIFIER], input=json.dumps(request),
                                capture_output=True, text=True, env=env, timeout=60)
        if result.returncode != 0:
            raise TestFailure(f"verify-taproot.js exited {result.returncode}: {result.stderr}")
        return json.loads(result.stdout)["inputs"]

    def run_test(self):
        self.check_installed()
        self.check_bip143_vector()
        self.check_bip341_vectors()
        self.check_wallet_transactions()

    def check_bip143_vector(self):
        self.log("bitcoinlib's P2WPKH check reproduces BIP143's native P2WPKH example")
        tx = CTransaction.deserialize(x(BIP143_SIGNED_TX))
        sighash, _, _, hash_type = check_p2wpkh(tx, BIP143_INPUT, x(BIP143_SPENT_SCRIPT),
                                                BIP143_SPENT_AMOUNT)
        assert_equal(hash_type, 1)
        assert_equal(b2x(sighash), BIP143_SIGHASH)
        # The amount is signed: one satoshi more gives another hash, which fails.
        other = SignatureHash(CScript([OP_DUP, OP_HASH160, x(BIP143_SPENT_SCRIPT)[2:],
                                       OP_EQUALVERIFY, OP_CHECKSIG]),
                              tx, BIP143_INPUT, 1, amount=BIP143_SPENT_AMOUNT + 1,
                              sigversion=SIGVERSION_WITNESS_V0)
        stack = tx.wit.vtxinwit[BIP143_INPUT].scriptWitness.stack
        assert not CPubKey(stack[1]).verify(other, stack[0][:-1]), "wrong amount still verifies"

    def check_bip341_vectors(self):
        self.log("verify-taproot.js reproduces BIP341's key-path spending vectors")
        with open(BIP341_VECTORS, encoding="utf8") as f:
            vector = json.load(f)["keyPathSpending"][0]
        tx_hex = vector["auxiliary"]["fullySignedTx"]
        prevouts = [(u["amountSats"], x(u["scriptPubKey"])) for u in vector["given"]["utxosSpent"]]
        results = self.verify_taproot(tx_hex, prevouts)
        assert_equal(len(results), len(prevouts))
        spending = {s["given"]["txinIndex"]: s for s in vector["inputSpending"]}
        assert_equal(len(spending), 7)
        for result in results:
            index = result["index"]
            if index not in spending:
                # Inputs 2 and 5 spend P2PKH and P2WPKH outputs: not the verifier's business.
                assert_equal(result["type"], "not-p2tr")
                assert_equal(result["valid"], None)
                continue
            expected = spending[index]
            assert_equal(result["type"], "p2tr-keypath", f"input {index}")
            assert_equal(result["hashType"], expected["given"]["hashType"], f"input {index}")
            assert_equal(result["sighash"], expected["intermediary"]["sigHash"], f"input {index}")
            assert_equal(result["valid"], True, f"input {index}")
        assert_equal(sorted(r["index"] for r in results if r["type"] == "not-p2tr"), [2, 5])

        # Negative: a flipped byte in input 4's signature (SIGHASH_DEFAULT) fails that input only.
        signature = spending[4]["expected"]["witness"][0]
        assert_equal(tx_hex.count(signature), 1)
        bad_sig = b2x(flip_byte(x(signature), 10))
        results = self.verify_taproot(tx_hex.replace(signature, bad_sig), prevouts)
        assert_equal([r["index"] for r in results if r["valid"] is False], [4])
        assert_equal(sum(1 for r in results if r["valid"] is True), 6)
        # Negative: a different spent amount changes every sighash that commits to all amounts
        # (inputs signed without ANYONECANPAY) and only those.
        changed = list(prevouts)
        changed[0] = (prevouts[0][0] + 1, prevouts[0][1])
        results = self.verify_taproot(tx_hex, changed)
        failing = sorted(r["index"] for r in results if r["valid"] is False)
        expected_failing = sorted(i for i, s in spending.items()
                                  if not s["given"]["hashType"] & 0x80 or i == 0)
        assert_equal(failing, expected_failing)

    def check_wallet_transactions(self):
        node = self.add_node()
        node.start_and_wait(WALLET_ARGS)
        node.createwallet("interop")
        wallet = node.wallet("interop")

        self.log("mine 101 blocks to a bech32 (P2WPKH) address of the wallet")
        wpkh_address = wallet.getnewaddress("", "bech32")
        assert wpkh_address.startswith("bcrt1q"), wpkh_address
        node.generatetoaddress(101, wpkh_address)
        coins = [c for c in wallet.listunspent() if c["address"] == wpkh_address]
        assert_equal(len(coins), 1)
        coinbase = coins[0]

        self.log("(a) the wallet spends that P2WPKH coin to a bech32m (P2TR) address of its own")
        tr_address = wallet.getnewaddress("", "bech32m")
        assert tr_address.startswith("bcrt1p"), tr_address
        sent = wallet.send(outputs={tr_address: 10},
                           options={"inputs": [{"txid": coinbase["txid"],
                                                "vout": coinbase["vout"]}],
                                    "add_inputs": False})
        assert_equal(sent["complete"], True)
        tx_a_hex = wallet.gettransaction(sent["txid"])["hex"]
        tx_a = CTransaction.deserialize(x(tx_a_hex))
        assert_equal(b2lx(tx_a.GetTxid()), sent["txid"])
        assert_equal(len(tx_a.vin), 1)
        assert_equal((b2lx(tx_a.vin[0].prevout.hash), tx_a.vin[0].prevout.n),
                     (coinbase["txid"], coinbase["vout"]))
        # The spent output, decoded by bitcoinlib from the wallet's copy of the coinbase.
        prev = CTransaction.deserialize(x(wallet.gettransaction(coinbase["txid"])["hex"]))
        spent = prev.vout[coinbase["vout"]]
        assert_equal(spent.nValue, sats(coinbase["amount"]))
        assert_equal(b2x(spent.scriptPubKey), coinbase["scriptPubKey"])
        _, pubkey, der, hash_type = check_p2wpkh(tx_a, 0, bytes(spent.scriptPubKey), spent.nValue)
        assert_equal(hash_type, 1, "the wallet signs P2WPKH with SIGHASH_ALL")
        s = der_s(der)
        assert s is not None, f"not strict DER: {b2x(der)}"
        assert s <= SECP256K1_HALF_ORDER, "the wallet's signature has a high S"
        assert_equal(wallet.getaddressinfo(wpkh_address)["pubkey"], b2x(pubkey))
        node.generatetoaddress(1, wallet.getnewaddress("", "bech32"))
        assert_equal(wallet.gettransaction(sent["txid"])["confirmations"], 1)

        self.log("(b) the wallet spends the P2TR coin (key path)")
        tr_coins = [c for c in wallet.listunspent() if c["address"] == tr_address]
        assert_equal(len(tr_coins), 1)
        tr_coin = tr_coins[0]
        assert_equal(tr_coin["txid"], sent["txid"])
        destination = wallet.getnewaddress("", "bech32")
        sent_b = wallet.send(outputs={destination: 5},
                             options={"inputs": [{"txid": tr_coin["txid"],
                                                  "vout": tr_coin["vout"]}],
                                      "add_inputs": False})
        assert_equal(sent_b["complete"], True)
        tx_b_hex = wallet.gettransaction(sent_b["txid"])["hex"]
        tx_b = CTransaction.deserialize(x(tx_b_hex))
        assert_equal(b2lx(tx_b.GetTxid()), sent_b["txid"])
        assert_equal(len(tx_b.vin), 1)
        assert_equal(tx_b.vin[0].prevout.n, tr_coin["vout"])
        spent_tr = tx_a.vout[tr_coin["vout"]]
        assert_equal(spent_tr.nValue, 10 * 100_000_000)
        assert_equal(b2x(spent_tr.scriptPubKey), tr_coin["scriptPubKey"])
        assert b2x(spent_tr.scriptPubKey).startswith("5120"), b2x(spent_tr.scriptPubKey)
        prevouts = [(spent_tr.nValue, bytes(spent_tr.scriptPubKey))]
        results = self.verify_taproot(tx_b_hex, prevouts)
        assert_equal(len(results), 1)
        assert_equal(results[0]["type"], "p2tr-keypath")
        # Core's wallet signs key-path spends with SIGHASH_DEFAULT (a 64-byte signature).
        assert_equal(results[0]["hashType"], 0)
        assert_equal(results[0]["valid"], True, results[0].get("error") or "")

        self.log("negative: a flipped byte of the wallet's Schnorr signature fails")
        signature = b2x(tx_b.wit.vtxinwit[0].scriptWitness.stack[0])
        assert_equal(len(signature), 128)
        assert_equal(tx_b_hex.count(signature), 1)
        for position in (0, 40):
            bad_hex = tx_b_hex.replace(signature, b2x(flip_byte(x(signature), position)))
            assert_equal(self.verify_taproot(bad_hex, prevouts)[0]["valid"], False)
        # The spent amount is signed too.
        assert_equal(self.verify_taproot(tx_b_hex, [(spent_tr.nValue - 1, prevouts[0][1])])[0]
                     ["valid"], False)

        node.generatetoaddress(1, destination)
        assert_equal(wallet.gettransaction(sent_b["txid"])["confirmations"], 1)
        assert_in(sent_b["txid"], node.getblock(node.getbestblockhash(), 1)["tx"])
        assert_equal(node.stop(), 0)


if __name__ == "__main__":
    WalletInteropSignaturesTest().main()
