// Building transactions from a wallet: recipients, coin control, fee rate from
// the caller or estimatesmartfee, coin selection by waste (coinselection.h),
// change, anti-fee-sniping lock time, BIP125 signalling and signing; sendall;
// and fee bumping (bumpfee/psbtbumpfee). Any thread; the wallet locks itself.
#pragma once

#include <common/psbt.h>
#include <consensus/amount.h>
#include <consensus/script/script.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>
#include <util/expected.h>
#include <wallet/types.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wallet {

class Wallet;

/// One payment.
struct Recipient
{
    consensus::Script script{};
    consensus::Amount amount{0};
    bool subtract_fee{false}; //!< pay the fee out of this amount
};

/// Core's CCoinControl: how a spend is built.
struct CoinControl
{
    std::optional<consensus::Script> change_script{}; //!< change_address
    std::optional<OutputType> change_type{};          //!< else: the recipients' type or bech32
    std::optional<int> change_position{};
    bool add_inputs{true};                     //!< may add inputs beyond `inputs`
    std::vector<consensus::OutPoint> inputs{}; //!< preset inputs, spent first, in this order
    /// Explicit fee rate in sat/kvB (fee_rate arguments are sat/vB: multiply by 1000).
    std::optional<consensus::Amount> fee_rate_per_kvb{};
    std::optional<int> conf_target{};
    std::string estimate_mode{"unset"}; //!< "unset", "economical", "conservative"
    std::optional<bool> signal_rbf{};   //!< nullopt: the wallet's -walletrbf
    std::optional<uint32_t> locktime{}; //!< nullopt: anti-fee-sniping
    int min_depth{0};
    int max_depth{9999999};
    bool include_unsafe{false};
    bool avoid_reuse{false};
    bool sign{true}; //!< false: leave inputs unsigned (PSBT flows)
};

/// Why a fee rate was chosen (the "fee_reason" of Core's verbose results).
struct FeeChoice
{
    consensus::Amount fee_rate_per_kvb{0};
    std::string reason{}; //!< "Fallback fee", "Estimation", "User-specified feerate", ...
};

/// A built transaction.
struct CreatedTransaction
{
    consensus::MutableTransaction tx{};
    consensus::Amount fee{0};
    std::optional<unsigned> change_position{};
    FeeChoice fee_choice{};
    bool complete{false}; //!< every input signed
};

/// The fee rate a spend uses: coin control's rate, else estimatesmartfee for the target,
/// else -fallbackfee; never below -mintxfee or the relay minimum. Errors as Core's ("Fee
/// estimation failed. Fallbackfee is disabled. ...", "Fee rate (x sat/vB) is lower than the
/// minimum fee rate setting (y sat/vB)").
util::Expected<FeeChoice> ChooseFeeRate(const Wallet& wallet, const CoinControl& control);

/// Builds (and with control.sign, signs) a transaction paying `recipients`. Errors carry
/// Core's messages: "Insufficient funds", "Transaction amount too small", "The transaction
/// amount is too small to pay the fee", "Fee exceeds maximum configured by user (e.g.
/// -paytxfee, maxfeerate)", "Signing transaction failed", "Transaction too large", ...
util::Expected<CreatedTransaction> CreateTransaction(Wallet& wallet,
                                                     const std::vector<Recipient>& recipients,
                                                     const CoinControl& control);

/// sendall: spends every eligible coin (or exactly control.inputs) to `recipients`, where
/// those with amount 0 share what is left after the fee and the fixed amounts. Errors as
/// Core's sendall.
util::Expected<CreatedTransaction>
CreateSendAll(Wallet& wallet, const std::vector<Recipient>& recipients, const CoinControl& control);

/// The fee bumper's result: the replacement and the two fees.
struct BumpResult
{
    consensus::MutableTransaction tx{};
    consensus::Amount old_fee{0};
    consensus::Amount new_fee{0};
    std::vector<std::string> errors{};
    bool complete{false}; //!< signed (bumpfee); false for psbtbumpfee
};

/// bumpfee / psbtbumpfee: a BIP125 replacement of wallet transaction `txid` paying a higher
/// fee (from control's rate or target, else the minimum Core's rules allow: old rate + the
/// incremental relay fee), taken from the change output, or with new inputs when needed.
/// Errors are Core v28's feebumper messages ("Transaction has descendants in the wallet",
/// "Transaction has been mined, or is conflicted with a mined transaction", "Insufficient
/// total fee ...").
util::Expected<BumpResult> BumpFee(Wallet& wallet, const consensus::Uint256& txid,
                                   const CoinControl& control);

// ADDED by C3: bumpfee's "outputs" and "original_change_index" options (Core v28).
/// BumpFee with `outputs` replacing the original outputs (none: keep them) or the output at
/// `original_change_index` taken as the change. Core's errors ("The options 'outputs' and
/// 'original_change_index' are incompatible. ...", "Change position is out of range").
util::Expected<BumpResult> BumpFee(Wallet& wallet, const consensus::Uint256& txid,
                                   const CoinControl& control,
                                   const std::vector<consensus::TxOut>& outputs,
                                   std::optional<uint32_t> original_change_index);

/// Anti-fee-sniping lock time for a transaction built at tip height `height` (Core's
/// DiscourageFeeSniping without the random step back when `randomize` is false).
uint32_t AntiFeeSnipingLocktime(int height, bool randomize = true);

} // namespace wallet
