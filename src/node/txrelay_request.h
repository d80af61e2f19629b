// Internal to TxRelay (txrelay.cpp): which peer to ask for which announced
// transaction and when, after Bitcoin Core's TxRequestTracker; and a bounded
// hash set standing in for Core's rolling bloom filters.
//
// Thread safety: none; TxRelay uses them on the validation executor only.
#pragma once

#include <consensus/uint256.h>
#include <net/connman.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <unordered_set>
#include <utility>
#include <vector>

namespace node::txrelay {

/// Microseconds since the epoch.
using Micros = int64_t;

/// A set that remembers at most `capacity` hashes, forgetting the oldest first.
/// It stands in for Core's rolling bloom filters; it keeps a secretly salted
/// 64-bit digest of each hash (8 bytes plus container overhead per entry), so a
/// false positive needs a 2^-64 accident that peers cannot aim for.
class BoundedHashSet
{
public:
    explicit BoundedHashSet(size_t capacity);
    /// Adds a hash, evicting the oldest beyond the capacity.
    void Insert(const consensus::Uint256& hash);
    /// Whether the hash is remembered.
    bool Contains(const consensus::Uint256& hash) const { return m_set.contains(Key(hash)); }
    /// Forgets everything.
    void Clear();

private:
    uint64_t Key(const consensus::Uint256& hash) const;

    size_t m_capacity;
    uint64_t m_k0;
    uint64_t m_k1;
    std::unordered_set<uint64_t> m_set;
    std::deque<uint64_t> m_order;
};

/// Announcements of transactions by peers, and the requests made for them: one
/// request per hash at a time, preferred (outbound) announcers first, then the
/// earliest announcement; the next announcer once a request times out or is
/// answered without the transaction.
class TxRequestTracker
{
public:
    /// Announcements held for a peer (any state).
    size_t Count(net::NodeId peer) const;
    /// Requests to a peer still awaiting an answer.
    size_t CountInFlight(net::NodeId peer) const;
    /// Records an announcement, requestable from `reqtime`, unless this peer
    /// already announced the hash.
    void ReceivedInv(net::NodeId peer, const consensus::Uint256& hash, bool is_wtxid,
                     bool preferred, Micros reqtime);
    /// The peer answered (tx or notfound) for this hash.
    void ReceivedResponse(net::NodeId peer, const consensus::Uint256& hash);
    /// Forgets every announcement of the hash (we have it, or never want it).
    void ForgetTxHash(const consensus::Uint256& hash);
    /// Forgets a disconnected peer's announcements; other announcers become eligible.
    void DisconnectedPeer(net::NodeId peer);
    /// Expires requests whose deadline passed; false when nothing changed since
    /// the last call and no deadline or request time has come (nothing to do).
    bool Prepare(Micros now);
    /// (hash, is_wtxid) to request from `peer` now, in announcement order: its
    /// ready announcements with no request outstanding and no better announcer.
    std::vector<std::pair<consensus::Uint256, bool>> GetRequestable(net::NodeId peer,
                                                                    Micros now) const;
    /// A getdata for the hash went to the peer; it expires at `expiry`.
    void RequestedTx(net::NodeId peer, const consensus::Uint256& hash, Micros expiry);

private:
    struct Announcement
    {
        enum class State
        {
            CANDIDATE, //!< may be requested once `time` (reqtime) passes
            REQUESTED, //!< getdata sent, waiting until `time` (expiry)
            COMPLETED, //!< answered, notfound or timed out
        };
        bool is_wtxid{false};
        bool preferred{false};
        Micros time{0};
        uint64_t sequence{0};
        State state{State::CANDIDATE};
    };
    using PeerMap = std::map<net::NodeId, Announcement>;
    using HashMap = std::map<consensus::Uint256, PeerMap>;

    void Complete(net::NodeId peer, Announcement& ann);
    void EraseFromPeer(net::NodeId peer, const consensus::Uint256& hash);
    /// Drops a hash once none of its announcements can still be requested.
    void CleanupHash(HashMap::iterator it);

    HashMap m_by_hash;
    std::map<net::NodeId, std::set<consensus::Uint256>> m_by_peer;
    std::map<net::NodeId, size_t> m_in_flight;
    uint64_t m_next_sequence{0};
    bool m_dirty{false};
    Micros m_next_wakeup{std::numeric_limits<Micros>::max()};
};

} // namespace node::txrelay
