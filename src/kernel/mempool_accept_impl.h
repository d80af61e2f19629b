// Internal to mempool_accept*.cpp: the acceptance engine shared by single
// transactions (mempool_accept.cpp) and packages (mempool_accept_package.cpp),
// shaped after Bitcoin Core's MemPoolAccept.
#pragma once

#include <consensus/coins.h>
#include <consensus/script/sighash.h>
#include <consensus/transaction.h>
#include <kernel/mempool.h>
#include <kernel/mempool_accept.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kernel {

class CoinsCache;

namespace accept_detail {

/// Core's MAX_PACKAGE_COUNT and MAX_PACKAGE_WEIGHT.
inline constexpr size_t MAX_PACKAGE_COUNT{25};
inline constexpr int64_t MAX_PACKAGE_WEIGHT{404'000};

/// Core's FormatMoney: "0.0001", "1.00", "-0.5" (at least two decimals, trailing zeros cut).
std::string FormatMoney(consensus::Amount amount);

/// The coins a mempool transaction may spend: outputs of pool transactions, then of earlier
/// transactions of the package being evaluated, then the chain tip's UTXO set (Core's
/// CCoinsViewMemPool). Coins spent by pool transactions stay visible: conflicts are found
/// separately.
class PoolCoinsView : public consensus::CoinsView
{
public:
    PoolCoinsView(const CoinsCache& tip, const TxMemPool& pool) : m_tip{tip}, m_pool{pool} {}
    std::optional<consensus::Coin> GetCoin(const consensus::OutPoint& outpoint) const override;
    /// Makes tx's outputs spendable by later package transactions.
    void AddPackageTransaction(const consensus::Transaction& tx);

private:
    const CoinsCache& m_tip;
    const TxMemPool& m_pool;
    std::map<consensus::OutPoint, consensus::Coin> m_package_coins;
};

/// Core's ATMPArgs: how one evaluation behaves.
struct Args
{
    int64_t accept_time{0};
    bool test_accept{false};
    bool bypass_limits{false};
    bool allow_replacement{true};
    bool package_submission{false}; //!< trimming waits for the end of the package
    bool package_feerates{false};   //!< fee minimums apply to the package as a whole
    bool allow_carveouts{true};     //!< CPFP and RBF carve-outs of the ancestor limits
    PolicyOptions policy{};
};

/// Per-transaction scratch space (Core's Workspace).
struct Workspace
{
    explicit Workspace(consensus::TransactionRef tx) : ptx{std::move(tx)} {}
    consensus::TransactionRef ptx;
    consensus::TxValidationState state{};
    std::set<consensus::Uint256> conflicts{}; //!< txids of directly conflicting pool entries
    std::set<const MempoolEntry*> iters_conflicting{};
    std::set<const MempoolEntry*> ancestors{};
    std::unique_ptr<MempoolEntry> entry{};
    consensus::Amount base_fee{0};
    consensus::Amount modified_fee{0};
    int64_t vsize{0};
    std::vector<consensus::TxOut> spent_outputs{};
    consensus::PrecomputedTxData txdata{};
    std::optional<FeeRate> package_feerate{};
};

/// One evaluation against the chain tip and the pool (Core's MemPoolAccept).
class MemPoolAccept
{
public:
    MemPoolAccept(ChainstateManager& chainman, TxMemPool& pool);

    /// Core's AcceptSingleTransaction.
    MempoolAcceptResult AcceptSingleTransaction(const consensus::TransactionRef& tx,
                                                const Args& args);
    /// Core's AcceptMultipleTransactions (testmempoolaccept packages and package evaluation).
    PackageAcceptResult
    AcceptMultipleTransactions(const std::vector<consensus::TransactionRef>& txns,
                               const Args& args);
    /// Core's AcceptPackage (submitpackage): each transaction alone first, then the rest as a
    /// package.
    PackageAcceptResult AcceptPackage(const std::vector<consensus::TransactionRef>& package,
                                      const Args& args);

private:
    bool PreChecks(const Args& args, Workspace& ws);
    bool ReplacementChecks(Workspace& ws);
    bool PackageMempoolChecks(const std::vector<consensus::TransactionRef>& txns,
                              std::vector<Workspace>& workspaces,
                              consensus::TxValidationState& package_state);
    bool PolicyScriptChecks(Workspace& ws);
    bool ConsensusScriptChecks(Workspace& ws);
    bool CheckFeeRate(int64_t vsize, consensus::Amount fee, consensus::TxValidationState& state,
                      int64_t now) const;
    /// Removes what the subpackage replaces, then adds each workspace's entry.
    void Finalize(std::vector<Workspace*> workspaces);
    /// Expires old entries and trims the pool to its size limit (Core's LimitMempoolSize).
    void LimitMempoolSize(int64_t now);
    PackageAcceptResult AcceptSubPackage(const std::vector<consensus::TransactionRef>& subpackage,
                                         const Args& args);
    void ClearSubPackageState();

    ChainstateManager& m_chainman;
    TxMemPool& m_pool;
    std::unique_ptr<PoolCoinsView> m_view;

    // Per-subpackage state (Core's SubPackageState).
    consensus::Amount m_total_modified_fees{0};
    int64_t m_total_vsize{0};
    bool m_rbf{false};
    std::set<const MempoolEntry*> m_all_conflicts{};
    std::vector<consensus::TransactionRef> m_replaced{};
    consensus::Amount m_conflicting_fees{0};
    int64_t m_conflicting_size{0};
};

/// Result builders, as Core's MempoolAcceptResult::Failure, FeeFailure and Success.
MempoolAcceptResult Failure(consensus::TxValidationState state);
MempoolAcceptResult FeeFailure(consensus::TxValidationState state, FeeRate feerate,
                               std::vector<consensus::Uint256> wtxids);
MempoolAcceptResult Success(std::vector<consensus::TransactionRef> replaced, int64_t vsize,
                            consensus::Amount fee, FeeRate feerate,
                            std::vector<consensus::Uint256> wtxids);

/// Context-free package checks (Core's IsWellFormedPackage); fills package_state on failure.
bool IsWellFormedPackage(const std::vector<consensus::TransactionRef>& txns,
                         consensus::TxValidationState& package_state, bool require_sorted);
/// Every transaction but the last is a parent of the last (Core's IsChildWithParents).
bool IsChildWithParents(const std::vector<consensus::TransactionRef>& package);

} // namespace accept_detail
} // namespace kernel
