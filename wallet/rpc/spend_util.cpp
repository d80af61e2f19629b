// Shared parsing, funding and help pieces of the wallet spending RPCs (Core v28's
// wallet/rpc/spend.cpp and rpc/rawtransaction_util.cpp behaviour).
#include <wallet/rpc/spend_util.h>

#include <common/chainparams.h>
#include <common/key_io.h>
#include <consensus/script/sighash.h>
#include <consensus/serialize.h>
#include <rpc/protocol.h>
#include <rpc/util.h>
#include <util/strings.h>
#include <wallet/rpc/util.h>
#include <wallet/types.h>
#include <wallet/wallet.h>

#include <algorithm>
#include <limits>

namespace wallet {

namespace {

using rpc::Json;
using rpc::ThrowRpc;

// UniValue's type names, which Core's messages quote.
std::string TypeName(const Json& value)
{
    return std::string{rpc::JsonTypeName(value)};
}

const Json& Field(const Json& obj, std::string_view key)
{
    static const Json null_value;
    if (!obj.is_object()) return null_value;
    const auto it = obj.find(std::string{key});
    return it == obj.end() ? null_value : *it;
}

bool Has(const Json& obj, std::string_view key)
{
    return obj.is_object() && obj.contains(std::string{key});
}

// Core's getInt on a number field (-3 when it is not an integer in range).
int64_t IntField(const Json& value)
{
    return rpc::IntFromJson(value);
}

} // namespace

std::string EncodeTxHex(const consensus::MutableTransaction& tx)
{
    return util::HexStr(consensus::Encode(tx));
}

std::vector<ParsedOutput> ParseOutputsParam(const Json& outputs, const common::ChainParams& params)
{
    return rpc::ParseOutputs(outputs, params);
}

void ParseInputsParam(const Json& inputs, const Json& locktime, bool rbf,
                      consensus::MutableTransaction& tx)
{
    rpc::AddInputs(inputs, locktime, rbf, tx);
    rpc::CheckReplaceable(tx, rbf);
}

std::set<size_t> ParseSubtractFeeParam(const Json& sffo, const std::vector<std::string>& keys)
{
    std::set<size_t> positions;
    if (sffo.is_null()) return positions;
    if (!sffo.is_array()) {
        ThrowRpc(rpc::RPC_TYPE_ERROR,
                 "JSON value of type " + TypeName(sffo) + " is not of expected type array");
    }
    const std::string prefix{"Invalid parameter 'subtract fee from output', "};
    for (const Json& entry : sffo) {
        int64_t pos{-1};
        if (entry.is_string()) {
            const auto& name = entry.get_ref<const std::string&>();
            const auto it = std::find(keys.begin(), keys.end(), name);
            if (it == keys.end()) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                         prefix + "destination " + name + " not found in tx outputs");
            }
            pos = it - keys.begin();
        } else if (entry.is_number()) {
            pos = IntField(entry);
        } else {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER, prefix + "invalid value type: " + TypeName(entry));
        }
        if (pos >= 0 && positions.count(static_cast<size_t>(pos))) {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                     prefix + "duplicated position: " + std::to_string(pos));
        }
        if (pos < 0) {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                     prefix + "negative position: " + std::to_string(pos));
        }
        if (pos >= static_cast<int64_t>(keys.size())) {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                     prefix + "position too large: " + std::to_string(pos));
        }
        positions.insert(static_cast<size_t>(pos));
    }
    return positions;
}

std::vector<Recipient> MakeRecipients(const std::vector<ParsedOutput>& outputs,
                                      const std::set<size_t>& subtract)
{
    std::vector<Recipient> recipients;
    for (size_t i = 0; i < outputs.size(); ++i) {
        Recipient recipient;
        recipient.script = outputs[i].out.script_pubkey;
        recipient.amount = outputs[i].out.value;
        recipient.subtract_fee = subtract.count(i) > 0;
        recipients.push_back(std::move(recipient));
    }
    return recipients;
}

void MergeFeeArgsIntoOptions(const Json& conf_target, const Json& estimate_mode,
                             const Json& fee_rate, Json& options)
{
    if (Has(options, "conf_target") || Has(options, "estimate_mode")) {
        if (!conf_target.is_null() || !estimate_mode.is_null()) {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                     "Pass conf_target and estimate_mode either as arguments or in the options "
                     "object, but not both");
        }
    } else {
        options["conf_target"] = conf_target;
        options["estimate_mode"] = estimate_mode;
    }
    if (Has(options, "fee_rate")) {
        if (!fee_rate.is_null()) {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                     "Pass the fee_rate either as an argument, or in the options object, but not "
                     "both");
        }
    } else {
        options["fee_rate"] = fee_rate;
    }
    const Json& target = Field(options, "conf_target");
    const Json& mode = Field(options, "estimate_mode");
    if (!target.is_null() && (mode.is_null() || (mode.is_string() && mode == "unset"))) {
        ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Specify estimate_mode");
    }
}

void RefuseOutdatedOptions(const Json& options)
{
    static const std::vector<std::pair<std::string, std::string>> OUTDATED{
        {"feeRate", "Use fee_rate (sat/vB) instead of feeRate"},
        {"changeAddress", "Use change_address instead of changeAddress"},
        {"changePosition", "Use change_position instead of changePosition"},
        {"lockUnspents", "Use lock_unspents instead of lockUnspents"},
        {"subtractFeeFromOutputs",
         "Use subtract_fee_from_outputs instead of subtractFeeFromOutputs"},
    };
    for (const auto& [key, message] : OUTDATED) {
        if (Has(options, key)) ThrowRpc(rpc::RPC_INVALID_PARAMETER, message);
    }
}

void CheckOptionTypes(const Json& options,
                      const std::vector<std::pair<std::string, std::string>>& types)
{
    if (!options.is_object()) {
        ThrowRpc(rpc::RPC_TYPE_ERROR,
                 "JSON value of type " + TypeName(options) + " is not of expected type object");
    }
    for (const auto& [key, type] : types) {
        const Json& value = Field(options, key);
        if (value.is_null() || type.empty()) continue;
        if (TypeName(value) != type) {
            ThrowRpc(rpc::RPC_TYPE_ERROR, "JSON value of type " + TypeName(value) + " for field " +
                                              key + " is not of expected type " + type);
        }
    }
    for (const auto& [key, value] : options.items()) {
        // Clang 14 cannot capture a structured binding, so the key goes in by init-capture.
        const bool known = std::any_of(types.begin(), types.end(),
                                       [&k = key](const auto& entry) { return entry.first == k; });
        if (!known) ThrowRpc(rpc::RPC_TYPE_ERROR, "Unexpected key " + key);
    }
}

FundOptions ReadFundOptions(const Wallet& wallet, const Json& options, size_t recipients,
                            CoinControl& control)
{
    FundOptions result;
    if (options.is_null()) return result;
    CheckOptionTypes(options, {
                                  {"add_inputs", "bool"},
                                  {"include_unsafe", "bool"},
                                  {"add_to_wallet", "bool"},
                                  {"changeAddress", "string"},
                                  {"change_address", "string"},
                                  {"changePosition", "number"},
                                  {"change_position", "number"},
                                  {"change_type", "string"},
                                  {"includeWatching", "bool"},
                                  {"include_watching", "bool"},
                                  {"inputs", "array"},
                                  {"lockUnspents", "bool"},
                                  {"lock_unspents", "bool"},
                                  {"locktime", "number"},
                                  {"fee_rate", ""},
                                  {"feeRate", ""},
                                  {"psbt", "bool"},
                                  {"solving_data", "object"},
                                  {"subtractFeeFromOutputs", "array"},
                                  {"subtract_fee_from_outputs", "array"},
                                  {"replaceable", "bool"},
                                  {"conf_target", "number"},
                                  {"estimate_mode", "string"},
                                  {"minconf", "number"},
                                  {"maxconf", "number"},
                                  {"input_weights", "array"},
                                  {"max_tx_weight", "number"},
                              });

    if (Has(options, "add_inputs")) control.add_inputs = options["add_inputs"].get<bool>();

    const bool has_change_address = Has(options, "change_address") || Has(options, "changeAddress");
    if (has_change_address) {
        const Json& value =
            Has(options, "change_address") ? options["change_address"] : options["changeAddress"];
        const auto dest =
            common::DecodeDestination(value.get<std::string>(), wallet.Chain().Params());
        if (!dest || !common::IsValidDestination(*dest)) {
            ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY,
                     "Change address must be a valid bitcoin address");
        }
        control.change_script = common::GetScriptForDestination(*dest);
    }

    if (Has(options, "change_position") || Has(options, "changePosition")) {
        const Json& value = Has(options, "change_position") ? options["change_position"]
                                                            : options["changePosition"];
        const int64_t pos = IntField(value);
        if (pos < 0 || static_cast<uint64_t>(pos) > recipients) {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER, "changePosition out of bounds");
        }
        result.change_position = static_cast<int>(pos);
        control.change_position = static_cast<int>(pos);
    }

    if (Has(options, "change_type")) {
        if (has_change_address) {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                     "Cannot specify both change address and address type options");
        }
        const auto& name = options["change_type"].get_ref<const std::string&>();
        const auto parsed = ParseOutputType(name);
        if (!parsed)
            ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, "Unknown change type '" + name + "'");
        control.change_type = *parsed;
    }

    if (Has(options, "lock_unspents") || Has(options, "lockUnspents")) {
        result.lock_unspents =
            (Has(options, "lock_unspents") ? options["lock_unspents"] : options["lockUnspents"])
                .get<bool>();
    }
    if (Has(options, "include_unsafe")) {
        control.include_unsafe = options["include_unsafe"].get<bool>();
    }

    Json fee_rate = Field(options, "fee_rate");
    if (Has(options, "feeRate")) {
        if (Has(options, "fee_rate")) {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                     "Cannot specify both fee_rate (sat/vB) and feeRate (BTC/kvB)");
        }
        if (Has(options, "conf_target")) {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                     "Cannot specify both conf_target and feeRate. Please provide either a "
                     "confirmation target in blocks for automatic fee estimation, or an explicit "
                     "fee rate.");
        }
        if (Has(options, "estimate_mode")) {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Cannot specify both estimate_mode and feeRate");
        }
        // BTC/kvB: the amount itself is the rate per kvB in satoshis.
        control.fee_rate_per_kvb = rpc::AmountFromValue(options["feeRate"]);
    }

    if (Has(options, "replaceable")) control.signal_rbf = options["replaceable"].get<bool>();

    if (Has(options, "minconf")) {
        control.min_depth = static_cast<int>(IntField(options["minconf"]));
        if (control.min_depth < 0) ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Negative minconf");
    }
    if (Has(options, "maxconf")) {
        control.max_depth = static_cast<int>(IntField(options["maxconf"]));
        if (control.max_depth < control.min_depth) {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                     "maxconf can't be lower than minconf: " + std::to_string(control.max_depth) +
                         " < " + std::to_string(control.min_depth));
        }
    }
    if (!Has(options, "feeRate")) {
        SetFeeEstimateMode(Field(options, "conf_target"), Field(options, "estimate_mode"), fee_rate,
                           control);
    }

    // CoinControl has no place for these yet; refusing beats silently ignoring them.
    // TODO(lead): external solving data, input weights and a weight cap in CoinControl.
    for (const char* unsupported : {"solving_data", "input_weights"}) {
        if (!Field(options, unsupported).is_null()) {
            ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                     std::string{"Option "} + unsupported + " is not supported yet");
        }
    }
    if (Has(options, "max_tx_weight") && IntField(options["max_tx_weight"]) < 400000) {
        ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Option max_tx_weight is not supported yet");
    }
    return result;
}

CreatedTransaction FundTransaction(Wallet& wallet, const std::vector<Recipient>& recipients,
                                   const CoinControl& control, bool lock_unspents)
{
    if (recipients.empty()) {
        ThrowRpc(rpc::RPC_INVALID_PARAMETER, "TX must have at least one output");
    }
    auto created = CreateTransaction(wallet, recipients, control);
    if (!created) ThrowRpc(RPC_WALLET_ERROR, created.error().message);
    if (lock_unspents) {
        for (const auto& in : created.value().tx.vin) {
            // A coin that is already locked stays locked; nothing to report.
            (void)wallet.LockCoin(in.prevout, /*persistent=*/false);
        }
    }
    return std::move(created).value();
}

void ApplyInputSequences(const consensus::MutableTransaction& requested,
                         consensus::MutableTransaction& tx)
{
    for (const auto& want : requested.vin) {
        for (auto& in : tx.vin) {
            if (in.prevout == want.prevout) in.sequence = want.sequence;
        }
    }
}

std::optional<consensus::MutableTransaction> ExtractIfComplete(const common::Psbt& psbt,
                                                               bool& complete)
{
    if (!complete) return std::nullopt;
    auto extracted = common::ExtractTransaction(psbt);
    if (!extracted) {
        complete = false;
        return std::nullopt;
    }
    return std::move(extracted).value();
}

Json FinishTransaction(Wallet& wallet, const Json& options, const consensus::MutableTransaction& tx)
{
    auto psbt = common::CreatePsbt(tx);
    if (!psbt) ThrowRpc(rpc::RPC_INTERNAL_ERROR, psbt.error().message);
    // Fill first without signing (as Core does for external signers), then sign what we can;
    // a locked wallet cannot sign, which leaves the PSBT incomplete rather than failing.
    auto filled = wallet.FillPsbt(psbt.value(), /*sign=*/false, consensus::SIGHASH_DEFAULT,
                                  /*bip32derivs=*/true, /*finalize=*/true);
    if (!filled) ThrowPsbtError(filled.error().message);
    bool complete = filled.value();
    if (!wallet.IsLocked()) {
        auto signed_psbt = wallet.FillPsbt(psbt.value(), /*sign=*/true, consensus::SIGHASH_DEFAULT,
                                           /*bip32derivs=*/false, /*finalize=*/true);
        if (!signed_psbt) ThrowPsbtError(signed_psbt.error().message);
        complete = signed_psbt.value();
    }
    auto final_tx = ExtractIfComplete(psbt.value(), complete);

    Json result = Json::object();
    const bool psbt_opt_in = Field(options, "psbt").is_boolean() && options["psbt"].get<bool>();
    const bool add_to_wallet =
        Field(options, "add_to_wallet").is_boolean() ? options["add_to_wallet"].get<bool>() : true;
    if (psbt_opt_in || !complete || !add_to_wallet) {
        result["psbt"] = common::EncodePsbtBase64(psbt.value());
    }
    if (complete) {
        const std::string hex = EncodeTxHex(*final_tx);
        auto ref = consensus::MakeTransactionRef(std::move(*final_tx));
        result["txid"] = ref->GetHash().GetHex();
        if (add_to_wallet && !psbt_opt_in) {
            // As Core: a mempool rejection leaves the transaction stored in the wallet and
            // the call still reports it.
            (void)wallet.CommitTransaction(ref, {});
        } else {
            result["hex"] = hex;
        }
    }
    result["complete"] = complete;
    return result;
}

std::optional<int> ParseSighashParam(const Json& value)
{
    return rpc::ParseSighashString(value);
}

void ThrowPsbtError(const std::string& message)
{
    // Core's RPCErrorFromPSBTError: a sighash mismatch is a deserialization error, the rest
    // are transaction errors.
    if (message == "Specified sighash value does not match value stored in PSBT") {
        ThrowRpc(rpc::RPC_DESERIALIZATION_ERROR, message);
    }
    ThrowRpc(rpc::RPC_TRANSACTION_ERROR, message);
}

// ---- help fragments -------------------------------------------------------

const Json& OptionField(const Json& options, const char* key)
{
    static const Json null_value;
    if (!options.is_object()) return null_value;
    const auto it = options.find(key);
    return it == options.end() ? null_value : *it;
}

rpc::Arg IncludeWatchingArg(const char* name, const char* tail)
{
    return {name, rpc::ArgType::BOOL,
            rpc::DefaultHint{"true for watch-only wallets, otherwise false"},
            std::string{"Also select inputs which are watch only"} + tail};
}

rpc::Arg MaxTxWeightArg()
{
    return {"max_tx_weight", rpc::ArgType::NUM, Json(400000),
            "The maximum acceptable transaction weight.\n"
            "Transaction building will fail if this can not be satisfied."};
}

rpc::Arg IncludeUnsafeArg()
{
    return {"include_unsafe", rpc::ArgType::BOOL, Json(false),
            "Include inputs that are not safe to spend (unconfirmed transactions from outside "
            "keys and unconfirmed replacement transactions).\n"
            "Warning: the resulting transaction may become invalid if one of the unsafe inputs "
            "disappears.\n"
            "If that happens, you will need to fund the transaction with different inputs and "
            "republish it."};
}

std::vector<rpc::Arg> ConcatArgs(std::vector<rpc::Arg> head, std::vector<rpc::Arg> tail)
{
    for (auto& arg : tail)
        head.push_back(std::move(arg));
    return head;
}

std::string EstimateModeDoc()
{
    return "The fee estimate mode, must be one of (case insensitive):\n"
           "unset, economical, conservative \n"
           "unset means no mode set (economical mode is used if the transaction is replaceable;\n"
           "otherwise, conservative mode is used). \n"
           "economical estimates use a shorter time horizon, making them more\n"
           "responsive to short-term drops in the prevailing fee market. This mode\n"
           "potentially returns a lower fee rate estimate.\n"
           "conservative estimates use a longer time horizon, making them\n"
           "less responsive to short-term drops in the prevailing fee market. This mode\n"
           "potentially returns a higher fee rate estimate.\n";
}

std::string SighashDoc(bool psbt)
{
    return std::string{psbt ? "The signature hash type to sign with if not specified by the "
                              "PSBT. Must be one of\n"
                            : "The signature hash type. Must be one of\n"} +
           rpc::SighashNamesDoc();
}

std::vector<rpc::Arg> OutputsDoc()
{
    using rpc::ArgOptional;
    using rpc::ArgType;
    return {
        {"",
         ArgType::OBJ_USER_KEYS,
         ArgOptional::OMITTED,
         "",
         {{"address", ArgType::AMOUNT, ArgOptional::NO,
           "A key-value pair. The key (string) is the bitcoin address,\n"
           "the value (float or string) is the amount in BTC"}}},
        {"",
         ArgType::OBJ,
         ArgOptional::OMITTED,
         "",
         {{"data", ArgType::STR_HEX, ArgOptional::NO,
           "A key-value pair. The key must be \"data\", the value is hex-encoded data"}}},
    };
}

rpc::Arg ConfTargetArg()
{
    return {"conf_target", rpc::ArgType::NUM, rpc::DefaultHint{"wallet -txconfirmtarget"},
            "Confirmation target in blocks"};
}

rpc::Arg EstimateModeArg()
{
    return {"estimate_mode", rpc::ArgType::STR, Json("unset"), EstimateModeDoc()};
}

rpc::Arg FeeRateArg()
{
    return {"fee_rate", rpc::ArgType::AMOUNT,
            rpc::DefaultHint{"not set, fall back to wallet fee estimation"},
            "Specify a fee rate in sat/vB."};
}

std::vector<rpc::Arg> FundTxDoc()
{
    using rpc::ArgOptional;
    using rpc::ArgType;
    return {
        ConfTargetArg(),
        EstimateModeArg(),
        {"replaceable", ArgType::BOOL, rpc::DefaultHint{"wallet default"},
         "Marks this transaction as BIP125-replaceable.\n"
         "Allows this transaction to be replaced by a transaction with higher fees"},
        {"solving_data",
         ArgType::OBJ,
         ArgOptional::OMITTED,
         "Keys and scripts needed for producing a final transaction with a dummy signature.\n"
         "Used for fee estimation during coin selection.",
         {
             {"pubkeys",
              ArgType::ARR,
              Json::array(),
              "Public keys involved in this transaction.",
              {{"pubkey", ArgType::STR_HEX, ArgOptional::OMITTED, "A public key"}}},
             {"scripts",
              ArgType::ARR,
              Json::array(),
              "Scripts involved in this transaction.",
              {{"script", ArgType::STR_HEX, ArgOptional::OMITTED, "A script"}}},
             {"descriptors",
              ArgType::ARR,
              Json::array(),
              "Descriptors that provide solving data for this transaction.",
              {{"descriptor", ArgType::STR, ArgOptional::OMITTED, "A descriptor"}}},
         }},
    };
}

} // namespace wallet
