// Value types of the mempool, fee estimation and block-template parts of
// interfaces::Chain (src/interfaces/chain.h): copies, never pointers into the
// node's mempool.
#pragma once

#include <consensus/amount.h>
#include <consensus/block.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace interfaces {

/// getmempoolinfo's numbers.
struct MempoolInfo
{
    bool loaded{false};
    uint64_t size{0};
    uint64_t bytes{0};
    uint64_t usage{0};
    consensus::Amount total_fee{0};
    int64_t max_size_bytes{0};
    consensus::Amount min_fee_per_kvb{0};
    consensus::Amount min_relay_fee_per_kvb{0};
    consensus::Amount incremental_relay_fee_per_kvb{0};
    uint64_t unbroadcast_count{0};
    bool full_rbf{true};
};

/// One pool transaction as getrawmempool verbose / getmempoolentry show it.
struct MempoolEntryInfo
{
    consensus::TransactionRef tx{};
    int64_t vsize{0};
    int64_t weight{0};
    int64_t time{0};
    uint32_t height{0};
    consensus::Amount fee{0};
    consensus::Amount modified_fee{0};
    int64_t descendant_count{0};
    int64_t descendant_size{0};
    consensus::Amount descendant_fees{0}; //!< modified
    int64_t ancestor_count{0};
    int64_t ancestor_size{0};
    consensus::Amount ancestor_fees{0};         //!< modified
    std::vector<consensus::Uint256> depends{};  //!< in-pool parents (txids)
    std::vector<consensus::Uint256> spent_by{}; //!< in-pool children (txids)
    bool bip125_replaceable{false};
    bool unbroadcast{false};
};

/// The outcome of one transaction in sendrawtransaction / testmempoolaccept /
/// submitpackage.
struct TxAcceptResult
{
    consensus::Uint256 txid{};
    consensus::Uint256 wtxid{};
    bool allowed{false};
    bool already_in_mempool{false};
    std::optional<consensus::Uint256> other_wtxid{}; //!< same txid, different witness in pool
    std::string reject_reason{};                     //!< Core's string when refused
    std::string reject_details{};                    //!< debug message (Core v28 "reject-details")
    bool missing_inputs{false};                      //!< refused as MISSING_INPUTS
    int64_t vsize{0};
    consensus::Amount base_fee{0};
    std::optional<consensus::Amount> effective_feerate_per_kvb{};
    std::vector<consensus::Uint256> effective_includes{}; //!< wtxids
    std::vector<consensus::Uint256> replaced{};           //!< txids evicted
};

/// A package's outcome: a package-level error (empty when none) and one result per tx.
struct PackageAcceptResult
{
    std::string package_error{};
    std::vector<TxAcceptResult> results{}; //!< in the order given
};

/// estimatesmartfee's answer.
struct FeeEstimateInfo
{
    std::optional<consensus::Amount> feerate_per_kvb{};
    int blocks{0};
    std::vector<std::string> errors{};
};

/// One transaction of a block template (getblocktemplate "transactions").
struct TemplateTxInfo
{
    consensus::TransactionRef tx{};
    consensus::Amount fee{0};
    int64_t sigop_cost{0};
    std::vector<size_t> depends{}; //!< 1-based positions of in-template parents
};

/// A block template: the block (coinbase first, nonce 0) and per-transaction data.
struct BlockTemplateInfo
{
    consensus::Block block{};
    std::vector<TemplateTxInfo> txs{};
    consensus::Amount coinbase_value{0}; //!< subsidy + fees
    int64_t coinbase_sigop_cost{0};
    int64_t weight{0};
    int height{0};
    int64_t min_time{0}; //!< median time past + 1
    uint32_t bits{0};
    uint64_t mempool_sequence{0}; //!< changes whenever the pool changes (longpollid)
};

} // namespace interfaces
