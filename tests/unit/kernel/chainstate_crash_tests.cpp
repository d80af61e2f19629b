// Crash safety and damaged files. A crash is simulated after every coin batch
// of a UTXO flush in turn (one coin per batch), during a long flush, during
// flushes in the middle of a chain and in the middle of a reorg; after a
// restart without the hook and the rest of the blocks, the UTXO set must be
// the one of a node that never crashed. Damaged block files, a damaged
// chainstate table and a missing undo file must give named errors (never a
// different UTXO set), and -reindex / -reindex-chainstate must recover.
#include "chainstate_fixture.h"

#include <consensus/block.h>
#include <consensus/serialize.h>
#include <kernel/chainstate.h>
#include <storage/coins_db.h>
#include <testutil/test_dir.h>

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kernel_test {
namespace {

using consensus::Uint256;
using kernel::BlockIndex;
using kernel::ChainstateManager;

constexpr int BASE_HEIGHT = 103;

bool Contains(std::string text, std::string word)
{
    auto lower = [](std::string& s) {
        for (char& c : s)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    };
    lower(text);
    lower(word);
    return text.find(word) != std::string::npos;
}

// Shared between a test and the hook it installs: stops the coins write
// after the `at`-th batch counted over the life of the chainstate, once.
struct CrashPlan
{
    std::optional<size_t> at;
    size_t seen{0};
    bool fired{false};
};

// How a crashing run is driven.
struct RunSpec
{
    size_t cache_bytes{300 << 20}; //!< small: flush after every block connected
    bool flush_at_end{true};       //!< ForceFlush after the last block
};

class CrashTest : public BranchTest
{
protected:
    CrashTest() : BranchTest{11} {}

    void SetUp() override { ASSERT_NO_FATAL_FAILURE(GenerateBase(BASE_HEIGHT)); }

    // A datadir holding these blocks, flushed and closed.
    void MakeSeed(std::initializer_list<const Blocks*> segments)
    {
        auto node = Open(m_seed.Path());
        ASSERT_TRUE(node);
        for (const Blocks* segment : segments)
            ASSERT_NO_FATAL_FAILURE(Feed(*node, *segment));
        ASSERT_TRUE(node->ForceFlush());
    }

    void CopySeed(const std::filesystem::path& to) const
    {
        std::filesystem::copy(m_seed.Path(), to, std::filesystem::copy_options::recursive);
    }

    // One block on the branch spending its oldest coin into two P2WPKH outputs
    // and its newest into `fan` P2TR outputs; spent coins leave the pool, new ones join.
    void Extend(Branch& branch, size_t fan = 3) { ExtendBranch(branch, Fanning(fan)); }

    static ExtendSpec Fanning(size_t fan)
    {
        ExtendSpec spec;
        spec.fan = fan;
        return spec;
    }

    // Runs a copy of the seed with the hook armed at `at` (nullopt: count
    // only), feeding `blocks` until the chainstate stops. Returns the plan
    // (how many batches it saw, whether it fired) and how many blocks went in.
    struct Outcome
    {
        CrashPlan plan;
        size_t blocks_fed{0};
        std::string fatal;
    };
    Outcome RunUntilCrash(const std::filesystem::path& dir, const Blocks& blocks,
                          std::optional<size_t> at, const RunSpec& spec)
    {
        CopySeed(dir);
        auto plan = std::make_shared<CrashPlan>();
        plan->at = at;
        auto options = Options(dir);
        options.coins_batch_write_bytes = 1;
        options.coins_cache_bytes = spec.cache_bytes;
        options.crash_after_batch = [plan](size_t) {
            if (plan->fired) return false;
            if (plan->at && plan->seen == *plan->at) {
                plan->fired = true;
                return true;
            }
            ++plan->seen;
            return false;
        };
        Outcome outcome;
        auto node = Open(std::move(options));
        if (!node) return outcome;
        for (const auto& block : blocks) {
            if (node->FatalError()) break;
            consensus::BlockValidationState state;
            node->ProcessNewBlock(block, state);
            ++outcome.blocks_fed;
        }
        if (!node->FatalError() && spec.flush_at_end) (void)node->ForceFlush();
        if (node->FatalError()) outcome.fatal = node->FatalError()->message;
        node.reset();
        outcome.plan = *plan;
        return outcome;
    }

    // For every batch of the flushes that feeding `blocks` causes: crash there,
    // restart without the hook, feed everything, compare with `want`.
    void CrashAtEveryBatch(const Blocks& blocks, const RunSpec& spec,
                           const kernel::CoinsStats& want, std::set<size_t>* crash_points = nullptr)
    {
        size_t total = 0;
        {
            testutil::TempDir probe;
            const Outcome counted = RunUntilCrash(probe.Path(), blocks, std::nullopt, spec);
            ASSERT_TRUE(counted.fatal.empty()) << counted.fatal;
            total = counted.plan.seen;
        }
        // One coin per batch: a flush of these blocks has dozens of batches.
        ASSERT_GE(total, 20u);
        for (size_t k = 0; k <= total; ++k) {
            SCOPED_TRACE("crash after batch " + std::to_string(k) + " of " + std::to_string(total));
            testutil::TempDir dir;
            const Outcome crashed = RunUntilCrash(dir.Path(), blocks, k, spec);
            EXPECT_EQ(crashed.plan.fired, k < total);
            if (k < total) {
                EXPECT_TRUE(Contains(crashed.fatal, std::string{storage::SIMULATED_CRASH}))
                    << crashed.fatal;
                if (crash_points) crash_points->insert(crashed.blocks_fed);
                // The crash left a flush half done: 'H' names where it was going.
                storage::CoinsDBOptions db_options;
                db_options.path = dir.Path() / "chainstate";
                auto db = storage::CoinsDB::Open(std::move(db_options));
                ASSERT_TRUE(db) << db.error().message;
                auto heads = (*db)->GetHeadBlocks();
                ASSERT_TRUE(heads);
                EXPECT_EQ(heads->size(), 2u);
            } else {
                EXPECT_TRUE(crashed.fatal.empty()) << crashed.fatal;
            }

            auto node = Open(dir.Path());
            ASSERT_TRUE(node);
            ASSERT_NO_FATAL_FAILURE(Feed(*node, blocks));
            ASSERT_TRUE(node->ActivateBestChain());
            EXPECT_EQ(node->Tip()->hash, want.best_block);
            ExpectSameSet(Stats(*node), want);
        }
    }

    testutil::TempDir m_seed;
};

TEST_F(CrashTest, EveryBatchOfOneLargeFlush)
{
    Branch tail = StartBranch(false);
    for (int i = 0; i < 4; ++i)
        ASSERT_NO_FATAL_FAILURE(Extend(tail));
    ASSERT_NO_FATAL_FAILURE(MakeSeed({&m_base}));
    const auto want = Straight({&m_base, &tail.blocks});
    ASSERT_NO_FATAL_FAILURE(CrashAtEveryBatch(tail.blocks, RunSpec{}, want));
}

TEST_F(CrashTest, EveryBatchOfFlushesInTheMiddleOfTheChain)
{
    Branch tail = StartBranch(false);
    for (int i = 0; i < 4; ++i)
        ASSERT_NO_FATAL_FAILURE(Extend(tail, 2));
    ASSERT_NO_FATAL_FAILURE(MakeSeed({&m_base}));
    const auto want = Straight({&m_base, &tail.blocks});
    RunSpec spec;
    spec.cache_bytes = 1;
    spec.flush_at_end = false;
    std::set<size_t> crash_points;
    ASSERT_NO_FATAL_FAILURE(CrashAtEveryBatch(tail.blocks, spec, want, &crash_points));
    // The crashes hit flushes of different blocks, not one flush at the end.
    EXPECT_GE(crash_points.size(), 3u);
}

TEST_F(CrashTest, EveryBatchOfAReorgFlush)
{
    Branch a, b;
    ASSERT_NO_FATAL_FAILURE(BuildFork(a, 3, b, 4, Fanning(3)));
    ASSERT_NO_FATAL_FAILURE(MakeSeed({&m_base, &a.blocks}));
    const auto want = Straight({&m_base, &b.blocks});
    // One flush from A's tip to B's (the replay must undo A, then redo B).
    ASSERT_NO_FATAL_FAILURE(CrashAtEveryBatch(b.blocks, RunSpec{}, want));
}

TEST_F(CrashTest, EveryBatchOfFlushesDuringAReorg)
{
    Branch a, b;
    ASSERT_NO_FATAL_FAILURE(BuildFork(a, 3, b, 4, Fanning(2)));
    ASSERT_NO_FATAL_FAILURE(MakeSeed({&m_base, &a.blocks}));
    const auto want = Straight({&m_base, &b.blocks});
    // A flush after each block disconnected or connected.
    RunSpec spec;
    spec.cache_bytes = 1;
    spec.flush_at_end = false;
    ASSERT_NO_FATAL_FAILURE(CrashAtEveryBatch(b.blocks, spec, want));
}

// ---- damaged files -------------------------------------------------------------------

class DamageTest : public CrashTest
{
protected:
    void SetUp() override
    {
        ASSERT_NO_FATAL_FAILURE(CrashTest::SetUp());
        ASSERT_NO_FATAL_FAILURE(BuildFork(m_a, 3, m_b, 4, Fanning(3)));
        auto node = Open(m_dir.Path());
        ASSERT_TRUE(node);
        ASSERT_NO_FATAL_FAILURE(Feed(*node, m_base));
        ASSERT_NO_FATAL_FAILURE(Feed(*node, m_a.blocks));
        m_on_a = Stats(*node);
        const BlockIndex* a2 = node->LookupBlockIndex(m_a.blocks[1]->GetHash());
        ASSERT_NE(a2, nullptr);
        m_a2_file = a2->file;
        m_a2_pos = a2->data_pos;
        m_a2_size = consensus::Encode(*m_a.blocks[1]).size();
    }

    std::filesystem::path BlockFile(const std::string& name) const
    {
        return m_dir.Path() / "blocks" / name;
    }

    // XORs one byte of a file in place; returns false if the file is too short.
    static bool FlipByte(const std::filesystem::path& path, uint64_t offset, uint8_t mask = 0x01)
    {
        std::fstream f{path, std::ios::in | std::ios::out | std::ios::binary};
        if (!f) return false;
        f.seekg(static_cast<std::streamoff>(offset));
        char c;
        if (!f.get(c)) return false;
        f.seekp(static_cast<std::streamoff>(offset));
        f.put(static_cast<char>(c ^ static_cast<char>(mask)));
        return static_cast<bool>(f);
    }

    Branch m_a;
    Branch m_b;
    kernel::CoinsStats m_on_a;
    int m_a2_file{-1};
    uint64_t m_a2_pos{0};
    size_t m_a2_size{0};
    testutil::TempDir m_dir;
};

TEST_F(DamageTest, FlippedHeaderByteIsNamedAndReindexRecovers)
{
    ASSERT_EQ(m_a2_file, 0);
    const auto blk = BlockFile("blk00000.dat");
    // The nonce: the stored block no longer has the hash the index expects.
    ASSERT_TRUE(FlipByte(blk, m_a2_pos + 76));
    const Uint256 a2 = m_a.blocks[1]->GetHash();
    {
        auto node = Open(m_dir.Path());
        ASSERT_TRUE(node);
        auto read = node->ReadBlock(*node->LookupBlockIndex(a2));
        ASSERT_FALSE(read);
        EXPECT_TRUE(Contains(read.error().message, a2.GetHex())) << read.error().message;
        auto verified = node->VerifyDB(1, 0);
        ASSERT_FALSE(verified);
        EXPECT_TRUE(Contains(verified.error().message, "corrupt")) << verified.error().message;
        EXPECT_TRUE(Contains(verified.error().message, std::to_string(BASE_HEIGHT + 2)))
            << verified.error().message;

        // B has more work; the reorg must read a2 to take it off, and cannot.
        for (const auto& block : m_b.blocks) {
            consensus::BlockValidationState state;
            node->ProcessNewBlock(block, state);
        }
        ASSERT_TRUE(node->FatalError().has_value()) << "the reorg went through a damaged block";
        EXPECT_TRUE(Contains(node->FatalError()->message, a2.GetHex()))
            << node->FatalError()->message;
        // No statistics of a half-moved set.
        EXPECT_FALSE(node->GetCoinsStats());
    }
    // The damage repaired, -reindex rebuilds everything, B included.
    ASSERT_TRUE(FlipByte(blk, m_a2_pos + 76));
    auto options = Options(m_dir.Path());
    options.reindex = true;
    auto node = Open(std::move(options));
    ASSERT_TRUE(node);
    EXPECT_EQ(node->Tip()->hash, m_b.tip);
    ExpectSameSet(Stats(*node), Straight({&m_base, &m_b.blocks}));
    EXPECT_TRUE(node->VerifyDB(4, 0));
}

TEST_F(DamageTest, FlippedTransactionByteIsNamed)
{
    // The last byte of the block: the high byte of its last transaction's locktime.
    ASSERT_TRUE(FlipByte(BlockFile("blk00000.dat"), m_a2_pos + m_a2_size - 1));
    auto node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    auto read = node->ReadBlock(*node->LookupBlockIndex(m_a.blocks[1]->GetHash()));
    ASSERT_FALSE(read);
    EXPECT_TRUE(Contains(read.error().message, "blk00000.dat")) << read.error().message;
    auto verified = node->VerifyDB(0, 0);
    ASSERT_FALSE(verified);
    EXPECT_TRUE(Contains(verified.error().message, "corrupt")) << verified.error().message;
    // The blocks around it are fine, and so is the UTXO set (it never needed the block).
    EXPECT_TRUE(node->ReadBlock(*node->LookupBlockIndex(m_a.blocks[0]->GetHash())));
    EXPECT_TRUE(node->ReadBlock(*node->LookupBlockIndex(m_a.blocks[2]->GetHash())));
    ExpectSameSet(Stats(*node), m_on_a);
}

TEST_F(DamageTest, CorruptedCoinsTableIsReportedAndReindexChainstateRecovers)
{
    // Reopening turns LevelDB's log into a table file; close again, then damage it.
    {
        auto node = Open(m_dir.Path());
        ASSERT_TRUE(node);
        ASSERT_TRUE(node->ForceFlush());
    }
    std::vector<std::filesystem::path> tables;
    for (const auto& entry : std::filesystem::directory_iterator(m_dir.Path() / "chainstate")) {
        if (entry.path().extension() == ".ldb" && entry.file_size() > 4096) {
            tables.push_back(entry.path());
        }
    }
    ASSERT_FALSE(tables.empty()) << "no table file to damage";
    for (const auto& table : tables) {
        // A third of the way in lies in the data blocks, before the filter and index.
        const uint64_t middle = std::filesystem::file_size(table) / 3;
        for (uint64_t i = 0; i < 64; ++i)
            ASSERT_TRUE(FlipByte(table, middle + i, 0xa5));
    }

    {
        auto opened = ChainstateManager::Open(Options(m_dir.Path()));
        std::string message;
        if (!opened) {
            message = opened.error().message;
        } else {
            auto stats = (*opened)->GetCoinsStats();
            ASSERT_FALSE(stats) << "a damaged chainstate gave a digest";
            message = stats.error().message;
        }
        EXPECT_TRUE(Contains(message, "corrupt")) << message;
    }

    auto options = Options(m_dir.Path());
    options.reindex_chainstate = true;
    auto node = Open(std::move(options));
    ASSERT_TRUE(node);
    EXPECT_EQ(node->Tip()->hash, m_a.tip);
    ExpectSameSet(Stats(*node), m_on_a);
}

TEST_F(DamageTest, DeletedRevFileIsNamedOnDisconnect)
{
    std::filesystem::remove(BlockFile("rev00000.dat"));
    auto node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    auto verified = node->VerifyDB(2, 0);
    ASSERT_FALSE(verified);
    EXPECT_TRUE(Contains(verified.error().message, "rev00000.dat")) << verified.error().message;

    auto invalidated = node->InvalidateBlock(node->LookupBlockIndex(m_a.tip));
    ASSERT_FALSE(invalidated);
    EXPECT_TRUE(Contains(invalidated.error().message, "rev00000.dat"))
        << invalidated.error().message;
    EXPECT_TRUE(node->FatalError().has_value());
    EXPECT_FALSE(node->GetCoinsStats());
    node.reset();

    // -reindex writes the undo data again; then a block can be taken off.
    auto options = Options(m_dir.Path());
    options.reindex = true;
    node = Open(std::move(options));
    ASSERT_TRUE(node);
    EXPECT_EQ(node->Tip()->hash, m_a.tip);
    ExpectSameSet(Stats(*node), m_on_a);
    ASSERT_TRUE(node->InvalidateBlock(node->LookupBlockIndex(m_a.tip)));
    const Blocks a_but_last(m_a.blocks.begin(), m_a.blocks.end() - 1);
    ExpectSameSet(Stats(*node), Straight({&m_base, &a_but_last}));
}

} // namespace
} // namespace kernel_test
