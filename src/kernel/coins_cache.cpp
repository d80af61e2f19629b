#include <kernel/coins_cache.h>

#include <consensus/hash.h>

#include <cassert>
#include <random>
#include <utility>
#include <vector>

namespace kernel {

namespace {

// Heap bytes malloc really hands out for a request: glibc rounds to 16 bytes
// and adds a word of bookkeeping, so tiny scripts cost more than their size.
size_t MallocUsage(size_t bytes)
{
    if (bytes == 0) return 0;
    return ((bytes + sizeof(void*) + 15) / 16) * 16;
}

// The next pointer and cached hash an unordered_map node carries besides its value.
constexpr size_t NODE_OVERHEAD = sizeof(void*) + sizeof(size_t);

} // namespace

OutPointHasher::OutPointHasher()
{
    // A fresh key per cache: the outpoints a peer chooses cannot be aimed at
    // one bucket without knowing it.
    std::random_device rd;
    auto word = [&rd] {
        uint64_t w = rd();
        w = (w << 32) ^ rd();
        return w;
    };
    m_k0 = word();
    m_k1 = word();
}

size_t OutPointHasher::operator()(const consensus::OutPoint& outpoint) const
{
    consensus::SipHasher hasher{m_k0, m_k1};
    for (size_t i = 0; i < 4; ++i)
        hasher.Write(outpoint.hash.GetUint64(i));
    hasher.Write(uint64_t{outpoint.n});
    return static_cast<size_t>(hasher.Finalize());
}

CoinsCache::CoinsCache(storage::CoinsDB& db) : m_db{&db} {}

CoinsCache::CoinsCache(CoinsCache& parent) : m_parent{&parent} {}

size_t CoinsCache::EntryUsage(const Entry& entry)
{
    using Value = std::pair<const consensus::OutPoint, Entry>;
    return MallocUsage(NODE_OVERHEAD + sizeof(Value)) +
           MallocUsage(entry.coin.out.script_pubkey.bytes().capacity());
}

namespace {

// Subtracts without wrapping below zero; an underflow would be a bookkeeping
// bug, and a huge usage figure would trigger needless flushes.
void SubUsage(size_t& usage, size_t amount)
{
    assert(usage >= amount);
    usage = usage >= amount ? usage - amount : 0;
}

} // namespace

CoinsCache::Map::iterator CoinsCache::Fetch(const consensus::OutPoint& outpoint) const
{
    auto it = m_entries.find(outpoint);
    if (it != m_entries.end()) return it;

    std::optional<consensus::Coin> coin;
    if (m_db != nullptr) {
        auto read = m_db->GetCoin(outpoint);
        if (!read) {
            if (!m_read_error) m_read_error = read.error();
            return m_entries.end();
        }
        coin = std::move(*read);
    } else {
        coin = m_parent->GetCoin(outpoint);
    }
    if (!coin || coin->IsSpent()) return m_entries.end();

    // A clean entry: it equals the parent's, so a flush may skip it.
    it = m_entries.try_emplace(outpoint, Entry{std::move(*coin), 0}).first;
    m_memory_usage += EntryUsage(it->second);
    return it;
}

std::optional<consensus::Coin> CoinsCache::GetCoin(const consensus::OutPoint& outpoint) const
{
    auto it = Fetch(outpoint);
    if (it == m_entries.end() || it->second.coin.IsSpent()) return std::nullopt;
    return it->second.coin;
}

const consensus::Coin* CoinsCache::AccessCoin(const consensus::OutPoint& outpoint) const
{
    auto it = Fetch(outpoint);
    if (it == m_entries.end() || it->second.coin.IsSpent()) return nullptr;
    return &it->second.coin;
}

bool CoinsCache::HaveCoin(const consensus::OutPoint& outpoint) const
{
    return AccessCoin(outpoint) != nullptr;
}

bool CoinsCache::HaveCoinInCache(const consensus::OutPoint& outpoint) const
{
    auto it = m_entries.find(outpoint);
    return it != m_entries.end() && !it->second.coin.IsSpent();
}

void CoinsCache::AddCoin(const consensus::OutPoint& outpoint, consensus::Coin coin,
                         bool possible_overwrite)
{
    assert(!coin.IsSpent());
    // Provably unspendable outputs never enter the UTXO set (Core does the same).
    if (coin.out.script_pubkey.IsUnspendable()) return;

    auto [it, inserted] = m_entries.try_emplace(outpoint);
    Entry& entry = it->second;
    bool fresh = false;
    if (!possible_overwrite) {
        const bool overwrites_unspent = !inserted && !entry.coin.IsSpent();
        assert(!overwrites_unspent);
        // A DIRTY spent entry still has to carry its spend to the parent; if it
        // became FRESH, spending the re-added coin would drop that spend.
        // Release builds treat an overwrite as possible rather than corrupt the set.
        fresh = !overwrites_unspent && (entry.flags & DIRTY) == 0;
    }
    if (!inserted) SubUsage(m_memory_usage, EntryUsage(entry));
    entry.coin = std::move(coin);
    entry.flags |= DIRTY | (fresh ? FRESH : 0);
    m_memory_usage += EntryUsage(entry);
}

void CoinsCache::AddTxOutputs(const consensus::Transaction& tx, int height, bool check_overwrite)
{
    const bool coinbase = tx.IsCoinBase();
    const consensus::Uint256& txid = tx.GetHash();
    for (size_t i = 0; i < tx.vout.size(); ++i) {
        const consensus::OutPoint outpoint{txid, static_cast<uint32_t>(i)};
        // Coinbases may always overwrite: two pre-BIP30 blocks repeated a coinbase txid.
        const bool overwrite = check_overwrite ? HaveCoin(outpoint) : coinbase;
        AddCoin(outpoint, consensus::Coin{tx.vout[i], static_cast<uint32_t>(height), coinbase},
                overwrite);
    }
}

bool CoinsCache::SpendCoin(const consensus::OutPoint& outpoint, consensus::Coin* moved_out)
{
    auto it = Fetch(outpoint);
    if (it == m_entries.end() || it->second.coin.IsSpent()) return false;
    Entry& entry = it->second;
    SubUsage(m_memory_usage, EntryUsage(entry));
    if (moved_out != nullptr) *moved_out = std::move(entry.coin);
    if (entry.flags & FRESH) {
        // The parent never saw it: forgetting it is the whole spend.
        m_entries.erase(it);
        return true;
    }
    entry.coin = consensus::Coin{};
    entry.flags |= DIRTY;
    m_memory_usage += EntryUsage(entry);
    return true;
}

consensus::Uint256 CoinsCache::GetBestBlock() const
{
    if (!m_best_block.IsNull()) return m_best_block;
    if (m_parent != nullptr) return m_parent->GetBestBlock();
    auto best = m_db->GetBestBlock();
    if (!best) {
        if (!m_read_error) m_read_error = best.error();
        return consensus::Uint256{};
    }
    return *best;
}

void CoinsCache::SetBestBlock(const consensus::Uint256& hash)
{
    m_best_block = hash;
}

void CoinsCache::MergeFromChild(Map& child_entries, const consensus::Uint256& best_block)
{
    for (auto& [outpoint, child] : child_entries) {
        if ((child.flags & DIRTY) == 0) continue; // equal to ours already
        const bool child_fresh = (child.flags & FRESH) != 0;
        auto [it, inserted] = m_entries.try_emplace(outpoint);
        Entry& ours = it->second;
        if (inserted) {
            if (child_fresh && child.coin.IsSpent()) {
                m_entries.erase(it); // created and spent above us: nothing to record
                continue;
            }
            // FRESH carries over only if the child knew the parent (us) had no
            // coin; otherwise a coin we flushed earlier may sit below us.
            ours.coin = std::move(child.coin);
            ours.flags = static_cast<uint8_t>(DIRTY | (child_fresh ? FRESH : 0));
            m_memory_usage += EntryUsage(ours);
            continue;
        }
        // A FRESH child entry over an unspent coin of ours means the FRESH
        // promise was broken by the caller.
        assert(!(child_fresh && !ours.coin.IsSpent()));
        if ((ours.flags & FRESH) && child.coin.IsSpent()) {
            // Our parent never had it either: drop it entirely.
            SubUsage(m_memory_usage, EntryUsage(ours));
            m_entries.erase(it);
            continue;
        }
        SubUsage(m_memory_usage, EntryUsage(ours));
        ours.coin = std::move(child.coin);
        // Never newly FRESH here: a spend of ours may still have to reach our parent.
        ours.flags |= DIRTY;
        m_memory_usage += EntryUsage(ours);
    }
    SetBestBlock(best_block);
}

util::Expected<void> CoinsCache::Flush()
{
    if (m_parent != nullptr) {
        m_parent->MergeFromChild(m_entries, GetBestBlock());
        m_entries.clear();
        m_memory_usage = 0;
        return {};
    }

    auto db_best = m_db->GetBestBlock();
    if (!db_best) return db_best.error();
    consensus::Uint256 old_tip = *db_best;
    if (old_tip.IsNull()) {
        // Replaying after an interrupted flush: the set still spans from the
        // old tip the interrupted flush recorded, so keep recording that one.
        auto heads = m_db->GetHeadBlocks();
        if (!heads) return heads.error();
        if (heads->size() == 2) old_tip = (*heads)[1];
    }
    const consensus::Uint256 new_tip = m_best_block.IsNull() ? *db_best : m_best_block;

    std::vector<storage::CoinWrite> changes;
    changes.reserve(m_entries.size());
    for (const auto& [outpoint, entry] : m_entries) {
        if ((entry.flags & DIRTY) == 0) continue;
        if (entry.coin.IsSpent()) {
            if (entry.flags & FRESH) continue; // the database never had it
            changes.push_back(storage::CoinWrite{&outpoint, nullptr});
        } else {
            changes.push_back(storage::CoinWrite{&outpoint, &entry.coin});
        }
    }
    auto written = m_db->BatchWrite(changes, old_tip, new_tip);
    if (!written) return written.error();
    m_entries.clear();
    m_memory_usage = 0;
    m_best_block = new_tip;
    return {};
}

void CoinsCache::Reset()
{
    m_entries.clear();
    m_memory_usage = 0;
    m_best_block = consensus::Uint256{};
}

std::optional<util::Error> CoinsCache::TakeReadError()
{
    if (m_read_error) {
        std::optional<util::Error> error = std::move(m_read_error);
        m_read_error.reset();
        return error;
    }
    // An overlay's misses read through its parent, so the parent's read
    // errors are this view's too.
    if (m_parent != nullptr) return m_parent->TakeReadError();
    return std::nullopt;
}

} // namespace kernel
