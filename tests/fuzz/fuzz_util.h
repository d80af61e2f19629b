// What several fuzz targets need: a check that aborts (so libFuzzer and the replay driver both
// report it), a front-to-back reader of the input, and every network's chain parameters.
#pragma once

#include <common/chainparams.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

namespace fuzz {

/// Aborts on a broken invariant.
inline void Check(bool ok)
{
    if (!ok) std::abort();
}

/// Consumes the input front to back; past the end every read yields zeros.
class Reader
{
public:
    explicit Reader(std::span<const uint8_t> data) : m_data{data} {}
    /// True once every byte was consumed.
    bool Empty() const { return m_pos >= m_data.size(); }
    /// The next byte, or 0 past the end.
    uint8_t U8() { return Empty() ? 0 : m_data[m_pos++]; }
    /// The next `n` bytes (n <= 8) as a little-endian number.
    uint64_t Le(size_t n)
    {
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i)
            v |= uint64_t{U8()} << (8 * i);
        return v;
    }
    /// The low bit of the next byte.
    bool Bool() { return U8() & 1; }
    /// Up to `n` bytes: fewer when the input ends first.
    std::vector<uint8_t> Take(size_t n)
    {
        const size_t have = std::min(n, m_data.size() - std::min(m_pos, m_data.size()));
        std::vector<uint8_t> out(m_data.begin() + m_pos, m_data.begin() + m_pos + have);
        m_pos += have;
        return out;
    }
    /// Exactly `n` bytes, zeros past the end of the input.
    std::vector<uint8_t> TakeExactly(size_t n)
    {
        std::vector<uint8_t> out = Take(n);
        out.resize(n, 0);
        return out;
    }

private:
    std::span<const uint8_t> m_data;
    size_t m_pos{0};
};

/// Mainnet, testnet3, testnet4, signet and regtest, made once per process.
inline const std::vector<std::unique_ptr<const common::ChainParams>>& AllParams()
{
    static const auto params = [] {
        std::vector<std::unique_ptr<const common::ChainParams>> all;
        all.push_back(common::ChainParams::Main());
        all.push_back(common::ChainParams::TestNet());
        all.push_back(common::ChainParams::TestNet4());
        all.push_back(common::ChainParams::SigNet());
        all.push_back(common::ChainParams::RegTest());
        return all;
    }();
    return params;
}

} // namespace fuzz
