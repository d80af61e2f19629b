#include <testutil/test_dir.h>

#include <storage/block_tree_db.h>
#include <storage/dbwrapper.h>
#include <storage/layout.h>

#include <consensus/block.h>
#include <consensus/serialize.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

using consensus::Uint256;
using storage::BlockFileInfo;
using storage::BlockTreeDB;
using storage::BlockTreeDBOptions;
using storage::DiskBlockIndex;
using testutil::TempDir;

consensus::BlockHeader Header(uint32_t nonce)
{
    consensus::BlockHeader h;
    h.version = 0x20000000;
    h.prev_block.data()[0] = static_cast<uint8_t>(nonce);
    h.merkle_root.data()[5] = 0x42;
    h.time = 1'700'000'000 + nonce;
    h.bits = 0x207fffff;
    h.nonce = nonce;
    return h;
}

DiskBlockIndex FullEntry(uint32_t nonce)
{
    DiskBlockIndex e;
    e.header = Header(nonce);
    e.height = static_cast<int>(nonce) + 100;
    e.status = storage::BLOCK_VALID_SCRIPTS | storage::BLOCK_HAVE_DATA | storage::BLOCK_HAVE_UNDO |
               storage::BLOCK_OPT_WITNESS;
    e.tx_count = 2500 + nonce;
    e.file = 3;
    e.data_pos = 130'000'000 + nonce;
    e.undo_pos = 9'000 + nonce;
    return e;
}

DiskBlockIndex HeaderOnlyEntry(uint32_t nonce)
{
    DiskBlockIndex e;
    e.header = Header(nonce);
    e.height = static_cast<int>(nonce);
    e.status = storage::BLOCK_VALID_TREE;
    return e;
}

std::vector<uint8_t> Concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

BlockTreeDBOptions Opts(const std::filesystem::path& path)
{
    BlockTreeDBOptions o;
    o.path = path;
    o.cache_bytes = 1 << 20;
    return o;
}

std::unique_ptr<BlockTreeDB> OpenOrFail(const BlockTreeDBOptions& options)
{
    auto db = BlockTreeDB::Open(options);
    EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().message);
    if (!db) return nullptr;
    return std::move(db).value();
}

// ---- record formats ------------------------------------------------------------

TEST(BlockTreeDBTest, EntryKnownBytes)
{
    DiskBlockIndex e;
    e.header = Header(1);
    e.height = 2;
    e.status = storage::BLOCK_VALID_TRANSACTIONS | storage::BLOCK_HAVE_DATA; // 3 | 8
    e.tx_count = 4;
    e.file = 5;
    e.data_pos = 200;
    // version, height, status, tx count, file, data pos (VARINT 200 = 80 48), no undo pos.
    const std::vector<uint8_t> expected =
        Concat({0x01, 0x02, 0x0b, 0x04, 0x05, 0x80, 0x48}, consensus::Encode(e.header));
    EXPECT_EQ(storage::EncodeDiskBlockIndex(e, 1), expected);

    // Without data or undo there is no file field either.
    DiskBlockIndex h = HeaderOnlyEntry(0);
    h.height = 0;
    EXPECT_EQ(storage::EncodeDiskBlockIndex(h, 0),
              Concat({0x00, 0x00, 0x02, 0x00}, consensus::Encode(h.header)));
    // Undo only: file and undo position.
    DiskBlockIndex u = HeaderOnlyEntry(0);
    u.status = storage::BLOCK_HAVE_UNDO;
    u.file = 1;
    u.undo_pos = 2;
    EXPECT_EQ(storage::EncodeDiskBlockIndex(u, 0),
              Concat({0x00, 0x00, 0x10, 0x00, 0x01, 0x02}, consensus::Encode(u.header)));
}

TEST(BlockTreeDBTest, EntryRoundTrips)
{
    DiskBlockIndex data_only = FullEntry(9);
    data_only.status = storage::BLOCK_VALID_TRANSACTIONS | storage::BLOCK_HAVE_DATA;
    data_only.undo_pos = 0;
    DiskBlockIndex undo_only = FullEntry(10);
    undo_only.status = storage::BLOCK_HAVE_UNDO | storage::BLOCK_FAILED_VALID;
    undo_only.data_pos = 0;
    DiskBlockIndex big = FullEntry(11);
    big.height = 0x7fffffff;
    big.tx_count = 0xffffffff;
    big.data_pos = 0xffffffff;
    big.file = 0x7fffffff;
    for (const DiskBlockIndex& e : {FullEntry(1), HeaderOnlyEntry(2), data_only, undo_only, big}) {
        for (int version : {0, 259900, 0x7fffffff}) {
            auto back = storage::DecodeDiskBlockIndex(storage::EncodeDiskBlockIndex(e, version));
            ASSERT_TRUE(back) << back.error().message;
            EXPECT_EQ(*back, e);
        }
    }
}

TEST(BlockTreeDBTest, EntryTruncatedAtEveryPrefixFails)
{
    for (const DiskBlockIndex& e : {FullEntry(1), HeaderOnlyEntry(2)}) {
        const std::vector<uint8_t> bytes = storage::EncodeDiskBlockIndex(e, 259900);
        for (size_t len = 0; len < bytes.size(); ++len) {
            EXPECT_FALSE(storage::DecodeDiskBlockIndex(std::span{bytes}.first(len))) << len;
        }
        std::vector<uint8_t> trailing = bytes;
        trailing.push_back(0);
        EXPECT_FALSE(storage::DecodeDiskBlockIndex(trailing));
    }
}

TEST(BlockTreeDBTest, EntryRejectsOutOfRangeFields)
{
    const std::vector<uint8_t> header = consensus::Encode(Header(1));
    // VARINT(2^31) = 86 fe fe ff 00: too big for a signed height.
    EXPECT_FALSE(storage::DecodeDiskBlockIndex(
        Concat({0x00, 0x86, 0xfe, 0xfe, 0xff, 0x00, 0x00, 0x00}, header)));
    // VARINT(2^32) = 8e fe fe ff 00: too big for the 32-bit status.
    EXPECT_FALSE(storage::DecodeDiskBlockIndex(
        Concat({0x00, 0x00, 0x8e, 0xfe, 0xfe, 0xff, 0x00, 0x00}, header)));
    // The largest values that fit are accepted: 2^31-1 = 86 fe fe fe 7f.
    auto ok = storage::DecodeDiskBlockIndex(
        Concat({0x00, 0x86, 0xfe, 0xfe, 0xfe, 0x7f, 0x00, 0x00}, header));
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->height, 0x7fffffff);
}

TEST(BlockTreeDBTest, FileInfoFormatAndRoundTrip)
{
    BlockFileInfo info;
    info.blocks = 1;
    info.size = 200;
    info.undo_size = 3;
    info.height_first = 4;
    info.height_last = 5;
    info.time_first = 6;
    info.time_last = 7;
    EXPECT_EQ(storage::EncodeBlockFileInfo(info),
              (std::vector<uint8_t>{0x01, 0x80, 0x48, 0x03, 0x04, 0x05, 0x06, 0x07}));

    BlockFileInfo big;
    big.blocks = 0xffffffff;
    big.size = 128 << 20;
    big.undo_size = 17 << 20;
    big.height_first = 800'000;
    big.height_last = 0xffffffff;
    big.time_first = 1'231'006'505;
    big.time_last = 0xffffffffffffffffULL;
    for (const BlockFileInfo& i : {info, big, BlockFileInfo{}}) {
        auto back = storage::DecodeBlockFileInfo(storage::EncodeBlockFileInfo(i));
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, i);
    }

    const std::vector<uint8_t> bytes = storage::EncodeBlockFileInfo(big);
    for (size_t len = 0; len < bytes.size(); ++len) {
        EXPECT_FALSE(storage::DecodeBlockFileInfo(std::span{bytes}.first(len))) << len;
    }
    std::vector<uint8_t> trailing = bytes;
    trailing.push_back(0);
    EXPECT_FALSE(storage::DecodeBlockFileInfo(trailing));
    // A block count above 32 bits.
    EXPECT_FALSE(storage::DecodeBlockFileInfo(
        std::vector<uint8_t>{0x8e, 0xfe, 0xfe, 0xff, 0x00, 0, 0, 0, 0, 0, 0}));
}

TEST(BlockTreeDBTest, FileInfoAddBlock)
{
    BlockFileInfo info;
    info.AddBlock(10, 1000);
    EXPECT_EQ(info.blocks, 1u);
    EXPECT_EQ(info.height_first, 10u);
    EXPECT_EQ(info.height_last, 10u);
    EXPECT_EQ(info.time_first, 1000u);
    EXPECT_EQ(info.time_last, 1000u);
    info.AddBlock(8, 1500); // lower height, later time
    info.AddBlock(12, 900); // higher height, earlier time
    EXPECT_EQ(info.blocks, 3u);
    EXPECT_EQ(info.height_first, 8u);
    EXPECT_EQ(info.height_last, 12u);
    EXPECT_EQ(info.time_first, 900u);
    EXPECT_EQ(info.time_last, 1500u);
    EXPECT_EQ(info.size, 0u); // sizes are the caller's business
}

// ---- database ------------------------------------------------------------------

TEST(BlockTreeDBTest, WriteAndLoadVisitsAll)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    std::vector<DiskBlockIndex> entries;
    for (uint32_t i = 0; i < 6; ++i)
        entries.push_back(i % 2 == 0 ? FullEntry(i) : HeaderOnlyEntry(i));
    ASSERT_TRUE(db->WriteBatchSync({}, 0, entries, 259900));

    std::map<Uint256, DiskBlockIndex> seen;
    ASSERT_TRUE(db->LoadBlockIndex([&](const Uint256& hash, const DiskBlockIndex& e) {
        EXPECT_TRUE(seen.emplace(hash, e).second);
        return true;
    }));
    ASSERT_EQ(seen.size(), entries.size());
    for (const DiskBlockIndex& e : entries) {
        auto it = seen.find(e.header.GetHash());
        ASSERT_NE(it, seen.end());
        EXPECT_EQ(it->second, e);
    }

    // Stopping early.
    size_t visits = 0;
    ASSERT_TRUE(
        db->LoadBlockIndex([&](const Uint256&, const DiskBlockIndex&) { return ++visits < 2; }));
    EXPECT_EQ(visits, 2u);

    // Persisted across reopen, stored under 'b' + hash in Core's format.
    db.reset();
    db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    auto raw = db->GetDatabase().Read(storage::layout::BlockIndexKey(entries[0].header.GetHash()));
    ASSERT_TRUE(raw && raw->has_value());
    EXPECT_EQ(**raw, storage::EncodeDiskBlockIndex(entries[0], 259900));
    size_t reloaded = 0;
    ASSERT_TRUE(db->LoadBlockIndex([&](const Uint256&, const DiskBlockIndex&) {
        ++reloaded;
        return true;
    }));
    EXPECT_EQ(reloaded, entries.size());
}

TEST(BlockTreeDBTest, LoadDetectsHashMismatch)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->WriteBatchSync({}, 0, std::vector<DiskBlockIndex>{FullEntry(1)}, 1));
    // The entry of block 2 filed under block 3's hash.
    ASSERT_TRUE(db->GetDatabase().Write(storage::layout::BlockIndexKey(Header(3).GetHash()),
                                        storage::EncodeDiskBlockIndex(FullEntry(2), 1)));
    auto loaded = db->LoadBlockIndex([](const Uint256&, const DiskBlockIndex&) { return true; });
    ASSERT_FALSE(loaded);
    EXPECT_TRUE(storage::IsCorruption(loaded.error())) << loaded.error().message;
}

TEST(BlockTreeDBTest, LoadDetectsUndecodableEntryAndBadKey)
{
    {
        TempDir dir;
        auto db = OpenOrFail(Opts(dir.Path()));
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->GetDatabase().Write(storage::layout::BlockIndexKey(Header(1).GetHash()),
                                            std::vector<uint8_t>{0x01, 0x02}));
        auto loaded =
            db->LoadBlockIndex([](const Uint256&, const DiskBlockIndex&) { return true; });
        ASSERT_FALSE(loaded);
        EXPECT_TRUE(storage::IsCorruption(loaded.error())) << loaded.error().message;
    }
    {
        TempDir dir;
        auto db = OpenOrFail(Opts(dir.Path()));
        ASSERT_TRUE(db);
        std::vector<uint8_t> short_key = storage::layout::BlockIndexKey(Header(1).GetHash());
        short_key.pop_back();
        ASSERT_TRUE(
            db->GetDatabase().Write(short_key, storage::EncodeDiskBlockIndex(FullEntry(1), 1)));
        auto loaded =
            db->LoadBlockIndex([](const Uint256&, const DiskBlockIndex&) { return true; });
        ASSERT_FALSE(loaded);
        EXPECT_TRUE(storage::IsCorruption(loaded.error())) << loaded.error().message;
    }
}

TEST(BlockTreeDBTest, FileInfoAndLastFile)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    auto none = db->ReadBlockFileInfo(0);
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
    auto no_last = db->ReadLastBlockFile();
    ASSERT_TRUE(no_last);
    EXPECT_FALSE(no_last->has_value());

    BlockFileInfo f0;
    f0.AddBlock(0, 1'231'006'505);
    f0.size = 293;
    BlockFileInfo f7;
    f7.AddBlock(700, 1'600'000'000);
    f7.AddBlock(701, 1'600'000'600);
    f7.size = 1 << 20;
    f7.undo_size = 4096;
    const std::vector<std::pair<int, BlockFileInfo>> files = {{0, f0}, {7, f7}};
    ASSERT_TRUE(db->WriteBatchSync(files, 7, {}, 1));

    db.reset();
    db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    auto r0 = db->ReadBlockFileInfo(0);
    ASSERT_TRUE(r0 && r0->has_value());
    EXPECT_EQ(**r0, f0);
    auto r7 = db->ReadBlockFileInfo(7);
    ASSERT_TRUE(r7 && r7->has_value());
    EXPECT_EQ(**r7, f7);
    auto r1 = db->ReadBlockFileInfo(1);
    ASSERT_TRUE(r1);
    EXPECT_FALSE(r1->has_value());
    auto last = db->ReadLastBlockFile();
    ASSERT_TRUE(last && last->has_value());
    EXPECT_EQ(**last, 7);
    // 'l' is a 4-byte little-endian int, as Core writes it.
    auto raw_last = db->GetDatabase().Read(storage::layout::LastBlockFileKey());
    ASSERT_TRUE(raw_last && raw_last->has_value());
    EXPECT_EQ(**raw_last, (std::vector<uint8_t>{7, 0, 0, 0}));

    // A malformed file record is corruption, not "absent".
    ASSERT_TRUE(
        db->GetDatabase().Write(storage::layout::BlockFileInfoKey(1), std::vector<uint8_t>{0x01}));
    auto bad = db->ReadBlockFileInfo(1);
    ASSERT_FALSE(bad);
    EXPECT_TRUE(storage::IsCorruption(bad.error())) << bad.error().message;
}

TEST(BlockTreeDBTest, ReindexFlag)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    auto initial = db->ReadReindexing();
    ASSERT_TRUE(initial);
    EXPECT_FALSE(*initial);

    ASSERT_TRUE(db->WriteReindexing(true));
    db.reset();
    db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    auto set = db->ReadReindexing();
    ASSERT_TRUE(set);
    EXPECT_TRUE(*set);
    auto raw = db->GetDatabase().Read(storage::layout::ReindexFlagKey());
    ASSERT_TRUE(raw && raw->has_value());
    EXPECT_EQ(**raw, std::vector<uint8_t>{'1'});

    ASSERT_TRUE(db->WriteReindexing(false));
    auto cleared = db->ReadReindexing();
    ASSERT_TRUE(cleared);
    EXPECT_FALSE(*cleared);
    auto gone = db->GetDatabase().Exists(storage::layout::ReindexFlagKey());
    ASSERT_TRUE(gone);
    EXPECT_FALSE(*gone);
}

TEST(BlockTreeDBTest, NamedFlags)
{
    TempDir dir;
    auto db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    auto absent = db->ReadFlag("txindex");
    ASSERT_TRUE(absent);
    EXPECT_FALSE(absent->has_value());

    ASSERT_TRUE(db->WriteFlag("prunedblockfiles", true));
    ASSERT_TRUE(db->WriteFlag("txindex", false));
    db.reset();
    db = OpenOrFail(Opts(dir.Path()));
    ASSERT_TRUE(db);
    auto pruned = db->ReadFlag("prunedblockfiles");
    ASSERT_TRUE(pruned && pruned->has_value());
    EXPECT_TRUE(**pruned);
    auto txindex = db->ReadFlag("txindex");
    ASSERT_TRUE(txindex && txindex->has_value());
    EXPECT_FALSE(**txindex);
    auto raw = db->GetDatabase().Read(storage::layout::FlagKey("txindex"));
    ASSERT_TRUE(raw && raw->has_value());
    EXPECT_EQ(**raw, std::vector<uint8_t>{'0'});

    ASSERT_TRUE(db->WriteFlag("prunedblockfiles", false));
    auto flipped = db->ReadFlag("prunedblockfiles");
    ASSERT_TRUE(flipped && flipped->has_value());
    EXPECT_FALSE(**flipped);

    ASSERT_TRUE(
        db->GetDatabase().Write(storage::layout::FlagKey("odd"), std::vector<uint8_t>{'x'}));
    auto odd = db->ReadFlag("odd");
    ASSERT_FALSE(odd);
    EXPECT_TRUE(storage::IsCorruption(odd.error())) << odd.error().message;
}

TEST(BlockTreeDBTest, WipeStartsEmpty)
{
    TempDir dir;
    {
        auto db = OpenOrFail(Opts(dir.Path()));
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->WriteBatchSync({}, 2, std::vector<DiskBlockIndex>{FullEntry(1)}, 1));
    }
    auto opts = Opts(dir.Path());
    opts.wipe = true;
    auto db = OpenOrFail(opts);
    ASSERT_TRUE(db);
    size_t visits = 0;
    ASSERT_TRUE(db->LoadBlockIndex([&](const Uint256&, const DiskBlockIndex&) {
        ++visits;
        return true;
    }));
    EXPECT_EQ(visits, 0u);
    auto last = db->ReadLastBlockFile();
    ASSERT_TRUE(last);
    EXPECT_FALSE(last->has_value());
}

} // namespace
