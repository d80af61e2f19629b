// Hex and small string helpers shared by every layer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace util {

/// Lower-case hex of the bytes, in order.
std::string HexStr(std::span<const uint8_t> bytes);

/// Strict hex decode: even length, only [0-9a-fA-F]; nullopt otherwise.
std::optional<std::vector<uint8_t>> TryParseHex(std::string_view hex);

/// True if every character is a hex digit and the length is even.
bool IsHex(std::string_view str);

/// Value of one hex digit, or -1.
int HexDigit(char c);

/// Trims ASCII whitespace (space, \t, \r, \n, \f, \v) from both ends.
std::string_view TrimString(std::string_view str);

/// Lower-cases ASCII letters only (locale independent).
std::string ToLower(std::string_view str);

/// Parses a whole decimal int64 (optional leading '-'); nullopt on junk or overflow.
std::optional<int64_t> ParseInt64(std::string_view str);

/// Core's ParseFixedPoint: "-12.345", "1e-8" and the like as an integer scaled by
/// 10^decimals; nullopt when malformed, out of int64 range, or with more significant
/// decimals than `decimals`.
std::optional<int64_t> ParseFixedPoint(std::string_view text, int decimals);

/// Splits on every occurrence of `sep`, keeping empty pieces.
std::vector<std::string> SplitString(std::string_view str, char sep);

} // namespace util
