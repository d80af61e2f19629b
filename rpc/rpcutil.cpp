// util category: validateaddress, createmultisig, getdescriptorinfo, deriveaddresses,
// verifymessage and signmessagewithprivkey, with Bitcoin Core's names, results and errors.
#include <common/bech32.h>
#include <common/chainparams.h>
#include <common/descriptor.h>
#include <common/key_io.h>
#include <common/message.h>
#include <consensus/crypto/pubkey.h>
#include <consensus/hash.h>
#include <consensus/script/script.h>
#include <interfaces/chain.h>
#include <rpc/dispatch.h>
#include <rpc/http_auth.h>
#include <rpc/method.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>
#include <util/base64.h>
#include <util/strings.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rpc {
namespace {

constexpr std::string_view EXAMPLE_ADDRESS{"bc1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl"};
constexpr size_t MAX_SCRIPT_ELEMENT_SIZE{520};

// ---- Bech32 error location (BIP173/BIP350 checksums are a BCH code over GF(32)) -----------
//
// validateaddress reports where a mistyped Bech32 string most likely went wrong, as Core does.
// The checksum's generator has roots e^997, e^998 and e^999 in GF(1024) = GF(32)[e]/(e^2+9e+23),
// so evaluating the residue there gives syndromes from which one or two error positions follow.

constexpr std::string_view BECH32_CHARSET{"qpzry9x8gf2tvdw0s3jn54khce6mua7l"};
constexpr size_t BECH32_LIMIT{90};
constexpr uint32_t BECH32_CONST{1};
constexpr uint32_t BECH32M_CONST{0x2bc830a3};

struct Gf1024
{
    std::array<int, 1023> exp{}; // exp[k] = e^k
    std::array<int, 1024> log{}; // log[exp[k]] = k, log[0] = -1
};

const Gf1024& Field()
{
    static const Gf1024 field = [] {
        // GF(32) = GF(2)[a]/(a^5 + a^3 + 1), stored as 5-bit polynomials.
        std::array<int, 31> exp32{};
        std::array<int, 32> log32{};
        int v = 1;
        for (int i = 0; i < 31; ++i) {
            exp32[static_cast<size_t>(i)] = v;
            log32[static_cast<size_t>(v)] = i;
            v <<= 1;
            if (v & 32) v ^= 0b101001;
        }
        const auto mul32 = [&](int a, int b) {
            if (a == 0 || b == 0) return 0;
            return exp32[static_cast<size_t>(
                (log32[static_cast<size_t>(a)] + log32[static_cast<size_t>(b)]) % 31)];
        };
        // An element hi*e + lo is stored as hi << 5 | lo; multiplying by e uses e^2 = 9e + 23.
        Gf1024 f;
        f.log.fill(-1);
        int w = 1;
        for (int k = 0; k < 1023; ++k) {
            f.exp[static_cast<size_t>(k)] = w;
            f.log[static_cast<size_t>(w)] = k;
            const int hi = w >> 5;
            const int lo = w & 31;
            w = (mul32(hi, 9) ^ lo) << 5 | mul32(hi, 23);
        }
        return f;
    }();
    return field;
}

int GfMul(int a, int b)
{
    const Gf1024& f = Field();
    if (a == 0 || b == 0) return 0;
    return f.exp[static_cast<size_t>(
        (f.log[static_cast<size_t>(a)] + f.log[static_cast<size_t>(b)]) % 1023)];
}

uint32_t Bech32PolyMod(const std::vector<int>& values)
{
    uint32_t c = 1;
    for (const int v : values) {
        const uint32_t top = c >> 25;
        c = ((c & 0x1ffffff) << 5) ^ static_cast<uint32_t>(v);
        constexpr std::array<uint32_t, 5> GEN{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
                                              0x2a1462b3};
        for (size_t i = 0; i < 5; ++i) {
            if ((top >> i) & 1) c ^= GEN[i];
        }
    }
    return c;
}

// Positions (counted from the end of the data, 0 = last character) of one or two errors that
// explain `residue`, or nothing when no such pattern exists.
std::vector<size_t> ErrorPositions(uint32_t residue, size_t length)
{
    const Gf1024& f = Field();
    // s_j = residue polynomial evaluated at e^j; coefficient k sits in bits 5k..5k+4.
    std::array<int, 3> s{};
    for (size_t j = 0; j < 3; ++j) {
        for (size_t k = 0; k < 6; ++k) {
            const int coefficient = static_cast<int>((residue >> (5 * k)) & 31);
            s[j] ^= GfMul(coefficient, f.exp[((997 + j) * k) % 1023]);
        }
    }
    const int l0 = f.log[static_cast<size_t>(s[0])];
    const int l1 = f.log[static_cast<size_t>(s[1])];
    const int l2 = f.log[static_cast<size_t>(s[2])];
    // An error value must lie in GF(32), the subgroup of powers e^(33k).
    const auto in_gf32 = [](int log_value) { return log_value % 33 == 0; };
    if (l0 != -1 && l1 != -1 && l2 != -1 && (2 * l1 - l2 - l0 + 2046) % 1023 == 0) {
        // One error of value v at p: s_j = v e^(jp), so s1/s0 = e^p.
        const size_t p = static_cast<size_t>((l1 - l0 + 1023) % 1023);
        const int log_v = static_cast<int>((static_cast<size_t>(l0) + (1023 - 997) * p) % 1023);
        if (p < length && in_gf32(log_v)) return {p};
        return {};
    }
    // Two errors at p1, p2: try each p1 and solve for p2 and both values.
    for (size_t p1 = 0; p1 < length; ++p1) {
        const int a = s[2] ^ (s[1] == 0 ? 0 : f.exp[(static_cast<size_t>(l1) + p1) % 1023]);
        const int b = s[1] ^ (s[0] == 0 ? 0 : f.exp[(static_cast<size_t>(l0) + p1) % 1023]);
        if (a == 0 || b == 0) continue;
        const int log_a = f.log[static_cast<size_t>(a)];
        const int log_b = f.log[static_cast<size_t>(b)];
        const size_t p2 = static_cast<size_t>((log_a - log_b + 1023) % 1023);
        if (p2 >= length || p2 == p1) continue;
        const int c = s[1] ^ (s[0] == 0 ? 0 : f.exp[(static_cast<size_t>(l0) + p2) % 1023]);
        if (c == 0) continue;
        const int log_c = f.log[static_cast<size_t>(c)];
        const int inv = 1023 - f.log[static_cast<size_t>(f.exp[p1] ^ f.exp[p2])];
        const size_t log_v2 = (static_cast<size_t>(log_b + inv) + (1023 - 997) * p2) % 1023;
        const size_t log_v1 = (static_cast<size_t>(log_c + inv) + (1023 - 997) * p1) % 1023;
        if (log_v2 % 33 != 0 || log_v1 % 33 != 0) continue;
        return {p1, p2};
    }
    return {};
}

// Core's LocateErrors: a message and the likely positions of the mistakes in a Bech32 string.
std::pair<std::string, std::vector<int>> LocateBech32Errors(std::string_view str)
{
    std::vector<int> where;
    if (str.size() > BECH32_LIMIT) {
        for (size_t i = BECH32_LIMIT; i < str.size(); ++i)
            where.push_back(static_cast<int>(i));
        return {"Bech32 string too long", where};
    }
    bool lower = false;
    bool upper = false;
    for (size_t i = 0; i < str.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(str[i]);
        if (c >= 'a' && c <= 'z') {
            if (upper) {
                where.push_back(static_cast<int>(i));
            } else {
                lower = true;
            }
        } else if (c >= 'A' && c <= 'Z') {
            if (lower) {
                where.push_back(static_cast<int>(i));
            } else {
                upper = true;
            }
        } else if (c < 33 || c > 126) {
            where.push_back(static_cast<int>(i));
        }
    }
    if (!where.empty()) return {"Invalid character or mixed case", where};
    const size_t sep = str.rfind('1');
    if (sep == std::string_view::npos) return {"Missing separator", {}};
    if (sep == 0 || sep + 6 >= str.size())
        return {"Invalid separator position", {static_cast<int>(sep)}};
    const std::string hrp = util::ToLower(str.substr(0, sep));
    std::vector<int> values;
    for (const unsigned char c : hrp)
        values.push_back(c >> 5);
    values.push_back(0);
    for (const unsigned char c : hrp)
        values.push_back(c & 31);
    const size_t length = str.size() - sep - 1;
    for (size_t i = sep + 1; i < str.size(); ++i) {
        const auto pos = BECH32_CHARSET.find(
            static_cast<char>(std::tolower(static_cast<unsigned char>(str[i]))));
        if (pos == std::string_view::npos) {
            return {"Invalid Base 32 character", {static_cast<int>(i)}};
        }
        values.push_back(static_cast<int>(pos));
    }
    const uint32_t polymod = Bech32PolyMod(values);
    std::optional<uint32_t> chosen;
    std::vector<size_t> best;
    bool have_best = false;
    // Try both checksum constants and keep the explanation with the fewest errors.
    for (const uint32_t constant : {BECH32_CONST, BECH32M_CONST}) {
        const uint32_t residue = polymod ^ constant;
        if (residue == 0) return {"", {}};
        std::vector<size_t> found = ErrorPositions(residue, length);
        if (!have_best || best.empty() || (!found.empty() && found.size() < best.size())) {
            best = std::move(found);
            have_best = true;
            if (!best.empty()) chosen = constant;
        }
    }
    std::sort(best.begin(), best.end(), std::greater<>());
    for (const size_t p : best)
        where.push_back(static_cast<int>(str.size() - p - 1));
    const char* message = !chosen                    ? "Invalid checksum"
                          : *chosen == BECH32M_CONST ? "Invalid Bech32m checksum"
                                                     : "Invalid Bech32 checksum";
    return {message, where};
}

// Core's DescribeAddress fields after isvalid/address/scriptPubKey.
void DescribeAddress(const common::Destination& dest, Json& out)
{
    if (std::holds_alternative<common::PKHash>(dest)) {
        out["isscript"] = false;
        out["iswitness"] = false;
    } else if (std::holds_alternative<common::ScriptHash>(dest)) {
        out["isscript"] = true;
        out["iswitness"] = false;
    } else if (const auto* wpkh = std::get_if<common::WitnessV0KeyHash>(&dest)) {
        out["isscript"] = false;
        out["iswitness"] = true;
        out["witness_version"] = 0;
        out["witness_program"] = util::HexStr(std::span<const uint8_t>{wpkh->hash.begin(), 20});
    } else if (const auto* wsh = std::get_if<common::WitnessV0ScriptHash>(&dest)) {
        out["isscript"] = true;
        out["iswitness"] = true;
        out["witness_version"] = 0;
        out["witness_program"] = util::HexStr(std::span<const uint8_t>{wsh->hash.begin(), 32});
    } else if (const auto* tr = std::get_if<common::WitnessV1Taproot>(&dest)) {
        out["isscript"] = true;
        out["iswitness"] = true;
        out["witness_version"] = 1;
        out["witness_program"] = util::HexStr(std::span<const uint8_t>{tr->output_key.begin(), 32});
    } else if (std::holds_alternative<common::PayToAnchor>(dest)) {
        out["isscript"] = true;
        out["iswitness"] = true;
        out["witness_version"] = 1;
        out["witness_program"] = "4e73";
    } else if (const auto* unk = std::get_if<common::WitnessUnknown>(&dest)) {
        out["iswitness"] = true;
        out["witness_version"] = unk->version;
        out["witness_program"] = util::HexStr(unk->program);
    }
}

Method ValidateAddress(const Services& services)
{
    return Method{
        "validateaddress",
        "util",
        "\nTells whether an address is valid for this network and, if so, what it pays to.\n",
        {{"address", ArgType::STR, ArgOptional::NO, "The bitcoin address to validate"}},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                {ResultType::BOOL, "isvalid", "If the address is valid or not"},
                {ResultType::STR, "address", true, "The bitcoin address validated"},
                {ResultType::STR_HEX, "scriptPubKey", true,
                 "The hex-encoded output script generated by the address"},
                {ResultType::BOOL, "isscript", true, "If the key is a script"},
                {ResultType::BOOL, "iswitness", true, "If the address is a witness address"},
                {ResultType::NUM, "witness_version", true,
                 "The version number of the witness program"},
                {ResultType::STR_HEX, "witness_program", true,
                 "The hex value of the witness program"},
                {ResultType::STR, "error", true, "Error message, if any"},
                {ResultType::ARR,
                 "error_locations",
                 true,
                 "Indices of likely error locations in address, if known (e.g. Bech32 errors)",
                 {{ResultType::NUM, "index", "index of a potential error"}}},
            }}},
        HelpExampleCli("validateaddress", "\"" + std::string{EXAMPLE_ADDRESS} + "\"") +
            HelpExampleRpc("validateaddress", "\"" + std::string{EXAMPLE_ADDRESS} + "\""),
        [&services](const Request& request) -> Result {
            const auto& params = services.chain->Params();
            const std::string text = request.Param(0).get<std::string>();
            const auto dest = common::DecodeDestination(text, params);
            Json ret = Json::object();
            const bool valid = dest && common::IsValidDestination(*dest);
            ret["isvalid"] = valid;
            if (valid) {
                ret["address"] = common::EncodeDestination(*dest, params);
                ret["scriptPubKey"] = util::HexStr(common::GetScriptForDestination(*dest).span());
                DescribeAddress(*dest, ret);
            } else {
                std::string error = dest ? std::string{"Invalid address"} : dest.error().message;
                Json locations = Json::array();
                // Strings in this network's Bech32 namespace that do not even decode get
                // Core's located errors instead of the decoder's message.
                const std::string& hrp = params.Bech32Hrp();
                if (util::ToLower(std::string_view{text}.substr(0, hrp.size())) == hrp &&
                    !common::Bech32Decode(text)) {
                    auto [message, where] = LocateBech32Errors(text);
                    error = std::move(message);
                    for (const int i : where)
                        locations.push_back(i);
                }
                ret["error_locations"] = std::move(locations);
                ret["error"] = error;
            }
            return ret;
        }};
}

// Core's HexToPubKey checks and messages.
std::vector<uint8_t> HexToPubKey(const std::string& hex)
{
    if (!util::IsHex(hex) || hex.size() % 2 != 0) {
        ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Pubkey \"" + hex + "\" must be a hex string");
    }
    if (hex.size() != 66 && hex.size() != 130) {
        ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY,
                 "Pubkey \"" + hex + "\" must have a length of either 33 or 65 bytes");
    }
    auto bytes = *util::TryParseHex(hex);
    if (!consensus::IsFullyValidPubKey(bytes)) {
        ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY,
                 "Pubkey \"" + hex + "\" must be cryptographically valid.");
    }
    return bytes;
}

Method CreateMultisig(const Services& services)
{
    const std::string keys_example =
        "\"[\\\"03789ed0bb717d88f7d321a368d905e7430207ebbd82bd342cf11ae157a7ace5fd\\\","
        "\\\"03dbc6764b8884a92e871274b87583e6d5c2a58819473e17e107ef3f6aa5a61626\\\"]\"";
    const std::string keys_rpc =
        "[\"03789ed0bb717d88f7d321a368d905e7430207ebbd82bd342cf11ae157a7ace5fd\","
        "\"03dbc6764b8884a92e871274b87583e6d5c2a58819473e17e107ef3f6aa5a61626\"]";
    return Method{
        "createmultisig",
        "util",
        "\nBuilds an m-of-n multisig script and the address paying to it.\n"
        "Returns the address, the redeem script and its descriptor.\n",
        {
            {"nrequired", ArgType::NUM, ArgOptional::NO,
             "How many of the keys must sign to spend."},
            {"keys",
             ArgType::ARR,
             ArgOptional::NO,
             "The public keys, hex-encoded.",
             {{"key", ArgType::STR_HEX, ArgOptional::OMITTED, "A hex-encoded public key"}}},
            {"address_type", ArgType::STR, Json("legacy"),
             "Which address type to make: \"legacy\", \"p2sh-segwit\" or \"bech32\"."},
        },
        {ResultDoc{ResultType::OBJ,
                   "",
                   "",
                   {
                       {ResultType::STR, "address", "The multisig address."},
                       {ResultType::STR_HEX, "redeemScript", "The multisig script, hex-encoded."},
                       {ResultType::STR, "descriptor", "The descriptor of the output"},
                       {ResultType::ARR,
                        "warnings",
                        true,
                        "Warnings about the result, if any",
                        {{ResultType::STR, "", ""}}},
                   }}},
        "\nA 2-of-2 multisig address\n" + HelpExampleCli("createmultisig", "2 " + keys_example) +
            "\nAs a JSON-RPC call\n" + HelpExampleRpc("createmultisig", "2, " + keys_rpc),
        [&services](const Request& request) -> Result {
            const auto& params = services.chain->Params();
            const int64_t required = IntFromJson(request.Param(0));
            std::vector<std::vector<uint8_t>> pubkeys;
            for (const auto& key : request.Param(1)) {
                if (!key.is_string()) {
                    ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " +
                                                 std::string{JsonTypeName(key)} +
                                                 " is not of expected type string");
                }
                pubkeys.push_back(HexToPubKey(key.get<std::string>()));
            }
            const std::string type = request.Arg("address_type").get<std::string>();
            if (type == "bech32m") {
                ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY,
                         "createmultisig cannot create bech32m multisig addresses");
            }
            if (type != "legacy" && type != "p2sh-segwit" && type != "bech32") {
                ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Unknown address type '" + type + "'");
            }
            if (required < 1) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "a multisignature address must require at least one key to redeem");
            }
            if (static_cast<int64_t>(pubkeys.size()) < required) {
                ThrowRpc(RPC_INVALID_PARAMETER, "not enough keys supplied (got " +
                                                    std::to_string(pubkeys.size()) +
                                                    " keys, but need at least " +
                                                    std::to_string(required) + " to redeem)");
            }
            if (pubkeys.size() > static_cast<size_t>(consensus::MAX_PUBKEYS_PER_MULTISIG)) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Number of keys involved in the multisignature address creation > " +
                             std::to_string(consensus::MAX_PUBKEYS_PER_MULTISIG) +
                             "\nReduce the number");
            }
            consensus::Script redeem;
            redeem.PushInt(required);
            for (const auto& pk : pubkeys)
                redeem << pk;
            redeem.PushInt(static_cast<int64_t>(pubkeys.size()));
            redeem << consensus::OP_CHECKMULTISIG;

            // Uncompressed keys cannot go into segwit scripts, so they force legacy.
            std::string effective = type;
            for (const auto& pk : pubkeys) {
                if (pk.size() != 33) effective = "legacy";
            }
            if (effective == "legacy" && redeem.size() > MAX_SCRIPT_ELEMENT_SIZE) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "redeemScript exceeds size limit: " + std::to_string(redeem.size()) +
                             " > " + std::to_string(MAX_SCRIPT_ELEMENT_SIZE));
            }
            common::DescriptorExpansion known;
            known.scripts[consensus::Hash160(redeem.span())] = redeem;
            common::Destination dest;
            if (effective == "legacy") {
                dest = common::ScriptHash{consensus::Hash160(redeem.span())};
            } else {
                const auto wsh = common::WitnessV0ScriptHash{consensus::Sha256Hash(redeem.span())};
                if (effective == "bech32") {
                    dest = wsh;
                } else {
                    const consensus::Script witness_program = common::GetScriptForDestination(wsh);
                    known.scripts[consensus::Hash160(witness_program.span())] = witness_program;
                    dest = common::ScriptHash{consensus::Hash160(witness_program.span())};
                }
            }
            const consensus::Script spk = common::GetScriptForDestination(dest);
            Json ret = Json::object();
            ret["address"] = common::EncodeDestination(dest, params);
            ret["redeemScript"] = util::HexStr(redeem.span());
            ret["descriptor"] = common::InferDescriptorString(spk, known, params);
            if (effective != type) {
                ret["warnings"] = Json::array({"Unable to make chosen address type, please ensure "
                                               "no uncompressed public keys are present."});
            }
            return ret;
        }};
}

Method GetDescriptorInfo(const Services& services)
{
    const std::string example = "\"wpkh([d34db33f/84h/0h/0h]0279be667ef9dcbbac55a06295Ce870b07029"
                                "Bfcdb2dce28d959f2815b16f81798)\"";
    return Method{
        "getdescriptorinfo",
        "util",
        "\nParses a descriptor and reports its canonical form and properties.\n",
        {{"descriptor", ArgType::STR, ArgOptional::NO, "The descriptor."}},
        {ResultDoc{ResultType::OBJ,
                   "",
                   "",
                   {
                       {ResultType::STR, "descriptor",
                        "The descriptor in canonical form, without private keys"},
                       {ResultType::STR, "checksum", "The checksum of the descriptor as given"},
                       {ResultType::BOOL, "isrange", "Whether the descriptor is ranged"},
                       {ResultType::BOOL, "issolvable", "Whether the descriptor is solvable"},
                       {ResultType::BOOL, "hasprivatekeys",
                        "Whether the given descriptor held at least one private key"},
                   }}},
        "Analyse a descriptor\n" + HelpExampleCli("getdescriptorinfo", example) +
            HelpExampleRpc("getdescriptorinfo", example),
        [&services](const Request& request) -> Result {
            const std::string text = request.Param(0).get<std::string>();
            auto desc = common::ParseDescriptor(text, services.chain->Params());
            if (!desc) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, desc.error().message);
            Json ret = Json::object();
            ret["descriptor"] = *(*desc)->ToString();
            // Core checksums the argument exactly as given, "#..." included.
            ret["checksum"] = common::DescriptorChecksum(text);
            ret["isrange"] = (*desc)->IsRange();
            ret["issolvable"] = (*desc)->IsSolvable();
            ret["hasprivatekeys"] = (*desc)->HasPrivateKeys();
            return ret;
        }};
}

Method DeriveAddresses(const Services& services)
{
    const std::string example =
        "\"wpkh([d34db33f/84h/0h/0h]xpub6DJ2dNUysrn5Vt36jH2KLBT2i1auw1tTSSomg8PhqNiUtx8QX2SvC9nrH"
        "u81fT41fvDUnhMjEzQgXnQjKEu3oaqMSzhSrHMxyyoEAmUHQbY/0/*)#cjjspncu\"";
    return Method{
        "deriveaddresses",
        "util",
        "\nLists the addresses an output descriptor produces.\n"
        "For example:\n"
        "    pkh(<pubkey>)                          P2PKH outputs of the key\n"
        "    wpkh(<pubkey>)                         native segwit P2PKH outputs of the key\n"
        "    sh(multi(<n>,<pubkey>,<pubkey>,...))   P2SH multisig outputs\n"
        "    raw(<hex script>)                      outputs with exactly this script\n"
        "    tr(<pubkey>,multi_a(<n>,<pubkey>,...)) P2TR multisig outputs\n"
        "\n<pubkey> is a hex public key, or an xpub/xprv followed by zero or more \"/\"-separated\n"
        "path steps (\"h\" marks a hardened step). See doc/descriptors.md in Bitcoin Core.\n",
        {
            {"descriptor", ArgType::STR, ArgOptional::NO, "The descriptor."},
            {"range", ArgType::RANGE, ArgOptional::OMITTED,
             "For a ranged descriptor, the end or the [begin,end] of the indexes to derive."},
        },
        {ResultDoc{
            ResultType::ARR, "", "", {{ResultType::STR, "address", "the derived addresses"}}}},
        "First three native segwit receive addresses\n" +
            HelpExampleCli("deriveaddresses", example + " \"[0,2]\"") +
            HelpExampleRpc("deriveaddresses", example + ", \"[0,2]\""),
        [&services](const Request& request) -> Result {
            const auto& params = services.chain->Params();
            const std::string text = request.Param(0).get<std::string>();
            const bool range_given = request.params.size() >= 2;
            int64_t begin = 0;
            int64_t end = 0;
            if (request.HasArg("range"))
                std::tie(begin, end) = ParseDescriptorRange(request.Param(1));
            auto desc = common::ParseDescriptor(text, params, /*require_checksum=*/true);
            if (!desc) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, desc.error().message);
            if (!(*desc)->IsRange() && range_given) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Range should not be specified for an un-ranged descriptor");
            }
            if ((*desc)->IsRange() && !range_given) {
                ThrowRpc(RPC_INVALID_PARAMETER, "Range must be specified for a ranged descriptor");
            }
            Json addresses = Json::array();
            for (int64_t i = begin; i <= end; ++i) {
                auto exp = (*desc)->Expand(static_cast<uint32_t>(i));
                if (!exp) {
                    ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY,
                             "Cannot derive script without private keys");
                }
                for (const auto& script : exp->output_scripts) {
                    const auto dest = common::ExtractDestination(script);
                    if (!dest || !common::IsValidDestination(*dest)) {
                        // combo() also yields P2PK, which has no address; Core skips it there.
                        if (exp->output_scripts.size() > 1 && dest &&
                            std::holds_alternative<common::PubKeyDestination>(*dest)) {
                            continue;
                        }
                        ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY,
                                 "Descriptor does not have a corresponding address");
                    }
                    addresses.push_back(common::EncodeDestination(*dest, params));
                }
            }
            if (addresses.empty()) ThrowRpc(RPC_MISC_ERROR, "Unexpected empty result");
            return addresses;
        }};
}

Method VerifyMessage(const Services& services)
{
    return Method{
        "verifymessage",
        "util",
        "\nChecks a message signature made by signmessage or signmessagewithprivkey.\n",
        {
            {"address", ArgType::STR, ArgOptional::NO, "The P2PKH address that signed."},
            {"signature", ArgType::STR, ArgOptional::NO,
             "The signature, base64-encoded (see signmessage)."},
            {"message", ArgType::STR, ArgOptional::NO, "The message that was signed."},
        },
        {ResultDoc{ResultType::BOOL, "", "Whether the signature is valid"}},
        "\nSign a message\n" +
            HelpExampleCli("signmessagewithprivkey", "\"privkey\" \"my message\"") +
            "\nVerify the signature\n" +
            HelpExampleCli("verifymessage",
                           "\"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX\" \"signature\" \"my message\"") +
            "\nAs a JSON-RPC call\n" +
            HelpExampleRpc("verifymessage",
                           "\"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX\", \"signature\", \"my message\""),
        [&services](const Request& request) -> Result {
            const std::string address = request.Param(0).get<std::string>();
            const std::string signature = request.Param(1).get<std::string>();
            const std::string message = request.Param(2).get<std::string>();
            const auto dest = common::DecodeDestination(address, services.chain->Params());
            if (!dest || !common::IsValidDestination(*dest)) {
                ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Invalid address");
            }
            const auto* pkh = std::get_if<common::PKHash>(&*dest);
            if (pkh == nullptr) ThrowRpc(RPC_TYPE_ERROR, "Address does not refer to key");
            const auto sig = util::DecodeBase64(signature);
            if (!sig) ThrowRpc(RPC_TYPE_ERROR, "Malformed base64 encoding");
            const auto pubkey = common::RecoverMessagePubKey(
                std::span<const uint8_t>{reinterpret_cast<const uint8_t*>(sig->data()),
                                         sig->size()},
                message);
            if (!pubkey) return Json(false);
            return Json(consensus::Hash160(*pubkey) == pkh->hash);
        }};
}

Method SignMessageWithPrivKey(const Services& services)
{
    return Method{
        "signmessagewithprivkey",
        "util",
        "\nSigns a message with a private key (Bitcoin Signed Message format).\n",
        {
            {"privkey", ArgType::STR, ArgOptional::NO, "The private key to sign with (WIF)."},
            {"message", ArgType::STR, ArgOptional::NO, "The message to sign."},
        },
        {ResultDoc{ResultType::STR, "", "The signature, base64-encoded"}},
        "\nSign a message\n" +
            HelpExampleCli("signmessagewithprivkey", "\"privkey\" \"my message\"") +
            "\nVerify the signature\n" +
            HelpExampleCli("verifymessage",
                           "\"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX\" \"signature\" \"my message\"") +
            "\nAs a JSON-RPC call\n" +
            HelpExampleRpc("signmessagewithprivkey", "\"privkey\", \"my message\""),
        [&services](const Request& request) -> Result {
            const std::string privkey = request.Param(0).get<std::string>();
            const std::string message = request.Param(1).get<std::string>();
            const auto key = common::DecodeSecret(privkey, services.chain->Params());
            if (!key) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key");
            const auto sig = common::SignMessage(key->secret, key->compressed, message);
            if (!sig) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Sign failed");
            return Json(*sig);
        }};
}

} // namespace

void RegisterUtilMethods(MethodTable& table, const Services& services)
{
    table.Register(CreateMultisig(services));
    table.Register(DeriveAddresses(services));
    table.Register(GetDescriptorInfo(services));
    table.Register(SignMessageWithPrivKey(services));
    table.Register(ValidateAddress(services));
    table.Register(VerifyMessage(services));
}

} // namespace rpc
