#include <consensus/tx_verify.h>

#include <consensus/consensus_constants.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/script.h>

#include <algorithm>
#include <string>

namespace consensus {

namespace {

unsigned WitnessProgramSigOps(int version, const std::vector<uint8_t>& program,
                              const ScriptWitness& witness)
{
    // Only v0 has counted sigops; taproot's budget is enforced during execution.
    if (version != 0) return 0;
    if (program.size() == 20) return 1;
    if (program.size() == 32 && !witness.stack.empty()) {
        return Script{witness.stack.back()}.GetSigOpCount(true);
    }
    return 0;
}

unsigned CountWitnessSigOps(const Script& script_sig, const Script& script_pubkey,
                            const ScriptWitness& witness, uint32_t flags)
{
    if ((flags & SCRIPT_VERIFY_WITNESS) == 0) return 0;

    int version = 0;
    std::vector<uint8_t> program;
    if (script_pubkey.IsWitnessProgram(version, program)) {
        return WitnessProgramSigOps(version, program, witness);
    }
    if (script_pubkey.IsPayToScriptHash() && script_sig.IsPushOnly()) {
        // The redeem script is the last push; it may itself be a witness program.
        std::vector<uint8_t> last;
        auto pc = script_sig.begin();
        Opcode op;
        while (pc < script_sig.end() && script_sig.GetOp(pc, op, &last)) {
        }
        const Script redeem{std::move(last)};
        if (redeem.IsWitnessProgram(version, program)) {
            return WitnessProgramSigOps(version, program, witness);
        }
    }
    return 0;
}

} // namespace

bool CheckTxInputs(const Transaction& tx, TxValidationState& state, const CoinsView& inputs,
                   int spend_height, Amount& fee_out)
{
    std::vector<Coin> coins;
    coins.reserve(tx.vin.size());
    for (const TxIn& in : tx.vin) {
        auto coin = inputs.GetCoin(in.prevout);
        if (!coin || coin->IsSpent()) {
            return state.Invalid(TxResult::MISSING_INPUTS, "bad-txns-inputs-missingorspent",
                                 "CheckTxInputs: inputs missing/spent");
        }
        coins.push_back(std::move(*coin));
    }

    Amount value_in = 0;
    for (const Coin& coin : coins) {
        // Compare in 64 bits: a coin's height never exceeds the spend height in
        // a valid chain, but the caller's values are not trusted here.
        const int64_t depth = int64_t{spend_height} - int64_t{coin.height};
        if (coin.coinbase && depth < COINBASE_MATURITY) {
            return state.Invalid(TxResult::PREMATURE_SPEND, "bad-txns-premature-spend-of-coinbase",
                                 "tried to spend coinbase at depth " + std::to_string(depth));
        }
        if (!MoneyRange(coin.out.value)) {
            return state.Invalid(TxResult::CONSENSUS, "bad-txns-inputvalues-outofrange");
        }
        // Both terms are within MAX_MONEY, so the sum cannot overflow.
        value_in += coin.out.value;
        if (!MoneyRange(value_in)) {
            return state.Invalid(TxResult::CONSENSUS, "bad-txns-inputvalues-outofrange");
        }
    }

    const Amount value_out = tx.GetValueOut();
    if (value_in < value_out) {
        return state.Invalid(TxResult::CONSENSUS, "bad-txns-in-belowout",
                             "value in (" + std::to_string(value_in) + ") < value out (" +
                                 std::to_string(value_out) + ")");
    }
    const Amount fee = value_in - value_out;
    if (!MoneyRange(fee)) return state.Invalid(TxResult::CONSENSUS, "bad-txns-fee-outofrange");
    fee_out = fee;
    return true;
}

bool IsFinalTx(const Transaction& tx, int block_height, int64_t block_time)
{
    if (tx.locktime == 0) return true;
    const int64_t limit = tx.locktime < LOCKTIME_THRESHOLD ? int64_t{block_height} : block_time;
    if (int64_t{tx.locktime} < limit) return true;
    // A lock time is only binding while some input can still be replaced.
    return std::all_of(tx.vin.begin(), tx.vin.end(),
                       [](const TxIn& in) { return in.sequence == TxIn::SEQUENCE_FINAL; });
}

std::pair<int, int64_t> CalculateSequenceLocks(const Transaction& tx, uint32_t flags,
                                               std::vector<int>& prev_heights,
                                               const MedianTimePastAt& mtp_at)
{
    // -1 means "no constraint": every height/time is past it.
    int min_height = -1;
    int64_t min_time = -1;

    // Version is unsigned, so versions with the top bit set also enforce BIP68.
    const bool enforce = tx.version >= 2 && (flags & LOCKTIME_VERIFY_SEQUENCE) != 0;
    if (!enforce) return {min_height, min_time};

    for (size_t i = 0; i < tx.vin.size() && i < prev_heights.size(); ++i) {
        const uint32_t sequence = tx.vin[i].sequence;
        if (sequence & TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG) {
            prev_heights[i] = 0;
            continue;
        }
        const int coin_height = prev_heights[i];
        const int64_t value = sequence & TxIn::SEQUENCE_LOCKTIME_MASK;
        if (sequence & TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG) {
            // Measured from the MTP of the block before the one holding the coin,
            // the latest time the coin could have been created at.
            const int64_t coin_time = mtp_at(std::max(coin_height - 1, 0));
            min_time =
                std::max(min_time, coin_time + (value << TxIn::SEQUENCE_LOCKTIME_GRANULARITY) - 1);
        } else {
            min_height = std::max(min_height, coin_height + static_cast<int>(value) - 1);
        }
    }
    return {min_height, min_time};
}

bool EvaluateSequenceLocks(int block_height, int64_t block_mtp_prev, std::pair<int, int64_t> lock)
{
    return lock.first < block_height && lock.second < block_mtp_prev;
}

unsigned GetLegacySigOpCount(const Transaction& tx)
{
    unsigned n = 0;
    for (const TxIn& in : tx.vin)
        n += in.script_sig.GetSigOpCount(false);
    for (const TxOut& out : tx.vout)
        n += out.script_pubkey.GetSigOpCount(false);
    return n;
}

unsigned GetP2SHSigOpCount(const Transaction& tx, const CoinsView& inputs)
{
    if (tx.IsCoinBase()) return 0;
    unsigned n = 0;
    for (const TxIn& in : tx.vin) {
        const auto coin = inputs.GetCoin(in.prevout);
        if (!coin) continue;
        if (coin->out.script_pubkey.IsPayToScriptHash()) {
            n += coin->out.script_pubkey.GetP2SHSigOpCount(in.script_sig);
        }
    }
    return n;
}

int64_t GetTransactionSigOpCost(const Transaction& tx, const CoinsView& inputs,
                                uint32_t script_flags)
{
    int64_t cost = int64_t{GetLegacySigOpCount(tx)} * WITNESS_SCALE_FACTOR;
    if (tx.IsCoinBase()) return cost;
    if (script_flags & SCRIPT_VERIFY_P2SH) {
        cost += int64_t{GetP2SHSigOpCount(tx, inputs)} * WITNESS_SCALE_FACTOR;
    }
    for (const TxIn& in : tx.vin) {
        const auto coin = inputs.GetCoin(in.prevout);
        if (!coin) continue;
        cost +=
            CountWitnessSigOps(in.script_sig, coin->out.script_pubkey, in.witness, script_flags);
    }
    return cost;
}

} // namespace consensus
