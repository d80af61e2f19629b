// The wallet spending RPCs (wallet/rpc/wallet_spend*.cpp) through a MethodTable: their shapes
// against Bitcoin Core v28's published help (bitcoincore.org/en/doc/28.0.0/rpc/wallet/...,
// transcribed by hand: argument names in order, names nested in object/array arguments, result
// fields; "a[]" is an element of array a, a trailing "?" an optional field), and Core's
// parameter checks and error codes on a wallet without funds over a regtest chain at genesis.
#include "../rpc/fake_chain.h"
#include "../rpc/help_shapes.h"

#include <common/chainparams.h>
#include <common/key_io.h>
#include <common/psbt.h>
#include <common/sign.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/sighash.h>
#include <consensus/serialize.h>
#include <consensus/transaction.h>
#include <rpc/core_read.h>
#include <rpc/dispatch.h>
#include <rpc/method.h>
#include <testutil/test_dir.h>
#include <util/strings.h>
#include <wallet/context.h>
#include <wallet/rpc/register.h>
#include <wallet/wallet.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace {

using rpc::Json;
using rpc::ResultDoc;
using rpc::ResultType;
using rpc_test::CollectArgNames;
using rpc_test::CollectFields;
using rpc_test::Join;
using rpc_test::ResultShape;
using rpc_test::TypeWord;

// ---- a regtest chain holding only its genesis block ---------------------------------------

class GenesisChain : public rpc_test::FakeChainBase
{
public:
    GenesisChain() : m_params{common::ChainParams::RegTest()}
    {
        const auto& genesis = m_params->GenesisBlock();
        m_info.hash = genesis.header.GetHash();
        m_info.height = 0;
        m_info.header = genesis.header;
        m_info.median_time_past = genesis.header.time;
        m_info.tx_count = 1;
        m_info.chain_tx_count = 1;
        m_info.have_data = true;
        m_info.have_undo = true;
        m_info.in_active_chain = true;
        m_info.state = interfaces::BlockState::ACTIVE;
    }

    const common::ChainParams& Params() const override { return *m_params; }
    interfaces::TipSnapshot Tip() const override
    {
        interfaces::TipSnapshot tip;
        tip.hash = m_info.hash;
        tip.height = 0;
        tip.time = m_info.header.time;
        tip.median_time_past = m_info.header.time;
        tip.bits = m_info.header.bits;
        tip.chain_tx_count = 1;
        tip.headers = 0;
        tip.best_header_hash = m_info.hash;
        tip.initial_block_download = false;
        tip.verification_progress = 1;
        return tip;
    }
    interfaces::TipSnapshot WaitForTip(const std::function<bool(const interfaces::TipSnapshot&)>&,
                                       std::chrono::milliseconds) const override
    {
        return Tip();
    }
    std::optional<interfaces::BlockInfo> GetBlockInfo(const consensus::Uint256& hash) const override
    {
        if (hash == m_info.hash) return m_info;
        return std::nullopt;
    }
    std::optional<interfaces::BlockInfo> GetBlockInfoAtHeight(int height) const override
    {
        if (height == 0) return m_info;
        return std::nullopt;
    }
    std::optional<interfaces::BlockInfo> GetAncestor(const consensus::Uint256& hash,
                                                     int height) const override
    {
        if (hash == m_info.hash && height == 0) return m_info;
        return std::nullopt;
    }
    std::vector<interfaces::ChainTipInfo> GetChainTips() const override
    {
        return {{m_info.hash, 0, 0, interfaces::BlockState::ACTIVE}};
    }
    util::Expected<std::shared_ptr<const consensus::Block>>
    ReadBlock(const consensus::Uint256& hash) const override
    {
        if (hash != m_info.hash) return util::Unexpected("Block not found");
        return std::make_shared<const consensus::Block>(m_params->GenesisBlock());
    }
    util::Expected<interfaces::BlockUndo> ReadBlockUndo(const consensus::Uint256&) const override
    {
        return interfaces::BlockUndo{};
    }
    std::optional<interfaces::Coin> GetCoin(const consensus::OutPoint&) const override
    {
        return std::nullopt;
    }

private:
    std::unique_ptr<const common::ChainParams> m_params;
    interfaces::BlockInfo m_info;
};

// ---- Core v28's shapes ----------------------------------------------------------------------

struct MethodShape
{
    const char* name;
    const char* category;
    std::vector<std::string> args;
    const char* nested;
    std::vector<ResultShape> results;
};

const char* const SOLVING_DATA{
    "conf_target estimate_mode replaceable solving_data pubkeys pubkey scripts script "
    "descriptors descriptor"};

std::string Nested(const std::string& head)
{
    return head + " " + SOLVING_DATA;
}

const std::vector<MethodShape>& CoreShapes()
{
    static const std::string send_nested = Nested(
        "address data add_inputs include_unsafe minconf maxconf add_to_wallet change_address "
        "change_position change_type fee_rate include_watching inputs txid vout sequence weight "
        "locktime lock_unspents psbt subtract_fee_from_outputs vout_index max_tx_weight");
    static const std::string sendall_nested =
        Nested("address address add_to_wallet fee_rate include_watching inputs txid vout "
               "sequence locktime lock_unspents psbt send_max minconf maxconf");
    static const std::string wcfp_nested = Nested(
        "txid vout sequence weight address data add_inputs include_unsafe minconf maxconf "
        "changeAddress changePosition change_type includeWatching lockUnspents fee_rate feeRate "
        "subtractFeeFromOutputs vout_index max_tx_weight");
    static const std::string fund_nested =
        Nested("add_inputs include_unsafe minconf maxconf changeAddress changePosition change_type "
               "includeWatching lockUnspents fee_rate feeRate subtractFeeFromOutputs vout_index "
               "input_weights txid vout weight max_tx_weight");
    static const std::vector<MethodShape> shapes{
        {"bumpfee",
         "wallet",
         {"txid", "options"},
         "conf_target fee_rate replaceable estimate_mode outputs address data "
         "original_change_index",
         {{"", "json object", "txid origfee fee errors"}}},
        {"fundrawtransaction",
         "rawtransactions",
         {"hexstring", "options", "iswitness"},
         fund_nested.c_str(),
         {{"", "json object", "hex fee changepos"}}},
        {"psbtbumpfee",
         "wallet",
         {"txid", "options"},
         "conf_target fee_rate replaceable estimate_mode outputs address data "
         "original_change_index",
         {{"", "json object", "psbt origfee fee errors"}}},
        {"send",
         "wallet",
         {"outputs", "conf_target", "estimate_mode", "fee_rate", "options"},
         send_nested.c_str(),
         {{"", "json object", "complete txid? hex? psbt?"}}},
        {"sendall",
         "wallet",
         {"recipients", "conf_target", "estimate_mode", "fee_rate", "options"},
         sendall_nested.c_str(),
         {{"", "json object", "complete txid? hex? psbt?"}}},
        {"sendmany",
         "wallet",
         {"dummy", "amounts", "minconf", "comment", "subtractfeefrom", "replaceable", "conf_target",
          "estimate_mode", "fee_rate", "verbose"},
         "address address",
         {{"if verbose is not set or set to false", "string", ""},
          {"if verbose is set to true", "json object", "txid fee_reason"}}},
        {"sendtoaddress",
         "wallet",
         {"address", "amount", "comment", "comment_to", "subtractfeefromamount", "replaceable",
          "conf_target", "estimate_mode", "avoid_reuse", "fee_rate", "verbose"},
         "",
         {{"if verbose is not set or set to false", "string", ""},
          {"if verbose is set to true", "json object", "txid fee_reason"}}},
        {"signrawtransactionwithwallet",
         "wallet",
         {"hexstring", "prevtxs", "sighashtype"},
         "txid vout scriptPubKey redeemScript witnessScript amount",
         {{"", "json object",
           "hex complete errors? errors[].txid errors[].vout errors[].witness errors[].scriptSig "
           "errors[].sequence errors[].error"}}},
        {"walletcreatefundedpsbt",
         "wallet",
         {"inputs", "outputs", "locktime", "options", "bip32derivs"},
         wcfp_nested.c_str(),
         {{"", "json object", "psbt fee changepos"}}},
        {"walletprocesspsbt",
         "wallet",
         {"psbt", "sign", "sighashtype", "bip32derivs", "finalize"},
         "",
         {{"", "json object", "psbt complete hex?"}}},
    };
    return shapes;
}

wallet::WalletManagerOptions ManagerOptions(const testutil::TempDir& dir)
{
    wallet::WalletManagerOptions options;
    options.wallet_dir = dir.Path() / "wallets";
    options.settings_file = dir.Path() / "settings.json";
    // Deriving Core's 1000 keys per descriptor would make every wallet take a second.
    options.settings.keypool_size = 20;
    std::filesystem::create_directories(options.wallet_dir);
    return options;
}

class SpendShapesTest : public ::testing::Test
{
protected:
    SpendShapesTest() : m_manager{m_chain, ManagerOptions(m_dir), nullptr}
    {
        wallet::RegisterWalletSpendMethods(m_table, m_manager);
    }

    testutil::TempDir m_dir;
    GenesisChain m_chain;
    wallet::WalletManager m_manager;
    rpc::MethodTable m_table;
};

TEST_F(SpendShapesTest, RegistersExactlyCoresSpendingMethods)
{
    std::vector<std::string> expected;
    for (const auto& shape : CoreShapes())
        expected.push_back(shape.name);
    std::sort(expected.begin(), expected.end());
    // A description that is not well formed is silently left out; this catches it.
    EXPECT_EQ(m_table.MethodNames(), expected);
}

TEST_F(SpendShapesTest, ArgumentNamesOrderAndCategoryMatchCore)
{
    for (const auto& shape : CoreShapes()) {
        SCOPED_TRACE(shape.name);
        const rpc::Method* method = m_table.Find(shape.name);
        ASSERT_NE(method, nullptr);
        EXPECT_EQ(method->Category(), shape.category);
        std::vector<std::string> names;
        for (const auto& arg : method->Args())
            names.push_back(arg.names);
        EXPECT_EQ(names, shape.args);
        std::vector<std::string> nested;
        for (const auto& arg : method->Args())
            CollectArgNames(arg.inner, nested);
        EXPECT_EQ(Join(nested), shape.nested);
    }
}

TEST_F(SpendShapesTest, ResultTypesAndFieldsMatchCore)
{
    for (const auto& shape : CoreShapes()) {
        SCOPED_TRACE(shape.name);
        const rpc::Method* method = m_table.Find(shape.name);
        ASSERT_NE(method, nullptr);
        ASSERT_EQ(method->Results().size(), shape.results.size());
        for (size_t i = 0; i < shape.results.size(); ++i) {
            const ResultDoc& doc = method->Results()[i];
            EXPECT_EQ(doc.cond, shape.results[i].cond);
            EXPECT_EQ(TypeWord(doc.type), shape.results[i].type);
            std::vector<std::string> fields;
            CollectFields(doc, "", fields);
            EXPECT_EQ(Join(fields), shape.results[i].fields);
        }
    }
}

TEST_F(SpendShapesTest, SummaryLinesMatchCore)
{
    // The first line of Core v28's help for methods whose arguments are not options objects
    // (Core prints those as named-argument lists).
    EXPECT_EQ(m_table.Find("sendtoaddress")->SummaryLine(),
              "sendtoaddress \"address\" amount ( \"comment\" \"comment_to\" "
              "subtractfeefromamount replaceable conf_target \"estimate_mode\" avoid_reuse "
              "fee_rate verbose )");
    EXPECT_EQ(m_table.Find("sendmany")->SummaryLine(),
              "sendmany ( \"\" ) {\"address\":amount,...} ( minconf \"comment\" "
              "[\"address\",...] replaceable conf_target \"estimate_mode\" fee_rate verbose )");
    EXPECT_EQ(m_table.Find("walletprocesspsbt")->SummaryLine(),
              "walletprocesspsbt \"psbt\" ( sign \"sighashtype\" bip32derivs finalize )");
    EXPECT_EQ(m_table.Find("bumpfee")->SummaryLine(), "bumpfee \"txid\" ( options )");
    EXPECT_EQ(m_table.Find("send")->SummaryLine(),
              "send [{\"address\":amount,...},{\"data\":\"hex\"},...] ( conf_target "
              "\"estimate_mode\" fee_rate options )");
}

TEST_F(SpendShapesTest, EncryptedWalletsAreMentionedWhereCoreMentionsThem)
{
    const std::string note{
        "Requires wallet passphrase to be set with walletpassphrase call if wallet is encrypted."};
    for (const char* name :
         {"sendtoaddress", "sendmany", "walletprocesspsbt", "signrawtransactionwithwallet"}) {
        SCOPED_TRACE(name);
        EXPECT_NE(m_table.Help(name).find(note), std::string::npos);
    }
    for (const char* name : {"send", "sendall", "walletcreatefundedpsbt", "bumpfee"}) {
        SCOPED_TRACE(name);
        EXPECT_EQ(m_table.Help(name).find(note), std::string::npos);
    }
}

// ---- parameter checks on a wallet without funds -------------------------------------------

// One chain, manager and table for the whole suite: creating a wallet derives keys and opens
// a database (about a second), and every test here only reads.
struct CallsEnv
{
    CallsEnv() : manager{chain, ManagerOptions(dir), nullptr}
    {
        wallet::RegisterWalletSpendMethods(table, manager);
        table.FinishWarmup();
    }
    testutil::TempDir dir;
    GenesisChain chain;
    wallet::WalletManager manager;
    rpc::MethodTable table;
};

class SpendCallsTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_env = std::make_unique<CallsEnv>();
        s_setup_error.clear();
        const auto create = [](const std::string& name, const wallet::CreateOptions& options) {
            auto created = s_env->manager.CreateWallet(name, options, std::nullopt);
            if (const auto* error = std::get_if<wallet::LoadError>(&created)) {
                s_setup_error += name + ": " + error->message + "\n";
            }
        };
        create("w", {});
        wallet::CreateOptions locked;
        locked.passphrase = "secret";
        create("locked", locked);
        wallet::CreateOptions watch_only;
        watch_only.disable_private_keys = true;
        create("watchonly", watch_only);
    }
    static void TearDownTestSuite() { s_env.reset(); }

    void SetUp() override { ASSERT_TRUE(s_setup_error.empty()) << s_setup_error; }

    rpc::Result Call(const std::string& method, Json params, const std::string& wallet = "w")
    {
        rpc::JsonRequest request;
        request.method = method;
        request.params = std::move(params);
        rpc::Context context;
        context.uri = "/wallet/" + wallet;
        return s_env->table.Execute(request, context);
    }

    // Expects an error with exactly this code and message.
    void ExpectError(const rpc::Result& result, int code, const std::string& message)
    {
        ASSERT_FALSE(result.has_value()) << rpc::WriteJson(result.value());
        EXPECT_EQ(result.error().code, code);
        EXPECT_EQ(result.error().message, message);
    }

    // A regtest P2WPKH address of a fixed key hash, encoded independently of the wallet.
    static std::string Address(uint8_t fill = 0x11)
    {
        common::WitnessV0KeyHash dest;
        std::fill(dest.hash.begin(), dest.hash.end(), fill);
        return common::EncodeDestination(dest, s_env->chain.Params());
    }

    // A transaction spending an output no wallet here knows.
    static consensus::MutableTransaction ForeignTx()
    {
        consensus::MutableTransaction tx;
        tx.vin.resize(1);
        tx.vin[0].prevout.hash.begin()[0] = 1;
        tx.vin[0].prevout.n = 3;
        tx.vin[0].sequence = 0xfffffffd;
        tx.vout.push_back({1000, consensus::Script{std::vector<uint8_t>{0x51}}});
        return tx;
    }

    static inline std::unique_ptr<CallsEnv> s_env;
    static inline std::string s_setup_error;
};

TEST_F(SpendCallsTest, AddressesAreRegtestBech32)
{
    // Guards the helper the other tests rely on.
    EXPECT_EQ(Address().rfind("bcrt1q", 0), 0u);
}

TEST_F(SpendCallsTest, SendManyRefusesANonEmptyDummy)
{
    ExpectError(Call("sendmany", Json::array({"x", Json{{Address(), 1}}})),
                rpc::RPC_INVALID_PARAMETER, "Dummy value must be set to \"\"");
}

TEST_F(SpendCallsTest, SendManyRefusesTheSameAddressTwice)
{
    // Upper- and lower-case bech32 are one destination (Core compares destinations).
    std::string upper = Address();
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    Json amounts = Json::object();
    amounts[Address()] = 0.1;
    amounts[upper] = 0.2;
    ExpectError(Call("sendmany", Json::array({"", amounts})), rpc::RPC_INVALID_PARAMETER,
                "Invalid parameter, duplicated address: " + upper);
}

TEST_F(SpendCallsTest, SendManySubtractFeeFromUnknownAddress)
{
    ExpectError(Call("sendmany", Json::array({"", Json{{Address(), 0.1}}, nullptr, nullptr,
                                              Json::array({Address(0x22)})})),
                rpc::RPC_INVALID_PARAMETER,
                "Invalid parameter 'subtract fee from output', destination " + Address(0x22) +
                    " not found in tx outputs");
}

TEST_F(SpendCallsTest, InvalidAddressIsMinus5)
{
    ExpectError(Call("sendtoaddress", Json::array({"notanaddress", 0.1})),
                rpc::RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address: notanaddress");
    ExpectError(Call("sendmany", Json::array({"", Json{{"notanaddress", 0.1}}})),
                rpc::RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address: notanaddress");
    // A mainnet address is not valid on regtest.
    ExpectError(Call("send", Json::array({Json::array(
                                 {Json{{"bc1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl", 0.1}}})})),
                rpc::RPC_INVALID_ADDRESS_OR_KEY,
                "Invalid Bitcoin address: bc1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl");
}

TEST_F(SpendCallsTest, ConfTargetAndFeeRateTogetherAreRefused)
{
    const std::string message{
        "Cannot specify both conf_target and fee_rate. Please provide either a confirmation "
        "target in blocks for automatic fee estimation, or an explicit fee rate."};
    Json named = Json{{"address", Address()}, {"amount", 0.1}, {"conf_target", 6}, {"fee_rate", 2}};
    ExpectError(Call("sendtoaddress", named), rpc::RPC_INVALID_PARAMETER, message);
    ExpectError(
        Call("sendmany",
             Json{{"amounts", Json{{Address(), 0.1}}}, {"conf_target", 6}, {"fee_rate", 2}}),
        rpc::RPC_INVALID_PARAMETER, message);
}

TEST_F(SpendCallsTest, SendChecksItsFeeArgumentsAndOptionsLikeCore)
{
    const Json outputs = Json::array({Json{{Address(), 0.1}}});
    ExpectError(
        Call("send", Json::array({outputs, 6, "economical", nullptr, Json{{"conf_target", 6}}})),
        rpc::RPC_INVALID_PARAMETER,
        "Pass conf_target and estimate_mode either as arguments or in the options "
        "object, but not both");
    ExpectError(Call("send", Json::array({outputs, nullptr, nullptr, 2, Json{{"fee_rate", 2}}})),
                rpc::RPC_INVALID_PARAMETER,
                "Pass the fee_rate either as an argument, or in the options object, but not both");
    ExpectError(Call("send", Json::array({outputs, 6})), rpc::RPC_INVALID_PARAMETER,
                "Specify estimate_mode");
    ExpectError(Call("send", Json::array({outputs, nullptr, nullptr, nullptr,
                                          Json{{"changeAddress", Address()}}})),
                rpc::RPC_INVALID_PARAMETER, "Use change_address instead of changeAddress");
    ExpectError(
        Call("send", Json::array({outputs, nullptr, nullptr, nullptr, Json{{"feeRate", 0.0001}}})),
        rpc::RPC_INVALID_PARAMETER, "Use fee_rate (sat/vB) instead of feeRate");
    // An options key Core does not know is a type error.
    ExpectError(Call("send", Json::array({outputs, nullptr, nullptr, 1, Json{{"bogus", 1}}})),
                rpc::RPC_TYPE_ERROR, "Unexpected key bogus");
    ExpectError(
        Call("send", Json::array({outputs, nullptr, nullptr, 1, Json{{"change_type", "p2wpkh"}}})),
        rpc::RPC_INVALID_ADDRESS_OR_KEY, "Unknown change type 'p2wpkh'");
    ExpectError(
        Call("send", Json::array({outputs, nullptr, nullptr, 1, Json{{"change_position", 2}}})),
        rpc::RPC_INVALID_PARAMETER, "changePosition out of bounds");
}

TEST_F(SpendCallsTest, OutputsParsingFollowsCore)
{
    const Json data = Json{{"data", "00"}};
    ExpectError(Call("send", Json::array({Json::array({data, data})})), rpc::RPC_INVALID_PARAMETER,
                "Invalid parameter, duplicate key: data");
    ExpectError(Call("send", Json::array({Json::array({Json{{Address(), 1}, {"data", "00"}}})})),
                rpc::RPC_INVALID_PARAMETER,
                "Invalid parameter, key-value pair must contain exactly one key");
    ExpectError(Call("send", Json::array({Json::array({"x"})})), rpc::RPC_INVALID_PARAMETER,
                "Invalid parameter, key-value pair not an object as expected");
    ExpectError(Call("walletcreatefundedpsbt", Json::array({Json::array(), Json::array()})),
                rpc::RPC_INVALID_PARAMETER, "TX must have at least one output");
}

TEST_F(SpendCallsTest, SendAllNeedsAnAddressWithoutAmount)
{
    ExpectError(Call("sendall", Json::array({Json::array({Json{{Address(), 0.1}}})})),
                rpc::RPC_INVALID_PARAMETER,
                "Must provide at least one address without a specified amount");
    ExpectError(Call("sendall", Json::array({Json::array({Address()}), nullptr, nullptr, 1,
                                             Json{{"minconf", -1}}})),
                rpc::RPC_INVALID_PARAMETER, "Invalid minconf (minconf cannot be negative): -1");
}

TEST_F(SpendCallsTest, BadSighashTypesAreRefused)
{
    const auto tx = ForeignTx();
    const auto psbt = common::CreatePsbt(tx);
    ASSERT_TRUE(psbt);
    const std::string base64 = common::EncodePsbtBase64(psbt.value());
    ExpectError(Call("walletprocesspsbt", Json::array({base64, false, "ALL|FOO"})),
                rpc::RPC_INVALID_PARAMETER, "'ALL|FOO' is not a valid sighash parameter.");
    const std::string hex = util::HexStr(consensus::Encode(tx));
    // Core's names are case-sensitive.
    ExpectError(Call("signrawtransactionwithwallet", Json::array({hex, nullptr, "all"})),
                rpc::RPC_INVALID_PARAMETER, "'all' is not a valid sighash parameter.");
    // Every name Core lists is accepted.
    for (const char* name : {"DEFAULT", "ALL", "NONE", "SINGLE", "ALL|ANYONECANPAY",
                             "NONE|ANYONECANPAY", "SINGLE|ANYONECANPAY"}) {
        SCOPED_TRACE(name);
        const auto result = Call("walletprocesspsbt", Json::array({base64, false, name}));
        EXPECT_TRUE(result.has_value()) << result.error().message;
    }
}

TEST_F(SpendCallsTest, UndecodableInputsAreMinus22)
{
    const auto psbt_result = Call("walletprocesspsbt", Json::array({"bm90IGEgcHNidA=="}));
    ASSERT_FALSE(psbt_result.has_value());
    EXPECT_EQ(psbt_result.error().code, rpc::RPC_DESERIALIZATION_ERROR);
    EXPECT_EQ(psbt_result.error().message.rfind("TX decode failed ", 0), 0u);
    ExpectError(Call("signrawtransactionwithwallet", Json::array({"00"})),
                rpc::RPC_DESERIALIZATION_ERROR,
                "TX decode failed. Make sure the tx has at least one input.");
    ExpectError(Call("fundrawtransaction", Json::array({"00"})), rpc::RPC_DESERIALIZATION_ERROR,
                "TX decode failed");
}

TEST_F(SpendCallsTest, FundRawTransactionChecksLikeCore)
{
    auto tx = ForeignTx();
    tx.vout.clear();
    const std::string no_outputs = util::HexStr(consensus::Encode(tx));
    // Core still accepts `true` for the options (meaning includeWatching).
    ExpectError(Call("fundrawtransaction", Json::array({no_outputs, true})),
                rpc::RPC_INVALID_PARAMETER, "TX must have at least one output");
    const std::string one_output = util::HexStr(consensus::Encode(ForeignTx()));
    ExpectError(Call("fundrawtransaction",
                     Json::array({one_output, Json{{"subtractFeeFromOutputs", Json{1}}}})),
                rpc::RPC_INVALID_PARAMETER,
                "Invalid parameter 'subtract fee from output', position too large: 1");
    ExpectError(Call("fundrawtransaction",
                     Json::array({one_output, Json{{"feeRate", 0.0001}, {"fee_rate", 1}}})),
                rpc::RPC_INVALID_PARAMETER,
                "Cannot specify both fee_rate (sat/vB) and feeRate (BTC/kvB)");
    ExpectError(
        Call("fundrawtransaction", Json::array({one_output, Json{{"change_address", "nope"}}})),
        rpc::RPC_INVALID_ADDRESS_OR_KEY, "Change address must be a valid bitcoin address");
    ExpectError(Call("fundrawtransaction", Json::array({one_output, Json{{"minconf", -1}}})),
                rpc::RPC_INVALID_PARAMETER, "Negative minconf");
    ExpectError(
        Call("fundrawtransaction", Json::array({one_output, Json{{"minconf", 2}, {"maxconf", 1}}})),
        rpc::RPC_INVALID_PARAMETER, "maxconf can't be lower than minconf: 1 < 2");
    ExpectError(Call("fundrawtransaction", Json::array({one_output, Json{{"add_inputs", 1}}})),
                rpc::RPC_TYPE_ERROR,
                "JSON value of type number for field add_inputs is not of expected type bool");
}

TEST_F(SpendCallsTest, InputsAndSendAllOptionsFollowCore)
{
    const Json outputs = Json::array({Json{{Address(), 0.1}}});
    const Json input = Json{{"txid", std::string(64, 'b')}, {"vout", 0}};
    ExpectError(Call("walletcreatefundedpsbt",
                     Json::array({Json::array({Json{{"txid", std::string(64, 'b')}}}), outputs})),
                rpc::RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key");
    ExpectError(Call("walletcreatefundedpsbt",
                     Json::array({Json::array({Json{{"txid", std::string(64, 'b')}, {"vout", -1}}}),
                                  outputs})),
                rpc::RPC_INVALID_PARAMETER, "Invalid parameter, vout cannot be negative");
    ExpectError(
        Call("walletcreatefundedpsbt", Json::array({Json::array({input}), outputs, nullptr,
                                                    Json{{"input_weights", Json::array()}}})),
        rpc::RPC_INVALID_PARAMETER,
        "Input weights should be specified in inputs rather than in options.");
    ExpectError(Call("walletcreatefundedpsbt", Json::array({Json::array({input}), outputs, -1})),
                rpc::RPC_INVALID_PARAMETER, "Invalid parameter, locktime out of range");
    ExpectError(
        Call("sendall", Json::array({Json::array({Address()}), nullptr, nullptr, 1,
                                     Json{{"inputs", Json::array({input})}, {"send_max", true}}})),
        rpc::RPC_INVALID_PARAMETER, "Cannot combine send_max with specific inputs.");
    ExpectError(Call("sendall", Json::array({Json::array({Address()}), nullptr, nullptr, 1,
                                             Json{{"inputs", Json::array({input})}}})),
                rpc::RPC_INVALID_PARAMETER,
                "Input not found. UTXO (" + std::string(64, 'b') + ":0) is not part of wallet.");
}

TEST_F(SpendCallsTest, BumpFeeChecksItsOptions)
{
    const std::string txid(64, 'a');
    ExpectError(Call("bumpfee", Json::array({txid, Json{{"confTarget", 2}, {"conf_target", 2}}})),
                rpc::RPC_INVALID_PARAMETER,
                "confTarget and conf_target options should not both be set. Use conf_target "
                "(confTarget is deprecated).");
    ExpectError(Call("bumpfee", Json::array({txid, Json{{"outputs", Json::array()}}})),
                rpc::RPC_INVALID_PARAMETER,
                "Invalid parameter, output argument cannot be an empty array");
    ExpectError(Call("psbtbumpfee", Json::array({"zz"})), rpc::RPC_INVALID_PARAMETER,
                "txid must be of length 64 (not 2, for 'zz')");
    ExpectError(Call("bumpfee", Json::array({txid})), rpc::RPC_INVALID_ADDRESS_OR_KEY,
                "Invalid or non-wallet transaction id");
}

TEST_F(SpendCallsTest, EmptyWalletIsShortOfFunds)
{
    // sendtoaddress answers any build failure with -6 (Core's SendMoney); the funding RPCs
    // answer -4 (Core's FundTransaction).
    const auto sent =
        Call("sendtoaddress", Json{{"address", Address()}, {"amount", 1}, {"fee_rate", 1}});
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().code, rpc::RPC_WALLET_INSUFFICIENT_FUNDS);
    EXPECT_EQ(sent.error().message.rfind("Insufficient funds", 0), 0u) << sent.error().message;
    const auto funded =
        Call("send", Json::array({Json::array({Json{{Address(), 1}}}), nullptr, nullptr, 1}));
    ASSERT_FALSE(funded.has_value());
    EXPECT_EQ(funded.error().code, rpc::RPC_WALLET_ERROR);
    EXPECT_EQ(funded.error().message.rfind("Insufficient funds", 0), 0u) << funded.error().message;
}

TEST_F(SpendCallsTest, UnknownWalletIsMinus18)
{
    ExpectError(Call("sendtoaddress", Json::array({Address(), 0.1}), "nope"),
                rpc::RPC_WALLET_NOT_FOUND, "Requested wallet does not exist or is not loaded");
}

TEST_F(SpendCallsTest, AvoidReuseNeedsTheWalletFlag)
{
    ExpectError(
        Call("sendtoaddress", Json{{"address", Address()}, {"amount", 0.1}, {"avoid_reuse", true}}),
        rpc::RPC_WALLET_ERROR, "wallet does not have the \"avoid reuse\" feature enabled");
}

TEST_F(SpendCallsTest, WatchOnlyWalletsCannotSignOrBump)
{
    ExpectError(Call("sendtoaddress",
                     Json{{"address", Address()}, {"amount", 0.1}, {"fee_rate", 1}}, "watchonly"),
                rpc::RPC_WALLET_ERROR, "Error: Private keys are disabled for this wallet");
    ExpectError(Call("bumpfee", Json::array({std::string(64, 'a')}), "watchonly"),
                rpc::RPC_WALLET_ERROR,
                "bumpfee is not available with wallets that have private keys disabled. Use "
                "psbtbumpfee instead.");
    // psbtbumpfee gets past that check to the unknown txid.
    ExpectError(Call("psbtbumpfee", Json::array({std::string(64, 'a')}), "watchonly"),
                rpc::RPC_INVALID_ADDRESS_OR_KEY, "Invalid or non-wallet transaction id");
}

TEST_F(SpendCallsTest, LockedWalletIsMinus13)
{
    const std::string message{
        "Error: Please enter the wallet passphrase with walletpassphrase first."};
    ExpectError(Call("sendtoaddress", Json::array({Address(), 0.1}), "locked"),
                rpc::RPC_WALLET_UNLOCK_NEEDED, message);
    ExpectError(Call("sendmany", Json::array({"", Json{{Address(), 0.1}}}), "locked"),
                rpc::RPC_WALLET_UNLOCK_NEEDED, message);
    ExpectError(Call("bumpfee", Json::array({std::string(64, 'a')}), "locked"),
                rpc::RPC_WALLET_UNLOCK_NEEDED, message);
    const auto tx = ForeignTx();
    const auto psbt = common::CreatePsbt(tx);
    ASSERT_TRUE(psbt);
    const std::string base64 = common::EncodePsbtBase64(psbt.value());
    ExpectError(Call("walletprocesspsbt", Json::array({base64}), "locked"),
                rpc::RPC_WALLET_UNLOCK_NEEDED, message);
    ExpectError(Call("signrawtransactionwithwallet",
                     Json::array({util::HexStr(consensus::Encode(tx))}), "locked"),
                rpc::RPC_WALLET_UNLOCK_NEEDED, message);
    // Updating without signing needs no passphrase.
    const auto updated = Call("walletprocesspsbt", Json::array({base64, false}), "locked");
    ASSERT_TRUE(updated.has_value()) << updated.error().message;
    EXPECT_EQ(updated.value().at("complete"), false);
    EXPECT_FALSE(updated.value().contains("hex"));
}

TEST_F(SpendCallsTest, ForeignInputsStayUnsigned)
{
    const auto tx = ForeignTx();
    const auto psbt = common::CreatePsbt(tx);
    ASSERT_TRUE(psbt);
    const auto processed =
        Call("walletprocesspsbt", Json::array({common::EncodePsbtBase64(psbt.value())}));
    ASSERT_TRUE(processed.has_value()) << processed.error().message;
    const Json& result = processed.value();
    EXPECT_EQ(result.at("complete"), false);
    EXPECT_FALSE(result.contains("hex"));
    const auto decoded = common::DecodePsbtBase64(result.at("psbt").get<std::string>());
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded.value().tx.GetHash(), tx.GetHash());

    // signrawtransactionwithwallet reports the input in Core's "errors" shape.
    const std::string hex = util::HexStr(consensus::Encode(tx));
    const auto signed_tx = Call("signrawtransactionwithwallet", Json::array({hex}));
    ASSERT_TRUE(signed_tx.has_value()) << signed_tx.error().message;
    const Json& sig = signed_tx.value();
    EXPECT_EQ(sig.at("hex"), hex);
    EXPECT_EQ(sig.at("complete"), false);
    ASSERT_EQ(sig.at("errors").size(), 1u);
    const Json& error = sig.at("errors")[0];
    EXPECT_EQ(error.at("txid"), tx.vin[0].prevout.hash.GetHex());
    EXPECT_EQ(error.at("vout"), 3);
    EXPECT_EQ(error.at("witness"), Json::array());
    EXPECT_EQ(error.at("scriptSig"), "");
    EXPECT_EQ(error.at("sequence"), 0xfffffffdu);
    EXPECT_EQ(error.at("error"), "Input not found or already spent");
}

TEST_F(SpendCallsTest, SignRawTransactionWithWalletReadsPrevtxs)
{
    // A wallet of its own: deriving an address changes state the other tests only read.
    auto created = s_env->manager.CreateWallet("prevtxs", {}, std::nullopt);
    ASSERT_FALSE(std::holds_alternative<wallet::LoadError>(created));
    const auto wallet = s_env->manager.GetWallet("prevtxs");
    ASSERT_TRUE(wallet);
    const auto address = wallet->GetNewAddress(wallet::OutputType::BECH32, "");
    ASSERT_TRUE(address) << address.error().message;
    const auto dest = common::DecodeDestination(address.value(), s_env->chain.Params());
    ASSERT_TRUE(dest);
    const consensus::Script ours = common::GetScriptForDestination(*dest);

    // The spent coin is in neither the chain nor the wallet: only prevtxs names it.
    const consensus::MutableTransaction tx = ForeignTx();
    const std::string hex = util::HexStr(consensus::Encode(tx));
    const auto entry = [&tx](const consensus::Script& spk) {
        return Json{{"txid", tx.vin[0].prevout.hash.GetHex()},
                    {"vout", tx.vin[0].prevout.n},
                    {"scriptPubKey", util::HexStr(spk.bytes())}};
    };
    const auto sign = [&](const Json& prevtx) {
        return Call("signrawtransactionwithwallet", Json::array({hex, Json::array({prevtx})}),
                    "prevtxs");
    };

    // Our P2WPKH output with its amount: signed, and the signature commits to that amount
    // (checked here by the script interpreter, not by the wallet).
    constexpr consensus::Amount VALUE{50'000};
    Json with_amount = entry(ours);
    with_amount["amount"] = 0.0005;
    const auto signed_tx = sign(with_amount);
    ASSERT_TRUE(signed_tx.has_value()) << signed_tx.error().message;
    EXPECT_EQ(signed_tx.value().at("complete"), true);
    EXPECT_FALSE(signed_tx.value().contains("errors"));
    const auto decoded = rpc::DecodeHexTx(signed_tx.value().at("hex"));
    ASSERT_TRUE(decoded);
    ASSERT_EQ(decoded->vin.size(), 1u);
    EXPECT_EQ(decoded->vin[0].witness.stack.size(), 2u);
    const consensus::Transaction signed_const{*decoded};
    const auto verifies = [&](consensus::Amount amount) {
        consensus::PrecomputedTxData txdata;
        txdata.Init(signed_const, {consensus::TxOut{amount, ours}});
        const consensus::TransactionSignatureChecker checker{&signed_const, 0, amount, txdata};
        return consensus::VerifyScript(signed_const.vin[0].script_sig, ours,
                                       &signed_const.vin[0].witness,
                                       common::STANDARD_SCRIPT_VERIFY_FLAGS, checker);
    };
    EXPECT_TRUE(verifies(VALUE));
    EXPECT_FALSE(verifies(VALUE + 1));

    // Without "amount" a segwit input cannot be signed: Core's -3 quoting CTxOut::ToString
    // with MAX_MONEY (21,000,000 BTC) as the placeholder amount.
    ExpectError(sign(entry(ours)), rpc::RPC_TYPE_ERROR,
                "Missing amount for CTxOut(nValue=21000000.00000000, scriptPubKey=" +
                    util::HexStr(ours.bytes()).substr(0, 30) + ")");

    // Someone else's P2WPKH: the coin is now known, so the error is the script's (Core's
    // interpreter wants exactly two witness items for a 20-byte v0 program).
    const auto foreign_dest = common::DecodeDestination(Address(0x22), s_env->chain.Params());
    ASSERT_TRUE(foreign_dest);
    Json foreign = entry(common::GetScriptForDestination(*foreign_dest));
    foreign["amount"] = 0.0005;
    const auto unsigned_tx = sign(foreign);
    ASSERT_TRUE(unsigned_tx.has_value()) << unsigned_tx.error().message;
    EXPECT_EQ(unsigned_tx.value().at("complete"), false);
    ASSERT_EQ(unsigned_tx.value().at("errors").size(), 1u);
    EXPECT_EQ(unsigned_tx.value().at("errors")[0].at("error"), "Witness program hash mismatch");

    // As Core's wallet passes no keystore, a P2SH entry needs no redeemScript.
    consensus::Script p2sh;
    p2sh << consensus::OP_HASH160 << std::vector<uint8_t>(20, 0x33) << consensus::OP_EQUAL;
    const auto p2sh_result = sign(entry(p2sh));
    ASSERT_TRUE(p2sh_result.has_value()) << p2sh_result.error().message;
    EXPECT_EQ(p2sh_result.value().at("errors")[0].at("error"),
              "Unable to sign input, invalid stack size (possibly missing key)");

    // Core's ParsePrevouts errors.
    Json negative = entry(ours);
    negative["vout"] = -1;
    ExpectError(sign(negative), rpc::RPC_DESERIALIZATION_ERROR, "vout cannot be negative");
    Json no_script = entry(ours);
    no_script.erase("scriptPubKey");
    ExpectError(sign(no_script), rpc::RPC_TYPE_ERROR, "Missing scriptPubKey");
}

} // namespace
