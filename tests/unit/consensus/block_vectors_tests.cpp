// Real mainnet blocks (vendored from btcd, see tests/data/blocks/LICENSE.btcd)
// driven through the block primitives: decoding, hashing, merkle trees,
// witness commitments and weight.
#include <consensus/block.h>
#include <consensus/hash.h>
#include <consensus/merkle.h>
#include <consensus/serialize.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace consensus;

namespace {

const std::string BLOCKS_DIR = std::string{MINIBIT_TEST_DATA_DIR} + "/blocks/";
constexpr std::array<uint8_t, 4> MAINNET_MAGIC{0xf9, 0xbe, 0xb4, 0xd9};
constexpr char MAINNET_GENESIS[] =
    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
constexpr size_t MAX_BLOCK_WEIGHT = 4'000'000;

std::vector<uint8_t> ReadFileBytes(const std::string& path)
{
    std::ifstream f{path, std::ios::binary};
    return {std::istreambuf_iterator<char>{f}, std::istreambuf_iterator<char>{}};
}

Uint256 HashFromHex(const std::string& hex)
{
    auto h = Uint256::FromHex(hex);
    EXPECT_TRUE(h) << hex;
    return h ? *h : Uint256{};
}

// The raw blocks of a blkNNNNN.dat-style file; an unparsable record is a test failure.
std::vector<std::vector<uint8_t>> SplitBlkFile(const std::vector<uint8_t>& file)
{
    std::vector<std::vector<uint8_t>> blocks;
    size_t pos = 0;
    while (pos < file.size()) {
        if (file.size() - pos < 8) {
            ADD_FAILURE() << "truncated record header at offset " << pos;
            break;
        }
        if (!std::equal(MAINNET_MAGIC.begin(), MAINNET_MAGIC.end(), file.begin() + pos)) {
            ADD_FAILURE() << "bad magic at offset " << pos;
            break;
        }
        const uint32_t size = file[pos + 4] | (file[pos + 5] << 8) | (file[pos + 6] << 16) |
                              (static_cast<uint32_t>(file[pos + 7]) << 24);
        pos += 8;
        if (file.size() - pos < size) {
            ADD_FAILURE() << "record at offset " << pos << " overruns the file";
            break;
        }
        blocks.emplace_back(file.begin() + pos, file.begin() + pos + size);
        pos += size;
    }
    return blocks;
}

// Expands compact "bits" into a 256-bit little-endian target, as the header
// stores it; nullopt for negative, zero or overflowing encodings.
std::optional<std::array<uint8_t, 32>> TargetFromBits(uint32_t bits)
{
    const uint32_t exponent = bits >> 24;
    uint32_t mantissa = bits & 0x007fffff;
    if ((bits & 0x00800000) != 0 && mantissa != 0) return std::nullopt;
    std::array<uint8_t, 32> target{};
    if (exponent <= 3) {
        mantissa >>= 8 * (3 - exponent);
        for (int i = 0; i < 3; ++i)
            target[i] = static_cast<uint8_t>(mantissa >> (8 * i));
    } else {
        for (uint32_t i = 0; i < 3; ++i) {
            const uint8_t byte = static_cast<uint8_t>(mantissa >> (8 * i));
            const uint32_t at = exponent - 3 + i;
            if (at >= 32) {
                if (byte != 0) return std::nullopt;
                continue;
            }
            target[at] = byte;
        }
    }
    if (std::all_of(target.begin(), target.end(), [](uint8_t b) { return b == 0; })) {
        return std::nullopt;
    }
    return target;
}

// Compares two little-endian 256-bit numbers: a <= b.
bool LessOrEqual(std::span<const uint8_t, 32> a, std::span<const uint8_t, 32> b)
{
    for (int i = 31; i >= 0; --i) {
        if (a[i] != b[i]) return a[i] < b[i];
    }
    return true;
}

} // namespace

TEST(BlockVectors, CompactTargetHelper)
{
    // Difficulty 1: 0x00000000ffff0000...
    auto t = TargetFromBits(0x1d00ffff);
    ASSERT_TRUE(t);
    EXPECT_EQ((*t)[26], 0xff);
    EXPECT_EQ((*t)[27], 0xff);
    EXPECT_EQ((*t)[28], 0x00);
    EXPECT_EQ(std::count((*t).begin(), (*t).end(), 0), 30);
    // Small exponents shift the mantissa right.
    auto small = TargetFromBits(0x01123456);
    ASSERT_TRUE(small);
    EXPECT_EQ((*small)[0], 0x12);
    EXPECT_FALSE(TargetFromBits(0x01003456)); // rounds to zero
    EXPECT_FALSE(TargetFromBits(0x04923456)); // negative
    EXPECT_FALSE(TargetFromBits(0xff123456)); // overflow
    EXPECT_TRUE(TargetFromBits(0x20123456));  // top byte lands at index 31
    EXPECT_FALSE(TargetFromBits(0x21123456));
}

TEST(BlockVectors, MainnetBlocks1To255)
{
    const auto file = ReadFileBytes(BLOCKS_DIR + "mainnet-blocks-1-255.dat");
    ASSERT_FALSE(file.empty());
    const auto raw_blocks = SplitBlkFile(file);
    ASSERT_EQ(raw_blocks.size(), 255U);

    const auto pow_limit = TargetFromBits(0x1d00ffff);
    ASSERT_TRUE(pow_limit);
    Uint256 prev = HashFromHex(MAINNET_GENESIS);
    size_t total_txs = 0;
    for (size_t i = 0; i < raw_blocks.size(); ++i) {
        const size_t height = i + 1;
        SCOPED_TRACE("height " + std::to_string(height));
        auto block = Decode<Block>(raw_blocks[i]);
        ASSERT_TRUE(block) << block.error().message;
        EXPECT_EQ(Encode(*block), raw_blocks[i]);
        EXPECT_EQ(block->header.prev_block, prev);

        bool mutated = true;
        EXPECT_EQ(BlockMerkleRoot(*block, &mutated), block->header.merkle_root);
        EXPECT_FALSE(mutated);

        const auto target = TargetFromBits(block->header.bits);
        ASSERT_TRUE(target);
        EXPECT_TRUE(LessOrEqual(*target, *pow_limit));
        const Uint256 hash = block->GetHash();
        EXPECT_TRUE(LessOrEqual(hash.span(), *target)) << hash.GetHex();

        ASSERT_FALSE(block->vtx.empty());
        EXPECT_TRUE(block->vtx[0]->IsCoinBase());
        for (size_t t = 1; t < block->vtx.size(); ++t)
            EXPECT_FALSE(block->vtx[t]->IsCoinBase());
        // Pre-SegWit: no witness anywhere, so both encodings and both ids agree.
        EXPECT_EQ(EncodeBlockNoWitness(*block), raw_blocks[i]);
        EXPECT_EQ(block->GetWeight(), raw_blocks[i].size() * WITNESS_SCALE_FACTOR);
        for (const auto& tx : block->vtx)
            EXPECT_EQ(tx->GetHash(), tx->GetWitnessHash());
        total_txs += block->vtx.size();
        prev = hash;
    }
    // Block 170 carries the first person-to-person payment, so there is more
    // than one transaction in the range.
    EXPECT_GT(total_txs, raw_blocks.size());
}

TEST(BlockVectors, KnownIdsInEarlyBlocks)
{
    const auto raw_blocks = SplitBlkFile(ReadFileBytes(BLOCKS_DIR + "mainnet-blocks-1-255.dat"));
    ASSERT_EQ(raw_blocks.size(), 255U);
    auto block1 = Decode<Block>(raw_blocks[0]);
    ASSERT_TRUE(block1);
    EXPECT_EQ(block1->GetHash().GetHex(),
              "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048");
    EXPECT_EQ(block1->vtx[0]->GetHash().GetHex(),
              "0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098");

    auto block170 = Decode<Block>(raw_blocks[169]);
    ASSERT_TRUE(block170);
    ASSERT_EQ(block170->vtx.size(), 2U);
    EXPECT_EQ(block170->vtx[1]->GetHash().GetHex(),
              "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16");
    // It spends the coinbase of block 9.
    EXPECT_EQ(block170->vtx[1]->vin[0].prevout.hash.GetHex(),
              "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9");
}

class SegwitBlockTest : public ::testing::TestWithParam<const char*>
{};

TEST_P(SegwitBlockTest, DecodesAndCommits)
{
    const std::string hash_hex = GetParam();
    const auto raw = ReadFileBytes(BLOCKS_DIR + "mainnet-" + hash_hex + ".blk");
    ASSERT_GT(raw.size(), BlockHeader::SIZE);
    auto decoded = Decode<Block>(raw);
    ASSERT_TRUE(decoded) << decoded.error().message;
    const Block& block = *decoded;

    EXPECT_EQ(block.GetHash().GetHex(), hash_hex);
    EXPECT_EQ(Encode(block), raw);
    const auto target = TargetFromBits(block.header.bits);
    ASSERT_TRUE(target);
    EXPECT_TRUE(LessOrEqual(block.GetHash().span(), *target));

    bool mutated = true;
    EXPECT_EQ(BlockMerkleRoot(block, &mutated), block.header.merkle_root);
    EXPECT_FALSE(mutated);

    // Witness commitment (BIP141).
    ASSERT_FALSE(block.vtx.empty());
    const auto& coinbase = *block.vtx[0];
    ASSERT_TRUE(coinbase.IsCoinBase());
    const auto index = GetWitnessCommitmentIndex(block);
    ASSERT_TRUE(index);
    ASSERT_EQ(coinbase.vin[0].witness.stack.size(), 1U);
    ASSERT_EQ(coinbase.vin[0].witness.stack[0].size(), 32U);
    const Uint256 reserved{coinbase.vin[0].witness.stack[0]};
    bool witness_mutated = true;
    const Uint256 commitment =
        ComputeWitnessCommitment(BlockWitnessMerkleRoot(block, &witness_mutated), reserved);
    EXPECT_FALSE(witness_mutated);
    const auto& spk = coinbase.vout[*index].script_pubkey.bytes();
    ASSERT_GE(spk.size(), MIN_WITNESS_COMMITMENT_SIZE);
    EXPECT_TRUE(std::equal(commitment.begin(), commitment.end(), spk.begin() + 6));
    // A different reserved value must not reproduce the commitment.
    Uint256 other_reserved = reserved;
    other_reserved.data()[0] ^= 1;
    EXPECT_NE(ComputeWitnessCommitment(BlockWitnessMerkleRoot(block), other_reserved), commitment);

    // Weight: the total, the per-transaction sum and the two encodings agree.
    const size_t weight = block.GetWeight();
    EXPECT_GT(weight, 0U);
    EXPECT_LE(weight, MAX_BLOCK_WEIGHT);
    size_t tx_weights = 0;
    size_t witness_txs = 0;
    std::set<Uint256> txids;
    for (const auto& tx : block.vtx) {
        tx_weights += tx->GetWeight();
        if (tx->HasWitness()) ++witness_txs;
        txids.insert(tx->GetHash());
    }
    EXPECT_EQ(txids.size(), block.vtx.size());
    EXPECT_GT(witness_txs, 0U);
    const size_t header_weight =
        (BlockHeader::SIZE + CompactSizeLen(block.vtx.size())) * WITNESS_SCALE_FACTOR;
    EXPECT_EQ(header_weight + tx_weights, weight);
    const size_t stripped = EncodeBlockNoWitness(block).size();
    EXPECT_LT(stripped, raw.size());
    EXPECT_EQ(stripped * (WITNESS_SCALE_FACTOR - 1) + raw.size(), weight);
}

INSTANTIATE_TEST_SUITE_P(
    Mainnet, SegwitBlockTest,
    ::testing::Values("0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2",
                      "00000000000000000021868c2cefc52a480d173c849412fe81c4e5ab806f94ab"));

// ---- CVE-2012-2459 ----------------------------------------------------------

namespace {

// Independent definition of Bitcoin's merkle root, recursive on the padded level.
Uint256 ReferenceRoot(std::vector<Uint256> level)
{
    if (level.empty()) return Uint256{};
    if (level.size() == 1) return level[0];
    if (level.size() % 2) level.push_back(level.back());
    std::vector<Uint256> next;
    for (size_t i = 0; i < level.size(); i += 2)
        next.push_back(Hash256(level[i], level[i + 1]));
    return ReferenceRoot(std::move(next));
}

Block FirstTransactionsOf(const Block& source, size_t n)
{
    Block b;
    b.header = source.header;
    b.vtx.assign(source.vtx.begin(), source.vtx.begin() + static_cast<ptrdiff_t>(n));
    return b;
}

} // namespace

TEST(MerkleMutation, DuplicatedTailGivesSameRootAndIsFlagged)
{
    auto decoded = Decode<Block>(ReadFileBytes(
        BLOCKS_DIR +
        "mainnet-0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2.blk"));
    ASSERT_TRUE(decoded);
    ASSERT_GE(decoded->vtx.size(), 12U);

    // Odd counts: the last transaction may be repeated once (one level up,
    // the last pair may be repeated) without changing the root.
    for (size_t n : {3U, 5U, 7U, 9U, 11U}) {
        SCOPED_TRACE("n=" + std::to_string(n));
        Block original = FirstTransactionsOf(*decoded, n);
        bool mutated = true;
        const Uint256 root = BlockMerkleRoot(original, &mutated);
        EXPECT_FALSE(mutated);

        Block forged = original;
        forged.vtx.push_back(forged.vtx.back());
        bool forged_mutated = false;
        EXPECT_EQ(BlockMerkleRoot(forged, &forged_mutated), root);
        EXPECT_TRUE(forged_mutated);
        EXPECT_NE(Encode(forged), Encode(original));
    }

    // Six transactions: level one has three nodes, so repeating the last two
    // transactions (the last pair) reproduces the root.
    Block six = FirstTransactionsOf(*decoded, 6);
    bool mutated = true;
    const Uint256 root6 = BlockMerkleRoot(six, &mutated);
    EXPECT_FALSE(mutated);
    Block eight = six;
    eight.vtx.push_back(six.vtx[4]);
    eight.vtx.push_back(six.vtx[5]);
    bool eight_mutated = false;
    EXPECT_EQ(BlockMerkleRoot(eight, &eight_mutated), root6);
    EXPECT_TRUE(eight_mutated);

    // Even count with a genuine duplicate pair is flagged too (such a block is invalid anyway).
    Block dup = FirstTransactionsOf(*decoded, 4);
    dup.vtx[3] = dup.vtx[2];
    bool dup_mutated = false;
    BlockMerkleRoot(dup, &dup_mutated);
    EXPECT_TRUE(dup_mutated);
}

TEST(MerkleMutation, RootsMatchReferenceForEveryCount)
{
    std::vector<Uint256> leaves;
    for (size_t n = 0; n <= 33; ++n) {
        SCOPED_TRACE("n=" + std::to_string(n));
        bool mutated = true;
        EXPECT_EQ(ComputeMerkleRoot(leaves, &mutated), ReferenceRoot(leaves));
        EXPECT_FALSE(mutated);
        // (A single leaf is the root itself; padding only happens on wider levels.)
        if (n % 2 == 1 && n > 1) {
            auto padded = leaves;
            padded.push_back(padded.back());
            bool padded_mutated = false;
            EXPECT_EQ(ComputeMerkleRoot(padded, &padded_mutated), ReferenceRoot(leaves));
            EXPECT_TRUE(padded_mutated);
        }
        Uint256 next;
        next.data()[0] = static_cast<uint8_t>(n);
        next.data()[1] = 0x5a;
        leaves.push_back(Sha256Hash(next.span()));
    }
    // Three leaves by hand: H(H(a,b), H(c,c)).
    const std::vector<Uint256> abc{leaves[0], leaves[1], leaves[2]};
    EXPECT_EQ(ComputeMerkleRoot(abc), Hash256(Hash256(abc[0], abc[1]), Hash256(abc[2], abc[2])));
    EXPECT_EQ(ComputeMerkleRoot({leaves[7]}), leaves[7]);
}
