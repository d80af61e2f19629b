// analyzepsbt: Core's AnalyzePSBT (per-input UTXO, finality, what is missing and who acts next;
// fee, and the virtual size and fee rate once every input can be sized).
#include <common/psbt.h>
#include <common/sign.h>
#include <consensus/amount.h>
#include <consensus/coins.h>
#include <consensus/script/interpreter.h>
#include <consensus/transaction.h>
#include <consensus/tx_verify.h>
#include <rpc/method.h>
#include <rpc/psbt_internal.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace rpc::psbt_internal {

namespace {

// Core's DEFAULT_BYTES_PER_SIGOP: how much weight a sigop counts for in the virtual size.
constexpr int64_t BYTES_PER_SIGOP{20};

// The spent output of each input (nullopt where unknown) and whether all are known.
std::vector<std::optional<consensus::TxOut>> SpentOutputs(const Psbt& psbt, bool& all_known)
{
    std::vector<std::optional<consensus::TxOut>> spent;
    all_known = true;
    for (size_t i = 0; i < psbt.inputs.size(); ++i) {
        spent.push_back(common::GetInputUtxo(psbt, i));
        if (!spent.back()) all_known = false;
    }
    return spent;
}

// Core's PSBTInputSignedAndVerified: final data present and valid against the spent output.
bool FinalAndValid(const Psbt& psbt, size_t index,
                   const std::vector<std::optional<consensus::TxOut>>& spent,
                   const consensus::Transaction& tx, const consensus::PrecomputedTxData& txdata)
{
    const PsbtInput& input = psbt.inputs[index];
    if (!spent[index] || !common::PsbtInputFinalized(input)) return false;
    const consensus::TransactionSignatureChecker checker{&tx, static_cast<unsigned>(index),
                                                         spent[index]->value, txdata};
    return consensus::VerifyScript(input.final_script_sig, spent[index]->script_pubkey,
                                   &input.final_script_witness,
                                   common::STANDARD_SCRIPT_VERIFY_FLAGS, checker);
}

Json HashList(const std::vector<Uint160>& ids)
{
    Json list = Json::array();
    for (const auto& id : ids)
        list.push_back(util::HexStr(id.span()));
    return list;
}

Json InvalidAnalysis(const std::string& message)
{
    Json result = Json::object();
    result["next"] = common::PsbtRoleName(common::PsbtRole::CREATOR);
    result["error"] = message;
    return result;
}

Json AnalyzePsbtJson(const Psbt& psbt)
{
    bool all_known{false};
    const auto spent = SpentOutputs(psbt, all_known);
    const consensus::Transaction tx{psbt.tx};
    consensus::PrecomputedTxData txdata;
    std::vector<consensus::TxOut> spent_list;
    if (all_known) {
        for (const auto& out : spent)
            spent_list.push_back(*out);
    }
    txdata.Init(tx, std::move(spent_list), true);

    // Inputs the finalizer can complete now (signatures that verify).
    Psbt finalized = psbt;
    common::FinalizePsbt(finalized);

    Json inputs = Json::array();
    consensus::Amount in_amount{0};
    bool calc_fee{true};
    common::PsbtRole next = common::PsbtRole::EXTRACTOR;
    // The transaction with final or placeholder unlocking data, for the size estimate.
    MutableTransaction sized = psbt.tx;
    bool size_known{true};
    for (size_t i = 0; i < psbt.inputs.size(); ++i) {
        const PsbtInput& input = psbt.inputs[i];
        Json entry = Json::object();
        common::PsbtRole input_next = common::PsbtRole::EXTRACTOR;
        bool has_utxo = spent[i].has_value();
        bool is_final{false};
        if (has_utxo) {
            if (!consensus::MoneyRange(spent[i]->value) ||
                !consensus::MoneyRange(in_amount + spent[i]->value)) {
                return InvalidAnalysis("PSBT is not valid. Input " + std::to_string(i) +
                                       " has invalid value");
            }
            in_amount += spent[i]->value;
            if (spent[i]->script_pubkey.IsUnspendable()) {
                return InvalidAnalysis("PSBT is not valid. Input " + std::to_string(i) +
                                       " spends unspendable output");
            }
        } else {
            if (input.non_witness_utxo &&
                psbt.tx.vin[i].prevout.n >= input.non_witness_utxo->vout.size()) {
                return InvalidAnalysis("PSBT is not valid. Input " + std::to_string(i) +
                                       " specifies invalid prevout");
            }
            input_next = common::PsbtRole::UPDATER;
            calc_fee = false;
        }
        Json missing = Json::object();
        if (FinalAndValid(psbt, i, spent, tx, txdata)) {
            is_final = true;
            sized.vin[i].script_sig = input.final_script_sig;
            sized.vin[i].witness = input.final_script_witness;
        } else if (has_utxo && common::PsbtInputFinalized(input)) {
            // Core takes final data as complete without checking it again here.
            if (input.non_witness_utxo) {
                input_next = common::PsbtRole::FINALIZER;
                sized.vin[i].script_sig = input.final_script_sig;
                sized.vin[i].witness = input.final_script_witness;
            } else {
                input_next = common::PsbtRole::UPDATER;
                size_known = false;
            }
        } else if (has_utxo) {
            const WalkResult walk = Walk(spent[i]->script_pubkey, KnownFromInput(input, nullptr));
            // A witness UTXO alone only vouches for the amount when the signature commits to it.
            const bool usable = input.non_witness_utxo != nullptr || walk.witness;
            const bool complete = usable && common::PsbtInputFinalized(finalized.inputs[i]);
            if (!usable) {
                input_next = common::PsbtRole::UPDATER;
                size_known = false;
            } else if (complete) {
                input_next = common::PsbtRole::FINALIZER;
                sized.vin[i].script_sig = finalized.inputs[i].final_script_sig;
                sized.vin[i].witness = finalized.inputs[i].final_script_witness;
            } else {
                if (!walk.missing_pubkeys.empty())
                    missing["pubkeys"] = HashList(walk.missing_pubkeys);
                if (!walk.missing_sigs.empty()) missing["signatures"] = HashList(walk.missing_sigs);
                if (walk.missing_redeem)
                    missing["redeemscript"] = util::HexStr(walk.missing_redeem->span());
                if (walk.missing_witness)
                    missing["witnessscript"] = util::HexStr(walk.missing_witness->span());
                const bool only_sigs = walk.missing_pubkeys.empty() && !walk.missing_redeem &&
                                       !walk.missing_witness && !walk.missing_sigs.empty();
                input_next = only_sigs ? common::PsbtRole::SIGNER : common::PsbtRole::UPDATER;
                if (walk.solved) {
                    sized.vin[i].script_sig = walk.script_sig;
                    sized.vin[i].witness.stack = walk.wit;
                } else {
                    size_known = false;
                }
            }
        } else {
            size_known = false;
        }
        entry["has_utxo"] = has_utxo;
        entry["is_final"] = is_final;
        entry["next"] = common::PsbtRoleName(input_next);
        if (!missing.empty()) entry["missing"] = std::move(missing);
        next = std::min(next, input_next);
        inputs.push_back(std::move(entry));
    }
    Json result = Json::object();
    if (!inputs.empty()) result["inputs"] = std::move(inputs);
    if (calc_fee) {
        consensus::Amount out_amount{0};
        for (const auto& out : psbt.tx.vout) {
            if (!consensus::MoneyRange(out.value) ||
                !consensus::MoneyRange(out_amount + out.value)) {
                return InvalidAnalysis("PSBT is not valid. Output amount invalid");
            }
            out_amount += out.value;
        }
        const consensus::Amount fee = in_amount - out_amount;
        if (size_known) {
            const consensus::Transaction signed_tx{sized};
            consensus::CoinsViewMemory view;
            for (size_t i = 0; i < spent.size(); ++i)
                view.AddCoin(psbt.tx.vin[i].prevout, consensus::Coin{*spent[i], 1, false});
            const int64_t sigop_cost = consensus::GetTransactionSigOpCost(
                signed_tx, view, common::STANDARD_SCRIPT_VERIFY_FLAGS);
            const int64_t weight = static_cast<int64_t>(signed_tx.GetWeight());
            const int64_t vsize = (std::max(weight, sigop_cost * BYTES_PER_SIGOP) +
                                   consensus::WITNESS_SCALE_FACTOR - 1) /
                                  consensus::WITNESS_SCALE_FACTOR;
            result["estimated_vsize"] = vsize;
            result["estimated_feerate"] = AmountToJson(vsize > 0 ? fee * 1000 / vsize : 0);
        }
        result["fee"] = AmountToJson(fee);
    }
    result["next"] = common::PsbtRoleName(next);
    return result;
}

} // namespace

Method AnalyzePsbtMethod()
{
    return Method{
        "analyzepsbt",
        "rawtransactions",
        "\nAnalyzes and provides information about the current status of a PSBT and its inputs\n",
        {{"psbt", ArgType::STR, ArgOptional::NO, "A base64 string of a PSBT"}},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {{ResultType::ARR,
              "inputs",
              true,
              "",
              {{ResultType::OBJ,
                "",
                "",
                {{ResultType::BOOL, "has_utxo", "Whether a UTXO is provided"},
                 {ResultType::BOOL, "is_final", "Whether the input is finalized"},
                 {ResultType::OBJ,
                  "missing",
                  true,
                  "Things that are missing that are required to complete this input",
                  {{ResultType::ARR,
                    "pubkeys",
                    true,
                    "",
                    {{ResultType::STR_HEX, "keyid",
                      "Public key ID, hash160 of the public key, of a public key whose BIP 32 "
                      "derivation path is missing"}}},
                   {ResultType::ARR,
                    "signatures",
                    true,
                    "",
                    {{ResultType::STR_HEX, "keyid",
                      "Public key ID, hash160 of the public key, of a public key whose signature "
                      "is missing"}}},
                   {ResultType::STR_HEX, "redeemscript", true,
                    "Hash160 of the redeem script that is missing"},
                   {ResultType::STR_HEX, "witnessscript", true,
                    "SHA256 of the witness script that is missing"}}},
                 {ResultType::STR, "next", true,
                  "Role of the next person that this input needs to go to"}}}}},
             {ResultType::NUM, "estimated_vsize", true,
              "Estimated vsize of the final signed transaction"},
             {ResultType::STR_AMOUNT, "estimated_feerate", true,
              "Estimated feerate of the final signed transaction in BTC/kvB. Shown only if all "
              "UTXO slots in the PSBT have been filled"},
             {ResultType::STR_AMOUNT, "fee", true,
              "The transaction fee paid. Shown only if all UTXO slots in the PSBT have been "
              "filled"},
             {ResultType::STR, "next", "Role of the next person that this psbt needs to go to"},
             {ResultType::STR, "error", true, "Error message (if there is one)"}}}},
        HelpExampleCli("analyzepsbt", "\"psbt\""),
        [](const Request& request) -> Result {
            return AnalyzePsbtJson(DecodePsbtParam(request.Param(0)));
        }};
}

} // namespace rpc::psbt_internal
