// Rev-file undo data: the decoder accepts exactly what an independent reading
// of the format accepts, every coin matches the bytes it came from, and
// re-encoding is a fixed point (byte for byte whenever the input was canonical:
// no raw script with a special form, legacy version 0).
#include "coin_reference.h"

#include <consensus/serialize.h>
#include <storage/coin_encoding.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

namespace {

/// A canonical CompactSize (at most MAX_SIZE) read without the consensus reader.
std::optional<uint64_t> RefReadCompactSize(std::span<const uint8_t> in, size_t& pos)
{
    if (pos >= in.size()) return std::nullopt;
    const uint8_t first = in[pos++];
    size_t width = 0;
    uint64_t min = 0;
    if (first < 253) return first;
    if (first == 253) {
        width = 2;
        min = 253;
    } else if (first == 254) {
        width = 4;
        min = 0x10000;
    } else {
        width = 8;
        min = 0x100000000ULL;
    }
    if (in.size() - pos < width) return std::nullopt;
    uint64_t n = 0;
    for (size_t i = 0; i < width; ++i)
        n |= uint64_t{in[pos + i]} << (8 * i);
    pos += width;
    if (n < min || n > consensus::MAX_SIZE) return std::nullopt;
    return n;
}

/// The undo data split into coins, or nullopt when the decoder must refuse it.
std::optional<std::vector<std::vector<fuzz::RefCoin>>> RefReadBlockUndo(std::span<const uint8_t> in)
{
    size_t pos = 0;
    const auto tx_count = RefReadCompactSize(in, pos);
    if (!tx_count) return std::nullopt;
    std::vector<std::vector<fuzz::RefCoin>> txs;
    // Every count is paid for with at least one byte, so these loops stay short.
    for (uint64_t t = 0; t < *tx_count; ++t) {
        const auto coin_count = RefReadCompactSize(in, pos);
        if (!coin_count) return std::nullopt;
        auto& coins = txs.emplace_back();
        for (uint64_t c = 0; c < *coin_count; ++c) {
            auto coin = fuzz::RefReadCoin(in, pos, /*undo=*/true);
            if (!coin) return std::nullopt;
            coins.push_back(*coin);
        }
    }
    if (pos != in.size()) return std::nullopt;
    return txs;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::span<const uint8_t> input{data, size};
    const auto undo = storage::DecodeBlockUndo(input);
    const auto ref = RefReadBlockUndo(input);
    if (static_cast<bool>(undo) != static_cast<bool>(ref)) std::abort();
    if (!undo) return 0;

    if (undo->txs.size() != ref->size()) std::abort();
    bool canonical = true;
    for (size_t t = 0; t < ref->size(); ++t) {
        const auto& coins = undo->txs[t].prevouts;
        if (coins.size() != (*ref)[t].size()) std::abort();
        for (size_t c = 0; c < coins.size(); ++c) {
            if (!fuzz::CheckCoin(coins[c], (*ref)[t][c])) canonical = false;
        }
    }

    const auto encoded = storage::EncodeBlockUndo(*undo);
    if (canonical != fuzz::SameBytes(encoded, input)) std::abort();
    const auto again = storage::DecodeBlockUndo(encoded);
    if (!again || *again != *undo) std::abort();
    if (storage::EncodeBlockUndo(*again) != encoded) std::abort();
    return 0;
}
