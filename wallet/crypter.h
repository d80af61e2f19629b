// Wallet encryption primitives, compatible with Bitcoin Core's scheme: a random
// master key is encrypted (AES-256-CBC) under a key derived from the passphrase
// by iterated SHA-512, and each private key is encrypted under the master key
// with an IV taken from its public key.
//
// Everything here is stateless and may be called from any thread. Failures are
// values (DESIGN.md §3): a wrong key or tampered ciphertext is an Error, never
// a crash or an exception.
#pragma once

#include <util/expected.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace wallet {

/// AES-256 key length, the master key's length too.
inline constexpr size_t WALLET_CRYPTO_KEY_SIZE = 32;
/// AES block and CBC IV length.
inline constexpr size_t WALLET_CRYPTO_IV_SIZE = 16;
/// Salt length of the passphrase derivation (Core accepts nothing else).
inline constexpr size_t WALLET_CRYPTO_SALT_SIZE = 8;
/// Fewest derivation rounds a new master key record gets, whatever the clock says.
inline constexpr uint32_t MIN_DERIVE_ITERATIONS = 25000;
/// The only derivation method: Core's BytesToKeySHA512AES.
inline constexpr uint32_t DERIVATION_METHOD_SHA512_AES = 0;
/// Core's wording for a passphrase that does not open the master key.
inline constexpr std::string_view INCORRECT_PASSPHRASE_MESSAGE =
    "The wallet passphrase entered was incorrect.";

/// Secret bytes in one heap block that is wiped (OPENSSL_cleanse) before it is
/// freed. Move-only: a copy must be asked for with Clone(), and the block is
/// never reallocated, so no stale unwiped copy is left behind.
class SecureBytes
{
public:
    /// Empty, no allocation.
    SecureBytes() = default;
    /// `size` zero bytes.
    explicit SecureBytes(size_t size);
    /// A copy of `bytes` (the caller wipes its own copy if it must).
    explicit SecureBytes(std::span<const uint8_t> bytes);
    /// Wipes and frees.
    ~SecureBytes();
    SecureBytes(const SecureBytes&) = delete;
    SecureBytes& operator=(const SecureBytes&) = delete;
    /// Takes the block over; `other` is left empty. No bytes are copied.
    SecureBytes(SecureBytes&& other) noexcept;
    /// Wipes and frees the current block, then takes `other`'s.
    SecureBytes& operator=(SecureBytes&& other) noexcept;

    /// An explicit deep copy.
    SecureBytes Clone() const { return SecureBytes{span()}; }
    /// Zeroes the bytes in place; size and block are kept.
    void Cleanse();
    /// Shrinks the visible size to `size` (<= size()) and wipes the bytes cut off.
    void Truncate(size_t size);

    uint8_t* data() { return m_data.get(); }
    const uint8_t* data() const { return m_data.get(); }
    size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    std::span<uint8_t> span() { return {m_data.get(), m_size}; }
    std::span<const uint8_t> span() const { return {m_data.get(), m_size}; }

private:
    std::unique_ptr<uint8_t[]> m_data;
    size_t m_size{0};
};

/// A derived AES key (32 bytes) and CBC IV (16 bytes).
struct KeyAndIv
{
    SecureBytes key;
    SecureBytes iv;
};

/// Core's BytesToKeySHA512AES: SHA-512(passphrase || salt), re-hashed rounds-1
/// times; key = first 32 bytes, IV = next 16. Fails if rounds is 0 or the salt
/// is not 8 bytes.
util::Expected<KeyAndIv> DeriveKey(std::string_view passphrase, std::span<const uint8_t> salt,
                                   uint32_t rounds);

/// AES-256-CBC with PKCS#7 padding (output is 1 to 16 bytes longer than the
/// input). Fails only on a key that is not 32 bytes or an IV that is not 16.
util::Expected<std::vector<uint8_t>> Encrypt(std::span<const uint8_t> key,
                                             std::span<const uint8_t> iv,
                                             std::span<const uint8_t> plaintext);

/// Inverse of Encrypt. A wrong key, IV or tampered ciphertext usually shows as
/// a padding error; a length that is not a positive multiple of 16 is an error.
util::Expected<SecureBytes> Decrypt(std::span<const uint8_t> key, std::span<const uint8_t> iv,
                                    std::span<const uint8_t> ciphertext);

/// Core's CMasterKey: the master key encrypted under the passphrase-derived key.
struct MasterKeyRecord
{
    std::vector<uint8_t> encrypted_key;
    std::vector<uint8_t> salt;
    uint32_t derivation_method{DERIVATION_METHOD_SHA512_AES};
    uint32_t rounds{MIN_DERIVE_ITERATIONS};
    /// Unused by method 0; kept so records round-trip byte for byte.
    std::vector<uint8_t> other_derivation_parameters;

    friend bool operator==(const MasterKeyRecord&, const MasterKeyRecord&) = default;

    // Core's field order: vchCryptedKey, vchSalt, nDerivationMethod,
    // nDeriveIterations, vchOtherDerivationParameters.
    template <class S, class Self>
    static void Fields(S& s, Self& self)
    {
        s(self.encrypted_key, self.salt, self.derivation_method, self.rounds,
          self.other_derivation_parameters);
    }
};

/// Core's serialization of a master key record (the "mkey" value).
std::vector<uint8_t> SerializeMasterKey(const MasterKeyRecord& record);
/// Strict inverse of SerializeMasterKey: truncation and trailing bytes are errors.
/// Field contents are checked only when the record is used (UnlockMasterKey).
util::Expected<MasterKeyRecord> DeserializeMasterKey(std::span<const uint8_t> bytes);

/// Derivation rounds that take about `target` on this machine for this
/// passphrase, measured and averaged as Core does; never below
/// MIN_DERIVE_ITERATIONS. Takes roughly 2 * target.
uint32_t CalibrateRounds(std::string_view passphrase, std::span<const uint8_t> salt,
                         std::chrono::milliseconds target = std::chrono::milliseconds{100});

/// Knobs for CreateMasterKey and ChangePassphrase.
struct MasterKeyOptions
{
    /// Test hook: use exactly this many rounds instead of calibrating (no minimum).
    std::optional<uint32_t> forced_rounds;
};

/// A fresh master key and its record sealed under a passphrase.
struct NewMasterKey
{
    SecureBytes master_key;
    MasterKeyRecord record;
};

/// Draws a random 32-byte master key and 8-byte salt (OpenSSL CSPRNG),
/// calibrates the rounds and seals the key. Fails on an empty passphrase or if
/// the random generator fails.
util::Expected<NewMasterKey> CreateMasterKey(std::string_view passphrase,
                                             const MasterKeyOptions& options = {});

/// Opens a record with a passphrase. Any failure to decrypt to exactly 32 bytes
/// gives INCORRECT_PASSPHRASE_MESSAGE; an unknown derivation method, 0 rounds or
/// a salt that is not 8 bytes give their own errors. Whether the key really
/// opens the wallet's private keys is the caller's check (as in Core).
util::Expected<SecureBytes> UnlockMasterKey(const MasterKeyRecord& record,
                                            std::string_view passphrase);

/// Re-seals the same master key under a new passphrase with a fresh salt and
/// freshly calibrated rounds. Fails with INCORRECT_PASSPHRASE_MESSAGE if the
/// old passphrase is wrong, or on an empty new passphrase.
util::Expected<MasterKeyRecord> ChangePassphrase(const MasterKeyRecord& record,
                                                 std::string_view old_passphrase,
                                                 std::string_view new_passphrase,
                                                 const MasterKeyOptions& options = {});

/// The IV for a private key: the first 16 bytes of SHA-256d(serialized pubkey).
std::array<uint8_t, WALLET_CRYPTO_IV_SIZE> SecretIvFromPubKey(std::span<const uint8_t> pubkey);

/// Encrypts a private key (or any secret) under the master key with the IV
/// derived from its public key.
util::Expected<std::vector<uint8_t>> EncryptSecret(std::span<const uint8_t> master_key,
                                                   std::span<const uint8_t> secret,
                                                   std::span<const uint8_t> pubkey);

/// Inverse of EncryptSecret; errors as Decrypt.
util::Expected<SecureBytes> DecryptSecret(std::span<const uint8_t> master_key,
                                          std::span<const uint8_t> ciphertext,
                                          std::span<const uint8_t> pubkey);

/// DecryptSecret plus Core's DecryptKey checks: the secret is 32 bytes, a valid
/// secp256k1 key, and its public key (compression taken from `pubkey`) equals
/// `pubkey`. Catches a wrong master key that happened to pass the padding check.
util::Expected<SecureBytes> DecryptPrivateKey(std::span<const uint8_t> master_key,
                                              std::span<const uint8_t> ciphertext,
                                              std::span<const uint8_t> pubkey);

} // namespace wallet
