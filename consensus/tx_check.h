// Context-free transaction checks: rules that hold regardless of the chain or
// the coins a transaction spends.
#pragma once

#include <consensus/transaction.h>
#include <consensus/validation_state.h>

namespace consensus {

/// Checks structure, sizes, output amounts, duplicate inputs and coinbase
/// shape; on failure sets a CONSENSUS result with Bitcoin Core's reject string.
/// Pure function, callable from any thread.
bool CheckTransaction(const Transaction& tx, TxValidationState& state);

} // namespace consensus
