#include <util/strings.h>

#include <charconv>

namespace util {

std::string HexStr(std::span<const uint8_t> bytes)
{
    static constexpr char DIGITS[] = "0123456789abcdef";
    std::string out(bytes.size() * 2, '\0');
    for (size_t i = 0; i < bytes.size(); ++i) {
        out[2 * i] = DIGITS[bytes[i] >> 4];
        out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
    }
    return out;
}

int HexDigit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool IsHex(std::string_view str)
{
    if (str.size() % 2 != 0) return false;
    for (char c : str) {
        if (HexDigit(c) < 0) return false;
    }
    return true;
}

std::optional<std::vector<uint8_t>> TryParseHex(std::string_view hex)
{
    if (!IsHex(hex)) return std::nullopt;
    std::vector<uint8_t> out(hex.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        out[i] = static_cast<uint8_t>(HexDigit(hex[2 * i]) << 4 | HexDigit(hex[2 * i + 1]));
    }
    return out;
}

std::string_view TrimString(std::string_view str)
{
    constexpr std::string_view WS = " \t\r\n\f\v";
    const size_t begin = str.find_first_not_of(WS);
    if (begin == std::string_view::npos) return {};
    const size_t end = str.find_last_not_of(WS);
    return str.substr(begin, end - begin + 1);
}

std::string ToLower(std::string_view str)
{
    std::string out(str);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::optional<int64_t> ParseInt64(std::string_view str)
{
    if (str.empty()) return std::nullopt;
    int64_t value{0};
    const auto [ptr, ec] = std::from_chars(str.data(), str.data() + str.size(), value);
    if (ec != std::errc{} || ptr != str.data() + str.size()) return std::nullopt;
    return value;
}

std::vector<std::string> SplitString(std::string_view str, char sep)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        const size_t pos = str.find(sep, start);
        if (pos == std::string_view::npos) {
            out.emplace_back(str.substr(start));
            return out;
        }
        out.emplace_back(str.substr(start, pos - start));
        start = pos + 1;
    }
}

} // namespace util
