#include <consensus/block_check.h>
#include <testutil/chain_builder.h>

#include <common/chainparams.h>
#include <consensus/hash.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/sighash.h>
#include <consensus/tx_check.h>
#include <consensus/validation_state.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <unistd.h>

namespace {

using consensus::Amount;
using consensus::Block;
using consensus::COIN;
using consensus::MutableTransaction;
using consensus::OutPoint;
using consensus::Script;
using consensus::Transaction;
using consensus::TransactionRef;
using consensus::TxOut;
using consensus::Uint256;
using testutil::ChainBuilder;
using testutil::OutputKind;
using testutil::OwnedCoin;

constexpr uint32_t STANDARD_FLAGS =
    consensus::SCRIPT_VERIFY_P2SH | consensus::SCRIPT_VERIFY_WITNESS |
    consensus::SCRIPT_VERIFY_TAPROOT | consensus::SCRIPT_VERIFY_DERSIG |
    consensus::SCRIPT_VERIFY_NULLDUMMY | consensus::SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
    consensus::SCRIPT_VERIFY_CHECKSEQUENCEVERIFY;
// Policy rules on top: a builder whose spends pass these also passes mempool checks.
constexpr uint32_t POLICY_FLAGS =
    STANDARD_FLAGS | consensus::SCRIPT_VERIFY_STRICTENC | consensus::SCRIPT_VERIFY_LOW_S |
    consensus::SCRIPT_VERIFY_NULLFAIL | consensus::SCRIPT_VERIFY_WITNESS_PUBKEYTYPE |
    consensus::SCRIPT_VERIFY_CLEANSTACK | consensus::SCRIPT_VERIFY_MINIMALDATA |
    consensus::SCRIPT_VERIFY_SIGPUSHONLY;

// Regtest's compact pow_limit, as Bitcoin Core's chainparams give it.
constexpr uint32_t REGTEST_BITS = 0x207fffff;

Script S(std::vector<uint8_t> bytes)
{
    return Script{std::move(bytes)};
}

class ChainBuilderTest : public ::testing::Test
{
protected:
    std::unique_ptr<const common::ChainParams> m_params{common::ChainParams::RegTest()};
    const consensus::ConsensusParams& Consensus() const { return m_params->GetConsensus(); }
};

// Coinbase-only blocks on the tip.
bool MineEmpty(ChainBuilder& builder, int n)
{
    for (int i = 0; i < n; ++i) {
        if (!builder.BuildBlock()) return false;
    }
    return true;
}

// Verifies input n_in of tx against the outputs it spends; returns the script error's name.
std::string VerifyInput(const Transaction& tx, unsigned n_in, const std::vector<TxOut>& spent,
                        uint32_t flags)
{
    consensus::PrecomputedTxData txdata;
    txdata.Init(tx, spent);
    const consensus::TransactionSignatureChecker checker{&tx, n_in, spent[n_in].value, txdata};
    consensus::ScriptError error{};
    const bool ok = consensus::VerifyScript(tx.vin[n_in].script_sig, spent[n_in].script_pubkey,
                                            &tx.vin[n_in].witness, flags, checker, &error);
    if (ok != (error == consensus::ScriptError::OK)) return "INCONSISTENT";
    return consensus::ScriptErrorName(error);
}

// Header-level checks every built block must pass.
void ExpectWellFormed(const Block& block, const consensus::ConsensusParams& params)
{
    EXPECT_TRUE(consensus::CheckProofOfWork(block.GetHash(), block.header.bits, params));
    bool mutated = true;
    EXPECT_EQ(consensus::BlockMerkleRoot(block, &mutated), block.header.merkle_root);
    EXPECT_FALSE(mutated);
    ASSERT_FALSE(block.vtx.empty());
    EXPECT_TRUE(block.vtx[0]->IsCoinBase());
    const size_t cb_len = block.vtx[0]->vin[0].script_sig.size();
    EXPECT_GE(cb_len, 2u); // bad-cb-length bounds
    EXPECT_LE(cb_len, 100u);
    for (const auto& tx : block.vtx) {
        consensus::TxValidationState state;
        EXPECT_TRUE(consensus::CheckTransaction(*tx, state)) << state.GetRejectReason();
    }

    bool any_witness = false;
    for (size_t i = 1; i < block.vtx.size(); ++i)
        any_witness |= block.vtx[i]->HasWitness();
    const auto index = consensus::GetWitnessCommitmentIndex(block);
    EXPECT_EQ(index.has_value(), any_witness);
    if (index) {
        const auto& cb_witness = block.vtx[0]->vin[0].witness.stack;
        ASSERT_EQ(cb_witness.size(), 1u);
        EXPECT_EQ(cb_witness[0], std::vector<uint8_t>(32, 0));
        const Uint256 expected = consensus::ComputeWitnessCommitment(
            consensus::BlockWitnessMerkleRoot(block), Uint256{});
        const auto& script = block.vtx[0]->vout[*index].script_pubkey.bytes();
        ASSERT_EQ(script.size(), 38u);
        EXPECT_TRUE(std::equal(expected.begin(), expected.end(), script.begin() + 6));
    } else {
        EXPECT_TRUE(block.vtx[0]->vin[0].witness.IsNull());
    }
}

TEST_F(ChainBuilderTest, StartsAtGenesis)
{
    ChainBuilder builder{*m_params};
    EXPECT_EQ(builder.Tip().hash, m_params->GenesisBlock().GetHash());
    EXPECT_EQ(builder.Tip().height, 0);
    EXPECT_TRUE(builder.Coins().empty());
}

TEST_F(ChainBuilderTest, CoinbaseBlocksAreValid)
{
    ChainBuilder builder{*m_params, 7};
    Uint256 prev = builder.Tip().hash;
    int64_t prev_time = builder.Tip().time;
    // Hand-written BIP34 openings (CScript() << height in Bitcoin Core).
    const std::map<int, std::vector<uint8_t>> openings{{1, {0x51}},
                                                       {16, {0x60}},
                                                       {17, {0x01, 0x11}},
                                                       {127, {0x01, 0x7f}},
                                                       {128, {0x02, 0x80, 0x00}},
                                                       {129, {0x02, 0x81, 0x00}}};
    for (int height = 1; height <= 130; ++height) {
        auto block = builder.BuildBlock();
        ASSERT_TRUE(block) << block.error().message;
        ExpectWellFormed(*block, Consensus());
        EXPECT_EQ(block->header.prev_block, prev);
        EXPECT_EQ(block->header.bits, REGTEST_BITS);
        EXPECT_EQ(block->header.version, 0x20000000);
        EXPECT_EQ(block->header.time, prev_time + 1);
        EXPECT_EQ(builder.Tip().height, height);
        EXPECT_EQ(builder.Tip().hash, block->GetHash());

        const Script& sig = block->vtx[0]->vin[0].script_sig;
        EXPECT_EQ(testutil::DecodeCoinbaseHeight(sig), height);
        // Core's bad-cb-height test: the script opens with CScript() << height.
        Script expect;
        expect.PushInt(height);
        ASSERT_GE(sig.size(), expect.size());
        EXPECT_TRUE(std::equal(expect.begin(), expect.end(), sig.begin()));
        if (const auto it = openings.find(height); it != openings.end()) {
            EXPECT_TRUE(std::equal(it->second.begin(), it->second.end(), sig.begin()))
                << "height " << height;
        }
        EXPECT_EQ(block->vtx[0]->GetValueOut(), 50 * COIN);
        prev = block->GetHash();
        prev_time = block->header.time;
    }
    // 130 coinbases owned, 30 of them mature for a block at height 131.
    EXPECT_EQ(builder.Coins().size(), 130u);
    const auto spendable = builder.SpendableCoins(131);
    EXPECT_EQ(spendable.size(), 31u);
    for (const auto& coin : spendable) {
        EXPECT_TRUE(coin.coinbase);
        EXPECT_LE(coin.height, 31);
    }
}

TEST_F(ChainBuilderTest, SubsidyHalvesEvery150BlocksOnRegtest)
{
    EXPECT_EQ(consensus::GetBlockSubsidy(1, Consensus()), 5'000'000'000);
    EXPECT_EQ(consensus::GetBlockSubsidy(149, Consensus()), 5'000'000'000);
    EXPECT_EQ(consensus::GetBlockSubsidy(150, Consensus()), 2'500'000'000);
    EXPECT_EQ(consensus::GetBlockSubsidy(300, Consensus()), 1'250'000'000);
    EXPECT_EQ(consensus::GetBlockSubsidy(150 * 64, Consensus()), 0);

    ChainBuilder builder{*m_params};
    ASSERT_TRUE(builder.Generate(149, 1));
    auto block = builder.BuildBlock({}, {.fees = 1234});
    ASSERT_TRUE(block);
    EXPECT_EQ(builder.Tip().height, 150);
    EXPECT_EQ(block->vtx[0]->GetValueOut(), 2'500'000'000 + 1234);
}

TEST_F(ChainBuilderTest, DecodeCoinbaseHeightReadsScriptNumbers)
{
    EXPECT_EQ(testutil::DecodeCoinbaseHeight(S({0x00})), 0);
    EXPECT_EQ(testutil::DecodeCoinbaseHeight(S({0x55, 0x01})), 5);
    EXPECT_EQ(testutil::DecodeCoinbaseHeight(S({0x02, 0xff, 0x00})), 255);
    EXPECT_EQ(testutil::DecodeCoinbaseHeight(S({0x03, 0x40, 0x0d, 0x03})), 200'000);
    EXPECT_EQ(testutil::DecodeCoinbaseHeight(S({0x01, 0x81})), -1);
    EXPECT_EQ(testutil::DecodeCoinbaseHeight(Script{}), std::nullopt);
    EXPECT_EQ(testutil::DecodeCoinbaseHeight(S({0x02, 0x01})), std::nullopt); // truncated
    EXPECT_EQ(testutil::DecodeCoinbaseHeight(S({0x76})), std::nullopt);       // OP_DUP
    // Every strict prefix of a multi-byte height push fails cleanly.
    const std::vector<uint8_t> full{0x03, 0x40, 0x0d, 0x03};
    for (size_t len = 0; len < full.size(); ++len) {
        EXPECT_EQ(testutil::DecodeCoinbaseHeight(S({full.begin(), full.begin() + len})),
                  std::nullopt)
            << "prefix " << len;
    }
}

TEST_F(ChainBuilderTest, GeneratedSpendsVerify)
{
    ChainBuilder builder{*m_params, 11, 16};
    std::vector<Block> blocks;
    auto stats = builder.Generate(110, 25, [&](const Block& b) { blocks.push_back(b); });
    ASSERT_TRUE(stats) << stats.error().message;
    ASSERT_EQ(blocks.size(), 110u);
    EXPECT_EQ(stats->blocks, 110);
    EXPECT_EQ(builder.Tip().height, 110);
    EXPECT_GT(stats->p2wpkh_inputs, 0u);
    EXPECT_GT(stats->p2tr_inputs, 0u);

    // Every output by outpoint, to find what each input spends.
    std::map<OutPoint, TxOut> outputs;
    uint64_t inputs = 0;
    uint64_t txs = 0;
    uint64_t p2tr_inputs = 0;
    for (size_t h = 0; h < blocks.size(); ++h) {
        const Block& block = blocks[h];
        ExpectWellFormed(block, Consensus());
        Amount fees = 0;
        for (size_t t = 1; t < block.vtx.size(); ++t) {
            const Transaction& tx = *block.vtx[t];
            std::vector<TxOut> spent;
            Amount in_value = 0;
            for (const auto& in : tx.vin) {
                const auto it = outputs.find(in.prevout);
                ASSERT_NE(it, outputs.end()) << "spends an unknown or already spent coin";
                spent.push_back(it->second);
                in_value += it->second.value;
                outputs.erase(it);
            }
            for (unsigned i = 0; i < tx.vin.size(); ++i) {
                EXPECT_EQ(VerifyInput(tx, i, spent, STANDARD_FLAGS), "OK");
                EXPECT_EQ(VerifyInput(tx, i, spent, POLICY_FLAGS), "OK");
                int version = -1;
                std::vector<uint8_t> program;
                if (spent[i].script_pubkey.IsWitnessProgram(version, program) && version == 1) {
                    ++p2tr_inputs;
                }
            }
            fees += in_value - tx.GetValueOut();
            EXPECT_GT(in_value, tx.GetValueOut());
            inputs += tx.vin.size();
            ++txs;
            for (uint32_t n = 0; n < tx.vout.size(); ++n)
                outputs.emplace(OutPoint{tx.GetHash(), n}, tx.vout[n]);
        }
        const Transaction& cb = *block.vtx[0];
        EXPECT_EQ(cb.GetValueOut(), 50 * COIN + fees);
        for (uint32_t n = 0; n < cb.vout.size(); ++n)
            outputs.emplace(OutPoint{cb.GetHash(), n}, cb.vout[n]);
        // Spends start once the first coinbase matures (block 101 spends block 1's).
        if (h + 1 <= 100) {
            EXPECT_EQ(block.vtx.size(), 1u);
        }
    }
    EXPECT_EQ(inputs, stats->inputs);
    EXPECT_EQ(txs, stats->txs);
    EXPECT_EQ(p2tr_inputs, stats->p2tr_inputs);
    // Ten spending blocks; from the second on each spends about 25 coins.
    EXPECT_GE(inputs, 200u);
    EXPECT_LE(inputs, 260u);

    // The builder's view of its coins matches the outputs left unspent that it owns
    // (the commitment outputs are the only ones it does not own).
    size_t unspent_owned = 0;
    for (const auto& [outpoint, txout] : outputs) {
        if (!txout.script_pubkey.IsUnspendable()) ++unspent_owned;
    }
    EXPECT_EQ(builder.Coins().size(), unspent_owned);
}

TEST_F(ChainBuilderTest, EveryKindSpendsAndTamperingFails)
{
    ChainBuilder builder{*m_params, 3, 4};
    ASSERT_TRUE(MineEmpty(builder, 100));
    auto mature = builder.SpendableCoins(101);
    ASSERT_EQ(mature.size(), 1u);
    // Fan the coinbase out into P2PKH, then spend those (legacy) into P2TR and P2WPKH.
    auto fan = builder.CreateSpend(mature, 3, OutputKind::P2PKH, 1000);
    ASSERT_TRUE(fan) << fan.error().message;
    ASSERT_TRUE(builder.BuildBlock({*fan}, {.fees = 1000}));
    auto legacy = builder.SpendableCoins(102);
    std::erase_if(legacy, [](const OwnedCoin& c) { return c.coinbase; });
    ASSERT_EQ(legacy.size(), 3u);
    for (const auto& c : legacy)
        EXPECT_EQ(c.kind, OutputKind::P2PKH);

    auto to_tr = builder.CreateSpend(std::span{legacy}.first(2), 2, OutputKind::P2TR, 500);
    auto to_wpkh = builder.CreateSpend(std::span{legacy}.last(1), 2, OutputKind::P2WPKH, 500);
    ASSERT_TRUE(to_tr && to_wpkh);
    EXPECT_FALSE((*to_tr)->HasWitness());
    ASSERT_TRUE(builder.BuildBlock({*to_tr, *to_wpkh}, {.fees = 1000}));
    auto mixed = builder.SpendableCoins(103);
    std::erase_if(mixed, [](const OwnedCoin& c) { return c.coinbase; });
    ASSERT_EQ(mixed.size(), 4u);
    // One transaction spending P2TR and P2WPKH inputs, plus a P2PKH input.
    auto spend = builder.CreateSpend(mixed, 4, OutputKind::P2PKH, 2000);
    ASSERT_TRUE(spend) << spend.error().message;
    const Transaction& tx = **spend;
    std::vector<TxOut> spent;
    std::set<OutputKind> kinds;
    for (const auto& c : mixed) {
        spent.push_back(c.txout);
        kinds.insert(c.kind);
    }
    EXPECT_EQ(kinds.size(), 2u);
    for (unsigned i = 0; i < tx.vin.size(); ++i)
        EXPECT_EQ(VerifyInput(tx, i, spent, STANDARD_FLAGS), "OK");

    // Flip one signature byte of every input in turn: that input must fail.
    for (unsigned i = 0; i < tx.vin.size(); ++i) {
        MutableTransaction bad{tx.version, tx.vin, tx.vout, tx.locktime};
        ASSERT_FALSE(bad.vin[i].witness.stack.empty());
        bad.vin[i].witness.stack[0][10] ^= 0x01;
        const Transaction bad_tx{bad};
        EXPECT_NE(VerifyInput(bad_tx, i, spent, STANDARD_FLAGS), "OK") << "input " << i;
    }
    // A wrong amount breaks BIP143 and BIP341 signatures alike.
    for (unsigned i = 0; i < tx.vin.size(); ++i) {
        auto wrong = spent;
        wrong[i].value += 1;
        EXPECT_NE(VerifyInput(tx, i, wrong, STANDARD_FLAGS), "OK");
    }
    // A P2PKH input with a tampered signature fails too.
    auto tr_tx = *to_tr;
    std::vector<TxOut> legacy_spent{legacy[0].txout, legacy[1].txout};
    EXPECT_EQ(VerifyInput(*tr_tx, 0, legacy_spent, STANDARD_FLAGS), "OK");
    MutableTransaction bad_legacy{tr_tx->version, tr_tx->vin, tr_tx->vout, tr_tx->locktime};
    auto sig_bytes = bad_legacy.vin[0].script_sig.bytes();
    sig_bytes[10] ^= 0x01; // inside the DER signature push
    bad_legacy.vin[0].script_sig = Script{sig_bytes};
    EXPECT_NE(VerifyInput(Transaction{bad_legacy}, 0, legacy_spent, STANDARD_FLAGS), "OK");
}

TEST_F(ChainBuilderTest, SpendAndSignRejectBadRequests)
{
    ChainBuilder builder{*m_params};
    ASSERT_TRUE(MineEmpty(builder, 100));
    const auto coins = builder.SpendableCoins(101);
    ASSERT_EQ(coins.size(), 1u);
    EXPECT_FALSE(builder.CreateSpend({}, 1, OutputKind::P2WPKH, 0));
    EXPECT_FALSE(builder.CreateSpend(coins, 0, OutputKind::P2WPKH, 0));
    EXPECT_FALSE(builder.CreateSpend(coins, 1, OutputKind::P2WPKH, 50 * COIN));
    EXPECT_FALSE(builder.CreateSpend(coins, 1, OutputKind::P2WPKH, -1));
    EXPECT_TRUE(builder.CreateSpend(coins, 1, OutputKind::P2WPKH, 50 * COIN - 1));

    MutableTransaction tx;
    tx.vin.resize(1);
    tx.vout.push_back(TxOut{COIN, builder.ScriptFor(0, OutputKind::P2WPKH)});
    EXPECT_FALSE(builder.Sign(tx, coins)); // input does not spend the coin
    tx.vin[0].prevout = coins[0].outpoint;
    auto foreign = coins[0];
    foreign.txout.script_pubkey = S({0x51});
    EXPECT_FALSE(builder.Sign(tx, std::span{&foreign, 1})); // not a script it owns
    EXPECT_FALSE(builder.Sign(tx, {}));
    EXPECT_TRUE(builder.Sign(tx, coins));

    EXPECT_FALSE(builder.Generate(-1, 10));
    EXPECT_FALSE(builder.Generate(1, 0));
    EXPECT_FALSE(builder.BuildBlock({}, {.parent = Uint256{}}));
    EXPECT_FALSE(builder.BuildBlock({}, {.fees = -5}));
    EXPECT_TRUE(builder.ScriptFor(64, OutputKind::P2TR).empty());
}

TEST_F(ChainBuilderTest, ForksFromEarlierBlocks)
{
    ChainBuilder builder{*m_params};
    std::vector<Uint256> main;
    for (int i = 0; i < 5; ++i)
        main.push_back(builder.BuildBlock()->GetHash());
    const Uint256 fork_point = main[1]; // height 2
    auto f3 = builder.BuildBlock({}, {.parent = fork_point});
    ASSERT_TRUE(f3);
    EXPECT_EQ(f3->header.prev_block, fork_point);
    EXPECT_EQ(builder.Info(f3->GetHash())->height, 3);
    EXPECT_EQ(testutil::DecodeCoinbaseHeight(f3->vtx[0]->vin[0].script_sig), 3);
    EXPECT_NE(f3->GetHash(), main[2]);
    EXPECT_EQ(builder.Tip().hash, main[4]); // a shorter branch does not move the tip
    EXPECT_EQ(f3->header.time, builder.Info(fork_point)->time + 1);

    Uint256 parent = f3->GetHash();
    for (int height = 4; height <= 6; ++height) {
        auto b = builder.BuildBlock({}, {.parent = parent});
        ASSERT_TRUE(b);
        ExpectWellFormed(*b, Consensus());
        const auto info = builder.Info(b->GetHash());
        ASSERT_TRUE(info);
        EXPECT_EQ(info->height, height);
        EXPECT_EQ(info->parent, parent);
        EXPECT_EQ(testutil::DecodeCoinbaseHeight(b->vtx[0]->vin[0].script_sig), height);
        parent = b->GetHash();
    }
    // Height 5 ties the main chain and keeps the first; height 6 takes over.
    EXPECT_EQ(builder.Tip().hash, parent);
    EXPECT_EQ(builder.Tip().height, 6);
    EXPECT_TRUE(builder.SetTip(main[4]));
    EXPECT_EQ(builder.BuildBlock()->header.prev_block, main[4]);
    EXPECT_FALSE(builder.SetTip(Uint256{}));
}

TEST_F(ChainBuilderTest, CallerTimeAndMedianTimePast)
{
    ChainBuilder builder{*m_params};
    const int64_t genesis_time = builder.Tip().time;
    std::vector<uint32_t> times;
    for (int i = 0; i < 11; ++i) {
        const auto t = static_cast<uint32_t>(genesis_time + 1000 * (i + 1));
        auto b = builder.BuildBlock({}, {.time = t});
        ASSERT_TRUE(b);
        EXPECT_EQ(b->header.time, t);
        times.push_back(t);
    }
    // Median of the last 11 timestamps (all caller-given) is the 6th.
    EXPECT_EQ(builder.MedianTimePast(builder.Tip().hash), times[5]);
    auto next = builder.BuildBlock();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->header.time, times.back() + 1);
}

TEST_F(ChainBuilderTest, SameSeedSameChain)
{
    ChainBuilder a{*m_params, 5};
    ChainBuilder b{*m_params, 5};
    ChainBuilder c{*m_params, 6};
    std::vector<Uint256> ha, hb, hc;
    ASSERT_TRUE(a.Generate(103, 4, [&](const Block& blk) { ha.push_back(blk.GetHash()); }));
    ASSERT_TRUE(b.Generate(103, 4, [&](const Block& blk) { hb.push_back(blk.GetHash()); }));
    ASSERT_TRUE(c.Generate(103, 4, [&](const Block& blk) { hc.push_back(blk.GetHash()); }));
    EXPECT_EQ(ha, hb);
    EXPECT_NE(ha, hc);
    EXPECT_NE(a.ScriptFor(0, OutputKind::P2TR), c.ScriptFor(0, OutputKind::P2TR));
}

TEST_F(ChainBuilderTest, FinalizeRepairsMutatedBlock)
{
    ChainBuilder builder{*m_params};
    ASSERT_TRUE(MineEmpty(builder, 101));
    auto coins = builder.SpendableCoins(102);
    auto tx1 = builder.CreateSpend(coins, 4, OutputKind::P2TR, 1000);
    ASSERT_TRUE(tx1);
    auto block = builder.BuildBlock({*tx1}, {.fees = 1000});
    ASSERT_TRUE(block);
    auto more = builder.SpendableCoins(103);
    std::erase_if(more, [](const OwnedCoin& c) { return c.coinbase; });
    ASSERT_EQ(more.size(), 4u);
    auto tx2 = builder.CreateSpend(std::span{more}.first(1), 1, OutputKind::P2WPKH, 100);
    ASSERT_TRUE(tx2);

    // A negative test's mutation: another transaction in the block.
    Block mutated = *block;
    mutated.vtx.push_back(*tx2);
    EXPECT_NE(consensus::BlockMerkleRoot(mutated), mutated.header.merkle_root);

    // Without the commitment update the merkle root and PoW are right but the commitment is stale.
    Block stale = mutated;
    ASSERT_TRUE(testutil::FinalizeBlock(stale, Consensus(), false));
    EXPECT_EQ(consensus::BlockMerkleRoot(stale), stale.header.merkle_root);
    EXPECT_TRUE(consensus::CheckProofOfWork(stale.GetHash(), stale.header.bits, Consensus()));
    const auto idx = consensus::GetWitnessCommitmentIndex(stale);
    ASSERT_TRUE(idx);
    const Uint256 fresh =
        consensus::ComputeWitnessCommitment(consensus::BlockWitnessMerkleRoot(stale), Uint256{});
    const auto& stale_script = stale.vtx[0]->vout[*idx].script_pubkey.bytes();
    EXPECT_FALSE(std::equal(fresh.begin(), fresh.end(), stale_script.begin() + 6));

    ASSERT_TRUE(testutil::FinalizeBlock(mutated, Consensus()));
    ExpectWellFormed(mutated, Consensus());
    EXPECT_EQ(mutated.vtx[0]->vout.size(), block->vtx[0]->vout.size()); // replaced, not added

    // A block without witness data gains a commitment once a witness spend is added.
    Block plain;
    plain.header = block->header;
    plain.vtx = {block->vtx[0]};
    MutableTransaction cb{plain.vtx[0]->version, plain.vtx[0]->vin, plain.vtx[0]->vout,
                          plain.vtx[0]->locktime};
    cb.vout.resize(1);
    cb.vin[0].witness.stack.clear();
    plain.vtx[0] = consensus::MakeTransactionRef(cb);
    ASSERT_TRUE(testutil::FinalizeBlock(plain, Consensus()));
    ExpectWellFormed(plain, Consensus());
    plain.vtx.push_back(*tx2);
    ASSERT_TRUE(testutil::FinalizeBlock(plain, Consensus()));
    ExpectWellFormed(plain, Consensus());
}

class BlockFileTest : public ChainBuilderTest
{
protected:
    void SetUp() override
    {
        m_dir = std::filesystem::temp_directory_path() /
                ("minibit_chaingen_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::filesystem::path m_dir;
};

TEST_F(BlockFileTest, RoundTripsAndRejectsDamage)
{
    ChainBuilder builder{*m_params};
    std::vector<Block> blocks;
    ASSERT_TRUE(builder.Generate(103, 3, [&](const Block& b) { blocks.push_back(b); }));
    const std::string path = (m_dir / "blk00000.dat").string();
    const auto& magic = m_params->GetMessageStart();
    {
        auto writer = testutil::BlockFileWriter::Open(path, magic);
        ASSERT_TRUE(writer) << writer.error().message;
        for (const auto& b : blocks)
            ASSERT_TRUE(writer->Append(b));
        ASSERT_TRUE(writer->Close());
        EXPECT_FALSE(writer->Append(blocks[0])); // closed
    }
    auto read = testutil::ReadBlockFile(path, magic);
    ASSERT_TRUE(read) << read.error().message;
    ASSERT_EQ(read->size(), blocks.size());
    for (size_t i = 0; i < blocks.size(); ++i) {
        EXPECT_EQ((*read)[i].GetHash(), blocks[i].GetHash());
        EXPECT_EQ(consensus::Encode((*read)[i]), consensus::Encode(blocks[i]));
    }

    // The framing by hand: regtest magic fabfb5da, then the LE size of block 0.
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    const auto first = consensus::Encode(blocks[0]);
    ASSERT_GE(bytes.size(), 8 + first.size());
    EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 4),
              (std::vector<uint8_t>{0xfa, 0xbf, 0xb5, 0xda}));
    EXPECT_EQ(bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24),
              static_cast<int>(first.size()));

    // Zero padding after the records is what preallocated blk files hold.
    auto padded = bytes;
    padded.resize(bytes.size() + 100, 0);
    auto pad_read = testutil::DecodeBlockFile(padded, magic);
    ASSERT_TRUE(pad_read);
    EXPECT_EQ(pad_read->size(), blocks.size());

    auto wrong_magic =
        testutil::DecodeBlockFile(bytes, common::ChainParams::Main()->GetMessageStart());
    EXPECT_FALSE(wrong_magic);
    auto huge = bytes;
    huge[7] = 0x7f; // size far above the block size limit
    EXPECT_FALSE(testutil::DecodeBlockFile(huge, magic));
    auto short_size = bytes;
    short_size[4] = static_cast<uint8_t>(short_size[4] - 1); // record one byte short
    EXPECT_FALSE(testutil::DecodeBlockFile(short_size, magic));
    EXPECT_FALSE(testutil::ReadBlockFile((m_dir / "missing.dat").string(), magic));
}

TEST_F(BlockFileTest, TruncationFailsCleanlyAtEveryPrefix)
{
    ChainBuilder builder{*m_params};
    std::vector<Block> blocks;
    ASSERT_TRUE(builder.Generate(3, 1, [&](const Block& b) { blocks.push_back(b); }));
    std::vector<uint8_t> bytes;
    std::vector<size_t> boundaries{0};
    for (const auto& b : blocks) {
        const auto enc = consensus::Encode(b);
        const auto size = static_cast<uint32_t>(enc.size());
        const auto& magic = m_params->GetMessageStart();
        bytes.insert(bytes.end(), magic.begin(), magic.end());
        for (int i = 0; i < 4; ++i)
            bytes.push_back(static_cast<uint8_t>(size >> (8 * i)));
        bytes.insert(bytes.end(), enc.begin(), enc.end());
        boundaries.push_back(bytes.size());
    }
    for (size_t len = 0; len <= bytes.size(); ++len) {
        auto r =
            testutil::DecodeBlockFile(std::span{bytes}.first(len), m_params->GetMessageStart());
        const auto at = std::find(boundaries.begin(), boundaries.end(), len);
        if (at == boundaries.end()) {
            EXPECT_FALSE(r) << "prefix " << len;
        } else {
            ASSERT_TRUE(r) << "prefix " << len;
            const auto n = static_cast<size_t>(at - boundaries.begin());
            ASSERT_EQ(r->size(), n);
            for (size_t i = 0; i < n; ++i)
                EXPECT_EQ((*r)[i].GetHash(), blocks[i].GetHash());
        }
    }
}

} // namespace
