// wallet: getbalances, getbalance and listunspent, with Bitcoin Core v28's names, results,
// errors and codes.
#include <wallet/rpc/rpc_names.h>
#include <wallet/rpc/util.h>
#include <wallet/rpc/wallet_query_internal.h>

#include <common/key_io.h>
#include <common/sign.h>
#include <rpc/dispatch.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace wallet {

namespace {

// ---- balances ------------------------------------------------------------------------------

Method GetBalancesMethod(WalletManager& manager)
{
    const auto balance_fields = [](bool with_used) {
        std::vector<ResultDoc> fields{
            {ResultType::STR_AMOUNT, "trusted",
             "trusted balance (outputs created by the wallet or confirmed outputs)"},
            {ResultType::STR_AMOUNT, "untrusted_pending",
             "untrusted pending balance (outputs created by others that are in the mempool)"},
            {ResultType::STR_AMOUNT, "immature", "balance from immature coinbase outputs"},
        };
        if (with_used) {
            fields.push_back(ResultDoc{
                ResultType::STR_AMOUNT, "used", true,
                "(only present if avoid_reuse is set) balance from coins sent to addresses that "
                "were previously spent from (potentially privacy violating)"});
        }
        return fields;
    };
    return Method{
        "getbalances",
        "wallet",
        "Returns an object with all balances in BTC.",
        {},
        {ResultDoc{ResultType::OBJ,
                   "",
                   "",
                   {
                       {ResultType::OBJ, "mine", "balances from outputs that the wallet can sign",
                        balance_fields(true)},
                       {ResultType::OBJ, "watchonly", true,
                        "watchonly balances (not present if wallet does not watch anything)",
                        balance_fields(false)},
                       LastProcessedBlockDoc(),
                   }}},
        HelpExampleCli("getbalances", "") + HelpExampleRpc("getbalances", ""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            const Balances balances = wallet->GetBalances(0, true);
            Json mine = Json::object();
            mine["trusted"] = rpc::AmountToJson(balances.trusted);
            mine["untrusted_pending"] = rpc::AmountToJson(balances.untrusted_pending);
            mine["immature"] = rpc::AmountToJson(balances.immature);
            if (wallet->HasFlag(WALLET_FLAG_AVOID_REUSE)) {
                mine["used"] = rpc::AmountToJson(balances.used);
            }
            Json result = Json::object();
            result["mine"] = std::move(mine);
            result["lastprocessedblock"] = LastProcessedBlock(*wallet);
            return result;
        },
    };
}

Method GetBalanceMethod(WalletManager& manager)
{
    return Method{
        "getbalance",
        "wallet",
        "Returns the total available balance.\n"
        "The available balance is what the wallet considers currently spendable, and is\n"
        "thus affected by options which limit spendability such as -spendzeroconfchange.",
        {
            {"dummy", ArgType::STR, ArgOptional::OMITTED,
             "Remains for backward compatibility. Must be excluded or set to \"*\"."},
            {"minconf", ArgType::NUM, Json(0),
             "Only include transactions confirmed at least this many times."},
            {"include_watchonly", ArgType::BOOL,
             DefaultHint{"true for watch-only wallets, otherwise false"},
             "Also include balance in watch-only addresses (see 'importaddress')"},
            {"avoid_reuse", ArgType::BOOL, Json(true),
             "(only available if avoid_reuse wallet flag is set) Do not include balance in dirty "
             "outputs; addresses are considered dirty if they have previously been used in a "
             "transaction."},
        },
        {ResultDoc{ResultType::STR_AMOUNT, "amount",
                   "The total amount in BTC received for this wallet."}},
        "\nThe total amount in the wallet with 0 or more confirmations\n" +
            HelpExampleCli("getbalance", "") +
            "\nThe total amount in the wallet with at least 6 confirmations\n" +
            HelpExampleCli("getbalance", "\"*\" 6") + "\nAs a JSON-RPC call\n" +
            HelpExampleRpc("getbalance", "\"*\", 6"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            if (request.HasArg("dummy") && request.Arg("dummy").get<std::string>() != "*") {
                ThrowRpc(rpc::RPC_METHOD_DEPRECATED,
                         "dummy first argument must be excluded or set to \"*\".");
            }
            const int min_depth = static_cast<int>(rpc::IntFromJson(request.Arg("minconf")));
            // Every descriptor output counts as "mine", so include_watchonly changes nothing.
            const bool avoid_reuse = AvoidReuseFlag(*wallet, request.Param(3));
            return rpc::AmountToJson(wallet->GetBalances(min_depth, avoid_reuse).trusted);
        },
    };
}

// ---- listunspent ---------------------------------------------------------------------------

struct UnspentQuery
{
    CoinFilter filter{};
    bool include_immature_coinbase{false};
};

UnspentQuery ParseUnspentQuery(const Request& request, const common::ChainParams& params)
{
    UnspentQuery query;
    CoinFilter& filter = query.filter;
    filter.min_depth = static_cast<int>(rpc::IntFromJson(request.Arg("minconf")));
    filter.max_depth = static_cast<int>(rpc::IntFromJson(request.Arg("maxconf")));
    filter.only_spendable = false;
    filter.include_locked = false;
    if (request.HasArg("addresses")) {
        for (const Json& item : request.Arg("addresses")) {
            if (!item.is_string()) {
                ThrowRpc(rpc::RPC_TYPE_ERROR, "JSON value of type " +
                                                  std::string{rpc::JsonTypeName(item)} +
                                                  " is not of expected type string");
            }
            const std::string text = item.get<std::string>();
            auto dest = common::DecodeDestination(text, params);
            if (!dest || !common::IsValidDestination(*dest)) {
                ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address: " + text);
            }
            if (!filter.addresses.insert(common::EncodeDestination(*dest, params)).second) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                         "Invalid parameter, duplicated address: " + text);
            }
        }
    }
    filter.include_unsafe = request.Arg("include_unsafe").get<bool>();
    if (request.HasArg("query_options")) {
        const Json& options = request.Arg("query_options");
        static const std::set<std::string> KNOWN{"minimumAmount", "maximumAmount",
                                                 "minimumSumAmount", "maximumCount",
                                                 "include_immature_coinbase"};
        for (const auto& [key, value] : options.items()) {
            if (!KNOWN.contains(key)) ThrowRpc(rpc::RPC_TYPE_ERROR, "Unexpected key " + key);
        }
        if (options.contains("minimumAmount")) {
            filter.min_amount = rpc::AmountFromValue(options["minimumAmount"]);
        }
        if (options.contains("maximumAmount")) {
            filter.max_amount = rpc::AmountFromValue(options["maximumAmount"]);
        }
        if (options.contains("minimumSumAmount")) {
            filter.min_sum = rpc::AmountFromValue(options["minimumSumAmount"]);
        }
        if (options.contains("maximumCount")) {
            const Json& count = options["maximumCount"];
            if (!count.is_number()) {
                ThrowRpc(rpc::RPC_TYPE_ERROR, "JSON value of type " +
                                                  std::string{rpc::JsonTypeName(count)} +
                                                  " for field maximumCount is not of expected "
                                                  "type number");
            }
            const int64_t max_count = rpc::IntFromJson(count);
            if (max_count > 0) filter.max_count = static_cast<uint64_t>(max_count);
        }
        if (options.contains("include_immature_coinbase")) {
            const Json& flag = options["include_immature_coinbase"];
            if (!flag.is_boolean()) {
                ThrowRpc(rpc::RPC_TYPE_ERROR, "JSON value of type " +
                                                  std::string{rpc::JsonTypeName(flag)} +
                                                  " for field include_immature_coinbase is not "
                                                  "of expected type bool");
            }
            query.include_immature_coinbase = flag.get<bool>();
        }
    }
    return query;
}

// AvailableCoins leaves immature coinbase outputs out; listunspent's include_immature_coinbase
// adds them back under the same filters.
void AppendImmatureCoinbases(const Wallet& wallet, const UnspentQuery& query,
                             std::vector<WalletCoin>& coins)
{
    const CoinFilter& filter = query.filter;
    const common::ChainParams& params = wallet.Chain().Params();
    const std::set<consensus::OutPoint> locked = wallet.LockedCoins();
    consensus::Amount total = 0;
    for (const WalletCoin& coin : coins)
        total += coin.txout.value;
    const auto full = [&] {
        return (filter.max_count && coins.size() >= *filter.max_count) ||
               (filter.min_sum && total >= *filter.min_sum);
    };
    for (const TxView& view : wallet.ListTransactions()) {
        if (!view.coinbase || view.blocks_to_maturity <= 0 || view.confirmations < 1) continue;
        if (view.confirmations < filter.min_depth || view.confirmations > filter.max_depth) {
            continue;
        }
        const auto& vout = view.wtx.tx->vout;
        for (uint32_t i = 0; i < vout.size() && i < view.outputs.size(); ++i) {
            if (full()) return;
            const consensus::OutPoint outpoint{view.wtx.Txid(), i};
            if (!view.outputs[i].mine || wallet.IsSpent(outpoint) || locked.contains(outpoint)) {
                continue;
            }
            if (filter.min_amount && vout[i].value < *filter.min_amount) continue;
            if (filter.max_amount && vout[i].value > *filter.max_amount) continue;
            if (!filter.addresses.empty()) {
                const auto dest = common::ExtractDestination(vout[i].script_pubkey);
                if (!dest || !filter.addresses.contains(common::EncodeDestination(*dest, params))) {
                    continue;
                }
            }
            WalletCoin coin;
            coin.outpoint = outpoint;
            coin.txout = vout[i];
            coin.depth = view.confirmations;
            coin.safe = true;
            coin.solvable = wallet.GetScriptInfo(vout[i].script_pubkey).solvable;
            coin.spendable = wallet.HasPrivateKeys();
            coin.coinbase = true;
            total += vout[i].value;
            coins.push_back(std::move(coin));
        }
    }
}

// Core puts the redeem and witness scripts of P2SH / P2WSH coins between label and scriptPubKey.
void PushSpendingScripts(const Wallet& wallet, const consensus::Script& script,
                         const common::Destination& dest, Json& entry)
{
    common::SigningProvider provider;
    if (!wallet.FillSigningProvider(script, provider)) return;
    if (const auto* sh = std::get_if<common::ScriptHash>(&dest)) {
        const auto redeem = KnownScript(provider, sh->hash);
        if (!redeem) return;
        entry["redeemScript"] = util::HexStr(redeem->bytes());
        const auto inner = common::ExtractDestination(*redeem);
        if (!inner) return;
        if (const auto* wsh = std::get_if<common::WitnessV0ScriptHash>(&*inner)) {
            if (auto witness = KnownScript(provider, WitnessScriptId(wsh->hash))) {
                entry["witnessScript"] = util::HexStr(witness->bytes());
            }
        }
    } else if (const auto* wsh = std::get_if<common::WitnessV0ScriptHash>(&dest)) {
        if (auto witness = KnownScript(provider, WitnessScriptId(wsh->hash))) {
            entry["witnessScript"] = util::HexStr(witness->bytes());
        }
    }
}

Method ListUnspentMethod(WalletManager& manager)
{
    const std::string example_addresses =
        "\"[\\\"" + std::string{EXAMPLE_ADDRESS} +
        "\\\",\\\"bc1q02ad21edsxd23d32dfgqqsz4vv4nmtfzuklhy3\\\"]\"";
    return Method{
        "listunspent",
        "wallet",
        "Returns array of unspent transaction outputs\n"
        "with between minconf and maxconf (inclusive) confirmations.\n"
        "Optionally filter to only include txouts paid to specified addresses.",
        {
            {"minconf", ArgType::NUM, Json(1), "The minimum confirmations to filter"},
            {"maxconf", ArgType::NUM, Json(9999999), "The maximum confirmations to filter"},
            {"addresses",
             ArgType::ARR,
             Json::array(),
             "The bitcoin addresses to filter",
             {{"address", ArgType::STR, ArgOptional::OMITTED, "bitcoin address"}}},
            {"include_unsafe", ArgType::BOOL, Json(true),
             "Include outputs that are not safe to spend\n"
             "See description of \"safe\" attribute below."},
            {"query_options",
             ArgType::OBJ_NAMED_PARAMS,
             ArgOptional::OMITTED,
             "Options object that can be used to pass named arguments, listed below.",
             {
                 {"minimumAmount", ArgType::AMOUNT, Json("0.00"),
                  "Minimum value of each UTXO in BTC"},
                 {"maximumAmount", ArgType::AMOUNT, DefaultHint{"unlimited"},
                  "Maximum value of each UTXO in BTC"},
                 {"maximumCount", ArgType::NUM, DefaultHint{"unlimited"},
                  "Maximum number of UTXOs"},
                 {"minimumSumAmount", ArgType::AMOUNT, DefaultHint{"unlimited"},
                  "Minimum sum value of all UTXOs in BTC"},
                 {"include_immature_coinbase", ArgType::BOOL, Json(false),
                  "Include immature coinbase UTXOs"},
             },
             ArgOptions{.oneline_description = "query_options"}},
        },
        {ResultDoc{
            ResultType::ARR,
            "",
            "",
            {{ResultType::OBJ,
              "",
              "",
              {
                  {ResultType::STR_HEX, "txid", "the transaction id"},
                  {ResultType::NUM, "vout", "the vout value"},
                  {ResultType::STR, "address", true, "the bitcoin address"},
                  {ResultType::STR, "label", true,
                   "The associated label, or \"\" for the default label"},
                  {ResultType::STR, "scriptPubKey", "the output script"},
                  {ResultType::STR_AMOUNT, "amount", "the transaction output amount in BTC"},
                  {ResultType::NUM, "confirmations", "The number of confirmations"},
                  {ResultType::NUM, "ancestorcount", true,
                   "The number of in-mempool ancestor transactions, including this one (if "
                   "transaction is in the mempool)"},
                  {ResultType::NUM, "ancestorsize", true,
                   "The virtual transaction size of in-mempool ancestors, including this one (if "
                   "transaction is in the mempool)"},
                  {ResultType::STR_AMOUNT, "ancestorfees", true,
                   "The total fees of in-mempool ancestors (including this one) with fee deltas "
                   "used for mining priority in sat (if transaction is in the mempool)"},
                  {ResultType::STR_HEX, "redeemScript", true,
                   "The redeem script if the output script is P2SH"},
                  {ResultType::STR, "witnessScript", true,
                   "witness script if the output script is P2WSH or P2SH-P2WSH"},
                  {ResultType::BOOL, "spendable",
                   "Whether we have the private keys to spend this output"},
                  {ResultType::BOOL, "solvable",
                   "Whether we know how to spend this output, ignoring the lack of keys"},
                  {ResultType::BOOL, "reused", true,
                   "(only present if avoid_reuse is set) Whether this output is reused/dirty "
                   "(sent to an address that was previously spent from)"},
                  {ResultType::STR, "desc", true,
                   "(only when solvable) A descriptor for spending this output"},
                  {ResultType::ARR,
                   "parent_descs",
                   "List of parent descriptors for the output script of this coin.",
                   {{ResultType::STR, "desc", "The descriptor string."}}},
                  {ResultType::BOOL, "safe",
                   "Whether this output is considered safe to spend. Unconfirmed transactions\n"
                   "from outside keys and unconfirmed replacement transactions are considered "
                   "unsafe\n"
                   "and are not eligible for spending by fundrawtransaction and sendtoaddress."},
              }}}}},
        HelpExampleCli("listunspent", "") +
            HelpExampleCli("listunspent", "6 9999999 " + example_addresses) +
            HelpExampleRpc("listunspent", "6, 9999999 " + example_addresses) +
            HelpExampleCli("listunspent", "6 9999999 '[]' true '{ \"minimumAmount\": 0.005 }'") +
            HelpExampleRpc("listunspent", "6, 9999999, [] , true, { \"minimumAmount\": 0.005 } "),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            const common::ChainParams& params = wallet->Chain().Params();
            const UnspentQuery query = ParseUnspentQuery(request, params);
            wallet->BlockUntilSyncedToCurrentChain();
            const bool avoid_reuse = wallet->HasFlag(WALLET_FLAG_AVOID_REUSE);
            const auto book = wallet->AddressBook();
            std::vector<WalletCoin> coins = wallet->AvailableCoins(query.filter);
            if (query.include_immature_coinbase) AppendImmatureCoinbases(*wallet, query, coins);
            Json result = Json::array();
            for (const WalletCoin& coin : coins) {
                const consensus::Script& script = coin.txout.script_pubkey;
                const auto dest = common::ExtractDestination(script);
                const bool has_address = dest && common::IsValidDestination(*dest);
                Json entry = Json::object();
                entry["txid"] = coin.outpoint.hash.GetHex();
                entry["vout"] = coin.outpoint.n;
                if (has_address) {
                    const std::string address = common::EncodeDestination(*dest, params);
                    entry["address"] = address;
                    if (auto it = book.find(address); it != book.end()) {
                        entry["label"] = it->second.label;
                    }
                    PushSpendingScripts(*wallet, script, *dest, entry);
                }
                entry["scriptPubKey"] = util::HexStr(script.bytes());
                entry["amount"] = rpc::AmountToJson(coin.txout.value);
                entry["confirmations"] = coin.depth;
                if (coin.depth == 0) {
                    if (auto pool = wallet->Chain().GetMempoolEntry(coin.outpoint.hash)) {
                        entry["ancestorcount"] = pool->ancestor_count;
                        entry["ancestorsize"] = pool->ancestor_size;
                        entry["ancestorfees"] = pool->ancestor_fees;
                    }
                }
                entry["spendable"] = coin.spendable;
                entry["solvable"] = coin.solvable;
                if (coin.solvable) {
                    const ScriptInfo info = wallet->GetScriptInfo(script);
                    if (info.desc) entry["desc"] = *info.desc;
                }
                entry["parent_descs"] = ParentDescriptors(*wallet, script);
                if (avoid_reuse) entry["reused"] = coin.reused;
                entry["safe"] = coin.safe;
                result.push_back(std::move(entry));
            }
            return result;
        },
    };
}

} // namespace

void RegisterWalletQueryCoinMethods(rpc::MethodTable& table, WalletManager& manager)
{
    table.Register(GetBalanceMethod(manager));
    table.Register(GetBalancesMethod(manager));
    table.Register(ListUnspentMethod(manager));
}

} // namespace wallet
