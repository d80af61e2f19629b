// Thin libsecp256k1 helpers for key derivation and message signing: the few
// operations BIP32, descriptors and "Bitcoin Signed Message" need beyond what
// consensus/crypto exposes. Every function is pure and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace common::secp {

/// Serialized public key (33 bytes compressed, else 65) of a secret; nullopt if out of range.
std::optional<std::vector<uint8_t>> PubKeyFromSecret(std::span<const uint8_t, 32> secret,
                                                     bool compressed = true);

/// The same point re-serialized compressed (33) or uncompressed (65); nullopt if invalid.
std::optional<std::vector<uint8_t>> ReserializePubKey(std::span<const uint8_t> pubkey,
                                                      bool compressed);

/// pubkey + tweak*G, compressed; nullopt if the key is invalid or the result is infinity.
std::optional<std::array<uint8_t, 33>> PubKeyTweakAdd(std::span<const uint8_t> pubkey,
                                                      std::span<const uint8_t, 32> tweak);

/// (secret + tweak) mod n; nullopt if the tweak is out of range or the result is zero.
std::optional<std::array<uint8_t, 32>> SecretTweakAdd(std::span<const uint8_t, 32> secret,
                                                      std::span<const uint8_t, 32> tweak);

/// 65-byte compact recoverable signature (header 27 + recid + 4 if compressed, then r, s)
/// over a 32-byte hash with an RFC 6979 nonce; nullopt if the secret is invalid.
std::optional<std::array<uint8_t, 65>> SignCompact(std::span<const uint8_t, 32> secret,
                                                   std::span<const uint8_t, 32> hash,
                                                   bool compressed);

/// The public key (compressed or not, per the header byte) that produced a compact
/// signature over hash; nullopt if the signature is malformed or recovery fails.
std::optional<std::vector<uint8_t>> RecoverCompact(std::span<const uint8_t> sig65,
                                                   std::span<const uint8_t, 32> hash);

} // namespace common::secp
