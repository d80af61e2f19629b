#include <wallet/walletdb.h>

#include <consensus/hash.h>
#include <consensus/serialize.h>
#include <storage/dbwrapper.h>
#include <util/fs.h>
#include <util/strings.h>
#include <wallet/spkm.h>

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

namespace wallet {

namespace {

using Bytes = std::vector<uint8_t>;

// Record type bytes (walletdb.h documents the layout).
constexpr uint8_t REC_VERSION{'v'};
constexpr uint8_t REC_FLAGS{'f'};
constexpr uint8_t REC_DESCRIPTOR{'d'};
constexpr uint8_t REC_CLEAR_KEY{'k'};
constexpr uint8_t REC_CRYPTED_KEY{'c'};
constexpr uint8_t REC_MASTER_KEY{'m'};
constexpr uint8_t REC_ACTIVE{'a'};
constexpr uint8_t REC_TX{'t'};
constexpr uint8_t REC_ADDRESS_BOOK{'n'};
constexpr uint8_t REC_LOCKED_COIN{'l'};
constexpr uint8_t REC_BEST_BLOCK{'b'};
constexpr uint8_t REC_ORDER_POS{'o'};
constexpr uint8_t REC_PURGE_PENDING{'p'};

// The backup file: magic, format version, record count, records, SHA-256 of all before it.
constexpr std::array<uint8_t, 22> BACKUP_MAGIC{'m', 'i', 'n', 'i', 'b', 'i', 't', ' ',
                                               'w', 'a', 'l', 'l', 'e', 't', ' ', 'b',
                                               'a', 'c', 'k', 'u', 'p', '\0'};
constexpr uint32_t BACKUP_FORMAT_VERSION{1};
constexpr size_t CHECKSUM_SIZE{32};

// Highest OutputType value that may appear in an 'a' key.
constexpr uint8_t MAX_OUTPUT_TYPE{static_cast<uint8_t>(OutputType::BECH32M)};

Bytes Key(uint8_t type)
{
    return Bytes{type};
}

Bytes Key(uint8_t type, std::span<const uint8_t> rest)
{
    Bytes key;
    key.reserve(1 + rest.size());
    key.push_back(type);
    key.insert(key.end(), rest.begin(), rest.end());
    return key;
}

Bytes MasterKeyKey(uint32_t id)
{
    return Bytes{REC_MASTER_KEY, static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16),
                 static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)};
}

Bytes ActiveKey(OutputType type, bool internal)
{
    return Bytes{REC_ACTIVE, static_cast<uint8_t>(type), static_cast<uint8_t>(internal ? 1 : 0)};
}

void WriteString(consensus::Writer& w, std::string_view s)
{
    consensus::WriteCompactSize(w, s.size());
    w.WriteBytes(std::span{reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

std::string ReadString(consensus::Reader& r)
{
    const size_t n = consensus::ReadCount(r, 1);
    const auto bytes = r.ReadBytes(n);
    return std::string{bytes.begin(), bytes.end()};
}

// Runs `read` over all of `bytes`; truncation, malformation and trailing bytes are errors.
template <class T, class F>
util::Expected<T> DecodeStrict(std::span<const uint8_t> bytes, F read)
{
    try {
        consensus::Reader r{bytes};
        T value = read(r);
        if (!r.Empty()) return util::Unexpected("trailing bytes after data");
        return value;
    } catch (const consensus::DecodeError& e) {
        return util::Unexpected(e.what());
    }
}

Bytes EncodeDescriptorRecord(const DescriptorRecord& record)
{
    Bytes out;
    consensus::Writer w{out};
    WriteString(w, record.descriptor);
    w(record.creation_time, record.range_start, record.range_end, record.next_index,
      record.has_private);
    return out;
}

util::Expected<DescriptorRecord> DecodeDescriptorRecord(std::span<const uint8_t> bytes)
{
    return DecodeStrict<DescriptorRecord>(bytes, [](consensus::Reader& r) {
        DescriptorRecord record;
        record.descriptor = ReadString(r);
        r(record.creation_time, record.range_start, record.range_end, record.next_index,
          record.has_private);
        return record;
    });
}

Bytes EncodeAddressBook(const AddressBookEntry& entry)
{
    Bytes out;
    consensus::Writer w{out};
    WriteString(w, entry.label);
    WriteString(w, entry.purpose);
    return out;
}

util::Expected<AddressBookEntry> DecodeAddressBook(std::span<const uint8_t> bytes)
{
    return DecodeStrict<AddressBookEntry>(bytes, [](consensus::Reader& r) {
        AddressBookEntry entry;
        entry.label = ReadString(r);
        entry.purpose = ReadString(r);
        return entry;
    });
}

Bytes EncodeBestBlock(const BestBlock& best)
{
    Bytes out;
    consensus::Writer w{out};
    w(best.hash, static_cast<int32_t>(best.height));
    return out;
}

util::Expected<BestBlock> DecodeBestBlock(std::span<const uint8_t> bytes)
{
    return DecodeStrict<BestBlock>(bytes, [](consensus::Reader& r) {
        BestBlock best;
        int32_t height{0};
        r(best.hash, height);
        best.height = height;
        return best;
    });
}

util::Expected<Bytes> DecodeByteString(std::span<const uint8_t> bytes)
{
    return DecodeStrict<Bytes>(bytes, [](consensus::Reader& r) {
        Bytes out;
        r(out);
        return out;
    });
}

template <class T>
util::Expected<T> DecodeInt(std::span<const uint8_t> bytes)
{
    return DecodeStrict<T>(bytes, [](consensus::Reader& r) { return consensus::ReadLE<T>(r); });
}

std::string Hex(std::span<const uint8_t> bytes)
{
    return util::HexStr(bytes);
}

util::Error Corrupt(std::string_view what, std::span<const uint8_t> key, const std::string& why)
{
    return util::Error{"Wallet corrupted: bad " + std::string{what} + " record (key " + Hex(key) +
                       "): " + why};
}

// Decodes one record into `data`. Every key's length is checked as well as its value, so a
// record that a later reader would misinterpret is caught here.
util::Expected<void> DecodeRecord(std::span<const uint8_t> key, std::span<const uint8_t> value,
                                  WalletData& data, bool& saw_version)
{
    if (key.empty()) return util::Unexpected("Wallet corrupted: record with an empty key");
    const uint8_t type = key[0];
    const auto rest = key.subspan(1);
    const auto id32 = [&]() { return consensus::Uint256{rest}; };
    switch (type) {
    case REC_VERSION: {
        if (!rest.empty()) return Corrupt("version", key, "unexpected key length");
        auto v = DecodeInt<uint32_t>(value);
        if (!v) return Corrupt("version", key, v.error().message);
        if (*v > WALLET_DB_VERSION) {
            return util::Unexpected(
                "Wallet requires a newer version of minibit: database version " +
                std::to_string(*v) + ", this version reads up to " +
                std::to_string(WALLET_DB_VERSION));
        }
        data.version = *v;
        saw_version = true;
        return {};
    }
    case REC_FLAGS: {
        if (!rest.empty()) return Corrupt("flags", key, "unexpected key length");
        auto v = DecodeInt<uint64_t>(value);
        if (!v) return Corrupt("flags", key, v.error().message);
        data.flags = *v;
        return {};
    }
    case REC_DESCRIPTOR: {
        if (rest.size() != 32) return Corrupt("descriptor", key, "unexpected key length");
        auto record = DecodeDescriptorRecord(value);
        if (!record) return Corrupt("descriptor", key, record.error().message);
        if (DescriptorId(record->descriptor) != id32()) {
            return Corrupt("descriptor", key, "id does not match the descriptor text");
        }
        data.descriptors.insert_or_assign(id32(), std::move(*record));
        return {};
    }
    case REC_CLEAR_KEY: {
        if (rest.size() != 32) return Corrupt("private descriptor", key, "unexpected key length");
        auto text = DecodeByteString(value);
        if (!text) return Corrupt("private descriptor", key, text.error().message);
        data.clear_keys.insert_or_assign(id32(), SecureBytes{*text});
        OPENSSL_cleanse(text->data(), text->size());
        return {};
    }
    case REC_CRYPTED_KEY: {
        if (rest.size() != 32) {
            return Corrupt("encrypted private descriptor", key, "unexpected key length");
        }
        auto ct = DecodeByteString(value);
        if (!ct) return Corrupt("encrypted private descriptor", key, ct.error().message);
        data.crypted_keys.insert_or_assign(id32(), std::move(*ct));
        return {};
    }
    case REC_MASTER_KEY: {
        if (rest.size() != 4) return Corrupt("master key", key, "unexpected key length");
        auto record = DeserializeMasterKey(value);
        if (!record) return Corrupt("master key", key, record.error().message);
        const uint32_t id = (uint32_t{rest[0]} << 24) | (uint32_t{rest[1]} << 16) |
                            (uint32_t{rest[2]} << 8) | uint32_t{rest[3]};
        data.master_keys.insert_or_assign(id, std::move(*record));
        return {};
    }
    case REC_ACTIVE: {
        if (rest.size() != 2 || rest[0] > MAX_OUTPUT_TYPE || rest[1] > 1) {
            return Corrupt("active descriptor", key, "unknown output type or role");
        }
        if (value.size() != 32) return Corrupt("active descriptor", key, "id is not 32 bytes");
        data.active.insert_or_assign({static_cast<OutputType>(rest[0]), rest[1] == 1},
                                     consensus::Uint256{value});
        return {};
    }
    case REC_TX: {
        if (rest.size() != 32) return Corrupt("transaction", key, "unexpected key length");
        auto wtx = DeserializeWalletTx(value);
        if (!wtx) return Corrupt("transaction", key, wtx.error().message);
        if (wtx->Txid() != id32()) {
            return Corrupt("transaction", key, "txid does not match the transaction");
        }
        data.txs.insert_or_assign(id32(), std::move(*wtx));
        return {};
    }
    case REC_ADDRESS_BOOK: {
        auto entry = DecodeAddressBook(value);
        if (!entry) return Corrupt("address book", key, entry.error().message);
        data.address_book.insert_or_assign(std::string{rest.begin(), rest.end()},
                                           std::move(*entry));
        return {};
    }
    case REC_LOCKED_COIN: {
        if (rest.size() != consensus::OutPoint::SIZE || !value.empty()) {
            return Corrupt("locked coin", key, "unexpected key or value length");
        }
        auto outpoint = consensus::Decode<consensus::OutPoint>(rest);
        if (!outpoint) return Corrupt("locked coin", key, outpoint.error().message);
        data.locked_coins.insert(*outpoint);
        return {};
    }
    case REC_BEST_BLOCK: {
        if (!rest.empty()) return Corrupt("best block", key, "unexpected key length");
        auto best = DecodeBestBlock(value);
        if (!best) return Corrupt("best block", key, best.error().message);
        data.best_block = *best;
        return {};
    }
    case REC_ORDER_POS: {
        if (!rest.empty()) return Corrupt("order position", key, "unexpected key length");
        auto v = DecodeInt<int64_t>(value);
        if (!v) return Corrupt("order position", key, v.error().message);
        data.order_pos_next = *v;
        return {};
    }
    case REC_PURGE_PENDING:
        // Open has already compacted; the mark carries no data.
        if (!rest.empty() || !value.empty()) {
            return Corrupt("purge mark", key, "unexpected key or value length");
        }
        return {};
    default:
        return util::Unexpected("Wallet corrupted: unknown record type (key " + Hex(key) + ")");
    }
}

// Every record of `db` in key order, values de-obfuscated.
util::Expected<std::vector<std::pair<Bytes, Bytes>>> ReadAll(const storage::Database& db)
{
    std::vector<std::pair<Bytes, Bytes>> records;
    auto it = db.NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const auto key = it->Key();
        records.emplace_back(Bytes{key.begin(), key.end()}, it->Value());
    }
    if (auto st = it->Status(); !st) return st.error();
    return records;
}

// True if `dir` holds a LevelDB database (its CURRENT file names the live manifest).
bool HoldsDatabase(const std::filesystem::path& dir)
{
    std::error_code ec;
    return std::filesystem::exists(dir / "CURRENT", ec);
}

storage::DatabaseOptions WalletDbOptions(const std::filesystem::path& dir)
{
    storage::DatabaseOptions options;
    options.path = dir;
    // Wallets are small; a large cache would only waste memory per loaded wallet.
    options.cache_bytes = 1 << 20;
    options.sync_writes = true;
    return options;
}

util::Expected<WalletData> LoadRecords(const std::vector<std::pair<Bytes, Bytes>>& records)
{
    WalletData data;
    bool saw_version{false};
    for (const auto& [key, value] : records) {
        if (auto ok = DecodeRecord(key, value, data, saw_version); !ok) return ok.error();
    }
    if (!saw_version) return util::Unexpected("Wallet corrupted: no version record");
    return data;
}

void WipeRecords(std::vector<std::pair<Bytes, Bytes>>& records)
{
    for (auto& [key, value] : records)
        OPENSSL_cleanse(value.data(), value.size());
}

} // namespace

// ---- WalletTx ----------------------------------------------------------------------

std::vector<uint8_t> SerializeWalletTx(const WalletTx& wtx)
{
    Bytes out;
    consensus::Writer w{out};
    consensus::SerializeTransactionRef(w, wtx.tx);
    w(static_cast<uint8_t>(wtx.state.kind), wtx.state.block_hash,
      static_cast<int32_t>(wtx.state.block_height), static_cast<int32_t>(wtx.state.index_in_block),
      wtx.state.abandoned);
    w(wtx.time_received, wtx.time_smart, wtx.order_pos, wtx.from_me);
    consensus::WriteCompactSize(w, wtx.map_value.size());
    for (const auto& [k, v] : wtx.map_value) {
        WriteString(w, k);
        WriteString(w, v);
    }
    return out;
}

util::Expected<WalletTx> DeserializeWalletTx(std::span<const uint8_t> bytes)
{
    return DecodeStrict<WalletTx>(bytes, [](consensus::Reader& r) {
        WalletTx wtx;
        consensus::UnserializeTransactionRef(r, wtx.tx);
        uint8_t kind{0};
        int32_t height{0};
        int32_t index{0};
        r(kind, wtx.state.block_hash, height, index, wtx.state.abandoned);
        if (kind > static_cast<uint8_t>(TxState::Kind::BLOCK_CONFLICTED)) {
            throw consensus::DecodeError("unknown transaction state");
        }
        wtx.state.kind = static_cast<TxState::Kind>(kind);
        wtx.state.block_height = height;
        wtx.state.index_in_block = index;
        r(wtx.time_received, wtx.time_smart, wtx.order_pos, wtx.from_me);
        // Each entry takes at least two length bytes.
        const size_t n = consensus::ReadCount(r, 2);
        for (size_t i = 0; i < n; ++i) {
            std::string k = ReadString(r);
            std::string v = ReadString(r);
            if (!wtx.map_value.emplace(std::move(k), std::move(v)).second) {
                throw consensus::DecodeError("duplicate map_value key");
            }
        }
        return wtx;
    });
}

// ---- WalletBatch -------------------------------------------------------------------

WalletBatch::WalletBatch() = default;

WalletBatch::~WalletBatch()
{
    // Clear private descriptors pass through here; leave no copy behind.
    for (auto& [key, value] : m_ops) {
        if (value) OPENSSL_cleanse(value->data(), value->size());
    }
}

WalletBatch::WalletBatch(WalletBatch&&) noexcept = default;

WalletBatch& WalletBatch::operator=(WalletBatch&& other) noexcept
{
    if (this != &other) {
        for (auto& [key, value] : m_ops) {
            if (value) OPENSSL_cleanse(value->data(), value->size());
        }
        m_ops = std::move(other.m_ops);
    }
    return *this;
}

void WalletBatch::WriteVersion(uint32_t version)
{
    m_ops.emplace_back(Key(REC_VERSION), consensus::Encode(version));
}

void WalletBatch::WriteFlags(uint64_t flags)
{
    m_ops.emplace_back(Key(REC_FLAGS), consensus::Encode(flags));
}

void WalletBatch::WriteDescriptor(const consensus::Uint256& id, const DescriptorRecord& record)
{
    m_ops.emplace_back(Key(REC_DESCRIPTOR, id.span()), EncodeDescriptorRecord(record));
}

void WalletBatch::EraseDescriptor(const consensus::Uint256& id)
{
    m_ops.emplace_back(Key(REC_DESCRIPTOR, id.span()), std::nullopt);
}

void WalletBatch::WriteClearKey(const consensus::Uint256& id, std::span<const uint8_t> private_text)
{
    Bytes value;
    // Reserve first so the secret is never left behind in a reallocated buffer.
    value.reserve(consensus::CompactSizeLen(private_text.size()) + private_text.size());
    consensus::Writer w{value};
    consensus::WriteCompactSize(w, private_text.size());
    w.WriteBytes(private_text);
    m_ops.emplace_back(Key(REC_CLEAR_KEY, id.span()), std::move(value));
}

void WalletBatch::EraseClearKey(const consensus::Uint256& id)
{
    m_ops.emplace_back(Key(REC_CLEAR_KEY, id.span()), std::nullopt);
}

void WalletBatch::WriteCryptedKey(const consensus::Uint256& id, std::span<const uint8_t> ciphertext)
{
    m_ops.emplace_back(Key(REC_CRYPTED_KEY, id.span()),
                       consensus::Encode(Bytes{ciphertext.begin(), ciphertext.end()}));
}

void WalletBatch::EraseCryptedKey(const consensus::Uint256& id)
{
    m_ops.emplace_back(Key(REC_CRYPTED_KEY, id.span()), std::nullopt);
}

void WalletBatch::WriteMasterKey(uint32_t id, const MasterKeyRecord& record)
{
    m_ops.emplace_back(MasterKeyKey(id), SerializeMasterKey(record));
}

void WalletBatch::WriteActiveDescriptor(OutputType type, bool internal,
                                        const consensus::Uint256& id)
{
    m_ops.emplace_back(ActiveKey(type, internal), Bytes{id.begin(), id.end()});
}

void WalletBatch::EraseActiveDescriptor(OutputType type, bool internal)
{
    m_ops.emplace_back(ActiveKey(type, internal), std::nullopt);
}

void WalletBatch::WriteTx(const WalletTx& wtx)
{
    m_ops.emplace_back(Key(REC_TX, wtx.Txid().span()), SerializeWalletTx(wtx));
}

void WalletBatch::EraseTx(const consensus::Uint256& txid)
{
    m_ops.emplace_back(Key(REC_TX, txid.span()), std::nullopt);
}

void WalletBatch::WriteAddressBook(const std::string& address, const AddressBookEntry& entry)
{
    m_ops.emplace_back(
        Key(REC_ADDRESS_BOOK,
            std::span{reinterpret_cast<const uint8_t*>(address.data()), address.size()}),
        EncodeAddressBook(entry));
}

void WalletBatch::EraseAddressBook(const std::string& address)
{
    m_ops.emplace_back(
        Key(REC_ADDRESS_BOOK,
            std::span{reinterpret_cast<const uint8_t*>(address.data()), address.size()}),
        std::nullopt);
}

void WalletBatch::WriteLockedCoin(const consensus::OutPoint& outpoint)
{
    m_ops.emplace_back(Key(REC_LOCKED_COIN, consensus::Encode(outpoint)), Bytes{});
}

void WalletBatch::EraseLockedCoin(const consensus::OutPoint& outpoint)
{
    m_ops.emplace_back(Key(REC_LOCKED_COIN, consensus::Encode(outpoint)), std::nullopt);
}

void WalletBatch::WriteBestBlock(const BestBlock& best)
{
    m_ops.emplace_back(Key(REC_BEST_BLOCK), EncodeBestBlock(best));
}

void WalletBatch::WriteOrderPosNext(int64_t next)
{
    m_ops.emplace_back(Key(REC_ORDER_POS), consensus::Encode(next));
}

void WalletBatch::WritePurgePending()
{
    m_ops.emplace_back(Key(REC_PURGE_PENDING), Bytes{});
}

bool WalletBatch::Empty() const
{
    return m_ops.empty();
}

// ---- WalletDatabase ----------------------------------------------------------------

WalletDatabase::WalletDatabase(std::unique_ptr<storage::Database> db, std::filesystem::path dir)
    : m_db{std::move(db)}, m_dir{std::move(dir)}
{}

WalletDatabase::~WalletDatabase() = default;

util::Expected<std::unique_ptr<WalletDatabase>>
WalletDatabase::Open(const std::filesystem::path& dir, bool create)
{
    std::error_code ec;
    const bool exists = std::filesystem::exists(dir, ec);
    if (create) {
        if (exists && HoldsDatabase(dir)) {
            return util::Unexpected("Failed to create database path '" + dir.string() +
                                    "'. Database already exists.");
        }
    } else {
        if (!exists) {
            return util::Unexpected("Failed to load database path '" + dir.string() +
                                    "'. Path does not exist.");
        }
        // Opening would silently create an empty database in any directory.
        if (!HoldsDatabase(dir)) {
            return util::Unexpected("Failed to load database path '" + dir.string() +
                                    "'. Data is not in recognized format.");
        }
    }
    auto db = storage::Database::Open(WalletDbOptions(dir));
    if (!db) return db.error();
    if (create) {
        // A new database states its version at once, so Load can always tell what it reads.
        if (auto ok = (*db)->WriteValue(Key(REC_VERSION), WALLET_DB_VERSION); !ok) {
            return ok.error();
        }
    }
    std::unique_ptr<WalletDatabase> wallet_db{new WalletDatabase(std::move(*db), dir)};
    // A crash between a secret-erasing commit and the end of its compaction left the erased
    // values in the files: finish the job before anything else reads them.
    auto pending = wallet_db->m_db->Exists(Key(REC_PURGE_PENDING));
    if (!pending) return pending.error();
    if (*pending) wallet_db->Compact();
    return wallet_db;
}

util::Expected<WalletData> WalletDatabase::Load() const
{
    auto records = ReadAll(*m_db);
    if (!records) return records.error();
    auto data = LoadRecords(*records);
    WipeRecords(*records);
    return data;
}

util::Expected<void> WalletDatabase::Commit(const WalletBatch& batch)
{
    storage::Batch db_batch{*m_db};
    for (const auto& [key, value] : batch.m_ops) {
        if (value) {
            db_batch.Put(key, *value);
        } else {
            db_batch.Delete(key);
        }
    }
    return m_db->Write(db_batch, /*sync=*/true);
}

void WalletDatabase::Compact()
{
    // LevelDB keeps every version when it flushes the memtable, and CompactRange only rewrites
    // levels above the deepest one holding data, so an erased value and its deletion can both
    // survive in one bottom-level table. The first pass flushes the memtable and pushes the
    // data down; then a put and delete of keys below and above every record (one batch, so
    // never visible) make a table overlapping all deeper ones, and the second pass merges
    // everything through it, dropping the shadowed values.
    m_db->Compact();
    storage::Batch span_all{*m_db};
    const Bytes lowest{0x00};
    const Bytes highest(8, 0xff);
    span_all.Put(lowest, Bytes{});
    span_all.Put(highest, Bytes{});
    span_all.Delete(lowest);
    span_all.Delete(highest);
    // Best effort: if the write fails, the compaction below still runs.
    (void)m_db->Write(span_all, /*sync=*/true);
    m_db->Compact();
    // Only now are the erased values gone; if this write fails the next Open compacts again.
    storage::Batch done{*m_db};
    done.Delete(Key(REC_PURGE_PENDING));
    (void)m_db->Write(done, /*sync=*/true);
}

util::Expected<void> WalletDatabase::Backup(const std::filesystem::path& dest) const
{
    std::error_code ec;
    if (std::filesystem::is_directory(dest, ec)) {
        return util::Unexpected("Backup destination '" + dest.string() + "' is a directory");
    }
    auto records = ReadAll(*m_db);
    if (!records) return records.error();
    Bytes out;
    consensus::Writer w{out};
    w.WriteBytes(BACKUP_MAGIC);
    w(BACKUP_FORMAT_VERSION, static_cast<uint64_t>(records->size()));
    for (const auto& [key, value] : *records) {
        w(key, value);
    }
    const consensus::Uint256 checksum = consensus::Sha256Hash(out);
    w.WriteBytes(checksum.span());
    WipeRecords(*records);
    auto written = util::WriteFileAtomically(dest, out, 0600);
    OPENSSL_cleanse(out.data(), out.size());
    if (!written) return written.error();
    return {};
}

util::Expected<void> WalletDatabase::Restore(const std::filesystem::path& backup_file,
                                             const std::filesystem::path& dir)
{
    // Everything is checked before anything is created.
    Bytes file;
    {
        std::ifstream in{backup_file, std::ios::binary};
        if (!in) {
            return util::Unexpected("Cannot read backup file '" + backup_file.string() + "'");
        }
        file.assign(std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{});
        if (in.bad()) {
            return util::Unexpected("Cannot read backup file '" + backup_file.string() + "'");
        }
    }
    const std::string bad =
        "Backup file '" + backup_file.string() + "' is not a valid wallet backup";
    if (file.size() < BACKUP_MAGIC.size() + CHECKSUM_SIZE ||
        !std::equal(BACKUP_MAGIC.begin(), BACKUP_MAGIC.end(), file.begin())) {
        return util::Unexpected(bad + " (bad magic)");
    }
    const std::span<const uint8_t> body{file.data(), file.size() - CHECKSUM_SIZE};
    const consensus::Uint256 checksum = consensus::Sha256Hash(body);
    if (!std::equal(checksum.begin(), checksum.end(), file.end() - CHECKSUM_SIZE)) {
        return util::Unexpected(bad + " (checksum mismatch)");
    }
    auto records = DecodeStrict<std::vector<std::pair<Bytes, Bytes>>>(
        body.subspan(BACKUP_MAGIC.size()),
        [](consensus::Reader& r) -> std::vector<std::pair<Bytes, Bytes>> {
            uint32_t format{0};
            uint64_t count{0};
            r(format, count);
            if (format != BACKUP_FORMAT_VERSION) {
                throw consensus::DecodeError("unknown backup format version " +
                                             std::to_string(format));
            }
            // Each record takes at least its two length bytes.
            if (count > r.Remaining() / 2) throw consensus::DecodeError("record count too large");
            std::vector<std::pair<Bytes, Bytes>> out;
            out.reserve(static_cast<size_t>(count));
            for (uint64_t i = 0; i < count; ++i) {
                auto& [key, value] = out.emplace_back();
                r(key, value);
                // The writer emits keys in strictly increasing order; anything else is forged.
                if (out.size() > 1 && !(out[out.size() - 2].first < key)) {
                    throw consensus::DecodeError("records out of order");
                }
            }
            return out;
        });
    if (!records) return util::Unexpected(bad + " (" + records.error().message + ")");
    {
        auto data = LoadRecords(*records);
        if (!data) return util::Unexpected(bad + " (" + data.error().message + ")");
    }
    OPENSSL_cleanse(file.data(), file.size());

    std::error_code ec;
    const bool existed = std::filesystem::exists(dir, ec);
    if (existed && HoldsDatabase(dir)) {
        WipeRecords(*records);
        return util::Unexpected("Failed to create database path '" + dir.string() +
                                "'. Database already exists.");
    }
    std::vector<std::filesystem::path> before;
    if (existed) {
        for (const auto& entry : std::filesystem::directory_iterator{dir, ec})
            before.push_back(entry.path());
    }
    // Undoes a half-made restore so a failure leaves the directory as it was.
    const auto clean_up = [&]() {
        std::error_code rm_ec;
        if (!existed) {
            std::filesystem::remove_all(dir, rm_ec);
            return;
        }
        std::vector<std::filesystem::path> made;
        for (const auto& entry : std::filesystem::directory_iterator{dir, rm_ec}) {
            if (std::find(before.begin(), before.end(), entry.path()) == before.end()) {
                made.push_back(entry.path());
            }
        }
        for (const auto& path : made)
            std::filesystem::remove_all(path, rm_ec);
    };

    util::Expected<void> result{};
    {
        auto db = storage::Database::Open(WalletDbOptions(dir));
        if (!db) {
            result = db.error();
        } else {
            storage::Batch batch{**db};
            for (const auto& [key, value] : *records)
                batch.Put(key, value);
            result = (*db)->Write(batch, /*sync=*/true);
        }
    }
    WipeRecords(*records);
    if (!result) clean_up();
    return result;
}

} // namespace wallet
