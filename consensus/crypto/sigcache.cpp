#include <consensus/crypto/pubkey.h>

#include <consensus/hash.h>

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

namespace consensus {

namespace {

// Each domain hasher is primed with one full 64-byte block (salt + domain
// padding), so per-entry hashing starts from a ready midstate and ECDSA and
// Schnorr entries can never collide with each other.
Sha256 PrimeHasher(const std::array<uint8_t, 32>& salt, uint8_t domain)
{
    std::array<uint8_t, 32> padding;
    padding.fill(domain);
    Sha256 hasher;
    hasher.Write(salt).Write(padding);
    return hasher;
}

// Variable-length fields are length-prefixed so no two triples share an encoding.
void WriteField(Sha256& hasher, std::span<const uint8_t> field)
{
    const uint32_t len = static_cast<uint32_t>(field.size());
    const uint8_t len_bytes[4] = {static_cast<uint8_t>(len), static_cast<uint8_t>(len >> 8),
                                  static_cast<uint8_t>(len >> 16), static_cast<uint8_t>(len >> 24)};
    hasher.Write(len_bytes).Write(field);
}

} // namespace

struct SignatureCache::Impl
{
    explicit Impl(size_t max_bytes) : max_entries{std::max<size_t>(1, max_bytes / Uint256::SIZE)}
    {
        std::array<uint8_t, 32> salt{};
        uint64_t seed = 0;
        if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1 ||
            RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof(seed)) != 1) {
            // An unsalted cache would let peers aim collisions at it; refuse to run.
            std::fputs("minibit: the OpenSSL random generator failed\n", stderr);
            std::abort();
        }
        ecdsa_hasher = PrimeHasher(salt, 'E');
        schnorr_hasher = PrimeHasher(salt, 'S');
        rng_state = seed | 1;
    }

    // xorshift64: eviction only needs to be unpredictable enough that an
    // attacker cannot target particular entries, and the state is secret.
    size_t NextIndex(size_t bound)
    {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return static_cast<size_t>(rng_state % bound);
    }

    void EraseAt(size_t idx)
    {
        index.erase(entries[idx]);
        if (idx + 1 != entries.size()) {
            entries[idx] = entries.back();
            index[entries[idx]] = idx;
        }
        entries.pop_back();
        count.store(entries.size(), std::memory_order_relaxed);
    }

    const size_t max_entries;
    Sha256 ecdsa_hasher;
    Sha256 schnorr_hasher;
    mutable std::shared_mutex mutex;
    // Dense storage makes a uniformly random victim O(1) to pick; the map
    // gives each entry's slot for lookups and erasure.
    std::vector<Uint256> entries;
    std::unordered_map<Uint256, size_t, BlobHasher> index;
    // entries.size(), readable without the lock so an empty cache costs nothing.
    std::atomic<size_t> count{0};
    uint64_t rng_state{1};
};

SignatureCache::SignatureCache(size_t max_bytes) : m_impl{std::make_unique<Impl>(max_bytes)} {}

SignatureCache::~SignatureCache() = default;

Uint256 SignatureCache::EcdsaEntry(const Uint256& hash, std::span<const uint8_t> sig,
                                   std::span<const uint8_t> pubkey) const
{
    Sha256 hasher = m_impl->ecdsa_hasher;
    hasher.Write(hash.span());
    WriteField(hasher, pubkey);
    WriteField(hasher, sig);
    return hasher.Finalize();
}

Uint256 SignatureCache::SchnorrEntry(const Uint256& hash, std::span<const uint8_t> sig,
                                     const XOnlyPubKey& pubkey) const
{
    Sha256 hasher = m_impl->schnorr_hasher;
    hasher.Write(hash.span()).Write(pubkey.bytes().span());
    WriteField(hasher, sig);
    return hasher.Finalize();
}

bool SignatureCache::Contains(const Uint256& entry, bool erase)
{
    if (!erase) {
        const std::shared_lock lock{m_impl->mutex};
        return m_impl->index.contains(entry);
    }
    const std::unique_lock lock{m_impl->mutex};
    const auto it = m_impl->index.find(entry);
    if (it == m_impl->index.end()) return false;
    m_impl->EraseAt(it->second);
    return true;
}

void SignatureCache::Insert(const Uint256& entry)
{
    const std::unique_lock lock{m_impl->mutex};
    if (m_impl->index.contains(entry)) return;
    if (m_impl->entries.size() >= m_impl->max_entries) {
        m_impl->EraseAt(m_impl->NextIndex(m_impl->entries.size()));
    }
    m_impl->index.emplace(entry, m_impl->entries.size());
    m_impl->entries.push_back(entry);
    m_impl->count.store(m_impl->entries.size(), std::memory_order_relaxed);
}

bool SignatureCache::Empty() const
{
    return m_impl->count.load(std::memory_order_relaxed) == 0;
}

size_t SignatureCache::Size() const
{
    const std::shared_lock lock{m_impl->mutex};
    return m_impl->entries.size();
}

} // namespace consensus
