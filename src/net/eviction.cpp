// Inbound eviction with Bitcoin Core's protection classes (its
// src/node/eviction.cpp): each class shields a few peers that an attacker
// cannot cheaply imitate; whoever is left may lose its slot.
#include <net/connman.h>

#include <algorithm>
#include <array>
#include <functional>

namespace net {

namespace {

using Candidates = std::vector<EvictionCandidate>;

/// Sorts by `less` (stable, so equal keys keep a deterministic order), then
/// drops those of the last `k` that `protect_if` accepts: they are protected.
template <class Less>
void ProtectLast(Candidates& c, Less less, size_t k,
                 const std::function<bool(const EvictionCandidate&)>& protect_if = {})
{
    std::stable_sort(c.begin(), c.end(), less);
    const size_t n = std::min(k, c.size());
    const auto tail = c.end() - static_cast<std::ptrdiff_t>(n);
    c.erase(
        std::remove_if(tail, c.end(),
                       [&](const EvictionCandidate& e) { return !protect_if || protect_if(e); }),
        c.end());
}

// Orders below put the most protection-worthy last.

bool ByNetGroup(const EvictionCandidate& a, const EvictionCandidate& b)
{
    return a.net_group < b.net_group;
}

bool ByPingWorstFirst(const EvictionCandidate& a, const EvictionCandidate& b)
{
    return a.info.min_ping_usec > b.info.min_ping_usec;
}

bool ByUptimeYoungestFirst(const EvictionCandidate& a, const EvictionCandidate& b)
{
    return a.connected_time > b.connected_time;
}

bool ByTxTime(const EvictionCandidate& a, const EvictionCandidate& b)
{
    if (a.info.last_tx_time != b.info.last_tx_time)
        return a.info.last_tx_time < b.info.last_tx_time;
    if (a.info.relay_txs != b.info.relay_txs) return b.info.relay_txs;
    return a.connected_time > b.connected_time;
}

bool ByBlockTime(const EvictionCandidate& a, const EvictionCandidate& b)
{
    if (a.info.last_block_time != b.info.last_block_time) {
        return a.info.last_block_time < b.info.last_block_time;
    }
    if (a.info.relevant_services != b.info.relevant_services) return b.info.relevant_services;
    return a.connected_time > b.connected_time;
}

/// Peers that do not relay transactions go last, then as ByBlockTime.
bool ByBlockRelayOnlyTime(const EvictionCandidate& a, const EvictionCandidate& b)
{
    if (a.info.relay_txs != b.info.relay_txs) return a.info.relay_txs;
    return ByBlockTime(a, b);
}

/// Half of the rest by uptime, up to half of those slots reserved for peers on
/// networks that are disadvantaged by latency (CJDNS, I2P, localhost, Tor).
void ProtectByRatio(Candidates& c)
{
    const size_t initial = c.size();
    const size_t total_protect = initial / 2;

    struct Group
    {
        std::optional<Network> net; //!< nullopt: localhost, whatever its network
        size_t count;
    };
    // Order matters when counts tie: earlier groups pick up unused slots first.
    std::array<Group, 4> groups{
        {{Network::CJDNS, 0}, {Network::I2P, 0}, {std::nullopt, 0}, {Network::TORV3, 0}}};
    auto member = [](const Group& g) {
        return
            [&g](const EvictionCandidate& e) { return g.net ? e.network == *g.net : e.is_local; };
    };
    for (auto& g : groups)
        g.count = static_cast<size_t>(std::count_if(c.begin(), c.end(), member(g)));
    std::stable_sort(groups.begin(), groups.end(),
                     [](const Group& a, const Group& b) { return a.count < b.count; });

    const size_t max_by_network = total_protect / 2;
    size_t protected_count = 0;
    while (protected_count < max_by_network) {
        const auto networks = static_cast<size_t>(std::count_if(
            groups.begin(), groups.end(), [](const Group& g) { return g.count > 0; }));
        if (networks == 0) break;
        const size_t per_network =
            std::max<size_t>((max_by_network - protected_count) / networks, 1);
        bool progress = false;
        for (auto& g : groups) {
            if (g.count == 0) continue;
            // Members of the group last, longest-connected at the very end.
            auto order = [&g](const EvictionCandidate& a, const EvictionCandidate& b) {
                if (!g.net && a.is_local != b.is_local) return b.is_local;
                if (g.net && (a.network == *g.net) != (b.network == *g.net))
                    return b.network == *g.net;
                return a.connected_time > b.connected_time;
            };
            const size_t before = c.size();
            ProtectLast(c, order, per_network, member(g));
            const size_t removed = before - c.size();
            if (removed == 0) continue;
            progress = true;
            protected_count += removed;
            if (protected_count >= max_by_network) break;
            g.count -= removed;
        }
        if (!progress) break;
    }
    ProtectLast(c, ByUptimeYoungestFirst, total_protect - protected_count);
}

} // namespace

std::optional<NodeId> SelectNodeToEvict(std::vector<EvictionCandidate> candidates)
{
    auto& c = candidates;
    ProtectLast(c, ByNetGroup, 4);
    ProtectLast(c, ByPingWorstFirst, 8);
    ProtectLast(c, ByTxTime, 4);
    ProtectLast(c, ByBlockRelayOnlyTime, 8, [](const EvictionCandidate& e) {
        return !e.info.relay_txs && e.info.relevant_services;
    });
    ProtectLast(c, ByBlockTime, 4);
    // Leaves `c` sorted youngest first, which the group choice below relies on.
    ProtectByRatio(c);
    if (c.empty()) return std::nullopt;

    // Discouraged peers go first, but only once the protections above have run.
    if (std::any_of(c.begin(), c.end(), [](const auto& e) { return e.info.prefer_evict; })) {
        std::erase_if(c, [](const auto& e) { return !e.info.prefer_evict; });
    }

    // The netgroup with most members loses its youngest; between equally large
    // groups, the one whose youngest member is youngest. `c` is youngest first,
    // so each group's first member is its youngest.
    struct Group
    {
        const std::vector<uint8_t>* key;
        NodeId youngest;
        int64_t youngest_time;
        size_t size;
    };
    std::vector<Group> groups; // at most one per inbound peer: a linear scan is fine
    size_t chosen = 0;
    for (const auto& e : c) {
        size_t i = 0;
        while (i < groups.size() && *groups[i].key != e.net_group)
            ++i;
        if (i == groups.size()) groups.push_back(Group{&e.net_group, e.id, e.connected_time, 0});
        ++groups[i].size;
        const Group& best = groups[chosen];
        if (i != chosen &&
            (groups[i].size > best.size ||
             (groups[i].size == best.size && groups[i].youngest_time > best.youngest_time))) {
            chosen = i;
        }
    }
    return groups[chosen].youngest;
}

} // namespace net
