// Base58 and Base58Check (legacy addresses, WIF keys, BIP32 extended keys).
#pragma once

#include <util/expected.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace common {

/// Base58 text of the bytes; each leading zero byte becomes a '1'.
std::string EncodeBase58(std::span<const uint8_t> data);

/// Decodes Base58 text (leading and trailing ASCII whitespace is ignored, as in
/// Bitcoin Core). Fails on any other non-alphabet character or if the result
/// would exceed max_len bytes; work is bounded by max_len, not by the input.
util::Expected<std::vector<uint8_t>> DecodeBase58(std::string_view str, size_t max_len);

/// Base58 of data followed by the first four bytes of its SHA-256d.
std::string EncodeBase58Check(std::span<const uint8_t> data);

/// Decodes Base58Check and verifies the checksum; the result (without the
/// checksum) is at most max_len bytes.
util::Expected<std::vector<uint8_t>> DecodeBase58Check(std::string_view str, size_t max_len);

} // namespace common
