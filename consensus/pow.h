// Proof of work: targets from compact bits, the work a block represents, the
// difficulty retarget rules of every network and the BIP94 timewarp rule.
// Pure functions of their arguments; callable from any thread.
#pragma once

#include <consensus/arith_uint256.h>
#include <consensus/params.h>
#include <consensus/uint256.h>

#include <cstdint>
#include <optional>

namespace consensus {

/// BIP94: how many seconds the first block of a period may be earlier than its parent.
inline constexpr int64_t MAX_TIMEWARP = 600;

/// Read-only access to the ancestors of a block whose successor's bits are being
/// computed. Heights asked for are always in [0, parent height]; implementations
/// answer for the chain that ends at that parent.
struct HeaderChainView
{
    virtual ~HeaderChainView() = default;
    /// Compact bits of the ancestor at `height`.
    virtual uint32_t BitsAt(int height) const = 0;
    /// Timestamp of the ancestor at `height`.
    virtual int64_t TimeAt(int height) const = 0;
};

/// The target encoded by `bits`; nullopt if negative, zero, overflowing or easier than pow_limit.
std::optional<ArithUint256> DeriveTarget(uint32_t bits, const Uint256& pow_limit);

/// True if `bits` is a valid target for these params and `hash` (as a number) does not exceed it.
bool CheckProofOfWork(const Uint256& hash, uint32_t bits, const ConsensusParams& params);

/// Expected number of hashes to meet the target: 2^256 / (target + 1); zero for invalid bits.
ArithUint256 GetBlockProof(uint32_t bits);

/// Bits the block after the given parent must carry. `new_block_time` is the new
/// block's timestamp (it matters only for the min-difficulty rule); `chain` gives
/// the parent's ancestors. A negative parent height (no parent) gives the bits of
/// pow_limit.
uint32_t GetNextWorkRequired(int parent_height, int64_t parent_time, uint32_t parent_bits,
                             int64_t new_block_time, const HeaderChainView& chain,
                             const ConsensusParams& params);

/// The retarget itself: scales a period's target by its clamped timespan
/// (parent_time - first_block_time, kept within [timespan/4, timespan*4]) and caps
/// it at pow_limit. The scaled target is parent_bits', or with BIP94
/// first_block_bits' (the bits of the period's first block). Regtest keeps parent_bits.
uint32_t CalculateNextWorkRequired(uint32_t parent_bits, int64_t parent_time,
                                   uint32_t first_block_bits, int64_t first_block_time,
                                   const ConsensusParams& params);

/// Whether a block at `height` may carry new_bits after a parent with old_bits,
/// without knowing timestamps: unchanged off retarget heights, and within the
/// x4 / ÷4 (after compact rounding) bounds on them. Always true on networks with
/// min-difficulty blocks. Used to vet headers before their ancestry is stored.
bool PermittedDifficultyTransition(const ConsensusParams& params, int64_t height, uint32_t old_bits,
                                   uint32_t new_bits);

/// BIP94 timewarp rule: with enforce_bip94, the first block of a retarget period
/// (height % interval == 0, height > 0) may not be more than MAX_TIMEWARP seconds
/// earlier than its parent. True when the rule does not apply.
bool CheckTimewarpRule(int height, int64_t block_time, int64_t prev_time,
                       const ConsensusParams& params);

} // namespace consensus
