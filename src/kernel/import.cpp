// Reading blocks from blkNNNNN.dat-format files (-loadblock, -reindex) and
// the startup check of the last blocks (-checkblocks, -checklevel).
#include <kernel/chainstate.h>

#include <consensus/consensus_constants.h>
#include <consensus/serialize.h>
#include <util/logging.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string>

namespace kernel {

namespace {

// A block record found in a file: where its payload starts and how long it is.
struct Record
{
    uint64_t offset{0};
    uint32_t size{0};
};

// Finds every magic-framed record in a file. Garbage between records (such as
// the zero-filled tail of a pre-allocated file) is skipped byte by byte.
util::Expected<std::vector<Record>> ScanRecords(std::ifstream& in,
                                                const common::MessageStart& magic)
{
    std::vector<Record> records;
    in.seekg(0, std::ios::end);
    const auto end = static_cast<uint64_t>(in.tellg());
    in.seekg(0);
    uint64_t pos = 0;
    constexpr size_t CHUNK = 1 << 20;
    std::vector<uint8_t> buffer;
    // Read the whole file in chunks into a sliding buffer; records are at
    // most MAX_BLOCK_SERIALIZED_SIZE, so only headers need scanning.
    while (pos + 8 <= end) {
        uint8_t header[8];
        in.seekg(static_cast<std::streamoff>(pos));
        if (!in.read(reinterpret_cast<char*>(header), sizeof(header))) break;
        if (std::memcmp(header, magic.data(), magic.size()) != 0) {
            // Jump to the next possible start of the magic in a bigger read.
            buffer.resize(std::min<uint64_t>(CHUNK, end - pos));
            in.seekg(static_cast<std::streamoff>(pos));
            if (!in.read(reinterpret_cast<char*>(buffer.data()),
                         static_cast<std::streamsize>(buffer.size()))) {
                break;
            }
            size_t skip = 1;
            while (skip + magic.size() <= buffer.size() &&
                   std::memcmp(buffer.data() + skip, magic.data(), magic.size()) != 0) {
                ++skip;
            }
            if (skip + magic.size() > buffer.size()) skip = buffer.size() - magic.size() + 1;
            pos += skip;
            continue;
        }
        uint32_t size = 0;
        for (int i = 0; i < 4; ++i)
            size |= uint32_t{header[4 + i]} << (8 * i);
        if (size < consensus::Block::MIN_ENCODED_SIZE ||
            size > consensus::MAX_BLOCK_SERIALIZED_SIZE || pos + 8 + size > end) {
            pos += 1; // not a real record: keep looking right after this magic
            continue;
        }
        records.push_back({pos + 8, size});
        pos += 8 + size;
    }
    return records;
}

util::Expected<consensus::Block> ReadRecord(std::ifstream& in, const Record& record)
{
    std::vector<uint8_t> bytes(record.size);
    in.clear();
    in.seekg(static_cast<std::streamoff>(record.offset));
    if (!in.read(reinterpret_cast<char*>(bytes.data()), record.size)) {
        return util::Unexpected("short read");
    }
    return consensus::Decode<consensus::Block>(bytes);
}

} // namespace

util::Expected<ImportResult> ChainstateManager::ImportBlockFile(const std::filesystem::path& path)
{
    return ImportFile(path, -1);
}

util::Expected<ImportResult> ChainstateManager::ImportFile(const std::filesystem::path& path,
                                                           int file_number)
{
    std::ifstream in{path, std::ios::binary};
    if (!in) return util::Unexpected("Cannot open block file " + path.string());
    auto records = ScanRecords(in, Params().GetMessageStart());
    if (!records) return records.error();

    ImportResult result;
    const auto& genesis_hash = Params().GetConsensus().hash_genesis_block;
    // Blocks whose parent has not been seen yet, by parent hash.
    std::multimap<consensus::Uint256, Record> waiting;

    // Accepts one decoded block, then any that were waiting for it (read again
    // from the file: orphans are not kept in memory).
    const auto process = [&](consensus::Block first,
                             const Record& first_record) -> util::Expected<void> {
        std::optional<consensus::Block> block{std::move(first)};
        Record record = first_record;
        std::vector<Record> queue;
        while (block || !queue.empty()) {
            if (!block) {
                record = queue.back();
                queue.pop_back();
                auto decoded = ReadRecord(in, record);
                if (!decoded) continue; // counted when first seen
                block = std::move(*decoded);
            }
            const consensus::Uint256 hash = block->GetHash();
            const storage::FlatFilePos pos{file_number, static_cast<uint32_t>(record.offset)};
            if (hash == genesis_hash) {
                if (file_number >= 0 && !LookupBlockIndex(hash)) {
                    BlockIndex* index = AddToBlockIndex(block->header, hash);
                    ReceivedBlockTransactions(*block, index, pos);
                    ++result.blocks_accepted;
                }
                block.reset();
            } else {
                consensus::BlockValidationState state;
                bool new_block = false;
                auto shared = std::make_shared<const consensus::Block>(std::move(*block));
                block.reset();
                if (!AcceptBlock(shared, state, nullptr, file_number >= 0 ? &pos : nullptr,
                                 &new_block)) {
                    ++result.blocks_rejected;
                    if (m_log) {
                        m_log->Error("Block " + hash.GetHex() + " from " + path.string() +
                                     " rejected: " + state.ToString());
                    }
                    if (m_fatal_error) return *m_fatal_error;
                    continue;
                }
                if (new_block) ++result.blocks_accepted;
            }
            auto range = waiting.equal_range(hash);
            for (auto it = range.first; it != range.second; ++it)
                queue.push_back(it->second);
            waiting.erase(range.first, range.second);
        }
        return {};
    };

    for (const Record& record : *records) {
        if (Interrupted()) break;
        auto block = ReadRecord(in, record);
        if (!block) {
            if (m_log) {
                m_log->Warning("Skipping an undecodable block at offset " +
                               std::to_string(record.offset) + " of " + path.string() + ": " +
                               block.error().message);
            }
            continue;
        }
        ++result.blocks_read;
        result.data_end = std::max(result.data_end, record.offset + record.size);
        const consensus::Uint256& prev = block->header.prev_block;
        if (block->GetHash() != genesis_hash && !LookupBlockIndex(prev)) {
            waiting.emplace(prev, record);
            continue;
        }
        if (auto r = process(std::move(*block), record); !r) return r.error();
    }
    result.blocks_orphaned = waiting.size();
    if (m_log && !waiting.empty()) {
        m_log->Warning(std::to_string(waiting.size()) + " blocks in " + path.string() +
                       " have no known parent and were not imported");
    }
    if (auto r = FlushBlockIndex(); !r) return r.error();
    if (m_log) {
        m_log->Info("Loaded " + std::to_string(result.blocks_accepted) + " blocks from " +
                    path.string());
    }
    return result;
}

util::Expected<void> ChainstateManager::Reindex()
{
    if (m_log) m_log->Info("Reindexing block files...");
    std::vector<storage::FileSizes> sizes;
    int last_file = 0;
    for (int file = 0;; ++file) {
        const auto path = m_block_files->BlockFileName(file);
        if (!std::filesystem::exists(path)) break;
        if (m_log) m_log->Info("Reindexing block file " + path.filename().string() + "...");
        auto result = ImportFile(path, file);
        if (!result) return result.error();
        if (Interrupted()) {
            // The 'R' flag stays: the next start resumes the reindex.
            if (m_log) m_log->Info("Reindex interrupted; it resumes at the next start");
            return FlushBlockIndex();
        }
        last_file = file;
        // New blocks go after the last record; a pre-allocated tail is overwritten.
        sizes.push_back({static_cast<uint32_t>(result->data_end), 0});
    }
    if (sizes.empty()) sizes.emplace_back();
    m_file_info.assign(last_file + 1, storage::BlockFileInfo{});
    for (int file = 0; file <= last_file; ++file)
        m_file_info[file].size = sizes[file].blk;
    for (const auto& [hash, entry] : m_index) {
        if (!entry->HaveData()) continue;
        m_file_info[entry->file].AddBlock(static_cast<uint32_t>(entry->height), entry->time);
        // Undo data is rebuilt as blocks reconnect.
        entry->status &= ~uint32_t{storage::BLOCK_HAVE_UNDO};
        entry->undo_pos = 0;
        if ((entry->status & storage::BLOCK_VALID_MASK) > storage::BLOCK_VALID_TRANSACTIONS) {
            entry->status = (entry->status & ~uint32_t{storage::BLOCK_VALID_MASK}) |
                            storage::BLOCK_VALID_TRANSACTIONS;
        }
        SetDirty(entry.get());
    }
    for (int file = 0; file <= last_file; ++file) {
        // Old undo files describe the old connection order; start them afresh.
        std::error_code ec;
        std::filesystem::remove(m_block_files->UndoFileName(file), ec);
        m_dirty_files.insert(file);
    }
    m_block_files = MakeBlockFiles(std::move(sizes), last_file);
    if (auto r = FlushBlockIndex(); !r) return r;
    if (auto r = m_block_tree->WriteReindexing(false); !r) return r;
    if (m_log) m_log->Info("Reindexing finished");
    return {};
}

util::Expected<void> ChainstateManager::VerifyDB(int level, int depth)
{
    const BlockIndex* tip = m_chain.Tip();
    if (!tip || tip->height == 0) return {};
    level = std::clamp(level, 0, 4);
    if (depth <= 0 || depth > tip->height) depth = tip->height;
    if (m_log) {
        m_log->Info("Verifying last " + std::to_string(depth) + " blocks at level " +
                    std::to_string(level));
    }
    const auto fail = [](const BlockIndex* index, const std::string& what) {
        return util::Unexpected("Corrupted block database detected at height " +
                                std::to_string(index->height) + " (" + index->hash.GetHex() +
                                "): " + what + ". Restart with -reindex to rebuild it.");
    };
    CoinsCache view{*m_coins};
    const BlockIndex* disconnected_to = tip;
    bool disconnect = level >= 3;
    for (const BlockIndex* index = tip; index->height > tip->height - depth && index->prev;
         index = index->prev) {
        if (Interrupted()) return {};
        auto block = ReadBlock(*index);
        if (!block) return fail(index, block.error().message);
        consensus::BlockValidationState state;
        if (level >= 1 && !consensus::CheckBlock(*block, state, Params().GetConsensus())) {
            return fail(index, "bad block, " + state.ToString());
        }
        if (level >= 2) {
            auto undo = ReadUndo(*index);
            if (!undo) return fail(index, undo.error().message);
        }
        // Keep disconnecting only while the cache stays within the -dbcache budget.
        if (disconnect && view.DynamicMemoryUsage() + m_coins->DynamicMemoryUsage() >
                              m_options.coins_cache_bytes) {
            disconnect = false;
            if (m_log) {
                m_log->Info("Verification: the coins cache is full; blocks from height " +
                            std::to_string(index->height) +
                            " down are checked without disconnecting (a larger -dbcache goes "
                            "deeper)");
            }
        }
        if (disconnect) {
            auto result = DisconnectBlock(*block, index, view);
            if (!result) return fail(index, result.error().message);
            if (*result != DisconnectResult::OK) {
                return fail(index, "the undo data does not restore the UTXO set cleanly");
            }
            disconnected_to = index->prev;
        }
    }
    if (level >= 4) {
        for (int height = disconnected_to->height + 1; height <= tip->height; ++height) {
            if (Interrupted()) return {};
            BlockIndex* index = m_chain[height];
            auto block = ReadBlock(*index);
            if (!block) return fail(index, block.error().message);
            consensus::BlockValidationState state;
            auto ok = ConnectBlock(*block, state, index, view, true);
            if (!ok) return fail(index, ok.error().message);
            if (!*ok) return fail(index, "block does not reconnect, " + state.ToString());
        }
    }
    view.Reset();
    if (m_log) m_log->Info("Verification: No coin database inconsistencies in last blocks");
    return {};
}

} // namespace kernel
