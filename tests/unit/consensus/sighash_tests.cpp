#include <consensus/hash.h>
#include <consensus/script/sighash.h>
#include <consensus/transaction.h>
#include <util/strings.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <fstream>
#include <string>
#include <vector>

using namespace consensus;

namespace {

std::vector<uint8_t> Hex(std::string_view hex)
{
    auto bytes = util::TryParseHex(hex);
    EXPECT_TRUE(bytes.has_value()) << "bad hex in test data: " << hex;
    return bytes.value_or(std::vector<uint8_t>{});
}

Script ScriptFromHex(std::string_view hex)
{
    return Script{Hex(hex)};
}

TransactionRef TxFromHex(std::string_view hex)
{
    auto tx = DecodeTransaction(Hex(hex));
    EXPECT_TRUE(tx.has_value()) << "undecodable transaction: " << hex;
    return tx ? *tx : std::make_shared<const Transaction>();
}

// Hashes in BIP143 and BIP341 texts are printed in byte order, not reversed.
std::string RawHex(const Uint256& h)
{
    return util::HexStr(h.span());
}

nlohmann::json LoadJson(const std::string& relative)
{
    const std::string path = std::string{MINIBIT_TEST_DATA_DIR} + "/" + relative;
    std::ifstream in{path};
    EXPECT_TRUE(in.good()) << "cannot open " << path;
    return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// ---- Bitcoin Core sighash.json (legacy algorithm) --------------------------

TEST(Sighash, CoreLegacyVectors)
{
    const auto data = LoadJson("core/sighash.json");
    ASSERT_TRUE(data.is_array());
    size_t cases = 0;
    for (size_t i = 0; i < data.size(); ++i) {
        const auto& test = data[i];
        // The first row is the format description: raw_tx, script, input_index, hashType, expected.
        if (test.size() == 1) continue;
        ASSERT_EQ(test.size(), 5U) << "malformed row " << i;
        SCOPED_TRACE("sighash.json row " + std::to_string(i));
        const auto tx = TxFromHex(test[0].get<std::string>());
        const Script script = ScriptFromHex(test[1].get<std::string>());
        const auto n_in = test[2].get<unsigned>();
        // hashType is stored as a signed 32-bit value; the low byte and the
        // full 32 bits both matter (the latter is appended to the preimage).
        const auto hash_type = test[3].get<int32_t>();
        const auto expected = test[4].get<std::string>();

        const Uint256 got = SignatureHash(script, *tx, n_in, hash_type, 0, SigVersion::BASE);
        EXPECT_EQ(got.GetHex(), expected);
        ++cases;
    }
    EXPECT_EQ(cases, data.size() - 1);
    EXPECT_GT(cases, 400U);
}

TEST(Sighash, LegacySingleBugAndOutOfRange)
{
    // Two inputs, one output: SIGHASH_SINGLE on input 1 has no matching output.
    const auto tx = TxFromHex(
        "0100000002fe3dc9208094f3ffd12645477b3dc56f60ec4fa8e6f5d67c565d1c6b9216b36e0000000000"
        "ffffffff0815cf020f013ed6cf91d29f4202e8a58726b1ac6c79da47c23d1bee0a6925f80000000000ffff"
        "ffff0100f2052a010000001976a914a30741f8145e5acadf23f751864167f32e0963f788ac00000000");
    const Script script = ScriptFromHex("76a914a30741f8145e5acadf23f751864167f32e0963f788ac");
    const std::string one = "0000000000000000000000000000000000000000000000000000000000000001";

    EXPECT_EQ(SignatureHash(script, *tx, 1, SIGHASH_SINGLE, 0, SigVersion::BASE).GetHex(), one);
    EXPECT_EQ(
        SignatureHash(script, *tx, 1, SIGHASH_SINGLE | SIGHASH_ANYONECANPAY, 0, SigVersion::BASE)
            .GetHex(),
        one);
    // Only the low five bits select SINGLE.
    EXPECT_EQ(SignatureHash(script, *tx, 1, 0x43, 0, SigVersion::BASE).GetHex(), one);
    // Input 0 has an output, so it is a real hash.
    EXPECT_NE(SignatureHash(script, *tx, 0, SIGHASH_SINGLE, 0, SigVersion::BASE).GetHex(), one);
    EXPECT_NE(SignatureHash(script, *tx, 1, SIGHASH_ALL, 0, SigVersion::BASE).GetHex(), one);
    // Out-of-range input index, in both algorithms.
    EXPECT_EQ(SignatureHash(script, *tx, 2, SIGHASH_ALL, 0, SigVersion::BASE).GetHex(), one);
    EXPECT_EQ(SignatureHash(script, *tx, 7, SIGHASH_ALL, 0, SigVersion::WITNESS_V0).GetHex(), one);
}

TEST(Sighash, LegacyRemovesCodeSeparators)
{
    const auto tx = TxFromHex(
        "010000000169c12106097dc2e0526493ef67f21269fe888ef05c7a3a5dacab38e1ac8387f14c1d000000"
        "ffffffff0101000000000000000000000000");
    // OP_1 OP_CODESEPARATOR OP_2 OP_CODESEPARATOR <push 0xab> must hash like OP_1 OP_2 <push 0xab>:
    // a push of the separator byte is data and stays.
    const Script with = ScriptFromHex("51ab52ab01ab");
    const Script without = ScriptFromHex("515201ab");
    for (int32_t type : {1, 2, 3, 0x81, 0x82, 0x83}) {
        EXPECT_EQ(SignatureHash(with, *tx, 0, type, 0, SigVersion::BASE),
                  SignatureHash(without, *tx, 0, type, 0, SigVersion::BASE))
            << "hash type " << type;
    }
    // BIP143 keeps separators: the script code is committed as given.
    EXPECT_NE(SignatureHash(with, *tx, 0, 1, 0, SigVersion::WITNESS_V0),
              SignatureHash(without, *tx, 0, 1, 0, SigVersion::WITNESS_V0));
}

TEST(Sighash, LegacyTruncatedPushQuirk)
{
    // A script ending in a truncated push: the length prefix counts all bytes
    // except separators, but only the bytes up to where parsing stopped (the
    // push opcode and its length byte) are hashed. No sighash.json case has a
    // truncated script, so the preimage is spelled out here.
    const auto tx = TxFromHex(
        "010000000169c12106097dc2e0526493ef67f21269fe888ef05c7a3a5dacab38e1ac8387f14c1d000000"
        "ffffffff0101000000000000000000000000");
    const std::string head =
        "0100000001"
        "69c12106097dc2e0526493ef67f21269fe888ef05c7a3a5dacab38e1ac8387f14c1d0000";
    const std::string tail = "ffffffff"
                             "01010000000000000000"
                             "00000000"
                             "01000000";
    struct Case
    {
        const char* script;
        const char* serialized;
    };
    for (const Case& c : {Case{"ab4c050102", "044c05"}, Case{"4c050102", "044c05"},
                          Case{"51ab4d", "02514d"}, Case{"51ab52", "025152"}}) {
        const std::string preimage = head + c.serialized + tail;
        EXPECT_EQ(SignatureHash(ScriptFromHex(c.script), *tx, 0, SIGHASH_ALL, 0, SigVersion::BASE),
                  Hash256(Hex(preimage)))
            << "script " << c.script;
    }
}

// ---- BIP143 examples ------------------------------------------------------

struct Bip143Case
{
    const char* name;
    const char* tx;
    unsigned n_in;
    const char* script_code; // without its length prefix
    Amount amount;
    int32_t hash_type;
    const char* sighash; // byte order, as the BIP prints it
};

constexpr const char* BIP143_P2WSH_MULTISIG_TX =
    "010000000136641869ca081e70f394c6948e8af409e18b619df2ed74aa106c1ca29787b96e0100000000ffffffff02"
    "00e9a43500000000"
    "1976a914389ffce9cd9ae88dcc0631e88a821ffdbe9bfe2688acc0832f05000000001976a9147480a33f950689af51"
    "1e6e84c138dbbd3c"
    "3ee41588ac00000000";
constexpr const char* BIP143_P2WSH_MULTISIG_SCRIPT =
    "56210307b8ae49ac90a048e9b53357a2354b3334e9c8bee813ecb98e99a7e07e8c3ba32103b28f0c28bfab54554ae8"
    "c658ac5c3e0ce6e7"
    "9ad336331f78c428dd43eea8449b21034b8113d703413d57761b8b9781957b8c0ac1dfe69f492580ca4195f50376ba"
    "4a21033400f6afec"
    "b833092a9a21cfdf1ed1376e58c5d1f47de74683123987e967a8f42103a6d48b1131e94ba04d9737d61acdaa132200"
    "8af9602b3b14862c"
    "07a1789aac162102d8b661b0b3302ee2f162b09e07a55ad5dfbe673a9f01d9f0c19617681024306b56ae";
constexpr const char* BIP143_CODESEP_TX = "0100000002e9b542c5176808107ff1df906f46bb1f2583b16112b95e"
                                          "e5380665ba7fcfc0010000000000ffffffff80e68831516392fcd1"
                                          "00d186b3c2c7b95c80b53c77e77c35ba03a66b429a2a1b0000000000"
                                          "ffffffff0280969800000000001976a914de4b231626ef508c9a74"
                                          "a8517e6783c0546d6b2888ac80969800000000001976a9146648a8cd"
                                          "4531e1ec47f35916de8e259237294d1e88ac00000000";
// The same transaction signed, with inputs and outputs swapped (SINGLE|ANYONECANPAY survives the
// swap).
constexpr const char* BIP143_CODESEP_SWAPPED_TX =
    "0100000000010280e68831516392fcd100d186b3c2c7b95c80b53c77e77c35ba03a66b429a2a1b0000000000ffffff"
    "ffe9b542c5176808"
    "107ff1df906f46bb1f2583b16112b95ee5380665ba7fcfc0010000000000ffffffff0280969800000000001976a914"
    "6648a8cd4531e1ec"
    "47f35916de8e259237294d1e88ac80969800000000001976a914de4b231626ef508c9a74a8517e6783c0546d6b2888"
    "ac02473044022003"
    "2521802a76ad7bf74d0e2c218b72cf0cbc867066e2e53db905ba37f130397e02207709e2188ed7f08f4c952d9d1398"
    "6da504502b8c3be5"
    "9617e043552f506c46ff83275163ab68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e"
    "39da98ac02483045"
    "022100f6a10b8604e6dc910194b79ccfc93e1bc0ec7c03453caaa8987f7d6c3413566002206216229ede9b4d6ec2d3"
    "25be245c5b508ff0"
    "339bf1794078e20bfe0babc7ffe683270063ab68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550"
    "447a4c3e39da98ac"
    "00000000";
constexpr const char* BIP143_P2WSH_SINGLE_TX =
    "0100000002fe3dc9208094f3ffd12645477b3dc56f60ec4fa8e6f5d67c565d1c6b9216b36e0000000000ffffffff08"
    "15cf020f013ed6cf"
    "91d29f4202e8a58726b1ac6c79da47c23d1bee0a6925f80000000000ffffffff0100f2052a010000001976a914a307"
    "41f8145e5acadf23"
    "f751864167f32e0963f788ac00000000";
constexpr const char* BIP143_NO_FINDANDDELETE_TX =
    "010000000169c12106097dc2e0526493ef67f21269fe888ef05c7a3a5dacab38e1ac8387f14c1d000000ffffffff01"
    "010000000000000000"
    "00000000";
constexpr const char* BIP143_NO_FINDANDDELETE_MULTISIG_TX =
    "010000000001019275cb8d4a485ce95741c013f7c0d28722160008021bb469a11982d47a6628964c1d000000ffffff"
    "ff01010000000000"
    "000000070048304502"
    "20487fb382c4974de3f7d834c1b617fe15860828c7f96454490edd6d891556dcc9022100baf95feb48f845d5bfc988"
    "2eb6aeefa1bc3790"
    "e39f59eaa46ff7f15ae626c53e0148304502205286f726690b2e9b0207f0345711e63fa7012045b9eb0f19c2458ce1"
    "db90cf43022100e8"
    "9f17f86abc5b149eba4115d4f128bcf45d77fb3ecdd34f594091340c0395960101022102966f109c54e85d3aee8321"
    "301136cedeb9fc71"
    "0fdef58a9de8a73942f8e567c021034ffc99dd9a79dd3cb31e2ab3e0b09e0e67db41ac068c625cd1f491576016c84e"
    "9552af4830450220"
    "487fb382c4974de3f7d834c1b617fe15860828c7f96454490edd6d891556dcc9022100baf95feb48f845d5bfc9882e"
    "b6aeefa1bc3790e3"
    "9f59eaa46ff7f15ae626c53e0148304502205286f726690b2e9b0207f0345711e63fa7012045b9eb0f19c2458ce1db"
    "90cf43022100e89f"
    "17f86abc5b149eba4115d4f128bcf45d77fb3ecdd34f594091340c039596017500000000";

const Bip143Case BIP143_CASES[] = {
    {"native P2WPKH",
     "0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000000eeffffffe"
     "f51e1b804cc89d18"
     "2d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a91482"
     "80b37df378db99f6"
     "6f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988a"
     "c11000000",
     1, "76a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac", 600'000'000, 1,
     "c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670"},
    {"P2SH-P2WPKH",
     "0100000001db6b1b20aa0fd7b23880be2ecbd4a98130974cf4748fb66092ac4d3ceb1a54770100000000feffffff0"
     "2b8b4eb0b0000000"
     "01976a914a457b684d7f0d539a46a45bbc043f35b59d0d96388ac0008af2f000000001976a914fd270b1ee6abcaea"
     "97fea7ad0402e8bd"
     "8ad6d77c88ac92040000",
     0, "76a91479091972186c449eb1ded22b78e40d009bdf008988ac", 1'000'000'000, 1,
     "64f3b0f4dd2bb3aa1ce8566d220cc74dda9df97d8490cc81d89d735c92e59fb6"},
    {"native P2WSH, SINGLE out of range, separator not yet executed", BIP143_P2WSH_SINGLE_TX, 1,
     "21026dccc749adc2a9d0d89497ac511f760f45c47dc5ed9cf352a58ac706453880aeadab210255a9626aebf5e29c0"
     "e6538428ba0d1dcf6"
     "ca98ffdf086aa8ced5e0d0215ea465ac",
     4'900'000'000, 3, "82dde6e4f1e94d02c2b7ad03d2115d691f48d064e9d52f58194a6637e4194391"},
    {"native P2WSH, SINGLE out of range, after separator", BIP143_P2WSH_SINGLE_TX, 1,
     "210255a9626aebf5e29c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac", 4'900'000'000, 3,
     "fef7bd749cce710c5c052bd796df1af0d935e59cea63736268bcbe2d2134fc47"},
    {"native P2WSH, unexecuted separator, SINGLE|ANYONECANPAY", BIP143_CODESEP_TX, 0,
     "0063ab68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac", 16'777'215,
     0x83, "e9071e75e25b8a1e298a72f0d2e9f4f95a0f5cdf86a533cda597eb402ed13b3a"},
    {"native P2WSH, executed separator, SINGLE|ANYONECANPAY", BIP143_CODESEP_TX, 1,
     "68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac", 16'777'215, 0x83,
     "cd72f1f1a433ee9df816857fad88d8ebd97e09a75cd481583eb841c330275e54"},
    {"swapped pair, unexecuted separator", BIP143_CODESEP_SWAPPED_TX, 1,
     "0063ab68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac", 16'777'215,
     0x83, "e9071e75e25b8a1e298a72f0d2e9f4f95a0f5cdf86a533cda597eb402ed13b3a"},
    {"swapped pair, executed separator", BIP143_CODESEP_SWAPPED_TX, 0,
     "68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac", 16'777'215, 0x83,
     "cd72f1f1a433ee9df816857fad88d8ebd97e09a75cd481583eb841c330275e54"},
    {"P2SH-P2WSH ALL", BIP143_P2WSH_MULTISIG_TX, 0, BIP143_P2WSH_MULTISIG_SCRIPT, 987'654'321, 0x01,
     "185c0be5263dce5b4bb50a047973c1b6272bfbd0103a89444597dc40b248ee7c"},
    {"P2SH-P2WSH NONE", BIP143_P2WSH_MULTISIG_TX, 0, BIP143_P2WSH_MULTISIG_SCRIPT, 987'654'321,
     0x02, "e9733bc60ea13c95c6527066bb975a2ff29a925e80aa14c213f686cbae5d2f36"},
    {"P2SH-P2WSH SINGLE", BIP143_P2WSH_MULTISIG_TX, 0, BIP143_P2WSH_MULTISIG_SCRIPT, 987'654'321,
     0x03, "1e1f1c303dc025bd664acb72e583e933fae4cff9148bf78c157d1e8f78530aea"},
    {"P2SH-P2WSH ALL|ANYONECANPAY", BIP143_P2WSH_MULTISIG_TX, 0, BIP143_P2WSH_MULTISIG_SCRIPT,
     987'654'321, 0x81, "2a67f03e63a6a422125878b40b82da593be8d4efaafe88ee528af6e5a9955c6e"},
    {"P2SH-P2WSH NONE|ANYONECANPAY", BIP143_P2WSH_MULTISIG_TX, 0, BIP143_P2WSH_MULTISIG_SCRIPT,
     987'654'321, 0x82, "781ba15f3779d5542ce8ecb5c18716733a5ee42a6f51488ec96154934e2c890a"},
    {"P2SH-P2WSH SINGLE|ANYONECANPAY", BIP143_P2WSH_MULTISIG_TX, 0, BIP143_P2WSH_MULTISIG_SCRIPT,
     987'654'321, 0x83, "511e8e52ed574121fc1b654970395502128263f62662e076dc6baf05c2e6a99b"},
    {"no FindAndDelete, CHECKSIGVERIFY", BIP143_NO_FINDANDDELETE_TX, 0,
     "ad4830450220487fb382c4974de3f7d834c1b617fe15860828c7f96454490edd6d891556dcc9022100baf95feb48f"
     "845d5bfc9882eb6ae"
     "efa1bc3790e39f59eaa46ff7f15ae626c53e01",
     200'000, 1, "71c9cd9b2869b9c70b01b1f0360c148f42dee72297db312638df136f43311f23"},
    {"no FindAndDelete, CHECKMULTISIGVERIFY", BIP143_NO_FINDANDDELETE_MULTISIG_TX, 0,
     "52af4830450220487fb382c4974de3f7d834c1b617fe15860828c7f96454490edd6d891556dcc9022100baf95feb4"
     "8f845d5bfc9882eb6"
     "aeefa1bc3790e39f59eaa46ff7f15ae626c53e0148304502205286f726690b2e9b0207f0345711e63fa7012045b9e"
     "b0f19c2458ce1db90"
     "cf43022100e89f17f86abc5b149eba4115d4f128bcf45d77fb3ecdd34f594091340c0395960175",
     200'000, 1, "c1628a1e7c67f14ca0c27c06e4fdeec2e6d1a73c7a91d7c046ff83e835aebb72"},
};

class Bip143Test : public testing::TestWithParam<Bip143Case>
{};

TEST_P(Bip143Test, SignatureHash)
{
    const Bip143Case& c = GetParam();
    const auto tx = TxFromHex(c.tx);
    const Script script_code = ScriptFromHex(c.script_code);

    const Uint256 uncached =
        SignatureHash(script_code, *tx, c.n_in, c.hash_type, c.amount, SigVersion::WITNESS_V0);
    EXPECT_EQ(RawHex(uncached), c.sighash);

    PrecomputedTxData cache;
    cache.Init(*tx, {}, /*force=*/true);
    ASSERT_TRUE(cache.bip143_ready);
    EXPECT_FALSE(cache.bip341_ready); // spent outputs unknown
    const Uint256 cached = SignatureHash(script_code, *tx, c.n_in, c.hash_type, c.amount,
                                         SigVersion::WITNESS_V0, &cache);
    EXPECT_EQ(RawHex(cached), c.sighash);

    // The amount is committed (BIP143's fix for offline signers).
    EXPECT_NE(
        SignatureHash(script_code, *tx, c.n_in, c.hash_type, c.amount + 1, SigVersion::WITNESS_V0),
        uncached);
}

INSTANTIATE_TEST_SUITE_P(Bip143Examples, Bip143Test, testing::ValuesIn(BIP143_CASES),
                         [](const testing::TestParamInfo<Bip143Case>& info) {
                             std::string name;
                             for (const char* p = info.param.name; *p; ++p) {
                                 name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
                             }
                             return name + "_" + std::to_string(info.index);
                         });

TEST(Sighash, Bip143IntermediateHashes)
{
    const auto tx = TxFromHex(BIP143_CASES[0].tx);
    PrecomputedTxData cache;
    cache.Init(*tx, {}, /*force=*/true);
    ASSERT_TRUE(cache.bip143_ready);
    EXPECT_EQ(RawHex(cache.hash_prevouts),
              "96b827c8483d4e9b96712b6713a7b68d6e8003a781feba36c31143470b4efd37");
    EXPECT_EQ(RawHex(cache.hash_sequence),
              "52b0a642eea2fb7ae638c36f6252b6750293dbe574a806984b8e4d8548339a3b");
    EXPECT_EQ(RawHex(cache.hash_outputs),
              "863ef3e1a92afbfdb97f31ad0fc7683ee943e9abcf2501590ff8f6551f47e5e5");

    const auto multisig = TxFromHex(BIP143_P2WSH_MULTISIG_TX);
    PrecomputedTxData cache2;
    cache2.Init(*multisig, {}, /*force=*/true);
    EXPECT_EQ(RawHex(cache2.hash_prevouts),
              "74afdc312af5183c4198a40ca3c1a275b485496dd3929bca388c4b5e31f7aaa0");
    EXPECT_EQ(RawHex(cache2.hash_sequence),
              "3bb13029ce7b1f559ef5e747fcac439f1455a2ec7c5f09b72290795e70665044");
    EXPECT_EQ(RawHex(cache2.hash_outputs),
              "bc4d309071414bed932f98832b27b4d76dad7e6c1346f487a8fdbb8eb90307cc");
}

TEST(Sighash, PrecomputeDetectsWitnessSpends)
{
    // Unsigned (no witness) and not forced: nothing to precompute.
    const auto unsigned_tx = TxFromHex(BIP143_NO_FINDANDDELETE_TX);
    PrecomputedTxData none;
    none.Init(*unsigned_tx, {});
    EXPECT_FALSE(none.bip143_ready);
    EXPECT_FALSE(none.bip341_ready);
    EXPECT_FALSE(none.spent_outputs_ready);
    // An unready cache falls back to computing on the fly.
    const Bip143Case& c = BIP143_CASES[14];
    EXPECT_EQ(RawHex(SignatureHash(ScriptFromHex(c.script_code), *unsigned_tx, 0, 1, c.amount,
                                   SigVersion::WITNESS_V0, &none)),
              c.sighash);

    // A witness-bearing input with unknown spent outputs counts as v0.
    const auto signed_tx = TxFromHex(BIP143_NO_FINDANDDELETE_MULTISIG_TX);
    PrecomputedTxData v0;
    v0.Init(*signed_tx, {});
    EXPECT_TRUE(v0.bip143_ready);
    EXPECT_FALSE(v0.bip341_ready);
}

// ---- BIP341 wallet vectors ------------------------------------------------

struct KeyPathFixture
{
    TransactionRef unsigned_tx;
    TransactionRef signed_tx;
    std::vector<TxOut> spent;
    nlohmann::json vector;
};

KeyPathFixture LoadKeyPath(size_t index)
{
    const auto data = LoadJson("bips/bip341-wallet-test-vectors.json");
    KeyPathFixture f;
    f.vector = data.at("keyPathSpending").at(index);
    f.unsigned_tx = TxFromHex(f.vector.at("given").at("rawUnsignedTx").get<std::string>());
    f.signed_tx = TxFromHex(f.vector.at("auxiliary").at("fullySignedTx").get<std::string>());
    for (const auto& utxo : f.vector.at("given").at("utxosSpent")) {
        TxOut out;
        out.value = utxo.at("amountSats").get<Amount>();
        out.script_pubkey = ScriptFromHex(utxo.at("scriptPubKey").get<std::string>());
        f.spent.push_back(out);
    }
    return f;
}

ScriptExecutionData KeyPathExecData()
{
    ScriptExecutionData execdata;
    execdata.annex_init = true;
    execdata.annex_present = false;
    return execdata;
}

TEST(Sighash, Bip341KeyPathVectors)
{
    const auto data = LoadJson("bips/bip341-wallet-test-vectors.json");
    const auto& groups = data.at("keyPathSpending");
    ASSERT_GE(groups.size(), 1U);
    size_t checked = 0;
    for (size_t g = 0; g < groups.size(); ++g) {
        SCOPED_TRACE("keyPathSpending[" + std::to_string(g) + "]");
        const KeyPathFixture f = LoadKeyPath(g);
        ASSERT_EQ(f.spent.size(), f.unsigned_tx->vin.size());

        // The unsigned transaction has no witnesses, so only force makes the data ready.
        PrecomputedTxData cache;
        cache.Init(*f.unsigned_tx, f.spent, /*force=*/true);
        ASSERT_TRUE(cache.bip341_ready);
        ASSERT_TRUE(cache.spent_outputs_ready);
        const auto& inter = f.vector.at("intermediary");
        EXPECT_EQ(RawHex(cache.sha_amounts), inter.at("hashAmounts").get<std::string>());
        EXPECT_EQ(RawHex(cache.sha_outputs), inter.at("hashOutputs").get<std::string>());
        EXPECT_EQ(RawHex(cache.sha_prevouts), inter.at("hashPrevouts").get<std::string>());
        EXPECT_EQ(RawHex(cache.sha_script_pubkeys),
                  inter.at("hashScriptPubkeys").get<std::string>());
        EXPECT_EQ(RawHex(cache.sha_sequences), inter.at("hashSequences").get<std::string>());

        // The signed transaction triggers precomputation by itself (taproot
        // and v0 witnesses both present), and its witnesses are not committed.
        PrecomputedTxData auto_cache;
        auto_cache.Init(*f.signed_tx, f.spent);
        EXPECT_TRUE(auto_cache.bip341_ready);
        EXPECT_TRUE(auto_cache.bip143_ready);

        for (const auto& input : f.vector.at("inputSpending")) {
            const auto n_in = input.at("given").at("txinIndex").get<unsigned>();
            const auto hash_type = input.at("given").at("hashType").get<uint8_t>();
            const auto expected = input.at("intermediary").at("sigHash").get<std::string>();
            const auto sig_msg = Hex(input.at("intermediary").at("sigMsg").get<std::string>());
            SCOPED_TRACE("txinIndex " + std::to_string(n_in) + " hashType " +
                         std::to_string(hash_type));

            // The vector's own message and hash must agree (guards the data).
            EXPECT_EQ(RawHex(TaggedHash("TapSighash", sig_msg)), expected);

            Uint256 got;
            ASSERT_TRUE(SignatureHashSchnorr(got, KeyPathExecData(), *f.unsigned_tx, n_in,
                                             hash_type, SigVersion::TAPROOT, cache));
            EXPECT_EQ(RawHex(got), expected);

            Uint256 from_signed;
            ASSERT_TRUE(SignatureHashSchnorr(from_signed, KeyPathExecData(), *f.signed_tx, n_in,
                                             hash_type, SigVersion::TAPROOT, auto_cache));
            EXPECT_EQ(RawHex(from_signed), expected);
            ++checked;
        }
    }
    EXPECT_GE(checked, 7U);
}

// BIP341 extension rules checked against messages derived from the vectors:
// for a hash type that commits to all inputs and not to a single output, the
// message ends with spend_type (1 byte) and input_index (4 bytes); an annex
// hash follows the index and BIP342 appends tapleaf_hash, key_version and
// codeseparator_pos.
TEST(Sighash, Bip341AnnexAndTapscriptExtensions)
{
    const KeyPathFixture f = LoadKeyPath(0);
    PrecomputedTxData cache;
    cache.Init(*f.unsigned_tx, f.spent, /*force=*/true);
    ASSERT_TRUE(cache.bip341_ready);

    Uint256 annex_hash;
    Uint256 leaf_hash;
    for (size_t i = 0; i < 32; ++i) {
        annex_hash.data()[i] = static_cast<uint8_t>(0xa0 + i);
        leaf_hash.data()[i] = static_cast<uint8_t>(0x10 + i);
    }
    const uint32_t codesep_pos = 0x01020304;

    size_t derived = 0;
    for (const auto& input : f.vector.at("inputSpending")) {
        const auto n_in = input.at("given").at("txinIndex").get<unsigned>();
        const auto hash_type = input.at("given").at("hashType").get<uint8_t>();
        if ((hash_type & SIGHASH_ANYONECANPAY) ||
            (hash_type & SIGHASH_OUTPUT_MASK) == SIGHASH_SINGLE)
            continue;
        SCOPED_TRACE("txinIndex " + std::to_string(n_in));
        const auto key_msg = Hex(input.at("intermediary").at("sigMsg").get<std::string>());
        const size_t spend_type_pos = key_msg.size() - 5;
        ASSERT_EQ(key_msg[spend_type_pos], 0);

        for (bool annex : {false, true}) {
            for (bool tapscript : {false, true}) {
                std::vector<uint8_t> msg = key_msg;
                msg.at(spend_type_pos) =
                    static_cast<uint8_t>((tapscript ? 2 : 0) | (annex ? 1 : 0));
                if (annex) msg.insert(msg.end(), annex_hash.begin(), annex_hash.end());
                if (tapscript) {
                    msg.insert(msg.end(), leaf_hash.begin(), leaf_hash.end());
                    msg.push_back(0); // key_version
                    for (int b = 0; b < 4; ++b)
                        msg.push_back(static_cast<uint8_t>(codesep_pos >> (8 * b)));
                }

                ScriptExecutionData execdata = KeyPathExecData();
                execdata.annex_present = annex;
                execdata.annex_hash = annex_hash;
                execdata.tapleaf_hash_init = true;
                execdata.tapleaf_hash = leaf_hash;
                execdata.codeseparator_pos_init = true;
                execdata.codeseparator_pos = codesep_pos;

                Uint256 got;
                ASSERT_TRUE(SignatureHashSchnorr(
                    got, execdata, *f.unsigned_tx, n_in, hash_type,
                    tapscript ? SigVersion::TAPSCRIPT : SigVersion::TAPROOT, cache));
                EXPECT_EQ(got, TaggedHash("TapSighash", msg))
                    << "annex " << annex << " tapscript " << tapscript;
                ++derived;
            }
        }
    }
    EXPECT_GE(derived, 12U);
}

TEST(Sighash, SchnorrRejectsUndefinedHashTypes)
{
    const KeyPathFixture f = LoadKeyPath(0);
    PrecomputedTxData cache;
    cache.Init(*f.unsigned_tx, f.spent, /*force=*/true);
    ASSERT_TRUE(cache.bip341_ready);

    for (int t = 0; t < 256; ++t) {
        const bool defined = t <= 0x03 || (t >= 0x81 && t <= 0x83);
        Uint256 out;
        EXPECT_EQ(SignatureHashSchnorr(out, KeyPathExecData(), *f.unsigned_tx, 0,
                                       static_cast<uint8_t>(t), SigVersion::TAPROOT, cache),
                  defined)
            << "hash type 0x" << std::hex << t;
    }
    Uint256 out;
    for (uint8_t t : {0x04, 0x84, 0x7f, 0x80, 0x20, 0x41, 0xff}) {
        EXPECT_FALSE(SignatureHashSchnorr(out, KeyPathExecData(), *f.unsigned_tx, 0, t,
                                          SigVersion::TAPROOT, cache));
    }
}

TEST(Sighash, SchnorrSingleWithoutOutput)
{
    const KeyPathFixture f = LoadKeyPath(0);
    PrecomputedTxData cache;
    cache.Init(*f.unsigned_tx, f.spent, /*force=*/true);
    const unsigned n_outputs = static_cast<unsigned>(f.unsigned_tx->vout.size());
    ASSERT_LT(n_outputs, f.unsigned_tx->vin.size());

    Uint256 out;
    EXPECT_TRUE(SignatureHashSchnorr(out, KeyPathExecData(), *f.unsigned_tx, n_outputs - 1,
                                     SIGHASH_SINGLE, SigVersion::TAPROOT, cache));
    for (uint8_t t : {0x03, 0x83}) {
        EXPECT_FALSE(SignatureHashSchnorr(out, KeyPathExecData(), *f.unsigned_tx, n_outputs, t,
                                          SigVersion::TAPROOT, cache));
    }
    // Other types are fine on that input.
    EXPECT_TRUE(SignatureHashSchnorr(out, KeyPathExecData(), *f.unsigned_tx, n_outputs, SIGHASH_ALL,
                                     SigVersion::TAPROOT, cache));
}

TEST(Sighash, SchnorrNeedsReadyData)
{
    const KeyPathFixture f = LoadKeyPath(0);
    Uint256 out;

    PrecomputedTxData empty;
    EXPECT_FALSE(SignatureHashSchnorr(out, KeyPathExecData(), *f.unsigned_tx, 0, 0,
                                      SigVersion::TAPROOT, empty));

    // Spent outputs known, but no witness and no force: BIP341 data not computed.
    PrecomputedTxData lazy;
    lazy.Init(*f.unsigned_tx, f.spent);
    EXPECT_TRUE(lazy.spent_outputs_ready);
    EXPECT_FALSE(lazy.bip341_ready);
    EXPECT_FALSE(SignatureHashSchnorr(out, KeyPathExecData(), *f.unsigned_tx, 0, 0,
                                      SigVersion::TAPROOT, lazy));

    // Spent outputs unknown even when forced.
    PrecomputedTxData unknown;
    unknown.Init(*f.unsigned_tx, {}, /*force=*/true);
    EXPECT_TRUE(unknown.bip143_ready);
    EXPECT_FALSE(unknown.bip341_ready);
    EXPECT_FALSE(SignatureHashSchnorr(out, KeyPathExecData(), *f.unsigned_tx, 0, 0,
                                      SigVersion::TAPROOT, unknown));

    // A spent-output list of the wrong length is treated as unknown.
    PrecomputedTxData short_list;
    std::vector<TxOut> fewer(f.spent.begin(), f.spent.end() - 1);
    short_list.Init(*f.unsigned_tx, fewer, /*force=*/true);
    EXPECT_FALSE(short_list.spent_outputs_ready);
    EXPECT_FALSE(short_list.bip341_ready);

    PrecomputedTxData ready;
    ready.Init(*f.unsigned_tx, f.spent, /*force=*/true);
    ASSERT_TRUE(SignatureHashSchnorr(out, KeyPathExecData(), *f.unsigned_tx, 0, 0,
                                     SigVersion::TAPROOT, ready));
    // Re-initialising resets the previous state.
    ready.Init(*f.unsigned_tx, {});
    EXPECT_FALSE(ready.bip341_ready);
    EXPECT_FALSE(ready.spent_outputs_ready);
}

TEST(Sighash, SchnorrRejectsMisuse)
{
    const KeyPathFixture f = LoadKeyPath(0);
    PrecomputedTxData cache;
    cache.Init(*f.unsigned_tx, f.spent, /*force=*/true);
    Uint256 out;

    // Input index out of range.
    EXPECT_FALSE(SignatureHashSchnorr(out, KeyPathExecData(), *f.unsigned_tx,
                                      static_cast<unsigned>(f.unsigned_tx->vin.size()), 0,
                                      SigVersion::TAPROOT, cache));
    // Not a Schnorr sigversion.
    EXPECT_FALSE(SignatureHashSchnorr(out, KeyPathExecData(), *f.unsigned_tx, 0, 0,
                                      SigVersion::BASE, cache));
    EXPECT_FALSE(SignatureHashSchnorr(out, KeyPathExecData(), *f.unsigned_tx, 0, 0,
                                      SigVersion::WITNESS_V0, cache));
    // Annex state must have been determined.
    EXPECT_FALSE(SignatureHashSchnorr(out, ScriptExecutionData{}, *f.unsigned_tx, 0, 0,
                                      SigVersion::TAPROOT, cache));
    // Tapscript needs the leaf hash and code separator position.
    ScriptExecutionData execdata = KeyPathExecData();
    EXPECT_FALSE(
        SignatureHashSchnorr(out, execdata, *f.unsigned_tx, 0, 0, SigVersion::TAPSCRIPT, cache));
    execdata.tapleaf_hash_init = true;
    EXPECT_FALSE(
        SignatureHashSchnorr(out, execdata, *f.unsigned_tx, 0, 0, SigVersion::TAPSCRIPT, cache));
    execdata.codeseparator_pos_init = true;
    EXPECT_TRUE(
        SignatureHashSchnorr(out, execdata, *f.unsigned_tx, 0, 0, SigVersion::TAPSCRIPT, cache));
}

} // namespace
