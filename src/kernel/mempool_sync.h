// Keeps the mempool (and the fee estimator) in step with the active chain:
// confirmed and conflicting transactions leave when a block connects; the
// transactions of disconnected blocks come back after a reorg, and what the
// new tip makes invalid (non-final, immature, spent) leaves.
//
// Thread safety: a ValidationEvents subscriber, so the validation executor only.
#pragma once

#include <consensus/transaction.h>
#include <kernel/mempool_accept.h>
#include <kernel/notifications.h>

#include <vector>

namespace kernel {

class ChainstateManager;
class FeeEstimator;
class TxMemPool;

/// Subscribe to the chainstate's signals after the mempool is created.
class MempoolChainSync final : public ValidationEvents
{
public:
    /// `fees` may be null. All references must outlive the subscription.
    MempoolChainSync(ChainstateManager& chainman, TxMemPool& pool, FeeEstimator* fees,
                     PolicyOptions policy);

    void BlockConnected(const consensus::Block& block, const BlockIndex& index) override;
    void BlockDisconnected(const consensus::Block& block, const BlockIndex& index) override;
    void UpdatedBlockTip(const BlockIndex& new_tip, const BlockIndex* fork,
                         bool initial_download) override;

private:
    /// Re-adds the stashed transactions, then drops what `new_tip` makes invalid.
    void UpdateForTip(const BlockIndex& new_tip);

    ChainstateManager& m_chainman;
    TxMemPool& m_pool;
    FeeEstimator* m_fees;
    PolicyOptions m_policy;
    /// Transactions of the block being disconnected, until they are re-added.
    std::vector<consensus::TransactionRef> m_disconnected;
};

} // namespace kernel
