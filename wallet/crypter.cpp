// The low-level SHA-512 context API: the derivation hashes 64 bytes tens of
// thousands of times, where EVP's per-call dispatch would dominate.
#define OPENSSL_SUPPRESS_DEPRECATED

#include <wallet/crypter.h>

#include <consensus/crypto/key.h>
#include <consensus/hash.h>
#include <consensus/serialize.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

namespace wallet {

// ---- SecureBytes ------------------------------------------------------------

SecureBytes::SecureBytes(size_t size) : m_data{size ? new uint8_t[size]{} : nullptr}, m_size{size}
{}

SecureBytes::SecureBytes(std::span<const uint8_t> bytes) : SecureBytes(bytes.size())
{
    if (!bytes.empty()) std::memcpy(m_data.get(), bytes.data(), bytes.size());
}

SecureBytes::~SecureBytes()
{
    Cleanse();
}

SecureBytes::SecureBytes(SecureBytes&& other) noexcept
    : m_data{std::move(other.m_data)}, m_size{std::exchange(other.m_size, 0)}
{}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept
{
    if (this != &other) {
        Cleanse();
        m_data = std::move(other.m_data);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

void SecureBytes::Cleanse()
{
    if (m_data && m_size) OPENSSL_cleanse(m_data.get(), m_size);
}

void SecureBytes::Truncate(size_t size)
{
    if (size >= m_size) return;
    OPENSSL_cleanse(m_data.get() + size, m_size - size);
    m_size = size;
}

// ---- key derivation and AES ---------------------------------------------------

namespace {

// Wipes a stack buffer on every exit path.
template <class T>
struct ScopedCleanse
{
    T& obj;
    ~ScopedCleanse() { OPENSSL_cleanse(&obj, sizeof(obj)); }
};
// Clang 14 has no deduction for aggregates (P1816), so spell it out.
template <class T>
ScopedCleanse(T&) -> ScopedCleanse<T>;

struct CipherCtxDeleter
{
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

util::Error KeyIvSizeError(std::span<const uint8_t> key, std::span<const uint8_t> iv)
{
    return util::Unexpected("AES-256-CBC needs a 32-byte key and a 16-byte IV, got " +
                            std::to_string(key.size()) + " and " + std::to_string(iv.size()));
}

bool KeyIvSizesOk(std::span<const uint8_t> key, std::span<const uint8_t> iv)
{
    return key.size() == WALLET_CRYPTO_KEY_SIZE && iv.size() == WALLET_CRYPTO_IV_SIZE;
}

// Fills `out` from OpenSSL's CSPRNG.
bool GetRandom(std::span<uint8_t> out)
{
    return RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
}

} // namespace

util::Expected<KeyAndIv> DeriveKey(std::string_view passphrase, std::span<const uint8_t> salt,
                                   uint32_t rounds)
{
    if (rounds < 1) return util::Unexpected("key derivation needs at least one round");
    if (salt.size() != WALLET_CRYPTO_SALT_SIZE) {
        return util::Unexpected("key derivation salt must be 8 bytes, got " +
                                std::to_string(salt.size()));
    }
    uint8_t buf[SHA512_DIGEST_LENGTH];
    SHA512_CTX ctx;
    ScopedCleanse wipe_buf{buf};
    ScopedCleanse wipe_ctx{ctx};

    SHA512_Init(&ctx);
    SHA512_Update(&ctx, passphrase.data(), passphrase.size());
    SHA512_Update(&ctx, salt.data(), salt.size());
    SHA512_Final(buf, &ctx);
    for (uint32_t i = 1; i < rounds; ++i) {
        SHA512_Init(&ctx);
        SHA512_Update(&ctx, buf, sizeof(buf));
        SHA512_Final(buf, &ctx);
    }
    const std::span<const uint8_t> digest{buf};
    return KeyAndIv{SecureBytes{digest.first(WALLET_CRYPTO_KEY_SIZE)},
                    SecureBytes{digest.subspan(WALLET_CRYPTO_KEY_SIZE, WALLET_CRYPTO_IV_SIZE)}};
}

util::Expected<std::vector<uint8_t>> Encrypt(std::span<const uint8_t> key,
                                             std::span<const uint8_t> iv,
                                             std::span<const uint8_t> plaintext)
{
    if (!KeyIvSizesOk(key, iv)) return KeyIvSizeError(key, iv);
    // EVP takes int lengths; wallet secrets are tiny, so a cap far below INT_MAX is no limit.
    if (plaintext.size() > static_cast<size_t>(INT_MAX) - WALLET_CRYPTO_IV_SIZE) {
        return util::Unexpected("plaintext too large to encrypt");
    }
    CipherCtx ctx{EVP_CIPHER_CTX_new()};
    if (!ctx) return util::Unexpected("out of memory creating a cipher context");
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), iv.data()) != 1) {
        return util::Unexpected("AES-256-CBC encryption could not start");
    }
    std::vector<uint8_t> out(plaintext.size() + WALLET_CRYPTO_IV_SIZE);
    int len = 0;
    if (EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(),
                          static_cast<int>(plaintext.size())) != 1) {
        return util::Unexpected("AES-256-CBC encryption failed");
    }
    int final_len = 0;
    if (EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &final_len) != 1) {
        return util::Unexpected("AES-256-CBC encryption failed");
    }
    out.resize(static_cast<size_t>(len) + static_cast<size_t>(final_len));
    return out;
}

util::Expected<SecureBytes> Decrypt(std::span<const uint8_t> key, std::span<const uint8_t> iv,
                                    std::span<const uint8_t> ciphertext)
{
    if (!KeyIvSizesOk(key, iv)) return KeyIvSizeError(key, iv);
    if (ciphertext.empty() || ciphertext.size() % WALLET_CRYPTO_IV_SIZE != 0 ||
        ciphertext.size() > static_cast<size_t>(INT_MAX) - WALLET_CRYPTO_IV_SIZE) {
        return util::Unexpected("ciphertext length " + std::to_string(ciphertext.size()) +
                                " is not a positive multiple of the AES block size");
    }
    CipherCtx ctx{EVP_CIPHER_CTX_new()};
    if (!ctx) return util::Unexpected("out of memory creating a cipher context");
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), iv.data()) != 1) {
        return util::Unexpected("AES-256-CBC decryption could not start");
    }
    // EVP may write up to one block beyond the input during Update.
    SecureBytes out{ciphertext.size() + WALLET_CRYPTO_IV_SIZE};
    int len = 0;
    if (EVP_DecryptUpdate(ctx.get(), out.data(), &len, ciphertext.data(),
                          static_cast<int>(ciphertext.size())) != 1) {
        return util::Unexpected("AES-256-CBC decryption failed");
    }
    int final_len = 0;
    if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &final_len) != 1) {
        return util::Unexpected("AES-256-CBC decryption failed: bad padding (wrong key or "
                                "corrupted ciphertext)");
    }
    out.Truncate(static_cast<size_t>(len) + static_cast<size_t>(final_len));
    return out;
}

// ---- master key record ----------------------------------------------------------

std::vector<uint8_t> SerializeMasterKey(const MasterKeyRecord& record)
{
    return consensus::Encode(record);
}

util::Expected<MasterKeyRecord> DeserializeMasterKey(std::span<const uint8_t> bytes)
{
    return consensus::Decode<MasterKeyRecord>(bytes);
}

uint32_t CalibrateRounds(std::string_view passphrase, std::span<const uint8_t> salt,
                         std::chrono::milliseconds target)
{
    constexpr uint32_t MAX_FIRST_ESTIMATE = 1000 * MIN_DERIVE_ITERATIONS;
    using Clock = std::chrono::steady_clock;
    using Ms = std::chrono::duration<double, std::milli>;
    const double target_ms = Ms{target}.count();
    // Rounds that would fill `target` at the speed just measured; a clock too
    // coarse to see any time passing gives the cap, and the cap keeps the
    // later double -> uint32 conversions defined.
    const auto scale = [&](uint32_t rounds, Clock::duration elapsed) -> double {
        const double ms = Ms{elapsed}.count();
        if (ms <= 0) return std::numeric_limits<uint32_t>::max();
        return std::min<double>(rounds * target_ms / ms, std::numeric_limits<uint32_t>::max());
    };

    // Core's procedure: time the minimum, extrapolate, time the extrapolation
    // and average the two estimates.
    auto start = Clock::now();
    (void)DeriveKey(passphrase, salt, MIN_DERIVE_ITERATIONS);
    // The clamp bounds the second, timed derivation if the first measurement
    // was absurdly short (a coarse or misbehaving clock).
    uint32_t rounds = static_cast<uint32_t>(scale(MIN_DERIVE_ITERATIONS, Clock::now() - start));
    rounds = std::clamp(rounds, MIN_DERIVE_ITERATIONS, MAX_FIRST_ESTIMATE);

    start = Clock::now();
    (void)DeriveKey(passphrase, salt, rounds);
    const double second = scale(rounds, Clock::now() - start);
    rounds = static_cast<uint32_t>((rounds + second) / 2);
    return std::max(rounds, MIN_DERIVE_ITERATIONS);
}

namespace {

// Seals `master_key` under `passphrase` with a fresh salt and the chosen rounds.
util::Expected<MasterKeyRecord> SealMasterKey(std::span<const uint8_t> master_key,
                                              std::string_view passphrase,
                                              const MasterKeyOptions& options)
{
    if (passphrase.empty()) return util::Unexpected("passphrase cannot be empty");
    MasterKeyRecord record;
    record.salt.resize(WALLET_CRYPTO_SALT_SIZE);
    if (!GetRandom(record.salt)) return util::Unexpected("random number generator failed");
    record.derivation_method = DERIVATION_METHOD_SHA512_AES;
    record.rounds =
        options.forced_rounds ? *options.forced_rounds : CalibrateRounds(passphrase, record.salt);
    auto derived = DeriveKey(passphrase, record.salt, record.rounds);
    if (!derived) return derived.error();
    auto sealed = Encrypt(derived->key.span(), derived->iv.span(), master_key);
    if (!sealed) return sealed.error();
    record.encrypted_key = std::move(*sealed);
    return record;
}

} // namespace

util::Expected<NewMasterKey> CreateMasterKey(std::string_view passphrase,
                                             const MasterKeyOptions& options)
{
    SecureBytes master_key{WALLET_CRYPTO_KEY_SIZE};
    if (!GetRandom(master_key.span())) return util::Unexpected("random number generator failed");
    auto record = SealMasterKey(master_key.span(), passphrase, options);
    if (!record) return record.error();
    return NewMasterKey{std::move(master_key), std::move(*record)};
}

util::Expected<SecureBytes> UnlockMasterKey(const MasterKeyRecord& record,
                                            std::string_view passphrase)
{
    if (record.derivation_method != DERIVATION_METHOD_SHA512_AES) {
        return util::Unexpected("unsupported key derivation method " +
                                std::to_string(record.derivation_method));
    }
    auto derived = DeriveKey(passphrase, record.salt, record.rounds);
    if (!derived) return derived.error();
    auto master_key = Decrypt(derived->key.span(), derived->iv.span(), record.encrypted_key);
    // A wrong key passes the padding check about once in 256 tries, but then
    // almost never yields exactly one 32-byte key (the whole last block must be
    // padding), so the length check makes a false accept negligible.
    if (!master_key || master_key->size() != WALLET_CRYPTO_KEY_SIZE) {
        return util::Unexpected(std::string{INCORRECT_PASSPHRASE_MESSAGE});
    }
    return std::move(*master_key);
}

util::Expected<MasterKeyRecord> ChangePassphrase(const MasterKeyRecord& record,
                                                 std::string_view old_passphrase,
                                                 std::string_view new_passphrase,
                                                 const MasterKeyOptions& options)
{
    if (new_passphrase.empty()) return util::Unexpected("passphrase cannot be empty");
    auto master_key = UnlockMasterKey(record, old_passphrase);
    if (!master_key) return master_key.error();
    return SealMasterKey(master_key->span(), new_passphrase, options);
}

// ---- private keys -------------------------------------------------------------------

std::array<uint8_t, WALLET_CRYPTO_IV_SIZE> SecretIvFromPubKey(std::span<const uint8_t> pubkey)
{
    const consensus::Uint256 hash = consensus::Hash256(pubkey);
    std::array<uint8_t, WALLET_CRYPTO_IV_SIZE> iv;
    std::memcpy(iv.data(), hash.data(), iv.size());
    return iv;
}

util::Expected<std::vector<uint8_t>> EncryptSecret(std::span<const uint8_t> master_key,
                                                   std::span<const uint8_t> secret,
                                                   std::span<const uint8_t> pubkey)
{
    const auto iv = SecretIvFromPubKey(pubkey);
    return Encrypt(master_key, iv, secret);
}

util::Expected<SecureBytes> DecryptSecret(std::span<const uint8_t> master_key,
                                          std::span<const uint8_t> ciphertext,
                                          std::span<const uint8_t> pubkey)
{
    const auto iv = SecretIvFromPubKey(pubkey);
    return Decrypt(master_key, iv, ciphertext);
}

util::Expected<SecureBytes> DecryptPrivateKey(std::span<const uint8_t> master_key,
                                              std::span<const uint8_t> ciphertext,
                                              std::span<const uint8_t> pubkey)
{
    if (!consensus::IsPubKeyEncodingPlausible(pubkey)) {
        return util::Unexpected("public key is not 33 or 65 bytes with a valid prefix");
    }
    auto secret = DecryptSecret(master_key, ciphertext, pubkey);
    if (!secret) return secret.error();
    if (secret->size() != 32) return util::Unexpected("decrypted private key is not 32 bytes");
    const bool compressed = pubkey.size() == consensus::COMPRESSED_PUBKEY_SIZE;
    const auto key =
        consensus::PrivKey::FromBytes(std::span<const uint8_t, 32>{secret->data(), 32}, compressed);
    if (!key) return util::Unexpected("decrypted private key is out of range");
    const std::vector<uint8_t> derived = key->GetPubKey();
    if (!std::equal(derived.begin(), derived.end(), pubkey.begin(), pubkey.end())) {
        return util::Unexpected("decrypted private key does not match its public key");
    }
    return std::move(*secret);
}

} // namespace wallet
