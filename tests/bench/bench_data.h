// Shared inputs for the benchmarks: the vendored mainnet blocks.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace bench {

/// The 2.2 MB SegWit mainnet block (raw bytes), read once per process.
inline const std::vector<uint8_t>& LargeSegwitBlockBytes()
{
    static const std::vector<uint8_t> bytes = [] {
        std::ifstream f{
            std::string{MINIBIT_TEST_DATA_DIR} +
                "/blocks/"
                "mainnet-00000000000000000021868c2cefc52a480d173c849412fe81c4e5ab806f94ab.blk",
            std::ios::binary};
        return std::vector<uint8_t>{std::istreambuf_iterator<char>{f},
                                    std::istreambuf_iterator<char>{}};
    }();
    return bytes;
}

} // namespace bench
