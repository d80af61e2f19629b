#include <node/chain_interface.h>

#include <common/chainparams.h>
#include <kernel/chainstate.h>
#include <kernel/mempool.h>
#include <kernel/mining.h>
#include <node/chain_notifier.h>
#include <util/executor.h>
#include <util/logging.h>

#include <algorithm>
#include <set>

namespace node {

using interfaces::BlockInfo;
using interfaces::BlockState;
using interfaces::TipSnapshot;

namespace {

// Transactions per second a network's chain grew by lately; only drives the
// verificationprogress estimate while catching up (Core keeps such figures per release).
double TxRateGuess(util::ChainType chain)
{
    switch (chain) {
    case util::ChainType::MAIN:
        return 5.0;
    case util::ChainType::TESTNET:
    case util::ChainType::TESTNET4:
        return 0.5;
    case util::ChainType::SIGNET:
        return 0.05;
    case util::ChainType::REGTEST:
        return 0.0;
    }
    return 0.0;
}

BlockState StateOf(const kernel::BlockIndex& index, const kernel::Chain& active)
{
    if (active.Contains(&index)) return BlockState::ACTIVE;
    if (index.IsFailed()) return BlockState::INVALID;
    if (index.chain_tx_count == 0) return BlockState::HEADERS_ONLY;
    if (index.IsValid(storage::BLOCK_VALID_SCRIPTS)) return BlockState::VALID_FORK;
    return BlockState::VALID_HEADERS;
}

} // namespace

// Republishes the tip after every change and catches the outcome of a submitted block.
class ChainInterface::TipEvents final : public kernel::ValidationEvents
{
public:
    explicit TipEvents(ChainInterface& owner) : m_owner{owner} {}
    void UpdatedBlockTip(const kernel::BlockIndex&, const kernel::BlockIndex*, bool) override
    {
        m_owner.PublishTip();
    }
    void BlockChecked(const consensus::Block& block,
                      const consensus::BlockValidationState& state) override
    {
        if (watched && block.GetHash() == *watched) checked = state;
    }
    // Executor-only, like every event.
    std::optional<consensus::Uint256> watched;
    std::optional<consensus::BlockValidationState> checked;

private:
    ChainInterface& m_owner;
};

ChainInterface::ChainInterface(kernel::ChainstateManager& chainman, util::SerialExecutor& executor,
                               IndexHooks hooks, MempoolHooks mempool, ChainNotifier* notifier)
    : m_chainman{chainman}, m_executor{executor}, m_hooks{std::move(hooks)}, m_mempool{std::move(
                                                                                 mempool)},
      m_notifier{notifier}, m_events{std::make_shared<TipEvents>(*this)}
{
    m_executor.Run([this] { PublishTip(); });
}

ChainInterface::~ChainInterface() = default;

void ChainInterface::PublishTip()
{
    const kernel::BlockIndex* tip = m_chainman.Tip();
    if (!tip) return;
    TipSnapshot snap;
    snap.hash = tip->hash;
    snap.height = tip->height;
    snap.time = tip->time;
    snap.median_time_past = tip->GetMedianTimePast();
    snap.bits = tip->bits;
    snap.chain_work = tip->chain_work.ToUint256();
    snap.chain_tx_count = tip->chain_tx_count;
    const kernel::BlockIndex* best_header = m_chainman.BestHeader();
    if (!best_header || best_header->chain_work < tip->chain_work) best_header = tip;
    snap.headers = best_header->height;
    snap.best_header_hash = best_header->hash;
    snap.initial_block_download = m_chainman.IsInitialBlockDownload();
    const double rate = TxRateGuess(m_chainman.Params().GetChainType());
    const double behind =
        std::max<double>(0, static_cast<double>(m_chainman.Now() - tip->time)) * rate;
    const double done = static_cast<double>(tip->chain_tx_count);
    snap.verification_progress = done <= 0 ? 0.0 : std::min(1.0, done / (done + behind));
    {
        std::lock_guard lock{m_tip_mutex};
        m_tip = snap;
    }
    m_tip_cv.notify_all();
}

void ChainInterface::Interrupt()
{
    {
        std::lock_guard lock{m_tip_mutex};
        m_interrupted = true;
    }
    m_tip_cv.notify_all();
}

const common::ChainParams& ChainInterface::Params() const
{
    return m_chainman.Params();
}

TipSnapshot ChainInterface::Tip() const
{
    std::lock_guard lock{m_tip_mutex};
    return m_tip;
}

TipSnapshot ChainInterface::WaitForTip(const std::function<bool(const TipSnapshot&)>& done,
                                       std::chrono::milliseconds timeout) const
{
    std::unique_lock lock{m_tip_mutex};
    const auto stop = [&] { return m_interrupted || done(m_tip); };
    if (timeout.count() <= 0) {
        m_tip_cv.wait(lock, stop);
    } else {
        m_tip_cv.wait_for(lock, timeout, stop);
    }
    return m_tip;
}

BlockInfo ChainInterface::Describe(const kernel::BlockIndex& index) const
{
    const kernel::Chain& active = m_chainman.ActiveChain();
    BlockInfo info;
    info.hash = index.hash;
    info.height = index.height;
    info.header = index.GetHeader();
    info.chain_work = index.chain_work.ToUint256();
    info.median_time_past = index.GetMedianTimePast();
    info.tx_count = index.tx_count;
    info.chain_tx_count = index.chain_tx_count;
    info.have_data = index.HaveData();
    info.have_undo = index.HaveUndo();
    info.in_active_chain = active.Contains(&index);
    if (const kernel::BlockIndex* next = active.Next(&index)) info.next_hash = next->hash;
    info.state = StateOf(index, active);
    return info;
}

std::optional<BlockInfo> ChainInterface::GetBlockInfo(const consensus::Uint256& hash) const
{
    return m_executor.Run([&]() -> std::optional<BlockInfo> {
        const kernel::BlockIndex* index = m_chainman.LookupBlockIndex(hash);
        if (!index) return std::nullopt;
        return Describe(*index);
    });
}

std::optional<BlockInfo> ChainInterface::GetBlockInfoAtHeight(int height) const
{
    return m_executor.Run([&]() -> std::optional<BlockInfo> {
        const kernel::BlockIndex* index = m_chainman.ActiveChain()[height];
        if (!index) return std::nullopt;
        return Describe(*index);
    });
}

std::optional<BlockInfo> ChainInterface::GetAncestor(const consensus::Uint256& hash,
                                                     int height) const
{
    return m_executor.Run([&]() -> std::optional<BlockInfo> {
        const kernel::BlockIndex* index = m_chainman.LookupBlockIndex(hash);
        if (!index || height < 0 || height > index->height) return std::nullopt;
        const kernel::BlockIndex* ancestor = index->GetAncestor(height);
        if (!ancestor) return std::nullopt;
        return Describe(*ancestor);
    });
}

std::vector<interfaces::ChainTipInfo> ChainInterface::GetChainTips() const
{
    return m_executor.Run([&] {
        const std::vector<const kernel::BlockIndex*> all = m_chainman.AllBlockIndexes();
        std::set<const kernel::BlockIndex*> parents;
        for (const kernel::BlockIndex* index : all)
            if (index->prev) parents.insert(index->prev);
        const kernel::Chain& active = m_chainman.ActiveChain();
        std::vector<const kernel::BlockIndex*> tips;
        for (const kernel::BlockIndex* index : all)
            if (!parents.count(index) && index != active.Tip()) tips.push_back(index);
        tips.push_back(active.Tip());
        std::vector<interfaces::ChainTipInfo> out;
        out.reserve(tips.size());
        for (const kernel::BlockIndex* tip : tips) {
            interfaces::ChainTipInfo info;
            info.hash = tip->hash;
            info.height = tip->height;
            const kernel::BlockIndex* fork = active.FindFork(tip);
            info.branch_length = tip->height - (fork ? fork->height : 0);
            info.state = StateOf(*tip, active);
            out.push_back(info);
        }
        // Core lists tips from the highest down.
        std::stable_sort(out.begin(), out.end(),
                         [](const auto& a, const auto& b) { return a.height > b.height; });
        return out;
    });
}

util::Expected<std::shared_ptr<const consensus::Block>>
ChainInterface::ReadBlock(const consensus::Uint256& hash) const
{
    return m_executor.Run([&]() -> util::Expected<std::shared_ptr<const consensus::Block>> {
        const kernel::BlockIndex* index = m_chainman.LookupBlockIndex(hash);
        if (!index) return util::Unexpected("Block not found");
        if (!index->HaveData())
            return util::Unexpected("Block not available (not fully downloaded)");
        auto block = m_chainman.ReadBlock(*index);
        if (!block) return util::Unexpected("Block not found on disk");
        return std::make_shared<const consensus::Block>(std::move(*block));
    });
}

util::Expected<interfaces::BlockUndo>
ChainInterface::ReadBlockUndo(const consensus::Uint256& hash) const
{
    return m_executor.Run([&]() -> util::Expected<interfaces::BlockUndo> {
        const kernel::BlockIndex* index = m_chainman.LookupBlockIndex(hash);
        if (!index) return util::Unexpected("Block not found");
        // Genesis spends nothing and has no undo record.
        if (index->height == 0) return interfaces::BlockUndo{};
        if (!index->HaveUndo()) return util::Unexpected("Undo data not available");
        auto undo = m_chainman.ReadUndo(*index);
        if (!undo) return util::Unexpected("Can't read undo data from disk");
        interfaces::BlockUndo out;
        out.reserve(undo->txs.size());
        for (auto& tx : undo->txs)
            out.push_back(std::move(tx.prevouts));
        return out;
    });
}

std::optional<interfaces::Coin> ChainInterface::GetCoin(const consensus::OutPoint& outpoint) const
{
    return m_executor.Run([&]() -> std::optional<interfaces::Coin> {
        auto coin = m_chainman.CoinsTip().GetCoin(outpoint);
        if (!coin || coin->IsSpent()) return std::nullopt;
        return *coin;
    });
}

std::optional<interfaces::Coin>
ChainInterface::GetCoinWithMempool(const consensus::OutPoint& outpoint) const
{
    if (!m_mempool.pool) return GetCoin(outpoint);
    return m_executor.Run([&]() -> std::optional<interfaces::Coin> {
        const kernel::TxMemPool& pool = *m_mempool.pool;
        if (pool.GetSpender(outpoint)) return std::nullopt;
        if (auto in_pool = pool.GetCoin(outpoint)) return in_pool;
        auto coin = m_chainman.CoinsTip().GetCoin(outpoint);
        if (!coin || coin->IsSpent()) return std::nullopt;
        return *coin;
    });
}

util::Expected<interfaces::UtxoSetStats> ChainInterface::GetUtxoSetStats(bool with_muhash) const
{
    return m_executor.Run([&]() -> util::Expected<interfaces::UtxoSetStats> {
        auto stats = m_chainman.GetCoinsStats(with_muhash);
        if (!stats) return stats.error();
        interfaces::UtxoSetStats out;
        out.height = m_chainman.Tip()->height;
        out.best_block = stats->best_block;
        out.transactions = stats->transactions;
        out.txouts = stats->txouts;
        out.bogosize = stats->bogosize;
        out.hash_serialized = stats->hash_serialized;
        out.muhash = stats->muhash;
        out.total_amount = stats->total_amount;
        out.disk_size = stats->disk_size;
        return out;
    });
}

util::Expected<interfaces::UtxoScanResult> ChainInterface::ScanUtxoSet(
    const std::function<void(const consensus::OutPoint&, const interfaces::Coin&)>& visit,
    const std::atomic<bool>& abort, std::atomic<int>* progress) const
{
    interfaces::UtxoScanResult result;
    auto cursor = m_executor.Run([&]() -> util::Expected<std::unique_ptr<storage::CoinsCursor>> {
        result.height = m_chainman.Tip()->height;
        result.best_block = m_chainman.Tip()->hash;
        return m_chainman.SnapshotCoins();
    });
    if (!cursor) return cursor.error();
    // Keys are walked in txid byte order, so the leading bytes tell how far the walk is.
    for (; (*cursor)->Valid(); (*cursor)->Next()) {
        if (abort.load()) {
            result.aborted = true;
            return result;
        }
        auto entry = (*cursor)->Get();
        if (!entry) return entry.error();
        if (progress) {
            const uint8_t* key = entry->first.hash.data();
            *progress = static_cast<int>((key[0] * 256 + key[1]) * 1000 / 65536);
        }
        visit(entry->first, entry->second);
        ++result.coins_seen;
    }
    if (auto status = (*cursor)->Status(); !status) return status.error();
    if (progress) *progress = 1000;
    return result;
}

std::optional<interfaces::TxLookup>
ChainInterface::FindTransaction(const consensus::Uint256& txid,
                                const std::optional<consensus::Uint256>& block_hash) const
{
    if (!block_hash && m_mempool.pool) {
        auto in_pool = m_executor.Run([&]() -> consensus::TransactionRef {
            const kernel::MempoolEntry* entry = m_mempool.pool->Get(txid);
            return entry ? entry->GetSharedTx() : nullptr;
        });
        if (in_pool) return interfaces::TxLookup{std::move(in_pool), std::nullopt};
    }
    std::optional<consensus::Uint256> where = block_hash;
    if (!where && m_hooks.find_tx_block) where = m_hooks.find_tx_block(txid);
    if (!where) return std::nullopt;
    auto block = ReadBlock(*where);
    if (!block) return std::nullopt;
    for (const auto& tx : (*block)->vtx) {
        if (tx->GetHash() == txid) return interfaces::TxLookup{tx, *where};
    }
    return std::nullopt;
}

bool ChainInterface::HaveTxIndex() const
{
    return static_cast<bool>(m_hooks.find_tx_block);
}

std::vector<interfaces::IndexInfo> ChainInterface::GetIndexInfo() const
{
    return m_hooks.index_info ? m_hooks.index_info() : std::vector<interfaces::IndexInfo>{};
}

uint64_t ChainInterface::BlockFilesSize() const
{
    return m_executor.Run([&] { return m_chainman.BlockFilesSize(); });
}

util::Expected<void> ChainInterface::InvalidateBlock(const consensus::Uint256& hash)
{
    return m_executor.Run([&]() -> util::Expected<void> {
        kernel::BlockIndex* index = m_chainman.LookupBlockIndex(hash);
        if (!index) return util::Unexpected("Block not found");
        auto done = m_chainman.InvalidateBlock(index);
        // Disconnecting alone fires no tip event, and RPC reads the published tip.
        PublishTip();
        return done;
    });
}

util::Expected<void> ChainInterface::ReconsiderBlock(const consensus::Uint256& hash)
{
    return m_executor.Run([&]() -> util::Expected<void> {
        kernel::BlockIndex* index = m_chainman.LookupBlockIndex(hash);
        if (!index) return util::Unexpected("Block not found");
        auto done = m_chainman.ReconsiderBlock(index);
        // Disconnecting alone fires no tip event, and RPC reads the published tip.
        PublishTip();
        return done;
    });
}

util::Expected<void> ChainInterface::PreciousBlock(const consensus::Uint256& hash)
{
    return m_executor.Run([&]() -> util::Expected<void> {
        kernel::BlockIndex* index = m_chainman.LookupBlockIndex(hash);
        if (!index) return util::Unexpected("Block not found");
        auto done = m_chainman.PreciousBlock(index);
        // Disconnecting alone fires no tip event, and RPC reads the published tip.
        PublishTip();
        return done;
    });
}

util::Expected<bool> ChainInterface::VerifyChain(int level, int depth)
{
    return m_executor.Run([&]() -> util::Expected<bool> {
        auto ok = m_chainman.VerifyDB(level, depth);
        if (!ok) {
            // A failed check is an answer (false), not an RPC error; the log says why.
            return false;
        }
        return true;
    });
}

interfaces::SubmitBlockResult
ChainInterface::SubmitBlock(std::shared_ptr<const consensus::Block> block)
{
    return m_executor.Run([&] {
        auto& events = static_cast<TipEvents&>(*m_events);
        events.watched = block->GetHash();
        events.checked.reset();
        interfaces::SubmitBlockResult result;
        consensus::BlockValidationState state;
        result.accepted = m_chainman.ProcessNewBlock(block, state, &result.new_block);
        if (!result.accepted && !events.checked) events.checked = state;
        result.checked = std::move(events.checked);
        PublishTip();
        events.watched.reset();
        events.checked.reset();
        return result;
    });
}

consensus::BlockValidationState
ChainInterface::SubmitHeaders(const std::vector<consensus::BlockHeader>& headers)
{
    return m_executor.Run([&] {
        consensus::BlockValidationState state;
        m_chainman.ProcessNewBlockHeaders(headers, state);
        PublishTip(); // the best header may have moved without the tip
        return state;
    });
}

util::Expected<consensus::Block>
ChainInterface::CreateNewBlock(const consensus::Script& payout,
                               const std::vector<consensus::TransactionRef>& txs)
{
    // Exactly `txs`, never the pool: generateblock with an empty list mines an empty block.
    // generate* take the pool's transactions through CreateBlockTemplate.
    return m_executor.Run([&]() -> util::Expected<consensus::Block> {
        return kernel::CreateNewBlock(m_chainman, payout, txs, 0);
    });
}

std::unique_ptr<interfaces::NotificationHandle>
ChainInterface::HandleNotifications(std::shared_ptr<interfaces::ChainNotifications> client)
{
    // A node without a queue (tests, tools) has nothing to announce.
    if (!m_notifier) return std::make_unique<interfaces::NotificationHandle>();
    return m_notifier->Subscribe(std::move(client));
}

void ChainInterface::WaitForNotifications() const
{
    if (m_notifier) m_notifier->WaitForNotifications();
}

} // namespace node
