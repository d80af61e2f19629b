// Wallet chain sync: subscribing, catching up from the stored best block
// (walking back over reorgs that happened while away), rescans, and the chain
// notification handlers.
#include <wallet/wallet.h>

#include <algorithm>

#include <util/logging.h>
#include <wallet/wallet_state.h>

#include <algorithm>
#include <vector>

namespace wallet {

using consensus::Uint256;

namespace {

/// Blocks scanned between two database commits during catch-up.
constexpr int SCAN_COMMIT_INTERVAL = 1000;

// The height of the last block of the stored best chain that is still on the active chain,
// -1 if none is (or the stored block is unknown).
int FindForkHeight(const interfaces::Chain& chain, const BestBlock& best)
{
    if (best.hash.IsNull() || best.height < 0) return -1;
    const auto info = chain.GetBlockInfo(best.hash);
    if (!info) return -1;
    if (info->in_active_chain) return info->height;
    for (int h = info->height - 1; h >= 0; --h) {
        const auto anc = chain.GetAncestor(best.hash, h);
        if (anc && anc->in_active_chain) return h;
    }
    return -1;
}

// Forgets every confirmation (and block conflict) above `fork_height`: those blocks left the
// active chain while the wallet was not listening.
void RewindTo(WalletState& s, WalletBatch& batch, const interfaces::Chain& chain, int fork_height)
{
    for (auto& [txid, wtx] : s.txs) {
        const bool above = wtx.state.block_height > fork_height;
        if ((wtx.state.kind == TxState::Kind::CONFIRMED ||
             wtx.state.kind == TxState::Kind::BLOCK_CONFLICTED) &&
            above) {
            wtx.state = TxState{};
            batch.WriteTx(wtx);
        }
    }
    if (fork_height >= 0) {
        const auto info = chain.GetBlockInfoAtHeight(fork_height);
        s.best = info ? BestBlock{info->hash, info->height} : BestBlock{};
    } else {
        s.best = BestBlock{};
    }
    batch.WriteBestBlock(s.best);
}

// Scans active-chain blocks from the one after s.best to the tip, following reorgs that happen
// meanwhile (a block whose parent is not s.best sends the walk back to the fork).
util::Expected<void> CatchUp(WalletState& s, const interfaces::Chain& chain, uint32_t keypool)
{
    WalletBatch batch;
    const int fork = FindForkHeight(chain, s.best);
    if (fork != s.best.height || (fork < 0 && !s.best.hash.IsNull())) {
        RewindTo(s, batch, chain, fork);
    }
    int scanned = 0;
    for (;;) {
        const auto next = chain.GetBlockInfoAtHeight(s.best.height + 1);
        if (!next) break;
        if (s.best.height >= 0 && next->header.prev_block != s.best.hash) {
            RewindTo(s, batch, chain, FindForkHeight(chain, s.best));
            continue;
        }
        auto block = chain.ReadBlock(next->hash);
        if (!block)
            return util::Unexpected("Failed to read block " + next->hash.GetHex() +
                                    " while syncing the wallet: " + block.error().message);
        detail::ScanBlock(s, batch, keypool, **block, next->hash, next->height, next->header.time);
        s.best = BestBlock{next->hash, next->height};
        batch.WriteBestBlock(s.best);
        if (++scanned % SCAN_COMMIT_INTERVAL == 0) {
            if (auto ok = detail::CommitIfAny(s, batch); !ok) return ok;
            batch = WalletBatch{};
        }
    }
    return detail::CommitIfAny(s, batch);
}

} // namespace

// ---- chain sync ----

util::Expected<void> Wallet::Attach()
{
    // Subscribe first, so nothing raised during the catch-up is missed; handlers wait on the
    // mutex meanwhile and then apply what the scan already covered idempotently.
    auto handle = m_chain.HandleNotifications(shared_from_this());
    std::vector<std::pair<int64_t, consensus::TransactionRef>> pending;
    {
        std::lock_guard lock(m_mutex);
        m_subscription = std::move(handle);
        m_state->attached = true;
        if (auto caught_up = CatchUp(*m_state, m_chain, m_settings.keypool_size); !caught_up) {
            return caught_up;
        }
        for (const auto& [txid, wtx] : m_state->txs) {
            if (wtx.state.kind == TxState::Kind::INACTIVE && !wtx.state.abandoned) {
                pending.emplace_back(wtx.order_pos, wtx.tx);
            }
        }
    }
    // As Core on load: unconfirmed wallet transactions go back to the mempool (a restart, or a
    // crash that lost mempool.dat, dropped them), parents first. Refusals leave them inactive;
    // the mempool notifications update the state, so no lock is held here.
    std::sort(pending.begin(), pending.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [pos, tx] : pending) {
        (void)m_chain.AcceptTransaction(tx, /*test_accept=*/false, /*max_fee_per_kvb=*/0);
    }
    return {};
}

void Wallet::Detach()
{
    std::unique_ptr<interfaces::NotificationHandle> handle;
    {
        std::lock_guard lock(m_mutex);
        handle = std::move(m_subscription);
        m_state->attached = false;
        m_state->relock_stop = true;
    }
    // Destroying the handle waits for a handler in progress, which may need the mutex.
    handle.reset();
    m_state->relock_cv.notify_all();
    if (m_state->relock_thread.joinable() &&
        m_state->relock_thread.get_id() != std::this_thread::get_id()) {
        m_state->relock_thread.join();
    }
}

void Wallet::BlockUntilSyncedToCurrentChain() const
{
    if (LastBlock().hash == m_chain.Tip().hash) return;
    m_chain.WaitForNotifications();
}

BestBlock Wallet::LastBlock() const
{
    std::lock_guard lock(m_mutex);
    return m_state->best;
}

util::Expected<ScanResult> Wallet::Rescan(int start_height, std::optional<int> stop_height,
                                          const std::atomic<bool>& abort)
{
    const int tip = m_chain.Tip().height;
    if (start_height < 0 || start_height > tip) return util::Unexpected("Invalid start_height");
    if (stop_height && (*stop_height < start_height || *stop_height > tip)) {
        return util::Unexpected("Invalid stop_height");
    }
    bool expected = false;
    if (!m_scanning.compare_exchange_strong(expected, true)) {
        return util::Unexpected("Wallet is currently rescanning. Abort existing rescan or wait.");
    }
    ScanResult result;
    result.start_height = start_height;
    const int stop = stop_height.value_or(tip);
    util::Expected<void> status;
    for (int h = start_height; h <= stop; ++h) {
        if (abort.load()) {
            result.aborted = true;
            break;
        }
        const auto info = m_chain.GetBlockInfoAtHeight(h);
        if (!info) break;
        auto block = m_chain.ReadBlock(info->hash);
        if (!block) {
            status = util::Unexpected(block.error().message);
            break;
        }
        // One block at a time under the lock, so notifications interleave with a long rescan.
        std::lock_guard lock(m_mutex);
        WalletBatch batch;
        detail::ScanBlock(*m_state, batch, m_settings.keypool_size, **block, info->hash,
                          info->height, info->header.time);
        if (info->header.prev_block == m_state->best.hash) {
            m_state->best = BestBlock{info->hash, info->height};
            batch.WriteBestBlock(m_state->best);
        }
        if (auto ok = detail::CommitIfAny(*m_state, batch); !ok) {
            status = ok;
            break;
        }
        result.stop_height = h;
    }
    m_scanning.store(false);
    if (!status) return status.error();
    return result;
}

// ---- chain notifications ----

void Wallet::TransactionAddedToMempool(const consensus::TransactionRef& tx)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    const auto it = s.txs.find(tx->GetHash());
    // A late event must not undo a confirmation the catch-up already recorded.
    if (it != s.txs.end() && (it->second.state.kind == TxState::Kind::CONFIRMED ||
                              it->second.state.kind == TxState::Kind::BLOCK_CONFLICTED)) {
        return;
    }
    WalletBatch batch;
    TxState state;
    state.kind = TxState::Kind::MEMPOOL;
    detail::SyncTransaction(s, batch, m_settings.keypool_size, tx, state, true, 0);
    if (auto ok = detail::CommitIfAny(s, batch); !ok && m_logger)
        m_logger->Error(ok.error().message);
}

void Wallet::TransactionRemovedFromMempool(const consensus::TransactionRef& tx,
                                           interfaces::MempoolRemoval reason)
{
    // The BlockConnected that follows records the confirmation.
    if (reason == interfaces::MempoolRemoval::BLOCK) return;
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    auto it = s.txs.find(tx->GetHash());
    if (it == s.txs.end() || it->second.state.kind != TxState::Kind::MEMPOOL) return;
    it->second.state = TxState{};
    WalletBatch batch;
    batch.WriteTx(it->second);
    if (auto ok = detail::CommitIfAny(s, batch); !ok && m_logger)
        m_logger->Error(ok.error().message);
}

void Wallet::BlockConnected(const interfaces::BlockNotification& block)
{
    if (!block.block) return;
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    WalletBatch batch;
    // Only a block extending what we processed moves the best block; a block the catch-up
    // already scanned is re-applied without effect.
    const bool extends = block.block->header.prev_block == s.best.hash || s.best.hash.IsNull();
    if (extends) s.best = BestBlock{block.hash, block.height};
    detail::ScanBlock(s, batch, m_settings.keypool_size, *block.block, block.hash, block.height,
                      block.time);
    if (extends) batch.WriteBestBlock(s.best);
    if (auto ok = detail::CommitIfAny(s, batch); !ok && m_logger)
        m_logger->Error(ok.error().message);
}

void Wallet::BlockDisconnected(const interfaces::BlockNotification& block)
{
    if (!block.block) return;
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    WalletBatch batch;
    for (const auto& tx : block.block->vtx) {
        auto it = s.txs.find(tx->GetHash());
        if (it != s.txs.end() && it->second.state.kind == TxState::Kind::CONFIRMED &&
            it->second.state.block_hash == block.hash) {
            it->second.state = TxState{};
            batch.WriteTx(it->second);
        }
        if (tx->IsCoinBase()) continue;
        for (const auto& in : tx->vin) {
            const auto range = s.spends.equal_range(in.prevout);
            std::vector<Uint256> spenders;
            for (auto r = range.first; r != range.second; ++r)
                spenders.push_back(r->second);
            for (const Uint256& spender : spenders) {
                detail::RecursiveUpdate(s, batch, spender, [&](WalletTx& wtx) {
                    if (wtx.state.kind != TxState::Kind::BLOCK_CONFLICTED) return false;
                    if (wtx.state.block_height < block.height) return false;
                    wtx.state = TxState{};
                    return true;
                });
            }
        }
    }
    if (s.best.hash == block.hash) {
        s.best = BestBlock{block.block->header.prev_block, block.height - 1};
        batch.WriteBestBlock(s.best);
    }
    if (auto ok = detail::CommitIfAny(s, batch); !ok && m_logger)
        m_logger->Error(ok.error().message);
}

} // namespace wallet
