// Address parsing and printing, reachability categories and network groups,
// checked against RFC 5952, Tor's rend-spec-v3 and Bitcoin Core's own vectors.
#include <net/netaddress.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using net::Network;

net::NetAddr Addr(const std::string& text)
{
    auto a = net::ParseNetAddr(text);
    EXPECT_TRUE(a.has_value()) << text;
    return a.value_or(net::NetAddr{});
}

TEST(NetAddress, ParsesIPv4AndPrints)
{
    const auto a = Addr("1.2.3.4");
    EXPECT_EQ(a.net, Network::IPV4);
    EXPECT_EQ(a.bytes, (std::vector<uint8_t>{1, 2, 3, 4}));
    EXPECT_EQ(net::ToString(a), "1.2.3.4");
    EXPECT_EQ(net::MakeIPv4(127, 0, 0, 1), Addr("localhost"));
    for (const char* bad :
         {"", "1.2.3", "1.2.3.256", "1.2.3.4.5", "a.b.c.d", "1.2.3.4 ", "example.com"})
        EXPECT_FALSE(net::ParseNetAddr(bad).has_value()) << bad;
}

TEST(NetAddress, IPv4MappedIsNormalised)
{
    const auto a = Addr("::ffff:10.20.30.40");
    EXPECT_EQ(a.net, Network::IPV4);
    EXPECT_EQ(a.bytes, (std::vector<uint8_t>{10, 20, 30, 40}));
    EXPECT_EQ(a, Addr("10.20.30.40"));
    const auto s = net::ParseService("[::ffff:1.2.3.4]:8333", 1);
    ASSERT_TRUE(s);
    EXPECT_EQ(net::ToString(*s), "1.2.3.4:8333");
    // A wire entry with the mapped form becomes IPv4 too.
    net::AddrEntry e;
    e.net = Network::IPV6;
    e.addr = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 9, 8, 7, 6};
    e.port = 18444;
    EXPECT_EQ(net::ToString(net::ToService(e)), "9.8.7.6:18444");
}

TEST(NetAddress, IPv6PrintsPerRfc5952)
{
    const std::vector<std::pair<std::string, std::string>> cases{
        {"2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"},
        {"2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},    // equal runs: the first is compressed
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, // a single zero group stays
        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},          // the longest run wins
        {"::", "::"},
        {"::1", "::1"},
        {"1::", "1::"},
        {"fe80::1", "fe80::1"},
        {"[2a00:1450::200e]", "2a00:1450::200e"},
    };
    for (const auto& [in, want] : cases)
        EXPECT_EQ(net::ToString(Addr(in)), want) << in;
}

TEST(NetAddress, ServiceParsing)
{
    auto s = net::ParseService("1.2.3.4:8333", 18444);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->port, 8333);
    s = net::ParseService("1.2.3.4", 18444);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->port, 18444);
    s = net::ParseService("[2001:db8::1]:8333", 1);
    ASSERT_TRUE(s);
    EXPECT_EQ(net::ToString(*s), "[2001:db8::1]:8333");
    s = net::ParseService("[::1]", 18444);
    ASSERT_TRUE(s);
    EXPECT_EQ(net::ToString(*s), "[::1]:18444");
    // Several colons without brackets: the whole text is the address (Core's SplitHostPort).
    s = net::ParseService("2001:db8::1:8333", 5);
    ASSERT_TRUE(s);
    EXPECT_EQ(net::ToString(*s), "[2001:db8::1:8333]:5");
    for (const char* bad : {"1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:", "1.2.3.4:x", "1.2.3.4:80x",
                            "[::1]:0", "[::1", "::1]", "1.2.3.4 :80", "", ":8333", "host:8333"})
        EXPECT_FALSE(net::ParseService(bad, 8333).has_value()) << bad;
}

TEST(NetAddress, SubnetParsingAndPrinting)
{
    const std::vector<std::pair<std::string, std::string>> cases{
        {"1.2.3.4", "1.2.3.4/32"},
        {"1.2.3.4/24", "1.2.3.0/24"},
        {"1.2.3.4/255.255.0.0", "1.2.0.0/16"},
        {"1.2.3.4/0", "0.0.0.0/0"},
        {"1.2.3.4/255.255.255.255", "1.2.3.4/32"},
        {"::1", "::1/128"},
        {"2001:db8:1234::1/32", "2001:db8::/32"},
        {"2001:db8::1/ffff:ffff:ffff::", "2001:db8::/48"},
        {"::ffff:1.2.3.4/24", "1.2.3.0/24"},
    };
    for (const auto& [in, want] : cases) {
        const auto sn = net::ParseSubnet(in);
        ASSERT_TRUE(sn) << in;
        EXPECT_EQ(net::ToString(*sn), want) << in;
    }
    for (const char* bad : {"1.2.3.4/33", "::1/129", "1.2.3.4/255.0.255.0", "1.2.3.4/ffff::",
                            "1.2.3.4/", "1.2.3.4/-1", "/24", "1.2.3.4/24/1", "foo/24"})
        EXPECT_FALSE(net::ParseSubnet(bad).has_value()) << bad;
}

TEST(NetAddress, SubnetMatching)
{
    const auto sn = *net::ParseSubnet("10.1.0.0/16");
    EXPECT_TRUE(net::Match(sn, Addr("10.1.200.3")));
    EXPECT_FALSE(net::Match(sn, Addr("10.2.0.1")));
    EXPECT_FALSE(net::Match(sn, Addr("::ffff:a02:1"))); // 10.2.0.1 again, mapped
    EXPECT_TRUE(net::Match(sn, Addr("::ffff:a01:1")));
    EXPECT_FALSE(net::Match(sn, Addr("2001:db8::1")));
    const auto host = *net::ParseSubnet("2001:db8::5");
    EXPECT_TRUE(net::Match(host, Addr("2001:db8::5")));
    EXPECT_FALSE(net::Match(host, Addr("2001:db8::6")));
    EXPECT_TRUE(net::Match(*net::ParseSubnet("0.0.0.0/0"), Addr("8.8.8.8")));
}

TEST(NetAddress, RoutableCategories)
{
    for (const char* unroutable : {"0.0.0.0",
                                   "255.255.255.255",
                                   "127.0.0.1",
                                   "127.255.0.9",
                                   "10.0.0.1",
                                   "172.16.0.1",
                                   "172.31.255.255",
                                   "192.168.1.1",
                                   "198.18.0.1",
                                   "198.19.255.1",
                                   "169.254.1.1",
                                   "100.64.0.1",
                                   "100.127.255.254",
                                   "192.0.2.7",
                                   "198.51.100.7",
                                   "203.0.113.7",
                                   "::",
                                   "::1",
                                   "2001:db8::1",
                                   "fe80::1",
                                   "fc00::1",
                                   "fd12:3456::1",
                                   "2001:10::1",
                                   "2001:1f::1",
                                   "2001:20::1",
                                   "2001:2f::1"})
        EXPECT_FALSE(net::IsRoutable(Addr(unroutable))) << unroutable;
    for (const char* routable :
         {"8.8.8.8", "1.2.3.4", "172.32.0.1", "172.15.0.1", "100.128.0.1", "198.20.0.1",
          "2a00:1450::1", "2001:30::1", "2001:470::1", "fe81::1", "250.1.1.1"})
        EXPECT_TRUE(net::IsRoutable(Addr(routable))) << routable;
    EXPECT_TRUE(net::IsLocal(Addr("127.0.0.1")));
    EXPECT_TRUE(net::IsLocal(Addr("::1")));
    EXPECT_FALSE(net::IsLocal(Addr("10.0.0.1")));
}

TEST(NetAddress, NetGroupMatchesCore)
{
    // Bitcoin Core's netbase_getgroup vectors (NET_IPV4 = 1, NET_IPV6 = 2 there).
    using V = std::vector<uint8_t>;
    EXPECT_EQ(net::NetGroup(Addr("127.0.0.1")), V({0}));
    EXPECT_EQ(net::NetGroup(Addr("127.0.0.2")), V({0}));
    EXPECT_EQ(net::NetGroup(Addr("10.0.0.1")), V({0}));
    EXPECT_EQ(net::NetGroup(Addr("169.254.1.1")), V({0}));
    EXPECT_EQ(net::NetGroup(Addr("1.2.3.4")), V({1, 1, 2}));
    EXPECT_EQ(net::NetGroup(Addr("::FFFF:0:102:304")), V({1, 1, 2}));
    EXPECT_EQ(net::NetGroup(Addr("64:FF9B::102:304")), V({1, 1, 2}));
    EXPECT_EQ(net::NetGroup(Addr("2002:102:304:9999:9999:9999:9999:9999")), V({1, 1, 2}));
    EXPECT_EQ(net::NetGroup(Addr("2001:0:9999:9999:9999:9999:FEFD:FCFB")), V({1, 1, 2}));
    EXPECT_EQ(net::NetGroup(Addr("2001:470:abcd:9999:9999:9999:9999:9999")),
              V({2, 32, 1, 4, 112, 175}));
    EXPECT_EQ(net::NetGroup(Addr("2001:2001:9999:9999:9999:9999:9999:9999")), V({2, 32, 1, 32, 1}));
    EXPECT_NE(net::NetGroup(Addr("1.2.3.4")), net::NetGroup(Addr("1.3.3.4")));
}

// Tor's rend-spec-v3 address (also in Bitcoin Core's net tests); its checksum
// bytes 0x21 0x47 and version 3 were checked independently with Python's SHA3.
constexpr const char* TORV3 = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";

TEST(NetAddress, TorV3RoundTrip)
{
    const auto a = Addr(TORV3);
    EXPECT_EQ(a.net, Network::TORV3);
    ASSERT_EQ(a.bytes.size(), 32u);
    EXPECT_EQ(a.bytes[0], 0x79); // 'p','g' -> 01111 00110 -> 0x79...
    EXPECT_EQ(net::ToString(a), TORV3);
    EXPECT_EQ(a, Addr("PG6MMJIYJMCRSSLVYKFWNNTLARU7P5SVN6Y2YMMJU6NUBXNDF4PSCRYD.onion"));
    const auto s = net::ParseService(std::string{TORV3} + ":8333", 1);
    ASSERT_TRUE(s);
    EXPECT_EQ(net::ToString(*s), std::string{TORV3} + ":8333");
    EXPECT_TRUE(net::IsRoutable(a));
    EXPECT_EQ(net::NetGroup(a), (std::vector<uint8_t>{3, 0x7f}));
    const auto sn = net::ParseSubnet(TORV3);
    ASSERT_TRUE(sn);
    EXPECT_EQ(net::ToString(*sn), TORV3);
    EXPECT_TRUE(net::Match(*sn, a));
    EXPECT_FALSE(net::ParseSubnet(std::string{TORV3} + "/8").has_value());
}

TEST(NetAddress, TorV3RejectsBadChecksumVersionAndLength)
{
    std::string bad_sum{TORV3};
    bad_sum[53] = 'q'; // inside the checksum
    EXPECT_FALSE(net::ParseNetAddr(bad_sum));
    std::string bad_key{TORV3};
    bad_key[0] = 'q'; // key changed, checksum no longer matches
    EXPECT_FALSE(net::ParseNetAddr(bad_key));
    std::string bad_version{TORV3};
    bad_version[55] = 'a'; // low bits of the version byte
    EXPECT_FALSE(net::ParseNetAddr(bad_version));
    EXPECT_FALSE(net::ParseNetAddr(std::string{TORV3}.substr(1)));
    EXPECT_FALSE(net::ParseNetAddr("aaaaaaaaaaaaaaaa.onion")); // Tor v2: retired
    std::string bad_char{TORV3};
    bad_char[10] = '1';
    EXPECT_FALSE(net::ParseNetAddr(bad_char));
}

TEST(NetAddress, NetworkNames)
{
    EXPECT_EQ(net::NetworkName(Network::IPV4), "ipv4");
    EXPECT_EQ(net::NetworkName(Network::IPV6), "ipv6");
    EXPECT_EQ(net::NetworkName(Network::TORV3), "onion");
    EXPECT_EQ(net::NetworkName(Network::I2P), "i2p");
    EXPECT_EQ(net::NetworkName(Network::CJDNS), "cjdns");
    EXPECT_EQ(net::ParseNetworkName("onion"), Network::TORV3);
    EXPECT_EQ(net::ParseNetworkName("IPv6"), Network::IPV6);
    EXPECT_FALSE(net::ParseNetworkName("tor"));
}

TEST(NetAddress, AddrEntryConversion)
{
    const auto s = *net::ParseService("[2001:db8::2]:18444", 1);
    const auto e = net::ToAddrEntry(s, 9, 1234);
    EXPECT_EQ(e.net, Network::IPV6);
    EXPECT_EQ(e.port, 18444);
    EXPECT_EQ(e.services, 9u);
    EXPECT_EQ(e.time, 1234u);
    EXPECT_EQ(net::ToService(e), s);
}

} // namespace
