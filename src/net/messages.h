// Payloads of the P2P messages, each with Encode and a Decode that checks every
// count against the bytes left and the protocol caps before allocating and
// rejects trailing bytes. Decoders never throw and never trust a peer.
#pragma once

#include <consensus/block.h>
#include <consensus/uint256.h>
#include <util/expected.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace net {

/// Command names, as they appear in the frame header.
namespace msgtype {
inline constexpr std::string_view VERSION{"version"};
inline constexpr std::string_view VERACK{"verack"};
inline constexpr std::string_view PING{"ping"};
inline constexpr std::string_view PONG{"pong"};
inline constexpr std::string_view SENDHEADERS{"sendheaders"};
inline constexpr std::string_view WTXIDRELAY{"wtxidrelay"};
inline constexpr std::string_view SENDADDRV2{"sendaddrv2"};
inline constexpr std::string_view FEEFILTER{"feefilter"};
inline constexpr std::string_view SENDCMPCT{"sendcmpct"};
inline constexpr std::string_view INV{"inv"};
inline constexpr std::string_view GETDATA{"getdata"};
inline constexpr std::string_view NOTFOUND{"notfound"};
inline constexpr std::string_view GETHEADERS{"getheaders"};
inline constexpr std::string_view GETBLOCKS{"getblocks"};
inline constexpr std::string_view HEADERS{"headers"};
inline constexpr std::string_view ADDR{"addr"};
inline constexpr std::string_view ADDRV2{"addrv2"};
} // namespace msgtype

/// Service bits a node advertises.
enum ServiceFlags : uint64_t
{
    NODE_NONE = 0,
    NODE_NETWORK = 1 << 0,
    NODE_WITNESS = 1 << 3,
    NODE_NETWORK_LIMITED = 1 << 10,
};

/// Longest user agent accepted in a version message.
inline constexpr size_t MAX_SUBVERSION_LENGTH = 256;
/// Most entries in one inv, getdata or notfound.
inline constexpr size_t MAX_INV_SZ = 50'000;
/// Most hashes in a block locator.
inline constexpr size_t MAX_LOCATOR_SZ = 101;
/// Most headers in one headers message.
inline constexpr size_t MAX_HEADERS_RESULTS = 2'000;
/// Most addresses in one addr or addrv2 message.
inline constexpr size_t MAX_ADDR_TO_SEND = 1'000;
/// Longest address payload accepted in addrv2 (BIP155).
inline constexpr size_t MAX_ADDRV2_SIZE = 512;

/// A message whose payload is empty (verack, sendheaders, wtxidrelay, sendaddrv2).
util::Expected<void> DecodeEmpty(std::span<const uint8_t> payload);

/// The 26-byte address form inside a version message (no timestamp).
struct VersionAddress
{
    uint64_t services{0};
    /// IPv6 or IPv4-mapped IPv6 address, network byte order.
    std::array<uint8_t, 16> ip{};
    uint16_t port{0};
    friend bool operator==(const VersionAddress&, const VersionAddress&) = default;
};

/// The version message that opens every connection.
struct VersionMessage
{
    int32_t version{0};
    uint64_t services{0};
    int64_t timestamp{0};
    VersionAddress addr_recv{};
    VersionAddress addr_from{};
    uint64_t nonce{0};
    std::string user_agent;
    int32_t start_height{0};
    /// BIP37 relay flag; a peer that omits it means true.
    bool relay{true};
    friend bool operator==(const VersionMessage&, const VersionMessage&) = default;
};
/// Serialises a version payload, always including the relay flag.
std::vector<uint8_t> Encode(const VersionMessage& msg);
/// Parses a version payload; every field through start_height is required.
util::Expected<VersionMessage> DecodeVersion(std::span<const uint8_t> payload);

/// Nonce of a ping or pong.
struct PingMessage
{
    uint64_t nonce{0};
    friend bool operator==(const PingMessage&, const PingMessage&) = default;
};
/// Serialises a ping or pong payload.
std::vector<uint8_t> Encode(const PingMessage& msg);
/// Parses a ping or pong payload.
util::Expected<PingMessage> DecodePing(std::span<const uint8_t> payload);

/// BIP133: the lowest fee rate (sat/kvB) the peer wants announced.
struct FeeFilterMessage
{
    int64_t fee_rate{0};
    friend bool operator==(const FeeFilterMessage&, const FeeFilterMessage&) = default;
};
/// Serialises a feefilter payload.
std::vector<uint8_t> Encode(const FeeFilterMessage& msg);
/// Parses a feefilter payload; range checks belong to the message handler.
util::Expected<FeeFilterMessage> DecodeFeeFilter(std::span<const uint8_t> payload);

/// BIP152: compact-block announcement preference.
struct SendCmpctMessage
{
    bool high_bandwidth{false};
    uint64_t version{0};
    friend bool operator==(const SendCmpctMessage&, const SendCmpctMessage&) = default;
};
/// Serialises a sendcmpct payload.
std::vector<uint8_t> Encode(const SendCmpctMessage& msg);
/// Parses a sendcmpct payload (any non-zero flag byte reads as true, as in Core).
util::Expected<SendCmpctMessage> DecodeSendCmpct(std::span<const uint8_t> payload);

/// Inventory types; unknown values are kept so handlers can ignore them.
enum InvType : uint32_t
{
    MSG_TX = 1,
    MSG_BLOCK = 2,
    MSG_FILTERED_BLOCK = 3,
    MSG_CMPCT_BLOCK = 4,
    MSG_WTX = 5,
};
/// Flag or-ed into an inv type to ask for witness serialisation.
inline constexpr uint32_t MSG_WITNESS_FLAG = 1u << 30;

/// One inventory entry: what kind of object and its hash.
struct Inv
{
    uint32_t type{0};
    consensus::Uint256 hash{};
    friend bool operator==(const Inv&, const Inv&) = default;
};
/// Payload of inv, getdata and notfound.
struct InvMessage
{
    std::vector<Inv> entries;
    friend bool operator==(const InvMessage&, const InvMessage&) = default;
};
/// Serialises an inv/getdata/notfound payload.
std::vector<uint8_t> Encode(const InvMessage& msg);
/// Parses an inv/getdata/notfound payload of at most MAX_INV_SZ entries.
util::Expected<InvMessage> DecodeInv(std::span<const uint8_t> payload);

/// Payload of getheaders and getblocks.
struct GetHeadersMessage
{
    uint32_t version{0};
    std::vector<consensus::Uint256> locator;
    consensus::Uint256 stop_hash{};
    friend bool operator==(const GetHeadersMessage&, const GetHeadersMessage&) = default;
};
/// Serialises a getheaders/getblocks payload.
std::vector<uint8_t> Encode(const GetHeadersMessage& msg);
/// Parses a getheaders/getblocks payload with at most MAX_LOCATOR_SZ hashes.
util::Expected<GetHeadersMessage> DecodeGetHeaders(std::span<const uint8_t> payload);

/// Payload of headers.
struct HeadersMessage
{
    std::vector<consensus::BlockHeader> headers;
    friend bool operator==(const HeadersMessage&, const HeadersMessage&) = default;
};
/// Serialises a headers payload, each header followed by a zero transaction count.
std::vector<uint8_t> Encode(const HeadersMessage& msg);
/// Parses a headers payload of at most MAX_HEADERS_RESULTS headers. The
/// per-header transaction count is read and ignored, as Core does.
util::Expected<HeadersMessage> DecodeHeaders(std::span<const uint8_t> payload);

/// BIP155 network identifiers.
enum class Network : uint8_t
{
    IPV4 = 1,
    IPV6 = 2,
    TORV3 = 4,
    I2P = 5,
    CJDNS = 6,
};
/// Address length BIP155 prescribes for a network.
size_t AddressLength(Network net);

/// One gossiped address with its last-seen time and services.
struct AddrEntry
{
    uint32_t time{0};
    uint64_t services{0};
    Network net{Network::IPV4};
    /// AddressLength(net) bytes in network byte order.
    std::vector<uint8_t> addr;
    uint16_t port{0};
    friend bool operator==(const AddrEntry&, const AddrEntry&) = default;
};
/// Payload of addr and addrv2.
struct AddrMessage
{
    std::vector<AddrEntry> entries;
    friend bool operator==(const AddrMessage&, const AddrMessage&) = default;
};
/// Serialises a legacy addr payload. Addresses that need addrv2 (Tor v3, I2P)
/// are written as the unroutable [::], as Core does.
std::vector<uint8_t> EncodeAddr(const AddrMessage& msg);
/// Parses a legacy addr payload (at most MAX_ADDR_TO_SEND entries); IPv4-mapped
/// addresses come back as IPV4, others as IPV6.
util::Expected<AddrMessage> DecodeAddr(std::span<const uint8_t> payload);
/// Serialises an addrv2 payload (BIP155).
std::vector<uint8_t> EncodeAddrV2(const AddrMessage& msg);
/// Parses an addrv2 payload: entries on unknown networks are skipped, known
/// networks with the wrong address length are an error.
util::Expected<AddrMessage> DecodeAddrV2(std::span<const uint8_t> payload);

} // namespace net
