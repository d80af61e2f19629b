// fundrawtransaction, and the option and result descriptions walletcreatefundedpsbt shares
// with it, with Bitcoin Core v28's arguments, checks, errors and results.
#include <consensus/transaction.h>
#include <rpc/core_read.h>
#include <rpc/method.h>
#include <rpc/protocol.h>
#include <rpc/util.h>
#include <wallet/context.h>
#include <wallet/rpc/rpc_names.h>
#include <wallet/rpc/spend_util.h>
#include <wallet/rpc/util.h>
#include <wallet/spend.h>
#include <wallet/wallet.h>

#include <string>
#include <vector>

namespace wallet {

namespace {

std::vector<Arg> FundRawOptionsDoc(bool psbt)
{
    std::vector<Arg> head{
        {"add_inputs", ArgType::BOOL,
         psbt ? rpc::ArgFallback{DefaultHint{"false when \"inputs\" are specified, true otherwise"}}
              : rpc::ArgFallback{Json(true)},
         psbt ? "Automatically include coins from the wallet to cover the target amount.\n"
              : "For a transaction with existing inputs, automatically include more if they are "
                "not enough."},
        IncludeUnsafeArg(),
        {"minconf", ArgType::NUM, Json(0),
         "If add_inputs is specified, require inputs with at least this many confirmations."},
        {"maxconf", ArgType::NUM, ArgOptional::OMITTED,
         "If add_inputs is specified, require inputs with at most this many confirmations."},
        {"changeAddress", ArgType::STR, DefaultHint{"automatic"},
         "The bitcoin address to receive the change"},
        {"changePosition", ArgType::NUM, DefaultHint{"random"}, "The index of the change output"},
        {"change_type", ArgType::STR, DefaultHint{"set by -changetype"},
         "The output type to use. Only valid if changeAddress is not specified. Options are "
         "\"legacy\", \"p2sh-segwit\", \"bech32\", and \"bech32m\"."},
        psbt ? IncludeWatchingArg("includeWatching", "")
             : IncludeWatchingArg("includeWatching", WATCHING_TAIL),
        {"lockUnspents", ArgType::BOOL, Json(false), "Lock selected unspent outputs"},
        FeeRateArg(),
        {"feeRate", ArgType::AMOUNT, DefaultHint{"not set, fall back to wallet fee estimation"},
         "Specify a fee rate in BTC/kvB."},
        {"subtractFeeFromOutputs",
         ArgType::ARR,
         Json::array(),
         std::string{psbt ? "The outputs to subtract the fee from.\n" : "The integers.\n"} +
             "The fee will be equally deducted from the amount of each specified output.\n"
             "Those recipients will receive less bitcoins than you enter in their corresponding "
             "amount field.\n"
             "If no outputs are specified here, the sender pays the fee.",
         {{"vout_index", ArgType::NUM, ArgOptional::OMITTED,
           "The zero-based output index, before a change output is added."}}},
    };
    if (!psbt) {
        head.push_back(
            {"input_weights",
             ArgType::ARR,
             ArgOptional::OMITTED,
             "Inputs and their corresponding weights",
             {{"",
               ArgType::OBJ,
               ArgOptional::OMITTED,
               "",
               {{"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id"},
                {"vout", ArgType::NUM, ArgOptional::NO, "The output index"},
                {"weight", ArgType::NUM, ArgOptional::NO,
                 "The maximum weight for this input, including the weight of the outpoint and "
                 "sequence number. Note that serialized signature sizes are not guaranteed to be "
                 "consistent, so the maximum DER signatures size of 73 bytes should be used when "
                 "considering ECDSA signatures.Remember to convert serialized sizes to weight "
                 "units when necessary."}}}}});
    }
    head.push_back(MaxTxWeightArg());
    return ConcatArgs(std::move(head), FundTxDoc());
}

std::vector<ResultDoc> FundedResults(const char* first_key, ResultType first_type,
                                     const char* first_doc)
{
    return {ResultDoc{
        ResultType::OBJ,
        "",
        "",
        {{first_type, first_key, first_doc},
         {ResultType::STR_AMOUNT, "fee", "Fee in BTC the resulting transaction pays"},
         {ResultType::NUM, "changepos", "The position of the added change output, or -1"}}}};
}

} // namespace

Method FundRawTransactionMethod(WalletManager& manager)
{
    return Method{
        "fundrawtransaction",
        "rawtransactions",
        "\nIf the transaction has no inputs, they will be automatically selected to meet its "
        "out value.\n"
        "It will add at most one change output to the outputs.\n"
        "No existing outputs will be modified unless \"subtractFeeFromOutputs\" is specified.\n"
        "Note that inputs which were signed may need to be resigned after completion since "
        "in/outputs have been added.\n"
        "The inputs added will not be signed, use signrawtransactionwithkey\n"
        "or signrawtransactionwithwallet for that.\n"
        "All existing inputs must either have their previous output transaction be in the "
        "wallet\n"
        "or be in the UTXO set. Solving data must be provided for non-wallet inputs.\n"
        "Note that all inputs selected must be of standard form and P2SH scripts must be\n"
        "in the wallet using importaddress or addmultisigaddress (to calculate fees).\n"
        "You can see whether this is the case by checking the \"solvable\" field in the "
        "listunspent output.\n"
        "Only pay-to-pubkey, multisig, and P2SH versions thereof are currently supported for "
        "watch-only\n",
        {
            {"hexstring", ArgType::STR_HEX, ArgOptional::NO,
             "The hex string of the raw transaction"},
            {"options", ArgType::OBJ_NAMED_PARAMS, ArgOptional::OMITTED,
             "For backward compatibility: passing in a true instead of an object will result in "
             "{\"includeWatching\":true}",
             FundRawOptionsDoc(false),
             rpc::ArgOptions{.skip_type_check = true, .oneline_description = "options"}},
            {"iswitness", ArgType::BOOL, DefaultHint{"depends on heuristic tests"},
             "Whether the transaction hex is a serialized witness transaction.\n"
             "If iswitness is not present, heuristic tests will be used in decoding.\n"
             "If true, only witness deserialization will be tried.\n"
             "If false, only non-witness deserialization will be tried.\n"
             "This boolean should reflect whether the transaction has inputs\n"
             "(e.g. fully valid, or on-chain transactions), if known by the caller."},
        },
        FundedResults("hex", ResultType::STR_HEX,
                      "The resulting raw transaction (hex-encoded string)"),
        "\nCreate a transaction with no inputs\n" +
            HelpExampleCli("createrawtransaction", "\"[]\" \"{\\\"myaddress\\\":0.01}\"") +
            "\nAdd sufficient unsigned inputs to meet the output value\n" +
            HelpExampleCli("fundrawtransaction", "\"rawtransactionhex\"") +
            "\nSign the transaction\n" +
            HelpExampleCli("signrawtransactionwithwallet", "\"fundedtransactionhex\"") +
            "\nSend the transaction\n" +
            HelpExampleCli("sendrawtransaction", "\"signedtransactionhex\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            const Json& iswitness = request.Param(2);
            const bool try_witness = iswitness.is_null() ? true : iswitness.get<bool>();
            const bool try_no_witness = iswitness.is_null() ? true : !iswitness.get<bool>();
            const auto decoded = rpc::DecodeHexTx(request.Param(0), try_no_witness, try_witness);
            if (!decoded) ThrowRpc(rpc::RPC_DESERIALIZATION_ERROR, "TX decode failed");
            const consensus::MutableTransaction& tx = *decoded;

            Json options = request.Param(1);
            if (options.is_boolean()) {
                // Core's pre-0.17 form: a bool meant includeWatching.
                options = Json{{"includeWatching", options.get<bool>()}};
            } else if (!options.is_null() && !options.is_object()) {
                ThrowRpc(rpc::RPC_TYPE_ERROR, "JSON value of type " +
                                                  std::string{rpc::JsonTypeName(options)} +
                                                  " is not of expected type object");
            }

            std::vector<ParsedOutput> outputs;
            for (const auto& out : tx.vout)
                outputs.push_back({"dummy", out});
            const std::vector<std::string> dummy(outputs.size(), "dummy");
            const auto recipients = MakeRecipients(
                outputs,
                ParseSubtractFeeParam(OptionField(options, "subtractFeeFromOutputs"), dummy));

            wallet->BlockUntilSyncedToCurrentChain();
            CoinControl control;
            control.add_inputs = true;
            for (const auto& in : tx.vin)
                control.inputs.push_back(in.prevout);
            control.locktime = tx.locktime;
            const auto fund = ReadFundOptions(*wallet, options, recipients.size(), control);
            control.sign = false;
            auto created = FundTransaction(*wallet, recipients, control, fund.lock_unspents);

            // The caller's inputs keep their scripts and sequences, as Core keeps them.
            for (auto& in : created.tx.vin) {
                for (const auto& original : tx.vin) {
                    if (original.prevout != in.prevout) continue;
                    in.script_sig = original.script_sig;
                    in.witness = original.witness;
                    in.sequence = original.sequence;
                }
            }
            created.tx.version = tx.version;

            Json result = Json::object();
            result["hex"] = EncodeTxHex(created.tx);
            result["fee"] = rpc::AmountToJson(created.fee);
            result["changepos"] =
                created.change_position ? static_cast<int>(*created.change_position) : -1;
            return result;
        }};
}

/// The description of walletcreatefundedpsbt's options (shared with wallet_spend_psbt.cpp).
std::vector<rpc::Arg> WalletCreateFundedPsbtOptionsDoc()
{
    return FundRawOptionsDoc(true);
}

/// fundrawtransaction-style result docs (shared with wallet_spend_psbt.cpp).
std::vector<rpc::ResultDoc> FundedPsbtResults()
{
    return FundedResults("psbt", ResultType::STR,
                         "The resulting raw transaction (base64-encoded string)");
}

} // namespace wallet
