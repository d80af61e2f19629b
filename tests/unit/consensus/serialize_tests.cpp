#include <consensus/serialize.h>
#include <consensus/uint256.h>

#include <gtest/gtest.h>

using namespace consensus;

namespace {

std::vector<uint8_t> CompactBytes(uint64_t n)
{
    std::vector<uint8_t> out;
    Writer w{out};
    WriteCompactSize(w, n);
    return out;
}

uint64_t ReadCompact(std::vector<uint8_t> bytes, bool range_check = false)
{
    Reader r{bytes};
    return ReadCompactSize(r, range_check);
}

} // namespace

TEST(Serialize, CompactSizeRoundTrip)
{
    for (uint64_t n : {0ULL, 1ULL, 252ULL, 253ULL, 0xffffULL, 0x10000ULL, 0xffffffffULL,
                       0x100000000ULL, ~0ULL}) {
        const auto bytes = CompactBytes(n);
        EXPECT_EQ(bytes.size(), CompactSizeLen(n));
        EXPECT_EQ(ReadCompact(bytes), n);
    }
}

TEST(Serialize, CompactSizeRejectsNonCanonical)
{
    EXPECT_THROW(ReadCompact({0xfd, 0xfc, 0x00}), DecodeError);
    EXPECT_THROW(ReadCompact({0xfe, 0xff, 0xff, 0x00, 0x00}), DecodeError);
    EXPECT_THROW(ReadCompact({0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}), DecodeError);
    EXPECT_EQ(ReadCompact({0xfd, 0xfd, 0x00}), 253U);
}

TEST(Serialize, CompactSizeRangeCheck)
{
    EXPECT_THROW(ReadCompact(CompactBytes(MAX_SIZE + 1), true), DecodeError);
    EXPECT_EQ(ReadCompact(CompactBytes(MAX_SIZE), true), MAX_SIZE);
}

TEST(Serialize, VectorLengthBoundedByRemainingBytes)
{
    // Claims 200 bytes but carries 3: must fail before allocating.
    std::vector<uint8_t> bytes{200, 1, 2, 3};
    auto r = Decode<std::vector<uint8_t>>(bytes);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("length"), std::string::npos);
}

TEST(Serialize, TrailingBytesRejected)
{
    std::vector<uint8_t> bytes{1, 2, 3, 4, 5};
    EXPECT_FALSE(Decode<uint32_t>(bytes));
    bytes.pop_back();
    auto v = Decode<uint32_t>(bytes);
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, 0x04030201U);
}

TEST(Uint256, HexIsByteReversed)
{
    auto h = Uint256::FromHex("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->data()[0], 0x6f);
    EXPECT_EQ(h->data()[31], 0x00);
    EXPECT_EQ(h->GetHex(), "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    EXPECT_FALSE(Uint256::FromHex("00"));
    EXPECT_FALSE(Uint256::FromHex(std::string(64, 'g')));
}
