// ConnOpener against real ConnMans on loopback: the "remote peers" are ConnMans
// listening on 127.0.0.x with a handler that only counts connections. Every
// wait is for a condition with a generous deadline; nothing asserts timing.
#include <node/conn_opener.h>

#include <net/addrman.h>
#include <net/banman.h>
#include <net/connman.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

const net::Magic REGTEST{0xfa, 0xbf, 0xb5, 0xda};
constexpr auto DEADLINE = 20s;

/// Counts connections by type; remembers who connected.
class Counter : public net::MessageHandler
{
public:
    void OnConnected(const net::ConnectionInfo& info) override
    {
        std::lock_guard lock{m_mutex};
        ++m_by_type[info.type];
        ++m_total;
        m_live[info.id] = info;
    }
    void OnMessage(net::NodeId, net::Message) override {}
    void OnDisconnected(net::NodeId id) override
    {
        std::lock_guard lock{m_mutex};
        m_live.erase(id);
    }
    int Total() const
    {
        std::lock_guard lock{m_mutex};
        return m_total;
    }
    int Count(net::ConnectionType t) const
    {
        std::lock_guard lock{m_mutex};
        const auto it = m_by_type.find(t);
        return it == m_by_type.end() ? 0 : it->second;
    }
    std::vector<net::NodeId> Live() const
    {
        std::lock_guard lock{m_mutex};
        std::vector<net::NodeId> out;
        for (const auto& [id, info] : m_live)
            out.push_back(id);
        return out;
    }

private:
    mutable std::mutex m_mutex;
    std::map<net::ConnectionType, int> m_by_type;
    std::map<net::NodeId, net::ConnectionInfo> m_live;
    int m_total{0};
};

bool WaitFor(const std::function<bool()>& cond)
{
    const auto end = std::chrono::steady_clock::now() + DEADLINE;
    while (std::chrono::steady_clock::now() < end) {
        if (cond()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return cond();
}

/// A listening ConnMan on 127.0.0.<last>, ephemeral port.
struct RemotePeer
{
    explicit RemotePeer(uint8_t last)
    {
        net::ConnManOptions o;
        o.magic = REGTEST;
        o.listen = true;
        o.bind = {net::Service{net::MakeIPv4(127, 0, 0, last), 0}};
        connman = std::make_unique<net::ConnMan>(o, counter);
        const auto started = connman->Start();
        EXPECT_TRUE(started) << (started ? "" : started.error().message);
        const auto on = connman->ListeningOn();
        EXPECT_EQ(on.size(), 1u);
        if (!on.empty()) service = on[0];
    }
    ~RemotePeer() { connman->Stop(); }
    std::string Text() const { return net::ToString(service); }

    Counter counter;
    std::unique_ptr<net::ConnMan> connman;
    net::Service service;
};

/// Our node: a non-listening ConnMan, an AddrMan that keeps loopback addresses, a BanMan.
struct LocalNode
{
    LocalNode()
    {
        net::ConnManOptions o;
        o.magic = REGTEST;
        o.listen = false;
        connman = std::make_unique<net::ConnMan>(o, counter);
        EXPECT_TRUE(connman->Start());
        net::AddrManOptions ao;
        ao.accept_unroutable = true;
        ao.rng_seed = 11;
        ao.key = std::array<uint8_t, 32>{7}; // fixed: the few test addresses never share a slot
        addrman = std::make_unique<net::AddrMan>(ao);
    }
    ~LocalNode()
    {
        if (opener) opener->Stop();
        connman->Stop();
    }
    void StartOpener(node::ConnOpenerOptions o)
    {
        o.default_port = 18444;
        o.rng_seed = 5;
        opener = std::make_unique<node::ConnOpener>(*connman, *addrman, banman, std::move(o));
        opener->Start();
    }
    void AddToAddrMan(const net::Service& s)
    {
        const std::vector<net::AddrEntry> e{net::ToAddrEntry(
            s, net::NODE_NETWORK | net::NODE_WITNESS,
            static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count() -
                                  60))};
        // The listening port is random, so two test addresses may land in the same
        // slot of a source's bucket; another source group moves it to another bucket.
        for (uint8_t source = 8; source < 40; ++source) {
            if (addrman->Add(e, net::MakeIPv4(source, source, source, source)) == 1u) return;
        }
        ADD_FAILURE() << "no free AddrMan slot for " << net::ToString(s);
    }

    Counter counter;
    std::unique_ptr<net::ConnMan> connman;
    std::unique_ptr<net::AddrMan> addrman;
    net::BanMan banman{{}};
    std::unique_ptr<node::ConnOpener> opener;
};

TEST(ConnOpener, ConnectOnlyAndRetried)
{
    RemotePeer wanted{1};
    RemotePeer other{2};
    LocalNode local;
    local.AddToAddrMan(other.service); // must be ignored under -connect
    node::ConnOpenerOptions o;
    o.connect = {wanted.Text()};
    o.max_full_relay = 0; // as net_setup configures -connect
    o.max_block_relay = 0;
    o.feelers = false;
    local.StartOpener(o);
    ASSERT_TRUE(WaitFor([&] { return wanted.counter.Total() == 1; }));
    EXPECT_EQ(local.counter.Count(net::ConnectionType::MANUAL), 1);
    // The peer drops us: the opener connects again.
    for (auto id : wanted.counter.Live())
        wanted.connman->Disconnect(id, "test");
    ASSERT_TRUE(WaitFor([&] { return wanted.counter.Total() == 2; }));
    EXPECT_EQ(local.counter.Count(net::ConnectionType::MANUAL), 2);
    EXPECT_EQ(other.counter.Total(), 0);
    EXPECT_EQ(local.counter.Count(net::ConnectionType::OUTBOUND_FULL_RELAY), 0);
}

TEST(ConnOpener, AddNodeAddRemoveOneTry)
{
    RemotePeer a{1};
    RemotePeer b{2};
    LocalNode local;
    local.StartOpener({});
    auto& op = *local.opener;
    EXPECT_EQ(op.AddNode("not an address", node::AddNodeCommand::ADD),
              node::AddNodeResult::INVALID);
    EXPECT_EQ(op.AddNode(a.Text(), node::AddNodeCommand::ADD), node::AddNodeResult::OK);
    EXPECT_EQ(op.AddNode(a.Text(), node::AddNodeCommand::ADD), node::AddNodeResult::ALREADY_ADDED);
    ASSERT_TRUE(WaitFor([&] { return a.counter.Total() == 1; }));
    ASSERT_TRUE(WaitFor([&] {
        const auto info = op.GetAddedNodeInfo(std::nullopt);
        return info.size() == 1 && info[0].connected;
    }));
    auto info = op.GetAddedNodeInfo(a.Text());
    ASSERT_EQ(info.size(), 1u);
    EXPECT_EQ(info[0].added_node, a.Text());
    EXPECT_EQ(info[0].resolved, a.service);
    EXPECT_FALSE(info[0].inbound);
    EXPECT_TRUE(op.GetAddedNodeInfo(b.Text()).empty());

    // onetry: one manual connection, not remembered.
    EXPECT_EQ(op.AddNode(b.Text(), node::AddNodeCommand::ONETRY), node::AddNodeResult::OK);
    ASSERT_TRUE(WaitFor([&] { return b.counter.Total() == 1; }));
    EXPECT_EQ(op.GetAddedNodeInfo(std::nullopt).size(), 1u);
    EXPECT_EQ(local.counter.Count(net::ConnectionType::MANUAL), 2);

    // One connection per entry: while it lives, no second one is opened.
    op.Poke();
    std::this_thread::sleep_for(800ms);
    EXPECT_EQ(a.counter.Total(), 1);

    EXPECT_EQ(op.AddNode(a.Text(), node::AddNodeCommand::REMOVE), node::AddNodeResult::OK);
    EXPECT_EQ(op.AddNode(a.Text(), node::AddNodeCommand::REMOVE), node::AddNodeResult::NOT_ADDED);
    EXPECT_TRUE(op.GetAddedNodeInfo(std::nullopt).empty());
    // Removed: after the peer drops us, nobody reconnects.
    for (auto id : a.counter.Live())
        a.connman->Disconnect(id, "test");
    std::this_thread::sleep_for(800ms);
    EXPECT_EQ(a.counter.Total(), 1);
}

TEST(ConnOpener, AddedNodeReconnectsAfterDrop)
{
    RemotePeer a{1};
    LocalNode local;
    node::ConnOpenerOptions o;
    local.StartOpener(o);
    ASSERT_EQ(local.opener->AddNode(a.Text(), node::AddNodeCommand::ADD), node::AddNodeResult::OK);
    ASSERT_TRUE(WaitFor([&] { return a.counter.Total() == 1; }));
    ASSERT_TRUE(WaitFor([&] { return !a.counter.Live().empty(); }));
    for (auto id : a.counter.Live())
        a.connman->Disconnect(id, "test");
    ASSERT_TRUE(WaitFor([&] { return a.counter.Total() == 2; }));
}

TEST(ConnOpener, OutboundFromAddrManSkipsBannedAndDiscouraged)
{
    RemotePeer banned{2};
    RemotePeer discouraged{3};
    RemotePeer good{4};
    LocalNode local;
    local.AddToAddrMan(banned.service);
    local.AddToAddrMan(discouraged.service);
    local.AddToAddrMan(good.service);
    local.banman.Ban(*net::ParseSubnet("127.0.0.2"), 3600);
    local.banman.Discourage(net::MakeIPv4(127, 0, 0, 3));
    node::ConnOpenerOptions o;
    o.feelers = false;
    local.StartOpener(o);
    ASSERT_TRUE(WaitFor([&] { return good.counter.Total() == 1; }));
    EXPECT_EQ(local.counter.Count(net::ConnectionType::OUTBOUND_FULL_RELAY), 1);
    const auto tried = local.addrman->Find(good.service);
    ASSERT_TRUE(tried);
    EXPECT_GT(tried->last_try, 0); // Attempt() came first
    // All of 127/8 is one network group (Core's rule for local addresses): with
    // one outbound there, no further full-relay or block-relay peer is opened.
    std::this_thread::sleep_for(1200ms);
    EXPECT_EQ(banned.counter.Total(), 0);
    EXPECT_EQ(discouraged.counter.Total(), 0);
    EXPECT_EQ(good.counter.Total(), 1);
    EXPECT_EQ(local.counter.Count(net::ConnectionType::BLOCK_RELAY), 0);
}

TEST(ConnOpener, OneOutboundPerNetGroup)
{
    RemotePeer p1{5};
    RemotePeer p2{6};
    LocalNode local;
    local.AddToAddrMan(p1.service);
    local.AddToAddrMan(p2.service);
    node::ConnOpenerOptions o;
    o.feelers = false;
    local.StartOpener(o);
    ASSERT_TRUE(WaitFor([&] { return p1.counter.Total() + p2.counter.Total() == 1; }));
    std::this_thread::sleep_for(1200ms);
    EXPECT_EQ(p1.counter.Total() + p2.counter.Total(), 1);
}

TEST(ConnOpener, EightFullRelayAndTwoBlockRelayOnly)
{
    // Twelve listening peers, each its own network group (loopback addresses all share
    // Core's group {0}, so the test groups them by their last byte instead).
    std::vector<std::unique_ptr<RemotePeer>> peers;
    LocalNode local;
    for (uint8_t last = 20; last < 32; ++last) {
        peers.push_back(std::make_unique<RemotePeer>(last));
        local.AddToAddrMan(peers.back()->service);
    }
    node::ConnOpenerOptions o;
    o.feelers = false;
    o.net_group = [](const net::NetAddr& addr) { return std::vector<uint8_t>{addr.bytes.back()}; };
    local.StartOpener(o);
    ASSERT_TRUE(WaitFor([&] {
        return local.counter.Count(net::ConnectionType::OUTBOUND_FULL_RELAY) == 8 &&
               local.counter.Count(net::ConnectionType::BLOCK_RELAY) == 2;
    }));
    // And no more: the remaining two addresses stay unused.
    std::this_thread::sleep_for(1200ms);
    size_t reached = 0;
    for (const auto& peer : peers)
        reached += peer->counter.Total() > 0 ? 1 : 0;
    EXPECT_EQ(reached, 10u);
    EXPECT_EQ(local.counter.Count(net::ConnectionType::OUTBOUND_FULL_RELAY), 8);
    EXPECT_EQ(local.counter.Count(net::ConnectionType::BLOCK_RELAY), 2);
}

TEST(ConnOpener, SeedNodeIsAddrFetch)
{
    RemotePeer seed{7};
    LocalNode local;
    node::ConnOpenerOptions o;
    o.seednode = {seed.Text()};
    o.feelers = false;
    local.StartOpener(o);
    ASSERT_TRUE(WaitFor([&] { return seed.counter.Total() == 1; }));
    EXPECT_EQ(local.counter.Count(net::ConnectionType::ADDR_FETCH), 1);
}

TEST(ConnOpener, FeelerWhenSlotsAreFull)
{
    RemotePeer target{8};
    LocalNode local;
    local.AddToAddrMan(target.service);
    std::atomic<int64_t> now{1'700'000'000};
    node::ConnOpenerOptions o;
    o.max_full_relay = 0; // "full" from the start
    o.max_block_relay = 0;
    o.feelers = true;
    o.clock = [&now] { return now.load(); };
    local.StartOpener(o);
    // The first feeler waits for a randomised interval; move the clock well past it.
    std::this_thread::sleep_for(700ms);
    EXPECT_EQ(target.counter.Total(), 0);
    now += 100'000;
    local.opener->Poke();
    ASSERT_TRUE(WaitFor([&] { return target.counter.Total() >= 1; }));
    EXPECT_GE(local.counter.Count(net::ConnectionType::FEELER), 1);
    EXPECT_EQ(local.counter.Count(net::ConnectionType::OUTBOUND_FULL_RELAY), 0);
}

TEST(ConnOpener, NothingWhenNetworkInactive)
{
    RemotePeer a{9};
    LocalNode local;
    local.connman->SetNetworkActive(false);
    node::ConnOpenerOptions o;
    o.addnode = {a.Text()};
    local.StartOpener(o);
    std::this_thread::sleep_for(800ms);
    EXPECT_EQ(a.counter.Total(), 0);
    local.connman->SetNetworkActive(true);
    ASSERT_TRUE(WaitFor([&] { return a.counter.Total() == 1; }));
}

} // namespace
