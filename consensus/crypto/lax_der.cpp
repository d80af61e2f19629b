#include <consensus/crypto/lax_der.h>

#include <consensus/crypto/secp_context.h>

#include <array>
#include <cstring>
#include <optional>

namespace consensus {

namespace {

constexpr uint8_t SEQUENCE_TAG = 0x30;
constexpr uint8_t INTEGER_TAG = 0x02;
constexpr uint8_t LONG_FORM_BIT = 0x80;

// Length of an INTEGER element. Long forms may carry leading zero bytes; after
// dropping them, more than three bytes could only describe an element far
// larger than any script, so such lengths are refused outright.
std::optional<size_t> ReadIntegerLength(std::span<const uint8_t> in, size_t& pos)
{
    if (pos >= in.size()) return std::nullopt;
    const uint8_t first = in[pos++];
    if ((first & LONG_FORM_BIT) == 0) return first;
    size_t num_bytes = first & ~LONG_FORM_BIT;
    if (num_bytes > in.size() - pos) return std::nullopt;
    while (num_bytes > 0 && in[pos] == 0) {
        ++pos;
        --num_bytes;
    }
    if (num_bytes >= 4) return std::nullopt;
    size_t len = 0;
    for (; num_bytes > 0; --num_bytes)
        len = (len << 8) | in[pos++];
    return len;
}

// Reads "02 <len> <bytes>" and returns the content's span.
std::optional<std::span<const uint8_t>> ReadInteger(std::span<const uint8_t> in, size_t& pos)
{
    if (pos >= in.size() || in[pos] != INTEGER_TAG) return std::nullopt;
    ++pos;
    const auto len = ReadIntegerLength(in, pos);
    if (!len || *len > in.size() - pos) return std::nullopt;
    const auto content = in.subspan(pos, *len);
    pos += *len;
    return content;
}

// Right-aligns a big-endian integer into 32 bytes, ignoring zero padding.
// False if its magnitude needs more than 32 bytes.
bool CopyScalar(std::span<const uint8_t> value, std::span<uint8_t, 32> out)
{
    while (!value.empty() && value.front() == 0)
        value = value.subspan(1);
    if (value.size() > out.size()) return false;
    std::memcpy(out.data() + (out.size() - value.size()), value.data(), value.size());
    return true;
}

} // namespace

bool ParseDerLax(std::span<const uint8_t> input, secp256k1_ecdsa_signature& sig)
{
    const secp256k1_context* ctx = secp::VerifyContext();
    std::array<uint8_t, 64> compact{};
    // Start from r = s = 0: it parses, but no key accepts it.
    (void)secp256k1_ecdsa_signature_parse_compact(ctx, &sig, compact.data());

    size_t pos = 0;
    if (pos >= input.size() || input[pos] != SEQUENCE_TAG) return false;
    ++pos;
    // The sequence length is not checked against anything; only its own bytes
    // must be present.
    if (pos >= input.size()) return false;
    const uint8_t seq_len = input[pos++];
    if ((seq_len & LONG_FORM_BIT) != 0) {
        const size_t num_bytes = seq_len & ~LONG_FORM_BIT;
        if (num_bytes > input.size() - pos) return false;
        pos += num_bytes;
    }

    const auto r = ReadInteger(input, pos);
    if (!r) return false;
    const auto s = ReadInteger(input, pos);
    if (!s) return false;
    // Whatever follows S is ignored.

    const bool fits = CopyScalar(*r, std::span<uint8_t, 32>{compact.data(), 32}) &&
                      CopyScalar(*s, std::span<uint8_t, 32>{compact.data() + 32, 32});
    if (!fits || !secp256k1_ecdsa_signature_parse_compact(ctx, &sig, compact.data())) {
        compact.fill(0);
        (void)secp256k1_ecdsa_signature_parse_compact(ctx, &sig, compact.data());
    }
    return true;
}

} // namespace consensus
