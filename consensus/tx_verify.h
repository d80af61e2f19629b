// Transaction checks that need context: the coins being spent, the height and
// time of the block, and the chain's median time past. Also sigop counting.
#pragma once

#include <consensus/amount.h>
#include <consensus/coins.h>
#include <consensus/transaction.h>
#include <consensus/validation_state.h>

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace consensus {

/// Lock-time flag (Bitcoin Core's value): enforce BIP68 relative lock times.
inline constexpr uint32_t LOCKTIME_VERIFY_SEQUENCE = 1U << 0;

/// Checks the inputs exist, coinbase maturity at `spend_height` and the money
/// ranges of inputs and fee; on success `fee_out` is inputs minus outputs.
/// Assumes CheckTransaction passed. Thread-safe if `inputs` is.
bool CheckTxInputs(const Transaction& tx, TxValidationState& state, const CoinsView& inputs,
                   int spend_height, Amount& fee_out);

/// True if tx's nLockTime is satisfied by a block at `block_height` with
/// time `block_time` (BIP113: the caller passes the median time past), or all
/// inputs are SEQUENCE_FINAL.
bool IsFinalTx(const Transaction& tx, int block_height, int64_t block_time);

/// Median time past of the block at `height` on the chain being validated.
/// Called only with heights at or below the spending block's parent.
using MedianTimePastAt = std::function<int64_t(int height)>;

/// BIP68: the last height and last time at which tx is still locked (-1 if no
/// constraint). `prev_heights[i]` is the height of the coin spent by input i;
/// entries of inputs with the disable flag are set to 0. Time locks count from
/// the median time past of the block before the coin's block.
std::pair<int, int64_t> CalculateSequenceLocks(const Transaction& tx, uint32_t flags,
                                               std::vector<int>& prev_heights,
                                               const MedianTimePastAt& mtp_at);

/// True if a block at `block_height`, whose parent has median time past
/// `block_mtp_prev`, satisfies `lock` from CalculateSequenceLocks.
bool EvaluateSequenceLocks(int block_height, int64_t block_mtp_prev, std::pair<int, int64_t> lock);

/// Legacy (pre-P2SH, inaccurate multisig) sigops in all scriptSigs and scriptPubKeys.
unsigned GetLegacySigOpCount(const Transaction& tx);

/// Sigops in the redeem scripts of P2SH inputs; coins missing from `inputs` count 0.
unsigned GetP2SHSigOpCount(const Transaction& tx, const CoinsView& inputs);

/// BIP141 sigop cost: legacy and (if SCRIPT_VERIFY_P2SH) P2SH sigops weigh
/// WITNESS_SCALE_FACTOR, witness v0 sigops (if SCRIPT_VERIFY_WITNESS) weigh 1.
int64_t GetTransactionSigOpCost(const Transaction& tx, const CoinsView& inputs,
                                uint32_t script_flags);

} // namespace consensus
