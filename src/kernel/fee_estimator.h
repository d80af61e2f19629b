// Fee estimation learned from how long mempool transactions take to confirm,
// in the manner of Bitcoin Core's CBlockPolicyEstimator: transactions are
// tracked by fee-rate bucket from mempool entry to confirmation (or removal),
// in three decaying horizons; estimatesmartfee asks for the lowest bucket
// whose confirmation rate within the target meets a threshold.
//
// Thread safety: Process* calls come from the validation executor; the
// estimate calls and Flush may come from any thread (an internal mutex).
#pragma once

#include <consensus/amount.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>
#include <kernel/feerate.h>
#include <util/expected.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace kernel {

/// Largest confirmation target estimatesmartfee accepts (Core: 1008 blocks).
inline constexpr int MAX_CONF_TARGET{1008};

/// estimate_mode of estimatesmartfee.
enum class EstimateMode
{
    CONSERVATIVE,
    ECONOMICAL,
};

/// An estimate and the target it was found for (which may exceed the one asked).
struct FeeEstimate
{
    FeeRate feerate{};
    int returned_target{0};
};

/// The estimator.
class FeeEstimator
{
public:
    /// `file` is fee_estimates.dat; Load reads it if present.
    explicit FeeEstimator(std::filesystem::path file);
    ~FeeEstimator();
    FeeEstimator(const FeeEstimator&) = delete;
    FeeEstimator& operator=(const FeeEstimator&) = delete;

    /// A transaction entered the mempool at `height` (the tip height then) paying `fee` for
    /// `vsize`. Transactions with in-pool parents (CPFP) or accepted outside normal relay are
    /// not tracked (`valid_for_estimation` false); neither are entries whose `height` is not
    /// the last height given to ProcessBlock (as Core: the estimator must be in sync).
    void ProcessTransaction(const consensus::Uint256& txid, consensus::Amount fee, int64_t vsize,
                            unsigned height, bool valid_for_estimation);
    /// A tracked transaction left the mempool without confirming; it counts as a failure for
    /// the blocks it waited. Not for removals by a block: ProcessBlock handles those (calling
    /// this after ProcessBlock is a harmless no-op, before it records a false failure).
    void RemoveTransaction(const consensus::Uint256& txid);
    /// A block at `height` confirmed these txids (those tracked count as confirmed after
    /// height - entry height blocks); decays the history.
    void ProcessBlock(unsigned height, const std::vector<consensus::Uint256>& txids);

    /// estimatesmartfee: nullopt when there is not enough data for any target up to the
    /// largest tracked horizon, or conf_target is outside 1..MAX_CONF_TARGET. On nullopt,
    /// Core's "blocks" is min(max(conf_target, 2), HighestTargetTracked()).
    std::optional<FeeEstimate> EstimateSmartFee(int conf_target, EstimateMode mode) const;
    /// The highest target the estimator can answer for now: half the span of blocks it has
    /// data for, capped at MAX_CONF_TARGET (0 when empty; Core's MaxUsableEstimate). Validate
    /// conf_target against MAX_CONF_TARGET; targets above this one are answered for it.
    int HighestTargetTracked() const;

    /// Reads fee_estimates.dat (a version and the bucket statistics; our own format, checked
    /// with a checksum). A missing file is fine; a bad one is ignored with an error message
    /// and leaves the state as it was. Success replaces the state (tracking restarts).
    util::Expected<void> Load();
    /// Writes fee_estimates.dat via a temp file and rename.
    util::Expected<void> Flush() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace kernel
