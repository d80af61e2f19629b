// Proof of work: target derivation, block proof, retargeting on every network,
// PermittedDifficultyTransition, the BIP94 timewarp rule, and the real mainnet
// headers 1..255.
#include <consensus/block.h>
#include <consensus/pow.h>
#include <consensus/serialize.h>

#include "test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

using namespace consensus;

namespace {

constexpr uint32_t MAINNET_LIMIT_BITS = 0x1d00ffff;
constexpr uint32_t REGTEST_LIMIT_BITS = 0x207fffff;
constexpr int64_t INTERVAL = 2016;
constexpr int64_t MAINNET_GENESIS_TIME = 1231006505;

Uint256 HashFromHex(const std::string& hex)
{
    const auto h = Uint256::FromHex(hex);
    EXPECT_TRUE(h) << "bad test hex " << hex;
    return h.value_or(Uint256{});
}

// Chain params are built by hand here: only the proof-of-work fields matter.
ConsensusParams MainnetParams()
{
    ConsensusParams p;
    p.pow_limit = HashFromHex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    p.pow_target_spacing = 10 * 60;
    p.pow_target_timespan = 14 * 24 * 60 * 60;
    return p;
}

ConsensusParams Testnet3Params()
{
    ConsensusParams p = MainnetParams();
    p.pow_allow_min_difficulty_blocks = true;
    return p;
}

ConsensusParams Testnet4Params()
{
    ConsensusParams p = Testnet3Params();
    p.enforce_bip94 = true;
    return p;
}

ConsensusParams RegtestParams()
{
    ConsensusParams p = MainnetParams();
    p.pow_limit = HashFromHex("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    p.pow_allow_min_difficulty_blocks = true;
    p.pow_no_retargeting = true;
    return p;
}

// Ancestors known at a few heights only; asking for any other height fails the
// test, which pins down exactly which blocks a rule looks at.
class SparseChain : public HeaderChainView
{
public:
    void Set(int height, uint32_t bits, int64_t time) { m_headers[height] = {bits, time}; }
    uint32_t BitsAt(int height) const override { return Find(height).first; }
    int64_t TimeAt(int height) const override { return Find(height).second; }

private:
    std::pair<uint32_t, int64_t> Find(int height) const
    {
        const auto it = m_headers.find(height);
        if (it == m_headers.end()) {
            ADD_FAILURE() << "unexpected ancestor lookup at height " << height;
            return {0, 0};
        }
        return it->second;
    }
    std::map<int, std::pair<uint32_t, int64_t>> m_headers;
};

// A contiguous chain from height 0.
class VectorChain : public HeaderChainView
{
public:
    void Push(uint32_t bits, int64_t time) { m_headers.emplace_back(bits, time); }
    int Height() const { return static_cast<int>(m_headers.size()) - 1; }
    uint32_t BitsAt(int height) const override { return At(height).first; }
    int64_t TimeAt(int height) const override { return At(height).second; }

private:
    std::pair<uint32_t, int64_t> At(int height) const
    {
        if (height < 0 || height >= static_cast<int>(m_headers.size())) {
            ADD_FAILURE() << "ancestor lookup out of range at height " << height;
            return {0, 0};
        }
        return m_headers[static_cast<size_t>(height)];
    }
    std::vector<std::pair<uint32_t, int64_t>> m_headers;
};

ArithUint256 TargetOf(uint32_t bits)
{
    ArithUint256 t;
    t.SetCompact(bits);
    return t;
}

} // namespace

// ---- targets and proof ------------------------------------------------------

TEST(PowTarget, DeriveTargetAcceptsOnlyPositiveTargetsWithinTheLimit)
{
    const auto params = MainnetParams();
    const auto genesis = DeriveTarget(MAINNET_LIMIT_BITS, params.pow_limit);
    ASSERT_TRUE(genesis);
    EXPECT_EQ(genesis->GetHex(),
              "00000000ffff0000000000000000000000000000000000000000000000000000");
    EXPECT_TRUE(DeriveTarget(0x1c0168fd, params.pow_limit));
    EXPECT_TRUE(DeriveTarget(0x01010000, params.pow_limit));  // target 1
    EXPECT_FALSE(DeriveTarget(0, params.pow_limit));          // zero
    EXPECT_FALSE(DeriveTarget(0x01003456, params.pow_limit)); // rounds to zero
    EXPECT_FALSE(DeriveTarget(0x04923456, params.pow_limit)); // negative
    EXPECT_FALSE(DeriveTarget(0xff123456, params.pow_limit)); // overflow
    EXPECT_FALSE(DeriveTarget(0x1d010000, params.pow_limit)); // 2^224 > limit
    EXPECT_FALSE(DeriveTarget(0x1e00ffff, params.pow_limit));
    EXPECT_FALSE(DeriveTarget(REGTEST_LIMIT_BITS, params.pow_limit));
    EXPECT_TRUE(DeriveTarget(REGTEST_LIMIT_BITS, RegtestParams().pow_limit));
}

TEST(PowCheck, MainnetGenesisAndNeighbours)
{
    const auto params = MainnetParams();
    const Uint256 genesis =
        HashFromHex("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    EXPECT_TRUE(CheckProofOfWork(genesis, MAINNET_LIMIT_BITS, params));
    // The same hash with a higher leading byte no longer meets the target.
    EXPECT_FALSE(CheckProofOfWork(
        HashFromHex("000000010019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"),
        MAINNET_LIMIT_BITS, params));
    // Against a harder target the genesis hash fails: 0x0019d6... > 0x0000ff...
    EXPECT_FALSE(CheckProofOfWork(genesis, 0x1b00ffff, params));
    EXPECT_TRUE(CheckProofOfWork(genesis, 0x1b1a0000, params));

    // The comparison is inclusive.
    const Uint256 at_target =
        HashFromHex("00000000ffff0000000000000000000000000000000000000000000000000000");
    const Uint256 above_target =
        HashFromHex("00000000ffff0000000000000000000000000000000000000000000000000001");
    EXPECT_TRUE(CheckProofOfWork(at_target, MAINNET_LIMIT_BITS, params));
    EXPECT_FALSE(CheckProofOfWork(above_target, MAINNET_LIMIT_BITS, params));

    // Invalid bits fail even for the zero hash.
    const Uint256 zero{};
    EXPECT_TRUE(CheckProofOfWork(zero, MAINNET_LIMIT_BITS, params));
    EXPECT_FALSE(CheckProofOfWork(zero, 0x1d010000, params)); // easier than pow_limit
    EXPECT_FALSE(CheckProofOfWork(zero, REGTEST_LIMIT_BITS, params));
    EXPECT_FALSE(CheckProofOfWork(zero, 0, params));
    EXPECT_FALSE(CheckProofOfWork(zero, 0x04923456, params));
    EXPECT_FALSE(CheckProofOfWork(zero, 0xff123456, params));
    // Regtest's limit admits its own bits.
    EXPECT_TRUE(CheckProofOfWork(genesis, REGTEST_LIMIT_BITS, RegtestParams()));
}

TEST(PowProof, BlockProofIsTwoTo256OverTargetPlusOne)
{
    EXPECT_EQ(GetBlockProof(MAINNET_LIMIT_BITS), ArithUint256{0x100010001ULL});
    // 2^256 / (0x7fffff * 2^232 + 1) is just over 2.
    EXPECT_EQ(GetBlockProof(REGTEST_LIMIT_BITS), ArithUint256{2});
    // Target 1 -> 2^255; target 2^255 (0x21008000) -> 1.
    EXPECT_EQ(GetBlockProof(0x01010000), ArithUint256{1} << 255);
    EXPECT_EQ(GetBlockProof(0x21008000), ArithUint256{1});
    // A quarter of the target is four times the work.
    EXPECT_EQ(GetBlockProof(0x1c3fffc0), ArithUint256{0x400040004ULL});
    // Invalid bits carry no work.
    EXPECT_EQ(GetBlockProof(0), ArithUint256{});
    EXPECT_EQ(GetBlockProof(0x04923456), ArithUint256{});
    EXPECT_EQ(GetBlockProof(0xff123456), ArithUint256{});
}

// ---- mainnet retarget -------------------------------------------------------

namespace {

struct RetargetCase
{
    const char* name;
    int parent_height;
    int64_t parent_time;
    int64_t first_time;
    uint32_t bits;
    uint32_t expected;
};

// Real mainnet headers (parent = last block of a period), as in Bitcoin Core's pow tests.
const RetargetCase MAINNET_RETARGETS[] = {
    {"unclamped_32256", 32255, 1262152739, 1261130161, 0x1d00ffff, 0x1d00d86a},
    {"capped_at_pow_limit_2016", 2015, 1233061996, 1231006505, 0x1d00ffff, 0x1d00ffff},
    {"fastest_clamp_68544", 68543, 1279297671, 1279008237, 0x1c05a3f4, 0x1c0168fd},
    // The first time is made up so that the timespan exceeds four periods.
    {"slowest_clamp_46368", 46367, 1269211443, 1263163443, 0x1c387f6f, 0x1d00e1fd},
};

class PowMainnetRetarget : public ::testing::TestWithParam<RetargetCase>
{};

} // namespace

TEST_P(PowMainnetRetarget, CalculateAndGetNextWorkRequired)
{
    const RetargetCase& c = GetParam();
    const auto params = MainnetParams();
    EXPECT_EQ(CalculateNextWorkRequired(c.bits, c.parent_time, c.bits, c.first_time, params),
              c.expected);

    // Through the chain view: the window starts at the period's first block
    // (parent height - 2015), not one block earlier.
    SparseChain chain;
    chain.Set(c.parent_height - static_cast<int>(INTERVAL - 1), c.bits, c.first_time);
    EXPECT_EQ(GetNextWorkRequired(c.parent_height, c.parent_time, c.bits, c.parent_time + 600,
                                  chain, params),
              c.expected);
    // The new block's own time plays no part in a mainnet retarget.
    EXPECT_EQ(GetNextWorkRequired(c.parent_height, c.parent_time, c.bits, c.parent_time + 100'000,
                                  chain, params),
              c.expected);
}

INSTANTIATE_TEST_SUITE_P(PowCore, PowMainnetRetarget, ::testing::ValuesIn(MAINNET_RETARGETS),
                         [](const auto& info) { return std::string{info.param.name}; });

TEST(PowRetarget, MainnetKeepsBitsWithinAPeriod)
{
    const auto params = MainnetParams();
    const SparseChain no_lookups;
    for (int parent : {0, 1, 2014, 2016, 32254, 32256}) {
        // Late or early, the bits stay those of the parent.
        EXPECT_EQ(GetNextWorkRequired(parent, 1'300'000'000, 0x1c05a3f4, 1'300'100'000, no_lookups,
                                      params),
                  0x1c05a3f4U)
            << "parent " << parent;
    }
    // No parent at all: the genesis rule.
    EXPECT_EQ(GetNextWorkRequired(-1, 0, 0, MAINNET_GENESIS_TIME, no_lookups, params),
              MAINNET_LIMIT_BITS);
}

TEST(PowRetarget, ExactTimespanKeepsTargetAndClampsAreSymmetric)
{
    const auto params = MainnetParams();
    const int64_t span = params.pow_target_timespan;
    const uint32_t bits = 0x1b0404cb;
    EXPECT_EQ(CalculateNextWorkRequired(bits, 1'000'000 + span, bits, 1'000'000, params), bits);
    // Anything faster than a quarter period is treated as a quarter period.
    const uint32_t fastest =
        CalculateNextWorkRequired(bits, 1'000'000 + span / 4, bits, 1'000'000, params);
    EXPECT_EQ(CalculateNextWorkRequired(bits, 1'000'000, bits, 1'000'000, params), fastest);
    EXPECT_EQ(CalculateNextWorkRequired(bits, 1'000'000 - 5000, bits, 1'000'000, params), fastest);
    EXPECT_EQ(fastest, (TargetOf(bits) / ArithUint256{4}).GetCompact());
    // Anything slower than four periods is treated as four periods.
    const uint32_t slowest =
        CalculateNextWorkRequired(bits, 1'000'000 + 4 * span, bits, 1'000'000, params);
    EXPECT_EQ(CalculateNextWorkRequired(bits, 1'000'000 + 40 * span, bits, 1'000'000, params),
              slowest);
    EXPECT_EQ(slowest, (TargetOf(bits) * ArithUint256{4}).GetCompact());
    // Without BIP94 the first block's bits are ignored.
    EXPECT_EQ(CalculateNextWorkRequired(bits, 1'000'000 + span, 0x1d00ffff, 1'000'000, params),
              bits);
}

// ---- testnet min-difficulty rule -----------------------------------------------

namespace {

constexpr uint32_t REAL_BITS = 0x1c0fffff; // a "proper" testnet difficulty
constexpr uint32_t OLDER_BITS = 0x1c00ffff;

// Period 2 (heights 4032..) of a testnet chain; blocks 10 minutes apart.
VectorChain TestnetChain(const std::vector<uint32_t>& bits_from_4032)
{
    VectorChain chain;
    const int64_t start = 1'600'000'000;
    for (int h = 0; h < 4032; ++h)
        chain.Push(h == 4031 ? OLDER_BITS : REAL_BITS, start + h * 600);
    for (size_t i = 0; i < bits_from_4032.size(); ++i) {
        chain.Push(bits_from_4032[i], start + (4032 + static_cast<int64_t>(i)) * 600);
    }
    return chain;
}

uint32_t NextBits(const VectorChain& chain, int64_t delay, const ConsensusParams& params)
{
    const int parent = chain.Height();
    return GetNextWorkRequired(parent, chain.TimeAt(parent), chain.BitsAt(parent),
                               chain.TimeAt(parent) + delay, chain, params);
}

} // namespace

TEST(PowTestnet, LateBlockMayUseMinimumDifficulty)
{
    for (const auto& params : {Testnet3Params(), Testnet4Params()}) {
        const auto chain = TestnetChain({REAL_BITS, REAL_BITS});
        EXPECT_EQ(NextBits(chain, 2 * 600 + 1, params), MAINNET_LIMIT_BITS);
        EXPECT_EQ(NextBits(chain, 2 * 600, params), REAL_BITS); // exactly 20 minutes is not late
        EXPECT_EQ(NextBits(chain, 1, params), REAL_BITS);
        // Mainnet has no such rule.
        EXPECT_EQ(NextBits(chain, 2 * 600 + 1, MainnetParams()), REAL_BITS);
    }
}

TEST(PowTestnet, WalksBackOverMinimumDifficultyBlocks)
{
    const auto params = Testnet3Params();
    {
        const uint32_t mid = 0x1c0abcde;
        const auto chain = TestnetChain({REAL_BITS, mid, MAINNET_LIMIT_BITS, MAINNET_LIMIT_BITS});
        EXPECT_EQ(NextBits(chain, 60, params), mid);
    }
    {
        // Every block of the period so far is min-difficulty, including its
        // first: the walk stops there and does not reach height 4031.
        const auto chain =
            TestnetChain({MAINNET_LIMIT_BITS, MAINNET_LIMIT_BITS, MAINNET_LIMIT_BITS});
        EXPECT_EQ(NextBits(chain, 60, params), MAINNET_LIMIT_BITS);
    }
    {
        // Parent is the period's first block and has min-difficulty bits.
        const auto chain = TestnetChain({MAINNET_LIMIT_BITS});
        EXPECT_EQ(NextBits(chain, 60, params), MAINNET_LIMIT_BITS);
    }
    {
        // The walk also ends at genesis.
        VectorChain chain;
        for (int h = 0; h < 5; ++h)
            chain.Push(MAINNET_LIMIT_BITS, 1'600'000'000 + h * 600);
        EXPECT_EQ(NextBits(chain, 60, params), MAINNET_LIMIT_BITS);
    }
    {
        // A non-min-difficulty parent is returned directly.
        const auto chain = TestnetChain({REAL_BITS, MAINNET_LIMIT_BITS, OLDER_BITS});
        EXPECT_EQ(NextBits(chain, 60, params), OLDER_BITS);
    }
}

TEST(PowTestnet, RetargetHeightIgnoresLateness)
{
    // Parent at 6047 is the last block of period 2; the new block retargets even if late.
    std::vector<uint32_t> period(2016, REAL_BITS);
    const auto chain = TestnetChain(period);
    ASSERT_EQ(chain.Height(), 6047);
    // Blocks were 600 s apart, so 2015 intervals: just under the target timespan.
    const uint32_t expected = CalculateNextWorkRequired(REAL_BITS, chain.TimeAt(6047), REAL_BITS,
                                                        chain.TimeAt(4032), Testnet3Params());
    EXPECT_EQ(NextBits(chain, 100'000, Testnet3Params()), expected);
    EXPECT_NE(expected, MAINNET_LIMIT_BITS);
    EXPECT_EQ(expected, (TargetOf(REAL_BITS) * ArithUint256{2015 * 600} /
                         ArithUint256{static_cast<uint64_t>(INTERVAL * 600)})
                            .GetCompact());
}

// ---- BIP94 --------------------------------------------------------------------

TEST(PowBip94, RetargetScalesTheFirstBlocksTarget)
{
    // A period that ends in a min-difficulty block.
    std::vector<uint32_t> period(2016, REAL_BITS);
    period.back() = MAINNET_LIMIT_BITS;
    VectorChain chain = TestnetChain(period);
    ASSERT_EQ(chain.Height(), 6047);

    // testnet4 carries the real difficulty over (timespan 2015*600 -> slightly harder).
    const uint32_t bip94 = NextBits(chain, 60, Testnet4Params());
    EXPECT_EQ(bip94, (TargetOf(REAL_BITS) * ArithUint256{2015 * 600} /
                      ArithUint256{static_cast<uint64_t>(INTERVAL * 600)})
                         .GetCompact());
    EXPECT_EQ(bip94, 0x1c0ffdf6U);
    // testnet3 scales the min-difficulty bits of the last block instead.
    EXPECT_EQ(NextBits(chain, 60, Testnet3Params()), 0x1d00ffdeU);

    // Directly: half the timespan halves the first block's target under BIP94
    // and the last block's target otherwise.
    const int64_t half = Testnet4Params().pow_target_timespan / 2;
    EXPECT_EQ(CalculateNextWorkRequired(MAINNET_LIMIT_BITS, 1'000'000 + half, REAL_BITS, 1'000'000,
                                        Testnet4Params()),
              0x1c07ffffU);
    EXPECT_EQ(CalculateNextWorkRequired(MAINNET_LIMIT_BITS, 1'000'000 + half, REAL_BITS, 1'000'000,
                                        Testnet3Params()),
              0x1c7fff80U);
}

TEST(PowBip94, TimewarpRule)
{
    const auto testnet4 = Testnet4Params();
    const int64_t prev = 1'714'777'860;
    for (int height : {2016, 4032, 201'600}) {
        EXPECT_TRUE(CheckTimewarpRule(height, prev - MAX_TIMEWARP, prev, testnet4)) << height;
        EXPECT_TRUE(CheckTimewarpRule(height, prev + 1, prev, testnet4)) << height;
        EXPECT_FALSE(CheckTimewarpRule(height, prev - MAX_TIMEWARP - 1, prev, testnet4)) << height;
        // Networks without BIP94 do not check.
        EXPECT_TRUE(CheckTimewarpRule(height, prev - 100'000, prev, MainnetParams())) << height;
        EXPECT_TRUE(CheckTimewarpRule(height, prev - 100'000, prev, Testnet3Params())) << height;
    }
    // Only the first block of a period is constrained.
    for (int height : {1, 2015, 2017, 4031}) {
        EXPECT_TRUE(CheckTimewarpRule(height, prev - 100'000, prev, testnet4)) << height;
    }
    EXPECT_EQ(MAX_TIMEWARP, 600);
}

// ---- regtest ------------------------------------------------------------------

TEST(PowRegtest, NeverRetargets)
{
    const auto params = RegtestParams();
    EXPECT_EQ(ArithUint256{params.pow_limit}.GetCompact(), REGTEST_LIMIT_BITS);
    SparseChain chain;
    chain.Set(0, REGTEST_LIMIT_BITS, 1'296'688'602);
    // A retarget height with a far too fast period keeps the parent's bits.
    EXPECT_EQ(
        GetNextWorkRequired(2015, 1'296'688'603, REGTEST_LIMIT_BITS, 1'296'688'604, chain, params),
        REGTEST_LIMIT_BITS);
    EXPECT_EQ(CalculateNextWorkRequired(0x1d00ffff, 2'000'000, 0x1c0fffff, 1'000'000, params),
              0x1d00ffffU);
    EXPECT_EQ(
        CalculateNextWorkRequired(REGTEST_LIMIT_BITS, 100, REGTEST_LIMIT_BITS, 10'000'000, params),
        REGTEST_LIMIT_BITS);
    // Off retarget heights the min-difficulty rule still applies (regtest allows it).
    VectorChain short_chain;
    for (int h = 0; h < 6; ++h)
        short_chain.Push(REGTEST_LIMIT_BITS, 1'296'688'602 + h);
    EXPECT_EQ(GetNextWorkRequired(5, 1'296'688'607, REGTEST_LIMIT_BITS, 1'296'688'608, short_chain,
                                  params),
              REGTEST_LIMIT_BITS);
}

// ---- PermittedDifficultyTransition ------------------------------------------------

TEST(PowTransition, MainnetBounds)
{
    const auto params = MainnetParams();
    const int64_t retarget_height = 68544;
    const uint32_t old_bits = 0x1c05a3f4;
    // Hardest allowed: target / 4 = 0x0168fd...; easiest: target * 4 = 0x168fd0...
    EXPECT_TRUE(PermittedDifficultyTransition(params, retarget_height, old_bits, old_bits));
    EXPECT_TRUE(PermittedDifficultyTransition(params, retarget_height, old_bits, 0x1c0168fd));
    EXPECT_FALSE(PermittedDifficultyTransition(params, retarget_height, old_bits, 0x1c0168fc));
    EXPECT_TRUE(PermittedDifficultyTransition(params, retarget_height, old_bits, 0x1c168fd0));
    EXPECT_FALSE(PermittedDifficultyTransition(params, retarget_height, old_bits, 0x1c168fd1));
    EXPECT_FALSE(PermittedDifficultyTransition(params, retarget_height, old_bits, 0x1b0168fd));
    EXPECT_FALSE(PermittedDifficultyTransition(params, retarget_height, old_bits, 0x1d00ffff));

    // The easiest bound is compared after compact rounding: 0x387f6f * 4 = 0xe1fdbc
    // rounds to 0x1d00e1fd.
    EXPECT_TRUE(PermittedDifficultyTransition(params, 46368, 0x1c387f6f, 0x1d00e1fd));
    EXPECT_FALSE(PermittedDifficultyTransition(params, 46368, 0x1c387f6f, 0x1d00e1fe));

    // The hardest bound is rounded too: 0x05a3f5 / 4 is not whole, and the
    // retarget's own result (rounded down) must stay permitted.
    const uint32_t fastest =
        CalculateNextWorkRequired(0x1c05a3f5, 1'000'000, 0x1c05a3f5, 1'000'000, params);
    EXPECT_EQ(fastest, 0x1c0168fdU);
    EXPECT_TRUE(PermittedDifficultyTransition(params, retarget_height, 0x1c05a3f5, 0x1c0168fd));
    EXPECT_FALSE(PermittedDifficultyTransition(params, retarget_height, 0x1c05a3f5, 0x1c0168fc));

    // The easiest bound is capped at pow_limit.
    EXPECT_TRUE(
        PermittedDifficultyTransition(params, 2016, MAINNET_LIMIT_BITS, MAINNET_LIMIT_BITS));
    EXPECT_FALSE(PermittedDifficultyTransition(params, 2016, MAINNET_LIMIT_BITS, 0x1d010000));
    EXPECT_TRUE(PermittedDifficultyTransition(params, 2016, MAINNET_LIMIT_BITS, 0x1c3fffc0));
    EXPECT_FALSE(PermittedDifficultyTransition(params, 2016, MAINNET_LIMIT_BITS, 0x1c3fffbf));

    // Every real retarget result is permitted.
    for (const auto& c : MAINNET_RETARGETS) {
        EXPECT_TRUE(PermittedDifficultyTransition(params, c.parent_height + 1, c.bits, c.expected))
            << c.name;
    }

    // Off retarget heights the bits must not change at all.
    for (int64_t height : {int64_t{1}, int64_t{2015}, int64_t{2017}, int64_t{68545}}) {
        EXPECT_TRUE(PermittedDifficultyTransition(params, height, old_bits, old_bits)) << height;
        EXPECT_FALSE(PermittedDifficultyTransition(params, height, old_bits, 0x1c05a3f5)) << height;
        EXPECT_FALSE(PermittedDifficultyTransition(params, height, old_bits, 0x1c05a3f3)) << height;
    }
}

TEST(PowTransition, AnythingGoesWithMinDifficultyBlocks)
{
    for (const auto& params : {Testnet3Params(), Testnet4Params(), RegtestParams()}) {
        EXPECT_TRUE(PermittedDifficultyTransition(params, 5, 0x1c05a3f4, MAINNET_LIMIT_BITS));
        EXPECT_TRUE(PermittedDifficultyTransition(params, 2016, 0x1c05a3f4, 0x1a000001));
    }
}

// ---- the real chain -----------------------------------------------------------

namespace {

std::vector<BlockHeader> ReadMainnetHeaders1To255()
{
    std::ifstream in{testutil::TestDataPath("blocks/mainnet-blocks-1-255.dat"), std::ios::binary};
    const std::vector<uint8_t> file{std::istreambuf_iterator<char>(in), {}};
    EXPECT_FALSE(file.empty()) << "missing blocks/mainnet-blocks-1-255.dat";
    const uint8_t magic[4] = {0xf9, 0xbe, 0xb4, 0xd9};
    std::vector<BlockHeader> headers;
    size_t pos = 0;
    while (pos < file.size()) {
        if (file.size() - pos < 8 ||
            !std::equal(magic, magic + 4, file.begin() + static_cast<long>(pos))) {
            ADD_FAILURE() << "bad record at offset " << pos;
            break;
        }
        const uint32_t size = file[pos + 4] | (file[pos + 5] << 8) | (file[pos + 6] << 16) |
                              (static_cast<uint32_t>(file[pos + 7]) << 24);
        pos += 8;
        if (size < BlockHeader::SIZE || file.size() - pos < size) {
            ADD_FAILURE() << "bad record size at offset " << pos;
            break;
        }
        auto header = Decode<BlockHeader>(std::span{file}.subspan(pos, BlockHeader::SIZE));
        if (!header) {
            ADD_FAILURE() << "undecodable header at offset " << pos;
            break;
        }
        headers.push_back(*header);
        pos += size;
    }
    return headers;
}

} // namespace

TEST(PowMainnetChain, Headers1To255)
{
    const auto params = MainnetParams();
    const auto headers = ReadMainnetHeaders1To255();
    ASSERT_EQ(headers.size(), 255U);

    VectorChain chain;
    chain.Push(MAINNET_LIMIT_BITS, MAINNET_GENESIS_TIME);
    ArithUint256 chain_work = GetBlockProof(MAINNET_LIMIT_BITS);
    for (size_t i = 0; i < headers.size(); ++i) {
        const BlockHeader& h = headers[i];
        const int height = static_cast<int>(i) + 1;
        SCOPED_TRACE("height " + std::to_string(height));
        EXPECT_TRUE(CheckProofOfWork(h.GetHash(), h.bits, params));
        EXPECT_EQ(GetNextWorkRequired(chain.Height(), chain.TimeAt(chain.Height()),
                                      chain.BitsAt(chain.Height()), h.time, chain, params),
                  h.bits);
        EXPECT_TRUE(
            PermittedDifficultyTransition(params, height, chain.BitsAt(chain.Height()), h.bits));

        // Any other nonce breaks the proof (a chance of 2^-32 per header to pass).
        BlockHeader tampered = h;
        ++tampered.nonce;
        EXPECT_FALSE(CheckProofOfWork(tampered.GetHash(), tampered.bits, params));

        chain_work += GetBlockProof(h.bits);
        chain.Push(h.bits, h.time);
    }
    // 256 blocks (with genesis) at the genesis difficulty.
    EXPECT_EQ(chain_work, ArithUint256{0x100010001ULL} * ArithUint256{256});
    EXPECT_EQ(chain_work.GetHex(), std::string(53, '0') + "10001000100");
}
