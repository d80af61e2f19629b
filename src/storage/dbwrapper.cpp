#include <storage/dbwrapper.h>

#include <storage/layout.h>
#include <util/logging.h>

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/slice.h>
#include <leveldb/status.h>
#include <leveldb/write_batch.h>

#include <cstdarg>
#include <cstdio>
#include <random>
#include <system_error>

namespace storage {

namespace {

leveldb::Slice ToSlice(ByteView bytes)
{
    return leveldb::Slice{reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

ByteView FromSlice(const leveldb::Slice& slice)
{
    return ByteView{reinterpret_cast<const uint8_t*>(slice.data()), slice.size()};
}

ByteView ObfuscateKeyKey()
{
    return ByteView{reinterpret_cast<const uint8_t*>(layout::OBFUSCATE_KEY_KEY.data()),
                    layout::OBFUSCATE_KEY_KEY.size()};
}

util::Error StatusError(const leveldb::Status& status, const std::filesystem::path& path,
                        std::string_view what)
{
    const std::string head =
        status.IsCorruption() ? std::string{CORRUPTION_PREFIX} : "Database error";
    return util::Error{head + " in " + path.string() + " (" + std::string{what} +
                       "): " + status.ToString()};
}

// Forwards LevelDB's diagnostics to the node's log, or drops them so LevelDB
// does not keep a LOG file of its own next to the data.
class LevelDBLogger : public leveldb::Logger
{
public:
    explicit LevelDBLogger(util::Logger* logger) : m_logger{logger} {}

    void Logv(const char* format, va_list ap) override
    {
        if (m_logger == nullptr ||
            !m_logger->WillLog(util::LogCategory::LEVELDB, util::LogLevel::DEBUG))
            return;
        va_list copy;
        va_copy(copy, ap);
        const int len = std::vsnprintf(nullptr, 0, format, copy);
        va_end(copy);
        if (len <= 0) return;
        std::string message(static_cast<size_t>(len) + 1, '\0');
        std::vsnprintf(message.data(), message.size(), format, ap);
        message.resize(static_cast<size_t>(len));
        while (!message.empty() && message.back() == '\n')
            message.pop_back();
        m_logger->Debug(util::LogCategory::LEVELDB, message);
    }

private:
    util::Logger* m_logger;
};

ObfuscationKey RandomObfuscationKey()
{
    // Only meant to keep raw data from matching antivirus signatures, so any
    // unpredictable source will do; random_device reads the OS entropy pool.
    std::random_device rd;
    ObfuscationKey key{};
    for (auto& b : key)
        b = static_cast<uint8_t>(rd());
    return key;
}

} // namespace

bool IsCorruption(const util::Error& error)
{
    return error.message.starts_with(CORRUPTION_PREFIX);
}

struct Database::Impl
{
    std::unique_ptr<leveldb::Cache> block_cache;
    std::unique_ptr<const leveldb::FilterPolicy> filter_policy;
    std::unique_ptr<LevelDBLogger> info_log;
    leveldb::Options options;
    leveldb::ReadOptions read_options;
    leveldb::ReadOptions iter_options;
    leveldb::WriteOptions write_options;
    leveldb::WriteOptions sync_options;
    std::unique_ptr<leveldb::DB> db;
};

// ---- Batch -----------------------------------------------------------------------

Batch::Batch(const Database& db) : m_db{db}, m_batch{std::make_unique<leveldb::WriteBatch>()} {}

Batch::~Batch() = default;

void Batch::Put(ByteView key, ByteView value)
{
    Bytes stored{value.begin(), value.end()};
    m_db.Obfuscate(stored);
    m_batch->Put(ToSlice(key), ToSlice(stored));
}

void Batch::Delete(ByteView key)
{
    m_batch->Delete(ToSlice(key));
}

void Batch::Clear()
{
    m_batch->Clear();
}

size_t Batch::ApproximateSize() const
{
    return m_batch->ApproximateSize();
}

// ---- Iterator --------------------------------------------------------------------

Iterator::Iterator(const Database& db, std::unique_ptr<leveldb::Iterator> it)
    : m_db{db}, m_it{std::move(it)}
{}

Iterator::~Iterator() = default;

void Iterator::Seek(ByteView key)
{
    m_it->Seek(ToSlice(key));
}

void Iterator::SeekToFirst()
{
    m_it->SeekToFirst();
}

void Iterator::Next()
{
    m_it->Next();
}

bool Iterator::Valid() const
{
    return m_it->Valid();
}

bool Iterator::ValidWithPrefix(ByteView prefix) const
{
    if (!m_it->Valid()) return false;
    const ByteView key = Key();
    return key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}

ByteView Iterator::Key() const
{
    return FromSlice(m_it->key());
}

Bytes Iterator::Value() const
{
    const ByteView raw = FromSlice(m_it->value());
    Bytes value{raw.begin(), raw.end()};
    m_db.Obfuscate(value);
    return value;
}

util::Expected<void> Iterator::Status() const
{
    const leveldb::Status status = m_it->status();
    if (!status.ok()) return StatusError(status, m_db.m_path, "iterate");
    return {};
}

// ---- Database --------------------------------------------------------------------

Database::Database(std::unique_ptr<Impl> impl, std::filesystem::path path, bool sync_writes)
    : m_impl{std::move(impl)}, m_path{std::move(path)}, m_sync_writes{sync_writes}
{}

Database::~Database()
{
    // The DB refers to the cache, filter policy and logger, so it goes first.
    m_impl->db.reset();
}

util::Expected<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options)
{
    auto impl = std::make_unique<Impl>();
    impl->block_cache.reset(leveldb::NewLRUCache(options.cache_bytes / 2));
    impl->filter_policy.reset(leveldb::NewBloomFilterPolicy(10));
    impl->info_log = std::make_unique<LevelDBLogger>(options.logger);

    leveldb::Options& o = impl->options;
    o.block_cache = impl->block_cache.get();
    // Two write buffers may be alive at once (one being flushed).
    o.write_buffer_size = std::max<size_t>(options.cache_bytes / 4, 64 << 10);
    o.filter_policy = impl->filter_policy.get();
    // Keys are hashes and values are already compact: compression buys little.
    o.compression = leveldb::kNoCompression;
    o.info_log = impl->info_log.get();
    o.paranoid_checks = true;
    o.max_file_size = options.max_file_size;
    o.create_if_missing = true;
    impl->read_options.verify_checksums = true;
    impl->iter_options.verify_checksums = true;
    // A full scan should not evict the hot entries from the block cache.
    impl->iter_options.fill_cache = false;
    impl->sync_options.sync = true;

    const std::string path_str = options.path.string();
    if (options.wipe) {
        const leveldb::Status st = leveldb::DestroyDB(path_str, o);
        if (!st.ok()) return StatusError(st, options.path, "wipe");
    }
    std::error_code ec;
    std::filesystem::create_directories(options.path, ec);
    if (ec) {
        return util::Unexpected("Cannot create database directory " + path_str + ": " +
                                ec.message());
    }
    leveldb::DB* raw_db = nullptr;
    const leveldb::Status st = leveldb::DB::Open(o, path_str, &raw_db);
    if (!st.ok()) return StatusError(st, options.path, "open");
    impl->db.reset(raw_db);

    std::unique_ptr<Database> db{new Database(std::move(impl), options.path, options.sync_writes)};

    // The key is stored in clear, so read it before any key is in force.
    auto stored = db->Read(ObfuscateKeyKey());
    if (!stored) return stored.error();
    if (stored->has_value()) {
        auto key = consensus::Decode<std::vector<uint8_t>>(**stored);
        if (!key || key->size() != layout::OBFUSCATE_KEY_SIZE) {
            return db->Corruption("malformed obfuscation key");
        }
        std::copy(key->begin(), key->end(), db->m_obfuscation.begin());
    } else if (options.obfuscate) {
        // An existing database written in clear must stay readable, so only a
        // new one gets a key (as Core does).
        auto empty = db->IsEmpty();
        if (!empty) return empty.error();
        if (*empty) {
            const ObfuscationKey key = RandomObfuscationKey();
            const auto encoded = consensus::Encode(std::vector<uint8_t>{key.begin(), key.end()});
            const leveldb::Status ws = db->m_impl->db->Put(
                db->m_impl->sync_options, ToSlice(ObfuscateKeyKey()), ToSlice(encoded));
            if (!ws.ok()) return StatusError(ws, options.path, "write obfuscation key");
            db->m_obfuscation = key;
        }
    }
    return db;
}

void Database::Obfuscate(std::span<uint8_t> value) const
{
    if (m_obfuscation == ObfuscationKey{}) return;
    for (size_t i = 0; i < value.size(); ++i)
        value[i] ^= m_obfuscation[i % m_obfuscation.size()];
}

util::Error Database::Corruption(const std::string& what) const
{
    return util::Error{std::string{CORRUPTION_PREFIX} + " in " + m_path.string() + ": " + what};
}

util::Expected<std::optional<Bytes>> Database::Read(ByteView key) const
{
    std::string value;
    const leveldb::Status st = m_impl->db->Get(m_impl->read_options, ToSlice(key), &value);
    if (st.IsNotFound()) return std::optional<Bytes>{};
    if (!st.ok()) return StatusError(st, m_path, "read");
    Bytes out{value.begin(), value.end()};
    Obfuscate(out);
    return std::optional<Bytes>{std::move(out)};
}

util::Expected<void> Database::Write(ByteView key, ByteView value)
{
    Batch batch{*this};
    batch.Put(key, value);
    return Write(batch, m_sync_writes);
}

util::Expected<void> Database::Write(const Batch& batch, bool sync)
{
    const leveldb::Status st =
        m_impl->db->Write(sync ? m_impl->sync_options : m_impl->write_options, batch.m_batch.get());
    if (!st.ok()) return StatusError(st, m_path, "write");
    return {};
}

util::Expected<void> Database::Erase(ByteView key)
{
    Batch batch{*this};
    batch.Delete(key);
    return Write(batch, m_sync_writes);
}

util::Expected<bool> Database::Exists(ByteView key) const
{
    auto value = Read(key);
    if (!value) return value.error();
    return value->has_value();
}

util::Expected<bool> Database::IsEmpty() const
{
    auto it = NewIterator();
    it->SeekToFirst();
    if (it->Valid()) return false;
    if (auto st = it->Status(); !st) return st.error();
    return true;
}

std::unique_ptr<Iterator> Database::NewIterator() const
{
    return std::unique_ptr<Iterator>{new Iterator(
        *this, std::unique_ptr<leveldb::Iterator>{m_impl->db->NewIterator(m_impl->iter_options)})};
}

uint64_t Database::EstimateSize(ByteView begin, ByteView end) const
{
    const leveldb::Range range{ToSlice(begin), ToSlice(end)};
    uint64_t size = 0;
    m_impl->db->GetApproximateSizes(&range, 1, &size);
    return size;
}

void Database::Compact(ByteView begin, ByteView end)
{
    const leveldb::Slice b = ToSlice(begin);
    const leveldb::Slice e = ToSlice(end);
    m_impl->db->CompactRange(begin.empty() ? nullptr : &b, end.empty() ? nullptr : &e);
}

} // namespace storage
