#!/usr/bin/env python3
"""backupwallet and restorewallet: a restored wallet has the same balance and history as the
original, also on another node, and catches up with what happened after the backup. Bad
backup files are refused without creating anything."""

import os
from decimal import Decimal

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet_util import WALLET_ARGS


def history(wallet):
    return sorted((t["txid"], t["category"], t["amount"], t.get("vout"))
                  for t in wallet.listtransactions("*", 1000))


class WalletBackupTest(MinibitTestFramework):
    def run_test(self):
        n0, n1 = self.add_node(), self.add_node()
        for node in (n0, n1):
            node.start_and_wait(WALLET_ARGS)
        self.connect_nodes(1, 0)
        n0.createwallet("alice")
        n0.createwallet("other")
        alice, other = n0.wallet("alice"), n0.wallet("other")
        # Two wallets loaded: a wallet call must name one (Core's /wallet/<name> rule).
        assert_raises_rpc_error(-19, "Wallet file not specified (must request wallet RPC "
                                "through /wallet/<filename> uri-path).", n0.getbalance)
        n0.generatetoaddress(101, alice.getnewaddress())
        for amount in ("1", "2.5", "0.3"):
            alice.sendtoaddress(other.getnewaddress(), Decimal(amount))
        other_addr = other.getnewaddress()
        n0.generatetoaddress(1, other_addr)
        alice.setlabel(alice.getnewaddress(), "savings")
        self.sync_blocks()

        self.log("backupwallet writes one file")
        backup = os.path.join(self.tmpdir, "alice.bak")
        alice.backupwallet(backup)
        assert os.path.isfile(backup)
        balance, past = alice.getbalances()["mine"], history(alice)

        self.log("restorewallet on the same node gives the same balance and history")
        restored = n0.restorewallet("alice_restored", backup)
        assert_equal(restored["name"], "alice_restored")
        copy = n0.wallet("alice_restored")
        assert_equal(copy.getbalances()["mine"], balance)
        assert_equal(history(copy), past)
        assert_equal(copy.listlabels(), alice.listlabels())
        assert_raises_rpc_error(-36, None, n0.restorewallet, "alice_restored", backup)

        self.log("on another node too, and it catches up with a later payment")
        later = alice.sendtoaddress(other.getnewaddress(), Decimal("0.7"))
        n0.generatetoaddress(1, other_addr)
        self.sync_blocks()
        n1.restorewallet("alice", backup)
        remote = n1.wallet("alice")
        self.wait_until(lambda: later in [t["txid"] for t in remote.listtransactions("*", 1000)],
                        what="the restored wallet finds the later payment")
        assert_equal(remote.getbalances()["mine"], alice.getbalances()["mine"])
        assert_equal(history(remote), history(alice))

        self.log("a damaged or missing backup is refused and creates no wallet")
        with open(backup, "rb") as f:
            data = bytearray(f.read())
        data[len(data) // 2] ^= 0x01
        damaged = os.path.join(self.tmpdir, "damaged.bak")
        with open(damaged, "wb") as f:
            f.write(data)
        assert_raises_rpc_error(-4, None, n1.restorewallet, "broken", damaged)
        assert "broken" not in [w["name"] for w in n1.listwalletdir()["wallets"]]
        assert_raises_rpc_error(-8, None, n1.restorewallet, "missing",
                                os.path.join(self.tmpdir, "nope.bak"))
        assert "missing" not in [w["name"] for w in n1.listwalletdir()["wallets"]]
        for node in (n0, n1):
            assert_equal(node.stop(), 0)


if __name__ == "__main__":
    WalletBackupTest().main()
