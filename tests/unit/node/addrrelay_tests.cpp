// AddrRelay with a real AddrMan and a PeerSender that records the messages
// (decoded with src/net's decoders); time is a mock clock.
#include <node/addrrelay.h>

#include "recording_sender.h"

#include <net/addrman.h>
#include <net/blockmessages.h>
#include <net/messages.h>
#include <net/netaddress.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr uint64_t FULL_NODE{net::NODE_NETWORK | net::NODE_WITNESS};
constexpr int64_t START{1'900'000'000};

using relay_test::RecordingSender;

/// A public IPv4 address (20.x.x.x to 79.x.x.x), distinct for each i below
/// 60 * 65,536, spread over many /16 groups so the AddrMan's buckets keep them all.
net::AddrEntry PublicEntry(uint32_t i, uint32_t time, uint16_t port = 8333)
{
    net::AddrEntry entry;
    entry.time = time;
    entry.services = FULL_NODE;
    entry.net = net::Network::IPV4;
    const uint32_t rest = i / 60;
    entry.addr = {static_cast<uint8_t>(20 + i % 60), static_cast<uint8_t>(rest & 0xff),
                  static_cast<uint8_t>((rest >> 8) & 0xff), 1};
    entry.port = port;
    return entry;
}

net::AddrEntry OnionEntry(uint8_t fill, uint32_t time)
{
    net::AddrEntry entry;
    entry.time = time;
    entry.services = FULL_NODE;
    entry.net = net::Network::TORV3;
    entry.addr.assign(32, fill);
    entry.port = 8333;
    return entry;
}

net::ConnectionInfo Info(net::NodeId id, net::ConnectionType type)
{
    net::ConnectionInfo info;
    info.id = id;
    info.type = type;
    info.remote.addr = net::MakeIPv4(30, 0, 0, static_cast<uint8_t>(id));
    info.remote.port = 8333;
    info.local.addr = net::MakeIPv4(40, 0, 0, 1);
    info.local.port = 8333;
    info.connected_time = START;
    return info;
}

class AddrRelayTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        net::AddrManOptions options;
        options.clock = [this] { return m_now; };
        options.rng_seed = 5;
        m_addrman = std::make_unique<net::AddrMan>(options);
        MakeRelay({});
    }

    void MakeRelay(node::AddrRelayOptions options)
    {
        options.clock = [this] { return m_now; };
        options.rng_seed = 17;
        m_relay = std::make_unique<node::AddrRelay>(*m_addrman, m_sender, std::move(options));
    }

    /// Adds a peer whose handshake is done.
    void Connect(net::NodeId id, net::ConnectionType type, bool addrv2 = false)
    {
        m_relay->PeerAdded(Info(id, type));
        if (addrv2) m_relay->SetAddrV2(id);
        m_relay->HandshakeDone(id, FULL_NODE);
    }

    /// Lets every flush timer fire.
    void Flush()
    {
        m_now += 3600;
        m_relay->Tick();
    }

    /// Entries of the addr (v1) or addrv2 messages sent to `id` (consumed).
    std::vector<net::AddrEntry> TakeAddrs(net::NodeId id, bool v2)
    {
        std::vector<net::AddrEntry> all;
        for (const auto& payload :
             m_sender.Take(id, v2 ? net::msgtype::ADDRV2 : net::msgtype::ADDR)) {
            auto decoded = v2 ? net::DecodeAddrV2(payload) : net::DecodeAddr(payload);
            EXPECT_TRUE(decoded);
            if (decoded) all.insert(all.end(), decoded->entries.begin(), decoded->entries.end());
        }
        return all;
    }

    static net::AddrMessage Message(std::vector<net::AddrEntry> entries)
    {
        return net::AddrMessage{std::move(entries)};
    }

    uint32_t Now32() const { return static_cast<uint32_t>(m_now); }

    int64_t m_now{START};
    RecordingSender m_sender;
    std::unique_ptr<net::AddrMan> m_addrman;
    std::unique_ptr<node::AddrRelay> m_relay;
};

TEST_F(AddrRelayTest, OutboundGetsGetAddrAndItsAnswerBypassesTheBucketOnce)
{
    Connect(1, net::ConnectionType::OUTBOUND_FULL_RELAY);
    const auto getaddr = m_sender.Take(1, net::msgtype::GETADDR);
    ASSERT_EQ(getaddr.size(), 1u);
    EXPECT_TRUE(getaddr[0].empty());
    EXPECT_TRUE(m_relay->GetStats(1).addr_relay_enabled);

    std::vector<net::AddrEntry> first;
    for (uint32_t i = 0; i < 1000; ++i)
        first.push_back(PublicEntry(i, Now32() - 3600));
    m_relay->OnAddr(1, Message(first));
    auto stats = m_relay->GetStats(1);
    EXPECT_EQ(stats.addr_processed, 1000u);
    EXPECT_EQ(stats.addr_rate_limited, 0u);
    // Stored, bar a few bucket collisions (one source reaches only 64 buckets per group).
    EXPECT_GT(m_addrman->Size(), 800u);

    // 1 initial token + 1,000 for the getaddr answer - 1,000 used: one left.
    std::vector<net::AddrEntry> second;
    for (uint32_t i = 1000; i < 2000; ++i)
        second.push_back(PublicEntry(i, Now32() - 3600));
    m_relay->OnAddr(1, Message(second));
    stats = m_relay->GetStats(1);
    EXPECT_EQ(stats.addr_processed, 1001u);
    EXPECT_EQ(stats.addr_rate_limited, 999u);

    // 100 s at 0.1/s: ten more tokens.
    m_now += 100;
    std::vector<net::AddrEntry> third;
    for (uint32_t i = 2000; i < 2020; ++i)
        third.push_back(PublicEntry(i, Now32() - 3600));
    m_relay->OnAddr(1, Message(third));
    stats = m_relay->GetStats(1);
    EXPECT_EQ(stats.addr_processed, 1011u);
    EXPECT_EQ(stats.addr_rate_limited, 1009u);
}

TEST_F(AddrRelayTest, InboundStartsWithOneTokenAndRefillsUpToOneThousand)
{
    Connect(2, net::ConnectionType::INBOUND);
    EXPECT_TRUE(m_sender.Take(2, net::msgtype::GETADDR).empty());
    EXPECT_FALSE(m_relay->GetStats(2).addr_relay_enabled);
    std::vector<net::AddrEntry> five;
    for (uint32_t i = 0; i < 5; ++i)
        five.push_back(PublicEntry(i, Now32() - 3600));
    m_relay->OnAddr(2, Message(five));
    auto stats = m_relay->GetStats(2);
    EXPECT_TRUE(stats.addr_relay_enabled);
    EXPECT_EQ(stats.addr_processed, 1u);
    EXPECT_EQ(stats.addr_rate_limited, 4u);

    // A day later the bucket is capped at 1,000.
    m_now += 24 * 60 * 60;
    std::vector<net::AddrEntry> many;
    for (uint32_t i = 100; i < 1100; ++i)
        many.push_back(PublicEntry(i, Now32() - 3600));
    m_relay->OnAddr(2, Message(many));
    m_relay->OnAddr(2, Message({PublicEntry(5000, Now32() - 3600)}));
    stats = m_relay->GetStats(2);
    EXPECT_EQ(stats.addr_processed, 1001u);
    EXPECT_EQ(stats.addr_rate_limited, 5u);
}

TEST_F(AddrRelayTest, StoredWithTimePenaltyAndFutureTimesReset)
{
    Connect(1, net::ConnectionType::OUTBOUND_FULL_RELAY);
    const auto gossip = PublicEntry(1, Now32() - 3600);
    const auto future = PublicEntry(2, Now32() + 3600);
    auto self = PublicEntry(3, Now32() - 3600);
    self.addr = Info(1, net::ConnectionType::OUTBOUND_FULL_RELAY).remote.addr.bytes;
    auto no_services = PublicEntry(4, Now32() - 3600);
    no_services.services = net::NODE_WITNESS;
    m_relay->OnAddr(1, Message({gossip, future, self, no_services}));
    EXPECT_EQ(m_relay->GetStats(1).addr_processed, 3u);

    const auto stored = m_addrman->Find(net::ToService(gossip));
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->entry.time, gossip.time - 2 * 60 * 60);
    const auto reset = m_addrman->Find(net::ToService(future));
    ASSERT_TRUE(reset);
    EXPECT_EQ(reset->entry.time, Now32() - 5 * 24 * 60 * 60 - 2 * 60 * 60);
    const auto own = m_addrman->Find(net::ToService(self));
    ASSERT_TRUE(own);
    EXPECT_EQ(own->entry.time, self.time); // no penalty for a self-announcement
    EXPECT_FALSE(m_addrman->Find(net::ToService(no_services)));
}

TEST_F(AddrRelayTest, GetAddrAnsweredOncePerInboundConnection)
{
    std::vector<net::AddrEntry> known;
    for (uint32_t i = 0; i < 100; ++i)
        known.push_back(PublicEntry(i, Now32() - 3600));
    const size_t stored = m_addrman->Add(known, net::MakeIPv4(50, 0, 0, 1));
    ASSERT_GT(stored, 90u);
    const size_t expected = stored * 23 / 100; // Core: 23% of the table

    Connect(2, net::ConnectionType::INBOUND);
    m_relay->OnGetAddr(2);
    EXPECT_TRUE(m_relay->GetStats(2).addr_relay_enabled);
    Flush();
    const auto answer = TakeAddrs(2, false);
    EXPECT_EQ(answer.size(), expected);
    std::set<uint32_t> distinct; // IPv4 addresses as numbers
    for (const auto& entry : answer) {
        EXPECT_TRUE(std::find(known.begin(), known.end(), entry) != known.end());
        ASSERT_EQ(entry.addr.size(), 4u);
        distinct.insert(uint32_t{entry.addr[0]} << 24 | uint32_t{entry.addr[1]} << 16 |
                        uint32_t{entry.addr[2]} << 8 | entry.addr[3]);
    }
    EXPECT_EQ(distinct.size(), answer.size());
    m_relay->OnGetAddr(2);
    Flush();
    EXPECT_TRUE(TakeAddrs(2, false).empty());

    // A new connection from the same peer is answered again.
    m_relay->PeerRemoved(2);
    Connect(2, net::ConnectionType::INBOUND);
    m_relay->OnGetAddr(2);
    Flush();
    EXPECT_EQ(TakeAddrs(2, false).size(), expected);

    // Outbound peers are never answered.
    Connect(1, net::ConnectionType::OUTBOUND_FULL_RELAY);
    m_relay->OnGetAddr(1);
    Flush();
    EXPECT_TRUE(TakeAddrs(1, false).empty());
}

TEST_F(AddrRelayTest, FreshAddressRelayedToAtMostTwoOtherPeers)
{
    for (net::NodeId id = 1; id <= 6; ++id)
        Connect(id, net::ConnectionType::OUTBOUND_FULL_RELAY);
    Flush();
    for (net::NodeId id = 1; id <= 6; ++id)
        (void)TakeAddrs(id, false);
    // Peer 1 has answered our getaddr with a short message: relay is on.
    m_relay->OnAddr(1, Message({PublicEntry(500, Now32() - 3600)}));
    const auto fresh = PublicEntry(1, Now32() - 60);
    m_relay->OnAddr(1, Message({fresh}));
    Flush();
    int receivers = 0;
    for (net::NodeId id = 1; id <= 6; ++id) {
        const auto got = TakeAddrs(id, false);
        if (id == 1) {
            EXPECT_TRUE(got.empty()) << "relayed back to its sender";
            continue;
        }
        if (got.empty()) continue;
        ++receivers;
        ASSERT_EQ(got.size(), 1u);
        EXPECT_EQ(got[0], fresh);
    }
    EXPECT_EQ(receivers, 2);
}

TEST_F(AddrRelayTest, StaleLargeOrUnroutableAddressesAreNotRelayed)
{
    for (net::NodeId id = 1; id <= 4; ++id)
        Connect(id, net::ConnectionType::OUTBOUND_FULL_RELAY);
    m_relay->OnAddr(1, Message({PublicEntry(500, Now32() - 3600)})); // ends the getaddr answer
    Flush();
    for (net::NodeId id = 1; id <= 4; ++id)
        (void)TakeAddrs(id, false);
    m_now += 24 * 60 * 60; // refill the bucket

    // Older than ten minutes.
    m_relay->OnAddr(1, Message({PublicEntry(1, Now32() - 11 * 60)}));
    // Private address.
    auto private_entry = PublicEntry(2, Now32() - 60);
    private_entry.addr = {10, 0, 0, 1};
    m_relay->OnAddr(1, Message({private_entry}));
    // More than ten entries in the message.
    std::vector<net::AddrEntry> eleven;
    for (uint32_t i = 10; i < 21; ++i)
        eleven.push_back(PublicEntry(i, Now32() - 60));
    m_relay->OnAddr(1, Message(eleven));
    EXPECT_EQ(m_relay->GetStats(1).addr_processed, 1u + 1 + 1 + 11);
    Flush();
    for (net::NodeId id = 2; id <= 4; ++id)
        EXPECT_TRUE(TakeAddrs(id, false).empty()) << "peer " << id;
}

TEST_F(AddrRelayTest, AddrV2PeersGetAddrV2AndOthersAddr)
{
    Connect(1, net::ConnectionType::OUTBOUND_FULL_RELAY);
    Connect(2, net::ConnectionType::OUTBOUND_FULL_RELAY, /*addrv2=*/true);
    Connect(3, net::ConnectionType::OUTBOUND_FULL_RELAY);
    m_relay->OnAddr(1, Message({PublicEntry(500, Now32() - 3600)}));
    Flush();
    for (net::NodeId id = 1; id <= 3; ++id) {
        (void)TakeAddrs(id, false);
        (void)TakeAddrs(id, true);
    }
    m_now += 24 * 60 * 60;
    // A reachable IPv4 address goes to two peers: the only two besides the sender.
    const auto ipv4 = PublicEntry(7, Now32() - 60);
    m_relay->OnAddr(1, Message({ipv4}));
    Flush();
    EXPECT_EQ(TakeAddrs(2, true), (std::vector<net::AddrEntry>{ipv4}));
    EXPECT_TRUE(TakeAddrs(2, false).empty());
    EXPECT_EQ(TakeAddrs(3, false), (std::vector<net::AddrEntry>{ipv4}));
    EXPECT_TRUE(TakeAddrs(3, true).empty());

    // An onion address only fits addrv2: peer 2, the one peer that can take it, gets it.
    const auto onion = OnionEntry(0x42, Now32() - 60);
    m_relay->OnAddr(1, Message({onion}));
    Flush();
    EXPECT_EQ(TakeAddrs(2, true), (std::vector<net::AddrEntry>{onion}));
    EXPECT_TRUE(TakeAddrs(3, false).empty());
    EXPECT_TRUE(TakeAddrs(3, true).empty());
    // Not stored: this node cannot reach Tor.
    EXPECT_FALSE(m_addrman->Find(net::ToService(onion)));
}

TEST_F(AddrRelayTest, BlockRelayOnlyPeersTakeNoPartInAddressRelay)
{
    Connect(1, net::ConnectionType::BLOCK_RELAY);
    Connect(2, net::ConnectionType::OUTBOUND_FULL_RELAY);
    EXPECT_TRUE(m_sender.Take(1, net::msgtype::GETADDR).empty());
    EXPECT_EQ(m_sender.Take(2, net::msgtype::GETADDR).size(), 1u);
    EXPECT_FALSE(m_relay->GetStats(1).addr_relay_enabled);
    m_relay->OnAddr(1, Message({PublicEntry(1, Now32() - 60)}));
    EXPECT_EQ(m_relay->GetStats(1).addr_processed, 0u);
    EXPECT_EQ(m_addrman->Size(), 0u);
    m_relay->OnAddr(2, Message({PublicEntry(2, Now32() - 60)}));
    Flush();
    EXPECT_TRUE(TakeAddrs(1, false).empty());
}

TEST_F(AddrRelayTest, SelfAdvertisementAfterHandshakeAndAboutDaily)
{
    node::AddrRelayOptions options;
    options.local_address = [] {
        return std::optional<net::Service>{net::Service{net::MakeIPv4(60, 1, 2, 3), 8333}};
    };
    options.local_services = FULL_NODE;
    MakeRelay(options);
    m_relay->PeerAdded(Info(1, net::ConnectionType::OUTBOUND_FULL_RELAY));
    m_relay->Tick();
    EXPECT_TRUE(TakeAddrs(1, false).empty()) << "before the handshake";
    m_relay->HandshakeDone(1, FULL_NODE);
    m_relay->Tick();
    const auto first = TakeAddrs(1, false);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(net::ToService(first[0]), (net::Service{net::MakeIPv4(60, 1, 2, 3), 8333}));
    EXPECT_EQ(first[0].services, FULL_NODE);
    EXPECT_EQ(first[0].time, Now32());
    // Not repeated within the hour...
    Flush();
    EXPECT_TRUE(TakeAddrs(1, false).empty());
    // ...but again after some days.
    for (int day = 0; day < 10; ++day) {
        m_now += 24 * 60 * 60;
        m_relay->Tick();
    }
    EXPECT_FALSE(TakeAddrs(1, false).empty());
}

TEST_F(AddrRelayTest, UnroutableLocalAddressIsNotAdvertised)
{
    node::AddrRelayOptions options;
    options.local_address = [] {
        return std::optional<net::Service>{net::Service{net::MakeIPv4(127, 0, 0, 1), 8333}};
    };
    MakeRelay(options);
    Connect(1, net::ConnectionType::OUTBOUND_FULL_RELAY);
    Flush();
    EXPECT_TRUE(TakeAddrs(1, false).empty());
}

} // namespace
