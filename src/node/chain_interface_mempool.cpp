// The mempool, fee-estimation and block-template half of node::ChainInterface.
#include <node/chain_interface.h>

#include <common/chainparams.h>
#include <kernel/chainstate.h>
#include <kernel/fee_estimator.h>
#include <kernel/mempool.h>
#include <kernel/miner.h>
#include <util/executor.h>

#include <algorithm>

namespace node {

namespace {

// Fee rate estimatesmartfee falls back to on regtest and signet when it has no data yet,
// so wallets work out of the box there (0.00010000 BTC/kvB, i.e. 10 sat/vB).
constexpr consensus::Amount TEST_CHAIN_FALLBACK_FEE{10'000};

bool SignalsRbf(const consensus::Transaction& tx)
{
    return std::any_of(tx.vin.begin(), tx.vin.end(),
                       [](const auto& in) { return in.sequence <= 0xfffffffd; });
}

interfaces::MempoolEntryInfo DescribeEntry(const kernel::TxMemPool& pool,
                                           const kernel::MempoolEntry& e)
{
    interfaces::MempoolEntryInfo info;
    info.tx = e.GetSharedTx();
    info.vsize = e.GetTxSize();
    info.weight = e.GetTxWeight();
    info.time = e.GetTime();
    info.height = e.GetHeight();
    info.fee = e.GetFee();
    info.modified_fee = e.GetModifiedFee();
    info.descendant_count = e.CountWithDescendants();
    info.descendant_size = e.SizeWithDescendants();
    info.descendant_fees = e.ModFeesWithDescendants();
    info.ancestor_count = e.CountWithAncestors();
    info.ancestor_size = e.SizeWithAncestors();
    info.ancestor_fees = e.ModFeesWithAncestors();
    for (const kernel::MempoolEntry* parent : e.Parents())
        info.depends.push_back(parent->GetTx().GetHash());
    for (const kernel::MempoolEntry* child : e.Children())
        info.spent_by.push_back(child->GetTx().GetHash());
    std::sort(info.depends.begin(), info.depends.end());
    std::sort(info.spent_by.begin(), info.spent_by.end());
    // Core reports the BIP125 signal of the transaction or of any in-pool ancestor.
    info.bip125_replaceable = SignalsRbf(e.GetTx());
    if (!info.bip125_replaceable) {
        auto ancestors = pool.CalculateAncestors(
            e.GetTx(), e.GetTxSize(),
            kernel::MempoolLimits{INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX});
        if (ancestors) {
            info.bip125_replaceable =
                std::any_of(ancestors->begin(), ancestors->end(),
                            [](const kernel::MempoolEntry* a) { return SignalsRbf(a->GetTx()); });
        }
    }
    return info;
}

interfaces::TxAcceptResult Convert(const consensus::TransactionRef& tx,
                                   const kernel::MempoolAcceptResult& result)
{
    using Kind = kernel::MempoolAcceptResult::Kind;
    interfaces::TxAcceptResult out;
    out.txid = tx->GetHash();
    out.wtxid = tx->GetWitnessHash();
    out.allowed = result.kind == Kind::VALID;
    out.already_in_mempool = result.kind == Kind::MEMPOOL_ENTRY;
    out.other_wtxid = result.other_wtxid;
    if (result.kind == Kind::INVALID) {
        out.reject_reason = result.state.GetRejectReason();
        out.reject_details = result.state.ToString();
        out.missing_inputs = result.state.GetResult() == consensus::TxResult::MISSING_INPUTS;
    }
    out.vsize = result.vsize;
    out.base_fee = result.base_fee;
    if (result.effective_feerate)
        out.effective_feerate_per_kvb = result.effective_feerate->GetFeePerK();
    out.effective_includes = result.effective_includes;
    for (const auto& replaced : result.replaced)
        out.replaced.push_back(replaced->GetHash());
    return out;
}

// Refuses a would-be-accepted result whose fee rate exceeds the caller's limit, as Core's
// "max-fee-exceeded".
void ApplyMaxFee(interfaces::TxAcceptResult& result, consensus::Amount max_fee_per_kvb)
{
    if (!result.allowed || max_fee_per_kvb <= 0) return;
    if (result.base_fee > kernel::FeeRate{max_fee_per_kvb}.GetFee(result.vsize)) {
        result.allowed = false;
        result.reject_reason = "max-fee-exceeded";
        result.reject_details = "max-fee-exceeded";
    }
}

} // namespace

interfaces::MempoolInfo ChainInterface::GetMempoolInfo() const
{
    interfaces::MempoolInfo out;
    if (!m_mempool.pool) return out;
    const kernel::MempoolInfo info = m_mempool.pool->Info();
    out.loaded = info.loaded;
    out.size = info.size;
    out.bytes = info.bytes;
    out.usage = info.usage;
    out.total_fee = info.total_fee;
    out.max_size_bytes = info.max_size_bytes;
    out.min_fee_per_kvb = info.min_fee.GetFeePerK();
    out.min_relay_fee_per_kvb = info.min_relay_fee.GetFeePerK();
    out.incremental_relay_fee_per_kvb = info.incremental_relay_fee.GetFeePerK();
    out.unbroadcast_count = info.unbroadcast_count;
    out.full_rbf = info.full_rbf;
    return out;
}

std::vector<interfaces::MempoolEntryInfo> ChainInterface::GetMempoolEntries() const
{
    if (!m_mempool.pool) return {};
    return m_executor.Run([&] {
        std::vector<interfaces::MempoolEntryInfo> out;
        for (const kernel::MempoolEntry* entry : m_mempool.pool->EntriesInDependencyOrder())
            out.push_back(DescribeEntry(*m_mempool.pool, *entry));
        return out;
    });
}

std::optional<interfaces::MempoolEntryInfo>
ChainInterface::GetMempoolEntry(const consensus::Uint256& txid) const
{
    if (!m_mempool.pool) return std::nullopt;
    return m_executor.Run([&]() -> std::optional<interfaces::MempoolEntryInfo> {
        const kernel::MempoolEntry* entry = m_mempool.pool->Get(txid);
        if (!entry) return std::nullopt;
        return DescribeEntry(*m_mempool.pool, *entry);
    });
}

std::optional<std::vector<interfaces::MempoolEntryInfo>>
ChainInterface::GetMempoolRelatives(const consensus::Uint256& txid, bool descendants) const
{
    if (!m_mempool.pool) return std::nullopt;
    return m_executor.Run([&]() -> std::optional<std::vector<interfaces::MempoolEntryInfo>> {
        const kernel::TxMemPool& pool = *m_mempool.pool;
        const kernel::MempoolEntry* entry = pool.Get(txid);
        if (!entry) return std::nullopt;
        std::set<const kernel::MempoolEntry*> relatives;
        if (descendants) {
            relatives = pool.CalculateDescendants(*entry);
        } else {
            auto ancestors = pool.CalculateAncestors(
                entry->GetTx(), entry->GetTxSize(),
                kernel::MempoolLimits{INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX});
            if (ancestors) relatives = std::move(*ancestors);
        }
        std::vector<interfaces::MempoolEntryInfo> out;
        for (const kernel::MempoolEntry* relative : relatives)
            out.push_back(DescribeEntry(pool, *relative));
        return out;
    });
}

uint64_t ChainInterface::GetMempoolSequence() const
{
    if (!m_mempool.pool) return 0;
    return m_executor.Run([&] { return m_mempool.pool->CurrentSequence(); });
}

std::optional<consensus::Uint256>
ChainInterface::GetMempoolSpender(const consensus::OutPoint& outpoint) const
{
    if (!m_mempool.pool) return std::nullopt;
    return m_executor.Run([&]() -> std::optional<consensus::Uint256> {
        const kernel::MempoolEntry* spender = m_mempool.pool->GetSpender(outpoint);
        if (!spender) return std::nullopt;
        return spender->GetTx().GetHash();
    });
}

void ChainInterface::Relay(const consensus::Uint256& txid, const consensus::Uint256& wtxid)
{
    if (!m_mempool.relay) return;
    // Core's BroadcastTransaction: announced again now and then until a peer fetches it.
    m_mempool.pool->AddUnbroadcast(txid);
    m_mempool.relay(txid, wtxid);
}

interfaces::TxAcceptResult ChainInterface::AcceptTransaction(const consensus::TransactionRef& tx,
                                                             bool test_accept,
                                                             consensus::Amount max_fee_per_kvb)
{
    if (!m_mempool.pool) {
        interfaces::TxAcceptResult refused;
        refused.txid = tx->GetHash();
        refused.wtxid = tx->GetWitnessHash();
        refused.reject_reason = "mempool disabled";
        return refused;
    }
    return m_executor.Run([&] {
        // Core's BroadcastTransaction: a txid already in the pool (any witness) is not
        // submitted again, and the caller is told it is there.
        if (const kernel::MempoolEntry* entry = m_mempool.pool->Get(tx->GetHash());
            entry && !test_accept) {
            interfaces::TxAcceptResult present;
            present.txid = tx->GetHash();
            present.wtxid = tx->GetWitnessHash();
            present.already_in_mempool = true;
            if (entry->GetTx().GetWitnessHash() != tx->GetWitnessHash())
                present.other_wtxid = entry->GetTx().GetWitnessHash();
            Relay(entry->GetTx().GetHash(), entry->GetTx().GetWitnessHash());
            return present;
        }
        kernel::AcceptOptions options;
        options.policy = m_mempool.policy;
        options.test_accept = true;
        // The fee limit needs the fee, which only the checks find: test first, as Core does.
        interfaces::TxAcceptResult result =
            Convert(tx, kernel::AcceptToMemoryPool(m_chainman, *m_mempool.pool, tx, options));
        ApplyMaxFee(result, max_fee_per_kvb);
        if (test_accept || !result.allowed) return result;
        options.test_accept = false;
        interfaces::TxAcceptResult accepted =
            Convert(tx, kernel::AcceptToMemoryPool(m_chainman, *m_mempool.pool, tx, options));
        if (accepted.allowed) Relay(accepted.txid, accepted.wtxid);
        return accepted;
    });
}

interfaces::PackageAcceptResult
ChainInterface::AcceptPackage(const std::vector<consensus::TransactionRef>& txs, bool test_accept,
                              consensus::Amount max_fee_per_kvb)
{
    interfaces::PackageAcceptResult out;
    if (!m_mempool.pool) {
        out.package_error = "mempool disabled";
        return out;
    }
    return m_executor.Run([&] {
        kernel::AcceptOptions options;
        options.policy = m_mempool.policy;
        options.test_accept = test_accept;
        const kernel::PackageAcceptResult result =
            kernel::ProcessNewPackage(m_chainman, *m_mempool.pool, txs, options);
        if (result.package_state.IsInvalid()) out.package_error = result.package_state.ToString();
        for (const auto& tx : txs) {
            const auto it = result.results.find(tx->GetWitnessHash());
            if (it == result.results.end()) {
                interfaces::TxAcceptResult missing;
                missing.txid = tx->GetHash();
                missing.wtxid = tx->GetWitnessHash();
                out.results.push_back(missing);
                continue;
            }
            interfaces::TxAcceptResult converted = Convert(tx, it->second);
            ApplyMaxFee(converted, max_fee_per_kvb);
            if (!test_accept && converted.allowed) Relay(converted.txid, converted.wtxid);
            out.results.push_back(std::move(converted));
        }
        return out;
    });
}

void ChainInterface::PrioritiseTransaction(const consensus::Uint256& txid, consensus::Amount delta)
{
    if (!m_mempool.pool) return;
    m_executor.Run([&] { m_mempool.pool->PrioritiseTransaction(txid, delta); });
}

std::vector<std::tuple<consensus::Uint256, consensus::Amount, bool>>
ChainInterface::GetPrioritisedTransactions() const
{
    if (!m_mempool.pool) return {};
    return m_executor.Run([&] {
        std::vector<std::tuple<consensus::Uint256, consensus::Amount, bool>> out;
        for (const auto& [txid, delta] : m_mempool.pool->FeeDeltas())
            out.emplace_back(txid, delta, m_mempool.pool->Exists(txid));
        return out;
    });
}

util::Expected<std::string> ChainInterface::SaveMempool()
{
    if (!m_mempool.pool) return util::Unexpected("Mempool disabled");
    return m_executor.Run([&]() -> util::Expected<std::string> {
        if (auto ok = m_mempool.pool->Dump(m_mempool.dump_file); !ok) return ok.error();
        return m_mempool.dump_file.string();
    });
}

interfaces::FeeEstimateInfo ChainInterface::EstimateSmartFee(int conf_target,
                                                             const std::string& mode) const
{
    interfaces::FeeEstimateInfo out;
    std::optional<kernel::FeeEstimate> estimate;
    if (m_mempool.fees) {
        estimate = m_mempool.fees->EstimateSmartFee(
            conf_target, mode == "economical" ? kernel::EstimateMode::ECONOMICAL
                                              : kernel::EstimateMode::CONSERVATIVE);
    }
    const auto chain = Params().GetChainType();
    if (!estimate && (chain == util::ChainType::REGTEST || chain == util::ChainType::SIGNET)) {
        estimate = kernel::FeeEstimate{kernel::FeeRate{TEST_CHAIN_FALLBACK_FEE}, conf_target};
    }
    if (!estimate) {
        out.errors.push_back("Insufficient data or no feerate found");
        const int highest = m_mempool.fees ? m_mempool.fees->HighestTargetTracked() : 0;
        out.blocks = std::min(std::max(conf_target, 2), highest);
        return out;
    }
    // Never below what the pool would accept right now.
    const interfaces::MempoolInfo info = GetMempoolInfo();
    out.feerate_per_kvb = std::max(
        {estimate->feerate.GetFeePerK(), info.min_fee_per_kvb, info.min_relay_fee_per_kvb});
    out.blocks = estimate->returned_target;
    return out;
}

util::Expected<interfaces::BlockTemplateInfo>
ChainInterface::CreateBlockTemplate(const consensus::Script& payout)
{
    return m_executor.Run([&]() -> util::Expected<interfaces::BlockTemplateInfo> {
        auto made =
            kernel::CreateBlockTemplate(m_chainman, m_mempool.pool, payout, m_mempool.assembler);
        if (!made) return made.error();
        interfaces::BlockTemplateInfo out;
        const kernel::BlockIndex* tip = m_chainman.Tip();
        out.height = tip->height + 1;
        out.min_time = tip->GetMedianTimePast() + 1;
        out.bits = made->block.header.bits;
        out.coinbase_value = made->block.vtx[0]->vout[0].value;
        out.coinbase_sigop_cost = made->coinbase_sigop_cost;
        out.weight = made->weight;
        out.mempool_sequence = m_mempool.pool ? m_mempool.pool->CurrentSequence() : 0;
        for (auto& tx : made->txs)
            out.txs.push_back({tx.tx, tx.fee, tx.sigop_cost, tx.depends});
        out.block = std::move(made->block);
        return out;
    });
}

} // namespace node
