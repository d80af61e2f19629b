#!/usr/bin/env python3
"""Bad input from a raw P2P peer and Bitcoin Core's reaction to each, with the node still
serving an honest peer afterwards:

- wrong magic, oversize declared length: disconnected at once;
- bad checksum, unknown command, truncated payloads, a second version: ignored, connection kept;
- 2,001 headers, 50,001 inv entries, 1,001 addrs, an invalid block: Misbehaving (logged) and
  disconnected (Core disconnects loopback peers without discouraging them);
- a mutated copy of a valid block (duplicated last transaction, or a transaction list that
  does not match the merkle root): Misbehaving "mutated block" and disconnected (Core v27+),
  without marking the block invalid: the real block sent afterwards becomes the tip."""

import random
import time

from test_framework.messages import Block, create_block, hex_to_hash
from test_framework.p2p import (MSG_TX, frame, ser_addr, ser_headers, ser_inv, ser_ping,
                                ser_version)
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_in
from test_framework.wallet import OpTrueWallet


class InvalidMessagesTest(MinibitTestFramework):
    def run_test(self):
        self.node = self.add_node()
        self.node.start_and_wait(["-debug=net"])
        self.wallet = OpTrueWallet(self.node)
        # Leaves IBD (recent tip) and gives mature coins for the mutated-block check.
        self.wallet.generate(110)

        self.test_wrong_magic()
        self.test_bad_checksum()
        self.test_oversize()
        self.test_unknown_command()
        self.test_truncated()
        self.test_redundant_version()
        self.test_too_many_headers()
        self.test_too_many_inv()
        self.test_too_many_addr()
        self.test_invalid_block()
        self.test_mutated_block()

    # ---- helpers ---------------------------------------------------------------------------

    def assert_still_serving(self):
        """A fresh honest peer completes the handshake and gets its ping answered, and the
        node answers RPC."""
        peer = self.node.add_p2p_connection()
        peer.sync_with_ping()
        assert peer.is_connected
        peer.close()
        self.node.getblockcount()

    def assert_misbehaving(self, mark, detail):
        """The node logged a Misbehaving line (Core: "Misbehaving: peer=N: <detail>")."""
        self.wait_until(lambda: "Misbehaving" in self.node.log_since(mark), timeout=10,
                        what="a Misbehaving line in debug.log")
        lines = [l for l in self.node.log_since(mark).splitlines() if "Misbehaving" in l]
        if detail is not None and not any(detail in l for l in lines):
            raise TestFailure(f"Misbehaving lines {lines!r} do not name {detail!r}")
        # Core never discourages a local address (it may stand for many users).
        self.wait_until(lambda: "disconnecting but not discouraging local peer"
                        in self.node.log_since(mark), timeout=10,
                        what="Core's line for a punished local peer")

    def assert_ignored(self, peer, unanswered_nonce=None):
        """The connection survives: a later ping is answered; an earlier ping whose nonce is
        given was not."""
        peer.sync_with_ping()
        assert peer.is_connected
        if unanswered_nonce is not None:
            pongs = [m for m in peer.messages if m.command == "pong"
                     and m.payload == ser_ping(unanswered_nonce)]
            assert_equal(pongs, [], "a pong for the ignored ping")

    # ---- framing ---------------------------------------------------------------------------

    def test_wrong_magic(self):
        self.log("wrong magic: disconnected")
        peer = self.node.add_p2p_connection()
        peer.send_raw(frame("ping", ser_ping(1), magic=bytes.fromhex("f9beb4d9")))
        peer.wait_for_disconnect(timeout=10)
        self.assert_still_serving()

    def test_bad_checksum(self):
        self.log("bad checksum: the message is dropped, the connection kept")
        peer = self.node.add_p2p_connection()
        nonce = 0x1234
        peer.send_raw(frame("ping", ser_ping(nonce), check=b"\xde\xad\xbe\xef"))
        self.assert_ignored(peer, unanswered_nonce=nonce)
        peer.close()
        self.assert_still_serving()

    def test_oversize(self):
        self.log("declared length 4,000,001: disconnected")
        peer = self.node.add_p2p_connection()
        peer.send_raw(frame("ping", b"", length=4_000_001))
        peer.wait_for_disconnect(timeout=10)
        self.assert_still_serving()

    def test_unknown_command(self):
        self.log("unknown command: ignored")
        peer = self.node.add_p2p_connection()
        peer.send_message("foobarbaz", b"\x01\x02\x03")
        peer.send_message("", b"")
        self.assert_ignored(peer)
        peer.close()
        self.assert_still_serving()

    def test_truncated(self):
        self.log("truncated payloads (3-byte ping, headers cut short): ignored")
        peer = self.node.add_p2p_connection()
        peer.send_message("ping", b"\x01\x02\x03")
        tip = self.node.getblockheader(self.node.getbestblockhash(), False)
        headers = ser_headers([bytes.fromhex(tip)] * 2)
        peer.send_message("headers", headers[:-40])
        self.assert_ignored(peer)
        pongs = [m for m in peer.messages if m.command == "pong" and len(m.payload) != 8]
        assert_equal(pongs, [])
        peer.close()
        self.assert_still_serving()

    def test_redundant_version(self):
        self.log("a second version: ignored")
        peer = self.node.add_p2p_connection()
        mark = self.node.log_mark()
        peer.send_message("version", ser_version())
        self.assert_ignored(peer)
        assert_equal(peer.received.get("version"), 1)
        # Core: "redundant version message from peer=N" (debug net), no punishment.
        if "Misbehaving" in self.node.log_since(mark):
            raise TestFailure("a redundant version was punished")
        peer.close()
        self.assert_still_serving()

    # ---- DoS limits ------------------------------------------------------------------------

    def test_too_many_headers(self):
        self.log("2,001 headers: Misbehaving, disconnected")
        peer = self.node.add_p2p_connection()
        mark = self.node.log_mark()
        peer.send_message("headers", ser_headers([bytes(80)] * 2001))
        peer.wait_for_disconnect(timeout=10)
        self.assert_misbehaving(mark, "headers message size = 2001")
        self.assert_still_serving()

    def test_too_many_inv(self):
        self.log("50,001 inv entries: Misbehaving, disconnected")
        peer = self.node.add_p2p_connection()
        mark = self.node.log_mark()
        entries = [(MSG_TX, random.randbytes(32)) for _ in range(50_001)]
        peer.send_message("inv", ser_inv(entries))
        peer.wait_for_disconnect(timeout=10)
        self.assert_misbehaving(mark, "inv message size = 50001")
        self.assert_still_serving()

    def test_too_many_addr(self):
        self.log("1,001 addrs: Misbehaving, disconnected")
        peer = self.node.add_p2p_connection()
        mark = self.node.log_mark()
        now = int(time.time())
        entries = [(now, 9, f"1.{i // 250}.{i % 250}.1", 8333) for i in range(1001)]
        peer.send_message("addr", ser_addr(entries))
        peer.wait_for_disconnect(timeout=10)
        self.assert_misbehaving(mark, "addr message size = 1001")
        self.assert_still_serving()

    # ---- blocks ----------------------------------------------------------------------------

    def next_block(self, txs=(), coinbase_value=None):
        tip = self.node.getbestblockhash()
        header = self.node.getblockheader(tip)
        block_time = max(int(time.time()), header["mediantime"] + 1)
        return create_block(tip, header["height"] + 1, block_time, txs, coinbase_value)

    def test_invalid_block(self):
        self.log("a block whose coinbase pays one satoshi too much: Misbehaving, disconnected")
        tip = self.node.getbestblockhash()
        height = self.node.getblockcount() + 1
        block = self.next_block()
        block = self.next_block(coinbase_value=block.txs[0].outputs[0][0] + 1)
        peer = self.node.add_p2p_connection()
        mark = self.node.log_mark()
        peer.send_block(block)
        peer.wait_for_disconnect(timeout=10)
        self.assert_misbehaving(mark, None)
        assert_equal(self.node.getbestblockhash(), tip)
        assert_equal(self.node.getblockcount(), height - 1)
        tips = {t["hash"]: t["status"] for t in self.node.getchaintips()}
        assert_equal(tips.get(block.hash_hex()), "invalid")
        self.assert_still_serving()

    def test_mutated_block(self):
        self.log("mutated copies of a valid block: sender punished, the real one still accepted")
        tip = self.node.getbestblockhash()
        parent = self.wallet.create()
        child = self.wallet.create(utxos=parent.utxos[0])
        block = self.next_block([parent.tx, child.tx])
        real_bytes = block.serialize()
        header = block.header()

        # CVE-2012-2459: an odd count pairs the last txid with itself, so duplicating the last
        # transaction keeps the merkle root (and so the header and block hash).
        duplicated = Block(block.prev_hash, block.txs + [block.txs[-1]], block.time,
                           nonce=block.nonce, merkle=block.merkle)
        assert_equal(duplicated.compute_merkle_root(), block.merkle)
        assert_equal(duplicated.header(), header)
        # Same header, a transaction list that does not match its merkle root.
        dropped = Block(block.prev_hash, block.txs[:2], block.time, nonce=block.nonce,
                        merkle=block.merkle)
        assert_equal(dropped.header(), header)
        if dropped.compute_merkle_root() == block.merkle:
            raise TestFailure("the dropped copy should not match the merkle root")

        for name, mutated in (("duplicated last tx", duplicated), ("wrong tx list", dropped)):
            peer = self.node.add_p2p_connection()
            mark = self.node.log_mark()
            peer.send_block(mutated)
            # Core v27+: Misbehaving "mutated block" and disconnect, before validation, so
            # the block is neither accepted nor marked invalid.
            peer.wait_for_disconnect(timeout=10)
            self.assert_misbehaving(mark, "mutated block")
            self.log(f"  {name}: sender disconnected")
            assert_equal(self.node.getbestblockhash(), tip)
            assert block.hash_hex() not in {t["hash"] for t in self.node.getchaintips()}
            peer.close()

        honest = self.node.add_p2p_connection()
        honest.send_message("block", real_bytes)
        honest.sync_with_ping()
        self.wait_until(lambda: self.node.getbestblockhash() == block.hash_hex(), timeout=10,
                        what="the real block to become the tip")
        assert honest.is_connected
        assert_in(parent.txid, self.node.getblock(block.hash_hex())["tx"])
        assert_equal(hex_to_hash(self.node.getbestblockhash()), block.hash())


if __name__ == "__main__":
    InvalidMessagesTest().main()
