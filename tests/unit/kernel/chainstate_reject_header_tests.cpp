// Block validation's reject strings for the rules a block meets before it is
// connected: header checks (proof of work, difficulty, time, version, unknown
// or invalid parents, cached verdicts), the context-free block checks and the
// contextual ones. See chainstate_reject_fixture.h for how each rejection is
// asserted; the rules checked while connecting are in
// chainstate_reject_connect_tests.cpp.
#include "chainstate_reject_fixture.h"

#include <consensus/block_check.h>
#include <consensus/consensus_constants.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/script/script.h>
#include <kernel/chainstate.h>
#include <testutil/chain_builder.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kernel_test {
namespace {

// ---- headers -------------------------------------------------------------------------------

TEST_F(ChainstateRejectTest, HighHash)
{
    const Block good = Build();
    Block bad = good;
    while (consensus::CheckProofOfWork(bad.GetHash(), bad.header.bits, Consensus())) {
        ++bad.header.nonce;
    }
    EXPECT_TRUE(RejectedHeader(bad.header, "high-hash", BlockResult::INVALID_HEADER));
    EXPECT_TRUE(RejectedOnAccept(bad, "high-hash", BlockResult::INVALID_HEADER));
    EXPECT_EQ(Chainman().LookupBlockIndex(bad.GetHash()), nullptr);
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, BadDiffbits)
{
    const Block good = Build();
    Block bad = good;
    ASSERT_EQ(bad.header.bits, 0x207fffffu);
    bad.header.bits = 0x207ffffe; // a hair harder than regtest's fixed target
    ASSERT_TRUE(testutil::GrindNonce(bad.header, Consensus()));
    EXPECT_TRUE(RejectedHeader(bad.header, "bad-diffbits", BlockResult::INVALID_HEADER));
    EXPECT_TRUE(RejectedOnAccept(bad, "bad-diffbits", BlockResult::INVALID_HEADER));
    EXPECT_EQ(Chainman().LookupBlockIndex(bad.GetHash()), nullptr);
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, TimeTooOld)
{
    const int64_t mtp = Chainman().Tip()->GetMedianTimePast();
    BlockOptions at_mtp = OnTip();
    at_mtp.time = static_cast<uint32_t>(mtp);
    const Block bad = Build({}, at_mtp);
    EXPECT_TRUE(RejectedHeader(bad.header, "time-too-old", BlockResult::INVALID_HEADER));
    EXPECT_TRUE(RejectedOnAccept(bad, "time-too-old", BlockResult::INVALID_HEADER));
    // One second past the median is the earliest acceptable time.
    BlockOptions after_mtp = OnTip();
    after_mtp.time = static_cast<uint32_t>(mtp + 1);
    EXPECT_TRUE(Accepted(Build({}, after_mtp)));
}

TEST_F(ChainstateRejectTest, TimeTooNewIsNotCachedInvalid)
{
    const int64_t now = Chainman().Tip()->time + 1000;
    s_shared->now = now;
    BlockOptions too_new = OnTip();
    too_new.time = static_cast<uint32_t>(now + consensus::MAX_FUTURE_BLOCK_TIME + 1);
    const Block early = Build({}, too_new);
    EXPECT_TRUE(RejectedHeader(early.header, "time-too-new", BlockResult::TIME_FUTURE));
    EXPECT_TRUE(RejectedOnAccept(early, "time-too-new", BlockResult::TIME_FUTURE));
    EXPECT_EQ(Chainman().LookupBlockIndex(early.GetHash()), nullptr);

    // Exactly two hours ahead is still fine.
    BlockOptions edge = OnTip();
    edge.time = static_cast<uint32_t>(now + consensus::MAX_FUTURE_BLOCK_TIME);
    const Block sibling = Build({}, edge);
    EXPECT_TRUE(Accepted(sibling));

    // A second later the early block is acceptable: it was never marked invalid.
    s_shared->now = now + 1;
    BlockValidationState state;
    bool new_block = false;
    EXPECT_TRUE(Chainman().ProcessNewBlock(std::make_shared<const Block>(early), state, &new_block))
        << state.ToString();
    EXPECT_TRUE(new_block);
    const kernel::BlockIndex* index = Chainman().LookupBlockIndex(early.GetHash());
    ASSERT_NE(index, nullptr);
    EXPECT_TRUE(index->HaveData());
    EXPECT_FALSE(index->IsFailed());
    // Equal work, later arrival: the tip stays.
    EXPECT_EQ(Chainman().Tip()->hash, sibling.GetHash());

    // Leave the clock far ahead of any block the other tests build.
    s_shared->now = now + 30 * 24 * 60 * 60;
}

TEST_F(ChainstateRejectTest, BadVersionBelowFour)
{
    // Regtest buries BIP34, BIP66 and BIP65 at height 1, so versions 1..3 are all out.
    for (int32_t version : {1, 2, 3}) {
        BlockOptions opts = OnTip();
        opts.version = version;
        const Block bad = Build({}, opts);
        const std::string reason = "bad-version(0x0000000" + std::to_string(version) + ")";
        EXPECT_TRUE(RejectedHeader(bad.header, reason, BlockResult::INVALID_HEADER));
        EXPECT_TRUE(RejectedOnAccept(bad, reason, BlockResult::INVALID_HEADER));
    }
    BlockOptions v4 = OnTip();
    v4.version = 4;
    EXPECT_TRUE(Accepted(Build({}, v4)));
}

TEST_F(ChainstateRejectTest, PrevBlkNotFound)
{
    Block orphan = Build();
    orphan.header.prev_block = Uint256{std::vector<uint8_t>(32, 0x42)};
    ASSERT_TRUE(Finalize(orphan, false));
    EXPECT_TRUE(RejectedHeader(orphan.header, "prev-blk-not-found", BlockResult::MISSING_PREV));
    EXPECT_TRUE(RejectedOnAccept(orphan, "prev-blk-not-found", BlockResult::MISSING_PREV));
    EXPECT_EQ(Chainman().LookupBlockIndex(orphan.GetHash()), nullptr);
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, DuplicateInvalidAfterConnectFailure)
{
    const Block bad = Build({}, OnTip(/*fees=*/1)); // coinbase claims one satoshi too many
    ASSERT_TRUE(RejectedOnConnect(bad, "bad-cb-amount"));
    EXPECT_TRUE(KnownInvalid(bad));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, DuplicateInvalidAndBadPrevblkAfterContextualFailure)
{
    const OwnedCoin coin = TakeCoin(OutputKind::P2WPKH);
    MutableTransaction tx = SpendingTx({coin});
    tx.locktime = static_cast<uint32_t>(TipHeight() + 1);
    tx.vin[0].sequence = 0;
    const Block bad = Build({SignedTx(tx, {coin})}, OnTip(FEE));
    ASSERT_TRUE(RejectedAndMarked(bad, "bad-txns-nonfinal"));
    EXPECT_TRUE(KnownInvalid(bad));
    EXPECT_TRUE(ChildRejectedAsBadPrevblk(bad));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, BadPrevblk)
{
    const Block bad = Build({}, OnTip(/*fees=*/1));
    ASSERT_TRUE(RejectedOnConnect(bad, "bad-cb-amount"));
    EXPECT_TRUE(ChildRejectedAsBadPrevblk(bad));
    EXPECT_TRUE(SiblingAccepted());
}

// Core refuses any header building on a block known to be invalid, also when
// the invalid block is a more distant ancestor whose descendants arrived as
// headers before it failed (AcceptBlockHeader walks its failed blocks, or the
// failure marks every known descendant BLOCK_FAILED_CHILD).
TEST_F(ChainstateRejectTest, BadPrevblkForHeaderBelowAnInvalidAncestor)
{
    const Block bad = Build({}, OnTip(/*fees=*/1));
    const Block child = BuildOn(bad.GetHash());
    const Block grandchild = BuildOn(child.GetHash());

    BlockValidationState state;
    const BlockHeader early[] = {bad.header, child.header};
    ASSERT_TRUE(Chainman().ProcessNewBlockHeaders(early, state)) << state.ToString();
    ASSERT_TRUE(RejectedOnConnect(bad, "bad-cb-amount"));
    EXPECT_TRUE(RejectedHeader(grandchild.header, "bad-prevblk", BlockResult::INVALID_PREV));
    EXPECT_TRUE(RejectedOnAccept(grandchild, "bad-prevblk", BlockResult::INVALID_PREV));
    // The best header must not lead through the invalid block.
    const kernel::BlockIndex* best = Chainman().BestHeader();
    ASSERT_NE(best, nullptr);
    const kernel::BlockIndex* bad_index = Chainman().LookupBlockIndex(bad.GetHash());
    ASSERT_NE(bad_index, nullptr);
    EXPECT_NE(best->GetAncestor(bad_index->height), bad_index);
    EXPECT_TRUE(SiblingAccepted());
}

// ---- block: context-free checks -----------------------------------------------------------

TEST_F(ChainstateRejectTest, BadTxnMrklrootIsMutatedAndKeepsTheHashUsable)
{
    const Block good = Build({Spend({TakeCoin(OutputKind::P2WPKH)})}, OnTip(FEE));
    Block bad = good;
    bad.vtx[1] = Spend({TakeCoin(OutputKind::P2WPKH)}); // same fee, other coin
    ASSERT_EQ(bad.GetHash(), good.GetHash());
    EXPECT_TRUE(RejectedAsMutated(bad, "bad-txnmrklroot"));
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, BadTxnsDuplicateIsMutatedAndKeepsTheHashUsable)
{
    const Block good =
        Build({Spend({TakeCoin(OutputKind::P2WPKH)}), Spend({TakeCoin(OutputKind::P2WPKH)})},
              OnTip(2 * FEE));
    ASSERT_EQ(good.vtx.size(), 3u);
    // CVE-2012-2459: repeating the odd last transaction keeps the merkle root.
    Block bad = good;
    bad.vtx.push_back(bad.vtx.back());
    ASSERT_EQ(consensus::BlockMerkleRoot(bad), good.header.merkle_root);
    EXPECT_TRUE(RejectedAsMutated(bad, "bad-txns-duplicate"));
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, BadBlkLength)
{
    Block empty = Build();
    empty.vtx.clear();
    ASSERT_TRUE(Finalize(empty, false));
    EXPECT_TRUE(RejectedWithoutTrace(empty, "bad-blk-length"));

    // Over 1,000,000 bytes without witness data (times four is over the weight limit).
    Block big = Build();
    MutableTransaction cb = ToMutable(*big.vtx[0]);
    std::vector<uint8_t> filler(1'000'001, 0x00);
    filler[0] = consensus::OP_RETURN;
    cb.vout.push_back(TxOut{0, Script{std::move(filler)}});
    big.vtx[0] = consensus::MakeTransactionRef(std::move(cb));
    ASSERT_TRUE(Finalize(big, false));
    EXPECT_TRUE(RejectedWithoutTrace(big, "bad-blk-length"));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, BadCbMissing)
{
    Block bad = Build({Spend({TakeCoin(OutputKind::P2PKH)})}, OnTip(FEE));
    bad.vtx.erase(bad.vtx.begin());
    ASSERT_TRUE(Finalize(bad, false));
    EXPECT_TRUE(RejectedWithoutTrace(bad, "bad-cb-missing"));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, BadCbMultiple)
{
    const Block other = Build(); // never submitted; lends its (distinct) coinbase
    Block bad = Build();
    bad.vtx.push_back(other.vtx[0]);
    ASSERT_NE(bad.vtx[0]->GetHash(), bad.vtx[1]->GetHash());
    ASSERT_TRUE(Finalize(bad, false));
    EXPECT_TRUE(RejectedWithoutTrace(bad, "bad-cb-multiple"));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, BadBlkSigopsLegacyCount)
{
    // 20,001 legacy sigops cost 80,004 > 80,000: CheckBlock refuses the block.
    const Block checksig = Build(
        {SigopsTx({TakeCoin(OutputKind::P2WPKH)}, consensus::OP_CHECKSIG, 20'001)}, OnTip(FEE));
    EXPECT_TRUE(RejectedWithoutTrace(checksig, "bad-blk-sigops"));
    // Bare multisig counts 20 per OP_CHECKMULTISIG: 1,001 of them make 20,020.
    const Block multisig = Build(
        {SigopsTx({TakeCoin(OutputKind::P2WPKH)}, consensus::OP_CHECKMULTISIG, 1'001)}, OnTip(FEE));
    EXPECT_TRUE(RejectedWithoutTrace(multisig, "bad-blk-sigops"));
    EXPECT_TRUE(SiblingAccepted());
}

// ---- block: contextual checks --------------------------------------------------------------

TEST_F(ChainstateRejectTest, BadCbHeight)
{
    const int height = TipHeight() + 1;
    Block bad = Build();
    MutableTransaction cb = ToMutable(*bad.vtx[0]);
    cb.vin[0].script_sig = Script{};
    cb.vin[0].script_sig.PushInt(height + 1);
    cb.vin[0].script_sig.PushInt(777);
    bad.vtx[0] = consensus::MakeTransactionRef(std::move(cb));
    ASSERT_TRUE(Finalize(bad, false));
    EXPECT_TRUE(RejectedAndMarked(bad, "bad-cb-height"));
    EXPECT_TRUE(SiblingAccepted());
}

// bad-txns-BIP30 for coinbases: a block repeating an earlier coinbase (same
// txid) is stopped by BIP34 before BIP30 is consulted, because the repeated
// coinbase encodes the earlier height.
TEST_F(ChainstateRejectTest, RepeatedCoinbaseIsStoppedByBip34)
{
    const kernel::BlockIndex* old_index = Chainman().ActiveChain()[10];
    ASSERT_NE(old_index, nullptr);
    auto old_block = Chainman().ReadBlock(*old_index);
    ASSERT_TRUE(old_block);
    Block bad = Build();
    bad.vtx[0] = old_block->vtx[0];
    ASSERT_TRUE(Finalize(bad, false));
    EXPECT_TRUE(RejectedAndMarked(bad, "bad-cb-height"));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, BadTxnsNonfinalLocktime)
{
    const int height = TipHeight() + 1;
    const OwnedCoin by_height = TakeCoin(OutputKind::P2TR);
    MutableTransaction tx = SpendingTx({by_height});
    tx.vin[0].sequence = TxIn::SEQUENCE_FINAL - 1; // lock time enforced
    tx.locktime = static_cast<uint32_t>(height);   // final only from height + 1
    EXPECT_TRUE(
        RejectedAndMarked(Build({SignedTx(tx, {by_height})}, OnTip(FEE)), "bad-txns-nonfinal"));
    tx.locktime = static_cast<uint32_t>(height - 1);
    EXPECT_TRUE(Accepted(Build({SignedTx(tx, {by_height})}, OnTip(FEE))));

    // BIP113: a time lock is judged against the parent's median time past.
    const int64_t mtp = Chainman().Tip()->GetMedianTimePast();
    const OwnedCoin by_time = TakeCoin(OutputKind::P2TR);
    MutableTransaction timed = SpendingTx({by_time});
    timed.vin[0].sequence = 0;
    timed.locktime = static_cast<uint32_t>(mtp);
    EXPECT_TRUE(
        RejectedAndMarked(Build({SignedTx(timed, {by_time})}, OnTip(FEE)), "bad-txns-nonfinal"));
    timed.locktime = static_cast<uint32_t>(mtp - 1);
    EXPECT_TRUE(Accepted(Build({SignedTx(timed, {by_time})}, OnTip(FEE))));
}

TEST_F(ChainstateRejectTest, BadWitnessNonceSizeIsMutated)
{
    const Block good = Build({Spend({TakeCoin(OutputKind::P2WPKH)})}, OnTip(FEE));
    Block bad = good;
    MutableTransaction cb = ToMutable(*bad.vtx[0]);
    ASSERT_EQ(cb.vin[0].witness.stack.size(), 1u);
    cb.vin[0].witness.stack[0].push_back(0); // 33 bytes
    bad.vtx[0] = consensus::MakeTransactionRef(std::move(cb));
    ASSERT_EQ(bad.GetHash(), good.GetHash());
    ASSERT_EQ(consensus::BlockMerkleRoot(bad), good.header.merkle_root);
    EXPECT_TRUE(RejectedAsMutated(bad, "bad-witness-nonce-size"));
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, BadWitnessMerkleMatchIsMutated)
{
    const Block good = Build({Spend({TakeCoin(OutputKind::P2WPKH)})}, OnTip(FEE));
    Block bad = good;
    MutableTransaction tx = ToMutable(*bad.vtx[1]);
    tx.vin[0].witness.stack[0][10] ^= 0x01; // witness only: the txid stays
    bad.vtx[1] = consensus::MakeTransactionRef(std::move(tx));
    ASSERT_EQ(bad.GetHash(), good.GetHash());
    EXPECT_TRUE(RejectedAsMutated(bad, "bad-witness-merkle-match"));
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, UnexpectedWitnessIsMutated)
{
    // Only a legacy spend: the builder adds no witness commitment.
    const Block good = Build({Spend({TakeCoin(OutputKind::P2PKH)})}, OnTip(FEE));
    ASSERT_FALSE(consensus::GetWitnessCommitmentIndex(good).has_value());
    Block bad = good;
    MutableTransaction tx = ToMutable(*bad.vtx[1]);
    tx.vin[0].witness.stack = {std::vector<uint8_t>{0x01}};
    bad.vtx[1] = consensus::MakeTransactionRef(std::move(tx));
    ASSERT_EQ(bad.GetHash(), good.GetHash());
    EXPECT_TRUE(RejectedAsMutated(bad, "unexpected-witness"));
    // A coinbase witness needs a commitment too.
    Block bad_cb = good;
    MutableTransaction cb = ToMutable(*bad_cb.vtx[0]);
    cb.vin[0].witness.stack = {std::vector<uint8_t>(32, 0x00)};
    bad_cb.vtx[0] = consensus::MakeTransactionRef(std::move(cb));
    ASSERT_EQ(bad_cb.GetHash(), good.GetHash());
    EXPECT_TRUE(RejectedAsMutated(bad_cb, "unexpected-witness"));
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, BadBlkWeight)
{
    Block bad = Build({Spend({TakeCoin(OutputKind::P2WPKH)})}, OnTip(FEE));
    MutableTransaction tx = ToMutable(*bad.vtx[1]);
    // Witness bytes weigh one each: 4,000,000 of them alone reach the limit,
    // while the stripped size stays tiny (so bad-blk-length does not apply).
    tx.vin[0].witness.stack.push_back(std::vector<uint8_t>(4'000'000, 0x00));
    bad.vtx[1] = consensus::MakeTransactionRef(std::move(tx));
    ASSERT_TRUE(Finalize(bad)); // commitment updated: only the weight is wrong
    ASSERT_GT(bad.GetWeight(), consensus::MAX_BLOCK_WEIGHT);
    EXPECT_TRUE(RejectedAndMarked(bad, "bad-blk-weight"));
    EXPECT_TRUE(SiblingAccepted());
}

} // namespace
} // namespace kernel_test
