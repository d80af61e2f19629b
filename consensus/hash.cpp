#define OPENSSL_SUPPRESS_DEPRECATED // the low-level SHA-256 API is the fast one for small inputs
#include <consensus/hash.h>

#include <openssl/hmac.h>
#include <openssl/ripemd.h>
#include <openssl/sha.h>

#include <bit>
#include <cstring>

namespace consensus {

static_assert(sizeof(SHA256_CTX) <= 112 && alignof(SHA256_CTX) <= 8);

static SHA256_CTX* Ctx(unsigned char* p)
{
    return reinterpret_cast<SHA256_CTX*>(p);
}

Sha256::Sha256()
{
    SHA256_Init(Ctx(m_ctx));
}

Sha256& Sha256::Write(std::span<const uint8_t> data)
{
    SHA256_Update(Ctx(m_ctx), data.data(), data.size());
    return *this;
}

void Sha256::Finalize(std::span<uint8_t, OUTPUT_SIZE> out)
{
    SHA256_Final(out.data(), Ctx(m_ctx));
}

Uint256 Sha256::Finalize()
{
    Uint256 out;
    SHA256_Final(out.data(), Ctx(m_ctx));
    return out;
}

Sha256& Sha256::Reset()
{
    SHA256_Init(Ctx(m_ctx));
    return *this;
}

// OpenSSL 3's one-shot SHA256()/RIPEMD160() fetch an EVP implementation per
// call (~8x slower on small inputs); the low-level context API does not.
Uint256 Sha256Hash(std::span<const uint8_t> data)
{
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, data.data(), data.size());
    Uint256 out;
    SHA256_Final(out.data(), &ctx);
    return out;
}

Uint256 Hash256(std::span<const uint8_t> data)
{
    Uint256 first = Sha256Hash(data);
    return Sha256Hash(first.span());
}

Uint256 Hash256(const Uint256& a, const Uint256& b)
{
    uint8_t buf[64];
    std::memcpy(buf, a.data(), 32);
    std::memcpy(buf + 32, b.data(), 32);
    return Hash256(buf);
}

Uint160 Ripemd160(std::span<const uint8_t> data)
{
    RIPEMD160_CTX ctx;
    RIPEMD160_Init(&ctx);
    RIPEMD160_Update(&ctx, data.data(), data.size());
    Uint160 out;
    RIPEMD160_Final(out.data(), &ctx);
    return out;
}

Uint160 Hash160(std::span<const uint8_t> data)
{
    return Ripemd160(Sha256Hash(data).span());
}

Sha256 TaggedHasher(std::string_view tag)
{
    const Uint256 tag_hash = Sha256Hash({reinterpret_cast<const uint8_t*>(tag.data()), tag.size()});
    Sha256 h;
    h.Write(tag_hash.span()).Write(tag_hash.span());
    return h;
}

Uint256 TaggedHash(std::string_view tag, std::span<const uint8_t> data)
{
    return TaggedHasher(tag).Write(data).Finalize();
}

std::array<uint8_t, 64> HmacSha512(std::span<const uint8_t> key, std::span<const uint8_t> data)
{
    std::array<uint8_t, 64> out;
    unsigned int len = 0;
    HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
         out.data(), &len);
    return out;
}

std::array<uint8_t, 32> HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> data)
{
    std::array<uint8_t, 32> out;
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
         out.data(), &len);
    return out;
}

// ---- SipHash-2-4 ------------------------------------------------------------

static inline void SipRound(uint64_t& v0, uint64_t& v1, uint64_t& v2, uint64_t& v3)
{
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
}

SipHasher::SipHasher(uint64_t k0, uint64_t k1)
{
    m_v[0] = 0x736f6d6570736575ULL ^ k0;
    m_v[1] = 0x646f72616e646f6dULL ^ k1;
    m_v[2] = 0x6c7967656e657261ULL ^ k0;
    m_v[3] = 0x7465646279746573ULL ^ k1;
}

SipHasher& SipHasher::Write(uint64_t word)
{
    // Only valid on a word boundary, which callers of the word API keep.
    uint64_t v0 = m_v[0], v1 = m_v[1], v2 = m_v[2], v3 = m_v[3];
    v3 ^= word;
    SipRound(v0, v1, v2, v3);
    SipRound(v0, v1, v2, v3);
    v0 ^= word;
    m_v[0] = v0, m_v[1] = v1, m_v[2] = v2, m_v[3] = v3;
    m_count = static_cast<uint8_t>(m_count + 8);
    return *this;
}

SipHasher& SipHasher::Write(std::span<const uint8_t> data)
{
    uint64_t v0 = m_v[0], v1 = m_v[1], v2 = m_v[2], v3 = m_v[3];
    uint64_t t = m_tmp;
    uint8_t c = m_count;
    for (uint8_t byte : data) {
        t |= static_cast<uint64_t>(byte) << (8 * (c % 8));
        ++c;
        if ((c & 7) == 0) {
            v3 ^= t;
            SipRound(v0, v1, v2, v3);
            SipRound(v0, v1, v2, v3);
            v0 ^= t;
            t = 0;
        }
    }
    m_v[0] = v0, m_v[1] = v1, m_v[2] = v2, m_v[3] = v3;
    m_tmp = t;
    m_count = c;
    return *this;
}

uint64_t SipHasher::Finalize() const
{
    uint64_t v0 = m_v[0], v1 = m_v[1], v2 = m_v[2], v3 = m_v[3];
    const uint64_t t = m_tmp | (static_cast<uint64_t>(m_count) << 56);
    v3 ^= t;
    SipRound(v0, v1, v2, v3);
    SipRound(v0, v1, v2, v3);
    v0 ^= t;
    v2 ^= 0xff;
    for (int i = 0; i < 4; ++i)
        SipRound(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t SipHashUint256(uint64_t k0, uint64_t k1, const Uint256& val)
{
    SipHasher h{k0, k1};
    for (size_t i = 0; i < 4; ++i)
        h.Write(val.GetUint64(i));
    return h.Finalize();
}

} // namespace consensus
