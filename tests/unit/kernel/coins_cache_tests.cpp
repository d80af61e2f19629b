// The coins cache's DIRTY/FRESH bookkeeping, observed from outside: which
// entries stay in a layer after a spend, and what finally reaches the database
// through a DB <- cache <- overlay stack.
#include <testutil/test_dir.h>

#include <kernel/coins_cache.h>
#include <storage/coins_db.h>
#include <storage/layout.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using consensus::Coin;
using consensus::OutPoint;
using consensus::Uint256;
using kernel::CoinsCache;

OutPoint Op(uint32_t id, uint32_t n = 0)
{
    Uint256 hash;
    hash.data()[0] = static_cast<uint8_t>(id);
    hash.data()[1] = static_cast<uint8_t>(id >> 8);
    hash.data()[31] = 0x5a;
    return OutPoint{hash, n};
}

Uint256 Block(uint8_t tag)
{
    Uint256 hash;
    hash.data()[0] = tag;
    hash.data()[31] = 0xb1;
    return hash;
}

// A spendable coin whose script starts with OP_DUP (never OP_RETURN).
Coin MakeCoin(consensus::Amount value, uint32_t height = 1, bool coinbase = false,
              size_t script_size = 25)
{
    std::vector<uint8_t> script(script_size, static_cast<uint8_t>(value & 0x3f));
    if (!script.empty()) script[0] = consensus::OP_DUP;
    return Coin{consensus::TxOut{value, consensus::Script{std::move(script)}}, height, coinbase};
}

const Uint256 BASE_TIP = Block(0xb0);

class CoinsCacheTest : public ::testing::Test
{
protected:
    void SetUp() override { OpenDb(); }

    void OpenDb(size_t batch_write_bytes = 16 << 20)
    {
        m_db.reset();
        storage::CoinsDBOptions options;
        options.path = m_dir.Path() / "chainstate";
        options.batch_write_bytes = batch_write_bytes;
        options.crash_after_batch = [this](size_t index) {
            return m_crash_at.has_value() && index >= *m_crash_at;
        };
        auto opened = storage::CoinsDB::Open(std::move(options));
        ASSERT_TRUE(opened) << opened.error().message;
        m_db = std::move(*opened);
    }

    // Writes one coin straight into the database, behind any cache's back.
    void DbPut(const OutPoint& outpoint, const Coin& coin)
    {
        const storage::CoinWrite change{&outpoint, &coin};
        auto old_tip = m_db->GetBestBlock();
        ASSERT_TRUE(old_tip);
        auto written = m_db->BatchWrite({&change, 1}, *old_tip, BASE_TIP);
        ASSERT_TRUE(written) << written.error().message;
    }

    std::optional<Coin> DbGet(const OutPoint& outpoint)
    {
        auto coin = m_db->GetCoin(outpoint);
        EXPECT_TRUE(coin) << coin.error().message;
        return coin ? *coin : std::nullopt;
    }

    std::map<OutPoint, Coin> DbContents()
    {
        std::map<OutPoint, Coin> contents;
        auto cursor = m_db->Cursor();
        for (; cursor->Valid(); cursor->Next()) {
            auto record = cursor->Get();
            EXPECT_TRUE(record) << record.error().message;
            if (!record) break;
            contents.insert(*record);
        }
        EXPECT_TRUE(cursor->Status());
        return contents;
    }

    Uint256 DbBest()
    {
        auto best = m_db->GetBestBlock();
        EXPECT_TRUE(best);
        return best ? *best : Uint256{};
    }

    testutil::TempDir m_dir;
    std::optional<size_t> m_crash_at;
    std::unique_ptr<storage::CoinsDB> m_db;
};

// ---- single layer over the database ------------------------------------------

TEST_F(CoinsCacheTest, FreshCoinSpentBeforeFlushIsForgotten)
{
    CoinsCache cache{*m_db};
    const Coin coin = MakeCoin(5000);
    cache.AddCoin(Op(1), coin, /*possible_overwrite=*/false);
    EXPECT_TRUE(cache.HaveCoin(Op(1)));
    EXPECT_TRUE(cache.HaveCoinInCache(Op(1)));
    EXPECT_EQ(cache.GetCacheSize(), 1u);

    Coin moved;
    EXPECT_TRUE(cache.SpendCoin(Op(1), &moved));
    EXPECT_EQ(moved, coin);
    // FRESH: the entry vanishes instead of becoming a spent DIRTY entry.
    EXPECT_EQ(cache.GetCacheSize(), 0u);
    EXPECT_FALSE(cache.HaveCoin(Op(1)));
    ASSERT_TRUE(cache.Flush());
    EXPECT_FALSE(DbGet(Op(1)));
    EXPECT_TRUE(DbContents().empty());
}

TEST_F(CoinsCacheTest, SpendingDatabaseCoinKeepsSpentEntryUntilFlush)
{
    const Coin coin = MakeCoin(7000, 3, true);
    DbPut(Op(2), coin);
    CoinsCache cache{*m_db};
    EXPECT_FALSE(cache.HaveCoinInCache(Op(2)));
    EXPECT_EQ(cache.GetCoin(Op(2)), coin);
    EXPECT_TRUE(cache.HaveCoinInCache(Op(2)));
    ASSERT_NE(cache.AccessCoin(Op(2)), nullptr);
    EXPECT_EQ(*cache.AccessCoin(Op(2)), coin);

    EXPECT_TRUE(cache.SpendCoin(Op(2)));
    // Not FRESH: the spend itself must reach the database.
    EXPECT_EQ(cache.GetCacheSize(), 1u);
    EXPECT_FALSE(cache.HaveCoin(Op(2)));
    EXPECT_FALSE(cache.HaveCoinInCache(Op(2)));
    EXPECT_EQ(cache.AccessCoin(Op(2)), nullptr);
    EXPECT_TRUE(DbGet(Op(2))); // not yet written
    ASSERT_TRUE(cache.Flush());
    EXPECT_FALSE(DbGet(Op(2)));
}

TEST_F(CoinsCacheTest, SpendOfMissingOrSpentCoinFails)
{
    CoinsCache cache{*m_db};
    EXPECT_FALSE(cache.SpendCoin(Op(3)));
    EXPECT_EQ(cache.GetCacheSize(), 0u);
    DbPut(Op(4), MakeCoin(10));
    EXPECT_TRUE(cache.SpendCoin(Op(4)));
    EXPECT_FALSE(cache.SpendCoin(Op(4)));
    EXPECT_FALSE(cache.GetCoin(Op(4)));
}

TEST_F(CoinsCacheTest, CleanEntriesAreNotWritten)
{
    DbPut(Op(5), MakeCoin(100));
    CoinsCache cache{*m_db};
    ASSERT_TRUE(cache.GetCoin(Op(5))); // cached clean
    // Change the database underneath: a flush that rewrote the clean copy
    // would bring the old value back.
    DbPut(Op(5), MakeCoin(200));
    cache.AddCoin(Op(6), MakeCoin(300), false);
    ASSERT_TRUE(cache.Flush());
    EXPECT_EQ(DbGet(Op(5)), MakeCoin(200));
    EXPECT_EQ(DbGet(Op(6)), MakeCoin(300));
}

TEST_F(CoinsCacheTest, PossibleOverwriteIsNeverFresh)
{
    DbPut(Op(7), MakeCoin(100));
    DbPut(Op(8), MakeCoin(100));
    CoinsCache cache{*m_db};
    // Added blind over a database coin: a later spend must still erase it there.
    cache.AddCoin(Op(7), MakeCoin(150), /*possible_overwrite=*/true);
    EXPECT_TRUE(cache.SpendCoin(Op(7)));
    EXPECT_EQ(cache.GetCacheSize(), 1u);
    // Without the spend the new value replaces the old one.
    cache.AddCoin(Op(8), MakeCoin(250), /*possible_overwrite=*/true);
    ASSERT_TRUE(cache.Flush());
    EXPECT_FALSE(DbGet(Op(7)));
    EXPECT_EQ(DbGet(Op(8)), MakeCoin(250));
}

TEST_F(CoinsCacheTest, ReAddingAfterDirtySpendIsNotFresh)
{
    // A reorg pattern: a database coin is spent, re-created, spent again.
    DbPut(Op(9), MakeCoin(100));
    DbPut(Op(10), MakeCoin(100));
    CoinsCache cache{*m_db};
    EXPECT_TRUE(cache.SpendCoin(Op(9)));
    cache.AddCoin(Op(9), MakeCoin(111), /*possible_overwrite=*/false);
    EXPECT_TRUE(cache.HaveCoin(Op(9)));
    EXPECT_TRUE(cache.SpendCoin(Op(9)));
    EXPECT_EQ(cache.GetCacheSize(), 1u); // still carrying the spend

    EXPECT_TRUE(cache.SpendCoin(Op(10)));
    cache.AddCoin(Op(10), MakeCoin(222), false);
    ASSERT_TRUE(cache.Flush());
    EXPECT_FALSE(DbGet(Op(9)));
    EXPECT_EQ(DbGet(Op(10)), MakeCoin(222));
}

TEST_F(CoinsCacheTest, OverwritingFreshCoinKeepsItFresh)
{
    CoinsCache cache{*m_db};
    cache.AddCoin(Op(11), MakeCoin(1), false);
    cache.AddCoin(Op(11), MakeCoin(2), /*possible_overwrite=*/true);
    EXPECT_EQ(cache.GetCoin(Op(11)), MakeCoin(2));
    EXPECT_TRUE(cache.SpendCoin(Op(11)));
    EXPECT_EQ(cache.GetCacheSize(), 0u);
    // A FRESH coin re-added after its spend is FRESH again.
    cache.AddCoin(Op(11), MakeCoin(3), false);
    EXPECT_TRUE(cache.SpendCoin(Op(11)));
    EXPECT_EQ(cache.GetCacheSize(), 0u);
}

TEST_F(CoinsCacheTest, UnspendableCoinsAreNotAdded)
{
    CoinsCache cache{*m_db};
    consensus::Script op_return;
    op_return << consensus::OP_RETURN << std::vector<uint8_t>{1, 2, 3};
    cache.AddCoin(Op(12), Coin{consensus::TxOut{0, op_return}, 5, false}, false);
    EXPECT_FALSE(cache.HaveCoin(Op(12)));
    EXPECT_EQ(cache.GetCacheSize(), 0u);
    EXPECT_EQ(cache.DynamicMemoryUsage(), 0u);
}

TEST_F(CoinsCacheTest, AddTxOutputsSkipsOpReturnAndSetsContext)
{
    CoinsCache cache{*m_db};
    consensus::MutableTransaction mtx;
    mtx.vin.resize(1);
    mtx.vin[0].prevout = Op(40);
    mtx.vout.push_back(MakeCoin(1000).out);
    consensus::Script op_return;
    op_return << consensus::OP_RETURN;
    mtx.vout.push_back(consensus::TxOut{0, op_return});
    mtx.vout.push_back(MakeCoin(2000, 1, false, 34).out);
    const consensus::Transaction tx{mtx};
    cache.AddTxOutputs(tx, 7, /*check_overwrite=*/false);

    const OutPoint out0{tx.GetHash(), 0}, out1{tx.GetHash(), 1}, out2{tx.GetHash(), 2};
    EXPECT_EQ(cache.GetCoin(out0), (Coin{mtx.vout[0], 7, false}));
    EXPECT_FALSE(cache.HaveCoin(out1));
    EXPECT_EQ(cache.GetCoin(out2), (Coin{mtx.vout[2], 7, false}));
    EXPECT_EQ(cache.GetCacheSize(), 2u);
    // Not overwriting: the new outputs are FRESH.
    EXPECT_TRUE(cache.SpendCoin(out0));
    EXPECT_EQ(cache.GetCacheSize(), 1u);
}

TEST_F(CoinsCacheTest, AddTxOutputsCoinbaseMayOverwrite)
{
    consensus::MutableTransaction mtx;
    mtx.vin.resize(1); // null prevout: a coinbase
    mtx.vin[0].script_sig << std::vector<uint8_t>{0x01, 0x02};
    mtx.vout.push_back(MakeCoin(5000).out);
    const consensus::Transaction tx{mtx};
    ASSERT_TRUE(tx.IsCoinBase());
    const OutPoint out0{tx.GetHash(), 0};

    // The duplicate-coinbase case: the same txid already in the database.
    DbPut(out0, Coin{mtx.vout[0], 1, true});
    CoinsCache cache{*m_db};
    cache.AddTxOutputs(tx, 9, /*check_overwrite=*/false);
    EXPECT_EQ(cache.GetCoin(out0), (Coin{mtx.vout[0], 9, true}));
    // Overwrites are never FRESH, so this spend must erase the database copy.
    EXPECT_TRUE(cache.SpendCoin(out0));
    EXPECT_EQ(cache.GetCacheSize(), 1u);
    ASSERT_TRUE(cache.Flush());
    EXPECT_FALSE(DbGet(out0));
}

TEST_F(CoinsCacheTest, AddTxOutputsCheckOverwriteLooksUp)
{
    consensus::MutableTransaction mtx;
    mtx.vin.resize(1);
    mtx.vin[0].prevout = Op(41);
    mtx.vout.push_back(MakeCoin(10).out);
    mtx.vout.push_back(MakeCoin(20).out);
    const consensus::Transaction tx{mtx};
    const OutPoint out0{tx.GetHash(), 0}, out1{tx.GetHash(), 1};
    DbPut(out0, Coin{mtx.vout[0], 1, false});

    CoinsCache cache{*m_db};
    cache.AddTxOutputs(tx, 12, /*check_overwrite=*/true);
    EXPECT_EQ(cache.GetCoin(out0), (Coin{mtx.vout[0], 12, false}));
    EXPECT_EQ(cache.GetCoin(out1), (Coin{mtx.vout[1], 12, false}));
    // out0 existed, so it is not FRESH; out1 did not, so it is.
    EXPECT_TRUE(cache.SpendCoin(out0));
    EXPECT_TRUE(cache.SpendCoin(out1));
    EXPECT_EQ(cache.GetCacheSize(), 1u);
    ASSERT_TRUE(cache.Flush());
    EXPECT_TRUE(DbContents().empty());
}

// ---- three layers: DB <- cache <- overlay ---------------------------------------

TEST_F(CoinsCacheTest, OverlayFreshCoinStaysFreshInParent)
{
    CoinsCache cache{*m_db};
    CoinsCache overlay{cache};
    overlay.AddCoin(Op(20), MakeCoin(10), false);
    EXPECT_FALSE(cache.HaveCoinInCache(Op(20)));
    ASSERT_TRUE(overlay.Flush());
    EXPECT_EQ(overlay.GetCacheSize(), 0u);
    EXPECT_TRUE(cache.HaveCoinInCache(Op(20)));
    EXPECT_TRUE(cache.SpendCoin(Op(20)));
    EXPECT_EQ(cache.GetCacheSize(), 0u); // FRESH carried up, so dropped
    ASSERT_TRUE(cache.Flush());
    EXPECT_TRUE(DbContents().empty());
}

TEST_F(CoinsCacheTest, OverlayCoinCreatedAndSpentNeverReachesParent)
{
    CoinsCache cache{*m_db};
    CoinsCache overlay{cache};
    overlay.AddCoin(Op(21), MakeCoin(10), false);
    EXPECT_TRUE(overlay.SpendCoin(Op(21)));
    ASSERT_TRUE(overlay.Flush());
    EXPECT_EQ(cache.GetCacheSize(), 0u);
}

TEST_F(CoinsCacheTest, OverlaySpendOfDatabaseCoinReachesDatabase)
{
    DbPut(Op(22), MakeCoin(10));
    CoinsCache cache{*m_db};
    CoinsCache overlay{cache};
    EXPECT_TRUE(overlay.SpendCoin(Op(22)));
    EXPECT_TRUE(cache.HaveCoinInCache(Op(22))); // fetched through, clean
    ASSERT_TRUE(overlay.Flush());
    EXPECT_FALSE(cache.HaveCoin(Op(22)));
    EXPECT_EQ(cache.GetCacheSize(), 1u); // the spend waits for the database
    EXPECT_TRUE(DbGet(Op(22)));
    ASSERT_TRUE(cache.Flush());
    EXPECT_FALSE(DbGet(Op(22)));
}

TEST_F(CoinsCacheTest, OverlaySpendOfParentFreshCoinErasesIt)
{
    CoinsCache cache{*m_db};
    cache.AddCoin(Op(23), MakeCoin(10), false);
    CoinsCache overlay{cache};
    EXPECT_TRUE(overlay.SpendCoin(Op(23)));
    EXPECT_EQ(overlay.GetCacheSize(), 1u); // the overlay cannot know the parent's FRESH
    ASSERT_TRUE(overlay.Flush());
    EXPECT_EQ(cache.GetCacheSize(), 0u);
    ASSERT_TRUE(cache.Flush());
    EXPECT_TRUE(DbContents().empty());
}

TEST_F(CoinsCacheTest, OverlayReAddOfCoinSpentInParentIsNotFreshThere)
{
    DbPut(Op(24), MakeCoin(10));
    DbPut(Op(25), MakeCoin(10));
    CoinsCache cache{*m_db};
    EXPECT_TRUE(cache.SpendCoin(Op(24)));
    EXPECT_TRUE(cache.SpendCoin(Op(25)));
    CoinsCache overlay{cache};
    EXPECT_FALSE(overlay.HaveCoin(Op(24)));
    overlay.AddCoin(Op(24), MakeCoin(30), false); // FRESH in the overlay
    overlay.AddCoin(Op(25), MakeCoin(40), false);
    ASSERT_TRUE(overlay.Flush());
    EXPECT_EQ(cache.GetCoin(Op(24)), MakeCoin(30));
    // In the parent the entry must not turn FRESH: its spend of the database
    // coin is still unwritten.
    EXPECT_TRUE(cache.SpendCoin(Op(24)));
    EXPECT_EQ(cache.GetCacheSize(), 2u);
    ASSERT_TRUE(cache.Flush());
    EXPECT_FALSE(DbGet(Op(24)));
    EXPECT_EQ(DbGet(Op(25)), MakeCoin(40));
}

TEST_F(CoinsCacheTest, OverlayModificationOfCleanParentEntry)
{
    DbPut(Op(26), MakeCoin(10));
    CoinsCache cache{*m_db};
    ASSERT_TRUE(cache.GetCoin(Op(26)));
    CoinsCache overlay{cache};
    overlay.AddCoin(Op(26), MakeCoin(99), /*possible_overwrite=*/true);
    EXPECT_EQ(cache.GetCoin(Op(26)), MakeCoin(10)); // parent untouched until flush
    ASSERT_TRUE(overlay.Flush());
    EXPECT_EQ(cache.GetCoin(Op(26)), MakeCoin(99));
    ASSERT_TRUE(cache.Flush());
    EXPECT_EQ(DbGet(Op(26)), MakeCoin(99));
}

TEST_F(CoinsCacheTest, OverlayBlindOverwriteIsNotFreshInParent)
{
    // Neither layer has read the database coin: a blind overwrite moved up
    // must still let a later spend erase the database copy.
    DbPut(Op(31), MakeCoin(10));
    CoinsCache cache{*m_db};
    CoinsCache overlay{cache};
    overlay.AddCoin(Op(31), MakeCoin(20), /*possible_overwrite=*/true);
    EXPECT_FALSE(cache.HaveCoinInCache(Op(31)));
    ASSERT_TRUE(overlay.Flush());
    EXPECT_EQ(cache.GetCoin(Op(31)), MakeCoin(20));
    EXPECT_TRUE(cache.SpendCoin(Op(31)));
    EXPECT_EQ(cache.GetCacheSize(), 1u);
    ASSERT_TRUE(cache.Flush());
    EXPECT_FALSE(DbGet(Op(31)));
}

TEST_F(CoinsCacheTest, DiscardedOverlayChangesNothing)
{
    DbPut(Op(27), MakeCoin(10));
    CoinsCache cache{*m_db};
    {
        CoinsCache overlay{cache};
        EXPECT_TRUE(overlay.SpendCoin(Op(27)));
        overlay.AddCoin(Op(28), MakeCoin(5), false);
        overlay.SetBestBlock(Block(1));
        overlay.Reset();
        EXPECT_EQ(overlay.GetCacheSize(), 0u);
        EXPECT_EQ(overlay.DynamicMemoryUsage(), 0u);
        EXPECT_TRUE(overlay.HaveCoin(Op(27)));
        EXPECT_FALSE(overlay.HaveCoin(Op(28)));
        EXPECT_EQ(overlay.GetBestBlock(), BASE_TIP);
    }
    EXPECT_TRUE(cache.HaveCoin(Op(27)));
    EXPECT_FALSE(cache.HaveCoin(Op(28)));
    EXPECT_EQ(cache.GetBestBlock(), BASE_TIP);
    ASSERT_TRUE(cache.Flush());
    EXPECT_EQ(DbContents().size(), 1u);
    EXPECT_EQ(DbBest(), BASE_TIP);
}

TEST_F(CoinsCacheTest, BestBlockFlowsDownOnFlush)
{
    CoinsCache cache{*m_db};
    EXPECT_TRUE(cache.GetBestBlock().IsNull());
    CoinsCache overlay{cache};
    overlay.AddCoin(Op(29), MakeCoin(10), false);
    overlay.SetBestBlock(Block(1));
    EXPECT_EQ(overlay.GetBestBlock(), Block(1));
    EXPECT_TRUE(cache.GetBestBlock().IsNull());
    ASSERT_TRUE(overlay.Flush());
    EXPECT_EQ(cache.GetBestBlock(), Block(1));
    EXPECT_TRUE(DbBest().IsNull());
    ASSERT_TRUE(cache.Flush());
    EXPECT_EQ(DbBest(), Block(1));
    auto heads = m_db->GetHeadBlocks();
    ASSERT_TRUE(heads);
    EXPECT_TRUE(heads->empty());

    // A second round moves the tip again; an overlay without a tip of its own
    // reports its parent's.
    CoinsCache overlay2{cache};
    EXPECT_EQ(overlay2.GetBestBlock(), Block(1));
    overlay2.SetBestBlock(Block(2));
    ASSERT_TRUE(overlay2.Flush());
    ASSERT_TRUE(cache.Flush());
    EXPECT_EQ(DbBest(), Block(2));
    EXPECT_EQ(DbGet(Op(29)), MakeCoin(10));
}

TEST_F(CoinsCacheTest, ReadErrorsAreReportedOnce)
{
    DbPut(Op(30), MakeCoin(10));
    // A truncated VARINT is not a coin.
    const std::vector<uint8_t> garbage{0x80};
    ASSERT_TRUE(m_db->GetDatabase().Write(storage::layout::CoinKey(Op(30)), garbage));

    CoinsCache cache{*m_db};
    EXPECT_FALSE(cache.TakeReadError());
    EXPECT_FALSE(cache.GetCoin(Op(30)));
    auto error = cache.TakeReadError();
    ASSERT_TRUE(error);
    EXPECT_FALSE(error->message.empty());
    EXPECT_FALSE(cache.TakeReadError());

    CoinsCache overlay{cache};
    EXPECT_FALSE(overlay.HaveCoin(Op(30)));
    EXPECT_TRUE(overlay.TakeReadError()); // the parent's failure shows through
    EXPECT_FALSE(overlay.TakeReadError());
    EXPECT_FALSE(cache.TakeReadError());
}

// ---- flush failure ---------------------------------------------------------------

TEST_F(CoinsCacheTest, FailedFlushLeavesCacheIntact)
{
    for (uint32_t i = 0; i < 6; ++i)
        DbPut(Op(100 + i), MakeCoin(1000 + i));
    // Tiny batches so the coin changes span several, and a crash after the first.
    OpenDb(/*batch_write_bytes=*/1);

    CoinsCache cache{*m_db};
    for (uint32_t i = 0; i < 3; ++i)
        ASSERT_TRUE(cache.SpendCoin(Op(100 + i)));
    for (uint32_t i = 0; i < 8; ++i)
        cache.AddCoin(Op(200 + i), MakeCoin(2000 + i, 5, i % 2 == 0, 20 + i), false);
    cache.AddCoin(Op(103), MakeCoin(3333), true);
    cache.SetBestBlock(Block(9));

    std::map<OutPoint, Coin> expected;
    for (uint32_t i = 3; i < 6; ++i)
        expected[Op(100 + i)] = MakeCoin(1000 + i);
    expected[Op(103)] = MakeCoin(3333);
    for (uint32_t i = 0; i < 8; ++i)
        expected[Op(200 + i)] = MakeCoin(2000 + i, 5, i % 2 == 0, 20 + i);

    // Load the untouched database coins first, so the checks below add no entries.
    for (const auto& [outpoint, coin] : expected)
        ASSERT_EQ(cache.GetCoin(outpoint), coin);
    const size_t size_before = cache.GetCacheSize();
    const size_t usage_before = cache.DynamicMemoryUsage();
    for (size_t crash_at : {size_t{0}, size_t{2}}) {
        m_crash_at = crash_at;
        auto flushed = cache.Flush();
        ASSERT_FALSE(flushed);
        EXPECT_EQ(flushed.error().message.rfind(storage::SIMULATED_CRASH, 0), 0u)
            << flushed.error().message;
        EXPECT_EQ(cache.GetCacheSize(), size_before);
        EXPECT_EQ(cache.DynamicMemoryUsage(), usage_before);
        EXPECT_EQ(cache.GetBestBlock(), Block(9));
        for (uint32_t i = 0; i < 3; ++i)
            EXPECT_FALSE(cache.HaveCoin(Op(100 + i)));
        for (const auto& [outpoint, coin] : expected)
            EXPECT_EQ(cache.GetCoin(outpoint), coin);
        // The database records the interrupted move.
        auto heads = m_db->GetHeadBlocks();
        ASSERT_TRUE(heads);
        ASSERT_EQ(heads->size(), 2u);
        EXPECT_EQ((*heads)[0], Block(9));
        EXPECT_EQ((*heads)[1], BASE_TIP);
    }

    m_crash_at.reset();
    ASSERT_TRUE(cache.Flush());
    EXPECT_EQ(cache.GetCacheSize(), 0u);
    EXPECT_EQ(cache.DynamicMemoryUsage(), 0u);
    EXPECT_EQ(DbContents(), expected);
    EXPECT_EQ(DbBest(), Block(9));
    auto heads = m_db->GetHeadBlocks();
    ASSERT_TRUE(heads);
    EXPECT_TRUE(heads->empty());
}

// ---- memory accounting ---------------------------------------------------------

TEST_F(CoinsCacheTest, MemoryUsageTracksEntries)
{
    DbPut(Op(50), MakeCoin(10, 1, false, 200));
    CoinsCache cache{*m_db};
    EXPECT_EQ(cache.DynamicMemoryUsage(), 0u);

    cache.AddCoin(Op(51), MakeCoin(10, 1, false, 10), false);
    const size_t one_small = cache.DynamicMemoryUsage();
    EXPECT_GT(one_small, 10u);
    cache.AddCoin(Op(52), MakeCoin(10, 1, false, 500), false);
    const size_t with_large = cache.DynamicMemoryUsage();
    EXPECT_GE(with_large - one_small, 500u); // the script's heap bytes count
    EXPECT_TRUE(cache.SpendCoin(Op(52)));
    EXPECT_EQ(cache.DynamicMemoryUsage(), one_small);

    // Fetching counts too, and spending frees the script but keeps the entry.
    ASSERT_TRUE(cache.GetCoin(Op(50)));
    const size_t with_fetched = cache.DynamicMemoryUsage();
    EXPECT_GE(with_fetched - one_small, 200u);
    EXPECT_TRUE(cache.SpendCoin(Op(50)));
    EXPECT_LT(cache.DynamicMemoryUsage(), with_fetched);
    EXPECT_GT(cache.DynamicMemoryUsage(), one_small);

    // Overwriting replaces the old script's share.
    cache.AddCoin(Op(51), MakeCoin(11, 1, false, 300), true);
    cache.AddCoin(Op(51), MakeCoin(12, 1, false, 10), true);
    const size_t after_overwrites = cache.DynamicMemoryUsage();

    CoinsCache overlay{cache};
    for (uint32_t i = 0; i < 50; ++i)
        overlay.AddCoin(Op(60 + i), MakeCoin(1 + i, 1, false, 40), false);
    EXPECT_GT(overlay.DynamicMemoryUsage(), 50u * 40u);
    ASSERT_TRUE(overlay.Flush());
    EXPECT_EQ(overlay.DynamicMemoryUsage(), 0u);
    EXPECT_GT(cache.DynamicMemoryUsage(), after_overwrites + 50u * 40u);

    ASSERT_TRUE(cache.Flush());
    EXPECT_EQ(cache.DynamicMemoryUsage(), 0u);
    cache.AddCoin(Op(51), MakeCoin(13), true);
    EXPECT_GT(cache.DynamicMemoryUsage(), 0u);
    cache.Reset();
    EXPECT_EQ(cache.DynamicMemoryUsage(), 0u);
    EXPECT_EQ(cache.GetCacheSize(), 0u);
}

TEST(OutPointHasherTest, DependsOnBothFieldsAndKey)
{
    const kernel::OutPointHasher hasher;
    EXPECT_EQ(hasher(Op(1, 0)), hasher(Op(1, 0)));
    EXPECT_NE(hasher(Op(1, 0)), hasher(Op(1, 1)));
    EXPECT_NE(hasher(Op(1, 0)), hasher(Op(2, 0)));
    // Two hashers share a key only with negligible probability.
    const kernel::OutPointHasher other;
    EXPECT_NE(hasher(Op(1, 0)), other(Op(1, 0)));
}

// ---- randomized comparison against a model -----------------------------------------

TEST_F(CoinsCacheTest, RandomOperationsMatchModel)
{
    std::mt19937 rng{20240607};
    std::vector<OutPoint> pool;
    for (uint32_t id = 0; id < 24; ++id) {
        pool.push_back(Op(1000 + id, 0));
        pool.push_back(Op(1000 + id, 1 + id * 37));
    }
    auto random_coin = [&rng] {
        return MakeCoin(1 + rng() % 100'000'000, rng() % 1000, rng() % 2 == 0, 1 + rng() % 60);
    };
    auto lookup = [](const std::map<OutPoint, Coin>& model,
                     const OutPoint& outpoint) -> std::optional<Coin> {
        auto it = model.find(outpoint);
        if (it == model.end()) return std::nullopt;
        return it->second;
    };

    // What the overlay shows, what the cache shows, what the database holds.
    std::map<OutPoint, Coin> overlay_model, cache_model, db_model;
    CoinsCache cache{*m_db};
    auto overlay = std::make_unique<CoinsCache>(cache);
    size_t cache_flushes = 0, overlay_flushes = 0, resets = 0;

    for (int step = 0; step < 6000; ++step) {
        const OutPoint& outpoint = pool[rng() % pool.size()];
        const bool exists = overlay_model.count(outpoint) != 0;
        const uint32_t action = rng() % 1000;
        if (action < 380) {
            const Coin coin = random_coin();
            const bool possible_overwrite = exists || rng() % 4 == 0;
            overlay->AddCoin(outpoint, coin, possible_overwrite);
            overlay_model[outpoint] = coin;
        } else if (action < 650) {
            Coin moved;
            const bool spent = overlay->SpendCoin(outpoint, &moved);
            ASSERT_EQ(spent, exists) << "step " << step;
            if (spent) {
                EXPECT_EQ(moved, overlay_model[outpoint]);
            }
            overlay_model.erase(outpoint);
        } else if (action < 850) {
            ASSERT_EQ(overlay->GetCoin(outpoint), lookup(overlay_model, outpoint))
                << "step " << step;
            EXPECT_EQ(overlay->HaveCoin(outpoint), exists);
        } else if (action < 900) {
            // Reading the parent directly must not disturb the overlay.
            ASSERT_EQ(cache.GetCoin(outpoint), lookup(cache_model, outpoint)) << "step " << step;
        } else if (action < 950) {
            ASSERT_TRUE(overlay->Flush());
            EXPECT_EQ(overlay->GetCacheSize(), 0u);
            EXPECT_EQ(overlay->DynamicMemoryUsage(), 0u);
            cache_model = overlay_model;
            ++overlay_flushes;
        } else if (action < 975) {
            if (rng() % 2 == 0) {
                overlay->Reset();
            } else {
                overlay = std::make_unique<CoinsCache>(cache);
            }
            overlay_model = cache_model;
            ++resets;
        } else {
            cache.SetBestBlock(Block(static_cast<uint8_t>(1 + step % 250)));
            ASSERT_TRUE(cache.Flush());
            EXPECT_EQ(cache.DynamicMemoryUsage(), 0u);
            db_model = cache_model;
            ++cache_flushes;
            ASSERT_EQ(DbContents(), db_model) << "step " << step;
        }
        if (step % 500 == 0) {
            EXPECT_EQ(cache.GetCacheSize() == 0, cache.DynamicMemoryUsage() == 0);
            EXPECT_EQ(overlay->GetCacheSize() == 0, overlay->DynamicMemoryUsage() == 0);
        }
    }
    // Every kind of step ran a fair number of times.
    EXPECT_GT(cache_flushes, 50u);
    EXPECT_GT(overlay_flushes, 100u);
    EXPECT_GT(resets, 50u);

    ASSERT_TRUE(overlay->Flush());
    ASSERT_TRUE(cache.Flush());
    EXPECT_EQ(DbContents(), overlay_model);
    for (const OutPoint& outpoint : pool)
        EXPECT_EQ(DbGet(outpoint), lookup(overlay_model, outpoint));
}

} // namespace
