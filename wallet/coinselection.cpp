#include <wallet/coinselection.h>

#include <algorithm>
#include <cassert>
#include <limits>
#include <numeric>
#include <queue>

namespace wallet {

namespace {

util::Error InsufficientFunds()
{
    return util::Unexpected(ERROR_INSUFFICIENT_FUNDS);
}

util::Error MaxWeightExceeded()
{
    return util::Unexpected(ERROR_MAX_WEIGHT);
}

// Amounts beyond the money range would let the sums below overflow; zero would be "met" by an
// empty selection.
bool BadTarget(Amount target)
{
    return target <= 0 || target > consensus::MAX_MONEY;
}

util::Error InvalidTarget()
{
    return util::Unexpected("Coin selection target must be positive and within the money range");
}

Amount SelectionAmount(const SelectionCoin& coin, bool use_effective)
{
    return use_effective ? coin.effective_value : coin.value;
}

// Uniform in [0, range); range must be positive.
uint64_t RandRange(SelectionRng& rng, uint64_t range)
{
    return std::uniform_int_distribution<uint64_t>{0, range - 1}(rng);
}

bool RandBool(SelectionRng& rng)
{
    return (rng() & 1) != 0;
}

// Random passes over `coins` (sorted largest first) looking for the smallest total at or above
// `target`; the first pass includes each coin with probability 1/2, the second adds the rest
// until the target is met. Starts from "everything" so a failed search still returns a cover.
void ApproximateBestSubset(SelectionRng& rng, const std::vector<SelectionCoin>& coins,
                           bool use_effective, Amount total_lower, Amount target,
                           std::vector<char>& best, Amount& best_value, int max_selection_weight)
{
    std::vector<char> included;
    best.assign(coins.size(), 1);
    best_value = total_lower;

    for (int rep = 0; rep < KNAPSACK_ITERATIONS && best_value != target; ++rep) {
        included.assign(coins.size(), 0);
        Amount total = 0;
        int weight = 0;
        bool reached = false;
        for (int pass = 0; pass < 2 && !reached; ++pass) {
            for (size_t i = 0; i < coins.size(); ++i) {
                const bool take = pass == 0 ? RandBool(rng) : !included[i];
                if (!take) continue;
                total += SelectionAmount(coins[i], use_effective);
                weight += coins[i].Weight();
                included[i] = 1;
                if (total >= target && weight <= max_selection_weight) {
                    reached = true;
                    if (total < best_value) {
                        best_value = total;
                        best = included;
                    }
                    // Step back and keep looking for a closer total with the later coins.
                    total -= SelectionAmount(coins[i], use_effective);
                    weight -= coins[i].Weight();
                    included[i] = 0;
                }
            }
        }
    }
}

} // namespace

Amount FeeAtRate(Amount sat_per_kvb, int64_t vsize)
{
    if (vsize <= 0) return 0;
    const Amount product = sat_per_kvb * vsize;
    Amount fee = product / 1000;
    if (product % 1000 > 0) ++fee;
    if (fee == 0 && sat_per_kvb > 0) fee = 1;
    if (fee == 0 && sat_per_kvb < 0) fee = -1;
    return fee;
}

SelectionCoin MakeSelectionCoin(const consensus::OutPoint& outpoint, Amount value, int input_vsize,
                                Amount feerate, Amount long_term_feerate, int depth)
{
    SelectionCoin coin;
    coin.outpoint = outpoint;
    coin.value = value;
    coin.input_vsize = input_vsize;
    coin.fee = FeeAtRate(feerate, input_vsize);
    coin.long_term_fee = FeeAtRate(long_term_feerate, input_vsize);
    coin.effective_value = value - coin.fee;
    coin.depth = depth;
    return coin;
}

Amount GenerateChangeTarget(Amount payment_value, Amount change_fee, SelectionRng& rng)
{
    if (payment_value <= CHANGE_LOWER / 2) return change_fee + CHANGE_LOWER;
    // Random change amounts make the change output harder to tell from the payment.
    const Amount upper = std::min(payment_value * 2, CHANGE_UPPER);
    return change_fee + CHANGE_LOWER +
           static_cast<Amount>(RandRange(rng, static_cast<uint64_t>(upper - CHANGE_LOWER)));
}

SelectionParams MakeSelectionParams(Amount effective_feerate, Amount long_term_feerate,
                                    Amount discard_feerate, int change_output_size,
                                    int change_spend_size, int tx_noinputs_size, Amount dust,
                                    Amount payment_value, SelectionRng& rng)
{
    SelectionParams params;
    params.effective_feerate = effective_feerate;
    params.long_term_feerate = long_term_feerate;
    params.change_output_size = change_output_size;
    params.change_spend_size = change_spend_size;
    params.tx_noinputs_size = tx_noinputs_size;
    params.change_fee = FeeAtRate(effective_feerate, change_output_size);
    const Amount change_spend_fee = FeeAtRate(discard_feerate, change_spend_size);
    params.cost_of_change = change_spend_fee + params.change_fee;
    params.min_viable_change = std::max(change_spend_fee + 1, dust);
    params.min_change_target = GenerateChangeTarget(payment_value, params.change_fee, rng);
    return params;
}

std::string AlgorithmName(SelectionAlgorithm algorithm)
{
    switch (algorithm) {
    case SelectionAlgorithm::BNB:
        return "bnb";
    case SelectionAlgorithm::KNAPSACK:
        return "knapsack";
    case SelectionAlgorithm::SRD:
        return "srd";
    case SelectionAlgorithm::CG:
        return "cg";
    case SelectionAlgorithm::MANUAL:
        return "manual";
    }
    return "unknown";
}

Amount SelectionResult::SelectedValue() const
{
    Amount sum = 0;
    for (const auto& coin : inputs)
        sum += coin.value;
    return sum;
}

Amount SelectionResult::SelectedEffectiveValue() const
{
    Amount sum = 0;
    for (const auto& coin : inputs)
        sum += coin.effective_value;
    return sum;
}

int SelectionResult::Weight() const
{
    int sum = 0;
    for (const auto& coin : inputs)
        sum += coin.Weight();
    return sum;
}

Amount SelectionResult::GetChange(Amount min_viable_change, Amount change_fee) const
{
    // With fees from the outputs the inputs pay no fee, so neither does the change here.
    const Amount change =
        use_effective ? SelectedEffectiveValue() - target - change_fee : SelectedValue() - target;
    return change < min_viable_change ? 0 : change;
}

void SelectionResult::RecalculateWaste(Amount min_viable_change, Amount change_cost,
                                       Amount change_fee)
{
    assert(!inputs.empty());
    Amount total = 0;
    for (const auto& coin : inputs)
        total += coin.fee - coin.long_term_fee;
    if (GetChange(min_viable_change, change_fee) != 0) {
        total += change_cost;
    } else {
        // No change: whatever exceeds the target goes to the miner.
        const Amount selected = use_effective ? SelectedEffectiveValue() : SelectedValue();
        assert(selected >= target);
        total += selected - target;
    }
    waste = total;
}

util::Expected<SelectionResult> SelectCoinsBnB(std::vector<SelectionCoin> pool, Amount target,
                                               Amount cost_of_change, int max_selection_weight)
{
    if (BadTarget(target)) return InvalidTarget();
    std::erase_if(pool, [](const SelectionCoin& c) { return c.effective_value <= 0; });
    Amount available = 0;
    for (const auto& coin : pool)
        available += coin.effective_value;
    if (pool.empty() || available < target) return InsufficientFunds();

    std::stable_sort(pool.begin(), pool.end(), [](const SelectionCoin& a, const SelectionCoin& b) {
        return a.effective_value > b.effective_value;
    });

    // Only when spending now costs more than later does a growing waste justify pruning: more
    // inputs can then only add waste.
    const bool feerate_high = pool[0].fee > pool[0].long_term_fee;

    std::vector<char> selection; // selection[i]: pool[i] included on the current path
    selection.reserve(pool.size());
    std::vector<char> best;
    Amount best_waste = consensus::MAX_MONEY;
    Amount value = 0;
    Amount waste = 0;
    int weight = 0;
    bool weight_exceeded = false;
    size_t tries = 0;

    for (; tries < BNB_TOTAL_TRIES; ++tries) {
        bool backtrack = false;
        if (value + available < target || value > target + cost_of_change ||
            (waste > best_waste && feerate_high)) {
            backtrack = true;
        } else if (weight > max_selection_weight) {
            weight_exceeded = true;
            backtrack = true;
        } else if (value >= target) {
            // In range: adding more would only burn value, so record and go back.
            const Amount candidate = waste + (value - target);
            if (candidate <= best_waste) {
                best = selection;
                best.resize(pool.size(), 0);
                best_waste = candidate;
            }
            backtrack = true;
        } else if (selection.size() == pool.size()) {
            backtrack = true; // below target with nothing left to add (covered above; defensive)
        }

        if (backtrack) {
            // Undo trailing omissions, giving their value back to the lookahead.
            while (!selection.empty() && !selection.back()) {
                selection.pop_back();
                available += pool[selection.size()].effective_value;
            }
            if (selection.empty()) break; // whole tree explored
            // Switch the last inclusion to its omission branch.
            selection.back() = 0;
            const SelectionCoin& coin = pool[selection.size() - 1];
            value -= coin.effective_value;
            waste -= coin.fee - coin.long_term_fee;
            weight -= coin.Weight();
        } else {
            const size_t index = selection.size();
            const SelectionCoin& coin = pool[index];
            available -= coin.effective_value;
            // Including a coin equal to an omitted predecessor would repeat that subtree.
            if (!selection.empty() && !selection.back() &&
                coin.effective_value == pool[index - 1].effective_value &&
                coin.fee == pool[index - 1].fee) {
                selection.push_back(0);
            } else {
                selection.push_back(1);
                value += coin.effective_value;
                waste += coin.fee - coin.long_term_fee;
                weight += coin.Weight();
            }
        }
    }

    if (best.empty()) {
        return weight_exceeded ? MaxWeightExceeded() : util::Unexpected(ERROR_NO_SOLUTION);
    }

    SelectionResult result;
    result.target = target;
    result.algorithm = SelectionAlgorithm::BNB;
    result.tries = tries;
    for (size_t i = 0; i < pool.size(); ++i) {
        if (best[i]) result.inputs.push_back(pool[i]);
    }
    result.RecalculateWaste(cost_of_change, cost_of_change, 0);
    return result;
}

util::Expected<SelectionResult> KnapsackSolver(std::vector<SelectionCoin> pool, Amount target,
                                               Amount change_target, SelectionRng& rng,
                                               int max_selection_weight, bool use_effective)
{
    if (BadTarget(target)) return InvalidTarget();
    SelectionResult result;
    result.target = target;
    result.algorithm = SelectionAlgorithm::KNAPSACK;
    result.use_effective = use_effective;

    bool weight_exceeded = false;
    std::optional<SelectionCoin> lowest_larger;
    // Coins below target + change_target; larger ones would only overshoot in a combination.
    std::vector<SelectionCoin> applicable;
    Amount total_lower = 0;

    std::shuffle(pool.begin(), pool.end(), rng);
    for (const auto& coin : pool) {
        const Amount amount = SelectionAmount(coin, use_effective);
        if (coin.Weight() > max_selection_weight) {
            weight_exceeded = true;
            continue;
        }
        if (amount == target) {
            result.inputs.push_back(coin);
            return result;
        }
        if (amount < target + change_target) {
            applicable.push_back(coin);
            total_lower += amount;
        } else if (!lowest_larger || amount < SelectionAmount(*lowest_larger, use_effective)) {
            lowest_larger = coin;
        }
    }

    if (total_lower == target) {
        result.inputs = applicable;
        if (result.Weight() <= max_selection_weight) return result;
        weight_exceeded = true;
        result.inputs.clear();
    }

    if (total_lower < target) {
        if (!lowest_larger) return weight_exceeded ? MaxWeightExceeded() : InsufficientFunds();
        result.inputs.push_back(*lowest_larger);
        return result;
    }

    std::stable_sort(applicable.begin(), applicable.end(),
                     [use_effective](const SelectionCoin& a, const SelectionCoin& b) {
                         return SelectionAmount(a, use_effective) >
                                SelectionAmount(b, use_effective);
                     });
    std::vector<char> best;
    Amount best_value = 0;
    ApproximateBestSubset(rng, applicable, use_effective, total_lower, target, best, best_value,
                          max_selection_weight);
    if (best_value != target && total_lower >= target + change_target) {
        ApproximateBestSubset(rng, applicable, use_effective, total_lower, target + change_target,
                              best, best_value, max_selection_weight);
    }

    // The single larger coin wins when the subsets missed both the exact target and the change
    // target, or when it is no bigger than the best subset.
    if (lowest_larger && ((best_value != target && best_value < target + change_target) ||
                          SelectionAmount(*lowest_larger, use_effective) <= best_value)) {
        result.inputs.push_back(*lowest_larger);
        return result;
    }
    for (size_t i = 0; i < applicable.size(); ++i) {
        if (best[i]) result.inputs.push_back(applicable[i]);
    }
    if (result.Weight() > max_selection_weight) {
        if (!lowest_larger) return MaxWeightExceeded();
        result.inputs.assign(1, *lowest_larger);
    }
    return result;
}

util::Expected<SelectionResult> SelectCoinsSRD(const std::vector<SelectionCoin>& pool,
                                               Amount target, Amount change_fee, SelectionRng& rng,
                                               int max_selection_weight, bool use_effective)
{
    if (BadTarget(target)) return InvalidTarget();
    SelectionResult result;
    result.target = target;
    result.algorithm = SelectionAlgorithm::SRD;
    result.use_effective = use_effective;

    // Aim above the target so the change is never tiny; the lower bound suffices because the draw
    // already randomises the change amount.
    const Amount goal = target + CHANGE_LOWER + change_fee;

    std::vector<size_t> order(pool.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::shuffle(order.begin(), order.end(), rng);

    // Min-heap on amount so the cheapest coin is the one dropped when over the weight cap.
    const auto larger = [&](size_t a, size_t b) {
        return SelectionAmount(pool[a], use_effective) > SelectionAmount(pool[b], use_effective);
    };
    std::priority_queue<size_t, std::vector<size_t>, decltype(larger)> heap{larger};
    Amount selected = 0;
    int weight = 0;
    bool weight_exceeded = false;
    for (const size_t i : order) {
        const Amount amount = SelectionAmount(pool[i], use_effective);
        if (amount <= 0) continue; // never helps reach the goal
        heap.push(i);
        selected += amount;
        weight += pool[i].Weight();
        if (weight > max_selection_weight) {
            weight_exceeded = true;
            while (!heap.empty() && weight > max_selection_weight) {
                selected -= SelectionAmount(pool[heap.top()], use_effective);
                weight -= pool[heap.top()].Weight();
                heap.pop();
            }
        }
        if (selected >= goal) {
            while (!heap.empty()) {
                result.inputs.push_back(pool[heap.top()]);
                heap.pop();
            }
            return result;
        }
    }
    return weight_exceeded ? MaxWeightExceeded() : InsufficientFunds();
}

util::Expected<SelectionResult> CoinGrinder(std::vector<SelectionCoin> pool, Amount target,
                                            Amount change_target, int max_selection_weight)
{
    if (BadTarget(target)) return InvalidTarget();
    std::erase_if(pool, [](const SelectionCoin& c) { return c.effective_value <= 0; });
    // Equal amounts: lighter first, so a skipped twin is never better than the one tried.
    std::stable_sort(pool.begin(), pool.end(), [](const SelectionCoin& a, const SelectionCoin& b) {
        if (a.effective_value != b.effective_value) return a.effective_value > b.effective_value;
        return a.Weight() < b.Weight();
    });
    const size_t n = pool.size();
    // after[i]: value of the coins behind i; min_weight_after[i]: the lightest of them.
    std::vector<Amount> after(n);
    std::vector<int> min_weight_after(n);
    Amount available = 0;
    int lightest = std::numeric_limits<int>::max();
    for (size_t k = n; k-- > 0;) {
        after[k] = available;
        min_weight_after[k] = lightest;
        available += pool[k].effective_value;
        lightest = std::min(lightest, pool[k].Weight());
    }
    const Amount goal = target + change_target;
    if (n == 0 || available < goal) return InsufficientFunds();

    std::vector<size_t> selection;
    std::vector<size_t> best;
    Amount value = 0;
    int weight = 0;
    Amount best_value = consensus::MAX_MONEY;
    // Starting at the cap makes heavier sets fail the weight test; equal weight is still allowed.
    int best_weight = max_selection_weight;
    bool weight_exceeded = false;
    size_t next = 0;
    size_t tries = 0;

    const auto drop_last = [&] {
        value -= pool[selection.back()].effective_value;
        weight -= pool[selection.back()].Weight();
        selection.pop_back();
    };

    bool done = false;
    while (!done) {
        selection.push_back(next);
        value += pool[next].effective_value;
        weight += pool[next].Weight();
        ++next;
        ++tries;

        const size_t last = selection.back();
        // "Cut": neither this branch nor the omission of its last coin can help, so back up two
        // levels; "shift": try the omission branch of the last coin.
        bool cut = false;
        bool shift = false;
        // A heavier set can still be beaten by swapping its last coin for a lighter later one;
        // when no later coin is lighter, the omission branch cannot do better either.
        const bool last_is_lightest = pool[last].Weight() <= min_weight_after[last];
        if (value + after[last] < goal) {
            cut = true;
        } else if (weight > best_weight) {
            if (weight > max_selection_weight) weight_exceeded = true;
            (last_is_lightest ? cut : shift) = true;
        } else if (value >= goal) {
            shift = true; // more coins only add weight
            if (weight < best_weight || (weight == best_weight && value < best_value)) {
                best = selection;
                best_weight = weight;
                best_value = value;
            }
        } else if (!best.empty()) {
            // Later coins are worth at most the last one, so closing the gap takes at least this
            // many more of them, each at least the lightest remaining weight.
            const Amount per_coin = pool[last].effective_value;
            const int64_t coins_needed = (goal - value + per_coin - 1) / per_coin;
            if (weight + int64_t{min_weight_after[last]} * coins_needed > best_weight) {
                (last_is_lightest ? cut : shift) = true;
            }
        }

        if (tries >= BNB_TOTAL_TRIES) break; // best so far, not proven lightest
        if (next == n) cut = true;
        if (cut) {
            drop_last();
            shift = true;
        }
        while (shift) {
            if (selection.empty()) {
                done = true;
                break;
            }
            next = selection.back() + 1;
            drop_last();
            shift = false;
            // Skip twins of the coin just omitted: including them repeats a visited branch.
            while (pool[next - 1].effective_value == pool[next].effective_value) {
                if (next >= n - 1) {
                    shift = true;
                    break;
                }
                ++next;
            }
        }
    }

    if (best.empty()) {
        return weight_exceeded ? MaxWeightExceeded() : util::Unexpected(ERROR_NO_SOLUTION);
    }
    SelectionResult result;
    result.target = target;
    result.algorithm = SelectionAlgorithm::CG;
    result.tries = tries;
    for (const size_t i : best)
        result.inputs.push_back(pool[i]);
    return result;
}

util::Expected<SelectionResult> ChooseSelectionResult(const std::vector<SelectionCoin>& coins,
                                                      Amount target, const SelectionParams& params,
                                                      SelectionRng& rng)
{
    if (BadTarget(target)) return InvalidTarget();
    const bool use_effective = !params.subtract_fee_outputs;
    const int max_tx_weight = params.max_tx_weight.value_or(MAX_STANDARD_TX_WEIGHT);
    int max_selection_weight =
        max_tx_weight - params.tx_noinputs_size * consensus::WITNESS_SCALE_FACTOR;
    if (max_selection_weight <= 0) {
        return util::Unexpected(
            "Maximum transaction weight is less than transaction weight without inputs");
    }

    std::vector<SelectionCoin> positive;
    for (const auto& coin : coins) {
        if (SelectionAmount(coin, use_effective) > 0) positive.push_back(coin);
    }

    std::vector<SelectionResult> results;
    bool weight_exceeded = false;
    const auto note_error = [&](const util::Error& error) {
        if (error.message == ERROR_MAX_WEIGHT) weight_exceeded = true;
    };

    // A change-less input set and fees taken from the outputs interact badly, so Core skips BnB.
    if (use_effective) {
        auto bnb = SelectCoinsBnB(positive, target, params.cost_of_change, max_selection_weight);
        if (bnb) {
            results.push_back(std::move(*bnb));
        } else {
            note_error(bnb.error());
        }
    }

    // The remaining algorithms may add a change output, which must fit too.
    max_selection_weight -= params.change_output_size * consensus::WITNESS_SCALE_FACTOR;
    if (max_selection_weight < 0 && results.empty()) {
        return util::Unexpected(
            "Maximum transaction weight is too low, can not accommodate change output");
    }

    if (max_selection_weight >= 0) {
        // Knapsack keeps Core's legacy habit of also considering coins worth less than their fee.
        auto knapsack = KnapsackSolver(coins, target, params.min_change_target, rng,
                                       max_selection_weight, use_effective);
        if (knapsack) {
            knapsack->RecalculateWaste(params.min_viable_change, params.cost_of_change,
                                       params.change_fee);
            results.push_back(std::move(*knapsack));
        } else {
            note_error(knapsack.error());
        }

        // Only when fees are well above the long-term rate is minimising weight worth the search.
        if (use_effective && params.effective_feerate > 3 * params.long_term_feerate) {
            auto cg = CoinGrinder(positive, target, params.min_change_target, max_selection_weight);
            if (cg) {
                cg->RecalculateWaste(params.min_viable_change, params.cost_of_change,
                                     params.change_fee);
                results.push_back(std::move(*cg));
            } else {
                note_error(cg.error());
            }
        }

        auto srd = SelectCoinsSRD(positive, target, params.change_fee, rng, max_selection_weight,
                                  use_effective);
        if (srd) {
            srd->RecalculateWaste(params.min_viable_change, params.cost_of_change,
                                  params.change_fee);
            results.push_back(std::move(*srd));
        } else {
            note_error(srd.error());
        }
    }

    if (results.empty()) return weight_exceeded ? MaxWeightExceeded() : InsufficientFunds();

    // Least waste; on a tie the result spending more inputs (consolidating while it is cheap).
    const auto better = [](const SelectionResult& a, const SelectionResult& b) {
        return *a.waste < *b.waste || (*a.waste == *b.waste && a.inputs.size() > b.inputs.size());
    };
    return *std::min_element(results.begin(), results.end(), better);
}

} // namespace wallet
