// Network addresses as the P2P layer, the address manager and the ban list
// see them: an address on one of BIP155's networks, with a port (Service) or
// a prefix length (Subnet); text forms as Bitcoin Core prints and parses them;
// the network group that bucketing and outbound diversity key on.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <net/messages.h>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net {

/// An address without a port. IPv4-mapped IPv6 (::ffff:a.b.c.d) is always
/// normalised to IPV4 by every constructor below.
struct NetAddr
{
    Network net{Network::IPV4};
    std::vector<uint8_t> bytes; //!< AddressLength(net) bytes, network byte order
    friend auto operator<=>(const NetAddr&, const NetAddr&) = default;
};

/// An address and a port.
struct Service
{
    NetAddr addr;
    uint16_t port{0};
    friend auto operator<=>(const Service&, const Service&) = default;
};

/// A range of addresses: `addr` with the host bits cleared, and a prefix length
/// in bits (32/128 for a single IPv4/IPv6 host).
struct Subnet
{
    NetAddr addr;
    uint8_t prefix_len{0};
    friend auto operator<=>(const Subnet&, const Subnet&) = default;
};

/// 127.0.0.1 and friends, for tests and defaults.
NetAddr MakeIPv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);

/// Parses "1.2.3.4" or "::1" / "[::1]" (numeric only: no DNS). "localhost" is
/// 127.0.0.1. Tor v3 "<56 base32>.onion" is accepted; I2P/CJDNS need not be.
std::optional<NetAddr> ParseNetAddr(std::string_view text);
/// Parses "host", "host:port", "[v6]" or "[v6]:port"; a missing port is `default_port`.
/// A port of 0 or above 65535, or trailing junk, fails.
std::optional<Service> ParseService(std::string_view text, uint16_t default_port);
/// Parses "addr", "addr/len" or "addr/netmask" (as setban accepts). A bare
/// address is a single host.
std::optional<Subnet> ParseSubnet(std::string_view text);

/// "1.2.3.4", "2001:db8::1" (RFC 5952 compressed), "<base32>.onion".
std::string ToString(const NetAddr& addr);
/// "1.2.3.4:8333", "[2001:db8::1]:8333".
std::string ToString(const Service& service);
/// "1.2.3.0/24", "1.2.3.4/32", "2001:db8::/32" (Bitcoin Core's format).
std::string ToString(const Subnet& subnet);
/// Bitcoin Core's network names: "ipv4", "ipv6", "onion", "i2p", "cjdns".
std::string_view NetworkName(Network net);
/// Inverse of NetworkName (lower case), for getnodeaddresses' filter.
std::optional<Network> ParseNetworkName(std::string_view name);

/// True if `addr` falls in `subnet`.
bool Match(const Subnet& subnet, const NetAddr& addr);
/// Loopback (127/8, ::1).
bool IsLocal(const NetAddr& addr);
/// Publicly reachable: not unspecified, private (RFC1918, RFC4193), loopback,
/// link-local, documentation or other reserved ranges that Core treats as not routable.
bool IsRoutable(const NetAddr& addr);
/// Bucketing key: network id plus /16 for IPv4, /32 for IPv6, the whole key for
/// Tor/I2P/CJDNS-style networks (coarsened as Core does); every local or
/// unroutable address shares the one group {0}, as in Core.
std::vector<uint8_t> NetGroup(const NetAddr& addr);

/// Between wire entries and Services.
Service ToService(const AddrEntry& entry);
AddrEntry ToAddrEntry(const Service& service, uint64_t services, uint32_t time);

} // namespace net
