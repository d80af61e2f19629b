// BIP39 mnemonics. Vectors: tests/data/wallet/mnemonic-english.json (the Trezor
// python-mnemonic vectors as carried by bcoin, MIT, see tests/data/wallet/LICENSE.bcoin):
// [entropy, mnemonic, passphrase "TREZOR", seed, BIP32 master xprv]. The empty-passphrase
// seed and master key come from BIP84's test vector (bitcoin/bips bip-0084.mediawiki).
#include <common/base58.h>
#include <common/bip32.h>
#include <common/bip39.h>
#include <common/chainparams.h>
#include <consensus/hash.h>

#include <util/strings.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::string ABOUT_12 = "abandon abandon abandon abandon abandon abandon abandon abandon "
                             "abandon abandon abandon about";

nlohmann::json LoadVectors()
{
    const std::string path = std::string{MINIBIT_TEST_DATA_DIR} + "/wallet/mnemonic-english.json";
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

std::vector<std::string> Split(const std::string& s)
{
    std::vector<std::string> out;
    std::istringstream in{s};
    for (std::string w; in >> w;)
        out.push_back(w);
    return out;
}

std::string Join(const std::vector<std::string>& words)
{
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ' ';
        out += w;
    }
    return out;
}

std::string SeedHex(const common::Bip39Seed& seed)
{
    return util::HexStr(seed.bytes);
}

TEST(Bip39, WordlistMatchesPublishedFile)
{
    const auto list = common::Bip39EnglishWordlist();
    ASSERT_EQ(list.size(), 2048U);
    EXPECT_EQ(list[0], "abandon");
    EXPECT_EQ(list[3], "about");
    EXPECT_EQ(list[2047], "zoo");
    // SHA-256 of bip-0039/english.txt (one word per line, LF endings) as published.
    std::string file;
    for (const auto w : list) {
        file.append(w);
        file += '\n';
    }
    const auto digest = consensus::Sha256Hash(
        std::span{reinterpret_cast<const uint8_t*>(file.data()), file.size()});
    EXPECT_EQ(util::HexStr(std::span{digest.data(), 32}),
              "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda");
    EXPECT_EQ(common::Bip39WordIndex("abandon"), 0);
    EXPECT_EQ(common::Bip39WordIndex("zoo"), 2047);
    EXPECT_EQ(common::Bip39WordIndex("zebra"), 2044);
    EXPECT_EQ(common::Bip39WordIndex("Abandon"), -1);
    EXPECT_EQ(common::Bip39WordIndex("aband"), -1);
    EXPECT_EQ(common::Bip39WordIndex(""), -1);
    EXPECT_EQ(common::Bip39WordIndex("zzz"), -1);
}

TEST(Bip39, PublishedVectors)
{
    const auto vectors = LoadVectors();
    ASSERT_EQ(vectors.size(), 24U);
    for (const auto& v : vectors) {
        const std::string entropy_hex = v[0];
        const std::string mnemonic = v[1];
        const std::string passphrase = v[2];
        const std::string seed_hex = v[3];
        const std::string xprv = v[4];
        SCOPED_TRACE(entropy_hex);
        ASSERT_EQ(passphrase, "TREZOR");
        const auto entropy = util::TryParseHex(entropy_hex);
        ASSERT_TRUE(entropy);

        const auto words = common::MnemonicFromEntropy(*entropy);
        ASSERT_TRUE(words) << words.error().message;
        EXPECT_EQ(*words, mnemonic);

        const auto back = common::MnemonicToEntropy(mnemonic);
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, *entropy);
        EXPECT_TRUE(common::IsValidMnemonic(mnemonic));

        const auto seed = common::MnemonicToSeed(mnemonic, passphrase);
        ASSERT_TRUE(seed) << seed.error().message;
        EXPECT_EQ(SeedHex(*seed), seed_hex);

        const auto master = common::MasterKeyFromSeed(*seed);
        ASSERT_TRUE(master) << master.error().message;
        EXPECT_EQ(common::EncodeExtKey(*master, Main()), xprv);

        const auto direct = common::MnemonicToMasterKey(mnemonic, passphrase);
        ASSERT_TRUE(direct) << direct.error().message;
        EXPECT_EQ(common::EncodeExtKey(*direct, Main()), xprv);

        // The passphrase is part of the salt: without it the seed must differ.
        const auto plain = common::MnemonicToSeed(mnemonic);
        ASSERT_TRUE(plain);
        EXPECT_NE(SeedHex(*plain), seed_hex);
    }
}

TEST(Bip39, EmptyPassphraseMatchesBip84Vector)
{
    const auto seed = common::MnemonicToSeed(ABOUT_12, "");
    ASSERT_TRUE(seed) << seed.error().message;
    EXPECT_EQ(SeedHex(*seed), "5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc1"
                              "9a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4");
    // BIP84's rootpriv is a zprv: same 74-byte body as the xprv, other version bytes.
    const auto zprv = common::DecodeBase58Check(
        "zprvAWgYBBk7JR8Gjrh4UJQ2uJdG1r3WNRRfURiABBE3RvMXYSrRJL62XuezvGdPvG6GFBZduosCc1YP5wixPox7"
        "zhZLfiUm8aunE96BBa4Kei5",
        100);
    ASSERT_TRUE(zprv);
    ASSERT_EQ(zprv->size(), 78U);
    const auto master = common::MnemonicToMasterKey(ABOUT_12);
    ASSERT_TRUE(master) << master.error().message;
    const auto body = master->Encode();
    EXPECT_EQ(std::vector<uint8_t>(body.begin(), body.end()),
              std::vector<uint8_t>(zprv->begin() + 4, zprv->end()));
}

TEST(Bip39, RoundTripsEverySize)
{
    std::mt19937 rng{12345};
    std::set<std::vector<uint8_t>> seen;
    for (const size_t bytes : {16U, 20U, 24U, 28U, 32U}) {
        for (int i = 0; i < 50; ++i) {
            std::vector<uint8_t> entropy(bytes);
            for (auto& b : entropy)
                b = static_cast<uint8_t>(rng());
            const auto words = common::MnemonicFromEntropy(entropy);
            ASSERT_TRUE(words);
            // BIP39 table: 12, 15, 18, 21, 24 words for 128..256 bits.
            EXPECT_EQ(Split(*words).size(), bytes * 3 / 4);
            const auto back = common::MnemonicToEntropy(*words);
            ASSERT_TRUE(back) << *words << ": " << back.error().message;
            EXPECT_EQ(*back, entropy);
            seen.insert(entropy);
        }
    }
    EXPECT_EQ(seen.size(), 250U);
}

TEST(Bip39, ChecksumAcceptsExactlyTheSpecifiedShareOfLastWords)
{
    // The last word carries 11 - CS entropy bits and CS checksum bits, so of its 2048
    // choices exactly 2^(11 - CS) complete a valid mnemonic: 128 for 12 words, 8 for 24.
    for (const auto& [mnemonic, expected] :
         {std::pair{ABOUT_12, 128},
          std::pair{std::string{"zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo "
                                "zoo zoo zoo zoo zoo zoo zoo vote"},
                    8}}) {
        ASSERT_TRUE(common::IsValidMnemonic(mnemonic));
        auto words = Split(mnemonic);
        int valid = 0;
        for (const auto w : common::Bip39EnglishWordlist()) {
            words.back() = std::string{w};
            if (common::IsValidMnemonic(Join(words))) ++valid;
        }
        EXPECT_EQ(valid, expected) << mnemonic;
    }
}

TEST(Bip39, WrongChecksumIsRefused)
{
    const std::string twelve_abandon = "abandon abandon abandon abandon abandon abandon abandon "
                                       "abandon abandon abandon abandon abandon";
    const auto entropy = common::MnemonicToEntropy(twelve_abandon);
    ASSERT_FALSE(entropy);
    EXPECT_EQ(entropy.error().message, "invalid checksum");
    EXPECT_FALSE(common::IsValidMnemonic(twelve_abandon));
    const auto seed = common::MnemonicToSeed(twelve_abandon, "TREZOR");
    ASSERT_FALSE(seed);
    EXPECT_EQ(seed.error().message, "invalid checksum");
    EXPECT_FALSE(common::MnemonicToMasterKey(twelve_abandon));

    // Swapping two words keeps every word valid but breaks the checksum.
    const std::string swapped = "winner legal thank year wave sausage worth useful legal winner "
                                "thank yellow";
    const auto swapped_result = common::MnemonicToEntropy(swapped);
    ASSERT_FALSE(swapped_result);
    EXPECT_EQ(swapped_result.error().message, "invalid checksum");
}

TEST(Bip39, UnknownWordIsNamed)
{
    auto words = Split(ABOUT_12);
    words[5] = "abandonn";
    const auto result = common::MnemonicToEntropy(Join(words));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message, "unknown word 'abandonn'");

    // Case matters: the list is lower case and we do not fold.
    words[5] = "Abandon";
    const auto upper = common::MnemonicToEntropy(Join(words));
    ASSERT_FALSE(upper);
    EXPECT_EQ(upper.error().message, "unknown word 'Abandon'");
    EXPECT_FALSE(common::MnemonicToSeed(Join(words)));

    // A huge token is echoed only in part.
    words[5] = std::string(10000, 'x');
    const auto huge = common::MnemonicToEntropy(Join(words));
    ASSERT_FALSE(huge);
    EXPECT_LT(huge.error().message.size(), 64U);
    EXPECT_EQ(huge.error().message.rfind("unknown word 'xxxx", 0), 0U);
}

TEST(Bip39, BadWordCountsAndEntropySizes)
{
    const auto words = Split(ABOUT_12);
    for (const size_t count : {0U, 1U, 3U, 11U, 13U, 14U, 16U, 23U, 25U, 27U, 48U}) {
        std::vector<std::string> sentence;
        for (size_t i = 0; i < count; ++i)
            sentence.push_back(words[i % words.size()]);
        const auto result = common::MnemonicToEntropy(Join(sentence));
        ASSERT_FALSE(result) << count;
        EXPECT_EQ(result.error().message.rfind("invalid word count " + std::to_string(count), 0),
                  0U)
            << result.error().message;
        EXPECT_FALSE(common::GenerateMnemonic(count)) << count;
    }
    EXPECT_FALSE(common::MnemonicToEntropy("   \t\n "));
    for (const size_t bytes : {0U, 1U, 12U, 15U, 17U, 18U, 31U, 33U, 64U}) {
        const std::vector<uint8_t> entropy(bytes, 0x5a);
        const auto result = common::MnemonicFromEntropy(entropy);
        ASSERT_FALSE(result) << bytes;
        EXPECT_EQ(result.error().message.rfind("invalid entropy length", 0), 0U);
    }
}

TEST(Bip39, EveryPrefixFailsCleanly)
{
    const std::string full = "legal winner thank year wave sausage worth useful legal winner "
                             "thank yellow";
    for (size_t len = 0; len < full.size(); ++len) {
        const auto result = common::MnemonicToEntropy(full.substr(0, len));
        EXPECT_FALSE(result) << len;
    }
    EXPECT_TRUE(common::MnemonicToEntropy(full));
}

TEST(Bip39, NonAsciiIsRefused)
{
    // "é" precomposed (C3 A9) and decomposed (e + CC 81): NFKD would matter, so both refuse.
    const std::string precomposed = "abandon abandon abandon abandon abandon abandon abandon "
                                    "abandon abandon abandon abandon ab\xc3\xa9ndon";
    const std::string decomposed = "abandon abandon abandon abandon abandon abandon abandon "
                                   "abandon abandon abandon abandon abe\xcc\x81ndon";
    for (const auto& m : {precomposed, decomposed}) {
        const auto entropy = common::MnemonicToEntropy(m);
        ASSERT_FALSE(entropy);
        EXPECT_NE(entropy.error().message.find("non-ASCII"), std::string::npos);
        EXPECT_FALSE(common::NormalizeMnemonic(m));
        EXPECT_FALSE(common::MnemonicToSeed(m));
    }
    const auto seed = common::MnemonicToSeed(ABOUT_12, "p\xc3\xa4ssword");
    ASSERT_FALSE(seed);
    EXPECT_NE(seed.error().message.find("passphrase"), std::string::npos);
    EXPECT_NE(seed.error().message.find("non-ASCII"), std::string::npos);
    EXPECT_FALSE(common::NormalizePassphrase("\x80"));
    EXPECT_FALSE(common::MnemonicToMasterKey(ABOUT_12, "\xff"));
}

TEST(Bip39, NormalisationCollapsesAsciiWhitespaceOnly)
{
    const auto norm = common::NormalizeMnemonic("  legal\twinner  thank\nyear wave sausage "
                                                "worth useful legal winner thank yellow \r\n");
    ASSERT_TRUE(norm);
    EXPECT_EQ(*norm, "legal winner thank year wave sausage worth useful legal winner thank "
                     "yellow");
    EXPECT_EQ(*common::NormalizeMnemonic("Legal"), "Legal");
    EXPECT_EQ(*common::NormalizeMnemonic(""), "");

    // Same seed as the canonical sentence (vector 2 of mnemonic-english.json).
    const auto seed = common::MnemonicToSeed("  legal\twinner  thank\nyear wave sausage worth "
                                             "useful legal winner thank yellow \r\n",
                                             "TREZOR");
    ASSERT_TRUE(seed) << seed.error().message;
    EXPECT_EQ(SeedHex(*seed), "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6f"
                              "a457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607");

    // The passphrase is hashed verbatim: spaces and case change the seed.
    EXPECT_EQ(*common::NormalizePassphrase(" TREZOR "), " TREZOR ");
    const auto padded = common::MnemonicToSeed(ABOUT_12, " TREZOR");
    const auto exact = common::MnemonicToSeed(ABOUT_12, "TREZOR");
    ASSERT_TRUE(padded && exact);
    EXPECT_NE(SeedHex(*padded), SeedHex(*exact));
}

TEST(Bip39, FreshMnemonicsDecodeAndDiffer)
{
    for (const size_t count : {12U, 15U, 18U, 21U, 24U}) {
        const auto a = common::GenerateMnemonic(count);
        const auto b = common::GenerateMnemonic(count);
        ASSERT_TRUE(a && b) << count;
        EXPECT_EQ(Split(*a).size(), count);
        EXPECT_EQ(Split(*b).size(), count);
        const auto ea = common::MnemonicToEntropy(*a);
        const auto eb = common::MnemonicToEntropy(*b);
        ASSERT_TRUE(ea && eb) << count;
        EXPECT_EQ(ea->size(), count * 4 / 3);
        // Two draws of >= 128 random bits colliding would mean a broken generator.
        EXPECT_NE(*ea, *eb);
        EXPECT_NE(*a, *b);
        // Re-encoding the decoded entropy gives the same words back.
        EXPECT_EQ(*common::MnemonicFromEntropy(*ea), *a);
        EXPECT_TRUE(common::MnemonicToMasterKey(*a, "x"));
    }
}

} // namespace
