// Internal to addrman*.cpp: the tables behind net::AddrMan, shared by the
// algorithm (addrman.cpp) and the peers.dat format (addrman_db.cpp).
#pragma once

#include <net/addrman.h>

#include <consensus/serialize.h>

#include <map>
#include <mutex>
#include <random>
#include <set>
#include <vector>

namespace net {

/// Bitcoin Core's table geometry and policy constants (src/addrman.h, addrman_impl.h).
inline constexpr int ADDRMAN_NEW_BUCKET_COUNT = 1024;
inline constexpr int ADDRMAN_TRIED_BUCKET_COUNT = 256;
inline constexpr int ADDRMAN_BUCKET_SIZE = 64;
inline constexpr int ADDRMAN_TRIED_BUCKETS_PER_GROUP = 8;
inline constexpr int ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP = 64;
inline constexpr int ADDRMAN_NEW_BUCKETS_PER_ADDRESS = 8;
inline constexpr int64_t ADDRMAN_HORIZON = 30 * 24 * 3600;
inline constexpr int ADDRMAN_RETRIES = 3;
inline constexpr int ADDRMAN_MAX_FAILURES = 10;
inline constexpr int64_t ADDRMAN_MIN_FAIL = 7 * 24 * 3600;
inline constexpr int64_t ADDRMAN_REPLACEMENT = 4 * 3600;
inline constexpr int64_t ADDRMAN_TEST_WINDOW = 40 * 60;
inline constexpr size_t ADDRMAN_SET_TRIED_COLLISION_SIZE = 10;

/// A peers.dat whose lowest compatible format is newer than ours (Core backs it up and starts
/// over).
struct IncompatibleAddrManFormat : consensus::DecodeError
{
    using consensus::DecodeError::DecodeError;
};

/// One known address with the bookkeeping the tables need.
struct AddrRecord
{
    AddrInfo info;
    Service service;
    int ref_count{0};              //!< new-table slots pointing here
    size_t random_pos{0};          //!< index in Impl::random
    int64_t last_count_attempt{0}; //!< last attempt that counted as a failure
};

/// Core's AddrInfo::GetTriedBucket (no asmap).
int TriedBucket(const std::array<uint8_t, 32>& key, const Service& addr);
/// Core's AddrInfo::GetNewBucket: the bucket `addr` heard from `source` lands in.
int NewBucket(const std::array<uint8_t, 32>& key, const Service& addr, const NetAddr& source);
/// Core's AddrInfo::GetBucketPosition: the slot within a bucket.
int BucketPosition(const std::array<uint8_t, 32>& key, bool is_new, int bucket,
                   const Service& addr);

struct AddrMan::Impl
{
    explicit Impl(AddrManOptions opts);

    AddrManOptions options;
    std::array<uint8_t, 32> key{};
    mutable std::mt19937_64 rng;
    mutable std::mutex mutex;

    std::map<int, AddrRecord> map_info;
    std::map<Service, int> map_addr;
    std::vector<int> random; //!< every id, for random walks
    std::vector<int> new_table =
        std::vector<int>(ADDRMAN_NEW_BUCKET_COUNT * ADDRMAN_BUCKET_SIZE, -1);
    std::vector<int> tried_table =
        std::vector<int>(ADDRMAN_TRIED_BUCKET_COUNT * ADDRMAN_BUCKET_SIZE, -1);
    int id_count{0};
    int n_new{0};
    int n_tried{0};
    int64_t last_good{1};
    std::set<int> tried_collisions; //!< ids whose move to tried waits for a test of the occupant

    int64_t Now() const;
    int& NewSlot(int bucket, int pos) { return new_table[bucket * ADDRMAN_BUCKET_SIZE + pos]; }
    int& TriedSlot(int bucket, int pos) { return tried_table[bucket * ADDRMAN_BUCKET_SIZE + pos]; }
    uint64_t RandRange(uint64_t n) const
    {
        return std::uniform_int_distribution<uint64_t>{0, n - 1}(rng);
    }

    int TriedBucket(const AddrRecord& r) const { return net::TriedBucket(key, r.service); }
    int NewBucket(const AddrRecord& r, const NetAddr& source) const
    {
        return net::NewBucket(key, r.service, source);
    }
    int BucketPosition(const AddrRecord& r, bool is_new, int bucket) const
    {
        return net::BucketPosition(key, is_new, bucket, r.service);
    }

    AddrRecord* Find(const Service& s, int* id_out = nullptr);
    int Create(const AddrEntry& entry, const Service& service, const NetAddr& source);
    void Delete(int id);
    void SwapRandom(size_t a, size_t b);
    void ClearNew(int bucket, int pos);
    void MakeTried(AddrRecord& r, int id);
    void GoodLocked(const Service& service, bool test_before_evict, int64_t now);
    bool AddSingle(const AddrEntry& entry, const NetAddr& source, int64_t time_penalty);

    std::vector<uint8_t> Serialize() const;
    /// Reads the tables from `r` (which then stands just past them). Throws
    /// consensus::DecodeError on malformed input, IncompatibleAddrManFormat on a
    /// file from a newer, incompatible format.
    void Unserialize(consensus::Reader& r);
};

/// Core's AddrInfo::IsTerrible at `now`.
bool IsTerrible(const AddrInfo& info, int64_t now);
/// Core's AddrInfo::GetChance at `now`.
double GetChance(const AddrInfo& info, int64_t now);
/// Core's CService::GetKey: address bytes (IPv4 as IPv4-mapped IPv6) then the port, big-endian.
std::vector<uint8_t> AddrKey(const Service& service);

} // namespace net
