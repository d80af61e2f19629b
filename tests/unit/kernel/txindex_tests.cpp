// The transaction index on real regtest chains: catching up in slices, finding
// every transaction of the chain, following connect/disconnect events through a
// reorg, handling a reorg that happened while it was closed, resuming after a
// restart, and rebuilding when its stored chain is unknown to the node.
#include "chainstate_fixture.h"

#include <consensus/block.h>
#include <consensus/hash.h>
#include <consensus/transaction.h>
#include <kernel/chainstate.h>
#include <kernel/txindex.h>
#include <testutil/chain_builder.h>
#include <testutil/test_dir.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <vector>

namespace kernel_test {
namespace {

using consensus::Uint256;
using kernel::ChainstateManager;
using kernel::TxIndex;

constexpr int BASE_HEIGHT = 104;

class TxIndexTest : public BranchTest
{
protected:
    TxIndexTest() : BranchTest{23} {}

    void SetUp() override { ASSERT_NO_FATAL_FAILURE(GenerateBase(BASE_HEIGHT)); }

    std::filesystem::path IndexDir() const { return m_dir.Path() / "indexes" / "txindex"; }

    std::shared_ptr<TxIndex> OpenIndex()
    {
        auto opened = TxIndex::Open(IndexDir(), 1 << 20, nullptr);
        EXPECT_TRUE(opened) << (opened ? "" : opened.error().message);
        return opened ? std::shared_ptr<TxIndex>{std::move(*opened)} : nullptr;
    }

    // Runs SyncStep with `step` until it reports synced; returns the number of calls.
    int SyncFully(TxIndex& index, const ChainstateManager& node, int step)
    {
        for (int calls = 1; calls < 10000; ++calls) {
            auto r = index.SyncStep(node, step);
            EXPECT_TRUE(r) << (r ? "" : r.error().message);
            if (!r) return -1;
            if (*r) return calls;
        }
        ADD_FAILURE() << "never synced";
        return -1;
    }

    // Every transaction of `blocks` is found in its block.
    static void ExpectIndexed(const TxIndex& index, const Blocks& blocks)
    {
        for (const auto& block : blocks) {
            for (const auto& tx : block->vtx) {
                EXPECT_EQ(index.FindBlockHash(tx->GetHash()), block->GetHash())
                    << "tx " << tx->GetHash().GetHex();
            }
        }
    }

    // No transaction of `blocks` is found.
    static void ExpectNotIndexed(const TxIndex& index, const Blocks& blocks)
    {
        for (const auto& block : blocks) {
            for (const auto& tx : block->vtx)
                EXPECT_EQ(index.FindBlockHash(tx->GetHash()), std::nullopt);
        }
    }

    // Branches a (2 blocks) and b (3 blocks) from the base tip. Their first blocks both
    // confirm m_shared; everything else differs.
    void BuildBranches(Branch& a, Branch& b)
    {
        const testutil::OwnedCoin coin = m_spendable.front();
        auto shared = m_builder.CreateSpend({&coin, 1}, 1, testutil::OutputKind::P2WPKH, FEE);
        ASSERT_TRUE(shared) << shared.error().message;
        m_shared = *shared;
        a = StartBranch(false);
        b = StartBranch(true);
        ExtendSpec first;
        first.extra = {m_shared};
        ASSERT_NO_FATAL_FAILURE(ExtendBranch(a, first));
        ASSERT_NO_FATAL_FAILURE(ExtendBranch(a, ExtendSpec{}));
        ASSERT_NO_FATAL_FAILURE(ExtendBranch(b, first));
        ASSERT_NO_FATAL_FAILURE(ExtendBranch(b, ExtendSpec{}));
        ASSERT_NO_FATAL_FAILURE(ExtendBranch(b, ExtendSpec{}));
    }

    // The blocks of `branch` without the first one.
    static Blocks Rest(const Branch& branch)
    {
        return {branch.blocks.begin() + 1, branch.blocks.end()};
    }

    testutil::TempDir m_dir;
    consensus::TransactionRef m_shared;
};

TEST_F(TxIndexTest, CatchesUpInSlicesAndFindsEveryTransaction)
{
    auto node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    ASSERT_NO_FATAL_FAILURE(Feed(*node, m_base));
    auto index = OpenIndex();
    ASSERT_TRUE(index);
    EXPECT_FALSE(index->Synced());
    EXPECT_EQ(index->BestHeight(), -1);

    // Genesis plus 104 blocks, 10 a call: 11 calls, the last one reaching the tip.
    auto first = index->SyncStep(*node, 10);
    ASSERT_TRUE(first);
    EXPECT_FALSE(*first);
    EXPECT_EQ(index->BestHeight(), 9);
    EXPECT_FALSE(index->Synced());
    EXPECT_EQ(SyncFully(*index, *node, 10), 10);
    EXPECT_TRUE(index->Synced());
    EXPECT_EQ(index->BestHeight(), BASE_HEIGHT);

    ExpectIndexed(*index, m_base);
    // The genesis coinbase is never indexed; unknown txids are not found.
    EXPECT_EQ(index->FindBlockHash(m_params->GenesisBlock().vtx[0]->GetHash()), std::nullopt);
    const std::vector<uint8_t> junk{1, 2, 3};
    EXPECT_EQ(index->FindBlockHash(consensus::Sha256Hash(junk)), std::nullopt);
    EXPECT_EQ(index->FindBlockHash(Uint256{}), std::nullopt);

    // Synced stays synced.
    auto again = index->SyncStep(*node, 1);
    ASSERT_TRUE(again);
    EXPECT_TRUE(*again);
}

TEST_F(TxIndexTest, FollowsEventsThroughReorg)
{
    Branch a, b;
    ASSERT_NO_FATAL_FAILURE(BuildBranches(a, b));
    auto node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    auto index = OpenIndex();
    ASSERT_TRUE(index);
    node->Signals().Register(index);

    // Events before the first sync are ignored; the sync covers those blocks.
    ASSERT_NO_FATAL_FAILURE(Feed(*node, {m_base.begin(), m_base.begin() + 50}));
    EXPECT_EQ(index->BestHeight(), -1);
    EXPECT_EQ(index->FindBlockHash(m_base[10]->vtx[0]->GetHash()), std::nullopt);
    EXPECT_GE(SyncFully(*index, *node, 1000), 1);
    EXPECT_EQ(index->BestHeight(), 50);
    ASSERT_NO_FATAL_FAILURE(Feed(*node, {m_base.begin() + 50, m_base.end()}));
    EXPECT_EQ(index->BestHeight(), BASE_HEIGHT);
    ExpectIndexed(*index, m_base);

    ASSERT_NO_FATAL_FAILURE(Feed(*node, a.blocks));
    EXPECT_EQ(index->BestHeight(), BASE_HEIGHT + 2);
    ExpectIndexed(*index, a.blocks);
    EXPECT_EQ(index->FindBlockHash(m_shared->GetHash()), a.blocks[0]->GetHash());

    // b has more work: a is disconnected, b connected.
    ASSERT_NO_FATAL_FAILURE(Feed(*node, b.blocks));
    EXPECT_EQ(node->Tip()->hash, b.tip);
    EXPECT_TRUE(index->Synced());
    EXPECT_EQ(index->BestHeight(), BASE_HEIGHT + 3);
    ExpectIndexed(*index, b.blocks);
    ExpectNotIndexed(*index, Rest(a));
    for (size_t i = 1; i < a.blocks[0]->vtx.size(); ++i) {
        const auto& tx = a.blocks[0]->vtx[i];
        if (tx->GetHash() != m_shared->GetHash()) {
            EXPECT_EQ(index->FindBlockHash(tx->GetHash()), std::nullopt);
        }
    }
    EXPECT_EQ(index->FindBlockHash(a.blocks[0]->vtx[0]->GetHash()), std::nullopt);
    EXPECT_EQ(index->FindBlockHash(m_shared->GetHash()), b.blocks[0]->GetHash());
    ExpectIndexed(*index, m_base);

    // invalidateblock on b's first block brings a back (equal base, a is the next best).
    ASSERT_TRUE(node->InvalidateBlock(node->LookupBlockIndex(b.blocks[0]->GetHash())));
    EXPECT_EQ(node->Tip()->hash, a.tip);
    EXPECT_EQ(index->BestHeight(), BASE_HEIGHT + 2);
    ExpectIndexed(*index, a.blocks);
    ExpectNotIndexed(*index, Rest(b));
    node->Signals().Unregister(index.get());
}

TEST_F(TxIndexTest, MissedEventsAreCaughtUpInline)
{
    Branch a, b;
    ASSERT_NO_FATAL_FAILURE(BuildBranches(a, b));
    auto node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    ASSERT_NO_FATAL_FAILURE(Feed(*node, m_base));
    auto index = OpenIndex();
    ASSERT_TRUE(index);
    EXPECT_GE(SyncFully(*index, *node, 1000), 1);
    node->Signals().Register(index);

    // The index misses a's first block; the next connect does not extend it and makes it
    // catch up with the active chain on the spot.
    node->Signals().Unregister(index.get());
    ASSERT_NO_FATAL_FAILURE(Feed(*node, {a.blocks[0]}));
    EXPECT_EQ(index->BestHeight(), BASE_HEIGHT);
    node->Signals().Register(index);
    ASSERT_NO_FATAL_FAILURE(Feed(*node, {a.blocks[1]}));
    EXPECT_TRUE(index->Synced());
    EXPECT_EQ(index->BestHeight(), BASE_HEIGHT + 2);
    ExpectIndexed(*index, a.blocks);

    // It misses the whole reorg to b; the next disconnect (invalidating b's tip) is not
    // of its tip, so it walks back from a and follows the active chain again.
    node->Signals().Unregister(index.get());
    ASSERT_NO_FATAL_FAILURE(Feed(*node, b.blocks));
    ASSERT_EQ(node->Tip()->hash, b.tip);
    node->Signals().Register(index);
    ASSERT_TRUE(node->InvalidateBlock(node->LookupBlockIndex(b.tip)));
    // Either a or b's first two blocks (equal work) end up active; the index follows.
    EXPECT_EQ(index->BestHeight(), node->Tip()->height);
    EXPECT_EQ(node->ActiveChain()[index->BestHeight()]->hash, node->Tip()->hash);
    EXPECT_TRUE(index->Synced());
    if (node->Tip()->hash == a.tip) {
        ExpectIndexed(*index, a.blocks);
        ExpectNotIndexed(*index, Rest(b));
    } else {
        ExpectIndexed(*index, {b.blocks[0], b.blocks[1]});
        ExpectNotIndexed(*index, Rest(a));
    }
    node->Signals().Unregister(index.get());
}

TEST_F(TxIndexTest, RestartResumesAndUndoesReorgWhileClosed)
{
    Branch a, b;
    ASSERT_NO_FATAL_FAILURE(BuildBranches(a, b));
    auto node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    ASSERT_NO_FATAL_FAILURE(Feed(*node, m_base));
    {
        auto index = OpenIndex();
        ASSERT_TRUE(index);
        EXPECT_GE(SyncFully(*index, *node, 1000), 1);
        EXPECT_EQ(index->BestHeight(), BASE_HEIGHT);
    }

    // Blocks arrive while the index is closed; a reopened index resumes from its record:
    // one block per call, so reaching the tip in two calls proves it did not start over.
    ASSERT_NO_FATAL_FAILURE(Feed(*node, a.blocks));
    {
        auto index = OpenIndex();
        ASSERT_TRUE(index);
        EXPECT_EQ(index->FindBlockHash(m_base.back()->vtx[0]->GetHash()), m_base.back()->GetHash());
        EXPECT_EQ(index->FindBlockHash(a.blocks[0]->vtx[0]->GetHash()), std::nullopt);
        EXPECT_EQ(SyncFully(*index, *node, 1), 2);
        EXPECT_EQ(index->BestHeight(), BASE_HEIGHT + 2);
        ExpectIndexed(*index, a.blocks);
    }

    // A reorg while closed: the reopened index walks back from a's tip to the fork.
    ASSERT_NO_FATAL_FAILURE(Feed(*node, b.blocks));
    ASSERT_EQ(node->Tip()->hash, b.tip);
    {
        auto index = OpenIndex();
        ASSERT_TRUE(index);
        // Two disconnects and three connects, one block each.
        EXPECT_EQ(SyncFully(*index, *node, 1), 5);
        EXPECT_EQ(index->BestHeight(), BASE_HEIGHT + 3);
        ExpectIndexed(*index, b.blocks);
        ExpectNotIndexed(*index, Rest(a));
        EXPECT_EQ(index->FindBlockHash(a.blocks[0]->vtx[0]->GetHash()), std::nullopt);
        EXPECT_EQ(index->FindBlockHash(m_shared->GetHash()), b.blocks[0]->GetHash());
        ExpectIndexed(*index, m_base);
    }

    // And the node itself restarting changes nothing.
    node.reset();
    node = Open(m_dir.Path());
    ASSERT_TRUE(node);
    auto index = OpenIndex();
    ASSERT_TRUE(index);
    EXPECT_EQ(SyncFully(*index, *node, 1), 1);
    EXPECT_EQ(index->BestHeight(), BASE_HEIGHT + 3);
    ExpectIndexed(*index, b.blocks);
}

TEST_F(TxIndexTest, ForeignChainsAreHandled)
{
    {
        auto node = Open(m_dir.Path());
        ASSERT_TRUE(node);
        ASSERT_NO_FATAL_FAILURE(Feed(*node, m_base));
        auto index = OpenIndex();
        ASSERT_TRUE(index);
        EXPECT_GE(SyncFully(*index, *node, 1000), 1);
        ExpectIndexed(*index, m_base);
    }
    // A node on another regtest chain (3 blocks of its own) given the same index: only
    // genesis is shared, so the index resumes from there. Entries of the blocks this node
    // never saw stay (as in Core) but can only name a block it does not know.
    testutil::TempDir other_dir;
    testutil::ChainBuilder other{*m_params, 99};
    Blocks other_blocks;
    for (int i = 0; i < 3; ++i) {
        auto block = other.BuildBlock();
        ASSERT_TRUE(block);
        other_blocks.push_back(std::make_shared<const consensus::Block>(std::move(*block)));
    }
    {
        auto node = Open(other_dir.Path());
        ASSERT_TRUE(node);
        ASSERT_NO_FATAL_FAILURE(Feed(*node, other_blocks));
        auto index = OpenIndex();
        ASSERT_TRUE(index);
        EXPECT_EQ(SyncFully(*index, *node, 1), 3);
        EXPECT_EQ(index->BestHeight(), 3);
        ExpectIndexed(*index, other_blocks);
        for (const auto& block : m_base) {
            for (const auto& tx : block->vtx) {
                const auto found = index->FindBlockHash(tx->GetHash());
                if (found) {
                    EXPECT_EQ(node->LookupBlockIndex(*found), nullptr);
                }
            }
        }
    }
    // A node of another network shares no block at all: the index starts over.
    auto main_params = common::ChainParams::Main();
    testutil::TempDir main_dir;
    auto node = Open(BasicOptions(*main_params, main_dir.Path(), 1));
    ASSERT_TRUE(node);
    auto index = OpenIndex();
    ASSERT_TRUE(index);
    EXPECT_EQ(SyncFully(*index, *node, 1), 1);
    EXPECT_EQ(index->BestHeight(), 0);
    ExpectNotIndexed(*index, m_base);
    ExpectNotIndexed(*index, other_blocks);
}

TEST(TxIndexOpenTest, UnwritableDirectoryIsAnError)
{
    testutil::TempDir dir;
    // A file where the directory should be.
    const auto path = dir.Path() / "indexes";
    {
        std::ofstream f{path};
    }
    auto opened = TxIndex::Open(path / "txindex", 1 << 20, nullptr);
    EXPECT_FALSE(opened);
}

} // namespace
} // namespace kernel_test
