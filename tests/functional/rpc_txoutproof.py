#!/usr/bin/env python3
"""gettxoutproof, verifytxoutproof and getindexinfo without -txindex.

Blocks with many transactions are built here (spends of anyone-can-spend P2WSH
outputs, a witness commitment, ground proof of work) and submitted with
submitblock. Every proof the node returns is checked independently: the merkle
root is recomputed from the proof's hashes and flag bits with hashlib and must
equal the root in the node's own block header.
"""

import struct
import time

from test_framework.address import REGTEST_HRP, p2wsh_address
from test_framework.messages import (COIN, OP_TRUE_P2WSH_SPK, OP_TRUE_SCRIPT, REGTEST_BITS, Tx,
                                     dsha256, hash_to_hex, hex_to_hash, merkle_root,
                                     read_compact_size, script_num_push, ser_compact_size,
                                     solve_regtest)
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, assert_raises_rpc_error

ADDRESS = p2wsh_address(OP_TRUE_SCRIPT, REGTEST_HRP)

# ---- blocks of anyone-can-spend transactions ------------------------------------------


class BlockMaker:
    """Builds valid regtest blocks holding chains of anyone-can-spend transactions."""

    def __init__(self, node):
        self.node = node
        self.time = int(time.time()) + 600  # above any median time past, far below +2h
        self.count = 0

    def coinbase(self, height, value, witness):
        # A counter after the height keeps coinbases of competing blocks distinct.
        self.count += 1
        script_sig = script_num_push(height) + b"\x04" + struct.pack("<I", self.count)
        witness_stack = [b"\x00" * 32] if witness else []
        return Tx([(b"\x00" * 32, 0xFFFFFFFF, witness_stack)], [(value, OP_TRUE_P2WSH_SPK)],
                  [script_sig])

    def block(self, prev_hash, height, txs, fees=0):
        """Serialized block on prev_hash (display hex) at height with txs after the coinbase."""
        witness = any(any(w for _t, _v, w in tx.inputs) for tx in txs)
        coinbase = self.coinbase(height, 50 * COIN // (2 ** (height // 150)) + fees, witness)
        if witness:
            wtxids = [b"\x00" * 32] + [tx.wtxid() for tx in txs]
            commitment = dsha256(merkle_root(wtxids) + b"\x00" * 32)
            coinbase.outputs.append((0, b"\x6a\x24\xaa\x21\xa9\xed" + commitment))
        all_txs = [coinbase] + txs
        root = merkle_root([tx.txid() for tx in all_txs])
        self.time += 1
        header = struct.pack("<i", 0x20000000) + hex_to_hash(prev_hash) + root
        header = solve_regtest(header + struct.pack("<II", self.time, REGTEST_BITS))
        raw = header + ser_compact_size(len(all_txs)) + b"".join(tx.serialize() for tx in all_txs)
        return hash_to_hex(dsha256(header)), all_txs, raw

    def submit(self, prev_hash, height, txs, fees=0):
        block_hash, all_txs, raw = self.block(prev_hash, height, txs, fees)
        # "inconclusive": stored on a side branch that is not (yet) the best chain.
        assert_in(self.node.submitblock(raw.hex()), (None, "inconclusive"))
        return block_hash, all_txs

    def spend_block(self, coin_txid, coin_value, fan, prev_hash, height):
        """A block where one tx splits a coin into `fan` outputs and `fan` txs spend each.

        Returns (block hash, [coinbase, split, spends...]); the split tx ends fully spent and
        every spend keeps one unspent output.
        """
        fee = 1000
        each = (coin_value - fee) // fan
        split = Tx([(coin_txid, 0, [OP_TRUE_SCRIPT])], [(each, OP_TRUE_P2WSH_SPK)] * fan)
        spends = [Tx([(split.txid(), i, [OP_TRUE_SCRIPT])], [(each - fee, OP_TRUE_P2WSH_SPK)])
                  for i in range(fan)]
        return self.submit(prev_hash, height, [split] + spends, fees=fee * (fan + 1))


# ---- an independent proof checker -----------------------------------------------------


def parse_proof(proof_hex):
    """Decodes a merkle block: (header bytes, tx count, hashes, flag bits)."""
    data = bytes.fromhex(proof_hex)
    header = data[:80]
    count = struct.unpack("<I", data[80:84])[0]
    n_hashes, pos = read_compact_size(data, 84)
    hashes = [data[pos + 32 * i : pos + 32 * (i + 1)] for i in range(n_hashes)]
    pos += 32 * n_hashes
    n_bytes, pos = read_compact_size(data, pos)
    flag_bytes = data[pos : pos + n_bytes]
    assert_equal(pos + n_bytes, len(data), "proof has trailing bytes")
    bits = [(flag_bytes[i // 8] >> (i % 8)) & 1 for i in range(8 * n_bytes)]
    return header, count, hashes, bits


def check_proof(proof_hex, expected_block_hash, expected_txids):
    """Recomputes the root from the proof and returns the matched txids (display hex)."""
    header, count, hashes, bits = parse_proof(proof_hex)
    assert_equal(hash_to_hex(dsha256(header)), expected_block_hash)
    widths = [count]
    while widths[-1] > 1:
        widths.append((widths[-1] + 1) // 2)
    state = {"bit": 0, "hash": 0}
    matched = []

    def walk(height, pos):
        bit = bits[state["bit"]]
        state["bit"] += 1
        if height == 0 or not bit:
            h = hashes[state["hash"]]
            state["hash"] += 1
            if height == 0 and bit:
                matched.append(hash_to_hex(h))
            return h
        left = walk(height - 1, 2 * pos)
        right = walk(height - 1, 2 * pos + 1) if 2 * pos + 1 < widths[height - 1] else left
        return dsha256(left + right)

    root = walk(len(widths) - 1, 0)
    assert_equal(state["hash"], len(hashes))
    assert_equal(root, header[36:68], "recomputed merkle root differs from the header's")
    assert_equal(sorted(matched), sorted(expected_txids))
    return matched


def build_chain(node, maker, fan=10):
    """101 blocks to the anyone-can-spend address, then a block spending block 1's coinbase.

    Returns (block hash, txs of that block) and the hash of block 1.
    """
    hashes = node.generatetoaddress(101, ADDRESS)
    assert_equal(len(hashes), 101)
    # Block 1's coinbase pays the 50 BTC subsidy in its first output.
    coinbase_txid = hex_to_hash(node.getblock(hashes[0], 1)["tx"][0])
    return maker.spend_block(coinbase_txid, 50 * COIN, fan, hashes[-1], 102)


class TxOutProofTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait()
        maker = BlockMaker(node)
        block_hash, txs = build_chain(node, maker)
        assert_equal(node.getbestblockhash(), block_hash)
        txids = [hash_to_hex(tx.txid()) for tx in txs]
        coinbase, split, spends = txids[0], txids[1], txids[2:]
        header_root = node.getblockheader(block_hash)["merkleroot"]
        assert_equal(header_root, hash_to_hex(merkle_root([tx.txid() for tx in txs])))

        self.log("a tx with an unspent output is found through the UTXO set")
        proof = node.gettxoutproof([spends[3]])
        assert_equal(check_proof(proof, block_hash, [spends[3]]), [spends[3]])
        assert_equal(node.verifytxoutproof(proof), [spends[3]])
        # The same proof with the block given.
        assert_equal(node.gettxoutproof([spends[3]], block_hash), proof)

        self.log("several txids, the coinbase and the last tx")
        chosen = [spends[-1], coinbase, spends[0], split]
        proof = node.gettxoutproof(chosen, block_hash)
        check_proof(proof, block_hash, chosen)
        # Returned in block order.
        assert_equal(node.verifytxoutproof(proof), [coinbase, split, spends[0], spends[-1]])
        proof = node.gettxoutproof(txids)
        assert_equal(node.verifytxoutproof(proof), txids)
        proof = node.gettxoutproof([spends[2], split])  # spends[2] picks the block
        assert_equal(node.verifytxoutproof(proof), [split, spends[2]])

        self.log("a fully spent tx needs the block hash without -txindex")
        started = time.time()
        assert_raises_rpc_error(-5, "Transaction not yet in block", node.gettxoutproof, [split])
        self.log(f"  (UTXO scan of a spent tx took {time.time() - started:.2f}s)")
        assert_raises_rpc_error(-5, "Transaction not yet in block", node.gettxoutproof, ["aa" * 32])
        proof = node.gettxoutproof([split], block_hash)
        assert_equal(node.verifytxoutproof(proof), [split])

        self.log("txids of different blocks")
        other_coinbase = node.getblock(node.getblockhash(50), 1)["tx"][0]
        assert_raises_rpc_error(-5, "Not all transactions found in specified or retrieved block",
                         node.gettxoutproof, [spends[0], other_coinbase])
        assert_raises_rpc_error(-5, "Not all transactions found in specified or retrieved block",
                         node.gettxoutproof, [other_coinbase], block_hash)
        # Block 50's coinbase is unspent: its own block proves it.
        proof = node.gettxoutproof([other_coinbase])
        check_proof(proof, node.getblockhash(50), [other_coinbase])

        self.log("parameter errors")
        assert_raises_rpc_error(-8, "Parameter 'txids' cannot be empty", node.gettxoutproof, [])
        assert_raises_rpc_error(-8, f"Invalid parameter, duplicated txid: {spends[0]}",
                         node.gettxoutproof, [spends[0], spends[0]])
        assert_raises_rpc_error(-8, "txid must be of length 64 (not 3, for 'abc')",
                         node.gettxoutproof, ["abc"])
        assert_raises_rpc_error(-8, "txid must be hexadecimal string (not '" + "zz" * 32 + "')",
                         node.gettxoutproof, ["zz" * 32])
        assert_raises_rpc_error(-8, "blockhash must be of length 64", node.gettxoutproof,
                         [spends[0]], "00")
        assert_raises_rpc_error(-5, "Block not found", node.gettxoutproof, [spends[0]], "11" * 32)
        assert_raises_rpc_error(-3, "is not of expected type array", node.gettxoutproof, spends[0])
        assert_raises_rpc_error(-8, "proof must be hexadecimal string", node.verifytxoutproof, "0")
        assert_raises_rpc_error(-8, "proof must be hexadecimal string", node.verifytxoutproof, "zz")

        self.log("tampered and truncated proofs")
        proof = node.gettxoutproof([spends[1]], block_hash)
        raw = bytearray(bytes.fromhex(proof))
        for cut in (0, 40, 80, 84, 85, len(raw) - 1):
            assert_raises_rpc_error(-1, "", node.verifytxoutproof, raw[:cut].hex())
        assert_raises_rpc_error(-1, "", node.verifytxoutproof, proof + "00")
        # A changed hash no longer hashes to the header's root: no txids.
        bad = bytearray(raw)
        bad[86] ^= 1
        assert_equal(node.verifytxoutproof(bad.hex()), [])
        # A header the node does not know, committing to the same root.
        unknown = bytearray(raw)
        unknown[76] ^= 1
        assert_raises_rpc_error(-5, "Block not found in chain", node.verifytxoutproof, unknown.hex())
        # The right shape but a wrong transaction count (12 -> 16 keeps the walk for leaf
        # 0): the root still matches, the count does not, so nothing is returned.
        proof0 = bytearray(bytes.fromhex(node.gettxoutproof([coinbase], block_hash)))
        assert_equal(struct.unpack("<I", proof0[80:84])[0], len(txs))
        proof0[80:84] = struct.pack("<I", 16)
        check_proof(proof0.hex(), block_hash, [coinbase])
        assert_equal(node.verifytxoutproof(proof0.hex()), [])

        self.log("a proof of a block that left the active chain")
        stale_proof = node.gettxoutproof([spends[0]], block_hash)
        tip_height = node.getblockcount()
        fork_parent = node.getblockhash(tip_height - 1)
        a, _ = maker.submit(fork_parent, tip_height, [])
        b, _ = maker.submit(a, tip_height + 1, [])
        assert_equal(node.getbestblockhash(), b)
        assert_raises_rpc_error(-5, "Block not found in chain", node.verifytxoutproof, stale_proof)
        # Given the block explicitly, a stale block still yields a proof (as in Core).
        assert_equal(node.gettxoutproof([spends[0]], block_hash), stale_proof)

        self.log("getindexinfo without indexes")
        assert_equal(node.getindexinfo(), {})
        assert_equal(node.getindexinfo("txindex"), {})
        help_text = node.help("gettxoutproof")
        assert_in('gettxoutproof ["txid",...] ( "blockhash" )', help_text)
        assert_in('getindexinfo ( "index_name" )', node.help("getindexinfo"))
        assert_in('verifytxoutproof "proof"', node.help("verifytxoutproof"))


if __name__ == "__main__":
    TxOutProofTest().main()
