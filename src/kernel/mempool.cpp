#include <kernel/mempool.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace kernel {

namespace {

using consensus::Amount;
using consensus::OutPoint;
using consensus::Transaction;
using consensus::Uint256;

/// Sigop cost charged as virtual bytes; the pool sizes entries as Core's
/// GetVirtualTransactionSize with the default -bytespersigop.
constexpr int64_t BYTES_PER_SIGOP{20};

int64_t VirtualSize(int64_t weight, int64_t sigop_cost)
{
    const int64_t adjusted = std::max(weight, sigop_cost * BYTES_PER_SIGOP);
    return (adjusted + consensus::WITNESS_SCALE_FACTOR - 1) / consensus::WITNESS_SCALE_FACTOR;
}

Amount SaturatingAdd(Amount a, Amount b)
{
    Amount out{};
    if (__builtin_add_overflow(a, b, &out)) {
        return b > 0 ? std::numeric_limits<Amount>::max() : std::numeric_limits<Amount>::min();
    }
    return out;
}

// Heap blocks as glibc hands them out on 64-bit systems (Core's MallocUsage rule).
size_t MallocUsage(size_t bytes)
{
    return bytes == 0 ? 0 : ((bytes + 31) >> 4) << 4;
}

// A red-black tree node carries three pointers and a colour besides its value.
constexpr size_t TREE_NODE_OVERHEAD{4 * sizeof(void*)};
// A hash node carries a next pointer; the table adds one bucket pointer per element.
constexpr size_t HASH_NODE_OVERHEAD{2 * sizeof(void*)};

size_t TxUsage(const Transaction& tx)
{
    size_t usage = MallocUsage(sizeof(Transaction) + 2 * sizeof(void*)); // make_shared block
    usage += MallocUsage(tx.vin.capacity() * sizeof(consensus::TxIn));
    usage += MallocUsage(tx.vout.capacity() * sizeof(consensus::TxOut));
    for (const auto& in : tx.vin) {
        usage += MallocUsage(in.script_sig.bytes().capacity());
        usage += MallocUsage(in.witness.stack.capacity() * sizeof(std::vector<uint8_t>));
        for (const auto& item : in.witness.stack)
            usage += MallocUsage(item.capacity());
    }
    for (const auto& out : tx.vout)
        usage += MallocUsage(out.script_pubkey.bytes().capacity());
    return usage;
}

size_t EntryUsage(const MempoolEntry& entry)
{
    const Transaction& tx = entry.GetTx();
    size_t usage = MallocUsage(sizeof(MempoolEntry)) + TxUsage(tx);
    // m_entries and m_by_wtxid nodes
    usage += MallocUsage(HASH_NODE_OVERHEAD + sizeof(Uint256) + sizeof(void*)) * 2;
    // one m_spenders node per input
    usage += tx.vin.size() * MallocUsage(TREE_NODE_OVERHEAD + sizeof(OutPoint) + sizeof(void*));
    return usage;
}

// A parent/child link costs a node in the parent's child set and one in the child's parent set.
const size_t LINK_USAGE{2 * MallocUsage(TREE_NODE_OVERHEAD + sizeof(void*))};
const size_t DELTA_USAGE{MallocUsage(TREE_NODE_OVERHEAD + sizeof(Uint256) + sizeof(Amount))};
const size_t UNBROADCAST_USAGE{MallocUsage(TREE_NODE_OVERHEAD + sizeof(Uint256))};

struct ByTxid
{
    bool operator()(const MempoolEntry* a, const MempoolEntry* b) const
    {
        return a->GetTx().GetHash() < b->GetTx().GetHash();
    }
};

// Core's CompareTxMemPoolEntryByDescendantScore's key: the better of the entry's own fee
// rate and its fee rate with descendants, as (fee, size).
std::pair<double, double> DescendantScore(const MempoolEntry& e)
{
    const double own = static_cast<double>(e.GetModifiedFee()) * e.SizeWithDescendants();
    const double with_desc = static_cast<double>(e.ModFeesWithDescendants()) * e.GetTxSize();
    if (with_desc > own) {
        return {static_cast<double>(e.ModFeesWithDescendants()),
                static_cast<double>(e.SizeWithDescendants())};
    }
    return {static_cast<double>(e.GetModifiedFee()), static_cast<double>(e.GetTxSize())};
}

// True if `a` is evicted before `b`: lower descendant score, and among equals the newer.
bool EvictsBefore(const MempoolEntry& a, const MempoolEntry& b)
{
    const auto [a_fee, a_size] = DescendantScore(a);
    const auto [b_fee, b_size] = DescendantScore(b);
    const double f1 = a_fee * b_size;
    const double f2 = a_size * b_fee;
    if (f1 == f2) return a.GetTime() >= b.GetTime();
    return f1 < f2;
}

} // namespace

std::string RemovalReasonName(RemovalReason reason)
{
    switch (reason) {
    case RemovalReason::EXPIRY:
        return "expiry";
    case RemovalReason::SIZELIMIT:
        return "sizelimit";
    case RemovalReason::REORG:
        return "reorg";
    case RemovalReason::BLOCK:
        return "block";
    case RemovalReason::CONFLICT:
        return "conflict";
    case RemovalReason::REPLACED:
        return "replaced";
    }
    return "unknown";
}

// ---- MempoolEntry ----------------------------------------------------------

MempoolEntry::MempoolEntry(consensus::TransactionRef tx, Amount fee, int64_t time,
                           uint32_t entry_height, uint64_t entry_sequence, bool spends_coinbase,
                           int64_t sigop_cost)
    : m_tx{std::move(tx)}, m_fee{fee}, m_vsize{0},
      m_weight{static_cast<int64_t>(m_tx->GetWeight())}, m_sigop_cost{sigop_cost}, m_time{time},
      m_entry_height{entry_height}, m_sequence{entry_sequence}, m_spends_coinbase{spends_coinbase}
{
    m_vsize = VirtualSize(m_weight, m_sigop_cost);
    m_size_with_ancestors = m_vsize;
    m_mod_fees_with_ancestors = m_fee;
    m_sigops_with_ancestors = m_sigop_cost;
    m_size_with_descendants = m_vsize;
    m_mod_fees_with_descendants = m_fee;
}

void MempoolEntry::UpdateAncestorState(int64_t size, Amount fee, int64_t count, int64_t sigops)
{
    m_size_with_ancestors += size;
    m_mod_fees_with_ancestors = SaturatingAdd(m_mod_fees_with_ancestors, fee);
    m_count_with_ancestors += count;
    m_sigops_with_ancestors += sigops;
}

void MempoolEntry::UpdateDescendantState(int64_t size, Amount fee, int64_t count)
{
    m_size_with_descendants += size;
    m_mod_fees_with_descendants = SaturatingAdd(m_mod_fees_with_descendants, fee);
    m_count_with_descendants += count;
}

// ---- TxMemPool: lookups ---------------------------------------------------

TxMemPool::TxMemPool(MempoolOptions options, MempoolCallbacks callbacks)
    : m_options{std::move(options)}, m_callbacks{std::move(callbacks)}
{
    Publish();
}

TxMemPool::~TxMemPool() = default;

int64_t TxMemPool::Now() const
{
    if (m_options.clock) return m_options.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

MempoolEntry* TxMemPool::Mutable(const MempoolEntry* entry) const
{
    // Every entry is owned (non-const) by m_entries; the const pointers in the link sets
    // only keep outside readers from changing them.
    return const_cast<MempoolEntry*>(entry);
}

bool TxMemPool::Exists(const Uint256& txid) const
{
    return m_entries.count(txid) > 0;
}

const MempoolEntry* TxMemPool::Get(const Uint256& txid) const
{
    const auto it = m_entries.find(txid);
    return it == m_entries.end() ? nullptr : it->second.get();
}

const MempoolEntry* TxMemPool::GetByWtxid(const Uint256& wtxid) const
{
    const auto it = m_by_wtxid.find(wtxid);
    return it == m_by_wtxid.end() ? nullptr : it->second;
}

const MempoolEntry* TxMemPool::GetSpender(const OutPoint& outpoint) const
{
    const auto it = m_spenders.find(outpoint);
    return it == m_spenders.end() ? nullptr : it->second;
}

std::optional<consensus::Coin> TxMemPool::GetCoin(const OutPoint& outpoint) const
{
    const MempoolEntry* entry = Get(outpoint.hash);
    if (!entry || outpoint.n >= entry->GetTx().vout.size()) return std::nullopt;
    return consensus::Coin{entry->GetTx().vout[outpoint.n], MEMPOOL_HEIGHT, false};
}

std::vector<const MempoolEntry*> TxMemPool::Entries() const
{
    std::vector<const MempoolEntry*> out;
    out.reserve(m_entries.size());
    for (const auto& [txid, entry] : m_entries)
        out.push_back(entry.get());
    return out;
}

std::vector<const MempoolEntry*> TxMemPool::EntriesInDependencyOrder() const
{
    std::vector<const MempoolEntry*> out = Entries();
    std::sort(out.begin(), out.end(), [](const MempoolEntry* a, const MempoolEntry* b) {
        if (a->CountWithAncestors() != b->CountWithAncestors()) {
            return a->CountWithAncestors() < b->CountWithAncestors();
        }
        const double f1 = static_cast<double>(a->GetModifiedFee()) * b->GetTxSize();
        const double f2 = static_cast<double>(b->GetModifiedFee()) * a->GetTxSize();
        if (f1 == f2) return b->GetTx().GetHash() < a->GetTx().GetHash();
        return f1 > f2;
    });
    return out;
}

// ---- ancestors and descendants ---------------------------------------------

util::Expected<TxMemPool::Ancestors>
TxMemPool::CheckAncestorLimits(int64_t entry_size, int64_t entry_count,
                               std::vector<const MempoolEntry*> staged,
                               const MempoolLimits& limits) const
{
    // Core walks its staging set in txid order; the order decides which limit is reported.
    std::set<const MempoolEntry*, ByTxid> stage(staged.begin(), staged.end());
    Ancestors ancestors;
    int64_t total_size = entry_size;
    while (!stage.empty()) {
        const MempoolEntry* next = *stage.begin();
        stage.erase(stage.begin());
        ancestors.insert(next);
        total_size += next->GetTxSize();

        if (next->SizeWithDescendants() + entry_size > limits.descendant_size_vbytes) {
            return util::Unexpected(
                "exceeds descendant size limit for tx " + next->GetTx().GetHash().GetHex() +
                " [limit: " + std::to_string(limits.descendant_size_vbytes) + "]");
        }
        if (next->CountWithDescendants() + entry_count > limits.descendant_count) {
            return util::Unexpected("too many descendants for tx " +
                                    next->GetTx().GetHash().GetHex() +
                                    " [limit: " + std::to_string(limits.descendant_count) + "]");
        }
        if (total_size > limits.ancestor_size_vbytes) {
            return util::Unexpected("exceeds ancestor size limit [limit: " +
                                    std::to_string(limits.ancestor_size_vbytes) + "]");
        }
        for (const MempoolEntry* parent : next->Parents()) {
            if (ancestors.count(parent) == 0) stage.insert(parent);
            if (static_cast<int64_t>(stage.size() + ancestors.size()) + entry_count >
                limits.ancestor_count) {
                return util::Unexpected("too many unconfirmed ancestors [limit: " +
                                        std::to_string(limits.ancestor_count) + "]");
            }
        }
    }
    return ancestors;
}

util::Expected<std::set<const MempoolEntry*>>
TxMemPool::CalculateAncestors(const Transaction& tx, int64_t vsize,
                              const MempoolLimits& limits) const
{
    std::set<const MempoolEntry*> parents;
    for (const auto& in : tx.vin) {
        const MempoolEntry* parent = Get(in.prevout.hash);
        if (!parent) continue;
        parents.insert(parent);
        if (static_cast<int64_t>(parents.size()) + 1 > limits.ancestor_count) {
            return util::Unexpected("too many unconfirmed parents [limit: " +
                                    std::to_string(limits.ancestor_count) + "]");
        }
    }
    return CheckAncestorLimits(vsize, 1, {parents.begin(), parents.end()}, limits);
}

util::Expected<void>
TxMemPool::CheckPackageLimits(const std::vector<consensus::TransactionRef>& package,
                              int64_t total_vsize, const MempoolLimits& limits) const
{
    const auto count = static_cast<int64_t>(package.size());
    if (count > limits.ancestor_count) {
        return util::Unexpected(
            "package count " + std::to_string(count) +
            " exceeds ancestor count limit [limit: " + std::to_string(limits.ancestor_count) + "]");
    }
    if (count > limits.descendant_count) {
        return util::Unexpected("package count " + std::to_string(count) +
                                " exceeds descendant count limit [limit: " +
                                std::to_string(limits.descendant_count) + "]");
    }
    if (total_vsize > limits.ancestor_size_vbytes) {
        return util::Unexpected("package size " + std::to_string(total_vsize) +
                                " exceeds ancestor size limit [limit: " +
                                std::to_string(limits.ancestor_size_vbytes) + "]");
    }
    if (total_vsize > limits.descendant_size_vbytes) {
        return util::Unexpected("package size " + std::to_string(total_vsize) +
                                " exceeds descendant size limit [limit: " +
                                std::to_string(limits.descendant_size_vbytes) + "]");
    }
    std::set<const MempoolEntry*> parents;
    for (const auto& tx : package) {
        for (const auto& in : tx->vin) {
            const MempoolEntry* parent = Get(in.prevout.hash);
            if (!parent) continue;
            parents.insert(parent);
            if (static_cast<int64_t>(parents.size()) + count > limits.ancestor_count) {
                return util::Unexpected("too many unconfirmed parents [limit: " +
                                        std::to_string(limits.ancestor_count) + "]");
            }
        }
    }
    // Treating the package as one entry can overstate its totals, hence "possibly".
    auto ancestors =
        CheckAncestorLimits(total_vsize, count, {parents.begin(), parents.end()}, limits);
    if (!ancestors) return util::Unexpected("possibly " + ancestors.error().message);
    return {};
}

TxMemPool::Ancestors TxMemPool::AncestorsOf(const MempoolEntry& entry) const
{
    Ancestors out;
    std::vector<const MempoolEntry*> todo(entry.Parents().begin(), entry.Parents().end());
    while (!todo.empty()) {
        const MempoolEntry* next = todo.back();
        todo.pop_back();
        if (!out.insert(next).second) continue;
        for (const MempoolEntry* parent : next->Parents())
            if (out.count(parent) == 0) todo.push_back(parent);
    }
    return out;
}

std::set<const MempoolEntry*> TxMemPool::CalculateDescendants(const MempoolEntry& entry) const
{
    std::set<const MempoolEntry*> out;
    std::vector<const MempoolEntry*> todo(entry.Children().begin(), entry.Children().end());
    while (!todo.empty()) {
        const MempoolEntry* next = todo.back();
        todo.pop_back();
        if (!out.insert(next).second) continue;
        for (const MempoolEntry* child : next->Children())
            if (out.count(child) == 0) todo.push_back(child);
    }
    return out;
}

void TxMemPool::RecomputeAncestorState(MempoolEntry* entry) const
{
    entry->m_count_with_ancestors = 1;
    entry->m_size_with_ancestors = entry->m_vsize;
    entry->m_mod_fees_with_ancestors = entry->GetModifiedFee();
    entry->m_sigops_with_ancestors = entry->m_sigop_cost;
    for (const MempoolEntry* a : AncestorsOf(*entry))
        entry->UpdateAncestorState(a->GetTxSize(), a->GetModifiedFee(), 1, a->GetSigOpCost());
}

void TxMemPool::RecomputeDescendantState(MempoolEntry* entry) const
{
    entry->m_count_with_descendants = 1;
    entry->m_size_with_descendants = entry->m_vsize;
    entry->m_mod_fees_with_descendants = entry->GetModifiedFee();
    for (const MempoolEntry* d : CalculateDescendants(*entry))
        entry->UpdateDescendantState(d->GetTxSize(), d->GetModifiedFee(), 1);
}

void TxMemPool::Link(MempoolEntry* parent, MempoolEntry* child)
{
    if (parent->m_children.insert(child).second) m_cached_usage += LINK_USAGE;
    child->m_parents.insert(parent);
}

// ---- changes ---------------------------------------------------------------

const MempoolEntry& TxMemPool::AddUnchecked(std::unique_ptr<MempoolEntry> entry,
                                            const std::set<const MempoolEntry*>& ancestors)
{
    MempoolEntry* e = entry.get();
    const Transaction& tx = e->GetTx();
    const Uint256 txid = tx.GetHash();
    // A second copy would corrupt every index; callers check Exists first, so this is a bug
    // and leaves the pool as it was.
    if (const auto it = m_entries.find(txid); it != m_entries.end()) return *it->second;

    if (const auto it = m_deltas.find(txid); it != m_deltas.end()) {
        e->m_fee_delta = it->second;
        e->m_mod_fees_with_ancestors = e->GetModifiedFee();
        e->m_mod_fees_with_descendants = e->GetModifiedFee();
    }
    e->m_usage = EntryUsage(*e);
    m_cached_usage += e->m_usage;
    m_entries.emplace(txid, std::move(entry));
    m_by_wtxid[tx.GetWitnessHash()] = e;

    for (const auto& in : tx.vin) {
        m_spenders[in.prevout] = e;
        if (const auto it = m_entries.find(in.prevout.hash); it != m_entries.end()) {
            Link(it->second.get(), e);
        }
    }
    for (const MempoolEntry* a : ancestors)
        Mutable(a)->UpdateDescendantState(e->m_vsize, e->GetModifiedFee(), 1);
    for (const MempoolEntry* a : ancestors)
        e->UpdateAncestorState(a->GetTxSize(), a->GetModifiedFee(), 1, a->GetSigOpCost());

    // A transaction of a disconnected block may come back while pool transactions already
    // spend it; they become its descendants, and its ancestors' too.
    bool has_children = false;
    for (auto it = m_spenders.lower_bound(OutPoint{txid, 0});
         it != m_spenders.end() && it->first.hash == txid; ++it) {
        Link(e, it->second);
        has_children = true;
    }
    if (has_children) {
        RecomputeDescendantState(e);
        for (const MempoolEntry* a : AncestorsOf(*e))
            RecomputeDescendantState(Mutable(a));
        for (const MempoolEntry* d : CalculateDescendants(*e))
            RecomputeAncestorState(Mutable(d));
    }

    m_total_vsize += static_cast<uint64_t>(e->m_vsize);
    m_earliest_time = std::min(m_earliest_time, e->GetTime());
    m_total_fee += e->m_fee;
    Publish();
    if (m_callbacks.added) m_callbacks.added(*e);
    return *e;
}

void TxMemPool::RemoveStaged(const std::set<const MempoolEntry*>& stage, bool update_descendants,
                             RemovalReason reason, std::vector<Removed>& removed)
{
    if (update_descendants) {
        // Descendants that stay lose this ancestor from their ancestor state.
        for (const MempoolEntry* e : stage) {
            for (const MempoolEntry* d : CalculateDescendants(*e)) {
                Mutable(d)->UpdateAncestorState(-e->GetTxSize(), -e->GetModifiedFee(), -1,
                                                -e->GetSigOpCost());
            }
        }
    }
    for (const MempoolEntry* e : stage) {
        for (const MempoolEntry* a : AncestorsOf(*e))
            Mutable(a)->UpdateDescendantState(-e->GetTxSize(), -e->GetModifiedFee(), -1);
    }
    // Links go only after every ancestor walk above has used them. Each link is released
    // once: from the child's side when the child leaves, else from the parent's side.
    for (const MempoolEntry* e : stage) {
        for (const MempoolEntry* p : e->Parents()) {
            if (Mutable(p)->m_children.erase(e) > 0) m_cached_usage -= LINK_USAGE;
        }
        for (const MempoolEntry* c : e->Children()) {
            if (stage.count(c) > 0) continue;
            Mutable(c)->m_parents.erase(e);
            m_cached_usage -= LINK_USAGE;
        }
    }
    std::vector<const MempoolEntry*> ordered(stage.begin(), stage.end());
    std::sort(ordered.begin(), ordered.end(), ByTxid{});
    for (const MempoolEntry* e : ordered) {
        const Transaction& tx = e->GetTx();
        for (const auto& in : tx.vin) {
            const auto it = m_spenders.find(in.prevout);
            if (it != m_spenders.end() && it->second == e) m_spenders.erase(it);
        }
        m_by_wtxid.erase(tx.GetWitnessHash());
        m_unbroadcast.erase(tx.GetHash());
        m_total_vsize -= static_cast<uint64_t>(e->GetTxSize());
        m_total_fee -= e->GetFee();
        m_cached_usage -= e->m_usage;
        removed.push_back(Removed{e->GetSharedTx(), reason, NextSequence()});
        m_entries.erase(tx.GetHash());
    }
}

void TxMemPool::Finish(const std::vector<Removed>& removed)
{
    Publish();
    if (!m_callbacks.removed) return;
    for (const Removed& r : removed)
        m_callbacks.removed(r.tx, r.reason, r.sequence);
}

void TxMemPool::RemoveRecursive(const Uint256& txid, RemovalReason reason)
{
    std::set<const MempoolEntry*> stage;
    std::vector<const MempoolEntry*> roots;
    if (const MempoolEntry* entry = Get(txid)) {
        roots.push_back(entry);
    } else {
        for (auto it = m_spenders.lower_bound(OutPoint{txid, 0});
             it != m_spenders.end() && it->first.hash == txid; ++it) {
            roots.push_back(it->second);
        }
    }
    for (const MempoolEntry* root : roots) {
        stage.insert(root);
        stage.merge(CalculateDescendants(*root));
    }
    if (stage.empty()) return;
    std::vector<Removed> removed;
    RemoveStaged(stage, false, reason, removed);
    Finish(removed);
}

void TxMemPool::RemoveForBlock(const std::vector<consensus::TransactionRef>& vtx)
{
    std::vector<Removed> removed;
    for (const auto& tx : vtx) {
        if (const MempoolEntry* entry = Get(tx->GetHash())) {
            RemoveStaged({entry}, true, RemovalReason::BLOCK, removed);
        }
        // Whatever else spends this transaction's inputs can never confirm now.
        for (const auto& in : tx->vin) {
            const MempoolEntry* spender = GetSpender(in.prevout);
            if (!spender || spender->GetTx().GetHash() == tx->GetHash()) continue;
            const Uint256 conflict = spender->GetTx().GetHash();
            std::set<const MempoolEntry*> stage = CalculateDescendants(*spender);
            stage.insert(spender);
            RemoveStaged(stage, false, RemovalReason::CONFLICT, removed);
            m_deltas.erase(conflict);
        }
        m_deltas.erase(tx->GetHash());
    }
    m_last_rolling_update = Now();
    m_block_since_last_bump = true;
    Finish(removed);
}

void TxMemPool::RemoveForReorg(const std::function<bool(const MempoolEntry&)>& still_valid)
{
    std::vector<const MempoolEntry*> invalid;
    for (const auto& [txid, entry] : m_entries)
        if (!still_valid(*entry)) invalid.push_back(entry.get());
    std::set<const MempoolEntry*> stage;
    for (const MempoolEntry* e : invalid) {
        stage.insert(e);
        stage.merge(CalculateDescendants(*e));
    }
    if (stage.empty()) return;
    std::vector<Removed> removed;
    RemoveStaged(stage, false, RemovalReason::REORG, removed);
    Finish(removed);
}

size_t TxMemPool::Expire(int64_t now)
{
    const int64_t cutoff = now - m_options.expiry.count();
    // Acceptance calls this every time; only walk the pool when something may have expired.
    if (m_earliest_time >= cutoff) return 0;
    std::set<const MempoolEntry*> stage;
    int64_t earliest_kept = std::numeric_limits<int64_t>::max();
    for (const auto& [txid, entry] : m_entries) {
        if (entry->GetTime() < cutoff) {
            stage.insert(entry.get());
            stage.merge(CalculateDescendants(*entry));
        } else {
            earliest_kept = std::min(earliest_kept, entry->GetTime());
        }
    }
    // Descendants of expired entries leave too; the bound stays a lower bound either way.
    m_earliest_time = earliest_kept;
    if (stage.empty()) return 0;
    std::vector<Removed> removed;
    RemoveStaged(stage, false, RemovalReason::EXPIRY, removed);
    Finish(removed);
    return removed.size();
}

void TxMemPool::TrimToSize(int64_t max_size_bytes, std::vector<OutPoint>* spends_left)
{
    std::vector<Removed> removed;
    while (!m_entries.empty() && static_cast<int64_t>(DynamicMemoryUsage()) > max_size_bytes) {
        const MempoolEntry* worst = nullptr;
        for (const auto& [txid, entry] : m_entries)
            if (!worst || EvictsBefore(*entry, *worst)) worst = entry.get();

        // Anything paying no more than what was just evicted (plus the increment a
        // replacement would need) must wait for a block to make room.
        const FeeRate removed_rate{
            FeeRate::FromFee(worst->ModFeesWithDescendants(), worst->SizeWithDescendants())
                .GetFeePerK() +
            m_options.incremental_relay_feerate.GetFeePerK()};
        TrackPackageRemoved(removed_rate);

        std::set<const MempoolEntry*> stage = CalculateDescendants(*worst);
        stage.insert(worst);
        const size_t first = removed.size();
        RemoveStaged(stage, false, RemovalReason::SIZELIMIT, removed);
        if (spends_left) {
            for (size_t i = first; i < removed.size(); ++i)
                for (const auto& in : removed[i].tx->vin)
                    if (!Exists(in.prevout.hash)) spends_left->push_back(in.prevout);
        }
    }
    if (!removed.empty()) Finish(removed);
}

void TxMemPool::PrioritiseTransaction(const Uint256& txid, Amount delta)
{
    Amount& recorded = m_deltas[txid];
    recorded = SaturatingAdd(recorded, delta);
    if (const auto it = m_entries.find(txid); it != m_entries.end()) {
        MempoolEntry* e = it->second.get();
        e->m_fee_delta = SaturatingAdd(e->m_fee_delta, delta);
        e->m_mod_fees_with_ancestors = SaturatingAdd(e->m_mod_fees_with_ancestors, delta);
        e->m_mod_fees_with_descendants = SaturatingAdd(e->m_mod_fees_with_descendants, delta);
        for (const MempoolEntry* a : AncestorsOf(*e))
            Mutable(a)->UpdateDescendantState(0, delta, 0);
        for (const MempoolEntry* d : CalculateDescendants(*e))
            Mutable(d)->UpdateAncestorState(0, delta, 0, 0);
    }
    if (recorded == 0) m_deltas.erase(txid);
    Publish();
}

Amount TxMemPool::GetFeeDelta(const Uint256& txid) const
{
    const auto it = m_deltas.find(txid);
    return it == m_deltas.end() ? 0 : it->second;
}

std::map<Uint256, Amount> TxMemPool::FeeDeltas() const
{
    return m_deltas;
}

// ---- unbroadcast -----------------------------------------------------------

void TxMemPool::AddUnbroadcast(const Uint256& txid)
{
    // Only pool transactions are waiting for their first announcement.
    if (!Exists(txid)) return;
    if (m_unbroadcast.insert(txid).second) Publish();
}

void TxMemPool::RemoveUnbroadcast(const Uint256& txid)
{
    if (m_unbroadcast.erase(txid) > 0) Publish();
}

bool TxMemPool::IsUnbroadcast(const Uint256& txid) const
{
    return m_unbroadcast.count(txid) > 0;
}

// ---- fees ------------------------------------------------------------------

void TxMemPool::TrackPackageRemoved(const FeeRate& rate)
{
    if (static_cast<double>(rate.GetFeePerK()) > m_rolling_min_fee) {
        m_rolling_min_fee = static_cast<double>(rate.GetFeePerK());
        m_block_since_last_bump = false;
    }
}

namespace {

// The rolling minimum `rolling` (sat/kvB) set at `last_update`, decayed to `now`.
double DecayRollingFee(double rolling, int64_t last_update, int64_t now, size_t usage_bytes,
                       const MempoolOptions& options, bool* reset)
{
    *reset = false;
    // Core only looks again after ten seconds, which also keeps rounding drift down.
    if (now <= last_update + 10) return rolling;
    double halflife = static_cast<double>(ROLLING_FEE_HALFLIFE_SECONDS);
    const auto usage = static_cast<int64_t>(usage_bytes);
    // A mostly empty pool lets the minimum fall faster.
    if (usage < options.max_size_bytes / 4) {
        halflife /= 4;
    } else if (usage < options.max_size_bytes / 2) {
        halflife /= 2;
    }
    const double decayed =
        rolling / std::pow(2.0, static_cast<double>(now - last_update) / halflife);
    if (decayed < static_cast<double>(options.incremental_relay_feerate.GetFeePerK()) / 2) {
        *reset = true;
        return 0;
    }
    return decayed;
}

} // namespace

double TxMemPool::DecayedRollingFee(int64_t now, bool* reset) const
{
    return DecayRollingFee(m_rolling_min_fee, m_last_rolling_update, now, DynamicMemoryUsage(),
                           m_options, reset);
}

FeeRate TxMemPool::RollingMinFee(int64_t now) const
{
    if (!m_block_since_last_bump || m_rolling_min_fee == 0) {
        return FeeRate{std::llround(m_rolling_min_fee)};
    }
    if (now > m_last_rolling_update + 10) {
        bool reset = false;
        m_rolling_min_fee = DecayedRollingFee(now, &reset);
        m_last_rolling_update = now;
        if (reset) return FeeRate{0};
    }
    return std::max(FeeRate{std::llround(m_rolling_min_fee)}, m_options.incremental_relay_feerate);
}

FeeRate TxMemPool::GetMinFee(int64_t now) const
{
    return std::max(RollingMinFee(now), m_options.min_relay_feerate);
}

size_t TxMemPool::DynamicMemoryUsage() const
{
    return m_cached_usage + m_deltas.size() * DELTA_USAGE +
           m_unbroadcast.size() * UNBROADCAST_USAGE;
}

// ---- info ------------------------------------------------------------------

void TxMemPool::SetLoaded()
{
    m_loaded = true;
    Publish();
}

void TxMemPool::Publish()
{
    MempoolInfo info;
    info.loaded = m_loaded;
    info.size = m_entries.size();
    info.bytes = m_total_vsize;
    info.usage = DynamicMemoryUsage();
    info.total_fee = m_total_fee;
    info.max_size_bytes = m_options.max_size_bytes;
    info.min_relay_fee = m_options.min_relay_feerate;
    info.incremental_relay_fee = m_options.incremental_relay_feerate;
    info.unbroadcast_count = m_unbroadcast.size();
    info.full_rbf = m_options.full_rbf;
    const RollingState rolling{m_rolling_min_fee, m_last_rolling_update,
                               m_block_since_last_bump && m_rolling_min_fee != 0};
    std::lock_guard lock{m_info_mutex};
    m_info = info;
    m_info_rolling = rolling;
}

MempoolInfo TxMemPool::Info() const
{
    MempoolInfo info;
    RollingState rolling;
    {
        std::lock_guard lock{m_info_mutex};
        info = m_info;
        rolling = m_info_rolling;
    }
    // What GetMinFee(now) would answer, without moving the decay state forward: the
    // minimum keeps falling between pool changes.
    FeeRate rolling_fee{std::llround(rolling.fee)};
    if (rolling.decaying) {
        bool reset = false;
        const double decayed =
            DecayRollingFee(rolling.fee, rolling.last_update, Now(), info.usage, m_options, &reset);
        rolling_fee =
            reset ? FeeRate{0}
                  : std::max(FeeRate{std::llround(decayed)}, m_options.incremental_relay_feerate);
    }
    info.min_fee = std::max(rolling_fee, m_options.min_relay_feerate);
    return info;
}

} // namespace kernel
