// BlockIndex ancestry (skip pointers), median time past, the work order of
// candidate tips, and Chain's fork finding and locators.
#include <kernel/chain.h>

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace {

// A straight chain of n blocks with times 1000, 1010, ... and one hash each.
std::vector<std::unique_ptr<kernel::BlockIndex>>
MakeChain(int n, kernel::BlockIndex* parent = nullptr, uint8_t tag = 0)
{
    std::vector<std::unique_ptr<kernel::BlockIndex>> blocks;
    for (int i = 0; i < n; ++i) {
        auto b = std::make_unique<kernel::BlockIndex>();
        b->prev = i == 0 ? parent : blocks.back().get();
        b->height = b->prev ? b->prev->height + 1 : 0;
        b->time = static_cast<uint32_t>(1000 + 10 * b->height);
        b->hash.data()[0] = tag;
        b->hash.data()[1] = static_cast<uint8_t>(b->height);
        b->hash.data()[2] = static_cast<uint8_t>(b->height >> 8);
        b->BuildSkip();
        blocks.push_back(std::move(b));
    }
    return blocks;
}

TEST(BlockIndex, GetAncestorMatchesWalkingParents)
{
    auto blocks = MakeChain(3000);
    for (int from : {0, 1, 2, 17, 1024, 2047, 2999}) {
        for (int to = 0; to <= from; to += 7) {
            const kernel::BlockIndex* walk = blocks[from].get();
            while (walk->height > to)
                walk = walk->prev;
            ASSERT_EQ(blocks[from]->GetAncestor(to), walk) << from << " -> " << to;
        }
        EXPECT_EQ(blocks[from]->GetAncestor(from), blocks[from].get());
        EXPECT_EQ(blocks[from]->GetAncestor(from + 1), nullptr);
        EXPECT_EQ(blocks[from]->GetAncestor(-1), nullptr);
    }
}

TEST(BlockIndex, MedianTimePast)
{
    auto blocks = MakeChain(20);
    // Genesis alone: its own time. Then the median of the last (up to) 11 times.
    EXPECT_EQ(blocks[0]->GetMedianTimePast(), 1000);
    EXPECT_EQ(blocks[2]->GetMedianTimePast(), 1010);
    EXPECT_EQ(blocks[19]->GetMedianTimePast(), 1000 + 10 * 14);
    // Out-of-order timestamps are sorted before taking the median.
    blocks[19]->time = 0;
    EXPECT_EQ(blocks[19]->GetMedianTimePast(), 1000 + 10 * 13);
}

TEST(BlockIndex, ValidityLevelsAndFailure)
{
    kernel::BlockIndex b;
    EXPECT_TRUE(b.RaiseValidity(storage::BLOCK_VALID_TREE));
    EXPECT_FALSE(b.RaiseValidity(storage::BLOCK_VALID_TREE));
    EXPECT_TRUE(b.IsValid(storage::BLOCK_VALID_TREE));
    EXPECT_FALSE(b.IsValid(storage::BLOCK_VALID_TRANSACTIONS));
    b.status |= storage::BLOCK_FAILED_CHILD;
    EXPECT_FALSE(b.IsValid(storage::BLOCK_VALID_TREE));
    EXPECT_FALSE(b.RaiseValidity(storage::BLOCK_VALID_SCRIPTS));
    EXPECT_TRUE(b.DataPos().IsNull());
    b.status |= storage::BLOCK_HAVE_DATA;
    b.file = 3;
    b.data_pos = 80;
    EXPECT_EQ(b.DataPos(), (storage::FlatFilePos{3, 80}));
    EXPECT_TRUE(b.UndoPos().IsNull());
    EXPECT_EQ(b.ToDisk().file, 3);
    EXPECT_EQ(b.ToDisk().undo_pos, 0u);
}

TEST(BlockIndex, WorkComparatorPrefersWorkThenArrival)
{
    kernel::BlockIndex a, b;
    a.chain_work = 10;
    b.chain_work = 11;
    kernel::BlockIndexWorkComparator less;
    EXPECT_TRUE(less(&a, &b));
    EXPECT_FALSE(less(&b, &a));
    b.chain_work = 10;
    a.sequence_id = 1;
    b.sequence_id = 2;
    // Equal work: the one seen first (lower sequence) is better, i.e. sorts last.
    EXPECT_TRUE(less(&b, &a));
    EXPECT_FALSE(less(&a, &b));
    EXPECT_FALSE(less(&a, &a));
}

TEST(Chain, SetTipFindForkAndLocator)
{
    auto main = MakeChain(100);
    auto side = MakeChain(30, main[59].get(), 1); // forks after height 59
    kernel::Chain chain;
    EXPECT_EQ(chain.Tip(), nullptr);
    EXPECT_EQ(chain.Height(), -1);
    chain.SetTip(main.back().get());
    EXPECT_EQ(chain.Height(), 99);
    EXPECT_EQ(chain.Genesis(), main[0].get());
    EXPECT_TRUE(chain.Contains(main[50].get()));
    EXPECT_FALSE(chain.Contains(side[0].get()));
    EXPECT_EQ(chain.Next(main[50].get()), main[51].get());
    EXPECT_EQ(chain.Next(main[99].get()), nullptr);
    EXPECT_EQ(chain.FindFork(side.back().get()), main[59].get());
    EXPECT_EQ(kernel::LastCommonAncestor(side.back().get(), main[99].get()), main[59].get());

    const auto locator = chain.GetLocator(main.back().get());
    ASSERT_GE(locator.size(), 12u);
    for (size_t i = 0; i < 11; ++i)
        EXPECT_EQ(locator[i], main[99 - i]->hash);
    EXPECT_EQ(locator.back(), main[0]->hash);

    // Switching to the side branch keeps the shared part and drops the rest.
    chain.SetTip(side.back().get());
    EXPECT_EQ(chain.Height(), 89);
    EXPECT_TRUE(chain.Contains(main[59].get()));
    EXPECT_FALSE(chain.Contains(main[60].get()));
    EXPECT_EQ(chain[60], side[0].get());
    chain.SetTip(nullptr);
    EXPECT_EQ(chain.Height(), -1);
}

} // namespace
