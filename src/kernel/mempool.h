// The transaction memory pool: unconfirmed transactions that passed
// consensus and policy checks, with the ancestor and descendant aggregates
// that limits, eviction (by descendant score) and block assembly (by
// ancestor score, i.e. CPFP) need.
//
// Thread safety: the validation executor is the only writer and the only
// reader of entries (DESIGN.md §2). Info() is a snapshot any thread may read.
#pragma once

#include <consensus/amount.h>
#include <consensus/coins.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>
#include <kernel/feerate.h>
#include <util/expected.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace kernel {

/// Height recorded for coins created by mempool transactions (Core's MEMPOOL_HEIGHT).
inline constexpr uint32_t MEMPOOL_HEIGHT{0x7FFFFFFF};
/// Default -maxmempool, MB.
inline constexpr int64_t DEFAULT_MAX_MEMPOOL_SIZE_MB{300};
/// Default -mempoolexpiry, hours.
inline constexpr int64_t DEFAULT_MEMPOOL_EXPIRY_HOURS{336};
/// Default ancestor/descendant limits (-limitancestorcount, -limitancestorsize in kvB, ...).
inline constexpr int64_t DEFAULT_ANCESTOR_LIMIT{25};
inline constexpr int64_t DEFAULT_ANCESTOR_SIZE_LIMIT_KVB{101};
inline constexpr int64_t DEFAULT_DESCENDANT_LIMIT{25};
inline constexpr int64_t DEFAULT_DESCENDANT_SIZE_LIMIT_KVB{101};
/// Half-life of the rolling minimum fee after an eviction (Core's ROLLING_FEE_HALFLIFE).
inline constexpr int64_t ROLLING_FEE_HALFLIFE_SECONDS{60 * 60 * 12};

/// Package limits, counts include the transaction itself; sizes in virtual bytes.
struct MempoolLimits
{
    int64_t ancestor_count{DEFAULT_ANCESTOR_LIMIT};
    int64_t ancestor_size_vbytes{DEFAULT_ANCESTOR_SIZE_LIMIT_KVB * 1000};
    int64_t descendant_count{DEFAULT_DESCENDANT_LIMIT};
    int64_t descendant_size_vbytes{DEFAULT_DESCENDANT_SIZE_LIMIT_KVB * 1000};
};

/// Settings of a mempool (from -maxmempool, -mempoolexpiry, -minrelaytxfee, ...).
struct MempoolOptions
{
    int64_t max_size_bytes{DEFAULT_MAX_MEMPOOL_SIZE_MB * 1'000'000};
    std::chrono::seconds expiry{std::chrono::hours{DEFAULT_MEMPOOL_EXPIRY_HOURS}};
    FeeRate min_relay_feerate{1000};
    FeeRate incremental_relay_feerate{1000};
    MempoolLimits limits{};
    bool full_rbf{true}; //!< replacements need no BIP125 signal (Core v28 default)
    bool persist{true};  //!< -persistmempool: mempool.dat at shutdown and start
    /// Seconds since the epoch for the rolling-fee decay after a block, Info()'s min_fee and
    /// Load()'s expiry check; null means the system clock (the node may pass its mock clock).
    std::function<int64_t()> clock{};
};

/// Why a transaction left the pool (Core's MemPoolRemovalReason).
enum class RemovalReason
{
    EXPIRY,    //!< older than -mempoolexpiry
    SIZELIMIT, //!< evicted to stay under -maxmempool
    REORG,     //!< no longer valid after a reorg (non-final, immature, or spent)
    BLOCK,     //!< confirmed in a block
    CONFLICT,  //!< a block spent one of its inputs
    REPLACED,  //!< replaced by a higher-fee transaction (RBF)
};

/// "expiry", "sizelimit", "reorg", "block", "conflict", "replaced".
std::string RemovalReasonName(RemovalReason reason);

/// One transaction in the pool. Aggregates "with ancestors"/"with descendants" include
/// the entry itself and use modified fees (fee + prioritisetransaction delta).
class MempoolEntry
{
public:
    MempoolEntry(consensus::TransactionRef tx, consensus::Amount fee, int64_t time,
                 uint32_t entry_height, uint64_t entry_sequence, bool spends_coinbase,
                 int64_t sigop_cost);

    const consensus::Transaction& GetTx() const { return *m_tx; }
    const consensus::TransactionRef& GetSharedTx() const { return m_tx; }
    consensus::Amount GetFee() const { return m_fee; }
    consensus::Amount GetModifiedFee() const { return m_fee + m_fee_delta; }
    /// Virtual size with the sigop adjustment (policy::GetVirtualTransactionSize).
    int64_t GetTxSize() const { return m_vsize; }
    int64_t GetTxWeight() const { return m_weight; }
    int64_t GetSigOpCost() const { return m_sigop_cost; }
    int64_t GetTime() const { return m_time; }
    uint32_t GetHeight() const { return m_entry_height; }
    uint64_t GetSequence() const { return m_sequence; }
    bool SpendsCoinbase() const { return m_spends_coinbase; }

    int64_t CountWithAncestors() const { return m_count_with_ancestors; }
    int64_t SizeWithAncestors() const { return m_size_with_ancestors; }
    consensus::Amount ModFeesWithAncestors() const { return m_mod_fees_with_ancestors; }
    int64_t SigOpCostWithAncestors() const { return m_sigops_with_ancestors; }
    int64_t CountWithDescendants() const { return m_count_with_descendants; }
    int64_t SizeWithDescendants() const { return m_size_with_descendants; }
    consensus::Amount ModFeesWithDescendants() const { return m_mod_fees_with_descendants; }

    /// In-pool parents and children (direct only).
    const std::set<const MempoolEntry*>& Parents() const { return m_parents; }
    const std::set<const MempoolEntry*>& Children() const { return m_children; }

private:
    friend class TxMemPool;
    void UpdateAncestorState(int64_t size, consensus::Amount fee, int64_t count, int64_t sigops);
    void UpdateDescendantState(int64_t size, consensus::Amount fee, int64_t count);

    consensus::TransactionRef m_tx;
    consensus::Amount m_fee;
    consensus::Amount m_fee_delta{0};
    int64_t m_vsize;
    int64_t m_weight;
    int64_t m_sigop_cost;
    int64_t m_time;
    uint32_t m_entry_height;
    uint64_t m_sequence;
    bool m_spends_coinbase;
    int64_t m_count_with_ancestors{1};
    int64_t m_size_with_ancestors;
    consensus::Amount m_mod_fees_with_ancestors;
    int64_t m_sigops_with_ancestors;
    int64_t m_count_with_descendants{1};
    int64_t m_size_with_descendants;
    consensus::Amount m_mod_fees_with_descendants;
    std::set<const MempoolEntry*> m_parents;
    std::set<const MempoolEntry*> m_children;
    size_t m_usage{0}; //!< memory estimate of the entry, its tx and its index nodes
};

/// Numbers getmempoolinfo reports; published after every change.
struct MempoolInfo
{
    bool loaded{false};
    uint64_t size{0};  //!< transactions
    uint64_t bytes{0}; //!< sum of virtual sizes
    uint64_t usage{0}; //!< estimated memory use
    consensus::Amount total_fee{0};
    int64_t max_size_bytes{0};
    FeeRate min_fee{0}; //!< max(rolling minimum, min relay fee)
    FeeRate min_relay_fee{0};
    FeeRate incremental_relay_fee{0};
    uint64_t unbroadcast_count{0};
    bool full_rbf{true};
};

/// Observers of additions and removals (ZMQ sequence, wallet, fee estimator). Both fire after
/// the pool is consistent again and Info() is republished; they may read the pool.
struct MempoolCallbacks
{
    /// The entry's GetSequence() is its add-event number (ZMQ "A").
    std::function<void(const MempoolEntry&)> added{};
    /// Fires for every reason, BLOCK included (Core's signal skips BLOCK; filter if needed).
    /// Each removal consumes one sequence number, as Core's removeUnchecked.
    std::function<void(const consensus::TransactionRef&, RemovalReason, uint64_t sequence)>
        removed{};
};

/// The pool.
class TxMemPool
{
public:
    explicit TxMemPool(MempoolOptions options, MempoolCallbacks callbacks = {});
    ~TxMemPool();
    TxMemPool(const TxMemPool&) = delete;
    TxMemPool& operator=(const TxMemPool&) = delete;

    const MempoolOptions& Options() const { return m_options; }

    // ---- lookups ----
    bool Exists(const consensus::Uint256& txid) const;
    const MempoolEntry* Get(const consensus::Uint256& txid) const;
    const MempoolEntry* GetByWtxid(const consensus::Uint256& wtxid) const;
    /// The pool transaction spending `outpoint`, or null.
    const MempoolEntry* GetSpender(const consensus::OutPoint& outpoint) const;
    /// The output `outpoint` of a pool transaction as a coin at MEMPOOL_HEIGHT (for a view
    /// that layers the pool over the chain), or nullopt.
    std::optional<consensus::Coin> GetCoin(const consensus::OutPoint& outpoint) const;
    size_t Size() const { return m_entries.size(); }
    /// Every entry, in no particular order.
    std::vector<const MempoolEntry*> Entries() const;
    /// Every entry sorted so parents come before children: by ancestor count, then modified
    /// fee rate (highest first), then txid (Core's GetSortedDepthAndScore).
    std::vector<const MempoolEntry*> EntriesInDependencyOrder() const;

    // ---- ancestors and descendants ----
    /// The in-pool ancestors a transaction with these inputs would have, checked against
    /// `limits` for a new entry of `vsize` (its own size and count included). Errors carry
    /// Core's "too-long-mempool-chain" detail, e.g. "exceeds ancestor size limit [limit: ...]".
    util::Expected<std::set<const MempoolEntry*>>
    CalculateAncestors(const consensus::Transaction& tx, int64_t vsize,
                       const MempoolLimits& limits) const;
    /// All in-pool descendants of `entry` (not including it).
    std::set<const MempoolEntry*> CalculateDescendants(const MempoolEntry& entry) const;
    /// Core's CheckPackageLimits: the package (total_vsize over all its transactions) taken as
    /// one entry must fit `limits` together with its in-pool ancestors. Errors are Core's
    /// ("package count 26 exceeds ancestor count limit [limit: 25]", "possibly ...").
    util::Expected<void> CheckPackageLimits(const std::vector<consensus::TransactionRef>& package,
                                            int64_t total_vsize, const MempoolLimits& limits) const;

    // ---- changes (validation executor) ----
    /// Adds an entry whose ancestors were computed by CalculateAncestors; updates every
    /// aggregate and the spent-outpoint map. Applies the recorded prioritisation delta. Pool
    /// entries already spending its outputs (a reorg bringing a parent back) become its
    /// descendants. Does not consume a sequence number: give the entry NextSequence().
    /// Fires callbacks.added.
    const MempoolEntry& AddUnchecked(std::unique_ptr<MempoolEntry> entry,
                                     const std::set<const MempoolEntry*>& ancestors);
    /// Removes `txid` and all its descendants; if `txid` is not in the pool, removes the pool
    /// transactions spending its outputs (and their descendants).
    void RemoveRecursive(const consensus::Uint256& txid, RemovalReason reason);
    /// After a block connected: removes its transactions (BLOCK; their descendants stay with
    /// updated aggregates) and anything spending the same outpoints (CONFLICT, with
    /// descendants). Clears prioritisation deltas of both. Lets the rolling minimum fee decay.
    void RemoveForBlock(const std::vector<consensus::TransactionRef>& vtx);
    /// Removes entries for which `still_valid` is false, with descendants (REORG).
    void RemoveForReorg(const std::function<bool(const MempoolEntry&)>& still_valid);
    /// Removes entries older than `now - expiry` (EXPIRY); returns how many.
    size_t Expire(int64_t now);
    /// Evicts lowest descendant-score packages until the pool fits `max_size_bytes`
    /// (SIZELIMIT), raising the rolling minimum fee to the evicted rate plus the
    /// incremental relay fee. `spends_left` receives outpoints no longer spent by anyone.
    void TrimToSize(int64_t max_size_bytes,
                    std::vector<consensus::OutPoint>* spends_left = nullptr);
    /// prioritisetransaction: adds `delta` to the modified fee (also for transactions not yet
    /// in the pool; applied when they arrive).
    void PrioritiseTransaction(const consensus::Uint256& txid, consensus::Amount delta);
    /// The delta recorded for txid (0 if none).
    consensus::Amount GetFeeDelta(const consensus::Uint256& txid) const;
    /// Every recorded delta (getprioritisedtransactions).
    std::map<consensus::Uint256, consensus::Amount> FeeDeltas() const;

    // ---- fees ----
    /// The fee rate a new transaction must pay to enter: max(rolling minimum decayed to
    /// `now`, min relay fee). Zero rolling minimum while the pool is not full.
    FeeRate GetMinFee(int64_t now) const;
    /// Core's CTxMemPool::GetMinFee exactly: the rolling minimum alone (0 when nothing was
    /// evicted; at least the incremental relay fee once decay has started). Acceptance checks
    /// this for "mempool min fee not met" before the min relay fee ("min relay fee not met").
    FeeRate RollingMinFee(int64_t now) const;
    /// Estimated memory use (entries, transactions, indexes).
    size_t DynamicMemoryUsage() const;
    /// Takes the next sequence number (Core's GetAndIncrementSequence; the first is 1).
    uint64_t NextSequence() { return m_sequence++; }
    /// Gives an entry about to be added its add-event number (Core takes one per addition).
    void AssignNextSequence(MempoolEntry& entry) { entry.m_sequence = NextSequence(); }
    /// The number the next event will get: getrawmempool's mempool_sequence (1 when fresh).
    uint64_t CurrentSequence() const { return m_sequence; }

    // ---- unbroadcast set (sendrawtransaction until a peer asks for it) ----
    /// Records `txid` (in the pool) as not yet announced to any peer.
    void AddUnbroadcast(const consensus::Uint256& txid);
    /// Forgets `txid` (announced, or left the pool).
    void RemoveUnbroadcast(const consensus::Uint256& txid);
    /// True while `txid` waits for its first announcement (getmempoolentry "unbroadcast").
    bool IsUnbroadcast(const consensus::Uint256& txid) const;
    /// The waiting txids (rebroadcast timer, mempool.dat).
    std::set<consensus::Uint256> UnbroadcastTxids() const { return m_unbroadcast; }

    // ---- persistence (mempool.dat, Core's format v2 with XOR key) ----
    /// Writes every entry (tx, time, fee delta, parents first), the other deltas and the
    /// unbroadcast set via `file`.new, fsync and rename.
    util::Expected<void> Dump(const std::filesystem::path& file) const;
    /// Reads a dump (version 1, or 2 with its XOR key); each transaction younger than the
    /// expiry goes through `accept(tx, time)` (which runs the usual checks) after its delta
    /// is applied; then the other deltas and the unbroadcast set. Returns how many were
    /// accepted. A damaged file gives an error; what was accepted before the damage stays (as
    /// Core).
    util::Expected<size_t>
    Load(const std::filesystem::path& file,
         const std::function<bool(const consensus::TransactionRef&, int64_t)>& accept);

    /// Marks the pool loaded (getmempoolinfo "loaded") and republishes Info().
    void SetLoaded();
    /// The last published numbers. Any thread.
    MempoolInfo Info() const;

private:
    struct Removed
    {
        consensus::TransactionRef tx;
        RemovalReason reason;
        uint64_t sequence;
    };
    using Ancestors = std::set<const MempoolEntry*>;

    int64_t Now() const;
    MempoolEntry* Mutable(const MempoolEntry* entry) const;
    util::Expected<Ancestors> CheckAncestorLimits(int64_t entry_size, int64_t entry_count,
                                                  std::vector<const MempoolEntry*> staged,
                                                  const MempoolLimits& limits) const;
    Ancestors AncestorsOf(const MempoolEntry& entry) const;
    void RecomputeAncestorState(MempoolEntry* entry) const;
    void RecomputeDescendantState(MempoolEntry* entry) const;
    void Link(MempoolEntry* parent, MempoolEntry* child);
    /// Removes `stage` (closed under descendants unless update_descendants, as Core's
    /// RemoveStaged), appending what left to `removed`.
    void RemoveStaged(const std::set<const MempoolEntry*>& stage, bool update_descendants,
                      RemovalReason reason, std::vector<Removed>& removed);
    /// Republishes Info() and then tells the observers.
    void Finish(const std::vector<Removed>& removed);
    void TrackPackageRemoved(const FeeRate& rate);
    double DecayedRollingFee(int64_t now, bool* reset) const;
    void Publish();

    MempoolOptions m_options;
    MempoolCallbacks m_callbacks;
    std::unordered_map<consensus::Uint256, std::unique_ptr<MempoolEntry>, consensus::BlobHasher>
        m_entries;
    std::unordered_map<consensus::Uint256, MempoolEntry*, consensus::BlobHasher> m_by_wtxid;
    std::map<consensus::OutPoint, MempoolEntry*> m_spenders;
    std::map<consensus::Uint256, consensus::Amount> m_deltas;
    uint64_t m_total_vsize{0};
    consensus::Amount m_total_fee{0};
    /// No entry is older than this (a lower bound; lets Expire skip its walk).
    int64_t m_earliest_time{std::numeric_limits<int64_t>::max()};
    uint64_t m_sequence{1};
    mutable double m_rolling_min_fee{0}; //!< sat/kvB
    mutable int64_t m_last_rolling_update{0};
    bool m_block_since_last_bump{false};
    bool m_loaded{false};
    std::set<consensus::Uint256> m_unbroadcast;
    size_t m_cached_usage{0}; //!< entries, transactions, spender and link nodes

    mutable std::mutex m_info_mutex;
    MempoolInfo m_info; // guarded by m_info_mutex
    /// The rolling-fee state at the last Publish(), so Info() can decay it to the caller's
    /// present (Core's getmempoolinfo recomputes the minimum at every call).
    struct RollingState
    {
        double fee{0};
        int64_t last_update{0};
        bool decaying{false};
    };
    RollingState m_info_rolling; // guarded by m_info_mutex
};

} // namespace kernel
