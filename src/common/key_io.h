// Addresses and WIF private keys: the text forms of output scripts and
// secrets, per network.
#pragma once

#include <common/chainparams.h>
#include <consensus/script/script.h>
#include <consensus/uint256.h>
#include <util/expected.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace common {

/// No address: an empty or unrecognised script.
struct NoDestination
{
    friend bool operator==(const NoDestination&, const NoDestination&) = default;
};
/// Pay-to-pubkey (bare key + OP_CHECKSIG). Has a script but no address.
struct PubKeyDestination
{
    std::vector<uint8_t> pubkey{};
    friend bool operator==(const PubKeyDestination&, const PubKeyDestination&) = default;
};
/// P2PKH: HASH160 of a public key.
struct PKHash
{
    consensus::Uint160 hash{};
    friend bool operator==(const PKHash&, const PKHash&) = default;
};
/// P2SH: HASH160 of a redeem script.
struct ScriptHash
{
    consensus::Uint160 hash{};
    friend bool operator==(const ScriptHash&, const ScriptHash&) = default;
};
/// P2WPKH: witness v0 with a 20-byte key hash.
struct WitnessV0KeyHash
{
    consensus::Uint160 hash{};
    friend bool operator==(const WitnessV0KeyHash&, const WitnessV0KeyHash&) = default;
};
/// P2WSH: witness v0 with the SHA-256 of a witness script.
struct WitnessV0ScriptHash
{
    consensus::Uint256 hash{};
    friend bool operator==(const WitnessV0ScriptHash&, const WitnessV0ScriptHash&) = default;
};
/// P2TR: witness v1 with a 32-byte x-only output key.
struct WitnessV1Taproot
{
    consensus::Uint256 output_key{};
    friend bool operator==(const WitnessV1Taproot&, const WitnessV1Taproot&) = default;
};
/// P2A: the keyless anchor output, witness v1 program 0x4e73.
struct PayToAnchor
{
    friend bool operator==(const PayToAnchor&, const PayToAnchor&) = default;
};
/// Any other witness program: version 1..16, 2..40 bytes (forward compatibility).
struct WitnessUnknown
{
    int version{0};
    std::vector<uint8_t> program{};
    friend bool operator==(const WitnessUnknown&, const WitnessUnknown&) = default;
};

/// Where an output pays to.
using Destination =
    std::variant<NoDestination, PubKeyDestination, PKHash, ScriptHash, WitnessV0KeyHash,
                 WitnessV0ScriptHash, WitnessV1Taproot, PayToAnchor, WitnessUnknown>;

/// True if the destination has an address (everything but NoDestination and PubKeyDestination).
bool IsValidDestination(const Destination& dest);

/// Parses an address for the given network. Errors read like Bitcoin Core's
/// ("Invalid checksum", "Invalid Bech32 v0 address program size (N bytes), per BIP141", ...).
util::Expected<Destination> DecodeDestination(std::string_view str, const ChainParams& params);

/// The address text of a destination ("" if it has none); bech32 output is lower-case.
std::string EncodeDestination(const Destination& dest, const ChainParams& params);

/// The output script paying to dest (empty for NoDestination).
consensus::Script GetScriptForDestination(const Destination& dest);

/// The destination of a standard output script: P2PK, P2PKH, P2SH or a witness
/// program (v0 only with 20 or 32 bytes). nullopt for anything else.
std::optional<Destination> ExtractDestination(const consensus::Script& script);

/// Length of a WIF secret.
inline constexpr size_t SECRET_KEY_SIZE = 32;

/// A private key as WIF carries it. The secret is wiped when the object dies.
struct WifKey
{
    std::array<uint8_t, SECRET_KEY_SIZE> secret{};
    /// Whether the matching public key is used in its 33-byte compressed form.
    bool compressed{true};

    WifKey() = default;
    WifKey(const WifKey&) = default;
    WifKey& operator=(const WifKey&) = default;
    ~WifKey();
};

/// True if the 32 bytes are a valid secp256k1 secret (non-zero, below the group order).
bool IsValidSecretKey(std::span<const uint8_t, SECRET_KEY_SIZE> secret);

/// Wallet Import Format text of a secret for the given network.
std::string EncodeSecret(const WifKey& key, const ChainParams& params);

/// Parses WIF for the given network; fails on bad encoding or checksum, another
/// network's prefix, a bad compression marker or a secret out of range.
util::Expected<WifKey> DecodeSecret(std::string_view str, const ChainParams& params);

} // namespace common
