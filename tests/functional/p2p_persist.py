#!/usr/bin/env python3
"""A restart keeps the address manager (peers.dat) and the ban list (banlist.json): bans set
with setban and addresses learned from a peer's addr message (plus addpeeraddress, if the node
has that hidden RPC) are written at shutdown and listed again after the restart."""

import os
import time

from test_framework.p2p import ser_addr
from test_framework.rpc import JSONRPCException
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_in, assert_raises_rpc_error
from test_framework.wallet import OP_TRUE_ADDRESS

BANS = ["10.11.0.0/16", "1.2.3.4/32", "2001:db8::/32"]
# Routable (not private/documentation/reserved) IPv4 addresses a peer may tell us about.
RELAYED = ("5.6.7.8", 8333)
ADDED = [("9.10.11.12", 8333), ("13.14.15.16", 18444)]


class PersistTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait(["-debug=net"])
        node.generatetoaddress(1, OP_TRUE_ADDRESS)  # leave IBD

        self.log("setban: a subnet, a single address, an IPv6 subnet")
        now = int(time.time())
        node.setban("10.11.0.0/16", "add")
        node.setban("1.2.3.4", "add", 3600)
        node.setban("2001:db8::/32", "add", now + 7200, True)
        assert_raises_rpc_error(-23, "Error: IP/Subnet already banned", node.setban,
                                "1.2.3.4", "add")
        before = self.bans(node)
        assert_equal(sorted(before), sorted(BANS))
        assert_equal(before["1.2.3.4/32"]["banned_until"] -
                     before["1.2.3.4/32"]["ban_created"], 3600)
        assert_equal(before["2001:db8::/32"]["banned_until"], now + 7200)

        self.log("addresses: one from a raw peer's addr message, others by addpeeraddress")
        peer = node.add_p2p_connection()
        # Core's token bucket lets a new inbound peer's first address through.
        peer.send_message("addr", ser_addr([(int(time.time()) - 60, 1 | 8, *RELAYED)]))
        peer.sync_with_ping()
        self.wait_until(lambda: self.addresses(node).get(RELAYED[0]) == RELAYED[1], timeout=10,
                        what="the relayed address in getnodeaddresses")
        expected = {RELAYED[0]: RELAYED[1]}
        try:
            for ip, port in ADDED:
                result = node.addpeeraddress(ip, port)
                assert_equal(result, {"success": True})
                expected[ip] = port
        except JSONRPCException as e:
            if e.code != -32601:
                raise
            self.log("  (no addpeeraddress RPC: only the relayed address is checked)")
        learned = self.addresses(node)
        for ip, port in expected.items():
            assert_equal(learned.get(ip), port, f"for {ip}")
        peer.close()

        self.log("stop: peers.dat and banlist.json are written")
        node.stop()
        for name in ("peers.dat", "banlist.json"):
            path = os.path.join(node.chain_datadir, name)
            if not os.path.isfile(path) or os.path.getsize(path) == 0:
                raise TestFailure(f"{name} missing or empty after shutdown")

        self.log("start: the bans and addresses are back")
        node.start_and_wait(["-debug=net"])
        after = self.bans(node)
        assert_equal(after, before)
        learned = self.addresses(node)
        for ip, port in expected.items():
            assert_equal(learned.get(ip), port, f"for {ip} after restart")

        self.log("a removed ban and cleared bans stay removed across a restart")
        node.setban("1.2.3.4", "remove")
        assert_raises_rpc_error(-30, "Error: Unban failed", node.setban, "1.2.3.4", "remove")
        node.stop()
        node.start_and_wait(["-debug=net"])
        assert_equal(sorted(self.bans(node)), sorted(b for b in BANS if b != "1.2.3.4/32"))
        node.clearbanned()
        assert_equal(node.listbanned(), [])
        node.stop()
        node.start_and_wait(["-debug=net"])
        assert_equal(node.listbanned(), [])
        assert_in(RELAYED[0], self.addresses(node))

    @staticmethod
    def bans(node):
        # time_remaining moves with the clock; the rest is what was persisted.
        return {b["address"]: {k: b[k] for k in ("ban_created", "banned_until")}
                for b in node.listbanned()}

    @staticmethod
    def addresses(node):
        return {a["address"]: a["port"] for a in node.getnodeaddresses(0)}


if __name__ == "__main__":
    PersistTest().main()
