#include <consensus/crypto/key.h>

#include <consensus/crypto/secp_context.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace consensus {

namespace {

// Largest DER encoding of a secp256k1 signature: two 33-byte integers plus headers.
constexpr size_t MAX_DER_SIGNATURE_SIZE = 72;

// Wipes a secret-bearing object on scope exit.
template <class T>
struct Cleanse
{
    T& obj;
    ~Cleanse() { OPENSSL_cleanse(&obj, sizeof(obj)); }
};

// A DER R of at most 32 bytes has its top bit clear; that saves a byte in
// every signature and makes fee estimates exact.
bool HasLowR(const secp256k1_context* ctx, const secp256k1_ecdsa_signature& sig)
{
    uint8_t compact[64];
    (void)secp256k1_ecdsa_signature_serialize_compact(ctx, compact, &sig);
    return compact[0] < 0x80;
}

// The secret was range-checked on construction, so these library calls
// cannot fail; a failure means memory corruption or a library bug.
void Require(int ok)
{
    if (ok != 1) {
        std::fputs("minibit: secp256k1 rejected a checked private key\n", stderr);
        std::abort();
    }
}

} // namespace

std::optional<PrivKey> PrivKey::FromBytes(std::span<const uint8_t, 32> secret, bool compressed)
{
    if (!secp256k1_ec_seckey_verify(secp::VerifyContext(), secret.data())) return std::nullopt;
    PrivKey key;
    std::memcpy(key.m_secret.data(), secret.data(), secret.size());
    key.m_compressed = compressed;
    return key;
}

PrivKey PrivKey::Generate(bool compressed)
{
    PrivKey key;
    key.m_compressed = compressed;
    // A value outside [1, n) turns up with probability ~2^-128; just draw again.
    do {
        if (RAND_bytes(key.m_secret.data(), static_cast<int>(key.m_secret.size())) != 1) {
            std::fputs("minibit: the OpenSSL random generator failed\n", stderr);
            std::abort();
        }
    } while (!secp256k1_ec_seckey_verify(secp::VerifyContext(), key.m_secret.data()));
    return key;
}

PrivKey::~PrivKey()
{
    OPENSSL_cleanse(m_secret.data(), m_secret.size());
}

std::vector<uint8_t> PrivKey::GetPubKey() const
{
    const secp256k1_context* ctx = secp::SignContext();
    secp256k1_pubkey pubkey;
    // Cannot fail: the secret was checked on construction.
    Require(secp256k1_ec_pubkey_create(ctx, &pubkey, m_secret.data()));
    std::vector<uint8_t> out(m_compressed ? COMPRESSED_PUBKEY_SIZE : UNCOMPRESSED_PUBKEY_SIZE);
    size_t len = out.size();
    (void)secp256k1_ec_pubkey_serialize(ctx, out.data(), &len, &pubkey,
                                        m_compressed ? SECP256K1_EC_COMPRESSED
                                                     : SECP256K1_EC_UNCOMPRESSED);
    out.resize(len);
    return out;
}

XOnlyPubKey PrivKey::GetXOnlyPubKey() const
{
    const secp256k1_context* ctx = secp::SignContext();
    secp256k1_keypair keypair;
    const Cleanse<secp256k1_keypair> wipe{keypair};
    Require(secp256k1_keypair_create(ctx, &keypair, m_secret.data()));
    secp256k1_xonly_pubkey xonly;
    Require(secp256k1_keypair_xonly_pub(ctx, &xonly, nullptr, &keypair));
    Uint256 bytes;
    (void)secp256k1_xonly_pubkey_serialize(ctx, bytes.data(), &xonly);
    return XOnlyPubKey{bytes};
}

std::vector<uint8_t> PrivKey::SignEcdsa(const Uint256& hash, bool grind_low_r) const
{
    const secp256k1_context* ctx = secp::SignContext();
    secp256k1_ecdsa_signature sig;
    // The first attempt is plain RFC 6979, so signatures without grinding (and
    // the first grind round) match every other RFC 6979 signer.
    (void)secp256k1_ecdsa_sign(ctx, &sig, hash.data(), m_secret.data(),
                               secp256k1_nonce_function_rfc6979, nullptr);
    if (grind_low_r) {
        // Each retry feeds a counter as extra entropy, which keeps the nonce
        // deterministic; about half of all R values are low, so this ends fast.
        uint8_t extra_entropy[32] = {};
        for (uint32_t counter = 1; !HasLowR(ctx, sig); ++counter) {
            for (size_t i = 0; i < 4; ++i)
                extra_entropy[i] = static_cast<uint8_t>(counter >> (8 * i));
            (void)secp256k1_ecdsa_sign(ctx, &sig, hash.data(), m_secret.data(),
                                       secp256k1_nonce_function_rfc6979, extra_entropy);
        }
    }
    std::vector<uint8_t> der(MAX_DER_SIGNATURE_SIZE);
    size_t len = der.size();
    (void)secp256k1_ecdsa_signature_serialize_der(ctx, der.data(), &len, &sig);
    der.resize(len);
    return der;
}

std::array<uint8_t, 64> PrivKey::SignSchnorr(const Uint256& msg, std::span<const uint8_t, 32> aux,
                                             const Uint256* merkle_root, bool key_path_tweak) const
{
    return SignSchnorr(std::span<const uint8_t>{msg.data(), msg.size()}, aux, merkle_root,
                       key_path_tweak);
}

std::array<uint8_t, 64> PrivKey::SignSchnorr(std::span<const uint8_t> msg,
                                             std::span<const uint8_t, 32> aux,
                                             const Uint256* merkle_root, bool key_path_tweak) const
{
    const secp256k1_context* ctx = secp::SignContext();
    std::array<uint8_t, 64> sig{};
    secp256k1_keypair keypair;
    const Cleanse<secp256k1_keypair> wipe{keypair};
    Require(secp256k1_keypair_create(ctx, &keypair, m_secret.data()));
    if (merkle_root != nullptr || key_path_tweak) {
        secp256k1_xonly_pubkey internal;
        Require(secp256k1_keypair_xonly_pub(ctx, &internal, nullptr, &keypair));
        Uint256 internal_bytes;
        (void)secp256k1_xonly_pubkey_serialize(ctx, internal_bytes.data(), &internal);
        const Uint256 tweak = ComputeTapTweakHash(XOnlyPubKey{internal_bytes}, merkle_root);
        if (!secp256k1_keypair_xonly_tweak_add(ctx, &keypair, tweak.data())) return sig;
    }
    // The tagged nonce derivation mixes in `aux`, so a zero aux still signs
    // safely; callers pass fresh randomness to blunt fault and side-channel attacks.
    int ok = 0;
    if (msg.size() == 32) {
        ok = secp256k1_schnorrsig_sign32(ctx, sig.data(), msg.data(), &keypair, aux.data());
    } else {
        secp256k1_schnorrsig_extraparams params = SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT;
        params.ndata = const_cast<uint8_t*>(aux.data()); // the library only reads it
        ok = secp256k1_schnorrsig_sign_custom(ctx, sig.data(), msg.data(), msg.size(), &keypair,
                                              &params);
    }
    if (!ok) sig.fill(0);
    return sig;
}

} // namespace consensus
