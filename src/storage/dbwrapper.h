// A LevelDB database with Bitcoin Core's conventions: optional XOR obfuscation
// of values, checksummed reads, paranoid checks, and every failure returned as
// util::Expected naming the database path and LevelDB's own message.
//
// Thread safety: LevelDB serialises writers internally, so every method may be
// called from any thread; by design (DESIGN.md §2) only the validation executor
// writes. An Iterator and a Batch must not be shared between threads.
#pragma once

#include <consensus/serialize.h>
#include <util/expected.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace leveldb {
class DB;
class Iterator;
class WriteBatch;
} // namespace leveldb

namespace util {
class Logger;
}

namespace storage {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

/// The XOR key applied to stored values (all zero means "not obfuscated").
using ObfuscationKey = std::array<uint8_t, 8>;

/// How to open a database.
struct DatabaseOptions
{
    std::filesystem::path path;     //!< directory holding the LevelDB files
    size_t cache_bytes{8 << 20};    //!< half block cache, a quarter per write buffer
    bool wipe{false};               //!< destroy existing contents first
    bool obfuscate{false};          //!< create an XOR key if the database is new
    bool sync_writes{false};        //!< fsync every single-key Write/Erase
    size_t max_file_size{32 << 20}; //!< LevelDB table file target size
    util::Logger* logger{nullptr};  //!< receives LevelDB's log at debug level, if set
};

/// Prefix of the message of every error caused by detected on-disk corruption.
inline constexpr std::string_view CORRUPTION_PREFIX = "Database corrupted";
/// True if `error` reports corruption (as opposed to I/O or usage failures).
bool IsCorruption(const util::Error& error);

class Database;

/// Writes collected here become visible atomically by Database::Write(batch, sync).
class Batch
{
public:
    /// A batch obfuscating values with `db`'s key; `db` must outlive the batch.
    explicit Batch(const Database& db);
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    /// Queues key := value.
    void Put(ByteView key, ByteView value);
    /// Queues key := Encode(value).
    template <class T>
    void PutValue(ByteView key, const T& value)
    {
        Put(key, consensus::Encode(value));
    }
    /// Queues deletion of key.
    void Delete(ByteView key);
    /// Drops everything queued.
    void Clear();
    /// Approximate bytes the batch occupies (LevelDB's estimate), for flushing in slices.
    size_t ApproximateSize() const;

private:
    friend class Database;
    const Database& m_db;
    std::unique_ptr<leveldb::WriteBatch> m_batch;
};

/// A cursor over keys in byte order; values come back de-obfuscated.
class Iterator
{
public:
    ~Iterator();
    Iterator(const Iterator&) = delete;
    Iterator& operator=(const Iterator&) = delete;

    /// Positions at the first key >= `key` (a prefix seeks to its first entry).
    void Seek(ByteView key);
    /// Positions at the first key of the database.
    void SeekToFirst();
    /// Advances; requires Valid().
    void Next();
    /// True while positioned on an entry.
    bool Valid() const;
    /// True if Valid() and the current key starts with `prefix`.
    bool ValidWithPrefix(ByteView prefix) const;
    /// The current key; valid until the next move. Requires Valid().
    ByteView Key() const;
    /// The current value, de-obfuscated. Requires Valid().
    Bytes Value() const;
    /// Decodes the current value as T.
    template <class T>
    util::Expected<T> ValueAs() const
    {
        const Bytes v = Value();
        return consensus::Decode<T>(v);
    }
    /// An error if iteration stopped because of an I/O failure or corruption.
    util::Expected<void> Status() const;

private:
    friend class Database;
    Iterator(const Database& db, std::unique_ptr<leveldb::Iterator> it);
    const Database& m_db;
    std::unique_ptr<leveldb::Iterator> m_it;
};

/// An open LevelDB database. Closing happens in the destructor.
class Database
{
public:
    /// Opens (creating if missing) the database at options.path.
    static util::Expected<std::unique_ptr<Database>> Open(const DatabaseOptions& options);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    /// The value of key (de-obfuscated), nullopt if absent.
    util::Expected<std::optional<Bytes>> Read(ByteView key) const;
    /// The value decoded as T, nullopt if absent; a decode failure is an error.
    template <class T>
    util::Expected<std::optional<T>> ReadValue(ByteView key) const
    {
        auto raw = Read(key);
        if (!raw) return raw.error();
        if (!raw->has_value()) return std::optional<T>{};
        auto decoded = consensus::Decode<T>(**raw);
        if (!decoded) return Corruption("undecodable value: " + decoded.error().message);
        return std::optional<T>{std::move(decoded).value()};
    }
    /// Stores key := value (synced if the options say so).
    util::Expected<void> Write(ByteView key, ByteView value);
    /// Stores key := Encode(value).
    template <class T>
    util::Expected<void> WriteValue(ByteView key, const T& value)
    {
        return Write(key, consensus::Encode(value));
    }
    /// Applies every queued change atomically; `sync` waits until it is on disk.
    util::Expected<void> Write(const Batch& batch, bool sync);
    /// Removes key; absent keys are not an error.
    util::Expected<void> Erase(ByteView key);
    /// True if key is present.
    util::Expected<bool> Exists(ByteView key) const;
    /// True if the database holds no entries at all.
    util::Expected<bool> IsEmpty() const;
    /// A new iterator (checksums verified); it must not outlive this Database.
    std::unique_ptr<Iterator> NewIterator() const;
    /// Approximate on-disk bytes used by keys in [begin, end).
    uint64_t EstimateSize(ByteView begin, ByteView end) const;
    /// Compacts keys in [begin, end]; empty spans mean "from the start"/"to the end".
    void Compact(ByteView begin = {}, ByteView end = {});

    /// The XOR key in use (all zero if values are stored in clear).
    const ObfuscationKey& GetObfuscationKey() const { return m_obfuscation; }
    /// The directory this database lives in.
    const std::filesystem::path& GetPath() const { return m_path; }

private:
    friend class Batch;
    friend class Iterator;
    struct Impl;
    Database(std::unique_ptr<Impl> impl, std::filesystem::path path, bool sync_writes);

    /// XORs value with the obfuscation key in place.
    void Obfuscate(std::span<uint8_t> value) const;
    /// A corruption error naming this database.
    util::Error Corruption(const std::string& what) const;

    std::unique_ptr<Impl> m_impl;
    std::filesystem::path m_path;
    bool m_sync_writes;
    ObfuscationKey m_obfuscation{};
};

} // namespace storage
