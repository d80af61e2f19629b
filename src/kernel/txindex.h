// -txindex: txid -> hash of the active-chain block holding it, kept in its own
// LevelDB under <chain datadir>/indexes/txindex/ (keys in storage/layout.h).
//
// The index follows the active chain in two modes. While catching up (after
// -txindex is first turned on, or after the node ran without it) the owner
// calls SyncStep repeatedly on the validation executor; each call indexes a
// slice of the active chain, first walking back to the fork if the chain
// reorganised while the index was off. Once SyncStep reports true the index
// is synced and follows BlockConnected/BlockDisconnected, which also run on
// the executor; events seen before that are ignored, the sync catches them.
//
// Crash safety: every write is one LevelDB batch holding the entries and the
// locator of the last block they cover, so a restart resumes exactly where
// the last write ended. Entries of a disconnected block are erased (when they
// still point at it), so a synced index names only active-chain blocks. As in
// Core, entries of blocks the node forgot (an unclean shutdown before the
// block index was flushed) stay until overwritten: callers must check that
// the block named exists and holds the transaction.
//
// Thread safety: SyncStep and the event handlers run only on the validation
// executor; FindBlockHash, Synced and BestHeight may be called from any thread.
#pragma once

#include <consensus/block.h>
#include <consensus/uint256.h>
#include <kernel/notifications.h>
#include <util/expected.h>

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace storage {
class Batch;
class Database;
} // namespace storage
namespace util {
class Logger;
}

namespace kernel {

class BlockIndex;
class ChainstateManager;

/// Blocks one SyncStep call of the node indexes before yielding the executor.
inline constexpr int TXINDEX_SYNC_BLOCKS_PER_STEP = 100;
/// Default LevelDB cache of the index when the caller has no better figure.
inline constexpr size_t DEFAULT_TXINDEX_CACHE_BYTES = 8 << 20;

/// The transaction index: a ValidationEvents subscriber with its own database.
class TxIndex : public ValidationEvents
{
public:
    /// Opens (creating if missing) the index database in `dir` and reads where it stopped.
    /// `logger` may be null. Any thread, before the index is registered for events.
    static util::Expected<std::unique_ptr<TxIndex>> Open(const std::filesystem::path& dir,
                                                         size_t cache_bytes, util::Logger* logger);
    ~TxIndex() override;
    TxIndex(const TxIndex&) = delete;
    TxIndex& operator=(const TxIndex&) = delete;

    /// Indexes up to `max_blocks` blocks of the active chain it has not seen (walking back
    /// to the fork first if needed); true once it reached the tip and follows events from
    /// now on. Errors are storage failures (reading blocks, writing the index). Executor only.
    util::Expected<bool> SyncStep(const ChainstateManager& chainman, int max_blocks);

    /// The hash of the block holding `txid`, nullopt if not indexed (the genesis coinbase
    /// never is). Any thread.
    std::optional<consensus::Uint256> FindBlockHash(const consensus::Uint256& txid) const;

    /// True once caught up with the active chain. Any thread.
    bool Synced() const { return m_synced.load(); }
    /// Height of the last block indexed; -1 before the first SyncStep. Any thread.
    int BestHeight() const { return m_best_height.load(); }

    /// Indexes a newly connected block once synced. Executor only.
    void BlockConnected(const consensus::Block& block, const BlockIndex& index) override;
    /// Drops the entries of a disconnected block once synced. Executor only.
    void BlockDisconnected(const consensus::Block& block, const BlockIndex& index) override;

private:
    TxIndex(std::unique_ptr<storage::Database> db, std::vector<consensus::Uint256> locator,
            util::Logger* logger);

    /// Queues the entries of `block` (at `index`).
    static void AddBlock(storage::Batch& batch, const consensus::Block& block,
                         const BlockIndex& index);
    /// Queues erasure of the entries of `block` that still point at it.
    util::Expected<void> RemoveBlock(storage::Batch& batch, const consensus::Block& block,
                                     const BlockIndex& index) const;
    /// Adds the locator of `best` to the batch and writes it; on success `best` is the
    /// new position.
    util::Expected<void> Commit(storage::Batch& batch, const ChainstateManager& chainman,
                                const BlockIndex* best);
    /// Finds the stored position in the block index (first SyncStep): the first locator
    /// entry the node knows. Wipes the entries when it knows none.
    util::Expected<void> Resolve(const ChainstateManager& chainman);
    /// Events stopped matching the position: catch up with the active chain inline.
    void Resync(const char* why);

    std::unique_ptr<storage::Database> m_db;
    util::Logger* m_log{nullptr};
    /// Locator read at Open; consumed by Resolve.
    std::vector<consensus::Uint256> m_stored_locator;
    bool m_resolved{false};
    /// The last block indexed; null before genesis was. Executor only.
    const BlockIndex* m_best{nullptr};
    /// Set once SyncStep reached the tip: events are followed from then on. Executor only.
    bool m_following{false};
    /// The chainstate SyncStep was given; the event handlers reuse it. Executor only.
    const ChainstateManager* m_chainman{nullptr};
    std::atomic<bool> m_synced{false};
    std::atomic<int> m_best_height{-1};
};

} // namespace kernel
