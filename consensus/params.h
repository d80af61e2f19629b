// Consensus parameters of one network: the numbers that decide which blocks
// are valid there. Built by common::ChainParams; read by validation and PoW.
#pragma once

#include <consensus/uint256.h>

#include <cstdint>
#include <vector>

namespace consensus {

/// The consensus rules that differ between networks. Plain data, immutable once
/// built; safe to read from any thread.
struct ConsensusParams
{
    /// Hash of block 0.
    Uint256 hash_genesis_block{};
    /// Blocks between subsidy halvings (210000; 150 on regtest).
    int subsidy_halving_interval{210'000};

    // Buried deployments (BIP90): the rule applies from this height on.

    /// BIP34 (height in coinbase) activation height.
    int bip34_height{0};
    /// The block at bip34_height; lets BIP30 checks be skipped on its descendants.
    Uint256 bip34_hash{};
    /// BIP65 (OP_CHECKLOCKTIMEVERIFY) activation height.
    int bip65_height{0};
    /// BIP66 (strict DER signatures) activation height.
    int bip66_height{0};
    /// BIP68/112/113 (relative lock-time, CSV, median-time-past) activation height.
    int csv_height{0};
    /// BIP141/143/147 (SegWit) activation height.
    int segwit_height{0};
    /// Height at which Taproot (BIP340-342) activated, as getdeploymentinfo reports
    /// it. Bitcoin Core nonetheless enforces P2SH, WITNESS and TAPROOT script rules on
    /// every block except the exception blocks below, since no earlier block breaks them.
    int taproot_height{0};
    /// The one block that does not satisfy P2SH rules (mainnet, testnet3); null if none.
    Uint256 bip16_exception_block{};
    /// The one block validated with P2SH and WITNESS but not TAPROOT rules (mainnet); null if none.
    Uint256 taproot_exception_block{};

    // Proof of work.

    /// Easiest target allowed (as a 256-bit number, display order hex in chainparams).
    Uint256 pow_limit{};
    /// Target seconds between blocks.
    int64_t pow_target_spacing{10 * 60};
    /// Seconds a retarget period is meant to span.
    int64_t pow_target_timespan{14 * 24 * 60 * 60};
    /// Testnet rule: a block more than 2*spacing after its parent may use pow_limit.
    bool pow_allow_min_difficulty_blocks{false};
    /// Regtest: the target never changes.
    bool pow_no_retargeting{false};
    /// BIP94 (testnet4): timewarp fix and retargets based on the period's first block.
    bool enforce_bip94{false};

    // Sync shortcuts (not validity rules: they only decide what is checked).

    /// Default -minimumchainwork: below this much work the node stays in initial
    /// block download and does not skip any script checks (display-order hex).
    Uint256 minimum_chain_work{};
    /// Default -assumevalid: scripts of this block's ancestors may be skipped; null
    /// means verify everything.
    Uint256 default_assume_valid{};

    // Signet (BIP325).

    /// Blocks must carry a signature satisfying signet_challenge.
    bool signet_blocks{false};
    /// The script a signet block's solution must satisfy.
    std::vector<uint8_t> signet_challenge{};

    /// Blocks per retarget period (2016 with the usual spacing and timespan).
    int64_t DifficultyAdjustmentInterval() const
    {
        return pow_target_timespan / pow_target_spacing;
    }
};

} // namespace consensus
