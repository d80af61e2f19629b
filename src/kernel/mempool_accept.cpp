// Single-transaction mempool acceptance: Bitcoin Core's PreChecks, replacement
// rules (src/policy/rbf.cpp), script checks with the policy flags, then adding
// the transaction, evicting what it replaces and trimming the pool.
#include <kernel/mempool_accept.h>

#include <consensus/script/interpreter.h>
#include <consensus/script/script_error.h>
#include <consensus/tx_check.h>
#include <consensus/tx_verify.h>
#include <kernel/chainstate.h>
#include <kernel/mempool.h>
#include <kernel/mempool_accept_impl.h>

#include <cinttypes>
#include <cstdio>
#include <limits>
#include <utility>

namespace kernel {
namespace accept_detail {

namespace {

using consensus::TxResult;

// Core's MANDATORY_SCRIPT_VERIFY_FLAGS: a failure under these alone is a consensus failure.
constexpr uint32_t MANDATORY_SCRIPT_VERIFY_FLAGS =
    consensus::SCRIPT_VERIFY_P2SH | consensus::SCRIPT_VERIFY_DERSIG |
    consensus::SCRIPT_VERIFY_NULLDUMMY | consensus::SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
    consensus::SCRIPT_VERIFY_CHECKSEQUENCEVERIFY | consensus::SCRIPT_VERIFY_WITNESS |
    consensus::SCRIPT_VERIFY_TAPROOT;
// Core's EXTRA_DESCENDANT_TX_SIZE_LIMIT (CPFP carve-out), virtual bytes.
constexpr int64_t EXTRA_DESCENDANT_TX_SIZE_LIMIT{10'000};
// Inputs with a sequence at or below this signal BIP125 replaceability.
constexpr uint32_t MAX_BIP125_RBF_SEQUENCE{0xfffffffd};

bool SignalsOptInRbf(const consensus::Transaction& tx)
{
    for (const auto& in : tx.vin) {
        if (in.sequence <= MAX_BIP125_RBF_SEQUENCE) return true;
    }
    return false;
}

MempoolLimits NoLimits()
{
    constexpr int64_t max = std::numeric_limits<int64_t>::max() / 4;
    return MempoolLimits{max, max, max, max};
}

// Core's CheckInputScripts for the mempool: the first failing input decides, and a failure
// that disappears without the policy-only flags is reported as non-mandatory.
bool CheckInputScripts(const consensus::Transaction& tx, consensus::TxValidationState& state,
                       const std::vector<consensus::TxOut>& spent, uint32_t flags,
                       const consensus::PrecomputedTxData& txdata)
{
    const uint32_t non_mandatory = StandardScriptVerifyFlags() & ~MANDATORY_SCRIPT_VERIFY_FLAGS;
    for (unsigned i = 0; i < tx.vin.size(); ++i) {
        const consensus::TxIn& in = tx.vin[i];
        const consensus::TransactionSignatureChecker checker{&tx, i, spent[i].value, txdata};
        consensus::ScriptError error{consensus::ScriptError::OK};
        if (consensus::VerifyScript(in.script_sig, spent[i].script_pubkey, &in.witness, flags,
                                    checker, &error)) {
            continue;
        }
        const std::string debug = "input " + std::to_string(i) + " of " + tx.GetHash().GetHex() +
                                  " (wtxid " + tx.GetWitnessHash().GetHex() + "), spending " +
                                  in.prevout.hash.GetHex() + ":" + std::to_string(in.prevout.n);
        if ((flags & non_mandatory) != 0) {
            consensus::ScriptError ignored{consensus::ScriptError::OK};
            if (consensus::VerifyScript(in.script_sig, spent[i].script_pubkey, &in.witness,
                                        flags & ~non_mandatory, checker, &ignored)) {
                return state.Invalid(TxResult::NOT_STANDARD,
                                     "non-mandatory-script-verify-flag (" +
                                         consensus::ScriptErrorString(error) + ")",
                                     debug);
            }
        }
        return state.Invalid(TxResult::CONSENSUS,
                             "mandatory-script-verify-flag-failed (" +
                                 consensus::ScriptErrorString(error) + ")",
                             debug);
    }
    return true;
}

// Core's PaysForRBF (rules 3 and 4).
std::optional<std::string> PaysForRbf(consensus::Amount original_fees,
                                      consensus::Amount replacement_fees, int64_t replacement_vsize,
                                      const FeeRate& relay_fee, const consensus::Uint256& txid)
{
    if (replacement_fees < original_fees) {
        return "rejecting replacement " + txid.GetHex() + ", less fees than conflicting txs; " +
               FormatMoney(replacement_fees) + " < " + FormatMoney(original_fees);
    }
    const consensus::Amount additional = replacement_fees - original_fees;
    if (additional < relay_fee.GetFee(replacement_vsize)) {
        return "rejecting replacement " + txid.GetHex() +
               ", not enough additional fees to relay; " + FormatMoney(additional) + " < " +
               FormatMoney(relay_fee.GetFee(replacement_vsize));
    }
    return std::nullopt;
}

} // namespace

std::string FormatMoney(consensus::Amount amount)
{
    // Negate in unsigned arithmetic so the smallest value cannot overflow.
    const bool negative = amount < 0;
    const uint64_t magnitude =
        negative ? uint64_t{0} - static_cast<uint64_t>(amount) : static_cast<uint64_t>(amount);
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%" PRIu64 ".%08" PRIu64,
                  magnitude / static_cast<uint64_t>(consensus::COIN),
                  magnitude % static_cast<uint64_t>(consensus::COIN));
    std::string text{buf};
    // Keep at least two decimals, as Core does.
    while (text.size() > 3 && text.back() == '0' && text[text.size() - 3] != '.') {
        text.pop_back();
    }
    return negative ? "-" + text : text;
}

std::optional<consensus::Coin> PoolCoinsView::GetCoin(const consensus::OutPoint& outpoint) const
{
    if (auto coin = m_pool.GetCoin(outpoint)) return coin;
    if (auto it = m_package_coins.find(outpoint); it != m_package_coins.end()) return it->second;
    return m_tip.GetCoin(outpoint);
}

void PoolCoinsView::AddPackageTransaction(const consensus::Transaction& tx)
{
    for (uint32_t n = 0; n < tx.vout.size(); ++n) {
        m_package_coins[consensus::OutPoint{tx.GetHash(), n}] =
            consensus::Coin{tx.vout[n], MEMPOOL_HEIGHT, false};
    }
}

MemPoolAccept::MemPoolAccept(ChainstateManager& chainman, TxMemPool& pool)
    : m_chainman{chainman}, m_pool{pool}, m_view{std::make_unique<PoolCoinsView>(
                                              chainman.CoinsTip(), pool)}
{}

bool MemPoolAccept::CheckFeeRate(int64_t vsize, consensus::Amount fee,
                                 consensus::TxValidationState& state, int64_t now) const
{
    // GetMinFee folds in the min relay fee; only a higher value means the pool's own
    // (rolling) minimum is in force, which Core reports separately.
    const FeeRate min_relay = m_pool.Options().min_relay_feerate;
    const FeeRate pool_min = m_pool.GetMinFee(now);
    const consensus::Amount reject_fee = pool_min > min_relay ? pool_min.GetFee(vsize) : 0;
    if (reject_fee > 0 && fee < reject_fee) {
        return state.Invalid(TxResult::RECONSIDERABLE, "mempool min fee not met",
                             std::to_string(fee) + " < " + std::to_string(reject_fee));
    }
    if (fee < min_relay.GetFee(vsize)) {
        return state.Invalid(TxResult::RECONSIDERABLE, "min relay fee not met",
                             std::to_string(fee) + " < " + std::to_string(min_relay.GetFee(vsize)));
    }
    return true;
}

bool MemPoolAccept::PreChecks(const Args& args, Workspace& ws)
{
    const consensus::Transaction& tx = *ws.ptx;
    const consensus::Uint256& txid = tx.GetHash();
    consensus::TxValidationState& state = ws.state;

    if (!consensus::CheckTransaction(tx, state)) return false;
    if (tx.IsCoinBase()) return state.Invalid(TxResult::CONSENSUS, "coinbase");
    if (auto reason = CheckStandardTx(tx, args.policy)) {
        return state.Invalid(TxResult::NOT_STANDARD, *reason);
    }
    // CVE-2017-12842: 64-byte transactions could pass for inner merkle nodes.
    if (static_cast<int64_t>(tx.GetBaseSize()) < MIN_STANDARD_TX_NONWITNESS_SIZE) {
        return state.Invalid(TxResult::NOT_STANDARD, "tx-size-small");
    }
    // The pool holds candidates for the next block: lock times are judged against it.
    const BlockIndex* tip = m_chainman.Tip();
    const int next_height = tip->height + 1;
    const int64_t tip_mtp = tip->GetMedianTimePast();
    if (!consensus::IsFinalTx(tx, next_height, tip_mtp)) {
        return state.Invalid(TxResult::PREMATURE_SPEND, "non-final");
    }
    if (m_pool.GetByWtxid(tx.GetWitnessHash()) != nullptr) {
        return state.Invalid(TxResult::CONFLICT, "txn-already-in-mempool");
    }
    if (m_pool.Exists(txid)) {
        return state.Invalid(TxResult::CONFLICT, "txn-same-nonwitness-data-in-mempool");
    }

    for (const auto& in : tx.vin) {
        const MempoolEntry* conflicting = m_pool.GetSpender(in.prevout);
        if (conflicting == nullptr) continue;
        if (!args.allow_replacement) {
            return state.Invalid(TxResult::MEMPOOL_POLICY, "bip125-replacement-disallowed");
        }
        const consensus::Uint256& conflict_txid = conflicting->GetTx().GetHash();
        if (ws.conflicts.count(conflict_txid) != 0) continue;
        if (!m_pool.Options().full_rbf && !SignalsOptInRbf(conflicting->GetTx())) {
            return state.Invalid(TxResult::MEMPOOL_POLICY, "txn-mempool-conflict");
        }
        ws.conflicts.insert(conflict_txid);
        ws.iters_conflicting.insert(conflicting);
    }

    // Snapshot the inputs once; every later check reads this small view.
    consensus::CoinsViewMemory inputs;
    std::vector<consensus::Coin> coins;
    coins.reserve(tx.vin.size());
    for (const auto& in : tx.vin) {
        auto coin = m_view->GetCoin(in.prevout);
        if (!coin) {
            const CoinsCache& tip_coins = m_chainman.CoinsTip();
            for (uint32_t n = 0; n < tx.vout.size(); ++n) {
                if (tip_coins.HaveCoin(consensus::OutPoint{txid, n})) {
                    return state.Invalid(TxResult::CONFLICT, "txn-already-known");
                }
            }
            return state.Invalid(TxResult::MISSING_INPUTS, "bad-txns-inputs-missingorspent");
        }
        inputs.AddCoin(in.prevout, *coin);
        coins.push_back(std::move(*coin));
    }

    // BIP68: pool coins are assumed to confirm in the next block.
    std::vector<int> prev_heights(tx.vin.size());
    for (size_t i = 0; i < coins.size(); ++i) {
        prev_heights[i] =
            coins[i].height == MEMPOOL_HEIGHT ? next_height : static_cast<int>(coins[i].height);
    }
    const auto mtp_at = [tip](int height) { return tip->GetAncestor(height)->GetMedianTimePast(); };
    const auto lock = consensus::CalculateSequenceLocks(tx, consensus::LOCKTIME_VERIFY_SEQUENCE,
                                                        prev_heights, mtp_at);
    if (!consensus::EvaluateSequenceLocks(next_height, tip_mtp, lock)) {
        return state.Invalid(TxResult::PREMATURE_SPEND, "non-BIP68-final");
    }

    if (!consensus::CheckTxInputs(tx, state, inputs, next_height, ws.base_fee)) return false;

    if (auto reason = CheckInputsStandard(tx, coins)) {
        static const std::string REASON{"bad-txns-nonstandard-inputs"};
        std::string debug = *reason;
        if (debug == REASON) {
            debug.clear();
        } else if (debug.rfind(REASON + ", ", 0) == 0) {
            debug.erase(0, REASON.size() + 2);
        }
        return state.Invalid(TxResult::INPUTS_NOT_STANDARD, REASON, debug);
    }
    if (tx.HasWitness() && !IsWitnessStandard(tx, coins)) {
        return state.Invalid(TxResult::WITNESS_MUTATED, "bad-witness-nonstandard");
    }

    const int64_t sigops =
        consensus::GetTransactionSigOpCost(tx, inputs, StandardScriptVerifyFlags());
    bool spends_coinbase = false;
    for (const auto& coin : coins)
        spends_coinbase |= coin.coinbase;

    // Transactions back from a reorg sort before pool children that spend them.
    const uint64_t entry_sequence = args.bypass_limits ? 0 : m_pool.CurrentSequence();
    ws.entry = std::make_unique<MempoolEntry>(ws.ptx, ws.base_fee, args.accept_time, tip->height,
                                              entry_sequence, spends_coinbase, sigops);
    ws.modified_fee = ws.base_fee + m_pool.GetFeeDelta(txid);
    ws.vsize = ws.entry->GetTxSize();

    if (sigops > MAX_STANDARD_TX_SIGOPS_COST) {
        return state.Invalid(TxResult::NOT_STANDARD, "bad-txns-too-many-sigops",
                             std::to_string(sigops));
    }
    // A package cannot lift a transaction over the min relay fee (its child could be
    // replaced away later), so this holds even when the package feerate is used.
    const FeeRate min_relay = m_pool.Options().min_relay_feerate;
    if (!args.bypass_limits && ws.modified_fee < min_relay.GetFee(ws.vsize)) {
        return state.Invalid(TxResult::MEMPOOL_POLICY, "min relay fee not met",
                             std::to_string(ws.modified_fee) + " < " +
                                 std::to_string(min_relay.GetFee(ws.vsize)));
    }
    if (!args.bypass_limits && !args.package_feerates &&
        !CheckFeeRate(ws.vsize, ws.modified_fee, state, args.accept_time)) {
        return false;
    }

    // RBF carve-out: replacing exactly one transaction frees its descendants' room.
    MempoolLimits limits = m_pool.Options().limits;
    if (ws.iters_conflicting.size() == 1 && args.allow_carveouts) {
        limits.descendant_count += 1;
        limits.descendant_size_vbytes += (*ws.iters_conflicting.begin())->SizeWithDescendants();
    }
    auto ancestors = m_pool.CalculateAncestors(tx, ws.vsize, limits);
    if (!ancestors) {
        const std::string error_message = ancestors.error().message;
        if (!args.allow_carveouts || ws.vsize > EXTRA_DESCENDANT_TX_SIZE_LIMIT) {
            return state.Invalid(TxResult::MEMPOOL_POLICY, "too-long-mempool-chain", error_message);
        }
        // CPFP carve-out: one more small child of a single unconfirmed parent is allowed, so
        // either side of a two-party contract can always bump it.
        const MempoolLimits carve_out{2, limits.ancestor_size_vbytes, limits.descendant_count + 1,
                                      limits.descendant_size_vbytes +
                                          EXTRA_DESCENDANT_TX_SIZE_LIMIT};
        ancestors = m_pool.CalculateAncestors(tx, ws.vsize, carve_out);
        if (!ancestors) {
            return state.Invalid(TxResult::MEMPOOL_POLICY, "too-long-mempool-chain", error_message);
        }
    }
    ws.ancestors = std::move(*ancestors);

    // Spending an output of a transaction it replaces would make the transaction invalid.
    for (const MempoolEntry* ancestor : ws.ancestors) {
        const consensus::Uint256& ancestor_txid = ancestor->GetTx().GetHash();
        if (ws.conflicts.count(ancestor_txid) != 0) {
            return state.Invalid(TxResult::CONSENSUS, "bad-txns-spends-conflicting-tx",
                                 txid.GetHex() + " spends conflicting transaction " +
                                     ancestor_txid.GetHex());
        }
    }

    ws.spent_outputs.reserve(coins.size());
    for (auto& coin : coins)
        ws.spent_outputs.push_back(std::move(coin.out));
    m_rbf |= !ws.conflicts.empty();
    return true;
}

bool MemPoolAccept::ReplacementChecks(Workspace& ws)
{
    const consensus::Transaction& tx = *ws.ptx;
    const consensus::Uint256& txid = tx.GetHash();
    consensus::TxValidationState& state = ws.state;

    // Rule 6: a higher feerate than every direct conflict.
    const FeeRate new_feerate = FeeRate::FromFee(ws.modified_fee, ws.vsize);
    for (const MempoolEntry* conflict : ws.iters_conflicting) {
        const FeeRate old_feerate =
            FeeRate::FromFee(conflict->GetModifiedFee(), conflict->GetTxSize());
        if (new_feerate <= old_feerate) {
            return state.Invalid(TxResult::RECONSIDERABLE, "insufficient fee",
                                 "rejecting replacement " + txid.GetHex() + "; new feerate " +
                                     new_feerate.ToString() + " <= old feerate " +
                                     old_feerate.ToString());
        }
    }

    // Rule 5: bounded work, counting descendants (possibly twice).
    uint64_t count = 0;
    for (const MempoolEntry* conflict : ws.iters_conflicting) {
        count += static_cast<uint64_t>(conflict->CountWithDescendants());
        if (count > MAX_REPLACEMENT_CANDIDATES) {
            return state.Invalid(TxResult::MEMPOOL_POLICY, "too many potential replacements",
                                 "rejecting replacement " + txid.GetHex() +
                                     "; too many potential replacements (" + std::to_string(count) +
                                     " > " + std::to_string(MAX_REPLACEMENT_CANDIDATES) + ")");
        }
    }
    std::set<const MempoolEntry*> all_conflicts;
    for (const MempoolEntry* conflict : ws.iters_conflicting) {
        all_conflicts.insert(conflict);
        all_conflicts.merge(m_pool.CalculateDescendants(*conflict));
    }

    // Rule 2: no new unconfirmed inputs beyond those the replaced transactions had.
    std::set<consensus::Uint256> parents_of_conflicts;
    for (const MempoolEntry* entry : all_conflicts) {
        for (const auto& in : entry->GetTx().vin)
            parents_of_conflicts.insert(in.prevout.hash);
    }
    for (size_t j = 0; j < tx.vin.size(); ++j) {
        const consensus::Uint256& parent = tx.vin[j].prevout.hash;
        if (parents_of_conflicts.count(parent) == 0 && m_pool.Exists(parent)) {
            return state.Invalid(TxResult::MEMPOOL_POLICY, "replacement-adds-unconfirmed",
                                 "replacement " + txid.GetHex() + " adds unconfirmed input, idx " +
                                     std::to_string(j));
        }
    }

    // Rules 3 and 4: pay for what is evicted and for the replacement's own relay.
    for (const MempoolEntry* entry : all_conflicts) {
        m_conflicting_fees += entry->GetModifiedFee();
        m_conflicting_size += entry->GetTxSize();
    }
    if (auto error = PaysForRbf(m_conflicting_fees, ws.modified_fee, ws.vsize,
                                m_pool.Options().incremental_relay_feerate, txid)) {
        return state.Invalid(TxResult::RECONSIDERABLE, "insufficient fee", *error);
    }
    m_all_conflicts.merge(all_conflicts);
    return true;
}

bool MemPoolAccept::PolicyScriptChecks(Workspace& ws)
{
    const consensus::Transaction& tx = *ws.ptx;
    ws.txdata.Init(tx, ws.spent_outputs);
    const uint32_t flags = StandardScriptVerifyFlags();
    if (CheckInputScripts(tx, ws.state, ws.spent_outputs, flags, ws.txdata)) return true;
    // A legacy-looking transaction that only fails with witness checks on probably had its
    // witness stripped in transit: the transaction itself may be fine.
    consensus::TxValidationState dummy;
    const uint32_t cleanstack = consensus::SCRIPT_VERIFY_CLEANSTACK;
    if (!tx.HasWitness() &&
        CheckInputScripts(tx, dummy, ws.spent_outputs,
                          flags & ~(consensus::SCRIPT_VERIFY_WITNESS | cleanstack), ws.txdata) &&
        !CheckInputScripts(tx, dummy, ws.spent_outputs, flags & ~cleanstack, ws.txdata)) {
        const std::string reason = ws.state.GetRejectReason();
        const std::string debug = ws.state.GetDebugMessage();
        ws.state.Invalid(TxResult::WITNESS_STRIPPED, reason, debug);
    }
    return false;
}

bool MemPoolAccept::ConsensusScriptChecks(Workspace& ws)
{
    // Belt and braces against policy flags that wrongly accept what consensus refuses.
    const BlockIndex* tip = m_chainman.Tip();
    const uint32_t flags =
        consensus::GetBlockScriptFlags(tip->height, tip->hash, m_chainman.Params().GetConsensus());
    return CheckInputScripts(*ws.ptx, ws.state, ws.spent_outputs, flags, ws.txdata);
}

void MemPoolAccept::Finalize(std::vector<Workspace*> workspaces)
{
    for (const MempoolEntry* entry : m_all_conflicts)
        m_replaced.push_back(entry->GetSharedTx());
    m_all_conflicts.clear();
    for (Workspace* ws : workspaces) {
        for (const auto& txid : ws->conflicts) {
            if (m_pool.Exists(txid)) m_pool.RemoveRecursive(txid, RemovalReason::REPLACED);
        }
        ws->iters_conflicting.clear();
    }
    for (Workspace* ws : workspaces) {
        // Ancestors again: evictions and earlier package members changed them.
        auto ancestors = m_pool.CalculateAncestors(*ws->ptx, ws->vsize, NoLimits());
        // Every addition consumes a sequence number, as Core's add signal does; entries back
        // from a reorg or mempool.dat (sequence 0) keep theirs so they sort first.
        if (ws->entry->GetSequence() == 0) {
            m_pool.NextSequence();
        } else {
            m_pool.AssignNextSequence(*ws->entry);
        }
        m_pool.AddUnchecked(std::move(ws->entry),
                            ancestors ? *ancestors : std::set<const MempoolEntry*>{});
        ws->ancestors.clear();
    }
}

void MemPoolAccept::LimitMempoolSize(int64_t now)
{
    m_pool.Expire(now);
    m_pool.TrimToSize(m_pool.Options().max_size_bytes);
}

void MemPoolAccept::ClearSubPackageState()
{
    m_total_modified_fees = 0;
    m_total_vsize = 0;
    m_rbf = false;
    m_all_conflicts.clear();
    m_replaced.clear();
    m_conflicting_fees = 0;
    m_conflicting_size = 0;
    m_view = std::make_unique<PoolCoinsView>(m_chainman.CoinsTip(), m_pool);
}

MempoolAcceptResult Failure(consensus::TxValidationState state)
{
    MempoolAcceptResult result;
    result.kind = MempoolAcceptResult::Kind::INVALID;
    result.state = std::move(state);
    return result;
}

MempoolAcceptResult FeeFailure(consensus::TxValidationState state, FeeRate feerate,
                               std::vector<consensus::Uint256> wtxids)
{
    MempoolAcceptResult result = Failure(std::move(state));
    result.effective_feerate = feerate;
    result.effective_includes = std::move(wtxids);
    return result;
}

MempoolAcceptResult Success(std::vector<consensus::TransactionRef> replaced, int64_t vsize,
                            consensus::Amount fee, FeeRate feerate,
                            std::vector<consensus::Uint256> wtxids)
{
    MempoolAcceptResult result;
    result.kind = MempoolAcceptResult::Kind::VALID;
    result.replaced = std::move(replaced);
    result.vsize = vsize;
    result.base_fee = fee;
    result.effective_feerate = feerate;
    result.effective_includes = std::move(wtxids);
    return result;
}

MempoolAcceptResult MemPoolAccept::AcceptSingleTransaction(const consensus::TransactionRef& tx,
                                                           const Args& args)
{
    Workspace ws{tx};
    const std::vector<consensus::Uint256> single_wtxid{tx->GetWitnessHash()};

    if (!PreChecks(args, ws)) {
        if (ws.state.GetResult() == TxResult::RECONSIDERABLE) {
            return FeeFailure(ws.state, FeeRate::FromFee(ws.modified_fee, ws.vsize), single_wtxid);
        }
        return Failure(ws.state);
    }
    m_total_vsize = ws.vsize;
    m_total_modified_fees = ws.modified_fee;

    if (m_rbf && !ReplacementChecks(ws)) {
        if (ws.state.GetResult() == TxResult::RECONSIDERABLE) {
            return FeeFailure(ws.state, FeeRate::FromFee(ws.modified_fee, ws.vsize), single_wtxid);
        }
        return Failure(ws.state);
    }
    // Signatures last: everything cheap has passed by now (CPU DoS).
    if (!PolicyScriptChecks(ws)) return Failure(ws.state);
    if (!ConsensusScriptChecks(ws)) return Failure(ws.state);

    const FeeRate effective = FeeRate::FromFee(ws.modified_fee, ws.vsize);
    if (args.test_accept) return Success({}, ws.vsize, ws.base_fee, effective, single_wtxid);

    const consensus::Uint256 txid = tx->GetHash();
    Finalize({&ws});
    if (!args.package_submission && !args.bypass_limits) {
        LimitMempoolSize(args.accept_time);
        if (!m_pool.Exists(txid)) {
            // Trimmed at once: below the new pool minimum, though a package might lift it.
            ws.state.Invalid(TxResult::RECONSIDERABLE, "mempool full");
            return FeeFailure(ws.state, effective, single_wtxid);
        }
    }
    auto replaced = std::move(m_replaced);
    m_replaced.clear();
    return Success(std::move(replaced), ws.vsize, ws.base_fee, effective, single_wtxid);
}

} // namespace accept_detail

MempoolAcceptResult AcceptToMemoryPool(ChainstateManager& chainman, TxMemPool& pool,
                                       const consensus::TransactionRef& tx,
                                       const AcceptOptions& options)
{
    if (!tx) {
        consensus::TxValidationState state;
        state.Invalid(consensus::TxResult::CONSENSUS, "bad-txns-null");
        return accept_detail::Failure(std::move(state));
    }
    accept_detail::Args args;
    args.accept_time = options.accept_time != 0 ? options.accept_time : chainman.Now();
    args.test_accept = options.test_accept;
    args.bypass_limits = options.bypass_limits;
    args.policy = options.policy;
    return accept_detail::MemPoolAccept{chainman, pool}.AcceptSingleTransaction(tx, args);
}

} // namespace kernel
