// wallet: importdescriptors, listdescriptors, rescanblockchain, keypoolrefill, lockunspent,
// listlockunspent, abandontransaction and signmessage, with Bitcoin Core v28's names, results,
// errors and codes.
#include <wallet/rpc/rpc_names.h>
#include <wallet/rpc/util.h>
#include <wallet/rpc/wallet_manage_internal.h>

#include <common/chainparams.h>
#include <common/descriptor.h>
#include <common/key_io.h>
#include <rpc/dispatch.h>
#include <rpc/util.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace wallet {

namespace {

// Core's TIMESTAMP_WINDOW: a rescan for keys born at time T starts at blocks from T - 2 h.
constexpr int64_t TIMESTAMP_WINDOW{2 * 60 * 60};
// Blocks are found by median time past, which is monotonic but trails the header times (by
// about an hour on a live chain); this extra margin keeps blocks near the window's edge.
constexpr int64_t MEDIAN_TIME_SLACK{2 * 60 * 60};
// Core's floor for import timestamps.
constexpr int64_t MINIMUM_TIMESTAMP{1};

const char* const RESCAN_BUSY{"Wallet is currently rescanning. Abort existing rescan or wait."};

// The lowest active-chain height whose median time past is at least `time`; tip + 1 if none.
int FirstHeightFromTime(const interfaces::Chain& chain, int tip_height, int64_t time)
{
    int low = 0;
    int high = tip_height + 1;
    while (low < high) {
        const int mid = low + (high - low) / 2;
        const auto info = chain.GetBlockInfoAtHeight(mid);
        if (info && info->median_time_past >= time) {
            high = mid;
        } else if (info) {
            low = mid + 1;
        } else {
            high = mid; // the chain got shorter: treat the missing part as "late enough"
        }
    }
    return low;
}

// Core's GetImportTimestamp: a number, or "now" for the wallet's current block time.
int64_t ImportTimestamp(const Json& request, int64_t now)
{
    const auto it = request.find("timestamp");
    if (it == request.end()) {
        ThrowRpc(rpc::RPC_TYPE_ERROR, "Missing required timestamp field for key");
    }
    if (it->is_number()) return rpc::IntFromJson(*it);
    if (it->is_string() && it->get<std::string>() == "now") return now;
    ThrowRpc(rpc::RPC_TYPE_ERROR, "Expected number or \"now\" timestamp value for key. got type " +
                                      std::string{rpc::JsonTypeName(*it)});
}

bool GetBool(const Json& object, const char* key)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return false;
    if (!it->is_boolean()) {
        ThrowRpc(rpc::RPC_TYPE_ERROR, std::string{"JSON value of type "} +
                                          std::string{rpc::JsonTypeName(*it)} + " for field " +
                                          key + " is not of expected type bool");
    }
    return it->get<bool>();
}

// One importdescriptors request checked as Core's ProcessDescriptorImport does, then handed to
// the wallet. Throws RpcException for the request's "error".
std::vector<std::string> ImportOne(Wallet& wallet, const Json& data, int64_t timestamp,
                                   bool timestamp_is_now)
{
    std::vector<std::string> warnings;
    const auto desc_it = data.find("desc");
    if (desc_it == data.end()) ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Descriptor not found.");
    if (!desc_it->is_string()) {
        ThrowRpc(rpc::RPC_TYPE_ERROR, "JSON value of type " +
                                          std::string{rpc::JsonTypeName(*desc_it)} +
                                          " is not of expected type string");
    }
    const std::string text = desc_it->get<std::string>();
    const bool active = GetBool(data, "active");
    const bool internal = GetBool(data, "internal");
    const bool has_label = data.contains("label");
    const std::string label = has_label ? LabelFromValue(data.at("label")) : std::string{};

    auto parsed = common::ParseDescriptor(text, wallet.Chain().Params(), /*require_checksum=*/true);
    if (!parsed) ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, parsed.error().message);
    const common::Descriptor& desc = **parsed;

    ImportRequest request;
    request.desc = text;
    if (!timestamp_is_now) request.timestamp = timestamp;
    request.internal = internal;
    request.label = label;
    const bool has_range = data.contains("range") && !data.at("range").is_null();
    int64_t range_start = 0;
    int64_t range_end = 1; // exclusive, as Core keeps it
    if (!desc.IsRange() && has_range) {
        ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                 "Range should not be specified for an un-ranged descriptor");
    }
    if (desc.IsRange()) {
        if (has_range) {
            const auto [begin, end] = rpc::ParseDescriptorRange(data.at("range"));
            range_start = begin;
            range_end = end + 1;
            request.range =
                std::pair<int32_t, int32_t>{static_cast<int32_t>(begin), static_cast<int32_t>(end)};
        } else {
            warnings.emplace_back("Range not given, using default keypool range");
            range_end = wallet.Settings().keypool_size;
        }
        if (data.contains("next_index") && !data.at("next_index").is_null()) {
            const int64_t next = rpc::IntFromJson(data.at("next_index"));
            if (next < range_start || next >= range_end) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER, "next_index is out of range");
            }
            request.next_index = static_cast<int32_t>(next);
        }
    }
    if (active && !desc.IsRange()) {
        ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Active descriptors must be ranged");
    }
    if (desc.IsRange() && has_label) {
        ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Ranged descriptors should not have a label");
    }
    if (internal && has_label) {
        ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Internal addresses should not have a label");
    }
    if (active && !desc.IsSingleType()) {
        ThrowRpc(RPC_WALLET_ERROR, "Combo descriptors cannot be set to active");
    }
    if (!wallet.HasPrivateKeys() && desc.HasPrivateKeys()) {
        ThrowRpc(RPC_WALLET_ERROR,
                 "Cannot import private keys to a wallet with private keys disabled");
    }
    if (!desc.Expand(static_cast<uint32_t>(range_start))) {
        ThrowRpc(RPC_WALLET_ERROR, "Cannot expand descriptor. Probably because of hardened "
                                   "derivations without private keys provided");
    }
    if (wallet.HasPrivateKeys()) {
        if (!desc.HasPrivateKeys()) {
            ThrowRpc(RPC_WALLET_ERROR, "Cannot import descriptor without private keys to a "
                                       "wallet with private keys enabled");
        }
        if (!desc.ToString(common::DescriptorStringType::PRIVATE)) {
            warnings.emplace_back(
                "Not all private keys provided. Some wallet functionality may return unexpected "
                "errors");
        }
    }
    request.active = active;
    if (active && !desc.GetOutputType()) {
        warnings.emplace_back("Unknown output type, cannot set descriptor to active.");
        request.active = false;
    }
    auto imported = wallet.ImportDescriptor(request);
    if (!imported) ThrowRpc(RPC_WALLET_ERROR, imported.error().message);
    for (std::string& warning : *imported) {
        if (std::find(warnings.begin(), warnings.end(), warning) == warnings.end()) {
            warnings.push_back(std::move(warning));
        }
    }
    return warnings;
}

Method ImportDescriptorsMethod(WalletManager& manager)
{
    const std::vector<Arg> request_fields{
        {"desc", ArgType::STR, ArgOptional::NO, "Descriptor to import."},
        {"active", ArgType::BOOL, Json(false),
         "Make this the active descriptor for its output type and internal/external role"},
        {"range", ArgType::RANGE, ArgOptional::OMITTED,
         "For a ranged descriptor: the end, or [begin,end], of the range to import"},
        {"next_index", ArgType::NUM, ArgOptional::OMITTED,
         "For an active ranged descriptor: the next index to hand out addresses from"},
        {"timestamp",
         ArgType::NUM,
         ArgOptional::NO,
         "UNIX epoch time from which to rescan the chain for this descriptor.\n"
         "\"now\" stands for the wallet's current block time and skips the scan, for outputs "
         "known never to have been used; 0 scans the whole chain. Blocks from 2 hours before the "
         "earliest timestamp of the call are scanned.",
         {},
         ArgOptions{.skip_type_check = true,
                    .type_str = {"timestamp | \"now\"", "integer / string"}}},
        {"internal", ArgType::BOOL, Json(false),
         "Treat matching outputs as change rather than incoming payments"},
        {"label", ArgType::STR, Json(""),
         "Label for the address; only for unranged descriptors with internal=false"},
    };
    return Method{
        "importdescriptors",
        "wallet",
        "Imports descriptors, then rescans the chain from the earliest timestamp among them. "
        "Make a new backup afterwards.\n\n"
        "Note: a rescan from an early timestamp can take long; until it ends, other calls may "
        "show the imported scripts without all their transactions.",
        {{"requests",
          ArgType::ARR,
          ArgOptional::NO,
          "Data to be imported",
          {Arg{"", ArgType::OBJ, ArgOptional::OMITTED, "", request_fields}}}},
        {ResultDoc{ResultType::ARR,
                   "",
                   "One entry per request, in order, with its outcome",
                   {ResultDoc{ResultType::OBJ,
                              "",
                              "",
                              {
                                  ResultDoc{ResultType::BOOL, "success", ""},
                                  ResultDoc{ResultType::ARR,
                                            "warnings",
                                            true,
                                            "",
                                            {ResultDoc{ResultType::STR, "", ""}}},
                                  ResultDoc{ResultType::OBJ,
                                            "error",
                                            true,
                                            "",
                                            {ResultDoc{ResultType::ELISION, "", "JSONRPC error"}}},
                              }}}}},
        HelpExampleCli("importdescriptors",
                       "'[{ \"desc\": \"<my descriptor>\", \"timestamp\":1455191478, "
                       "\"internal\": true }, { \"desc\": \"<my descriptor 2>\", \"label\": "
                       "\"example 2\", \"timestamp\": 1455191480 }]'") +
            HelpExampleCli("importdescriptors",
                           "'[{ \"desc\": \"<my descriptor>\", \"timestamp\":1455191478, "
                           "\"active\": true, \"range\": [0,100], \"label\": \"<my bech32 "
                           "wallet>\" }]'"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            if (!wallet->HasFlag(WALLET_FLAG_DESCRIPTORS)) {
                ThrowRpc(RPC_WALLET_ERROR,
                         "importdescriptors is not available for non-descriptor wallets");
            }
            wallet->BlockUntilSyncedToCurrentChain();
            if (wallet->IsScanning()) ThrowRpc(RPC_WALLET_ERROR, RESCAN_BUSY);
            EnsureWalletIsUnlocked(*wallet);

            // "now" is the median time past of the wallet's block; the scan starts no later
            // than that block's own time.
            interfaces::Chain& chain = wallet->Chain();
            const BestBlock last = wallet->LastBlock();
            const auto last_info = chain.GetBlockInfo(last.hash);
            const int64_t now = last_info ? last_info->median_time_past : 0;
            int64_t lowest_timestamp = last_info ? last_info->header.time : 0;

            const Json& requests = request.Arg("requests");
            Json response = Json::array();
            bool rescan = false;
            for (const Json& data : requests) {
                if (!data.is_object()) {
                    ThrowRpc(rpc::RPC_TYPE_ERROR, "JSON value of type " +
                                                      std::string{rpc::JsonTypeName(data)} +
                                                      " is not of expected type object");
                }
                const int64_t given = ImportTimestamp(data, now);
                const bool is_now = data.at("timestamp").is_string();
                const int64_t timestamp = std::max(given, MINIMUM_TIMESTAMP);
                Json result{{"success", false}};
                std::vector<std::string> warnings;
                try {
                    warnings = ImportOne(*wallet, data, timestamp, is_now);
                    result["success"] = true;
                } catch (const rpc::RpcException& e) {
                    result["error"] = rpc::ErrorObject(e.Error());
                }
                if (!warnings.empty()) result["warnings"] = warnings;
                lowest_timestamp = std::min(lowest_timestamp, timestamp);
                if (result["success"].get<bool>()) rescan = true;
                response.push_back(std::move(result));
            }

            if (rescan && last_info) {
                const int start = FirstHeightFromTime(
                    chain, last.height, lowest_timestamp - TIMESTAMP_WINDOW - MEDIAN_TIME_SLACK);
                if (start <= last.height) {
                    const std::atomic<bool> abort{false};
                    auto scanned = wallet->Rescan(start, std::nullopt, abort);
                    if (!scanned || scanned->aborted) {
                        const std::string reason =
                            scanned ? "the scan was aborted" : scanned.error().message;
                        // As Core, the requests whose blocks may have been missed fail.
                        for (Json& result : response) {
                            if (!result["success"].get<bool>()) continue;
                            result["success"] = false;
                            result["error"] = rpc::ErrorObject(rpc::RpcError{
                                rpc::RPC_MISC_ERROR,
                                "Rescan failed for descriptor: " + reason +
                                    ". Transactions and coins using this descriptor may not "
                                    "appear in the wallet; rescanblockchain can retry."});
                        }
                    }
                }
            }
            return response;
        },
    };
}

Method ListDescriptorsMethod(WalletManager& manager)
{
    return Method{
        "listdescriptors",
        "wallet",
        "The descriptors of the wallet.",
        {{"private", ArgType::BOOL, Json(false), "Show private descriptors."}},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                ResultDoc{ResultType::STR, "wallet_name", "Name of the wallet"},
                ResultDoc{
                    ResultType::ARR,
                    "descriptors",
                    "The descriptors, sorted by their text",
                    {ResultDoc{
                        ResultType::OBJ,
                        "",
                        "",
                        {
                            ResultDoc{ResultType::STR, "desc", "Descriptor string representation"},
                            ResultDoc{ResultType::NUM, "timestamp",
                                      "The creation time of the descriptor"},
                            ResultDoc{ResultType::BOOL, "active",
                                      "Whether new addresses come from this descriptor"},
                            ResultDoc{ResultType::BOOL, "internal", true,
                                      "Active descriptors only: true for change addresses, false "
                                      "for receiving ones"},
                            ResultDoc{ResultType::ARR_FIXED,
                                      "range",
                                      true,
                                      "Ranged descriptors only",
                                      {
                                          ResultDoc{ResultType::NUM, "", "Range start inclusive"},
                                          ResultDoc{ResultType::NUM, "", "Range end inclusive"},
                                      }},
                            ResultDoc{ResultType::NUM, "next", true,
                                      "Same as next_index, kept for compatibility"},
                            ResultDoc{ResultType::NUM, "next_index", true,
                                      "Ranged descriptors only: the next index addresses come "
                                      "from"},
                        }}}},
            }}},
        HelpExampleCli("listdescriptors", "") + HelpExampleRpc("listdescriptors", "") +
            HelpExampleCli("listdescriptors", "true") + HelpExampleRpc("listdescriptors", "true"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            if (!wallet->HasFlag(WALLET_FLAG_DESCRIPTORS)) {
                ThrowRpc(RPC_WALLET_ERROR,
                         "listdescriptors is not available for non-descriptor wallets");
            }
            const bool with_private = request.Arg("private").get<bool>();
            if (with_private) EnsureWalletIsUnlocked(*wallet);
            auto listed = wallet->ListDescriptors(with_private);
            if (!listed) ThrowRpc(RPC_WALLET_ERROR, listed.error().message);
            std::vector<DescriptorInfo> infos = std::move(*listed);
            std::sort(
                infos.begin(), infos.end(),
                [](const DescriptorInfo& a, const DescriptorInfo& b) { return a.desc < b.desc; });
            Json descriptors = Json::array();
            for (const DescriptorInfo& info : infos) {
                Json entry{
                    {"desc", info.desc}, {"timestamp", info.timestamp}, {"active", info.active}};
                if (info.active && info.internal) entry["internal"] = *info.internal;
                if (info.range)
                    entry["range"] = Json::array({info.range->first, info.range->second});
                if (info.next_index) {
                    entry["next"] = *info.next_index;
                    entry["next_index"] = *info.next_index;
                }
                descriptors.push_back(std::move(entry));
            }
            return Json{{"wallet_name", wallet->Name()}, {"descriptors", std::move(descriptors)}};
        },
    };
}

Method RescanBlockchainMethod(WalletManager& manager)
{
    return Method{
        "rescanblockchain",
        "wallet",
        "Scans the local chain for transactions of the wallet.\n"
        "Note: getwalletinfo shows whether a scan is running.",
        {
            {"start_height", ArgType::NUM, Json(0), "the height where the scan starts"},
            {"stop_height", ArgType::NUM, ArgOptional::OMITTED,
             "the last height to scan; without it the scan goes to the tip at the time this call "
             "returns"},
        },
        {ResultDoc{ResultType::OBJ,
                   "",
                   "",
                   {
                       ResultDoc{ResultType::NUM, "start_height",
                                 "The height where the scan started (the requested one or 0)"},
                       ResultDoc{ResultType::NUM, "stop_height",
                                 "The height of the last block scanned; null if none was (rare: "
                                 "a reorg during the call)"},
                   }}},
        HelpExampleCli("rescanblockchain", "100000 120000") +
            HelpExampleRpc("rescanblockchain", "100000, 120000"),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            if (wallet->IsScanning()) ThrowRpc(RPC_WALLET_ERROR, RESCAN_BUSY);
            EnsureWalletIsUnlocked(*wallet);
            const int tip_height = wallet->LastBlock().height;
            const int64_t start = rpc::IntFromJson(request.Arg("start_height"));
            if (start < 0 || start > tip_height) {
                ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Invalid start_height");
            }
            std::optional<int> stop;
            if (request.HasArg("stop_height")) {
                const int64_t value = rpc::IntFromJson(request.Arg("stop_height"));
                if (value < 0 || value > tip_height) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Invalid stop_height");
                }
                if (value < start) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "stop_height must be greater than start_height");
                }
                stop = static_cast<int>(value);
            }
            const std::atomic<bool> abort{false};
            auto scanned = wallet->Rescan(static_cast<int>(start), stop, abort);
            if (!scanned) {
                ThrowRpc(rpc::RPC_MISC_ERROR, "Rescan failed. Potentially corrupted data files. " +
                                                  scanned.error().message);
            }
            if (scanned->aborted) ThrowRpc(rpc::RPC_MISC_ERROR, "Rescan aborted.");
            Json result{{"start_height", start}};
            result["stop_height"] = scanned->stop_height ? Json(*scanned->stop_height) : Json();
            return result;
        },
    };
}

Method KeypoolRefillMethod(WalletManager& manager)
{
    return Method{
        "keypoolrefill",
        "wallet",
        std::string{"Derives addresses ahead on every active descriptor.\n"} +
            HELP_REQUIRING_PASSPHRASE,
        {{"newsize", ArgType::NUM, DefaultHint{"1000, or as set by -keypool"},
          "How many addresses to keep derived ahead"}},
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("keypoolrefill", "") + HelpExampleRpc("keypoolrefill", ""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            uint32_t size = 0; // the -keypool setting
            if (request.HasArg("newsize")) {
                const int64_t value = rpc::IntFromJson(request.Arg("newsize"));
                if (value < 0 || value > INT32_MAX) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Invalid parameter, expected valid size.");
                }
                size = static_cast<uint32_t>(value);
            }
            EnsureWalletIsUnlocked(*wallet);
            if (auto done = wallet->TopUpKeypool(size); !done) {
                ThrowRpc(RPC_WALLET_ERROR, "Error refreshing keypool.");
            }
            const auto [external, internal] = wallet->KeypoolSize();
            if (uint64_t{external} + internal < size) {
                ThrowRpc(RPC_WALLET_ERROR, "Error refreshing keypool.");
            }
            return Json(nullptr);
        },
    };
}

Method LockUnspentMethod(WalletManager& manager)
{
    return Method{
        "lockunspent",
        "wallet",
        "Locks (unlock=false) or unlocks (unlock=true) transaction outputs so that coin "
        "selection leaves them alone.\n"
        "Unlocking without a list unlocks every locked output. Outputs chosen by hand in a send "
        "are unlocked automatically.\n"
        "Locks live in memory only unless persistent=true, which also writes them to the "
        "wallet database so that they survive a restart. Unlocking clears both kinds.\n"
        "See also listunspent and listlockunspent.",
        {
            {"unlock", ArgType::BOOL, ArgOptional::NO,
             "Whether to unlock (true) or lock (false) the outputs"},
            {"transactions",
             ArgType::ARR,
             Json::array(),
             "The outputs, each a txid and an output index.",
             {Arg{"",
                  ArgType::OBJ,
                  ArgOptional::OMITTED,
                  "",
                  {
                      {"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id"},
                      {"vout", ArgType::NUM, ArgOptional::NO, "The output number"},
                  }}}},
            {"persistent", ArgType::BOOL, Json(false),
             "Also write (or erase) the lock in the wallet database. Ignored when unlocking."},
        },
        {ResultDoc{ResultType::BOOL, "", "Whether the command was successful or not"}},
        HelpExampleCli("listunspent", "") +
            HelpExampleCli(
                "lockunspent",
                "false \"[{\\\"txid\\\":"
                "\\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0\\\","
                "\\\"vout\\\":1}]\"") +
            HelpExampleCli("listlockunspent", "") +
            HelpExampleCli(
                "lockunspent",
                "true \"[{\\\"txid\\\":"
                "\\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0\\\","
                "\\\"vout\\\":1}]\"") +
            HelpExampleCli(
                "lockunspent",
                "false \"[{\\\"txid\\\":"
                "\\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0\\\","
                "\\\"vout\\\":1}]\" true") +
            HelpExampleRpc(
                "lockunspent",
                "false, \"[{\\\"txid\\\":"
                "\\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0\\\","
                "\\\"vout\\\":1}]\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            const bool unlock = request.Arg("unlock").get<bool>();
            const bool persistent = request.Arg("persistent").get<bool>();
            if (request.Param(1).is_null()) {
                if (unlock) wallet->UnlockAllCoins();
                return Json(true);
            }
            // Check every output first, so that a bad one changes nothing.
            const std::set<consensus::OutPoint> locked = wallet->LockedCoins();
            std::vector<consensus::OutPoint> outpoints;
            for (const Json& entry : request.Param(1)) {
                if (!entry.is_object()) {
                    ThrowRpc(rpc::RPC_TYPE_ERROR, "JSON value of type " +
                                                      std::string{rpc::JsonTypeName(entry)} +
                                                      " is not of expected type object");
                }
                for (const char* key : {"txid", "vout"}) {
                    if (!entry.contains(key))
                        ThrowRpc(rpc::RPC_TYPE_ERROR, std::string{"Missing "} + key);
                }
                if (!entry.at("vout").is_number()) {
                    ThrowRpc(rpc::RPC_TYPE_ERROR,
                             "JSON value of type " +
                                 std::string{rpc::JsonTypeName(entry.at("vout"))} +
                                 " for field vout is not of expected type number");
                }
                consensus::OutPoint outpoint;
                outpoint.hash = rpc::ParseHashParam(entry.at("txid"), "txid");
                const int64_t vout = rpc::IntFromJson(entry.at("vout"));
                if (vout < 0) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "Invalid parameter, vout cannot be negative");
                }
                const auto tx = wallet->GetTransaction(outpoint.hash);
                if (!tx)
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER, "Invalid parameter, unknown transaction");
                if (static_cast<uint64_t>(vout) >= tx->wtx.tx->vout.size()) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "Invalid parameter, vout index out of bounds");
                }
                outpoint.n = static_cast<uint32_t>(vout);
                if (wallet->IsSpent(outpoint)) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "Invalid parameter, expected unspent output");
                }
                const bool is_locked = locked.count(outpoint) > 0;
                if (unlock && !is_locked) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "Invalid parameter, expected locked output");
                }
                if (!unlock && is_locked && !persistent) {
                    ThrowRpc(rpc::RPC_INVALID_PARAMETER,
                             "Invalid parameter, output already locked");
                }
                outpoints.push_back(outpoint);
            }
            for (const consensus::OutPoint& outpoint : outpoints) {
                if (unlock) {
                    if (!wallet->UnlockCoin(outpoint)) {
                        ThrowRpc(RPC_WALLET_ERROR, "Unlocking coin failed");
                    }
                } else if (!wallet->LockCoin(outpoint, persistent)) {
                    ThrowRpc(RPC_WALLET_ERROR, "Locking coin failed");
                }
            }
            return Json(true);
        },
    };
}

Method ListLockUnspentMethod(WalletManager& manager)
{
    return Method{
        "listlockunspent",
        "wallet",
        "The outputs locked with lockunspent.",
        {},
        {ResultDoc{
            ResultType::ARR,
            "",
            "",
            {ResultDoc{ResultType::OBJ,
                       "",
                       "",
                       {
                           ResultDoc{ResultType::STR_HEX, "txid", "The transaction id locked"},
                           ResultDoc{ResultType::NUM, "vout", "The vout value"},
                       }}}}},
        HelpExampleCli("listunspent", "") +
            HelpExampleCli(
                "lockunspent",
                "false \"[{\\\"txid\\\":"
                "\\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0\\\","
                "\\\"vout\\\":1}]\"") +
            HelpExampleCli("listlockunspent", "") +
            HelpExampleCli(
                "lockunspent",
                "true \"[{\\\"txid\\\":"
                "\\\"a08e6907dbbd3d809776dbfc5d82e371b764ed838b5655e72f463568df1aadf0\\\","
                "\\\"vout\\\":1}]\"") +
            HelpExampleRpc("listlockunspent", ""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            Json list = Json::array();
            for (const consensus::OutPoint& outpoint : wallet->LockedCoins()) {
                list.push_back(Json{{"txid", outpoint.hash.GetHex()}, {"vout", outpoint.n}});
            }
            return list;
        },
    };
}

Method AbandonTransactionMethod(WalletManager& manager)
{
    return Method{
        "abandontransaction",
        "wallet",
        "Marks the wallet transaction <txid> and its wallet descendants as abandoned, so that "
        "their inputs can be spent again: the way out for a stuck or evicted transaction.\n"
        "Only for transactions neither in a block nor in the mempool; abandoning one twice "
        "changes nothing.",
        {{"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id"}},
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("abandontransaction",
                       "\"1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d\"") +
            HelpExampleRpc("abandontransaction",
                           "\"1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            wallet->BlockUntilSyncedToCurrentChain();
            const consensus::Uint256 txid = rpc::ParseHashParam(request.Arg("txid"), "txid");
            if (!wallet->GetTransaction(txid)) {
                ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, "Invalid or non-wallet transaction id");
            }
            if (auto done = wallet->AbandonTransaction(txid); !done) {
                ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, done.error().message);
            }
            return Json(nullptr);
        },
    };
}

Method SignMessageMethod(WalletManager& manager)
{
    return Method{
        "signmessage",
        "wallet",
        std::string{"Signs a message with the private key of a (legacy P2PKH) address.\n"} +
            HELP_REQUIRING_PASSPHRASE,
        {
            {"address", ArgType::STR, ArgOptional::NO,
             "The bitcoin address whose private key signs."},
            {"message", ArgType::STR, ArgOptional::NO, "The message to sign."},
        },
        {ResultDoc{ResultType::STR, "", "The signature of the message encoded in base 64"}},
        HelpExampleCli("walletpassphrase", "\"mypassphrase\" 30") +
            HelpExampleCli("signmessage", "\"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX\" \"my message\"") +
            HelpExampleCli("verifymessage",
                           "\"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX\" \"signature\" \"my message\"") +
            HelpExampleRpc("signmessage", "\"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX\", \"my message\""),
        [&manager](const Request& request) -> Result {
            const auto wallet = GetWalletForRequest(request, manager);
            EnsureWalletIsUnlocked(*wallet);
            const std::string address = request.Arg("address").get<std::string>();
            const std::string message = request.Arg("message").get<std::string>();
            auto dest = common::DecodeDestination(address, wallet->Chain().Params());
            if (!dest || !common::IsValidDestination(*dest)) {
                ThrowRpc(rpc::RPC_TYPE_ERROR, "Invalid address");
            }
            if (!std::holds_alternative<common::PKHash>(*dest)) {
                ThrowRpc(rpc::RPC_TYPE_ERROR, "Address does not refer to key");
            }
            auto signature = wallet->SignMessage(address, message);
            if (!signature) {
                const std::string& reason = signature.error().message;
                if (reason.find("Private key not available") != std::string::npos) {
                    ThrowRpc(RPC_WALLET_ERROR, reason);
                }
                ThrowRpc(rpc::RPC_INVALID_ADDRESS_OR_KEY, reason);
            }
            return Json(*signature);
        },
    };
}

} // namespace

void RegisterWalletKeyMethods(rpc::MethodTable& table, WalletManager& manager)
{
    table.Register(AbandonTransactionMethod(manager));
    table.Register(ImportDescriptorsMethod(manager));
    table.Register(KeypoolRefillMethod(manager));
    table.Register(ListDescriptorsMethod(manager));
    table.Register(ListLockUnspentMethod(manager));
    table.Register(LockUnspentMethod(manager));
    table.Register(RescanBlockchainMethod(manager));
    table.Register(SignMessageMethod(manager));
}

} // namespace wallet
