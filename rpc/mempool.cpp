// The mempool methods of Core v28: getrawmempool, getmempoolinfo, getmempoolentry,
// getmempoolancestors, getmempooldescendants, gettxspendingprevout, savemempool
// (blockchain); sendrawtransaction, testmempoolaccept, submitpackage (rawtransactions);
// prioritisetransaction, getprioritisedtransactions (mining); estimatesmartfee (util).
#include <rpc/core_read.h>
#include <rpc/dispatch.h>
#include <rpc/mempool.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>

#include <consensus/script/script.h>
#include <interfaces/chain.h>

#include <algorithm>
#include <set>

namespace rpc {

namespace {

// Core's DEFAULT_MAX_RAW_TX_FEE_RATE: 0.10 BTC/kvB.
constexpr consensus::Amount DEFAULT_MAX_RAW_TX_FEE_RATE{10'000'000};
// Core's MAX_PACKAGE_COUNT.
constexpr size_t MAX_PACKAGE_COUNT{25};

std::vector<ResultDoc> EntryDoc()
{
    const auto amount = [](std::string key, std::string text) {
        return ResultDoc{ResultType::STR_AMOUNT, std::move(key), std::move(text)};
    };
    return {
        {ResultType::NUM, "vsize", "virtual transaction size as defined in BIP 141."},
        {ResultType::NUM, "weight", "transaction weight as defined in BIP 141."},
        {ResultType::NUM_TIME, "time",
         "local time transaction entered pool in seconds since 1 Jan 1970 GMT"},
        {ResultType::NUM, "height", "block height when transaction entered pool"},
        {ResultType::NUM, "descendantcount",
         "number of in-mempool descendant transactions (including this one)"},
        {ResultType::NUM, "descendantsize",
         "virtual transaction size of in-mempool descendants (including this one)"},
        {ResultType::NUM, "ancestorcount",
         "number of in-mempool ancestor transactions (including this one)"},
        {ResultType::NUM, "ancestorsize",
         "virtual transaction size of in-mempool ancestors (including this one)"},
        {ResultType::STR_HEX, "wtxid", "hash of serialized transaction, including witness data"},
        {ResultType::OBJ,
         "fees",
         "",
         {
             amount("base", "transaction fee, denominated in BTC"),
             amount("modified",
                    "transaction fee with fee deltas used for mining priority, denominated in BTC"),
             amount("ancestor", "transaction fees of in-mempool ancestors (including this one) "
                                "with fee deltas used for mining priority, denominated in BTC"),
             amount("descendant", "transaction fees of in-mempool descendants (including this one) "
                                  "with fee deltas used for mining priority, denominated in BTC"),
         }},
        {ResultType::ARR,
         "depends",
         "unconfirmed transactions used as inputs for this transaction",
         {{ResultType::STR_HEX, "transactionid", "parent transaction id"}}},
        {ResultType::ARR,
         "spentby",
         "unconfirmed transactions spending outputs from this transaction",
         {{ResultType::STR_HEX, "transactionid", "child transaction id"}}},
        {ResultType::BOOL, "bip125-replaceable",
         "Whether this transaction signals BIP125 replaceability or has an unconfirmed ancestor "
         "signaling BIP125 replaceability. (DEPRECATED)\n"},
        {ResultType::BOOL, "unbroadcast",
         "Whether this transaction is currently unbroadcast (initial broadcast not yet "
         "acknowledged by any peers)"},
    };
}

Json EntryToJson(const interfaces::MempoolEntryInfo& e)
{
    Json out = Json::object();
    out["vsize"] = e.vsize;
    out["weight"] = e.weight;
    out["time"] = e.time;
    out["height"] = e.height;
    out["descendantcount"] = e.descendant_count;
    out["descendantsize"] = e.descendant_size;
    out["ancestorcount"] = e.ancestor_count;
    out["ancestorsize"] = e.ancestor_size;
    out["wtxid"] = e.tx->GetWitnessHash().GetHex();
    out["fees"] = Json{{"base", AmountToJson(e.fee)},
                       {"modified", AmountToJson(e.modified_fee)},
                       {"ancestor", AmountToJson(e.ancestor_fees)},
                       {"descendant", AmountToJson(e.descendant_fees)}};
    Json depends = Json::array();
    for (const auto& txid : e.depends)
        depends.push_back(txid.GetHex());
    out["depends"] = std::move(depends);
    Json spent_by = Json::array();
    for (const auto& txid : e.spent_by)
        spent_by.push_back(txid.GetHex());
    out["spentby"] = std::move(spent_by);
    out["bip125-replaceable"] = e.bip125_replaceable;
    out["unbroadcast"] = e.unbroadcast;
    return out;
}

// A list of txids, or an object of entries by txid when verbose.
Json EntriesToJson(const std::vector<interfaces::MempoolEntryInfo>& entries, bool verbose)
{
    if (!verbose) {
        Json ids = Json::array();
        for (const auto& e : entries)
            ids.push_back(e.tx->GetHash().GetHex());
        return ids;
    }
    Json out = Json::object();
    for (const auto& e : entries)
        out[e.tx->GetHash().GetHex()] = EntryToJson(e);
    return out;
}

consensus::TransactionRef DecodeTxParam(const Json& value)
{
    auto mtx = DecodeHexTx(value);
    if (!mtx) {
        ThrowRpc(RPC_DESERIALIZATION_ERROR,
                 "TX decode failed. Make sure the tx has at least one input.");
    }
    return consensus::MakeTransactionRef(std::move(*mtx));
}

// maxfeerate in BTC/kvB, as sat/kvB (0 = no limit).
consensus::Amount MaxFeeRate(const Json& value)
{
    if (value.is_null()) return DEFAULT_MAX_RAW_TX_FEE_RATE;
    // Core reads it with 8 decimals of BTC per kvB (a fee rate, not an amount of money).
    return AmountFromValue(value, 8);
}

// The maxfeerate argument of sendrawtransaction, testmempoolaccept and submitpackage.
Arg MaxFeeRateArg()
{
    return {"maxfeerate", ArgType::AMOUNT, Json("0.10"),
            "Highest fee rate, in BTC/kvB, a transaction may pay; one paying more is refused as a "
            "likely mistake. 0 turns the check off; 1 BTC/kvB or more is not accepted."};
}

// The maxburnamount argument of sendrawtransaction and submitpackage.
Arg MaxBurnAmountArg()
{
    return {"maxburnamount", ArgType::AMOUNT, Json("0"),
            "Largest value, in BTC, an output that can never be spent (such as an OP_RETURN data "
            "output) may carry; more is refused as a likely mistake. The test recognises "
            "unspendable scripts by their form only."};
}

Json FeesToJson(const interfaces::TxAcceptResult& r)
{
    Json fees = Json{{"base", AmountToJson(r.base_fee)}};
    if (r.effective_feerate_per_kvb) {
        fees["effective-feerate"] = AmountToJson(*r.effective_feerate_per_kvb);
        Json includes = Json::array();
        for (const auto& wtxid : r.effective_includes)
            includes.push_back(wtxid.GetHex());
        fees["effective-includes"] = std::move(includes);
    }
    return fees;
}

Method GetRawMempool(const Services& services)
{
    return Method{
        "getrawmempool",
        "blockchain",
        "Lists the transactions in the mempool: their txids, or every entry in full with "
        "verbose. getmempoolentry shows one of them.",
        {
            {"verbose", ArgType::BOOL, Json(false),
             "Entries in full, keyed by txid, instead of a list of txids"},
            {"mempool_sequence", ArgType::BOOL, Json(false),
             "Without verbose: also return the mempool's sequence number, for matching against "
             "ZMQ sequence messages"},
        },
        {
            ResultDoc{"for verbose = false",
                      ResultType::ARR,
                      "",
                      "",
                      {{ResultType::STR_HEX, "", "The transaction id"}}},
            ResultDoc{"for verbose = true",
                      ResultType::OBJ_DYN,
                      "",
                      "",
                      {{ResultType::OBJ, "transactionid", "", EntryDoc()}}},
            ResultDoc{
                "for verbose = false and mempool_sequence = true",
                ResultType::OBJ,
                "",
                "",
                {{ResultType::ARR, "txids", "", {{ResultType::STR_HEX, "", "The transaction id"}}},
                 {ResultType::NUM, "mempool_sequence", "The mempool sequence value."}}},
        },
        HelpExampleCli("getrawmempool", "true") + HelpExampleRpc("getrawmempool", "true"),
        [&services](const Request& request) -> Result {
            const bool verbose = request.Arg("verbose").get<bool>();
            const bool with_sequence = request.Arg("mempool_sequence").get<bool>();
            if (verbose && with_sequence) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Verbose results cannot contain mempool sequence values.");
            }
            const auto entries = services.chain->GetMempoolEntries();
            if (!with_sequence) return MempoolToJson(entries, verbose);
            const uint64_t sequence = services.chain->GetMempoolSequence();
            return MempoolToJson(entries, false, &sequence);
        },
    };
}

Method GetMempoolInfo(const Services& services)
{
    const auto amount = [](std::string key, std::string text) {
        return ResultDoc{ResultType::STR_AMOUNT, std::move(key), std::move(text)};
    };
    return Method{
        "getmempoolinfo",
        "blockchain",
        "Returns details on the active state of the TX memory pool.",
        {},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                {ResultType::BOOL, "loaded",
                 "True if the initial load attempt of the persisted mempool finished"},
                {ResultType::NUM, "size", "Current tx count"},
                {ResultType::NUM, "bytes",
                 "Sum of all virtual transaction sizes as defined in BIP 141. Differs from actual "
                 "serialized size because witness data is discounted"},
                {ResultType::NUM, "usage", "Total memory usage for the mempool"},
                amount("total_fee", "Total fees for the mempool in BTC, ignoring modified fees "
                                    "through prioritisetransaction"),
                {ResultType::NUM, "maxmempool", "Maximum memory usage for the mempool"},
                amount("mempoolminfee", "Minimum fee rate in BTC/kvB for tx to be accepted. Is the "
                                        "maximum of minrelaytxfee and minimum mempool fee"),
                amount("minrelaytxfee", "Current minimum relay fee for transactions"),
                {ResultType::NUM, "incrementalrelayfee",
                 "minimum fee rate increment for mempool limiting or replacement in BTC/kvB"},
                {ResultType::NUM, "unbroadcastcount",
                 "Current number of transactions that haven't passed initial broadcast yet"},
                {ResultType::BOOL, "fullrbf",
                 "True if the mempool accepts RBF without replaceability signaling inspection "
                 "(DEPRECATED)"},
            }}},
        HelpExampleCli("getmempoolinfo", "") + HelpExampleRpc("getmempoolinfo", ""),
        [&services](const Request&) -> Result {
            return MempoolInfoToJson(services.chain->GetMempoolInfo());
        },
    };
}

Method GetMempoolEntry(const Services& services)
{
    return Method{
        "getmempoolentry",
        "blockchain",
        "Returns mempool data for given transaction",
        {{"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id (must be in mempool)"}},
        {ResultDoc{ResultType::OBJ, "", "", EntryDoc()}},
        HelpExampleCli("getmempoolentry", "\"mytxid\"") +
            HelpExampleRpc("getmempoolentry", "\"mytxid\""),
        [&services](const Request& request) -> Result {
            const auto txid = ParseHashParam(request.Arg("txid"), "txid");
            const auto entry = services.chain->GetMempoolEntry(txid);
            if (!entry) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Transaction not in mempool");
            return EntryToJson(*entry);
        },
    };
}

Method GetMempoolRelatives(const Services& services, bool descendants)
{
    const std::string name = descendants ? "getmempooldescendants" : "getmempoolancestors";
    const std::string which = descendants ? "descendants" : "ancestors";
    return Method{
        name,
        "blockchain",
        "If txid is in the mempool, returns all in-mempool " + which + ".",
        {
            {"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id (must be in mempool)"},
            {"verbose", ArgType::BOOL, Json(false),
             "True for a json object, false for array of transaction ids"},
        },
        {
            ResultDoc{
                "for verbose = false",
                ResultType::ARR,
                "",
                "",
                {{ResultType::STR_HEX, "",
                  "The transaction id of an in-mempool " +
                      std::string{descendants ? "descendant" : "ancestor"} + " transaction"}}},
            ResultDoc{"for verbose = true",
                      ResultType::OBJ_DYN,
                      "",
                      "",
                      {{ResultType::OBJ, "transactionid", "", EntryDoc()}}},
        },
        HelpExampleCli(name, "\"mytxid\"") + HelpExampleRpc(name, "\"mytxid\""),
        [&services, descendants](const Request& request) -> Result {
            const auto txid = ParseHashParam(request.Arg("txid"), "parameter 1");
            const auto relatives = services.chain->GetMempoolRelatives(txid, descendants);
            if (!relatives) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Transaction not in mempool");
            return EntriesToJson(*relatives, request.Arg("verbose").get<bool>());
        },
    };
}

Method GetTxSpendingPrevout(const Services& services)
{
    return Method{
        "gettxspendingprevout",
        "blockchain",
        "Scans the mempool to find transactions spending any of the given outputs",
        {{"outputs",
          ArgType::ARR,
          ArgOptional::NO,
          "The transaction outputs that we want to check, and within each, the txid (string) vout "
          "(numeric).",
          {{"",
            ArgType::OBJ,
            ArgOptional::OMITTED,
            "",
            {
                {"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id"},
                {"vout", ArgType::NUM, ArgOptional::NO, "The output number"},
            }}}}},
        {ResultDoc{ResultType::ARR,
                   "",
                   "",
                   {{ResultType::OBJ,
                     "",
                     "",
                     {
                         {ResultType::STR_HEX, "txid", "the transaction id of the checked output"},
                         {ResultType::NUM, "vout", "the vout value of the checked output"},
                         {ResultType::STR_HEX, "spendingtxid", true,
                          "the transaction id of the mempool transaction spending this output "
                          "(omitted if unspent)"},
                     }}}}},
        HelpExampleCli("gettxspendingprevout", "\"[{\\\"txid\\\":"
                                               "\\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e"
                                               "72f463568df1aadf0\\\",\\\"vout\\\":3}]\"") +
            HelpExampleRpc("gettxspendingprevout", "\"[{\\\"txid\\\":"
                                                   "\\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5"
                                                   "655e72f463568df1aadf0\\\",\\\"vout\\\":3}]\""),
        [&services](const Request& request) -> Result {
            const Json& outputs = request.Arg("outputs");
            if (outputs.empty())
                ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, outputs are missing");
            std::vector<consensus::OutPoint> prevouts;
            for (const Json& o : outputs) {
                if (!o.is_object())
                    ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " + std::string{JsonTypeName(o)} +
                                                 " is not of expected type object");
                for (const auto& [key, _] : o.items()) {
                    if (key != "txid" && key != "vout")
                        ThrowRpc(RPC_INVALID_PARAMETER, "Unexpected key " + key);
                }
                if (!o.contains("txid")) ThrowRpc(RPC_INVALID_PARAMETER, "Missing txid");
                const auto txid = ParseHashParam(o["txid"], "txid");
                if (!o.contains("vout") || !o["vout"].is_number_integer()) {
                    ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, missing vout key");
                }
                const int64_t vout = o["vout"].get<int64_t>();
                if (vout < 0)
                    ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, vout cannot be negative");
                if (vout > 0xffffffffLL)
                    ThrowRpc(RPC_INVALID_PARAMETER, "Invalid parameter, vout too large");
                prevouts.push_back(consensus::OutPoint{txid, static_cast<uint32_t>(vout)});
            }
            Json result = Json::array();
            for (const auto& prevout : prevouts) {
                Json item = Json{{"txid", prevout.hash.GetHex()}, {"vout", prevout.n}};
                if (const auto spender = services.chain->GetMempoolSpender(prevout)) {
                    item["spendingtxid"] = spender->GetHex();
                }
                result.push_back(std::move(item));
            }
            return result;
        },
    };
}

Method SaveMempool(const Services& services)
{
    return Method{
        "savemempool",
        "blockchain",
        "Dumps the mempool to disk. It will fail until the previous dump is fully loaded.",
        {},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {{ResultType::STR, "filename", "the directory and file where the mempool was saved"}}}},
        HelpExampleCli("savemempool", "") + HelpExampleRpc("savemempool", ""),
        [&services](const Request&) -> Result {
            if (!services.chain->GetMempoolInfo().loaded) {
                ThrowRpc(RPC_MISC_ERROR, "The mempool was not loaded yet");
            }
            auto file = services.chain->SaveMempool();
            if (!file) ThrowRpc(RPC_MISC_ERROR, "Unable to dump mempool to disk");
            return Json{{"filename", *file}};
        },
    };
}

// maxburnamount: refuses unspendable outputs worth more than the limit.
void CheckBurn(const consensus::Transaction& tx, const Json& max_burn)
{
    const consensus::Amount limit = max_burn.is_null() ? 0 : AmountFromValue(max_burn);
    for (const auto& out : tx.vout) {
        if (out.value > limit && (out.script_pubkey.IsUnspendable())) {
            ThrowRpc(RPC_TRANSACTION_ERROR,
                     "Unspendable output exceeds maximum configured by user (maxburnamount)");
        }
    }
}

Method SendRawTransaction(const Services& services)
{
    return Method{
        "sendrawtransaction",
        "rawtransactions",
        "Hands a signed transaction (hex) to the node: it is checked against the chain and the "
        "relay rules and, if it passes, enters the mempool. Its txid is returned, also when it "
        "was already there. A transaction whose outputs are already in the UTXO set (it is "
        "confirmed) gives error -27.\n"
        "\nSee also createrawtransaction, signrawtransactionwithkey, testmempoolaccept.",
        {
            {"hexstring", ArgType::STR_HEX, ArgOptional::NO,
             "The transaction, serialized and hex-encoded"},
            MaxFeeRateArg(),
            MaxBurnAmountArg(),
        },
        {ResultDoc{ResultType::STR_HEX, "", "The transaction hash in hex"}},
        "\nCreate a transaction\n" +
            HelpExampleCli("createrawtransaction",
                           "\"[{\\\"txid\\\" : \\\"mytxid\\\",\\\"vout\\\":0}]\" "
                           "\"{\\\"myaddress\\\":0.01}\"") +
            "Sign the transaction, and get back the hex\n" +
            HelpExampleCli("signrawtransactionwithwallet", "\"myhex\"") +
            "\nSend the transaction (signed hex)\n" +
            HelpExampleCli("sendrawtransaction", "\"signedhex\"") + "\nAs a JSON-RPC call\n" +
            HelpExampleRpc("sendrawtransaction", "\"signedhex\""),
        [&services](const Request& request) -> Result {
            const consensus::TransactionRef tx = DecodeTxParam(request.Arg("hexstring"));
            CheckBurn(*tx, request.Arg("maxburnamount"));
            const consensus::Amount max_fee_rate = MaxFeeRate(request.Arg("maxfeerate"));
            if (max_fee_rate > consensus::COIN) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Fee rates larger than or equal to 1BTC/kvB are not accepted");
            }
            // Already confirmed: an output of it is still unspent in the UTXO set.
            for (uint32_t n = 0; n < tx->vout.size(); ++n) {
                if (services.chain->GetCoin(consensus::OutPoint{tx->GetHash(), n})) {
                    ThrowRpc(RPC_VERIFY_ALREADY_IN_CHAIN,
                             "Transaction outputs already in utxo set");
                }
            }
            const interfaces::TxAcceptResult result =
                services.chain->AcceptTransaction(tx, /*test_accept=*/false, max_fee_rate);
            if (result.allowed || result.already_in_mempool || result.other_wtxid) {
                return Json(tx->GetHash().GetHex());
            }
            if (result.reject_reason == "max-fee-exceeded") {
                ThrowRpc(RPC_TRANSACTION_ERROR,
                         "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)");
            }
            if (result.missing_inputs) ThrowRpc(RPC_TRANSACTION_ERROR, result.reject_details);
            ThrowRpc(RPC_TRANSACTION_REJECTED, result.reject_details);
        },
    };
}

Json AcceptResultToJson(const interfaces::TxAcceptResult& r)
{
    Json item = Json{{"txid", r.txid.GetHex()}, {"wtxid", r.wtxid.GetHex()}};
    if (r.allowed) {
        item["allowed"] = true;
        item["vsize"] = r.vsize;
        item["fees"] = FeesToJson(r);
    } else {
        item["allowed"] = false;
        // Core names every missing-input failure "missing-inputs" here, whatever the detail.
        item["reject-reason"] = r.already_in_mempool ? std::string{"txn-already-in-mempool"}
                                : r.missing_inputs   ? std::string{"missing-inputs"}
                                                     : r.reject_reason;
    }
    return item;
}

Method TestMempoolAccept(const Services& services)
{
    return Method{
        "testmempoolaccept",
        "rawtransactions",
        "Runs every check sendrawtransaction would, consensus and relay rules alike, and says "
        "whether each transaction would enter the mempool, changing nothing.\n"
        "\nUp to 25 transactions, parents before children; several are judged as a package, "
        "which may not conflict with the mempool or within itself. When one fails, the others "
        "may be left unjudged (no \"allowed\" key).",
        {
            {"rawtxs",
             ArgType::ARR,
             ArgOptional::NO,
             "The transactions, each serialized and hex-encoded",
             {{"rawtx", ArgType::STR_HEX, ArgOptional::OMITTED, ""}}},
            MaxFeeRateArg(),
        },
        {ResultDoc{
            ResultType::ARR,
            "",
            "One verdict per transaction, in the order given",
            {{ResultType::OBJ,
              "",
              "",
              {
                  {ResultType::STR_HEX, "txid", "The transaction hash in hex"},
                  {ResultType::STR_HEX, "wtxid", "The transaction witness hash in hex"},
                  {ResultType::STR, "package-error", true,
                   "Package validation error, if any (only possible if rawtxs had more than 1 "
                   "transaction)."},
                  {ResultType::BOOL, "allowed", true,
                   "Whether this tx would be accepted to the mempool and pass client-specified "
                   "maxfeerate. If not present, the tx was not fully validated due to a failure in "
                   "another tx in the list."},
                  {ResultType::NUM, "vsize", true,
                   "Virtual transaction size as defined in BIP 141. This is different from actual "
                   "serialized size for witness transactions as witness data is discounted (only "
                   "present when 'allowed' is true)"},
                  {ResultType::OBJ,
                   "fees",
                   true,
                   "Transaction fees (only present if 'allowed' is true)",
                   {
                       {ResultType::STR_AMOUNT, "base", "transaction fee in BTC"},
                       {ResultType::STR_AMOUNT, "effective-feerate",
                        "the effective feerate in BTC per KvB. May differ from the base feerate "
                        "if, for example, there are modified fees from prioritisetransaction or a "
                        "package feerate was used."},
                       {ResultType::ARR,
                        "effective-includes",
                        "transactions whose fees and vsizes are included in effective-feerate.",
                        {{ResultType::STR_HEX, "", "transaction wtxid in hex"}}},
                   }},
                  {ResultType::STR, "reject-reason", true,
                   "Rejection string (only present when 'allowed' is false)"},
              }}}}},
        "\nCreate a transaction\n" +
            HelpExampleCli("createrawtransaction",
                           "\"[{\\\"txid\\\" : \\\"mytxid\\\",\\\"vout\\\":0}]\" "
                           "\"{\\\"myaddress\\\":0.01}\"") +
            "Sign the transaction, and get back the hex\n" +
            HelpExampleCli("signrawtransactionwithwallet", "\"myhex\"") +
            "\nTest acceptance of the transaction (signed hex)\n" +
            HelpExampleCli("testmempoolaccept", "'[\"signedhex\"]'") + "\nAs a JSON-RPC call\n" +
            HelpExampleRpc("testmempoolaccept", "[\"signedhex\"]"),
        [&services](const Request& request) -> Result {
            const Json& raw = request.Arg("rawtxs");
            if (raw.empty() || raw.size() > MAX_PACKAGE_COUNT) {
                ThrowRpc(RPC_INVALID_PARAMETER, "Array must contain between 1 and " +
                                                    std::to_string(MAX_PACKAGE_COUNT) +
                                                    " transactions.");
            }
            const consensus::Amount max_fee_rate = MaxFeeRate(request.Arg("maxfeerate"));
            std::vector<consensus::TransactionRef> txs;
            for (const Json& hex : raw)
                txs.push_back(DecodeTxParam(hex));
            Json result = Json::array();
            if (txs.size() == 1) {
                result.push_back(AcceptResultToJson(
                    services.chain->AcceptTransaction(txs[0], /*test_accept=*/true, max_fee_rate)));
                return result;
            }
            const interfaces::PackageAcceptResult package =
                services.chain->AcceptPackage(txs, /*test_accept=*/true, max_fee_rate);
            for (const auto& r : package.results) {
                Json item = Json{{"txid", r.txid.GetHex()}, {"wtxid", r.wtxid.GetHex()}};
                // Core names only package-policy failures here; a failed member (its reason
                // is always "transaction failed") shows in that member's own result.
                if (!package.package_error.empty() &&
                    package.package_error.rfind("transaction failed", 0) != 0) {
                    item["package-error"] = package.package_error;
                }
                if (r.allowed || !r.reject_reason.empty() || r.already_in_mempool) {
                    Json detail = AcceptResultToJson(r);
                    for (auto& [key, value] : detail.items())
                        if (key != "txid" && key != "wtxid") item[key] = value;
                }
                result.push_back(std::move(item));
            }
            return result;
        },
    };
}

// Core's IsChildWithParentsTree: every transaction but the last is a parent of the last, and
// no parent spends another.
bool IsChildWithParentsTree(const std::vector<consensus::TransactionRef>& txs)
{
    std::set<consensus::Uint256> parents;
    for (size_t i = 0; i + 1 < txs.size(); ++i)
        parents.insert(txs[i]->GetHash());
    std::set<consensus::Uint256> spent_by_child;
    for (const auto& in : txs.back()->vin) {
        if (parents.count(in.prevout.hash)) spent_by_child.insert(in.prevout.hash);
    }
    if (spent_by_child.size() != parents.size()) return false;
    for (size_t i = 0; i + 1 < txs.size(); ++i) {
        for (const auto& in : txs[i]->vin) {
            if (parents.count(in.prevout.hash)) return false;
        }
    }
    return true;
}

Method SubmitPackage(const Services& services)
{
    return Method{
        "submitpackage",
        "rawtransactions",
        "Hands a child transaction and its unconfirmed parents to the node as one package, so "
        "the child's fee can pay for a parent too cheap to enter the mempool alone. Each "
        "transaction that passes the checks enters the mempool, whatever happens to the others.",
        {
            {"package",
             ArgType::ARR,
             ArgOptional::NO,
             "The transactions, hex-encoded: parents first (none spending another), the child "
             "that spends them last",
             {{"rawtx", ArgType::STR_HEX, ArgOptional::OMITTED, ""}}},
            MaxFeeRateArg(),
            MaxBurnAmountArg(),
        },
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                {ResultType::STR, "package_msg",
                 "The transaction package result message. \"success\" indicates all transactions "
                 "were accepted into or are already in the mempool."},
                {ResultType::OBJ_DYN,
                 "tx-results",
                 "transaction results keyed by wtxid",
                 {{ResultType::OBJ,
                   "wtxid",
                   "transaction wtxid",
                   {
                       {ResultType::STR_HEX, "txid", "The transaction hash in hex"},
                       {ResultType::STR_HEX, "other-wtxid", true,
                        "The wtxid of a different transaction with the same txid but different "
                        "witness found in the mempool. This means the submitted transaction was "
                        "ignored."},
                       {ResultType::NUM, "vsize", true,
                        "Sigops-adjusted virtual transaction size."},
                       {ResultType::OBJ,
                        "fees",
                        true,
                        "Transaction fees",
                        {
                            {ResultType::STR_AMOUNT, "base", "transaction fee in BTC"},
                            {ResultType::STR_AMOUNT, "effective-feerate", true,
                             "if the transaction was not already in the mempool, the effective "
                             "feerate in BTC per KvB. For example, the package feerate and/or "
                             "feerate with modified fees from prioritisetransaction."},
                            {ResultType::ARR,
                             "effective-includes",
                             true,
                             "if effective-feerate is provided, the wtxids of the transactions "
                             "whose fees and vsizes are included in effective-feerate.",
                             {{ResultType::STR_HEX, "", "transaction wtxid in hex"}}},
                        }},
                       {ResultType::STR, "error", true,
                        "The transaction error string, if it was rejected by the mempool"},
                   }}}},
                {ResultType::ARR,
                 "replaced-transactions",
                 true,
                 "List of txids of replaced transactions",
                 {{ResultType::STR_HEX, "", "The transaction id"}}},
            }}},
        "\nSubmit a package (child last)\n" +
            HelpExampleRpc("submitpackage",
                           "[\"raw-parent-tx-1\", \"raw-parent-tx-2\", \"raw-child-tx\"]") +
            HelpExampleCli("submitpackage", "'[\"raw-tx-without-unconfirmed-parents\"]'"),
        [&services](const Request& request) -> Result {
            const Json& raw = request.Arg("package");
            if (raw.empty() || raw.size() > MAX_PACKAGE_COUNT) {
                ThrowRpc(RPC_INVALID_PARAMETER, "Array must contain between 1 and " +
                                                    std::to_string(MAX_PACKAGE_COUNT) +
                                                    " transactions.");
            }
            const consensus::Amount max_fee_rate = MaxFeeRate(request.Arg("maxfeerate"));
            std::vector<consensus::TransactionRef> txs;
            for (const Json& hex : raw) {
                txs.push_back(DecodeTxParam(hex));
                CheckBurn(*txs.back(), request.Arg("maxburnamount"));
            }
            if (txs.size() > 1 && !IsChildWithParentsTree(txs)) {
                ThrowRpc(RPC_TRANSACTION_ERROR, "package topology disallowed. not "
                                                "child-with-parents or parents depend on each "
                                                "other.");
            }
            const interfaces::PackageAcceptResult package =
                services.chain->AcceptPackage(txs, /*test_accept=*/false, max_fee_rate);
            Json tx_results = Json::object();
            std::set<std::string> replaced;
            for (const auto& r : package.results) {
                Json item = Json{{"txid", r.txid.GetHex()}};
                if (r.other_wtxid) {
                    item["other-wtxid"] = r.other_wtxid->GetHex();
                } else if (r.allowed || r.already_in_mempool) {
                    item["vsize"] = r.vsize;
                    item["fees"] = FeesToJson(r);
                    for (const auto& txid : r.replaced)
                        replaced.insert(txid.GetHex());
                } else if (!r.reject_reason.empty()) {
                    item["error"] = r.reject_details;
                }
                tx_results[r.wtxid.GetHex()] = std::move(item);
            }
            Json result = Json::object();
            result["package_msg"] =
                package.package_error.empty() ? std::string{"success"} : package.package_error;
            result["tx-results"] = std::move(tx_results);
            result["replaced-transactions"] =
                Json(std::vector<std::string>(replaced.begin(), replaced.end()));
            return result;
        },
    };
}

Method PrioritiseTransaction(const Services& services)
{
    return Method{
        "prioritisetransaction",
        "mining",
        "Makes block templates (and eviction) treat a transaction as if it paid more, or less, "
        "than it does.",
        {
            {"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id."},
            {"dummy", ArgType::NUM, ArgOptional::OMITTED,
             "Left over from an older interface: must be 0 or null. Better left out, with named "
             "arguments."},
            {"fee_delta", ArgType::NUM, ArgOptional::NO,
             "Satoshis added to (or, if negative, taken from) the transaction's absolute fee as "
             "block assembly sees it; nothing is actually paid."},
        },
        {ResultDoc{ResultType::BOOL, "", "Returns true"}},
        HelpExampleCli("prioritisetransaction", "\"txid\" 0.0 10000") +
            HelpExampleRpc("prioritisetransaction", "\"txid\", 0.0, 10000"),
        [&services](const Request& request) -> Result {
            const auto txid = ParseHashParam(request.Arg("txid"), "txid");
            const Json& dummy = request.Arg("dummy");
            if (!dummy.is_null() && dummy.get<double>() != 0) {
                ThrowRpc(RPC_INVALID_PARAMETER, "Priority is no longer supported, dummy argument "
                                                "to prioritisetransaction must be 0.");
            }
            services.chain->PrioritiseTransaction(txid, IntFromJson(request.Arg("fee_delta")));
            return Json(true);
        },
    };
}

Method GetPrioritisedTransactions(const Services& services)
{
    return Method{
        "getprioritisedtransactions",
        "mining",
        "Returns a map of all user-created (see prioritisetransaction) fee deltas by txid, and "
        "whether the tx is present in mempool.",
        {},
        {ResultDoc{ResultType::OBJ_DYN,
                   "",
                   "prioritisation keyed by txid",
                   {{ResultType::OBJ,
                     "<transactionid>",
                     "",
                     {
                         {ResultType::NUM, "fee_delta", "transaction fee delta in satoshis"},
                         {ResultType::BOOL, "in_mempool",
                          "whether this transaction is currently in mempool"},
                         {ResultType::NUM, "modified_fee", true,
                          "modified fee in satoshis. Only returned if in_mempool=true"},
                     }}}}},
        HelpExampleCli("getprioritisedtransactions", "") +
            HelpExampleRpc("getprioritisedtransactions", ""),
        [&services](const Request&) -> Result {
            Json result = Json::object();
            for (const auto& [txid, delta, in_pool] :
                 services.chain->GetPrioritisedTransactions()) {
                Json item = Json{{"fee_delta", delta}, {"in_mempool", in_pool}};
                if (in_pool) {
                    if (const auto entry = services.chain->GetMempoolEntry(txid)) {
                        item["modified_fee"] = entry->modified_fee;
                    }
                }
                result[txid.GetHex()] = std::move(item);
            }
            return result;
        },
    };
}

Method EstimateSmartFee(const Services& services)
{
    return Method{
        "estimatesmartfee",
        "util",
        "The fee rate (BTC per 1,000 virtual bytes) a transaction likely needs to confirm within "
        "conf_target blocks, learned from how long mempool transactions took to confirm, and the "
        "target the estimate was actually found for.\n"
        "On regtest and signet, a fallback of 0.00010000 BTC/kvB is returned while there is no "
        "data yet.",
        {
            {"conf_target", ArgType::NUM, ArgOptional::NO,
             "Confirmation target in blocks (1 - 1008)"},
            {"estimate_mode", ArgType::STR, Json("economical"),
             "\"economical\" follows the recent fee market; \"conservative\" also has to hold over "
             "a longer history, so it may be higher but follows drops more slowly. \"unset\" "
             "means economical. Any letter case."},
        },
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                {ResultType::NUM, "feerate", true,
                 "estimate fee rate in BTC/kvB (only present if no errors were encountered)"},
                {ResultType::ARR,
                 "errors",
                 true,
                 "Errors encountered during processing (if there are any)",
                 {{ResultType::STR, "", "error"}}},
                {ResultType::NUM, "blocks",
                 "block number where estimate was found\nThe request target will be clamped "
                 "between 2 and the highest target\nfee estimation is able to return based on how "
                 "long it has been running.\nAn error is returned if not enough transactions and "
                 "blocks\nhave been observed to make an estimate for any number of blocks."},
            }}},
        HelpExampleCli("estimatesmartfee", "6") + HelpExampleRpc("estimatesmartfee", "6"),
        [&services](const Request& request) -> Result {
            const int64_t target = IntFromJson(request.Arg("conf_target"));
            if (target < 1 || target > 1008) {
                ThrowRpc(RPC_INVALID_PARAMETER, "Invalid conf_target, must be between 1 and 1008");
            }
            std::string mode = request.Arg("estimate_mode").get<std::string>();
            std::transform(mode.begin(), mode.end(), mode.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (mode != "unset" && mode != "economical" && mode != "conservative") {
                ThrowRpc(RPC_INVALID_PARAMETER, "Invalid estimate_mode parameter, must be one of: "
                                                "\"unset\", \"economical\", \"conservative\"");
            }
            const interfaces::FeeEstimateInfo estimate =
                services.chain->EstimateSmartFee(static_cast<int>(target), mode);
            Json result = Json::object();
            if (estimate.feerate_per_kvb) {
                result["feerate"] = AmountToJson(*estimate.feerate_per_kvb);
            } else {
                result["errors"] = Json(estimate.errors);
            }
            result["blocks"] = estimate.blocks;
            return result;
        },
    };
}

} // namespace

Json MempoolInfoToJson(const interfaces::MempoolInfo& info)
{
    return Json{
        {"loaded", info.loaded},
        {"size", info.size},
        {"bytes", info.bytes},
        {"usage", info.usage},
        {"total_fee", AmountToJson(info.total_fee)},
        {"maxmempool", info.max_size_bytes},
        {"mempoolminfee", AmountToJson(info.min_fee_per_kvb)},
        {"minrelaytxfee", AmountToJson(info.min_relay_fee_per_kvb)},
        {"incrementalrelayfee", AmountToJson(info.incremental_relay_fee_per_kvb)},
        {"unbroadcastcount", info.unbroadcast_count},
        {"fullrbf", info.full_rbf},
    };
}

Json MempoolToJson(const std::vector<interfaces::MempoolEntryInfo>& entries, bool verbose,
                   const uint64_t* sequence)
{
    if (verbose || !sequence) return EntriesToJson(entries, verbose);
    return Json{{"txids", EntriesToJson(entries, false)}, {"mempool_sequence", *sequence}};
}

void RegisterMempoolMethods(MethodTable& table, const Services& services)
{
    table.Register(GetRawMempool(services));
    table.Register(GetMempoolInfo(services));
    table.Register(GetMempoolEntry(services));
    table.Register(GetMempoolRelatives(services, /*descendants=*/false));
    table.Register(GetMempoolRelatives(services, /*descendants=*/true));
    table.Register(GetTxSpendingPrevout(services));
    table.Register(SaveMempool(services));
    table.Register(SendRawTransaction(services));
    table.Register(TestMempoolAccept(services));
    table.Register(SubmitPackage(services));
    table.Register(PrioritiseTransaction(services));
    table.Register(GetPrioritisedTransactions(services));
    table.Register(EstimateSmartFee(services));
}

} // namespace rpc
