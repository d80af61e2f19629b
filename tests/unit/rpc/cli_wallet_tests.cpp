// minibit-cli's wallet features against canned server replies (no node): -generate and the
// -getinfo wallet lines. Expected requests, texts and error rules are Bitcoin Core v28's
// bitcoin-cli (GenerateToAddressRequestHandler, GetinfoRequestHandler, GetWalletBalances,
// ParseGetInfoResult); the layouts were written out by hand from Core's format strings.
#include <rpc/cli.h>
#include <rpc/cli_wallet.h>
#include <rpc/util.h>

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using rpc::Json;

namespace {

constexpr const char* ADDRESS{"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"};

struct Request
{
    std::string method;
    Json params;
    std::optional<std::string> wallet;
};

// A fake server: answers each (method, endpoint) with a canned reply and records the calls.
class FakeServer
{
public:
    void Answer(const std::string& method, const std::optional<std::string>& wallet, Json reply)
    {
        m_replies[Key(method, wallet)] = std::move(reply);
    }

    rpc::cli::WalletCall Caller()
    {
        return
            [this](std::string_view method, Json params, const std::optional<std::string>& wallet) {
                m_requests.push_back({std::string{method}, params, wallet});
                const auto it = m_replies.find(Key(std::string{method}, wallet));
                if (it != m_replies.end()) return it->second;
                return Json{{"result", nullptr},
                            {"error", {{"code", -32601}, {"message", "Method not found"}}},
                            {"id", 1}};
            };
    }

    const std::vector<Request>& Requests() const { return m_requests; }

private:
    static std::string Key(const std::string& method, const std::optional<std::string>& wallet)
    {
        return method + (wallet ? "@/wallet/" + *wallet : "@/");
    }
    std::map<std::string, Json> m_replies;
    std::vector<Request> m_requests;
};

Json Result(Json result)
{
    return Json{{"result", std::move(result)}, {"error", nullptr}, {"id", 1}};
}

Json Error(int code, const std::string& message)
{
    return Json{{"result", nullptr}, {"error", {{"code", code}, {"message", message}}}, {"id", 1}};
}

Json Balances(int64_t trusted_sats)
{
    Json mine = Json::object();
    mine["trusted"] = rpc::AmountToJson(trusted_sats);
    mine["untrusted_pending"] = rpc::AmountToJson(0);
    mine["immature"] = rpc::AmountToJson(0);
    return Result(Json{{"mine", mine}});
}

const std::string HASH_A(64, 'a');
const std::string HASH_B(64, 'b');

// --- -generate -------------------------------------------------------------------------------

TEST(CliGenerate, DefaultsToOneBlockOnTheChosenWallet)
{
    FakeServer server;
    server.Answer("getnewaddress", "alice", Result(ADDRESS));
    server.Answer("generatetoaddress", "alice", Result(Json::array({HASH_A})));
    const auto out = rpc::cli::GenerateToNewAddress(server.Caller(), {}, "alice");
    EXPECT_EQ(out.exit_code, 0);
    EXPECT_EQ(out.out, "{\n  \"address\": \"" + std::string{ADDRESS} +
                           "\",\n  \"blocks\": [\n    \"" + HASH_A + "\"\n  ]\n}");
    ASSERT_EQ(server.Requests().size(), 2U);
    EXPECT_EQ(server.Requests()[0].method, "getnewaddress");
    EXPECT_EQ(server.Requests()[0].params, Json::array());
    EXPECT_EQ(server.Requests()[0].wallet, std::optional<std::string>{"alice"});
    EXPECT_EQ(server.Requests()[1].method, "generatetoaddress");
    // nblocks is sent as a number, the address as a string, no maxtries unless given.
    EXPECT_EQ(server.Requests()[1].params, Json::array({1, ADDRESS}));
    EXPECT_EQ(server.Requests()[1].wallet, std::optional<std::string>{"alice"});
}

TEST(CliGenerate, NblocksAndMaxtriesWithoutWallet)
{
    FakeServer server;
    server.Answer("getnewaddress", std::nullopt, Result(ADDRESS));
    server.Answer("generatetoaddress", std::nullopt, Result(Json::array({HASH_A, HASH_B})));
    const auto out = rpc::cli::GenerateToNewAddress(server.Caller(), {"2", "500"}, std::nullopt);
    EXPECT_EQ(out.exit_code, 0);
    EXPECT_EQ(out.out, "{\n  \"address\": \"" + std::string{ADDRESS} +
                           "\",\n  \"blocks\": [\n    \"" + HASH_A + "\",\n    \"" + HASH_B +
                           "\"\n  ]\n}");
    ASSERT_EQ(server.Requests().size(), 2U);
    EXPECT_EQ(server.Requests()[1].params, Json::array({2, ADDRESS, 500}));
    EXPECT_FALSE(server.Requests()[0].wallet);
    EXPECT_FALSE(server.Requests()[1].wallet);
}

TEST(CliGenerate, GetnewaddressErrorsAreServerErrors)
{
    FakeServer server;
    server.Answer("getnewaddress", "nobody",
                  Error(-18, "Requested wallet does not exist or is not loaded"));
    auto out = rpc::cli::GenerateToNewAddress(server.Caller(), {"1"}, "nobody");
    EXPECT_EQ(out.exit_code, 18);
    EXPECT_EQ(out.err, "error code: -18\nerror message:\nRequested wallet does not exist or is not "
                       "loaded");
    EXPECT_EQ(out.out, "");
    ASSERT_EQ(server.Requests().size(), 1U); // no generatetoaddress after a failure

    // Several wallets and none chosen: -19 with the CLI hint.
    FakeServer multi;
    multi.Answer("getnewaddress", std::nullopt,
                 Error(-19, "Wallet file not specified (either none or more than one wallet is "
                            "loaded). Use -rpcwallet"));
    out = rpc::cli::GenerateToNewAddress(multi.Caller(), {}, std::nullopt);
    EXPECT_EQ(out.exit_code, 19);
    EXPECT_NE(out.err.find("specify the \"-rpcwallet=<walletname>\" option"), std::string::npos);
}

TEST(CliGenerate, ArgumentErrorsAfterTheAddress)
{
    FakeServer server;
    server.Answer("getnewaddress", std::nullopt, Result(ADDRESS));
    auto out = rpc::cli::GenerateToNewAddress(server.Caller(), {"0"}, std::nullopt);
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_EQ(out.err, "error: the first argument (number of blocks to generate, default: 1) must "
                       "be an integer value greater than zero");
    out = rpc::cli::GenerateToNewAddress(server.Caller(), {"1", "2", "3"}, std::nullopt);
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_EQ(out.err, "error: too many arguments (maximum 2 for nblocks and maxtries)");
    out = rpc::cli::GenerateToNewAddress(server.Caller(), {"abc"}, std::nullopt);
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_EQ(out.err, "error: Error parsing JSON: abc");
    // As in Core, the address is asked for before the arguments are checked, and nothing
    // is mined.
    ASSERT_EQ(server.Requests().size(), 3U);
    for (const auto& r : server.Requests())
        EXPECT_EQ(r.method, "getnewaddress");
}

TEST(CliGenerate, GenerateErrorLeavesBlocksNull)
{
    FakeServer server;
    server.Answer("getnewaddress", "w", Result(ADDRESS));
    server.Answer("generatetoaddress", "w", Error(-32603, "internal"));
    const auto out = rpc::cli::GenerateToNewAddress(server.Caller(), {"5"}, "w");
    EXPECT_EQ(out.exit_code, 0);
    EXPECT_EQ(out.out,
              "{\n  \"address\": \"" + std::string{ADDRESS} + "\",\n  \"blocks\": null\n}");

    // A non-string address is refused locally.
    FakeServer odd;
    odd.Answer("getnewaddress", std::nullopt, Result(42));
    const auto bad = rpc::cli::GenerateToNewAddress(odd.Caller(), {}, std::nullopt);
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_EQ(bad.err, "error: JSON value of type number is not of expected type string");
    EXPECT_EQ(odd.Requests().size(), 1U);
}

// --- -getinfo --------------------------------------------------------------------------------

Json WalletInfo(bool encrypted)
{
    Json w = Json::object();
    w["walletname"] = "alice";
    w["walletversion"] = 169900;
    w["format"] = "sqlite";
    w["balance"] = rpc::AmountToJson(0);
    w["txcount"] = 3;
    w["keypoolsize"] = 4000;
    w["keypoolsize_hd_internal"] = 4000;
    if (encrypted) w["unlocked_until"] = 1700000000;
    w["paytxfee"] = rpc::AmountToJson(0);
    w["private_keys_enabled"] = true;
    w["descriptors"] = true;
    return Result(w);
}

TEST(CliGetInfoWallet, FieldsFromTheBatchReplies)
{
    Json info = Json::object();
    rpc::cli::AddGetInfoWallet(info, WalletInfo(true), Balances(150'000'000));
    EXPECT_EQ(info.at("has_wallet"), true);
    EXPECT_EQ(info.at("keypoolsize"), 4000);
    EXPECT_EQ(info.at("walletname"), "alice");
    EXPECT_EQ(info.at("unlocked_until"), 1700000000);
    EXPECT_EQ(rpc::WriteJson(info.at("paytxfee")), "0.00000000");
    EXPECT_EQ(rpc::WriteJson(info.at("balance")), "1.50000000");
    // Core's key order.
    std::vector<std::string> keys;
    for (const auto& [k, v] : info.items())
        keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"has_wallet", "keypoolsize", "walletname",
                                              "unlocked_until", "paytxfee", "balance"}));

    // Unencrypted: no unlocked_until.
    Json plain = Json::object();
    rpc::cli::AddGetInfoWallet(plain, WalletInfo(false), Balances(0));
    EXPECT_FALSE(plain.contains("unlocked_until"));
    EXPECT_TRUE(plain.contains("paytxfee"));

    // No wallet loaded, or several without -rpcwallet: both calls fail, nothing is added.
    Json none = Json::object();
    const Json no_wallet = Error(-18, "No wallet is loaded. Load a wallet using loadwallet or "
                                      "create a new one with createwallet. (Note: A default "
                                      "wallet is no longer automatically created)");
    rpc::cli::AddGetInfoWallet(none, no_wallet, no_wallet);
    EXPECT_TRUE(none.empty());
    rpc::cli::AddGetInfoWallet(none, Error(-19, "Wallet file not specified"),
                               Error(-19, "Wallet file not specified"));
    EXPECT_TRUE(none.empty());
}

TEST(CliGetInfoWallet, BalancesOfEveryLoadedWallet)
{
    FakeServer server;
    server.Answer("listwallets", std::nullopt, Result(Json::array({"", "bob", "a b"})));
    server.Answer("getbalances", "", Balances(100'000'000));
    server.Answer("getbalances", "bob", Balances(2'100'000'000'000'000));
    // "a b" is not answered: its balance shows as null, as Core's does for a failed call.
    const auto balances = rpc::cli::GetWalletBalances(server.Caller());
    ASSERT_TRUE(balances);
    EXPECT_EQ(rpc::WriteJson(*balances), R"({"":1.00000000,"bob":21000000.00000000,"a b":null})");
    ASSERT_EQ(server.Requests().size(), 4U);
    EXPECT_FALSE(server.Requests()[0].wallet);
    EXPECT_EQ(server.Requests()[1].wallet, std::optional<std::string>{""});
    EXPECT_EQ(server.Requests()[2].wallet, std::optional<std::string>{"bob"});
    EXPECT_EQ(server.Requests()[3].wallet, std::optional<std::string>{"a b"});
    // The wallet endpoint escapes the name as Core's client does.
    EXPECT_EQ(rpc::cli::Endpoint(server.Requests()[3].wallet), "/wallet/a%20b");
    EXPECT_EQ(rpc::cli::Endpoint(server.Requests()[1].wallet), "/wallet/");

    FakeServer one;
    one.Answer("listwallets", std::nullopt, Result(Json::array({"alice"})));
    EXPECT_FALSE(rpc::cli::GetWalletBalances(one.Caller()));
    EXPECT_EQ(one.Requests().size(), 1U);

    FakeServer failing; // no wallet support at all: listwallets is not found
    EXPECT_FALSE(rpc::cli::GetWalletBalances(failing.Caller()));
}

TEST(CliGetInfoWallet, TextLines)
{
    Json info = Json::object();
    rpc::cli::AddGetInfoWallet(info, WalletInfo(true), Balances(150'000'000));
    EXPECT_EQ(rpc::cli::FormatGetInfoWallet(info, false),
              "Wallet: alice\nKeypool size: 4000\nUnlocked until: 1700000000\n"
              "Transaction fee rate (-paytxfee) (BTC/kvB): 0.00000000\n\n"
              "Balance: 1.50000000\n\n");
    EXPECT_EQ(rpc::cli::FormatGetInfoWallet(info, true),
              "\x1B[35mWallet: alice\x1B[0m\nKeypool size: 4000\nUnlocked until: 1700000000\n"
              "Transaction fee rate (-paytxfee) (BTC/kvB): 0.00000000\n\n"
              "\x1B[36mBalance:\x1B[0m 1.50000000\n\n");

    // The default wallet's empty name shows as "".
    Json unnamed = Json::object();
    Json w = WalletInfo(false);
    w["result"]["walletname"] = "";
    rpc::cli::AddGetInfoWallet(unnamed, w, Error(-4, "x"));
    EXPECT_EQ(rpc::cli::FormatGetInfoWallet(unnamed, false),
              "Wallet: \"\"\nKeypool size: 4000\n"
              "Transaction fee rate (-paytxfee) (BTC/kvB): 0.00000000\n\n");

    // Several wallets: amounts right-aligned to the widest, at least 10 characters.
    Json multi = Json::object();
    multi["balances"] = Json::object();
    multi["balances"][""] = rpc::AmountToJson(100'000'000);
    multi["balances"]["bob"] = rpc::AmountToJson(2'100'000'000'000'000);
    EXPECT_EQ(rpc::cli::FormatGetInfoWallet(multi, false),
              "Balances\n       1.00000000 \"\"\n21000000.00000000 bob\n\n");
    Json small = Json::object();
    small["balances"] = Json::object();
    small["balances"]["x"] = rpc::AmountToJson(5);
    small["balances"]["y"] = rpc::AmountToJson(123'456'789);
    EXPECT_EQ(rpc::cli::FormatGetInfoWallet(small, false),
              "Balances\n0.00000005 x\n1.23456789 y\n\n");

    // Nothing about wallets: no lines.
    EXPECT_EQ(rpc::cli::FormatGetInfoWallet(Json::object(), true), "");
}

TEST(CliGetInfoWallet, FullTextPlacesWalletLinesBeforeWarnings)
{
    Json info = Json::parse(R"({"version":280000,"blocks":101,"headers":101,
        "verificationprogress":1,"timeoffset":0,
        "connections":{"in":0,"out":0,"total":0},"networks":[],
        "difficulty":4.656542373906925e-10,"chain":"regtest"})");
    rpc::cli::AddGetInfoWallet(info, WalletInfo(false), Balances(5'000'000'000));
    info["relayfee"] = rpc::AmountToJson(1000);
    info["warnings"] = "";
    EXPECT_EQ(rpc::cli::FormatGetInfo(info, false),
              "Chain: regtest\nBlocks: 101\nHeaders: 101\nVerification progress: 100.0000%\n"
              "Difficulty: 4.656542373906925e-10\n\n"
              "Network: in 0, out 0, total 0\nVersion: 280000\nTime offset (s): 0\n"
              "Proxies: n/a\nMin tx relay fee rate (BTC/kvB): 0.00001000\n\n"
              "Wallet: alice\nKeypool size: 4000\n"
              "Transaction fee rate (-paytxfee) (BTC/kvB): 0.00000000\n\n"
              "Balance: 50.00000000\n\nWarnings: (none)");
}

} // namespace
