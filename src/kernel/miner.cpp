#include <kernel/miner.h>

#include <consensus/consensus_constants.h>
#include <consensus/tx_verify.h>
#include <kernel/chainstate.h>
#include <kernel/mempool.h>
#include <kernel/mining.h>

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace kernel {

namespace {

// Weight and sigop cost set aside for the coinbase before any transaction is chosen, as Core
// reserves them: the coinbase is written only after selection.
constexpr int64_t COINBASE_RESERVED_WEIGHT{4000};
constexpr int64_t COINBASE_RESERVED_SIGOPS{400};
// Packages that may fail to fit in a row, once the block is nearly full, before selection
// gives up (Core's MAX_CONSECUTIVE_FAILURES).
constexpr int64_t MAX_CONSECUTIVE_FAILURES{1000};

// An entry's package as the selection currently sees it: the pool's "with ancestors"
// aggregates, minus whatever ancestors are already in the block.
struct PackageView
{
    const MempoolEntry* entry{nullptr};
    int64_t size_with_ancestors{0};
    consensus::Amount mod_fees_with_ancestors{0};
    int64_t sigops_with_ancestors{0};

    static PackageView Of(const MempoolEntry& entry)
    {
        return PackageView{&entry, entry.SizeWithAncestors(), entry.ModFeesWithAncestors(),
                           entry.SigOpCostWithAncestors()};
    }
};

// The (fee, size) an entry is ranked by: the lower of its own fee rate and its package's, so a
// high-fee parent is not pulled down the list by a low-fee child (Core's ancestor score).
std::pair<double, double> RankingFeeAndSize(const PackageView& view)
{
    const double own_fee = static_cast<double>(view.entry->GetModifiedFee());
    const double own_size = static_cast<double>(view.entry->GetTxSize());
    const double pkg_fee = static_cast<double>(view.mod_fees_with_ancestors);
    const double pkg_size = static_cast<double>(view.size_with_ancestors);
    if (own_fee * pkg_size > pkg_fee * own_size) return {pkg_fee, pkg_size};
    return {own_fee, own_size};
}

// Strict order, best first; equal rates fall back to the txid so the order is total.
struct BetterPackage
{
    bool operator()(const PackageView& a, const PackageView& b) const
    {
        const auto [a_fee, a_size] = RankingFeeAndSize(a);
        const auto [b_fee, b_size] = RankingFeeAndSize(b);
        // Cross-multiplied so no division rounds the comparison.
        const double lhs = a_fee * b_size;
        const double rhs = b_fee * a_size;
        if (lhs == rhs) return a.entry->GetTx().GetHash() < b.entry->GetTx().GetHash();
        return lhs > rhs;
    }
};

// Entries whose package changed because ancestors joined the block, kept ranked.
class ModifiedPackages
{
public:
    bool Contains(const MempoolEntry* entry) const { return m_by_entry.count(entry) > 0; }
    bool Empty() const { return m_ranked.empty(); }
    const PackageView& Best() const { return *m_ranked.begin(); }

    void Erase(const MempoolEntry* entry)
    {
        const auto it = m_by_entry.find(entry);
        if (it == m_by_entry.end()) return;
        m_ranked.erase(it->second);
        m_by_entry.erase(it);
    }

    // Takes `added` (now in the block) out of the package of `descendant`.
    void RemoveAncestor(const MempoolEntry* descendant, const MempoolEntry& added)
    {
        PackageView view = PackageView::Of(*descendant);
        if (const auto it = m_by_entry.find(descendant); it != m_by_entry.end()) {
            view = it->second;
            Erase(descendant);
        }
        view.size_with_ancestors -= added.GetTxSize();
        view.mod_fees_with_ancestors -= added.GetModifiedFee();
        view.sigops_with_ancestors -= added.GetSigOpCost();
        m_ranked.insert(view);
        m_by_entry.emplace(descendant, view);
    }

private:
    std::set<PackageView, BetterPackage> m_ranked;
    std::unordered_map<const MempoolEntry*, PackageView> m_by_entry;
};

// The selection state of one call: what is in the block and the budgets left.
class Assembler
{
public:
    Assembler(const ChainstateManager& chainman, const TxMemPool& pool,
              const AssemblerOptions& options)
        : m_pool{pool}, m_options{options}
    {
        // Core's sanity clamp: room for at least a coinbase, at most a full block.
        m_max_weight = std::clamp<int64_t>(options.max_weight, COINBASE_RESERVED_WEIGHT,
                                           static_cast<int64_t>(consensus::MAX_BLOCK_WEIGHT) -
                                               COINBASE_RESERVED_WEIGHT);
        const BlockIndex* tip = chainman.Tip();
        if (tip) {
            m_height = tip->height + 1;
            m_lock_time_cutoff = tip->GetMedianTimePast();
        }
    }

    std::vector<TemplateTx> Run()
    {
        std::vector<PackageView> candidates;
        for (const MempoolEntry* entry : m_pool.Entries()) {
            candidates.push_back(PackageView::Of(*entry));
        }
        std::sort(candidates.begin(), candidates.end(), BetterPackage{});

        ModifiedPackages modified;
        std::unordered_set<const MempoolEntry*> failed;
        int64_t consecutive_failures = 0;
        auto next = candidates.begin();
        while (next != candidates.end() || !modified.Empty()) {
            // Pool entries whose aggregates went stale (modified), or that are done with,
            // are not candidates from the pool order.
            if (next != candidates.end() &&
                (modified.Contains(next->entry) || m_in_block.count(next->entry) ||
                 failed.count(next->entry))) {
                ++next;
                continue;
            }
            PackageView chosen;
            bool from_modified = false;
            if (next == candidates.end()) {
                chosen = modified.Best();
                from_modified = true;
            } else if (!modified.Empty() && BetterPackage{}(modified.Best(), *next)) {
                chosen = modified.Best();
                from_modified = true;
            } else {
                chosen = *next;
                ++next;
            }

            // Everything left ranks lower, so nothing else can pay the minimum either.
            if (chosen.mod_fees_with_ancestors <
                m_options.min_fee.GetFee(chosen.size_with_ancestors)) {
                break;
            }

            const auto give_up_on = [&] {
                if (from_modified) {
                    modified.Erase(chosen.entry);
                    failed.insert(chosen.entry);
                }
            };
            if (!Fits(chosen.size_with_ancestors, chosen.sigops_with_ancestors)) {
                give_up_on();
                ++consecutive_failures;
                if (consecutive_failures > MAX_CONSECUTIVE_FAILURES &&
                    m_block_weight > m_max_weight - COINBASE_RESERVED_WEIGHT) {
                    break;
                }
                continue;
            }

            std::vector<const MempoolEntry*> package = UnconfirmedPackage(*chosen.entry);
            if (!AllFinal(package)) {
                give_up_on();
                continue;
            }
            consecutive_failures = 0;

            // A parent has fewer ancestors than its child, so this order puts parents first.
            std::sort(package.begin(), package.end(),
                      [](const MempoolEntry* a, const MempoolEntry* b) {
                          if (a->CountWithAncestors() != b->CountWithAncestors()) {
                              return a->CountWithAncestors() < b->CountWithAncestors();
                          }
                          return a->GetTx().GetHash() < b->GetTx().GetHash();
                      });
            for (const MempoolEntry* entry : package) {
                Add(*entry);
                modified.Erase(entry);
            }
            UpdateDescendants(package, modified);
        }
        return std::move(m_selected);
    }

private:
    // Core measures packages in virtual bytes times the scale factor (not exact weight), and
    // keeps strictly below both limits.
    bool Fits(int64_t package_vsize, int64_t package_sigops) const
    {
        if (m_block_weight + consensus::WITNESS_SCALE_FACTOR * package_vsize >= m_max_weight) {
            return false;
        }
        return m_block_sigops + package_sigops < consensus::MAX_BLOCK_SIGOPS_COST;
    }

    // `entry` and its in-pool ancestors that are not yet in the block. Ancestors of an
    // ancestor already in the block are in it too, so the walk stops there.
    std::vector<const MempoolEntry*> UnconfirmedPackage(const MempoolEntry& entry) const
    {
        std::vector<const MempoolEntry*> package{&entry};
        std::unordered_set<const MempoolEntry*> seen{&entry};
        for (size_t i = 0; i < package.size(); ++i) {
            for (const MempoolEntry* parent : package[i]->Parents()) {
                if (m_in_block.count(parent) || !seen.insert(parent).second) continue;
                package.push_back(parent);
            }
        }
        return package;
    }

    bool AllFinal(const std::vector<const MempoolEntry*>& package) const
    {
        return std::all_of(package.begin(), package.end(), [&](const MempoolEntry* entry) {
            return consensus::IsFinalTx(entry->GetTx(), m_height, m_lock_time_cutoff);
        });
    }

    void Add(const MempoolEntry& entry)
    {
        TemplateTx item;
        item.tx = entry.GetSharedTx();
        // getblocktemplate's "depends": the coinbase is position 0, so the first selected
        // transaction is 1. One entry per input spending an in-block parent, as Core lists
        // them.
        for (const consensus::TxIn& in : item.tx->vin) {
            if (const auto it = m_position.find(in.prevout.hash); it != m_position.end()) {
                item.depends.push_back(it->second);
            }
        }
        m_position.emplace(item.tx->GetHash(), m_selected.size() + 1);
        item.fee = entry.GetFee(); // what the coinbase may claim: never the prioritised fee
        item.sigop_cost = entry.GetSigOpCost();
        m_selected.push_back(std::move(item));
        m_block_weight += entry.GetTxWeight();
        m_block_sigops += entry.GetSigOpCost();
        m_in_block.insert(&entry);
    }

    // Re-scores every descendant of the newly added entries without them.
    void UpdateDescendants(const std::vector<const MempoolEntry*>& added,
                           ModifiedPackages& modified) const
    {
        const std::unordered_set<const MempoolEntry*> added_set(added.begin(), added.end());
        for (const MempoolEntry* entry : added) {
            for (const MempoolEntry* descendant : m_pool.CalculateDescendants(*entry)) {
                if (added_set.count(descendant) || m_in_block.count(descendant)) continue;
                modified.RemoveAncestor(descendant, *entry);
            }
        }
    }

    const TxMemPool& m_pool;
    const AssemblerOptions& m_options;
    int64_t m_max_weight{0};
    int m_height{0};
    int64_t m_lock_time_cutoff{0};
    int64_t m_block_weight{COINBASE_RESERVED_WEIGHT};
    int64_t m_block_sigops{COINBASE_RESERVED_SIGOPS};
    std::unordered_set<const MempoolEntry*> m_in_block;
    std::unordered_map<consensus::Uint256, size_t, consensus::BlobHasher> m_position;
    std::vector<TemplateTx> m_selected;
};

} // namespace

std::vector<TemplateTx> SelectTransactions(const ChainstateManager& chainman, const TxMemPool& pool,
                                           const AssemblerOptions& options)
{
    if (!chainman.Tip()) return {};
    return Assembler{chainman, pool, options}.Run();
}

util::Expected<BlockTemplate> CreateBlockTemplate(const ChainstateManager& chainman,
                                                  const TxMemPool* pool,
                                                  const consensus::Script& payout,
                                                  const AssemblerOptions& options)
{
    BlockTemplate result;
    if (pool) result.txs = SelectTransactions(chainman, *pool, options);

    std::vector<consensus::TransactionRef> txs;
    txs.reserve(result.txs.size());
    for (const TemplateTx& item : result.txs) {
        txs.push_back(item.tx);
        result.total_fees += item.fee;
    }
    auto block = CreateNewBlock(chainman, payout, txs, result.total_fees);
    if (!block) return block.error();
    result.block = std::move(*block);

    result.coinbase_sigop_cost =
        static_cast<int64_t>(consensus::GetLegacySigOpCount(*result.block.vtx[0])) *
        consensus::WITNESS_SCALE_FACTOR;
    result.weight = static_cast<int64_t>(result.block.GetWeight());
    return result;
}

} // namespace kernel
