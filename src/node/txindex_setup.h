// -txindex for minibitd: the option, opening the index under
// <chain datadir>/indexes/txindex/, the background catch-up on the validation
// executor, and the hooks node::ChainInterface answers FindTransaction,
// HaveTxIndex and getindexinfo with.
//
// Wiring in init (in this order):
//   AddTxIndexArgs(args);                                  // with the other options
//   auto txindex = OpenTxIndexFromArgs(args, chain_datadir, &logger);   // null if off
//   hooks = TxIndexHooks(*txindex) if *txindex;            // before ChainInterface
//   StartTxIndexSync(executor, chainman, *txindex, shutdown_requested, &logger);
//                                                          // once the chainstate is loaded
// At shutdown stop the executor before destroying the chainstate; the index
// itself is kept alive by the tasks and the signals that hold it.
#pragma once

#include <kernel/txindex.h>
#include <node/chain_interface.h>
#include <util/args.h>
#include <util/expected.h>

#include <filesystem>
#include <functional>
#include <memory>

namespace kernel {
class ChainstateManager;
}
namespace util {
class Logger;
class SerialExecutor;
} // namespace util

namespace node {

/// Largest LevelDB cache the index takes, as Core's MAX_TX_INDEX_CACHE (MiB).
inline constexpr int64_t MAX_TXINDEX_CACHE_MIB = 1024;

/// Registers -txindex for -help and parsing.
void AddTxIndexArgs(util::ArgsManager& args);

/// Opens the index when -txindex is set (null when it is not). Its cache is an eighth of
/// -dbcache, at most MAX_TXINDEX_CACHE_MIB.
util::Expected<std::shared_ptr<kernel::TxIndex>>
OpenTxIndexFromArgs(const util::ArgsManager& args, const std::filesystem::path& chain_datadir,
                    util::Logger* logger);

/// FindTransaction and getindexinfo hooks answered by `index` (which they keep alive).
IndexHooks TxIndexHooks(std::shared_ptr<kernel::TxIndex> index);

/// Posts to `executor`: register `index` with the chainstate's signals, then run SyncStep
/// (TXINDEX_SYNC_BLOCKS_PER_STEP blocks a task, re-posting itself so block validation
/// interleaves) until it is synced, `stop()` turns true or a storage error (logged) ends
/// it. `chainman` must outlive the executor's tasks. Any thread.
void StartTxIndexSync(util::SerialExecutor& executor, kernel::ChainstateManager& chainman,
                      std::shared_ptr<kernel::TxIndex> index, std::function<bool()> stop,
                      util::Logger* logger);

} // namespace node
