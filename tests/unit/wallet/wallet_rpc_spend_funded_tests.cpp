// The wallet spending RPCs with money: a funded wallet on an in-process regtest node
// (wallet_fixture.h) pays through sendtoaddress, bumpfee, send, sendall, walletcreatefundedpsbt
// + walletprocesspsbt and fundrawtransaction + signrawtransactionwithwallet, and the node's own
// mempool checks (testmempoolaccept's path) confirm the signatures and fees independently.
#include "wallet_fixture.h"

#include <common/psbt.h>
#include <consensus/serialize.h>
#include <rpc/core_read.h>
#include <rpc/dispatch.h>
#include <rpc/util.h>
#include <util/strings.h>
#include <wallet/context.h>
#include <wallet/rpc/register.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <variant>

namespace {

using rpc::Json;

class FundedSpendTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_env = std::make_unique<Env>();
        Env& env = *s_env;
        ASSERT_TRUE(env.table.Find("sendtoaddress"));
        auto created = env.manager.CreateWallet("alice", {}, std::nullopt);
        ASSERT_TRUE(std::holds_alternative<std::shared_ptr<wallet::Wallet>>(created))
            << std::get<wallet::LoadError>(created).message;
        env.alice = std::get<std::shared_ptr<wallet::Wallet>>(created);
        // Three 10 BTC coins, confirmed, so several spends can be built side by side.
        std::vector<consensus::TransactionRef> payments;
        for (int i = 0; i < 3; ++i) {
            auto address = env.alice->GetNewAddress(wallet::OutputType::BECH32, "");
            ASSERT_TRUE(address);
            payments.push_back(env.node.PayTo(wallet_test::ScriptOf(*address, env.node.Params()),
                                              10 * consensus::COIN));
        }
        env.node.Mine(payments);
        env.node.Sync();
    }
    static void TearDownTestSuite() { s_env.reset(); }

    struct Env
    {
        Env()
            : node{common::ChainParams::RegTest(), dir.Path(), 103}, manager{node.Chain(),
                                                                             Options(dir), nullptr}
        {
            wallet::RegisterWalletSpendMethods(table, manager);
            table.FinishWarmup();
        }
        static wallet::WalletManagerOptions Options(const testutil::TempDir& dir)
        {
            wallet::WalletManagerOptions options;
            options.wallet_dir = dir.Path() / "managed";
            options.settings_file = dir.Path() / "settings.json";
            options.settings = wallet_test::TestNode::Settings();
            std::filesystem::create_directories(options.wallet_dir);
            return options;
        }
        testutil::TempDir dir;
        wallet_test::TestNode node;
        wallet::WalletManager manager;
        rpc::MethodTable table;
        std::shared_ptr<wallet::Wallet> alice;
    };

    rpc::Result Call(const std::string& method, Json params)
    {
        rpc::JsonRequest request;
        request.method = method;
        request.params = std::move(params);
        rpc::Context context;
        context.uri = "/wallet/alice";
        return s_env->table.Execute(request, context);
    }

    Json Ok(const std::string& method, Json params)
    {
        auto result = Call(method, std::move(params));
        EXPECT_TRUE(result.has_value()) << method << ": " << result.error().message;
        return result.has_value() ? result.value() : Json{};
    }

    // An address outside the wallet.
    static std::string External(uint8_t fill)
    {
        common::WitnessV0KeyHash dest;
        std::fill(dest.hash.begin(), dest.hash.end(), fill);
        return common::EncodeDestination(dest, s_env->node.Params());
    }

    // The node's verdict on a signed transaction without adding it (testmempoolaccept).
    static std::string TestAccept(const std::string& hex)
    {
        auto tx = rpc::DecodeHexTx(Json(hex));
        if (!tx) return "undecodable";
        const auto result = s_env->node.Chain().AcceptTransaction(
            consensus::MakeTransactionRef(std::move(*tx)), /*test_accept=*/true, 0);
        return result.allowed ? "" : result.reject_reason;
    }

    static bool PaysTo(const consensus::Transaction& tx, const std::string& address,
                       consensus::Amount amount)
    {
        const auto script = wallet_test::ScriptOf(address, s_env->node.Params());
        for (const auto& out : tx.vout) {
            if (out.script_pubkey == script && out.value == amount) return true;
        }
        return false;
    }

    static inline std::unique_ptr<Env> s_env;
};

TEST_F(FundedSpendTest, SendToAddressCommitsWithCommentsAndBumpFeeReplacesIt)
{
    const Json txid = Ok("sendtoaddress", Json{{"address", External(0x31)},
                                               {"amount", "1.5"},
                                               {"comment", "pizza"},
                                               {"comment_to", "bob"},
                                               {"fee_rate", 2}});
    ASSERT_TRUE(txid.is_string());
    const auto hash = rpc::ParseHashParam(txid, "txid");
    const auto view = s_env->alice->GetTransaction(hash);
    ASSERT_TRUE(view);
    EXPECT_TRUE(PaysTo(*view->wtx.tx, External(0x31), 150'000'000));
    EXPECT_EQ(view->wtx.map_value.at("comment"), "pizza");
    EXPECT_EQ(view->wtx.map_value.at("to"), "bob");
    // It reached the node's mempool.
    EXPECT_TRUE(s_env->node.Chain().GetMempoolEntry(hash));

    const Json bumped = Ok("bumpfee", Json::array({txid, Json{{"fee_rate", 10}}}));
    ASSERT_TRUE(bumped.is_object());
    EXPECT_EQ(bumped.at("errors"), Json::array());
    const auto old_fee = rpc::JsonToAmount(bumped.at("origfee"));
    const auto new_fee = rpc::JsonToAmount(bumped.at("fee"));
    ASSERT_TRUE(old_fee && new_fee);
    EXPECT_GT(*new_fee, *old_fee);
    const auto new_hash = rpc::ParseHashParam(bumped.at("txid"), "txid");
    EXPECT_NE(new_hash, hash);
    const auto replacement = s_env->alice->GetTransaction(new_hash);
    ASSERT_TRUE(replacement);
    EXPECT_TRUE(PaysTo(*replacement->wtx.tx, External(0x31), 150'000'000));
    EXPECT_EQ(replacement->wtx.map_value.at("replaces_txid"), hash.GetHex());
    EXPECT_EQ(replacement->wtx.map_value.at("comment"), "pizza");
    EXPECT_EQ(s_env->alice->GetTransaction(hash)->wtx.map_value.at("replaced_by_txid"),
              new_hash.GetHex());
    EXPECT_TRUE(s_env->node.Chain().GetMempoolEntry(new_hash));
    EXPECT_FALSE(s_env->node.Chain().GetMempoolEntry(hash));
}

TEST_F(FundedSpendTest, VerboseResultsCarryTheFeeReason)
{
    const Json result =
        Ok("sendmany", Json{{"amounts", Json{{External(0x32), 0.25}, {External(0x33), 0.5}}},
                            {"fee_rate", 3},
                            {"verbose", true}});
    ASSERT_TRUE(result.is_object());
    EXPECT_EQ(result.at("txid").get<std::string>().size(), 64u);
    EXPECT_FALSE(result.at("fee_reason").get<std::string>().empty());
    const auto view = s_env->alice->GetTransaction(rpc::ParseHashParam(result.at("txid"), "txid"));
    ASSERT_TRUE(view);
    EXPECT_TRUE(PaysTo(*view->wtx.tx, External(0x32), 25'000'000));
    EXPECT_TRUE(PaysTo(*view->wtx.tx, External(0x33), 50'000'000));
}

TEST_F(FundedSpendTest, SendWithoutAddingToTheWalletReturnsASignedTransaction)
{
    const Json result = Ok("send", Json::array({Json::array({Json{{External(0x34), 0.1}}}), nullptr,
                                                nullptr, 2, Json{{"add_to_wallet", false}}}));
    ASSERT_TRUE(result.is_object());
    // Core's key order: psbt (add_to_wallet is false), txid, hex, complete.
    std::vector<std::string> keys;
    for (const auto& [key, value] : result.items())
        keys.push_back(key);
    EXPECT_EQ(keys, (std::vector<std::string>{"psbt", "txid", "hex", "complete"}));
    EXPECT_EQ(result.at("complete"), true);
    const std::string hex = result.at("hex").get<std::string>();
    const auto tx = rpc::DecodeHexTx(Json(hex));
    ASSERT_TRUE(tx);
    EXPECT_EQ(tx->GetHash().GetHex(), result.at("txid"));
    EXPECT_EQ(TestAccept(hex), "");
    // Not committed.
    EXPECT_FALSE(s_env->alice->GetTransaction(tx->GetHash()));
}

TEST_F(FundedSpendTest, FundedPsbtIsSignedByWalletProcessPsbt)
{
    const Json funded = Ok("walletcreatefundedpsbt",
                           Json::array({Json::array(), Json::array({Json{{External(0x35), 0.2}}}),
                                        0, Json{{"fee_rate", 2}}}));
    ASSERT_TRUE(funded.is_object());
    EXPECT_GT(*rpc::JsonToAmount(funded.at("fee")), 0);
    const auto psbt = common::DecodePsbtBase64(funded.at("psbt").get<std::string>());
    ASSERT_TRUE(psbt);
    EXPECT_EQ(psbt.value().tx.locktime, 0u); // the locktime argument (Core: default 0)
    const int changepos = funded.at("changepos").get<int>();
    ASSERT_GE(changepos, 0);
    EXPECT_EQ(psbt.value().tx.vout.size(), 2u);

    const Json processed = Ok("walletprocesspsbt", Json::array({funded.at("psbt")}));
    ASSERT_TRUE(processed.is_object());
    EXPECT_EQ(processed.at("complete"), true);
    EXPECT_EQ(TestAccept(processed.at("hex").get<std::string>()), "");
}

TEST_F(FundedSpendTest, FundedRawTransactionIsSignedBySignRawTransactionWithWallet)
{
    consensus::MutableTransaction raw;
    raw.vout.push_back({30'000'000, wallet_test::ScriptOf(External(0x36), s_env->node.Params())});
    const std::string raw_hex = util::HexStr(consensus::Encode(raw));
    const Json funded = Ok("fundrawtransaction", Json::array({raw_hex, Json{{"fee_rate", 2}}}));
    ASSERT_TRUE(funded.is_object());
    const auto tx = rpc::DecodeHexTx(funded.at("hex"));
    ASSERT_TRUE(tx);
    ASSERT_FALSE(tx->vin.empty());
    EXPECT_TRUE(tx->vin[0].script_sig.bytes().empty()); // added inputs are not signed
    const int changepos = funded.at("changepos").get<int>();
    ASSERT_GE(changepos, 0);
    ASSERT_EQ(tx->vout.size(), 2u);
    EXPECT_EQ(tx->vout[1 - changepos].value, 30'000'000);

    const Json signed_tx = Ok("signrawtransactionwithwallet", Json::array({funded.at("hex")}));
    ASSERT_TRUE(signed_tx.is_object());
    EXPECT_EQ(signed_tx.at("complete"), true);
    EXPECT_FALSE(signed_tx.contains("errors"));
    EXPECT_EQ(TestAccept(signed_tx.at("hex").get<std::string>()), "");
}

TEST_F(FundedSpendTest, ZSendAllEmptiesTheWallet)
{
    // Runs last (gtest keeps declaration order): it spends everything.
    const Json result =
        Ok("sendall", Json::array({Json::array({External(0x37)}), nullptr, nullptr, 2}));
    ASSERT_TRUE(result.is_object());
    EXPECT_EQ(result.at("complete"), true);
    EXPECT_FALSE(result.contains("psbt"));
    const auto hash = rpc::ParseHashParam(result.at("txid"), "txid");
    EXPECT_TRUE(s_env->node.Chain().GetMempoolEntry(hash));
    const auto view = s_env->alice->GetTransaction(hash);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->wtx.tx->vout.size(), 1u);
    wallet::CoinFilter filter;
    EXPECT_TRUE(s_env->alice->AvailableCoins(filter).empty());
}

} // namespace
