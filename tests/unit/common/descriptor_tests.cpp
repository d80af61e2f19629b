// Output descriptors against published vectors: the BIP380-387 "Test Vectors" sections
// (tests/data/bips/bip380-387-descriptor-vectors.json, BSD-2-Clause) and Bitcoin Core's
// getdescriptorinfo / deriveaddresses answers as bcoin records them
// (tests/data/descriptors/*.json, MIT).
#include <common/chainparams.h>
#include <common/descriptor.h>
#include <common/key_io.h>

#include <util/strings.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

using common::DescriptorStringType;

namespace {

nlohmann::json LoadData(const std::string& relative)
{
    const std::string path = std::string{MINIBIT_TEST_DATA_DIR} + "/" + relative;
    std::ifstream file{path};
    if (!file) throw std::runtime_error("cannot open " + path);
    std::stringstream buf;
    buf << file.rdbuf();
    return nlohmann::json::parse(buf.str());
}

const common::ChainParams& Params(const std::string& network)
{
    static const auto all = [] {
        std::map<std::string, std::unique_ptr<const common::ChainParams>> m;
        m.emplace("main", common::CreateChainParams(util::ChainType::MAIN));
        m.emplace("testnet", common::CreateChainParams(util::ChainType::TESTNET));
        m.emplace("regtest", common::CreateChainParams(util::ChainType::REGTEST));
        return m;
    }();
    return *all.at(network);
}

std::vector<std::string> ScriptsAt(const common::Descriptor& desc, uint32_t pos)
{
    auto exp = desc.Expand(pos);
    EXPECT_TRUE(exp) << (exp ? "" : exp.error().message);
    std::vector<std::string> out;
    if (!exp) return out;
    for (const auto& s : exp->output_scripts)
        out.push_back(util::HexStr(s.span()));
    return out;
}

TEST(Descriptor, ChecksumOfBip380Example)
{
    EXPECT_EQ(common::DescriptorChecksum("raw(deadbeef)"), "89f8spxm");
    EXPECT_EQ(common::AddDescriptorChecksum("raw(deadbeef)"), "raw(deadbeef)#89f8spxm");
    // 'Ü' is outside the descriptor character set.
    EXPECT_EQ(common::DescriptorChecksum("raw(\xc3\x9c)"), "");
}

TEST(Descriptor, Bip380To387ValidVectors)
{
    const auto data = LoadData("bips/bip380-387-descriptor-vectors.json");
    int parsed = 0;
    int scripts_checked = 0;
    for (const auto& vec : data["valid"]) {
        const std::string text = vec["descriptor"];
        SCOPED_TRACE("BIP" + std::to_string(vec["bip"].get<int>()) + ": " + text);
        auto desc = common::ParseDescriptor(text, Params("main"));
        ASSERT_TRUE(desc) << desc.error().message;
        ++parsed;
        if (!vec.contains("scripts")) continue;
        const auto& positions = vec["scripts"];
        for (size_t pos = 0; pos < positions.size(); ++pos) {
            std::vector<std::string> expected;
            for (const auto& s : positions[pos])
                expected.push_back(s);
            EXPECT_EQ(ScriptsAt(**desc, static_cast<uint32_t>(pos)), expected) << "index " << pos;
            ++scripts_checked;
        }
        // Both printed forms parse back to a descriptor with the same scripts.
        const auto pub = (*desc)->ToString(DescriptorStringType::PUBLIC);
        ASSERT_TRUE(pub);
        auto reparsed = common::ParseDescriptor(*pub, Params("main"), /*require_checksum=*/true);
        ASSERT_TRUE(reparsed) << *pub << ": " << reparsed.error().message;
        EXPECT_FALSE((*reparsed)->HasPrivateKeys());
        // PRIVATE needs every key's secret (Core's ToPrivateString); when it succeeds the
        // text must give the same scripts and keep the secrets.
        if (const auto priv = (*desc)->ToString(DescriptorStringType::PRIVATE)) {
            auto reparsed_priv = common::ParseDescriptor(*priv, Params("main"), true);
            ASSERT_TRUE(reparsed_priv) << *priv;
            EXPECT_EQ((*reparsed_priv)->HasPrivateKeys(), (*desc)->HasPrivateKeys());
            for (size_t pos = 0; pos < positions.size(); ++pos) {
                EXPECT_EQ(ScriptsAt(**reparsed_priv, static_cast<uint32_t>(pos)),
                          ScriptsAt(**desc, static_cast<uint32_t>(pos)));
            }
        }
        for (size_t pos = 0; pos < positions.size(); ++pos) {
            // Hardened steps from an xprv need the secret, so only public-only paths re-derive.
            auto exp = (*reparsed)->Expand(static_cast<uint32_t>(pos));
            if (exp) {
                EXPECT_EQ(ScriptsAt(**reparsed, static_cast<uint32_t>(pos)),
                          ScriptsAt(**desc, static_cast<uint32_t>(pos)));
            } else {
                EXPECT_EQ(exp.error().message, "Cannot derive script without private keys");
            }
        }
    }
    EXPECT_EQ(parsed, 81);
    EXPECT_GE(scripts_checked, 50);
}

TEST(Descriptor, Bip380To387InvalidVectors)
{
    const auto data = LoadData("bips/bip380-387-descriptor-vectors.json");
    int checked = 0;
    for (const auto& vec : data["invalid"]) {
        const std::string text = vec["descriptor"];
        SCOPED_TRACE("BIP" + std::to_string(vec["bip"].get<int>()) + " (" +
                     vec["description"].get<std::string>() + "): " + text);
        auto desc = common::ParseDescriptor(text, Params("main"));
        EXPECT_FALSE(desc);
        if (!desc) {
            EXPECT_FALSE(desc.error().message.empty());
        }
        ++checked;
    }
    EXPECT_EQ(checked, 61);
}

TEST(Descriptor, CoreErrorMessages)
{
    const auto& main = Params("main");
    const std::map<std::string, std::string> cases{
        {"", "'' is not a valid descriptor function"},
        {"raw(deadbeef)#", "Expected 8 character checksum, not 0 characters"},
        {"raw(deadbeef)#89f8spxmx", "Expected 8 character checksum, not 9 characters"},
        {"raw(deedbeef)#89f8spxm",
         "Provided checksum '89f8spxm' does not match computed checksum 'xj8ljs75'"},
        {"raw(deedbeef)##9f8spxm", "Multiple '#' symbols"},
        {"raw(\xc3\x9c)#00000000", "Invalid characters in payload"},
        {"raw(asdf)", "Raw script is not hex"},
        {"addr(asdf)", "Address is not valid"},
        {"sh(raw(deadbeef))", "Can only have raw() at top level"},
        {"wsh(addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j))", "Can only have addr() at top level"},
        {"sh(sh(pkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)))",
         "Can only have sh() at top level"},
        {"sh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)",
         "A function is needed within P2SH"},
        {"wsh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)",
         "A function is needed within P2WSH"},
        {"wpkh(5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)",
         "wpkh(): Uncompressed keys are not allowed"},
        {"pk()", "pk(): No key provided"},
        {"multi(a,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)",
         "Multi threshold 'a' is not valid"},
        {"multi(0,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)",
         "Multisig threshold cannot be 0, must be at least 1"},
        {"multi(3,L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1,"
         "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)",
         "Multisig threshold cannot be larger than the number of keys; threshold is 3 but only 2 "
         "keys specified"},
        {"pk([deadbef/0h]0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600)",
         "pk(): Fingerprint is not 4 bytes (7 characters instead of 8 characters)"},
        {"pk([gaaaaaaa]0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600)",
         "pk(): Fingerprint 'gaaaaaaa' is not hex"},
        {"pk([deadbeef/0f]0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600)",
         "pk(): Key path value '0f' is not a valid uint32"},
        {"pk(xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPq"
         "m55Qn3LqFtT2emdEXVYsCzC2U/2147483648)",
         "pk(): Key path value 2147483648 is out of range"},
        {"tr( 79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)",
         "tr(): Key ' 79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798' is "
         "invalid due to whitespace"},
    };
    for (const auto& [text, message] : cases) {
        auto desc = common::ParseDescriptor(text, main);
        ASSERT_FALSE(desc) << text;
        EXPECT_EQ(desc.error().message, message) << text;
    }
    auto missing = common::ParseDescriptor("raw(deadbeef)", main, /*require_checksum=*/true);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "Missing checksum");
}

// Core's getdescriptorinfo answers: normalized descriptor, isrange, issolvable, hasprivatekeys.
TEST(Descriptor, GetDescriptorInfoAnswers)
{
    const auto data = LoadData("descriptors/desc-valid.json");
    int checked = 0;
    for (const auto& [group, entries] : data.items()) {
        for (const auto& vec : entries) {
            const std::string input = vec["input"];
            const std::string network = vec.value("network", "main");
            SCOPED_TRACE(group + ": " + input);
            auto desc = common::ParseDescriptor(input, Params(network));
            ASSERT_TRUE(desc) << desc.error().message;
            EXPECT_EQ(*(*desc)->ToString(), vec["descriptor"].get<std::string>());
            EXPECT_EQ((*desc)->IsRange(), vec["isrange"].get<bool>());
            EXPECT_EQ((*desc)->IsSolvable(), vec["issolvable"].get<bool>());
            EXPECT_EQ((*desc)->HasPrivateKeys(), vec["hasprivatekeys"].get<bool>());
            // "checksum" is the checksum of the input text as given (without any '#...').
            const std::string body = input.substr(0, input.find('#'));
            EXPECT_EQ(common::DescriptorChecksum(body), vec["checksum"].get<std::string>());
            ++checked;
        }
    }
    EXPECT_GE(checked, 50);
}

// Core's deriveaddresses answers (pk and combo are left out: the recorded answers predate
// Core treating P2PK outputs as having no address).
TEST(Descriptor, DeriveAddressesAnswers)
{
    const auto data = LoadData("descriptors/desc-addresses.json");
    int checked = 0;
    for (const auto& [group, entries] : data.items()) {
        if (group == "combo" || group == "pk") continue;
        for (const auto& vec : entries) {
            const std::string input = vec["input"];
            const std::string network = vec.value("network", "main");
            SCOPED_TRACE(group + ": " + input);
            auto desc = common::ParseDescriptor(input, Params(network));
            ASSERT_TRUE(desc) << desc.error().message;
            int64_t begin = 0;
            int64_t end = 0;
            if (vec.contains("range")) {
                begin = vec["range"][0];
                end = vec["range"][1];
            }
            std::vector<std::string> got;
            bool failed = false;
            for (int64_t i = begin; i <= end && !failed; ++i) {
                auto exp = (*desc)->Expand(static_cast<uint32_t>(i));
                if (!exp) {
                    failed = true;
                    break;
                }
                for (const auto& script : exp->output_scripts) {
                    const auto dest = common::ExtractDestination(script);
                    if (!dest || !common::IsValidDestination(*dest)) {
                        failed = true;
                        break;
                    }
                    got.push_back(common::EncodeDestination(*dest, Params(network)));
                }
            }
            if (vec.contains("error")) {
                EXPECT_TRUE(failed);
            } else {
                EXPECT_FALSE(failed);
                std::vector<std::string> expected;
                for (const auto& a : vec["addresses"])
                    expected.push_back(a);
                EXPECT_EQ(got, expected);
            }
            ++checked;
        }
    }
    EXPECT_GE(checked, 30);
}

TEST(Descriptor, InvalidAnswersFromCore)
{
    const auto data = LoadData("descriptors/desc-invalid.json");
    int checked = 0;
    for (const auto& vec : data) {
        const std::string input = vec["input"];
        SCOPED_TRACE(input);
        auto desc = common::ParseDescriptor(input, Params(vec.value("network", "main")),
                                            vec.value("requirechecksum", false));
        EXPECT_FALSE(desc);
        ++checked;
    }
    EXPECT_GE(checked, 30);
}

TEST(Descriptor, ExpansionCarriesKeysOriginsAndScripts)
{
    // BIP382 vector: wpkh([ffffffff/13']xpub.../1/2/*) at index 0 is 0014326b22...
    auto desc = common::ParseDescriptor(
        "sh(wpkh([ffffffff/13']xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7"
        "ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH/1/2/*))",
        Params("main"));
    ASSERT_TRUE(desc);
    auto exp = (*desc)->Expand(0);
    ASSERT_TRUE(exp);
    ASSERT_EQ(exp->pubkeys.size(), 1U);
    ASSERT_EQ(exp->origins.size(), 1U);
    const auto& origin = exp->origins.begin()->second;
    EXPECT_EQ(util::HexStr(origin.fingerprint), "ffffffff");
    EXPECT_EQ(common::FormatHDKeypath(origin.path), "/13h/1/2/0");
    ASSERT_EQ(exp->scripts.size(), 1U);
    EXPECT_EQ(util::HexStr(exp->scripts.begin()->second.span()),
              "0014326b2249e3a25d5dc60935f044ee835d090ba859");
    EXPECT_TRUE(exp->secrets.empty());
    EXPECT_EQ((*desc)->GetOutputType(), common::DescriptorOutputType::P2SH_SEGWIT);
    // Inference with that knowledge names the key with its origin.
    const std::string inferred =
        common::InferDescriptorString(exp->output_scripts[0], *exp, Params("main"));
    EXPECT_EQ(inferred.substr(0, inferred.find('#')),
              "sh(wpkh([ffffffff/13h/1/2/0]" + util::HexStr(exp->pubkeys.begin()->second) + "))");
    // Without knowledge it is just an address.
    const common::DescriptorExpansion none;
    const std::string bare =
        common::InferDescriptorString(exp->output_scripts[0], none, Params("main"));
    EXPECT_EQ(bare.substr(0, 5), "addr(");
}

TEST(Descriptor, HardenedStepWithoutSecretFailsToExpand)
{
    auto desc = common::ParseDescriptor(
        "wpkh(xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDz"
        "nezpbZb7ap6r1D3tgFxHmwMkQTPH/1h/*)",
        Params("main"));
    ASSERT_TRUE(desc);
    auto exp = (*desc)->Expand(0);
    ASSERT_FALSE(exp);
    EXPECT_EQ(exp.error().message, "Cannot derive script without private keys");
}

TEST(Descriptor, TruncatedInputsFailCleanly)
{
    const std::string text =
        "tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,{pk("
        "xprvA2JDeKCSNNZky6u"
        "BCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in3"
        "34/"
        "0),{{pk(xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4"
        "ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL),pk("
        "02df12b7035bdac8e3bab862a3a83d06ea6b17b6753d52edecba9be"
        "46f5d09e076)},pk(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)}})";
    ASSERT_TRUE(common::ParseDescriptor(text, Params("main")));
    for (size_t len = 0; len < text.size(); ++len) {
        EXPECT_FALSE(common::ParseDescriptor(text.substr(0, len), Params("main"))) << len;
    }
}

} // namespace

// bcoin's desc-privatekeys.json: Core's private form of descriptors holding secrets (the
// input plus checksum); descriptors with some key lacking its secret have no private form.
TEST(Descriptor, PrivateKeyStrings)
{
    const auto data = LoadData("descriptors/desc-privatekeys.json");
    int with_form = 0;
    int without = 0;
    for (const auto& vec : data) {
        const std::string input = vec["input"];
        SCOPED_TRACE(input);
        auto desc = common::ParseDescriptor(input, Params(vec.value("network", "main")));
        ASSERT_TRUE(desc) << desc.error().message;
        const auto priv = (*desc)->ToString(DescriptorStringType::PRIVATE);
        if (vec.contains("error")) {
            EXPECT_FALSE(priv);
            ++without;
        } else {
            ASSERT_TRUE(priv);
            EXPECT_EQ(*priv, vec["expected"].get<std::string>());
            EXPECT_TRUE((*desc)->HasPrivateKeys());
            ++with_form;
        }
    }
    EXPECT_EQ(with_form, 3);
    EXPECT_EQ(without, 2);
}
