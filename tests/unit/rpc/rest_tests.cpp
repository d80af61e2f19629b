// REST: path and format parsing, BIP64 request/response encodings, and Core's status codes
// and messages, served from a fake chain holding one real mainnet block.
#include <rpc/http_server.h>
#include <rpc/rest.h>
#include <rpc/services.h>

#include <common/chainparams.h>
#include <consensus/block.h>
#include <consensus/serialize.h>
#include <interfaces/chain.h>
#include <util/strings.h>

#include "fake_chain.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace {

using rpc::RestFormat;

constexpr const char* BLOCK_HASH{
    "0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2"};

TEST(RestParse, DataFormat)
{
    struct Case
    {
        const char* in;
        const char* param;
        RestFormat rf;
    };
    for (const Case& c : std::vector<Case>{
             {"abc.json", "abc", RestFormat::JSON},
             {"abc.bin", "abc", RestFormat::BINARY},
             {"abc.hex", "abc", RestFormat::HEX},
             {"abc.json?count=5", "abc", RestFormat::JSON},
             {"a.b.hex", "a.b", RestFormat::HEX},
             {"abc.xml", "abc.xml", RestFormat::UNDEF},
             {"abc.JSON", "abc.JSON", RestFormat::UNDEF}, // case-sensitive, as Core
             {"abc", "abc", RestFormat::UNDEF},
             {"abc?x=1.json", "abc", RestFormat::UNDEF},
             {"", "", RestFormat::UNDEF},
             {".json", "", RestFormat::JSON},
         }) {
        std::string param;
        EXPECT_EQ(rpc::ParseDataFormat(param, c.in), c.rf) << c.in;
        EXPECT_EQ(param, c.param) << c.in;
    }
}

TEST(RestParse, QueryParameter)
{
    auto v = rpc::GetQueryParameter("/rest/headers/x.json?count=7&b=2", "count");
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, std::optional<std::string>{"7"});
    v = rpc::GetQueryParameter("/rest/headers/x.json?a=1&count=%31%30", "count");
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, std::optional<std::string>{"10"});
    v = rpc::GetQueryParameter("/rest/headers/x.json", "count");
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->has_value());
    v = rpc::GetQueryParameter("/rest/headers/x.json?counter=1", "count");
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->has_value());
    for (const char* bad : {"/rest/x.json?count=<1>", "/rest/x.json?count=1 2", "/rest/x?c=%zz"}) {
        auto e = rpc::GetQueryParameter(bad, "count");
        ASSERT_FALSE(e) << bad;
        EXPECT_EQ(e.error().message,
                  "URI parsing failed, it likely contained RFC 3986 invalid characters");
    }
}

TEST(RestParse, GetUtxosPath)
{
    const std::string txid(64, 'a');
    auto q = rpc::ParseGetUtxosPath("/checkmempool/" + txid + "-0/" + txid + "-4294967295");
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_TRUE(q->check_mempool);
    ASSERT_EQ(q->outpoints.size(), 2u);
    EXPECT_EQ(q->outpoints[1].n, 4294967295u);
    EXPECT_EQ(q->outpoints[0].hash.GetHex(), txid);

    q = rpc::ParseGetUtxosPath("/" + txid + "-1");
    ASSERT_TRUE(q);
    EXPECT_FALSE(q->check_mempool);

    for (const std::string& bad : std::vector<std::string>{
             "/" + txid, "/" + txid + "-", "/" + txid + "-x", "/" + txid + "--1",
             "/" + txid + "-1-2", "/" + txid + "-4294967296", "/abc-1", "/" + txid + "-1/"}) {
        auto e = rpc::ParseGetUtxosPath(bad);
        ASSERT_FALSE(e) << bad;
        EXPECT_EQ(e.error().message, "Parse error") << bad;
    }
    auto e = rpc::ParseGetUtxosPath("/checkmempool");
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().message, "Error: empty request");
}

TEST(RestParse, GetUtxosBody)
{
    // 0x01 (check mempool), one outpoint: 32 bytes of 0x11 then n=2 little endian.
    std::vector<uint8_t> body{0x01, 0x01};
    body.insert(body.end(), 32, 0x11);
    body.insert(body.end(), {0x02, 0x00, 0x00, 0x00});
    auto q = rpc::ParseGetUtxosBody(body);
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_TRUE(q->check_mempool);
    ASSERT_EQ(q->outpoints.size(), 1u);
    EXPECT_EQ(q->outpoints[0].n, 2u);
    EXPECT_EQ(q->outpoints[0].hash.GetHex(), std::string(64, '1'));
    // Every truncation fails cleanly.
    for (size_t len = 0; len < body.size(); ++len) {
        auto e = rpc::ParseGetUtxosBody(std::span{body}.first(len));
        ASSERT_FALSE(e) << len;
        EXPECT_EQ(e.error().message, "Parse error");
    }
    // A huge count with no data behind it is refused without allocating.
    const std::vector<uint8_t> huge{0x00, 0xfe, 0xff, 0xff, 0xff, 0x01};
    EXPECT_FALSE(rpc::ParseGetUtxosBody(huge));
}

TEST(RestParse, BitmapAndHexBody)
{
    EXPECT_EQ(rpc::UtxoBitmap({}), std::vector<uint8_t>{});
    EXPECT_EQ(rpc::UtxoBitmap({true}), std::vector<uint8_t>{0x01});
    EXPECT_EQ(rpc::UtxoBitmap({false, true, true}), std::vector<uint8_t>{0x06});
    std::vector<bool> nine(9, false);
    nine[0] = nine[7] = nine[8] = true;
    EXPECT_EQ(rpc::UtxoBitmap(nine), (std::vector<uint8_t>{0x81, 0x01}));

    EXPECT_EQ(rpc::ParseHexBody("0aFf"), (std::vector<uint8_t>{0x0a, 0xff}));
    EXPECT_EQ(rpc::ParseHexBody(" 0a ff\n"), (std::vector<uint8_t>{0x0a, 0xff}));
    EXPECT_TRUE(rpc::ParseHexBody("0a0").empty());
    EXPECT_TRUE(rpc::ParseHexBody("zz").empty());
}

// One block at height 0..2 where height 1 is the real mainnet block (its prev link points at
// the fake genesis); undo data with one spent output for the block's second transaction.
class FakeChain : public rpc_test::FakeChainBase
{
public:
    FakeChain()
    {
        std::ifstream in{std::string{MINIBIT_TEST_DATA_DIR} + "/blocks/mainnet-" + BLOCK_HASH +
                             ".blk",
                         std::ios::binary};
        raw = {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
        block = std::make_shared<const consensus::Block>(*consensus::Decode<consensus::Block>(raw));
        interfaces::BlockInfo info;
        info.hash = block->GetHash();
        info.height = 1;
        info.header = block->header;
        info.have_data = true;
        info.have_undo = true;
        info.in_active_chain = true;
        info.state = interfaces::BlockState::ACTIVE;
        by_height[1] = info;
        interfaces::BlockInfo genesis;
        genesis.hash = block->header.prev_block;
        genesis.height = 0;
        genesis.in_active_chain = true;
        by_height[0] = genesis;
        interfaces::BlockInfo headers_only;
        headers_only.header.prev_block = info.hash;
        headers_only.hash = headers_only.header.GetHash();
        headers_only.height = 2;
        unknown_data = headers_only;
    }
    const common::ChainParams& Params() const override { return *params; }
    interfaces::TipSnapshot Tip() const override
    {
        interfaces::TipSnapshot tip;
        tip.hash = by_height.at(1).hash;
        tip.height = 1;
        return tip;
    }
    interfaces::TipSnapshot WaitForTip(const std::function<bool(const interfaces::TipSnapshot&)>&,
                                       std::chrono::milliseconds) const override
    {
        return Tip();
    }
    std::optional<interfaces::BlockInfo> GetBlockInfo(const consensus::Uint256& hash) const override
    {
        for (const auto& [h, info] : by_height)
            if (info.hash == hash) return info;
        if (hash == unknown_data.hash) return unknown_data;
        return std::nullopt;
    }
    std::optional<interfaces::BlockInfo> GetBlockInfoAtHeight(int height) const override
    {
        auto it = by_height.find(height);
        if (it == by_height.end()) return std::nullopt;
        return it->second;
    }
    std::optional<interfaces::BlockInfo> GetAncestor(const consensus::Uint256&, int) const override
    {
        return std::nullopt;
    }
    std::vector<interfaces::ChainTipInfo> GetChainTips() const override { return {}; }
    util::Expected<std::shared_ptr<const consensus::Block>>
    ReadBlock(const consensus::Uint256& hash) const override
    {
        if (hash == block->GetHash()) return block;
        return util::Unexpected("Block not found");
    }
    util::Expected<interfaces::BlockUndo>
    ReadBlockUndo(const consensus::Uint256& hash) const override
    {
        if (hash != block->GetHash()) return util::Unexpected("Undo not found");
        interfaces::Coin coin;
        coin.out.value = 5000;
        coin.out.script_pubkey = consensus::Script{std::vector<uint8_t>{0x51}};
        coin.height = 7;
        return interfaces::BlockUndo{{coin}};
    }
    std::optional<interfaces::Coin> GetCoin(const consensus::OutPoint& outpoint) const override
    {
        if (outpoint.hash != block->vtx[0]->GetHash() || outpoint.n != 0) return std::nullopt;
        interfaces::Coin coin;
        coin.out = block->vtx[0]->vout[0];
        coin.height = 1;
        coin.coinbase = true;
        return coin;
    }
    std::optional<interfaces::TxLookup>
    FindTransaction(const consensus::Uint256& txid,
                    const std::optional<consensus::Uint256>&) const override
    {
        if (txid != block->vtx[1]->GetHash()) return std::nullopt;
        return interfaces::TxLookup{block->vtx[1], block->GetHash()};
    }
    bool HaveTxIndex() const override { return true; }

    std::unique_ptr<const common::ChainParams> params{common::ChainParams::Main()};
    std::vector<uint8_t> raw;
    std::shared_ptr<const consensus::Block> block;
    std::map<int, interfaces::BlockInfo> by_height;
    interfaces::BlockInfo unknown_data;
};

class RestTest : public ::testing::Test
{
protected:
    RestTest() { services.chain = &chain; }
    rpc::HttpResponse Get(const std::string& target, std::string body = "")
    {
        rpc::HttpRequest req;
        req.method = "GET";
        req.target = target;
        req.body = std::move(body);
        return rpc::HandleRest(req, services, nullptr);
    }
    void ExpectError(const std::string& target, int status, const std::string& message)
    {
        const auto r = Get(target);
        EXPECT_EQ(r.status, status) << target;
        EXPECT_EQ(r.content_type, "text/plain") << target;
        EXPECT_EQ(r.body, message + "\r\n") << target;
    }
    std::string RawHex(size_t from, size_t len) const
    {
        return util::HexStr(std::span{chain.raw}.subspan(from, len));
    }

    FakeChain chain;
    rpc::Services services;
};

TEST_F(RestTest, BlockBinAndHexAreTheStoredBytes)
{
    auto r = Get(std::string{"/rest/block/"} + BLOCK_HASH + ".bin");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/octet-stream");
    EXPECT_TRUE(r.body == std::string(chain.raw.begin(), chain.raw.end()));
    r = Get(std::string{"/rest/block/notxdetails/"} + BLOCK_HASH + ".hex");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/plain");
    EXPECT_TRUE(r.body == RawHex(0, chain.raw.size()) + "\n");
}

TEST_F(RestTest, BlockErrors)
{
    const std::string unknown(64, '0');
    ExpectError("/rest/block/" + unknown + ".bin", 404, unknown + " not found");
    ExpectError("/rest/block/xyz.bin", 400, "Invalid hash: xyz");
    ExpectError("/rest/block/" + std::string(63, 'a') + ".json", 400,
                "Invalid hash: " + std::string(63, 'a'));
    ExpectError(std::string{"/rest/block/"} + BLOCK_HASH + ".xml", 400,
                std::string{"Invalid hash: "} + BLOCK_HASH + ".xml");
    ExpectError(std::string{"/rest/block/"} + BLOCK_HASH, 404,
                "output format not found (available: .bin, .hex, .json)");
    const std::string no_data = chain.unknown_data.hash.GetHex();
    ExpectError("/rest/block/" + no_data + ".hex", 404,
                no_data + " not available (not fully downloaded)");
}

TEST_F(RestTest, Headers)
{
    const std::string genesis = chain.by_height.at(0).hash.GetHex();
    // From height 0: the fake genesis header then the real block's 80 bytes.
    auto r = Get("/rest/headers/" + genesis + ".hex?count=2");
    EXPECT_EQ(r.status, 200);
    ASSERT_EQ(r.body.size(), 2 * 160u + 1);
    EXPECT_EQ(r.body.substr(160), RawHex(0, 80) + "\n");
    // Default count 5, limited by the tip; the deprecated form gives the same bytes.
    EXPECT_EQ(Get(std::string{"/rest/headers/"} + BLOCK_HASH + ".hex").body, RawHex(0, 80) + "\n");
    EXPECT_EQ(Get(std::string{"/rest/headers/3/"} + BLOCK_HASH + ".hex").body,
              RawHex(0, 80) + "\n");
    r = Get(std::string{"/rest/headers/"} + BLOCK_HASH + ".bin?count=1");
    EXPECT_EQ(r.content_type, "application/octet-stream");
    EXPECT_TRUE(r.body == std::string(chain.raw.begin(), chain.raw.begin() + 80));
    // An unknown hash answers an empty list.
    r = Get("/rest/headers/" + std::string(64, '0') + ".bin");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "");

    const std::string range = "Header count is invalid or out of acceptable range (1-2000): ";
    ExpectError(std::string{"/rest/headers/"} + BLOCK_HASH + ".bin?count=0", 400, range + "0");
    ExpectError(std::string{"/rest/headers/"} + BLOCK_HASH + ".bin?count=2001", 400,
                range + "2001");
    ExpectError(std::string{"/rest/headers/"} + BLOCK_HASH + ".bin?count=-1", 400, range + "-1");
    ExpectError(std::string{"/rest/headers/abc/"} + BLOCK_HASH + ".bin", 400, range + "abc");
    ExpectError("/rest/headers/1/zz.bin", 400, "Invalid hash: zz");
    ExpectError("/rest/headers/1/2/3.bin", 400,
                "Invalid URI format. Expected /rest/headers/<hash>.<ext>?count=<count>");
}

TEST_F(RestTest, BlockHashByHeight)
{
    auto r = Get("/rest/blockhashbyheight/1.hex");
    EXPECT_EQ(r.body, std::string{BLOCK_HASH} + "\n");
    r = Get("/rest/blockhashbyheight/1.bin");
    // Internal byte order: the hash of the header bytes, i.e. the display hex reversed.
    ASSERT_EQ(r.body.size(), 32u);
    EXPECT_EQ(util::HexStr(std::vector<uint8_t>(r.body.rbegin(), r.body.rend())), BLOCK_HASH);
    r = Get("/rest/blockhashbyheight/1.json");
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.body, std::string{"{\"blockhash\":\""} + BLOCK_HASH + "\"}\n");
    ExpectError("/rest/blockhashbyheight/2.json", 404, "Block height out of range");
    ExpectError("/rest/blockhashbyheight/-1.json", 400, "Invalid height: -1");
    ExpectError("/rest/blockhashbyheight/1a.json", 400, "Invalid height: 1a");
    ExpectError("/rest/blockhashbyheight/%3Cb%3E.json", 400, "Invalid height: %3Cb%3E");
    ExpectError("/rest/blockhashbyheight/1", 404,
                "output format not found (available: .bin, .hex, .json)");
}

TEST_F(RestTest, GetUtxosBinaryEncoding)
{
    const std::string cb = chain.block->vtx[0]->GetHash().GetHex();
    const std::string other = chain.block->vtx[1]->GetHash().GetHex();
    auto r = Get("/rest/getutxos/checkmempool/" + other + "-0/" + cb + "-0.bin");
    EXPECT_EQ(r.status, 200);
    const std::string& b = r.body;
    // height 1 (int32 LE), tip hash (32 bytes), bitmap [1 byte: 0b10], one coin.
    ASSERT_GE(b.size(), 4u + 32 + 2 + 1 + 8);
    EXPECT_EQ(b.substr(0, 4), std::string("\x01\x00\x00\x00", 4));
    EXPECT_EQ(util::HexStr(std::vector<uint8_t>(b.rbegin() + static_cast<long>(b.size() - 36),
                                                b.rbegin() + static_cast<long>(b.size() - 4))),
              BLOCK_HASH);
    EXPECT_EQ(b.substr(36, 3), std::string("\x01\x02\x01", 3));
    // Coin: version 0, height 1, then the coinbase's first output.
    EXPECT_EQ(b.substr(39, 8), std::string("\x00\x00\x00\x00\x01\x00\x00\x00", 8));
    const auto out = consensus::Encode(chain.block->vtx[0]->vout[0]);
    EXPECT_EQ(b.substr(47), std::string(out.begin(), out.end()));

    // The same query as a binary body.
    std::vector<uint8_t> body{0x00, 0x01};
    const auto op = consensus::Encode(consensus::OutPoint{chain.block->vtx[0]->GetHash(), 0});
    body.insert(body.end(), op.begin(), op.end());
    const auto r2 = Get("/rest/getutxos.bin", std::string(body.begin(), body.end()));
    EXPECT_EQ(r2.status, 200);
    EXPECT_EQ(r2.body.substr(36, 3), std::string("\x01\x01\x01", 3));
    const auto r3 = Get("/rest/getutxos.hex", util::HexStr(body));
    EXPECT_EQ(r3.body, util::HexStr(std::vector<uint8_t>(r2.body.begin(), r2.body.end())) + "\n");
}

TEST_F(RestTest, GetUtxosErrors)
{
    const std::string txid(64, 'a');
    ExpectError("/rest/getutxos.bin", 400, "Error: empty request");
    ExpectError("/rest/getutxos.json", 400, "Error: empty request");
    ExpectError("/rest/getutxos/checkmempool.json", 400, "Error: empty request");
    ExpectError("/rest/getutxos/" + txid + ".json", 400, "Parse error");
    ExpectError("/rest/getutxos/" + txid + "-0", 404,
                "output format not found (available: .bin, .hex, .json)");
    std::string many = "/rest/getutxos";
    for (int i = 0; i < 16; ++i)
        many += "/" + txid + "-" + std::to_string(i);
    ExpectError(many + ".json", 400, "Error: max outpoints exceeded (max: 15, tried: 16)");
    rpc::HttpRequest req;
    req.target = "/rest/getutxos/" + txid + "-0.bin";
    req.body = "x";
    auto r = rpc::HandleRest(req, services, nullptr);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body, "Combination of URI scheme inputs and raw post data is not allowed\r\n");
    req.target = "/rest/getutxos.bin";
    req.body = std::string("\x00\x02", 2);
    r = rpc::HandleRest(req, services, nullptr);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body, "Parse error\r\n");
}

TEST_F(RestTest, SpentTxOuts)
{
    auto r = Get(std::string{"/rest/spenttxouts/"} + BLOCK_HASH + ".hex");
    EXPECT_EQ(r.status, 200);
    // [coinbase: 0 outputs], [tx 1: one output of 5000 sat paying OP_TRUE]
    EXPECT_EQ(r.body, "0200018813000000000000"
                      "0151\n");
    r = Get(std::string{"/rest/spenttxouts/"} + BLOCK_HASH + ".json");
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("[[],[{\"value\":0.00005000,\"scriptPubKey\":{"), std::string::npos)
        << r.body;
    const std::string genesis = chain.by_height.at(0).hash.GetHex();
    EXPECT_EQ(Get("/rest/spenttxouts/" + genesis + ".hex").body, "0100\n");
    ExpectError("/rest/spenttxouts/" + std::string(64, '0') + ".bin", 404,
                std::string(64, '0') + " not found");
    ExpectError("/rest/spenttxouts/" + chain.unknown_data.hash.GetHex() + ".bin", 404,
                chain.unknown_data.hash.GetHex() + " undo not available");
    ExpectError("/rest/spenttxouts/a/b.bin", 400,
                "Invalid URI format. Expected /rest/spenttxouts/<hash>.<ext>");
}

TEST_F(RestTest, TxAndMempool)
{
    const auto& tx = *chain.block->vtx[1];
    auto r = Get("/rest/tx/" + tx.GetHash().GetHex() + ".bin");
    EXPECT_EQ(r.status, 200);
    // The transaction's bytes sit in the block file right after the coinbase.
    const auto cb = consensus::Encode(*chain.block->vtx[0]);
    const size_t offset = 80 + 3 + cb.size();
    EXPECT_TRUE(r.body ==
                std::string(chain.raw.begin() + static_cast<long>(offset),
                            chain.raw.begin() + static_cast<long>(offset + r.body.size())));
    ExpectError("/rest/tx/" + std::string(64, 'b') + ".hex", 404,
                std::string(64, 'b') + " not found");
    ExpectError("/rest/tx/nothex.hex", 400, "Invalid hash: nothex");

    r = Get("/rest/mempool/contents.json");
    EXPECT_EQ(r.body, "{}\n");
    EXPECT_EQ(Get("/rest/mempool/contents.json?verbose=false").body, "[]\n");
    EXPECT_EQ(Get("/rest/mempool/contents.json?verbose=false&mempool_sequence=true").body,
              "{\"txids\":[],\"mempool_sequence\":1}\n");
    ExpectError("/rest/mempool/contents.json?verbose=1", 400,
                "The \"verbose\" query parameter must be either \"true\" or \"false\".");
    ExpectError("/rest/mempool/contents.json?mempool_sequence=true", 400,
                "Verbose results cannot contain mempool sequence values. (hint: set "
                "\"verbose=false\")");
    ExpectError("/rest/mempool/other.json", 400,
                "Invalid URI format. Expected /rest/mempool/<info|contents>.json");
    ExpectError("/rest/mempool/info.bin", 404, "output format not found (available: json)");
    r = Get("/rest/mempool/info.json");
    EXPECT_EQ(r.body,
              "{\"loaded\":true,\"size\":0,\"bytes\":0,\"usage\":0,\"total_fee\":0.00000000,"
              "\"maxmempool\":300000000,\"mempoolminfee\":0.00001000,\"minrelaytxfee\":0.00001000,"
              "\"incrementalrelayfee\":0.00001000,\"unbroadcastcount\":0,\"fullrbf\":true}\n");
    ExpectError("/rest/chaininfo.bin", 404, "output format not found (available: json)");
    ExpectError("/rest/blockfilter/basic/" + std::string(64, '0') + ".json", 400,
                "Index is not enabled for filtertype basic");
    ExpectError("/rest/blockfilter/x/" + std::string(64, '0') + ".json", 400,
                "Unknown filtertype x");
    EXPECT_EQ(Get("/rest/nothing").status, 404);
}

} // namespace
