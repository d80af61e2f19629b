#include <common/key_io.h>

#include <common/base58.h>
#include <common/bech32.h>
#include <util/strings.h>

#include <secp256k1.h>

#include <algorithm>
#include <string>

namespace common {
namespace {

template <class... Ts>
struct Overloaded : Ts...
{
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

constexpr size_t HASH160_SIZE = 20;
constexpr size_t WITNESS_V0_KEYHASH_SIZE = 20;
constexpr size_t WITNESS_V0_SCRIPTHASH_SIZE = 32;
constexpr size_t WITNESS_V1_TAPROOT_SIZE = 32;
constexpr size_t WITNESS_PROGRAM_MIN_SIZE = 2;
constexpr size_t WITNESS_PROGRAM_MAX_SIZE = 40;
constexpr uint8_t ANCHOR_PROGRAM[2] = {0x4e, 0x73};

bool StartsWith(std::span<const uint8_t> data, std::span<const uint8_t> prefix)
{
    return data.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), data.begin());
}

bool IsAnchor(int version, std::span<const uint8_t> program)
{
    return version == 1 && std::ranges::equal(program, ANCHOR_PROGRAM);
}

// Bitcoin Core's public-key size rule: the first byte fixes the length.
bool HasPubKeySize(std::span<const uint8_t> key)
{
    if (key.empty()) return false;
    switch (key[0]) {
    case 0x02:
    case 0x03:
        return key.size() == 33;
    case 0x04:
    case 0x06:
    case 0x07:
        return key.size() == 65;
    default:
        return false;
    }
}

std::string EncodeWitness(int version, std::span<const uint8_t> program, const ChainParams& params)
{
    std::vector<uint8_t> values{static_cast<uint8_t>(version)};
    const auto converted = ConvertBits(program, 8, 5, true);
    if (!converted) return {};
    values.insert(values.end(), converted->begin(), converted->end());
    // BIP350: v0 keeps bech32, every later version uses bech32m.
    const Bech32Encoding encoding = version == 0 ? Bech32Encoding::BECH32 : Bech32Encoding::BECH32M;
    return Bech32Encode(encoding, params.Bech32Hrp(), values);
}

std::string EncodeBase58Hash(Base58Type type, const consensus::Uint160& hash,
                             const ChainParams& params)
{
    std::vector<uint8_t> data = params.Base58Prefix(type);
    data.insert(data.end(), hash.begin(), hash.end());
    return EncodeBase58Check(data);
}

std::string Plural(size_t n)
{
    return n == 1 ? "byte" : "bytes";
}

util::Expected<Destination> DecodeBase58Destination(std::string_view str, const ChainParams& params)
{
    const auto& pubkey_prefix = params.Base58Prefix(Base58Type::PUBKEY_ADDRESS);
    const auto& script_prefix = params.Base58Prefix(Base58Type::SCRIPT_ADDRESS);
    const size_t max_len = HASH160_SIZE + std::max(pubkey_prefix.size(), script_prefix.size());
    const auto data = DecodeBase58Check(str, max_len);
    if (!data) {
        // Tell a mistyped legacy address apart from something that is not Base58 at all.
        if (DecodeBase58(str, 100)) {
            return util::Unexpected("Invalid checksum or length of Base58 address (P2PKH or P2SH)");
        }
        return util::Unexpected("Invalid or unsupported Segwit (Bech32) or Base58 encoding.");
    }
    if (data->size() == HASH160_SIZE + pubkey_prefix.size() && StartsWith(*data, pubkey_prefix)) {
        return Destination{
            PKHash{consensus::Uint160{std::span{*data}.subspan(pubkey_prefix.size())}}};
    }
    if (data->size() == HASH160_SIZE + script_prefix.size() && StartsWith(*data, script_prefix)) {
        return Destination{
            ScriptHash{consensus::Uint160{std::span{*data}.subspan(script_prefix.size())}}};
    }
    if (StartsWith(*data, script_prefix) || StartsWith(*data, pubkey_prefix)) {
        return util::Unexpected("Invalid length for Base58 address (P2PKH or P2SH)");
    }
    return util::Unexpected("Invalid or unsupported Base58-encoded address.");
}

util::Expected<Destination> DecodeBech32Destination(std::string_view str, const ChainParams& params)
{
    const auto decoded = Bech32Decode(str);
    if (!decoded) return decoded.error();
    if (decoded->data.empty()) return util::Unexpected("Empty Bech32 data section");
    if (decoded->hrp != params.Bech32Hrp()) {
        return util::Unexpected(
            "Invalid or unsupported prefix for Segwit (Bech32) address (expected " +
            params.Bech32Hrp() + ", got " + decoded->hrp + ").");
    }
    const int version = decoded->data[0];
    if (version == 0 && decoded->encoding != Bech32Encoding::BECH32) {
        return util::Unexpected("Version 0 witness address must use Bech32 checksum");
    }
    if (version != 0 && decoded->encoding != Bech32Encoding::BECH32M) {
        return util::Unexpected("Version 1+ witness address must use Bech32m checksum");
    }
    const auto program = ConvertBits(std::span{decoded->data}.subspan(1), 5, 8, false);
    if (!program) return util::Unexpected("Invalid padding in Bech32 data section");
    const size_t size = program->size();

    if (version == 0) {
        if (size == WITNESS_V0_KEYHASH_SIZE) {
            return Destination{WitnessV0KeyHash{consensus::Uint160{*program}}};
        }
        if (size == WITNESS_V0_SCRIPTHASH_SIZE) {
            return Destination{WitnessV0ScriptHash{consensus::Uint256{*program}}};
        }
        return util::Unexpected("Invalid Bech32 v0 address program size (" + std::to_string(size) +
                                " " + Plural(size) + "), per BIP141");
    }
    if (version == 1 && size == WITNESS_V1_TAPROOT_SIZE) {
        return Destination{WitnessV1Taproot{consensus::Uint256{*program}}};
    }
    if (IsAnchor(version, *program)) return Destination{PayToAnchor{}};
    if (version > 16) return util::Unexpected("Invalid Bech32 address witness version");
    if (size < WITNESS_PROGRAM_MIN_SIZE || size > WITNESS_PROGRAM_MAX_SIZE) {
        return util::Unexpected("Invalid Bech32 address program size (" + std::to_string(size) +
                                " " + Plural(size) + ")");
    }
    return Destination{WitnessUnknown{version, *program}};
}

// Overwrites memory in a way the optimiser may not drop.
void Wipe(void* data, size_t size)
{
    auto* p = static_cast<volatile uint8_t*>(data);
    for (size_t i = 0; i < size; ++i)
        p[i] = 0;
}

} // namespace

bool IsValidDestination(const Destination& dest)
{
    return !std::holds_alternative<NoDestination>(dest) &&
           !std::holds_alternative<PubKeyDestination>(dest);
}

util::Expected<Destination> DecodeDestination(std::string_view str, const ChainParams& params)
{
    // Strings that open with this network's HRP are bech32 or nothing, so a
    // typo there gets a bech32 error rather than a base58 one. Another
    // network's segwit address falls through to base58 and fails there.
    const std::string& hrp = params.Bech32Hrp();
    const bool is_bech32 = util::ToLower(str.substr(0, hrp.size())) == hrp;
    if (!is_bech32) return DecodeBase58Destination(str, params);
    return DecodeBech32Destination(str, params);
}

std::string EncodeDestination(const Destination& dest, const ChainParams& params)
{
    return std::visit(
        Overloaded{
            [](const NoDestination&) { return std::string{}; },
            [](const PubKeyDestination&) { return std::string{}; },
            [&](const PKHash& d) {
                return EncodeBase58Hash(Base58Type::PUBKEY_ADDRESS, d.hash, params);
            },
            [&](const ScriptHash& d) {
                return EncodeBase58Hash(Base58Type::SCRIPT_ADDRESS, d.hash, params);
            },
            [&](const WitnessV0KeyHash& d) { return EncodeWitness(0, d.hash.span(), params); },
            [&](const WitnessV0ScriptHash& d) { return EncodeWitness(0, d.hash.span(), params); },
            [&](const WitnessV1Taproot& d) {
                return EncodeWitness(1, d.output_key.span(), params);
            },
            [&](const PayToAnchor&) { return EncodeWitness(1, ANCHOR_PROGRAM, params); },
            [&](const WitnessUnknown& d) {
                if (d.version < 1 || d.version > 16 ||
                    d.program.size() < WITNESS_PROGRAM_MIN_SIZE ||
                    d.program.size() > WITNESS_PROGRAM_MAX_SIZE) {
                    return std::string{};
                }
                return EncodeWitness(d.version, d.program, params);
            },
        },
        dest);
}

consensus::Script GetScriptForDestination(const Destination& dest)
{
    using namespace consensus;
    return std::visit(Overloaded{
                          [](const NoDestination&) { return Script{}; },
                          [](const PubKeyDestination& d) {
                              Script s;
                              s << d.pubkey << OP_CHECKSIG;
                              return s;
                          },
                          [](const PKHash& d) {
                              Script s;
                              s << OP_DUP << OP_HASH160 << d.hash.span() << OP_EQUALVERIFY
                                << OP_CHECKSIG;
                              return s;
                          },
                          [](const ScriptHash& d) {
                              Script s;
                              s << OP_HASH160 << d.hash.span() << OP_EQUAL;
                              return s;
                          },
                          [](const WitnessV0KeyHash& d) {
                              Script s;
                              s << OP_0 << d.hash.span();
                              return s;
                          },
                          [](const WitnessV0ScriptHash& d) {
                              Script s;
                              s << OP_0 << d.hash.span();
                              return s;
                          },
                          [](const WitnessV1Taproot& d) {
                              Script s;
                              s << OP_1 << d.output_key.span();
                              return s;
                          },
                          [](const PayToAnchor&) {
                              Script s;
                              s << OP_1 << std::span<const uint8_t>{ANCHOR_PROGRAM};
                              return s;
                          },
                          [](const WitnessUnknown& d) {
                              Script s;
                              s << EncodeOpN(d.version) << d.program;
                              return s;
                          },
                      },
                      dest);
}

std::optional<Destination> ExtractDestination(const consensus::Script& script)
{
    using namespace consensus;
    const auto& b = script.bytes();

    int version = 0;
    std::vector<uint8_t> program;
    if (script.IsWitnessProgram(version, program)) {
        if (version == 0) {
            if (program.size() == WITNESS_V0_KEYHASH_SIZE) {
                return Destination{WitnessV0KeyHash{Uint160{program}}};
            }
            if (program.size() == WITNESS_V0_SCRIPTHASH_SIZE) {
                return Destination{WitnessV0ScriptHash{Uint256{program}}};
            }
            return std::nullopt; // v0 programs of other sizes are unspendable
        }
        if (version == 1 && program.size() == WITNESS_V1_TAPROOT_SIZE) {
            return Destination{WitnessV1Taproot{Uint256{program}}};
        }
        if (IsAnchor(version, program)) return Destination{PayToAnchor{}};
        return Destination{WitnessUnknown{version, std::move(program)}};
    }
    if (script.IsPayToScriptHash()) {
        return Destination{ScriptHash{Uint160{std::span{b}.subspan(2, HASH160_SIZE)}}};
    }
    if (b.size() == 25 && b[0] == OP_DUP && b[1] == OP_HASH160 && b[2] == HASH160_SIZE &&
        b[23] == OP_EQUALVERIFY && b[24] == OP_CHECKSIG) {
        return Destination{PKHash{Uint160{std::span{b}.subspan(3, HASH160_SIZE)}}};
    }
    // P2PK: a single direct push of a plausibly sized key, then OP_CHECKSIG.
    if ((b.size() == 35 || b.size() == 67) && b[0] == b.size() - 2 && b.back() == OP_CHECKSIG) {
        const std::span<const uint8_t> key{b.data() + 1, b.size() - 2};
        if (HasPubKeySize(key)) return Destination{PubKeyDestination{{key.begin(), key.end()}}};
    }
    return std::nullopt;
}

WifKey::~WifKey()
{
    Wipe(secret.data(), secret.size());
}

bool IsValidSecretKey(std::span<const uint8_t, SECRET_KEY_SIZE> secret)
{
    return secp256k1_ec_seckey_verify(secp256k1_context_static, secret.data()) == 1;
}

std::string EncodeSecret(const WifKey& key, const ChainParams& params)
{
    std::vector<uint8_t> data = params.Base58Prefix(Base58Type::SECRET_KEY);
    data.insert(data.end(), key.secret.begin(), key.secret.end());
    // A trailing 0x01 marks keys whose public key is used compressed.
    if (key.compressed) data.push_back(1);
    std::string out = EncodeBase58Check(data);
    Wipe(data.data(), data.size());
    return out;
}

util::Expected<WifKey> DecodeSecret(std::string_view str, const ChainParams& params)
{
    const auto& prefix = params.Base58Prefix(Base58Type::SECRET_KEY);
    auto data = DecodeBase58Check(str, prefix.size() + SECRET_KEY_SIZE + 1);
    if (!data) return util::Unexpected("Invalid private key encoding: " + data.error().message);
    std::vector<uint8_t>& bytes = *data;

    util::Expected<WifKey> result{util::Unexpected("Invalid private key")};
    const bool uncompressed_size = bytes.size() == prefix.size() + SECRET_KEY_SIZE;
    const bool compressed_size = bytes.size() == prefix.size() + SECRET_KEY_SIZE + 1;
    if (!StartsWith(bytes, prefix)) {
        result = util::Unexpected("Private key is not for this network");
    } else if (!uncompressed_size && !compressed_size) {
        result = util::Unexpected("Invalid private key length");
    } else if (compressed_size && bytes.back() != 1) {
        result = util::Unexpected("Invalid private key compression flag");
    } else {
        WifKey key;
        std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(prefix.size()), SECRET_KEY_SIZE,
                    key.secret.begin());
        key.compressed = compressed_size;
        if (IsValidSecretKey(key.secret)) {
            result = key;
        } else {
            result = util::Unexpected("Private key out of range");
        }
    }
    Wipe(bytes.data(), bytes.size());
    return result;
}

} // namespace common
