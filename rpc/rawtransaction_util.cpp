// Core v28's rpc/rawtransaction_util.cpp behaviour, shared by the node's and the wallet's
// transaction methods.
#include <rpc/rawtransaction_util.h>

#include <common/chainparams.h>
#include <common/descriptor.h>
#include <common/key_io.h>
#include <common/sign.h>
#include <consensus/hash.h>
#include <consensus/script/interpreter.h>
#include <consensus/serialize.h>
#include <rpc/core_read.h>
#include <rpc/core_write.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <algorithm>
#include <cstdio>
#include <set>

namespace rpc {

namespace {

using consensus::MutableTransaction;
using consensus::Script;

// Core's LOCKTIME_MAX.
constexpr int64_t LOCKTIME_MAX{0xffffffff};

const Json& Field(const Json& obj, const std::string& key)
{
    static const Json null_value;
    if (!obj.is_object()) return null_value;
    const auto it = obj.find(key);
    return it == obj.end() ? null_value : *it;
}

[[noreturn]] void ThrowWrongType(const Json& value, const std::string& expected)
{
    ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " + std::string{JsonTypeName(value)} +
                                 " is not of expected type " + expected);
}

// Core's RPCTypeCheckObj for one field.
void CheckField(const Json& obj, const std::string& key, const std::string& type, bool allow_null)
{
    const Json& value = Field(obj, key);
    if (value.is_null()) {
        if (allow_null) return;
        ThrowRpc(RPC_TYPE_ERROR, "Missing " + key);
    }
    if (JsonTypeName(value) != type) {
        ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " + std::string{JsonTypeName(value)} +
                                     " for field " + key + " is not of expected type " + type);
    }
}

std::vector<Arg> ConcatArgs(std::vector<Arg> head, std::vector<Arg> tail)
{
    for (Arg& arg : tail)
        head.push_back(std::move(arg));
    return head;
}

// Core's GetScriptForWitness: P2WPKH for a P2PK or P2PKH script, else P2WSH.
Script WitnessFormOf(const Script& script)
{
    Script out;
    const auto& b = script.bytes();
    if (ScriptTypeName(script) == "pubkey") {
        out << consensus::OP_0
            << consensus::Hash160(std::span<const uint8_t>{b}.subspan(1, b.size() - 2)).span();
    } else if (ScriptTypeName(script) == "pubkeyhash") {
        out << consensus::OP_0 << std::span<const uint8_t>{b}.subspan(3, 20);
    } else {
        out << consensus::OP_0 << consensus::Sha256Hash(b).span();
    }
    return out;
}

// The script half of Core's ParsePrevouts: a P2SH or P2WSH entry must name its script, which
// must match the output; `provider` learns it and its witness form.
void AddPrevoutScripts(const Json& p, const Script& spk, common::SigningProvider& provider)
{
    const bool is_p2sh = spk.IsPayToScriptHash();
    const bool is_p2wsh = spk.IsPayToWitnessScriptHash();
    if (!is_p2sh && !is_p2wsh) return;
    CheckField(p, "redeemScript", "string", true);
    CheckField(p, "witnessScript", "string", true);
    const Json& rs = Field(p, "redeemScript");
    const Json& ws = Field(p, "witnessScript");
    if (rs.is_null() && ws.is_null()) {
        ThrowRpc(RPC_INVALID_PARAMETER, "Missing redeemScript/witnessScript");
    }
    const Script script{!ws.is_null() ? ParseHexParam(ws, "witnessScript")
                                      : ParseHexParam(rs, "redeemScript")};
    provider.AddScript(script);
    const Script witness_form = WitnessFormOf(script);
    provider.AddScript(witness_form);
    if (!ws.is_null() && !rs.is_null() && ws != rs) {
        const Script redeem{ParseHexParam(rs, "redeemScript")};
        if (redeem != witness_form) {
            ThrowRpc(RPC_INVALID_PARAMETER, "redeemScript does not correspond to witnessScript");
        }
    }
    const auto p2sh_of = [](const Script& s) {
        Script out_script;
        out_script << consensus::OP_HASH160 << consensus::Hash160(s.bytes()).span()
                   << consensus::OP_EQUAL;
        return out_script;
    };
    Script expected;
    if (is_p2sh) {
        if (spk == p2sh_of(script) || spk == p2sh_of(witness_form)) return;
    } else {
        expected << consensus::OP_0 << consensus::Sha256Hash(script.bytes()).span();
        if (spk == expected) return;
    }
    ThrowRpc(RPC_INVALID_PARAMETER, "redeemScript/witnessScript does not match scriptPubKey");
}

} // namespace

std::vector<ParsedOutput> ParseOutputs(const Json& outputs_in, const common::ChainParams& params)
{
    if (outputs_in.is_null()) {
        ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, output argument must be non-null");
    }
    // Pairs in the caller's order; an array of one-key objects keeps repeated keys visible.
    std::vector<std::pair<std::string, const Json*>> pairs;
    if (outputs_in.is_object()) {
        for (const auto& [key, value] : outputs_in.items())
            pairs.emplace_back(key, &value);
    } else if (outputs_in.is_array()) {
        for (const Json& output : outputs_in) {
            if (!output.is_object()) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Invalid parameter, key-value pair not an object as expected");
            }
            if (output.size() != 1) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Invalid parameter, key-value pair must contain exactly one key");
            }
            pairs.emplace_back(output.begin().key(), &output.begin().value());
        }
    } else {
        ThrowWrongType(outputs_in, "array");
    }

    std::vector<ParsedOutput> parsed;
    std::set<std::vector<uint8_t>, common::ShorterBytesFirst> scripts;
    bool has_data{false};
    for (const auto& [key, value] : pairs) {
        ParsedOutput entry;
        entry.key = key;
        if (key == "data") {
            if (has_data) ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, duplicate key: data");
            has_data = true;
            // Core reads the value's text, so a number is parsed as its digits.
            const Json text = value->is_string() ? *value : Json(value->dump());
            const auto data = ParseHexParam(text, "Data");
            entry.out.value = 0;
            entry.out.script_pubkey << consensus::OP_RETURN << data;
        } else {
            // Core reads the amount before it looks at the address.
            const consensus::Amount amount = AmountFromValue(*value);
            const auto dest = common::DecodeDestination(key, params);
            if (!dest || !common::IsValidDestination(*dest)) {
                ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address: " + key);
            }
            entry.out.script_pubkey = common::GetScriptForDestination(*dest);
            if (!scripts.insert(entry.out.script_pubkey.bytes()).second) {
                ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, duplicated address: " + key);
            }
            entry.out.value = amount;
        }
        parsed.push_back(std::move(entry));
    }
    return parsed;
}

void AddInputs(const Json& inputs, const Json& locktime, std::optional<bool> rbf,
               MutableTransaction& tx)
{
    if (!locktime.is_null()) {
        const int64_t value = IntFromJson(locktime);
        if (value < 0 || value > LOCKTIME_MAX) {
            ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, locktime out of range");
        }
        tx.locktime = static_cast<uint32_t>(value);
    }
    if (inputs.is_null()) return;
    if (!inputs.is_array()) ThrowWrongType(inputs, "array");
    for (const Json& input : inputs) {
        // Core's get_obj() fails with a plain runtime error, which its server reports as -1.
        if (!input.is_object()) {
            ThrowRpc(RPC_MISC_ERROR, "JSON value of type " + std::string{JsonTypeName(input)} +
                                         " is not of expected type object");
        }
        consensus::TxIn in;
        in.prevout.hash = ParseHashParam(Field(input, "txid"), "txid");
        const Json& vout = Field(input, "vout");
        if (!vout.is_number()) {
            ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key");
        }
        const int64_t n = IntFromJson(vout);
        if (n < 0) ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, vout cannot be negative");
        if (n > INT32_MAX) ThrowRpc(RPC_TYPE_ERROR, "JSON integer out of range");
        in.prevout.n = static_cast<uint32_t>(n);
        if (rbf.value_or(true)) {
            in.sequence = MAX_BIP125_RBF_SEQUENCE;
        } else if (tx.locktime != 0) {
            in.sequence = consensus::TxIn::SEQUENCE_FINAL - 1;
        } else {
            in.sequence = consensus::TxIn::SEQUENCE_FINAL;
        }
        const Json& sequence = Field(input, "sequence");
        if (sequence.is_number()) {
            const int64_t seq = IntFromJson(sequence);
            if (seq < 0 || seq > consensus::TxIn::SEQUENCE_FINAL) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Invalid parameter, sequence number is out of range");
            }
            in.sequence = static_cast<uint32_t>(seq);
        }
        tx.vin.push_back(std::move(in));
    }
}

void CheckReplaceable(const MutableTransaction& tx, std::optional<bool> rbf)
{
    if (rbf.value_or(false) && !tx.vin.empty() &&
        std::none_of(tx.vin.begin(), tx.vin.end(), [](const consensus::TxIn& in) {
            return in.sequence <= MAX_BIP125_RBF_SEQUENCE;
        })) {
        ThrowRpc(RPC_INVALID_PARAMETER,
                 "Invalid parameter combination: Sequence number(s) contradict replaceable option");
    }
}

MutableTransaction ConstructTransaction(const Json& inputs, const Json& outputs,
                                        const Json& locktime, std::optional<bool> rbf,
                                        const common::ChainParams& params)
{
    // The outputs' type is checked before anything else is read.
    if (!outputs.is_null() && !outputs.is_array() && !outputs.is_object()) {
        ThrowWrongType(outputs, "array");
    }
    MutableTransaction tx;
    AddInputs(inputs, locktime, rbf, tx);
    for (ParsedOutput& output : ParseOutputs(outputs, params))
        tx.vout.push_back(std::move(output.out));
    CheckReplaceable(tx, rbf);
    return tx;
}

void ParsePrevouts(const Json& prevtxs, common::SigningProvider* provider, CoinMap& coins)
{
    if (prevtxs.is_null()) return;
    for (const Json& p : prevtxs) {
        if (!p.is_object()) {
            ThrowRpc(RPC_DESERIALIZATION_ERROR,
                     "expected object with {\"txid'\",\"vout\",\"scriptPubKey\"}");
        }
        CheckField(p, "txid", "string", false);
        CheckField(p, "vout", "number", false);
        CheckField(p, "scriptPubKey", "string", false);
        consensus::OutPoint outpoint;
        outpoint.hash = ParseHashParam(p.at("txid"), "txid");
        const int64_t n = IntFromJson(p.at("vout"));
        if (n < 0) ThrowRpc(RPC_DESERIALIZATION_ERROR, "vout cannot be negative");
        outpoint.n = static_cast<uint32_t>(n);
        const Script spk{ParseHexParam(p.at("scriptPubKey"), "scriptPubKey")};
        if (const auto it = coins.find(outpoint);
            it != coins.end() && it->second && it->second->script_pubkey != spk) {
            ThrowRpc(RPC_DESERIALIZATION_ERROR, "Previous output scriptPubKey mismatch:\n" +
                                                    ScriptToAsm(it->second->script_pubkey) +
                                                    "\nvs:\n" + ScriptToAsm(spk));
        }
        consensus::TxOut out;
        out.script_pubkey = spk;
        out.value = UNKNOWN_AMOUNT;
        if (p.contains("amount")) out.value = AmountFromValue(p.at("amount"));
        coins[outpoint] = out;
        if (provider != nullptr) AddPrevoutScripts(p, spk, *provider);
    }
}

std::optional<int> ParseSighashString(const Json& value)
{
    if (value.is_null()) return std::nullopt;
    if (!value.is_string()) ThrowWrongType(value, "string");
    static const std::map<std::string, int> TYPES{
        {"DEFAULT", consensus::SIGHASH_DEFAULT},
        {"ALL", consensus::SIGHASH_ALL},
        {"ALL|ANYONECANPAY", consensus::SIGHASH_ALL | consensus::SIGHASH_ANYONECANPAY},
        {"NONE", consensus::SIGHASH_NONE},
        {"NONE|ANYONECANPAY", consensus::SIGHASH_NONE | consensus::SIGHASH_ANYONECANPAY},
        {"SINGLE", consensus::SIGHASH_SINGLE},
        {"SINGLE|ANYONECANPAY", consensus::SIGHASH_SINGLE | consensus::SIGHASH_ANYONECANPAY},
    };
    const auto& text = value.get_ref<const std::string&>();
    const auto it = TYPES.find(text);
    if (it == TYPES.end()) {
        ThrowRpc(RPC_INVALID_PARAMETER, "'" + text + "' is not a valid sighash parameter.");
    }
    return it->second;
}

std::string TxOutToString(const consensus::TxOut& out)
{
    const consensus::Amount v = out.value;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%lld.%08lld", static_cast<long long>(v / consensus::COIN),
                  static_cast<long long>(v % consensus::COIN));
    return "CTxOut(nValue=" + std::string{buf} +
           ", scriptPubKey=" + util::HexStr(out.script_pubkey.bytes()).substr(0, 30) + ")";
}

Json TxInErrorToJson(const consensus::TxIn& in, const std::string& message)
{
    Json entry = Json::object();
    entry["txid"] = in.prevout.hash.GetHex();
    entry["vout"] = in.prevout.n;
    Json witness = Json::array();
    for (const auto& item : in.witness.stack)
        witness.push_back(util::HexStr(item));
    entry["witness"] = std::move(witness);
    entry["scriptSig"] = util::HexStr(in.script_sig.bytes());
    entry["sequence"] = in.sequence;
    entry["error"] = message;
    return entry;
}

Json SignResultToJson(const MutableTransaction& tx, const std::map<size_t, std::string>& errors,
                      const SpentLookup& spent)
{
    Json list = Json::array();
    for (const auto& [index, message] : errors) {
        if (index >= tx.vin.size()) continue;
        const consensus::TxIn& in = tx.vin[index];
        if (message == "Missing amount") {
            const auto out = spent(in.prevout);
            ThrowRpc(RPC_TYPE_ERROR,
                     "Missing amount for " + (out ? TxOutToString(*out) : "unknown"));
        }
        list.push_back(TxInErrorToJson(in, message));
    }
    Json result = Json::object();
    result["hex"] = util::HexStr(consensus::Encode(tx));
    result["complete"] = list.empty();
    if (!list.empty()) result["errors"] = std::move(list);
    return result;
}

std::optional<MutableTransaction> DecodeHexTxArg(const Json& hex, const Json& iswitness)
{
    const bool try_witness = iswitness.is_null() || iswitness.get<bool>();
    const bool try_no_witness = iswitness.is_null() || !iswitness.get<bool>();
    return DecodeHexTx(hex, try_no_witness, try_witness);
}

Arg IsWitnessArg()
{
    return {"iswitness", ArgType::BOOL, DefaultHint{"depends on heuristic tests"},
            "Whether the transaction hex is a serialized witness transaction.\n"
            "If iswitness is not present, heuristic tests will be used in decoding.\n"
            "If true, only witness deserialization will be tried.\n"
            "If false, only non-witness deserialization will be tried.\n"
            "This boolean should reflect whether the transaction has inputs\n"
            "(e.g. fully valid, or on-chain transactions), if known by the caller."};
}

std::vector<Arg> OutpointArgs()
{
    return {{"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id"},
            {"vout", ArgType::NUM, ArgOptional::NO, "The output number"}};
}

std::string SighashNamesDoc()
{
    return "       \"DEFAULT\"\n"
           "       \"ALL\"\n"
           "       \"NONE\"\n"
           "       \"SINGLE\"\n"
           "       \"ALL|ANYONECANPAY\"\n"
           "       \"NONE|ANYONECANPAY\"\n"
           "       \"SINGLE|ANYONECANPAY\"";
}

Arg OutputsArg(std::vector<Arg> entries)
{
    return {"outputs",
            ArgType::ARR,
            ArgOptional::NO,
            "The outputs specified as key-value pairs.\n"
            "Each key may only appear once, i.e. there can only be one 'data' output, and no "
            "address may be duplicated.\n"
            "At least one output of either type must be specified.\n"
            "For compatibility reasons, a dictionary, which holds the key-value pairs directly, "
            "is also\n"
            "accepted as second parameter.",
            std::move(entries),
            ArgOptions{.skip_type_check = true}};
}

std::vector<Arg> CreateTxArgs()
{
    return {
        {"inputs",
         ArgType::ARR,
         ArgOptional::NO,
         "The inputs",
         {{"", ArgType::OBJ, ArgOptional::OMITTED, "",
           ConcatArgs(OutpointArgs(),
                      {{"sequence", ArgType::NUM,
                        DefaultHint{"depends on the value of the 'replaceable' and 'locktime' "
                                    "arguments"},
                        "The sequence number"}})}}},
        OutputsArg({{"",
                     ArgType::OBJ_USER_KEYS,
                     ArgOptional::OMITTED,
                     "",
                     {{"address", ArgType::AMOUNT, ArgOptional::NO,
                       "A key-value pair. The key (string) is the bitcoin address, the value "
                       "(float or string) is the amount in BTC"}}},
                    {"",
                     ArgType::OBJ,
                     ArgOptional::OMITTED,
                     "",
                     {{"data", ArgType::STR_HEX, ArgOptional::NO,
                       "A key-value pair. The key must be \"data\", the value is hex-encoded "
                       "data"}}}}),
        {"locktime", ArgType::NUM, Json(0),
         "Raw locktime. Non-0 value also locktime-activates inputs"},
        {"replaceable", ArgType::BOOL, Json(true),
         "Marks this transaction as BIP125-replaceable.\n"
         "Allows this transaction to be replaced by a transaction with higher fees. If provided, "
         "it is an error if explicit sequence numbers are incompatible."},
    };
}

Arg PrevTxsArg(const std::string& script_pubkey_doc)
{
    return {"prevtxs",
            ArgType::ARR,
            ArgOptional::OMITTED,
            "The previous dependent transaction outputs",
            {{"", ArgType::OBJ, ArgOptional::OMITTED, "",
              ConcatArgs(OutpointArgs(),
                         {{"scriptPubKey", ArgType::STR_HEX, ArgOptional::NO, script_pubkey_doc},
                          {"redeemScript", ArgType::STR_HEX, ArgOptional::OMITTED,
                           "(required for P2SH) redeem script"},
                          {"witnessScript", ArgType::STR_HEX, ArgOptional::OMITTED,
                           "(required for P2WSH or P2SH-P2WSH) witness script"},
                          {"amount", ArgType::AMOUNT, ArgOptional::OMITTED,
                           "(required for Segwit inputs) the amount spent"}})}}};
}

std::vector<ResultDoc> SignRawTransactionResultDoc()
{
    return {ResultDoc{
        ResultType::OBJ,
        "",
        "",
        {{ResultType::STR_HEX, "hex", "The hex-encoded raw transaction with signature(s)"},
         {ResultType::BOOL, "complete", "If the transaction has a complete set of signatures"},
         {ResultType::ARR,
          "errors",
          true,
          "Script verification errors (if there are any)",
          {{ResultType::OBJ,
            "",
            "",
            {{ResultType::STR_HEX, "txid", "The hash of the referenced, previous transaction"},
             {ResultType::NUM, "vout", "The index of the output to spent and used as input"},
             {ResultType::ARR, "witness", "", {{ResultType::STR_HEX, "witness", ""}}},
             {ResultType::STR_HEX, "scriptSig", "The hex-encoded signature script"},
             {ResultType::NUM, "sequence", "Script sequence number"},
             {ResultType::STR, "error",
              "Verification or signing error related to the input"}}}}}}}};
}

std::string ExpandScanObject(const Json& object, const common::ChainParams& params,
                             const std::function<void(common::DescriptorExpansion&)>& visit)
{
    std::string text;
    std::pair<int64_t, int64_t> range{0, 1000};
    if (object.is_string()) {
        text = object.get<std::string>();
    } else if (object.is_object()) {
        const Json& desc = Field(object, "desc");
        if (desc.is_null()) {
            ThrowRpc(RPC_INVALID_PARAMETER, "Descriptor needs to be provided in scan object");
        }
        if (!desc.is_string()) ThrowWrongType(desc, "string");
        text = desc.get<std::string>();
        const Json& range_value = Field(object, "range");
        if (!range_value.is_null()) range = ParseDescriptorRange(range_value);
    } else {
        ThrowRpc(RPC_INVALID_PARAMETER, "Scan object needs to be either a string or an object");
    }
    auto desc = common::ParseDescriptor(text, params);
    if (!desc) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, desc.error().message);
    if (!(*desc)->IsRange()) range = {0, 0};
    for (int64_t i = range.first; i <= range.second; ++i) {
        auto exp = (*desc)->Expand(static_cast<uint32_t>(i));
        if (!exp) {
            ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY,
                     "Cannot derive script without private keys: '" + text + "'");
        }
        visit(*exp);
    }
    return text;
}

} // namespace rpc
