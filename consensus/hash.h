// Hash functions of the protocol: SHA-256, SHA-256d, RIPEMD-160, HASH160,
// BIP340 tagged hashes, HMAC-SHA512 and SipHash-2-4.
#pragma once

#include <consensus/serialize.h>
#include <consensus/uint256.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace consensus {

/// Incremental SHA-256 (OpenSSL's assembly underneath). Copyable, so a
/// midstate can be reused. Not thread-safe per instance.
class Sha256
{
public:
    static constexpr size_t OUTPUT_SIZE = 32;
    Sha256();
    Sha256& Write(std::span<const uint8_t> data);
    /// Writes the digest; the hasher must be Reset() before reuse.
    void Finalize(std::span<uint8_t, OUTPUT_SIZE> out);
    Uint256 Finalize();
    Sha256& Reset();

private:
    alignas(8) unsigned char m_ctx[112];
};

/// Single SHA-256.
Uint256 Sha256Hash(std::span<const uint8_t> data);
/// SHA-256d, the hash of txids, block hashes and checksums.
Uint256 Hash256(std::span<const uint8_t> data);
/// SHA-256d of the concatenation of two 32-byte values (merkle nodes).
Uint256 Hash256(const Uint256& a, const Uint256& b);
/// RIPEMD-160.
Uint160 Ripemd160(std::span<const uint8_t> data);
/// RIPEMD-160 of SHA-256, used for P2PKH/P2WPKH key hashes.
Uint160 Hash160(std::span<const uint8_t> data);

/// A Sha256 already fed SHA256(tag)||SHA256(tag), per BIP340.
Sha256 TaggedHasher(std::string_view tag);
/// Tagged hash of data in one call.
Uint256 TaggedHash(std::string_view tag, std::span<const uint8_t> data);

/// HMAC-SHA512 (BIP32, BIP39 seed stretching).
std::array<uint8_t, 64> HmacSha512(std::span<const uint8_t> key, std::span<const uint8_t> data);
/// HMAC-SHA256 (RFC 6979 style uses, key derivation).
std::array<uint8_t, 32> HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> data);

/// SipHash-2-4 with a 128-bit key, for salted in-memory tables.
class SipHasher
{
public:
    SipHasher(uint64_t k0, uint64_t k1);
    SipHasher& Write(uint64_t word);
    SipHasher& Write(std::span<const uint8_t> data);
    uint64_t Finalize() const;

private:
    uint64_t m_v[4];
    uint64_t m_tmp{0};
    uint8_t m_count{0}; // bytes written, mod 256
};

/// SipHash-2-4 of a 256-bit value, specialised for speed.
uint64_t SipHashUint256(uint64_t k0, uint64_t k1, const Uint256& val);

/// SHA-256d of a value's serialization.
template <class T>
Uint256 SerializeHash(const T& v)
{
    return Hash256(Encode(v));
}

} // namespace consensus
