// The in-memory UTXO cache in front of the LevelDB set, with Bitcoin Core's
// dirty/fresh bookkeeping so a flush writes only what changed and a coin
// created and spent between two flushes never reaches the disk:
//
//   DIRTY  the entry differs from the parent (must be written on flush)
//   FRESH  the parent has no unspent coin here (a spend may simply drop it)
//
// A cache sits either on the CoinsDB (the node's main cache, sized by
// -dbcache) or on another cache (a per-block overlay that is flushed into its
// parent only if the block connects, and otherwise discarded).
//
// Thread safety: none; only the validation executor uses a cache. GetCoin is
// const for the consensus checks but fills the cache (mutable state).
#pragma once

#include <consensus/coins.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>
#include <storage/coins_db.h>
#include <util/expected.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>

namespace kernel {

/// Hashes outpoints for the cache map with a per-cache random SipHash key, so
/// peers cannot aim many coins at one bucket.
class OutPointHasher
{
public:
    OutPointHasher();
    size_t operator()(const consensus::OutPoint& outpoint) const;

private:
    uint64_t m_k0;
    uint64_t m_k1;
};

/// A UTXO cache over a CoinsDB or over a parent cache.
class CoinsCache : public consensus::CoinsView
{
public:
    /// A cache whose misses read `db` and whose Flush writes to it.
    explicit CoinsCache(storage::CoinsDB& db);
    /// An overlay whose misses read `parent` and whose Flush moves entries into it.
    explicit CoinsCache(CoinsCache& parent);
    CoinsCache(const CoinsCache&) = delete;
    CoinsCache& operator=(const CoinsCache&) = delete;

    /// The unspent coin at outpoint (a copy), nullopt if absent or spent. A
    /// database read error also yields nullopt and is kept for TakeReadError.
    std::optional<consensus::Coin> GetCoin(const consensus::OutPoint& outpoint) const override;
    /// The cached coin, or nullptr if absent or spent (valid until the next change).
    const consensus::Coin* AccessCoin(const consensus::OutPoint& outpoint) const;
    /// True if an unspent coin exists at outpoint.
    bool HaveCoin(const consensus::OutPoint& outpoint) const;
    /// True if outpoint is in this cache layer (without reading the parent).
    bool HaveCoinInCache(const consensus::OutPoint& outpoint) const;

    /// Adds an unspent coin. Unless possible_overwrite, the caller promises
    /// no unspent coin exists there (the entry may then be FRESH); overwriting
    /// an unspent coin without possible_overwrite is a bug (asserted).
    void AddCoin(const consensus::OutPoint& outpoint, consensus::Coin coin,
                 bool possible_overwrite);
    /// Adds every non-OP_RETURN output of tx at height. check_overwrite: look
    /// up whether each output exists (BIP30 cases) instead of assuming not.
    void AddTxOutputs(const consensus::Transaction& tx, int height, bool check_overwrite);
    /// Spends the coin; returns false if there was none. If moved_out is given
    /// it receives the coin that was spent.
    bool SpendCoin(const consensus::OutPoint& outpoint, consensus::Coin* moved_out = nullptr);

    /// The block this view's contents correspond to (the parent's if never set).
    consensus::Uint256 GetBestBlock() const;
    /// Records the block the contents now correspond to.
    void SetBestBlock(const consensus::Uint256& hash);

    /// Writes every change to the parent (or, on the DB, with the crash-safe
    /// protocol from the DB's best block to GetBestBlock()) and empties the
    /// cache. On error the cache is left unchanged.
    util::Expected<void> Flush();
    /// Drops every entry without writing.
    void Reset();

    /// Entries held in this layer.
    size_t GetCacheSize() const { return m_entries.size(); }
    /// Approximate heap bytes used by the entries (for the -dbcache limit).
    size_t DynamicMemoryUsage() const { return m_memory_usage; }
    /// The first database read error since the last call, if any.
    std::optional<util::Error> TakeReadError();

private:
    enum Flags : uint8_t
    {
        DIRTY = 1,
        FRESH = 2
    };
    struct Entry
    {
        consensus::Coin coin; // spent (null out) when a FRESH-less spend must reach the parent
        uint8_t flags{0};
    };
    using Map = std::unordered_map<consensus::OutPoint, Entry, OutPointHasher>;

    /// The entry for outpoint, fetched from the parent on a miss; end() if none.
    Map::iterator Fetch(const consensus::OutPoint& outpoint) const;
    /// Merges a child's entries into this cache (Core's BatchWrite semantics).
    void MergeFromChild(Map& child_entries, const consensus::Uint256& best_block);
    static size_t EntryUsage(const Entry& entry);

    storage::CoinsDB* m_db{nullptr};
    CoinsCache* m_parent{nullptr};
    mutable Map m_entries;
    mutable size_t m_memory_usage{0};
    mutable std::optional<util::Error> m_read_error;
    mutable consensus::Uint256 m_best_block{};
};

} // namespace kernel
