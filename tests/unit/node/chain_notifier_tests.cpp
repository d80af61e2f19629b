// Chain notifications for chain clients against a real regtest chainstate and mempool,
// wired as minibitd wires them: ChainNotifier fed by the chainstate's signals and the
// MempoolStack's callbacks, reached through ChainInterface.
#include <node/chain_notifier.h>

#include <common/chainparams.h>
#include <consensus/block.h>
#include <kernel/chainstate.h>
#include <node/chain_interface.h>
#include <node/mempool_setup.h>
#include <testutil/chain_builder.h>
#include <testutil/test_dir.h>
#include <util/executor.h>
#include <util/logging.h>

#include "regtest_node.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using interfaces::MempoolRemoval;
using namespace std::chrono_literals;

constexpr int BASE_HEIGHT{101}; // the height-1 coinbase is spendable in the next block
constexpr consensus::Amount FEE{10'000};

enum class Kind
{
    ADDED,
    REMOVED,
    CONNECTED,
    DISCONNECTED
};

struct Event
{
    Kind kind;
    consensus::Uint256 hash; //!< txid or block hash
    int height{-1};
    MempoolRemoval reason{MempoolRemoval::EXPIRY};
};

// Records every event it hears; `on_block` (if set) runs inside BlockConnected.
class Recorder : public interfaces::ChainNotifications
{
public:
    void TransactionAddedToMempool(const consensus::TransactionRef& tx) override
    {
        Push({Kind::ADDED, tx->GetHash()});
    }
    void TransactionRemovedFromMempool(const consensus::TransactionRef& tx,
                                       MempoolRemoval reason) override
    {
        Push({Kind::REMOVED, tx->GetHash(), -1, reason});
    }
    void BlockConnected(const interfaces::BlockNotification& block) override
    {
        CheckBlock(block);
        Push({Kind::CONNECTED, block.hash, block.height});
        if (on_block) on_block(block);
    }
    void BlockDisconnected(const interfaces::BlockNotification& block) override
    {
        CheckBlock(block);
        Push({Kind::DISCONNECTED, block.hash, block.height});
    }

    std::vector<Event> Events() const
    {
        std::lock_guard lock{m_mutex};
        return m_events;
    }
    std::vector<Event> Of(Kind kind) const
    {
        std::vector<Event> out;
        for (const Event& e : Events())
            if (e.kind == kind) out.push_back(e);
        return out;
    }
    /// Position of the first event of `kind` about `hash`, -1 if none.
    int IndexOf(Kind kind, const consensus::Uint256& hash) const
    {
        const auto events = Events();
        for (size_t i = 0; i < events.size(); ++i)
            if (events[i].kind == kind && events[i].hash == hash) return static_cast<int>(i);
        return -1;
    }

    std::function<void(const interfaces::BlockNotification&)> on_block;
    std::atomic<int> bad_blocks{0}; //!< notifications whose block did not match their hash

private:
    void CheckBlock(const interfaces::BlockNotification& block)
    {
        if (!block.block || block.block->GetHash() != block.hash ||
            block.block->header.time != block.time) {
            ++bad_blocks;
        }
    }
    void Push(Event e)
    {
        std::lock_guard lock{m_mutex};
        m_events.push_back(e);
    }
    mutable std::mutex m_mutex;
    std::vector<Event> m_events;
};

// A regtest node (chainstate, mempool stack, chain interface and notifier, registered in
// minibitd's order) at BASE_HEIGHT.
class ChainNotifierTest : public ::testing::Test, protected node_test::RegtestNode
{
protected:
    ChainNotifierTest()
        : RegtestNode{common::ChainParams::RegTest(), std::nullopt, {.builder_seed = 11}}
    {}

    void SetUp() override
    {
        ASSERT_TRUE(Started());
        for (int i = 0; i < BASE_HEIGHT; ++i)
            Mine();
        ASSERT_EQ(m_chain->Tip().height, BASE_HEIGHT);
        m_base_tip = m_builder.Tip().hash;
    }

    // A signed spend of one mature coinbase, paying `fee`.
    consensus::TransactionRef Spend(const testutil::OwnedCoin& coin, consensus::Amount fee)
    {
        auto tx = m_builder.CreateSpend({&coin, 1}, 1, testutil::OutputKind::P2WPKH, fee);
        EXPECT_TRUE(tx) << (tx ? "" : tx.error().message);
        return tx ? *tx : nullptr;
    }

    // The oldest mature coinbase coins the builder owns.
    std::vector<testutil::OwnedCoin> MatureCoinbases()
    {
        auto coins = m_builder.SpendableCoins(m_builder.Tip().height + 1);
        std::erase_if(coins, [](const auto& c) { return !c.coinbase; });
        std::sort(coins.begin(), coins.end(),
                  [](const auto& a, const auto& b) { return a.height < b.height; });
        return coins;
    }

    void Accept(const consensus::TransactionRef& tx)
    {
        const auto result = m_chain->AcceptTransaction(tx, false, 0);
        ASSERT_TRUE(result.allowed) << result.reject_reason << " " << result.reject_details;
    }

    consensus::Uint256 m_base_tip;
};

TEST_F(ChainNotifierTest, MinedBlocksConnectInOrderWithHeightsAndHashes)
{
    auto client = std::make_shared<Recorder>();
    auto handle = m_chain->HandleNotifications(client);
    std::vector<consensus::Uint256> mined;
    for (int i = 0; i < 3; ++i)
        mined.push_back(Mine());
    m_chain->WaitForNotifications();

    const auto events = client->Events();
    ASSERT_EQ(events.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(events[i].kind, Kind::CONNECTED);
        EXPECT_EQ(events[i].hash, mined[i]);
        EXPECT_EQ(events[i].height, BASE_HEIGHT + 1 + i);
    }
    EXPECT_EQ(client->bad_blocks.load(), 0);
}

TEST_F(ChainNotifierTest, NoClientMeansNoBlockCopy)
{
    // SetUp mined BASE_HEIGHT blocks with nobody listening.
    EXPECT_EQ(m_notifier.BlockCopies(), 0u);
    EXPECT_EQ(m_notifier.ClientCount(), 0u);
    {
        auto client = std::make_shared<Recorder>();
        auto handle = m_chain->HandleNotifications(client);
        EXPECT_EQ(m_notifier.ClientCount(), 1u);
        Mine();
        m_chain->WaitForNotifications();
        EXPECT_EQ(m_notifier.BlockCopies(), 1u);
    }
    EXPECT_EQ(m_notifier.ClientCount(), 0u);
    Mine();
    m_chain->WaitForNotifications();
    EXPECT_EQ(m_notifier.BlockCopies(), 1u);
}

TEST_F(ChainNotifierTest, InvalidateBlockDisconnectsTipFirstThenNewBranchConnects)
{
    const auto a1 = Mine();
    const auto a2 = Mine();
    auto client = std::make_shared<Recorder>();
    auto handle = m_chain->HandleNotifications(client);

    ASSERT_TRUE(m_chain->InvalidateBlock(a1));
    m_chain->WaitForNotifications();
    auto events = client->Events();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].kind, Kind::DISCONNECTED);
    EXPECT_EQ(events[0].hash, a2);
    EXPECT_EQ(events[0].height, BASE_HEIGHT + 2);
    EXPECT_EQ(events[1].kind, Kind::DISCONNECTED);
    EXPECT_EQ(events[1].hash, a1);
    EXPECT_EQ(events[1].height, BASE_HEIGHT + 1);

    const auto b1 = Mine({}, m_base_tip);
    m_chain->WaitForNotifications();
    events = client->Events();
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[2].kind, Kind::CONNECTED);
    EXPECT_EQ(events[2].hash, b1);
    EXPECT_EQ(events[2].height, BASE_HEIGHT + 1);
    EXPECT_EQ(client->bad_blocks.load(), 0);
}

TEST_F(ChainNotifierTest, LongerBranchReorgDisconnectsThenConnects)
{
    const auto a1 = Mine();
    auto client = std::make_shared<Recorder>();
    auto handle = m_chain->HandleNotifications(client);
    const auto b1 = Mine({}, m_base_tip);
    const auto b2 = Mine({}, b1); // more work than a1: the chain moves
    m_chain->WaitForNotifications();
    ASSERT_EQ(m_chain->Tip().hash, b2);

    const auto events = client->Events();
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].kind, Kind::DISCONNECTED);
    EXPECT_EQ(events[0].hash, a1);
    EXPECT_EQ(events[1].kind, Kind::CONNECTED);
    EXPECT_EQ(events[1].hash, b1);
    EXPECT_EQ(events[2].kind, Kind::CONNECTED);
    EXPECT_EQ(events[2].hash, b2);
    EXPECT_EQ(events[2].height, BASE_HEIGHT + 2);
}

TEST_F(ChainNotifierTest, AcceptedThenMinedTransactionIsRemovedForBlockBeforeBlockConnected)
{
    auto client = std::make_shared<Recorder>();
    auto handle = m_chain->HandleNotifications(client);
    const auto coins = MatureCoinbases();
    ASSERT_FALSE(coins.empty());
    const auto tx = Spend(coins[0], FEE);
    ASSERT_TRUE(tx);
    Accept(tx);
    m_chain->WaitForNotifications();
    auto events = client->Events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::ADDED);
    EXPECT_EQ(events[0].hash, tx->GetHash());

    const auto block = Mine({tx}, std::nullopt, FEE);
    m_chain->WaitForNotifications();
    events = client->Events();
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[1].kind, Kind::REMOVED);
    EXPECT_EQ(events[1].hash, tx->GetHash());
    EXPECT_EQ(events[1].reason, MempoolRemoval::BLOCK);
    EXPECT_EQ(events[2].kind, Kind::CONNECTED);
    EXPECT_EQ(events[2].hash, block);
}

TEST_F(ChainNotifierTest, DisconnectedBlockComesBeforeItsTransactionsReturnToThePool)
{
    const auto coins = MatureCoinbases();
    ASSERT_FALSE(coins.empty());
    const auto tx = Spend(coins[0], FEE);
    ASSERT_TRUE(tx);
    const auto block = Mine({tx}, std::nullopt, FEE);
    auto client = std::make_shared<Recorder>();
    auto handle = m_chain->HandleNotifications(client);
    ASSERT_TRUE(m_chain->InvalidateBlock(block));
    m_chain->WaitForNotifications();

    // Core: BlockDisconnected, then the block's transactions re-enter the mempool.
    const int disconnected = client->IndexOf(Kind::DISCONNECTED, block);
    const int added = client->IndexOf(Kind::ADDED, tx->GetHash());
    ASSERT_GE(disconnected, 0);
    ASSERT_GE(added, 0);
    EXPECT_LT(disconnected, added);
}

TEST_F(ChainNotifierTest, ReplacedTransactionIsRemovedAsReplaced)
{
    auto client = std::make_shared<Recorder>();
    auto handle = m_chain->HandleNotifications(client);
    const auto coins = MatureCoinbases();
    ASSERT_FALSE(coins.empty());
    const auto first = Spend(coins[0], FEE);
    const auto second = Spend(coins[0], 5 * FEE); // same input, pays more: full RBF
    ASSERT_TRUE(first && second);
    ASSERT_NE(first->GetHash(), second->GetHash());
    Accept(first);
    Accept(second);
    m_chain->WaitForNotifications();

    const auto removed = client->Of(Kind::REMOVED);
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0].hash, first->GetHash());
    EXPECT_EQ(removed[0].reason, MempoolRemoval::REPLACED);
    EXPECT_GE(client->IndexOf(Kind::ADDED, second->GetHash()), 0);
    EXPECT_LT(client->IndexOf(Kind::ADDED, first->GetHash()),
              client->IndexOf(Kind::REMOVED, first->GetHash()));
}

TEST_F(ChainNotifierTest, ConflictedByBlockIsRemovedAsConflictBeforeBlockConnected)
{
    const auto coins = MatureCoinbases();
    ASSERT_FALSE(coins.empty());
    const auto in_pool = Spend(coins[0], FEE);
    const auto in_block = Spend(coins[0], 2 * FEE); // the same coin, confirmed instead
    ASSERT_TRUE(in_pool && in_block);
    Accept(in_pool);
    auto client = std::make_shared<Recorder>();
    auto handle = m_chain->HandleNotifications(client);
    const auto block = Mine({in_block}, std::nullopt, 2 * FEE);
    m_chain->WaitForNotifications();

    const auto removed = client->Of(Kind::REMOVED);
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0].hash, in_pool->GetHash());
    EXPECT_EQ(removed[0].reason, MempoolRemoval::CONFLICT);
    const int removal = client->IndexOf(Kind::REMOVED, in_pool->GetHash());
    const int connected = client->IndexOf(Kind::CONNECTED, block);
    ASSERT_GE(connected, 0);
    EXPECT_LT(removal, connected);
}

TEST_F(ChainNotifierTest, WaitForNotificationsReturnsOnlyAfterHandlersRan)
{
    auto client = std::make_shared<Recorder>();
    std::atomic<bool> done{false};
    client->on_block = [&](const interfaces::BlockNotification&) {
        std::this_thread::sleep_for(50ms);
        done = true;
    };
    auto handle = m_chain->HandleNotifications(client);
    Mine();
    m_chain->WaitForNotifications();
    EXPECT_TRUE(done.load());
}

TEST_F(ChainNotifierTest, HandlersMayCallTheChain)
{
    auto client = std::make_shared<Recorder>();
    std::atomic<int> seen_height{-1};
    client->on_block = [&](const interfaces::BlockNotification& block) {
        const auto info = m_chain->GetBlockInfo(block.hash);
        if (info) seen_height = info->height;
    };
    auto handle = m_chain->HandleNotifications(client);
    Mine();
    m_chain->WaitForNotifications();
    EXPECT_EQ(seen_height.load(), BASE_HEIGHT + 1);
}

TEST_F(ChainNotifierTest, DestroyingTheHandleStopsDelivery)
{
    auto kept = std::make_shared<Recorder>();
    auto dropped = std::make_shared<Recorder>();
    auto kept_handle = m_chain->HandleNotifications(kept);
    auto dropped_handle = m_chain->HandleNotifications(dropped);
    Mine();
    m_chain->WaitForNotifications();
    dropped_handle.reset();
    Mine();
    m_chain->WaitForNotifications();
    EXPECT_EQ(kept->Of(Kind::CONNECTED).size(), 2u);
    EXPECT_EQ(dropped->Of(Kind::CONNECTED).size(), 1u);
}

TEST_F(ChainNotifierTest, HandleDestroyedInsideItsOwnHandlerDoesNotDeadlock)
{
    auto client = std::make_shared<Recorder>();
    std::unique_ptr<interfaces::NotificationHandle> handle;
    client->on_block = [&](const interfaces::BlockNotification&) { handle.reset(); };
    handle = m_chain->HandleNotifications(client);
    Mine();
    Mine();
    m_chain->WaitForNotifications();
    EXPECT_EQ(client->Of(Kind::CONNECTED).size(), 1u);
    EXPECT_FALSE(handle);
}

TEST_F(ChainNotifierTest, HandleDestructionWaitsForTheRunningHandler)
{
    auto client = std::make_shared<Recorder>();
    std::atomic<bool> started{false};
    std::atomic<bool> finished{false};
    client->on_block = [&](const interfaces::BlockNotification&) {
        started = true;
        std::this_thread::sleep_for(100ms);
        finished = true;
    };
    auto handle = m_chain->HandleNotifications(client);
    Mine();
    while (!started.load())
        std::this_thread::sleep_for(1ms);
    handle.reset();
    EXPECT_TRUE(finished.load());
}

TEST_F(ChainNotifierTest, ThrowingHandlerDoesNotStopOthers)
{
    class Thrower : public interfaces::ChainNotifications
    {
    public:
        void BlockConnected(const interfaces::BlockNotification&) override
        {
            throw std::runtime_error{"client bug"};
        }
    };
    auto thrower = std::make_shared<Thrower>();
    auto client = std::make_shared<Recorder>();
    auto thrower_handle = m_chain->HandleNotifications(thrower);
    auto handle = m_chain->HandleNotifications(client);
    Mine();
    Mine();
    m_chain->WaitForNotifications();
    EXPECT_EQ(client->Of(Kind::CONNECTED).size(), 2u);
}

TEST_F(ChainNotifierTest, AfterStopNothingIsDeliveredAndWaitReturns)
{
    auto client = std::make_shared<Recorder>();
    auto handle = m_chain->HandleNotifications(client);
    Mine();
    m_notifier.Stop(); // delivers what was queued
    EXPECT_EQ(client->Of(Kind::CONNECTED).size(), 1u);
    Mine();
    m_chain->WaitForNotifications(); // returns at once
    EXPECT_EQ(client->Of(Kind::CONNECTED).size(), 1u);
    EXPECT_EQ(m_notifier.BlockCopies(), 1u);
    handle.reset();
}

TEST(ChainNotifier, HandleMayOutliveTheNotifier)
{
    auto client = std::make_shared<Recorder>();
    std::unique_ptr<interfaces::NotificationHandle> handle;
    {
        node::ChainNotifier notifier;
        handle = notifier.Subscribe(client);
        EXPECT_EQ(notifier.ClientCount(), 1u);
        notifier.WaitForNotifications();
    }
    handle.reset();
    EXPECT_TRUE(client->Events().empty());
}

TEST(ChainNotifier, RemovalReasonsMapOneToOne)
{
    EXPECT_EQ(node::ToMempoolRemoval(kernel::RemovalReason::EXPIRY), MempoolRemoval::EXPIRY);
    EXPECT_EQ(node::ToMempoolRemoval(kernel::RemovalReason::SIZELIMIT), MempoolRemoval::SIZELIMIT);
    EXPECT_EQ(node::ToMempoolRemoval(kernel::RemovalReason::REORG), MempoolRemoval::REORG);
    EXPECT_EQ(node::ToMempoolRemoval(kernel::RemovalReason::BLOCK), MempoolRemoval::BLOCK);
    EXPECT_EQ(node::ToMempoolRemoval(kernel::RemovalReason::CONFLICT), MempoolRemoval::CONFLICT);
    EXPECT_EQ(node::ToMempoolRemoval(kernel::RemovalReason::REPLACED), MempoolRemoval::REPLACED);
}

} // namespace
