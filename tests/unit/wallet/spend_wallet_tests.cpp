// CreateTransaction, CreateSendAll and BumpFee against a real Wallet on an in-process regtest
// node: what they build must be accepted by the node's own mempool, which checks signatures,
// relay fee rates and BIP125's replacement rules independently of the wallet.
#include "wallet_fixture.h"

#include <wallet/spend.h>
#include <wallet/spend_internal.h>
#include <wallet/wallet.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace wallet_test;
using consensus::Amount;
using consensus::COIN;
using wallet::CoinControl;
using wallet::OutputType;
using wallet::Recipient;

constexpr int BASE_HEIGHT{110};

class SpendWalletTest : public ::testing::Test
{
protected:
    testutil::TempDir m_dir;
    TestNode m_node{common::ChainParams::RegTest(), m_dir.Path(), BASE_HEIGHT};

    void Fund(wallet::Wallet& w, Amount amount, OutputType type = OutputType::BECH32)
    {
        auto address = w.GetNewAddress(type, "");
        ASSERT_TRUE(address);
        auto tx = m_node.PayTo(ScriptOf(*address, m_node.Params()), amount);
        m_node.Mine({tx});
        m_node.Sync();
    }

    consensus::Script Payee() { return m_node.Builder().NextScript(testutil::OutputKind::P2WPKH); }

    static CoinControl AtRate(Amount sat_per_kvb)
    {
        CoinControl control;
        control.fee_rate_per_kvb = sat_per_kvb;
        return control;
    }

    // Fee rate of a signed transaction in sat/vB.
    static double Rate(const consensus::MutableTransaction& tx, Amount fee)
    {
        return static_cast<double>(fee) / consensus::Transaction{tx}.GetVirtualSize();
    }
};

TEST_F(SpendWalletTest, CreateTransactionPaysAtTheRateAndTheMempoolAcceptsIt)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    Fund(*w, COIN);
    Fund(*w, COIN / 2, OutputType::BECH32M);
    const consensus::Script payee = Payee();
    auto created = wallet::CreateTransaction(*w, {{payee, 30'000'000, false}}, AtRate(7'000));
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_TRUE(created->complete);
    EXPECT_EQ(created->fee_choice.reason, "PayTxFee set");
    ASSERT_TRUE(created->change_position);
    ASSERT_EQ(created->tx.vout.size(), 2u);
    EXPECT_EQ(created->tx.vout[1 - *created->change_position].script_pubkey, payee);
    EXPECT_EQ(created->tx.vout[1 - *created->change_position].value, 30'000'000);
    EXPECT_TRUE(w->IsMine(created->tx.vout[*created->change_position].script_pubkey));
    const double rate = Rate(created->tx, created->fee);
    EXPECT_GE(rate, 7.0);
    EXPECT_LE(rate, 8.0);
    for (const auto& in : created->tx.vin)
        EXPECT_EQ(in.sequence, 0xfffffffdu);
    EXPECT_LE(created->tx.locktime, static_cast<uint32_t>(BASE_HEIGHT + 2));
    EXPECT_EQ(m_node.Accept(consensus::MakeTransactionRef(created->tx)), "");
}

TEST_F(SpendWalletTest, CreateTransactionErrors)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    Fund(*w, COIN);
    auto r = wallet::CreateTransaction(*w, {{Payee(), 2 * COIN, false}}, AtRate(2'000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Insufficient funds");

    r = wallet::CreateTransaction(*w, {}, AtRate(2'000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Transaction must have at least one recipient");

    CoinControl control = AtRate(2'000);
    consensus::OutPoint unknown;
    unknown.hash.data()[0] = 1;
    unknown.n = 3;
    control.inputs = {unknown};
    r = wallet::CreateTransaction(*w, {{Payee(), COIN / 10, false}}, control);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Not found pre-selected input " + unknown.ToString());

    // Without a rate the node's estimator answers (on regtest it has a test-chain default).
    auto estimated = wallet::CreateTransaction(*w, {{Payee(), COIN / 10, false}}, CoinControl{});
    ASSERT_TRUE(estimated) << estimated.error().message;
    EXPECT_EQ(estimated->fee_choice.reason, "Target 85% Threshold");
    EXPECT_GE(estimated->fee_choice.fee_rate_per_kvb, 1'000);
}

TEST_F(SpendWalletTest, SubtractFeeFromAmountAndUnsignedBuilds)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    Fund(*w, COIN);

    // sign=false leaves the inputs empty (PSBT flows) and says so.
    CoinControl control = AtRate(3'000);
    control.sign = false;
    auto unsigned_tx = wallet::CreateTransaction(*w, {{Payee(), COIN / 10, false}}, control);
    ASSERT_TRUE(unsigned_tx) << unsigned_tx.error().message;
    EXPECT_FALSE(unsigned_tx->complete);
    for (const auto& in : unsigned_tx->tx.vin) {
        EXPECT_TRUE(in.script_sig.empty());
        EXPECT_TRUE(in.witness.IsNull());
    }

    control.sign = true;
    control.change_position = 0;
    auto created = wallet::CreateTransaction(*w, {{Payee(), COIN / 4, true}}, control);
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_EQ(created->change_position, std::optional<unsigned>(0));
    // The recipient pays the whole fee; the change is exactly what the payment leaves.
    EXPECT_EQ(created->tx.vout[1].value, COIN / 4 - created->fee);
    EXPECT_EQ(created->tx.vout[0].value, COIN - COIN / 4);
    EXPECT_EQ(m_node.Accept(consensus::MakeTransactionRef(created->tx)), "");
}

TEST_F(SpendWalletTest, SendAllSpendsEverythingWithoutChange)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    Fund(*w, COIN);
    Fund(*w, COIN / 3, OutputType::LEGACY);
    Fund(*w, COIN / 5, OutputType::P2SH_SEGWIT);
    const Amount total = COIN + COIN / 3 + COIN / 5;
    const consensus::Script a = Payee(), b = Payee();
    auto created =
        wallet::CreateSendAll(*w, {{a, 0, false}, {b, 10'000'000, false}}, AtRate(4'000));
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_TRUE(created->complete);
    ASSERT_EQ(created->tx.vin.size(), 3u);
    ASSERT_EQ(created->tx.vout.size(), 2u);
    EXPECT_EQ(created->tx.vout[1].value, 10'000'000);
    EXPECT_EQ(created->tx.vout[0].value, total - 10'000'000 - created->fee);
    const double rate = Rate(created->tx, created->fee);
    EXPECT_GE(rate, 4.0);
    EXPECT_LE(rate, 5.0);
    EXPECT_EQ(m_node.Accept(consensus::MakeTransactionRef(created->tx)), "");
}

TEST_F(SpendWalletTest, BumpFeeReplacesInTheMempool)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    Fund(*w, COIN);
    Fund(*w, COIN);
    const consensus::Script payee = Payee();
    auto created = wallet::CreateTransaction(*w, {{payee, COIN / 2, false}}, AtRate(2'000));
    ASSERT_TRUE(created) << created.error().message;
    const auto original = consensus::MakeTransactionRef(created->tx);
    ASSERT_TRUE(w->CommitTransaction(original, {}));
    m_node.Sync();

    auto bumped = wallet::BumpFee(*w, original->GetHash(), CoinControl{});
    ASSERT_TRUE(bumped) << bumped.error().message;
    EXPECT_TRUE(bumped->complete);
    EXPECT_EQ(bumped->old_fee, created->fee);
    const consensus::Transaction replacement{bumped->tx};
    // BIP125 rule 4: at least the wallet's 5 sat/vB increment over the replacement's size.
    EXPECT_GE(bumped->new_fee,
              bumped->old_fee + 5 * static_cast<Amount>(replacement.GetVirtualSize()));
    bool pays = false;
    for (const auto& out : replacement.vout)
        pays = pays || (out.script_pubkey == payee && out.value == COIN / 2);
    EXPECT_TRUE(pays);
    for (const auto& in : original->vin) {
        bool kept = false;
        for (const auto& in2 : replacement.vin)
            kept = kept || in2.prevout == in.prevout;
        EXPECT_TRUE(kept);
    }
    EXPECT_TRUE(wallet::spend_internal::SignalsOptInRbf(replacement));
    EXPECT_EQ(m_node.Accept(consensus::MakeTransactionRef(bumped->tx)), "");

    // An explicit rate too low for rule 4 is refused with Core's message.
    CoinControl low = AtRate(2'500);
    auto refused = wallet::BumpFee(*w, original->GetHash(), low);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message.rfind("Insufficient total fee ", 0), 0u)
        << refused.error().message;

    // Unknown and mined transactions.
    consensus::Uint256 unknown;
    unknown.data()[0] = 9;
    auto r = wallet::BumpFee(*w, unknown, CoinControl{});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Invalid or non-wallet transaction id");
    m_node.Mine({original}, std::nullopt, created->fee);
    m_node.Sync();
    r = wallet::BumpFee(*w, original->GetHash(), CoinControl{});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "Transaction has been mined, or is conflicted with a mined transaction");
}

TEST_F(SpendWalletTest, BumpFeeWithNewOutputsOrADesignatedChange)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    Fund(*w, COIN);
    CoinControl control = AtRate(2'000);
    control.change_position = 1;
    auto created = wallet::CreateTransaction(*w, {{Payee(), COIN / 2, false}}, control);
    ASSERT_TRUE(created) << created.error().message;
    const auto original = consensus::MakeTransactionRef(created->tx);
    ASSERT_TRUE(w->CommitTransaction(original, {}));
    m_node.Sync();
    const auto txid = original->GetHash();

    auto r = wallet::BumpFee(*w, txid, CoinControl{}, {consensus::TxOut{1000, Payee()}}, 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "The options 'outputs' and 'original_change_index' are incompatible. You can only "
              "either specify a new set of outputs, or designate a change output to be recycled.");
    r = wallet::BumpFee(*w, txid, CoinControl{}, {}, 2);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Change position is out of range");

    // Designating the original change (index 1) gives the default bump.
    auto designated = wallet::BumpFee(*w, txid, CoinControl{}, {}, 1);
    ASSERT_TRUE(designated) << designated.error().message;
    EXPECT_GT(designated->new_fee, designated->old_fee);

    // New outputs replace the payment; the wallet adds change of its own.
    const consensus::Script other = Payee();
    auto replaced =
        wallet::BumpFee(*w, txid, CoinControl{}, {consensus::TxOut{COIN / 5, other}}, std::nullopt);
    ASSERT_TRUE(replaced) << replaced.error().message;
    ASSERT_EQ(replaced->tx.vout.size(), 2u);
    bool pays_other = false;
    for (const auto& out : replaced->tx.vout)
        pays_other = pays_other || (out.script_pubkey == other && out.value == COIN / 5);
    EXPECT_TRUE(pays_other);
    EXPECT_EQ(m_node.Accept(consensus::MakeTransactionRef(replaced->tx)), "");
}

TEST_F(SpendWalletTest, LockedWalletBuildsOnlyUnsigned)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    Fund(*w, COIN);
    ASSERT_TRUE(w->EncryptWallet("pw"));
    ASSERT_TRUE(w->IsLocked());
    auto r = wallet::CreateTransaction(*w, {{Payee(), COIN / 10, false}}, AtRate(2'000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "Error: Please enter the wallet passphrase with walletpassphrase first.");
    CoinControl control = AtRate(2'000);
    control.sign = false;
    auto unsigned_tx = wallet::CreateTransaction(*w, {{Payee(), COIN / 10, false}}, control);
    ASSERT_TRUE(unsigned_tx) << unsigned_tx.error().message;
    EXPECT_FALSE(unsigned_tx->complete);
}

TEST_F(SpendWalletTest, BumpFeeRefusesNonReplaceable)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    Fund(*w, COIN);
    CoinControl control = AtRate(2'000);
    control.signal_rbf = false;
    auto created = wallet::CreateTransaction(*w, {{Payee(), COIN / 2, false}}, control);
    ASSERT_TRUE(created) << created.error().message;
    for (const auto& in : created->tx.vin)
        EXPECT_EQ(in.sequence, 0xfffffffeu);
    const auto tx = consensus::MakeTransactionRef(created->tx);
    ASSERT_TRUE(w->CommitTransaction(tx, {}));
    m_node.Sync();
    auto r = wallet::BumpFee(*w, tx->GetHash(), CoinControl{});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Transaction is not BIP 125 replaceable");
}

} // namespace
