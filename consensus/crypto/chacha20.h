// The ChaCha20 stream cipher's keystream (RFC 8439 block function: 256-bit key,
// 32-bit block counter, 96-bit nonce). MuHash3072 expands set elements with it.
#pragma once

#include <cstdint>
#include <span>

namespace consensus {

/// Fills `out` with the keystream of `key`/`nonce` starting at block `counter`
/// (64 bytes per block); a partial last block is truncated. Pure, any thread.
void ChaCha20Keystream(std::span<const uint8_t, 32> key, std::span<const uint8_t, 12> nonce,
                       uint32_t counter, std::span<uint8_t> out);

} // namespace consensus
