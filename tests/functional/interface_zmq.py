#!/usr/bin/env python3
"""ZMQ publishers, checked with Debian's python3-zmq as a real subscriber.

hashblock/rawblock/hashtx/rawtx share one address and sequence another, as Core allows.
Each message is three frames (topic, body, 4-byte little-endian sequence); bodies are checked
independently (rawblock's header hashes to hashblock, rawtx without witness hashes to hashtx),
and every topic counts its own messages from 0, through invalidateblock (D) and
reconsiderblock (C).
"""

import struct
import time

import zmq

from test_framework.address import segwit_address
from test_framework.messages import OP_TRUE_P2WSH_SPK, Tx, dsha256_hex, spend_op_true
from test_framework.node import free_port
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in

# A regtest P2WPKH address (key hash 0x01 * 20).
ADDRESS = "bcrt1qqyqszqgpqyqszqgpqyqszqgpqyqszqgpvxat9t"
TIMEOUT_MS = 30000


class Subscriber:
    def __init__(self, ctx, address, topics):
        self.socket = ctx.socket(zmq.SUB)
        self.socket.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
        self.socket.setsockopt(zmq.LINGER, 0)
        for topic in topics:
            self.socket.setsockopt(zmq.SUBSCRIBE, topic.encode())
        monitor = self.socket.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
        self.socket.connect(address)
        # The subscription follows the handshake; give the publisher a moment to apply it.
        assert monitor.poll(TIMEOUT_MS), "no ZMQ handshake"
        monitor.recv_multipart()
        self.socket.disable_monitor()
        monitor.close()
        time.sleep(0.3)
        self.expected_seq = {}

    def receive(self, topic):
        frames = self.socket.recv_multipart()
        assert_equal(len(frames), 3, "frames per message")
        assert_equal(frames[0].decode(), topic)
        assert_equal(len(frames[2]), 4)
        seq = struct.unpack("<I", frames[2])[0]
        assert_equal(seq, self.expected_seq.get(topic, 0), f"{topic} sequence")
        self.expected_seq[topic] = seq + 1
        return frames[1]

    def assert_silent(self, ms=300):
        assert_equal(self.socket.poll(ms), 0, "unexpected extra message")


class ZmqTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        blocks_addr = f"tcp://127.0.0.1:{free_port()}"
        seq_addr = f"tcp://127.0.0.1:{free_port()}"
        node.start_and_wait(
            [
                f"-zmqpubhashblock={blocks_addr}",
                f"-zmqpubrawblock={blocks_addr}",
                f"-zmqpubhashtx={blocks_addr}",
                f"-zmqpubrawtx={blocks_addr}",
                f"-zmqpubrawtxhwm=5000",
                f"-zmqpubsequence={seq_addr}",
            ]
        )

        self.log("getzmqnotifications lists every publisher in Core's order")
        assert_equal(
            node.getzmqnotifications(),
            [
                {"type": "pubhashblock", "address": blocks_addr, "hwm": 1000},
                {"type": "pubhashtx", "address": blocks_addr, "hwm": 1000},
                {"type": "pubrawblock", "address": blocks_addr, "hwm": 1000},
                {"type": "pubrawtx", "address": blocks_addr, "hwm": 5000},
                {"type": "pubsequence", "address": seq_addr, "hwm": 1000},
            ],
        )

        ctx = zmq.Context()
        try:
            blocks = Subscriber(ctx, blocks_addr, ["hashblock", "rawblock", "hashtx", "rawtx"])
            seq = Subscriber(ctx, seq_addr, ["sequence"])
            self.check_blocks(node, blocks, seq)
            self.check_mempool(node, blocks, seq)
        finally:
            ctx.destroy(linger=0)
        assert_equal(node.stop(), 0)

    def expect_block(self, node, blocks, seq, block_hash, announce_block=True):
        block = node.getblock(block_hash, 1)
        for txid in block["tx"]:
            assert_equal(blocks.receive("hashtx").hex(), txid)
            assert_equal(Tx.from_bytes(blocks.receive("rawtx")).txid_hex(), txid)
        assert_equal(seq.receive("sequence"), bytes.fromhex(block_hash) + b"C")
        if announce_block:
            assert_equal(blocks.receive("hashblock").hex(), block_hash)
            raw = blocks.receive("rawblock")
            assert_equal(dsha256_hex(raw[:80]), block_hash)
            assert_equal(raw.hex(), node.getblock(block_hash, 0))

    def check_blocks(self, node, blocks, seq):
        self.log("one block: hashtx/rawtx per transaction, sequence C, then hashblock/rawblock")
        [first] = node.generatetoaddress(1, ADDRESS)
        self.expect_block(node, blocks, seq, first)

        self.log("each topic keeps counting")
        hashes = node.generatetoaddress(3, ADDRESS)
        for h in hashes:
            self.expect_block(node, blocks, seq, h)
        assert_equal(blocks.expected_seq, {"hashtx": 4, "rawtx": 4, "hashblock": 4, "rawblock": 4})
        blocks.assert_silent()
        seq.assert_silent()

        self.log("invalidateblock: the tip's transactions again and sequence D, no hashblock")
        tip = hashes[-1]
        tip_block = node.getblock(tip, 1)
        node.invalidateblock(tip)
        assert_equal(node.getbestblockhash(), hashes[-2])
        for txid in tip_block["tx"]:
            assert_equal(blocks.receive("hashtx").hex(), txid)
            assert_equal(Tx.from_bytes(blocks.receive("rawtx")).txid_hex(), txid)
        assert_equal(seq.receive("sequence"), bytes.fromhex(tip) + b"D")
        blocks.assert_silent()
        seq.assert_silent()

        self.log("reconsiderblock connects it again: C, hashblock and rawblock continue the count")
        node.reconsiderblock(tip)
        assert_equal(node.getbestblockhash(), tip)
        self.expect_block(node, blocks, seq, tip)
        assert_equal(seq.expected_seq, {"sequence": 6})
        assert_equal(blocks.expected_seq["hashblock"], 5)

        self.log("a new block after the reorg continues every sequence")
        [new] = node.generatetoaddress(1, ADDRESS)
        self.expect_block(node, blocks, seq, new)
        assert_equal(seq.expected_seq, {"sequence": 7})
        assert_in("hashblock", blocks.expected_seq)
        blocks.assert_silent()

    def check_mempool(self, node, blocks, seq):
        self.log("a transaction entering the mempool: hashtx, rawtx and sequence A with its number")
        op_true = segwit_address("bcrt", 0, OP_TRUE_P2WSH_SPK[2:])
        mined = node.generatetoaddress(101, op_true)
        for h in mined:
            self.expect_block(node, blocks, seq, h)
        coinbase = node.getblock(mined[0], 1)["tx"][0]
        tx = spend_op_true(coinbase, 0, 50 * 100_000_000 - 10_000)
        before = node.getrawmempool(False, True)["mempool_sequence"]
        txid = node.sendrawtransaction(tx.serialize().hex())
        assert_equal(txid, tx.txid_hex())
        assert_equal(blocks.receive("hashtx").hex(), txid)
        assert_equal(blocks.receive("rawtx"), tx.serialize())
        message = seq.receive("sequence")
        assert_equal(message[:33], bytes.fromhex(txid) + b"A")
        assert_equal(struct.unpack("<Q", message[33:])[0], before)
        assert_equal(node.getrawmempool(False, True)["mempool_sequence"], before + 1)

        self.log("its block: the transactions again and C, but no R for a confirmation")
        [block] = node.generatetoaddress(1, op_true)
        assert_in(txid, node.getblock(block, 1)["tx"])
        self.expect_block(node, blocks, seq, block)
        blocks.assert_silent()
        seq.assert_silent()


if __name__ == "__main__":
    ZmqTest().main()
