#include <util/strings.h>

#include <charconv>
#include <limits>
#include <string>

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

std::optional<int64_t> ParseFixedPoint(std::string_view text, int decimals)
{
    size_t i = 0;
    bool negative = false;
    if (i < text.size() && text[i] == '-') {
        negative = true;
        ++i;
    }
    std::string digits;
    int point = -1; // digits before the decimal point
    bool any_digit = false;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c >= '0' && c <= '9') {
            digits += c;
            any_digit = true;
        } else if (c == '.' && point < 0) {
            point = static_cast<int>(digits.size());
        } else {
            break;
        }
    }
    if (!any_digit) return std::nullopt;
    if (point < 0) point = static_cast<int>(digits.size());
    int64_t exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
        if (i >= text.size()) return std::nullopt;
        for (; i < text.size(); ++i) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            exponent = exponent * 10 + (text[i] - '0');
            if (exponent > 100) return std::nullopt;
        }
        if (exp_negative) exponent = -exponent;
    }
    if (i != text.size()) return std::nullopt;
    // Value = 0.digits * 10^(point + exponent); scale so that `decimals` digits follow the point.
    const int64_t shift = point + exponent + decimals; // digits that form the integer result
    if (shift < 0) {
        // Everything lies beyond the allowed decimals: only zeros are acceptable.
        if (digits.find_first_not_of('0') != std::string::npos) return std::nullopt;
        return 0;
    }
    int64_t result = 0;
    for (int64_t k = 0; k < static_cast<int64_t>(digits.size()); ++k) {
        const int d = digits[k] - '0';
        if (k >= shift) {
            if (d != 0) return std::nullopt; // more decimals than allowed
            continue;
        }
        if (result > (std::numeric_limits<int64_t>::max() - d) / 10) return std::nullopt;
        result = result * 10 + d;
    }
    for (int64_t k = static_cast<int64_t>(digits.size()); k < shift; ++k) {
        if (result > std::numeric_limits<int64_t>::max() / 10) return std::nullopt;
        result *= 10;
    }
    return negative ? -result : result;
}

} // namespace util
