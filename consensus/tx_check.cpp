#include <consensus/tx_check.h>

#include <consensus/consensus_constants.h>

#include <algorithm>

namespace consensus {

bool CheckTransaction(const Transaction& tx, TxValidationState& state)
{
    if (tx.vin.empty()) return state.Invalid(TxResult::CONSENSUS, "bad-txns-vin-empty");
    if (tx.vout.empty()) return state.Invalid(TxResult::CONSENSUS, "bad-txns-vout-empty");
    // Witness data is excluded on purpose: a transaction whose stripped form
    // alone cannot fit in a block can never be mined.
    if (tx.GetBaseSize() * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
        return state.Invalid(TxResult::CONSENSUS, "bad-txns-oversize");
    }

    Amount value_out = 0;
    for (const TxOut& out : tx.vout) {
        if (out.value < 0) return state.Invalid(TxResult::CONSENSUS, "bad-txns-vout-negative");
        if (out.value > MAX_MONEY)
            return state.Invalid(TxResult::CONSENSUS, "bad-txns-vout-toolarge");
        // Both terms are within MAX_MONEY here, so the sum cannot overflow.
        value_out += out.value;
        if (!MoneyRange(value_out)) {
            return state.Invalid(TxResult::CONSENSUS, "bad-txns-txouttotal-toolarge");
        }
    }

    // Sorting a copy is O(n log n) and avoids a node-based set per call.
    std::vector<OutPoint> prevouts;
    prevouts.reserve(tx.vin.size());
    for (const TxIn& in : tx.vin)
        prevouts.push_back(in.prevout);
    std::sort(prevouts.begin(), prevouts.end());
    if (std::adjacent_find(prevouts.begin(), prevouts.end()) != prevouts.end()) {
        return state.Invalid(TxResult::CONSENSUS, "bad-txns-inputs-duplicate");
    }

    if (tx.IsCoinBase()) {
        const size_t len = tx.vin[0].script_sig.size();
        if (len < 2 || len > 100) return state.Invalid(TxResult::CONSENSUS, "bad-cb-length");
    } else {
        for (const TxIn& in : tx.vin) {
            if (in.prevout.IsNull()) {
                return state.Invalid(TxResult::CONSENSUS, "bad-txns-prevout-null");
            }
        }
    }
    return true;
}

} // namespace consensus
