// Bitcoin Signed Messages. The signing vector is Bitcoin Core's util_tests message_sign (key
// D97F...2866, "Trust no one", address 15CRxFdyRpGZLW9w8HnHvVduizdL5jKNbs); the hashes were
// computed independently with Python's hashlib (SHA-256d over CompactSize-prefixed magic and
// message) and the key hash with python-bitcoinlib.
#include <common/message.h>

#include <consensus/hash.h>
#include <util/base64.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace {

const std::array<uint8_t, 32> CORE_KEY{
    0xD9, 0x7F, 0x51, 0x08, 0xF1, 0x1C, 0xDA, 0x6E, 0xEE, 0xBA, 0xAA, 0x42, 0x0F, 0xEF, 0x07, 0x26,
    0xB1, 0xF8, 0x98, 0x06, 0x0B, 0x98, 0x48, 0x9F, 0xA3, 0x09, 0x84, 0x63, 0xC0, 0x03, 0x28, 0x66};
const std::string CORE_SIGNATURE{
    "IPojfrX2dfPnH26UegfbGQQLrdK844DlHq5157/P6h57WyuS/Qsl+h/WSVGDF4MUi4rWSswW38oimDYfNNUBUOk="};
// Hash160 of the key's compressed public key (the payload of 15CRxFdyRpGZLW9w8HnHvVduizdL5jKNbs).
const std::string CORE_KEY_HASH{"2e09e87a7b176efdeb6b5257be68de5473091816"};

std::string HashBytesHex(const consensus::Uint256& hash)
{
    return util::HexStr(std::span<const uint8_t>{hash.begin(), 32});
}

std::vector<uint8_t> Decoded(const std::string& base64)
{
    const auto bytes = util::DecodeBase64(base64);
    EXPECT_TRUE(bytes.has_value());
    return bytes.value_or(std::vector<uint8_t>{});
}

TEST(MessageTest, HashMatchesIndependentComputation)
{
    EXPECT_EQ(HashBytesHex(common::MessageHash("Trust no one")),
              "aa8215d723ecd2f14867eeb7e19f192be7bc15a2352a24b991d4f5870cbaf6e8");
    EXPECT_EQ(HashBytesHex(common::MessageHash("")),
              "80e795d4a4caadd7047af389d9f7f220562feb6196032e2131e10563352c4bcc");
    // 300 bytes take the three-byte CompactSize length (0xfd, little-endian 300).
    EXPECT_EQ(HashBytesHex(common::MessageHash(std::string(300, 'x'))),
              "cfaa374801123c07586b32d81c6a355bb6c2b2fe3c0564c8a91c0edbc6bafdc3");
    EXPECT_NE(common::MessageHash("Trust no one"), common::MessageHash("Trust no one."));
}

TEST(MessageTest, SignsCoresVector)
{
    const auto sig = common::SignMessage(CORE_KEY, true, "Trust no one");
    ASSERT_TRUE(sig.has_value());
    EXPECT_EQ(*sig, CORE_SIGNATURE);
}

TEST(MessageTest, RefusesInvalidSecret)
{
    const std::array<uint8_t, 32> zero{};
    EXPECT_FALSE(common::SignMessage(zero, true, "Trust no one").has_value());
}

TEST(MessageTest, RecoversSignersKey)
{
    const auto pubkey = common::RecoverMessagePubKey(Decoded(CORE_SIGNATURE), "Trust no one");
    ASSERT_TRUE(pubkey.has_value());
    ASSERT_EQ(pubkey->size(), 33u);
    const consensus::Uint160 key_hash = consensus::Hash160(*pubkey);
    EXPECT_EQ(util::HexStr(std::span<const uint8_t>{key_hash.begin(), 20}), CORE_KEY_HASH);
}

TEST(MessageTest, OtherMessageRecoversOtherKey)
{
    const auto pubkey = common::RecoverMessagePubKey(Decoded(CORE_SIGNATURE), "Trust me");
    if (pubkey) {
        const consensus::Uint160 key_hash = consensus::Hash160(*pubkey);
        EXPECT_NE(util::HexStr(std::span<const uint8_t>{key_hash.begin(), 20}), CORE_KEY_HASH);
    }
}

TEST(MessageTest, MalformedSignatureRecoversNothing)
{
    std::vector<uint8_t> sig = Decoded(CORE_SIGNATURE);
    sig.pop_back();
    EXPECT_FALSE(common::RecoverMessagePubKey(sig, "Trust no one").has_value());
    EXPECT_FALSE(common::RecoverMessagePubKey(std::vector<uint8_t>(65, 0), "Trust no one"));
}

TEST(MessageTest, RoundTripUncompressed)
{
    const auto sig = common::SignMessage(CORE_KEY, false, "hello");
    ASSERT_TRUE(sig.has_value());
    const auto pubkey = common::RecoverMessagePubKey(Decoded(*sig), "hello");
    ASSERT_TRUE(pubkey.has_value());
    EXPECT_EQ(pubkey->size(), 65u);
}

} // namespace
