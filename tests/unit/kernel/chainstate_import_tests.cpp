// Importing real mainnet blocks 1-255 (proof of work checked) through
// -loadblock, and what happens on restart, reindex and a damaged block.
#include "chainstate_fixture.h"

#include <common/chainparams.h>
#include <kernel/chainstate.h>
#include <testutil/test_dir.h>
#include <util/logging.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

const std::string BLOCK_99 = "00000000cd9b12643e6854cb25939b39cd7a1ad0af31a9bd8b2efe67854b1995";
const std::string BLOCK_255 = "00000000d0a75c861fabf9ff7b92022f60e4afeed9331fe5aa073d8e4706fe3c";

std::vector<uint8_t> ReadFile(const std::filesystem::path& path)
{
    std::ifstream in{path, std::ios::binary};
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteFile(const std::filesystem::path& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream out{path, std::ios::binary};
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

using Records = std::vector<std::vector<uint8_t>>;

// The magic-framed records of a blk-format file, each with its 8-byte frame.
Records SplitRecords(const std::vector<uint8_t>& file)
{
    Records records;
    size_t pos = 0;
    while (pos + 8 <= file.size()) {
        const uint32_t size = file[pos + 4] | file[pos + 5] << 8 | file[pos + 6] << 16 |
                              static_cast<uint32_t>(file[pos + 7]) << 24;
        records.emplace_back(file.begin() + pos, file.begin() + pos + 8 + size);
        pos += 8 + size;
    }
    return records;
}

std::filesystem::path MainnetBlocks()
{
    return std::filesystem::path{MINIBIT_TEST_DATA_DIR} / "blocks" / "mainnet-blocks-1-255.dat";
}

class ImportTest : public ::testing::Test
{
protected:
    std::unique_ptr<kernel::ChainstateManager> Open(bool reindex = false,
                                                    bool reindex_chainstate = false)
    {
        auto options = kernel_test::BasicOptions(*m_params, m_dir.Path(), 2);
        options.reindex = reindex;
        options.reindex_chainstate = reindex_chainstate;
        options.logger = &m_logger;
        return kernel_test::OpenChainstate(std::move(options));
    }
    // The records, joined again into a file `name` in the test's directory.
    std::filesystem::path WriteRecords(const Records& records, const std::string& name) const
    {
        std::vector<uint8_t> bytes;
        for (const auto& r : records)
            bytes.insert(bytes.end(), r.begin(), r.end());
        const auto path = m_dir.Path() / name;
        WriteFile(path, bytes);
        return path;
    }
    std::string LogText()
    {
        m_logger.Stop();
        const auto bytes = ReadFile(m_dir.Path() / "test.log");
        return {bytes.begin(), bytes.end()};
    }
    void SetUp() override
    {
        util::LogOptions log;
        log.file = m_dir.Path() / "test.log";
        ASSERT_TRUE(m_logger.Start(log));
    }

    testutil::TempDir m_dir;
    util::Logger m_logger;
    std::unique_ptr<const common::ChainParams> m_params = common::ChainParams::Main();
};

TEST_F(ImportTest, MainnetBlocksReachHeight255)
{
    auto chainman = Open();
    ASSERT_TRUE(chainman);
    EXPECT_EQ(chainman->Tip()->height, 0);
    auto result = chainman->ImportBlockFile(MainnetBlocks());
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->blocks_read, 255u);
    EXPECT_EQ(result->blocks_accepted, 255u);
    EXPECT_EQ(result->blocks_rejected, 0u);
    ASSERT_TRUE(chainman->ActivateBestChain());
    EXPECT_EQ(chainman->Tip()->height, 255);
    EXPECT_EQ(chainman->Tip()->hash.GetHex(), BLOCK_255);
    auto stats = chainman->GetCoinsStats();
    ASSERT_TRUE(stats) << stats.error().message;
    // 255 coinbases plus block 170's payment (and its later spends): 267 outputs
    // created, 7 spent; no fees, so the total is exactly the subsidies.
    EXPECT_EQ(stats->txouts, 260u);
    EXPECT_EQ(stats->total_amount, 255 * 50 * consensus::COIN);
    EXPECT_EQ(stats->best_block.GetHex(), BLOCK_255);
}

TEST_F(ImportTest, ImportingTwiceAddsNothing)
{
    auto chainman = Open();
    ASSERT_TRUE(chainman->ImportBlockFile(MainnetBlocks()));
    auto again = chainman->ImportBlockFile(MainnetBlocks());
    ASSERT_TRUE(again);
    EXPECT_EQ(again->blocks_read, 255u);
    EXPECT_EQ(again->blocks_accepted, 0u);
}

TEST_F(ImportTest, BlocksInAnyOrder)
{
    auto records = SplitRecords(ReadFile(MainnetBlocks()));
    ASSERT_EQ(records.size(), 255u);
    std::reverse(records.begin(), records.end());
    const auto path = WriteRecords(records, "reversed.dat");

    auto chainman = Open();
    auto result = chainman->ImportBlockFile(path);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->blocks_accepted, 255u);
    EXPECT_EQ(result->blocks_orphaned, 0u);
    ASSERT_TRUE(chainman->ActivateBestChain());
    EXPECT_EQ(chainman->Tip()->hash.GetHex(), BLOCK_255);
}

TEST_F(ImportTest, FlippedMerkleRootStopsAt99AndSaysWhy)
{
    auto records = SplitRecords(ReadFile(MainnetBlocks()));
    // Record i holds block i+1; the merkle root starts 36 bytes into the header.
    records[99][8 + 36] ^= 0x01;
    const auto path = WriteRecords(records, "damaged.dat");

    auto chainman = Open();
    auto result = chainman->ImportBlockFile(path);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->blocks_rejected, 1u);
    EXPECT_EQ(result->blocks_orphaned, 155u);
    ASSERT_TRUE(chainman->ActivateBestChain());
    EXPECT_EQ(chainman->Tip()->height, 99);
    EXPECT_EQ(chainman->Tip()->hash.GetHex(), BLOCK_99);
    chainman.reset();
    // The changed root changes the block hash, which then misses its target.
    EXPECT_NE(LogText().find("high-hash"), std::string::npos);
}

TEST_F(ImportTest, DamagedTransactionIsMutatedNotInvalid)
{
    auto records = SplitRecords(ReadFile(MainnetBlocks()));
    // A byte of the public key in block 100's coinbase output: the header (and hash) stay intact.
    records[99][records[99].size() - 60] ^= 0x01;
    const auto path = WriteRecords(records, "damaged.dat");

    auto chainman = Open();
    auto result = chainman->ImportBlockFile(path);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->blocks_rejected, 1u);
    ASSERT_TRUE(chainman->ActivateBestChain());
    EXPECT_EQ(chainman->Tip()->hash.GetHex(), BLOCK_99);
    // The good copy of the same block is still accepted later: a mutated block
    // never marks its hash invalid.
    auto good = chainman->ImportBlockFile(MainnetBlocks());
    ASSERT_TRUE(good);
    ASSERT_TRUE(chainman->ActivateBestChain());
    EXPECT_EQ(chainman->Tip()->hash.GetHex(), BLOCK_255);
    chainman.reset();
    EXPECT_NE(LogText().find("bad-txnmrklroot"), std::string::npos);
}

TEST_F(ImportTest, RestartKeepsTipAndUtxoSet)
{
    consensus::Uint256 digest;
    {
        auto chainman = Open();
        ASSERT_TRUE(chainman->ImportBlockFile(MainnetBlocks()));
        ASSERT_TRUE(chainman->ActivateBestChain());
        auto stats = chainman->GetCoinsStats();
        ASSERT_TRUE(stats);
        digest = stats->hash_serialized;
    }
    auto chainman = Open();
    ASSERT_TRUE(chainman);
    EXPECT_EQ(chainman->Tip()->hash.GetHex(), BLOCK_255);
    EXPECT_TRUE(chainman->VerifyDB(4, 0));
    auto stats = chainman->GetCoinsStats();
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->hash_serialized, digest);
}

TEST_F(ImportTest, ReindexAndReindexChainstateRebuildTheSameState)
{
    consensus::Uint256 digest;
    {
        auto chainman = Open();
        ASSERT_TRUE(chainman->ImportBlockFile(MainnetBlocks()));
        ASSERT_TRUE(chainman->ActivateBestChain());
        digest = chainman->GetCoinsStats()->hash_serialized;
    }
    for (const auto& [reindex, chainstate_only] :
         {std::pair{true, false}, std::pair{false, true}}) {
        auto chainman = Open(reindex, chainstate_only);
        ASSERT_TRUE(chainman);
        EXPECT_EQ(chainman->Tip()->hash.GetHex(), BLOCK_255);
        auto stats = chainman->GetCoinsStats();
        ASSERT_TRUE(stats);
        EXPECT_EQ(stats->hash_serialized, digest);
        EXPECT_TRUE(chainman->VerifyDB(4, 0));
    }
    // And a plain restart after the reindex still works (index written back).
    auto chainman = Open();
    ASSERT_TRUE(chainman);
    EXPECT_EQ(chainman->Tip()->hash.GetHex(), BLOCK_255);
}

TEST_F(ImportTest, MissingFileIsAnError)
{
    auto chainman = Open();
    auto result = chainman->ImportBlockFile(m_dir.Path() / "nope.dat");
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("nope.dat"), std::string::npos);
}

} // namespace
