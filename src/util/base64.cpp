#include <util/base64.h>

namespace util {

std::string EncodeBase64(std::span<const uint8_t> data)
{
    static constexpr char ALPHABET[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
        for (int shift = 18; shift >= 0; shift -= 6)
            out.push_back(ALPHABET[(v >> shift) & 63]);
    }
    const size_t rest = data.size() - i;
    if (rest > 0) {
        uint32_t v = uint32_t{data[i]} << 16;
        if (rest == 2) v |= uint32_t{data[i + 1]} << 8;
        out.push_back(ALPHABET[(v >> 18) & 63]);
        out.push_back(ALPHABET[(v >> 12) & 63]);
        out.push_back(rest == 2 ? ALPHABET[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

std::optional<std::vector<uint8_t>> DecodeBase64(std::string_view text)
{
    auto digit = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    if (text.size() % 4 != 0) return std::nullopt;
    size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=')
        ++pad;
    const std::string_view body = text.substr(0, text.size() - pad);
    std::vector<uint8_t> out;
    out.reserve(body.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (char c : body) {
        const int d = digit(c);
        if (d < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(d);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<uint8_t>(acc >> bits));
            acc &= (1U << bits) - 1;
        }
    }
    // Leftover bits must be zero padding, and the padding count must fit the data.
    if (acc != 0 || (pad > 0 && bits == 0)) return std::nullopt;
    if (bits >= 6) return std::nullopt;
    return out;
}

std::string EncodeBase64(std::string_view text)
{
    return EncodeBase64(
        std::span<const uint8_t>{reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

} // namespace util
