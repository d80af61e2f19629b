// Mempool acceptance: consensus checks against the chain tip plus Bitcoin
// Core's relay policy, replacement (BIP125 rules, full-RBF by default),
// package limits, and one-parent-one-child packages (submitpackage), with
// Core's reject strings.
//
// Thread safety: the validation executor only.
#pragma once

#include <consensus/amount.h>
#include <consensus/transaction.h>
#include <consensus/validation_state.h>
#include <kernel/feerate.h>
#include <kernel/policy.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kernel {

class ChainstateManager;
class TxMemPool;

/// Largest number of transactions one replacement may evict (BIP125 rule 5).
inline constexpr size_t MAX_REPLACEMENT_CANDIDATES{100};
/// Default -maxfeerate of sendrawtransaction and testmempoolaccept, sat/kvB (0.10 BTC/kvB).
inline constexpr consensus::Amount DEFAULT_MAX_RAW_TX_FEE_RATE{10'000'000};

/// One acceptance attempt's settings.
struct AcceptOptions
{
    int64_t accept_time{0};    //!< entry time (seconds); 0 = the chainstate's clock
    bool test_accept{false};   //!< testmempoolaccept: check everything, change nothing
    bool bypass_limits{false}; //!< reorg/mempool.dat reload: skip fee minimums and trimming
    PolicyOptions policy{};
};

/// What happened to one transaction (Core's MempoolAcceptResult).
struct MempoolAcceptResult
{
    enum class Kind
    {
        VALID,             //!< accepted (or would be, under test_accept)
        INVALID,           //!< refused; state says why
        MEMPOOL_ENTRY,     //!< already in the pool (same txid)
        DIFFERENT_WITNESS, //!< same txid in the pool with another witness
    };
    Kind kind{Kind::INVALID};
    consensus::ValidationState<consensus::TxResult> state{};
    int64_t vsize{0};                                     //!< set when VALID or MEMPOOL_ENTRY
    consensus::Amount base_fee{0};                        //!< set when VALID or MEMPOOL_ENTRY
    std::optional<FeeRate> effective_feerate{};           //!< package feerate when evaluated as one
    std::vector<consensus::Uint256> effective_includes{}; //!< wtxids sharing that feerate
    std::vector<consensus::TransactionRef> replaced{};    //!< transactions this one evicted
    std::optional<consensus::Uint256> other_wtxid{};      //!< for DIFFERENT_WITNESS
};

/// Checks `tx` against the tip and the pool and, unless test_accept, adds it (evicting
/// what it replaces, then trimming the pool to its size limit; a transaction trimmed at
/// once is reported as "mempool full").
MempoolAcceptResult AcceptToMemoryPool(ChainstateManager& chainman, TxMemPool& pool,
                                       const consensus::TransactionRef& tx,
                                       const AcceptOptions& options);

/// package_state results, standing for Core's PackageValidationResult: the package broke a
/// package rule (PCKG_POLICY), one of its transactions failed (PCKG_TX; see the per-wtxid
/// results), or an internal error (PCKG_MEMPOOL_ERROR).
inline constexpr consensus::TxResult PACKAGE_POLICY{consensus::TxResult::MEMPOOL_POLICY};
inline constexpr consensus::TxResult PACKAGE_TX{consensus::TxResult::UNKNOWN};
inline constexpr consensus::TxResult PACKAGE_MEMPOOL_ERROR{consensus::TxResult::NO_MEMPOOL};

/// Results of a package: per wtxid, plus a package-level state when the package as a
/// whole was refused ("package-not-child-with-parents", "package-too-many-transactions",
/// ...).
struct PackageAcceptResult
{
    consensus::ValidationState<consensus::TxResult> package_state{};
    std::map<consensus::Uint256, MempoolAcceptResult> results{}; //!< by wtxid
};

/// submitpackage / testmempoolaccept with several transactions: a child with its
/// unconfirmed parents, topologically sorted. Parents below the minimum fee may be paid
/// for by the child (package feerate), as Core v28 allows for one parent and one child.
PackageAcceptResult ProcessNewPackage(ChainstateManager& chainman, TxMemPool& pool,
                                      const std::vector<consensus::TransactionRef>& package,
                                      const AcceptOptions& options);

} // namespace kernel
