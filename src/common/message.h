// Bitcoin Signed Messages (Core's signmessage / verifymessage format): the message hash and
// compact recoverable signatures over it, shared by the RPC utilities and the wallet.
#pragma once

#include <consensus/uint256.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace common {

/// The prefix Core hashes in front of every signed message.
inline constexpr std::string_view MESSAGE_MAGIC{"Bitcoin Signed Message:\n"};

/// SHA-256d of MESSAGE_MAGIC and the message, each preceded by its CompactSize length.
consensus::Uint256 MessageHash(std::string_view message);

/// Base64 of the 65-byte compact signature of the message hash; nullopt for an invalid secret.
std::optional<std::string> SignMessage(std::span<const uint8_t, 32> secret, bool compressed,
                                       std::string_view message);

/// The public key that made a (decoded) compact signature over the message; nullopt if the
/// signature is malformed or recovery fails.
std::optional<std::vector<uint8_t>> RecoverMessagePubKey(std::span<const uint8_t> signature,
                                                         std::string_view message);

} // namespace common
