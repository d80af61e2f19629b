// bcoin's BIP32 vectors (tests/data/wallet/hd.json, MIT, see tests/data/wallet/LICENSE.bcoin):
// the BIP32 test vectors 1 and 2 keyed by path, and bcoin's own chain from a BIP39 phrase
// (test/hd-test.js), including a master secret with leading zeros.
#include "hd_test_util.h"
#include "test_data.h"

#include <common/bip32.h>
#include <common/bip39.h>
#include <common/chainparams.h>

#include <util/strings.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

using common::BIP32_HARDENED;

namespace {

using common_test::DeriveOrFail;
using common_test::Main;

const nlohmann::json& Vectors()
{
    static const nlohmann::json data = common_test::LoadDataJson("wallet/hd.json");
    return data;
}

// Every path of a "vectorN" group: derive from the seed, compare both encodings, decode them
// back, and check that public derivation agrees along non-hardened tails.
void RunPathVector(const std::string& name)
{
    const auto& vec = Vectors().at(name);
    const auto seed = util::TryParseHex(vec.at("seed").get<std::string>());
    ASSERT_TRUE(seed);
    const auto master = common::ExtKey::FromSeed(*seed);
    ASSERT_TRUE(master);
    int paths = 0;
    for (const auto& [path, keys] : vec.items()) {
        if (path == "seed") continue;
        SCOPED_TRACE(name + " " + path);
        ++paths;
        const common::ExtKey key = DeriveOrFail(*master, path);
        const std::string prv = keys.at("prv");
        const std::string pub = keys.at("pub");
        EXPECT_EQ(common::EncodeExtKey(key, Main()), prv);
        EXPECT_EQ(common::EncodeExtPubKey(key.Neuter(), Main()), pub);

        const auto dec_prv = common::DecodeExtKey(prv, Main());
        ASSERT_TRUE(dec_prv) << dec_prv.error().message;
        EXPECT_EQ(*dec_prv, key);
        const auto dec_pub = common::DecodeExtPubKey(pub, Main());
        ASSERT_TRUE(dec_pub) << dec_pub.error().message;
        EXPECT_EQ(*dec_pub, key.Neuter());
        // An xpub is not an xprv and vice versa.
        EXPECT_FALSE(common::DecodeExtKey(pub, Main()));
        EXPECT_FALSE(common::DecodeExtPubKey(prv, Main()));

        // The path's depth and last index are recorded in the key.
        const auto steps = common::ParseHDKeypath(path);
        ASSERT_TRUE(steps);
        EXPECT_EQ(dec_pub->depth, steps->size());
        if (!steps->empty()) {
            EXPECT_EQ(dec_pub->child, steps->back());
        }
    }
    EXPECT_EQ(paths, 6);
}

TEST(Bip32HdVectors, Vector1Paths)
{
    RunPathVector("vector1");
}

TEST(Bip32HdVectors, Vector2Paths)
{
    RunPathVector("vector2");
}

// Children of a parent decoded from text: CKDpub from the xpub must match CKDpriv.
TEST(Bip32HdVectors, PublicDerivationFromDecodedParents)
{
    for (const char* name : {"vector1", "vector2"}) {
        const auto& vec = Vectors().at(name);
        for (const auto& [path, keys] : vec.items()) {
            if (path == "seed" || path == "m") continue;
            const auto steps = common::ParseHDKeypath(path);
            ASSERT_TRUE(steps);
            if (steps->back() & BIP32_HARDENED) continue;
            // The parent path is the child's path without its last element.
            const std::string parent_path = path.substr(0, path.rfind('/'));
            SCOPED_TRACE(std::string{name} + " " + parent_path + " -> " + path);
            const auto parent =
                common::DecodeExtPubKey(vec.at(parent_path).at("pub").get<std::string>(), Main());
            ASSERT_TRUE(parent);
            const auto child = parent->Derive(steps->back());
            ASSERT_TRUE(child);
            EXPECT_EQ(common::EncodeExtPubKey(*child, Main()), keys.at("pub").get<std::string>());
            EXPECT_FALSE(parent->Derive(steps->back() | BIP32_HARDENED));
        }
    }
}

// bcoin derives "seed" as raw PBKDF2-HMAC-SHA512(phrase, "mnemonicfoo", 2048): the BIP39
// formula with passphrase "foo", but the phrase's checksum is invalid (its last word's 4
// checksum bits are 1101, SHA-256 of the entropy starts 1001), so our BIP39 code must refuse
// it. The seed itself is used as given.
TEST(Bip32HdVectors, PhraseSeedAndMaster)
{
    const auto& v = Vectors();
    const auto refused = common::MnemonicToSeed(v.at("phrase").get<std::string>(), "foo");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "invalid checksum");
    EXPECT_FALSE(common::IsValidMnemonic(v.at("phrase").get<std::string>()));

    const auto seed_bytes = util::TryParseHex(v.at("seed").get<std::string>());
    ASSERT_TRUE(seed_bytes);
    ASSERT_EQ(seed_bytes->size(), common::BIP39_SEED_SIZE);
    common::Bip39Seed seed;
    std::copy(seed_bytes->begin(), seed_bytes->end(), seed.bytes.begin());
    const auto master = common::MasterKeyFromSeed(seed);
    ASSERT_TRUE(master);
    EXPECT_EQ(common::EncodeExtKey(*master, Main()), v.at("master_priv").get<std::string>());
    EXPECT_EQ(common::EncodeExtPubKey(master->Neuter(), Main()),
              v.at("master_pub").get<std::string>());
    const auto direct = common::ExtKey::FromSeed(*seed_bytes);
    ASSERT_TRUE(direct);
    EXPECT_EQ(*direct, *master);
    EXPECT_EQ(master->depth, 0);
    EXPECT_EQ(master->child, 0U);
}

// bcoin's child chain: child1..3 = master/0, master.pub/1, master/1; child4 = master/2;
// child5, child6 = child4/0, child4/1.
TEST(Bip32HdVectors, ChildChain)
{
    const auto& v = Vectors();
    const auto master = common::DecodeExtKey(v.at("master_priv").get<std::string>(), Main());
    ASSERT_TRUE(master);
    auto check = [&](const common::ExtKey& key, const std::string& name) {
        SCOPED_TRACE(name);
        EXPECT_EQ(common::EncodeExtKey(key, Main()), v.at(name + "_priv").get<std::string>());
        EXPECT_EQ(common::EncodeExtPubKey(key.Neuter(), Main()),
                  v.at(name + "_pub").get<std::string>());
    };
    const auto child1 = master->Derive(0);
    ASSERT_TRUE(child1);
    check(*child1, "child1");

    const auto child2 = master->Neuter().Derive(1);
    ASSERT_TRUE(child2);
    EXPECT_EQ(common::EncodeExtPubKey(*child2, Main()), v.at("child2_pub").get<std::string>());

    const auto child3 = master->Derive(1);
    ASSERT_TRUE(child3);
    check(*child3, "child3");
    EXPECT_EQ(child3->Neuter(), *child2);

    const auto child4 = master->Derive(2);
    ASSERT_TRUE(child4);
    check(*child4, "child4");
    const auto child5 = child4->Derive(0);
    ASSERT_TRUE(child5);
    check(*child5, "child5");
    const auto child6 = child4->Derive(1);
    ASSERT_TRUE(child6);
    check(*child6, "child6");
    // The children record their parent's fingerprint and index.
    EXPECT_EQ(child5->parent_fingerprint, child4->Neuter().GetFingerprint());
    EXPECT_EQ(child6->child, 1U);
    EXPECT_EQ(child6->depth, 2);
}

// bcoin: a master secret with three leading zero bytes must survive decoding and derivation
// (expected secrets from bcoin's test/hd-test.js).
TEST(Bip32HdVectors, LeadingZeroSecret)
{
    const auto key = common::DecodeExtKey(Vectors().at("zero_priv").get<std::string>(), Main());
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(util::HexStr(key->secret),
              "00000055378cf5fafb56c711c674143f9b0ee82ab0ba2924f19b64f5ae7cdbfd");
    EXPECT_EQ(common::EncodeExtKey(*key, Main()), Vectors().at("zero_priv").get<std::string>());
    const common::ExtKey child = DeriveOrFail(*key, "m/44'/0'/0'/0/0'");
    EXPECT_EQ(util::HexStr(child.secret),
              "3348069561d2a0fb925e74bf198762acc47dce7db27372257d2d959a9e6f8aeb");
}

// Corrupting any character of a vector's text must be caught by the checksum or the parser.
TEST(Bip32HdVectors, CorruptedTextIsRejected)
{
    const std::string prv = Vectors().at("vector1").at("m").at("prv");
    const std::string pub = Vectors().at("vector1").at("m").at("pub");
    for (size_t i = 0; i < prv.size(); ++i) {
        std::string bad_prv = prv;
        bad_prv[i] = bad_prv[i] == 'z' ? 'y' : 'z';
        EXPECT_FALSE(common::DecodeExtKey(bad_prv, Main())) << i;
        std::string bad_pub = pub;
        bad_pub[i] = bad_pub[i] == 'z' ? 'y' : 'z';
        EXPECT_FALSE(common::DecodeExtPubKey(bad_pub, Main())) << i;
    }
    EXPECT_FALSE(common::DecodeExtKey(prv.substr(0, prv.size() - 1), Main()));
    // Mainnet text is not testnet text.
    const auto test = common::CreateChainParams(util::ChainType::TESTNET);
    EXPECT_FALSE(common::DecodeExtKey(prv, *test));
    EXPECT_FALSE(common::DecodeExtPubKey(pub, *test));
}

} // namespace
