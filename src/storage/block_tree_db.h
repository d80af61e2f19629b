// The block index in LevelDB (blocks/index/), in Bitcoin Core's record
// formats so a datadir looks familiar to Core's tools:
//
//   'b' + hash -> VARINT(client version) VARINT(height) VARINT(status) VARINT(tx count)
//                 [VARINT(file)]     if status has HAVE_DATA or HAVE_UNDO
//                 [VARINT(data pos)] if HAVE_DATA
//                 [VARINT(undo pos)] if HAVE_UNDO
//                 then the 80-byte header
//   'f' + file -> VARINT of blocks, size, undo size, first/last height, first/last time
//   'l'        -> int32 last file;  'R' -> '1' while reindexing;  'F' + name -> '1'/'0'
//
// Thread safety: reads on any thread; writes only on the validation executor.
#pragma once

#include <consensus/block.h>
#include <consensus/uint256.h>
#include <storage/dbwrapper.h>
#include <util/expected.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace storage {

/// Bits of a block index entry's status, with Bitcoin Core's values.
enum BlockStatus : uint32_t
{
    BLOCK_VALID_UNKNOWN = 0,
    BLOCK_VALID_RESERVED = 1,     //!< parsed, version ok, hash meets its claimed target
    BLOCK_VALID_TREE = 2,         //!< all parents known, header checks pass
    BLOCK_VALID_TRANSACTIONS = 3, //!< block data known and context-free/contextual checks pass
    BLOCK_VALID_CHAIN = 4,        //!< outputs do not overspend, no double spends, BIP30
    BLOCK_VALID_SCRIPTS = 5,      //!< scripts and signatures ok
    BLOCK_VALID_MASK = 7,
    BLOCK_HAVE_DATA = 8,  //!< full block in a blk file
    BLOCK_HAVE_UNDO = 16, //!< undo data in a rev file
    BLOCK_HAVE_MASK = BLOCK_HAVE_DATA | BLOCK_HAVE_UNDO,
    BLOCK_FAILED_VALID = 32, //!< the block itself failed validation
    BLOCK_FAILED_CHILD = 64, //!< descends from a failed block
    BLOCK_FAILED_MASK = BLOCK_FAILED_VALID | BLOCK_FAILED_CHILD,
    BLOCK_OPT_WITNESS = 128, //!< validated with witness rules
};

/// One 'b' record.
struct DiskBlockIndex
{
    consensus::BlockHeader header;
    int height{0};
    uint32_t status{0};
    uint32_t tx_count{0};
    int file{-1};
    uint32_t data_pos{0};
    uint32_t undo_pos{0};
    friend bool operator==(const DiskBlockIndex&, const DiskBlockIndex&) = default;
};

/// One 'f' record: what a blk/rev file pair holds.
struct BlockFileInfo
{
    uint32_t blocks{0};
    uint32_t size{0};
    uint32_t undo_size{0};
    uint32_t height_first{0};
    uint32_t height_last{0};
    uint64_t time_first{0};
    uint64_t time_last{0};
    /// Accounts for one more block at height/time.
    void AddBlock(uint32_t height, uint64_t time);
    friend bool operator==(const BlockFileInfo&, const BlockFileInfo&) = default;
};

/// Encodes a 'b' value (client_version is informational; readers ignore it).
std::vector<uint8_t> EncodeDiskBlockIndex(const DiskBlockIndex& index, int client_version);
/// Decodes a 'b' value; trailing bytes are an error.
util::Expected<DiskBlockIndex> DecodeDiskBlockIndex(std::span<const uint8_t> value);
/// Encodes an 'f' value.
std::vector<uint8_t> EncodeBlockFileInfo(const BlockFileInfo& info);
/// Decodes an 'f' value.
util::Expected<BlockFileInfo> DecodeBlockFileInfo(std::span<const uint8_t> value);

/// How to open the block tree database.
struct BlockTreeDBOptions
{
    std::filesystem::path path; //!< <datadir>/blocks/index
    size_t cache_bytes{2 << 20};
    bool wipe{false}; //!< -reindex
    util::Logger* logger{nullptr};
};

/// The persisted block index.
class BlockTreeDB
{
public:
    static util::Expected<std::unique_ptr<BlockTreeDB>> Open(const BlockTreeDBOptions& options);

    /// Writes file infos, the last file number and index entries in one synced batch.
    util::Expected<void> WriteBatchSync(std::span<const std::pair<int, BlockFileInfo>> files,
                                        int last_file, std::span<const DiskBlockIndex> blocks,
                                        int client_version);
    /// Calls visit for every 'b' record (hash recomputed from the header and
    /// checked against the key); stops early if visit returns false.
    util::Expected<void> LoadBlockIndex(
        const std::function<bool(const consensus::Uint256& hash, const DiskBlockIndex&)>& visit)
        const;
    /// The 'f' record of file, nullopt if absent.
    util::Expected<std::optional<BlockFileInfo>> ReadBlockFileInfo(int file) const;
    /// The 'l' record, nullopt if absent.
    util::Expected<std::optional<int>> ReadLastBlockFile() const;
    /// Sets or clears the 'R' record (synced).
    util::Expected<void> WriteReindexing(bool reindexing);
    /// True if 'R' is present.
    util::Expected<bool> ReadReindexing() const;
    /// Stores a named flag (synced).
    util::Expected<void> WriteFlag(std::string_view name, bool value);
    /// A named flag, nullopt if never written.
    util::Expected<std::optional<bool>> ReadFlag(std::string_view name) const;
    /// The underlying database (tests corrupt it).
    Database& GetDatabase() { return *m_db; }

private:
    explicit BlockTreeDB(std::unique_ptr<Database> db);
    std::unique_ptr<Database> m_db;
};

} // namespace storage
