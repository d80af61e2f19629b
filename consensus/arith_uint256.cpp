#include <consensus/arith_uint256.h>

#include <bit>
#include <cassert>
#include <cstring>

namespace consensus {

namespace {

// Compact encoding layout: top byte is the length in bytes, bit 23 the sign,
// the low 23 bits the most significant bytes of the value.
constexpr uint32_t COMPACT_SIGN_BIT = 0x00800000;
constexpr uint32_t COMPACT_MANTISSA_MASK = 0x007fffff;

} // namespace

ArithUint256::ArithUint256(const Uint256& blob)
{
    // The host is little-endian (asserted in uint256.cpp), so each 8-byte group
    // of the blob is already the limb's native representation.
    for (int i = 0; i < LIMBS; ++i)
        m_limb[i] = blob.GetUint64(static_cast<size_t>(i));
}

Uint256 ArithUint256::ToUint256() const
{
    Uint256 out;
    std::memcpy(out.data(), m_limb.data(), Uint256::size());
    return out;
}

std::string ArithUint256::GetHex() const
{
    return ToUint256().GetHex();
}

std::optional<ArithUint256> ArithUint256::FromHex(std::string_view hex)
{
    const auto blob = Uint256::FromHex(hex);
    if (!blob) return std::nullopt;
    return ArithUint256{*blob};
}

unsigned ArithUint256::bits() const
{
    for (int i = LIMBS - 1; i >= 0; --i) {
        if (m_limb[i] != 0) {
            return static_cast<unsigned>(64 * i + std::bit_width(m_limb[i]));
        }
    }
    return 0;
}

ArithUint256& ArithUint256::SetCompact(uint32_t compact, bool* negative, bool* overflow)
{
    const unsigned size = compact >> 24;
    uint32_t mantissa = compact & COMPACT_MANTISSA_MASK;
    if (size <= 3) {
        // Fewer than three bytes: the mantissa's low bytes fall off.
        mantissa >>= 8 * (3 - size);
        *this = ArithUint256{mantissa};
    } else {
        *this = ArithUint256{mantissa};
        *this <<= 8 * (size - 3);
    }
    if (negative) *negative = mantissa != 0 && (compact & COMPACT_SIGN_BIT) != 0;
    if (overflow) {
        // A mantissa with k significant bytes needs size <= 32 + (3 - k) to fit.
        *overflow = mantissa != 0 && (size > 34 || (mantissa > 0xff && size > 33) ||
                                      (mantissa > 0xffff && size > 32));
    }
    return *this;
}

uint32_t ArithUint256::GetCompact(bool negative) const
{
    unsigned size = (bits() + 7) / 8;
    uint32_t mantissa;
    if (size <= 3) {
        mantissa = static_cast<uint32_t>(GetLow64() << (8 * (3 - size)));
    } else {
        mantissa = static_cast<uint32_t>((*this >> (8 * (size - 3))).GetLow64());
    }
    // The mantissa must not look negative: move its top byte into the exponent.
    if (mantissa & COMPACT_SIGN_BIT) {
        mantissa >>= 8;
        ++size;
    }
    uint32_t compact = mantissa | (static_cast<uint32_t>(size) << 24);
    if (negative && (mantissa & COMPACT_MANTISSA_MASK) != 0) compact |= COMPACT_SIGN_BIT;
    return compact;
}

ArithUint256& ArithUint256::operator+=(const ArithUint256& b)
{
    uint64_t carry = 0;
    for (int i = 0; i < LIMBS; ++i) {
        const unsigned __int128 sum =
            static_cast<unsigned __int128>(m_limb[i]) + b.m_limb[i] + carry;
        m_limb[i] = static_cast<uint64_t>(sum);
        carry = static_cast<uint64_t>(sum >> 64);
    }
    return *this;
}

ArithUint256& ArithUint256::operator-=(const ArithUint256& b)
{
    uint64_t borrow = 0;
    for (int i = 0; i < LIMBS; ++i) {
        const uint64_t a = m_limb[i];
        const uint64_t d = a - b.m_limb[i] - borrow;
        // Borrow out when b + borrow exceeds a (checked without overflowing).
        borrow = (a < b.m_limb[i] || (a == b.m_limb[i] && borrow)) ? 1 : 0;
        m_limb[i] = d;
    }
    return *this;
}

ArithUint256& ArithUint256::operator*=(const ArithUint256& b)
{
    std::array<uint64_t, LIMBS> out{};
    for (int i = 0; i < LIMBS; ++i) {
        uint64_t carry = 0;
        // Products landing at limb LIMBS or above vanish modulo 2^256.
        for (int j = 0; i + j < LIMBS; ++j) {
            const unsigned __int128 t =
                static_cast<unsigned __int128>(m_limb[i]) * b.m_limb[j] + out[i + j] + carry;
            out[i + j] = static_cast<uint64_t>(t);
            carry = static_cast<uint64_t>(t >> 64);
        }
    }
    m_limb = out;
    return *this;
}

ArithUint256& ArithUint256::operator/=(const ArithUint256& b)
{
    assert(!b.IsZero());
    if (b.IsZero()) {
        *this = ArithUint256{};
        return *this;
    }
    const unsigned num_bits = bits();
    const unsigned div_bits = b.bits();
    if (div_bits > num_bits) {
        *this = ArithUint256{};
        return *this;
    }
    if (num_bits <= 64) {
        m_limb[0] /= b.m_limb[0];
        return *this;
    }
    // Binary long division: line the divisor up under the dividend's top bit
    // and subtract it wherever it fits, one quotient bit per step.
    ArithUint256 remainder = *this;
    ArithUint256 divisor = b;
    ArithUint256 quotient;
    int shift = static_cast<int>(num_bits - div_bits);
    divisor <<= static_cast<unsigned>(shift);
    for (; shift >= 0; --shift) {
        if (remainder >= divisor) {
            remainder -= divisor;
            quotient.m_limb[shift / 64] |= uint64_t{1} << (shift % 64);
        }
        divisor >>= 1;
    }
    *this = quotient;
    return *this;
}

ArithUint256& ArithUint256::operator<<=(unsigned shift)
{
    if (shift >= 256) {
        m_limb.fill(0);
        return *this;
    }
    const unsigned limb_shift = shift / 64;
    const unsigned bit_shift = shift % 64;
    std::array<uint64_t, LIMBS> out{};
    for (int i = LIMBS - 1; i >= static_cast<int>(limb_shift); --i) {
        const int src = i - static_cast<int>(limb_shift);
        out[i] = m_limb[src] << bit_shift;
        if (bit_shift != 0 && src > 0) out[i] |= m_limb[src - 1] >> (64 - bit_shift);
    }
    m_limb = out;
    return *this;
}

ArithUint256& ArithUint256::operator>>=(unsigned shift)
{
    if (shift >= 256) {
        m_limb.fill(0);
        return *this;
    }
    const unsigned limb_shift = shift / 64;
    const unsigned bit_shift = shift % 64;
    std::array<uint64_t, LIMBS> out{};
    for (int i = 0; i + static_cast<int>(limb_shift) < LIMBS; ++i) {
        const int src = i + static_cast<int>(limb_shift);
        out[i] = m_limb[src] >> bit_shift;
        if (bit_shift != 0 && src + 1 < LIMBS) out[i] |= m_limb[src + 1] << (64 - bit_shift);
    }
    m_limb = out;
    return *this;
}

ArithUint256& ArithUint256::operator&=(const ArithUint256& b)
{
    for (int i = 0; i < LIMBS; ++i)
        m_limb[i] &= b.m_limb[i];
    return *this;
}

ArithUint256& ArithUint256::operator|=(const ArithUint256& b)
{
    for (int i = 0; i < LIMBS; ++i)
        m_limb[i] |= b.m_limb[i];
    return *this;
}

ArithUint256& ArithUint256::operator^=(const ArithUint256& b)
{
    for (int i = 0; i < LIMBS; ++i)
        m_limb[i] ^= b.m_limb[i];
    return *this;
}

ArithUint256& ArithUint256::operator++()
{
    return *this += ArithUint256{1};
}

ArithUint256& ArithUint256::operator--()
{
    return *this -= ArithUint256{1};
}

ArithUint256 ArithUint256::operator~() const
{
    ArithUint256 out;
    for (int i = 0; i < LIMBS; ++i)
        out.m_limb[i] = ~m_limb[i];
    return out;
}

ArithUint256 ArithUint256::operator-() const
{
    ArithUint256 out = ~*this;
    ++out;
    return out;
}

} // namespace consensus
