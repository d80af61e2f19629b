// The wallet's LevelDB database in `wallets/<name>/`: every record the wallet
// keeps, written in atomic synced batches so a crash never loses what an RPC
// call already returned, and a single-file backup format.
//
// Key layout (first byte = record type, then the key fields):
//   'v'                      -> uint32 version (WALLET_DB_VERSION)
//   'f'                      -> uint64 wallet flags (WALLET_FLAG_*)
//   'd' || id(32)            -> DescriptorRecord
//   'k' || id(32)            -> private descriptor text, in clear
//   'c' || id(32)            -> private descriptor text, encrypted under the master key
//                               (IV = first 16 bytes of SHA-256d(id))
//   'm' || uint32 BE id      -> MasterKeyRecord (Core's CMasterKey serialization)
//   'a' || type(1) || int(1) -> id(32) of the active descriptor for (OutputType, internal)
//   't' || txid(32)          -> WalletTx
//   'n' || address text      -> AddressBookEntry
//   'l' || outpoint(36)      -> locked coin (empty value)
//   'b'                      -> BestBlock
//   'o'                      -> int64 next order position
//   'p'                      -> empty: erased secrets may still sit in the files; Open
//                               compacts and then erases it (written with encryptwallet)
// A descriptor id is SHA-256 of its public text without the checksum.
//
// A WalletDatabase is not thread-safe; the Wallet serialises access to it.
#pragma once

#include <consensus/transaction.h>
#include <consensus/uint256.h>
#include <util/expected.h>
#include <wallet/crypter.h>
#include <wallet/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace storage {
class Database;
class Batch;
} // namespace storage

namespace wallet {

/// Version written into new databases; opening a newer one is refused.
inline constexpr uint32_t WALLET_DB_VERSION{1};

/// Serialized WalletTx (transaction with witness, state, times, flags, map_value).
std::vector<uint8_t> SerializeWalletTx(const WalletTx& wtx);
/// Strict inverse of SerializeWalletTx.
util::Expected<WalletTx> DeserializeWalletTx(std::span<const uint8_t> bytes);

/// Everything a database holds, as Load returns it.
struct WalletData
{
    uint32_t version{0};
    uint64_t flags{0};
    std::map<consensus::Uint256, DescriptorRecord> descriptors{};
    std::map<consensus::Uint256, SecureBytes> clear_keys{};             //!< 'k'
    std::map<consensus::Uint256, std::vector<uint8_t>> crypted_keys{};  //!< 'c'
    std::map<uint32_t, MasterKeyRecord> master_keys{};                  //!< 'm'
    std::map<std::pair<OutputType, bool>, consensus::Uint256> active{}; //!< 'a'
    std::map<consensus::Uint256, WalletTx> txs{};                       //!< 't'
    std::map<std::string, AddressBookEntry> address_book{};             //!< 'n'
    std::set<consensus::OutPoint> locked_coins{};                       //!< 'l'
    std::optional<BestBlock> best_block{};                              //!< 'b'
    int64_t order_pos_next{0};                                          //!< 'o'
};

/// A set of record changes that Commit writes atomically.
class WalletBatch
{
public:
    WalletBatch();
    ~WalletBatch();
    WalletBatch(WalletBatch&&) noexcept;
    WalletBatch& operator=(WalletBatch&&) noexcept;

    void WriteVersion(uint32_t version);
    void WriteFlags(uint64_t flags);
    void WriteDescriptor(const consensus::Uint256& id, const DescriptorRecord& record);
    void EraseDescriptor(const consensus::Uint256& id);
    /// The private descriptor text in clear ('k').
    void WriteClearKey(const consensus::Uint256& id, std::span<const uint8_t> private_text);
    void EraseClearKey(const consensus::Uint256& id);
    /// The encrypted private descriptor text ('c').
    void WriteCryptedKey(const consensus::Uint256& id, std::span<const uint8_t> ciphertext);
    void EraseCryptedKey(const consensus::Uint256& id);
    void WriteMasterKey(uint32_t id, const MasterKeyRecord& record);
    void WriteActiveDescriptor(OutputType type, bool internal, const consensus::Uint256& id);
    void EraseActiveDescriptor(OutputType type, bool internal);
    void WriteTx(const WalletTx& wtx);
    void EraseTx(const consensus::Uint256& txid);
    void WriteAddressBook(const std::string& address, const AddressBookEntry& entry);
    void EraseAddressBook(const std::string& address);
    void WriteLockedCoin(const consensus::OutPoint& outpoint);
    void EraseLockedCoin(const consensus::OutPoint& outpoint);
    void WriteBestBlock(const BestBlock& best);
    void WriteOrderPosNext(int64_t next);
    /// Marks that this batch erases secrets, so a crash before Compact finishes is repaired by
    /// the next Open (which compacts again).
    void WritePurgePending();

    /// True when nothing was added.
    bool Empty() const;

private:
    friend class WalletDatabase;
    std::vector<std::pair<std::vector<uint8_t>, std::optional<std::vector<uint8_t>>>> m_ops;
};

/// One wallet's database directory.
class WalletDatabase
{
public:
    /// Opens `dir`. `create`: the directory must not hold a database yet, and one is made
    /// (error "Failed to create database path '<dir>'. Database already exists."); otherwise it
    /// must exist ("Failed to load database path '<dir>'. Path does not exist."). A database
    /// another process holds open fails with LevelDB's lock message.
    static util::Expected<std::unique_ptr<WalletDatabase>> Open(const std::filesystem::path& dir,
                                                                bool create);
    ~WalletDatabase();
    WalletDatabase(const WalletDatabase&) = delete;
    WalletDatabase& operator=(const WalletDatabase&) = delete;

    /// Reads every record; a record that does not decode is an error naming its type
    /// ("Wallet corrupted: bad transaction record ..."), never skipped silently.
    util::Expected<WalletData> Load() const;
    /// Writes the batch atomically and syncs it to disk before returning.
    util::Expected<void> Commit(const WalletBatch& batch);
    /// Compacts the whole database so erased values (clear keys after encryptwallet) leave the
    /// files on disk, then clears the purge-pending mark.
    void Compact();

    /// Writes every record to one backup file at `dest` (temporary file, fsync, rename); the
    /// format is a magic, the records and a SHA-256 checksum. Fails if `dest` is a directory
    /// that exists or cannot be written.
    util::Expected<void> Backup(const std::filesystem::path& dest) const;
    /// Creates a new database in `dir` from a backup file, checking magic and checksum
    /// first; `dir` must not hold a database.
    static util::Expected<void> Restore(const std::filesystem::path& backup_file,
                                        const std::filesystem::path& dir);

    /// The database directory.
    const std::filesystem::path& Dir() const { return m_dir; }

private:
    WalletDatabase(std::unique_ptr<storage::Database> db, std::filesystem::path dir);
    std::unique_ptr<storage::Database> m_db;
    std::filesystem::path m_dir;
};

} // namespace wallet
