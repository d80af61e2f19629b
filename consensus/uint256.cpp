#include <consensus/uint256.h>

#include <bit>
#include <util/strings.h>

namespace consensus {

static_assert(std::endian::native == std::endian::little, "minibit assumes a little-endian host");

template <size_t BYTES>
std::string Blob<BYTES>::GetHex() const
{
    std::array<uint8_t, BYTES> rev;
    for (size_t i = 0; i < BYTES; ++i)
        rev[i] = m_data[BYTES - 1 - i];
    return util::HexStr(rev);
}

template <size_t BYTES>
std::optional<Blob<BYTES>> Blob<BYTES>::FromHex(std::string_view hex)
{
    if (hex.size() != 2 * BYTES) return std::nullopt;
    auto bytes = util::TryParseHex(hex);
    if (!bytes) return std::nullopt;
    Blob out;
    for (size_t i = 0; i < BYTES; ++i)
        out.m_data[i] = (*bytes)[BYTES - 1 - i];
    return out;
}

template class Blob<32>;
template class Blob<20>;

} // namespace consensus
