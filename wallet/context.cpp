#include <wallet/context.h>

#include <util/fs.h>
#include <util/logging.h>
#include <wallet/walletdb.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

namespace wallet {

namespace {

namespace fs = std::filesystem;

// The directory of the default wallet "": Core keeps that wallet in `<walletdir>/wallet.dat`,
// and we keep its LevelDB directory under the same name.
constexpr const char* DEFAULT_WALLET_DIR_NAME{"wallet.dat"};
// LevelDB writes this file when it creates a database; a directory without it holds none.
constexpr const char* LEVELDB_MARKER_FILE{"CURRENT"};

using SettingsJson = nlohmann::ordered_json;

LoadError Fail(LoadStatus status, std::string message)
{
    return LoadError{status, std::move(message)};
}

// Only plain names are accepted: minibit keeps every wallet directly in the wallet directory,
// so a name that is a path (Core allows them) is refused rather than resolved elsewhere.
std::optional<LoadError> CheckWalletName(const std::string& name)
{
    const bool is_path = name.find_first_of("/\\") != std::string::npos ||
                         name.find('\0') != std::string::npos || name == "." || name == ".." ||
                         fs::path{name}.is_absolute();
    if (is_path || name == DEFAULT_WALLET_DIR_NAME) {
        return Fail(LoadStatus::INVALID,
                    "Invalid wallet name '" + name +
                        "': a wallet name may not be a path (no '/', '\\', '.' or '..') nor '" +
                        DEFAULT_WALLET_DIR_NAME + "', which holds the default wallet \"\"");
    }
    return std::nullopt;
}

// Wallets follow a chain; the node sets it once its chainstate is loaded.
LoadError NoChain()
{
    return Fail(LoadStatus::FAILED, "Wallets are not available until the chain is loaded");
}

fs::path WalletPath(const fs::path& wallet_dir, const std::string& name)
{
    return wallet_dir / (name.empty() ? std::string{DEFAULT_WALLET_DIR_NAME} : name);
}

bool HoldsDatabase(const fs::path& dir)
{
    std::error_code ec;
    return fs::is_directory(dir, ec) && fs::is_regular_file(dir / LEVELDB_MARKER_FILE, ec);
}

bool PathExists(const fs::path& path)
{
    std::error_code ec;
    return fs::symlink_status(path, ec).type() != fs::file_type::not_found && !ec;
}

void RemoveTree(const fs::path& path)
{
    std::error_code ec;
    fs::remove_all(path, ec);
}

// Reads settings.json as an object: a missing file is an empty object; anything that is not a
// JSON object is an error, so a damaged file is reported and never overwritten.
util::Expected<SettingsJson> ReadSettings(const fs::path& file)
{
    std::error_code ec;
    if (!fs::exists(file, ec)) return SettingsJson::object();
    std::ifstream in{file, std::ios::binary};
    if (!in) return util::Unexpected("Failed reading settings file " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    SettingsJson json = SettingsJson::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) {
        return util::Unexpected("Settings file " + file.string() +
                                " does not contain valid JSON. This is probably caused by disk "
                                "corruption or a crash, and can be fixed by removing the file, "
                                "which will reset settings to default values.");
    }
    if (!json.is_object()) {
        return util::Unexpected("Found non-object value in settings file " + file.string());
    }
    return json;
}

// The "wallet" entry: a list of names (Core also accepts a single string there).
util::Expected<std::vector<std::string>> WalletNamesFromSettings(const SettingsJson& json,
                                                                 const fs::path& file)
{
    std::vector<std::string> names;
    const auto it = json.find("wallet");
    if (it == json.end() || it->is_null()) return names;
    if (it->is_string()) {
        names.push_back(it->get<std::string>());
        return names;
    }
    if (it->is_array()) {
        for (const auto& entry : *it) {
            if (!entry.is_string()) break;
            names.push_back(entry.get<std::string>());
        }
        if (names.size() == it->size()) return names;
    }
    return util::Unexpected("Settings file " + file.string() +
                            ": \"wallet\" must be a list of wallet names");
}

// Reads and checks settings.json before a change that will update it, so a damaged file fails
// the call before anything else happens.
util::Expected<void> CheckSettings(const fs::path& file)
{
    auto json = ReadSettings(file);
    if (!json) return json.error();
    auto names = WalletNamesFromSettings(*json, file);
    if (!names) return names.error();
    return {};
}

util::Expected<void> WriteSettings(const fs::path& file, const SettingsJson& json)
{
    const std::string text = json.dump(4) + "\n";
    return util::WriteFileAtomically(
        file, std::span{reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

// Adds (true) or removes (false) `name` in settings.json's "wallet" list, keeping every
// other setting as it was.
util::Expected<void> UpdateStartupSetting(const fs::path& file, const std::string& name,
                                          bool load_on_startup)
{
    auto json = ReadSettings(file);
    if (!json) return json.error();
    auto names = WalletNamesFromSettings(*json, file);
    if (!names) return names.error();
    const bool present = std::find(names->begin(), names->end(), name) != names->end();
    if (load_on_startup == present) return {};
    if (load_on_startup) {
        names->push_back(name);
    } else {
        std::erase(*names, name);
    }
    (*json)["wallet"] = *names;
    return WriteSettings(file, *json);
}

// The settings.json check every call that may change the startup list makes first, so a
// damaged file fails the call before anything is created or unloaded.
std::optional<LoadError> CheckStartupSettings(const fs::path& settings_file,
                                              std::optional<bool> load_on_startup)
{
    if (!load_on_startup || settings_file.empty()) return std::nullopt;
    if (auto checked = CheckSettings(settings_file); !checked) {
        return Fail(LoadStatus::FAILED, checked.error().message);
    }
    return std::nullopt;
}

// Records load_on_startup for `name`; a failure only warns, as in Core.
void ApplyStartupSetting(const fs::path& settings_file, util::Logger* logger,
                         const std::string& name, std::optional<bool> load_on_startup)
{
    if (!load_on_startup || settings_file.empty()) return;
    if (auto updated = UpdateStartupSetting(settings_file, name, *load_on_startup);
        !updated && logger) {
        logger->Warning("Wallet load on startup setting could not be updated: " +
                        updated.error().message);
    }
}

// Attaches a created or loaded wallet to the chain and lists it, ending its loading mark
// either way; a wallet that cannot attach is detached and not listed.
std::optional<LoadError> AttachAndList(const std::shared_ptr<Wallet>& wallet,
                                       const std::string& name, std::mutex& mutex,
                                       std::vector<std::shared_ptr<Wallet>>& wallets,
                                       std::set<std::string>& loading)
{
    auto attached = wallet->Attach();
    if (!attached) wallet->Detach();
    std::lock_guard lock{mutex};
    loading.erase(name);
    if (!attached) return Fail(LoadStatus::FAILED, attached.error().message);
    wallets.push_back(wallet);
    return std::nullopt;
}

// Marks `name` as being created or loaded; false when another call already is.
bool StartLoading(std::mutex& mutex, std::set<std::string>& loading, const std::string& name)
{
    std::lock_guard lock{mutex};
    return loading.insert(name).second;
}

// Ends that mark.
void EndLoading(std::mutex& mutex, std::set<std::string>& loading, const std::string& name)
{
    std::lock_guard lock{mutex};
    loading.erase(name);
}

} // namespace

WalletManager::WalletManager(interfaces::Chain& chain, WalletManagerOptions options,
                             util::Logger* logger)
    : m_chain{&chain}, m_options{std::move(options)}, m_logger{logger}
{}

WalletManager::WalletManager(WalletManagerOptions options, util::Logger* logger)
    : m_options{std::move(options)}, m_logger{logger}
{}

void WalletManager::SetChain(interfaces::Chain& chain)
{
    m_chain = &chain;
}

WalletManager::~WalletManager()
{
    UnloadAll();
}

util::Expected<void> WalletManager::LoadStartupWallets()
{
    std::vector<std::string> names = m_options.startup_wallets;
    if (!m_options.settings_file.empty()) {
        auto json = ReadSettings(m_options.settings_file);
        if (!json) return json.error();
        auto listed = WalletNamesFromSettings(*json, m_options.settings_file);
        if (!listed) return listed.error();
        names.insert(names.end(), listed->begin(), listed->end());
    }
    std::set<std::string> seen;
    for (const std::string& name : names) {
        if (!seen.insert(name).second) continue;
        if (GetWallet(name)) continue;
        if (auto invalid = CheckWalletName(name)) {
            return util::Unexpected("Error loading wallet \"" + name + "\": " + invalid->message);
        }
        const fs::path dir = WalletPath(m_options.wallet_dir, name);
        if (!PathExists(dir)) {
            if (m_logger) {
                m_logger->Warning("Skipping -wallet path that doesn't exist. Failed to load "
                                  "database path '" +
                                  dir.string() + "'. Path does not exist.");
            }
            continue;
        }
        auto loaded = LoadWallet(name, std::nullopt);
        if (auto* error = std::get_if<LoadError>(&loaded)) {
            return util::Unexpected("Error loading wallet \"" + name + "\": " + error->message);
        }
    }
    return {};
}

std::variant<std::shared_ptr<Wallet>, LoadError>
WalletManager::CreateWallet(const std::string& name, const CreateOptions& options,
                            std::optional<bool> load_on_startup)
{
    if (auto invalid = CheckWalletName(name)) return *invalid;
    if (!m_chain) return NoChain();
    if (options.disable_private_keys && !options.passphrase.empty()) {
        return Fail(LoadStatus::FAILED,
                    "Passphrase provided but private keys are disabled. A passphrase is only used "
                    "to encrypt private keys, so cannot be used for wallets with private keys "
                    "disabled.");
    }
    // Check settings.json before anything is created, so a damaged file fails the call cleanly.
    if (auto failed = CheckStartupSettings(m_options.settings_file, load_on_startup)) {
        return *failed;
    }
    const fs::path dir = WalletPath(m_options.wallet_dir, name);
    if (!StartLoading(m_mutex, m_loading, name)) {
        return Fail(LoadStatus::FAILED, "Wallet already loading.");
    }
    auto done = [&] { EndLoading(m_mutex, m_loading, name); };
    if (HoldsDatabase(dir) || GetWallet(name)) {
        done();
        return Fail(LoadStatus::ALREADY_EXISTS, "Wallet file verification failed. Failed to "
                                                "create database path '" +
                                                    dir.string() + "'. Database already exists.");
    }
    if (auto made = util::CreateDirectories(m_options.wallet_dir); !made) {
        done();
        return Fail(LoadStatus::FAILED, made.error().message);
    }
    const bool existed = PathExists(dir);
    auto wallet = Wallet::Create(*m_chain, name, dir, options, m_options.settings, m_logger);
    if (!wallet) {
        if (!existed) RemoveTree(dir);
        done();
        return Fail(LoadStatus::FAILED, wallet.error().message);
    }
    if (auto failed = AttachAndList(*wallet, name, m_mutex, m_wallets, m_loading)) return *failed;
    ApplyStartupSetting(m_options.settings_file, m_logger, name, load_on_startup);
    if (m_logger) m_logger->Info("Created wallet \"" + name + "\" in " + dir.string());
    return *wallet;
}

std::variant<std::shared_ptr<Wallet>, LoadError>
WalletManager::LoadWallet(const std::string& name, std::optional<bool> load_on_startup)
{
    if (auto invalid = CheckWalletName(name)) return *invalid;
    if (!m_chain) return NoChain();
    if (auto failed = CheckStartupSettings(m_options.settings_file, load_on_startup)) {
        return *failed;
    }
    {
        std::lock_guard lock{m_mutex};
        for (const auto& wallet : m_wallets) {
            if (wallet->Name() == name) {
                return Fail(LoadStatus::ALREADY_LOADED,
                            "Wallet \"" + name + "\" is already loaded.");
            }
        }
        if (!m_loading.insert(name).second) {
            return Fail(LoadStatus::FAILED, "Wallet already loading.");
        }
    }
    auto done = [&] { EndLoading(m_mutex, m_loading, name); };
    const fs::path dir = WalletPath(m_options.wallet_dir, name);
    if (!PathExists(dir)) {
        done();
        return Fail(LoadStatus::NOT_FOUND, "Wallet file verification failed. Failed to load "
                                           "database path '" +
                                               dir.string() + "'. Path does not exist.");
    }
    if (!HoldsDatabase(dir)) {
        done();
        return Fail(LoadStatus::NOT_FOUND, "Wallet file verification failed. Failed to load "
                                           "database path '" +
                                               dir.string() +
                                               "'. Data is not in recognized format.");
    }
    auto wallet = Wallet::Load(*m_chain, name, dir, m_options.settings, m_logger);
    if (!wallet) {
        done();
        return Fail(LoadStatus::FAILED, wallet.error().message);
    }
    if (auto failed = AttachAndList(*wallet, name, m_mutex, m_wallets, m_loading)) return *failed;
    ApplyStartupSetting(m_options.settings_file, m_logger, name, load_on_startup);
    if (m_logger) m_logger->Info("Loaded wallet \"" + name + "\" from " + dir.string());
    return *wallet;
}

std::variant<std::shared_ptr<Wallet>, LoadError>
WalletManager::RestoreWallet(const std::string& name, const fs::path& backup_file,
                             std::optional<bool> load_on_startup)
{
    if (auto invalid = CheckWalletName(name)) return *invalid;
    if (!m_chain) return NoChain();
    std::error_code ec;
    if (!fs::exists(backup_file, ec)) {
        return Fail(LoadStatus::INVALID, "Backup file does not exist");
    }
    if (auto failed = CheckStartupSettings(m_options.settings_file, load_on_startup)) {
        return *failed;
    }
    const fs::path dir = WalletPath(m_options.wallet_dir, name);
    if (!StartLoading(m_mutex, m_loading, name)) {
        return Fail(LoadStatus::FAILED, "Wallet already loading.");
    }
    auto done = [&] { EndLoading(m_mutex, m_loading, name); };
    if (PathExists(dir)) {
        done();
        return Fail(LoadStatus::ALREADY_EXISTS, "Failed to create database path '" + dir.string() +
                                                    "'. Database already exists.");
    }
    if (auto made = util::CreateDirectories(m_options.wallet_dir); !made) {
        done();
        return Fail(LoadStatus::FAILED, made.error().message);
    }
    if (auto restored = WalletDatabase::Restore(backup_file, dir); !restored) {
        RemoveTree(dir);
        done();
        return Fail(LoadStatus::FAILED, restored.error().message);
    }
    done();
    auto loaded = LoadWallet(name, load_on_startup);
    // Core removes what it restored when the wallet then fails to load.
    if (std::holds_alternative<LoadError>(loaded)) RemoveTree(dir);
    return loaded;
}

std::optional<LoadError> WalletManager::UnloadWallet(const std::string& name,
                                                     std::optional<bool> load_on_startup)
{
    if (auto failed = CheckStartupSettings(m_options.settings_file, load_on_startup)) {
        return *failed;
    }
    std::shared_ptr<Wallet> wallet;
    {
        std::lock_guard lock{m_mutex};
        const auto it = std::find_if(m_wallets.begin(), m_wallets.end(),
                                     [&](const auto& w) { return w->Name() == name; });
        if (it == m_wallets.end()) {
            return Fail(LoadStatus::NOT_FOUND, "Requested wallet does not exist or is not loaded");
        }
        wallet = *it;
        m_wallets.erase(it);
        // Held until the database is closed, so the name cannot be loaded again meanwhile.
        m_loading.insert(name);
    }
    wallet->Detach();
    // As Core does, wait for calls still using the wallet, so its database is closed (and can
    // be loaded again) when this returns; give up waiting after a while rather than hang.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
    while (wallet.use_count() > 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    if (wallet.use_count() > 1 && m_logger) {
        m_logger->Warning("Wallet \"" + name + "\" is still in use after unloading");
    }
    wallet.reset();
    {
        std::lock_guard lock{m_mutex};
        m_loading.erase(name);
    }
    ApplyStartupSetting(m_options.settings_file, m_logger, name, load_on_startup);
    if (m_logger) m_logger->Info("Unloaded wallet \"" + name + "\"");
    return std::nullopt;
}

void WalletManager::UnloadAll()
{
    std::vector<std::shared_ptr<Wallet>> wallets;
    {
        std::lock_guard lock{m_mutex};
        wallets.swap(m_wallets);
    }
    // Newest first, the reverse of loading.
    for (auto it = wallets.rbegin(); it != wallets.rend(); ++it) {
        (*it)->Detach();
    }
}

std::shared_ptr<Wallet> WalletManager::GetWallet(const std::string& name) const
{
    std::lock_guard lock{m_mutex};
    for (const auto& wallet : m_wallets) {
        if (wallet->Name() == name) return wallet;
    }
    return nullptr;
}

std::vector<std::shared_ptr<Wallet>> WalletManager::GetWallets() const
{
    std::lock_guard lock{m_mutex};
    return m_wallets;
}

std::vector<std::string> WalletManager::ListWalletDir() const
{
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it{m_options.wallet_dir, ec}; !ec && it != fs::directory_iterator{};
         it.increment(ec)) {
        const fs::directory_entry& entry = *it;
        if (!HoldsDatabase(entry.path())) continue;
        std::string name = entry.path().filename().string();
        if (name == DEFAULT_WALLET_DIR_NAME) {
            name.clear();
        } else if (CheckWalletName(name)) {
            continue;
        }
        names.push_back(std::move(name));
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace wallet
