// Signature verification through libsecp256k1: ECDSA (with a lax DER parser
// for signatures older than BIP66) and BIP340 Schnorr with x-only keys,
// Taproot tweaks, and a salted, bounded signature cache.
//
// Every function here is pure and thread-safe; SignatureCache is internally
// synchronised.
#pragma once

#include <consensus/uint256.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>

namespace consensus {

/// Sizes of serialized keys and signatures.
inline constexpr size_t COMPRESSED_PUBKEY_SIZE = 33;
inline constexpr size_t UNCOMPRESSED_PUBKEY_SIZE = 65;
inline constexpr size_t XONLY_PUBKEY_SIZE = 32;
inline constexpr size_t SCHNORR_SIGNATURE_SIZE = 64;

/// True if the bytes have the length and prefix of a compressed (02/03, 33 bytes)
/// or uncompressed (04, 65 bytes) key. Says nothing about curve membership.
bool IsPubKeyEncodingPlausible(std::span<const uint8_t> pubkey);
/// True if the bytes parse as a point on the curve (33/65 bytes; hybrid 06/07 accepted).
bool IsFullyValidPubKey(std::span<const uint8_t> pubkey);

/// Verifies a DER-ish ECDSA signature (no hash-type byte) over `hash`.
/// The signature is parsed with a lax parser that accepts the encodings
/// pre-BIP66 blocks contain, then S is normalised to low-S before verifying.
bool VerifyEcdsa(std::span<const uint8_t> pubkey, std::span<const uint8_t> sig,
                 const Uint256& hash);

/// True if the signature (no hash-type byte) parses laxly and has a low S value.
bool IsLowDerSignature(std::span<const uint8_t> sig);

/// A BIP340 x-only public key (32 bytes).
class XOnlyPubKey
{
public:
    explicit XOnlyPubKey(std::span<const uint8_t, XONLY_PUBKEY_SIZE> bytes) : m_key{bytes} {}
    explicit XOnlyPubKey(const Uint256& bytes) : m_key{bytes} {}

    /// True if the key is the x coordinate of a curve point.
    bool IsFullyValid() const;
    /// Verifies a 64-byte BIP340 signature over a 32-byte message.
    bool VerifySchnorr(const Uint256& msg, std::span<const uint8_t> sig64) const;
    /// Same for a message of any length (BIP340 allows it; Taproot uses 32 bytes).
    bool VerifySchnorr(std::span<const uint8_t> msg, std::span<const uint8_t> sig64) const;
    /// True if this key is `internal` tweaked by TapTweak(internal || merkle_root)
    /// with the given y parity (BIP341 script-path check). merkle_root may be empty.
    bool CheckTapTweak(const XOnlyPubKey& internal, std::span<const uint8_t> merkle_root,
                       bool parity) const;
    /// The BIP341 output key and its parity for this internal key, or nullopt if
    /// the tweak is out of range. merkle_root null means key-path only (BIP86).
    std::optional<std::pair<XOnlyPubKey, bool>> CreateTapTweak(const Uint256* merkle_root) const;

    const Uint256& bytes() const { return m_key; }
    friend bool operator==(const XOnlyPubKey&, const XOnlyPubKey&) = default;

private:
    Uint256 m_key;
};

/// BIP341 TapTweak hash of an internal key and an optional merkle root.
Uint256 ComputeTapTweakHash(const XOnlyPubKey& internal, const Uint256* merkle_root);

/// A salted set of (message, key, signature) triples already verified valid.
/// Bounded in entries; when full, an arbitrary older entry is evicted. Shared by
/// the mempool and block validation. Thread-safe.
class SignatureCache
{
public:
    /// max_bytes bounds memory (each entry is a 32-byte salted digest).
    explicit SignatureCache(size_t max_bytes = 32 << 20);
    ~SignatureCache();
    SignatureCache(const SignatureCache&) = delete;
    SignatureCache& operator=(const SignatureCache&) = delete;

    /// Digest of an ECDSA triple under this cache's salt.
    Uint256 EcdsaEntry(const Uint256& hash, std::span<const uint8_t> sig,
                       std::span<const uint8_t> pubkey) const;
    /// Digest of a Schnorr triple under this cache's salt (distinct domain).
    Uint256 SchnorrEntry(const Uint256& hash, std::span<const uint8_t> sig,
                         const XOnlyPubKey& pubkey) const;
    /// True if the entry is present; if erase, removes it (used when a block connects).
    bool Contains(const Uint256& entry, bool erase);
    void Insert(const Uint256& entry);
    size_t Size() const;
    /// True if nothing is cached; lock-free, so lookups can be skipped cheaply
    /// (a reindex or initial sync finds an empty cache for every signature).
    bool Empty() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace consensus
