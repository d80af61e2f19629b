// ArithUint256: 256-bit arithmetic and Bitcoin's compact target encoding.
#include <consensus/arith_uint256.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

using consensus::ArithUint256;
using consensus::Uint256;

namespace {

ArithUint256 Hex(const std::string& hex)
{
    const auto v = ArithUint256::FromHex(hex);
    EXPECT_TRUE(v) << "bad test hex " << hex;
    return v.value_or(ArithUint256{});
}

// 64 hex digits: `lead` followed by zero bytes.
std::string Padded(const std::string& lead, size_t zero_bytes)
{
    std::string s = lead + std::string(2 * zero_bytes, '0');
    return std::string(64 - s.size(), '0') + s;
}

ArithUint256 Max()
{
    return ~ArithUint256{};
}

ArithUint256 Pow2(unsigned n)
{
    return ArithUint256{1} << n;
}

} // namespace

TEST(ArithUint256, ConstructionAndByteOrder)
{
    EXPECT_TRUE(ArithUint256{}.IsZero());
    EXPECT_EQ(ArithUint256{}.bits(), 0U);
    EXPECT_EQ(ArithUint256{0x1234}.GetLow64(), 0x1234U);
    EXPECT_EQ(ArithUint256{0x1234}.GetHex(), Padded("1234", 0));

    // Byte 0 of a stored hash is the least significant byte of the number.
    Uint256 blob;
    blob.data()[0] = 0x01;
    blob.data()[31] = 0x80;
    const ArithUint256 v{blob};
    EXPECT_EQ(v, Pow2(255) + ArithUint256{1});
    EXPECT_EQ(v.ToUint256(), blob);
    EXPECT_EQ(v.GetHex(), blob.GetHex());

    const std::string genesis = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
    const auto hash = Uint256::FromHex(genesis);
    ASSERT_TRUE(hash);
    EXPECT_EQ(ArithUint256{*hash}.GetHex(), genesis);
    EXPECT_EQ(ArithUint256{*hash}.ToUint256(), *hash);
    EXPECT_EQ(ArithUint256{*hash}.GetLow64(), std::stoull(genesis.substr(48), nullptr, 16));
    EXPECT_EQ(ArithUint256{*hash}.bits(), 256U - 43U);

    EXPECT_FALSE(ArithUint256::FromHex("12"));
    EXPECT_FALSE(ArithUint256::FromHex(std::string(64, 'g')));
}

TEST(ArithUint256, AdditionCarries)
{
    EXPECT_EQ(ArithUint256{UINT64_MAX} + ArithUint256{1}, Pow2(64));
    EXPECT_EQ((Pow2(192) - ArithUint256{1}) + ArithUint256{1}, Pow2(192));
    EXPECT_EQ(Max() + ArithUint256{1}, ArithUint256{});
    EXPECT_EQ(Max() + Max(), Max() - ArithUint256{1});
    ArithUint256 x{UINT64_MAX};
    ++x;
    EXPECT_EQ(x, Pow2(64));
    --x;
    EXPECT_EQ(x, ArithUint256{UINT64_MAX});
}

TEST(ArithUint256, SubtractionBorrows)
{
    EXPECT_EQ(Pow2(128) - ArithUint256{1}, Hex(std::string(32, '0') + std::string(32, 'f')));
    EXPECT_EQ(ArithUint256{} - ArithUint256{1}, Max());
    EXPECT_EQ(Pow2(64) - Pow2(0), ArithUint256{UINT64_MAX});
    EXPECT_EQ(Pow2(200) - Pow2(200), ArithUint256{});
    EXPECT_EQ(-ArithUint256{1}, Max());
    EXPECT_EQ(-ArithUint256{}, ArithUint256{});
    EXPECT_EQ(~ArithUint256{}, Hex(std::string(64, 'f')));
}

TEST(ArithUint256, Multiplication)
{
    // (2^64 - 1)^2 = 2^128 - 2^65 + 1
    EXPECT_EQ(ArithUint256{UINT64_MAX} * ArithUint256{UINT64_MAX},
              Hex(Padded("fffffffffffffffe0000000000000001", 0)));
    EXPECT_EQ(Pow2(100) * Pow2(155), Pow2(255));
    EXPECT_EQ(Pow2(100) * Pow2(156), ArithUint256{}); // wraps modulo 2^256
    EXPECT_EQ(Max() * Max(), ArithUint256{1});        // (-1)^2
    const ArithUint256 x = Hex("0123456789abcdeffedcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f0");
    for (unsigned k : {0U, 1U, 63U, 64U, 65U, 130U, 255U}) {
        EXPECT_EQ(x * Pow2(k), x << k) << "k=" << k;
    }
    EXPECT_EQ(x * ArithUint256{3}, x + x + x);
}

TEST(ArithUint256, Division)
{
    EXPECT_EQ(ArithUint256{1000} / ArithUint256{7}, ArithUint256{142});
    EXPECT_EQ(Max() / ArithUint256{3}, Hex(std::string(64, '5')));
    // 2^256 - 1 = (2^128 - 1)(2^128 + 1)
    EXPECT_EQ(Max() / (Pow2(128) - ArithUint256{1}), Pow2(128) + ArithUint256{1});
    EXPECT_EQ(Pow2(255) / Pow2(255), ArithUint256{1});
    EXPECT_EQ(Pow2(200) / Pow2(201), ArithUint256{});
    EXPECT_EQ(Pow2(200) / ArithUint256{1}, Pow2(200));
    EXPECT_EQ(Pow2(200) / Pow2(72), Pow2(128));

    // Quotient and remainder agree with multiplication for assorted operands.
    const ArithUint256 numerators[] = {
        Hex("0123456789abcdeffedcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f0"), Max(),
        Hex("00000000ffff0000000000000000000000000000000000000000000000000000"),
        ArithUint256{UINT64_MAX} * ArithUint256{UINT64_MAX}};
    const ArithUint256 divisors[] = {
        ArithUint256{3}, ArithUint256{UINT64_MAX}, Pow2(64) + ArithUint256{12345},
        Hex("000000000000000000000000000000000000000000000000fedcba9876543210"),
        Hex("00000000000000000000000000001234ffff00000000000000000000000000aa")};
    for (const auto& n : numerators) {
        for (const auto& d : divisors) {
            const ArithUint256 q = n / d;
            const ArithUint256 product = q * d;
            EXPECT_LE(product, n) << n.GetHex() << " / " << d.GetHex();
            EXPECT_LT(n - product, d) << n.GetHex() << " / " << d.GetHex();
        }
    }
}

TEST(ArithUint256, Shifts)
{
    EXPECT_EQ((ArithUint256{1} << 255).GetHex(), Padded("80", 31));
    EXPECT_EQ(Pow2(255) >> 255, ArithUint256{1});
    EXPECT_EQ(ArithUint256{1} << 256, ArithUint256{});
    EXPECT_EQ(Max() >> 256, ArithUint256{});
    EXPECT_EQ(Max() >> 300, ArithUint256{});
    EXPECT_EQ(ArithUint256{0x8000000000000001ULL} << 1, Pow2(64) + ArithUint256{2});
    EXPECT_EQ((Pow2(64) + ArithUint256{2}) >> 1, ArithUint256{0x8000000000000001ULL});
    EXPECT_EQ(Pow2(64) >> 1, Pow2(63));
    const ArithUint256 x = Hex("0123456789abcdeffedcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f0");
    EXPECT_EQ(x << 0, x);
    EXPECT_EQ(x >> 0, x);
    EXPECT_EQ(x << 4, Hex("123456789abcdeffedcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f00"));
    EXPECT_EQ(x >> 4, Hex("00123456789abcdeffedcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f"));
    EXPECT_EQ(x >> 68, Hex("000000000000000000123456789abcdeffedcba98765432100f1e2d3c4b5a697"));
    EXPECT_EQ(x << 72, Hex("dcba98765432100f1e2d3c4b5a69788796a5b4c3d2e1f0000000000000000000"));
    for (unsigned k = 0; k < 256; ++k) {
        EXPECT_EQ((Pow2(k) >> k), ArithUint256{1}) << "k=" << k;
        EXPECT_EQ(Pow2(k).bits(), k + 1) << "k=" << k;
    }
}

TEST(ArithUint256, ComparisonsAndBits)
{
    EXPECT_LT(ArithUint256{UINT64_MAX}, Pow2(64));
    EXPECT_GT(Pow2(192), Pow2(191) + Pow2(190) + ArithUint256{UINT64_MAX});
    EXPECT_LT(Pow2(128) + ArithUint256{1}, Pow2(128) + ArithUint256{2});
    EXPECT_EQ(Pow2(77), Pow2(77));
    EXPECT_NE(Pow2(77), Pow2(78));
    EXPECT_EQ(ArithUint256{} == 0, true);
    EXPECT_EQ(Max().bits(), 256U);
    EXPECT_EQ(ArithUint256{0xff}.bits(), 8U);
    EXPECT_EQ((Pow2(130) | ArithUint256{5}).GetLow64(), 5U);
    EXPECT_EQ((Max() & Pow2(9)), Pow2(9));
    EXPECT_EQ((Max() ^ Max()), ArithUint256{});
}

namespace {

struct CompactCase
{
    uint32_t bits;
    std::string value_hex; // 64 digits, most significant first
    bool negative;
    bool overflow;
    uint32_t reencoded; // GetCompact(negative) of the decoded value
};

std::ostream& operator<<(std::ostream& os, const CompactCase& c)
{
    return os << "bits=0x" << std::hex << c.bits;
}

class ArithCompactTest : public ::testing::TestWithParam<CompactCase>
{};

// Expected values worked out from the encoding: value = mantissa * 256^(size-3)
// (mantissa shifted right when size < 3), sign bit 23, overflow past 2^256.
std::vector<CompactCase> CompactCases()
{
    return {
        {0x00000000, Padded("", 0), false, false, 0},
        {0x00123456, Padded("", 0), false, false, 0},
        {0x01003456, Padded("", 0), false, false, 0},
        {0x02000056, Padded("", 0), false, false, 0},
        {0x03000000, Padded("", 0), false, false, 0},
        {0x04000000, Padded("", 0), false, false, 0},
        // Sign bit with a mantissa that ends up zero: not negative.
        {0x00923456, Padded("", 0), false, false, 0},
        {0x01803456, Padded("", 0), false, false, 0},
        {0x02800056, Padded("", 0), false, false, 0},
        {0x03800000, Padded("", 0), false, false, 0},
        {0x04800000, Padded("", 0), false, false, 0},
        {0x01123456, Padded("12", 0), false, false, 0x01120000},
        {0x01fedcba, Padded("7e", 0), true, false, 0x01fe0000},
        {0x02123456, Padded("1234", 0), false, false, 0x02123400},
        {0x03123456, Padded("123456", 0), false, false, 0x03123456},
        {0x04123456, Padded("123456", 1), false, false, 0x04123456},
        {0x04923456, Padded("123456", 1), true, false, 0x04923456},
        {0x05009234, Padded("9234", 2), false, false, 0x05009234},
        {0x1d00ffff, Padded("ffff", 26), false, false, 0x1d00ffff},
        {0x207fffff, Padded("7fffff", 29), false, false, 0x207fffff},
        {0x20123456, Padded("123456", 29), false, false, 0x20123456},
        // Largest exponents that still fit, per mantissa width, and one past each.
        {0x22000001, Padded("01", 31), false, false, 0x20010000},
        {0x23000001, Padded("", 0), false, true, 0},
        {0x21000100, Padded("0100", 30), false, false, 0x20010000},
        {0x22000100, Padded("", 0), false, true, 0},
        {0x20010000, Padded("010000", 29), false, false, 0x20010000},
        {0x21010000, Padded("", 0), false, true, 0},
        {0xff123456, Padded("", 0), false, true, 0},
        // A zero mantissa never overflows nor is negative.
        {0xff000000, Padded("", 0), false, false, 0},
        {0xff800000, Padded("", 0), false, false, 0},
    };
}

} // namespace

TEST_P(ArithCompactTest, DecodeAndReencode)
{
    const CompactCase& c = GetParam();
    bool negative = !c.negative;
    bool overflow = !c.overflow;
    ArithUint256 v;
    v.SetCompact(c.bits, &negative, &overflow);
    EXPECT_EQ(negative, c.negative);
    EXPECT_EQ(overflow, c.overflow);
    if (!c.overflow) {
        EXPECT_EQ(v.GetHex(), c.value_hex);
        EXPECT_EQ(v.GetCompact(c.negative), c.reencoded);
    }
    // Omitting the out-parameters decodes the same value.
    ArithUint256 w;
    w.SetCompact(c.bits);
    EXPECT_EQ(w, v);
}

INSTANTIATE_TEST_SUITE_P(ArithCases, ArithCompactTest, ::testing::ValuesIn(CompactCases()));

TEST(ArithCompact, NeverEncodesTheSignBitForPositiveValues)
{
    EXPECT_EQ(ArithUint256{0x80}.GetCompact(), 0x02008000U);
    EXPECT_EQ(ArithUint256{0x7f}.GetCompact(), 0x017f0000U);
    EXPECT_EQ(ArithUint256{0x800000}.GetCompact(), 0x04008000U);
    EXPECT_EQ(ArithUint256{0x7fffff}.GetCompact(), 0x037fffffU);
    EXPECT_EQ(ArithUint256{}.GetCompact(true), 0U); // no sign on zero
    EXPECT_EQ(Max().GetCompact(), 0x2100ffffU);     // rounded down to 3 bytes
    EXPECT_EQ(Pow2(255).GetCompact(), 0x21008000U);
}

TEST(ArithCompact, RoundTripsNormalisedEncodings)
{
    // Any value whose significant bytes fit the mantissa survives a round trip,
    // and decoding a canonical encoding then re-encoding gives it back.
    for (unsigned shift = 0; shift <= 232; shift += 8) {
        for (uint64_t mantissa : {0x1ULL, 0x7fULL, 0x80ULL, 0xffffULL, 0x123456ULL, 0x7fffffULL,
                                  0x800000ULL, 0xffff00ULL}) {
            const ArithUint256 v = ArithUint256{mantissa} << shift;
            const uint32_t compact = v.GetCompact();
            bool negative = true;
            bool overflow = true;
            ArithUint256 back;
            back.SetCompact(compact, &negative, &overflow);
            EXPECT_FALSE(negative) << v.GetHex();
            EXPECT_FALSE(overflow) << v.GetHex();
            EXPECT_EQ(back, v) << v.GetHex();
            EXPECT_EQ(back.GetCompact(), compact) << v.GetHex();
        }
    }
    // Low bytes beyond the top three are rounded away.
    ArithUint256 rounded;
    rounded.SetCompact((Pow2(100) + ArithUint256{1}).GetCompact());
    EXPECT_EQ(rounded, Pow2(100));
    // A top byte >= 0x80 costs the mantissa its lowest byte.
    EXPECT_EQ(ArithUint256{0xffffff}.GetCompact(), 0x0400ffffU);
    rounded.SetCompact(0x0400ffff);
    EXPECT_EQ(rounded, ArithUint256{0xffff00});
}
