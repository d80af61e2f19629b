// Unsigned 256-bit integers for proof-of-work arithmetic (targets, chain work)
// and Bitcoin's 32-bit "compact" encoding of targets (the header's nBits).
#pragma once

#include <consensus/uint256.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace consensus {

/// A 256-bit unsigned integer with wrap-around (mod 2^256) arithmetic. Value type;
/// safe to use from any thread.
class ArithUint256
{
public:
    /// Zero.
    constexpr ArithUint256() = default;
    /// The value `v`; implicit so small constants mix naturally with 256-bit values.
    constexpr ArithUint256(uint64_t v)
        : m_limb{v, 0, 0, 0} {} // NOLINT(google-explicit-constructor)
    /// Interprets a hash blob's bytes as a little-endian number (byte 0 least
    /// significant), which is how Bitcoin compares block hashes with targets.
    explicit ArithUint256(const Uint256& blob);

    /// The number as a little-endian blob; inverse of the Uint256 constructor.
    Uint256 ToUint256() const;
    /// 64 hex digits, most significant first (same text as ToUint256().GetHex()).
    std::string GetHex() const;
    /// Parses 64 hex digits, most significant first; nullopt on anything else.
    static std::optional<ArithUint256> FromHex(std::string_view hex);

    /// Lowest 64 bits.
    constexpr uint64_t GetLow64() const { return m_limb[0]; }
    /// Index of the highest set bit plus one; 0 for zero.
    unsigned bits() const;
    /// True if the value is zero.
    constexpr bool IsZero() const { return (m_limb[0] | m_limb[1] | m_limb[2] | m_limb[3]) == 0; }

    /// Decodes compact bits: exponent byte = length in bytes, 23-bit mantissa,
    /// bit 23 = sign. Reports a set sign on a non-zero mantissa through `negative`
    /// and a value that does not fit 256 bits through `overflow` (the value itself
    /// is then truncated, as Bitcoin's is).
    ArithUint256& SetCompact(uint32_t compact, bool* negative = nullptr, bool* overflow = nullptr);
    /// Encodes in compact form, rounding down to the 3 most significant bytes;
    /// `negative` sets the sign bit unless the mantissa is zero.
    uint32_t GetCompact(bool negative = false) const;

    /// Addition modulo 2^256.
    ArithUint256& operator+=(const ArithUint256& b);
    /// Subtraction modulo 2^256.
    ArithUint256& operator-=(const ArithUint256& b);
    /// Multiplication modulo 2^256.
    ArithUint256& operator*=(const ArithUint256& b);
    /// Integer division; dividing by zero is a bug (asserted; yields zero if
    /// assertions are compiled out).
    ArithUint256& operator/=(const ArithUint256& b);
    /// Shifts by any amount; shifts of 256 or more give zero.
    ArithUint256& operator<<=(unsigned shift);
    /// Logical right shift; shifts of 256 or more give zero.
    ArithUint256& operator>>=(unsigned shift);
    /// Bitwise and, or, xor.
    ArithUint256& operator&=(const ArithUint256& b);
    ArithUint256& operator|=(const ArithUint256& b);
    ArithUint256& operator^=(const ArithUint256& b);
    /// Increment and decrement, wrapping around.
    ArithUint256& operator++();
    ArithUint256& operator--();

    /// Bitwise complement, i.e. 2^256 - 1 - x.
    ArithUint256 operator~() const;
    /// Two's complement negation, i.e. 2^256 - x (mod 2^256).
    ArithUint256 operator-() const;

    /// Binary forms of the compound operators above.
    friend ArithUint256 operator+(ArithUint256 a, const ArithUint256& b) { return a += b; }
    friend ArithUint256 operator-(ArithUint256 a, const ArithUint256& b) { return a -= b; }
    friend ArithUint256 operator*(ArithUint256 a, const ArithUint256& b) { return a *= b; }
    friend ArithUint256 operator/(ArithUint256 a, const ArithUint256& b) { return a /= b; }
    friend ArithUint256 operator&(ArithUint256 a, const ArithUint256& b) { return a &= b; }
    friend ArithUint256 operator|(ArithUint256 a, const ArithUint256& b) { return a |= b; }
    friend ArithUint256 operator^(ArithUint256 a, const ArithUint256& b) { return a ^= b; }
    friend ArithUint256 operator<<(ArithUint256 a, unsigned shift) { return a <<= shift; }
    friend ArithUint256 operator>>(ArithUint256 a, unsigned shift) { return a >>= shift; }

    /// Numeric equality.
    friend constexpr bool operator==(const ArithUint256&, const ArithUint256&) = default;
    /// Numeric order.
    friend constexpr std::strong_ordering operator<=>(const ArithUint256& a, const ArithUint256& b)
    {
        for (int i = LIMBS - 1; i >= 0; --i) {
            if (a.m_limb[i] != b.m_limb[i]) {
                return a.m_limb[i] < b.m_limb[i] ? std::strong_ordering::less
                                                 : std::strong_ordering::greater;
            }
        }
        return std::strong_ordering::equal;
    }

private:
    static constexpr int LIMBS = 4;
    // Least significant 64-bit limb first.
    std::array<uint64_t, LIMBS> m_limb{};
};

} // namespace consensus
