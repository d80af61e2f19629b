#!/usr/bin/env python3
"""rawtransactions: create -> sign -> decode -> mine -> getrawtransaction.

The key, its WIF, pubkey and addresses are computed here in plain Python (secp256k1
point multiplication, base58check, bech32), independently of the node. The signed
spend is accepted only if the node's consensus validation passes it in a block
built with generateblock. decodescript results are compared with outputs Bitcoin
Core printed for the same scripts.
"""

from decimal import Decimal

from test_framework.address import encode_wif, p2pkh_address, p2wpkh_address
from test_framework.key import pubkey_from_secret
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error_exact

SECRET = 0x1F2E3D4C5B6A79880123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
PUBKEY = pubkey_from_secret(SECRET)
WIF = encode_wif(SECRET)
P2WPKH_ADDR = p2wpkh_address(PUBKEY)
P2PKH_ADDR = p2pkh_address(PUBKEY)
OTHER_WIF = encode_wif(12345)

MULTISIG = (
    "52210276d4d259f156bc953231ae2365555c9a445d50f40e0f9d49f43b062a38df621321020498177dced0022d"
    "4538f0b39a09d315ec944c7205307dc126af8f132975cae3210202835b62db105222c0d5208b31189660bd8a2f"
    "636d25d91329f73be56282fe5253ae"
)


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
        assert_raises_rpc_error_exact(
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
        assert_raises_rpc_error_exact(-5, "Block hash not found", node.getrawtransaction, coinbase, 1, "11" * 32)
        assert_raises_rpc_error_exact(
            -5,
            "No such transaction found in the provided block. Use gettransaction for wallet "
            "transactions.",
            node.getrawtransaction, coinbase, 1, node.getblockhash(2))
        genesis_cb = node.getblock(node.getblockhash(0))["tx"][0]
        assert_raises_rpc_error_exact(
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
        assert_raises_rpc_error_exact(-5, "Invalid Bitcoin address: nope", node.createrawtransaction, [],
                         {"nope": 1})
        assert_raises_rpc_error_exact(-8, "Invalid parameter, duplicate key: data", node.createrawtransaction,
                         [], [{"data": "00"}, {"data": "01"}])
        assert_raises_rpc_error_exact(-8, "Invalid parameter, duplicated address: " + P2PKH_ADDR,
                         node.createrawtransaction, [], [{P2PKH_ADDR: 1}, {P2PKH_ADDR: 2}])
        assert_raises_rpc_error_exact(
            -8, "Invalid parameter combination: Sequence number(s) contradict replaceable option",
            node.createrawtransaction, [{"txid": coinbase, "vout": 0, "sequence": 0xFFFFFFFF}],
            {P2PKH_ADDR: 1}, 0, True)
        assert_raises_rpc_error_exact(-8, "Invalid parameter, locktime out of range",
                         node.createrawtransaction, [], {P2PKH_ADDR: 1}, -1)
        assert_raises_rpc_error_exact(-22, "TX decode failed", node.decoderawtransaction, "zz")

        self.log("signrawtransactionwithkey: error paths")
        assert_raises_rpc_error_exact(-5, "Invalid private key", node.signrawtransactionwithkey, unsigned,
                         ["notakey"])
        assert_raises_rpc_error_exact(-8, "'FOO' is not a valid sighash parameter.",
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
