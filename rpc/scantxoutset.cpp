// scantxoutset: finds the unspent outputs matching output descriptors by walking the UTXO set,
// one scan at a time, with Bitcoin Core's start/abort/status actions, results and errors.
#include <common/descriptor.h>
#include <interfaces/chain.h>
#include <rpc/dispatch.h>
#include <rpc/method.h>
#include <rpc/rawtransaction_util.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rpc {
namespace {

/// Shared by every call of the method: whether a scan runs, its abort flag and progress.
struct ScanState
{
    std::atomic<bool> running{false};
    std::atomic<bool> abort{false};
    std::atomic<int> progress_per_mille{0};
};

/// Holds the single scan slot for as long as it lives.
class ScanReservation
{
public:
    explicit ScanReservation(ScanState& state) : m_state{state}
    {
        bool expected = false;
        m_held = m_state.running.compare_exchange_strong(expected, true);
    }
    ~ScanReservation()
    {
        if (m_held) m_state.running.store(false);
    }
    ScanReservation(const ScanReservation&) = delete;
    ScanReservation& operator=(const ScanReservation&) = delete;
    bool Held() const { return m_held; }

private:
    ScanState& m_state;
    bool m_held{false};
};

/// Scripts searched for (raw bytes as the key) and the descriptor reported for each.
/// Lets lookups use a view of a script's bytes, so the scan allocates nothing per coin.
struct BytesHash
{
    using is_transparent = void;
    size_t operator()(std::string_view bytes) const { return std::hash<std::string_view>{}(bytes); }
};
using Needles = std::unordered_map<std::string, std::string, BytesHash, std::equal_to<>>;

std::string_view ScriptKey(const consensus::Script& script)
{
    return {reinterpret_cast<const char*>(script.data()), script.size()};
}

// Core's EvalDescriptorStringOrObject: the scripts of one scan object, each with the
// descriptor Core infers for it from everything the object's expansion knows.
void AddScanObject(const Json& object, const common::ChainParams& params, Needles& needles)
{
    // One pool of knowledge per scan object, as Core merges its signing provider.
    common::DescriptorExpansion known;
    std::vector<consensus::Script> scripts;
    ExpandScanObject(object, params, [&](common::DescriptorExpansion& exp) {
        scripts.insert(scripts.end(), exp.output_scripts.begin(), exp.output_scripts.end());
        known.pubkeys.merge(exp.pubkeys);
        known.origins.merge(exp.origins);
        known.scripts.merge(exp.scripts);
        known.taproot.merge(exp.taproot);
    });
    for (const auto& script : scripts) {
        std::string inferred = common::InferDescriptorString(script, known, params);
        needles.emplace(std::string{ScriptKey(script)}, std::move(inferred));
    }
}

struct Found
{
    consensus::OutPoint outpoint;
    interfaces::Coin coin;
};

Json StartScan(const Services& services, ScanState& state, const Request& request)
{
    ScanReservation reservation{state};
    if (!reservation.Held()) {
        ThrowRpc(RPC_INVALID_PARAMETER,
                 "Scan already in progress, use action \"abort\" or \"status\"");
    }
    if (request.params.size() < 2 || request.Param(1).is_null()) {
        ThrowRpc(RPC_MISC_ERROR, "scanobjects argument is required for the start action");
    }
    const auto& params = services.chain->Params();
    Needles needles;
    for (const auto& object : request.Param(1))
        AddScanObject(object, params, needles);

    state.abort.store(false);
    state.progress_per_mille.store(0);
    std::vector<Found> found;
    auto scanned = services.chain->ScanUtxoSet(
        [&](const consensus::OutPoint& outpoint, const interfaces::Coin& coin) {
            if (needles.find(ScriptKey(coin.out.script_pubkey)) != needles.end())
                found.push_back(Found{outpoint, coin});
        },
        state.abort, &state.progress_per_mille);
    if (!scanned) ThrowRpc(RPC_INTERNAL_ERROR, scanned.error().message);

    // Core keeps matches in a map keyed by outpoint: txid bytes in storage order, then index.
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
        if (a.outpoint.hash != b.outpoint.hash) return a.outpoint.hash < b.outpoint.hash;
        return a.outpoint.n < b.outpoint.n;
    });

    Json ret = Json::object();
    ret["success"] = !scanned->aborted;
    ret["txouts"] = scanned->coins_seen;
    ret["height"] = scanned->height;
    ret["bestblock"] = scanned->best_block.GetHex();
    Json unspents = Json::array();
    consensus::Amount total = 0;
    for (const auto& item : found) {
        const auto& out = item.coin.out;
        total += out.value;
        Json u = Json::object();
        u["txid"] = item.outpoint.hash.GetHex();
        u["vout"] = item.outpoint.n;
        u["scriptPubKey"] = util::HexStr(out.script_pubkey.span());
        u["desc"] = needles.find(ScriptKey(out.script_pubkey))->second;
        u["amount"] = AmountToJson(out.value);
        u["coinbase"] = item.coin.coinbase;
        u["height"] = item.coin.height;
        const int coin_height = static_cast<int>(item.coin.height);
        const auto block = services.chain->GetAncestor(scanned->best_block, coin_height);
        u["blockhash"] = block ? block->hash.GetHex() : std::string{};
        u["confirmations"] = scanned->height - coin_height + 1;
        unspents.push_back(std::move(u));
    }
    ret["unspents"] = std::move(unspents);
    ret["total_amount"] = AmountToJson(total);
    return ret;
}

Method ScanTxOutSet(const Services& services, std::shared_ptr<ScanState> state)
{
    return Method{
        "scantxoutset",
        "blockchain",
        "\nSearches the unspent output set for outputs that match output descriptors.\n"
        "Descriptors such as:\n"
        "    addr(<address>)                      outputs paying the address (not P2PK)\n"
        "    raw(<hex script>)                    outputs with exactly this script\n"
        "    combo(<pubkey>)                      P2PK, P2PKH, P2WPKH and P2SH-P2WPKH of the key\n"
        "    pkh(<pubkey>)                        P2PKH outputs of the key\n"
        "    sh(multi(<n>,<pubkey>,<pubkey>,...)) P2SH multisig outputs\n"
        "    tr(<pubkey>)                         P2TR\n"
        "    tr(<pubkey>,{pk(<pubkey>)})          P2TR with one tapscript key\n"
        "    rawtr(<pubkey>)                      P2TR with this key as the output key\n"
        "\n<pubkey> is a hex public key, or an xpub/xprv followed by zero or more \"/\"-separated\n"
        "path steps, optionally ending in \"/*\" (unhardened) or \"/*'\" / \"/*h\" (hardened)\n"
        "to cover every child key; for those, the range below (default 1000) applies.\n"
        "See doc/descriptors.md in Bitcoin Core.\n",
        {
            {"action", ArgType::STR, ArgOptional::NO,
             "What to do\n"
             "\"start\" starts a scan\n"
             "\"abort\" stops the running scan (true if one was running)\n"
             "\"status\" reports the running scan's progress in %"},
            {"scanobjects",
             ArgType::ARR,
             ArgOptional::OMITTED,
             "The descriptors to look for; required for \"start\".\n"
             "Each is a descriptor string or an object:",
             {
                 {"descriptor", ArgType::STR, ArgOptional::OMITTED, "An output descriptor"},
                 {"",
                  ArgType::OBJ,
                  ArgOptional::OMITTED,
                  "An output descriptor with its range",
                  {
                      {"desc", ArgType::STR, ArgOptional::NO, "An output descriptor"},
                      {"range", ArgType::RANGE, Json(1000),
                       "The HD indexes to search (either end or [begin,end])"},
                  }},
             },
             ArgOptions{.oneline_description = "[scanobjects,...]"}},
        },
        {
            ResultDoc{
                "when action=='start'; only returns after scan completes",
                ResultType::OBJ,
                "",
                "",
                {
                    {ResultType::BOOL, "success", "Whether the scan ran to the end"},
                    {ResultType::NUM, "txouts", "How many unspent outputs were scanned"},
                    {ResultType::NUM, "height", "The height of the tip the scan read"},
                    {ResultType::STR_HEX, "bestblock", "The hash of that tip"},
                    {ResultType::ARR,
                     "unspents",
                     "",
                     {{ResultType::OBJ,
                       "",
                       "",
                       {
                           {ResultType::STR_HEX, "txid", "The transaction id"},
                           {ResultType::NUM, "vout", "The output index"},
                           {ResultType::STR_HEX, "scriptPubKey", "The output script"},
                           {ResultType::STR, "desc", "A descriptor for the matched script"},
                           {ResultType::STR_AMOUNT, "amount", "The output's value in BTC"},
                           {ResultType::BOOL, "coinbase", "Whether a coinbase created it"},
                           {ResultType::NUM, "height", "Height of the block that created it"},
                           {ResultType::STR_HEX, "blockhash", "Hash of that block"},
                           {ResultType::NUM, "confirmations",
                            "Confirmations of the output at the scanned tip"},
                       }}}},
                    {ResultType::STR_AMOUNT, "total_amount", "The sum of the found outputs in BTC"},
                }},
            ResultDoc{"when action=='abort'", ResultType::BOOL, "",
                      "True if a running scan was told to stop (it may still be stopping), false "
                      "if none was running"},
            ResultDoc{"when action=='status' and a scan is currently in progress",
                      ResultType::OBJ,
                      "",
                      "",
                      {{ResultType::NUM, "progress", "Approximate percent complete"}}},
            ResultDoc{
                "when action=='status' and no scan is in progress - possibly already completed",
                ResultType::NONE, "", ""},
        },
        HelpExampleCli(
            "scantxoutset",
            "start '[\"raw(76a91411b366edfc0a8b66feebae5c2e25a7b6a5d1cf3188ac)#fm24fxxy\"]'") +
            HelpExampleCli("scantxoutset", "status") + HelpExampleCli("scantxoutset", "abort") +
            HelpExampleRpc(
                "scantxoutset",
                "\"start\", "
                "[\"raw(76a91411b366edfc0a8b66feebae5c2e25a7b6a5d1cf3188ac)#fm24fxxy\"]") +
            HelpExampleRpc("scantxoutset", "\"status\"") +
            HelpExampleRpc("scantxoutset", "\"abort\""),
        [&services, state](const Request& request) -> Result {
            const std::string action = request.Param(0).get<std::string>();
            if (action == "status") {
                if (!state->running.load()) return Json(nullptr);
                Json ret = Json::object();
                ret["progress"] = state->progress_per_mille.load() / 10;
                return ret;
            }
            if (action == "abort") {
                if (!state->running.load()) return Json(false);
                state->abort.store(true);
                return Json(true);
            }
            if (action == "start") return StartScan(services, *state, request);
            ThrowRpc(RPC_INVALID_PARAMETER, "Invalid action '" + action + "'");
        }};
}

} // namespace

void RegisterScanMethods(MethodTable& table, const Services& services)
{
    table.Register(ScanTxOutSet(services, std::make_shared<ScanState>()));
}

} // namespace rpc
