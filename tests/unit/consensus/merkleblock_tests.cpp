// Partial merkle trees and merkle blocks: a published mainnet merkleblock
// (block 100014, the BIP37 example in Bitcoin's developer documentation),
// proofs built over a real SegWit-era mainnet block checked against the root in
// its header, round trips, every malformation Core rejects, and truncation.
#include <consensus/block.h>
#include <consensus/hash.h>
#include <consensus/merkle.h>
#include <consensus/merkleblock.h>
#include <consensus/serialize.h>
#include <consensus/uint256.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

using namespace consensus;

namespace {

// The merkleblock message for mainnet block 100014 with one matched transaction.
constexpr char BLOCK_100014_MERKLEBLOCK[] =
    "0100000082bb869cf3a793432a66e826e05a6fc37469f8efb7421dc88067010000000000"
    "7f16c5962e8bd963659c793ce370d95f093bc7e367117b3c30c1f8fdd0d9728776381b4d"
    "4c86041b554b852907000000043612262624047ee87660be1a707519a443b1c1ce3d248c"
    "bfc6c15870f6c5daa2019f5b01d4195ecbc9398fbf3c3b1fa9bb3183301d7a1fb3bd174f"
    "cfa40a2b6541ed70551dd7e841883ab8f0b16bf04176b7d1480e4f0af9f3d4c3595768d0"
    "6820d2a7bc994987302e5b1ac80fc425fe25f8b63169ea78e68fbaaefa59379bbf011d";
constexpr char BLOCK_100014_HASH[] =
    "000000000000b731f2eef9e8c63173adfb07e41bd53eb0ef0a6b720d6cb6dea4";
constexpr char BLOCK_100014_ROOT[] =
    "8772d9d0fdf8c1303c7b1167e3c73b095fd970e33c799c6563d98b2e96c5167f";
// Hash #2 of the message, in display order.
constexpr char BLOCK_100014_MATCH[] =
    "652b0aa4cf4f17bdb31f7a1d308331bba91f3b3cbf8f39c9cb5e19d4015b9f01";

std::vector<uint8_t> FromHex(const std::string& hex)
{
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

// A distinct synthetic txid per n.
Uint256 Txid(uint32_t n)
{
    std::vector<uint8_t> seed{static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8),
                              static_cast<uint8_t>(n >> 16), 0x5a};
    return Sha256Hash(seed);
}

Block ReadMainnetBlock()
{
    const std::string path =
        std::string{MINIBIT_TEST_DATA_DIR} +
        "/blocks/mainnet-0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2.blk";
    std::ifstream f{path, std::ios::binary};
    std::vector<uint8_t> raw{std::istreambuf_iterator<char>{f}, std::istreambuf_iterator<char>{}};
    auto block = Decode<Block>(raw);
    EXPECT_TRUE(block) << path;
    return block ? *block : Block{};
}

TEST(MerkleBlockTest, PublishedVectorDecodesAndExtracts)
{
    const auto raw = FromHex(BLOCK_100014_MERKLEBLOCK);
    auto mb = Decode<MerkleBlock>(raw);
    ASSERT_TRUE(mb) << mb.error().message;
    EXPECT_EQ(mb->header.GetHash().GetHex(), BLOCK_100014_HASH);
    EXPECT_EQ(mb->txn.GetNumTransactions(), 7u);
    EXPECT_EQ(mb->txn.Hashes().size(), 4u);
    // Flag byte 0x1d, least significant bit first.
    EXPECT_EQ(mb->txn.Bits(),
              (std::vector<bool>{true, false, true, true, true, false, false, false}));

    auto matches = mb->txn.ExtractMatches();
    ASSERT_TRUE(matches);
    EXPECT_EQ(matches->root.GetHex(), BLOCK_100014_ROOT);
    EXPECT_EQ(matches->root, mb->header.merkle_root);
    ASSERT_EQ(matches->txids.size(), 1u);
    EXPECT_EQ(matches->txids[0].GetHex(), BLOCK_100014_MATCH);
    // Walk: root, left subtree pruned, then leaf 4 matched, leaf 5 and node (1,3) pruned.
    EXPECT_EQ(matches->positions, std::vector<uint32_t>{4});

    EXPECT_EQ(Encode(*mb), raw);
}

TEST(MerkleBlockTest, PublishedVectorEveryTruncationFails)
{
    const auto raw = FromHex(BLOCK_100014_MERKLEBLOCK);
    for (size_t len = 0; len < raw.size(); ++len) {
        EXPECT_FALSE(Decode<MerkleBlock>(std::span{raw}.first(len))) << "prefix " << len;
    }
    auto extended = raw;
    extended.push_back(0);
    EXPECT_FALSE(Decode<MerkleBlock>(extended)) << "trailing byte accepted";
}

TEST(MerkleBlockTest, HugeCountsRejectedBeforeAllocating)
{
    auto raw = FromHex(BLOCK_100014_MERKLEBLOCK);
    // Hash count 0x04 -> CompactSize 0xfe ffffffff: far more than the bytes left.
    std::vector<uint8_t> bad{raw.begin(), raw.begin() + 84};
    for (uint8_t b : {0xfe, 0xff, 0xff, 0xff, 0xff})
        bad.push_back(b);
    EXPECT_FALSE(Decode<MerkleBlock>(bad));
}

TEST(MerkleBlockTest, RealBlockProofsCommitToHeaderRoot)
{
    const Block block = ReadMainnetBlock();
    ASSERT_GT(block.vtx.size(), 1000u);
    const size_t n = block.vtx.size();
    const std::vector<std::set<size_t>> selections{
        {0}, {n - 1}, {1, 2, 3}, {7, 500, n / 2, n - 2}, {}};
    for (const auto& selection : selections) {
        std::set<Uint256> txids;
        for (size_t i : selection)
            txids.insert(block.vtx[i]->GetHash());
        const MerkleBlock mb = MerkleBlock::FromBlock(block, txids);
        EXPECT_EQ(mb.header, block.header);
        EXPECT_EQ(mb.txn.GetNumTransactions(), n);

        auto decoded = Decode<MerkleBlock>(Encode(mb));
        ASSERT_TRUE(decoded);
        auto matches = decoded->txn.ExtractMatches();
        if (selection.empty()) {
            // Only the root is sent; it is still a valid (empty) proof.
            ASSERT_TRUE(matches);
            EXPECT_EQ(decoded->txn.Hashes().size(), 1u);
            EXPECT_TRUE(matches->txids.empty());
        } else {
            ASSERT_TRUE(matches);
        }
        EXPECT_EQ(matches->root, block.header.merkle_root);
        std::vector<uint32_t> want_positions;
        std::vector<Uint256> want_txids;
        for (size_t i : selection) {
            want_positions.push_back(static_cast<uint32_t>(i));
            want_txids.push_back(block.vtx[i]->GetHash());
        }
        EXPECT_EQ(matches->positions, want_positions);
        EXPECT_EQ(matches->txids, want_txids);
    }
}

TEST(MerkleBlockTest, UnknownTxidsAreIgnored)
{
    const Block block = ReadMainnetBlock();
    const MerkleBlock mb = MerkleBlock::FromBlock(block, {Txid(1), block.vtx[5]->GetHash()});
    auto matches = mb.txn.ExtractMatches();
    ASSERT_TRUE(matches);
    EXPECT_EQ(matches->txids, std::vector<Uint256>{block.vtx[5]->GetHash()});
}

// For every size and several match patterns, the extracted root equals the root of the
// full list, as the block's own merkle code computes it.
TEST(PartialMerkleTreeTest, RootsAndMatchesForManySizes)
{
    for (uint32_t n : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 100u, 257u}) {
        std::vector<Uint256> txids;
        for (uint32_t i = 0; i < n; ++i)
            txids.push_back(Txid(i));
        const Uint256 root = ComputeMerkleRoot(txids);
        for (uint32_t stride : {1u, 2u, 3u, 7u, 1000u}) {
            std::vector<bool> matches(n, false);
            std::vector<uint32_t> want;
            for (uint32_t i = 0; i < n; i += stride) {
                matches[i] = true;
                want.push_back(i);
            }
            const PartialMerkleTree tree{txids, matches};
            auto decoded = Decode<PartialMerkleTree>(Encode(tree));
            ASSERT_TRUE(decoded);
            // Decoding pads the bits to whole bytes; the encoding is unchanged.
            EXPECT_EQ(Encode(*decoded), Encode(tree));
            auto got = decoded->ExtractMatches();
            ASSERT_TRUE(got) << "n=" << n << " stride=" << stride;
            EXPECT_EQ(got->root, root);
            EXPECT_EQ(got->positions, want);
            ASSERT_EQ(got->txids.size(), want.size());
            for (size_t k = 0; k < want.size(); ++k)
                EXPECT_EQ(got->txids[k], txids[want[k]]);
            // A proof of everything carries every txid; one of one position fewer.
            if (stride == 1) {
                EXPECT_EQ(tree.Hashes().size(), n);
            }
        }
    }
}

// Encodes a tree from its parts: count, hashes and bits.
std::vector<uint8_t> RawTree(uint32_t count, const std::vector<Uint256>& hashes,
                             const std::vector<uint8_t>& bit_bytes)
{
    std::vector<uint8_t> out;
    Writer w{out};
    w(count, hashes, bit_bytes);
    return out;
}

std::optional<MerkleMatches> ExtractRaw(uint32_t count, const std::vector<Uint256>& hashes,
                                        const std::vector<uint8_t>& bit_bytes)
{
    auto tree = Decode<PartialMerkleTree>(RawTree(count, hashes, bit_bytes));
    EXPECT_TRUE(tree);
    return tree ? tree->ExtractMatches() : std::nullopt;
}

TEST(PartialMerkleTreeTest, MalformedTreesRejected)
{
    // Seven leaves, leaf 4 matched: bits 1,0,1,1,1,0 (0x1d) and four hashes.
    std::vector<Uint256> txids;
    for (uint32_t i = 0; i < 7; ++i)
        txids.push_back(Txid(i));
    std::vector<bool> matches(7, false);
    matches[4] = true;
    const PartialMerkleTree good{txids, matches};
    const auto hashes = good.Hashes();
    ASSERT_EQ(hashes.size(), 4u);
    ASSERT_TRUE(ExtractRaw(7, hashes, {0x1d}));
    EXPECT_EQ(ExtractRaw(7, hashes, {0x1d})->root, ComputeMerkleRoot(txids));

    // Unused padding bits in the last byte are tolerated, as Core does.
    EXPECT_TRUE(ExtractRaw(7, hashes, {0x1d | 0x80}));
    // A whole unused byte of bits is not.
    EXPECT_FALSE(ExtractRaw(7, hashes, {0x1d, 0x00}));
    // Too few bits.
    EXPECT_FALSE(ExtractRaw(7, hashes, {}));
    // A hash too many or too few.
    auto more = hashes;
    more.push_back(Txid(99));
    EXPECT_FALSE(ExtractRaw(7, more, {0x1d}));
    auto fewer = hashes;
    fewer.pop_back();
    EXPECT_FALSE(ExtractRaw(7, fewer, {0x1d}));
    // Zero transactions, or more than any block can hold.
    EXPECT_FALSE(ExtractRaw(0, {}, {}));
    EXPECT_FALSE(ExtractRaw(MAX_PROOF_TRANSACTIONS + 1, hashes, {0x1d}));
    // More hashes than transactions.
    EXPECT_FALSE(ExtractRaw(2, {Txid(1), Txid(2), Txid(3)}, {0x07}));
    // Five leaves walk a smaller shape that leaves two hashes unused.
    EXPECT_FALSE(ExtractRaw(5, hashes, {0x1d}));
    // Eight leaves walk the same shape and give the same root: the count is not committed
    // to, which is why verifytxoutproof compares it with the block's own count.
    auto eight = ExtractRaw(8, hashes, {0x1d});
    ASSERT_TRUE(eight);
    EXPECT_EQ(eight->root, ComputeMerkleRoot(txids));
}

TEST(PartialMerkleTreeTest, DuplicatedSiblingsRejected)
{
    // CVE-2012-2459: leaves 1..10 then 9,10 again give the same root as 1..10 with the odd
    // level padded; a proof of the duplicate pair must not validate.
    std::vector<Uint256> txids;
    for (uint32_t i = 1; i <= 10; ++i)
        txids.push_back(Txid(i));
    txids.push_back(Txid(9));
    txids.push_back(Txid(10));
    bool mutated = false;
    ComputeMerkleRoot(txids, &mutated);
    ASSERT_TRUE(mutated);
    std::vector<bool> matches(txids.size(), false);
    matches[9] = true;
    matches[10] = true;
    const PartialMerkleTree tree{txids, matches};
    EXPECT_FALSE(tree.ExtractMatches());

    // Two equal leaves as siblings, built by hand.
    EXPECT_FALSE(ExtractRaw(2, {Txid(5), Txid(5)}, {0x07}));
    EXPECT_TRUE(ExtractRaw(2, {Txid(5), Txid(6)}, {0x07}));
    EXPECT_EQ(ExtractRaw(2, {Txid(5), Txid(6)}, {0x07})->root, Hash256(Txid(5), Txid(6)));
}

TEST(PartialMerkleTreeTest, SingleTransactionTree)
{
    const std::vector<Uint256> txids{Txid(42)};
    const PartialMerkleTree matched{txids, {true}};
    auto got = matched.ExtractMatches();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->root, Txid(42));
    EXPECT_EQ(got->positions, std::vector<uint32_t>{0});
    const PartialMerkleTree unmatched{txids, {false}};
    got = unmatched.ExtractMatches();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->root, Txid(42));
    EXPECT_TRUE(got->txids.empty());
    // Default-constructed: zero transactions never validates.
    EXPECT_FALSE(PartialMerkleTree{}.ExtractMatches());
}

} // namespace
