// -assumevalid skips the scripts of ancestors of the assumed block only, and
// only once that block is on the best header chain and buried under two
// weeks' worth of work. A chain with a bad signature shows which case applies.
#include <common/chainparams.h>
#include <kernel/chainstate.h>
#include <testutil/chain_builder.h>

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

#include <testutil/test_dir.h>

namespace {

using consensus::Block;
using consensus::Uint256;

// Regtest blocks weigh 2 units of work and are spaced 600 s, so two weeks'
// worth (1,209,600 s) is 2,016 blocks; 2,020 on top is just enough.
constexpr int BURIED = 2020;

class AssumeValidTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_params = common::ChainParams::RegTest().release();
        testutil::ChainBuilder builder{*s_params};
        s_blocks = new std::vector<Block>;
        for (int i = 0; i < 101; ++i)
            s_blocks->push_back(*builder.BuildBlock());
        // Block 102 spends a mature coinbase with a damaged signature.
        const auto coins = builder.SpendableCoins(102);
        ASSERT_FALSE(coins.empty());
        auto spend =
            builder.CreateSpend({&coins.front(), 1}, 1, testutil::OutputKind::P2WPKH, 1000);
        ASSERT_TRUE(spend);
        consensus::MutableTransaction bad = consensus::ToMutable(**spend);
        ASSERT_FALSE(bad.vin[0].witness.stack.empty());
        bad.vin[0].witness.stack[0][10] ^= 0x01;
        auto block =
            builder.BuildBlock({consensus::MakeTransactionRef(std::move(bad))}, {.fees = 1000});
        ASSERT_TRUE(block);
        s_blocks->push_back(*block);
        for (int i = 0; i < BURIED; ++i)
            s_blocks->push_back(*builder.BuildBlock());
    }
    static void TearDownTestSuite()
    {
        delete s_blocks;
        delete s_params;
    }

    // Feeds headers [1, last] first (as headers-first sync does), then the blocks.
    std::unique_ptr<kernel::ChainstateManager> Run(std::optional<Uint256> assume_valid, size_t last,
                                                   const testutil::TempDir* dir = nullptr)
    {
        kernel::ChainstateOptions options;
        options.params = s_params;
        options.data_dir = (dir ? dir : &m_dir)->Path();
        options.assume_valid = assume_valid;
        auto opened = kernel::ChainstateManager::Open(options);
        EXPECT_TRUE(opened);
        if (!opened) return nullptr;
        auto chainman = std::move(*opened);
        std::vector<consensus::BlockHeader> headers;
        for (size_t i = 0; i < last; ++i)
            headers.push_back((*s_blocks)[i].header);
        consensus::BlockValidationState state;
        EXPECT_TRUE(chainman->ProcessNewBlockHeaders(headers, state)) << state.ToString();
        for (size_t i = 0; i < last; ++i) {
            chainman->ProcessNewBlock(std::make_shared<const Block>((*s_blocks)[i]), state);
        }
        return chainman;
    }
    static Uint256 HashAt(int height) { return (*s_blocks)[height - 1].GetHash(); }
    static bool BadBlockFailed(const kernel::ChainstateManager& chainman)
    {
        const kernel::BlockIndex* bad = chainman.LookupBlockIndex(HashAt(102));
        return bad && (bad->status & storage::BLOCK_FAILED_VALID);
    }

    testutil::TempDir m_dir;
    static inline const common::ChainParams* s_params{nullptr};
    static inline std::vector<Block>* s_blocks{nullptr};
};

TEST_F(AssumeValidTest, BuriedAncestorScriptsAreSkipped)
{
    const int tip = 102 + BURIED;
    auto chainman = Run(HashAt(tip), s_blocks->size());
    ASSERT_TRUE(chainman);
    EXPECT_EQ(chainman->Tip()->height, tip);
    EXPECT_FALSE(BadBlockFailed(*chainman));
}

TEST_F(AssumeValidTest, WithoutAssumeValidTheBadSignatureStopsTheChain)
{
    auto chainman = Run(std::nullopt, s_blocks->size());
    ASSERT_TRUE(chainman);
    EXPECT_EQ(chainman->Tip()->height, 101);
    EXPECT_TRUE(BadBlockFailed(*chainman));
    // A zero hash (-assumevalid=0) means the same.
    testutil::TempDir other;
    EXPECT_EQ(Run(Uint256{}, s_blocks->size(), &other)->Tip()->height, 101);
}

TEST_F(AssumeValidTest, BlocksNotBelowTheAssumedBlockAreChecked)
{
    // The assumed block is the bad block's parent: the bad block is no ancestor of it.
    auto chainman = Run(HashAt(101), s_blocks->size());
    ASSERT_TRUE(chainman);
    EXPECT_EQ(chainman->Tip()->height, 101);
    EXPECT_TRUE(BadBlockFailed(*chainman));
}

TEST_F(AssumeValidTest, NotBuriedDeepEnoughMeansChecked)
{
    // Only 100 blocks above the bad one are known: far less than two weeks of work.
    auto chainman = Run(HashAt(202), 202);
    ASSERT_TRUE(chainman);
    EXPECT_EQ(chainman->Tip()->height, 101);
    EXPECT_TRUE(BadBlockFailed(*chainman));
}

TEST_F(AssumeValidTest, UnknownAssumedBlockMeansChecked)
{
    Uint256 unknown;
    unknown.data()[0] = 1;
    auto chainman = Run(unknown, s_blocks->size());
    ASSERT_TRUE(chainman);
    EXPECT_EQ(chainman->Tip()->height, 101);
}

} // namespace
