// Base58 and Base58Check: the input is decoded as text (with a length limit taken from its
// first byte) and encoded as bytes. Decoding must accept exactly the whitespace-trimmed strings
// over the alphabet whose value fits the limit, and Base58 being a bijection, whatever decodes
// must encode back to the trimmed text. WIF keys and extended keys of every network, which ride
// on Base58Check, must round-trip the same way.
#include <common/base58.h>
#include <common/bip32.h>
#include <common/chainparams.h>
#include <common/key_io.h>
#include <consensus/hash.h>

#include "fuzz_util.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using namespace common;

namespace {

using fuzz::AllParams;

constexpr std::string_view ALPHABET{"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"};

// Decoding is quadratic in the length; longer inputs teach nothing new.
constexpr size_t MAX_TEXT{1024};

// Bitcoin Core's IsSpace: the whitespace DecodeBase58 skips at either end.
bool IsSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s)
{
    while (!s.empty() && IsSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && IsSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

// Reference decoder: schoolbook big-endian base-256 arithmetic, no length limit. nullopt when a
// character is outside the alphabet.
std::optional<std::vector<uint8_t>> ReferenceDecode(std::string_view text)
{
    std::vector<uint8_t> value; // big-endian, no leading zero bytes
    size_t ones = 0;
    bool leading = true;
    for (const char c : text) {
        const size_t digit = ALPHABET.find(c);
        if (digit == std::string_view::npos) return std::nullopt;
        if (leading && digit == 0) {
            ++ones;
            continue;
        }
        leading = false;
        unsigned carry = static_cast<unsigned>(digit);
        for (auto it = value.rbegin(); it != value.rend(); ++it) {
            carry += *it * 58U;
            *it = static_cast<uint8_t>(carry);
            carry >>= 8;
        }
        while (carry) {
            value.insert(value.begin(), static_cast<uint8_t>(carry));
            carry >>= 8;
        }
    }
    std::vector<uint8_t> out(ones, 0);
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

bool ChecksumOk(std::span<const uint8_t> data)
{
    if (data.size() < 4) return false;
    const auto payload = data.first(data.size() - 4);
    const consensus::Uint256 hash = consensus::Hash256(payload);
    return std::equal(hash.begin(), hash.begin() + 4, data.end() - 4);
}

void CheckDecode(std::string_view text, size_t max_len)
{
    const std::string_view trimmed = Trim(text);
    const auto reference = ReferenceDecode(trimmed);

    const auto decoded = DecodeBase58(text, max_len);
    if (decoded.has_value() != (reference && reference->size() <= max_len)) std::abort();
    if (decoded && (*decoded != *reference || EncodeBase58(*decoded) != trimmed)) std::abort();

    const auto checked = DecodeBase58Check(text, max_len);
    const bool check_expected =
        reference && reference->size() <= max_len + 4 && ChecksumOk(*reference);
    if (checked.has_value() != check_expected) std::abort();
    if (checked) {
        if (checked->size() > max_len) std::abort();
        if (!std::equal(checked->begin(), checked->end(), reference->begin())) std::abort();
        if (EncodeBase58Check(*checked) != trimmed) std::abort();
    }
}

void CheckEncode(std::span<const uint8_t> data)
{
    const std::string text = EncodeBase58(data);
    const size_t zeros =
        std::find_if(data.begin(), data.end(), [](uint8_t b) { return b != 0; }) - data.begin();
    const size_t ones = text.find_first_not_of('1');
    if ((ones == std::string::npos ? text.size() : ones) != zeros) std::abort();
    if (text.find_first_not_of(ALPHABET) != std::string::npos) std::abort();
    const auto back = DecodeBase58(text, data.size());
    if (!back || !std::ranges::equal(*back, data)) std::abort();
    if (!data.empty() && DecodeBase58(text, data.size() - 1)) std::abort();

    const std::string checked = EncodeBase58Check(data);
    const auto checked_back = DecodeBase58Check(checked, data.size());
    if (!checked_back || !std::ranges::equal(*checked_back, data)) std::abort();
    if (!data.empty() && DecodeBase58Check(checked, data.size() - 1)) std::abort();
}

// WIF and BIP32 keys: whatever one network accepts encodes back to the trimmed text.
void CheckKeys(std::string_view text)
{
    const std::string_view trimmed = Trim(text);
    for (const auto& params : AllParams()) {
        if (const auto key = DecodeSecret(text, *params)) {
            if (!IsValidSecretKey(key->secret)) std::abort();
            if (EncodeSecret(*key, *params) != trimmed) std::abort();
        }
        if (const auto xpub = DecodeExtPubKey(text, *params)) {
            if (EncodeExtPubKey(*xpub, *params) != trimmed) std::abort();
        }
        if (const auto xprv = DecodeExtKey(text, *params)) {
            if (EncodeExtKey(*xprv, *params) != trimmed) std::abort();
            // The public half must serialize as a valid xpub of the same network.
            const std::string xpub_text = EncodeExtPubKey(xprv->Neuter(), *params);
            if (!DecodeExtPubKey(xpub_text, *params)) std::abort();
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0 || size > MAX_TEXT) return 0;
    // The first byte picks the decode limit: small ones exercise the length check, 0xff is
    // effectively unlimited.
    const size_t max_len = data[0] == 0xff ? MAX_TEXT : data[0];
    const std::span<const uint8_t> rest{data + 1, size - 1};
    const std::string_view text{reinterpret_cast<const char*>(rest.data()), rest.size()};

    CheckDecode(text, max_len);
    CheckEncode(rest);
    CheckKeys(text);
    return 0;
}
