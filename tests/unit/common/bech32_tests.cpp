// Vectors from BIP173 and BIP350 (bitcoin/bips, bip-0173.mediawiki and
// bip-0350.mediawiki, "Test vectors" sections; BSD-2-Clause).
#include <common/bech32.h>
#include <common/chainparams.h>
#include <common/key_io.h>

#include <util/strings.h>

#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <string>
#include <vector>

using common::Bech32Decode;
using common::Bech32Encode;
using common::Bech32Encoding;

namespace {

const std::vector<std::string> VALID_BECH32{
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
};

const std::vector<std::string> VALID_BECH32M{
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
};

struct InvalidString
{
    std::string str;
    std::string reason;
};

// Invalid for both encodings (BIP173 list, then BIP350 list).
const std::vector<InvalidString> INVALID_STRINGS{
    {std::string("\x20") + "1nwldj5", "HRP character out of range"},
    {std::string("\x7f") + "1axkwrx", "HRP character out of range"},
    {std::string("\x80") + "1eym55h", "HRP character out of range"},
    {"an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
     "overall max length exceeded"},
    {"pzry9x0s0muk", "No separator character"},
    {"1pzry9x0s0muk", "Empty HRP"},
    {"x1b4n0q5v", "Invalid data character"},
    {"li1dgmt3", "Too short checksum"},
    {std::string("de1lg7wt") + "\xff", "Invalid character in checksum"},
    {"A1G7SGD8", "checksum calculated with uppercase form of HRP"},
    {"10a06t8", "empty HRP"},
    {"1qzzfhee", "empty HRP"},
    {std::string("\x20") + "1xj0phk", "HRP character out of range"},
    {std::string("\x7f") + "1g6xzxy", "HRP character out of range"},
    {std::string("\x80") + "1vctc34", "HRP character out of range"},
    {"an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
     "overall max length exceeded"},
    {"qyrz8wqd2c9m", "No separator character"},
    {"1qyrz8wqd2c9m", "Empty HRP"},
    {"y1b0jsk6g", "Invalid data character"},
    {"lt1igcx5c0", "Invalid data character"},
    {"in1muywd", "Too short checksum"},
    {"mm1crxm3i", "Invalid character in checksum"},
    {"au1s5cgom", "Invalid character in checksum"},
    {"M1VUXWEZ", "checksum calculated with uppercase form of HRP"},
    {"16plkw9", "empty HRP"},
    {"1p2gdwpf", "empty HRP"},
};

struct ValidAddress
{
    std::string address;
    std::string script_hex;
};

// BIP350's list, which supersedes BIP173's for v1+ addresses.
const std::vector<ValidAddress> VALID_ADDRESSES{
    {"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"},
    {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
     "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
    {"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
     "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"},
    {"BC1SW50QGDZ25J", "6002751e"},
    {"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"},
    {"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
     "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
    {"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
     "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
     "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
};

// BIP173's valid v1+ addresses used bech32; BIP350 makes them invalid.
const std::vector<std::string> BIP173_V1PLUS_BECH32{
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
    "BC1SW50QA3JX3S",
    "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj",
};

const std::vector<InvalidString> INVALID_ADDRESSES{
    // BIP173
    {"tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", "Invalid human-readable part"},
    {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "Invalid checksum"},
    {"BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", "Invalid witness version"},
    {"bc1rw5uspcuh", "Invalid program length"},
    {"bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
     "Invalid program length"},
    {"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "Invalid program length for witness version 0"},
    {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", "Mixed case"},
    {"bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", "zero padding of more than 4 bits"},
    {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
     "Non-zero padding in 8-to-5 conversion"},
    {"bc1gmk9yu", "Empty data section"},
    // BIP350
    {"tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
     "Invalid human-readable part"},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
     "Invalid checksum (Bech32 instead of Bech32m)"},
    {"tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
     "Invalid checksum (Bech32 instead of Bech32m)"},
    {"BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
     "Invalid checksum (Bech32 instead of Bech32m)"},
    {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "Invalid checksum (Bech32m instead of Bech32)"},
    {"tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
     "Invalid checksum (Bech32m instead of Bech32)"},
    {"bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
     "Invalid character in checksum"},
    {"BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "Invalid witness version"},
    {"bc1pw5dgrnzv", "Invalid program length (1 byte)"},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
     "Invalid program length (41 bytes)"},
    {"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "Mixed case"},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
     "zero padding of more than 4 bits"},
    {"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
     "Non-zero padding in 8-to-5 conversion"},
};

std::vector<std::unique_ptr<const common::ChainParams>> AllNetworks()
{
    std::vector<std::unique_ptr<const common::ChainParams>> all;
    for (const auto chain :
         {util::ChainType::MAIN, util::ChainType::TESTNET, util::ChainType::TESTNET4,
          util::ChainType::SIGNET, util::ChainType::REGTEST}) {
        all.push_back(common::CreateChainParams(chain));
    }
    return all;
}

void CheckValidString(const std::string& str, Bech32Encoding expected)
{
    SCOPED_TRACE(str);
    const auto decoded = Bech32Decode(str);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->encoding, expected);
    // Re-encoding gives the lower-case form of the input.
    EXPECT_EQ(Bech32Encode(expected, decoded->hrp, decoded->data), util::ToLower(str));
    // The other checksum constant never verifies the same string (BIP350).
    const Bech32Encoding other =
        expected == Bech32Encoding::BECH32 ? Bech32Encoding::BECH32M : Bech32Encoding::BECH32;
    EXPECT_NE(Bech32Encode(other, decoded->hrp, decoded->data), util::ToLower(str));
    // Flipping any one data character breaks the checksum.
    const size_t sep = str.rfind('1');
    for (size_t i = sep + 1; i < str.size(); ++i) {
        std::string mutated = str;
        mutated[i] = (mutated[i] == 'q' || mutated[i] == 'Q')
                         ? (std::isupper(mutated[i]) ? 'P' : 'p')
                         : (std::isupper(mutated[i]) ? 'Q' : 'q');
        EXPECT_FALSE(Bech32Decode(mutated)) << "mutated at " << i;
    }
}

} // namespace

TEST(Bech32, Bip173ValidStrings)
{
    for (const auto& s : VALID_BECH32)
        CheckValidString(s, Bech32Encoding::BECH32);
}

TEST(Bech32, Bip350ValidStrings)
{
    for (const auto& s : VALID_BECH32M)
        CheckValidString(s, Bech32Encoding::BECH32M);
}

TEST(Bech32, InvalidStrings)
{
    for (const auto& [str, reason] : INVALID_STRINGS) {
        const auto decoded = Bech32Decode(str);
        EXPECT_FALSE(decoded) << util::HexStr(std::span{
                                     reinterpret_cast<const uint8_t*>(str.data()), str.size()})
                              << ": " << reason;
    }
}

TEST(Bech32, SpecificErrorMessages)
{
    EXPECT_EQ(Bech32Decode("pzry9x0s0muk").error().message, "Missing separator");
    EXPECT_EQ(Bech32Decode("1pzry9x0s0muk").error().message, "Invalid separator position");
    EXPECT_EQ(Bech32Decode("li1dgmt3").error().message, "Invalid separator position");
    EXPECT_EQ(Bech32Decode("x1b4n0q5v").error().message, "Invalid Base 32 character");
    EXPECT_EQ(Bech32Decode("A1G7SGD8").error().message, "Invalid checksum");
    EXPECT_EQ(Bech32Decode("aB1qqqqqqq").error().message, "Invalid character or mixed case");
    EXPECT_EQ(Bech32Decode(std::string(91, 'q')).error().message, "Bech32 string too long");
}

TEST(Bech32, ValidSegwitAddresses)
{
    const auto main = common::ChainParams::Main();
    const auto test = common::ChainParams::TestNet();
    for (const auto& [address, script_hex] : VALID_ADDRESSES) {
        SCOPED_TRACE(address);
        const auto& params = util::ToLower(address).starts_with("bc") ? *main : *test;
        const auto dest = common::DecodeDestination(address, params);
        ASSERT_TRUE(dest) << dest.error().message;
        EXPECT_EQ(util::HexStr(common::GetScriptForDestination(*dest).bytes()), script_hex);
        EXPECT_EQ(common::EncodeDestination(*dest, params), util::ToLower(address));
        const auto script_bytes = util::TryParseHex(script_hex);
        ASSERT_TRUE(script_bytes);
        const auto extracted = common::ExtractDestination(consensus::Script{*script_bytes});
        ASSERT_TRUE(extracted);
        EXPECT_EQ(*extracted, *dest);
        // The address belongs to one network only.
        const auto& other = &params == main.get() ? *test : *main;
        EXPECT_FALSE(common::DecodeDestination(address, other));
    }
}

TEST(Bech32, Bip173V1PlusAddressesNeedBech32m)
{
    const auto main = common::ChainParams::Main();
    for (const auto& address : BIP173_V1PLUS_BECH32) {
        const auto dest = common::DecodeDestination(address, *main);
        ASSERT_FALSE(dest) << address;
        EXPECT_EQ(dest.error().message, "Version 1+ witness address must use Bech32m checksum");
        // Still a valid bech32 string.
        const auto decoded = Bech32Decode(address);
        ASSERT_TRUE(decoded);
        EXPECT_EQ(decoded->encoding, Bech32Encoding::BECH32);
    }
}

TEST(Bech32, InvalidSegwitAddresses)
{
    const auto networks = AllNetworks();
    for (const auto& [address, reason] : INVALID_ADDRESSES) {
        for (const auto& params : networks) {
            EXPECT_FALSE(common::DecodeDestination(address, *params))
                << address << " (" << reason << ") on " << params->GetChainTypeString();
        }
    }
    const auto main = common::ChainParams::Main();
    const auto test = common::ChainParams::TestNet();
    EXPECT_EQ(
        common::DecodeDestination("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", *main).error().message,
        "Invalid Bech32 v0 address program size (16 bytes), per BIP141");
    EXPECT_EQ(common::DecodeDestination("bc1pw5dgrnzv", *main).error().message,
              "Invalid Bech32 address program size (1 byte)");
    EXPECT_EQ(
        common::DecodeDestination(
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", *main)
            .error()
            .message,
        "Invalid Bech32 address program size (41 bytes)");
    EXPECT_EQ(common::DecodeDestination(
                  "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", *main)
                  .error()
                  .message,
              "Invalid Bech32 address witness version");
    EXPECT_EQ(common::DecodeDestination("bc1gmk9yu", *main).error().message,
              "Empty Bech32 data section");
    EXPECT_EQ(common::DecodeDestination("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", *main)
                  .error()
                  .message,
              "Version 0 witness address must use Bech32 checksum");
    EXPECT_EQ(common::DecodeDestination(
                  "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", *main)
                  .error()
                  .message,
              "Version 1+ witness address must use Bech32m checksum");
    EXPECT_EQ(common::DecodeDestination("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", *main)
                  .error()
                  .message,
              "Invalid checksum");
    EXPECT_EQ(common::DecodeDestination(
                  "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", *test)
                  .error()
                  .message,
              "Invalid padding in Bech32 data section");
    EXPECT_EQ(common::DecodeDestination("bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9", *main)
                  .error()
                  .message,
              "Invalid or unsupported prefix for Segwit (Bech32) address (expected bc, got bcrt).");
}

TEST(Bech32, TruncationNeverSucceeds)
{
    std::vector<std::string> all = VALID_BECH32;
    all.insert(all.end(), VALID_BECH32M.begin(), VALID_BECH32M.end());
    for (const auto& a : VALID_ADDRESSES)
        all.push_back(a.address);
    for (const auto& s : all) {
        for (size_t len = 0; len < s.size(); ++len) {
            EXPECT_FALSE(Bech32Decode(std::string_view{s}.substr(0, len)))
                << s << " truncated to " << len;
        }
    }
}

TEST(Bech32, ConvertBits)
{
    const std::vector<uint8_t> bytes{0xff, 0x00, 0xa5};
    const auto five = common::ConvertBits(bytes, 8, 5, true);
    ASSERT_TRUE(five);
    EXPECT_EQ(five->size(), 5U);
    const auto back = common::ConvertBits(*five, 5, 8, false);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, bytes);
    // A value too wide for its group is rejected.
    const std::vector<uint8_t> wide{32};
    EXPECT_FALSE(common::ConvertBits(wide, 5, 8, true));
    // Non-zero padding bits are rejected.
    const std::vector<uint8_t> padded{0x1f, 0x1f};
    EXPECT_FALSE(common::ConvertBits(padded, 5, 8, false));
}
