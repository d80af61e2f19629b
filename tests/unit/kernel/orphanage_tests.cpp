// The orphan pool on hand-built transactions: adds, duplicates and the weight cap, children
// by prevout, per-peer work sets, erasing per peer and per block, Core's expiry timing and
// sweep cadence, random eviction with an injected source, and byte accounting. Expected
// sizes, times and eviction orders are worked out by hand from Core's rules.
#include <kernel/orphanage.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

namespace {

using consensus::OutPoint;
using consensus::TransactionRef;
using consensus::Uint256;
using kernel::NodeId;
using kernel::OrphanageOptions;
using kernel::TxOrphanage;

// Serialized size of a transaction with one input (empty scriptSig) and one 22-byte-script
// output: 4 version + 1 + 41 input + 1 + 31 output + 4 locktime.
constexpr int64_t SIZE_1_1{82};
// Each further input adds 41 bytes.
constexpr int64_t SIZE_2_1{123};
// SIZE_1_1 plus marker and flag (2) and a witness of one 72-byte item (1 + 1 + 72).
constexpr int64_t SIZE_1_1_WITNESS{158};

Uint256 MissingTxid(int n)
{
    Uint256 h;
    h.data()[0] = static_cast<uint8_t>(n);
    h.data()[1] = static_cast<uint8_t>(n >> 8);
    h.data()[31] = 0xee;
    return h;
}

OutPoint Missing(int n, uint32_t index = 0)
{
    return OutPoint{MissingTxid(n), index};
}

consensus::MutableTransaction MakeMtx(const std::vector<OutPoint>& ins, size_t n_out = 1,
                                      uint32_t locktime = 0)
{
    consensus::MutableTransaction mtx;
    mtx.locktime = locktime;
    for (const auto& in : ins) {
        consensus::TxIn txin;
        txin.prevout = in;
        mtx.vin.push_back(txin);
    }
    for (size_t i = 0; i < n_out; ++i) {
        std::vector<uint8_t> script(22, static_cast<uint8_t>(i));
        script[0] = 0x00;
        script[1] = 0x14;
        mtx.vout.push_back(consensus::TxOut{1000, consensus::Script{script}});
    }
    return mtx;
}

TransactionRef MakeTx(const std::vector<OutPoint>& ins, size_t n_out = 1, uint32_t locktime = 0)
{
    return consensus::MakeTransactionRef(MakeMtx(ins, n_out, locktime));
}

// A one-in one-out transaction with a single 72-byte witness item filled with `fill`.
TransactionRef MakeWitnessTx(const OutPoint& in, uint8_t fill)
{
    auto mtx = MakeMtx({in});
    mtx.vin[0].witness.stack.push_back(std::vector<uint8_t>(72, fill));
    return consensus::MakeTransactionRef(std::move(mtx));
}

// One input, one output whose script has `script_len` bytes (for weights near the cap).
TransactionRef MakeTxWithScript(size_t script_len)
{
    auto mtx = MakeMtx({Missing(7)});
    mtx.vout[0].script_pubkey = consensus::Script{std::vector<uint8_t>(script_len, 0x51)};
    return consensus::MakeTransactionRef(std::move(mtx));
}

struct OrphanageTest : ::testing::Test
{
    int64_t now{1'000'000};
    OrphanageOptions Options(uint64_t seed = 1)
    {
        OrphanageOptions options;
        options.clock = [this] { return now; };
        options.random_range = kernel::MakeSeededRandomRange(seed);
        return options;
    }
};

std::set<Uint256> Wtxids(const TxOrphanage& orphanage)
{
    std::set<Uint256> out;
    for (const auto& info : orphanage.GetOrphanTransactions())
        out.insert(info.tx->GetWitnessHash());
    return out;
}

TEST_F(OrphanageTest, AddRecordsPeerAndTimes)
{
    TxOrphanage orphanage{Options()};
    const auto tx = MakeTx({Missing(1)});
    EXPECT_FALSE(orphanage.HaveTx(tx->GetWitnessHash()));
    EXPECT_EQ(orphanage.GetTx(tx->GetWitnessHash()), nullptr);

    EXPECT_TRUE(orphanage.AddTx(tx, 5));
    EXPECT_EQ(orphanage.Size(), 1u);
    EXPECT_TRUE(orphanage.HaveTx(tx->GetWitnessHash()));
    EXPECT_EQ(orphanage.GetTx(tx->GetWitnessHash()), tx);
    EXPECT_TRUE(orphanage.HaveTxFromPeer(tx->GetWitnessHash(), 5));
    EXPECT_FALSE(orphanage.HaveTxFromPeer(tx->GetWitnessHash(), 6));
    EXPECT_FALSE(orphanage.HaveTxFromPeer(MissingTxid(99), 5));

    const auto infos = orphanage.GetOrphanTransactions();
    ASSERT_EQ(infos.size(), 1u);
    EXPECT_EQ(infos[0].tx, tx);
    EXPECT_EQ(infos[0].announcers, (std::set<NodeId>{5}));
    EXPECT_EQ(infos[0].entry_time, 1'000'000);
    EXPECT_EQ(infos[0].expire_time, 1'000'000 + 20 * 60);
}

TEST_F(OrphanageTest, DuplicatesAreRefusedButAddAnnouncers)
{
    TxOrphanage orphanage{Options()};
    const auto tx = MakeTx({Missing(1)});
    const Uint256 wtxid = tx->GetWitnessHash();
    ASSERT_TRUE(orphanage.AddTx(tx, 1));
    EXPECT_FALSE(orphanage.AddTx(tx, 1));
    // A second peer sending the same orphan becomes an announcer, no second entry.
    EXPECT_FALSE(orphanage.AddTx(tx, 2));
    EXPECT_EQ(orphanage.Size(), 1u);
    EXPECT_TRUE(orphanage.HaveTxFromPeer(wtxid, 2));

    EXPECT_FALSE(orphanage.AddAnnouncer(wtxid, 1));          // already an announcer
    EXPECT_FALSE(orphanage.AddAnnouncer(MissingTxid(9), 3)); // unknown orphan
    EXPECT_FALSE(orphanage.HaveTx(MissingTxid(9)));
    EXPECT_TRUE(orphanage.AddAnnouncer(wtxid, 3));
    EXPECT_TRUE(orphanage.HaveTxFromPeer(wtxid, 3));
    EXPECT_EQ(orphanage.GetOrphanTransactions().at(0).announcers, (std::set<NodeId>{1, 2, 3}));

    // A copy built separately has the same wtxid and is still a duplicate.
    EXPECT_FALSE(orphanage.AddTx(MakeTx({Missing(1)}), 4));
    EXPECT_EQ(orphanage.Size(), 1u);
    EXPECT_FALSE(orphanage.AddTx(nullptr, 1));
}

TEST_F(OrphanageTest, KeyedByWtxidNotTxid)
{
    TxOrphanage orphanage{Options()};
    const auto a = MakeWitnessTx(Missing(1), 0xaa);
    const auto b = MakeWitnessTx(Missing(1), 0xbb);
    ASSERT_EQ(a->GetHash(), b->GetHash());
    ASSERT_NE(a->GetWitnessHash(), b->GetWitnessHash());
    EXPECT_TRUE(orphanage.AddTx(a, 1));
    EXPECT_TRUE(orphanage.AddTx(b, 1));
    EXPECT_EQ(orphanage.Size(), 2u);
    EXPECT_TRUE(orphanage.EraseTx(a->GetWitnessHash()));
    EXPECT_FALSE(orphanage.EraseTx(a->GetWitnessHash()));
    EXPECT_TRUE(orphanage.HaveTx(b->GetWitnessHash()));
}

TEST_F(OrphanageTest, IgnoresTransactionsAboveStandardWeight)
{
    TxOrphanage orphanage{Options()};
    // 4 version + 1 + 41 input + 1 + (8 value + 5 length prefix + L) + 4 locktime = 64 + L bytes,
    // no witness, so weight = 4 * (64 + L): L = 99,936 weighs exactly 400,000.
    const auto at_cap = MakeTxWithScript(99'936);
    const auto over_cap = MakeTxWithScript(99'937);
    ASSERT_EQ(at_cap->GetWeight(), 400'000u);
    ASSERT_EQ(over_cap->GetWeight(), 400'004u);
    EXPECT_FALSE(orphanage.AddTx(over_cap, 1));
    EXPECT_FALSE(orphanage.HaveTx(over_cap->GetWitnessHash()));
    EXPECT_EQ(orphanage.TotalOrphanUsage(), 0);
    EXPECT_EQ(orphanage.UsageByPeer(1), 0);
    EXPECT_TRUE(orphanage.AddTx(at_cap, 1));
    EXPECT_EQ(orphanage.Size(), 1u);
    EXPECT_EQ(orphanage.TotalOrphanUsage(), 100'000);
}

TEST_F(OrphanageTest, ChildrenFoundByPrevout)
{
    TxOrphanage orphanage{Options()};
    // The parent is not in the orphanage; only its txid and output count matter.
    const auto parent = MakeTx({Missing(50)}, 3);
    const auto c1 = MakeTx({OutPoint{parent->GetHash(), 0}});
    const auto c2 = MakeTx({OutPoint{parent->GetHash(), 1}, OutPoint{parent->GetHash(), 2}});
    const auto c3 = MakeTx({OutPoint{parent->GetHash(), 0}}, 1, /*locktime=*/1);
    const auto c4 = MakeTx({OutPoint{parent->GetHash(), 2}}, 1, /*locktime=*/2);
    // Index 3 does not exist on the parent, so this is not one of its children.
    const auto beyond = MakeTx({OutPoint{parent->GetHash(), 3}});
    const auto unrelated = MakeTx({Missing(2)});

    now = 100;
    ASSERT_TRUE(orphanage.AddTx(c1, 1));
    now = 200;
    ASSERT_TRUE(orphanage.AddTx(c2, 1));
    ASSERT_TRUE(orphanage.AddTx(c4, 1)); // same expiry as c2, added later
    ASSERT_TRUE(orphanage.AddTx(c3, 2));
    ASSERT_TRUE(orphanage.AddTx(beyond, 1));
    ASSERT_TRUE(orphanage.AddTx(unrelated, 1));

    // Most recently added first; c2 once although it spends two of the parent's outputs.
    EXPECT_EQ(orphanage.GetChildrenFromSamePeer(parent, 1),
              (std::vector<TransactionRef>{c4, c2, c1}));
    EXPECT_EQ(orphanage.GetChildrenFromSamePeer(parent, 2), (std::vector<TransactionRef>{c3}));
    EXPECT_TRUE(orphanage.GetChildrenFromSamePeer(parent, 3).empty());
    EXPECT_TRUE(orphanage.GetChildrenFromSamePeer(unrelated, 1).empty());
    EXPECT_TRUE(orphanage.GetChildrenFromSamePeer(nullptr, 1).empty());

    using Pairs = std::vector<std::pair<TransactionRef, NodeId>>;
    EXPECT_EQ(orphanage.GetChildrenFromDifferentPeer(parent, 1), (Pairs{{c3, 2}}));
    Pairs from_others{{c1, 1}, {c2, 1}, {c4, 1}};
    std::sort(from_others.begin(), from_others.end(), [](const auto& a, const auto& b) {
        return a.first->GetWitnessHash() < b.first->GetWitnessHash();
    });
    EXPECT_EQ(orphanage.GetChildrenFromDifferentPeer(parent, 2), from_others);

    // With a second announcer, c3 is from peer 2 and also from a peer other than 2.
    ASSERT_TRUE(orphanage.AddAnnouncer(c3->GetWitnessHash(), 4));
    EXPECT_EQ(orphanage.GetChildrenFromDifferentPeer(parent, 1), (Pairs{{c3, 2}, {c3, 4}}));
    EXPECT_EQ(orphanage.GetChildrenFromSamePeer(parent, 4), (std::vector<TransactionRef>{c3}));
}

TEST_F(OrphanageTest, WorkSetsPerPeer)
{
    TxOrphanage orphanage{Options()};
    const auto parent = MakeTx({Missing(50)}, 2);
    const auto c1 = MakeTx({OutPoint{parent->GetHash(), 0}});
    const auto c2 = MakeTx({OutPoint{parent->GetHash(), 1}});
    const auto c3 = MakeTx({OutPoint{parent->GetHash(), 1}}, 1, /*locktime=*/9);
    const auto unrelated = MakeTx({Missing(3)});
    ASSERT_TRUE(orphanage.AddTx(c1, 1));
    ASSERT_TRUE(orphanage.AddTx(c2, 1));
    ASSERT_TRUE(orphanage.AddTx(c3, 2));
    ASSERT_TRUE(orphanage.AddTx(unrelated, 1));

    EXPECT_FALSE(orphanage.HaveTxToReconsider(1));
    EXPECT_EQ(orphanage.GetTxToReconsider(1), nullptr);
    EXPECT_TRUE(orphanage.AddChildrenToWorkSet(*unrelated).empty());
    EXPECT_FALSE(orphanage.HaveTxToReconsider(1));

    const auto queued = orphanage.AddChildrenToWorkSet(*parent);
    EXPECT_EQ(std::set(queued.begin(), queued.end()),
              (std::set<std::pair<Uint256, NodeId>>{{c1->GetWitnessHash(), 1},
                                                    {c2->GetWitnessHash(), 1},
                                                    {c3->GetWitnessHash(), 2}}));
    EXPECT_TRUE(orphanage.HaveTxToReconsider(1));
    EXPECT_TRUE(orphanage.HaveTxToReconsider(2));
    EXPECT_FALSE(orphanage.HaveTxToReconsider(3));

    std::set<TransactionRef> from_peer1;
    while (auto tx = orphanage.GetTxToReconsider(1)) {
        ASSERT_TRUE(from_peer1.insert(tx).second);
    }
    EXPECT_EQ(from_peer1, (std::set<TransactionRef>{c1, c2}));
    EXPECT_FALSE(orphanage.HaveTxToReconsider(1));
    // Reconsidering does not remove the orphan; the caller erases it once accepted.
    EXPECT_TRUE(orphanage.HaveTx(c1->GetWitnessHash()));

    // An orphan erased after being queued is skipped.
    ASSERT_TRUE(orphanage.EraseTx(c3->GetWitnessHash()));
    EXPECT_TRUE(orphanage.HaveTxToReconsider(2));
    EXPECT_EQ(orphanage.GetTxToReconsider(2), nullptr);
    EXPECT_FALSE(orphanage.HaveTxToReconsider(2));
    EXPECT_EQ(orphanage.GetTxToReconsider(3), nullptr);
}

TEST_F(OrphanageTest, WorkGoesToOneAnnouncerChosenByTheRandomSource)
{
    std::vector<uint64_t> ranges;
    OrphanageOptions options = Options();
    options.random_range = [&ranges](uint64_t n) {
        ranges.push_back(n);
        return uint64_t{2};
    };
    TxOrphanage orphanage{options};
    const auto parent = MakeTx({Missing(50)});
    const auto child = MakeTx({OutPoint{parent->GetHash(), 0}});
    ASSERT_TRUE(orphanage.AddTx(child, 30));
    ASSERT_TRUE(orphanage.AddAnnouncer(child->GetWitnessHash(), 10));
    ASSERT_TRUE(orphanage.AddAnnouncer(child->GetWitnessHash(), 20));

    // Announcers in id order are 10, 20, 30; position 2 is peer 30.
    const auto queued = orphanage.AddChildrenToWorkSet(*parent);
    EXPECT_EQ(ranges, (std::vector<uint64_t>{3}));
    ASSERT_EQ(queued.size(), 1u);
    EXPECT_EQ(queued[0].second, 30);
    EXPECT_FALSE(orphanage.HaveTxToReconsider(10));
    EXPECT_FALSE(orphanage.HaveTxToReconsider(20));
    EXPECT_EQ(orphanage.GetTxToReconsider(30), child);
}

TEST_F(OrphanageTest, EraseForPeerKeepsOrphansOthersAnnounced)
{
    TxOrphanage orphanage{Options()};
    const auto parent = MakeTx({Missing(50)}, 3);
    const auto a = MakeTx({OutPoint{parent->GetHash(), 0}});
    const auto b = MakeTx({OutPoint{parent->GetHash(), 1}});
    const auto c = MakeTx({OutPoint{parent->GetHash(), 2}});
    ASSERT_TRUE(orphanage.AddTx(a, 1));
    ASSERT_TRUE(orphanage.AddTx(b, 1));
    ASSERT_TRUE(orphanage.AddAnnouncer(b->GetWitnessHash(), 2));
    ASSERT_TRUE(orphanage.AddTx(c, 2));
    orphanage.AddChildrenToWorkSet(*parent);
    ASSERT_TRUE(orphanage.HaveTxToReconsider(1));

    EXPECT_EQ(orphanage.EraseForPeer(3), 0u); // unknown peer: nothing happens
    EXPECT_EQ(orphanage.Size(), 3u);

    EXPECT_EQ(orphanage.EraseForPeer(1), 1u);
    EXPECT_FALSE(orphanage.HaveTx(a->GetWitnessHash()));
    EXPECT_TRUE(orphanage.HaveTx(b->GetWitnessHash()));
    EXPECT_FALSE(orphanage.HaveTxFromPeer(b->GetWitnessHash(), 1));
    EXPECT_TRUE(orphanage.HaveTxFromPeer(b->GetWitnessHash(), 2));
    EXPECT_FALSE(orphanage.HaveTxToReconsider(1));
    EXPECT_EQ(orphanage.GetTxToReconsider(1), nullptr);
    EXPECT_EQ(orphanage.UsageByPeer(1), 0);
    EXPECT_EQ(orphanage.UsageByPeer(2), 2 * SIZE_1_1);
    EXPECT_EQ(orphanage.TotalOrphanUsage(), 2 * SIZE_1_1);

    EXPECT_EQ(orphanage.EraseForPeer(2), 2u);
    EXPECT_EQ(orphanage.Size(), 0u);
    EXPECT_EQ(orphanage.TotalOrphanUsage(), 0);
    EXPECT_EQ(orphanage.UsageByPeer(2), 0);
    // Its children no longer index anything.
    EXPECT_TRUE(orphanage.AddChildrenToWorkSet(*parent).empty());
}

TEST_F(OrphanageTest, EraseForBlockRemovesConfirmedAndConflicting)
{
    TxOrphanage orphanage{Options()};
    const auto confirmed = MakeTx({Missing(1)});
    const auto conflicted = MakeTx({Missing(2), Missing(3)});
    const auto kept = MakeTx({Missing(4)});
    const auto block_tx_conflict = MakeTx({Missing(3)}, 2); // spends one of conflicted's inputs
    const auto child_of_block_tx = MakeTx({OutPoint{block_tx_conflict->GetHash(), 0}});
    ASSERT_TRUE(orphanage.AddTx(confirmed, 1));
    ASSERT_TRUE(orphanage.AddTx(conflicted, 1));
    ASSERT_TRUE(orphanage.AddTx(kept, 2));
    ASSERT_TRUE(orphanage.AddTx(child_of_block_tx, 2));

    consensus::Block unrelated_block;
    unrelated_block.vtx = {MakeTx({Missing(40)}), MakeTx({Missing(41)})};
    EXPECT_EQ(orphanage.EraseForBlock(unrelated_block), 0u);
    EXPECT_EQ(orphanage.Size(), 4u);

    consensus::Block block;
    block.vtx = {MakeTx({OutPoint{}}), confirmed, block_tx_conflict};
    EXPECT_EQ(orphanage.EraseForBlock(block), 2u);
    EXPECT_FALSE(orphanage.HaveTx(confirmed->GetWitnessHash()));
    EXPECT_FALSE(orphanage.HaveTx(conflicted->GetWitnessHash()));
    EXPECT_TRUE(orphanage.HaveTx(kept->GetWitnessHash()));
    // Spending a block transaction's output is not a conflict; it may now be valid.
    EXPECT_TRUE(orphanage.HaveTx(child_of_block_tx->GetWitnessHash()));
    EXPECT_EQ(orphanage.TotalOrphanUsage(), 2 * SIZE_1_1);
    EXPECT_EQ(orphanage.UsageByPeer(1), 0);

    // The erased orphan's other input is no longer indexed: a block spending it erases nothing.
    consensus::Block later;
    later.vtx = {MakeTx({Missing(2)})};
    EXPECT_EQ(orphanage.EraseForBlock(later), 0u);
    EXPECT_EQ(orphanage.EraseForBlock(consensus::Block{}), 0u);
}

TEST_F(OrphanageTest, ExpiresAtExactlyTwentyMinutes)
{
    TxOrphanage orphanage{Options()};
    now = 1000;
    const auto tx = MakeTx({Missing(1)});
    ASSERT_TRUE(orphanage.AddTx(tx, 1));
    // First call sweeps (nothing is due); next sweep at min(2200, 1000 + 900) + 300 = 2200.
    EXPECT_EQ(orphanage.LimitOrphans(), 0u);
    now = 2199;
    EXPECT_EQ(orphanage.LimitOrphans(), 0u);
    EXPECT_TRUE(orphanage.HaveTx(tx->GetWitnessHash()));
    now = 2200; // 1000 + 20 minutes
    EXPECT_EQ(orphanage.LimitOrphans(), 1u);
    EXPECT_FALSE(orphanage.HaveTx(tx->GetWitnessHash()));
    EXPECT_EQ(orphanage.TotalOrphanUsage(), 0);
}

TEST_F(OrphanageTest, ExpirySweepsAreBatchedEveryFiveMinutes)
{
    TxOrphanage orphanage{Options()};
    const auto a = MakeTx({Missing(1)});
    const auto b = MakeTx({Missing(2)});
    now = 1000;
    ASSERT_TRUE(orphanage.AddTx(a, 1));               // expires at 2200
    EXPECT_EQ(orphanage.LimitOrphans(100, 1000), 0u); // next sweep at 2200
    now = 1100;
    ASSERT_TRUE(orphanage.AddTx(b, 1)); // expires at 2300

    EXPECT_EQ(orphanage.LimitOrphans(100, 2200), 1u);
    EXPECT_FALSE(orphanage.HaveTx(a->GetWitnessHash()));
    // Next sweep: min(2300, 2200 + 900) + 300 = 2600. b outlives its expiry until then.
    for (const int64_t t : {2300, 2400, 2599}) {
        EXPECT_EQ(orphanage.LimitOrphans(100, t), 0u) << t;
        EXPECT_TRUE(orphanage.HaveTx(b->GetWitnessHash())) << t;
    }
    EXPECT_EQ(orphanage.LimitOrphans(100, 2600), 1u);
    EXPECT_EQ(orphanage.Size(), 0u);

    // With nothing held the next sweep is a full expiry time away: 2600 + 900 + 300 = 3800.
    now = 2700;
    const auto c = MakeTx({Missing(3)});
    ASSERT_TRUE(orphanage.AddTx(c, 1)); // expires at 3900
    EXPECT_EQ(orphanage.LimitOrphans(100, 3799), 0u);
    EXPECT_EQ(orphanage.LimitOrphans(100, 3800), 0u); // sweeps; next at min(3900, 4700) + 300
    EXPECT_EQ(orphanage.LimitOrphans(100, 3900), 0u);
    EXPECT_TRUE(orphanage.HaveTx(c->GetWitnessHash()));
    EXPECT_EQ(orphanage.LimitOrphans(100, 4199), 0u);
    EXPECT_EQ(orphanage.LimitOrphans(100, 4200), 1u);
    EXPECT_EQ(orphanage.Size(), 0u);
}

TEST_F(OrphanageTest, ExpiryRunsBeforeRandomEviction)
{
    int calls = 0;
    OrphanageOptions options = Options();
    options.random_range = [&calls](uint64_t) {
        ++calls;
        return uint64_t{0};
    };
    TxOrphanage orphanage{options};
    now = 1000;
    ASSERT_TRUE(orphanage.AddTx(MakeTx({Missing(0)}), 1)); // expires at 2200
    now = 2000;
    for (int i = 1; i <= 100; ++i)
        ASSERT_TRUE(orphanage.AddTx(MakeTx({Missing(i)}), 1));
    EXPECT_EQ(orphanage.LimitOrphans(100, 2200), 1u);
    EXPECT_EQ(orphanage.Size(), 100u);
    EXPECT_EQ(calls, 0);
    EXPECT_FALSE(orphanage.HaveTx(MakeTx({Missing(0)})->GetWitnessHash()));
}

TEST_F(OrphanageTest, RandomEvictionIsBoundedAndFollowsTheSource)
{
    std::vector<TransactionRef> txs;
    for (int i = 0; i < 150; ++i)
        txs.push_back(MakeTx({Missing(i)}));

    // A source that always answers 0 evicts slot 0, into which the last slot then moves:
    // entries 0, 149, 148, ..., 101 go, and 1..100 stay.
    std::vector<uint64_t> ranges;
    OrphanageOptions options = Options();
    options.random_range = [&ranges](uint64_t n) {
        ranges.push_back(n);
        return uint64_t{0};
    };
    TxOrphanage scripted{options};
    for (const auto& tx : txs)
        ASSERT_TRUE(scripted.AddTx(tx, 1));
    EXPECT_EQ(scripted.LimitOrphans(), 50u);
    EXPECT_EQ(scripted.Size(), 100u);
    std::vector<uint64_t> expected_ranges;
    for (uint64_t n = 150; n > 100; --n)
        expected_ranges.push_back(n);
    EXPECT_EQ(ranges, expected_ranges);
    std::set<Uint256> expected_kept;
    for (int i = 1; i <= 100; ++i)
        expected_kept.insert(txs[i]->GetWitnessHash());
    EXPECT_EQ(Wtxids(scripted), expected_kept);
    EXPECT_EQ(scripted.TotalOrphanUsage(), 100 * SIZE_1_1);
    EXPECT_EQ(scripted.UsageByPeer(1), 100 * SIZE_1_1);

    // The same seed evicts the same entries; another seed evicts others.
    auto survivors = [&](uint64_t seed) {
        TxOrphanage orphanage{Options(seed)};
        for (const auto& tx : txs)
            EXPECT_TRUE(orphanage.AddTx(tx, 1));
        EXPECT_EQ(orphanage.LimitOrphans(), 50u);
        EXPECT_EQ(orphanage.Size(), 100u);
        return Wtxids(orphanage);
    };
    const auto first = survivors(42);
    EXPECT_EQ(first.size(), 100u);
    EXPECT_EQ(survivors(42), first);
    EXPECT_NE(survivors(43), first);
    EXPECT_NE(first, expected_kept); // not simply the scripted order

    // A smaller bound, and an out-of-range answer from the source does not break anything.
    OrphanageOptions wild = Options();
    wild.random_range = [](uint64_t n) { return n + 7; };
    TxOrphanage orphanage{wild};
    for (const auto& tx : txs)
        ASSERT_TRUE(orphanage.AddTx(tx, 1));
    EXPECT_EQ(orphanage.LimitOrphans(10), 140u);
    EXPECT_EQ(orphanage.Size(), 10u);
    EXPECT_EQ(orphanage.LimitOrphans(0), 10u);
    EXPECT_EQ(orphanage.TotalOrphanUsage(), 0);
}

TEST_F(OrphanageTest, SeededRandomRangeStaysInRange)
{
    auto range = kernel::MakeSeededRandomRange(7);
    std::set<uint64_t> seen;
    for (int i = 0; i < 2000; ++i) {
        const uint64_t v = range(5);
        ASSERT_LT(v, 5u);
        seen.insert(v);
    }
    EXPECT_EQ(seen.size(), 5u);
    EXPECT_EQ(range(1), 0u);
    auto a = kernel::MakeSeededRandomRange(9);
    auto b = kernel::MakeSeededRandomRange(9);
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(a(1000), b(1000));
}

TEST_F(OrphanageTest, MemoryAccountingInBytes)
{
    TxOrphanage orphanage{Options()};
    const auto small = MakeTx({Missing(1)});
    const auto two_in = MakeTx({Missing(2), Missing(3)});
    const auto witness = MakeWitnessTx(Missing(4), 0x11);
    ASSERT_EQ(witness->GetTotalSize(), static_cast<size_t>(SIZE_1_1_WITNESS));

    ASSERT_TRUE(orphanage.AddTx(small, 1));
    EXPECT_EQ(orphanage.TotalOrphanUsage(), SIZE_1_1);
    ASSERT_TRUE(orphanage.AddTx(two_in, 2));
    ASSERT_TRUE(orphanage.AddTx(witness, 1));
    EXPECT_EQ(orphanage.TotalOrphanUsage(), SIZE_1_1 + SIZE_2_1 + SIZE_1_1_WITNESS);
    EXPECT_EQ(orphanage.UsageByPeer(1), SIZE_1_1 + SIZE_1_1_WITNESS);
    EXPECT_EQ(orphanage.UsageByPeer(2), SIZE_2_1);
    EXPECT_EQ(orphanage.UsageByPeer(3), 0);

    // A second announcer is charged too, but the orphan counts once in the total.
    ASSERT_TRUE(orphanage.AddAnnouncer(two_in->GetWitnessHash(), 1));
    EXPECT_EQ(orphanage.TotalOrphanUsage(), SIZE_1_1 + SIZE_2_1 + SIZE_1_1_WITNESS);
    EXPECT_EQ(orphanage.UsageByPeer(1), SIZE_1_1 + SIZE_2_1 + SIZE_1_1_WITNESS);

    // Refused additions change nothing.
    EXPECT_FALSE(orphanage.AddTx(small, 1));
    EXPECT_FALSE(orphanage.AddTx(MakeTxWithScript(99'937), 3));
    EXPECT_EQ(orphanage.TotalOrphanUsage(), SIZE_1_1 + SIZE_2_1 + SIZE_1_1_WITNESS);
    EXPECT_EQ(orphanage.UsageByPeer(3), 0);

    ASSERT_TRUE(orphanage.EraseTx(two_in->GetWitnessHash()));
    EXPECT_EQ(orphanage.TotalOrphanUsage(), SIZE_1_1 + SIZE_1_1_WITNESS);
    EXPECT_EQ(orphanage.UsageByPeer(1), SIZE_1_1 + SIZE_1_1_WITNESS);
    EXPECT_EQ(orphanage.UsageByPeer(2), 0);
    ASSERT_TRUE(orphanage.EraseTx(small->GetWitnessHash()));
    ASSERT_TRUE(orphanage.EraseTx(witness->GetWitnessHash()));
    EXPECT_EQ(orphanage.TotalOrphanUsage(), 0);
    EXPECT_EQ(orphanage.UsageByPeer(1), 0);
    EXPECT_TRUE(orphanage.GetOrphanTransactions().empty());
}

} // namespace
