// Block templates: the next block on the active tip, as generatetoaddress and
// (later) getblocktemplate build it. Transaction selection from the mempool
// joins with the mempool issue; today a template holds the given transactions.
//
// Thread safety: the validation executor only (reads the chainstate).
#pragma once

#include <consensus/block.h>
#include <consensus/script/script.h>
#include <consensus/transaction.h>
#include <util/expected.h>

#include <vector>

namespace kernel {

class ChainstateManager;

/// Version of new blocks: BIP9's top bits with no deployment signalled.
inline constexpr int32_t BLOCK_TEMPLATE_VERSION = 0x20000000;

/// A block on the active tip: coinbase with the BIP34 height, paying subsidy plus `fees`
/// to `payout`, then `txs` in order; a witness commitment (segwit is active on every
/// network minibit supports from the heights where it applies, so it is always added);
/// the time max(median time past + 1, now) and the bits that time requires; merkle root
/// set; nonce 0 (the caller grinds it).
util::Expected<consensus::Block> CreateNewBlock(const ChainstateManager& chainman,
                                                const consensus::Script& payout,
                                                const std::vector<consensus::TransactionRef>& txs,
                                                consensus::Amount fees);

/// Recomputes the witness commitment and merkle root after the caller changed
/// the block's transactions (generateblock, tests).
void FinalizeBlockTemplate(consensus::Block& block);

} // namespace kernel
