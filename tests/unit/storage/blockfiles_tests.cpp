#include <testutil/test_dir.h>

#include <storage/blockfiles.h>
#include <storage/flatfile.h>

#include <consensus/block.h>
#include <consensus/consensus_constants.h>
#include <consensus/hash.h>
#include <consensus/serialize.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using storage::BlockFiles;
using storage::BlockFilesOptions;
using storage::FlatFilePos;
using storage::FlatFileSeq;
using testutil::TempDir;

constexpr storage::MessageStart MAINNET_MAGIC{0xf9, 0xbe, 0xb4, 0xd9};

struct TestBlock
{
    std::vector<uint8_t> bytes;
    consensus::Uint256 hash;
};

std::vector<uint8_t> ReadFile(const std::filesystem::path& path)
{
    std::ifstream f{path, std::ios::binary};
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Mainnet blocks 1..255, already in blk file framing.
const std::vector<TestBlock>& Blocks()
{
    static const std::vector<TestBlock> blocks = [] {
        std::vector<TestBlock> out;
        const auto data =
            ReadFile(std::string{MINIBIT_TEST_DATA_DIR} + "/blocks/mainnet-blocks-1-255.dat");
        size_t pos = 0;
        while (pos + 8 <= data.size()) {
            const uint32_t size = data[pos + 4] | (data[pos + 5] << 8) | (data[pos + 6] << 16) |
                                  (static_cast<uint32_t>(data[pos + 7]) << 24);
            pos += 8;
            if (pos + size > data.size()) break;
            TestBlock b;
            b.bytes.assign(data.begin() + pos, data.begin() + pos + size);
            auto block = consensus::Decode<consensus::Block>(b.bytes);
            if (block) b.hash = block->GetHash();
            out.push_back(std::move(b));
            pos += size;
        }
        return out;
    }();
    return blocks;
}

BlockFilesOptions Opts(const std::filesystem::path& dir)
{
    BlockFilesOptions o;
    o.blocks_dir = dir;
    o.magic = MAINNET_MAGIC;
    return o;
}

// A deterministic stand-in for serialized undo data.
std::vector<uint8_t> FakeUndo(size_t i)
{
    std::vector<uint8_t> out(10 + (i * 37) % 300);
    for (size_t j = 0; j < out.size(); ++j)
        out[j] = static_cast<uint8_t>(i * 31 + j);
    return out;
}

void FlipByte(const std::filesystem::path& path, uint64_t offset, uint8_t mask = 0xff)
{
    std::fstream f{path, std::ios::in | std::ios::out | std::ios::binary};
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ mask);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
}

bool Contains(const std::string& haystack, std::string_view needle)
{
    return haystack.find(needle) != std::string::npos;
}

TEST(BlockFilesTest, TestDataLoaded)
{
    ASSERT_EQ(Blocks().size(), 255u);
    for (size_t i = 0; i < Blocks().size(); ++i)
        EXPECT_FALSE(Blocks()[i].hash.IsNull()) << "block " << i + 1;
}

TEST(BlockFilesTest, FileNaming)
{
    const FlatFileSeq seq{"/x/blocks", "blk", 1024};
    EXPECT_EQ(seq.FileName({0, 0}), std::filesystem::path{"/x/blocks/blk00000.dat"});
    EXPECT_EQ(seq.FileName({42, 7}), std::filesystem::path{"/x/blocks/blk00042.dat"});
    EXPECT_EQ(seq.FileName({99999, 0}), std::filesystem::path{"/x/blocks/blk99999.dat"});
    const BlockFiles files{Opts("/x/blocks")};
    EXPECT_EQ(files.BlockFileName(3).filename(), "blk00003.dat");
    EXPECT_EQ(files.UndoFileName(12345).filename(), "rev12345.dat");
    EXPECT_EQ((FlatFilePos{1, 2}).ToString(), "FlatFilePos(file=1, pos=2)");
    EXPECT_TRUE(FlatFilePos{}.IsNull());
}

TEST(BlockFilesTest, AppendAndReadBackByteIdentical)
{
    TempDir dir;
    BlockFiles files{Opts(dir.Path())};
    std::vector<FlatFilePos> positions;
    uint32_t expected_pos = storage::STORAGE_HEADER_BYTES;
    for (const auto& b : Blocks()) {
        auto pos = files.WriteRawBlock(b.bytes);
        ASSERT_TRUE(pos) << pos.error().message;
        EXPECT_EQ(pos->file, 0);
        EXPECT_EQ(pos->pos, expected_pos);
        expected_pos += storage::STORAGE_HEADER_BYTES + static_cast<uint32_t>(b.bytes.size());
        positions.push_back(*pos);
    }
    ASSERT_TRUE(files.Flush());
    EXPECT_TRUE(std::filesystem::exists(dir.Path() / "blk00000.dat"));
    // Pre-allocated to one 16 MiB chunk.
    EXPECT_EQ(std::filesystem::file_size(dir.Path() / "blk00000.dat"),
              storage::BLOCKFILE_CHUNK_SIZE);
    EXPECT_EQ(files.GetFileSizes().at(0).blk, expected_pos - storage::STORAGE_HEADER_BYTES);

    for (size_t i = 0; i < Blocks().size(); ++i) {
        auto raw = files.ReadRawBlock(positions[i]);
        ASSERT_TRUE(raw) << i << ": " << raw.error().message;
        EXPECT_EQ(*raw, Blocks()[i].bytes) << "block " << i + 1;
        auto block = files.ReadBlock(positions[i], Blocks()[i].hash);
        ASSERT_TRUE(block) << i << ": " << block.error().message;
        EXPECT_EQ(consensus::Encode(*block), Blocks()[i].bytes) << "block " << i + 1;
        // The same bytes under another hash are refused.
        auto wrong = files.ReadBlock(positions[i], Blocks()[(i + 1) % Blocks().size()].hash);
        ASSERT_FALSE(wrong) << i;
        EXPECT_TRUE(Contains(wrong.error().message, "hash")) << wrong.error().message;
    }

    // The file the block parser of Core would see: identical framing.
    const auto expected_file =
        ReadFile(std::string{MINIBIT_TEST_DATA_DIR} + "/blocks/mainnet-blocks-1-255.dat");
    const auto written = ReadFile(dir.Path() / "blk00000.dat");
    ASSERT_GE(written.size(), expected_file.size());
    EXPECT_TRUE(std::equal(expected_file.begin(), expected_file.end(), written.begin()));

    // Writing a decoded Block gives the same bytes.
    auto decoded = consensus::Decode<consensus::Block>(Blocks()[0].bytes);
    ASSERT_TRUE(decoded);
    auto pos = files.WriteBlock(*decoded);
    ASSERT_TRUE(pos);
    EXPECT_EQ(files.ReadRawBlock(*pos).value(), Blocks()[0].bytes);
}

TEST(BlockFilesTest, RollsOverToNextFileAndResumes)
{
    TempDir dir;
    auto opts = Opts(dir.Path());
    opts.max_blockfile_size = 8 * 1024;
    opts.blockfile_chunk_size = 4096;
    opts.undofile_chunk_size = 1024;
    std::vector<FlatFilePos> positions;
    std::vector<storage::FileSizes> sizes;
    int last_file = 0;
    {
        BlockFiles files{opts};
        for (size_t i = 0; i < 150; ++i) {
            auto pos = files.WriteRawBlock(Blocks()[i].bytes);
            ASSERT_TRUE(pos) << i << ": " << pos.error().message;
            if (!positions.empty()) {
                EXPECT_TRUE(pos->file == positions.back().file ||
                            pos->file == positions.back().file + 1)
                    << i;
                if (pos->file == positions.back().file + 1) {
                    EXPECT_EQ(pos->pos, storage::STORAGE_HEADER_BYTES);
                }
            }
            positions.push_back(*pos);
        }
        ASSERT_TRUE(files.Flush());
        sizes = files.GetFileSizes();
        last_file = files.GetLastFile();
    }
    ASSERT_GE(last_file, 2);
    for (int f = 0; f <= last_file; ++f) {
        EXPECT_LT(sizes[f].blk, opts.max_blockfile_size) << f;
        EXPECT_GT(sizes[f].blk, 0u) << f;
    }
    // Finished files were cut to their used size when left.
    for (int f = 0; f < last_file; ++f) {
        EXPECT_EQ(std::filesystem::file_size(dir.Path() / ("blk0000" + std::to_string(f) + ".dat")),
                  sizes[f].blk)
            << f;
    }

    // A new instance resumes where the old one stopped.
    BlockFiles files{opts, sizes, last_file};
    for (size_t i = 150; i < Blocks().size(); ++i) {
        auto pos = files.WriteRawBlock(Blocks()[i].bytes);
        ASSERT_TRUE(pos) << i << ": " << pos.error().message;
        EXPECT_GE(pos->file, positions.back().file);
        if (pos->file == positions.back().file) {
            EXPECT_GT(pos->pos, positions.back().pos);
        }
        positions.push_back(*pos);
    }
    for (size_t i = 0; i < Blocks().size(); ++i) {
        auto block = files.ReadBlock(positions[i], Blocks()[i].hash);
        ASSERT_TRUE(block) << i << ": " << block.error().message;
        EXPECT_EQ(files.ReadRawBlock(positions[i]).value(), Blocks()[i].bytes) << i;
    }
}

TEST(BlockFilesTest, RefusesOversizedBlock)
{
    TempDir dir;
    BlockFiles files{Opts(dir.Path())};
    const std::vector<uint8_t> huge(consensus::MAX_BLOCK_SERIALIZED_SIZE + 1, 0);
    EXPECT_FALSE(files.WriteRawBlock(huge));
    EXPECT_EQ(files.GetFileSizes().at(0).blk, 0u);
}

// Each damaged file must produce an error naming what is wrong, never a crash or a wrong block.
TEST(BlockFilesTest, DamagedBlockFileIsDetected)
{
    struct Case
    {
        const char* name;
        int64_t offset_from_payload; // where to flip, relative to the block's payload start
        uint8_t mask;
        std::string expect; // substring of the error
    };
    const std::vector<Case> cases{
        {"magic", -8, 0x01, "magic"},
        {"magic last byte", -5, 0x80, "magic"},
        {"size above cap", -1, 0x10, "size"},
        {"size shrunk", -8 + 4, 0x01, "decode"}, // size-1: the block is cut short
        {"header version", 0, 0x01, "hash"},     // still decodes, wrong hash
        {"header nonce", 79, 0x40, "hash"},
        {"tx count", 80, 0x02, "decode"},               // 1 tx -> 3 txs: runs out of bytes
        {"tx byte in the middle", 120, 0x01, "merkle"}, // decodes with the right header hash
        {"last byte (locktime)", -1, 0x01, "merkle"},   // offset patched below to the payload end
    };
    for (const auto& c : cases) {
        TempDir dir;
        BlockFiles files{Opts(dir.Path())};
        const auto& b = Blocks()[100];
        auto before = files.WriteRawBlock(Blocks()[99].bytes);
        auto pos = files.WriteRawBlock(b.bytes);
        auto after = files.WriteRawBlock(Blocks()[101].bytes);
        ASSERT_TRUE(before && pos && after) << c.name;
        ASSERT_TRUE(files.ReadBlock(*pos, b.hash)) << c.name;

        const int64_t offset = std::string{c.name}.starts_with("last byte")
                                   ? static_cast<int64_t>(b.bytes.size()) - 1
                                   : c.offset_from_payload;
        FlipByte(files.BlockFileName(0),
                 static_cast<uint64_t>(static_cast<int64_t>(pos->pos) + offset), c.mask);
        auto read = files.ReadBlock(*pos, b.hash);
        ASSERT_FALSE(read) << c.name;
        EXPECT_TRUE(Contains(read.error().message, c.expect))
            << c.name << ": " << read.error().message;
        // Neighbours are untouched.
        EXPECT_TRUE(files.ReadBlock(*before, Blocks()[99].hash)) << c.name;
        EXPECT_TRUE(files.ReadBlock(*after, Blocks()[101].hash)) << c.name;
    }
}

TEST(BlockFilesTest, TruncatedBlockFileIsDetected)
{
    TempDir dir;
    BlockFiles files{Opts(dir.Path())};
    std::vector<FlatFilePos> positions;
    for (size_t i = 0; i < 5; ++i)
        positions.push_back(files.WriteRawBlock(Blocks()[i].bytes).value());
    const auto path = files.BlockFileName(0);
    // Cut at every interesting point of the last record: inside the frame and inside the block.
    const uint32_t last = positions.back().pos;
    // Shrinking only: growing the file back would zero-fill it.
    for (uint64_t cut : {uint64_t{last} + Blocks()[4].bytes.size() - 1, uint64_t{last} + 1,
                         uint64_t{last}, uint64_t{last} - 3, uint64_t{last} - 8}) {
        std::filesystem::resize_file(path, cut);
        auto read = files.ReadBlock(positions.back(), Blocks()[4].hash);
        ASSERT_FALSE(read) << cut;
        EXPECT_TRUE(Contains(read.error().message, "end of file")) << read.error().message;
        EXPECT_TRUE(files.ReadBlock(positions[0], Blocks()[0].hash)) << cut;
    }
    // Invalid positions and missing files.
    EXPECT_FALSE(files.ReadRawBlock(FlatFilePos{}));
    EXPECT_FALSE(files.ReadRawBlock(FlatFilePos{0, 3}));
    auto missing = files.ReadRawBlock(FlatFilePos{7, 8});
    ASSERT_FALSE(missing);
    EXPECT_TRUE(Contains(missing.error().message, "blk00007.dat")) << missing.error().message;
    EXPECT_FALSE(std::filesystem::exists(files.BlockFileName(7)));
    // Zero-filled, pre-allocated space past the end of the data is not a block.
    std::filesystem::resize_file(path, 100000);
    EXPECT_FALSE(files.ReadRawBlock(FlatFilePos{0, 90000}));
}

TEST(BlockFilesTest, UndoRoundTripAndChecksum)
{
    TempDir dir;
    BlockFiles files{Opts(dir.Path())};
    std::vector<FlatFilePos> undo_pos;
    // Undo of block i+1 is checksummed with the hash of block i (its parent).
    for (size_t i = 1; i < Blocks().size(); ++i) {
        ASSERT_TRUE(files.WriteRawBlock(Blocks()[i].bytes));
        auto pos = files.WriteUndo(0, FakeUndo(i), Blocks()[i - 1].hash);
        ASSERT_TRUE(pos) << i << ": " << pos.error().message;
        undo_pos.push_back(*pos);
    }
    ASSERT_TRUE(files.Flush());
    EXPECT_EQ(std::filesystem::file_size(files.UndoFileName(0)), storage::UNDOFILE_CHUNK_SIZE);
    for (size_t i = 1; i < Blocks().size(); ++i) {
        auto undo = files.ReadUndo(undo_pos[i - 1], Blocks()[i - 1].hash);
        ASSERT_TRUE(undo) << i << ": " << undo.error().message;
        EXPECT_EQ(*undo, FakeUndo(i)) << i;
        // Against the wrong parent the checksum fails.
        auto wrong = files.ReadUndo(undo_pos[i - 1], Blocks()[i].hash);
        ASSERT_FALSE(wrong) << i;
        EXPECT_TRUE(Contains(wrong.error().message, "checksum")) << wrong.error().message;
    }

    // The trailer is SHA256d(parent hash || undo bytes), as Core writes it.
    const auto rev = ReadFile(files.UndoFileName(0));
    const auto& first = undo_pos[0];
    const auto undo1 = FakeUndo(1);
    std::vector<uint8_t> preimage(Blocks()[0].hash.begin(), Blocks()[0].hash.end());
    preimage.insert(preimage.end(), undo1.begin(), undo1.end());
    const consensus::Uint256 checksum = consensus::Hash256(preimage);
    EXPECT_TRUE(
        std::equal(checksum.begin(), checksum.end(), rev.begin() + first.pos + undo1.size()));
    EXPECT_TRUE(
        std::equal(MAINNET_MAGIC.begin(), MAINNET_MAGIC.end(), rev.begin() + first.pos - 8));

    // Finalizing cuts the pre-allocated tail.
    ASSERT_TRUE(files.FlushUndoFile(0, /*finalize=*/true));
    EXPECT_EQ(std::filesystem::file_size(files.UndoFileName(0)), files.GetFileSizes()[0].rev);
    EXPECT_FALSE(files.WriteUndo(5, FakeUndo(0), Blocks()[0].hash)); // no such blk file
}

TEST(BlockFilesTest, DamagedUndoIsDetected)
{
    const auto undo = FakeUndo(7);
    // Offsets relative to the payload start: frame, payload and checksum.
    struct Case
    {
        int64_t offset;
        std::string expect;
    };
    const std::vector<Case> cases{{-8, "magic"},
                                  {-1, "size"},
                                  {-4, "checksum"},
                                  {0, "checksum"},
                                  {static_cast<int64_t>(undo.size()) - 1, "checksum"},
                                  {static_cast<int64_t>(undo.size()), "checksum"},
                                  {static_cast<int64_t>(undo.size()) + 31, "checksum"}};
    for (const auto& c : cases) {
        TempDir dir;
        BlockFiles files{Opts(dir.Path())};
        ASSERT_TRUE(files.WriteRawBlock(Blocks()[1].bytes));
        auto pos = files.WriteUndo(0, undo, Blocks()[0].hash);
        ASSERT_TRUE(pos);
        ASSERT_TRUE(files.ReadUndo(*pos, Blocks()[0].hash));
        // -4 shrinks the size by one byte: the checksum then covers other bytes.
        FlipByte(files.UndoFileName(0), static_cast<uint64_t>(pos->pos + c.offset),
                 c.offset == -4 ? 0x01 : 0xff);
        auto read = files.ReadUndo(*pos, Blocks()[0].hash);
        ASSERT_FALSE(read) << c.offset;
        EXPECT_TRUE(Contains(read.error().message, c.expect))
            << c.offset << ": " << read.error().message;
    }
    // Truncation anywhere in the record.
    TempDir dir;
    BlockFiles files{Opts(dir.Path())};
    ASSERT_TRUE(files.WriteRawBlock(Blocks()[1].bytes));
    auto pos = files.WriteUndo(0, undo, Blocks()[0].hash);
    ASSERT_TRUE(pos);
    for (uint64_t cut = pos->pos + undo.size() + 31; cut + 8 >= pos->pos && cut > 0; --cut) {
        std::filesystem::resize_file(files.UndoFileName(0), cut);
        auto read = files.ReadUndo(*pos, Blocks()[0].hash);
        ASSERT_FALSE(read) << cut;
        EXPECT_TRUE(Contains(read.error().message, "end of file"))
            << cut << ": " << read.error().message;
    }
}

TEST(FlatFileTest, AllocateGrowsInChunks)
{
    TempDir dir;
    const FlatFileSeq seq{dir.Path() / "sub", "rev", 1000};
    auto added = seq.Allocate({0, 0}, 10);
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_EQ(*added, 1000u);
    EXPECT_EQ(std::filesystem::file_size(seq.FileName({0, 0})), 1000u);
    EXPECT_EQ(seq.Allocate({0, 10}, 990).value(), 0u); // still fits
    EXPECT_EQ(seq.Allocate({0, 1000}, 1).value(), 1000u);
    // Counted from pos to the new end (5000), as Core counts it.
    EXPECT_EQ(seq.Allocate({0, 1500}, 2600).value(), 3500u);
    EXPECT_EQ(std::filesystem::file_size(seq.FileName({0, 0})), 5000u);
    ASSERT_TRUE(seq.Flush({0, 1234}, /*finalize=*/true));
    EXPECT_EQ(std::filesystem::file_size(seq.FileName({0, 0})), 1234u);
    // Flushing a file never written creates nothing.
    ASSERT_TRUE(seq.Flush({3, 0}, false));
    EXPECT_FALSE(std::filesystem::exists(seq.FileName({3, 0})));
    // Reading a file that does not exist is an error, not a creation.
    EXPECT_FALSE(seq.Open({4, 0}, /*read_only=*/true));
    EXPECT_FALSE(std::filesystem::exists(seq.FileName({4, 0})));
}

TEST(FlatFileTest, OutOfSpaceIsReported)
{
    TempDir dir;
    // More than any test machine has free: the check refuses before touching the disk.
    const FlatFileSeq seq{dir.Path(), "blk", uint64_t{1} << 60};
    auto added = seq.Allocate({0, 0}, 1);
    ASSERT_FALSE(added);
    EXPECT_TRUE(added.error().message.starts_with(storage::OUT_OF_SPACE)) << added.error().message;
}

} // namespace
