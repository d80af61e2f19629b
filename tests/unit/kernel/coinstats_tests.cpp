// gettxoutsetinfo statistics over a real coins database, with the expected
// hash_serialized_3 and MuHash rebuilt here byte by byte from the coin list.
#include <testutil/test_dir.h>

#include <kernel/coinstats.h>

#include <consensus/crypto/muhash.h>
#include <consensus/hash.h>
#include <storage/coins_db.h>
#include <storage/layout.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <memory>
#include <vector>

namespace {

using consensus::Coin;
using consensus::OutPoint;
using consensus::Uint256;

Uint256 Hash(uint8_t a, uint8_t b)
{
    Uint256 hash;
    hash.data()[0] = a;
    hash.data()[31] = b;
    return hash;
}

Coin MakeCoin(consensus::Amount value, uint32_t height, bool coinbase, size_t script_size)
{
    std::vector<uint8_t> script(script_size, static_cast<uint8_t>(height));
    if (!script.empty()) script[0] = consensus::OP_DUP;
    return Coin{consensus::TxOut{value, consensus::Script{std::move(script)}}, height, coinbase};
}

void PutLE(std::vector<uint8_t>& out, uint64_t value, size_t bytes)
{
    for (size_t i = 0; i < bytes; ++i)
        out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

// Core's serialization of one coin for the digests: txid, vout (LE32),
// height*2+coinbase (LE32), amount (LE64), CompactSize script length, script.
std::vector<uint8_t> CoinBytes(const OutPoint& outpoint, const Coin& coin)
{
    std::vector<uint8_t> data;
    data.insert(data.end(), outpoint.hash.begin(), outpoint.hash.end());
    PutLE(data, outpoint.n, 4);
    PutLE(data, uint64_t{coin.height} * 2 + (coin.coinbase ? 1 : 0), 4);
    PutLE(data, static_cast<uint64_t>(coin.out.value), 8);
    const auto& script = coin.out.script_pubkey.bytes();
    if (script.size() < 253) {
        data.push_back(static_cast<uint8_t>(script.size()));
    } else {
        data.push_back(0xfd);
        PutLE(data, script.size(), 2);
    }
    data.insert(data.end(), script.begin(), script.end());
    return data;
}

// hash_serialized_3: the coins' bytes in (txid bytes, vout) order, which
// std::map<OutPoint> also uses.
Uint256 ExpectedDigest(const std::map<OutPoint, Coin>& coins)
{
    std::vector<uint8_t> data;
    for (const auto& [outpoint, coin] : coins) {
        const auto bytes = CoinBytes(outpoint, coin);
        data.insert(data.end(), bytes.begin(), bytes.end());
    }
    // Double SHA-256, spelled out.
    const Uint256 once = consensus::Sha256Hash(data);
    return consensus::Sha256Hash(once.span());
}

class CoinStatsTest : public ::testing::Test
{
protected:
    std::unique_ptr<storage::CoinsDB> Open(const std::string& name)
    {
        storage::CoinsDBOptions options;
        options.path = m_dir.Path() / name;
        auto opened = storage::CoinsDB::Open(std::move(options));
        EXPECT_TRUE(opened) << opened.error().message;
        return opened ? std::move(*opened) : nullptr;
    }

    static void Write(storage::CoinsDB& db, const std::vector<std::pair<OutPoint, Coin>>& coins,
                      const Uint256& new_tip, const std::vector<OutPoint>& erase = {})
    {
        std::vector<storage::CoinWrite> changes;
        for (const auto& [outpoint, coin] : coins)
            changes.push_back(storage::CoinWrite{&outpoint, &coin});
        for (const OutPoint& outpoint : erase)
            changes.push_back(storage::CoinWrite{&outpoint, nullptr});
        auto old_tip = db.GetBestBlock();
        ASSERT_TRUE(old_tip);
        auto written = db.BatchWrite(changes, *old_tip, new_tip);
        ASSERT_TRUE(written) << written.error().message;
    }

    testutil::TempDir m_dir;
};

// A mix of txids sharing outputs, output indexes that need multi-byte VARINT
// keys, coinbase flags, empty and long scripts.
std::map<OutPoint, Coin> SampleCoins()
{
    std::map<OutPoint, Coin> coins;
    coins[OutPoint{Hash(0x01, 0), 0}] = MakeCoin(50'0000'0000, 1, true, 25);
    coins[OutPoint{Hash(0x01, 0), 1}] = MakeCoin(1, 2, false, 0);
    coins[OutPoint{Hash(0x01, 0), 127}] = MakeCoin(777, 3, false, 22);
    coins[OutPoint{Hash(0x01, 0), 128}] = MakeCoin(778, 4, false, 34);
    coins[OutPoint{Hash(0x01, 0), 300}] = MakeCoin(779, 5, false, 300);
    coins[OutPoint{Hash(0x01, 0), 70000}] = MakeCoin(780, 6, true, 23);
    coins[OutPoint{Hash(0x02, 9), 5}] = MakeCoin(21'000'000, 800'000, false, 67);
    coins[OutPoint{Hash(0xff, 1), 0}] = MakeCoin(12345, 0, false, 35);
    coins[OutPoint{Hash(0x80, 2), 2}] = MakeCoin(99, 100, true, 1);
    return coins;
}

TEST_F(CoinStatsTest, EmptySet)
{
    auto db = Open("empty");
    ASSERT_TRUE(db);
    auto stats = kernel::ComputeCoinsStats(*db);
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_TRUE(stats->best_block.IsNull());
    EXPECT_EQ(stats->txouts, 0u);
    EXPECT_EQ(stats->bogosize, 0u);
    EXPECT_EQ(stats->total_amount, 0);
    EXPECT_EQ(stats->hash_serialized, ExpectedDigest({}));
    // SHA256d of nothing, from its published value (byte-reversed hex).
    EXPECT_EQ(stats->hash_serialized.GetHex(),
              "56944c5d3f98413ef45cf54545538103cc9f298e0575820ad3591376e2e0f65d");
}

TEST_F(CoinStatsTest, CountsAmountsAndDigest)
{
    auto db = Open("sample");
    ASSERT_TRUE(db);
    const auto coins = SampleCoins();
    Write(*db, {coins.begin(), coins.end()}, Hash(0xaa, 0xbb));

    auto stats = kernel::ComputeCoinsStats(*db);
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->best_block, Hash(0xaa, 0xbb));
    EXPECT_EQ(stats->txouts, coins.size());
    uint64_t bogosize = 0;
    consensus::Amount total = 0;
    for (const auto& [outpoint, coin] : coins) {
        bogosize += 50 + coin.out.script_pubkey.size();
        total += coin.out.value;
    }
    EXPECT_EQ(stats->bogosize, bogosize);
    EXPECT_EQ(stats->total_amount, total);
    EXPECT_EQ(stats->hash_serialized, ExpectedDigest(coins));
    EXPECT_EQ(stats->disk_size, db->EstimateSize());

    // Changing any field of any coin changes the digest.
    for (const auto& [outpoint, coin] : coins) {
        for (int field = 0; field < 3; ++field) {
            auto changed = coins;
            Coin& c = changed[outpoint];
            if (field == 0) c.out.value += 1;
            if (field == 1) c.height += 1;
            if (field == 2) c.coinbase = !c.coinbase;
            EXPECT_NE(ExpectedDigest(changed), stats->hash_serialized);
        }
    }
}

TEST_F(CoinStatsTest, IndependentOfInsertionOrder)
{
    const auto coins = SampleCoins();
    std::vector<std::pair<OutPoint, Coin>> forward{coins.begin(), coins.end()};
    std::vector<std::pair<OutPoint, Coin>> backward{coins.rbegin(), coins.rend()};

    auto db1 = Open("forward");
    auto db2 = Open("backward");
    ASSERT_TRUE(db1 && db2);
    Write(*db1, forward, Hash(0xcc, 1));
    // The second set arrives in reverse, in three writes, with an extra coin
    // created and removed on the way.
    const OutPoint extra{Hash(0x03, 3), 1};
    Write(*db2, {backward.begin(), backward.begin() + 3}, Hash(0xcc, 0));
    Write(*db2, {{extra, MakeCoin(5, 5, false, 5)}}, Hash(0xcc, 0));
    Write(*db2, {backward.begin() + 3, backward.end()}, Hash(0xcc, 1), {extra});

    auto stats1 = kernel::ComputeCoinsStats(*db1);
    auto stats2 = kernel::ComputeCoinsStats(*db2);
    ASSERT_TRUE(stats1 && stats2);
    EXPECT_EQ(stats1->hash_serialized, stats2->hash_serialized);
    EXPECT_EQ(stats1->hash_serialized, ExpectedDigest(coins));
    EXPECT_EQ(stats1->txouts, stats2->txouts);
    EXPECT_EQ(stats1->bogosize, stats2->bogosize);
    EXPECT_EQ(stats1->total_amount, stats2->total_amount);
    EXPECT_EQ(stats2->best_block, Hash(0xcc, 1));
}

TEST_F(CoinStatsTest, SpendingUpdatesStats)
{
    auto db = Open("spend");
    ASSERT_TRUE(db);
    auto coins = SampleCoins();
    Write(*db, {coins.begin(), coins.end()}, Hash(1, 1));
    const OutPoint gone{Hash(0x01, 0), 128};
    const Coin gone_coin = coins[gone];
    Write(*db, {}, Hash(1, 2), {gone});
    coins.erase(gone);

    auto stats = kernel::ComputeCoinsStats(*db);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->txouts, coins.size());
    EXPECT_EQ(stats->hash_serialized, ExpectedDigest(coins));
    consensus::Amount total = 0;
    for (const auto& [outpoint, coin] : coins)
        total += coin.out.value;
    EXPECT_EQ(stats->total_amount, total);
    EXPECT_NE(total + gone_coin.out.value, stats->total_amount);
}

TEST_F(CoinStatsTest, CorruptRecordIsAnError)
{
    auto db = Open("corrupt");
    ASSERT_TRUE(db);
    const auto coins = SampleCoins();
    Write(*db, {coins.begin(), coins.end()}, Hash(1, 1));
    const std::vector<uint8_t> garbage{0x80};
    ASSERT_TRUE(db->GetDatabase().Write(storage::layout::CoinKey(coins.begin()->first), garbage));
    auto stats = kernel::ComputeCoinsStats(*db);
    EXPECT_FALSE(stats);
}

TEST_F(CoinStatsTest, MuHashOnlyWhenAsked)
{
    auto db = Open("muhash_flag");
    ASSERT_TRUE(db);
    const auto coins = SampleCoins();
    Write(*db, {coins.begin(), coins.end()}, Hash(2, 2));
    auto plain = kernel::ComputeCoinsStats(*db);
    auto with = kernel::ComputeCoinsStats(*db, true);
    ASSERT_TRUE(plain && with);
    EXPECT_TRUE(plain->muhash.IsNull());
    EXPECT_FALSE(with->muhash.IsNull());
    // The rest of the statistics do not depend on the flag.
    EXPECT_EQ(plain->hash_serialized, with->hash_serialized);
    EXPECT_EQ(plain->txouts, with->txouts);
    EXPECT_EQ(plain->total_amount, with->total_amount);
    EXPECT_EQ(plain->bogosize, with->bogosize);
}

TEST_F(CoinStatsTest, MuHashOfEmptySet)
{
    auto db = Open("muhash_empty");
    ASSERT_TRUE(db);
    auto stats = kernel::ComputeCoinsStats(*db, true);
    ASSERT_TRUE(stats);
    // No coins: the quotient is 1, hashed as 384 little-endian bytes.
    std::array<uint8_t, consensus::MuHash3072::NUM_BYTES> one{};
    one[0] = 1;
    EXPECT_EQ(stats->muhash, consensus::Sha256Hash(one));
}

TEST_F(CoinStatsTest, MuHashFoldsEveryCoinInAnyOrder)
{
    auto db = Open("muhash_sample");
    ASSERT_TRUE(db);
    const auto coins = SampleCoins();
    Write(*db, {coins.begin(), coins.end()}, Hash(3, 3));
    auto stats = kernel::ComputeCoinsStats(*db, true);
    ASSERT_TRUE(stats) << stats.error().message;

    // Key order, each coin one element.
    consensus::MuHash3072 forward;
    for (const auto& [outpoint, coin] : coins)
        forward.Insert(CoinBytes(outpoint, coin));
    EXPECT_EQ(stats->muhash, forward.Finalize());

    // Reverse order, and two halves combined, give the same set hash.
    consensus::MuHash3072 backward;
    for (auto it = coins.rbegin(); it != coins.rend(); ++it)
        backward.Insert(CoinBytes(it->first, it->second));
    EXPECT_EQ(stats->muhash, backward.Finalize());
    consensus::MuHash3072 odd, even;
    size_t i = 0;
    for (const auto& [outpoint, coin] : coins)
        (i++ % 2 ? odd : even).Insert(CoinBytes(outpoint, coin));
    even *= odd;
    EXPECT_EQ(stats->muhash, even.Finalize());

    // A set missing one coin, or with one coin's height changed, hashes differently.
    consensus::MuHash3072 missing;
    for (auto it = std::next(coins.begin()); it != coins.end(); ++it)
        missing.Insert(CoinBytes(it->first, it->second));
    EXPECT_NE(stats->muhash, missing.Finalize());
    auto changed = coins;
    changed.begin()->second.height += 1;
    consensus::MuHash3072 altered;
    for (const auto& [outpoint, coin] : changed)
        altered.Insert(CoinBytes(outpoint, coin));
    EXPECT_NE(stats->muhash, altered.Finalize());
}

TEST_F(CoinStatsTest, MuHashAfterSpendIsRemoval)
{
    auto db = Open("muhash_spend");
    ASSERT_TRUE(db);
    auto coins = SampleCoins();
    Write(*db, {coins.begin(), coins.end()}, Hash(4, 1));
    consensus::MuHash3072 full;
    for (const auto& [outpoint, coin] : coins)
        full.Insert(CoinBytes(outpoint, coin));

    const OutPoint gone{Hash(0x02, 9), 5};
    full.Remove(CoinBytes(gone, coins.at(gone)));
    Write(*db, {}, Hash(4, 2), {gone});
    auto stats = kernel::ComputeCoinsStats(*db, true);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->muhash, full.Finalize());
}

} // namespace
