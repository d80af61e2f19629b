#!/usr/bin/env python3
"""Payments between two wallets on two nodes, driven through minibit-cli -rpcwallet as a
user would: Alice mines, pays Bob (pending, then confirmed), pays two addresses at once with
sendmany, and Bob sweeps everything back with sendall. Balances, listunspent, listtransactions
and gettransaction tell the same story on both sides."""

from decimal import Decimal

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, assert_raises_rpc_error
from test_framework.wallet_util import WALLET_ARGS, add_cli_option, cli, sats


class WalletBasicTest(MinibitTestFramework):
    def add_options(self, parser):
        add_cli_option(parser)

    def run_test(self):
        n0, n1 = self.add_node(), self.add_node()
        for node in (n0, n1):
            node.start_and_wait(WALLET_ARGS)
        self.connect_nodes(1, 0)

        self.log("createwallet, and wallet RPCs without a wallet answer -18")
        assert_raises_rpc_error(-18, "No wallet is loaded", n0.getbalance)
        assert_equal(n0.createwallet("alice"), {"name": "alice"})
        assert_equal(n1.createwallet("bob"), {"name": "bob"})
        assert_equal(n0.listwallets(), ["alice"])
        alice, bob = n0.wallet("alice"), n1.wallet("bob")
        assert_raises_rpc_error(-18, "Requested wallet does not exist or is not loaded",
                                n0.wallet("nobody").getbalance)

        self.log("Alice mines 101 blocks with minibit-cli -generate: 50 BTC matures")
        generated = cli(self, n0, "-rpcwallet=alice", "-generate", "101")
        assert_equal(len(generated["blocks"]), 101)
        assert_equal(alice.getaddressinfo(generated["address"])["ismine"], True)
        self.sync_blocks()
        balances = alice.getbalances()["mine"]
        assert_equal(balances["trusted"], Decimal("50"))
        assert_equal(balances["immature"], Decimal("5000"))
        assert_equal(alice.getbalance(), Decimal("50"))

        self.log("Alice pays Bob 1.5 BTC with minibit-cli sendtoaddress")
        bob_address = cli(self, n1, "-rpcwallet=bob", "getnewaddress", "from alice")
        assert bob_address.startswith("bcrt1q"), bob_address
        txid = cli(self, n0, "-rpcwallet=alice", "sendtoaddress", bob_address, "1.5")
        assert_equal(len(txid), 64)
        self.wait_until(lambda: txid in n1.getrawmempool(), what="the payment at Bob's node")
        self.wait_until(lambda: bob.getbalances()["mine"]["untrusted_pending"] == Decimal("1.5"),
                        what="Bob's pending balance")
        assert_equal(bob.getbalances()["mine"]["trusted"], Decimal("0"))
        bob_tx = bob.gettransaction(txid)
        assert_equal(bob_tx["confirmations"], 0)
        assert_equal(bob_tx["amount"], Decimal("1.5"))
        assert_equal(bob_tx["details"][0]["category"], "receive")
        assert_equal(bob_tx["details"][0]["address"], bob_address)
        assert_equal(bob_tx["details"][0]["label"], "from alice")
        alice_tx = alice.gettransaction(txid)
        assert_equal(alice_tx["amount"], Decimal("-1.5"))
        assert alice_tx["fee"] < 0, alice_tx
        assert_equal(alice_tx["bip125-replaceable"], "yes")
        # The fee is what the inputs and outputs say.
        decoded = n0.decoderawtransaction(alice_tx["hex"])
        spent = sum(n0.decoderawtransaction(alice.gettransaction(i["txid"])["hex"])["vout"]
                    [i["vout"]]["value"] for i in decoded["vin"])
        paid = sum(o["value"] for o in decoded["vout"])
        assert_equal(-alice_tx["fee"], spent - paid)

        self.log("a block confirms it: Bob's balance becomes trusted")
        cli(self, n0, "-rpcwallet=alice", "-generate", "1")
        self.sync_blocks()
        self.wait_until(lambda: bob.getbalances()["mine"]["trusted"] == Decimal("1.5"),
                        what="Bob's confirmed balance")
        assert_equal(bob.gettransaction(txid)["confirmations"], 1)
        unspent = bob.listunspent()
        assert_equal(len(unspent), 1)
        assert_equal((unspent[0]["txid"], unspent[0]["amount"]), (txid, Decimal("1.5")))
        assert_equal(unspent[0]["address"], bob_address)
        assert_equal(unspent[0]["spendable"], True)
        listed = [t for t in bob.listtransactions() if t["txid"] == txid]
        assert_equal(listed[0]["category"], "receive")
        assert_equal(listed[0]["confirmations"], 1)

        self.log("sendmany pays two of Bob's addresses in one transaction")
        a1, a2 = bob.getnewaddress(), bob.getnewaddress("", "bech32m")
        assert a2.startswith("bcrt1p"), a2
        txid2 = alice.sendmany("", {a1: Decimal("0.25"), a2: Decimal("0.75")})
        self.sync_mempools()
        outputs = n0.decoderawtransaction(alice.gettransaction(txid2)["hex"])["vout"]
        paid = {o["scriptPubKey"].get("address"): o["value"] for o in outputs}
        assert_equal((paid[a1], paid[a2]), (Decimal("0.25"), Decimal("0.75")))
        assert_raises_rpc_error(-8, 'Dummy value must be set to ""', alice.sendmany, "x",
                                {a1: Decimal("0.1")})
        assert_raises_rpc_error(-6, "Insufficient funds", alice.sendtoaddress, a1, 100000)
        assert_raises_rpc_error(-5, "Invalid", alice.sendtoaddress, "notanaddress", 1)
        cli(self, n0, "-rpcwallet=alice", "-generate", "1")
        self.sync_blocks()
        self.wait_until(lambda: bob.getbalance() == Decimal("2.5"), what="Bob's 2.5 BTC")

        self.log("sendall sweeps Bob's three coins back to Alice, leaving no change")
        back = alice.getnewaddress()
        before = alice.getbalances()["mine"]["trusted"]
        result = bob.sendall([back])
        assert_equal(result["complete"], True)
        self.sync_mempools()
        swept = n1.decoderawtransaction(bob.gettransaction(result["txid"])["hex"])
        assert_equal(len(swept["vin"]), 3)
        assert_equal(len(swept["vout"]), 1)
        fee = -bob.gettransaction(result["txid"])["fee"]
        assert_equal(swept["vout"][0]["value"], Decimal("2.5") - fee)
        cli(self, n0, "-rpcwallet=alice", "-generate", "1")
        self.sync_blocks()
        self.wait_until(lambda: bob.getbalance() == Decimal("0"), what="Bob's empty wallet")
        assert_equal(bob.listunspent(), [])
        # Alice received the sweep (and a new block reward matured meanwhile).
        self.wait_until(lambda: alice.getbalances()["mine"]["trusted"] > before,
                        what="Alice's balance after the sweep")
        assert_in(result["txid"], [t["txid"] for t in alice.listtransactions("*", 100)])

        self.log("-getinfo shows the wallet lines")
        info = cli(self, n0, "-rpcwallet=alice", "-getinfo")
        assert_in('Wallet: alice', info)
        assert_in("Balance: ", info)

        self.log("-stdinwalletpassphrase unlocks without the passphrase on the command line")
        bob.encryptwallet("bob's secret")
        cli(self, n1, "-rpcwallet=bob", "-stdinwalletpassphrase", "walletpassphrase", "60",
            stdin="bob's secret\n")
        assert bob.getwalletinfo()["unlocked_until"] > 0
        wrong = cli(self, n1, "-rpcwallet=bob", "-stdinwalletpassphrase", "walletpassphrase", "60",
                    stdin="wrong\n", check=False)
        assert_equal(wrong.returncode, 14)
        for node in (n0, n1):
            assert_equal(node.stop(), 0)


if __name__ == "__main__":
    WalletBasicTest().main()
