// The address manager: what the node knows about other nodes' addresses, in
// Bitcoin Core's "new" (heard of) and "tried" (connected to) tables of
// buckets keyed by network group and a secret key, so no single source can
// fill the table; persisted in `peers.dat` in Bitcoin Core's format.
//
// Thread safety: every method may be called from any thread (one internal mutex).
#pragma once

#include <net/netaddress.h>
#include <net/protocol.h>
#include <util/expected.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace net {

/// What the address manager remembers about one address.
struct AddrInfo
{
    AddrEntry entry;         //!< address, port, services, last-seen time
    NetAddr source;          //!< who told us
    int64_t last_try{0};     //!< last connection attempt (unix seconds)
    int64_t last_success{0}; //!< last successful connection
    int attempts{0};         //!< failed attempts since last success
    bool in_tried{false};    //!< in the tried table
};

/// Settings; defaults are what the node uses.
struct AddrManOptions
{
    /// Secret bucketing key; empty: random.
    std::optional<std::array<uint8_t, 32>> key{};
    /// Wall clock (unix seconds); default: system clock. minibitd passes the mockable clock.
    std::function<int64_t()> clock{};
    /// Deterministic randomness for tests; 0: seeded from the OS.
    uint64_t rng_seed{0};
    /// Network magic that prefixes peers.dat (Load refuses another network's
    /// file); default: mainnet's. minibitd passes ChainParams::GetMessageStart().
    Magic magic{0xf9, 0xbe, 0xb4, 0xd9};
    /// Tests only: also keep loopback/private addresses (Core never does).
    bool accept_unroutable{false};
};

/// The new/tried tables. Core's sizes: 1,024 new buckets, 256 tried buckets, 64 slots each.
class AddrMan
{
public:
    explicit AddrMan(AddrManOptions options = {});
    ~AddrMan();
    AddrMan(const AddrMan&) = delete;
    AddrMan& operator=(const AddrMan&) = delete;

    /// Reads peers.dat (Core's format, checked by its trailing checksum). A
    /// missing file is an empty manager; a corrupt one is an error naming the file.
    static util::Expected<std::unique_ptr<AddrMan>> Load(const std::filesystem::path& file,
                                                         AddrManOptions options = {});
    /// Writes peers.dat atomically (temporary file, fsync, rename).
    util::Expected<void> Save(const std::filesystem::path& file) const;

    /// Adds gossiped addresses heard from `source` (time_penalty seconds
    /// subtracted from their timestamps). Returns how many were new.
    size_t Add(std::span<const AddrEntry> entries, const NetAddr& source, int64_t time_penalty = 0);
    /// A connection to `service` completed its handshake: move it to tried.
    void Good(const Service& service);
    /// We are trying to connect; count_failure marks one more failed attempt.
    void Attempt(const Service& service, bool count_failure);
    /// A connection we had was alive at this time (refreshes its timestamp, at
    /// most every 20 minutes as Core does).
    void Connected(const Service& service);
    /// Updates the services a peer told us it has.
    void SetServices(const Service& service, uint64_t services);

    /// Picks an address to connect to, biased toward tried entries and away
    /// from recently failed ones; new_only picks from the new table (feelers).
    /// `network` restricts the choice. Empty when nothing qualifies.
    std::optional<AddrInfo> Select(bool new_only = false,
                                   std::optional<Network> network = std::nullopt) const;
    /// Up to `max_addresses` (0: no limit) and `max_pct` percent of the
    /// table, in random order, skipping terrible entries (as getaddr replies).
    std::vector<AddrEntry> GetAddr(size_t max_addresses, size_t max_pct,
                                   std::optional<Network> network = std::nullopt) const;
    /// Number of addresses, optionally of one network and/or one table.
    size_t Size(std::optional<Network> network = std::nullopt,
                std::optional<bool> in_new = std::nullopt) const;
    /// What we know about one address, if anything.
    std::optional<AddrInfo> Find(const Service& service) const;

    /// Test-before-evict (Core): when Good() finds the address's tried slot
    /// taken, it stays in new and the clash is remembered (at most 10). This
    /// settles the remembered clashes: the occupant stays if it succeeded in the
    /// last 4 hours, otherwise the newcomer moves in once the occupant's test
    /// connection had a minute, or 40 minutes passed. The opener calls it each round.
    void ResolveCollisions();
    /// The tried-table occupant of one remembered clash, for a feeler to test;
    /// nullopt when there is none.
    std::optional<AddrInfo> SelectTriedCollision();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace net
