// The chainstate: the block index (headers tree), block and undo storage, the
// UTXO set, and the active chain, kept on the most-work valid chain.
//
//   headers  -> AcceptBlockHeader: PoW, difficulty, time, version rules
//   blocks   -> AcceptBlock: context-free and contextual checks, stored in blk files
//   chain    -> ActivateBestChain: disconnect to the fork, connect toward the
//               most-work candidate (ConnectBlock: BIP30, inputs, fees,
//               subsidy, sequence locks, sigops, scripts on the -par pool,
//               undo data); invalid blocks are marked and the next-best chain
//               is tried.
//
// Storage follows DESIGN.md §4: blocks and undo are synced before the index
// that points at them, the index before the coins, and the coins with the
// crash-safe protocol of storage::CoinsDB; Open() replays an interrupted flush.
//
// Thread safety: the validation executor is the only caller of every method.
#pragma once

#include <common/chainparams.h>
#include <consensus/arith_uint256.h>
#include <consensus/block.h>
#include <consensus/block_check.h>
#include <consensus/crypto/pubkey.h>
#include <consensus/validation_state.h>
#include <kernel/chain.h>
#include <kernel/checkqueue.h>
#include <kernel/coins_cache.h>
#include <kernel/coinstats.h>
#include <kernel/notifications.h>
#include <storage/block_tree_db.h>
#include <storage/blockfiles.h>
#include <storage/coin_encoding.h>
#include <storage/coins_db.h>
#include <util/expected.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <unordered_map>
#include <vector>

namespace util {
class Logger;
}

namespace kernel {

/// Client version recorded in block index entries (informational).
inline constexpr int CLIENT_VERSION = 10000;
/// Default -dbcache in MiB.
inline constexpr int64_t DEFAULT_DB_CACHE_MIB = 450;
/// Smallest -dbcache in MiB.
inline constexpr int64_t MIN_DB_CACHE_MIB = 4;
/// Default -checkblocks and -checklevel.
inline constexpr int DEFAULT_CHECKBLOCKS = 6;
inline constexpr int DEFAULT_CHECKLEVEL = 3;

/// Settings of a chainstate (filled from -dbcache, -par, -assumevalid, ...).
struct ChainstateOptions
{
    const common::ChainParams* params{nullptr}; //!< required; must outlive the chainstate
    std::filesystem::path data_dir;             //!< the network's datadir (blocks/, chainstate/)
    size_t coins_cache_bytes{300 << 20};        //!< in-memory UTXO cache limit
    size_t coins_db_cache_bytes{8 << 20};       //!< LevelDB cache of chainstate/
    size_t block_tree_db_cache_bytes{2 << 20};  //!< LevelDB cache of blocks/index/
    unsigned script_threads{1};                 //!< -par: script verification threads
    /// Skip scripts of ancestors of this block (when the conditions of
    /// -assumevalid hold); nullopt or zero: verify every script.
    std::optional<consensus::Uint256> assume_valid{};
    consensus::ArithUint256 minimum_chain_work{}; //!< -minimumchainwork
    bool reindex{false};                          //!< rebuild index and chainstate from blk files
    bool reindex_chainstate{false};               //!< rebuild only the chainstate
    int64_t flush_interval_seconds{60 * 60};      //!< periodic write of the coins cache
    std::function<int64_t()> clock{}; //!< seconds since the epoch; default: system clock
    util::Logger* logger{nullptr};    //!< may be null (silent)
    /// Polled between blocks by long operations (connecting, import, reindex,
    /// VerifyDB); returning true makes them stop early, leaving a consistent
    /// state that a restart continues from. Called on the validation executor.
    std::function<bool()> interrupt{};
    /// Test hook passed to storage::CoinsDBOptions::crash_after_batch.
    std::function<bool(size_t)> crash_after_batch{};
    size_t coins_batch_write_bytes{16 << 20};                 //!< size of each coins write batch
    uint64_t max_blockfile_size{storage::MAX_BLOCKFILE_SIZE}; //!< smaller only in tests
    /// Called once, on the validation executor, when a failed write (a full
    /// disk, an I/O error) stops the chainstate: the node cannot go on and
    /// should shut down, as Core's AbortNode does.
    std::function<void(const util::Error&)> on_fatal_error{};
};

/// What ImportBlockFile did with a file.
struct ImportResult
{
    size_t blocks_read{0};     //!< records that decoded as blocks
    size_t blocks_accepted{0}; //!< newly stored (not already known)
    size_t blocks_orphaned{0}; //!< left without a known parent at the end
    size_t blocks_rejected{0}; //!< failed their checks
    uint64_t data_end{0};      //!< file offset just past the last decodable record
};

/// The chainstate and everything it keeps on disk.
class ChainstateManager
{
public:
    /// Opens (creating if needed) the block index, block files and coins
    /// database under data_dir, replays an interrupted flush, reindexes if
    /// asked (or if a previous reindex was interrupted), and connects the
    /// best chain known. Errors name what is wrong and suggest -reindex
    /// where that is the cure.
    static util::Expected<std::unique_ptr<ChainstateManager>> Open(ChainstateOptions options);
    /// Flushes everything (unless a fatal error stopped writing).
    ~ChainstateManager();
    ChainstateManager(const ChainstateManager&) = delete;
    ChainstateManager& operator=(const ChainstateManager&) = delete;

    /// Validates and stores headers (each must connect to a known one).
    /// `last` receives the index of the last header accepted.
    bool ProcessNewBlockHeaders(std::span<const consensus::BlockHeader> headers,
                                consensus::BlockValidationState& state,
                                const BlockIndex** last = nullptr);
    /// Validates and stores a block, then moves to the best chain. Returns
    /// false if the block itself was rejected (state says why). new_block is
    /// set when the block was not stored before.
    bool ProcessNewBlock(const std::shared_ptr<const consensus::Block>& block,
                         consensus::BlockValidationState& state, bool* new_block = nullptr);
    /// Connects toward the most-work valid chain; `block`, if given, is one of
    /// the blocks to connect, already in memory. An error only on storage failure.
    util::Expected<void>
    ActivateBestChain(const std::shared_ptr<const consensus::Block>& block = nullptr);

    /// invalidateblock: marks the block and its descendants invalid and
    /// leaves the active chain if it was on it.
    util::Expected<void> InvalidateBlock(BlockIndex* index);
    /// reconsiderblock: clears failure marks of the block, its ancestors and descendants.
    util::Expected<void> ReconsiderBlock(BlockIndex* index);
    /// preciousblock: prefers this block over others of equal work.
    util::Expected<void> PreciousBlock(BlockIndex* index);

    /// Imports a file in blkNNNNN.dat format (-loadblock); blocks may come in
    /// any order. Does not activate the best chain (call ActivateBestChain).
    util::Expected<ImportResult> ImportBlockFile(const std::filesystem::path& path);
    /// -checkblocks/-checklevel: checks the last `depth` blocks of the active
    /// chain at `level` (0 read, 1 CheckBlock, 2 undo, 3 disconnect, 4 reconnect).
    util::Expected<void> VerifyDB(int level, int depth);

    /// Writes block index and coins to disk now.
    util::Expected<void> ForceFlush();
    /// Statistics and digest of the UTXO set (flushes first); the MuHash too
    /// when `with_muhash`.
    util::Expected<CoinsStats> GetCoinsStats(bool with_muhash = false);

    /// The active chain.
    const Chain& ActiveChain() const { return m_chain; }
    /// The active tip (never null once Open succeeded).
    const BlockIndex* Tip() const { return m_chain.Tip(); }
    /// The index entry of a hash, null if unknown.
    BlockIndex* LookupBlockIndex(const consensus::Uint256& hash) const;
    /// The most-work header known that is not known invalid.
    const BlockIndex* BestHeader() const { return m_best_header; }
    /// Every index entry (for getchaintips and tests).
    std::vector<const BlockIndex*> AllBlockIndexes() const;
    /// The block stored for an index entry.
    util::Expected<consensus::Block> ReadBlock(const BlockIndex& index) const;
    /// The undo data stored for a connected block.
    util::Expected<storage::BlockUndo> ReadUndo(const BlockIndex& index) const;
    /// Compact bits a block with timestamp `block_time` on top of `prev` must carry.
    uint32_t NextWorkRequired(const BlockIndex& prev, int64_t block_time) const;
    /// Writes the coins out, then returns a cursor over the database as it is now, which
    /// matches Tip(); the cursor may be used on another thread while validation continues.
    util::Expected<std::unique_ptr<storage::CoinsCursor>> SnapshotCoins();
    /// Bytes of blk and rev files on disk.
    uint64_t BlockFilesSize() const;
    /// Current time as the chainstate sees it (the clock option), in seconds.
    int64_t Now() const;
    /// The UTXO cache in front of the database.
    CoinsCache& CoinsTip() { return *m_coins; }
    /// True while the tip is older than a day or has less than minimum chain work.
    bool IsInitialBlockDownload() const;
    /// Subscribers to block and tip events.
    ValidationSignals& Signals() { return m_signals; }
    /// The parameters of this network.
    const common::ChainParams& Params() const { return *m_options.params; }
    /// -minimumchainwork: below it the node neither trusts nor serves its own chain.
    const consensus::ArithUint256& MinimumChainWork() const { return m_options.minimum_chain_work; }
    /// Set once a storage failure made the chainstate stop writing.
    const std::optional<util::Error>& FatalError() const { return m_fatal_error; }

private:
    enum class FlushMode
    {
        IF_NEEDED,
        PERIODIC,
        ALWAYS
    };
    enum class DisconnectResult
    {
        OK,
        UNCLEAN,
        FAILED
    };

    explicit ChainstateManager(ChainstateOptions options);

    // ---- loading (chainstate.cpp) ----
    util::Expected<void> Load();
    util::Expected<void> LoadBlockIndex();
    util::Expected<void> LoadGenesis();
    util::Expected<void> LoadChainTip();
    util::Expected<void> Reindex();
    /// Imports one file; file_number >= 0 means it is our own blkNNNNN.dat
    /// (reindex) and blocks stay where they are instead of being copied.
    util::Expected<ImportResult> ImportFile(const std::filesystem::path& path, int file_number);

    // ---- headers and blocks ----
    bool AcceptBlockHeader(const consensus::BlockHeader& header,
                           consensus::BlockValidationState& state, BlockIndex** out);
    /// known_pos: the block is already in a blk file at this position (reindex).
    bool AcceptBlock(const std::shared_ptr<const consensus::Block>& block,
                     consensus::BlockValidationState& state, BlockIndex** out,
                     const storage::FlatFilePos* known_pos, bool* new_block);
    BlockIndex* AddToBlockIndex(const consensus::BlockHeader& header,
                                const consensus::Uint256& hash);
    void ReceivedBlockTransactions(const consensus::Block& block, BlockIndex* index,
                                   const storage::FlatFilePos& pos);
    consensus::HeaderContext MakeHeaderContext(const BlockIndex* prev,
                                               const consensus::BlockHeader& header) const;

    // ---- chain selection ----
    BlockIndex* FindMostWorkChain();
    util::Expected<bool>
    ActivateBestChainStep(BlockIndex* target, bool& invalid_found,
                          const std::shared_ptr<const consensus::Block>& block);
    util::Expected<bool> ConnectTip(BlockIndex* index,
                                    std::shared_ptr<const consensus::Block> block);
    util::Expected<void> DisconnectTip();
    void InvalidBlockFound(BlockIndex* index, const consensus::BlockValidationState& state);
    void InvalidChainFound(BlockIndex* index);
    void PruneCandidates();
    void AddCandidateIfBetter(BlockIndex* index);
    void SetDirty(BlockIndex* index) { m_dirty_index.insert(index); }

    // ---- connecting (connect.cpp) ----
    /// Full validation against the coins in view; on success view holds the
    /// block's changes and undo is written (unless just_check).
    util::Expected<bool> ConnectBlock(const consensus::Block& block,
                                      consensus::BlockValidationState& state, BlockIndex* index,
                                      CoinsCache& view, bool just_check = false);
    util::Expected<DisconnectResult> DisconnectBlock(const consensus::Block& block,
                                                     const BlockIndex* index, CoinsCache& view);
    bool ShouldCheckScripts(const BlockIndex* index) const;
    /// Brings the coins up to date after a crash in the middle of a flush.
    util::Expected<void> ReplayBlocks();
    util::Expected<void> RollforwardBlock(const BlockIndex* index, CoinsCache& view);

    // ---- storage ----
    util::Expected<storage::FlatFilePos> SaveBlock(const consensus::Block& block, int height);
    util::Expected<void> FlushStateToDisk(FlushMode mode);
    util::Expected<void> FlushBlockIndex();
    /// Block files under <datadir>/blocks resuming with these per-file sizes.
    std::unique_ptr<storage::BlockFiles> MakeBlockFiles(std::vector<storage::FileSizes> sizes,
                                                        int last_file) const;
    /// Records a storage failure, stops further writes and returns the error.
    util::Error Fatal(util::Error error);
    /// True once options.interrupt asks long operations to stop.
    bool Interrupted() const { return m_options.interrupt && m_options.interrupt(); }

    ChainstateOptions m_options;
    util::Logger* m_log{nullptr};
    std::unique_ptr<storage::BlockTreeDB> m_block_tree;
    std::unique_ptr<storage::BlockFiles> m_block_files;
    std::vector<storage::BlockFileInfo> m_file_info;
    std::set<int> m_dirty_files;
    std::unique_ptr<storage::CoinsDB> m_coins_db;
    std::unique_ptr<CoinsCache> m_coins;

    std::unordered_map<consensus::Uint256, std::unique_ptr<BlockIndex>, consensus::BlobHasher>
        m_index;
    std::set<BlockIndex*> m_dirty_index;
    Chain m_chain;
    std::set<BlockIndex*, BlockIndexWorkComparator> m_candidates;
    /// Blocks with data whose parent's data is missing, by parent.
    std::multimap<BlockIndex*, BlockIndex*> m_unlinked;
    BlockIndex* m_best_header{nullptr};
    BlockIndex* m_best_invalid{nullptr};
    int32_t m_next_sequence{1};
    int32_t m_precious_sequence{0};
    consensus::ArithUint256 m_last_precious_work{};

    ScriptCheckQueue m_check_queue;
    consensus::SignatureCache m_signature_cache;
    ValidationSignals m_signals;
    int64_t m_last_flush{0};
    std::optional<util::Error> m_fatal_error;
};

} // namespace kernel
