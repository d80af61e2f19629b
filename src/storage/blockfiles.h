// Blocks and undo data in blk/rev flat files, framed as Bitcoin Core frames
// them so its tools (and a -reindex) can read our files:
//
//   blkNNNNN.dat: magic(4) | size(4, LE) | block bytes
//   revNNNNN.dat: magic(4) | size(4, LE) | undo bytes | SHA256d(prev block hash || undo bytes)
//
// A returned FlatFilePos points at the payload, just past the 8-byte frame
// header. The undo checksum commits to the hash of the block's *parent*, which
// is what Core's reader feeds first, so undo data can't be applied to the
// wrong block. Undo content is an opaque byte string here; its structure
// belongs to the coins code.
//
// Thread safety: Write*, Flush* and the accessors of file sizes are for the
// validation executor only; Read* touch no mutable state and may run on any
// thread concurrently with each other and with writes to other positions.
#pragma once

#include <consensus/block.h>
#include <consensus/uint256.h>
#include <storage/flatfile.h>
#include <util/expected.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <set>
#include <span>
#include <vector>

namespace storage {

/// Largest blk file before moving on to the next (Core's 128 MiB).
inline constexpr uint64_t MAX_BLOCKFILE_SIZE = 0x8000000;
/// blk files grow in steps of 16 MiB.
inline constexpr uint64_t BLOCKFILE_CHUNK_SIZE = 0x1000000;
/// rev files grow in steps of 1 MiB.
inline constexpr uint64_t UNDOFILE_CHUNK_SIZE = 0x100000;
/// Bytes of the magic + size frame before each record.
inline constexpr uint32_t STORAGE_HEADER_BYTES = 8;
/// Bytes of the checksum after each undo record.
inline constexpr uint32_t UNDO_CHECKSUM_BYTES = 32;
/// Largest undo record accepted on read (the deserialization cap).
inline constexpr uint32_t MAX_UNDO_RECORD_SIZE = 0x02000000;

/// The network's message start, written before every record.
using MessageStart = std::array<uint8_t, 4>;

/// Where and how block files are kept.
struct BlockFilesOptions
{
    std::filesystem::path blocks_dir;                //!< <datadir>/blocks
    MessageStart magic{};                            //!< the chain's message start
    uint64_t max_blockfile_size{MAX_BLOCKFILE_SIZE}; //!< smaller values only for tests
    uint64_t blockfile_chunk_size{BLOCKFILE_CHUNK_SIZE};
    uint64_t undofile_chunk_size{UNDOFILE_CHUNK_SIZE};
};

/// Bytes in use in one blk/rev pair; the block index persists these.
struct FileSizes
{
    uint32_t blk{0};
    uint32_t rev{0};
    friend bool operator==(const FileSizes&, const FileSizes&) = default;
};

/// Appends blocks and undo data and reads them back with full checks.
class BlockFiles
{
public:
    /// Resumes with the sizes recorded for files 0..N and the file blocks go to next.
    explicit BlockFiles(BlockFilesOptions options, std::vector<FileSizes> sizes = {},
                        int last_file = 0);

    /// Serializes (with witness) and appends a block; returns its position.
    util::Expected<FlatFilePos> WriteBlock(const consensus::Block& block);
    /// Appends an already serialized block (at most MAX_BLOCK_SERIALIZED_SIZE bytes).
    util::Expected<FlatFilePos> WriteRawBlock(std::span<const uint8_t> block_bytes);
    /// The block at pos, checked: magic, size cap, exact decode, hash == expected_hash
    /// and the merkle root (witness data is left to CheckBlock).
    util::Expected<consensus::Block> ReadBlock(const FlatFilePos& pos,
                                               const consensus::Uint256& expected_hash) const;
    /// The framed bytes at pos, checked for magic and size only.
    util::Expected<std::vector<uint8_t>> ReadRawBlock(const FlatFilePos& pos) const;

    /// Appends undo data for a block stored in blk file `file`, with its checksum.
    util::Expected<FlatFilePos> WriteUndo(int file, std::span<const uint8_t> undo,
                                          const consensus::Uint256& prev_block_hash);
    /// The undo bytes at pos, after verifying magic, size and checksum.
    util::Expected<std::vector<uint8_t>> ReadUndo(const FlatFilePos& pos,
                                                  const consensus::Uint256& prev_block_hash) const;

    /// Syncs every blk/rev file written since the last flush; call before
    /// writing an index that points into them.
    util::Expected<void> Flush();
    /// Syncs rev file `file` and, if finalize, drops its pre-allocated tail.
    util::Expected<void> FlushUndoFile(int file, bool finalize);

    /// The blk file new blocks go to.
    int GetLastFile() const { return m_last_file; }
    /// Bytes used per file number.
    const std::vector<FileSizes>& GetFileSizes() const { return m_sizes; }
    /// Path of blk file `file`.
    std::filesystem::path BlockFileName(int file) const { return m_blk.FileName({file, 0}); }
    /// Path of rev file `file`.
    std::filesystem::path UndoFileName(int file) const { return m_rev.FileName({file, 0}); }

private:
    /// Reads the frame before pos; returns the payload size after checking magic and cap.
    util::Expected<uint32_t> ReadHeader(const File& file, const FlatFilePos& pos, uint32_t max_size,
                                        std::string_view what) const;

    BlockFilesOptions m_options;
    FlatFileSeq m_blk;
    FlatFileSeq m_rev;
    std::vector<FileSizes> m_sizes;
    int m_last_file;
    std::set<int> m_dirty_blk;
    std::set<int> m_dirty_rev;
};

} // namespace storage
