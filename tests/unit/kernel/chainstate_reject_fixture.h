// The fixture of the reject tests (chainstate_reject_header_tests.cpp,
// chainstate_reject_connect_tests.cpp): every reject string of block
// validation, provoked on regtest blocks from the chain builder and fed through
// the real ChainstateManager. Each test asserts the exact string (and result),
// that neither the tip nor the UTXO digest moved, and that a valid sibling is
// accepted afterwards.
//
// One chainstate is shared by the whole suite, across both files (maturing
// coins takes ~100 blocks); every test builds on whatever the active tip is
// when it starts, so the tests are independent of their order. The fixture
// lives in a named namespace so both files' tests form one suite.
#pragma once

#include "chainstate_fixture.h"

#include <common/chainparams.h>
#include <consensus/block_check.h>
#include <consensus/script/script.h>
#include <kernel/chainstate.h>
#include <kernel/notifications.h>
#include <testutil/chain_builder.h>
#include <testutil/test_dir.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace kernel_test {

using consensus::Amount;
using consensus::Block;
using consensus::BlockHeader;
using consensus::BlockResult;
using consensus::BlockValidationState;
using consensus::MutableTransaction;
using consensus::OutPoint;
using consensus::Script;
using consensus::Transaction;
using consensus::TransactionRef;
using consensus::TxIn;
using consensus::TxOut;
using consensus::Uint256;
using testutil::BlockOptions;
using testutil::OutputKind;
using testutil::OwnedCoin;

// Blocks mined before the tests start: coinbases of heights 1..3 mature at 103.
inline constexpr int SETUP_BLOCKS = 105;
// Coins of each template the setup fans out for the tests to spend.
inline constexpr size_t POOL_PER_KIND = 30;

// A script of `count` copies of one opcode (a sigop-heavy output).
inline Script Repeated(consensus::Opcode op, size_t count)
{
    return Script{std::vector<uint8_t>(count, static_cast<uint8_t>(op))};
}

// Remembers the outcome of each block's full validation, by hash.
class CheckedRecorder : public kernel::ValidationEvents
{
public:
    void BlockChecked(const Block& block, const BlockValidationState& state) override
    {
        m_states.insert_or_assign(block.GetHash(), state);
    }
    std::optional<BlockValidationState> Get(const Uint256& hash) const
    {
        const auto it = m_states.find(hash);
        if (it == m_states.end()) return std::nullopt;
        return it->second;
    }
    void Clear() { m_states.clear(); }

private:
    std::unordered_map<Uint256, BlockValidationState, consensus::BlobHasher> m_states;
};

// Tip and UTXO digest at one moment.
struct Snapshot
{
    const kernel::BlockIndex* tip{nullptr};
    kernel::CoinsStats stats{};
};

class ChainstateRejectTest : public ::testing::Test
{
protected:
    struct Shared
    {
        std::unique_ptr<const common::ChainParams> params;
        std::unique_ptr<testutil::TempDir> dir;
        std::atomic<int64_t> now{0};
        std::unique_ptr<kernel::ChainstateManager> chainman;
        std::shared_ptr<CheckedRecorder> recorder;
        std::unique_ptr<testutil::ChainBuilder> builder;
        std::map<OutputKind, std::vector<OwnedCoin>> pool;
        bool ready{false};
    };
    static inline std::unique_ptr<Shared> s_shared;

    static void SetUpTestSuite()
    {
        auto shared = std::make_unique<Shared>();
        shared->params = common::ChainParams::RegTest();
        shared->dir = std::make_unique<testutil::TempDir>();
        shared->now = int64_t{shared->params->GenesisBlock().header.time} + 24 * 60 * 60;
        Shared* raw = shared.get();
        auto options = BasicOptions(*shared->params, shared->dir->Path(), 2);
        options.coins_cache_bytes = 16 << 20;
        options.clock = [raw] { return raw->now.load(); };
        shared->chainman = OpenChainstate(std::move(options));
        if (!shared->chainman) return;
        shared->recorder = std::make_shared<CheckedRecorder>();
        shared->chainman->Signals().Register(shared->recorder);
        shared->builder = std::make_unique<testutil::ChainBuilder>(*shared->params, 4, 16);
        s_shared = std::move(shared);

        auto& chainman = *s_shared->chainman;
        auto& builder = *s_shared->builder;
        for (int i = 0; i < SETUP_BLOCKS; ++i) {
            BlockOptions opts;
            opts.parent = chainman.Tip()->hash;
            auto block = builder.BuildBlock({}, opts);
            if (!block) {
                ADD_FAILURE() << block.error().message;
                return;
            }
            BlockValidationState state;
            if (!chainman.ProcessNewBlock(std::make_shared<const Block>(*block), state) ||
                chainman.Tip()->hash != block->GetHash()) {
                ADD_FAILURE() << "setup block " << i << " not connected: " << state.ToString();
                return;
            }
        }
        // Fan the coinbases of heights 1..3 out into small coins of each template.
        const OutputKind kinds[] = {OutputKind::P2WPKH, OutputKind::P2TR, OutputKind::P2PKH};
        std::vector<TransactionRef> fan_out;
        for (int h = 1; h <= 3; ++h) {
            auto coin = OwnCoinbase(h);
            if (!coin) {
                ADD_FAILURE() << "coinbase " << h << " not owned";
                return;
            }
            auto tx = builder.CreateSpend(std::span{&*coin, 1}, POOL_PER_KIND, kinds[h - 1], FEE);
            if (!tx) {
                ADD_FAILURE() << tx.error().message;
                return;
            }
            fan_out.push_back(*tx);
        }
        BlockOptions opts;
        opts.parent = chainman.Tip()->hash;
        opts.fees = 3 * FEE;
        auto block = builder.BuildBlock(fan_out, opts);
        BlockValidationState state;
        if (!block || !chainman.ProcessNewBlock(std::make_shared<const Block>(*block), state) ||
            chainman.Tip()->hash != block->GetHash()) {
            ADD_FAILURE() << "fan-out block not connected " << state.ToString();
            return;
        }
        for (const auto& coin : builder.Coins()) {
            for (const auto& tx : fan_out) {
                if (coin.outpoint.hash == tx->GetHash()) s_shared->pool[coin.kind].push_back(coin);
            }
        }
        for (OutputKind kind : kinds) {
            if (s_shared->pool[kind].size() != POOL_PER_KIND) {
                ADD_FAILURE() << "coin pool incomplete";
                return;
            }
        }
        s_shared->ready = true;
    }

    static void TearDownTestSuite()
    {
        if (!s_shared) return;
        // The chainstate flushes into the directory, so it goes first.
        s_shared->chainman.reset();
        s_shared->builder.reset();
        s_shared.reset();
    }

    void SetUp() override { ASSERT_TRUE(s_shared && s_shared->ready) << "suite setup failed"; }

    static kernel::ChainstateManager& Chainman() { return *s_shared->chainman; }
    static testutil::ChainBuilder& Builder() { return *s_shared->builder; }
    static const consensus::ConsensusParams& Consensus()
    {
        return s_shared->params->GetConsensus();
    }

    // The coinbase of the active block at `height` as a coin the builder can
    // sign for (matched by script, so blocks whose coinbase a test rebuilt work too).
    static std::optional<OwnedCoin> OwnCoinbase(int height)
    {
        const kernel::BlockIndex* index = Chainman().ActiveChain()[height];
        if (!index) return std::nullopt;
        auto block = Chainman().ReadBlock(*index);
        if (!block) return std::nullopt;
        const Transaction& cb = *block->vtx[0];
        for (uint32_t key = 0; key < 16; ++key) {
            for (OutputKind kind : {OutputKind::P2WPKH, OutputKind::P2TR, OutputKind::P2PKH}) {
                if (Builder().ScriptFor(key, kind) != cb.vout[0].script_pubkey) continue;
                OwnedCoin coin;
                coin.outpoint = OutPoint{cb.GetHash(), 0};
                coin.txout = cb.vout[0];
                coin.height = height;
                coin.coinbase = true;
                coin.kind = kind;
                coin.key_index = key;
                return coin;
            }
        }
        return std::nullopt;
    }

    static int TipHeight() { return Chainman().Tip()->height; }

    // Options for a block on the active tip (the builder's own tip may be an
    // invalid block a test built).
    static BlockOptions OnTip(Amount fees = 0)
    {
        BlockOptions opts;
        opts.parent = Chainman().Tip()->hash;
        opts.fees = fees;
        return opts;
    }

    static Block Build(std::vector<TransactionRef> txs = {}, const BlockOptions& opts = OnTip())
    {
        auto block = Builder().BuildBlock(std::move(txs), opts);
        EXPECT_TRUE(block) << (block ? "" : block.error().message);
        return block ? *block : Block{};
    }

    static OwnedCoin TakeCoin(OutputKind kind)
    {
        auto& coins = s_shared->pool[kind];
        EXPECT_FALSE(coins.empty()) << "coin pool exhausted";
        if (coins.empty()) return OwnedCoin{};
        OwnedCoin coin = coins.back();
        coins.pop_back();
        return coin;
    }

    // A signed spend of `coins` into one P2WPKH output, paying FEE.
    static TransactionRef Spend(std::vector<OwnedCoin> coins, Amount fee = FEE)
    {
        auto tx = Builder().CreateSpend(coins, 1, OutputKind::P2WPKH, fee);
        EXPECT_TRUE(tx) << (tx ? "" : tx.error().message);
        return tx ? *tx : TransactionRef{};
    }

    // An unsigned-then-signed transaction built field by field.
    static TransactionRef SignedTx(MutableTransaction tx, const std::vector<OwnedCoin>& coins)
    {
        auto signed_ok = Builder().Sign(tx, coins);
        EXPECT_TRUE(signed_ok) << (signed_ok ? "" : signed_ok.error().message);
        return consensus::MakeTransactionRef(std::move(tx));
    }

    static MutableTransaction SpendingTx(const std::vector<OwnedCoin>& coins, Amount fee = FEE)
    {
        MutableTransaction tx;
        Amount total = 0;
        for (const auto& coin : coins) {
            TxIn in;
            in.prevout = coin.outpoint;
            tx.vin.push_back(in);
            total += coin.txout.value;
        }
        tx.vout.push_back(TxOut{total - fee, Builder().NextScript(OutputKind::P2WPKH)});
        return tx;
    }

    // A spend of `coins` (P2WPKH: one witness sigop each) with an extra zero-value
    // output of `count` copies of `op`, which only the legacy count sees.
    static TransactionRef SigopsTx(const std::vector<OwnedCoin>& coins, consensus::Opcode op,
                                   size_t count)
    {
        MutableTransaction tx = SpendingTx(coins);
        tx.vout.push_back(TxOut{0, Repeated(op, count)});
        return SignedTx(std::move(tx), coins);
    }

    static bool Finalize(Block& block, bool update_witness_commitment = true)
    {
        return testutil::FinalizeBlock(block, Consensus(), update_witness_commitment);
    }

    static Snapshot Take()
    {
        Snapshot snap;
        snap.tip = Chainman().Tip();
        auto stats = Chainman().GetCoinsStats();
        EXPECT_TRUE(stats) << (stats ? "" : stats.error().message);
        if (stats) snap.stats = *stats;
        return snap;
    }

    static ::testing::AssertionResult Unchanged(const Snapshot& before)
    {
        const Snapshot after = Take();
        if (after.tip != before.tip) {
            return ::testing::AssertionFailure()
                   << "tip moved from " << before.tip->height << " to " << after.tip->height;
        }
        if (after.stats.hash_serialized != before.stats.hash_serialized ||
            after.stats.txouts != before.stats.txouts ||
            after.stats.total_amount != before.stats.total_amount ||
            after.stats.best_block != before.stats.best_block) {
            return ::testing::AssertionFailure() << "UTXO set changed";
        }
        return ::testing::AssertionSuccess();
    }

    static ::testing::AssertionResult StateIs(const BlockValidationState& state,
                                              const std::string& reason, BlockResult result)
    {
        if (state.IsValid()) return ::testing::AssertionFailure() << "state is valid";
        if (state.GetRejectReason() != reason) {
            return ::testing::AssertionFailure() << "reject reason '" << state.GetRejectReason()
                                                 << "' instead of '" << reason << "'";
        }
        if (state.GetResult() != result) {
            return ::testing::AssertionFailure()
                   << "result " << static_cast<int>(state.GetResult()) << " instead of "
                   << static_cast<int>(result) << " (" << reason << ")";
        }
        return ::testing::AssertionSuccess();
    }

    // Rejected by ProcessNewBlock itself (headers, CheckBlock, ContextualCheckBlock).
    static ::testing::AssertionResult
    RejectedOnAccept(const Block& block, const std::string& reason, BlockResult result)
    {
        const Snapshot before = Take();
        const kernel::BlockIndex* known = Chainman().LookupBlockIndex(block.GetHash());
        const bool had_data = known && known->HaveData();
        s_shared->recorder->Clear();
        BlockValidationState state;
        bool new_block = true;
        if (Chainman().ProcessNewBlock(std::make_shared<const Block>(block), state, &new_block)) {
            return ::testing::AssertionFailure() << "ProcessNewBlock accepted the block";
        }
        if (auto r = StateIs(state, reason, result); !r) return r;
        if (new_block) return ::testing::AssertionFailure() << "rejected block reported as new";
        const auto checked = s_shared->recorder->Get(block.GetHash());
        if (!checked) return ::testing::AssertionFailure() << "no BlockChecked for the rejection";
        if (auto r = StateIs(*checked, reason, result); !r) return r << " (BlockChecked)";
        const kernel::BlockIndex* index = Chainman().LookupBlockIndex(block.GetHash());
        if (index && index->HaveData() && !had_data) {
            return ::testing::AssertionFailure() << "rejected block was stored";
        }
        return Unchanged(before);
    }

    // Same as RejectedOnAccept, and the hash is now marked invalid in the index.
    static ::testing::AssertionResult RejectedAndMarked(const Block& block,
                                                        const std::string& reason)
    {
        if (auto r = RejectedOnAccept(block, reason, BlockResult::CONSENSUS); !r) return r;
        return MarkedFailed(block.GetHash());
    }

    // Refused by the context-free checks: as in Core, the block leaves no index entry,
    // so a later copy is judged afresh.
    static ::testing::AssertionResult RejectedWithoutTrace(const Block& block,
                                                           const std::string& reason)
    {
        if (auto r = RejectedOnAccept(block, reason, BlockResult::CONSENSUS); !r) return r;
        if (Chainman().LookupBlockIndex(block.GetHash())) {
            return ::testing::AssertionFailure() << "a block failing CheckBlock entered the index";
        }
        return ::testing::AssertionSuccess();
    }

    // Rejected as MUTATED: the header may be known, but must stay usable.
    static ::testing::AssertionResult RejectedAsMutated(const Block& block,
                                                        const std::string& reason)
    {
        if (auto r = RejectedOnAccept(block, reason, BlockResult::MUTATED); !r) return r;
        const kernel::BlockIndex* index = Chainman().LookupBlockIndex(block.GetHash());
        if (index && index->IsFailed()) {
            return ::testing::AssertionFailure() << "a mutated block marked its hash invalid";
        }
        // Nothing was cached: the same damaged copy fails the same way again.
        if (auto r = RejectedOnAccept(block, reason, BlockResult::MUTATED); !r) {
            return r << " (second submission)";
        }
        return ::testing::AssertionSuccess();
    }

    static ::testing::AssertionResult MarkedFailed(const Uint256& hash)
    {
        const kernel::BlockIndex* index = Chainman().LookupBlockIndex(hash);
        if (!index) return ::testing::AssertionFailure() << "block not in the index";
        if ((index->status & storage::BLOCK_FAILED_VALID) == 0) {
            return ::testing::AssertionFailure() << "block not marked BLOCK_FAILED_VALID";
        }
        return ::testing::AssertionSuccess();
    }

    // Stored, but connecting it failed: reported through BlockChecked only.
    static ::testing::AssertionResult RejectedOnConnect(const Block& block,
                                                        const std::string& reason)
    {
        const Snapshot before = Take();
        s_shared->recorder->Clear();
        BlockValidationState state;
        if (!Chainman().ProcessNewBlock(std::make_shared<const Block>(block), state)) {
            return ::testing::AssertionFailure()
                   << "rejected before connecting: " << state.ToString();
        }
        const auto checked = s_shared->recorder->Get(block.GetHash());
        if (!checked) return ::testing::AssertionFailure() << "no BlockChecked for the block";
        if (auto r = StateIs(*checked, reason, BlockResult::CONSENSUS); !r) return r;
        if (auto r = MarkedFailed(block.GetHash()); !r) return r;
        return Unchanged(before);
    }

    static ::testing::AssertionResult RejectedHeader(const BlockHeader& header,
                                                     const std::string& reason, BlockResult result)
    {
        const Snapshot before = Take();
        BlockValidationState state;
        const BlockHeader headers[] = {header};
        if (Chainman().ProcessNewBlockHeaders(headers, state)) {
            return ::testing::AssertionFailure() << "ProcessNewBlockHeaders accepted the header";
        }
        if (auto r = StateIs(state, reason, result); !r) return r << " (headers)";
        return Unchanged(before);
    }

    // Connected as the new tip, with a valid BlockChecked.
    static ::testing::AssertionResult Accepted(const Block& block)
    {
        s_shared->recorder->Clear();
        BlockValidationState state;
        if (!Chainman().ProcessNewBlock(std::make_shared<const Block>(block), state)) {
            return ::testing::AssertionFailure() << "rejected: " << state.ToString();
        }
        const auto checked = s_shared->recorder->Get(block.GetHash());
        if (checked && checked->IsInvalid()) {
            return ::testing::AssertionFailure() << "connect failed: " << checked->ToString();
        }
        if (Chainman().Tip()->hash != block.GetHash()) {
            return ::testing::AssertionFailure() << "not the tip after ProcessNewBlock";
        }
        return ::testing::AssertionSuccess();
    }

    // A block on the active tip with nothing but a coinbase, accepted.
    static ::testing::AssertionResult SiblingAccepted() { return Accepted(Build()); }

    // A block with nothing but a coinbase on `parent`, which need not be the tip.
    static Block BuildOn(const Uint256& parent)
    {
        BlockOptions opts;
        opts.parent = parent;
        return Build({}, opts);
    }

    // A block already found invalid is refused from the cache, as a block and as a header.
    static ::testing::AssertionResult KnownInvalid(const Block& block)
    {
        if (auto r = RejectedOnAccept(block, "duplicate-invalid", BlockResult::CACHED_INVALID);
            !r) {
            return r;
        }
        if (auto r = RejectedHeader(block.header, "duplicate-invalid", BlockResult::CACHED_INVALID);
            !r) {
            return r;
        }
        return ::testing::AssertionSuccess();
    }

    // A child of `parent` (an invalid block) is refused as a header and as a block.
    static ::testing::AssertionResult ChildRejectedAsBadPrevblk(const Block& parent)
    {
        const Block child = BuildOn(parent.GetHash());
        if (auto r = RejectedHeader(child.header, "bad-prevblk", BlockResult::INVALID_PREV); !r) {
            return r;
        }
        if (auto r = RejectedOnAccept(child, "bad-prevblk", BlockResult::INVALID_PREV); !r)
            return r;
        return ::testing::AssertionSuccess();
    }
};

} // namespace kernel_test
