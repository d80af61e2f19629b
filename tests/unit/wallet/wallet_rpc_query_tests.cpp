// The wallet query RPCs (wallet/rpc/wallet_query*.cpp) through a MethodTable over a real
// regtest node: their shapes against Bitcoin Core v28's published help
// (bitcoincore.org/en/doc/28.0.0/rpc/wallet/..., transcribed by hand), Core's parameter checks
// and error codes, and what they report about addresses, payments, spends and reorgs.
#include "wallet_fixture.h"

#include <common/key_io.h>
#include <consensus/hash.h>
#include <consensus/pow.h>
#include <consensus/serialize.h>
#include <rpc/dispatch.h>
#include <rpc/method.h>
#include <rpc/util.h>
#include <util/strings.h>
#include <wallet/context.h>
#include <wallet/rpc/register.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

namespace {

using consensus::Amount;
using consensus::COIN;
using rpc::Json;
using wallet_test::ScriptOf;
using wallet_test::TestNode;

// Blocks mined before each test: enough mature coinbases for the builder to pay from.
constexpr int BASE_HEIGHT{110};
// The master key fingerprint of the "abandon ... about" seed (BIP32 tools and the BIP84/86
// vectors show it as 73c5da0a).
constexpr const char* ABANDON_FINGERPRINT{"73c5da0a"};

// A regtest P2WPKH address of a fixed key hash that no wallet here owns.
std::string ForeignAddress(const common::ChainParams& params, uint8_t fill = 0x11)
{
    consensus::Uint160 hash;
    std::fill(hash.begin(), hash.end(), fill);
    return common::EncodeDestination(common::WitnessV0KeyHash{hash}, params);
}

std::vector<uint8_t> Unhex(const std::string& hex)
{
    auto bytes = util::TryParseHex(hex);
    EXPECT_TRUE(bytes) << hex;
    return bytes.value_or(std::vector<uint8_t>{});
}

std::string Join(const std::vector<std::string>& parts)
{
    std::string text;
    for (const auto& part : parts) {
        if (!text.empty()) text += ' ';
        text += part;
    }
    return text;
}

// "a b c" for the arguments of a method, nested names after a '/'.
std::string ArgNames(const rpc::Method& method)
{
    std::vector<std::string> names;
    for (const auto& arg : method.Args()) {
        names.push_back(arg.names);
        for (const auto& inner : arg.inner)
            names.push_back(arg.names + "/" + inner.names);
    }
    return Join(names);
}

// Result field names of the first result shape, depth first in help order (a trailing "?"
// marks optional fields; array elements add only their own fields).
void CollectFields(const rpc::ResultDoc& doc, std::vector<std::string>& out)
{
    for (const rpc::ResultDoc& child : doc.inner) {
        if (child.type == rpc::ResultType::ELISION || child.type == rpc::ResultType::ANY) continue;
        if (!child.key_name.empty() && doc.type != rpc::ResultType::ARR) {
            out.push_back(child.key_name + (child.optional ? "?" : ""));
        }
        CollectFields(child, out);
    }
}

std::string ResultFields(const rpc::Method& method)
{
    std::vector<std::string> fields;
    CollectFields(method.Results().at(0), fields);
    return Join(fields);
}

class QueryRpcTest : public ::testing::Test
{
protected:
    QueryRpcTest() : m_manager{m_node.Chain(), ManagerOptions(), nullptr}
    {
        wallet::RegisterWalletQueryMethods(m_table, m_manager);
        m_table.FinishWarmup();
    }

    wallet::WalletManagerOptions ManagerOptions()
    {
        wallet::WalletManagerOptions options;
        options.wallet_dir = m_dir.Path() / "wallets";
        options.settings_file = m_dir.Path() / "settings.json";
        options.settings = TestNode::Settings();
        std::filesystem::create_directories(options.wallet_dir);
        return options;
    }

    std::shared_ptr<wallet::Wallet> Create(const std::string& name,
                                           wallet::CreateOptions options = {})
    {
        if (options.seed.empty() && !options.blank && !options.disable_private_keys) {
            options.seed = wallet_test::AbandonSeed();
        }
        auto created = m_manager.CreateWallet(name, options, std::nullopt);
        if (auto* error = std::get_if<wallet::LoadError>(&created)) {
            ADD_FAILURE() << error->message;
            return nullptr;
        }
        return std::get<std::shared_ptr<wallet::Wallet>>(created);
    }

    rpc::Result Call(const std::string& method, Json params, const std::string& wallet = "w")
    {
        rpc::JsonRequest request;
        request.method = method;
        request.params = std::move(params);
        rpc::Context context;
        context.uri = "/wallet/" + wallet;
        return m_table.Execute(request, context);
    }

    // The result of a call that must succeed.
    Json Ok(const std::string& method, Json params, const std::string& wallet = "w")
    {
        auto result = Call(method, std::move(params), wallet);
        if (!result) {
            ADD_FAILURE() << method << ": " << result.error().code << " " << result.error().message;
            return Json{};
        }
        // Through text, as a client sees it (amounts become plain numbers).
        return Json::parse(rpc::WriteJson(result.value()));
    }

    void ExpectError(const std::string& method, Json params, int code, const std::string& message,
                     const std::string& wallet = "w")
    {
        SCOPED_TRACE(method + " " + params.dump());
        const auto result = Call(method, std::move(params), wallet);
        ASSERT_FALSE(result.has_value()) << rpc::WriteJson(result.value());
        EXPECT_EQ(result.error().code, code);
        EXPECT_EQ(result.error().message, message);
    }

    // Pays `amount` to `address` from a builder coin; accepted into the mempool.
    consensus::TransactionRef Pay(const std::string& address, Amount amount)
    {
        auto tx = m_node.PayTo(ScriptOf(address, m_node.Params()), amount);
        EXPECT_EQ(m_node.Accept(tx), "");
        m_node.Sync();
        return tx;
    }

    static double Btc(Amount amount) { return static_cast<double>(amount) / COIN; }

    testutil::TempDir m_dir;
    TestNode m_node{common::ChainParams::RegTest(), m_dir.Path(), BASE_HEIGHT};
    wallet::WalletManager m_manager;
    rpc::MethodTable m_table;
};

// ---- shapes --------------------------------------------------------------------------------

TEST_F(QueryRpcTest, RegistersCoresQueryMethods)
{
    // A description that is not well formed is silently left out; this catches it.
    const std::vector<std::string> expected{"getaddressesbylabel",
                                            "getaddressinfo",
                                            "getbalance",
                                            "getbalances",
                                            "getnewaddress",
                                            "getrawchangeaddress",
                                            "getreceivedbyaddress",
                                            "getreceivedbylabel",
                                            "gettransaction",
                                            "listlabels",
                                            "listreceivedbyaddress",
                                            "listreceivedbylabel",
                                            "listsinceblock",
                                            "listtransactions",
                                            "listunspent",
                                            "setlabel"};
    EXPECT_EQ(m_table.MethodNames(), expected);
    for (const auto& name : expected)
        EXPECT_EQ(m_table.Find(name)->Category(), "wallet") << name;
}

TEST_F(QueryRpcTest, SummaryLinesMatchCore)
{
    // The first line of each method's help in Core v28.
    const std::vector<std::pair<std::string, std::string>> lines{
        {"getnewaddress", "getnewaddress ( \"label\" \"address_type\" )"},
        {"getrawchangeaddress", "getrawchangeaddress ( \"address_type\" )"},
        {"getaddressinfo", "getaddressinfo \"address\""},
        {"setlabel", "setlabel \"address\" \"label\""},
        {"listlabels", "listlabels ( \"purpose\" )"},
        {"getaddressesbylabel", "getaddressesbylabel \"label\""},
        {"getbalances", "getbalances"},
        {"getbalance", "getbalance ( \"dummy\" minconf include_watchonly avoid_reuse )"},
        {"listunspent",
         "listunspent ( minconf maxconf [\"address\",...] include_unsafe query_options )"},
        {"listtransactions", "listtransactions ( \"label\" count skip include_watchonly )"},
        {"listsinceblock", "listsinceblock ( \"blockhash\" target_confirmations include_watchonly "
                           "include_removed include_change \"label\" )"},
        {"gettransaction", "gettransaction \"txid\" ( include_watchonly verbose )"},
        {"getreceivedbyaddress",
         "getreceivedbyaddress \"address\" ( minconf include_immature_coinbase )"},
        {"getreceivedbylabel",
         "getreceivedbylabel \"label\" ( minconf include_immature_coinbase )"},
        {"listreceivedbyaddress", "listreceivedbyaddress ( minconf include_empty include_watchonly "
                                  "\"address_filter\" include_immature_coinbase )"},
        {"listreceivedbylabel", "listreceivedbylabel ( minconf include_empty include_watchonly "
                                "include_immature_coinbase )"},
    };
    for (const auto& [name, line] : lines) {
        ASSERT_NE(m_table.Find(name), nullptr) << name;
        EXPECT_EQ(m_table.Find(name)->SummaryLine(), line);
    }
}

TEST_F(QueryRpcTest, NestedArgumentsMatchCore)
{
    EXPECT_EQ(ArgNames(*m_table.Find("listunspent")),
              "minconf maxconf addresses addresses/address include_unsafe query_options "
              "query_options/minimumAmount query_options/maximumAmount query_options/maximumCount "
              "query_options/minimumSumAmount query_options/include_immature_coinbase");
}

TEST_F(QueryRpcTest, ResultFieldsMatchCoreInOrder)
{
    const std::string tx_facts =
        "confirmations generated? trusted? blockhash? blockheight? blockindex? blocktime? txid "
        "wtxid walletconflicts replaced_by_txid? replaces_txid? mempoolconflicts to? time "
        "timereceived comment? bip125-replaceable parent_descs?";
    EXPECT_EQ(ResultFields(*m_table.Find("getaddressinfo")),
              "address scriptPubKey ismine iswatchonly solvable desc? parent_desc? isscript? "
              "ischange iswitness witness_version? witness_program? script? hex? pubkeys? "
              "sigsrequired? pubkey? embedded? iscompressed? timestamp? hdkeypath? hdseedid? "
              "hdmasterfingerprint? labels");
    EXPECT_EQ(ResultFields(*m_table.Find("getbalances")),
              "mine trusted untrusted_pending immature used? watchonly? trusted untrusted_pending "
              "immature lastprocessedblock hash height");
    EXPECT_EQ(ResultFields(*m_table.Find("listunspent")),
              "txid vout address? label? scriptPubKey amount confirmations ancestorcount? "
              "ancestorsize? ancestorfees? redeemScript? witnessScript? spendable solvable reused? "
              "desc? parent_descs safe");
    EXPECT_EQ(ResultFields(*m_table.Find("listtransactions")),
              "involvesWatchonly? address? category amount label? vout fee? " + tx_facts +
                  " abandoned");
    EXPECT_EQ(ResultFields(*m_table.Find("listsinceblock")),
              "transactions involvesWatchonly? address? category amount vout fee? " +
                  std::string{} + tx_facts + " abandoned label? removed? lastblock");
    EXPECT_EQ(ResultFields(*m_table.Find("gettransaction")),
              "amount fee? " + tx_facts +
                  " details involvesWatchonly? address? category amount label? vout fee? "
                  "abandoned parent_descs? hex decoded? lastprocessedblock hash height");
    EXPECT_EQ(ResultFields(*m_table.Find("listreceivedbyaddress")),
              "involvesWatchonly? address amount confirmations label txids");
    EXPECT_EQ(ResultFields(*m_table.Find("getaddressesbylabel")), "address purpose");
}

TEST_F(QueryRpcTest, HelpTextMatchesCore)
{
    // Core v28's help, with bitcoin-cli renamed.
    EXPECT_EQ(m_table.Help("getnewaddress"),
              "getnewaddress ( \"label\" \"address_type\" )\n"
              "\n"
              "Returns a new Bitcoin address for receiving payments.\n"
              "If 'label' is specified, it is added to the address book \n"
              "so payments received with the address will be associated with 'label'.\n"
              "\n"
              "Arguments:\n"
              "1. label           (string, optional, default=\"\") The label name for the address "
              "to be linked to. It can also be set to the empty string \"\" to represent the "
              "default label. The label does not need to exist, it will be created if there is no "
              "label by the given name.\n"
              "2. address_type    (string, optional, default=set by -addresstype) The address "
              "type to use. Options are \"legacy\", \"p2sh-segwit\", \"bech32\", and \"bech32m\".\n"
              "\n"
              "Result:\n"
              "\"str\"    (string) The new bitcoin address\n"
              "\n"
              "Examples:\n"
              "> minibit-cli getnewaddress \n"
              "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": "
              "\"curltest\", \"method\": \"getnewaddress\", \"params\": []}' -H 'content-type: "
              "application/json' http://127.0.0.1:8332/\n");
    EXPECT_EQ(m_table.Help("getbalances"),
              "getbalances\n"
              "\n"
              "Returns an object with all balances in BTC.\n"
              "\n"
              "Result:\n"
              "{                               (json object)\n"
              "  \"mine\" : {                    (json object) balances from outputs that the "
              "wallet can sign\n"
              "    \"trusted\" : n,              (numeric) trusted balance (outputs created by the "
              "wallet or confirmed outputs)\n"
              "    \"untrusted_pending\" : n,    (numeric) untrusted pending balance (outputs "
              "created by others that are in the mempool)\n"
              "    \"immature\" : n,             (numeric) balance from immature coinbase outputs\n"
              "    \"used\" : n                  (numeric, optional) (only present if avoid_reuse "
              "is set) balance from coins sent to addresses that were previously spent from "
              "(potentially privacy violating)\n"
              "  },\n"
              "  \"watchonly\" : {               (json object, optional) watchonly balances (not "
              "present if wallet does not watch anything)\n"
              "    \"trusted\" : n,              (numeric) trusted balance (outputs created by the "
              "wallet or confirmed outputs)\n"
              "    \"untrusted_pending\" : n,    (numeric) untrusted pending balance (outputs "
              "created by others that are in the mempool)\n"
              "    \"immature\" : n              (numeric) balance from immature coinbase outputs\n"
              "  },\n"
              "  \"lastprocessedblock\" : {      (json object) hash and height of the block this "
              "information was generated on\n"
              "    \"hash\" : \"hex\",             (string) hash of the block this information was "
              "generated on\n"
              "    \"height\" : n                (numeric) height of the block this information "
              "was generated on\n"
              "  }\n"
              "}\n"
              "\n"
              "Examples:\n"
              "> minibit-cli getbalances \n"
              "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": "
              "\"curltest\", \"method\": \"getbalances\", \"params\": []}' -H 'content-type: "
              "application/json' http://127.0.0.1:8332/\n");
}

// ---- parameter checks and error codes ------------------------------------------------------

TEST_F(QueryRpcTest, AddressParameterErrors)
{
    ASSERT_TRUE(Create("w"));
    ExpectError("getnewaddress", Json::array({"", "foo"}), -5, "Unknown address type 'foo'");
    ExpectError("getnewaddress", Json::array({"*"}), -11, "Invalid label name");
    ExpectError("getrawchangeaddress", Json::array({"p2wpkh"}), -5,
                "Unknown address type 'p2wpkh'");
    ExpectError("setlabel", Json::array({"notanaddress", "x"}), -5, "Invalid Bitcoin address");
    ExpectError("setlabel", Json::array({ForeignAddress(m_node.Params()), "*"}), -11,
                "Invalid label name");
    ExpectError("getaddressesbylabel", Json::array({"nobody"}), -11,
                "No addresses with label nobody");
    ExpectError("getaddressesbylabel", Json::array({"*"}), -11, "Invalid label name");
    // Core passes on the decoder's reason; any non-empty message with -5 will do here.
    const auto bad = Call("getaddressinfo", Json::array({"notanaddress"}));
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, -5);
    EXPECT_FALSE(bad.error().message.empty());
    // A mainnet address on regtest is invalid too.
    const auto mainnet =
        Call("getaddressinfo", Json::array({"bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"}));
    ASSERT_FALSE(mainnet.has_value());
    EXPECT_EQ(mainnet.error().code, -5);
}

TEST_F(QueryRpcTest, WalletsWithoutKeysRefuseAddresses)
{
    wallet::CreateOptions blank;
    blank.blank = true;
    ASSERT_TRUE(Create("blank", blank));
    ExpectError("getnewaddress", Json::array(), -4, "Error: This wallet has no available keys",
                "blank");
    ExpectError("getrawchangeaddress", Json::array(), -4,
                "Error: This wallet has no available keys", "blank");
    // The key check comes before the label check, as in Core.
    ExpectError("getnewaddress", Json::array({"*"}), -4, "Error: This wallet has no available keys",
                "blank");
}

TEST_F(QueryRpcTest, BalanceAndListingParameterErrors)
{
    ASSERT_TRUE(Create("w"));
    ExpectError("getbalance", Json::array({"x"}), -32,
                "dummy first argument must be excluded or set to \"*\".");
    ExpectError("getbalance", Json::array({"", 0}), -32,
                "dummy first argument must be excluded or set to \"*\".");
    EXPECT_EQ(Ok("getbalance", Json::array({"*", 0})), Json(0.0));
    EXPECT_EQ(Ok("getbalance", Json::array({nullptr, 0})), Json(0.0));
    ExpectError("getbalance", Json::array({"*", 0, false, true}), -4,
                "wallet does not have the \"avoid reuse\" feature enabled");

    ExpectError("listtransactions", Json::array({"*", -1}), -8, "Negative count");
    ExpectError("listtransactions", Json::array({"*", 10, -1}), -8, "Negative from");
    ExpectError("listtransactions", Json::array({""}), -8,
                "Label argument must be a valid label name or \"*\".");
    EXPECT_EQ(Ok("listtransactions", Json::array()), Json::array());

    ExpectError("gettransaction", Json::array({std::string(64, '0')}), -5,
                "Invalid or non-wallet transaction id");
    ExpectError("gettransaction", Json::array({"zz"}), -8,
                "txid must be of length 64 (not 2, for 'zz')");
    ExpectError("listsinceblock", Json::array({std::string(64, 'a')}), -5, "Block not found");
    ExpectError("listsinceblock", Json::array({nullptr, 0}), -8, "Invalid parameter");
    ExpectError("listsinceblock", Json::array({nullptr, 1, false, true, false, "*"}), -11,
                "Invalid label name");

    ExpectError("listunspent", Json::array({1, 9999999, Json::array({"nope"})}), -5,
                "Invalid Bitcoin address: nope");
    const std::string foreign = ForeignAddress(m_node.Params());
    ExpectError("listunspent", Json::array({1, 9999999, Json::array({foreign, foreign})}), -8,
                "Invalid parameter, duplicated address: " + foreign);
    ExpectError("listunspent",
                Json::array({1, 9999999, Json::array(), true, Json{{"minimumAmount", -1}}}), -3,
                "Amount out of range");
    EXPECT_EQ(Ok("listunspent", Json::array()), Json::array());

    ExpectError("getreceivedbyaddress", Json::array({foreign}), -4, "Address not found in wallet");
    ExpectError("getreceivedbyaddress", Json::array({"nope"}), -5, "Invalid Bitcoin address");
    ExpectError("listreceivedbyaddress", Json::array({1, false, false, "nope"}), -4,
                "address_filter parameter was invalid");
}

TEST_F(QueryRpcTest, UnknownWalletIsRefused)
{
    ExpectError("getbalance", Json::array(), -18,
                "Requested wallet does not exist or is not loaded", "nobody");
}

// ---- behaviour -----------------------------------------------------------------------------

TEST_F(QueryRpcTest, AddressInfoDescribesOwnAndForeignAddresses)
{
    ASSERT_TRUE(Create("w"));
    const std::string address = Ok("getnewaddress", Json::array({"savings"}));
    ASSERT_EQ(address.rfind("bcrt1q", 0), 0u) << address;
    const Json info = Ok("getaddressinfo", Json::array({address}));
    EXPECT_EQ(info["address"], address);
    const consensus::Script script = ScriptOf(address, m_node.Params());
    EXPECT_EQ(info["scriptPubKey"], util::HexStr(script.bytes()));
    EXPECT_EQ(info["ismine"], true);
    EXPECT_EQ(info["iswatchonly"], false);
    EXPECT_EQ(info["solvable"], true);
    EXPECT_EQ(info["isscript"], false);
    EXPECT_EQ(info["iswitness"], true);
    EXPECT_EQ(info["witness_version"], 0);
    const std::vector<uint8_t> program(script.bytes().begin() + 2, script.bytes().end());
    EXPECT_EQ(info["witness_program"], util::HexStr(program));
    // The pubkey hashes to the witness program (checked with our own HASH160).
    ASSERT_TRUE(info.contains("pubkey"));
    const auto pubkey = Unhex(info["pubkey"].get<std::string>());
    ASSERT_EQ(pubkey.size(), 33u);
    const consensus::Uint160 hash = consensus::Hash160(pubkey);
    EXPECT_EQ(std::vector<uint8_t>(hash.begin(), hash.end()), program);
    EXPECT_EQ(info["iscompressed"], true);
    EXPECT_EQ(info["ischange"], false);
    EXPECT_EQ(info["hdmasterfingerprint"], ABANDON_FINGERPRINT);
    EXPECT_EQ(info["hdseedid"], std::string(40, '0'));
    EXPECT_TRUE(info["timestamp"].is_number());
    EXPECT_EQ(info["labels"], Json::array({"savings"}));
    EXPECT_EQ(info["desc"].get<std::string>().rfind("wpkh([73c5da0a/84", 0), 0u) << info["desc"];
    EXPECT_EQ(info["parent_desc"].get<std::string>().rfind("wpkh(", 0), 0u);
    // Core's field order.
    std::vector<std::string> keys;
    for (const auto& [key, value] : info.items())
        keys.push_back(key);
    EXPECT_EQ(Join(keys), "address scriptPubKey ismine solvable desc parent_desc iswatchonly "
                          "isscript iswitness witness_version witness_program pubkey iscompressed "
                          "ischange timestamp hdkeypath hdseedid hdmasterfingerprint labels");

    const std::string change = Ok("getrawchangeaddress", Json::array());
    const Json change_info = Ok("getaddressinfo", Json::array({change}));
    EXPECT_EQ(change_info["ismine"], true);
    EXPECT_EQ(change_info["ischange"], true);
    EXPECT_EQ(change_info["labels"], Json::array());

    const std::string foreign = ForeignAddress(m_node.Params());
    const Json other = Ok("getaddressinfo", Json::array({foreign}));
    EXPECT_EQ(other["ismine"], false);
    EXPECT_EQ(other["solvable"], false);
    EXPECT_FALSE(other.contains("desc"));
    EXPECT_FALSE(other.contains("timestamp"));
    EXPECT_FALSE(other.contains("pubkey"));
    EXPECT_EQ(other["labels"], Json::array());
}

TEST_F(QueryRpcTest, AddressTypesAndEmbeddedScripts)
{
    ASSERT_TRUE(Create("w"));
    const std::string legacy = Ok("getnewaddress", Json::array({"", "legacy"}));
    const std::string nested = Ok("getnewaddress", Json::array({"", "p2sh-segwit"}));
    const std::string taproot = Ok("getnewaddress", Json::array({"", "bech32m"}));
    EXPECT_EQ(taproot.rfind("bcrt1p", 0), 0u) << taproot;
    EXPECT_TRUE(legacy[0] == 'm' || legacy[0] == 'n') << legacy;
    EXPECT_EQ(nested[0], '2') << nested;

    const Json l = Ok("getaddressinfo", Json::array({legacy}));
    EXPECT_EQ(l["isscript"], false);
    EXPECT_EQ(l["iswitness"], false);
    EXPECT_TRUE(l.contains("pubkey"));

    const Json n = Ok("getaddressinfo", Json::array({nested}));
    EXPECT_EQ(n["isscript"], true);
    EXPECT_EQ(n["iswitness"], false);
    EXPECT_EQ(n["script"], "witness_v0_keyhash");
    ASSERT_TRUE(n.contains("embedded"));
    EXPECT_EQ(n["embedded"]["iswitness"], true);
    EXPECT_EQ(n["embedded"]["scriptPubKey"], n["hex"]);
    EXPECT_EQ(n["embedded"]["pubkey"], n["pubkey"]);
    // The P2SH script commits to the redeem script shown in "hex".
    const auto redeem = Unhex(n["hex"].get<std::string>());
    const consensus::Uint160 id = consensus::Hash160(redeem);
    const auto script = ScriptOf(nested, m_node.Params()).bytes();
    EXPECT_EQ(std::vector<uint8_t>(script.begin() + 2, script.begin() + 22),
              std::vector<uint8_t>(id.begin(), id.end()));

    const Json t = Ok("getaddressinfo", Json::array({taproot}));
    EXPECT_EQ(t["isscript"], true);
    EXPECT_EQ(t["iswitness"], true);
    EXPECT_EQ(t["witness_version"], 1);
    EXPECT_EQ(t["ismine"], true);
}

TEST_F(QueryRpcTest, LabelsAndAddressBook)
{
    ASSERT_TRUE(Create("w"));
    const std::string mine = Ok("getnewaddress", Json::array({"rent"}));
    const std::string foreign = ForeignAddress(m_node.Params());
    EXPECT_EQ(Ok("setlabel", Json::array({foreign, "landlord"})), Json(nullptr));
    EXPECT_EQ(Ok("listlabels", Json::array()), Json::array({"landlord", "rent"}));
    EXPECT_EQ(Ok("listlabels", Json::array({"receive"})), Json::array({"rent"}));
    EXPECT_EQ(Ok("listlabels", Json::array({"send"})), Json::array({"landlord"}));
    EXPECT_EQ(Ok("listlabels", Json::array({""})), Json::array({"landlord", "rent"}));
    EXPECT_EQ(Ok("getaddressesbylabel", Json::array({"rent"})),
              (Json{{mine, Json{{"purpose", "receive"}}}}));
    EXPECT_EQ(Ok("getaddressesbylabel", Json::array({"landlord"})),
              (Json{{foreign, Json{{"purpose", "send"}}}}));
    // Relabelling moves the address.
    Ok("setlabel", Json::array({mine, "food"}));
    EXPECT_EQ(Ok("getaddressinfo", Json::array({mine}))["labels"], Json::array({"food"}));
    ExpectError("getaddressesbylabel", Json::array({"rent"}), -11, "No addresses with label rent");
}

TEST_F(QueryRpcTest, PaymentFromPendingToConfirmed)
{
    ASSERT_TRUE(Create("w"));
    const std::string address = Ok("getnewaddress", Json::array({"from alice"}));
    const auto tx = Pay(address, 3 * COIN / 2);
    const std::string txid = tx->GetHash().GetHex();

    Json balances = Ok("getbalances", Json::array());
    EXPECT_EQ(balances["mine"]["untrusted_pending"], Json(1.5));
    EXPECT_EQ(balances["mine"]["trusted"], Json(0.0));
    EXPECT_FALSE(balances["mine"].contains("used"));
    EXPECT_FALSE(balances.contains("watchonly"));
    EXPECT_EQ(balances["lastprocessedblock"]["height"], BASE_HEIGHT);
    EXPECT_EQ(Ok("getbalance", Json::array()), Json(0.0));

    EXPECT_EQ(Ok("listunspent", Json::array()), Json::array()); // minconf 1
    Json unspent = Ok("listunspent", Json::array({0}));
    ASSERT_EQ(unspent.size(), 1u);
    EXPECT_EQ(unspent[0]["txid"], txid);
    EXPECT_EQ(unspent[0]["confirmations"], 0);
    EXPECT_EQ(unspent[0]["ancestorcount"], 1);
    EXPECT_EQ(unspent[0]["ancestorfees"], 10'000); // the fixture's fee, in sat
    EXPECT_EQ(unspent[0]["safe"], false);          // from outside, unconfirmed
    EXPECT_EQ(Ok("listunspent", Json::array({0, 9999999, Json::array(), false})), Json::array());

    Json got = Ok("gettransaction", Json::array({txid}));
    EXPECT_EQ(got["amount"], Json(1.5));
    EXPECT_FALSE(got.contains("fee"));
    EXPECT_EQ(got["confirmations"], 0);
    EXPECT_EQ(got["trusted"], false);
    EXPECT_FALSE(got.contains("blockhash"));
    EXPECT_EQ(got["bip125-replaceable"], "yes");
    ASSERT_EQ(got["details"].size(), 1u);
    EXPECT_EQ(got["details"][0]["category"], "receive");
    EXPECT_EQ(got["details"][0]["label"], "from alice");

    const auto block = m_node.Mine({tx});
    m_node.Sync();
    balances = Ok("getbalances", Json::array());
    EXPECT_EQ(balances["mine"]["trusted"], Json(1.5));
    EXPECT_EQ(balances["mine"]["untrusted_pending"], Json(0.0));
    EXPECT_EQ(balances["lastprocessedblock"]["hash"], block.GetHex());
    EXPECT_EQ(Ok("getbalance", Json::array({"*", 1})), Json(1.5));
    EXPECT_EQ(Ok("getbalance", Json::array({"*", 2})), Json(0.0));

    got = Ok("gettransaction", Json::array({txid, false, true}));
    EXPECT_EQ(got["confirmations"], 1);
    EXPECT_FALSE(got.contains("trusted"));
    EXPECT_EQ(got["blockhash"], block.GetHex());
    EXPECT_EQ(got["blockheight"], BASE_HEIGHT + 1);
    EXPECT_EQ(got["blockindex"], 1);
    EXPECT_EQ(got["bip125-replaceable"], "no");
    EXPECT_EQ(got["txid"], txid);
    EXPECT_EQ(got["wtxid"], tx->GetWitnessHash().GetHex());
    EXPECT_EQ(got["hex"], util::HexStr(consensus::Encode(*tx)));
    EXPECT_EQ(got["decoded"]["txid"], txid);
    EXPECT_FALSE(got["decoded"].contains("hex"));
    const Json& detail = got["details"][0];
    EXPECT_EQ(detail["address"], address);
    EXPECT_EQ(detail["amount"], Json(1.5));
    EXPECT_EQ(detail["vout"], 0);
    EXPECT_EQ(detail["abandoned"], false);
    EXPECT_FALSE(detail.contains("confirmations")); // details carry no transaction facts
    ASSERT_EQ(detail["parent_descs"].size(), 1u);
    EXPECT_EQ(detail["parent_descs"][0].get<std::string>().rfind("wpkh(", 0), 0u);

    unspent = Ok("listunspent", Json::array());
    ASSERT_EQ(unspent.size(), 1u);
    EXPECT_EQ(unspent[0]["address"], address);
    EXPECT_EQ(unspent[0]["label"], "from alice");
    EXPECT_EQ(unspent[0]["amount"], Json(1.5));
    EXPECT_EQ(unspent[0]["spendable"], true);
    EXPECT_EQ(unspent[0]["solvable"], true);
    EXPECT_EQ(unspent[0]["safe"], true);
    EXPECT_FALSE(unspent[0].contains("ancestorcount"));
    EXPECT_EQ(unspent[0]["scriptPubKey"], util::HexStr(ScriptOf(address, m_node.Params()).bytes()));
    // Filters: by address, by amount.
    EXPECT_EQ(Ok("listunspent", Json::array({1, 9999999, Json::array({address})})).size(), 1u);
    EXPECT_EQ(Ok("listunspent",
                 Json::array({1, 9999999, Json::array({ForeignAddress(m_node.Params())})})),
              Json::array());
    EXPECT_EQ(Ok("listunspent",
                 Json::array({1, 9999999, Json::array(), true, Json{{"minimumAmount", 2}}})),
              Json::array());
    EXPECT_EQ(Ok("listunspent", Json::array({2})), Json::array());

    const Json listed = Ok("listtransactions", Json::array());
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["category"], "receive");
    EXPECT_EQ(listed[0]["confirmations"], 1);
    EXPECT_EQ(listed[0]["blockhash"], block.GetHex());

    EXPECT_EQ(Ok("getreceivedbyaddress", Json::array({address})), Json(1.5));
    EXPECT_EQ(Ok("getreceivedbyaddress", Json::array({address, 2})), Json(0.0));
    EXPECT_EQ(Ok("getreceivedbylabel", Json::array({"from alice"})), Json(1.5));
    const Json received = Ok("listreceivedbyaddress", Json::array());
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0]["address"], address);
    EXPECT_EQ(received[0]["amount"], Json(1.5));
    EXPECT_EQ(received[0]["confirmations"], 1);
    EXPECT_EQ(received[0]["txids"], Json::array({txid}));
    const Json by_label = Ok("listreceivedbylabel", Json::array());
    ASSERT_EQ(by_label.size(), 1u);
    EXPECT_EQ(by_label[0]["label"], "from alice");
}

TEST_F(QueryRpcTest, ListTransactionsCountSkipAndLabel)
{
    ASSERT_TRUE(Create("w"));
    std::vector<std::string> txids;
    for (int i = 0; i < 3; ++i) {
        const std::string address =
            Ok("getnewaddress", Json::array({i == 1 ? "odd" : ""})).get<std::string>();
        const auto tx = Pay(address, (i + 1) * COIN);
        m_node.Mine({tx});
        m_node.Sync();
        txids.push_back(tx->GetHash().GetHex());
    }
    const auto ids = [](const Json& list) {
        std::vector<std::string> out;
        for (const auto& entry : list)
            out.push_back(entry["txid"]);
        return out;
    };
    // Oldest first; count and skip count back from the newest.
    EXPECT_EQ(ids(Ok("listtransactions", Json::array())), txids);
    EXPECT_EQ(ids(Ok("listtransactions", Json::array({"*", 2}))),
              (std::vector<std::string>{txids[1], txids[2]}));
    EXPECT_EQ(ids(Ok("listtransactions", Json::array({"*", 1, 1}))),
              (std::vector<std::string>{txids[1]}));
    EXPECT_EQ(ids(Ok("listtransactions", Json::array({"*", 10, 5}))), std::vector<std::string>{});
    EXPECT_EQ(ids(Ok("listtransactions", Json::array({"odd"}))),
              (std::vector<std::string>{txids[1]}));
    EXPECT_EQ(ids(Ok("listtransactions", Json::array({nullptr, 0}))), std::vector<std::string>{});
}

TEST_F(QueryRpcTest, SpendShowsFeeAndNegativeAmount)
{
    auto w = Create("w");
    ASSERT_TRUE(w);
    const std::string address = Ok("getnewaddress", Json::array());
    const auto funding = Pay(address, 2 * COIN);
    m_node.Mine({funding});
    m_node.Sync();

    // Pay 0.5 BTC to a foreign address with 0.0001 BTC fee and change back to us.
    consensus::MutableTransaction spend;
    consensus::TxIn in;
    in.prevout = consensus::OutPoint{funding->GetHash(), 0};
    in.sequence = 0xfffffffd;
    spend.vin.push_back(in);
    const std::string foreign = ForeignAddress(m_node.Params(), 0x22);
    spend.vout.push_back(consensus::TxOut{COIN / 2, ScriptOf(foreign, m_node.Params())});
    auto change = w->GetNewChangeScript(wallet::OutputType::BECH32);
    ASSERT_TRUE(change);
    constexpr Amount FEE{10'000};
    spend.vout.push_back(consensus::TxOut{2 * COIN - COIN / 2 - FEE, *change});
    auto signed_ok = w->SignTransaction(spend, {}, 1);
    ASSERT_TRUE(signed_ok);
    ASSERT_TRUE(signed_ok->empty());
    const auto tx = consensus::MakeTransactionRef(std::move(spend));
    ASSERT_TRUE(w->CommitTransaction(tx, {{"comment", "rent"}}));
    m_node.Sync();

    const Json got = Ok("gettransaction", Json::array({tx->GetHash().GetHex()}));
    EXPECT_EQ(got["amount"], Json(-0.5));
    EXPECT_EQ(got["fee"], Json(-Btc(FEE)));
    EXPECT_EQ(got["trusted"], true); // our own
    EXPECT_EQ(got["comment"], "rent");
    ASSERT_EQ(got["details"].size(), 1u); // the change is left out
    const Json& sent = got["details"][0];
    EXPECT_EQ(sent["category"], "send");
    EXPECT_EQ(sent["address"], foreign);
    EXPECT_EQ(sent["amount"], Json(-0.5));
    EXPECT_EQ(sent["fee"], Json(-Btc(FEE)));
    EXPECT_EQ(sent["vout"], 0);
    EXPECT_EQ(sent["abandoned"], false);

    // Trusted balance: 2 - 0.5 - fee of change, spendable at once.
    EXPECT_EQ(Ok("getbalance", Json::array()), Json(Btc(2 * COIN - COIN / 2 - FEE)));
    const Json listed = Ok("listtransactions", Json::array());
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[1]["category"], "send");
    EXPECT_EQ(listed[1]["comment"], "rent");
    // include_change lists the change output too.
    const Json since = Ok("listsinceblock", Json::array({nullptr, 1, false, true, true}));
    int change_entries = 0;
    for (const auto& entry : since["transactions"]) {
        if (entry["txid"] == tx->GetHash().GetHex() && entry["vout"] == 1) ++change_entries;
    }
    EXPECT_EQ(change_entries, 2); // a send and a receive entry, as in Core

    // A replacement paying more fee evicts the spend: it then shows the conflict.
    consensus::MutableTransaction bump;
    bump.vin.push_back(in);
    bump.vout.push_back(consensus::TxOut{COIN / 2, ScriptOf(foreign, m_node.Params())});
    bump.vout.push_back(consensus::TxOut{2 * COIN - COIN / 2 - 3 * FEE, *change});
    signed_ok = w->SignTransaction(bump, {}, 1);
    ASSERT_TRUE(signed_ok);
    const auto replacement = consensus::MakeTransactionRef(std::move(bump));
    ASSERT_EQ(m_node.Accept(replacement), "");
    m_node.Sync();
    const Json old_tx = Ok("gettransaction", Json::array({tx->GetHash().GetHex()}));
    EXPECT_EQ(old_tx["mempoolconflicts"], Json::array({replacement->GetHash().GetHex()}));
    const Json new_tx = Ok("gettransaction", Json::array({replacement->GetHash().GetHex()}));
    EXPECT_EQ(new_tx["mempoolconflicts"], Json::array());
    EXPECT_EQ(new_tx["fee"], Json(-Btc(3 * FEE)));
}

TEST_F(QueryRpcTest, ListSinceBlockFollowsReorgs)
{
    ASSERT_TRUE(Create("w"));
    const std::string address = Ok("getnewaddress", Json::array());
    const auto first = Pay(address, COIN);
    const auto b1 = m_node.Mine({first});
    m_node.Sync();
    const auto second = Pay(address, 2 * COIN);
    const auto b2 = m_node.Mine({second});
    m_node.Sync();

    Json since = Ok("listsinceblock", Json::array({b1.GetHex()}));
    ASSERT_EQ(since["transactions"].size(), 1u);
    EXPECT_EQ(since["transactions"][0]["txid"], second->GetHash().GetHex());
    EXPECT_EQ(since["removed"], Json::array());
    EXPECT_EQ(since["lastblock"], b2.GetHex());
    EXPECT_EQ(Ok("listsinceblock", Json::array({b1.GetHex(), 2}))["lastblock"], b1.GetHex());
    EXPECT_FALSE(
        Ok("listsinceblock", Json::array({b1.GetHex(), 1, false, false})).contains("removed"));
    EXPECT_EQ(Ok("listsinceblock", Json::array())["transactions"].size(), 2u);

    // Replace b2 by a longer branch without `second`: it was removed.
    const auto f1 = m_node.Mine({}, b1);
    const auto f2 = m_node.Mine({}, f1);
    m_node.Sync();
    since = Ok("listsinceblock", Json::array({b2.GetHex()}));
    ASSERT_EQ(since["removed"].size(), 1u);
    EXPECT_EQ(since["removed"][0]["txid"], second->GetHash().GetHex());
    EXPECT_EQ(since["lastblock"], f2.GetHex());
}

TEST_F(QueryRpcTest, MinedCoinbaseIsImmatureUntilOneHundredConfirmations)
{
    ASSERT_TRUE(Create("w"));
    const std::string address = Ok("getnewaddress", Json::array());
    // A block paying its coinbase to the wallet, on top of the node's tip (last in this test:
    // the fixture's block builder does not know it).
    auto block = m_node.Chain().CreateNewBlock(ScriptOf(address, m_node.Params()), {});
    ASSERT_TRUE(block) << block.error().message;
    while (!consensus::CheckProofOfWork(block->header.GetHash(), block->header.bits,
                                        m_node.Params().GetConsensus())) {
        ++block->header.nonce;
    }
    const auto hash = block->header.GetHash();
    const auto coinbase = block->vtx.at(0);
    ASSERT_TRUE(
        m_node.Chain().SubmitBlock(std::make_shared<const consensus::Block>(*block)).accepted);
    m_node.Sync();

    const Json balances = Ok("getbalances", Json::array());
    EXPECT_EQ(balances["mine"]["immature"], Json(Btc(coinbase->GetValueOut())));
    EXPECT_EQ(balances["mine"]["trusted"], Json(0.0));
    const Json listed = Ok("listtransactions", Json::array());
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["category"], "immature");
    EXPECT_EQ(listed[0]["generated"], true);
    EXPECT_EQ(listed[0]["blockhash"], hash.GetHex());
    EXPECT_EQ(listed[0]["address"], address);

    EXPECT_EQ(Ok("listunspent", Json::array()), Json::array());
    const Json with_immature = Ok(
        "listunspent",
        Json::array({1, 9999999, Json::array(), true, Json{{"include_immature_coinbase", true}}}));
    ASSERT_EQ(with_immature.size(), 1u);
    EXPECT_EQ(with_immature[0]["txid"], coinbase->GetHash().GetHex());
    EXPECT_EQ(with_immature[0]["address"], address);
    EXPECT_EQ(Ok("listunspent", Json::array({2, 9999999, Json::array(), true,
                                             Json{{"include_immature_coinbase", true}}})),
              Json::array());

    EXPECT_EQ(Ok("getreceivedbyaddress", Json::array({address})), Json(0.0));
    EXPECT_EQ(Ok("getreceivedbyaddress", Json::array({address, 1, true})),
              Json(Btc(coinbase->GetValueOut())));
}

} // namespace
