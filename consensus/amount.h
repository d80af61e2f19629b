// Amounts in satoshis and the consensus money range.
#pragma once

#include <cstdint>

namespace consensus {

/// An amount in satoshis.
using Amount = int64_t;

inline constexpr Amount COIN = 100'000'000;
/// No amount larger than this is valid (21 million BTC); not the supply, a sanity bound.
inline constexpr Amount MAX_MONEY = 21'000'000 * COIN;

/// True if 0 <= value <= MAX_MONEY.
inline constexpr bool MoneyRange(Amount value)
{
    return value >= 0 && value <= MAX_MONEY;
}

} // namespace consensus
