// Building spends (wallet/spend_internal.h) against Bitcoin Core's documented numbers and
// messages, with transactions signed by sign.h so sizes and fee rates are measured on the real
// thing. Expected numbers are worked out by hand beside each assertion.
#include <wallet/spend_internal.h>

#include <common/sign.h>
#include <consensus/hash.h>
#include <consensus/script/sighash.h>

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

using namespace wallet;
using namespace wallet::spend_internal;
using consensus::Amount;
using consensus::COIN;
using consensus::Script;
using consensus::TxOut;

namespace {

consensus::PrivKey KeyFrom(uint8_t seed)
{
    std::array<uint8_t, 32> secret{};
    secret.fill(seed);
    return *consensus::PrivKey::FromBytes(secret);
}

std::vector<uint8_t> KeyHash(const consensus::PrivKey& key)
{
    const auto h = consensus::Hash160(key.GetPubKey());
    return {h.begin(), h.end()};
}

Script P2wpkh(const consensus::PrivKey& key)
{
    return Script{} << consensus::OP_0 << KeyHash(key);
}

Script P2pkh(const consensus::PrivKey& key)
{
    return Script{} << consensus::OP_DUP << consensus::OP_HASH160 << KeyHash(key)
                    << consensus::OP_EQUALVERIFY << consensus::OP_CHECKSIG;
}

Script P2shP2wpkh(const consensus::PrivKey& key)
{
    const auto h = consensus::Hash160(P2wpkh(key).span());
    return Script{} << consensus::OP_HASH160 << std::vector<uint8_t>(h.begin(), h.end())
                    << consensus::OP_EQUAL;
}

Script P2tr(const consensus::PrivKey& key)
{
    const auto out = key.GetXOnlyPubKey().CreateTapTweak(nullptr)->first.bytes();
    return Script{} << consensus::OP_1 << std::vector<uint8_t>(out.begin(), out.end());
}

consensus::OutPoint Op(uint8_t tag, uint32_t n)
{
    consensus::OutPoint op;
    op.hash.data()[0] = tag;
    op.hash.data()[1] = 0x5a;
    op.n = n;
    return op;
}

// The keys every test spends with, and a provider holding them.
struct Keys
{
    consensus::PrivKey a = KeyFrom(1), b = KeyFrom(2), c = KeyFrom(3), d = KeyFrom(4),
                       payee = KeyFrom(9), change = KeyFrom(10);
    common::SigningProvider provider;
    Keys()
    {
        for (const auto* k : {&a, &b, &c, &d, &change})
            provider.AddKey(*k);
    }
};

BuildCoin Coin(const Keys& keys, const Script& script, Amount value, uint8_t tag, int depth = 10,
               bool from_me = false)
{
    BuildCoin coin;
    coin.outpoint = Op(tag, 0);
    coin.txout = TxOut{value, script};
    coin.depth = depth;
    coin.from_me = from_me;
    coin.weight = *EstimateInputWeight(script, keys.provider);
    return coin;
}

// Signs every input with sign.h; returns the signed transaction.
consensus::Transaction SignAll(consensus::MutableTransaction tx, const std::vector<TxOut>& spent,
                               const common::SigningProvider& provider)
{
    const consensus::Transaction unsigned_tx{tx};
    consensus::PrecomputedTxData txdata;
    txdata.Init(unsigned_tx, spent, true);
    for (unsigned i = 0; i < tx.vin.size(); ++i) {
        auto signed_in = common::SignInput(unsigned_tx, i, spent[i], consensus::SIGHASH_DEFAULT,
                                           txdata, provider, {});
        EXPECT_TRUE(signed_in.complete) << i;
        tx.vin[i].script_sig = signed_in.script_sig;
        tx.vin[i].witness = signed_in.witness;
    }
    return consensus::Transaction{tx};
}

Amount Sum(const std::vector<TxOut>& outs)
{
    Amount sum = 0;
    for (const auto& o : outs)
        sum += o.value;
    return sum;
}

BuildRequest BaseRequest(const Keys& keys)
{
    BuildRequest request;
    request.fee_rate_per_kvb = 10'000; // 10 sat/vB
    request.change_script = P2wpkh(keys.change);
    request.change_spend_vsize = 68;
    request.anti_fee_sniping_height = 200;
    return request;
}

// ---- fee-rate choice (Core's GetMinimumFeeRate and CreateTransaction's checks) ----

struct EstimatorSpy
{
    std::optional<Amount> answer;
    int target{-1};
    std::string mode;
};

FeeEnvironment Env(EstimatorSpy& spy)
{
    FeeEnvironment env;
    env.estimate = [&spy](int target, const std::string& mode) {
        spy.target = target;
        spy.mode = mode;
        return spy.answer;
    };
    return env;
}

TEST(SpendFeeRate, ExplicitRateIsUsedAndReportedAsPayTxFee)
{
    EstimatorSpy spy;
    CoinControl control;
    control.fee_rate_per_kvb = 5'000;
    auto choice = ChooseFeeRateFrom(Env(spy), control);
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->fee_rate_per_kvb, 5'000);
    EXPECT_EQ(choice->reason, "PayTxFee set");
    EXPECT_EQ(spy.target, -1); // the estimator is not asked
}

TEST(SpendFeeRate, ExplicitRateBelowMinimumIsCoreError)
{
    EstimatorSpy spy;
    CoinControl control;
    control.fee_rate_per_kvb = 500;
    auto choice = ChooseFeeRateFrom(Env(spy), control);
    ASSERT_FALSE(choice);
    EXPECT_EQ(choice.error().message,
              "Fee rate (0.500 sat/vB) is lower than the minimum fee rate setting (1.000 sat/vB)");

    // The relay minimum floors too when it is the larger.
    FeeEnvironment env = Env(spy);
    env.settings.min_relay_fee_per_kvb = 2'000;
    control.fee_rate_per_kvb = 1'500;
    choice = ChooseFeeRateFrom(env, control);
    ASSERT_FALSE(choice);
    EXPECT_EQ(choice.error().message,
              "Fee rate (1.500 sat/vB) is lower than the minimum fee rate setting (2.000 sat/vB)");
}

TEST(SpendFeeRate, EstimateUsesTargetAndModeRules)
{
    EstimatorSpy spy;
    spy.answer = 20'000;
    CoinControl control;
    auto choice = ChooseFeeRateFrom(Env(spy), control);
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->fee_rate_per_kvb, 20'000);
    EXPECT_EQ(choice->reason, "Target 85% Threshold");
    EXPECT_EQ(spy.target, 6);          // -txconfirmtarget default
    EXPECT_EQ(spy.mode, "economical"); // replaceable (walletrbf default) -> economical

    control.conf_target = 3;
    control.signal_rbf = false; // not replaceable -> conservative
    ASSERT_TRUE(ChooseFeeRateFrom(Env(spy), control));
    EXPECT_EQ(spy.target, 3);
    EXPECT_EQ(spy.mode, "conservative");

    control.estimate_mode = "economical"; // an explicit mode wins
    ASSERT_TRUE(ChooseFeeRateFrom(Env(spy), control));
    EXPECT_EQ(spy.mode, "economical");
}

TEST(SpendFeeRate, FallbackAndItsAbsence)
{
    EstimatorSpy spy; // no estimate
    CoinControl control;
    auto choice = ChooseFeeRateFrom(Env(spy), control);
    ASSERT_FALSE(choice);
    EXPECT_EQ(choice.error().message, "Fee estimation failed. Fallbackfee is disabled. Wait a few "
                                      "blocks or enable -fallbackfee.");

    FeeEnvironment env = Env(spy);
    env.settings.fallback_fee_per_kvb = 20'000;
    choice = ChooseFeeRateFrom(env, control);
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->fee_rate_per_kvb, 20'000);
    EXPECT_EQ(choice->reason, "Fallback fee");

    spy.answer = 0; // an answer of 0 means no estimate, as Core
    choice = ChooseFeeRateFrom(env, control);
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->reason, "Fallback fee");
}

TEST(SpendFeeRate, FloorsApplyToEstimates)
{
    EstimatorSpy spy;
    spy.answer = 2'000;
    FeeEnvironment env = Env(spy);
    env.mempool_min_fee_per_kvb = 3'000;
    auto choice = ChooseFeeRateFrom(env, CoinControl{});
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->fee_rate_per_kvb, 3'000);
    EXPECT_EQ(choice->reason, "Mempool Min Fee");

    spy.answer = 500;
    env.mempool_min_fee_per_kvb = 0;
    env.settings.min_fee_per_kvb = 1'200; // -mintxfee above the estimate
    choice = ChooseFeeRateFrom(env, CoinControl{});
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->fee_rate_per_kvb, 1'200);
    EXPECT_EQ(choice->reason, "Minimum Required Fee");
}

TEST(SpendFormat, MoneyAndFeeRateAsCore)
{
    EXPECT_EQ(FormatMoney(1410), "0.0000141");
    EXPECT_EQ(FormatMoney(COIN), "1.00");
    EXPECT_EQ(FormatMoney(COIN / 2), "0.50");
    EXPECT_EQ(FormatMoney(-1), "-0.00000001");
    EXPECT_EQ(FormatFeeRate(1'000), "1.000 sat/vB");
    EXPECT_EQ(FormatFeeRate(12'345), "12.345 sat/vB");
}

// ---- dust and sizes ----

TEST(SpendSizes, DustThresholdsAreCores)
{
    Keys keys;
    // Core's well-known dust limits at 3 sat/vB: 546 (P2PKH), 294 (P2WPKH), 330 (P2TR), 540
    // (P2SH): (output size + 148 or 67 spend bytes) * 3.
    EXPECT_EQ(DustThreshold(TxOut{0, P2pkh(keys.a)}, 3'000), 546);
    EXPECT_EQ(DustThreshold(TxOut{0, P2wpkh(keys.a)}, 3'000), 294);
    EXPECT_EQ(DustThreshold(TxOut{0, P2tr(keys.a)}, 3'000), 330);
    EXPECT_EQ(DustThreshold(TxOut{0, P2shP2wpkh(keys.a)}, 3'000), 540);
    EXPECT_EQ(DustThreshold(TxOut{0, Script{} << consensus::OP_RETURN}, 3'000), 0);
    EXPECT_TRUE(IsDust(TxOut{293, P2wpkh(keys.a)}));
    EXPECT_FALSE(IsDust(TxOut{294, P2wpkh(keys.a)}));
}

TEST(SpendSizes, InputEstimatesMatchCoresSizes)
{
    Keys keys;
    // P2WPKH: 41 bytes + (1 + 72 + 34 witness bytes)/4 = 67.75 -> 68 vB.
    EXPECT_EQ(InputVsize(*EstimateInputWeight(P2wpkh(keys.a), keys.provider)), 68);
    // P2TR key path: 41 + (1 + 65)/4 = 57.5 -> 58 vB.
    EXPECT_EQ(InputVsize(*EstimateInputWeight(P2tr(keys.a), keys.provider)), 58);
    // P2SH-P2WPKH: 41 + 23 + 107/4 = 90.75 -> 91 vB (Core's DUMMY_NESTED_P2WPKH_INPUT_SIZE).
    EXPECT_EQ(InputVsize(*EstimateInputWeight(P2shP2wpkh(keys.a), keys.provider)), 91);
    // P2PKH: 32 + 4 + 1 + (72 + 34) + 4 = 147 bytes, + the empty-witness quarter byte -> 148.
    EXPECT_EQ(InputVsize(*EstimateInputWeight(P2pkh(keys.a), keys.provider)), 148);
    EXPECT_FALSE(EstimateInputWeight(P2pkh(keys.a), keys.provider)->segwit);

    // 2-of-3 P2WSH multisig: witness = count 1 + dummy 1 + 2 * 72 + (1 + 105-byte script).
    Script ms = Script{} << consensus::OP_2;
    for (const auto* k : {&keys.a, &keys.b, &keys.c})
        ms << k->GetPubKey();
    ms << consensus::OP_3 << consensus::OP_CHECKMULTISIG;
    ASSERT_EQ(ms.size(), 105u);
    common::SigningProvider provider = keys.provider;
    provider.AddScript(ms);
    const auto sha = consensus::Sha256Hash(ms.span());
    const Script p2wsh = Script{} << consensus::OP_0
                                  << std::vector<uint8_t>(sha.begin(), sha.end());
    const auto wsh = EstimateInputWeight(p2wsh, provider);
    ASSERT_TRUE(wsh);
    EXPECT_EQ(wsh->weight, 41 * 4 + 1 + 1 + 144 + 106);

    // Unsolvable: a P2SH whose script we do not know, a non-standard script.
    EXPECT_FALSE(EstimateInputWeight(P2shP2wpkh(keys.payee), common::SigningProvider{}));
    EXPECT_FALSE(EstimateInputWeight(Script{} << consensus::OP_RETURN, keys.provider));
}

TEST(SpendSizes, EstimatesBoundSignedSizes)
{
    Keys keys;
    // One input of each type, two outputs: the estimate is an upper bound of the signed size,
    // and close to it (each ECDSA signature may be a byte shorter than assumed).
    const std::vector<Script> spks{P2pkh(keys.a), P2wpkh(keys.b), P2shP2wpkh(keys.c), P2tr(keys.d)};
    consensus::MutableTransaction tx;
    std::vector<TxOut> spent;
    std::vector<InputWeight> weights;
    for (uint32_t i = 0; i < spks.size(); ++i) {
        tx.vin.emplace_back();
        tx.vin.back().prevout = Op(7, i);
        spent.push_back(TxOut{100'000, spks[i]});
        weights.push_back(*EstimateInputWeight(spks[i], keys.provider));
    }
    tx.vout = {TxOut{50'000, P2wpkh(keys.payee)}, TxOut{40'000, P2tr(keys.payee)}};
    const int64_t estimate = EstimateTxWeight(tx.vout, weights);
    const auto signed_tx = SignAll(tx, spent, keys.provider);
    EXPECT_LE(static_cast<int64_t>(signed_tx.GetWeight()), estimate);
    EXPECT_GE(static_cast<int64_t>(signed_tx.GetWeight()), estimate - 3 * 4);

    // Known total: 1 P2WPKH in, 2 P2WPKH out = (10 + 2*31) * 4 + 2 + 271 = 561 WU = 141 vB.
    EXPECT_EQ(EstimateTxWeight({TxOut{1, P2wpkh(keys.a)}, TxOut{1, P2wpkh(keys.b)}},
                               {*EstimateInputWeight(P2wpkh(keys.a), keys.provider)}),
              561);
    // Without segwit inputs there is no marker, flag or per-input witness byte:
    // (10 + 34) * 4 + (148 - 1 + ... ) -> base 4+4+1+1+34 = 44 bytes + 147-byte input = 191 vB.
    EXPECT_EQ(WeightToVsize(EstimateTxWeight({TxOut{1, P2pkh(keys.b)}},
                                             {*EstimateInputWeight(P2pkh(keys.a), keys.provider)})),
              191);
}

TEST(SpendChange, ChangeTypeFollowsCore)
{
    Keys keys;
    const std::vector<OutputType> all{OutputType::LEGACY, OutputType::P2SH_SEGWIT,
                                      OutputType::BECH32, OutputType::BECH32M};
    const auto to = [](const Script& s) { return std::vector<Recipient>{{s, 1000, false}}; };
    EXPECT_EQ(ChangeTypeFor(std::nullopt, to(P2tr(keys.a)), all), OutputType::BECH32M);
    EXPECT_EQ(ChangeTypeFor(std::nullopt, to(P2wpkh(keys.a)), all), OutputType::BECH32);
    EXPECT_EQ(ChangeTypeFor(std::nullopt, to(P2shP2wpkh(keys.a)), all), OutputType::P2SH_SEGWIT);
    EXPECT_EQ(ChangeTypeFor(std::nullopt, to(P2pkh(keys.a)), all), OutputType::LEGACY);
    // Recipients of several types: the newest type present wins.
    std::vector<Recipient> mixed{{P2pkh(keys.a), 1000, false}, {P2wpkh(keys.b), 1000, false}};
    EXPECT_EQ(ChangeTypeFor(std::nullopt, mixed, all), OutputType::BECH32);
    // No internal descriptor of the recipient's type: bech32m if we have it, else bech32.
    const std::vector<OutputType> default_set{OutputType::BECH32, OutputType::BECH32M};
    EXPECT_EQ(ChangeTypeFor(std::nullopt, to(P2pkh(keys.a)), default_set), OutputType::BECH32M);
    EXPECT_EQ(ChangeTypeFor(std::nullopt, to(P2tr(keys.a)), {OutputType::BECH32}),
              OutputType::BECH32);
    EXPECT_EQ(ChangeTypeFor(OutputType::LEGACY, to(P2tr(keys.a)), all), OutputType::LEGACY);
}

TEST(SpendLocktime, AntiFeeSniping)
{
    EXPECT_EQ(AntiFeeSnipingLocktime(812'345, false), 812'345u);
    SelectionRng rng{42};
    int stepped_back = 0;
    for (int i = 0; i < 2000; ++i) {
        const uint32_t lt = AntiFeeSnipingLocktimeWith(1000, true, rng);
        ASSERT_LE(lt, 1000u);
        ASSERT_GE(lt, 901u); // at most 99 back
        if (lt != 1000) ++stepped_back;
    }
    // One draw in ten steps back (by 0..99, so ~9.9% differ): far from 0 and from all.
    EXPECT_GT(stepped_back, 100);
    EXPECT_LT(stepped_back, 400);
    for (int i = 0; i < 200; ++i)
        ASSERT_LE(AntiFeeSnipingLocktimeWith(3, true, rng), 3u); // never below 0
}

// ---- BuildTransaction ----

TEST(SpendBuild, FeeRateAfterSigningIsWithinOneSatPerVbyte)
{
    Keys keys;
    for (Amount rate : {1'000, 10'000, 25'500}) {
        for (const Script& spk :
             {P2wpkh(keys.a), P2pkh(keys.b), P2shP2wpkh(keys.c), P2tr(keys.d)}) {
            BuildRequest request = BaseRequest(keys);
            request.fee_rate_per_kvb = rate;
            request.available = {Coin(keys, spk, COIN, 1)};
            request.recipients = {{P2wpkh(keys.payee), 10'000'000, false}};
            SelectionRng rng{7};
            auto built = BuildTransaction(request, rng);
            ASSERT_TRUE(built) << built.error().message;
            ASSERT_TRUE(built->change_position);
            // Inputs - outputs is the fee reported.
            EXPECT_EQ(COIN - Sum(built->tx.vout), built->fee);
            const auto signed_tx = SignAll(built->tx, built->spent, keys.provider);
            const double vsize = static_cast<double>(signed_tx.GetVirtualSize());
            const double sat_per_vb = static_cast<double>(built->fee) / vsize;
            EXPECT_GE(sat_per_vb, rate / 1000.0) << rate;
            EXPECT_LE(sat_per_vb, rate / 1000.0 + 1.0) << rate;
            EXPECT_EQ(built->fee, FeeAtRate(rate, WeightToVsize(built->estimated_weight)));
        }
    }
}

TEST(SpendBuild, ChangePositionSequenceAndLocktime)
{
    Keys keys;
    BuildRequest request = BaseRequest(keys);
    request.available = {Coin(keys, P2wpkh(keys.a), COIN, 1)};
    request.recipients = {{P2wpkh(keys.payee), 10'000'000, false},
                          {P2tr(keys.payee), 20'000'000, false}};
    for (int pos : {0, 1, 2}) {
        request.change_position = pos;
        SelectionRng rng{static_cast<uint64_t>(pos)};
        auto built = BuildTransaction(request, rng);
        ASSERT_TRUE(built) << built.error().message;
        ASSERT_EQ(built->change_position, std::optional<unsigned>(pos));
        EXPECT_EQ(built->tx.vout[pos].script_pubkey, P2wpkh(keys.change));
        EXPECT_EQ(built->tx.vout.size(), 3u);
        for (const auto& in : built->tx.vin)
            EXPECT_EQ(in.sequence, 0xfffffffdu); // BIP125 signalling by default
        EXPECT_LE(built->tx.locktime, 200u);
        EXPECT_GE(built->tx.locktime, 101u);
    }
    request.change_position = 3;
    SelectionRng rng{1};
    auto out_of_range = BuildTransaction(request, rng);
    ASSERT_FALSE(out_of_range);
    EXPECT_EQ(out_of_range.error().message, "Transaction change output index out of range");

    // Not replaceable: MAX_SEQUENCE_NONFINAL; an explicit lock time is kept; a lagging tip gives 0.
    request.change_position.reset();
    request.signal_rbf = false;
    request.locktime = 12'345;
    auto built = BuildTransaction(request, rng);
    ASSERT_TRUE(built);
    EXPECT_EQ(built->tx.vin[0].sequence, 0xfffffffeu);
    EXPECT_EQ(built->tx.locktime, 12'345u);
    request.locktime.reset();
    request.anti_fee_sniping_height.reset();
    built = BuildTransaction(request, rng);
    ASSERT_TRUE(built);
    EXPECT_EQ(built->tx.locktime, 0u);
}

TEST(SpendBuild, ChangeScriptIsDrawnOnlyWhenNeeded)
{
    Keys keys;
    BuildRequest request = BaseRequest(keys);
    request.change_script.reset();
    request.change_type = OutputType::BECH32;
    int draws = 0;
    request.new_change_script = [&] {
        ++draws;
        return util::Expected<Script>{P2wpkh(keys.change)};
    };
    // An exact match for BnB: value = payment + fee of a 1-in-1-out P2WPKH spend at 10 sat/vB
    // (10 + 1 + 31 bytes without inputs + a 68 vB input = 110 vB, 1100 sat).
    request.available = {Coin(keys, P2wpkh(keys.a), 1'000'000 + 1'100, 1)};
    request.recipients = {{P2wpkh(keys.payee), 1'000'000, false}};
    SelectionRng rng{3};
    auto built = BuildTransaction(request, rng);
    ASSERT_TRUE(built) << built.error().message;
    EXPECT_FALSE(built->change_position);
    EXPECT_EQ(built->tx.vout.size(), 1u);
    EXPECT_EQ(built->fee, 1'100);
    EXPECT_EQ(draws, 0);

    request.available = {Coin(keys, P2wpkh(keys.a), COIN, 1)};
    built = BuildTransaction(request, rng);
    ASSERT_TRUE(built);
    EXPECT_TRUE(built->change_position);
    EXPECT_EQ(draws, 1);

    request.new_change_script = [] { return util::Expected<Script>{util::Unexpected("no keys")}; };
    built = BuildTransaction(request, rng);
    ASSERT_FALSE(built);
    EXPECT_EQ(built.error().message,
              "Transaction needs a change address, but we can't generate it. no keys");
}

TEST(SpendBuild, RecipientAndFundsErrors)
{
    Keys keys;
    BuildRequest request = BaseRequest(keys);
    request.available = {Coin(keys, P2wpkh(keys.a), COIN, 1)};
    SelectionRng rng{5};

    auto r = BuildTransaction(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Transaction must have at least one recipient");

    request.recipients = {{P2wpkh(keys.payee), -1, false}};
    r = BuildTransaction(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Transaction amounts must not be negative");

    for (Amount small : {Amount{0}, Amount{293}}) {
        request.recipients = {{P2wpkh(keys.payee), small, false}};
        r = BuildTransaction(request, rng);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().message, "Transaction amount too small");
    }

    request.recipients = {{P2wpkh(keys.payee), 2 * COIN, false}};
    r = BuildTransaction(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Insufficient funds");

    // Unconfirmed coins from others are not spent (Core's eligibility passes); our own
    // unconfirmed change is, unless -spendzeroconfchange=0.
    request.recipients = {{P2wpkh(keys.payee), COIN / 2, false}};
    request.available = {Coin(keys, P2wpkh(keys.a), COIN, 1, /*depth=*/0, /*from_me=*/false)};
    r = BuildTransaction(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Insufficient funds");
    request.available = {Coin(keys, P2wpkh(keys.a), COIN, 1, /*depth=*/0, /*from_me=*/true)};
    EXPECT_TRUE(BuildTransaction(request, rng));
    request.spend_zeroconf_change = false;
    EXPECT_FALSE(BuildTransaction(request, rng));

    // -maxtxfee.
    request.spend_zeroconf_change = true;
    request.max_tx_fee = 1'000;
    r = BuildTransaction(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "Fee exceeds maximum configured by user (e.g. -paytxfee, maxfeerate)");
}

TEST(SpendBuild, PresetInputsComeFirstAndBoundSelection)
{
    Keys keys;
    BuildRequest request = BaseRequest(keys);
    BuildCoin preset_b = Coin(keys, P2wpkh(keys.b), 30'000'000, 2);
    BuildCoin preset_c = Coin(keys, P2pkh(keys.c), 30'000'000, 3);
    request.preset = {preset_b, preset_c};
    request.available = {Coin(keys, P2wpkh(keys.a), COIN, 1), preset_b};
    request.recipients = {{P2wpkh(keys.payee), 80'000'000, false}};
    SelectionRng rng{9};
    auto built = BuildTransaction(request, rng);
    ASSERT_TRUE(built) << built.error().message;
    ASSERT_EQ(built->tx.vin.size(), 3u); // the preset two can't pay 0.8 BTC
    EXPECT_EQ(built->tx.vin[0].prevout, preset_b.outpoint);
    EXPECT_EQ(built->tx.vin[1].prevout, preset_c.outpoint);
    EXPECT_EQ(built->tx.vin[2].prevout, Op(1, 0));

    request.add_inputs = false;
    auto refused = BuildTransaction(request, rng);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message,
              "The preselected coins total amount does not cover the transaction target. Please "
              "allow other inputs to be automatically selected or include more coins manually");

    // Enough in the preset: nothing else is added even when allowed.
    request.add_inputs = true;
    request.recipients = {{P2wpkh(keys.payee), 10'000'000, false}};
    built = BuildTransaction(request, rng);
    ASSERT_TRUE(built);
    EXPECT_EQ(built->tx.vin.size(), 2u);
}

TEST(SpendBuild, SubtractFeeFromOutputs)
{
    Keys keys;
    BuildRequest request = BaseRequest(keys);
    request.available = {Coin(keys, P2wpkh(keys.a), COIN, 1)};
    request.change_position = 2;
    request.recipients = {{P2wpkh(keys.payee), 30'000'000, true},
                          {P2tr(keys.payee), 20'000'000, true}};
    SelectionRng rng{11};
    auto built = BuildTransaction(request, rng);
    ASSERT_TRUE(built) << built.error().message;
    const Amount fee = built->fee;
    // The change is exactly what the payments leave: the fee comes only from the recipients,
    // split evenly, the first paying the odd satoshi.
    EXPECT_EQ(built->tx.vout[2].value, COIN - 50'000'000);
    EXPECT_EQ(built->tx.vout[0].value, 30'000'000 - fee / 2 - fee % 2);
    EXPECT_EQ(built->tx.vout[1].value, 20'000'000 - fee / 2);
    EXPECT_EQ(COIN - Sum(built->tx.vout), fee);
    // 1 P2WPKH in; P2WPKH, P2TR and P2WPKH out: (10 + 31 + 43 + 31) * 4 + 2 + 271 = 733 WU
    // -> 184 vB -> 1840 sat.
    EXPECT_EQ(fee, 1'840);

    // Too small after the fee; negative.
    request.change_position.reset();
    request.recipients = {{P2wpkh(keys.payee), 1'500, true}};
    auto r = BuildTransaction(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "The transaction amount is too small to send after the fee has been deducted");
    request.recipients = {{P2wpkh(keys.payee), 1'000, true}};
    r = BuildTransaction(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "The transaction amount is too small to pay the fee");
}

TEST(SpendBuild, OverweightTransactionsAreRefused)
{
    Keys keys;
    // 1,500 P2WPKH inputs weigh 1,500 * 271 WU > 400,000 WU (MAX_STANDARD_TX_WEIGHT).
    BuildRequest request = BaseRequest(keys);
    request.fee_rate_per_kvb = 1'000;
    request.add_inputs = false;
    const BuildCoin model = Coin(keys, P2wpkh(keys.a), 10'000, 1);
    SendAllRequest sendall;
    sendall.fee_rate_per_kvb = 1'000;
    sendall.recipients = {{P2wpkh(keys.payee), 0, false}};
    for (uint32_t i = 0; i < 1'500; ++i) {
        BuildCoin coin = model;
        coin.outpoint.n = i;
        request.preset.push_back(coin);
        sendall.coins.push_back(coin);
    }
    request.recipients = {{P2wpkh(keys.payee), 1'000'000, false}};
    SelectionRng rng{23};
    auto r = BuildTransaction(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Transaction too large");
    auto s = BuildSendAll(sendall, rng);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "Transaction too large.");
    // 1,400 inputs (379,400 WU plus outputs) fit.
    request.preset.resize(1'400);
    EXPECT_TRUE(BuildTransaction(request, rng));
}

// ---- sendall ----

TEST(SpendSendAll, PaysRecipientsExactlyAndLeavesNoChange)
{
    Keys keys;
    SendAllRequest request;
    request.fee_rate_per_kvb = 12'000;
    request.coins = {Coin(keys, P2wpkh(keys.a), 40'000'000, 1),
                     Coin(keys, P2pkh(keys.b), 35'000'001, 2),
                     Coin(keys, P2tr(keys.d), 25'000'000, 3)};
    request.recipients = {{P2wpkh(keys.payee), 0, false},
                          {P2tr(keys.payee), 10'000'000, false},
                          {P2pkh(keys.payee), 0, false}};
    request.anti_fee_sniping_height = 500;
    SelectionRng rng{13};
    auto built = BuildSendAll(request, rng);
    ASSERT_TRUE(built) << built.error().message;
    const Amount total = 100'000'001;
    ASSERT_EQ(built->tx.vin.size(), 3u);
    ASSERT_EQ(built->tx.vout.size(), 3u); // no change output
    EXPECT_FALSE(built->change_position);
    EXPECT_EQ(built->tx.vout[1].value, 10'000'000);
    const Amount rest = total - built->fee - 10'000'000;
    EXPECT_EQ(built->tx.vout[0].value, rest / 2 + rest % 2);
    EXPECT_EQ(built->tx.vout[2].value, rest / 2);
    EXPECT_EQ(Sum(built->tx.vout) + built->fee, total);
    const auto signed_tx = SignAll(built->tx, built->spent, keys.provider);
    const double rate = static_cast<double>(built->fee) / signed_tx.GetVirtualSize();
    EXPECT_GE(rate, 12.0);
    EXPECT_LE(rate, 13.0);
    EXPECT_LE(built->tx.locktime, 500u);
}

TEST(SpendSendAll, CoreErrors)
{
    Keys keys;
    SendAllRequest request;
    request.fee_rate_per_kvb = 10'000;
    request.coins = {Coin(keys, P2wpkh(keys.a), 100'000, 1)};
    SelectionRng rng{17};

    request.recipients = {{P2wpkh(keys.payee), 5'000, false}};
    auto r = BuildSendAll(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Must provide at least one address without a specified amount");

    request.recipients = {{P2wpkh(keys.payee), 0, false}, {P2tr(keys.payee), 200'000, false}};
    r = BuildSendAll(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Assigned more value to outputs than available funds.");

    request.recipients = {{P2wpkh(keys.payee), 0, false}, {P2tr(keys.payee), 99'500, false}};
    r = BuildSendAll(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Insufficient funds for fees after creating specified outputs.");

    // 100,000 - fee (1-in-2-out ~ 1,530) - 98,000 leaves a dust remainder.
    request.recipients = {{P2wpkh(keys.payee), 0, false}, {P2tr(keys.payee), 98'300, false}};
    r = BuildSendAll(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Dynamically assigned remainder results in dust output.");

    request.recipients = {{P2wpkh(keys.payee), 0, false}, {P2tr(keys.payee), 100, false}};
    r = BuildSendAll(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message.rfind("Specified output amount to ", 0), 0u);

    request.recipients = {{P2wpkh(keys.payee), 0, false}};
    request.coins = {Coin(keys, P2wpkh(keys.a), 500, 1)};
    r = BuildSendAll(request, rng);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "Total value of UTXO pool too low to pay for transaction. Try using lower feerate or "
              "excluding uneconomic UTXOs with 'send_max' option.");
}

// ---- fee bumping ----

TEST(SpendBump, DefaultRateIsOldRatePlusIncrements)
{
    // 1410 sat over 141 vB = 10,000 sat/kvB; + 1 + max(1000, 5000).
    EXPECT_EQ(BumpFeeRate(1'410, 141, 1'000, 1'000), 15'001);
    // The node's incremental fee counts when larger; the wallet's minimum rate when larger.
    EXPECT_EQ(BumpFeeRate(1'410, 141, 6'000, 1'000), 16'001);
    EXPECT_EQ(BumpFeeRate(1'410, 141, 1'000, 30'000), 30'000);
    // The old rate rounds down: 1411 / 141 vB = 10,007.09 -> 10,007.
    EXPECT_EQ(BumpFeeRate(1'411, 141, 1'000, 0), 15'008);
}

TEST(SpendBump, ExplicitRateChecks)
{
    EXPECT_TRUE(CheckBumpFeeRate(20'000, 141, 1'410, 1'000, 1'000, 1'000, COIN / 10));
    auto r = CheckBumpFeeRate(12'000, 141, 1'410, 1'000, 1'000, 1'000, COIN / 10);
    ASSERT_FALSE(r);
    // 12 sat/vB * 141 = 1692 < 1410 + 5 * 141.
    EXPECT_EQ(r.error().message, "Insufficient total fee 0.00001692, must be at least 0.00002115 "
                                 "(oldFee 0.0000141 + incrementalFee 0.00000705)");
    r = CheckBumpFeeRate(20'000, 141, 1'410, 25'000, 1'000, 1'000, COIN / 10);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "New fee rate (0.0002) is lower than the minimum fee rate "
                                 "(0.00025) to get into the mempool -- ");
    r = CheckBumpFeeRate(20'000, 141, 1'410, 1'000, 1'000, 1'000, 2'000);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Specified or calculated fee 0.0000282 is too high (cannot be "
                                 "higher than -maxtxfee 0.00002)");
}

TEST(SpendBump, ReplacementRaisesFeeByIncrementalTimesSize)
{
    // The bump path on values: rebuild with the original inputs preset, the payment kept and
    // the change reused, at the default bump rate; BIP125 rules 3 and 4 must hold.
    Keys keys;
    BuildRequest original = BaseRequest(keys);
    original.available = {Coin(keys, P2wpkh(keys.a), 20'000'000, 1),
                          Coin(keys, P2wpkh(keys.b), 50'000'000, 2)};
    original.recipients = {{P2wpkh(keys.payee), 15'000'000, false}};
    SelectionRng rng{21};
    auto first = BuildTransaction(original, rng);
    ASSERT_TRUE(first);
    ASSERT_TRUE(first->change_position);
    const auto first_signed = SignAll(first->tx, first->spent, keys.provider);

    BuildRequest bump = original;
    bump.preset.clear();
    for (const auto& in : first->tx.vin) {
        for (const auto& coin : original.available) {
            if (coin.outpoint == in.prevout) bump.preset.push_back(coin);
        }
    }
    bump.fee_rate_per_kvb =
        BumpFeeRate(first->fee, static_cast<int64_t>(first_signed.GetVirtualSize()), 1'000, 1'000);
    auto second = BuildTransaction(bump, rng);
    ASSERT_TRUE(second) << second.error().message;
    const auto second_signed = SignAll(second->tx, second->spent, keys.provider);
    for (const auto& in : first->tx.vin) {
        bool kept = false;
        for (const auto& in2 : second->tx.vin)
            kept = kept || in2.prevout == in.prevout;
        EXPECT_TRUE(kept); // every original input is spent again
    }
    EXPECT_GE(second->fee,
              first->fee + FeeAtRate(5'000, static_cast<int64_t>(second_signed.GetVirtualSize())));
    EXPECT_GT(second->fee, first->fee);
    // The payment is unchanged; the change paid for the bump.
    bool paid = false;
    for (const auto& out : second->tx.vout)
        paid = paid || (out.script_pubkey == P2wpkh(keys.payee) && out.value == 15'000'000);
    EXPECT_TRUE(paid);
}

TEST(SpendBump, SignalsOptInRbf)
{
    consensus::MutableTransaction tx;
    tx.vin.resize(2);
    tx.vin[0].sequence = 0xffffffff;
    tx.vin[1].sequence = 0xfffffffe;
    EXPECT_FALSE(SignalsOptInRbf(consensus::Transaction{tx}));
    tx.vin[1].sequence = 0xfffffffd;
    EXPECT_TRUE(SignalsOptInRbf(consensus::Transaction{tx}));
}

} // namespace
