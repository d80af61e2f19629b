// rawtransactions, the node's PSBT methods (BIP174): createpsbt, combinepsbt, finalizepsbt,
// converttopsbt and joinpsbts here; decodepsbt, analyzepsbt and utxoupdatepsbt in psbt_decode.cpp,
// psbt_analyze.cpp and psbt_update.cpp. The codec and the roles live in common/psbt.h.
#include <common/chainparams.h>
#include <common/key_io.h>
#include <common/psbt.h>
#include <common/sign.h>
#include <consensus/serialize.h>
#include <interfaces/chain.h>
#include <rpc/core_read.h>
#include <rpc/dispatch.h>
#include <rpc/method.h>
#include <rpc/psbt_internal.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <algorithm>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rpc {

namespace psbt_internal {

const std::string& StringParam(const Json& value)
{
    if (!value.is_string()) {
        ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " + std::string{JsonTypeName(value)} +
                                     " is not of expected type string");
    }
    return value.get_ref<const std::string&>();
}

common::Psbt DecodePsbtParam(const Json& value)
{
    auto psbt = common::DecodePsbtBase64(StringParam(value));
    if (!psbt) ThrowRpc(RPC_DESERIALIZATION_ERROR, "TX decode failed " + psbt.error().message);
    return std::move(*psbt);
}

} // namespace psbt_internal

namespace {

using namespace psbt_internal;
using common::Psbt;
using common::PsbtInput;
using consensus::MutableTransaction;
using consensus::Script;

// Core's MAX_BIP125_RBF_SEQUENCE and LOCKTIME_MAX.
constexpr uint32_t MAX_BIP125_RBF_SEQUENCE{0xfffffffd};
constexpr int64_t LOCKTIME_MAX{0xffffffff};

int64_t IntValue(const Json& value)
{
    if (value.is_number_integer()) return value.get<int64_t>();
    if (value.is_number_unsigned()) {
        const auto v = value.get<uint64_t>();
        return v > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v);
    }
    return IntFromJson(value);
}

// ---- createpsbt / converttopsbt --------------------------------------------------------------

// Core's ConstructTransaction (shared with createrawtransaction, whose copy is private to
// rawtransaction.cpp).
MutableTransaction ConstructTransaction(const Json& inputs, const Json& outputs_in,
                                        const Json& locktime, std::optional<bool> rbf,
                                        const common::ChainParams& params)
{
    MutableTransaction tx;
    if (!locktime.is_null()) {
        const int64_t value = IntValue(locktime);
        if (value < 0 || value > LOCKTIME_MAX) {
            ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, locktime out of range");
        }
        tx.locktime = static_cast<uint32_t>(value);
    }
    for (const Json& input : inputs) {
        if (!input.is_object()) {
            ThrowRpc(RPC_MISC_ERROR, "JSON value of type " + std::string{JsonTypeName(input)} +
                                         " is not of expected type object");
        }
        consensus::TxIn in;
        const auto txid = input.find("txid");
        in.prevout.hash = ParseHashParam(txid == input.end() ? Json{} : *txid, "txid");
        const auto vout = input.find("vout");
        if (vout == input.end() || !vout->is_number()) {
            ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key");
        }
        const int64_t n = IntValue(*vout);
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
        const auto sequence = input.find("sequence");
        if (sequence != input.end() && sequence->is_number()) {
            const int64_t seq = IntValue(*sequence);
            if (seq < 0 || seq > consensus::TxIn::SEQUENCE_FINAL) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Invalid parameter, sequence number is out of range");
            }
            in.sequence = static_cast<uint32_t>(seq);
        }
        tx.vin.push_back(std::move(in));
    }
    if (outputs_in.is_null()) {
        ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, output argument must be non-null");
    }
    std::vector<std::pair<std::string, Json>> outputs;
    if (outputs_in.is_object()) {
        for (const auto& [key, value] : outputs_in.items())
            outputs.emplace_back(key, value);
    } else {
        for (const Json& output : outputs_in) {
            if (!output.is_object()) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Invalid parameter, key-value pair not an object as expected");
            }
            if (output.size() != 1) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Invalid parameter, key-value pair must contain exactly one key");
            }
            outputs.emplace_back(output.begin().key(), output.begin().value());
        }
    }
    std::set<Bytes, common::ShorterBytesFirst> destinations;
    bool has_data{false};
    for (const auto& [name, value] : outputs) {
        consensus::TxOut out;
        if (name == "data") {
            if (has_data) ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, duplicate key: data");
            has_data = true;
            const Json text = value.is_string() ? value : Json(value.dump());
            out.value = 0;
            out.script_pubkey << consensus::OP_RETURN << ParseHexParam(text, "Data");
        } else {
            const consensus::Amount amount = AmountFromValue(value);
            const auto dest = common::DecodeDestination(name, params);
            if (!dest || !common::IsValidDestination(*dest)) {
                ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address: " + name);
            }
            out.script_pubkey = common::GetScriptForDestination(*dest);
            if (!destinations.insert(out.script_pubkey.bytes()).second) {
                ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, duplicated address: " + name);
            }
            out.value = amount;
        }
        tx.vout.push_back(std::move(out));
    }
    if (rbf.value_or(false) && !tx.vin.empty() &&
        std::none_of(tx.vin.begin(), tx.vin.end(), [](const consensus::TxIn& in) {
            return in.sequence <= MAX_BIP125_RBF_SEQUENCE;
        })) {
        ThrowRpc(RPC_INVALID_PARAMETER,
                 "Invalid parameter combination: Sequence number(s) contradict replaceable option");
    }
    return tx;
}

// A blank PSBT around `tx`, whose inputs carry no scriptSig or witness.
Psbt BlankPsbt(const MutableTransaction& tx)
{
    Psbt psbt;
    psbt.tx = tx;
    psbt.inputs.resize(tx.vin.size());
    psbt.outputs.resize(tx.vout.size());
    return psbt;
}

std::vector<Arg> CreateTxArgs()
{
    return {
        {"inputs",
         ArgType::ARR,
         ArgOptional::NO,
         "The inputs",
         {{"",
           ArgType::OBJ,
           ArgOptional::OMITTED,
           "",
           {{"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id"},
            {"vout", ArgType::NUM, ArgOptional::NO, "The output number"},
            {"sequence", ArgType::NUM,
             DefaultHint{"depends on the value of the 'replaceable' and 'locktime' arguments"},
             "The sequence number"}}}}},
        {"outputs",
         ArgType::ARR,
         ArgOptional::NO,
         "The outputs specified as key-value pairs.\n"
         "Each key may only appear once, i.e. there can only be one 'data' output, and no address "
         "may be duplicated.\n"
         "At least one output of either type must be specified.\n"
         "For compatibility reasons, a dictionary, which holds the key-value pairs directly, is "
         "also\n"
         "accepted as second parameter.",
         {{"",
           ArgType::OBJ_USER_KEYS,
           ArgOptional::OMITTED,
           "",
           {{"address", ArgType::AMOUNT, ArgOptional::NO,
             "A key-value pair. The key (string) is the bitcoin address, the value (float or "
             "string) is the amount in BTC"}}},
          {"",
           ArgType::OBJ,
           ArgOptional::OMITTED,
           "",
           {{"data", ArgType::STR_HEX, ArgOptional::NO,
             "A key-value pair. The key must be \"data\", the value is hex-encoded data"}}}},
         ArgOptions{.skip_type_check = true}},
        {"locktime", ArgType::NUM, Json(0),
         "Raw locktime. Non-0 value also locktime-activates inputs"},
        {"replaceable", ArgType::BOOL, Json(true),
         "Marks this transaction as BIP125-replaceable.\n"
         "Allows this transaction to be replaced by a transaction with higher fees. If provided, "
         "it is an error if explicit sequence numbers are incompatible."},
    };
}

Method CreatePsbtMethod(const Services& services)
{
    return Method{
        "createpsbt",
        "rawtransactions",
        "\nCreates a transaction in the Partially Signed Transaction format.\n"
        "Implements the Creator role.\n",
        CreateTxArgs(),
        {ResultDoc{ResultType::STR, "", "The resulting raw transaction (base64-encoded string)"}},
        HelpExampleCli("createpsbt", "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\" "
                                     "\"[{\\\"data\\\":\\\"00010203\\\"}]\""),
        [&services](const Request& request) -> Result {
            const Json& outputs = request.Param(1);
            if (!outputs.is_null() && !outputs.is_array() && !outputs.is_object()) {
                ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " +
                                             std::string{JsonTypeName(outputs)} +
                                             " is not of expected type array");
            }
            std::optional<bool> rbf;
            if (!request.Param(3).is_null()) rbf = request.Param(3).get<bool>();
            const MutableTransaction tx = ConstructTransaction(
                request.Param(0), outputs, request.Param(2), rbf, services.chain->Params());
            return Json(common::EncodePsbtBase64(BlankPsbt(tx)));
        }};
}

Method ConvertToPsbtMethod()
{
    return Method{
        "converttopsbt",
        "rawtransactions",
        "\nConverts a network serialized transaction to a PSBT. This should be used only with "
        "createrawtransaction and fundrawtransaction\n"
        "createpsbt and walletcreatefundedpsbt should be used for new applications.\n",
        {
            {"hexstring", ArgType::STR_HEX, ArgOptional::NO, "The hex string of a raw transaction"},
            {"permitsigdata", ArgType::BOOL, Json(false),
             "If true, any signatures in the input will be discarded and conversion\n"
             "will continue. If false, RPC will fail if any signatures are present."},
            {"iswitness", ArgType::BOOL, DefaultHint{"depends on heuristic tests"},
             "Whether the transaction hex is a serialized witness transaction.\n"
             "If iswitness is not present, heuristic tests will be used in decoding.\n"
             "If true, only witness deserialization will be tried.\n"
             "If false, only non-witness deserialization will be tried.\n"
             "This boolean should reflect whether the transaction has inputs\n"
             "(e.g. fully valid, or on-chain transactions), if known by the caller."},
        },
        {ResultDoc{ResultType::STR, "", "The resulting raw transaction (base64-encoded string)"}},
        "\nCreate a transaction\n" +
            HelpExampleCli("createrawtransaction",
                           "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\" "
                           "\"[{\\\"data\\\":\\\"00010203\\\"}]\"") +
            "\nConvert the transaction to a PSBT\n" +
            HelpExampleCli("converttopsbt", "\"rawtransaction\""),
        [](const Request& request) -> Result {
            const bool permit = !request.Param(1).is_null() && request.Param(1).get<bool>();
            const Json& iswitness = request.Param(2);
            const bool try_witness = iswitness.is_null() || iswitness.get<bool>();
            const bool try_no_witness = iswitness.is_null() || !iswitness.get<bool>();
            auto tx = DecodeHexTx(request.Param(0), try_no_witness, try_witness);
            if (!tx) ThrowRpc(RPC_DESERIALIZATION_ERROR, "TX decode failed");
            for (auto& in : tx->vin) {
                if ((!in.script_sig.empty() || !in.witness.IsNull()) && !permit) {
                    ThrowRpc(RPC_DESERIALIZATION_ERROR,
                             "Inputs must not have scriptSigs and scriptWitnesses");
                }
                in.script_sig = Script{};
                in.witness = consensus::ScriptWitness{};
            }
            return Json(common::EncodePsbtBase64(BlankPsbt(*tx)));
        }};
}

// ---- combinepsbt / joinpsbts / finalizepsbt --------------------------------------------------

std::vector<Psbt> DecodePsbtList(const Json& txs)
{
    std::vector<Psbt> psbts;
    for (const Json& text : txs)
        psbts.push_back(DecodePsbtParam(text));
    return psbts;
}

Method CombinePsbtMethod()
{
    return Method{
        "combinepsbt",
        "rawtransactions",
        "\nCombine multiple partially signed Bitcoin transactions into one transaction.\n"
        "Implements the Combiner role.\n",
        {{"txs",
          ArgType::ARR,
          ArgOptional::NO,
          "The base64 strings of partially signed transactions",
          {{"psbt", ArgType::STR, ArgOptional::OMITTED, "A base64 string of a PSBT"}}}},
        {ResultDoc{ResultType::STR, "", "The base64-encoded partially signed transaction"}},
        HelpExampleCli("combinepsbt", "'[\"mybase64_1\", \"mybase64_2\", \"mybase64_3\"]'"),
        [](const Request& request) -> Result {
            if (request.Param(0).empty()) {
                ThrowRpc(RPC_INVALID_PARAMETER, "Parameter 'txs' cannot be empty");
            }
            const std::vector<Psbt> psbts = DecodePsbtList(request.Param(0));
            auto merged = common::CombinePsbts(psbts);
            if (!merged) ThrowRpc(RPC_INVALID_PARAMETER, merged.error().message);
            return Json(common::EncodePsbtBase64(*merged));
        }};
}

Method JoinPsbtsMethod()
{
    return Method{
        "joinpsbts",
        "rawtransactions",
        "\nJoins multiple distinct PSBTs with different inputs and outputs into one PSBT with "
        "inputs and outputs from all of the PSBTs\n"
        "No input in any of the PSBTs can be in more than one of the PSBTs.\n",
        {{"txs",
          ArgType::ARR,
          ArgOptional::NO,
          "The base64 strings of partially signed transactions",
          {{"psbt", ArgType::STR, ArgOptional::NO, "A base64 string of a PSBT"}}}},
        {ResultDoc{ResultType::STR, "", "The base64-encoded partially signed transaction"}},
        HelpExampleCli("joinpsbts", "\"psbt\""),
        [](const Request& request) -> Result {
            if (request.Param(0).size() <= 1) {
                ThrowRpc(RPC_INVALID_PARAMETER, "At least two PSBTs are required to join PSBTs.");
            }
            const std::vector<Psbt> psbts = DecodePsbtList(request.Param(0));
            uint32_t best_version{1};
            uint32_t best_locktime{0xffffffff};
            for (const Psbt& psbt : psbts) {
                best_version = std::max(best_version, static_cast<uint32_t>(psbt.tx.version));
                best_locktime = std::min(best_locktime, psbt.tx.locktime);
            }
            Psbt merged;
            merged.tx.version = static_cast<int32_t>(best_version);
            merged.tx.locktime = best_locktime;
            for (const Psbt& psbt : psbts) {
                for (size_t i = 0; i < psbt.tx.vin.size(); ++i) {
                    const consensus::TxIn& in = psbt.tx.vin[i];
                    // Core's AddInput refuses an input equal in prevout, scriptSig and sequence.
                    const bool duplicate = std::any_of(
                        merged.tx.vin.begin(), merged.tx.vin.end(), [&in](const auto& other) {
                            return other.prevout == in.prevout &&
                                   other.script_sig == in.script_sig &&
                                   other.sequence == in.sequence;
                        });
                    if (duplicate) {
                        ThrowRpc(RPC_INVALID_PARAMETER, "Input " + in.prevout.hash.GetHex() + ":" +
                                                            std::to_string(in.prevout.n) +
                                                            " exists in multiple PSBTs");
                    }
                    merged.tx.vin.push_back(in);
                    // The joined transaction differs, so signatures and final data no longer hold.
                    PsbtInput input = psbt.inputs[i];
                    input.partial_sigs.clear();
                    input.final_script_sig = Script{};
                    input.final_script_witness = consensus::ScriptWitness{};
                    merged.inputs.push_back(std::move(input));
                }
                for (size_t i = 0; i < psbt.tx.vout.size(); ++i) {
                    merged.tx.vout.push_back(psbt.tx.vout[i]);
                    merged.outputs.push_back(psbt.outputs[i]);
                }
                merged.unknown.insert(psbt.unknown.begin(), psbt.unknown.end());
            }
            // Core shuffles inputs and outputs so the join does not reveal who brought what; its
            // result keeps the maps and the global unknown records, not the global xpubs.
            std::vector<size_t> in_order(merged.tx.vin.size());
            std::vector<size_t> out_order(merged.tx.vout.size());
            for (size_t i = 0; i < in_order.size(); ++i)
                in_order[i] = i;
            for (size_t i = 0; i < out_order.size(); ++i)
                out_order[i] = i;
            std::random_device seed;
            std::mt19937_64 rng{(static_cast<uint64_t>(seed()) << 32) ^ seed()};
            std::shuffle(in_order.begin(), in_order.end(), rng);
            std::shuffle(out_order.begin(), out_order.end(), rng);
            Psbt shuffled;
            shuffled.tx.version = merged.tx.version;
            shuffled.tx.locktime = merged.tx.locktime;
            for (const size_t i : in_order) {
                shuffled.tx.vin.push_back(merged.tx.vin[i]);
                shuffled.inputs.push_back(merged.inputs[i]);
            }
            for (const size_t i : out_order) {
                shuffled.tx.vout.push_back(merged.tx.vout[i]);
                shuffled.outputs.push_back(merged.outputs[i]);
            }
            shuffled.unknown = merged.unknown;
            return Json(common::EncodePsbtBase64(shuffled));
        }};
}

Method FinalizePsbtMethod()
{
    return Method{
        "finalizepsbt",
        "rawtransactions",
        "Finalize the inputs of a PSBT. If the transaction is fully signed, it will produce a\n"
        "network serialized transaction which can be broadcast with sendrawtransaction. "
        "Otherwise a PSBT will be\n"
        "created which has the final_scriptSig and final_scriptWitness fields filled for inputs "
        "that are complete.\n"
        "Implements the Finalizer and Extractor roles.\n",
        {
            {"psbt", ArgType::STR, ArgOptional::NO, "A base64 string of a PSBT"},
            {"extract", ArgType::BOOL, Json(true),
             "If true and the transaction is complete,\n"
             "extract and return the complete transaction in normal network serialization "
             "instead of the PSBT."},
        },
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {{ResultType::STR, "psbt", true,
              "The base64-encoded partially signed transaction if not extracted"},
             {ResultType::STR_HEX, "hex", true, "The hex-encoded network transaction if extracted"},
             {ResultType::BOOL, "complete",
              "If the transaction has a complete set of signatures"}}}},
        HelpExampleCli("finalizepsbt", "\"psbt\""),
        [](const Request& request) -> Result {
            Psbt psbt = DecodePsbtParam(request.Param(0));
            const bool extract = request.Param(1).is_null() || request.Param(1).get<bool>();
            const bool complete = common::FinalizePsbt(psbt);
            Json result = Json::object();
            std::optional<MutableTransaction> tx;
            if (complete && extract) {
                auto extracted = common::ExtractTransaction(psbt);
                if (extracted) tx = std::move(*extracted);
            }
            if (tx) {
                result["hex"] = util::HexStr(consensus::Encode(*tx));
            } else {
                result["psbt"] = common::EncodePsbtBase64(psbt);
            }
            result["complete"] = complete;
            return result;
        }};
}

} // namespace

void RegisterPsbtMethods(MethodTable& table, const Services& services)
{
    table.Register(psbt_internal::DecodePsbtMethod(services));
    table.Register(CombinePsbtMethod());
    table.Register(FinalizePsbtMethod());
    table.Register(CreatePsbtMethod(services));
    table.Register(ConvertToPsbtMethod());
    table.Register(psbt_internal::UtxoUpdatePsbtMethod(services));
    table.Register(JoinPsbtsMethod());
    table.Register(psbt_internal::AnalyzePsbtMethod());
}

} // namespace rpc
