// Pieces the wallet spending RPCs share (wallet_spend.cpp, wallet_spend_psbt.cpp): Core's
// parsing of outputs, inputs, subtract-fee instructions and funding options, the PSBT finish
// step of send/sendall, sighash names and the repeated help fragments. Internal to
// wallet/rpc; called on RPC worker threads.
#pragma once

#include <common/psbt.h>
#include <consensus/amount.h>
#include <consensus/script/script.h>
#include <consensus/transaction.h>
#include <rpc/jsonrpc.h>
#include <rpc/method.h>
#include <rpc/rawtransaction_util.h>
#include <wallet/spend.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace common {
class ChainParams;
}

namespace wallet {

class Wallet;
class WalletManager;

/// One output of an outputs argument (key as written, and the output).
using ParsedOutput = rpc::ParsedOutput;

/// Core's NormalizeOutputs + ParseOutputs (rpc::ParseOutputs): an object {address: amount,
/// "data": hex} or an array of one-key objects; -8/-5/-3 with Core's messages.
std::vector<ParsedOutput> ParseOutputsParam(const rpc::Json& outputs,
                                            const common::ChainParams& params);

/// Core's ConstructTransaction for the inputs part (rpc::AddInputs, then the replaceable check):
/// txid/vout/sequence objects, sequences defaulting from `rbf` and `locktime`; Core's -8
/// messages. Fills tx.vin and tx.locktime.
void ParseInputsParam(const rpc::Json& inputs, const rpc::Json& locktime, bool rbf,
                      consensus::MutableTransaction& tx);

/// Core's InterpretSubtractFeeFromOutputInstructions: indices or keys into `keys`.
std::set<size_t> ParseSubtractFeeParam(const rpc::Json& sffo, const std::vector<std::string>& keys);

/// Recipients from parsed outputs and the subtract-fee positions.
std::vector<Recipient> MakeRecipients(const std::vector<ParsedOutput>& outputs,
                                      const std::set<size_t>& subtract);

/// Core's InterpretFeeEstimationInstructions (send, sendall): moves conf_target, estimate_mode
/// and fee_rate arguments into `options`, refusing them given both ways.
void MergeFeeArgsIntoOptions(const rpc::Json& conf_target, const rpc::Json& estimate_mode,
                             const rpc::Json& fee_rate, rpc::Json& options);

/// Core's PreventOutdatedOptions (send, sendall): -8 for the camelCase spellings.
void RefuseOutdatedOptions(const rpc::Json& options);

/// Core's RPCTypeCheckObj(..., allow_null=true, strict): -3 for a wrong type or unknown key.
void CheckOptionTypes(const rpc::Json& options,
                      const std::vector<std::pair<std::string, std::string>>& types);

/// The funding part of Core's FundTransaction: reads the options object into `control`
/// (change address/type/position, lock_unspents, include_unsafe, replaceable, minconf,
/// maxconf, fee fields). Returns the requested change position and whether to lock coins.
struct FundOptions
{
    std::optional<int> change_position{};
    bool lock_unspents{false};
};
FundOptions ReadFundOptions(const Wallet& wallet, const rpc::Json& options, size_t recipients,
                            CoinControl& control);

/// CreateTransaction for the funding RPCs (fundrawtransaction, walletcreatefundedpsbt, send):
/// -8 "TX must have at least one output", -4 with the builder's message on failure; locks the
/// inputs when asked.
CreatedTransaction FundTransaction(Wallet& wallet, const std::vector<Recipient>& recipients,
                                   const CoinControl& control, bool lock_unspents);

/// Gives inputs of `tx` the sequence the caller fixed for them (from an inputs argument).
void ApplyInputSequences(const consensus::MutableTransaction& requested,
                         consensus::MutableTransaction& tx);

/// The network transaction of a PSBT that FillPsbt reported `complete`, if it extracts; clears
/// `complete` when it does not (nullopt either way when incomplete).
std::optional<consensus::MutableTransaction> ExtractIfComplete(const common::Psbt& psbt,
                                                               bool& complete);

/// Core's FinishTransaction (send, sendall): fills and signs a PSBT of `tx`, finalizes it and
/// either commits the transaction or returns it: {psbt?, txid?, hex?, complete}.
rpc::Json FinishTransaction(Wallet& wallet, const rpc::Json& options,
                            const consensus::MutableTransaction& tx);

/// Core's ParseSighashString: nullopt for null, -8 "'x' is not a valid sighash parameter."
std::optional<int> ParseSighashParam(const rpc::Json& value);

/// Core's error for a failed FillPsbt (-22 on a sighash mismatch, else -25).
[[noreturn]] void ThrowPsbtError(const std::string& message);

/// Hex of a transaction in network (witness) serialization.
std::string EncodeTxHex(const consensus::MutableTransaction& tx);

/// The member `key` of an options object, or null.
const rpc::Json& OptionField(const rpc::Json& options, const char* key);

/// Help fragments Core repeats across these methods.
std::string EstimateModeDoc();
std::string SighashDoc(bool psbt);
std::vector<rpc::Arg> OutputsDoc();
std::vector<rpc::Arg> FundTxDoc();
rpc::Arg ConfTargetArg();
rpc::Arg EstimateModeArg();
rpc::Arg FeeRateArg();
rpc::Arg IncludeUnsafeArg();
rpc::Arg MaxTxWeightArg();
/// include_watching / includeWatching, with `tail` appended to the description.
rpc::Arg IncludeWatchingArg(const char* name, const char* tail);
/// The longer include_watching explanation of send and fundrawtransaction.
inline constexpr char WATCHING_TAIL[]{
    ".\nOnly solvable inputs can be used. Watch-only destinations are solvable if the public key "
    "and/or output script was imported,\ne.g. with 'importpubkey' or 'importmulti' with the "
    "'pubkeys' or 'desc' field."};
/// `head` followed by `tail`.
std::vector<rpc::Arg> ConcatArgs(std::vector<rpc::Arg> head, std::vector<rpc::Arg> tail);
/// "Requires wallet passphrase to be set with walletpassphrase call if wallet is encrypted."
inline constexpr char HELP_REQUIRING_PASSPHRASE[]{
    "\nRequires wallet passphrase to be set with walletpassphrase call if wallet is encrypted.\n"};

/// walletcreatefundedpsbt's options and {psbt, fee, changepos} result (wallet_spend_fund.cpp).
std::vector<rpc::Arg> WalletCreateFundedPsbtOptionsDoc();
std::vector<rpc::ResultDoc> FundedPsbtResults();

/// fundrawtransaction (wallet_spend_fund.cpp).
rpc::Method FundRawTransactionMethod(WalletManager& manager);

/// The methods of wallet_spend_psbt.cpp.
rpc::Method BumpFeeMethod(WalletManager& manager, bool want_psbt);
rpc::Method WalletCreateFundedPsbtMethod(WalletManager& manager);
rpc::Method WalletProcessPsbtMethod(WalletManager& manager);
rpc::Method SignRawTransactionWithWalletMethod(WalletManager& manager);

} // namespace wallet
