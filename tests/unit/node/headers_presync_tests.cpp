// HeadersPresync: a low-work header chain is counted and dropped, then fetched again
// and released only in pieces vouched for by the hashes kept in the first pass.
#include <node/headers_presync.h>

#include <common/chainparams.h>
#include <consensus/block.h>
#include <consensus/pow.h>

#include <gtest/gtest.h>

#include <vector>

namespace {

using node::HeadersPresync;

// Regtest headers on `parent`, proof of work ground (about two tries each); `salt`
// makes chains that differ.
std::vector<consensus::BlockHeader> MakeChain(const consensus::BlockHeader& parent, size_t count,
                                              const consensus::ConsensusParams& params,
                                              uint8_t salt = 0)
{
    std::vector<consensus::BlockHeader> out;
    consensus::BlockHeader prev = parent;
    for (size_t i = 0; i < count; ++i) {
        consensus::BlockHeader header;
        header.version = 4;
        header.prev_block = prev.GetHash();
        header.merkle_root.begin()[0] = salt;
        header.time = prev.time + 600;
        header.bits = prev.bits;
        while (!consensus::CheckProofOfWork(header.GetHash(), header.bits, params))
            ++header.nonce;
        out.push_back(header);
        prev = header;
    }
    return out;
}

std::vector<consensus::BlockHeader> Slice(const std::vector<consensus::BlockHeader>& all,
                                          size_t from, size_t to)
{
    return {all.begin() + static_cast<long>(from), all.begin() + static_cast<long>(to)};
}

class HeadersPresyncTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_chain_params = common::ChainParams::RegTest();
        m_genesis = m_chain_params->GenesisBlock().header;
        m_chain = MakeChain(m_genesis, 2500, Params());
    }
    const consensus::ConsensusParams& Params() const { return m_chain_params->GetConsensus(); }
    // Work of `n` regtest headers on top of genesis, plus genesis itself.
    consensus::ArithUint256 WorkOf(uint64_t n) const
    {
        return consensus::GetBlockProof(m_genesis.bits) * consensus::ArithUint256{n + 1};
    }
    HeadersPresync Make(const consensus::ArithUint256& threshold, int64_t now = 0)
    {
        const int64_t mtp = m_genesis.time;
        return HeadersPresync{m_genesis.GetHash(),
                              consensus::GetBlockProof(m_genesis.bits),
                              mtp,
                              threshold,
                              Params(),
                              now == 0 ? mtp + 10 * 365 * 24 * 3600 : now};
    }

    std::unique_ptr<const common::ChainParams> m_chain_params;
    consensus::BlockHeader m_genesis;
    std::vector<consensus::BlockHeader> m_chain;
};

TEST_F(HeadersPresyncTest, RegtestHeadersEachAddTwo)
{
    // The arithmetic the other tests rely on, computed independently: 2^256 / (2^255 + 1).
    EXPECT_EQ(consensus::GetBlockProof(m_genesis.bits), consensus::ArithUint256{2});
}

TEST_F(HeadersPresyncTest, ChainEndingBelowTheThresholdIsDroppedWhole)
{
    HeadersPresync presync = Make(WorkOf(3000));
    auto first = presync.Process(Slice(m_chain, 0, 2000), /*full=*/true);
    EXPECT_FALSE(first.abort);
    EXPECT_TRUE(first.release.empty());
    ASSERT_TRUE(first.continue_after);
    EXPECT_EQ(*first.continue_after, m_chain[1999].GetHash());
    EXPECT_EQ(presync.PresyncedCount(), 2000u);

    auto second = presync.Process(Slice(m_chain, 2000, 2500), /*full=*/false);
    ASSERT_TRUE(second.abort);
    EXPECT_TRUE(second.release.empty());
    EXPECT_EQ(presync.GetPhase(), HeadersPresync::Phase::PRESYNC);
}

TEST_F(HeadersPresyncTest, EnoughWorkIsFetchedAgainAndReleasedByCheckpoint)
{
    HeadersPresync presync = Make(WorkOf(2300));
    auto first = presync.Process(Slice(m_chain, 0, 2000), true);
    ASSERT_FALSE(first.abort);
    EXPECT_TRUE(first.release.empty());
    auto second = presync.Process(Slice(m_chain, 2000, 2500), false);
    ASSERT_FALSE(second.abort);
    EXPECT_TRUE(second.restart_from_fork);
    EXPECT_TRUE(second.release.empty()); // nothing stored in the first pass
    EXPECT_EQ(presync.GetPhase(), HeadersPresync::Phase::REDOWNLOAD);
    EXPECT_EQ(presync.PresyncedCount(), 2300u);

    std::vector<consensus::BlockHeader> released;
    auto third = presync.Process(Slice(m_chain, 0, 2000), true);
    ASSERT_FALSE(third.abort);
    EXPECT_EQ(third.release.size(), 2000u); // two checkpoints passed
    EXPECT_FALSE(third.done);
    ASSERT_TRUE(third.continue_after);
    released.insert(released.end(), third.release.begin(), third.release.end());

    auto fourth = presync.Process(Slice(m_chain, 2000, 2500), false);
    ASSERT_FALSE(fourth.abort);
    EXPECT_TRUE(fourth.done);
    EXPECT_FALSE(fourth.continue_after);
    released.insert(released.end(), fourth.release.begin(), fourth.release.end());
    ASSERT_EQ(released.size(), m_chain.size());
    for (size_t i = 0; i < released.size(); ++i)
        EXPECT_EQ(released[i].GetHash(), m_chain[i].GetHash()) << i;
}

TEST_F(HeadersPresyncTest, DifferentChainOnRedownloadIsRefusedBeforeAnythingIsReleased)
{
    HeadersPresync presync = Make(WorkOf(1500));
    auto first = presync.Process(Slice(m_chain, 0, 2000), true);
    ASSERT_TRUE(first.restart_from_fork);
    const auto other = MakeChain(m_genesis, 1200, Params(), /*salt=*/1);
    auto second = presync.Process(other, false);
    ASSERT_TRUE(second.abort);
    EXPECT_TRUE(second.release.empty());
}

TEST_F(HeadersPresyncTest, BrokenChainsAreRefused)
{
    // A header that does not follow the previous one.
    HeadersPresync gap = Make(WorkOf(3000));
    auto gapped = Slice(m_chain, 0, 10);
    gapped.erase(gapped.begin() + 5);
    EXPECT_TRUE(gap.Process(gapped, true).abort);

    // A header whose hash misses its target.
    HeadersPresync pow = Make(WorkOf(3000));
    auto bad = Slice(m_chain, 0, 10);
    while (consensus::CheckProofOfWork(bad[9].GetHash(), bad[9].bits, Params()))
        ++bad[9].nonce;
    EXPECT_TRUE(pow.Process(bad, true).abort);

    // More headers than 6 a second since the fork allows: here 600 at most.
    HeadersPresync fast = Make(WorkOf(3000), m_genesis.time - 2 * 3600 + 100);
    auto outcome = fast.Process(Slice(m_chain, 0, 2000), true);
    ASSERT_TRUE(outcome.abort);
    EXPECT_NE(outcome.abort->find("time"), std::string::npos);
}

} // namespace
