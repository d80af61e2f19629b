// SelectNodeToEvict against hand-built candidate lists. Each expected answer is
// worked out in the comment above it from Bitcoin Core's rules
// (src/node/eviction.cpp), not by running the code.
#include <net/connman.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace {

using net::EvictionCandidate;

EvictionCandidate Cand(net::NodeId id, int64_t connected, uint8_t group)
{
    EvictionCandidate c;
    c.id = id;
    c.connected_time = connected;
    c.net_group = {group};
    return c;
}

/// Twenty peers that each win exactly one protection class, with no ties at
/// the boundary: 100-103 hold the four highest netgroups, 200-207 the eight
/// best pings, 300-303 the four latest transactions, 400-403 the four latest
/// blocks. Everyone else in a test has netgroup < 0xf0, no ping, no tx, no block.
std::vector<EvictionCandidate> Protectors()
{
    std::vector<EvictionCandidate> out;
    for (int i = 0; i < 4; ++i)
        out.push_back(Cand(100 + i, 5000 + i, static_cast<uint8_t>(0xf0 + i)));
    for (int i = 0; i < 8; ++i) {
        out.push_back(Cand(200 + i, 5100 + i, static_cast<uint8_t>(0x20 + i)));
        out.back().info.min_ping_usec = 1 + i;
    }
    for (int i = 0; i < 4; ++i) {
        out.push_back(Cand(300 + i, 5200 + i, static_cast<uint8_t>(0x30 + i)));
        out.back().info.last_tx_time = 1 + i;
    }
    for (int i = 0; i < 4; ++i) {
        out.push_back(Cand(400 + i, 5300 + i, static_cast<uint8_t>(0x40 + i)));
        out.back().info.last_block_time = 1 + i;
    }
    return out;
}

std::vector<EvictionCandidate> With(std::vector<EvictionCandidate> extra)
{
    auto all = Protectors();
    all.insert(all.end(), extra.begin(), extra.end());
    // Input order must not matter when no sort key ties.
    std::reverse(all.begin(), all.end());
    return all;
}

TEST(NetEviction, EmptyAndFullyProtectedListsEvictNobody)
{
    EXPECT_EQ(net::SelectNodeToEvict({}), std::nullopt);
    EXPECT_EQ(net::SelectNodeToEvict(Protectors()), std::nullopt);
    // Twenty identical peers: 4 + 8 + 4 + 4 = 20 protected whatever the ties.
    std::vector<EvictionCandidate> same;
    for (int i = 0; i < 20; ++i)
        same.push_back(Cand(i, 1000, 7));
    EXPECT_EQ(net::SelectNodeToEvict(same), std::nullopt);
    // A single peer is always protected (netgroup class).
    EXPECT_EQ(net::SelectNodeToEvict({Cand(1, 1000, 1)}), std::nullopt);
}

TEST(NetEviction, TheOneUnprotectedPeerIsEvicted)
{
    // After the classes take their twenty, one peer is left; half of one is zero,
    // so uptime protects nobody.
    EXPECT_EQ(net::SelectNodeToEvict(With({Cand(7, 1, 1)})), 7);
}

TEST(NetEviction, ProtectorsSurviveEvenWhenDiscouraged)
{
    // prefer_evict only narrows the choice among the unprotected.
    auto all = Protectors();
    for (auto& c : all)
        c.info.prefer_evict = true;
    all.push_back(Cand(9, 1000, 1));
    EXPECT_EQ(net::SelectNodeToEvict(all), 9);
}

TEST(NetEviction, UptimeHalfThenYoungest)
{
    // Unprotected: 11..14 with connect times 1011..1014, distinct groups.
    // Half (2) by uptime protects 11 and 12; of 13 and 14, each alone in its
    // netgroup, the youngest (14) goes.
    std::vector<EvictionCandidate> v;
    for (int i = 11; i <= 14; ++i)
        v.push_back(Cand(i, 1000 + i, static_cast<uint8_t>(i)));
    EXPECT_EQ(net::SelectNodeToEvict(With(v)), 14);

    // Discouraging 13 picks it instead; discouraging 11 (protected by uptime)
    // changes nothing.
    auto w = v;
    w[2].info.prefer_evict = true;
    EXPECT_EQ(net::SelectNodeToEvict(With(w)), 13);
    w = v;
    w[0].info.prefer_evict = true;
    EXPECT_EQ(net::SelectNodeToEvict(With(w)), 14);
}

TEST(NetEviction, LargestNetgroupThenYoungestGroup)
{
    // Unprotected (group: ids with connect time):
    //   A=1: 1 (900), 2 (800), 9 (30)      B=2: 3 (950), 4 (700), 5 (600), 10 (40)
    //   C=3: 6 (990)                       D=4: 7 (10)      E=5: 8 (20)
    // Ten peers: uptime protects five, the oldest: 7, 8, 9, 10 and 5.
    // Left: C {6}, B {3, 4}, A {1, 2}. A and B tie at two members; B's youngest
    // (950) is younger than A's (900), so B loses its youngest: 3.
    std::vector<EvictionCandidate> v{
        Cand(1, 900, 1), Cand(2, 800, 1), Cand(9, 30, 1),  Cand(3, 950, 2), Cand(4, 700, 2),
        Cand(5, 600, 2), Cand(10, 40, 2), Cand(6, 990, 3), Cand(7, 10, 4),  Cand(8, 20, 5)};
    EXPECT_EQ(net::SelectNodeToEvict(With(v)), 3);

    // A third member for A (id 11, connected at 500, older than 5, so it takes
    // 5's uptime slot): left are C {6}, B {3, 4, 5}, A {1, 2}: B is largest, 3 goes.
    auto w = v;
    w.push_back(Cand(11, 500, 1));
    // Eleven peers: uptime protects five: 7, 8, 9, 10, 11.
    EXPECT_EQ(net::SelectNodeToEvict(With(w)), 3);

    // Moving 3 to its own group: left are C {6}, {3}, A {1, 2}, B {4} (5 and 10
    // are protected); A is the only group of two, so its youngest, 1, goes.
    w = v;
    w[3].net_group = {9};
    EXPECT_EQ(net::SelectNodeToEvict(With(w)), 1);
}

TEST(NetEviction, OnionPeersGetReservedUptimeSlots)
{
    // Unprotected: onion 11..14 (young: 900..930), IPv4 15..18 (old: 100..130).
    // Eight peers: four by uptime, of which up to two are reserved for
    // disadvantaged networks: the two oldest onion peers, 11 and 12. The other
    // two slots go to the oldest overall, 15 and 16. Left: 13, 14, 17, 18, each
    // alone in its group; 14 is the youngest. 11 is discouraged, but protected.
    // (Without the reservation, 15..18 would be protected and 11 evicted.)
    std::vector<EvictionCandidate> v;
    for (int i = 0; i < 4; ++i) {
        v.push_back(Cand(11 + i, 900 + 10 * i, static_cast<uint8_t>(11 + i)));
        v.back().network = net::Network::TORV3;
    }
    for (int i = 0; i < 4; ++i)
        v.push_back(Cand(15 + i, 100 + 10 * i, static_cast<uint8_t>(15 + i)));
    v[0].info.prefer_evict = true;
    EXPECT_EQ(net::SelectNodeToEvict(With(v)), 14);
}

TEST(NetEviction, LocalhostPeersGetReservedUptimeSlots)
{
    // As above with loopback peers in place of onion ones.
    std::vector<EvictionCandidate> v;
    for (int i = 0; i < 4; ++i) {
        v.push_back(Cand(21 + i, 900 + 10 * i, static_cast<uint8_t>(21 + i)));
        v.back().is_local = true;
    }
    for (int i = 0; i < 4; ++i)
        v.push_back(Cand(25 + i, 100 + 10 * i, static_cast<uint8_t>(25 + i)));
    v[0].info.prefer_evict = true;
    EXPECT_EQ(net::SelectNodeToEvict(With(v)), 24);

    // Without the loopback flag, uptime protects 25..28 and discouraged 21 goes.
    for (auto& c : v)
        c.is_local = false;
    EXPECT_EQ(net::SelectNodeToEvict(With(v)), 21);
}

TEST(NetEviction, BlockRelayOnlyPeersWithBlocksAreProtected)
{
    // 50: no tx relay, relevant services, young and discouraged. The class for
    // block-relay-only peers protects it (it is the only one that qualifies), so
    // 51 (900) and 52 (910) are left; uptime protects one of two (51); 52 goes.
    auto p = Cand(50, 999, 50);
    p.info.relevant_services = true;
    p.info.prefer_evict = true;
    std::vector<EvictionCandidate> v{p, Cand(51, 900, 51), Cand(52, 910, 52)};
    EXPECT_EQ(net::SelectNodeToEvict(With(v)), 52);

    // Relaying transactions, it no longer qualifies: it stays unprotected, being
    // the youngest it loses the uptime race, and being discouraged it is chosen.
    v[0].info.relay_txs = true;
    EXPECT_EQ(net::SelectNodeToEvict(With(v)), 50);
}

TEST(NetEviction, ClassesPreferTheBetterPeer)
{
    // A fifth peer with a recent transaction (time 10, newer than 300..303) takes
    // a tx slot: 300 (the oldest tx) is then the one left over, alongside nobody
    // else, and is evicted. Same for a fifth recent block pushing 400 out and a
    // ninth fast ping pushing 207 (slowest of the eight) out.
    auto tx = Cand(60, 1, 60);
    tx.info.last_tx_time = 10;
    EXPECT_EQ(net::SelectNodeToEvict(With({tx})), 300);
    auto block = Cand(61, 1, 61);
    block.info.last_block_time = 10;
    EXPECT_EQ(net::SelectNodeToEvict(With({block})), 400);
    auto ping = Cand(62, 1, 62);
    ping.info.min_ping_usec = 0;
    EXPECT_EQ(net::SelectNodeToEvict(With({ping})), 207);
    // A fifth high netgroup pushes out the lowest of the four (100, group 0xf0).
    EXPECT_EQ(net::SelectNodeToEvict(With({Cand(63, 1, 0xff)})), 100);
}

} // namespace
