// Address relay (addr/addrv2, BIP155 sendaddrv2, getaddr): learning addresses
// from peers into the AddrMan under a token bucket (0.1 address/s, 1,000
// burst), forwarding fresh ones to one or two other peers, answering getaddr
// once per inbound connection, advertising our own address.
//
// Thread safety: validation executor only; `sender` is called inline.
#pragma once

#include <node/peer_sender.h>

#include <net/addrman.h>
#include <net/connman.h>
#include <net/messages.h>
#include <net/netaddress.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace util {
class Logger;
}

namespace node {

/// Settings.
struct AddrRelayOptions
{
    std::function<int64_t()> clock{}; //!< unix seconds, mockable; default: system clock
    util::Logger* logger{nullptr};
    uint64_t rng_seed{0};
    /// Our own reachable address to advertise (from -externalip / discovery);
    /// empty function or nullopt: do not self-advertise.
    std::function<std::optional<net::Service>()> local_address{};
    uint64_t local_services{0};
};

/// Per-peer facts for getpeerinfo.
struct AddrRelayPeerStats
{
    bool addr_relay_enabled{false};
    uint64_t addr_processed{0};
    uint64_t addr_rate_limited{0};
};

/// The address relay engine.
class AddrRelay
{
public:
    AddrRelay(net::AddrMan& addrman, PeerSender& sender, AddrRelayOptions options);
    ~AddrRelay();

    /// A connection opened; addresses are relayed with it unless it is
    /// block-relay-only (the first addr/addrv2/getaddr it sends enables relay
    /// for inbound peers, as Core does).
    void PeerAdded(const net::ConnectionInfo& info);
    /// sendaddrv2 arrived before verack.
    void SetAddrV2(net::NodeId id);
    /// Handshake complete: outbound full-relay peers get our getaddr and self-advertisement.
    void HandshakeDone(net::NodeId id, uint64_t their_services);
    void PeerRemoved(net::NodeId id);

    /// A decoded addr or addrv2 message (at most 1,000 entries: the handler
    /// punishes larger ones before calling this).
    void OnAddr(net::NodeId id, const net::AddrMessage& message);
    /// getaddr: answered once per inbound connection, ignored from outbound.
    void OnGetAddr(net::NodeId id);

    /// Periodic work (about every 100 ms): flush queued addresses (on average
    /// every 30 s per peer), refresh the self-advertisement every 24 hours.
    void Tick();

    AddrRelayPeerStats GetStats(net::NodeId id) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace node
