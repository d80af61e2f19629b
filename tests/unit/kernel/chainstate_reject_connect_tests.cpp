// Block validation's reject strings for the rules checked while a block is
// connected: missing or spent inputs, coinbase maturity, amounts, sequence
// locks, signatures, the sigop cost with witness sigops, and BIP30. Such a
// block is stored first and fails only through BlockChecked. See
// chainstate_reject_fixture.h for how each rejection is asserted.
#include "chainstate_reject_fixture.h"

#include <consensus/consensus_constants.h>
#include <consensus/script/script.h>
#include <kernel/chainstate.h>
#include <testutil/chain_builder.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kernel_test {
namespace {

// Core's ScriptErrorString texts (script/script_error.cpp), written out here so
// the expectation does not come from the code under test.
const std::string EVAL_FALSE_TEXT =
    "Script evaluated without error but finished with a false/empty top stack element";
const std::string SCHNORR_SIG_TEXT = "Invalid Schnorr signature";

TEST_F(ChainstateRejectTest, BadBlkSigopsWitnessCountWhileConnecting)
{
    // 20,000 legacy sigops (80,000) pass CheckBlock; the P2WPKH input's witness
    // sigop brings the total cost to 80,001, which ConnectBlock refuses.
    const Block over = Build(
        {SigopsTx({TakeCoin(OutputKind::P2WPKH)}, consensus::OP_CHECKSIG, 20'000)}, OnTip(FEE));
    EXPECT_TRUE(RejectedOnConnect(over, "bad-blk-sigops"));
    // 19,999 * 4 + 4 witness sigops is exactly the limit.
    std::vector<OwnedCoin> four;
    for (int i = 0; i < 4; ++i)
        four.push_back(TakeCoin(OutputKind::P2WPKH));
    EXPECT_TRUE(Accepted(Build({SigopsTx(four, consensus::OP_CHECKSIG, 19'999)}, OnTip(FEE))));
}

TEST_F(ChainstateRejectTest, MissingOrSpentUnknownOutpoint)
{
    OwnedCoin ghost = TakeCoin(OutputKind::P2WPKH);
    ghost.outpoint = OutPoint{Uint256{std::vector<uint8_t>(32, 0x5a)}, 0};
    EXPECT_TRUE(
        RejectedOnConnect(Build({Spend({ghost})}, OnTip(FEE)), "bad-txns-inputs-missingorspent"));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, MissingOrSpentDoubleSpendInOneBlock)
{
    const OwnedCoin coin = TakeCoin(OutputKind::P2WPKH);
    const TransactionRef first = Spend({coin}, FEE);
    const TransactionRef second = Spend({coin}, 2 * FEE);
    ASSERT_NE(first->GetHash(), second->GetHash());
    EXPECT_TRUE(RejectedOnConnect(Build({first, second}, OnTip(3 * FEE)),
                                  "bad-txns-inputs-missingorspent"));
    // Either spend alone is fine.
    EXPECT_TRUE(Accepted(Build({second}, OnTip(2 * FEE))));
}

TEST_F(ChainstateRejectTest, MissingOrSpentChildBeforeParentInOneBlock)
{
    const TransactionRef parent = Spend({TakeCoin(OutputKind::P2WPKH)});
    OwnedCoin made;
    made.outpoint = OutPoint{parent->GetHash(), 0};
    made.txout = parent->vout[0];
    made.kind = OutputKind::P2WPKH;
    bool found = false;
    for (uint32_t key = 0; key < 16 && !found; ++key) {
        if (Builder().ScriptFor(key, OutputKind::P2WPKH) == made.txout.script_pubkey) {
            made.key_index = key;
            found = true;
        }
    }
    ASSERT_TRUE(found);
    const TransactionRef child = Spend({made});
    EXPECT_TRUE(RejectedOnConnect(Build({child, parent}, OnTip(2 * FEE)),
                                  "bad-txns-inputs-missingorspent"));
    EXPECT_TRUE(Accepted(Build({parent, child}, OnTip(2 * FEE))));
}

TEST_F(ChainstateRejectTest, PrematureSpendOfCoinbase)
{
    const int height = TipHeight() + 1;
    // Created 99 blocks before the spending block: one short of maturity.
    const auto young = OwnCoinbase(height - (consensus::COINBASE_MATURITY - 1));
    const auto mature = OwnCoinbase(height - consensus::COINBASE_MATURITY);
    ASSERT_TRUE(young && mature);
    EXPECT_TRUE(RejectedOnConnect(Build({Spend({*young})}, OnTip(FEE)),
                                  "bad-txns-premature-spend-of-coinbase"));
    EXPECT_TRUE(Accepted(Build({Spend({*mature})}, OnTip(FEE))));
}

TEST_F(ChainstateRejectTest, BadTxnsInBelowout)
{
    const OwnedCoin coin = TakeCoin(OutputKind::P2WPKH);
    // Outputs one satoshi above the input.
    EXPECT_TRUE(RejectedOnConnect(Build({SignedTx(SpendingTx({coin}, -1), {coin})}),
                                  "bad-txns-in-belowout"));
    // Zero fee is allowed.
    EXPECT_TRUE(Accepted(Build({SignedTx(SpendingTx({coin}, 0), {coin})})));
}

TEST_F(ChainstateRejectTest, BadCbAmount)
{
    const TransactionRef tx = Spend({TakeCoin(OutputKind::P2WPKH)}, FEE);
    EXPECT_TRUE(RejectedOnConnect(Build({tx}, OnTip(FEE + 1)), "bad-cb-amount"));
    // Subsidy plus exactly the fees.
    EXPECT_TRUE(Accepted(Build({tx}, OnTip(FEE))));
}

TEST_F(ChainstateRejectTest, BadTxnsNonfinalSequenceLock)
{
    // A coin confirmed in the tip block...
    const TransactionRef parent = Spend({TakeCoin(OutputKind::P2WPKH)});
    ASSERT_TRUE(Accepted(Build({parent}, OnTip(FEE))));
    OwnedCoin fresh;
    bool found = false;
    for (const auto& coin : Builder().Coins()) {
        if (coin.outpoint == OutPoint{parent->GetHash(), 0}) {
            fresh = coin;
            found = true;
        }
    }
    ASSERT_TRUE(found);
    // ...with a relative lock of two blocks may not be spent in the next one.
    MutableTransaction tx = SpendingTx({fresh});
    tx.version = 2;
    tx.vin[0].sequence = 2;
    EXPECT_TRUE(RejectedOnConnect(Build({SignedTx(tx, {fresh})}, OnTip(FEE)), "bad-txns-nonfinal"));
    // A lock of one block is satisfied there.
    tx.vin[0].sequence = 1;
    EXPECT_TRUE(Accepted(Build({SignedTx(tx, {fresh})}, OnTip(FEE))));
}

// A spend of `coin` whose signature no longer matches.
TransactionRef CorruptSignature(const TransactionRef& tx, OutputKind kind)
{
    MutableTransaction m = ToMutable(*tx);
    if (kind == OutputKind::P2PKH) {
        // scriptSig: <sig> <pubkey>; flip a bit inside S (the byte before the sighash type).
        std::vector<uint8_t>& bytes = m.vin[0].script_sig.bytes();
        const size_t sig_len = bytes[0];
        bytes[sig_len - 1] ^= 0x01;
    } else if (kind == OutputKind::P2WPKH) {
        auto& sig = m.vin[0].witness.stack[0];
        sig[sig.size() - 2] ^= 0x01;
    } else {
        m.vin[0].witness.stack[0][40] ^= 0x01; // inside s of the 64-byte Schnorr signature
    }
    return consensus::MakeTransactionRef(std::move(m));
}

TEST_F(ChainstateRejectTest, BadSignatureP2WPKH)
{
    const TransactionRef good = Spend({TakeCoin(OutputKind::P2WPKH)});
    EXPECT_TRUE(RejectedOnConnect(Build({CorruptSignature(good, OutputKind::P2WPKH)}, OnTip(FEE)),
                                  "block-script-verify-flag-failed (" + EVAL_FALSE_TEXT + ")"));
    EXPECT_TRUE(Accepted(Build({good}, OnTip(FEE))));
}

TEST_F(ChainstateRejectTest, BadSignatureP2TR)
{
    const TransactionRef good = Spend({TakeCoin(OutputKind::P2TR)});
    EXPECT_TRUE(RejectedOnConnect(Build({CorruptSignature(good, OutputKind::P2TR)}, OnTip(FEE)),
                                  "block-script-verify-flag-failed (" + SCHNORR_SIG_TEXT + ")"));
    EXPECT_TRUE(Accepted(Build({good}, OnTip(FEE))));
}

TEST_F(ChainstateRejectTest, BadSignatureP2PKH)
{
    const TransactionRef good = Spend({TakeCoin(OutputKind::P2PKH)});
    EXPECT_TRUE(RejectedOnConnect(Build({CorruptSignature(good, OutputKind::P2PKH)}, OnTip(FEE)),
                                  "block-script-verify-flag-failed (" + EVAL_FALSE_TEXT + ")"));
    EXPECT_TRUE(Accepted(Build({good}, OnTip(FEE))));
}

// Regtest's BIP34Hash is null, so no block matches it and BIP30 stays enforced
// (as in Core): a transaction whose outputs are still unspent cannot reappear.
TEST_F(ChainstateRejectTest, BadTxnsBip30)
{
    const TransactionRef tx = Spend({TakeCoin(OutputKind::P2WPKH)});
    ASSERT_TRUE(Accepted(Build({tx}, OnTip(FEE))));
    EXPECT_TRUE(RejectedOnConnect(Build({tx}, OnTip(FEE)), "bad-txns-BIP30"));
    EXPECT_TRUE(SiblingAccepted());
}

} // namespace
} // namespace kernel_test
