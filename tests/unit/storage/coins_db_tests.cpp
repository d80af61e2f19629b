#include <testutil/test_dir.h>

#include <storage/coin_encoding.h>
#include <storage/coins_db.h>
#include <storage/dbwrapper.h>
#include <storage/layout.h>

#include <consensus/coins.h>
#include <consensus/uint256.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using consensus::Coin;
using consensus::OutPoint;
using consensus::Uint256;
using storage::CoinsDB;
using storage::CoinsDBOptions;
using storage::CoinWrite;
using testutil::TempDir;

Uint256 Hash(uint8_t tag)
{
    Uint256 h;
    h.data()[0] = tag;
    h.data()[31] = static_cast<uint8_t>(tag ^ 0x5a);
    return h;
}

OutPoint Out(uint8_t tx, uint32_t n)
{
    OutPoint o;
    o.hash = Hash(tx);
    o.n = n;
    return o;
}

Coin MakeCoin(uint32_t height, consensus::Amount value)
{
    Coin c;
    c.height = height;
    c.coinbase = height % 2 == 0;
    c.out.value = value;
    c.out.script_pubkey =
        consensus::Script{std::vector<uint8_t>{0x51, static_cast<uint8_t>(height)}};
    return c;
}

CoinsDBOptions Opts(const std::filesystem::path& path)
{
    CoinsDBOptions o;
    o.path = path;
    o.cache_bytes = 1 << 20;
    return o;
}

std::unique_ptr<CoinsDB> OpenOrFail(CoinsDBOptions options)
{
    auto db = CoinsDB::Open(std::move(options));
    EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().message);
    if (!db) return nullptr;
    return std::move(db).value();
}

// Owns outpoints and coins so CoinWrite's pointers stay valid.
struct Changes
{
    std::vector<OutPoint> outpoints;
    std::vector<std::unique_ptr<Coin>> coins;

    void Add(const OutPoint& o, const Coin& c)
    {
        outpoints.push_back(o);
        coins.push_back(std::make_unique<Coin>(c));
    }
    void Erase(const OutPoint& o)
    {
        outpoints.push_back(o);
        coins.push_back(nullptr);
    }
    std::vector<CoinWrite> Writes() const
    {
        std::vector<CoinWrite> out;
        for (size_t i = 0; i < outpoints.size(); ++i)
            out.push_back(CoinWrite{&outpoints[i], coins[i].get()});
        return out;
    }
};

std::optional<Coin> Get(const CoinsDB& db, const OutPoint& o)
{
    auto coin = db.GetCoin(o);
    EXPECT_TRUE(coin.has_value()) << (coin ? "" : coin.error().message);
    return coin ? *coin : std::nullopt;
}

TEST(CoinsDBTest, EmptyDatabase)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    auto best = db->GetBestBlock();
    ASSERT_TRUE(best);
    EXPECT_TRUE(best->IsNull());
    auto heads = db->GetHeadBlocks();
    ASSERT_TRUE(heads);
    EXPECT_TRUE(heads->empty());
    EXPECT_FALSE(Get(*db, Out(1, 0)).has_value());
    auto have = db->HaveCoin(Out(1, 0));
    ASSERT_TRUE(have);
    EXPECT_FALSE(*have);
    auto cursor = db->Cursor();
    EXPECT_FALSE(cursor->Valid());
    EXPECT_TRUE(cursor->Status());
}

TEST(CoinsDBTest, NewDatabaseIsObfuscated)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    const storage::ObfuscationKey zero{};
    EXPECT_NE(db->GetDatabase().GetObfuscationKey(), zero);
}

TEST(CoinsDBTest, WriteReadAndBestBlock)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    Changes changes;
    changes.Add(Out(1, 0), MakeCoin(10, 5000));
    changes.Add(Out(1, 7), MakeCoin(11, 6000));
    changes.Add(Out(2, 300), MakeCoin(12, 0));
    const auto writes = changes.Writes();
    ASSERT_TRUE(db->BatchWrite(writes, Uint256{}, Hash(0xb1)));

    EXPECT_EQ(Get(*db, Out(1, 0)), MakeCoin(10, 5000));
    EXPECT_EQ(Get(*db, Out(1, 7)), MakeCoin(11, 6000));
    EXPECT_EQ(Get(*db, Out(2, 300)), MakeCoin(12, 0));
    EXPECT_FALSE(Get(*db, Out(1, 1)).has_value());
    auto have = db->HaveCoin(Out(1, 7));
    ASSERT_TRUE(have);
    EXPECT_TRUE(*have);

    auto best = db->GetBestBlock();
    ASSERT_TRUE(best);
    EXPECT_EQ(*best, Hash(0xb1));
    auto heads = db->GetHeadBlocks();
    ASSERT_TRUE(heads);
    EXPECT_TRUE(heads->empty());

    // The stored value is Core's coin encoding under the coin key.
    auto raw = db->GetDatabase().Read(storage::layout::CoinKey(Out(1, 7)));
    ASSERT_TRUE(raw && raw->has_value());
    EXPECT_EQ(**raw, storage::EncodeCoin(MakeCoin(11, 6000)));
    // 'B' is the 32 raw hash bytes.
    auto raw_best = db->GetDatabase().Read(storage::layout::BestBlockKey());
    ASSERT_TRUE(raw_best && raw_best->has_value());
    const Uint256 tip = Hash(0xb1);
    EXPECT_EQ(**raw_best, std::vector<uint8_t>(tip.begin(), tip.end()));
}

TEST(CoinsDBTest, SpendsErase)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    Changes first;
    first.Add(Out(1, 0), MakeCoin(1, 100));
    first.Add(Out(1, 1), MakeCoin(1, 200));
    first.Add(Out(1, 2), MakeCoin(1, 300));
    ASSERT_TRUE(db->BatchWrite(first.Writes(), Uint256{}, Hash(1)));

    Changes second;
    second.Erase(Out(1, 0));               // null coin
    second.Add(Out(1, 1), Coin{});         // a spent coin
    second.Erase(Out(9, 9));               // never existed
    second.Add(Out(3, 0), MakeCoin(2, 1)); // new
    ASSERT_TRUE(db->BatchWrite(second.Writes(), Hash(1), Hash(2)));

    EXPECT_FALSE(Get(*db, Out(1, 0)).has_value());
    EXPECT_FALSE(Get(*db, Out(1, 1)).has_value());
    EXPECT_EQ(Get(*db, Out(1, 2)), MakeCoin(1, 300));
    EXPECT_EQ(Get(*db, Out(3, 0)), MakeCoin(2, 1));
    auto best = db->GetBestBlock();
    ASSERT_TRUE(best);
    EXPECT_EQ(*best, Hash(2));
}

TEST(CoinsDBTest, ReopenPersists)
{
    TempDir dir;
    {
        auto db = OpenOrFail(Opts(dir.Path()));
        ASSERT_TRUE(db);
        Changes changes;
        changes.Add(Out(4, 2), MakeCoin(40, 4242));
        ASSERT_TRUE(db->BatchWrite(changes.Writes(), Uint256{}, Hash(4)));
    }
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    EXPECT_EQ(Get(*db, Out(4, 2)), MakeCoin(40, 4242));
    auto best = db->GetBestBlock();
    ASSERT_TRUE(best);
    EXPECT_EQ(*best, Hash(4));

    // wipe starts over.
    db.reset();
    auto opts = Opts(dir.Path());
    opts.wipe = true;
    db = OpenOrFail(opts);
    ASSERT_TRUE(db);
    EXPECT_FALSE(Get(*db, Out(4, 2)).has_value());
    auto wiped_best = db->GetBestBlock();
    ASSERT_TRUE(wiped_best);
    EXPECT_TRUE(wiped_best->IsNull());
}

constexpr size_t CRASH_CHANGES = 6;

Changes CrashChanges()
{
    Changes changes;
    for (uint32_t i = 0; i < CRASH_CHANGES; ++i)
        changes.Add(Out(7, i), MakeCoin(100 + i, 1000 + i));
    return changes;
}

TEST(CoinsDBTest, CompleteWriteSpansSeveralBatchesAndClearsHeads)
{
    TempDir dir;
    auto opts = Opts(dir.Path());
    opts.batch_write_bytes = 1; // every coin overflows the batch
    std::vector<size_t> calls;
    opts.crash_after_batch = [&](size_t index) {
        calls.push_back(index);
        return false;
    };
    auto db = OpenOrFail(opts);
    ASSERT_TRUE(db);
    const Changes changes = CrashChanges();
    ASSERT_TRUE(db->BatchWrite(changes.Writes(), Uint256{}, Hash(0x77)));
    ASSERT_GE(calls.size(), 2u);
    for (size_t i = 0; i < calls.size(); ++i)
        EXPECT_EQ(calls[i], i);

    db.reset();
    db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    auto heads = db->GetHeadBlocks();
    ASSERT_TRUE(heads);
    EXPECT_TRUE(heads->empty());
    auto best = db->GetBestBlock();
    ASSERT_TRUE(best);
    EXPECT_EQ(*best, Hash(0x77));
    for (uint32_t i = 0; i < CRASH_CHANGES; ++i)
        EXPECT_EQ(Get(*db, Out(7, i)), MakeCoin(100 + i, 1000 + i));
}

TEST(CoinsDBTest, CrashAtEachBatchLeavesHeadBlocks)
{
    // Count the batches of a complete write first.
    size_t batches = 0;
    {
        TempDir dir;
        auto opts = Opts(dir.Path());
        opts.batch_write_bytes = 1;
        opts.crash_after_batch = [&](size_t) {
            ++batches;
            return false;
        };
        auto db = OpenOrFail(opts);
        ASSERT_TRUE(db);
        const Changes changes = CrashChanges();
        ASSERT_TRUE(db->BatchWrite(changes.Writes(), Uint256{}, Hash(0x77)));
    }
    // A byte-sized limit flushes after every coin.
    ASSERT_EQ(batches, CRASH_CHANGES);

    const Uint256 old_tip = Hash(0x01);
    const Uint256 new_tip = Hash(0x02);
    for (size_t crash_at = 0; crash_at < batches; ++crash_at) {
        SCOPED_TRACE(crash_at);
        TempDir dir;
        {
            // A consistent starting state at old_tip.
            auto db = OpenOrFail(Opts(dir.Path()));
            ASSERT_TRUE(db);
            Changes base;
            base.Add(Out(1, 0), MakeCoin(1, 1));
            ASSERT_TRUE(db->BatchWrite(base.Writes(), Uint256{}, old_tip));
        }
        {
            auto opts = Opts(dir.Path());
            opts.batch_write_bytes = 1;
            opts.crash_after_batch = [&](size_t index) { return index == crash_at; };
            auto db = OpenOrFail(opts);
            ASSERT_TRUE(db);
            const Changes changes = CrashChanges();
            auto written = db->BatchWrite(changes.Writes(), old_tip, new_tip);
            ASSERT_FALSE(written);
            EXPECT_TRUE(written.error().message.starts_with(storage::SIMULATED_CRASH))
                << written.error().message;
        }
        // After the "crash" the database says it was moving from old_tip to new_tip.
        auto db = OpenOrFail(Opts(dir.Path()));
        ASSERT_TRUE(db);
        auto heads = db->GetHeadBlocks();
        ASSERT_TRUE(heads);
        EXPECT_EQ(*heads, (std::vector<Uint256>{new_tip, old_tip}));
        auto best = db->GetBestBlock();
        ASSERT_TRUE(best);
        EXPECT_TRUE(best->IsNull());
        // Coins of batches up to the crash are there; none after it.
        EXPECT_EQ(Get(*db, Out(1, 0)), MakeCoin(1, 1));
        for (uint32_t i = 0; i < CRASH_CHANGES; ++i)
            EXPECT_EQ(Get(*db, Out(7, i)).has_value(), i <= crash_at) << i;

        // A replaying flush that does not know the old tip keeps the recorded one.
        {
            auto opts = Opts(dir.Path());
            opts.batch_write_bytes = 1;
            opts.crash_after_batch = [](size_t index) { return index == 0; };
            db.reset();
            db = OpenOrFail(opts);
            ASSERT_TRUE(db);
            const Changes changes = CrashChanges();
            ASSERT_FALSE(db->BatchWrite(changes.Writes(), Uint256{}, new_tip));
            auto again = db->GetHeadBlocks();
            ASSERT_TRUE(again);
            EXPECT_EQ(*again, (std::vector<Uint256>{new_tip, old_tip}));
        }
        // Finishing the flush makes the set consistent at new_tip.
        db.reset();
        db = OpenOrFail(Opts(dir.Path()));
        ASSERT_TRUE(db);
        const Changes changes = CrashChanges();
        ASSERT_TRUE(db->BatchWrite(changes.Writes(), Uint256{}, new_tip));
        auto done = db->GetHeadBlocks();
        ASSERT_TRUE(done);
        EXPECT_TRUE(done->empty());
        auto final_best = db->GetBestBlock();
        ASSERT_TRUE(final_best);
        EXPECT_EQ(*final_best, new_tip);
        EXPECT_TRUE(Get(*db, Out(7, CRASH_CHANGES - 1)).has_value());
    }
}

TEST(CoinsDBTest, CursorVisitsEveryCoinInKeyOrder)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    // Keyed by the LevelDB key bytes (std::string orders them as unsigned bytes).
    std::map<std::string, std::pair<OutPoint, Coin>> expected;
    Changes changes;
    for (uint8_t tx = 1; tx <= 5; ++tx) {
        for (uint32_t n : {0u, 1u, 200u, 70000u}) {
            const Coin coin = MakeCoin(tx * 10 + n % 7, tx * 1000 + n);
            changes.Add(Out(tx, n), coin);
            const auto key = storage::layout::CoinKey(Out(tx, n));
            expected[std::string(key.begin(), key.end())] = {Out(tx, n), coin};
        }
    }
    ASSERT_TRUE(db->BatchWrite(changes.Writes(), Uint256{}, Hash(5)));
    // Records of other kinds must not show up.
    ASSERT_TRUE(db->GetDatabase().Write(std::vector<uint8_t>{'D', 1}, std::vector<uint8_t>{1}));

    auto cursor = db->Cursor();
    auto it = expected.begin();
    size_t seen = 0;
    for (; cursor->Valid(); cursor->Next(), ++seen) {
        auto entry = cursor->Get();
        ASSERT_TRUE(entry) << entry.error().message;
        ASSERT_NE(it, expected.end());
        EXPECT_EQ(entry->first, it->second.first);
        EXPECT_EQ(entry->second, it->second.second);
        ++it;
    }
    EXPECT_TRUE(cursor->Status());
    EXPECT_EQ(seen, expected.size());
}

TEST(CoinsDBTest, CorruptCoinIsReportedAsCorruption)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->GetDatabase().Write(storage::layout::CoinKey(Out(3, 3)),
                                        std::vector<uint8_t>{0x00, 0x00, 0x07}));
    auto coin = db->GetCoin(Out(3, 3));
    ASSERT_FALSE(coin);
    EXPECT_TRUE(storage::IsCorruption(coin.error())) << coin.error().message;

    auto cursor = db->Cursor();
    ASSERT_TRUE(cursor->Valid());
    auto entry = cursor->Get();
    ASSERT_FALSE(entry);
    EXPECT_TRUE(storage::IsCorruption(entry.error())) << entry.error().message;

    // A coin key whose VARINT index is malformed.
    ASSERT_TRUE(db->GetDatabase().Erase(storage::layout::CoinKey(Out(3, 3))));
    std::vector<uint8_t> bad_key = storage::layout::CoinKey(Out(3, 3));
    bad_key.back() = 0x80; // continuation bit with nothing after it
    ASSERT_TRUE(db->GetDatabase().Write(bad_key, storage::EncodeCoin(MakeCoin(1, 1))));
    auto cursor2 = db->Cursor();
    ASSERT_TRUE(cursor2->Valid());
    auto entry2 = cursor2->Get();
    ASSERT_FALSE(entry2);
    EXPECT_TRUE(storage::IsCorruption(entry2.error())) << entry2.error().message;
}

TEST(CoinsDBTest, EstimateSizeGrowsWithCoins)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    Changes changes;
    for (uint32_t i = 0; i < 2000; ++i)
        changes.Add(Out(static_cast<uint8_t>(i % 251), i), MakeCoin(i, i));
    ASSERT_TRUE(db->BatchWrite(changes.Writes(), Uint256{}, Hash(9)));
    db->GetDatabase().Compact();
    EXPECT_GT(db->EstimateSize(), 0u);
}

TEST(CoinsDBTest, RefusesLegacyCoins)
{
    TempDir dir;
    {
        storage::DatabaseOptions raw;
        raw.path = dir.Path();
        raw.cache_bytes = 1 << 20;
        auto db = storage::Database::Open(raw);
        ASSERT_TRUE(db) << db.error().message;
        std::vector<uint8_t> key{storage::layout::DB_LEGACY_COINS};
        key.insert(key.end(), 32, 0xab);
        ASSERT_TRUE((*db)->Write(key, std::vector<uint8_t>{0x01, 0x02}));
    }
    auto refused = CoinsDB::Open(Opts(dir.Path()));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("pre-0.15"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("-reindex-chainstate"), std::string::npos);

    // Rebuilding from scratch is the way out.
    auto opts = Opts(dir.Path());
    opts.wipe = true;
    auto rebuilt = CoinsDB::Open(opts);
    EXPECT_TRUE(rebuilt) << (rebuilt ? "" : rebuilt.error().message);
}

} // namespace
