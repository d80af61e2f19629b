#!/usr/bin/env python3
"""kill -9 during encryptwallet and walletpassphrasechange never loses the wallet.

A wallet with a few hundred keys and transactions is saved as two templates, plain and
encrypted with an old passphrase. Each round installs a template, starts the call on its
own connection, kills the node after a seeded random delay (from 0 to twice the call's
measured duration; the last round of each kind waits for the call to return), restarts it
and loads the wallet. The wallet must open and be either

- unencrypted (no unlocked_until, walletpassphrase refused with -15), or
- encrypted, locked (unlocked_until 0, sends refused with -13), and unlocked by exactly
  one passphrase: the new one if the call had returned, otherwise the old or the new one
  (never neither, never both);

and in every case hold all its data (balance, transaction count, sampled addresses) and
the same private descriptors as before, and sign a send the mempool would accept. Some
passphrase changes run while the wallet is unlocked, some race a sendtoaddress whose
transaction, if the node returned its id, must still be known after the restart.

wallet_crash.py covers kills during plain sends; this test does not repeat it. A kill
between encryptwallet's commit and the compaction that follows it can leave the erased
clear-text keys in LevelDB's files (as Core's rewrite after encryption can be cut short);
that is not checked here.
"""

import os
import random
import shutil
import threading
import time
from decimal import Decimal

from test_framework.rpc import JSONRPCException
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_raises_rpc_error
from test_framework.wallet_util import WALLET_ARGS

# A small keypool keeps loadwallet quick (it derives the pool's keys); no mempool file, so
# every start begins with an empty mempool and a template's balance is the same each round.
ARGS = WALLET_ARGS + ["-keypool=20", "-persistmempool=0"]
ENCRYPT_ROUNDS = 30
CHANGE_ROUNDS = 14  # half while unlocked; some of those race a send
RACE_EVERY = 3
OLD = "old passphrase"
WRONG = "The wallet passphrase entered was incorrect"
LOCKED = "Please enter the wallet passphrase with walletpassphrase first"


class Call:
    """An RPC run on its own thread and connection; records its result or failure."""

    def __init__(self, client, method, *args):
        self.result = None
        self.returned = False
        self.error = None
        self.thread = threading.Thread(target=self.run, args=(client, method, args))
        self.thread.start()

    def run(self, client, method, args):
        try:
            self.result = client.call(method, *args)
            self.returned = True
        except JSONRPCException as e:
            self.error = e  # a refusal is a bug, not the kill
        except (OSError, ConnectionError, ValueError):
            pass  # the node died mid-call: no answer was given

    def join(self):
        self.thread.join(timeout=60)
        assert not self.thread.is_alive()
        assert self.error is None, self.error


class WalletEncryptKill9Test(MinibitTestFramework):
    def run_test(self):
        self.rng = random.Random(20261122)
        node = self.node = self.add_node()
        node.start_and_wait(ARGS)
        self.wallet_dir = os.path.join(node.chain_datadir, "wallets", "w")
        self.make_templates()

        outcomes = {"plain": 0, "encrypted": 0}
        self.log(f"{ENCRYPT_ROUNDS} kills during encryptwallet (about {self.encrypt_s:.2f} s)")
        for round_no in range(ENCRYPT_ROUNDS):
            last = round_no == ENCRYPT_ROUNDS - 1
            new = f"new passphrase {round_no}"
            self.install(self.plain_template)
            call = self.kill_during(last, self.encrypt_s, "encryptwallet", new)
            w = self.restart_and_load()
            if "unlocked_until" not in w.getwalletinfo():
                assert not call.returned, "encryptwallet returned but the wallet is plain"
                outcomes["plain"] += 1
                assert_raises_rpc_error(-15, None, w.walletpassphrase, new, 10)
                self.check_data(w)
            else:
                outcomes["encrypted"] += 1
                self.expect_only_passphrase(w, new, [OLD])
                self.check_data(w)
        self.log(f"  outcomes: {outcomes}")
        # The last round waited for the call to return: at least that one is encrypted.
        assert outcomes["encrypted"] >= 1

        outcomes = {"old": 0, "new": 0}
        self.log(f"{CHANGE_ROUNDS} kills during walletpassphrasechange "
                 f"(about {self.change_s:.2f} s)")
        for round_no in range(CHANGE_ROUNDS):
            last = round_no == CHANGE_ROUNDS - 1
            unlocked = round_no % 2 == 1
            race = unlocked and round_no % RACE_EVERY == 0
            new = f"changed passphrase {round_no}"
            w = self.install(self.encrypted_template)
            if unlocked:
                w.walletpassphrase(OLD, 600)
            send = None
            if race:
                client = self.node.rpc_client(path="/wallet/w")
                send = Call(client, "sendtoaddress", self.addresses[round_no], Decimal("0.5"))
            call = self.kill_during(last, self.change_s, "walletpassphrasechange", OLD, new)
            if send:
                send.join()
                self.log(f"  round {round_no}: the racing send "
                         f"{'returned' if send.returned else 'was cut off'}, the change "
                         f"{'returned' if call.returned else 'was cut off'}")
            w = self.restart_and_load()
            assert "unlocked_until" in w.getwalletinfo(), "the wallet lost its encryption"
            if call.returned:
                self.expect_only_passphrase(w, new, [OLD])
                opened = new
            else:
                opened = self.expect_one_of(w, OLD, new)
            outcomes["new" if opened == new else "old"] += 1
            self.check_data(w, raced=send)
            if race:
                # The raced send may sit in the mempool now; the next round starts without it.
                self.node.kill()
                self.restart_and_load()
        self.log(f"  outcomes: {outcomes}")
        assert outcomes["new"] >= 1

        self.log("after all the kills a real send confirms")
        w = self.node.wallet("w")
        txid = w.sendtoaddress(self.addresses[0], Decimal("1"))
        self.node.generatetoaddress(1, self.addresses[1])
        assert_equal(w.gettransaction(txid)["confirmations"], 1)
        assert_equal(self.node.stop(), 0)

    # ---- set-up ------------------------------------------------------------------------------

    def make_templates(self):
        node = self.node
        self.log("a wallet with 300 addresses and 200 transactions")
        node.createwallet("w")
        w = node.wallet("w")
        self.addresses = [w.getnewaddress()]
        node.generatetoaddress(101, self.addresses[0])
        for _ in range(100):
            self.addresses.append(w.getnewaddress())
            node.generatetoaddress(1, self.addresses[-1])
        for _ in range(2):
            outputs = {}
            for _ in range(100):
                self.addresses.append(w.getnewaddress())
                outputs[self.addresses[-1]] = Decimal("0.1")
            w.sendmany("", outputs)
            node.generatetoaddress(1, self.addresses[0])
        # gettxoutsetinfo flushes the chainstate: no kill can take these blocks away (blocks
        # not yet flushed are lost on kill -9, as in Core).
        node.gettxoutsetinfo()
        self.ref_tip = node.getbestblockhash()
        self.ref_balance = w.getbalance()
        self.ref_txcount = w.getwalletinfo()["txcount"]
        assert self.ref_txcount >= 200, self.ref_txcount
        self.ref_descriptors = self.private_descriptors(w)
        assert any("tprv" in d for d in self.ref_descriptors)
        self.sample = [self.addresses[0], self.addresses[-1]] + self.rng.sample(self.addresses, 20)

        node.unloadwallet("w")
        self.plain_template = os.path.join(self.tmpdir, "template_plain")
        shutil.copytree(self.wallet_dir, self.plain_template)

        # The calls' durations set the range of the kill delays.
        node.loadwallet("w")
        started = time.monotonic()
        w.encryptwallet(OLD)
        self.encrypt_s = time.monotonic() - started
        node.unloadwallet("w")
        self.encrypted_template = os.path.join(self.tmpdir, "template_encrypted")
        shutil.copytree(self.wallet_dir, self.encrypted_template)
        node.loadwallet("w")
        started = time.monotonic()
        w.walletpassphrasechange(OLD, "timing only")
        self.change_s = time.monotonic() - started

    @staticmethod
    def private_descriptors(w):
        return sorted(d["desc"] for d in w.listdescriptors(True)["descriptors"])

    # ---- one round ---------------------------------------------------------------------------

    def install(self, template):
        """Replaces the wallet's files by the template's and loads it."""
        if "w" in self.node.listwallets():
            self.node.unloadwallet("w")
        shutil.rmtree(self.wallet_dir)
        shutil.copytree(template, self.wallet_dir)
        self.node.loadwallet("w")
        return self.node.wallet("w")

    def kill_during(self, wait_for_return, duration, method, *args):
        """Starts the call, kills the node after a random delay (or once the call returned)."""
        call = Call(self.node.rpc_client(path="/wallet/w"), method, *args)
        if wait_for_return:
            call.thread.join(timeout=60)
        else:
            time.sleep(self.rng.uniform(0, 2 * duration))
        self.node.kill()
        call.join()
        if wait_for_return:
            assert call.returned
        return call

    def restart_and_load(self):
        # A killed node leaves its cookie behind; waiting for RPC must not read the stale one
        # before the new process writes its own.
        if os.path.exists(self.node.cookie_path):
            os.remove(self.node.cookie_path)
        self.node.start_and_wait(ARGS)
        assert_equal(self.node.getbestblockhash(), self.ref_tip)
        self.node.loadwallet("w")
        return self.node.wallet("w")

    # ---- checks ------------------------------------------------------------------------------

    def expect_locked(self, w):
        assert_equal(w.getwalletinfo()["unlocked_until"], 0)
        assert_raises_rpc_error(-13, LOCKED, w.sendtoaddress, self.addresses[0], 1)

    @staticmethod
    def unlock(w, passphrase):
        """walletpassphrase; True if it opened the wallet, False on -14 (wrong passphrase)."""
        try:
            w.walletpassphrase(passphrase, 600)
        except JSONRPCException as e:
            if e.code != -14 or WRONG not in e.message:
                raise
            return False
        return True

    def expect_only_passphrase(self, w, good, bad):
        """Locked; each bad passphrase is refused and leaves it locked; good unlocks it."""
        self.expect_locked(w)
        for passphrase in bad:
            assert not self.unlock(w, passphrase), f"{passphrase!r} still opens the wallet"
        assert_equal(w.getwalletinfo()["unlocked_until"], 0)
        assert self.unlock(w, good), f"{good!r} does not open the wallet"
        assert w.getwalletinfo()["unlocked_until"] > 0

    def expect_one_of(self, w, old, new):
        """Locked, and exactly one of the two passphrases unlocks it; returns that one."""
        self.expect_locked(w)
        if self.unlock(w, old):
            assert w.getwalletinfo()["unlocked_until"] > 0
            assert not self.unlock(w, new), "the wallet opens with both passphrases"
            return old
        assert_equal(w.getwalletinfo()["unlocked_until"], 0)
        if not self.unlock(w, new):
            raise TestFailure("the wallet opens with neither the old nor the new passphrase")
        assert w.getwalletinfo()["unlocked_until"] > 0
        return new

    def check_data(self, w, raced=None):
        """All the wallet's data is there and its keys sign (an encrypted one is unlocked)."""
        assert_equal(self.private_descriptors(w), self.ref_descriptors)
        for address in self.sample:
            assert w.getaddressinfo(address)["ismine"], f"address {address} lost"
        if raced is None:
            assert_equal(w.getbalance(), self.ref_balance)
            assert_equal(w.getwalletinfo()["txcount"], self.ref_txcount)
        else:
            count = w.getwalletinfo()["txcount"]
            assert count in (self.ref_txcount, self.ref_txcount + 1), count
            if raced.returned:
                assert_equal(w.gettransaction(raced.result)["txid"], raced.result)
        # A send signs and would be accepted; it is not broadcast, so rounds stay alike.
        built = w.send(outputs={self.addresses[1]: Decimal("0.25")},
                       options={"add_to_wallet": False})
        assert built["complete"], built
        accepted = self.node.testmempoolaccept([built["hex"]])[0]
        assert accepted["allowed"], accepted


if __name__ == "__main__":
    WalletEncryptKill9Test().main()
