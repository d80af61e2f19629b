// 'C' coin values: the decoder accepts exactly what an independent reading of
// the format accepts, every decoded field matches the bytes it came from, and
// re-encoding is a fixed point (byte for byte whenever the input was canonical).
#include "coin_reference.h"

#include <consensus/coins.h>
#include <storage/coin_encoding.h>
#include <storage/layout.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::span<const uint8_t> input{data, size};
    const auto coin = storage::DecodeCoin(input);

    size_t ref_pos = 0;
    const auto ref = fuzz::RefReadCoin(input, ref_pos, /*undo=*/false);
    const bool ref_ok = ref && ref_pos == size; // trailing bytes are an error
    if (static_cast<bool>(coin) != ref_ok) std::abort();

    // The txout reader on its own, positioned after the height code, must
    // agree with the coin decoder up to the trailing-byte check.
    size_t pos = 0;
    if (const auto code = storage::layout::ReadVarInt(input, pos)) {
        const auto txout = storage::ReadCompressedTxOut(input, pos);
        if (coin && (!txout || *txout != coin->out || pos != size)) std::abort();
        if (txout && pos == size && *code <= fuzz::U32_MAX && !coin) std::abort();
    }
    if (!coin) return 0;

    const bool canonical = fuzz::CheckCoin(*coin, *ref);
    const auto encoded = storage::EncodeCoin(*coin);
    if (canonical && !fuzz::SameBytes(encoded, input)) std::abort();
    if (!canonical && fuzz::SameBytes(encoded, input)) std::abort();
    const auto again = storage::DecodeCoin(encoded);
    if (!again || *again != *coin) std::abort();
    if (storage::EncodeCoin(*again) != encoded) std::abort();
    return 0;
}
