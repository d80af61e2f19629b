// common::Solver against hand-written scripts for every template of Core's Solver,
// including the edge cases its matching rules imply.
#include <common/solver.h>

#include <util/strings.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

using common::Solver;
using common::TxoutType;
using consensus::Script;
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

// The secp256k1 generator, compressed and uncompressed; and a hybrid (06) form of it.
const std::string KEY_C = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
const std::string KEY_U = "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                          "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";
const std::string KEY_H = "06" + KEY_U.substr(2);
const std::string H20 = "89abcdefabbaabbaabbaabbaabbaabbaabbaabba";
const std::string H32 = "0101010101010101010101010101010101010101010101010101010101010101";

struct Solved
{
    TxoutType type;
    std::vector<Bytes> solutions;
};

Solved Solve(const std::string& hex)
{
    Solved out;
    // Pre-filled to check that Solver clears what it is given.
    out.solutions = {Bytes{0xde, 0xad}};
    out.type = Solver(S(hex), out.solutions);
    return out;
}

void ExpectNonstandard(const std::string& hex)
{
    const auto r = Solve(hex);
    EXPECT_EQ(r.type, TxoutType::NONSTANDARD) << hex;
    EXPECT_TRUE(r.solutions.empty()) << hex;
}

} // namespace

TEST(SolverTest, TypeNamesAreCores)
{
    EXPECT_EQ(common::TxoutTypeName(TxoutType::NONSTANDARD), "nonstandard");
    EXPECT_EQ(common::TxoutTypeName(TxoutType::ANCHOR), "anchor");
    EXPECT_EQ(common::TxoutTypeName(TxoutType::PUBKEY), "pubkey");
    EXPECT_EQ(common::TxoutTypeName(TxoutType::PUBKEYHASH), "pubkeyhash");
    EXPECT_EQ(common::TxoutTypeName(TxoutType::SCRIPTHASH), "scripthash");
    EXPECT_EQ(common::TxoutTypeName(TxoutType::MULTISIG), "multisig");
    EXPECT_EQ(common::TxoutTypeName(TxoutType::NULL_DATA), "nulldata");
    EXPECT_EQ(common::TxoutTypeName(TxoutType::WITNESS_V0_SCRIPTHASH), "witness_v0_scripthash");
    EXPECT_EQ(common::TxoutTypeName(TxoutType::WITNESS_V0_KEYHASH), "witness_v0_keyhash");
    EXPECT_EQ(common::TxoutTypeName(TxoutType::WITNESS_V1_TAPROOT), "witness_v1_taproot");
    EXPECT_EQ(common::TxoutTypeName(TxoutType::WITNESS_UNKNOWN), "witness_unknown");
}

TEST(SolverTest, PayToPubkeyHash)
{
    const auto r = Solve("76a914" + H20 + "88ac");
    EXPECT_EQ(r.type, TxoutType::PUBKEYHASH);
    EXPECT_EQ(r.solutions, std::vector<Bytes>{Hex(H20)});
    // Same bytes with a non-minimal PUSHDATA1 for the hash, one byte short, wrong final op.
    ExpectNonstandard("76a94c14" + H20 + "88ac");
    ExpectNonstandard("76a913" + H20.substr(2) + "88ac");
    ExpectNonstandard("76a914" + H20 + "88ad");
}

TEST(SolverTest, PayToScriptHash)
{
    const auto r = Solve("a914" + H20 + "87");
    EXPECT_EQ(r.type, TxoutType::SCRIPTHASH);
    EXPECT_EQ(r.solutions, std::vector<Bytes>{Hex(H20)});
    ExpectNonstandard("a914" + H20 + "88");
    ExpectNonstandard("a94c14" + H20 + "87");
    ExpectNonstandard("a914" + H20 + "8787");
}

TEST(SolverTest, PayToPubkey)
{
    auto r = Solve("21" + KEY_C + "ac");
    EXPECT_EQ(r.type, TxoutType::PUBKEY);
    EXPECT_EQ(r.solutions, std::vector<Bytes>{Hex(KEY_C)});
    r = Solve("41" + KEY_U + "ac");
    EXPECT_EQ(r.type, TxoutType::PUBKEY);
    EXPECT_EQ(r.solutions, std::vector<Bytes>{Hex(KEY_U)});
    // Core's size rule admits hybrid (06/07) uncompressed keys.
    r = Solve("41" + KEY_H + "ac");
    EXPECT_EQ(r.type, TxoutType::PUBKEY);

    // A 33-byte push must be an 02/03 key, a 65-byte push an 04/06/07 key.
    ExpectNonstandard("21" + ("04" + KEY_C.substr(2)) + "ac");
    ExpectNonstandard("21" + ("05" + KEY_C.substr(2)) + "ac");
    ExpectNonstandard("41" + ("02" + KEY_U.substr(2)) + "ac");
    ExpectNonstandard("41" + ("05" + KEY_U.substr(2)) + "ac");
    // CHECKSIGVERIFY, a non-minimal push and trailing bytes are not P2PK.
    ExpectNonstandard("21" + KEY_C + "ad");
    ExpectNonstandard("4c21" + KEY_C + "ac");
    ExpectNonstandard("21" + KEY_C + "acac");
}

TEST(SolverTest, SegwitV0AndTaproot)
{
    auto r = Solve("0014" + H20);
    EXPECT_EQ(r.type, TxoutType::WITNESS_V0_KEYHASH);
    EXPECT_EQ(r.solutions, std::vector<Bytes>{Hex(H20)});
    r = Solve("0020" + H32);
    EXPECT_EQ(r.type, TxoutType::WITNESS_V0_SCRIPTHASH);
    EXPECT_EQ(r.solutions, std::vector<Bytes>{Hex(H32)});
    r = Solve("5120" + H32);
    EXPECT_EQ(r.type, TxoutType::WITNESS_V1_TAPROOT);
    EXPECT_EQ(r.solutions, std::vector<Bytes>{Hex(H32)});

    // Version 0 programs of any other length are unspendable, hence nonstandard.
    ExpectNonstandard("0015" + H20 + "00");
    ExpectNonstandard("0002abcd");
    ExpectNonstandard("0028" + Rep("11", 40));
    ExpectNonstandard("001f" + H32.substr(2));
}

TEST(SolverTest, PayToAnchor)
{
    const auto r = Solve("51024e73");
    EXPECT_EQ(r.type, TxoutType::ANCHOR);
    EXPECT_TRUE(r.solutions.empty());
    // Any other 2-byte version 1 program is an unknown witness program.
    const auto other = Solve("51024e74");
    EXPECT_EQ(other.type, TxoutType::WITNESS_UNKNOWN);
    EXPECT_EQ(other.solutions, (std::vector<Bytes>{{0x01}, {0x4e, 0x73 + 1}}));
    // The anchor bytes under version 0 or 2 are not an anchor.
    ExpectNonstandard("00024e73");
    EXPECT_EQ(Solve("52024e73").type, TxoutType::WITNESS_UNKNOWN);
}

TEST(SolverTest, UnknownWitnessVersionsAllLengths)
{
    for (int version = 1; version <= 16; ++version) {
        for (size_t len = 2; len <= 40; ++len) {
            if (version == 1 && len == 32) continue; // taproot
            if (version == 1 && len == 2) continue;  // checked with the anchor above
            char op[3];
            std::snprintf(op, sizeof(op), "%02x", 0x50 + version);
            char push[3];
            std::snprintf(push, sizeof(push), "%02x", static_cast<unsigned>(len));
            const std::string program = Rep("a5", len);
            const auto r = Solve(std::string{op} + push + program);
            EXPECT_EQ(r.type, TxoutType::WITNESS_UNKNOWN) << version << " " << len;
            ASSERT_EQ(r.solutions.size(), 2u);
            EXPECT_EQ(r.solutions[0], Bytes{static_cast<uint8_t>(version)});
            EXPECT_EQ(r.solutions[1], Hex(program));
        }
    }
    // One byte and 41 bytes are outside the witness program lengths.
    ExpectNonstandard("5201a5");
    ExpectNonstandard("5229" + Rep("a5", 41));
    // OP_1NEGATE is no witness version; a PUSHDATA1 length byte is no direct push.
    ExpectNonstandard("4f02a5a5");
    ExpectNonstandard("524c02a5a5");
}

TEST(SolverTest, NullData)
{
    for (const std::string& hex : std::vector<std::string>{
             "6a",                    // bare OP_RETURN
             "6a04deadbeef",          // one push
             "6a0102",                // one byte
             "6a4c0100",              // non-minimal PUSHDATA1: push-only still holds
             "6a5160",                // small integers OP_1 OP_16
             "6a50",                  // OP_RESERVED counts as a push for Core
             "6a00",                  // OP_0
             "6a4f",                  // OP_1NEGATE
             "6a4c50" + Rep("ab", 80) // 83 bytes
         }) {
        const auto r = Solve(hex);
        EXPECT_EQ(r.type, TxoutType::NULL_DATA) << hex;
        EXPECT_TRUE(r.solutions.empty()) << hex;
    }
    ExpectNonstandard("6a76");           // non-push OP_DUP after OP_RETURN
    ExpectNonstandard("6a04deadbeef6a"); // a second OP_RETURN is not a push
    ExpectNonstandard("6a0501");         // truncated push
    ExpectNonstandard("6a4c");           // PUSHDATA1 without its length
    ExpectNonstandard("006a");           // OP_RETURN not first
}

TEST(SolverTest, MultisigBasic)
{
    auto r = Solve("51" + ("21" + KEY_C) + "51ae");
    EXPECT_EQ(r.type, TxoutType::MULTISIG);
    EXPECT_EQ(r.solutions, (std::vector<Bytes>{{1}, Hex(KEY_C), {1}}));

    r = Solve("52" + ("21" + KEY_C) + ("41" + KEY_U) + ("41" + KEY_H) + "53ae");
    EXPECT_EQ(r.type, TxoutType::MULTISIG);
    EXPECT_EQ(r.solutions, (std::vector<Bytes>{{2}, Hex(KEY_C), Hex(KEY_U), Hex(KEY_H), {3}}));

    // Keys pushed with PUSHDATA1 still parse as keys (Solver does not check push minimality
    // of keys).
    r = Solve("51" + ("4c21" + KEY_C) + "51ae");
    EXPECT_EQ(r.type, TxoutType::MULTISIG);
}

TEST(SolverTest, MultisigSixteenAndBeyond)
{
    std::string keys16;
    for (int i = 0; i < 16; ++i)
        keys16 += "21" + KEY_C;
    auto r = Solve("60" + keys16 + "60ae");
    ASSERT_EQ(r.type, TxoutType::MULTISIG);
    ASSERT_EQ(r.solutions.size(), 18u);
    EXPECT_EQ(r.solutions.front(), Bytes{16});
    EXPECT_EQ(r.solutions.back(), Bytes{16});

    // 17..20 can only be written as pushes (minimal one-byte pushes of 0x11..0x14).
    std::string keys20 = keys16;
    for (int i = 0; i < 4; ++i)
        keys20 += "21" + KEY_C;
    r = Solve("0114" + keys20 + "0114ae");
    ASSERT_EQ(r.type, TxoutType::MULTISIG);
    EXPECT_EQ(r.solutions.front(), Bytes{20});
    EXPECT_EQ(r.solutions.back(), Bytes{20});
    r = Solve("51" + keys20 + "0114ae");
    EXPECT_EQ(r.type, TxoutType::MULTISIG);
    EXPECT_EQ(r.solutions.front(), Bytes{1});

    // 21 keys exceed MAX_PUBKEYS_PER_MULTISIG.
    ExpectNonstandard("51" + keys20 + ("21" + KEY_C) + "0115ae");
    // 16 as a push (not OP_16) is not minimal.
    ExpectNonstandard("0110" + keys16 + "60ae");
    ExpectNonstandard("60" + keys16 + "0110ae");
    // 20 through PUSHDATA1 is not a minimal push; 0x1400 is not a minimal number.
    ExpectNonstandard("4c0114" + keys20 + "0114ae");
    ExpectNonstandard("021400" + keys20 + "0114ae");
    ExpectNonstandard("51" + keys20 + "021400ae");
}

TEST(SolverTest, MultisigMalformed)
{
    const std::string k = "21" + KEY_C;
    ExpectNonstandard("52" + k + "51ae");         // m > n
    ExpectNonstandard("00" + k + "51ae");         // m = 0
    ExpectNonstandard("51" + k + "52ae");         // count says 2, one key
    ExpectNonstandard("52" + k + k + k + "52ae"); // three keys, count 2
    ExpectNonstandard("5100ae");                  // no keys
    ExpectNonstandard("51" + k + "51af");         // CHECKMULTISIGVERIFY
    ExpectNonstandard("51" + k + "51aeae");       // trailing opcode
    ExpectNonstandard("51" + k + "ae");           // no key count
    ExpectNonstandard("ae");                      // only CHECKMULTISIG
    ExpectNonstandard("4f" + k + "51ae");         // OP_1NEGATE as m
    ExpectNonstandard("0181" + k + "51ae");       // -1 pushed as m
    // Invalid pubkeys: unknown prefix, compressed prefix with 65 bytes, short key.
    ExpectNonstandard("51" + ("21" + ("05" + KEY_C.substr(2))) + "51ae");
    ExpectNonstandard("51" + ("41" + ("03" + KEY_U.substr(2))) + "51ae");
    ExpectNonstandard("51" + ("20" + KEY_C.substr(2)) + "51ae");
    // A valid key followed by an invalid one.
    ExpectNonstandard("52" + k + ("21" + ("08" + KEY_C.substr(2))) + "52ae");
    // Truncated key push.
    ExpectNonstandard("5121" + KEY_C.substr(0, 40) + "ae");
}

TEST(SolverTest, OtherScriptsAreNonstandard)
{
    ExpectNonstandard("");
    ExpectNonstandard("51");                // OP_TRUE alone
    ExpectNonstandard("00");                // OP_0 alone
    ExpectNonstandard("ac");                // bare CHECKSIG
    ExpectNonstandard("76a988");            // truncated template
    ExpectNonstandard("a820" + H32 + "87"); // hash lock
}
