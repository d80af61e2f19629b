// TxRelay against the real kernel: a regtest chain in a temporary directory,
// a real mempool and orphanage, and a PeerSender that records what would go
// on the wire (decoded with src/net's decoders). Time is driven by a mock clock.
#include <node/txrelay.h>

#include "recording_sender.h"

#include <common/chainparams.h>
#include <consensus/amount.h>
#include <consensus/block.h>
#include <consensus/transaction.h>
#include <kernel/chainstate.h>
#include <kernel/mempool.h>
#include <kernel/mempool_accept.h>
#include <kernel/policy.h>
#include <net/blockmessages.h>
#include <net/messages.h>
#include <testutil/chain_builder.h>
#include <testutil/test_dir.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

using consensus::Amount;
using consensus::MutableTransaction;
using consensus::TransactionRef;
using consensus::TxOut;
using consensus::Uint256;
using testutil::OutputKind;
using testutil::OwnedCoin;

constexpr net::NodeId OUT1{1};
constexpr net::NodeId OUT2{2};
constexpr net::NodeId IN1{3};
constexpr net::NodeId IN2{4};
constexpr uint32_t WITNESS_TX{net::MSG_TX | net::MSG_WITNESS_FLAG};
constexpr size_t FAN_OUTPUTS{100};

using relay_test::RecordingSender;

class TxRelayTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_params = common::ChainParams::RegTest();
        s_builder = std::make_unique<testutil::ChainBuilder>(*s_params, 11);
        s_dir = std::make_unique<testutil::TempDir>();
        std::vector<consensus::Block> blocks;
        for (int i = 0; i < 120; ++i) {
            auto block = s_builder->BuildBlock();
            ASSERT_TRUE(block) << block.error().message;
            blocks.push_back(std::move(*block));
        }
        kernel::ChainstateOptions options;
        options.params = s_params.get();
        options.data_dir = s_dir->Path();
        options.script_threads = 1;
        options.clock = [] { return s_chain_now; };
        s_chain_now = s_builder->Tip().time + 60;
        auto opened = kernel::ChainstateManager::Open(std::move(options));
        ASSERT_TRUE(opened) << opened.error().message;
        s_chain = std::move(*opened);
        for (auto& block : blocks) {
            consensus::BlockValidationState state;
            ASSERT_TRUE(
                s_chain->ProcessNewBlock(std::make_shared<const consensus::Block>(block), state))
                << state.ToString();
        }
        ASSERT_EQ(s_chain->Tip()->height, 120);
        s_coins = s_builder->SpendableCoins(121);
        std::erase_if(s_coins, [](const OwnedCoin& c) { return !c.coinbase; });
        ASSERT_GE(s_coins.size(), 18u);

        // Block 121 confirms a fan-out of FAN_OUTPUTS independent coins.
        const OwnedCoin source = s_coins.back();
        s_coins.pop_back();
        MutableTransaction fan;
        fan.vin.resize(1);
        fan.vin[0].prevout = source.outpoint;
        const Amount each = (source.txout.value - 100'000) / static_cast<Amount>(FAN_OUTPUTS);
        for (size_t i = 0; i < FAN_OUTPUTS; ++i)
            fan.vout.push_back(TxOut{each, s_builder->ScriptFor(0, OutputKind::P2WPKH)});
        ASSERT_TRUE(s_builder->Sign(fan, {&source, 1}));
        const auto fan_tx = consensus::MakeTransactionRef(fan);
        testutil::BlockOptions block_options;
        block_options.fees = source.txout.value - each * static_cast<Amount>(FAN_OUTPUTS);
        auto block = s_builder->BuildBlock({fan_tx}, block_options);
        ASSERT_TRUE(block) << block.error().message;
        consensus::BlockValidationState state;
        ASSERT_TRUE(s_chain->ProcessNewBlock(
            std::make_shared<const consensus::Block>(std::move(*block)), state))
            << state.ToString();
        ASSERT_EQ(s_chain->Tip()->height, 121);
        for (uint32_t i = 0; i < FAN_OUTPUTS; ++i)
            s_fan.push_back(OwnedCoin{
                {fan_tx->GetHash(), i}, fan_tx->vout[i], 121, false, OutputKind::P2WPKH, 0});
    }

    static void TearDownTestSuite()
    {
        s_chain.reset();
        s_dir.reset();
        s_builder.reset();
        s_params.reset();
    }

    void SetUp() override
    {
        s_chain_now = s_builder->Tip().time + 60;
        ASSERT_FALSE(s_chain->IsInitialBlockDownload());
        m_pool = std::make_unique<kernel::TxMemPool>(kernel::MempoolOptions{});
        MakeRelay({});
    }

    void MakeRelay(node::TxRelayOptions options)
    {
        options.clock = [this] { return m_now; };
        options.rng_seed = 42;
        options.on_accepted = [this](net::NodeId id, const TransactionRef& tx) {
            m_accepted.emplace_back(id, tx->GetWitnessHash());
        };
        m_relay = std::make_unique<node::TxRelay>(*s_chain, *m_pool, m_policy, m_sender,
                                                  std::move(options));
    }

    /// A signed P2WPKH spend of `coins` to key 0 (so txid != wtxid) paying `fee`.
    static TransactionRef Spend(const std::vector<OwnedCoin>& coins, Amount fee,
                                uint32_t version = 2)
    {
        MutableTransaction tx;
        tx.version = version;
        Amount total = 0;
        for (const auto& coin : coins) {
            consensus::TxIn in;
            in.prevout = coin.outpoint;
            in.sequence = 0xfffffffd;
            tx.vin.push_back(in);
            total += coin.txout.value;
        }
        tx.vout.push_back(TxOut{total - fee, s_builder->ScriptFor(0, OutputKind::P2WPKH)});
        EXPECT_TRUE(s_builder->Sign(tx, coins));
        return consensus::MakeTransactionRef(tx);
    }

    /// Output 0 of an unconfirmed Spend() result, as a coin key 0 can sign for.
    static OwnedCoin Out0(const TransactionRef& tx)
    {
        return OwnedCoin{{tx->GetHash(), 0}, tx->vout[0], 0, false, OutputKind::P2WPKH, 0};
    }

    /// Puts a transaction in the pool directly (as an RPC submission would).
    void AcceptDirectly(const TransactionRef& tx)
    {
        kernel::AcceptOptions options;
        const auto result = kernel::AcceptToMemoryPool(*s_chain, *m_pool, tx, options);
        ASSERT_EQ(result.kind, kernel::MempoolAcceptResult::Kind::VALID) << result.state.ToString();
    }

    bool InPool(const TransactionRef& tx) const { return m_pool->GetByWtxid(tx->GetWitnessHash()); }

    /// Runs Tick after moving the clock forward.
    void TickAt(int64_t seconds_later)
    {
        m_now += seconds_later;
        m_relay->Tick();
    }

    /// Lets every trickle timer fire (a long gap, then a tick).
    void Flush() { TickAt(1000); }

    static inline std::unique_ptr<const common::ChainParams> s_params;
    static inline std::unique_ptr<testutil::ChainBuilder> s_builder;
    static inline std::unique_ptr<testutil::TempDir> s_dir;
    static inline std::unique_ptr<kernel::ChainstateManager> s_chain;
    static inline std::vector<OwnedCoin> s_coins;
    static inline std::vector<OwnedCoin> s_fan; //!< confirmed, independent P2WPKH coins
    static inline int64_t s_chain_now{0};

    int64_t m_now{1'900'000'000};
    kernel::PolicyOptions m_policy{};
    RecordingSender m_sender;
    std::unique_ptr<kernel::TxMemPool> m_pool;
    std::unique_ptr<node::TxRelay> m_relay;
    std::vector<std::pair<net::NodeId, Uint256>> m_accepted;
};

// ---- announcements ----

TEST_F(TxRelayTest, AnnouncesByWtxidToWtxidPeersAndByTxidToOthers)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    m_relay->PeerAdded(OUT2, false, true, false);
    m_relay->Tick(); // first trickle after the handshake starts the timers
    const auto tx = Spend({s_coins[0]}, 2000);
    ASSERT_NE(tx->GetHash(), tx->GetWitnessHash());
    AcceptDirectly(tx);
    m_relay->RelayTransaction(tx->GetHash(), tx->GetWitnessHash());
    // Trickled, not sent at once.
    m_relay->Tick();
    EXPECT_TRUE(m_sender.TakeInvs(OUT1, net::msgtype::INV).empty());
    Flush();
    EXPECT_EQ(m_sender.TakeInvs(OUT1, net::msgtype::INV),
              (std::vector<net::Inv>{{net::MSG_WTX, tx->GetWitnessHash()}}));
    EXPECT_EQ(m_sender.TakeInvs(OUT2, net::msgtype::INV),
              (std::vector<net::Inv>{{net::MSG_TX, tx->GetHash()}}));
    // Announced once only.
    m_relay->RelayTransaction(tx->GetHash(), tx->GetWitnessHash());
    Flush();
    EXPECT_TRUE(m_sender.TakeInvs(OUT1, net::msgtype::INV).empty());
    EXPECT_TRUE(m_sender.TakeInvs(OUT2, net::msgtype::INV).empty());
}

TEST_F(TxRelayTest, NoAnnouncementsToNonRelayPeersOrOfEvictedTransactions)
{
    m_relay->PeerAdded(OUT1, false, false, true);
    m_relay->PeerAdded(IN1, true, true, true);
    m_relay->Tick();
    const auto tx = Spend({s_coins[1]}, 2000);
    m_relay->RelayTransaction(tx->GetHash(), tx->GetWitnessHash()); // not in the pool
    Flush();
    EXPECT_TRUE(m_sender.TakeInvs(IN1, net::msgtype::INV).empty());
    AcceptDirectly(tx);
    m_relay->RelayTransaction(tx->GetHash(), tx->GetWitnessHash());
    Flush();
    EXPECT_TRUE(m_sender.TakeInvs(OUT1, net::msgtype::INV).empty());
    EXPECT_EQ(m_sender.TakeInvs(IN1, net::msgtype::INV).size(), 1u);
}

TEST_F(TxRelayTest, AFlushAnnouncesAtMostSeventyTransactions)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    m_relay->Tick();
    std::set<Uint256> all;
    for (size_t i = 0; i < FAN_OUTPUTS; ++i) {
        const auto tx = Spend({s_fan[i]}, 2000);
        AcceptDirectly(tx);
        m_relay->RelayTransaction(tx->GetHash(), tx->GetWitnessHash());
        all.insert(tx->GetWitnessHash());
    }
    // Core: 14 per second times the 5 s inbound interval (plus 5 per 1,000 queued).
    Flush();
    const auto first = m_sender.TakeInvs(OUT1, net::msgtype::INV);
    EXPECT_EQ(first.size(), 70u);
    Flush();
    const auto second = m_sender.TakeInvs(OUT1, net::msgtype::INV);
    EXPECT_EQ(second.size(), 30u);
    std::set<Uint256> announced;
    for (const auto& inv : first)
        announced.insert(inv.hash);
    for (const auto& inv : second)
        announced.insert(inv.hash);
    EXPECT_EQ(announced, all);
}

TEST_F(TxRelayTest, FeeFilterIsRespected)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    m_relay->PeerAdded(OUT2, false, true, true);
    m_relay->Tick();
    // 2,000 sat for ~110 vB: about 18,000 sat/kvB.
    const auto tx = Spend({s_coins[2]}, 2000);
    ASSERT_GT(2000 * 1000 / tx->GetVirtualSize(), 15'000u);
    ASSERT_LT(2000 * 1000 / tx->GetVirtualSize(), 25'000u);
    m_relay->SetFeeFilter(OUT1, 25'000);
    m_relay->SetFeeFilter(OUT2, 15'000);
    EXPECT_EQ(m_relay->GetStats(OUT1).min_fee_filter, 25'000);
    AcceptDirectly(tx);
    m_relay->RelayTransaction(tx->GetHash(), tx->GetWitnessHash());
    Flush();
    EXPECT_TRUE(m_sender.TakeInvs(OUT1, net::msgtype::INV).empty());
    EXPECT_EQ(m_sender.TakeInvs(OUT2, net::msgtype::INV),
              (std::vector<net::Inv>{{net::MSG_WTX, tx->GetWitnessHash()}}));
}

TEST_F(TxRelayTest, SendsOurFeeFilterOfTheMinRelayFee)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    m_relay->PeerAdded(OUT2, false, false, true); // block-relay-only / no tx relay
    m_relay->Tick();
    const auto sent = m_sender.Take(OUT1, net::msgtype::FEEFILTER);
    ASSERT_EQ(sent.size(), 1u);
    auto filter = net::DecodeFeeFilter(sent[0]);
    ASSERT_TRUE(filter);
    EXPECT_EQ(filter->fee_rate, 1000); // -minrelaytxfee default, pool not full
    EXPECT_TRUE(m_sender.Take(OUT2, net::msgtype::FEEFILTER).empty());
    // Unchanged filters are not repeated.
    TickAt(3600);
    EXPECT_TRUE(m_sender.Take(OUT1, net::msgtype::FEEFILTER).empty());
}

TEST_F(TxRelayTest, UnbroadcastTransactionsAreAnnouncedAgainUntilRequested)
{
    const auto tx = Spend({s_coins[6]}, 2000);
    AcceptDirectly(tx);
    m_pool->AddUnbroadcast(tx->GetHash());
    m_relay->Tick(); // starts the 10-15 minute retry timer
    m_relay->PeerAdded(OUT1, false, true, true);
    TickAt(9 * 60);
    Flush(); // 9 + 16 minutes after the first tick
    EXPECT_EQ(m_sender.TakeInvs(OUT1, net::msgtype::INV),
              (std::vector<net::Inv>{{net::MSG_WTX, tx->GetWitnessHash()}}));
    ASSERT_TRUE(m_relay->OnGetData(OUT1, {net::MSG_WTX, tx->GetWitnessHash()}));
    EXPECT_FALSE(m_pool->IsUnbroadcast(tx->GetHash()));
}

// ---- getdata ----

TEST_F(TxRelayTest, GetDataServedOnlyAfterAnnouncement)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    m_relay->Tick();
    Flush();
    const auto tx = Spend({s_coins[3]}, 2000);
    AcceptDirectly(tx);
    // In the pool, but entered after our last inv to this peer.
    EXPECT_FALSE(m_relay->OnGetData(OUT1, {net::MSG_WTX, tx->GetWitnessHash()}));
    EXPECT_FALSE(m_relay->OnGetData(OUT1, {WITNESS_TX, tx->GetHash()}));
    EXPECT_TRUE(m_sender.Take(OUT1, net::msgtype::TX).empty());
    m_relay->RelayTransaction(tx->GetHash(), tx->GetWitnessHash());
    Flush();
    ASSERT_EQ(m_sender.TakeInvs(OUT1, net::msgtype::INV).size(), 1u);

    ASSERT_TRUE(m_relay->OnGetData(OUT1, {net::MSG_WTX, tx->GetWitnessHash()}));
    ASSERT_TRUE(m_relay->OnGetData(OUT1, {net::MSG_TX, tx->GetHash()}));
    const auto sent = m_sender.Take(OUT1, net::msgtype::TX);
    ASSERT_EQ(sent.size(), 2u);
    auto with_witness = net::DecodeTx(sent[0]);
    auto stripped = net::DecodeTx(sent[1]);
    ASSERT_TRUE(with_witness && stripped);
    EXPECT_EQ((*with_witness)->GetWitnessHash(), tx->GetWitnessHash());
    // Plain MSG_TX asks for the serialisation without witness.
    EXPECT_EQ((*stripped)->GetHash(), tx->GetHash());
    EXPECT_FALSE((*stripped)->HasWitness());

    // Unknown transactions are notfound.
    const auto other = Spend({s_coins[4]}, 2000);
    EXPECT_FALSE(m_relay->OnGetData(OUT1, {net::MSG_WTX, other->GetWitnessHash()}));
}

TEST_F(TxRelayTest, GetDataServedForPoolTransactionsOlderThanTheLastInv)
{
    const auto tx = Spend({s_coins[5]}, 2000);
    AcceptDirectly(tx);
    m_relay->RelayTransaction(tx->GetHash(), tx->GetWitnessHash()); // no peer yet
    m_relay->PeerAdded(IN1, true, true, false);
    EXPECT_FALSE(m_relay->OnGetData(IN1, {WITNESS_TX, tx->GetHash()}));
    Flush(); // a trickle with nothing to announce still moves the mark
    EXPECT_TRUE(m_sender.TakeInvs(IN1, net::msgtype::INV).empty());
    EXPECT_TRUE(m_relay->OnGetData(IN1, {WITNESS_TX, tx->GetHash()}));
    EXPECT_EQ(m_sender.Take(IN1, net::msgtype::TX).size(), 1u);
}

// ---- requests ----

TEST_F(TxRelayTest, UnknownInvRequestedFromOutboundAtOnceInboundAfterTwoSeconds)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    m_relay->PeerAdded(IN1, true, true, true);
    const auto a = Spend({s_coins[0]}, 2000);
    const auto b = Spend({s_coins[1]}, 2000);
    const net::Inv inv_a{net::MSG_WTX, a->GetWitnessHash()};
    const net::Inv inv_b{net::MSG_WTX, b->GetWitnessHash()};
    m_relay->OnInv(OUT1, {&inv_a, 1});
    m_relay->OnInv(IN1, {&inv_b, 1});
    m_relay->Tick();
    EXPECT_EQ(m_sender.TakeInvs(OUT1, net::msgtype::GETDATA), (std::vector<net::Inv>{inv_a}));
    EXPECT_TRUE(m_sender.TakeInvs(IN1, net::msgtype::GETDATA).empty());
    TickAt(1);
    EXPECT_TRUE(m_sender.TakeInvs(IN1, net::msgtype::GETDATA).empty());
    TickAt(1);
    EXPECT_EQ(m_sender.TakeInvs(IN1, net::msgtype::GETDATA), (std::vector<net::Inv>{inv_b}));
    // Requested once only.
    TickAt(10);
    EXPECT_TRUE(m_sender.TakeInvs(OUT1, net::msgtype::GETDATA).empty());
    EXPECT_TRUE(m_sender.TakeInvs(IN1, net::msgtype::GETDATA).empty());
}

TEST_F(TxRelayTest, TxidAnnouncementsWaitWhileWtxidPeersExist)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    m_relay->PeerAdded(OUT2, false, true, false);
    const auto a = Spend({s_coins[0]}, 2000);
    const net::Inv inv{net::MSG_TX, a->GetHash()};
    m_relay->OnInv(OUT2, {&inv, 1});
    m_relay->Tick();
    EXPECT_TRUE(m_sender.TakeInvs(OUT2, net::msgtype::GETDATA).empty());
    TickAt(2);
    EXPECT_EQ(m_sender.TakeInvs(OUT2, net::msgtype::GETDATA),
              (std::vector<net::Inv>{{WITNESS_TX, a->GetHash()}}));
    // Invs of the other kind than negotiated are ignored.
    const net::Inv wrong{net::MSG_WTX, Spend({s_coins[1]}, 2000)->GetWitnessHash()};
    m_relay->OnInv(OUT2, {&wrong, 1});
    TickAt(10);
    EXPECT_TRUE(m_sender.TakeInvs(OUT2, net::msgtype::GETDATA).empty());
}

TEST_F(TxRelayTest, TimeoutAndNotFoundMoveTheRequestToAnotherAnnouncer)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    m_relay->PeerAdded(OUT2, false, true, true);
    m_relay->PeerAdded(IN1, true, true, true);
    const auto a = Spend({s_coins[0]}, 2000);
    const auto b = Spend({s_coins[1]}, 2000);
    const net::Inv inv_a{net::MSG_WTX, a->GetWitnessHash()};
    const net::Inv inv_b{net::MSG_WTX, b->GetWitnessHash()};
    for (net::NodeId id : {OUT1, OUT2}) {
        m_relay->OnInv(id, {&inv_a, 1});
        m_relay->OnInv(id, {&inv_b, 1});
    }
    m_relay->Tick();
    // The first announcer gets both requests; the second waits.
    EXPECT_EQ(m_sender.TakeInvs(OUT1, net::msgtype::GETDATA),
              (std::vector<net::Inv>{inv_a, inv_b}));
    EXPECT_TRUE(m_sender.TakeInvs(OUT2, net::msgtype::GETDATA).empty());
    // notfound for b: ask the other announcer.
    m_relay->OnNotFound(OUT1, {&inv_b, 1});
    TickAt(1);
    EXPECT_EQ(m_sender.TakeInvs(OUT2, net::msgtype::GETDATA), (std::vector<net::Inv>{inv_b}));
    // a times out after 60 seconds.
    TickAt(58);
    EXPECT_TRUE(m_sender.TakeInvs(OUT2, net::msgtype::GETDATA).empty());
    TickAt(1);
    EXPECT_EQ(m_sender.TakeInvs(OUT2, net::msgtype::GETDATA), (std::vector<net::Inv>{inv_a}));
    EXPECT_TRUE(m_sender.TakeInvs(OUT1, net::msgtype::GETDATA).empty());
}

TEST_F(TxRelayTest, DisconnectMovesTheRequestToAnotherAnnouncer)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    m_relay->PeerAdded(IN1, true, true, true);
    const auto a = Spend({s_coins[0]}, 2000);
    const net::Inv inv{net::MSG_WTX, a->GetWitnessHash()};
    m_relay->OnInv(OUT1, {&inv, 1});
    m_relay->OnInv(IN1, {&inv, 1});
    m_relay->Tick();
    EXPECT_EQ(m_sender.TakeInvs(OUT1, net::msgtype::GETDATA).size(), 1u);
    TickAt(5);
    EXPECT_TRUE(m_sender.TakeInvs(IN1, net::msgtype::GETDATA).empty());
    m_relay->PeerRemoved(OUT1);
    TickAt(1);
    EXPECT_EQ(m_sender.TakeInvs(IN1, net::msgtype::GETDATA), (std::vector<net::Inv>{inv}));
}

TEST_F(TxRelayTest, KnownTransactionsAreNotRequested)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    const auto tx = Spend({s_coins[6]}, 2000);
    AcceptDirectly(tx);
    const net::Inv inv{net::MSG_WTX, tx->GetWitnessHash()};
    m_relay->OnInv(OUT1, {&inv, 1});
    TickAt(5);
    EXPECT_TRUE(m_sender.TakeInvs(OUT1, net::msgtype::GETDATA).empty());
}

TEST_F(TxRelayTest, NothingRequestedOrAcceptedDuringInitialBlockDownload)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    s_chain_now += 10 * 24 * 60 * 60; // the tip is now ten days old
    ASSERT_TRUE(s_chain->IsInitialBlockDownload());
    const auto tx = Spend({s_coins[0]}, 2000);
    const net::Inv inv{net::MSG_WTX, tx->GetWitnessHash()};
    m_relay->OnInv(OUT1, {&inv, 1});
    TickAt(5);
    EXPECT_TRUE(m_sender.TakeInvs(OUT1, net::msgtype::GETDATA).empty());
    m_relay->OnTx(OUT1, tx);
    EXPECT_FALSE(InPool(tx));
    EXPECT_TRUE(m_sender.misbehaving.empty());
    // Our feefilter asks peers to hold their transactions.
    const auto sent = m_sender.Take(OUT1, net::msgtype::FEEFILTER);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_GT(net::DecodeFeeFilter(sent[0])->fee_rate, 1'000'000);
}

// ---- receiving transactions ----

TEST_F(TxRelayTest, AcceptedTransactionIsRelayedToOthersButNotBack)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    m_relay->PeerAdded(OUT2, false, true, false);
    m_relay->PeerAdded(IN1, true, true, true);
    m_relay->Tick();
    const auto tx = Spend({s_coins[7]}, 2000);
    const net::Inv inv{net::MSG_WTX, tx->GetWitnessHash()};
    m_relay->OnInv(IN1, {&inv, 1});
    TickAt(2);
    ASSERT_EQ(m_sender.TakeInvs(IN1, net::msgtype::GETDATA), (std::vector<net::Inv>{inv}));
    m_relay->OnTx(IN1, tx);
    ASSERT_TRUE(InPool(tx));
    EXPECT_EQ(m_accepted,
              (std::vector<std::pair<net::NodeId, Uint256>>{{IN1, tx->GetWitnessHash()}}));
    EXPECT_EQ(m_relay->GetStats(IN1).last_tx_time, m_now);
    EXPECT_EQ(m_relay->GetStats(OUT1).last_tx_time, 0);
    Flush();
    EXPECT_EQ(m_sender.TakeInvs(OUT1, net::msgtype::INV), (std::vector<net::Inv>{inv}));
    EXPECT_EQ(m_sender.TakeInvs(OUT2, net::msgtype::INV),
              (std::vector<net::Inv>{{net::MSG_TX, tx->GetHash()}}));
    EXPECT_TRUE(m_sender.TakeInvs(IN1, net::msgtype::INV).empty());
}

TEST_F(TxRelayTest, OrphanWaitsForItsParentThenBothEnterThePool)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    m_relay->PeerAdded(OUT2, false, true, true);
    m_relay->Tick();
    const auto parent = Spend({s_coins[8]}, 2000);
    const auto child = Spend({Out0(parent)}, 2000);
    m_relay->OnTx(OUT1, child);
    EXPECT_FALSE(InPool(child));
    EXPECT_EQ(m_relay->OrphanCount(), 1u);
    EXPECT_TRUE(m_sender.misbehaving.empty());
    // The parent is asked for by txid from the orphan's sender (a txid
    // request waits 2 s while wtxid-relay peers exist).
    m_relay->Tick();
    EXPECT_TRUE(m_sender.TakeInvs(OUT1, net::msgtype::GETDATA).empty());
    TickAt(2);
    EXPECT_EQ(m_sender.TakeInvs(OUT1, net::msgtype::GETDATA),
              (std::vector<net::Inv>{{WITNESS_TX, parent->GetHash()}}));
    m_relay->OnTx(OUT1, parent);
    EXPECT_TRUE(InPool(parent));
    EXPECT_TRUE(InPool(child));
    EXPECT_EQ(m_relay->OrphanCount(), 0u);
    // Both announced to the other peer, parent first.
    Flush();
    EXPECT_EQ(m_sender.TakeInvs(OUT2, net::msgtype::INV),
              (std::vector<net::Inv>{{net::MSG_WTX, parent->GetWitnessHash()},
                                     {net::MSG_WTX, child->GetWitnessHash()}}));
}

TEST_F(TxRelayTest, OrphansAreBoundedAndForgottenWithTheirPeer)
{
    node::TxRelayOptions options;
    options.max_orphan_txs = 2;
    MakeRelay(options);
    m_relay->PeerAdded(OUT1, false, true, true);
    for (size_t i = 0; i < 4; ++i) {
        const auto parent = Spend({s_coins[i]}, 2000);
        m_relay->OnTx(OUT1, Spend({Out0(parent)}, 2000));
    }
    EXPECT_EQ(m_relay->OrphanCount(), 2u);
    m_relay->PeerRemoved(OUT1);
    EXPECT_EQ(m_relay->OrphanCount(), 0u);
}

TEST_F(TxRelayTest, BlockConnectedErasesConflictingOrphans)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    const auto parent = Spend({s_coins[9]}, 2000);
    const auto child = Spend({Out0(parent)}, 2000);
    m_relay->OnTx(OUT1, child);
    ASSERT_EQ(m_relay->OrphanCount(), 1u);
    consensus::Block unrelated;
    unrelated.vtx.push_back(Spend({s_coins[10]}, 2000));
    m_relay->BlockConnected(unrelated);
    EXPECT_EQ(m_relay->OrphanCount(), 1u);
    // A block spending what the orphan spends (a double spend of its parent's output).
    consensus::Block block;
    block.vtx.push_back(parent);
    block.vtx.push_back(Spend({Out0(parent)}, 3000));
    m_relay->BlockConnected(block);
    EXPECT_EQ(m_relay->OrphanCount(), 0u);
}

TEST_F(TxRelayTest, ConsensusInvalidTransactionIsPunished)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    MutableTransaction dup;
    consensus::TxIn in;
    in.prevout = s_coins[0].outpoint;
    dup.vin = {in, in};
    dup.vout.push_back(TxOut{1000, s_builder->ScriptFor(0, OutputKind::P2WPKH)});
    const auto tx = consensus::MakeTransactionRef(dup);
    m_relay->OnTx(OUT1, tx);
    EXPECT_FALSE(InPool(tx));
    ASSERT_EQ(m_sender.misbehaving.size(), 1u);
    EXPECT_EQ(m_sender.misbehaving[0].first, OUT1);
    // Remembered as rejected: announcements of it are not requested.
    m_relay->PeerAdded(OUT2, false, true, true);
    const net::Inv inv{net::MSG_WTX, tx->GetWitnessHash()};
    m_relay->OnInv(OUT2, {&inv, 1});
    TickAt(1);
    EXPECT_TRUE(m_sender.TakeInvs(OUT2, net::msgtype::GETDATA).empty());
}

TEST_F(TxRelayTest, PolicyFailuresAreNotPunished)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    const auto low_fee = Spend({s_coins[0]}, 0);
    const auto nonstandard = Spend({s_coins[1]}, 2000, /*version=*/4);
    m_relay->OnTx(OUT1, low_fee);
    m_relay->OnTx(OUT1, nonstandard);
    EXPECT_FALSE(InPool(low_fee));
    EXPECT_FALSE(InPool(nonstandard));
    EXPECT_TRUE(m_sender.misbehaving.empty());
    EXPECT_TRUE(m_accepted.empty());
    // A rejected transaction is not requested again until the next block...
    const net::Inv inv{net::MSG_WTX, nonstandard->GetWitnessHash()};
    m_relay->OnInv(OUT1, {&inv, 1});
    TickAt(1);
    EXPECT_TRUE(m_sender.TakeInvs(OUT1, net::msgtype::GETDATA).empty());
    // ...which resets the filter.
    m_relay->BlockConnected(consensus::Block{});
    m_relay->PeerAdded(OUT2, false, true, true);
    m_relay->OnInv(OUT2, {&inv, 1});
    TickAt(1);
    EXPECT_EQ(m_sender.TakeInvs(OUT2, net::msgtype::GETDATA), (std::vector<net::Inv>{inv}));
}

TEST_F(TxRelayTest, LowFeeParentIsAcceptedWithItsOrphanChildAsAPackage)
{
    // A pool that holds three small spends: a fourth evicts the cheapest and
    // raises the pool's minimum fee above the min relay fee.
    auto usage_of = [&](size_t n) {
        kernel::TxMemPool probe{kernel::MempoolOptions{}};
        for (size_t i = 0; i < n; ++i) {
            const auto r = kernel::AcceptToMemoryPool(
                *s_chain, probe, Spend({s_coins[12 + i]}, 10'000), kernel::AcceptOptions{});
            EXPECT_EQ(r.kind, kernel::MempoolAcceptResult::Kind::VALID) << r.state.ToString();
        }
        return probe.DynamicMemoryUsage();
    };
    kernel::MempoolOptions pool_options;
    pool_options.max_size_bytes = static_cast<int64_t>(usage_of(3) + usage_of(1) / 2);
    m_relay.reset();
    m_pool = std::make_unique<kernel::TxMemPool>(pool_options);
    MakeRelay({});
    AcceptDirectly(Spend({s_coins[12]}, 220));
    for (size_t i = 13; i < 16; ++i)
        AcceptDirectly(Spend({s_coins[i]}, 10'000));
    ASSERT_EQ(m_pool->Size(), 3u);

    m_relay->PeerAdded(OUT1, false, true, true);
    const auto parent = Spend({s_coins[16]}, 220); // above min relay, below the pool minimum
    const auto child = Spend({Out0(parent)}, 40'000);
    m_relay->OnTx(OUT1, parent);
    EXPECT_FALSE(InPool(parent));
    m_relay->OnTx(OUT1, child);
    EXPECT_FALSE(InPool(child));
    EXPECT_EQ(m_relay->OrphanCount(), 1u);
    // The parent is asked for again (by txid) and this time goes in with its child.
    TickAt(2);
    EXPECT_EQ(m_sender.TakeInvs(OUT1, net::msgtype::GETDATA),
              (std::vector<net::Inv>{{WITNESS_TX, parent->GetHash()}}));
    m_relay->OnTx(OUT1, parent);
    EXPECT_TRUE(InPool(parent));
    EXPECT_TRUE(InPool(child));
    EXPECT_EQ(m_relay->OrphanCount(), 0u);
    EXPECT_TRUE(m_sender.misbehaving.empty());
}

TEST_F(TxRelayTest, BlocksOnlyNeitherRequestsNorAcceptsTransactions)
{
    node::TxRelayOptions options;
    options.ignore_incoming_txs = true;
    MakeRelay(options);
    m_relay->PeerAdded(OUT1, false, true, true);
    const auto tx = Spend({s_coins[0]}, 2000);
    const net::Inv inv{net::MSG_WTX, tx->GetWitnessHash()};
    m_relay->OnInv(OUT1, {&inv, 1});
    TickAt(10);
    EXPECT_TRUE(m_sender.TakeInvs(OUT1, net::msgtype::GETDATA).empty());
    EXPECT_TRUE(m_sender.Take(OUT1, net::msgtype::FEEFILTER).empty());
    m_relay->OnTx(OUT1, tx);
    EXPECT_FALSE(InPool(tx));
    EXPECT_EQ(m_relay->OrphanCount(), 0u);
    // Our own transactions are still announced.
    AcceptDirectly(tx);
    m_relay->RelayTransaction(tx->GetHash(), tx->GetWitnessHash());
    Flush();
    EXPECT_EQ(m_sender.TakeInvs(OUT1, net::msgtype::INV), (std::vector<net::Inv>{inv}));
}

TEST_F(TxRelayTest, StatsOfPeers)
{
    m_relay->PeerAdded(OUT1, false, true, true);
    m_relay->PeerAdded(IN1, true, false, false);
    const auto out = m_relay->GetStats(OUT1);
    EXPECT_TRUE(out.relay_txs);
    EXPECT_TRUE(out.wtxid_relay);
    EXPECT_EQ(out.min_fee_filter, 0);
    const auto in = m_relay->GetStats(IN1);
    EXPECT_FALSE(in.relay_txs);
    EXPECT_FALSE(in.wtxid_relay);
    m_relay->PeerRemoved(OUT1);
    EXPECT_FALSE(m_relay->GetStats(OUT1).relay_txs);
    EXPECT_FALSE(m_relay->GetStats(IN2).relay_txs);
}

} // namespace
