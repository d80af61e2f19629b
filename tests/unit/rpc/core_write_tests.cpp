// Expected strings come from Bitcoin Core's published outputs (decodescript, decoderawtransaction,
// gettxout and getblock results printed by Core, Core's rpc_decodescript.py) and from BIP380.
#include <rpc/core_write.h>

#include <common/descriptor.h>

#include <common/chainparams.h>
#include <consensus/transaction.h>
#include <rpc/jsonrpc.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using consensus::Script;

Script ScriptFromHex(std::string_view hex)
{
    auto bytes = util::TryParseHex(hex);
    EXPECT_TRUE(bytes.has_value()) << hex;
    return Script{bytes.value_or(std::vector<uint8_t>{})};
}

consensus::TransactionRef TxFromHex(std::string_view hex)
{
    auto bytes = util::TryParseHex(hex);
    EXPECT_TRUE(bytes.has_value());
    auto tx = consensus::DecodeTransaction(*bytes);
    EXPECT_TRUE(tx.has_value());
    return *tx;
}

const common::ChainParams& Main()
{
    static const auto params = common::ChainParams::Main();
    return *params;
}
const common::ChainParams& TestNet3()
{
    static const auto params = common::ChainParams::TestNet();
    return *params;
}
const common::ChainParams& Reg()
{
    static const auto params = common::ChainParams::RegTest();
    return *params;
}

struct SpkCase
{
    std::string hex;
    std::string asm_str;
    std::string desc;
    std::string address; // "" when Core prints none
    std::string type;
};

void CheckSpk(const SpkCase& c, const common::ChainParams& params)
{
    const rpc::Json j = rpc::ScriptPubKeyToJson(ScriptFromHex(c.hex), params);
    EXPECT_EQ(j.at("asm"), c.asm_str) << c.hex;
    EXPECT_EQ(j.at("desc"), c.desc) << c.hex;
    EXPECT_EQ(j.at("hex"), c.hex);
    if (c.address.empty()) {
        EXPECT_FALSE(j.contains("address")) << c.hex;
    } else {
        EXPECT_EQ(j.value("address", ""), c.address) << c.hex;
    }
    EXPECT_EQ(j.at("type"), c.type) << c.hex;
    // Core's key order: asm, desc, hex, [address], type.
    std::vector<std::string> keys;
    for (const auto& [key, value] : j.items())
        keys.push_back(key);
    std::vector<std::string> expected{"asm", "desc", "hex"};
    if (!c.address.empty()) expected.push_back("address");
    expected.push_back("type");
    EXPECT_EQ(keys, expected);
}

TEST(CoreWriteTest, MainnetOutputScriptsAsCorePrintsThem)
{
    const std::vector<SpkCase> cases{
        {"76a914345ebee6c266c5ce5faaab0520ad411dd7086e5f88ac",
         "OP_DUP OP_HASH160 345ebee6c266c5ce5faaab0520ad411dd7086e5f OP_EQUALVERIFY OP_CHECKSIG",
         "addr(15mue2JSJ3q2sSvYwVbeQxV9C4kiUx9xek)#na0cykxv", "15mue2JSJ3q2sSvYwVbeQxV9C4kiUx9xek",
         "pubkeyhash"},
        {"76a9142c30a6aaac6d96687291475d7d52f4b469f665a688ac",
         "OP_DUP OP_HASH160 2c30a6aaac6d96687291475d7d52f4b469f665a6 OP_EQUALVERIFY OP_CHECKSIG",
         "addr(152f1muMCNa7goXYhYAQC61hxEgGacmncB)#20r3ggqz", "152f1muMCNa7goXYhYAQC61hxEgGacmncB",
         "pubkeyhash"},
        {"a91429d13058087ddf2d48de404376fdcb5c4abff4bc87",
         "OP_HASH160 29d13058087ddf2d48de404376fdcb5c4abff4bc OP_EQUAL",
         "addr(35W8E71bdDhQw4ZC7uUZvXG3qhyWVYxfMB)#4rtfrxzg", "35W8E71bdDhQw4ZC7uUZvXG3qhyWVYxfMB",
         "scripthash"},
        {"001447c0996ec0694eeb4e6b2ec2a512a0d682bb29b6",
         "0 47c0996ec0694eeb4e6b2ec2a512a0d682bb29b6",
         "addr(bc1qglqfjmkqd98wknnt9mp22y4q66ptk2dkshz6xg)#6nv64a8x",
         "bc1qglqfjmkqd98wknnt9mp22y4q66ptk2dkshz6xg", "witness_v0_keyhash"},
        {"0020e3eb3965981dbcbb16e47381bda83bbd74c14063e186adf77c08f0b0e0a21ae1",
         "0 e3eb3965981dbcbb16e47381bda83bbd74c14063e186adf77c08f0b0e0a21ae1",
         "addr(bc1qu04njevcrk7tk9hywwqmm2pmh46vzsrruxr2mamuprctpc9zrtss6l24ut)#wtnnyhf4",
         "bc1qu04njevcrk7tk9hywwqmm2pmh46vzsrruxr2mamuprctpc9zrtss6l24ut", "witness_v0_scripthash"},
        {"51203b8b3ab1453eb47e2d4903b963776680e30863df3625d3e74292338ae7928da1",
         "1 3b8b3ab1453eb47e2d4903b963776680e30863df3625d3e74292338ae7928da1",
         "rawtr(3b8b3ab1453eb47e2d4903b963776680e30863df3625d3e74292338ae7928da1)#tv35u9pg",
         "bc1p8w9n4v298668ut2fqwukxamxsr3ssc7lxcja8e6zjgec4euj3ksswckxz6", "witness_v1_taproot"},
        {"410496b538e853519c726a2c91e61ec11600ae1390813a627c66fb8be7947be63c52da7589379515d4e0a604f"
         "8141781e62294721166bf621e73a82cbf2342c858eeac",
         "0496b538e853519c726a2c91e61ec11600ae1390813a627c66fb8be7947be63c52da7589379515d4e0a604f81"
         "41781e62294721166bf621e73a82cbf2342c858ee OP_CHECKSIG",
         "pk(0496b538e853519c726a2c91e61ec11600ae1390813a627c66fb8be7947be63c52da7589379515d4e0a604"
         "f8141781e62294721166bf621e73a82cbf2342c858ee)#qnv32gt7",
         "", "pubkey"},
        {"512103c46b73fe2ff939bea5d0a577950dc8876e863bed11c887d681417dfd70533e5121039036c8182c7077"
         "0f8f6bd702a25c7179bfff1ccb3a844297a717226b88b976cc21"
         "02020202020202020202020202020202"
         "020202020202020202020202020202020253ae",
         "1 03c46b73fe2ff939bea5d0a577950dc8876e863bed11c887d681417dfd70533e51 "
         "039036c8182c70770f8f6bd702a25c7179bfff1ccb3a844297a717226b88b976cc "
         "020202020202020202020202020202020202020202020202020202020202020202 3 OP_CHECKMULTISIG",
         "multi(1,03c46b73fe2ff939bea5d0a577950dc8876e863bed11c887d681417dfd70533e51,039036c8182c7"
         "0770f8f6bd702a25c7179bfff1ccb3a844297a717226b88b976cc,020202020202020202020202020202020"
         "202020202020202020202020202020202)#jjleg3k0",
         "", "multisig"},
        {"6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9",
         "OP_RETURN aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9",
         "raw(6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9)#"
         "cav96mf3",
         "", "nulldata"},
        {"6a024869", "OP_RETURN 26952", "raw(6a024869)#nz6xdglz", "", "nulldata"},
        {"6a5d0414011400", "OP_RETURN 13 1310996", "raw(6a5d0414011400)#cwmyltm8", "", "nulldata"},
        {"6a0e6374762b637366733d6d61676963", "OP_RETURN 6374762b637366733d6d61676963",
         "raw(6a0e6374762b637366733d6d61676963)#u8kauxmf", "", "nulldata"},
    };
    for (const auto& c : cases)
        CheckSpk(c, Main());
}

TEST(CoreWriteTest, TestnetAndRegtestScripts)
{
    CheckSpk(
        {"52210276d4d259f156bc953231ae2365555c9a445d50f40e0f9d49f43b062a38df621321020498177dce"
         "d0022d4538f0b39a09d315ec944c7205307dc126af8f132975cae3210202835b62db105222c0d5208b31"
         "189660bd8a2f636d25d91329f73be56282fe5253ae",
         "2 0276d4d259f156bc953231ae2365555c9a445d50f40e0f9d49f43b062a38df6213 "
         "020498177dced0022d4538f0b39a09d315ec944c7205307dc126af8f132975cae3 "
         "0202835b62db105222c0d5208b31189660bd8a2f636d25d91329f73be56282fe52 3 OP_CHECKMULTISIG",
         "multi(2,0276d4d259f156bc953231ae2365555c9a445d50f40e0f9d49f43b062a38df6213,"
         "020498177dced0022d4538f0b39a09d315ec944c7205307dc126af8f132975cae3,"
         "0202835b62db105222c0d5208b31189660bd8a2f636d25d91329f73be56282fe52)#lugfm7u3",
         "", "multisig"},
        TestNet3());
    CheckSpk({"00200b86eaa54b486b835452603ece907a856b5770e8dc2df9e189d991ee296b4639",
              "0 0b86eaa54b486b835452603ece907a856b5770e8dc2df9e189d991ee296b4639",
              "addr(tb1qpwrw4f2tfp4cx4zjvqlvayr6s444wu8gmsklncvfmxg7u2ttgcus2kqnd5)#6q4h0ctd",
              "tb1qpwrw4f2tfp4cx4zjvqlvayr6s444wu8gmsklncvfmxg7u2ttgcus2kqnd5",
              "witness_v0_scripthash"},
             TestNet3());
    CheckSpk({"03e09304b17551", "300000 OP_CHECKLOCKTIMEVERIFY OP_DROP 1",
              "raw(03e09304b17551)#pll48me7", "", "nonstandard"},
             TestNet3());
    CheckSpk(
        {"6351670068", "OP_IF 1 OP_ELSE 0 OP_ENDIF", "raw(6351670068)#fhsnu8qg", "", "nonstandard"},
        TestNet3());
    CheckSpk({"51209bcbd366c542d77635150211f6283d3ff4d9979d312cdf42e4bbd047aa77d961",
              "1 9bcbd366c542d77635150211f6283d3ff4d9979d312cdf42e4bbd047aa77d961",
              "rawtr(9bcbd366c542d77635150211f6283d3ff4d9979d312cdf42e4bbd047aa77d961)#q2ud38tc",
              "bcrt1pn09axek9gtthvdg4qgglv2pa8l6dn9uaxykd7shyh0gy02nhm9sslp6ha5",
              "witness_v1_taproot"},
             Reg());
}

TEST(CoreWriteTest, DescriptorChecksumVectors)
{
    // BIP380's example and strings whose checksums Core printed.
    EXPECT_EQ(common::DescriptorChecksum("raw(deadbeef)"), "89f8spxm");
    EXPECT_EQ(common::DescriptorChecksum(
                  "wsh(multi(2,0276d4d259f156bc953231ae2365555c9a445d50f40e0f9d49f43b062a38df6213,"
                  "020498177dced0022d4538f0b39a09d315ec944c7205307dc126af8f132975cae3,"
                  "0202835b62db105222c0d5208b31189660bd8a2f636d25d91329f73be56282fe52))"),
              "rex36vz8");
    EXPECT_EQ(
        common::DescriptorChecksum("pk(03c8edf725b59d9f370870a5dcd5e70b0baea493a5b85cb227c1ef6a"
                                   "8e8cdad8fb)"),
        "uyjfg78q");
    // A character outside BIP380's set has no checksum.
    EXPECT_EQ(common::DescriptorChecksum("raw(deadbeef)\x01"), "");
    EXPECT_EQ(common::DescriptorChecksum("addr(\xc3\xa9)"), "");
    // One changed character changes the checksum.
    EXPECT_NE(common::DescriptorChecksum("raw(deadbeff)"), "89f8spxm");
}

TEST(CoreWriteTest, ScriptTypeNames)
{
    const std::vector<std::pair<std::string, std::string>> cases{
        {"2103c8edf725b59d9f370870a5dcd5e70b0baea493a5b85cb227c1ef6a8e8cdad8fbac", "pubkey"},
        {"76a9145dd1d3a048119c27b28293056724d9522f26d94588ac", "pubkeyhash"},
        {"a9145dd1d3a048119c27b28293056724d9522f26d94587", "scripthash"},
        {"512103c8edf725b59d9f370870a5dcd5e70b0baea493a5b85cb227c1ef6a8e8cdad8fb51ae", "multisig"},
        {"6a", "nulldata"},
        {"6a00", "nulldata"},
        {"6a50", "nulldata"},    // Core counts OP_RESERVED as a push here
        {"6a61", "nonstandard"}, // OP_NOP after OP_RETURN is not data
        {"00145dd1d3a048119c27b28293056724d9522f26d945", "witness_v0_keyhash"},
        {"0020" + std::string(64, 'a'), "witness_v0_scripthash"},
        {"5120" + std::string(64, '1'), "witness_v1_taproot"},
        {"51024e73", "anchor"},
        {"5202abcd", "witness_unknown"},
        {"5128" + std::string(80, 'b'), "witness_unknown"},
        {"0013" + std::string(38, 'c'), "nonstandard"}, // v0 with a 19-byte program
        {"", "nonstandard"},
        {"51", "nonstandard"},
        {"4c", "nonstandard"}, // truncated push
        // Multisig edge cases: n must match the key count and the script must end there.
        {"512103c8edf725b59d9f370870a5dcd5e70b0baea493a5b85cb227c1ef6a8e8cdad8fb52ae",
         "nonstandard"},
        {"522103c8edf725b59d9f370870a5dcd5e70b0baea493a5b85cb227c1ef6a8e8cdad8fb51ae",
         "nonstandard"},
        {"0021" + std::string(66, '2') + "51ae", "nonstandard"}, // m = 0
        // 33-byte push with an 04 prefix is not a valid-size key.
        {"2104c8edf725b59d9f370870a5dcd5e70b0baea493a5b85cb227c1ef6a8e8cdad8fbac", "nonstandard"},
    };
    for (const auto& [hex, type] : cases) {
        EXPECT_EQ(rpc::ScriptTypeName(ScriptFromHex(hex)), type) << hex;
    }
}

TEST(CoreWriteTest, AnchorAndUnknownWitnessHaveAddresses)
{
    const rpc::Json anchor = rpc::ScriptPubKeyToJson(ScriptFromHex("51024e73"), Main());
    EXPECT_EQ(anchor.at("address"), "bc1pfeessrawgf");
    EXPECT_EQ(anchor.at("type"), "anchor");
    EXPECT_EQ(anchor.at("desc").get<std::string>().rfind("addr(bc1pfeessrawgf)#", 0), 0U);
    const rpc::Json reg_anchor = rpc::ScriptPubKeyToJson(ScriptFromHex("51024e73"), Reg());
    EXPECT_EQ(reg_anchor.at("address"), "bcrt1pfeesnyr2tx");
    // A taproot program that is not a curve point is shown as addr(), never rawtr().
    const rpc::Json bad_tr =
        rpc::ScriptPubKeyToJson(ScriptFromHex("5120" + std::string(64, '0')), Main());
    EXPECT_EQ(bad_tr.at("desc").get<std::string>().rfind("addr(bc1p", 0), 0U);
    // Hybrid keys are not descriptor keys: P2PK with one is raw().
    const std::string hybrid =
        "4106" +
        std::string("96b538e853519c726a2c91e61ec11600ae1390813a627c66fb8be7947be63c52da75"
                    "89379515d4e0a604f8141781e62294721166bf621e73a82cbf2342c858ee") +
        "ac";
    const rpc::Json hyb = rpc::ScriptPubKeyToJson(ScriptFromHex(hybrid), Main());
    EXPECT_EQ(hyb.at("type"), "pubkey");
    EXPECT_EQ(hyb.at("desc").get<std::string>().rfind("raw(" + hybrid + ")#", 0), 0U);
    // Without include_address neither desc nor address appears; without include_hex no hex.
    const rpc::Json bare = rpc::ScriptPubKeyToJson(
        ScriptFromHex("76a914345ebee6c266c5ce5faaab0520ad411dd7086e5f88ac"), Main(), false, false);
    EXPECT_FALSE(bare.contains("desc"));
    EXPECT_FALSE(bare.contains("address"));
    EXPECT_FALSE(bare.contains("hex"));
    EXPECT_EQ(bare.at("type"), "pubkeyhash");
}

// Core's rpc_decodescript.py vectors.
const std::string SIG =
    "304502207fa7a6d1e0ee81132a269ad84e68d695483745cde8b541e3bf630749894e342a022100c1f7ab20e13e2"
    "2fb95281a870f3dcf38d782e53023ee313d741ad0cfbc0c509001";
const std::string PUB = "03b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb2";

TEST(CoreWriteTest, AsmSighashDecoding)
{
    const std::string sig_body = SIG.substr(0, SIG.size() - 2);
    // Without decoding, the hash-type byte stays in the hex.
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("48" + SIG)), SIG);
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("48" + SIG + "21" + PUB)), SIG + " " + PUB);
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("00" + std::string("48") + SIG + "48" + SIG)),
              "0 " + SIG + " " + SIG);
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("5100")), "1 0");
    // With decoding, each defined type is named.
    const std::vector<std::pair<std::string, std::string>> types{
        {"01", "[ALL]"},    {"81", "[ALL|ANYONECANPAY]"},
        {"02", "[NONE]"},   {"82", "[NONE|ANYONECANPAY]"},
        {"03", "[SINGLE]"}, {"83", "[SINGLE|ANYONECANPAY]"},
    };
    for (const auto& [byte, name] : types) {
        EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("48" + sig_body + byte + "21" + PUB), true),
                  sig_body + name + " " + PUB);
    }
    // An undefined hash type, or a non-DER push, stays raw.
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("48" + sig_body + "04"), true), sig_body + "04");
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("48" + sig_body + "00"), true), sig_body + "00");
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("21" + PUB), true), PUB);
    // OP_RETURN data is never decoded as a signature.
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("6a48" + SIG), true), "OP_RETURN " + SIG);
    // Small pushes print as numbers (sign-magnitude, not required minimal), opcodes by name.
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("0181")), "-1");
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("0280ff")), "-32640");
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("04ffffff7f")), "2147483647");
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("0400000080")), "0");
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("4c00")), "0");
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("4f60ba")), "-1 16 OP_CHECKSIGADD");
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("ff")), "OP_INVALIDOPCODE");
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("bb")), "OP_UNKNOWN");
    // A truncated push ends with [error].
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("76a914abcd")), "OP_DUP OP_HASH160 [error]");
    EXPECT_EQ(rpc::ScriptToAsm(ScriptFromHex("")), "");
}

// Mainnet transaction 8e3730608c3b0bb5df54f09076e196bc292a8e39a78e73b44b6ba08c78f5cbb0
// (P2SH 2-of-3 input; P2PKH and P2SH outputs), from Core's rpc_decodescript.py.
const std::string MULTISIG_TX =
    "01000000018d1f5635abd06e2c7e2ddf58dc85b3de111e4ad6e0ab51bb0dcf5e84126d927300000000fdfe00004"
    "83045022100ae3b4e589dfc9d48cb82d41008dc5fa6a86f94d5c54f9935531924602730ab8002202f88cf46441"
    "4c4ed9fa11b773c5ee944f66e9b05cc1e51d97abc22ce098937ea01483045022100b44883be035600e9328a01b"
    "66c7d8439b74db64187e76b99a68f7893b701d5380220225bf286493e4c4adcf928c40f785422572eb232f84a0"
    "b83b0dea823c3a19c75014c695221020743d44be989540d27b1b4bbbcfd17721c337cb6bc9af20eb8a32520b39"
    "3532f2102c0120a1dda9e51a938d39ddd9fe0ebc45ea97e1d27a7cbd671d5431416d3dd87210213820eb3d5f50"
    "9d7438c9eeecb4157b2f595105e7cd564b3cdbb9ead3da41eed53aeffffffff02611e0000000000001976a914d"
    "c863734a218bfe83ef770ee9d41a27f824a6e5688acee2a02000000000017a9142a5edea39971049a540474c6a"
    "99edf0aa4074c588700000000";

TEST(CoreWriteTest, TxToJsonMainnetMultisigSpend)
{
    const auto tx = TxFromHex(MULTISIG_TX);
    const rpc::Json j = rpc::TxToJson(*tx, consensus::Uint256{}, Main(), true);
    EXPECT_EQ(j.at("txid"), "8e3730608c3b0bb5df54f09076e196bc292a8e39a78e73b44b6ba08c78f5cbb0");
    EXPECT_EQ(j.at("hash"), j.at("txid"));
    EXPECT_EQ(j.at("version"), 1);
    const size_t size = MULTISIG_TX.size() / 2;
    EXPECT_EQ(j.at("size"), size);
    EXPECT_EQ(j.at("vsize"), size);
    EXPECT_EQ(j.at("weight"), size * 4);
    EXPECT_EQ(j.at("locktime"), 0);
    const auto& in = j.at("vin").at(0);
    EXPECT_EQ(in.at("txid"), "73926d12845ecf0dbb51abe0d64a1e11deb385dc58df2d7e2c6ed0ab35561f8d");
    EXPECT_EQ(in.at("vout"), 0);
    EXPECT_EQ(in.at("scriptSig").at("asm"),
              "0 3045022100ae3b4e589dfc9d48cb82d41008dc5fa6a86f94d5c54f9935531924602730ab800220"
              "2f88cf464414c4ed9fa11b773c5ee944f66e9b05cc1e51d97abc22ce098937ea[ALL] "
              "3045022100b44883be035600e9328a01b66c7d8439b74db64187e76b99a68f7893b701d538022022"
              "5bf286493e4c4adcf928c40f785422572eb232f84a0b83b0dea823c3a19c75[ALL] "
              "5221020743d44be989540d27b1b4bbbcfd17721c337cb6bc9af20eb8a32520b393532f2102c0120a1"
              "dda9e51a938d39ddd9fe0ebc45ea97e1d27a7cbd671d5431416d3dd87210213820eb3d5f509d7438c9"
              "eeecb4157b2f595105e7cd564b3cdbb9ead3da41eed53ae");
    EXPECT_EQ(in.at("sequence"), 4294967295U);
    EXPECT_FALSE(in.contains("txinwitness"));
    const auto& vout = j.at("vout");
    ASSERT_EQ(vout.size(), 2U);
    EXPECT_EQ(rpc::WriteJson(vout[0].at("value")), "0.00007777");
    EXPECT_EQ(vout[0].at("n"), 0);
    EXPECT_EQ(vout[0].at("scriptPubKey").at("asm"),
              "OP_DUP OP_HASH160 dc863734a218bfe83ef770ee9d41a27f824a6e56 OP_EQUALVERIFY "
              "OP_CHECKSIG");
    EXPECT_EQ(rpc::WriteJson(vout[1].at("value")), "0.00142062");
    EXPECT_EQ(vout[1].at("scriptPubKey").at("asm"),
              "OP_HASH160 2a5edea39971049a540474c6a99edf0aa4074c58 OP_EQUAL");
    EXPECT_EQ(j.at("hex"), MULTISIG_TX);
    std::vector<std::string> keys;
    for (const auto& [key, value] : j.items())
        keys.push_back(key);
    EXPECT_EQ(keys, (std::vector<std::string>{"txid", "hash", "version", "size", "vsize", "weight",
                                              "locktime", "vin", "vout", "hex"}));
}

TEST(CoreWriteTest, TxToJsonSighashOfMainnetP2pkhSpend)
{
    const std::string hex =
        "0100000001696a20784a2c70143f634e95227dbdfdf0ecd51647052e70854512235f5986ca010000008a473044"
        "02207174775824bec6c2700023309a168231ec80b82c6069282f5133e6f11cbb04460220570edc55c7c5da2ca6"
        "87ebd0372d3546ebc3f810516a002350cac72dfe192dfb014104d3f898e6487787910a690410b7a917ef198905"
        "c27fb9d3b0a42da12aceae0544fc7088d239d9a48f2828a15a09e84043001f27cc80d162cb95404e1210161536"
        "ffffffff0100e1f505000000001976a914eb6c6e0cdb2d256a32d97b8df1fc75d1920d9bca88ac00000000";
    const rpc::Json j = rpc::TxToJson(*TxFromHex(hex), consensus::Uint256{}, Main(), false);
    EXPECT_EQ(j.at("vin").at(0).at("scriptSig").at("asm"),
              "304402207174775824bec6c2700023309a168231ec80b82c6069282f5133e6f11cbb04460220570edc"
              "55c7c5da2ca687ebd0372d3546ebc3f810516a002350cac72dfe192dfb[ALL] "
              "04d3f898e6487787910a690410b7a917ef198905c27fb9d3b0a42da12aceae0544fc7088d239d9a48f28"
              "28a15a09e84043001f27cc80d162cb95404e1210161536");
    EXPECT_FALSE(j.contains("hex"));
    EXPECT_EQ(rpc::WriteJson(j.at("vout").at(0).at("value")), "1.00000000");
}

TEST(CoreWriteTest, TxToJsonWitnessPrevoutFeeAndBlockHash)
{
    consensus::MutableTransaction mtx;
    mtx.version = 2;
    mtx.locktime = 500;
    consensus::TxIn in;
    in.prevout.hash = *consensus::Uint256::FromHex(std::string(64, 'a'));
    in.prevout.n = 3;
    in.sequence = 0xfffffffd;
    in.witness.stack = {{0x01, 0x02}, {}};
    mtx.vin.push_back(in);
    consensus::TxOut out;
    out.value = 90'000;
    out.script_pubkey = ScriptFromHex("001447c0996ec0694eeb4e6b2ec2a512a0d682bb29b6");
    mtx.vout.push_back(out);
    const consensus::Transaction tx{mtx};

    // Sizes recomputed here from the encodings, independently of Transaction's cache.
    const size_t base = consensus::EncodeNoWitness(mtx).size();
    const size_t total = consensus::Encode(mtx).size();

    interfaces::Coin coin;
    coin.out.value = 100'000;
    coin.out.script_pubkey = ScriptFromHex("76a914345ebee6c266c5ce5faaab0520ad411dd7086e5f88ac");
    coin.height = 7;
    coin.coinbase = true;
    const std::vector<interfaces::Coin> spent{coin};
    const auto block = *consensus::Uint256::FromHex(std::string(63, '0') + "1");

    const rpc::Json j =
        rpc::TxToJson(tx, block, Main(), true, &spent, rpc::TxVerbosity::SHOW_DETAILS_AND_PREVOUT);
    EXPECT_NE(j.at("hash"), j.at("txid"));
    EXPECT_EQ(j.at("size"), total);
    EXPECT_EQ(j.at("weight"), base * 3 + total);
    EXPECT_EQ(j.at("vsize"), (base * 3 + total + 3) / 4);
    EXPECT_EQ(j.at("locktime"), 500);
    const auto& vin = j.at("vin").at(0);
    EXPECT_EQ(vin.at("txinwitness"), (rpc::Json{"0102", ""}));
    std::vector<std::string> in_keys;
    for (const auto& [key, value] : vin.items())
        in_keys.push_back(key);
    EXPECT_EQ(in_keys, (std::vector<std::string>{"txid", "vout", "scriptSig", "txinwitness",
                                                 "prevout", "sequence"}));
    const auto& prevout = vin.at("prevout");
    EXPECT_EQ(prevout.at("generated"), true);
    EXPECT_EQ(prevout.at("height"), 7);
    EXPECT_EQ(rpc::WriteJson(prevout.at("value")), "0.00100000");
    EXPECT_EQ(prevout.at("scriptPubKey").at("address"), "15mue2JSJ3q2sSvYwVbeQxV9C4kiUx9xek");
    EXPECT_EQ(vin.at("sequence"), 4294967293U);
    EXPECT_EQ(rpc::WriteJson(j.at("fee")), "0.00010000");
    EXPECT_EQ(j.at("blockhash"), std::string(63, '0') + "1");
    std::vector<std::string> keys;
    for (const auto& [key, value] : j.items())
        keys.push_back(key);
    EXPECT_EQ(keys,
              (std::vector<std::string>{"txid", "hash", "version", "size", "vsize", "weight",
                                        "locktime", "vin", "vout", "fee", "blockhash", "hex"}));

    // SHOW_DETAILS with undo gives the fee but no prevout.
    const rpc::Json details = rpc::TxToJson(tx, consensus::Uint256{}, Main(), false, &spent);
    EXPECT_FALSE(details.at("vin").at(0).contains("prevout"));
    EXPECT_EQ(rpc::WriteJson(details.at("fee")), "0.00010000");
    EXPECT_FALSE(details.contains("blockhash"));
}

TEST(CoreWriteTest, TxToJsonCoinbase)
{
    const auto& genesis = Main().GenesisBlock();
    ASSERT_FALSE(genesis.vtx.empty());
    const std::vector<interfaces::Coin> spent(1);
    const rpc::Json j = rpc::TxToJson(*genesis.vtx[0], consensus::Uint256{}, Main(), false, &spent,
                                      rpc::TxVerbosity::SHOW_DETAILS_AND_PREVOUT);
    EXPECT_EQ(j.at("txid"), "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
    const auto& in = j.at("vin").at(0);
    EXPECT_EQ(in.at("coinbase"),
              "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f722"
              "06f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73");
    EXPECT_FALSE(in.contains("scriptSig"));
    EXPECT_FALSE(in.contains("prevout"));
    EXPECT_FALSE(j.contains("fee"));
    EXPECT_EQ(rpc::WriteJson(j.at("vout").at(0).at("value")), "50.00000000");
    EXPECT_EQ(j.at("vout").at(0).at("scriptPubKey").at("type"), "pubkey");
}

} // namespace
