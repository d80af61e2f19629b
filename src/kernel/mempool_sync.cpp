#include <kernel/mempool_sync.h>

#include <consensus/tx_verify.h>
#include <kernel/chainstate.h>
#include <kernel/fee_estimator.h>
#include <kernel/mempool.h>

#include <consensus/consensus_constants.h>

#include <algorithm>
#include <set>

namespace kernel {

MempoolChainSync::MempoolChainSync(ChainstateManager& chainman, TxMemPool& pool, FeeEstimator* fees,
                                   PolicyOptions policy)
    : m_chainman{chainman}, m_pool{pool}, m_fees{fees}, m_policy{policy}
{}

void MempoolChainSync::BlockConnected(const consensus::Block& block, const BlockIndex& index)
{
    std::vector<consensus::Uint256> txids;
    txids.reserve(block.vtx.size());
    for (const auto& tx : block.vtx)
        txids.push_back(tx->GetHash());
    // The estimator learns from the pool entries before they go.
    if (m_fees) m_fees->ProcessBlock(static_cast<unsigned>(index.height), txids);
    m_pool.RemoveForBlock(block.vtx);
    // A transaction stashed by a disconnect that this block confirms needs no re-adding.
    if (!m_disconnected.empty()) {
        const std::set<consensus::Uint256> confirmed(txids.begin(), txids.end());
        std::erase_if(m_disconnected,
                      [&](const auto& tx) { return confirmed.count(tx->GetHash()) > 0; });
    }
}

void MempoolChainSync::BlockDisconnected(const consensus::Block& block, const BlockIndex&)
{
    // Blocks leave newest first and the tip is already the block's parent. Its transactions
    // come back at once: invalidateblock disconnects without a tip update to wait for, and
    // the parents of what comes back are still confirmed (or come back with the next block,
    // linking up with the children already in the pool).
    for (const auto& tx : block.vtx)
        if (!tx->IsCoinBase()) m_disconnected.push_back(tx);
    if (const BlockIndex* tip = m_chainman.Tip()) UpdateForTip(*tip);
}

void MempoolChainSync::UpdatedBlockTip(const BlockIndex& new_tip, const BlockIndex*, bool)
{
    UpdateForTip(new_tip);
}

void MempoolChainSync::UpdateForTip(const BlockIndex& new_tip)
{
    if (!m_disconnected.empty()) {
        AcceptOptions options;
        options.bypass_limits = true;
        options.policy = m_policy;
        for (const auto& tx : m_disconnected) {
            const MempoolAcceptResult result = AcceptToMemoryPool(m_chainman, m_pool, tx, options);
            // Whatever cannot come back (spent by the new chain, non-standard, ...) is
            // dropped together with anything in the pool that spends it.
            if (result.kind != MempoolAcceptResult::Kind::VALID) {
                m_pool.RemoveRecursive(tx->GetHash(), RemovalReason::REORG);
            }
        }
        m_disconnected.clear();
    }
    // Entries that the new tip makes non-final or whose coinbase inputs are now immature.
    const int next_height = new_tip.height + 1;
    const int64_t cutoff = new_tip.GetMedianTimePast();
    m_pool.RemoveForReorg([&](const MempoolEntry& entry) {
        if (!consensus::IsFinalTx(entry.GetTx(), next_height, cutoff)) return false;
        if (entry.SpendsCoinbase()) {
            for (const auto& in : entry.GetTx().vin) {
                if (m_pool.Exists(in.prevout.hash)) continue;
                const auto coin = m_chainman.CoinsTip().GetCoin(in.prevout);
                if (!coin || coin->IsSpent()) return false;
                if (coin->coinbase &&
                    next_height - static_cast<int>(coin->height) < consensus::COINBASE_MATURITY) {
                    return false;
                }
            }
        }
        return true;
    });
    m_pool.TrimToSize(m_pool.Options().max_size_bytes);
}

} // namespace kernel
