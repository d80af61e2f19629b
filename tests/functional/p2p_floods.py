#!/usr/bin/env python3
"""Floods from raw P2P peers keep the node's memory bounded and its honest peers served, as in
Bitcoin Core v28. Throughout, an honest raw peer gets its pings answered (between the flood's
messages and after), and after each flood a valid transaction it sends reaches the mempool and a
block it announces becomes the tip.

- addr: 20 messages of 1,000 addresses from one peer. Core's token bucket (1 token, +0.1 a
  second) lets only a handful through: getpeerinfo's addr_processed stays within what the
  bucket can have earned in the time the test took, the rest is counted in addr_rate_limited,
  and the address manager (getnodeaddresses 0) holds no more than was processed.
- orphans: four peers send 2,000 distinct 86 kB orphans (172 MB), then 2,000 small orphans
  spending the outputs of one transaction P nobody has sent yet. When P arrives, exactly 100
  of its children come out of the orphan pool into the mempool: the pool held Core's 100 and
  no more (random eviction leaves the late small ones, not the big ones). VmRSS grows far less
  than the flood's size.
- inv: 50,000 random wtxids from one peer, then the wtxid of a real transaction T. Core tracks
  at most 5,000 announcements per peer: the flooder is asked for exactly 5,000 hashes, never
  for T; T announced afterwards by the honest peer is requested from it and accepted.

Memory bounds (VmRSS of the node, /proc/<pid>/status) are generous on purpose; each is
explained where it is checked."""

import random
import struct
import time

from test_framework.messages import (OP_TRUE_P2WSH_SPK, OP_TRUE_SCRIPT, create_block,
                                     hex_to_hash, ser_compact_size, ser_string)
from test_framework.p2p import (MSG_BLOCK, MSG_WITNESS_FLAG, MSG_WTX, NODE_NETWORK,
                                NODE_WITNESS, parse_inv, ser_addr)
from test_framework import sanitizers
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, vm_rss_kib
from test_framework.wallet import OpTrueWallet, Utxo

MIB = 1024
MAX_ORPHANS = 100  # Core's DEFAULT_MAX_ORPHAN_TRANSACTIONS
MAX_PEER_TX_ANNOUNCEMENTS = 5000  # Core's per-peer cap on tracked tx announcements
BIG_ORPHAN_OUTPUTS = 2000  # 2,000 P2WSH outputs: about 86 kB, under the 400,000 weight limit
FLOOD_PEERS = 4


def rss_kib(node):
    """The node's resident set size in KiB."""
    return vm_rss_kib(node.process.pid)


def public_ipv4(rng):
    """A random routable IPv4 address (first octet 11-99 avoids private and reserved space)."""
    octets = (rng.randint(11, 99), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
    return ".".join(map(str, octets))


class BigOrphanFactory:
    """Serialized 2,000-output transactions spending made-up outputs: only the input changes,
    so the large middle part is built once."""

    def __init__(self):
        outputs = ser_compact_size(BIG_ORPHAN_OUTPUTS) + (
            struct.pack("<q", 1000) + ser_string(OP_TRUE_P2WSH_SPK)) * BIG_ORPHAN_OUTPUTS
        self.head = struct.pack("<i", 2) + b"\x00\x01" + ser_compact_size(1)
        self.tail = outputs + b"\x01" + ser_string(OP_TRUE_SCRIPT) + struct.pack("<I", 0)

    def make(self, rng):
        prevout = rng.randbytes(32) + struct.pack("<I", 0)
        return self.head + prevout + b"\x00" + struct.pack("<I", 0xFFFFFFFD) + self.tail


class FloodsTest(MinibitTestFramework):
    def run_test(self):
        self.rng = random.Random()
        self.node = self.add_node()
        # Descendant limits far above P's 2,000 children, so the mempool cannot be what caps
        # how many of them come back from the orphan pool.
        self.node.start_and_wait(["-limitdescendantcount=5000", "-limitdescendantsize=5000"])
        self.wallet = OpTrueWallet(self.node)
        self.wallet.generate(120)
        self.honest = self.node.add_p2p_connection(user_agent=b"/honest/")

        self.test_addr_flood()
        self.test_orphan_flood()
        self.test_inv_flood()

    # ---- helpers ---------------------------------------------------------------------------

    def peer_info(self, user_agent):
        infos = [p for p in self.node.getpeerinfo() if p["subver"] == user_agent]
        assert_equal(len(infos), 1, f"peers with user agent {user_agent}")
        return infos[0]

    def check_rss(self, before, bound_mib, what):
        after = rss_kib(self.node)
        self.log(f"  VmRSS {before // MIB} MiB -> {after // MIB} MiB after the {what}")
        if sanitizers.active():
            # ASan keeps freed memory in quarantine (256 MB): RSS says nothing there.
            self.log("  (sanitized run: VmRSS bound not checked)")
            return
        if after - before > bound_mib * MIB:
            raise TestFailure(f"VmRSS grew by {(after - before) // MIB} MiB in the {what}, "
                              f"bound {bound_mib} MiB")

    def honest_still_served(self):
        """The honest peer's ping is answered, its transaction accepted and its block (announced
        by headers, sent on request) becomes the tip."""
        self.honest.sync_with_ping()
        built = self.wallet.create()
        self.honest.send_tx(built.tx)
        self.honest.sync_with_ping()
        self.wait_until(lambda: built.txid in self.node.getrawmempool(), timeout=30,
                        what="the honest transaction in the mempool")

        tip = self.node.getbestblockhash()
        header = self.node.getblockheader(tip)
        block = create_block(tip, header["height"] + 1,
                             max(int(time.time()), header["mediantime"] + 1))
        self.honest.send_headers([block.header()])
        wanted = block.hash()
        self.honest.wait_for_message(
            "getdata", timeout=30,
            predicate=lambda m: any(t & ~MSG_WITNESS_FLAG == MSG_BLOCK and h == wanted
                                    for t, h in parse_inv(m.payload)))
        self.honest.send_block(block)
        self.wait_until(lambda: self.node.getbestblockhash() == block.hash_hex(), timeout=30,
                        what="the honest block to become the tip")
        # The block pays only the subsidy and carries no transactions: the coin is spendable.
        self.wallet.utxos.append(Utxo(block.txs[0].txid_hex(), 0, block.txs[0].outputs[0][0],
                                      header["height"] + 1))
        assert self.honest.is_connected

    # ---- floods ----------------------------------------------------------------------------

    def test_addr_flood(self):
        self.log("addr flood: 20 x 1,000 addresses from one peer")
        assert_equal(self.node.getnodeaddresses(0), [])
        rss_before = rss_kib(self.node)
        started = time.monotonic()
        flooder = self.node.add_p2p_connection(user_agent=b"/addr-flooder/")
        now = int(time.time())
        services = NODE_NETWORK | NODE_WITNESS
        sent = 0
        for _ in range(20):
            entries = [(now, services, public_ipv4(self.rng), 8333) for _ in range(1000)]
            flooder.send_message("addr", ser_addr(entries))
            sent += len(entries)
            self.honest.sync_with_ping()
        flooder.sync_with_ping()
        elapsed = time.monotonic() - started
        info = self.peer_info("/addr-flooder/")
        processed, limited = info["addr_processed"], info["addr_rate_limited"]
        self.log(f"  processed {processed}, rate-limited {limited} in {elapsed:.1f} s")
        assert_equal(processed + limited, sent)
        # The bucket starts with one token and earns 0.1 a second; the node's time since the
        # connection is within the test's (plus one token of slack for rounding).
        if not 1 <= processed <= 2 + 0.1 * elapsed:
            raise TestFailure(f"{processed} addresses processed in {elapsed:.1f} s")
        known = len(self.node.getnodeaddresses(0))
        if not 1 <= known <= processed:
            raise TestFailure(f"the address manager holds {known}, processed {processed}")
        assert flooder.is_connected  # 1,000 per message is allowed: not misbehaviour
        # 20,000 addresses are 600 kB on the wire; even storing all would fit, so this only
        # catches gross growth.
        self.check_rss(rss_before, 64, "addr flood")
        flooder.close()
        self.honest_still_served()

    def test_orphan_flood(self):
        self.log("orphan flood: 2,000 big orphans, then 2,000 children of an unsent P")
        coin = self.wallet.get_utxo()
        parent = self.wallet.create(utxos=coin, num_outputs=2000)
        children = [self.wallet.create(utxos=u, fee=1000) for u in parent.utxos]
        peers = [self.node.add_p2p_connection(user_agent=f"/orphan-flooder-{i}/".encode())
                 for i in range(FLOOD_PEERS)]
        rss_before = rss_kib(self.node)
        pool_before = set(self.node.getrawmempool())

        factory = BigOrphanFactory()
        sample = factory.make(self.rng)
        self.log(f"  each big orphan is {len(sample)} bytes")
        for batch in range(2000 // 100):
            peer = peers[batch % FLOOD_PEERS]
            for _ in range(100):
                peer.send_message("tx", factory.make(self.rng))
            # Drained before the next batch, so what VmRSS shows is what the node kept.
            peer.sync_with_ping()
            self.honest.sync_with_ping()
        for i, child in enumerate(children):
            peers[i % FLOOD_PEERS].send_message("tx", child.tx.serialize())
            if i % 200 == 199:
                self.honest.sync_with_ping()
        for peer in peers:
            peer.sync_with_ping()
            assert peer.is_connected  # orphans are not misbehaviour
        assert_equal(set(self.node.getrawmempool()), pool_before)
        # The flood carried 2,000 x 86 kB = 172 MB. Kept by design: Core's 100 orphans of that
        # size (8.6 MB) and up to -maxreceivebuffer (5 MB) queued per connection; 64 MiB adds
        # room for allocator slack and is still far below what keeping the flood would take.
        self.check_rss(rss_before, 64, "orphan flood")

        self.log("  P arrives: exactly 100 children leave the orphan pool")
        self.honest.send_tx(parent.tx)
        self.honest.sync_with_ping()
        self.wait_until(lambda: parent.txid in self.node.getrawmempool(), timeout=30,
                        what="P in the mempool")
        child_ids = {c.txid for c in children}
        # The children are retried after P is accepted; wait until the count settles.
        expected = len(pool_before) + 1 + MAX_ORPHANS
        self.wait_until(lambda: len(self.node.getrawmempool()) >= expected, timeout=60,
                        what=f"{MAX_ORPHANS} children in the mempool")
        self.honest.sync_with_ping()
        pool = set(self.node.getrawmempool())
        assert_equal(len(pool & child_ids), MAX_ORPHANS, "(children released from the pool)")
        assert_equal(pool - child_ids, pool_before | {parent.txid})
        for peer in peers:
            peer.close()
        self.honest_still_served()

    def test_inv_flood(self):
        self.log("inv flood: 50,000 wtxids from one peer, then a real one")
        flooder = self.node.add_p2p_connection(user_agent=b"/inv-flooder/")
        requested = []

        def on_getdata(msg):
            requested.extend(h for t, h in parse_inv(msg.payload) if t == MSG_WTX)

        flooder.callbacks["getdata"] = on_getdata
        real = self.wallet.create()
        wtxid = hex_to_hash(real.wtxid)
        junk = [self.rng.randbytes(32) for _ in range(50_000)]
        rss_before = rss_kib(self.node)
        for start in range(0, len(junk), 10_000):
            flooder.send_inv([(MSG_WTX, h) for h in junk[start:start + 10_000]])
            self.honest.sync_with_ping()
        flooder.send_inv([(MSG_WTX, wtxid)])
        flooder.sync_with_ping()

        # Announcements from inbound peers wait 2 s: move the node's clock past that.
        mock = int(time.time()) + 10
        self.node.setmocktime(mock)
        flooder.wait_for(lambda: len(requested) >= MAX_PEER_TX_ANNOUNCEMENTS, timeout=60,
                         what="the flooder's announcements to be requested")
        self.honest.send_inv([(MSG_WTX, wtxid)])
        self.honest.sync_with_ping()
        self.node.setmocktime(mock + 10)
        # Had the flooder's (earlier) announcement of T been tracked, T would have been asked of
        # it, not of the honest peer, while that request (60 s) is outstanding.
        self.honest.wait_for_message(
            "getdata", timeout=60, predicate=lambda m: (MSG_WTX, wtxid) in parse_inv(m.payload))
        flooder.sync_with_ping()
        assert_equal(len(requested), MAX_PEER_TX_ANNOUNCEMENTS, "(hashes asked of the flooder)")
        assert wtxid not in requested
        assert set(requested) <= set(junk)
        assert flooder.is_connected  # 10,000 per message is allowed: not misbehaviour

        self.honest.send_tx(real.tx)
        self.honest.sync_with_ping()
        self.wait_until(lambda: real.txid in self.node.getrawmempool(), timeout=30,
                        what="T in the mempool")
        # 50,000 announcements are 1.8 MB on the wire; Core's per-peer structures (5,000
        # tracked, 50,000 known hashes) take a few MB.
        self.check_rss(rss_before, 64, "inv flood")
        flooder.close()
        self.node.setmocktime(0)
        self.honest_still_served()


if __name__ == "__main__":
    FloodsTest().main()
