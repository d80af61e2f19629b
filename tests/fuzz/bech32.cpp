// Bech32/Bech32m and segwit addresses. The input is decoded as a bech32 string and as an address
// of every network; it also drives the encoder. Decoding must accept only strings a direct
// reading of BIP173/BIP350 accepts, and what decodes must encode back to the lower-cased text
// with the checksum variant that verified. Addresses of every network must round-trip through
// their destination and output script, with bech32 for witness v0 and bech32m for v1+.
#include <common/bech32.h>
#include <common/chainparams.h>
#include <common/key_io.h>

#include "fuzz_util.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

using namespace common;

namespace {

using fuzz::AllParams;

constexpr std::string_view CHARSET{"qpzry9x8gf2tvdw0s3jn54khce6mua7l"};

// Bech32Encode's own cap; decoding with a larger limit could find strings it cannot re-encode.
constexpr size_t MAX_STRING{1023};

std::string ToLower(std::string_view s)
{
    std::string out{s};
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// BIP173's checksum, written out from the BIP's reference code: the residue of the expanded HRP
// and the data values (checksum included).
uint32_t PolyMod(std::string_view hrp, std::span<const uint8_t> values)
{
    const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    std::vector<uint8_t> all;
    for (const char c : hrp)
        all.push_back(static_cast<uint8_t>(static_cast<uint8_t>(c) >> 5));
    all.push_back(0);
    for (const char c : hrp)
        all.push_back(static_cast<uint8_t>(c & 31));
    all.insert(all.end(), values.begin(), values.end());
    uint32_t chk = 1;
    for (const uint8_t v : all) {
        const uint32_t b = chk >> 25;
        chk = (chk & 0x1ffffff) << 5 ^ v;
        for (int i = 0; i < 5; ++i)
            chk ^= ((b >> i) & 1) ? gen[i] : 0;
    }
    return chk;
}

// What the BIPs accept, as (encoding, hrp, values without checksum); nullopt otherwise.
std::optional<Bech32Decoded> ReferenceDecode(std::string_view str, size_t max_length)
{
    if (str.size() > max_length) return std::nullopt;
    const bool has_lower = std::ranges::any_of(str, [](char c) { return c >= 'a' && c <= 'z'; });
    const bool has_upper = std::ranges::any_of(str, [](char c) { return c >= 'A' && c <= 'Z'; });
    if (has_lower && has_upper) return std::nullopt;
    if (!std::ranges::all_of(str, [](char c) { return c >= 33 && c <= 126; })) return std::nullopt;
    const std::string lower = ToLower(str);
    const size_t sep = lower.rfind('1');
    if (sep == std::string::npos || sep == 0 || lower.size() - sep - 1 < 6) return std::nullopt;
    Bech32Decoded out;
    out.hrp = lower.substr(0, sep);
    for (size_t i = sep + 1; i < lower.size(); ++i) {
        const size_t v = CHARSET.find(lower[i]);
        if (v == std::string_view::npos) return std::nullopt;
        out.data.push_back(static_cast<uint8_t>(v));
    }
    const uint32_t chk = PolyMod(out.hrp, out.data);
    if (chk == 1) {
        out.encoding = Bech32Encoding::BECH32;
    } else if (chk == 0x2bc830a3) {
        out.encoding = Bech32Encoding::BECH32M;
    } else {
        return std::nullopt;
    }
    out.data.resize(out.data.size() - 6);
    return out;
}

// Regroups bits through an explicit bit list (most significant first), as BIP173 describes.
std::optional<std::vector<uint8_t>> ReferenceConvertBits(std::span<const uint8_t> in, int from,
                                                         int to, bool pad)
{
    std::vector<bool> bits;
    for (const uint8_t v : in) {
        if (v >> from) return std::nullopt;
        for (int i = from - 1; i >= 0; --i)
            bits.push_back((v >> i) & 1);
    }
    std::vector<uint8_t> out;
    size_t pos = 0;
    for (; pos + static_cast<size_t>(to) <= bits.size(); pos += static_cast<size_t>(to)) {
        uint8_t v = 0;
        for (int i = 0; i < to; ++i)
            v = static_cast<uint8_t>(v << 1 | bits[pos + static_cast<size_t>(i)]);
        out.push_back(v);
    }
    const size_t left = bits.size() - pos;
    if (pad) {
        if (left) {
            uint8_t v = 0;
            for (size_t i = 0; i < static_cast<size_t>(to); ++i)
                v = static_cast<uint8_t>(v << 1 | (pos + i < bits.size() ? bits[pos + i] : 0));
            out.push_back(v);
        }
    } else {
        if (left >= static_cast<size_t>(from)) return std::nullopt;
        for (size_t i = pos; i < bits.size(); ++i) {
            if (bits[i]) return std::nullopt;
        }
    }
    return out;
}

std::string_view TrimSpace(std::string_view s)
{
    constexpr std::string_view SPACE{" \t\n\r\f\v"};
    const size_t first = s.find_first_not_of(SPACE);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(SPACE) - first + 1);
}

void CheckBech32(std::string_view text, size_t max_length)
{
    const auto decoded = Bech32Decode(text, max_length);
    const auto reference = ReferenceDecode(text, max_length);
    if (decoded.has_value() != reference.has_value()) std::abort();
    if (!decoded) return;
    if (decoded->encoding != reference->encoding || decoded->hrp != reference->hrp ||
        decoded->data != reference->data) {
        std::abort();
    }
    // Re-encoding gives the canonical lower-case form, which still decodes with the same variant.
    if (Bech32Encode(decoded->encoding, decoded->hrp, decoded->data) != ToLower(text)) std::abort();
    // The other constant cannot verify the same data: the two variants never collide.
    const Bech32Encoding other = decoded->encoding == Bech32Encoding::BECH32
                                     ? Bech32Encoding::BECH32M
                                     : Bech32Encoding::BECH32;
    const auto swapped = Bech32Decode(Bech32Encode(other, decoded->hrp, decoded->data), MAX_STRING);
    if (!swapped || swapped->encoding != other || swapped->data != decoded->data) std::abort();
}

void CheckAddress(std::string_view text)
{
    for (const auto& params : AllParams()) {
        const auto dest = DecodeDestination(text, *params);
        if (!dest) continue;
        if (!IsValidDestination(*dest)) std::abort();
        const std::string encoded = EncodeDestination(*dest, *params);
        const bool bech32 = std::holds_alternative<WitnessV0KeyHash>(*dest) ||
                            std::holds_alternative<WitnessV0ScriptHash>(*dest) ||
                            std::holds_alternative<WitnessV1Taproot>(*dest) ||
                            std::holds_alternative<PayToAnchor>(*dest) ||
                            std::holds_alternative<WitnessUnknown>(*dest);
        // Bech32 addresses come back lower-cased; Base58 ones without the whitespace the
        // decoder skips.
        if (encoded != (bech32 ? ToLower(text) : std::string{TrimSpace(text)})) std::abort();
        if (bech32) {
            const auto parts = Bech32Decode(text);
            if (!parts || parts->data.empty() || parts->hrp != params->Bech32Hrp()) std::abort();
            const auto want =
                parts->data[0] == 0 ? Bech32Encoding::BECH32 : Bech32Encoding::BECH32M;
            if (parts->encoding != want) std::abort();
        }
        // The output script names the same destination again.
        const auto script = GetScriptForDestination(*dest);
        const auto extracted = ExtractDestination(script);
        if (!extracted || *extracted != *dest) std::abort();
    }
}

// Encoder side: the input as 5-bit values under a fixed HRP, and as a witness program.
void CheckEncode(std::span<const uint8_t> bytes, uint8_t selector)
{
    std::vector<uint8_t> values;
    for (const uint8_t b : bytes)
        values.push_back(b & 31);
    if (values.size() + 3 + 6 > BECH32_MAX_LENGTH) values.resize(BECH32_MAX_LENGTH - 3 - 6);
    const auto encoding = selector & 1 ? Bech32Encoding::BECH32M : Bech32Encoding::BECH32;
    const std::string text = Bech32Encode(encoding, "bc", values);
    const auto back = Bech32Decode(text);
    if (!back || back->encoding != encoding || back->hrp != "bc" || back->data != values) {
        std::abort();
    }

    const int from = 1 + (selector >> 1) % 8;
    const int to = 1 + (selector >> 4) % 8;
    const bool pad = selector & 0x80;
    std::vector<uint8_t> groups{bytes.begin(), bytes.end()};
    const auto converted = ConvertBits(groups, from, to, pad);
    const auto expected = ReferenceConvertBits(groups, from, to, pad);
    if (converted != expected) std::abort();

    // A witness program of the input's bytes (2..40) round-trips as an address.
    if (bytes.size() >= 2 && bytes.size() <= 40) {
        const int version = (selector >> 1) % 17;
        const std::vector<uint8_t> program{bytes.begin(), bytes.end()};
        consensus::Script script;
        script << consensus::EncodeOpN(version) << program;
        const auto dest = ExtractDestination(script);
        if (!dest) {
            // Only v0 programs of sizes other than 20 and 32 have no address.
            if (version != 0 || program.size() == 20 || program.size() == 32) std::abort();
            return;
        }
        const auto& main = *AllParams()[0];
        const std::string address = EncodeDestination(*dest, main);
        const auto again = DecodeDestination(address, main);
        if (!again || *again != *dest) std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0 || size > MAX_STRING + 1) return 0;
    const uint8_t selector = data[0];
    const std::span<const uint8_t> rest{data + 1, size - 1};
    const std::string_view text{reinterpret_cast<const char*>(rest.data()), rest.size()};
    // Half the inputs decode with the BIP's 90-character limit, half with the encoder's cap.
    CheckBech32(text, selector & 1 ? MAX_STRING : BECH32_MAX_LENGTH);
    CheckAddress(text);
    CheckEncode(rest, selector);
    return 0;
}
