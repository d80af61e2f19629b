#include <util/args.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using util::ArgsManager;
using util::ArgType;
using util::OptionsCategory;

void Register(ArgsManager& args)
{
    args.AddArg("-flag", "a bool", ArgType::BOOL, OptionsCategory::OPTIONS);
    args.AddArg("-num=<n>", "an int", ArgType::INT, OptionsCategory::OPTIONS);
    args.AddArg("-name=<s>", "a string", ArgType::STRING, OptionsCategory::OPTIONS);
    args.AddArg("-conf=<file>", "conf", ArgType::STRING, OptionsCategory::OPTIONS,
                util::COMMAND_LINE_ONLY);
    args.AddArg("-debug=<cat>", "multi", ArgType::LIST, OptionsCategory::DEBUG_TEST);
    args.AddArg("-rpcpassword=<pw>", "pw", ArgType::STRING, OptionsCategory::RPC, util::SENSITIVE);
    args.AddArg("-port=<port>", "net only", ArgType::INT, OptionsCategory::CONNECTION,
                util::NETWORK_ONLY);
    args.AddArg("-chain=<chain>", "chain", ArgType::STRING, OptionsCategory::CHAINPARAMS);
    args.AddArg("-regtest", "r", ArgType::BOOL, OptionsCategory::CHAINPARAMS);
    args.AddArg("-testnet", "t", ArgType::BOOL, OptionsCategory::CHAINPARAMS);
    args.AddHiddenArgs({"-h", "-help"});
}

util::Expected<void> ParseCli(ArgsManager& args, std::vector<std::string> words)
{
    words.insert(words.begin(), "minibitd");
    std::vector<const char*> argv;
    for (const auto& w : words)
        argv.push_back(w.c_str());
    return args.ParseParameters(static_cast<int>(argv.size()), argv.data());
}

util::Expected<void> ReadConf(ArgsManager& args, const std::string& text)
{
    std::istringstream stream{text};
    return args.ReadConfigStream(stream, "/d/minibit.conf");
}

TEST(ConfigTest, EveryErrorNamesFileAndLine)
{
    struct Case
    {
        std::string text;
        std::string expected; // full message
    };
    const std::vector<Case> cases{
        {"flag=1\n\nfoo\n", "/d/minibit.conf:3: parse error: foo"},
        {"noflag\n", "/d/minibit.conf:1: parse error: noflag, if you intended to specify a "
                     "negated option, use noflag=1 instead"},
        {"-flag=1\n", "/d/minibit.conf:1: parse error: -flag=1, options in configuration file "
                      "must be specified without leading -"},
        {"# c\nunknown=1\n", "/d/minibit.conf:2: Invalid configuration value unknown"},
        {"nounknown=1\n", "/d/minibit.conf:1: Invalid configuration value nounknown"},
        {"help=1\n", "/d/minibit.conf:1: Invalid configuration value help"},
        {"[regtest]\nregtest.flag=1\n",
         "/d/minibit.conf:2: Invalid configuration value regtest.regtest.flag"},
        {"[foo]\n", "/d/minibit.conf:1: Section [foo] is not recognized"},
        {"flag=1\n[Regtest]\n", "/d/minibit.conf:2: Section [Regtest] is not recognized"},
        {"foo.flag=1\n", "/d/minibit.conf:1: Section [foo] is not recognized"},
        {"flag=yes\n", "/d/minibit.conf:1: Invalid value 'yes' for -flag: expected 0 or 1"},
        {"num=12a\n", "/d/minibit.conf:1: Invalid value '12a' for -num: expected an integer"},
        {"num=\n", "/d/minibit.conf:1: Invalid value '' for -num: expected an integer"},
        {"noflag=x\n", "/d/minibit.conf:1: Invalid value 'x' for -noflag: expected 0 or 1"},
        {"conf=other.conf\n", "/d/minibit.conf:1: conf cannot be set in the configuration file"},
        {"rpcpassword=ab#cd\n", "/d/minibit.conf:1: using # in rpcpassword can be ambiguous "
                                "and should be avoided"},
        {"\n\n\n[main]\n  flag = 1  \n  num  \n", "/d/minibit.conf:6: parse error: num"},
    };
    for (const auto& c : cases) {
        ArgsManager args;
        Register(args);
        auto result = ReadConf(args, c.text);
        ASSERT_FALSE(result) << c.text;
        EXPECT_EQ(result.error().message, c.expected) << c.text;
        // A rejected file leaves no settings behind.
        EXPECT_FALSE(args.IsArgSet("-flag")) << c.text;
    }
}

TEST(ConfigTest, CommentsWhitespaceAndValues)
{
    ArgsManager args;
    Register(args);
    ASSERT_TRUE(ReadConf(args, "# full comment\n"
                               "   \t\n"
                               "  name =  hello world  # trailing comment\n"
                               "num=4#no space needed\n"
                               "flag=\r\n"
                               "debug=net\n"
                               "debug = rpc\n"));
    EXPECT_EQ(args.GetArg("-name", ""), "hello world");
    EXPECT_EQ(args.GetIntArg("-num", 0), 4);
    EXPECT_TRUE(args.GetBoolArg("-flag", false));
    EXPECT_EQ(args.GetArgs("-debug"), (std::vector<std::string>{"net", "rpc"}));
}

TEST(ConfigTest, DescribeSettingsMasksSensitiveValues)
{
    ArgsManager args;
    Register(args);
    ASSERT_TRUE(ParseCli(args, {"-noflag", "-rpcpassword=secret"}));
    ASSERT_TRUE(ReadConf(args, "name=n\n[regtest]\nrpcpassword=hunter2\n"));
    EXPECT_EQ(args.DescribeSettings(), (std::vector<std::string>{
                                           "Config file arg: name=\"n\"",
                                           "Config file arg: [regtest] rpcpassword=****",
                                           "Command-line arg: flag=false",
                                           "Command-line arg: rpcpassword=****",
                                       }));
}

TEST(ConfigTest, FirstValueWinsInConfigLastOnCommandLine)
{
    ArgsManager args;
    Register(args);
    ASSERT_TRUE(ReadConf(args, "name=first\nname=second\n"));
    EXPECT_EQ(args.GetArg("-name", ""), "first");
    ASSERT_TRUE(ParseCli(args, {"-name=cli1", "-name=cli2"}));
    EXPECT_EQ(args.GetArg("-name", ""), "cli2");
}

TEST(ConfigTest, SectionsAndPrecedence)
{
    const std::string conf = "name=top\n"
                             "num=1\n"
                             "flag=1\n"
                             "debug=topcat\n"
                             "regtest.name=prefixed\n"
                             "[regtest]\n"
                             "num=2\n"
                             "debug=regcat\n"
                             "noflag=1\n"
                             "[test]\n"
                             "name=testname\n";
    struct Case
    {
        std::string network;
        std::vector<std::string> cli;
        std::string name;
        int64_t num;
        bool flag;
        std::vector<std::string> debug;
    };
    const std::vector<Case> cases{
        // Section values beat the top section; prefixed keys count as the section.
        {"regtest", {}, "prefixed", 2, false, {"regcat", "topcat"}},
        {"test", {}, "testname", 1, true, {"topcat"}},
        {"main", {}, "top", 1, true, {"topcat"}},
        // The command line beats everything.
        {"regtest", {"-name=cli", "-num=3", "-flag"}, "cli", 3, true, {"regcat", "topcat"}},
        {"regtest", {"-debug=clicat"}, "prefixed", 2, false, {"clicat", "regcat", "topcat"}},
        // A command-line negation hides config values.
        {"regtest", {"-nodebug"}, "prefixed", 2, false, {}},
        {"main", {"-noname"}, "0", 1, true, {"topcat"}},
    };
    for (const auto& c : cases) {
        ArgsManager args;
        Register(args);
        ASSERT_TRUE(ParseCli(args, c.cli));
        ASSERT_TRUE(ReadConf(args, conf));
        args.SelectConfigNetwork(c.network);
        const std::string label = c.network + (c.cli.empty() ? "" : " " + c.cli[0]);
        EXPECT_EQ(args.GetArg("-name", ""), c.name) << label;
        EXPECT_EQ(args.GetIntArg("-num", 0), c.num) << label;
        EXPECT_EQ(args.GetBoolArg("-flag", false), c.flag) << label;
        EXPECT_EQ(args.GetArgs("-debug"), c.debug) << label;
    }
}

TEST(ConfigTest, NetworkOnlyOptionsIgnoreTopSectionOffMain)
{
    for (const std::string network : {"main", "regtest", "test"}) {
        ArgsManager args;
        Register(args);
        ASSERT_TRUE(ReadConf(args, "port=1\n[test]\nport=3\n"));
        args.SelectConfigNetwork(network);
        const int64_t expected = network == "main" ? 1 : network == "test" ? 3 : 99;
        EXPECT_EQ(args.GetIntArg("-port", 99), expected) << network;
    }
}

TEST(ConfigTest, ChainFromConfig)
{
    struct Case
    {
        std::string conf;
        std::vector<std::string> cli;
        std::optional<util::ChainType> expected;
    };
    const std::vector<Case> cases{
        {"regtest=1\n", {}, util::ChainType::REGTEST},
        {"chain=test\n", {}, util::ChainType::TESTNET},
        {"regtest=1\n", {"-testnet"}, std::nullopt},
        {"chain=regtest\n", {"-chain=regtest"}, util::ChainType::REGTEST},
        {"regtest=0\n", {"-testnet"}, util::ChainType::TESTNET},
        // Chain switches inside a section do not select the chain.
        {"[regtest]\nregtest=1\n", {}, util::ChainType::MAIN},
    };
    for (const auto& c : cases) {
        ArgsManager args;
        Register(args);
        ASSERT_TRUE(ParseCli(args, c.cli));
        ASSERT_TRUE(ReadConf(args, c.conf));
        const auto chain = args.GetChainType();
        ASSERT_EQ(chain.has_value(), c.expected.has_value()) << c.conf;
        if (c.expected) {
            EXPECT_EQ(*chain, *c.expected) << c.conf;
        }
    }
}

class ConfigFileTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_dir = std::filesystem::temp_directory_path() /
                ("minibit_config_test_" + std::to_string(getpid()));
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::filesystem::path m_dir;
};

TEST_F(ConfigFileTest, DefaultMissingIsFineExplicitMissingIsError)
{
    ArgsManager args;
    Register(args);
    auto read = args.ReadConfigFiles(m_dir);
    ASSERT_TRUE(read);
    EXPECT_TRUE(read->empty());

    ArgsManager explicit_args;
    Register(explicit_args);
    ASSERT_TRUE(ParseCli(explicit_args, {"-conf=missing.conf"}));
    auto missing = explicit_args.ReadConfigFiles(m_dir);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "specified config file \"" +
                                           (m_dir / "missing.conf").string() +
                                           "\" could not be opened.");

    ArgsManager dir_args;
    Register(dir_args);
    ASSERT_TRUE(ParseCli(dir_args, {"-conf=" + m_dir.string()}));
    auto is_dir = dir_args.ReadConfigFiles(m_dir);
    ASSERT_FALSE(is_dir);
    EXPECT_NE(is_dir.error().message.find("is a directory"), std::string::npos);
}

TEST_F(ConfigFileTest, ReadsDefaultAndRelativeAndNoconf)
{
    std::ofstream{m_dir / "minibit.conf"} << "name=default\n";
    std::ofstream{m_dir / "other.conf"} << "name=other\nbad line\n";
    ArgsManager args;
    Register(args);
    auto read = args.ReadConfigFiles(m_dir);
    ASSERT_TRUE(read);
    EXPECT_EQ(*read, m_dir / "minibit.conf");
    EXPECT_EQ(args.GetArg("-name", ""), "default");

    ArgsManager other;
    Register(other);
    ASSERT_TRUE(ParseCli(other, {"-conf=other.conf"}));
    auto bad = other.ReadConfigFiles(m_dir);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, (m_dir / "other.conf").string() + ":2: parse error: bad line");

    ArgsManager noconf;
    Register(noconf);
    ASSERT_TRUE(ParseCli(noconf, {"-noconf"}));
    auto none = noconf.ReadConfigFiles(m_dir);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    EXPECT_FALSE(noconf.IsArgSet("-name"));
}

} // namespace
