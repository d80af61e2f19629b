// The mempool's options (-maxmempool, -mempoolexpiry, -minrelaytxfee, the
// standardness switches, the package limits, -persistmempool) and the block
// assembly ones (-blockmaxweight, -blockmintxfee).
#pragma once

#include <kernel/fee_estimator.h>
#include <kernel/mempool.h>
#include <kernel/mempool_sync.h>
#include <kernel/miner.h>
#include <kernel/policy.h>
#include <util/args.h>
#include <util/expected.h>

#include <filesystem>
#include <memory>

namespace kernel {
class ChainstateManager;
}
namespace util {
class Logger;
class SerialExecutor;
} // namespace util

namespace node {

class ChainNotifier;
class ZmqNotifier;

/// Everything the mempool options decide.
struct MempoolSetup
{
    kernel::MempoolOptions mempool{};
    kernel::PolicyOptions policy{};
    kernel::AssemblerOptions assembler{};
};

/// Registers the options for -help and parsing.
void AddMempoolArgs(util::ArgsManager& args);

/// Reads and checks the options; errors name the option and say what is wrong.
util::Expected<MempoolSetup> MempoolSetupFromArgs(const util::ArgsManager& args);

/// The mempool with its fee estimator and chain subscription, as the node runs them.
class MempoolStack
{
public:
    /// Creates the estimator (reading fee_estimates.dat) and the pool; `zmq` and `notifier`
    /// (each may be null) hear of every addition and removal (`notifier` of BLOCK removals
    /// too). Everything given must outlive the stack.
    MempoolStack(const MempoolSetup& setup, const std::filesystem::path& chain_datadir,
                 ZmqNotifier* zmq, util::Logger& logger, ChainNotifier* notifier = nullptr);

    /// On the executor: subscribes to the chainstate's events, then (with -persistmempool)
    /// loads mempool.dat in a later task and marks the pool loaded.
    void Attach(util::SerialExecutor& validation, kernel::ChainstateManager& chainman);
    /// On the executor (call from a task): unsubscribes, writes mempool.dat (with
    /// -persistmempool) and fee_estimates.dat.
    void Detach(kernel::ChainstateManager& chainman);

    kernel::TxMemPool& Pool() { return *m_pool; }
    kernel::FeeEstimator& Fees() { return *m_fees; }
    const MempoolSetup& Setup() const { return m_setup; }
    std::filesystem::path DumpFile() const { return m_dump_file; }

private:
    MempoolSetup m_setup;
    std::filesystem::path m_dump_file;
    util::Logger& m_logger;
    std::unique_ptr<kernel::FeeEstimator> m_fees;
    std::unique_ptr<kernel::TxMemPool> m_pool;
    std::shared_ptr<kernel::MempoolChainSync> m_sync;
    /// Set by Attach (executor-only). Each arrival asks it whether the node is in initial
    /// download: fee estimation ignores those arrivals.
    kernel::ChainstateManager* m_chainman{nullptr};
};

} // namespace node
