#include <consensus/crypto/pubkey.h>

#include <consensus/crypto/lax_der.h>
#include <consensus/crypto/secp_context.h>
#include <consensus/hash.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

namespace consensus {

namespace {

// libsecp256k1 aborts on null input pointers, and an empty span may carry one,
// so every entry point checks sizes before handing bytes over.
bool ParsePubKey(std::span<const uint8_t> bytes, secp256k1_pubkey& out)
{
    if (bytes.size() != COMPRESSED_PUBKEY_SIZE && bytes.size() != UNCOMPRESSED_PUBKEY_SIZE) {
        return false;
    }
    return secp256k1_ec_pubkey_parse(secp::VerifyContext(), &out, bytes.data(), bytes.size()) == 1;
}

bool ParseXOnly(const Uint256& bytes, secp256k1_xonly_pubkey& out)
{
    return secp256k1_xonly_pubkey_parse(secp::VerifyContext(), &out, bytes.data()) == 1;
}

} // namespace

bool IsPubKeyEncodingPlausible(std::span<const uint8_t> pubkey)
{
    if (pubkey.size() == COMPRESSED_PUBKEY_SIZE) return pubkey[0] == 0x02 || pubkey[0] == 0x03;
    if (pubkey.size() == UNCOMPRESSED_PUBKEY_SIZE) return pubkey[0] == 0x04;
    return false;
}

bool IsFullyValidPubKey(std::span<const uint8_t> pubkey)
{
    secp256k1_pubkey parsed;
    return ParsePubKey(pubkey, parsed);
}

bool VerifyEcdsa(std::span<const uint8_t> pubkey, std::span<const uint8_t> sig, const Uint256& hash)
{
    const secp256k1_context* ctx = secp::VerifyContext();
    secp256k1_pubkey parsed_key;
    if (!ParsePubKey(pubkey, parsed_key)) return false;
    secp256k1_ecdsa_signature parsed_sig;
    if (!ParseDerLax(sig, parsed_sig)) return false;
    // libsecp256k1 only accepts low S, but consensus never required it, so
    // high-S signatures are mapped to their low twin first.
    (void)secp256k1_ecdsa_signature_normalize(ctx, &parsed_sig, &parsed_sig);
    return secp256k1_ecdsa_verify(ctx, &parsed_sig, hash.data(), &parsed_key) == 1;
}

bool IsLowDerSignature(std::span<const uint8_t> sig)
{
    secp256k1_ecdsa_signature parsed;
    if (!ParseDerLax(sig, parsed)) return false;
    // normalize() reports whether it had to change S.
    return secp256k1_ecdsa_signature_normalize(secp::VerifyContext(), nullptr, &parsed) == 0;
}

bool XOnlyPubKey::IsFullyValid() const
{
    secp256k1_xonly_pubkey parsed;
    return ParseXOnly(m_key, parsed);
}

bool XOnlyPubKey::VerifySchnorr(const Uint256& msg, std::span<const uint8_t> sig64) const
{
    return VerifySchnorr(std::span<const uint8_t>{msg.data(), msg.size()}, sig64);
}

bool XOnlyPubKey::VerifySchnorr(std::span<const uint8_t> msg, std::span<const uint8_t> sig64) const
{
    if (sig64.size() != SCHNORR_SIGNATURE_SIZE) return false;
    secp256k1_xonly_pubkey parsed;
    if (!ParseXOnly(m_key, parsed)) return false;
    // A zero-length message may come with a null pointer, which the library allows.
    return secp256k1_schnorrsig_verify(secp::VerifyContext(), sig64.data(), msg.data(), msg.size(),
                                       &parsed) == 1;
}

bool XOnlyPubKey::CheckTapTweak(const XOnlyPubKey& internal, std::span<const uint8_t> merkle_root,
                                bool parity) const
{
    if (!merkle_root.empty() && merkle_root.size() != Uint256::SIZE) return false;
    secp256k1_xonly_pubkey internal_key;
    if (!ParseXOnly(internal.m_key, internal_key)) return false;
    const Uint256 root = merkle_root.empty() ? Uint256{} : Uint256{merkle_root};
    const Uint256 tweak = ComputeTapTweakHash(internal, merkle_root.empty() ? nullptr : &root);
    return secp256k1_xonly_pubkey_tweak_add_check(secp::VerifyContext(), m_key.data(),
                                                  parity ? 1 : 0, &internal_key, tweak.data()) == 1;
}

std::optional<std::pair<XOnlyPubKey, bool>>
XOnlyPubKey::CreateTapTweak(const Uint256* merkle_root) const
{
    const secp256k1_context* ctx = secp::VerifyContext();
    secp256k1_xonly_pubkey base;
    if (!ParseXOnly(m_key, base)) return std::nullopt;
    const Uint256 tweak = ComputeTapTweakHash(*this, merkle_root);
    secp256k1_pubkey output;
    if (!secp256k1_xonly_pubkey_tweak_add(ctx, &output, &base, tweak.data())) return std::nullopt;
    secp256k1_xonly_pubkey output_xonly;
    int parity = 0;
    if (!secp256k1_xonly_pubkey_from_pubkey(ctx, &output_xonly, &parity, &output))
        return std::nullopt;
    Uint256 out_bytes;
    (void)secp256k1_xonly_pubkey_serialize(ctx, out_bytes.data(), &output_xonly);
    return std::make_pair(XOnlyPubKey{out_bytes}, parity != 0);
}

Uint256 ComputeTapTweakHash(const XOnlyPubKey& internal, const Uint256* merkle_root)
{
    Sha256 hasher = TaggedHasher("TapTweak");
    hasher.Write(internal.bytes().span());
    if (merkle_root != nullptr) hasher.Write(merkle_root->span());
    return hasher.Finalize();
}

} // namespace consensus
