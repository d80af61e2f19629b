// AddrMan: Bitcoin Core's bucketing (its own vectors), table behaviour, and
// peers.dat in Core's on-disk layout.
#include <net/addrman.h>
#include <net/addrman_impl.h>

#include <consensus/hash.h>

#include <tests/testutil/test_dir.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

namespace {

using net::AddrEntry;
using net::AddrMan;
using net::AddrManOptions;

constexpr int64_t NOW = 1'700'000'000;
constexpr int64_t ADDRMAN_REPLACEMENT_FOR_TEST = 4 * 3600 + 1; // Core's ADDRMAN_REPLACEMENT, passed
const net::Magic MAINNET{0xf9, 0xbe, 0xb4, 0xd9};
const net::Magic REGTEST{0xfa, 0xbf, 0xb5, 0xda};

net::Service Svc(const std::string& text, uint16_t port = 8333)
{
    return *net::ParseService(text, port);
}
net::NetAddr Ip(const std::string& text)
{
    return *net::ParseNetAddr(text);
}

AddrEntry Entry(const std::string& text, uint16_t port = 8333, uint32_t time = NOW - 100)
{
    return net::ToAddrEntry(Svc(text, port), net::NODE_NETWORK | net::NODE_WITNESS, time);
}

AddrManOptions Opts(int64_t* clock, uint64_t seed = 7)
{
    AddrManOptions o;
    o.key = std::array<uint8_t, 32>{};
    (*o.key)[0] = 1; // Core's DETERMINISTIC key: uint256{1}
    o.clock = [clock] { return *clock; };
    o.rng_seed = seed;
    return o;
}

// Core's key in its bucket tests: (HashWriter{} << 1).GetHash(), SHA-256d of int32 1.
std::array<uint8_t, 32> CoreTestKey(int32_t n)
{
    const std::vector<uint8_t> ser{static_cast<uint8_t>(n), 0, 0, 0};
    const auto h = consensus::Hash256(ser);
    std::array<uint8_t, 32> k{};
    std::copy(h.begin(), h.end(), k.begin());
    return k;
}

TEST(AddrMan, BucketsMatchCoreVectors)
{
    const auto k1 = CoreTestKey(1);
    const auto k2 = CoreTestKey(2);
    // Core's caddrinfo_get_tried_bucket_legacy and caddrinfo_get_new_bucket_legacy.
    EXPECT_EQ(net::TriedBucket(k1, Svc("250.1.1.1", 8333)), 40);
    EXPECT_EQ(net::NewBucket(k1, Svc("250.1.2.1", 8333), Ip("250.1.2.1")), 786);
    EXPECT_NE(net::TriedBucket(k2, Svc("250.1.1.1", 8333)), 40);
    EXPECT_NE(net::NewBucket(k2, Svc("250.1.2.1", 8333), Ip("250.1.2.1")), 786);
    // Ports matter for tried placement but not for new placement.
    EXPECT_NE(net::TriedBucket(k1, Svc("250.1.1.1", 8333)),
              net::TriedBucket(k1, Svc("250.1.1.1", 9999)));
    EXPECT_EQ(net::NewBucket(k1, Svc("250.1.2.1", 8333), Ip("250.1.2.1")),
              net::NewBucket(k1, Svc("250.1.2.1", 9999), Ip("250.1.2.1")));
    // One /16 never spreads over more than 8 tried buckets; one source group over 64 new buckets.
    std::set<int> tried, fresh, spread, pos;
    for (int i = 0; i < 255; ++i) {
        tried.insert(net::TriedBucket(k1, Svc("250.1.1." + std::to_string(i))));
        fresh.insert(
            net::NewBucket(k1, Svc(std::to_string(250 + i / 64) + "." + std::to_string(i) + ".1.1"),
                           Ip("251.4.1.1")));
        spread.insert(
            net::NewBucket(k1, Svc("250.1.1.1"), Ip("250." + std::to_string(i) + ".1.1")));
        pos.insert(net::BucketPosition(k1, true, 0, Svc("250.1.1." + std::to_string(i))));
    }
    EXPECT_LE(tried.size(), 8u);
    EXPECT_LE(fresh.size(), 64u);
    EXPECT_GT(spread.size(), 64u);
    EXPECT_GT(pos.size(), 32u);
    EXPECT_LE(*pos.rbegin(), 63);
}

TEST(AddrMan, AddFindAndRejectUnroutable)
{
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    const std::vector<AddrEntry> batch{Entry("1.2.3.4"), Entry("10.0.0.1"), Entry("127.0.0.1"),
                                       Entry("2001:db8::1"), Entry("2a00:1450::1", 18444)};
    EXPECT_EQ(am.Add(batch, Ip("5.6.7.8")), 2u);
    EXPECT_EQ(am.Size(), 2u);
    EXPECT_EQ(am.Size(net::Network::IPV6), 1u);
    EXPECT_EQ(am.Size(std::nullopt, true), 2u);
    EXPECT_EQ(am.Size(std::nullopt, false), 0u);
    const auto info = am.Find(Svc("1.2.3.4"));
    ASSERT_TRUE(info);
    EXPECT_EQ(info->source, Ip("5.6.7.8"));
    EXPECT_FALSE(info->in_tried);
    EXPECT_FALSE(am.Find(Svc("1.2.3.4", 8334)));
    EXPECT_FALSE(am.Find(Svc("10.0.0.1")));
    // The same address again adds nothing new.
    EXPECT_EQ(am.Add(std::vector<AddrEntry>{Entry("1.2.3.4")}, Ip("5.6.7.8")), 0u);
    EXPECT_EQ(am.Size(), 2u);
}

TEST(AddrMan, TimePenaltyExceptSelfAnnouncement)
{
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    am.Add(std::vector<AddrEntry>{Entry("1.2.3.4", 8333, NOW - 100)}, Ip("5.6.7.8"), 2 * 3600);
    EXPECT_EQ(am.Find(Svc("1.2.3.4"))->entry.time, NOW - 100 - 2 * 3600);
    am.Add(std::vector<AddrEntry>{Entry("5.6.7.8", 8333, NOW - 100)}, Ip("5.6.7.8"), 2 * 3600);
    EXPECT_EQ(am.Find(Svc("5.6.7.8"))->entry.time, NOW - 100);
}

TEST(AddrMan, GoodMovesToTried)
{
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    am.Add(std::vector<AddrEntry>{Entry("1.2.3.4"), Entry("2.3.4.5")}, Ip("5.6.7.8"));
    am.Attempt(Svc("1.2.3.4"), true);
    EXPECT_EQ(am.Find(Svc("1.2.3.4"))->attempts, 1);
    now += 100;
    am.Good(Svc("1.2.3.4"));
    const auto info = am.Find(Svc("1.2.3.4"));
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->in_tried);
    EXPECT_EQ(info->attempts, 0);
    EXPECT_EQ(info->last_success, now);
    EXPECT_EQ(am.Size(std::nullopt, false), 1u);
    EXPECT_EQ(am.Size(std::nullopt, true), 1u);
    am.Good(Svc("9.9.9.9")); // unknown: nothing happens
    EXPECT_EQ(am.Size(), 2u);
}

TEST(AddrMan, AttemptConnectedAndSetServices)
{
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    am.Add(std::vector<AddrEntry>{Entry("1.2.3.4", 8333, NOW - 3600)}, Ip("5.6.7.8"));
    am.Attempt(Svc("1.2.3.4"), false); // not counted
    auto info = am.Find(Svc("1.2.3.4"));
    EXPECT_EQ(info->attempts, 0);
    EXPECT_EQ(info->last_try, NOW);
    am.Attempt(Svc("1.2.3.4"), true);
    am.Attempt(Svc("1.2.3.4"), true); // no success anywhere since the last counted one
    EXPECT_EQ(am.Find(Svc("1.2.3.4"))->attempts, 1);
    // Connected refreshes the timestamp only when it is over 20 minutes old.
    now = NOW - 3600 + 10 * 60;
    am.Connected(Svc("1.2.3.4"));
    EXPECT_EQ(am.Find(Svc("1.2.3.4"))->entry.time, NOW - 3600);
    now = NOW;
    am.Connected(Svc("1.2.3.4"));
    EXPECT_EQ(am.Find(Svc("1.2.3.4"))->entry.time, NOW);
    am.SetServices(Svc("1.2.3.4"), net::NODE_NETWORK_LIMITED);
    EXPECT_EQ(am.Find(Svc("1.2.3.4"))->entry.services, uint64_t{net::NODE_NETWORK_LIMITED});
    // Services learned from gossip are added to what we know.
    am.Add(std::vector<AddrEntry>{net::ToAddrEntry(Svc("1.2.3.4"), net::NODE_WITNESS, NOW)},
           Ip("5.6.7.8"));
    EXPECT_EQ(am.Find(Svc("1.2.3.4"))->entry.services,
              uint64_t{net::NODE_NETWORK_LIMITED | net::NODE_WITNESS});
}

// Core's DETERMINISTIC setup (key uint256{1}): 250.1.1.1..35 (port 0, source
// 252.2.2.2) all fit in tried, and 250.1.1.36 collides with 250.1.1.19.
void FillTriedLikeCore(AddrMan& am)
{
    for (int i = 1; i < 36; ++i) {
        const std::string a = "250.1.1." + std::to_string(i);
        ASSERT_EQ(am.Add(std::vector<AddrEntry>{Entry(a, 0)}, Ip("252.2.2.2")), 1u);
        am.Good(Svc(a, 0));
        ASSERT_TRUE(am.Find(Svc(a, 0))->in_tried) << a;
        ASSERT_FALSE(am.SelectTriedCollision());
    }
    ASSERT_EQ(am.Size(std::nullopt, false), 35u);
    ASSERT_EQ(am.Add(std::vector<AddrEntry>{Entry("250.1.1.36", 0)}, Ip("252.2.2.2")), 1u);
}

TEST(AddrMan, TriedCollisionKeepsAWorkingOccupant)
{
    // Core's addrman_noevict.
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    FillTriedLikeCore(am);
    am.Good(Svc("250.1.1.36", 0));
    EXPECT_FALSE(am.Find(Svc("250.1.1.36", 0))->in_tried);
    const auto occupant = am.SelectTriedCollision();
    ASSERT_TRUE(occupant);
    EXPECT_EQ(net::ToString(net::ToService(occupant->entry)), "250.1.1.19:0");
    // 19 succeeded moments ago: it stays, 36 stays in new, the clash is forgotten.
    am.ResolveCollisions();
    EXPECT_FALSE(am.SelectTriedCollision());
    EXPECT_TRUE(am.Find(Svc("250.1.1.19", 0))->in_tried);
    EXPECT_FALSE(am.Find(Svc("250.1.1.36", 0))->in_tried);
    EXPECT_EQ(am.Size(), 36u);
}

TEST(AddrMan, TriedCollisionEvictsAFailedOccupant)
{
    // Core's addrman_evictionworks.
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    FillTriedLikeCore(am);
    am.Good(Svc("250.1.1.36", 0));
    ASSERT_TRUE(am.SelectTriedCollision());
    // 19's last success long ago, and a test connection a minute ago that did not succeed.
    now = 1;
    am.Good(Svc("250.1.1.19", 0));
    now = NOW - 61;
    am.Attempt(Svc("250.1.1.19", 0), false);
    now = NOW;
    // The test had over a minute and 19 did not answer: 36 takes its place.
    am.ResolveCollisions();
    EXPECT_FALSE(am.SelectTriedCollision());
    EXPECT_TRUE(am.Find(Svc("250.1.1.36", 0))->in_tried);
    EXPECT_FALSE(am.Find(Svc("250.1.1.19", 0))->in_tried);
    EXPECT_EQ(am.Size(), 36u);
    EXPECT_EQ(am.Size(std::nullopt, false), 35u);
    // 36 is already tried: no new clash. 19 now clashes with 36.
    am.Good(Svc("250.1.1.36", 0));
    EXPECT_FALSE(am.SelectTriedCollision());
    am.Good(Svc("250.1.1.19", 0));
    const auto occupant = am.SelectTriedCollision();
    ASSERT_TRUE(occupant);
    EXPECT_EQ(net::ToString(net::ToService(occupant->entry)), "250.1.1.36:0");
}

TEST(AddrMan, TriedCollisionWaitsForTheTest)
{
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    FillTriedLikeCore(am);
    now += ADDRMAN_REPLACEMENT_FOR_TEST; // 19's success is now old
    am.Good(Svc("250.1.1.36", 0));
    am.Attempt(Svc("250.1.1.19", 0), false); // the feeler starts testing 19
    now += 30;
    am.ResolveCollisions(); // under a minute: wait
    EXPECT_TRUE(am.SelectTriedCollision());
    EXPECT_FALSE(am.Find(Svc("250.1.1.36", 0))->in_tried);
    am.Good(Svc("250.1.1.19", 0)); // the test succeeded
    am.ResolveCollisions();
    EXPECT_FALSE(am.SelectTriedCollision());
    EXPECT_TRUE(am.Find(Svc("250.1.1.19", 0))->in_tried);
    EXPECT_FALSE(am.Find(Svc("250.1.1.36", 0))->in_tried);
}

TEST(AddrMan, SelectAlwaysFindsSomething)
{
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    EXPECT_FALSE(am.Select());
    am.Add(std::vector<AddrEntry>{Entry("1.2.3.4")}, Ip("5.6.7.8"));
    // Recently and repeatedly failed entries are unlikely, but still chosen in the end.
    for (int i = 0; i < 8; ++i)
        am.Attempt(Svc("1.2.3.4"), true);
    for (int i = 0; i < 20; ++i) {
        const auto s = am.Select();
        ASSERT_TRUE(s);
        EXPECT_EQ(net::ToService(s->entry), Svc("1.2.3.4"));
    }
    EXPECT_FALSE(am.Select(false, net::Network::IPV6));
    EXPECT_TRUE(am.Select(true));
    am.Good(Svc("1.2.3.4"));
    EXPECT_FALSE(am.Select(true)); // only tried entries now
    ASSERT_TRUE(am.Select());
    EXPECT_TRUE(am.Select()->in_tried);
    am.Add(std::vector<AddrEntry>{Entry("2a00:1450::1")}, Ip("5.6.7.8"));
    const auto v6 = am.Select(false, net::Network::IPV6);
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->entry.net, net::Network::IPV6);
    // Both tables get chosen.
    std::set<bool> seen;
    for (int i = 0; i < 200; ++i)
        seen.insert(am.Select()->in_tried);
    EXPECT_EQ(seen.size(), 2u);
}

TEST(AddrMan, OneSourceGroupFillsAtMost64Buckets)
{
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    std::vector<AddrEntry> batch;
    for (int i = 0; i < 10'000; ++i)
        batch.push_back(Entry(std::to_string(1 + i / 256 % 200) + "." + std::to_string(i % 256) +
                              "." + std::to_string(i / 51200) + ".1"));
    am.Add(batch, Ip("5.6.7.8"));
    // 64 buckets of 64 slots per source group (Core's ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP).
    EXPECT_LE(am.Size(), 64u * 64u);
    EXPECT_GT(am.Size(), 500u);
    // The same addresses from many source groups spread much further.
    AddrMan am2{Opts(&now)};
    for (size_t i = 0; i < batch.size(); ++i)
        am2.Add(
            std::span<const AddrEntry>{&batch[i], 1},
            net::MakeIPv4(static_cast<uint8_t>(1 + i % 200), static_cast<uint8_t>(i / 200), 1, 1));
    EXPECT_GT(am2.Size(), 64u * 64u);
}

TEST(AddrMan, GetAddrHonoursPercentAndSkipsTerrible)
{
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    std::vector<AddrEntry> batch;
    for (int i = 0; i < 100; ++i)
        batch.push_back(Entry("8." + std::to_string(i) + ".1.1"));
    size_t added = 0;
    for (int i = 0; i < 100; ++i) // a source per address, so no two compete for one slot
        added += am.Add(std::span<const AddrEntry>{&batch[static_cast<size_t>(i)], 1},
                        net::MakeIPv4(30, static_cast<uint8_t>(i), 0, 1));
    ASSERT_EQ(added, 100u);
    EXPECT_EQ(am.GetAddr(0, 23).size(), 23u);
    EXPECT_EQ(am.GetAddr(10, 23).size(), 10u);
    EXPECT_EQ(am.GetAddr(0, 0).size(), 100u);
    EXPECT_TRUE(am.GetAddr(0, 0, net::Network::IPV6).empty());
    // Over 30 days old, or from the future: terrible, so never handed out.
    am.Add(std::vector<AddrEntry>{Entry("9.1.1.1", 8333, NOW - 31 * 24 * 3600),
                                  Entry("9.2.1.1", 8333, NOW + 3600)},
           Ip("5.6.7.8"));
    EXPECT_EQ(am.Size(), 102u);
    const auto all = am.GetAddr(0, 0);
    EXPECT_EQ(all.size(), 100u);
    for (const auto& e : all)
        EXPECT_NE(e.addr[0], 9);
    // Three failures without a success make an entry terrible too.
    for (int i = 0; i < 3; ++i) {
        am.Attempt(Svc("8.0.1.1"), true);
        now += 1;
        am.Good(Svc("8.1.1.1")); // a later success elsewhere lets the next failure count
        now += 1;
    }
    now += 120;
    EXPECT_EQ(am.Find(Svc("8.0.1.1"))->attempts, 3);
    EXPECT_EQ(am.GetAddr(0, 0).size(), 99u);
}

std::vector<uint8_t> ReadAll(const std::filesystem::path& p)
{
    std::ifstream in{p, std::ios::binary};
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteAll(const std::filesystem::path& p, const std::vector<uint8_t>& b)
{
    std::ofstream out{p, std::ios::binary | std::ios::trunc};
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

TEST(AddrManFile, RoundTrip)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "peers.dat";
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    std::vector<AddrEntry> batch;
    for (int i = 0; i < 300; ++i)
        batch.push_back(Entry("20." + std::to_string(i % 200) + ".3." + std::to_string(i / 200)));
    batch.push_back(Entry("2a00:1450::7", 18444));
    batch.push_back(net::ToAddrEntry(
        *net::ParseService("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333",
                           1),
        1, NOW - 5));
    am.Add(batch, Ip("5.6.7.8"));
    am.Add(batch, Ip("6.7.8.9")); // some get second references
    for (int i = 0; i < 50; ++i)
        am.Good(Svc("20." + std::to_string(i) + ".3.0"));
    am.Attempt(Svc("20.60.3.0"), true);
    ASSERT_TRUE(am.Save(file));

    int64_t later = NOW + 10;
    auto loaded = AddrMan::Load(file, Opts(&later, 99));
    ASSERT_TRUE(loaded) << loaded.error().message;
    AddrMan& back = **loaded;
    EXPECT_EQ(back.Size(), am.Size());
    EXPECT_EQ(back.Size(std::nullopt, false), am.Size(std::nullopt, false));
    EXPECT_EQ(back.Size(net::Network::TORV3), 1u);
    for (const auto& e : batch) {
        const auto a = am.Find(net::ToService(e));
        const auto b = back.Find(net::ToService(e));
        ASSERT_EQ(a.has_value(), b.has_value());
        if (!a) continue;
        EXPECT_EQ(a->entry, b->entry);
        EXPECT_EQ(a->source, b->source);
        EXPECT_EQ(a->in_tried, b->in_tried);
        EXPECT_EQ(a->last_success, b->last_success);
        EXPECT_EQ(a->attempts, b->attempts);
    }
    // Saving the loaded manager reproduces the file byte for byte (same key, same buckets).
    const auto file2 = dir.Path() / "peers2.dat";
    ASSERT_TRUE(back.Save(file2));
    EXPECT_EQ(ReadAll(file), ReadAll(file2));
}

TEST(AddrManFile, LayoutIsCores)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "peers.dat";
    int64_t now = NOW;
    auto opts = Opts(&now);
    opts.magic = REGTEST;
    AddrMan am{opts};
    // One address heard from many groups over time: at most 8 new-table references.
    for (int i = 0; i < 300; ++i) {
        am.Add(std::vector<AddrEntry>{Entry("1.2.3.4", 8333,
                                            static_cast<uint32_t>(NOW - 100000 + i * 200))},
               net::MakeIPv4(static_cast<uint8_t>(1 + i), 9, 9, 9));
    }
    ASSERT_TRUE(am.Save(file));
    const auto b = ReadAll(file);
    ASSERT_GT(b.size(), 4u + 46u + 32u);
    EXPECT_EQ(std::vector<uint8_t>(b.begin(), b.begin() + 4),
              std::vector<uint8_t>(REGTEST.begin(), REGTEST.end()));
    EXPECT_EQ(b[4], 4);      // format V4_MULTIPORT
    EXPECT_EQ(b[5], 32 + 4); // INCOMPATIBILITY_BASE + lowest compatible format
    EXPECT_EQ(b[6], 1);      // the key we gave
    auto le32 = [&](size_t off) {
        return static_cast<int32_t>(b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) |
                                    (uint32_t{b[off + 3]} << 24));
    };
    EXPECT_EQ(le32(38), 1);                // nNew
    EXPECT_EQ(le32(42), 0);                // nTried
    EXPECT_EQ(le32(46), 1024 ^ (1 << 30)); // bucket count, xored
    // The entry: disk version 220000|ADDRV2, time, services (CompactSize), BIP155 address, port BE,
    // source, last_success (int64), attempts (int32).
    size_t p = 50;
    EXPECT_EQ(le32(p), 220000 | (1 << 29));
    p += 4 + 4;
    EXPECT_EQ(b[p], 9); // NODE_NETWORK|NODE_WITNESS
    p += 1;
    EXPECT_EQ(std::vector<uint8_t>(b.begin() + static_cast<long>(p),
                                   b.begin() + static_cast<long>(p) + 6),
              (std::vector<uint8_t>{1, 4, 1, 2, 3, 4}));
    p += 6;
    EXPECT_EQ(b[p], 0x20); // 8333 big-endian
    EXPECT_EQ(b[p + 1], 0x8d);
    p += 2;
    EXPECT_EQ(std::vector<uint8_t>(b.begin() + static_cast<long>(p),
                                   b.begin() + static_cast<long>(p) + 6),
              (std::vector<uint8_t>{1, 4, 1, 9, 9, 9}));
    p += 6 + 8 + 4;
    int refs = 0;
    for (int bucket = 0; bucket < 1024; ++bucket) {
        const int32_t n = le32(p);
        p += 4;
        for (int32_t i = 0; i < n; ++i) {
            EXPECT_EQ(le32(p), 0);
            p += 4;
            ++refs;
        }
    }
    EXPECT_GE(refs, 2);
    EXPECT_LE(refs, 8);
    p += 32; // asmap checksum
    ASSERT_EQ(p + 32, b.size());
    const auto sum = consensus::Hash256(std::span<const uint8_t>{b.data(), p});
    EXPECT_TRUE(std::equal(sum.begin(), sum.end(), b.begin() + static_cast<long>(p)));
}

// A source address of the wrong length adds nothing: saved, it would make peers.dat fail to load
// (found by the addrman fuzz target).
TEST(AddrManFile, MalformedSourceIsRefused)
{
    testutil::TempDir dir;
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    net::NetAddr bad_source{net::Network::IPV6, std::vector<uint8_t>(39, 0x2a)};
    EXPECT_EQ(am.Add(std::vector<AddrEntry>{Entry("1.2.3.4")}, bad_source), 0u);
    EXPECT_EQ(am.Size(), 0u);
    EXPECT_EQ(am.Add(std::vector<AddrEntry>{Entry("1.2.3.4")}, Ip("5.6.7.8")), 1u);
    const auto file = dir.Path() / "peers.dat";
    ASSERT_TRUE(am.Save(file));
    auto loaded = AddrMan::Load(file, Opts(&now));
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ((*loaded)->Size(), 1u);
}

TEST(AddrManFile, MissingFileIsEmpty)
{
    testutil::TempDir dir;
    int64_t now = NOW;
    auto loaded = AddrMan::Load(dir.Path() / "peers.dat", Opts(&now));
    ASSERT_TRUE(loaded);
    EXPECT_EQ((*loaded)->Size(), 0u);
}

TEST(AddrManFile, CorruptTruncatedAndForeignFilesAreErrors)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "peers.dat";
    int64_t now = NOW;
    AddrMan am{Opts(&now)};
    am.Add(std::vector<AddrEntry>{Entry("1.2.3.4"), Entry("2.3.4.5")}, Ip("5.6.7.8"));
    ASSERT_TRUE(am.Save(file));
    const auto good = ReadAll(file);

    for (size_t pos : {size_t{4}, size_t{40}, good.size() / 2, good.size() - 1}) {
        auto bad = good;
        bad[pos] ^= 0x01;
        WriteAll(file, bad);
        auto r = AddrMan::Load(file, Opts(&now));
        ASSERT_FALSE(r) << pos;
        EXPECT_NE(r.error().message.find(file.string()), std::string::npos) << r.error().message;
    }
    for (size_t len : {size_t{0}, size_t{3}, size_t{30}, good.size() - 33, good.size() - 1}) {
        WriteAll(file, std::vector<uint8_t>(good.begin(), good.begin() + static_cast<long>(len)));
        auto r = AddrMan::Load(file, Opts(&now));
        ASSERT_FALSE(r) << len;
        EXPECT_NE(r.error().message.find(file.string()), std::string::npos);
    }
    WriteAll(file, good);
    auto other = Opts(&now);
    other.magic = REGTEST;
    auto r = AddrMan::Load(file, other);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("Invalid network magic number"), std::string::npos);
    auto ok = AddrMan::Load(file, Opts(&now));
    ASSERT_TRUE(ok);
    EXPECT_EQ((*ok)->Size(), 2u);
}

// The file Bitcoin Core's feature_addrman.py forges: format 1, lowest compatible 4,
// key 1, given counts, 1,024 empty buckets and no asmap checksum (format < 2).
std::vector<uint8_t> CoreMockPeersDat(int key, int32_t len_new, int32_t len_tried,
                                      int lowest_compatible = 4)
{
    std::vector<uint8_t> b{REGTEST.begin(), REGTEST.end()};
    b.push_back(1);
    b.push_back(static_cast<uint8_t>(32 + lowest_compatible));
    b.push_back(static_cast<uint8_t>(key));
    b.insert(b.end(), 31, 0);
    auto put = [&](int32_t v) {
        for (int i = 0; i < 4; ++i)
            b.push_back(static_cast<uint8_t>(static_cast<uint32_t>(v) >> (8 * i)));
    };
    put(len_new);
    put(len_tried);
    put(1024 ^ (1 << 30));
    for (int i = 0; i < 1024; ++i)
        put(0);
    const auto sum = consensus::Hash256(b);
    b.insert(b.end(), sum.begin(), sum.end());
    return b;
}

TEST(AddrManFile, LoadsCoresMockFileAndRejectsItsCorruptions)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "peers.dat";
    int64_t now = NOW;
    auto opts = Opts(&now);
    opts.magic = REGTEST;
    WriteAll(file, CoreMockPeersDat(1, 0, 0));
    auto ok = AddrMan::Load(file, opts);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ((*ok)->Size(), 0u);

    // The reasons feature_addrman.py expects inside "Invalid or corrupt peers.dat (...)".
    const std::vector<std::pair<std::vector<uint8_t>, std::string>> cases{
        {CoreMockPeersDat(1, 0, -1),
         "Corrupt AddrMan serialization: nTried=-1, should be in [0, 16384]"},
        {CoreMockPeersDat(1, 0, 16385),
         "Corrupt AddrMan serialization: nTried=16385, should be in [0, 16384]"},
        {CoreMockPeersDat(1, -1, 0),
         "Corrupt AddrMan serialization: nNew=-1, should be in [0, 65536]"},
        {CoreMockPeersDat(1, 65537, 0),
         "Corrupt AddrMan serialization: nNew=65537, should be in [0, 65536]"},
        {CoreMockPeersDat(0, 0, 0), "Corrupt data. Consistency check failed with code -16"},
        {CoreMockPeersDat(1, 0, 0, -32), "Corrupted addrman database: The compat value (0) is "
                                         "lower than the expected minimum value 32."},
    };
    for (const auto& [bytes, reason] : cases) {
        WriteAll(file, bytes);
        auto r = AddrMan::Load(file, opts);
        ASSERT_FALSE(r) << reason;
        EXPECT_NE(r.error().message.find("Invalid or corrupt peers.dat (" + reason),
                  std::string::npos)
            << r.error().message;
    }
    auto truncated = CoreMockPeersDat(1, 0, 0);
    truncated.pop_back();
    WriteAll(file, truncated);
    auto r = AddrMan::Load(file, opts);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("(AutoFile::read: end of file"), std::string::npos);
    auto bad_sum = CoreMockPeersDat(1, 0, 0);
    bad_sum.back() ^= 0xff;
    WriteAll(file, bad_sum);
    r = AddrMan::Load(file, opts);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("(Checksum mismatch, data corrupted)"), std::string::npos);
}

TEST(AddrManFile, NewerIncompatibleFormatIsBackedUpAndReplaced)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "peers.dat";
    int64_t now = NOW;
    auto opts = Opts(&now);
    opts.magic = REGTEST;
    const auto future = CoreMockPeersDat(1, 0, 0, 111);
    WriteAll(file, future);
    auto r = AddrMan::Load(file, opts);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ((*r)->Size(), 0u);
    EXPECT_FALSE(std::filesystem::exists(file));
    EXPECT_EQ(ReadAll(file.string() + ".bak"), future);
}

} // namespace
