#include <common/base58.h>

#include "test_data.h"

#include <util/strings.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using common::DecodeBase58;
using common::DecodeBase58Check;
using common::EncodeBase58;
using common::EncodeBase58Check;

// Bitcoin Core's src/test/data/base58_encode_decode.json: [hex, base58] pairs.
TEST(Base58, CoreVectorsBothDirections)
{
    const auto vectors = common_test::LoadJson("base58_encode_decode.json");
    ASSERT_EQ(vectors.size(), 21U);
    for (const auto& v : vectors) {
        const std::string hex = v.at(0);
        const std::string text = v.at(1);
        SCOPED_TRACE(hex + " <-> " + text);
        const auto bytes = util::TryParseHex(hex);
        ASSERT_TRUE(bytes);
        EXPECT_EQ(EncodeBase58(*bytes), text);
        const auto decoded = DecodeBase58(text, 256);
        ASSERT_TRUE(decoded) << decoded.error().message;
        EXPECT_EQ(*decoded, *bytes);
        // One byte less room than needed must fail.
        if (!bytes->empty()) {
            EXPECT_FALSE(DecodeBase58(text, bytes->size() - 1));
        }
    }
}

TEST(Base58, RejectsBadCharactersAndHonoursWhitespace)
{
    EXPECT_FALSE(DecodeBase58("invalid", 100)); // 'l' is not in the alphabet
    EXPECT_FALSE(DecodeBase58("0OIl", 100));
    EXPECT_FALSE(DecodeBase58(std::string("3vQB7B6MrGQZaxCuFg4o\0a", 22), 100));
    EXPECT_FALSE(DecodeBase58("3vQB 7B6MrGQZaxCuFg4oh", 100)); // inner space
    const auto spaced = DecodeBase58(" \t\n\v\f\r 2g \r\f\v\n\t ", 100);
    ASSERT_TRUE(spaced);
    EXPECT_EQ(util::HexStr(*spaced), "61");
    const auto only_space = DecodeBase58(" \t ", 100);
    ASSERT_TRUE(only_space);
    EXPECT_TRUE(only_space->empty());
    // Leading '1's count against the limit too.
    EXPECT_FALSE(DecodeBase58("1111", 3));
    EXPECT_TRUE(DecodeBase58("1111", 4));
    // A long string of digits is rejected without decoding it all.
    EXPECT_FALSE(DecodeBase58(std::string(100000, 'z'), 100));
}

TEST(Base58, CheckRoundTripAndFailures)
{
    const std::vector<uint8_t> payload{0x00, 0x01, 0x02, 0xfe, 0xff};
    const std::string text = EncodeBase58Check(payload);
    const auto decoded = DecodeBase58Check(text, payload.size());
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, payload);
    EXPECT_FALSE(DecodeBase58Check(text, payload.size() - 1)); // too long for the limit

    // Change one character: the checksum must catch it.
    std::string corrupted = text;
    corrupted.back() = corrupted.back() == 'z' ? 'y' : 'z';
    const auto bad = DecodeBase58Check(corrupted, 100);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "Invalid checksum");

    // A known mainnet P2PKH address.
    const auto addr = DecodeBase58Check("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", 21);
    ASSERT_TRUE(addr);
    EXPECT_EQ(util::HexStr(*addr), "0062e907b15cbf27d5425399ebf6f0fb50ebb88f18");
    EXPECT_FALSE(DecodeBase58Check("", 100));
    EXPECT_FALSE(DecodeBase58Check("1", 100));
}

TEST(Base58, TruncationNeverSucceeds)
{
    // Every proper prefix of a checksummed string fails cleanly.
    const auto vectors = common_test::LoadJson("key_io_valid.json");
    size_t checked = 0;
    for (const auto& v : vectors) {
        const std::string text = v.at(0);
        if (!DecodeBase58Check(text, 100)) continue; // bech32 entries
        for (size_t len = 0; len < text.size(); ++len) {
            const auto r = DecodeBase58Check(std::string_view{text}.substr(0, len), 100);
            EXPECT_FALSE(r) << text << " truncated to " << len;
        }
        ++checked;
    }
    EXPECT_EQ(checked, 38U);
}
