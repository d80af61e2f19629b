// Message payloads: known vectors, round trips, caps at and over the limit,
// truncation at every prefix and trailing bytes.
#include <net/messages.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using consensus::Uint256;

std::vector<uint8_t> FromHex(const std::string& hex)
{
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

Uint256 HashOf(uint8_t fill)
{
    Uint256 h;
    for (size_t i = 0; i < h.size(); ++i)
        h.data()[i] = static_cast<uint8_t>(fill + i);
    return h;
}

// Every strict prefix of a valid payload must fail to decode, and so must the
// payload with one extra byte; the whole payload must decode back to `expected`.
template <class T, class D>
void CheckDecoder(const std::vector<uint8_t>& bytes, const T& expected, D decode)
{
    auto whole = decode(bytes);
    ASSERT_TRUE(whole) << whole.error().message;
    EXPECT_EQ(*whole, expected);
    for (size_t len = 0; len < bytes.size(); ++len) {
        EXPECT_FALSE(decode(std::span(bytes.data(), len)))
            << "prefix of " << len << " bytes decoded";
    }
    auto longer = bytes;
    longer.push_back(0);
    auto trailing = decode(longer);
    ASSERT_FALSE(trailing);
    EXPECT_NE(trailing.error().message.find("trailing"), std::string::npos);
}

// A version payload assembled field by field from the protocol documentation.
const std::string VERSION_HEX = "80110100"         // version 70016
                                "0904000000000000" // NETWORK | WITNESS | NETWORK_LIMITED
                                "00f1536500000000" // timestamp 1700000000
                                "0000000000000000" // addr_recv services
                                "00000000000000000000ffff7f000001"
                                "480c"             // ::ffff:127.0.0.1 port 18444 (big endian)
                                "0900000000000000" // addr_from services
                                "00000000000000000000000000000000"
                                "0000"             // [::]:0
                                "0807060504030201" // nonce
                                "10"
                                "2f5361746f7368693a32372e302e302f" // "/Satoshi:27.0.0/"
                                "50f80c00"                         // start height 850000
                                "01";                              // relay

net::VersionMessage ExpectedVersion()
{
    net::VersionMessage v;
    v.version = 70016;
    v.services = net::NODE_NETWORK | net::NODE_WITNESS | net::NODE_NETWORK_LIMITED;
    v.timestamp = 1700000000;
    v.addr_recv.ip = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    v.addr_recv.port = 18444;
    v.addr_from.services = 9;
    v.nonce = 0x0102030405060708;
    v.user_agent = "/Satoshi:27.0.0/";
    v.start_height = 850000;
    v.relay = true;
    return v;
}

TEST(NetMessages, ServiceBits)
{
    EXPECT_EQ(net::NODE_NETWORK, 1u);
    EXPECT_EQ(net::NODE_WITNESS, 8u);
    EXPECT_EQ(net::NODE_NETWORK_LIMITED, 1024u);
}

TEST(NetMessages, VersionKnownVector)
{
    const auto bytes = FromHex(VERSION_HEX);
    EXPECT_EQ(net::Encode(ExpectedVersion()), bytes);
    // The only prefix allowed to decode is the one that omits the relay flag.
    auto no_relay = net::DecodeVersion(std::span(bytes.data(), bytes.size() - 1));
    ASSERT_TRUE(no_relay);
    EXPECT_TRUE(no_relay->relay);
    for (size_t len = 0; len + 1 < bytes.size(); ++len)
        EXPECT_FALSE(net::DecodeVersion(std::span(bytes.data(), len))) << len;
    auto extra = bytes;
    extra.push_back(0);
    EXPECT_FALSE(net::DecodeVersion(extra));
    auto v = net::DecodeVersion(bytes);
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, ExpectedVersion());
}

TEST(NetMessages, VersionRelayFlag)
{
    auto bytes = FromHex(VERSION_HEX);
    bytes.back() = 0;
    auto v = net::DecodeVersion(bytes);
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->relay);
    bytes.back() = 2; // any non-zero byte reads as true, as Bitcoin Core reads bools
    v = net::DecodeVersion(bytes);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->relay);
}

TEST(NetMessages, VersionUserAgentCap)
{
    auto v = ExpectedVersion();
    v.user_agent = std::string(256, 'u');
    auto at = net::DecodeVersion(net::Encode(v));
    ASSERT_TRUE(at);
    EXPECT_EQ(at->user_agent.size(), 256u);
    v.user_agent = std::string(257, 'u');
    auto over = net::DecodeVersion(net::Encode(v));
    ASSERT_FALSE(over);
    EXPECT_NE(over.error().message.find("too many"), std::string::npos);
}

TEST(NetMessages, EmptyMessages)
{
    EXPECT_TRUE(net::DecodeEmpty({}));
    const std::vector<uint8_t> one{0};
    EXPECT_FALSE(net::DecodeEmpty(one));
}

TEST(NetMessages, PingPong)
{
    CheckDecoder(FromHex("efbeadde00000000"), net::PingMessage{0xdeadbeef},
                 [](std::span<const uint8_t> p) { return net::DecodePing(p); });
    EXPECT_EQ(net::Encode(net::PingMessage{0xdeadbeef}), FromHex("efbeadde00000000"));
}

TEST(NetMessages, FeeFilter)
{
    // 1000 sat/kvB and a negative value (the handler, not the decoder, range-checks).
    CheckDecoder(FromHex("e803000000000000"), net::FeeFilterMessage{1000},
                 [](std::span<const uint8_t> p) { return net::DecodeFeeFilter(p); });
    CheckDecoder(FromHex("ffffffffffffffff"), net::FeeFilterMessage{-1},
                 [](std::span<const uint8_t> p) { return net::DecodeFeeFilter(p); });
    EXPECT_EQ(net::Encode(net::FeeFilterMessage{1000}), FromHex("e803000000000000"));
}

TEST(NetMessages, SendCmpct)
{
    const net::SendCmpctMessage m{true, 2};
    EXPECT_EQ(net::Encode(m), FromHex("010200000000000000"));
    CheckDecoder(FromHex("010200000000000000"), m,
                 [](std::span<const uint8_t> p) { return net::DecodeSendCmpct(p); });
    CheckDecoder(FromHex("000100000000000000"), net::SendCmpctMessage{false, 1},
                 [](std::span<const uint8_t> p) { return net::DecodeSendCmpct(p); });
}

std::vector<uint8_t> CompactSize(uint64_t n)
{
    if (n < 253) return {static_cast<uint8_t>(n)};
    if (n <= 0xffff) return {0xfd, static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8)};
    return {0xfe, static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8),
            static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 24)};
}

TEST(NetMessages, InvKnownBytesAndRoundTrip)
{
    net::InvMessage m;
    m.entries.push_back({net::MSG_TX, HashOf(1)});
    m.entries.push_back({net::MSG_BLOCK | net::MSG_WITNESS_FLAG, HashOf(2)});
    m.entries.push_back({net::MSG_WTX, HashOf(3)});
    const auto bytes = net::Encode(m);
    ASSERT_EQ(bytes.size(), 1 + 3 * 36u);
    EXPECT_EQ(bytes[0], 3);
    EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + 1, bytes.begin() + 5), FromHex("01000000"));
    EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + 37, bytes.begin() + 41), FromHex("02000040"));
    EXPECT_EQ(bytes[5], 1); // first hash byte as stored
    CheckDecoder(bytes, m, [](std::span<const uint8_t> p) { return net::DecodeInv(p); });
}

TEST(NetMessages, InvCap)
{
    net::InvMessage m;
    m.entries.assign(net::MAX_INV_SZ, net::Inv{net::MSG_TX, HashOf(9)});
    auto at = net::DecodeInv(net::Encode(m));
    ASSERT_TRUE(at);
    EXPECT_EQ(at->entries.size(), 50'000u);
    m.entries.push_back(m.entries.back());
    EXPECT_FALSE(net::DecodeInv(net::Encode(m)));
    // A huge count with no data behind it fails before any allocation.
    EXPECT_FALSE(net::DecodeInv(CompactSize(40'000)));
}

TEST(NetMessages, GetHeaders)
{
    net::GetHeadersMessage m;
    m.version = 70016;
    m.locator = {HashOf(10), HashOf(20)};
    m.stop_hash = HashOf(30);
    const auto bytes = net::Encode(m);
    ASSERT_EQ(bytes.size(), 4 + 1 + 3 * 32u);
    EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 5), FromHex("8011010002"));
    CheckDecoder(bytes, m, [](std::span<const uint8_t> p) { return net::DecodeGetHeaders(p); });

    m.locator.assign(net::MAX_LOCATOR_SZ, HashOf(1));
    auto at = net::DecodeGetHeaders(net::Encode(m));
    ASSERT_TRUE(at);
    EXPECT_EQ(at->locator.size(), 101u);
    m.locator.push_back(HashOf(2));
    EXPECT_FALSE(net::DecodeGetHeaders(net::Encode(m)));
}

// Bitcoin's genesis block header, as published in every protocol reference.
const std::string GENESIS_HEADER_HEX =
    "01000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a"
    "29ab5f49"
    "ffff001d"
    "1dac2b7c";

TEST(NetMessages, HeadersKnownVector)
{
    const auto bytes = FromHex("01" + GENESIS_HEADER_HEX + "00");
    auto decoded = net::DecodeHeaders(bytes);
    ASSERT_TRUE(decoded) << decoded.error().message;
    ASSERT_EQ(decoded->headers.size(), 1u);
    const auto& h = decoded->headers[0];
    EXPECT_EQ(h.GetHash().GetHex(),
              "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    EXPECT_EQ(h.version, 1);
    EXPECT_EQ(h.time, 1231006505u);
    EXPECT_EQ(h.bits, 0x1d00ffffu);
    EXPECT_EQ(h.nonce, 2083236893u);
    EXPECT_EQ(net::Encode(*decoded), bytes);
    CheckDecoder(bytes, *decoded, [](std::span<const uint8_t> p) { return net::DecodeHeaders(p); });
    // Core ignores the transaction count after each header; so do we.
    auto counted = net::DecodeHeaders(FromHex("01" + GENESIS_HEADER_HEX + "01"));
    ASSERT_TRUE(counted);
    EXPECT_EQ(counted->headers[0], h);
    EXPECT_FALSE(
        net::DecodeHeaders(FromHex("01" + GENESIS_HEADER_HEX + "fd0100"))); // non-canonical
}

TEST(NetMessages, HeadersCap)
{
    const auto genesis = net::DecodeHeaders(FromHex("01" + GENESIS_HEADER_HEX + "00"));
    ASSERT_TRUE(genesis);
    net::HeadersMessage m;
    m.headers.assign(net::MAX_HEADERS_RESULTS, genesis->headers[0]);
    auto at = net::DecodeHeaders(net::Encode(m));
    ASSERT_TRUE(at);
    EXPECT_EQ(at->headers.size(), 2000u);
    m.headers.push_back(genesis->headers[0]);
    auto over = net::DecodeHeaders(net::Encode(m));
    ASSERT_FALSE(over);
    EXPECT_NE(over.error().message.find("2001"), std::string::npos);
}

net::AddrEntry Entry(net::Network n, std::vector<uint8_t> addr, uint16_t port)
{
    net::AddrEntry e;
    e.time = 1700000000;
    e.services = net::NODE_NETWORK | net::NODE_WITNESS;
    e.net = n;
    e.addr = std::move(addr);
    e.port = port;
    return e;
}

TEST(NetMessages, AddrKnownBytes)
{
    net::AddrMessage m;
    m.entries.push_back(Entry(net::Network::IPV4, {10, 0, 0, 1}, 8333));
    const auto bytes = FromHex("01"
                               "00f15365"                         // time
                               "0900000000000000"                 // services
                               "00000000000000000000ffff0a000001" // ::ffff:10.0.0.1
                               "208d");                           // 8333 big endian
    EXPECT_EQ(net::EncodeAddr(m), bytes);
    CheckDecoder(bytes, m, [](std::span<const uint8_t> p) { return net::DecodeAddr(p); });

    net::AddrMessage v6;
    std::vector<uint8_t> ip6(16, 0);
    ip6[0] = 0x20;
    ip6[1] = 0x01;
    ip6[15] = 7;
    v6.entries.push_back(Entry(net::Network::IPV6, ip6, 18444));
    CheckDecoder(net::EncodeAddr(v6), v6,
                 [](std::span<const uint8_t> p) { return net::DecodeAddr(p); });
}

TEST(NetMessages, AddrCap)
{
    net::AddrMessage m;
    m.entries.assign(net::MAX_ADDR_TO_SEND, Entry(net::Network::IPV4, {1, 2, 3, 4}, 1));
    ASSERT_TRUE(net::DecodeAddr(net::EncodeAddr(m)));
    ASSERT_TRUE(net::DecodeAddrV2(net::EncodeAddrV2(m)));
    m.entries.push_back(m.entries.back());
    EXPECT_FALSE(net::DecodeAddr(net::EncodeAddr(m)));
    EXPECT_FALSE(net::DecodeAddrV2(net::EncodeAddrV2(m)));
}

TEST(NetMessages, AddrV2KnownBytesAllNetworks)
{
    net::AddrMessage m;
    m.entries.push_back(Entry(net::Network::IPV4, {1, 2, 3, 4}, 8333));
    m.entries.push_back(Entry(net::Network::IPV6, std::vector<uint8_t>(16, 0x20), 8333));
    m.entries.push_back(Entry(net::Network::TORV3, std::vector<uint8_t>(32, 0x33), 9050));
    m.entries.push_back(Entry(net::Network::I2P, std::vector<uint8_t>(32, 0x12), 0));
    m.entries.push_back(Entry(net::Network::CJDNS, std::vector<uint8_t>(16, 0xfc), 8333));
    const auto bytes = net::EncodeAddrV2(m);
    // First entry by hand: time, compact services, network 1, length 4, address, port.
    EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 14), FromHex("05"
                                                                               "00f15365"
                                                                               "09"
                                                                               "01"
                                                                               "04"
                                                                               "01020304"
                                                                               "208d"));
    CheckDecoder(bytes, m, [](std::span<const uint8_t> p) { return net::DecodeAddrV2(p); });
}

TEST(NetMessages, AddrV2UnknownNetworkSkippedWrongLengthRejected)
{
    // Entry on network 3 (retired Tor v2) with 10 bytes, then an IPv4 entry.
    const auto bytes = FromHex("02"
                               "00f15365"
                               "01"
                               "03"
                               "0a"
                               "00112233445566778899"
                               "0001"
                               "00f15365"
                               "01"
                               "01"
                               "04"
                               "7f000001"
                               "0002");
    auto d = net::DecodeAddrV2(bytes);
    ASSERT_TRUE(d) << d.error().message;
    ASSERT_EQ(d->entries.size(), 1u);
    EXPECT_EQ(d->entries[0].net, net::Network::IPV4);
    EXPECT_EQ(d->entries[0].addr, (std::vector<uint8_t>{127, 0, 0, 1}));
    EXPECT_EQ(d->entries[0].port, 2);
    EXPECT_EQ(d->entries[0].services, 1u);

    // IPv4 with 5 bytes, IPv6 with 4, Tor v3 with 16: all rejected.
    EXPECT_FALSE(net::DecodeAddrV2(FromHex("01"
                                           "00f15365"
                                           "01"
                                           "01"
                                           "05"
                                           "7f00000100"
                                           "0002")));
    EXPECT_FALSE(net::DecodeAddrV2(FromHex("01"
                                           "00f15365"
                                           "01"
                                           "02"
                                           "04"
                                           "7f000001"
                                           "0002")));
    EXPECT_FALSE(net::DecodeAddrV2(FromHex("01"
                                           "00f15365"
                                           "01"
                                           "04"
                                           "10"
                                           "00000000000000000000000000000000"
                                           "0002")));
    // An unknown network may not smuggle in more than 512 bytes.
    std::string big = "01"
                      "00f15365"
                      "01"
                      "63"
                      "fd0102" +
                      std::string(513 * 2, 'a') + "0002";
    EXPECT_FALSE(net::DecodeAddrV2(FromHex(big)));
}

} // namespace
