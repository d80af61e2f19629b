#!/usr/bin/env python3
"""Low-work header chains are never stored (issue 7, DoS limits).

With -minimumchainwork set to the work of 2,300 regtest blocks:
- a peer sending 1,500 headers (a chain that ends below the minimum) gets nothing stored;
- a peer sending a 2,500-header chain sees the node count the first 2,300 without storing
  any (getpeerinfo's presynced_headers shows the progress), ask for them again from the
  fork point, and only then store them; the node ends with a 2,500-header tip.
"""

import struct

from test_framework.messages import dsha256, hash_to_hex, solve_regtest
from test_framework.p2p import parse_getheaders
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error

REGTEST_BITS = 0x207FFFFF
TARGET_BLOCKS = 2300  # the minimum work is that of this many blocks on genesis


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


if __name__ == "__main__":
    HeadersPresyncTest().main()
