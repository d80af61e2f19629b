// Bitcoin Core's key_io_valid.json / key_io_invalid.json (tests/data/common, MIT).
#include <common/base58.h>
#include <common/chainparams.h>
#include <common/key_io.h>

#include "test_data.h"

#include <util/strings.h>

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

using common::ChainParams;
using util::ChainType;

namespace {

const std::vector<ChainType> ALL_CHAINS{ChainType::MAIN, ChainType::TESTNET, ChainType::TESTNET4,
                                        ChainType::SIGNET, ChainType::REGTEST};

// Parameters built once per test binary; they are immutable.
const ChainParams& Params(ChainType chain)
{
    static const auto all = [] {
        std::map<ChainType, std::unique_ptr<const ChainParams>> m;
        for (const auto c : ALL_CHAINS)
            m.emplace(c, common::CreateChainParams(c));
        return m;
    }();
    return *all.at(chain);
}

std::string FlipCase(std::string s)
{
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        } else if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return s;
}

} // namespace

TEST(KeyIo, CoreValidVectors)
{
    const auto vectors = common_test::LoadJson("key_io_valid.json");
    ASSERT_EQ(vectors.size(), 70U);
    size_t keys = 0;
    size_t addresses = 0;
    for (const auto& v : vectors) {
        const std::string text = v.at(0);
        const std::string payload_hex = v.at(1);
        const auto& meta = v.at(2);
        const std::string chain_name = meta.at("chain");
        SCOPED_TRACE(text + " on " + chain_name);
        const auto chain = util::ParseChainType(chain_name);
        ASSERT_TRUE(chain);
        // testnet3 and testnet4 share every prefix, so check both for either.
        std::vector<ChainType> chains{*chain};
        if (*chain == ChainType::TESTNET4) chains.push_back(ChainType::TESTNET);
        if (*chain == ChainType::TESTNET) chains.push_back(ChainType::TESTNET4);

        for (const auto c : chains) {
            const ChainParams& params = Params(c);
            if (meta.at("isPrivkey").get<bool>()) {
                const bool compressed = meta.at("isCompressed").get<bool>();
                const auto key = common::DecodeSecret(text, params);
                ASSERT_TRUE(key) << key.error().message;
                EXPECT_EQ(util::HexStr(key->secret), payload_hex);
                EXPECT_EQ(key->compressed, compressed);
                EXPECT_EQ(common::EncodeSecret(*key, params), text);
                // A private key is never an address.
                EXPECT_FALSE(common::DecodeDestination(text, params));
                ++keys;
            } else {
                const auto dest = common::DecodeDestination(text, params);
                ASSERT_TRUE(dest) << dest.error().message;
                EXPECT_TRUE(common::IsValidDestination(*dest));
                EXPECT_EQ(util::HexStr(common::GetScriptForDestination(*dest).bytes()),
                          payload_hex);
                EXPECT_EQ(common::EncodeDestination(*dest, params), text);

                // From script back to address.
                const auto script = util::TryParseHex(payload_hex);
                ASSERT_TRUE(script);
                const auto extracted = common::ExtractDestination(consensus::Script{*script});
                ASSERT_TRUE(extracted);
                EXPECT_EQ(common::EncodeDestination(*extracted, params), text);

                // Bech32 is case-insensitive; Base58 is not.
                const bool try_case_flip =
                    meta.contains("tryCaseFlip") && meta.at("tryCaseFlip").get<bool>();
                const auto flipped = common::DecodeDestination(FlipCase(text), params);
                EXPECT_EQ(flipped.has_value(), try_case_flip);
                if (flipped) {
                    EXPECT_EQ(util::HexStr(common::GetScriptForDestination(*flipped).bytes()),
                              payload_hex);
                }
                // An address is never a private key.
                EXPECT_FALSE(common::DecodeSecret(text, params));
                ++addresses;
            }
        }
    }
    EXPECT_EQ(keys, 20U);
    EXPECT_EQ(addresses, 68U);
}

TEST(KeyIo, CoreInvalidVectors)
{
    const auto vectors = common_test::LoadJson("key_io_invalid.json");
    ASSERT_EQ(vectors.size(), 79U);
    for (const auto& v : vectors) {
        const std::string text = v.at(0);
        for (const auto chain : ALL_CHAINS) {
            const ChainParams& params = Params(chain);
            EXPECT_FALSE(common::DecodeDestination(text, params))
                << "address " << text << " on " << params.GetChainTypeString();
            EXPECT_FALSE(common::DecodeSecret(text, params))
                << "key " << text << " on " << params.GetChainTypeString();
        }
    }
}

TEST(KeyIo, WrongNetworkIsRejected)
{
    const auto vectors = common_test::LoadJson("key_io_valid.json");
    for (const auto& v : vectors) {
        const std::string text = v.at(0);
        const auto chain = util::ParseChainType(v.at(2).at("chain").get<std::string>());
        ASSERT_TRUE(chain);
        // Mainnet strings fail on every test network and vice versa; test networks
        // other than regtest share bech32 HRP and base58 prefixes with each other.
        const bool is_main = *chain == ChainType::MAIN;
        const bool is_key = v.at(2).at("isPrivkey").get<bool>();
        for (const auto other : ALL_CHAINS) {
            const bool other_main = other == ChainType::MAIN;
            if (is_main == other_main) continue;
            if (is_key) {
                EXPECT_FALSE(common::DecodeSecret(text, Params(other))) << text;
            } else {
                EXPECT_FALSE(common::DecodeDestination(text, Params(other))) << text;
            }
        }
    }
}

TEST(KeyIo, TruncationNeverSucceeds)
{
    const auto vectors = common_test::LoadJson("key_io_valid.json");
    for (const auto& v : vectors) {
        const std::string text = v.at(0);
        const auto chain = util::ParseChainType(v.at(2).at("chain").get<std::string>());
        ASSERT_TRUE(chain);
        const ChainParams& params = Params(*chain);
        for (size_t len = 0; len < text.size(); ++len) {
            const std::string_view prefix = std::string_view{text}.substr(0, len);
            EXPECT_FALSE(common::DecodeDestination(prefix, params))
                << text << " truncated to " << len;
            EXPECT_FALSE(common::DecodeSecret(prefix, params)) << text << " truncated to " << len;
        }
    }
}

TEST(KeyIo, SecretRangeAndFlags)
{
    const ChainParams& main = Params(ChainType::MAIN);
    common::WifKey key;
    key.secret.fill(0);
    // Zero is not a valid secret, nor is the group order n.
    EXPECT_FALSE(common::DecodeSecret(common::EncodeSecret(key, main), main));
    const auto order =
        util::TryParseHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    ASSERT_TRUE(order);
    std::copy(order->begin(), order->end(), key.secret.begin());
    const auto at_order = common::DecodeSecret(common::EncodeSecret(key, main), main);
    ASSERT_FALSE(at_order);
    EXPECT_EQ(at_order.error().message, "Private key out of range");
    // n - 1 is the largest valid secret.
    key.secret[31] = 0x40;
    const auto below = common::DecodeSecret(common::EncodeSecret(key, main), main);
    ASSERT_TRUE(below) << below.error().message;
    EXPECT_EQ(below->secret, key.secret);
    EXPECT_TRUE(below->compressed);

    // A compressed-size payload whose marker byte is not 0x01.
    std::vector<uint8_t> payload{0x80};
    payload.insert(payload.end(), 32, 0x11);
    payload.push_back(0x02);
    const auto bad_flag = common::DecodeSecret(common::EncodeBase58Check(payload), main);
    ASSERT_FALSE(bad_flag);
    EXPECT_EQ(bad_flag.error().message, "Invalid private key compression flag");
}

TEST(KeyIo, DestinationKindsRoundTrip)
{
    const ChainParams& main = Params(ChainType::MAIN);
    // P2PK has a script but no address.
    std::vector<uint8_t> pubkey(33, 0x11);
    pubkey[0] = 0x02;
    consensus::Script p2pk;
    p2pk << pubkey << consensus::OP_CHECKSIG;
    const auto dest = common::ExtractDestination(p2pk);
    ASSERT_TRUE(dest);
    ASSERT_TRUE(std::holds_alternative<common::PubKeyDestination>(*dest));
    EXPECT_FALSE(common::IsValidDestination(*dest));
    EXPECT_EQ(common::EncodeDestination(*dest, main), "");
    EXPECT_EQ(common::GetScriptForDestination(*dest), p2pk);

    // Pay-to-anchor: bc1pfeessrawgf (witness v1, program 4e73).
    const auto anchor = common::DecodeDestination("bc1pfeessrawgf", main);
    ASSERT_TRUE(anchor) << anchor.error().message;
    EXPECT_TRUE(std::holds_alternative<common::PayToAnchor>(*anchor));
    EXPECT_EQ(util::HexStr(common::GetScriptForDestination(*anchor).bytes()), "51024e73");
    EXPECT_EQ(common::EncodeDestination(*anchor, main), "bc1pfeessrawgf");

    // Non-standard scripts have no destination.
    consensus::Script op_return;
    op_return << consensus::OP_RETURN;
    EXPECT_FALSE(common::ExtractDestination(op_return));
    EXPECT_FALSE(common::ExtractDestination(consensus::Script{}));
    consensus::Script bad_v0;
    bad_v0 << consensus::OP_0 << std::vector<uint8_t>(16, 0x22);
    EXPECT_FALSE(common::ExtractDestination(bad_v0));

    EXPECT_TRUE(common::GetScriptForDestination(common::NoDestination{}).empty());
    EXPECT_EQ(common::EncodeDestination(common::NoDestination{}, main), "");
    EXPECT_EQ(common::EncodeDestination(common::WitnessUnknown{17, {1, 2}}, main), "");
}

TEST(KeyIo, Base58ErrorMessages)
{
    const ChainParams& main = Params(ChainType::MAIN);
    EXPECT_EQ(common::DecodeDestination("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", main).error().message,
              "Invalid checksum or length of Base58 address (P2PKH or P2SH)");
    EXPECT_EQ(common::DecodeDestination("0OIl", main).error().message,
              "Invalid or unsupported Segwit (Bech32) or Base58 encoding.");
    // A valid testnet address on mainnet: right checksum, wrong version byte.
    EXPECT_EQ(common::DecodeDestination("mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ", main).error().message,
              "Invalid or unsupported Base58-encoded address.");
}
