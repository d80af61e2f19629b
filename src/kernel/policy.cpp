#include <kernel/policy.h>

#include <common/sign.h>

#include <common/solver.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/taproot.h>

#include <algorithm>
#include <span>

namespace kernel {

namespace {

using common::TxoutType;

constexpr const char* NONSTANDARD_INPUTS{"bad-txns-nonstandard-inputs"};

size_t CompactSizeLength(uint64_t n)
{
    if (n < 253) return 1;
    if (n <= 0xffff) return 3;
    if (n <= 0xffffffff) return 5;
    return 9;
}

// Core's IsStandard for one output script: Solver-standard, bare multisig of at most 3 keys,
// OP_RETURN only within the datacarrier limit. Witness programs of unknown versions pass so
// that future soft forks can be paid to.
bool IsStandardOutput(const consensus::Script& script, const PolicyOptions& options,
                      TxoutType& type)
{
    std::vector<std::vector<uint8_t>> solutions;
    type = common::Solver(script, solutions);
    switch (type) {
    case TxoutType::NONSTANDARD:
        return false;
    case TxoutType::MULTISIG: {
        const unsigned m = solutions.front()[0];
        const unsigned n = solutions.back()[0];
        return n >= 1 && n <= 3 && m >= 1 && m <= n;
    }
    case TxoutType::NULL_DATA:
        return options.datacarrier && script.size() <= options.max_datacarrier_bytes;
    default:
        return true;
    }
}

// The redeem script (or witness program) a P2SH scriptSig reveals: the top of the stack after
// running the scriptSig with no flags and no signature checks. nullopt if that fails.
std::optional<consensus::Script> RevealedRedeemScript(const consensus::Script& script_sig)
{
    std::vector<std::vector<uint8_t>> stack;
    const consensus::BaseSignatureChecker no_signatures;
    if (!consensus::EvalScript(stack, script_sig, consensus::SCRIPT_VERIFY_NONE, no_signatures,
                               consensus::SigVersion::BASE)) {
        return std::nullopt;
    }
    if (stack.empty()) return std::nullopt;
    return consensus::Script{std::move(stack.back())};
}

// Script-path spends of tapscript leaves may not carry stack items over 80 bytes; key-path
// spends have no extra rules; annexes are refused while they have no meaning.
bool IsTaprootWitnessStandard(const consensus::ScriptWitness& witness)
{
    std::span<const std::vector<uint8_t>> stack{witness.stack};
    if (stack.size() >= 2 && !stack.back().empty() && stack.back()[0] == consensus::ANNEX_TAG) {
        return false;
    }
    if (stack.size() >= 2) {
        const auto& control_block = stack.back();
        stack = stack.first(stack.size() - 2); // drop the control block and the script
        if (control_block.empty()) return false;
        if ((control_block[0] & consensus::TAPROOT_LEAF_MASK) ==
            consensus::TAPROOT_LEAF_TAPSCRIPT) {
            for (const auto& item : stack) {
                if (item.size() > MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE) return false;
            }
        }
        return true;
    }
    // One element is a key-path spend; none is invalid by consensus anyway.
    return stack.size() == 1;
}

bool IsP2wshWitnessStandard(const consensus::ScriptWitness& witness)
{
    if (witness.stack.back().size() > MAX_STANDARD_P2WSH_SCRIPT_SIZE) return false;
    const size_t items = witness.stack.size() - 1; // the witness script is not counted
    if (items > MAX_STANDARD_P2WSH_STACK_ITEMS) return false;
    for (size_t j = 0; j < items; ++j) {
        if (witness.stack[j].size() > MAX_STANDARD_P2WSH_STACK_ITEM_SIZE) return false;
    }
    return true;
}

} // namespace

uint32_t StandardScriptVerifyFlags()
{
    return common::STANDARD_SCRIPT_VERIFY_FLAGS;
}

consensus::Amount GetDustThreshold(const consensus::TxOut& out, const FeeRate& dust_relay_fee)
{
    const auto& script = out.script_pubkey;
    if (script.IsUnspendable()) return 0;

    // The output's own serialized size plus the smallest input that could spend it: 148 bytes
    // for a legacy input (outpoint, scriptSig of a 107-byte signature and key, sequence), and
    // the same with the 107 bytes discounted to a quarter when they sit in the witness.
    int64_t size = 8 + static_cast<int64_t>(CompactSizeLength(script.size()) + script.size());
    int version{0};
    std::vector<uint8_t> program;
    if (script.IsWitnessProgram(version, program)) {
        size += 32 + 4 + 1 + 107 / consensus::WITNESS_SCALE_FACTOR + 4;
    } else {
        size += 32 + 4 + 1 + 107 + 4;
    }
    return dust_relay_fee.GetFee(size);
}

bool IsDust(const consensus::TxOut& out, const FeeRate& dust_relay_fee)
{
    return out.value < GetDustThreshold(out, dust_relay_fee);
}

std::optional<std::string> CheckStandardTx(const consensus::Transaction& tx,
                                           const PolicyOptions& options)
{
    if (tx.version > TX_MAX_STANDARD_VERSION || tx.version < 1) return "version";

    // Signature hashing of legacy inputs grows with inputs times size, so big transactions
    // are refused outright.
    if (static_cast<int64_t>(tx.GetWeight()) > MAX_STANDARD_TX_WEIGHT) return "tx-size";

    for (const auto& in : tx.vin) {
        // Room for a 15-of-15 P2SH multisig spend with compressed keys, and a little more.
        if (in.script_sig.size() > MAX_STANDARD_SCRIPTSIG_SIZE) return "scriptsig-size";
        if (!in.script_sig.IsPushOnly()) return "scriptsig-not-pushonly";
    }

    unsigned data_outputs{0};
    for (const auto& out : tx.vout) {
        TxoutType type{TxoutType::NONSTANDARD};
        if (!IsStandardOutput(out.script_pubkey, options, type)) return "scriptpubkey";
        if (type == TxoutType::NULL_DATA) {
            ++data_outputs;
        } else if (type == TxoutType::MULTISIG && !options.permit_bare_multisig) {
            return "bare-multisig";
        } else if (IsDust(out, options.dust_relay_fee)) {
            return "dust";
        }
    }
    if (data_outputs > 1) return "multi-op-return";
    return std::nullopt;
}

std::optional<std::string> CheckInputsStandard(const consensus::Transaction& tx,
                                               const std::vector<consensus::Coin>& spent)
{
    if (tx.IsCoinBase()) return std::nullopt;
    // A caller bug, but refusing is safer than reading past the coins.
    if (spent.size() != tx.vin.size()) return NONSTANDARD_INPUTS;

    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const auto& prev = spent[i].out.script_pubkey;
        std::vector<std::vector<uint8_t>> solutions;
        const TxoutType type = common::Solver(prev, solutions);
        // Unknown witness versions would also fail the DISCOURAGE flag later; refuse early.
        if (type == TxoutType::NONSTANDARD || type == TxoutType::WITNESS_UNKNOWN) {
            return NONSTANDARD_INPUTS;
        }
        if (type == TxoutType::SCRIPTHASH) {
            const auto redeem = RevealedRedeemScript(tx.vin[i].script_sig);
            if (!redeem) return NONSTANDARD_INPUTS;
            if (redeem->GetSigOpCount(true) > MAX_P2SH_SIGOPS) return NONSTANDARD_INPUTS;
        }
    }
    return std::nullopt;
}

bool IsWitnessStandard(const consensus::Transaction& tx, const std::vector<consensus::Coin>& spent)
{
    if (tx.IsCoinBase()) return true;
    if (spent.size() != tx.vin.size()) return false;

    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const auto& witness = tx.vin[i].witness;
        // An empty witness cannot be bloated; if it was needed, script checks will fail.
        if (witness.IsNull()) continue;

        consensus::Script prev = spent[i].out.script_pubkey;
        // P2A takes no witness: anything there is stuffing.
        if (prev.bytes() == std::vector<uint8_t>{consensus::OP_1, 0x02, 0x4e, 0x73}) return false;

        bool p2sh{false};
        if (prev.IsPayToScriptHash()) {
            auto redeem = RevealedRedeemScript(tx.vin[i].script_sig);
            if (!redeem) return false;
            prev = std::move(*redeem);
            p2sh = true;
        }

        // A witness on a spend that is not a witness program has no business being there.
        int version{0};
        std::vector<uint8_t> program;
        if (!prev.IsWitnessProgram(version, program)) return false;

        if (version == 0 && program.size() == consensus::WITNESS_V0_SCRIPTHASH_SIZE &&
            !IsP2wshWitnessStandard(witness)) {
            return false;
        }
        if (version == 1 && program.size() == consensus::WITNESS_V1_TAPROOT_SIZE && !p2sh &&
            !IsTaprootWitnessStandard(witness)) {
            return false;
        }
    }
    return true;
}

int64_t GetVirtualTransactionSize(int64_t weight, int64_t sigop_cost, int64_t bytes_per_sigop)
{
    const int64_t adjusted = std::max(weight, sigop_cost * bytes_per_sigop);
    return (adjusted + consensus::WITNESS_SCALE_FACTOR - 1) / consensus::WITNESS_SCALE_FACTOR;
}

} // namespace kernel
