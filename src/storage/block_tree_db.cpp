#include <storage/block_tree_db.h>

#include <storage/layout.h>

#include <limits>
#include <optional>
#include <string>
#include <utility>

namespace storage {

namespace {

using consensus::DecodeError;

uint64_t NeedVarInt(std::span<const uint8_t> in, size_t& pos, const char* what)
{
    const auto v = layout::ReadVarInt(in, pos);
    if (!v) throw DecodeError(std::string{"truncated or oversized VARINT ("} + what + ")");
    return *v;
}

/// A VARINT read into a type of at most `max`, as Core's reader refuses larger ones.
uint64_t NeedVarIntMax(std::span<const uint8_t> in, size_t& pos, uint64_t max, const char* what)
{
    const uint64_t v = NeedVarInt(in, pos, what);
    if (v > max) throw DecodeError(std::string{"VARINT out of range ("} + what + ")");
    return v;
}

constexpr uint64_t INT_LIMIT = std::numeric_limits<int>::max();
constexpr uint64_t U32_LIMIT = std::numeric_limits<uint32_t>::max();

/// Core writes these ints in VarIntMode::NONNEGATIVE_SIGNED; negatives are a caller bug.
uint64_t NonNegative(int v)
{
    return v < 0 ? 0 : static_cast<uint64_t>(v);
}

util::Error CorruptRecord(const Database& db, const std::string& what)
{
    return util::Error{std::string{CORRUPTION_PREFIX} + " in " + db.GetPath().string() + ": " +
                       what};
}

util::Expected<void> WriteSynced(Database& db, ByteView key, std::optional<uint8_t> value)
{
    Batch batch{db};
    if (value) {
        const uint8_t byte = *value;
        batch.Put(key, ByteView{&byte, 1});
    } else {
        batch.Delete(key);
    }
    return db.Write(batch, /*sync=*/true);
}

} // namespace

void BlockFileInfo::AddBlock(uint32_t height, uint64_t time)
{
    if (blocks == 0 || height < height_first) height_first = height;
    if (blocks == 0 || time < time_first) time_first = time;
    ++blocks;
    if (height > height_last) height_last = height;
    if (time > time_last) time_last = time;
}

std::vector<uint8_t> EncodeDiskBlockIndex(const DiskBlockIndex& index, int client_version)
{
    std::vector<uint8_t> out;
    layout::AppendVarInt(out, NonNegative(client_version));
    layout::AppendVarInt(out, NonNegative(index.height));
    layout::AppendVarInt(out, index.status);
    layout::AppendVarInt(out, index.tx_count);
    if ((index.status & BLOCK_HAVE_MASK) != 0) layout::AppendVarInt(out, NonNegative(index.file));
    if ((index.status & BLOCK_HAVE_DATA) != 0) layout::AppendVarInt(out, index.data_pos);
    if ((index.status & BLOCK_HAVE_UNDO) != 0) layout::AppendVarInt(out, index.undo_pos);
    consensus::Writer w{out};
    w.Put(index.header);
    return out;
}

util::Expected<DiskBlockIndex> DecodeDiskBlockIndex(std::span<const uint8_t> value)
{
    try {
        size_t pos = 0;
        DiskBlockIndex index;
        (void)NeedVarIntMax(value, pos, INT_LIMIT, "client version");
        index.height = static_cast<int>(NeedVarIntMax(value, pos, INT_LIMIT, "height"));
        index.status = static_cast<uint32_t>(NeedVarIntMax(value, pos, U32_LIMIT, "status"));
        index.tx_count = static_cast<uint32_t>(NeedVarIntMax(value, pos, U32_LIMIT, "tx count"));
        if ((index.status & BLOCK_HAVE_MASK) != 0) {
            index.file = static_cast<int>(NeedVarIntMax(value, pos, INT_LIMIT, "file"));
        }
        if ((index.status & BLOCK_HAVE_DATA) != 0) {
            index.data_pos =
                static_cast<uint32_t>(NeedVarIntMax(value, pos, U32_LIMIT, "data pos"));
        }
        if ((index.status & BLOCK_HAVE_UNDO) != 0) {
            index.undo_pos =
                static_cast<uint32_t>(NeedVarIntMax(value, pos, U32_LIMIT, "undo pos"));
        }
        auto header = consensus::Decode<consensus::BlockHeader>(value.subspan(pos));
        if (!header) {
            return util::Unexpected("Cannot decode block index entry: header: " +
                                    header.error().message);
        }
        index.header = *header;
        return index;
    } catch (const DecodeError& e) {
        return util::Unexpected(std::string{"Cannot decode block index entry: "} + e.what());
    }
}

std::vector<uint8_t> EncodeBlockFileInfo(const BlockFileInfo& info)
{
    std::vector<uint8_t> out;
    for (const uint64_t v : {uint64_t{info.blocks}, uint64_t{info.size}, uint64_t{info.undo_size},
                             uint64_t{info.height_first}, uint64_t{info.height_last},
                             info.time_first, info.time_last}) {
        layout::AppendVarInt(out, v);
    }
    return out;
}

util::Expected<BlockFileInfo> DecodeBlockFileInfo(std::span<const uint8_t> value)
{
    try {
        size_t pos = 0;
        BlockFileInfo info;
        const auto u32 = [&](const char* what) {
            return static_cast<uint32_t>(NeedVarIntMax(value, pos, U32_LIMIT, what));
        };
        info.blocks = u32("blocks");
        info.size = u32("size");
        info.undo_size = u32("undo size");
        info.height_first = u32("first height");
        info.height_last = u32("last height");
        info.time_first = NeedVarInt(value, pos, "first time");
        info.time_last = NeedVarInt(value, pos, "last time");
        if (pos != value.size())
            return util::Unexpected("Cannot decode block file info: trailing bytes");
        return info;
    } catch (const DecodeError& e) {
        return util::Unexpected(std::string{"Cannot decode block file info: "} + e.what());
    }
}

BlockTreeDB::BlockTreeDB(std::unique_ptr<Database> db) : m_db{std::move(db)} {}

util::Expected<std::unique_ptr<BlockTreeDB>> BlockTreeDB::Open(const BlockTreeDBOptions& options)
{
    DatabaseOptions db_options;
    db_options.path = options.path;
    db_options.cache_bytes = options.cache_bytes;
    db_options.wipe = options.wipe;
    db_options.obfuscate = false; // Core leaves the block index in clear
    db_options.logger = options.logger;
    auto db = Database::Open(db_options);
    if (!db) return db.error();
    return std::unique_ptr<BlockTreeDB>{new BlockTreeDB(std::move(db).value())};
}

util::Expected<void>
BlockTreeDB::WriteBatchSync(std::span<const std::pair<int, BlockFileInfo>> files, int last_file,
                            std::span<const DiskBlockIndex> blocks, int client_version)
{
    Batch batch{*m_db};
    for (const auto& [file, info] : files)
        batch.Put(layout::BlockFileInfoKey(file), EncodeBlockFileInfo(info));
    batch.PutValue(layout::LastBlockFileKey(), int32_t{last_file});
    for (const DiskBlockIndex& index : blocks) {
        batch.Put(layout::BlockIndexKey(index.header.GetHash()),
                  EncodeDiskBlockIndex(index, client_version));
    }
    return m_db->Write(batch, /*sync=*/true);
}

util::Expected<void> BlockTreeDB::LoadBlockIndex(
    const std::function<bool(const consensus::Uint256& hash, const DiskBlockIndex&)>& visit) const
{
    auto it = m_db->NewIterator();
    const layout::Key prefix = layout::Prefix(layout::DB_BLOCK_INDEX);
    for (it->Seek(prefix); it->ValidWithPrefix(prefix); it->Next()) {
        const ByteView key = it->Key();
        if (key.size() != 1 + consensus::Uint256::SIZE) {
            return CorruptRecord(*m_db,
                                 "block index key of " + std::to_string(key.size()) + " bytes");
        }
        const consensus::Uint256 hash{key.subspan(1)};
        const Bytes value = it->Value();
        auto index = DecodeDiskBlockIndex(value);
        if (!index) {
            return CorruptRecord(*m_db, "block " + hash.GetHex() + ": " + index.error().message);
        }
        const consensus::Uint256 actual = index->header.GetHash();
        if (actual != hash) {
            return CorruptRecord(*m_db, "block index entry " + hash.GetHex() +
                                            " holds the header of block " + actual.GetHex());
        }
        if (!visit(hash, *index)) return {};
    }
    return it->Status();
}

util::Expected<std::optional<BlockFileInfo>> BlockTreeDB::ReadBlockFileInfo(int file) const
{
    auto raw = m_db->Read(layout::BlockFileInfoKey(file));
    if (!raw) return raw.error();
    if (!raw->has_value()) return std::optional<BlockFileInfo>{};
    auto info = DecodeBlockFileInfo(**raw);
    if (!info) {
        return CorruptRecord(*m_db,
                             "file info " + std::to_string(file) + ": " + info.error().message);
    }
    return std::optional<BlockFileInfo>{*info};
}

util::Expected<std::optional<int>> BlockTreeDB::ReadLastBlockFile() const
{
    auto last = m_db->ReadValue<int32_t>(layout::LastBlockFileKey());
    if (!last) return last.error();
    if (!last->has_value()) return std::optional<int>{};
    return std::optional<int>{**last};
}

util::Expected<void> BlockTreeDB::WriteReindexing(bool reindexing)
{
    return WriteSynced(*m_db, layout::ReindexFlagKey(),
                       reindexing ? std::optional<uint8_t>{layout::FLAG_TRUE} : std::nullopt);
}

util::Expected<bool> BlockTreeDB::ReadReindexing() const
{
    return m_db->Exists(layout::ReindexFlagKey());
}

util::Expected<void> BlockTreeDB::WriteFlag(std::string_view name, bool value)
{
    return WriteSynced(*m_db, layout::FlagKey(name),
                       value ? layout::FLAG_TRUE : layout::FLAG_FALSE);
}

util::Expected<std::optional<bool>> BlockTreeDB::ReadFlag(std::string_view name) const
{
    auto raw = m_db->Read(layout::FlagKey(name));
    if (!raw) return raw.error();
    if (!raw->has_value()) return std::optional<bool>{};
    const Bytes& v = **raw;
    if (v.size() != 1 || (v[0] != layout::FLAG_TRUE && v[0] != layout::FLAG_FALSE)) {
        return CorruptRecord(*m_db, "flag " + std::string{name} + " has an invalid value");
    }
    return std::optional<bool>{v[0] == layout::FLAG_TRUE};
}

} // namespace storage
