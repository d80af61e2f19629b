// Core's rpc/rawtransaction_util: the transaction building, prevtxs parsing and signing-result
// pieces that createrawtransaction, createpsbt, signrawtransactionwithkey and the wallet's
// spending methods share, plus the descriptor scan objects of scantxoutset and utxoupdatepsbt.
// Every function throws Core's RpcError on bad input; all are stateless and may be called from
// any RPC worker thread.
#pragma once

#include <consensus/amount.h>
#include <consensus/script/script.h>
#include <consensus/transaction.h>
#include <rpc/jsonrpc.h>
#include <rpc/method.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace common {
class ChainParams;
struct SigningProvider;
struct DescriptorExpansion;
} // namespace common

namespace rpc {

/// Core's MAX_BIP125_RBF_SEQUENCE: the highest sequence that signals replaceability.
inline constexpr uint32_t MAX_BIP125_RBF_SEQUENCE{0xfffffffd};
/// The amount Core gives a prevtxs entry without "amount", so segwit signing can refuse it.
inline constexpr consensus::Amount UNKNOWN_AMOUNT{consensus::MAX_MONEY};

/// One output of an outputs argument: the key as the caller wrote it ("data" or an address)
/// and the output it stands for.
struct ParsedOutput
{
    std::string key{};
    consensus::TxOut out{};
};

/// Core's NormalizeOutputs + ParseOutputs: an object {address: amount, "data": hex} or an array
/// of one-key objects, in the caller's order; -8/-5/-3 with Core's messages on bad keys,
/// duplicates and amounts.
std::vector<ParsedOutput> ParseOutputs(const Json& outputs, const common::ChainParams& params);

/// Core's AddInputs plus the locktime: txid/vout/sequence objects appended to tx.vin, sequences
/// defaulting from `rbf` (unset counts as true) and the locktime; Core's -8 messages.
void AddInputs(const Json& inputs, const Json& locktime, std::optional<bool> rbf,
               consensus::MutableTransaction& tx);

/// Core's check that an explicit `rbf` agrees with the inputs' sequences (-8 otherwise).
void CheckReplaceable(const consensus::MutableTransaction& tx, std::optional<bool> rbf);

/// Core's ConstructTransaction (createrawtransaction, createpsbt): inputs, outputs (-3 unless
/// null, an array or an object), locktime and the replaceable flag.
consensus::MutableTransaction ConstructTransaction(const Json& inputs, const Json& outputs,
                                                   const Json& locktime, std::optional<bool> rbf,
                                                   const common::ChainParams& params);

/// Spent outputs by outpoint; nullopt where an input's coin is unknown or spent.
using CoinMap = std::map<consensus::OutPoint, std::optional<consensus::TxOut>>;

/// Core's ParsePrevouts: each prevtxs entry fixes the coin its outpoint spends (-22 on a
/// scriptPubKey that contradicts a known coin; amount UNKNOWN_AMOUNT when absent). With a
/// `provider`, P2SH/P2WSH entries must carry their scripts, which it learns; without one (the
/// wallet, as in Core) only the coins are read.
void ParsePrevouts(const Json& prevtxs, common::SigningProvider* provider, CoinMap& coins);

/// Core's ParseSighashString: nullopt for null, -8 "'x' is not a valid sighash parameter."
std::optional<int> ParseSighashString(const Json& value);

/// Core's CTxOut::ToString, which the "Missing amount for ..." error quotes.
std::string TxOutToString(const consensus::TxOut& out);

/// Core's TxInErrorToJSON: one entry of a signing result's "errors" array.
Json TxInErrorToJson(const consensus::TxIn& in, const std::string& message);

/// The spent output of an outpoint, for the "Missing amount" error; nullopt if unknown.
using SpentLookup = std::function<std::optional<consensus::TxOut>(const consensus::OutPoint&)>;

/// Core's SignTransactionResultToJSON: {hex, complete, errors?} from per-input `errors`; an
/// input whose error is "Missing amount" fails the call with -3 "Missing amount for <output>".
Json SignResultToJson(const consensus::MutableTransaction& tx,
                      const std::map<size_t, std::string>& errors, const SpentLookup& spent);

/// Core's DecodeHexTx steered by an "iswitness" argument (null: try both encodings).
std::optional<consensus::MutableTransaction> DecodeHexTxArg(const Json& hex, const Json& iswitness);

/// The "iswitness" argument of decoderawtransaction, converttopsbt and fundrawtransaction.
Arg IsWitnessArg();

/// The txid and vout fields an input or prevtxs entry starts with.
std::vector<Arg> OutpointArgs();

/// createrawtransaction's and createpsbt's arguments (Core's CreateTxDoc).
std::vector<Arg> CreateTxArgs();

/// Core's list of sighash names for help texts, one indented quoted name a line, the last
/// without its newline.
std::string SighashNamesDoc();

/// The "outputs" argument of the transaction builders, its entries given by the caller.
Arg OutputsArg(std::vector<Arg> entries);

/// The "prevtxs" argument of the signrawtransaction methods (Core words the scriptPubKey
/// field differently in the two).
Arg PrevTxsArg(const std::string& script_pubkey_doc);

/// The {hex, complete, errors} result of the signrawtransaction methods.
std::vector<ResultDoc> SignRawTransactionResultDoc();

/// Core's EvalDescriptorStringOrObject: a descriptor string or {desc, range} object (range
/// defaulting to 1000), each expansion handed to `visit`; the descriptor text is returned.
std::string ExpandScanObject(const Json& object, const common::ChainParams& params,
                             const std::function<void(common::DescriptorExpansion&)>& visit);

} // namespace rpc
