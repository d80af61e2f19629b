// Every reject string of block validation, provoked on regtest blocks from the
// chain builder and fed through the real ChainstateManager. Each test asserts
// the exact string (and result), that neither the tip nor the UTXO digest
// moved, and that a valid sibling is accepted afterwards.
//
// One chainstate is shared by the whole suite (maturing coins takes ~100
// blocks); every test builds on whatever the active tip is when it starts, so
// the tests are independent of their order.
#include <common/chainparams.h>
#include <consensus/block_check.h>
#include <consensus/consensus_constants.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/script/script.h>
#include <kernel/chainstate.h>
#include <kernel/notifications.h>
#include <testutil/chain_builder.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "test_dir.h"

namespace {

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

constexpr Amount FEE = 1000;
// Blocks mined before the tests start: coinbases of heights 1..3 mature at 103.
constexpr int SETUP_BLOCKS = 105;
// Coins of each template the setup fans out for the tests to spend.
constexpr size_t POOL_PER_KIND = 30;

// Core's ScriptErrorString texts (script/script_error.cpp), written out here so
// the expectation does not come from the code under test.
const std::string EVAL_FALSE_TEXT =
    "Script evaluated without error but finished with a false/empty top stack element";
const std::string SCHNORR_SIG_TEXT = "Invalid Schnorr signature";

MutableTransaction ToMutable(const Transaction& tx)
{
    MutableTransaction m;
    m.version = tx.version;
    m.vin = tx.vin;
    m.vout = tx.vout;
    m.locktime = tx.locktime;
    return m;
}

// A script of `count` copies of one opcode (a sigop-heavy output).
Script Repeated(consensus::Opcode op, size_t count)
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
        std::unique_ptr<kernel_test::TempDir> dir;
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
        shared->dir = std::make_unique<kernel_test::TempDir>();
        shared->now = int64_t{shared->params->GenesisBlock().header.time} + 24 * 60 * 60;
        Shared* raw = shared.get();
        kernel::ChainstateOptions options;
        options.params = shared->params.get();
        options.data_dir = shared->dir->Path();
        options.script_threads = 2;
        options.coins_cache_bytes = 16 << 20;
        options.clock = [raw] { return raw->now.load(); };
        auto opened = kernel::ChainstateManager::Open(std::move(options));
        if (!opened) {
            ADD_FAILURE() << "Open failed: " << opened.error().message;
            return;
        }
        shared->chainman = std::move(*opened);
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
};

// ---- headers -------------------------------------------------------------------------------

TEST_F(ChainstateRejectTest, HighHash)
{
    const Block good = Build();
    Block bad = good;
    while (consensus::CheckProofOfWork(bad.GetHash(), bad.header.bits, Consensus())) {
        ++bad.header.nonce;
    }
    EXPECT_TRUE(RejectedHeader(bad.header, "high-hash", BlockResult::INVALID_HEADER));
    EXPECT_TRUE(RejectedOnAccept(bad, "high-hash", BlockResult::INVALID_HEADER));
    EXPECT_EQ(Chainman().LookupBlockIndex(bad.GetHash()), nullptr);
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, BadDiffbits)
{
    const Block good = Build();
    Block bad = good;
    ASSERT_EQ(bad.header.bits, 0x207fffffu);
    bad.header.bits = 0x207ffffe; // a hair harder than regtest's fixed target
    ASSERT_TRUE(testutil::GrindNonce(bad.header, Consensus()));
    EXPECT_TRUE(RejectedHeader(bad.header, "bad-diffbits", BlockResult::INVALID_HEADER));
    EXPECT_TRUE(RejectedOnAccept(bad, "bad-diffbits", BlockResult::INVALID_HEADER));
    EXPECT_EQ(Chainman().LookupBlockIndex(bad.GetHash()), nullptr);
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, TimeTooOld)
{
    const int64_t mtp = Chainman().Tip()->GetMedianTimePast();
    BlockOptions at_mtp = OnTip();
    at_mtp.time = static_cast<uint32_t>(mtp);
    const Block bad = Build({}, at_mtp);
    EXPECT_TRUE(RejectedHeader(bad.header, "time-too-old", BlockResult::INVALID_HEADER));
    EXPECT_TRUE(RejectedOnAccept(bad, "time-too-old", BlockResult::INVALID_HEADER));
    // One second past the median is the earliest acceptable time.
    BlockOptions after_mtp = OnTip();
    after_mtp.time = static_cast<uint32_t>(mtp + 1);
    EXPECT_TRUE(Accepted(Build({}, after_mtp)));
}

TEST_F(ChainstateRejectTest, TimeTooNewIsNotCachedInvalid)
{
    const int64_t now = Chainman().Tip()->time + 1000;
    s_shared->now = now;
    BlockOptions too_new = OnTip();
    too_new.time = static_cast<uint32_t>(now + consensus::MAX_FUTURE_BLOCK_TIME + 1);
    const Block early = Build({}, too_new);
    EXPECT_TRUE(RejectedHeader(early.header, "time-too-new", BlockResult::TIME_FUTURE));
    EXPECT_TRUE(RejectedOnAccept(early, "time-too-new", BlockResult::TIME_FUTURE));
    EXPECT_EQ(Chainman().LookupBlockIndex(early.GetHash()), nullptr);

    // Exactly two hours ahead is still fine.
    BlockOptions edge = OnTip();
    edge.time = static_cast<uint32_t>(now + consensus::MAX_FUTURE_BLOCK_TIME);
    const Block sibling = Build({}, edge);
    EXPECT_TRUE(Accepted(sibling));

    // A second later the early block is acceptable: it was never marked invalid.
    s_shared->now = now + 1;
    BlockValidationState state;
    bool new_block = false;
    EXPECT_TRUE(Chainman().ProcessNewBlock(std::make_shared<const Block>(early), state, &new_block))
        << state.ToString();
    EXPECT_TRUE(new_block);
    const kernel::BlockIndex* index = Chainman().LookupBlockIndex(early.GetHash());
    ASSERT_NE(index, nullptr);
    EXPECT_TRUE(index->HaveData());
    EXPECT_FALSE(index->IsFailed());
    // Equal work, later arrival: the tip stays.
    EXPECT_EQ(Chainman().Tip()->hash, sibling.GetHash());

    // Leave the clock far ahead of any block the other tests build.
    s_shared->now = now + 30 * 24 * 60 * 60;
}

TEST_F(ChainstateRejectTest, BadVersionBelowFour)
{
    // Regtest buries BIP34, BIP66 and BIP65 at height 1, so versions 1..3 are all out.
    for (int32_t version : {1, 2, 3}) {
        BlockOptions opts = OnTip();
        opts.version = version;
        const Block bad = Build({}, opts);
        const std::string reason = "bad-version(0x0000000" + std::to_string(version) + ")";
        EXPECT_TRUE(RejectedHeader(bad.header, reason, BlockResult::INVALID_HEADER));
        EXPECT_TRUE(RejectedOnAccept(bad, reason, BlockResult::INVALID_HEADER));
    }
    BlockOptions v4 = OnTip();
    v4.version = 4;
    EXPECT_TRUE(Accepted(Build({}, v4)));
}

TEST_F(ChainstateRejectTest, PrevBlkNotFound)
{
    Block orphan = Build();
    orphan.header.prev_block = Uint256{std::vector<uint8_t>(32, 0x42)};
    ASSERT_TRUE(Finalize(orphan, false));
    EXPECT_TRUE(RejectedHeader(orphan.header, "prev-blk-not-found", BlockResult::MISSING_PREV));
    EXPECT_TRUE(RejectedOnAccept(orphan, "prev-blk-not-found", BlockResult::MISSING_PREV));
    EXPECT_EQ(Chainman().LookupBlockIndex(orphan.GetHash()), nullptr);
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, DuplicateInvalidAfterConnectFailure)
{
    const Block bad = Build({}, OnTip(/*fees=*/1)); // coinbase claims one satoshi too many
    ASSERT_TRUE(RejectedOnConnect(bad, "bad-cb-amount"));
    EXPECT_TRUE(RejectedOnAccept(bad, "duplicate-invalid", BlockResult::CACHED_INVALID));
    EXPECT_TRUE(RejectedHeader(bad.header, "duplicate-invalid", BlockResult::CACHED_INVALID));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, DuplicateInvalidAndBadPrevblkAfterContextualFailure)
{
    const OwnedCoin coin = TakeCoin(OutputKind::P2WPKH);
    MutableTransaction tx = SpendingTx({coin});
    tx.locktime = static_cast<uint32_t>(TipHeight() + 1);
    tx.vin[0].sequence = 0;
    const Block bad = Build({SignedTx(tx, {coin})}, OnTip(FEE));
    ASSERT_TRUE(RejectedAndMarked(bad, "bad-txns-nonfinal"));
    EXPECT_TRUE(RejectedOnAccept(bad, "duplicate-invalid", BlockResult::CACHED_INVALID));
    EXPECT_TRUE(RejectedHeader(bad.header, "duplicate-invalid", BlockResult::CACHED_INVALID));
    BlockOptions on_bad;
    on_bad.parent = bad.GetHash();
    const Block child = Build({}, on_bad);
    EXPECT_TRUE(RejectedHeader(child.header, "bad-prevblk", BlockResult::INVALID_PREV));
    EXPECT_TRUE(RejectedOnAccept(child, "bad-prevblk", BlockResult::INVALID_PREV));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, BadPrevblk)
{
    const Block bad = Build({}, OnTip(/*fees=*/1));
    ASSERT_TRUE(RejectedOnConnect(bad, "bad-cb-amount"));
    BlockOptions on_bad;
    on_bad.parent = bad.GetHash();
    const Block child = Build({}, on_bad);
    EXPECT_TRUE(RejectedHeader(child.header, "bad-prevblk", BlockResult::INVALID_PREV));
    EXPECT_TRUE(RejectedOnAccept(child, "bad-prevblk", BlockResult::INVALID_PREV));
    EXPECT_TRUE(SiblingAccepted());
}

// Core refuses any header building on a block known to be invalid, also when
// the invalid block is a more distant ancestor whose descendants arrived as
// headers before it failed (AcceptBlockHeader walks its failed blocks, or the
// failure marks every known descendant BLOCK_FAILED_CHILD).
TEST_F(ChainstateRejectTest, BadPrevblkForHeaderBelowAnInvalidAncestor)
{
    const Block bad = Build({}, OnTip(/*fees=*/1));
    BlockOptions on_bad;
    on_bad.parent = bad.GetHash();
    const Block child = Build({}, on_bad);
    BlockOptions on_child;
    on_child.parent = child.GetHash();
    const Block grandchild = Build({}, on_child);

    BlockValidationState state;
    const BlockHeader early[] = {bad.header, child.header};
    ASSERT_TRUE(Chainman().ProcessNewBlockHeaders(early, state)) << state.ToString();
    ASSERT_TRUE(RejectedOnConnect(bad, "bad-cb-amount"));
    EXPECT_TRUE(RejectedHeader(grandchild.header, "bad-prevblk", BlockResult::INVALID_PREV));
    EXPECT_TRUE(RejectedOnAccept(grandchild, "bad-prevblk", BlockResult::INVALID_PREV));
    // The best header must not lead through the invalid block.
    const kernel::BlockIndex* best = Chainman().BestHeader();
    ASSERT_NE(best, nullptr);
    const kernel::BlockIndex* bad_index = Chainman().LookupBlockIndex(bad.GetHash());
    ASSERT_NE(bad_index, nullptr);
    EXPECT_NE(best->GetAncestor(bad_index->height), bad_index);
    EXPECT_TRUE(SiblingAccepted());
}

// ---- block: context-free checks -----------------------------------------------------------

TEST_F(ChainstateRejectTest, BadTxnMrklrootIsMutatedAndKeepsTheHashUsable)
{
    const Block good = Build({Spend({TakeCoin(OutputKind::P2WPKH)})}, OnTip(FEE));
    Block bad = good;
    bad.vtx[1] = Spend({TakeCoin(OutputKind::P2WPKH)}); // same fee, other coin
    ASSERT_EQ(bad.GetHash(), good.GetHash());
    EXPECT_TRUE(RejectedAsMutated(bad, "bad-txnmrklroot"));
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, BadTxnsDuplicateIsMutatedAndKeepsTheHashUsable)
{
    const Block good =
        Build({Spend({TakeCoin(OutputKind::P2WPKH)}), Spend({TakeCoin(OutputKind::P2WPKH)})},
              OnTip(2 * FEE));
    ASSERT_EQ(good.vtx.size(), 3u);
    // CVE-2012-2459: repeating the odd last transaction keeps the merkle root.
    Block bad = good;
    bad.vtx.push_back(bad.vtx.back());
    ASSERT_EQ(consensus::BlockMerkleRoot(bad), good.header.merkle_root);
    EXPECT_TRUE(RejectedAsMutated(bad, "bad-txns-duplicate"));
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, BadBlkLength)
{
    Block empty = Build();
    empty.vtx.clear();
    ASSERT_TRUE(Finalize(empty, false));
    EXPECT_TRUE(RejectedWithoutTrace(empty, "bad-blk-length"));

    // Over 1,000,000 bytes without witness data (times four is over the weight limit).
    Block big = Build();
    MutableTransaction cb = ToMutable(*big.vtx[0]);
    std::vector<uint8_t> filler(1'000'001, 0x00);
    filler[0] = consensus::OP_RETURN;
    cb.vout.push_back(TxOut{0, Script{std::move(filler)}});
    big.vtx[0] = consensus::MakeTransactionRef(std::move(cb));
    ASSERT_TRUE(Finalize(big, false));
    EXPECT_TRUE(RejectedWithoutTrace(big, "bad-blk-length"));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, BadCbMissing)
{
    Block bad = Build({Spend({TakeCoin(OutputKind::P2PKH)})}, OnTip(FEE));
    bad.vtx.erase(bad.vtx.begin());
    ASSERT_TRUE(Finalize(bad, false));
    EXPECT_TRUE(RejectedWithoutTrace(bad, "bad-cb-missing"));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, BadCbMultiple)
{
    const Block other = Build(); // never submitted; lends its (distinct) coinbase
    Block bad = Build();
    bad.vtx.push_back(other.vtx[0]);
    ASSERT_NE(bad.vtx[0]->GetHash(), bad.vtx[1]->GetHash());
    ASSERT_TRUE(Finalize(bad, false));
    EXPECT_TRUE(RejectedWithoutTrace(bad, "bad-cb-multiple"));
    EXPECT_TRUE(SiblingAccepted());
}

// A spend of `coins` (P2WPKH: one witness sigop each) with an extra zero-value
// output of `count` copies of `op`, which only the legacy count sees.
TransactionRef SigopsTx(testutil::ChainBuilder& builder, const std::vector<OwnedCoin>& coins,
                        consensus::Opcode op, size_t count)
{
    MutableTransaction tx;
    Amount total = 0;
    for (const auto& coin : coins) {
        TxIn in;
        in.prevout = coin.outpoint;
        tx.vin.push_back(in);
        total += coin.txout.value;
    }
    tx.vout.push_back(TxOut{total - FEE, builder.NextScript(OutputKind::P2WPKH)});
    tx.vout.push_back(TxOut{0, Repeated(op, count)});
    auto signed_ok = builder.Sign(tx, coins);
    EXPECT_TRUE(signed_ok) << (signed_ok ? "" : signed_ok.error().message);
    return consensus::MakeTransactionRef(std::move(tx));
}

TEST_F(ChainstateRejectTest, BadBlkSigopsLegacyCount)
{
    // 20,001 legacy sigops cost 80,004 > 80,000: CheckBlock refuses the block.
    const Block checksig =
        Build({SigopsTx(Builder(), {TakeCoin(OutputKind::P2WPKH)}, consensus::OP_CHECKSIG, 20'001)},
              OnTip(FEE));
    EXPECT_TRUE(RejectedWithoutTrace(checksig, "bad-blk-sigops"));
    // Bare multisig counts 20 per OP_CHECKMULTISIG: 1,001 of them make 20,020.
    const Block multisig = Build(
        {SigopsTx(Builder(), {TakeCoin(OutputKind::P2WPKH)}, consensus::OP_CHECKMULTISIG, 1'001)},
        OnTip(FEE));
    EXPECT_TRUE(RejectedWithoutTrace(multisig, "bad-blk-sigops"));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, BadBlkSigopsWitnessCountWhileConnecting)
{
    // 20,000 legacy sigops (80,000) pass CheckBlock; the P2WPKH input's witness
    // sigop brings the total cost to 80,001, which ConnectBlock refuses.
    const Block over =
        Build({SigopsTx(Builder(), {TakeCoin(OutputKind::P2WPKH)}, consensus::OP_CHECKSIG, 20'000)},
              OnTip(FEE));
    EXPECT_TRUE(RejectedOnConnect(over, "bad-blk-sigops"));
    // 19,999 * 4 + 4 witness sigops is exactly the limit.
    std::vector<OwnedCoin> four;
    for (int i = 0; i < 4; ++i)
        four.push_back(TakeCoin(OutputKind::P2WPKH));
    EXPECT_TRUE(
        Accepted(Build({SigopsTx(Builder(), four, consensus::OP_CHECKSIG, 19'999)}, OnTip(FEE))));
}

// ---- block: contextual checks --------------------------------------------------------------

TEST_F(ChainstateRejectTest, BadCbHeight)
{
    const int height = TipHeight() + 1;
    Block bad = Build();
    MutableTransaction cb = ToMutable(*bad.vtx[0]);
    cb.vin[0].script_sig = Script{};
    cb.vin[0].script_sig.PushInt(height + 1);
    cb.vin[0].script_sig.PushInt(777);
    bad.vtx[0] = consensus::MakeTransactionRef(std::move(cb));
    ASSERT_TRUE(Finalize(bad, false));
    EXPECT_TRUE(RejectedAndMarked(bad, "bad-cb-height"));
    EXPECT_TRUE(SiblingAccepted());
}

// bad-txns-BIP30 for coinbases: a block repeating an earlier coinbase (same
// txid) is stopped by BIP34 before BIP30 is consulted, because the repeated
// coinbase encodes the earlier height.
TEST_F(ChainstateRejectTest, RepeatedCoinbaseIsStoppedByBip34)
{
    const kernel::BlockIndex* old_index = Chainman().ActiveChain()[10];
    ASSERT_NE(old_index, nullptr);
    auto old_block = Chainman().ReadBlock(*old_index);
    ASSERT_TRUE(old_block);
    Block bad = Build();
    bad.vtx[0] = old_block->vtx[0];
    ASSERT_TRUE(Finalize(bad, false));
    EXPECT_TRUE(RejectedAndMarked(bad, "bad-cb-height"));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, BadTxnsNonfinalLocktime)
{
    const int height = TipHeight() + 1;
    const OwnedCoin by_height = TakeCoin(OutputKind::P2TR);
    MutableTransaction tx = SpendingTx({by_height});
    tx.vin[0].sequence = TxIn::SEQUENCE_FINAL - 1; // lock time enforced
    tx.locktime = static_cast<uint32_t>(height);   // final only from height + 1
    EXPECT_TRUE(
        RejectedAndMarked(Build({SignedTx(tx, {by_height})}, OnTip(FEE)), "bad-txns-nonfinal"));
    tx.locktime = static_cast<uint32_t>(height - 1);
    EXPECT_TRUE(Accepted(Build({SignedTx(tx, {by_height})}, OnTip(FEE))));

    // BIP113: a time lock is judged against the parent's median time past.
    const int64_t mtp = Chainman().Tip()->GetMedianTimePast();
    const OwnedCoin by_time = TakeCoin(OutputKind::P2TR);
    MutableTransaction timed = SpendingTx({by_time});
    timed.vin[0].sequence = 0;
    timed.locktime = static_cast<uint32_t>(mtp);
    EXPECT_TRUE(
        RejectedAndMarked(Build({SignedTx(timed, {by_time})}, OnTip(FEE)), "bad-txns-nonfinal"));
    timed.locktime = static_cast<uint32_t>(mtp - 1);
    EXPECT_TRUE(Accepted(Build({SignedTx(timed, {by_time})}, OnTip(FEE))));
}

TEST_F(ChainstateRejectTest, BadWitnessNonceSizeIsMutated)
{
    const Block good = Build({Spend({TakeCoin(OutputKind::P2WPKH)})}, OnTip(FEE));
    Block bad = good;
    MutableTransaction cb = ToMutable(*bad.vtx[0]);
    ASSERT_EQ(cb.vin[0].witness.stack.size(), 1u);
    cb.vin[0].witness.stack[0].push_back(0); // 33 bytes
    bad.vtx[0] = consensus::MakeTransactionRef(std::move(cb));
    ASSERT_EQ(bad.GetHash(), good.GetHash());
    ASSERT_EQ(consensus::BlockMerkleRoot(bad), good.header.merkle_root);
    EXPECT_TRUE(RejectedAsMutated(bad, "bad-witness-nonce-size"));
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, BadWitnessMerkleMatchIsMutated)
{
    const Block good = Build({Spend({TakeCoin(OutputKind::P2WPKH)})}, OnTip(FEE));
    Block bad = good;
    MutableTransaction tx = ToMutable(*bad.vtx[1]);
    tx.vin[0].witness.stack[0][10] ^= 0x01; // witness only: the txid stays
    bad.vtx[1] = consensus::MakeTransactionRef(std::move(tx));
    ASSERT_EQ(bad.GetHash(), good.GetHash());
    EXPECT_TRUE(RejectedAsMutated(bad, "bad-witness-merkle-match"));
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, UnexpectedWitnessIsMutated)
{
    // Only a legacy spend: the builder adds no witness commitment.
    const Block good = Build({Spend({TakeCoin(OutputKind::P2PKH)})}, OnTip(FEE));
    ASSERT_FALSE(consensus::GetWitnessCommitmentIndex(good).has_value());
    Block bad = good;
    MutableTransaction tx = ToMutable(*bad.vtx[1]);
    tx.vin[0].witness.stack = {std::vector<uint8_t>{0x01}};
    bad.vtx[1] = consensus::MakeTransactionRef(std::move(tx));
    ASSERT_EQ(bad.GetHash(), good.GetHash());
    EXPECT_TRUE(RejectedAsMutated(bad, "unexpected-witness"));
    // A coinbase witness needs a commitment too.
    Block bad_cb = good;
    MutableTransaction cb = ToMutable(*bad_cb.vtx[0]);
    cb.vin[0].witness.stack = {std::vector<uint8_t>(32, 0x00)};
    bad_cb.vtx[0] = consensus::MakeTransactionRef(std::move(cb));
    ASSERT_EQ(bad_cb.GetHash(), good.GetHash());
    EXPECT_TRUE(RejectedAsMutated(bad_cb, "unexpected-witness"));
    EXPECT_TRUE(Accepted(good));
}

TEST_F(ChainstateRejectTest, BadBlkWeight)
{
    Block bad = Build({Spend({TakeCoin(OutputKind::P2WPKH)})}, OnTip(FEE));
    MutableTransaction tx = ToMutable(*bad.vtx[1]);
    // Witness bytes weigh one each: 4,000,000 of them alone reach the limit,
    // while the stripped size stays tiny (so bad-blk-length does not apply).
    tx.vin[0].witness.stack.push_back(std::vector<uint8_t>(4'000'000, 0x00));
    bad.vtx[1] = consensus::MakeTransactionRef(std::move(tx));
    ASSERT_TRUE(Finalize(bad)); // commitment updated: only the weight is wrong
    ASSERT_GT(bad.GetWeight(), consensus::MAX_BLOCK_WEIGHT);
    EXPECT_TRUE(RejectedAndMarked(bad, "bad-blk-weight"));
    EXPECT_TRUE(SiblingAccepted());
}

// ---- connect -------------------------------------------------------------------------------

TEST_F(ChainstateRejectTest, MissingOrSpentUnknownOutpoint)
{
    OwnedCoin ghost = TakeCoin(OutputKind::P2WPKH);
    ghost.outpoint = OutPoint{Uint256{std::vector<uint8_t>(32, 0x5a)}, 0};
    EXPECT_TRUE(
        RejectedOnConnect(Build({Spend({ghost})}, OnTip(FEE)), "bad-txns-inputs-missingorspent"));
    EXPECT_TRUE(SiblingAccepted());
}

TEST_F(ChainstateRejectTest, MissingOrSpentDoubleSpendInOneBlock)
{
    const OwnedCoin coin = TakeCoin(OutputKind::P2WPKH);
    const TransactionRef first = Spend({coin}, FEE);
    const TransactionRef second = Spend({coin}, 2 * FEE);
    ASSERT_NE(first->GetHash(), second->GetHash());
    EXPECT_TRUE(RejectedOnConnect(Build({first, second}, OnTip(3 * FEE)),
                                  "bad-txns-inputs-missingorspent"));
    // Either spend alone is fine.
    EXPECT_TRUE(Accepted(Build({second}, OnTip(2 * FEE))));
}

TEST_F(ChainstateRejectTest, MissingOrSpentChildBeforeParentInOneBlock)
{
    const TransactionRef parent = Spend({TakeCoin(OutputKind::P2WPKH)});
    OwnedCoin made;
    made.outpoint = OutPoint{parent->GetHash(), 0};
    made.txout = parent->vout[0];
    made.kind = OutputKind::P2WPKH;
    bool found = false;
    for (uint32_t key = 0; key < 16 && !found; ++key) {
        if (Builder().ScriptFor(key, OutputKind::P2WPKH) == made.txout.script_pubkey) {
            made.key_index = key;
            found = true;
        }
    }
    ASSERT_TRUE(found);
    const TransactionRef child = Spend({made});
    EXPECT_TRUE(RejectedOnConnect(Build({child, parent}, OnTip(2 * FEE)),
                                  "bad-txns-inputs-missingorspent"));
    EXPECT_TRUE(Accepted(Build({parent, child}, OnTip(2 * FEE))));
}

TEST_F(ChainstateRejectTest, PrematureSpendOfCoinbase)
{
    const int height = TipHeight() + 1;
    // Created 99 blocks before the spending block: one short of maturity.
    const auto young = OwnCoinbase(height - (consensus::COINBASE_MATURITY - 1));
    const auto mature = OwnCoinbase(height - consensus::COINBASE_MATURITY);
    ASSERT_TRUE(young && mature);
    EXPECT_TRUE(RejectedOnConnect(Build({Spend({*young})}, OnTip(FEE)),
                                  "bad-txns-premature-spend-of-coinbase"));
    EXPECT_TRUE(Accepted(Build({Spend({*mature})}, OnTip(FEE))));
}

TEST_F(ChainstateRejectTest, BadTxnsInBelowout)
{
    const OwnedCoin coin = TakeCoin(OutputKind::P2WPKH);
    // Outputs one satoshi above the input.
    EXPECT_TRUE(RejectedOnConnect(Build({SignedTx(SpendingTx({coin}, -1), {coin})}),
                                  "bad-txns-in-belowout"));
    // Zero fee is allowed.
    EXPECT_TRUE(Accepted(Build({SignedTx(SpendingTx({coin}, 0), {coin})})));
}

TEST_F(ChainstateRejectTest, BadCbAmount)
{
    const TransactionRef tx = Spend({TakeCoin(OutputKind::P2WPKH)}, FEE);
    EXPECT_TRUE(RejectedOnConnect(Build({tx}, OnTip(FEE + 1)), "bad-cb-amount"));
    // Subsidy plus exactly the fees.
    EXPECT_TRUE(Accepted(Build({tx}, OnTip(FEE))));
}

TEST_F(ChainstateRejectTest, BadTxnsNonfinalSequenceLock)
{
    // A coin confirmed in the tip block...
    const TransactionRef parent = Spend({TakeCoin(OutputKind::P2WPKH)});
    ASSERT_TRUE(Accepted(Build({parent}, OnTip(FEE))));
    OwnedCoin fresh;
    bool found = false;
    for (const auto& coin : Builder().Coins()) {
        if (coin.outpoint == OutPoint{parent->GetHash(), 0}) {
            fresh = coin;
            found = true;
        }
    }
    ASSERT_TRUE(found);
    // ...with a relative lock of two blocks may not be spent in the next one.
    MutableTransaction tx = SpendingTx({fresh});
    tx.version = 2;
    tx.vin[0].sequence = 2;
    EXPECT_TRUE(RejectedOnConnect(Build({SignedTx(tx, {fresh})}, OnTip(FEE)), "bad-txns-nonfinal"));
    // A lock of one block is satisfied there.
    tx.vin[0].sequence = 1;
    EXPECT_TRUE(Accepted(Build({SignedTx(tx, {fresh})}, OnTip(FEE))));
}

// A spend of `coin` whose signature no longer matches.
TransactionRef CorruptSignature(const TransactionRef& tx, OutputKind kind)
{
    MutableTransaction m = ToMutable(*tx);
    if (kind == OutputKind::P2PKH) {
        // scriptSig: <sig> <pubkey>; flip a bit inside S (the byte before the sighash type).
        std::vector<uint8_t>& bytes = m.vin[0].script_sig.bytes();
        const size_t sig_len = bytes[0];
        bytes[sig_len - 1] ^= 0x01;
    } else if (kind == OutputKind::P2WPKH) {
        auto& sig = m.vin[0].witness.stack[0];
        sig[sig.size() - 2] ^= 0x01;
    } else {
        m.vin[0].witness.stack[0][40] ^= 0x01; // inside s of the 64-byte Schnorr signature
    }
    return consensus::MakeTransactionRef(std::move(m));
}

TEST_F(ChainstateRejectTest, BadSignatureP2WPKH)
{
    const TransactionRef good = Spend({TakeCoin(OutputKind::P2WPKH)});
    EXPECT_TRUE(RejectedOnConnect(Build({CorruptSignature(good, OutputKind::P2WPKH)}, OnTip(FEE)),
                                  "block-script-verify-flag-failed (" + EVAL_FALSE_TEXT + ")"));
    EXPECT_TRUE(Accepted(Build({good}, OnTip(FEE))));
}

TEST_F(ChainstateRejectTest, BadSignatureP2TR)
{
    const TransactionRef good = Spend({TakeCoin(OutputKind::P2TR)});
    EXPECT_TRUE(RejectedOnConnect(Build({CorruptSignature(good, OutputKind::P2TR)}, OnTip(FEE)),
                                  "block-script-verify-flag-failed (" + SCHNORR_SIG_TEXT + ")"));
    EXPECT_TRUE(Accepted(Build({good}, OnTip(FEE))));
}

TEST_F(ChainstateRejectTest, BadSignatureP2PKH)
{
    const TransactionRef good = Spend({TakeCoin(OutputKind::P2PKH)});
    EXPECT_TRUE(RejectedOnConnect(Build({CorruptSignature(good, OutputKind::P2PKH)}, OnTip(FEE)),
                                  "block-script-verify-flag-failed (" + EVAL_FALSE_TEXT + ")"));
    EXPECT_TRUE(Accepted(Build({good}, OnTip(FEE))));
}

// Regtest's BIP34Hash is null, so no block matches it and BIP30 stays enforced
// (as in Core): a transaction whose outputs are still unspent cannot reappear.
TEST_F(ChainstateRejectTest, BadTxnsBip30)
{
    const TransactionRef tx = Spend({TakeCoin(OutputKind::P2WPKH)});
    ASSERT_TRUE(Accepted(Build({tx}, OnTip(FEE))));
    EXPECT_TRUE(RejectedOnConnect(Build({tx}, OnTip(FEE)), "bad-txns-BIP30"));
    EXPECT_TRUE(SiblingAccepted());
}

} // namespace
