// The node's loaded wallets: create, load, unload and restore them in the
// wallet directory, the -wallet list and settings.json's "wallet" entry
// (load_on_startup), and the lookup RPC requests use. Any thread; one mutex
// guards the list.
#pragma once

#include <interfaces/chain.h>
#include <util/expected.h>
#include <wallet/wallet.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace util {
class Logger;
}

namespace wallet {

/// Why a load or create failed, for the RPC error code.
enum class LoadStatus
{
    OK,
    NOT_FOUND,      //!< -18 RPC_WALLET_NOT_FOUND
    ALREADY_LOADED, //!< -35 RPC_WALLET_ALREADY_LOADED
    ALREADY_EXISTS, //!< -4 RPC_WALLET_ERROR (database already exists)
    INVALID,        //!< -8 RPC_INVALID_PARAMETER (bad name or options)
    FAILED,         //!< -4 RPC_WALLET_ERROR
};

/// A failed load/create/unload: the status and Core's message.
struct LoadError
{
    LoadStatus status{LoadStatus::FAILED};
    std::string message{};
};

/// Node-wide wallet options.
struct WalletManagerOptions
{
    std::filesystem::path wallet_dir{};         //!< <chain datadir>/wallets unless -walletdir
    std::filesystem::path settings_file{};      //!< <chain datadir>/settings.json
    std::vector<std::string> startup_wallets{}; //!< -wallet=<name> (repeatable)
    WalletSettings settings{};
};

/// Every loaded wallet.
class WalletManager
{
public:
    WalletManager(interfaces::Chain& chain, WalletManagerOptions options, util::Logger* logger);
    // CHANGED by lead: the node registers wallet RPC methods before its chainstate (and so its
    // interfaces::Chain) exists, so the manager can also be made first and given the chain
    // later. Every other method may be called only once a chain is set.
    /// A manager without a chain yet: SetChain must come before any other call.
    WalletManager(WalletManagerOptions options, util::Logger* logger);
    /// Sets the chain wallets follow (once, before LoadStartupWallets). Main thread.
    void SetChain(interfaces::Chain& chain);
    /// UnloadAll().
    ~WalletManager();
    WalletManager(const WalletManager&) = delete;
    WalletManager& operator=(const WalletManager&) = delete;

    /// Loads the -wallet names and settings.json's "wallet" names. As in Core v28, a name
    /// whose database does not exist is skipped with a logged warning; any other failure is
    /// an error naming the wallet, and startup stops.
    util::Expected<void> LoadStartupWallets();

    /// createwallet: makes `wallet_dir/<name>`, attaches the wallet to the chain.
    /// `load_on_startup` adds (true) or removes (false) the name in settings.json.
    std::variant<std::shared_ptr<Wallet>, LoadError>
    CreateWallet(const std::string& name, const CreateOptions& options,
                 std::optional<bool> load_on_startup);
    /// loadwallet.
    std::variant<std::shared_ptr<Wallet>, LoadError>
    LoadWallet(const std::string& name, std::optional<bool> load_on_startup);
    /// restorewallet: creates `wallet_dir/<name>` from a backupwallet file, then loads it.
    std::variant<std::shared_ptr<Wallet>, LoadError>
    RestoreWallet(const std::string& name, const std::filesystem::path& backup_file,
                  std::optional<bool> load_on_startup);
    /// unloadwallet: detaches, flushes and forgets it ("Requested wallet does not exist or is
    /// not loaded" as NOT_FOUND).
    std::optional<LoadError> UnloadWallet(const std::string& name,
                                          std::optional<bool> load_on_startup);
    /// Unloads every wallet (shutdown).
    void UnloadAll();

    /// The loaded wallet called `name`, or null.
    std::shared_ptr<Wallet> GetWallet(const std::string& name) const;
    /// Every loaded wallet, in load order.
    std::vector<std::shared_ptr<Wallet>> GetWallets() const;
    /// Names of the wallet databases in the wallet directory (listwalletdir), sorted.
    std::vector<std::string> ListWalletDir() const;
    /// The wallet directory.
    const std::filesystem::path& WalletDir() const { return m_options.wallet_dir; }
    /// The chain wallets follow.
    interfaces::Chain& Chain() const { return *m_chain; }
    /// The shared settings.
    const WalletSettings& Settings() const { return m_options.settings; }

private:
    interfaces::Chain* m_chain{nullptr}; // set once, before any wallet is loaded
    WalletManagerOptions m_options;
    util::Logger* m_logger;
    mutable std::mutex m_mutex;
    std::vector<std::shared_ptr<Wallet>> m_wallets; // guarded by m_mutex
    // ADDED by R1: names being created, loaded or restored right now (Core's
    // g_loading_wallet_set), so the slow part runs without holding m_mutex.
    std::set<std::string> m_loading; // guarded by m_mutex
};

} // namespace wallet
