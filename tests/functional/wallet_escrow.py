#!/usr/bin/env python3
"""2-of-3 escrow with PSBTs across three wallets on three nodes.

Alice, Bob and Carol each give a public key (with its origin) from their own wallet; a
watch-only coordinator wallet imports wsh(sortedmulti(2, ...)) and Alice funds two coins to
it. The first is released by Alice and Bob signing one after the other, the second by Bob and
Carol signing in parallel, then combinepsbt and finalizepsbt; a single signature never
suffices."""

from decimal import Decimal

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, assert_raises_rpc_error
from test_framework.wallet_util import WALLET_ARGS


class WalletEscrowTest(MinibitTestFramework):
    def run_test(self):
        nodes = [self.add_node() for _ in range(3)]
        for node in nodes:
            node.start_and_wait(WALLET_ARGS)
        self.connect_nodes(1, 0)
        self.connect_nodes(2, 1)
        names = ["alice", "bob", "carol"]
        wallets = []
        for node, name in zip(nodes, names):
            node.createwallet(name)
            wallets.append(node.wallet(name))
        alice, bob, carol = wallets
        nodes[0].generatetoaddress(101, alice.getnewaddress())
        self.sync_blocks()

        self.log("each participant contributes a key with its origin")
        keys = []
        for wallet in wallets:
            info = wallet.getaddressinfo(wallet.getnewaddress())
            path = info["hdkeypath"].replace("m/", "", 1)
            keys.append(f"[{info['hdmasterfingerprint']}/{path}]{info['pubkey']}")
        desc = nodes[0].getdescriptorinfo(f"wsh(sortedmulti(2,{','.join(keys)}))")
        descriptor = f"wsh(sortedmulti(2,{','.join(keys)}))#{desc['checksum']}"
        escrow_address = nodes[0].deriveaddresses(descriptor)[0]
        assert escrow_address.startswith("bcrt1q") and len(escrow_address) == 64, escrow_address

        self.log("a watch-only coordinator wallet imports the escrow descriptor")
        nodes[0].createwallet("escrow", True, True)
        escrow = nodes[0].wallet("escrow")
        imported = escrow.importdescriptors([{"desc": descriptor, "timestamp": "now"}])
        assert_equal(imported[0]["success"], True)
        assert_equal(escrow.getwalletinfo()["private_keys_enabled"], False)
        assert_equal(escrow.getaddressinfo(escrow_address)["ismine"], True)

        self.log("Alice funds two escrow coins")
        for amount in (Decimal("3"), Decimal("4")):
            alice.sendtoaddress(escrow_address, amount)
        nodes[0].generatetoaddress(1, alice.getnewaddress())
        self.sync_blocks()
        coins = escrow.listunspent()
        assert_equal(sorted(c["amount"] for c in coins), [Decimal("3"), Decimal("4")])
        assert all(c["solvable"] and not c["spendable"] for c in coins), coins

        def release(coin, destination):
            return escrow.walletcreatefundedpsbt(
                [{"txid": coin["txid"], "vout": coin["vout"]}], [{destination: coin["amount"]}],
                0, {"add_inputs": False, "subtractFeeFromOutputs": [0]}, True)["psbt"]

        self.log("coin 1: Alice signs, then Bob, and the transaction is complete")
        dest1 = carol.getnewaddress()
        psbt = release(next(c for c in coins if c["amount"] == 3), dest1)
        analysis = nodes[0].analyzepsbt(psbt)
        assert_equal(analysis["next"], "signer")
        one = alice.walletprocesspsbt(psbt)
        assert_equal(one["complete"], False)
        decoded = nodes[0].decodepsbt(one["psbt"])
        assert_equal(len(decoded["inputs"][0]["partial_signatures"]), 1)
        # The other signatures cannot come from a wallet without a key.
        assert_equal(escrow.walletprocesspsbt(one["psbt"])["complete"], False)
        two = bob.walletprocesspsbt(one["psbt"])
        assert_equal(two["complete"], True)
        txid1 = nodes[1].sendrawtransaction(two["hex"])

        self.log("coin 2: Bob and Carol sign in parallel; combine, finalize, broadcast")
        dest2 = alice.getnewaddress()
        psbt = release(next(c for c in coins if c["amount"] == 4), dest2)
        by_bob = bob.walletprocesspsbt(psbt, True, "ALL", True, False)["psbt"]
        by_carol = carol.walletprocesspsbt(psbt, True, "ALL", True, False)["psbt"]
        assert_equal(nodes[2].finalizepsbt(by_carol)["complete"], False)
        combined = nodes[2].combinepsbt([by_bob, by_carol])
        final = nodes[2].finalizepsbt(combined)
        assert_equal(final["complete"], True)
        txid2 = nodes[2].sendrawtransaction(final["hex"])

        self.sync_mempools()
        nodes[0].generatetoaddress(1, alice.getnewaddress())
        self.sync_blocks()
        assert_equal(escrow.listunspent(), [])
        assert_equal(escrow.getbalance(), Decimal("0"))
        self.wait_until(lambda: txid1 in [t["txid"] for t in carol.listtransactions()],
                        what="Carol received coin 1")
        received = carol.gettransaction(txid1)
        assert_equal(received["confirmations"], 1)
        assert 0 < received["amount"] < 3, received
        assert_in(txid2, [t["txid"] for t in alice.listtransactions("*", 1000)])
        assert_raises_rpc_error(-22, None, nodes[0].decodepsbt, "not a psbt")
        for node in nodes:
            assert_equal(node.stop(), 0)


if __name__ == "__main__":
    WalletEscrowTest().main()
