// wallet: listtransactions, listsinceblock and gettransaction, with Bitcoin Core v28's names,
// results, errors and codes.
#include <wallet/rpc/rpc_names.h>
#include <wallet/rpc/util.h>
#include <wallet/rpc/wallet_query_internal.h>

#include <common/sign.h>
#include <consensus/serialize.h>
#include <rpc/core_write.h>
#include <rpc/dispatch.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wallet {

namespace {

constexpr const char* EXAMPLE_TXID{
    "\"1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d\""};
constexpr const char* EXAMPLE_BLOCK{
    "\"000000000000000bacf66f7497b7dc45ef753ee9a7d38571037cdb1a57f663ad\""};
// Core lists removed transactions whatever their depth.
constexpr int ANY_DEPTH{-100000000};

// What one listing call needs from the wallet, read once.
struct ListingContext
{
    const Wallet& wallet;
    const common::ChainParams& params;
    std::map<std::string, AddressBookEntry> book;
};

// ---- Core's WalletTxToJSON and ListTransactions --------------------------------------------

void PushTxFacts(const interfaces::Chain& chain, const TxView& view, Json& entry)
{
    const WalletTx& wtx = view.wtx;
    entry["confirmations"] = view.confirmations;
    if (view.coinbase) entry["generated"] = true;
    if (wtx.state.kind == TxState::Kind::CONFIRMED) {
        entry["blockhash"] = wtx.state.block_hash.GetHex();
        entry["blockheight"] = wtx.state.block_height;
        entry["blockindex"] = wtx.state.index_in_block;
        entry["blocktime"] = view.block_time;
    } else {
        entry["trusted"] = view.trusted;
    }
    entry["txid"] = wtx.tx->GetHash().GetHex();
    entry["wtxid"] = wtx.tx->GetWitnessHash().GetHex();
    Json conflicts = Json::array();
    for (const auto& txid : view.conflicts)
        conflicts.push_back(txid.GetHex());
    entry["walletconflicts"] = std::move(conflicts);
    // Direct conflicts only: pool transactions spending one of its inputs.
    Json mempool_conflicts = Json::array();
    if (wtx.state.kind != TxState::Kind::CONFIRMED && !wtx.tx->IsCoinBase()) {
        std::set<consensus::Uint256> seen;
        for (const auto& in : wtx.tx->vin) {
            const auto spender = chain.GetMempoolSpender(in.prevout);
            if (spender && *spender != wtx.Txid() && seen.insert(*spender).second) {
                mempool_conflicts.push_back(spender->GetHex());
            }
        }
    }
    entry["mempoolconflicts"] = std::move(mempool_conflicts);
    entry["time"] = wtx.time_smart;
    entry["timereceived"] = wtx.time_received;
    entry["bip125-replaceable"] = view.confirmations > 0 ? "no" : view.bip125_replaceable;
    for (const auto& [key, value] : wtx.map_value)
        entry[key] = value;
}

// Core's CachedTxGetAmounts fee: inputs minus outputs when the wallet paid in.
consensus::Amount SentFee(const TxView& view)
{
    return view.debit > 0 ? view.debit - view.wtx.tx->GetValueOut() : 0;
}

void ListTransactionEntries(const ListingContext& ctx, const TxView& view, int min_depth,
                            bool with_tx_facts, const std::optional<std::string>& filter_label,
                            bool include_change, std::vector<Json>& out)
{
    const auto& vout = view.wtx.tx->vout;
    const bool from_me = view.debit > 0;
    const consensus::Amount fee = SentFee(view);
    const auto book_entry = [&](const OutputView& output) -> const AddressBookEntry* {
        if (!output.address) return nullptr;
        const auto it = ctx.book.find(*output.address);
        return it == ctx.book.end() ? nullptr : &it->second;
    };

    if (from_me && !filter_label) {
        for (size_t i = 0; i < vout.size() && i < view.outputs.size(); ++i) {
            const OutputView& output = view.outputs[i];
            if (!include_change && output.change) continue;
            Json entry = Json::object();
            if (output.address) entry["address"] = *output.address;
            entry["category"] = "send";
            entry["amount"] = rpc::AmountToJson(-vout[i].value);
            if (const auto* book = book_entry(output)) entry["label"] = book->label;
            entry["vout"] = i;
            entry["fee"] = rpc::AmountToJson(-fee);
            if (with_tx_facts) PushTxFacts(ctx.wallet.Chain(), view, entry);
            entry["abandoned"] = view.wtx.state.abandoned;
            out.push_back(std::move(entry));
        }
    }

    if (view.confirmations < min_depth) return;
    for (size_t i = 0; i < vout.size() && i < view.outputs.size(); ++i) {
        const OutputView& output = view.outputs[i];
        if (!output.mine) continue;
        if (from_me && !include_change && output.change) continue;
        const AddressBookEntry* book = book_entry(output);
        const std::string label = book ? book->label : "";
        if (filter_label && label != *filter_label) continue;
        Json entry = Json::object();
        if (output.address) entry["address"] = *output.address;
        const auto parents = ParentDescriptors(ctx.wallet, vout[i].script_pubkey);
        if (!parents.empty()) entry["parent_descs"] = parents;
        if (view.coinbase) {
            if (view.confirmations < 1) {
                entry["category"] = "orphan";
            } else if (view.blocks_to_maturity > 0) {
                entry["category"] = "immature";
            } else {
                entry["category"] = "generate";
            }
        } else {
            entry["category"] = "receive";
        }
        entry["amount"] = rpc::AmountToJson(vout[i].value);
        if (book) entry["label"] = label;
        entry["vout"] = i;
        entry["abandoned"] = view.wtx.state.abandoned;
        if (with_tx_facts) PushTxFacts(ctx.wallet.Chain(), view, entry);
        out.push_back(std::move(entry));
    }
}

// ---- help fragments ------------------------------------------------------------------------

const char* const CATEGORY_HELP{
    "The transaction category.\n"
    "\"send\"                  Transactions sent.\n"
    "\"receive\"               Non-coinbase transactions received.\n"
    "\"generate\"              Coinbase transactions received with more than 100 "
    "confirmations.\n"
    "\"immature\"              Coinbase transactions received with 100 or fewer "
    "confirmations.\n"
    "\"orphan\"                Orphaned coinbase transactions received."};
const char* const AMOUNT_SIGN_HELP{
    "The amount in BTC. This is negative for the 'send' category, and is positive\n"
    "for all other categories"};
const char* const FEE_HELP{
    "The amount of the fee in BTC. This is negative and only available for the\n"
    "'send' category of transactions."};

ResultDoc InvolvesWatchonlyDoc()
{
    return {ResultType::BOOL, "involvesWatchonly", true,
            "Only returns true if imported addresses were involved in transaction."};
}

ResultDoc ParentDescsDoc()
{
    return {ResultType::ARR,
            "parent_descs",
            true,
            "Only if 'category' is 'received'. List of parent descriptors for the output script of "
            "this coin.",
            {{ResultType::STR, "desc", "The descriptor string."}}};
}

// Core's TransactionDescriptionString.
std::vector<ResultDoc> TxFactsDocs()
{
    return {
        {ResultType::NUM, "confirmations",
         "The number of confirmations for the transaction. Negative confirmations means the\n"
         "transaction conflicted that many blocks ago."},
        {ResultType::BOOL, "generated", true,
         "Only present if the transaction's only input is a coinbase one."},
        {ResultType::BOOL, "trusted", true,
         "Whether we consider the transaction to be trusted and safe to spend from.\n"
         "Only present when the transaction has 0 confirmations (or negative confirmations, if "
         "conflicted)."},
        {ResultType::STR_HEX, "blockhash", true, "The block hash containing the transaction."},
        {ResultType::NUM, "blockheight", true, "The block height containing the transaction."},
        {ResultType::NUM, "blockindex", true,
         "The index of the transaction in the block that includes it."},
        {ResultType::NUM_TIME, "blocktime", true, "The block time expressed in UNIX epoch time."},
        {ResultType::STR_HEX, "txid", "The transaction id."},
        {ResultType::STR_HEX, "wtxid",
         "The hash of serialized transaction, including witness data."},
        {ResultType::ARR,
         "walletconflicts",
         "Confirmed transactions that have been detected by the wallet to conflict with this "
         "transaction.",
         {{ResultType::STR_HEX, "txid", "The transaction id."}}},
        {ResultType::STR_HEX, "replaced_by_txid", true,
         "Only if 'category' is 'send'. The txid if this tx was replaced."},
        {ResultType::STR_HEX, "replaces_txid", true,
         "Only if 'category' is 'send'. The txid if this tx replaces another."},
        {ResultType::ARR,
         "mempoolconflicts",
         "Transactions in the mempool that directly conflict with either this transaction or an "
         "ancestor transaction",
         {{ResultType::STR_HEX, "txid", "The transaction id."}}},
        {ResultType::STR, "to", true, "If a comment to is associated with the transaction."},
        {ResultType::NUM_TIME, "time", "The transaction time expressed in UNIX epoch time."},
        {ResultType::NUM_TIME, "timereceived", "The time received expressed in UNIX epoch time."},
        {ResultType::STR, "comment", true,
         "If a comment is associated with the transaction, only present if not empty."},
        {ResultType::STR, "bip125-replaceable",
         "(\"yes|no|unknown\") Whether this transaction signals BIP125 replaceability or has an "
         "unconfirmed ancestor signaling BIP125 replaceability.\n"
         "May be unknown for unconfirmed transactions not in the mempool because their "
         "unconfirmed ancestors are unknown."},
        ParentDescsDoc(),
    };
}

std::vector<ResultDoc> Concat(std::vector<ResultDoc> head, const std::vector<ResultDoc>& tail)
{
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
}

ResultDoc AbandonedDoc()
{
    return {ResultType::BOOL, "abandoned",
            "'true' if the transaction has been abandoned (inputs are respendable)."};
}

// The wallet's transactions newest first (Core walks wtxOrdered backwards).
std::vector<TxView> NewestFirst(const Wallet& wallet)
{
    std::vector<TxView> views = wallet.ListTransactions();
    std::reverse(views.begin(), views.end());
    return views;
}

// ---- listtransactions ----------------------------------------------------------------------

Method ListTransactionsMethod(WalletManager& manager)
{
    return Method{
        "listtransactions",
        "wallet",
        "If a label name is provided, this will return only incoming transactions paying to "
        "addresses with the specified label.\n"
        "\nReturns up to 'count' most recent transactions skipping the first 'from' "
        "transactions.",
        {
            {"label", ArgType::STR, ArgOptional::OMITTED,
             "If set, should be a valid label name to return only incoming transactions\n"
             "with the specified label, or \"*\" to disable filtering and return all "
             "transactions."},
            {"count", ArgType::NUM, Json(10), "The number of transactions to return"},
            {"skip", ArgType::NUM, Json(0), "The number of transactions to skip"},
            {"include_watchonly", ArgType::BOOL, DefaultHint{WATCHONLY_HELP},
             "Include transactions to watch-only addresses (see 'importaddress')"},
        },
        {ResultDoc{ResultType::ARR,
                   "",
                   "",
                   {ResultDoc{ResultType::OBJ, "", "",
                              Concat(Concat(
                                         {
                                             InvolvesWatchonlyDoc(),
                                             {ResultType::STR, "address", true,
                                              "The bitcoin address of the transaction (not "
                                              "returned if the output does not have an address, "
                                              "e.g. OP_RETURN null data)."},
                                             {ResultType::STR, "category", CATEGORY_HELP},
                                             {ResultType::STR_AMOUNT, "amount", AMOUNT_SIGN_HELP},
                                             {ResultType::STR, "label", true,
                                              "A comment for the address/transaction, if any"},
                                             {ResultType::NUM, "vout", "the vout value"},
                                             {ResultType::STR_AMOUNT, "fee", true, FEE_HELP},
                                         },
                                         TxFactsDocs()),
                                     {AbandonedDoc()})}}}},
        "\nList the most recent 10 transactions in the systems\n" +
            HelpExampleCli("listtransactions", "") + "\nList transactions 100 to 120\n" +
            HelpExampleCli("listtransactions", "\"*\" 20 100") + "\nAs a JSON-RPC call\n" +
            HelpExampleRpc("listtransactions", "\"*\", 20, 100"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            std::optional<std::string> filter_label;
            const Json& label = request.Arg("label");
            if (!label.is_null() && !(label.is_string() && label.get<std::string>() == "*")) {
                filter_label = LabelFromValue(label);
                if (filter_label->empty()) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "Label argument must be a valid label name or \"*\".");
                }
            }
            int64_t count = rpc::IntFromJson(request.Arg("count"));
            int64_t from = rpc::IntFromJson(request.Arg("skip"));
            if (count < 0) ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Negative count");
            if (from < 0) ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Negative from");

            const ListingContext ctx{*wallet, wallet->Chain().Params(), wallet->AddressBook()};
            std::vector<Json> newest_first;
            for (const TxView& view : NewestFirst(*wallet)) {
                ListTransactionEntries(ctx, view, 0, true, filter_label, false, newest_first);
                if (static_cast<int64_t>(newest_first.size()) >= count + from) break;
            }
            const int64_t size = static_cast<int64_t>(newest_first.size());
            from = std::min(from, size);
            count = std::min(count, size - from);
            // The window [from, from + count) of the newest-first list, returned oldest first.
            Json result = Json::array();
            for (int64_t i = from + count - 1; i >= from; --i)
                result.push_back(std::move(newest_first[static_cast<size_t>(i)]));
            return result;
        },
    };
}

// ---- listsinceblock ------------------------------------------------------------------------

// The height of `hash` and of its last ancestor on the chain ending at the wallet's last block.
struct ForkHeights
{
    int block_height{0};
    int common_height{0};
};

std::optional<ForkHeights> FindFork(const interfaces::Chain& chain, const consensus::Uint256& hash,
                                    const BestBlock& last)
{
    auto info = chain.GetBlockInfo(hash);
    if (!info) return std::nullopt;
    ForkHeights heights{info->height, info->height};
    while (true) {
        if (info->height <= last.height) {
            const auto ancestor = chain.GetAncestor(last.hash, info->height);
            if (ancestor && ancestor->hash == info->hash) break;
        }
        if (info->height == 0) return std::nullopt;
        info = chain.GetBlockInfo(info->header.prev_block);
        if (!info) return std::nullopt;
    }
    heights.common_height = info->height;
    return heights;
}

Method ListSinceBlockMethod(WalletManager& manager)
{
    const std::vector<ResultDoc> entry_fields = Concat(
        Concat(
            {
                InvolvesWatchonlyDoc(),
                {ResultType::STR, "address", true,
                 "The bitcoin address of the transaction (not returned if the output does not "
                 "have an address, e.g. OP_RETURN null data)."},
                {ResultType::STR, "category", CATEGORY_HELP},
                {ResultType::STR_AMOUNT, "amount", AMOUNT_SIGN_HELP},
                {ResultType::NUM, "vout", "the vout value"},
                {ResultType::STR_AMOUNT, "fee", true, FEE_HELP},
            },
            TxFactsDocs()),
        {AbandonedDoc(),
         {ResultType::STR, "label", true, "A comment for the address/transaction, if any"}});
    return Method{
        "listsinceblock",
        "wallet",
        "Get all transactions in blocks since block [blockhash], or all transactions if "
        "omitted.\n"
        "If \"blockhash\" is no longer a part of the main chain, transactions from the fork "
        "point onward are included.\n"
        "Additionally, if include_removed is set, transactions affecting the wallet which were "
        "removed are returned in the \"removed\" array.",
        {
            {"blockhash", ArgType::STR, ArgOptional::OMITTED,
             "If set, the block hash to list transactions since, otherwise list all "
             "transactions."},
            {"target_confirmations", ArgType::NUM, Json(1),
             "Return the nth block hash from the main chain. e.g. 1 would mean the best block "
             "hash. Note: this is not used as a filter, but only affects [lastblock] in the "
             "return value"},
            {"include_watchonly", ArgType::BOOL, DefaultHint{WATCHONLY_HELP},
             "Include transactions to watch-only addresses (see 'importaddress')"},
            {"include_removed", ArgType::BOOL, Json(true),
             "Show transactions that were removed due to a reorg in the \"removed\" array\n"
             "(not guaranteed to work on pruned nodes)"},
            {"include_change", ArgType::BOOL, Json(false),
             "Also add entries for change outputs.\n"},
            {"label", ArgType::STR, ArgOptional::OMITTED,
             "Return only incoming transactions paying to addresses with the specified label.\n"},
        },
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                {ResultType::ARR,
                 "transactions",
                 "",
                 {ResultDoc{ResultType::OBJ, "", "", entry_fields}}},
                {ResultType::ARR,
                 "removed",
                 true,
                 "<structure is the same as \"transactions\" above, only present if "
                 "include_removed=true>\n"
                 "Note: transactions that were re-added in the active chain will appear as-is in "
                 "this array, and may thus have a positive confirmation count.",
                 {{ResultType::ELISION, "", ""}}},
                {ResultType::STR_HEX, "lastblock",
                 "The hash of the block (target_confirmations-1) from the best block on the main "
                 "chain, or the genesis hash if the referenced block does not exist yet. This is "
                 "typically used to feed back into listsinceblock the next time you call it. So "
                 "you would generally use a target_confirmations of say 6, so you will be "
                 "continually re-notified of transactions until they've reached 6 confirmations "
                 "plus any new ones"},
            }}},
        HelpExampleCli("listsinceblock", "") +
            HelpExampleCli("listsinceblock", std::string{EXAMPLE_BLOCK} + " 6") +
            HelpExampleRpc("listsinceblock", std::string{EXAMPLE_BLOCK} + ", 6"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            const interfaces::Chain& chain = wallet->Chain();
            const BestBlock last = wallet->LastBlock();

            std::optional<ForkHeights> fork;
            consensus::Uint256 block_id;
            const Json& blockhash = request.Arg("blockhash");
            if (!blockhash.is_null() &&
                !(blockhash.is_string() && blockhash.get<std::string>().empty())) {
                block_id = rpc::ParseHashParam(blockhash, "blockhash");
                fork = FindFork(chain, block_id, last);
                if (!fork) ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
            }
            int64_t target_confirms = 1;
            if (request.HasArg("target_confirmations")) {
                target_confirms = rpc::IntFromJson(request.Arg("target_confirmations"));
                if (target_confirms < 1) ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Invalid parameter");
            }
            const bool include_removed = request.Arg("include_removed").get<bool>();
            const bool include_change = request.Arg("include_change").get<bool>();
            std::optional<std::string> filter_label;
            if (request.HasArg("label")) filter_label = LabelFromValue(request.Arg("label"));

            const int depth = fork ? last.height + 1 - fork->common_height : -1;
            const ListingContext ctx{*wallet, chain.Params(), wallet->AddressBook()};
            std::vector<Json> transactions;
            for (const TxView& view : wallet->ListTransactions()) {
                if (depth == -1 || std::abs(view.confirmations) < depth) {
                    ListTransactionEntries(ctx, view, 0, true, filter_label, include_change,
                                           transactions);
                }
            }

            // Blocks of the branch that left the active chain: what they held for us.
            std::vector<Json> removed;
            if (include_removed && fork) {
                for (int height = fork->block_height; height > fork->common_height; --height) {
                    auto block = chain.ReadBlock(block_id);
                    if (!block || !*block) {
                        ThrowRpc(rpc::RPC_INTERNAL_ERROR, "Can't read block from disk");
                    }
                    for (const auto& tx : (*block)->vtx) {
                        if (auto view = wallet->GetTransaction(tx->GetHash())) {
                            ListTransactionEntries(ctx, *view, ANY_DEPTH, true, filter_label,
                                                   include_change, removed);
                        }
                    }
                    block_id = (*block)->header.prev_block;
                }
            }

            target_confirms = std::min<int64_t>(target_confirms, last.height + 1);
            const auto lastblock =
                chain.GetAncestor(last.hash, static_cast<int>(last.height + 1 - target_confirms));
            Json result = Json::object();
            result["transactions"] = std::move(transactions);
            if (include_removed) result["removed"] = std::move(removed);
            result["lastblock"] = lastblock ? lastblock->hash.GetHex() : last.hash.GetHex();
            return result;
        },
    };
}

// ---- gettransaction ------------------------------------------------------------------------

Method GetTransactionMethod(WalletManager& manager)
{
    return Method{
        "gettransaction",
        "wallet",
        "Get detailed information about in-wallet transaction <txid>",
        {
            {"txid", ArgType::STR, ArgOptional::NO, "The transaction id"},
            {"include_watchonly", ArgType::BOOL, DefaultHint{WATCHONLY_HELP},
             "Whether to include watch-only addresses in balance calculation and details[]"},
            {"verbose", ArgType::BOOL, Json(false),
             "Whether to include a `decoded` field containing the decoded transaction (equivalent "
             "to RPC decoderawtransaction)"},
        },
        {ResultDoc{ResultType::OBJ, "", "",
                   Concat(Concat(
                              {
                                  {ResultType::STR_AMOUNT, "amount", "The amount in BTC"},
                                  {ResultType::STR_AMOUNT, "fee", true, FEE_HELP},
                              },
                              TxFactsDocs()),
                          {
                              {ResultType::ARR,
                               "details",
                               "",
                               {{ResultType::OBJ,
                                 "",
                                 "",
                                 {
                                     InvolvesWatchonlyDoc(),
                                     {ResultType::STR, "address", true,
                                      "The bitcoin address involved in the transaction."},
                                     {ResultType::STR, "category", CATEGORY_HELP},
                                     {ResultType::STR_AMOUNT, "amount", "The amount in BTC"},
                                     {ResultType::STR, "label", true,
                                      "A comment for the address/transaction, if any"},
                                     {ResultType::NUM, "vout", "the vout value"},
                                     {ResultType::STR_AMOUNT, "fee", true,
                                      "The amount of the fee in BTC. This is negative and only "
                                      "available for the \n"
                                      "'send' category of transactions."},
                                     AbandonedDoc(),
                                     ParentDescsDoc(),
                                 }}}},
                              {ResultType::STR_HEX, "hex", "Raw data for transaction"},
                              {ResultType::OBJ,
                               "decoded",
                               true,
                               "The decoded transaction (only present when `verbose` is passed)",
                               {{ResultType::ELISION, "",
                                 "Equivalent to the RPC decoderawtransaction method, or the RPC "
                                 "getrawtransaction method when `verbose` is passed."}}},
                              LastProcessedBlockDoc(),
                          })}},
        HelpExampleCli("gettransaction", EXAMPLE_TXID) +
            HelpExampleCli("gettransaction", std::string{EXAMPLE_TXID} + " true") +
            HelpExampleCli("gettransaction", std::string{EXAMPLE_TXID} + " false true") +
            HelpExampleRpc("gettransaction", EXAMPLE_TXID),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            const consensus::Uint256 txid = rpc::ParseHashParam(request.Arg("txid"), "txid");
            const bool verbose = request.Arg("verbose").get<bool>();
            const auto view = wallet->GetTransaction(txid);
            if (!view) {
                ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, "Invalid or non-wallet transaction id");
            }
            const consensus::Transaction& tx = *view->wtx.tx;
            const bool from_me = view->debit > 0;
            // Core: net = credit - debit; fee = outputs - debit (negative) when we paid in.
            const consensus::Amount fee = from_me ? tx.GetValueOut() - view->debit : 0;
            Json entry = Json::object();
            entry["amount"] = rpc::AmountToJson(view->credit - view->debit - fee);
            if (from_me) entry["fee"] = rpc::AmountToJson(fee);
            PushTxFacts(wallet->Chain(), *view, entry);

            const ListingContext ctx{*wallet, wallet->Chain().Params(), wallet->AddressBook()};
            std::vector<Json> details;
            ListTransactionEntries(ctx, *view, 0, false, std::nullopt, false, details);
            entry["details"] = std::move(details);
            entry["hex"] = util::HexStr(consensus::Encode(tx));
            if (verbose) {
                entry["decoded"] =
                    rpc::TxToJson(tx, consensus::Uint256{}, wallet->Chain().Params(), false);
            }
            entry["lastprocessedblock"] = LastProcessedBlock(*wallet);
            return entry;
        },
    };
}

} // namespace

void RegisterWalletQueryTxMethods(rpc::MethodTable& table, WalletManager& manager)
{
    table.Register(GetTransactionMethod(manager));
    table.Register(ListSinceBlockMethod(manager));
    table.Register(ListTransactionsMethod(manager));
    RegisterWalletQueryReceivedMethods(table, manager);
}

} // namespace wallet
