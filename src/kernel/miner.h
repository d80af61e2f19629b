// Block assembly from the mempool: Bitcoin Core's ancestor-feerate selection
// (packages, so a child pays for its parents: CPFP) within the block's weight
// and sigop limits, and the template getblocktemplate and generate* use.
//
// Thread safety: the validation executor only.
#pragma once

#include <consensus/amount.h>
#include <consensus/block.h>
#include <consensus/script/script.h>
#include <consensus/transaction.h>
#include <kernel/feerate.h>
#include <util/expected.h>

#include <cstdint>
#include <vector>

namespace kernel {

class ChainstateManager;
class TxMemPool;

/// Default -blockmaxweight (Core: 4,000,000 minus 4,000 reserved for the coinbase).
inline constexpr int64_t DEFAULT_BLOCK_MAX_WEIGHT{4'000'000 - 4'000};
/// Default -blockmintxfee, sat/kvB.
inline constexpr consensus::Amount DEFAULT_BLOCK_MIN_TX_FEE{1};

/// Settings of block assembly.
struct AssemblerOptions
{
    int64_t max_weight{DEFAULT_BLOCK_MAX_WEIGHT};
    FeeRate min_fee{DEFAULT_BLOCK_MIN_TX_FEE};
};

/// One transaction of a template with what getblocktemplate reports about it.
struct TemplateTx
{
    consensus::TransactionRef tx;
    consensus::Amount fee{0};
    int64_t sigop_cost{0};
    std::vector<size_t> depends{}; //!< 1-based positions in the template of in-block parents
};

/// A block ready for its nonce, plus per-transaction data (the coinbase is vtx[0] of
/// `block` and has no TemplateTx).
struct BlockTemplate
{
    consensus::Block block;
    std::vector<TemplateTx> txs;     //!< in block order, after the coinbase
    consensus::Amount total_fees{0}; //!< paid to the coinbase on top of the subsidy
    int64_t coinbase_sigop_cost{0};
    int64_t weight{0}; //!< of the whole block
};

/// Picks pool transactions by ancestor fee rate (modified fees): repeatedly the best
/// package whose every transaction is final at the next height and whose fee rate is at
/// least min_fee, skipping packages that would exceed max_weight or the sigop limit
/// (80,000 minus what the coinbase needs), parents always before children.
std::vector<TemplateTx> SelectTransactions(const ChainstateManager& chainman, const TxMemPool& pool,
                                           const AssemblerOptions& options);

/// A block on the active tip with SelectTransactions' choice (or none when `pool` is
/// null), the coinbase paying subsidy plus fees to `payout`, witness commitment, merkle
/// root, time and bits set; nonce 0.
util::Expected<BlockTemplate> CreateBlockTemplate(const ChainstateManager& chainman,
                                                  const TxMemPool* pool,
                                                  const consensus::Script& payout,
                                                  const AssemblerOptions& options = {});

} // namespace kernel
