// Deployment state, chain verification and control, and waiting for blocks:
// getdeploymentinfo, verifychain, invalidateblock, reconsiderblock, preciousblock,
// waitfornewblock, waitforblock, waitforblockheight.
#include <common/chainparams.h>
#include <rpc/blockchain.h>
#include <rpc/blockchain_internal.h>
#include <rpc/dispatch.h>
#include <rpc/services.h>
#include <rpc/util.h>
#include <util/chaintype.h>

#include <chrono>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rpc {

namespace {

using interfaces::BlockInfo;

// ---- BIP9 version bits --------------------------------------------------------------------

enum class ThresholdState
{
    DEFINED,
    STARTED,
    LOCKED_IN,
    ACTIVE,
    FAILED,
};

std::string StateName(ThresholdState state)
{
    switch (state) {
    case ThresholdState::DEFINED:
        return "defined";
    case ThresholdState::STARTED:
        return "started";
    case ThresholdState::LOCKED_IN:
        return "locked_in";
    case ThresholdState::ACTIVE:
        return "active";
    case ThresholdState::FAILED:
        return "failed";
    }
    return "invalid";
}

constexpr int64_t ALWAYS_ACTIVE{-1};
constexpr int64_t NO_TIMEOUT{std::numeric_limits<int64_t>::max()};
constexpr uint32_t VERSIONBITS_TOP_MASK{0xe0000000};
constexpr uint32_t VERSIONBITS_TOP_BITS{0x20000000};

// One BIP9 deployment as Core v28's chain parameters define it.
struct Bip9Deployment
{
    std::string name;
    int bit{0};
    int64_t start_time{0};
    int64_t timeout{NO_TIMEOUT};
    int min_activation_height{0};
    int period{2016};
    int threshold{1916};
    /// Height the deployment is known to have activated at (-1: compute every state); from
    /// there on the answer needs no walk over the signalling periods.
    int active_since{-1};
};

// Blocks of the branch that ends at one block, fetched once each.
class BranchView
{
public:
    BranchView(const interfaces::Chain& chain, const BlockInfo& tip) : m_chain{chain}, m_tip{tip} {}

    // The ancestor at `height`, nullopt below 0 or above the branch tip.
    const BlockInfo* At(int height)
    {
        if (height < 0 || height > m_tip.height) return nullptr;
        if (height == m_tip.height) return &m_tip;
        auto it = m_cache.find(height);
        if (it == m_cache.end()) {
            auto info = m_chain.GetAncestor(m_tip.hash, height);
            if (!info) ThrowRpc(RPC_INTERNAL_ERROR, "Block index entry missing");
            it = m_cache.emplace(height, std::move(*info)).first;
        }
        return &it->second;
    }

private:
    const interfaces::Chain& m_chain;
    BlockInfo m_tip;
    std::map<int, BlockInfo> m_cache;
};

// Core's version bits state machine for one deployment over one branch.
class VersionBits
{
public:
    VersionBits(const Bip9Deployment& dep, BranchView& branch) : m_dep{dep}, m_branch{branch} {}

    bool Signals(const BlockInfo& block) const
    {
        const auto version = static_cast<uint32_t>(block.header.version);
        return (version & VERSIONBITS_TOP_MASK) == VERSIONBITS_TOP_BITS &&
               ((version >> m_dep.bit) & 1) != 0;
    }

    // The state of the block after the one at `prev_height` (-1: the genesis block's state).
    ThresholdState StateFor(int prev_height)
    {
        if (m_dep.start_time == ALWAYS_ACTIVE) return ThresholdState::ACTIVE;
        // States change only at period boundaries: use the last block of the previous period.
        int height = prev_height < 0 ? -1 : prev_height - ((prev_height + 1) % m_dep.period);
        std::vector<int> to_compute;
        ThresholdState state = ThresholdState::DEFINED;
        while (height >= 0) {
            if (auto it = m_states.find(height); it != m_states.end()) {
                state = it->second;
                break;
            }
            if (m_branch.At(height)->median_time_past < m_dep.start_time) {
                m_states[height] = ThresholdState::DEFINED;
                break;
            }
            to_compute.push_back(height);
            height -= m_dep.period;
        }
        while (!to_compute.empty()) {
            const int boundary = to_compute.back();
            to_compute.pop_back();
            const auto* block = m_branch.At(boundary);
            ThresholdState next = state;
            switch (state) {
            case ThresholdState::DEFINED:
                if (block->median_time_past >= m_dep.start_time) next = ThresholdState::STARTED;
                break;
            case ThresholdState::STARTED: {
                int count = 0;
                for (int h = boundary - m_dep.period + 1; h <= boundary; ++h) {
                    if (Signals(*m_branch.At(h))) ++count;
                }
                if (count >= m_dep.threshold) {
                    next = ThresholdState::LOCKED_IN;
                } else if (block->median_time_past >= m_dep.timeout) {
                    next = ThresholdState::FAILED;
                }
                break;
            }
            case ThresholdState::LOCKED_IN:
                if (boundary + 1 >= m_dep.min_activation_height) next = ThresholdState::ACTIVE;
                break;
            case ThresholdState::ACTIVE:
            case ThresholdState::FAILED:
                break;
            }
            m_states[boundary] = state = next;
        }
        return state;
    }

    // Height of the first block that has the state the block after `prev_height` has.
    int SinceHeight(int prev_height)
    {
        if (m_dep.start_time == ALWAYS_ACTIVE) return 0;
        const ThresholdState initial = StateFor(prev_height);
        if (initial == ThresholdState::DEFINED) return 0;
        int height = prev_height - ((prev_height + 1) % m_dep.period);
        int previous = height - m_dep.period;
        while (previous >= 0 && StateFor(previous) == initial) {
            height = previous;
            previous -= m_dep.period;
        }
        return height + 1;
    }

private:
    const Bip9Deployment& m_dep;
    BranchView& m_branch;
    std::map<int, ThresholdState> m_states; // keyed by the last height of a period
};

// The BIP9 deployments Core v28 reports on this network (taproot's parameters are
// ALWAYS_ACTIVE where it is active from genesis).
std::vector<Bip9Deployment> Bip9Deployments(const common::ChainParams& params)
{
    std::vector<Bip9Deployment> deps;
    const auto chain_type = params.GetChainType();
    if (chain_type == util::ChainType::REGTEST) {
        deps.push_back({"testdummy", 28, 0, NO_TIMEOUT, 0, 144, 108});
    }
    const int taproot_height = params.GetConsensus().taproot_height;
    if (taproot_height == 0) {
        deps.push_back({"taproot", 2, ALWAYS_ACTIVE, NO_TIMEOUT, 0,
                        chain_type == util::ChainType::REGTEST ? 144 : 2016,
                        chain_type == util::ChainType::REGTEST ? 108 : 1815});
    } else if (chain_type == util::ChainType::MAIN) {
        deps.push_back({"taproot", 2, 1619222400, 1628640000, 709632, 2016, 1815, taproot_height});
    } else {
        deps.push_back({"taproot", 2, 1619222400, 1628640000, 0, 2016, 1512, taproot_height});
    }
    return deps;
}

Json Bip9Json(const Bip9Deployment& dep, BranchView& branch, const BlockInfo& block)
{
    VersionBits bits{dep, branch};
    const bool known_active = dep.active_since >= 0 && block.height >= dep.active_since;
    const ThresholdState next = known_active ? ThresholdState::ACTIVE : bits.StateFor(block.height);
    const ThresholdState current =
        known_active ? ThresholdState::ACTIVE : bits.StateFor(block.height - 1);
    const bool has_signal =
        current == ThresholdState::STARTED || current == ThresholdState::LOCKED_IN;

    Json bip9 = Json::object();
    if (has_signal) bip9["bit"] = dep.bit;
    bip9["start_time"] = dep.start_time;
    bip9["timeout"] = dep.timeout;
    bip9["min_activation_height"] = dep.min_activation_height;
    bip9["status"] = StateName(current);
    bip9["since"] = known_active ? dep.active_since : bits.SinceHeight(block.height - 1);
    bip9["status_next"] = StateName(next);
    if (has_signal) {
        // Blocks of the current period up to and including `block`.
        const int period_end = block.height - ((block.height + 1) % dep.period);
        const int elapsed = block.height - period_end;
        int count = 0;
        std::string signalling;
        for (int h = period_end + 1; h <= block.height; ++h) {
            const bool signals = bits.Signals(*branch.At(h));
            if (signals) ++count;
            signalling += signals ? '#' : '-';
        }
        Json stats = Json::object();
        stats["period"] = dep.period;
        stats["elapsed"] = elapsed;
        stats["count"] = count;
        if (current != ThresholdState::LOCKED_IN) {
            stats["threshold"] = dep.threshold;
            stats["possible"] = (dep.period - dep.threshold) >= (elapsed - count);
        }
        bip9["statistics"] = std::move(stats);
        bip9["signalling"] = std::move(signalling);
    }

    Json result = Json::object();
    result["type"] = "bip9";
    if (next == ThresholdState::ACTIVE) {
        result["height"] = known_active ? dep.active_since : bits.SinceHeight(block.height);
    }
    result["active"] = next == ThresholdState::ACTIVE;
    result["bip9"] = std::move(bip9);
    return result;
}

Json DeploymentsJson(const interfaces::Chain& chain, const BlockInfo& block)
{
    const auto& params = chain.Params();
    const auto& consensus = params.GetConsensus();
    Json deployments = Json::object();
    auto buried = [&](const char* name, int height) {
        Json entry = Json::object();
        entry["type"] = "buried";
        // Reported active once the next block must follow the rule.
        entry["active"] = block.height + 1 >= height;
        entry["height"] = height;
        deployments[name] = std::move(entry);
    };
    buried("bip34", consensus.bip34_height);
    buried("bip66", consensus.bip66_height);
    buried("bip65", consensus.bip65_height);
    buried("csv", consensus.csv_height);
    buried("segwit", consensus.segwit_height);
    BranchView branch{chain, block};
    for (const auto& dep : Bip9Deployments(params)) {
        deployments[dep.name] = Bip9Json(dep, branch, block);
    }
    return deployments;
}

std::vector<ResultDoc> DeploymentFields()
{
    return {
        {ResultType::STR, "type", "one of \"buried\", \"bip9\""},
        {ResultType::NUM, "height", true,
         "height of the first block which the rules are or will be enforced (only for "
         "\"buried\" type, or \"bip9\" type with \"active\" status)"},
        {ResultType::BOOL, "active",
         "true if the rules are enforced for the mempool and the next block"},
        {ResultType::OBJ,
         "bip9",
         true,
         "status of bip9 softforks (only for \"bip9\" type)",
         {
             {ResultType::NUM, "bit", true,
              "the bit (0-28) in the block version field used to signal this softfork (only for "
              "\"started\" and \"locked_in\" status)"},
             {ResultType::NUM_TIME, "start_time",
              "the minimum median time past of a block at which the bit gains its meaning"},
             {ResultType::NUM_TIME, "timeout",
              "the median time past of a block at which the deployment is considered failed if "
              "not yet locked in"},
             {ResultType::NUM, "min_activation_height",
              "minimum height of blocks for which the rules may be enforced"},
             {ResultType::STR, "status",
              "status of deployment at specified block (one of \"defined\", \"started\", "
              "\"locked_in\", \"active\", \"failed\")"},
             {ResultType::NUM, "since", "height of the first block to which the status applies"},
             {ResultType::STR, "status_next", "status of deployment at the next block"},
             {ResultType::OBJ,
              "statistics",
              true,
              "numeric statistics about signalling for a softfork (only for \"started\" and "
              "\"locked_in\" status)",
              {
                  {ResultType::NUM, "period", "the length in blocks of the signalling period"},
                  {ResultType::NUM, "threshold", true,
                   "the number of blocks with the version bit set required to activate the "
                   "feature (only for \"started\" status)"},
                  {ResultType::NUM, "elapsed",
                   "the number of blocks elapsed since the beginning of the current period"},
                  {ResultType::NUM, "count",
                   "the number of blocks with the version bit set in the current period"},
                  {ResultType::BOOL, "possible", true,
                   "returns false if there are not enough blocks left in this period to pass "
                   "activation threshold (only for \"started\" status)"},
              }},
             {ResultType::STR, "signalling", true,
              "indicates blocks that signalled with a # and blocks that did not with a -"},
         }},
    };
}

Method GetDeploymentInfo(const Services& services)
{
    return Method{
        "getdeploymentinfo",
        "blockchain",
        "Returns the state of each consensus change deployment at a block.",
        {{"blockhash", ArgType::STR_HEX, Json("hash of current chain tip"),
          "The block hash at which to query deployment state"}},
        {ResultDoc{ResultType::OBJ,
                   "",
                   "",
                   {
                       {ResultType::STR, "hash", "requested block hash (or tip)"},
                       {ResultType::NUM, "height", "requested block height (or tip)"},
                       {ResultType::OBJ_DYN,
                        "deployments",
                        "",
                        {{ResultType::OBJ, "xxxx", "name of the deployment", DeploymentFields()}}},
                   }}},
        HelpExampleCli("getdeploymentinfo", "") + HelpExampleRpc("getdeploymentinfo", ""),
        [&services](const Request& request) -> Result {
            const auto& chain = *services.chain;
            // The documented default is a description, not a value: read the raw parameter.
            const auto hash = request.Param(0).is_null()
                                  ? chain.Tip().hash
                                  : ParseHashParam(request.Param(0), "blockhash");
            const auto block = BlockInfoOrThrow(chain, hash);
            Json result = Json::object();
            result["hash"] = block.hash.GetHex();
            result["height"] = block.height;
            result["deployments"] = DeploymentsJson(chain, block);
            return result;
        }};
}

Method VerifyChain(const Services& services)
{
    return Method{
        "verifychain",
        "blockchain",
        "\nChecks the blocks at the tip of the chain database.\n",
        {
            {"checklevel", ArgType::NUM, DefaultHint{"3, range=0-4"},
             "How thorough the block verification is:\n"
             "- level 0 reads the blocks from disk\n"
             "- level 1 verifies block validity\n"
             "- level 2 verifies undo data\n"
             "- level 3 checks disconnection of tip blocks\n"
             "- level 4 tries to reconnect the blocks\n"
             "- each level includes the checks of the previous levels"},
            {"nblocks", ArgType::NUM, DefaultHint{"6, 0=all"}, "The number of blocks to check."},
        },
        {ResultDoc{ResultType::BOOL, "",
                   "Verification finished successfully. If false, check debug.log for reason."}},
        HelpExampleCli("verifychain", "") + HelpExampleRpc("verifychain", ""),
        [&services](const Request& request) -> Result {
            const int level = request.HasArg("checklevel") ? IntParam(request.Param(0)) : 3;
            const int depth = request.HasArg("nblocks") ? IntParam(request.Param(1)) : 6;
            auto ok = services.chain->VerifyChain(level, depth);
            if (!ok) ThrowRpc(RPC_DATABASE_ERROR, ok.error().message);
            return Json(*ok);
        }};
}

// invalidateblock, reconsiderblock and preciousblock differ only in the call they make.
Method BlockControl(const Services& services, std::string name, std::string category,
                    std::string description, std::string arg_description,
                    util::Expected<void> (interfaces::Chain::*action)(const consensus::Uint256&))
{
    std::string examples =
        HelpExampleCli(name, "\"blockhash\"") + HelpExampleRpc(name, "\"blockhash\"");
    return Method{std::move(name),
                  std::move(category),
                  std::move(description),
                  {{"blockhash", ArgType::STR_HEX, ArgOptional::NO, std::move(arg_description)}},
                  {ResultDoc{ResultType::NONE, "", ""}},
                  std::move(examples),
                  [&services, action](const Request& request) -> Result {
                      const auto hash = ParseHashParam(request.Param(0), "blockhash");
                      (void)BlockInfoOrThrow(*services.chain, hash);
                      auto done = (services.chain->*action)(hash);
                      if (!done) ThrowRpc(RPC_DATABASE_ERROR, done.error().message);
                      return Json(nullptr);
                  }};
}

std::vector<ResultDoc> WaitResult()
{
    return {ResultDoc{ResultType::OBJ,
                      "",
                      "",
                      {
                          {ResultType::STR_HEX, "hash", "The blockhash"},
                          {ResultType::NUM, "height", "Block height"},
                      }}};
}

const char* const WAIT_TIMEOUT_TEXT{
    "Time in milliseconds to wait for a response. 0 indicates no timeout."};

Json TipJson(const interfaces::TipSnapshot& tip)
{
    Json result = Json::object();
    result["hash"] = tip.hash.GetHex();
    result["height"] = tip.height;
    return result;
}

std::chrono::milliseconds TimeoutParam(const Json& value)
{
    const int timeout = value.is_null() ? 0 : IntParam(value);
    if (timeout < 0) ThrowRpc(RPC_MISC_ERROR, "Negative timeout");
    return std::chrono::milliseconds{timeout};
}

Method WaitForNewBlock(const Services& services)
{
    return Method{
        "waitfornewblock",
        "hidden",
        "\nWaits for the tip to change and returns the new tip.\n"
        "\nReturns the current tip on timeout or shutdown.\n"
        "\nUse no RPC client timeout (minibit-cli -rpcclienttimeout=0).",
        {{"timeout", ArgType::NUM, Json(0), WAIT_TIMEOUT_TEXT}},
        WaitResult(),
        HelpExampleCli("waitfornewblock", "1000") + HelpExampleRpc("waitfornewblock", "1000"),
        [&services](const Request& request) -> Result {
            const auto timeout = TimeoutParam(request.Param(0));
            const auto start = services.chain->Tip();
            const auto tip = services.chain->WaitForTip(
                [&start](const interfaces::TipSnapshot& t) { return t.hash != start.hash; },
                timeout);
            return TipJson(tip);
        }};
}

Method WaitForBlock(const Services& services)
{
    return Method{
        "waitforblock",
        "hidden",
        "\nWaits until the given block is the tip and returns it.\n"
        "\nReturns the current tip on timeout or shutdown.\n"
        "\nUse no RPC client timeout (minibit-cli -rpcclienttimeout=0).",
        {
            {"blockhash", ArgType::STR_HEX, ArgOptional::NO, "Block hash to wait for."},
            {"timeout", ArgType::NUM, Json(0), WAIT_TIMEOUT_TEXT},
        },
        WaitResult(),
        HelpExampleCli("waitforblock",
                       "\"0000000000079f8ef3d2c688c244eb7a4570b24c9ed7b4a8c619eb02596f8862\" "
                       "1000") +
            HelpExampleRpc("waitforblock",
                           "\"0000000000079f8ef3d2c688c244eb7a4570b24c9ed7b4a8c619eb02596f8862\", "
                           "1000"),
        [&services](const Request& request) -> Result {
            const auto hash = ParseHashParam(request.Param(0), "blockhash");
            const auto timeout = TimeoutParam(request.Param(1));
            const auto tip = services.chain->WaitForTip(
                [&hash](const interfaces::TipSnapshot& t) { return t.hash == hash; }, timeout);
            return TipJson(tip);
        }};
}

Method WaitForBlockHeight(const Services& services)
{
    return Method{"waitforblockheight",
                  "hidden",
                  "\nWaits until the tip is at least at the given height and returns the tip.\n"
                  "\nReturns the current tip on timeout or shutdown.\n"
                  "\nUse no RPC client timeout (minibit-cli -rpcclienttimeout=0).",
                  {
                      {"height", ArgType::NUM, ArgOptional::NO, "Block height to wait for."},
                      {"timeout", ArgType::NUM, Json(0), WAIT_TIMEOUT_TEXT},
                  },
                  WaitResult(),
                  HelpExampleCli("waitforblockheight", "100 1000") +
                      HelpExampleRpc("waitforblockheight", "100, 1000"),
                  [&services](const Request& request) -> Result {
                      const int height = IntParam(request.Param(0));
                      const auto timeout = TimeoutParam(request.Param(1));
                      const auto tip = services.chain->WaitForTip(
                          [height](const interfaces::TipSnapshot& t) { return t.height >= height; },
                          timeout);
                      return TipJson(tip);
                  }};
}

} // namespace

void RegisterBlockchainControlMethods(MethodTable& table, const Services& services)
{
    table.Register(GetDeploymentInfo(services));
    table.Register(VerifyChain(services));
    table.Register(BlockControl(services, "invalidateblock", "hidden",
                                "\nMarks a block as invalid for good, as if it broke a consensus "
                                "rule.\n",
                                "the hash of the block to mark as invalid",
                                &interfaces::Chain::InvalidateBlock));
    table.Register(BlockControl(services, "reconsiderblock", "hidden",
                                "\nClears the invalid status of a block, its ancestors and its "
                                "descendants and lets them compete for the active chain again.\n"
                                "This undoes invalidateblock.\n",
                                "the hash of the block to reconsider",
                                &interfaces::Chain::ReconsiderBlock));
    table.Register(BlockControl(services, "preciousblock", "blockchain",
                                "\nTreats a block as if it had arrived before any other block "
                                "with the same work.\n"
                                "A later call may override an earlier one.\n"
                                "The effect is lost on restart.\n",
                                "the hash of the block to mark as precious",
                                &interfaces::Chain::PreciousBlock));
    table.Register(WaitForNewBlock(services));
    table.Register(WaitForBlock(services));
    table.Register(WaitForBlockHeight(services));
}

} // namespace rpc
