// Block-level consensus limits shared by transaction and block checks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace consensus {

/// BIP141 cap on block weight; also bounds a single transaction.
inline constexpr size_t MAX_BLOCK_WEIGHT = 4'000'000;
/// Largest serialized block including witness data (bytes).
inline constexpr size_t MAX_BLOCK_SERIALIZED_SIZE = 4'000'000;
/// BIP141 sigop cost budget per block (legacy sigops weigh WITNESS_SCALE_FACTOR each).
inline constexpr int64_t MAX_BLOCK_SIGOPS_COST = 80'000;
/// Blocks a coinbase output must wait before it may be spent.
inline constexpr int COINBASE_MATURITY = 100;

} // namespace consensus
