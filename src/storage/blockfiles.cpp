#include <storage/blockfiles.h>

#include <consensus/consensus_constants.h>
#include <consensus/hash.h>
#include <consensus/merkle.h>
#include <consensus/serialize.h>

#include <algorithm>
#include <cstring>

namespace storage {

namespace {

std::vector<uint8_t> Frame(const MessageStart& magic, uint32_t size)
{
    std::vector<uint8_t> out(magic.begin(), magic.end());
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<uint8_t>(size >> (8 * i)));
    return out;
}

consensus::Uint256 UndoChecksum(const consensus::Uint256& prev_block_hash,
                                std::span<const uint8_t> undo)
{
    consensus::Sha256 inner;
    inner.Write(prev_block_hash.span()).Write(undo);
    const consensus::Uint256 first = inner.Finalize();
    return consensus::Sha256Hash(first.span());
}

} // namespace

BlockFiles::BlockFiles(BlockFilesOptions options, std::vector<FileSizes> sizes, int last_file)
    : m_options{std::move(options)}, m_blk{m_options.blocks_dir, "blk",
                                           m_options.blockfile_chunk_size},
      m_rev{m_options.blocks_dir, "rev", m_options.undofile_chunk_size}, m_sizes{std::move(sizes)},
      m_last_file{std::max(last_file, 0)}
{
    if (m_sizes.size() <= static_cast<size_t>(m_last_file)) m_sizes.resize(m_last_file + 1);
}

util::Expected<FlatFilePos> BlockFiles::WriteBlock(const consensus::Block& block)
{
    return WriteRawBlock(consensus::Encode(block));
}

util::Expected<FlatFilePos> BlockFiles::WriteRawBlock(std::span<const uint8_t> block_bytes)
{
    if (block_bytes.size() > consensus::MAX_BLOCK_SERIALIZED_SIZE) {
        return util::Unexpected(
            "Refusing to store a block of " + std::to_string(block_bytes.size()) +
            " bytes, above the maximum of " + std::to_string(consensus::MAX_BLOCK_SERIALIZED_SIZE));
    }
    const uint64_t add = STORAGE_HEADER_BYTES + block_bytes.size();

    // Move on while the record would make the current file reach the cap; an
    // empty file takes the record regardless, so oversized test caps terminate.
    int file = m_last_file;
    while (m_sizes[file].blk > 0 && m_sizes[file].blk + add >= m_options.max_blockfile_size) {
        ++file;
        if (m_sizes.size() <= static_cast<size_t>(file)) m_sizes.resize(file + 1);
    }
    if (file != m_last_file) {
        // The old file is complete: cut its pre-allocated tail and make it durable.
        if (auto f = m_blk.Flush({m_last_file, m_sizes[m_last_file].blk}, /*finalize=*/true); !f)
            return f.error();
        m_dirty_blk.erase(m_last_file);
        m_last_file = file;
    }

    const FlatFilePos frame_pos{file, m_sizes[file].blk};
    if (auto a = m_blk.Allocate(frame_pos, add); !a) return a.error();
    auto out = m_blk.Open(frame_pos, /*read_only=*/false);
    if (!out) return out.error();
    std::vector<uint8_t> record = Frame(m_options.magic, static_cast<uint32_t>(block_bytes.size()));
    record.insert(record.end(), block_bytes.begin(), block_bytes.end());
    // Sizes advance only after a complete write, so a failed append is
    // overwritten by the next one and nothing points at it.
    if (auto w = out->WriteAt(frame_pos.pos, record); !w) return w.error();
    m_sizes[file].blk += static_cast<uint32_t>(add);
    m_dirty_blk.insert(file);
    return FlatFilePos{file, frame_pos.pos + STORAGE_HEADER_BYTES};
}

util::Expected<uint32_t> BlockFiles::ReadHeader(const File& file, const FlatFilePos& pos,
                                                uint32_t max_size, std::string_view what) const
{
    std::array<uint8_t, STORAGE_HEADER_BYTES> header{};
    if (auto r = file.ReadAt(pos.pos - STORAGE_HEADER_BYTES, header); !r) {
        return util::Unexpected("Cannot read " + std::string{what} + " header at " +
                                pos.ToString() + ": " + r.error().message);
    }
    if (!std::equal(m_options.magic.begin(), m_options.magic.end(), header.begin())) {
        return util::Unexpected(std::string{what} + " magic mismatch at " + pos.ToString() +
                                " in " + file.GetPath().string());
    }
    const uint32_t size =
        static_cast<uint32_t>(header[4]) | (static_cast<uint32_t>(header[5]) << 8) |
        (static_cast<uint32_t>(header[6]) << 16) | (static_cast<uint32_t>(header[7]) << 24);
    if (size > max_size) {
        return util::Unexpected(std::string{what} + " size " + std::to_string(size) +
                                " above the maximum " + std::to_string(max_size) + " at " +
                                pos.ToString() + " in " + file.GetPath().string());
    }
    return size;
}

util::Expected<std::vector<uint8_t>> BlockFiles::ReadRawBlock(const FlatFilePos& pos) const
{
    if (pos.IsNull() || pos.pos < STORAGE_HEADER_BYTES) {
        return util::Unexpected("Invalid block position " + pos.ToString());
    }
    auto in = m_blk.Open(pos, /*read_only=*/true);
    if (!in) return in.error();
    auto size = ReadHeader(*in, pos, consensus::MAX_BLOCK_SERIALIZED_SIZE, "Block");
    if (!size) return size.error();
    std::vector<uint8_t> bytes(*size);
    if (auto r = in->ReadAt(pos.pos, bytes); !r) {
        return util::Unexpected("Cannot read block at " + pos.ToString() + ": " +
                                r.error().message);
    }
    return bytes;
}

util::Expected<consensus::Block>
BlockFiles::ReadBlock(const FlatFilePos& pos, const consensus::Uint256& expected_hash) const
{
    auto bytes = ReadRawBlock(pos);
    if (!bytes) return bytes.error();
    auto block = consensus::Decode<consensus::Block>(*bytes);
    if (!block) {
        return util::Unexpected("Cannot decode block at " + pos.ToString() + " in " +
                                BlockFileName(pos.file).string() + ": " + block.error().message);
    }
    const consensus::Uint256 hash = block->GetHash();
    if (hash != expected_hash) {
        return util::Unexpected("Block at " + pos.ToString() + " has hash " + hash.GetHex() +
                                ", expected " + expected_hash.GetHex());
    }
    // The header hash covers the transactions only through the merkle root;
    // recomputing it catches damage to transaction bytes (txids are cached, so
    // this costs one tree of hashes). Witness bytes are left to CheckBlock.
    if (consensus::BlockMerkleRoot(*block) != block->header.merkle_root) {
        return util::Unexpected("Block at " + pos.ToString() + " in " +
                                BlockFileName(pos.file).string() +
                                " does not match its merkle root");
    }
    return block;
}

util::Expected<FlatFilePos> BlockFiles::WriteUndo(int file, std::span<const uint8_t> undo,
                                                  const consensus::Uint256& prev_block_hash)
{
    if (file < 0 || static_cast<size_t>(file) >= m_sizes.size()) {
        return util::Unexpected("No blk file " + std::to_string(file) + " to attach undo data to");
    }
    if (undo.size() > MAX_UNDO_RECORD_SIZE) {
        return util::Unexpected("Refusing to store undo data of " + std::to_string(undo.size()) +
                                " bytes");
    }
    const uint64_t add = STORAGE_HEADER_BYTES + undo.size() + UNDO_CHECKSUM_BYTES;
    const FlatFilePos frame_pos{file, m_sizes[file].rev};
    if (frame_pos.pos + add > 0xffffffffULL)
        return util::Unexpected("rev file " + std::to_string(file) + " is full");
    if (auto a = m_rev.Allocate(frame_pos, add); !a) return a.error();
    auto out = m_rev.Open(frame_pos, /*read_only=*/false);
    if (!out) return out.error();
    std::vector<uint8_t> record = Frame(m_options.magic, static_cast<uint32_t>(undo.size()));
    record.insert(record.end(), undo.begin(), undo.end());
    const consensus::Uint256 checksum = UndoChecksum(prev_block_hash, undo);
    record.insert(record.end(), checksum.begin(), checksum.end());
    if (auto w = out->WriteAt(frame_pos.pos, record); !w) return w.error();
    m_sizes[file].rev += static_cast<uint32_t>(add);
    m_dirty_rev.insert(file);
    return FlatFilePos{file, frame_pos.pos + STORAGE_HEADER_BYTES};
}

util::Expected<std::vector<uint8_t>>
BlockFiles::ReadUndo(const FlatFilePos& pos, const consensus::Uint256& prev_block_hash) const
{
    if (pos.IsNull() || pos.pos < STORAGE_HEADER_BYTES) {
        return util::Unexpected("Invalid undo position " + pos.ToString());
    }
    auto in = m_rev.Open(pos, /*read_only=*/true);
    if (!in) return in.error();
    auto size = ReadHeader(*in, pos, MAX_UNDO_RECORD_SIZE, "Undo");
    if (!size) return size.error();
    std::vector<uint8_t> bytes(static_cast<size_t>(*size) + UNDO_CHECKSUM_BYTES);
    if (auto r = in->ReadAt(pos.pos, bytes); !r) {
        return util::Unexpected("Cannot read undo data at " + pos.ToString() + ": " +
                                r.error().message);
    }
    const std::span<const uint8_t> undo{bytes.data(), *size};
    const consensus::Uint256 expected = UndoChecksum(prev_block_hash, undo);
    if (std::memcmp(expected.data(), bytes.data() + *size, UNDO_CHECKSUM_BYTES) != 0) {
        return util::Unexpected("Undo data checksum mismatch at " + pos.ToString() + " in " +
                                in->GetPath().string());
    }
    bytes.resize(*size);
    return bytes;
}

util::Expected<void> BlockFiles::Flush()
{
    for (auto it = m_dirty_blk.begin(); it != m_dirty_blk.end(); it = m_dirty_blk.erase(it)) {
        if (auto f = m_blk.Flush({*it, m_sizes[*it].blk}, /*finalize=*/false); !f) return f.error();
    }
    for (auto it = m_dirty_rev.begin(); it != m_dirty_rev.end(); it = m_dirty_rev.erase(it)) {
        if (auto f = m_rev.Flush({*it, m_sizes[*it].rev}, /*finalize=*/false); !f) return f.error();
    }
    return {};
}

util::Expected<void> BlockFiles::FlushUndoFile(int file, bool finalize)
{
    if (file < 0 || static_cast<size_t>(file) >= m_sizes.size()) {
        return util::Unexpected("No rev file " + std::to_string(file));
    }
    if (auto f = m_rev.Flush({file, m_sizes[file].rev}, finalize); !f) return f.error();
    m_dirty_rev.erase(file);
    return {};
}

} // namespace storage
