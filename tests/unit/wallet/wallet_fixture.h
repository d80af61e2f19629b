// A regtest node in-process (node_test::RegtestNode: chainstate, mempool, chain interface
// and notifier, wired as minibitd wires them) with helpers to pay wallets from a
// ChainBuilder's coins and mine, for the Wallet tests.
#pragma once

#include <common/bip39.h>
#include <common/chainparams.h>
#include <common/key_io.h>
#include <consensus/block.h>
#include <testutil/chain_builder.h>
#include <testutil/test_dir.h>
#include <util/logging.h>
#include <wallet/wallet.h>

#include "../node/regtest_node.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wallet_test {

/// The BIP39 mnemonic of the BIP44/49/84/86 test vectors.
inline constexpr const char* ABANDON_MNEMONIC =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

/// Its 64-byte seed.
inline std::vector<uint8_t> AbandonSeed()
{
    auto seed = common::MnemonicToSeed(ABANDON_MNEMONIC);
    EXPECT_TRUE(seed);
    return seed ? std::vector<uint8_t>(seed->bytes.begin(), seed->bytes.end())
                : std::vector<uint8_t>{};
}

/// A node on `params` with `mine` blocks built by a ChainBuilder, and the wallets on it.
class TestNode : public node_test::RegtestNode
{
public:
    TestNode(std::unique_ptr<const common::ChainParams> params, std::filesystem::path dir, int mine)
        : RegtestNode{
              std::move(params), std::move(dir), {.builder_seed = 7, .coins_cache_bytes = 8 << 20}}
    {
        if (!Started()) return;
        for (int i = 0; i < mine; ++i)
            Mine();
    }

    // Wallets detach before the node stops.
    ~TestNode()
    {
        for (auto& w : m_wallets)
            w->Detach();
        m_wallets.clear();
    }

    /// A signed transaction paying `amount` to `script` from one unused mature builder coin
    /// (change back to the builder), signalling RBF.
    consensus::TransactionRef PayTo(const consensus::Script& script, consensus::Amount amount,
                                    consensus::Amount fee = 10'000)
    {
        auto coins = m_builder.SpendableCoins(m_builder.Tip().height + 1);
        for (const auto& coin : coins) {
            // Coinbases only: other builder coins may sit on a branch that is no longer active.
            if (!coin.coinbase || m_used.contains(coin.outpoint) ||
                coin.txout.value < amount + fee + 1000) {
                continue;
            }
            m_used.insert(coin.outpoint);
            consensus::MutableTransaction tx;
            consensus::TxIn in;
            in.prevout = coin.outpoint;
            in.sequence = 0xfffffffd;
            tx.vin.push_back(in);
            tx.vout.push_back(consensus::TxOut{amount, script});
            tx.vout.push_back(consensus::TxOut{coin.txout.value - amount - fee,
                                               m_builder.NextScript(testutil::OutputKind::P2WPKH)});
            const auto ok = m_builder.Sign(tx, std::span{&coin, 1});
            EXPECT_TRUE(ok) << (ok ? "" : ok.error().message);
            return consensus::MakeTransactionRef(std::move(tx));
        }
        ADD_FAILURE() << "no spendable builder coin left";
        return nullptr;
    }

    /// Hands `tx` to the mempool; the reject reason on failure ("" when accepted).
    std::string Accept(const consensus::TransactionRef& tx)
    {
        const auto result = m_chain->AcceptTransaction(tx, false, 0);
        return result.allowed ? "" : result.reject_reason + " " + result.reject_details;
    }

    /// Waits until every chain event raised so far reached the wallets.
    void Sync() { m_chain->WaitForNotifications(); }

    /// Creates and attaches a wallet in <dir>/wallets/<name>.
    std::shared_ptr<wallet::Wallet> CreateWallet(const std::string& name,
                                                 wallet::CreateOptions options = {})
    {
        auto created =
            wallet::Wallet::Create(*m_chain, name, WalletDir(name), options, Settings(), &m_logger);
        EXPECT_TRUE(created) << (created ? "" : created.error().message);
        if (!created) return nullptr;
        auto attached = (*created)->Attach();
        EXPECT_TRUE(attached) << (attached ? "" : attached.error().message);
        m_wallets.push_back(*created);
        return *created;
    }

    /// Loads and attaches the wallet <name>.
    std::shared_ptr<wallet::Wallet> LoadWallet(const std::string& name)
    {
        auto loaded = wallet::Wallet::Load(*m_chain, name, WalletDir(name), Settings(), &m_logger);
        EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error().message);
        if (!loaded) return nullptr;
        auto attached = (*loaded)->Attach();
        EXPECT_TRUE(attached) << (attached ? "" : attached.error().message);
        m_wallets.push_back(*loaded);
        return *loaded;
    }

    /// Detaches and forgets `w` (the caller's pointer must be the last one to close the DB).
    void CloseWallet(std::shared_ptr<wallet::Wallet>& w)
    {
        w->Detach();
        std::erase(m_wallets, w);
        w.reset();
    }

    std::filesystem::path WalletDir(const std::string& name) const
    {
        return m_dir / "wallets" / name;
    }
    static wallet::WalletSettings Settings()
    {
        wallet::WalletSettings settings;
        settings.keypool_size = 20; // deriving Core's 1000 per descriptor would slow every test
        return settings;
    }

    const common::ChainParams& Params() const { return *m_params; }
    node::ChainInterface& Chain() { return *m_chain; }
    testutil::ChainBuilder& Builder() { return m_builder; }

private:
    std::set<consensus::OutPoint> m_used;
    std::vector<std::shared_ptr<wallet::Wallet>> m_wallets;
};

/// The output script of an address on `params`.
inline consensus::Script ScriptOf(const std::string& address, const common::ChainParams& params)
{
    auto dest = common::DecodeDestination(address, params);
    EXPECT_TRUE(dest) << address;
    return dest ? common::GetScriptForDestination(*dest) : consensus::Script{};
}

/// The address of an output script on `params`.
inline std::string AddressOf(const consensus::Script& script, const common::ChainParams& params)
{
    auto dest = common::ExtractDestination(script);
    return dest ? common::EncodeDestination(*dest, params) : std::string{};
}

} // namespace wallet_test
