// minibit-cli pieces: Core's conversion table, positional and -named params, option and
// config handling, reply formatting and exit codes, -getinfo text.
#include <rpc/cli.h>
#include <rpc/client.h>
#include <rpc/util.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

using rpc::Json;

TEST(ConvertTable, HoldsCoreEntries)
{
    // Spot checks against Core v28's src/rpc/client.cpp, one or more per issue 5, 6 and 8 method.
    const std::vector<std::tuple<std::string, int, std::string>> expected{
        {"getblock", 1, "verbosity"},
        {"getblock", 1, "verbose"},
        {"getblockhash", 0, "height"},
        {"getblockheader", 1, "verbose"},
        {"getblockstats", 0, "hash_or_height"},
        {"getblockstats", 1, "stats"},
        {"getchaintxstats", 0, "nblocks"},
        {"gettxout", 1, "n"},
        {"gettxout", 2, "include_mempool"},
        {"gettxoutproof", 0, "txids"},
        {"gettxoutsetinfo", 1, "hash_or_height"},
        {"gettxoutsetinfo", 2, "use_index"},
        {"scantxoutset", 1, "scanobjects"},
        {"verifychain", 0, "checklevel"},
        {"verifychain", 1, "nblocks"},
        {"waitfornewblock", 0, "timeout"},
        {"waitforblock", 1, "timeout"},
        {"waitforblockheight", 0, "height"},
        {"waitforblockheight", 1, "timeout"},
        {"stop", 0, "wait"},
        {"logging", 0, "include"},
        {"logging", 1, "exclude"},
        {"getrawtransaction", 1, "verbosity"},
        {"decoderawtransaction", 1, "iswitness"},
        {"createrawtransaction", 0, "inputs"},
        {"createrawtransaction", 3, "replaceable"},
        {"combinerawtransaction", 0, "txs"},
        {"signrawtransactionwithkey", 1, "privkeys"},
        {"signrawtransactionwithkey", 2, "prevtxs"},
        {"createmultisig", 0, "nrequired"},
        {"createmultisig", 1, "keys"},
        {"deriveaddresses", 1, "range"},
        {"getrawmempool", 0, "verbose"},
        {"getrawmempool", 1, "mempool_sequence"},
        {"getmempoolancestors", 1, "verbose"},
        {"sendrawtransaction", 1, "maxfeerate"},
        {"sendrawtransaction", 2, "maxburnamount"},
        {"testmempoolaccept", 0, "rawtxs"},
        {"submitpackage", 0, "package"},
        {"prioritisetransaction", 2, "fee_delta"},
        {"gettxspendingprevout", 0, "outputs"},
        {"getblocktemplate", 0, "template_request"},
        {"getnetworkhashps", 0, "nblocks"},
        {"generatetoaddress", 0, "nblocks"},
        {"generatetoaddress", 2, "maxtries"},
        {"generatetodescriptor", 0, "num_blocks"},
        {"generateblock", 1, "transactions"},
        {"estimatesmartfee", 0, "conf_target"},
        {"setmocktime", 0, "timestamp"},
        {"createwallet", 1, "disable_private_keys"},
        {"createwallet", 5, "descriptors"},
        {"loadwallet", 1, "load_on_startup"},
        {"getbalance", 1, "minconf"},
        {"sendtoaddress", 1, "amount"},
        {"sendtoaddress", 9, "fee_rate"},
        {"sendmany", 1, "amounts"},
        {"send", 0, "outputs"},
        {"sendall", 0, "recipients"},
        {"listunspent", 2, "addresses"},
        {"lockunspent", 0, "unlock"},
        {"listtransactions", 1, "count"},
        {"listsinceblock", 1, "target_confirmations"},
        {"gettransaction", 1, "include_watchonly"},
        {"bumpfee", 1, "options"},
        {"psbtbumpfee", 1, "fee_rate"},
        {"importdescriptors", 0, "requests"},
        {"listdescriptors", 0, "private"},
        {"rescanblockchain", 0, "start_height"},
        {"walletcreatefundedpsbt", 1, "outputs"},
        {"walletprocesspsbt", 1, "sign"},
        {"createpsbt", 0, "inputs"},
        {"combinepsbt", 0, "txs"},
        {"finalizepsbt", 1, "extract"},
        {"utxoupdatepsbt", 1, "descriptors"},
        {"walletpassphrase", 1, "timeout"},
        {"signrawtransactionwithwallet", 1, "prevtxs"},
        {"keypoolrefill", 0, "newsize"},
        {"restorewallet", 2, "load_on_startup"},
    };
    std::set<std::tuple<std::string, int, std::string>> table;
    for (const rpc::ConvertParam& p : rpc::ConvertParams()) {
        const bool fresh =
            table.emplace(std::string{p.method}, p.index, std::string{p.name}).second;
        EXPECT_TRUE(fresh) << "duplicate " << p.method << " " << p.index << " " << p.name;
    }
    for (const auto& entry : expected) {
        EXPECT_TRUE(table.contains(entry))
            << std::get<0>(entry) << " " << std::get<1>(entry) << " " << std::get<2>(entry);
    }
    EXPECT_TRUE(rpc::IsJsonArg("getblock", 1));
    EXPECT_TRUE(rpc::IsJsonArg("getblock", std::string_view{"verbosity"}));
    // String arguments stay strings.
    EXPECT_FALSE(rpc::IsJsonArg("getblock", 0));
    EXPECT_FALSE(rpc::IsJsonArg("getblock", std::string_view{"blockhash"}));
    EXPECT_FALSE(rpc::IsJsonArg("getblockhash", 1));
    EXPECT_FALSE(rpc::IsJsonArg("echo", 0));
    EXPECT_FALSE(rpc::IsJsonArg("getmempoolentry", 0));
    EXPECT_FALSE(rpc::IsJsonArg("nosuchmethod", 0));
    EXPECT_TRUE(rpc::IsJsonArg("echojson", 9));
}

TEST(ConvertPositional, StringsAndJson)
{
    auto params = rpc::ConvertPositional("getblock", {"00ff", "2"});
    ASSERT_TRUE(params) << params.error().message;
    EXPECT_EQ(*params, Json::parse(R"(["00ff", 2])"));

    params = rpc::ConvertPositional("echo", {"1", "true", "{\"a\":1}"});
    ASSERT_TRUE(params);
    EXPECT_EQ(*params, Json::parse(R"(["1", "true", "{\"a\":1}"])"));

    params =
        rpc::ConvertPositional("createrawtransaction", {"[]", R"({"data":"00"})", "0", "true"});
    ASSERT_TRUE(params);
    EXPECT_EQ(*params, Json::parse(R"([[], {"data":"00"}, 0, true])"));

    // A JSON position takes any JSON value, a quoted string too.
    params = rpc::ConvertPositional("getblockstats", {"\"00ff\"", "[\"height\"]"});
    ASSERT_TRUE(params);
    EXPECT_EQ(*params, Json::parse(R"(["00ff", ["height"]])"));

    params = rpc::ConvertPositional("getblockcount", {});
    ASSERT_TRUE(params);
    EXPECT_EQ(*params, Json::array());
}

TEST(ConvertPositional, BadJsonIsCoresError)
{
    auto params = rpc::ConvertPositional("getblockhash", {"abc"});
    ASSERT_FALSE(params);
    EXPECT_EQ(params.error().message, "Error parsing JSON: abc");
    params = rpc::ConvertPositional("getblock", {"00", "2 3"});
    ASSERT_FALSE(params);
    EXPECT_EQ(params.error().message, "Error parsing JSON: 2 3");
    params = rpc::ConvertPositional("createrawtransaction", {"[1,"});
    ASSERT_FALSE(params);
    EXPECT_EQ(params.error().message, "Error parsing JSON: [1,");
    params = rpc::ConvertPositional("getblockhash", {""});
    ASSERT_FALSE(params);
    EXPECT_EQ(params.error().message, "Error parsing JSON: ");
    // Nesting deeper than the server accepts is refused, not a crash.
    params = rpc::ConvertPositional("createrawtransaction", {std::string(100000, '[')});
    EXPECT_FALSE(params);
}

TEST(ConvertNamed, KeysValuesAndArgs)
{
    auto params = rpc::ConvertNamed("getblock", {"blockhash=00ff", "verbosity=2"});
    ASSERT_TRUE(params) << params.error().message;
    EXPECT_EQ(rpc::WriteJson(*params), R"({"blockhash":"00ff","verbosity":2})");

    // A later value replaces an earlier one where the first stood.
    params = rpc::ConvertNamed("getblock", {"verbosity=1", "blockhash=00", "verbosity=0"});
    ASSERT_TRUE(params);
    EXPECT_EQ(rpc::WriteJson(*params), R"({"verbosity":0,"blockhash":"00"})");

    // Only the first '=' splits; an empty value is an empty string.
    params = rpc::ConvertNamed("setlabel", {"address=a=b", "label="});
    ASSERT_TRUE(params);
    EXPECT_EQ(rpc::WriteJson(*params), R"({"address":"a=b","label":""})");

    // Words without '=' go to "args", converted by their own position among them.
    params = rpc::ConvertNamed("getblock", {"verbosity=1", "00ff", "2"});
    ASSERT_TRUE(params);
    EXPECT_EQ(rpc::WriteJson(*params), R"({"verbosity":1,"args":["00ff",2]})");

    params = rpc::ConvertNamed("echo", {"x", "arg1=y"});
    ASSERT_TRUE(params);
    EXPECT_EQ(rpc::WriteJson(*params), R"({"arg1":"y","args":["x"]})");

    // An explicit "args" is sent as given.
    params = rpc::ConvertNamed("echo", {"args=z", "x"});
    ASSERT_TRUE(params);
    EXPECT_EQ(rpc::WriteJson(*params), R"({"args":"z"})");

    params = rpc::ConvertNamed("getblock", {});
    ASSERT_TRUE(params);
    EXPECT_EQ(rpc::WriteJson(*params), "{}");

    params = rpc::ConvertNamed("getblock", {"verbosity=two"});
    ASSERT_FALSE(params);
    EXPECT_EQ(params.error().message, "Error parsing JSON: two");
    params = rpc::ConvertNamed("getblockhash", {"x"});
    ASSERT_FALSE(params);
    EXPECT_EQ(params.error().message, "Error parsing JSON: x");
}

TEST(ConvertNamed, OptionKeysGivenByName)
{
    // Keys of an options object given at top level are parsed as Core's table says (JSON for
    // numbers, booleans, arrays and objects), string keys stay strings.
    auto params = rpc::ConvertNamed("send", {R"(outputs={"a":1})", "fee_rate=2", "add_inputs=true",
                                             "max_tx_weight=40000", "subtract_fee_from_outputs=[0]",
                                             "estimate_mode=economical", "change_address=bcrt1q"});
    ASSERT_TRUE(params) << params.error().message;
    EXPECT_EQ(rpc::WriteJson(*params),
              R"({"outputs":{"a":1},"fee_rate":2,"add_inputs":true,"max_tx_weight":40000,)"
              R"("subtract_fee_from_outputs":[0],"estimate_mode":"economical",)"
              R"("change_address":"bcrt1q"})");
    params = rpc::ConvertNamed("listunspent", {"minconf=1", "minimumAmount=0.5", "maximumCount=2"});
    ASSERT_TRUE(params);
    EXPECT_EQ(rpc::WriteJson(*params), R"({"minconf":1,"minimumAmount":0.5,"maximumCount":2})");
    for (const char* method : {"fundrawtransaction", "walletcreatefundedpsbt"}) {
        params = rpc::ConvertNamed(method, {"max_tx_weight=4000"});
        ASSERT_TRUE(params) << method;
        EXPECT_EQ(rpc::WriteJson(*params), R"({"max_tx_weight":4000})") << method;
    }
    // A malformed JSON value for such a key is the client's error, as for any JSON argument.
    params = rpc::ConvertNamed("send", {"add_inputs=yes"});
    ASSERT_FALSE(params);
    EXPECT_EQ(params.error().message, "Error parsing JSON: yes");
}

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDatadir
{
public:
    TempDatadir()
    {
        std::random_device rd;
        m_path = std::filesystem::temp_directory_path() /
                 ("minibit_cli_test_" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(m_path);
    }
    ~TempDatadir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    const std::filesystem::path& Path() const { return m_path; }
    void Write(const std::filesystem::path& rel, const std::string& text) const
    {
        std::filesystem::create_directories((m_path / rel).parent_path());
        std::ofstream{m_path / rel} << text;
    }

private:
    std::filesystem::path m_path;
};

util::Expected<rpc::cli::CliSettings> Settings(const std::vector<std::string>& words)
{
    std::vector<const char*> argv{"minibit-cli"};
    for (const std::string& w : words)
        argv.push_back(w.c_str());
    util::ArgsManager args;
    rpc::cli::SetupCliArgs(args);
    if (auto ok = args.ParseParameters(static_cast<int>(argv.size()), argv.data()); !ok) {
        return ok.error();
    }
    return rpc::cli::ReadCliSettings(args);
}

TEST(CliSettings, DefaultPortsPerNetwork)
{
    TempDatadir dir;
    const std::string datadir = "-datadir=" + dir.Path().string();
    const std::vector<std::pair<std::string, uint16_t>> cases{
        {"-chain=main", 8332}, {"-testnet", 18332}, {"-testnet4", 48332},
        {"-signet", 38332},    {"-regtest", 18443}, {"-chain=regtest", 18443},
    };
    for (const auto& [flag, port] : cases) {
        auto s = Settings({datadir, flag});
        ASSERT_TRUE(s) << s.error().message;
        EXPECT_EQ(s->port, port) << flag;
        EXPECT_EQ(s->host, "127.0.0.1");
    }
    auto s = Settings({datadir});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->port, 8332);
    EXPECT_EQ(s->chain_datadir, dir.Path());
    s = Settings({datadir, "-regtest", "-testnet"});
    EXPECT_FALSE(s);
}

TEST(CliSettings, ConfigSectionsAndPrecedence)
{
    TempDatadir dir;
    dir.Write("minibit.conf", "server=1\ntxindex=1\nrpcport=1111\nrpcuser=top\n"
                              "rpcpassword=toppw\n[regtest]\nrpcport=2222\nrpcuser=alice\n"
                              "rpcpassword=secret\nzmqpubrawblock=tcp://127.0.0.1:1\n"
                              "[test]\nrpcport=3333\n");
    const std::string datadir = "-datadir=" + dir.Path().string();

    // [regtest] wins over the top section; the daemon's own keys are ignored.
    auto s = Settings({datadir, "-regtest"});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->port, 2222);
    EXPECT_EQ(s->credentials, "alice:secret");
    EXPECT_FALSE(s->cookie_failed);
    EXPECT_EQ(s->chain_datadir, dir.Path() / "regtest");
    EXPECT_EQ(s->config_file, dir.Path() / "minibit.conf");

    // The command line beats every config value.
    s = Settings({datadir, "-regtest", "-rpcport=4444", "-rpcuser=bob", "-rpcpassword=pw"});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->port, 4444);
    EXPECT_EQ(s->credentials, "bob:pw");

    // A top-level rpcport applies only to main; [test] has its own.
    s = Settings({datadir});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->port, 1111);
    EXPECT_EQ(s->credentials, "top:toppw");
    s = Settings({datadir, "-testnet"});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->port, 3333);
    s = Settings({datadir, "-signet"});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->port, 38332);

    // The chain itself may come from the config file.
    dir.Write("other.conf", "regtest=1\n[regtest]\nrpcport=5555\n");
    s = Settings({datadir, "-conf=other.conf"});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->chain, util::ChainType::REGTEST);
    EXPECT_EQ(s->port, 5555);
}

TEST(CliSettings, ConfigErrors)
{
    TempDatadir dir;
    const std::string datadir = "-datadir=" + dir.Path().string();
    auto s = Settings({datadir, "-conf=missing.conf"});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "Error reading configuration file: specified config file \"" +
                                     (dir.Path() / "missing.conf").string() +
                                     "\" could not be opened.");
    dir.Write("minibit.conf", "rpcport=1\nnonsense\n");
    s = Settings({datadir});
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("minibit.conf:2: parse error: nonsense"), std::string::npos)
        << s.error().message;
    s = Settings({"-datadir=" + (dir.Path() / "nope").string()});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "Specified data directory \"" + (dir.Path() / "nope").string() +
                                     "\" does not exist.");
}

TEST(CliSettings, CookieAndConnect)
{
    TempDatadir dir;
    const std::string datadir = "-datadir=" + dir.Path().string();
    const std::string line = "__cookie__:" + std::string(64, 'a');
    dir.Write("regtest/.cookie", line + "\n");
    auto s = Settings({datadir, "-regtest"});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->credentials, line);
    EXPECT_FALSE(s->cookie_failed);
    // Main's cookie sits in the datadir itself, and there is none.
    s = Settings({datadir});
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->cookie_failed);
    // -rpccookiefile relative to the chain directory.
    dir.Write("regtest/my.cookie", "u:p\n");
    s = Settings({datadir, "-regtest", "-rpccookiefile=my.cookie"});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->credentials, "u:p");

    s = Settings({datadir, "-regtest", "-rpcconnect=10.0.0.1:9999"});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->host, "10.0.0.1");
    EXPECT_EQ(s->port, 9999);
    s = Settings({datadir, "-regtest", "-rpcconnect=10.0.0.1:9999", "-rpcport=7000"});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->port, 7000);
    s = Settings({datadir, "-rpcconnect=[::1]:7001"});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->host, "::1");
    EXPECT_EQ(s->port, 7001);
    s = Settings({datadir, "-rpcconnect=::1"});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->host, "::1");
    EXPECT_EQ(s->port, 8332);
    s = Settings({datadir, "-rpcport=70000"});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "Invalid port provided in -rpcport: 70000");
    s = Settings({datadir, "-rpcport=abc"});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "Invalid port provided in -rpcport: abc");
    s = Settings({datadir, "-rpcconnect=host:0"});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "Invalid port provided in -rpcconnect: host:0");

    s = Settings({datadir, "-rpcwait", "-rpcwaittimeout=7", "-rpcclienttimeout=0"});
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->wait);
    EXPECT_EQ(s->wait_timeout, std::chrono::seconds{7});
    EXPECT_EQ(s->client_timeout, std::chrono::seconds{0});
    EXPECT_FALSE(s->wallet);
    s = Settings({datadir, "-rpcwallet="});
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->wallet);
    EXPECT_EQ(rpc::cli::Endpoint(s->wallet), "/wallet/");
}

TEST(CliSettings, WalletEndpointEncoding)
{
    EXPECT_EQ(rpc::cli::Endpoint(std::nullopt), "/");
    EXPECT_EQ(rpc::cli::Endpoint(std::string{"alice"}), "/wallet/alice");
    // Expected text from Python's urllib.parse.quote(name, safe="~._-").
    EXPECT_EQ(rpc::cli::UrlEncode("my wallet/\xc3\xbc~._-"), "my%20wallet%2F%C3%BC~._-");
    EXPECT_EQ(rpc::cli::UrlEncode("a?b#c%"), "a%3Fb%23c%25");
}

TEST(CliOutput, ResultsPrintAsCore)
{
    auto out = rpc::cli::FormatReply(Json::parse(R"({"result":"abc","error":null,"id":1})"));
    EXPECT_EQ(out.out, "abc");
    EXPECT_EQ(out.exit_code, 0);
    out = rpc::cli::FormatReply(Json::parse(R"({"result":null,"error":null,"id":1})"));
    EXPECT_EQ(out.out, "");
    EXPECT_EQ(out.exit_code, 0);
    out = rpc::cli::FormatReply(Json::parse(R"({"jsonrpc":"2.0","result":7,"id":1})"));
    EXPECT_EQ(out.out, "7");
    out = rpc::cli::FormatReply(
        Json::parse(R"({"result":{"a":[1,{"b":true}],"c":{},"d":[]},"error":null})"));
    EXPECT_EQ(out.out, "{\n  \"a\": [\n    1,\n    {\n      \"b\": true\n    }\n  ],\n"
                       "  \"c\": {\n  },\n  \"d\": [\n  ]\n}");
    out = rpc::cli::FormatReply(Json{{"result", rpc::AmountToJson(5'000'000'000)}});
    EXPECT_EQ(out.out, "50.00000000");
}

TEST(CliOutput, ErrorsAndExitCodes)
{
    auto out = rpc::cli::FormatReply(Json::parse(
        R"({"result":null,"error":{"code":-8,"message":"Block height out of range"},"id":1})"));
    EXPECT_EQ(out.err, "error code: -8\nerror message:\nBlock height out of range");
    EXPECT_EQ(out.out, "");
    EXPECT_EQ(out.exit_code, 8);
    out = rpc::cli::FormatReply(
        Json::parse(R"({"error":{"code":-32601,"message":"Method not found"}})"));
    EXPECT_EQ(out.err, "error code: -32601\nerror message:\nMethod not found");
    EXPECT_EQ(out.exit_code, 89); // 32601 & 0xff, what the shell sees from bitcoin-cli
    out = rpc::cli::FormatReply(Json::parse(
        R"({"error":{"code":-19,"message":"Wallet file not specified (either none or more than one wallet is loaded). Use -rpcwallet"}})"));
    EXPECT_EQ(out.exit_code, 19);
    EXPECT_NE(out.err.find("option before the command"), std::string::npos);
    out = rpc::cli::FormatReply(Json::parse(R"({"error":"boom"})"));
    EXPECT_EQ(out.err, "error: \"boom\"");
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_EQ(rpc::cli::ExitCodeForRpcError(-1), 1);
    EXPECT_EQ(rpc::cli::ExitCodeForRpcError(-28), 28);
    EXPECT_EQ(rpc::cli::ExitCodeForRpcError(-32700), 188);
    EXPECT_EQ(rpc::cli::ExitCodeForRpcError(-256), 1);
}

TEST(CliGetInfo, ProgressBar)
{
    // Expected bars from Core's loop run independently in Python (C = complete, I = not).
    const auto bar = [](int complete, int incomplete) {
        std::string s;
        for (int i = 0; i < complete; ++i)
            s += "\u2592";
        for (int i = 0; i < incomplete; ++i)
            s += "\u2591";
        return s;
    };
    EXPECT_EQ(rpc::cli::ProgressBar(0), bar(0, 20));
    EXPECT_EQ(rpc::cli::ProgressBar(0.5), bar(10, 10));
    EXPECT_EQ(rpc::cli::ProgressBar(0.123), bar(3, 18));
    EXPECT_EQ(rpc::cli::ProgressBar(0.98), bar(20, 1));
    EXPECT_EQ(rpc::cli::ProgressBar(1), bar(20, 0));
    EXPECT_EQ(rpc::cli::ProgressBar(1.5), "");
    EXPECT_EQ(rpc::cli::ProgressBar(-0.1), "");
}

TEST(CliGetInfo, TextWithAndWithoutParts)
{
    Json info = Json::parse(R"({"version":280000,"blocks":5,"headers":5,
        "verificationprogress":1,"timeoffset":0,
        "connections":{"in":1,"out":2,"total":3},
        "networks":[{"name":"ipv4","proxy":"127.0.0.1:9050"},{"name":"ipv6","proxy":""},
                    {"name":"onion","proxy":"127.0.0.1:9050"}],
        "difficulty":4.656542373906925e-10,"chain":"regtest","relayfee":0.00001,
        "warnings":""})");
    info["relayfee"] = rpc::AmountToJson(1000);
    EXPECT_EQ(rpc::cli::FormatGetInfo(info, false),
              "Chain: regtest\nBlocks: 5\nHeaders: 5\nVerification progress: 100.0000%\n"
              "Difficulty: 4.656542373906925e-10\n\n"
              "Network: in 1, out 2, total 3\nVersion: 280000\nTime offset (s): 0\n"
              "Proxies: 127.0.0.1:9050 (ipv4, onion)\n"
              "Min tx relay fee rate (BTC/kvB): 0.00001000\n\n"
              "Warnings: (none)");

    // No network info and no wallet: those sections are left out; syncing shows the bar,
    // speed and ETA.
    Json chain_only = Json::parse(R"({"blocks":100,"headers":300,"verificationprogress":0.5,
        "difficulty":1,"chain":"main","warnings":["low disk"]})");
    rpc::cli::SyncRate rate{12.5, std::chrono::seconds{3723}};
    std::string bar;
    for (int i = 0; i < 10; ++i)
        bar += "\u2592";
    for (int i = 0; i < 10; ++i)
        bar += "\u2591";
    EXPECT_EQ(rpc::cli::FormatGetInfo(chain_only, false, rate),
              "Chain: main\nBlocks: 100\nHeaders: 300\nVerification progress: " + bar +
                  " 50.0000%\nSync speed (blocks/s): 12.50\nEstimated time left: 1h 02m 03s\n"
                  "Difficulty: 1\n\nWarnings: low disk");

    Json wallet = chain_only;
    wallet["verificationprogress"] = 1;
    wallet["has_wallet"] = true;
    wallet["walletname"] = "";
    wallet["keypoolsize"] = 1000;
    wallet["balance"] = rpc::AmountToJson(5'000'000'000);
    wallet["warnings"] = Json::array();
    const std::string colored = rpc::cli::FormatGetInfo(wallet, true);
    EXPECT_EQ(colored, "\x1B[34mChain: main\x1B[0m\nBlocks: 100\nHeaders: 300\n"
                       "Verification progress: 100.0000%\nDifficulty: 1\n\n"
                       "\x1B[35mWallet: \"\"\x1B[0m\nKeypool size: 1000\n"
                       // Core prints the fee line whenever a wallet is shown, empty if unset.
                       "Transaction fee rate (-paytxfee) (BTC/kvB): \n\n"
                       "\x1B[36mBalance:\x1B[0m 50.00000000\n\n\x1B[33mWarnings:\x1B[0m (none)");
    EXPECT_EQ(rpc::cli::FormatDuration(std::chrono::seconds{59}), "59s");
    EXPECT_EQ(rpc::cli::FormatDuration(std::chrono::seconds{90061}), "1d 01h 01m");
}

struct CliRun
{
    int code;
    std::string out;
    std::string err;
};

CliRun RunCli(const std::vector<std::string>& words, const std::string& input = "")
{
    std::vector<const char*> argv{"minibit-cli"};
    for (const std::string& w : words)
        argv.push_back(w.c_str());
    std::istringstream in{input};
    std::ostringstream out, err;
    const int code = rpc::cli::CliMain(static_cast<int>(argv.size()), argv.data(), in, out, err);
    return {code, out.str(), err.str()};
}

TEST(CliMain, LocalErrors)
{
    TempDatadir dir;
    const std::string datadir = "-datadir=" + dir.Path().string();
    auto r = RunCli({});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "Error: too few parameters\n");
    EXPECT_NE(r.out.find("Usage:  minibit-cli [options] <command> [params]"), std::string::npos);

    r = RunCli({"-help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("-rpcwaittimeout=<n>"), std::string::npos);

    r = RunCli({"-nosuchoption", "getblockcount"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "Error parsing command line arguments: Invalid parameter -nosuchoption\n");

    r = RunCli({datadir});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: too few parameters (need at least command)\n");

    r = RunCli({datadir, "-getinfo", "-netinfo"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: Only one of -getinfo, -netinfo may be specified.\n");

    r = RunCli({datadir, "-getinfo", "x"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: -getinfo takes no arguments\n");

    r = RunCli({datadir, "-stdinwalletpassphrase", "getblockcount"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "error: -stdinwalletpassphrase is only applicable for walletpassphrase(change)\n");

    r = RunCli({datadir, "-stdinrpcpass", "getblockcount"}, "");
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: -stdinrpcpass specified but failed to read from standard input\n");

    r = RunCli({datadir, "getblockhash", "notjson"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: Error parsing JSON: notjson\n");

    r = RunCli({datadir, "-netinfo", "help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("-netinfo level|\"help\""), std::string::npos);

    r = RunCli({datadir, "-netinfo", "x"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err.rfind("error: invalid -netinfo level argument: x\n", 0), 0u) << r.err;
}

TEST(CliMain, ConnectionRefused)
{
    TempDatadir dir;
    // Port 1 on loopback: nothing listens there, so the connection is refused.
    auto r = RunCli({"-datadir=" + dir.Path().string(), "-rpcport=1", "getblockcount"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "error: timeout on transient error: Could not connect to the server "
                     "127.0.0.1:1 (error code 1 - \"EOF reached\")\n\nMake sure the minibitd "
                     "server is running and that you are connecting to the correct RPC port.\n"
                     "Use \"minibit-cli -help\" for more info.\n");

    // -rpcwait gives up after -rpcwaittimeout with the same message.
    const auto start = std::chrono::steady_clock::now();
    r = RunCli({"-datadir=" + dir.Path().string(), "-rpcport=1", "-rpcwait", "-rpcwaittimeout=1",
                "getblockcount"});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err.rfind("error: timeout on transient error: Could not connect", 0), 0u);
    EXPECT_GE(elapsed, std::chrono::milliseconds{900});
    EXPECT_LT(elapsed, std::chrono::seconds{10});
}

} // namespace
