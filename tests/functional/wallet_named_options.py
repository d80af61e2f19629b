#!/usr/bin/env python3
"""Options objects as named parameters (Bitcoin Core's OBJ_NAMED_PARAMS), driven through
minibit-cli -named as a user would: the keys of send's, sendall's, listunspent's and bumpfee's
options are given at top level next to ordinary arguments, and reach the method as if they had
been written inside the options object. A key given both ways, and a name no argument or option
has, are refused with Core's -8 messages."""

from decimal import Decimal

from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_in, assert_not_in
from test_framework.wallet_util import WALLET_ARGS, add_cli_option, cli, sats


def assert_fee_rate(entry, sat_per_vb):
    """The mempool entry paid `sat_per_vb` on its size, give or take one vbyte."""
    fee, vsize = sats(entry["fees"]["base"]), entry["vsize"]
    assert sat_per_vb * vsize <= fee <= sat_per_vb * (vsize + 1), (fee, vsize, sat_per_vb)


class WalletNamedOptionsTest(MinibitTestFramework):
    def add_options(self, parser):
        add_cli_option(parser)

    def run_test(self):
        node = self.add_node()
        node.start_and_wait(WALLET_ARGS)
        node.createwallet("w")
        wallet = node.wallet("w")

        def wcli(*args, **kwargs):
            return cli(self, node, "-rpcwallet=w", *args, **kwargs)

        self.log("mine 102 blocks: two 50 BTC coinbases mature")
        mine_address = wallet.getnewaddress()
        node.generatetoaddress(102, mine_address)
        assert_equal(wallet.getbalance(), Decimal("100"))

        self.log("listunspent: minconf at top level, query_options keys next to it")
        both = wcli("-named", "listunspent", "minconf=1", "minimumAmount=1")
        assert_equal(len(both), 2)
        assert all(u["amount"] == Decimal("50") for u in both), both
        # The keys really reach query_options: each one filters.
        assert_equal(wcli("-named", "listunspent", "minconf=1", "minimumAmount=60"), [])
        assert_equal(len(wcli("-named", "listunspent", "minconf=1", "maximumCount=1")), 1)
        # The same call written with the object gives the same answer.
        assert_equal(wcli("-named", "listunspent", "minconf=1", 'query_options={"maximumCount":1}'),
                     wcli("-named", "listunspent", "minconf=1", "maximumCount=1"))

        self.log("send: fee_rate (top level) and add_inputs/add_to_wallet (options keys)")
        payee = wallet.getnewaddress()
        outputs = '{"%s": 1}' % payee
        unsent = wcli("-named", "send", f"outputs={outputs}", "fee_rate=2", "add_inputs=true",
                      "add_to_wallet=false")
        # add_to_wallet=false reached the options: the transaction comes back (hex and psbt, as
        # Core answers) and is not broadcast.
        assert_equal(unsent["complete"], True)
        assert_in("hex", unsent)
        assert_in("psbt", unsent)
        assert_equal(node.getrawmempool(), [])

        sent = wcli("-named", "send", f"outputs={outputs}", "fee_rate=2", "add_inputs=true")
        assert_equal(sent["complete"], True)
        txid = sent["txid"]
        assert_in(txid, node.getrawmempool())
        # 2 sat/vB on the transaction's virtual size, as asked at top level (not the 20 sat/vB
        # fallback). The wallet sizes signatures before signing, so allow one vbyte of slack.
        assert_fee_rate(node.getmempoolentry(txid), 2)
        decoded = node.decoderawtransaction(wallet.gettransaction(txid)["hex"])
        assert_in(Decimal("1"), [o["value"] for o in decoded["vout"]])

        self.log("bumpfee: options keys at top level")
        bumped = wcli("-named", "bumpfee", f"txid={txid}", "fee_rate=10")
        assert_in(bumped["txid"], node.getrawmempool())
        assert_not_in(txid, node.getrawmempool())
        assert_fee_rate(node.getmempoolentry(bumped["txid"]), 10)

        self.log("sendall: recipients and fee_rate, with options keys add_to_wallet and send_max")
        node.generatetoaddress(1, mine_address)
        sweep_to = wallet.getnewaddress()
        swept = wcli("-named", "sendall", 'recipients=["%s"]' % sweep_to, "fee_rate=1",
                     "add_to_wallet=false", "send_max=true")
        assert_equal(swept["complete"], True)
        assert_in("hex", swept)
        assert_in("psbt", swept)
        sweep = node.decoderawtransaction(swept["hex"])
        assert_equal(len(sweep["vout"]), 1)
        assert_equal(sweep["vout"][0]["scriptPubKey"]["address"], sweep_to)
        # Every confirmed coin of the wallet is swept.
        assert_equal(len(sweep["vin"]), len(wallet.listunspent(1)))
        assert_equal(node.getrawmempool(), [])

        self.log("a key given both in the options object and at top level is refused")
        twice = wcli("-named", "send", f"outputs={outputs}", 'options={"add_inputs":true}',
                     "add_inputs=true", check=False)
        assert_equal(twice.returncode, 8)
        assert_in("Parameter options conflicts with parameter add_inputs", twice.stderr)
        # Also when the keys differ: the object and its keys cannot be mixed.
        mixed = wcli("-named", "listunspent", 'query_options={"maximumCount":1}',
                     "minimumAmount=1", check=False)
        assert_equal(mixed.returncode, 8)
        assert_in("Parameter query_options conflicts with parameter minimumAmount", mixed.stderr)

        self.log("a name that is neither an argument nor an option key is unknown")
        unknown = wcli("-named", "send", f"outputs={outputs}", "add_input=true", check=False)
        assert_equal(unknown.returncode, 8)
        assert_in("Unknown named parameter add_input", unknown.stderr)
        # Keys of another method's options are not accepted either.
        foreign = wcli("-named", "listunspent", "add_inputs=true", check=False)
        assert_equal(foreign.returncode, 8)
        assert_in("Unknown named parameter add_inputs", foreign.stderr)


if __name__ == "__main__":
    WalletNamedOptionsTest().main()
