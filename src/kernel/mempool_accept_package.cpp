// Package acceptance (Core v28's AcceptMultipleTransactions and AcceptPackage,
// src/policy/packages.cpp): well-formedness, child-with-unconfirmed-parents,
// each transaction alone first, package feerate for what could not enter
// alone (CPFP), and one-parent-one-child package RBF.
#include <kernel/chainstate.h>
#include <kernel/mempool.h>
#include <kernel/mempool_accept.h>
#include <kernel/mempool_accept_impl.h>

#include <algorithm>
#include <set>
#include <utility>

namespace kernel {
namespace accept_detail {

namespace {

using consensus::TxResult;

// A point of a feerate diagram: cumulative size, cumulative fee.
struct DiagramPoint
{
    int64_t size{0};
    consensus::Amount fee{0};
};

// Chunks `entries` as block assembly would (highest-feerate ancestor set within the set
// first) and returns the cumulative diagram, starting at (0, 0).
std::vector<DiagramPoint> BuildDiagram(std::set<const MempoolEntry*> left)
{
    std::vector<std::pair<consensus::Amount, int64_t>> chunks;
    while (!left.empty()) {
        std::set<const MempoolEntry*> best;
        consensus::Amount best_fee = 0;
        int64_t best_size = 0;
        for (const MempoolEntry* entry : left) {
            std::set<const MempoolEntry*> set{entry};
            std::vector<const MempoolEntry*> todo{entry};
            while (!todo.empty()) {
                const MempoolEntry* next = todo.back();
                todo.pop_back();
                for (const MempoolEntry* parent : next->Parents()) {
                    if (left.count(parent) != 0 && set.insert(parent).second)
                        todo.push_back(parent);
                }
            }
            consensus::Amount fee = 0;
            int64_t size = 0;
            for (const MempoolEntry* member : set) {
                fee += member->GetModifiedFee();
                size += member->GetTxSize();
            }
            if (best.empty() ||
                static_cast<__int128>(fee) * best_size > static_cast<__int128>(best_fee) * size) {
                best = std::move(set);
                best_fee = fee;
                best_size = size;
            }
        }
        for (const MempoolEntry* member : best)
            left.erase(member);
        chunks.emplace_back(best_fee, best_size);
    }
    std::stable_sort(chunks.begin(), chunks.end(), [](const auto& a, const auto& b) {
        return static_cast<__int128>(a.first) * b.second >
               static_cast<__int128>(b.first) * a.second;
    });
    std::vector<DiagramPoint> diagram{{0, 0}};
    for (const auto& [fee, size] : chunks) {
        diagram.push_back({diagram.back().size + size, diagram.back().fee + fee});
    }
    return diagram;
}

// The diagram's fee at `size` as num/den (flat after its last point).
std::pair<__int128, __int128> DiagramAt(const std::vector<DiagramPoint>& diagram, int64_t size)
{
    for (size_t i = 1; i < diagram.size(); ++i) {
        const DiagramPoint& a = diagram[i - 1];
        const DiagramPoint& b = diagram[i];
        if (size <= b.size) {
            const __int128 width = b.size - a.size;
            if (width == 0) return {b.fee, 1};
            return {static_cast<__int128>(a.fee) * width +
                        static_cast<__int128>(b.fee - a.fee) * (size - a.size),
                    width};
        }
    }
    return {diagram.back().fee, 1};
}

// True if `proposed` is nowhere below `original` and somewhere above (Core's requirement that
// a package replacement strictly improves the feerate diagram).
bool ImprovesDiagram(const std::vector<DiagramPoint>& original,
                     const std::vector<DiagramPoint>& proposed)
{
    std::vector<int64_t> xs;
    for (const auto& p : original)
        xs.push_back(p.size);
    for (const auto& p : proposed)
        xs.push_back(p.size);
    bool better = false;
    for (int64_t x : xs) {
        const auto [on, od] = DiagramAt(original, x);
        const auto [pn, pd] = DiagramAt(proposed, x);
        const __int128 lhs = pn * od;
        const __int128 rhs = on * pd;
        if (lhs < rhs) return false;
        better |= lhs > rhs;
    }
    return better;
}

std::vector<consensus::Uint256> Wtxids(const std::vector<consensus::TransactionRef>& txns)
{
    std::vector<consensus::Uint256> wtxids;
    wtxids.reserve(txns.size());
    for (const auto& tx : txns)
        wtxids.push_back(tx->GetWitnessHash());
    return wtxids;
}

MempoolAcceptResult MempoolTx(int64_t vsize, consensus::Amount fee)
{
    MempoolAcceptResult result;
    result.kind = MempoolAcceptResult::Kind::MEMPOOL_ENTRY;
    result.vsize = vsize;
    result.base_fee = fee;
    return result;
}

MempoolAcceptResult DifferentWitness(const consensus::Uint256& other_wtxid)
{
    MempoolAcceptResult result;
    result.kind = MempoolAcceptResult::Kind::DIFFERENT_WITNESS;
    result.other_wtxid = other_wtxid;
    return result;
}

MempoolAcceptResult MempoolFull()
{
    consensus::TxValidationState state;
    state.Invalid(TxResult::MEMPOOL_POLICY, "mempool full");
    return Failure(std::move(state));
}

} // namespace

bool IsChildWithParents(const std::vector<consensus::TransactionRef>& package)
{
    if (package.size() < 2) return false;
    std::set<consensus::Uint256> input_txids;
    for (const auto& in : package.back()->vin)
        input_txids.insert(in.prevout.hash);
    return std::all_of(package.begin(), package.end() - 1,
                       [&](const auto& tx) { return input_txids.count(tx->GetHash()) != 0; });
}

bool IsWellFormedPackage(const std::vector<consensus::TransactionRef>& txns,
                         consensus::TxValidationState& package_state, bool require_sorted)
{
    if (txns.size() > MAX_PACKAGE_COUNT) {
        return package_state.Invalid(PACKAGE_POLICY, "package-too-many-transactions");
    }
    int64_t total_weight = 0;
    for (const auto& tx : txns)
        total_weight += static_cast<int64_t>(tx->GetWeight());
    // A lone transaction's size is better reported by the per-transaction weight rule.
    if (txns.size() > 1 && total_weight > MAX_PACKAGE_WEIGHT) {
        return package_state.Invalid(PACKAGE_POLICY, "package-too-large");
    }
    std::set<consensus::Uint256> later_txids;
    for (const auto& tx : txns)
        later_txids.insert(tx->GetHash());
    if (later_txids.size() != txns.size()) {
        return package_state.Invalid(PACKAGE_POLICY, "package-contains-duplicates");
    }
    if (require_sorted) {
        for (const auto& tx : txns) {
            for (const auto& in : tx->vin) {
                if (later_txids.count(in.prevout.hash) != 0) {
                    return package_state.Invalid(PACKAGE_POLICY, "package-not-sorted");
                }
            }
            later_txids.erase(tx->GetHash());
        }
    }
    std::set<consensus::OutPoint> inputs_seen;
    for (const auto& tx : txns) {
        // Consistency is judged by inputs; a transaction without any is never consistent.
        if (tx->vin.empty()) return package_state.Invalid(PACKAGE_POLICY, "conflict-in-package");
        for (const auto& in : tx->vin) {
            if (inputs_seen.count(in.prevout) != 0) {
                return package_state.Invalid(PACKAGE_POLICY, "conflict-in-package");
            }
        }
        // Inserted afterwards: duplicate inputs inside one transaction are CheckTransaction's.
        for (const auto& in : tx->vin)
            inputs_seen.insert(in.prevout);
    }
    return true;
}

bool MemPoolAccept::PackageMempoolChecks(const std::vector<consensus::TransactionRef>& txns,
                                         std::vector<Workspace>& workspaces,
                                         consensus::TxValidationState& package_state)
{
    // Core's CheckPackageLimits: the package counts as one transaction of its total size
    // with the union of its in-pool parents (which can overestimate, hence "possibly").
    const MempoolLimits& limits = m_pool.Options().limits;
    const auto count = static_cast<int64_t>(txns.size());
    std::string limit_error;
    if (count > limits.ancestor_count) {
        limit_error =
            "package count " + std::to_string(count) +
            " exceeds ancestor count limit [limit: " + std::to_string(limits.ancestor_count) + "]";
    } else if (count > limits.descendant_count) {
        limit_error =
            "package count " + std::to_string(count) +
            " exceeds descendant count limit [limit: " + std::to_string(limits.descendant_count) +
            "]";
    } else if (m_total_vsize > limits.ancestor_size_vbytes) {
        limit_error =
            "package size " + std::to_string(m_total_vsize) +
            " exceeds ancestor size limit [limit: " + std::to_string(limits.ancestor_size_vbytes) +
            "]";
    } else if (m_total_vsize > limits.descendant_size_vbytes) {
        limit_error = "package size " + std::to_string(m_total_vsize) +
                      " exceeds descendant size limit [limit: " +
                      std::to_string(limits.descendant_size_vbytes) + "]";
    }
    if (limit_error.empty()) {
        consensus::MutableTransaction merged;
        std::set<consensus::Uint256> staged_parents;
        for (const auto& tx : txns) {
            for (const auto& in : tx->vin) {
                if (!m_pool.Exists(in.prevout.hash)) continue;
                merged.vin.push_back(in);
                staged_parents.insert(in.prevout.hash);
                if (static_cast<int64_t>(staged_parents.size()) + count > limits.ancestor_count) {
                    limit_error = "too many unconfirmed parents [limit: " +
                                  std::to_string(limits.ancestor_count) + "]";
                    break;
                }
            }
            if (!limit_error.empty()) break;
        }
        if (limit_error.empty()) {
            MempoolLimits package_limits = limits;
            package_limits.ancestor_count -= count - 1;
            package_limits.descendant_count -= count - 1;
            const consensus::Transaction merged_tx{std::move(merged)};
            auto ancestors = m_pool.CalculateAncestors(merged_tx, m_total_vsize, package_limits);
            if (!ancestors) limit_error = "possibly " + ancestors.error().message;
        }
    }
    if (!limit_error.empty()) {
        return package_state.Invalid(PACKAGE_POLICY, "package-mempool-limits", limit_error);
    }

    if (!m_rbf) return true;

    // Package RBF is limited to a lone parent and child, neither with pool ancestors, so the
    // clusters involved stay small enough to compare.
    if (workspaces.size() != 2 || !IsChildWithParents(txns)) {
        return package_state.Invalid(PACKAGE_POLICY,
                                     "package RBF failed: package must be 1-parent-1-child");
    }
    for (const auto& ws : workspaces) {
        if (!ws.ancestors.empty()) {
            return package_state.Invalid(
                PACKAGE_POLICY,
                "package RBF failed: new transaction cannot have mempool ancestors");
        }
    }
    std::set<const MempoolEntry*> direct;
    for (const auto& ws : workspaces)
        direct.insert(ws.iters_conflicting.begin(), ws.iters_conflicting.end());
    const Workspace& parent_ws = workspaces[0];
    const Workspace& child_ws = workspaces[1];
    const consensus::Uint256& child_txid = child_ws.ptx->GetHash();

    uint64_t conflicting_count = 0;
    for (const MempoolEntry* conflict : direct) {
        conflicting_count += static_cast<uint64_t>(conflict->CountWithDescendants());
        if (conflicting_count > MAX_REPLACEMENT_CANDIDATES) {
            return package_state.Invalid(
                PACKAGE_POLICY, "package RBF failed: too many potential replacements",
                "rejecting replacement " + child_txid.GetHex() +
                    "; too many potential replacements (" + std::to_string(conflicting_count) +
                    " > " + std::to_string(MAX_REPLACEMENT_CANDIDATES) + ")");
        }
    }
    std::set<const MempoolEntry*> all_conflicts;
    for (const MempoolEntry* conflict : direct) {
        all_conflicts.insert(conflict);
        all_conflicts.merge(m_pool.CalculateDescendants(*conflict));
    }
    for (const MempoolEntry* entry : all_conflicts) {
        m_conflicting_fees += entry->GetModifiedFee();
        m_conflicting_size += entry->GetTxSize();
    }

    const consensus::Amount relay_fee =
        m_pool.Options().incremental_relay_feerate.GetFee(m_total_vsize);
    if (m_total_modified_fees < m_conflicting_fees) {
        return package_state.Invalid(
            PACKAGE_POLICY, "package RBF failed: insufficient anti-DoS fees",
            "rejecting replacement " + child_txid.GetHex() + ", less fees than conflicting txs; " +
                FormatMoney(m_total_modified_fees) + " < " + FormatMoney(m_conflicting_fees));
    }
    if (m_total_modified_fees - m_conflicting_fees < relay_fee) {
        return package_state.Invalid(PACKAGE_POLICY,
                                     "package RBF failed: insufficient anti-DoS fees",
                                     "rejecting replacement " + child_txid.GetHex() +
                                         ", not enough additional fees to relay; " +
                                         FormatMoney(m_total_modified_fees - m_conflicting_fees) +
                                         " < " + FormatMoney(relay_fee));
    }

    // The child must not merely pay the anti-DoS fees: the pair has to be one chunk.
    const FeeRate parent_feerate = FeeRate::FromFee(parent_ws.modified_fee, parent_ws.vsize);
    const FeeRate package_feerate = FeeRate::FromFee(m_total_modified_fees, m_total_vsize);
    if (package_feerate <= parent_feerate) {
        return package_state.Invalid(
            PACKAGE_POLICY,
            "package RBF failed: package feerate is less than or equal to parent feerate",
            "package feerate " + package_feerate.ToString() + " <= parent feerate is " +
                parent_feerate.ToString());
    }

    // The package is one chunk (its child pays more than its parent); what it evicts is
    // chunked as a miner would. The new diagram must beat the old one.
    const std::vector<DiagramPoint> proposed{{0, 0}, {m_total_vsize, m_total_modified_fees}};
    if (!ImprovesDiagram(BuildDiagram(all_conflicts), proposed)) {
        return package_state.Invalid(
            PACKAGE_POLICY,
            "package RBF failed: insufficient feerate: does not improve feerate diagram");
    }
    m_all_conflicts.merge(all_conflicts);
    return true;
}

PackageAcceptResult
MemPoolAccept::AcceptMultipleTransactions(const std::vector<consensus::TransactionRef>& txns,
                                          const Args& args)
{
    PackageAcceptResult out;
    if (!IsWellFormedPackage(txns, out.package_state, /*require_sorted=*/true)) return out;

    std::vector<Workspace> workspaces;
    workspaces.reserve(txns.size());
    for (const auto& tx : txns)
        workspaces.emplace_back(tx);

    // Cheap checks for everyone before any signature is verified.
    for (Workspace& ws : workspaces) {
        if (!PreChecks(args, ws)) {
            out.package_state.Invalid(PACKAGE_TX, "transaction failed");
            out.results.emplace(ws.ptx->GetWitnessHash(), Failure(ws.state));
            return out;
        }
        // Later members may spend this one's outputs; conflicts inside the package were
        // excluded by IsWellFormedPackage.
        m_view->AddPackageTransaction(*ws.ptx);
    }

    for (const Workspace& ws : workspaces) {
        m_total_vsize += ws.vsize;
        m_total_modified_fees += ws.modified_fee;
    }
    const FeeRate package_feerate = FeeRate::FromFee(m_total_modified_fees, m_total_vsize);
    const std::vector<consensus::Uint256> all_wtxids = Wtxids(txns);
    consensus::TxValidationState placeholder;
    if (args.package_feerates &&
        !CheckFeeRate(m_total_vsize, m_total_modified_fees, placeholder, args.accept_time)) {
        out.package_state.Invalid(PACKAGE_TX, "transaction failed");
        out.results.emplace(workspaces.back().ptx->GetWitnessHash(),
                            FeeFailure(placeholder, package_feerate, all_wtxids));
        return out;
    }

    if (txns.size() > 1 && !PackageMempoolChecks(txns, workspaces, out.package_state)) return out;

    const auto effective = [&](const Workspace& ws) {
        return args.package_feerates ? package_feerate
                                     : FeeRate::FromFee(ws.modified_fee, ws.vsize);
    };
    const auto effective_wtxids = [&](const Workspace& ws) {
        return args.package_feerates ? all_wtxids
                                     : std::vector<consensus::Uint256>{ws.ptx->GetWitnessHash()};
    };
    for (Workspace& ws : workspaces) {
        ws.package_feerate = package_feerate;
        if (!PolicyScriptChecks(ws)) {
            out.package_state.Invalid(PACKAGE_TX, "transaction failed");
            out.results.emplace(ws.ptx->GetWitnessHash(), Failure(ws.state));
            return out;
        }
        if (args.test_accept) {
            out.results.emplace(
                ws.ptx->GetWitnessHash(),
                Success({}, ws.vsize, ws.base_fee, effective(ws), effective_wtxids(ws)));
        }
    }
    if (args.test_accept) return out;

    for (Workspace& ws : workspaces) {
        if (!ConsensusScriptChecks(ws)) {
            out.package_state.Invalid(PACKAGE_MEMPOOL_ERROR,
                                      "BUG! PolicyScriptChecks succeeded but ConsensusScriptChecks "
                                      "failed: " +
                                          ws.ptx->GetHash().GetHex());
            out.results.emplace(ws.ptx->GetWitnessHash(), Failure(ws.state));
            return out;
        }
    }
    std::vector<Workspace*> pointers;
    for (Workspace& ws : workspaces)
        pointers.push_back(&ws);
    Finalize(pointers);
    // The replaced transactions are reported once, with the first transaction.
    auto replaced = std::move(m_replaced);
    m_replaced.clear();
    for (Workspace& ws : workspaces) {
        out.results.emplace(ws.ptx->GetWitnessHash(),
                            Success(std::move(replaced), ws.vsize, ws.base_fee, effective(ws),
                                    effective_wtxids(ws)));
        replaced.clear();
    }
    return out;
}

PackageAcceptResult
MemPoolAccept::AcceptSubPackage(const std::vector<consensus::TransactionRef>& subpackage,
                                const Args& args)
{
    PackageAcceptResult result;
    if (subpackage.size() > 1) {
        result = AcceptMultipleTransactions(subpackage, args);
    } else {
        Args single = args;
        single.bypass_limits = false;
        single.allow_replacement = true;
        single.package_submission = true; // trimmed at the end of AcceptPackage
        single.package_feerates = false;
        single.allow_carveouts = false;
        auto single_result = AcceptSingleTransaction(subpackage.front(), single);
        if (single_result.kind != MempoolAcceptResult::Kind::VALID) {
            result.package_state.Invalid(PACKAGE_TX, "transaction failed");
        }
        result.results.emplace(subpackage.front()->GetWitnessHash(), std::move(single_result));
    }
    // Nothing of this evaluation (fees, conflicts, package coins) may leak into the next.
    ClearSubPackageState();
    return result;
}

PackageAcceptResult
MemPoolAccept::AcceptPackage(const std::vector<consensus::TransactionRef>& package,
                             const Args& args)
{
    consensus::TxValidationState quit_early_state;
    if (!IsWellFormedPackage(package, quit_early_state, /*require_sorted=*/true)) {
        return PackageAcceptResult{quit_early_state, {}};
    }
    if (package.size() > 1) {
        if (!IsChildWithParents(package)) {
            quit_early_state.Invalid(PACKAGE_POLICY, "package-not-child-with-parents");
            return PackageAcceptResult{quit_early_state, {}};
        }
        // Parents missing from the package must already be confirmed.
        std::set<consensus::Uint256> parent_txids;
        for (auto it = package.begin(); it != package.end() - 1; ++it)
            parent_txids.insert((*it)->GetHash());
        const CoinsCache& tip_coins = m_chainman.CoinsTip();
        for (const auto& in : package.back()->vin) {
            if (parent_txids.count(in.prevout.hash) == 0 && !tip_coins.HaveCoin(in.prevout)) {
                quit_early_state.Invalid(PACKAGE_POLICY,
                                         "package-not-child-with-unconfirmed-parents");
                return PackageAcceptResult{quit_early_state, {}};
            }
        }
    }

    std::map<consensus::Uint256, MempoolAcceptResult> results_final;
    // Results of lone attempts, superseded if the transaction later enters with the package.
    std::map<consensus::Uint256, MempoolAcceptResult> individual_results_nonfinal;
    bool quit_early = false;
    std::vector<consensus::TransactionRef> txns_package_eval;
    for (const auto& tx : package) {
        const consensus::Uint256& wtxid = tx->GetWitnessHash();
        const consensus::Uint256& txid = tx->GetHash();
        if (const MempoolEntry* entry = m_pool.GetByWtxid(wtxid)) {
            // Already there: counted once, never twice, toward fees and limits.
            results_final.emplace(wtxid, MempoolTx(entry->GetTxSize(), entry->GetFee()));
        } else if (const MempoolEntry* same_txid = m_pool.Get(txid)) {
            results_final.emplace(wtxid, DifferentWitness(same_txid->GetTx().GetWitnessHash()));
        } else {
            auto single = AcceptSubPackage({tx}, args);
            auto& single_result = single.results.at(wtxid);
            const TxResult reason = single_result.state.GetResult();
            if (single_result.kind == MempoolAcceptResult::Kind::VALID) {
                results_final.emplace(wtxid, std::move(single_result));
            } else if (package.size() == 1 ||
                       (reason != TxResult::RECONSIDERABLE && reason != TxResult::MISSING_INPUTS)) {
                // Only feerate (or a parent that failed on feerate) can change as a package.
                quit_early = true;
                quit_early_state.Invalid(PACKAGE_TX, "transaction failed");
                individual_results_nonfinal.emplace(wtxid, std::move(single_result));
            } else {
                individual_results_nonfinal.emplace(wtxid, std::move(single_result));
                txns_package_eval.push_back(tx);
            }
        }
    }

    PackageAcceptResult multi = quit_early || txns_package_eval.empty()
                                    ? PackageAcceptResult{quit_early_state, {}}
                                    : AcceptSubPackage(txns_package_eval, args);
    consensus::TxValidationState& package_state_final = multi.package_state;

    LimitMempoolSize(args.accept_time);

    for (const auto& tx : package) {
        const consensus::Uint256& wtxid = tx->GetWitnessHash();
        if (auto it = multi.results.find(wtxid); it != multi.results.end()) {
            if (it->second.kind == MempoolAcceptResult::Kind::VALID && !m_pool.GetByWtxid(wtxid)) {
                package_state_final.Invalid(PACKAGE_TX, "transaction failed");
                results_final.emplace(wtxid, MempoolFull());
            } else {
                results_final.emplace(wtxid, std::move(it->second));
            }
        } else if (auto found = results_final.find(wtxid); found != results_final.end()) {
            // In the pool before trimming; by txid to cover a different witness too.
            if (!m_pool.Exists(tx->GetHash())) {
                package_state_final.Invalid(PACKAGE_TX, "transaction failed");
                found->second = MempoolFull();
            }
        } else if (auto nonfinal = individual_results_nonfinal.find(wtxid);
                   nonfinal != individual_results_nonfinal.end()) {
            results_final.emplace(wtxid, std::move(nonfinal->second));
        }
    }
    return PackageAcceptResult{package_state_final, std::move(results_final)};
}

} // namespace accept_detail

PackageAcceptResult ProcessNewPackage(ChainstateManager& chainman, TxMemPool& pool,
                                      const std::vector<consensus::TransactionRef>& package,
                                      const AcceptOptions& options)
{
    PackageAcceptResult refused;
    if (package.empty()) {
        refused.package_state.Invalid(PACKAGE_POLICY, "package-empty");
        return refused;
    }
    if (std::any_of(package.begin(), package.end(), [](const auto& tx) { return !tx; })) {
        refused.package_state.Invalid(PACKAGE_POLICY, "package-contains-null");
        return refused;
    }
    accept_detail::Args args;
    args.accept_time = options.accept_time != 0 ? options.accept_time : chainman.Now();
    args.policy = options.policy;
    args.bypass_limits = false;
    args.allow_carveouts = false;
    accept_detail::MemPoolAccept accept{chainman, pool};
    if (options.test_accept) {
        args.test_accept = true;
        args.allow_replacement = false;
        args.package_submission = false;
        args.package_feerates = false;
        return accept.AcceptMultipleTransactions(package, args);
    }
    args.test_accept = false;
    args.allow_replacement = true;
    args.package_submission = true;
    args.package_feerates = true;
    return accept.AcceptPackage(package, args);
}

} // namespace kernel
