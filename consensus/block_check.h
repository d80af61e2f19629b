// Block rules that need no UTXO set: the header's proof of work, the
// context-free block checks, the checks against the parent (difficulty, time,
// version) and the block's own height (finality, BIP34, witness commitment,
// weight), the signet block solution, the subsidy and the script flags of a
// height. Each failure carries Bitcoin Core's reject string.
//
// Pure functions of their arguments (time comes in as a parameter); callable
// from any thread.
#pragma once

#include <consensus/amount.h>
#include <consensus/block.h>
#include <consensus/params.h>
#include <consensus/validation_state.h>

#include <cstdint>

namespace consensus {

/// How far a block's timestamp may run ahead of the node's clock (2 hours).
inline constexpr int64_t MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;

/// `high-hash` (INVALID_HEADER) if check_pow and the hash misses the target of its bits.
bool CheckBlockHeader(const BlockHeader& header, BlockValidationState& state,
                      const ConsensusParams& params, bool check_pow = true);

/// Context-free block checks in Core's order: header PoW, merkle root
/// (`bad-txnmrklroot`, or `bad-txns-duplicate` for the CVE-2012-2459 mutation;
/// both MUTATED), `bad-blk-length`, `bad-cb-missing`, `bad-cb-multiple`, every
/// CheckTransaction (its reject string, CONSENSUS) and legacy sigops
/// (`bad-blk-sigops`). Witness data is checked by ContextualCheckBlock.
bool CheckBlock(const Block& block, BlockValidationState& state, const ConsensusParams& params,
                bool check_pow = true, bool check_merkle_root = true);

/// Bitcoin Core's IsBlockMutated, the P2P layer's gate before validation: true when
/// the transactions do not match the header's merkle root (or repeat its tail), when
/// a block without a coinbase first holds a 64-byte transaction, or, with
/// check_witness_root (SegWit active for the block), when the witness data does not
/// match the coinbase commitment. Such a block may be a damaged copy of a valid one.
bool IsBlockMutated(const Block& block, bool check_witness_root);

/// IsBlockMutated that also says why: `state` gets the MUTATED reject reason
/// (`bad-txnmrklroot`, `bad-txns-duplicate`, `unexpected-witness`, ...); it stays
/// valid when the only finding is a 64-byte transaction in a block without a coinbase.
bool IsBlockMutated(const Block& block, bool check_witness_root, BlockValidationState& state);

/// What a header is checked against: facts about its parent and the clock.
struct HeaderContext
{
    int height{0};               //!< height of the new block (parent height + 1)
    uint32_t expected_bits{0};   //!< GetNextWorkRequired for the new block
    int64_t prev_time{0};        //!< parent's timestamp (BIP94 timewarp rule)
    int64_t prev_median_time{0}; //!< parent's median time past
    int64_t now{0};              //!< the node's current (adjusted) time
};

/// `bad-diffbits`, `time-too-old`, `time-timewarp-attack` (BIP94), `time-too-new`
/// (TIME_FUTURE) and `bad-version(0x%08x)` for versions below 2/3/4 after
/// BIP34/66/65.
bool ContextualCheckBlockHeader(const BlockHeader& header, BlockValidationState& state,
                                const HeaderContext& context, const ConsensusParams& params);

/// Checks needing the block's height and its parent's median time past:
/// `bad-txns-nonfinal` (BIP113 lock-time cutoff after CSV), `bad-cb-height`
/// (BIP34), witness commitment (`bad-witness-nonce-size`,
/// `bad-witness-merkle-match`, `unexpected-witness`; MUTATED) and
/// `bad-blk-weight`.
bool ContextualCheckBlock(const Block& block, BlockValidationState& state, int height,
                          int64_t prev_median_time, const ConsensusParams& params);

/// BIP325: true if the block carries a solution satisfying params.signet_challenge.
/// Always true where signet_blocks is false.
bool CheckSignetBlockSolution(const Block& block, const ConsensusParams& params);

/// New coins a block at `height` may create: 50 BTC halved every
/// subsidy_halving_interval blocks, zero after 64 halvings.
Amount GetBlockSubsidy(int height, const ConsensusParams& params);

/// SCRIPT_VERIFY_* flags for the scripts of the block `block_hash` at `height`:
/// P2SH, WITNESS and TAPROOT always (except the two exception blocks), DERSIG
/// from bip66, CHECKLOCKTIMEVERIFY from bip65, CHECKSEQUENCEVERIFY from csv,
/// NULLDUMMY from segwit height.
uint32_t GetBlockScriptFlags(int height, const Uint256& block_hash, const ConsensusParams& params);

} // namespace consensus
