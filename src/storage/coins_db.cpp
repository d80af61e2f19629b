#include <storage/coins_db.h>

#include <storage/coin_encoding.h>
#include <storage/layout.h>

#include <string>
#include <utility>

namespace storage {

namespace {

util::Error CorruptRecord(const std::string& what)
{
    return util::Error{std::string{CORRUPTION_PREFIX} + ": " + what};
}

} // namespace

// ---- CoinsCursor ----------------------------------------------------------------

CoinsCursor::CoinsCursor(std::unique_ptr<Iterator> it) : m_it{std::move(it)}
{
    SkipToCoin();
}

void CoinsCursor::SkipToCoin()
{
    // Coin keys sort together, so the first key at or after the prefix starts the range.
    m_it->Seek(layout::Prefix(layout::DB_COIN));
}

bool CoinsCursor::Valid() const
{
    return m_it->ValidWithPrefix(layout::Prefix(layout::DB_COIN));
}

void CoinsCursor::Next()
{
    m_it->Next();
}

util::Expected<std::pair<consensus::OutPoint, consensus::Coin>> CoinsCursor::Get() const
{
    const auto outpoint = layout::ParseCoinKey(m_it->Key());
    if (!outpoint) return CorruptRecord("malformed coin key");
    const Bytes value = m_it->Value();
    auto coin = DecodeCoin(value);
    if (!coin) return CorruptRecord("coin " + outpoint->ToString() + ": " + coin.error().message);
    return std::pair{*outpoint, std::move(coin).value()};
}

util::Expected<void> CoinsCursor::Status() const
{
    return m_it->Status();
}

// ---- CoinsDB --------------------------------------------------------------------

CoinsDB::CoinsDB(std::unique_ptr<Database> db, CoinsDBOptions options)
    : m_db{std::move(db)}, m_options{std::move(options)}
{}

util::Expected<std::unique_ptr<CoinsDB>> CoinsDB::Open(CoinsDBOptions options)
{
    DatabaseOptions db_options;
    db_options.path = options.path;
    db_options.cache_bytes = options.cache_bytes;
    db_options.wipe = options.wipe;
    // Core obfuscates the chainstate so that anti-virus scanners do not
    // quarantine files that happen to contain known byte patterns.
    db_options.obfuscate = true;
    db_options.logger = options.logger;
    auto db = Database::Open(db_options);
    if (!db) return db.error();

    // Coins keyed per transaction ('c') predate 0.15; their format is not read here.
    auto it = (*db)->NewIterator();
    const layout::Key legacy = layout::Prefix(layout::DB_LEGACY_COINS);
    it->Seek(legacy);
    if (it->ValidWithPrefix(legacy)) {
        return util::Unexpected(
            "The UTXO database in " + options.path.string() +
            " uses the pre-0.15 per-transaction format ('c' records), which minibit cannot "
            "read. Restart with -reindex-chainstate to rebuild it from the block files.");
    }
    if (auto status = it->Status(); !status) return status.error();
    it.reset();

    return std::unique_ptr<CoinsDB>{new CoinsDB(std::move(db).value(), std::move(options))};
}

util::Expected<std::optional<consensus::Coin>>
CoinsDB::GetCoin(const consensus::OutPoint& outpoint) const
{
    auto raw = m_db->Read(layout::CoinKey(outpoint));
    if (!raw) return raw.error();
    if (!raw->has_value()) return std::optional<consensus::Coin>{};
    auto coin = DecodeCoin(**raw);
    if (!coin) return CorruptRecord("coin " + outpoint.ToString() + ": " + coin.error().message);
    return std::optional<consensus::Coin>{std::move(coin).value()};
}

util::Expected<bool> CoinsDB::HaveCoin(const consensus::OutPoint& outpoint) const
{
    return m_db->Exists(layout::CoinKey(outpoint));
}

util::Expected<consensus::Uint256> CoinsDB::GetBestBlock() const
{
    auto best = m_db->ReadValue<consensus::Uint256>(layout::BestBlockKey());
    if (!best) return best.error();
    return best->value_or(consensus::Uint256{});
}

util::Expected<std::vector<consensus::Uint256>> CoinsDB::GetHeadBlocks() const
{
    auto heads = m_db->ReadValue<std::vector<consensus::Uint256>>(layout::HeadBlocksKey());
    if (!heads) return heads.error();
    return heads->value_or(std::vector<consensus::Uint256>{});
}

util::Expected<void> CoinsDB::BatchWrite(std::span<const CoinWrite> changes,
                                         const consensus::Uint256& old_tip,
                                         const consensus::Uint256& new_tip)
{
    // A flush that follows an interrupted one still spans from the tip that
    // one started at: coins of every block in between may be on disk.
    auto heads = GetHeadBlocks();
    if (!heads) return heads.error();
    const consensus::Uint256 from = heads->size() == 2 ? (*heads)[1] : old_tip;

    // Step 1: say where we are going before touching any coin.
    {
        Batch start{*m_db};
        start.Delete(layout::BestBlockKey());
        start.PutValue(layout::HeadBlocksKey(), std::vector<consensus::Uint256>{new_tip, from});
        if (auto written = m_db->Write(start, /*sync=*/true); !written) return written;
    }

    // Step 2: the coins, in slices that bound LevelDB's memory use.
    Batch batch{*m_db};
    size_t batch_index = 0;
    for (const CoinWrite& change : changes) {
        const layout::Key key = layout::CoinKey(*change.outpoint);
        if (change.coin == nullptr || change.coin->IsSpent()) {
            batch.Delete(key);
        } else {
            batch.Put(key, EncodeCoin(*change.coin));
        }
        if (batch.ApproximateSize() > m_options.batch_write_bytes) {
            if (auto written = m_db->Write(batch, /*sync=*/false); !written) return written;
            batch.Clear();
            if (m_options.crash_after_batch && m_options.crash_after_batch(batch_index)) {
                return util::Unexpected(std::string{SIMULATED_CRASH} + " after coin batch " +
                                        std::to_string(batch_index));
            }
            ++batch_index;
        }
    }

    // Step 3: the rest, and the set is consistent again at new_tip.
    batch.Delete(layout::HeadBlocksKey());
    batch.PutValue(layout::BestBlockKey(), new_tip);
    return m_db->Write(batch, /*sync=*/true);
}

std::unique_ptr<CoinsCursor> CoinsDB::Cursor() const
{
    return std::make_unique<CoinsCursor>(m_db->NewIterator());
}

uint64_t CoinsDB::EstimateSize() const
{
    return m_db->EstimateSize(layout::Prefix(layout::DB_COIN), layout::Prefix(layout::DB_COIN + 1));
}

} // namespace storage
