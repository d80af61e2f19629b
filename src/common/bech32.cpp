#include <common/bech32.h>

#include <array>

namespace common {
namespace {

constexpr std::string_view CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

// Value of each ASCII character in CHARSET (either case), -1 elsewhere.
constexpr std::array<int8_t, 128> CHARSET_REV = [] {
    std::array<int8_t, 128> table{};
    table.fill(-1);
    for (size_t i = 0; i < CHARSET.size(); ++i) {
        const char c = CHARSET[i];
        table[static_cast<uint8_t>(c)] = static_cast<int8_t>(i);
        if (c >= 'a' && c <= 'z')
            table[static_cast<uint8_t>(c - 'a' + 'A')] = static_cast<int8_t>(i);
    }
    return table;
}();

constexpr uint32_t BECH32M_CONST = 0x2bc830a3;

uint32_t EncodingConstant(Bech32Encoding encoding)
{
    return encoding == Bech32Encoding::BECH32 ? 1 : BECH32M_CONST;
}

// The BCH code's generator step over GF(32), per BIP173.
uint32_t PolyModStep(uint32_t chk, uint8_t value)
{
    static constexpr uint32_t GEN[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    const uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ value;
    for (int i = 0; i < 5; ++i) {
        if ((top >> i) & 1) chk ^= GEN[i];
    }
    return chk;
}

// Checksum state after the expanded HRP and the data values.
uint32_t PolyMod(std::string_view hrp, std::span<const uint8_t> values)
{
    uint32_t chk = 1;
    for (const char c : hrp)
        chk = PolyModStep(chk, static_cast<uint8_t>(c) >> 5);
    chk = PolyModStep(chk, 0);
    for (const char c : hrp)
        chk = PolyModStep(chk, static_cast<uint8_t>(c) & 31);
    for (const uint8_t v : values)
        chk = PolyModStep(chk, v);
    return chk;
}

bool IsLower(char c)
{
    return c >= 'a' && c <= 'z';
}
bool IsUpper(char c)
{
    return c >= 'A' && c <= 'Z';
}

} // namespace

std::string Bech32Encode(Bech32Encoding encoding, std::string_view hrp,
                         std::span<const uint8_t> values)
{
    if (hrp.empty() || hrp.size() + 1 + values.size() + BECH32_CHECKSUM_SIZE > 1023) return {};
    for (const char c : hrp) {
        if (c < 33 || c > 126 || IsUpper(c)) return {};
    }
    for (const uint8_t v : values) {
        if (v >= 32) return {};
    }

    uint32_t chk = PolyMod(hrp, values);
    for (size_t i = 0; i < BECH32_CHECKSUM_SIZE; ++i)
        chk = PolyModStep(chk, 0);
    chk ^= EncodingConstant(encoding);

    std::string out;
    out.reserve(hrp.size() + 1 + values.size() + BECH32_CHECKSUM_SIZE);
    out.append(hrp);
    out.push_back('1');
    for (const uint8_t v : values)
        out.push_back(CHARSET[v]);
    for (size_t i = 0; i < BECH32_CHECKSUM_SIZE; ++i) {
        out.push_back(CHARSET[(chk >> (5 * (BECH32_CHECKSUM_SIZE - 1 - i))) & 31]);
    }
    return out;
}

util::Expected<Bech32Decoded> Bech32Decode(std::string_view str, size_t max_length)
{
    if (str.size() > max_length) return util::Unexpected("Bech32 string too long");

    bool lower = false;
    bool upper = false;
    for (const char c : str) {
        if (c < 33 || c > 126) return util::Unexpected("Invalid character or mixed case");
        lower |= IsLower(c);
        upper |= IsUpper(c);
    }
    if (lower && upper) return util::Unexpected("Invalid character or mixed case");

    const size_t sep = str.rfind('1');
    if (sep == std::string_view::npos) return util::Unexpected("Missing separator");
    if (sep == 0 || sep + 1 + BECH32_CHECKSUM_SIZE > str.size()) {
        return util::Unexpected("Invalid separator position");
    }

    Bech32Decoded result;
    result.hrp.reserve(sep);
    for (size_t i = 0; i < sep; ++i) {
        const char c = str[i];
        result.hrp.push_back(IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c);
    }

    std::vector<uint8_t> values;
    values.reserve(str.size() - sep - 1);
    for (size_t i = sep + 1; i < str.size(); ++i) {
        const int8_t v = CHARSET_REV[static_cast<uint8_t>(str[i])];
        if (v < 0) return util::Unexpected("Invalid Base 32 character");
        values.push_back(static_cast<uint8_t>(v));
    }

    const uint32_t chk = PolyMod(result.hrp, values);
    if (chk == EncodingConstant(Bech32Encoding::BECH32)) {
        result.encoding = Bech32Encoding::BECH32;
    } else if (chk == EncodingConstant(Bech32Encoding::BECH32M)) {
        result.encoding = Bech32Encoding::BECH32M;
    } else {
        return util::Unexpected("Invalid checksum");
    }
    values.resize(values.size() - BECH32_CHECKSUM_SIZE);
    result.data = std::move(values);
    return result;
}

std::optional<std::vector<uint8_t>> ConvertBits(std::span<const uint8_t> in, int from, int to,
                                                bool pad)
{
    if (from < 1 || from > 8 || to < 1 || to > 8) return std::nullopt;
    const uint32_t max_out = (1U << to) - 1;
    uint32_t acc = 0;
    int bits = 0;
    std::vector<uint8_t> out;
    out.reserve((in.size() * from + to - 1) / to);
    for (const uint8_t value : in) {
        if ((value >> from) != 0) return std::nullopt;
        acc = ((acc << from) | value) & 0xffff; // only the low bits still pending matter
        bits += from;
        while (bits >= to) {
            bits -= to;
            out.push_back(static_cast<uint8_t>((acc >> bits) & max_out));
        }
    }
    if (pad) {
        if (bits > 0) out.push_back(static_cast<uint8_t>((acc << (to - bits)) & max_out));
    } else if (bits >= from || ((acc << (to - bits)) & max_out) != 0) {
        return std::nullopt;
    }
    return out;
}

} // namespace common
