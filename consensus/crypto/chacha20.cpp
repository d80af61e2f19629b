#include <consensus/crypto/chacha20.h>

#include <algorithm>
#include <array>
#include <bit>

namespace consensus {

namespace {

uint32_t LoadLE32(const uint8_t* p)
{
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

void QuarterRound(std::array<uint32_t, 16>& x, int a, int b, int c, int d)
{
    x[a] += x[b];
    x[d] = std::rotl(x[d] ^ x[a], 16);
    x[c] += x[d];
    x[b] = std::rotl(x[b] ^ x[c], 12);
    x[a] += x[b];
    x[d] = std::rotl(x[d] ^ x[a], 8);
    x[c] += x[d];
    x[b] = std::rotl(x[b] ^ x[c], 7);
}

} // namespace

void ChaCha20Keystream(std::span<const uint8_t, 32> key, std::span<const uint8_t, 12> nonce,
                       uint32_t counter, std::span<uint8_t> out)
{
    // The constant words spell "expand 32-byte k" in little-endian ASCII.
    std::array<uint32_t, 16> input{0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    for (int i = 0; i < 8; ++i)
        input[4 + i] = LoadLE32(key.data() + 4 * i);
    for (int i = 0; i < 3; ++i)
        input[13 + i] = LoadLE32(nonce.data() + 4 * i);

    size_t done = 0;
    while (done < out.size()) {
        input[12] = counter++;
        std::array<uint32_t, 16> x = input;
        for (int round = 0; round < 10; ++round) {
            // A column round then a diagonal round: 20 rounds in all.
            QuarterRound(x, 0, 4, 8, 12);
            QuarterRound(x, 1, 5, 9, 13);
            QuarterRound(x, 2, 6, 10, 14);
            QuarterRound(x, 3, 7, 11, 15);
            QuarterRound(x, 0, 5, 10, 15);
            QuarterRound(x, 1, 6, 11, 12);
            QuarterRound(x, 2, 7, 8, 13);
            QuarterRound(x, 3, 4, 9, 14);
        }
        std::array<uint8_t, 64> block;
        for (int i = 0; i < 16; ++i) {
            const uint32_t word = x[i] + input[i];
            for (int b = 0; b < 4; ++b)
                block[4 * i + b] = static_cast<uint8_t>(word >> (8 * b));
        }
        const size_t take = std::min<size_t>(block.size(), out.size() - done);
        std::copy_n(block.begin(), take, out.begin() + static_cast<std::ptrdiff_t>(done));
        done += take;
    }
}

} // namespace consensus
