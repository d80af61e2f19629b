#!/usr/bin/env python3
"""Adversarial loose transactions sent by a raw P2P peer with `tx`, each judged as Bitcoin Core
v28 judges it: the reject reason (testmempoolaccept on the same bytes and the node's
"was not accepted" line in debug.log), whether the sender is punished (consensus failures:
Misbehaving, and a loopback peer is disconnected but not discouraged; policy failures: the
connection stays), and that nothing moved: the mempool, the tip and the UTXO digest
(gettxoutsetinfo hash_serialized_3) are unchanged and a fresh peer is still served.

- value overflow: an output of MAX_MONEY + 1 (bad-txns-vout-toolarge), two outputs summing past
  MAX_MONEY (bad-txns-txouttotal-toolarge), a negative output (bad-txns-vout-negative);
- the same input twice (bad-txns-inputs-duplicate);
- OP_CAT in a witness script, executed and in an unexecuted OP_IF branch (disabled opcodes fail
  wherever they stand); the same script with OP_DUP in the unexecuted branch is accepted;
- a spend of a coinbase 99 blocks deep (bad-txns-premature-spend-of-coinbase, not punished);
- a transaction of 64 non-witness bytes (tx-size-small, policy, not punished); the same spend
  at 65 bytes is accepted;
- the witness-stripped copy of a transaction and junk-witness copies sent first (stripped and an
  81-byte item: policy, not punished; an extra stack item, which breaks the clean stack a witness
  script needs, and a witness script of the wrong hash: consensus, punished): each rejected, and
  the real transaction (same txid, other wtxid) is still accepted from another peer and relayed;
- a spend of an unknown output: not rejected but kept as an orphan, its parent requested from
  the sender; once the parent arrives both enter the mempool."""

import random

from test_framework.messages import (COIN, OP_TRUE_P2WSH_SPK, OP_TRUE_SCRIPT, Tx, hex_to_hash,
                                     p2wsh_script)
from test_framework.p2p import MSG_WITNESS_TX, MSG_WTX, parse_inv
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_in, assert_not_in
from test_framework.wallet import OpTrueWallet, Utxo

MAX_MONEY = 21_000_000 * COIN
OP_0, OP_1, OP_IF, OP_ENDIF, OP_DUP, OP_CAT, OP_RETURN = 0x00, 0x51, 0x63, 0x68, 0x76, 0x7E, 0x6A
# OP_CAT (disabled since 2010) executed: fails before it runs.
CAT_EXECUTED = bytes([OP_1, OP_DUP, OP_CAT])
# OP_CAT in a branch that never runs: Core rejects disabled opcodes even there.
CAT_UNEXECUTED = bytes([OP_0, OP_IF, OP_CAT, OP_ENDIF, OP_1])
# The control: the same shape with an enabled opcode in the dead branch is valid.
DUP_UNEXECUTED = bytes([OP_0, OP_IF, OP_DUP, OP_ENDIF, OP_1])
DISABLED = "mandatory-script-verify-flag-failed (Attempted to use a disabled opcode)"


class AdversarialTxsTest(MinibitTestFramework):
    def run_test(self):
        self.node = self.add_node()
        self.node.start_and_wait(["-debug=net", "-debug=mempool", "-debug=mempoolrej"])
        self.wallet = OpTrueWallet(self.node)
        # 101 mature coinbases' worth plus young ones for the premature spend.
        self.wallet.generate(130)
        # An observer that sees what the node relays (a wtxid-relay peer).
        self.observer = self.node.add_p2p_connection()

        self.test_value_overflow()
        self.test_duplicate_inputs()
        self.test_disabled_opcodes()
        self.test_immature_coinbase()
        self.test_64_byte_tx()
        self.test_witness_malleation()
        self.test_orphan()

    # ---- helpers ---------------------------------------------------------------------------

    def snapshot(self):
        """What a rejected transaction must leave untouched."""
        return (sorted(self.node.getrawmempool()), self.node.getbestblockhash(),
                self.node.gettxoutsetinfo()["hash_serialized_3"])

    def assert_still_serving(self):
        peer = self.node.add_p2p_connection()
        peer.sync_with_ping()
        assert peer.is_connected
        peer.close()
        self.node.getblockcount()

    def send_rejected(self, tx, reason, punished):
        """Sends tx from a fresh peer and checks Core's verdict on it and that nothing moved."""
        before = self.snapshot()
        raw = tx.serialize()
        result = self.node.testmempoolaccept([raw.hex()], 0)[0]
        assert_equal(result["allowed"], False, f"(expected {reason})")
        assert_equal(result["reject-reason"], reason)
        assert_equal(result["wtxid"], tx.wtxid_hex())

        peer = self.node.add_p2p_connection()
        mark = self.node.log_mark()
        peer.send_message("tx", raw)
        line = f"{tx.txid_hex()} (wtxid={tx.wtxid_hex()}) from peer="
        self.wait_until(lambda: line in self.node.log_since(mark), timeout=30,
                        what="the node's verdict on the transaction")
        verdicts = [l for l in self.node.log_since(mark).splitlines() if line in l]
        if not any(f"was not accepted: {reason}" in l for l in verdicts):
            raise TestFailure(f"log lines {verdicts!r} do not give the reason {reason!r}")
        if punished:
            peer.wait_for_disconnect(timeout=10)
            self.wait_until(lambda: "Misbehaving" in self.node.log_since(mark), timeout=10,
                            what="a Misbehaving line")
            self.wait_until(lambda: "disconnecting but not discouraging local peer"
                            in self.node.log_since(mark), timeout=10,
                            what="Core's line for a punished local peer")
            peer.close()
        else:
            peer.sync_with_ping()
            assert peer.is_connected, "a policy rejection must not cost the connection"
            assert_not_in("Misbehaving", self.node.log_since(mark))
            peer.close()
        assert_equal(self.snapshot(), before, "(mempool, tip, UTXO digest)")
        assert_not_in(tx.txid_hex(), self.node.getrawmempool())
        self.assert_still_serving()

    def spend(self, utxo, outputs, witness=(OP_TRUE_SCRIPT,)):
        """A transaction spending one OP_TRUE-style coin (witness given) into outputs."""
        return Tx([(hex_to_hash(utxo.txid), utxo.vout, list(witness))], outputs)

    def wait_for_relay(self, wtxid_hex):
        """The observer is sent an inv of this wtxid (inbound trickle: 5 s on average)."""
        wtxid = hex_to_hash(wtxid_hex)
        self.observer.wait_for_message(
            "inv", timeout=90,
            predicate=lambda m: (MSG_WTX, wtxid) in parse_inv(m.payload))

    # ---- cases -----------------------------------------------------------------------------

    def test_value_overflow(self):
        coin = self.wallet.get_utxo()
        self.log("an output of MAX_MONEY + 1: bad-txns-vout-toolarge, punished")
        self.send_rejected(self.spend(coin, [(MAX_MONEY + 1, OP_TRUE_P2WSH_SPK)]),
                           "bad-txns-vout-toolarge", punished=True)
        self.log("two outputs of MAX_MONEY: bad-txns-txouttotal-toolarge, punished")
        self.send_rejected(self.spend(coin, [(MAX_MONEY, OP_TRUE_P2WSH_SPK)] * 2),
                           "bad-txns-txouttotal-toolarge", punished=True)
        self.log("a negative output: bad-txns-vout-negative, punished")
        self.send_rejected(self.spend(coin, [(-1, OP_TRUE_P2WSH_SPK),
                                             (coin.value - 1000, OP_TRUE_P2WSH_SPK)]),
                           "bad-txns-vout-negative", punished=True)
        self.log("  the coin is still unspent: a valid spend of it is accepted")
        good = self.wallet.create(utxos=coin)
        assert_equal(self.node.testmempoolaccept([good.hex])[0]["allowed"], True)
        self.wallet.utxos.append(coin)

    def test_duplicate_inputs(self):
        self.log("the same input twice: bad-txns-inputs-duplicate, punished")
        coin = self.wallet.get_utxo()
        outpoint = (hex_to_hash(coin.txid), coin.vout, [OP_TRUE_SCRIPT])
        tx = Tx([outpoint, outpoint], [(2 * coin.value - 10_000, OP_TRUE_P2WSH_SPK)])
        self.send_rejected(tx, "bad-txns-inputs-duplicate", punished=True)
        self.wallet.utxos.append(coin)

    def test_disabled_opcodes(self):
        self.log("OP_CAT executed and unexecuted: disabled opcode, punished")
        value = 10 * COIN
        scripts = [CAT_EXECUTED, CAT_UNEXECUTED, DUP_UNEXECUTED]
        funding = self.wallet.send(self.wallet.create(
            extra_outputs=[(value, p2wsh_script(s)) for s in scripts]))
        self.wallet.generate(1)
        assert_equal(self.node.getrawmempool(), [])
        # Output 0 is the change; the scripted outputs follow it.
        coins = [Utxo(funding.txid, n + 1, value) for n in range(len(scripts))]
        spends = [self.spend(c, [(value - 10_000, OP_TRUE_P2WSH_SPK)], witness=[s])
                  for c, s in zip(coins, scripts)]
        self.send_rejected(spends[0], DISABLED, punished=True)
        self.send_rejected(spends[1], DISABLED, punished=True)
        self.log("  the same script with OP_DUP in the dead branch is accepted")
        peer = self.node.add_p2p_connection()
        peer.send_tx(spends[2])
        peer.sync_with_ping()
        self.wait_until(lambda: spends[2].txid_hex() in self.node.getrawmempool(), timeout=10,
                        what="the control spend in the mempool")
        assert peer.is_connected
        peer.close()

    def test_immature_coinbase(self):
        self.log("a coinbase spent 99 blocks deep: premature spend, not punished")
        # The newest coinbase has one confirmation; mine 98 more so it is one short.
        young = self.wallet.get_utxo(mature=False)
        self.wallet.generate(98)
        assert_equal(self.node.getblockcount() - young.coinbase_height + 1, 99)
        tx = self.spend(young, [(young.value - 10_000, OP_TRUE_P2WSH_SPK)])
        self.send_rejected(tx, "bad-txns-premature-spend-of-coinbase", punished=False)
        self.log("  one block later the same bytes are accepted")
        self.node.generatetoaddress(1, "bcrt1qjqmxmkpmxt80xz4y3746zgt0q3u3ferr34acd5")
        assert_equal(self.node.testmempoolaccept([tx.serialize().hex()])[0]["allowed"], True)

    def test_64_byte_tx(self):
        self.log("64 non-witness bytes: tx-size-small, policy, not punished")
        coin = self.wallet.get_utxo()
        # Output value to the OP_RETURN output (unspendable, so never dust) keeps the fee low.
        small = self.spend(coin, [(coin.value - 10_000, bytes([OP_RETURN, 2, 0xAB, 0xCD]))])
        assert_equal(len(small.serialize(with_witness=False)), 64)
        self.send_rejected(small, "tx-size-small", punished=False)
        self.log("  the same spend at 65 bytes is accepted")
        ok = self.spend(coin, [(coin.value - 10_000, bytes([OP_RETURN, 3, 0xAB, 0xCD, 0xEF]))])
        assert_equal(len(ok.serialize(with_witness=False)), 65)
        peer = self.node.add_p2p_connection()
        peer.send_tx(ok)
        peer.sync_with_ping()
        self.wait_until(lambda: ok.txid_hex() in self.node.getrawmempool(), timeout=10,
                        what="the 65-byte spend in the mempool")
        peer.close()

    def test_witness_malleation(self):
        self.log("witness stripped / junk witness first, then the real transaction")
        real = self.wallet.create()
        txid, vout, _ = real.tx.inputs[0]

        def with_witness(witness):
            return Tx([(txid, vout, witness)], real.tx.outputs, locktime=real.tx.locktime,
                      version=real.tx.version, sequences=real.tx.sequences)

        stripped = with_witness([])
        extra_item = with_witness([b"\x01", OP_TRUE_SCRIPT])
        wrong_script = with_witness([b"\x52"])
        # Core's standard P2WSH items are at most 80 bytes (checked before any script runs).
        oversized_item = with_witness([b"\x01" * 81, OP_TRUE_SCRIPT])
        for copy in (stripped, extra_item, wrong_script, oversized_item):
            assert_equal(copy.txid_hex(), real.txid)
            assert copy.wtxid_hex() != real.wtxid

        self.log("  stripped: Core's WITNESS_STRIPPED, not punished")
        self.send_rejected(stripped, "mandatory-script-verify-flag-failed (Witness program was "
                           "passed an empty witness)", punished=False)
        self.log("  an 81-byte junk item: bad-witness-nonstandard (policy), not punished")
        self.send_rejected(oversized_item, "bad-witness-nonstandard", punished=False)
        self.log("  an extra witness item: witness scripts keep a clean stack by consensus")
        self.send_rejected(extra_item, "mandatory-script-verify-flag-failed (Stack size must be "
                           "exactly one after execution)", punished=True)
        self.log("  a witness script of the wrong hash: consensus, punished")
        self.send_rejected(wrong_script, "mandatory-script-verify-flag-failed (Witness program "
                           "hash mismatch)", punished=True)

        self.log("  the real transaction from another peer is accepted and relayed")
        honest = self.node.add_p2p_connection()
        honest.send_message("tx", real.tx.serialize())
        honest.sync_with_ping()
        self.wait_until(lambda: real.txid in self.node.getrawmempool(), timeout=10,
                        what="the real transaction in the mempool")
        assert_equal(self.node.getmempoolentry(real.txid)["wtxid"], real.wtxid)
        assert honest.is_connected
        self.wait_for_relay(real.wtxid)
        honest.close()

    def test_orphan(self):
        self.log("a spend of an unknown output: kept as an orphan, the parent requested")
        parent = self.wallet.create()
        child = self.wallet.create(utxos=parent.utxos[0])
        result = self.node.testmempoolaccept([child.hex])[0]
        assert_equal(result["reject-reason"], "missing-inputs")
        before = self.snapshot()
        peer = self.node.add_p2p_connection()
        mark = self.node.log_mark()
        peer.send_message("tx", child.tx.serialize())
        # Core asks the sender for the missing parent by txid (witness form).
        peer.wait_for_message(
            "getdata", timeout=60,
            predicate=lambda m: (MSG_WITNESS_TX, hex_to_hash(parent.txid)) in
            parse_inv(m.payload))
        assert_in(f"stored orphan tx {child.txid}", self.node.log_since(mark))
        assert_not_in("was not accepted", self.node.log_since(mark))
        assert_not_in("Misbehaving", self.node.log_since(mark))
        assert peer.is_connected
        assert_equal(self.snapshot(), before)

        self.log("  the parent arrives: both enter the mempool")
        peer.send_tx(parent.tx)
        peer.sync_with_ping()
        self.wait_until(lambda: {parent.txid, child.txid} <= set(self.node.getrawmempool()),
                        timeout=10, what="parent and child in the mempool")
        assert peer.is_connected

        self.log("  a spend of an output that never existed stays an orphan, unpunished")
        coin = Utxo(random.randbytes(32).hex(), 0, 10 * COIN)
        ghost = self.spend(coin, [(coin.value - 10_000, OP_TRUE_P2WSH_SPK)])
        before = self.snapshot()
        mark = self.node.log_mark()
        peer.send_tx(ghost)
        peer.sync_with_ping()
        self.wait_until(lambda: f"stored orphan tx {ghost.txid_hex()}" in self.node.log_since(mark),
                        timeout=10, what="the orphan to be stored")
        assert_equal(self.snapshot(), before)
        assert peer.is_connected
        self.assert_still_serving()


if __name__ == "__main__":
    AdversarialTxsTest().main()
