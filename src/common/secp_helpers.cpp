#include <common/secp_helpers.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstring>
#include <random>

namespace common::secp {
namespace {

// Signing wants a randomised context for side-channel blinding; it is created once and
// only read afterwards, which libsecp256k1 allows from any thread.
const secp256k1_context* SigningContext()
{
    static const secp256k1_context* const ctx = [] {
        secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        std::array<uint8_t, 32> seed{};
        std::random_device rd;
        for (auto& b : seed)
            b = static_cast<uint8_t>(rd());
        // Blinding is a side-channel defence only; on failure signatures stay correct.
        if (secp256k1_context_randomize(c, seed.data()) != 1) return c;
        return c;
    }();
    return ctx;
}

std::vector<uint8_t> Serialize(const secp256k1_pubkey& pk, bool compressed)
{
    std::vector<uint8_t> out(compressed ? 33 : 65);
    size_t len = out.size();
    secp256k1_ec_pubkey_serialize(secp256k1_context_static, out.data(), &len, &pk,
                                  compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED);
    out.resize(len);
    return out;
}

bool Parse(std::span<const uint8_t> bytes, secp256k1_pubkey& pk)
{
    if (bytes.size() != 33 && bytes.size() != 65) return false;
    return secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, bytes.data(), bytes.size()) ==
           1;
}

} // namespace

std::optional<std::vector<uint8_t>> PubKeyFromSecret(std::span<const uint8_t, 32> secret,
                                                     bool compressed)
{
    secp256k1_pubkey pk;
    if (secp256k1_ec_pubkey_create(SigningContext(), &pk, secret.data()) != 1) return std::nullopt;
    return Serialize(pk, compressed);
}

std::optional<std::vector<uint8_t>> ReserializePubKey(std::span<const uint8_t> pubkey,
                                                      bool compressed)
{
    secp256k1_pubkey pk;
    if (!Parse(pubkey, pk)) return std::nullopt;
    return Serialize(pk, compressed);
}

std::optional<std::array<uint8_t, 33>> PubKeyTweakAdd(std::span<const uint8_t> pubkey,
                                                      std::span<const uint8_t, 32> tweak)
{
    secp256k1_pubkey pk;
    if (!Parse(pubkey, pk)) return std::nullopt;
    if (secp256k1_ec_pubkey_tweak_add(secp256k1_context_static, &pk, tweak.data()) != 1) {
        return std::nullopt;
    }
    std::array<uint8_t, 33> out{};
    size_t len = out.size();
    secp256k1_ec_pubkey_serialize(secp256k1_context_static, out.data(), &len, &pk,
                                  SECP256K1_EC_COMPRESSED);
    return out;
}

std::optional<std::array<uint8_t, 32>> SecretTweakAdd(std::span<const uint8_t, 32> secret,
                                                      std::span<const uint8_t, 32> tweak)
{
    std::array<uint8_t, 32> out{};
    std::memcpy(out.data(), secret.data(), 32);
    if (secp256k1_ec_seckey_tweak_add(secp256k1_context_static, out.data(), tweak.data()) != 1) {
        return std::nullopt;
    }
    return out;
}

std::optional<std::array<uint8_t, 65>>
SignCompact(std::span<const uint8_t, 32> secret, std::span<const uint8_t, 32> hash, bool compressed)
{
    secp256k1_ecdsa_recoverable_signature sig;
    if (secp256k1_ecdsa_sign_recoverable(SigningContext(), &sig, hash.data(), secret.data(),
                                         secp256k1_nonce_function_rfc6979, nullptr) != 1) {
        return std::nullopt;
    }
    std::array<uint8_t, 65> out{};
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(secp256k1_context_static,
                                                            out.data() + 1, &recid, &sig);
    out[0] = static_cast<uint8_t>(27 + recid + (compressed ? 4 : 0));
    return out;
}

std::optional<std::vector<uint8_t>> RecoverCompact(std::span<const uint8_t> sig65,
                                                   std::span<const uint8_t, 32> hash)
{
    if (sig65.size() != 65) return std::nullopt;
    const int header = sig65[0];
    if (header < 27 || header > 34) return std::nullopt;
    const int recid = (header - 27) & 3;
    const bool compressed = ((header - 27) & 4) != 0;
    secp256k1_ecdsa_recoverable_signature sig;
    if (secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1_context_static, &sig,
                                                            sig65.data() + 1, recid) != 1) {
        return std::nullopt;
    }
    secp256k1_pubkey pk;
    if (secp256k1_ecdsa_recover(secp256k1_context_static, &pk, &sig, hash.data()) != 1) {
        return std::nullopt;
    }
    return Serialize(pk, compressed);
}

} // namespace common::secp
