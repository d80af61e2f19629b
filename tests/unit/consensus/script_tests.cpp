// Bitcoin Core's script_tests.json run case by case against VerifyScript,
// plus direct tests of the interpreter's building blocks.
#include "test_util.h"

#include <consensus/crypto/pubkey.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/taproot.h>
#include <util/strings.h>

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace consensus;

namespace {

struct ScriptCase
{
    size_t row{0};
    std::string text;
    ScriptWitness witness;
    Amount amount{0};
    Script script_sig;
    Script script_pubkey;
    uint32_t flags{0};
    ScriptError expected{ScriptError::OK};
};

/// Core's script test key0 (private key 1): its x-only public key is G's x coordinate.
Uint256 Key0XOnly()
{
    const auto x =
        util::TryParseHex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
    return Uint256{*x};
}

/// Parses one row; fills `out` or returns an error description.
std::string ParseCase(const nlohmann::json& row, ScriptCase& out)
{
    size_t pos = 0;
    std::vector<uint8_t> tapscript;
    bool taproot_output = false;
    Uint256 output_key;
    if (row[0].is_array()) {
        const auto& wit = row[0];
        if (wit.empty()) return "empty witness array";
        for (size_t i = 0; i + 1 < wit.size(); ++i) {
            const std::string element = wit[i].get<std::string>();
            static const std::string SCRIPT_FLAG{"#SCRIPT#"};
            if (element.starts_with(SCRIPT_FLAG)) {
                const auto script = testutil::ParseScriptAsm(element.substr(SCRIPT_FLAG.size()));
                if (!script) return "bad #SCRIPT#";
                tapscript = script->bytes();
                out.witness.stack.push_back(tapscript);
            } else if (element == "#CONTROLBLOCK#") {
                // A one-leaf tree over the script pushed just before, internal key key0.
                const Uint256 leaf =
                    ComputeTapleafHash(TAPROOT_LEAF_TAPSCRIPT, out.witness.stack.back());
                const XOnlyPubKey internal{Key0XOnly()};
                const auto tweaked = internal.CreateTapTweak(&leaf);
                if (!tweaked) return "tweak failed";
                output_key = tweaked->first.bytes();
                taproot_output = true;
                std::vector<uint8_t> control{
                    static_cast<uint8_t>(TAPROOT_LEAF_TAPSCRIPT | (tweaked->second ? 1 : 0))};
                control.insert(control.end(), internal.bytes().begin(), internal.bytes().end());
                out.witness.stack.push_back(std::move(control));
            } else {
                const auto bytes = testutil::ParseHex(element);
                if (!bytes) return "bad witness hex";
                out.witness.stack.push_back(*bytes);
            }
        }
        if (!wit.back().is_number()) return "amount is not a number";
        out.amount = static_cast<Amount>(std::llround(wit.back().get<double>() * COIN));
        ++pos;
    }
    if (row.size() < 4 + pos) return "too short";
    const auto sig = testutil::ParseScriptAsm(row[pos++].get<std::string>());
    if (!sig) return "bad scriptSig";
    out.script_sig = *sig;
    const std::string spk_text = row[pos++].get<std::string>();
    if (spk_text == "0x51 0x20 #TAPROOTOUTPUT#") {
        if (!taproot_output) return "#TAPROOTOUTPUT# without #CONTROLBLOCK#";
        out.script_pubkey = Script{};
        out.script_pubkey << OP_1 << std::vector<uint8_t>(output_key.begin(), output_key.end());
    } else {
        const auto spk = testutil::ParseScriptAsm(spk_text);
        if (!spk) return "bad scriptPubKey";
        out.script_pubkey = *spk;
    }
    const auto flags = ParseScriptFlags(row[pos++].get<std::string>());
    if (!flags) return "bad flags";
    out.flags = *flags;
    out.expected = ScriptErrorFromName(row[pos++].get<std::string>());
    if (out.expected == ScriptError::ERROR_COUNT) return "unknown error name";
    return {};
}

struct Loaded
{
    size_t rows{0};
    size_t comments{0};
    std::vector<ScriptCase> cases;
    std::vector<std::string> problems;
};

const Loaded& Vectors()
{
    static const Loaded loaded = [] {
        Loaded l;
        const auto data = testutil::LoadJson("core/script_tests.json");
        if (!data.is_array()) {
            l.problems.push_back("cannot load core/script_tests.json");
            return l;
        }
        l.rows = data.size();
        for (size_t i = 0; i < data.size(); ++i) {
            const auto& row = data[i];
            // Rows of a single string are comments.
            if (row.size() == 1 && row[0].is_string()) {
                ++l.comments;
                continue;
            }
            ScriptCase c;
            c.row = i;
            c.text = row.dump();
            const std::string problem = ParseCase(row, c);
            if (!problem.empty()) {
                l.problems.push_back("row " + std::to_string(i) + ": " + problem + ": " + c.text);
                continue;
            }
            l.cases.push_back(std::move(c));
        }
        return l;
    }();
    return loaded;
}

/// Runs a case as Core's DoTest does; returns the verification result and error.
bool RunCase(const ScriptCase& c, uint32_t flags, ScriptError& err)
{
    const Transaction credit{testutil::BuildCreditingTransaction(c.script_pubkey, c.amount)};
    const Transaction spend{testutil::BuildSpendingTransaction(c.script_sig, c.witness, credit)};
    PrecomputedTxData txdata;
    txdata.Init(spend, {credit.vout[0]});
    const TransactionSignatureChecker checker{&spend, 0, credit.vout[0].value, txdata};
    return VerifyScript(c.script_sig, c.script_pubkey, &spend.vin[0].witness, flags, checker, &err);
}

TEST(ScriptTests, CoreVectorFileShape)
{
    const Loaded& v = Vectors();
    for (const auto& p : v.problems)
        ADD_FAILURE() << p;
    EXPECT_EQ(v.rows, 1273u);
    EXPECT_EQ(v.comments, 51u);
    EXPECT_EQ(v.cases.size(), 1222u);
    EXPECT_EQ(v.cases.size() + v.comments + v.problems.size(), v.rows);
}

TEST(ScriptTests, CoreVectors)
{
    const Loaded& v = Vectors();
    std::mt19937 rng{20260101};
    size_t ran = 0, ok_cases = 0, fail_cases = 0;
    for (const ScriptCase& c : v.cases) {
        SCOPED_TRACE("script_tests.json row " + std::to_string(c.row) + ": " + c.text);
        uint32_t flags = c.flags;
        // As Core's harness: CLEANSTACK is only defined together with P2SH and WITNESS.
        if (flags & SCRIPT_VERIFY_CLEANSTACK) flags |= SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS;
        const bool expect = c.expected == ScriptError::OK;
        ScriptError err = ScriptError::UNKNOWN_ERROR;
        const bool result = RunCase(c, flags, err);
        EXPECT_EQ(result, expect);
        EXPECT_EQ(ScriptErrorName(err), ScriptErrorName(c.expected));
        ++ran;
        (expect ? ok_cases : fail_cases)++;

        // Removing flags from a passing case, or adding to a failing one, keeps the outcome.
        for (int i = 0; i < 16; ++i) {
            const uint32_t extra = rng() & SCRIPT_VERIFY_ALL_FLAGS;
            const uint32_t combined = expect ? (flags & ~extra) : (flags | extra);
            if (!IsValidFlagCombination(combined)) continue;
            ScriptError err2;
            EXPECT_EQ(RunCase(c, combined, err2), expect)
                << "with flags " << FormatScriptFlags(combined);
        }
    }
    EXPECT_EQ(ran, 1222u);
    EXPECT_EQ(ok_cases, 675u);
    EXPECT_EQ(fail_cases, 547u);
}

// ---- building blocks -------------------------------------------------------------

std::vector<uint8_t> H(std::string_view hex)
{
    return *util::TryParseHex(hex);
}

bool Eval(std::string_view asm_text, uint32_t flags, std::vector<std::vector<uint8_t>>& stack,
          ScriptError& err, SigVersion sigversion = SigVersion::BASE)
{
    const auto script = testutil::ParseScriptAsm(asm_text);
    if (!script) {
        ADD_FAILURE() << "bad asm " << asm_text;
        return false;
    }
    ScriptExecutionData execdata;
    return EvalScript(stack, *script, flags, BaseSignatureChecker{}, sigversion, execdata, &err);
}

TEST(ScriptTests, FlagNamesRoundTrip)
{
    EXPECT_EQ(*ScriptFlagFromName("P2SH"), SCRIPT_VERIFY_P2SH);
    EXPECT_EQ(*ScriptFlagFromName("DISCOURAGE_UPGRADABLE_PUBKEYTYPE"), 1U << 20);
    EXPECT_FALSE(ScriptFlagFromName("P2SH "));
    EXPECT_FALSE(ParseScriptFlags("P2SH,BOGUS"));
    EXPECT_EQ(*ParseScriptFlags("NONE"), 0u);
    EXPECT_EQ(*ParseScriptFlags(""), 0u);
    for (uint32_t bit = 1; bit <= SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE; bit <<= 1) {
        EXPECT_EQ(*ParseScriptFlags(FormatScriptFlags(bit)), bit);
    }
    EXPECT_EQ(*ParseScriptFlags(FormatScriptFlags(SCRIPT_VERIFY_ALL_FLAGS)),
              SCRIPT_VERIFY_ALL_FLAGS);
    EXPECT_TRUE(IsValidFlagCombination(SCRIPT_VERIFY_ALL_FLAGS));
    EXPECT_FALSE(IsValidFlagCombination(SCRIPT_VERIFY_WITNESS));
    EXPECT_FALSE(IsValidFlagCombination(SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_CLEANSTACK));
}

TEST(ScriptTests, ErrorNamesRoundTrip)
{
    for (int i = 0; i < static_cast<int>(ScriptError::ERROR_COUNT); ++i) {
        const auto e = static_cast<ScriptError>(i);
        EXPECT_EQ(ScriptErrorFromName(ScriptErrorName(e)), e) << i;
        EXPECT_FALSE(ScriptErrorString(e).empty());
    }
    EXPECT_EQ(ScriptErrorName(ScriptError::SIG_NULLFAIL), "NULLFAIL");
    EXPECT_EQ(ScriptErrorFromName("NOPE"), ScriptError::ERROR_COUNT);
}

TEST(ScriptTests, CastToBool)
{
    EXPECT_FALSE(CastToBool({}));
    EXPECT_FALSE(CastToBool(H("00")));
    EXPECT_FALSE(CastToBool(H("80")));
    EXPECT_FALSE(CastToBool(H("000080")));
    EXPECT_TRUE(CastToBool(H("01")));
    EXPECT_TRUE(CastToBool(H("8000")));
    EXPECT_TRUE(CastToBool(H("000081")));
}

TEST(ScriptTests, MinimalPush)
{
    EXPECT_TRUE(CheckMinimalPush({}, OP_0));
    EXPECT_FALSE(CheckMinimalPush({}, OP_PUSHDATA1));
    EXPECT_FALSE(CheckMinimalPush(H("05"), 1));
    EXPECT_FALSE(CheckMinimalPush(H("81"), 1));
    EXPECT_TRUE(CheckMinimalPush(H("11"), 1));
    const std::vector<uint8_t> d76(76, 1), d256(256, 1);
    EXPECT_TRUE(CheckMinimalPush(d76, OP_PUSHDATA1));
    EXPECT_FALSE(CheckMinimalPush(d76, OP_PUSHDATA2));
    EXPECT_TRUE(CheckMinimalPush(d256, OP_PUSHDATA2));
}

TEST(ScriptTests, FindAndDeleteFollowsOpcodeBoundaries)
{
    // Cases from Bitcoin Core's FindAndDelete unit test semantics.
    auto run = [](std::string_view script_hex, std::string_view pattern_hex,
                  std::string_view want_hex, int want_n) {
        Script s{H(script_hex)};
        const Script p{H(pattern_hex)};
        EXPECT_EQ(FindAndDelete(s, p), want_n) << script_hex;
        EXPECT_EQ(util::HexStr(s.bytes()), want_hex) << script_hex;
    };
    run("0302ff030302ff03", "0302ff03", "", 2);
    run("0302ff030302ff03", "02", "0302ff030302ff03", 0); // not at a boundary
    run("0302ff030302ff03", "ff", "0302ff030302ff03", 0);
    run("02feed5169", "feed51", "02feed5169", 0);
    run("02feed5169", "02feed51", "69", 1);
    run("516902feed5169", "feed51", "516902feed5169", 0);
    run("516902feed5169", "02feed51", "516969", 1);
    run("0003feed", "03feed", "00", 1); // OP_0 then push
    run("0003feed", "00", "03feed", 1);
    run("00030000", "00", "030000", 1); // a truncated push ends the scan
    run("ab", "", "ab", 0);             // empty pattern deletes nothing
}

TEST(ScriptTests, DisabledOpcodesFailUnexecuted)
{
    for (std::string_view op : {"CAT", "SUBSTR", "LEFT", "RIGHT", "INVERT", "AND", "OR", "XOR",
                                "2MUL", "2DIV", "MUL", "DIV", "MOD", "LSHIFT", "RSHIFT"}) {
        std::vector<std::vector<uint8_t>> stack;
        ScriptError err;
        EXPECT_FALSE(Eval("0 IF " + std::string{op} + " ENDIF 1", 0, stack, err)) << op;
        EXPECT_EQ(err, ScriptError::DISABLED_OPCODE) << op;
    }
    for (std::string_view op : {"VERIF", "VERNOTIF"}) {
        std::vector<std::vector<uint8_t>> stack;
        ScriptError err;
        EXPECT_FALSE(Eval("0 IF " + std::string{op} + " ENDIF 1", 0, stack, err)) << op;
        EXPECT_EQ(err, ScriptError::BAD_OPCODE) << op;
    }
    std::vector<std::vector<uint8_t>> stack;
    ScriptError err;
    EXPECT_TRUE(Eval("0 IF VER RESERVED ENDIF 1", 0, stack, err));
    EXPECT_EQ(err, ScriptError::OK);
}

TEST(ScriptTests, ScriptNumberLimits)
{
    std::vector<std::vector<uint8_t>> stack;
    ScriptError err;
    EXPECT_TRUE(Eval("2147483647 1ADD 2147483648 EQUAL", 0, stack, err));
    EXPECT_EQ(stack.back(), H("01"));
    stack.clear();
    EXPECT_FALSE(Eval("0x05 0x0000000080 1ADD", 0, stack, err));
    EXPECT_EQ(err, ScriptError::SCRIPTNUM);
    stack.clear();
    EXPECT_FALSE(Eval("0x02 0x0100 1ADD", SCRIPT_VERIFY_MINIMALDATA, stack, err));
    EXPECT_EQ(err, ScriptError::SCRIPTNUM);
    stack.clear();
    EXPECT_TRUE(Eval("0x02 0x0100 1ADD", 0, stack, err));
    EXPECT_EQ(stack.back(), H("02"));
    stack.clear();
    EXPECT_TRUE(Eval("-5 ABS 0x01 0x85 NEGATE", 0, stack, err));
    EXPECT_EQ(stack[0], H("05"));
    EXPECT_EQ(stack[1], H("05"));
}

TEST(ScriptTests, StackAndOpLimits)
{
    std::string many_ops = "1";
    for (int i = 0; i < 201; ++i)
        many_ops += " NOP";
    std::vector<std::vector<uint8_t>> stack;
    ScriptError err;
    EXPECT_TRUE(Eval(many_ops, 0, stack, err));
    stack.clear();
    EXPECT_FALSE(Eval(many_ops + " NOP", 0, stack, err));
    EXPECT_EQ(err, ScriptError::OP_COUNT);
    // Tapscript has no opcode limit.
    stack.clear();
    EXPECT_TRUE(Eval(many_ops + " NOP", 0, stack, err, SigVersion::TAPSCRIPT));

    std::string deep;
    for (int i = 0; i < 1000; ++i)
        deep += "1 ";
    stack.clear();
    EXPECT_TRUE(Eval(deep, 0, stack, err));
    stack.clear();
    EXPECT_FALSE(Eval(deep + "1", 0, stack, err));
    EXPECT_EQ(err, ScriptError::STACK_SIZE);

    Script big{std::vector<uint8_t>(10'001, OP_NOP)};
    stack.clear();
    EXPECT_FALSE(EvalScript(stack, big, 0, BaseSignatureChecker{}, SigVersion::BASE, &err));
    EXPECT_EQ(err, ScriptError::SCRIPT_SIZE);
}

TEST(ScriptTests, TapscriptMinimalIfAndCheckSigAdd)
{
    std::vector<std::vector<uint8_t>> stack{H("02")};
    ScriptError err;
    EXPECT_FALSE(Eval("IF 1 ENDIF", 0, stack, err, SigVersion::TAPSCRIPT));
    EXPECT_EQ(err, ScriptError::TAPSCRIPT_MINIMALIF);
    stack = {H("02")};
    EXPECT_TRUE(Eval("IF 1 ENDIF", 0, stack, err, SigVersion::BASE));

    // Empty signature: no check, counter unchanged.
    stack = {{}, H("05"), std::vector<uint8_t>(32, 1)};
    ScriptExecutionData execdata;
    execdata.validation_weight_left_init = true;
    execdata.validation_weight_left = 100;
    const Script add{std::vector<uint8_t>{OP_CHECKSIGADD}};
    EXPECT_TRUE(
        EvalScript(stack, add, 0, BaseSignatureChecker{}, SigVersion::TAPSCRIPT, execdata, &err));
    ASSERT_EQ(stack.size(), 1u);
    EXPECT_EQ(stack[0], H("05"));
    // Empty pubkey fails even with an empty signature.
    stack = {{}, H("05"), {}};
    EXPECT_FALSE(
        EvalScript(stack, add, 0, BaseSignatureChecker{}, SigVersion::TAPSCRIPT, execdata, &err));
    EXPECT_EQ(err, ScriptError::TAPSCRIPT_EMPTY_PUBKEY);
    // Unknown key type with a signature: counted as success, unless discouraged.
    stack = {H("01"), H("05"), H("0102")};
    EXPECT_TRUE(
        EvalScript(stack, add, 0, BaseSignatureChecker{}, SigVersion::TAPSCRIPT, execdata, &err));
    EXPECT_EQ(stack[0], H("06"));
    EXPECT_EQ(execdata.validation_weight_left, 50);
    stack = {H("01"), H("05"), H("0102")};
    EXPECT_FALSE(EvalScript(stack, add, SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE,
                            BaseSignatureChecker{}, SigVersion::TAPSCRIPT, execdata, &err));
    EXPECT_EQ(err, ScriptError::DISCOURAGE_UPGRADABLE_PUBKEYTYPE);
    // Budget exhausted.
    stack = {H("01"), H("05"), H("0102")};
    execdata.validation_weight_left = 49;
    EXPECT_FALSE(
        EvalScript(stack, add, 0, BaseSignatureChecker{}, SigVersion::TAPSCRIPT, execdata, &err));
    EXPECT_EQ(err, ScriptError::TAPSCRIPT_VALIDATION_WEIGHT);
    // Not an opcode before tapscript.
    stack = {{}, H("05"), std::vector<uint8_t>(32, 1)};
    EXPECT_FALSE(
        EvalScript(stack, add, 0, BaseSignatureChecker{}, SigVersion::WITNESS_V0, execdata, &err));
    EXPECT_EQ(err, ScriptError::BAD_OPCODE);
    // The counter is a 4-byte script number, minimal only under MINIMALDATA.
    stack = {{}, H("0500"), std::vector<uint8_t>(32, 1)};
    EXPECT_TRUE(
        EvalScript(stack, add, 0, BaseSignatureChecker{}, SigVersion::TAPSCRIPT, execdata, &err));
    EXPECT_EQ(stack[0], H("05"));
    stack = {{}, H("0500"), std::vector<uint8_t>(32, 1)};
    EXPECT_FALSE(EvalScript(stack, add, SCRIPT_VERIFY_MINIMALDATA, BaseSignatureChecker{},
                            SigVersion::TAPSCRIPT, execdata, &err));
    EXPECT_EQ(err, ScriptError::SCRIPTNUM);
    stack = {{}, H("0000000001"), std::vector<uint8_t>(32, 1)};
    EXPECT_FALSE(
        EvalScript(stack, add, 0, BaseSignatureChecker{}, SigVersion::TAPSCRIPT, execdata, &err));
    EXPECT_EQ(err, ScriptError::SCRIPTNUM);
    // CHECKMULTISIG is gone in tapscript.
    stack = {{}, {}, {}};
    const Script cms{std::vector<uint8_t>{OP_CHECKMULTISIG}};
    EXPECT_FALSE(
        EvalScript(stack, cms, 0, BaseSignatureChecker{}, SigVersion::TAPSCRIPT, execdata, &err));
    EXPECT_EQ(err, ScriptError::TAPSCRIPT_CHECKMULTISIG);
}

TEST(ScriptTests, OpSuccessSet)
{
    int count = 0;
    for (int op = 0; op < 256; ++op)
        count += IsOpSuccess(static_cast<uint8_t>(op));
    // 80, 98, 126-129, 131-134, 137-138, 141-142, 149-153, 187-254.
    EXPECT_EQ(count, 1 + 1 + 4 + 4 + 2 + 2 + 5 + 68);
    EXPECT_TRUE(IsOpSuccess(OP_RESERVED));
    EXPECT_TRUE(IsOpSuccess(OP_CAT));
    EXPECT_FALSE(IsOpSuccess(OP_CHECKSIGADD));
    EXPECT_FALSE(IsOpSuccess(OP_INVALIDOPCODE));
}

TEST(ScriptTests, StrictDerEncoding)
{
    const auto good = H("3006020101020101"
                        "01");
    EXPECT_TRUE(IsValidSignatureEncoding(good));
    EXPECT_FALSE(IsValidSignatureEncoding(H("3006020101020101"))); // too short
    EXPECT_FALSE(IsValidSignatureEncoding(H("3106020101020101"
                                            "01"))); // wrong tag
    EXPECT_FALSE(IsValidSignatureEncoding(H("3007020101020101"
                                            "01")));                   // wrong length
    EXPECT_FALSE(IsValidSignatureEncoding(H("300602018102010101")));   // negative R
    EXPECT_FALSE(IsValidSignatureEncoding(H("30070202000102010101"))); // padded R
    EXPECT_TRUE(IsValidSignatureEncoding(H("30070202008102010101")));  // needed pad
}

TEST(ScriptTests, AsmParser)
{
    EXPECT_EQ(util::HexStr(testutil::ParseScriptAsm("0 1 16 17 -1 1000 -1000")->bytes()),
              "00516001114f02e80302e883");
    EXPECT_EQ(util::HexStr(testutil::ParseScriptAsm("DUP OP_HASH160 0x14 'Az'")->bytes()),
              "76a914"
              "02417a");
    EXPECT_EQ(util::HexStr(testutil::ParseScriptAsm("  NOP2 ")
                               .value_or(Script{std::vector<uint8_t>{0xee}})
                               .bytes()),
              "ee"); // NOP2 is not a name Core's parser knows
    EXPECT_EQ(util::HexStr(testutil::ParseScriptAsm("CHECKLOCKTIMEVERIFY RESERVED")->bytes()),
              "b150");
    EXPECT_FALSE(testutil::ParseScriptAsm("4294967296"));
    EXPECT_FALSE(testutil::ParseScriptAsm("BOGUS"));
    EXPECT_TRUE(testutil::ParseScriptAsm("")->empty());
}

} // namespace
