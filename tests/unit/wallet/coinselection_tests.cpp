// Coin selection against Bitcoin Core's documented behaviour; every expected number below is
// worked out by hand in the comments beside it.
#include <wallet/coinselection.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

using namespace wallet;

namespace {

constexpr Amount CENT = 1'000'000;
// P2WPKH input and output sizes (vbytes) used throughout.
constexpr int INPUT_VSIZE = 68;

consensus::OutPoint Op(uint32_t n)
{
    consensus::OutPoint op;
    op.hash.data()[0] = 0x42;
    op.n = n;
    return op;
}

// A coin that costs nothing to spend: effective value == value, waste contribution 0.
SelectionCoin FreeCoin(Amount value, uint32_t n = 0)
{
    return MakeSelectionCoin(Op(n), value, INPUT_VSIZE, 0, 0);
}

// A coin with the given effective value at (feerate, long-term feerate) in sat/kvB.
SelectionCoin CoinWithEffective(Amount effective, Amount feerate, Amount lt_feerate, uint32_t n)
{
    const Amount fee = FeeAtRate(feerate, INPUT_VSIZE);
    return MakeSelectionCoin(Op(n), effective + fee, INPUT_VSIZE, feerate, lt_feerate);
}

// As CoinWithEffective, for an input of `vsize` virtual bytes.
SelectionCoin SizedCoin(Amount effective, int vsize, Amount feerate, Amount lt_feerate, uint32_t n)
{
    const Amount fee = FeeAtRate(feerate, vsize);
    return MakeSelectionCoin(Op(n), effective + fee, vsize, feerate, lt_feerate);
}

std::vector<Amount> SortedValues(const SelectionResult& result)
{
    std::vector<Amount> values;
    for (const auto& coin : result.inputs)
        values.push_back(coin.value);
    std::sort(values.begin(), values.end());
    return values;
}

} // namespace

TEST(CoinSelectionFee, RoundsUpLikeCore)
{
    EXPECT_EQ(FeeAtRate(1000, 68), 68);  // 1 sat/vB
    EXPECT_EQ(FeeAtRate(1500, 68), 102); // 1.5 * 68 = 102 exactly
    EXPECT_EQ(FeeAtRate(1001, 68), 69);  // 68.068 rounds up
    EXPECT_EQ(FeeAtRate(1, 1), 1);       // never zero for a non-zero rate
    EXPECT_EQ(FeeAtRate(0, 68), 0);
    EXPECT_EQ(FeeAtRate(10'000, 0), 0);
}

TEST(CoinSelectionCoin, EffectiveValueAndFees)
{
    // 10 sat/vB now, 1 sat/vB long term, 68 vB: fee 680, long-term fee 68.
    const auto coin = MakeSelectionCoin(Op(1), 100'000, 68, 10'000, 1'000, 3);
    EXPECT_EQ(coin.fee, 680);
    EXPECT_EQ(coin.long_term_fee, 68);
    EXPECT_EQ(coin.effective_value, 99'320);
    EXPECT_EQ(coin.Weight(), 272);
    EXPECT_EQ(coin.depth, 3);
}

TEST(CoinSelectionParams, DerivedFieldsAndChangeTarget)
{
    SelectionRng rng{7};
    // 10 sat/vB, change output 31 vB -> change fee 310; discard 3 sat/vB * 68 vB = 204;
    // cost of change 514; min viable change max(205, dust 294) = 294.
    const auto p = MakeSelectionParams(10'000, 1'000, 3'000, 31, 68, 11, 294, 10 * CENT, rng);
    EXPECT_EQ(p.change_fee, 310);
    EXPECT_EQ(p.cost_of_change, 514);
    EXPECT_EQ(p.min_viable_change, 294);
    // Payment 0.1 BTC: target = 310 + [50,000, min(2 * 10^7, 10^6)).
    EXPECT_GE(p.min_change_target, 310 + CHANGE_LOWER);
    EXPECT_LT(p.min_change_target, 310 + CHANGE_UPPER);
    // Small payments (<= 25,000) get exactly change_fee + CHANGE_LOWER.
    EXPECT_EQ(GenerateChangeTarget(25'000, 310, rng), 50'310);
    for (int i = 0; i < 200; ++i) {
        const Amount t = GenerateChangeTarget(40'000, 0, rng); // upper bound 80,000
        EXPECT_GE(t, 50'000);
        EXPECT_LT(t, 80'000);
    }
}

TEST(CoinSelectionWaste, HandComputed)
{
    // Two inputs at 10 sat/vB (fee 680) vs 1 sat/vB long term (68): 2 * 612 = 1224.
    SelectionResult r;
    r.inputs = {MakeSelectionCoin(Op(0), 100'000, 68, 10'000, 1'000),
                MakeSelectionCoin(Op(1), 100'000, 68, 10'000, 1'000)};
    r.target = 150'000;
    // Effective 2 * 99,320 = 198,640; change = 198,640 - 150,000 - 310 = 48,330 >= 294.
    EXPECT_EQ(r.GetChange(294, 310), 48'330);
    r.RecalculateWaste(294, 514, 310);
    ASSERT_TRUE(r.waste);
    EXPECT_EQ(*r.waste, 1224 + 514);

    // Target 198,100: change would be 230 < 294, so no change and the excess 540 is waste.
    r.target = 198'100;
    EXPECT_EQ(r.GetChange(294, 310), 0);
    r.RecalculateWaste(294, 514, 310);
    EXPECT_EQ(*r.waste, 1224 + 540);

    // Exact match: waste is only the input part.
    r.target = 198'640;
    r.RecalculateWaste(294, 514, 0);
    EXPECT_EQ(*r.waste, 1224);

    // Low fee rate now (1 sat/vB) against 10 sat/vB later: each input saves 612.
    SelectionResult cheap;
    cheap.inputs = {MakeSelectionCoin(Op(0), 100'000, 68, 1'000, 10'000),
                    MakeSelectionCoin(Op(1), 100'000, 68, 1'000, 10'000)};
    cheap.target = 199'864; // effective 2 * 99,932 = 199,864: exact
    cheap.RecalculateWaste(294, 514, 310);
    EXPECT_EQ(*cheap.waste, -1224);

    // Fee from outputs: change is value - target, the change fee is not deducted.
    r.use_effective = false;
    r.target = 150'000;
    EXPECT_EQ(r.GetChange(294, 310), 50'000);
    r.RecalculateWaste(294, 514, 310);
    EXPECT_EQ(*r.waste, 1224 + 514);
}

TEST(CoinSelectionBnB, ExactMatchAmongOneToFour)
{
    // {1,2,3,4} cents, target 5, no tolerance. Largest-first search meets 4+1 then 3+2, both
    // waste 0; Core keeps the later one on equal waste, so {3,2}.
    const std::vector<SelectionCoin> pool{FreeCoin(1 * CENT, 1), FreeCoin(2 * CENT, 2),
                                          FreeCoin(3 * CENT, 3), FreeCoin(4 * CENT, 4)};
    auto r = SelectCoinsBnB(pool, 5 * CENT, 0, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->algorithm, SelectionAlgorithm::BNB);
    EXPECT_EQ(SortedValues(*r), (std::vector<Amount>{2 * CENT, 3 * CENT}));
    EXPECT_EQ(r->SelectedEffectiveValue(), 5 * CENT);
    EXPECT_EQ(*r->waste, 0);
    EXPECT_GT(r->tries, 0U);

    // Target 10 needs all four; target 11 is beyond the pool.
    auto all = SelectCoinsBnB(pool, 10 * CENT, 0, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->inputs.size(), 4U);
    auto none = SelectCoinsBnB(pool, 11 * CENT, 0, MAX_STANDARD_TX_WEIGHT);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message, ERROR_INSUFFICIENT_FUNDS);
}

TEST(CoinSelectionBnB, FailsWhenOnlyChangeProducingSolutionsExist)
{
    // {4,7}: sums 4, 7, 11. Target 5 with tolerance 1 accepts only [5,6]: nothing fits.
    const std::vector<SelectionCoin> pool{FreeCoin(4 * CENT, 1), FreeCoin(7 * CENT, 2)};
    auto none = SelectCoinsBnB(pool, 5 * CENT, 1 * CENT, MAX_STANDARD_TX_WEIGHT);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message, ERROR_NO_SOLUTION);
    // Tolerance 2 accepts 7 alone. BnB scores with min viable change = cost of change = 2, so
    // the surplus 2 counts as change and the waste is the cost of change: 2 cents.
    auto r = SelectCoinsBnB(pool, 5 * CENT, 2 * CENT, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(r);
    EXPECT_EQ(SortedValues(*r), (std::vector<Amount>{7 * CENT}));
    EXPECT_EQ(*r->waste, 2 * CENT);
    // An excess under the tolerance is waste as excess: {4,2} for target 5, tolerance 2 -> 6.
    const std::vector<SelectionCoin> pool2{FreeCoin(4 * CENT, 1), FreeCoin(2 * CENT, 2)};
    auto r2 = SelectCoinsBnB(pool2, 5 * CENT, 2 * CENT, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(r2);
    EXPECT_EQ(*r2->waste, 1 * CENT);
}

TEST(CoinSelectionBnB, WastePicksFewerInputsWhenFeesAreHigh)
{
    // Effective {5,3,2} (x 100,000), target 5: {5} or {3,2}.
    // 10 sat/vB vs 1 sat/vB: 612 waste per input -> {5} (612) beats {3,2} (1224).
    std::vector<SelectionCoin> high{CoinWithEffective(500'000, 10'000, 1'000, 1),
                                    CoinWithEffective(300'000, 10'000, 1'000, 2),
                                    CoinWithEffective(200'000, 10'000, 1'000, 3)};
    auto r = SelectCoinsBnB(high, 500'000, 0, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->inputs.size(), 1U);
    EXPECT_EQ(r->inputs[0].effective_value, 500'000);
    EXPECT_EQ(*r->waste, 612);

    // 1 sat/vB now vs 10 later: each input saves 612 -> {3,2} (-1224) beats {5} (-612).
    std::vector<SelectionCoin> low{CoinWithEffective(500'000, 1'000, 10'000, 1),
                                   CoinWithEffective(300'000, 1'000, 10'000, 2),
                                   CoinWithEffective(200'000, 1'000, 10'000, 3)};
    auto l = SelectCoinsBnB(low, 500'000, 0, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->inputs.size(), 2U);
    EXPECT_EQ(*l->waste, -1224);
}

namespace {

// Core's "hard case": for i < n, a coin 2^(n+i) and a decoy 2^(n+i) + 2^(n-1-i). The target is
// the sum of the plain coins; the decoys are larger, so largest-first search meets them first
// and the only solution lies deep in the tree.
Amount MakeHardCase(int n, std::vector<SelectionCoin>& pool)
{
    pool.clear();
    Amount target = 0;
    for (int i = 0; i < n; ++i) {
        const Amount plain = Amount{1} << (n + i);
        target += plain;
        pool.push_back(FreeCoin(plain, static_cast<uint32_t>(2 * i)));
        pool.push_back(
            FreeCoin(plain + (Amount{1} << (n - 1 - i)), static_cast<uint32_t>(2 * i + 1)));
    }
    return target;
}

} // namespace

TEST(CoinSelectionBnB, GivesUpAfterTheTryLimit)
{
    std::vector<SelectionCoin> pool;
    // Core's tests: 17 pairs exhaust the 100,000 tries, 14 pairs do not.
    const Amount hard = MakeHardCase(17, pool);
    auto exhausted = SelectCoinsBnB(pool, hard, 1, MAX_STANDARD_TX_WEIGHT);
    ASSERT_FALSE(exhausted);
    EXPECT_EQ(exhausted.error().message, ERROR_NO_SOLUTION);

    const Amount easier = MakeHardCase(14, pool);
    auto found = SelectCoinsBnB(pool, easier, 1, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(found);
    EXPECT_LT(found->tries, BNB_TOTAL_TRIES);
    // The plain coins hit the target exactly (waste 0); swapping in the +1 decoy would cost the
    // cost of change (1).
    EXPECT_EQ(found->inputs.size(), 14U);
    EXPECT_EQ(found->SelectedEffectiveValue(), easier);
    EXPECT_EQ(*found->waste, 0);
}

TEST(CoinSelectionBnB, WeightLimit)
{
    // {3,2} for target 5 weighs 2 * 272 = 544: a cap of 543 makes it impossible.
    const std::vector<SelectionCoin> pool{FreeCoin(3 * CENT, 1), FreeCoin(2 * CENT, 2)};
    auto capped = SelectCoinsBnB(pool, 5 * CENT, 0, 543);
    ASSERT_FALSE(capped);
    EXPECT_EQ(capped.error().message, ERROR_MAX_WEIGHT);
    EXPECT_TRUE(SelectCoinsBnB(pool, 5 * CENT, 0, 544));
}

TEST(CoinSelectionBnB, IgnoresCoinsNotWorthTheirFee)
{
    // At 10 sat/vB a 500-sat coin has effective value -180: it cannot help.
    const std::vector<SelectionCoin> pool{MakeSelectionCoin(Op(1), 500, 68, 10'000, 1'000)};
    auto r = SelectCoinsBnB(pool, 100, 1000, MAX_STANDARD_TX_WEIGHT);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, ERROR_INSUFFICIENT_FUNDS);
}

TEST(CoinSelectionKnapsack, ExactAndTotalMatches)
{
    SelectionRng rng{1};
    // A single coin equal to the target is taken at once.
    auto one = KnapsackSolver({FreeCoin(1 * CENT, 1), FreeCoin(2 * CENT, 2), FreeCoin(5 * CENT, 3)},
                              2 * CENT, CENT, rng, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(one);
    EXPECT_EQ(SortedValues(*one), (std::vector<Amount>{2 * CENT}));
    EXPECT_EQ(one->algorithm, SelectionAlgorithm::KNAPSACK);

    // Coins below target + change target (1,2,4) sum to exactly 7: all of them, not the 100.
    auto total = KnapsackSolver({FreeCoin(1 * CENT, 1), FreeCoin(2 * CENT, 2),
                                 FreeCoin(4 * CENT, 3), FreeCoin(100 * CENT, 4)},
                                7 * CENT, CENT, rng, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(total);
    EXPECT_EQ(SortedValues(*total), (std::vector<Amount>{1 * CENT, 2 * CENT, 4 * CENT}));
}

TEST(CoinSelectionKnapsack, LowestLargerPreference)
{
    const std::vector<SelectionCoin> base{FreeCoin(6 * CENT, 1), FreeCoin(7 * CENT, 2),
                                          FreeCoin(8 * CENT, 3), FreeCoin(20 * CENT, 4),
                                          FreeCoin(30 * CENT, 5)};
    for (uint64_t seed = 0; seed < 20; ++seed) {
        SelectionRng rng{seed};
        // Coins below 16 + 1: 6, 7, 8. No subset makes 16; the best at or above 17 is
        // 6+7+8 = 21, worse than the next larger coin, 20 (Core's knapsack test).
        auto r = KnapsackSolver(base, 16 * CENT, CENT, rng, MAX_STANDARD_TX_WEIGHT);
        ASSERT_TRUE(r);
        EXPECT_EQ(SortedValues(*r), (std::vector<Amount>{20 * CENT}));

        // 7+8 hits 15 exactly, better than any larger coin.
        auto exact = KnapsackSolver(base, 15 * CENT, CENT, rng, MAX_STANDARD_TX_WEIGHT);
        ASSERT_TRUE(exact);
        EXPECT_EQ(SortedValues(*exact), (std::vector<Amount>{7 * CENT, 8 * CENT}));

        // With a 5: 16 is unreachable, the best total >= 17 is 5+6+7 = 18 < 20.
        auto with5 = base;
        with5.push_back(FreeCoin(5 * CENT, 6));
        auto r5 = KnapsackSolver(with5, 16 * CENT, CENT, rng, MAX_STANDARD_TX_WEIGHT);
        ASSERT_TRUE(r5);
        EXPECT_EQ(SortedValues(*r5), (std::vector<Amount>{5 * CENT, 6 * CENT, 7 * CENT}));

        // All five coins total 71 cents: 72 cannot be reached.
        auto too_much = KnapsackSolver(base, 72 * CENT, CENT, rng, MAX_STANDARD_TX_WEIGHT);
        ASSERT_FALSE(too_much);
        EXPECT_EQ(too_much.error().message, ERROR_INSUFFICIENT_FUNDS);
    }
}

TEST(CoinSelectionKnapsack, SmallCoinsShortOfTargetTakeLowestLarger)
{
    SelectionRng rng{3};
    // 1+2 = 3 < 10: the smallest coin of at least 10 + 1 is 20.
    auto r = KnapsackSolver({FreeCoin(1 * CENT, 1), FreeCoin(2 * CENT, 2), FreeCoin(30 * CENT, 3),
                             FreeCoin(20 * CENT, 4)},
                            10 * CENT, CENT, rng, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(r);
    EXPECT_EQ(SortedValues(*r), (std::vector<Amount>{20 * CENT}));
}

TEST(CoinSelectionSRD, AlwaysReachesTargetPlusChange)
{
    std::vector<SelectionCoin> pool;
    for (uint32_t i = 0; i < 30; ++i) {
        pool.push_back(MakeSelectionCoin(Op(i), 10'000 + 7'919 * Amount{i}, 68, 5'000, 1'000));
    }
    const Amount target = 300'000;
    const Amount change_fee = 155;
    for (uint64_t seed = 0; seed < 100; ++seed) {
        SelectionRng rng{seed};
        auto r = SelectCoinsSRD(pool, target, change_fee, rng, MAX_STANDARD_TX_WEIGHT);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->algorithm, SelectionAlgorithm::SRD);
        EXPECT_EQ(r->target, target);
        EXPECT_GE(r->SelectedEffectiveValue(), target + CHANGE_LOWER + change_fee);
    }
}

TEST(CoinSelectionSRD, NeedsTheChangeCushion)
{
    SelectionRng rng{5};
    // 60,000 covers the target 20,000 but not 20,000 + 50,000 + 0.
    auto short_of = SelectCoinsSRD({FreeCoin(60'000, 1)}, 20'000, 0, rng, MAX_STANDARD_TX_WEIGHT);
    ASSERT_FALSE(short_of);
    EXPECT_EQ(short_of.error().message, ERROR_INSUFFICIENT_FUNDS);
    auto enough = SelectCoinsSRD({FreeCoin(70'000, 1)}, 20'000, 0, rng, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(enough);
    // The change fee also raises the bar: 70,000 < 70,001.
    EXPECT_FALSE(SelectCoinsSRD({FreeCoin(70'000, 1)}, 20'000, 1, rng, MAX_STANDARD_TX_WEIGHT));
}

TEST(CoinSelectionSRD, DropsSmallestCoinsOverTheWeightCap)
{
    // Cap of two inputs (544). Whatever the order, once three coins are in, the smallest goes;
    // only {100k, 90k} = 190k reaches 100k + 50k, so that is the one answer.
    const std::vector<SelectionCoin> pool{FreeCoin(100'000, 1), FreeCoin(90'000, 2),
                                          FreeCoin(40'000, 3), FreeCoin(30'000, 4)};
    for (uint64_t seed = 0; seed < 30; ++seed) {
        SelectionRng rng{seed};
        auto r = SelectCoinsSRD(pool, 100'000, 0, rng, 544);
        ASSERT_TRUE(r);
        EXPECT_EQ(SortedValues(*r), (std::vector<Amount>{90'000, 100'000}));
    }
    SelectionRng rng{9};
    // Cap of one input: no single coin reaches 150k.
    auto none = SelectCoinsSRD(pool, 100'000, 0, rng, 272);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message, ERROR_MAX_WEIGHT);
}

namespace {

// 10 sat/vB now, 1 sat/vB long term: inputs cost 680, waste 612 each. Change costs 514.
SelectionParams HighFeeParams()
{
    SelectionParams p;
    p.effective_feerate = 10'000;
    p.long_term_feerate = 1'000;
    p.change_output_size = 31;
    p.change_spend_size = 68;
    p.tx_noinputs_size = 11;
    p.change_fee = 310;
    p.cost_of_change = 514;
    p.min_change_target = 50'310;
    p.min_viable_change = 294;
    return p;
}

} // namespace

TEST(CoinSelectionChooser, ChangelessBnBWinsWhenCheapest)
{
    // C (effective 100,100) is within target + 514: BnB waste 612 + 100 = 712.
    // Knapsack: C alone (100,100) is neither exact nor >= target + 50,310, so it takes the larger
    // coin L: 612 + 514 = 1126. SRD: {L} 1126 or {C, L} 1738. BnB wins.
    const auto p = HighFeeParams();
    const std::vector<SelectionCoin> coins{CoinWithEffective(100'100, 10'000, 1'000, 1),
                                           CoinWithEffective(1'000'000, 10'000, 1'000, 2)};
    for (uint64_t seed = 0; seed < 10; ++seed) {
        SelectionRng rng{seed};
        auto r = ChooseSelectionResult(coins, 100'000, p, rng);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->algorithm, SelectionAlgorithm::BNB);
        EXPECT_EQ(*r->waste, 712);
        ASSERT_EQ(r->inputs.size(), 1U);
        EXPECT_EQ(r->inputs[0].effective_value, 100'100);
    }
}

TEST(CoinSelectionChooser, ChangeBeatsManyInputs)
{
    // Five coins of effective 20,020 make 100,100: BnB's only answer, waste 5 * 612 + 100 = 3160.
    // Knapsack: all five (100,100) miss both 100,000 and 150,310, so it takes L (200,000):
    // 612 + 514 = 1126. SRD draws L plus k small coins: 1126 + 612k, ties at k = 0 keep Knapsack.
    const auto p = HighFeeParams();
    std::vector<SelectionCoin> coins;
    for (uint32_t i = 0; i < 5; ++i)
        coins.push_back(CoinWithEffective(20'020, 10'000, 1'000, i));
    coins.push_back(CoinWithEffective(200'000, 10'000, 1'000, 9));
    for (uint64_t seed = 0; seed < 10; ++seed) {
        SelectionRng rng{seed};
        auto r = ChooseSelectionResult(coins, 100'000, p, rng);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->algorithm, SelectionAlgorithm::KNAPSACK);
        EXPECT_EQ(*r->waste, 1126);
        ASSERT_EQ(r->inputs.size(), 1U);
        EXPECT_EQ(r->inputs[0].effective_value, 200'000);
    }
}

TEST(CoinSelectionChooser, TiePrefersMoreInputs)
{
    // 1 sat/vB now, 2 sat/vB long term: each input saves 68. Cost of change 1000, no change fee.
    // BnB: A (100,932) within [100,000, 101,000], excess 932 -> -68 + 932 = 864.
    // Knapsack: A is not exact; the change target 150,000 is reached best by B + C = 152,000
    // -> -136 + 1000 = 864. SRD: any two coins pass 150,000 -> also 864 with two inputs.
    // Equal waste: the result with more inputs, the first such being Knapsack's.
    SelectionParams p;
    p.effective_feerate = 1'000;
    p.long_term_feerate = 2'000;
    p.change_fee = 0;
    p.cost_of_change = 1'000;
    p.min_change_target = 50'000;
    p.min_viable_change = 500;
    const std::vector<SelectionCoin> coins{CoinWithEffective(100'932, 1'000, 2'000, 1),
                                           CoinWithEffective(76'000, 1'000, 2'000, 2),
                                           CoinWithEffective(76'000, 1'000, 2'000, 3)};
    for (uint64_t seed = 0; seed < 10; ++seed) {
        SelectionRng rng{seed};
        auto r = ChooseSelectionResult(coins, 100'000, p, rng);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(*r->waste, 864);
        EXPECT_EQ(r->inputs.size(), 2U);
        EXPECT_EQ(r->algorithm, SelectionAlgorithm::KNAPSACK);
        EXPECT_EQ(r->SelectedEffectiveValue(), 152'000);
    }
}

TEST(CoinSelectionChooser, SubtractFeeSkipsBnB)
{
    // Fees from the outputs: amounts are raw values. Knapsack finds the exact 50,000 coin
    // (waste 612, no change); SRD needs 50,000 + 50,000 + 310 > 100,000 total and fails.
    auto p = HighFeeParams();
    p.subtract_fee_outputs = true;
    const std::vector<SelectionCoin> coins{MakeSelectionCoin(Op(1), 50'000, 68, 10'000, 1'000),
                                           MakeSelectionCoin(Op(2), 30'000, 68, 10'000, 1'000),
                                           MakeSelectionCoin(Op(3), 20'000, 68, 10'000, 1'000)};
    SelectionRng rng{11};
    auto r = ChooseSelectionResult(coins, 50'000, p, rng);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->algorithm, SelectionAlgorithm::KNAPSACK);
    EXPECT_FALSE(r->use_effective);
    EXPECT_EQ(SortedValues(*r), (std::vector<Amount>{50'000}));
    EXPECT_EQ(*r->waste, 612);
}

TEST(CoinSelectionChooser, InsufficientFunds)
{
    const auto p = HighFeeParams();
    SelectionRng rng{2};
    // Effective 2 * 20,000 = 40,000 < 100,000.
    const std::vector<SelectionCoin> coins{CoinWithEffective(20'000, 10'000, 1'000, 1),
                                           CoinWithEffective(20'000, 10'000, 1'000, 2)};
    auto r = ChooseSelectionResult(coins, 100'000, p, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Insufficient funds");
    auto empty = ChooseSelectionResult({}, 1, p, rng);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().message, "Insufficient funds");
}

TEST(CoinSelectionChooser, MaxWeight)
{
    // Cap 1000 - 11 * 4 = 956 for BnB, 956 - 124 = 832 for the others: three inputs (816) at
    // most, but the target needs all five coins of 20,000.
    auto p = HighFeeParams();
    p.max_tx_weight = 1000;
    std::vector<SelectionCoin> coins;
    for (uint32_t i = 0; i < 5; ++i)
        coins.push_back(CoinWithEffective(20'000, 10'000, 1'000, i));
    SelectionRng rng{4};
    auto r = ChooseSelectionResult(coins, 100'000, p, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, ERROR_MAX_WEIGHT);

    // No room even for the transaction without inputs.
    p.max_tx_weight = 44;
    auto tiny = ChooseSelectionResult(coins, 10'000, p, rng);
    ASSERT_FALSE(tiny);
    EXPECT_NE(tiny.error().message.find("without inputs"), std::string::npos);
}

TEST(CoinSelectionCoinGrinder, PicksTheLightestSet)
{
    // Goal 100,000 + 50,310 = 150,310. X (160,000) alone weighs 800; Y + Z (160,000) weigh
    // 2 * 272 = 544: the lighter pair wins although it has more inputs.
    const std::vector<SelectionCoin> pool{SizedCoin(160'000, 200, 0, 0, 1),
                                          SizedCoin(80'000, 68, 0, 0, 2),
                                          SizedCoin(80'000, 68, 0, 0, 3)};
    auto r = CoinGrinder(pool, 100'000, 50'310, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->algorithm, SelectionAlgorithm::CG);
    EXPECT_EQ(SortedValues(*r), (std::vector<Amount>{80'000, 80'000}));
    EXPECT_EQ(r->Weight(), 544);

    // Same weight: the set tying up less value (150,400 rather than 160,000).
    auto tie = CoinGrinder({SizedCoin(160'000, 68, 0, 0, 1), SizedCoin(150'400, 68, 0, 0, 2)},
                           100'000, 50'310, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(tie);
    EXPECT_EQ(SortedValues(*tie), (std::vector<Amount>{150'400}));

    // Everything (320,000) short of 300,000 + 50,000 is insufficient funds.
    auto short_of = CoinGrinder(pool, 300'000, 50'000, MAX_STANDARD_TX_WEIGHT);
    ASSERT_FALSE(short_of);
    EXPECT_EQ(short_of.error().message, ERROR_INSUFFICIENT_FUNDS);

    // A cap of 543 admits neither the pair (544) nor X (800).
    auto capped = CoinGrinder(pool, 100'000, 50'310, 543);
    ASSERT_FALSE(capped);
    EXPECT_EQ(capped.error().message, ERROR_MAX_WEIGHT);
}

TEST(CoinSelectionCoinGrinder, ManySmallCoinsAndOneLight)
{
    // Twenty 10,000 coins (272 each) and one 150,000 coin: the single coin (272) beats any
    // fifteen small ones (4,080); the search must also get through the run of equal coins.
    std::vector<SelectionCoin> pool;
    for (uint32_t i = 0; i < 20; ++i)
        pool.push_back(SizedCoin(10'000, 68, 0, 0, i));
    pool.push_back(SizedCoin(150'000, 68, 0, 0, 99));
    auto r = CoinGrinder(pool, 100'000, 50'000, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(r);
    EXPECT_EQ(SortedValues(*r), (std::vector<Amount>{150'000}));
    // Without the big coin: 15 small coins are the lightest way to 150,000.
    pool.pop_back();
    auto small = CoinGrinder(pool, 100'000, 50'000, MAX_STANDARD_TX_WEIGHT);
    ASSERT_TRUE(small);
    EXPECT_EQ(small->inputs.size(), 15U);
}

TEST(CoinSelectionChooser, CoinGrinderAtHighFeeRates)
{
    // 10 sat/vB vs 1 sat/vB (over 3x): X (effective 160,000, 200 vB) wastes 1800, Y and Z
    // (80,000, 68 vB) 612 each. BnB: no sum in [100,000, 100,514]. Knapsack: Y + Z = 160,000
    // is no closer than X, so X: 1800 + 514 = 2314. CoinGrinder: Y + Z (544 < 800):
    // 1224 + 514 = 1738. SRD: {Y,Z} 1738 (after CG on the tie), {X} 2314 or {X,Y} 2926.
    const auto p = HighFeeParams();
    const std::vector<SelectionCoin> coins{SizedCoin(160'000, 200, 10'000, 1'000, 1),
                                           SizedCoin(80'000, 68, 10'000, 1'000, 2),
                                           SizedCoin(80'000, 68, 10'000, 1'000, 3)};
    for (uint64_t seed = 0; seed < 10; ++seed) {
        SelectionRng rng{seed};
        auto r = ChooseSelectionResult(coins, 100'000, p, rng);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->algorithm, SelectionAlgorithm::CG);
        EXPECT_EQ(*r->waste, 1738);
        EXPECT_EQ(r->inputs.size(), 2U);
    }

    // At exactly 3x the long-term rate CoinGrinder does not run.
    auto low = p;
    low.effective_feerate = 3'000;
    const std::vector<SelectionCoin> coins3{SizedCoin(160'000, 200, 3'000, 1'000, 1),
                                            SizedCoin(80'000, 68, 3'000, 1'000, 2),
                                            SizedCoin(80'000, 68, 3'000, 1'000, 3)};
    for (uint64_t seed = 0; seed < 10; ++seed) {
        SelectionRng rng{seed};
        auto r = ChooseSelectionResult(coins3, 100'000, low, rng);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_NE(r->algorithm, SelectionAlgorithm::CG);
    }
    EXPECT_EQ(AlgorithmName(SelectionAlgorithm::CG), "cg");
    EXPECT_EQ(AlgorithmName(SelectionAlgorithm::BNB), "bnb");
}

TEST(CoinSelectionChooser, RejectsTargetsOutsideTheMoneyRange)
{
    const auto p = HighFeeParams();
    SelectionRng rng{6};
    const std::vector<SelectionCoin> coins{FreeCoin(1 * CENT, 1)};
    for (const Amount bad : {Amount{0}, Amount{-5}, consensus::MAX_MONEY + 1}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(ChooseSelectionResult(coins, bad, p, rng));
        EXPECT_FALSE(SelectCoinsBnB(coins, bad, 0, MAX_STANDARD_TX_WEIGHT));
        EXPECT_FALSE(KnapsackSolver(coins, bad, CENT, rng, MAX_STANDARD_TX_WEIGHT));
        EXPECT_FALSE(SelectCoinsSRD(coins, bad, 0, rng, MAX_STANDARD_TX_WEIGHT));
        EXPECT_FALSE(CoinGrinder(coins, bad, 0, MAX_STANDARD_TX_WEIGHT));
    }
    // The same coins serve a valid target.
    EXPECT_TRUE(SelectCoinsBnB(coins, 1 * CENT, 0, MAX_STANDARD_TX_WEIGHT));
}
