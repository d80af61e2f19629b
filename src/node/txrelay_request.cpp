// Request scheduling for TxRelay (see txrelay_request.h).
#include <node/txrelay_request.h>

#include <consensus/hash.h>

#include <algorithm>
#include <random>
#include <tuple>

namespace node::txrelay {

using consensus::Uint256;

BoundedHashSet::BoundedHashSet(size_t capacity) : m_capacity{capacity}
{
    std::random_device device;
    m_k0 = (uint64_t{device()} << 32) | device();
    m_k1 = (uint64_t{device()} << 32) | device();
}

uint64_t BoundedHashSet::Key(const Uint256& hash) const
{
    return consensus::SipHashUint256(m_k0, m_k1, hash);
}

void BoundedHashSet::Insert(const Uint256& hash)
{
    const uint64_t key = Key(hash);
    if (!m_set.insert(key).second) return;
    m_order.push_back(key);
    if (m_order.size() > m_capacity) {
        m_set.erase(m_order.front());
        m_order.pop_front();
    }
}

void BoundedHashSet::Clear()
{
    m_set.clear();
    m_order.clear();
}

size_t TxRequestTracker::Count(net::NodeId peer) const
{
    const auto it = m_by_peer.find(peer);
    return it == m_by_peer.end() ? 0 : it->second.size();
}

size_t TxRequestTracker::CountInFlight(net::NodeId peer) const
{
    const auto it = m_in_flight.find(peer);
    return it == m_in_flight.end() ? 0 : it->second;
}

void TxRequestTracker::ReceivedInv(net::NodeId peer, const Uint256& hash, bool is_wtxid,
                                   bool preferred, Micros reqtime)
{
    auto& peers = m_by_hash[hash];
    if (peers.contains(peer)) return;
    peers.emplace(peer, Announcement{is_wtxid, preferred, reqtime, m_next_sequence++,
                                     Announcement::State::CANDIDATE});
    m_by_peer[peer].insert(hash);
    m_dirty = true;
}

void TxRequestTracker::ReceivedResponse(net::NodeId peer, const Uint256& hash)
{
    const auto it = m_by_hash.find(hash);
    if (it == m_by_hash.end()) return;
    const auto ann = it->second.find(peer);
    if (ann == it->second.end()) return;
    Complete(peer, ann->second);
    CleanupHash(it);
}

void TxRequestTracker::ForgetTxHash(const Uint256& hash)
{
    const auto it = m_by_hash.find(hash);
    if (it == m_by_hash.end()) return;
    for (auto& [peer, ann] : it->second) {
        Complete(peer, ann);
        EraseFromPeer(peer, hash);
    }
    m_by_hash.erase(it);
    m_dirty = true;
}

void TxRequestTracker::DisconnectedPeer(net::NodeId peer)
{
    const auto it = m_by_peer.find(peer);
    if (it == m_by_peer.end()) return;
    const std::set<Uint256> hashes = std::move(it->second);
    m_by_peer.erase(it);
    for (const auto& hash : hashes) {
        const auto h = m_by_hash.find(hash);
        if (h == m_by_hash.end()) continue;
        const auto ann = h->second.find(peer);
        if (ann != h->second.end()) {
            Complete(peer, ann->second);
            h->second.erase(ann);
        }
        CleanupHash(h);
    }
    m_in_flight.erase(peer);
    m_dirty = true;
}

bool TxRequestTracker::Prepare(Micros now)
{
    if (!m_dirty && now < m_next_wakeup) return false;
    m_dirty = false;
    m_next_wakeup = std::numeric_limits<Micros>::max();
    for (auto it = m_by_hash.begin(); it != m_by_hash.end();) {
        for (auto& [peer, ann] : it->second) {
            if (ann.state == Announcement::State::REQUESTED && ann.time <= now) {
                Complete(peer, ann);
            }
        }
        bool done = true;
        for (const auto& [peer, ann] : it->second) {
            if (ann.state == Announcement::State::COMPLETED) continue;
            done = false;
            if (ann.time > now) m_next_wakeup = std::min(m_next_wakeup, ann.time);
        }
        if (done) {
            for (const auto& [peer, ann] : it->second)
                EraseFromPeer(peer, it->first);
            it = m_by_hash.erase(it);
        } else {
            ++it;
        }
    }
    return true;
}

std::vector<std::pair<Uint256, bool>> TxRequestTracker::GetRequestable(net::NodeId peer,
                                                                       Micros now) const
{
    std::vector<std::tuple<uint64_t, Uint256, bool>> found;
    const auto it = m_by_peer.find(peer);
    if (it == m_by_peer.end()) return {};
    for (const auto& hash : it->second) {
        const auto& peers = m_by_hash.at(hash);
        const Announcement& mine = peers.at(peer);
        if (mine.state != Announcement::State::CANDIDATE || mine.time > now) continue;
        bool best = true;
        for (const auto& [other, ann] : peers) {
            if (other == peer) continue;
            if (ann.state == Announcement::State::REQUESTED) {
                best = false;
                break;
            }
            if (ann.state != Announcement::State::CANDIDATE || ann.time > now) continue;
            // Preferred announcers win; then the earliest announcement.
            if (std::tie(ann.preferred, mine.sequence) > std::tie(mine.preferred, ann.sequence)) {
                best = false;
                break;
            }
        }
        if (best) found.emplace_back(mine.sequence, hash, mine.is_wtxid);
    }
    std::sort(found.begin(), found.end());
    std::vector<std::pair<Uint256, bool>> result;
    result.reserve(found.size());
    for (const auto& [seq, hash, is_wtxid] : found)
        result.emplace_back(hash, is_wtxid);
    return result;
}

void TxRequestTracker::RequestedTx(net::NodeId peer, const Uint256& hash, Micros expiry)
{
    auto& ann = m_by_hash.at(hash).at(peer);
    ann.state = Announcement::State::REQUESTED;
    ann.time = expiry;
    ++m_in_flight[peer];
    m_next_wakeup = std::min(m_next_wakeup, expiry);
}

void TxRequestTracker::Complete(net::NodeId peer, Announcement& ann)
{
    if (ann.state == Announcement::State::REQUESTED) {
        auto& count = m_in_flight[peer];
        if (count > 0) --count;
    }
    if (ann.state != Announcement::State::COMPLETED) m_dirty = true;
    ann.state = Announcement::State::COMPLETED;
}

void TxRequestTracker::EraseFromPeer(net::NodeId peer, const Uint256& hash)
{
    const auto it = m_by_peer.find(peer);
    if (it == m_by_peer.end()) return;
    it->second.erase(hash);
    if (it->second.empty()) m_by_peer.erase(it);
}

void TxRequestTracker::CleanupHash(HashMap::iterator it)
{
    for (const auto& [peer, ann] : it->second) {
        if (ann.state != Announcement::State::COMPLETED) return;
    }
    for (const auto& [peer, ann] : it->second)
        EraseFromPeer(peer, it->first);
    m_by_hash.erase(it);
}

} // namespace node::txrelay
