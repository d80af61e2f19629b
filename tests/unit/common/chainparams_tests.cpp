#include <common/chainparams.h>

#include <consensus/amount.h>
#include <consensus/block.h>
#include <consensus/serialize.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using common::Base58Type;
using common::ChainParams;
using util::ChainType;

namespace {

struct NetworkFacts
{
    ChainType chain;
    std::string genesis_hash;
    std::string merkle_root;
    std::string magic_hex;
    uint16_t p2p_port;
    uint16_t rpc_port;
    std::string hrp;
    std::string subdir;
};

// Known facts of each network, from Bitcoin Core's chainparams.
const std::vector<NetworkFacts>& Facts()
{
    static const std::vector<NetworkFacts> facts{
        {ChainType::MAIN, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
         "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", "f9beb4d9", 8333, 8332,
         "bc", ""},
        {ChainType::TESTNET, "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
         "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", "0b110907", 18333,
         18332, "tb", "testnet3"},
        {ChainType::TESTNET4, "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
         "7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e", "1c163f28", 48333,
         48332, "tb", "testnet4"},
        {ChainType::SIGNET, "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
         "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", "0a03cf40", 38333,
         38332, "tb", "signet"},
        {ChainType::REGTEST, "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
         "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", "fabfb5da", 18444,
         18443, "bcrt", "regtest"},
    };
    return facts;
}

} // namespace

TEST(ChainParams, GenesisAndNetworkFacts)
{
    for (const auto& f : Facts()) {
        SCOPED_TRACE(util::ChainTypeToString(f.chain));
        const auto params = common::CreateChainParams(f.chain);
        ASSERT_TRUE(params);
        EXPECT_EQ(params->GetChainType(), f.chain);
        const consensus::Block& genesis = params->GenesisBlock();
        EXPECT_EQ(genesis.GetHash().GetHex(), f.genesis_hash);
        EXPECT_EQ(genesis.header.merkle_root.GetHex(), f.merkle_root);
        EXPECT_EQ(params->GetConsensus().hash_genesis_block.GetHex(), f.genesis_hash);
        ASSERT_EQ(genesis.vtx.size(), 1U);
        EXPECT_TRUE(genesis.vtx[0]->IsCoinBase());
        EXPECT_EQ(genesis.vtx[0]->GetHash(), genesis.header.merkle_root);
        EXPECT_EQ(genesis.vtx[0]->GetValueOut(), 50 * consensus::COIN);
        EXPECT_TRUE(genesis.header.prev_block.IsNull());
        EXPECT_EQ(util::HexStr(params->GetMessageStart()), f.magic_hex);
        EXPECT_EQ(params->GetDefaultPort(), f.p2p_port);
        EXPECT_EQ(params->GetDefaultRpcPort(), f.rpc_port);
        EXPECT_EQ(params->Bech32Hrp(), f.hrp);
        EXPECT_EQ(params->DataSubdir(), f.subdir);
        EXPECT_EQ(params->IsTestChain(), f.chain != ChainType::MAIN);
        EXPECT_EQ(common::GetNetworkForMagic(params->GetMessageStart()), f.chain);
    }
}

TEST(ChainParams, MainnetGenesisEncoding)
{
    // The mainnet genesis block is 285 bytes; its coinbase input script is the
    // well-known 04ffff001d0104455468652054696d6573... push sequence.
    const auto params = ChainParams::Main();
    const consensus::Block& genesis = params->GenesisBlock();
    EXPECT_EQ(consensus::Encode(genesis).size(), 285U);
    EXPECT_EQ(util::HexStr(genesis.vtx[0]->vin[0].script_sig.bytes()),
              "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f"
              "6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73");
    EXPECT_EQ(genesis.header.time, 1231006505U);
    EXPECT_EQ(genesis.header.nonce, 2083236893U);
    EXPECT_EQ(genesis.header.bits, 0x1d00ffffU);
    EXPECT_EQ(genesis.header.version, 1);
}

TEST(ChainParams, ConsensusRules)
{
    const auto main = ChainParams::Main();
    const auto& mc = main->GetConsensus();
    EXPECT_EQ(mc.subsidy_halving_interval, 210000);
    EXPECT_EQ(mc.bip34_height, 227931);
    EXPECT_EQ(mc.bip34_hash.GetHex(),
              "000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8");
    EXPECT_EQ(mc.bip65_height, 388381);
    EXPECT_EQ(mc.bip66_height, 363725);
    EXPECT_EQ(mc.csv_height, 419328);
    EXPECT_EQ(mc.segwit_height, 481824);
    EXPECT_EQ(mc.taproot_height, 709632);
    EXPECT_EQ(mc.pow_limit.GetHex(),
              "00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    EXPECT_EQ(mc.DifficultyAdjustmentInterval(), 2016);
    EXPECT_FALSE(mc.pow_allow_min_difficulty_blocks);
    EXPECT_FALSE(mc.pow_no_retargeting);
    EXPECT_FALSE(mc.enforce_bip94);
    EXPECT_FALSE(mc.signet_blocks);
    EXPECT_FALSE(mc.bip16_exception_block.IsNull());
    EXPECT_FALSE(mc.taproot_exception_block.IsNull());

    const auto test = ChainParams::TestNet();
    EXPECT_EQ(test->GetConsensus().bip34_height, 21111);
    EXPECT_EQ(test->GetConsensus().segwit_height, 834624);
    EXPECT_TRUE(test->GetConsensus().pow_allow_min_difficulty_blocks);
    EXPECT_TRUE(test->GetConsensus().taproot_exception_block.IsNull());

    const auto test4 = ChainParams::TestNet4();
    EXPECT_TRUE(test4->GetConsensus().enforce_bip94);
    EXPECT_TRUE(test4->GetConsensus().pow_allow_min_difficulty_blocks);
    EXPECT_EQ(test4->GetConsensus().segwit_height, 1);
    EXPECT_EQ(test4->GetConsensus().DifficultyAdjustmentInterval(), 2016);

    const auto signet = ChainParams::SigNet();
    const auto& sc = signet->GetConsensus();
    EXPECT_TRUE(sc.signet_blocks);
    EXPECT_EQ(
        util::HexStr(sc.signet_challenge),
        "512103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be430210359ef5021964fe2"
        "2d6f8e05b2463c9540ce96883fe3b278760f048f5189f2e6c452ae");
    EXPECT_EQ(sc.pow_limit.GetHex(),
              "00000377ae000000000000000000000000000000000000000000000000000000");

    const auto regtest = ChainParams::RegTest();
    const auto& rc = regtest->GetConsensus();
    EXPECT_EQ(rc.subsidy_halving_interval, 150);
    EXPECT_EQ(rc.bip34_height, 1);
    EXPECT_EQ(rc.bip65_height, 1);
    EXPECT_EQ(rc.bip66_height, 1);
    EXPECT_EQ(rc.csv_height, 1);
    EXPECT_EQ(rc.segwit_height, 0);
    EXPECT_EQ(rc.taproot_height, 0);
    EXPECT_TRUE(rc.pow_no_retargeting);
    EXPECT_TRUE(rc.pow_allow_min_difficulty_blocks);
    EXPECT_EQ(rc.DifficultyAdjustmentInterval(), 144);
    EXPECT_TRUE(regtest->IsMockableChain());
}

TEST(ChainParams, Base58PrefixesAndSeeds)
{
    const auto main = ChainParams::Main();
    EXPECT_EQ(main->Base58Prefix(Base58Type::PUBKEY_ADDRESS), std::vector<uint8_t>{0});
    EXPECT_EQ(main->Base58Prefix(Base58Type::SCRIPT_ADDRESS), std::vector<uint8_t>{5});
    EXPECT_EQ(main->Base58Prefix(Base58Type::SECRET_KEY), std::vector<uint8_t>{128});
    EXPECT_EQ(util::HexStr(main->Base58Prefix(Base58Type::EXT_PUBLIC_KEY)), "0488b21e");
    EXPECT_EQ(util::HexStr(main->Base58Prefix(Base58Type::EXT_SECRET_KEY)), "0488ade4");
    EXPECT_EQ(main->DnsSeeds().front(), "seed.bitcoin.sipa.be.");
    EXPECT_EQ(main->DnsSeeds().size(), 8U);
    for (const auto chain :
         {ChainType::TESTNET, ChainType::TESTNET4, ChainType::SIGNET, ChainType::REGTEST}) {
        const auto p = common::CreateChainParams(chain);
        SCOPED_TRACE(p->GetChainTypeString());
        EXPECT_EQ(p->Base58Prefix(Base58Type::PUBKEY_ADDRESS), std::vector<uint8_t>{111});
        EXPECT_EQ(p->Base58Prefix(Base58Type::SCRIPT_ADDRESS), std::vector<uint8_t>{196});
        EXPECT_EQ(p->Base58Prefix(Base58Type::SECRET_KEY), std::vector<uint8_t>{239});
        EXPECT_EQ(util::HexStr(p->Base58Prefix(Base58Type::EXT_PUBLIC_KEY)), "043587cf");
        EXPECT_EQ(util::HexStr(p->Base58Prefix(Base58Type::EXT_SECRET_KEY)), "04358394");
        EXPECT_FALSE(p->DnsSeeds().empty());
    }
}

TEST(ChainParams, CustomSignet)
{
    common::SignetOptions options;
    options.challenge = std::vector<uint8_t>{0x51}; // OP_TRUE
    const auto custom = ChainParams::SigNet(options);
    const auto standard = ChainParams::SigNet();
    EXPECT_EQ(custom->GetConsensus().signet_challenge, std::vector<uint8_t>{0x51});
    EXPECT_NE(custom->GetMessageStart(), standard->GetMessageStart());
    EXPECT_TRUE(custom->DnsSeeds().empty());
    // Same genesis block: BIP325 signets differ only by challenge.
    EXPECT_EQ(custom->GenesisBlock().GetHash(), standard->GenesisBlock().GetHash());
    EXPECT_FALSE(common::GetNetworkForMagic(custom->GetMessageStart()).has_value());
}

TEST(ChainParams, UnknownMagic)
{
    const uint8_t zero[4] = {0, 0, 0, 0};
    EXPECT_FALSE(common::GetNetworkForMagic(zero).has_value());
    const uint8_t short_magic[3] = {0xf9, 0xbe, 0xb4};
    EXPECT_FALSE(common::GetNetworkForMagic(short_magic).has_value());
}
