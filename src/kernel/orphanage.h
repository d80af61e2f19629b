// The orphan pool: transactions a peer sent whose inputs we cannot find yet, held
// briefly so they can be retried once a parent arrives. Because an orphan cannot be
// told apart from a transaction spending made-up outputs, the pool is small (Core's
// 100 entries), drops entries after 20 minutes, refuses anything above the standard
// weight and evicts at random when full, as Bitcoin Core's TxOrphanage does.
//
// Several peers may announce the same orphan (Core v29's announcer set); an entry
// leaves when its last announcer disconnects, when a block confirms or conflicts
// with it, when it expires or is evicted, or when the caller erases it.
//
// Thread safety: like the mempool, only the validation executor calls into a
// TxOrphanage (DESIGN.md §2); it has no lock of its own.
#pragma once

#include <consensus/block.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace kernel {

/// A peer's id as the P2P layer numbers connections.
using NodeId = int64_t;

/// Default -maxorphantx: entries kept after LimitOrphans.
inline constexpr size_t DEFAULT_MAX_ORPHAN_TRANSACTIONS{100};
/// An orphan expires this long after it entered the pool (Core's ORPHAN_TX_EXPIRE_TIME).
inline constexpr int64_t ORPHAN_TX_EXPIRE_TIME_SECONDS{20 * 60};
/// Least time between two expiry sweeps (Core's ORPHAN_TX_EXPIRE_INTERVAL).
inline constexpr int64_t ORPHAN_TX_EXPIRE_INTERVAL_SECONDS{5 * 60};

/// Returns a uniform integer in [0, n); called only with n >= 1.
using RandomRange = std::function<uint64_t(uint64_t n)>;

/// A deterministic RandomRange (mt19937_64 with unbiased range reduction) for tests and
/// reproducible runs; the same seed always yields the same sequence on every platform.
RandomRange MakeSeededRandomRange(uint64_t seed);

/// Where an orphan pool takes time and randomness from.
struct OrphanageOptions
{
    /// Seconds since the epoch; null means the system clock (the node may pass its mock clock).
    std::function<int64_t()> clock{};
    /// Picks victims for eviction and which announcer retries a child; null means a
    /// generator seeded from the OS (eviction must be unpredictable to peers).
    RandomRange random_range{};
};

/// One orphan as GetOrphanTransactions reports it.
struct OrphanInfo
{
    consensus::TransactionRef tx;
    std::set<NodeId> announcers; //!< every peer that sent or announced it, first sender included
    int64_t entry_time{0};       //!< seconds, clock at AddTx
    int64_t expire_time{0};      //!< entry_time + ORPHAN_TX_EXPIRE_TIME_SECONDS
};

/// The bounded, expiring pool of orphan transactions, keyed by wtxid.
class TxOrphanage
{
public:
    explicit TxOrphanage(OrphanageOptions options = {});

    /// Stores `tx` from `peer`; false (and nothing stored) when it is null, heavier than
    /// MAX_STANDARD_TX_WEIGHT, or already held. For one already held, `peer` still becomes an
    /// announcer of it (Core v29), so the caller need not call AddAnnouncer as well.
    bool AddTx(const consensus::TransactionRef& tx, NodeId peer);
    /// Records `peer` as another announcer of a held orphan; false if the orphan is unknown or
    /// `peer` already announced it.
    bool AddAnnouncer(const consensus::Uint256& wtxid, NodeId peer);

    /// Whether an orphan with this wtxid is held.
    bool HaveTx(const consensus::Uint256& wtxid) const;
    /// Whether that orphan is held and `peer` is one of its announcers.
    bool HaveTxFromPeer(const consensus::Uint256& wtxid, NodeId peer) const;
    /// The held orphan, or null.
    consensus::TransactionRef GetTx(const consensus::Uint256& wtxid) const;

    /// Removes one orphan; false if it was not held.
    bool EraseTx(const consensus::Uint256& wtxid);
    /// Forgets a disconnected peer: drops its work set and removes it as announcer; orphans it
    /// was the last announcer of are erased. Returns how many orphans were erased.
    size_t EraseForPeer(NodeId peer);
    /// Erases orphans that a connected block confirmed or made invalid (any orphan spending an
    /// outpoint some block transaction spends). Returns how many were erased.
    size_t EraseForBlock(const consensus::Block& block);
    /// Expires old orphans (a sweep runs at most every ORPHAN_TX_EXPIRE_INTERVAL_SECONDS, batched
    /// as Core does), then evicts random ones until at most `max_orphans` remain. `now` defaults
    /// to the clock. Returns how many orphans were removed.
    size_t LimitOrphans(size_t max_orphans = DEFAULT_MAX_ORPHAN_TRANSACTIONS,
                        std::optional<int64_t> now = std::nullopt);

    /// After `parent` was accepted: queues every orphan spending one of its outputs for
    /// reconsideration, in the work set of one of its announcers (chosen at random when there
    /// are several). Returns the (wtxid, peer) pairs queued.
    std::vector<std::pair<consensus::Uint256, NodeId>>
    AddChildrenToWorkSet(const consensus::Transaction& parent);
    /// Pops the next still-held orphan from `peer`'s work set, or null when there is none.
    consensus::TransactionRef GetTxToReconsider(NodeId peer);
    /// Whether `peer`'s work set is non-empty (it may name orphans erased since).
    bool HaveTxToReconsider(NodeId peer) const;

    /// Orphans spending an output of `parent` that `peer` announced, each once, most recently
    /// added first (for 1-parent-1-child package relay).
    std::vector<consensus::TransactionRef>
    GetChildrenFromSamePeer(const consensus::TransactionRef& parent, NodeId peer) const;
    /// Orphans spending an output of `parent` with an announcer other than `peer`: one pair per
    /// such (orphan, announcer), ordered by wtxid then announcer.
    std::vector<std::pair<consensus::TransactionRef, NodeId>>
    GetChildrenFromDifferentPeer(const consensus::TransactionRef& parent, NodeId peer) const;

    /// Number of orphans held.
    size_t Size() const { return m_orphans.size(); }
    /// Sum of the serialized sizes (witness included, bytes) of the orphans held, each once
    /// however many peers announced it. (Core v29 counts weight here instead.)
    int64_t TotalOrphanUsage() const { return m_total_usage; }
    /// Serialized bytes of the orphans `peer` announced (an orphan counts for each announcer).
    int64_t UsageByPeer(NodeId peer) const;
    /// Every orphan held, ordered by wtxid (for RPC and tests).
    std::vector<OrphanInfo> GetOrphanTransactions() const;

private:
    struct Entry
    {
        consensus::TransactionRef tx;
        std::set<NodeId> announcers;
        int64_t entry_time;
        int64_t expire_time;
        uint64_t sequence; //!< insertion order, breaks ties between equal expiry times
        size_t list_pos;   //!< index in m_orphan_list
    };
    using EntryMap = std::map<consensus::Uint256, Entry>;

    struct PeerInfo
    {
        std::set<consensus::Uint256> work_set; //!< may name orphans erased since (skipped lazily)
        int64_t usage{0};
    };

    int64_t Now() const;
    uint64_t RandomBelow(uint64_t n);
    void Erase(EntryMap::iterator it);
    /// Wtxids of held orphans spending any output of `parent`, each once.
    std::set<consensus::Uint256> ChildrenOf(const consensus::Transaction& parent) const;

    OrphanageOptions m_options;
    EntryMap m_orphans;
    /// The same entries in a vector, so a random one is O(1) to pick and swap-remove.
    std::vector<EntryMap::iterator> m_orphan_list;
    /// Outpoint spent by an orphan -> wtxids of the orphans spending it.
    std::map<consensus::OutPoint, std::set<consensus::Uint256>> m_by_prevout;
    std::map<NodeId, PeerInfo> m_peers;
    int64_t m_total_usage{0};
    int64_t m_next_sweep{0};
    uint64_t m_next_sequence{0};
};

} // namespace kernel
