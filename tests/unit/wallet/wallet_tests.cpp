// Wallet against a real regtest node: default descriptors from a known seed,
// receiving through the mempool and blocks, spends, conflicts, reorgs,
// abandonment, coinbase maturity and the catch-up after downtime.
#include "wallet_fixture.h"

#include <common/bip32.h>
#include <wallet/wallet.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace {

using namespace wallet_test;
using consensus::Amount;
using consensus::COIN;
using wallet::OutputType;
using wallet::TxState;

constexpr int BASE_HEIGHT{110};

class WalletTest : public ::testing::Test
{
protected:
    testutil::TempDir m_dir;
    TestNode m_node{common::ChainParams::RegTest(), m_dir.Path(), BASE_HEIGHT};

    // A confirmed payment of `amount` to a new bech32 address of `w`; its txid.
    consensus::Uint256 Fund(wallet::Wallet& w, Amount amount, OutputType type = OutputType::BECH32)
    {
        auto address = w.GetNewAddress(type, "");
        EXPECT_TRUE(address);
        auto tx = m_node.PayTo(ScriptOf(*address, m_node.Params()), amount);
        m_node.Mine({tx});
        m_node.Sync();
        return tx->GetHash();
    }

    // A transaction of `w` spending `outpoint` (worth `value`) to the builder and change.
    consensus::MutableTransaction SpendFrom(wallet::Wallet& w, const consensus::OutPoint& outpoint,
                                            Amount value, Amount pay, Amount fee)
    {
        consensus::MutableTransaction tx;
        consensus::TxIn in;
        in.prevout = outpoint;
        in.sequence = 0xfffffffd;
        tx.vin.push_back(in);
        tx.vout.push_back(
            consensus::TxOut{pay, m_node.Builder().NextScript(testutil::OutputKind::P2WPKH)});
        auto change = w.GetNewChangeScript(OutputType::BECH32);
        EXPECT_TRUE(change);
        tx.vout.push_back(consensus::TxOut{value - pay - fee, *change});
        return tx;
    }

    consensus::TransactionRef Signed(wallet::Wallet& w, consensus::MutableTransaction tx)
    {
        auto errors = w.SignTransaction(tx, {}, 1);
        EXPECT_TRUE(errors);
        if (errors) {
            EXPECT_TRUE(errors->empty()) << errors->begin()->second;
        }
        return consensus::MakeTransactionRef(std::move(tx));
    }
};

std::string Hex(const common::Fingerprint& fp)
{
    char buf[9];
    std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x", fp[0], fp[1], fp[2], fp[3]);
    return buf;
}

TEST_F(WalletTest, CreateMakesEightActiveDefaultDescriptorsFromTheSeed)
{
    wallet::CreateOptions options;
    options.seed = AbandonSeed();
    auto w = m_node.CreateWallet("w", options);
    ASSERT_TRUE(w);
    // Independent of the wallet: the master fingerprint straight from BIP32.
    const auto master = common::ExtKey::FromSeed(options.seed);
    ASSERT_TRUE(master);
    const std::string fp = Hex(master->Neuter().GetFingerprint());

    auto descs = w->ListDescriptors(false);
    ASSERT_TRUE(descs);
    ASSERT_EQ(descs->size(), 8u);
    int internal = 0;
    std::set<std::string> prefixes;
    for (const auto& d : *descs) {
        EXPECT_TRUE(d.active);
        ASSERT_TRUE(d.internal.has_value());
        internal += *d.internal ? 1 : 0;
        ASSERT_TRUE(d.range.has_value());
        EXPECT_EQ(d.range->first, 0);
        EXPECT_EQ(d.range->second, 19);
        EXPECT_EQ(d.next_index, 0);
        // Public text only, Core's "h" markers, checksum.
        EXPECT_EQ(d.desc.find("tprv"), std::string::npos);
        ASSERT_GT(d.desc.size(), 9u);
        EXPECT_EQ(d.desc[d.desc.size() - 9], '#');
        const std::string tail = *d.internal ? "/1/*)" : "/0/*)";
        EXPECT_NE(d.desc.find(tail), std::string::npos) << d.desc;
        prefixes.insert(d.desc.substr(0, d.desc.find("]") + 1));
    }
    EXPECT_EQ(internal, 4);
    EXPECT_EQ(prefixes,
              (std::set<std::string>{"pkh([" + fp + "/44h/1h/0h]", "sh(wpkh([" + fp + "/49h/1h/0h]",
                                     "wpkh([" + fp + "/84h/1h/0h]", "tr([" + fp + "/86h/1h/0h]"}));
    EXPECT_EQ(w->Flags(), wallet::WALLET_FLAG_DESCRIPTORS);
    EXPECT_EQ(w->LastBlock().height, BASE_HEIGHT);
    EXPECT_EQ(w->LastBlock().hash, m_node.Chain().Tip().hash);
    EXPECT_EQ(w->KeypoolSize(), (std::pair<uint32_t, uint32_t>{80, 80}));
    // BIP49's testnet vector (coin type 1, as on regtest).
    auto p2sh = w->GetNewAddress(OutputType::P2SH_SEGWIT, "");
    ASSERT_TRUE(p2sh);
    EXPECT_EQ(*p2sh, "2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2");
    auto bech = w->GetNewAddress(OutputType::BECH32, "lbl");
    ASSERT_TRUE(bech);
    EXPECT_EQ(bech->rfind("bcrt1q", 0), 0u);
    EXPECT_EQ(w->AddressBook().at(*bech).label, "lbl");
    EXPECT_EQ(w->AddressBook().at(*bech).purpose, "receive");
    const auto info = w->GetScriptInfo(ScriptOf(*bech, m_node.Params()));
    EXPECT_TRUE(info.mine);
    EXPECT_FALSE(info.change);
    EXPECT_EQ(info.hdkeypath, "m/84h/1h/0h/0/0");
    EXPECT_EQ(info.hdmasterfingerprint, fp);
}

TEST_F(WalletTest, BlankAndWatchOnlyWalletsHaveNoKeys)
{
    wallet::CreateOptions blank;
    blank.blank = true;
    auto w = m_node.CreateWallet("blank", blank);
    ASSERT_TRUE(w);
    EXPECT_TRUE(w->ListDescriptors(false)->empty());
    auto address = w->GetNewAddress(OutputType::BECH32, "");
    ASSERT_FALSE(address);
    EXPECT_EQ(address.error().message, "Error: This wallet has no available keys");
    EXPECT_TRUE(w->HasFlag(wallet::WALLET_FLAG_BLANK_WALLET));

    wallet::CreateOptions watch;
    watch.disable_private_keys = true;
    watch.passphrase = "x";
    auto refused = wallet::Wallet::Create(m_node.Chain(), "wo", m_node.WalletDir("wo"), watch,
                                          TestNode::Settings(), nullptr);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("private keys are disabled"), std::string::npos);
}

TEST_F(WalletTest, ReceiveMovesFromUntrustedPendingToTrusted)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    auto address = w->GetNewAddress(OutputType::BECH32, "");
    ASSERT_TRUE(address);
    auto tx = m_node.PayTo(ScriptOf(*address, m_node.Params()), COIN);
    ASSERT_EQ(m_node.Accept(tx), "");
    m_node.Sync();

    auto view = w->GetTransaction(tx->GetHash());
    ASSERT_TRUE(view);
    EXPECT_TRUE(view->in_mempool);
    EXPECT_EQ(view->confirmations, 0);
    EXPECT_FALSE(view->trusted); // not from us
    EXPECT_EQ(view->credit, COIN);
    EXPECT_EQ(view->debit, 0);
    EXPECT_FALSE(view->fee.has_value());
    EXPECT_EQ(view->bip125_replaceable, "yes");
    EXPECT_TRUE(view->outputs[0].mine);
    EXPECT_FALSE(view->outputs[1].mine);
    EXPECT_EQ(view->outputs[0].address, *address);
    auto b = w->GetBalances();
    EXPECT_EQ(b.untrusted_pending, COIN);
    EXPECT_EQ(b.trusted, 0);
    EXPECT_TRUE(w->AvailableCoins({}).empty()); // unsafe until confirmed
    wallet::CoinFilter unsafe;
    unsafe.include_unsafe = true;
    EXPECT_EQ(w->AvailableCoins(unsafe).size(), 1u);

    const auto block = m_node.Mine({tx});
    m_node.Sync();
    view = w->GetTransaction(tx->GetHash());
    ASSERT_TRUE(view);
    EXPECT_EQ(view->confirmations, 1);
    EXPECT_TRUE(view->trusted);
    EXPECT_FALSE(view->in_mempool);
    EXPECT_EQ(view->wtx.state.kind, TxState::Kind::CONFIRMED);
    EXPECT_EQ(view->wtx.state.block_hash, block);
    EXPECT_EQ(view->wtx.state.index_in_block, 1);
    EXPECT_EQ(view->bip125_replaceable, "no");
    EXPECT_GT(view->block_time, 0);
    b = w->GetBalances();
    EXPECT_EQ(b.trusted, COIN);
    EXPECT_EQ(b.untrusted_pending, 0);
    EXPECT_EQ(w->GetBalances(2).trusted, 0); // min_depth applies
    const auto coins = w->AvailableCoins({});
    ASSERT_EQ(coins.size(), 1u);
    EXPECT_EQ(coins[0].depth, 1);
    EXPECT_TRUE(coins[0].safe);
    EXPECT_TRUE(coins[0].spendable);
    EXPECT_TRUE(coins[0].solvable);
    EXPECT_EQ(coins[0].input_vsize, 68); // P2WPKH
    EXPECT_EQ(coins[0].txout.value, COIN);
    EXPECT_EQ(w->LastBlock().hash, block);
    EXPECT_EQ(w->ListTransactions().size(), 1u);
}

TEST_F(WalletTest, InputSizesFollowTheOutputType)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    Fund(*w, COIN, OutputType::LEGACY);
    Fund(*w, COIN, OutputType::P2SH_SEGWIT);
    Fund(*w, COIN, OutputType::BECH32M);
    std::multiset<int> sizes;
    for (const auto& coin : w->AvailableCoins({}))
        sizes.insert(coin.input_vsize);
    // Core's sizes with low-R signatures: pkh 148, sh(wpkh) 91, tr key path 58.
    EXPECT_EQ(sizes, (std::multiset<int>{58, 91, 148}));
}

TEST_F(WalletTest, SpendIsDetectedSignedAndCommitted)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    const auto funding = Fund(*w, COIN);
    const consensus::OutPoint coin{funding, 0};
    EXPECT_FALSE(w->IsSpent(coin));

    auto tx = Signed(*w, SpendFrom(*w, coin, COIN, COIN / 2, 10'000));
    ASSERT_TRUE(w->CommitTransaction(tx, {{"comment", "rent"}}));
    m_node.Sync();
    EXPECT_TRUE(w->IsSpent(coin));
    auto view = w->GetTransaction(tx->GetHash());
    ASSERT_TRUE(view);
    EXPECT_TRUE(view->wtx.from_me);
    EXPECT_EQ(view->wtx.map_value.at("comment"), "rent");
    EXPECT_TRUE(view->in_mempool);
    EXPECT_TRUE(view->trusted); // ours, in the mempool, from a confirmed parent
    EXPECT_EQ(view->debit, COIN);
    EXPECT_EQ(view->fee, Amount{10'000});
    EXPECT_EQ(view->change, COIN / 2 - 10'000);
    EXPECT_TRUE(view->outputs[1].change);
    auto b = w->GetBalances();
    EXPECT_EQ(b.trusted, COIN / 2 - 10'000);
    EXPECT_EQ(b.untrusted_pending, 0);
    // Trusted change is spendable at depth 0.
    const auto coins = w->AvailableCoins({});
    ASSERT_EQ(coins.size(), 1u);
    EXPECT_EQ(coins[0].outpoint, (consensus::OutPoint{tx->GetHash(), 1}));
    EXPECT_TRUE(coins[0].from_me);

    m_node.Mine({tx}, std::nullopt, 10'000);
    m_node.Sync();
    view = w->GetTransaction(tx->GetHash());
    EXPECT_EQ(view->confirmations, 1);
    EXPECT_EQ(w->GetTransaction(funding)->confirmations, 2);
}

TEST_F(WalletTest, SigningReportsInputsItCannotSign)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    const auto funding = Fund(*w, COIN);
    consensus::MutableTransaction tx = SpendFrom(*w, {funding, 0}, COIN, COIN / 2, 10'000);
    consensus::TxIn unknown;
    unknown.prevout = consensus::OutPoint{consensus::Uint256{}, 7};
    unknown.prevout.hash.data()[0] = 1;
    tx.vin.push_back(unknown);
    auto errors = w->SignTransaction(tx, {}, 1);
    ASSERT_TRUE(errors);
    ASSERT_EQ(errors->size(), 1u);
    EXPECT_EQ(errors->at(1), "Input not found or already spent");
    EXPECT_FALSE(tx.vin[0].witness.stack.empty());

    // A coin supplied by the caller but not ours: found, yet no key signs it.
    consensus::MutableTransaction foreign = SpendFrom(*w, {funding, 1}, COIN, COIN / 2, 10'000);
    const consensus::TxOut their{COIN, m_node.Builder().NextScript(testutil::OutputKind::P2WPKH)};
    errors = w->SignTransaction(foreign, {{foreign.vin[0].prevout, their}}, 1);
    ASSERT_TRUE(errors);
    ASSERT_EQ(errors->size(), 1u);
    EXPECT_FALSE(errors->at(0).empty());
}

TEST_F(WalletTest, BlockConflictAndItsReorg)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    const auto funding = Fund(*w, COIN);
    const consensus::OutPoint coin{funding, 0};
    auto first = Signed(*w, SpendFrom(*w, coin, COIN, COIN / 2, 10'000));
    ASSERT_TRUE(w->CommitTransaction(first, {}));
    auto second = Signed(*w, SpendFrom(*w, coin, COIN, COIN / 4, 20'000));
    // The double spend reaches a block without passing our mempool.
    const auto block = m_node.Mine({second}, std::nullopt, 20'000);
    m_node.Sync();

    auto v1 = w->GetTransaction(first->GetHash());
    auto v2 = w->GetTransaction(second->GetHash());
    ASSERT_TRUE(v1 && v2);
    EXPECT_EQ(v1->wtx.state.kind, TxState::Kind::BLOCK_CONFLICTED);
    EXPECT_EQ(v1->wtx.state.block_hash, block);
    EXPECT_EQ(v1->confirmations, -1);
    EXPECT_FALSE(v1->trusted);
    EXPECT_EQ(v1->conflicts, std::vector<consensus::Uint256>{second->GetHash()});
    EXPECT_EQ(v2->confirmations, 1);
    EXPECT_TRUE(w->IsSpent(coin));
    // The conflicted tx's change is not a coin; the confirmed one's is.
    const auto coins = w->AvailableCoins({});
    ASSERT_EQ(coins.size(), 1u);
    EXPECT_EQ(coins[0].outpoint.hash, second->GetHash());
    auto abandon = w->AbandonTransaction(first->GetHash());
    ASSERT_FALSE(abandon);
    EXPECT_EQ(abandon.error().message, "Transaction not eligible for abandonment");

    m_node.Mine();
    m_node.Sync();
    EXPECT_EQ(w->GetTransaction(first->GetHash())->confirmations, -2);

    // Reorg the conflicting block away: the conflict is lifted, the spend returns to the pool.
    ASSERT_TRUE(m_node.Chain().InvalidateBlock(block));
    m_node.Sync();
    v1 = w->GetTransaction(first->GetHash());
    v2 = w->GetTransaction(second->GetHash());
    EXPECT_EQ(v1->wtx.state.kind, TxState::Kind::INACTIVE);
    EXPECT_EQ(v1->confirmations, 0);
    EXPECT_EQ(v2->confirmations, 0);
    EXPECT_EQ(v2->wtx.state.kind, TxState::Kind::MEMPOOL);
    EXPECT_EQ(w->LastBlock().height, BASE_HEIGHT + 1);
}

TEST_F(WalletTest, ReorgReturnsAPaymentToUnconfirmedAndBack)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    auto address = w->GetNewAddress(OutputType::BECH32M, "");
    ASSERT_TRUE(address);
    auto tx = m_node.PayTo(ScriptOf(*address, m_node.Params()), COIN);
    ASSERT_EQ(m_node.Accept(tx), "");
    const auto block = m_node.Mine({tx});
    m_node.Sync();
    EXPECT_EQ(w->GetBalances().trusted, COIN);

    ASSERT_TRUE(m_node.Chain().InvalidateBlock(block));
    m_node.Sync();
    auto view = w->GetTransaction(tx->GetHash());
    EXPECT_EQ(view->confirmations, 0);
    EXPECT_EQ(view->wtx.state.kind, TxState::Kind::MEMPOOL);
    EXPECT_EQ(w->GetBalances().trusted, 0);
    EXPECT_EQ(w->GetBalances().untrusted_pending, COIN);
    EXPECT_EQ(w->LastBlock().height, BASE_HEIGHT);

    ASSERT_TRUE(m_node.Chain().ReconsiderBlock(block));
    m_node.Sync();
    view = w->GetTransaction(tx->GetHash());
    EXPECT_EQ(view->confirmations, 1);
    EXPECT_EQ(view->wtx.state.block_hash, block);
    EXPECT_EQ(w->GetBalances().trusted, COIN);
}

TEST_F(WalletTest, AbandonOnlyWhatIsNeitherConfirmedNorInTheMempool)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    const auto funding = Fund(*w, COIN);
    const consensus::OutPoint coin{funding, 0};
    // Zero fee: the mempool refuses it, the wallet keeps it inactive.
    auto tx = Signed(*w, SpendFrom(*w, coin, COIN, COIN / 2, 0));
    auto committed = w->CommitTransaction(tx, {});
    ASSERT_FALSE(committed);
    EXPECT_FALSE(committed.error().message.empty());
    auto view = w->GetTransaction(tx->GetHash());
    ASSERT_TRUE(view);
    EXPECT_EQ(view->wtx.state.kind, TxState::Kind::INACTIVE);
    EXPECT_TRUE(w->IsSpent(coin));
    EXPECT_EQ(w->GetBalances().trusted, 0);

    EXPECT_EQ(w->AbandonTransaction(funding).error().message,
              "Transaction not eligible for abandonment");
    consensus::Uint256 unknown;
    unknown.data()[5] = 9;
    EXPECT_EQ(w->AbandonTransaction(unknown).error().message,
              "Invalid or non-wallet transaction id");
    ASSERT_TRUE(w->AbandonTransaction(tx->GetHash()));
    view = w->GetTransaction(tx->GetHash());
    EXPECT_TRUE(view->wtx.state.abandoned);
    EXPECT_FALSE(w->IsSpent(coin));
    EXPECT_EQ(w->GetBalances().trusted, COIN);

    // A mempool transaction is not eligible either.
    auto good = Signed(*w, SpendFrom(*w, coin, COIN, COIN / 2, 10'000));
    ASSERT_TRUE(w->CommitTransaction(good, {}));
    EXPECT_EQ(w->AbandonTransaction(good->GetHash()).error().message,
              "Transaction not eligible for abandonment");
}

TEST_F(WalletTest, CatchUpAfterDowntimeScansMissedBlocksAndReorgs)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    auto address = w->GetNewAddress(OutputType::BECH32, "");
    ASSERT_TRUE(address);
    const auto fork_parent = m_node.Chain().Tip().hash;
    auto paid = m_node.PayTo(ScriptOf(*address, m_node.Params()), COIN);
    const auto stale = m_node.Mine({paid});
    m_node.Sync();
    EXPECT_EQ(w->GetTransaction(paid->GetHash())->confirmations, 1);
    m_node.CloseWallet(w);

    // While the wallet is away: a longer branch without its payment wins, and another payment
    // confirms on it.
    const auto f1 = m_node.Mine({}, fork_parent);
    const auto f2 = m_node.Mine({}, f1);
    auto second = m_node.PayTo(ScriptOf(*address, m_node.Params()), 2 * COIN);
    m_node.Mine({second}, f2);
    ASSERT_NE(m_node.Chain().Tip().hash, stale);

    w = m_node.LoadWallet("w");
    ASSERT_TRUE(w);
    m_node.Sync();
    EXPECT_EQ(w->LastBlock().hash, m_node.Chain().Tip().hash);
    EXPECT_EQ(w->GetTransaction(paid->GetHash())->confirmations, 0);
    auto view = w->GetTransaction(second->GetHash());
    ASSERT_TRUE(view);
    EXPECT_EQ(view->confirmations, 1);
    EXPECT_EQ(w->GetBalances().trusted, 2 * COIN);
}

TEST_F(WalletTest, RescanFindsPaymentsToImportedDescriptors)
{
    wallet::CreateOptions watch;
    watch.disable_private_keys = true;
    auto w = m_node.CreateWallet("watch", watch);
    ASSERT_TRUE(w);
    // The builder's own key, as an addr() descriptor is unsolvable: use its script via raw().
    const auto script = m_node.Builder().NextScript(testutil::OutputKind::P2WPKH);
    auto tx = m_node.PayTo(script, COIN);
    m_node.Mine({tx});
    m_node.Sync();
    EXPECT_FALSE(w->GetTransaction(tx->GetHash()));

    const std::string raw = "raw(" + [&] {
        static constexpr char HEX[] = "0123456789abcdef";
        std::string out;
        for (uint8_t b : script.bytes()) {
            out.push_back(HEX[b >> 4]);
            out.push_back(HEX[b & 15]);
        }
        return out;
    }() + ")";
    wallet::ImportRequest request;
    request.desc = common::AddDescriptorChecksum(raw);
    request.timestamp = 0;
    request.label = "imported";
    auto warnings = w->ImportDescriptor(request);
    ASSERT_TRUE(warnings) << warnings.error().message;
    EXPECT_TRUE(w->IsMine(script));
    std::atomic<bool> abort{false};
    auto scan = w->Rescan(0, std::nullopt, abort);
    ASSERT_TRUE(scan) << scan.error().message;
    EXPECT_EQ(scan->stop_height, m_node.Chain().Tip().height);
    auto view = w->GetTransaction(tx->GetHash());
    ASSERT_TRUE(view);
    EXPECT_EQ(view->confirmations, 1);
    EXPECT_EQ(view->outputs[0].label, "imported");
    // Watched, not spendable.
    EXPECT_TRUE(w->AvailableCoins({}).empty());
    wallet::CoinFilter all;
    all.only_spendable = false;
    EXPECT_EQ(w->AvailableCoins(all).size(), 1u);

    request.desc = "raw(00)";
    EXPECT_FALSE(w->ImportDescriptor(request)); // checksum required
}

TEST_F(WalletTest, LockedCoinsAreSkippedAndPersistentOnesSurviveReload)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    const auto a = Fund(*w, COIN);
    const auto b = Fund(*w, 2 * COIN);
    ASSERT_TRUE(w->LockCoin({a, 0}, true));
    ASSERT_TRUE(w->LockCoin({b, 0}, false));
    EXPECT_TRUE(w->AvailableCoins({}).empty());
    wallet::CoinFilter locked;
    locked.include_locked = true;
    EXPECT_EQ(w->AvailableCoins(locked).size(), 2u);
    EXPECT_FALSE(w->UnlockCoin({a, 5}));
    m_node.CloseWallet(w);
    w = m_node.LoadWallet("w");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->LockedCoins(), (std::set<consensus::OutPoint>{{a, 0}}));
    ASSERT_TRUE(w->UnlockCoin({a, 0}));
    EXPECT_EQ(w->AvailableCoins({}).size(), 2u);
}

} // namespace

namespace {

// Mines `n` blocks through the node's own template (the builder does not see them) paying
// `payout`; the last hash.
consensus::Uint256 MineTemplate(node::ChainInterface& chain, const common::ChainParams& params,
                                const consensus::Script& payout, int n)
{
    consensus::Uint256 last;
    for (int i = 0; i < n; ++i) {
        auto made = chain.CreateBlockTemplate(payout);
        EXPECT_TRUE(made) << (made ? "" : made.error().message);
        if (!made) return last;
        consensus::Block* block = &made->block;
        EXPECT_TRUE(testutil::GrindNonce(block->header, params.GetConsensus()));
        last = block->GetHash();
        EXPECT_TRUE(chain.SubmitBlock(std::make_shared<const consensus::Block>(*block)).accepted);
    }
    return last;
}

TEST_F(WalletTest, CoinbaseIsImmatureForOneHundredConfirmations)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    auto address = w->GetNewAddress(OutputType::BECH32, "");
    ASSERT_TRUE(address);
    MineTemplate(m_node.Chain(), m_node.Params(), ScriptOf(*address, m_node.Params()), 1);
    m_node.Sync();
    auto txs = w->ListTransactions();
    ASSERT_EQ(txs.size(), 1u);
    EXPECT_TRUE(txs[0].coinbase);
    EXPECT_EQ(txs[0].blocks_to_maturity, 100);
    auto b = w->GetBalances();
    EXPECT_EQ(b.immature, 50 * COIN);
    EXPECT_EQ(b.trusted, 0);
    EXPECT_TRUE(w->AvailableCoins({}).empty());

    const auto other = m_node.Builder().NextScript(testutil::OutputKind::P2WPKH);
    MineTemplate(m_node.Chain(), m_node.Params(), other, 99);
    m_node.Sync();
    EXPECT_EQ(w->GetTransaction(txs[0].wtx.Txid())->blocks_to_maturity, 1);
    EXPECT_EQ(w->GetBalances().immature, 50 * COIN);
    EXPECT_TRUE(w->AvailableCoins({}).empty());

    MineTemplate(m_node.Chain(), m_node.Params(), other, 1);
    m_node.Sync();
    b = w->GetBalances();
    EXPECT_EQ(b.immature, 0);
    EXPECT_EQ(b.trusted, 50 * COIN);
    const auto coins = w->AvailableCoins({});
    ASSERT_EQ(coins.size(), 1u);
    EXPECT_TRUE(coins[0].coinbase);
    EXPECT_EQ(coins[0].depth, 101);
}

TEST_F(WalletTest, AvoidReuseCountsCoinsOnSpentFromAddressesAsUsed)
{
    wallet::CreateOptions options;
    options.avoid_reuse = true;
    auto w = m_node.CreateWallet("w", options);
    ASSERT_TRUE(w);
    EXPECT_TRUE(w->HasFlag(wallet::WALLET_FLAG_AVOID_REUSE));
    auto address = w->GetNewAddress(OutputType::BECH32, "");
    ASSERT_TRUE(address);
    const auto script = ScriptOf(*address, m_node.Params());
    auto first = m_node.PayTo(script, COIN);
    auto second = m_node.PayTo(script, 2 * COIN);
    m_node.Mine({first, second});
    m_node.Sync();
    EXPECT_EQ(w->GetBalances().used, 0);
    EXPECT_EQ(w->GetBalances().trusted, 3 * COIN);

    auto tx = Signed(*w, SpendFrom(*w, {first->GetHash(), 0}, COIN, COIN / 2, 10'000));
    ASSERT_TRUE(w->CommitTransaction(tx, {}));
    m_node.Sync();
    auto b = w->GetBalances();
    EXPECT_EQ(b.used, 2 * COIN); // the other coin sits on an address already spent from
    EXPECT_EQ(b.trusted, COIN / 2 - 10'000);
    EXPECT_EQ(w->GetBalances(0, false).trusted, 2 * COIN + COIN / 2 - 10'000);
    bool reused_seen = false;
    for (const auto& coin : w->AvailableCoins({})) {
        if (coin.outpoint == consensus::OutPoint{second->GetHash(), 0}) {
            reused_seen = coin.reused;
        } else {
            EXPECT_FALSE(coin.reused);
        }
    }
    EXPECT_TRUE(reused_seen);
}

} // namespace

namespace {

interfaces::BlockNotification Notification(node::ChainInterface& chain,
                                           const consensus::Uint256& hash)
{
    interfaces::BlockNotification n;
    auto block = chain.ReadBlock(hash);
    EXPECT_TRUE(block);
    if (!block) return n;
    n.block = *block;
    n.hash = hash;
    n.height = chain.GetBlockInfo(hash)->height;
    n.time = (*block)->header.time;
    return n;
}

// Events the catch-up already covered may still arrive (they were queued while it ran): applying
// them again must change nothing.
TEST_F(WalletTest, LateDuplicateEventsAreHarmless)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    const auto older = m_node.Chain().Tip().hash;
    auto address = w->GetNewAddress(OutputType::BECH32, "");
    ASSERT_TRUE(address);
    auto tx = m_node.PayTo(ScriptOf(*address, m_node.Params()), COIN);
    const auto block = m_node.Mine({tx});
    m_node.Sync();
    const auto best = w->LastBlock();
    const auto state = w->GetTransaction(tx->GetHash())->wtx.state;
    ASSERT_EQ(best.hash, block);

    w->BlockConnected(Notification(m_node.Chain(), block));
    w->BlockConnected(Notification(m_node.Chain(), older));
    w->TransactionAddedToMempool(tx);
    EXPECT_EQ(w->LastBlock(), best);
    EXPECT_EQ(w->GetTransaction(tx->GetHash())->wtx.state, state);
    // A disconnect of a block the wallet is not at leaves the best block alone.
    w->BlockDisconnected(Notification(m_node.Chain(), older));
    EXPECT_EQ(w->LastBlock(), best);
    EXPECT_EQ(w->GetTransaction(tx->GetHash())->wtx.state, state);
    EXPECT_EQ(w->GetBalances().trusted, COIN);
}

} // namespace
