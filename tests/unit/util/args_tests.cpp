#include <util/args.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using util::ArgsManager;
using util::ArgType;
using util::ChainType;
using util::OptionsCategory;

// A registry resembling minibitd's, plus a network-only option.
void Register(ArgsManager& args)
{
    args.AddArg("-flag", "a bool", ArgType::BOOL, OptionsCategory::OPTIONS);
    args.AddArg("-other", "another bool", ArgType::BOOL, OptionsCategory::OPTIONS);
    args.AddArg("-num=<n>", "an int", ArgType::INT, OptionsCategory::OPTIONS);
    args.AddArg("-name=<s>", "a string", ArgType::STRING, OptionsCategory::OPTIONS);
    args.AddArg("-datadir=<dir>", "dir", ArgType::STRING, OptionsCategory::OPTIONS,
                util::DISALLOW_NEGATION);
    args.AddArg("-debug=<cat>", "multi", ArgType::LIST, OptionsCategory::DEBUG_TEST);
    args.AddArg("-port=<port>", "net only", ArgType::INT, OptionsCategory::CONNECTION,
                util::NETWORK_ONLY);
    args.AddArg("-chain=<chain>", "chain", ArgType::STRING, OptionsCategory::CHAINPARAMS);
    args.AddArg("-regtest", "r", ArgType::BOOL, OptionsCategory::CHAINPARAMS);
    args.AddArg("-testnet", "t", ArgType::BOOL, OptionsCategory::CHAINPARAMS);
    args.AddArg("-testnet4", "t4", ArgType::BOOL, OptionsCategory::CHAINPARAMS);
    args.AddArg("-signet", "s", ArgType::BOOL, OptionsCategory::CHAINPARAMS);
    args.AddHiddenArgs({"-h", "-help"});
}

util::Expected<void> Parse(ArgsManager& args, std::vector<std::string> words)
{
    words.insert(words.begin(), "minibitd");
    std::vector<const char*> argv;
    for (const auto& w : words)
        argv.push_back(w.c_str());
    return args.ParseParameters(static_cast<int>(argv.size()), argv.data());
}

struct ParseCase
{
    std::vector<std::string> argv;
    bool ok;
    std::string error_substring; // only when !ok
};

TEST(ArgsTest, AcceptedAndRejectedForms)
{
    const std::vector<ParseCase> cases{
        {{"-flag"}, true, ""},
        {{"--flag"}, true, ""},
        {{"-flag=1"}, true, ""},
        {{"-flag=0"}, true, ""},
        {{"-flag="}, true, ""},
        {{"-noflag"}, true, ""},
        {{"--noflag=1"}, true, ""},
        {{"-noflag=0"}, true, ""},
        {{"-num=5"}, true, ""},
        {{"-num=-5"}, true, ""},
        {{"-name=x=y"}, true, ""},
        {{"-name="}, true, ""},
        {{"-debug"}, true, ""},
        {{"-foo"}, false, "Invalid parameter -foo"},
        {{"-nofoo"}, false, "Invalid parameter -nofoo"},
        {{"--foo=1"}, false, "Invalid parameter --foo=1"},
        {{"-regtest.flag=1"}, false, "Invalid parameter -regtest.flag=1"},
        {{"-flag=yes"}, false, "Invalid value 'yes' for -flag"},
        {{"-flag=2"}, false, "Invalid value '2' for -flag"},
        {{"-noflag=x"}, false, "Invalid value 'x' for -noflag"},
        {{"-num=abc"}, false, "Invalid value 'abc' for -num: expected an integer"},
        {{"-num=1.5"}, false, "expected an integer"},
        {{"-num"}, false, "Can not set -num with no value. Please specify value with -num=value."},
        {{"-name"}, false, "Can not set -name with no value"},
        {{"-nodatadir"}, false, "Negating of -datadir is meaningless and therefore forbidden"},
    };
    for (const auto& c : cases) {
        ArgsManager args;
        Register(args);
        auto result = Parse(args, c.argv);
        EXPECT_EQ(result.has_value(), c.ok) << "argv: " << c.argv[0];
        if (!c.ok && !result) {
            EXPECT_NE(result.error().message.find(c.error_substring), std::string::npos)
                << "argv: " << c.argv[0] << " error: " << result.error().message;
        }
    }
}

TEST(ArgsTest, BoolValuesAndNegation)
{
    struct Case
    {
        std::vector<std::string> argv;
        bool set;
        bool negated;
        bool value; // GetBoolArg(-flag, default=false)
    };
    const std::vector<Case> cases{
        {{}, false, false, false},
        {{"-flag"}, true, false, true},
        {{"-flag="}, true, false, true},
        {{"-flag=1"}, true, false, true},
        {{"-flag=0"}, true, false, false},
        {{"-noflag"}, true, true, false},
        {{"-noflag=1"}, true, true, false},
        // Core's double negative: -noflag=0 means flag=1.
        {{"-noflag=0"}, true, false, true},
        // The last value on the command line wins.
        {{"-noflag", "-flag"}, true, false, true},
        {{"-flag", "-noflag"}, true, true, false},
        {{"-flag=0", "-flag=1"}, true, false, true},
    };
    for (const auto& c : cases) {
        ArgsManager args;
        Register(args);
        ASSERT_TRUE(Parse(args, c.argv));
        const std::string label = c.argv.empty() ? "(none)" : c.argv[0];
        EXPECT_EQ(args.IsArgSet("-flag"), c.set) << label;
        EXPECT_EQ(args.IsArgNegated("-flag"), c.negated) << label;
        EXPECT_EQ(args.GetBoolArg("-flag", false), c.value) << label;
    }
    ArgsManager args;
    Register(args);
    ASSERT_TRUE(Parse(args, {"-noflag"}));
    EXPECT_EQ(args.GetArg("-flag"), "0");
    EXPECT_FALSE(args.GetBoolArg("-flag", true));
    EXPECT_TRUE(args.GetBoolArg("-other", true)); // default when unset
}

TEST(ArgsTest, StringIntAndPathValues)
{
    ArgsManager args;
    Register(args);
    ASSERT_TRUE(Parse(args, {"-name=a", "-name=b", "-num=7", "-num=-9", "--datadir=/x/y"}));
    EXPECT_EQ(args.GetArg("-name", "def"), "b");
    EXPECT_EQ(args.GetIntArg("-num", 3), -9);
    EXPECT_EQ(args.GetPathArg("-datadir"), std::filesystem::path{"/x/y"});
    EXPECT_EQ(args.GetArg("-other", "def"), "def");
    EXPECT_EQ(args.GetIntArg("-port", 8333), 8333);

    ArgsManager neg;
    Register(neg);
    ASSERT_TRUE(Parse(neg, {"-noname"}));
    EXPECT_TRUE(neg.GetPathArg("-name").empty());
    EXPECT_EQ(neg.GetIntArg("-num", 4), 4);
}

TEST(ArgsTest, MultiValues)
{
    struct Case
    {
        std::vector<std::string> argv;
        std::vector<std::string> expected;
    };
    const std::vector<Case> cases{
        {{}, {}},
        {{"-debug"}, {""}},
        {{"-debug=net", "-debug=rpc"}, {"net", "rpc"}},
        {{"-debug=net", "-nodebug"}, {}},
        // A negation drops earlier values only.
        {{"-debug=net", "-nodebug", "-debug=rpc"}, {"rpc"}},
        {{"-nodebug=0"}, {"1"}},
    };
    for (const auto& c : cases) {
        ArgsManager args;
        Register(args);
        ASSERT_TRUE(Parse(args, c.argv));
        EXPECT_EQ(args.GetArgs("-debug"), c.expected) << (c.argv.empty() ? "" : c.argv.back());
    }
}

TEST(ArgsTest, PositionalWordsStopParsing)
{
    ArgsManager args;
    Register(args);
    ASSERT_TRUE(Parse(args, {"-flag", "word", "-foo"}));
    EXPECT_EQ(args.Positional(), (std::vector<std::string>{"word", "-foo"}));
    ArgsManager dash;
    Register(dash);
    ASSERT_TRUE(Parse(dash, {"-flag", "-", "-foo"}));
    EXPECT_TRUE(dash.Positional().empty());
}

TEST(ArgsTest, ChainSelection)
{
    struct Case
    {
        std::vector<std::string> argv;
        std::optional<ChainType> expected; // nullopt: error
    };
    const std::vector<Case> cases{
        {{}, ChainType::MAIN},
        {{"-regtest"}, ChainType::REGTEST},
        {{"-testnet"}, ChainType::TESTNET},
        {{"-testnet4"}, ChainType::TESTNET4},
        {{"-signet"}, ChainType::SIGNET},
        {{"-chain=main"}, ChainType::MAIN},
        {{"-chain=test"}, ChainType::TESTNET},
        {{"-chain=testnet4"}, ChainType::TESTNET4},
        {{"-chain=signet"}, ChainType::SIGNET},
        {{"-chain=regtest"}, ChainType::REGTEST},
        {{"-regtest=0"}, ChainType::MAIN},
        {{"-regtest=0", "-testnet"}, ChainType::TESTNET},
        // Negated switches are ignored, as in Core.
        {{"-noregtest", "-signet"}, ChainType::SIGNET},
        {{"-regtest", "-testnet"}, std::nullopt},
        {{"-regtest", "-chain=regtest"}, std::nullopt},
        {{"-signet", "-testnet4"}, std::nullopt},
        {{"-chain=main", "-testnet"}, std::nullopt},
        {{"-chain=bogus"}, std::nullopt},
    };
    for (const auto& c : cases) {
        ArgsManager args;
        Register(args);
        ASSERT_TRUE(Parse(args, c.argv));
        const auto chain = args.GetChainType();
        std::string label;
        for (const auto& w : c.argv)
            label += w + " ";
        ASSERT_EQ(chain.has_value(), c.expected.has_value()) << label;
        if (c.expected) {
            EXPECT_EQ(*chain, *c.expected) << label;
        } else if (c.argv[0] != "-chain=bogus") {
            EXPECT_EQ(chain.error().message,
                      "Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. "
                      "Can use at most one.")
                << label;
        } else {
            EXPECT_EQ(chain.error().message, "Unknown chain bogus.");
        }
    }
}

TEST(ArgsTest, HelpGroupsOnlyVisibleCategories)
{
    ArgsManager args;
    Register(args);
    const std::string help = args.GetHelpMessage();
    EXPECT_NE(help.find("Options:\n\n  -datadir=<dir>\n       dir\n"), std::string::npos);
    EXPECT_NE(help.find("Connection options:"), std::string::npos);
    EXPECT_NE(help.find("Debugging/Testing options:"), std::string::npos);
    EXPECT_NE(help.find("Chain selection options:"), std::string::npos);
    EXPECT_EQ(help.find("RPC server options:"), std::string::npos);
    EXPECT_EQ(help.find("-help"), std::string::npos);
    // Categories appear in Core's order.
    EXPECT_LT(help.find("Options:"), help.find("Connection options:"));
    EXPECT_LT(help.find("Connection options:"), help.find("Debugging/Testing options:"));
    EXPECT_LT(help.find("Debugging/Testing options:"), help.find("Chain selection options:"));

    ArgsManager wrap;
    wrap.AddArg("-x",
                std::string(30, 'a') + " " + std::string(30, 'b') + " " + std::string(30, 'c'),
                ArgType::BOOL, OptionsCategory::OPTIONS);
    const std::string wrapped = wrap.GetHelpMessage();
    EXPECT_NE(wrapped.find(std::string(30, 'b') + "\n       " + std::string(30, 'c')),
              std::string::npos)
        << wrapped;
}

TEST(ArgsTest, InterpretBoolLikeCore)
{
    EXPECT_TRUE(util::InterpretBool(""));
    EXPECT_TRUE(util::InterpretBool("1"));
    EXPECT_TRUE(util::InterpretBool("7x"));
    EXPECT_TRUE(util::InterpretBool("-1"));
    EXPECT_FALSE(util::InterpretBool("0"));
    EXPECT_FALSE(util::InterpretBool("-0"));
    EXPECT_FALSE(util::InterpretBool("abc"));
    EXPECT_FALSE(util::InterpretBool("000"));
}

} // namespace
