// Base64 (RFC 4648, standard alphabet, '=' padding), strict as Bitcoin Core
// decodes it: length a multiple of 4, at most two trailing '=', no other
// characters, unused bits zero. Used by HTTP Basic auth, signed messages and PSBT.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace util {

/// Encodes bytes.
std::string EncodeBase64(std::span<const uint8_t> data);
/// Encodes the bytes of a text.
std::string EncodeBase64(std::string_view text);
/// Decodes strictly; nullopt for anything that is not canonical base64.
std::optional<std::vector<uint8_t>> DecodeBase64(std::string_view text);

} // namespace util
