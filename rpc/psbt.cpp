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
#include <rpc/rawtransaction_util.h>
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

// ---- createpsbt / converttopsbt --------------------------------------------------------------

// A blank PSBT around `tx`, whose inputs carry no scriptSig or witness.
Psbt BlankPsbt(const MutableTransaction& tx)
{
    Psbt psbt;
    psbt.tx = tx;
    psbt.inputs.resize(tx.vin.size());
    psbt.outputs.resize(tx.vout.size());
    return psbt;
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
            std::optional<bool> rbf;
            if (!request.Param(3).is_null()) rbf = request.Param(3).get<bool>();
            const MutableTransaction tx =
                ConstructTransaction(request.Param(0), request.Param(1), request.Param(2), rbf,
                                     services.chain->Params());
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
            IsWitnessArg(),
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
            auto tx = DecodeHexTxArg(request.Param(0), request.Param(2));
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
