#include <storage/layout.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace storage::layout;

consensus::Uint256 TestHash()
{
    consensus::Uint256 h;
    for (size_t i = 0; i < h.size(); ++i)
        h.data()[i] = static_cast<uint8_t>(i + 1);
    return h;
}

std::vector<uint8_t> Cat(std::vector<uint8_t> a, const std::vector<uint8_t>& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::vector<uint8_t> HashBytes()
{
    const consensus::Uint256 h = TestHash();
    return std::vector<uint8_t>(h.begin(), h.end());
}

TEST(LayoutTest, PrefixesAreCores)
{
    EXPECT_EQ(DB_BLOCK_INDEX, 'b');
    EXPECT_EQ(DB_BLOCK_FILES, 'f');
    EXPECT_EQ(DB_LAST_BLOCK, 'l');
    EXPECT_EQ(DB_REINDEX_FLAG, 'R');
    EXPECT_EQ(DB_FLAG, 'F');
    EXPECT_EQ(DB_TXINDEX, 't');
    EXPECT_EQ(DB_COIN, 'C');
    EXPECT_EQ(DB_BEST_BLOCK, 'B');
    EXPECT_EQ(DB_HEAD_BLOCKS, 'H');
    EXPECT_EQ(DB_LEGACY_COINS, 'c');
    const std::string expected_obf{"\x0e\x00obfuscate_key", 15};
    EXPECT_EQ(std::string{OBFUSCATE_KEY_KEY}, expected_obf);
    EXPECT_EQ(OBFUSCATE_KEY_KEY.size(), 15u);
    EXPECT_EQ(static_cast<size_t>(OBFUSCATE_KEY_KEY[0]), OBFUSCATE_KEY_KEY.size() - 1);
}

TEST(LayoutTest, KeyBuilders)
{
    EXPECT_EQ(BlockIndexKey(TestHash()), Cat({'b'}, HashBytes()));
    EXPECT_EQ(TxIndexKey(TestHash()), Cat({'t'}, HashBytes()));
    EXPECT_EQ(BlockFileInfoKey(0), (Key{'f', 0, 0, 0, 0}));
    EXPECT_EQ(BlockFileInfoKey(0x01020304), (Key{'f', 4, 3, 2, 1}));
    EXPECT_EQ(LastBlockFileKey(), Key{'l'});
    EXPECT_EQ(ReindexFlagKey(), Key{'R'});
    EXPECT_EQ(BestBlockKey(), Key{'B'});
    EXPECT_EQ(HeadBlocksKey(), Key{'H'});
    EXPECT_EQ(FlagKey("txindex"), (Key{'F', 7, 't', 'x', 'i', 'n', 'd', 'e', 'x'}));
    EXPECT_EQ(FlagKey(""), (Key{'F', 0}));
    const std::string long_name(300, 'x');
    const Key long_key = FlagKey(long_name);
    ASSERT_EQ(long_key.size(), 1u + 3u + 300u);
    EXPECT_EQ(long_key[1], 253);
    EXPECT_EQ(long_key[2], 300 & 0xff);
    EXPECT_EQ(long_key[3], 300 >> 8);
    EXPECT_EQ(Prefix('C'), Key{'C'});
}

TEST(LayoutTest, CoinKeyEncodesVoutAsVarInt)
{
    struct Case
    {
        uint32_t n;
        std::string tail_hex;
    };
    const std::vector<Case> cases{{0, "00"},
                                  {1, "01"},
                                  {127, "7f"},
                                  {128, "8000"},
                                  {0x1234, "a334"},
                                  {0xffff, "82fe7f"},
                                  {0xffffffff, "8efefefe7f"}};
    for (const auto& c : cases) {
        consensus::OutPoint op;
        op.hash = TestHash();
        op.n = c.n;
        const Key key = CoinKey(op);
        ASSERT_GE(key.size(), 33u) << c.n;
        EXPECT_EQ(key[0], 'C') << c.n;
        EXPECT_EQ(Key(key.begin() + 1, key.begin() + 33), HashBytes()) << c.n;
        EXPECT_EQ(util::HexStr(std::span{key}.subspan(33)), c.tail_hex) << c.n;
        const auto parsed = ParseCoinKey(key);
        ASSERT_TRUE(parsed.has_value()) << c.n;
        EXPECT_EQ(*parsed, op) << c.n;
    }
}

TEST(LayoutTest, ParseCoinKeyRejectsMalformed)
{
    consensus::OutPoint op;
    op.hash = TestHash();
    op.n = 300;
    const Key good = CoinKey(op);
    // Every strict prefix is rejected.
    for (size_t len = 0; len < good.size(); ++len) {
        EXPECT_FALSE(ParseCoinKey(std::span{good}.first(len)).has_value())
            << "prefix length " << len;
    }
    Key wrong_prefix = good;
    wrong_prefix[0] = 'c';
    EXPECT_FALSE(ParseCoinKey(wrong_prefix).has_value());
    Key trailing = good;
    trailing.push_back(0);
    EXPECT_FALSE(ParseCoinKey(trailing).has_value());
    // vout above 32 bits.
    Key big = Cat({'C'}, HashBytes());
    AppendVarInt(big, 0x100000000ULL);
    EXPECT_FALSE(ParseCoinKey(big).has_value());
}

TEST(LayoutTest, VarIntVectors)
{
    // Bit patterns from Bitcoin Core's serialize tests.
    struct Case
    {
        uint64_t n;
        std::string hex;
    };
    const std::vector<Case> cases{
        {0, "00"},
        {0x7f, "7f"},
        {0x80, "8000"},
        {0x1234, "a334"},
        {0xffff, "82fe7f"},
        {0x123456, "c7e756"},
        {0x80123456, "86ffc7e756"},
        {0xffffffff, "8efefefe7f"},
        {0x7fffffffffffffffULL, "fefefefefefefefe7f"},
        {0xffffffffffffffffULL, "80fefefefefefefefe7f"},
    };
    for (const auto& c : cases) {
        std::vector<uint8_t> out;
        AppendVarInt(out, c.n);
        EXPECT_EQ(util::HexStr(out), c.hex) << c.n;
        size_t pos = 0;
        const auto back = ReadVarInt(out, pos);
        ASSERT_TRUE(back.has_value()) << c.n;
        EXPECT_EQ(*back, c.n) << c.n;
        EXPECT_EQ(pos, out.size()) << c.n;
        for (size_t len = 0; len < out.size(); ++len) {
            size_t p = 0;
            EXPECT_FALSE(ReadVarInt(std::span{out}.first(len), p).has_value())
                << c.n << " truncated to " << len;
        }
    }
}

TEST(LayoutTest, VarIntRoundTripAndOverflow)
{
    for (uint64_t n = 0; n < 70000; n += 7) {
        std::vector<uint8_t> out;
        AppendVarInt(out, n);
        size_t pos = 0;
        ASSERT_EQ(ReadVarInt(out, pos), std::optional<uint64_t>{n});
    }
    // One more group than 64 bits can hold.
    const std::vector<uint8_t> overflow{0x80, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe,
                                        0xfe, 0xfe, 0xfe, 0xfe, 0x7f};
    size_t pos = 0;
    EXPECT_FALSE(ReadVarInt(overflow, pos).has_value());
    const std::vector<uint8_t> max_plus_one{0x80, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe,
                                            0xfe, 0xfe, 0xfe, 0xff, 0x00};
    pos = 0;
    EXPECT_FALSE(ReadVarInt(max_plus_one, pos).has_value());
}

} // namespace
