// Bech32 (BIP173) and Bech32m (BIP350): the checksummed base-32 strings of
// native segwit addresses.
#pragma once

#include <util/expected.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace common {

/// Which checksum constant a string verifies against.
enum class Bech32Encoding
{
    BECH32,  //!< BIP173, constant 1: witness version 0
    BECH32M, //!< BIP350, constant 0x2bc830a3: witness versions 1..16
};

/// Longest string BIP173 allows, and the default decode limit.
inline constexpr size_t BECH32_MAX_LENGTH = 90;
/// Characters of checksum at the end of every string.
inline constexpr size_t BECH32_CHECKSUM_SIZE = 6;

/// A decoded string: lower-case HRP and the 5-bit data values without checksum.
struct Bech32Decoded
{
    Bech32Encoding encoding{Bech32Encoding::BECH32};
    std::string hrp{};
    std::vector<uint8_t> data{};
};

/// Encodes hrp (lower-case, 1..83 printable ASCII characters) and 5-bit values
/// (each < 32) into a lower-case string; returns "" if either is malformed.
std::string Bech32Encode(Bech32Encoding encoding, std::string_view hrp,
                         std::span<const uint8_t> values);

/// Decodes either encoding and says which one verified. Rejects mixed case,
/// characters outside 33..126, a missing or misplaced separator, non-alphabet
/// data characters, strings over max_length and bad checksums, with a message.
util::Expected<Bech32Decoded> Bech32Decode(std::string_view str,
                                           size_t max_length = BECH32_MAX_LENGTH);

/// Regroups bit groups of width `from` into groups of width `to` (both 1..8).
/// With pad, a final partial group is zero-padded; without it, leftover bits
/// must be fewer than `from` and all zero, else nullopt.
std::optional<std::vector<uint8_t>> ConvertBits(std::span<const uint8_t> in, int from, int to,
                                                bool pad);

} // namespace common
