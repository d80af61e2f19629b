#include <node/txindex_setup.h>

#include <kernel/chainstate.h>
#include <util/executor.h>
#include <util/logging.h>

#include <algorithm>
#include <utility>

namespace node {

namespace {

/// One catch-up step; re-posts itself until done.
void SyncTask(util::SerialExecutor& executor, kernel::ChainstateManager& chainman,
              std::shared_ptr<kernel::TxIndex> index, std::function<bool()> stop,
              util::Logger* logger)
{
    if (stop && stop()) return;
    auto synced = index->SyncStep(chainman, kernel::TXINDEX_SYNC_BLOCKS_PER_STEP);
    if (!synced) {
        if (logger) logger->Error("txindex: sync stopped: " + synced.error().message);
        return;
    }
    if (*synced) return;
    executor.Post(
        [&executor, &chainman, index = std::move(index), stop = std::move(stop), logger]() mutable {
            SyncTask(executor, chainman, std::move(index), std::move(stop), logger);
        });
}

} // namespace

void AddTxIndexArgs(util::ArgsManager& args)
{
    args.AddArg("-txindex",
                "Keep an index of every transaction of the chain by txid, so that "
                "getrawtransaction and gettxoutproof find any of them (default: 0)",
                util::ArgType::BOOL, util::OptionsCategory::OPTIONS);
}

util::Expected<std::shared_ptr<kernel::TxIndex>>
OpenTxIndexFromArgs(const util::ArgsManager& args, const std::filesystem::path& chain_datadir,
                    util::Logger* logger)
{
    if (!args.GetBoolArg("-txindex", false)) return std::shared_ptr<kernel::TxIndex>{};
    const int64_t cache_mib = std::clamp<int64_t>(
        args.GetIntArg("-dbcache", kernel::DEFAULT_DB_CACHE_MIB) / 8, 1, MAX_TXINDEX_CACHE_MIB);
    auto opened = kernel::TxIndex::Open(chain_datadir / "indexes" / "txindex",
                                        static_cast<size_t>(cache_mib) << 20, logger);
    if (!opened)
        return util::Unexpected("Cannot open the transaction index: " + opened.error().message);
    return std::shared_ptr<kernel::TxIndex>{std::move(*opened)};
}

IndexHooks TxIndexHooks(std::shared_ptr<kernel::TxIndex> index)
{
    IndexHooks hooks;
    hooks.find_tx_block = [index](const consensus::Uint256& txid) {
        return index->FindBlockHash(txid);
    };
    hooks.index_info = [index]() {
        return std::vector<interfaces::IndexInfo>{
            interfaces::IndexInfo{"txindex", index->Synced(), index->BestHeight()}};
    };
    return hooks;
}

void StartTxIndexSync(util::SerialExecutor& executor, kernel::ChainstateManager& chainman,
                      std::shared_ptr<kernel::TxIndex> index, std::function<bool()> stop,
                      util::Logger* logger)
{
    executor.Post(
        [&executor, &chainman, index = std::move(index), stop = std::move(stop), logger]() mutable {
            // Registration happens on the executor, the only thread that fires the signals.
            chainman.Signals().Register(index);
            SyncTask(executor, chainman, std::move(index), std::move(stop), logger);
        });
}

} // namespace node
