// Relay policy (kernel/policy.h) on hand-built transactions: every IsStandardTx reject
// reason with its boundary, dust thresholds against the values Core documents, input and
// witness standardness, script flags and virtual size.
#include <kernel/policy.h>

#include <consensus/script/interpreter.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

using consensus::Coin;
using consensus::MutableTransaction;
using consensus::Script;
using consensus::Transaction;
using consensus::TxIn;
using consensus::TxOut;
using kernel::FeeRate;
using kernel::PolicyOptions;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes Hex(const std::string& hex)
{
    auto bytes = util::TryParseHex(hex);
    EXPECT_TRUE(bytes.has_value()) << hex;
    return bytes.value_or(Bytes{});
}

Script S(const std::string& hex)
{
    return Script{Hex(hex)};
}

std::string Rep(const std::string& byte_hex, size_t count)
{
    std::string out;
    for (size_t i = 0; i < count; ++i)
        out += byte_hex;
    return out;
}

const std::string KEY_C = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
const std::string H20 = "89abcdefabbaabbaabbaabbaabbaabbaabbaabba";
const std::string H32 = "0101010101010101010101010101010101010101010101010101010101010101";

const std::string P2PKH = "76a914" + H20 + "88ac";
const std::string P2SH = "a914" + H20 + "87";
const std::string P2WPKH = "0014" + H20;
const std::string P2WSH = "0020" + H32;
const std::string P2TR = "5120" + H32;
const std::string P2A = "51024e73";
const std::string P2PK = "21" + KEY_C + "ac";
const std::string MULTI_1_OF_1 = "51" + ("21" + KEY_C) + "51ae";

TxOut Out(consensus::Amount value, const std::string& script_hex)
{
    TxOut out;
    out.value = value;
    out.script_pubkey = S(script_hex);
    return out;
}

// Version 2, one input with an empty scriptSig, one P2WPKH output well above dust.
MutableTransaction BaseTx()
{
    MutableTransaction tx;
    tx.version = 2;
    TxIn in;
    in.prevout.hash.data()[0] = 0x42;
    in.prevout.n = 0;
    tx.vin.push_back(in);
    tx.vout.push_back(Out(10'000, P2WPKH));
    return tx;
}

std::optional<std::string> Check(const MutableTransaction& tx, const PolicyOptions& options = {})
{
    return kernel::CheckStandardTx(Transaction{tx}, options);
}

Coin Spent(const std::string& script_hex, consensus::Amount value = 100'000)
{
    Coin coin;
    coin.out = Out(value, script_hex);
    coin.height = 1;
    return coin;
}

// A scriptSig of exactly `size` bytes made of one PUSHDATA2 (3 bytes of header).
Script PushScriptSig(size_t size)
{
    Bytes bytes{consensus::OP_PUSHDATA2, static_cast<uint8_t>((size - 3) & 0xff),
                static_cast<uint8_t>((size - 3) >> 8)};
    bytes.resize(size, 0x5a);
    return Script{bytes};
}

} // namespace

// ---- StandardScriptVerifyFlags ----

TEST(PolicyTest, StandardFlagsAreCoresSet)
{
    const uint32_t flags = kernel::StandardScriptVerifyFlags();
    // Every flag bit 0..20 except SIGPUSHONLY (bit 5), written out independently.
    EXPECT_EQ(flags, 0x1fffdfu);
    EXPECT_EQ(flags & consensus::SCRIPT_VERIFY_SIGPUSHONLY, 0u);
    for (const uint32_t f : {consensus::SCRIPT_VERIFY_P2SH,
                             consensus::SCRIPT_VERIFY_DERSIG,
                             consensus::SCRIPT_VERIFY_NULLDUMMY,
                             consensus::SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY,
                             consensus::SCRIPT_VERIFY_CHECKSEQUENCEVERIFY,
                             consensus::SCRIPT_VERIFY_WITNESS,
                             consensus::SCRIPT_VERIFY_TAPROOT,
                             consensus::SCRIPT_VERIFY_STRICTENC,
                             consensus::SCRIPT_VERIFY_MINIMALDATA,
                             consensus::SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS,
                             consensus::SCRIPT_VERIFY_CLEANSTACK,
                             consensus::SCRIPT_VERIFY_MINIMALIF,
                             consensus::SCRIPT_VERIFY_NULLFAIL,
                             consensus::SCRIPT_VERIFY_LOW_S,
                             consensus::SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM,
                             consensus::SCRIPT_VERIFY_WITNESS_PUBKEYTYPE,
                             consensus::SCRIPT_VERIFY_CONST_SCRIPTCODE,
                             consensus::SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION,
                             consensus::SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS,
                             consensus::SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE}) {
        EXPECT_NE(flags & f, 0u) << consensus::FormatScriptFlags(f);
    }
    EXPECT_TRUE(consensus::IsValidFlagCombination(flags));
}

// ---- Dust ----

TEST(PolicyTest, DustThresholdsMatchCore)
{
    const FeeRate dust{kernel::DUST_RELAY_TX_FEE};
    // Core's documented thresholds at 3000 sat/kvB (policy.cpp comments, wallet docs).
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, P2PKH), dust), 546);
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, P2WPKH), dust), 294);
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, P2SH), dust), 540);
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, P2WSH), dust), 330);
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, P2TR), dust), 330);
    // Hand-computed: P2A 13 + 67 = 80 bytes; P2PK 44 + 148; 1-of-1 multisig 46 + 148.
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, P2A), dust), 240);
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, P2PK), dust), 576);
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, MULTI_1_OF_1), dust), 582);
    // A 300-byte script needs a 3-byte length: 8 + 3 + 300 + 148 = 459 bytes.
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, Rep("61", 300)), dust), 1377);
    // Unspendable outputs have no threshold: OP_RETURN, or a script over 10,000 bytes.
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, "6a04deadbeef"), dust), 0);
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, Rep("61", 10'001)), dust), 0);
}

TEST(PolicyTest, DustThresholdsScaleWithRate)
{
    // Core's comments: 182 and 98 bytes, so at 1000 sat/kvB the thresholds are the sizes.
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, P2PKH), FeeRate{1000}), 182);
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, P2WPKH), FeeRate{1000}), 98);
    // Rounds up: 182 * 3001 / 1000 = 546.182.
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, P2PKH), FeeRate{3001}), 547);
    EXPECT_EQ(kernel::GetDustThreshold(Out(0, P2PKH), FeeRate{0}), 0);
}

TEST(PolicyTest, IsDustBoundary)
{
    const FeeRate dust{kernel::DUST_RELAY_TX_FEE};
    EXPECT_TRUE(kernel::IsDust(Out(545, P2PKH), dust));
    EXPECT_FALSE(kernel::IsDust(Out(546, P2PKH), dust));
    EXPECT_TRUE(kernel::IsDust(Out(293, P2WPKH), dust));
    EXPECT_FALSE(kernel::IsDust(Out(294, P2WPKH), dust));
    EXPECT_FALSE(kernel::IsDust(Out(0, "6a"), dust));
    EXPECT_FALSE(kernel::IsDust(Out(0, P2PKH), FeeRate{0}));
}

// ---- CheckStandardTx ----

TEST(PolicyTest, BaseTransactionIsStandard)
{
    EXPECT_EQ(Check(BaseTx()), std::nullopt);
}

TEST(PolicyTest, Version)
{
    for (const uint32_t v : {1u, 2u, 3u}) {
        auto tx = BaseTx();
        tx.version = v;
        EXPECT_EQ(Check(tx), std::nullopt) << v;
    }
    for (const uint32_t v : {0u, 4u, 0x7fffffffu, 0xffffffffu}) {
        auto tx = BaseTx();
        tx.version = v;
        EXPECT_EQ(Check(tx), "version") << v;
    }
}

TEST(PolicyTest, TxSize)
{
    // Base size 82 bytes; total adds marker+flag (2), item count (1), a 5-byte length and
    // the item, so weight = 82 * 3 + 82 + 8 + L = 336 + L.
    auto tx = BaseTx();
    tx.vin[0].witness.stack.push_back(Bytes(400'000 - 336, 0x01));
    ASSERT_EQ(Transaction{tx}.GetWeight(), 400'000u);
    EXPECT_EQ(Check(tx), std::nullopt);
    tx.vin[0].witness.stack[0].push_back(0x01);
    ASSERT_EQ(Transaction{tx}.GetWeight(), 400'001u);
    EXPECT_EQ(Check(tx), "tx-size");
}

TEST(PolicyTest, ScriptSigSize)
{
    auto tx = BaseTx();
    tx.vin[0].script_sig = PushScriptSig(1650);
    ASSERT_EQ(tx.vin[0].script_sig.size(), 1650u);
    EXPECT_EQ(Check(tx), std::nullopt);
    tx.vin[0].script_sig = PushScriptSig(1651);
    EXPECT_EQ(Check(tx), "scriptsig-size");
    // The second input is checked too.
    tx.vin[0].script_sig = Script{};
    tx.vin.push_back(tx.vin[0]);
    tx.vin[1].prevout.n = 1;
    tx.vin[1].script_sig = PushScriptSig(1651);
    EXPECT_EQ(Check(tx), "scriptsig-size");
}

TEST(PolicyTest, ScriptSigPushOnly)
{
    auto tx = BaseTx();
    for (const std::string& ok :
         std::vector<std::string>{"00", "51", "4f", "0401020304", "4c0101", "60", "50"}) {
        // OP_RESERVED (0x50) passes Core's push-only test.
        tx.vin[0].script_sig = S(ok);
        EXPECT_EQ(Check(tx), std::nullopt) << ok;
    }
    for (const std::string& bad :
         std::vector<std::string>{"61", "76", "0101ac", "6a", "0501", "4c"}) {
        tx.vin[0].script_sig = S(bad);
        EXPECT_EQ(Check(tx), "scriptsig-not-pushonly") << bad;
    }
}

TEST(PolicyTest, ScriptPubKeyTypes)
{
    // Standard output types, each above its dust threshold.
    for (const std::string& ok : std::vector<std::string>{
             P2PKH, P2SH, P2WPKH, P2WSH, P2TR, P2A, P2PK, MULTI_1_OF_1, std::string{"5220"} + H32,
             std::string{"6002abcd"}, std::string{"5328"} + Rep("11", 40)}) {
        auto tx = BaseTx();
        tx.vout[0] = Out(10'000, ok);
        EXPECT_EQ(Check(tx), std::nullopt) << ok;
    }
    for (const std::string& bad : std::vector<std::string>{
             std::string{"51"}, std::string{""}, std::string{"0015"} + H20 + "00",
             std::string{"a820"} + H32 + "87", std::string{"6a76"}}) {
        auto tx = BaseTx();
        tx.vout[0] = Out(10'000, bad);
        EXPECT_EQ(Check(tx), "scriptpubkey") << bad;
    }
}

TEST(PolicyTest, BareMultisigKeyCounts)
{
    const std::string k = "21" + KEY_C;
    auto tx = BaseTx();
    tx.vout[0] = Out(10'000, "53" + k + k + k + "53ae"); // 3-of-3
    EXPECT_EQ(Check(tx), std::nullopt);
    tx.vout[0] = Out(10'000, "51" + k + k + k + "53ae"); // 1-of-3
    EXPECT_EQ(Check(tx), std::nullopt);
    tx.vout[0] = Out(10'000, "51" + k + k + k + k + "54ae"); // 1-of-4
    EXPECT_EQ(Check(tx), "scriptpubkey");
    tx.vout[0] = Out(10'000, "51" + ("21" + ("05" + KEY_C.substr(2))) + "51ae"); // bad key
    EXPECT_EQ(Check(tx), "scriptpubkey");
}

TEST(PolicyTest, BareMultisigPermission)
{
    auto tx = BaseTx();
    tx.vout[0] = Out(10'000, MULTI_1_OF_1);
    PolicyOptions options;
    options.permit_bare_multisig = false;
    EXPECT_EQ(Check(tx, options), "bare-multisig");
    options.permit_bare_multisig = true;
    EXPECT_EQ(Check(tx, options), std::nullopt);
    // A P2SH-wrapped multisig is not bare.
    options.permit_bare_multisig = false;
    tx.vout[0] = Out(10'000, P2SH);
    EXPECT_EQ(Check(tx, options), std::nullopt);
}

TEST(PolicyTest, NullDataLimits)
{
    auto tx = BaseTx();
    const std::string op_return_83 = "6a4c50" + Rep("ab", 80);
    ASSERT_EQ(S(op_return_83).size(), 83u);
    tx.vout.push_back(Out(0, op_return_83));
    EXPECT_EQ(Check(tx), std::nullopt);
    tx.vout[1] = Out(0, "6a4c51" + Rep("ab", 81)); // 84 bytes
    EXPECT_EQ(Check(tx), "scriptpubkey");

    tx.vout[1] = Out(0, "6a");
    PolicyOptions options;
    options.datacarrier = false;
    EXPECT_EQ(Check(tx, options), "scriptpubkey");
    options.datacarrier = true;
    options.max_datacarrier_bytes = 5;
    tx.vout[1] = Out(0, "6a03abcdef"); // 5 bytes
    EXPECT_EQ(Check(tx, options), std::nullopt);
    tx.vout[1] = Out(0, "6a04abcdef01"); // 6 bytes
    EXPECT_EQ(Check(tx, options), "scriptpubkey");
    // A null-data output carrying value is still fine.
    tx.vout[1] = Out(1'000, "6a");
    EXPECT_EQ(Check(tx), std::nullopt);
}

TEST(PolicyTest, Dust)
{
    auto tx = BaseTx();
    tx.vout[0] = Out(545, P2PKH);
    EXPECT_EQ(Check(tx), "dust");
    tx.vout[0] = Out(546, P2PKH);
    EXPECT_EQ(Check(tx), std::nullopt);
    tx.vout[0] = Out(239, P2A);
    EXPECT_EQ(Check(tx), "dust");
    tx.vout[0] = Out(240, P2A);
    EXPECT_EQ(Check(tx), std::nullopt);
    // A zero-value output is dust however few of them there are (v28 has no ephemeral dust).
    tx.vout[0] = Out(0, P2A);
    EXPECT_EQ(Check(tx), "dust");
    // Bare multisig, when permitted, is checked for dust too.
    tx.vout[0] = Out(581, MULTI_1_OF_1);
    EXPECT_EQ(Check(tx), "dust");
    // The dust rate comes from the options.
    PolicyOptions options;
    options.dust_relay_fee = FeeRate{1000};
    tx.vout[0] = Out(182, P2PKH);
    EXPECT_EQ(Check(tx, options), std::nullopt);
    tx.vout[0] = Out(181, P2PKH);
    EXPECT_EQ(Check(tx, options), "dust");
    options.dust_relay_fee = FeeRate{0};
    tx.vout[0] = Out(0, P2PKH);
    EXPECT_EQ(Check(tx, options), std::nullopt);
}

TEST(PolicyTest, MultiOpReturn)
{
    auto tx = BaseTx();
    tx.vout.push_back(Out(0, "6a01ff"));
    EXPECT_EQ(Check(tx), std::nullopt);
    tx.vout.push_back(Out(0, "6a"));
    EXPECT_EQ(Check(tx), "multi-op-return");
}

TEST(PolicyTest, ReasonOrder)
{
    // version before size.
    auto tx = BaseTx();
    tx.version = 0;
    tx.vin[0].witness.stack.push_back(Bytes(400'000, 0x01));
    EXPECT_EQ(Check(tx), "version");
    // size before scriptSig checks.
    tx.version = 2;
    tx.vin[0].script_sig = S("61");
    EXPECT_EQ(Check(tx), "tx-size");
    // scriptSig checks before outputs.
    tx = BaseTx();
    tx.vin[0].script_sig = S("61");
    tx.vout[0] = Out(10'000, "51");
    EXPECT_EQ(Check(tx), "scriptsig-not-pushonly");
    // Size is checked before push-only on the same input.
    tx.vin[0].script_sig = Script{Bytes(1651, 0x61)};
    EXPECT_EQ(Check(tx), "scriptsig-size");
    // Outputs in order: the first failing output names the reason.
    tx = BaseTx();
    tx.vout = {Out(1, P2PKH), Out(10'000, "51")};
    EXPECT_EQ(Check(tx), "dust");
    tx.vout = {Out(10'000, "51"), Out(1, P2PKH)};
    EXPECT_EQ(Check(tx), "scriptpubkey");
    PolicyOptions no_bare;
    no_bare.permit_bare_multisig = false;
    tx.vout = {Out(1, MULTI_1_OF_1), Out(1, P2PKH)};
    EXPECT_EQ(Check(tx, no_bare), "bare-multisig");
    // multi-op-return is only decided after every output passed.
    tx.vout = {Out(0, "6a"), Out(0, "6a"), Out(1, P2PKH)};
    EXPECT_EQ(Check(tx), "dust");
    tx.vout = {Out(0, "6a"), Out(0, "6a"), Out(10'000, "51")};
    EXPECT_EQ(Check(tx), "scriptpubkey");
}

// ---- CheckInputsStandard ----

TEST(PolicyTest, InputsStandardTypes)
{
    auto mtx = BaseTx();
    for (const std::string& ok : std::vector<std::string>{P2PKH, P2WPKH, P2WSH, P2TR, P2A, P2PK,
                                                          MULTI_1_OF_1, std::string{"6a"}}) {
        EXPECT_EQ(kernel::CheckInputsStandard(Transaction{mtx}, {Spent(ok)}), std::nullopt) << ok;
    }
    // Nonstandard scripts and unknown witness versions are refused.
    for (const std::string& bad :
         std::vector<std::string>{std::string{"51"}, std::string{"a820"} + H32 + "87",
                                  std::string{"5220"} + H32, std::string{"51024e74"}}) {
        EXPECT_EQ(kernel::CheckInputsStandard(Transaction{mtx}, {Spent(bad)}),
                  "bad-txns-nonstandard-inputs")
            << bad;
    }
    // Any one bad input refuses the transaction.
    mtx.vin.push_back(mtx.vin[0]);
    mtx.vin[1].prevout.n = 1;
    EXPECT_EQ(kernel::CheckInputsStandard(Transaction{mtx}, {Spent(P2PKH), Spent("51")}),
              "bad-txns-nonstandard-inputs");
    EXPECT_EQ(kernel::CheckInputsStandard(Transaction{mtx}, {Spent(P2PKH), Spent(P2WPKH)}),
              std::nullopt);
}

TEST(PolicyTest, InputsStandardP2shSigops)
{
    auto tx_with_redeem = [](const std::string& redeem_hex) {
        auto mtx = BaseTx();
        Script sig;
        sig << consensus::OP_0 << Hex(redeem_hex);
        mtx.vin[0].script_sig = sig;
        return Transaction{mtx};
    };
    const auto p2sh = std::vector<Coin>{Spent(P2SH)};
    // 15 CHECKSIGs pass, 16 do not.
    EXPECT_EQ(kernel::CheckInputsStandard(tx_with_redeem(Rep("ac", 15)), p2sh), std::nullopt);
    EXPECT_EQ(kernel::CheckInputsStandard(tx_with_redeem(Rep("ac", 16)), p2sh),
              "bad-txns-nonstandard-inputs");
    // CHECKMULTISIG counts its key count accurately after OP_n, else 20.
    const std::string k = "21" + KEY_C;
    std::string keys15;
    for (int i = 0; i < 15; ++i)
        keys15 += k;
    EXPECT_EQ(kernel::CheckInputsStandard(tx_with_redeem("5f" + keys15 + "5fae"), p2sh),
              std::nullopt);
    EXPECT_EQ(kernel::CheckInputsStandard(tx_with_redeem("ac5f" + keys15 + "5fae"), p2sh),
              "bad-txns-nonstandard-inputs");
    EXPECT_EQ(kernel::CheckInputsStandard(tx_with_redeem("51" + k + "60ae"), p2sh),
              "bad-txns-nonstandard-inputs");
    EXPECT_EQ(kernel::CheckInputsStandard(tx_with_redeem("ae"), p2sh),
              "bad-txns-nonstandard-inputs");
    EXPECT_EQ(kernel::CheckInputsStandard(tx_with_redeem(Rep("ad", 15)), p2sh), std::nullopt);
    // Only the last push is the redeem script.
    auto mtx = BaseTx();
    Script sig;
    sig << Hex(Rep("ac", 16)) << Hex("51");
    mtx.vin[0].script_sig = sig;
    EXPECT_EQ(kernel::CheckInputsStandard(Transaction{mtx}, p2sh), std::nullopt);
}

TEST(PolicyTest, InputsStandardP2shBadScriptSig)
{
    const auto p2sh = std::vector<Coin>{Spent(P2SH)};
    auto mtx = BaseTx();
    // Empty scriptSig leaves no redeem script.
    EXPECT_EQ(kernel::CheckInputsStandard(Transaction{mtx}, p2sh), "bad-txns-nonstandard-inputs");
    // A truncated push fails to evaluate.
    mtx.vin[0].script_sig = S("0501");
    EXPECT_EQ(kernel::CheckInputsStandard(Transaction{mtx}, p2sh), "bad-txns-nonstandard-inputs");
    // A scriptSig that fails when run (OP_RETURN) is refused.
    mtx.vin[0].script_sig = S("516a");
    EXPECT_EQ(kernel::CheckInputsStandard(Transaction{mtx}, p2sh), "bad-txns-nonstandard-inputs");
}

TEST(PolicyTest, InputsStandardCoinbaseAndMismatch)
{
    MutableTransaction coinbase;
    coinbase.vin.resize(1);
    coinbase.vin[0].script_sig = S("0101");
    coinbase.vout.push_back(Out(50, P2WPKH));
    ASSERT_TRUE(Transaction{coinbase}.IsCoinBase());
    EXPECT_EQ(kernel::CheckInputsStandard(Transaction{coinbase}, {}), std::nullopt);
    EXPECT_TRUE(kernel::IsWitnessStandard(Transaction{coinbase}, {}));
    // One coin per input is required; a mismatch is refused rather than read out of range.
    EXPECT_EQ(kernel::CheckInputsStandard(Transaction{BaseTx()}, {}),
              "bad-txns-nonstandard-inputs");
    EXPECT_FALSE(kernel::IsWitnessStandard(Transaction{BaseTx()}, {}));
}

// ---- IsWitnessStandard ----

namespace {

Transaction WithWitness(std::vector<Bytes> stack, const std::string& script_sig_hex = "")
{
    auto mtx = BaseTx();
    mtx.vin[0].witness.stack = std::move(stack);
    mtx.vin[0].script_sig = S(script_sig_hex);
    return Transaction{mtx};
}

bool WitnessOk(const Transaction& tx, const std::string& spent_hex)
{
    return kernel::IsWitnessStandard(tx, {Spent(spent_hex)});
}

std::vector<Bytes> Items(size_t count, size_t size)
{
    return std::vector<Bytes>(count, Bytes(size, 0x01));
}

std::vector<Bytes> Plus(std::vector<Bytes> stack, const Bytes& last)
{
    stack.push_back(last);
    return stack;
}

} // namespace

TEST(PolicyTest, WitnessOnNonWitnessSpends)
{
    EXPECT_TRUE(WitnessOk(WithWitness({}), P2PKH)); // no witness: nothing to check
    EXPECT_FALSE(WitnessOk(WithWitness({Bytes{1}}), P2PKH));
    EXPECT_FALSE(WitnessOk(WithWitness({Bytes{1}}), P2PK));
    EXPECT_TRUE(WitnessOk(WithWitness(Items(2, 33)), P2WPKH));
    // P2A takes no witness.
    EXPECT_TRUE(WitnessOk(WithWitness({}), P2A));
    EXPECT_FALSE(WitnessOk(WithWitness({Bytes{}}), P2A));
    // Unknown witness versions have no witness policy here.
    EXPECT_TRUE(WitnessOk(WithWitness(Items(3, 500)), "5220" + H32));
}

TEST(PolicyTest, P2wshLimits)
{
    const Bytes script80(80, 0x51);
    EXPECT_TRUE(WitnessOk(WithWitness(Plus(Items(100, 80), Bytes(3600, 0x51))), P2WSH));
    EXPECT_FALSE(WitnessOk(WithWitness(Plus(Items(1, 1), Bytes(3601, 0x51))), P2WSH));
    EXPECT_FALSE(WitnessOk(WithWitness(Plus(Items(101, 1), script80)), P2WSH));
    EXPECT_FALSE(WitnessOk(WithWitness(Plus(Items(2, 81), script80)), P2WSH));
    // The witness script itself may exceed 80 bytes; a lone script is fine.
    EXPECT_TRUE(WitnessOk(WithWitness(Plus(Items(2, 80), Bytes(200, 0x51))), P2WSH));
    EXPECT_TRUE(WitnessOk(WithWitness({Bytes(200, 0x51)}), P2WSH));
}

TEST(PolicyTest, P2shWrappedWitness)
{
    const std::string push_p2wsh = "22" + ("0020" + H32);
    const std::string push_p2wpkh = "16" + ("0014" + H20);
    const Bytes script(10, 0x51);
    EXPECT_TRUE(WitnessOk(WithWitness(Plus(Items(2, 80), script), push_p2wsh), P2SH));
    EXPECT_FALSE(WitnessOk(WithWitness(Plus(Items(2, 81), script), push_p2wsh), P2SH));
    EXPECT_FALSE(WitnessOk(WithWitness(Plus(Items(101, 1), script), push_p2wsh), P2SH));
    EXPECT_TRUE(WitnessOk(WithWitness(Items(2, 33), push_p2wpkh), P2SH));
    // P2SH whose redeem script is no witness program must not carry a witness.
    EXPECT_FALSE(WitnessOk(WithWitness({Bytes{1}}, "0151"), P2SH));
    EXPECT_TRUE(WitnessOk(WithWitness({}, "0151"), P2SH));
    // Nothing revealed, or a scriptSig that fails to run.
    EXPECT_FALSE(WitnessOk(WithWitness({Bytes{1}}, ""), P2SH));
    EXPECT_FALSE(WitnessOk(WithWitness({Bytes{1}}, "0501"), P2SH));
    // A P2SH-wrapped v1 program gets no Taproot rules (it is not a Taproot spend).
    const std::string push_v1 = "22" + ("5120" + H32);
    EXPECT_TRUE(
        WitnessOk(WithWitness({Bytes(81, 1), Bytes(5, 0x51), Bytes(33, 0xc0)}, push_v1), P2SH));
}

TEST(PolicyTest, TaprootLimits)
{
    const Bytes control_c0(33, 0xc0);
    const Bytes script(5, 0x51);
    // Key path: one 64-byte signature.
    EXPECT_TRUE(WitnessOk(WithWitness({Bytes(64, 1)}), P2TR));
    // Annex (last item starting 0x50 with two or more items) is refused.
    EXPECT_FALSE(WitnessOk(WithWitness({Bytes(64, 1), Bytes{0x50}}), P2TR));
    EXPECT_FALSE(WitnessOk(WithWitness({Bytes(64, 1), script, control_c0, Bytes{0x50, 0}}), P2TR));
    // A lone 0x50 item is a key-path signature, not an annex.
    EXPECT_TRUE(WitnessOk(WithWitness({Bytes{0x50}}), P2TR));
    // Tapscript leaf (0xc0, either parity): items up to 80 bytes.
    EXPECT_TRUE(WitnessOk(WithWitness({Bytes(80, 1), Bytes(80, 2), script, control_c0}), P2TR));
    EXPECT_FALSE(WitnessOk(WithWitness({Bytes(81, 1), script, control_c0}), P2TR));
    Bytes control_c1 = control_c0;
    control_c1[0] = 0xc1;
    EXPECT_FALSE(WitnessOk(WithWitness({Bytes(81, 1), script, control_c1}), P2TR));
    // The script itself may be large.
    EXPECT_TRUE(WitnessOk(WithWitness({Bytes(80, 1), Bytes(500, 0x51), control_c0}), P2TR));
    // Other leaf versions have no item limit.
    Bytes control_c2 = control_c0;
    control_c2[0] = 0xc2;
    EXPECT_TRUE(WitnessOk(WithWitness({Bytes(81, 1), script, control_c2}), P2TR));
    // An empty control block is refused.
    EXPECT_FALSE(WitnessOk(WithWitness({Bytes(10, 1), script, Bytes{}}), P2TR));
}

TEST(PolicyTest, WitnessChecksEveryInput)
{
    auto mtx = BaseTx();
    mtx.vin.push_back(mtx.vin[0]);
    mtx.vin[1].prevout.n = 1;
    mtx.vin[0].witness.stack = Items(2, 33);
    mtx.vin[1].witness.stack = {Bytes{1}};
    EXPECT_FALSE(kernel::IsWitnessStandard(Transaction{mtx}, {Spent(P2WPKH), Spent(P2PKH)}));
    mtx.vin[1].witness.stack.clear();
    EXPECT_TRUE(kernel::IsWitnessStandard(Transaction{mtx}, {Spent(P2WPKH), Spent(P2PKH)}));
}

// ---- Virtual size ----

TEST(PolicyTest, VirtualSize)
{
    EXPECT_EQ(kernel::GetVirtualTransactionSize(0, 0), 0);
    EXPECT_EQ(kernel::GetVirtualTransactionSize(400, 0), 100);
    EXPECT_EQ(kernel::GetVirtualTransactionSize(401, 0), 101);
    EXPECT_EQ(kernel::GetVirtualTransactionSize(403, 0), 101);
    // Sigop cost times 20 bytes dominates when larger: 30 * 20 = 600 weight.
    EXPECT_EQ(kernel::GetVirtualTransactionSize(400, 30), 150);
    EXPECT_EQ(kernel::GetVirtualTransactionSize(700, 30), 175);
    EXPECT_EQ(kernel::GetVirtualTransactionSize(400, 30, 10), 100);
    EXPECT_EQ(kernel::GetVirtualTransactionSize(400, 30, 30), 225);
}
