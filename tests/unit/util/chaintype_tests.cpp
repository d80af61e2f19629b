#include <util/chaintype.h>
#include <util/strings.h>

#include <gtest/gtest.h>

using util::ChainType;

TEST(ChainType, NamesRoundTripAndSubdirsMatchCore)
{
    const std::pair<ChainType, const char*> subdirs[] = {
        {ChainType::MAIN, ""},
        {ChainType::TESTNET, "testnet3"},
        {ChainType::TESTNET4, "testnet4"},
        {ChainType::SIGNET, "signet"},
        {ChainType::REGTEST, "regtest"},
    };
    for (const auto& [chain, subdir] : subdirs) {
        const std::string name = util::ChainTypeToString(chain);
        EXPECT_EQ(util::ParseChainType(name), chain) << name;
        EXPECT_EQ(util::ChainDataSubdir(chain), subdir) << name;
    }
    EXPECT_EQ(util::ChainTypeToString(ChainType::TESTNET), "test");
}

TEST(ChainType, RejectsUnknownNames)
{
    for (const char* bad : {"", "mainnet", "testnet", "testnet3", "Regtest", "regtest "}) {
        EXPECT_FALSE(util::ParseChainType(bad)) << bad;
    }
}

TEST(Strings, HexRoundTripAndStrictParsing)
{
    const std::vector<uint8_t> bytes{0x00, 0x01, 0xab, 0xff};
    EXPECT_EQ(util::HexStr(bytes), "0001abff");
    EXPECT_EQ(util::TryParseHex("0001ABff"), bytes);
    EXPECT_FALSE(util::TryParseHex("abc"));
    EXPECT_FALSE(util::TryParseHex("zz"));
    EXPECT_FALSE(util::TryParseHex(" 00"));
    EXPECT_EQ(util::ParseInt64("-42"), -42);
    EXPECT_FALSE(util::ParseInt64("42x"));
    EXPECT_FALSE(util::ParseInt64("99999999999999999999"));
    EXPECT_EQ(util::TrimString("  a b\t\n"), "a b");
    EXPECT_EQ(util::SplitString("a,,b", ',').size(), 3U);
}
