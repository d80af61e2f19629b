// BIP32 hierarchical deterministic keys: extended keys, child derivation,
// fingerprints, the xpub/xprv (tpub/tprv) text form and derivation paths.
#pragma once

#include <common/chainparams.h>
#include <util/expected.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace common {

/// Child indexes at or above this are hardened.
inline constexpr uint32_t BIP32_HARDENED = 0x80000000U;
/// Size of a serialized extended key without version bytes.
inline constexpr size_t BIP32_EXTKEY_SIZE = 74;

/// A sequence of child indexes (hardened ones have BIP32_HARDENED set).
using KeyPath = std::vector<uint32_t>;
/// First four bytes of HASH160 of a compressed public key.
using Fingerprint = std::array<uint8_t, 4>;

/// Fingerprint of a serialized public key (its HASH160's first four bytes).
Fingerprint KeyFingerprint(std::span<const uint8_t> pubkey);

/// An extended public key.
struct ExtPubKey
{
    uint8_t depth{0};
    Fingerprint parent_fingerprint{};
    uint32_t child{0};
    std::array<uint8_t, 32> chaincode{};
    std::array<uint8_t, 33> pubkey{};

    /// Public CKD (BIP32 CKDpub); nullopt for a hardened index or the ~2^-127 invalid case.
    std::optional<ExtPubKey> Derive(uint32_t index) const;
    /// This key's own fingerprint (what its children record as parent).
    Fingerprint GetFingerprint() const { return KeyFingerprint(pubkey); }
    /// The 74-byte BIP32 serialization without version.
    std::array<uint8_t, BIP32_EXTKEY_SIZE> Encode() const;
    /// Parses the 74-byte serialization; fails on an invalid public key.
    static std::optional<ExtPubKey> Decode(std::span<const uint8_t> bytes);
    friend bool operator==(const ExtPubKey&, const ExtPubKey&) = default;
};

/// An extended private key. The secret is wiped when the object dies.
struct ExtKey
{
    uint8_t depth{0};
    Fingerprint parent_fingerprint{};
    uint32_t child{0};
    std::array<uint8_t, 32> chaincode{};
    std::array<uint8_t, 32> secret{};

    ExtKey() = default;
    ExtKey(const ExtKey&) = default;
    ExtKey& operator=(const ExtKey&) = default;
    ~ExtKey();

    /// The master key of a seed (16..64 bytes per BIP32; any length is accepted);
    /// nullopt in the ~2^-127 invalid case.
    static std::optional<ExtKey> FromSeed(std::span<const uint8_t> seed);
    /// Private CKD (BIP32 CKDpriv), hardened or not; nullopt in the invalid case.
    std::optional<ExtKey> Derive(uint32_t index) const;
    /// The matching extended public key.
    ExtPubKey Neuter() const;
    /// Compressed public key of the secret.
    std::array<uint8_t, 33> PubKey() const;
    /// The 74-byte BIP32 serialization without version.
    std::array<uint8_t, BIP32_EXTKEY_SIZE> Encode() const;
    /// Parses the 74-byte serialization; fails on a bad 0x00 marker or secret out of range.
    static std::optional<ExtKey> Decode(std::span<const uint8_t> bytes);
    friend bool operator==(const ExtKey&, const ExtKey&) = default;
};

/// Base58Check text (xpub/tpub) with the network's version bytes.
std::string EncodeExtPubKey(const ExtPubKey& key, const ChainParams& params);
/// Base58Check text (xprv/tprv) with the network's version bytes.
std::string EncodeExtKey(const ExtKey& key, const ChainParams& params);
/// Parses xpub/tpub text for this network; fails on encoding, checksum, size, prefix or key.
util::Expected<ExtPubKey> DecodeExtPubKey(std::string_view str, const ChainParams& params);
/// Parses xprv/tprv text for this network.
util::Expected<ExtKey> DecodeExtKey(std::string_view str, const ChainParams& params);

/// Parses "m/84h/0'/0" (leading "m" optional, "h" or "'" for hardened); fails on
/// empty elements, non-numbers and indexes of 2^31 or more.
util::Expected<KeyPath> ParseHDKeypath(std::string_view path);
/// Formats a path as "/84h/0h/0" (or with "'" when apostrophe); "" for an empty path.
std::string FormatHDKeypath(const KeyPath& path, bool apostrophe = false);

} // namespace common
