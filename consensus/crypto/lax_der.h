// Lenient DER decoding of ECDSA signatures. Internal to consensus/crypto.
#pragma once

#include <secp256k1.h>

#include <cstdint>
#include <span>

namespace consensus {

/// Decodes a DER-like ECDSA signature the way pre-BIP66 consensus accepted it:
/// negative or zero-padded integers, long-form and zero-padded length fields,
/// and bytes after S are all tolerated. Returns false only when the structure
/// (tags and lengths) is unreadable. R or S that do not fit below the curve
/// order yield a signature that parses but can never verify. Any thread.
bool ParseDerLax(std::span<const uint8_t> input, secp256k1_ecdsa_signature& sig);

} // namespace consensus
