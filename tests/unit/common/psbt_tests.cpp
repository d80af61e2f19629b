// PSBT codec and roles against every vector of BIP174's Test Vectors section
// (tests/data/common/psbt/bip174_vectors.json), plus edge cases of our own.
#include "test_data.h"

#include <common/psbt.h>
#include <common/sign.h>
#include <consensus/crypto/key.h>
#include <consensus/hash.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/sighash.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using common::Psbt;

const nlohmann::json& Vectors()
{
    static const nlohmann::json vectors = common_test::LoadJson("psbt/bip174_vectors.json");
    return vectors;
}

std::vector<uint8_t> Hex(const std::string& hex)
{
    auto bytes = util::TryParseHex(hex);
    if (!bytes) throw std::runtime_error("bad hex in test: " + hex);
    return *bytes;
}

Psbt MustDecode(const std::string& hex)
{
    auto psbt = common::DecodePsbt(Hex(hex));
    if (!psbt) throw std::runtime_error("decode failed: " + psbt.error().message);
    return std::move(psbt).value();
}

const std::string& RoleHex(const char* name)
{
    return Vectors().at("roles").at(name).at("hex").get_ref<const std::string&>();
}

TEST(PsbtVectors, FileHasEveryCase)
{
    EXPECT_EQ(Vectors().at("invalid").size(), 20u);
    EXPECT_EQ(Vectors().at("valid").size(), 10u);
    EXPECT_EQ(Vectors().at("valid_fails_signer_checks").size(), 4u);
    EXPECT_EQ(Vectors().at("roles").size(), 11u);
}

TEST(PsbtVectors, InvalidOnesFailToDecode)
{
    for (const auto& c : Vectors().at("invalid")) {
        const std::string name = c.at("name");
        EXPECT_FALSE(common::DecodePsbt(Hex(c.at("hex"))).has_value()) << name;
        const auto from_b64 = common::DecodePsbtBase64(c.at("base64").get<std::string>());
        ASSERT_FALSE(from_b64.has_value()) << name;
        // The text was valid base64, so the failure must come from the PSBT rules.
        EXPECT_NE(from_b64.error().message, "invalid base64") << name;
    }
}

void ExpectRoundTrip(const std::string& name, const std::string& hex, const std::string& b64)
{
    const auto bytes = Hex(hex);
    const auto psbt = common::DecodePsbt(bytes);
    ASSERT_TRUE(psbt.has_value()) << name << ": " << psbt.error().message;
    EXPECT_EQ(util::HexStr(common::EncodePsbt(*psbt)), hex) << name;
    if (!b64.empty()) {
        const auto from_b64 = common::DecodePsbtBase64(b64);
        ASSERT_TRUE(from_b64.has_value()) << name << ": " << from_b64.error().message;
        EXPECT_EQ(common::EncodePsbtBase64(*from_b64), b64) << name;
    }
}

TEST(PsbtVectors, ValidOnesDecodeAndReencodeByteIdentically)
{
    size_t n = 0;
    for (const char* group : {"valid", "valid_fails_signer_checks"}) {
        for (const auto& c : Vectors().at(group)) {
            ExpectRoundTrip(c.at("name"), c.at("hex"), c.at("base64"));
            ++n;
        }
    }
    EXPECT_EQ(n, 14u);
}

TEST(PsbtVectors, RoleWalkthroughPsbtsRoundTrip)
{
    for (const auto& [name, c] : Vectors().at("roles").items()) {
        if (name == "extracted_tx") continue; // a network transaction, not a PSBT
        ExpectRoundTrip(name, c.at("hex"), c.value("base64", ""));
    }
}

TEST(PsbtVectors, ExtractedTransactionIsNotAPsbt)
{
    const auto r = common::DecodePsbt(Hex(RoleHex("extracted_tx")));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "PSBT decode failed Invalid PSBT magic bytes");
}

TEST(PsbtVectors, DecodedFieldsMatchTheBipText)
{
    // The BIP's creator PSBT spends 75ddab...:0 and 1dea7c...:1 into two P2WPKH outputs.
    const Psbt creator = MustDecode(RoleHex("creator"));
    ASSERT_EQ(creator.tx.vin.size(), 2u);
    EXPECT_EQ(creator.tx.vin[0].prevout.hash.GetHex(),
              "75ddabb27b8845f5247975c8a5ba7c6f336c4570708ebe230caf6db5217ae858");
    EXPECT_EQ(creator.tx.vin[1].prevout.n, 1u);
    ASSERT_EQ(creator.tx.vout.size(), 2u);
    EXPECT_EQ(creator.tx.vout[0].value, 149990000);
    EXPECT_EQ(creator.tx.vout[1].value, 100000000);
    EXPECT_EQ(creator.inputs.size(), 2u);
    EXPECT_EQ(creator.outputs.size(), 2u);

    // The updater added the keypaths m/0'/0'/4' and m/0'/0'/5' to the outputs.
    const Psbt updated = MustDecode(RoleHex("updater"));
    const auto& derivs = updated.outputs[0].bip32_derivs;
    ASSERT_EQ(derivs.size(), 1u);
    EXPECT_EQ(util::HexStr(derivs.begin()->first),
              "03a9a4c37f5996d3aa25dbac6b570af0650394492942460b354753ed9eeca58771");
    EXPECT_EQ(derivs.begin()->second.path,
              (std::vector<uint32_t>{0x80000000, 0x80000000, 0x80000004}));
    EXPECT_EQ(util::HexStr(derivs.begin()->second.fingerprint), "d90c6a4f");
    EXPECT_TRUE(updated.inputs[0].non_witness_utxo);
    EXPECT_TRUE(updated.inputs[1].witness_utxo.has_value());
    EXPECT_EQ(updated.inputs[1].witness_utxo->value, 200000000);

    // After the SIGHASH_ALL updater every input names sighash type 1.
    const Psbt with_sighash = MustDecode(RoleHex("updater_sighash"));
    for (const auto& in : with_sighash.inputs)
        EXPECT_EQ(in.sighash_type, 1);
}

TEST(PsbtCombine, BipCombinerExample)
{
    const std::vector<Psbt> parts{MustDecode(RoleHex("signer1")), MustDecode(RoleHex("signer2"))};
    const auto combined = common::CombinePsbts(parts);
    ASSERT_TRUE(combined.has_value()) << combined.error().message;
    EXPECT_EQ(util::HexStr(common::EncodePsbt(*combined)), RoleHex("combined"));
    // Order of the arguments does not change the result here (no conflicting fields).
    const std::vector<Psbt> reversed{parts[1], parts[0]};
    EXPECT_EQ(util::HexStr(common::EncodePsbt(*common::CombinePsbts(reversed))),
              RoleHex("combined"));
}

TEST(PsbtCombine, BipUnknownKeysExampleSortsLexicographically)
{
    const std::vector<Psbt> parts{MustDecode(RoleHex("unknown_a")),
                                  MustDecode(RoleHex("unknown_b"))};
    const auto combined = common::CombinePsbts(parts);
    ASSERT_TRUE(combined.has_value());
    EXPECT_EQ(util::HexStr(common::EncodePsbt(*combined)), RoleHex("unknown_combined"));
}

TEST(PsbtCombine, DifferentTransactionsAreRejectedWithCoresMessage)
{
    const std::vector<Psbt> parts{MustDecode(RoleHex("signer1")), MustDecode(RoleHex("unknown_a"))};
    const auto r = common::CombinePsbts(parts);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "PSBTs not compatible (different transactions)");
    EXPECT_FALSE(common::CombinePsbts(std::span<const Psbt>{}).has_value());
}

TEST(PsbtCombine, SingleValuedFieldsKeepTheFirst)
{
    Psbt a = MustDecode(RoleHex("creator"));
    Psbt b = a;
    a.inputs[0].redeem_script = consensus::Script{std::vector<uint8_t>{0x51}};
    b.inputs[0].redeem_script = consensus::Script{std::vector<uint8_t>{0x52}};
    b.inputs[1].witness_script = consensus::Script{std::vector<uint8_t>{0x53}};
    const std::vector<Psbt> parts{a, b};
    const auto r = common::CombinePsbts(parts);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->inputs[0].redeem_script.bytes(), std::vector<uint8_t>{0x51});
    EXPECT_EQ(r->inputs[1].witness_script.bytes(), std::vector<uint8_t>{0x53});
}

TEST(PsbtFinalize, BipFinalizerAndExtractorExample)
{
    Psbt psbt = MustDecode(RoleHex("combined"));
    EXPECT_FALSE(common::IsComplete(psbt));
    EXPECT_EQ(common::CountUnfinalizedInputs(psbt), 2u);
    EXPECT_FALSE(common::ExtractTransaction(psbt).has_value());
    EXPECT_TRUE(common::FinalizePsbt(psbt));
    EXPECT_TRUE(common::IsComplete(psbt));
    EXPECT_EQ(util::HexStr(common::EncodePsbt(psbt)), RoleHex("finalized"));
    const auto tx = common::ExtractTransaction(psbt);
    ASSERT_TRUE(tx.has_value());
    EXPECT_EQ(util::HexStr(consensus::Encode(*tx)), RoleHex("extracted_tx"));
}

TEST(PsbtFinalize, OneSignatureOfTwoIsNotEnough)
{
    Psbt psbt = MustDecode(RoleHex("signer1"));
    const auto before = common::EncodePsbt(psbt);
    EXPECT_FALSE(common::FinalizePsbt(psbt));
    EXPECT_EQ(common::EncodePsbt(psbt), before);
}

TEST(PsbtFinalize, SighashMismatchBlocksFinalizing)
{
    Psbt psbt = MustDecode(RoleHex("combined"));
    psbt.inputs[0].sighash_type = 2; // the signatures use SIGHASH_ALL
    EXPECT_FALSE(common::FinalizePsbt(psbt));
    EXPECT_FALSE(common::PsbtInputFinalized(psbt.inputs[0]));
    EXPECT_TRUE(common::PsbtInputFinalized(psbt.inputs[1]));
}

// Signs one input of each single-key type with sign.h, moves only the signatures into the
// PSBT, and checks the finalizer rebuilds the standard unlocking data, which then verifies.
TEST(PsbtFinalize, SingleKeyTypesAndTaprootKeyPath)
{
    using consensus::Opcode;
    using consensus::Script;
    auto key_from = [](uint8_t fill) {
        std::array<uint8_t, 32> secret{};
        secret.fill(fill);
        return *consensus::PrivKey::FromBytes(secret);
    };
    const consensus::PrivKey k_pkh = key_from(1), k_wpkh = key_from(2), k_shwpkh = key_from(3),
                             k_tr = key_from(4);
    auto hash160 = [](const consensus::PrivKey& k) {
        const auto h = consensus::Hash160(k.GetPubKey());
        return std::vector<uint8_t>(h.begin(), h.end());
    };
    const Script p2wpkh_inner = Script{} << consensus::OP_0 << hash160(k_shwpkh);
    const auto inner_hash = consensus::Hash160(p2wpkh_inner.span());
    const auto tr_output = k_tr.GetXOnlyPubKey().CreateTapTweak(nullptr)->first.bytes();

    consensus::MutableTransaction funding;
    funding.vin.resize(1);
    funding.vin[0].prevout.n = 7;
    const std::vector<Script> spks{
        Script{} << consensus::OP_DUP << consensus::OP_HASH160 << hash160(k_pkh)
                 << consensus::OP_EQUALVERIFY << consensus::OP_CHECKSIG,
        Script{} << consensus::OP_0 << hash160(k_wpkh),
        Script{} << consensus::OP_HASH160
                 << std::vector<uint8_t>(inner_hash.begin(), inner_hash.end())
                 << consensus::OP_EQUAL,
        Script{} << consensus::OP_1 << std::vector<uint8_t>(tr_output.begin(), tr_output.end()),
    };
    for (size_t i = 0; i < spks.size(); ++i)
        funding.vout.push_back(
            consensus::TxOut{static_cast<consensus::Amount>(100000 * (i + 1)), spks[i]});
    const auto funding_ref = consensus::MakeTransactionRef(funding);

    consensus::MutableTransaction spend;
    for (uint32_t i = 0; i < 4; ++i) {
        spend.vin.emplace_back();
        spend.vin.back().prevout = consensus::OutPoint{funding_ref->GetHash(), i};
    }
    spend.vout.push_back(consensus::TxOut{90000, Script{} << consensus::OP_1});
    auto created = common::CreatePsbt(spend);
    ASSERT_TRUE(created.has_value());
    Psbt psbt = *created;
    psbt.inputs[0].non_witness_utxo = funding_ref;
    for (size_t i = 1; i < 4; ++i)
        psbt.inputs[i].witness_utxo = funding.vout[i];
    psbt.inputs[2].redeem_script = p2wpkh_inner;

    // Independent signatures from sign.h with the keys.
    const consensus::Transaction tx{spend};
    consensus::PrecomputedTxData txdata;
    txdata.Init(tx, funding.vout, true);
    common::SigningProvider provider;
    for (const auto* k : {&k_pkh, &k_wpkh, &k_shwpkh, &k_tr})
        provider.AddKey(*k);
    std::vector<common::SignedInput> expected;
    for (unsigned i = 0; i < 4; ++i) {
        expected.push_back(common::SignInput(tx, i, funding.vout[i], consensus::SIGHASH_DEFAULT,
                                             txdata, provider, {}));
        ASSERT_TRUE(expected.back().complete) << i;
    }
    // P2PKH scriptSig is <sig> <pubkey>: take the first push.
    std::vector<uint8_t> pkh_sig;
    consensus::Opcode op;
    auto pc = expected[0].script_sig.begin();
    ASSERT_TRUE(expected[0].script_sig.GetOp(pc, op, &pkh_sig));
    psbt.inputs[0].partial_sigs[k_pkh.GetPubKey()] = pkh_sig;
    psbt.inputs[1].partial_sigs[k_wpkh.GetPubKey()] = expected[1].witness.stack.at(0);
    psbt.inputs[2].partial_sigs[k_shwpkh.GetPubKey()] = expected[2].witness.stack.at(0);
    psbt.inputs[3].tap_key_sig = expected[3].witness.stack.at(0);
    ASSERT_EQ(psbt.inputs[3].tap_key_sig.size(), 64u);
    for (auto& in : psbt.inputs)
        in.unknown[{0xf0}] = {0x01};

    // Round trip through bytes first, as a PSBT passed between parties would.
    auto decoded = common::DecodePsbt(common::EncodePsbt(psbt));
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    psbt = *decoded;
    EXPECT_TRUE(common::FinalizePsbt(psbt));

    // The standard shapes, built here by hand.
    EXPECT_EQ(psbt.inputs[0].final_script_sig, Script{} << pkh_sig << k_pkh.GetPubKey());
    EXPECT_TRUE(psbt.inputs[0].final_script_witness.IsNull());
    EXPECT_TRUE(psbt.inputs[1].final_script_sig.empty());
    EXPECT_EQ(psbt.inputs[1].final_script_witness.stack,
              (std::vector<std::vector<uint8_t>>{psbt.inputs[1].final_script_witness.stack.at(0),
                                                 k_wpkh.GetPubKey()}));
    EXPECT_EQ(psbt.inputs[2].final_script_sig, Script{} << p2wpkh_inner.bytes());
    EXPECT_EQ(psbt.inputs[2].final_script_witness.stack.at(1), k_shwpkh.GetPubKey());
    EXPECT_EQ(psbt.inputs[3].final_script_witness.stack,
              (std::vector<std::vector<uint8_t>>{expected[3].witness.stack.at(0)}));
    for (const auto& in : psbt.inputs) {
        EXPECT_TRUE(in.partial_sigs.empty());
        EXPECT_TRUE(in.redeem_script.empty());
        EXPECT_TRUE(in.tap_key_sig.empty());
        EXPECT_EQ(in.unknown.size(), 1u); // unknown records survive finalizing
    }
    EXPECT_TRUE(psbt.inputs[0].non_witness_utxo);
    EXPECT_TRUE(psbt.inputs[3].witness_utxo.has_value());

    const auto signed_tx = common::ExtractTransaction(psbt);
    ASSERT_TRUE(signed_tx.has_value());
    const consensus::Transaction final_tx{*signed_tx};
    consensus::PrecomputedTxData final_data;
    final_data.Init(final_tx, funding.vout, true);
    for (unsigned i = 0; i < 4; ++i) {
        const consensus::TransactionSignatureChecker checker{&final_tx, i, funding.vout[i].value,
                                                             final_data};
        EXPECT_TRUE(consensus::VerifyScript(final_tx.vin[i].script_sig,
                                            funding.vout[i].script_pubkey, &final_tx.vin[i].witness,
                                            common::STANDARD_SCRIPT_VERIFY_FLAGS, checker))
            << i;
    }
}

TEST(PsbtFinalize, WrongSignatureIsNotFinalized)
{
    Psbt psbt = MustDecode(RoleHex("combined"));
    // Swap the two signatures of input 0 between its keys: both still parse, neither verifies.
    auto& sigs = psbt.inputs[0].partial_sigs;
    ASSERT_EQ(sigs.size(), 2u);
    auto first = sigs.begin();
    auto second = std::next(first);
    std::swap(first->second, second->second);
    EXPECT_FALSE(common::FinalizePsbt(psbt));
    EXPECT_FALSE(common::PsbtInputFinalized(psbt.inputs[0]));
    EXPECT_TRUE(common::PsbtInputFinalized(psbt.inputs[1]));
}

TEST(PsbtCodec, EveryTruncationFailsCleanly)
{
    for (const char* name : {"combined", "unknown_combined"}) {
        const auto bytes = Hex(RoleHex(name));
        for (size_t len = 0; len < bytes.size(); ++len) {
            EXPECT_FALSE(common::DecodePsbt(std::span<const uint8_t>{bytes}.first(len)).has_value())
                << name << " prefix " << len;
        }
    }
}

TEST(PsbtCodec, CorruptedBytesNeverEscapeAsExceptions)
{
    // Every single-byte corruption of a PSBT with all kinds of records either fails as a
    // value or decodes into something that encodes and decodes again to the same bytes.
    const auto bytes = Hex(RoleHex("combined"));
    size_t accepted = 0;
    for (size_t i = 0; i < bytes.size(); ++i) {
        for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
            auto mutated = bytes;
            mutated[i] ^= flip;
            const auto r = common::DecodePsbt(mutated);
            if (!r) continue;
            ++accepted;
            const auto again = common::EncodePsbt(*r);
            const auto r2 = common::DecodePsbt(again);
            ASSERT_TRUE(r2.has_value()) << "byte " << i << ": " << r2.error().message;
            EXPECT_EQ(common::EncodePsbt(*r2), again) << "byte " << i;
        }
    }
    // Flips inside signatures' R/S values and the like still decode.
    EXPECT_GT(accepted, 0u);
}

TEST(PsbtCodec, TrailingBytesAreRejected)
{
    auto bytes = Hex(RoleHex("creator"));
    bytes.push_back(0x00);
    const auto r = common::DecodePsbt(bytes);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "extra data after PSBT");
}

// A minimal PSBT: one input, one output, then the given global records before the separator.
std::vector<uint8_t> MinimalPsbt(const std::string& extra_global_hex,
                                 const std::string& input_hex = "00",
                                 const std::string& output_hex = "00")
{
    const std::string tx = "0200000001" + std::string(64, 'a') + "00000000" + "00" + "ffffffff" +
                           "01" + "0000000000000000" + "01" + "51" + "00000000";
    const std::string tx_len =
        util::HexStr(std::vector<uint8_t>{static_cast<uint8_t>(tx.size() / 2)});
    return Hex("70736274ff"
               "0100" +
               tx_len + tx + extra_global_hex + "00" + input_hex + output_hex);
}

// A valid compressed key from the BIP's updater example.
const std::string VALID_PUBKEY =
    "03a9a4c37f5996d3aa25dbac6b570af0650394492942460b354753ed9eeca58771";

TEST(PsbtCodec, MinimalPsbtDecodesAndRoundTrips)
{
    const auto bytes = MinimalPsbt("");
    const auto psbt = common::DecodePsbt(bytes);
    ASSERT_TRUE(psbt.has_value()) << psbt.error().message;
    EXPECT_EQ(common::EncodePsbt(*psbt), bytes);
}

TEST(PsbtCodec, RuleViolationsAreRejected)
{
    struct Case
    {
        const char* what;
        std::vector<uint8_t> bytes;
        const char* expect; // part of the error message
    };
    const std::vector<Case> cases{
        {"duplicate global unknown key",
         MinimalPsbt("02f0010101"
                     "02f0010102"),
         "Duplicate Key, global key \"f001\""},
        {"PSBT version 2", MinimalPsbt("01fb0402000000"), "Unsupported version number 2"},
        {"PSBT version 1", MinimalPsbt("01fb0401000000"), "Unsupported version number 1"},
        {"v2-only global tx version", MinimalPsbt("01020402000000"), "not allowed in PSBTv0"},
        {"v2-only input sequence", MinimalPsbt("", "011004ffffffff00"), "not allowed in PSBTv0"},
        {"v2-only output amount", MinimalPsbt("", "00", "0103080000000000000000"),
         "not allowed in PSBTv0"},
        {"sighash value of 3 bytes",
         MinimalPsbt("", "010303010000"
                         "00"),
         "unexpected end of data"},
        {"partial sig with a bad DER signature",
         MinimalPsbt("", "2202" + VALID_PUBKEY + "03300101" + "00"),
         "Signature is not a valid encoding"},
        {"partial sig with an undefined hash type",
         MinimalPsbt("", "2202" + VALID_PUBKEY + "09" + "3006020101020101" + "04" + "00"),
         "Signature is not a valid encoding"},
        {"tap key sig of 63 bytes", MinimalPsbt("", "01133f" + std::string(126, '1') + "00"),
         "shorter than 64 bytes"},
        {"tap tree with one leaf at depth 1", MinimalPsbt("", "00", "01060301c00000"),
         "Output Taproot tree is malformed"},
        {"tap tree with bad leaf version", MinimalPsbt("", "00", "01060300c10000"),
         "invalid leaf version"},
        {"tap internal key of 31 bytes", MinimalPsbt("", "01171f" + std::string(62, '1') + "00"),
         "Size of value was not the stated size"},
        {"proprietary key without subtype", MinimalPsbt("03fc016100"), "unexpected end of data"},
        {"bip32 path not a multiple of 4",
         MinimalPsbt("", "00", "2202" + VALID_PUBKEY + "05d90c6a4f0100"),
         "Invalid length for HD key path"},
        {"bip32 key not on the curve",
         MinimalPsbt("", "00", "220202" + std::string(64, 'f') + "04d90c6a4f00"), "Invalid pubkey"},
        {"wrong magic",
         [] {
             auto b = MinimalPsbt("");
             b[4] = 0xfe;
             return b;
         }(),
         "Invalid PSBT magic bytes"},
        {"missing output map",
         [] {
             auto b = MinimalPsbt("");
             b.pop_back();
             return b;
         }(),
         "Outputs provided does not match"},
    };
    for (const auto& c : cases) {
        const auto r = common::DecodePsbt(c.bytes);
        ASSERT_FALSE(r.has_value()) << c.what;
        EXPECT_NE(r.error().message.find(c.expect), std::string::npos)
            << c.what << ": " << r.error().message;
    }
}

TEST(PsbtCodec, AcceptedOddities)
{
    // An explicit version 0 is accepted (and, as in Core, not written back).
    const auto v0 = common::DecodePsbt(MinimalPsbt("01fb0400000000"));
    ASSERT_TRUE(v0.has_value()) << v0.error().message;
    EXPECT_EQ(common::EncodePsbt(*v0), MinimalPsbt(""));
    // A strict-DER signature with a defined hash type is accepted as a partial signature
    // (the same bytes with hash type 4 are rejected above).
    const auto sig_ok = common::DecodePsbt(
        MinimalPsbt("", "2202" + VALID_PUBKEY + "09" + "3006020101020101" + "01" + "00"));
    ASSERT_TRUE(sig_ok.has_value()) << sig_ok.error().message;
    EXPECT_EQ(sig_ok->inputs[0].partial_sigs.size(), 1u);
    // Unknown and proprietary records survive in every map, sorted by key.
    const auto bytes = MinimalPsbt("02f00201aa"
                                   "02f00101bb"
                                   "04fc0161620100",
                                   "02f10101cc00", "04fc01616201dd00");
    const auto psbt = common::DecodePsbt(bytes);
    ASSERT_TRUE(psbt.has_value()) << psbt.error().message;
    EXPECT_EQ(psbt->unknown.size(), 2u);
    EXPECT_EQ(psbt->proprietary.size(), 1u);
    EXPECT_EQ(psbt->inputs[0].unknown.size(), 1u);
    EXPECT_EQ(psbt->outputs[0].proprietary.size(), 1u);
    EXPECT_EQ(util::HexStr(common::EncodePsbt(*psbt)),
              util::HexStr(MinimalPsbt("04fc0161620100"
                                       "02f00101bb"
                                       "02f00201aa",
                                       "02f10101cc00", "04fc01616201dd00")));
}

TEST(PsbtCodec, NonWitnessUtxoMustMatchTheOutpoint)
{
    // The BIP's updater PSBT with its two inputs' UTXO data swapped: input 0's
    // non-witness UTXO then belongs to another transaction.
    Psbt psbt = MustDecode(RoleHex("updater"));
    Psbt other = MustDecode(RoleHex("creator"));
    other.inputs[1].non_witness_utxo = psbt.inputs[0].non_witness_utxo;
    const auto r = common::DecodePsbt(common::EncodePsbt(other));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message,
              "PSBT decode failed Non-witness UTXO does not match outpoint hash");
}

TEST(PsbtCodec, TaprootFieldsRoundTrip)
{
    // x-only key: the secp256k1 generator's x coordinate (a valid point).
    const auto g = Hex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
    common::PsbtHash32 xonly{};
    std::copy(g.begin(), g.end(), xonly.begin());
    common::PsbtHash32 leaf{};
    leaf.fill(0x11);

    Psbt psbt = MustDecode(RoleHex("creator"));
    auto& in = psbt.inputs[0];
    in.tap_key_sig = std::vector<uint8_t>(64, 0x22);
    in.tap_script_sigs[{xonly, leaf}] = std::vector<uint8_t>(65, 0x33);
    std::vector<uint8_t> control_block(33, 0xc0);
    in.tap_scripts[{Hex("20" + util::HexStr(g) + "ac"), 0xc0}].insert(control_block);
    in.tap_bip32_derivs[xonly] =
        common::TapKeyOrigin{{leaf}, {{0xd9, 0x0c, 0x6a, 0x4f}, {0x80000056, 1}}};
    in.tap_internal_key = xonly;
    in.tap_merkle_root = leaf;
    in.sha256_preimages[std::vector<uint8_t>(32, 0x44)] = {1, 2, 3};
    auto& out = psbt.outputs[1];
    out.tap_internal_key = xonly;
    out.tap_tree = {{1, 0xc0, {0x51}}, {2, 0xc0, {0x52}}, {2, 0xc0, {0x53}}};
    out.tap_bip32_derivs[xonly] = common::TapKeyOrigin{{}, {{1, 2, 3, 4}, {}}};

    const auto bytes = common::EncodePsbt(psbt);
    const auto back = common::DecodePsbt(bytes);
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_EQ(common::EncodePsbt(*back), bytes);
    EXPECT_EQ(back->inputs[0].tap_key_sig, in.tap_key_sig);
    EXPECT_EQ(back->inputs[0].tap_script_sigs, in.tap_script_sigs);
    EXPECT_EQ(back->inputs[0].tap_scripts, in.tap_scripts);
    EXPECT_EQ(back->inputs[0].tap_bip32_derivs, in.tap_bip32_derivs);
    EXPECT_EQ(back->inputs[0].tap_internal_key, in.tap_internal_key);
    EXPECT_EQ(back->inputs[0].tap_merkle_root, in.tap_merkle_root);
    EXPECT_EQ(back->inputs[0].sha256_preimages, in.sha256_preimages);
    EXPECT_EQ(back->outputs[1].tap_tree, out.tap_tree);
    EXPECT_EQ(back->outputs[1].tap_bip32_derivs, out.tap_bip32_derivs);
    // Independent check of one record's bytes: 01 13 | 40 | 64 x 0x22 follows the witness-free
    // input 0 data.
    EXPECT_NE(util::HexStr(bytes).find("011340" + std::string(128, '2')), std::string::npos);
}

TEST(PsbtCodec, CreateRejectsSignedInputs)
{
    Psbt psbt = MustDecode(RoleHex("creator"));
    auto created = common::CreatePsbt(psbt.tx);
    ASSERT_TRUE(created.has_value());
    EXPECT_EQ(util::HexStr(common::EncodePsbt(*created)), RoleHex("creator"));
    auto tx = psbt.tx;
    tx.vin[0].script_sig = consensus::Script{std::vector<uint8_t>{0x51}};
    EXPECT_FALSE(common::CreatePsbt(tx).has_value());
}

TEST(PsbtCodec, RoleNames)
{
    // The BIP's walk-through, step by step.
    EXPECT_EQ(common::NextRole(MustDecode(RoleHex("creator"))), common::PsbtRole::UPDATER);
    EXPECT_EQ(common::NextRole(MustDecode(RoleHex("updater"))), common::PsbtRole::SIGNER);
    EXPECT_EQ(common::NextRole(MustDecode(RoleHex("signer1"))), common::PsbtRole::SIGNER);
    EXPECT_EQ(common::NextRole(MustDecode(RoleHex("combined"))), common::PsbtRole::FINALIZER);
    EXPECT_EQ(common::NextRole(MustDecode(RoleHex("finalized"))), common::PsbtRole::EXTRACTOR);
    EXPECT_EQ(common::PsbtRoleName(common::PsbtRole::SIGNER), "signer");
    EXPECT_EQ(common::PsbtRoleName(common::PsbtRole::CREATOR), "creator");
    EXPECT_EQ(common::PsbtRoleName(common::PsbtRole::EXTRACTOR), "extractor");
}

TEST(Psbt, InvalidBase64IsRejected)
{
    const auto r = common::DecodePsbtBase64("cHNidP8*");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "invalid base64");
}

} // namespace
