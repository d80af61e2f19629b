// Blockchain RPC: the shared JSON builders against known mainnet values, and the methods
// against a small in-memory chain (expected numbers worked out by hand from the encodings).
#include <rpc/blockchain.h>

#include <common/chainparams.h>
#include <consensus/arith_uint256.h>
#include <rpc/dispatch.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>
#include <util/strings.h>

#include "fake_chain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <string>

namespace {

using consensus::Uint256;
using rpc::Json;

constexpr const char* GENESIS_HASH{
    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"};
constexpr const char* BLOCK1_HASH{
    "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048"};
constexpr const char* GENESIS_MERKLE{
    "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"};

Uint256 Hash(const char* hex)
{
    return *Uint256::FromHex(hex);
}

interfaces::BlockInfo GenesisInfo(const common::ChainParams& params, bool active)
{
    interfaces::BlockInfo info;
    info.header = params.GenesisBlock().header;
    info.hash = info.header.GetHash();
    info.height = 0;
    info.chain_work = consensus::ArithUint256{0x100010001}.ToUint256();
    info.median_time_past = info.header.time;
    info.tx_count = 1;
    info.chain_tx_count = 1;
    info.have_data = true;
    info.in_active_chain = active;
    if (active) info.next_hash = Hash(BLOCK1_HASH);
    info.state = interfaces::BlockState::ACTIVE;
    return info;
}

// ---- GetDifficulty -------------------------------------------------------------------------

TEST(BlockchainJson, DifficultyOfKnownBits)
{
    EXPECT_DOUBLE_EQ(rpc::GetDifficulty(0x1d00ffff), 1.0);
    // Regtest's pow limit, as Core reports it.
    EXPECT_DOUBLE_EQ(rpc::GetDifficulty(0x207fffff), 4.656542373906925e-10);
    // Mainnet block 100000 (explorers show 14484.1623612254).
    EXPECT_NEAR(rpc::GetDifficulty(0x1b04864c), 14484.1623612254, 1e-9);
    // Independent formula: 0xffff * 256^(0x1d-3) / (mantissa * 256^(exp-3)).
    for (const uint32_t bits : {0x1c05a3f4u, 0x1b0404cbu, 0x170331dbu, 0x1f111111u}) {
        const double mantissa = bits & 0x00ffffff;
        const int exponent = static_cast<int>(bits >> 24);
        const double expected = 65535.0 / mantissa * std::pow(256.0, 0x1d - exponent);
        EXPECT_NEAR(rpc::GetDifficulty(bits) / expected, 1.0, 1e-12) << std::hex << bits;
    }
}

// ---- BlockHeaderToJson / BlockToJson ---------------------------------------------------------

TEST(BlockchainJson, GenesisHeaderAsCoreShowsIt)
{
    const auto params = common::ChainParams::Main();
    const auto json = rpc::BlockHeaderToJson(GenesisInfo(*params, true), 10);
    const Json expected = Json::parse(std::string{R"({
        "hash": ")"} + GENESIS_HASH + R"(",
        "confirmations": 11,
        "height": 0,
        "version": 1,
        "versionHex": "00000001",
        "merkleroot": ")" + GENESIS_MERKLE +
                                      R"(",
        "time": 1231006505,
        "mediantime": 1231006505,
        "nonce": 2083236893,
        "bits": "1d00ffff",
        "difficulty": 1,
        "chainwork": "0000000000000000000000000000000000000000000000000000000100010001",
        "nTx": 1,
        "nextblockhash": ")" + BLOCK1_HASH +
                                      R"("})");
    EXPECT_EQ(rpc::WriteJson(json), rpc::WriteJson(expected));
}

TEST(BlockchainJson, OffChainHeaderHasNoConfirmationsOrNext)
{
    const auto params = common::ChainParams::Main();
    auto info = GenesisInfo(*params, false);
    info.height = 5; // pretend a stale block: previousblockhash appears above height 0
    info.header.version = 0x20000004;
    const auto json = rpc::BlockHeaderToJson(info, 10);
    EXPECT_EQ(json["confirmations"], -1);
    EXPECT_EQ(json["versionHex"], "20000004");
    EXPECT_FALSE(json.contains("nextblockhash"));
    EXPECT_EQ(json["previousblockhash"], info.header.prev_block.GetHex());
}

TEST(BlockchainJson, GenesisBlockVerbosityOne)
{
    const auto params = common::ChainParams::Main();
    const auto json = rpc::BlockToJson(params->GenesisBlock(), GenesisInfo(*params, true), 0, 1,
                                       nullptr, *params);
    EXPECT_EQ(json["confirmations"], 1);
    // Core's getblock of the genesis block: 285 bytes, no witness, weight 4 * 285.
    EXPECT_EQ(json["strippedsize"], 285);
    EXPECT_EQ(json["size"], 285);
    EXPECT_EQ(json["weight"], 1140);
    ASSERT_EQ(json["tx"].size(), 1u);
    EXPECT_EQ(json["tx"][0], GENESIS_MERKLE);
    // Field order: header fields, then the block's.
    std::vector<std::string> keys;
    for (const auto& [key, value] : json.items())
        keys.push_back(key);
    const std::vector<std::string> expected{
        "hash", "confirmations", "height",       "version", "versionHex", "merkleroot",
        "time", "mediantime",    "nonce",        "bits",    "difficulty", "chainwork",
        "nTx",  "nextblockhash", "strippedsize", "size",    "weight",     "tx"};
    EXPECT_EQ(keys, expected);
}

TEST(BlockchainJson, GenesisBlockVerbosityTwoDecodesTransactions)
{
    const auto params = common::ChainParams::Main();
    const auto json = rpc::BlockToJson(params->GenesisBlock(), GenesisInfo(*params, true), 0, 2,
                                       nullptr, *params);
    ASSERT_EQ(json["tx"].size(), 1u);
    const auto& tx = json["tx"][0];
    EXPECT_EQ(tx["txid"], GENESIS_MERKLE);
    EXPECT_FALSE(tx.contains("fee"));
    EXPECT_FALSE(tx.contains("blockhash"));
    ASSERT_TRUE(tx.contains("hex"));
    EXPECT_EQ(tx["hex"].get<std::string>().substr(0, 10), "0100000001");
}

// ---- methods against an in-memory chain ------------------------------------------------------

consensus::Script P2wpkh()
{
    // BIP173's example program: bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 on mainnet.
    auto bytes = *util::TryParseHex("0014751e76e8199196d454941c45d1b3a323f1433bd6");
    return consensus::Script{std::move(bytes)};
}

// Genesis plus block 1 holding a coinbase and one transaction that spends a 10 BTC P2WPKH coin
// into 9.9999 BTC (P2WPKH) and an OP_RETURN: fee 10000 sat, 94 bytes, no witness.
class FakeChain : public rpc_test::FakeChainBase
{
public:
    FakeChain() : m_params{common::ChainParams::Main()}
    {
        m_genesis = GenesisInfo(*m_params, true);

        consensus::MutableTransaction coinbase;
        coinbase.version = 1;
        coinbase.vin.resize(1);
        coinbase.vin[0].script_sig = consensus::Script{std::vector<uint8_t>{0x51, 0x51}};
        coinbase.vout.push_back({5'000'000'000 + 10'000, P2wpkh()});
        consensus::MutableTransaction spend;
        spend.version = 2;
        spend.vin.resize(1);
        spend.vin[0].prevout = {Hash(GENESIS_MERKLE), 7};
        spend.vout.push_back({999'990'000, P2wpkh()});
        spend.vout.push_back({0, consensus::Script{std::vector<uint8_t>{0x6a, 0x01, 0x00}}});

        auto block = std::make_shared<consensus::Block>();
        block->header.version = 0x20000000;
        block->header.prev_block = m_genesis.hash;
        block->header.time = 1231006505 + 600;
        block->header.bits = 0x1d00ffff;
        block->vtx.push_back(std::make_shared<const consensus::Transaction>(coinbase));
        block->vtx.push_back(std::make_shared<const consensus::Transaction>(spend));
        m_block1 = block;
        m_spend_txid = block->vtx[1]->GetHash();

        m_info1.header = block->header;
        m_info1.hash = block->GetHash();
        m_info1.height = 1;
        m_info1.chain_work = consensus::ArithUint256{0x200020002}.ToUint256();
        m_info1.median_time_past = m_genesis.median_time_past;
        m_info1.tx_count = 2;
        m_info1.chain_tx_count = 3;
        m_info1.have_data = m_info1.have_undo = m_info1.in_active_chain = true;
        m_info1.state = interfaces::BlockState::ACTIVE;
        m_genesis.next_hash = m_info1.hash;
    }

    const common::ChainParams& Params() const override { return *m_params; }
    interfaces::TipSnapshot Tip() const override
    {
        interfaces::TipSnapshot tip;
        tip.hash = m_info1.hash;
        tip.height = 1;
        tip.time = m_info1.header.time;
        tip.median_time_past = m_info1.median_time_past;
        tip.bits = m_info1.header.bits;
        tip.chain_work = m_info1.chain_work;
        tip.chain_tx_count = 3;
        tip.headers = 1;
        tip.best_header_hash = m_info1.hash;
        tip.initial_block_download = false;
        tip.verification_progress = 1.0;
        return tip;
    }
    interfaces::TipSnapshot WaitForTip(const std::function<bool(const interfaces::TipSnapshot&)>&,
                                       std::chrono::milliseconds timeout) const override
    {
        m_last_wait = timeout;
        return Tip();
    }
    std::optional<interfaces::BlockInfo> GetBlockInfo(const Uint256& hash) const override
    {
        if (hash == m_genesis.hash) return m_genesis;
        if (hash == m_info1.hash) return m_info1;
        return std::nullopt;
    }
    std::optional<interfaces::BlockInfo> GetBlockInfoAtHeight(int height) const override
    {
        if (height == 0) return m_genesis;
        if (height == 1) return m_info1;
        return std::nullopt;
    }
    std::optional<interfaces::BlockInfo> GetAncestor(const Uint256& hash, int height) const override
    {
        if (!GetBlockInfo(hash)) return std::nullopt;
        return GetBlockInfoAtHeight(height);
    }
    std::vector<interfaces::ChainTipInfo> GetChainTips() const override
    {
        return {{Hash(GENESIS_MERKLE), 1, 1, interfaces::BlockState::INVALID},
                {m_info1.hash, 1, 0, interfaces::BlockState::ACTIVE},
                {Hash(BLOCK1_HASH), 3, 2, interfaces::BlockState::HEADERS_ONLY}};
    }
    util::Expected<std::shared_ptr<const consensus::Block>>
    ReadBlock(const Uint256& hash) const override
    {
        if (hash == m_genesis.hash) {
            return std::make_shared<const consensus::Block>(m_params->GenesisBlock());
        }
        if (hash == m_info1.hash) return std::shared_ptr<const consensus::Block>{m_block1};
        return util::Unexpected("Block not found");
    }
    util::Expected<interfaces::BlockUndo> ReadBlockUndo(const Uint256& hash) const override
    {
        if (hash != m_info1.hash) return util::Unexpected("no undo");
        return interfaces::BlockUndo{{interfaces::Coin{{1'000'000'000, P2wpkh()}, 0, false}}};
    }
    std::optional<interfaces::Coin> GetCoin(const consensus::OutPoint& outpoint) const override
    {
        if (outpoint.hash == m_spend_txid && outpoint.n == 0) {
            return interfaces::Coin{m_block1->vtx[1]->vout[0], 1, false};
        }
        return std::nullopt;
    }
    util::Expected<interfaces::UtxoSetStats> GetUtxoSetStats(bool with_muhash) const override
    {
        m_muhash_requests.push_back(with_muhash);
        interfaces::UtxoSetStats stats;
        // The fake's MuHash stands apart from its hash_serialized_3 so the RPC cannot mix them.
        if (with_muhash) stats.muhash = Hash(GENESIS_MERKLE);
        stats.height = 1;
        stats.best_block = m_info1.hash;
        stats.transactions = 1;
        stats.txouts = 2;
        stats.bogosize = 150;
        stats.hash_serialized = Hash(BLOCK1_HASH);
        stats.total_amount = 5'999'990'000 + 10'000;
        stats.disk_size = 4096;
        return stats;
    }
    uint64_t BlockFilesSize() const override { return 12345; }
    util::Expected<void> InvalidateBlock(const Uint256& hash) override
    {
        m_invalidated = hash;
        return {};
    }
    util::Expected<void> ReconsiderBlock(const Uint256&) override
    {
        return util::Unexpected("disk full");
    }
    util::Expected<bool> VerifyChain(int level, int depth) override
    {
        m_verify_args = {level, depth};
        return level < 4;
    }

    std::unique_ptr<const common::ChainParams> m_params;
    interfaces::BlockInfo m_genesis;
    interfaces::BlockInfo m_info1;
    std::shared_ptr<consensus::Block> m_block1;
    Uint256 m_spend_txid;
    mutable std::chrono::milliseconds m_last_wait{-1};
    mutable std::vector<bool> m_muhash_requests; //!< with_muhash of each GetUtxoSetStats call
    std::optional<Uint256> m_invalidated;
    std::pair<int, int> m_verify_args{-1, -1};
};

class BlockchainMethods : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_services.chain = &m_chain;
        rpc::RegisterBlockchainMethods(m_table, m_services);
        m_table.FinishWarmup();
    }

    rpc::Result Call(const std::string& method, Json params = Json::array())
    {
        rpc::JsonRequest request;
        request.method = method;
        request.params = std::move(params);
        return m_table.Execute(request, m_context);
    }
    Json Ok(const std::string& method, Json params = Json::array())
    {
        auto result = Call(method, std::move(params));
        EXPECT_TRUE(result.has_value()) << method << ": " << result.error().message;
        return result.has_value() ? result.value() : Json{};
    }
    void ExpectError(const std::string& method, Json params, int code, const std::string& message)
    {
        auto result = Call(method, std::move(params));
        ASSERT_FALSE(result.has_value()) << method << " " << rpc::WriteJson(result.value());
        EXPECT_EQ(result.error().code, code) << method;
        EXPECT_EQ(result.error().message, message) << method;
    }

    FakeChain m_chain;
    rpc::Services m_services;
    rpc::MethodTable m_table;
    rpc::Context m_context;
};

TEST_F(BlockchainMethods, AllDescriptionsRegistered)
{
    for (const char* name :
         {"getbestblockhash", "getblock",          "getblockchaininfo", "getblockcount",
          "getblockhash",     "getblockheader",    "getblockstats",     "getchaintips",
          "getchaintxstats",  "getdeploymentinfo", "getdifficulty",     "gettxout",
          "gettxoutsetinfo",  "verifychain",       "invalidateblock",   "reconsiderblock",
          "preciousblock",    "waitfornewblock",   "waitforblock",      "waitforblockheight"}) {
        EXPECT_NE(m_table.Find(name), nullptr) << name;
    }
    EXPECT_NE(m_table.Help("getblock").find("1. blockhash"), std::string::npos);
    EXPECT_NE(m_table.Help("getblockstats").find("\"utxo_size_inc_actual\""), std::string::npos);
}

TEST_F(BlockchainMethods, TipQueries)
{
    EXPECT_EQ(Ok("getblockcount"), 1);
    EXPECT_EQ(Ok("getbestblockhash"), m_chain.m_info1.hash.GetHex());
    EXPECT_DOUBLE_EQ(Ok("getdifficulty").get<double>(), 1.0);
    const auto info = Ok("getblockchaininfo");
    EXPECT_EQ(info["chain"], "main");
    EXPECT_EQ(info["blocks"], 1);
    EXPECT_EQ(info["size_on_disk"], 12345);
    EXPECT_EQ(info["pruned"], false);
    EXPECT_EQ(info["chainwork"],
              "0000000000000000000000000000000000000000000000000000000200020002");
    EXPECT_TRUE(info["warnings"].is_array());
}

TEST_F(BlockchainMethods, GetBlockHashRange)
{
    EXPECT_EQ(Ok("getblockhash", {0}), GENESIS_HASH);
    ExpectError("getblockhash", {2}, rpc::RPC_INVALID_PARAMETER, "Block height out of range");
    ExpectError("getblockhash", {-1}, rpc::RPC_INVALID_PARAMETER, "Block height out of range");
    const auto wrong_type = Call("getblockhash", {"0"});
    ASSERT_FALSE(wrong_type.has_value());
    EXPECT_EQ(wrong_type.error().code, rpc::RPC_TYPE_ERROR);
}

TEST_F(BlockchainMethods, GetBlockHeaderBothForms)
{
    const auto hex = Ok("getblockheader", {GENESIS_HASH, false}).get<std::string>();
    ASSERT_EQ(hex.size(), 160u);
    EXPECT_EQ(hex.substr(0, 8), "01000000");
    EXPECT_EQ(hex.substr(hex.size() - 24), "29ab5f49ffff001d1dac2b7c"); // time, bits, nonce
    const auto json = Ok("getblockheader", {GENESIS_HASH});
    EXPECT_EQ(json["confirmations"], 2);
    EXPECT_EQ(json["nextblockhash"], m_chain.m_info1.hash.GetHex());
    ExpectError("getblockheader", {std::string(64, '0')}, rpc::RPC_INVALID_ADDRESS_OR_KEY,
                "Block not found");
    ExpectError("getblockheader", {"abc"}, rpc::RPC_INVALID_PARAMETER,
                "hash must be of length 64 (not 3, for 'abc')");
}

TEST_F(BlockchainMethods, GetBlockVerbosities)
{
    const auto raw = Ok("getblock", {GENESIS_HASH, 0}).get<std::string>();
    EXPECT_EQ(raw.size(), 285u * 2);
    EXPECT_EQ(Ok("getblock", {GENESIS_HASH, false}), raw);
    EXPECT_EQ(Ok("getblock", {GENESIS_HASH})["tx"][0], GENESIS_MERKLE);
    EXPECT_EQ(Ok("getblock", {GENESIS_HASH, true})["tx"][0], GENESIS_MERKLE);

    const auto hash1 = m_chain.m_info1.hash.GetHex();
    const auto v2 = Ok("getblock", {hash1, 2});
    ASSERT_EQ(v2["tx"].size(), 2u);
    EXPECT_FALSE(v2["tx"][0].contains("fee"));
    ASSERT_TRUE(v2["tx"][1].contains("fee"));
    EXPECT_EQ(rpc::WriteJson(v2["tx"][1]["fee"]), "0.00010000");
    EXPECT_FALSE(v2["tx"][1]["vin"][0].contains("prevout"));
    const auto v3 = Ok("getblock", {hash1, 3});
    ASSERT_TRUE(v3["tx"][1]["vin"][0].contains("prevout"));
    EXPECT_EQ(rpc::WriteJson(v3["tx"][1]["vin"][0]["prevout"]["value"]), "10.00000000");

    ExpectError("getblock", {std::string(64, 'f')}, rpc::RPC_INVALID_ADDRESS_OR_KEY,
                "Block not found");
    ExpectError("getblock", {std::string(63, 'f') + "g"}, rpc::RPC_INVALID_PARAMETER,
                "blockhash must be hexadecimal string (not '" + std::string(63, 'f') + "g')");
}

TEST_F(BlockchainMethods, GetBlockStatsWorkedByHand)
{
    const auto stats = Ok("getblockstats", {1});
    // Spend: 4 + 1 + 41 + 1 + 31 + 12 + 4 = 94 bytes, weight 376; fee 10000 sat;
    // feerate 10000 * 4 / 376 = 106 sat/vB.
    const Json expected = Json::parse(R"({
        "avgfee": 10000, "avgfeerate": 106, "avgtxsize": 94,
        "feerate_percentiles": [106, 106, 106, 106, 106],
        "height": 1, "ins": 1, "maxfee": 10000, "maxfeerate": 106, "maxtxsize": 94,
        "medianfee": 10000, "mediantxsize": 94, "minfee": 10000, "minfeerate": 106,
        "mintxsize": 94, "outs": 3, "subsidy": 5000000000, "swtotal_size": 0,
        "swtotal_weight": 0, "swtxs": 0, "total_out": 999990000, "total_size": 94,
        "total_weight": 376, "totalfee": 10000, "txs": 2, "utxo_increase": 2,
        "utxo_size_inc": 125, "utxo_increase_actual": 1, "utxo_size_inc_actual": 72})");
    for (const auto& [key, value] : expected.items()) {
        EXPECT_EQ(stats[key], value) << key;
    }
    EXPECT_EQ(stats["blockhash"], m_chain.m_info1.hash.GetHex());
    EXPECT_EQ(stats.size(), expected.size() + 3); // + blockhash, mediantime, time

    const auto some = Ok("getblockstats", {m_chain.m_info1.hash.GetHex(), {"txs", "height"}});
    EXPECT_EQ(rpc::WriteJson(some), R"({"height":1,"txs":2})");
    ExpectError("getblockstats", {1, {"nope"}}, rpc::RPC_INVALID_PARAMETER,
                "Invalid selected statistic 'nope'");
    ExpectError("getblockstats", {2}, rpc::RPC_INVALID_PARAMETER,
                "Target block height 2 after current tip 1");
    ExpectError("getblockstats", {-1}, rpc::RPC_INVALID_PARAMETER,
                "Target block height -1 is negative");
    ExpectError("getblockstats", {std::string(64, '1')}, rpc::RPC_INVALID_ADDRESS_OR_KEY,
                "Block not found");
    // The genesis block has no undo data and needs none.
    EXPECT_EQ(Ok("getblockstats", {0})["utxo_increase_actual"], 0);
}

TEST_F(BlockchainMethods, ChainTipsSortedByHeight)
{
    const auto tips = Ok("getchaintips");
    ASSERT_EQ(tips.size(), 3u);
    EXPECT_EQ(tips[0]["height"], 3);
    EXPECT_EQ(tips[0]["status"], "headers-only");
    EXPECT_EQ(tips[0]["branchlen"], 2);
    EXPECT_EQ(tips[1]["status"], "invalid");
    EXPECT_EQ(tips[2]["status"], "active");
    EXPECT_EQ(rpc::WriteJson(tips[2]), R"({"height":1,"hash":")" + m_chain.m_info1.hash.GetHex() +
                                           R"(","branchlen":0,"status":"active"})");
}

TEST_F(BlockchainMethods, ChainTxStats)
{
    const auto stats = Ok("getchaintxstats");
    EXPECT_EQ(stats["txcount"], 3);
    EXPECT_EQ(stats["window_block_count"], 0); // min(one month, height - 1)
    EXPECT_FALSE(stats.contains("window_interval"));
    ExpectError("getchaintxstats", {1}, rpc::RPC_INVALID_PARAMETER,
                "Invalid block count: should be between 0 and the block's height - 1");
    ExpectError("getchaintxstats", {0, std::string(64, '2')}, rpc::RPC_INVALID_ADDRESS_OR_KEY,
                "Block not found");
}

TEST_F(BlockchainMethods, GetTxOut)
{
    const auto out = Ok("gettxout", {m_chain.m_spend_txid.GetHex(), 0});
    EXPECT_EQ(out["bestblock"], m_chain.m_info1.hash.GetHex());
    EXPECT_EQ(out["confirmations"], 1);
    EXPECT_EQ(rpc::WriteJson(out["value"]), "9.99990000");
    EXPECT_EQ(out["scriptPubKey"]["address"], "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    EXPECT_EQ(out["scriptPubKey"]["type"], "witness_v0_keyhash");
    EXPECT_EQ(out["coinbase"], false);
    EXPECT_TRUE(Ok("gettxout", {m_chain.m_spend_txid.GetHex(), 1, false}).is_null());
    ExpectError("gettxout", {m_chain.m_spend_txid.GetHex(), -1}, rpc::RPC_MISC_ERROR,
                "JSON integer out of range");
    ExpectError("gettxout", {"xyz", 0}, rpc::RPC_INVALID_PARAMETER,
                "txid must be of length 64 (not 3, for 'xyz')");
}

TEST_F(BlockchainMethods, GetTxOutSetInfo)
{
    const auto info = Ok("gettxoutsetinfo");
    EXPECT_EQ(rpc::WriteJson(info),
              R"({"height":1,"bestblock":")" + m_chain.m_info1.hash.GetHex() +
                  R"(","txouts":2,"bogosize":150,"hash_serialized_3":")" + BLOCK1_HASH +
                  R"(","total_amount":60.00000000,"transactions":1,"disk_size":4096})");
    EXPECT_FALSE(Ok("gettxoutsetinfo", {"none"}).contains("hash_serialized_3"));
    EXPECT_FALSE(Ok("gettxoutsetinfo", {"none"}).contains("muhash"));
    // muhash takes hash_serialized_3's place, as in Core.
    EXPECT_EQ(rpc::WriteJson(Ok("gettxoutsetinfo", {"muhash"})),
              R"({"height":1,"bestblock":")" + m_chain.m_info1.hash.GetHex() +
                  R"(","txouts":2,"bogosize":150,"muhash":")" + std::string{GENESIS_MERKLE} +
                  R"(","total_amount":60.00000000,"transactions":1,"disk_size":4096})");
    // Only the muhash call paid for the MuHash walk.
    EXPECT_EQ(m_chain.m_muhash_requests, (std::vector<bool>{false, false, false, true}));
    ExpectError("gettxoutsetinfo", {"MuHash"}, rpc::RPC_INVALID_PARAMETER,
                "'MuHash' is not a valid hash_type");
    ExpectError("gettxoutsetinfo", {"sha"}, rpc::RPC_INVALID_PARAMETER,
                "'sha' is not a valid hash_type");
    ExpectError("gettxoutsetinfo", {"none", 1}, rpc::RPC_INVALID_PARAMETER,
                "Querying specific block heights requires coinstatsindex");
}

TEST_F(BlockchainMethods, DeploymentInfoOnMainnet)
{
    const auto info = Ok("getdeploymentinfo", {GENESIS_HASH});
    EXPECT_EQ(info["height"], 0);
    const auto& deps = info["deployments"];
    EXPECT_EQ(rpc::WriteJson(deps["bip34"]), R"({"type":"buried","active":false,"height":227931})");
    EXPECT_EQ(deps["segwit"]["height"], 481824);
    EXPECT_FALSE(deps.contains("testdummy"));
    EXPECT_EQ(deps["taproot"]["type"], "bip9");
    EXPECT_EQ(deps["taproot"]["active"], false);
    EXPECT_EQ(deps["taproot"]["bip9"]["status"], "defined");
    EXPECT_EQ(deps["taproot"]["bip9"]["min_activation_height"], 709632);
    ExpectError("getdeploymentinfo", {std::string(64, '3')}, rpc::RPC_INVALID_ADDRESS_OR_KEY,
                "Block not found");
    EXPECT_EQ(Ok("getdeploymentinfo")["hash"], m_chain.m_info1.hash.GetHex());
}

TEST_F(BlockchainMethods, ControlAndWaits)
{
    EXPECT_TRUE(Ok("verifychain").get<bool>());
    EXPECT_EQ(m_chain.m_verify_args, (std::pair<int, int>{3, 6}));
    EXPECT_FALSE(Ok("verifychain", {4, 0}).get<bool>());
    EXPECT_EQ(m_chain.m_verify_args, (std::pair<int, int>{4, 0}));

    EXPECT_TRUE(Ok("invalidateblock", {GENESIS_HASH}).is_null());
    EXPECT_EQ(m_chain.m_invalidated, Hash(GENESIS_HASH));
    ExpectError("invalidateblock", {std::string(64, '4')}, rpc::RPC_INVALID_ADDRESS_OR_KEY,
                "Block not found");
    ExpectError("reconsiderblock", {GENESIS_HASH}, rpc::RPC_DATABASE_ERROR, "disk full");
    EXPECT_TRUE(Ok("preciousblock", {GENESIS_HASH}).is_null());

    const auto tip = Ok("waitforblockheight", {5, 20});
    EXPECT_EQ(m_chain.m_last_wait, std::chrono::milliseconds{20});
    EXPECT_EQ(rpc::WriteJson(tip),
              R"({"hash":")" + m_chain.m_info1.hash.GetHex() + R"(","height":1})");
    Ok("waitfornewblock");
    EXPECT_EQ(m_chain.m_last_wait, std::chrono::milliseconds{0});
    ExpectError("waitfornewblock", {-1}, rpc::RPC_MISC_ERROR, "Negative timeout");
    ExpectError("waitforblock", {GENESIS_HASH, -5}, rpc::RPC_MISC_ERROR, "Negative timeout");
}

TEST(BlockchainJson, ChainInfoFields)
{
    FakeChain chain;
    const auto info = rpc::ChainInfoToJson(chain);
    std::vector<std::string> keys;
    for (const auto& [key, value] : info.items())
        keys.push_back(key);
    const std::vector<std::string> expected{"chain",
                                            "blocks",
                                            "headers",
                                            "bestblockhash",
                                            "difficulty",
                                            "time",
                                            "mediantime",
                                            "verificationprogress",
                                            "initialblockdownload",
                                            "chainwork",
                                            "size_on_disk",
                                            "pruned",
                                            "warnings"};
    EXPECT_EQ(keys, expected);
    EXPECT_EQ(info["verificationprogress"], 1.0);
    EXPECT_EQ(info["initialblockdownload"], false);
}

} // namespace
