#!/usr/bin/env python3
"""Invalid blocks from a raw P2P peer, each answered as Bitcoin Core answers it.

Every bad block goes out in a `block` message (after its `headers` where caching is the
point) and the test checks, for each case:

- the reject reason in debug.log (-debug=net -debug=validation); submitblock of the same
  bytes then answers the same reason when Core does not cache the failure (CheckBlock,
  header and mutation failures), or "duplicate-invalid" when it does (ContextualCheckBlock
  and ConnectBlock failures, listed as "invalid" by getchaintips);
- that the sender is punished (Misbehaving, disconnected; being local it is not
  discouraged) exactly when Core's MaybePunishNodeForBlock punishes that result: every case
  but a timestamp too far in the future;
- that the tip and the UTXO digest (hash_serialized_3) are unchanged;
- that a fresh honest peer still completes a handshake; after a sample of cases, and at the
  end, a valid block it sends becomes the tip. Those valid blocks also hold the accepted
  side of the boundaries: 20,000 legacy sigops, 80,000 sigop cost with witness sigops, a
  100-byte coinbase scriptSig, a coinbase spent at exactly 100 confirmations, the
  disabled-opcode script with a harmless opcode instead, a coinbase claiming exactly
  subsidy + fees, a block of exactly 4,000,000 weight units.

Cases: outputs of MAX_MONEY+1, summing past MAX_MONEY, negative; OP_CAT (and OP_2MUL,
OP_LSHIFT) in an executed and in an unexecuted branch; 20,001 legacy sigops; 80,001 sigop
cost; BIP30; coinbase without or with a wrong BIP34 height, with a 1- and a 101-byte
scriptSig; one input twice in a transaction; the CVE-2018-17144 double spend across blocks;
two coinbases; no coinbase; a coinbase claiming one satoshi too much; an immature coinbase
spend; weight 4,000,001; time too new (not punished, not cached: the same bytes are accepted
once the clock has moved on); time equal to the median time past; wrong nBits; hash above
the target; a transaction list not matching the merkle root; witness data without a
commitment, a wrong commitment, a 33-byte and a two-item reserved value; a valid block first
relayed with a junk and with a stripped witness; CVE-2012-2459 with the last two
transactions repeated. The mutated copies never mark the block invalid: the real block sent
afterwards becomes the tip.

Script failures carry Core v30's "block-script-verify-flag-failed (...)" (Core v28 said
"block-validation-failed" with parallel script checks, "mandatory-script-verify-flag-failed
(...)" with -par=1); minibit uses the v30 string whatever -par is."""

import re
import time

from test_framework.messages import (COIN, OP_TRUE_P2WSH_SPK, OP_TRUE_SCRIPT, REGTEST_BITS,
                                     WITNESS_COMMITMENT_HEADER, Block, Tx,
                                     add_witness_commitment, block_subsidy, create_coinbase,
                                     hex_to_hash, p2wsh_script, script_num_push)
from test_framework.rpc import JSONRPCException
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import TestFailure, assert_equal, assert_in, assert_raises_rpc_error
from test_framework.wallet import OpTrueWallet, Utxo

MAX_MONEY = 21_000_000 * COIN
MAX_BLOCK_WEIGHT = 4_000_000
MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60

# Opcodes used in scripts below.
OP_0, OP_1, OP_IF, OP_ENDIF = 0x00, 0x51, 0x63, 0x68
OP_DROP, OP_DUP, OP_CAT, OP_2MUL, OP_LSHIFT = 0x75, 0x76, 0x7E, 0x8D, 0x98
OP_CHECKSIG, OP_CHECKMULTISIG = 0xAC, 0xAE
DISABLED_OPCODE = "block-script-verify-flag-failed (Attempted to use a disabled opcode)"


def bits_to_target(bits):
    """The target a compact nBits encodes (positive mantissa only)."""
    exponent, mantissa = bits >> 24, bits & 0x7FFFFF
    if exponent <= 3:
        return mantissa >> (8 * (3 - exponent))
    return mantissa << (8 * (exponent - 3))


def grind(block, below_target=True, target=None):
    """Sets block.nonce so that its hash meets (or, with below_target=False, misses) target
    (default: the target of block.bits); returns the block."""
    target = bits_to_target(block.bits) if target is None else target
    for nonce in range(1 << 24):
        block.nonce = nonce
        meets = int.from_bytes(block.hash(), "little") <= target
        if meets == below_target:
            return block
    raise TestFailure("no nonce found")


def block_weight(block):
    """BIP141 weight: three times the stripped size plus the full size."""
    return 3 * len(block.serialize(with_witness=False)) + len(block.serialize())


def legacy_sigops_script(count):
    """An output script with `count` legacy sigops: a bare OP_CHECKMULTISIG counts 20
    (Core's inaccurate count), an OP_CHECKSIG 1."""
    return bytes([OP_CHECKMULTISIG]) * (count // 20) + bytes([OP_CHECKSIG]) * (count % 20)


class AdversarialBlocksTest(MinibitTestFramework):
    """One node; each case on a fresh raw connection (see the module docstring)."""

    # Coinbases mined at start; those more than 100 deep are the spendable coins.
    INITIAL_BLOCKS = 140

    def setup_node(self, extra_args=()):
        self.node = self.add_node()
        self.node.start_and_wait(["-debug=net", "-debug=validation"] + list(extra_args))
        self.wallet = OpTrueWallet(self.node)
        self.wallet.generate(self.INITIAL_BLOCKS)
        self.cases = 0

    # ---- chain and coins -------------------------------------------------------------------

    def tip_header(self):
        return self.node.getblockheader(self.node.getbestblockhash())

    def next_height(self):
        return self.node.getblockcount() + 1

    def next_time(self):
        """A valid time for the next block: now, but past the median time past."""
        return max(int(time.time()), self.tip_header()["mediantime"] + 1)

    def coin(self):
        """A mature OP_TRUE P2WSH coin not used before by this test."""
        return self.wallet.get_utxo()

    def coinbase_coin(self, height):
        """The OP_TRUE P2WSH output of the coinbase at height (read over RPC)."""
        block = self.node.getblock(self.node.getblockhash(height), 2)
        coinbase = block["tx"][0]
        out = coinbase["vout"][0]
        assert_equal(out["scriptPubKey"]["hex"], OP_TRUE_P2WSH_SPK.hex())
        self.wallet.utxos = [u for u in self.wallet.utxos if u.txid != coinbase["txid"]]
        return Utxo(coinbase["txid"], 0, int(out["value"] * COIN), height)

    @staticmethod
    def spend(coins, outputs):
        """A transaction spending OP_TRUE P2WSH coins (witness [OP_TRUE]) into outputs."""
        return Tx([(hex_to_hash(c.txid), c.vout, [OP_TRUE_SCRIPT]) for c in coins], outputs)

    def build(self, txs, coinbase=None, coinbase_value=None, block_time=None, no_coinbase=False,
              commit=None, bits=None, solve=True):
        """A block on the tip: coinbase (default: BIP34 height, the subsidy) then txs, with
        a witness commitment when commit (default: when a tx has witness data), solved."""
        height = self.next_height()
        txs = list(txs)
        if no_coinbase:
            all_txs = txs
        else:
            if coinbase is None:
                value = block_subsidy(height) if coinbase_value is None else coinbase_value
                coinbase = create_coinbase(height, value)
            if commit is None:
                commit = any(tx.has_witness() for tx in txs)
            if commit:
                add_witness_commitment(coinbase, txs)
            all_txs = [coinbase] + txs
        block = Block(hex_to_hash(self.node.getbestblockhash()), all_txs,
                      self.next_time() if block_time is None else block_time)
        if bits is not None:
            block.bits = bits
        return grind(block) if solve else block

    def utxo_hash(self):
        return self.node.gettxoutsetinfo()["hash_serialized_3"]

    def chain_tip_status(self, block_hash_hex):
        """getchaintips' status of the block, or None when it is not a tip there."""
        for tip in self.node.getchaintips():
            if tip["hash"] == block_hash_hex:
                return tip["status"]
        return None

    # ---- peers -------------------------------------------------------------------------------

    def peer_id(self, peer):
        """The node's id for our raw connection (matched by our local port)."""
        local = f"127.0.0.1:{peer.sock.getsockname()[1]}"
        ids = [p["id"] for p in self.node.getpeerinfo() if p["addr"] == local]
        assert_equal(len(ids), 1, f"peers at {local}")
        return ids[0]

    @staticmethod
    def misbehaving_lines(text, peer_id):
        pattern = re.compile(rf"Misbehaving: peer={peer_id}(?::|$)")
        return [line for line in text.splitlines() if pattern.search(line)]

    # ---- the checks ------------------------------------------------------------------------

    def assert_still_serving(self):
        """A fresh honest peer completes the handshake and its ping is answered."""
        peer = self.node.add_p2p_connection()
        peer.sync_with_ping()
        assert peer.is_connected
        peer.close()

    def check_rejected(self, name, block, reason, punished, cached, header_first=False,
                       payload=None, submit=True):
        """Sends block (or payload, other bytes claiming its hash) from a fresh raw peer and
        checks Core's reaction: reason logged, punishment, nothing changed, caching."""
        self.cases += 1
        self.log(f"case {self.cases}: {name}: {reason}, "
                 f"{'punished' if punished else 'not punished'}, "
                 f"{'cached invalid' if cached else 'not cached'}")
        tip, utxos = self.node.getbestblockhash(), self.utxo_hash()
        block_hash = block.hash_hex()
        # An earlier copy of the same block may have left its header (submitblock stores it).
        header_known = self.chain_tip_status(block_hash) == "headers-only"
        peer = self.node.add_p2p_connection()
        pid = self.peer_id(peer)
        mark = self.node.log_mark()
        if header_first:
            peer.send_headers([block.header()])
            peer.sync_with_ping()
            assert_equal(self.chain_tip_status(block_hash), "headers-only", "after the header")
        peer.send_message("block", payload if payload is not None else block.serialize())
        if punished:
            peer.wait_for_disconnect(timeout=20)
            # Core never discourages a local address; it only disconnects it.
            self.wait_until(lambda: f"disconnecting but not discouraging local peer {pid}!"
                            in self.node.log_since(mark), timeout=10,
                            what=f"peer {pid} punished")
            if not self.misbehaving_lines(self.node.log_since(mark), pid):
                raise TestFailure(f"no Misbehaving line for peer {pid}")
        else:
            peer.sync_with_ping()
            assert peer.is_connected, "the peer must not be disconnected"
        # The rejection is logged with its reason at the stage that refused it, as Core does:
        # a mutated block before validation, header and block rules, or connecting.
        expected = (f"Block mutated: {reason}", f"AcceptBlock FAILED ({reason}",
                    f"ConnectBlock {block_hash} failed, {reason}")
        self.wait_until(lambda: any(e in self.node.log_since(mark) for e in expected),
                        timeout=10, what=" or ".join(map(repr, expected)) + " in debug.log")
        if not punished and self.misbehaving_lines(self.node.log_since(mark), pid):
            raise TestFailure(f"peer {pid} was punished for {name}")
        peer.close()

        assert_equal(self.node.getbestblockhash(), tip, "tip after " + name)
        assert_equal(self.utxo_hash(), utxos, "UTXO digest after " + name)
        status = self.chain_tip_status(block_hash)
        if cached:
            assert_equal(status, "invalid", f"chain tip status of {name}")
        elif header_first or header_known:
            assert_equal(status, "headers-only", f"chain tip status of {name}")
        else:
            assert_equal(status, None, f"chain tip status of {name}")
            try:
                self.node.getblockheader(block_hash)
                raise TestFailure(f"the header of {name} was stored")
            except JSONRPCException as e:
                assert_equal(e.code, -5)
        if submit:
            # Core's submitblock: "duplicate-invalid" for a cached failure, else the block is
            # checked again and the same reason comes back.
            sent = payload if payload is not None else block.serialize()
            answer = self.node.submitblock(sent.hex())
            assert_equal(answer, "duplicate-invalid" if cached else reason,
                         "submitblock after " + name)
            assert_equal(self.node.getbestblockhash(), tip, "tip after submitblock")
            if not cached:
                assert self.chain_tip_status(block_hash) in (None, "headers-only"), \
                    "submitblock cached " + name
        self.assert_still_serving()

    def mine_honest_block(self, txs=(), block=None, **build_args):
        """A valid block (given, or built with txs) from a fresh honest peer becomes the tip;
        its peer stays connected."""
        if block is None:
            block = self.build(txs, **build_args)
        txs = block.txs[1:]
        peer = self.node.add_p2p_connection()
        peer.send_headers([block.header()])
        peer.send_block(block)
        peer.sync_with_ping()
        self.wait_until(lambda: self.node.getbestblockhash() == block.hash_hex(), timeout=20,
                        what="the honest block to become the tip")
        assert peer.is_connected
        for tx in txs:
            assert_in(tx.txid_hex(), self.node.getblock(block.hash_hex())["tx"])
        peer.close()
        return block

    def finish(self):
        """The node still takes a valid block and shuts down cleanly."""
        self.log(f"{self.cases} rejections checked; a last honest block")
        self.assert_still_serving()
        self.mine_honest_block([self.spend([self.coin()], [(COIN, OP_TRUE_P2WSH_SPK)])])
        assert_equal(self.node.stop(), 0)

    def run_test(self):
        self.setup_node()

        self.test_value_overflow()
        self.test_disabled_opcodes()
        self.mine_honest_block(self.control_opcode_spend())
        self.test_legacy_sigops()
        self.test_sigop_cost()
        self.mine_honest_block(self.sigop_boundary_txs())
        self.test_bip30()
        self.test_coinbase_height_and_length()
        self.test_duplicate_inputs()
        self.test_double_spend_across_blocks()
        self.test_coinbase_count()
        self.test_coinbase_amount()
        self.test_immature_spend()
        self.test_block_weight()
        self.test_header_rules()
        self.test_wrong_merkle_root()
        self.test_witness_commitment()
        self.test_duplicated_tail()
        # Last: it moves the node's clock.
        self.test_time_too_new()
        self.finish()

    # ---- value overflow ----------------------------------------------------------------------

    def test_value_overflow(self):
        for name, outputs, reason in (
                ("an output of MAX_MONEY+1", [(MAX_MONEY + 1, OP_TRUE_P2WSH_SPK)],
                 "bad-txns-vout-toolarge"),
                ("outputs summing to MAX_MONEY+1", [(MAX_MONEY, OP_TRUE_P2WSH_SPK),
                                                    (1, OP_TRUE_P2WSH_SPK)],
                 "bad-txns-txouttotal-toolarge"),
                ("a negative output", [(-1, OP_TRUE_P2WSH_SPK)], "bad-txns-vout-negative")):
            tx = self.spend([self.coin()], outputs)
            # CheckBlock: BLOCK_CONSENSUS, punished; never cached, even with its header known.
            self.check_rejected(name, self.build([tx]), reason, punished=True, cached=False,
                                header_first=True)

    # ---- disabled opcodes --------------------------------------------------------------------

    def p2wsh_pair(self, witness_script, extra_outputs=()):
        """A funding transaction paying P2WSH(witness_script) and the one spending it."""
        coin = self.coin()
        fund = self.spend([coin], [(coin.value - 1000, p2wsh_script(witness_script))] +
                          list(extra_outputs))
        spend = Tx([(fund.txid(), 0, [witness_script])],
                   [(coin.value - 2000, OP_TRUE_P2WSH_SPK)])
        return fund, spend

    def test_disabled_opcodes(self):
        for name, script in (
                ("OP_CAT in an executed branch", bytes([OP_1, OP_IF, OP_CAT, OP_ENDIF, OP_1])),
                ("OP_CAT in an unexecuted branch", bytes([OP_0, OP_IF, OP_CAT, OP_ENDIF, OP_1])),
                ("OP_2MUL in an unexecuted branch",
                 bytes([OP_0, OP_IF, OP_2MUL, OP_ENDIF, OP_1])),
                ("OP_LSHIFT in an unexecuted branch",
                 bytes([OP_0, OP_IF, OP_LSHIFT, OP_ENDIF, OP_1]))):
            fund, spend = self.p2wsh_pair(script)
            # ConnectBlock: BLOCK_CONSENSUS, punished, cached.
            self.check_rejected(name, self.build([fund, spend]), DISABLED_OPCODE,
                                punished=True, cached=True)

    def control_opcode_spend(self):
        """The unexecuted-branch script with OP_DUP in OP_CAT's place spends fine."""
        return list(self.p2wsh_pair(bytes([OP_0, OP_IF, OP_DUP, OP_ENDIF, OP_1])))

    # ---- sigops ------------------------------------------------------------------------------

    def test_legacy_sigops(self):
        coin = self.coin()
        tx = self.spend([coin], [(coin.value - 1000, legacy_sigops_script(20_001))])
        # CheckBlock counts 4 * 20,001 > 80,000: BLOCK_CONSENSUS, punished, not cached.
        self.check_rejected("20,001 legacy sigops", self.build([tx]), "bad-blk-sigops",
                            punished=True, cached=False, header_first=True)

    def witness_sigops_script(self, count):
        """Witness script with `count` OP_CHECKSIGs in a branch never taken: counted as
        witness sigops (one cost unit each) but never executed."""
        return bytes([OP_0, OP_IF]) + bytes([OP_CHECKSIG]) * count + bytes([OP_ENDIF, OP_1])

    def sigop_cost_txs(self, witness_sigops):
        # 19,999 legacy sigops cost 79,996; the witness sigops make up the rest.
        return list(self.p2wsh_pair(self.witness_sigops_script(witness_sigops),
                                    extra_outputs=[(0, legacy_sigops_script(19_999))]))

    def test_sigop_cost(self):
        # ConnectBlock: 79,996 + 5 = 80,001 > MAX_BLOCK_SIGOPS_COST: cached, punished.
        self.check_rejected("80,001 sigop cost (witness sigops)",
                            self.build(self.sigop_cost_txs(5)), "bad-blk-sigops",
                            punished=True, cached=True)

    def sigop_boundary_txs(self):
        """The accepted side of the cost limit: 79,996 + 4 witness sigops is exactly 80,000
        (the legacy limit's accepted side, 20,000, is mined in test_bip30's block)."""
        return self.sigop_cost_txs(4)

    # ---- BIP30 -------------------------------------------------------------------------------

    def test_bip30(self):
        coin = self.coin()
        original = self.spend([coin], [(coin.value - 1000, OP_TRUE_P2WSH_SPK)])
        # Also the 20,000 legacy sigops boundary: exactly 80,000 cost is accepted.
        coin2 = self.coin()
        legacy = self.spend([coin2], [(coin2.value - 1000, legacy_sigops_script(20_000))])
        self.mine_honest_block([original, legacy])
        # Re-including the confirmed transaction while its output is unspent: Core checks
        # BIP30 for the whole block before any input, so the spent input is not the reason.
        self.check_rejected("a confirmed transaction again (BIP30)", self.build([original]),
                            "bad-txns-BIP30", punished=True, cached=True)

    # ---- coinbase scriptSig ------------------------------------------------------------------

    def coinbase_with_script(self, script_sig):
        height = self.next_height()
        cb = create_coinbase(height, block_subsidy(height))
        cb.script_sigs = [script_sig]
        return cb

    def test_coinbase_height_and_length(self):
        height = self.next_height()
        push = script_num_push(height)
        # No BIP34 height (two zero bytes), and a wrong height: ContextualCheckBlock, cached.
        self.check_rejected("coinbase without a height",
                            self.build([], coinbase=self.coinbase_with_script(b"\x00\x00")),
                            "bad-cb-height", punished=True, cached=True)
        self.check_rejected("coinbase with height+1",
                            self.build([], coinbase=self.coinbase_with_script(
                                script_num_push(height + 1))),
                            "bad-cb-height", punished=True, cached=True)
        # Lengths outside 2..100: CheckTransaction in CheckBlock, not cached.
        self.check_rejected("1-byte coinbase scriptSig",
                            self.build([], coinbase=self.coinbase_with_script(b"\x51")),
                            "bad-cb-length", punished=True, cached=False, header_first=True)
        script_101 = push + b"\x00" * (101 - len(push))
        self.check_rejected("101-byte coinbase scriptSig",
                            self.build([], coinbase=self.coinbase_with_script(script_101)),
                            "bad-cb-length", punished=True, cached=False, header_first=True)
        script_100 = push + b"\x00" * (100 - len(push))
        self.mine_honest_block([], coinbase=self.coinbase_with_script(script_100))

    # ---- inputs ------------------------------------------------------------------------------

    def test_duplicate_inputs(self):
        coin = self.coin()
        tx = self.spend([coin, coin], [(2 * coin.value - 1000, OP_TRUE_P2WSH_SPK)])
        self.check_rejected("one input twice in a transaction", self.build([tx]),
                            "bad-txns-inputs-duplicate", punished=True, cached=False,
                            header_first=True)

    def test_double_spend_across_blocks(self):
        coin = self.coin()
        first = self.spend([coin], [(coin.value - 1000, OP_TRUE_P2WSH_SPK)])
        self.mine_honest_block([first])
        again = self.spend([coin], [(coin.value - 2000, OP_TRUE_P2WSH_SPK)])
        # CVE-2018-17144's inflation variant: the coin is gone after block N.
        self.check_rejected("a coin spent in the previous block", self.build([again]),
                            "bad-txns-inputs-missingorspent", punished=True, cached=True)

    # ---- coinbase count and amount -----------------------------------------------------------

    def test_coinbase_count(self):
        height = self.next_height()
        second = create_coinbase(height, COIN)
        second.script_sigs = [script_num_push(height) + b"\x01"]
        self.check_rejected("two coinbases", self.build([second]), "bad-cb-multiple",
                            punished=True, cached=False, header_first=True)
        tx = self.spend([self.coin()], [(COIN, OP_TRUE_P2WSH_SPK)])
        no_coinbase = self.build([tx], no_coinbase=True)
        self.check_rejected("no coinbase", no_coinbase, "bad-cb-missing", punished=True,
                            cached=False, header_first=True, submit=False)
        # Core's submitblock refuses such a block before validation.
        assert_raises_rpc_error(-22, "Block does not start with a coinbase",
                                self.node.submitblock, no_coinbase.serialize().hex())

    def test_coinbase_amount(self):
        coin = self.coin()
        fee = 12_345
        tx = self.spend([coin], [(coin.value - fee, OP_TRUE_P2WSH_SPK)])
        limit = block_subsidy(self.next_height()) + fee
        self.check_rejected("coinbase claiming subsidy + fees + 1 sat",
                            self.build([tx], coinbase_value=limit + 1), "bad-cb-amount",
                            punished=True, cached=True)
        self.mine_honest_block([tx], coinbase_value=limit)

    def test_immature_spend(self):
        height = self.next_height()
        young = self.coinbase_coin(height - 99)
        tx = self.spend([young], [(young.value - 1000, OP_TRUE_P2WSH_SPK)])
        self.check_rejected("a coinbase spent after 99 blocks", self.build([tx]),
                            "bad-txns-premature-spend-of-coinbase", punished=True, cached=True)
        ripe = self.coinbase_coin(height - 100)
        self.mine_honest_block([self.spend([ripe], [(ripe.value - 1000, OP_TRUE_P2WSH_SPK)])])

    # ---- block weight ------------------------------------------------------------------------

    def weight_block(self, coin, target):
        """A block of exactly `target` weight units: the bulk in an OP_RETURN output (4 units
        a byte, never a coin), the rest in a witness item (1 unit a byte) dropped by the
        P2WSH script OP_DROP OP_TRUE."""
        drop_true = bytes([OP_DROP, OP_1])

        def make(op_return_len, item_len):
            fund = self.spend([coin], [(coin.value - 1000, p2wsh_script(drop_true)),
                                       (0, b"\x6a" + bytes(op_return_len))])
            pad = Tx([(fund.txid(), 0, [bytes(item_len), drop_true])],
                     [(coin.value - 2000, OP_TRUE_P2WSH_SPK)])
            return self.build([fund, pad], solve=False)

        bulk = 990_000
        missing = target - block_weight(make(bulk, 0))
        assert missing >= 0, "the bulk guess is too large"
        block = make(bulk + missing // 4, missing % 4)
        assert_equal(block_weight(block), target)
        return grind(block)

    def test_block_weight(self):
        coin = self.coin()
        heavy = self.weight_block(coin, MAX_BLOCK_WEIGHT + 1)
        # Its stripped size is within the limit, so CheckBlock passes and ContextualCheckBlock
        # fails it (BLOCK_CONSENSUS): cached, punished.
        assert len(heavy.serialize(with_witness=False)) * 4 <= MAX_BLOCK_WEIGHT
        self.check_rejected("block weight 4,000,001", heavy, "bad-blk-weight", punished=True,
                            cached=True)
        self.mine_honest_block(block=self.weight_block(coin, MAX_BLOCK_WEIGHT))

    # ---- header fields -----------------------------------------------------------------------

    def test_header_rules(self):
        mtp = self.tip_header()["mediantime"]
        # ContextualCheckBlockHeader failures are BLOCK_INVALID_HEADER: punished; the header
        # never enters the index, so nothing is cached.
        self.check_rejected("time equal to the median time past", self.build([], block_time=mtp),
                            "time-too-old", punished=True, cached=False)
        self.check_rejected("nBits 0x207ffffe instead of 0x207fffff",
                            self.build([], bits=REGTEST_BITS - 1), "bad-diffbits",
                            punished=True, cached=False)
        above = grind(self.build([], solve=False), below_target=False)
        self.check_rejected("hash above the target", above, "high-hash", punished=True,
                            cached=False)

    def test_time_too_new(self):
        now = int(time.time())
        block = self.build([], block_time=now + MAX_FUTURE_BLOCK_TIME + 600)
        # BLOCK_TIME_FUTURE: neither punished nor cached, so the same bytes count later.
        self.check_rejected("time 2 h 10 min ahead", block, "time-too-new", punished=False,
                            cached=False)
        self.node.setmocktime(now + MAX_FUTURE_BLOCK_TIME + 3600)
        self.mine_honest_block(block=block)
        self.node.setmocktime(0)

    # ---- merkle root and witness commitment --------------------------------------------------

    @staticmethod
    def copy_of(block):
        """An independent copy (same header) whose transactions can be changed."""
        return Block.from_bytes(block.serialize())

    def test_wrong_merkle_root(self):
        block = self.build([self.spend([self.coin()], [(COIN, OP_TRUE_P2WSH_SPK)])
                            for _ in range(2)])
        altered = self.copy_of(block)
        value, script = altered.txs[2].outputs[0]
        altered.txs[2].outputs[0] = (value - 1, script)
        assert_equal(altered.header(), block.header())
        # IsBlockMutated in net_processing: "mutated block", punished; BLOCK_MUTATED is never
        # cached, so the header stays "headers-only" and the real block is accepted.
        self.check_rejected("a transaction list that does not match the merkle root", block,
                            "bad-txnmrklroot", punished=True, cached=False, header_first=True,
                            payload=altered.serialize())
        self.mine_honest_block(block=block)

    def test_witness_commitment(self):
        tx = self.spend([self.coin()], [(COIN, OP_TRUE_P2WSH_SPK)])
        self.check_rejected("witness data without a commitment", self.build([tx], commit=False),
                            "unexpected-witness", punished=True, cached=False)
        wrong = self.build([tx], solve=False)
        value, script = wrong.txs[0].outputs[-1]
        assert script.startswith(b"\x6a\x24" + WITNESS_COMMITMENT_HEADER)
        wrong.txs[0].outputs[-1] = (value, script[:-1] + bytes([script[-1] ^ 1]))
        wrong.merkle = wrong.compute_merkle_root()
        self.check_rejected("a wrong witness commitment", grind(wrong),
                            "bad-witness-merkle-match", punished=True, cached=False)

        block = self.build([tx])
        for name, witness in (("a 33-byte witness reserved value", [bytes(33)]),
                              ("a two-item witness reserved value", [bytes(32), b"\x01"])):
            copy = self.copy_of(block)
            prev_txid, vout, _ = copy.txs[0].inputs[0]
            copy.txs[0].inputs[0] = (prev_txid, vout, witness)
            self.check_rejected(name, block, "bad-witness-nonce-size", punished=True,
                                cached=False, payload=copy.serialize())

        # The same valid block relayed first with a junk witness, then stripped of witness
        # (Core: mutated, "witness-failure" territory, never marked invalid).
        junk = self.copy_of(block)
        prev_txid, vout, _ = junk.txs[1].inputs[0]
        junk.txs[1].inputs[0] = (prev_txid, vout, [b"junk", OP_TRUE_SCRIPT])
        self.check_rejected("a valid block with a junk witness", block,
                            "bad-witness-merkle-match", punished=True, cached=False,
                            payload=junk.serialize())
        # Core's submitblock would put a reserved value back into the stripped coinbase.
        self.check_rejected("a valid block with its witness stripped", block,
                            "bad-witness-nonce-size", punished=True, cached=False,
                            payload=block.serialize(with_witness=False), submit=False)
        self.mine_honest_block(block=block)

    def test_duplicated_tail(self):
        block = self.build([self.spend([self.coin()], [(COIN, OP_TRUE_P2WSH_SPK)])
                            for _ in range(5)])
        # Six transactions: the third level pairs the hash of the last two with itself, so
        # repeating those two keeps the merkle root (CVE-2012-2459).
        repeated = self.copy_of(block)
        repeated.txs += repeated.txs[4:6]
        assert_equal(repeated.compute_merkle_root(), block.merkle)
        self.check_rejected("the last two transactions repeated (CVE-2012-2459)", block,
                            "bad-txns-duplicate", punished=True, cached=False,
                            payload=repeated.serialize())
        self.mine_honest_block(block=block)



if __name__ == "__main__":
    AdversarialBlocksTest().main()
