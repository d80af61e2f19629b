// Descriptor script managers against the BIP84 and BIP86 test vectors (bitcoin/bips
// bip-0084.mediawiki and bip-0086.mediawiki, mnemonic "abandon ... about"): cached
// scripts, top-up, next index, private forms and signing keys.
//
// Other expected values: the descriptor id is hashlib.sha256(text).hexdigest() of the
// text without checksum; the generator point G (secret 1) gives the well-known
// addresses 1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH (P2PKH) and
// bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 (P2WPKH, BIP173's example).
#include <wallet/spkm.h>

#include <common/bip32.h>
#include <common/bip39.h>
#include <common/chainparams.h>
#include <common/key_io.h>
#include <consensus/crypto/key.h>
#include <consensus/hash.h>
#include <util/chaintype.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wallet {
namespace {

using Bytes = std::vector<uint8_t>;

const common::ChainParams& Main()
{
    static const auto params = common::CreateChainParams(util::ChainType::MAIN);
    return *params;
}

constexpr std::string_view MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon "
                                      "abandon abandon abandon abandon about";
constexpr std::string_view G_HEX =
    "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

consensus::Script ScriptOf(std::string_view address)
{
    auto dest = common::DecodeDestination(address, Main());
    EXPECT_TRUE(dest.has_value()) << address;
    return dest ? common::GetScriptForDestination(*dest) : consensus::Script{};
}

Bytes H(std::string_view hex)
{
    auto bytes = util::TryParseHex(hex);
    EXPECT_TRUE(bytes.has_value()) << hex;
    return bytes.value_or(Bytes{});
}

// The account key m/purpose'/0'/0' of the BIP39 seed of MNEMONIC, and the master fingerprint.
struct Account
{
    common::ExtKey key;
    common::Fingerprint master_fingerprint;
};

Account DeriveAccount(uint32_t purpose)
{
    auto seed = common::MnemonicToSeed(MNEMONIC);
    EXPECT_TRUE(seed.has_value());
    auto master = common::ExtKey::FromSeed(seed->bytes);
    EXPECT_TRUE(master.has_value());
    common::ExtKey key = *master;
    for (const uint32_t step : {purpose, 0U, 0U}) {
        auto next = key.Derive(step | common::BIP32_HARDENED);
        EXPECT_TRUE(next.has_value());
        key = *next;
    }
    return Account{key, master->Neuter().GetFingerprint()};
}

// "[fp/Ph/0h/0h]xpub/<change>/*" or the same with the xprv.
std::string AccountDescriptor(std::string_view wrapper, uint32_t purpose, int change,
                              bool with_private)
{
    const Account account = DeriveAccount(purpose);
    const std::string key = with_private ? common::EncodeExtKey(account.key, Main())
                                         : common::EncodeExtPubKey(account.key.Neuter(), Main());
    return std::string{wrapper} + "([" + util::HexStr(account.master_fingerprint) + "/" +
           std::to_string(purpose) + "h/0h/0h]" + key + "/" + std::to_string(change) + "/*)";
}

std::unique_ptr<DescriptorSpkm> CreateOrDie(const std::string& text, int32_t range_end = 0,
                                            int32_t next_index = 0)
{
    DescriptorRecord record;
    record.descriptor = text;
    record.range_end = range_end;
    record.next_index = next_index;
    auto spkm = DescriptorSpkm::Create(record, Main());
    EXPECT_TRUE(spkm.has_value()) << text << ": " << (spkm ? "" : spkm.error().message);
    return spkm ? std::move(*spkm) : nullptr;
}

TEST(SpkmTest, DescriptorIdIsSha256OfTextWithoutChecksum)
{
    const std::string text{"wpkh(" + std::string{G_HEX} + ")"};
    const std::string expected = "4501c19158e12424561a0e9f198ff4b46733879c3b7252ca2a527c4406daa1b5";
    const consensus::Uint256 id = DescriptorId(text);
    EXPECT_EQ(util::HexStr(id.span()), expected);
    EXPECT_EQ(DescriptorId(common::AddDescriptorChecksum(text)), id);
    EXPECT_NE(DescriptorId("pkh(" + std::string{G_HEX} + ")"), id);
}

TEST(SpkmTest, Bip84ReceiveAndChangeAddresses)
{
    auto receive = CreateOrDie(AccountDescriptor("wpkh", 84, 0, false), 3);
    auto change = CreateOrDie(AccountDescriptor("wpkh", 84, 1, false), 3);
    ASSERT_TRUE(receive && change);
    EXPECT_TRUE(receive->IsRange());
    EXPECT_TRUE(receive->IsSingleType());
    EXPECT_EQ(receive->Scripts().size(), 3U);
    EXPECT_EQ(receive->IndexOf(ScriptOf("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")), 0);
    EXPECT_EQ(receive->IndexOf(ScriptOf("bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g")), 1);
    EXPECT_EQ(change->IndexOf(ScriptOf("bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el")), 0);
    // The change address is not a receive one and vice versa.
    EXPECT_FALSE(receive->IndexOf(ScriptOf("bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el")));
    EXPECT_FALSE(change->IndexOf(ScriptOf("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")));
    // The id is that of the normalised public text the record now carries.
    EXPECT_EQ(receive->Id(), DescriptorId(receive->Record().descriptor));
    EXPECT_EQ(receive->Record().descriptor,
              common::AddDescriptorChecksum(AccountDescriptor("wpkh", 84, 0, false)));
}

TEST(SpkmTest, CreateRejectsBadInput)
{
    DescriptorRecord bad;
    bad.descriptor = "wpkh(nonsense)";
    auto parsed = DescriptorSpkm::Create(bad, Main());
    ASSERT_FALSE(parsed.has_value());
    EXPECT_FALSE(parsed.error().message.empty());

    DescriptorRecord wrong_sum;
    wrong_sum.descriptor = "wpkh(" + std::string{G_HEX} + ")#00000000";
    EXPECT_FALSE(DescriptorSpkm::Create(wrong_sum, Main()).has_value());

    // Private keys never go into the record.
    DescriptorRecord priv;
    priv.descriptor = AccountDescriptor("wpkh", 84, 0, true);
    EXPECT_FALSE(DescriptorSpkm::Create(priv, Main()).has_value());

    DescriptorRecord backwards;
    backwards.descriptor = AccountDescriptor("wpkh", 84, 0, false);
    backwards.range_start = 5;
    backwards.range_end = 2;
    EXPECT_FALSE(DescriptorSpkm::Create(backwards, Main()).has_value());
}

TEST(SpkmTest, TopUpAndGetNewScript)
{
    auto spkm = CreateOrDie(AccountDescriptor("wpkh", 84, 0, false));
    ASSERT_TRUE(spkm);
    EXPECT_TRUE(spkm->Scripts().empty());
    auto grown = spkm->TopUp(10);
    ASSERT_TRUE(grown.has_value());
    EXPECT_TRUE(*grown);
    EXPECT_EQ(spkm->Record().range_end, 10);
    EXPECT_EQ(spkm->Scripts().size(), 10U);
    auto again = spkm->TopUp(10);
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(*again);
    // A smaller keypool never shrinks the cache.
    auto smaller = spkm->TopUp(3);
    ASSERT_TRUE(smaller.has_value());
    EXPECT_FALSE(*smaller);
    EXPECT_EQ(spkm->Record().range_end, 10);

    auto first = spkm->GetNewScript(10);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(*first, ScriptOf("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"));
    EXPECT_EQ(spkm->Record().next_index, 1);
    EXPECT_EQ(spkm->Record().range_end, 11);
    auto second = spkm->GetNewScript(10);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(*second, ScriptOf("bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"));
    EXPECT_EQ(spkm->Record().next_index, 2);
    EXPECT_EQ(spkm->Scripts().size(), 12U);
}

TEST(SpkmTest, GetNewScriptWithoutKeypool)
{
    auto spkm = CreateOrDie(AccountDescriptor("wpkh", 84, 0, false));
    ASSERT_TRUE(spkm);
    auto first = spkm->GetNewScript(0);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(*first, ScriptOf("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"));
    // The handed-out script stays recognisable.
    EXPECT_EQ(spkm->IndexOf(*first), 0);
    EXPECT_EQ(spkm->Record().next_index, 1);
}

TEST(SpkmTest, CreateKeepsTheRecordedRangeAndNextIndex)
{
    auto spkm = CreateOrDie(AccountDescriptor("wpkh", 84, 0, false), 20, 7);
    ASSERT_TRUE(spkm);
    EXPECT_EQ(spkm->Scripts().size(), 20U);
    EXPECT_EQ(spkm->Record().next_index, 7);
    auto script = spkm->GetNewScript(20);
    ASSERT_TRUE(script.has_value());
    EXPECT_EQ(spkm->IndexOf(*script), 7);
    EXPECT_EQ(spkm->Record().range_end, 28);
}

TEST(SpkmTest, MarkUsedMovesNextIndex)
{
    auto spkm = CreateOrDie(AccountDescriptor("wpkh", 84, 0, false), 10);
    ASSERT_TRUE(spkm);
    const auto script_at = [&](int32_t index) {
        auto expansion = spkm->ExpandPublic(index);
        EXPECT_TRUE(expansion.has_value());
        return expansion->output_scripts.at(0);
    };
    EXPECT_TRUE(spkm->MarkUsed(script_at(5), 10));
    EXPECT_EQ(spkm->Record().next_index, 6);
    EXPECT_EQ(spkm->Record().range_end, 16);
    EXPECT_EQ(spkm->Scripts().size(), 16U);
    // An index below next_index changes nothing.
    EXPECT_FALSE(spkm->MarkUsed(script_at(2), 10));
    EXPECT_EQ(spkm->Record().next_index, 6);
    // A script that is not ours changes nothing.
    EXPECT_FALSE(spkm->MarkUsed(ScriptOf("bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"), 10));
    // Funds to the last cached index pull the range along.
    EXPECT_TRUE(spkm->MarkUsed(script_at(15), 10));
    EXPECT_EQ(spkm->Record().next_index, 16);
    EXPECT_EQ(spkm->Record().range_end, 26);
}

TEST(SpkmTest, UnrangedDescriptorHasOneScript)
{
    auto spkm = CreateOrDie("wpkh(" + std::string{G_HEX} + ")");
    ASSERT_TRUE(spkm);
    EXPECT_FALSE(spkm->IsRange());
    const auto script = ScriptOf("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    EXPECT_EQ(spkm->Scripts().size(), 1U);
    EXPECT_EQ(spkm->IndexOf(script), 0);
    for (int i = 0; i < 2; ++i) {
        auto next = spkm->GetNewScript(1000);
        ASSERT_TRUE(next.has_value());
        EXPECT_EQ(*next, script);
    }
    auto grown = spkm->TopUp(1000);
    ASSERT_TRUE(grown.has_value());
    EXPECT_FALSE(*grown);
    EXPECT_EQ(spkm->Scripts().size(), 1U);
    EXPECT_EQ(spkm->Record().range_end, 0);
    EXPECT_FALSE(spkm->MarkUsed(script, 1000));
}

TEST(SpkmTest, ComboCachesEveryScriptOfEachIndex)
{
    auto single = CreateOrDie("combo(" + std::string{G_HEX} + ")");
    ASSERT_TRUE(single);
    EXPECT_FALSE(single->IsSingleType());
    // P2PK, P2PKH, P2WPKH and P2SH-P2WPKH of a compressed key.
    EXPECT_EQ(single->Scripts().size(), 4U);
    EXPECT_EQ(single->IndexOf(ScriptOf("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH")), 0);
    EXPECT_EQ(single->IndexOf(ScriptOf("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")), 0);
    consensus::Script p2pk;
    p2pk << H(G_HEX) << consensus::OP_CHECKSIG;
    EXPECT_EQ(single->IndexOf(p2pk), 0);

    auto ranged = CreateOrDie(AccountDescriptor("combo", 84, 0, false), 5);
    ASSERT_TRUE(ranged);
    EXPECT_EQ(ranged->Scripts().size(), 20U);
    EXPECT_EQ(ranged->IndexOf(ScriptOf("bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g")), 1);
}

TEST(SpkmTest, SetPrivateChecksTheDescriptor)
{
    auto spkm = CreateOrDie(AccountDescriptor("wpkh", 84, 0, false), 2);
    ASSERT_TRUE(spkm);
    EXPECT_FALSE(spkm->HasPrivate());
    EXPECT_FALSE(spkm->PrivateString().has_value());
    // The change branch's private key is not this descriptor's.
    EXPECT_FALSE(spkm->SetPrivate(AccountDescriptor("wpkh", 84, 1, true), Main()).has_value());
    // Nor is the same key under another script type.
    EXPECT_FALSE(spkm->SetPrivate(AccountDescriptor("pkh", 84, 0, true), Main()).has_value());
    // The public text itself holds no secret.
    EXPECT_FALSE(spkm->SetPrivate(AccountDescriptor("wpkh", 84, 0, false), Main()).has_value());
    EXPECT_FALSE(spkm->SetPrivate("wpkh(", Main()).has_value());
    EXPECT_FALSE(spkm->HasPrivate());

    const std::string priv = AccountDescriptor("wpkh", 84, 0, true);
    auto ok = spkm->SetPrivate(priv, Main());
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_TRUE(spkm->HasPrivate());
    auto text = spkm->PrivateString();
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(*text, common::AddDescriptorChecksum(priv));
    spkm->ClearPrivate();
    EXPECT_FALSE(spkm->HasPrivate());
    EXPECT_FALSE(spkm->PrivateString().has_value());
}

TEST(SpkmTest, FillSigningProviderGivesTheBip84Key)
{
    auto spkm = CreateOrDie(AccountDescriptor("wpkh", 84, 0, false), 2);
    ASSERT_TRUE(spkm);
    const auto script = ScriptOf("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu");
    const consensus::Uint160 key_id =
        consensus::Hash160(H("0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c"));

    common::SigningProvider public_only;
    EXPECT_TRUE(spkm->FillSigningProvider(script, public_only));
    EXPECT_TRUE(public_only.keys.empty());

    ASSERT_TRUE(spkm->SetPrivate(AccountDescriptor("wpkh", 84, 0, true), Main()));
    common::SigningProvider provider;
    EXPECT_FALSE(spkm->FillSigningProvider(ScriptOf("bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"),
                                           provider));
    EXPECT_TRUE(provider.keys.empty());
    EXPECT_TRUE(spkm->FillSigningProvider(script, provider));
    ASSERT_EQ(provider.keys.count(key_id), 1U);
    auto wif = common::DecodeSecret("KyZpNDKnfs94vbrwhJneDi77V6jF64PWPF8x5cdJb8ifgg2DUc9d", Main());
    ASSERT_TRUE(wif.has_value());
    const auto& key = provider.keys.at(key_id);
    EXPECT_TRUE(std::equal(wif->secret.begin(), wif->secret.end(), key.Secret().begin()));
    EXPECT_TRUE(key.IsCompressed());
    // Only the key of that index.
    EXPECT_EQ(provider.keys.size(), 1U);
}

// BIP86: tr(KEY) is signable by the key path: the provider maps the output key to the key.
TEST(SpkmTest, FillSigningProviderFindsBip86OutputKey)
{
    auto spkm = CreateOrDie(AccountDescriptor("tr", 86, 0, false), 2);
    ASSERT_TRUE(spkm);
    const auto script = ScriptOf("bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr");
    EXPECT_EQ(script.bytes(),
              H("5120a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c"));
    ASSERT_EQ(spkm->IndexOf(script), 0);
    ASSERT_TRUE(spkm->SetPrivate(AccountDescriptor("tr", 86, 0, true), Main()));
    common::SigningProvider provider;
    ASSERT_TRUE(spkm->FillSigningProvider(script, provider));
    const consensus::Uint256 output_key{
        H("a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c")};
    ASSERT_EQ(provider.taproot_keys.count(output_key), 1U);
    const auto key = provider.keys.find(provider.taproot_keys.at(output_key));
    ASSERT_NE(key, provider.keys.end());
    EXPECT_EQ(
        key->second.GetXOnlyPubKey().bytes(),
        consensus::Uint256{H("cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115")});
}

// sh(wpkh()) needs its redeem script, which comes from the public expansion.
TEST(SpkmTest, FillSigningProviderAddsRedeemScripts)
{
    auto spkm = CreateOrDie("sh(wpkh(" + std::string{G_HEX} + "))");
    ASSERT_TRUE(spkm);
    ASSERT_EQ(spkm->Scripts().size(), 1U);
    const consensus::Script p2sh = spkm->Scripts().begin()->first;
    common::SigningProvider provider;
    ASSERT_TRUE(spkm->FillSigningProvider(p2sh, provider));
    const auto redeem = ScriptOf("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    ASSERT_EQ(provider.scripts.count(consensus::Hash160(redeem.bytes())), 1U);
    EXPECT_EQ(provider.scripts.at(consensus::Hash160(redeem.bytes())), redeem);
}

TEST(SpkmTest, InferScriptDescriptorHasTheOrigin)
{
    auto spkm = CreateOrDie(AccountDescriptor("wpkh", 84, 0, false), 2);
    ASSERT_TRUE(spkm);
    const auto inferred =
        spkm->InferScriptDescriptor(ScriptOf("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"), Main());
    ASSERT_TRUE(inferred.has_value());
    // 73c5da0a is the master fingerprint of the "abandon ... about" seed.
    EXPECT_EQ(*inferred,
              common::AddDescriptorChecksum(
                  "wpkh([73c5da0a/84h/0h/0h/0/0]"
                  "0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c)"));
    EXPECT_FALSE(
        spkm->InferScriptDescriptor(ScriptOf("bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"), Main())
            .has_value());
}

TEST(SpkmTest, ExpandPublicRejectsNegativeIndex)
{
    auto spkm = CreateOrDie(AccountDescriptor("wpkh", 84, 0, false));
    ASSERT_TRUE(spkm);
    EXPECT_FALSE(spkm->ExpandPublic(-1).has_value());
    auto at1 = spkm->ExpandPublic(1);
    ASSERT_TRUE(at1.has_value());
    EXPECT_EQ(at1->output_scripts.at(0), ScriptOf("bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"));
}

} // namespace
} // namespace wallet
