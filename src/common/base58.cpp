#include <common/base58.h>

#include <consensus/hash.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace common {
namespace {

constexpr std::string_view ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// Digit value of each ASCII character, -1 where it is not in the alphabet.
constexpr std::array<int8_t, 256> DIGITS = [] {
    std::array<int8_t, 256> table{};
    table.fill(-1);
    for (size_t i = 0; i < ALPHABET.size(); ++i) {
        table[static_cast<uint8_t>(ALPHABET[i])] = static_cast<int8_t>(i);
    }
    return table;
}();

constexpr size_t CHECKSUM_SIZE = 4;

bool IsSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

} // namespace

std::string EncodeBase58(std::span<const uint8_t> data)
{
    size_t zeroes = 0;
    while (zeroes < data.size() && data[zeroes] == 0)
        ++zeroes;
    const auto rest = data.subspan(zeroes);

    // Base58 digits, least significant first; log(256)/log(58) < 1.38.
    std::vector<uint8_t> digits;
    digits.reserve(rest.size() * 138 / 100 + 1);
    for (const uint8_t byte : rest) {
        unsigned carry = byte;
        for (uint8_t& digit : digits) {
            carry += static_cast<unsigned>(digit) << 8;
            digit = static_cast<uint8_t>(carry % 58);
            carry /= 58;
        }
        while (carry > 0) {
            digits.push_back(static_cast<uint8_t>(carry % 58));
            carry /= 58;
        }
    }

    std::string out(zeroes, '1');
    out.reserve(zeroes + digits.size());
    for (auto it = digits.rbegin(); it != digits.rend(); ++it)
        out.push_back(ALPHABET[*it]);
    return out;
}

util::Expected<std::vector<uint8_t>> DecodeBase58(std::string_view str, size_t max_len)
{
    size_t pos = 0;
    while (pos < str.size() && IsSpace(str[pos]))
        ++pos;

    size_t zeroes = 0;
    while (pos < str.size() && str[pos] == '1') {
        if (++zeroes > max_len) return util::Unexpected("Base58 data too long");
        ++pos;
    }

    // Value of the remaining digits as base-256 bytes, least significant first.
    // The first digit here is non-zero, so the value grows with every digit and
    // the length check below bounds the work by max_len.
    std::vector<uint8_t> bytes;
    for (; pos < str.size() && !IsSpace(str[pos]); ++pos) {
        const int digit = DIGITS[static_cast<uint8_t>(str[pos])];
        if (digit < 0) return util::Unexpected("Invalid Base58 character");
        unsigned carry = static_cast<unsigned>(digit);
        for (uint8_t& byte : bytes) {
            carry += static_cast<unsigned>(byte) * 58;
            byte = static_cast<uint8_t>(carry & 0xff);
            carry >>= 8;
        }
        while (carry > 0) {
            bytes.push_back(static_cast<uint8_t>(carry & 0xff));
            carry >>= 8;
        }
        if (zeroes + bytes.size() > max_len) return util::Unexpected("Base58 data too long");
    }

    while (pos < str.size() && IsSpace(str[pos]))
        ++pos;
    if (pos != str.size()) return util::Unexpected("Invalid Base58 character");

    std::vector<uint8_t> out(zeroes, 0);
    out.insert(out.end(), bytes.rbegin(), bytes.rend());
    return out;
}

std::string EncodeBase58Check(std::span<const uint8_t> data)
{
    std::vector<uint8_t> buf(data.begin(), data.end());
    const consensus::Uint256 hash = consensus::Hash256(data);
    buf.insert(buf.end(), hash.begin(), hash.begin() + CHECKSUM_SIZE);
    return EncodeBase58(buf);
}

util::Expected<std::vector<uint8_t>> DecodeBase58Check(std::string_view str, size_t max_len)
{
    const size_t limit = max_len > SIZE_MAX - CHECKSUM_SIZE ? SIZE_MAX : max_len + CHECKSUM_SIZE;
    auto decoded = DecodeBase58(str, limit);
    if (!decoded) return decoded.error();
    std::vector<uint8_t>& data = *decoded;
    if (data.size() < CHECKSUM_SIZE)
        return util::Unexpected("Base58 data too short for a checksum");
    const size_t payload_size = data.size() - CHECKSUM_SIZE;
    const consensus::Uint256 hash =
        consensus::Hash256(std::span<const uint8_t>{data.data(), payload_size});
    if (std::memcmp(hash.data(), data.data() + payload_size, CHECKSUM_SIZE) != 0) {
        return util::Unexpected("Invalid checksum");
    }
    data.resize(payload_size);
    return std::move(*decoded);
}

} // namespace common
