// Internal to the Wallet implementation (wallet*.cpp): the state one mutex
// guards, and helpers on it shared by the files the Wallet is split into.
// Every helper expects the caller to hold Wallet's mutex.
#pragma once

#include <common/chainparams.h>
#include <common/sign.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>
#include <interfaces/chain.h>
#include <wallet/crypter.h>
#include <wallet/spkm.h>
#include <wallet/types.h>
#include <wallet/wallet.h>
#include <wallet/walletdb.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace wallet {

/// Core's wording when a locked wallet is asked to use its private keys.
inline constexpr const char* LOCKED_WALLET_ERROR =
    "Error: Please enter the wallet passphrase with walletpassphrase first.";

/// The state one mutex guards (public so the helpers below may name it).
struct WalletState
{
    std::unique_ptr<WalletDatabase> db;
    const common::ChainParams* params{nullptr};
    uint64_t flags{0};
    std::map<consensus::Uint256, std::unique_ptr<DescriptorSpkm>> spkms;
    std::map<std::pair<OutputType, bool>, consensus::Uint256> active;
    std::map<consensus::Uint256, WalletTx> txs;
    /// Which wallet transactions spend each outpoint (Core's mapTxSpends).
    std::multimap<consensus::OutPoint, consensus::Uint256> spends;
    std::map<std::string, AddressBookEntry> address_book;
    std::set<consensus::OutPoint> locked_coins;
    std::set<consensus::OutPoint> persistent_locks;
    BestBlock best;
    int64_t order_pos_next{0};

    // Encryption.
    std::map<consensus::Uint256, std::vector<uint8_t>> crypted_keys;
    std::map<uint32_t, MasterKeyRecord> master_keys;
    /// The master key while unlocked (empty when locked or unencrypted).
    SecureBytes master_key;
    int64_t unlocked_until{0};
    /// Relock timer: woken on unlock, lock and stop.
    std::thread relock_thread;
    std::condition_variable relock_cv;
    bool relock_stop{false};

    /// True once Attach subscribed.
    bool attached{false};
};

/// The Wallet's private state type is the shared one.
struct Wallet::State : WalletState
{};

namespace detail {

/// UNIX seconds now.
int64_t NowSeconds();
/// Commits `batch` unless it is empty.
util::Expected<void> CommitIfAny(WalletState& s, const WalletBatch& batch);

/// The descriptor deriving `script` and its index, nullptr if none.
const DescriptorSpkm* FindSpkm(const WalletState& s, const consensus::Script& script,
                               int32_t* index = nullptr);
/// True if an active internal (change) descriptor derives `script`.
bool IsChangeScript(const WalletState& s, const consensus::Script& script);
/// Depth in the active chain as the wallet last saw it (negative when block-conflicted).
int Depth(const WalletState& s, const WalletTx& wtx);
/// Blocks until a coinbase matures (0 for other transactions).
int BlocksToMaturity(const WalletState& s, const WalletTx& wtx);
/// The wallet transaction output `outpoint`, if the transaction is ours.
const consensus::TxOut* FindOutput(const WalletState& s, const consensus::OutPoint& outpoint);
/// Value of our outputs that `tx` spends.
consensus::Amount Debit(const WalletState& s, const consensus::Transaction& tx);
/// Core's IsSpent: a non-abandoned, non-conflicted wallet transaction spends it.
bool IsSpent(const WalletState& s, const consensus::OutPoint& outpoint);
/// Core's CachedTxIsTrusted.
bool IsTrusted(const WalletState& s, const WalletTx& wtx);
/// Script bytes ordered without std::vector's operator< (gcc 12 misreports its memcmp bounds).
using ScriptSet = std::set<std::vector<uint8_t>, common::ShorterBytesFirst>;
/// Scripts some live wallet transaction has spent from (avoid_reuse's "used").
ScriptSet SpentScripts(const WalletState& s);

/// Records `wtx`'s inputs in the spends map.
void AddSpends(WalletState& s, const WalletTx& wtx);
/// Core's AddToWalletIfInvolvingMe + AddToWallet: stores or updates `tx` with `state` if it
/// pays or spends us (or is known already and `update`). Marks conflicts of confirmed txs and
/// used scripts. Returns true if something was written to `batch`.
bool SyncTransaction(WalletState& s, WalletBatch& batch, uint32_t keypool,
                     const consensus::TransactionRef& tx, const TxState& state, bool update,
                     int64_t block_time);
/// Core's RecursiveUpdateTxState: applies `update` to `txid` and, for each tx it changes, to
/// its wallet descendants; writes changed txs to `batch`.
template <class F>
void RecursiveUpdate(WalletState& s, WalletBatch& batch, const consensus::Uint256& txid, F update)
{
    std::set<consensus::Uint256> todo{txid};
    std::set<consensus::Uint256> done;
    while (!todo.empty()) {
        const consensus::Uint256 now = *todo.begin();
        todo.erase(todo.begin());
        done.insert(now);
        auto it = s.txs.find(now);
        if (it == s.txs.end()) continue;
        if (!update(it->second)) continue;
        batch.WriteTx(it->second);
        for (uint32_t i = 0; i < it->second.tx->vout.size(); ++i) {
            const auto range = s.spends.equal_range(consensus::OutPoint{now, i});
            for (auto r = range.first; r != range.second; ++r) {
                if (!done.contains(r->second)) todo.insert(r->second);
            }
        }
    }
}

/// Processes every transaction of a block connected at `height` (confirmations, conflicts).
void ScanBlock(WalletState& s, WalletBatch& batch, uint32_t keypool, const consensus::Block& block,
               const consensus::Uint256& hash, int height, int64_t time);

/// Encrypts one private descriptor text under the master key (IV from SHA-256d(id)).
util::Expected<std::vector<uint8_t>> EncryptDescriptorText(std::span<const uint8_t> master_key,
                                                           const consensus::Uint256& id,
                                                           std::span<const uint8_t> text);
/// Inverse of EncryptDescriptorText.
util::Expected<SecureBytes> DecryptDescriptorText(std::span<const uint8_t> master_key,
                                                  const consensus::Uint256& id,
                                                  std::span<const uint8_t> ciphertext);

} // namespace detail
} // namespace wallet
