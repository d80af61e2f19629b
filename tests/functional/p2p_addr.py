#!/usr/bin/env python3
"""Address relay seen from a raw peer: -externalip is advertised (addrv2 to a peer that sent
sendaddrv2, with the node's P2P port and services), getnetworkinfo lists it with Core's
score for a manual address, and getaddr is answered once per inbound connection."""

import time

from test_framework.p2p import NODE_NETWORK, NODE_WITNESS, parse_addrv2
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal

ANY_ADDRESS = "bcrt1qjqmxmkpmxt80xz4y3746zgt0q3u3ferr34acd5"


class AddrTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait(["-externalip=1.2.3.4", "-debug=net"])
        node.generatetoaddress(1, ANY_ADDRESS)  # out of initial download

        self.log("getnetworkinfo lists -externalip (score 4, LOCAL_MANUAL)")
        assert_equal(node.getnetworkinfo()["localaddresses"],
                     [{"address": "1.2.3.4", "port": node.p2p_port, "score": 4}])

        self.log("the address is advertised to a peer, by addrv2")
        peer = node.add_p2p_connection()
        peer.send_message("getaddr")
        message = peer.wait_for_message("addrv2", timeout=60)
        entries = parse_addrv2(message.payload)
        assert_equal(len(entries), 1)
        when, services, network, address, port = entries[0]
        assert_equal((network, address, port), (1, bytes([1, 2, 3, 4]), node.p2p_port))
        assert_equal(services & (NODE_NETWORK | NODE_WITNESS), NODE_NETWORK | NODE_WITNESS)
        assert abs(when - time.time()) < 3600

        self.log("a second getaddr on the same connection is ignored")
        peer.clear_messages()
        with open(node.debug_log_path, encoding="utf8", errors="replace") as f:
            f.seek(0, 2)
            mark = f.tell()
        peer.send_message("getaddr")
        peer.sync_with_ping()
        with open(node.debug_log_path, encoding="utf8", errors="replace") as f:
            f.seek(mark)
            log = f.read()
        assert 'Ignoring repeated "getaddr"' in log, log
        assert not peer.has_message("addrv2") and not peer.has_message("addr")
        assert peer.is_connected


if __name__ == "__main__":
    AddrTest().main()
