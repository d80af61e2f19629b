// Helpers shared by the consensus vector tests: Bitcoin Core's script
// assembly notation, test-data loading and the crediting/spending
// transaction pair Core's script tests evaluate against.
#pragma once

#include <consensus/amount.h>
#include <consensus/script/script.h>
#include <consensus/transaction.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace testutil {

/// Parses Core's script assembly: decimal numbers (pushed as script numbers),
/// 0x-prefixed hex inserted raw, 'quoted strings' pushed as data, and opcode
/// names with or without the OP_ prefix. nullopt on an unknown word.
std::optional<consensus::Script> ParseScriptAsm(std::string_view text);

/// Absolute path of a file under tests/data.
std::string TestDataPath(std::string_view relative);

/// Reads and parses a JSON file under tests/data; a discarded value on failure.
nlohmann::json LoadJson(std::string_view relative);

/// Hex to bytes; nullopt on malformed hex.
std::optional<std::vector<uint8_t>> ParseHex(std::string_view hex);

/// Core's test crediting transaction: version 1, one null-prevout input with
/// scriptSig "0 0", one output of `amount` paying script_pubkey.
consensus::MutableTransaction BuildCreditingTransaction(const consensus::Script& script_pubkey,
                                                        consensus::Amount amount);

/// Core's test spending transaction: version 1, spends output 0 of credit with
/// script_sig and witness, one empty-script output of the same amount.
consensus::MutableTransaction BuildSpendingTransaction(const consensus::Script& script_sig,
                                                       const consensus::ScriptWitness& witness,
                                                       const consensus::Transaction& credit);

} // namespace testutil
