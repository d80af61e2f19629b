// mining: getblocktemplate (BIP22/23, with the segwit rule and long polling), getmininginfo
// and getnetworkhashps, with Bitcoin Core v28's arguments, result fields and errors.
#include <rpc/blockchain.h>
#include <rpc/dispatch.h>
#include <rpc/services.h>
#include <rpc/util.h>

#include <common/chainparams.h>
#include <consensus/arith_uint256.h>
#include <consensus/block.h>
#include <consensus/block_check.h>
#include <consensus/consensus_constants.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/serialize.h>
#include <consensus/transaction.h>
#include <interfaces/chain.h>
#include <util/strings.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace rpc {

void RegisterMiningTemplateMethods(MethodTable& table, const Services& services);

namespace {

using interfaces::BlockTemplateInfo;

// Core's 120-block default window for hash-rate estimates.
constexpr int DEFAULT_HASHPS_BLOCKS{120};
// Long polls check the mempool first after a minute, then every ten seconds, as Core does.
constexpr std::chrono::milliseconds LONGPOLL_FIRST_CHECK{std::chrono::minutes{1}};
constexpr std::chrono::milliseconds LONGPOLL_RECHECK{std::chrono::seconds{10}};
// A template is rebuilt for mempool changes at most this often (seconds), as in Core.
constexpr int64_t TEMPLATE_REFRESH_SECONDS{5};
// Weight Core counts for the coinbase before it is written (getmininginfo's
// currentblockweight includes it).
constexpr int64_t COINBASE_RESERVED_WEIGHT{4000};

int64_t NowSeconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// What getblocktemplate remembers between calls: the last template (reused while the tip is
// the same and the mempool has not changed for long), and the numbers getmininginfo shows.
struct TemplateState
{
    std::mutex mutex;
    std::optional<BlockTemplateInfo> last;    // guarded by mutex
    consensus::Uint256 last_tip{};            // guarded by mutex
    uint64_t last_sequence{0};                // guarded by mutex
    int64_t last_created{0};                  // guarded by mutex
    std::optional<int64_t> last_block_weight; // guarded by mutex
    std::optional<int64_t> last_block_tx;     // guarded by mutex
};

// Core's getdouble: a sum over 32-bit words, so the rounding matches Core's.
double ToDouble(const consensus::ArithUint256& value)
{
    double result = 0.0;
    double factor = 1.0;
    for (int i = 0; i < 8; ++i) {
        result += factor * static_cast<double>((value >> (32 * i)).GetLow64() & 0xffffffffULL);
        factor *= 4294967296.0;
    }
    return result;
}

// Core's GetNetworkHashPS on the active chain: work done over the last `lookup` blocks
// (-1: since the last difficulty change) ending at `height` (-1: the tip), divided by the
// span of their timestamps.
Json NetworkHashPerSecond(const interfaces::Chain& chain, int64_t lookup, int64_t height)
{
    if (lookup < -1 || lookup == 0) {
        ThrowRpc(RPC_INVALID_PARAMETER, "Invalid nblocks. Must be a positive number or -1.");
    }
    const interfaces::TipSnapshot tip = chain.Tip();
    if (height < -1 || height > tip.height) {
        ThrowRpc(RPC_INVALID_PARAMETER, "Block does not exist at specified height");
    }
    const int end_height = height >= 0 ? static_cast<int>(height) : tip.height;
    if (end_height <= 0) return Json(0);
    const auto end = chain.GetBlockInfoAtHeight(end_height);
    if (!end) return Json(0);

    if (lookup == -1) {
        lookup = end_height % chain.Params().GetConsensus().DifficultyAdjustmentInterval() + 1;
    }
    lookup = std::min<int64_t>(lookup, end_height);

    int64_t min_time = end->header.time;
    int64_t max_time = min_time;
    std::optional<interfaces::BlockInfo> start;
    for (int64_t i = 1; i <= lookup; ++i) {
        start = chain.GetBlockInfoAtHeight(end_height - static_cast<int>(i));
        if (!start) return Json(0);
        min_time = std::min<int64_t>(min_time, start->header.time);
        max_time = std::max<int64_t>(max_time, start->header.time);
    }
    // Equal times would divide by zero; Core answers 0 (an integer, as here).
    if (min_time == max_time || !start) return Json(0);
    const consensus::ArithUint256 work =
        consensus::ArithUint256{end->chain_work} - consensus::ArithUint256{start->chain_work};
    return Json(ToDouble(work) / static_cast<double>(max_time - min_time));
}

Method GetNetworkHashPs(const Services& services)
{
    return Method{
        "getnetworkhashps",
        "mining",
        "Estimate the network's hash rate from the work and timestamps of recent blocks.\n"
        "nblocks picks how many blocks to look back over (-1: since the last difficulty "
        "change);\nheight picks the block the estimate ends at.",
        {
            {"nblocks", ArgType::NUM, Json(DEFAULT_HASHPS_BLOCKS),
             "How many blocks back the estimate looks, or -1 for every block since the last "
             "difficulty change."},
            {"height", ArgType::NUM, Json(-1),
             "The height of the block the estimate ends at (-1: the tip)."},
        },
        {ResultDoc{ResultType::NUM, "", "Estimated hashes per second"}},
        HelpExampleCli("getnetworkhashps", "") + HelpExampleRpc("getnetworkhashps", ""),
        [&services](const Request& request) -> Result {
            return NetworkHashPerSecond(*services.chain, IntFromJson(request.Arg("nblocks")),
                                        IntFromJson(request.Arg("height")));
        },
    };
}

Method GetMiningInfo(const Services& services, std::shared_ptr<TemplateState> state)
{
    return Method{
        "getmininginfo",
        "mining",
        "Mining-related facts about the node: height, last template, difficulty, hash rate, "
        "mempool size.",
        {},
        {ResultDoc{ResultType::OBJ,
                   "",
                   "",
                   {
                       ResultDoc{ResultType::NUM, "blocks", "Height of the active tip"},
                       ResultDoc{ResultType::NUM, "currentblockweight", /*optional=*/true,
                                 "Weight (coinbase reserve included) of the last template built; "
                                 "absent until one was"},
                       ResultDoc{ResultType::NUM, "currentblocktx", /*optional=*/true,
                                 "Transactions besides the coinbase in the last template built; "
                                 "absent until one was"},
                       ResultDoc{ResultType::NUM, "difficulty", "Difficulty of the tip's target"},
                       ResultDoc{ResultType::NUM, "networkhashps",
                                 "Estimated network hash rate over the last 120 blocks"},
                       ResultDoc{ResultType::NUM, "pooledtx", "Transactions in the mempool"},
                       ResultDoc{ResultType::STR, "chain",
                                 "The network: main, test, testnet4, signet or regtest"},
                       ResultDoc{ResultType::ARR,
                                 "warnings",
                                 "Warnings about the network and the chain (none are raised yet)",
                                 {ResultDoc{ResultType::STR, "", "a warning"}}},
                   }}},
        HelpExampleCli("getmininginfo", "") + HelpExampleRpc("getmininginfo", ""),
        [&services, state](const Request&) -> Result {
            const interfaces::TipSnapshot tip = services.chain->Tip();
            Json result = Json::object();
            result["blocks"] = tip.height;
            {
                std::lock_guard lock{state->mutex};
                if (state->last_block_weight)
                    result["currentblockweight"] = *state->last_block_weight;
                if (state->last_block_tx) result["currentblocktx"] = *state->last_block_tx;
            }
            result["difficulty"] = GetDifficulty(tip.bits);
            result["networkhashps"] =
                NetworkHashPerSecond(*services.chain, DEFAULT_HASHPS_BLOCKS, -1);
            result["pooledtx"] = services.chain->GetMempoolInfo().size;
            result["chain"] = services.chain->Params().GetChainTypeString();
            result["warnings"] = Json::array();
            return result;
        },
    };
}

// The ancestors of the tip, for recomputing the bits a proposed block needs.
class TipChainView : public consensus::HeaderChainView
{
public:
    explicit TipChainView(const interfaces::Chain& chain) : m_chain{chain} {}
    uint32_t BitsAt(int height) const override
    {
        const auto info = m_chain.GetBlockInfoAtHeight(height);
        return info ? info->header.bits : 0;
    }
    int64_t TimeAt(int height) const override
    {
        const auto info = m_chain.GetBlockInfoAtHeight(height);
        return info ? info->header.time : 0;
    }

private:
    const interfaces::Chain& m_chain;
};

// BIP22's answer for a checked block: null when valid, else the reject reason.
Json ProposalVerdict(const consensus::BlockValidationState& state)
{
    if (state.IsValid()) return Json{};
    if (state.GetRejectReason().empty()) return Json("rejected");
    return Json(state.GetRejectReason());
}

// BIP23 proposal: every check the RPC layer can run without the UTXO set (header context,
// context-free and contextual block checks). The chain interface offers no way to connect a
// block without proof of work, so a block passing all of them is "inconclusive".
Json CheckProposal(const Services& services, const Json& request_object)
{
    const Json* data = request_object.contains("data") ? &request_object["data"] : nullptr;
    if (!data || !data->is_string()) {
        ThrowRpc(RPC_TYPE_ERROR, "Missing data String key for proposal");
    }
    const auto bytes = util::TryParseHex(data->get<std::string>());
    auto block = bytes ? consensus::Decode<consensus::Block>(*bytes)
                       : util::Expected<consensus::Block>{util::Unexpected("hex")};
    if (!block) ThrowRpc(RPC_DESERIALIZATION_ERROR, "Block decode failed");

    const interfaces::Chain& chain = *services.chain;
    if (const auto known = chain.GetBlockInfo(block->GetHash())) {
        if (known->state == interfaces::BlockState::ACTIVE ||
            known->state == interfaces::BlockState::VALID_FORK) {
            return Json("duplicate");
        }
        if (known->state == interfaces::BlockState::INVALID) return Json("duplicate-invalid");
        return Json("duplicate-inconclusive");
    }
    const interfaces::TipSnapshot tip = chain.Tip();
    if (block->header.prev_block != tip.hash) return Json("inconclusive-not-best-prevblk");

    const auto& params = chain.Params().GetConsensus();
    consensus::BlockValidationState state;
    consensus::HeaderContext context;
    context.height = tip.height + 1;
    context.expected_bits = consensus::GetNextWorkRequired(
        tip.height, tip.time, tip.bits, block->header.time, TipChainView{chain}, params);
    context.prev_time = tip.time;
    context.prev_median_time = tip.median_time_past;
    context.now = NowSeconds();
    if (!consensus::ContextualCheckBlockHeader(block->header, state, context, params) ||
        !consensus::CheckBlock(*block, state, params, /*check_pow=*/false,
                               /*check_merkle_root=*/true) ||
        !consensus::ContextualCheckBlock(*block, state, tip.height + 1, tip.median_time_past,
                                         params)) {
        return ProposalVerdict(state);
    }
    return Json("inconclusive");
}

// The coinbase output getblocktemplate's own block pays: anyone can spend it (Core pays
// OP_TRUE); miners replace the coinbase anyway.
consensus::Script TemplatePayout()
{
    return consensus::Script{std::vector<uint8_t>{consensus::OP_TRUE}};
}

// Waits (BIP22 long poll) until the tip moves away from the longpollid's block or, after a
// minute and then every ten seconds, the mempool changed since that id was issued.
void WaitForLongPoll(const Services& services, const Json& longpollid,
                     const consensus::Uint256& current_tip, uint64_t current_sequence)
{
    consensus::Uint256 watched = current_tip;
    uint64_t watched_sequence = current_sequence;
    if (longpollid.is_string()) {
        const std::string text = longpollid.get<std::string>();
        watched = ParseHashParam(Json(text.substr(0, 64)), "longpollid");
        // Digits after the hash; anything else reads as 0, as Core's atoi does.
        const std::string rest = text.size() > 64 ? text.substr(64) : "";
        uint64_t parsed = 0;
        std::from_chars(rest.data(), rest.data() + rest.size(), parsed);
        watched_sequence = parsed;
    }
    const auto shutting_down = [&] {
        return services.shutdown_requested && services.shutdown_requested();
    };
    std::chrono::milliseconds wait = LONGPOLL_FIRST_CHECK;
    while (!shutting_down()) {
        const interfaces::TipSnapshot tip = services.chain->WaitForTip(
            [&](const interfaces::TipSnapshot& t) { return t.hash != watched; }, wait);
        if (shutting_down() || tip.hash != watched) break;
        if (services.chain->GetMempoolSequence() != watched_sequence) break;
        wait = LONGPOLL_RECHECK;
    }
    if (shutting_down()) ThrowRpc(RPC_CLIENT_NOT_CONNECTED, "Shutting down");
}

// A template on `tip`: the cached one while it still fits, else a new one.
BlockTemplateInfo CurrentTemplate(const Services& services, TemplateState& state,
                                  const consensus::Uint256& tip, bool cacheable)
{
    std::lock_guard lock{state.mutex};
    const int64_t now = NowSeconds();
    const bool stale = !cacheable || !state.last || state.last_tip != tip ||
                       (services.chain->GetMempoolSequence() != state.last_sequence &&
                        now - state.last_created > TEMPLATE_REFRESH_SECONDS);
    if (stale) {
        state.last.reset();
        auto made = services.chain->CreateBlockTemplate(TemplatePayout());
        if (!made) ThrowRpc(RPC_INTERNAL_ERROR, made.error().message);
        state.last_tip = made->block.header.prev_block;
        state.last_sequence = made->mempool_sequence;
        state.last_created = now;
        int64_t weight = COINBASE_RESERVED_WEIGHT;
        for (const auto& item : made->txs)
            weight += static_cast<int64_t>(item.tx->GetWeight());
        state.last_block_weight = weight;
        state.last_block_tx = static_cast<int64_t>(made->txs.size());
        state.last = std::move(*made);
    }
    return *state.last;
}

std::string HexBits(uint32_t bits)
{
    char text[9];
    std::snprintf(text, sizeof(text), "%08x", bits);
    return text;
}

Json TemplateToJson(const Services& services, BlockTemplateInfo info, uint64_t sequence)
{
    const common::ChainParams& chain_params = services.chain->Params();
    const auto& params = chain_params.GetConsensus();
    consensus::Block& block = info.block;
    // Time may move forward between calls; on min-difficulty networks the bits depend on it,
    // so those templates are rebuilt on every call instead (see CurrentTemplate).
    if (!params.pow_allow_min_difficulty_blocks) {
        const int64_t now = std::max<int64_t>(info.min_time, NowSeconds());
        if (now > static_cast<int64_t>(block.header.time)) {
            block.header.time = static_cast<uint32_t>(now);
        }
    }
    block.header.nonce = 0;
    const bool pre_segwit = info.height < params.segwit_height;

    Json transactions = Json::array();
    for (size_t i = 0; i < info.txs.size(); ++i) {
        const auto& item = info.txs[i];
        const consensus::Transaction& tx = *item.tx;
        Json entry = Json::object();
        entry["data"] = util::HexStr(consensus::Encode(tx));
        entry["txid"] = tx.GetHash().GetHex();
        entry["hash"] = tx.GetWitnessHash().GetHex();
        Json depends = Json::array();
        for (size_t position : item.depends)
            depends.push_back(position);
        entry["depends"] = std::move(depends);
        entry["fee"] = item.fee;
        int64_t sigops = item.sigop_cost;
        if (pre_segwit) sigops /= consensus::WITNESS_SCALE_FACTOR;
        entry["sigops"] = sigops;
        entry["weight"] = tx.GetWeight();
        transactions.push_back(std::move(entry));
    }

    Json rules = Json::array({"csv"});
    if (!pre_segwit) rules.push_back("!segwit");
    if (info.height >= params.taproot_height) rules.push_back("taproot");
    if (params.signet_blocks) rules.push_back("!signet");

    Json result = Json::object();
    result["capabilities"] = Json::array({"proposal"});
    result["version"] = block.header.version;
    result["rules"] = std::move(rules);
    // minibit's templates signal no BIP9 deployment.
    result["vbavailable"] = Json::object();
    result["vbrequired"] = 0;
    result["previousblockhash"] = block.header.prev_block.GetHex();
    result["transactions"] = std::move(transactions);
    result["coinbaseaux"] = Json::object();
    result["coinbasevalue"] = info.coinbase_value;
    result["longpollid"] = block.header.prev_block.GetHex() + std::to_string(sequence);
    consensus::ArithUint256 target;
    target.SetCompact(block.header.bits);
    result["target"] = target.GetHex();
    result["mintime"] = info.min_time;
    result["mutable"] = Json::array({"time", "transactions", "prevblock"});
    result["noncerange"] = "00000000ffffffff";
    int64_t sigop_limit = consensus::MAX_BLOCK_SIGOPS_COST;
    int64_t size_limit = static_cast<int64_t>(consensus::MAX_BLOCK_SERIALIZED_SIZE);
    if (pre_segwit) {
        sigop_limit /= consensus::WITNESS_SCALE_FACTOR;
        size_limit /= consensus::WITNESS_SCALE_FACTOR;
    }
    result["sigoplimit"] = sigop_limit;
    result["sizelimit"] = size_limit;
    if (!pre_segwit) result["weightlimit"] = static_cast<int64_t>(consensus::MAX_BLOCK_WEIGHT);
    result["curtime"] = static_cast<int64_t>(block.header.time);
    result["bits"] = HexBits(block.header.bits);
    result["height"] = info.height;
    if (params.signet_blocks) result["signet_challenge"] = util::HexStr(params.signet_challenge);
    if (const auto index = consensus::GetWitnessCommitmentIndex(block)) {
        const auto& script = block.vtx[0]->vout[*index].script_pubkey;
        result["default_witness_commitment"] =
            util::HexStr(std::span<const uint8_t>{script.data(), script.size()});
    }
    return result;
}

std::vector<ResultDoc> TemplateResultDocs()
{
    return {
        ResultDoc{"If the proposal was accepted with mode=='proposal'", ResultType::NONE, "", ""},
        ResultDoc{"If the proposal was not accepted with mode=='proposal'", ResultType::STR, "",
                  "Why, as BIP22 words it"},
        ResultDoc{
            "Otherwise",
            ResultType::OBJ,
            "",
            "",
            {
                ResultDoc{ResultType::NUM, "version", "Block version to use"},
                ResultDoc{ResultType::ARR,
                          "rules",
                          "Rules the block must follow",
                          {ResultDoc{ResultType::STR, "",
                                     "a rule name; a leading '!' means the client must "
                                     "understand it (BIP 9)"}}},
                ResultDoc{ResultType::OBJ_DYN,
                          "vbavailable",
                          "BIP 9 deployments being signalled, by name",
                          {ResultDoc{ResultType::NUM, "rulename",
                                     "the version bit that signals the deployment"}}},
                ResultDoc{ResultType::ARR,
                          "capabilities",
                          "",
                          {ResultDoc{ResultType::STR, "value",
                                     "a feature this server supports, such as 'proposal'"}}},
                ResultDoc{ResultType::NUM, "vbrequired", "Version bits a submitted block must set"},
                ResultDoc{ResultType::STR, "previousblockhash",
                          "Hash of the tip the block builds on"},
                ResultDoc{
                    ResultType::ARR,
                    "transactions",
                    "The transactions to put after the coinbase, in order",
                    {ResultDoc{
                        ResultType::OBJ,
                        "",
                        "",
                        {
                            ResultDoc{ResultType::STR_HEX, "data",
                                      "the serialized transaction, hex"},
                            ResultDoc{ResultType::STR_HEX, "txid", "the txid, hex as RPC shows it"},
                            ResultDoc{ResultType::STR_HEX, "hash",
                                      "the wtxid (witness included), hex as RPC shows it"},
                            ResultDoc{ResultType::ARR,
                                      "depends",
                                      "earlier transactions this one spends from",
                                      {ResultDoc{ResultType::NUM, "",
                                                 "1-based position in 'transactions' of a "
                                                 "parent that must be in the block with it"}}},
                            ResultDoc{ResultType::NUM, "fee",
                                      "inputs minus outputs, in satoshis; when absent the fee "
                                      "is unknown, not zero"},
                            ResultDoc{ResultType::NUM, "sigops",
                                      "sigop cost as the block limit counts it; when absent "
                                      "it is unknown, not zero"},
                            ResultDoc{ResultType::NUM, "weight",
                                      "weight as the block limit counts it"},
                        }}}},
                ResultDoc{ResultType::OBJ_DYN,
                          "coinbaseaux",
                          "Data the coinbase scriptSig must carry (none here)",
                          {ResultDoc{ResultType::STR_HEX, "key",
                                     "a value to include; the key is only a label"}}},
                ResultDoc{ResultType::NUM, "coinbasevalue",
                          "most the coinbase may claim: the subsidy plus the transactions' "
                          "fees (in satoshis)"},
                ResultDoc{ResultType::STR, "longpollid",
                          "Pass back as longpollid to wait for a newer template"},
                ResultDoc{ResultType::STR, "target",
                          "The target a block hash must not exceed, hex"},
                ResultDoc{ResultType::NUM_TIME, "mintime",
                          "Earliest time the block may carry (median time past + 1), "
                          "UNIX epoch seconds"},
                ResultDoc{
                    ResultType::ARR,
                    "mutable",
                    "What the miner may change",
                    {ResultDoc{ResultType::STR, "value", "'time', 'transactions' or 'prevblock'"}}},
                ResultDoc{ResultType::STR_HEX, "noncerange",
                          "The nonces the miner may use, as two 32-bit hex bounds"},
                ResultDoc{ResultType::NUM, "sigoplimit", "Block sigop limit"},
                ResultDoc{ResultType::NUM, "sizelimit", "Block size limit, bytes"},
                ResultDoc{ResultType::NUM, "weightlimit", /*optional=*/true, "Block weight limit"},
                ResultDoc{ResultType::NUM_TIME, "curtime",
                          "The time to put in the header now, UNIX epoch seconds"},
                ResultDoc{ResultType::STR, "bits", "The block's compact target (nBits), hex"},
                ResultDoc{ResultType::NUM, "height", "Height of the block being built"},
                ResultDoc{ResultType::STR_HEX, "signet_challenge", /*optional=*/true,
                          "The signet block challenge; signet only"},
                ResultDoc{ResultType::STR_HEX, "default_witness_commitment", /*optional=*/true,
                          "The coinbase output script committing to the witnesses of "
                          "exactly these transactions"},
            }},
    };
}

Method GetBlockTemplate(const Services& services, std::shared_ptr<TemplateState> state)
{
    return Method{
        "getblocktemplate",
        "mining",
        "With mode \"template\" (or no mode), answer what a miner needs to build the next block;\n"
        "with mode \"proposal\", check a block the caller built instead.\n"
        "The full specification is in BIPs 22, 23, 9 and 145:\n"
        "    https://github.com/bitcoin/bips/blob/master/bip-0022.mediawiki\n"
        "    https://github.com/bitcoin/bips/blob/master/bip-0023.mediawiki\n"
        "    "
        "https://github.com/bitcoin/bips/blob/master/bip-0009.mediawiki#getblocktemplate_changes\n"
        "    https://github.com/bitcoin/bips/blob/master/bip-0145.mediawiki",
        {
            {"template_request",
             ArgType::OBJ,
             ArgOptional::NO,
             "What to do, and what the client supports",
             {
                 {"mode", ArgType::STR, ArgOptional::OMITTED,
                  "\"template\", \"proposal\" (BIP 23), or left out"},
                 {"capabilities",
                  ArgType::ARR,
                  ArgOptional::OMITTED,
                  "Features the client supports",
                  {{"str", ArgType::STR, ArgOptional::OMITTED,
                    "a feature the client supports: 'longpoll', 'coinbasevalue', 'proposal', "
                    "'serverlist', 'workid'"}}},
                 {"rules",
                  ArgType::ARR,
                  ArgOptional::NO,
                  "Rules the client understands",
                  {{"segwit", ArgType::STR, ArgOptional::NO,
                    "(literal) the client understands segwit"},
                   {"str", ArgType::STR, ArgOptional::OMITTED,
                    "another deployment the client understands"}}},
                 {"longpollid", ArgType::STR, ArgOptional::OMITTED,
                  "answer only once the template would differ from the one this id (from an "
                  "earlier answer) stands for"},
                 {"data", ArgType::STR_HEX, ArgOptional::OMITTED,
                  "the proposed block in hex; only with mode=\"proposal\""},
             }},
        },
        TemplateResultDocs(),
        HelpExampleCli("getblocktemplate", "'{\"rules\": [\"segwit\"]}'") +
            HelpExampleRpc("getblocktemplate", "{\"rules\": [\"segwit\"]}"),
        [&services, state](const Request& request) -> Result {
            const Json& options = request.Arg("template_request");
            std::string mode = "template";
            Json longpollid;
            std::set<std::string> client_rules;
            if (!options.is_null()) {
                if (options.contains("mode")) {
                    const Json& mode_value = options["mode"];
                    if (mode_value.is_string()) {
                        mode = mode_value.get<std::string>();
                    } else if (!mode_value.is_null()) {
                        ThrowRpc(RPC_INVALID_PARAMETER, "Invalid mode");
                    }
                }
                if (options.contains("longpollid")) longpollid = options["longpollid"];
                if (mode == "proposal") return CheckProposal(services, options);
                if (options.contains("rules") && options["rules"].is_array()) {
                    for (const Json& rule : options["rules"]) {
                        if (!rule.is_string()) {
                            ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " +
                                                         std::string{rule.type_name()} +
                                                         " is not of expected type string");
                        }
                        client_rules.insert(rule.get<std::string>());
                    }
                }
            }
            if (mode != "template") ThrowRpc(RPC_INVALID_PARAMETER, "Invalid mode");

            const common::ChainParams& chain_params = services.chain->Params();
            interfaces::TipSnapshot tip = services.chain->Tip();
            // Core refuses templates during initial sync only on mainnet.
            if (chain_params.GetChainType() == util::ChainType::MAIN &&
                tip.initial_block_download) {
                ThrowRpc(RPC_CLIENT_IN_INITIAL_DOWNLOAD,
                         "minibit is in initial sync and waiting for blocks...");
            }

            if (!longpollid.is_null()) {
                uint64_t sequence = 0;
                {
                    std::lock_guard lock{state->mutex};
                    sequence = state->last_sequence;
                }
                WaitForLongPoll(services, longpollid, tip.hash, sequence);
                tip = services.chain->Tip();
            }

            const auto& params = chain_params.GetConsensus();
            if (params.signet_blocks && client_rules.count("signet") != 1) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "getblocktemplate must be called with the signet rule set (call with "
                         "{\"rules\": [\"segwit\", \"signet\"]})");
            }
            if (client_rules.count("segwit") != 1) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "getblocktemplate must be called with the segwit rule set (call with "
                         "{\"rules\": [\"segwit\"]})");
            }

            BlockTemplateInfo info = CurrentTemplate(services, *state, tip.hash,
                                                     !params.pow_allow_min_difficulty_blocks);
            const uint64_t sequence = info.mempool_sequence;
            return TemplateToJson(services, std::move(info), sequence);
        },
    };
}

} // namespace

void RegisterMiningTemplateMethods(MethodTable& table, const Services& services)
{
    auto state = std::make_shared<TemplateState>();
    table.Register(GetNetworkHashPs(services));
    table.Register(GetMiningInfo(services, state));
    table.Register(GetBlockTemplate(services, state));
}

} // namespace rpc
