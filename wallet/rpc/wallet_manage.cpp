// wallet: createwallet, loadwallet, unloadwallet, listwallets, listwalletdir, restorewallet,
// backupwallet, encryptwallet, walletpassphrase, walletlock, walletpassphrasechange and
// getwalletinfo, with Bitcoin Core v28's names, results, errors and codes. The key and coin
// methods live in wallet_manage_keys.cpp.
#include <wallet/rpc/register.h>
#include <wallet/rpc/rpc_names.h>
#include <wallet/rpc/util.h>
#include <wallet/rpc/wallet_manage_internal.h>

#include <common/bip39.h>
#include <rpc/dispatch.h>
#include <rpc/util.h>
#include <wallet/crypter.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

namespace wallet {

namespace {

// Core's FEATURE_LATEST, which getwalletinfo reports for every wallet it creates.
constexpr int64_t WALLET_VERSION{169900};
// walletpassphrase's longest unlock (Core's cap).
constexpr int64_t MAX_UNLOCK_SECONDS{100'000'000};
// Words in a mnemonic createwallet generates.
constexpr size_t GENERATED_MNEMONIC_WORDS{12};

const char* const LOAD_ON_STARTUP_HELP{
    "Save wallet name to persistent settings and load on startup. True to add wallet to startup "
    "list, false to remove, null to leave unchanged."};

std::optional<bool> LoadOnStartup(const Json& value)
{
    if (value.is_null()) return std::nullopt;
    return value.get<bool>();
}

// The RPC error for a failed create/load/restore, with the codes Core's HandleWalletError
// gives. A restore onto an existing directory is -36, a create onto one -4 (Core turns that
// into a verification failure).
[[noreturn]] void ThrowLoadError(const LoadError& error, bool restoring)
{
    int code = RPC_WALLET_ERROR;
    switch (error.status) {
    case LoadStatus::NOT_FOUND:
        code = RPC_WALLET_NOT_FOUND;
        break;
    case LoadStatus::ALREADY_LOADED:
        code = RPC_WALLET_ALREADY_LOADED;
        break;
    case LoadStatus::ALREADY_EXISTS:
        code = restoring ? RPC_WALLET_ALREADY_EXISTS : RPC_WALLET_ERROR;
        break;
    case LoadStatus::INVALID:
        code = rpc::RPC_INVALID_PARAMETER;
        break;
    case LoadStatus::OK:
    case LoadStatus::FAILED:
        break;
    }
    ThrowRpc(code, error.message);
}

std::shared_ptr<Wallet> TakeWallet(std::variant<std::shared_ptr<Wallet>, LoadError> outcome,
                                   bool restoring)
{
    if (auto* error = std::get_if<LoadError>(&outcome)) ThrowLoadError(*error, restoring);
    return std::get<std::shared_ptr<Wallet>>(std::move(outcome));
}

// Core adds "warnings" only when there are some.
void PushWarnings(const std::vector<std::string>& warnings, Json& obj)
{
    if (warnings.empty()) return;
    obj["warnings"] = warnings;
}

ResultDoc WarningsDoc(std::string description)
{
    return ResultDoc{ResultType::ARR,
                     "warnings",
                     true,
                     std::move(description),
                     {ResultDoc{ResultType::STR, "", ""}}};
}

// Core's wording for a wrong passphrase, whatever the wallet's own error said.
[[noreturn]] void ThrowPassphraseError(const util::Error& error)
{
    if (error.message.find(INCORRECT_PASSPHRASE_MESSAGE) != std::string::npos) {
        ThrowRpc(RPC_WALLET_PASSPHRASE_INCORRECT,
                 "Error: The wallet passphrase entered was incorrect.");
    }
    ThrowRpc(RPC_WALLET_ERROR, "Error: " + error.message);
}

Method CreateWalletMethod(WalletManager& manager)
{
    return Method{
        "createwallet",
        "wallet",
        "Creates a new wallet and loads it.\n"
        "minibit extension: 'mnemonic' makes the wallet's keys from a BIP39 mnemonic (English "
        "word list). Pass true to have a fresh 12-word mnemonic generated, or pass your own "
        "words; 'mnemonic_passphrase' is the optional BIP39 passphrase. The result then holds "
        "the mnemonic: it is shown this once and never again, so write it down. Anyone who has "
        "it (and the passphrase) can spend the wallet's coins.",
        {
            {"wallet_name", ArgType::STR, ArgOptional::NO,
             "The name of the new wallet. It is a plain name: minibit keeps every wallet in the "
             "wallet directory and refuses paths."},
            {"disable_private_keys", ArgType::BOOL, Json(false),
             "Create a wallet that can never hold private keys (watch-only)."},
            {"blank", ArgType::BOOL, Json(false),
             "Create a blank wallet, without keys or descriptors (importdescriptors adds some)."},
            {"passphrase", ArgType::STR, ArgOptional::OMITTED,
             "Encrypt the new wallet with this passphrase."},
            {"avoid_reuse", ArgType::BOOL, Json(false),
             "Track address reuse, keeping coins on reused addresses apart for privacy."},
            {"descriptors", ArgType::BOOL, Json(true),
             "Create a descriptor wallet. minibit has only descriptor wallets: false is refused."},
            {"load_on_startup", ArgType::BOOL, ArgOptional::OMITTED, LOAD_ON_STARTUP_HELP},
            {"external_signer", ArgType::BOOL, Json(false),
             "Use an external signer such as a hardware wallet (not supported by minibit: true "
             "is refused)."},
            {"mnemonic",
             ArgType::STR,
             ArgOptional::OMITTED,
             "minibit only: true to generate a fresh 12-word BIP39 mnemonic, or the mnemonic "
             "(12 to 24 English words) to create the wallet's keys from.",
             {},
             ArgOptions{.skip_type_check = true, .type_str = {"", "string or boolean"}}},
            {"mnemonic_passphrase", ArgType::STR, DefaultHint{"\"\""},
             "minibit only: the BIP39 passphrase used with 'mnemonic' (not the encryption "
             "passphrase)."},
        },
        {ResultDoc{ResultType::OBJ,
                   "",
                   "",
                   {
                       ResultDoc{ResultType::STR, "name", "The name of the wallet created"},
                       WarningsDoc("Warnings about creating and loading the wallet, if any"),
                       ResultDoc{ResultType::STR, "mnemonic", true,
                                 "minibit only, when 'mnemonic' was given: the BIP39 mnemonic "
                                 "of the wallet. It is never shown again."},
                   }}},
        HelpExampleCli("createwallet", "\"testwallet\"") +
            HelpExampleRpc("createwallet", "\"testwallet\"") +
            HelpExampleCliNamed("createwallet", {{"wallet_name", "descriptors"},
                                                 {"avoid_reuse", true},
                                                 {"descriptors", true},
                                                 {"load_on_startup", true}}) +
            HelpExampleRpcNamed("createwallet", {{"wallet_name", "descriptors"},
                                                 {"avoid_reuse", true},
                                                 {"descriptors", true},
                                                 {"load_on_startup", true}}) +
            HelpExampleCliNamed("createwallet", {{"wallet_name", "alice"}, {"mnemonic", true}}),
        [&manager](const Request& request) -> Result {
            const std::string name = request.Arg("wallet_name").get<std::string>();
            CreateOptions options;
            options.disable_private_keys = request.Arg("disable_private_keys").get<bool>();
            options.blank = request.Arg("blank").get<bool>();
            std::vector<std::string> warnings;
            if (request.HasArg("passphrase")) {
                options.passphrase = request.Arg("passphrase").get<std::string>();
                if (options.passphrase.empty()) {
                    warnings.emplace_back(
                        "Empty string given as passphrase, wallet will not be encrypted.");
                }
            }
            options.avoid_reuse = request.Arg("avoid_reuse").get<bool>();
            if (!request.Arg("descriptors").get<bool>()) {
                ThrowRpc(RPC_WALLET_ERROR,
                         "Compiled without bdb support (required for legacy wallets)");
            }
            if (request.Arg("external_signer").get<bool>()) {
                ThrowRpc(RPC_WALLET_ERROR, "Compiled without external signing support (required "
                                           "for external signing)");
            }

            // minibit's BIP39 extension.
            std::optional<std::string> mnemonic;
            const Json& mnemonic_arg = request.Arg("mnemonic");
            if (mnemonic_arg.is_boolean()) {
                if (mnemonic_arg.get<bool>()) {
                    auto generated = common::GenerateMnemonic(GENERATED_MNEMONIC_WORDS);
                    if (!generated) ThrowRpc(RPC_WALLET_ERROR, generated.error().message);
                    mnemonic = std::move(*generated);
                }
            } else if (mnemonic_arg.is_string()) {
                auto normalized = common::NormalizeMnemonic(mnemonic_arg.get<std::string>());
                if (!normalized) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "Invalid mnemonic: " + normalized.error().message);
                }
                mnemonic = std::move(*normalized);
            } else if (!mnemonic_arg.is_null()) {
                ThrowRpc(rpc::RPC_TYPE_ERROR, "JSON value of type " +
                                                  std::string{rpc::JsonTypeName(mnemonic_arg)} +
                                                  " for mnemonic is not of expected type string "
                                                  "or boolean");
            }
            if (request.HasArg("mnemonic_passphrase") && !mnemonic) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER, "mnemonic_passphrase requires mnemonic");
            }
            if (mnemonic) {
                if (options.disable_private_keys || options.blank) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "mnemonic cannot be used with disable_private_keys or blank");
                }
                const std::string bip39_passphrase =
                    request.HasArg("mnemonic_passphrase")
                        ? request.Arg("mnemonic_passphrase").get<std::string>()
                        : std::string{};
                auto seed = common::MnemonicToSeed(*mnemonic, bip39_passphrase);
                if (!seed) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "Invalid mnemonic: " + seed.error().message);
                }
                options.seed.assign(seed->bytes.begin(), seed->bytes.end());
            }

            auto wallet = TakeWallet(
                manager.CreateWallet(name, options, LoadOnStartup(request.Arg("load_on_startup"))),
                /*restoring=*/false);
            std::fill(options.seed.begin(), options.seed.end(), uint8_t{0});
            Json result{{"name", wallet->Name()}};
            PushWarnings(warnings, result);
            if (mnemonic) result["mnemonic"] = *mnemonic;
            return result;
        },
    };
}

Method LoadWalletMethod(WalletManager& manager)
{
    return Method{
        "loadwallet",
        "wallet",
        "Loads a wallet from the wallet directory.\n"
        "The wallet options the node was started with apply to it too.",
        {
            {"filename", ArgType::STR, ArgOptional::NO,
             "The wallet name (its directory in the wallet directory)."},
            {"load_on_startup", ArgType::BOOL, ArgOptional::OMITTED, LOAD_ON_STARTUP_HELP},
        },
        {ResultDoc{ResultType::OBJ,
                   "",
                   "",
                   {
                       ResultDoc{ResultType::STR, "name", "The name of the wallet loaded"},
                       WarningsDoc("Warnings about loading the wallet, if any"),
                   }}},
        HelpExampleCli("loadwallet", "\"test.dat\"") + HelpExampleRpc("loadwallet", "\"test.dat\""),
        [&manager](const Request& request) -> Result {
            const std::string name = request.Arg("filename").get<std::string>();
            auto wallet =
                TakeWallet(manager.LoadWallet(name, LoadOnStartup(request.Arg("load_on_startup"))),
                           /*restoring=*/false);
            return Json{{"name", wallet->Name()}};
        },
    };
}

Method UnloadWalletMethod(WalletManager& manager)
{
    return Method{
        "unloadwallet",
        "wallet",
        "Unloads the wallet the request's endpoint names, or else the one named in the "
        "argument.\n"
        "On a wallet endpoint, naming a different wallet is an error.",
        {
            {"wallet_name", ArgType::STR, DefaultHint{"the wallet name from the RPC endpoint"},
             "The wallet to unload. Given both here and in the endpoint, the two must match."},
            {"load_on_startup", ArgType::BOOL, ArgOptional::OMITTED, LOAD_ON_STARTUP_HELP},
        },
        {ResultDoc{
            ResultType::OBJ, "", "", {WarningsDoc("Warnings about unloading the wallet, if any")}}},
        HelpExampleCli("unloadwallet", "wallet_name") +
            HelpExampleRpc("unloadwallet", "wallet_name"),
        [&manager](const Request& request) -> Result {
            std::string name;
            const Json& given = request.Arg("wallet_name");
            if (const auto endpoint = WalletNameFromUri(request.context.uri)) {
                if (!given.is_null() && given.get<std::string>() != *endpoint) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "RPC endpoint wallet and wallet_name parameter specify different "
                             "wallets");
                }
                name = *endpoint;
            } else {
                if (!given.is_string()) {
                    // Core reads the missing name as a string and fails with this.
                    ThrowRpc(rpc::RPC_MISC_ERROR, "JSON value of type " +
                                                      std::string{rpc::JsonTypeName(given)} +
                                                      " is not of expected type string");
                }
                name = given.get<std::string>();
            }
            if (auto error =
                    manager.UnloadWallet(name, LoadOnStartup(request.Arg("load_on_startup")))) {
                ThrowLoadError(*error, /*restoring=*/false);
            }
            return Json::object();
        },
    };
}

Method ListWalletsMethod(WalletManager& manager)
{
    return Method{
        "listwallets",
        "wallet",
        "The names of the loaded wallets.\n"
        "getwalletinfo tells more about each.",
        {},
        {ResultDoc{ResultType::ARR,
                   "",
                   "",
                   {ResultDoc{ResultType::STR, "walletname", "the wallet name"}}}},
        HelpExampleCli("listwallets", "") + HelpExampleRpc("listwallets", ""),
        [&manager](const Request&) -> Result {
            Json names = Json::array();
            for (const auto& wallet : manager.GetWallets()) {
                names.push_back(wallet->Name());
            }
            return names;
        },
    };
}

Method ListWalletDirMethod(WalletManager& manager)
{
    return Method{
        "listwalletdir",
        "wallet",
        "The wallets in the wallet directory, loaded or not. The default wallet \"\" lives in "
        "the directory wallet.dat.",
        {},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {ResultDoc{ResultType::ARR,
                       "wallets",
                       "",
                       {ResultDoc{ResultType::OBJ,
                                  "",
                                  "",
                                  {ResultDoc{ResultType::STR, "name", "The wallet name"}}}}}}}},
        HelpExampleCli("listwalletdir", "") + HelpExampleRpc("listwalletdir", ""),
        [&manager](const Request&) -> Result {
            Json wallets = Json::array();
            for (const std::string& name : manager.ListWalletDir()) {
                wallets.push_back(Json{{"name", name}});
            }
            return Json{{"wallets", std::move(wallets)}};
        },
    };
}

Method RestoreWalletMethod(WalletManager& manager)
{
    return Method{
        "restorewallet",
        "wallet",
        "Restores a wallet from a backupwallet file and loads it.\n"
        "The wallet then catches up with the chain from the block it had last seen.",
        {
            {"wallet_name", ArgType::STR, ArgOptional::NO, "The name the restored wallet gets"},
            {"backup_file", ArgType::STR, ArgOptional::NO,
             "The backup file to restore the wallet from."},
            {"load_on_startup", ArgType::BOOL, ArgOptional::OMITTED, LOAD_ON_STARTUP_HELP},
        },
        {ResultDoc{ResultType::OBJ,
                   "",
                   "",
                   {
                       ResultDoc{ResultType::STR, "name", "The name of the wallet restored"},
                       WarningsDoc("Warnings about restoring and loading the wallet, if any"),
                   }}},
        HelpExampleCli("restorewallet", "\"testwallet\" \"home\\\\backups\\\\backup-file.bak\"") +
            HelpExampleRpc("restorewallet",
                           "\"testwallet\" \"home\\\\backups\\\\backup-file.bak\"") +
            HelpExampleCliNamed("restorewallet",
                                {{"wallet_name", "testwallet"},
                                 {"backup_file", "home\\backups\\backup-file.bak\""},
                                 {"load_on_startup", true}}) +
            HelpExampleRpcNamed("restorewallet",
                                {{"wallet_name", "testwallet"},
                                 {"backup_file", "home\\backups\\backup-file.bak\""},
                                 {"load_on_startup", true}}),
        [&manager](const Request& request) -> Result {
            const std::string name = request.Arg("wallet_name").get<std::string>();
            const std::filesystem::path backup{request.Arg("backup_file").get<std::string>()};
            auto wallet = TakeWallet(
                manager.RestoreWallet(name, backup, LoadOnStartup(request.Arg("load_on_startup"))),
                /*restoring=*/true);
            return Json{{"name", wallet->Name()}};
        },
    };
}

Method BackupWalletMethod(WalletManager& manager)
{
    return Method{
        "backupwallet",
        "wallet",
        "Writes a backup of the wallet to a file (restorewallet reads it). The destination is "
        "a file name, or a directory that exists, which then gets \"<wallet name>.backup\" "
        "(\"wallet.backup\" for the default wallet).",
        {{"destination", ArgType::STR, ArgOptional::NO, "The destination directory or file"}},
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("backupwallet", "\"backup.dat\"") +
            HelpExampleRpc("backupwallet", "\"backup.dat\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            std::filesystem::path dest{request.Arg("destination").get<std::string>()};
            std::error_code ec;
            if (std::filesystem::is_directory(dest, ec)) {
                dest /=
                    (wallet->Name().empty() ? std::string{"wallet"} : wallet->Name()) + ".backup";
            }
            if (auto done = wallet->Backup(dest); !done) {
                ThrowRpc(RPC_WALLET_ERROR, "Error: Wallet backup failed! " + done.error().message);
            }
            return Json(nullptr);
        },
    };
}

Method EncryptWalletMethod(WalletManager& manager)
{
    return Method{
        "encryptwallet",
        "wallet",
        "Encrypts the wallet's private keys with 'passphrase', the first time only (use "
        "walletpassphrasechange to change it later).\n"
        "From then on every call that needs a private key (sending, signing) needs the wallet "
        "unlocked with walletpassphrase first; walletlock locks it again.\n"
        "The wallet keeps its descriptors and seed (unlike Bitcoin Core, which makes new "
        "ones), so earlier backups still hold the same keys, unencrypted: replace them with a "
        "new backupwallet.",
        {{"passphrase", ArgType::STR, ArgOptional::NO,
          "The passphrase to encrypt the wallet with: at least one character, better long."}},
        {ResultDoc{ResultType::STR, "", "A string with further instructions"}},
        HelpExampleCli("encryptwallet", "\"my pass phrase\"") +
            HelpExampleCli("walletpassphrase", "\"my pass phrase\"") +
            HelpExampleCli("signmessage", "\"address\" \"test message\"") +
            HelpExampleCli("walletlock", "") +
            HelpExampleRpc("encryptwallet", "\"my pass phrase\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            if (!wallet->HasPrivateKeys()) {
                ThrowRpc(RPC_WALLET_ENCRYPTION_FAILED,
                         "Error: wallet does not contain private keys, nothing to encrypt.");
            }
            if (wallet->IsCrypted()) {
                ThrowRpc(RPC_WALLET_WRONG_ENC_STATE,
                         "Error: running with an encrypted wallet, but encryptwallet was called.");
            }
            if (wallet->IsScanning()) {
                ThrowRpc(RPC_WALLET_ERROR,
                         "Error: the wallet is currently being used to rescan the blockchain for "
                         "related transactions. Please call `abortrescan` before encrypting the "
                         "wallet.");
            }
            const std::string passphrase = request.Arg("passphrase").get<std::string>();
            if (passphrase.empty()) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER, "passphrase cannot be empty");
            }
            if (auto done = wallet->EncryptWallet(passphrase); !done) {
                ThrowRpc(RPC_WALLET_ENCRYPTION_FAILED,
                         "Error: Failed to encrypt the wallet. " + done.error().message);
            }
            // Core's text says a new HD seed was generated; minibit keeps the seed, so it says
            // only what happened.
            return Json("wallet encrypted; The wallet is now locked. You need to make a new "
                        "backup with the backupwallet RPC.");
        },
    };
}

Method WalletPassphraseMethod(WalletManager& manager)
{
    return Method{
        "walletpassphrase",
        "wallet",
        "Keeps the wallet's decryption key in memory for 'timeout' seconds, which sending and "
        "signing need.\n\n"
        "Note:\n"
        "Calling it again while the wallet is unlocked replaces the earlier unlock time.",
        {
            {"passphrase", ArgType::STR, ArgOptional::NO, "The wallet passphrase"},
            {"timeout", ArgType::NUM, ArgOptional::NO,
             "Seconds to keep the key in memory; at most 100000000 (~3 years)."},
        },
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("walletpassphrase", "\"my pass phrase\" 60") +
            HelpExampleCli("walletlock", "") +
            HelpExampleRpc("walletpassphrase", "\"my pass phrase\", 60"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            if (!wallet->IsCrypted()) {
                ThrowRpc(RPC_WALLET_WRONG_ENC_STATE, "Error: running with an unencrypted wallet, "
                                                     "but walletpassphrase was called.");
            }
            const std::string passphrase = request.Arg("passphrase").get<std::string>();
            int64_t timeout = rpc::IntFromJson(request.Arg("timeout"));
            if (timeout < 0) ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Timeout cannot be negative.");
            timeout = std::min(timeout, MAX_UNLOCK_SECONDS);
            if (passphrase.empty()) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER, "passphrase cannot be empty");
            }
            if (auto done = wallet->Unlock(passphrase, std::chrono::seconds{timeout}); !done) {
                ThrowPassphraseError(done.error());
            }
            return Json(nullptr);
        },
    };
}

Method WalletLockMethod(WalletManager& manager)
{
    return Method{
        "walletlock",
        "wallet",
        "Forgets the wallet's decryption key now, locking the wallet.\n"
        "Calls that need private keys then need walletpassphrase again.",
        {},
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("walletpassphrase", "\"my pass phrase\" 120") +
            HelpExampleCli("sendtoaddress", "\"bc1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl\" 1.0") +
            HelpExampleCli("walletlock", "") + HelpExampleRpc("walletlock", ""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            if (!wallet->IsCrypted()) {
                ThrowRpc(RPC_WALLET_WRONG_ENC_STATE,
                         "Error: running with an unencrypted wallet, but walletlock was called.");
            }
            if (wallet->IsScanning()) {
                ThrowRpc(RPC_WALLET_ERROR,
                         "Error: the wallet is currently being used to rescan the blockchain for "
                         "related transactions. Please call `abortrescan` before locking the "
                         "wallet.");
            }
            wallet->Lock();
            return Json(nullptr);
        },
    };
}

Method WalletPassphraseChangeMethod(WalletManager& manager)
{
    return Method{
        "walletpassphrasechange",
        "wallet",
        "Changes the wallet passphrase from 'oldpassphrase' to 'newpassphrase'.",
        {
            {"oldpassphrase", ArgType::STR, ArgOptional::NO, "The current passphrase"},
            {"newpassphrase", ArgType::STR, ArgOptional::NO, "The new passphrase"},
        },
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("walletpassphrasechange", "\"old one\" \"new one\"") +
            HelpExampleRpc("walletpassphrasechange", "\"old one\", \"new one\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            if (!wallet->IsCrypted()) {
                ThrowRpc(RPC_WALLET_WRONG_ENC_STATE, "Error: running with an unencrypted wallet, "
                                                     "but walletpassphrasechange was called.");
            }
            if (wallet->IsScanning()) {
                ThrowRpc(RPC_WALLET_ERROR,
                         "Error: the wallet is currently being used to rescan the blockchain for "
                         "related transactions. Please call `abortrescan` before changing the "
                         "passphrase.");
            }
            const std::string old_passphrase = request.Arg("oldpassphrase").get<std::string>();
            const std::string new_passphrase = request.Arg("newpassphrase").get<std::string>();
            if (old_passphrase.empty() || new_passphrase.empty()) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER, "passphrase cannot be empty");
            }
            if (auto done = wallet->ChangePassphrase(old_passphrase, new_passphrase); !done) {
                ThrowPassphraseError(done.error());
            }
            return Json(nullptr);
        },
    };
}

Method GetWalletInfoMethod(WalletManager& manager)
{
    return Method{
        "getwalletinfo",
        "wallet",
        "The wallet's state: name, format, balances, keys, encryption and scanning.\n"
        "minibit stores wallets in LevelDB, so \"format\" is \"leveldb\".",
        {},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                ResultDoc{ResultType::STR, "walletname", "the wallet name"},
                ResultDoc{ResultType::NUM, "walletversion", "the wallet version"},
                ResultDoc{ResultType::STR, "format",
                          "the database format (\"leveldb\"; Bitcoin Core has bdb or sqlite)"},
                ResultDoc{ResultType::STR_AMOUNT, "balance",
                          "DEPRECATED. Identical to getbalances().mine.trusted"},
                ResultDoc{ResultType::STR_AMOUNT, "unconfirmed_balance",
                          "DEPRECATED. Identical to getbalances().mine.untrusted_pending"},
                ResultDoc{ResultType::STR_AMOUNT, "immature_balance",
                          "DEPRECATED. Identical to getbalances().mine.immature"},
                ResultDoc{ResultType::NUM, "txcount", "how many transactions the wallet holds"},
                ResultDoc{ResultType::NUM_TIME, "keypoololdest", true,
                          "legacy wallets only, so never shown by minibit"},
                ResultDoc{ResultType::NUM, "keypoolsize",
                          "how many receive addresses are derived ahead (external keys only)"},
                ResultDoc{ResultType::NUM, "keypoolsize_hd_internal", true,
                          "how many change addresses are derived ahead"},
                ResultDoc{ResultType::NUM_TIME, "unlocked_until", true,
                          "the UNIX epoch time until which the wallet stays unlocked, or 0 if "
                          "it is locked (only for encrypted wallets)"},
                ResultDoc{ResultType::STR_AMOUNT, "paytxfee",
                          "the -paytxfee setting in BTC/kvB (minibit has none: always 0)"},
                ResultDoc{ResultType::STR_HEX, "hdseedid", true,
                          "legacy wallets only, so never shown by minibit"},
                ResultDoc{ResultType::BOOL, "private_keys_enabled",
                          "false if the wallet can never hold private keys (watch-only)"},
                ResultDoc{ResultType::BOOL, "avoid_reuse",
                          "whether the wallet keeps coins on reused addresses apart"},
                ResultDoc{
                    ResultType::OBJ,
                    "scanning",
                    "the running scan, or false if none (minibit does not measure "
                    "duration and progress yet: both are 0)",
                    {
                        ResultDoc{ResultType::NUM, "duration", "elapsed seconds since scan start"},
                        ResultDoc{ResultType::NUM, "progress",
                                  "scanning progress percentage [0.0, 1.0]"},
                    }},
                ResultDoc{ResultType::BOOL, "descriptors",
                          "whether the wallet uses descriptors (always true)"},
                ResultDoc{ResultType::BOOL, "external_signer",
                          "whether the wallet uses an external signer (always false)"},
                ResultDoc{ResultType::BOOL, "blank",
                          "whether the wallet was created without keys or descriptors"},
                ResultDoc{ResultType::NUM_TIME, "birthtime", true,
                          "the earliest descriptor timestamp: where scans for the wallet start"},
                ResultDoc{ResultType::OBJ,
                          "lastprocessedblock",
                          "the last block the wallet processed, which these numbers reflect",
                          {
                              ResultDoc{ResultType::STR_HEX, "hash", "its hash"},
                              ResultDoc{ResultType::NUM, "height", "its height"},
                          }},
            }}},
        HelpExampleCli("getwalletinfo", "") + HelpExampleRpc("getwalletinfo", ""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            const Balances balances = wallet->GetBalances();
            const auto [external, internal] = wallet->KeypoolSize();
            Json obj;
            obj["walletname"] = wallet->Name();
            obj["walletversion"] = WALLET_VERSION;
            obj["format"] = "leveldb";
            obj["balance"] = rpc::AmountToJson(balances.trusted);
            obj["unconfirmed_balance"] = rpc::AmountToJson(balances.untrusted_pending);
            obj["immature_balance"] = rpc::AmountToJson(balances.immature);
            obj["txcount"] = wallet->ListTransactions().size();
            obj["keypoolsize"] = external;
            obj["keypoolsize_hd_internal"] = internal;
            if (wallet->IsCrypted()) obj["unlocked_until"] = wallet->UnlockedUntil();
            obj["paytxfee"] = rpc::AmountToJson(0);
            obj["private_keys_enabled"] = wallet->HasPrivateKeys();
            obj["avoid_reuse"] = wallet->HasFlag(WALLET_FLAG_AVOID_REUSE);
            if (wallet->IsScanning()) {
                obj["scanning"] = Json{{"duration", 0}, {"progress", 0.0}};
            } else {
                obj["scanning"] = false;
            }
            obj["descriptors"] = wallet->HasFlag(WALLET_FLAG_DESCRIPTORS);
            obj["external_signer"] = false;
            obj["blank"] = wallet->HasFlag(WALLET_FLAG_BLANK_WALLET);
            if (auto descriptors = wallet->ListDescriptors(false);
                descriptors && !descriptors->empty()) {
                int64_t birth = std::numeric_limits<int64_t>::max();
                for (const DescriptorInfo& info : *descriptors) {
                    birth = std::min(birth, info.timestamp);
                }
                obj["birthtime"] = birth;
            }
            obj["lastprocessedblock"] = LastProcessedBlock(*wallet);
            return obj;
        },
    };
}

} // namespace

void RegisterWalletManageMethods(rpc::MethodTable& table, WalletManager& manager)
{
    table.Register(BackupWalletMethod(manager));
    table.Register(CreateWalletMethod(manager));
    table.Register(EncryptWalletMethod(manager));
    table.Register(GetWalletInfoMethod(manager));
    table.Register(ListWalletDirMethod(manager));
    table.Register(ListWalletsMethod(manager));
    table.Register(LoadWalletMethod(manager));
    table.Register(RestoreWalletMethod(manager));
    table.Register(UnloadWalletMethod(manager));
    table.Register(WalletLockMethod(manager));
    table.Register(WalletPassphraseMethod(manager));
    table.Register(WalletPassphraseChangeMethod(manager));
    RegisterWalletKeyMethods(table, manager);
}

} // namespace wallet
