// Block assembly from a real mempool: ancestor-feerate (CPFP) selection, re-scoring of
// partly included packages, weight, sigop, fee and finality limits, and a template that a
// chainstate accepts.
#include <kernel/mempool.h>
#include <kernel/miner.h>
#include <kernel/mining.h>

#include "chainstate_fixture.h"

#include <consensus/block_check.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/serialize.h>
#include <consensus/tx_verify.h>

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <vector>

namespace {

using consensus::Amount;
using consensus::OutPoint;
using consensus::TransactionRef;
using kernel::AssemblerOptions;
using kernel::FeeRate;
using kernel::TemplateTx;

constexpr Amount COINBASE_VALUE{50 * consensus::COIN}; // regtest subsidy below height 150
constexpr int CHAIN_HEIGHT{110};

consensus::Script OpTrue()
{
    return consensus::Script{std::vector<uint8_t>{consensus::OP_TRUE}};
}

void Grind(consensus::Block& block, const consensus::ConsensusParams& params)
{
    while (!consensus::CheckProofOfWork(block.GetHash(), block.header.bits, params))
        ++block.header.nonce;
}

class MinerTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_params = common::CreateChainParams(util::ChainType::REGTEST);
        m_node = kernel_test::OpenChainstate(kernel_test::BasicOptions(*m_params, m_dir.Path(), 1));
        ASSERT_TRUE(m_node);
        for (int i = 0; i < CHAIN_HEIGHT; ++i) {
            auto block = kernel::CreateNewBlock(*m_node, OpTrue(), {}, 0);
            ASSERT_TRUE(block) << block.error().message;
            Grind(*block, m_params->GetConsensus());
            if (i < 20) m_coins.push_back(OutPoint{block->vtx[0]->GetHash(), 0});
            consensus::BlockValidationState state;
            ASSERT_TRUE(
                m_node->ProcessNewBlock(std::make_shared<const consensus::Block>(*block), state))
                << state.ToString();
        }
        ASSERT_EQ(m_node->Tip()->height, CHAIN_HEIGHT);
    }

    // A mature coinbase output (50 BTC, OP_TRUE) nobody spent yet.
    OutPoint Coin() { return m_coins.at(m_next_coin++); }

    // Spends `inputs` (worth `in_value` in all, OP_TRUE outputs) into `outputs` equal OP_TRUE
    // outputs, leaving `fee`; extra_script (if any) is appended to the first output's script.
    static TransactionRef Spend(const std::vector<OutPoint>& inputs, Amount in_value, Amount fee,
                                int outputs = 1, uint32_t lock_time = 0,
                                uint32_t sequence = consensus::TxIn::SEQUENCE_FINAL,
                                const std::vector<uint8_t>& extra_script = {})
    {
        consensus::MutableTransaction tx;
        tx.version = 2;
        for (const OutPoint& in : inputs) {
            consensus::TxIn txin;
            txin.prevout = in;
            txin.sequence = sequence;
            tx.vin.push_back(txin);
        }
        const Amount each = (in_value - fee) / outputs;
        for (int i = 0; i < outputs; ++i) {
            consensus::TxOut out;
            out.value = i == 0 ? in_value - fee - each * (outputs - 1) : each;
            std::vector<uint8_t> script{consensus::OP_TRUE};
            if (i == 0) script.insert(script.end(), extra_script.begin(), extra_script.end());
            out.script_pubkey = consensus::Script{std::move(script)};
            tx.vout.push_back(std::move(out));
        }
        tx.locktime = lock_time;
        return consensus::MakeTransactionRef(std::move(tx));
    }

    // Puts `tx` in the pool with `fee` and its real legacy sigop cost (nothing here spends
    // P2SH or witness outputs).
    const kernel::MempoolEntry& Add(const TransactionRef& tx, Amount fee)
    {
        const int64_t sigops = static_cast<int64_t>(consensus::GetLegacySigOpCount(*tx)) *
                               consensus::WITNESS_SCALE_FACTOR;
        auto entry = std::make_unique<kernel::MempoolEntry>(tx, fee, 1'700'000'000, CHAIN_HEIGHT,
                                                            m_pool.NextSequence(), false, sigops);
        auto ancestors =
            m_pool.CalculateAncestors(*tx, entry->GetTxSize(), kernel::MempoolLimits{});
        EXPECT_TRUE(ancestors) << (ancestors ? "" : ancestors.error().message);
        return m_pool.AddUnchecked(
            std::move(entry), ancestors ? *ancestors : std::set<const kernel::MempoolEntry*>{});
    }

    std::vector<TemplateTx> Select(const AssemblerOptions& options = {})
    {
        return kernel::SelectTransactions(*m_node, m_pool, options);
    }

    static std::vector<consensus::Uint256> Txids(const std::vector<TemplateTx>& txs)
    {
        std::vector<consensus::Uint256> ids;
        for (const auto& item : txs)
            ids.push_back(item.tx->GetHash());
        return ids;
    }

    std::unique_ptr<const common::ChainParams> m_params;
    testutil::TempDir m_dir;
    std::unique_ptr<kernel::ChainstateManager> m_node;
    kernel::TxMemPool m_pool{kernel::MempoolOptions{}};
    std::vector<OutPoint> m_coins;
    size_t m_next_coin{0};
};

using Ids = std::vector<consensus::Uint256>;

TEST_F(MinerTest, EmptyPoolSelectsNothing)
{
    EXPECT_TRUE(Select().empty());
}

TEST_F(MinerTest, ChildPaysForLowFeeParent)
{
    const auto parent = Spend({Coin()}, COINBASE_VALUE, 0);
    const auto child = Spend({OutPoint{parent->GetHash(), 0}}, COINBASE_VALUE, 10'000);
    const auto other = Spend({Coin()}, COINBASE_VALUE, 3'000);
    Add(parent, 0);
    Add(child, 10'000);
    Add(other, 3'000);
    AssemblerOptions options;
    options.min_fee = FeeRate{1000};
    // The pair pays ~82 sat/vB together, more than `other`'s ~49, so both come first; the
    // zero-fee parent alone would be under the minimum.
    const auto selected = Select(options);
    EXPECT_EQ(Txids(selected), (Ids{parent->GetHash(), child->GetHash(), other->GetHash()}));
    ASSERT_EQ(selected.size(), 3u);
    EXPECT_EQ(selected[0].fee, 0);
    EXPECT_EQ(selected[1].fee, 10'000);
    EXPECT_TRUE(selected[0].depends.empty());
    EXPECT_EQ(selected[1].depends, (std::vector<size_t>{1}));
}

TEST_F(MinerTest, MinimumFeeRateCutsOffSelection)
{
    const auto lonely_parent = Spend({Coin()}, COINBASE_VALUE, 0);
    const auto at_minimum = Spend({Coin()}, COINBASE_VALUE, 61);
    const auto just_below = Spend({Coin()}, COINBASE_VALUE, 60);
    const auto well_above = Spend({Coin()}, COINBASE_VALUE, 500);
    // 1-in-1-out, no witness: 4 + 1 + 41 + 1 + 10 + 4 = 61 bytes.
    ASSERT_EQ(Add(at_minimum, 61).GetTxSize(), 61);
    Add(lonely_parent, 0);
    Add(just_below, 60);
    Add(well_above, 500);
    AssemblerOptions options;
    options.min_fee = FeeRate{1000}; // 61 vB need 61 sat
    EXPECT_EQ(Txids(Select(options)), (Ids{well_above->GetHash(), at_minimum->GetHash()}));
    // The default block minimum (1 sat/kvB) takes everything that pays at all.
    EXPECT_EQ(Select().size(), 3u);
}

TEST_F(MinerTest, ParentsComeBeforeChildrenAndDependsFollowInputs)
{
    const auto a = Spend({Coin()}, COINBASE_VALUE, 100, /*outputs=*/2);
    const Amount a_out0 = a->vout[0].value;
    const Amount a_out1 = a->vout[1].value;
    const auto b = Spend({OutPoint{a->GetHash(), 0}}, a_out0, 200);
    const auto c = Spend({OutPoint{b->GetHash(), 0}, OutPoint{a->GetHash(), 1}},
                         a_out0 - 200 + a_out1, 20'000);
    Add(a, 100);
    Add(b, 200);
    Add(c, 20'000);
    const auto selected = Select();
    EXPECT_EQ(Txids(selected), (Ids{a->GetHash(), b->GetHash(), c->GetHash()}));
    ASSERT_EQ(selected.size(), 3u);
    EXPECT_TRUE(selected[0].depends.empty());
    EXPECT_EQ(selected[1].depends, (std::vector<size_t>{1}));
    // One entry per input spending an earlier template transaction, in input order.
    EXPECT_EQ(selected[2].depends, (std::vector<size_t>{2, 1}));
}

TEST_F(MinerTest, PartlyIncludedPackagesAreRescored)
{
    // p: cheap parent of c (rich) and d (middling); x: independent, between d's stale
    // package rate (~46 sat/vB with p) and d's own rate (~98 sat/vB).
    const auto p = Spend({Coin()}, COINBASE_VALUE, 100, /*outputs=*/2);
    const auto c = Spend({OutPoint{p->GetHash(), 0}}, p->vout[0].value, 20'000);
    const auto d = Spend({OutPoint{p->GetHash(), 1}}, p->vout[1].value, 6'000);
    const auto x = Spend({Coin()}, COINBASE_VALUE, 4'000);
    Add(p, 100);
    Add(c, 20'000);
    const auto& d_entry = Add(d, 6'000);
    Add(x, 4'000);
    // Preconditions the scenario rests on (rates in sat per vB, by cross-multiplication).
    ASSERT_LT(d_entry.ModFeesWithAncestors() * 61, 4'000 * d_entry.SizeWithAncestors());
    ASSERT_GT(6'000 * 61, 4'000 * d_entry.GetTxSize());
    // Once p is in the block, d stands alone and outranks x.
    EXPECT_EQ(Txids(Select()), (Ids{p->GetHash(), c->GetHash(), d->GetHash(), x->GetHash()}));
}

TEST_F(MinerTest, WeightLimitIsRespected)
{
    std::vector<TransactionRef> txs;
    for (int i = 1; i <= 10; ++i) {
        txs.push_back(Spend({Coin()}, COINBASE_VALUE, i * 1'000));
        ASSERT_EQ(Add(txs.back(), i * 1'000).GetTxWeight(), 244);
    }
    // 4,000 reserved for the coinbase plus 244 per transaction; a package must stay strictly
    // below the limit.
    AssemblerOptions options;
    options.max_weight = 4'000 + 3 * 244 + 1;
    EXPECT_EQ(Txids(Select(options)),
              (Ids{txs[9]->GetHash(), txs[8]->GetHash(), txs[7]->GetHash()}));
    options.max_weight = 4'000 + 3 * 244;
    EXPECT_EQ(Txids(Select(options)), (Ids{txs[9]->GetHash(), txs[8]->GetHash()}));
    options.max_weight = 0; // clamped up to 4,000: room for the coinbase only
    EXPECT_TRUE(Select(options).empty());
}

TEST_F(MinerTest, SigopLimitIsRespected)
{
    // 4,000 OP_CHECKSIG in an output: 4,000 legacy sigops, cost 16,000 each. With 400 kept for
    // the coinbase, four fit under 80,000 and a fifth would not.
    const std::vector<uint8_t> checksigs(4'000, consensus::OP_CHECKSIG);
    std::vector<TransactionRef> txs;
    for (int i = 0; i < 5; ++i) {
        const Amount fee = 200'000 + i * 1'000;
        txs.push_back(
            Spend({Coin()}, COINBASE_VALUE, fee, 1, 0, consensus::TxIn::SEQUENCE_FINAL, checksigs));
        ASSERT_EQ(Add(txs.back(), fee).GetSigOpCost(), 16'000);
    }
    const auto cheap = Spend({Coin()}, COINBASE_VALUE, 100);
    Add(cheap, 100);
    const auto selected = Select();
    EXPECT_EQ(Txids(selected), (Ids{txs[4]->GetHash(), txs[3]->GetHash(), txs[2]->GetHash(),
                                    txs[1]->GetHash(), cheap->GetHash()}));
    for (size_t i = 0; i + 1 < selected.size(); ++i)
        EXPECT_EQ(selected[i].sigop_cost, 16'000);
}

TEST_F(MinerTest, OnlyTransactionsFinalAtTheNextHeight)
{
    constexpr uint32_t NOT_FINAL_SEQUENCE = 0xfffffffe;
    const int next_height = CHAIN_HEIGHT + 1;
    const auto mtp = static_cast<uint32_t>(m_node->Tip()->GetMedianTimePast());
    const auto height_ok =
        Spend({Coin()}, COINBASE_VALUE, 1'000, 1, next_height - 1, NOT_FINAL_SEQUENCE);
    const auto height_locked =
        Spend({Coin()}, COINBASE_VALUE, 9'000, 1, next_height, NOT_FINAL_SEQUENCE);
    const auto child_of_locked =
        Spend({OutPoint{height_locked->GetHash(), 0}}, COINBASE_VALUE - 9'000, 9'000);
    const auto time_ok = Spend({Coin()}, COINBASE_VALUE, 2'000, 1, mtp - 1, NOT_FINAL_SEQUENCE);
    const auto time_locked = Spend({Coin()}, COINBASE_VALUE, 8'000, 1, mtp, NOT_FINAL_SEQUENCE);
    // A lock time in the future means nothing when every input is final.
    const auto sequence_final = Spend({Coin()}, COINBASE_VALUE, 500, 1, next_height + 100);
    Add(height_ok, 1'000);
    Add(height_locked, 9'000);
    Add(child_of_locked, 9'000);
    Add(time_ok, 2'000);
    Add(time_locked, 8'000);
    Add(sequence_final, 500);
    EXPECT_EQ(Txids(Select()),
              (Ids{time_ok->GetHash(), height_ok->GetHash(), sequence_final->GetHash()}));
}

TEST_F(MinerTest, TemplateFromThePoolIsAcceptedByTheChain)
{
    const auto parent = Spend({Coin()}, COINBASE_VALUE, 0);
    const auto child = Spend({OutPoint{parent->GetHash(), 0}}, COINBASE_VALUE, 10'000);
    const auto other = Spend({Coin()}, COINBASE_VALUE, 3'000);
    Add(parent, 0);
    Add(child, 10'000);
    Add(other, 3'000);
    // OP_CHECKSIG payout: one legacy sigop in the coinbase, cost 4.
    const consensus::Script payout{std::vector<uint8_t>{consensus::OP_CHECKSIG}};
    auto made = kernel::CreateBlockTemplate(*m_node, &m_pool, payout);
    ASSERT_TRUE(made) << made.error().message;
    const consensus::Block& block = made->block;
    ASSERT_EQ(block.vtx.size(), 4u);
    EXPECT_EQ(block.vtx[1]->GetHash(), parent->GetHash());
    EXPECT_EQ(block.vtx[2]->GetHash(), child->GetHash());
    EXPECT_EQ(block.vtx[3]->GetHash(), other->GetHash());
    EXPECT_EQ(made->total_fees, 13'000);
    EXPECT_EQ(block.vtx[0]->vout[0].value, COINBASE_VALUE + 13'000);
    EXPECT_EQ(block.vtx[0]->vout[0].script_pubkey, payout);
    EXPECT_EQ(made->coinbase_sigop_cost, 4);
    ASSERT_EQ(made->txs.size(), 3u);
    EXPECT_EQ(made->txs[1].depends, (std::vector<size_t>{1}));
    const int64_t weight = static_cast<int64_t>(consensus::EncodeBlockNoWitness(block).size()) * 3 +
                           static_cast<int64_t>(consensus::Encode(block).size());
    EXPECT_EQ(made->weight, weight);
    EXPECT_TRUE(consensus::GetWitnessCommitmentIndex(block).has_value());

    consensus::Block mined = block;
    Grind(mined, m_params->GetConsensus());
    consensus::BlockValidationState state;
    ASSERT_TRUE(m_node->ProcessNewBlock(std::make_shared<const consensus::Block>(mined), state))
        << state.ToString();
    EXPECT_EQ(m_node->Tip()->hash, mined.GetHash());

    // Without a pool the template carries the coinbase alone, claiming the subsidy only.
    auto bare = kernel::CreateBlockTemplate(*m_node, nullptr, OpTrue());
    ASSERT_TRUE(bare);
    EXPECT_TRUE(bare->txs.empty());
    ASSERT_EQ(bare->block.vtx.size(), 1u);
    EXPECT_EQ(bare->block.vtx[0]->vout[0].value, COINBASE_VALUE);
}

TEST_F(MinerTest, OverpayingCoinbaseIsRejected)
{
    const auto tx = Spend({Coin()}, COINBASE_VALUE, 5'000);
    Add(tx, 5'000);
    auto made = kernel::CreateBlockTemplate(*m_node, &m_pool, OpTrue());
    ASSERT_TRUE(made);
    EXPECT_EQ(made->block.vtx[0]->vout[0].value, COINBASE_VALUE + 5'000);
    // The same block claiming one satoshi more fails validation, so the template's claim is
    // the most a valid block may take.
    consensus::Block greedy = made->block;
    auto coinbase = consensus::ToMutable(*greedy.vtx[0]);
    coinbase.vout[0].value += 1;
    greedy.vtx[0] = consensus::MakeTransactionRef(std::move(coinbase));
    kernel::FinalizeBlockTemplate(greedy);
    Grind(greedy, m_params->GetConsensus());
    consensus::BlockValidationState state;
    m_node->ProcessNewBlock(std::make_shared<const consensus::Block>(greedy), state);
    EXPECT_EQ(m_node->Tip()->height, CHAIN_HEIGHT);
    // The honest template still connects afterwards.
    consensus::Block honest = made->block;
    Grind(honest, m_params->GetConsensus());
    ASSERT_TRUE(m_node->ProcessNewBlock(std::make_shared<const consensus::Block>(honest), state))
        << state.ToString();
    EXPECT_EQ(m_node->Tip()->hash, honest.GetHash());
}

} // namespace
