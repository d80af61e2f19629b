#include <consensus/pow.h>

namespace consensus {

namespace {

// Scales the target of `bits` by timespan / target timespan and caps it at the
// limit. Arithmetic is mod 2^256 like Bitcoin's; with real params the product
// stays far below that.
ArithUint256 ScaleTarget(uint32_t bits, int64_t timespan, const ConsensusParams& params,
                         const ArithUint256& pow_limit)
{
    ArithUint256 target;
    target.SetCompact(bits);
    target *= ArithUint256{static_cast<uint64_t>(timespan)};
    target /= ArithUint256{static_cast<uint64_t>(params.pow_target_timespan)};
    if (target > pow_limit) target = pow_limit;
    return target;
}

} // namespace

std::optional<ArithUint256> DeriveTarget(uint32_t bits, const Uint256& pow_limit)
{
    bool negative = false;
    bool overflow = false;
    ArithUint256 target;
    target.SetCompact(bits, &negative, &overflow);
    if (negative || overflow || target.IsZero() || target > ArithUint256{pow_limit}) {
        return std::nullopt;
    }
    return target;
}

bool CheckProofOfWork(const Uint256& hash, uint32_t bits, const ConsensusParams& params)
{
    const auto target = DeriveTarget(bits, params.pow_limit);
    return target && ArithUint256{hash} <= *target;
}

ArithUint256 GetBlockProof(uint32_t bits)
{
    bool negative = false;
    bool overflow = false;
    ArithUint256 target;
    target.SetCompact(bits, &negative, &overflow);
    if (negative || overflow || target.IsZero()) return ArithUint256{};
    // 2^256 itself does not fit, but 2^256 / (t+1) == (2^256 - t - 1) / (t+1) + 1
    // and 2^256 - t - 1 is ~t.
    return ~target / (target + ArithUint256{1}) + ArithUint256{1};
}

uint32_t GetNextWorkRequired(int parent_height, int64_t parent_time, uint32_t parent_bits,
                             int64_t new_block_time, const HeaderChainView& chain,
                             const ConsensusParams& params)
{
    const uint32_t limit_bits = ArithUint256{params.pow_limit}.GetCompact();
    if (parent_height < 0) return limit_bits;

    const int64_t interval = params.DifficultyAdjustmentInterval();
    if ((int64_t{parent_height} + 1) % interval != 0) {
        if (!params.pow_allow_min_difficulty_blocks) return parent_bits;
        // Testnet: a block that comes late may be mined at the easiest target.
        if (new_block_time > parent_time + 2 * params.pow_target_spacing) return limit_bits;
        // Otherwise it inherits the last "real" difficulty: skip back over
        // min-difficulty blocks, but never past the start of the period, whose
        // bits always come from a proper retarget.
        int height = parent_height;
        uint32_t bits = parent_bits;
        while (height > 0 && height % interval != 0 && bits == limit_bits) {
            --height;
            bits = chain.BitsAt(height);
        }
        return bits;
    }

    // The window starts at the period's first block, so it spans interval - 1
    // block intervals: Bitcoin's original off-by-one, kept for consensus.
    const int first_height = static_cast<int>(parent_height - (interval - 1));
    return CalculateNextWorkRequired(parent_bits, parent_time, chain.BitsAt(first_height),
                                     chain.TimeAt(first_height), params);
}

uint32_t CalculateNextWorkRequired(uint32_t parent_bits, int64_t parent_time,
                                   uint32_t first_block_bits, int64_t first_block_time,
                                   const ConsensusParams& params)
{
    if (params.pow_no_retargeting) return parent_bits;

    int64_t timespan = parent_time - first_block_time;
    const int64_t min_timespan = params.pow_target_timespan / 4;
    const int64_t max_timespan = params.pow_target_timespan * 4;
    if (timespan < min_timespan) timespan = min_timespan;
    if (timespan > max_timespan) timespan = max_timespan;

    // BIP94: the period's last block may be a min-difficulty block on testnet4,
    // but its first block never is, so scale the first block's target.
    const uint32_t base_bits = params.enforce_bip94 ? first_block_bits : parent_bits;
    return ScaleTarget(base_bits, timespan, params, ArithUint256{params.pow_limit}).GetCompact();
}

bool PermittedDifficultyTransition(const ConsensusParams& params, int64_t height, uint32_t old_bits,
                                   uint32_t new_bits)
{
    if (params.pow_allow_min_difficulty_blocks) return true;

    if (height % params.DifficultyAdjustmentInterval() != 0) return old_bits == new_bits;

    const ArithUint256 pow_limit{params.pow_limit};
    ArithUint256 observed;
    observed.SetCompact(new_bits);

    // The bounds are what a retarget could produce at the extreme timespans,
    // after the same compact rounding a real retarget applies.
    const auto rounded = [](const ArithUint256& target) {
        ArithUint256 out;
        out.SetCompact(target.GetCompact());
        return out;
    };
    const ArithUint256 easiest =
        rounded(ScaleTarget(old_bits, params.pow_target_timespan * 4, params, pow_limit));
    if (observed > easiest) return false;
    const ArithUint256 hardest =
        rounded(ScaleTarget(old_bits, params.pow_target_timespan / 4, params, pow_limit));
    return observed >= hardest;
}

bool CheckTimewarpRule(int height, int64_t block_time, int64_t prev_time,
                       const ConsensusParams& params)
{
    if (!params.enforce_bip94 || height <= 0) return true;
    if (height % params.DifficultyAdjustmentInterval() != 0) return true;
    return block_time >= prev_time - MAX_TIMEWARP;
}

} // namespace consensus
