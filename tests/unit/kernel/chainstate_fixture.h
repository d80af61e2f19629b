// Helpers shared by the chainstate tests (crash, reorg, reject, import): opening
// a ChainstateManager on a temporary directory, feeding it blocks, comparing
// UTXO sets by their digest, and growing the branches of a fork on a regtest
// chain with real P2WPKH and P2TR spends.
#pragma once

#include <common/chainparams.h>
#include <consensus/amount.h>
#include <consensus/block.h>
#include <consensus/transaction.h>
#include <kernel/chainstate.h>
#include <testutil/chain_builder.h>
#include <testutil/test_dir.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace kernel_test {

using BlockRef = std::shared_ptr<const consensus::Block>;
using Blocks = std::vector<BlockRef>;

// Fee every transaction the chainstate tests build pays.
inline constexpr consensus::Amount FEE = 1000;

// Options for a chainstate of `params` in `dir`; tests set the rest themselves.
inline kernel::ChainstateOptions BasicOptions(const common::ChainParams& params,
                                              const std::filesystem::path& dir, int script_threads)
{
    kernel::ChainstateOptions options;
    options.params = &params;
    options.data_dir = dir;
    options.script_threads = script_threads;
    return options;
}

// Opens a chainstate; a failure fails the test and gives nullptr.
inline std::unique_ptr<kernel::ChainstateManager> OpenChainstate(kernel::ChainstateOptions options)
{
    auto opened = kernel::ChainstateManager::Open(std::move(options));
    EXPECT_TRUE(opened) << (opened ? "" : opened.error().message);
    return opened ? std::move(*opened) : nullptr;
}

// Submits the blocks in order; each must be accepted and no fatal error may follow.
inline void Feed(kernel::ChainstateManager& node, const Blocks& blocks)
{
    for (const auto& block : blocks) {
        consensus::BlockValidationState state;
        ASSERT_TRUE(node.ProcessNewBlock(block, state)) << state.ToString();
    }
    ASSERT_FALSE(node.FatalError().has_value()) << node.FatalError()->message;
}

// The node's UTXO statistics; a failure fails the test and gives empty statistics.
inline kernel::CoinsStats Stats(kernel::ChainstateManager& node)
{
    auto stats = node.GetCoinsStats();
    EXPECT_TRUE(stats) << (stats ? "" : stats.error().message);
    return stats ? *stats : kernel::CoinsStats{};
}

// Two UTXO sets are the same: same tip, digest, count and total.
inline void ExpectSameSet(const kernel::CoinsStats& got, const kernel::CoinsStats& want)
{
    EXPECT_EQ(got.best_block, want.best_block);
    EXPECT_EQ(got.hash_serialized, want.hash_serialized);
    EXPECT_EQ(got.txouts, want.txouts);
    EXPECT_EQ(got.total_amount, want.total_amount);
}

// One branch of a fork: its blocks and the coins a next block on it may spend
// (the builder's own coin list follows every branch at once, so it cannot say).
struct Branch
{
    consensus::Uint256 tip;
    Blocks blocks;
    std::deque<testutil::OwnedCoin> pool;
};

// What one block added to a branch holds.
struct ExtendSpec
{
    //! Confirmed first; their inputs leave the pool, their outputs join it last.
    std::vector<consensus::TransactionRef> extra;
    //! Spends after `extra`: alternately the oldest coin (into two P2WPKH
    //! outputs) and the newest (into `fan` P2TR outputs).
    int spends{2};
    size_t fan{1};
    //! Coinbase pays P2TR on the branch's odd blocks instead of always P2WPKH.
    bool alternate_coinbase{false};
};

// A regtest chain of `base` blocks built by a seeded ChainBuilder, from whose
// tip the tests grow branches and which they feed to fresh chainstates.
class BranchTest : public ::testing::Test
{
protected:
    explicit BranchTest(uint64_t seed) : m_builder{*m_params, seed} {}

    // Builds the base chain (3 signed inputs a block once coins mature) and
    // the coins spendable on top of it; at least 8.
    void GenerateBase(int height, testutil::GenerateStats* totals = nullptr)
    {
        auto generated = m_builder.Generate(height, 3, [&](const consensus::Block& block) {
            m_base.push_back(std::make_shared<const consensus::Block>(block));
        });
        ASSERT_TRUE(generated) << generated.error().message;
        if (totals) *totals = *generated;
        m_fork = m_builder.Tip().hash;
        m_spendable = m_builder.SpendableCoins(height + 1);
        ASSERT_GE(m_spendable.size(), 8u);
    }

    kernel::ChainstateOptions Options(const std::filesystem::path& dir) const
    {
        return BasicOptions(*m_params, dir, 1);
    }

    std::unique_ptr<kernel::ChainstateManager> Open(kernel::ChainstateOptions options)
    {
        return OpenChainstate(std::move(options));
    }

    std::unique_ptr<kernel::ChainstateManager> Open(const std::filesystem::path& dir)
    {
        return Open(Options(dir));
    }

    // The statistics of a fresh node fed only these blocks, in order.
    kernel::CoinsStats Straight(std::initializer_list<const Blocks*> segments)
    {
        testutil::TempDir dir;
        auto node = Open(dir.Path());
        if (!node) return {};
        for (const Blocks* segment : segments)
            Feed(*node, *segment);
        return Stats(*node);
    }

    // A branch from the fork point; `reversed` makes it pick coins in the
    // opposite order, so two branches spend many of the same coins differently.
    Branch StartBranch(bool reversed) const
    {
        Branch branch;
        branch.tip = m_fork;
        branch.pool.assign(m_spendable.begin(), m_spendable.end());
        if (reversed) std::reverse(branch.pool.begin(), branch.pool.end());
        return branch;
    }

    // Branches `a` (coins oldest first) and `b` (reversed) from the fork point,
    // `a_blocks` and `b_blocks` long, each block grown as `spec` says.
    void BuildFork(Branch& a, int a_blocks, Branch& b, int b_blocks, const ExtendSpec& spec)
    {
        a = StartBranch(false);
        b = StartBranch(true);
        for (int i = 0; i < a_blocks; ++i)
            ASSERT_NO_FATAL_FAILURE(ExtendBranch(a, spec));
        for (int i = 0; i < b_blocks; ++i)
            ASSERT_NO_FATAL_FAILURE(ExtendBranch(b, spec));
    }

    // Adds one block to the branch as `spec` says. Spent coins leave the pool,
    // new ones join it.
    void ExtendBranch(Branch& branch, ExtendSpec spec)
    {
        using testutil::OutputKind;
        using testutil::OwnedCoin;
        auto leave = [&](const consensus::OutPoint& outpoint) {
            std::erase_if(branch.pool, [&](const OwnedCoin& c) { return c.outpoint == outpoint; });
        };
        std::vector<consensus::TransactionRef> txs;
        const size_t extra_count = spec.extra.size();
        for (auto& tx : spec.extra) {
            for (const auto& in : tx->vin)
                leave(in.prevout);
            txs.push_back(std::move(tx));
        }
        for (int i = 0; i < spec.spends && !branch.pool.empty(); ++i) {
            const bool oldest = i % 2 == 0;
            const OwnedCoin coin = oldest ? branch.pool.front() : branch.pool.back();
            if (oldest) {
                branch.pool.pop_front();
            } else {
                branch.pool.pop_back();
            }
            auto tx = m_builder.CreateSpend({&coin, 1}, oldest ? 2 : spec.fan,
                                            oldest ? OutputKind::P2WPKH : OutputKind::P2TR, FEE);
            ASSERT_TRUE(tx) << tx.error().message;
            txs.push_back(*tx);
        }
        testutil::BlockOptions options;
        options.parent = branch.tip;
        options.fees = FEE * static_cast<consensus::Amount>(txs.size());
        if (spec.alternate_coinbase) {
            options.coinbase_kind =
                branch.blocks.size() % 2 ? OutputKind::P2TR : OutputKind::P2WPKH;
        }
        auto block = m_builder.BuildBlock(txs, options);
        ASSERT_TRUE(block) << block.error().message;
        auto ref = std::make_shared<const consensus::Block>(std::move(*block));
        branch.tip = ref->GetHash();
        branch.blocks.push_back(ref);

        // Outputs of `extra` join last, so the next block spends one of them.
        std::map<consensus::OutPoint, OwnedCoin> owned;
        for (const auto& coin : m_builder.Coins())
            owned.emplace(coin.outpoint, coin);
        std::rotate(txs.begin(), txs.begin() + static_cast<std::ptrdiff_t>(extra_count), txs.end());
        for (const auto& tx : txs) {
            for (uint32_t n = 0; n < tx->vout.size(); ++n) {
                const auto it = owned.find(consensus::OutPoint{tx->GetHash(), n});
                ASSERT_NE(it, owned.end()) << "builder lost output " << n;
                branch.pool.push_back(it->second);
            }
        }
    }

    std::unique_ptr<const common::ChainParams> m_params = common::ChainParams::RegTest();
    testutil::ChainBuilder m_builder;
    Blocks m_base;
    consensus::Uint256 m_fork;
    std::vector<testutil::OwnedCoin> m_spendable;
};

} // namespace kernel_test
