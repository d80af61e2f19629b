// node::ChainInterface implements interfaces::Chain for RPC (and later the
// wallet): reads of the tip come from a snapshot published on every tip change;
// everything else runs on the validation executor, which owns the chainstate.
#pragma once

#include <interfaces/chain.h>
#include <kernel/mempool_accept.h>
#include <kernel/miner.h>
#include <kernel/notifications.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace kernel {
class ChainstateManager;
class BlockIndex;
class FeeEstimator;
class TxMemPool;
} // namespace kernel
namespace util {
class SerialExecutor;
}

namespace node {

class ChainNotifier;

/// Optional indexes the chain interface consults (each may be left empty).
struct IndexHooks
{
    /// -txindex: the block holding a txid. Any thread.
    std::function<std::optional<consensus::Uint256>(const consensus::Uint256&)> find_tx_block{};
    /// getindexinfo: state of every index that is on. Any thread.
    std::function<std::vector<interfaces::IndexInfo>()> index_info{};
};

/// The mempool parts (all may be absent: then mempool calls answer as an empty pool and
/// acceptance refuses with "mempool disabled").
struct MempoolHooks
{
    kernel::TxMemPool* pool{nullptr};
    kernel::FeeEstimator* fees{nullptr};
    kernel::PolicyOptions policy{};
    kernel::AssemblerOptions assembler{};
    std::filesystem::path dump_file{}; //!< mempool.dat
    /// Announces a transaction submitted through RPC to peers (Core's
    /// BroadcastTransaction relays it even when it was already in the pool). Executor
    /// thread; may be empty (no P2P).
    std::function<void(const consensus::Uint256& txid, const consensus::Uint256& wtxid)> relay{};
};

/// The chain as RPC sees it. Construct after the chainstate is loaded; `chainman`,
/// `executor` and `notifier` (if given) must outlive it. Register Events() with the
/// chainstate's signals. Without a notifier, subscriptions hear nothing.
class ChainInterface final : public interfaces::Chain
{
public:
    ChainInterface(kernel::ChainstateManager& chainman, util::SerialExecutor& executor,
                   IndexHooks hooks, MempoolHooks mempool = {}, ChainNotifier* notifier = nullptr);
    ~ChainInterface() override;

    /// The subscriber that republishes the tip; register it with ValidationSignals.
    std::shared_ptr<kernel::ValidationEvents> Events() const { return m_events; }
    /// Republishes the tip now (after load, after headers). Executor thread only.
    void PublishTip();
    /// Wakes every WaitForTip and makes later ones return at once (shutdown).
    void Interrupt();

    const common::ChainParams& Params() const override;
    interfaces::TipSnapshot Tip() const override;
    interfaces::TipSnapshot
    WaitForTip(const std::function<bool(const interfaces::TipSnapshot&)>& done,
               std::chrono::milliseconds timeout) const override;
    std::optional<interfaces::BlockInfo>
    GetBlockInfo(const consensus::Uint256& hash) const override;
    std::optional<interfaces::BlockInfo> GetBlockInfoAtHeight(int height) const override;
    std::optional<interfaces::BlockInfo> GetAncestor(const consensus::Uint256& hash,
                                                     int height) const override;
    std::vector<interfaces::ChainTipInfo> GetChainTips() const override;
    util::Expected<std::shared_ptr<const consensus::Block>>
    ReadBlock(const consensus::Uint256& hash) const override;
    util::Expected<interfaces::BlockUndo>
    ReadBlockUndo(const consensus::Uint256& hash) const override;
    std::optional<interfaces::Coin> GetCoin(const consensus::OutPoint& outpoint) const override;
    std::optional<interfaces::Coin>
    GetCoinWithMempool(const consensus::OutPoint& outpoint) const override;
    util::Expected<interfaces::UtxoSetStats> GetUtxoSetStats(bool with_muhash) const override;
    util::Expected<interfaces::UtxoScanResult> ScanUtxoSet(
        const std::function<void(const consensus::OutPoint&, const interfaces::Coin&)>& visit,
        const std::atomic<bool>& abort, std::atomic<int>* progress) const override;
    std::optional<interfaces::TxLookup>
    FindTransaction(const consensus::Uint256& txid,
                    const std::optional<consensus::Uint256>& block_hash) const override;
    bool HaveTxIndex() const override;
    std::vector<interfaces::IndexInfo> GetIndexInfo() const override;
    uint64_t BlockFilesSize() const override;
    util::Expected<void> InvalidateBlock(const consensus::Uint256& hash) override;
    util::Expected<void> ReconsiderBlock(const consensus::Uint256& hash) override;
    util::Expected<void> PreciousBlock(const consensus::Uint256& hash) override;
    util::Expected<bool> VerifyChain(int level, int depth) override;
    interfaces::SubmitBlockResult
    SubmitBlock(std::shared_ptr<const consensus::Block> block) override;
    consensus::BlockValidationState
    SubmitHeaders(const std::vector<consensus::BlockHeader>& headers) override;
    util::Expected<consensus::Block>
    CreateNewBlock(const consensus::Script& payout,
                   const std::vector<consensus::TransactionRef>& txs) override;

    interfaces::MempoolInfo GetMempoolInfo() const override;
    std::vector<interfaces::MempoolEntryInfo> GetMempoolEntries() const override;
    std::optional<interfaces::MempoolEntryInfo>
    GetMempoolEntry(const consensus::Uint256& txid) const override;
    std::optional<std::vector<interfaces::MempoolEntryInfo>>
    GetMempoolRelatives(const consensus::Uint256& txid, bool descendants) const override;
    uint64_t GetMempoolSequence() const override;
    std::optional<consensus::Uint256>
    GetMempoolSpender(const consensus::OutPoint& outpoint) const override;
    interfaces::TxAcceptResult AcceptTransaction(const consensus::TransactionRef& tx,
                                                 bool test_accept,
                                                 consensus::Amount max_fee_per_kvb) override;
    interfaces::PackageAcceptResult AcceptPackage(const std::vector<consensus::TransactionRef>& txs,
                                                  bool test_accept,
                                                  consensus::Amount max_fee_per_kvb) override;
    void PrioritiseTransaction(const consensus::Uint256& txid, consensus::Amount delta) override;
    std::vector<std::tuple<consensus::Uint256, consensus::Amount, bool>>
    GetPrioritisedTransactions() const override;
    util::Expected<std::string> SaveMempool() override;
    interfaces::FeeEstimateInfo EstimateSmartFee(int conf_target,
                                                 const std::string& mode) const override;
    util::Expected<interfaces::BlockTemplateInfo>
    CreateBlockTemplate(const consensus::Script& payout) override;

    std::unique_ptr<interfaces::NotificationHandle>
    HandleNotifications(std::shared_ptr<interfaces::ChainNotifications> client) override;
    void WaitForNotifications() const override;

private:
    /// Marks an RPC-submitted transaction unbroadcast and hands it to the relay hook
    /// (no-op without P2P). Executor thread.
    void Relay(const consensus::Uint256& txid, const consensus::Uint256& wtxid);
    class TipEvents;
    interfaces::BlockInfo Describe(const kernel::BlockIndex& index) const;

    kernel::ChainstateManager& m_chainman;
    util::SerialExecutor& m_executor;
    IndexHooks m_hooks;
    MempoolHooks m_mempool;
    ChainNotifier* m_notifier;
    std::shared_ptr<kernel::ValidationEvents> m_events;

    mutable std::mutex m_tip_mutex;
    mutable std::condition_variable m_tip_cv;
    interfaces::TipSnapshot m_tip; // guarded by m_tip_mutex
    bool m_interrupted{false};     // guarded by m_tip_mutex
};

} // namespace node
