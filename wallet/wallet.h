// A descriptor wallet: its descriptors and keys, the transactions that touch
// them, their state against the active chain, balances, coins, labels, locked
// coins and encryption. It reaches the node only through interfaces::Chain and
// follows the chain through its notifications.
//
// Threads: every public method may be called from any thread (RPC workers, the
// node's notification thread); one mutex guards all state. Every change is
// committed to the WalletDatabase (synced) before the method returns.
#pragma once

#include <common/psbt.h>
#include <common/sign.h>
#include <consensus/amount.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>
#include <interfaces/chain.h>
#include <util/expected.h>
#include <wallet/crypter.h>
#include <wallet/spkm.h>
#include <wallet/types.h>
#include <wallet/walletdb.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace util {
class Logger;
}

namespace wallet {

/// Settings every wallet of a node shares (-keypool, -walletrbf, fees, ...).
struct WalletSettings
{
    uint32_t keypool_size{DEFAULT_KEYPOOL_SIZE};
    bool signal_rbf{true};                              //!< -walletrbf
    bool spend_zeroconf_change{true};                   //!< -spendzeroconfchange
    int confirm_target{6};                              //!< -txconfirmtarget
    consensus::Amount fallback_fee_per_kvb{0};          //!< -fallbackfee (0: no fallback)
    consensus::Amount min_fee_per_kvb{1000};            //!< -mintxfee
    consensus::Amount discard_fee_per_kvb{10000};       //!< -discardfee
    consensus::Amount max_tx_fee{consensus::COIN / 10}; //!< -maxtxfee (absolute, 0.1 BTC)
    consensus::Amount consolidate_fee_per_kvb{10000};   //!< -consolidatefeerate
    consensus::Amount min_relay_fee_per_kvb{1000};      //!< the node's -minrelaytxfee
};

/// What createwallet asks for.
struct CreateOptions
{
    bool disable_private_keys{false};
    bool blank{false}; //!< no descriptors are created
    bool avoid_reuse{false};
    std::string passphrase{}; //!< non-empty: encrypted from the start
    /// BIP39 seed (64 bytes) to derive the default descriptors from; a fresh random one when
    /// empty and the wallet has private keys.
    std::vector<uint8_t> seed{};
};

/// getbalances' numbers (satoshis).
struct Balances
{
    consensus::Amount trusted{0};           //!< mine.trusted
    consensus::Amount untrusted_pending{0}; //!< mine.untrusted_pending
    consensus::Amount immature{0};          //!< mine.immature
    consensus::Amount used{0};              //!< mine.used (avoid_reuse wallets only)
};

/// One output of a wallet transaction as the wallet sees it.
struct OutputView
{
    bool mine{false};
    bool change{false};                   //!< ours and derived by an internal (change) descriptor
    std::optional<std::string> address{}; //!< nullopt for non-standard scripts
    std::string label{};                  //!< address-book label, "" if none
};

/// A wallet transaction with what the wallet derives from it (gettransaction, listtransactions).
struct TxView
{
    WalletTx wtx{};
    /// >0: depth in the active chain; 0: unconfirmed; <0: depth of the conflicting block.
    int confirmations{0};
    bool trusted{false}; //!< counts as trusted balance (Core's IsTrusted)
    bool in_mempool{false};
    bool coinbase{false};
    int blocks_to_maturity{0};                   //!< coinbase only
    int64_t block_time{0};                       //!< confirmed only
    consensus::Amount debit{0};                  //!< value of our coins it spends
    consensus::Amount credit{0};                 //!< value of its outputs that are ours
    consensus::Amount change{0};                 //!< part of credit paid to our change descriptors
    std::optional<consensus::Amount> fee{};      //!< known when every input is ours
    std::vector<OutputView> outputs{};           //!< one per output
    std::vector<consensus::Uint256> conflicts{}; //!< other wallet txs spending its inputs
    std::string bip125_replaceable{"no"};        //!< "yes", "no" or "unknown"
};

/// One coin the wallet can spend or watch (listunspent, coin selection).
struct WalletCoin
{
    consensus::OutPoint outpoint{};
    consensus::TxOut txout{};
    int depth{0};          //!< 0 for mempool coins
    bool safe{false};      //!< confirmed, or unconfirmed from our own trusted tx
    bool spendable{false}; //!< we hold the private keys
    bool solvable{false};  //!< we know how to spend it
    bool coinbase{false};
    bool from_me{false};
    bool reused{false}; //!< avoid_reuse: its script received more than once and spent
    int64_t time{0};
    int input_vsize{-1}; //!< virtual size of the input spending it, -1 if unknown
    consensus::Uint256 desc_id{};
    int32_t desc_index{0};
};

/// Which coins AvailableCoins returns.
struct CoinFilter
{
    int min_depth{0};
    int max_depth{9999999};
    bool include_unsafe{false};
    bool include_locked{false};
    bool only_spendable{true};
    std::optional<consensus::Amount> min_amount{};
    std::optional<consensus::Amount> max_amount{};
    std::optional<consensus::Amount> min_sum{}; //!< stop once this much is collected
    std::optional<uint64_t> max_count{};
    std::set<std::string> addresses{}; //!< empty: any address
};

/// getaddressinfo's facts about one script.
struct ScriptInfo
{
    bool mine{false};
    bool solvable{false};
    bool change{false};
    std::optional<std::string> desc{};        //!< inferred descriptor with origin
    std::optional<std::string> parent_desc{}; //!< the wallet descriptor deriving it
    std::optional<std::string> hdkeypath{};   //!< of the single key, if one
    std::optional<std::string> hdmasterfingerprint{};
    std::vector<std::string> labels{};
    int64_t timestamp{0};
    std::vector<std::vector<uint8_t>> pubkeys{}; //!< for pubkey / multisig info
};

/// listdescriptors' entry.
struct DescriptorInfo
{
    std::string desc{};
    int64_t timestamp{0};
    bool active{false};
    std::optional<bool> internal{};                     //!< set only for active descriptors
    std::optional<std::pair<int32_t, int32_t>> range{}; //!< [start, end] inclusive
    std::optional<int32_t> next_index{};
};

/// One importdescriptors request.
struct ImportRequest
{
    std::string desc{};                 //!< with checksum
    std::optional<int64_t> timestamp{}; //!< nullopt: "now" (no rescan)
    bool active{false};
    std::optional<std::pair<int32_t, int32_t>> range{};
    std::optional<int32_t> next_index{};
    bool internal{false};
    std::string label{};
};

/// The outcome of a rescan.
struct ScanResult
{
    int start_height{0};
    std::optional<int> stop_height{}; //!< last block scanned, nullopt if none
    bool aborted{false};
};

/// A descriptor wallet.
class Wallet final : public interfaces::ChainNotifications,
                     public std::enable_shared_from_this<Wallet>
{
public:
    /// Creates a new wallet database in `dir` and its default descriptors (BIP44/49/84/86
    /// receive and change, from options.seed or a fresh seed) unless blank or without private
    /// keys; encrypts it when a passphrase is given. The wallet starts at the chain's tip.
    static util::Expected<std::shared_ptr<Wallet>>
    Create(interfaces::Chain& chain, std::string name, const std::filesystem::path& dir,
           const CreateOptions& options, const WalletSettings& settings, util::Logger* logger);
    /// Opens an existing wallet database.
    static util::Expected<std::shared_ptr<Wallet>> Load(interfaces::Chain& chain, std::string name,
                                                        const std::filesystem::path& dir,
                                                        const WalletSettings& settings,
                                                        util::Logger* logger);
    ~Wallet() override;
    Wallet(const Wallet&) = delete;
    Wallet& operator=(const Wallet&) = delete;

    // ---- identity and chain sync ----

    /// The wallet's name ("" for the default wallet).
    const std::string& Name() const { return m_name; }
    /// The chain it follows.
    interfaces::Chain& Chain() const { return m_chain; }
    /// The shared settings.
    const WalletSettings& Settings() const { return m_settings; }
    /// Subscribes to chain notifications and catches up from the stored best block to the
    /// tip (disconnecting what was reorged away, scanning blocks it missed). Call once.
    util::Expected<void> Attach();
    /// Unsubscribes and stops the relock timer; the wallet may then be destroyed.
    void Detach();
    /// Waits until the wallet has processed every chain event up to the current tip (Core's
    /// BlockUntilSyncedToCurrentChain). Never call from a notification handler.
    void BlockUntilSyncedToCurrentChain() const;
    /// The last block processed.
    BestBlock LastBlock() const;
    /// Scans active-chain blocks [start_height, stop_height] (to the tip if nullopt) for
    /// wallet transactions; stops when `abort` turns true.
    util::Expected<ScanResult> Rescan(int start_height, std::optional<int> stop_height,
                                      const std::atomic<bool>& abort);
    /// True while a rescan runs (getwalletinfo "scanning").
    bool IsScanning() const { return m_scanning.load(); }

    // ---- flags, keys and addresses ----

    uint64_t Flags() const;
    bool HasFlag(uint64_t flag) const { return (Flags() & flag) != 0; }
    /// False for wallets created with disable_private_keys.
    bool HasPrivateKeys() const { return !HasFlag(WALLET_FLAG_DISABLE_PRIVATE_KEYS); }
    /// A new receive address of `type` from the active external descriptor, labelled.
    /// "Error: This wallet has no available keys" when there is no active descriptor.
    util::Expected<std::string> GetNewAddress(OutputType type, const std::string& label);
    /// A new change script of `type` from the active internal descriptor.
    util::Expected<consensus::Script> GetNewChangeScript(OutputType type);
    /// True if one of our descriptors derives `script`.
    bool IsMine(const consensus::Script& script) const;
    /// getaddressinfo's facts.
    ScriptInfo GetScriptInfo(const consensus::Script& script) const;
    /// Keys and scripts for spending `script` (private keys only when unlocked).
    bool FillSigningProvider(const consensus::Script& script,
                             common::SigningProvider& provider) const;
    /// Ensures every active descriptor has `size` (0: the setting) indexes derived ahead.
    util::Expected<void> TopUpKeypool(uint32_t size);
    /// Indexes derived ahead on the active (external, internal) descriptors.
    std::pair<uint32_t, uint32_t> KeypoolSize() const;
    /// importdescriptors for one request; the warnings Core would give.
    util::Expected<std::vector<std::string>> ImportDescriptor(const ImportRequest& request);
    /// listdescriptors; `with_private` fails when locked or watch-only.
    util::Expected<std::vector<DescriptorInfo>> ListDescriptors(bool with_private) const;

    // ---- address book ----

    /// Sets the label (and purpose) of an address.
    util::Expected<void> SetAddressBook(const std::string& address, const std::string& label,
                                        const std::string& purpose);
    /// Every address-book entry.
    std::map<std::string, AddressBookEntry> AddressBook() const;

    // ---- transactions and balances ----

    /// One wallet transaction with its derived facts; nullopt if unknown.
    std::optional<TxView> GetTransaction(const consensus::Uint256& txid) const;
    /// Every wallet transaction, in order_pos order.
    std::vector<TxView> ListTransactions() const;
    /// getbalances (min_depth applies to trusted).
    Balances GetBalances(int min_depth = 0, bool avoid_reuse = true) const;
    /// Spendable coins passing the filter (locked ones excluded unless asked).
    std::vector<WalletCoin> AvailableCoins(const CoinFilter& filter) const;
    /// The wallet transaction output `outpoint`, if that transaction is ours.
    std::optional<consensus::TxOut> GetWalletOutput(const consensus::OutPoint& outpoint) const;
    /// True if `outpoint` is spent by a wallet transaction that is not conflicted/abandoned.
    bool IsSpent(const consensus::OutPoint& outpoint) const;
    /// lockunspent; `persistent` locks survive restarts.
    util::Expected<void> LockCoin(const consensus::OutPoint& outpoint, bool persistent);
    util::Expected<void> UnlockCoin(const consensus::OutPoint& outpoint);
    void UnlockAllCoins();
    std::set<consensus::OutPoint> LockedCoins() const;

    // ---- spending ----

    /// Held by a caller from coin selection until the transaction is committed, so two spends
    /// at once never choose the same coins (Core holds its wallet lock for that span).
    std::mutex& SpendMutex() const { return m_spend_mutex; }

    /// Signs every input it can; `coins` supplies spent outputs the wallet does not know.
    /// Per input, an error string for inputs left incomplete (Core's "errors" entries). The
    /// wallet must be unlocked (error otherwise).
    util::Expected<std::map<unsigned, std::string>>
    SignTransaction(consensus::MutableTransaction& tx,
                    const std::map<consensus::OutPoint, consensus::TxOut>& coins,
                    int sighash_type) const;
    /// walletprocesspsbt's work: fills UTXOs, scripts and (if `bip32derivs`) origins for
    /// inputs and outputs that are ours, signs if `sign`, finalizes if `finalize`. Returns
    /// true when complete.
    util::Expected<bool> FillPsbt(common::Psbt& psbt, bool sign, int sighash_type, bool bip32derivs,
                                  bool finalize) const;
    /// Stores a transaction the wallet created (from_me, map_value), then hands it to the
    /// mempool and relay. A mempool rejection is returned as the error after the transaction
    /// is stored (Core keeps it too).
    util::Expected<void> CommitTransaction(const consensus::TransactionRef& tx,
                                           std::map<std::string, std::string> map_value);
    /// abandontransaction ("Invalid or non-wallet transaction id", "Transaction not eligible
    /// for abandonment").
    util::Expected<void> AbandonTransaction(const consensus::Uint256& txid);
    /// Records that `new_txid` replaced `old_txid` (bumpfee), in both map_values.
    util::Expected<void> MarkReplaced(const consensus::Uint256& old_txid,
                                      const consensus::Uint256& new_txid);

    // ---- encryption ----

    bool IsCrypted() const;
    /// True when encrypted and not unlocked.
    bool IsLocked() const;
    /// UNIX time the wallet relocks, 0 when locked (getwalletinfo unlocked_until).
    int64_t UnlockedUntil() const;
    /// encryptwallet: seals every private descriptor under a new master key, erases the clear
    /// ones (and compacts the database), leaves the wallet locked.
    util::Expected<void> EncryptWallet(std::string_view passphrase);
    /// walletpassphrase: loads private keys for `timeout` (capped at 100,000,000 s), then
    /// relocks on a timer. Wrong passphrase: crypter's INCORRECT_PASSPHRASE_MESSAGE.
    util::Expected<void> Unlock(std::string_view passphrase, std::chrono::seconds timeout);
    /// walletlock: forgets every private key now.
    void Lock();
    /// walletpassphrasechange.
    util::Expected<void> ChangePassphrase(std::string_view old_passphrase,
                                          std::string_view new_passphrase);

    // ---- files ----

    /// backupwallet.
    util::Expected<void> Backup(const std::filesystem::path& dest) const;
    /// The database directory.
    std::filesystem::path Dir() const;
    /// Messages signed with the key of a P2PKH address (signmessage): base64 signature.
    util::Expected<std::string> SignMessage(const std::string& address,
                                            const std::string& message) const;

    // ---- chain notifications (notification thread) ----

    void TransactionAddedToMempool(const consensus::TransactionRef& tx) override;
    void TransactionRemovedFromMempool(const consensus::TransactionRef& tx,
                                       interfaces::MempoolRemoval reason) override;
    void BlockConnected(const interfaces::BlockNotification& block) override;
    void BlockDisconnected(const interfaces::BlockNotification& block) override;

private:
    struct State;
    Wallet(interfaces::Chain& chain, std::string name, WalletSettings settings,
           util::Logger* logger, std::unique_ptr<State> state);

    interfaces::Chain& m_chain;
    const std::string m_name;
    const WalletSettings m_settings;
    util::Logger* const m_logger;
    std::atomic<bool> m_scanning{false};

    mutable std::mutex m_spend_mutex; // taken before m_mutex, never after
    mutable std::mutex m_mutex;
    std::unique_ptr<State> m_state; // guarded by m_mutex; defined in wallet.cpp
    std::unique_ptr<interfaces::NotificationHandle> m_subscription;
};

} // namespace wallet
