// Shared pieces of the wallet RPC methods: which wallet a request addresses
// (`/wallet/<name>`), Core's wallet error checks, and amount / fee-rate /
// address parameter parsing. Called on RPC worker threads.
#pragma once

#include <consensus/amount.h>
#include <consensus/script/script.h>
#include <rpc/jsonrpc.h>
#include <rpc/method.h>
#include <wallet/context.h>
#include <wallet/spend.h>
#include <wallet/wallet.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace wallet {

/// Core's wallet error codes not in rpc/protocol.h's common set.
inline constexpr int RPC_WALLET_ERROR{-4};
inline constexpr int RPC_WALLET_INSUFFICIENT_FUNDS{-6};
inline constexpr int RPC_WALLET_INVALID_LABEL_NAME{-11};
inline constexpr int RPC_WALLET_KEYPOOL_RAN_OUT{-12};
inline constexpr int RPC_WALLET_UNLOCK_NEEDED{-13};
inline constexpr int RPC_WALLET_PASSPHRASE_INCORRECT{-14};
inline constexpr int RPC_WALLET_WRONG_ENC_STATE{-15};
inline constexpr int RPC_WALLET_ENCRYPTION_FAILED{-16};
inline constexpr int RPC_WALLET_ALREADY_UNLOCKED{-17};
inline constexpr int RPC_WALLET_NOT_FOUND{-18};
inline constexpr int RPC_WALLET_NOT_SPECIFIED{-19};
inline constexpr int RPC_WALLET_ALREADY_LOADED{-35};
inline constexpr int RPC_WALLET_ALREADY_EXISTS{-36};

/// The wallet name in a request's URI ("/wallet/<url-encoded name>"), nullopt for other
/// paths; the name is URL-decoded.
std::optional<std::string> WalletNameFromUri(std::string_view uri);

/// The wallet a request addresses: the one named by its URI, else the only loaded wallet.
/// Throws Core's errors: -18 "Requested wallet does not exist or is not loaded", -18 "No
/// wallet is loaded. Load a wallet using loadwallet or create a new one with createwallet.
/// (Note: A default wallet is no longer automatically created)", -19 "Wallet file not
/// specified (must request wallet RPC through /wallet/<filename> uri-path)."
std::shared_ptr<Wallet> GetWalletForRequest(const rpc::Request& request,
                                            const WalletManager& manager);

/// Throws -13 "Error: Please enter the wallet passphrase with walletpassphrase first." when
/// the wallet is locked.
void EnsureWalletIsUnlocked(const Wallet& wallet);

/// Throws -4 "Error: Private keys are disabled for this wallet" when watch-only.
void EnsurePrivateKeysEnabled(const Wallet& wallet);

/// The output script of an address parameter; throws -5 "Invalid Bitcoin address: <addr>"
/// (Core's wording, with its detailed reason when the decoder gives one).
consensus::Script ParseAddressParam(const Wallet& wallet, const std::string& address);

/// Fills control's fee fields from conf_target / estimate_mode / fee_rate arguments as Core's
/// SetFeeEstimateMode does (fee_rate in sat/vB; -8 "Cannot specify both conf_target and
/// fee_rate. Please provide either a confirmation target in blocks for automatic fee
/// estimation, or an explicit fee rate.", "Invalid estimate_mode parameter, must be one of:
/// \"unset\" \"economical\" \"conservative\"").
void SetFeeEstimateMode(const rpc::Json& conf_target, const rpc::Json& estimate_mode,
                        const rpc::Json& fee_rate, CoinControl& control);

/// Core's label check: throws -11 "Invalid label name" for "*".
std::string LabelFromValue(const rpc::Json& value);

/// Core's GetAvoidReuseFlag: the avoid_reuse argument, defaulting to the wallet's flag; throws
/// -4 "wallet does not have the \"avoid reuse\" feature enabled" when asked for without it.
bool AvoidReuseFlag(const Wallet& wallet, const rpc::Json& param);

/// {"hash", "height"} of the last block the wallet processed ("lastprocessedblock").
rpc::Json LastProcessedBlock(const Wallet& wallet);

/// Core's help for that "lastprocessedblock" result field.
rpc::ResultDoc LastProcessedBlockDoc();

} // namespace wallet
