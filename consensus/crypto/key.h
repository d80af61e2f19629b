// Private keys and signing, for tests, the wallet and tools. Verification
// never needs this file.
#pragma once

#include <consensus/crypto/pubkey.h>
#include <consensus/uint256.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace consensus {

/// A secp256k1 secret key. The bytes are wiped on destruction.
class PrivKey
{
public:
    /// nullopt if the 32 bytes are zero or not below the curve order.
    static std::optional<PrivKey> FromBytes(std::span<const uint8_t, 32> secret,
                                            bool compressed = true);
    /// A fresh random key (OpenSSL's CSPRNG).
    static PrivKey Generate(bool compressed = true);
    ~PrivKey();
    PrivKey(const PrivKey&) = default;
    PrivKey& operator=(const PrivKey&) = default;

    bool IsCompressed() const { return m_compressed; }
    std::span<const uint8_t, 32> Secret() const { return m_secret; }
    /// Serialized public key (33 bytes if compressed, else 65).
    std::vector<uint8_t> GetPubKey() const;
    /// BIP340 x-only public key.
    XOnlyPubKey GetXOnlyPubKey() const;
    /// DER ECDSA signature with low S (RFC 6979 nonces; grinds for low R when asked).
    std::vector<uint8_t> SignEcdsa(const Uint256& hash, bool grind_low_r = true) const;
    /// BIP340 signature over msg with auxiliary randomness `aux`. A non-null
    /// merkle_root first applies the BIP341 TapTweak with that root (any 32
    /// bytes, zeros included); otherwise key_path_tweak applies the TapTweak
    /// with no root (BIP86); with neither the key signs untweaked. All zeros
    /// (never a valid signature) only if the tweak is out of range.
    std::array<uint8_t, 64> SignSchnorr(const Uint256& msg, std::span<const uint8_t, 32> aux,
                                        const Uint256* merkle_root = nullptr,
                                        bool key_path_tweak = false) const;
    /// Same for a message of any length (BIP340 permits it).
    std::array<uint8_t, 64> SignSchnorr(std::span<const uint8_t> msg,
                                        std::span<const uint8_t, 32> aux,
                                        const Uint256* merkle_root = nullptr,
                                        bool key_path_tweak = false) const;

private:
    PrivKey() = default;
    std::array<uint8_t, 32> m_secret{};
    bool m_compressed{true};
};

} // namespace consensus
