// The wallet database: every record type round-trips through LevelDB, batches are
// atomic, the raw keys follow the layout walletdb.h documents, damaged records are
// reported by type, and backups restore exactly or not at all.
#include <wallet/walletdb.h>

#include <common/descriptor.h>
#include <consensus/hash.h>
#include <consensus/serialize.h>
#include <storage/dbwrapper.h>
#include <testutil/test_dir.h>
#include <wallet/spkm.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace wallet {
namespace {

using Bytes = std::vector<uint8_t>;
namespace fs = std::filesystem;

consensus::Uint256 FilledHash(uint8_t fill)
{
    consensus::Uint256 h;
    std::fill(h.begin(), h.end(), fill);
    return h;
}

Bytes ToBytes(std::string_view s)
{
    return Bytes{s.begin(), s.end()};
}

// A segwit transaction, so losing the witness would change the wtxid.
consensus::TransactionRef MakeTx(uint8_t seed)
{
    consensus::MutableTransaction mtx;
    mtx.version = 2;
    consensus::TxIn in;
    in.prevout.hash = FilledHash(seed);
    in.prevout.n = seed;
    in.sequence = 0xfffffffd;
    in.witness.stack = {Bytes(71, seed), Bytes(33, 0x02)};
    mtx.vin.push_back(in);
    consensus::TxOut out;
    out.value = 100000 + seed;
    out.script_pubkey = consensus::Script{Bytes{0x00, 0x14}};
    out.script_pubkey.bytes().resize(22, seed);
    mtx.vout.push_back(out);
    mtx.locktime = 800000;
    return consensus::MakeTransactionRef(std::move(mtx));
}

WalletTx MakeWalletTx(uint8_t seed)
{
    WalletTx wtx;
    wtx.tx = MakeTx(seed);
    wtx.state.kind = TxState::Kind::CONFIRMED;
    wtx.state.block_hash = FilledHash(0xb0 + seed);
    wtx.state.block_height = 1234 + seed;
    wtx.state.index_in_block = 7;
    wtx.time_received = 1700000000 + seed;
    wtx.time_smart = 1690000000;
    wtx.order_pos = seed;
    wtx.from_me = true;
    wtx.map_value = {{"comment", "rent"}, {"to", "landlord"}, {"replaces_txid", "ab"}};
    return wtx;
}

void ExpectSameTx(const WalletTx& a, const WalletTx& b)
{
    ASSERT_TRUE(a.tx && b.tx);
    EXPECT_EQ(a.tx->GetHash(), b.tx->GetHash());
    EXPECT_EQ(a.tx->GetWitnessHash(), b.tx->GetWitnessHash());
    EXPECT_TRUE(b.tx->HasWitness());
    EXPECT_EQ(a.state, b.state);
    EXPECT_EQ(a.time_received, b.time_received);
    EXPECT_EQ(a.time_smart, b.time_smart);
    EXPECT_EQ(a.order_pos, b.order_pos);
    EXPECT_EQ(a.from_me, b.from_me);
    EXPECT_EQ(a.map_value, b.map_value);
}

constexpr std::string_view DESC =
    "wpkh(0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)";
constexpr std::string_view PRIVATE_TEXT =
    "wpkh(KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn)";

MasterKeyRecord MakeMasterKey()
{
    MasterKeyRecord mk;
    mk.encrypted_key = Bytes(48, 0x5a);
    mk.salt = Bytes{1, 2, 3, 4, 5, 6, 7, 8};
    mk.rounds = 31337;
    return mk;
}

consensus::OutPoint MakeOutPoint(uint8_t fill, uint32_t n)
{
    consensus::OutPoint op;
    op.hash = FilledHash(fill);
    op.n = n;
    return op;
}

// What FillAll writes, for comparison after Load.
struct Records
{
    consensus::Uint256 desc_id{DescriptorId(DESC)};
    DescriptorRecord record{common::AddDescriptorChecksum(DESC), 1700000000, 0, 1000, 17, true};
    Bytes ciphertext{Bytes(48, 0xc7)};
    MasterKeyRecord master{MakeMasterKey()};
    WalletTx tx1{MakeWalletTx(1)};
    WalletTx tx2{MakeWalletTx(2)};
    AddressBookEntry entry{"savings", "receive"};
    consensus::OutPoint locked{MakeOutPoint(0x33, 5)};
    BestBlock best{FilledHash(0x44), 800123};
};

void FillAll(WalletBatch& batch, const Records& e)
{
    batch.WriteFlags(WALLET_FLAG_DESCRIPTORS | WALLET_FLAG_AVOID_REUSE);
    batch.WriteDescriptor(e.desc_id, e.record);
    batch.WriteClearKey(e.desc_id, ToBytes(PRIVATE_TEXT));
    batch.WriteCryptedKey(e.desc_id, e.ciphertext);
    batch.WriteMasterKey(1, e.master);
    batch.WriteActiveDescriptor(OutputType::BECH32, true, e.desc_id);
    batch.WriteActiveDescriptor(OutputType::LEGACY, false, FilledHash(0x77));
    batch.WriteTx(e.tx1);
    batch.WriteTx(e.tx2);
    batch.WriteAddressBook("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", e.entry);
    batch.WriteLockedCoin(e.locked);
    batch.WriteBestBlock(e.best);
    batch.WriteOrderPosNext(42);
}

void ExpectAll(const WalletData& data, const Records& e)
{
    EXPECT_EQ(data.version, WALLET_DB_VERSION);
    EXPECT_EQ(data.flags, WALLET_FLAG_DESCRIPTORS | WALLET_FLAG_AVOID_REUSE);
    ASSERT_EQ(data.descriptors.size(), 1U);
    EXPECT_EQ(data.descriptors.at(e.desc_id), e.record);
    ASSERT_EQ(data.clear_keys.size(), 1U);
    const auto& clear = data.clear_keys.at(e.desc_id);
    EXPECT_EQ(std::string(clear.data(), clear.data() + clear.size()), PRIVATE_TEXT);
    ASSERT_EQ(data.crypted_keys.size(), 1U);
    EXPECT_EQ(data.crypted_keys.at(e.desc_id), e.ciphertext);
    ASSERT_EQ(data.master_keys.size(), 1U);
    EXPECT_EQ(data.master_keys.at(1), e.master);
    ASSERT_EQ(data.active.size(), 2U);
    EXPECT_EQ(data.active.at({OutputType::BECH32, true}), e.desc_id);
    EXPECT_EQ(data.active.at({OutputType::LEGACY, false}), FilledHash(0x77));
    ASSERT_EQ(data.txs.size(), 2U);
    ExpectSameTx(data.txs.at(e.tx1.Txid()), e.tx1);
    ExpectSameTx(data.txs.at(e.tx2.Txid()), e.tx2);
    ASSERT_EQ(data.address_book.size(), 1U);
    EXPECT_EQ(data.address_book.at("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"), e.entry);
    EXPECT_EQ(data.locked_coins, std::set<consensus::OutPoint>{e.locked});
    ASSERT_TRUE(data.best_block.has_value());
    EXPECT_EQ(*data.best_block, e.best);
    EXPECT_EQ(data.order_pos_next, 42);
}

std::unique_ptr<WalletDatabase> OpenOrDie(const fs::path& dir, bool create)
{
    auto db = WalletDatabase::Open(dir, create);
    EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().message);
    return db ? std::move(*db) : nullptr;
}

// A wallet directory holding every record type, closed again.
void MakeFullWallet(const fs::path& dir, const Records& e)
{
    auto db = OpenOrDie(dir, true);
    ASSERT_TRUE(db);
    WalletBatch batch;
    FillAll(batch, e);
    ASSERT_TRUE(db->Commit(batch));
}

// Writes raw records straight into a closed wallet's LevelDB, as damage would.
void PutRaw(const fs::path& dir, const Bytes& key, const Bytes& value)
{
    storage::DatabaseOptions options;
    options.path = dir;
    auto raw = storage::Database::Open(options);
    ASSERT_TRUE(raw.has_value());
    ASSERT_TRUE((*raw)->Write(key, value));
}

Bytes ReadFile(const fs::path& path)
{
    std::ifstream in{path, std::ios::binary};
    return Bytes{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

void WriteFile(const fs::path& path, const Bytes& bytes)
{
    // A fresh file each time: ext4 flushes a file that is truncated and rewritten on close.
    std::error_code ec;
    fs::remove(path, ec);
    std::ofstream out{path, std::ios::binary | std::ios::trunc};
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

TEST(WalletDbTest, EveryRecordTypeRoundTrips)
{
    testutil::TempDir tmp;
    const Records e;
    MakeFullWallet(tmp.Path() / "w", e);
    auto db = OpenOrDie(tmp.Path() / "w", false);
    ASSERT_TRUE(db);
    auto data = db->Load();
    ASSERT_TRUE(data.has_value()) << data.error().message;
    ExpectAll(*data, e);
}

TEST(WalletDbTest, NewDatabaseHasOnlyItsVersion)
{
    testutil::TempDir tmp;
    auto db = OpenOrDie(tmp.Path() / "w", true);
    ASSERT_TRUE(db);
    EXPECT_EQ(db->Dir(), tmp.Path() / "w");
    auto data = db->Load();
    ASSERT_TRUE(data.has_value()) << data.error().message;
    EXPECT_EQ(data->version, WALLET_DB_VERSION);
    EXPECT_EQ(data->flags, 0U);
    EXPECT_TRUE(data->descriptors.empty());
    EXPECT_TRUE(data->txs.empty());
    EXPECT_FALSE(data->best_block.has_value());
}

// The raw LevelDB keys are the ones walletdb.h documents, byte for byte.
TEST(WalletDbTest, KeysFollowTheDocumentedLayout)
{
    testutil::TempDir tmp;
    const Records e;
    MakeFullWallet(tmp.Path() / "w", e);
    storage::DatabaseOptions options;
    options.path = tmp.Path() / "w";
    auto raw = storage::Database::Open(options);
    ASSERT_TRUE(raw.has_value());
    const auto with = [](uint8_t type, std::span<const uint8_t> rest) {
        Bytes key{type};
        key.insert(key.end(), rest.begin(), rest.end());
        return key;
    };
    const std::string address = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    Bytes outpoint(e.locked.hash.begin(), e.locked.hash.end());
    outpoint.insert(outpoint.end(), {5, 0, 0, 0}); // n, little endian
    const std::vector<Bytes> keys{
        Bytes{'v'},
        Bytes{'f'},
        with('d', e.desc_id.span()),
        with('k', e.desc_id.span()),
        with('c', e.desc_id.span()),
        Bytes{'m', 0, 0, 0, 1},
        Bytes{'a', static_cast<uint8_t>(OutputType::BECH32), 1},
        Bytes{'a', static_cast<uint8_t>(OutputType::LEGACY), 0},
        with('t', e.tx1.Txid().span()),
        with('t', e.tx2.Txid().span()),
        with('n', ToBytes(address)),
        with('l', outpoint),
        Bytes{'b'},
        Bytes{'o'},
    };
    for (const auto& key : keys) {
        auto present = (*raw)->Exists(key);
        ASSERT_TRUE(present.has_value());
        EXPECT_TRUE(*present) << "missing key starting with '" << static_cast<char>(key[0]) << "'";
    }
    // Values with a fixed shape: the version (uint32 LE), the active id (32 raw bytes),
    // the locked coin (empty) and the order position (int64 LE).
    EXPECT_EQ(*(*raw)->Read(Bytes{'v'}), (Bytes{1, 0, 0, 0}));
    EXPECT_EQ(*(*raw)->Read(Bytes{'a', static_cast<uint8_t>(OutputType::BECH32), 1}),
              Bytes(e.desc_id.begin(), e.desc_id.end()));
    EXPECT_EQ(*(*raw)->Read(with('l', outpoint)), Bytes{});
    EXPECT_EQ(*(*raw)->Read(Bytes{'o'}), (Bytes{42, 0, 0, 0, 0, 0, 0, 0}));
    // Nothing else was written.
    size_t count{0};
    auto it = (*raw)->NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next())
        ++count;
    EXPECT_EQ(count, keys.size());
}

TEST(WalletDbTest, ErasesRemoveRecords)
{
    testutil::TempDir tmp;
    const Records e;
    MakeFullWallet(tmp.Path() / "w", e);
    {
        auto db = OpenOrDie(tmp.Path() / "w", false);
        ASSERT_TRUE(db);
        WalletBatch batch;
        batch.EraseDescriptor(e.desc_id);
        batch.EraseClearKey(e.desc_id);
        batch.EraseCryptedKey(e.desc_id);
        batch.EraseActiveDescriptor(OutputType::BECH32, true);
        batch.EraseTx(e.tx1.Txid());
        batch.EraseAddressBook("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
        batch.EraseLockedCoin(e.locked);
        ASSERT_TRUE(db->Commit(batch));
        db->Compact();
    }
    auto db = OpenOrDie(tmp.Path() / "w", false);
    ASSERT_TRUE(db);
    auto data = db->Load();
    ASSERT_TRUE(data.has_value()) << data.error().message;
    EXPECT_TRUE(data->descriptors.empty());
    EXPECT_TRUE(data->clear_keys.empty());
    EXPECT_TRUE(data->crypted_keys.empty());
    EXPECT_EQ(data->active.size(), 1U);
    EXPECT_EQ(data->active.count({OutputType::LEGACY, false}), 1U);
    EXPECT_EQ(data->txs.size(), 1U);
    EXPECT_EQ(data->txs.count(e.tx2.Txid()), 1U);
    EXPECT_TRUE(data->address_book.empty());
    EXPECT_TRUE(data->locked_coins.empty());
    EXPECT_EQ(data->master_keys.size(), 1U);
}

// The WIF key inside PRIVATE_TEXT, which no file may hold once its record was erased and compacted.
const std::string SECRET_WIF{"KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn"};

// The first file of the database directory holding SECRET_WIF, or an empty path.
fs::path FileWithSecret(const fs::path& dir)
{
    for (const auto& entry : fs::directory_iterator{dir}) {
        const Bytes content = ReadFile(entry.path());
        if (std::string{content.begin(), content.end()}.find(SECRET_WIF) != std::string::npos) {
            return entry.path();
        }
    }
    return {};
}

// A process killed after the secret-erasing commit but before Compact leaves the clear text
// in the files; the purge mark written in the same batch makes the next Open compact it away.
TEST(WalletDbTest, OpenFinishesAnInterruptedPurge)
{
    const consensus::Uint256 id = DescriptorId(DESC);
    for (const bool mark : {false, true}) {
        testutil::TempDir tmp;
        const fs::path dir = tmp.Path() / "w";
        {
            auto db = OpenOrDie(dir, true);
            ASSERT_TRUE(db);
            WalletBatch write;
            write.WriteClearKey(id, ToBytes(PRIVATE_TEXT));
            ASSERT_TRUE(db->Commit(write));
            WalletBatch erase;
            erase.EraseClearKey(id);
            erase.WriteCryptedKey(id, Bytes(48, 0xc7));
            if (mark) erase.WritePurgePending();
            ASSERT_TRUE(db->Commit(erase));
            // No Compact: the "crash".
        }
        ASSERT_FALSE(FileWithSecret(dir).empty())
            << "control: the erased text is still in the files";
        {
            auto db = OpenOrDie(dir, false);
            ASSERT_TRUE(db);
            auto data = db->Load();
            ASSERT_TRUE(data.has_value()) << data.error().message;
            EXPECT_TRUE(data->clear_keys.empty());
            EXPECT_EQ(data->crypted_keys.size(), 1U);
        }
        // Without the mark nothing knows a purge is owed; with it, Open has compacted.
        EXPECT_EQ(FileWithSecret(dir).empty(), mark) << "mark " << mark;
    }
}

// After Compact the erased clear private descriptor is gone from the files on disk, whether
// it was still in the memtable, already in a table (the wallet was reopened in between), or
// spread over several tables.
TEST(WalletDbTest, CompactLeavesNoErasedSecretOnDisk)
{
    const consensus::Uint256 id = DescriptorId(DESC);
    for (int scenario = 0; scenario < 3; ++scenario) {
        testutil::TempDir tmp;
        const fs::path dir = tmp.Path() / "w";
        auto db = OpenOrDie(dir, true);
        ASSERT_TRUE(db);
        WalletBatch write;
        write.WriteClearKey(id, ToBytes(PRIVATE_TEXT));
        ASSERT_TRUE(db->Commit(write));
        if (scenario >= 1) {
            db.reset();
            db = OpenOrDie(dir, false);
            ASSERT_TRUE(db);
        }
        if (scenario == 2) {
            // More records in later tables, and a compaction before the erase.
            for (uint8_t i = 0; i < 50; ++i) {
                WalletBatch more;
                more.WriteTx(MakeWalletTx(i));
                ASSERT_TRUE(db->Commit(more));
            }
            db->Compact();
            WalletBatch again;
            again.WriteAddressBook("zzz", AddressBookEntry{"late", "send"});
            ASSERT_TRUE(db->Commit(again));
        }
        WalletBatch erase;
        erase.EraseClearKey(id);
        erase.WriteCryptedKey(id, Bytes(48, 0xc7));
        ASSERT_TRUE(db->Commit(erase));
        db->Compact();
        db.reset();
        EXPECT_EQ(FileWithSecret(dir), fs::path{}) << "scenario " << scenario;
        // The live records are intact.
        db = OpenOrDie(dir, false);
        ASSERT_TRUE(db);
        auto data = db->Load();
        ASSERT_TRUE(data.has_value()) << data.error().message;
        EXPECT_TRUE(data->clear_keys.empty());
        EXPECT_EQ(data->crypted_keys.size(), 1U);
        EXPECT_EQ(data->txs.size(), scenario == 2 ? 50U : 0U);
    }
}

// A committed batch is all there after reopening; within a batch the last operation on a key
// wins; a batch never committed leaves nothing.
TEST(WalletDbTest, BatchesAreAtomic)
{
    testutil::TempDir tmp;
    const fs::path dir = tmp.Path() / "w";
    const WalletTx tx1 = MakeWalletTx(1);
    const WalletTx tx2 = MakeWalletTx(2);
    const WalletTx tx3 = MakeWalletTx(3);
    {
        auto db = OpenOrDie(dir, true);
        ASSERT_TRUE(db);
        WalletBatch first;
        EXPECT_TRUE(first.Empty());
        first.WriteTx(tx1);
        first.WriteTx(tx2);
        first.WriteOrderPosNext(2);
        EXPECT_FALSE(first.Empty());
        ASSERT_TRUE(db->Commit(first));

        WalletBatch second;
        second.EraseTx(tx1.Txid());
        second.WriteTx(tx3);
        second.EraseTx(tx3.Txid()); // erased again in the same batch
        second.WriteBestBlock(BestBlock{FilledHash(9), 9});
        second.WriteBestBlock(BestBlock{FilledHash(10), 10}); // overrides the first
        second.WriteOrderPosNext(3);
        ASSERT_TRUE(db->Commit(second));

        WalletBatch abandoned;
        abandoned.EraseTx(tx2.Txid());
        abandoned.WriteOrderPosNext(99);
        // Destroyed without Commit.
    }
    auto db = OpenOrDie(dir, false);
    ASSERT_TRUE(db);
    auto data = db->Load();
    ASSERT_TRUE(data.has_value()) << data.error().message;
    ASSERT_EQ(data->txs.size(), 1U);
    ExpectSameTx(data->txs.at(tx2.Txid()), tx2);
    ASSERT_TRUE(data->best_block.has_value());
    EXPECT_EQ(*data->best_block, (BestBlock{FilledHash(10), 10}));
    EXPECT_EQ(data->order_pos_next, 3);
}

TEST(WalletDbTest, WalletBatchMovesItsOperations)
{
    testutil::TempDir tmp;
    WalletBatch a;
    a.WriteOrderPosNext(5);
    WalletBatch b{std::move(a)};
    EXPECT_FALSE(b.Empty());
    WalletBatch c;
    c = std::move(b);
    EXPECT_FALSE(c.Empty());
    auto db = OpenOrDie(tmp.Path() / "w", true);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->Commit(c));
    auto data = db->Load();
    ASSERT_TRUE(data.has_value());
    EXPECT_EQ(data->order_pos_next, 5);
}

TEST(WalletDbTest, CreateAndOpenErrors)
{
    testutil::TempDir tmp;
    const fs::path missing = tmp.Path() / "missing";
    auto opened = WalletDatabase::Open(missing, false);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().message,
              "Failed to load database path '" + missing.string() + "'. Path does not exist.");
    EXPECT_FALSE(fs::exists(missing)); // a failed open makes nothing

    const fs::path empty = tmp.Path() / "empty";
    fs::create_directories(empty);
    auto no_db = WalletDatabase::Open(empty, false);
    ASSERT_FALSE(no_db.has_value());
    EXPECT_EQ(no_db.error().message, "Failed to load database path '" + empty.string() +
                                         "'. Data is not in recognized format.");
    EXPECT_TRUE(fs::is_empty(empty));

    // An existing empty directory may receive a new database.
    auto created = WalletDatabase::Open(empty, true);
    ASSERT_TRUE(created.has_value()) << created.error().message;

    // While it is open, a second open fails on LevelDB's lock.
    auto second = WalletDatabase::Open(empty, false);
    ASSERT_FALSE(second.has_value());
    EXPECT_NE(second.error().message.find("lock"), std::string::npos) << second.error().message;
    created->reset();

    auto again = WalletDatabase::Open(empty, true);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().message,
              "Failed to create database path '" + empty.string() + "'. Database already exists.");

    auto reopened = WalletDatabase::Open(empty, false);
    EXPECT_TRUE(reopened.has_value());
}

struct CorruptCase
{
    const char* name;
    Bytes key;
    Bytes value;
    const char* message; //!< expected part of the error
};

TEST(WalletDbTest, DamagedRecordsAreReportedByType)
{
    const Records e;
    Bytes tx_key{'t'};
    tx_key.insert(tx_key.end(), e.tx1.Txid().begin(), e.tx1.Txid().end());
    Bytes tx_value = SerializeWalletTx(e.tx1);
    Bytes trailing = tx_value;
    trailing.push_back(0);
    Bytes other_tx_key{'t'};
    other_tx_key.insert(other_tx_key.end(), e.tx2.Txid().begin(), e.tx2.Txid().end());
    Bytes desc_key{'d'};
    desc_key.insert(desc_key.end(), e.desc_id.begin(), e.desc_id.end());
    Bytes other_desc_key{'d'};
    other_desc_key.insert(other_desc_key.end(), 32, 0x11);
    Bytes desc_value;
    {
        consensus::Writer w{desc_value};
        w(ToBytes(DESC), int64_t{0}, int32_t{0}, int32_t{0}, int32_t{0}, false);
    }

    const std::vector<CorruptCase> cases{
        {"tx garbage", tx_key, Bytes{1, 2, 3}, "bad transaction record"},
        {"tx truncated", tx_key, Bytes(tx_value.begin(), tx_value.end() - 1),
         "bad transaction record"},
        {"tx trailing", tx_key, trailing, "bad transaction record"},
        {"tx under another txid", other_tx_key, tx_value, "bad transaction record"},
        {"descriptor garbage", desc_key, Bytes{0xff}, "bad descriptor record"},
        {"descriptor under another id", other_desc_key, desc_value, "bad descriptor record"},
        {"flags short", Bytes{'f'}, Bytes{1, 2, 3}, "bad flags record"},
        {"version short", Bytes{'v'}, Bytes{1}, "bad version record"},
        {"best block short", Bytes{'b'}, Bytes(10, 0), "bad best block record"},
        {"order short", Bytes{'o'}, Bytes{1}, "bad order position record"},
        {"master key short", Bytes{'m', 0, 0}, MakeMasterKey().salt, "bad master key record"},
        {"master key value", Bytes{'m', 0, 0, 0, 2}, Bytes{9}, "bad master key record"},
        {"active bad type", Bytes{'a', 9, 0}, Bytes(32, 0), "bad active descriptor record"},
        {"active short id", Bytes{'a', 0, 0}, Bytes(31, 0), "bad active descriptor record"},
        {"locked coin value", Bytes(37, 'l'), Bytes{1}, "bad locked coin record"},
        {"address book", Bytes{'n', 'x'}, Bytes{5, 'a'}, "bad address book record"},
        {"clear key", Bytes(33, 'k'), Bytes{}, "bad private descriptor record"},
        {"crypted key", Bytes(33, 'c'), Bytes{40}, "bad encrypted private descriptor record"},
        {"unknown type", Bytes{'z', 1}, Bytes{}, "unknown record type"},
        {"newer version", Bytes{'v'}, Bytes{2, 0, 0, 0}, "newer version"},
    };
    testutil::TempDir tmp;
    const fs::path pristine = tmp.Path() / "pristine";
    MakeFullWallet(pristine, e);
    for (size_t i = 0; i < cases.size(); ++i) {
        const auto& c = cases[i];
        fs::path dir = tmp.Path() / "w";
        dir += std::to_string(i);
        fs::copy(pristine, dir, fs::copy_options::recursive);
        PutRaw(dir, c.key, c.value);
        auto db = OpenOrDie(dir, false);
        ASSERT_TRUE(db) << c.name;
        auto data = db->Load();
        ASSERT_FALSE(data.has_value()) << c.name;
        EXPECT_NE(data.error().message.find(c.message), std::string::npos)
            << c.name << ": " << data.error().message;
    }
}

TEST(WalletDbTest, MissingVersionIsRefused)
{
    testutil::TempDir tmp;
    const fs::path dir = tmp.Path() / "w";
    {
        auto db = OpenOrDie(dir, true);
        ASSERT_TRUE(db);
    }
    {
        storage::DatabaseOptions options;
        options.path = dir;
        auto raw = storage::Database::Open(options);
        ASSERT_TRUE(raw.has_value());
        ASSERT_TRUE((*raw)->Erase(Bytes{'v'}));
    }
    auto db = OpenOrDie(dir, false);
    ASSERT_TRUE(db);
    auto data = db->Load();
    ASSERT_FALSE(data.has_value());
    EXPECT_NE(data.error().message.find("version"), std::string::npos);
}

TEST(WalletDbTest, WalletTxSerializationIsStrict)
{
    WalletTx wtx = MakeWalletTx(4);
    wtx.state = TxState{TxState::Kind::BLOCK_CONFLICTED, FilledHash(8), 99, -1, false};
    const Bytes bytes = SerializeWalletTx(wtx);
    auto back = DeserializeWalletTx(bytes);
    ASSERT_TRUE(back.has_value()) << back.error().message;
    ExpectSameTx(wtx, *back);
    for (size_t len = 0; len < bytes.size(); ++len) {
        EXPECT_FALSE(DeserializeWalletTx(std::span{bytes}.first(len)).has_value()) << len;
    }
    Bytes longer = bytes;
    longer.push_back(0);
    EXPECT_FALSE(DeserializeWalletTx(longer).has_value());

    // Each state kind and the abandoned flag survive.
    for (const auto kind : {TxState::Kind::INACTIVE, TxState::Kind::MEMPOOL,
                            TxState::Kind::CONFIRMED, TxState::Kind::BLOCK_CONFLICTED}) {
        WalletTx k = MakeWalletTx(5);
        k.state = TxState{kind, FilledHash(3), 5, 6, kind == TxState::Kind::INACTIVE};
        k.map_value.clear();
        k.from_me = false;
        auto decoded = DeserializeWalletTx(SerializeWalletTx(k));
        ASSERT_TRUE(decoded.has_value());
        ExpectSameTx(k, *decoded);
    }
}

TEST(WalletDbTest, BackupRestoresTheSameData)
{
    testutil::TempDir tmp;
    const Records e;
    MakeFullWallet(tmp.Path() / "w", e);
    const fs::path backup = tmp.Path() / "backups" / "w.bak";
    fs::create_directories(backup.parent_path());
    {
        auto db = OpenOrDie(tmp.Path() / "w", false);
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->Backup(backup));
        // Overwriting an existing backup file is allowed.
        ASSERT_TRUE(db->Backup(backup));
        // A directory is not a backup file.
        EXPECT_FALSE(db->Backup(tmp.Path() / "backups").has_value());
    }
    // Only the backup itself is left in its directory (the temporary file was renamed).
    size_t files{0};
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator{backup.parent_path()})
        ++files;
    EXPECT_EQ(files, 1U);
    const Bytes file = ReadFile(backup);
    const std::string magic{"minibit wallet backup"};
    ASSERT_GT(file.size(), magic.size() + 32);
    EXPECT_EQ(std::string(file.begin(), file.begin() + magic.size()), magic);
    // The last 32 bytes are SHA-256 of everything before them.
    const auto sum = consensus::Sha256Hash(std::span{file}.first(file.size() - 32));
    EXPECT_TRUE(std::equal(sum.begin(), sum.end(), file.end() - 32));

    const fs::path restored = tmp.Path() / "restored";
    auto ok = WalletDatabase::Restore(backup, restored);
    ASSERT_TRUE(ok) << ok.error().message;
    auto db = OpenOrDie(restored, false);
    ASSERT_TRUE(db);
    auto data = db->Load();
    ASSERT_TRUE(data.has_value()) << data.error().message;
    ExpectAll(*data, e);

    // Restoring over an existing database is refused and leaves it alone.
    db.reset();
    auto twice = WalletDatabase::Restore(backup, restored);
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().message, "Failed to create database path '" + restored.string() +
                                         "'. Database already exists.");
}

TEST(WalletDbTest, DamagedBackupRestoresNothing)
{
    testutil::TempDir tmp;
    const Records e;
    MakeFullWallet(tmp.Path() / "w", e);
    const fs::path backup = tmp.Path() / "w.bak";
    {
        auto db = OpenOrDie(tmp.Path() / "w", false);
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->Backup(backup));
    }
    const Bytes good = ReadFile(backup);
    const fs::path damaged = tmp.Path() / "damaged.bak";
    const fs::path target = tmp.Path() / "target";
    const auto expect_refused = [&](const Bytes& bytes, const std::string& what) {
        WriteFile(damaged, bytes);
        auto result = WalletDatabase::Restore(damaged, target);
        EXPECT_FALSE(result.has_value()) << what;
        EXPECT_FALSE(fs::exists(target)) << what;
    };
    for (size_t len = 0; len < good.size(); ++len)
        expect_refused(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(len)),
                       "truncated to " + std::to_string(len));
    for (size_t pos = 0; pos < good.size(); ++pos) {
        Bytes flipped = good;
        flipped[pos] ^= 0x01;
        expect_refused(flipped, "bit flipped at " + std::to_string(pos));
    }
    Bytes longer = good;
    longer.push_back(0);
    expect_refused(longer, "extra byte");

    auto missing = WalletDatabase::Restore(tmp.Path() / "nope.bak", target);
    EXPECT_FALSE(missing.has_value());
    EXPECT_FALSE(fs::exists(target));
}

// A backup with a correct checksum whose records do not decode is refused too.
TEST(WalletDbTest, RestoreChecksEveryRecord)
{
    testutil::TempDir tmp;
    const auto make_backup = [](const std::vector<std::pair<Bytes, Bytes>>& records) {
        Bytes out{'m', 'i', 'n', 'i', 'b', 'i', 't', ' ', 'w', 'a', 'l',
                  'l', 'e', 't', ' ', 'b', 'a', 'c', 'k', 'u', 'p', '\0'};
        consensus::Writer w{out};
        w(uint32_t{1}, uint64_t{records.size()});
        for (const auto& [k, v] : records)
            w(k, v);
        const auto sum = consensus::Sha256Hash(out);
        out.insert(out.end(), sum.begin(), sum.end());
        return out;
    };
    const Bytes version{1, 0, 0, 0};
    Bytes tx_key{'t'};
    tx_key.resize(33, 0x42);
    const fs::path file = tmp.Path() / "crafted.bak";

    // Sanity: the hand-made format is accepted when its records are good.
    WriteFile(file, make_backup({{Bytes{'o'}, Bytes(8, 0)}, {Bytes{'v'}, version}}));
    auto good = WalletDatabase::Restore(file, tmp.Path() / "good");
    ASSERT_TRUE(good) << good.error().message;

    WriteFile(file, make_backup({{tx_key, Bytes{1, 2, 3}}, {Bytes{'v'}, version}}));
    auto bad_tx = WalletDatabase::Restore(file, tmp.Path() / "bad_tx");
    ASSERT_FALSE(bad_tx.has_value());
    EXPECT_NE(bad_tx.error().message.find("bad transaction record"), std::string::npos)
        << bad_tx.error().message;
    EXPECT_FALSE(fs::exists(tmp.Path() / "bad_tx"));

    WriteFile(file, make_backup({{Bytes{'v'}, Bytes{2, 0, 0, 0}}}));
    EXPECT_FALSE(WalletDatabase::Restore(file, tmp.Path() / "newer").has_value());
    EXPECT_FALSE(fs::exists(tmp.Path() / "newer"));

    // Keys out of order (or repeated) cannot come from Backup.
    WriteFile(file, make_backup({{Bytes{'v'}, version}, {Bytes{'o'}, Bytes(8, 0)}}));
    EXPECT_FALSE(WalletDatabase::Restore(file, tmp.Path() / "unordered").has_value());
    EXPECT_FALSE(fs::exists(tmp.Path() / "unordered"));
}

} // namespace
} // namespace wallet
