// ConnMan over real loopback sockets: two ConnMans, or one ConnMan and a raw
// blocking socket playing a (mis)behaving peer. Every wait is on a condition
// with a generous deadline; no test asserts how long anything took.
#include <net/connman.h>

#include <net/protocol.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace {

using namespace std::chrono_literals;
using tcp = boost::asio::ip::tcp;

const net::Magic REGTEST{0xfa, 0xbf, 0xb5, 0xda};
constexpr auto DEADLINE = 20s;

net::Service Loopback(uint16_t port)
{
    return net::Service{net::NetAddr{net::Network::IPV4, {127, 0, 0, 1}}, port};
}

/// Records every callback, checks the per-id ordering promises as they happen,
/// and optionally reacts through hooks.
class Recorder : public net::MessageHandler
{
public:
    std::function<void(const net::ConnectionInfo&)> on_connected;
    std::function<void(net::NodeId, const net::Message&)> on_message;
    std::function<void(net::NodeId)> on_disconnected;

    void OnConnected(const net::ConnectionInfo& info) override
    {
        Enter(info.id);
        {
            std::lock_guard lock{m_mutex};
            if (m_connected.count(info.id)) m_violations.push_back("second OnConnected");
            m_connected[info.id] = info;
        }
        if (on_connected) on_connected(info);
        Leave(info.id);
    }
    void OnMessage(net::NodeId id, net::Message message) override
    {
        Enter(id);
        if (on_message) on_message(id, message);
        {
            std::lock_guard lock{m_mutex};
            if (!m_connected.count(id)) m_violations.push_back("message before OnConnected");
            if (m_disconnected.count(id)) m_violations.push_back("message after OnDisconnected");
            m_messages[id].push_back(std::move(message));
        }
        Leave(id);
    }
    void OnDisconnected(net::NodeId id) override
    {
        Enter(id);
        {
            std::lock_guard lock{m_mutex};
            if (!m_connected.count(id)) m_violations.push_back("OnDisconnected before OnConnected");
            if (!m_disconnected.insert(id).second) m_violations.push_back("second OnDisconnected");
        }
        if (on_disconnected) on_disconnected(id);
        Leave(id);
    }

    /// Waits until `pred` (called under the lock) holds; false at the deadline.
    bool WaitFor(const std::function<bool()>& pred)
    {
        std::unique_lock lock{m_mutex};
        return m_cv.wait_for(lock, DEADLINE, pred);
    }

    size_t Connected() const
    {
        std::lock_guard lock{m_mutex};
        return m_connected.size();
    }
    size_t Disconnected() const
    {
        std::lock_guard lock{m_mutex};
        return m_disconnected.size();
    }
    bool IsDisconnected(net::NodeId id) const
    {
        std::lock_guard lock{m_mutex};
        return m_disconnected.count(id) > 0;
    }
    std::vector<net::Message> Messages(net::NodeId id) const
    {
        std::lock_guard lock{m_mutex};
        const auto it = m_messages.find(id);
        return it == m_messages.end() ? std::vector<net::Message>{} : it->second;
    }
    std::vector<net::ConnectionInfo> Infos() const
    {
        std::lock_guard lock{m_mutex};
        std::vector<net::ConnectionInfo> out;
        for (const auto& [id, info] : m_connected)
            out.push_back(info);
        return out;
    }
    std::vector<std::string> Violations() const
    {
        std::lock_guard lock{m_mutex};
        return m_violations;
    }

    // Lock-free views for WaitFor predicates (which already hold the lock).
    size_t ConnectedLocked() const { return m_connected.size(); }
    size_t DisconnectedLocked() const { return m_disconnected.size(); }
    size_t MessagesLocked(net::NodeId id) const
    {
        const auto it = m_messages.find(id);
        return it == m_messages.end() ? 0 : it->second.size();
    }
    bool IsDisconnectedLocked(net::NodeId id) const { return m_disconnected.count(id) > 0; }

private:
    void Enter(net::NodeId id)
    {
        std::lock_guard lock{m_mutex};
        if (!m_busy.insert(id).second) m_violations.push_back("concurrent callbacks");
    }
    void Leave(net::NodeId id)
    {
        {
            std::lock_guard lock{m_mutex};
            m_busy.erase(id);
        }
        m_cv.notify_all();
    }

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::map<net::NodeId, net::ConnectionInfo> m_connected;
    std::set<net::NodeId> m_disconnected;
    std::map<net::NodeId, std::vector<net::Message>> m_messages;
    std::set<net::NodeId> m_busy;
    std::vector<std::string> m_violations;
};

/// Polls `pred` until it holds; false at the deadline.
bool Eventually(const std::function<bool()>& pred)
{
    const auto end = std::chrono::steady_clock::now() + DEADLINE;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return pred();
}

net::ConnManOptions Options()
{
    net::ConnManOptions o;
    o.magic = REGTEST;
    o.bind = {Loopback(0)};
    o.clock = [] { return int64_t{1'700'000'000}; };
    return o;
}

net::ConnManOptions NoListen()
{
    auto o = Options();
    o.listen = false;
    o.bind.clear();
    return o;
}

uint16_t PortOf(const net::ConnMan& cm)
{
    const auto on = cm.ListeningOn();
    EXPECT_EQ(on.size(), 1u);
    return on.empty() ? 0 : on[0].port;
}

std::vector<uint8_t> Frame(const std::string& cmd, const std::vector<uint8_t>& payload,
                           const net::Magic& magic = REGTEST)
{
    auto f = net::EncodeMessage(magic, cmd, payload);
    EXPECT_TRUE(f);
    return *f;
}

/// Connects from B to A and waits until both sides have heard OnConnected.
/// Returns {id at A, id at B}.
std::pair<net::NodeId, net::NodeId>
Link(net::ConnMan& a, Recorder& ra, net::ConnMan& b, Recorder& rb,
     net::ConnectionType type = net::ConnectionType::OUTBOUND_FULL_RELAY)
{
    const size_t before_a = ra.Connected();
    std::mutex m;
    std::condition_variable cv;
    std::optional<std::optional<net::NodeId>> result;
    b.Connect(Loopback(PortOf(a)), type, [&](std::optional<net::NodeId> id) {
        std::lock_guard lock{m};
        result = id;
        cv.notify_all();
    });
    {
        std::unique_lock lock{m};
        EXPECT_TRUE(cv.wait_for(lock, DEADLINE, [&] { return result.has_value(); }));
    }
    EXPECT_TRUE(result && *result);
    EXPECT_TRUE(ra.WaitFor([&] { return ra.ConnectedLocked() > before_a; }));
    EXPECT_TRUE(rb.WaitFor([&] { return rb.ConnectedLocked() > 0; }));
    net::NodeId at_a = 0;
    for (const auto& info : ra.Infos())
        at_a = std::max(at_a, info.id);
    return {at_a, result && *result ? **result : net::NodeId{-1}};
}

/// A blocking socket for playing a peer byte by byte.
class RawPeer
{
public:
    explicit RawPeer(uint16_t port, int rcvbuf = 0) : m_socket{m_io}
    {
        m_socket.open(tcp::v4());
        if (rcvbuf > 0) m_socket.set_option(boost::asio::socket_base::receive_buffer_size(rcvbuf));
        m_socket.connect(tcp::endpoint{boost::asio::ip::make_address("127.0.0.1"), port});
    }
    void Write(std::span<const uint8_t> bytes)
    {
        boost::system::error_code ec;
        boost::asio::write(m_socket, boost::asio::buffer(bytes.data(), bytes.size()), ec);
    }
    /// True once the other side has closed (EOF or reset); reads and discards.
    bool WaitClosed()
    {
        // A blocking read with a receive timeout so a bug cannot hang the test.
        struct timeval tv
        {
            static_cast<time_t>(DEADLINE.count()), 0
        };
        ::setsockopt(m_socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        std::array<uint8_t, 4096> buf;
        while (true) {
            boost::system::error_code ec;
            m_socket.read_some(boost::asio::buffer(buf), ec);
            if (ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
                return true;
            if (ec) return false; // timeout or other failure
        }
    }
    uint16_t LocalPort() const { return m_socket.local_endpoint().port(); }

private:
    boost::asio::io_context m_io;
    tcp::socket m_socket;
};

TEST(NetConnMan, ConnectionTypeNames)
{
    EXPECT_EQ(net::ConnectionTypeName(net::ConnectionType::INBOUND), "inbound");
    EXPECT_EQ(net::ConnectionTypeName(net::ConnectionType::OUTBOUND_FULL_RELAY),
              "outbound-full-relay");
    EXPECT_EQ(net::ConnectionTypeName(net::ConnectionType::MANUAL), "manual");
    EXPECT_EQ(net::ConnectionTypeName(net::ConnectionType::FEELER), "feeler");
    EXPECT_EQ(net::ConnectionTypeName(net::ConnectionType::BLOCK_RELAY), "block-relay-only");
    EXPECT_EQ(net::ConnectionTypeName(net::ConnectionType::ADDR_FETCH), "addr-fetch");
}

TEST(NetConnMan, TwoConnMansExchangeMessagesInOrder)
{
    Recorder ra, rb;
    net::ConnMan a{Options(), ra};
    net::ConnMan b{NoListen(), rb};
    ASSERT_TRUE(a.Start());
    ASSERT_TRUE(b.Start());
    EXPECT_TRUE(b.ListeningOn().empty());
    const uint16_t port = PortOf(a);
    ASSERT_NE(port, 0);
    const auto [at_a, at_b] = Link(a, ra, b, rb, net::ConnectionType::MANUAL);

    // Both ends describe the link the same way round.
    const auto ia = ra.Infos().at(0);
    const auto ib = rb.Infos().at(0);
    EXPECT_EQ(ia.type, net::ConnectionType::INBOUND);
    EXPECT_EQ(ib.type, net::ConnectionType::MANUAL);
    EXPECT_EQ(ib.remote, Loopback(port));
    EXPECT_EQ(ia.local, Loopback(port));
    EXPECT_EQ(ia.remote, ib.local);
    EXPECT_EQ(ia.connected_time, 1'700'000'000);
    EXPECT_EQ(a.Count(), 1u);
    EXPECT_EQ(a.Count(net::ConnectionType::INBOUND), 1u);
    EXPECT_EQ(a.Count(net::ConnectionType::MANUAL), 0u);
    EXPECT_EQ(b.Count(net::ConnectionType::MANUAL), 1u);
    EXPECT_EQ(b.Find(Loopback(port)), at_b);
    EXPECT_FALSE(b.Find(Loopback(port + 1 == 0 ? 1 : port + 1)));

    constexpr int N = 200;
    for (int i = 0; i < N; ++i) {
        std::vector<uint8_t> payload(8 + i, static_cast<uint8_t>(i));
        ASSERT_TRUE(b.Send(at_b, "ping", payload));
    }
    ASSERT_TRUE(b.Send(at_b, "verack", {}));
    ASSERT_TRUE(ra.WaitFor([&, id = at_a] { return ra.MessagesLocked(id) == N + 1; }));
    const auto msgs = ra.Messages(at_a);
    uint64_t ping_bytes = 0;
    for (int i = 0; i < N; ++i) {
        EXPECT_EQ(msgs[i].command, "ping");
        EXPECT_EQ(msgs[i].payload, std::vector<uint8_t>(8 + i, static_cast<uint8_t>(i)));
        ping_bytes += 24 + 8 + i;
    }
    EXPECT_EQ(msgs[N].command, "verack");
    EXPECT_TRUE(msgs[N].payload.empty());

    // Replies flow the other way.
    ASSERT_TRUE(a.Send(at_a, "pong", {1, 2, 3, 4, 5, 6, 7, 8}));
    ASSERT_TRUE(rb.WaitFor([&, id = at_b] { return rb.MessagesLocked(id) == 1; }));
    EXPECT_EQ(rb.Messages(at_b)[0].command, "pong");

    const auto sa = a.GetStats(at_a);
    ASSERT_TRUE(sa);
    EXPECT_EQ(sa->bytes_recv_per_msg.at("ping"), ping_bytes);
    EXPECT_EQ(sa->bytes_recv_per_msg.at("verack"), 24u);
    EXPECT_EQ(sa->bytes_recv, ping_bytes + 24);
    EXPECT_EQ(sa->last_recv, 1'700'000'000);
    EXPECT_EQ(sa->bytes_sent_per_msg.at("pong"), 32u);
    // The sender's counters move when its write completes, which may be after
    // the receiver has the bytes.
    ASSERT_TRUE(Eventually([&] { return b.Totals().bytes_sent == ping_bytes + 24; }));
    const auto sb = b.GetStats(at_b);
    ASSERT_TRUE(sb);
    EXPECT_EQ(sb->bytes_sent_per_msg.at("ping"), ping_bytes);
    EXPECT_EQ(sb->bytes_sent, ping_bytes + 24);
    EXPECT_EQ(sb->last_send, 1'700'000'000);
    EXPECT_EQ(sb->send_queue_bytes, 0u);
    EXPECT_EQ(a.Totals().bytes_recv, ping_bytes + 24);
    EXPECT_EQ(b.Totals().bytes_recv, 32u);
    EXPECT_EQ(a.GetStats().size(), 1u);

    // Unframable sends are refused without harming the link.
    EXPECT_FALSE(b.Send(at_b, "", {}));
    EXPECT_FALSE(b.Send(at_b, "thirteenchars", {}));
    EXPECT_FALSE(b.Send(at_b + 1000, "ping", {}));

    // Closing one end is seen by the other.
    EXPECT_TRUE(b.Disconnect(at_b, "test"));
    EXPECT_FALSE(b.Send(at_b, "ping", {}));
    ASSERT_TRUE(ra.WaitFor([&, id = at_a] { return ra.IsDisconnectedLocked(id); }));
    ASSERT_TRUE(rb.WaitFor([&, id = at_b] { return rb.IsDisconnectedLocked(id); }));
    EXPECT_FALSE(b.Disconnect(at_b, "again"));
    EXPECT_EQ(a.Count(), 0u);
    EXPECT_FALSE(a.GetStats(at_a));
    a.Stop();
    b.Stop();
    EXPECT_TRUE(ra.Violations().empty());
    EXPECT_TRUE(rb.Violations().empty());
    EXPECT_EQ(ra.Connected(), ra.Disconnected());
}

TEST(NetConnMan, PayloadOneByteAtATime)
{
    Recorder ra;
    net::ConnMan a{Options(), ra};
    ASSERT_TRUE(a.Start());
    RawPeer peer{PortOf(a)};
    std::vector<uint8_t> payload(300);
    for (size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<uint8_t>(i * 7);
    const auto f = Frame("tx", payload);
    for (size_t i = 0; i < f.size(); ++i)
        peer.Write(std::span(f).subspan(i, 1));
    ASSERT_TRUE(ra.WaitFor([&] { return ra.ConnectedLocked() == 1; }));
    const net::NodeId id = ra.Infos().at(0).id;
    ASSERT_TRUE(ra.WaitFor([&] { return ra.MessagesLocked(id) == 1; }));
    EXPECT_EQ(ra.Messages(id)[0].command, "tx");
    EXPECT_EQ(ra.Messages(id)[0].payload, payload);
    EXPECT_EQ(ra.Infos().at(0).remote, Loopback(peer.LocalPort()));
}

TEST(NetConnMan, BadChecksumAndCommandDroppedConnectionKept)
{
    Recorder ra;
    net::ConnMan a{Options(), ra};
    ASSERT_TRUE(a.Start());
    RawPeer peer{PortOf(a)};
    auto bad_sum = Frame("ping", {1, 2, 3, 4, 5, 6, 7, 8});
    bad_sum.back() ^= 0xff;
    auto bad_cmd = Frame("ping", {1, 2, 3});
    bad_cmd[5] = 0x01;
    const auto good = Frame("pong", {8, 7, 6, 5, 4, 3, 2, 1});
    peer.Write(bad_sum);
    peer.Write(bad_cmd);
    peer.Write(good);
    ASSERT_TRUE(ra.WaitFor([&] { return ra.ConnectedLocked() == 1; }));
    const net::NodeId id = ra.Infos().at(0).id;
    ASSERT_TRUE(ra.WaitFor([&] { return ra.MessagesLocked(id) == 1; }));
    EXPECT_EQ(ra.Messages(id)[0].command, "pong");
    EXPECT_EQ(ra.Messages(id)[0].payload, (std::vector<uint8_t>{8, 7, 6, 5, 4, 3, 2, 1}));
    EXPECT_FALSE(ra.IsDisconnected(id));
    EXPECT_EQ(a.Count(), 1u);
    const auto stats = a.GetStats(id);
    ASSERT_TRUE(stats);
    // Refused frames count as "*other*" (32 + 27 bytes); only valid ones by name.
    EXPECT_EQ(stats->bytes_recv_per_msg.at("*other*"), 59u);
    EXPECT_EQ(stats->bytes_recv_per_msg.at("pong"), 32u);
    EXPECT_EQ(stats->bytes_recv_per_msg.count("ping"), 0u);
}

TEST(NetConnMan, WrongMagicDisconnects)
{
    Recorder ra;
    net::ConnMan a{Options(), ra};
    ASSERT_TRUE(a.Start());
    RawPeer peer{PortOf(a)};
    peer.Write(Frame("verack", {}, net::Magic{0xf9, 0xbe, 0xb4, 0xd9}));
    EXPECT_TRUE(peer.WaitClosed());
    ASSERT_TRUE(ra.WaitFor([&] { return ra.DisconnectedLocked() == 1; }));
    EXPECT_TRUE(ra.Violations().empty());
}

TEST(NetConnMan, OversizeLengthDisconnectsBeforePayload)
{
    Recorder ra;
    net::ConnMan a{Options(), ra};
    ASSERT_TRUE(a.Start());
    RawPeer peer{PortOf(a)};
    auto f = Frame("block", {});
    f[16] = 0x01;
    f[17] = 0x09;
    f[18] = 0x3d;
    f[19] = 0x00;  // 4,000,001
    peer.Write(f); // the header alone must be enough
    EXPECT_TRUE(peer.WaitClosed());
    ASSERT_TRUE(ra.WaitFor([&] { return ra.DisconnectedLocked() == 1; }));
    EXPECT_EQ(ra.Messages(ra.Infos().at(0).id).size(), 0u);
}

TEST(NetConnMan, HandshakeTimeoutDisconnectsOnlyUnfinishedHandshakes)
{
    Recorder ra;
    auto opts = Options();
    opts.handshake_timeout = 1s;
    net::ConnMan a{opts, ra};
    ASSERT_TRUE(a.Start());
    RawPeer done_peer{PortOf(a)};
    ASSERT_TRUE(ra.WaitFor([&] { return ra.ConnectedLocked() == 1; }));
    const net::NodeId done_id = ra.Infos().at(0).id;
    a.SetHandshakeComplete(done_id);
    RawPeer silent{PortOf(a)};
    ASSERT_TRUE(ra.WaitFor([&] { return ra.ConnectedLocked() == 2; }));
    EXPECT_TRUE(silent.WaitClosed());
    ASSERT_TRUE(ra.WaitFor([&] { return ra.DisconnectedLocked() == 1; }));
    EXPECT_FALSE(ra.IsDisconnected(done_id));
    // The finished one outlives another full timeout period.
    std::this_thread::sleep_for(1500ms);
    EXPECT_FALSE(ra.IsDisconnected(done_id));
    EXPECT_EQ(a.Count(), 1u);
}

TEST(NetConnMan, InactivityTimeoutDisconnectsSilentPeer)
{
    Recorder ra;
    auto opts = Options();
    opts.inactivity_timeout = 1s;
    net::ConnMan a{opts, ra};
    ASSERT_TRUE(a.Start());
    RawPeer silent{PortOf(a)};
    ASSERT_TRUE(ra.WaitFor([&] { return ra.ConnectedLocked() == 1; }));
    a.SetHandshakeComplete(ra.Infos().at(0).id); // only inactivity can close it
    EXPECT_TRUE(silent.WaitClosed());
    ASSERT_TRUE(ra.WaitFor([&] { return ra.DisconnectedLocked() == 1; }));
}

TEST(NetConnMan, ReceivePausesUntilProcessed)
{
    Recorder ra, rb;
    auto opts = Options();
    opts.max_receive_buffer = 1000;
    net::ConnMan a{opts, ra};
    net::ConnMan b{NoListen(), rb};
    ASSERT_TRUE(a.Start());
    ASSERT_TRUE(b.Start());
    const auto [at_a, at_b] = Link(a, ra, b, rb);
    constexpr size_t N = 50;
    for (size_t i = 0; i < N; ++i)
        ASSERT_TRUE(b.Send(at_b, "tx", std::vector<uint8_t>(500, static_cast<uint8_t>(i))));
    // 500 + 500 = 1000 is not above the limit; the third message takes it to
    // 1500, so exactly three are handed over before reading pauses.
    ASSERT_TRUE(ra.WaitFor([&, id = at_a] { return ra.MessagesLocked(id) >= 3; }));
    auto stats = a.GetStats(at_a);
    ASSERT_TRUE(stats);
    EXPECT_TRUE(stats->recv_paused);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(ra.Messages(at_a).size(), 3u);

    // Releasing resumes reading; keep releasing until everything has arrived.
    size_t released = 0;
    while (released < N) {
        const size_t have = ra.Messages(at_a).size();
        ASSERT_GT(have, released);
        a.MessageProcessed(at_a, (have - released) * 500);
        released = have;
        if (released < N) {
            ASSERT_TRUE(
                ra.WaitFor([&, id = at_a, r = released] { return ra.MessagesLocked(id) > r; }));
        }
    }
    const auto msgs = ra.Messages(at_a);
    ASSERT_EQ(msgs.size(), N);
    for (size_t i = 0; i < N; ++i)
        EXPECT_EQ(msgs[i].payload, std::vector<uint8_t>(500, static_cast<uint8_t>(i)));
    stats = a.GetStats(at_a);
    ASSERT_TRUE(stats);
    EXPECT_FALSE(stats->recv_paused);
    EXPECT_TRUE(ra.Violations().empty());
}

TEST(NetConnMan, SendHardCapDisconnectsPeerThatDoesNotRead)
{
    Recorder ra;
    auto opts = Options();
    opts.max_send_buffer = 10'000;
    net::ConnMan a{opts, ra};
    ASSERT_TRUE(a.Start());
    RawPeer lazy{PortOf(a), 4096}; // never reads
    ASSERT_TRUE(ra.WaitFor([&] { return ra.ConnectedLocked() == 1; }));
    const net::NodeId id = ra.Infos().at(0).id;
    EXPECT_FALSE(a.IsSendBufferFull(id));
    const std::vector<uint8_t> big(3'900'000, 0x42);
    bool refused = false;
    bool saw_full = false;
    // The kernel absorbs a few MB at most; the cap is 10,000 + 8,000,000 bytes.
    for (int i = 0; i < 40 && !refused; ++i) {
        refused = !a.Send(id, "block", big);
        saw_full = saw_full || a.IsSendBufferFull(id);
    }
    EXPECT_TRUE(refused);
    EXPECT_TRUE(saw_full);
    ASSERT_TRUE(ra.WaitFor([&] { return ra.IsDisconnectedLocked(id); }));
    EXPECT_FALSE(a.Send(id, "ping", {}));
    EXPECT_FALSE(a.IsSendBufferFull(id));
}

TEST(NetConnMan, InboundBeyondMaxRefusedWhenAllProtected)
{
    Recorder ra;
    auto opts = Options();
    opts.max_inbound = 2;
    net::ConnMan a{opts, ra};
    ASSERT_TRUE(a.Start());
    RawPeer p1{PortOf(a)}, p2{PortOf(a)};
    ASSERT_TRUE(ra.WaitFor([&] { return ra.ConnectedLocked() == 2; }));
    // With two candidates every one is protected (4 by netgroup alone).
    RawPeer p3{PortOf(a)};
    EXPECT_TRUE(p3.WaitClosed());
    EXPECT_EQ(ra.Connected(), 2u);
    EXPECT_EQ(ra.Disconnected(), 0u);
    EXPECT_EQ(a.Count(net::ConnectionType::INBOUND), 2u);
}

TEST(NetConnMan, InboundBeyondMaxEvictsOne)
{
    // All loopback peers share one netgroup, so Core's classes protect 4 (netgroup)
    // + 8 (ping) + 4 (tx) + 4 (blocks) = 20 of them; with 21 candidates the
    // uptime half of the one left is zero, so exactly one is evicted.
    Recorder ra;
    auto opts = Options();
    opts.max_inbound = 21;
    net::ConnMan a{opts, ra};
    ASSERT_TRUE(a.Start());
    std::vector<std::unique_ptr<RawPeer>> peers;
    for (int i = 0; i < 21; ++i) {
        peers.push_back(std::make_unique<RawPeer>(PortOf(a)));
        ASSERT_TRUE(ra.WaitFor([&, n = size_t(i + 1)] { return ra.ConnectedLocked() == n; }));
    }
    // Make one peer clearly the least valuable: worst ping, never relayed anything.
    // The others get distinct good pings, tx and block times. All share one
    // netgroup; ties keep ConnMan's order (by id), so the netgroup class shields
    // the four newest ids and the victim, the oldest id, stays exposed.
    net::NodeId victim = 0;
    int k = 0;
    for (const auto& info : ra.Infos()) {
        net::EvictionInfo e;
        if (k == 0) {
            victim = info.id;
        } else {
            e.min_ping_usec = 1000 + k;
            e.last_tx_time = 100 + k;
            e.last_block_time = 200 + k;
        }
        a.UpdateEvictionInfo(info.id, e);
        ++k;
    }
    peers.push_back(std::make_unique<RawPeer>(PortOf(a)));
    ASSERT_TRUE(ra.WaitFor([&] { return ra.ConnectedLocked() == 22; }));
    ASSERT_TRUE(ra.WaitFor([&] { return ra.DisconnectedLocked() == 1; }));
    EXPECT_TRUE(ra.IsDisconnected(victim));
    EXPECT_EQ(a.Count(net::ConnectionType::INBOUND), 21u);
    a.Stop();
    EXPECT_TRUE(ra.Violations().empty());
}

TEST(NetConnMan, AcceptInboundRefusing)
{
    Recorder ra;
    auto opts = Options();
    std::mutex m;
    std::vector<net::Service> asked;
    opts.accept_inbound = [&](const net::Service& remote) {
        std::lock_guard lock{m};
        asked.push_back(remote);
        return false;
    };
    net::ConnMan a{opts, ra};
    ASSERT_TRUE(a.Start());
    RawPeer peer{PortOf(a)};
    EXPECT_TRUE(peer.WaitClosed());
    EXPECT_EQ(ra.Connected(), 0u);
    std::lock_guard lock{m};
    ASSERT_EQ(asked.size(), 1u);
    EXPECT_EQ(asked[0], Loopback(peer.LocalPort()));
}

TEST(NetConnMan, SetNetworkActiveFalseClosesAllAndRefuses)
{
    Recorder ra, rb;
    net::ConnMan a{Options(), ra};
    net::ConnMan b{NoListen(), rb};
    ASSERT_TRUE(a.Start());
    ASSERT_TRUE(b.Start());
    Link(a, ra, b, rb);
    Link(a, ra, b, rb);
    EXPECT_EQ(a.Count(), 2u);
    EXPECT_TRUE(a.NetworkActive());
    a.SetNetworkActive(false);
    EXPECT_FALSE(a.NetworkActive());
    ASSERT_TRUE(ra.WaitFor([&] { return ra.DisconnectedLocked() == 2; }));
    ASSERT_TRUE(rb.WaitFor([&] { return rb.DisconnectedLocked() == 2; }));
    EXPECT_EQ(a.Count(), 0u);

    // Inbound refused while inactive; outbound from the inactive side fails.
    RawPeer peer{PortOf(a)};
    EXPECT_TRUE(peer.WaitClosed());
    std::mutex m;
    std::condition_variable cv;
    std::optional<std::optional<net::NodeId>> result;
    a.Connect(Loopback(PortOf(a)), net::ConnectionType::MANUAL, [&](std::optional<net::NodeId> id) {
        std::lock_guard lock{m};
        result = id;
        cv.notify_all();
    });
    {
        std::unique_lock lock{m};
        ASSERT_TRUE(cv.wait_for(lock, DEADLINE, [&] { return result.has_value(); }));
    }
    EXPECT_FALSE(*result);
    EXPECT_EQ(ra.Connected(), 2u);

    a.SetNetworkActive(true);
    Link(a, ra, b, rb);
    EXPECT_EQ(a.Count(), 1u);
}

TEST(NetConnMan, ConnectFailureReportsNullopt)
{
    Recorder ra;
    net::ConnMan a{Options(), ra};
    ASSERT_TRUE(a.Start());
    uint16_t closed_port;
    {
        // Learn a port nobody listens on.
        Recorder r;
        net::ConnMan tmp{Options(), r};
        ASSERT_TRUE(tmp.Start());
        closed_port = PortOf(tmp);
    }
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::optional<net::NodeId>> results;
    auto done = [&](std::optional<net::NodeId> id) {
        std::lock_guard lock{m};
        results.push_back(id);
        cv.notify_all();
    };
    a.Connect(Loopback(closed_port), net::ConnectionType::OUTBOUND_FULL_RELAY, done);
    // An onion address cannot be reached without a proxy.
    a.Connect(net::Service{net::NetAddr{net::Network::TORV3, std::vector<uint8_t>(32, 1)}, 8333},
              net::ConnectionType::OUTBOUND_FULL_RELAY, done);
    std::unique_lock lock{m};
    ASSERT_TRUE(cv.wait_for(lock, DEADLINE, [&] { return results.size() == 2; }));
    EXPECT_FALSE(results[0]);
    EXPECT_FALSE(results[1]);
    EXPECT_EQ(ra.Connected(), 0u);
}

TEST(NetConnMan, ConnectTimeoutReportsNullopt)
{
    // A listener that never accepts: once its backlog is full, Linux drops
    // further SYNs, so later attempts can only end by our connect_timeout.
    boost::asio::io_context io;
    tcp::acceptor stuck{io, tcp::endpoint{boost::asio::ip::make_address("127.0.0.1"), 0}};
    stuck.listen(1);
    const uint16_t port = stuck.local_endpoint().port();

    Recorder rb;
    auto opts = NoListen();
    opts.connect_timeout = 300ms;
    net::ConnMan b{opts, rb};
    ASSERT_TRUE(b.Start());
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::optional<net::NodeId>> results;
    constexpr size_t ATTEMPTS = 6;
    for (size_t i = 0; i < ATTEMPTS; ++i) {
        b.Connect(Loopback(port), net::ConnectionType::FEELER, [&](std::optional<net::NodeId> id) {
            std::lock_guard lock{m};
            results.push_back(id);
            cv.notify_all();
        });
    }
    std::unique_lock lock{m};
    ASSERT_TRUE(cv.wait_for(lock, DEADLINE, [&] { return results.size() == ATTEMPTS; }));
    const auto failed = std::count(results.begin(), results.end(), std::nullopt);
    EXPECT_GE(failed, 1);
    // Every success is a live connection, every failure left nothing behind.
    EXPECT_EQ(rb.Connected(), ATTEMPTS - static_cast<size_t>(failed));
    EXPECT_EQ(b.Count(net::ConnectionType::FEELER), ATTEMPTS - static_cast<size_t>(failed));
}

TEST(NetConnMan, DefaultBindIsAnyAddressOnPort)
{
    uint16_t port;
    {
        boost::asio::io_context io;
        tcp::acceptor probe{io, tcp::endpoint{tcp::v4(), 0}};
        port = probe.local_endpoint().port();
    }
    Recorder ra;
    auto opts = Options();
    opts.bind.clear();
    opts.port = port;
    net::ConnMan a{opts, ra};
    ASSERT_TRUE(a.Start());
    const auto on = a.ListeningOn();
    ASSERT_GE(on.size(), 1u); // [::] may be missing on hosts without IPv6
    EXPECT_EQ(on[0], (net::Service{net::NetAddr{net::Network::IPV4, {0, 0, 0, 0}}, port}));
    if (on.size() == 2) {
        EXPECT_EQ(on[1], (net::Service{
                             net::NetAddr{net::Network::IPV6, std::vector<uint8_t>(16, 0)}, port}));
    }
    RawPeer peer{port};
    ASSERT_TRUE(ra.WaitFor([&] { return ra.ConnectedLocked() == 1; }));
}

TEST(NetConnMan, BindFailureUsesCoreMessage)
{
    Recorder ra, rb;
    net::ConnMan a{Options(), ra};
    ASSERT_TRUE(a.Start());
    const uint16_t port = PortOf(a);
    auto opts = Options();
    opts.bind = {Loopback(port)};
    net::ConnMan b{opts, rb};
    const auto started = b.Start();
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().message,
              "Unable to bind to 127.0.0.1:" + std::to_string(port) +
                  " on this computer. minibit is probably already running.");
    EXPECT_TRUE(b.ListeningOn().empty());
}

TEST(NetConnMan, AnyFailedExplicitBindFailsStart)
{
    // Core: every -bind must succeed, even when another one did.
    Recorder ra, rb;
    net::ConnMan a{Options(), ra};
    ASSERT_TRUE(a.Start());
    const uint16_t taken = PortOf(a);
    auto opts = Options();
    opts.bind = {Loopback(0), Loopback(taken)};
    net::ConnMan b{opts, rb};
    const auto started = b.Start();
    ASSERT_FALSE(started);
    EXPECT_NE(started.error().message.find(":" + std::to_string(taken)), std::string::npos);
    b.Stop();
}

TEST(NetConnMan, DisconnectAddressClosesEveryPort)
{
    Recorder ra;
    net::ConnMan a{Options(), ra};
    ASSERT_TRUE(a.Start());
    RawPeer p1{PortOf(a)}, p2{PortOf(a)};
    ASSERT_TRUE(ra.WaitFor([&] { return ra.ConnectedLocked() == 2; }));
    EXPECT_EQ(a.DisconnectAddress(net::NetAddr{net::Network::IPV4, {127, 0, 0, 2}}, "other"), 0u);
    EXPECT_EQ(a.DisconnectAddress(Loopback(0).addr, "test"), 2u);
    EXPECT_TRUE(p1.WaitClosed());
    EXPECT_TRUE(p2.WaitClosed());
    ASSERT_TRUE(ra.WaitFor([&] { return ra.DisconnectedLocked() == 2; }));
}

TEST(NetConnMan, StopWithLiveConnectionsAndReentrantHandler)
{
    Recorder ra, rb;
    net::ConnMan a{Options(), ra};
    net::ConnMan b{NoListen(), rb};
    // The handlers call back into their ConnMan from inside callbacks.
    ra.on_message = [&](net::NodeId id, const net::Message&) {
        a.Send(id, "pong", {});
        a.MessageProcessed(id, 0);
    };
    ra.on_disconnected = [&](net::NodeId id) {
        EXPECT_FALSE(a.Send(id, "ping", {}));
        a.Disconnect(id, "again");
    };
    rb.on_connected = [&](const net::ConnectionInfo& info) { b.Send(info.id, "ping", {}); };
    ASSERT_TRUE(a.Start());
    ASSERT_TRUE(b.Start());
    std::vector<net::NodeId> at_b;
    for (int i = 0; i < 5; ++i)
        at_b.push_back(Link(a, ra, b, rb).second);
    ASSERT_TRUE(ra.WaitFor([&] { return ra.ConnectedLocked() == 5; }));
    // Another thread keeps sending while both stop.
    std::atomic<bool> run{true};
    std::thread spammer{[&] {
        while (run) {
            for (auto id : at_b) {
                b.Send(id, "ping", {1, 2, 3});
                b.Disconnect(id + 1000, "nobody");
            }
        }
    }};
    a.Stop();
    b.Stop();
    run = false;
    spammer.join();
    a.Stop(); // idempotent
    EXPECT_EQ(ra.Connected(), 5u);
    EXPECT_EQ(ra.Disconnected(), 5u);
    EXPECT_EQ(rb.Connected(), 5u);
    EXPECT_EQ(rb.Disconnected(), 5u);
    EXPECT_TRUE(ra.Violations().empty());
    EXPECT_TRUE(rb.Violations().empty());
    EXPECT_EQ(a.Count(), 0u);
    EXPECT_FALSE(b.Send(at_b[0], "ping", {}));
}

} // namespace
