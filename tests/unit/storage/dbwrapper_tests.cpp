#include <testutil/test_dir.h>

#include <storage/dbwrapper.h>
#include <storage/layout.h>

#include <consensus/uint256.h>

#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/options.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace {

using storage::Batch;
using storage::Bytes;
using storage::Database;
using storage::DatabaseOptions;
using testutil::TempDir;

Bytes B(std::string_view s)
{
    return Bytes(s.begin(), s.end());
}

// Concatenation through append: gcc 12 misreports `"literal" + std::string` with -Wrestrict.
std::string Str(std::string_view a, std::string_view b)
{
    return std::string{a}.append(b);
}
Bytes B(std::string_view a, std::string_view b)
{
    return B(Str(a, b));
}

std::unique_ptr<Database> OpenOrFail(const DatabaseOptions& options)
{
    auto db = Database::Open(options);
    EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().message);
    if (!db) return nullptr;
    return std::move(db).value();
}

DatabaseOptions Opts(const std::filesystem::path& path, bool obfuscate = false)
{
    DatabaseOptions o;
    o.path = path;
    o.cache_bytes = 1 << 20;
    o.obfuscate = obfuscate;
    return o;
}

// Reads a value straight from LevelDB, bypassing the wrapper's de-obfuscation.
std::optional<std::string> RawRead(const std::filesystem::path& path, std::string_view key)
{
    leveldb::DB* raw = nullptr;
    leveldb::Options options;
    EXPECT_TRUE(leveldb::DB::Open(options, path.string(), &raw).ok());
    if (raw == nullptr) return std::nullopt;
    std::string value;
    const leveldb::Status st =
        raw->Get(leveldb::ReadOptions{}, leveldb::Slice{key.data(), key.size()}, &value);
    delete raw;
    if (!st.ok()) return std::nullopt;
    return value;
}

std::string_view AsString(const Bytes& b)
{
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

TEST(DatabaseTest, WriteReadEraseExists)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path() / "db"));
    ASSERT_TRUE(db);
    EXPECT_EQ(db->IsEmpty().value(), true);

    const Bytes key = B("key"), value = B("value");
    ASSERT_TRUE(db->Write(key, value));
    auto read = db->Read(key);
    ASSERT_TRUE(read);
    ASSERT_TRUE(read->has_value());
    EXPECT_EQ(**read, value);
    EXPECT_EQ(db->Exists(key).value(), true);
    EXPECT_EQ(db->IsEmpty().value(), false);

    // Overwrite, including an empty value.
    ASSERT_TRUE(db->Write(key, Bytes{}));
    EXPECT_EQ(db->Read(key).value(), std::optional<Bytes>{Bytes{}});

    ASSERT_TRUE(db->Erase(key));
    EXPECT_FALSE(db->Read(key).value().has_value());
    EXPECT_EQ(db->Exists(key).value(), false);
    // Erasing an absent key is fine.
    EXPECT_TRUE(db->Erase(B("never-written")));
    EXPECT_FALSE(db->Exists(B("never-written")).value());
}

TEST(DatabaseTest, TypedValues)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path() / "db", true));
    ASSERT_TRUE(db);
    auto hash = consensus::Uint256::FromHex(
        "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    ASSERT_TRUE(hash);
    ASSERT_TRUE(db->WriteValue(storage::layout::BestBlockKey(), *hash));
    ASSERT_TRUE(db->WriteValue(storage::layout::LastBlockFileKey(), int32_t{7}));
    const std::vector<consensus::Uint256> heads{*hash, consensus::Uint256{}};
    ASSERT_TRUE(db->WriteValue(storage::layout::HeadBlocksKey(), heads));

    auto best = db->ReadValue<consensus::Uint256>(storage::layout::BestBlockKey());
    ASSERT_TRUE(best);
    EXPECT_EQ(best->value(), *hash);
    EXPECT_EQ(db->ReadValue<int32_t>(storage::layout::LastBlockFileKey()).value(),
              std::optional<int32_t>{7});
    EXPECT_EQ(
        db->ReadValue<std::vector<consensus::Uint256>>(storage::layout::HeadBlocksKey())->value(),
        heads);
    // Absent is not an error.
    auto missing = db->ReadValue<consensus::Uint256>(storage::layout::BlockIndexKey(*hash));
    ASSERT_TRUE(missing);
    EXPECT_FALSE(missing->has_value());
    // A value of the wrong shape is reported, not misread.
    auto wrong = db->ReadValue<consensus::Uint256>(storage::layout::LastBlockFileKey());
    ASSERT_FALSE(wrong);
    EXPECT_TRUE(storage::IsCorruption(wrong.error())) << wrong.error().message;
    auto trailing = db->ReadValue<int32_t>(storage::layout::BestBlockKey());
    ASSERT_FALSE(trailing);
}

TEST(DatabaseTest, IterateByPrefix)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path() / "db", true));
    ASSERT_TRUE(db);
    // Written out of order; iteration must come back sorted and within the prefix.
    for (const char* k : {"b3", "a1", "b1", "c1", "b2", "b", "a9"}) {
        ASSERT_TRUE(db->Write(B(k), B("v", k)));
    }
    auto it = db->NewIterator();
    const Bytes prefix = B("b");
    std::vector<std::string> seen;
    for (it->Seek(prefix); it->ValidWithPrefix(prefix); it->Next()) {
        const auto key = it->Key();
        seen.emplace_back(key.begin(), key.end());
        EXPECT_EQ(AsString(it->Value()), Str("v", seen.back()));
    }
    EXPECT_TRUE(it->Status());
    EXPECT_EQ(seen, (std::vector<std::string>{"b", "b1", "b2", "b3"}));

    // Seeking into a gap lands on the next key; past the end is invalid.
    it->Seek(B("a5"));
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(AsString(Bytes(it->Key().begin(), it->Key().end())), "a9");
    it->Seek(B("zz"));
    EXPECT_FALSE(it->Valid());
    EXPECT_FALSE(it->ValidWithPrefix(prefix));

    // Typed values through the iterator.
    ASSERT_TRUE(db->WriteValue(B("n1"), uint32_t{42}));
    it = db->NewIterator();
    it->Seek(B("n"));
    ASSERT_TRUE(it->ValidWithPrefix(B("n")));
    EXPECT_EQ(it->ValueAs<uint32_t>().value(), 42u);
}

TEST(DatabaseTest, BatchIsAtomicAcrossReopen)
{
    TempDir dir;
    const auto path = dir.Path() / "db";
    {
        auto db = OpenOrFail(Opts(path, true));
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->Write(B("gone"), B("x")));
        Batch batch{*db};
        EXPECT_LE(batch.ApproximateSize(), 12u);
        const size_t empty_size = batch.ApproximateSize();
        for (int i = 0; i < 1000; ++i)
            batch.Put(B("k", std::to_string(i)), B("v", std::to_string(i)));
        batch.Delete(B("gone"));
        EXPECT_GT(batch.ApproximateSize(), empty_size + 1000);
        // Nothing is visible before the commit.
        EXPECT_FALSE(db->Exists(B("k0")).value());
        EXPECT_TRUE(db->Exists(B("gone")).value());
        ASSERT_TRUE(db->Write(batch, /*sync=*/true));

        // A batch never written leaves no trace.
        Batch abandoned{*db};
        for (int i = 0; i < 10; ++i)
            abandoned.Put(B("never", std::to_string(i)), B("x"));
        Batch cleared{*db};
        cleared.Put(B("cleared"), B("x"));
        cleared.Clear();
        ASSERT_TRUE(db->Write(cleared, true));
    }
    auto db = OpenOrFail(Opts(path, true));
    ASSERT_TRUE(db);
    for (int i = 0; i < 1000; ++i) {
        auto v = db->Read(B("k", std::to_string(i)));
        ASSERT_TRUE(v && v->has_value()) << i;
        EXPECT_EQ(AsString(**v), Str("v", std::to_string(i))) << i;
    }
    EXPECT_FALSE(db->Exists(B("gone")).value());
    EXPECT_FALSE(db->Exists(B("cleared")).value());
    for (int i = 0; i < 10; ++i)
        EXPECT_FALSE(db->Exists(B("never", std::to_string(i))).value()) << i;
}

TEST(DatabaseTest, ObfuscationHidesValuesAndKeySurvivesReopen)
{
    TempDir dir;
    const auto path = dir.Path() / "chainstate";
    const Bytes plain = B("a plain value that antivirus might dislike");
    storage::ObfuscationKey key{};
    {
        auto db = OpenOrFail(Opts(path, true));
        ASSERT_TRUE(db);
        key = db->GetObfuscationKey();
        EXPECT_NE(key, storage::ObfuscationKey{});
        ASSERT_TRUE(db->Write(B("k"), plain));
        EXPECT_EQ(db->Read(B("k")).value(), std::optional<Bytes>{plain});
    }
    // On disk: XORed value and the key stored in clear as a serialized 8-byte vector.
    const auto raw = RawRead(path, "k");
    ASSERT_TRUE(raw);
    ASSERT_EQ(raw->size(), plain.size());
    EXPECT_NE(*raw, std::string(AsString(plain)));
    for (size_t i = 0; i < plain.size(); ++i) {
        EXPECT_EQ(static_cast<uint8_t>((*raw)[i]), plain[i] ^ key[i % 8]) << i;
    }
    const auto raw_key = RawRead(path, storage::layout::OBFUSCATE_KEY_KEY);
    ASSERT_TRUE(raw_key);
    ASSERT_EQ(raw_key->size(), 9u);
    EXPECT_EQ(static_cast<uint8_t>((*raw_key)[0]), 8);
    EXPECT_TRUE(
        std::equal(key.begin(), key.end(), reinterpret_cast<const uint8_t*>(raw_key->data()) + 1));

    // Reopening keeps the key whatever the option says.
    for (bool obfuscate : {true, false}) {
        auto db = OpenOrFail(Opts(path, obfuscate));
        ASSERT_TRUE(db);
        EXPECT_EQ(db->GetObfuscationKey(), key) << obfuscate;
        EXPECT_EQ(db->Read(B("k")).value(), std::optional<Bytes>{plain}) << obfuscate;
    }
}

TEST(DatabaseTest, NoObfuscationWhenOffOrDatabaseAlreadyHasData)
{
    TempDir dir;
    const auto path = dir.Path() / "db";
    {
        auto db = OpenOrFail(Opts(path, false));
        ASSERT_TRUE(db);
        EXPECT_EQ(db->GetObfuscationKey(), storage::ObfuscationKey{});
        ASSERT_TRUE(db->Write(B("k"), B("clear")));
    }
    EXPECT_EQ(RawRead(path, "k"), std::optional<std::string>{"clear"});
    // A database that already holds data in clear must stay readable.
    auto db = OpenOrFail(Opts(path, true));
    ASSERT_TRUE(db);
    EXPECT_EQ(db->GetObfuscationKey(), storage::ObfuscationKey{});
    EXPECT_EQ(db->Read(B("k")).value(), std::optional<Bytes>{B("clear")});
    EXPECT_FALSE(db->Exists(Bytes(storage::layout::OBFUSCATE_KEY_KEY.begin(),
                                  storage::layout::OBFUSCATE_KEY_KEY.end()))
                     .value());
}

TEST(DatabaseTest, PersistsAndWipes)
{
    TempDir dir;
    const auto path = dir.Path() / "db";
    {
        auto db = OpenOrFail(Opts(path, true));
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->Write(B("persist"), B("yes")));
    }
    {
        auto db = OpenOrFail(Opts(path, true));
        ASSERT_TRUE(db);
        EXPECT_EQ(db->Read(B("persist")).value(), std::optional<Bytes>{B("yes")});
    }
    auto opts = Opts(path, true);
    opts.wipe = true;
    auto db = OpenOrFail(opts);
    ASSERT_TRUE(db);
    EXPECT_FALSE(db->Exists(B("persist")).value());
}

TEST(DatabaseTest, OpenErrorsNameThePath)
{
    TempDir dir;
    // A regular file where the database directory (or its parent) should be.
    const auto file = dir.Path() / "not-a-dir";
    std::ofstream{file} << "x";
    for (const auto& path : {file, file / "db"}) {
        auto db = Database::Open(Opts(path));
        ASSERT_FALSE(db) << path;
        EXPECT_NE(db.error().message.find(file.string()), std::string::npos) << db.error().message;
        EXPECT_FALSE(storage::IsCorruption(db.error())) << db.error().message;
    }
    // A database already open (LevelDB's LOCK) cannot be opened twice.
    auto first = OpenOrFail(Opts(dir.Path() / "db"));
    ASSERT_TRUE(first);
    auto second = Database::Open(Opts(dir.Path() / "db"));
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().message.find((dir.Path() / "db").string()), std::string::npos)
        << second.error().message;
}

TEST(DatabaseTest, EstimateSizeAndCompact)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path() / "db", true));
    ASSERT_TRUE(db);
    const Bytes value(1000, 0x5a);
    for (int i = 0; i < 2000; ++i) {
        char key[16];
        std::snprintf(key, sizeof key, "e%06d", i);
        ASSERT_TRUE(db->Write(B(key), value));
    }
    db->Compact();
    EXPECT_GT(db->EstimateSize(B("e"), B("f")), 1'000'000u);
    EXPECT_EQ(db->EstimateSize(B("x"), B("y")), 0u);
    // Data survives compaction.
    EXPECT_EQ(db->Read(B("e000123")).value(), std::optional<Bytes>{value});
}

TEST(DatabaseTest, CorruptedTableIsReportedNotFatal)
{
    TempDir dir;
    const auto path = dir.Path() / "db";
    const int N = 3000;
    {
        auto db = OpenOrFail(Opts(path, true));
        ASSERT_TRUE(db);
        for (int i = 0; i < N; ++i) {
            ASSERT_TRUE(db->Write(B("c", std::to_string(i)), Bytes(100, static_cast<uint8_t>(i))));
        }
        db->Compact(); // moves everything into .ldb table files
    }
    int tables = 0;
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.path().extension() != ".ldb") continue;
        ++tables;
        std::fstream f{entry.path(), std::ios::in | std::ios::out | std::ios::binary};
        const auto size = std::filesystem::file_size(entry.path());
        // Damage data blocks throughout the file (not only the footer).
        for (uint64_t off = 0; off + 1 < size / 2; off += 512) {
            f.seekg(static_cast<std::streamoff>(off));
            char c = 0;
            f.read(&c, 1);
            c = static_cast<char>(c ^ 0xff);
            f.seekp(static_cast<std::streamoff>(off));
            f.write(&c, 1);
        }
    }
    ASSERT_GT(tables, 0);

    auto db = Database::Open(Opts(path, true));
    if (!db) {
        EXPECT_TRUE(storage::IsCorruption(db.error())) << db.error().message;
        return;
    }
    int corrupt_reads = 0;
    for (int i = 0; i < N; ++i) {
        auto v = (*db)->Read(B("c", std::to_string(i)));
        if (!v) {
            EXPECT_TRUE(storage::IsCorruption(v.error())) << v.error().message;
            EXPECT_NE(v.error().message.find(path.string()), std::string::npos)
                << v.error().message;
            ++corrupt_reads;
        }
    }
    EXPECT_GT(corrupt_reads, 0);
    auto it = (*db)->NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
    }
    auto st = it->Status();
    ASSERT_FALSE(st);
    EXPECT_TRUE(storage::IsCorruption(st.error())) << st.error().message;
}

} // namespace
