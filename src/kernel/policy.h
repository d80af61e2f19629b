// Relay policy: Bitcoin Core's standardness rules for transactions (what the
// mempool accepts and relays, beyond consensus) with its reject strings.
// Pure functions; any thread.
#pragma once

#include <consensus/amount.h>
#include <consensus/coins.h>
#include <consensus/script/script.h>
#include <consensus/transaction.h>
#include <kernel/feerate.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kernel {

/// Largest standard transaction weight.
inline constexpr int64_t MAX_STANDARD_TX_WEIGHT{400'000};
/// Smallest non-witness size of a standard transaction (CVE-2017-12842).
inline constexpr int64_t MIN_STANDARD_TX_NONWITNESS_SIZE{65};
/// Largest sigop cost of a standard transaction.
inline constexpr int64_t MAX_STANDARD_TX_SIGOPS_COST{80'000 / 5};
/// Largest scriptSig of a standard input.
inline constexpr unsigned MAX_STANDARD_SCRIPTSIG_SIZE{1650};
/// Largest number of sigops in a standard P2SH redeem script.
inline constexpr unsigned MAX_P2SH_SIGOPS{15};
/// Default -datacarriersize (bytes of an OP_RETURN output script).
inline constexpr unsigned DEFAULT_MAX_DATACARRIER_BYTES{83};
/// Default -dustrelayfee, sat/kvB.
inline constexpr consensus::Amount DUST_RELAY_TX_FEE{3000};
/// Default -minrelaytxfee and -incrementalrelayfee, sat/kvB.
inline constexpr consensus::Amount DEFAULT_MIN_RELAY_TX_FEE{1000};
inline constexpr consensus::Amount DEFAULT_INCREMENTAL_RELAY_FEE{1000};
/// Sigop cost charged per virtual byte when sizing (-bytespersigop).
inline constexpr int64_t DEFAULT_BYTES_PER_SIGOP{20};
/// Largest standard P2WSH witness script, stack items and item size; Taproot annex rules.
inline constexpr unsigned MAX_STANDARD_P2WSH_SCRIPT_SIZE{3600};
inline constexpr unsigned MAX_STANDARD_P2WSH_STACK_ITEMS{100};
inline constexpr unsigned MAX_STANDARD_P2WSH_STACK_ITEM_SIZE{80};
inline constexpr unsigned MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE{80};
/// Transaction versions that are standard (1..3; 3 is TRUC in Core v28).
inline constexpr uint32_t TX_MAX_STANDARD_VERSION{3};

/// The script verification flags the mempool uses (consensus flags plus Core's policy
/// flags: DERSIG, STRICTENC, MINIMALDATA, NULLDUMMY, DISCOURAGE_UPGRADABLE_NOPS, CLEANSTACK,
/// MINIMALIF, NULLFAIL, CHECKLOCKTIMEVERIFY, CHECKSEQUENCEVERIFY, LOW_S, WITNESS,
/// DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM, WITNESS_PUBKEYTYPE, CONST_SCRIPTCODE, TAPROOT,
/// DISCOURAGE_UPGRADABLE_TAPROOT_VERSION, DISCOURAGE_OP_SUCCESS,
/// DISCOURAGE_UPGRADABLE_PUBKEYTYPE), in consensus/script/interpreter.h's bit values.
uint32_t StandardScriptVerifyFlags();

/// Settings of the standardness checks (from -datacarrier, -datacarriersize, -dustrelayfee,
/// -permitbaremultisig).
struct PolicyOptions
{
    bool datacarrier{true};
    unsigned max_datacarrier_bytes{DEFAULT_MAX_DATACARRIER_BYTES};
    FeeRate dust_relay_fee{DUST_RELAY_TX_FEE};
    bool permit_bare_multisig{true};
};

/// The smallest value an output of this script may carry before it is dust (Core's
/// GetDustThreshold); 0 for unspendable (OP_RETURN) scripts.
consensus::Amount GetDustThreshold(const consensus::TxOut& out, const FeeRate& dust_relay_fee);
/// True if the output is below its dust threshold.
bool IsDust(const consensus::TxOut& out, const FeeRate& dust_relay_fee);

/// Core's IsStandardTx: version, weight, scriptSig size and push-only, output types
/// (Solver-standard; bare multisig up to 3 keys if permitted; one OP_RETURN within the
/// datacarrier limit), no dust outputs. Output types come from common::Solver
/// (src/common/solver.h). On failure returns Core's reason: "version", "tx-size",
/// "scriptsig-size", "scriptsig-not-pushonly", "scriptpubkey", "bare-multisig", "dust",
/// "multi-op-return".
std::optional<std::string> CheckStandardTx(const consensus::Transaction& tx,
                                           const PolicyOptions& options);

/// Core's AreInputsStandard: each spent output is a standard type and P2SH redeem scripts
/// stay within MAX_P2SH_SIGOPS. `spent` holds one coin per input. On failure, Core's
/// reason ("bad-txns-nonstandard-inputs") with its debug detail.
std::optional<std::string> CheckInputsStandard(const consensus::Transaction& tx,
                                               const std::vector<consensus::Coin>& spent);

/// Core's IsWitnessStandard: witness stack limits for P2WSH and Taproot script paths, no
/// annex, no witness on non-witness spends. Failure gives "bad-witness-nonstandard".
bool IsWitnessStandard(const consensus::Transaction& tx, const std::vector<consensus::Coin>& spent);

/// Core's GetVirtualTransactionSize with sigops: max(weight, sigop_cost * bytes_per_sigop),
/// divided by 4 rounding up.
int64_t GetVirtualTransactionSize(int64_t weight, int64_t sigop_cost,
                                  int64_t bytes_per_sigop = DEFAULT_BYTES_PER_SIGOP);

} // namespace kernel
