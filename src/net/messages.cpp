#include <net/messages.h>

#include <consensus/serialize.h>
#include <net/decode.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace net {

using consensus::DecodeError;
using consensus::Reader;
using consensus::Writer;

namespace {

// Ports travel big-endian, unlike every other integer on the wire.
void WritePortBE(Writer& w, uint16_t port)
{
    const std::array<uint8_t, 2> b{static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port)};
    w.WriteBytes(b);
}
uint16_t ReadPortBE(Reader& r)
{
    auto b = r.ReadBytes(2);
    return static_cast<uint16_t>(b[0] << 8 | b[1]);
}

// Core reads a bool as "any non-zero byte", so we do too for peer input.
bool ReadLenientBool(Reader& r)
{
    return consensus::ReadLE<uint8_t>(r) != 0;
}

void WriteVersionAddress(Writer& w, const VersionAddress& a)
{
    w(a.services);
    w.WriteBytes(a.ip);
    WritePortBE(w, a.port);
}
VersionAddress ReadVersionAddress(Reader& r)
{
    VersionAddress a;
    r(a.services);
    auto ip = r.ReadBytes(16);
    std::copy(ip.begin(), ip.end(), a.ip.begin());
    a.port = ReadPortBE(r);
    return a;
}

constexpr std::array<uint8_t, 12> IPV4_IN_IPV6_PREFIX{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
// time(4) + services(8) + ip(16) + port(2)
constexpr size_t ADDR_V1_ENTRY_SIZE = 30;
// time(4) + services(>=1) + network(1) + length(>=1) + port(2)
constexpr size_t ADDR_V2_MIN_ENTRY_SIZE = 9;
// header(80) + tx count(>=1)
constexpr size_t HEADERS_MIN_ENTRY_SIZE = 81;
// type(4) + hash(32)
constexpr size_t INV_ENTRY_SIZE = 36;

std::array<uint8_t, 16> ToV1Address(const AddrEntry& e)
{
    std::array<uint8_t, 16> out{};
    if (e.net == Network::IPV4 && e.addr.size() == 4) {
        std::copy(IPV4_IN_IPV6_PREFIX.begin(), IPV4_IN_IPV6_PREFIX.end(), out.begin());
        std::copy(e.addr.begin(), e.addr.end(), out.begin() + 12);
    } else if ((e.net == Network::IPV6 || e.net == Network::CJDNS) && e.addr.size() == 16) {
        std::copy(e.addr.begin(), e.addr.end(), out.begin());
    }
    return out;
}

} // namespace

util::Expected<void> DecodeEmpty(std::span<const uint8_t> payload)
{
    if (!payload.empty()) return util::Unexpected("unexpected payload in empty message");
    return {};
}

std::vector<uint8_t> Encode(const VersionMessage& msg)
{
    std::vector<uint8_t> out;
    Writer w{out};
    w(msg.version, msg.services, msg.timestamp);
    WriteVersionAddress(w, msg.addr_recv);
    WriteVersionAddress(w, msg.addr_from);
    w(msg.nonce);
    consensus::WriteCompactSize(w, msg.user_agent.size());
    w.WriteBytes(
        std::span(reinterpret_cast<const uint8_t*>(msg.user_agent.data()), msg.user_agent.size()));
    w(msg.start_height, msg.relay);
    return out;
}

util::Expected<VersionMessage> DecodeVersion(std::span<const uint8_t> payload)
{
    return DecodeWhole<VersionMessage>(payload, "version", [](Reader& r, VersionMessage& m) {
        r(m.version, m.services, m.timestamp);
        m.addr_recv = ReadVersionAddress(r);
        m.addr_from = ReadVersionAddress(r);
        r(m.nonce);
        const size_t len = ReadBoundedCount(r, MAX_SUBVERSION_LENGTH, 1);
        auto ua = r.ReadBytes(len);
        m.user_agent.assign(ua.begin(), ua.end());
        r(m.start_height);
        m.relay = r.Empty() ? true : ReadLenientBool(r);
    });
}

std::vector<uint8_t> Encode(const PingMessage& msg)
{
    return consensus::Encode(msg.nonce);
}

util::Expected<PingMessage> DecodePing(std::span<const uint8_t> payload)
{
    return DecodeWhole<PingMessage>(payload, "ping", [](Reader& r, PingMessage& m) { r(m.nonce); });
}

std::vector<uint8_t> Encode(const FeeFilterMessage& msg)
{
    return consensus::Encode(msg.fee_rate);
}

util::Expected<FeeFilterMessage> DecodeFeeFilter(std::span<const uint8_t> payload)
{
    return DecodeWhole<FeeFilterMessage>(payload, "feefilter",
                                         [](Reader& r, FeeFilterMessage& m) { r(m.fee_rate); });
}

std::vector<uint8_t> Encode(const SendCmpctMessage& msg)
{
    std::vector<uint8_t> out;
    Writer w{out};
    w(msg.high_bandwidth, msg.version);
    return out;
}

util::Expected<SendCmpctMessage> DecodeSendCmpct(std::span<const uint8_t> payload)
{
    return DecodeWhole<SendCmpctMessage>(payload, "sendcmpct", [](Reader& r, SendCmpctMessage& m) {
        m.high_bandwidth = ReadLenientBool(r);
        r(m.version);
    });
}

std::vector<uint8_t> Encode(const InvMessage& msg)
{
    std::vector<uint8_t> out;
    Writer w{out};
    consensus::WriteCompactSize(w, msg.entries.size());
    for (const Inv& inv : msg.entries)
        w(inv.type, inv.hash);
    return out;
}

util::Expected<InvMessage> DecodeInv(std::span<const uint8_t> payload)
{
    return DecodeWhole<InvMessage>(payload, "inv", [](Reader& r, InvMessage& m) {
        const size_t n = ReadBoundedCount(r, MAX_INV_SZ, INV_ENTRY_SIZE);
        m.entries.resize(n);
        for (Inv& inv : m.entries)
            r(inv.type, inv.hash);
    });
}

std::vector<uint8_t> Encode(const GetHeadersMessage& msg)
{
    std::vector<uint8_t> out;
    Writer w{out};
    w(msg.version, msg.locator, msg.stop_hash);
    return out;
}

util::Expected<GetHeadersMessage> DecodeGetHeaders(std::span<const uint8_t> payload)
{
    return DecodeWhole<GetHeadersMessage>(
        payload, "getheaders", [](Reader& r, GetHeadersMessage& m) {
            r(m.version);
            const size_t n = ReadBoundedCount(r, MAX_LOCATOR_SZ, consensus::Uint256::SIZE);
            m.locator.resize(n);
            for (auto& h : m.locator)
                r(h);
            r(m.stop_hash);
        });
}

std::vector<uint8_t> Encode(const HeadersMessage& msg)
{
    std::vector<uint8_t> out;
    Writer w{out};
    consensus::WriteCompactSize(w, msg.headers.size());
    for (const auto& h : msg.headers) {
        w(h);
        consensus::WriteCompactSize(w, 0);
    }
    return out;
}

util::Expected<HeadersMessage> DecodeHeaders(std::span<const uint8_t> payload)
{
    return DecodeWhole<HeadersMessage>(payload, "headers", [](Reader& r, HeadersMessage& m) {
        const size_t n = ReadBoundedCount(r, MAX_HEADERS_RESULTS, HEADERS_MIN_ENTRY_SIZE);
        m.headers.resize(n);
        for (auto& h : m.headers) {
            r(h);
            (void)consensus::ReadCompactSize(r);
        }
    });
}

size_t AddressLength(Network net)
{
    switch (net) {
    case Network::IPV4:
        return 4;
    case Network::IPV6:
    case Network::CJDNS:
        return 16;
    case Network::TORV3:
    case Network::I2P:
        return 32;
    }
    return 0;
}

std::vector<uint8_t> EncodeAddr(const AddrMessage& msg)
{
    std::vector<uint8_t> out;
    Writer w{out};
    consensus::WriteCompactSize(w, msg.entries.size());
    for (const AddrEntry& e : msg.entries) {
        w(e.time, e.services);
        w.WriteBytes(ToV1Address(e));
        WritePortBE(w, e.port);
    }
    return out;
}

util::Expected<AddrMessage> DecodeAddr(std::span<const uint8_t> payload)
{
    return DecodeWhole<AddrMessage>(payload, "addr", [](Reader& r, AddrMessage& m) {
        const size_t n = ReadBoundedCount(r, MAX_ADDR_TO_SEND, ADDR_V1_ENTRY_SIZE);
        m.entries.resize(n);
        for (AddrEntry& e : m.entries) {
            r(e.time, e.services);
            auto ip = r.ReadBytes(16);
            if (std::equal(IPV4_IN_IPV6_PREFIX.begin(), IPV4_IN_IPV6_PREFIX.end(), ip.begin())) {
                e.net = Network::IPV4;
                e.addr.assign(ip.begin() + 12, ip.end());
            } else {
                e.net = Network::IPV6;
                e.addr.assign(ip.begin(), ip.end());
            }
            e.port = ReadPortBE(r);
        }
    });
}

std::vector<uint8_t> EncodeAddrV2(const AddrMessage& msg)
{
    std::vector<uint8_t> out;
    Writer w{out};
    consensus::WriteCompactSize(w, msg.entries.size());
    for (const AddrEntry& e : msg.entries) {
        w(e.time);
        consensus::WriteCompactSize(w, e.services);
        w(static_cast<uint8_t>(e.net), e.addr);
        WritePortBE(w, e.port);
    }
    return out;
}

util::Expected<AddrMessage> DecodeAddrV2(std::span<const uint8_t> payload)
{
    return DecodeWhole<AddrMessage>(payload, "addrv2", [](Reader& r, AddrMessage& m) {
        const size_t n = ReadBoundedCount(r, MAX_ADDR_TO_SEND, ADDR_V2_MIN_ENTRY_SIZE);
        m.entries.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            AddrEntry e;
            r(e.time);
            // Service bits are a bit field, not a length: no MAX_SIZE range check.
            e.services = consensus::ReadCompactSize(r, /*range_check=*/false);
            const uint8_t net_id = consensus::ReadLE<uint8_t>(r);
            const uint64_t len = consensus::ReadCompactSize(r, /*range_check=*/false);
            if (len > MAX_ADDRV2_SIZE) throw DecodeError("address too long");
            auto bytes = r.ReadBytes(static_cast<size_t>(len));
            e.port = ReadPortBE(r);
            const auto net = static_cast<Network>(net_id);
            const size_t want = AddressLength(net);
            if (want == 0) continue; // a network we do not know (BIP155: ignore it)
            if (len != want)
                throw DecodeError("wrong address length for network " + std::to_string(net_id));
            e.net = net;
            e.addr.assign(bytes.begin(), bytes.end());
            m.entries.push_back(std::move(e));
        }
    });
}

} // namespace net
