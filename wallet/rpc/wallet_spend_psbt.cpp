// Wallet spending RPCs around PSBTs, signing and fee bumping: bumpfee, psbtbumpfee,
// walletcreatefundedpsbt, walletprocesspsbt and signrawtransactionwithwallet, with Bitcoin
// Core v28's arguments, checks, errors and results.
#include <common/chainparams.h>
#include <common/psbt.h>
#include <consensus/amount.h>
#include <consensus/script/sighash.h>
#include <rpc/core_read.h>
#include <rpc/method.h>
#include <rpc/protocol.h>
#include <rpc/rawtransaction_util.h>
#include <rpc/util.h>
#include <util/strings.h>
#include <wallet/context.h>
#include <wallet/rpc/rpc_names.h>
#include <wallet/rpc/spend_util.h>
#include <wallet/rpc/util.h>
#include <wallet/spend.h>
#include <wallet/wallet.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wallet {

namespace {

// ---- bumpfee / psbtbumpfee ------------------------------------------------------

// Core's feebumper result codes, recovered from the bumper's message.
[[noreturn]] void ThrowBumpError(const std::string& message)
{
    const auto starts = [&](const char* prefix) { return message.rfind(prefix, 0) == 0; };
    if (starts("Invalid or non-wallet transaction id")) {
        ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, message);
    }
    if (starts("Insufficient total fee") || starts("New fee rate") ||
        starts("Change position is out of range") || starts("The options 'outputs'") ||
        starts("Invalid parameter")) {
        ThrowRpc(rpc::RPC_INVALID_PARAMETER, message);
    }
    ThrowRpc(RPC_WALLET_ERROR, message);
}

std::string BumpDescription(bool want_psbt)
{
    return std::string{"\nBumps the fee of an opt-in-RBF transaction T, replacing it with a new "
                       "transaction B.\n"} +
           (want_psbt ? "Returns a PSBT instead of creating and signing a new transaction.\n"
                      : "") +
           "An opt-in RBF transaction with the given txid must be in the wallet.\n"
           "The command will pay the additional fee by reducing change outputs or adding inputs "
           "when necessary.\n"
           "It may add a new change output if one does not already exist.\n"
           "All inputs in the original transaction will be included in the replacement "
           "transaction.\n"
           "The command will fail if the wallet or mempool contains a transaction that spends "
           "one of T's outputs.\n"
           "By default, the new fee will be calculated automatically using the estimatesmartfee "
           "RPC.\n"
           "The user can specify a confirmation target for estimatesmartfee.\n"
           "Alternatively, the user can specify a fee rate in sat/vB for the new transaction.\n"
           "At a minimum, the new fee rate must be high enough to pay an additional new relay "
           "fee (incrementalfee\n"
           "returned by getnetworkinfo) to enter the node's mempool.\n"
           "* WARNING: before version 0.21, fee_rate was in BTC/kvB. As of 0.21, fee_rate is in "
           "sat/vB. *\n";
}

std::vector<Arg> BumpOptionsDoc()
{
    return {
        {"conf_target", ArgType::NUM, DefaultHint{"wallet -txconfirmtarget"},
         "Confirmation target in blocks\n"},
        {"fee_rate", ArgType::AMOUNT, DefaultHint{"not set, fall back to wallet fee estimation"},
         "\nSpecify a fee rate in sat/vB instead of relying on the built-in fee estimator.\n"
         "Must be at least 1.000 sat/vB higher than the current transaction fee rate.\n"
         "WARNING: before version 0.21, fee_rate was in BTC/kvB. As of 0.21, fee_rate is in "
         "sat/vB.\n"},
        {"replaceable", ArgType::BOOL, Json(true),
         "Whether the new transaction should still be\n"
         "marked bip-125 replaceable. If true, the sequence numbers in the transaction will\n"
         "be left unchanged from the original. If false, any input sequence numbers in the\n"
         "original transaction that were less than 0xfffffffe will be increased to 0xfffffffe\n"
         "so the new transaction will not be explicitly bip-125 replaceable (though it may\n"
         "still be replaceable in practice, for example if it has unconfirmed ancestors which\n"
         "are replaceable).\n"},
        EstimateModeArg(),
        {"outputs", ArgType::ARR, Json::array(),
         "The outputs specified as key-value pairs.\n"
         "Each key may only appear once, i.e. there can only be one 'data' output, and no "
         "address may be duplicated.\n"
         "At least one output of either type must be specified.\n"
         "Cannot be provided if 'original_change_index' is specified.",
         OutputsDoc(), rpc::ArgOptions{.skip_type_check = true}},
        {"original_change_index", ArgType::NUM, DefaultHint{"not set, detect change automatically"},
         "The 0-based index of the change output on the original transaction. The indicated "
         "output will be recycled into the new change output on the bumped transaction. The "
         "remainder after paying the recipients and fees will be sent to the output script of "
         "the original change output. The change output’s amount can increase if bumping the "
         "transaction adds new inputs, otherwise it will decrease. Cannot be used in "
         "combination with the 'outputs' option."},
    };
}

} // namespace

Method BumpFeeMethod(WalletManager& manager, bool want_psbt)
{
    const std::string name{want_psbt ? "psbtbumpfee" : "bumpfee"};
    std::vector<ResultDoc> fields;
    if (want_psbt) {
        fields.push_back(
            {ResultType::STR, "psbt", "The base64-encoded unsigned PSBT of the new transaction."});
    } else {
        fields.push_back({ResultType::STR_HEX, "txid", "The id of the new transaction."});
    }
    fields.push_back({ResultType::STR_AMOUNT, "origfee", "The fee of the replaced transaction."});
    fields.push_back({ResultType::STR_AMOUNT, "fee", "The fee of the new transaction."});
    fields.push_back({ResultType::ARR,
                      "errors",
                      "Errors encountered during processing (may be empty).",
                      {{ResultType::STR, "", ""}}});
    return Method{
        name,
        "wallet",
        BumpDescription(want_psbt),
        {
            {"txid", ArgType::STR_HEX, ArgOptional::NO, "The txid to be bumped"},
            {"options", ArgType::OBJ_NAMED_PARAMS, ArgOptional::OMITTED, "", BumpOptionsDoc(),
             rpc::ArgOptions{.oneline_description = "options"}},
        },
        {ResultDoc{ResultType::OBJ, "", "", std::move(fields)}},
        "\nBump the fee, get the new transaction's " + std::string{want_psbt ? "psbt" : "txid"} +
            "\n" + HelpExampleCli(name, "<txid>"),
        [&manager, want_psbt](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            const std::lock_guard spending{wallet->SpendMutex()};
            if (!wallet->HasPrivateKeys() && !want_psbt) {
                ThrowRpc(RPC_WALLET_ERROR, "bumpfee is not available with wallets that have "
                                           "private keys disabled. Use psbtbumpfee instead.");
            }
            const auto txid = rpc::ParseHashParam(request.Param(0), "txid");

            CoinControl control;
            control.signal_rbf = true;
            const Json& options = request.Param(1);
            if (!options.is_null()) {
                CheckOptionTypes(options, {{"confTarget", "number"},
                                           {"conf_target", "number"},
                                           {"fee_rate", ""},
                                           {"replaceable", "bool"},
                                           {"estimate_mode", "string"},
                                           {"outputs", ""},
                                           {"original_change_index", "number"}});
                if (options.contains("confTarget") && options.contains("conf_target")) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "confTarget and conf_target options should not both be set. Use "
                             "conf_target (confTarget is deprecated).");
                }
                const Json& conf_target = options.contains("confTarget")
                                              ? options["confTarget"]
                                              : OptionField(options, "conf_target");
                if (options.contains("replaceable")) {
                    control.signal_rbf = options["replaceable"].get<bool>();
                }
                SetFeeEstimateMode(conf_target, OptionField(options, "estimate_mode"),
                                   OptionField(options, "fee_rate"), control);
                const Json& outputs = OptionField(options, "outputs");
                if (!outputs.is_null()) {
                    if (outputs.is_array() && outputs.empty()) {
                        ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                                 "Invalid parameter, output argument cannot be an empty array");
                    }
                    (void)ParseOutputsParam(outputs, wallet->Chain().Params());
                }
                const bool has_change_index = options.contains("original_change_index");
                if (has_change_index) (void)rpc::IntFromJson(options["original_change_index"]);
                if (!outputs.is_null() && has_change_index) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "The options 'outputs' and 'original_change_index' are "
                             "incompatible. You can only either specify a new set of outputs, or "
                             "designate a change output to be recycled.");
                }
                // TODO(lead): BumpFee (spend.h) takes neither new outputs nor a change index.
                if (!outputs.is_null() || has_change_index) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             std::string{"Option "} +
                                 (has_change_index ? "original_change_index" : "outputs") +
                                 " is not supported yet");
                }
            }

            wallet->BlockUntilSyncedToCurrentChain();
            EnsureWalletIsUnlocked(*wallet);
            control.sign = !want_psbt;
            auto bumped = BumpFee(*wallet, txid, control);
            if (!bumped) ThrowBumpError(bumped.error().message);
            BumpResult& bump = bumped.value();

            Json result = Json::object();
            if (!want_psbt) {
                if (!bump.complete) ThrowRpc(RPC_WALLET_ERROR, "Can't sign transaction.");
                // The replacement inherits the original's comments, plus the link back to it.
                std::map<std::string, std::string> map_value;
                if (const auto old = wallet->GetTransaction(txid)) map_value = old->wtx.map_value;
                map_value["replaces_txid"] = txid.GetHex();
                const auto tx = consensus::MakeTransactionRef(std::move(bump.tx));
                // As Core: a mempool rejection leaves the replacement stored in the wallet.
                (void)wallet->CommitTransaction(tx, std::move(map_value));
                (void)wallet->MarkReplaced(txid, tx->GetHash());
                result["txid"] = tx->GetHash().GetHex();
            } else {
                auto psbt = common::CreatePsbt(bump.tx);
                if (!psbt) ThrowRpc(rpc::RPC_INTERNAL_ERROR, psbt.error().message);
                auto filled =
                    wallet->FillPsbt(psbt.value(), /*sign=*/false, consensus::SIGHASH_DEFAULT,
                                     /*bip32derivs=*/true, /*finalize=*/true);
                if (!filled) ThrowPsbtError(filled.error().message);
                result["psbt"] = common::EncodePsbtBase64(psbt.value());
            }
            result["origfee"] = rpc::AmountToJson(bump.old_fee);
            result["fee"] = rpc::AmountToJson(bump.new_fee);
            Json errors = Json::array();
            for (const auto& error : bump.errors)
                errors.push_back(error);
            result["errors"] = std::move(errors);
            return result;
        }};
}

// ---- walletcreatefundedpsbt --------------------------------------------------------

Method WalletCreateFundedPsbtMethod(WalletManager& manager)
{
    return Method{
        "walletcreatefundedpsbt",
        "wallet",
        "\nCreates and funds a transaction in the Partially Signed Transaction format.\n"
        "Implements the Creator and Updater roles.\n"
        "All existing inputs must either have their previous output transaction be in the "
        "wallet\n"
        "or be in the UTXO set. Solving data must be provided for non-wallet inputs.\n",
        {
            {"inputs",
             ArgType::ARR,
             ArgOptional::OMITTED,
             "Leave empty to add inputs automatically. See add_inputs option.",
             {{"", ArgType::OBJ, ArgOptional::OMITTED, "",
               ConcatArgs(
                   rpc::OutpointArgs(),
                   {
                       {"sequence", ArgType::NUM,
                        DefaultHint{"depends on the value of the 'locktime' and "
                                    "'options.replaceable' arguments"},
                        "The sequence number"},
                       {"weight", ArgType::NUM,
                        DefaultHint{"Calculated from wallet and solving data"},
                        "The maximum weight for this input, including the weight of the outpoint "
                        "and "
                        "sequence number. Note that signature sizes are not guaranteed to be "
                        "consistent, so the maximum DER signatures size of 73 bytes should be used "
                        "when considering ECDSA signatures.Remember to convert serialized sizes to "
                        "weight units when necessary."},
                   })}}},
            rpc::OutputsArg(OutputsDoc()),
            {"locktime", ArgType::NUM, Json(0),
             "Raw locktime. Non-0 value also locktime-activates inputs"},
            {"options", ArgType::OBJ_NAMED_PARAMS, ArgOptional::OMITTED, "",
             WalletCreateFundedPsbtOptionsDoc(), rpc::ArgOptions{.oneline_description = "options"}},
            {"bip32derivs", ArgType::BOOL, Json(true),
             "Include BIP 32 derivation paths for public keys if we know them"},
        },
        FundedPsbtResults(),
        "\nCreate a transaction with no inputs\n" +
            HelpExampleCli("walletcreatefundedpsbt",
                           "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\" "
                           "\"[{\\\"data\\\":\\\"00010203\\\"}]\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            const Json options = request.Param(3).is_null() ? Json::object() : request.Param(3);
            const Json& replaceable = OptionField(options, "replaceable");
            const bool rbf =
                replaceable.is_boolean() ? replaceable.get<bool>() : wallet->Settings().signal_rbf;
            consensus::MutableTransaction requested;
            ParseInputsParam(request.Param(0), request.Param(2), rbf, requested);
            const auto outputs = ParseOutputsParam(request.Param(1), wallet->Chain().Params());
            std::vector<std::string> keys;
            for (const auto& output : outputs)
                keys.push_back(output.key);
            const auto recipients = MakeRecipients(
                outputs,
                ParseSubtractFeeParam(OptionField(options, "subtractFeeFromOutputs"), keys));
            if (!OptionField(options, "input_weights").is_null()) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                         "Input weights should be specified in inputs rather than in options.");
            }
            for (const Json& input : request.Param(0)) {
                if (input.is_object() && input.contains("weight")) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "Option input weight is not supported yet");
                }
            }

            CoinControl control;
            control.add_inputs = requested.vin.empty();
            for (const auto& in : requested.vin)
                control.inputs.push_back(in.prevout);
            control.signal_rbf = rbf;
            control.locktime = requested.locktime;
            const auto fund = ReadFundOptions(*wallet, options, recipients.size(), control);
            control.sign = false;
            auto created = FundTransaction(*wallet, recipients, control, fund.lock_unspents);
            ApplyInputSequences(requested, created.tx);

            auto psbt = common::CreatePsbt(created.tx);
            if (!psbt) ThrowRpc(rpc::RPC_INTERNAL_ERROR, psbt.error().message);
            const bool bip32derivs =
                request.Param(4).is_boolean() ? request.Param(4).get<bool>() : true;
            auto filled = wallet->FillPsbt(psbt.value(), /*sign=*/false, consensus::SIGHASH_DEFAULT,
                                           bip32derivs,
                                           /*finalize=*/true);
            if (!filled) ThrowPsbtError(filled.error().message);

            Json result = Json::object();
            result["psbt"] = common::EncodePsbtBase64(psbt.value());
            result["fee"] = rpc::AmountToJson(created.fee);
            result["changepos"] =
                created.change_position ? static_cast<int>(*created.change_position) : -1;
            return result;
        }};
}

// ---- walletprocesspsbt -----------------------------------------------------------------

Method WalletProcessPsbtMethod(WalletManager& manager)
{
    return Method{
        "walletprocesspsbt",
        "wallet",
        "\nUpdate a PSBT with input information from our wallet and then sign inputs\n"
        "that we can sign for." +
            std::string{HELP_REQUIRING_PASSPHRASE},
        {
            {"psbt", ArgType::STR, ArgOptional::NO, "The transaction base64 string"},
            {"sign", ArgType::BOOL, Json(true),
             "Also sign the transaction when updating (requires wallet to be unlocked)"},
            {"sighashtype", ArgType::STR, Json("DEFAULT for Taproot, ALL otherwise"),
             SighashDoc(/*psbt=*/true)},
            {"bip32derivs", ArgType::BOOL, Json(true),
             "Include BIP 32 derivation paths for public keys if we know them"},
            {"finalize", ArgType::BOOL, Json(true), "Also finalize inputs if possible"},
        },
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {{ResultType::STR, "psbt", "The base64-encoded partially signed transaction"},
             {ResultType::BOOL, "complete", "If the transaction has a complete set of signatures"},
             {ResultType::STR_HEX, "hex", true,
              "The hex-encoded network transaction if complete"}}}},
        HelpExampleCli("walletprocesspsbt", "\"psbt\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            auto psbt = common::DecodePsbtBase64(request.Param(0).get<std::string>());
            if (!psbt) {
                ThrowRpc(rpc::RPC_DESERIALIZATION_ERROR,
                         "TX decode failed " + psbt.error().message);
            }
            // A default sighash leaves the choice to each input's PSBT_IN_SIGHASH or its type.
            const int hash_type =
                ParseSighashParam(request.Param(2)).value_or(consensus::SIGHASH_DEFAULT);
            const bool sign = request.Param(1).is_boolean() ? request.Param(1).get<bool>() : true;
            const bool bip32derivs =
                request.Param(3).is_boolean() ? request.Param(3).get<bool>() : true;
            const bool finalize =
                request.Param(4).is_boolean() ? request.Param(4).get<bool>() : true;
            if (sign) EnsureWalletIsUnlocked(*wallet);

            auto filled = wallet->FillPsbt(psbt.value(), sign, hash_type, bip32derivs, finalize);
            if (!filled) ThrowPsbtError(filled.error().message);
            bool complete = filled.value();

            Json result = Json::object();
            result["psbt"] = common::EncodePsbtBase64(psbt.value());
            // FillPsbt reports complete when every input is finalized; extract to be sure.
            const auto final_tx = ExtractIfComplete(psbt.value(), complete);
            result["complete"] = complete;
            if (final_tx) result["hex"] = EncodeTxHex(*final_tx);
            return result;
        }};
}

// ---- signrawtransactionwithwallet ------------------------------------------------------

Method SignRawTransactionWithWalletMethod(WalletManager& manager)
{
    return Method{
        "signrawtransactionwithwallet",
        "wallet",
        "\nSign inputs for raw transaction (serialized, hex-encoded).\n"
        "The second optional argument (may be null) is an array of previous transaction outputs "
        "that\n"
        "this transaction depends on but may not yet be in the block chain." +
            std::string{HELP_REQUIRING_PASSPHRASE},
        {
            {"hexstring", ArgType::STR, ArgOptional::NO, "The transaction hex string"},
            rpc::PrevTxsArg("The output script"),
            {"sighashtype", ArgType::STR, Json("DEFAULT for Taproot, ALL otherwise"),
             SighashDoc(/*psbt=*/false)},
        },
        rpc::SignRawTransactionResultDoc(),
        HelpExampleCli("signrawtransactionwithwallet", "\"myhex\"") +
            HelpExampleRpc("signrawtransactionwithwallet", "\"myhex\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            auto mtx = rpc::DecodeHexTx(request.Param(0));
            if (!mtx) {
                ThrowRpc(rpc::RPC_DESERIALIZATION_ERROR,
                         "TX decode failed. Make sure the tx has at least one input.");
            }
            EnsureWalletIsUnlocked(*wallet);

            // Spent outputs from the UTXO set and mempool, then the caller's prevtxs (Core's
            // wallet passes no keystore: only the coins matter); the wallet knows its own.
            rpc::CoinMap coins;
            for (const auto& in : mtx->vin) {
                const auto coin = wallet->Chain().GetCoinWithMempool(in.prevout);
                coins[in.prevout] = coin ? std::optional{coin->out} : std::nullopt;
            }
            rpc::ParsePrevouts(request.Param(1), nullptr, coins);
            std::map<consensus::OutPoint, consensus::TxOut> known;
            for (const auto& [outpoint, out] : coins) {
                if (out) known.emplace(outpoint, *out);
            }
            const int hash_type =
                ParseSighashParam(request.Param(2)).value_or(consensus::SIGHASH_DEFAULT);

            auto input_errors = wallet->SignTransaction(*mtx, known, hash_type);
            if (!input_errors) ThrowRpc(RPC_WALLET_ERROR, input_errors.error().message);
            std::map<size_t, std::string> errors{input_errors.value().begin(),
                                                 input_errors.value().end()};
            // Core's SignTransaction: a segwit input whose prevtxs entry gave no amount.
            for (size_t i = 0; i < mtx->vin.size(); ++i) {
                const auto it = known.find(mtx->vin[i].prevout);
                if (it != known.end() && it->second.value == rpc::UNKNOWN_AMOUNT &&
                    !mtx->vin[i].witness.IsNull()) {
                    errors[i] = "Missing amount";
                }
            }
            return rpc::SignResultToJson(*mtx, errors, [&](const consensus::OutPoint& outpoint) {
                const auto it = known.find(outpoint);
                return it != known.end() ? std::optional{it->second}
                                         : wallet->GetWalletOutput(outpoint);
            });
        }};
}

} // namespace wallet
