// minibit-cli -netinfo against canned getpeerinfo/getnetworkinfo replies. The expected
// dashboards were laid out by hand from Bitcoin Core's -netinfo column widths.
#include <rpc/cli_netinfo.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using rpc::Json;
using rpc::cli::FormatNetinfo;
using rpc::cli::NetinfoRequest;
using rpc::cli::ParseNetinfoArgs;

constexpr int64_t NOW{1'700'000'000};
const std::string CLIENT{"minibit client v0.1.0 regtest"};

Json NetworkInfo(Json local_addresses = Json::array())
{
    Json info{{"protocolversion", 70016}, {"subversion", "/minibit:0.1.0/"}};
    info["networks"] = Json::array();
    for (const char* name : {"ipv4", "ipv6", "onion", "i2p", "cjdns"}) {
        const bool reachable = std::string{name} == "ipv4" || std::string{name} == "ipv6";
        info["networks"].push_back(Json{{"name", name}, {"reachable", reachable}});
    }
    info["localaddresses"] = std::move(local_addresses);
    return info;
}

// An inbound local peer, an outbound manual IPv4 peer and an outbound block-relay IPv6 peer.
Json Peers()
{
    Json a{{"id", 3},
           {"addr", "127.0.0.1:50000"},
           {"network", "not_publicly_routable"},
           {"inbound", true},
           {"connection_type", "inbound"},
           {"minping", 0.0155},
           {"pingtime", 0.0201},
           {"lastsend", NOW - 5},
           {"lastrecv", NOW - 6},
           {"last_transaction", 0},
           {"relaytxes", false},
           {"last_block", NOW - 125},
           {"bip152_hb_to", false},
           {"bip152_hb_from", true},
           {"addr_processed", 0},
           {"addr_relay_enabled", false},
           {"addr_rate_limited", 0},
           {"conntime", NOW - 600},
           {"version", 70016},
           {"subver", "/Satoshi:28.0.0/"},
           {"transport_protocol_type", "v1"}};
    Json b{{"id", 12},
           {"addr", "1.2.3.4:8333"},
           {"network", "ipv4"},
           {"inbound", false},
           {"connection_type", "manual"},
           {"lastsend", 0},
           {"lastrecv", 0},
           {"last_transaction", NOW - 3600},
           {"relaytxes", true},
           {"last_block", 0},
           {"bip152_hb_to", true},
           {"bip152_hb_from", false},
           {"addr_processed", 1234},
           {"addr_relay_enabled", true},
           {"addr_rate_limited", 7},
           {"conntime", NOW - 7200},
           {"version", 0},
           {"subver", ""},
           {"transport_protocol_type", "v1"}};
    Json c{{"id", 4},
           {"addr", "[2001:db8::1]:8333"},
           {"network", "ipv6"},
           {"inbound", false},
           {"connection_type", "block-relay-only"},
           {"minping", 0.1},
           {"pingtime", 0.1004},
           {"lastsend", NOW - 1},
           {"lastrecv", NOW - 1},
           {"last_transaction", 0},
           {"relaytxes", false},
           {"last_block", 0},
           {"bip152_hb_to", false},
           {"bip152_hb_from", false},
           {"addr_processed", 0},
           {"addr_relay_enabled", false},
           {"addr_rate_limited", 0},
           {"conntime", 0},
           {"version", 70016},
           {"subver", "/x/"}};
    return Json::array({a, b, c});
}

const std::string COUNTS{"         ipv4    ipv6     npr   total   block  manual\n"
                         "in          0       0       1       1\n"
                         "out         1       1       0       2       1       1\n"
                         "total       1       1       1       3"};

std::string Header()
{
    return "minibit client v0.1.0 regtest - server 70016/minibit:0.1.0/\n\n";
}

TEST(CliNetinfo, ParsesLevelsAndOutonly)
{
    auto r = ParseNetinfoArgs({});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->level, 0);
    EXPECT_FALSE(r->outonly);
    r = ParseNetinfoArgs({"3"});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->level, 3);
    r = ParseNetinfoArgs({"255", "o"});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->level, 4);
    EXPECT_TRUE(r->outonly);
    r = ParseNetinfoArgs({"1", "outonly"});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->outonly);

    r = ParseNetinfoArgs({"256"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "invalid -netinfo level argument: 256\nFor more information, "
                                 "run: minibit-cli -netinfo help");
    EXPECT_FALSE(ParseNetinfoArgs({"-1"}));
    EXPECT_FALSE(ParseNetinfoArgs({"two"}));
    r = ParseNetinfoArgs({"2", "in"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "invalid -netinfo outonly argument: in\nFor more information, "
                                 "run: minibit-cli -netinfo help");
    r = ParseNetinfoArgs({"0", "outonly"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "invalid -netinfo outonly argument: outonly\nThe outonly argument is only valid "
              "for a level greater than 0 (the first argument). For more information, run: "
              "minibit-cli -netinfo help");
}

TEST(CliNetinfo, LevelZeroIsTheCountsTable)
{
    const std::string text =
        FormatNetinfo(Peers(), NetworkInfo(), NetinfoRequest{0, false}, CLIENT, NOW);
    EXPECT_EQ(text, Header() + COUNTS + "\n\nLocal addresses: n/a\n");
}

TEST(CliNetinfo, NoPeersNoManualColumnNoNpr)
{
    const std::string text =
        FormatNetinfo(Json::array(), NetworkInfo(), NetinfoRequest{4, false}, CLIENT, NOW);
    EXPECT_EQ(text, Header() + "         ipv4    ipv6   total   block\n"
                               "in          0       0       0\n"
                               "out         0       0       0       0\n"
                               "total       0       0       0\n\nLocal addresses: n/a\n");
}

TEST(CliNetinfo, LevelFourListsPeersWithAddressAndVersion)
{
    const std::string text =
        FormatNetinfo(Peers(), NetworkInfo(), NetinfoRequest{4, false}, CLIENT, NOW);
    const std::string expected =
        Header() +
        "<->   type   net  v  mping   ping send recv  txn  blk  hb addrp addrl  age id "
        "address            version\n"
        " in          npr  1     16     20    5    6    *    2   *     .         10  3 "
        "127.0.0.1:50000    70016/Satoshi:28.0.0/\n"
        "out manual  ipv4  1                           60       .   1234     7  120 12 "
        "1.2.3.4:8333       \n"
        "out  block  ipv6  1    100    100    1    1    *              .             4 "
        "[2001:db8::1]:8333 70016/x/\n"
        "                        ms     ms  sec  sec  min  min                  min\n\n" +
        COUNTS + "\n\nLocal addresses: n/a\n";
    EXPECT_EQ(text, expected);
}

TEST(CliNetinfo, LevelOneOutonlyListsOutboundWithoutAddress)
{
    const std::string text =
        FormatNetinfo(Peers(), NetworkInfo(), NetinfoRequest{1, true}, CLIENT, NOW);
    const std::string expected =
        Header() +
        "<->   type   net  v  mping   ping send recv  txn  blk  hb addrp addrl  age id \n"
        "out manual  ipv4  1                           60       .   1234     7  120 12 \n"
        "out  block  ipv6  1    100    100    1    1    *              .             4 \n"
        "                        ms     ms  sec  sec  min  min                  min\n\n" +
        COUNTS + "\n\nLocal addresses: n/a\n";
    EXPECT_EQ(text, expected);
}

TEST(CliNetinfo, LevelThreeShowsVersionOnly)
{
    const std::string text =
        FormatNetinfo(Peers(), NetworkInfo(), NetinfoRequest{3, false}, CLIENT, NOW);
    EXPECT_NE(text.find("  age id version\n"), std::string::npos) << text;
    EXPECT_NE(text.find("   10  3 70016/Satoshi:28.0.0/\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("127.0.0.1:50000"), std::string::npos);
}

TEST(CliNetinfo, LocalAddressesAndHugePings)
{
    Json peers = Json::array({Peers()[0]});
    peers[0]["pingtime"] = 1000.0; // 1,000,000 ms: shown as "-"
    const Json info = NetworkInfo(Json::parse(
        R"([{"address":"1.2.3.4","port":8333,"score":4},{"address":"2001:db8::5","port":18444,"score":12}])"));
    const std::string text = FormatNetinfo(peers, info, NetinfoRequest{1, false}, CLIENT, NOW);
    EXPECT_NE(text.find(" in          npr  1     16      -    5"), std::string::npos) << text;
    const std::string tail = "\n\nLocal addresses\n"
                             "1.2.3.4         port   8333    score      4\n"
                             "2001:db8::5     port  18444    score     12";
    ASSERT_GE(text.size(), tail.size());
    EXPECT_EQ(text.substr(text.size() - tail.size()), tail);
}

TEST(CliNetinfo, UnknownNetworksAndBadJsonAreSkipped)
{
    Json peers = Peers();
    peers.push_back(Json{{"id", 9}, {"network", "carrier-pigeon"}, {"inbound", true}});
    peers.push_back(Json("not an object"));
    const std::string text =
        FormatNetinfo(peers, NetworkInfo(), NetinfoRequest{0, false}, CLIENT, NOW);
    EXPECT_EQ(text, Header() + COUNTS + "\n\nLocal addresses: n/a\n");
}

} // namespace
