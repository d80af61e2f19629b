// The UTXO set in LevelDB (chainstate/), keyed and encoded as Bitcoin Core
// keys and encodes it (layout.h, coin_encoding.h), with the crash-safe flush
// of DESIGN.md §4:
//
//   1. one synced batch: 'H' := {new tip, old tip}, 'B' erased
//   2. coin changes in batches of about batch_write_bytes (not synced)
//   3. one synced batch: last coins, 'B' := new tip, 'H' erased
//
// A crash between 1 and 3 leaves 'H' behind; the kernel then replays blocks
// from the old tip (or the fork point) to the new tip before using the set
// (storage never interprets blocks itself).
//
// Thread safety: reads may run on any thread; BatchWrite and the setters only
// on the validation executor.
#pragma once

#include <consensus/coins.h>
#include <consensus/uint256.h>
#include <storage/dbwrapper.h>
#include <util/expected.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace storage {

/// Start of the message of the error a simulated crash returns.
inline constexpr std::string_view SIMULATED_CRASH = "Simulated crash";

/// How to open the UTXO database.
struct CoinsDBOptions
{
    std::filesystem::path path;         //!< <datadir>/chainstate
    size_t cache_bytes{8 << 20};        //!< LevelDB cache for this database
    bool wipe{false};                   //!< start empty (-reindex, -reindex-chainstate)
    size_t batch_write_bytes{16 << 20}; //!< flush coins in batches of about this size
    util::Logger* logger{nullptr};      //!< LevelDB's own log, at debug level
    /// Test hook (Core's -dbcrashratio): called after each coin batch of a
    /// BatchWrite is written, with its 0-based index; returning true stops the
    /// write right there and BatchWrite returns an error starting with
    /// SIMULATED_CRASH, leaving the database exactly as a crash would.
    std::function<bool(size_t batch_index)> crash_after_batch{};
};

/// One change to write: coin == nullptr (or a spent coin) erases the outpoint.
struct CoinWrite
{
    const consensus::OutPoint* outpoint{nullptr};
    const consensus::Coin* coin{nullptr};
};

/// A cursor over every unspent coin in key order (txid bytes, then output index).
class CoinsCursor
{
public:
    explicit CoinsCursor(std::unique_ptr<Iterator> it);
    /// True while positioned on a coin.
    bool Valid() const;
    /// Moves to the next coin.
    void Next();
    /// The current outpoint and coin; an error if the record is malformed.
    util::Expected<std::pair<consensus::OutPoint, consensus::Coin>> Get() const;
    /// An error if iteration stopped because of I/O failure or corruption.
    util::Expected<void> Status() const;

private:
    void SkipToCoin();
    std::unique_ptr<Iterator> m_it;
};

/// The on-disk UTXO set.
class CoinsDB
{
public:
    /// Opens (creating if missing) the database; refuses a pre-0.15 per-tx coins database.
    static util::Expected<std::unique_ptr<CoinsDB>> Open(CoinsDBOptions options);

    /// The unspent coin at outpoint, nullopt if there is none.
    util::Expected<std::optional<consensus::Coin>>
    GetCoin(const consensus::OutPoint& outpoint) const;
    /// True if an unspent coin exists at outpoint.
    util::Expected<bool> HaveCoin(const consensus::OutPoint& outpoint) const;
    /// The block the set is consistent with ('B'); null if none (empty set or mid-flush).
    util::Expected<consensus::Uint256> GetBestBlock() const;
    /// {new tip, old tip} of an interrupted flush ('H'); empty if none.
    util::Expected<std::vector<consensus::Uint256>> GetHeadBlocks() const;
    /// Writes the changes with the three-step protocol above, moving the set
    /// from old_tip (null for "none") to new_tip.
    util::Expected<void> BatchWrite(std::span<const CoinWrite> changes,
                                    const consensus::Uint256& old_tip,
                                    const consensus::Uint256& new_tip);
    /// A cursor over every coin.
    std::unique_ptr<CoinsCursor> Cursor() const;
    /// Approximate bytes the coins occupy on disk.
    uint64_t EstimateSize() const;
    /// The underlying database (for tests that corrupt it, and for compaction).
    Database& GetDatabase() { return *m_db; }

private:
    CoinsDB(std::unique_ptr<Database> db, CoinsDBOptions options);
    std::unique_ptr<Database> m_db;
    CoinsDBOptions m_options;
};

} // namespace storage
