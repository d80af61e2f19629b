#include "test_util.h"

#include <util/strings.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>

using namespace consensus;

namespace testutil {

namespace {

const std::map<std::string, Opcode, std::less<>>& OpNames()
{
    static const std::map<std::string, Opcode, std::less<>> names = [] {
        std::map<std::string, Opcode, std::less<>> m;
        // As Core: every named opcode from OP_NOP up to OP_CHECKSIGADD, plus OP_RESERVED;
        // small numbers are written as decimals instead.
        for (int op = 0; op <= OP_CHECKSIGADD; ++op) {
            if (op < OP_NOP && op != OP_RESERVED) continue;
            const std::string name = GetOpName(static_cast<Opcode>(op));
            if (name == "OP_UNKNOWN") continue;
            m[name] = static_cast<Opcode>(op);
            if (name.starts_with("OP_")) m[name.substr(3)] = static_cast<Opcode>(op);
        }
        return m;
    }();
    return names;
}

bool AllDigits(std::string_view s)
{
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::optional<std::vector<uint8_t>> ParseHex(std::string_view hex)
{
    return util::TryParseHex(hex);
}

std::optional<Script> ParseScriptAsm(std::string_view text)
{
    Script result;
    size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n'))
            ++pos;
        if (pos >= text.size()) break;
        size_t end = pos;
        while (end < text.size() && text[end] != ' ' && text[end] != '\t' && text[end] != '\n')
            ++end;
        const std::string_view word = text.substr(pos, end - pos);
        pos = end;

        if (AllDigits(word) || (word.size() > 1 && word[0] == '-' && AllDigits(word.substr(1)))) {
            const auto n = util::ParseInt64(word);
            if (!n || *n > int64_t{0xffffffff} || *n < -int64_t{0xffffffff}) return std::nullopt;
            result.PushInt(*n);
        } else if (word.size() > 2 && word.starts_with("0x") && util::IsHex(word.substr(2))) {
            const auto raw = util::TryParseHex(word.substr(2));
            if (!raw) return std::nullopt;
            result.Append(*raw);
        } else if (word.size() >= 2 && word.front() == '\'' && word.back() == '\'') {
            const std::string_view inner = word.substr(1, word.size() - 2);
            const std::vector<uint8_t> data(inner.begin(), inner.end());
            result << data;
        } else {
            const auto it = OpNames().find(word);
            if (it == OpNames().end()) return std::nullopt;
            result << it->second;
        }
    }
    return result;
}

std::string TestDataPath(std::string_view relative)
{
    return std::string{MINIBIT_TEST_DATA_DIR} + "/" + std::string{relative};
}

nlohmann::json LoadJson(std::string_view relative)
{
    std::ifstream in{TestDataPath(relative)};
    if (!in) return nlohmann::json::value_t::discarded;
    return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

MutableTransaction BuildCreditingTransaction(const Script& script_pubkey, Amount amount)
{
    MutableTransaction tx;
    tx.version = 1;
    tx.locktime = 0;
    tx.vin.resize(1);
    tx.vin[0].prevout = OutPoint{};
    Script sig;
    sig.PushInt(0).PushInt(0);
    tx.vin[0].script_sig = sig;
    tx.vin[0].sequence = TxIn::SEQUENCE_FINAL;
    tx.vout.resize(1);
    tx.vout[0].script_pubkey = script_pubkey;
    tx.vout[0].value = amount;
    return tx;
}

MutableTransaction BuildSpendingTransaction(const Script& script_sig, const ScriptWitness& witness,
                                            const Transaction& credit)
{
    MutableTransaction tx;
    tx.version = 1;
    tx.locktime = 0;
    tx.vin.resize(1);
    tx.vin[0].prevout.hash = credit.GetHash();
    tx.vin[0].prevout.n = 0;
    tx.vin[0].script_sig = script_sig;
    tx.vin[0].witness = witness;
    tx.vin[0].sequence = TxIn::SEQUENCE_FINAL;
    tx.vout.resize(1);
    tx.vout[0].script_pubkey = Script{};
    tx.vout[0].value = credit.vout[0].value;
    return tx;
}

} // namespace testutil
