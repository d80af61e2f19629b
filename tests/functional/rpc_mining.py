#!/usr/bin/env python3
"""generatetoaddress, generatetodescriptor, generateblock, submitblock and submitheader:
results, BIP22 answers and Core's errors, with blocks rebuilt and checked in Python."""

import struct

from test_framework.messages import (dsha256, dsha256_hex, hash160, merkle_root, parse_block,
                                     ser_compact_size, solve_regtest, Tx)
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

ADDRESS = "bcrt1qjqmxmkpmxt80xz4y3746zgt0q3u3ferr34acd5"
# The P2WPKH script of ADDRESS: OP_0 <20-byte program>.
ADDRESS_SCRIPT = "001490366dd83b32cef30aa48faba1216f047914e463"
# A compressed public key (BIP32 test vector 1, m) for pkh()/combo() descriptors.
PUBKEY = "0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2"


class MiningTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait()

        self.log("generatetoaddress: n blocks on the tip, each paying the address")
        hashes = node.generatetoaddress(3, ADDRESS)
        assert_equal(len(hashes), 3)
        assert_equal(node.getblockcount(), 3)
        assert_equal(node.getbestblockhash(), hashes[-1])
        for height, h in enumerate(hashes, start=1):
            raw = bytes.fromhex(node.getblock(h, 0))
            header, txs = parse_block(raw)
            assert_equal(dsha256_hex(header), h)
            assert_equal(header[36:68], merkle_root([t.txid() for t in txs]))
            coinbase = node.getblock(h, 2)["tx"][0]
            assert_equal(coinbase["vout"][0]["scriptPubKey"]["hex"], ADDRESS_SCRIPT)
            assert_equal(coinbase["vout"][0]["value"], 50)
            # BIP34: the coinbase script starts with the height (OP_1..OP_3 here).
            assert_equal(coinbase["vin"][0]["coinbase"][:2], f"{0x50 + height:02x}")
            # A witness commitment output follows the payout.
            assert coinbase["vout"][1]["scriptPubKey"]["hex"].startswith("6a24aa21a9ed")
        assert_raises_rpc_error(-5, "Error: Invalid address", node.generatetoaddress, 1, "notanaddress")
        assert_raises_rpc_error(-5, "Error: Invalid address", node.generatetoaddress, 1,
                     "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")  # mainnet address
        assert_equal(node.generatetoaddress(1, ADDRESS, 0), [])
        assert_equal(node.getblockcount(), 3)

        self.log("generatetodescriptor: pkh(), addr() and combo() pay their scripts")
        pkh_script = "76a914" + hash160(bytes.fromhex(PUBKEY)).hex() + "88ac"
        h = node.generatetodescriptor(1, f"pkh({PUBKEY})")[0]
        assert_equal(node.getblock(h, 2)["tx"][0]["vout"][0]["scriptPubKey"]["hex"], pkh_script)
        h = node.generatetodescriptor(1, f"addr({ADDRESS})")[0]
        assert_equal(node.getblock(h, 2)["tx"][0]["vout"][0]["scriptPubKey"]["hex"], ADDRESS_SCRIPT)
        wpkh_script = "0014" + hash160(bytes.fromhex(PUBKEY)).hex()
        h = node.generatetodescriptor(1, f"combo({PUBKEY})")[0]
        assert_equal(node.getblock(h, 2)["tx"][0]["vout"][0]["scriptPubKey"]["hex"], wpkh_script)
        assert_raises_rpc_error(-5, None, node.generatetodescriptor, 1, "pkh(nothex)")
        assert_raises_rpc_error(-8, "Ranged descriptor not accepted", node.generatetodescriptor, 1,
                     "wpkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0/*)")

        self.log("generateblock: submit=false returns a valid block nobody has seen")
        height = node.getblockcount()
        unsent = node.generateblock(ADDRESS, [], False)
        raw = bytes.fromhex(unsent["hex"])
        header, txs = parse_block(raw)
        assert_equal(dsha256_hex(header), unsent["hash"])
        assert_equal(len(txs), 1)
        assert_equal(node.getblockcount(), height)

        self.log("submitheader, then submitblock of the same block: accepted, then duplicate")
        assert_equal(node.submitheader(header.hex()), None)
        tips = {t["hash"]: t["status"] for t in node.getchaintips()}
        assert_equal(tips[unsent["hash"]], "headers-only")
        assert_equal(node.submitblock(unsent["hex"]), None)
        assert_equal(node.getbestblockhash(), unsent["hash"])
        assert_equal(node.submitblock(unsent["hex"]), "duplicate")

        self.log("submitblock of an invalid block gives the reject reason, then duplicate-invalid")
        height = node.getblockcount()
        template = bytes.fromhex(node.generateblock(ADDRESS, [], False)["hex"])
        header, txs = parse_block(template)
        coinbase = bytearray(txs[0].serialize())
        # The payout's 8-byte value follows the single input; find it by its 50 BTC value.
        value_pos = bytes(coinbase).index(struct.pack("<q", 50 * 100_000_000))
        coinbase[value_pos:value_pos + 8] = struct.pack("<q", 50 * 100_000_000 + 1)
        # Recompute the txid (strip the segwit marker, flag and witness) and the merkle root.
        rebuilt = Tx.from_bytes(bytes(coinbase))
        new_header = solve_regtest(header[:36] + merkle_root([rebuilt.txid()]) + header[68:])
        bad_block = new_header + ser_compact_size(1) + bytes(coinbase)
        assert_equal(node.submitblock(bad_block.hex()), "bad-cb-amount")
        assert_equal(node.submitblock(bad_block.hex()), "duplicate-invalid")
        assert_equal(node.getblockcount(), height)

        self.log("submitblock and submitheader errors")
        assert_raises_rpc_error(-22, "Block decode failed", node.submitblock, "00")
        assert_raises_rpc_error(-22, "Block decode failed", node.submitblock, "zz")
        no_coinbase = solve_regtest(header[:36] + bytes(32) + header[68:]) + ser_compact_size(0)
        assert_raises_rpc_error(-22, "Block does not start with a coinbase", node.submitblock, no_coinbase.hex())
        assert_raises_rpc_error(-22, "Block header decode failed", node.submitheader, "00")
        orphan = bytearray(header)
        orphan[4:36] = bytes(range(32))
        assert_raises_rpc_error(-25, f"Must submit previous header ({bytes(range(32))[::-1].hex()}) first",
                     node.submitheader, bytes(orphan).hex())
        bad_pow = header[:76] + b"\xff\xff\xff\xff"
        if dsha256(bad_pow)[::-1] >= bytes.fromhex("7fffff" + "00" * 29):
            assert_raises_rpc_error(-25, "high-hash", node.submitheader, bad_pow.hex())

        self.log("generateblock with a transaction that spends nothing is refused")
        bogus_tx = ("02000000" "01" + "11" * 32 + "00000000" "00" "ffffffff"
                    "01" + struct.pack("<q", 1000).hex() + "0151" "00000000")
        assert_raises_rpc_error(-25, "TestBlockValidity failed: bad-txns-inputs-missingorspent",
                     node.generateblock, ADDRESS, [bogus_tx])
        assert_raises_rpc_error(-5, "Invalid address or descriptor", node.generateblock, "nonsense", [])
        assert_raises_rpc_error(-22, "Transaction decode failed", node.generateblock, ADDRESS, ["00"])
        assert_equal(node.getblockcount(), height)
        assert_equal(node.stop(), 0)


if __name__ == "__main__":
    MiningTest().main()
