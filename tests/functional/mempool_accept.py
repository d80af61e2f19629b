#!/usr/bin/env python3
"""Mempool acceptance over RPC: every policy rejection testmempoolaccept and
sendrawtransaction can report, sendrawtransaction's error codes, and the mempool
query methods, with sizes, fees and aggregates recomputed here in Python."""

from decimal import Decimal

from test_framework.key import pubkey_from_secret
from test_framework.messages import COIN, OP_TRUE_P2WSH_SPK, OP_TRUE_SCRIPT, p2wsh_script
from test_framework.test_framework import MinibitTestFramework
from test_framework.util import (assert_equal, assert_in, assert_not_in, assert_raises_rpc_error,
                                 assert_raises_rpc_error_exact)
from test_framework.wallet import OpTrueWallet, Utxo

# OP_NOP10 OP_TRUE: valid under consensus, refused by policy (upgradable NOPs are discouraged).
NOP10_SCRIPT = b"\xb9\x51"
OP_RETURN = b"\x6a"


def btc(sats):
    return Decimal(sats) / COIN


class MempoolAcceptTest(MinibitTestFramework):
    def reject(self, built, reason, *args):
        """testmempoolaccept refuses built with exactly this reject-reason."""
        result = self.node.testmempoolaccept([built.hex], *args)[0]
        assert_equal(result["txid"], built.txid)
        assert_equal(result["wtxid"], built.wtxid)
        assert_equal(result["allowed"], False, reason)
        assert_equal(result["reject-reason"], reason)
        return result

    def run_test(self):
        node = self.add_node()
        node.start_and_wait(["-permitbaremultisig=0"])
        self.node = node
        wallet = OpTrueWallet(node)
        wallet.generate(120)
        confirmed = wallet.send_self_transfer().utxos[0]
        wallet.generate(1)

        self.log("accepted: testmempoolaccept reports vsize and fees computed here")
        good = wallet.create(fee_rate=3)
        result = node.testmempoolaccept([good.hex])[0]
        assert_equal(result["allowed"], True)
        assert_equal(result["vsize"], good.vsize)
        assert_equal(result["fees"]["base"], btc(good.fee))
        assert_equal(result["fees"]["effective-feerate"], btc(good.fee * 1000 // good.vsize))
        assert_equal(result["fees"]["effective-includes"], [good.wtxid])
        assert_equal(node.getrawmempool(), [])  # a test only

        self.log("output policy: dust, scriptpubkey, bare-multisig, multi-op-return")
        self.reject(wallet.create(utxos=good.spent, extra_outputs=[(329, OP_TRUE_P2WSH_SPK)]),
                    "dust")
        assert_equal(node.testmempoolaccept([wallet.create(
            utxos=good.spent, extra_outputs=[(330, OP_TRUE_P2WSH_SPK)]).hex])[0]["allowed"], True)
        self.reject(wallet.create(utxos=good.spent, extra_outputs=[(10000, b"\x51")]),
                    "scriptpubkey")
        pubkey = pubkey_from_secret(7)
        bare_multisig = b"\x51\x21" + pubkey + b"\x51\xae"
        self.reject(wallet.create(utxos=good.spent, extra_outputs=[(10000, bare_multisig)]),
                    "bare-multisig")
        data = OP_RETURN + b"\x04" + b"data"
        self.reject(wallet.create(utxos=good.spent, extra_outputs=[(0, data), (0, data)]),
                    "multi-op-return")
        one_data = wallet.create(utxos=good.spent, extra_outputs=[(0, data)])
        assert_equal(node.testmempoolaccept([one_data.hex])[0]["allowed"], True)

        self.log("transaction policy: tx-size-small, version, non-final, non-BIP68-final")
        small = wallet.create(utxos=good.spent, num_outputs=0, extra_outputs=[(0, OP_RETURN)])
        assert len(small.tx.serialize(with_witness=False)) < 65
        self.reject(small, "tx-size-small")
        self.reject(wallet.create(utxos=good.spent, version=4), "version")
        self.reject(wallet.create(utxos=good.spent, version=0), "version")
        assert_equal(node.testmempoolaccept([wallet.create(
            utxos=good.spent, version=3).hex])[0]["allowed"], True)
        height = node.getblockcount()
        self.reject(wallet.create(utxos=good.spent, locktime=height + 2, sequence=0xFFFFFFFE),
                    "non-final")
        # Lock times below the next block's height (height + 1) are final.
        assert_equal(node.testmempoolaccept([wallet.create(
            utxos=good.spent, locktime=height, sequence=0xFFFFFFFE).hex])[0]["allowed"], True)
        # BIP68: a coin confirmed one block ago may be spent with a relative lock of 1 block
        # (the spend goes into the next block), not with 2.
        self.reject(wallet.create(utxos=confirmed, sequence=2), "non-BIP68-final")
        assert_equal(node.testmempoolaccept([wallet.create(
            utxos=confirmed, sequence=1).hex])[0]["allowed"], True)
        # Version 1 transactions ignore relative lock times.
        assert_equal(node.testmempoolaccept([wallet.create(
            utxos=confirmed, sequence=2, version=1).hex])[0]["allowed"], True)

        self.log("fees: min relay fee not met, max-fee-exceeded")
        cheap = wallet.create(utxos=good.spent, fee=good.vsize - 1)
        self.reject(cheap, "min relay fee not met")
        assert_raises_rpc_error_exact(
            -26, f"min relay fee not met, {good.vsize - 1} < {good.vsize}",
            node.sendrawtransaction, cheap.hex)
        dear = wallet.create(utxos=good.spent, fee=good.vsize * 10001)
        self.reject(dear, "max-fee-exceeded")
        assert_raises_rpc_error_exact(
            -25, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)",
            node.sendrawtransaction, dear.hex)
        self.reject(good, "max-fee-exceeded", Decimal("0.00002"))
        assert_equal(node.testmempoolaccept([dear.hex], 0)[0]["allowed"], True)
        assert_raises_rpc_error(-8, "Fee rates larger than or equal to 1BTC/kvB are not accepted",
                                node.sendrawtransaction, good.hex, 1.5)

        self.log("inputs: missing, premature coinbase spend")
        missing = wallet.create(utxos=Utxo("ab" * 32, 0, 50 * COIN))
        self.reject(missing, "missing-inputs")
        assert_raises_rpc_error_exact(-25, "bad-txns-inputs-missingorspent",
                                      node.sendrawtransaction, missing.hex)
        newest = wallet.utxos[-1]
        premature = wallet.create(utxos=newest)
        self.reject(premature, "bad-txns-premature-spend-of-coinbase")
        assert_raises_rpc_error_exact(
            -26, "bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth 1",
            node.sendrawtransaction, premature.hex)

        self.log("scripts: mandatory and non-mandatory flag failures")
        wrong_witness = wallet.create(utxos=good.spent, witness=[b"\x52"])
        self.reject(wrong_witness,
                    "mandatory-script-verify-flag-failed (Witness program hash mismatch)")
        # minibit appends Core v30's ", input 0 of <txid> ..." detail; v28 stops at ")".
        assert_raises_rpc_error(
            -26, "mandatory-script-verify-flag-failed (Witness program hash mismatch)",
            node.sendrawtransaction, wrong_witness.hex)
        funding = wallet.send(wallet.create(utxos=good.spent,
                                            extra_outputs=[(100000, p2wsh_script(NOP10_SCRIPT))]))
        nop = wallet.create(utxos=Utxo(funding.txid, 1, 100000), witness=[NOP10_SCRIPT],
                            fee_rate=2)
        self.reject(nop, "non-mandatory-script-verify-flag (NOPx reserved for soft-fork upgrades)")
        assert_raises_rpc_error(
            -26, "non-mandatory-script-verify-flag (NOPx reserved for soft-fork upgrades)",
            node.sendrawtransaction, nop.hex)
        # Consensus allows it: generateblock mines it.
        node.generateblock("raw(51)", [funding.hex, nop.hex])
        assert_equal(node.getrawmempool(), [])

        self.log("already known: in the mempool and in the UTXO set")
        tx = wallet.send_self_transfer()
        self.reject(tx, "txn-already-in-mempool")
        assert_equal(node.sendrawtransaction(tx.hex), tx.txid)  # resubmission is not an error
        wallet.generate(1)
        self.reject(tx, "txn-already-known")
        assert_raises_rpc_error_exact(-27, "Transaction outputs already in utxo set",
                                      node.sendrawtransaction, tx.hex)
        # Same txid, other witness, while the first is in the pool.
        tx = wallet.send_self_transfer()
        other_witness = wallet.create(utxos=tx.spent, witness=[OP_TRUE_SCRIPT, b""])
        assert_equal(other_witness.txid, tx.txid)
        self.reject(other_witness, "txn-same-nonwitness-data-in-mempool")

        self.log("decode errors (-22) and maxburnamount (-25)")
        assert_raises_rpc_error_exact(
            -22, "TX decode failed. Make sure the tx has at least one input.",
            node.sendrawtransaction, "00")
        assert_raises_rpc_error(-22, "TX decode failed", node.testmempoolaccept, ["zz"])
        burn = wallet.create(extra_outputs=[(1000, OP_RETURN + b"\x01\x01")])
        assert_raises_rpc_error_exact(
            -25, "Unspendable output exceeds maximum configured by user (maxburnamount)",
            node.sendrawtransaction, burn.hex)
        assert_raises_rpc_error_exact(
            -25, "Unspendable output exceeds maximum configured by user (maxburnamount)",
            node.sendrawtransaction, burn.hex, 0.1, Decimal("0.00000999"))
        assert_equal(node.sendrawtransaction(burn.hex, 0.1, Decimal("0.00001")), burn.txid)

        self.log("too-long-mempool-chain: 25 in a chain pass, the 26th is refused")
        wallet.generate(1)
        assert_equal(node.getrawmempool(), [])
        chain = wallet.send_chain(wallet.get_utxo(), 25)
        last = wallet.create(utxos=chain[-1].utxos[0])
        self.reject(last, "too-long-mempool-chain")
        assert_raises_rpc_error(-26, "too-long-mempool-chain", node.sendrawtransaction, last.hex)

        self.log("getmempoolentry: sizes, fees and aggregates recomputed here")
        mid = chain[9]
        entry = node.getmempoolentry(mid.txid)
        assert_equal(entry["vsize"], mid.vsize)
        assert_equal(entry["weight"], mid.weight)
        assert_equal(entry["wtxid"], mid.wtxid)
        assert_equal(entry["height"], node.getblockcount())
        assert_equal(entry["ancestorcount"], 10)
        assert_equal(entry["descendantcount"], 16)
        assert_equal(entry["ancestorsize"], sum(t.vsize for t in chain[:10]))
        assert_equal(entry["descendantsize"], sum(t.vsize for t in chain[9:]))
        assert_equal(entry["fees"]["base"], btc(mid.fee))
        assert_equal(entry["fees"]["modified"], btc(mid.fee))
        assert_equal(entry["fees"]["ancestor"], btc(sum(t.fee for t in chain[:10])))
        assert_equal(entry["fees"]["descendant"], btc(sum(t.fee for t in chain[9:])))
        assert_equal(entry["depends"], [chain[8].txid])
        assert_equal(entry["spentby"], [chain[10].txid])
        assert_equal(entry["bip125-replaceable"], True)
        assert_raises_rpc_error_exact(-5, "Transaction not in mempool", node.getmempoolentry,
                                      "00" * 32)

        self.log("getrawmempool: plain, verbose, mempool_sequence")
        pool = node.getrawmempool()
        assert_equal(sorted(pool), sorted(t.txid for t in chain))
        verbose = node.getrawmempool(True)
        assert_equal(verbose[mid.txid], entry)
        with_seq = node.getrawmempool(False, True)
        assert_equal(sorted(with_seq["txids"]), sorted(pool))
        seq = with_seq["mempool_sequence"]
        extra = wallet.send_self_transfer()
        assert_equal(node.getrawmempool(False, True)["mempool_sequence"], seq + 1)
        assert_raises_rpc_error(-8, "Verbose results cannot contain mempool sequence values.",
                                node.getrawmempool, True, True)

        self.log("getmempoolancestors / getmempooldescendants")
        assert_equal(sorted(node.getmempoolancestors(mid.txid)),
                     sorted(t.txid for t in chain[:9]))
        assert_equal(sorted(node.getmempooldescendants(mid.txid)),
                     sorted(t.txid for t in chain[10:]))
        anc = node.getmempoolancestors(mid.txid, True)
        assert_equal(anc[chain[0].txid]["vsize"], chain[0].vsize)
        assert_equal(anc[chain[0].txid]["descendantcount"], 25)
        desc = node.getmempooldescendants(chain[0].txid, True)
        assert_equal(len(desc), 24)
        assert_equal(desc[chain[-1].txid]["ancestorcount"], 25)
        assert_equal(node.getmempooldescendants(chain[-1].txid), [])

        self.log("gettxspendingprevout")
        spends = node.gettxspendingprevout([
            {"txid": chain[0].txid, "vout": 0},
            {"txid": chain[-1].txid, "vout": 0},
        ])
        assert_equal(spends, [
            {"txid": chain[0].txid, "vout": 0, "spendingtxid": chain[1].txid},
            {"txid": chain[-1].txid, "vout": 0},
        ])
        assert_raises_rpc_error(-8, "Invalid parameter, outputs are missing",
                                node.gettxspendingprevout, [])

        self.log("prioritisetransaction / getprioritisedtransactions")
        assert_equal(node.prioritisetransaction(mid.txid, 0, 12345), True)
        entry = node.getmempoolentry(mid.txid)
        assert_equal(entry["fees"]["base"], btc(mid.fee))
        assert_equal(entry["fees"]["modified"], btc(mid.fee + 12345))
        assert_equal(entry["fees"]["ancestor"], btc(sum(t.fee for t in chain[:10]) + 12345))
        assert_equal(node.getmempoolentry(chain[0].txid)["fees"]["descendant"],
                     btc(sum(t.fee for t in chain) + 12345))
        absent = "cd" * 32
        assert_equal(node.prioritisetransaction(absent, None, -500), True)
        prio = node.getprioritisedtransactions()
        assert_equal(prio[mid.txid], {"fee_delta": 12345, "in_mempool": True,
                                      "modified_fee": mid.fee + 12345})
        assert_equal(prio[absent], {"fee_delta": -500, "in_mempool": False})
        assert_raises_rpc_error(-8, "Priority is no longer supported",
                                node.prioritisetransaction, mid.txid, 1, 100)

        self.log("getrawtransaction finds mempool transactions")
        assert_equal(node.getrawtransaction(extra.txid), extra.hex)
        verbose_tx = node.getrawtransaction(extra.txid, True)
        assert_equal(verbose_tx["txid"], extra.txid)
        assert_equal(verbose_tx["vsize"], extra.vsize)
        assert_not_in("blockhash", verbose_tx)
        assert_not_in("confirmations", verbose_tx)

        self.log("mining empties the pool; the mined entries leave every index")
        wallet.generate(1)
        assert_equal(node.getrawmempool(), [])
        assert_raises_rpc_error(-5, "Transaction not in mempool", node.getmempoolentry, mid.txid)
        assert_in(mid.txid, node.getblock(node.getbestblockhash())["tx"])
        assert_equal(node.gettxspendingprevout([{"txid": chain[0].txid, "vout": 0}]),
                     [{"txid": chain[0].txid, "vout": 0}])

        self.log("-datacarrier=0 and -datacarriersize refuse OP_RETURN outputs (scriptpubkey)")
        coin = wallet.get_utxo()
        data_tx = wallet.create(utxos=coin, extra_outputs=[(0, data)])
        multisig_tx = wallet.create(utxos=coin, extra_outputs=[(10000, bare_multisig)])
        for args, allowed in ((["-datacarrier=0"], False), (["-datacarriersize=5"], False),
                              (["-datacarriersize=6"], True)):
            node.stop()
            node.start_and_wait(args)
            result = node.testmempoolaccept([data_tx.hex])[0]
            assert_equal(result["allowed"], allowed, str(args))
            if not allowed:
                assert_equal(result["reject-reason"], "scriptpubkey")
        # -permitbaremultisig defaults to on.
        assert_equal(node.testmempoolaccept([multisig_tx.hex])[0]["allowed"], True)


if __name__ == "__main__":
    MempoolAcceptTest().main()
