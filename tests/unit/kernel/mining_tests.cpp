#include <kernel/mining.h>

#include "chainstate_fixture.h"

#include <consensus/block_check.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>

#include <gtest/gtest.h>

namespace {

using kernel_test::BasicOptions;
using kernel_test::OpenChainstate;

// Grinds the nonce of a regtest block until it meets its target.
void Grind(consensus::Block& block, const consensus::ConsensusParams& params)
{
    while (!consensus::CheckProofOfWork(block.GetHash(), block.header.bits, params))
        ++block.header.nonce;
}

consensus::Script PayoutScript()
{
    // OP_TRUE: anyone can spend, enough for a template test.
    return consensus::Script{std::vector<uint8_t>{0x51}};
}

TEST(BlockTemplate, NewBlocksConnectOnTheTip)
{
    const auto params = common::CreateChainParams(util::ChainType::REGTEST);
    testutil::TempDir dir;
    auto node = OpenChainstate(BasicOptions(*params, dir.Path(), 1));
    ASSERT_TRUE(node);
    for (int height = 1; height <= 20; ++height) {
        auto block = kernel::CreateNewBlock(*node, PayoutScript(), {}, 0);
        ASSERT_TRUE(block) << block.error().message;
        EXPECT_EQ(block->header.prev_block, node->Tip()->hash);
        EXPECT_EQ(block->header.version, kernel::BLOCK_TEMPLATE_VERSION);
        EXPECT_GT(static_cast<int64_t>(block->header.time), node->Tip()->GetMedianTimePast());
        // Coinbase: BIP34 height push, the full subsidy, a witness commitment.
        const auto& coinbase = *block->vtx[0];
        ASSERT_TRUE(coinbase.IsCoinBase());
        EXPECT_EQ(coinbase.vout[0].value,
                  consensus::GetBlockSubsidy(height, params->GetConsensus()));
        EXPECT_EQ(coinbase.vout[0].script_pubkey, PayoutScript());
        EXPECT_TRUE(consensus::GetWitnessCommitmentIndex(*block).has_value());
        EXPECT_GE(coinbase.vin[0].script_sig.size(), 2u);
        EXPECT_EQ(block->header.merkle_root, consensus::BlockMerkleRoot(*block));
        Grind(*block, params->GetConsensus());
        consensus::BlockValidationState state;
        ASSERT_TRUE(node->ProcessNewBlock(std::make_shared<const consensus::Block>(*block), state))
            << state.ToString();
        EXPECT_EQ(node->Tip()->height, height);
        EXPECT_EQ(node->Tip()->hash, block->GetHash());
    }
}

TEST(BlockTemplate, CarriesGivenTransactionsWithACommitmentOverThem)
{
    const auto params = common::CreateChainParams(util::ChainType::REGTEST);
    testutil::TempDir dir;
    auto node = OpenChainstate(BasicOptions(*params, dir.Path(), 1));
    ASSERT_TRUE(node);
    // 101 blocks so the first coinbase (OP_TRUE) matures.
    std::optional<consensus::Uint256> first_coinbase;
    for (int i = 0; i < 101; ++i) {
        auto block = kernel::CreateNewBlock(*node, PayoutScript(), {}, 0);
        ASSERT_TRUE(block);
        Grind(*block, params->GetConsensus());
        if (!first_coinbase) first_coinbase = block->vtx[0]->GetHash();
        consensus::BlockValidationState state;
        ASSERT_TRUE(node->ProcessNewBlock(std::make_shared<const consensus::Block>(*block), state));
    }
    // A witness spend (anyone-can-spend P2WSH would do; here a legacy OP_TRUE spend with a
    // non-empty witness is invalid, so spend plainly and rely on the commitment covering it).
    consensus::MutableTransaction spend;
    spend.vin.resize(1);
    spend.vin[0].prevout = consensus::OutPoint{*first_coinbase, 0};
    spend.vout.resize(1);
    spend.vout[0].value = 49 * consensus::COIN;
    spend.vout[0].script_pubkey = PayoutScript();
    const auto tx = consensus::MakeTransactionRef(spend);
    auto block = kernel::CreateNewBlock(*node, PayoutScript(), {tx}, 0);
    ASSERT_TRUE(block);
    ASSERT_EQ(block->vtx.size(), 2u);
    EXPECT_EQ(block->vtx[1]->GetHash(), tx->GetHash());
    EXPECT_EQ(block->header.merkle_root, consensus::BlockMerkleRoot(*block));
    Grind(*block, params->GetConsensus());
    consensus::BlockValidationState state;
    ASSERT_TRUE(node->ProcessNewBlock(std::make_shared<const consensus::Block>(*block), state))
        << state.ToString();
    EXPECT_EQ(node->Tip()->hash, block->GetHash());

    // Refinalizing after a change keeps exactly one commitment and a matching root.
    consensus::Block copy = *block;
    kernel::FinalizeBlockTemplate(copy);
    kernel::FinalizeBlockTemplate(copy);
    size_t commitments = 0;
    for (const auto& out : copy.vtx[0]->vout)
        commitments += out.script_pubkey.size() >= consensus::MIN_WITNESS_COMMITMENT_SIZE &&
                       out.script_pubkey[0] == 0x6a;
    EXPECT_EQ(commitments, 1u);
    EXPECT_EQ(copy.header.merkle_root, block->header.merkle_root);
}

} // namespace
