#include <kernel/orphanage.h>

#include <kernel/policy.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <memory>
#include <random>

namespace kernel {

using consensus::OutPoint;
using consensus::Transaction;
using consensus::TransactionRef;
using consensus::Uint256;

namespace {

// Unbiased: draw just enough bits to cover n - 1 and retry the (under half) values past it,
// so the result depends only on the generator's output, never on the standard library.
uint64_t Below(std::mt19937_64& rng, uint64_t n)
{
    if (n <= 1) return 0;
    const int bits = std::bit_width(n - 1);
    while (true) {
        const uint64_t r = rng() >> (64 - bits);
        if (r < n) return r;
    }
}

} // namespace

RandomRange MakeSeededRandomRange(uint64_t seed)
{
    auto rng = std::make_shared<std::mt19937_64>(seed);
    return [rng](uint64_t n) { return Below(*rng, n); };
}

TxOrphanage::TxOrphanage(OrphanageOptions options) : m_options{std::move(options)}
{
    if (!m_options.random_range) {
        std::random_device rd;
        const uint64_t seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
        m_options.random_range = MakeSeededRandomRange(seed);
    }
}

int64_t TxOrphanage::Now() const
{
    if (m_options.clock) return m_options.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

uint64_t TxOrphanage::RandomBelow(uint64_t n)
{
    if (n <= 1) return 0;
    // An injected source that strays out of range must not index past the end.
    return m_options.random_range(n) % n;
}

bool TxOrphanage::AddTx(const TransactionRef& tx, NodeId peer)
{
    if (!tx) return false;
    const Uint256& wtxid = tx->GetWitnessHash();
    if (m_orphans.contains(wtxid)) {
        AddAnnouncer(wtxid, peer);
        return false;
    }
    // A peer could otherwise fill memory with huge transactions that never resolve; a sender of
    // a legitimate large one will relay it again once its parents are known.
    if (static_cast<int64_t>(tx->GetWeight()) > MAX_STANDARD_TX_WEIGHT) return false;

    const int64_t now = Now();
    const auto [it, inserted] = m_orphans.emplace(wtxid, Entry{tx,
                                                               {peer},
                                                               now,
                                                               now + ORPHAN_TX_EXPIRE_TIME_SECONDS,
                                                               m_next_sequence++,
                                                               m_orphan_list.size()});
    if (!inserted) return false;
    m_orphan_list.push_back(it);
    for (const auto& in : tx->vin)
        m_by_prevout[in.prevout].insert(wtxid);
    const auto usage = static_cast<int64_t>(tx->GetTotalSize());
    m_total_usage += usage;
    m_peers[peer].usage += usage;
    return true;
}

bool TxOrphanage::AddAnnouncer(const Uint256& wtxid, NodeId peer)
{
    const auto it = m_orphans.find(wtxid);
    if (it == m_orphans.end()) return false;
    if (!it->second.announcers.insert(peer).second) return false;
    m_peers[peer].usage += static_cast<int64_t>(it->second.tx->GetTotalSize());
    return true;
}

bool TxOrphanage::HaveTx(const Uint256& wtxid) const
{
    return m_orphans.contains(wtxid);
}

bool TxOrphanage::HaveTxFromPeer(const Uint256& wtxid, NodeId peer) const
{
    const auto it = m_orphans.find(wtxid);
    return it != m_orphans.end() && it->second.announcers.contains(peer);
}

TransactionRef TxOrphanage::GetTx(const Uint256& wtxid) const
{
    const auto it = m_orphans.find(wtxid);
    return it == m_orphans.end() ? nullptr : it->second.tx;
}

void TxOrphanage::Erase(EntryMap::iterator it)
{
    const Entry& entry = it->second;
    for (const auto& in : entry.tx->vin) {
        const auto by_prev = m_by_prevout.find(in.prevout);
        if (by_prev == m_by_prevout.end()) continue; // an outpoint spent twice by the same tx
        by_prev->second.erase(it->first);
        if (by_prev->second.empty()) m_by_prevout.erase(by_prev);
    }
    const auto usage = static_cast<int64_t>(entry.tx->GetTotalSize());
    m_total_usage -= usage;
    for (const NodeId peer : entry.announcers) {
        const auto peer_it = m_peers.find(peer);
        if (peer_it != m_peers.end()) peer_it->second.usage -= usage;
    }
    // Swap-remove keeps m_orphan_list dense without shifting.
    const size_t pos = entry.list_pos;
    if (pos + 1 != m_orphan_list.size()) {
        m_orphan_list[pos] = m_orphan_list.back();
        m_orphan_list[pos]->second.list_pos = pos;
    }
    m_orphan_list.pop_back();
    m_orphans.erase(it);
}

bool TxOrphanage::EraseTx(const Uint256& wtxid)
{
    const auto it = m_orphans.find(wtxid);
    if (it == m_orphans.end()) return false;
    Erase(it);
    return true;
}

size_t TxOrphanage::EraseForPeer(NodeId peer)
{
    m_peers.erase(peer);
    size_t erased = 0;
    for (auto it = m_orphans.begin(); it != m_orphans.end();) {
        const auto current = it++;
        if (current->second.announcers.erase(peer) == 0) continue;
        if (current->second.announcers.empty()) {
            Erase(current);
            ++erased;
        }
    }
    return erased;
}

size_t TxOrphanage::EraseForBlock(const consensus::Block& block)
{
    // Collect first: erasing while walking m_by_prevout would invalidate the sets being read.
    std::set<Uint256> doomed;
    for (const auto& tx : block.vtx) {
        if (!tx) continue;
        for (const auto& in : tx->vin) {
            const auto by_prev = m_by_prevout.find(in.prevout);
            if (by_prev == m_by_prevout.end()) continue;
            doomed.insert(by_prev->second.begin(), by_prev->second.end());
        }
    }
    size_t erased = 0;
    for (const auto& wtxid : doomed)
        erased += EraseTx(wtxid) ? 1 : 0;
    return erased;
}

size_t TxOrphanage::LimitOrphans(size_t max_orphans, std::optional<int64_t> now_opt)
{
    const int64_t now = now_opt ? *now_opt : Now();
    size_t removed = 0;
    if (m_next_sweep <= now) {
        // Schedule the next sweep one interval after the earliest remaining expiry, but no later
        // than a full expiry time from now, so each linear scan removes a batch.
        int64_t min_expire =
            now + ORPHAN_TX_EXPIRE_TIME_SECONDS - ORPHAN_TX_EXPIRE_INTERVAL_SECONDS;
        for (auto it = m_orphans.begin(); it != m_orphans.end();) {
            const auto current = it++;
            if (current->second.expire_time <= now) {
                Erase(current);
                ++removed;
            } else {
                min_expire = std::min(min_expire, current->second.expire_time);
            }
        }
        m_next_sweep = min_expire + ORPHAN_TX_EXPIRE_INTERVAL_SECONDS;
    }
    while (m_orphans.size() > max_orphans) {
        Erase(m_orphan_list[RandomBelow(m_orphan_list.size())]);
        ++removed;
    }
    return removed;
}

std::set<Uint256> TxOrphanage::ChildrenOf(const Transaction& parent) const
{
    std::set<Uint256> children;
    // Children spend outpoints (parent txid, n); the index is ordered, so they are contiguous.
    const Uint256& txid = parent.GetHash();
    for (auto it = m_by_prevout.lower_bound(OutPoint{txid, 0});
         it != m_by_prevout.end() && it->first.hash == txid; ++it) {
        if (it->first.n >= parent.vout.size()) break;
        children.insert(it->second.begin(), it->second.end());
    }
    return children;
}

std::vector<std::pair<Uint256, NodeId>> TxOrphanage::AddChildrenToWorkSet(const Transaction& parent)
{
    std::vector<std::pair<Uint256, NodeId>> queued;
    for (const auto& wtxid : ChildrenOf(parent)) {
        const Entry& entry = m_orphans.at(wtxid);
        if (entry.announcers.empty()) continue;
        // A random announcer spreads the retry work, and no single peer can stall it by leaving.
        auto announcer = entry.announcers.begin();
        std::advance(announcer, static_cast<std::ptrdiff_t>(RandomBelow(entry.announcers.size())));
        m_peers[*announcer].work_set.insert(wtxid);
        queued.emplace_back(wtxid, *announcer);
    }
    return queued;
}

TransactionRef TxOrphanage::GetTxToReconsider(NodeId peer)
{
    const auto peer_it = m_peers.find(peer);
    if (peer_it == m_peers.end()) return nullptr;
    auto& work_set = peer_it->second.work_set;
    while (!work_set.empty()) {
        const Uint256 wtxid = *work_set.begin();
        work_set.erase(work_set.begin());
        const auto it = m_orphans.find(wtxid);
        if (it != m_orphans.end()) return it->second.tx;
    }
    return nullptr;
}

bool TxOrphanage::HaveTxToReconsider(NodeId peer) const
{
    const auto peer_it = m_peers.find(peer);
    return peer_it != m_peers.end() && !peer_it->second.work_set.empty();
}

std::vector<TransactionRef> TxOrphanage::GetChildrenFromSamePeer(const TransactionRef& parent,
                                                                 NodeId peer) const
{
    if (!parent) return {};
    std::vector<const Entry*> found;
    for (const auto& wtxid : ChildrenOf(*parent)) {
        const Entry& entry = m_orphans.at(wtxid);
        if (entry.announcers.contains(peer)) found.push_back(&entry);
    }
    std::sort(found.begin(), found.end(), [](const Entry* a, const Entry* b) {
        if (a->expire_time != b->expire_time) return a->expire_time > b->expire_time;
        return a->sequence > b->sequence;
    });
    std::vector<TransactionRef> result;
    result.reserve(found.size());
    for (const Entry* entry : found)
        result.push_back(entry->tx);
    return result;
}

std::vector<std::pair<TransactionRef, NodeId>>
TxOrphanage::GetChildrenFromDifferentPeer(const TransactionRef& parent, NodeId peer) const
{
    if (!parent) return {};
    std::vector<std::pair<TransactionRef, NodeId>> result;
    for (const auto& wtxid : ChildrenOf(*parent)) {
        const Entry& entry = m_orphans.at(wtxid);
        for (const NodeId announcer : entry.announcers) {
            if (announcer != peer) result.emplace_back(entry.tx, announcer);
        }
    }
    return result;
}

int64_t TxOrphanage::UsageByPeer(NodeId peer) const
{
    const auto peer_it = m_peers.find(peer);
    return peer_it == m_peers.end() ? 0 : peer_it->second.usage;
}

std::vector<OrphanInfo> TxOrphanage::GetOrphanTransactions() const
{
    std::vector<OrphanInfo> result;
    result.reserve(m_orphans.size());
    for (const auto& [wtxid, entry] : m_orphans) {
        result.push_back(
            OrphanInfo{entry.tx, entry.announcers, entry.entry_time, entry.expire_time});
    }
    return result;
}

} // namespace kernel
