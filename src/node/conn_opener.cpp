#include <node/conn_opener.h>

#include <util/logging.h>

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace node {
namespace {

/// Core's MAX_ADDNODE_CONNECTIONS.
constexpr int MAX_ADDNODE_CONNECTIONS = 8;
/// Core retries added nodes every 60 s once it attempted one.
constexpr int64_t ADDNODE_RETRY_SECONDS = 60;
/// A dropped manual connection is retried after a short pause.
constexpr int64_t RECONNECT_SECONDS = 2;
/// Core's FEELER_INTERVAL: mean of the exponential delay between feelers.
constexpr double FEELER_INTERVAL_SECONDS = 120.0;
/// Core's limits inside one ThreadOpenConnections round.
constexpr int MAX_SELECT_TRIES = 100;

/// Ports of services that usually require authentication (Core's doc/p2p-bad-ports.md):
/// gossiped addresses on them are avoided, so nodes are not used to probe such services.
constexpr std::array<uint16_t, 80> BAD_PORTS{
    1,    7,    9,    11,   13,   15,   17,   19,   20,   21,   22,   23,   25,   37,
    42,   43,   53,   69,   77,   79,   87,   95,   101,  102,  103,  104,  109,  110,
    111,  113,  115,  117,  119,  123,  135,  137,  139,  143,  161,  179,  389,  427,
    465,  512,  513,  514,  515,  526,  530,  531,  532,  540,  548,  554,  556,  563,
    587,  601,  636,  989,  990,  993,  995,  1719, 1720, 1723, 2049, 3659, 4045, 5060,
    5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080};

bool IsBadPort(uint16_t port)
{
    return std::find(BAD_PORTS.begin(), BAD_PORTS.end(), port) != BAD_PORTS.end();
}

int64_t SystemNow()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool IsPrivacyNetwork(net::Network n)
{
    return n == net::Network::TORV3 || n == net::Network::I2P || n == net::Network::CJDNS;
}

struct AddedNode
{
    std::string text;
    std::optional<net::Service> resolved;
    int64_t next_try{0};
};

/// State the ConnMan callbacks touch; they may outlive the opener, so they hold it weakly.
struct Shared
{
    std::mutex mutex;
    std::condition_variable cv;
    bool stop{false};
    bool poked{false};
    std::map<net::Service, net::ConnectionType> pending; //!< Connect issued, done not yet called
    std::vector<AddedNode> added;
    std::vector<AddedNode> connect;
    std::deque<std::string> seeds;
};

} // namespace

struct ConnOpener::Impl
{
    Impl(net::ConnMan& c, net::AddrMan& a, net::BanMan& b, ConnOpenerOptions o)
        : connman{c}, addrman{a}, banman{b}, options{std::move(o)}
    {
        if (!options.net_group) options.net_group = net::NetGroup;
        if (options.rng_seed != 0) {
            rng.seed(options.rng_seed);
        } else {
            std::random_device rd;
            rng.seed((uint64_t{rd()} << 32) ^ rd());
        }
    }

    // Network group of an address as a set key (strings dodge a gcc 12 false warning).
    std::string GroupKey(const net::NetAddr& addr) const
    {
        const std::vector<uint8_t> group = options.net_group(addr);
        return std::string(group.begin(), group.end());
    }

    net::ConnMan& connman;
    net::AddrMan& addrman;
    net::BanMan& banman;
    ConnOpenerOptions options;
    std::shared_ptr<Shared> shared{std::make_shared<Shared>()};
    std::thread thread;
    std::mt19937_64 rng; // opener thread only
    int64_t next_feeler{0};
    bool dns_done{false};
    bool started{false};

    int64_t Now() const { return options.clock ? options.clock() : SystemNow(); }

    void Log(util::LogLevel level, const std::string& msg) const
    {
        if (options.logger) options.logger->Log(util::LogCategory::NET, level, msg);
    }

    AddedNode MakeEntry(const std::string& text) const
    {
        return AddedNode{text, net::ParseService(text, options.default_port), 0};
    }

    /// Issues a connection and tracks it until ConnMan reports the outcome.
    void Open(const net::Service& target, net::ConnectionType type, bool manual_entry)
    {
        {
            std::lock_guard lock{shared->mutex};
            if (!shared->pending.emplace(target, type).second) return;
        }
        std::weak_ptr<Shared> weak = shared;
        connman.Connect(target, type,
                        [weak, target, manual_entry,
                         this_clock = options.clock](std::optional<net::NodeId> id) {
                            auto s = weak.lock();
                            if (!s) return;
                            std::lock_guard lock{s->mutex};
                            s->pending.erase(target);
                            if (manual_entry) {
                                const int64_t now = this_clock ? this_clock() : SystemNow();
                                for (auto& e : s->added)
                                    if (e.resolved == target)
                                        e.next_try =
                                            now + (id ? RECONNECT_SECONDS : ADDNODE_RETRY_SECONDS);
                            }
                            s->poked = true;
                            s->cv.notify_all();
                        });
    }

    void Loop()
    {
        while (true) {
            {
                std::unique_lock lock{shared->mutex};
                shared->cv.wait_for(lock, std::chrono::milliseconds{500},
                                    [&] { return shared->stop || shared->poked; });
                if (shared->stop) return;
                shared->poked = false;
            }
            if (!connman.NetworkActive()) continue;
            Round();
        }
    }

    void Round()
    {
        addrman.ResolveCollisions();
        const std::vector<net::ConnectionStats> stats = connman.GetStats();
        const int64_t now = Now();
        auto connected_to = [&](const net::Service& s) {
            return std::any_of(stats.begin(), stats.end(),
                               [&](const auto& st) { return st.info.remote == s; });
        };
        auto connected_to_addr = [&](const net::NetAddr& a) {
            return std::any_of(stats.begin(), stats.end(),
                               [&](const auto& st) { return st.info.remote.addr == a; });
        };

        // -connect: only these, retried whenever they are not connected.
        if (!options.connect.empty()) {
            std::vector<net::Service> todo;
            {
                std::lock_guard lock{shared->mutex};
                for (const auto& e : shared->connect)
                    if (e.resolved && !shared->pending.count(*e.resolved) &&
                        !connected_to(*e.resolved))
                        todo.push_back(*e.resolved);
            }
            for (const auto& s : todo)
                Open(s, net::ConnectionType::MANUAL, false);
            return;
        }

        OpenAddedNodes(stats, now, connected_to);
        OpenSeedNode(connected_to_addr);
        MaybeQueryDnsSeeds();
        OpenAutomatic(stats, now, connected_to_addr);
    }

    template <class F>
    void OpenAddedNodes(const std::vector<net::ConnectionStats>& stats, int64_t now, F connected_to)
    {
        int manual = 0;
        for (const auto& st : stats)
            if (st.info.type == net::ConnectionType::MANUAL) ++manual;
        std::vector<net::Service> todo;
        {
            std::lock_guard lock{shared->mutex};
            for (const auto& [svc, type] : shared->pending)
                if (type == net::ConnectionType::MANUAL) ++manual;
            for (auto& e : shared->added) {
                if (manual >= MAX_ADDNODE_CONNECTIONS) break;
                if (!e.resolved || now < e.next_try) continue;
                if (shared->pending.count(*e.resolved) || connected_to(*e.resolved)) continue;
                todo.push_back(*e.resolved);
                e.next_try = now + ADDNODE_RETRY_SECONDS; // until the outcome says otherwise
                ++manual;
            }
        }
        for (const auto& s : todo) {
            Log(util::LogLevel::DEBUG, "Opening addnode connection to " + net::ToString(s));
            Open(s, net::ConnectionType::MANUAL, true);
        }
    }

    template <class F>
    void OpenSeedNode(F connected_to_addr)
    {
        std::string text;
        {
            std::lock_guard lock{shared->mutex};
            if (shared->seeds.empty()) return;
            text = std::move(shared->seeds.front());
            shared->seeds.pop_front();
        }
        const auto target = net::ParseService(text, options.default_port);
        if (!target) {
            Log(util::LogLevel::WARNING, "Cannot resolve -seednode address: " + text);
            return;
        }
        if (connected_to_addr(target->addr) || banman.IsBanned(target->addr) ||
            banman.IsDiscouraged(target->addr))
            return;
        Open(*target, net::ConnectionType::ADDR_FETCH, false);
    }

    void MaybeQueryDnsSeeds()
    {
        if (dns_done) return;
        dns_done = true;
        if (!options.use_dns_seeds) {
            Log(util::LogLevel::INFO, "DNS seeding disabled");
            return;
        }
        if (options.dns_seeds.empty()) {
            Log(util::LogLevel::DEBUG, "no DNS seeds for this network");
            return;
        }
        if (addrman.Size() > 0) {
            Log(util::LogLevel::INFO, "P2P peers available. Skipped DNS seeding.");
            return;
        }
        size_t found = 0;
        for (const std::string& host : options.dns_seeds) {
            addrinfo hints{};
            hints.ai_family = AF_UNSPEC;
            hints.ai_socktype = SOCK_STREAM;
            addrinfo* res = nullptr;
            if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) {
                Log(util::LogLevel::INFO, "Loading addresses from DNS seed " + host + " failed");
                continue;
            }
            std::vector<net::AddrEntry> entries;
            std::optional<net::NetAddr> source;
            for (addrinfo* ai = res; ai; ai = ai->ai_next) {
                std::optional<net::NetAddr> a;
                if (ai->ai_family == AF_INET) {
                    const auto* sin = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
                    const auto* b = reinterpret_cast<const uint8_t*>(&sin->sin_addr);
                    a = net::MakeIPv4(b[0], b[1], b[2], b[3]);
                } else if (ai->ai_family == AF_INET6) {
                    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
                    const auto* b = reinterpret_cast<const uint8_t*>(&sin6->sin6_addr);
                    a = net::NetAddr{net::Network::IPV6, std::vector<uint8_t>(b, b + 16)};
                }
                if (!a) continue;
                if (!source) source = *a;
                // Seeds list nodes seen within the last few days: Core stamps them 3 to 7 days old.
                const int64_t age = 3 * 86400 + static_cast<int64_t>(rng() % (4 * 86400));
                entries.push_back(net::ToAddrEntry(
                    net::Service{*a, options.default_port}, net::NODE_NETWORK | net::NODE_WITNESS,
                    static_cast<uint32_t>(std::max<int64_t>(0, Now() - age))));
            }
            ::freeaddrinfo(res);
            if (source) found += addrman.Add(entries, *source);
            Log(util::LogLevel::INFO, "Loading addresses from DNS seed " + host);
        }
        Log(util::LogLevel::INFO, std::to_string(found) + " addresses found from DNS seeds");
    }

    template <class F>
    void OpenAutomatic(const std::vector<net::ConnectionStats>& stats, int64_t now,
                       F connected_to_addr)
    {
        int full = 0, block = 0, automatic = 0;
        std::set<std::string> groups; // NetGroup bytes; strings dodge a gcc 12 false warning
        int privacy_peers = 0;
        auto account = [&](net::ConnectionType type, const net::Service& remote) {
            switch (type) {
            case net::ConnectionType::INBOUND:
                return;
            case net::ConnectionType::ADDR_FETCH:
            case net::ConnectionType::FEELER:
                ++automatic;
                return;
            case net::ConnectionType::OUTBOUND_FULL_RELAY:
                ++full;
                ++automatic;
                break;
            case net::ConnectionType::BLOCK_RELAY:
                ++block;
                ++automatic;
                break;
            case net::ConnectionType::MANUAL:
                break;
            }
            // Outbound slots to IPv4/IPv6 peers must come from distinct network groups.
            if (IsPrivacyNetwork(remote.addr.net))
                ++privacy_peers;
            else
                groups.insert(GroupKey(remote.addr));
        };
        for (const auto& st : stats)
            account(st.info.type, st.info.remote);
        {
            std::lock_guard lock{shared->mutex};
            for (const auto& [svc, type] : shared->pending)
                account(type, svc);
        }
        if (automatic >= options.max_outbound_total) return;

        net::ConnectionType type;
        bool feeler = false;
        if (full < options.max_full_relay) {
            type = net::ConnectionType::OUTBOUND_FULL_RELAY;
        } else if (block < options.max_block_relay) {
            type = net::ConnectionType::BLOCK_RELAY;
        } else if (options.feelers && now >= next_feeler) {
            if (next_feeler == 0) {
                next_feeler = now + NextFeelerDelay();
                return; // the first feeler waits a full interval, as in Core
            }
            next_feeler = now + NextFeelerDelay();
            type = net::ConnectionType::FEELER;
            feeler = true;
        } else {
            return;
        }
        if (addrman.Size() == 0) return;

        std::set<net::Service> added_targets;
        {
            std::lock_guard lock{shared->mutex};
            for (const auto& e : shared->added)
                if (e.resolved) added_targets.insert(*e.resolved);
        }
        // Count failures only once we are evidently online (Core's rule).
        const bool count_failures = static_cast<int>(groups.size()) + privacy_peers >=
                                    std::min(options.max_outbound_total - 1, 2);
        for (int tries = 1; tries <= MAX_SELECT_TRIES; ++tries) {
            std::optional<net::AddrInfo> pick;
            if (feeler && tries == 1) {
                // Test-before-evict: a feeler first tests the occupant of a tried-table clash.
                pick = addrman.SelectTriedCollision();
                if (pick && connected_to_addr(net::ToService(pick->entry).addr)) {
                    addrman.Good(net::ToService(pick->entry)); // evidently alive; find another
                    pick.reset();
                }
            }
            if (!pick) pick = addrman.Select(feeler);
            if (!pick) return;
            const net::Service target = net::ToService(pick->entry);
            if (!feeler && !IsPrivacyNetwork(target.addr.net) &&
                groups.count(GroupKey(target.addr)))
                continue;
            if (now - pick->last_try < 600 && tries < 30) continue;
            if (tries < 50 && !IsPrivacyNetwork(target.addr.net) && IsBadPort(target.port))
                continue;
            const uint64_t services = pick->entry.services;
            const bool full_node = services & (net::NODE_NETWORK | net::NODE_NETWORK_LIMITED);
            if (!full_node) continue;
            if (!feeler && !(services & net::NODE_WITNESS)) continue;
            if (added_targets.count(target)) continue;
            if (banman.IsBanned(target.addr) || banman.IsDiscouraged(target.addr)) continue;
            if (connected_to_addr(target.addr)) continue;
            {
                std::lock_guard lock{shared->mutex};
                if (shared->pending.count(target)) continue;
            }
            if (feeler)
                Log(util::LogLevel::DEBUG, "Making feeler connection to " + net::ToString(target));
            addrman.Attempt(target, count_failures);
            Open(target, type, false);
            return;
        }
    }

    int64_t NextFeelerDelay()
    {
        std::exponential_distribution<double> dist{1.0 / FEELER_INTERVAL_SECONDS};
        return std::max<int64_t>(1, static_cast<int64_t>(dist(rng)));
    }
};

ConnOpener::ConnOpener(net::ConnMan& connman, net::AddrMan& addrman, net::BanMan& banman,
                       ConnOpenerOptions options)
    : m_impl{std::make_unique<Impl>(connman, addrman, banman, std::move(options))}
{
    Impl& m = *m_impl;
    std::lock_guard lock{m.shared->mutex};
    for (const auto& text : m.options.connect) {
        m.shared->connect.push_back(m.MakeEntry(text));
        if (!m.shared->connect.back().resolved)
            m.Log(util::LogLevel::WARNING, "Cannot resolve -connect address: " + text);
    }
    for (const auto& text : m.options.addnode) {
        const AddedNode e = m.MakeEntry(text);
        const bool dup =
            std::any_of(m.shared->added.begin(), m.shared->added.end(), [&](const AddedNode& o) {
                return o.text == e.text || (e.resolved && o.resolved == e.resolved);
            });
        if (dup) continue;
        if (!e.resolved) m.Log(util::LogLevel::WARNING, "Cannot resolve -addnode address: " + text);
        m.shared->added.push_back(e);
    }
    for (const auto& text : m.options.seednode)
        m.shared->seeds.push_back(text);
}

ConnOpener::~ConnOpener()
{
    Stop();
}

void ConnOpener::Start()
{
    if (m_impl->started) return;
    m_impl->started = true;
    m_impl->thread = std::thread{[this] { m_impl->Loop(); }};
}

void ConnOpener::Stop()
{
    {
        std::lock_guard lock{m_impl->shared->mutex};
        m_impl->shared->stop = true;
        m_impl->shared->cv.notify_all();
    }
    if (m_impl->thread.joinable()) m_impl->thread.join();
}

AddNodeResult ConnOpener::AddNode(const std::string& node, AddNodeCommand command)
{
    Impl& m = *m_impl;
    switch (command) {
    case AddNodeCommand::ADD: {
        AddedNode e = m.MakeEntry(node);
        if (!e.resolved) return AddNodeResult::INVALID;
        {
            std::lock_guard lock{m.shared->mutex};
            for (const auto& o : m.shared->added)
                if (o.text == node || o.resolved == e.resolved) return AddNodeResult::ALREADY_ADDED;
            m.shared->added.push_back(std::move(e));
        }
        Poke();
        return AddNodeResult::OK;
    }
    case AddNodeCommand::REMOVE: {
        std::lock_guard lock{m.shared->mutex};
        auto& added = m.shared->added;
        const auto it = std::find_if(added.begin(), added.end(),
                                     [&](const AddedNode& o) { return o.text == node; });
        if (it == added.end()) return AddNodeResult::NOT_ADDED;
        added.erase(it);
        return AddNodeResult::OK;
    }
    case AddNodeCommand::ONETRY: {
        const auto target = net::ParseService(node, m.options.default_port);
        if (!target) return AddNodeResult::INVALID;
        if (m.connman.Find(*target)) return AddNodeResult::OK; // already connected: nothing to do
        m.Open(*target, net::ConnectionType::MANUAL, false);
        return AddNodeResult::OK;
    }
    }
    return AddNodeResult::INVALID;
}

std::vector<AddedNodeStatus> ConnOpener::GetAddedNodeInfo(std::optional<std::string> node) const
{
    std::vector<AddedNode> added;
    {
        std::lock_guard lock{m_impl->shared->mutex};
        added = m_impl->shared->added;
    }
    const auto stats = m_impl->connman.GetStats();
    std::vector<AddedNodeStatus> out;
    for (const auto& e : added) {
        if (node && e.text != *node) continue;
        AddedNodeStatus st;
        st.added_node = e.text;
        st.resolved = e.resolved;
        if (e.resolved) {
            for (const auto& c : stats) {
                if (c.info.remote != *e.resolved) continue;
                st.connected = true;
                st.inbound = c.info.type == net::ConnectionType::INBOUND;
                break;
            }
        }
        out.push_back(std::move(st));
    }
    return out;
}

void ConnOpener::Poke()
{
    std::lock_guard lock{m_impl->shared->mutex};
    m_impl->shared->poked = true;
    m_impl->shared->cv.notify_all();
}

} // namespace node
