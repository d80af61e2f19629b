// Transactions and script helpers: encoding (BIP144), ids, weight, and the
// structural script queries, checked against real mainnet transactions and
// hand-built edge cases.
#include <consensus/block.h>
#include <consensus/hash.h>
#include <consensus/script/script.h>
#include <consensus/serialize.h>
#include <consensus/transaction.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

using namespace consensus;

namespace {

const std::string BLOCKS_DIR = std::string{MINIBIT_TEST_DATA_DIR} + "/blocks/";

std::vector<uint8_t> ReadFileBytes(const std::string& path)
{
    std::ifstream f{path, std::ios::binary};
    return {std::istreambuf_iterator<char>{f}, std::istreambuf_iterator<char>{}};
}

std::vector<uint8_t> Hex(std::string_view hex)
{
    auto bytes = util::TryParseHex(hex);
    EXPECT_TRUE(bytes) << hex;
    return bytes ? *bytes : std::vector<uint8_t>{};
}

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts)
{
    std::vector<uint8_t> out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::vector<uint8_t> StrippedBytes(const Transaction& tx)
{
    std::vector<uint8_t> out;
    Writer w{out};
    tx.SerializeWithoutWitness(w);
    return out;
}

// Bytes a BIP144 witness section takes: per input, a stack count and the items.
size_t WitnessSectionSize(const Transaction& tx)
{
    size_t n = 0;
    for (const auto& in : tx.vin) {
        n += CompactSizeLen(in.witness.stack.size());
        for (const auto& item : in.witness.stack)
            n += CompactSizeLen(item.size()) + item.size();
    }
    return n;
}

const std::vector<uint8_t> OUTPOINT_BYTES(36, 0x11);
// One input spending OUTPOINT_BYTES with an empty scriptSig, final sequence.
const std::vector<uint8_t> ONE_INPUT =
    Concat({{0x01}, OUTPOINT_BYTES, {0x00, 0xff, 0xff, 0xff, 0xff}});
// One output of 1 BTC to an empty script.
const std::vector<uint8_t> ONE_OUTPUT = Hex("0100e1f5050000000000");
const std::vector<uint8_t> VERSION2 = Hex("02000000");
const std::vector<uint8_t> LOCKTIME0 = Hex("00000000");

} // namespace

// ---- transactions from real blocks -----------------------------------------

class RealTransactionsTest : public ::testing::TestWithParam<const char*>
{};

TEST_P(RealTransactionsTest, EncodingIdsAndWeight)
{
    const auto raw = ReadFileBytes(BLOCKS_DIR + "mainnet-" + std::string{GetParam()} + ".blk");
    auto block = Decode<Block>(raw);
    ASSERT_TRUE(block) << block.error().message;

    size_t witness_txs = 0;
    for (size_t i = 0; i < block->vtx.size(); ++i) {
        const Transaction& tx = *block->vtx[i];
        SCOPED_TRACE("tx " + std::to_string(i) + " " + tx.GetHash().GetHex());
        const auto full = Encode(tx);
        const auto stripped = StrippedBytes(tx);

        auto again = DecodeTransaction(full);
        ASSERT_TRUE(again) << again.error().message;
        EXPECT_EQ(Encode(**again), full);
        EXPECT_EQ((*again)->GetHash(), tx.GetHash());
        EXPECT_EQ((*again)->GetWitnessHash(), tx.GetWitnessHash());

        EXPECT_EQ(tx.GetHash(), Hash256(stripped));
        EXPECT_EQ(tx.GetWitnessHash(), Hash256(full));
        EXPECT_EQ(tx.GetTotalSize(), full.size());
        EXPECT_EQ(tx.GetBaseSize(), stripped.size());
        EXPECT_EQ(tx.GetWeight(), stripped.size() * 3 + full.size());
        EXPECT_EQ(tx.GetVirtualSize(), (tx.GetWeight() + 3) / 4);

        // The mutable form agrees with the immutable one.
        auto mtx = Decode<MutableTransaction>(full);
        ASSERT_TRUE(mtx);
        EXPECT_EQ(mtx->GetHash(), tx.GetHash());
        EXPECT_EQ(EncodeNoWitness(*mtx), stripped);
        EXPECT_EQ(Encode(*mtx), full);

        if (tx.HasWitness()) {
            ++witness_txs;
            // BIP144: marker 0x00 and flag 0x01 after the version, witnesses before the locktime.
            ASSERT_GT(full.size(), 6U);
            EXPECT_EQ(full[4], 0x00);
            EXPECT_EQ(full[5], 0x01);
            EXPECT_NE(tx.GetHash(), tx.GetWitnessHash());
            EXPECT_EQ(full.size(), stripped.size() + 2 + WitnessSectionSize(tx));
            EXPECT_GT(tx.GetWeight(), 3 * stripped.size() + stripped.size());
            // Dropping the witness keeps the txid but loses the wtxid.
            auto legacy = DecodeTransaction(stripped);
            ASSERT_TRUE(legacy) << legacy.error().message;
            EXPECT_FALSE((*legacy)->HasWitness());
            EXPECT_EQ((*legacy)->GetHash(), tx.GetHash());
            EXPECT_EQ((*legacy)->GetWitnessHash(), tx.GetHash());
        } else {
            EXPECT_EQ(full, stripped);
            EXPECT_EQ(tx.GetHash(), tx.GetWitnessHash());
            EXPECT_EQ(tx.GetWeight(), 4 * full.size());
        }
    }
    EXPECT_GT(witness_txs, 0U);
    EXPECT_LT(witness_txs, block->vtx.size()); // legacy transactions were still common
}

INSTANTIATE_TEST_SUITE_P(
    Mainnet, RealTransactionsTest,
    ::testing::Values("0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2",
                      "00000000000000000021868c2cefc52a480d173c849412fe81c4e5ab806f94ab"));

// ---- hand-built transactions ------------------------------------------------

TEST(TxEncoding, WeightOfKnownShape)
{
    // One P2WPKH-style input (72-byte signature, 33-byte key) and one P2WPKH output.
    MutableTransaction mtx;
    mtx.vin.emplace_back();
    mtx.vin[0].prevout.n = 0;
    mtx.vin[0].witness.stack = {std::vector<uint8_t>(72, 0x30), std::vector<uint8_t>(33, 0x02)};
    TxOut out;
    out.value = 50'000;
    out.script_pubkey = Script{Concat({{0x00, 0x14}, std::vector<uint8_t>(20, 0xab)})};
    mtx.vout.push_back(out);
    const Transaction tx{mtx};
    // base: 4 version + 1 + 41 input + 1 + 31 output + 4 locktime
    EXPECT_EQ(tx.GetBaseSize(), 82U);
    // total: base + marker/flag + (1 count + 1+72 + 1+33)
    EXPECT_EQ(tx.GetTotalSize(), 192U);
    EXPECT_EQ(tx.GetWeight(), 438U);
    EXPECT_EQ(tx.GetVirtualSize(), 110U);

    mtx.vin[0].witness.stack.clear();
    const Transaction legacy{mtx};
    EXPECT_FALSE(legacy.HasWitness());
    EXPECT_EQ(legacy.GetTotalSize(), 82U);
    EXPECT_EQ(legacy.GetWeight(), 328U);
    EXPECT_EQ(legacy.GetVirtualSize(), 82U);
    EXPECT_EQ(legacy.GetHash(), tx.GetHash());
}

TEST(TxEncoding, MinimalWitnessRoundTrip)
{
    const auto bytes = Concat(
        {VERSION2, {0x00, 0x01}, ONE_INPUT, ONE_OUTPUT, {0x01, 0x02, 0xaa, 0xbb}, LOCKTIME0});
    auto tx = DecodeTransaction(bytes);
    ASSERT_TRUE(tx) << tx.error().message;
    EXPECT_TRUE((*tx)->HasWitness());
    ASSERT_EQ((*tx)->vin.size(), 1U);
    EXPECT_EQ((*tx)->vin[0].witness.stack, (std::vector<std::vector<uint8_t>>{{0xaa, 0xbb}}));
    EXPECT_EQ((*tx)->vout[0].value, 100'000'000);
    EXPECT_EQ(Encode(**tx), bytes);
}

TEST(TxEncoding, SuperfluousWitnessRejected)
{
    // Flag 1 but every input's witness stack is empty.
    const auto bytes = Concat({VERSION2, {0x00, 0x01}, ONE_INPUT, ONE_OUTPUT, {0x00}, LOCKTIME0});
    auto tx = DecodeTransaction(bytes);
    ASSERT_FALSE(tx);
    EXPECT_NE(tx.error().message.find("superfluous"), std::string::npos) << tx.error().message;
    EXPECT_FALSE(Decode<MutableTransaction>(bytes));
}

TEST(TxEncoding, UnknownFlagRejected)
{
    for (uint8_t flag : {0x02, 0x04, 0x80, 0xfe}) {
        SCOPED_TRACE("flag " + std::to_string(flag));
        const auto bytes = Concat({VERSION2, {0x00, flag}, ONE_INPUT, ONE_OUTPUT, LOCKTIME0});
        auto tx = DecodeTransaction(bytes);
        ASSERT_FALSE(tx);
        EXPECT_NE(tx.error().message.find("unknown"), std::string::npos) << tx.error().message;
    }
    // Flag 3: the witness bit is understood, the other is not.
    const auto bytes =
        Concat({VERSION2, {0x00, 0x03}, ONE_INPUT, ONE_OUTPUT, {0x01, 0x01, 0xaa}, LOCKTIME0});
    auto tx = DecodeTransaction(bytes);
    ASSERT_FALSE(tx);
    EXPECT_NE(tx.error().message.find("unknown"), std::string::npos) << tx.error().message;
}

TEST(TxEncoding, EmptyInputs)
{
    // No inputs and no outputs: the byte after the empty vin is a zero flag.
    const auto empty = Concat({VERSION2, {0x00, 0x00}, LOCKTIME0});
    auto tx = DecodeTransaction(empty);
    ASSERT_TRUE(tx) << tx.error().message;
    EXPECT_TRUE((*tx)->vin.empty());
    EXPECT_TRUE((*tx)->vout.empty());
    EXPECT_EQ(Encode(**tx), empty);

    // With outputs but no inputs the legacy encoding reads as a witness
    // marker (the BIP144 ambiguity): it must not come back as the same tx.
    MutableTransaction mtx;
    TxOut out;
    out.value = 1;
    mtx.vout.push_back(out);
    const auto bytes = Encode(mtx);
    EXPECT_EQ(bytes[4], 0x00);
    EXPECT_EQ(bytes[5], 0x01);
    auto back = DecodeTransaction(bytes);
    if (back) {
        EXPECT_NE(Encode(**back), bytes);
    } else {
        SUCCEED() << back.error().message;
    }
}

TEST(TxEncoding, DefaultsAndNullness)
{
    const OutPoint op;
    EXPECT_TRUE(op.IsNull());
    EXPECT_EQ(op.n, OutPoint::NULL_INDEX);
    EXPECT_EQ(Encode(op), Concat({std::vector<uint8_t>(32, 0), {0xff, 0xff, 0xff, 0xff}}));
    OutPoint zero_index;
    zero_index.n = 0;
    EXPECT_FALSE(zero_index.IsNull());
    OutPoint nonnull_hash;
    nonnull_hash.hash.data()[5] = 1;
    EXPECT_FALSE(nonnull_hash.IsNull());
    EXPECT_LT(zero_index, op);

    const TxOut out;
    EXPECT_TRUE(out.IsNull());
    EXPECT_EQ(out.value, -1);
    EXPECT_EQ(Encode(out), Hex("ffffffffffffffff00"));
    auto decoded = Decode<TxOut>(Hex("ffffffffffffffff00"));
    ASSERT_TRUE(decoded);
    EXPECT_TRUE(decoded->IsNull());

    const TxIn in;
    EXPECT_TRUE(in.prevout.IsNull());
    EXPECT_EQ(in.sequence, TxIn::SEQUENCE_FINAL);
    EXPECT_TRUE(in.witness.IsNull());
    EXPECT_EQ(Encode(in).size(), TxIn::MIN_ENCODED_SIZE);

    const Transaction tx;
    EXPECT_EQ(tx.version, 2U);
    EXPECT_FALSE(tx.IsCoinBase());
    EXPECT_EQ(tx.GetTotalSize(), 10U);

    MutableTransaction coinbase;
    coinbase.vin.emplace_back();
    EXPECT_TRUE(Transaction{coinbase}.IsCoinBase());
    coinbase.vin.emplace_back();
    EXPECT_FALSE(Transaction{coinbase}.IsCoinBase());
}

// ---- script -----------------------------------------------------------------

TEST(ScriptHelpers, PushOpcodeChoice)
{
    struct Case
    {
        size_t size;
        std::vector<uint8_t> prefix;
    };
    const std::vector<Case> cases{
        {0, {0x00}},
        {1, {0x01}},
        {75, {0x4b}},
        {76, {OP_PUSHDATA1, 76}},
        {255, {OP_PUSHDATA1, 0xff}},
        {256, {OP_PUSHDATA2, 0x00, 0x01}},
        {65535, {OP_PUSHDATA2, 0xff, 0xff}},
        {65536, {OP_PUSHDATA4, 0x00, 0x00, 0x01, 0x00}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE("size " + std::to_string(c.size));
        const std::vector<uint8_t> data(c.size, 0x42);
        Script s;
        s << data;
        ASSERT_EQ(s.size(), c.prefix.size() + c.size);
        EXPECT_TRUE(std::equal(c.prefix.begin(), c.prefix.end(), s.begin()));
        auto pc = s.begin();
        Opcode op;
        std::vector<uint8_t> got;
        ASSERT_TRUE(s.GetOp(pc, op, &got));
        EXPECT_EQ(op, c.prefix[0]);
        EXPECT_EQ(got, data);
        EXPECT_TRUE(pc == s.end());
        EXPECT_TRUE(s.IsPushOnly());
    }
}

TEST(ScriptHelpers, GetOpWalksEveryPushKind)
{
    // OP_0, direct push, PUSHDATA1/2/4 (the latter non-minimal but legal),
    // small ints, a plain opcode and an undefined one.
    const auto bytes =
        Concat({{OP_0, 0x02, 0xaa,       0xbb, OP_PUSHDATA1, 0x01,   0xcc, OP_PUSHDATA2,
                 0x02, 0x00, 0xdd,       0xee, OP_PUSHDATA4, 0x01,   0x00, 0x00,
                 0x00, 0xff, OP_1NEGATE, OP_1, OP_16,        OP_DUP, 0xfe}});
    const Script s{bytes};
    const std::vector<std::pair<uint8_t, std::vector<uint8_t>>> expected{
        {OP_0, {}},
        {0x02, {0xaa, 0xbb}},
        {OP_PUSHDATA1, {0xcc}},
        {OP_PUSHDATA2, {0xdd, 0xee}},
        {OP_PUSHDATA4, {0xff}},
        {OP_1NEGATE, {}},
        {OP_1, {}},
        {OP_16, {}},
        {OP_DUP, {}},
        {0xfe, {}},
    };
    auto pc = s.begin();
    for (const auto& [want_op, want_data] : expected) {
        SCOPED_TRACE("opcode " + std::to_string(want_op));
        Opcode op;
        std::vector<uint8_t> data{0x99}; // must be cleared for non-pushes
        ASSERT_TRUE(s.GetOp(pc, op, &data));
        EXPECT_EQ(op, want_op);
        EXPECT_EQ(data, want_data);
    }
    Opcode op = OP_NOP;
    EXPECT_FALSE(s.GetOp(pc, op));
    EXPECT_TRUE(pc == s.end());
}

TEST(ScriptHelpers, GetOpRejectsTruncatedPushes)
{
    const std::vector<std::vector<uint8_t>> truncated{
        {0x01},
        {0x05, 0x01, 0x02, 0x03},
        {0x4b},
        {OP_PUSHDATA1},
        {OP_PUSHDATA1, 0x02, 0x01},
        {OP_PUSHDATA2},
        {OP_PUSHDATA2, 0x01},
        {OP_PUSHDATA2, 0x00, 0x01, 0xaa},
        {OP_PUSHDATA4},
        {OP_PUSHDATA4, 0x01, 0x00, 0x00},
        {OP_PUSHDATA4, 0xff, 0xff, 0xff, 0xff, 0x00},
        {OP_PUSHDATA4, 0x02, 0x00, 0x00, 0x00, 0x00},
    };
    for (const auto& bytes : truncated) {
        SCOPED_TRACE(util::HexStr(bytes));
        const Script s{bytes};
        auto pc = s.begin();
        Opcode op = OP_NOP;
        std::vector<uint8_t> data;
        EXPECT_FALSE(s.GetOp(pc, op, &data));
        EXPECT_EQ(op, OP_INVALIDOPCODE);
        EXPECT_FALSE(s.IsPushOnly());
        // A valid prefix before the truncated push still parses.
        Script prefixed{Concat({{OP_DUP}, bytes})};
        auto pc2 = prefixed.begin();
        EXPECT_TRUE(prefixed.GetOp(pc2, op));
        EXPECT_EQ(op, OP_DUP);
        EXPECT_FALSE(prefixed.GetOp(pc2, op));
    }
}

TEST(ScriptHelpers, PayToScriptHash)
{
    const auto hash = std::vector<uint8_t>(20, 0x77);
    const Script p2sh{Concat({{OP_HASH160, 0x14}, hash, {OP_EQUAL}})};
    EXPECT_TRUE(p2sh.IsPayToScriptHash());
    EXPECT_FALSE(Script{Concat({{OP_HASH160, 0x13}, std::vector<uint8_t>(19, 0), {OP_EQUAL}})}
                     .IsPayToScriptHash());
    EXPECT_FALSE(Script{Concat({{OP_HASH160, 0x14}, hash, {OP_EQUALVERIFY}})}.IsPayToScriptHash());
    EXPECT_FALSE(Script{Concat({{OP_HASH256, 0x14}, hash, {OP_EQUAL}})}.IsPayToScriptHash());
    // The same template with a non-minimal push is not P2SH.
    EXPECT_FALSE(
        Script{Concat({{OP_HASH160, OP_PUSHDATA1, 0x14}, hash, {OP_EQUAL}})}.IsPayToScriptHash());
    EXPECT_FALSE(Script{Concat({p2sh.bytes(), {OP_NOP}})}.IsPayToScriptHash());
}

TEST(ScriptHelpers, WitnessProgramBoundaries)
{
    for (size_t len = 0; len <= 75; ++len) {
        for (int version : {0, 1, 16}) {
            SCOPED_TRACE("len " + std::to_string(len) + " v" + std::to_string(version));
            Script s;
            s << EncodeOpN(version);
            s << std::vector<uint8_t>(len, 0x5c);
            int got_version = -1;
            std::vector<uint8_t> program;
            const bool expected = len >= 2 && len <= 40;
            EXPECT_EQ(s.IsWitnessProgram(got_version, program), expected);
            if (expected) {
                EXPECT_EQ(got_version, version);
                EXPECT_EQ(program, std::vector<uint8_t>(len, 0x5c));
            }
            EXPECT_EQ(s.IsPayToWitnessScriptHash(), version == 0 && len == 32);
        }
    }
    int v = -1;
    std::vector<uint8_t> program;
    // Not a version opcode.
    for (uint8_t first :
         {uint8_t{OP_1NEGATE}, uint8_t{OP_RESERVED}, uint8_t{OP_NOP}, uint8_t{0x01}}) {
        Script s{Concat({{first, 0x14}, std::vector<uint8_t>(20, 0)})};
        EXPECT_FALSE(s.IsWitnessProgram(v, program)) << int{first};
    }
    // Push length disagrees with the script length; non-direct push.
    EXPECT_FALSE(
        Script{Concat({{OP_0, 0x14}, std::vector<uint8_t>(19, 0)})}.IsWitnessProgram(v, program));
    EXPECT_FALSE(
        Script{Concat({{OP_0, 0x14}, std::vector<uint8_t>(21, 0)})}.IsWitnessProgram(v, program));
    EXPECT_FALSE(
        Script{Concat({{OP_0, OP_PUSHDATA1, 0x20}, std::vector<uint8_t>(32, 0)})}.IsWitnessProgram(
            v, program));
}

TEST(ScriptHelpers, PushOnly)
{
    EXPECT_TRUE(Script{}.IsPushOnly());
    Script pushes;
    pushes << OP_0 << OP_1NEGATE << OP_1 << OP_16 << std::vector<uint8_t>(80, 1);
    pushes.Append(std::vector<uint8_t>{OP_PUSHDATA4, 0x01, 0, 0, 0, 0x07});
    EXPECT_TRUE(pushes.IsPushOnly());
    // OP_RESERVED sits among the push opcodes numerically; Bitcoin Core lets it pass.
    EXPECT_TRUE((Script{} << OP_RESERVED).IsPushOnly());
    for (Opcode op : {OP_NOP, OP_DUP, OP_CHECKSIG, OP_RETURN, OP_INVALIDOPCODE}) {
        Script s = pushes;
        s << op;
        EXPECT_FALSE(s.IsPushOnly()) << GetOpName(op);
    }
}

TEST(ScriptHelpers, SigOpCounting)
{
    const std::vector<uint8_t> key(33, 0x02);
    Script multisig;
    multisig << OP_2 << key << key << key << OP_3 << OP_CHECKMULTISIG;
    EXPECT_EQ(multisig.GetSigOpCount(true), 3U);
    EXPECT_EQ(multisig.GetSigOpCount(false), 20U);

    Script verify;
    verify << OP_16 << OP_CHECKMULTISIGVERIFY;
    EXPECT_EQ(verify.GetSigOpCount(true), 16U);
    EXPECT_EQ(verify.GetSigOpCount(false), 20U);

    // Without a preceding OP_1..OP_16 the count is the maximum either way.
    Script bare;
    bare << OP_CHECKMULTISIG;
    EXPECT_EQ(bare.GetSigOpCount(true), 20U);
    Script zero;
    zero << OP_0 << OP_CHECKMULTISIG;
    EXPECT_EQ(zero.GetSigOpCount(true), 20U);
    Script pushed_n;
    pushed_n << std::vector<uint8_t>{0x03} << OP_CHECKMULTISIG;
    EXPECT_EQ(pushed_n.GetSigOpCount(true), 20U);

    Script singles;
    singles << OP_DUP << OP_CHECKSIG << OP_CHECKSIGVERIFY << OP_CHECKSIGADD;
    EXPECT_EQ(singles.GetSigOpCount(true), 2U);
    EXPECT_EQ(singles.GetSigOpCount(false), 2U);

    // Opcode bytes inside pushed data are data, not sigops.
    Script data;
    data << std::vector<uint8_t>{OP_CHECKSIG, OP_CHECKMULTISIG};
    EXPECT_EQ(data.GetSigOpCount(false), 0U);

    // Counting stops at a truncated push.
    Script truncated;
    truncated << OP_CHECKSIG;
    truncated.Append(std::vector<uint8_t>{OP_PUSHDATA1, 0x05, OP_CHECKSIG});
    EXPECT_EQ(truncated.GetSigOpCount(true), 1U);

    // P2SH: the redeem script is the last push of scriptSig.
    const Uint160 script_hash = Hash160(multisig.span());
    Script p2sh;
    p2sh << OP_HASH160 << std::vector<uint8_t>(script_hash.begin(), script_hash.end()) << OP_EQUAL;
    ASSERT_TRUE(p2sh.IsPayToScriptHash());
    Script script_sig;
    script_sig << OP_0 << std::vector<uint8_t>(71, 0x30) << multisig.bytes();
    EXPECT_EQ(p2sh.GetP2SHSigOpCount(script_sig), 3U);
    Script non_push_sig = script_sig;
    non_push_sig << OP_NOP;
    EXPECT_EQ(p2sh.GetP2SHSigOpCount(non_push_sig), 0U);
    Script ends_with_small_int = script_sig;
    ends_with_small_int << OP_1;
    EXPECT_EQ(p2sh.GetP2SHSigOpCount(ends_with_small_int), 0U);
    EXPECT_EQ(p2sh.GetP2SHSigOpCount(Script{}), 0U);
    EXPECT_EQ(multisig.GetP2SHSigOpCount(script_sig), 3U); // not P2SH: own accurate count
}

TEST(ScriptHelpers, Unspendable)
{
    EXPECT_TRUE((Script{} << OP_RETURN).IsUnspendable());
    EXPECT_FALSE(Script{}.IsUnspendable());
    EXPECT_FALSE((Script{} << OP_NOP << OP_RETURN).IsUnspendable());
    EXPECT_TRUE(Script{std::vector<uint8_t>(MAX_SCRIPT_SIZE + 1, OP_NOP)}.IsUnspendable());
    EXPECT_FALSE(Script{std::vector<uint8_t>(MAX_SCRIPT_SIZE, OP_NOP)}.IsUnspendable());
}

TEST(ScriptHelpers, NumberEncodings)
{
    struct Case
    {
        int64_t n;
        const char* num_hex;  // EncodeNum
        const char* push_hex; // PushInt
    };
    const std::vector<Case> cases{
        {0, "", "00"},
        {1, "01", "51"},
        {-1, "81", "4f"},
        {16, "10", "60"},
        {17, "11", "0111"},
        {-2, "82", "0182"},
        {127, "7f", "017f"},
        {-127, "ff", "01ff"},
        {128, "8000", "028000"},
        {-128, "8080", "028080"},
        {255, "ff00", "02ff00"},
        {-255, "ff80", "02ff80"},
        {256, "0001", "020001"},
        {-256, "0081", "020081"},
        {2147483647, "ffffff7f", "04ffffff7f"},
        {-2147483647, "ffffffff", "04ffffffff"},
        {-2147483648LL, "0000008080", "050000008080"},
        {2147483648LL, "0000008000", "050000008000"},
        {std::numeric_limits<int64_t>::max(), "ffffffffffffff7f", "08ffffffffffffff7f"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE("n=" + std::to_string(c.n));
        EXPECT_EQ(util::HexStr(Script::EncodeNum(c.n)), c.num_hex);
        Script s;
        s.PushInt(c.n);
        EXPECT_EQ(util::HexStr(s.bytes()), c.push_hex);
        EXPECT_TRUE(s.IsPushOnly());
    }
}

TEST(ScriptHelpers, SerializationIsLengthPrefixed)
{
    Script s;
    s << OP_DUP << OP_HASH160;
    EXPECT_EQ(Encode(s), Hex("0276a9"));
    auto back = Decode<Script>(Hex("0276a9"));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, s);
    EXPECT_EQ(GetOpName(OP_DUP), "OP_DUP");
    EXPECT_EQ(GetOpName(OP_0), "0");
    EXPECT_EQ(GetOpName(OP_5), "5");
    EXPECT_EQ(GetOpName(static_cast<Opcode>(0xbb)), "OP_UNKNOWN");
}
