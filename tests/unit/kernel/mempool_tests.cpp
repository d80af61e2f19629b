// The mempool data structure on hand-built transaction graphs: every aggregate after adds
// and each kind of removal, Core's limit messages, eviction and the rolling minimum fee,
// expiry, prioritisation, and mempool.dat.
#include <kernel/mempool.h>

#include <testutil/test_dir.h>

#include <consensus/serialize.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <limits>

namespace {

using consensus::Amount;
using consensus::OutPoint;
using consensus::TransactionRef;
using consensus::Uint256;
using kernel::FeeRate;
using kernel::MempoolEntry;
using kernel::MempoolLimits;
using kernel::MempoolOptions;
using kernel::RemovalReason;
using kernel::TxMemPool;

constexpr int64_t NO_LIMIT{std::numeric_limits<int64_t>::max() / 4};
const MempoolLimits NO_LIMITS{NO_LIMIT, NO_LIMIT, NO_LIMIT, NO_LIMIT};

// Serialized size of a transaction with one input (empty scriptSig) and one 22-byte-script
// output: 4 version + 1 + 41 input + 1 + 31 output + 4 locktime.
constexpr int64_t SIZE_1_1{82};
// Each further input adds 41 bytes, each further output 31.
constexpr int64_t SIZE_2_1{123};
constexpr int64_t SIZE_1_2{113};

Uint256 ConfirmedTxid(int n)
{
    Uint256 h;
    h.data()[0] = static_cast<uint8_t>(n);
    h.data()[1] = static_cast<uint8_t>(n >> 8);
    h.data()[31] = 0xcc;
    return h;
}

OutPoint Confirmed(int n)
{
    return OutPoint{ConfirmedTxid(n), 0};
}

TransactionRef MakeTx(const std::vector<OutPoint>& ins, size_t n_out = 1, uint32_t locktime = 0)
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
    return consensus::MakeTransactionRef(std::move(mtx));
}

OutPoint Out(const TransactionRef& tx, uint32_t n = 0)
{
    return OutPoint{tx->GetHash(), n};
}

const MempoolEntry& Add(TxMemPool& pool, const TransactionRef& tx, Amount fee,
                        int64_t time = 1'000'000, int64_t sigops = 0)
{
    const auto ancestors =
        pool.CalculateAncestors(*tx, static_cast<int64_t>(tx->GetVirtualSize()), NO_LIMITS);
    EXPECT_TRUE(ancestors.has_value());
    return pool.AddUnchecked(
        std::make_unique<MempoolEntry>(tx, fee, time, 100, pool.NextSequence(), false, sigops),
        *ancestors);
}

struct Aggregates
{
    int64_t count_anc, size_anc;
    Amount fee_anc;
    int64_t count_desc, size_desc;
    Amount fee_desc;
};

void ExpectAggregates(const TxMemPool& pool, const TransactionRef& tx, const Aggregates& want)
{
    const MempoolEntry* e = pool.Get(tx->GetHash());
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->CountWithAncestors(), want.count_anc);
    EXPECT_EQ(e->SizeWithAncestors(), want.size_anc);
    EXPECT_EQ(e->ModFeesWithAncestors(), want.fee_anc);
    EXPECT_EQ(e->CountWithDescendants(), want.count_desc);
    EXPECT_EQ(e->SizeWithDescendants(), want.size_desc);
    EXPECT_EQ(e->ModFeesWithDescendants(), want.fee_desc);
}

struct Event
{
    Uint256 txid;
    RemovalReason reason;
    uint64_t sequence;
};

struct Recorder
{
    std::vector<Uint256> added;
    std::vector<Event> removed;
    kernel::MempoolCallbacks Callbacks()
    {
        return {[this](const MempoolEntry& e) { added.push_back(e.GetTx().GetHash()); },
                [this](const TransactionRef& tx, RemovalReason reason, uint64_t seq) {
                    removed.push_back({tx->GetHash(), reason, seq});
                }};
    }
};

MempoolOptions FixedClock(const int64_t* now)
{
    MempoolOptions options;
    options.clock = [now] { return *now; };
    return options;
}

TEST(Mempool, TransactionSizesAreWhatTheTestsAssume)
{
    EXPECT_EQ(MakeTx({Confirmed(1)})->GetVirtualSize(), SIZE_1_1);
    EXPECT_EQ(MakeTx({Confirmed(1), Confirmed(2)})->GetVirtualSize(), SIZE_2_1);
    EXPECT_EQ(MakeTx({Confirmed(1)}, 2)->GetVirtualSize(), SIZE_1_2);
}

TEST(Mempool, SigopsInflateVirtualSize)
{
    TxMemPool pool{MempoolOptions{}};
    // 100 sigops at 20 bytes each: 2000 weight units / 4 = 500 vbytes.
    const auto& e = Add(pool, MakeTx({Confirmed(1)}), 1000, 1, 100);
    EXPECT_EQ(e.GetTxSize(), 500);
    EXPECT_EQ(e.GetTxWeight(), 4 * SIZE_1_1);
    EXPECT_EQ(pool.Info().bytes, 500u);
}

TEST(Mempool, ChainAggregatesAndBlockRemovalKeepsChildren)
{
    Recorder rec;
    TxMemPool pool{MempoolOptions{}, rec.Callbacks()};
    const auto a = MakeTx({Confirmed(1)});
    const auto b = MakeTx({Out(a)});
    const auto c = MakeTx({Out(b)});
    Add(pool, a, 100);
    Add(pool, b, 200);
    Add(pool, c, 400);
    ExpectAggregates(pool, a, {1, 82, 100, 3, 246, 700});
    ExpectAggregates(pool, b, {2, 164, 300, 2, 164, 600});
    ExpectAggregates(pool, c, {3, 246, 700, 1, 82, 400});
    EXPECT_EQ(pool.Get(b->GetHash())->Parents().size(), 1u);
    EXPECT_EQ(pool.Get(b->GetHash())->Children().size(), 1u);

    // a confirms: b and c stay, without a in their ancestor state.
    pool.RemoveForBlock({a});
    ASSERT_EQ(pool.Size(), 2u);
    EXPECT_FALSE(pool.Exists(a->GetHash()));
    ExpectAggregates(pool, b, {1, 82, 200, 2, 164, 600});
    ExpectAggregates(pool, c, {2, 164, 600, 1, 82, 400});
    EXPECT_TRUE(pool.Get(b->GetHash())->Parents().empty());
    ASSERT_EQ(rec.removed.size(), 1u);
    EXPECT_EQ(rec.removed[0].txid, a->GetHash());
    EXPECT_EQ(rec.removed[0].reason, RemovalReason::BLOCK);

    // A block spending b's input differently: b conflicts, c goes with it.
    const auto double_spend = MakeTx({Out(a)}, 2);
    pool.RemoveForBlock({double_spend});
    EXPECT_EQ(pool.Size(), 0u);
    ASSERT_EQ(rec.removed.size(), 3u);
    EXPECT_EQ(rec.removed[1].reason, RemovalReason::CONFLICT);
    EXPECT_EQ(rec.removed[2].reason, RemovalReason::CONFLICT);
    EXPECT_EQ(pool.Info().size, 0u);
    EXPECT_EQ(pool.Info().bytes, 0u);
    EXPECT_EQ(pool.Info().total_fee, 0);
}

TEST(Mempool, BlockWithParentAndChildEmptiesThePool)
{
    TxMemPool pool{MempoolOptions{}};
    const auto a = MakeTx({Confirmed(1)});
    const auto b = MakeTx({Out(a)});
    const auto other = MakeTx({Confirmed(2)});
    Add(pool, a, 100);
    Add(pool, b, 200);
    Add(pool, other, 300);
    pool.RemoveForBlock({a, b});
    EXPECT_EQ(pool.Size(), 1u);
    ExpectAggregates(pool, other, {1, 82, 300, 1, 82, 300});
}

TEST(Mempool, DiamondCountsSharedAncestorOnce)
{
    TxMemPool pool{MempoolOptions{}};
    const auto a = MakeTx({Confirmed(1)}, 2);
    const auto b = MakeTx({Out(a, 0)});
    const auto c = MakeTx({Out(a, 1)});
    const auto d = MakeTx({Out(b), Out(c)});
    Add(pool, a, 1000);
    Add(pool, b, 100);
    Add(pool, c, 10);
    Add(pool, d, 1);
    ExpectAggregates(pool, a, {1, 113, 1000, 4, 113 + 82 + 82 + 123, 1111});
    ExpectAggregates(pool, b, {2, 195, 1100, 2, 205, 101});
    ExpectAggregates(pool, c, {2, 195, 1010, 2, 205, 11});
    ExpectAggregates(pool, d, {4, 400, 1111, 1, 123, 1});
    EXPECT_EQ(pool.CalculateDescendants(*pool.Get(a->GetHash())).size(), 3u);

    // Removing b takes d along; a and c shrink accordingly.
    pool.RemoveRecursive(b->GetHash(), RemovalReason::REPLACED);
    EXPECT_EQ(pool.Size(), 2u);
    ExpectAggregates(pool, a, {1, 113, 1000, 2, 195, 1010});
    ExpectAggregates(pool, c, {2, 195, 1010, 1, 82, 10});
    EXPECT_EQ(pool.GetSpender(Out(b)), nullptr);
    EXPECT_EQ(pool.GetSpender(Out(c)), nullptr);
}

TEST(Mempool, RemoveRecursiveOfAnAbsentTxRemovesItsSpenders)
{
    TxMemPool pool{MempoolOptions{}};
    const auto parent = MakeTx({Confirmed(1)}, 2); // not in the pool (back from a block)
    const auto child0 = MakeTx({Out(parent, 0)});
    const auto child1 = MakeTx({Out(parent, 1)});
    const auto grandchild = MakeTx({Out(child0)});
    const auto unrelated = MakeTx({Confirmed(2)});
    Add(pool, child0, 100);
    Add(pool, child1, 100);
    Add(pool, grandchild, 100);
    Add(pool, unrelated, 100);
    pool.RemoveRecursive(parent->GetHash(), RemovalReason::REORG);
    EXPECT_EQ(pool.Size(), 1u);
    EXPECT_TRUE(pool.Exists(unrelated->GetHash()));
}

TEST(Mempool, ReturningParentLinksChildrenAlreadyInThePool)
{
    TxMemPool pool{MempoolOptions{}};
    const auto grandparent = MakeTx({Confirmed(1)});
    const auto parent = MakeTx({Out(grandparent)});
    const auto child = MakeTx({Out(parent)});
    const auto grandchild = MakeTx({Out(child)});
    // Reorg: child and grandchild stayed in the pool, grandparent and parent come back in
    // block order.
    Add(pool, child, 300);
    Add(pool, grandchild, 400);
    Add(pool, grandparent, 100);
    Add(pool, parent, 200);
    ExpectAggregates(pool, grandparent, {1, 82, 100, 4, 328, 1000});
    ExpectAggregates(pool, parent, {2, 164, 300, 3, 246, 900});
    ExpectAggregates(pool, child, {3, 246, 600, 2, 164, 700});
    ExpectAggregates(pool, grandchild, {4, 328, 1000, 1, 82, 400});

    // The ordering helpers see the new links.
    const auto order = pool.EntriesInDependencyOrder();
    ASSERT_EQ(order.size(), 4u);
    EXPECT_EQ(order[0]->GetTx().GetHash(), grandparent->GetHash());
    EXPECT_EQ(order[3]->GetTx().GetHash(), grandchild->GetHash());

    // And removal unwinds them.
    pool.RemoveRecursive(parent->GetHash(), RemovalReason::REORG);
    EXPECT_EQ(pool.Size(), 1u);
    ExpectAggregates(pool, grandparent, {1, 82, 100, 1, 82, 100});
}

TEST(Mempool, RemoveForReorgTakesDescendants)
{
    Recorder rec;
    TxMemPool pool{MempoolOptions{}, rec.Callbacks()};
    const auto a = MakeTx({Confirmed(1)}, 1, /*locktime=*/500);
    const auto b = MakeTx({Out(a)});
    const auto c = MakeTx({Confirmed(2)});
    Add(pool, a, 100);
    Add(pool, b, 100);
    Add(pool, c, 100);
    pool.RemoveForReorg([](const MempoolEntry& e) { return e.GetTx().locktime != 500; });
    EXPECT_EQ(pool.Size(), 1u);
    EXPECT_TRUE(pool.Exists(c->GetHash()));
    ASSERT_EQ(rec.removed.size(), 2u);
    EXPECT_EQ(rec.removed[0].reason, RemovalReason::REORG);
    EXPECT_EQ(rec.removed[1].reason, RemovalReason::REORG);
}

TEST(Mempool, AncestorCountLimitOnAChainOf25)
{
    TxMemPool pool{MempoolOptions{}};
    const MempoolLimits limits{};
    std::vector<TransactionRef> chain{MakeTx({Confirmed(1)})};
    Add(pool, chain[0], 1000);
    for (int i = 1; i < 25; ++i) {
        chain.push_back(MakeTx({Out(chain.back())}));
        ASSERT_TRUE(pool.CalculateAncestors(*chain.back(), SIZE_1_1, limits).has_value()) << i;
        Add(pool, chain.back(), 1000);
    }
    ExpectAggregates(pool, chain[0], {1, 82, 1000, 25, 25 * 82, 25'000});
    ExpectAggregates(pool, chain[24], {25, 25 * 82, 25'000, 1, 82, 1000});
    const auto next = MakeTx({Out(chain.back())});
    const auto result = pool.CalculateAncestors(*next, SIZE_1_1, limits);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message, "too many unconfirmed ancestors [limit: 25]");
    // A second child of chain[23] has 24 ancestors: within the ancestor limit, but the root
    // would get a 26th descendant.
    const auto side = MakeTx({Out(chain[23])}, 2);
    const auto side_result = pool.CalculateAncestors(*side, SIZE_1_2, limits);
    ASSERT_FALSE(side_result.has_value());
    EXPECT_EQ(side_result.error().message,
              "too many descendants for tx " + chain[0]->GetHash().GetHex() + " [limit: 25]");
    const MempoolLimits no_descendant_limit{25, 101'000, NO_LIMIT, NO_LIMIT};
    const auto relaxed = pool.CalculateAncestors(*side, SIZE_1_2, no_descendant_limit);
    ASSERT_TRUE(relaxed.has_value());
    EXPECT_EQ(relaxed->size(), 24u);
}

TEST(Mempool, DescendantCountLimitOnFanOut)
{
    TxMemPool pool{MempoolOptions{}};
    const MempoolLimits limits{};
    const auto parent = MakeTx({Confirmed(1)}, 30);
    const int64_t parent_size = 10 + 41 + 30 * 31;
    Add(pool, parent, 1000);
    for (uint32_t i = 0; i < 24; ++i)
        Add(pool, MakeTx({Out(parent, i)}), 100);
    ExpectAggregates(pool, parent, {1, parent_size, 1000, 25, parent_size + 24 * 82, 3400});
    const auto extra = MakeTx({Out(parent, 24)});
    const auto result = pool.CalculateAncestors(*extra, SIZE_1_1, limits);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message,
              "too many descendants for tx " + parent->GetHash().GetHex() + " [limit: 25]");
}

TEST(Mempool, TooManyParents)
{
    TxMemPool pool{MempoolOptions{}};
    std::vector<OutPoint> ins;
    for (int i = 0; i < 25; ++i) {
        const auto tx = MakeTx({Confirmed(i + 1)});
        Add(pool, tx, 100);
        ins.push_back(Out(tx));
    }
    const auto child = MakeTx(ins);
    const auto result = pool.CalculateAncestors(*child, 1000, MempoolLimits{});
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message, "too many unconfirmed parents [limit: 25]");
    // One parent fewer passes.
    ins.pop_back();
    EXPECT_TRUE(pool.CalculateAncestors(*MakeTx(ins), 1000, MempoolLimits{}).has_value());
}

TEST(Mempool, SizeLimits)
{
    TxMemPool pool{MempoolOptions{}};
    const auto a = MakeTx({Confirmed(1)});
    const auto b = MakeTx({Out(a)});
    Add(pool, a, 100);
    Add(pool, b, 100);
    const auto c = MakeTx({Out(b)});

    MempoolLimits ancestor_size = NO_LIMITS;
    ancestor_size.ancestor_size_vbytes = 245; // a + b + c = 246
    auto result = pool.CalculateAncestors(*c, SIZE_1_1, ancestor_size);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message, "exceeds ancestor size limit [limit: 245]");
    ancestor_size.ancestor_size_vbytes = 246;
    EXPECT_TRUE(pool.CalculateAncestors(*c, SIZE_1_1, ancestor_size).has_value());

    MempoolLimits descendant_size = NO_LIMITS;
    descendant_size.descendant_size_vbytes = 245; // b's package with c is 164, a's is 246
    result = pool.CalculateAncestors(*c, SIZE_1_1, descendant_size);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message,
              "exceeds descendant size limit for tx " + a->GetHash().GetHex() + " [limit: 245]");
}

TEST(Mempool, PackageLimits)
{
    TxMemPool pool{MempoolOptions{}};
    std::vector<TransactionRef> package;
    for (int i = 0; i < 26; ++i)
        package.push_back(MakeTx({Confirmed(i + 1)}));
    auto result = pool.CheckPackageLimits(package, 26 * 82, MempoolLimits{});
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message, "package count 26 exceeds ancestor count limit [limit: 25]");

    package.resize(2);
    result = pool.CheckPackageLimits(package, 200'000, MempoolLimits{});
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message,
              "package size 200000 exceeds ancestor size limit [limit: 101000]");

    // A parent in the pool with 24 descendants: one more package member is too many.
    const auto parent = MakeTx({Confirmed(100)}, 30);
    Add(pool, parent, 1000);
    for (uint32_t i = 0; i < 23; ++i)
        Add(pool, MakeTx({Out(parent, i)}), 100);
    const std::vector<TransactionRef> pkg{MakeTx({Out(parent, 28)}), MakeTx({Out(parent, 29)})};
    result = pool.CheckPackageLimits(pkg, 164, MempoolLimits{});
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message, "possibly too many descendants for tx " +
                                          parent->GetHash().GetHex() + " [limit: 25]");
    EXPECT_TRUE(pool.CheckPackageLimits({pkg[0]}, 82, MempoolLimits{}).has_value());
}

TEST(Mempool, TrimEvictsLowestDescendantScoreAndRaisesMinFee)
{
    int64_t now = 1'000'000;
    MempoolOptions options = FixedClock(&now);
    Recorder rec;
    TxMemPool pool{options, rec.Callbacks()};
    const auto cheap = MakeTx({Confirmed(1)});         // 10,000 sat/kvB
    const auto mid = MakeTx({Confirmed(2)});           // 20,000 sat/kvB
    const auto low_parent = MakeTx({Confirmed(3)});    // 1,000 sat/kvB alone ...
    const auto rich_child = MakeTx({Out(low_parent)}); // ... but its child pays 50,000
    Add(pool, cheap, 820);
    Add(pool, mid, 1640);
    Add(pool, low_parent, 82);
    Add(pool, rich_child, 4100);
    EXPECT_EQ(pool.GetMinFee(now), FeeRate{1000}); // min relay fee while nothing was evicted
    EXPECT_EQ(pool.RollingMinFee(now), FeeRate{0});

    std::vector<OutPoint> spends_left;
    pool.TrimToSize(static_cast<int64_t>(pool.DynamicMemoryUsage()) - 1, &spends_left);
    EXPECT_EQ(pool.Size(), 3u);
    EXPECT_FALSE(pool.Exists(cheap->GetHash()));
    ASSERT_EQ(spends_left.size(), 1u);
    EXPECT_EQ(spends_left[0], Confirmed(1));
    ASSERT_EQ(rec.removed.size(), 1u);
    EXPECT_EQ(rec.removed[0].reason, RemovalReason::SIZELIMIT);
    // 820 sat for 82 vB plus the 1,000 sat/kvB increment.
    EXPECT_EQ(pool.RollingMinFee(now), FeeRate{11'000});
    EXPECT_EQ(pool.GetMinFee(now), FeeRate{11'000});
    EXPECT_EQ(pool.Info().min_fee, FeeRate{11'000});
    // No decay without a block.
    EXPECT_EQ(pool.GetMinFee(now + 10 * 86400), FeeRate{11'000});

    // Next to go: mid (20,000) rather than the parent whose package pays 25,500.
    pool.TrimToSize(static_cast<int64_t>(pool.DynamicMemoryUsage()) - 1);
    EXPECT_FALSE(pool.Exists(mid->GetHash()));
    EXPECT_EQ(pool.RollingMinFee(now), FeeRate{21'000});
    // Then parent and child together: (82 + 4100) * 1000 / 164 = 25,500, plus 1,000.
    pool.TrimToSize(static_cast<int64_t>(pool.DynamicMemoryUsage()) - 1);
    EXPECT_EQ(pool.Size(), 0u);
    EXPECT_EQ(pool.RollingMinFee(now), FeeRate{26'500});
    EXPECT_EQ(pool.DynamicMemoryUsage(), 0u);
}

TEST(Mempool, EvictionTieGoesToTheNewerEntry)
{
    TxMemPool pool{MempoolOptions{}};
    const auto older = MakeTx({Confirmed(1)});
    const auto newer = MakeTx({Confirmed(2)});
    Add(pool, older, 500, 100);
    Add(pool, newer, 500, 200);
    pool.TrimToSize(static_cast<int64_t>(pool.DynamicMemoryUsage()) - 1);
    EXPECT_TRUE(pool.Exists(older->GetHash()));
    EXPECT_FALSE(pool.Exists(newer->GetHash()));
}

TEST(Mempool, RollingMinFeeDecaysAfterABlock)
{
    int64_t now = 1'000'000;
    MempoolOptions options = FixedClock(&now);
    options.max_size_bytes = 300'000'000; // usage far below a quarter: half-life 3 hours
    TxMemPool pool{options};
    Add(pool, MakeTx({Confirmed(1)}), 820);
    Add(pool, MakeTx({Confirmed(2)}), 8200);
    pool.TrimToSize(static_cast<int64_t>(pool.DynamicMemoryUsage()) - 1);
    ASSERT_EQ(pool.RollingMinFee(now), FeeRate{11'000});

    pool.RemoveForBlock({});
    EXPECT_EQ(pool.RollingMinFee(now + 10), FeeRate{11'000}); // looks again after 10 s only
    EXPECT_EQ(pool.RollingMinFee(now + 3 * 3600), FeeRate{5500});
    EXPECT_EQ(pool.RollingMinFee(now + 6 * 3600), FeeRate{2750});
    EXPECT_EQ(pool.GetMinFee(now + 6 * 3600), FeeRate{2750});
    // 2750 / 2^2 = 687.5 rounds to 688, still above half the increment.
    EXPECT_EQ(pool.RollingMinFee(now + 12 * 3600), FeeRate{1000}); // floor: the increment
    // Below half the incremental relay fee it drops to nothing.
    EXPECT_EQ(pool.RollingMinFee(now + 15 * 3600), FeeRate{0});
    EXPECT_EQ(pool.GetMinFee(now + 15 * 3600), FeeRate{1000});
    now += 15 * 3600;
    pool.SetLoaded();
    EXPECT_EQ(pool.Info().min_fee, FeeRate{1000});
}

TEST(Mempool, HalfLifeDependsOnHowFullThePoolIs)
{
    for (const auto& [fraction, halflife] :
         std::vector<std::pair<double, int64_t>>{{0.3, 6 * 3600}, {0.9, 12 * 3600}}) {
        int64_t now = 1'000'000;
        MempoolOptions options = FixedClock(&now);
        TxMemPool pool{options};
        Add(pool, MakeTx({Confirmed(1)}), 820);
        for (int i = 2; i < 40; ++i)
            Add(pool, MakeTx({Confirmed(i)}), 8200);
        pool.TrimToSize(static_cast<int64_t>(pool.DynamicMemoryUsage()) - 1);
        ASSERT_EQ(pool.RollingMinFee(now), FeeRate{11'000});
        // Rebuild with a size limit that puts the remaining usage at `fraction`.
        MempoolOptions sized = options;
        sized.max_size_bytes = static_cast<int64_t>(pool.DynamicMemoryUsage() / fraction);
        TxMemPool pool2{sized};
        Add(pool2, MakeTx({Confirmed(1)}), 820);
        for (int i = 2; i < 40; ++i)
            Add(pool2, MakeTx({Confirmed(i)}), 8200);
        pool2.TrimToSize(static_cast<int64_t>(pool2.DynamicMemoryUsage()) - 1);
        pool2.RemoveForBlock({});
        EXPECT_EQ(pool2.RollingMinFee(now + halflife), FeeRate{5500}) << fraction;
    }
}

TEST(Mempool, ExpireRemovesOldEntriesWithDescendants)
{
    Recorder rec;
    TxMemPool pool{MempoolOptions{}, rec.Callbacks()};
    const int64_t expiry = 336 * 3600;
    const auto old_parent = MakeTx({Confirmed(1)});
    const auto young_child = MakeTx({Out(old_parent)});
    const auto young = MakeTx({Confirmed(2)});
    const auto old_alone = MakeTx({Confirmed(3)});
    Add(pool, old_parent, 100, 1000);
    Add(pool, young_child, 100, 1000 + expiry);
    Add(pool, young, 100, 1000 + expiry);
    Add(pool, old_alone, 100, 1001);
    // Cut-off is now - expiry; an entry exactly at it stays.
    EXPECT_EQ(pool.Expire(1000 + expiry), 0u);
    EXPECT_EQ(pool.Expire(1001 + expiry), 2u);
    EXPECT_EQ(pool.Size(), 2u);
    EXPECT_TRUE(pool.Exists(old_alone->GetHash()));
    EXPECT_TRUE(pool.Exists(young->GetHash()));
    for (const auto& ev : rec.removed)
        EXPECT_EQ(ev.reason, RemovalReason::EXPIRY);
}

TEST(Mempool, PrioritisationBeforeAndAfterArrival)
{
    TxMemPool pool{MempoolOptions{}};
    const auto a = MakeTx({Confirmed(1)});
    const auto b = MakeTx({Out(a)});
    const auto c = MakeTx({Out(b)});
    pool.PrioritiseTransaction(b->GetHash(), 5000);
    EXPECT_EQ(pool.GetFeeDelta(b->GetHash()), 5000);
    Add(pool, a, 100);
    Add(pool, b, 200);
    Add(pool, c, 400);
    EXPECT_EQ(pool.Get(b->GetHash())->GetFee(), 200);
    EXPECT_EQ(pool.Get(b->GetHash())->GetModifiedFee(), 5200);
    ExpectAggregates(pool, a, {1, 82, 100, 3, 246, 5700});
    ExpectAggregates(pool, c, {3, 246, 5700, 1, 82, 400});
    EXPECT_EQ(pool.Info().total_fee, 700); // base fees

    // A negative delta on the middle transaction updates both sides.
    pool.PrioritiseTransaction(b->GetHash(), -5000);
    EXPECT_EQ(pool.GetFeeDelta(b->GetHash()), 0);
    EXPECT_TRUE(pool.FeeDeltas().empty());
    ExpectAggregates(pool, a, {1, 82, 100, 3, 246, 700});
    ExpectAggregates(pool, b, {2, 164, 300, 2, 164, 600});
    ExpectAggregates(pool, c, {3, 246, 700, 1, 82, 400});

    pool.PrioritiseTransaction(c->GetHash(), -1000);
    ExpectAggregates(pool, a, {1, 82, 100, 3, 246, -300});
    // Confirmation clears the delta, for the confirmed and for conflicts.
    const auto conflict = MakeTx({Confirmed(9)});
    Add(pool, conflict, 100);
    pool.PrioritiseTransaction(conflict->GetHash(), 77);
    pool.RemoveForBlock({a, b, c, MakeTx({Confirmed(9)}, 2)});
    EXPECT_TRUE(pool.FeeDeltas().empty());
    EXPECT_EQ(pool.Size(), 0u);
}

TEST(Mempool, CoinsAndSpenders)
{
    TxMemPool pool{MempoolOptions{}};
    const auto a = MakeTx({Confirmed(1)}, 2);
    const auto b = MakeTx({Out(a, 1)});
    Add(pool, a, 100);
    Add(pool, b, 100);
    const auto coin = pool.GetCoin(Out(a, 1));
    ASSERT_TRUE(coin.has_value());
    EXPECT_EQ(coin->height, kernel::MEMPOOL_HEIGHT);
    EXPECT_FALSE(coin->coinbase);
    EXPECT_EQ(coin->out, a->vout[1]);
    EXPECT_FALSE(pool.GetCoin(Out(a, 2)).has_value());
    EXPECT_FALSE(pool.GetCoin(Confirmed(1)).has_value());
    ASSERT_NE(pool.GetSpender(Out(a, 1)), nullptr);
    EXPECT_EQ(pool.GetSpender(Out(a, 1))->GetTx().GetHash(), b->GetHash());
    EXPECT_EQ(pool.GetSpender(Out(a, 0)), nullptr);
    EXPECT_EQ(pool.GetSpender(Confirmed(1))->GetTx().GetHash(), a->GetHash());
    EXPECT_EQ(pool.GetByWtxid(b->GetWitnessHash()), pool.Get(b->GetHash()));
    EXPECT_EQ(pool.GetByWtxid(ConfirmedTxid(1)), nullptr);
}

TEST(Mempool, DependencyOrderPutsParentsFirst)
{
    TxMemPool pool{MempoolOptions{}};
    const auto a = MakeTx({Confirmed(1)}, 2);
    const auto b = MakeTx({Out(a, 0)});
    const auto c = MakeTx({Out(a, 1)});
    const auto d = MakeTx({Out(b), Out(c)});
    const auto e = MakeTx({Confirmed(2)});
    const auto f = MakeTx({Confirmed(3)});
    Add(pool, a, 1);
    Add(pool, b, 100'000);
    Add(pool, c, 50);
    Add(pool, d, 1'000'000);
    Add(pool, e, 10);
    Add(pool, f, 2000);
    const auto order = pool.EntriesInDependencyOrder();
    ASSERT_EQ(order.size(), 6u);
    std::vector<Uint256> txids;
    for (const auto* entry : order)
        txids.push_back(entry->GetTx().GetHash());
    // Depth 1 by fee rate (f, e, a), then depth 2 (b before c), then d.
    const std::vector<Uint256> want{f->GetHash(), e->GetHash(), a->GetHash(),
                                    b->GetHash(), c->GetHash(), d->GetHash()};
    EXPECT_EQ(txids, want);
}

TEST(Mempool, SequenceNumbersAndInfo)
{
    Recorder rec;
    TxMemPool pool{MempoolOptions{}, rec.Callbacks()};
    EXPECT_EQ(pool.CurrentSequence(), 1u);
    EXPECT_FALSE(pool.Info().loaded);
    const auto a = MakeTx({Confirmed(1)});
    const auto b = MakeTx({Confirmed(2)});
    const auto& ea = Add(pool, a, 100);
    EXPECT_EQ(ea.GetSequence(), 1u);
    Add(pool, b, 300);
    EXPECT_EQ(pool.CurrentSequence(), 3u);
    EXPECT_EQ(rec.added, (std::vector<Uint256>{a->GetHash(), b->GetHash()}));
    auto info = pool.Info();
    EXPECT_EQ(info.size, 2u);
    EXPECT_EQ(info.bytes, 164u);
    EXPECT_EQ(info.total_fee, 400);
    EXPECT_EQ(info.usage, pool.DynamicMemoryUsage());
    EXPECT_GT(info.usage, 2u * 82u);
    EXPECT_EQ(info.max_size_bytes, 300'000'000);
    EXPECT_EQ(info.min_relay_fee, FeeRate{1000});
    EXPECT_EQ(info.incremental_relay_fee, FeeRate{1000});
    pool.AddUnbroadcast(a->GetHash());
    pool.AddUnbroadcast(ConfirmedTxid(77)); // not in the pool: ignored
    EXPECT_EQ(pool.Info().unbroadcast_count, 1u);
    pool.RemoveRecursive(a->GetHash(), RemovalReason::REPLACED);
    ASSERT_EQ(rec.removed.size(), 1u);
    EXPECT_EQ(rec.removed[0].sequence, 3u);
    EXPECT_EQ(pool.CurrentSequence(), 4u);
    EXPECT_EQ(pool.Info().unbroadcast_count, 0u);
    EXPECT_FALSE(pool.IsUnbroadcast(a->GetHash()));
    pool.SetLoaded();
    EXPECT_TRUE(pool.Info().loaded);
    EXPECT_EQ(kernel::RemovalReasonName(RemovalReason::SIZELIMIT), "sizelimit");
    EXPECT_EQ(kernel::RemovalReasonName(RemovalReason::REPLACED), "replaced");
}

TEST(Mempool, UsageReturnsToZeroWhenEmpty)
{
    TxMemPool pool{MempoolOptions{}};
    EXPECT_EQ(pool.DynamicMemoryUsage(), 0u);
    const auto a = MakeTx({Confirmed(1)}, 2);
    const auto b = MakeTx({Out(a, 0)});
    const auto c = MakeTx({Out(a, 1), Out(b)});
    Add(pool, a, 100);
    const size_t one = pool.DynamicMemoryUsage();
    Add(pool, b, 100);
    Add(pool, c, 100);
    EXPECT_GT(pool.DynamicMemoryUsage(), one);
    pool.RemoveForBlock({a}); // links from a go, b and c stay linked
    pool.RemoveForBlock({b});
    pool.RemoveForBlock({c});
    EXPECT_EQ(pool.DynamicMemoryUsage(), 0u);
}

// ---- mempool.dat -----------------------------------------------------------

std::vector<uint8_t> ReadAll(const std::filesystem::path& path)
{
    std::ifstream in{path, std::ios::binary};
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

void WriteAll(const std::filesystem::path& path, const std::vector<uint8_t>& data)
{
    // A fresh file each time: truncating one that has data makes ext4 flush it on close,
    // which turns the byte-by-byte loops below into seconds.
    std::error_code ec;
    std::filesystem::remove(path, ec);
    std::ofstream out{path, std::ios::binary | std::ios::trunc};
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
}

uint64_t ReadU64(const std::vector<uint8_t>& data, size_t pos)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | data[pos + static_cast<size_t>(i)];
    return v;
}

// What a node's acceptance would do, minus the checks: add with the dumped time.
auto Acceptor(TxMemPool& pool, std::vector<std::pair<Uint256, int64_t>>* seen = nullptr)
{
    return [&pool, seen](const TransactionRef& tx, int64_t time) {
        if (seen) seen->emplace_back(tx->GetHash(), time);
        if (pool.Exists(tx->GetHash())) return false;
        for (const auto& in : tx->vin)
            if (pool.GetSpender(in.prevout)) return false;
        Add(pool, tx, 1000, time);
        return true;
    };
}

struct DumpFixture
{
    int64_t now{2'000'000};
    TransactionRef a{MakeTx({Confirmed(1)}, 2)};
    TransactionRef b{MakeTx({Out(a, 0)})};
    TransactionRef c{MakeTx({Out(b)})};
    TransactionRef d{MakeTx({Confirmed(2)})};
    Uint256 absent{ConfirmedTxid(55)};

    void Fill(TxMemPool& pool)
    {
        // Added child-first order is impossible; give later entries earlier times so the
        // dump's order must come from dependencies, not time.
        Add(pool, a, 1000, now - 10);
        Add(pool, b, 1000, now - 20);
        Add(pool, c, 1000, now - 30);
        Add(pool, d, 1000, now - 40);
        pool.PrioritiseTransaction(b->GetHash(), 333);
        pool.PrioritiseTransaction(absent, -44);
        pool.AddUnbroadcast(c->GetHash());
    }
};

TEST(MempoolPersist, RoundTrip)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "mempool.dat";
    DumpFixture fx;
    {
        TxMemPool pool{FixedClock(&fx.now)};
        fx.Fill(pool);
        ASSERT_TRUE(pool.Dump(file).has_value());
    }
    EXPECT_FALSE(std::filesystem::exists(dir.Path() / "mempool.dat.new"));

    TxMemPool loaded{FixedClock(&fx.now)};
    std::vector<std::pair<Uint256, int64_t>> seen;
    const auto result = loaded.Load(file, Acceptor(loaded, &seen));
    ASSERT_TRUE(result.has_value()) << result.error().message;
    EXPECT_EQ(*result, 4u);
    ASSERT_EQ(seen.size(), 4u);
    // Parents before children, whatever the times.
    auto pos = [&](const Uint256& txid) {
        return std::find_if(seen.begin(), seen.end(),
                            [&](const auto& s) { return s.first == txid; }) -
               seen.begin();
    };
    EXPECT_LT(pos(fx.a->GetHash()), pos(fx.b->GetHash()));
    EXPECT_LT(pos(fx.b->GetHash()), pos(fx.c->GetHash()));
    EXPECT_EQ(seen[pos(fx.c->GetHash())].second, fx.now - 30);
    EXPECT_EQ(loaded.Get(fx.d->GetHash())->GetTime(), fx.now - 40);
    EXPECT_EQ(loaded.Get(fx.b->GetHash())->GetModifiedFee(), 1333);
    EXPECT_EQ(loaded.GetFeeDelta(fx.absent), -44);
    EXPECT_EQ(loaded.FeeDeltas().size(), 2u);
    EXPECT_TRUE(loaded.IsUnbroadcast(fx.c->GetHash()));
    EXPECT_EQ(loaded.UnbroadcastTxids().size(), 1u);
    ExpectAggregates(loaded, fx.a, {1, SIZE_1_2, 1000, 3, SIZE_1_2 + 164, 3333});
}

TEST(MempoolPersist, FileFormatIsCoreVersion2)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "mempool.dat";
    DumpFixture fx;
    TxMemPool pool{FixedClock(&fx.now)};
    fx.Fill(pool);
    ASSERT_TRUE(pool.Dump(file).has_value());
    std::vector<uint8_t> data = ReadAll(file);
    ASSERT_GT(data.size(), 17u + 8u);
    EXPECT_EQ(ReadU64(data, 0), 2u);
    EXPECT_EQ(data[8], 8u); // CompactSize length of the key
    const std::vector<uint8_t> key(data.begin() + 9, data.begin() + 17);
    // The key applies by absolute file offset.
    for (size_t i = 17; i < data.size(); ++i)
        data[i] ^= key[i % 8];
    EXPECT_EQ(ReadU64(data, 17), 4u); // transaction count
    // The last section: one unbroadcast txid; before it the one foreign delta.
    ASSERT_EQ(data[data.size() - 33], 1u);
    EXPECT_TRUE(std::equal(fx.c->GetHash().begin(), fx.c->GetHash().end(), data.end() - 32));
    const size_t delta_at = data.size() - 33 - 40 - 1;
    EXPECT_EQ(data[delta_at], 1u);
    EXPECT_TRUE(std::equal(fx.absent.begin(), fx.absent.end(), data.begin() + delta_at + 1));
    EXPECT_EQ(static_cast<int64_t>(ReadU64(data, delta_at + 33)), -44);
    // The first transaction: of the two roots paying 1000 sat, d is smaller (higher rate).
    const auto first = consensus::Encode(*fx.d);
    EXPECT_TRUE(std::equal(first.begin(), first.end(), data.begin() + 25));
    EXPECT_EQ(static_cast<int64_t>(ReadU64(data, 25 + first.size())), fx.now - 40);
    EXPECT_EQ(static_cast<int64_t>(ReadU64(data, 25 + first.size() + 8)), 0);
}

TEST(MempoolPersist, LoadsVersion1WithoutKey)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "mempool.dat";
    const int64_t now = 5'000'000;
    const auto tx = MakeTx({Confirmed(1)});
    std::vector<uint8_t> data;
    consensus::Writer w{data};
    consensus::WriteLE<uint64_t>(w, 1);
    consensus::WriteLE<uint64_t>(w, 1);
    tx->Serialize(w);
    consensus::WriteLE<int64_t>(w, now - 5);
    consensus::WriteLE<int64_t>(w, 250);
    consensus::WriteCompactSize(w, 0);
    consensus::WriteCompactSize(w, 0);
    WriteAll(file, data);
    TxMemPool pool{FixedClock(&now)};
    const auto result = pool.Load(file, Acceptor(pool));
    ASSERT_TRUE(result.has_value()) << result.error().message;
    EXPECT_EQ(*result, 1u);
    EXPECT_EQ(pool.Get(tx->GetHash())->GetModifiedFee(), 1250);
}

TEST(MempoolPersist, ExpiredEntriesAreSkippedButKeepTheirDelta)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "mempool.dat";
    DumpFixture fx;
    {
        TxMemPool pool{FixedClock(&fx.now)};
        fx.Fill(pool);
        ASSERT_TRUE(pool.Dump(file).has_value());
    }
    // 336 h later, d (time now - 40) and c (now - 30) are past the cut-off; a and b not.
    int64_t later = fx.now + 336 * 3600 - 25;
    TxMemPool pool{FixedClock(&later)};
    const auto result = pool.Load(file, Acceptor(pool));
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(*result, 2u);
    EXPECT_TRUE(pool.Exists(fx.a->GetHash()));
    EXPECT_TRUE(pool.Exists(fx.b->GetHash()));
    EXPECT_FALSE(pool.Exists(fx.c->GetHash()));
    EXPECT_FALSE(pool.IsUnbroadcast(fx.c->GetHash()));
}

TEST(MempoolPersist, EveryTruncationFailsCleanly)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "mempool.dat";
    DumpFixture fx;
    {
        TxMemPool pool{FixedClock(&fx.now)};
        fx.Fill(pool);
        ASSERT_TRUE(pool.Dump(file).has_value());
    }
    const std::vector<uint8_t> full = ReadAll(file);
    const auto cut = dir.Path() / "cut.dat";
    size_t max_partial = 0;
    for (size_t len = 0; len < full.size(); ++len) {
        WriteAll(cut, {full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len)});
        TxMemPool pool{FixedClock(&fx.now)};
        const auto result = pool.Load(cut, Acceptor(pool));
        ASSERT_FALSE(result.has_value()) << len;
        EXPECT_EQ(result.error().message.rfind("Failed to deserialize mempool data on disk: ", 0),
                  0u)
            << result.error().message;
        // What was read before the damage stays, as in Core.
        EXPECT_LE(pool.Size(), 4u);
        max_partial = std::max(max_partial, pool.Size());
    }
    EXPECT_EQ(max_partial, 4u); // a cut in the trailing sections keeps every transaction
}

TEST(MempoolPersist, DamagedBytesNeverCrash)
{
    testutil::TempDir dir;
    const auto file = dir.Path() / "mempool.dat";
    DumpFixture fx;
    {
        TxMemPool pool{FixedClock(&fx.now)};
        fx.Fill(pool);
        ASSERT_TRUE(pool.Dump(file).has_value());
    }
    const std::vector<uint8_t> full = ReadAll(file);
    const auto bad = dir.Path() / "bad.dat";
    for (size_t i = 0; i < full.size(); ++i) {
        std::vector<uint8_t> data = full;
        data[i] ^= 0x5a;
        WriteAll(bad, data);
        TxMemPool pool{FixedClock(&fx.now)};
        const auto result = pool.Load(bad, Acceptor(pool));
        // Garbage may even decode as an extra transaction (the real acceptance would refuse
        // it); what must hold is that the pool took exactly what was accepted.
        if (result) {
            EXPECT_EQ(*result, pool.Size()) << i;
        }
        EXPECT_EQ(pool.Info().size, pool.Size()) << i;
    }
    // A damaged version is refused outright.
    std::vector<uint8_t> data = full;
    data[0] = 3;
    WriteAll(bad, data);
    TxMemPool pool{FixedClock(&fx.now)};
    const auto result = pool.Load(bad, Acceptor(pool));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message,
              "Failed to deserialize mempool data on disk: unknown version 3");
    EXPECT_EQ(pool.Size(), 0u);
    // A flipped time byte still loads, with the changed time.
    data = full;
    const auto first = consensus::Encode(*fx.d);
    const size_t time_at = 25 + first.size();
    data[time_at + 7] ^= 0x01; // sign-side byte: an absurd future time
    WriteAll(bad, data);
    TxMemPool pool2{FixedClock(&fx.now)};
    const auto loaded = pool2.Load(bad, Acceptor(pool2));
    ASSERT_TRUE(loaded.has_value());
    EXPECT_EQ(*loaded, 4u);
    EXPECT_NE(pool2.Get(fx.d->GetHash())->GetTime(), fx.now - 40);
}

TEST(MempoolPersist, MissingFileIsAnError)
{
    testutil::TempDir dir;
    TxMemPool pool{MempoolOptions{}};
    const auto result = pool.Load(dir.Path() / "nope.dat", Acceptor(pool));
    ASSERT_FALSE(result.has_value());
    EXPECT_NE(result.error().message.find("Failed to open mempool file"), std::string::npos);
    EXPECT_FALSE(pool.Dump(dir.Path() / "no" / "such" / "dir.dat").has_value());
}

} // namespace
