// The pure parts of building a spend (wallet/spend.h): fee-rate choice, signed-size
// estimation, dust, change type, coin selection with Core's eligibility passes, the assembly of
// the transaction with change, fee and subtract-fee-from-outputs, sendall's arithmetic and the
// fee bumper's rate rules. No Wallet and no chain here: every input is a value, so unit tests
// can drive each step; spend.cpp and feebumper.cpp feed them from a Wallet. Any thread.
#pragma once

#include <common/chainparams.h>
#include <common/sign.h>
#include <consensus/amount.h>
#include <consensus/script/script.h>
#include <consensus/transaction.h>
#include <util/expected.h>
#include <wallet/coinselection.h>
#include <wallet/spend.h>
#include <wallet/types.h>
#include <wallet/wallet.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace wallet::spend_internal {

/// The node's default -dustrelayfee (sat/kvB); the wallet cannot see the node's setting.
inline constexpr consensus::Amount DUST_RELAY_FEE_PER_KVB = 3000;
/// Core's WALLET_INCREMENTAL_RELAY_FEE: the least a replacement raises the fee rate (sat/kvB).
inline constexpr consensus::Amount WALLET_INCREMENTAL_RELAY_FEE_PER_KVB = 5000;
/// BIP125 signalling sequence the wallet uses (Core's MAX_BIP125_RBF_SEQUENCE).
inline constexpr uint32_t MAX_BIP125_RBF_SEQUENCE = 0xfffffffd;
/// Largest non-final sequence: lock time enabled, no RBF (Core's MAX_SEQUENCE_NONFINAL).
inline constexpr uint32_t MAX_SEQUENCE_NONFINAL = 0xfffffffe;
/// Spend size assumed for a change output the wallet cannot size (P2SH-P2WPKH, as Core).
inline constexpr int DUMMY_NESTED_P2WPKH_INPUT_SIZE = 91;
/// A tip older than this (seconds) disables anti-fee-sniping (lock time 0), as Core.
inline constexpr int64_t MAX_ANTI_FEE_SNIPING_TIP_AGE = 8 * 60 * 60;
/// Largest ECDSA signature our signer produces, hash-type byte included: it grinds for a low R,
/// so R and S fit in 32 bytes each (DER 70 bytes + 1).
inline constexpr int ECDSA_SIG_MAX_SIZE = 71;
/// BIP340 signature with SIGHASH_DEFAULT (no hash-type byte).
inline constexpr int SCHNORR_SIG_SIZE = 64;

/// Core's MAX_FEE_EXCEEDED message.
inline constexpr const char* ERROR_MAX_FEE_EXCEEDED =
    "Fee exceeds maximum configured by user (e.g. -paytxfee, maxfeerate)";

/// Core's fee-reason strings (StringForFeeReason).
inline constexpr const char* FEE_REASON_PAYTXFEE = "PayTxFee set";
inline constexpr const char* FEE_REASON_FALLBACK = "Fallback fee";
inline constexpr const char* FEE_REASON_REQUIRED = "Minimum Required Fee";
inline constexpr const char* FEE_REASON_MEMPOOL_MIN = "Mempool Min Fee";
/// Our estimator does not say which of Core's thresholds answered; report the full target's.
inline constexpr const char* FEE_REASON_ESTIMATE = "Target 85% Threshold";

/// Core's FormatMoney: "0.0001", "1.00" (at least two decimals, trailing zeros cut).
std::string FormatMoney(consensus::Amount amount);
/// Core's CFeeRate::ToString in sat/vB: "1.000 sat/vB".
std::string FormatFeeRate(consensus::Amount per_kvb);

/// What the fee-rate choice needs besides the coin control.
struct FeeEnvironment
{
    WalletSettings settings{};
    /// estimatesmartfee(target, "economical"|"conservative"): sat/kvB, nullopt or 0 if none.
    std::function<std::optional<consensus::Amount>(int, const std::string&)> estimate{};
    /// The mempool's current minimum fee rate (sat/kvB), 0 if unknown.
    consensus::Amount mempool_min_fee_per_kvb{0};
};

/// Core's GetMinimumFeeRate: the rate and reason before the explicit-rate and fallback errors.
/// `fallback_used` is set when the fallback fee answered (also when it is 0, i.e. disabled).
FeeChoice MinimumFeeRate(const FeeEnvironment& env, const CoinControl& control,
                         bool& fallback_used);
/// ChooseFeeRate on values: MinimumFeeRate plus Core's two errors.
util::Expected<FeeChoice> ChooseFeeRateFrom(const FeeEnvironment& env, const CoinControl& control);

/// Core's GetDustThreshold at `dust_fee_per_kvb` (0 for unspendable scripts).
consensus::Amount DustThreshold(const consensus::TxOut& out, consensus::Amount dust_fee_per_kvb);
/// value < DustThreshold.
bool IsDust(const consensus::TxOut& out,
            consensus::Amount dust_fee_per_kvb = DUST_RELAY_FEE_PER_KVB);

/// The signed weight of an input spending a script, counted as in a segwit transaction (the
/// one-byte empty witness stack of a non-segwit input included, as Core's MaxInputWeight).
struct InputWeight
{
    int64_t weight{0};
    bool segwit{false}; //!< spends a witness program (directly or P2SH-wrapped)
};

/// Estimates the largest signed input spending `script_pubkey`: P2PK, P2PKH, P2WPKH, P2TR key
/// path, bare multisig, and P2SH / P2WSH / P2SH-P2WSH whose script (multisig, pk, pkh) or
/// P2SH-P2WPKH program `provider` holds. nullopt when the script cannot be solved.
std::optional<InputWeight> EstimateInputWeight(const consensus::Script& script_pubkey,
                                               const common::SigningProvider& provider);
/// Virtual size of one input (Core's CalculateMaximumSignedInputSize: weight / 4 rounded up).
int InputVsize(const InputWeight& weight);
/// Weight of a signed transaction with these outputs and inputs of these weights (Core's
/// CalculateMaximumSignedTxSize).
int64_t EstimateTxWeight(const std::vector<consensus::TxOut>& outputs,
                         const std::vector<InputWeight>& inputs);
/// weight / 4 rounded up.
int64_t WeightToVsize(int64_t weight);

/// Serialized size of an output (value, script length, script).
int OutputSize(const consensus::TxOut& out);
/// A script of `type`'s shape (zero hashes): change-output sizing before the script exists.
consensus::Script PrototypeScript(OutputType type);
/// Signed input vsize of a coin of `type` from one of our single-key descriptors.
int SpendVsizeForType(OutputType type);
/// Core's TransactionChangeType for a wallet whose default address type is bech32:
/// `internal_types` are the types with an active internal descriptor.
OutputType ChangeTypeFor(const std::optional<OutputType>& requested,
                         const std::vector<Recipient>& recipients,
                         const std::vector<OutputType>& internal_types);

/// Core's DiscourageFeeSniping lock time for tip `height`, with its 1-in-10 step back of up to
/// 99 blocks drawn from `rng` when `randomize`.
uint32_t AntiFeeSnipingLocktimeWith(int height, bool randomize, SelectionRng& rng);

/// A coin as the builder sees it.
struct BuildCoin
{
    consensus::OutPoint outpoint{};
    consensus::TxOut txout{};
    int depth{0};
    bool from_me{false};
    InputWeight weight{};
};

/// Everything CreateTransaction decides from, as values.
struct BuildRequest
{
    std::vector<Recipient> recipients{};
    std::vector<BuildCoin> preset{};    //!< spent first, in this order
    std::vector<BuildCoin> available{}; //!< candidates for automatic selection
    bool add_inputs{true};
    consensus::Amount fee_rate_per_kvb{0};
    consensus::Amount long_term_fee_rate_per_kvb{10000}; //!< -consolidatefeerate
    consensus::Amount discard_fee_rate_per_kvb{10000};   //!< -discardfee
    consensus::Amount max_tx_fee{consensus::COIN / 10};
    bool spend_zeroconf_change{true};
    bool include_unsafe{false};
    /// The change script when already known (coin control's change address).
    std::optional<consensus::Script> change_script{};
    /// Sizes the change output before its script exists (ignored with change_script).
    OutputType change_type{OutputType::BECH32};
    /// Vsize of the input that will spend the change later.
    int change_spend_vsize{DUMMY_NESTED_P2WPKH_INPUT_SIZE};
    /// Called only when change is made and change_script is unset.
    std::function<util::Expected<consensus::Script>()> new_change_script{};
    std::optional<int> change_position{};
    bool signal_rbf{true};
    std::optional<uint32_t> locktime{};
    /// Height for anti-fee-sniping; nullopt when the tip is not current (lock time 0).
    std::optional<int> anti_fee_sniping_height{};
    uint32_t version{2};
};

/// An unsigned transaction with its fee and the outputs its inputs spend.
struct BuildResult
{
    consensus::MutableTransaction tx{};
    consensus::Amount fee{0};
    std::optional<unsigned> change_position{};
    int64_t estimated_weight{0};           //!< once signed, at most this
    std::vector<consensus::TxOut> spent{}; //!< per input
    SelectionAlgorithm algorithm{SelectionAlgorithm::MANUAL};
};

/// Core's CreateTransactionInternal without signing: validates the recipients, selects coins
/// (preset first, then Core's eligibility passes, per output type before mixing), adds change
/// or drops it to the fee, subtracts the fee from outputs, sets sequences and lock time, and
/// checks -maxtxfee and the standard weight against the signed-size estimate.
util::Expected<BuildResult> BuildTransaction(const BuildRequest& request, SelectionRng& rng);

/// sendall's inputs and outputs before the fee is known.
struct SendAllRequest
{
    std::vector<Recipient> recipients{}; //!< amount 0: shares the remainder
    std::vector<BuildCoin> coins{};      //!< every input, in order
    consensus::Amount fee_rate_per_kvb{0};
    consensus::Amount max_tx_fee{consensus::COIN / 10};
    bool signal_rbf{true};
    std::optional<uint32_t> locktime{};
    std::optional<int> anti_fee_sniping_height{};
    uint32_t version{2};
    const common::ChainParams* params{nullptr}; //!< names outputs in errors (hex if null)
};

/// Core's sendall arithmetic: fee from the signed-size estimate, fixed amounts first, the rest
/// split evenly among amount-0 recipients (the first takes the odd satoshis); Core's errors.
util::Expected<BuildResult> BuildSendAll(const SendAllRequest& request, SelectionRng& rng);

/// Core's EstimateFeeRate for a bump: the old rate (old_fee / old_vsize, rounded down) + 1 sat/kvB
/// + max(node incremental, WALLET_INCREMENTAL_RELAY_FEE_PER_KVB), at least `min_rate`.
consensus::Amount BumpFeeRate(consensus::Amount old_fee, int64_t old_vsize,
                              consensus::Amount node_incremental_per_kvb,
                              consensus::Amount min_rate_per_kvb);

/// Core's CheckFeeRate for an explicit bump rate against a replacement of `new_vsize`.
util::Expected<void>
CheckBumpFeeRate(consensus::Amount new_rate_per_kvb, int64_t new_vsize, consensus::Amount old_fee,
                 consensus::Amount mempool_min_per_kvb, consensus::Amount node_incremental_per_kvb,
                 consensus::Amount required_rate_per_kvb, consensus::Amount max_tx_fee);

/// True if any input signals BIP125 replaceability.
bool SignalsOptInRbf(const consensus::Transaction& tx);

// ---- wallet-backed helpers (spend.cpp), shared with feebumper.cpp ----

/// The fee environment of `wallet`: its settings, the node's estimator and mempool minimum.
FeeEnvironment FeeEnvironmentOf(const Wallet& wallet);
/// The signed weight of an input spending `script` of `wallet`; nullopt if unsolvable.
std::optional<InputWeight> EstimateWalletInputWeight(const Wallet& wallet,
                                                     const consensus::Script& script);
/// The anti-fee-sniping height for `wallet`'s last block: nullopt in initial block download
/// or when that block is older than MAX_ANTI_FEE_SNIPING_TIP_AGE (lock time 0 then).
std::optional<int> AntiFeeSnipingHeight(const Wallet& wallet);
/// A selection RNG seeded from the OS.
SelectionRng SeededRng();

} // namespace wallet::spend_internal
