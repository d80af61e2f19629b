#include <common/bip32.h>

#include <common/base58.h>
#include <common/key_io.h>
#include <common/secp_helpers.h>
#include <consensus/hash.h>
#include <util/strings.h>

#include <algorithm>
#include <cstring>

namespace common {
namespace {

void PutBe32(uint8_t* out, uint32_t v)
{
    out[0] = static_cast<uint8_t>(v >> 24);
    out[1] = static_cast<uint8_t>(v >> 16);
    out[2] = static_cast<uint8_t>(v >> 8);
    out[3] = static_cast<uint8_t>(v);
}

uint32_t GetBe32(const uint8_t* in)
{
    return (uint32_t{in[0]} << 24) | (uint32_t{in[1]} << 16) | (uint32_t{in[2]} << 8) |
           uint32_t{in[3]};
}

void EncodeHeader(uint8_t* out, uint8_t depth, const Fingerprint& fp, uint32_t child,
                  const std::array<uint8_t, 32>& chaincode)
{
    out[0] = depth;
    std::memcpy(out + 1, fp.data(), 4);
    PutBe32(out + 5, child);
    std::memcpy(out + 9, chaincode.data(), 32);
}

// Splits an HMAC-SHA512 output into the tweak (IL) and the child chain code (IR).
struct HmacParts
{
    std::array<uint8_t, 32> il{};
    std::array<uint8_t, 32> ir{};
};

HmacParts SplitHmac(const std::array<uint8_t, 64>& h)
{
    HmacParts parts;
    std::copy_n(h.begin(), 32, parts.il.begin());
    std::copy_n(h.begin() + 32, 32, parts.ir.begin());
    return parts;
}

// A depth-0 (master) key has no parent and no index (BIP32 test vector 5).
bool IsConsistentMaster(uint8_t depth, const Fingerprint& parent, uint32_t child)
{
    return depth != 0 || (child == 0 && parent == Fingerprint{});
}

} // namespace

Fingerprint KeyFingerprint(std::span<const uint8_t> pubkey)
{
    const consensus::Uint160 id = consensus::Hash160(pubkey);
    Fingerprint fp{};
    std::copy_n(id.begin(), 4, fp.begin());
    return fp;
}

std::optional<ExtPubKey> ExtPubKey::Derive(uint32_t index) const
{
    if (index >= BIP32_HARDENED) return std::nullopt;
    std::array<uint8_t, 37> data{};
    std::copy(pubkey.begin(), pubkey.end(), data.begin());
    PutBe32(data.data() + 33, index);
    const HmacParts parts = SplitHmac(consensus::HmacSha512(chaincode, data));
    const auto child_key = secp::PubKeyTweakAdd(pubkey, parts.il);
    if (!child_key) return std::nullopt;
    ExtPubKey out;
    out.depth = static_cast<uint8_t>(depth + 1);
    out.parent_fingerprint = GetFingerprint();
    out.child = index;
    out.chaincode = parts.ir;
    out.pubkey = *child_key;
    return out;
}

std::array<uint8_t, BIP32_EXTKEY_SIZE> ExtPubKey::Encode() const
{
    std::array<uint8_t, BIP32_EXTKEY_SIZE> out{};
    EncodeHeader(out.data(), depth, parent_fingerprint, child, chaincode);
    std::copy(pubkey.begin(), pubkey.end(), out.begin() + 41);
    return out;
}

std::optional<ExtPubKey> ExtPubKey::Decode(std::span<const uint8_t> bytes)
{
    if (bytes.size() != BIP32_EXTKEY_SIZE) return std::nullopt;
    ExtPubKey key;
    key.depth = bytes[0];
    std::copy_n(bytes.begin() + 1, 4, key.parent_fingerprint.begin());
    key.child = GetBe32(bytes.data() + 5);
    std::copy_n(bytes.begin() + 9, 32, key.chaincode.begin());
    std::copy_n(bytes.begin() + 41, 33, key.pubkey.begin());
    if (key.pubkey[0] != 0x02 && key.pubkey[0] != 0x03) return std::nullopt;
    if (!IsConsistentMaster(key.depth, key.parent_fingerprint, key.child)) return std::nullopt;
    if (!secp::ReserializePubKey(key.pubkey, true)) return std::nullopt;
    return key;
}

ExtKey::~ExtKey()
{
    // volatile keeps the wipe from being optimised away.
    volatile uint8_t* p = secret.data();
    for (size_t i = 0; i < secret.size(); ++i)
        p[i] = 0;
}

std::optional<ExtKey> ExtKey::FromSeed(std::span<const uint8_t> seed)
{
    static constexpr std::string_view SALT{"Bitcoin seed"};
    const auto h = consensus::HmacSha512(
        std::span<const uint8_t>{reinterpret_cast<const uint8_t*>(SALT.data()), SALT.size()}, seed);
    HmacParts parts = SplitHmac(h);
    if (!IsValidSecretKey(parts.il)) return std::nullopt;
    ExtKey key;
    key.secret = parts.il;
    key.chaincode = parts.ir;
    std::fill(parts.il.begin(), parts.il.end(), 0);
    return key;
}

std::array<uint8_t, 33> ExtKey::PubKey() const
{
    std::array<uint8_t, 33> out{};
    const auto pk = secp::PubKeyFromSecret(secret, true);
    if (pk && pk->size() == 33) std::copy(pk->begin(), pk->end(), out.begin());
    return out;
}

std::optional<ExtKey> ExtKey::Derive(uint32_t index) const
{
    std::array<uint8_t, 37> data{};
    if (index >= BIP32_HARDENED) {
        data[0] = 0;
        std::copy(secret.begin(), secret.end(), data.begin() + 1);
    } else {
        const auto pk = PubKey();
        std::copy(pk.begin(), pk.end(), data.begin());
    }
    PutBe32(data.data() + 33, index);
    HmacParts parts = SplitHmac(consensus::HmacSha512(chaincode, data));
    std::fill(data.begin(), data.end(), 0);
    if (!IsValidSecretKey(parts.il)) return std::nullopt;
    const auto child_secret = secp::SecretTweakAdd(secret, parts.il);
    std::fill(parts.il.begin(), parts.il.end(), 0);
    if (!child_secret) return std::nullopt;
    ExtKey out;
    out.depth = static_cast<uint8_t>(depth + 1);
    out.parent_fingerprint = KeyFingerprint(PubKey());
    out.child = index;
    out.chaincode = parts.ir;
    out.secret = *child_secret;
    return out;
}

ExtPubKey ExtKey::Neuter() const
{
    ExtPubKey out;
    out.depth = depth;
    out.parent_fingerprint = parent_fingerprint;
    out.child = child;
    out.chaincode = chaincode;
    out.pubkey = PubKey();
    return out;
}

std::array<uint8_t, BIP32_EXTKEY_SIZE> ExtKey::Encode() const
{
    std::array<uint8_t, BIP32_EXTKEY_SIZE> out{};
    EncodeHeader(out.data(), depth, parent_fingerprint, child, chaincode);
    out[41] = 0;
    std::copy(secret.begin(), secret.end(), out.begin() + 42);
    return out;
}

std::optional<ExtKey> ExtKey::Decode(std::span<const uint8_t> bytes)
{
    if (bytes.size() != BIP32_EXTKEY_SIZE || bytes[41] != 0) return std::nullopt;
    ExtKey key;
    key.depth = bytes[0];
    std::copy_n(bytes.begin() + 1, 4, key.parent_fingerprint.begin());
    key.child = GetBe32(bytes.data() + 5);
    std::copy_n(bytes.begin() + 9, 32, key.chaincode.begin());
    std::copy_n(bytes.begin() + 42, 32, key.secret.begin());
    if (!IsValidSecretKey(key.secret)) return std::nullopt;
    if (!IsConsistentMaster(key.depth, key.parent_fingerprint, key.child)) return std::nullopt;
    return key;
}

namespace {

std::string EncodeWithPrefix(const std::vector<uint8_t>& prefix,
                             const std::array<uint8_t, BIP32_EXTKEY_SIZE>& body)
{
    std::vector<uint8_t> data(prefix);
    data.insert(data.end(), body.begin(), body.end());
    std::string out = EncodeBase58Check(data);
    std::fill(data.begin(), data.end(), 0);
    return out;
}

util::Expected<std::vector<uint8_t>> DecodeWithPrefix(std::string_view str,
                                                      const std::vector<uint8_t>& prefix)
{
    auto data = DecodeBase58Check(str, BIP32_EXTKEY_SIZE + prefix.size());
    if (!data) return data.error();
    if (data->size() != BIP32_EXTKEY_SIZE + prefix.size() ||
        !std::equal(prefix.begin(), prefix.end(), data->begin())) {
        std::fill(data->begin(), data->end(), 0);
        return util::Unexpected("Invalid extended key for this network");
    }
    return std::vector<uint8_t>(data->begin() + static_cast<std::ptrdiff_t>(prefix.size()),
                                data->end());
}

} // namespace

std::string EncodeExtPubKey(const ExtPubKey& key, const ChainParams& params)
{
    return EncodeWithPrefix(params.Base58Prefix(Base58Type::EXT_PUBLIC_KEY), key.Encode());
}

std::string EncodeExtKey(const ExtKey& key, const ChainParams& params)
{
    return EncodeWithPrefix(params.Base58Prefix(Base58Type::EXT_SECRET_KEY), key.Encode());
}

util::Expected<ExtPubKey> DecodeExtPubKey(std::string_view str, const ChainParams& params)
{
    auto body = DecodeWithPrefix(str, params.Base58Prefix(Base58Type::EXT_PUBLIC_KEY));
    if (!body) return body.error();
    auto key = ExtPubKey::Decode(*body);
    if (!key) return util::Unexpected("Invalid extended public key");
    return *key;
}

util::Expected<ExtKey> DecodeExtKey(std::string_view str, const ChainParams& params)
{
    auto body = DecodeWithPrefix(str, params.Base58Prefix(Base58Type::EXT_SECRET_KEY));
    if (!body) return body.error();
    auto key = ExtKey::Decode(*body);
    std::fill(body->begin(), body->end(), 0);
    if (!key) return util::Unexpected("Invalid extended private key");
    return *key;
}

util::Expected<KeyPath> ParseHDKeypath(std::string_view path)
{
    KeyPath out;
    const std::vector<std::string> parts = util::SplitString(path, '/');
    for (size_t i = 0; i < parts.size(); ++i) {
        std::string_view item = parts[i];
        if (i == 0 && item == "m") continue;
        if (i == 0 && item.empty() && parts.size() == 1) break;
        bool hardened = false;
        if (!item.empty() && (item.back() == '\'' || item.back() == 'h')) {
            hardened = true;
            item.remove_suffix(1);
        }
        if (item.empty() || item.size() > 10 ||
            !std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return util::Unexpected("Key path value '" + parts[i] + "' is not a valid uint32");
        }
        const uint64_t value = std::stoull(std::string{item});
        if (value >= BIP32_HARDENED) {
            return util::Unexpected("Key path value " + parts[i] + " is out of range");
        }
        out.push_back(static_cast<uint32_t>(value) | (hardened ? BIP32_HARDENED : 0));
    }
    return out;
}

std::string FormatHDKeypath(const KeyPath& path, bool apostrophe)
{
    std::string out;
    for (const uint32_t index : path) {
        out += '/';
        out += std::to_string(index & ~BIP32_HARDENED);
        if (index & BIP32_HARDENED) out += apostrophe ? '\'' : 'h';
    }
    return out;
}

} // namespace common
