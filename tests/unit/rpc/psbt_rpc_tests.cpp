// The PSBT methods (rpc/psbt*.cpp) called through a MethodTable: BIP174's role vectors
// (tests/data/common/psbt/bip174_vectors.json) for create/combine/finalize/convert, decodepsbt's
// fields against values read off the vectors by hand, analyzepsbt against a size computed by
// hand, and utxoupdatepsbt against an in-memory chain and descriptors with known keys.
#include <common/chainparams.h>
#include <common/descriptor.h>
#include <common/psbt.h>
#include <consensus/hash.h>
#include <consensus/script/taproot.h>
#include <consensus/serialize.h>
#include <consensus/transaction.h>
#include <rpc/dispatch.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <util/strings.h>

#include "fake_chain.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

namespace {

using rpc::Json;

const nlohmann::json& Vectors()
{
    static const nlohmann::json vectors = [] {
        std::ifstream file{std::string{MINIBIT_TEST_DATA_DIR} + "/common/psbt/bip174_vectors.json"};
        std::stringstream buf;
        buf << file.rdbuf();
        return nlohmann::json::parse(buf.str());
    }();
    return vectors;
}

std::string Role(const std::string& name)
{
    return Vectors().at("roles").at(name).value("base64", "");
}

std::string ValidNamed(const std::string& part)
{
    for (const auto& v : Vectors().at("valid")) {
        if (v["name"].get<std::string>().find(part) != std::string::npos)
            return v["base64"].get<std::string>();
    }
    ADD_FAILURE() << "no vector " << part;
    return "";
}

consensus::Script ScriptFromHex(const std::string& hex)
{
    return consensus::Script{*util::TryParseHex(hex)};
}

// A chain with a UTXO set and a transaction index held in maps; testnet3 parameters, as the
// BIP174 vectors use testnet addresses.
class PsbtChain : public rpc_test::FakeChainBase
{
public:
    PsbtChain() : m_params{common::ChainParams::TestNet()} {}

    const common::ChainParams& Params() const override { return *m_params; }
    interfaces::TipSnapshot Tip() const override { return {}; }
    interfaces::TipSnapshot WaitForTip(const std::function<bool(const interfaces::TipSnapshot&)>&,
                                       std::chrono::milliseconds) const override
    {
        return {};
    }
    std::optional<interfaces::BlockInfo> GetBlockInfo(const consensus::Uint256&) const override
    {
        return std::nullopt;
    }
    std::optional<interfaces::BlockInfo> GetBlockInfoAtHeight(int) const override
    {
        return std::nullopt;
    }
    std::optional<interfaces::BlockInfo> GetAncestor(const consensus::Uint256&, int) const override
    {
        return std::nullopt;
    }
    std::vector<interfaces::ChainTipInfo> GetChainTips() const override { return {}; }
    util::Expected<std::shared_ptr<const consensus::Block>>
    ReadBlock(const consensus::Uint256&) const override
    {
        return util::Unexpected("unused");
    }
    util::Expected<interfaces::BlockUndo> ReadBlockUndo(const consensus::Uint256&) const override
    {
        return util::Unexpected("unused");
    }
    std::optional<interfaces::Coin> GetCoin(const consensus::OutPoint& outpoint) const override
    {
        const auto it = m_coins.find(outpoint);
        if (it == m_coins.end()) return std::nullopt;
        return it->second;
    }
    util::Expected<interfaces::UtxoSetStats> GetUtxoSetStats(bool) const override
    {
        return util::Unexpected("unused");
    }
    util::Expected<interfaces::UtxoScanResult>
    ScanUtxoSet(const std::function<void(const consensus::OutPoint&, const interfaces::Coin&)>&,
                const std::atomic<bool>&, std::atomic<int>*) const override
    {
        return util::Unexpected("unused");
    }
    std::optional<interfaces::TxLookup>
    FindTransaction(const consensus::Uint256& txid,
                    const std::optional<consensus::Uint256>&) const override
    {
        const auto it = m_txs.find(txid);
        if (it == m_txs.end()) return std::nullopt;
        return interfaces::TxLookup{it->second, std::nullopt};
    }
    bool HaveTxIndex() const override { return true; }
    std::unique_ptr<interfaces::NotificationHandle>
    HandleNotifications(std::shared_ptr<interfaces::ChainNotifications>) override
    {
        return nullptr;
    }
    void WaitForNotifications() const override {}

    // Adds a transaction paying `outputs` to the UTXO set, and to the transaction index when
    // `indexed`; returns its txid.
    consensus::Uint256 AddTx(const std::vector<consensus::TxOut>& outputs, bool indexed,
                             uint8_t salt)
    {
        consensus::MutableTransaction tx;
        tx.version = 2;
        consensus::TxIn in;
        in.prevout.hash = consensus::Sha256Hash(std::vector<uint8_t>{salt});
        in.script_sig = consensus::Script{std::vector<uint8_t>{0x51}};
        tx.vin.push_back(in);
        tx.vout = outputs;
        auto ref = consensus::MakeTransactionRef(std::move(tx));
        const consensus::Uint256 txid = ref->GetHash();
        for (uint32_t n = 0; n < ref->vout.size(); ++n)
            m_coins[consensus::OutPoint{txid, n}] = interfaces::Coin{ref->vout[n], 100, false};
        if (indexed) m_txs[txid] = ref;
        return txid;
    }

private:
    std::unique_ptr<const common::ChainParams> m_params;
    std::map<consensus::OutPoint, interfaces::Coin> m_coins;
    std::map<consensus::Uint256, consensus::TransactionRef> m_txs;
};

class PsbtRpc : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_services.chain = &m_chain;
        rpc::RegisterPsbtMethods(m_table, m_services);
        m_table.FinishWarmup();
    }

    rpc::Result Call(const std::string& method, Json params)
    {
        rpc::JsonRequest request;
        request.method = method;
        request.params = std::move(params);
        return m_table.Execute(request, m_context);
    }
    Json Ok(const std::string& method, Json params)
    {
        auto result = Call(method, std::move(params));
        EXPECT_TRUE(result.has_value()) << method << ": " << result.error().message;
        if (!result.has_value()) return Json{};
        // Through text, as a client sees it (amounts print as Core's numbers).
        return Json::parse(rpc::WriteJson(result.value()));
    }
    void ExpectError(const std::string& method, Json params, int code, const std::string& message)
    {
        auto result = Call(method, std::move(params));
        ASSERT_FALSE(result.has_value()) << method;
        EXPECT_EQ(result.error().code, code);
        EXPECT_EQ(result.error().message, message);
    }
    std::string Text(const Json& value) { return rpc::WriteJson(value); }

    PsbtChain m_chain;
    rpc::Services m_services;
    rpc::MethodTable m_table;
    rpc::Context m_context;
};

TEST_F(PsbtRpc, CreatePsbtGivesTheCreatorVector)
{
    // BIP174's Creator example: two inputs, two outputs, version 2, locktime 0, final sequences.
    const Json inputs = Json::parse(
        R"([{"txid":"75ddabb27b8845f5247975c8a5ba7c6f336c4570708ebe230caf6db5217ae858","vout":0},
            {"txid":"1dea7cd05979072a3578cab271c02244ea8a090bbb46aa680a65ecd027048d83","vout":1}])");
    const Json outputs = Json::parse(R"([{"tb1qmpwzkuwsqc9snjvgdt4czhjsnywa5yjdzglap9":1.49990000},
                                         {"tb1qqzh2ngh97ru8dfvgma25d6r595wcwqy06sqc03":1}])");
    EXPECT_EQ(Ok("createpsbt", Json::array({inputs, outputs, 0, false})), Role("creator"));
    // The default is replaceable: every sequence becomes 0xfffffffd, so the result differs.
    EXPECT_NE(Ok("createpsbt", Json::array({inputs, outputs})), Role("creator"));
    ExpectError("createpsbt", Json::array({inputs, Json::parse(R"([{"notanaddress":1}])")}),
                rpc::RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address: notanaddress");
    ExpectError("createpsbt", Json::array({inputs, outputs, -1}), rpc::RPC_INVALID_PARAMETER,
                "Invalid parameter, locktime out of range");
}

TEST_F(PsbtRpc, ConvertToPsbtStripsSignaturesOnlyWhenPermitted)
{
    const std::string signed_hex = Vectors().at("roles").at("extracted_tx").at("hex");
    // The extracted transaction is the Creator's transaction, signed.
    EXPECT_EQ(Ok("converttopsbt", Json::array({signed_hex, true})), Role("creator"));
    ExpectError("converttopsbt", Json::array({signed_hex}), rpc::RPC_DESERIALIZATION_ERROR,
                "Inputs must not have scriptSigs and scriptWitnesses");
    ExpectError("converttopsbt", Json::array({"00"}), rpc::RPC_DESERIALIZATION_ERROR,
                "TX decode failed");
}

TEST_F(PsbtRpc, CombinePsbtMergesTheSignerVectors)
{
    EXPECT_EQ(Ok("combinepsbt", Json::array({Json::array({Role("signer1"), Role("signer2")})})),
              Role("combined"));
    EXPECT_EQ(Ok("combinepsbt", Json::array({Json::array({Role("unknown_a"), Role("unknown_b")})})),
              Role("unknown_combined"));
    ExpectError("combinepsbt",
                Json::array({Json::array({Role("creator"), ValidNamed("GLOBAL_XPUB")})}),
                rpc::RPC_INVALID_PARAMETER, "PSBTs not compatible (different transactions)");
    ExpectError("combinepsbt", Json::array({Json::array()}), rpc::RPC_INVALID_PARAMETER,
                "Parameter 'txs' cannot be empty");
    auto bad = Call("combinepsbt", Json::array({Json::array({Role("creator"), "notbase64!"})}));
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, rpc::RPC_DESERIALIZATION_ERROR);
    EXPECT_EQ(bad.error().message.rfind("TX decode failed ", 0), 0u) << bad.error().message;
}

TEST_F(PsbtRpc, FinalizePsbtFinalizesAndExtracts)
{
    const Json not_extracted = Ok("finalizepsbt", Json::array({Role("combined"), false}));
    EXPECT_EQ(not_extracted,
              Json::parse(R"({"psbt":")" + Role("finalized") + R"(","complete":true})"));
    const Json extracted = Ok("finalizepsbt", Json::array({Role("combined")}));
    EXPECT_EQ(extracted.at("hex"), Vectors().at("roles").at("extracted_tx").at("hex"));
    EXPECT_EQ(extracted.at("complete"), true);
    EXPECT_FALSE(extracted.contains("psbt"));
    // One signature per input is not enough for 2-of-2: the PSBT comes back unchanged.
    const Json partial = Ok("finalizepsbt", Json::array({Role("signer1")}));
    EXPECT_EQ(partial.at("psbt"), Role("signer1"));
    EXPECT_EQ(partial.at("complete"), false);
    EXPECT_FALSE(partial.contains("hex"));
}

TEST_F(PsbtRpc, DecodePsbtShowsCoresFields)
{
    const Json d = Ok("decodepsbt", Json::array({Role("updater_sighash")}));
    EXPECT_EQ(d.at("tx").at("txid"),
              "82efd652d7ab1197f01a5f4d9a30cb4c68bb79ab6fec58dfa1bf112291d1617b");
    EXPECT_EQ(d.at("tx").at("vin").size(), 2u);
    EXPECT_EQ(d.at("psbt_version"), 0);
    EXPECT_EQ(d.at("global_xpubs"), Json::array());
    EXPECT_EQ(d.at("proprietary"), Json::array());
    EXPECT_EQ(d.at("unknown"), Json::object());
    const Json& in0 = d.at("inputs").at(0);
    const Json& in1 = d.at("inputs").at(1);
    // Input 0: the previous transaction in full, a P2SH 2-of-2 redeem script, two key paths.
    EXPECT_EQ(in0.at("non_witness_utxo").at("vout").at(0).at("value"), 0.5);
    EXPECT_EQ(in0.at("sighash"), "ALL");
    EXPECT_EQ(in0.at("redeem_script").at("type"), "multisig");
    EXPECT_EQ(in0.at("redeem_script").at("hex"),
              "5221029583bf39ae0a609747ad199addd634fa6108559d6c5cd39b4c2183f1ab96e07f2102dab61ff4"
              "9a14db6a7d02b0cd1fbb78fc4b18312b5b4e54dae4dba2fbfef536d752ae");
    EXPECT_FALSE(in0.at("redeem_script").contains("address"));
    EXPECT_EQ(in0.at("bip32_derivs").at(0),
              Json::parse(R"({"pubkey":"029583bf39ae0a609747ad199addd634fa6108559d6c5cd39b4c218)"
                          R"(3f1ab96e07f","master_fingerprint":"d90c6a4f","path":"m/0h/0h/0h"})"));
    EXPECT_EQ(in0.at("bip32_derivs").at(1).at("path"), "m/0h/0h/1h");
    // Input 1: a witness UTXO of 2 BTC paying P2SH, with its P2WSH redeem and witness scripts.
    EXPECT_EQ(in1.at("witness_utxo").at("amount"), 2.0);
    EXPECT_EQ(in1.at("witness_utxo").at("scriptPubKey").at("type"), "scripthash");
    EXPECT_EQ(in1.at("witness_utxo").at("scriptPubKey").at("address"),
              "2NA1vKQ5z7iMDBBjkCSfZyU84uQV8PJJPtg");
    EXPECT_EQ(in1.at("redeem_script").at("type"), "witness_v0_scripthash");
    EXPECT_EQ(in1.at("witness_script").at("type"), "multisig");
    EXPECT_FALSE(in1.contains("non_witness_utxo"));
    EXPECT_FALSE(in1.contains("partial_signatures"));
    // Outputs: one key path each (BIP174: m/0'/0'/4' and m/0'/0'/5').
    EXPECT_EQ(d.at("outputs").at(0).at("bip32_derivs").at(0).at("path"), "m/0h/0h/4h");
    EXPECT_EQ(d.at("outputs").at(1).at("bip32_derivs").at(0).at("path"), "m/0h/0h/5h");
    // 0.5 + 2 in, 1.4999 + 1 out.
    EXPECT_EQ(Text(Ok("decodepsbt", Json::array({Role("updater")})).at("fee")), "0.0001");

    // Without UTXOs there is no fee.
    EXPECT_FALSE(Ok("decodepsbt", Json::array({Role("creator")})).contains("fee"));

    // Signatures, and the final fields after finalizing.
    const Json s = Ok("decodepsbt", Json::array({Role("signer1")}));
    EXPECT_EQ(s.at("inputs").at(0).at("partial_signatures").size(), 1u);
    EXPECT_TRUE(
        s.at("inputs")
            .at(0)
            .at("partial_signatures")
            .contains("029583bf39ae0a609747ad199addd634fa6108559d6c5cd39b4c2183f1ab96e07f"));
    const Json f = Ok("decodepsbt", Json::array({Role("finalized")}));
    EXPECT_EQ(f.at("inputs").at(0).at("final_scriptSig").at("hex").get<std::string>().substr(0, 4),
              "0047");
    EXPECT_EQ(f.at("inputs").at(1).at("final_scriptwitness").size(), 4u);
    EXPECT_EQ(f.at("inputs").at(1).at("final_scriptwitness").at(0), "");
    EXPECT_FALSE(f.at("inputs").at(1).contains("witness_script"));
}

TEST_F(PsbtRpc, DecodePsbtGlobalXpubAndUnknowns)
{
    const Json d = Ok("decodepsbt", Json::array({ValidNamed("GLOBAL_XPUB")}));
    ASSERT_FALSE(d.at("global_xpubs").empty());
    // The key re-encoded with this network's (testnet) prefix, as Core does; computed with an
    // independent base58check of the record's 74 key bytes.
    EXPECT_EQ(d.at("global_xpubs").at(0),
              Json::parse(R"({"xpub":"tpubDDBtoLy2Emi6zi8t1aVT2AExWyXKfzmGEbcb58k7i18Po8JRsXRvPz)"
                          R"(e3FhLsridCJ9EG8tMUm1J8By8wGwKeRuigdg6yeAbFnyxacvh83tc",)"
                          R"("master_fingerprint":"27569c50","path":"m/49h/0h/0h"})"));
    const Json u = Ok("decodepsbt", Json::array({ValidNamed("unknown types in the inputs")}));
    // The record read off the vector: key 0xf0 0x01..0x09, value 0x01..0x0f.
    EXPECT_EQ(u.at("inputs").at(0).at("unknown"),
              Json::parse(R"({"f0010203040506070809":"0102030405060708090a0b0c0d0e0f"})"));
}

TEST_F(PsbtRpc, DecodePsbtRefusesEveryInvalidVector)
{
    for (const auto& v : Vectors().at("invalid")) {
        SCOPED_TRACE(v["name"].get<std::string>());
        auto result = Call("decodepsbt", Json::array({v["base64"].get<std::string>()}));
        ASSERT_FALSE(result.has_value());
        EXPECT_EQ(result.error().code, rpc::RPC_DESERIALIZATION_ERROR);
        EXPECT_EQ(result.error().message.rfind("TX decode failed ", 0), 0u);
    }
    for (const auto& v : Vectors().at("valid")) {
        SCOPED_TRACE(v["name"].get<std::string>());
        EXPECT_TRUE(Call("decodepsbt", Json::array({v["base64"].get<std::string>()})).has_value());
    }
}

TEST_F(PsbtRpc, AnalyzePsbtFollowsTheRoles)
{
    // No UTXOs yet: the updater is next, and no fee or size can be known.
    const Json created = Ok("analyzepsbt", Json::array({Role("creator")}));
    EXPECT_EQ(created, Json::parse(R"({"inputs":[
        {"has_utxo":false,"is_final":false,"next":"updater"},
        {"has_utxo":false,"is_final":false,"next":"updater"}],"next":"updater"})"));

    // UTXOs and scripts known, no signatures: both keys of each 2-of-2 are missing (HASH160s of
    // the BIP's pubkeys, computed independently). The size estimate uses 71-byte placeholder
    // signatures: input 0 scriptSig 0 <71> <71> <71-byte redeem> = 217 bytes, input 1 scriptSig
    // <34-byte program> and witness {"", 71, 71, 71-byte script} = 218 bytes: base size 406,
    // total 627, weight 1845, vsize 462; fee 10000 sat gives 21645 sat/kvB.
    const Json updated = Ok("analyzepsbt", Json::array({Role("updater")}));
    EXPECT_EQ(updated, Json::parse(R"({"inputs":[
        {"has_utxo":true,"is_final":false,"next":"signer","missing":{"signatures":[
          "9c4942a9f2efe4fb66fb2021c8e1b5e03b257cba","b9147fd38b198ab90491adec86ad6b69f5a3ec44"]}},
        {"has_utxo":true,"is_final":false,"next":"signer","missing":{"signatures":[
          "8fc41646791fde5e735579669de68e5acf8afeac","d48ed3110b94014cb114bd32d6f4d066dc74256b"]}}],
        "estimated_vsize":462,"estimated_feerate":0.00021645,"fee":0.0001,"next":"signer"})"));

    // One signature each: the other key is still missing.
    const Json signed1 = Ok("analyzepsbt", Json::array({Role("signer1")}));
    EXPECT_EQ(signed1.at("inputs").at(0).at("missing"),
              Json::parse(R"({"signatures":["b9147fd38b198ab90491adec86ad6b69f5a3ec44"]})"));
    EXPECT_EQ(signed1.at("inputs").at(1).at("missing"),
              Json::parse(R"({"signatures":["d48ed3110b94014cb114bd32d6f4d066dc74256b"]})"));
    EXPECT_EQ(signed1.at("next"), "signer");

    // Both signatures: ready to finalize.
    const Json combined = Ok("analyzepsbt", Json::array({Role("combined")}));
    EXPECT_EQ(combined.at("next"), "finalizer");
    EXPECT_EQ(combined.at("inputs").at(0).at("next"), "finalizer");
    EXPECT_FALSE(combined.at("inputs").at(0).contains("missing"));

    // Finalized: extractor, with the virtual size of the extracted transaction.
    const Json finalized = Ok("analyzepsbt", Json::array({Role("finalized")}));
    EXPECT_EQ(finalized.at("next"), "extractor");
    EXPECT_EQ(finalized.at("inputs").at(1).at("is_final"), true);
    const std::string extracted = Vectors().at("roles").at("extracted_tx").at("hex");
    const auto tx = consensus::DecodeTransaction(*util::TryParseHex(extracted));
    ASSERT_TRUE(tx);
    EXPECT_EQ(finalized.at("estimated_vsize"), (*tx)->GetVirtualSize());
}

TEST_F(PsbtRpc, AnalyzePsbtFinalDataThatDoesNotVerify)
{
    auto psbt = common::DecodePsbtBase64(Role("finalized"));
    ASSERT_TRUE(psbt);
    // Flip a byte inside input 0's first signature: the final scriptSig no longer verifies.
    std::vector<uint8_t> script = psbt->inputs[0].final_script_sig.bytes();
    script[10] ^= 1;
    psbt->inputs[0].final_script_sig = consensus::Script{script};
    const Json a = Ok("analyzepsbt", Json::array({common::EncodePsbtBase64(*psbt)}));
    EXPECT_EQ(a.at("inputs").at(0),
              Json::parse(R"({"has_utxo":true,"is_final":false,"next":"finalizer"})"));
    EXPECT_EQ(a.at("inputs").at(1).at("is_final"), true);
    EXPECT_EQ(a.at("next"), "finalizer");
}

TEST_F(PsbtRpc, AnalyzePsbtReportsMissingScriptsAndInvalidPsbts)
{
    // P2PKH without a known pubkey: the pubkey's HASH160 is missing, the updater is next.
    consensus::MutableTransaction tx;
    consensus::TxIn in;
    const auto funding = m_chain.AddTx(
        {{100'000, ScriptFromHex("76a9149c4942a9f2efe4fb66fb2021c8e1b5e03b257cba88ac")}}, true, 1);
    in.prevout = {funding, 0};
    tx.vin.push_back(in);
    tx.vout.push_back({90'000, ScriptFromHex("00149c4942a9f2efe4fb66fb2021c8e1b5e03b257cba")});
    tx.version = 2;
    const std::string blank =
        Ok("converttopsbt", Json::array({util::HexStr(consensus::Encode(tx))}));
    const std::string updated = Ok("utxoupdatepsbt", Json::array({blank}));
    const Json analysis = Ok("analyzepsbt", Json::array({updated}));
    EXPECT_EQ(analysis.at("inputs").at(0).at("missing"),
              Json::parse(R"({"pubkeys":["9c4942a9f2efe4fb66fb2021c8e1b5e03b257cba"]})"));
    EXPECT_EQ(analysis.at("next"), "updater");
    EXPECT_EQ(Text(analysis.at("fee")), "0.0001");
    EXPECT_FALSE(analysis.contains("estimated_vsize"));

    // Spending an OP_RETURN output makes the PSBT invalid.
    const auto burn = m_chain.AddTx({{1000, ScriptFromHex("6a0100")}}, true, 2);
    tx.vin[0].prevout = {burn, 0};
    const std::string burn_psbt =
        Ok("utxoupdatepsbt",
           Json::array({Ok("converttopsbt", Json::array({util::HexStr(consensus::Encode(tx))}))}));
    EXPECT_EQ(Ok("analyzepsbt", Json::array({burn_psbt})), Json::parse(R"({"next":"creator",
                  "error":"PSBT is not valid. Input 0 spends unspendable output"})"));
}

TEST_F(PsbtRpc, UtxoUpdatePsbtFillsFromChainAndDescriptors)
{
    const std::string key_a = "029583bf39ae0a609747ad199addd634fa6108559d6c5cd39b4c2183f1ab96e07f";
    const std::string ws =
        "522103089dc10c7ac6db54f91329af617333db388cead0c231f723379d1b99030b02dc"
        "21023add904f3d6dcf59ddb906b0dee23529b7ffb9ed50e5e86151926860221f0e7352ae";
    // P2WPKH of key_a (only in the UTXO set), P2WSH of `ws` (only in the UTXO set), P2PKH of
    // key_a (its transaction indexed), P2PKH only in the UTXO set (not segwit: left alone).
    const auto wpkh = m_chain.AddTx(
        {{50'000, ScriptFromHex("00149c4942a9f2efe4fb66fb2021c8e1b5e03b257cba")}}, false, 10);
    const auto wsh = m_chain.AddTx(
        {{60'000,
          ScriptFromHex("00208c2353173743b595dfb4a07b72ba8e42e3797da74e87fe7d9d7497e3b2028903")}},
        false, 11);
    const auto pkh = m_chain.AddTx(
        {{70'000, ScriptFromHex("76a9149c4942a9f2efe4fb66fb2021c8e1b5e03b257cba88ac")}}, true, 12);
    const auto pkh_unindexed = m_chain.AddTx(
        {{80'000, ScriptFromHex("76a914b9147fd38b198ab90491adec86ad6b69f5a3ec4488ac")}}, false, 13);
    const Json inputs = Json::array({{{"txid", wpkh.GetHex()}, {"vout", 0}},
                                     {{"txid", wsh.GetHex()}, {"vout", 0}},
                                     {{"txid", pkh.GetHex()}, {"vout", 0}},
                                     {{"txid", pkh_unindexed.GetHex()}, {"vout", 0}}});
    // The output pays key_a's P2WPKH (tb1qn3y59g...): the descriptor also gives its key path.
    const Json outputs = Json::parse(R"([{"tb1qn3y5920jalj0kehmyqsu3cd4uqaj2l96pufr6m":0.0025}])");
    const std::string created = Ok("createpsbt", Json::array({inputs, outputs}));
    const Json descriptors = Json::array(
        {"wpkh([d34db33f/84h/1h/0h]" + key_a + ")",
         Json{{"desc", "wsh(multi(2,[d34db33f/0h]03089dc10c7ac6db54f91329af617333db388cead0c231f7"
                       "23379d1b99030b02dc,[d34db33f/1h]023add904f3d6dcf59ddb906b0dee23529b7ffb9e"
                       "d50e5e86151926860221f0e73))"}}});
    const std::string updated = Ok("utxoupdatepsbt", Json::array({created, descriptors}));
    const Json d = Ok("decodepsbt", Json::array({updated}));
    const Json& in = d.at("inputs");
    EXPECT_EQ(in.at(0).at("witness_utxo").at("amount"), 0.0005);
    EXPECT_EQ(in.at(0).at("bip32_derivs"),
              Json::parse(R"([{"pubkey":")" + key_a +
                          R"(","master_fingerprint":"d34db33f","path":"m/84h/1h/0h"}])"));
    EXPECT_EQ(in.at(1).at("witness_utxo").at("amount"), 0.0006);
    EXPECT_EQ(in.at(1).at("witness_script").at("hex"), ws);
    EXPECT_EQ(in.at(1).at("bip32_derivs").size(), 2u);
    EXPECT_EQ(in.at(1).at("bip32_derivs").at(0).at("path"), "m/1h"); // 023add... sorts first
    EXPECT_EQ(in.at(2).at("non_witness_utxo").at("txid"), pkh.GetHex());
    EXPECT_FALSE(in.at(2).contains("witness_utxo"));
    EXPECT_EQ(in.at(3), Json::object());
    EXPECT_EQ(d.at("outputs").at(0).at("bip32_derivs").at(0).at("path"), "m/84h/1h/0h");
    EXPECT_FALSE(d.contains("fee")); // input 3 has no UTXO

    // Without descriptors only the UTXOs come in.
    const Json plain =
        Ok("decodepsbt", Json::array({Ok("utxoupdatepsbt", Json::array({created}))}));
    EXPECT_TRUE(plain.at("inputs").at(0).contains("witness_utxo"));
    EXPECT_FALSE(plain.at("inputs").at(0).contains("bip32_derivs"));
    EXPECT_FALSE(plain.at("inputs").at(1).contains("witness_script"));

    ExpectError("utxoupdatepsbt", Json::array({created, Json::array({"wpkh(nonsense)"})}),
                rpc::RPC_INVALID_ADDRESS_OR_KEY, "wpkh(): key 'nonsense' is not valid");
    ExpectError("utxoupdatepsbt", Json::array({created, Json::array({Json::object()})}),
                rpc::RPC_INVALID_PARAMETER, "Descriptor needs to be provided in scan object");
}

TEST_F(PsbtRpc, UtxoUpdatePsbtTaprootDropsFullTransactions)
{
    const std::string xonly = "9583bf39ae0a609747ad199addd634fa6108559d6c5cd39b4c2183f1ab96e07f";
    const std::string desc_text = "tr([d34db33f/86h/1h/0h]" + xonly + ")";
    auto desc = common::ParseDescriptor(desc_text, m_chain.Params());
    ASSERT_TRUE(desc);
    auto expansion = (*desc)->Expand(0);
    ASSERT_TRUE(expansion);
    const consensus::Script spk = expansion->output_scripts.at(0);
    const auto funding = m_chain.AddTx({{40'000, spk}}, true, 20);
    consensus::MutableTransaction tx;
    tx.version = 2;
    consensus::TxIn in;
    in.prevout = {funding, 0};
    tx.vin.push_back(in);
    tx.vout.push_back({30'000, spk});
    const std::string blank =
        Ok("converttopsbt", Json::array({util::HexStr(consensus::Encode(tx))}));
    const std::string updated =
        Ok("utxoupdatepsbt", Json::array({blank, Json::array({desc_text})}));
    const Json d = Ok("decodepsbt", Json::array({updated}));
    const Json& input = d.at("inputs").at(0);
    // Found by txid, then dropped because every input is taproot (Core keeps only the output).
    EXPECT_FALSE(input.contains("non_witness_utxo"));
    EXPECT_EQ(input.at("witness_utxo").at("amount"), 0.0004);
    EXPECT_EQ(input.at("taproot_internal_key"), xonly);
    EXPECT_EQ(input.at("taproot_bip32_derivs"),
              Json::parse(R"([{"pubkey":")" + xonly +
                          R"(","master_fingerprint":"d34db33f","path":"m/86h/1h/0h",)"
                          R"("leaf_hashes":[]}])"));
    EXPECT_EQ(d.at("outputs").at(0).at("taproot_internal_key"), xonly);
    EXPECT_EQ(Text(d.at("fee")), "0.0001");
    // Key path with a known internal key: the signer is not reported missing (Core), the
    // estimate uses a 64-byte signature: 1 input, 1 P2TR output: base 94 bytes, witness 68
    // (marker, flag, count, length, 64), weight 3 * 94 + 162 = 444, vsize 111.
    const Json a = Ok("analyzepsbt", Json::array({updated}));
    EXPECT_EQ(a.at("next"), "updater");
    EXPECT_EQ(a.at("estimated_vsize"), 111);
}

TEST_F(PsbtRpc, AnalyzePsbtNamesMissingScripts)
{
    // A P2SH output (the BIP174 vector's 2-of-2, HASH160 0fb94634...) and a P2WSH output
    // (program 8c235317...), both with their transactions indexed, so the updater adds the full
    // transactions but no scripts.
    const auto p2sh = m_chain.AddTx(
        {{100'000, ScriptFromHex("a9140fb9463421696b82c833af241c78c17ddbde493487")}}, true, 30);
    const auto p2wsh = m_chain.AddTx(
        {{100'000,
          ScriptFromHex("00208c2353173743b595dfb4a07b72ba8e42e3797da74e87fe7d9d7497e3b2028903")}},
        true, 31);
    consensus::MutableTransaction tx;
    tx.version = 2;
    tx.vin.resize(2);
    tx.vin[0].prevout = {p2sh, 0};
    tx.vin[1].prevout = {p2wsh, 0};
    tx.vout.push_back({150'000, ScriptFromHex("6a")});
    const std::string updated =
        Ok("utxoupdatepsbt",
           Json::array({Ok("converttopsbt", Json::array({util::HexStr(consensus::Encode(tx))}))}));
    const Json a = Ok("analyzepsbt", Json::array({updated}));
    EXPECT_EQ(a.at("inputs"), Json::parse(R"([
        {"has_utxo":true,"is_final":false,"next":"updater",
         "missing":{"redeemscript":"0fb9463421696b82c833af241c78c17ddbde4934"}},
        {"has_utxo":true,"is_final":false,"next":"updater",
         "missing":{"witnessscript":
           "8c2353173743b595dfb4a07b72ba8e42e3797da74e87fe7d9d7497e3b2028903"}}])"));
    EXPECT_EQ(Text(a.at("fee")), "0.0005");
    EXPECT_FALSE(a.contains("estimated_vsize"));

    // The same P2SH input known only by a witness UTXO: a legacy spend could not vouch for the
    // amount, so Core stops before reporting anything and sends it back to the updater.
    auto psbt = common::CreatePsbt(tx);
    ASSERT_TRUE(psbt);
    psbt->inputs[0].witness_utxo =
        consensus::TxOut{100'000, ScriptFromHex("a9140fb9463421696b82c833af241c78c17ddbde493487")};
    psbt->inputs[0].redeem_script = ScriptFromHex(
        "5221029583bf39ae0a609747ad199addd634fa6108559d6c5cd39b4c2183f1ab96e07f2102dab61ff49a14db6a"
        "7d02b0cd1fbb78fc4b18312b5b4e54dae4dba2fbfef536d752ae");
    const Json w = Ok("analyzepsbt", Json::array({common::EncodePsbtBase64(*psbt)}));
    EXPECT_EQ(w.at("inputs").at(0),
              Json::parse(R"({"has_utxo":true,"is_final":false,"next":"updater"})"));
    // With the full transaction instead, the missing signatures show.
    psbt->inputs[0].witness_utxo.reset();
    psbt->inputs[0].non_witness_utxo = m_chain.FindTransaction(p2sh, std::nullopt)->tx;
    const Json n = Ok("analyzepsbt", Json::array({common::EncodePsbtBase64(*psbt)}));
    EXPECT_EQ(n.at("inputs").at(0).at("next"), "signer");
    EXPECT_EQ(n.at("inputs").at(0).at("missing").at("signatures").size(), 2u);
}

TEST_F(PsbtRpc, UtxoUpdatePsbtTaprootScriptTree)
{
    const std::string internal = "089dc10c7ac6db54f91329af617333db388cead0c231f723379d1b99030b02dc";
    const std::string key_a = "9583bf39ae0a609747ad199addd634fa6108559d6c5cd39b4c2183f1ab96e07f";
    const std::string key_b = "dab61ff49a14db6a7d02b0cd1fbb78fc4b18312b5b4e54dae4dba2fbfef536d7";
    const std::string desc_text = "tr([d34db33f/0h]" + internal + ",{pk([d34db33f/1h]" + key_a +
                                  "),pk([d34db33f/2h]" + key_b + ")})";
    auto desc = common::ParseDescriptor(desc_text, m_chain.Params());
    ASSERT_TRUE(desc) << desc.error().message;
    const consensus::Script spk = (*desc)->Expand(0)->output_scripts.at(0);
    const auto funding = m_chain.AddTx({{40'000, spk}}, false, 40);
    consensus::MutableTransaction tx;
    tx.version = 2;
    tx.vin.resize(1);
    tx.vin[0].prevout = {funding, 0};
    tx.vout.push_back({30'000, spk});
    const std::string blank =
        Ok("converttopsbt", Json::array({util::HexStr(consensus::Encode(tx))}));
    const Json d =
        Ok("decodepsbt",
           Json::array({Ok("utxoupdatepsbt", Json::array({blank, Json::array({desc_text})}))}));
    const Json& input = d.at("inputs").at(0);
    EXPECT_EQ(input.at("taproot_internal_key"), internal);
    ASSERT_TRUE(input.contains("taproot_merkle_root"));
    ASSERT_EQ(input.at("taproot_scripts").size(), 2u);
    const std::vector<uint8_t> program(spk.bytes().begin() + 2, spk.bytes().end());
    std::set<std::string> leaf_hashes;
    for (const auto& entry : input.at("taproot_scripts")) {
        EXPECT_EQ(entry.at("leaf_ver"), 0xc0);
        const auto script = *util::TryParseHex(entry.at("script").get<std::string>());
        const consensus::Uint256 leaf = consensus::ComputeTapleafHash(0xc0, script);
        leaf_hashes.insert(util::HexStr(leaf.span()));
        ASSERT_EQ(entry.at("control_blocks").size(), 1u);
        const auto control =
            *util::TryParseHex(entry.at("control_blocks").at(0).get<std::string>());
        EXPECT_EQ(control.size(), 65u); // depth 1: internal key plus one sibling hash
        // The interpreter's own commitment check proves the control block.
        EXPECT_TRUE(consensus::VerifyTaprootCommitment(control, program, leaf));
    }
    // Each leaf key carries its leaf's hash; the internal key none.
    const Json& derivs = input.at("taproot_bip32_derivs");
    ASSERT_EQ(derivs.size(), 3u);
    std::set<std::string> seen_leaves;
    for (const auto& entry : derivs) {
        if (entry.at("pubkey") == internal) {
            EXPECT_EQ(entry.at("path"), "m/0h");
            EXPECT_EQ(entry.at("leaf_hashes"), Json::array());
        } else {
            ASSERT_EQ(entry.at("leaf_hashes").size(), 1u);
            seen_leaves.insert(entry.at("leaf_hashes").at(0).get<std::string>());
        }
    }
    EXPECT_EQ(seen_leaves, leaf_hashes);
    const Json& tree = d.at("outputs").at(0).at("taproot_tree");
    ASSERT_EQ(tree.size(), 2u);
    EXPECT_EQ(tree.at(0).at("depth"), 1);
    EXPECT_EQ(tree.at(0).at("script"), "20" + key_a + "ac");
}

TEST_F(PsbtRpc, JoinPsbtsDropsSignatures)
{
    // signer1 carries partial signatures; joined with another transaction they no longer apply.
    consensus::MutableTransaction other;
    other.version = 2;
    other.vin.resize(1);
    other.vin[0].prevout = {consensus::Sha256Hash(std::vector<uint8_t>{9}), 3};
    other.vout.push_back({1000, ScriptFromHex("6a")});
    const std::string po =
        Ok("converttopsbt", Json::array({util::HexStr(consensus::Encode(other))}));
    const Json joined =
        Ok("decodepsbt",
           Json::array({Ok("joinpsbts", Json::array({Json::array({Role("signer1"), po})}))}));
    ASSERT_EQ(joined.at("inputs").size(), 3u);
    size_t with_scripts{0};
    for (const auto& in : joined.at("inputs")) {
        EXPECT_FALSE(in.contains("partial_signatures"));
        if (in.contains("witness_script") || in.contains("redeem_script")) ++with_scripts;
    }
    EXPECT_EQ(with_scripts, 2u); // the other fields travel with their inputs
    EXPECT_EQ(joined.at("tx").at("version"), 2);
}

TEST_F(PsbtRpc, JoinPsbtsJoinsDistinctInputs)
{
    consensus::MutableTransaction a;
    a.version = 2;
    a.vin.resize(1);
    a.vin[0].prevout = {consensus::Sha256Hash(std::vector<uint8_t>{1}), 0};
    a.vout.push_back({1000, ScriptFromHex("6a")});
    consensus::MutableTransaction b = a;
    b.vin[0].prevout.n = 7;
    b.locktime = 5;
    const std::string pa = Ok("converttopsbt", Json::array({util::HexStr(consensus::Encode(a))}));
    const std::string pb = Ok("converttopsbt", Json::array({util::HexStr(consensus::Encode(b))}));
    const Json joined =
        Ok("decodepsbt", Json::array({Ok("joinpsbts", Json::array({Json::array({pa, pb})}))}));
    EXPECT_EQ(joined.at("tx").at("vin").size(), 2u);
    EXPECT_EQ(joined.at("tx").at("vout").size(), 2u);
    EXPECT_EQ(joined.at("tx").at("locktime"), 0); // the lowest
    std::set<int> vouts;
    for (const auto& vin : joined.at("tx").at("vin"))
        vouts.insert(vin.at("vout").get<int>());
    EXPECT_EQ(vouts, (std::set<int>{0, 7}));
    ExpectError("joinpsbts", Json::array({Json::array({pa, pa})}), rpc::RPC_INVALID_PARAMETER,
                "Input " + a.vin[0].prevout.hash.GetHex() + ":0 exists in multiple PSBTs");
    ExpectError("joinpsbts", Json::array({Json::array({pa})}), rpc::RPC_INVALID_PARAMETER,
                "At least two PSBTs are required to join PSBTs.");
}

TEST_F(PsbtRpc, RegisteredInCoresOrderUnderRawtransactions)
{
    for (const char* name : {"createpsbt", "combinepsbt", "finalizepsbt", "decodepsbt",
                             "analyzepsbt", "utxoupdatepsbt", "converttopsbt", "joinpsbts"}) {
        SCOPED_TRACE(name);
        const rpc::Method* method = m_table.Find(name);
        ASSERT_NE(method, nullptr);
        EXPECT_EQ(method->Category(), "rawtransactions");
    }
    EXPECT_EQ(m_table.Find("utxoupdatepsbt")->SummaryLine(),
              "utxoupdatepsbt \"psbt\" ( [\"\",{\"desc\":\"str\",\"range\":n or [n,n]},...] )");
    EXPECT_EQ(m_table.Find("finalizepsbt")->SummaryLine(), "finalizepsbt \"psbt\" ( extract )");
}

} // namespace
