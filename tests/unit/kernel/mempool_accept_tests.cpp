// Mempool acceptance against a real regtest chain: every reject string of
// Core's MemPoolAccept that a loose transaction can hit, the BIP125 rules with
// full RBF, packages (well-formedness, CPFP), test_accept and bypass_limits.
#include <kernel/mempool_accept.h>

#include "chainstate_fixture.h"

#include <consensus/hash.h>
#include <consensus/script/script.h>
#include <kernel/mempool.h>
#include <kernel/mempool_accept_impl.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using consensus::Amount;
using consensus::MutableTransaction;
using consensus::Script;
using consensus::TransactionRef;
using consensus::TxOut;
using consensus::TxResult;
using kernel::MempoolAcceptResult;
using testutil::OutputKind;
using testutil::OwnedCoin;

constexpr int64_t NOW{1'800'000'000};
constexpr Amount FAN_VALUE{10'000'000}; // each output of the confirmed fan-out
constexpr size_t FAN_OUTPUTS{120};
constexpr Amount SPECIAL_VALUE{100'000'000};
constexpr uint32_t RBF_SEQUENCE{0xfffffffd};
constexpr uint32_t FINAL_SEQUENCE{0xffffffff};

Script P2wsh(const Script& witness_script)
{
    const auto hash = consensus::Sha256Hash(witness_script.span());
    Script script;
    script << consensus::OP_0 << std::vector<uint8_t>(hash.begin(), hash.end());
    return script;
}

Script DropTrue()
{
    Script script;
    script << consensus::OP_DROP << consensus::OP_1;
    return script;
}

Script ManyMultisigs()
{
    // 801 CHECKMULTISIGs not preceded by a small number count 20 sigops each: 16,020.
    Script script;
    for (int i = 0; i < 801; ++i)
        script << consensus::OP_CHECKMULTISIG;
    return script;
}

Script Nop4True()
{
    Script script;
    script << consensus::OP_NOP4 << consensus::OP_1;
    return script;
}

Script OpTrue()
{
    return Script{std::vector<uint8_t>{consensus::OP_1}};
}

// One regtest chain for the whole suite: 110 coinbase-only blocks, then a block with
// outputs the tests need (non-standard, P2WSH of several scripts) and a fan-out of
// FAN_OUTPUTS P2WPKH coins.
class MempoolAcceptTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_params = common::ChainParams::RegTest();
        s_builder = std::make_unique<testutil::ChainBuilder>(*s_params, 7);
        s_dir = std::make_unique<testutil::TempDir>();
        kernel_test::Blocks blocks;
        for (int i = 0; i < 110; ++i) {
            auto block = s_builder->BuildBlock();
            ASSERT_TRUE(block) << block.error().message;
            blocks.push_back(std::make_shared<const consensus::Block>(std::move(*block)));
        }
        auto mature = s_builder->SpendableCoins(111);
        std::erase_if(mature, [](const OwnedCoin& c) { return !c.coinbase; });
        std::sort(mature.begin(), mature.end(),
                  [](const auto& a, const auto& b) { return a.height < b.height; });
        ASSERT_GE(mature.size(), 4u);

        const Script key0 = s_builder->ScriptFor(0, OutputKind::P2WPKH);
        MutableTransaction special;
        special.vin.resize(1);
        special.vin[0].prevout = mature[0].outpoint;
        special.vout = {TxOut{SPECIAL_VALUE, OpTrue()}, TxOut{SPECIAL_VALUE, P2wsh(DropTrue())},
                        TxOut{SPECIAL_VALUE, P2wsh(ManyMultisigs())},
                        TxOut{SPECIAL_VALUE, P2wsh(Nop4True())},
                        TxOut{mature[0].txout.value - 4 * SPECIAL_VALUE - 10'000, key0}};
        ASSERT_TRUE(s_builder->Sign(special, {&mature[0], 1}));
        MutableTransaction fan;
        fan.vin.resize(1);
        fan.vin[0].prevout = mature[1].outpoint;
        for (size_t i = 0; i < FAN_OUTPUTS; ++i)
            fan.vout.push_back(TxOut{FAN_VALUE, key0});
        fan.vout.push_back(TxOut{mature[1].txout.value - FAN_VALUE * 120 - 100'000, key0});
        ASSERT_TRUE(s_builder->Sign(fan, {&mature[1], 1}));
        s_special = consensus::MakeTransactionRef(special);
        s_fan = consensus::MakeTransactionRef(fan);
        testutil::BlockOptions options;
        options.fees = 10'000 + 100'000;
        auto block = s_builder->BuildBlock({s_special, s_fan}, options);
        ASSERT_TRUE(block) << block.error().message;
        blocks.push_back(std::make_shared<const consensus::Block>(std::move(*block)));

        auto opened =
            kernel::ChainstateManager::Open(kernel_test::BasicOptions(*s_params, s_dir->Path(), 1));
        ASSERT_TRUE(opened) << opened.error().message;
        s_node = std::move(*opened);
        kernel_test::Feed(*s_node, blocks);
        ASSERT_EQ(s_node->Tip()->height, 111);
        s_immature = s_builder->Coins();
        std::erase_if(s_immature, [](const OwnedCoin& c) { return !c.coinbase || c.height < 100; });
        ASSERT_FALSE(s_immature.empty());
    }

    static void TearDownTestSuite()
    {
        s_node.reset();
        s_dir.reset();
        s_builder.reset();
        s_params.reset();
    }

    void SetUp() override { m_pool = MakePool({}); }

    static std::unique_ptr<kernel::TxMemPool> MakePool(kernel::MempoolOptions options)
    {
        return std::make_unique<kernel::TxMemPool>(options);
    }

    // Fan-out coin `i` (confirmed, P2WPKH, key 0).
    static OwnedCoin Fan(size_t i)
    {
        return OwnedCoin{{s_fan->GetHash(), static_cast<uint32_t>(i)},
                         s_fan->vout[i],
                         111,
                         false,
                         OutputKind::P2WPKH,
                         0};
    }

    // Output n of an unconfirmed transaction paying key 0 by P2WPKH.
    static OwnedCoin Out(const TransactionRef& tx, uint32_t n)
    {
        return OwnedCoin{{tx->GetHash(), n}, tx->vout[n], 0, false, OutputKind::P2WPKH, 0};
    }

    static Script Key0() { return s_builder->ScriptFor(0, OutputKind::P2WPKH); }

    // A signed spend of `coins` into `n_outputs` equal P2WPKH outputs, paying `fee`.
    static TransactionRef Spend(const std::vector<OwnedCoin>& coins, Amount fee,
                                size_t n_outputs = 1, uint32_t sequence = RBF_SEQUENCE,
                                uint32_t version = 2, uint32_t locktime = 0)
    {
        MutableTransaction tx;
        tx.version = version;
        tx.locktime = locktime;
        Amount total = 0;
        for (const auto& coin : coins) {
            consensus::TxIn in;
            in.prevout = coin.outpoint;
            in.sequence = sequence;
            tx.vin.push_back(in);
            total += coin.txout.value;
        }
        const Amount each = (total - fee) / static_cast<Amount>(n_outputs);
        for (size_t i = 0; i < n_outputs; ++i)
            tx.vout.push_back(TxOut{each, Key0()});
        tx.vout[0].value += (total - fee) - each * static_cast<Amount>(n_outputs);
        EXPECT_TRUE(s_builder->Sign(tx, coins));
        return consensus::MakeTransactionRef(tx);
    }

    static MutableTransaction Unsigned(const std::vector<consensus::OutPoint>& prevouts,
                                       std::vector<TxOut> outputs)
    {
        MutableTransaction tx;
        for (const auto& prevout : prevouts) {
            consensus::TxIn in;
            in.prevout = prevout;
            tx.vin.push_back(in);
        }
        tx.vout = std::move(outputs);
        return tx;
    }

    MempoolAcceptResult Accept(const TransactionRef& tx, bool test_accept = false,
                               bool bypass_limits = false)
    {
        kernel::AcceptOptions options;
        options.accept_time = NOW;
        options.test_accept = test_accept;
        options.bypass_limits = bypass_limits;
        return kernel::AcceptToMemoryPool(*s_node, *m_pool, tx, options);
    }

    MempoolAcceptResult Accept(const MutableTransaction& tx)
    {
        return Accept(consensus::MakeTransactionRef(tx));
    }

    kernel::PackageAcceptResult Package(const std::vector<TransactionRef>& txs,
                                        bool test_accept = false)
    {
        kernel::AcceptOptions options;
        options.accept_time = NOW;
        options.test_accept = test_accept;
        return kernel::ProcessNewPackage(*s_node, *m_pool, txs, options);
    }

    static void ExpectReject(const MempoolAcceptResult& result, TxResult kind,
                             const std::string& reason, const std::string& debug = "*")
    {
        EXPECT_EQ(result.kind, MempoolAcceptResult::Kind::INVALID);
        EXPECT_EQ(result.state.GetResult(), kind) << result.state.ToString();
        EXPECT_EQ(result.state.GetRejectReason(), reason) << result.state.ToString();
        if (debug != "*") {
            EXPECT_EQ(result.state.GetDebugMessage(), debug);
        }
    }

    static ::testing::AssertionResult Valid(const MempoolAcceptResult& result)
    {
        if (result.kind == MempoolAcceptResult::Kind::VALID) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure() << "not accepted: " << result.state.ToString();
    }

    static inline std::unique_ptr<const common::ChainParams> s_params;
    static inline std::unique_ptr<testutil::ChainBuilder> s_builder;
    static inline std::unique_ptr<testutil::TempDir> s_dir;
    static inline std::unique_ptr<kernel::ChainstateManager> s_node;
    static inline TransactionRef s_special;
    static inline TransactionRef s_fan;
    static inline std::vector<OwnedCoin> s_immature;
    std::unique_ptr<kernel::TxMemPool> m_pool;
};

// ---- acceptance and the basics ----

TEST_F(MempoolAcceptTest, AcceptsAStandardSpendWithItsFeeAndSize)
{
    const auto tx = Spend({Fan(0)}, 1234);
    const auto result = Accept(tx);
    EXPECT_TRUE(Valid(result));
    EXPECT_EQ(result.base_fee, 1234);
    EXPECT_EQ(result.vsize, static_cast<int64_t>(tx->GetVirtualSize()));
    ASSERT_TRUE(result.effective_feerate.has_value());
    EXPECT_EQ(result.effective_feerate->GetFeePerK(),
              1234 * 1000 / static_cast<int64_t>(tx->GetVirtualSize()));
    EXPECT_EQ(result.effective_includes, std::vector<consensus::Uint256>{tx->GetWitnessHash()});
    EXPECT_TRUE(result.replaced.empty());
    EXPECT_TRUE(m_pool->Exists(tx->GetHash()));
    EXPECT_EQ(m_pool->Size(), 1u);
    // A child of the pool transaction spends the pool's coin.
    const auto child = Spend({Out(tx, 0)}, 1000);
    EXPECT_TRUE(Valid(Accept(child)));
    EXPECT_EQ(m_pool->Size(), 2u);
}

TEST_F(MempoolAcceptTest, TestAcceptChangesNothing)
{
    const auto tx = Spend({Fan(1)}, 1000);
    EXPECT_TRUE(Valid(Accept(tx, /*test_accept=*/true)));
    EXPECT_EQ(m_pool->Size(), 0u);
    EXPECT_FALSE(m_pool->Exists(tx->GetHash()));
    // A rejection under test_accept is the same rejection.
    ExpectReject(Accept(Spend({Fan(1)}, 0), /*test_accept=*/true), TxResult::MEMPOOL_POLICY,
                 "min relay fee not met");
    EXPECT_TRUE(Valid(Accept(tx)));
    // Test-accepting a replacement evicts nothing.
    EXPECT_TRUE(Valid(Accept(Spend({Fan(1)}, 5000), /*test_accept=*/true)));
    EXPECT_TRUE(m_pool->Exists(tx->GetHash()));
    EXPECT_EQ(m_pool->Size(), 1u);
}

TEST_F(MempoolAcceptTest, AlreadyInMempoolAndSameNonWitnessData)
{
    const auto tx = Spend({Fan(2)}, 1000);
    EXPECT_TRUE(Valid(Accept(tx)));
    ExpectReject(Accept(tx), TxResult::CONFLICT, "txn-already-in-mempool");
    auto mutated = consensus::ToMutable(*tx);
    mutated.vin[0].witness.stack.push_back({0x01});
    const auto other = consensus::MakeTransactionRef(mutated);
    ASSERT_EQ(other->GetHash(), tx->GetHash());
    ASSERT_NE(other->GetWitnessHash(), tx->GetWitnessHash());
    ExpectReject(Accept(other), TxResult::CONFLICT, "txn-same-nonwitness-data-in-mempool");
}

TEST_F(MempoolAcceptTest, ContextFreeConsensusFailuresAndCoinbase)
{
    ExpectReject(Accept(Unsigned({Fan(3).outpoint}, {})), TxResult::CONSENSUS,
                 "bad-txns-vout-empty");
    ExpectReject(Accept(Unsigned({Fan(3).outpoint, Fan(3).outpoint}, {TxOut{1000, Key0()}})),
                 TxResult::CONSENSUS, "bad-txns-inputs-duplicate");
    auto coinbase = Unsigned({consensus::OutPoint{}}, {TxOut{1000, Key0()}});
    coinbase.vin[0].script_sig = Script{std::vector<uint8_t>{0x01, 0x01}};
    ExpectReject(Accept(coinbase), TxResult::CONSENSUS, "coinbase");
}

TEST_F(MempoolAcceptTest, NonStandardTransactions)
{
    ExpectReject(Accept(Spend({Fan(4)}, 1000, 1, RBF_SEQUENCE, /*version=*/4)),
                 TxResult::NOT_STANDARD, "version");
    // 100 sat to P2WPKH is under its 294-sat dust threshold at 3 sat/vB.
    auto dust = Unsigned({Fan(4).outpoint}, {TxOut{100, Key0()}, TxOut{FAN_VALUE - 2000, Key0()}});
    ASSERT_TRUE(s_builder->Sign(dust, std::vector<OwnedCoin>{Fan(4)}));
    ExpectReject(Accept(dust), TxResult::NOT_STANDARD, "dust");
    auto weird = Unsigned({Fan(4).outpoint}, {TxOut{FAN_VALUE - 2000, OpTrue()}});
    ASSERT_TRUE(s_builder->Sign(weird, std::vector<OwnedCoin>{Fan(4)}));
    ExpectReject(Accept(weird), TxResult::NOT_STANDARD, "scriptpubkey");
    EXPECT_EQ(m_pool->Size(), 0u);
}

TEST_F(MempoolAcceptTest, TooSmallNonWitnessSize)
{
    // One segwit input and a bare OP_RETURN output: 61 non-witness bytes.
    auto small =
        Unsigned({Fan(5).outpoint}, {TxOut{0, Script{std::vector<uint8_t>{consensus::OP_RETURN}}}});
    ASSERT_TRUE(s_builder->Sign(small, std::vector<OwnedCoin>{Fan(5)}));
    ASSERT_LT(consensus::EncodeNoWitness(small).size(), 65u);
    ExpectReject(Accept(small), TxResult::NOT_STANDARD, "tx-size-small");
    // Three data bytes (and their push) reach 65 and pass.
    auto enough =
        Unsigned({Fan(5).outpoint},
                 {TxOut{0, Script{std::vector<uint8_t>{consensus::OP_RETURN, 0x03, 1, 2, 3}}}});
    ASSERT_TRUE(s_builder->Sign(enough, std::vector<OwnedCoin>{Fan(5)}));
    ASSERT_EQ(consensus::EncodeNoWitness(enough).size(), 65u);
    EXPECT_TRUE(Valid(Accept(enough)));
}

TEST_F(MempoolAcceptTest, LockTimeMustBeFinalInTheNextBlock)
{
    const auto next = static_cast<uint32_t>(s_node->Tip()->height + 1);
    // Height locks must be below the next block's height.
    ExpectReject(Accept(Spend({Fan(6)}, 1000, 1, RBF_SEQUENCE, 2, next)), TxResult::PREMATURE_SPEND,
                 "non-final");
    // Time locks compare with the tip's median time past (BIP113).
    const auto mtp = static_cast<uint32_t>(s_node->Tip()->GetMedianTimePast());
    ExpectReject(Accept(Spend({Fan(6)}, 1000, 1, RBF_SEQUENCE, 2, mtp)), TxResult::PREMATURE_SPEND,
                 "non-final");
    // Final sequences disable the lock time.
    EXPECT_TRUE(Valid(Accept(Spend({Fan(6)}, 1000, 1, FINAL_SEQUENCE, 2, next + 100))));
    EXPECT_TRUE(Valid(Accept(Spend({Fan(7)}, 1000, 1, RBF_SEQUENCE, 2, mtp - 1))));
    EXPECT_TRUE(Valid(Accept(Spend({Fan(8)}, 1000, 1, RBF_SEQUENCE, 2, next - 1))));
}

TEST_F(MempoolAcceptTest, MissingInputsAndAlreadyKnown)
{
    consensus::OutPoint nowhere{consensus::Uint256{}, 0};
    nowhere.hash.data()[0] = 0x42;
    const OwnedCoin fake{nowhere, TxOut{FAN_VALUE, Key0()}, 0, false, OutputKind::P2WPKH, 0};
    ExpectReject(Accept(Spend({fake}, 1000)), TxResult::MISSING_INPUTS,
                 "bad-txns-inputs-missingorspent");
    // The fan-out is confirmed: its input is spent and its outputs exist.
    ExpectReject(Accept(s_fan), TxResult::CONFLICT, "txn-already-known");
    // An output of an unconfirmed transaction that is not in the pool is missing too.
    const auto parent = Spend({Fan(9)}, 1000);
    ExpectReject(Accept(Spend({Out(parent, 0)}, 1000)), TxResult::MISSING_INPUTS,
                 "bad-txns-inputs-missingorspent");
}

TEST_F(MempoolAcceptTest, RelativeLockTimes)
{
    // BIP68: 5 blocks relative to a coin confirmed in the tip block.
    const uint32_t five_blocks = 5;
    ExpectReject(Accept(Spend({Fan(10)}, 1000, 1, five_blocks)), TxResult::PREMATURE_SPEND,
                 "non-BIP68-final");
    // One block is met by the next block; version 1 ignores sequence locks.
    EXPECT_TRUE(Valid(Accept(Spend({Fan(10)}, 1000, 1, 1))));
    EXPECT_TRUE(Valid(Accept(Spend({Fan(11)}, 1000, 1, five_blocks, /*version=*/1))));
    // A pool coin counts as confirmed in the next block: a zero lock passes, one does not.
    const auto parent = Spend({Fan(12)}, 1000);
    EXPECT_TRUE(Valid(Accept(parent)));
    ExpectReject(Accept(Spend({Out(parent, 0)}, 1000, 1, 1)), TxResult::PREMATURE_SPEND,
                 "non-BIP68-final");
    EXPECT_TRUE(Valid(Accept(Spend({Out(parent, 0)}, 1000, 1, 0))));
}

TEST_F(MempoolAcceptTest, InputChecks)
{
    ExpectReject(Accept(Spend({s_immature.front()}, 1000)), TxResult::PREMATURE_SPEND,
                 "bad-txns-premature-spend-of-coinbase");
    auto overspend = Unsigned({Fan(13).outpoint}, {TxOut{FAN_VALUE + 1, Key0()}});
    ASSERT_TRUE(s_builder->Sign(overspend, std::vector<OwnedCoin>{Fan(13)}));
    ExpectReject(Accept(overspend), TxResult::CONSENSUS, "bad-txns-in-belowout");
}

TEST_F(MempoolAcceptTest, NonStandardInputsAndWitnesses)
{
    // Spending a bare OP_TRUE output (non-standard type).
    ExpectReject(
        Accept(Unsigned({{s_special->GetHash(), 0}}, {TxOut{SPECIAL_VALUE - 1000, Key0()}})),
        TxResult::INPUTS_NOT_STANDARD, "bad-txns-nonstandard-inputs");

    // P2WSH stack items above 80 bytes are non-standard.
    auto spend = Unsigned({{s_special->GetHash(), 1}}, {TxOut{SPECIAL_VALUE - 1000, Key0()}});
    spend.vin[0].witness.stack = {std::vector<uint8_t>(81, 0x01), DropTrue().bytes()};
    ExpectReject(Accept(spend), TxResult::WITNESS_MUTATED, "bad-witness-nonstandard");
    spend.vin[0].witness.stack[0].resize(80);
    EXPECT_TRUE(Valid(Accept(spend)));
}

TEST_F(MempoolAcceptTest, TooManySigops)
{
    auto spend = Unsigned({{s_special->GetHash(), 2}}, {TxOut{SPECIAL_VALUE - 100'000, Key0()}});
    spend.vin[0].witness.stack = {ManyMultisigs().bytes()};
    ExpectReject(Accept(spend), TxResult::NOT_STANDARD, "bad-txns-too-many-sigops", "16020");
}

TEST_F(MempoolAcceptTest, ScriptFailures)
{
    // A policy-only failure: upgradable NOPs are discouraged, not invalid.
    auto nop = Unsigned({{s_special->GetHash(), 3}}, {TxOut{SPECIAL_VALUE - 1000, Key0()}});
    nop.vin[0].witness.stack = {Nop4True().bytes()};
    const auto nop_result = Accept(nop);
    ExpectReject(nop_result, TxResult::NOT_STANDARD,
                 "non-mandatory-script-verify-flag (NOPx reserved for soft-fork upgrades)");
    EXPECT_EQ(nop_result.state.GetDebugMessage(),
              "input 0 of " + consensus::MakeTransactionRef(nop)->GetHash().GetHex() + " (wtxid " +
                  consensus::MakeTransactionRef(nop)->GetWitnessHash().GetHex() + "), spending " +
                  s_special->GetHash().GetHex() + ":3");

    // A broken signature fails consensus too.
    auto bad = consensus::ToMutable(*Spend({Fan(14)}, 1000));
    bad.vin[0].witness.stack[0][10] ^= 0x01;
    ExpectReject(
        Accept(bad), TxResult::CONSENSUS,
        "mandatory-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG "
        "operation)");

    // Without its witness a segwit spend looks stripped.
    auto stripped = consensus::ToMutable(*Spend({Fan(14)}, 1000));
    stripped.vin[0].witness.stack.clear();
    ExpectReject(Accept(stripped), TxResult::WITNESS_STRIPPED,
                 "mandatory-script-verify-flag-failed (Witness program hash mismatch)");
    EXPECT_EQ(m_pool->Size(), 0u);
}

TEST_F(MempoolAcceptTest, MinRelayFeeAndBypassLimits)
{
    const auto free = Spend({Fan(15)}, 0);
    const auto vsize = static_cast<int64_t>(free->GetVirtualSize());
    ExpectReject(Accept(free), TxResult::MEMPOOL_POLICY, "min relay fee not met",
                 "0 < " + std::to_string(vsize));
    const auto almost = Spend({Fan(15)}, vsize - 1);
    ExpectReject(Accept(almost), TxResult::MEMPOOL_POLICY, "min relay fee not met",
                 std::to_string(vsize - 1) + " < " + std::to_string(vsize));
    // Transactions coming back from a disconnected block skip the fee floors.
    const auto result = Accept(free, false, /*bypass_limits=*/true);
    EXPECT_TRUE(Valid(result));
    EXPECT_EQ(result.base_fee, 0);
    ASSERT_NE(m_pool->Get(free->GetHash()), nullptr);
    EXPECT_EQ(m_pool->Get(free->GetHash())->GetSequence(), 0u);
}

TEST_F(MempoolAcceptTest, AncestorLimit)
{
    std::vector<TransactionRef> chain{Spend({Fan(16)}, 1000)};
    EXPECT_TRUE(Valid(Accept(chain.back())));
    for (int i = 1; i < 25; ++i) {
        chain.push_back(Spend({Out(chain.back(), 0)}, 1000));
        EXPECT_TRUE(Valid(Accept(chain.back()))) << "link " << i;
    }
    const auto too_long = Spend({Out(chain.back(), 0)}, 1000);
    const auto result = Accept(too_long);
    ExpectReject(result, TxResult::MEMPOOL_POLICY, "too-long-mempool-chain");
    EXPECT_NE(result.state.GetDebugMessage().find("25"), std::string::npos)
        << result.state.GetDebugMessage();
    EXPECT_EQ(m_pool->Size(), 25u);
}

// ---- replacement (BIP125 with full RBF) ----

TEST_F(MempoolAcceptTest, ReplacementWithoutSignalAndItsFeeRules)
{
    // Full RBF: no BIP125 signal needed.
    const auto original = Spend({Fan(17)}, 1000, 1, FINAL_SEQUENCE);
    EXPECT_TRUE(Valid(Accept(original)));
    const auto child = Spend({Out(original, 0)}, 2000);
    EXPECT_TRUE(Valid(Accept(child)));

    // Rule 6: the feerate must rise.
    const auto lower_rate = Spend({Fan(17)}, 900, 1, FINAL_SEQUENCE - 1);
    const auto r6 = Accept(lower_rate);
    ExpectReject(r6, TxResult::RECONSIDERABLE, "insufficient fee");
    const kernel::FeeRate old_rate{1000 * 1000 / static_cast<int64_t>(original->GetVirtualSize())};
    const kernel::FeeRate new_rate{900 * 1000 / static_cast<int64_t>(lower_rate->GetVirtualSize())};
    EXPECT_EQ(r6.state.GetDebugMessage(),
              "rejecting replacement " + lower_rate->GetHash().GetHex() + "; new feerate " +
                  new_rate.ToString() + " <= old feerate " + old_rate.ToString());
    ASSERT_TRUE(r6.effective_feerate.has_value());

    // Rule 3: pay at least what parent and child paid (3000 sat).
    const auto r3 = Accept(Spend({Fan(17)}, 2999, 1, FINAL_SEQUENCE - 1));
    ExpectReject(r3, TxResult::RECONSIDERABLE, "insufficient fee");
    EXPECT_NE(
        r3.state.GetDebugMessage().find("less fees than conflicting txs; 0.00002999 < 0.00003"),
        std::string::npos)
        << r3.state.GetDebugMessage();

    // Rule 4: plus the replacement's own size at the incremental relay fee.
    const auto r4_tx = Spend({Fan(17)}, 3001, 1, FINAL_SEQUENCE - 1);
    const auto r4 = Accept(r4_tx);
    ExpectReject(r4, TxResult::RECONSIDERABLE, "insufficient fee");
    const Amount needed = static_cast<Amount>(r4_tx->GetVirtualSize());
    ASSERT_TRUE(needed >= 100 && needed < 200);
    // e.g. 110 sat prints as 0.0000011 (Core drops trailing zeros after two decimals).
    std::string needed_btc = "0.00000" + std::to_string(needed);
    while (needed_btc.back() == '0')
        needed_btc.pop_back();
    EXPECT_EQ(r4.state.GetDebugMessage(),
              "rejecting replacement " + r4_tx->GetHash().GetHex() +
                  ", not enough additional fees to relay; 0.00000001 < " + needed_btc);
    EXPECT_TRUE(m_pool->Exists(original->GetHash()));

    // Enough: both the original and its child leave.
    const auto replacement = Spend({Fan(17)}, 3000 + needed, 1, FINAL_SEQUENCE - 1);
    const auto ok = Accept(replacement);
    EXPECT_TRUE(Valid(ok));
    ASSERT_EQ(ok.replaced.size(), 2u);
    EXPECT_FALSE(m_pool->Exists(original->GetHash()));
    EXPECT_FALSE(m_pool->Exists(child->GetHash()));
    EXPECT_TRUE(m_pool->Exists(replacement->GetHash()));
    EXPECT_EQ(m_pool->Size(), 1u);
}

TEST_F(MempoolAcceptTest, ReplacementMayNotAddUnconfirmedInputsOrSpendItsConflict)
{
    const auto original = Spend({Fan(18)}, 1000);
    const auto other = Spend({Fan(19)}, 1000);
    EXPECT_TRUE(Valid(Accept(original)));
    EXPECT_TRUE(Valid(Accept(other)));
    const auto adds = Spend({Fan(18), Out(other, 0)}, 50'000);
    ExpectReject(Accept(adds), TxResult::MEMPOOL_POLICY, "replacement-adds-unconfirmed",
                 "replacement " + adds->GetHash().GetHex() + " adds unconfirmed input, idx 1");
    // Adding a confirmed input is fine.
    EXPECT_TRUE(Valid(Accept(Spend({Fan(18), Fan(20)}, 50'000))));

    // Spending both a coin and an output of the transaction it conflicts with.
    const auto spends_conflict = Spend({Fan(19), Out(other, 0)}, 50'000);
    ExpectReject(Accept(spends_conflict), TxResult::CONSENSUS, "bad-txns-spends-conflicting-tx",
                 spends_conflict->GetHash().GetHex() + " spends conflicting transaction " +
                     other->GetHash().GetHex());
}

TEST_F(MempoolAcceptTest, TooManyPotentialReplacements)
{
    std::vector<OwnedCoin> coins;
    for (size_t i = 0; i < 101; ++i) {
        coins.push_back(Fan(i));
        EXPECT_TRUE(Valid(Accept(Spend({Fan(i)}, 1000))));
    }
    ASSERT_EQ(m_pool->Size(), 101u);
    const auto big = Spend(coins, 10'000'000);
    ExpectReject(Accept(big), TxResult::MEMPOOL_POLICY, "too many potential replacements",
                 "rejecting replacement " + big->GetHash().GetHex() +
                     "; too many potential replacements (101 > 100)");
    coins.pop_back();
    const auto ok = Accept(Spend(coins, 10'000'000));
    EXPECT_TRUE(Valid(ok));
    EXPECT_EQ(ok.replaced.size(), 100u);
    EXPECT_EQ(m_pool->Size(), 2u);
}

TEST_F(MempoolAcceptTest, OptInOnlyWhenFullRbfIsOff)
{
    kernel::MempoolOptions options;
    options.full_rbf = false;
    m_pool = MakePool(options);
    const auto final_tx = Spend({Fan(21)}, 1000, 1, FINAL_SEQUENCE);
    EXPECT_TRUE(Valid(Accept(final_tx)));
    ExpectReject(Accept(Spend({Fan(21)}, 50'000)), TxResult::MEMPOOL_POLICY,
                 "txn-mempool-conflict");
    const auto signalling = Spend({Fan(22)}, 1000, 1, RBF_SEQUENCE);
    EXPECT_TRUE(Valid(Accept(signalling)));
    EXPECT_TRUE(Valid(Accept(Spend({Fan(22)}, 50'000))));
    EXPECT_FALSE(m_pool->Exists(signalling->GetHash()));
}

// ---- pool size: the rising minimum fee, "mempool full", CPFP ----

class MempoolSizeTest : public MempoolAcceptTest
{
protected:
    // Usage of a pool holding `n` one-in-one-out spends.
    size_t UsageOf(size_t n)
    {
        auto probe = MakePool({});
        std::swap(probe, m_pool);
        for (size_t i = 0; i < n; ++i)
            EXPECT_TRUE(Valid(Accept(Spend({Fan(100 + i)}, 10'000))));
        std::swap(probe, m_pool);
        return probe->DynamicMemoryUsage();
    }
};

TEST_F(MempoolSizeTest, MempoolFullThenRisingMinimumThenCpfp)
{
    const size_t one = UsageOf(1);
    const size_t three = UsageOf(3);
    kernel::MempoolOptions options;
    options.max_size_bytes = static_cast<int64_t>(three + one / 2);
    m_pool = MakePool(options);

    const auto low = Spend({Fan(30)}, 220); // about 2 sat/vB
    EXPECT_TRUE(Valid(Accept(low)));
    EXPECT_TRUE(Valid(Accept(Spend({Fan(31)}, 10'000))));
    EXPECT_TRUE(Valid(Accept(Spend({Fan(32)}, 10'000))));
    // A fourth does not fit: the cheapest leaves and the minimum rises above its rate.
    EXPECT_TRUE(Valid(Accept(Spend({Fan(33)}, 10'000))));
    EXPECT_FALSE(m_pool->Exists(low->GetHash()));
    const int64_t low_rate = 220 * 1000 / static_cast<int64_t>(low->GetVirtualSize());
    const kernel::FeeRate minimum{low_rate + 1000};
    EXPECT_EQ(m_pool->GetMinFee(NOW), minimum);

    // Below the new minimum (but above min relay) alone: refused, reconsiderable.
    const auto parent = Spend({Fan(34)}, 220);
    const auto alone = Accept(parent);
    ExpectReject(
        alone, TxResult::RECONSIDERABLE, "mempool min fee not met",
        "220 < " + std::to_string(minimum.GetFee(static_cast<int64_t>(parent->GetVirtualSize()))));
    EXPECT_EQ(m_pool->Size(), 3u);

    // With a child paying for both, the package enters.
    const auto child = Spend({Out(parent, 0)}, 40'000);
    const auto package = Package({parent, child});
    EXPECT_TRUE(package.package_state.IsValid()) << package.package_state.ToString();
    ASSERT_EQ(package.results.size(), 2u);
    const auto& parent_result = package.results.at(parent->GetWitnessHash());
    const auto& child_result = package.results.at(child->GetWitnessHash());
    EXPECT_TRUE(Valid(parent_result));
    EXPECT_TRUE(Valid(child_result));
    const int64_t total_vsize =
        static_cast<int64_t>(parent->GetVirtualSize() + child->GetVirtualSize());
    ASSERT_TRUE(child_result.effective_feerate.has_value());
    EXPECT_EQ(child_result.effective_feerate->GetFeePerK(), 40'220 * 1000 / total_vsize);
    EXPECT_EQ(child_result.effective_includes.size(), 2u);
    EXPECT_EQ(parent_result.base_fee, 220);
    EXPECT_TRUE(m_pool->Exists(parent->GetHash()));
    EXPECT_TRUE(m_pool->Exists(child->GetHash()));
}

TEST_F(MempoolSizeTest, TrimmedAtOnceIsMempoolFull)
{
    const size_t one = UsageOf(1);
    kernel::MempoolOptions options;
    options.max_size_bytes = static_cast<int64_t>(one + one / 2);
    m_pool = MakePool(options);
    EXPECT_TRUE(Valid(Accept(Spend({Fan(40)}, 10'000))));
    const auto cheap = Spend({Fan(41)}, 500);
    const auto result = Accept(cheap);
    ExpectReject(result, TxResult::RECONSIDERABLE, "mempool full");
    EXPECT_FALSE(m_pool->Exists(cheap->GetHash()));
    // bypass_limits does not trim.
    EXPECT_TRUE(Valid(Accept(Spend({Fan(42)}, 0), false, /*bypass_limits=*/true)));
}

// ---- packages ----

TEST_F(MempoolAcceptTest, PackageShapeRules)
{
    const auto a = Spend({Fan(50)}, 1000);
    const auto b = Spend({Fan(51)}, 1000);
    const auto child = Spend({Out(a, 0), Out(b, 0)}, 1000);

    auto expect_package = [&](const std::vector<TransactionRef>& txs, const std::string& reason) {
        const auto result = Package(txs);
        EXPECT_EQ(result.package_state.GetResult(), kernel::PACKAGE_POLICY);
        EXPECT_EQ(result.package_state.GetRejectReason(), reason);
        EXPECT_TRUE(result.results.empty());
        EXPECT_EQ(m_pool->Size(), 0u);
    };
    expect_package({a, b}, "package-not-child-with-parents");
    expect_package({child, a, b}, "package-not-sorted");
    expect_package({a, a, child}, "package-contains-duplicates");
    const auto a_again = Spend({Fan(50)}, 2000);
    const auto child2 = Spend({Out(a, 0), Out(a_again, 0)}, 1000);
    expect_package({a, a_again, child2}, "conflict-in-package");
    // A child with an unconfirmed parent outside the package.
    EXPECT_TRUE(Valid(Accept(b)));
    {
        const auto result = Package({a, child});
        EXPECT_EQ(result.package_state.GetRejectReason(),
                  "package-not-child-with-unconfirmed-parents");
    }
    m_pool = MakePool({});

    std::vector<TransactionRef> many(26, a);
    expect_package(many, "package-too-many-transactions");
    // Well-formedness comes before any lookup: unsigned giants will do.
    std::vector<TxOut> outs(1700, TxOut{1000, Key0()});
    const auto giant1 = consensus::MakeTransactionRef(Unsigned({Fan(52).outpoint}, outs));
    const auto giant2 = consensus::MakeTransactionRef(Unsigned({Out(giant1, 0).outpoint}, outs));
    ASSERT_GT(giant1->GetWeight() + giant2->GetWeight(), 404'000u);
    expect_package({giant1, giant2}, "package-too-large");
}

TEST_F(MempoolAcceptTest, PackageEachAloneFirstAndAlreadyInPool)
{
    const auto parent = Spend({Fan(53)}, 2000);
    const auto child = Spend({Out(parent, 0)}, 2000);
    EXPECT_TRUE(Valid(Accept(parent)));
    const auto result = Package({parent, child});
    EXPECT_TRUE(result.package_state.IsValid()) << result.package_state.ToString();
    EXPECT_EQ(result.results.at(parent->GetWitnessHash()).kind,
              MempoolAcceptResult::Kind::MEMPOOL_ENTRY);
    EXPECT_EQ(result.results.at(parent->GetWitnessHash()).base_fee, 2000);
    const auto& child_result = result.results.at(child->GetWitnessHash());
    EXPECT_TRUE(Valid(child_result));
    // Entered alone: its own feerate, only itself.
    EXPECT_EQ(child_result.effective_includes,
              std::vector<consensus::Uint256>{child->GetWitnessHash()});
    EXPECT_EQ(m_pool->Size(), 2u);
}

TEST_F(MempoolAcceptTest, PackageFailureAndTestAccept)
{
    const auto parent = Spend({Fan(54)}, 2000);
    auto bad_child = consensus::ToMutable(*Spend({Out(parent, 0)}, 2000));
    bad_child.vin[0].witness.stack[0][10] ^= 0x01;
    const auto child = consensus::MakeTransactionRef(bad_child);

    // test_accept: every transaction evaluated, nothing added.
    const auto tested = Package({parent, Spend({Out(parent, 0)}, 2000)}, /*test_accept=*/true);
    EXPECT_TRUE(tested.package_state.IsValid()) << tested.package_state.ToString();
    EXPECT_EQ(tested.results.size(), 2u);
    EXPECT_EQ(m_pool->Size(), 0u);

    const auto result = Package({parent, child});
    EXPECT_EQ(result.package_state.GetResult(), kernel::PACKAGE_TX);
    EXPECT_EQ(result.package_state.GetRejectReason(), "transaction failed");
    EXPECT_TRUE(Valid(result.results.at(parent->GetWitnessHash())));
    ExpectReject(result.results.at(child->GetWitnessHash()), TxResult::CONSENSUS,
                 "mandatory-script-verify-flag-failed (Signature must be zero for failed "
                 "CHECK(MULTI)SIG operation)");
    EXPECT_EQ(m_pool->Size(), 1u);
}

TEST_F(MempoolAcceptTest, PackageTestAcceptRefusesReplacements)
{
    const auto in_pool = Spend({Fan(55)}, 1000);
    EXPECT_TRUE(Valid(Accept(in_pool)));
    const auto parent = Spend({Fan(55)}, 5000);
    const auto child = Spend({Out(parent, 0)}, 5000);
    const auto result = Package({parent, child}, /*test_accept=*/true);
    EXPECT_EQ(result.package_state.GetResult(), kernel::PACKAGE_TX);
    EXPECT_EQ(result.package_state.GetRejectReason(), "transaction failed");
    ExpectReject(result.results.at(parent->GetWitnessHash()), TxResult::MEMPOOL_POLICY,
                 "bip125-replacement-disallowed");
    EXPECT_EQ(result.results.count(child->GetWitnessHash()), 0u);
    EXPECT_TRUE(m_pool->Exists(in_pool->GetHash()));
}

TEST_F(MempoolAcceptTest, PackageWithADifferentWitnessOfAPoolTransaction)
{
    // A P2WSH spend whose witness item can vary without changing the txid.
    auto parent = Unsigned({{s_special->GetHash(), 1}}, {TxOut{SPECIAL_VALUE - 1000, Key0()}});
    parent.vin[0].witness.stack = {std::vector<uint8_t>(10, 0x01), DropTrue().bytes()};
    const auto in_pool = consensus::MakeTransactionRef(parent);
    EXPECT_TRUE(Valid(Accept(in_pool)));
    parent.vin[0].witness.stack[0] = std::vector<uint8_t>(20, 0x02);
    const auto other = consensus::MakeTransactionRef(parent);
    ASSERT_EQ(other->GetHash(), in_pool->GetHash());
    const auto child = Spend({Out(other, 0)}, 2000);
    const auto result = Package({other, child});
    EXPECT_TRUE(result.package_state.IsValid()) << result.package_state.ToString();
    const auto& other_result = result.results.at(other->GetWitnessHash());
    EXPECT_EQ(other_result.kind, MempoolAcceptResult::Kind::DIFFERENT_WITNESS);
    EXPECT_EQ(other_result.other_wtxid, in_pool->GetWitnessHash());
    EXPECT_TRUE(Valid(result.results.at(child->GetWitnessHash())));
    EXPECT_EQ(m_pool->Size(), 2u);
}

TEST_F(MempoolAcceptTest, PackageReplacementOfOneParentAndChild)
{
    const auto victim = Spend({Fan(56)}, 300);
    EXPECT_TRUE(Valid(Accept(victim)));
    // The parent alone cannot replace (lower feerate), its child pays for both.
    const auto parent = Spend({Fan(56)}, 200);
    const auto child = Spend({Out(parent, 0)}, 20'000);
    const auto result = Package({parent, child});
    EXPECT_TRUE(result.package_state.IsValid()) << result.package_state.ToString();
    const auto& parent_result = result.results.at(parent->GetWitnessHash());
    EXPECT_TRUE(Valid(parent_result));
    ASSERT_EQ(parent_result.replaced.size(), 1u);
    EXPECT_EQ(parent_result.replaced[0]->GetHash(), victim->GetHash());
    EXPECT_TRUE(Valid(result.results.at(child->GetWitnessHash())));
    EXPECT_FALSE(m_pool->Exists(victim->GetHash()));
    EXPECT_EQ(m_pool->Size(), 2u);

    // Replacing a well-paid transaction needs at least its fees.
    const auto rich = Spend({Fan(57)}, 50'000);
    EXPECT_TRUE(Valid(Accept(rich)));
    const auto parent2 = Spend({Fan(57)}, 200);
    const auto child2 = Spend({Out(parent2, 0)}, 1000);
    const auto refused = Package({parent2, child2});
    EXPECT_EQ(refused.package_state.GetResult(), kernel::PACKAGE_POLICY);
    EXPECT_EQ(refused.package_state.GetRejectReason(),
              "package RBF failed: insufficient anti-DoS fees");
    EXPECT_EQ(refused.package_state.GetDebugMessage(),
              "rejecting replacement " + child2->GetHash().GetHex() +
                  ", less fees than conflicting txs; 0.000012 < 0.0005");
    EXPECT_TRUE(m_pool->Exists(rich->GetHash()));
}

TEST(FormatMoney, MatchesCore)
{
    using kernel::accept_detail::FormatMoney;
    EXPECT_EQ(FormatMoney(0), "0.00");
    EXPECT_EQ(FormatMoney(1), "0.00000001");
    EXPECT_EQ(FormatMoney(3000), "0.00003");
    EXPECT_EQ(FormatMoney(100'000'000), "1.00");
    EXPECT_EQ(FormatMoney(-50'000'000), "-0.50");
    EXPECT_EQ(FormatMoney(123'456'789), "1.23456789");
}

} // namespace
