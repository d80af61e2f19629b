// Wallet spending RPCs that build and send transactions: sendtoaddress, sendmany, send,
// sendall and fundrawtransaction, with Bitcoin Core v28's arguments, checks, errors and
// results. The PSBT, signing and fee-bumping methods are in wallet_spend_psbt.cpp,
// fundrawtransaction in wallet_spend_fund.cpp.
#include <common/chainparams.h>
#include <common/key_io.h>
#include <consensus/script/sighash.h>
#include <rpc/dispatch.h>
#include <rpc/method.h>
#include <rpc/protocol.h>
#include <rpc/util.h>
#include <wallet/context.h>
#include <wallet/rpc/register.h>
#include <wallet/rpc/rpc_names.h>
#include <wallet/rpc/spend_util.h>
#include <wallet/rpc/util.h>
#include <wallet/spend.h>
#include <wallet/wallet.h>

#include <algorithm>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace wallet {

namespace {

constexpr const char* EXAMPLE_ADDRESS_1{"bc1q02ad21edsxd23d32dfgqqsz4vv4nmtfzuklhy3"};

std::optional<std::string> NonEmptyString(const Json& value)
{
    if (value.is_string() && !value.get_ref<const std::string&>().empty()) {
        return value.get<std::string>();
    }
    return std::nullopt;
}

// Core's SendMoney (sendtoaddress, sendmany): build, sign and commit, or -6 with the builder's
// message. A mempool rejection after the wallet stored the transaction still answers its txid.
Json SendMoney(Wallet& wallet, const CoinControl& control, std::vector<Recipient> recipients,
               const std::optional<std::string>& comment,
               const std::optional<std::string>& comment_to, bool verbose)
{
    EnsureWalletIsUnlocked(wallet);
    EnsurePrivateKeysEnabled(wallet);
    // Core shuffles so the output order does not reveal which one is the payment.
    std::shuffle(recipients.begin(), recipients.end(), std::mt19937_64{std::random_device{}()});
    CoinControl signing = control;
    signing.sign = true;
    auto created = CreateTransaction(wallet, recipients, signing);
    if (!created) ThrowRpc(RPC_WALLET_INSUFFICIENT_FUNDS, created.error().message);
    std::map<std::string, std::string> map_value;
    if (comment) map_value["comment"] = *comment;
    if (comment_to) map_value["to"] = *comment_to;
    const auto tx = consensus::MakeTransactionRef(std::move(created.value().tx));
    (void)wallet.CommitTransaction(tx, std::move(map_value));
    if (verbose) {
        Json entry = Json::object();
        entry["txid"] = tx->GetHash().GetHex();
        entry["fee_reason"] = created.value().fee_choice.reason;
        return entry;
    }
    return tx->GetHash().GetHex();
}

std::vector<ResultDoc> TxidResults(const std::string& txid_doc)
{
    return {
        ResultDoc{"if verbose is not set or set to false", ResultType::STR_HEX, "txid", txid_doc},
        ResultDoc{"if verbose is set to true",
                  ResultType::OBJ,
                  "",
                  "",
                  {{ResultType::STR_HEX, "txid", txid_doc},
                   {ResultType::STR, "fee_reason", "The transaction fee reason."}}},
    };
}

std::vector<ResultDoc> SendResults()
{
    return {ResultDoc{
        ResultType::OBJ,
        "",
        "",
        {{ResultType::BOOL, "complete", "If the transaction has a complete set of signatures"},
         {ResultType::STR_HEX, "txid", true,
          "The transaction id for the send. Only 1 transaction is created regardless of the "
          "number of addresses."},
         {ResultType::STR_HEX, "hex", true,
          "If add_to_wallet is false, the hex-encoded raw transaction with signature(s)"},
         {ResultType::STR, "psbt", true,
          "If more signatures are needed, or if add_to_wallet is false, the base64-encoded "
          "(partially) signed transaction"}}}};
}

// ---- sendtoaddress ----------------------------------------------------------

Method SendToAddress(WalletManager& manager)
{
    const std::string a0{EXAMPLE_ADDRESS};
    return Method{
        "sendtoaddress",
        "wallet",
        "\nSend an amount to a given address." + std::string{HELP_REQUIRING_PASSPHRASE},
        {
            {"address", ArgType::STR, ArgOptional::NO, "The bitcoin address to send to."},
            {"amount", ArgType::AMOUNT, ArgOptional::NO, "The amount in BTC to send. eg 0.1"},
            {"comment", ArgType::STR, ArgOptional::OMITTED,
             "A comment used to store what the transaction is for.\n"
             "This is not part of the transaction, just kept in your wallet."},
            {"comment_to", ArgType::STR, ArgOptional::OMITTED,
             "A comment to store the name of the person or organization\n"
             "to which you're sending the transaction. This is not part of the \n"
             "transaction, just kept in your wallet."},
            {"subtractfeefromamount", ArgType::BOOL, Json(false),
             "The fee will be deducted from the amount being sent.\n"
             "The recipient will receive less bitcoins than you enter in the amount field."},
            {"replaceable", ArgType::BOOL, DefaultHint{"wallet default"},
             "Signal that this transaction can be replaced by a transaction (BIP 125)"},
            ConfTargetArg(),
            EstimateModeArg(),
            {"avoid_reuse", ArgType::BOOL, Json(true),
             "(only available if avoid_reuse wallet flag is set) Avoid spending from dirty "
             "addresses; addresses are considered\n"
             "dirty if they have previously been used in a transaction. If true, this also "
             "activates avoidpartialspends, grouping outputs by their addresses."},
            FeeRateArg(),
            {"verbose", ArgType::BOOL, Json(false),
             "If true, return extra information about the transaction."},
        },
        TxidResults("The transaction id."),
        "\nSend 0.1 BTC\n" + HelpExampleCli("sendtoaddress", "\"" + a0 + "\" 0.1") +
            "\nSend 0.1 BTC with a confirmation target of 6 blocks in economical fee estimate "
            "mode using positional arguments\n" +
            HelpExampleCli("sendtoaddress", "\"" + a0 +
                                                "\" 0.1 \"donation\" \"sean's outpost\" false "
                                                "true 6 economical") +
            "\nSend 0.1 BTC with a fee rate of 1.1 sat/vB, subtract fee from amount, "
            "BIP125-replaceable, using positional arguments\n" +
            HelpExampleCli("sendtoaddress",
                           "\"" + a0 +
                               "\" 0.1 \"drinks\" \"room77\" true true null \"unset\" "
                               "null 1.1") +
            "\nSend 0.2 BTC with a confirmation target of 6 blocks in economical fee estimate "
            "mode using named arguments\n" +
            HelpExampleCli("-named sendtoaddress", "address=\"" + a0 +
                                                       "\" amount=0.2 conf_target=6 "
                                                       "estimate_mode=\"economical\"") +
            "\nSend 0.5 BTC with a fee rate of 25 sat/vB using named arguments\n" +
            HelpExampleCli("-named sendtoaddress",
                           "address=\"" + a0 + "\" amount=0.5 fee_rate=25") +
            HelpExampleCli("-named sendtoaddress",
                           "address=\"" + a0 +
                               "\" amount=0.5 fee_rate=25 subtractfeefromamount=false "
                               "replaceable=true avoid_reuse=true comment=\"2 pizzas\" "
                               "comment_to=\"jeremy\" verbose=true"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            const std::lock_guard spending{wallet->SpendMutex()};
            wallet->BlockUntilSyncedToCurrentChain();
            const auto comment = NonEmptyString(request.Param(2));
            const auto comment_to = NonEmptyString(request.Param(3));
            CoinControl control;
            if (!request.Param(5).is_null()) control.signal_rbf = request.Param(5).get<bool>();
            control.avoid_reuse = AvoidReuseFlag(*wallet, request.Param(8));
            SetFeeEstimateMode(request.Param(6), request.Param(7), request.Param(9), control);
            EnsureWalletIsUnlocked(*wallet);

            Json address_amounts = Json::object();
            address_amounts[request.Param(0).get<std::string>()] = request.Param(1);
            std::set<size_t> subtract;
            if (request.Param(4).is_boolean() && request.Param(4).get<bool>()) subtract.insert(0);
            const auto outputs = ParseOutputsParam(address_amounts, wallet->Chain().Params());
            const bool verbose = request.Param(10).is_boolean() && request.Param(10).get<bool>();
            return SendMoney(*wallet, control, MakeRecipients(outputs, subtract), comment,
                             comment_to, verbose);
        }};
}

// ---- sendmany -----------------------------------------------------------------

Method SendMany(WalletManager& manager)
{
    const std::string a0{EXAMPLE_ADDRESS};
    const std::string a1{EXAMPLE_ADDRESS_1};
    const std::string txid_doc{"The transaction id for the send. Only 1 transaction is created "
                               "regardless of\nthe number of addresses."};
    const std::string two_amounts{"\"{\\\"" + a0 + "\\\":0.01,\\\"" + a1 + "\\\":0.02}\""};
    return Method{
        "sendmany",
        "wallet",
        "\nSend multiple times. Amounts are double-precision floating point numbers." +
            std::string{HELP_REQUIRING_PASSPHRASE},
        {
            {"dummy",
             ArgType::STR,
             Json("\"\""),
             "Must be set to \"\" for backwards compatibility.",
             {},
             rpc::ArgOptions{.oneline_description = "\"\""}},
            {"amounts",
             ArgType::OBJ_USER_KEYS,
             ArgOptional::NO,
             "The addresses and amounts",
             {{"address", ArgType::AMOUNT, ArgOptional::NO,
               "The bitcoin address is the key, the numeric amount (can be string) in BTC is the "
               "value"}}},
            {"minconf", ArgType::NUM, ArgOptional::OMITTED, "Ignored dummy value"},
            {"comment", ArgType::STR, ArgOptional::OMITTED, "A comment"},
            {"subtractfeefrom",
             ArgType::ARR,
             ArgOptional::OMITTED,
             "The addresses.\n"
             "The fee will be equally deducted from the amount of each selected address.\n"
             "Those recipients will receive less bitcoins than you enter in their corresponding "
             "amount field.\n"
             "If no addresses are specified here, the sender pays the fee.",
             {{"address", ArgType::STR, ArgOptional::OMITTED, "Subtract fee from this address"}}},
            {"replaceable", ArgType::BOOL, DefaultHint{"wallet default"},
             "Signal that this transaction can be replaced by a transaction (BIP 125)"},
            ConfTargetArg(),
            EstimateModeArg(),
            FeeRateArg(),
            {"verbose", ArgType::BOOL, Json(false),
             "If true, return extra information about the transaction."},
        },
        TxidResults(txid_doc),
        "\nSend two amounts to two different addresses:\n" +
            HelpExampleCli("sendmany", "\"\" " + two_amounts) +
            "\nSend two amounts to two different addresses setting the confirmation and "
            "comment:\n" +
            HelpExampleCli("sendmany", "\"\" " + two_amounts + " 6 \"testing\"") +
            "\nSend two amounts to two different addresses, subtract fee from amount:\n" +
            HelpExampleCli("sendmany", "\"\" " + two_amounts + " 1 \"\" \"[\\\"" + a0 +
                                           "\\\",\\\"" + a1 + "\\\"]\"") +
            "\nAs a JSON-RPC call\n" +
            HelpExampleRpc("sendmany",
                           "\"\", {\"" + a0 + "\":0.01,\"" + a1 + "\":0.02}, 6, \"testing\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            const std::lock_guard spending{wallet->SpendMutex()};
            wallet->BlockUntilSyncedToCurrentChain();
            if (!request.Param(0).is_null() && !request.Param(0).get<std::string>().empty()) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Dummy value must be set to \"\"");
            }
            const Json& amounts = request.Param(1);
            const auto comment = NonEmptyString(request.Param(3));
            CoinControl control;
            if (!request.Param(5).is_null()) control.signal_rbf = request.Param(5).get<bool>();
            SetFeeEstimateMode(request.Param(6), request.Param(7), request.Param(8), control);

            const auto outputs = ParseOutputsParam(amounts, wallet->Chain().Params());
            std::vector<std::string> keys;
            for (const auto& output : outputs)
                keys.push_back(output.key);
            const auto subtract = ParseSubtractFeeParam(request.Param(4), keys);
            const bool verbose = request.Param(9).is_boolean() && request.Param(9).get<bool>();
            return SendMoney(*wallet, control, MakeRecipients(outputs, subtract), comment,
                             std::nullopt, verbose);
        }};
}

// ---- send -------------------------------------------------------------------------

std::vector<Arg> SendInputsDoc(bool with_weight)
{
    std::vector<Arg> fields{
        {"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id"},
        {"vout", ArgType::NUM, ArgOptional::NO, "The output number"},
        {"sequence", ArgType::NUM,
         DefaultHint{"depends on the value of the 'replaceable' and 'locktime' arguments"},
         "The sequence number"},
    };
    if (with_weight) {
        fields.push_back(
            {"weight", ArgType::NUM, DefaultHint{"Calculated from wallet and solving data"},
             "The maximum weight for this input, including the weight of the outpoint and "
             "sequence number. Note that signature sizes are not guaranteed to be consistent, so "
             "the maximum DER signatures size of 73 bytes should be used when considering ECDSA "
             "signatures.Remember to convert serialized sizes to weight units when necessary."});
    }
    return {{"", ArgType::OBJ, ArgOptional::OMITTED, "", std::move(fields)}};
}

// Resolves the options of send/sendall against their positional fee arguments.
Json SendOptions(const Request& request)
{
    Json options = request.Param(4).is_null() ? Json::object() : request.Param(4);
    if (!options.is_object()) {
        ThrowRpc(rpc::RPC_TYPE_ERROR, "JSON value of type " +
                                          std::string{rpc::JsonTypeName(options)} +
                                          " is not of expected type object");
    }
    MergeFeeArgsIntoOptions(request.Param(1), request.Param(2), request.Param(3), options);
    RefuseOutdatedOptions(options);
    return options;
}

Method Send(WalletManager& manager)
{
    const std::string a0{EXAMPLE_ADDRESS};
    return Method{
        "send",
        "wallet",
        "\nEXPERIMENTAL warning: this call may be changed in future releases.\n\n"
        "Send a transaction.\n",
        {
            {"outputs", ArgType::ARR, ArgOptional::NO,
             "The outputs specified as key-value pairs.\n"
             "Each key may only appear once, i.e. there can only be one 'data' output, and no "
             "address may be duplicated.\n"
             "At least one output of either type must be specified.\n"
             "For convenience, a dictionary, which holds the key-value pairs directly, is also "
             "accepted.",
             OutputsDoc(), rpc::ArgOptions{.skip_type_check = true}},
            ConfTargetArg(),
            EstimateModeArg(),
            FeeRateArg(),
            {"options", ArgType::OBJ_NAMED_PARAMS, ArgOptional::OMITTED, "",
             ConcatArgs(
                 {
                     {"add_inputs", ArgType::BOOL,
                      DefaultHint{"false when \"inputs\" are specified, true otherwise"},
                      "Automatically include coins from the wallet to cover the target amount.\n"},
                     IncludeUnsafeArg(),
                     {"minconf", ArgType::NUM, Json(0),
                      "If add_inputs is specified, require inputs with at least this many "
                      "confirmations."},
                     {"maxconf", ArgType::NUM, ArgOptional::OMITTED,
                      "If add_inputs is specified, require inputs with at most this many "
                      "confirmations."},
                     {"add_to_wallet", ArgType::BOOL, Json(true),
                      "When false, returns a serialized transaction which will not be added to "
                      "the wallet or broadcast"},
                     {"change_address", ArgType::STR, DefaultHint{"automatic"},
                      "The bitcoin address to receive the change"},
                     {"change_position", ArgType::NUM, DefaultHint{"random"},
                      "The index of the change output"},
                     {"change_type", ArgType::STR, DefaultHint{"set by -changetype"},
                      "The output type to use. Only valid if change_address is not specified. "
                      "Options are \"legacy\", \"p2sh-segwit\", \"bech32\" and \"bech32m\"."},
                     FeeRateArg(),
                     IncludeWatchingArg("include_watching", WATCHING_TAIL),
                     {"inputs", ArgType::ARR, Json::array(),
                      "Specify inputs instead of adding them automatically. A JSON array of JSON "
                      "objects",
                      SendInputsDoc(true)},
                     {"locktime", ArgType::NUM, Json(0),
                      "Raw locktime. Non-0 value also locktime-activates inputs"},
                     {"lock_unspents", ArgType::BOOL, Json(false), "Lock selected unspent outputs"},
                     {"psbt", ArgType::BOOL, DefaultHint{"automatic"},
                      "Always return a PSBT, implies add_to_wallet=false."},
                     {"subtract_fee_from_outputs",
                      ArgType::ARR,
                      Json::array(),
                      "Outputs to subtract the fee from, specified as integer indices.\n"
                      "The fee will be equally deducted from the amount of each specified "
                      "output.\n"
                      "Those recipients will receive less bitcoins than you enter in their "
                      "corresponding amount field.\n"
                      "If no outputs are specified here, the sender pays the fee.",
                      {{"vout_index", ArgType::NUM, ArgOptional::OMITTED,
                        "The zero-based output index, before a change output is added."}}},
                     MaxTxWeightArg(),
                 },
                 FundTxDoc()),
             rpc::ArgOptions{.oneline_description = "options"}},
        },
        SendResults(),
        "\nSend 0.1 BTC with a confirmation target of 6 blocks in economical fee estimate mode\n" +
            HelpExampleCli("send", "'{\"" + a0 + "\": 0.1}' 6 economical\n") +
            "Send 0.2 BTC with a fee rate of 1.1 sat/vB using positional arguments\n" +
            HelpExampleCli("send", "'{\"" + a0 + "\": 0.2}' null \"unset\" 1.1\n") +
            "Send 0.2 BTC with a fee rate of 1 sat/vB using the options argument\n" +
            HelpExampleCli("send", "'{\"" + a0 +
                                       "\": 0.2}' null \"unset\" null '{\"fee_rate\": "
                                       "1}'\n") +
            "Send 0.3 BTC with a fee rate of 25 sat/vB using named arguments\n" +
            HelpExampleCli("-named send", "outputs='{\"" + a0 + "\": 0.3}' fee_rate=25\n") +
            "Create a transaction that should confirm the next block, with a specific input, and "
            "return result without adding to wallet or broadcasting to the network\n" +
            HelpExampleCli("send", "'{\"" + a0 +
                                       "\": 0.1}' 1 economical '{\"add_to_wallet\": false, "
                                       "\"inputs\": "
                                       "[{\"txid\":\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b56"
                                       "55e72f463568df1aadf0\", \"vout\":1}]}'"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            const std::lock_guard spending{wallet->SpendMutex()};
            Json options = SendOptions(request);
            const Json& replaceable = OptionField(options, "replaceable");
            const bool rbf =
                replaceable.is_boolean() ? replaceable.get<bool>() : wallet->Settings().signal_rbf;
            const auto outputs = ParseOutputsParam(request.Param(0), wallet->Chain().Params());
            std::vector<std::string> keys;
            for (const auto& output : outputs)
                keys.push_back(output.key);
            const auto recipients = MakeRecipients(
                outputs,
                ParseSubtractFeeParam(OptionField(options, "subtract_fee_from_outputs"), keys));
            consensus::MutableTransaction requested;
            ParseInputsParam(OptionField(options, "inputs"), OptionField(options, "locktime"), rbf,
                             requested);
            for (const Json& input : OptionField(options, "inputs")) {
                if (input.is_object() && input.contains("weight")) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "Option input weight is not supported yet");
                }
            }

            wallet->BlockUntilSyncedToCurrentChain();
            CoinControl control;
            control.add_inputs = requested.vin.empty();
            for (const auto& in : requested.vin)
                control.inputs.push_back(in.prevout);
            control.signal_rbf = rbf;
            if (!OptionField(options, "locktime").is_null()) control.locktime = requested.locktime;
            const auto fund = ReadFundOptions(*wallet, options, recipients.size(), control);
            control.sign = false;
            auto created = FundTransaction(*wallet, recipients, control, fund.lock_unspents);
            ApplyInputSequences(requested, created.tx);
            return FinishTransaction(*wallet, options, created.tx);
        }};
}

// ---- sendall ------------------------------------------------------------------------

std::string OutpointText(const consensus::OutPoint& outpoint)
{
    return outpoint.hash.GetHex() + ":" + std::to_string(outpoint.n);
}

// Core's sendall answers its own failures with these codes; CreateSendAll carries the message.
[[noreturn]] void ThrowSendAllError(const std::string& message)
{
    const auto starts = [&](const char* prefix) { return message.rfind(prefix, 0) == 0; };
    if (starts("Total value of UTXO pool too low") ||
        starts("Assigned more value to outputs than available funds") ||
        starts("Insufficient funds") || starts("Dynamically assigned remainder")) {
        ThrowRpc(RPC_WALLET_INSUFFICIENT_FUNDS, message);
    }
    if (starts("Specified output amount to") || starts("Fee rate (") || starts("Invalid") ||
        starts("Cannot") || starts("Input not")) {
        ThrowRpc(rpc::RPC_INVALID_PARAMETER, message);
    }
    ThrowRpc(RPC_WALLET_ERROR, message);
}

Method SendAll(WalletManager& manager)
{
    const std::string a0{EXAMPLE_ADDRESS};
    const std::string a1{EXAMPLE_ADDRESS_1};
    return Method{
        "sendall",
        "wallet",
        "\nEXPERIMENTAL warning: this call may be changed in future releases.\n\n"
        "Spend the value of all (or specific) confirmed UTXOs and unconfirmed change in the "
        "wallet to one or more recipients.\n"
        "Unconfirmed inbound UTXOs and locked UTXOs will not be spent. Sendall will respect the "
        "avoid_reuse wallet flag.\n"
        "If your wallet contains many small inputs, either because it received tiny payments or "
        "as a result of accumulating change, consider using `send_max` to exclude inputs that "
        "are worth less than the fees needed to spend them.\n",
        {
            {"recipients",
             ArgType::ARR,
             ArgOptional::NO,
             "The sendall destinations. Each address may only appear once.\n"
             "Optionally some recipients can be specified with an amount to perform payments, "
             "but at least one address must appear without a specified amount.\n",
             {
                 {"address", ArgType::STR, ArgOptional::NO,
                  "A bitcoin address which receives an equal share of the unspecified amount."},
                 {"",
                  ArgType::OBJ_USER_KEYS,
                  ArgOptional::OMITTED,
                  "",
                  {{"address", ArgType::AMOUNT, ArgOptional::NO,
                    "A key-value pair. The key (string) is the bitcoin address, the value (float "
                    "or string) is the amount in BTC"}}},
             }},
            ConfTargetArg(),
            EstimateModeArg(),
            FeeRateArg(),
            {"options", ArgType::OBJ_NAMED_PARAMS, ArgOptional::OMITTED, "",
             ConcatArgs(
                 {
                     {"add_to_wallet", ArgType::BOOL, Json(true),
                      "When false, returns the serialized transaction without broadcasting or "
                      "adding it to the wallet"},
                     FeeRateArg(),
                     {"include_watching", ArgType::BOOL,
                      DefaultHint{"true for watch-only wallets, otherwise false"},
                      std::string{"Also select inputs which are watch-only"} + WATCHING_TAIL},
                     {"inputs", ArgType::ARR, Json::array(),
                      "Use exactly the specified inputs to build the transaction. Specifying "
                      "inputs is incompatible with the send_max, minconf, and maxconf options.",
                      SendInputsDoc(false)},
                     {"locktime", ArgType::NUM, Json(0),
                      "Raw locktime. Non-0 value also locktime-activates inputs"},
                     {"lock_unspents", ArgType::BOOL, Json(false), "Lock selected unspent outputs"},
                     {"psbt", ArgType::BOOL, DefaultHint{"automatic"},
                      "Always return a PSBT, implies add_to_wallet=false."},
                     {"send_max", ArgType::BOOL, Json(false),
                      "When true, only use UTXOs that can pay for their own fees to maximize the "
                      "output amount. When 'false' (default), no UTXO is left behind. send_max "
                      "is incompatible with providing specific inputs."},
                     {"minconf", ArgType::NUM, Json(0),
                      "Require inputs with at least this many confirmations."},
                     {"maxconf", ArgType::NUM, ArgOptional::OMITTED,
                      "Require inputs with at most this many confirmations."},
                 },
                 FundTxDoc()),
             rpc::ArgOptions{.oneline_description = "options"}},
        },
        SendResults(),
        "\nSpend all UTXOs from the wallet with a fee rate of 1\xc2\xa0sat/vB using named "
        "arguments\n" +
            HelpExampleCli("-named sendall", "recipients='[\"" + a0 + "\"]' fee_rate=1\n") +
            "Spend all UTXOs with a fee rate of 1.1 sat/vB using positional arguments\n" +
            HelpExampleCli("sendall", "'[\"" + a0 + "\"]' null \"unset\" 1.1\n") +
            "Spend all UTXOs split into equal amounts to two addresses with a fee rate of 1.5 "
            "sat/vB using the options argument\n" +
            HelpExampleCli("sendall", "'[\"" + a0 + "\", \"" + a1 +
                                          "\"]' null \"unset\" null '{\"fee_rate\": 1.5}'\n") +
            "Leave dust UTXOs in wallet, spend only UTXOs with positive effective value with a "
            "fee rate of 10 sat/vB using the options argument\n" +
            HelpExampleCli("sendall", "'[\"" + a0 +
                                          "\"]' null \"unset\" null '{\"fee_rate\": 10, "
                                          "\"send_max\": true}'\n") +
            "Spend all UTXOs with a fee rate of 1.3 sat/vB using named arguments and sending a "
            "0.25 BTC to another recipient\n" +
            HelpExampleCli("-named sendall",
                           "recipients='[{\"" + a1 + "\": 0.25}, \"" + a0 + "\"]' fee_rate=1.3\n"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            const std::lock_guard spending{wallet->SpendMutex()};
            wallet->BlockUntilSyncedToCurrentChain();
            Json options = SendOptions(request);

            // Addresses given without an amount share the remainder; Core writes them as
            // {address: 0} pairs, so the outputs parser sees every recipient once.
            Json pairs = Json::array();
            size_t without_amount{0};
            for (const Json& recipient : request.Param(0)) {
                if (recipient.is_string()) {
                    pairs.push_back(Json{{recipient.get<std::string>(), 0}});
                    ++without_amount;
                } else {
                    pairs.push_back(recipient);
                }
            }
            if (without_amount == 0) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                         "Must provide at least one address without a specified amount");
            }

            CoinControl control;
            SetFeeEstimateMode(OptionField(options, "conf_target"),
                               OptionField(options, "estimate_mode"),
                               OptionField(options, "fee_rate"), control);
            if (!OptionField(options, "minconf").is_null()) {
                const int64_t minconf = rpc::IntFromJson(options["minconf"]);
                if (minconf < 0) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "Invalid minconf (minconf cannot be negative): " +
                                 std::to_string(minconf));
                }
                control.min_depth = static_cast<int>(minconf);
            }
            if (!OptionField(options, "maxconf").is_null()) {
                control.max_depth = static_cast<int>(rpc::IntFromJson(options["maxconf"]));
                if (control.max_depth < control.min_depth) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER, "maxconf can't be lower than minconf: " +
                                                             std::to_string(control.max_depth) +
                                                             " < " +
                                                             std::to_string(control.min_depth));
                }
            }
            const Json& replaceable = OptionField(options, "replaceable");
            const bool rbf =
                replaceable.is_boolean() ? replaceable.get<bool>() : wallet->Settings().signal_rbf;
            control.signal_rbf = rbf;

            const auto fee = ChooseFeeRate(*wallet, control);
            if (!fee) {
                const auto& message = fee.error().message;
                ThrowRpc(message.rfind("Fee estimation failed", 0) == 0
                             ? RPC_WALLET_ERROR
                             : rpc::RPC_INVALID_PARAMETER,
                         message);
            }

            const auto outputs = ParseOutputsParam(pairs, wallet->Chain().Params());
            consensus::MutableTransaction requested;
            ParseInputsParam(OptionField(options, "inputs"), OptionField(options, "locktime"), rbf,
                             requested);
            if (!OptionField(options, "locktime").is_null()) control.locktime = requested.locktime;

            const bool has_inputs = !OptionField(options, "inputs").is_null();
            const bool send_max =
                OptionField(options, "send_max").is_boolean() && options["send_max"].get<bool>();
            if (has_inputs && !OptionField(options, "send_max").is_null()) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                         "Cannot combine send_max with specific inputs.");
            }
            if (has_inputs && (!OptionField(options, "minconf").is_null() ||
                               !OptionField(options, "maxconf").is_null())) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                         "Cannot combine minconf or maxconf with specific inputs.");
            }
            if (has_inputs) {
                for (const auto& in : requested.vin) {
                    if (wallet->IsSpent(in.prevout)) {
                        ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Input not available. UTXO (" +
                                                                 OutpointText(in.prevout) +
                                                                 ") was already spent.");
                    }
                    const auto out = wallet->GetWalletOutput(in.prevout);
                    if (!out || !wallet->IsMine(out->script_pubkey)) {
                        ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Input not found. UTXO (" +
                                                                 OutpointText(in.prevout) +
                                                                 ") is not part of wallet.");
                    }
                    control.inputs.push_back(in.prevout);
                }
            } else if (send_max) {
                // Leave out coins that cost more to spend than they are worth at this rate.
                CoinFilter filter;
                filter.min_depth = control.min_depth;
                filter.max_depth = control.max_depth;
                for (const auto& coin : wallet->AvailableCoins(filter)) {
                    const consensus::Amount input_fee =
                        coin.input_vsize < 0
                            ? 0
                            : fee.value().fee_rate_per_kvb * coin.input_vsize / 1000;
                    if (input_fee > coin.txout.value) continue;
                    control.inputs.push_back(coin.outpoint);
                }
                if (control.inputs.empty()) {
                    ThrowRpc(RPC_WALLET_INSUFFICIENT_FUNDS,
                             "Total value of UTXO pool too low to pay for transaction, try using "
                             "lower feerate.");
                }
            }

            std::vector<Recipient> recipients = MakeRecipients(outputs, {});
            control.sign = false;
            auto created = CreateSendAll(*wallet, recipients, control);
            if (!created) ThrowSendAllError(created.error().message);
            ApplyInputSequences(requested, created.value().tx);
            const bool lock_unspents = OptionField(options, "lock_unspents").is_boolean() &&
                                       options["lock_unspents"].get<bool>();
            if (lock_unspents) {
                for (const auto& in : created.value().tx.vin)
                    (void)wallet->LockCoin(in.prevout, /*persistent=*/false);
            }
            return FinishTransaction(*wallet, options, created.value().tx);
        }};
}

} // namespace

void RegisterWalletSpendMethods(rpc::MethodTable& table, WalletManager& manager)
{
    table.Register(BumpFeeMethod(manager, /*want_psbt=*/false));
    table.Register(FundRawTransactionMethod(manager));
    table.Register(BumpFeeMethod(manager, /*want_psbt=*/true));
    table.Register(Send(manager));
    table.Register(SendAll(manager));
    table.Register(SendMany(manager));
    table.Register(SendToAddress(manager));
    table.Register(SignRawTransactionWithWalletMethod(manager));
    table.Register(WalletCreateFundedPsbtMethod(manager));
    table.Register(WalletProcessPsbtMethod(manager));
}

} // namespace wallet
