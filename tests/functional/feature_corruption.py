#!/usr/bin/env python3
"""Damaged files on disk are named, never accepted, and recovered from.

A regtest node mines 301 blocks, most carrying three transactions that spend earlier
OP_TRUE outputs (so every block has real undo data), and stops; the UTXO digest
(hash_serialized_3) is recorded at the heights the cases return to. Each case then works
on a fresh copy of that datadir:

- a transaction byte of a deep block: the default start does not read it, getblock
  answers Core's "Block not found on disk" and the UTXO set is untouched; a full
  -checkblocks=0 check names the block and refuses to start; -reindex stops at the block
  before it and says why; an honest peer then supplies the block and the node reaches
  the reference tip and digest.
- a witness byte of that block (not covered by the merkle root): -reindex rejects the
  block as mutated (bad-witness-merkle-match) without marking its header invalid, so the
  honest peer's copy is accepted.
- a header byte of the tip block: the start-up check names it and exits; -reindex stops
  at the block before it; the honest peer restores the tip.
- a transaction byte of a block a reorg must disconnect: the reorg stops with "Failed to
  read block", writes stop (or the node stops, as Core's AbortNode), it never moves to
  the fork, and a restart finds the reference tip and digest; -reindex then lands on the
  fork tip with the fork node's digest.
- a byte of the tip's undo record (found by its checksum, independently of the node):
  the start-up check names rev00000.dat and exits; with a shallow check the node starts,
  invalidateblock fails with the checksum error and nothing is applied;
  -reindex-chainstate rebuilds the same digest; -reindex writes the undo data again, after
  which a full -checklevel=4 check passes and the block can be disconnected to the
  reference digest of the height below.
- damaged and truncated LevelDB tables in chainstate/ and blocks/index/: the node exits
  with the database named and LevelDB's "Corruption: block checksum mismatch" (or, for a
  table shorter than the manifest says, LevelDB's "IO error" on it); -reindex-chainstate
  (chainstate) or -reindex (block index) rebuilds the reference tip and digest.

tests/unit/kernel/chainstate_crash_tests.cpp checks the same damage in-process against
the kernel; this test runs the real daemon, its start-up checks, RPC and P2P recovery.
"""

import os
import shutil
import struct

from test_framework.messages import Tx, dsha256, dsha256_hex, hex_to_hash, read_compact_size
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import (TestFailure, assert_equal, assert_in, assert_not_in,
                                 assert_raises_rpc_error)
from test_framework.wallet import OpTrueWallet

REGTEST_MAGIC = bytes.fromhex("fabfb5da")
TIP_HEIGHT = 301
DEEP = 150  # below the default -checkblocks=6 window
ARGS = ["-printtoconsole=0"]


def read_records(path, trailer=0):
    """(payload offset, payload size) of each magic+size framed record of a blk/rev file;
    undo records carry a 32-byte checksum after the payload (trailer)."""
    with open(path, "rb") as f:
        data = f.read()
    records, offset = [], 0
    while offset + 8 <= len(data) and data[offset:offset + 4] == REGTEST_MAGIC:
        (size,) = struct.unpack_from("<I", data, offset + 4)
        records.append((offset + 8, size))
        offset += 8 + size + trailer
    return data, records


def read_block_at(path, offset):
    """The framed record whose payload starts at offset: (payload, offset)."""
    with open(path, "rb") as f:
        f.seek(offset - 8)
        frame = f.read(8)
        assert_equal(frame[:4], REGTEST_MAGIC)
        return f.read(struct.unpack("<I", frame[4:])[0]), offset


def flip(path, offset, mask=0x10):
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ mask]))


class CorruptionTest(MinibitTestFramework):
    def run_test(self):
        self.make_seed()
        self.honest = self.copy_node("honest")
        self.honest.start_and_wait(ARGS)
        assert_equal(self.honest.getbestblockhash(), self.hashes[TIP_HEIGHT])

        self.deep_transaction_byte()
        self.witness_byte()
        self.tip_header_byte()
        self.reorg_reads_damaged_block()
        self.undo_byte()
        self.leveldb_damage("chainstate", "-reindex-chainstate")
        self.leveldb_damage(os.path.join("blocks", "index"), "-reindex")

        assert_equal(self.honest.stop(), 0)

    # ---- set-up ------------------------------------------------------------------------------

    def make_seed(self):
        """301 blocks with spends; digests recorded at every height a case comes back to."""
        self.log("seed: 101 blocks, then 200 blocks with 3 spending transactions each")
        node = self.add_node()
        node.start_and_wait(ARGS)
        wallet = OpTrueWallet(node)
        wallet.generate(101)
        pool = []
        self.digests = {}
        want = {DEEP - 1, TIP_HEIGHT - 1, TIP_HEIGHT}
        while node.getblockcount() < TIP_HEIGHT:
            pool.append(wallet.get_utxo())
            for _ in range(3):
                spent = [pool.pop(0) for _ in range(min(2, len(pool)))]
                pool.extend(wallet.send(wallet.create(utxos=spent, num_outputs=2)).utxos)
            wallet.generate(1)
            if node.getblockcount() in want:
                self.digests[node.getblockcount()] = node.gettxoutsetinfo()["hash_serialized_3"]
        self.hashes = [node.getblockhash(h) for h in range(TIP_HEIGHT + 1)]
        # Every spending block has more than its coinbase.
        assert_equal(len(node.getblock(self.hashes[DEEP])["tx"]), 4)
        assert_equal(node.stop(), 0)
        # A second start turns LevelDB's logs into .ldb tables, so table damage can be tested.
        node.start_and_wait(ARGS)
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], self.digests[TIP_HEIGHT])
        assert_equal(node.stop(), 0)
        self.seed = node.datadir

    def copy_node(self, name):
        datadir = os.path.join(self.tmpdir, name)
        shutil.copytree(self.seed, datadir)
        return self.add_node(datadir=datadir, create=False)

    def blocks_path(self, node, name):
        return os.path.join(node.chain_datadir, "blocks", name)

    def block_record(self, node, height):
        """(block bytes, file offset) of the block at height in blk00000.dat, found by its
        header hash."""
        data, records = read_records(self.blocks_path(node, "blk00000.dat"))
        for offset, size in records:
            if dsha256_hex(data[offset:offset + 80]) == self.hashes[height]:
                return data[offset:offset + size], offset
        raise TestFailure(f"block {height} not found in blk00000.dat")

    def value_byte(self, node, height):
        """File offset of a byte of the value of the first output of the block's second
        transaction (the first spend): covered by the txid, so by the merkle root."""
        block, offset = self.block_record(node, height)
        _count, pos = read_compact_size(block, 80)
        _coinbase, pos = Tx.parse(block, pos)
        spend, _end = Tx.parse(block, pos)
        assert spend.has_witness() and len(spend.inputs) < 253
        # version, segwit marker and flag, input count, inputs (empty scriptSigs), output count
        value_at = pos + 4 + 2 + 1 + 41 * len(spend.inputs) + 1
        assert_equal(struct.unpack_from("<q", block, value_at)[0], spend.outputs[0][0])
        return offset + value_at + 2

    def expect_start_failure(self, node, args, *needles):
        """The node refuses to start: exit code 1 (no crash) and each needle on stderr."""
        code, _out, err = node.run(ARGS + list(args), timeout=120)
        assert_equal(code, 1, err)
        for needle in needles:
            assert_in(needle, err)
        return err

    def expect_tip(self, node, height):
        """The node's tip is the reference block at height, with the reference digest."""
        assert_equal(node.getblockcount(), height)
        assert_equal(node.getbestblockhash(), self.hashes[height])
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], self.digests[height])

    def recover_from_honest_peer(self, node):
        """Connects to the honest node, which holds the whole chain, and syncs from it."""
        self.connect_nodes(node, self.honest)
        self.sync_blocks([node, self.honest], timeout=120)
        self.expect_tip(node, TIP_HEIGHT)
        self.disconnect_nodes(node, self.honest)

    # ---- blk files ---------------------------------------------------------------------------

    def deep_transaction_byte(self):
        self.log(f"a transaction byte of block {DEEP}")
        node = self.copy_node("deep_tx")
        flip(self.blocks_path(node, "blk00000.dat"), self.value_byte(node, DEEP))
        bad = self.hashes[DEEP]

        self.log("  the default start reads only the last blocks; getblock names the failure")
        node.start_and_wait(ARGS)
        mark = node.log_mark()
        assert_raises_rpc_error(-1, "Block not found on disk", node.getblock, bad)
        # The RPC error is Core's; the log says what was wrong with the block read.
        assert_in(f"ReadBlock: block {bad}: ", node.log_since(mark))
        assert_equal(node.getblock(self.hashes[DEEP - 1])["height"], DEEP - 1)
        assert_equal(node.getblock(self.hashes[DEEP + 1])["height"], DEEP + 1)
        self.expect_tip(node, TIP_HEIGHT)
        assert_equal(node.stop(), 0)

        self.log("  a full start-up check names the block and refuses to start")
        self.expect_start_failure(
            node, ["-checkblocks=0", "-checklevel=0"],
            f"Corrupted block database detected at height {DEEP} ({bad})",
            "blk00000.dat does not match its merkle root", "-reindex")

        self.log("  -reindex stops at the block before it and says why")
        node.start(ARGS + ["-reindex"])
        node.wait_until_ready(timeout=120)
        node.wait_for_rpc()
        self.expect_tip(node, DEEP - 1)
        log = node.read_log(since_start=True)
        assert_in(f"Block {bad} from {self.blocks_path(node, 'blk00000.dat')} rejected: "
                  "bad-txnmrklroot", log)
        assert_in(f"{TIP_HEIGHT - DEEP} blocks in", log)
        assert_in("have no known parent and were not imported", log)

        self.log("  an honest peer supplies the block again: reference tip and digest")
        self.recover_from_honest_peer(node)
        assert_equal(node.getblock(bad)["height"], DEEP)
        assert_equal(node.stop(), 0)

    def witness_byte(self):
        self.log(f"a witness byte of block {DEEP} (outside the merkle root)")
        node = self.copy_node("deep_witness")
        block, offset = self.block_record(node, DEEP)
        _count, pos = read_compact_size(block, 80)
        _coinbase, pos = Tx.parse(block, pos)
        spend, end = Tx.parse(block, pos)
        # The last witness item of the spend is the one-byte script OP_TRUE, just before the
        # four locktime bytes.
        assert_equal(spend.inputs[-1][2], [b"\x51"])
        assert_equal(block[end - 5], 0x51)
        flip(self.blocks_path(node, "blk00000.dat"), offset + end - 5)

        self.log("  -reindex rejects the block as mutated, not invalid, and stops before it")
        node.start(ARGS + ["-reindex"])
        node.wait_until_ready(timeout=120)
        node.wait_for_rpc()
        self.expect_tip(node, DEEP - 1)
        assert_in(f"Block {self.hashes[DEEP]} from {self.blocks_path(node, 'blk00000.dat')} "
                  "rejected: bad-witness-merkle-match", node.read_log(since_start=True))
        # Its header stays valid, so the real block is still welcome.
        statuses = {t["hash"]: t["status"] for t in node.getchaintips()}
        assert_equal(statuses.get(self.hashes[TIP_HEIGHT]), "headers-only")

        self.log("  an honest peer supplies the block again")
        self.recover_from_honest_peer(node)
        assert_equal(node.stop(), 0)

    def tip_header_byte(self):
        self.log(f"a header byte (the merkle root) of the tip block {TIP_HEIGHT}")
        node = self.copy_node("tip_header")
        _block, offset = self.block_record(node, TIP_HEIGHT)
        flip(self.blocks_path(node, "blk00000.dat"), offset + 36 + 5)
        bad = self.hashes[TIP_HEIGHT]

        self.log("  the start-up check finds a block whose hash is not the indexed one")
        err = self.expect_start_failure(
            node, [], f"Corrupted block database detected at height {TIP_HEIGHT} ({bad})",
            f"expected {bad}", "-reindex")
        assert_in(" has hash ", err)

        self.log("  -reindex stops at the block before it")
        node.start(ARGS + ["-reindex"])
        node.wait_until_ready(timeout=120)
        node.wait_for_rpc()
        self.expect_tip(node, TIP_HEIGHT - 1)
        # The damaged copy hashes to something else, so it is not block 301 to the node.
        block, _offset = read_block_at(self.blocks_path(node, "blk00000.dat"), offset)
        damaged = dsha256_hex(block[:80])
        assert damaged != bad
        log = node.read_log(since_start=True)
        assert_in(f"Block {damaged} from {self.blocks_path(node, 'blk00000.dat')} rejected: ",
                  log)
        assert_not_in(bad, log)
        assert_raises_rpc_error(-5, "Block not found", node.getblockheader, bad)

        self.log("  an honest peer supplies the tip again")
        self.recover_from_honest_peer(node)
        assert_equal(node.stop(), 0)

    def reorg_reads_damaged_block(self):
        height = TIP_HEIGHT - 1
        self.log(f"a transaction byte of block {height}, which a reorg must disconnect")
        fork = self.copy_node("fork")
        fork.start_and_wait(ARGS)
        fork.invalidateblock(self.hashes[height])
        fork_hashes = OpTrueWallet(fork).generate(3)
        fork_digest = fork.gettxoutsetinfo()["hash_serialized_3"]
        assert_equal(fork.getblockcount(), TIP_HEIGHT + 1)

        node = self.copy_node("reorg")
        flip(self.blocks_path(node, "blk00000.dat"), self.value_byte(node, height))
        # Only the tip is checked at start-up, so the node comes up on the damaged chain.
        node.start_and_wait(ARGS + ["-checkblocks=1", "-debug=validation"])
        self.expect_tip(node, TIP_HEIGHT)

        self.log("  the fork arrives: the reorg stops at the damaged block, named")
        # No wait for the handshake: the node may stop soon after it.
        self.connect_nodes(node, fork, wait=False)
        node.wait_for_log("Failed to read block: Block at", timeout=60)
        self.expect_fatal_stop(node, "does not match its merkle root")
        log = node.read_log(since_start=True)
        for block_hash in fork_hashes:
            assert_not_in(f"new best={block_hash}", log)

        self.log("  a restart finds the reference chain and digest on disk")
        node.start_and_wait(ARGS + ["-checkblocks=1"])
        self.expect_tip(node, TIP_HEIGHT)
        assert_equal(node.stop(), 0)

        self.log("  -reindex skips the damaged block and lands on the fork tip")
        node.start(ARGS + ["-reindex"])
        node.wait_until_ready(timeout=120)
        node.wait_for_rpc()
        assert_equal(node.getbestblockhash(), fork_hashes[-1])
        assert_equal(node.gettxoutsetinfo()["hash_serialized_3"], fork_digest)
        assert_in(f"Block {self.hashes[height]} from", node.read_log(since_start=True))
        assert_equal(node.stop(), 0)
        assert_equal(fork.stop(), 0)

    def expect_fatal_stop(self, node, reason):
        """After a fatal read error the node stops writing; it exits by itself with code 1 and
        the reason on stderr (Core's AbortNode) or, if it stays up, stops cleanly on SIGTERM."""
        assert_in("Fatal chainstate error, writes stopped: ", node.read_log(since_start=True))
        assert_in(reason, node.read_log(since_start=True))
        code = node.stop()
        assert code in (0, 1), code
        if code == 1:
            assert_in(reason, node.read_stderr())

    # ---- rev files ---------------------------------------------------------------------------

    def undo_record(self, node, height):
        """(offset, size) of the undo record of the block at height in rev00000.dat, found by
        its checksum: SHA256d of the previous block's hash and the undo bytes."""
        data, records = read_records(self.blocks_path(node, "rev00000.dat"), trailer=32)
        prev = hex_to_hash(self.hashes[height - 1])
        for offset, size in records:
            if dsha256(prev + data[offset:offset + size]) == data[offset + size:offset + size + 32]:
                return offset, size
        raise TestFailure(f"no undo record of block {height} in rev00000.dat")

    def undo_byte(self):
        self.log(f"a byte of the undo data of the tip block {TIP_HEIGHT}")
        node = self.copy_node("undo")
        offset, size = self.undo_record(node, TIP_HEIGHT)
        assert size > 100, size  # three spends' worth of coins
        flip(self.blocks_path(node, "rev00000.dat"), offset + size // 2)
        tip = self.hashes[TIP_HEIGHT]

        self.log("  the default start-up check (level 3) names the undo file and exits")
        self.expect_start_failure(
            node, [], f"Corrupted block database detected at height {TIP_HEIGHT} ({tip})",
            "Undo data checksum mismatch", "rev00000.dat")

        self.log("  a shallow check starts; invalidateblock needs the undo data and is refused")
        node.start_and_wait(ARGS + ["-checklevel=1"])
        self.expect_tip(node, TIP_HEIGHT)
        assert_raises_rpc_error(-20, "Undo data checksum mismatch", node.invalidateblock, tip)
        assert_in(f"ReadUndo: block {tip}: Undo data checksum mismatch",
                  node.read_log(since_start=True))
        self.expect_fatal_stop(node, "Undo data checksum mismatch")
        assert_in("rev00000.dat", node.read_log(since_start=True))

        self.log("  nothing was applied: a restart finds the tip and its digest")
        node.start_and_wait(ARGS + ["-checklevel=1"])
        self.expect_tip(node, TIP_HEIGHT)
        assert_equal(node.stop(), 0)

        self.log("  -reindex-chainstate rebuilds the same digest (the undo record stays)")
        # As in Core, reconnecting a block keeps the undo position the index already has.
        node.start(ARGS + ["-reindex-chainstate", "-checklevel=1"])
        node.wait_until_ready(timeout=120)
        node.wait_for_rpc()
        self.expect_tip(node, TIP_HEIGHT)
        assert_equal(node.stop(), 0)

        self.log("  -reindex writes the undo data again")
        node.start(ARGS + ["-reindex"])
        node.wait_until_ready(timeout=120)
        node.wait_for_rpc()
        self.expect_tip(node, TIP_HEIGHT)
        assert_equal(node.stop(), 0)
        # Every block of the chain disconnects against its undo data and reconnects.
        node.start(ARGS + ["-checkblocks=0", "-checklevel=4"])
        node.wait_until_ready(timeout=120)
        node.wait_for_rpc()
        assert_in("No coin database inconsistencies", node.read_log(since_start=True))
        node.invalidateblock(tip)
        self.expect_tip(node, TIP_HEIGHT - 1)
        node.reconsiderblock(tip)
        self.expect_tip(node, TIP_HEIGHT)
        assert_equal(node.stop(), 0)

    # ---- LevelDB -----------------------------------------------------------------------------

    def tables(self, node, folder):
        path = os.path.join(node.chain_datadir, folder)
        found = [os.path.join(path, n) for n in sorted(os.listdir(path)) if n.endswith(".ldb")]
        assert found, f"no .ldb table in {path}"
        return found

    def leveldb_damage(self, folder, repair):
        for how in ("flipped", "truncated"):
            self.log(f"{how} .ldb tables in {folder}/")
            node = self.copy_node(f"{how}_{folder.replace(os.sep, '_')}")
            tables = self.tables(node, folder)
            for table in tables:
                size = os.path.getsize(table)
                if how == "flipped":
                    # A third of the way in lies in the data blocks, before the index.
                    for i in range(64):
                        flip(table, size // 3 + i, 0xa5)
                else:
                    os.truncate(table, size // 2)
            # LevelDB checks each block's CRC; a table shorter than its manifest entry fails
            # its reads with an I/O error naming the file.
            needle = ("Corruption: block checksum mismatch" if how == "flipped" else
                      f"IO error: {tables[0]}")
            err = self.expect_start_failure(node, [], needle,
                                            os.path.join(node.chain_datadir, folder))
            self.log(f"  refused: {err.strip().splitlines()[-1][:160]}")

            self.log(f"  {repair} rebuilds the reference tip and digest")
            node.start(ARGS + [repair])
            node.wait_until_ready(timeout=120)
            node.wait_for_rpc()
            self.expect_tip(node, TIP_HEIGHT)
            assert_equal(node.stop(), 0)
            node.start_and_wait(ARGS)
            self.expect_tip(node, TIP_HEIGHT)
            assert_equal(node.stop(), 0)
            shutil.rmtree(node.datadir)


if __name__ == "__main__":
    CorruptionTest().main()
