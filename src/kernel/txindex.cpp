#include <kernel/txindex.h>

#include <kernel/chain.h>
#include <kernel/chainstate.h>
#include <storage/dbwrapper.h>
#include <storage/layout.h>
#include <util/logging.h>

#include <algorithm>
#include <climits>
#include <string>
#include <system_error>

namespace kernel {

namespace {

/// Core's CBlockLocator on disk: a version word (ignored on read) and the hashes.
struct DiskLocator
{
    /// The version Core writes; kept so the record is byte-compatible.
    static constexpr int32_t DUMMY_VERSION = 70016;
    int32_t version{DUMMY_VERSION};
    std::vector<consensus::Uint256> have;

    template <class S, class Self>
    static void Fields(S& s, Self& self)
    {
        s(self.version, self.have);
    }
};

/// Flush a catch-up batch once it holds this much.
constexpr size_t MAX_BATCH_BYTES = 16 << 20;

} // namespace

TxIndex::TxIndex(std::unique_ptr<storage::Database> db, std::vector<consensus::Uint256> locator,
                 util::Logger* logger)
    : m_db{std::move(db)}, m_log{logger}, m_stored_locator{std::move(locator)}
{}

TxIndex::~TxIndex() = default;

util::Expected<std::unique_ptr<TxIndex>> TxIndex::Open(const std::filesystem::path& dir,
                                                       size_t cache_bytes, util::Logger* logger)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return util::Unexpected("Cannot create " + dir.string() + ": " + ec.message());
    storage::DatabaseOptions options;
    options.path = dir;
    options.cache_bytes = cache_bytes;
    options.logger = logger;
    auto db = storage::Database::Open(options);
    if (!db) return db.error();
    auto locator = (*db)->ReadValue<DiskLocator>(storage::layout::BestBlockKey());
    if (!locator) return locator.error();
    std::vector<consensus::Uint256> hashes;
    if (locator->has_value()) hashes = std::move((*locator)->have);
    return std::unique_ptr<TxIndex>{new TxIndex(std::move(*db), std::move(hashes), logger)};
}

std::optional<consensus::Uint256> TxIndex::FindBlockHash(const consensus::Uint256& txid) const
{
    auto value = m_db->ReadValue<consensus::Uint256>(storage::layout::TxIndexKey(txid));
    if (!value) {
        if (m_log) m_log->Error("txindex: " + value.error().message);
        return std::nullopt;
    }
    return *value;
}

void TxIndex::AddBlock(storage::Batch& batch, const consensus::Block& block,
                       const BlockIndex& index)
{
    // The genesis outputs are not spendable, so Core leaves its coinbase out too.
    if (index.height == 0) return;
    for (const auto& tx : block.vtx)
        batch.PutValue(storage::layout::TxIndexKey(tx->GetHash()), index.hash);
}

util::Expected<void> TxIndex::RemoveBlock(storage::Batch& batch, const consensus::Block& block,
                                          const BlockIndex& index) const
{
    if (index.height == 0) return {};
    for (const auto& tx : block.vtx) {
        const auto key = storage::layout::TxIndexKey(tx->GetHash());
        auto value = m_db->ReadValue<consensus::Uint256>(key);
        if (!value) return value.error();
        // A transaction also confirmed in a later block keeps that entry.
        if (*value == index.hash) batch.Delete(key);
    }
    return {};
}

util::Expected<void> TxIndex::Commit(storage::Batch& batch, const ChainstateManager& chainman,
                                     const BlockIndex* best)
{
    DiskLocator locator;
    if (best) locator.have = chainman.ActiveChain().GetLocator(best);
    batch.PutValue(storage::layout::BestBlockKey(), locator);
    if (auto r = m_db->Write(batch, /*sync=*/false); !r) return r;
    m_best = best;
    m_best_height.store(best ? best->height : -1);
    return {};
}

util::Expected<void> TxIndex::Resolve(const ChainstateManager& chainman)
{
    m_resolved = true;
    for (const auto& hash : m_stored_locator) {
        if (const BlockIndex* index = chainman.LookupBlockIndex(hash)) {
            m_best = index;
            m_best_height.store(index->height);
            break;
        }
    }
    const bool unknown_chain = !m_stored_locator.empty() && !m_best;
    m_stored_locator.clear();
    if (!unknown_chain) return {};
    // Not even genesis is known: the index belongs to another network. Start over.
    if (m_log) m_log->Warning("txindex: no block it covers is known; rebuilding the index");
    const auto prefix = storage::layout::Prefix(storage::layout::DB_TXINDEX);
    auto it = m_db->NewIterator();
    storage::Batch batch{*m_db};
    for (it->Seek(prefix); it->ValidWithPrefix(prefix); it->Next()) {
        batch.Delete(it->Key());
        if (batch.ApproximateSize() > MAX_BATCH_BYTES) {
            if (auto r = m_db->Write(batch, false); !r) return r;
            batch.Clear();
        }
    }
    if (auto r = it->Status(); !r) return r;
    return Commit(batch, chainman, nullptr);
}

util::Expected<bool> TxIndex::SyncStep(const ChainstateManager& chainman, int max_blocks)
{
    m_chainman = &chainman;
    if (!m_resolved) {
        if (auto r = Resolve(chainman); !r) return r.error();
        if (m_log) {
            m_log->Info("Syncing txindex with block chain from height " +
                        std::to_string(m_best ? m_best->height : -1));
        }
    }
    if (m_synced.load()) return true;
    const Chain& active = chainman.ActiveChain();
    const BlockIndex* walk = m_best;
    int done = 0;
    storage::Batch batch{*m_db};
    auto flush = [&]() -> util::Expected<void> {
        if (walk == m_best) return {};
        if (auto r = Commit(batch, chainman, walk); !r) return r;
        batch.Clear();
        return {};
    };

    // Blocks disconnected while the index was not following: undo them first.
    while (walk && !active.Contains(walk) && done < std::max(max_blocks, 1)) {
        auto block = chainman.ReadBlock(*walk);
        if (block) {
            if (auto r = RemoveBlock(batch, *block, *walk); !r) return r.error();
        } else if (m_log) {
            // Only stale entries stay behind; readers check the block they name.
            m_log->Warning("txindex: cannot read stale block " + walk->hash.GetHex() + ": " +
                           block.error().message);
        }
        walk = walk->prev;
        ++done;
    }
    while (done < std::max(max_blocks, 1) && (!walk || active.Contains(walk))) {
        const BlockIndex* next = walk ? active.Next(walk) : active.Genesis();
        if (!next) break;
        auto block = chainman.ReadBlock(*next);
        if (!block) {
            return util::Unexpected("txindex: cannot read block " + next->hash.GetHex() + ": " +
                                    block.error().message);
        }
        AddBlock(batch, *block, *next);
        walk = next;
        ++done;
        if (batch.ApproximateSize() > MAX_BATCH_BYTES) {
            if (auto r = flush(); !r) return r.error();
        }
    }
    if (auto r = flush(); !r) return r.error();
    if (!m_best || m_best != active.Tip()) return false;
    m_following = true;
    m_synced.store(true);
    if (m_log) m_log->Info("txindex is enabled at height " + std::to_string(m_best->height));
    return true;
}

void TxIndex::Resync(const char* why)
{
    m_synced.store(false);
    if (m_log) m_log->Warning(std::string{"txindex: "} + why + "; catching up");
    if (!m_chainman) return;
    auto r = SyncStep(*m_chainman, INT_MAX);
    if (!r && m_log) m_log->Error(r.error().message);
}

void TxIndex::BlockConnected(const consensus::Block& block, const BlockIndex& index)
{
    if (!m_following || !m_chainman) return;
    if (m_best == &index) return; // an inline catch-up already covered it
    if (index.prev != m_best) return Resync("connected block does not extend the index");
    storage::Batch batch{*m_db};
    AddBlock(batch, block, index);
    if (auto r = Commit(batch, *m_chainman, &index); !r) {
        // The next event no longer matches the position and catches up from there.
        m_synced.store(false);
        if (m_log) m_log->Error("txindex: " + r.error().message);
    }
}

void TxIndex::BlockDisconnected(const consensus::Block& block, const BlockIndex& index)
{
    if (!m_following || !m_chainman) return;
    if (m_best != &index) return Resync("disconnected block is not the index's tip");
    storage::Batch batch{*m_db};
    auto removed = RemoveBlock(batch, block, index);
    if (removed) removed = Commit(batch, *m_chainman, index.prev);
    if (!removed) {
        m_synced.store(false);
        if (m_log) m_log->Error("txindex: " + removed.error().message);
    }
}

} // namespace kernel
