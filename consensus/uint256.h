// Fixed-size opaque blobs (hashes). Bytes are stored as hashed; hex is shown
// byte-reversed, as Bitcoin displays txids and block hashes.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace consensus {

/// A blob of BYTES bytes with value semantics; default is all zero.
template <size_t BYTES>
class Blob
{
public:
    static constexpr size_t SIZE = BYTES;

    constexpr Blob() = default;
    /// Copies exactly BYTES bytes; the caller guarantees the size.
    explicit Blob(std::span<const uint8_t> bytes)
    {
        std::memcpy(m_data.data(), bytes.data(), BYTES);
    }

    bool IsNull() const
    {
        for (uint8_t b : m_data) {
            if (b != 0) return false;
        }
        return true;
    }
    void SetNull() { m_data.fill(0); }

    uint8_t* data() { return m_data.data(); }
    const uint8_t* data() const { return m_data.data(); }
    static constexpr size_t size() { return BYTES; }
    uint8_t* begin() { return m_data.data(); }
    uint8_t* end() { return m_data.data() + BYTES; }
    const uint8_t* begin() const { return m_data.data(); }
    const uint8_t* end() const { return m_data.data() + BYTES; }
    std::span<const uint8_t, BYTES> span() const { return std::span<const uint8_t, BYTES>{m_data}; }

    /// Hex in display order (last byte first), as Bitcoin prints hashes.
    std::string GetHex() const;
    /// Parses display-order hex of exactly 2*BYTES digits; nullopt otherwise.
    static std::optional<Blob> FromHex(std::string_view hex);

    /// Little-endian 64-bit word `pos` (0 = least significant), for cheap hashing.
    uint64_t GetUint64(size_t pos) const
    {
        uint64_t v;
        std::memcpy(&v, m_data.data() + pos * 8, 8);
        return v; // x86/ARM little endian; see static_assert in uint256.cpp
    }

    friend bool operator==(const Blob&, const Blob&) = default;
    friend std::strong_ordering operator<=>(const Blob& a, const Blob& b)
    {
        const int c = std::memcmp(a.m_data.data(), b.m_data.data(), BYTES);
        return c < 0 ? std::strong_ordering::less
                     : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
    }

private:
    std::array<uint8_t, BYTES> m_data{};
};

using Uint256 = Blob<32>;
using Uint160 = Blob<20>;

/// Hasher for unordered containers keyed by hashes that are already uniformly random.
struct BlobHasher
{
    template <size_t N>
    size_t operator()(const Blob<N>& b) const
    {
        return static_cast<size_t>(b.GetUint64(0));
    }
};

} // namespace consensus
