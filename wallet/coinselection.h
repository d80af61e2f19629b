// Coin selection: Branch and Bound, Knapsack, CoinGrinder and Single Random Draw, chosen by the
// waste metric, following Bitcoin Core v28's behaviour (src/wallet/coinselection.cpp, spend.cpp).
// Everything here is a pure function of its arguments: any thread may call it, as long as each
// thread uses its own SelectionRng. A target outside (0, MAX_MONEY] is an error, never a crash.
#pragma once

#include <consensus/amount.h>
#include <consensus/transaction.h>
#include <util/expected.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace wallet {

using consensus::Amount;

/// Smallest random change target, and the cushion SRD adds above the target (Core's CHANGE_LOWER).
inline constexpr Amount CHANGE_LOWER = 50'000;
/// Largest random change target (Core's CHANGE_UPPER).
inline constexpr Amount CHANGE_UPPER = 1'000'000;
/// Branch and Bound gives up after this many tree nodes (Core's TOTAL_TRIES).
inline constexpr size_t BNB_TOTAL_TRIES = 100'000;
/// Random passes of Knapsack's subset-sum approximation.
inline constexpr int KNAPSACK_ITERATIONS = 1'000;
/// Policy cap on a transaction's weight (Core's MAX_STANDARD_TX_WEIGHT).
inline constexpr int MAX_STANDARD_TX_WEIGHT = 400'000;

/// Message for a selection with no funds to reach the target.
inline constexpr const char* ERROR_INSUFFICIENT_FUNDS = "Insufficient funds";
/// Message when funds suffice but BnB (or CoinGrinder) found no set meeting its own constraints.
inline constexpr const char* ERROR_NO_SOLUTION = "No input set meets this algorithm's constraints";
/// Message when a solution exists only above the weight limit (Core's wording).
inline constexpr const char* ERROR_MAX_WEIGHT =
    "The inputs size exceeds the maximum weight. Please try sending a smaller amount or manually "
    "consolidating your wallet's UTXOs";

/// The randomness source; tests seed it for repeatable runs, the wallet seeds it from the OS.
using SelectionRng = std::mt19937_64;

/// The fee for `vsize` virtual bytes at `sat_per_kvb`, rounded up as Core's CFeeRate::GetFee.
Amount FeeAtRate(Amount sat_per_kvb, int64_t vsize);

/// One spendable output as coin selection sees it (Core's COutput in a one-coin OutputGroup).
struct SelectionCoin
{
    /// Which output this is; carried through untouched.
    consensus::OutPoint outpoint{};
    /// The output's value.
    Amount value{0};
    /// Virtual size of the input that spends it, signature included.
    int input_vsize{0};
    /// Fee to spend it at the target fee rate.
    Amount fee{0};
    /// Fee to spend it at the long-term fee rate.
    Amount long_term_fee{0};
    /// value - fee: what it contributes towards the target.
    Amount effective_value{0};
    /// Confirmations (0 = unconfirmed); informational, the caller filters.
    int depth{0};

    /// Weight of the spending input (vsize * 4, as Core's OutputGroup::m_weight).
    int Weight() const { return input_vsize * consensus::WITNESS_SCALE_FACTOR; }
};

/// Builds a coin whose fees come from the two rates (sat/kvB).
SelectionCoin MakeSelectionCoin(const consensus::OutPoint& outpoint, Amount value, int input_vsize,
                                Amount feerate, Amount long_term_feerate, int depth = 0);

/// Everything the algorithms need to know about the transaction being built.
struct SelectionParams
{
    /// Fee rate of the transaction (sat/kvB).
    Amount effective_feerate{0};
    /// Expected future fee rate (sat/kvB); decides whether spending inputs now is wasteful.
    Amount long_term_feerate{0};
    /// Virtual size of the change output.
    int change_output_size{0};
    /// Virtual size of the input that will later spend the change.
    int change_spend_size{0};
    /// Virtual size of the transaction without inputs (outputs and fixed overhead).
    int tx_noinputs_size{0};
    /// Fee of adding the change output now.
    Amount change_fee{0};
    /// Cost of making and later spending change: BnB's upper tolerance and the waste of change.
    Amount cost_of_change{0};
    /// Knapsack aims for at least this much change when it cannot hit the target exactly.
    Amount min_change_target{CHANGE_LOWER};
    /// Change below this is dropped to fees instead of creating an output.
    Amount min_viable_change{0};
    /// The fee comes out of the outputs: select on raw values and skip BnB.
    bool subtract_fee_outputs{false};
    /// Weight cap of the whole transaction; MAX_STANDARD_TX_WEIGHT when unset.
    std::optional<int> max_tx_weight{};
};

/// Fills the derived fields of SelectionParams as Core's spend.cpp does: change fee, cost of
/// change, min viable change (at least `dust` and above the change's spend fee) and a random change
/// target for `payment_value`.
SelectionParams MakeSelectionParams(Amount effective_feerate, Amount long_term_feerate,
                                    Amount discard_feerate, int change_output_size,
                                    int change_spend_size, int tx_noinputs_size, Amount dust,
                                    Amount payment_value, SelectionRng& rng);

/// Core's GenerateChangeTarget: change_fee plus a random amount in [CHANGE_LOWER,
/// min(2 * payment, CHANGE_UPPER)), or change_fee + CHANGE_LOWER for small payments.
Amount GenerateChangeTarget(Amount payment_value, Amount change_fee, SelectionRng& rng);

/// Which algorithm produced a result.
enum class SelectionAlgorithm
{
    BNB,
    KNAPSACK,
    SRD,
    CG,
    MANUAL
};

/// Name of the algorithm as Core logs it ("bnb", "knapsack", "srd", "cg", "manual").
std::string AlgorithmName(SelectionAlgorithm algorithm);

/// A chosen input set for a target, with its waste once computed.
struct SelectionResult
{
    /// The chosen coins.
    std::vector<SelectionCoin> inputs{};
    /// What the inputs had to cover (outputs plus the no-input fee, without change).
    Amount target{0};
    /// Which algorithm chose them.
    SelectionAlgorithm algorithm{SelectionAlgorithm::MANUAL};
    /// False under subtract-fee-from-outputs: amounts are raw values, fees are not deducted.
    bool use_effective{true};
    /// Set by RecalculateWaste.
    std::optional<Amount> waste{};
    /// Tree nodes BnB visited (0 for the others).
    size_t tries{0};

    /// Sum of the inputs' values.
    Amount SelectedValue() const;
    /// Sum of the inputs' effective values.
    Amount SelectedEffectiveValue() const;
    /// Sum of the inputs' weights.
    int Weight() const;
    /// The change output's amount, or 0 when it would be below min_viable_change.
    Amount GetChange(Amount min_viable_change, Amount change_fee) const;
    /// Waste = sum(fee - long-term fee) + (change_cost if change is made, else the excess).
    void RecalculateWaste(Amount min_viable_change, Amount change_cost, Amount change_fee);
};

/// Branch and Bound: a change-less selection with effective value in [target, target +
/// cost_of_change], least waste, at most BNB_TOTAL_TRIES nodes. Coins must have positive
/// effective value (others are ignored).
util::Expected<SelectionResult> SelectCoinsBnB(std::vector<SelectionCoin> pool, Amount target,
                                               Amount cost_of_change, int max_selection_weight);

/// Knapsack: an exact match, else the smallest subset reaching target + change_target found by
/// KNAPSACK_ITERATIONS random passes, else the smallest single coin above it.
util::Expected<SelectionResult> KnapsackSolver(std::vector<SelectionCoin> pool, Amount target,
                                               Amount change_target, SelectionRng& rng,
                                               int max_selection_weight, bool use_effective = true);

/// Single Random Draw: coins in random order until target + CHANGE_LOWER + change_fee is reached,
/// dropping the smallest when the weight cap is passed.
util::Expected<SelectionResult> SelectCoinsSRD(const std::vector<SelectionCoin>& pool,
                                               Amount target, Amount change_fee, SelectionRng& rng,
                                               int max_selection_weight, bool use_effective = true);

/// CoinGrinder: the lightest input set reaching target + change_target (ties: less value), by
/// depth-first search over coins sorted by effective value, at most BNB_TOTAL_TRIES selections.
/// For high fee rates, where weight is what costs. Coins must have positive effective value.
util::Expected<SelectionResult> CoinGrinder(std::vector<SelectionCoin> pool, Amount target,
                                            Amount change_target, int max_selection_weight);

/// Runs BnB (unless fees come from the outputs), Knapsack, CoinGrinder (only above 3x the
/// long-term fee rate) and SRD and returns the result with the least waste, preferring more
/// inputs on ties; fails with "Insufficient funds", the max-weight message, or a bad target.
util::Expected<SelectionResult> ChooseSelectionResult(const std::vector<SelectionCoin>& coins,
                                                      Amount target, const SelectionParams& params,
                                                      SelectionRng& rng);

} // namespace wallet
