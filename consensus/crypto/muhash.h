// MuHash3072: Bitcoin Core's rolling hash of a multiset of byte strings, the
// digest gettxoutsetinfo reports as "muhash". The hash of a set is the product
// of its elements modulo 2^3072 - 1103717, so elements can be added and removed
// in any order and partial sets combined.
#pragma once

#include <consensus/uint256.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace consensus {

/// A multiset under construction: a numerator (inserted elements) and a
/// denominator (removed ones). Value type; not thread-safe per instance.
class MuHash3072
{
public:
    /// Bytes of one 3072-bit number.
    static constexpr size_t NUM_BYTES = 384;
    /// Serialized size: numerator then denominator, each little-endian.
    static constexpr size_t SERIALIZED_SIZE = 2 * NUM_BYTES;

    /// The empty set.
    MuHash3072();
    /// The set holding exactly `element`.
    explicit MuHash3072(std::span<const uint8_t> element);
    MuHash3072(const MuHash3072& other);
    MuHash3072& operator=(const MuHash3072& other);
    ~MuHash3072();

    /// Adds one element.
    MuHash3072& Insert(std::span<const uint8_t> element);
    /// Removes one element (it need not have been inserted first).
    MuHash3072& Remove(std::span<const uint8_t> element);
    /// Union with another set: every element of `other` is added.
    MuHash3072& operator*=(const MuHash3072& other);
    /// Difference: every element of `other` is removed.
    MuHash3072& operator/=(const MuHash3072& other);

    /// Writes the set's digest (SHA256 of the 384-byte little-endian quotient,
    /// raw byte order). Leaves the object holding the same set.
    void Finalize(Uint256& out);
    /// Same, returned.
    Uint256 Finalize();

    /// Core's serialization of the state: numerator then denominator, 384
    /// bytes little-endian each.
    std::array<uint8_t, SERIALIZED_SIZE> Serialize() const;
    /// Rebuilds a state from Serialize()'s bytes; numbers above the modulus are
    /// accepted as Core accepts them (they count modulo the prime).
    static MuHash3072 Deserialize(std::span<const uint8_t, SERIALIZED_SIZE> bytes);

    /// The 3072-bit number an element maps to: the ChaCha20 keystream keyed by
    /// the element's SHA256, as 384 little-endian bytes (not reduced).
    static std::array<uint8_t, NUM_BYTES> ElementBytes(std::span<const uint8_t> element);

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace consensus
