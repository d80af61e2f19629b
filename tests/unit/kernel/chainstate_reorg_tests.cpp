// Reorganisations on regtest chains with real P2WPKH and P2TR spends: the
// UTXO set after a reorg (and after reorging back) must be the one a node
// fed only the final chain builds, as the kernel digests it and as a plain
// map of coins computed here says. Also equal-work forks, preciousblock,
// invalidateblock/reconsiderblock, a fork with an invalid block deep inside,
// the notifications a reorg fires, and a restart after a reorg.
#include "chainstate_fixture.h"

#include <consensus/amount.h>
#include <consensus/block.h>
#include <consensus/transaction.h>
#include <kernel/chainstate.h>
#include <storage/block_tree_db.h>
#include <testutil/chain_builder.h>
#include <testutil/test_dir.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kernel_test {
namespace {

using consensus::Amount;
using consensus::Block;
using consensus::OutPoint;
using consensus::TransactionRef;
using consensus::Uint256;
using kernel::BlockIndex;
using kernel::ChainstateManager;
using testutil::OutputKind;
using testutil::OwnedCoin;

// Blocks before the fork point: 100 for coinbase maturity, then some with spends.
constexpr int BASE_HEIGHT = 108;

// What a notification subscriber saw, in order.
struct Event
{
    char kind; // 'C' connected, 'D' disconnected, 'T' tip updated
    Uint256 hash;
    Uint256 fork; // for 'T': the fork block (null if none)
};

class Recorder : public kernel::ValidationEvents
{
public:
    void BlockConnected(const Block&, const BlockIndex& index) override
    {
        events.push_back({'C', index.hash, {}});
    }
    void BlockDisconnected(const Block&, const BlockIndex& index) override
    {
        events.push_back({'D', index.hash, {}});
    }
    void UpdatedBlockTip(const BlockIndex& tip, const BlockIndex* fork, bool) override
    {
        events.push_back({'T', tip.hash, fork ? fork->hash : Uint256{}});
    }
    void BlockChecked(const Block& block, const consensus::BlockValidationState& state) override
    {
        checked[block.GetHash()] = state.IsValid() ? "" : state.GetRejectReason();
    }
    size_t Count(char kind) const
    {
        return std::count_if(events.begin(), events.end(),
                             [&](const Event& e) { return e.kind == kind; });
    }
    // The hashes of one kind of event, in order.
    std::vector<Uint256> Hashes(char kind) const
    {
        std::vector<Uint256> out;
        for (const auto& e : events) {
            if (e.kind == kind) out.push_back(e.hash);
        }
        return out;
    }

    std::vector<Event> events;
    std::map<Uint256, std::string> checked; // block hash -> reject reason ("" if valid)
};

std::vector<Uint256> HashesOf(const Blocks& blocks)
{
    std::vector<Uint256> out;
    for (const auto& b : blocks)
        out.push_back(b->GetHash());
    return out;
}

// The UTXO set of a chain computed without the kernel: a map of outpoints.
struct ModelSet
{
    uint64_t txouts{0};
    Amount total{0};
};

class ReorgTest : public BranchTest
{
protected:
    ReorgTest() : BranchTest{7} {}

    void SetUp() override
    {
        testutil::GenerateStats generated;
        ASSERT_NO_FATAL_FAILURE(GenerateBase(BASE_HEIGHT, &generated));
        // The base chain already spends both templates.
        ASSERT_GT(generated.p2wpkh_inputs, 0u);
        ASSERT_GT(generated.p2tr_inputs, 0u);
    }

    // Spends every block's inputs from a map and adds its spendable outputs;
    // a spend of a coin the map lacks fails the test (a double spend on one chain).
    static ModelSet Model(std::initializer_list<const Blocks*> segments)
    {
        std::map<OutPoint, Amount> coins;
        for (const Blocks* segment : segments) {
            for (const auto& block : *segment) {
                for (const auto& tx : block->vtx) {
                    if (!tx->IsCoinBase()) {
                        for (const auto& in : tx->vin) {
                            EXPECT_EQ(coins.erase(in.prevout), 1u)
                                << "model: missing coin " << in.prevout.ToString();
                        }
                    }
                    for (uint32_t n = 0; n < tx->vout.size(); ++n) {
                        if (tx->vout[n].script_pubkey.IsUnspendable()) continue;
                        coins[OutPoint{tx->GetHash(), n}] = tx->vout[n].value;
                    }
                }
            }
        }
        ModelSet model;
        model.txouts = coins.size();
        for (const auto& [outpoint, value] : coins)
            model.total += value;
        return model;
    }

    static void ExpectModel(const kernel::CoinsStats& got, const ModelSet& model)
    {
        EXPECT_EQ(got.txouts, model.txouts);
        EXPECT_EQ(got.total_amount, model.total);
    }

    // A signed spend of the branch's oldest coin (left in the pool: the
    // block that confirms it takes it out).
    TransactionRef SpendOldest(const Branch& branch, size_t n_outputs, OutputKind kind)
    {
        if (branch.pool.empty()) {
            ADD_FAILURE() << "empty pool";
            return nullptr;
        }
        auto tx = m_builder.CreateSpend({&branch.pool.front(), 1}, n_outputs, kind, FEE);
        EXPECT_TRUE(tx) << tx.error().message;
        return tx ? *tx : nullptr;
    }

    // Adds one block to the branch: `extra` first, then a spend of the oldest
    // coin into two P2WPKH outputs and of the newest (often made one block
    // before) into a P2TR output. Spent coins leave the pool, new ones join it.
    void Extend(Branch& branch, std::vector<TransactionRef> extra = {}, int spends = 2)
    {
        ExtendBranch(branch, Alternating(std::move(extra), spends));
    }

    static ExtendSpec Alternating(std::vector<TransactionRef> extra = {}, int spends = 2)
    {
        ExtendSpec spec;
        spec.extra = std::move(extra);
        spec.spends = spends;
        spec.alternate_coinbase = true;
        return spec;
    }

    // Ancestor of a built block at a height, by the builder's records.
    Uint256 Ancestor(Uint256 hash, int height) const
    {
        auto info = m_builder.Info(hash);
        while (info && info->height > height)
            info = m_builder.Info(info->parent);
        return info ? info->hash : Uint256{};
    }

    Uint256 CommonAncestor(const Uint256& a, const Uint256& b) const
    {
        const int ha = m_builder.Info(a)->height;
        const int hb = m_builder.Info(b)->height;
        for (int h = std::min(ha, hb); h >= 0; --h) {
            const Uint256 x = Ancestor(a, h);
            if (x == Ancestor(b, h)) return x;
        }
        return {};
    }

    // Replays the events on the chain they describe: a disconnect removes the
    // tip, a connect extends it, and a tip update names the tip reached and
    // the fork from the tip of the previous update.
    void CheckEventOrder(const Recorder& recorder, const Uint256& start) const
    {
        Uint256 tip = start;
        Uint256 announced = start;
        bool connected_since_update = false;
        for (const auto& e : recorder.events) {
            switch (e.kind) {
            case 'D':
                ASSERT_EQ(e.hash, tip) << "disconnected a block that is not the tip";
                tip = m_builder.Info(tip)->parent;
                break;
            case 'C':
                ASSERT_EQ(m_builder.Info(e.hash)->parent, tip) << "connected a block off the tip";
                tip = e.hash;
                connected_since_update = true;
                break;
            case 'T':
                ASSERT_EQ(e.hash, tip) << "tip update names another block";
                EXPECT_EQ(e.fork, CommonAncestor(announced, tip)) << "wrong fork point";
                EXPECT_TRUE(connected_since_update) << "tip update without a step";
                announced = tip;
                connected_since_update = false;
                break;
            }
        }
        EXPECT_EQ(announced, tip) << "the last step was not announced";
    }

    testutil::TempDir m_dir;
};

class ReorgDepthTest : public ReorgTest, public ::testing::WithParamInterface<int>
{};

TEST_P(ReorgDepthTest, DigestMatchesStraightNodeBothWaysAndAfterRestart)
{
    const int depth = GetParam();
    Branch a = StartBranch(false);
    Branch b = StartBranch(true);
    // Both branches confirm one transaction (its outputs exist on both) and
    // then spend its outputs each in its own way.
    OwnedCoin shared_in = m_spendable[m_spendable.size() / 2];
    auto shared = m_builder.CreateSpend({&shared_in, 1}, 3, OutputKind::P2TR, FEE);
    ASSERT_TRUE(shared);
    ASSERT_NO_FATAL_FAILURE(Extend(a, {*shared}));
    for (int i = 1; i < depth; ++i)
        ASSERT_NO_FATAL_FAILURE(Extend(a));
    ASSERT_NO_FATAL_FAILURE(Extend(b, {*shared}));
    for (int i = 1; i <= depth; ++i)
        ASSERT_NO_FATAL_FAILURE(Extend(b));
    // The first blocks of the branches double-spend the same coin.
    ASSERT_EQ(a.blocks[0]->vtx.back()->vin[0].prevout, b.blocks[0]->vtx[2]->vin[0].prevout);
    // The second block of B spends an output of the shared transaction.
    ASSERT_EQ(b.blocks[1]->vtx.back()->vin[0].prevout.hash, (*shared)->GetHash());

    auto node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    ASSERT_NO_FATAL_FAILURE(Feed(*node, m_base));
    ASSERT_NO_FATAL_FAILURE(Feed(*node, a.blocks));
    ASSERT_EQ(node->Tip()->hash, a.tip);
    ExpectModel(Stats(*node), Model({&m_base, &a.blocks}));

    // B arrives; its last block gives it more work, and only then does the node switch.
    auto recorder = std::make_shared<Recorder>();
    node->Signals().Register(recorder);
    Blocks b_but_last(b.blocks.begin(), b.blocks.end() - 1);
    ASSERT_NO_FATAL_FAILURE(Feed(*node, b_but_last));
    EXPECT_EQ(node->Tip()->hash, a.tip);
    EXPECT_TRUE(recorder->events.empty());
    ASSERT_NO_FATAL_FAILURE(Feed(*node, {b.blocks.back()}));
    ASSERT_EQ(node->Tip()->hash, b.tip);
    const auto after_reorg = Stats(*node);
    ExpectSameSet(after_reorg, Straight({&m_base, &b.blocks}));
    ExpectModel(after_reorg, Model({&m_base, &b.blocks}));
    EXPECT_EQ(after_reorg.best_block, b.tip);

    // Disconnects run from A's tip down, then B connects upward.
    auto a_down = HashesOf(a.blocks);
    std::reverse(a_down.begin(), a_down.end());
    EXPECT_EQ(recorder->Hashes('D'), a_down);
    EXPECT_EQ(recorder->Hashes('C'), HashesOf(b.blocks));
    ASSERT_EQ(recorder->events.size(), a.blocks.size() + b.blocks.size() + recorder->Count('T'));
    for (size_t i = 0; i < a.blocks.size(); ++i)
        EXPECT_EQ(recorder->events[i].kind, 'D');
    ASSERT_GE(recorder->Count('T'), 1u);
    const Event& first_update = *std::find_if(recorder->events.begin(), recorder->events.end(),
                                              [](const Event& e) { return e.kind == 'T'; });
    EXPECT_EQ(first_update.fork, m_fork);
    if (depth <= 10) {
        EXPECT_EQ(recorder->Count('T'), 1u);
    }
    ASSERT_NO_FATAL_FAILURE(CheckEventOrder(*recorder, a.tip));
    for (const auto& hash : HashesOf(b.blocks)) {
        ASSERT_TRUE(recorder->checked.contains(hash));
        EXPECT_EQ(recorder->checked[hash], "");
    }

    // A grows past B: back again.
    recorder->events.clear();
    ASSERT_NO_FATAL_FAILURE(Extend(a));
    ASSERT_NO_FATAL_FAILURE(Extend(a));
    ASSERT_NO_FATAL_FAILURE(Feed(*node, Blocks(a.blocks.end() - 2, a.blocks.end())));
    ASSERT_EQ(node->Tip()->hash, a.tip);
    const auto after_back = Stats(*node);
    ExpectSameSet(after_back, Straight({&m_base, &a.blocks}));
    ExpectModel(after_back, Model({&m_base, &a.blocks}));
    EXPECT_EQ(recorder->Count('D'), b.blocks.size());
    EXPECT_EQ(recorder->Count('C'), a.blocks.size());
    ASSERT_NO_FATAL_FAILURE(CheckEventOrder(*recorder, b.tip));
    node->Signals().Unregister(recorder.get());

    // A restart keeps the tip and the set, and every block checks out.
    node.reset();
    node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    EXPECT_EQ(node->Tip()->hash, a.tip);
    auto verified = node->VerifyDB(4, 0);
    EXPECT_TRUE(verified) << verified.error().message;
    ExpectSameSet(Stats(*node), after_back);
    // Both branches are still known, with their data.
    for (const auto& hash : HashesOf(b.blocks)) {
        const BlockIndex* index = node->LookupBlockIndex(hash);
        ASSERT_NE(index, nullptr);
        EXPECT_TRUE(index->HaveData());
        EXPECT_FALSE(index->IsFailed());
    }
}

INSTANTIATE_TEST_SUITE_P(Depths, ReorgDepthTest, ::testing::Values(1, 10, 100));

// Two one-block forks of equal work that double-spend the same coin.
class EqualWorkTest : public ReorgTest
{
protected:
    void SetUp() override
    {
        ASSERT_NO_FATAL_FAILURE(ReorgTest::SetUp());
        m_x = StartBranch(false);
        m_y = StartBranch(false);
        // X pays the coin to P2WPKH, Y the same coin to P2TR.
        auto to_x = SpendOldest(m_x, 2, OutputKind::P2WPKH);
        auto to_y = SpendOldest(m_y, 1, OutputKind::P2TR);
        ASSERT_TRUE(to_x && to_y);
        ASSERT_NO_FATAL_FAILURE(Extend(m_x, {to_x}, 1));
        ASSERT_NO_FATAL_FAILURE(Extend(m_y, {to_y}, 1));
        m_straight_x = Straight({&m_base, &m_x.blocks});
        m_straight_y = Straight({&m_base, &m_y.blocks});
        ASSERT_NE(m_straight_x.hash_serialized, m_straight_y.hash_serialized);

        m_node = Open(m_dir.Path());
        ASSERT_TRUE(m_node);
        ASSERT_NO_FATAL_FAILURE(Feed(*m_node, m_base));
        ASSERT_NO_FATAL_FAILURE(Feed(*m_node, m_x.blocks));
        ASSERT_NO_FATAL_FAILURE(Feed(*m_node, m_y.blocks));
    }
    BlockIndex* X() { return m_node->LookupBlockIndex(m_x.tip); }
    BlockIndex* Y() { return m_node->LookupBlockIndex(m_y.tip); }

    Branch m_x;
    Branch m_y;
    kernel::CoinsStats m_straight_x;
    kernel::CoinsStats m_straight_y;
    std::unique_ptr<ChainstateManager> m_node;
};

TEST_F(EqualWorkTest, FirstSeenStaysTip)
{
    EXPECT_EQ(m_node->Tip()->hash, m_x.tip);
    ASSERT_NE(Y(), nullptr);
    EXPECT_EQ(Y()->chain_work, X()->chain_work);
    EXPECT_TRUE(Y()->HaveData());
    ExpectSameSet(Stats(*m_node), m_straight_x);
}

TEST_F(EqualWorkTest, PreciousBlockSwitchesAndSwitchesBack)
{
    auto recorder = std::make_shared<Recorder>();
    m_node->Signals().Register(recorder);
    ASSERT_TRUE(m_node->PreciousBlock(Y()));
    ASSERT_EQ(m_node->Tip()->hash, m_y.tip);
    ExpectSameSet(Stats(*m_node), m_straight_y);
    EXPECT_EQ(recorder->Hashes('D'), HashesOf(m_x.blocks));
    EXPECT_EQ(recorder->Hashes('C'), HashesOf(m_y.blocks));
    ASSERT_EQ(recorder->Count('T'), 1u);
    EXPECT_EQ(recorder->events.back().fork, m_fork);

    // Later calls win over earlier ones, in both directions (rpc_preciousblock.py).
    ASSERT_TRUE(m_node->PreciousBlock(X()));
    EXPECT_EQ(m_node->Tip()->hash, m_x.tip) << "preciousblock X after preciousblock Y";
    ASSERT_TRUE(m_node->PreciousBlock(Y()));
    EXPECT_EQ(m_node->Tip()->hash, m_y.tip) << "preciousblock Y after preciousblock X";
    ASSERT_TRUE(m_node->PreciousBlock(X()));
    EXPECT_EQ(m_node->Tip()->hash, m_x.tip) << "preciousblock X again";
    ASSERT_NO_FATAL_FAILURE(CheckEventOrder(*recorder, m_x.tip));
    // The set always matches the tip.
    ExpectSameSet(Stats(*m_node), m_node->Tip()->hash == m_x.tip ? m_straight_x : m_straight_y);
    m_node->Signals().Unregister(recorder.get());
}

TEST_F(EqualWorkTest, PreciousBlockOnLessWorkDoesNothing)
{
    BlockIndex* parent = m_node->LookupBlockIndex(m_fork);
    ASSERT_NE(parent, nullptr);
    ASSERT_TRUE(m_node->PreciousBlock(parent));
    EXPECT_EQ(m_node->Tip()->hash, m_x.tip);
}

TEST_F(EqualWorkTest, InvalidateTipMovesToOtherForkAndReconsiderRestores)
{
    ASSERT_TRUE(m_node->InvalidateBlock(X()));
    EXPECT_EQ(m_node->Tip()->hash, m_y.tip);
    EXPECT_NE(X()->status & storage::BLOCK_FAILED_VALID, 0u);
    ExpectSameSet(Stats(*m_node), m_straight_y);

    ASSERT_TRUE(m_node->ReconsiderBlock(X()));
    EXPECT_FALSE(X()->IsFailed());
    // X arrived first, so with equal work it is the tip again.
    EXPECT_EQ(m_node->Tip()->hash, m_x.tip);
    ExpectSameSet(Stats(*m_node), m_straight_x);

    // Invalidating both leaves the fork point.
    ASSERT_TRUE(m_node->InvalidateBlock(X()));
    ASSERT_TRUE(m_node->InvalidateBlock(Y()));
    EXPECT_EQ(m_node->Tip()->hash, m_fork);
    ExpectModel(Stats(*m_node), Model({&m_base}));
    EXPECT_FALSE(
        m_node->InvalidateBlock(m_node->LookupBlockIndex(m_base.front()->header.prev_block)))
        << "the genesis block cannot be invalidated";
}

TEST_F(ReorgTest, InvalidateForkBlockMarksDescendantsAndReconsiderClears)
{
    Branch a, b;
    ASSERT_NO_FATAL_FAILURE(BuildFork(a, 3, b, 2, Alternating()));
    auto node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    ASSERT_NO_FATAL_FAILURE(Feed(*node, m_base));
    ASSERT_NO_FATAL_FAILURE(Feed(*node, a.blocks));
    ASSERT_NO_FATAL_FAILURE(Feed(*node, b.blocks));
    ASSERT_EQ(node->Tip()->hash, a.tip);
    const auto on_a = Stats(*node);

    auto index = [&](const Blocks& blocks, size_t i) {
        return node->LookupBlockIndex(blocks[i]->GetHash());
    };
    // A block of the inactive fork: the tip stays, the fork's blocks fail.
    ASSERT_TRUE(node->InvalidateBlock(index(b.blocks, 0)));
    EXPECT_EQ(node->Tip()->hash, a.tip);
    EXPECT_NE(index(b.blocks, 0)->status & storage::BLOCK_FAILED_VALID, 0u);
    EXPECT_NE(index(b.blocks, 1)->status & storage::BLOCK_FAILED_CHILD, 0u);
    EXPECT_EQ(index(b.blocks, 1)->status & storage::BLOCK_FAILED_VALID, 0u);
    for (size_t i = 0; i < a.blocks.size(); ++i)
        EXPECT_FALSE(index(a.blocks, i)->IsFailed());
    ExpectSameSet(Stats(*node), on_a);
    ASSERT_TRUE(node->ReconsiderBlock(index(b.blocks, 0)));
    EXPECT_FALSE(index(b.blocks, 0)->IsFailed());
    EXPECT_FALSE(index(b.blocks, 1)->IsFailed());
    EXPECT_EQ(node->Tip()->hash, a.tip);

    // A block of the active chain: the node moves to the best remaining chain (B).
    auto recorder = std::make_shared<Recorder>();
    node->Signals().Register(recorder);
    ASSERT_TRUE(node->InvalidateBlock(index(a.blocks, 0)));
    EXPECT_EQ(node->Tip()->hash, b.tip);
    EXPECT_NE(index(a.blocks, 2)->status & storage::BLOCK_FAILED_CHILD, 0u);
    ExpectSameSet(Stats(*node), Straight({&m_base, &b.blocks}));
    auto a_down = HashesOf(a.blocks);
    std::reverse(a_down.begin(), a_down.end());
    EXPECT_EQ(recorder->Hashes('D'), a_down);
    EXPECT_EQ(recorder->Hashes('C'), HashesOf(b.blocks));
    ASSERT_NO_FATAL_FAILURE(CheckEventOrder(*recorder, a.tip));

    // The marks survive a restart.
    node->Signals().Unregister(recorder.get());
    node.reset();
    node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    EXPECT_EQ(node->Tip()->hash, b.tip);
    EXPECT_NE(index(a.blocks, 0)->status & storage::BLOCK_FAILED_VALID, 0u);
    EXPECT_NE(index(a.blocks, 2)->status & storage::BLOCK_FAILED_CHILD, 0u);

    // Reconsidering brings A (more work) back.
    ASSERT_TRUE(node->ReconsiderBlock(index(a.blocks, 0)));
    EXPECT_EQ(node->Tip()->hash, a.tip);
    for (size_t i = 0; i < a.blocks.size(); ++i)
        EXPECT_FALSE(index(a.blocks, i)->IsFailed());
    ExpectSameSet(Stats(*node), on_a);
}

// A copy of a transaction whose first input's signature no longer verifies
// (the witness is not part of the txid, so the builder still tracks its outputs).
TransactionRef BreakSignature(const TransactionRef& tx)
{
    consensus::MutableTransaction m = ToMutable(*tx);
    auto& sig = m.vin[0].witness.stack.at(0);
    sig.at(10) ^= 0x01;
    return consensus::MakeTransactionRef(std::move(m));
}

TEST_F(ReorgTest, LongerForkWithBadSignatureIsTriedAndRejected)
{
    Branch a, b;
    ASSERT_NO_FATAL_FAILURE(BuildFork(a, 3, b, 2, Alternating()));
    auto good = SpendOldest(b, 1, OutputKind::P2TR);
    ASSERT_TRUE(good);
    const TransactionRef bad = BreakSignature(good);
    ASSERT_EQ(bad->GetHash(), good->GetHash());
    ASSERT_NO_FATAL_FAILURE(Extend(b, {bad}));
    for (int i = 0; i < 3; ++i)
        ASSERT_NO_FATAL_FAILURE(Extend(b));
    const Uint256 bad_block = b.blocks[2]->GetHash();

    auto node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    ASSERT_NO_FATAL_FAILURE(Feed(*node, m_base));
    ASSERT_NO_FATAL_FAILURE(Feed(*node, a.blocks));
    auto recorder = std::make_shared<Recorder>();
    node->Signals().Register(recorder);
    // The bad block passes every check that needs no coins; once B has more
    // work the node tries it and falls back. Blocks on top of it are refused.
    for (const auto& block : b.blocks) {
        consensus::BlockValidationState state;
        node->ProcessNewBlock(block, state);
    }
    EXPECT_FALSE(node->FatalError().has_value());
    EXPECT_EQ(node->Tip()->hash, a.tip);
    ASSERT_TRUE(recorder->checked.contains(bad_block));
    EXPECT_NE(recorder->checked[bad_block].find("script"), std::string::npos)
        << recorder->checked[bad_block];
    EXPECT_NE(node->LookupBlockIndex(bad_block)->status & storage::BLOCK_FAILED_VALID, 0u);
    const BlockIndex* after_bad = node->LookupBlockIndex(b.blocks[3]->GetHash());
    ASSERT_NE(after_bad, nullptr);
    EXPECT_NE(after_bad->status & storage::BLOCK_FAILED_CHILD, 0u);
    for (size_t i = 4; i < b.blocks.size(); ++i) {
        const BlockIndex* later = node->LookupBlockIndex(b.blocks[i]->GetHash());
        EXPECT_TRUE(later == nullptr || later->IsFailed());
    }
    // It did try: B's valid blocks were connected and taken off again.
    EXPECT_EQ(recorder->Hashes('C').size(), 2u + a.blocks.size());
    ASSERT_NO_FATAL_FAILURE(CheckEventOrder(*recorder, a.tip));
    node->Signals().Unregister(recorder.get());

    const auto stats = Stats(*node);
    ExpectSameSet(stats, Straight({&m_base, &a.blocks}));
    ExpectModel(stats, Model({&m_base, &a.blocks}));

    // A restart remembers the verdict.
    node.reset();
    node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    EXPECT_EQ(node->Tip()->hash, a.tip);
    EXPECT_NE(node->LookupBlockIndex(bad_block)->status & storage::BLOCK_FAILED_VALID, 0u);
    ExpectSameSet(Stats(*node), stats);
}

TEST_F(ReorgTest, ForkArrivingAllAtOnceEndsOnItsLastValidBlock)
{
    Branch a, b;
    ASSERT_NO_FATAL_FAILURE(BuildFork(a, 1, b, 3, Alternating()));
    auto good = SpendOldest(b, 2, OutputKind::P2WPKH);
    ASSERT_TRUE(good);
    ASSERT_NO_FATAL_FAILURE(Extend(b, {BreakSignature(good)}));
    for (int i = 0; i < 2; ++i)
        ASSERT_NO_FATAL_FAILURE(Extend(b));
    const Blocks b_valid(b.blocks.begin(), b.blocks.begin() + 3);

    auto node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    ASSERT_NO_FATAL_FAILURE(Feed(*node, m_base));
    ASSERT_NO_FATAL_FAILURE(Feed(*node, a.blocks));
    // Headers first, then the blocks newest first: the whole fork becomes
    // connectable only when its first block arrives.
    std::vector<consensus::BlockHeader> headers;
    for (const auto& block : b.blocks)
        headers.push_back(block->header);
    consensus::BlockValidationState header_state;
    ASSERT_TRUE(node->ProcessNewBlockHeaders(headers, header_state)) << header_state.ToString();
    EXPECT_EQ(node->BestHeader()->hash, b.tip);
    for (auto it = b.blocks.rbegin(); it != b.blocks.rend(); ++it) {
        consensus::BlockValidationState state;
        EXPECT_TRUE(node->ProcessNewBlock(*it, state)) << state.ToString();
    }
    EXPECT_FALSE(node->FatalError().has_value());
    EXPECT_EQ(node->Tip()->hash, b_valid.back()->GetHash());
    EXPECT_NE(node->LookupBlockIndex(b.blocks[3]->GetHash())->status & storage::BLOCK_FAILED_VALID,
              0u);
    EXPECT_NE(node->LookupBlockIndex(b.tip)->status & storage::BLOCK_FAILED_CHILD, 0u);
    EXPECT_EQ(node->BestHeader()->hash, b_valid.back()->GetHash());
    const auto stats = Stats(*node);
    ExpectSameSet(stats, Straight({&m_base, &b_valid}));
    ExpectModel(stats, Model({&m_base, &b_valid}));
    auto verified = node->VerifyDB(4, 0);
    EXPECT_TRUE(verified) << verified.error().message;
}

} // namespace
} // namespace kernel_test
