// WalletManager (create, load, unload, restore, listwalletdir, settings.json) and the wallet
// management RPC methods against a real regtest chain, with the error codes and messages of
// Bitcoin Core v28.
#include "wallet_fixture.h"

#include <rpc/dispatch.h>
#include <rpc/jsonrpc.h>
#include <util/base64.h>
#include <wallet/context.h>
#include <wallet/rpc/register.h>
#include <wallet/rpc/util.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace {

using rpc::Json;
using wallet::LoadError;
using wallet::LoadStatus;
using wallet_test::ABANDON_MNEMONIC;

std::string ReadText(const std::filesystem::path& path)
{
    std::ifstream in{path, std::ios::binary};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void WriteText(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out{path, std::ios::binary | std::ios::trunc};
    out << text;
}

// Positional parameters; a brace list of two strings would make a JSON object instead.
template <class... T>
Json P(T&&... values)
{
    Json params = Json::array();
    (params.push_back(Json(std::forward<T>(values))), ...);
    return params;
}

class WalletManageTest : public ::testing::Test
{
protected:
    explicit WalletManageTest(int blocks = 3)
        : m_node{common::ChainParams::RegTest(), m_dir.Path(), blocks}
    {
        m_manager = MakeManager();
        m_table.FinishWarmup();
        wallet::RegisterWalletManageMethods(m_table, *m_manager);
    }

    std::unique_ptr<wallet::WalletManager> MakeManager(std::vector<std::string> startup = {})
    {
        wallet::WalletManagerOptions options;
        options.wallet_dir = WalletDir();
        options.settings_file = SettingsFile();
        options.startup_wallets = std::move(startup);
        options.settings = wallet_test::TestNode::Settings();
        return std::make_unique<wallet::WalletManager>(m_node.Chain(), std::move(options), nullptr);
    }

    std::filesystem::path WalletDir() const { return m_dir.Path() / "wallets"; }
    std::filesystem::path SettingsFile() const { return m_dir.Path() / "settings.json"; }

    std::shared_ptr<wallet::Wallet> Create(const std::string& name,
                                           std::optional<bool> load_on_startup = std::nullopt,
                                           wallet::CreateOptions options = {})
    {
        auto made = m_manager->CreateWallet(name, options, load_on_startup);
        if (auto* error = std::get_if<LoadError>(&made)) {
            ADD_FAILURE() << error->message;
            return nullptr;
        }
        return std::get<std::shared_ptr<wallet::Wallet>>(made);
    }

    static LoadError ErrorOf(const std::variant<std::shared_ptr<wallet::Wallet>, LoadError>& v)
    {
        const auto* error = std::get_if<LoadError>(&v);
        EXPECT_NE(error, nullptr) << "expected a failure";
        return error ? *error : LoadError{LoadStatus::OK, ""};
    }

    rpc::Result Call(const std::string& method, Json params = Json::array(),
                     const std::string& uri = "/")
    {
        rpc::JsonRequest request;
        request.method = method;
        request.params = std::move(params);
        rpc::Context context;
        context.uri = uri;
        return m_table.Execute(request, context);
    }

    // The value of a call that must succeed.
    Json Ok(const std::string& method, Json params = Json::array(), const std::string& uri = "/")
    {
        auto result = Call(method, std::move(params), uri);
        EXPECT_TRUE(result) << method << ": "
                            << (result ? ""
                                       : std::to_string(result.error().code) + " " +
                                             result.error().message);
        return result ? result.value() : Json();
    }

    // Asserts the call fails with `code` and a message containing `message`.
    void ExpectError(const std::string& method, Json params, int code, const std::string& message,
                     const std::string& uri = "/")
    {
        auto result = Call(method, std::move(params), uri);
        ASSERT_FALSE(result) << method << " succeeded: " << rpc::WriteJson(result.value());
        EXPECT_EQ(result.error().code, code) << result.error().message;
        EXPECT_NE(result.error().message.find(message), std::string::npos)
            << "got: " << result.error().message << "\nwanted: " << message;
    }

    // Pays the wallet's first bech32 address in a mined block; the txid.
    consensus::Uint256 FundAndMine(wallet::Wallet& w, consensus::Amount amount)
    {
        auto address = w.GetNewAddress(wallet::OutputType::BECH32, "");
        EXPECT_TRUE(address);
        if (!address) return {};
        auto tx = m_node.PayTo(wallet_test::ScriptOf(*address, m_node.Params()), amount);
        if (!tx) return {};
        m_node.Mine({tx}, std::nullopt, 10'000);
        m_node.Sync();
        return tx->GetHash();
    }

    testutil::TempDir m_dir;
    wallet_test::TestNode m_node;
    rpc::MethodTable m_table;
    // Declared last so it goes first: its wallets detach before the node stops.
    std::unique_ptr<wallet::WalletManager> m_manager;
};

// A chain whose builder coins have matured, for tests that fund wallets.
class FundedWalletManageTest : public WalletManageTest
{
protected:
    FundedWalletManageTest() : WalletManageTest(101) {}
};

// ---- WalletManager ----

TEST_F(WalletManageTest, CreateMakesTheDirectoryAndListsIt)
{
    auto alice = Create("alice");
    ASSERT_TRUE(alice);
    EXPECT_EQ(alice->Name(), "alice");
    EXPECT_TRUE(std::filesystem::is_regular_file(WalletDir() / "alice" / "CURRENT"));
    EXPECT_EQ(m_manager->GetWallet("alice"), alice);
    EXPECT_EQ(m_manager->GetWallet("bob"), nullptr);
    EXPECT_EQ(m_manager->ListWalletDir(), std::vector<std::string>{"alice"});

    // The default wallet "" lives in the directory wallet.dat, listed as "".
    ASSERT_TRUE(Create(""));
    EXPECT_TRUE(std::filesystem::is_directory(WalletDir() / "wallet.dat"));
    EXPECT_EQ(m_manager->ListWalletDir(), (std::vector<std::string>{"", "alice"}));
    // A directory without a database is not a wallet.
    std::filesystem::create_directories(WalletDir() / "empty");
    EXPECT_EQ(m_manager->ListWalletDir(), (std::vector<std::string>{"", "alice"}));
    const auto wallets = m_manager->GetWallets();
    ASSERT_EQ(wallets.size(), 2u);
    EXPECT_EQ(wallets[0]->Name(), "alice"); // load order
    EXPECT_EQ(wallets[1]->Name(), "");
}

TEST_F(WalletManageTest, CreateTwiceIsRefusedWithCoresMessage)
{
    ASSERT_TRUE(Create("alice"));
    const LoadError error = ErrorOf(m_manager->CreateWallet("alice", {}, std::nullopt));
    EXPECT_EQ(error.status, LoadStatus::ALREADY_EXISTS);
    EXPECT_EQ(error.message, "Wallet file verification failed. Failed to create database path '" +
                                 (WalletDir() / "alice").string() + "'. Database already exists.");
}

TEST_F(WalletManageTest, PathNamesAreRefused)
{
    for (const std::string name : {"../evil", "a/b", "a\\b", "..", ".", "/tmp/abs", "wallet.dat"}) {
        SCOPED_TRACE(name);
        const LoadError error = ErrorOf(m_manager->CreateWallet(name, {}, std::nullopt));
        EXPECT_EQ(error.status, LoadStatus::INVALID);
        EXPECT_NE(error.message.find("Invalid wallet name"), std::string::npos);
        EXPECT_EQ(ErrorOf(m_manager->LoadWallet(name, std::nullopt)).status, LoadStatus::INVALID);
    }
    EXPECT_FALSE(std::filesystem::exists(m_dir.Path() / "evil"));
    EXPECT_TRUE(m_manager->ListWalletDir().empty());
}

TEST_F(WalletManageTest, LoadUnloadAndTheirErrors)
{
    const LoadError missing = ErrorOf(m_manager->LoadWallet("nobody", std::nullopt));
    EXPECT_EQ(missing.status, LoadStatus::NOT_FOUND);
    EXPECT_EQ(missing.message, "Wallet file verification failed. Failed to load database path '" +
                                   (WalletDir() / "nobody").string() + "'. Path does not exist.");

    std::filesystem::create_directories(WalletDir() / "hollow");
    const LoadError hollow = ErrorOf(m_manager->LoadWallet("hollow", std::nullopt));
    EXPECT_EQ(hollow.status, LoadStatus::NOT_FOUND);
    EXPECT_NE(hollow.message.find("Data is not in recognized format."), std::string::npos);

    ASSERT_TRUE(Create("alice"));
    const LoadError loaded = ErrorOf(m_manager->LoadWallet("alice", std::nullopt));
    EXPECT_EQ(loaded.status, LoadStatus::ALREADY_LOADED);
    EXPECT_EQ(loaded.message, "Wallet \"alice\" is already loaded.");

    EXPECT_EQ(m_manager->UnloadWallet("alice", std::nullopt), std::nullopt);
    EXPECT_EQ(m_manager->GetWallet("alice"), nullptr);
    const auto again = m_manager->UnloadWallet("alice", std::nullopt);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, LoadStatus::NOT_FOUND);
    EXPECT_EQ(again->message, "Requested wallet does not exist or is not loaded");

    // The database was closed, so the wallet loads again with the same descriptors.
    auto reloaded = m_manager->LoadWallet("alice", std::nullopt);
    ASSERT_TRUE(std::holds_alternative<std::shared_ptr<wallet::Wallet>>(reloaded));
    EXPECT_EQ(m_manager->GetWallets().size(), 1u);
}

TEST_F(WalletManageTest, LoadOnStartupRoundTripsThroughSettingsJson)
{
    // Other settings survive every update.
    WriteText(SettingsFile(), R"({"foo": 1, "wallet": ["old"]})");
    ASSERT_TRUE(Create("alice", true));
    ASSERT_TRUE(Create("bob", false));
    ASSERT_TRUE(Create("carol", true));
    auto json = Json::parse(ReadText(SettingsFile()));
    EXPECT_EQ(json["foo"], 1);
    EXPECT_EQ(json["wallet"], Json::parse(R"(["old", "alice", "carol"])"));

    EXPECT_EQ(m_manager->UnloadWallet("alice", false), std::nullopt);
    EXPECT_EQ(m_manager->UnloadWallet("carol", std::nullopt), std::nullopt);
    json = Json::parse(ReadText(SettingsFile()));
    EXPECT_EQ(json["wallet"], Json::parse(R"(["old", "carol"])"));
    EXPECT_EQ(json["foo"], 1);

    // A fresh manager (a restart) loads -wallet names and the settings' names; "old" does not
    // exist and is skipped, as Core skips it with a warning.
    m_manager.reset();
    m_manager = MakeManager({"bob"});
    ASSERT_TRUE(m_manager->LoadStartupWallets());
    std::vector<std::string> names;
    for (const auto& w : m_manager->GetWallets())
        names.push_back(w->Name());
    EXPECT_EQ(names, (std::vector<std::string>{"bob", "carol"}));
}

TEST_F(WalletManageTest, CorruptSettingsFileIsAnErrorAndIsNotOverwritten)
{
    const std::string garbage = "{\"wallet\": [\"alice\"";
    WriteText(SettingsFile(), garbage);
    const LoadError error = ErrorOf(m_manager->CreateWallet("alice", {}, true));
    EXPECT_EQ(error.status, LoadStatus::FAILED);
    EXPECT_NE(error.message.find("does not contain valid JSON"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(WalletDir() / "alice")); // nothing was created
    EXPECT_EQ(ReadText(SettingsFile()), garbage);
    EXPECT_FALSE(m_manager->LoadStartupWallets());

    // Without load_on_startup the file is not touched, so creating works.
    ASSERT_TRUE(Create("alice"));
    EXPECT_EQ(ReadText(SettingsFile()), garbage);

    // A "wallet" entry of the wrong type is an error too.
    WriteText(SettingsFile(), R"({"wallet": 5})");
    EXPECT_FALSE(m_manager->LoadStartupWallets());
    EXPECT_EQ(m_manager->UnloadWallet("alice", false)->status, LoadStatus::FAILED);
    EXPECT_NE(m_manager->GetWallet("alice"), nullptr); // still loaded
}

TEST_F(WalletManageTest, StartupFailsOnAnUnloadableWallet)
{
    std::filesystem::create_directories(WalletDir() / "broken");
    WriteText(WalletDir() / "broken" / "CURRENT", "not a leveldb manifest pointer\n");
    m_manager.reset();
    m_manager = MakeManager({"broken"});
    const auto loaded = m_manager->LoadStartupWallets();
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().message.find("broken"), std::string::npos);
}

// ---- RPC: which wallet a request addresses ----

TEST(WalletNameFromUri, DecodesPercentEscapesOnly)
{
    EXPECT_EQ(wallet::WalletNameFromUri("/"), std::nullopt);
    EXPECT_EQ(wallet::WalletNameFromUri("/wallet"), std::nullopt);
    EXPECT_EQ(wallet::WalletNameFromUri("/wallet/"), std::optional<std::string>{""});
    EXPECT_EQ(wallet::WalletNameFromUri("/wallet/alice"), std::optional<std::string>{"alice"});
    EXPECT_EQ(wallet::WalletNameFromUri("/wallet/a%20b%2Fc"), std::optional<std::string>{"a b/c"});
    // '+' stays a plus (Core's UrlDecode), bad escapes stay as they are.
    EXPECT_EQ(wallet::WalletNameFromUri("/wallet/a+b"), std::optional<std::string>{"a+b"});
    EXPECT_EQ(wallet::WalletNameFromUri("/wallet/%zz%4"), std::optional<std::string>{"%zz%4"});
}

TEST_F(WalletManageTest, RequestsFindTheirWalletAsCoreDoes)
{
    ExpectError("getwalletinfo", Json::array(), -18,
                "No wallet is loaded. Load a wallet using loadwallet or create a new one with "
                "createwallet. (Note: A default wallet is no longer automatically created)");
    ASSERT_TRUE(Create("a b"));
    EXPECT_EQ(Ok("getwalletinfo")["walletname"], "a b"); // the only wallet
    ASSERT_TRUE(Create("carol"));
    ExpectError("getwalletinfo", Json::array(), -19,
                "Wallet file not specified (must request wallet RPC through /wallet/<filename> "
                "uri-path).");
    EXPECT_EQ(Ok("getwalletinfo", Json::array(), "/wallet/a%20b")["walletname"], "a b");
    EXPECT_EQ(Ok("getwalletinfo", Json::array(), "/wallet/carol")["walletname"], "carol");
    ExpectError("getwalletinfo", Json::array(), -18,
                "Requested wallet does not exist or is not loaded", "/wallet/dave");
}

// ---- RPC: create, load, unload, list ----

TEST_F(WalletManageTest, CreateWalletRpcResultsAndErrors)
{
    EXPECT_EQ(Ok("createwallet", P("alice")), Json::parse(R"({"name": "alice"})"));
    ExpectError("createwallet", P("alice"), -4, "Database already exists.");
    ExpectError("createwallet", P("x/y"), -8, "Invalid wallet name");
    ExpectError("createwallet", Json::parse(R"({"wallet_name": "l", "descriptors": false})"), -4,
                "Compiled without bdb support (required for legacy wallets)");
    ExpectError("createwallet", Json::parse(R"({"wallet_name": "s", "external_signer": true})"), -4,
                "Compiled without external signing support (required for external signing)");
    ExpectError("createwallet", Json::parse(R"({"wallet_name": "w", "disable_private_keys": true,
                                "passphrase": "pw"})"),
                -4, "Passphrase provided but private keys are disabled.");
    const Json empty_pass = Ok("createwallet", Json::parse(R"({"wallet_name": "e",
                                                                "passphrase": ""})"));
    EXPECT_EQ(
        empty_pass["warnings"],
        Json::parse(R"(["Empty string given as passphrase, wallet will not be encrypted."])"));
    EXPECT_FALSE(m_manager->GetWallet("e")->IsCrypted());
    EXPECT_TRUE(std::filesystem::exists(WalletDir() / "e"));

    const Json watch = Ok("createwallet", P("watch", true, true));
    EXPECT_FALSE(watch.contains("warnings"));
    const Json info = Ok("getwalletinfo", Json::array(), "/wallet/watch");
    EXPECT_EQ(info["private_keys_enabled"], false);
    EXPECT_EQ(info["blank"], true);
}

TEST_F(WalletManageTest, CreateWalletFromAGivenMnemonic)
{
    const Json result = Ok("createwallet", Json::parse(std::string{R"({"wallet_name": "m",
        "mnemonic": "  )"} + ABANDON_MNEMONIC + "\"}"));
    EXPECT_EQ(result["name"], "m");
    EXPECT_EQ(result["mnemonic"], ABANDON_MNEMONIC); // normalised, shown once
    // 73c5da0a is the master key fingerprint of this mnemonic's seed (BIP84 and BIP86 vectors).
    const Json listed = Ok("listdescriptors", Json::array(), "/wallet/m");
    ASSERT_FALSE(listed["descriptors"].empty());
    for (const Json& d : listed["descriptors"]) {
        EXPECT_NE(d["desc"].get<std::string>().find("[73c5da0a/"), std::string::npos) << d;
    }
    // The passphrase changes the seed and so the fingerprint.
    Ok("createwallet", Json::parse(std::string{R"({"wallet_name": "p", "mnemonic_passphrase":
        "TREZOR", "mnemonic": ")"} +
                                   ABANDON_MNEMONIC + "\"}"));
    const Json with_passphrase = Ok("listdescriptors", Json::array(), "/wallet/p");
    ASSERT_FALSE(with_passphrase["descriptors"].empty());
    for (const Json& d : with_passphrase["descriptors"]) {
        EXPECT_EQ(d["desc"].get<std::string>().find("[73c5da0a/"), std::string::npos) << d;
    }
}

TEST_F(WalletManageTest, CreateWalletGeneratesAMnemonicAndChecksGivenOnes)
{
    const Json result =
        Ok("createwallet", Json::parse(R"({"wallet_name": "g", "mnemonic": true})"));
    const std::string words = result["mnemonic"].get<std::string>();
    EXPECT_EQ(std::count(words.begin(), words.end(), ' '), 11); // 12 words
    EXPECT_TRUE(common::IsValidMnemonic(words));
    EXPECT_FALSE(Ok("createwallet", Json::parse(R"({"wallet_name": "n", "mnemonic": false})"))
                     .contains("mnemonic"));

    std::string bad_checksum{ABANDON_MNEMONIC};
    bad_checksum.replace(bad_checksum.rfind("about"), 5, "abandon");
    ExpectError("createwallet", Json{{"wallet_name", "b1"}, {"mnemonic", bad_checksum}}, -8,
                "Invalid mnemonic");
    ExpectError("createwallet", Json{{"wallet_name", "b2"}, {"mnemonic", "hello world"}}, -8,
                "Invalid mnemonic");
    ExpectError("createwallet",
                Json{{"wallet_name", "b3"}, {"mnemonic", ABANDON_MNEMONIC}, {"blank", true}}, -8,
                "mnemonic cannot be used with disable_private_keys or blank");
    ExpectError("createwallet", Json{{"wallet_name", "b4"}, {"mnemonic_passphrase", "x"}}, -8,
                "mnemonic_passphrase requires mnemonic");
    ExpectError("createwallet", Json{{"wallet_name", "b5"}, {"mnemonic", 5}}, -3, "mnemonic");
    for (const char* name : {"b1", "b2", "b3", "b4", "b5"}) {
        EXPECT_FALSE(std::filesystem::exists(WalletDir() / name)) << name;
    }
}

TEST_F(WalletManageTest, LoadUnloadListRpcs)
{
    Ok("createwallet", P("alice"));
    Ok("createwallet", P(""));
    EXPECT_EQ(Ok("listwallets"), Json::parse(R"(["alice", ""])"));
    EXPECT_EQ(Ok("listwalletdir"),
              Json::parse(R"({"wallets": [{"name": ""}, {"name": "alice"}]})"));

    ExpectError("loadwallet", P("alice"), -35, "Wallet \"alice\" is already loaded.");
    ExpectError("loadwallet", P("nobody"), -18, "Path does not exist.");
    ExpectError("unloadwallet", P("bob"), -8,
                "RPC endpoint wallet and wallet_name parameter specify different wallets",
                "/wallet/alice");
    ExpectError("unloadwallet", Json::array(), -1, "is not of expected type string");
    ExpectError("unloadwallet", P("nobody"), -18,
                "Requested wallet does not exist or is not loaded");
    EXPECT_EQ(Ok("unloadwallet", Json::array(), "/wallet/alice"), Json::object());
    EXPECT_EQ(Ok("listwallets"), Json::parse(R"([""])"));
    EXPECT_EQ(Ok("unloadwallet", P("")), Json::object());
    EXPECT_EQ(Ok("listwallets"), Json::array());
    // Still in the directory.
    EXPECT_EQ(Ok("listwalletdir")["wallets"].size(), 2u);
    EXPECT_EQ(Ok("loadwallet", P("alice", true)), Json::parse(R"({"name": "alice"})"));
    EXPECT_EQ(Json::parse(ReadText(SettingsFile()))["wallet"], Json::parse(R"(["alice"])"));
}

// ---- RPC: encryption ----

TEST_F(WalletManageTest, EncryptionRpcsFollowCore)
{
    Ok("createwallet", P("alice"));
    ExpectError("walletpassphrase", P("pw", 10), -15,
                "Error: running with an unencrypted wallet, but walletpassphrase was called.");
    ExpectError("walletlock", Json::array(), -15,
                "Error: running with an unencrypted wallet, but walletlock was called.");
    ExpectError(
        "walletpassphrasechange", P("a", "b"), -15,
        "Error: running with an unencrypted wallet, but walletpassphrasechange was called.");
    EXPECT_FALSE(Ok("getwalletinfo").contains("unlocked_until"));
    ExpectError("encryptwallet", P(""), -8, "passphrase cannot be empty");

    const Json encrypted = Ok("encryptwallet", P("secret"));
    EXPECT_EQ(encrypted.get<std::string>().rfind("wallet encrypted;", 0), 0u);
    EXPECT_EQ(Ok("getwalletinfo")["unlocked_until"], 0);
    ExpectError("encryptwallet", P("again"), -15,
                "Error: running with an encrypted wallet, but encryptwallet was called.");
    ExpectError("keypoolrefill", Json::array(), -13,
                "Error: Please enter the wallet passphrase with walletpassphrase first.");
    ExpectError("listdescriptors", P(true), -13,
                "Error: Please enter the wallet passphrase with walletpassphrase first.");

    ExpectError("walletpassphrase", P("wrong", 60), -14,
                "Error: The wallet passphrase entered was incorrect.");
    ExpectError("walletpassphrase", P("secret", -1), -8, "Timeout cannot be negative.");
    ExpectError("walletpassphrase", P("", 60), -8, "passphrase cannot be empty");
    EXPECT_EQ(Ok("walletpassphrase", P("secret", 600)), Json());
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const int64_t until = Ok("getwalletinfo")["unlocked_until"].get<int64_t>();
    EXPECT_GE(until, now + 500);
    EXPECT_LE(until, now + 700);
    Ok("keypoolrefill");
    EXPECT_FALSE(Ok("listdescriptors", P(true))["descriptors"].empty());
    EXPECT_EQ(Ok("walletlock"), Json());
    EXPECT_EQ(Ok("getwalletinfo")["unlocked_until"], 0);

    ExpectError("walletpassphrasechange", P("wrong", "new"), -14,
                "Error: The wallet passphrase entered was incorrect.");
    ExpectError("walletpassphrasechange", P("secret", ""), -8, "passphrase cannot be empty");
    Ok("walletpassphrasechange", P("secret", "new"));
    ExpectError("walletpassphrase", P("secret", 60), -14, "incorrect");
    Ok("walletpassphrase", P("new", 60));

    Ok("createwallet", P("watch", true));
    ExpectError("encryptwallet", P("pw"), -16,
                "Error: wallet does not contain private keys, nothing to encrypt.",
                "/wallet/watch");
}

// ---- RPC: getwalletinfo ----

TEST_F(WalletManageTest, GetWalletInfoHasCoresFieldsInOrder)
{
    Ok("createwallet", P("alice"));
    const Json info = Ok("getwalletinfo");
    std::vector<std::string> keys;
    for (const auto& [key, value] : info.items())
        keys.push_back(key);
    // Core v28's order, without the legacy-only keypoololdest/hdseedid and the encrypted-only
    // unlocked_until.
    EXPECT_EQ(keys, (std::vector<std::string>{"walletname", "walletversion", "format", "balance",
                                              "unconfirmed_balance", "immature_balance", "txcount",
                                              "keypoolsize", "keypoolsize_hd_internal", "paytxfee",
                                              "private_keys_enabled", "avoid_reuse", "scanning",
                                              "descriptors", "external_signer", "blank",
                                              "birthtime", "lastprocessedblock"}));
    EXPECT_EQ(info["walletname"], "alice");
    EXPECT_EQ(info["walletversion"], 169900);
    EXPECT_EQ(info["format"], "leveldb");
    EXPECT_EQ(rpc::WriteJson(info["balance"]), "0.00000000");
    EXPECT_EQ(info["txcount"], 0);
    EXPECT_GT(info["keypoolsize"].get<int64_t>(), 0);
    EXPECT_GT(info["keypoolsize_hd_internal"].get<int64_t>(), 0);
    EXPECT_EQ(info["private_keys_enabled"], true);
    EXPECT_EQ(info["avoid_reuse"], false);
    EXPECT_EQ(info["scanning"], false);
    EXPECT_EQ(info["descriptors"], true);
    EXPECT_EQ(info["external_signer"], false);
    EXPECT_EQ(info["blank"], false);
    const auto tip = m_node.Chain().Tip();
    EXPECT_EQ(info["lastprocessedblock"]["hash"], tip.hash.GetHex());
    EXPECT_EQ(info["lastprocessedblock"]["height"], 3);

    Ok("createwallet", Json::parse(R"({"wallet_name": "r", "avoid_reuse": true,
                                       "blank": true})"));
    const Json reuse = Ok("getwalletinfo", Json::array(), "/wallet/r");
    EXPECT_EQ(reuse["avoid_reuse"], true);
    EXPECT_EQ(reuse["blank"], true);
    EXPECT_FALSE(reuse.contains("birthtime")); // no descriptors yet
}

// ---- RPC: backup and restore ----

TEST_F(WalletManageTest, BackupAndRestoreGiveTheSameWallet)
{
    Ok("createwallet", P("alice"));
    const auto file = m_dir.Path() / "alice.bak";
    EXPECT_EQ(Ok("backupwallet", P(file.string())), Json());
    ASSERT_TRUE(std::filesystem::is_regular_file(file));
    // A directory gets <name>.backup.
    Ok("backupwallet", P(m_dir.Path().string()));
    EXPECT_TRUE(std::filesystem::is_regular_file(m_dir.Path() / "alice.backup"));

    EXPECT_EQ(Ok("restorewallet", P("copy", file.string())), Json::parse(R"({"name": "copy"})"));
    EXPECT_EQ(Ok("listdescriptors", P(true), "/wallet/copy")["descriptors"],
              Ok("listdescriptors", P(true), "/wallet/alice")["descriptors"]);

    ExpectError("restorewallet", P("copy", file.string()), -36, "Database already exists.");
    ExpectError("restorewallet", P("new", (m_dir.Path() / "none.bak").string()), -8,
                "Backup file does not exist");
    // A damaged backup creates nothing.
    std::string bytes = ReadText(file);
    bytes[bytes.size() / 2] ^= 0x20;
    WriteText(m_dir.Path() / "bad.bak", bytes);
    ExpectError("restorewallet", P("bad", (m_dir.Path() / "bad.bak").string()), -4, "");
    EXPECT_FALSE(std::filesystem::exists(WalletDir() / "bad"));
    // Two wallets are loaded now, so the call names its wallet.
    ExpectError("backupwallet", P((m_dir.Path() / "no" / "such" / "dir" / "x").string()), -4,
                "Error: Wallet backup failed!", "/wallet/alice");
}

// ---- RPC: descriptors, rescans and coins (funded chain) ----

TEST_F(FundedWalletManageTest, RescanFindsPaymentsMadeBeforeTheWalletExisted)
{
    Ok("createwallet", Json::parse(std::string{R"({"wallet_name": "a", "mnemonic": ")"} +
                                   ABANDON_MNEMONIC + "\"}"));
    auto a = m_manager->GetWallet("a");
    const auto txid = FundAndMine(*a, 1'000'000);
    EXPECT_EQ(Ok("getwalletinfo", Json::array(), "/wallet/a")["txcount"], 1);

    // The same keys in a new wallet start at the tip and miss it until a rescan.
    Ok("createwallet", Json::parse(std::string{R"({"wallet_name": "b", "mnemonic": ")"} +
                                   ABANDON_MNEMONIC + "\"}"));
    EXPECT_EQ(Ok("getwalletinfo", Json::array(), "/wallet/b")["txcount"], 0);
    const int tip = m_node.Chain().Tip().height;
    ExpectError("rescanblockchain", P(tip + 1), -8, "Invalid start_height", "/wallet/b");
    ExpectError("rescanblockchain", P(5, tip + 1), -8, "Invalid stop_height", "/wallet/b");
    ExpectError("rescanblockchain", P(5, 4), -8, "stop_height must be greater than start_height",
                "/wallet/b");
    // Scanning the blocks before the payment finds nothing.
    EXPECT_EQ(Ok("rescanblockchain", P(0, tip - 1), "/wallet/b"),
              (Json{{"start_height", 0}, {"stop_height", tip - 1}}));
    EXPECT_EQ(Ok("getwalletinfo", Json::array(), "/wallet/b")["txcount"], 0);
    EXPECT_EQ(Ok("rescanblockchain", Json::array(), "/wallet/b"),
              (Json{{"start_height", 0}, {"stop_height", tip}}));
    EXPECT_EQ(Ok("getwalletinfo", Json::array(), "/wallet/b")["txcount"], 1);
    EXPECT_TRUE(m_manager->GetWallet("b")->GetTransaction(txid));
}

TEST_F(FundedWalletManageTest, ImportDescriptorsRescansFromTheTimestamp)
{
    Ok("createwallet", P("src"));
    auto src = m_manager->GetWallet("src");
    const auto txid = FundAndMine(*src, 2'000'000);
    Ok("createwallet", P("dst", false, true)); // blank, with private keys
    Json requests = Json::array();
    const Json listed = Ok("listdescriptors", P(true), "/wallet/src");
    for (const Json& d : listed["descriptors"]) {
        Json request{{"desc", d["desc"]}, {"timestamp", 0}, {"active", d["active"]}};
        if (d.contains("internal")) request["internal"] = d["internal"];
        if (d.contains("range")) request["range"] = d["range"];
        requests.push_back(request);
    }
    ASSERT_FALSE(requests.empty());
    const Json results = Ok("importdescriptors", P(requests), "/wallet/dst");
    ASSERT_EQ(results.size(), requests.size());
    for (const Json& r : results)
        EXPECT_EQ(r["success"], true) << r;
    EXPECT_TRUE(m_manager->GetWallet("dst")->GetTransaction(txid));
    EXPECT_EQ(Ok("getwalletinfo", Json::array(), "/wallet/dst")["txcount"], 1);
}

TEST_F(WalletManageTest, ImportDescriptorsReportsEachRequest)
{
    Ok("createwallet", P("w", false, true));
    Ok("createwallet", P("src"));
    const Json listed = Ok("listdescriptors", P(true), "/wallet/src")["descriptors"];
    const std::string ranged = listed[0]["desc"].get<std::string>();
    const std::string no_checksum = ranged.substr(0, ranged.find('#'));
    // A missing timestamp fails the whole call, as in Core.
    ExpectError("importdescriptors", P(Json::array({Json{{"desc", ranged}}})), -3,
                "Missing required timestamp field for key", "/wallet/w");
    ExpectError("importdescriptors",
                P(Json::array({Json{{"desc", ranged}, {"timestamp", "later"}}})), -3,
                "Expected number or \"now\" timestamp value for key. got type string", "/wallet/w");

    const Json requests = Json::array({
        Json{{"desc", no_checksum}, {"timestamp", "now"}},
        Json{{"timestamp", "now"}},
        Json{{"desc", ranged}, {"timestamp", "now"}, {"label", "x"}},
        Json{{"desc", ranged}, {"timestamp", "now"}, {"range", 5}, {"next_index", 9}},
        Json{{"desc", ranged}, {"timestamp", "now"}, {"range", 5}},
    });
    const Json results = Ok("importdescriptors", P(requests), "/wallet/w");
    ASSERT_EQ(results.size(), 5u);
    EXPECT_EQ(results[0]["success"], false);
    EXPECT_EQ(results[0]["error"]["code"], -5);
    EXPECT_EQ(results[1]["error"], (Json{{"code", -8}, {"message", "Descriptor not found."}}));
    EXPECT_EQ(results[2]["error"]["message"], "Ranged descriptors should not have a label");
    EXPECT_EQ(results[3]["error"]["message"], "next_index is out of range");
    EXPECT_EQ(results[4]["success"], true) << results[4];
    EXPECT_FALSE(results[4].contains("error"));

    // A watch-only descriptor cannot go into a wallet with private keys, and private keys
    // cannot go into a watch-only wallet.
    const std::string public_desc =
        Ok("listdescriptors", Json::array(), "/wallet/src")["descriptors"][0]["desc"];
    const Json refused =
        Ok("importdescriptors", P(Json::array({Json{{"desc", public_desc}, {"timestamp", "now"}}})),
           "/wallet/w");
    EXPECT_EQ(refused[0]["error"]["code"], -4);
    EXPECT_EQ(refused[0]["error"]["message"],
              "Cannot import descriptor without private keys to a wallet with private keys "
              "enabled");
    Ok("createwallet", P("watch", true, true));
    const Json no_keys =
        Ok("importdescriptors", P(Json::array({Json{{"desc", ranged}, {"timestamp", "now"}}})),
           "/wallet/watch");
    EXPECT_EQ(no_keys[0]["error"]["message"],
              "Cannot import private keys to a wallet with private keys disabled");
    const Json watched =
        Ok("importdescriptors", P(Json::array({Json{{"desc", public_desc}, {"timestamp", "now"}}})),
           "/wallet/watch");
    EXPECT_EQ(watched[0]["success"], true) << watched;
}

TEST_F(WalletManageTest, ListDescriptorsIsSortedWithCoresFields)
{
    Ok("createwallet", P("alice"));
    const Json result = Ok("listdescriptors");
    EXPECT_EQ(result["wallet_name"], "alice");
    const Json& descriptors = result["descriptors"];
    ASSERT_EQ(descriptors.size(), 8u); // receive and change for pkh, sh(wpkh), wpkh, tr
    for (size_t i = 0; i + 1 < descriptors.size(); ++i) {
        EXPECT_LT(descriptors[i]["desc"].get<std::string>(),
                  descriptors[i + 1]["desc"].get<std::string>());
    }
    for (const Json& d : descriptors) {
        EXPECT_EQ(d["active"], true);
        EXPECT_TRUE(d.contains("internal"));
        ASSERT_TRUE(d.contains("range"));
        EXPECT_EQ(d["range"].size(), 2u);
        EXPECT_EQ(d["next"], d["next_index"]);
        // Public descriptors carry no private key.
        EXPECT_EQ(d["desc"].get<std::string>().find("prv"), std::string::npos);
    }
    const Json with_private = Ok("listdescriptors", P(true));
    ASSERT_EQ(with_private["descriptors"].size(), 8u);
    for (const Json& d : with_private["descriptors"]) {
        EXPECT_NE(d["desc"].get<std::string>().find("tprv"), std::string::npos);
    }
}

TEST_F(FundedWalletManageTest, LockUnspentChecksEveryOutputFirst)
{
    Ok("createwallet", P("alice"));
    auto alice = m_manager->GetWallet("alice");
    const auto txid = FundAndMine(*alice, 1'000'000);
    const auto tx = alice->GetTransaction(txid);
    ASSERT_TRUE(tx);
    uint32_t mine = 0;
    while (mine < tx->outputs.size() && !tx->outputs[mine].mine)
        ++mine;
    ASSERT_LT(mine, tx->outputs.size());
    const Json ours = Json{{"txid", txid.GetHex()}, {"vout", mine}};
    const std::string unknown_txid(64, 'a');

    ExpectError("lockunspent", P(false, Json::array({Json{{"txid", unknown_txid}, {"vout", 0}}})),
                -8, "Invalid parameter, unknown transaction");
    ExpectError("lockunspent", P(false, Json::array({Json{{"txid", txid.GetHex()}, {"vout", 9}}})),
                -8, "Invalid parameter, vout index out of bounds");
    ExpectError("lockunspent", P(false, Json::array({Json{{"txid", txid.GetHex()}, {"vout", -1}}})),
                -8, "Invalid parameter, vout cannot be negative");
    ExpectError("lockunspent", P(false, Json::array({Json{{"txid", "zz"}, {"vout", 0}}})), -8,
                "txid must be of length 64");
    ExpectError("lockunspent", P(true, Json::array({ours})), -8,
                "Invalid parameter, expected locked output");

    EXPECT_EQ(Ok("lockunspent", P(false, Json::array({ours}))), true);
    EXPECT_EQ(Ok("listlockunspent"), Json::array({ours}));
    ExpectError("lockunspent", P(false, Json::array({ours})), -8,
                "Invalid parameter, output already locked");
    // A bad entry after a good one changes nothing.
    ExpectError("lockunspent",
                P(true, Json::array({ours, Json{{"txid", unknown_txid}, {"vout", 0}}})), -8,
                "unknown transaction");
    EXPECT_EQ(Ok("listlockunspent").size(), 1u);
    EXPECT_EQ(Ok("lockunspent", P(true)), true); // no list: unlock all
    EXPECT_EQ(Ok("listlockunspent"), Json::array());

    // Persistent locks survive an unload and load.
    EXPECT_EQ(Ok("lockunspent", P(false, Json::array({ours}), true)), true);
    alice.reset();
    Ok("unloadwallet", P("alice"));
    Ok("loadwallet", P("alice"));
    EXPECT_EQ(Ok("listlockunspent"), Json::array({ours}));
}

TEST_F(FundedWalletManageTest, AbandonSignMessageAndKeypool)
{
    Ok("createwallet", P("alice"));
    auto alice = m_manager->GetWallet("alice");
    const auto txid = FundAndMine(*alice, 1'000'000);
    ExpectError("abandontransaction", P(std::string(64, 'b')), -5,
                "Invalid or non-wallet transaction id");
    ExpectError("abandontransaction", P(txid.GetHex()), -5,
                "Transaction not eligible for abandonment");

    auto legacy = alice->GetNewAddress(wallet::OutputType::LEGACY, "");
    auto segwit = alice->GetNewAddress(wallet::OutputType::BECH32, "");
    ASSERT_TRUE(legacy && segwit);
    const Json signature = Ok("signmessage", P(*legacy, "hello"));
    const auto raw = util::DecodeBase64(signature.get<std::string>());
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->size(), 65u); // compact recoverable signature
    ExpectError("signmessage", P(*segwit, "hello"), -3, "Address does not refer to key");
    ExpectError("signmessage", P("notanaddress", "hello"), -3, "Invalid address");

    ExpectError("keypoolrefill", P(-1), -8, "Invalid parameter, expected valid size.");
    EXPECT_EQ(Ok("keypoolrefill", P(30)), Json());
    EXPECT_GE(Ok("getwalletinfo")["keypoolsize"].get<int64_t>(), 30);

    Ok("encryptwallet", P("pw"));
    ExpectError("signmessage", P(*legacy, "hello"), -13,
                "Error: Please enter the wallet passphrase with walletpassphrase first.");
    ExpectError("rescanblockchain", Json::array(), -13, "walletpassphrase");
}

} // namespace
