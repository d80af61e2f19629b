// Fee estimation on synthetic mempool histories: each test drives the estimator with
// transactions whose confirmation delays are chosen by the test, so the expected answers
// follow from the method (success thresholds 60/85/95% at target/2, target, 2*target).
#include <consensus/hash.h>
#include <kernel/fee_estimator.h>
#include <testutil/test_dir.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

using kernel::EstimateMode;
using kernel::FeeEstimate;
using kernel::FeeEstimator;

constexpr int64_t VSIZE = 250;
// Fee rates (sat/kvB) that are exact for VSIZE and lie in well separated buckets.
constexpr consensus::Amount HIGH = 100'000;
constexpr consensus::Amount MID = 20'000;
constexpr consensus::Amount LOW = 4'000;
constexpr unsigned START_HEIGHT = 100;

// Drives an estimator as the mempool would: transactions enter at the current tip height
// and are confirmed (or evicted) a chosen number of blocks later.
class Sim
{
public:
    explicit Sim(std::filesystem::path file = "unused_fee_estimates.dat") : m_est{std::move(file)}
    {
        // The estimator only tracks entries made at the height of the last block it saw.
        m_est.ProcessBlock(m_height, {});
    }

    FeeEstimator& Est() { return m_est; }
    unsigned Height() const { return m_height; }

    // `count` transactions at `rate` sat/kvB confirming `delay` blocks after entry.
    void AddConfirming(consensus::Amount rate, int count, unsigned delay, bool valid = true)
    {
        for (int i = 0; i < count; ++i) {
            const auto txid = NextTxid();
            m_est.ProcessTransaction(txid, rate * VSIZE / 1000, VSIZE, m_height, valid);
            m_confirm_at[m_height + delay].push_back(txid);
        }
    }

    // `count` transactions at `rate` that leave the mempool unconfirmed after `age` blocks
    // (age 0: before the next block).
    void AddEvicted(consensus::Amount rate, int count, unsigned age, bool valid = true)
    {
        for (int i = 0; i < count; ++i) {
            const auto txid = NextTxid();
            m_est.ProcessTransaction(txid, rate * VSIZE / 1000, VSIZE, m_height, valid);
            if (age == 0) {
                m_est.RemoveTransaction(txid);
            } else {
                m_evict_at[m_height + age].push_back(txid);
            }
        }
    }

    void Mine()
    {
        ++m_height;
        m_est.ProcessBlock(m_height, m_confirm_at[m_height]);
        m_confirm_at.erase(m_height);
        for (const auto& txid : m_evict_at[m_height])
            m_est.RemoveTransaction(txid);
        m_evict_at.erase(m_height);
    }

    // Mines until every scheduled confirmation and eviction has happened.
    void Drain()
    {
        while (!m_confirm_at.empty() || !m_evict_at.empty())
            Mine();
    }

private:
    consensus::Uint256 NextTxid()
    {
        consensus::Uint256 id;
        ++m_counter;
        std::memcpy(id.data(), &m_counter, sizeof(m_counter));
        return id;
    }

    FeeEstimator m_est;
    unsigned m_height{START_HEIGHT};
    uint64_t m_counter{0};
    std::map<unsigned, std::vector<consensus::Uint256>> m_confirm_at;
    std::map<unsigned, std::vector<consensus::Uint256>> m_evict_at;
};

// 200 blocks: 10 transactions per block at HIGH confirm in 1 block, at MID in 3, at LOW in 10.
void ThreeTierHistory(Sim& sim, int blocks = 200)
{
    for (int i = 0; i < blocks; ++i) {
        sim.AddConfirming(HIGH, 10, 1);
        sim.AddConfirming(MID, 10, 3);
        sim.AddConfirming(LOW, 10, 10);
        sim.Mine();
    }
}

consensus::Amount Rate(const std::optional<FeeEstimate>& e)
{
    return e ? e->feerate.GetFeePerK() : -1;
}

// Upper bounds of the fee rate buckets as the method defines them: 1000 sat/kvB times
// powers of 1.05 up to 1e7.
std::vector<double> BucketBounds()
{
    std::vector<double> b;
    for (double x = 1000; x <= 1e7; x *= 1.05)
        b.push_back(x);
    return b;
}

// Index of the bucket holding `rate` (the first bound at or above it).
size_t BucketOf(double rate)
{
    const auto b = BucketBounds();
    size_t i = 0;
    while (i < b.size() && b[i] < rate)
        ++i;
    return i;
}

TEST(FeeEstimatorTest, NoDataGivesNothing)
{
    Sim sim;
    EXPECT_EQ(sim.Est().HighestTargetTracked(), 0);
    for (int target : {1, 2, 6, 25, 1008}) {
        EXPECT_FALSE(sim.Est().EstimateSmartFee(target, EstimateMode::ECONOMICAL)) << target;
        EXPECT_FALSE(sim.Est().EstimateSmartFee(target, EstimateMode::CONSERVATIVE)) << target;
    }
    // Three blocks of data: half the span (one block) is below the smallest usable target.
    ThreeTierHistory(sim, 3);
    EXPECT_EQ(sim.Est().HighestTargetTracked(), 1);
    EXPECT_FALSE(sim.Est().EstimateSmartFee(2, EstimateMode::ECONOMICAL));
    EXPECT_FALSE(sim.Est().EstimateSmartFee(2, EstimateMode::CONSERVATIVE));
}

TEST(FeeEstimatorTest, SyntheticHistoryLandsInTheRightBuckets)
{
    Sim sim;
    ThreeTierHistory(sim);
    auto& est = sim.Est();

    // Recording started with the block after START_HEIGHT; half the observed span is usable.
    const int usable = static_cast<int>((sim.Height() - (START_HEIGHT + 1)) / 2);
    EXPECT_EQ(usable, 99);
    EXPECT_EQ(est.HighestTargetTracked(), usable);

    const auto t1 = est.EstimateSmartFee(1, EstimateMode::ECONOMICAL);
    const auto t2 = est.EstimateSmartFee(2, EstimateMode::ECONOMICAL);
    const auto t6 = est.EstimateSmartFee(6, EstimateMode::ECONOMICAL);
    const auto t25 = est.EstimateSmartFee(25, EstimateMode::ECONOMICAL);
    ASSERT_TRUE(t1 && t2 && t6 && t25);
    // Only HIGH confirms within 1-2 blocks; MID within 3 (60% at 6/2); LOW within 10 (60% at
    // 25/2, 85% at 25, 95% at 50). Each bucket holds one rate, so its average is that rate.
    EXPECT_EQ(t1->feerate.GetFeePerK(), HIGH);
    EXPECT_EQ(t2->feerate.GetFeePerK(), HIGH);
    EXPECT_EQ(t6->feerate.GetFeePerK(), MID);
    EXPECT_EQ(t25->feerate.GetFeePerK(), LOW);
    EXPECT_EQ(BucketOf(static_cast<double>(t6->feerate.GetFeePerK())), BucketOf(MID));
    EXPECT_NE(BucketOf(MID), BucketOf(HIGH));
    EXPECT_NE(BucketOf(MID), BucketOf(LOW));
    // Target 1 is answered for 2; others for themselves.
    EXPECT_EQ(t1->returned_target, 2);
    EXPECT_EQ(t2->returned_target, 2);
    EXPECT_EQ(t6->returned_target, 6);
    EXPECT_EQ(t25->returned_target, 25);

    // A target beyond the usable span is answered for the span.
    const auto far = est.EstimateSmartFee(1008, EstimateMode::ECONOMICAL);
    ASSERT_TRUE(far);
    EXPECT_EQ(far->returned_target, usable);
    EXPECT_EQ(far->feerate.GetFeePerK(), LOW);

    // Out of range targets.
    EXPECT_FALSE(est.EstimateSmartFee(0, EstimateMode::ECONOMICAL));
    EXPECT_FALSE(est.EstimateSmartFee(-3, EstimateMode::CONSERVATIVE));
    EXPECT_FALSE(est.EstimateSmartFee(1009, EstimateMode::ECONOMICAL));

    // Monotone (never rising) in the target, and conservative never below economical.
    consensus::Amount prev_econ = Rate(t1);
    consensus::Amount prev_cons = Rate(est.EstimateSmartFee(1, EstimateMode::CONSERVATIVE));
    for (int target = 1; target <= 1008; ++target) {
        const auto econ = est.EstimateSmartFee(target, EstimateMode::ECONOMICAL);
        const auto cons = est.EstimateSmartFee(target, EstimateMode::CONSERVATIVE);
        ASSERT_TRUE(econ && cons) << target;
        EXPECT_LE(econ->feerate.GetFeePerK(), prev_econ) << target;
        EXPECT_LE(cons->feerate.GetFeePerK(), prev_cons) << target;
        EXPECT_GE(cons->feerate, econ->feerate) << target;
        EXPECT_GE(econ->feerate.GetFeePerK(), LOW) << target;
        prev_econ = econ->feerate.GetFeePerK();
        prev_cons = cons->feerate.GetFeePerK();
    }
}

TEST(FeeEstimatorTest, ConservativeRemembersSlowerLongHorizon)
{
    Sim sim;
    // A long stretch where MID needed 20 blocks, then a recent one where it confirms at once.
    for (int i = 0; i < 300; ++i) {
        sim.AddConfirming(HIGH, 10, 1);
        sim.AddConfirming(MID, 10, 20);
        sim.Mine();
    }
    for (int i = 0; i < 100; ++i) {
        sim.AddConfirming(HIGH, 10, 1);
        sim.AddConfirming(MID, 10, 1);
        sim.Mine();
    }
    const auto econ = sim.Est().EstimateSmartFee(6, EstimateMode::ECONOMICAL);
    const auto cons = sim.Est().EstimateSmartFee(6, EstimateMode::CONSERVATIVE);
    ASSERT_TRUE(econ && cons);
    // The short horizon has forgotten; the medium and long ones still see MID failing 95%
    // within 12 blocks, which the conservative mode requires.
    EXPECT_EQ(econ->feerate.GetFeePerK(), MID);
    EXPECT_EQ(cons->feerate.GetFeePerK(), HIGH);
    EXPECT_GT(cons->feerate, econ->feerate);
    EXPECT_EQ(cons->returned_target, 6);
}

TEST(FeeEstimatorTest, DecayForgetsOldBehaviour)
{
    Sim sim;
    for (int i = 0; i < 200; ++i) {
        sim.AddConfirming(HIGH, 10, 1);
        sim.AddConfirming(MID, 10, 10);
        sim.Mine();
    }
    EXPECT_EQ(Rate(sim.Est().EstimateSmartFee(2, EstimateMode::ECONOMICAL)), HIGH);
    // MID now confirms at once; a short-horizon target follows after enough blocks.
    for (int i = 0; i < 200; ++i) {
        sim.AddConfirming(HIGH, 10, 1);
        sim.AddConfirming(MID, 10, 1);
        sim.Mine();
    }
    EXPECT_EQ(Rate(sim.Est().EstimateSmartFee(2, EstimateMode::ECONOMICAL)), MID);
}

// HIGH and MID confirm in one block; `evict` adds MID transactions removed unconfirmed.
consensus::Amount EstimateWithEvictions(int evict_count, unsigned evict_age, bool evict_valid)
{
    Sim sim;
    for (int i = 0; i < 200; ++i) {
        sim.AddConfirming(HIGH, 10, 1);
        sim.AddConfirming(MID, 10, 1);
        sim.AddEvicted(MID, evict_count, evict_age, evict_valid);
        sim.Mine();
    }
    return Rate(sim.Est().EstimateSmartFee(2, EstimateMode::ECONOMICAL));
}

TEST(FeeEstimatorTest, RemovedWithoutConfirmingCountsAsFailure)
{
    // Control: MID always confirms in one block.
    EXPECT_EQ(EstimateWithEvictions(0, 0, true), MID);
    // As many MID transactions are evicted after 5 blocks as confirm: MID succeeds at most
    // half the time, below every threshold, so the estimate rises to HIGH.
    EXPECT_EQ(EstimateWithEvictions(10, 5, true), HIGH);
    // Removed before any block passed: not a failure (it never had a chance to confirm).
    EXPECT_EQ(EstimateWithEvictions(10, 0, true), MID);
    // Transactions not valid for estimation are never tracked, so evicting them is harmless.
    EXPECT_EQ(EstimateWithEvictions(10, 5, false), MID);
}

TEST(FeeEstimatorTest, EntriesAtAStaleHeightAreIgnored)
{
    Sim sim;
    for (int i = 0; i < 200; ++i) {
        sim.AddConfirming(HIGH, 10, 1);
        sim.AddConfirming(MID, 10, 1);
        // Claimed entry height one below the estimator's tip: not tracked, so its removal
        // after blocks have passed cannot count as a failure.
        for (int j = 0; j < 20; ++j) {
            consensus::Uint256 id;
            id.data()[31] = 0xee;
            id.data()[0] = static_cast<uint8_t>(j);
            id.data()[1] = static_cast<uint8_t>(i);
            sim.Est().ProcessTransaction(id, MID * VSIZE / 1000, VSIZE, sim.Height() - 1, true);
        }
        sim.Mine();
        sim.Mine();
        for (int j = 0; j < 20; ++j) {
            consensus::Uint256 id;
            id.data()[31] = 0xee;
            id.data()[0] = static_cast<uint8_t>(j);
            id.data()[1] = static_cast<uint8_t>(i);
            sim.Est().RemoveTransaction(id);
        }
    }
    EXPECT_EQ(Rate(sim.Est().EstimateSmartFee(2, EstimateMode::ECONOMICAL)), MID);
}

std::string ReadAll(const std::filesystem::path& p)
{
    std::ifstream in{p, std::ios::binary};
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

void WriteAll(const std::filesystem::path& p, const std::string& s)
{
    std::ofstream out{p, std::ios::binary | std::ios::trunc};
    out.write(s.data(), static_cast<std::streamsize>(s.size()));
}

// Estimates in both modes over a spread of targets, for comparing two estimators.
std::vector<std::pair<consensus::Amount, int>> AllEstimates(const FeeEstimator& est)
{
    std::vector<std::pair<consensus::Amount, int>> out;
    // Every target up to 60, then a sample (each call walks all buckets of three horizons).
    for (int target = 0; target <= 1009; target += target < 60 ? 1 : 13) {
        for (auto mode : {EstimateMode::ECONOMICAL, EstimateMode::CONSERVATIVE}) {
            const auto e = est.EstimateSmartFee(target, mode);
            out.emplace_back(Rate(e), e ? e->returned_target : -1);
        }
    }
    return out;
}

// Whether `est` answers nothing at all (a fresh estimator).
bool IsEmpty(const FeeEstimator& est)
{
    return est.HighestTargetTracked() == 0 && !est.EstimateSmartFee(2, EstimateMode::ECONOMICAL) &&
           !est.EstimateSmartFee(2, EstimateMode::CONSERVATIVE);
}

// A valid file from a three-tier history with no transactions left unconfirmed.
std::string MakeValidFile(const std::filesystem::path& file)
{
    Sim sim{file};
    ThreeTierHistory(sim, 60);
    sim.Drain();
    EXPECT_TRUE(sim.Est().Flush());
    return ReadAll(file);
}

TEST(FeeEstimatorTest, PersistenceRoundTrip)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "fee_estimates.dat";
    Sim sim{file};
    ThreeTierHistory(sim);
    sim.Drain();
    const auto before = AllEstimates(sim.Est());
    ASSERT_EQ(Rate(sim.Est().EstimateSmartFee(6, EstimateMode::ECONOMICAL)), MID);

    auto flushed = sim.Est().Flush();
    ASSERT_TRUE(flushed) << flushed.error().message;
    EXPECT_TRUE(std::filesystem::exists(file));
    // Written through a temporary file that the rename consumed.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator{dir.Path()},
                            std::filesystem::directory_iterator{}),
              1);

    FeeEstimator loaded{file};
    EXPECT_TRUE(IsEmpty(loaded)); // the constructor does not read the file
    auto res = loaded.Load();
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(loaded.HighestTargetTracked(), sim.Est().HighestTargetTracked());
    EXPECT_EQ(AllEstimates(loaded), before);

    // Flushing the loaded state again gives the same bytes.
    const std::string first = ReadAll(file);
    ASSERT_TRUE(loaded.Flush());
    EXPECT_EQ(ReadAll(file), first);
}

TEST(FeeEstimatorTest, MissingFileIsFine)
{
    testutil::TempDir dir;
    FeeEstimator est{dir.Path() / "fee_estimates.dat"};
    EXPECT_TRUE(est.Load());
    EXPECT_TRUE(IsEmpty(est));
}

TEST(FeeEstimatorTest, TruncatedFilesAreRejected)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "fee_estimates.dat";
    const std::string good = MakeValidFile(file);
    ASSERT_GT(good.size(), 1000u);

    std::vector<size_t> lengths;
    for (size_t n = 0; n < 200; ++n)
        lengths.push_back(n);
    for (size_t n = 200; n < good.size(); n += 997)
        lengths.push_back(n);
    for (size_t n = good.size() - 40; n < good.size(); ++n)
        lengths.push_back(n);
    for (size_t n : lengths) {
        WriteAll(file, good.substr(0, n));
        FeeEstimator est{file};
        EXPECT_FALSE(est.Load()) << "length " << n;
        EXPECT_TRUE(IsEmpty(est)) << "length " << n;
    }
    // Sanity: the untouched file loads.
    WriteAll(file, good);
    FeeEstimator est{file};
    EXPECT_TRUE(est.Load());
    EXPECT_FALSE(IsEmpty(est));
}

TEST(FeeEstimatorTest, FlippedBitsAreRejected)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "fee_estimates.dat";
    const std::string good = MakeValidFile(file);

    std::vector<size_t> positions;
    for (size_t i = 0; i < 64; ++i)
        positions.push_back(i);
    for (size_t i = 64; i < good.size(); i += 1009)
        positions.push_back(i);
    for (size_t i = good.size() - 40; i < good.size(); ++i)
        positions.push_back(i);
    for (size_t pos : positions) {
        std::string bad = good;
        bad[pos] = static_cast<char>(bad[pos] ^ (1 << (pos % 8)));
        WriteAll(file, bad);
        FeeEstimator est{file};
        const auto res = est.Load();
        EXPECT_FALSE(res) << "byte " << pos;
        EXPECT_TRUE(IsEmpty(est)) << "byte " << pos;
    }
    // Extra bytes after the checksum.
    WriteAll(file, good + "x");
    FeeEstimator est{file};
    EXPECT_FALSE(est.Load());
    EXPECT_TRUE(IsEmpty(est));
}

// Replaces the trailing SHA-256d so that only the content checks can object.
std::string Reseal(std::string body_and_old_sum)
{
    body_and_old_sum.resize(body_and_old_sum.size() - 32);
    const auto sum = consensus::Hash256(
        {reinterpret_cast<const uint8_t*>(body_and_old_sum.data()), body_and_old_sum.size()});
    body_and_old_sum.append(reinterpret_cast<const char*>(sum.data()), sum.size());
    return body_and_old_sum;
}

TEST(FeeEstimatorTest, WellSealedBadContentIsRejected)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "fee_estimates.dat";
    const std::string good = MakeValidFile(file);
    // Layout: magic(8) version(4) best(4) first(4) last(4) bucket count(4) buckets(8 each),
    // then per horizon decay(8) scale(4) periods(4) and the statistics.
    const size_t buckets = BucketBounds().size() + 1; // plus the unbounded top bucket
    const size_t first_stat = 28 + 8 * buckets + 16;

    auto expect_rejected = [&](std::string bad, const std::string& why) {
        WriteAll(file, Reseal(std::move(bad)));
        FeeEstimator est{file};
        const auto res = est.Load();
        ASSERT_FALSE(res) << why;
        EXPECT_NE(res.error().message.find(why), std::string::npos) << res.error().message;
        EXPECT_TRUE(IsEmpty(est));
    };

    // Sanity: resealing an untouched file keeps it valid.
    WriteAll(file, Reseal(good));
    {
        FeeEstimator est{file};
        EXPECT_TRUE(est.Load());
    }

    std::string v = good;
    v[8] = 2; // a future version
    expect_rejected(v, "unsupported version 2");

    std::string range = good;
    for (size_t i = 16; i < 20; ++i)
        range[i] = '\xff'; // history starting after it ends
    expect_rejected(range, "invalid block range");

    std::string count = good;
    count[24] = static_cast<char>(count[24] + 1);
    expect_rejected(count, "buckets");

    std::string negative = good;
    const double minus_one = -1.0;
    std::memcpy(negative.data() + first_stat, &minus_one, 8);
    expect_rejected(negative, "bad fee rate sum");

    std::string decay = good;
    const double other_decay = 0.5;
    std::memcpy(decay.data() + 28 + 8 * buckets, &other_decay, 8);
    expect_rejected(decay, "unexpected parameters");

    std::string longer = good;
    longer.insert(longer.size() - 32, "\0\0\0\0", 4);
    expect_rejected(longer, "trailing data");

    std::string foreign = "not a fee estimates file at all, just some text";
    WriteAll(file, foreign);
    FeeEstimator est{file};
    EXPECT_FALSE(est.Load());
    EXPECT_TRUE(IsEmpty(est));
}

TEST(FeeEstimatorTest, FailedLoadKeepsCurrentState)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "fee_estimates.dat";
    Sim sim{file};
    ThreeTierHistory(sim);
    const auto before = AllEstimates(sim.Est());
    WriteAll(file, "garbage");
    EXPECT_FALSE(sim.Est().Load());
    EXPECT_EQ(AllEstimates(sim.Est()), before);
}

TEST(FeeEstimatorTest, FlushToMissingDirectoryFailsCleanly)
{
    testutil::TempDir dir;
    Sim sim{dir.Path() / "no_such_dir" / "fee_estimates.dat"};
    ThreeTierHistory(sim, 20);
    const auto res = sim.Est().Flush();
    ASSERT_FALSE(res);
    EXPECT_NE(res.error().message.find("no_such_dir"), std::string::npos);
}

} // namespace
