// Key layout: ParseCoinKey accepts exactly the well-formed 'C' keys and
// CoinKey rebuilds them byte for byte; ReadVarInt agrees with a 128-bit
// reference on value, length and overflow, and AppendVarInt writes back the
// bytes it consumed (every number has one encoding).
#include "coin_reference.h"

#include <consensus/transaction.h>
#include <storage/layout.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

namespace layout = storage::layout;

namespace {

void CheckCoinKey(std::span<const uint8_t> input)
{
    const auto outpoint = layout::ParseCoinKey(input);
    size_t pos = 33;
    const bool ok = input.size() >= 34 && input[0] == layout::DB_COIN && [&] {
        const auto n = fuzz::RefReadVarInt(input, pos);
        return n && *n <= fuzz::U32_MAX && pos == input.size();
    }();
    if (static_cast<bool>(outpoint) != ok) std::abort();
    if (!outpoint) return;
    if (!fuzz::SameBytes(outpoint->hash.span(), input.subspan(1, 32))) std::abort();
    if (!fuzz::SameBytes(layout::CoinKey(*outpoint), input)) std::abort();
}

void CheckVarInts(std::span<const uint8_t> input)
{
    // Read the whole input as a sequence of VARINTs until one fails.
    size_t pos = 0;
    while (pos < input.size()) {
        size_t got_pos = pos;
        size_t ref_pos = pos;
        const auto got = layout::ReadVarInt(input, got_pos);
        const auto ref = fuzz::RefReadVarInt(input, ref_pos);
        if (got != ref) std::abort();
        if (!got) return;
        if (got_pos != ref_pos || got_pos <= pos) std::abort();
        std::vector<uint8_t> again;
        layout::AppendVarInt(again, *got);
        if (!fuzz::SameBytes(again, input.subspan(pos, got_pos - pos))) std::abort();
        pos = got_pos;
    }
    // Reading at the end never succeeds.
    if (layout::ReadVarInt(input, pos)) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::span<const uint8_t> input{data, size};
    CheckCoinKey(input);
    CheckVarInts(input);
    return 0;
}
