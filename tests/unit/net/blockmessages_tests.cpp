// block, tx, getaddr and BIP152 payloads: a real mainnet block, hand-assembled
// payloads, short ids checked against a SipHash-2-4 written here (itself checked
// against the SipHash paper's vectors), index overflow, truncation, trailing bytes.
#include <net/blockmessages.h>
#include <net/messages.h>

#include <consensus/hash.h>
#include <consensus/serialize.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using consensus::Block;
using consensus::TransactionRef;
using consensus::Uint256;
using net::CompactBlockMessage;
using net::GetBlockTxnMessage;

const std::string SEGWIT_BLOCK_HASH =
    "0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2";

std::vector<uint8_t> FromHex(const std::string& hex)
{
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts)
{
    std::vector<uint8_t> out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

const std::vector<uint8_t>& RealBlockBytes()
{
    static const std::vector<uint8_t> bytes = [] {
        std::ifstream f{std::string{MINIBIT_TEST_DATA_DIR} + "/blocks/mainnet-" +
                            SEGWIT_BLOCK_HASH + ".blk",
                        std::ios::binary};
        return std::vector<uint8_t>{std::istreambuf_iterator<char>{f},
                                    std::istreambuf_iterator<char>{}};
    }();
    return bytes;
}

const Block& RealBlock()
{
    static const Block block = [] {
        auto b = consensus::Decode<Block>(RealBlockBytes());
        return b ? std::move(*b) : Block{};
    }();
    return block;
}

// The coinbase plus three witness transactions of the real block.
Block SmallBlock()
{
    Block small;
    small.header = RealBlock().header;
    for (const auto& tx : RealBlock().vtx) {
        if (small.vtx.empty() || (tx->HasWitness() && small.vtx.size() < 4))
            small.vtx.push_back(tx);
    }
    return small;
}

Uint256 HashOf(uint8_t fill)
{
    Uint256 h;
    for (size_t i = 0; i < h.size(); ++i)
        h.data()[i] = static_cast<uint8_t>(fill + i);
    return h;
}

// Every strict prefix fails, the payload plus one byte fails as trailing data.
template <class D>
void CheckPrefixesAndTrailing(const std::vector<uint8_t>& bytes, D decode, size_t step = 1)
{
    for (size_t len = 0; len < bytes.size(); len += step) {
        EXPECT_FALSE(decode(std::span(bytes.data(), len))) << "prefix of " << len << " decoded";
    }
    EXPECT_FALSE(decode(std::span(bytes.data(), bytes.size() - 1)));
    auto longer = bytes;
    longer.push_back(0);
    auto trailing = decode(longer);
    ASSERT_FALSE(trailing);
    EXPECT_NE(trailing.error().message.find("trailing"), std::string::npos)
        << trailing.error().message;
}

// SipHash-2-4 over bytes, written from the paper (Aumasson & Bernstein, 2012).
uint64_t Rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

uint64_t ReferenceSipHash(uint64_t k0, uint64_t k1, const std::vector<uint8_t>& m)
{
    uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
    uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
    uint64_t v3 = k1 ^ 0x7465646279746573ULL;
    auto round = [&] {
        v0 += v1;
        v1 = Rotl(v1, 13);
        v1 ^= v0;
        v0 = Rotl(v0, 32);
        v2 += v3;
        v3 = Rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = Rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = Rotl(v1, 17);
        v1 ^= v2;
        v2 = Rotl(v2, 32);
    };
    // Pad with zeros to a multiple of 8 minus one, then the length byte.
    std::vector<uint8_t> padded = m;
    while (padded.size() % 8 != 7)
        padded.push_back(0);
    padded.push_back(static_cast<uint8_t>(m.size()));
    for (size_t i = 0; i < padded.size(); i += 8) {
        uint64_t word = 0;
        for (size_t j = 0; j < 8; ++j)
            word |= uint64_t{padded[i + j]} << (8 * j);
        v3 ^= word;
        round();
        round();
        v0 ^= word;
    }
    v2 ^= 0xff;
    for (int i = 0; i < 4; ++i)
        round();
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t LittleEndian64(const uint8_t* p)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i)
        v |= uint64_t{p[i]} << (8 * i);
    return v;
}

// BIP152 short id computed from the specification with the reference SipHash.
uint64_t ExpectedShortId(const consensus::BlockHeader& header, uint64_t nonce, const Uint256& wtxid)
{
    std::vector<uint8_t> preimage = consensus::Encode(header);
    for (size_t i = 0; i < 8; ++i)
        preimage.push_back(static_cast<uint8_t>(nonce >> (8 * i)));
    EXPECT_EQ(preimage.size(), 88U);
    const Uint256 digest = consensus::Sha256Hash(preimage);
    const uint64_t k0 = LittleEndian64(digest.data());
    const uint64_t k1 = LittleEndian64(digest.data() + 8);
    return ReferenceSipHash(k0, k1, std::vector<uint8_t>(wtxid.begin(), wtxid.end())) &
           0xffffffffffffULL;
}

TEST(BlockMessages, ReferenceSipHashMatchesPaperVectors)
{
    // Key 00..0f; messages 00..(n-1). Values from the paper's appendix and the
    // reference implementation's vectors.h (first entry: empty message).
    const uint64_t k0 = 0x0706050403020100ULL;
    const uint64_t k1 = 0x0f0e0d0c0b0a0908ULL;
    std::vector<uint8_t> m15;
    for (uint8_t i = 0; i < 15; ++i)
        m15.push_back(i);
    EXPECT_EQ(ReferenceSipHash(k0, k1, m15), 0xa129ca6149be45e5ULL);
    EXPECT_EQ(ReferenceSipHash(k0, k1, {}), 0x726fdb47dd0e0e31ULL);
}

TEST(BlockMessages, ShortIdKeyAndShortIds)
{
    const Block& block = RealBlock();
    ASSERT_GT(block.vtx.size(), 10U);
    const uint64_t nonce = 0x0123456789abcdefULL;

    std::vector<uint8_t> preimage = consensus::Encode(block.header);
    for (size_t i = 0; i < 8; ++i)
        preimage.push_back(static_cast<uint8_t>(nonce >> (8 * i)));
    const Uint256 digest = consensus::Sha256Hash(preimage);
    const net::ShortIdKey key = net::ComputeShortIdKey(block.header, nonce);
    EXPECT_EQ(key.k0, LittleEndian64(digest.data()));
    EXPECT_EQ(key.k1, LittleEndian64(digest.data() + 8));
    // A different nonce gives a different key.
    EXPECT_NE(net::ComputeShortIdKey(block.header, nonce + 1), key);

    const CompactBlockMessage cmpct = net::MakeCompactBlock(block, nonce);
    EXPECT_EQ(cmpct.header, block.header);
    EXPECT_EQ(cmpct.nonce, nonce);
    ASSERT_EQ(cmpct.prefilled.size(), 1U);
    EXPECT_EQ(cmpct.prefilled[0].index, 0);
    EXPECT_EQ(cmpct.prefilled[0].tx, block.vtx[0]);
    ASSERT_EQ(cmpct.short_ids.size(), block.vtx.size() - 1);
    size_t witness_txs = 0;
    for (size_t i = 1; i < block.vtx.size(); ++i) {
        const Uint256& wtxid = block.vtx[i]->GetWitnessHash();
        ASSERT_EQ(cmpct.short_ids[i - 1], ExpectedShortId(block.header, nonce, wtxid)) << i;
        EXPECT_LE(cmpct.short_ids[i - 1], net::MAX_SHORT_TXID);
        witness_txs += block.vtx[i]->HasWitness() ? 1 : 0;
    }
    // Version 2 hashes the wtxid, which differs from the txid for these.
    EXPECT_GT(witness_txs, 0U);
    const auto& w = *SmallBlock().vtx[1];
    ASSERT_TRUE(w.HasWitness());
    EXPECT_NE(net::ComputeShortId(key, w.GetWitnessHash()), net::ComputeShortId(key, w.GetHash()));

    // An empty block has nothing to describe.
    Block empty;
    empty.header = block.header;
    const CompactBlockMessage none = net::MakeCompactBlock(empty, nonce);
    EXPECT_TRUE(none.short_ids.empty());
    EXPECT_TRUE(none.prefilled.empty());
}

TEST(BlockMessages, RealBlockRoundTrip)
{
    const auto& bytes = RealBlockBytes();
    ASSERT_GT(bytes.size(), 1'000'000U);
    auto block = net::DecodeBlock(bytes);
    ASSERT_TRUE(block) << block.error().message;
    EXPECT_EQ(block->GetHash().GetHex(), SEGWIT_BLOCK_HASH);
    EXPECT_EQ(net::EncodeBlock(*block), bytes);
    // Quadratic over a megabyte otherwise: sample prefixes, then the full check on a small block.
    CheckPrefixesAndTrailing(bytes, net::DecodeBlock, 9973);
    auto trailing = net::DecodeBlock(Concat({bytes, {0}}));
    ASSERT_FALSE(trailing);
    EXPECT_EQ(trailing.error().message.rfind("block: ", 0), 0U) << trailing.error().message;
}

TEST(BlockMessages, SmallBlockEveryPrefix)
{
    const Block small = SmallBlock();
    ASSERT_EQ(small.vtx.size(), 4U);
    const std::vector<uint8_t> bytes = consensus::Encode(small);
    auto decoded = net::DecodeBlock(bytes);
    ASSERT_TRUE(decoded) << decoded.error().message;
    ASSERT_EQ(decoded->vtx.size(), 4U);
    for (size_t i = 0; i < 4; ++i)
        EXPECT_EQ(decoded->vtx[i]->GetWitnessHash(), small.vtx[i]->GetWitnessHash());
    EXPECT_EQ(net::EncodeBlock(*decoded), bytes);
    CheckPrefixesAndTrailing(bytes, net::DecodeBlock);
}

TEST(BlockMessages, TxWithAndWithoutWitness)
{
    const Block small = SmallBlock();
    const auto& wtx = *small.vtx[1];
    ASSERT_TRUE(wtx.HasWitness());
    const std::vector<uint8_t> bytes = consensus::Encode(wtx);
    auto tx = net::DecodeTx(bytes);
    ASSERT_TRUE(tx) << tx.error().message;
    EXPECT_EQ((*tx)->GetHash(), wtx.GetHash());
    EXPECT_EQ((*tx)->GetWitnessHash(), wtx.GetWitnessHash());
    EXPECT_TRUE((*tx)->HasWitness());
    EXPECT_EQ(net::EncodeTx(**tx), bytes);
    CheckPrefixesAndTrailing(bytes, net::DecodeTx);

    // Without its witness it is the legacy encoding of the same txid.
    std::vector<uint8_t> stripped;
    consensus::Writer w{stripped};
    wtx.SerializeWithoutWitness(w);
    auto legacy = net::DecodeTx(stripped);
    ASSERT_TRUE(legacy) << legacy.error().message;
    EXPECT_FALSE((*legacy)->HasWitness());
    EXPECT_EQ((*legacy)->GetHash(), wtx.GetHash());
    EXPECT_EQ(net::EncodeTx(**legacy), stripped);
    CheckPrefixesAndTrailing(stripped, net::DecodeTx);
}

TEST(BlockMessages, GetAddrIsEmpty)
{
    EXPECT_TRUE(net::DecodeEmpty({}));
    const std::vector<uint8_t> one{0};
    EXPECT_FALSE(net::DecodeEmpty(one));
    EXPECT_EQ(net::msgtype::GETADDR, "getaddr");
}

// A cmpctblock assembled field by field: two short ids, transactions at 0 and 3.
struct KnownCompactBlock
{
    Block small = SmallBlock();
    std::vector<uint8_t> tx_a = consensus::Encode(*small.vtx[0]);
    std::vector<uint8_t> tx_b = consensus::Encode(*small.vtx[1]);
    std::vector<uint8_t> bytes = Concat({consensus::Encode(small.header),
                                         FromHex("0807060504030201"), // nonce
                                         FromHex("02"),               // two short ids
                                         FromHex("010203040506"),     // 0x060504030201
                                         FromHex("ffffffffffff"),     // 2^48 - 1
                                         FromHex("02"),               // two prefilled
                                         FromHex("00"), tx_a,         // index 0
                                         FromHex("02"), tx_b});       // index 0 + 1 + 2 = 3
};

TEST(BlockMessages, CompactBlockKnownBytes)
{
    const KnownCompactBlock k;
    auto msg = net::DecodeCompactBlock(k.bytes);
    ASSERT_TRUE(msg) << msg.error().message;
    EXPECT_EQ(msg->header, k.small.header);
    EXPECT_EQ(msg->nonce, 0x0102030405060708ULL);
    EXPECT_EQ(msg->short_ids, (std::vector<uint64_t>{0x060504030201ULL, 0xffffffffffffULL}));
    ASSERT_EQ(msg->prefilled.size(), 2U);
    EXPECT_EQ(msg->prefilled[0].index, 0);
    EXPECT_EQ(msg->prefilled[0].tx->GetWitnessHash(), k.small.vtx[0]->GetWitnessHash());
    EXPECT_EQ(msg->prefilled[1].index, 3);
    EXPECT_EQ(msg->prefilled[1].tx->GetWitnessHash(), k.small.vtx[1]->GetWitnessHash());
    auto encoded = net::Encode(*msg);
    ASSERT_TRUE(encoded) << encoded.error().message;
    EXPECT_EQ(*encoded, k.bytes);
    CheckPrefixesAndTrailing(k.bytes, net::DecodeCompactBlock);
}

TEST(BlockMessages, CompactBlockRoundTrip)
{
    const Block small = SmallBlock();
    const CompactBlockMessage cmpct = net::MakeCompactBlock(small, 42);
    auto bytes = net::Encode(cmpct);
    ASSERT_TRUE(bytes) << bytes.error().message;
    // header 80 + nonce 8 + count 1 + 3 ids * 6 + count 1 + index 1 + coinbase
    EXPECT_EQ(bytes->size(), 80 + 8 + 1 + 18 + 1 + 1 + consensus::Encode(*small.vtx[0]).size());
    auto back = net::DecodeCompactBlock(*bytes);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->header, cmpct.header);
    EXPECT_EQ(back->nonce, 42U);
    EXPECT_EQ(back->short_ids, cmpct.short_ids);
    ASSERT_EQ(back->prefilled.size(), 1U);
    EXPECT_EQ(back->prefilled[0].tx->GetWitnessHash(), small.vtx[0]->GetWitnessHash());
}

TEST(BlockMessages, CompactBlockIndexOverflow)
{
    const KnownCompactBlock k;
    const auto head = Concat({consensus::Encode(k.small.header), FromHex("0000000000000000"),
                              FromHex("00")}); // no short ids
    // The highest 16-bit index is accepted by the decoder.
    auto top = net::DecodeCompactBlock(Concat({head, FromHex("01fdffff"), k.tx_a}));
    ASSERT_TRUE(top) << top.error().message;
    EXPECT_EQ(top->prefilled[0].index, 65535);

    const std::vector<std::vector<uint8_t>> bad{
        Concat({head, FromHex("02fdffff"), k.tx_a, FromHex("00"), k.tx_b}), // 65535 then 65536
        Concat({head, FromHex("01fe00000100"), k.tx_a}),                    // 65536
        Concat({head, FromHex("01ffffffffffffffffff"), k.tx_a}),            // 2^64 - 1
        Concat({head, FromHex("02fdfeff"), k.tx_a, FromHex("fdffff"), k.tx_b}),
    };
    for (const auto& payload : bad) {
        auto r = net::DecodeCompactBlock(payload);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find("overflows 16 bits"), std::string::npos)
            << r.error().message;
    }
    // A non-canonical CompactSize delta is malformed too.
    EXPECT_FALSE(net::DecodeCompactBlock(Concat({head, FromHex("01fd0100"), k.tx_a})));
}

TEST(BlockMessages, CompactBlockTransactionCountCap)
{
    const KnownCompactBlock k;
    const auto head = Concat({consensus::Encode(k.small.header), FromHex("0000000000000000")});
    // 65,535 short ids and no prefilled transactions: the most a block may have.
    const std::vector<uint8_t> ids(65535 * 6, 0xab);
    auto full = net::DecodeCompactBlock(Concat({head, FromHex("fdffff"), ids, FromHex("00")}));
    ASSERT_TRUE(full) << full.error().message;
    EXPECT_EQ(full->short_ids.size(), 65535U);
    EXPECT_EQ(full->short_ids[0], 0xababababababULL);
    // One more, as a prefilled transaction or as a short id, is too many.
    auto over = net::DecodeCompactBlock(
        Concat({head, FromHex("fdffff"), ids, FromHex("01"), FromHex("00"), k.tx_a}));
    ASSERT_FALSE(over);
    EXPECT_NE(over.error().message.find("too many"), std::string::npos) << over.error().message;
    const std::vector<uint8_t> more_ids(65536 * 6, 0xab);
    auto over_ids =
        net::DecodeCompactBlock(Concat({head, FromHex("fe00000100"), more_ids, FromHex("00")}));
    ASSERT_FALSE(over_ids);
    EXPECT_NE(over_ids.error().message.find("too many"), std::string::npos);
    // A count the payload cannot hold is refused before allocating.
    auto short_data = net::DecodeCompactBlock(Concat({head, FromHex("fd0010"), FromHex("00")}));
    ASSERT_FALSE(short_data);
    EXPECT_NE(short_data.error().message.find("exceeds data"), std::string::npos);

    CompactBlockMessage too_big;
    too_big.short_ids.assign(65535, 1);
    too_big.prefilled.push_back({0, SmallBlock().vtx[0]});
    EXPECT_FALSE(net::Encode(too_big));
}

TEST(BlockMessages, CompactBlockEncodeRejectsBadInput)
{
    const Block small = SmallBlock();
    CompactBlockMessage msg = net::MakeCompactBlock(small, 7);
    ASSERT_TRUE(net::Encode(msg));

    CompactBlockMessage repeated = msg;
    repeated.prefilled.push_back({0, small.vtx[1]});
    EXPECT_FALSE(net::Encode(repeated));
    CompactBlockMessage decreasing = msg;
    decreasing.prefilled[0].index = 5;
    decreasing.prefilled.push_back({2, small.vtx[1]});
    EXPECT_FALSE(net::Encode(decreasing));
    CompactBlockMessage increasing = decreasing;
    increasing.prefilled[1].index = 6;
    EXPECT_TRUE(net::Encode(increasing));

    CompactBlockMessage wide = msg;
    wide.short_ids[0] = uint64_t{1} << 48;
    EXPECT_FALSE(net::Encode(wide));
    CompactBlockMessage null_tx = msg;
    null_tx.prefilled[0].tx = nullptr;
    EXPECT_FALSE(net::Encode(null_tx));
}

TEST(BlockMessages, GetBlockTxnKnownBytes)
{
    const Uint256 hash = HashOf(0x10);
    const auto bytes =
        Concat({std::vector<uint8_t>(hash.begin(), hash.end()), FromHex("03000400")});
    const GetBlockTxnMessage expected{hash, {0, 5, 6}};
    auto msg = net::DecodeGetBlockTxn(bytes);
    ASSERT_TRUE(msg) << msg.error().message;
    EXPECT_EQ(*msg, expected);
    auto encoded = net::Encode(expected);
    ASSERT_TRUE(encoded);
    EXPECT_EQ(*encoded, bytes);
    CheckPrefixesAndTrailing(bytes, net::DecodeGetBlockTxn);

    // Larger gaps take multi-byte CompactSizes: 300 (0x012c), then 65535 - 301 (0xfed2).
    const GetBlockTxnMessage wide{hash, {300, 65535}};
    auto wide_bytes = net::Encode(wide);
    ASSERT_TRUE(wide_bytes);
    EXPECT_EQ(*wide_bytes,
              Concat({std::vector<uint8_t>(hash.begin(), hash.end()), FromHex("02fd2c01fdd2fe")}));
    auto wide_back = net::DecodeGetBlockTxn(*wide_bytes);
    ASSERT_TRUE(wide_back);
    EXPECT_EQ(*wide_back, wide);
}

TEST(BlockMessages, GetBlockTxnIndexRules)
{
    const Uint256 hash = HashOf(0x20);
    const std::vector<uint8_t> h(hash.begin(), hash.end());
    auto top = net::DecodeGetBlockTxn(Concat({h, FromHex("01fdffff")}));
    ASSERT_TRUE(top);
    EXPECT_EQ(top->indexes, std::vector<uint16_t>{65535});
    for (const auto& tail : {"02fdffff00", "01fe00000100", "01ffffffffffffffffff", "0200fdffff"}) {
        auto r = net::DecodeGetBlockTxn(Concat({h, FromHex(tail)}));
        ASSERT_FALSE(r) << tail;
        EXPECT_NE(r.error().message.find("overflows 16 bits"), std::string::npos)
            << r.error().message;
    }
    // Every position 0..65535 once is the most a request can name.
    auto all =
        net::DecodeGetBlockTxn(Concat({h, FromHex("fe00000100"), std::vector<uint8_t>(65536, 0)}));
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_EQ(all->indexes.size(), 65536U);
    EXPECT_EQ(all->indexes.back(), 65535);
    EXPECT_FALSE(
        net::DecodeGetBlockTxn(Concat({h, FromHex("fe01000100"), std::vector<uint8_t>(65537, 0)})));

    EXPECT_FALSE(net::Encode(GetBlockTxnMessage{hash, {5, 5}}));
    EXPECT_FALSE(net::Encode(GetBlockTxnMessage{hash, {5, 3}}));
    EXPECT_TRUE(net::Encode(GetBlockTxnMessage{hash, {}}));
}

TEST(BlockMessages, BlockTxn)
{
    const Block small = SmallBlock();
    const Uint256 hash = small.GetHash();
    net::BlockTxnMessage msg{hash, {small.vtx[1], small.vtx[3]}};
    const auto bytes = Concat({std::vector<uint8_t>(hash.begin(), hash.end()), FromHex("02"),
                               consensus::Encode(*small.vtx[1]), consensus::Encode(*small.vtx[3])});
    auto encoded = net::Encode(msg);
    ASSERT_TRUE(encoded) << encoded.error().message;
    EXPECT_EQ(*encoded, bytes);
    auto back = net::DecodeBlockTxn(bytes);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->block_hash, hash);
    ASSERT_EQ(back->txs.size(), 2U);
    EXPECT_EQ(back->txs[0]->GetWitnessHash(), small.vtx[1]->GetWitnessHash());
    EXPECT_EQ(back->txs[1]->GetWitnessHash(), small.vtx[3]->GetWitnessHash());
    CheckPrefixesAndTrailing(bytes, net::DecodeBlockTxn);

    // An empty answer is well-formed; a null transaction cannot be encoded.
    auto empty = net::DecodeBlockTxn(Concat({std::vector<uint8_t>(hash.begin(), hash.end()), {0}}));
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->txs.empty());
    msg.txs.push_back(nullptr);
    EXPECT_FALSE(net::Encode(msg));
}

} // namespace
