// wallet: getreceivedbyaddress, getreceivedbylabel, listreceivedbyaddress and
// listreceivedbylabel, with Bitcoin Core v28's names, results, errors and codes.
#include <wallet/rpc/rpc_names.h>
#include <wallet/rpc/util.h>
#include <wallet/rpc/wallet_query_internal.h>

#include <common/key_io.h>
#include <common/sign.h>
#include <rpc/dispatch.h>
#include <rpc/util.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wallet {

namespace {

// ---- received by address / label -----------------------------------------------------------

// Core skips coinbases off the active chain and, unless asked, immature ones.
bool CountsAsReceived(const TxView& view, int min_depth, bool include_immature_coinbase)
{
    if (view.confirmations < min_depth) return false;
    if (view.coinbase && view.confirmations < 1) return false;
    if (view.coinbase && view.blocks_to_maturity > 0 && !include_immature_coinbase) return false;
    return true;
}

// Core's GetReceived.
consensus::Amount ReceivedBy(const Wallet& wallet, const Request& request, bool by_label)
{
    const common::ChainParams& params = wallet.Chain().Params();
    std::vector<std::string> addresses;
    if (by_label) {
        const std::string label = LabelFromValue(request.Param(0));
        for (const auto& [address, entry] : wallet.AddressBook()) {
            if (entry.label == label) addresses.push_back(address);
        }
    } else {
        const auto dest = common::DecodeDestination(request.Param(0).get<std::string>(), params);
        if (!dest || !common::IsValidDestination(*dest)) {
            ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address");
        }
        addresses.push_back(common::EncodeDestination(*dest, params));
    }
    // Keyed by bytes with a plain-loop order: gcc 12 misreports Script's own ordering.
    std::set<std::vector<uint8_t>, common::ShorterBytesFirst> scripts;
    for (const std::string& address : addresses) {
        const auto dest = common::DecodeDestination(address, params);
        if (!dest) continue;
        const consensus::Script script = common::GetScriptForDestination(*dest);
        if (wallet.IsMine(script)) scripts.insert(script.bytes());
    }
    if (scripts.empty()) ThrowRpc(RPC_WALLET_ERROR, "Address not found in wallet");
    const int min_depth = static_cast<int>(rpc::IntFromJson(request.Arg("minconf")));
    const bool include_immature = request.Arg("include_immature_coinbase").get<bool>();
    consensus::Amount amount = 0;
    for (const TxView& view : wallet.ListTransactions()) {
        if (!CountsAsReceived(view, min_depth, include_immature)) continue;
        for (const auto& out : view.wtx.tx->vout) {
            if (scripts.contains(out.script_pubkey.bytes())) amount += out.value;
        }
    }
    return amount;
}

Method GetReceivedByAddressMethod(WalletManager& manager)
{
    const std::string address = std::string{"\""} + EXAMPLE_ADDRESS + "\"";
    return Method{
        "getreceivedbyaddress",
        "wallet",
        "Returns the total amount received by the given address in transactions with at least "
        "minconf confirmations.",
        {
            {"address", ArgType::STR, ArgOptional::NO, "The bitcoin address for transactions."},
            {"minconf", ArgType::NUM, Json(1),
             "Only include transactions confirmed at least this many times."},
            {"include_immature_coinbase", ArgType::BOOL, Json(false),
             "Include immature coinbase transactions."},
        },
        {ResultDoc{ResultType::STR_AMOUNT, "amount",
                   "The total amount in BTC received at this address."}},
        "\nThe amount from transactions with at least 1 confirmation\n" +
            HelpExampleCli("getreceivedbyaddress", address) +
            "\nThe amount including unconfirmed transactions, zero confirmations\n" +
            HelpExampleCli("getreceivedbyaddress", address + " 0") +
            "\nThe amount with at least 6 confirmations\n" +
            HelpExampleCli("getreceivedbyaddress", address + " 6") +
            "\nThe amount with at least 6 confirmations including immature coinbase outputs\n" +
            HelpExampleCli("getreceivedbyaddress", address + " 6 true") + "\nAs a JSON-RPC call\n" +
            HelpExampleRpc("getreceivedbyaddress", address + ", 6"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            return rpc::AmountToJson(ReceivedBy(*wallet, request, false));
        },
    };
}

Method GetReceivedByLabelMethod(WalletManager& manager)
{
    return Method{
        "getreceivedbylabel",
        "wallet",
        "Returns the total amount received by addresses with <label> in transactions with at "
        "least [minconf] confirmations.",
        {
            {"label", ArgType::STR, ArgOptional::NO,
             "The selected label, may be the default label using \"\"."},
            {"minconf", ArgType::NUM, Json(1),
             "Only include transactions confirmed at least this many times."},
            {"include_immature_coinbase", ArgType::BOOL, Json(false),
             "Include immature coinbase transactions."},
        },
        {ResultDoc{ResultType::STR_AMOUNT, "amount",
                   "The total amount in BTC received for this label."}},
        "\nAmount received by the default label with at least 1 confirmation\n" +
            HelpExampleCli("getreceivedbylabel", "\"\"") +
            "\nAmount received at the tabby label including unconfirmed amounts with zero "
            "confirmations\n" +
            HelpExampleCli("getreceivedbylabel", "\"tabby\" 0") +
            "\nThe amount with at least 6 confirmations\n" +
            HelpExampleCli("getreceivedbylabel", "\"tabby\" 6") +
            "\nThe amount with at least 6 confirmations including immature coinbase outputs\n" +
            HelpExampleCli("getreceivedbylabel", "\"tabby\" 6 true") + "\nAs a JSON-RPC call\n" +
            HelpExampleRpc("getreceivedbylabel", "\"tabby\", 6, true"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            return rpc::AmountToJson(ReceivedBy(*wallet, request, true));
        },
    };
}

// Core's ListReceived tally for one address.
struct Tally
{
    consensus::Amount amount{0};
    int confirmations{std::numeric_limits<int>::max()};
    std::vector<consensus::Uint256> txids;
};

Json ListReceived(const Wallet& wallet, const Request& request, bool by_label)
{
    const common::ChainParams& params = wallet.Chain().Params();
    const int min_depth = static_cast<int>(rpc::IntFromJson(request.Arg("minconf")));
    const bool include_empty = request.Arg("include_empty").get<bool>();
    const bool include_immature = request.Arg("include_immature_coinbase").get<bool>();
    std::optional<std::string> filtered_address;
    if (!by_label && request.HasArg("address_filter") &&
        !request.Arg("address_filter").get<std::string>().empty()) {
        const auto dest =
            common::DecodeDestination(request.Arg("address_filter").get<std::string>(), params);
        if (!dest || !common::IsValidDestination(*dest)) {
            ThrowRpc(RPC_WALLET_ERROR, "address_filter parameter was invalid");
        }
        filtered_address = common::EncodeDestination(*dest, params);
    }

    std::map<std::string, Tally> tally;
    for (const TxView& view : wallet.ListTransactions()) {
        if (!CountsAsReceived(view, min_depth, include_immature)) continue;
        for (const OutputView& output : view.outputs) {
            if (!output.mine || !output.address) continue;
            if (filtered_address && *output.address != *filtered_address) continue;
            Tally& item = tally[*output.address];
            const size_t index = static_cast<size_t>(&output - view.outputs.data());
            item.amount += view.wtx.tx->vout[index].value;
            item.confirmations = std::min(item.confirmations, view.confirmations);
            item.txids.push_back(view.wtx.Txid());
        }
    }

    const auto confirmations = [](int conf) {
        return conf == std::numeric_limits<int>::max() ? 0 : conf;
    };
    Json result = Json::array();
    std::map<std::string, Tally> by_label_tally;
    for (const auto& [address, entry] : wallet.AddressBook()) {
        if (filtered_address && address != *filtered_address) continue;
        const auto it = tally.find(address);
        if (it == tally.end() && !include_empty) continue;
        const Tally found = it == tally.end() ? Tally{} : it->second;
        if (by_label) {
            Tally& item = by_label_tally[entry.label];
            item.amount += found.amount;
            item.confirmations = std::min(item.confirmations, found.confirmations);
            continue;
        }
        Json obj = Json::object();
        obj["address"] = address;
        obj["amount"] = rpc::AmountToJson(found.amount);
        obj["confirmations"] = confirmations(found.confirmations);
        obj["label"] = entry.label;
        Json txids = Json::array();
        for (const auto& txid : found.txids)
            txids.push_back(txid.GetHex());
        obj["txids"] = std::move(txids);
        result.push_back(std::move(obj));
    }
    for (const auto& [label, item] : by_label_tally) {
        result.push_back(Json{{"amount", rpc::AmountToJson(item.amount)},
                              {"confirmations", confirmations(item.confirmations)},
                              {"label", label}});
    }
    return result;
}

// listreceivedbyaddress's and listreceivedbylabel's arguments: the same but for what
// include_empty lists and the address form's address_filter.
std::vector<Arg> ListReceivedArgs(bool by_address)
{
    std::vector<Arg> args{
        {"minconf", ArgType::NUM, Json(1),
         "The minimum number of confirmations before payments are included."},
        {"include_empty", ArgType::BOOL, Json(false),
         by_address ? "Whether to include addresses that haven't received any payments."
                    : "Whether to include labels that haven't received any payments."},
        {"include_watchonly", ArgType::BOOL, DefaultHint{WATCHONLY_HELP},
         "Whether to include watch-only addresses (see 'importaddress')"},
    };
    if (by_address) {
        args.push_back({"address_filter", ArgType::STR, ArgOptional::OMITTED,
                        "If present and non-empty, only return information on this address."});
    }
    args.push_back({"include_immature_coinbase", ArgType::BOOL, Json(false),
                    "Include immature coinbase transactions."});
    return args;
}

// Their results: one object per address (with its txids) or per label.
ResultDoc ListReceivedResultDoc(bool by_address)
{
    std::vector<ResultDoc> fields{
        {ResultType::BOOL, "involvesWatchonly", true,
         "Only returns true if imported addresses were involved in transaction"},
    };
    if (by_address) fields.push_back({ResultType::STR, "address", "The receiving address"});
    fields.push_back({ResultType::STR_AMOUNT, "amount",
                      by_address ? "The total amount in BTC received by the address"
                                 : "The total amount received by addresses with this label"});
    fields.push_back({ResultType::NUM, "confirmations",
                      "The number of confirmations of the most recent transaction included"});
    fields.push_back({ResultType::STR, "label",
                      "The label of the receiving address. The default label is \"\""});
    if (by_address) {
        fields.push_back(
            {ResultType::ARR,
             "txids",
             "",
             {{ResultType::STR_HEX, "txid", "The ids of transactions received with the address"}}});
    }
    return ResultDoc{ResultType::ARR, "", "", {{ResultType::OBJ, "", "", std::move(fields)}}};
}

Method ListReceivedByAddressMethod(WalletManager& manager)
{
    return Method{
        "listreceivedbyaddress",
        "wallet",
        "List balances by receiving address.",
        ListReceivedArgs(true),
        {ListReceivedResultDoc(true)},
        HelpExampleCli("listreceivedbyaddress", "") +
            HelpExampleCli("listreceivedbyaddress", "6 true") +
            HelpExampleCli("listreceivedbyaddress", "6 true true \"\" true") +
            HelpExampleRpc("listreceivedbyaddress", "6, true, true") +
            HelpExampleRpc("listreceivedbyaddress",
                           std::string{"6, true, true, \""} + EXAMPLE_ADDRESS + "\", true"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            return ListReceived(*wallet, request, false);
        },
    };
}

Method ListReceivedByLabelMethod(WalletManager& manager)
{
    return Method{
        "listreceivedbylabel",
        "wallet",
        "List received transactions by label.",
        ListReceivedArgs(false),
        {ListReceivedResultDoc(false)},
        HelpExampleCli("listreceivedbylabel", "") +
            HelpExampleCli("listreceivedbylabel", "6 true") +
            HelpExampleRpc("listreceivedbylabel", "6, true, true, true"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            return ListReceived(*wallet, request, true);
        },
    };
}

} // namespace

void RegisterWalletQueryReceivedMethods(rpc::MethodTable& table, WalletManager& manager)
{
    table.Register(GetReceivedByAddressMethod(manager));
    table.Register(GetReceivedByLabelMethod(manager));
    table.Register(ListReceivedByAddressMethod(manager));
    table.Register(ListReceivedByLabelMethod(manager));
}

} // namespace wallet
