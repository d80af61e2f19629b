#!/usr/bin/env python3
"""Low-work header chains are never stored (issue 7, DoS limits).

With -minimumchainwork set to the work of 2,300 regtest blocks:
- a peer sending 1,500 headers (a chain that ends below the minimum) gets nothing stored;
- a peer sending a 2,500-header chain sees the node count the first 2,300 without storing
  any (getpeerinfo's presynced_headers shows the progress), ask for them again from the
  fork point, and only then store them; the node ends with a 2,500-header tip.
- a flood of low-work chains: ten peers each send 2,299 headers forking from genesis (one short
  of the minimum): none is stored, no peer is punished, the node's VmRSS stays within a
  generous bound and an honest peer's pings are answered throughout; then an honest chain of
  2,600 real blocks, offered by a peer that answers getheaders and getdata, is synced to its tip.
"""

import struct

from test_framework.messages import create_block, dsha256, hash_to_hex, solve_regtest
from test_framework.p2p import MSG_BLOCK, MSG_WITNESS_FLAG, parse_getheaders, parse_inv
from test_framework import sanitizers
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import (TestFailure, assert_equal, assert_raises_rpc_error,
                                 vm_rss_kib)

REGTEST_BITS = 0x207FFFFF
TARGET_BLOCKS = 2300  # the minimum work is that of this many blocks on genesis


def rss_kib(node):
    """The node's resident set size in KiB."""
    return vm_rss_kib(node.process.pid)


def make_headers(parent_header, count, salt):
    """`count` regtest headers on `parent_header` (80 bytes), proof of work ground."""
    out = []
    prev = parent_header
    (prev_time,) = struct.unpack_from("<I", prev, 68)
    for i in range(count):
        merkle = dsha256(bytes([salt]) + struct.pack("<I", i))
        time_ = prev_time + 600
        raw = struct.pack("<i", 4) + dsha256(prev) + merkle + struct.pack("<III", time_,
                                                                           REGTEST_BITS, 0)
        header = solve_regtest(raw)
        out.append(header)
        prev, prev_time = header, time_
    return out


class HeadersPresyncTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        # Regtest blocks each add 2 to the chain work; genesis counts too.
        min_work = 2 * (TARGET_BLOCKS + 1)
        node.start_and_wait(["-debug=net", f"-minimumchainwork={min_work:x}"])
        genesis_hash = node.getblockhash(0)
        genesis = bytes.fromhex(node.getblockheader(genesis_hash, False))

        self.log("a chain that ends below the minimum work is dropped whole")
        short = make_headers(genesis, 1500, salt=1)
        peer = node.add_p2p_connection()
        peer.send_headers(short)
        peer.sync_with_ping()
        assert_raises_rpc_error(-5, "Block not found", node.getblockheader,
                                hash_to_hex(dsha256(short[0])))
        assert_equal([t["height"] for t in node.getchaintips()], [0])
        assert peer.is_connected  # ignored, not punished (Core)
        peer.close()

        self.log("a chain with enough work is counted first, stored only on the second pass")
        chain = make_headers(genesis, 2500, salt=2)
        hashes = [dsha256(h) for h in chain]
        peer = node.add_p2p_connection()
        peer.send_headers(chain[:2000])
        request = peer.wait_for_message(
            "getheaders", predicate=lambda m: parse_getheaders(m.payload)[1][0] == hashes[1999])
        assert_equal(parse_getheaders(request.payload)[1][-1], bytes.fromhex(genesis_hash)[::-1])
        presynced = [p["presynced_headers"] for p in node.getpeerinfo()]
        assert_equal(presynced, [2000])
        assert_raises_rpc_error(-5, "Block not found", node.getblockheader,
                                hash_to_hex(hashes[0]))

        peer.send_headers(chain[2000:])
        # The work is reached at header 2,300: the node starts over from the fork (genesis).
        peer.wait_for_message(
            "getheaders",
            predicate=lambda m: parse_getheaders(m.payload)[1][0] == bytes.fromhex(
                genesis_hash)[::-1])
        assert_equal([t["height"] for t in node.getchaintips()], [0])

        peer.send_headers(chain[:2000])
        peer.wait_for_message(
            "getheaders", predicate=lambda m: parse_getheaders(m.payload)[1][0] == hashes[1999])
        assert_equal(node.getblockheader(hash_to_hex(hashes[1999]))["height"], 2000)
        peer.send_headers(chain[2000:])
        self.wait_until(lambda: any(t["height"] == 2500 for t in node.getchaintips()),
                        timeout=30, what="the 2,500-header chain to be stored")
        tip = [t for t in node.getchaintips() if t["height"] == 2500][0]
        assert_equal(tip["hash"], hash_to_hex(hashes[-1]))
        assert_equal(tip["status"], "headers-only")
        assert_equal([p["presynced_headers"] for p in node.getpeerinfo()], [-1])
        peer.close()

        self.test_low_work_flood(node, genesis)
        self.test_honest_chain_syncs(node, genesis)

    def test_low_work_flood(self, node, genesis):
        self.log("a flood of low-work chains from ten peers: nothing stored, memory bounded")
        tips_before = sorted((t["height"], t["hash"]) for t in node.getchaintips())
        honest = node.add_p2p_connection()
        rss_before = rss_kib(node)
        for salt in range(10, 20):
            chain = make_headers(genesis, TARGET_BLOCKS - 1, salt=salt)
            last_of_first = dsha256(chain[1999])
            flooder = node.add_p2p_connection()
            flooder.send_headers(chain[:2000])
            # A full message: the node counts it and asks for more.
            flooder.wait_for_message(
                "getheaders",
                predicate=lambda m, h=last_of_first: parse_getheaders(m.payload)[1][0] == h)
            flooder.send_headers(chain[2000:])
            flooder.sync_with_ping()
            assert flooder.is_connected  # low work is not misbehaviour (Core)
            assert_raises_rpc_error(-5, "Block not found", node.getblockheader,
                                    hash_to_hex(dsha256(chain[0])))
            flooder.close()
            honest.sync_with_ping()
        assert_equal(sorted((t["height"], t["hash"]) for t in node.getchaintips()), tips_before)
        rss_after = rss_kib(node)
        self.log(f"  VmRSS {rss_before // 1024} MiB -> {rss_after // 1024} MiB")
        # 22,990 headers are 1.8 MB on the wire, and a presync keeps one hash per 1,000 of them;
        # 32 MiB only catches gross growth (the chain tips above prove nothing was stored).
        # (ASan's quarantine keeps freed memory: no bound under sanitizers.)
        if not sanitizers.active() and rss_after - rss_before > 32 * 1024:
            raise TestFailure(f"VmRSS grew by {(rss_after - rss_before) // 1024} MiB")
        honest.close()

    def test_honest_chain_syncs(self, node, genesis):
        self.log("an honest chain of 2,600 real blocks still syncs")
        genesis_hash = dsha256(genesis)
        (genesis_time,) = struct.unpack_from("<I", genesis, 68)
        blocks, heights = [], {genesis_hash: 0}
        prev = genesis_hash
        for height in range(1, 2601):
            block = create_block(hash_to_hex(prev), height, genesis_time + 600 * height)
            blocks.append(block)
            prev = block.hash()
            heights[prev] = height
        by_hash = {b.hash(): b for b in blocks}
        headers = [b.header() for b in blocks]
        peer = node.add_p2p_connection()

        def on_getheaders(msg):
            _version, locator, _stop = parse_getheaders(msg.payload)
            start = next((heights[h] for h in locator if h in heights), 0)
            peer.send_headers(headers[start:start + 2000])

        def on_getdata(msg):
            for inv_type, h in parse_inv(msg.payload):
                if inv_type & ~MSG_WITNESS_FLAG == MSG_BLOCK and h in by_hash:
                    peer.send_block(by_hash[h])

        peer.callbacks["getheaders"] = on_getheaders
        peer.callbacks["getdata"] = on_getdata
        peer.send_headers(headers[:2000])
        self.wait_until(lambda: node.getblockcount() == 2600, timeout=60,
                        what="the honest chain to be synced")
        assert_equal(node.getbestblockhash(), blocks[-1].hash_hex())
        assert peer.is_connected


if __name__ == "__main__":
    HeadersPresyncTest().main()
