// Bitcoin Core's tx_valid.json and tx_invalid.json, checked the way Core's
// transaction_tests.cpp checks them: the stated flags, every single-flag
// change in the safe direction, random flag combinations, and that the
// stated flags are exactly the boundary (one flag more/less flips the result).
#include "test_util.h"

#include <consensus/script/interpreter.h>
#include <consensus/tx_check.h>
#include <consensus/validation_state.h>

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

using namespace consensus;

namespace {

constexpr uint32_t ALL = SCRIPT_VERIFY_ALL_FLAGS;

/// Every named flag, in bit order (Core iterates its flag-name map).
std::vector<uint32_t> NamedFlags()
{
    std::vector<uint32_t> out;
    for (uint32_t bit = 1; bit & ALL; bit <<= 1)
        out.push_back(bit);
    return out;
}

/// Drops flags whose prerequisites are missing (WITNESS needs P2SH, CLEANSTACK needs WITNESS).
uint32_t TrimFlags(uint32_t flags)
{
    flags &= ALL;
    if (!(flags & SCRIPT_VERIFY_P2SH)) flags &= ~SCRIPT_VERIFY_WITNESS;
    if (!(flags & SCRIPT_VERIFY_WITNESS)) flags &= ~SCRIPT_VERIFY_CLEANSTACK;
    return flags;
}

/// Adds the prerequisites of the flags present.
uint32_t FillFlags(uint32_t flags)
{
    flags &= ALL;
    if (flags & SCRIPT_VERIFY_CLEANSTACK) flags |= SCRIPT_VERIFY_WITNESS;
    if (flags & SCRIPT_VERIFY_WITNESS) flags |= SCRIPT_VERIFY_P2SH;
    return flags;
}

/// Each valid combination obtained by removing one flag from `flags`.
std::set<uint32_t> ExcludeIndividualFlags(uint32_t flags)
{
    std::set<uint32_t> out;
    for (uint32_t bit : NamedFlags()) {
        const uint32_t without = TrimFlags(flags & ~bit);
        if (without != flags) out.insert(without);
    }
    return out;
}

struct TxCase
{
    size_t row{0};
    std::string text;
    std::map<OutPoint, Script> scripts;
    std::map<OutPoint, Amount> amounts;
    TransactionRef tx;
    std::string flags_text;
};

std::string ParseTxCase(const nlohmann::json& row, TxCase& out)
{
    if (row.size() != 3 || !row[1].is_string() || !row[2].is_string()) return "bad shape";
    for (const auto& input : row[0]) {
        if (!input.is_array() || input.size() < 3 || input.size() > 4) return "bad input";
        const auto hash = Uint256::FromHex(input[0].get<std::string>());
        if (!hash) return "bad prevout hash";
        const OutPoint outpoint{*hash, static_cast<uint32_t>(input[1].get<int64_t>())};
        const auto script = testutil::ParseScriptAsm(input[2].get<std::string>());
        if (!script) return "bad prevout script";
        out.scripts[outpoint] = *script;
        if (input.size() == 4) out.amounts[outpoint] = input[3].get<int64_t>();
    }
    const auto bytes = testutil::ParseHex(row[1].get<std::string>());
    if (!bytes) return "bad tx hex";
    auto tx = DecodeTransaction(*bytes);
    if (!tx) return "undecodable tx: " + tx.error().message;
    out.tx = *tx;
    out.flags_text = row[2].get<std::string>();
    return {};
}

/// Core's CheckTxScripts: for expect_valid every input must verify with OK;
/// otherwise some input must fail with an error.
bool CheckTxScripts(const TxCase& c, uint32_t flags, bool expect_valid)
{
    const Transaction& tx = *c.tx;
    std::vector<TxOut> spent;
    for (const TxIn& in : tx.vin) {
        TxOut out;
        const auto s = c.scripts.find(in.prevout);
        if (s == c.scripts.end()) return false; // malformed case
        out.script_pubkey = s->second;
        const auto a = c.amounts.find(in.prevout);
        out.value = a == c.amounts.end() ? 0 : a->second;
        spent.push_back(std::move(out));
    }
    PrecomputedTxData txdata;
    txdata.Init(tx, spent);
    bool tx_valid = true;
    ScriptError err = ScriptError::OK;
    for (unsigned i = 0; i < tx.vin.size() && tx_valid; ++i) {
        const TransactionSignatureChecker checker{&tx, i, spent[i].value, txdata};
        tx_valid = VerifyScript(tx.vin[i].script_sig, spent[i].script_pubkey, &tx.vin[i].witness,
                                flags, checker, &err);
        if (expect_valid && (!tx_valid || err != ScriptError::OK)) return false;
    }
    if (!expect_valid) return !tx_valid && err != ScriptError::OK;
    return true;
}

std::vector<TxCase> LoadCases(std::string_view file, size_t& rows,
                              std::vector<std::string>& problems)
{
    std::vector<TxCase> cases;
    const auto data = testutil::LoadJson(file);
    if (!data.is_array()) {
        problems.push_back("cannot load " + std::string{file});
        return cases;
    }
    rows = data.size();
    for (size_t i = 0; i < data.size(); ++i) {
        const auto& row = data[i];
        if (!row.is_array() || row.empty() || !row[0].is_array()) continue; // comment
        TxCase c;
        c.row = i;
        c.text = row.dump();
        const std::string problem = ParseTxCase(row, c);
        if (!problem.empty()) {
            problems.push_back(std::string{file} + " row " + std::to_string(i) + ": " + problem);
            continue;
        }
        cases.push_back(std::move(c));
    }
    return cases;
}

TEST(TxVectors, TxValid)
{
    size_t rows = 0;
    std::vector<std::string> problems;
    const auto cases = LoadCases("core/tx_valid.json", rows, problems);
    for (const auto& p : problems)
        ADD_FAILURE() << p;
    EXPECT_EQ(rows, 250u);
    ASSERT_EQ(cases.size(), 121u);
    std::mt19937 rng{7};
    size_t ran = 0;
    for (const TxCase& c : cases) {
        SCOPED_TRACE("tx_valid.json row " + std::to_string(c.row) + ": " + c.text);
        TxValidationState state;
        EXPECT_TRUE(CheckTransaction(*c.tx, state)) << state.ToString();
        const auto excluded = ParseScriptFlags(c.flags_text);
        ASSERT_TRUE(excluded.has_value()) << c.flags_text;
        const uint32_t verify_flags = *excluded;
        const uint32_t full = ~verify_flags & ALL;
        EXPECT_EQ(full, FillFlags(full)) << "inconsistent excluded flags";
        EXPECT_TRUE(CheckTxScripts(c, full, true)) << "fails with " << FormatScriptFlags(full);
        // Removing flags never invalidates a valid transaction.
        for (uint32_t bit : NamedFlags()) {
            const uint32_t fewer = TrimFlags(~(verify_flags | bit));
            EXPECT_TRUE(CheckTxScripts(c, fewer, true))
                << "fails with " << FormatScriptFlags(fewer);
            const uint32_t random = TrimFlags(~(verify_flags | (rng() & ALL)));
            EXPECT_TRUE(CheckTxScripts(c, random, true))
                << "fails with " << FormatScriptFlags(random);
        }
        // The exclusions are all needed: putting any one back makes it fail.
        for (uint32_t flags_excluding_one : ExcludeIndividualFlags(verify_flags)) {
            const uint32_t more = ~flags_excluding_one & ALL;
            EXPECT_TRUE(CheckTxScripts(c, more, false))
                << "passes with " << FormatScriptFlags(more);
        }
        ++ran;
    }
    EXPECT_EQ(ran, 121u);
}

TEST(TxVectors, TxInvalid)
{
    size_t rows = 0;
    std::vector<std::string> problems;
    const auto cases = LoadCases("core/tx_invalid.json", rows, problems);
    for (const auto& p : problems)
        ADD_FAILURE() << p;
    EXPECT_EQ(rows, 201u);
    ASSERT_EQ(cases.size(), 93u);
    std::mt19937 rng{11};
    size_t ran = 0, bad_tx = 0;
    for (const TxCase& c : cases) {
        SCOPED_TRACE("tx_invalid.json row " + std::to_string(c.row) + ": " + c.text);
        ++ran;
        TxValidationState state;
        if (!CheckTransaction(*c.tx, state)) {
            EXPECT_EQ(c.flags_text, "BADTX") << state.ToString();
            ++bad_tx;
            continue;
        }
        const auto parsed = ParseScriptFlags(c.flags_text);
        ASSERT_TRUE(parsed.has_value())
            << "flags " << c.flags_text << " (BADTX passed CheckTransaction?)";
        const uint32_t verify_flags = *parsed;
        EXPECT_EQ(verify_flags, FillFlags(verify_flags)) << "inconsistent flags";
        EXPECT_TRUE(CheckTxScripts(c, verify_flags, false))
            << "passes with " << FormatScriptFlags(verify_flags);
        // Adding flags never validates an invalid transaction.
        for (uint32_t bit : NamedFlags()) {
            const uint32_t more = FillFlags(verify_flags | bit);
            EXPECT_TRUE(CheckTxScripts(c, more, false))
                << "passes with " << FormatScriptFlags(more);
            const uint32_t random = FillFlags(verify_flags | (rng() & ALL));
            EXPECT_TRUE(CheckTxScripts(c, random, false))
                << "passes with " << FormatScriptFlags(random);
        }
        // The flags are minimal: dropping any one makes it pass.
        for (uint32_t flags_excluding_one : ExcludeIndividualFlags(verify_flags)) {
            EXPECT_TRUE(CheckTxScripts(c, flags_excluding_one, true))
                << "fails with " << FormatScriptFlags(flags_excluding_one);
        }
    }
    EXPECT_EQ(ran, 93u);
    EXPECT_EQ(bad_tx, 9u);
}

} // namespace
