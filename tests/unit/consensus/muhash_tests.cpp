// MuHash3072 and its ChaCha20 expansion against published vectors.
//
// MuHash vectors: Bitcoin Core, src/test/crypto_tests.cpp (muhash_tests),
// Copyright (c) The Bitcoin Core developers, MIT license. There FromInt(i) is
// the set holding one 32-byte element {i, 0, ..., 0}; expected digests given
// with uint256S are display-order hex, those given with HexStr raw order.
// ChaCha20 vectors: RFC 8439 section 2.3.2 and appendix A.1 (test vector #1).
#include <consensus/crypto/chacha20.h>
#include <consensus/crypto/muhash.h>
#include <consensus/hash.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

using consensus::MuHash3072;
using consensus::Uint256;

namespace {

std::vector<uint8_t> Hex(std::string_view hex)
{
    auto bytes = util::TryParseHex(hex);
    EXPECT_TRUE(bytes.has_value()) << hex;
    return bytes.value_or(std::vector<uint8_t>{});
}

std::array<uint8_t, 32> IntElement(uint8_t i)
{
    std::array<uint8_t, 32> element{};
    element[0] = i;
    return element;
}

MuHash3072 FromInt(uint8_t i)
{
    return MuHash3072{IntElement(i)};
}

// Core: FromInt(0) *= FromInt(1) /= FromInt(2), and the Insert/Remove form.
constexpr std::string_view ZERO_ONE_OVER_TWO =
    "10d312b100cbd32ada024a6646e40d3482fcff103668d2625f10002a607d5863";
// Core: the serialization of FromInt(1) * FromInt(2) starts with these bytes
// (the numerator, little-endian).
constexpr std::string_view ONE_TIMES_TWO_PREFIX =
    "1fa093295ea30a6a3acdc7b3f770fa538eff537528e990e2910e40bbcfd7f6696b125690";
// Core: a numerator of 384 0xff bytes (above the modulus) over 1, HexStr order.
constexpr std::string_view OVERFLOW_DIGEST =
    "3a31e6903aff0de9f62f9a9f7f8b861de76ce2cda09822b90014319ae5dc2271";

TEST(ChaCha20Test, Rfc8439BlockFunction)
{
    std::array<uint8_t, 32> key;
    for (size_t i = 0; i < key.size(); ++i)
        key[i] = static_cast<uint8_t>(i);
    const auto nonce = Hex("000000090000004a00000000");
    std::array<uint8_t, 64> out;
    consensus::ChaCha20Keystream(key, std::span<const uint8_t, 12>{nonce.data(), 12}, 1, out);
    EXPECT_EQ(util::HexStr(out),
              "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
              "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
}

TEST(ChaCha20Test, ZeroKeyAcrossBlocksAndPartialOutput)
{
    const std::array<uint8_t, 32> key{};
    const std::array<uint8_t, 12> nonce{};
    std::array<uint8_t, 128> two_blocks;
    consensus::ChaCha20Keystream(key, nonce, 0, two_blocks);
    const std::string first = "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
                              "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586";
    EXPECT_EQ(util::HexStr(std::span{two_blocks}.first(64)), first);

    // The second block is block counter 1 on its own.
    std::array<uint8_t, 64> second;
    consensus::ChaCha20Keystream(key, nonce, 1, second);
    EXPECT_EQ(util::HexStr(std::span{two_blocks}.subspan(64)), util::HexStr(second));
    EXPECT_NE(util::HexStr(second), first);

    // A partial request yields a prefix of the same stream.
    std::array<uint8_t, 70> partial;
    consensus::ChaCha20Keystream(key, nonce, 0, partial);
    EXPECT_TRUE(std::equal(partial.begin(), partial.end(), two_blocks.begin()));
}

TEST(MuHashTest, CoreVectorCombining)
{
    MuHash3072 acc = FromInt(0);
    acc *= FromInt(1);
    acc /= FromInt(2);
    EXPECT_EQ(acc.Finalize().GetHex(), ZERO_ONE_OVER_TWO);
}

TEST(MuHashTest, CoreVectorInsertRemove)
{
    MuHash3072 acc = FromInt(0);
    acc.Insert(IntElement(1));
    acc.Remove(IntElement(2));
    Uint256 out;
    acc.Finalize(out);
    EXPECT_EQ(out.GetHex(), ZERO_ONE_OVER_TWO);

    // Finalize leaves the same set behind: a second call agrees.
    EXPECT_EQ(acc.Finalize().GetHex(), ZERO_ONE_OVER_TWO);

    // A different set gives a different digest.
    MuHash3072 other = FromInt(0);
    other.Insert(IntElement(2));
    other.Remove(IntElement(1));
    EXPECT_NE(other.Finalize().GetHex(), ZERO_ONE_OVER_TWO);
}

TEST(MuHashTest, CoreVectorSerialization)
{
    MuHash3072 acc = FromInt(1);
    acc *= FromInt(2);
    const auto bytes = acc.Serialize();
    const std::string hex = util::HexStr(bytes);
    EXPECT_EQ(hex.substr(0, ONE_TIMES_TWO_PREFIX.size()), ONE_TIMES_TWO_PREFIX);
    // Nothing was removed: the denominator is 1.
    std::array<uint8_t, MuHash3072::NUM_BYTES> one{};
    one[0] = 1;
    EXPECT_TRUE(std::equal(one.begin(), one.end(), bytes.begin() + MuHash3072::NUM_BYTES));

    // A deserialized copy hashes the same.
    MuHash3072 copy = MuHash3072::Deserialize(bytes);
    EXPECT_EQ(copy.Serialize(), bytes);
    EXPECT_EQ(copy.Finalize(), acc.Finalize());
}

TEST(MuHashTest, CoreVectorOverflow)
{
    std::array<uint8_t, MuHash3072::SERIALIZED_SIZE> bytes{};
    std::fill_n(bytes.begin(), MuHash3072::NUM_BYTES, 0xff);
    bytes[MuHash3072::NUM_BYTES] = 1;
    MuHash3072 acc = MuHash3072::Deserialize(bytes);
    const Uint256 out = acc.Finalize();
    EXPECT_EQ(util::HexStr(out.span()), OVERFLOW_DIGEST);
}

TEST(MuHashTest, EmptySetIsSha256OfOne)
{
    // The quotient of the empty set is 1: its digest is SHA256 of 1 as 384
    // little-endian bytes.
    std::array<uint8_t, MuHash3072::NUM_BYTES> one{};
    one[0] = 1;
    MuHash3072 empty;
    EXPECT_EQ(empty.Finalize(), consensus::Sha256Hash(one));
}

TEST(MuHashTest, ElementIsKeystreamOfSha256)
{
    const std::vector<uint8_t> data{'m', 'u', 'h', 'a', 's', 'h'};
    const Uint256 key = consensus::Sha256Hash(data);
    std::array<uint8_t, MuHash3072::NUM_BYTES> expected;
    consensus::ChaCha20Keystream(key.span(), std::array<uint8_t, 12>{}, 0, expected);
    EXPECT_EQ(MuHash3072::ElementBytes(data), expected);
    // The singleton set's numerator is that number (below the modulus here).
    const auto serialized = MuHash3072{data}.Serialize();
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), serialized.begin()));
}

TEST(MuHashTest, OrderIndependenceAndInverses)
{
    // Core's algebra: with z = X*Y and y = Y*X, z / y is the empty set.
    for (uint8_t a = 0; a < 4; ++a) {
        for (uint8_t b = 0; b < 4; ++b) {
            MuHash3072 x = FromInt(a);
            MuHash3072 y = FromInt(static_cast<uint8_t>(b + 7));
            MuHash3072 z;
            z *= x;
            z *= y;
            y *= x;
            z /= y;
            EXPECT_EQ(z.Finalize(), MuHash3072{}.Finalize()) << int{a} << " " << int{b};
        }
    }

    // Every order of the same inserts and removes gives one digest.
    const std::vector<std::pair<uint8_t, bool>> ops{{3, true}, {1, true}, {2, false}, {5, true}};
    std::vector<size_t> order{0, 1, 2, 3};
    std::optional<Uint256> first;
    do {
        MuHash3072 acc;
        for (size_t i : order) {
            if (ops[i].second) {
                acc.Insert(IntElement(ops[i].first));
            } else {
                acc.Remove(IntElement(ops[i].first));
            }
        }
        const Uint256 digest = acc.Finalize();
        if (!first) first = digest;
        EXPECT_EQ(digest, *first);
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_NE(*first, MuHash3072{}.Finalize());
}

TEST(MuHashTest, SelfDivisionAndCopies)
{
    MuHash3072 acc;
    acc.Insert(IntElement(9)).Insert(IntElement(10));
    MuHash3072 copy = acc;
    acc /= acc;
    EXPECT_EQ(acc.Finalize(), MuHash3072{}.Finalize());
    // The copy is independent of later changes to the original.
    MuHash3072 expected;
    expected.Insert(IntElement(10)).Insert(IntElement(9));
    EXPECT_EQ(copy.Finalize(), expected.Finalize());
    copy = MuHash3072{};
    EXPECT_EQ(copy.Finalize(), MuHash3072{}.Finalize());
}

} // namespace
