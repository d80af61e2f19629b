#!/usr/bin/env python3
"""Wallet encryption: encryptwallet seals the keys (no private key bytes stay in the wallet's
files), a locked wallet refuses to spend with -13, a wrong passphrase gets -14, the unlock
timeout relocks, walletlock and walletpassphrasechange work, and all of it survives a restart."""

import os
import re
import time
from decimal import Decimal

from test_framework.address import base58check_decode
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import assert_equal, assert_raises_rpc_error
from test_framework.wallet_util import WALLET_ARGS

LOCKED = "Please enter the wallet passphrase with walletpassphrase first"
WRONG = "The wallet passphrase entered was incorrect"


def wallet_files_bytes(directory):
    """Every byte of every file under the wallet's directory."""
    data = b""
    for root, _dirs, files in os.walk(directory):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                data += f.read()
    return data


class WalletEncryptionTest(MinibitTestFramework):
    def run_test(self):
        node = self.add_node()
        node.start_and_wait(WALLET_ARGS)
        node.createwallet("w")
        w = node.wallet("w")
        node.generatetoaddress(101, w.getnewaddress())
        wallet_dir = os.path.join(node.chain_datadir, "wallets", "w")

        self.log("before encryption the private keys are in the files (so the check can fail)")
        private = [d["desc"] for d in w.listdescriptors(True)["descriptors"]]
        xprvs = sorted({m for d in private for m in re.findall(r"tprv[1-9A-HJ-NP-Za-km-z]+", d)})
        assert len(xprvs) >= 1, private
        # The last 32 bytes of an extended private key are the secret itself.
        secrets = [base58check_decode(x)[-32:] for x in xprvs]
        before = wallet_files_bytes(wallet_dir)
        assert any(x.encode() in before or s in before for x, s in zip(xprvs, secrets))

        self.log("encryptwallet, then no xprv text nor secret bytes in any wallet file")
        w.encryptwallet("first passphrase")
        after = wallet_files_bytes(wallet_dir)
        for xprv, secret in zip(xprvs, secrets):
            assert xprv.encode() not in after, "xprv text left after encryption"
            assert secret not in after, "secret bytes left after encryption"
        assert_equal(w.getwalletinfo()["unlocked_until"], 0)
        assert_raises_rpc_error(-15, None, w.encryptwallet, "again")

        self.log("locked: spending and private listdescriptors refuse with -13")
        target = w.getnewaddress()  # public derivation still works when locked
        assert_raises_rpc_error(-13, LOCKED, w.sendtoaddress, target, 1)
        assert_raises_rpc_error(-13, None, w.listdescriptors, True)
        assert_raises_rpc_error(-14, WRONG, w.walletpassphrase, "wrong", 10)

        self.log("unlocked for 3 s: spending works, then the wallet relocks by itself")
        w.walletpassphrase("first passphrase", 3)
        assert w.getwalletinfo()["unlocked_until"] > time.time() - 5
        txid = w.sendtoaddress(target, Decimal("0.1"))
        assert_equal(len(txid), 64)
        self.wait_until(lambda: w.getwalletinfo()["unlocked_until"] == 0, timeout=15,
                        what="the timeout relocks the wallet")
        assert_raises_rpc_error(-13, LOCKED, w.sendtoaddress, target, 1)

        self.log("walletlock locks at once")
        w.walletpassphrase("first passphrase", 600)
        w.walletlock()
        assert_raises_rpc_error(-13, LOCKED, w.sendtoaddress, target, 1)

        self.log("walletpassphrasechange: the old passphrase stops working")
        assert_raises_rpc_error(-14, WRONG, w.walletpassphrasechange, "wrong", "x")
        w.walletpassphrasechange("first passphrase", "second passphrase")
        assert_raises_rpc_error(-14, WRONG, w.walletpassphrase, "first passphrase", 10)
        w.walletpassphrase("second passphrase", 10)
        w.sendtoaddress(target, Decimal("0.1"))
        w.walletlock()

        self.log("after a restart: still encrypted, opens with the new passphrase")
        balance = w.getbalance()
        assert_equal(node.stop(), 0)
        node.start_and_wait(WALLET_ARGS)
        node.loadwallet("w")
        w = node.wallet("w")
        assert_equal(w.getbalance(), balance)
        assert_raises_rpc_error(-13, LOCKED, w.sendtoaddress, target, 1)
        assert_raises_rpc_error(-14, WRONG, w.walletpassphrase, "first passphrase", 10)
        w.walletpassphrase("second passphrase", 10)
        assert len(w.listdescriptors(True)["descriptors"]) >= 1
        for xprv in xprvs:
            assert xprv.encode() not in wallet_files_bytes(wallet_dir)

        self.log("a wallet encrypted at creation")
        node.createwallet("born_encrypted", False, False, "p")
        e = node.wallet("born_encrypted")
        assert_raises_rpc_error(-13, LOCKED, e.sendtoaddress, target, 1)
        unencrypted = node.createwallet("plain")
        assert_equal(unencrypted["name"], "plain")
        assert_raises_rpc_error(-15, None, node.wallet("plain").walletpassphrase, "x", 1)
        assert_equal(node.stop(), 0)


if __name__ == "__main__":
    WalletEncryptionTest().main()
