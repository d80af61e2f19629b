// BIP86 test vectors (tests/data/bips/bip86-vectors.json, from bip-0086.mediawiki,
// BSD-2-Clause, see tests/data/bips/LICENSE): mnemonic -> seed -> account keys, then tr()
// descriptors over the account key give the listed internal keys, output keys, scripts and
// bech32m addresses.
#include "hd_test_util.h"
#include "test_data.h"

#include <common/bip32.h>
#include <common/bip39.h>
#include <common/chainparams.h>
#include <common/descriptor.h>
#include <common/key_io.h>

#include <util/strings.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace {

using common_test::DeriveOrFail;
using common_test::Main;

const nlohmann::json& Vectors()
{
    static const nlohmann::json data = common_test::LoadDataJson("bips/bip86-vectors.json");
    return data;
}

common::ExtKey RootKey()
{
    auto root = common::MnemonicToMasterKey(Vectors().at("mnemonic").get<std::string>(),
                                            Vectors().at("passphrase").get<std::string>());
    EXPECT_TRUE(root) << (root ? "" : root.error().message);
    return root ? *root : common::ExtKey{};
}

std::string AddressOf(const consensus::Script& script)
{
    const auto dest = common::ExtractDestination(script);
    if (!dest || !common::IsValidDestination(*dest)) return "";
    return common::EncodeDestination(*dest, Main());
}

TEST(Bip86, MnemonicToRootAndAccount)
{
    const auto& v = Vectors();
    const common::ExtKey root = RootKey();
    EXPECT_EQ(common::EncodeExtKey(root, Main()), v.at("rootpriv").get<std::string>());
    EXPECT_EQ(common::EncodeExtPubKey(root.Neuter(), Main()), v.at("rootpub").get<std::string>());

    const auto& account = v.at("account");
    const common::ExtKey acct = DeriveOrFail(root, account.at("path").get<std::string>());
    EXPECT_EQ(common::EncodeExtKey(acct, Main()), account.at("xprv").get<std::string>());
    EXPECT_EQ(common::EncodeExtPubKey(acct.Neuter(), Main()),
              account.at("xpub").get<std::string>());

    // A passphrase changes the seed, so the same words give another root.
    const auto other = common::MnemonicToMasterKey(v.at("mnemonic").get<std::string>(), "TREZOR");
    ASSERT_TRUE(other);
    EXPECT_NE(common::EncodeExtKey(*other, Main()), v.at("rootpriv").get<std::string>());
}

TEST(Bip86, AddressKeysFromRoot)
{
    const common::ExtKey root = RootKey();
    for (const auto& a : Vectors().at("addresses")) {
        const std::string path = a.at("path");
        SCOPED_TRACE(path);
        const common::ExtKey key = DeriveOrFail(root, path);
        EXPECT_EQ(common::EncodeExtKey(key, Main()), a.at("xprv").get<std::string>());
        EXPECT_EQ(common::EncodeExtPubKey(key.Neuter(), Main()), a.at("xpub").get<std::string>());
        // The internal key is the x coordinate of the derived public key.
        const auto pub = key.PubKey();
        EXPECT_EQ(util::HexStr(std::span<const uint8_t>{pub}.subspan(1)),
                  a.at("internal_key").get<std::string>());
    }
}

// Expands tr(KEY/<change>/*) at each vector's index and checks everything the BIP lists.
void CheckDescriptorAgainstVectors(const std::string& account_key_expr, bool expect_private)
{
    for (const int change : {0, 1}) {
        const std::string text = "tr(" + account_key_expr + "/" + std::to_string(change) + "/*)";
        SCOPED_TRACE(text);
        auto desc = common::ParseDescriptor(text, Main());
        ASSERT_TRUE(desc) << desc.error().message;
        EXPECT_TRUE((*desc)->IsRange());
        EXPECT_EQ((*desc)->HasPrivateKeys(), expect_private);
        EXPECT_EQ((*desc)->GetOutputType(), common::DescriptorOutputType::BECH32M);
        for (const auto& a : Vectors().at("addresses")) {
            if (a.at("change").get<int>() != change) continue;
            const auto index = a.at("index").get<uint32_t>();
            SCOPED_TRACE(a.at("path").get<std::string>());
            const auto exp = (*desc)->Expand(index);
            ASSERT_TRUE(exp) << exp.error().message;
            ASSERT_EQ(exp->output_scripts.size(), 1U);
            const auto& script = exp->output_scripts[0];
            EXPECT_EQ(util::HexStr(script.span()), a.at("scriptPubKey").get<std::string>());
            EXPECT_EQ(AddressOf(script), a.at("address").get<std::string>());

            ASSERT_EQ(exp->taproot.size(), 1U);
            const auto& [output_key, spend] = *exp->taproot.begin();
            EXPECT_EQ(util::HexStr(output_key.span()), a.at("output_key").get<std::string>());
            EXPECT_EQ(util::HexStr(spend.output_key.span()), a.at("output_key").get<std::string>());
            EXPECT_EQ(util::HexStr(spend.internal_key.span()),
                      a.at("internal_key").get<std::string>());
            // BIP86 commits to no script path.
            EXPECT_FALSE(spend.merkle_root);
            EXPECT_TRUE(spend.leaves.empty());
            EXPECT_EQ(exp->secrets.size(), expect_private ? 1U : 0U);

            // The key origin records the full BIP86 path from the root.
            ASSERT_EQ(exp->origins.size(), 1U);
            EXPECT_EQ(common::FormatHDKeypath(exp->origins.begin()->second.path, true),
                      a.at("path").get<std::string>().substr(1));

            // The neighbouring index is a different address.
            const auto next = (*desc)->Expand(index + 1);
            ASSERT_TRUE(next);
            EXPECT_NE(AddressOf(next->output_scripts.at(0)), a.at("address").get<std::string>());
        }
    }
}

TEST(Bip86, TrDescriptorFromAccountXprv)
{
    const common::ExtKey root = RootKey();
    const std::string fp = util::HexStr(root.Neuter().GetFingerprint());
    CheckDescriptorAgainstVectors(
        "[" + fp + "/86'/0'/0']" + Vectors().at("account").at("xprv").get<std::string>(), true);
}

TEST(Bip86, TrDescriptorFromAccountXpub)
{
    const common::ExtKey root = RootKey();
    const std::string fp = util::HexStr(root.Neuter().GetFingerprint());
    CheckDescriptorAgainstVectors(
        "[" + fp + "/86'/0'/0']" + Vectors().at("account").at("xpub").get<std::string>(), false);
}

TEST(Bip86, TrDescriptorFromRootWithHardenedPath)
{
    const std::string rootpriv = Vectors().at("rootpriv");
    CheckDescriptorAgainstVectors(rootpriv + "/86'/0'/0'", true);

    // The public root cannot derive the hardened account steps.
    auto pub_only = common::ParseDescriptor(
        "tr(" + Vectors().at("rootpub").get<std::string>() + "/86'/0'/0'/0/*)", Main());
    if (pub_only) {
        EXPECT_FALSE((*pub_only)->Expand(0));
    }
}

} // namespace
