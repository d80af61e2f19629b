// Address relay, following Bitcoin Core v28's net_processing (see addrrelay.h
// and the AddrRelay section of README.md).
#include <node/addrrelay.h>

#include <consensus/hash.h>
#include <net/blockmessages.h>
#include <util/logging.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace node {
namespace {

using Micros = int64_t;
constexpr Micros SECOND{1'000'000};

/// Token bucket: 0.1 address per second, at most MAX_ADDR_TO_SEND saved up.
constexpr double MAX_ADDR_RATE_PER_SECOND{0.1};
constexpr double MAX_ADDR_PROCESSING_TOKEN_BUCKET{static_cast<double>(net::MAX_ADDR_TO_SEND)};
/// getaddr answers: at most this many addresses and percent of the table.
constexpr size_t MAX_PCT_ADDR_TO_SEND{23};
/// Average interval between addr flushes to one peer, and between self-advertisements.
constexpr Micros AVG_ADDRESS_BROADCAST_INTERVAL{30 * SECOND};
constexpr Micros AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL{24 * 60 * 60 * SECOND};
/// Relay destinations of one address stay the same for this long.
constexpr int64_t ROTATE_ADDR_RELAY_DEST_INTERVAL{24 * 60 * 60};
/// Core's deterministic randomizer id for address relay.
constexpr uint64_t RANDOMIZER_ID_ADDRESS_RELAY{0x3cac0035b5866b90ULL};
/// Penalty (seconds) on the time of gossiped addresses.
constexpr int64_t ADDR_TIME_PENALTY{2 * 60 * 60};
/// Addresses a peer is known to have, per peer (Core: rolling filter of 5,000).
constexpr size_t ADDR_KNOWN_SIZE{5'000};

/// Network address and port: what "the peer knows this address" is keyed by.
std::string AddrKey(const net::AddrEntry& entry)
{
    std::string key;
    key.reserve(entry.addr.size() + 3);
    key.push_back(static_cast<char>(entry.net));
    key.append(entry.addr.begin(), entry.addr.end());
    key.push_back(static_cast<char>(entry.port >> 8));
    key.push_back(static_cast<char>(entry.port & 0xff));
    return key;
}

/// Addresses the legacy addr message can carry.
bool IsAddrV1Compatible(const net::AddrEntry& entry)
{
    return entry.net == net::Network::IPV4 || entry.net == net::Network::IPV6;
}

/// Networks this node can connect to (no Tor, I2P or CJDNS transport), as
/// Core's default reachable set without -proxy/-onion/-i2psam/-cjdnsreachable.
bool IsReachable(const net::AddrEntry& entry)
{
    return entry.net == net::Network::IPV4 || entry.net == net::Network::IPV6;
}

/// Core's MayHaveUsefulAddressDB || HasAllDesirableServiceFlags: full or pruned nodes.
bool HasUsefulServices(uint64_t services)
{
    return (services & (net::NODE_NETWORK | net::NODE_NETWORK_LIMITED)) != 0;
}

/// A set of address keys that forgets its oldest entries.
class BoundedKeySet
{
public:
    explicit BoundedKeySet(size_t capacity) : m_capacity{capacity} {}
    void Insert(const std::string& key)
    {
        if (!m_set.insert(key).second) return;
        m_order.push_back(key);
        if (m_order.size() > m_capacity) {
            m_set.erase(m_order.front());
            m_order.pop_front();
        }
    }
    bool Contains(const std::string& key) const { return m_set.contains(key); }
    void Clear()
    {
        m_set.clear();
        m_order.clear();
    }

private:
    size_t m_capacity;
    std::unordered_set<std::string> m_set;
    std::deque<std::string> m_order;
};

struct AddrPeer
{
    net::ConnectionInfo info;
    bool addr_relay_enabled{false};
    bool wants_addrv2{false};
    bool handshake_done{false};
    bool getaddr_sent{false};
    bool getaddr_recvd{false};
    double token_bucket{1.0};
    Micros token_timestamp{0};
    uint64_t addr_processed{0};
    uint64_t addr_rate_limited{0};
    BoundedKeySet known{ADDR_KNOWN_SIZE};
    std::vector<net::AddrEntry> to_send;
    Micros next_addr_send{0};
    Micros next_local_addr_send{0};
};

} // namespace

struct AddrRelay::Impl
{
    Impl(net::AddrMan& addrman, PeerSender& sender, AddrRelayOptions options)
        : addrman{addrman}, sender{sender}, options{std::move(options)},
          rng{this->options.rng_seed ? this->options.rng_seed : std::random_device{}()},
          seed0{rng()}, seed1{rng()}
    {}

    int64_t NowSeconds() const
    {
        if (options.clock) return options.clock();
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

    Micros RandExp(Micros mean)
    {
        std::uniform_real_distribution<double> unit{0.0, 1.0};
        return static_cast<Micros>(-std::log1p(-unit(rng)) * static_cast<double>(mean) + 0.5);
    }

    void Debug(const std::string& message) const
    {
        if (options.logger) options.logger->Debug(util::LogCategory::NET, message);
    }

    AddrPeer* Find(net::NodeId id)
    {
        const auto it = peers.find(id);
        return it == peers.end() ? nullptr : &it->second;
    }

    /// Core's SetupAddressRelay: never with block-relay-only connections.
    bool SetupAddressRelay(AddrPeer& peer)
    {
        if (peer.info.type == net::ConnectionType::BLOCK_RELAY) return false;
        peer.addr_relay_enabled = true;
        return true;
    }

    /// Queues an address for the peer unless it already knows it.
    void PushAddress(AddrPeer& peer, const net::AddrEntry& entry)
    {
        if (entry.addr.size() != net::AddressLength(entry.net)) return;
        if (peer.known.Contains(AddrKey(entry))) return;
        if (!peer.wants_addrv2 && !IsAddrV1Compatible(entry)) return;
        if (peer.to_send.size() >= net::MAX_ADDR_TO_SEND) {
            std::uniform_int_distribution<size_t> pick{0, peer.to_send.size() - 1};
            peer.to_send[pick(rng)] = entry;
        } else {
            peer.to_send.push_back(entry);
        }
    }

    /// Forwards a fresh address to the same one or two peers for a day, chosen
    /// by a keyed hash so a sender cannot pick or multiply its audience.
    void RelayAddress(net::NodeId originator, const net::AddrEntry& entry, bool reachable)
    {
        const std::string key = AddrKey(entry);
        const uint64_t hash_addr =
            consensus::SipHasher{0, 0}
                .Write(std::span{reinterpret_cast<const uint8_t*>(key.data()), key.size()})
                .Finalize();
        const auto now = static_cast<uint64_t>(NowSeconds());
        const uint64_t time_addr = (now + hash_addr) / ROTATE_ADDR_RELAY_DEST_INTERVAL;
        consensus::SipHasher hasher{seed0, seed1};
        hasher.Write(RANDOMIZER_ID_ADDRESS_RELAY).Write(hash_addr).Write(time_addr);
        const unsigned relay_nodes = (reachable || (hasher.Finalize() & 1)) ? 2 : 1;

        std::array<std::pair<uint64_t, AddrPeer*>, 2> best{{{0, nullptr}, {0, nullptr}}};
        for (auto& [id, peer] : peers) {
            if (!peer.addr_relay_enabled || id == originator) continue;
            if (!peer.wants_addrv2 && !IsAddrV1Compatible(entry)) continue;
            const uint64_t hash_key =
                consensus::SipHasher{hasher}.Write(static_cast<uint64_t>(id)).Finalize();
            for (unsigned i = 0; i < relay_nodes; ++i) {
                if (hash_key > best[i].first) {
                    std::copy(best.begin() + i, best.begin() + relay_nodes - 1,
                              best.begin() + i + 1);
                    best[i] = {hash_key, &peer};
                    break;
                }
            }
        }
        for (unsigned i = 0; i < relay_nodes && best[i].first != 0; ++i)
            PushAddress(*best[i].second, entry);
    }

    void OnAddr(net::NodeId id, const net::AddrMessage& message)
    {
        AddrPeer* peer = Find(id);
        if (!peer) return;
        if (!SetupAddressRelay(*peer)) {
            Debug("ignoring addr message from " +
                  std::string{net::ConnectionTypeName(peer->info.type)} +
                  " peer=" + std::to_string(id));
            return;
        }
        const int64_t now_s = NowSeconds();
        const Micros now = now_s * SECOND;
        if (peer->token_bucket < MAX_ADDR_PROCESSING_TOKEN_BUCKET) {
            const Micros elapsed = std::max<Micros>(now - peer->token_timestamp, 0);
            const double increment = static_cast<double>(elapsed) / static_cast<double>(SECOND) *
                                     MAX_ADDR_RATE_PER_SECOND;
            peer->token_bucket =
                std::min(peer->token_bucket + increment, MAX_ADDR_PROCESSING_TOKEN_BUCKET);
        }
        peer->token_timestamp = now;

        std::vector<net::AddrEntry> entries = message.entries;
        // Random order, so which entries survive the rate limit is not the sender's choice.
        std::shuffle(entries.begin(), entries.end(), rng);
        std::vector<net::AddrEntry> to_store;
        uint64_t processed = 0;
        uint64_t rate_limited = 0;
        for (auto& entry : entries) {
            if (peer->token_bucket < 1.0) {
                ++rate_limited;
                continue;
            }
            peer->token_bucket -= 1.0;
            if (!HasUsefulServices(entry.services)) continue;
            if (entry.addr.size() != net::AddressLength(entry.net)) continue;
            // Implausible times get Core's "five days ago".
            if (entry.time <= 100'000'000 || static_cast<int64_t>(entry.time) > now_s + 10 * 60) {
                entry.time = static_cast<uint32_t>(std::max<int64_t>(now_s - 5 * 24 * 60 * 60, 0));
            }
            peer->known.Insert(AddrKey(entry));
            ++processed;
            const bool reachable = IsReachable(entry);
            const net::Service service = net::ToService(entry);
            if (static_cast<int64_t>(entry.time) > now_s - 10 * 60 && !peer->getaddr_sent &&
                entries.size() <= 10 && net::IsRoutable(service.addr)) {
                RelayAddress(id, entry, reachable);
            }
            // Only networks we can connect to are worth storing.
            if (reachable) to_store.push_back(entry);
        }
        peer->addr_processed += processed;
        peer->addr_rate_limited += rate_limited;
        Debug("Received addr: " + std::to_string(entries.size()) + " addresses (" +
              std::to_string(processed) + " processed, " + std::to_string(rate_limited) +
              " rate-limited) from peer=" + std::to_string(id));
        // The AddrMan waives the penalty for a peer announcing itself.
        if (!to_store.empty()) addrman.Add(to_store, peer->info.remote.addr, ADDR_TIME_PENALTY);
        if (entries.size() < net::MAX_ADDR_TO_SEND) peer->getaddr_sent = false;
    }

    void OnGetAddr(net::NodeId id)
    {
        AddrPeer* peer = Find(id);
        if (!peer) return;
        // Answering only inbound peers keeps a spy from reading back addresses
        // it planted in a node that only makes outbound connections.
        if (peer->info.type != net::ConnectionType::INBOUND) {
            Debug("Ignoring \"getaddr\" from " +
                  std::string{net::ConnectionTypeName(peer->info.type)} +
                  " connection. peer=" + std::to_string(id));
            return;
        }
        SetupAddressRelay(*peer);
        if (peer->getaddr_recvd) {
            Debug("Ignoring repeated \"getaddr\". peer=" + std::to_string(id));
            return;
        }
        peer->getaddr_recvd = true;
        peer->to_send.clear();
        for (const auto& entry : addrman.GetAddr(net::MAX_ADDR_TO_SEND, MAX_PCT_ADDR_TO_SEND))
            PushAddress(*peer, entry);
    }

    /// Core's MaybeSendAddr: self-advertisement, then the queued addresses on
    /// the peer's Poisson timer.
    void MaybeSendAddr(net::NodeId id, AddrPeer& peer, Micros now)
    {
        if (!peer.addr_relay_enabled || !peer.handshake_done) return;
        if (options.local_address && peer.next_local_addr_send < now) {
            // Forget what the peer knows so the refreshed self-advertisement goes out.
            if (peer.next_local_addr_send != 0) peer.known.Clear();
            if (const auto local = options.local_address(); local && net::IsRoutable(local->addr)) {
                PushAddress(peer, net::ToAddrEntry(*local, options.local_services,
                                                   static_cast<uint32_t>(now / SECOND)));
            }
            peer.next_local_addr_send = now + RandExp(AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL);
        }
        if (now <= peer.next_addr_send) return;
        peer.next_addr_send = now + RandExp(AVG_ADDRESS_BROADCAST_INTERVAL);
        std::erase_if(peer.to_send, [&](const net::AddrEntry& entry) {
            const std::string key = AddrKey(entry);
            if (peer.known.Contains(key)) return true;
            peer.known.Insert(key);
            return false;
        });
        if (peer.to_send.empty()) return;
        net::AddrMessage message{std::move(peer.to_send)};
        peer.to_send = {};
        if (peer.wants_addrv2) {
            sender.Send(id, net::msgtype::ADDRV2, net::EncodeAddrV2(message));
        } else {
            sender.Send(id, net::msgtype::ADDR, net::EncodeAddr(message));
        }
    }

    net::AddrMan& addrman;
    PeerSender& sender;
    AddrRelayOptions options;
    std::mt19937_64 rng;
    uint64_t seed0;
    uint64_t seed1;
    std::map<net::NodeId, AddrPeer> peers;
};

AddrRelay::AddrRelay(net::AddrMan& addrman, PeerSender& sender, AddrRelayOptions options)
    : m_impl{std::make_unique<Impl>(addrman, sender, std::move(options))}
{}

AddrRelay::~AddrRelay() = default;

void AddrRelay::PeerAdded(const net::ConnectionInfo& info)
{
    auto [it, inserted] = m_impl->peers.try_emplace(info.id);
    if (!inserted) return;
    AddrPeer& peer = it->second;
    peer.info = info;
    peer.token_timestamp = m_impl->NowSeconds() * SECOND;
    // Outbound peers relay addresses from the start (Core sets this up when
    // their version arrives); inbound ones once they send addr or getaddr.
    if (info.type != net::ConnectionType::INBOUND) m_impl->SetupAddressRelay(peer);
}

void AddrRelay::SetAddrV2(net::NodeId id)
{
    if (AddrPeer* peer = m_impl->Find(id)) peer->wants_addrv2 = true;
}

void AddrRelay::HandshakeDone(net::NodeId id, uint64_t their_services)
{
    (void)their_services;
    AddrPeer* peer = m_impl->Find(id);
    if (!peer || peer->handshake_done) return;
    peer->handshake_done = true;
    if (peer->info.type != net::ConnectionType::INBOUND && m_impl->SetupAddressRelay(*peer)) {
        // One address fetch per outbound connection; its answer may exceed the
        // token bucket by one full message.
        m_impl->sender.Send(id, net::msgtype::GETADDR, {});
        peer->getaddr_sent = true;
        peer->token_bucket += static_cast<double>(net::MAX_ADDR_TO_SEND);
    }
}

void AddrRelay::PeerRemoved(net::NodeId id)
{
    m_impl->peers.erase(id);
}

void AddrRelay::OnAddr(net::NodeId id, const net::AddrMessage& message)
{
    m_impl->OnAddr(id, message);
}

void AddrRelay::OnGetAddr(net::NodeId id)
{
    m_impl->OnGetAddr(id);
}

void AddrRelay::Tick()
{
    const Micros now = m_impl->NowSeconds() * SECOND;
    for (auto& [id, peer] : m_impl->peers)
        m_impl->MaybeSendAddr(id, peer, now);
}

AddrRelayPeerStats AddrRelay::GetStats(net::NodeId id) const
{
    AddrRelayPeerStats stats;
    const auto it = m_impl->peers.find(id);
    if (it != m_impl->peers.end()) {
        stats.addr_relay_enabled = it->second.addr_relay_enabled;
        stats.addr_processed = it->second.addr_processed;
        stats.addr_rate_limited = it->second.addr_rate_limited;
    }
    return stats;
}

} // namespace node
