// BIP32 test vectors 1-5 from bitcoin/bips bip-0032.mediawiki
// (tests/data/bips/bip32-test-vectors.json, BSD-2-Clause, see tests/data/bips/LICENSE).
#include <common/bip32.h>
#include <common/chainparams.h>
#include <common/key_io.h>
#include <common/secp_helpers.h>
#include <consensus/hash.h>

#include <util/strings.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

using common::BIP32_HARDENED;

namespace {

nlohmann::json LoadBipJson(const std::string& name)
{
    const std::string path = std::string{MINIBIT_TEST_DATA_DIR} + "/bips/" + name;
    std::ifstream file{path};
    if (!file) throw std::runtime_error("cannot open " + path);
    std::stringstream buf;
    buf << file.rdbuf();
    return nlohmann::json::parse(buf.str());
}

const common::ChainParams& Main()
{
    static const auto params = common::CreateChainParams(util::ChainType::MAIN);
    return *params;
}

TEST(Bip32, PublishedVectorsDeriveAndEncode)
{
    const auto data = LoadBipJson("bip32-test-vectors.json");
    int chains_checked = 0;
    for (const auto& vec : data["vectors"]) {
        if (!vec.contains("seed")) continue;
        const auto seed = util::TryParseHex(vec["seed"].get<std::string>());
        ASSERT_TRUE(seed);
        const auto master = common::ExtKey::FromSeed(*seed);
        ASSERT_TRUE(master);
        for (const auto& chain : vec["chains"]) {
            const std::string path_text = chain["path"];
            SCOPED_TRACE("vector " + std::to_string(vec["vector"].get<int>()) + " " + path_text);
            const auto path = common::ParseHDKeypath(path_text);
            ASSERT_TRUE(path) << path.error().message;
            common::ExtKey key = *master;
            common::ExtPubKey pub = master->Neuter();
            for (const uint32_t step : *path) {
                auto next = key.Derive(step);
                ASSERT_TRUE(next);
                key = *next;
                // CKDpub must agree with CKDpriv wherever it applies.
                if (step & BIP32_HARDENED) {
                    EXPECT_FALSE(pub.Derive(step));
                    pub = key.Neuter();
                } else {
                    auto next_pub = pub.Derive(step);
                    ASSERT_TRUE(next_pub);
                    pub = *next_pub;
                }
            }
            EXPECT_EQ(common::EncodeExtKey(key, Main()), chain["ext_prv"].get<std::string>());
            EXPECT_EQ(common::EncodeExtPubKey(key.Neuter(), Main()),
                      chain["ext_pub"].get<std::string>());
            EXPECT_EQ(common::EncodeExtPubKey(pub, Main()), chain["ext_pub"].get<std::string>());

            // Decoding the published strings gives back the same keys.
            const auto dec_prv = common::DecodeExtKey(chain["ext_prv"].get<std::string>(), Main());
            ASSERT_TRUE(dec_prv);
            EXPECT_EQ(*dec_prv, key);
            const auto dec_pub =
                common::DecodeExtPubKey(chain["ext_pub"].get<std::string>(), Main());
            ASSERT_TRUE(dec_pub);
            EXPECT_EQ(*dec_pub, key.Neuter());
            // A private key is not a public one and vice versa.
            EXPECT_FALSE(common::DecodeExtPubKey(chain["ext_prv"].get<std::string>(), Main()));
            EXPECT_FALSE(common::DecodeExtKey(chain["ext_pub"].get<std::string>(), Main()));
            ++chains_checked;
        }
    }
    EXPECT_EQ(chains_checked, 6 + 6 + 2 + 3);
}

TEST(Bip32, Vector5InvalidKeysAreRejected)
{
    const auto data = LoadBipJson("bip32-test-vectors.json");
    int checked = 0;
    for (const auto& vec : data["vectors"]) {
        if (!vec.contains("invalid")) continue;
        for (const auto& item : vec["invalid"]) {
            const std::string key = item["key"];
            SCOPED_TRACE(key + " (" + item["reason"].get<std::string>() + ")");
            EXPECT_FALSE(common::DecodeExtKey(key, Main()));
            EXPECT_FALSE(common::DecodeExtPubKey(key, Main()));
            ++checked;
        }
    }
    EXPECT_EQ(checked, 16);
}

TEST(Bip32, OtherNetworkPrefixRejected)
{
    // Test vector 1 master xpub is mainnet; testnet parameters expect tpub.
    const auto testnet = common::CreateChainParams(util::ChainType::TESTNET);
    const std::string xpub = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJ"
                             "oCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";
    EXPECT_TRUE(common::DecodeExtPubKey(xpub, Main()));
    EXPECT_FALSE(common::DecodeExtPubKey(xpub, *testnet));
}

TEST(Bip32, TruncatedKeysFailCleanly)
{
    const std::string xprv = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmP"
                             "GJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";
    for (size_t len = 0; len < xprv.size(); ++len) {
        EXPECT_FALSE(common::DecodeExtKey(xprv.substr(0, len), Main())) << len;
    }
}

TEST(Bip32, ParseKeypath)
{
    const auto path = common::ParseHDKeypath("m/84h/0'/0");
    ASSERT_TRUE(path);
    EXPECT_EQ(*path, (common::KeyPath{84 | BIP32_HARDENED, 0 | BIP32_HARDENED, 0}));
    EXPECT_EQ(common::FormatHDKeypath(*path), "/84h/0h/0");
    EXPECT_EQ(common::FormatHDKeypath(*path, true), "/84'/0'/0");
    EXPECT_EQ(*common::ParseHDKeypath("m"), common::KeyPath{});
    EXPECT_EQ(*common::ParseHDKeypath("1/2147483647h"),
              (common::KeyPath{1, 0x7fffffffU | BIP32_HARDENED}));
    for (const char* bad :
         {"m/", "m//1", "m/2147483648", "m/1a", "m/0H", "m/-1", "m/1/m", "m/99999999999"}) {
        EXPECT_FALSE(common::ParseHDKeypath(bad)) << bad;
    }
}

TEST(Bip32, FingerprintOfVector1Master)
{
    // BIP32 test vector 1: the m/0H key's parent fingerprint field is the master's fingerprint.
    const auto child = common::DecodeExtPubKey(
        "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9"
        "xv5ski8PX9rL2dZXvgGDnw",
        Main());
    ASSERT_TRUE(child);
    const auto master =
        common::ExtKey::FromSeed(*util::TryParseHex("000102030405060708090a0b0c0d0e0f"));
    ASSERT_TRUE(master);
    EXPECT_EQ(master->Neuter().GetFingerprint(), child->parent_fingerprint);
    EXPECT_EQ(util::HexStr(child->parent_fingerprint), "3442193e");
}

// Bitcoin Core's signmessagewithprivkey functional test: key, message, address and signature.
// The message hash (SHA-256d of the CompactSize-prefixed magic and message) and the signature
// bytes were computed from Core's base64 text with Python's hashlib/base64.
TEST(SecpHelpers, CompactSignatureMatchesCoreExample)
{
    const auto testnet = common::CreateChainParams(util::ChainType::TESTNET);
    const auto key =
        common::DecodeSecret("cUeKHd5orzT3mz8P9pxyREHfsWtVfgsfDjiZZBcjUBAaGk1BTj7N", *testnet);
    ASSERT_TRUE(key);
    const auto hash_bytes =
        *util::TryParseHex("0fcc896d51b842ea407bb1ec0eeb6d0ba46d1109037821a8f6c2737767ab1a1c");
    const std::span<const uint8_t, 32> hash{hash_bytes.data(), 32};
    const auto sig = common::secp::SignCompact(key->secret, hash, key->compressed);
    ASSERT_TRUE(sig);
    EXPECT_EQ(
        util::HexStr(*sig),
        "20d6d59d6e1ee8f7919acbf6420bbc36ea29beb56391cc686feb17f0e7191b44802e15b26d48f330b3dd02"
        "c5c8e3a61919bd0a4134628bec16210cd1a46fd4f92d");
    const auto recovered = common::secp::RecoverCompact(*sig, hash);
    ASSERT_TRUE(recovered);
    EXPECT_EQ(common::EncodeDestination(common::PKHash{consensus::Hash160(*recovered)}, *testnet),
              "mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB");
    // A flipped bit in r recovers some other key, or none.
    auto bad = *sig;
    bad[5] ^= 1;
    const auto other = common::secp::RecoverCompact(bad, hash);
    if (other) {
        EXPECT_NE(*other, *recovered);
    }
    // Malformed headers and lengths are refused.
    auto bad_header = *sig;
    bad_header[0] = 26;
    EXPECT_FALSE(common::secp::RecoverCompact(bad_header, hash));
    EXPECT_FALSE(common::secp::RecoverCompact(std::span<const uint8_t>{sig->data(), 64}, hash));
}

TEST(SecpHelpers, TweakAddRejectsOutOfRange)
{
    const auto g =
        *util::TryParseHex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
    // The group order n is not a valid tweak.
    const auto n =
        *util::TryParseHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    EXPECT_FALSE(common::secp::PubKeyTweakAdd(g, std::span<const uint8_t, 32>{n.data(), 32}));
    // G + 1*G = 2G (the well-known compressed 2G point).
    std::array<uint8_t, 32> one{};
    one[31] = 1;
    const auto two_g = common::secp::PubKeyTweakAdd(g, one);
    ASSERT_TRUE(two_g);
    EXPECT_EQ(util::HexStr(*two_g),
              "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5");
}

} // namespace
