// Block checks without a UTXO set: every reject string of block_check.h on
// small hand-built regtest-style blocks, real mainnet blocks as positive cases,
// the subsidy schedule, script flags by height and BIP325 signet solutions.
#include <consensus/block_check.h>

#include <common/chainparams.h>
#include <consensus/consensus_constants.h>
#include <consensus/crypto/key.h>
#include <consensus/hash.h>
#include <consensus/merkle.h>
#include <consensus/pow.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/sighash.h>
#include <consensus/serialize.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace consensus;

namespace {

const std::string BLOCKS_DIR = std::string{MINIBIT_TEST_DATA_DIR} + "/blocks/";
constexpr uint32_t REGTEST_BITS = 0x207fffff;
constexpr int64_t SOME_TIME = 1'700'000'000;

const ConsensusParams& Regtest()
{
    static const auto params = common::ChainParams::RegTest();
    return params->GetConsensus();
}
const ConsensusParams& Mainnet()
{
    static const auto params = common::ChainParams::Main();
    return params->GetConsensus();
}
const ConsensusParams& Testnet4()
{
    static const auto params = common::ChainParams::TestNet4();
    return params->GetConsensus();
}

Uint256 HashFromHex(const std::string& hex)
{
    auto h = Uint256::FromHex(hex);
    EXPECT_TRUE(h) << hex;
    return h ? *h : Uint256{};
}

Uint256 TagHash(uint8_t tag)
{
    Uint256 h;
    h.data()[0] = tag;
    h.data()[31] = 0x42;
    return h;
}

// A coinbase with the BIP34 height push (plus a pad so it meets the 2-byte minimum).
MutableTransaction Coinbase(int height)
{
    MutableTransaction tx;
    tx.version = 1;
    auto& in = tx.vin.emplace_back();
    in.script_sig.PushInt(height);
    in.script_sig << std::vector<uint8_t>{0xab, 0xcd};
    Script pay;
    pay << OP_TRUE;
    tx.vout.push_back(TxOut{50 * COIN, pay});
    return tx;
}

// An ordinary transaction spending a made-up outpoint.
MutableTransaction Spend(uint8_t tag)
{
    MutableTransaction tx;
    tx.version = 2;
    auto& in = tx.vin.emplace_back();
    in.prevout = OutPoint{TagHash(tag), 0};
    in.script_sig << OP_TRUE;
    Script pay;
    pay << OP_TRUE;
    tx.vout.push_back(TxOut{1000, pay});
    return tx;
}

MutableTransaction WithWitness(MutableTransaction tx)
{
    tx.vin[0].witness.stack = {{0x01, 0x02}};
    return tx;
}

// Adds (or replaces) the BIP141 commitment output and the coinbase's reserved value.
void AddWitnessCommitment(Block& block, const Uint256& reserved = Uint256{})
{
    MutableTransaction cb = ToMutable(*block.vtx[0]);
    cb.vin[0].witness.stack = {std::vector<uint8_t>(reserved.begin(), reserved.end())};
    block.vtx[0] = MakeTransactionRef(cb); // the witness root ignores the coinbase
    const Uint256 commitment = ComputeWitnessCommitment(BlockWitnessMerkleRoot(block), reserved);
    Script spk;
    spk.Append(WITNESS_COMMITMENT_HEADER);
    spk.Append(commitment.span());
    cb.vout.push_back(TxOut{0, spk});
    block.vtx[0] = MakeTransactionRef(std::move(cb));
}

// Grinds the nonce until the header meets (or, if `valid` is false, misses) its target.
void Mine(Block& block, const ConsensusParams& params, bool valid = true)
{
    while (CheckProofOfWork(block.GetHash(), block.header.bits, params) != valid)
        ++block.header.nonce;
}

// A regtest block: coinbase at `height`, then `txs`; optional commitment; merkle root and PoW set.
Block MakeBlock(int height, const std::vector<MutableTransaction>& txs = {},
                bool commitment = false)
{
    Block block;
    block.header.version = 4;
    block.header.prev_block = TagHash(0xee);
    block.header.time = static_cast<uint32_t>(SOME_TIME);
    block.header.bits = REGTEST_BITS;
    block.vtx.push_back(MakeTransactionRef(Coinbase(height)));
    for (const auto& tx : txs)
        block.vtx.push_back(MakeTransactionRef(tx));
    if (commitment) AddWitnessCommitment(block);
    block.header.merkle_root = BlockMerkleRoot(block);
    Mine(block, Regtest());
    return block;
}

void Finish(Block& block, const ConsensusParams& params = Regtest())
{
    block.header.merkle_root = BlockMerkleRoot(block);
    Mine(block, params);
}

BlockValidationState RunCheckBlock(const Block& block, const ConsensusParams& params = Regtest())
{
    BlockValidationState state;
    const bool ok = CheckBlock(block, state, params);
    EXPECT_EQ(ok, state.IsValid());
    return state;
}

BlockValidationState RunContextual(const Block& block, int height, int64_t prev_mtp,
                                   const ConsensusParams& params = Regtest())
{
    BlockValidationState state;
    const bool ok = ContextualCheckBlock(block, state, height, prev_mtp, params);
    EXPECT_EQ(ok, state.IsValid());
    return state;
}

BlockValidationState RunHeader(const BlockHeader& header, const HeaderContext& context,
                               const ConsensusParams& params)
{
    BlockValidationState state;
    const bool ok = ContextualCheckBlockHeader(header, state, context, params);
    EXPECT_EQ(ok, state.IsValid());
    return state;
}

std::vector<uint8_t> ReadFileBytes(const std::string& path)
{
    std::ifstream f{path, std::ios::binary};
    return {std::istreambuf_iterator<char>{f}, std::istreambuf_iterator<char>{}};
}

} // namespace

// ---- CheckBlockHeader / CheckBlock ------------------------------------------

TEST(BlockCheck, ValidRegtestBlockPasses)
{
    const Block block = MakeBlock(1, {Spend(1), Spend(2)});
    EXPECT_TRUE(RunCheckBlock(block).IsValid());
    EXPECT_TRUE(RunContextual(block, 1, SOME_TIME - 1).IsValid());
}

TEST(BlockCheck, HighHash)
{
    Block block = MakeBlock(1);
    Mine(block, Regtest(), /*valid=*/false);
    BlockValidationState state;
    EXPECT_FALSE(CheckBlockHeader(block.header, state, Regtest()));
    EXPECT_EQ(state.GetRejectReason(), "high-hash");
    EXPECT_EQ(state.GetResult(), BlockResult::INVALID_HEADER);

    const auto block_state = RunCheckBlock(block);
    EXPECT_EQ(block_state.GetRejectReason(), "high-hash");
    EXPECT_EQ(block_state.GetResult(), BlockResult::INVALID_HEADER);

    // Without the PoW check the same block is fine.
    BlockValidationState unchecked;
    EXPECT_TRUE(CheckBlockHeader(block.header, unchecked, Regtest(), /*check_pow=*/false));
    EXPECT_TRUE(CheckBlock(block, unchecked, Regtest(), /*check_pow=*/false));
    // Bits easier than the network's limit are never acceptable.
    Block easy = MakeBlock(1);
    easy.header.bits = 0x2100ffff;
    BlockValidationState easy_state;
    EXPECT_FALSE(CheckBlockHeader(easy.header, easy_state, Regtest()));
    EXPECT_EQ(easy_state.GetRejectReason(), "high-hash");
}

TEST(BlockCheck, BadMerkleRoot)
{
    Block block = MakeBlock(1, {Spend(1)});
    block.header.merkle_root.data()[0] ^= 1;
    Mine(block, Regtest());
    const auto state = RunCheckBlock(block);
    EXPECT_EQ(state.GetRejectReason(), "bad-txnmrklroot");
    EXPECT_EQ(state.GetResult(), BlockResult::MUTATED);
    // Skipping the merkle check lets it through.
    BlockValidationState skipped;
    EXPECT_TRUE(CheckBlock(block, skipped, Regtest(), true, /*check_merkle_root=*/false));
}

TEST(BlockCheck, DuplicateTransactionsAreMutated)
{
    // [cb, a, b] and [cb, a, b, b] share a merkle root (CVE-2012-2459).
    Block original = MakeBlock(1, {Spend(1), Spend(2)});
    Block forged = original;
    forged.vtx.push_back(forged.vtx.back());
    ASSERT_EQ(BlockMerkleRoot(forged), original.header.merkle_root);
    const auto state = RunCheckBlock(forged);
    EXPECT_EQ(state.GetRejectReason(), "bad-txns-duplicate");
    EXPECT_EQ(state.GetResult(), BlockResult::MUTATED);
    EXPECT_TRUE(RunCheckBlock(original).IsValid());
}

TEST(BlockCheck, BadBlockLength)
{
    Block empty = MakeBlock(1);
    empty.vtx.clear();
    Finish(empty); // the root of nothing is zero
    const auto state = RunCheckBlock(empty);
    EXPECT_EQ(state.GetRejectReason(), "bad-blk-length");
    EXPECT_EQ(state.GetResult(), BlockResult::CONSENSUS);

    // Stripped size over 1 MB (weight / 4).
    MutableTransaction cb = Coinbase(1);
    cb.vout[0].script_pubkey.bytes().assign(1'000'000, OP_RETURN);
    Block big = MakeBlock(1);
    big.vtx[0] = MakeTransactionRef(cb);
    Finish(big);
    EXPECT_EQ(RunCheckBlock(big).GetRejectReason(), "bad-blk-length");

    // Just under the limit passes the size rule (1,000,000 bytes total).
    const size_t over = EncodeBlockNoWitness(big).size() - 1'000'000;
    cb.vout[0].script_pubkey.bytes().resize(1'000'000 - over);
    big.vtx[0] = MakeTransactionRef(cb);
    Finish(big);
    ASSERT_EQ(EncodeBlockNoWitness(big).size(), 1'000'000U);
    EXPECT_TRUE(RunCheckBlock(big).IsValid()) << RunCheckBlock(big).ToString();
}

TEST(BlockCheck, CoinbaseMissingOrMultiple)
{
    Block missing = MakeBlock(1);
    missing.vtx[0] = MakeTransactionRef(Spend(1));
    Finish(missing);
    auto state = RunCheckBlock(missing);
    EXPECT_EQ(state.GetRejectReason(), "bad-cb-missing");
    EXPECT_EQ(state.GetResult(), BlockResult::CONSENSUS);

    Block multiple = MakeBlock(1, {Spend(1), Coinbase(2)});
    state = RunCheckBlock(multiple);
    EXPECT_EQ(state.GetRejectReason(), "bad-cb-multiple");
    EXPECT_EQ(state.GetResult(), BlockResult::CONSENSUS);
}

TEST(BlockCheck, TransactionCheckFailureUsesTxReason)
{
    MutableTransaction bad = Spend(1);
    bad.vout[0].value = -1;
    const Block block = MakeBlock(1, {Spend(2), bad});
    const auto state = RunCheckBlock(block);
    EXPECT_EQ(state.GetRejectReason(), "bad-txns-vout-negative");
    EXPECT_EQ(state.GetResult(), BlockResult::CONSENSUS);
    const std::string expected_debug =
        "Transaction check failed (tx hash " + bad.GetHash().GetHex() + ") ";
    EXPECT_EQ(state.GetDebugMessage(), expected_debug);

    // Duplicate inputs inside one transaction (CVE-2018-17144).
    MutableTransaction dup = Spend(3);
    dup.vin.push_back(dup.vin[0]);
    EXPECT_EQ(RunCheckBlock(MakeBlock(1, {dup})).GetRejectReason(), "bad-txns-inputs-duplicate");
}

TEST(BlockCheck, LegacySigopLimit)
{
    // 80,000 cost / 4 = 20,000 legacy sigops; a bare CHECKMULTISIG counts 20.
    MutableTransaction heavy = Spend(1);
    heavy.vout[0].script_pubkey.bytes().assign(1000, OP_CHECKMULTISIG);
    EXPECT_TRUE(RunCheckBlock(MakeBlock(1, {heavy})).IsValid());

    // The coinbase's OP_TRUE output and scriptSig carry none; one more pushes it over.
    heavy.vout[0].script_pubkey << OP_CHECKSIG;
    const auto state = RunCheckBlock(MakeBlock(1, {heavy}));
    EXPECT_EQ(state.GetRejectReason(), "bad-blk-sigops");
    EXPECT_EQ(state.GetResult(), BlockResult::CONSENSUS);

    // Sigops add up across transactions.
    MutableTransaction half = Spend(2);
    half.vout[0].script_pubkey.bytes().assign(500, OP_CHECKMULTISIG);
    MutableTransaction other = Spend(3);
    other.vout[0].script_pubkey.bytes().assign(500, OP_CHECKMULTISIG);
    EXPECT_TRUE(RunCheckBlock(MakeBlock(1, {half, other})).IsValid());
    other.vout[0].script_pubkey << OP_CHECKSIGVERIFY;
    EXPECT_EQ(RunCheckBlock(MakeBlock(1, {half, other})).GetRejectReason(), "bad-blk-sigops");
}

// ---- ContextualCheckBlockHeader ----------------------------------------------

namespace {

HeaderContext GoodContext(int height, uint32_t bits)
{
    HeaderContext c;
    c.height = height;
    c.expected_bits = bits;
    c.prev_time = SOME_TIME - 600;
    c.prev_median_time = SOME_TIME - 3600;
    c.now = SOME_TIME;
    return c;
}

BlockHeader HeaderAt(int32_t version, uint32_t bits, int64_t time)
{
    BlockHeader h;
    h.version = version;
    h.bits = bits;
    h.time = static_cast<uint32_t>(time);
    return h;
}

} // namespace

TEST(BlockCheck, BadDiffBits)
{
    const auto context = GoodContext(5, REGTEST_BITS);
    EXPECT_TRUE(RunHeader(HeaderAt(4, REGTEST_BITS, SOME_TIME), context, Regtest()).IsValid());
    const auto state = RunHeader(HeaderAt(4, REGTEST_BITS - 1, SOME_TIME), context, Regtest());
    EXPECT_EQ(state.GetRejectReason(), "bad-diffbits");
    EXPECT_EQ(state.GetResult(), BlockResult::INVALID_HEADER);
}

TEST(BlockCheck, TimeTooOld)
{
    const auto context = GoodContext(5, REGTEST_BITS);
    const int64_t mtp = context.prev_median_time;
    EXPECT_TRUE(RunHeader(HeaderAt(4, REGTEST_BITS, mtp + 1), context, Regtest()).IsValid());
    const auto state = RunHeader(HeaderAt(4, REGTEST_BITS, mtp), context, Regtest());
    EXPECT_EQ(state.GetRejectReason(), "time-too-old");
    EXPECT_EQ(state.GetResult(), BlockResult::INVALID_HEADER);
}

TEST(BlockCheck, TimeTooNew)
{
    const auto context = GoodContext(5, REGTEST_BITS);
    const int64_t limit = context.now + 2 * 60 * 60;
    EXPECT_TRUE(RunHeader(HeaderAt(4, REGTEST_BITS, limit), context, Regtest()).IsValid());
    const auto state = RunHeader(HeaderAt(4, REGTEST_BITS, limit + 1), context, Regtest());
    EXPECT_EQ(state.GetRejectReason(), "time-too-new");
    EXPECT_EQ(state.GetResult(), BlockResult::TIME_FUTURE);
}

TEST(BlockCheck, TimewarpAttackOnTestnet4)
{
    constexpr uint32_t BITS = 0x1d00ffff;
    const int interval = static_cast<int>(Testnet4().DifficultyAdjustmentInterval());
    ASSERT_EQ(interval, 2016);
    HeaderContext context = GoodContext(interval, BITS);
    context.prev_time = SOME_TIME;
    context.prev_median_time = SOME_TIME - 7200;

    // 600 seconds before the parent is the earliest allowed on a retarget boundary.
    EXPECT_TRUE(RunHeader(HeaderAt(4, BITS, SOME_TIME - 600), context, Testnet4()).IsValid());
    auto state = RunHeader(HeaderAt(4, BITS, SOME_TIME - 601), context, Testnet4());
    EXPECT_EQ(state.GetRejectReason(), "time-timewarp-attack");
    EXPECT_EQ(state.GetResult(), BlockResult::INVALID_HEADER);

    // Not a retarget boundary: only the median-time rule applies.
    context.height = interval + 1;
    EXPECT_TRUE(RunHeader(HeaderAt(4, BITS, SOME_TIME - 601), context, Testnet4()).IsValid());

    // Mainnet does not enforce BIP94.
    context.height = interval * 100;
    EXPECT_TRUE(RunHeader(HeaderAt(4, BITS, SOME_TIME - 3000), context, Mainnet()).IsValid());
    context.height = interval * 2;
    state = RunHeader(HeaderAt(4, BITS, SOME_TIME - 3000), context, Testnet4());
    EXPECT_EQ(state.GetRejectReason(), "time-timewarp-attack");
}

TEST(BlockCheck, BadVersionAfterBuriedDeployments)
{
    const auto& main = Mainnet();
    constexpr uint32_t BITS = 0x1d00ffff;
    struct Case
    {
        int height;
        int32_t version;
        const char* reason; // nullptr: accepted
    };
    const Case cases[] = {
        {main.bip34_height - 1, 1, nullptr},
        {main.bip34_height, 1, "bad-version(0x00000001)"},
        {main.bip34_height, 2, nullptr},
        {main.bip66_height - 1, 2, nullptr},
        {main.bip66_height, 2, "bad-version(0x00000002)"},
        {main.bip66_height, 3, nullptr},
        {main.bip65_height - 1, 3, nullptr},
        {main.bip65_height, 3, "bad-version(0x00000003)"},
        {main.bip65_height, 4, nullptr},
        {main.bip65_height, 0x20000000, nullptr},
        // Negative versions print as their 32-bit pattern.
        {main.bip34_height, -1, "bad-version(0xffffffff)"},
        {1, 0, nullptr},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE("height " + std::to_string(c.height) + " version " +
                     std::to_string(c.version));
        const auto state =
            RunHeader(HeaderAt(c.version, BITS, SOME_TIME), GoodContext(c.height, BITS), main);
        if (!c.reason) {
            EXPECT_TRUE(state.IsValid()) << state.ToString();
            continue;
        }
        EXPECT_EQ(state.GetRejectReason(), c.reason);
        EXPECT_EQ(state.GetResult(), BlockResult::INVALID_HEADER);
    }
    const auto state =
        RunHeader(HeaderAt(2, BITS, SOME_TIME), GoodContext(main.bip66_height, BITS), main);
    EXPECT_EQ(state.GetDebugMessage(), "rejected nVersion=0x00000002 block");
}

// ---- ContextualCheckBlock ----------------------------------------------------

TEST(BlockCheck, NonFinalTransactions)
{
    constexpr int HEIGHT = 10;
    const int64_t mtp = SOME_TIME - 3600;
    MutableTransaction tx = Spend(1);
    tx.vin[0].sequence = 0; // lock time binding

    tx.locktime = HEIGHT - 1;
    EXPECT_TRUE(RunContextual(MakeBlock(HEIGHT, {tx}), HEIGHT, mtp).IsValid());
    tx.locktime = HEIGHT;
    auto state = RunContextual(MakeBlock(HEIGHT, {tx}), HEIGHT, mtp);
    EXPECT_EQ(state.GetRejectReason(), "bad-txns-nonfinal");
    EXPECT_EQ(state.GetResult(), BlockResult::CONSENSUS);

    // A final sequence disarms the lock time.
    tx.vin[0].sequence = TxIn::SEQUENCE_FINAL;
    EXPECT_TRUE(RunContextual(MakeBlock(HEIGHT, {tx}), HEIGHT, mtp).IsValid());

    // After CSV, time locks are judged by the parent's median time past (BIP113),
    // not by the block's own timestamp.
    tx.vin[0].sequence = 0;
    tx.locktime = static_cast<uint32_t>(mtp);
    state = RunContextual(MakeBlock(HEIGHT, {tx}), HEIGHT, mtp);
    EXPECT_EQ(state.GetRejectReason(), "bad-txns-nonfinal");
    tx.locktime = static_cast<uint32_t>(mtp - 1);
    EXPECT_TRUE(RunContextual(MakeBlock(HEIGHT, {tx}), HEIGHT, mtp).IsValid());
}

TEST(BlockCheck, NonFinalUsesBlockTimeBeforeCsv)
{
    const auto& main = Mainnet();
    const int height = main.csv_height - 1;
    const int64_t mtp = SOME_TIME - 3600;
    MutableTransaction tx = Spend(1);
    tx.vin[0].sequence = 0;
    tx.locktime = static_cast<uint32_t>(SOME_TIME - 1); // after the MTP, before the block time
    Block block = MakeBlock(height, {tx});
    EXPECT_TRUE(RunContextual(block, height, mtp, main).IsValid())
        << RunContextual(block, height, mtp, main).ToString();
    EXPECT_EQ(RunContextual(block, height + 1, mtp, main).GetRejectReason(), "bad-txns-nonfinal");
}

TEST(BlockCheck, CoinbaseHeight)
{
    const Block block = MakeBlock(5);
    EXPECT_TRUE(RunContextual(block, 5, SOME_TIME - 1).IsValid());
    auto state = RunContextual(block, 6, SOME_TIME - 1);
    EXPECT_EQ(state.GetRejectReason(), "bad-cb-height");
    EXPECT_EQ(state.GetResult(), BlockResult::CONSENSUS);

    // Heights above 16 are pushed as script numbers: 1000 = 0x03e8 -> push 2 bytes e8 03.
    Block thousand = MakeBlock(1000);
    const auto& sig = thousand.vtx[0]->vin[0].script_sig.bytes();
    ASSERT_GE(sig.size(), 3U);
    EXPECT_EQ(sig[0], 0x02);
    EXPECT_EQ(sig[1], 0xe8);
    EXPECT_EQ(sig[2], 0x03);
    EXPECT_TRUE(RunContextual(thousand, 1000, SOME_TIME - 1).IsValid());
    EXPECT_EQ(RunContextual(thousand, 1001, SOME_TIME - 1).GetRejectReason(), "bad-cb-height");

    // Heights 128..255 need a sign byte; a push without it is a different number.
    MutableTransaction cb = Coinbase(200);
    ASSERT_EQ(cb.vin[0].script_sig.bytes()[0], 0x02); // c8 00
    cb.vin[0].script_sig.bytes() = {0x01, 0xc8, 0x00, 0x00};
    Block unsigned_push = MakeBlock(200);
    unsigned_push.vtx[0] = MakeTransactionRef(cb);
    Finish(unsigned_push);
    EXPECT_EQ(RunContextual(unsigned_push, 200, SOME_TIME - 1).GetRejectReason(), "bad-cb-height");

    // Before BIP34 the coinbase may say anything.
    const auto& main = Mainnet();
    EXPECT_TRUE(RunContextual(block, main.bip34_height - 1, SOME_TIME - 1, main).IsValid());
    EXPECT_EQ(RunContextual(block, main.bip34_height, SOME_TIME - 1, main).GetRejectReason(),
              "bad-cb-height");
}

TEST(BlockCheck, WitnessCommitment)
{
    const MutableTransaction witness_tx = WithWitness(Spend(1));
    Block good = MakeBlock(1, {witness_tx}, /*commitment=*/true);
    EXPECT_TRUE(RunCheckBlock(good).IsValid());
    EXPECT_TRUE(RunContextual(good, 1, SOME_TIME - 1).IsValid());

    // Reserved value of the wrong size, or two stack items.
    for (const auto& stack : std::vector<std::vector<std::vector<uint8_t>>>{
             {std::vector<uint8_t>(31, 0)},
             {std::vector<uint8_t>(33, 0)},
             {std::vector<uint8_t>(32, 0), std::vector<uint8_t>(32, 0)},
             {}}) {
        Block block = good;
        MutableTransaction cb = ToMutable(*block.vtx[0]);
        cb.vin[0].witness.stack = stack;
        block.vtx[0] = MakeTransactionRef(cb);
        Finish(block);
        const auto state = RunContextual(block, 1, SOME_TIME - 1);
        EXPECT_EQ(state.GetRejectReason(), "bad-witness-nonce-size") << stack.size();
        EXPECT_EQ(state.GetResult(), BlockResult::MUTATED);
    }

    // A commitment over different witness data.
    Block mismatch = good;
    mismatch.vtx[1] = MakeTransactionRef(WithWitness(Spend(2)));
    Finish(mismatch);
    auto state = RunContextual(mismatch, 1, SOME_TIME - 1);
    EXPECT_EQ(state.GetRejectReason(), "bad-witness-merkle-match");
    EXPECT_EQ(state.GetResult(), BlockResult::MUTATED);

    // The reserved value is part of the commitment.
    Block other_reserved = good;
    MutableTransaction cb = ToMutable(*other_reserved.vtx[0]);
    cb.vin[0].witness.stack[0][0] ^= 1;
    other_reserved.vtx[0] = MakeTransactionRef(cb);
    Finish(other_reserved);
    EXPECT_EQ(RunContextual(other_reserved, 1, SOME_TIME - 1).GetRejectReason(),
              "bad-witness-merkle-match");

    // A non-zero reserved value committed correctly is fine.
    Block nonzero = MakeBlock(1, {witness_tx});
    AddWitnessCommitment(nonzero, TagHash(7));
    Finish(nonzero);
    EXPECT_TRUE(RunContextual(nonzero, 1, SOME_TIME - 1).IsValid());

    // With several commitment outputs the last one counts.
    Block two = good;
    MutableTransaction cb_two = ToMutable(*two.vtx[0]);
    TxOut decoy = cb_two.vout.back();
    decoy.script_pubkey.bytes()[10] ^= 1;
    cb_two.vout.insert(cb_two.vout.end() - 1, decoy);
    two.vtx[0] = MakeTransactionRef(cb_two);
    Finish(two);
    EXPECT_TRUE(RunContextual(two, 1, SOME_TIME - 1).IsValid());
    std::swap(cb_two.vout[cb_two.vout.size() - 1], cb_two.vout[cb_two.vout.size() - 2]);
    two.vtx[0] = MakeTransactionRef(cb_two);
    Finish(two);
    EXPECT_EQ(RunContextual(two, 1, SOME_TIME - 1).GetRejectReason(), "bad-witness-merkle-match");
}

TEST(BlockCheck, UnexpectedWitness)
{
    // Witness data without a commitment.
    const Block no_commitment = MakeBlock(1, {WithWitness(Spend(1))});
    EXPECT_TRUE(RunCheckBlock(no_commitment).IsValid()); // CheckBlock ignores witnesses
    auto state = RunContextual(no_commitment, 1, SOME_TIME - 1);
    EXPECT_EQ(state.GetRejectReason(), "unexpected-witness");
    EXPECT_EQ(state.GetResult(), BlockResult::MUTATED);

    // Without witnesses no commitment is needed.
    EXPECT_TRUE(RunContextual(MakeBlock(1, {Spend(1)}), 1, SOME_TIME - 1).IsValid());

    // Before SegWit even a committed witness is unexpected.
    const auto& main = Mainnet();
    const Block committed = MakeBlock(main.segwit_height - 1, {WithWitness(Spend(1))}, true);
    state = RunContextual(committed, main.segwit_height - 1, SOME_TIME - 1, main);
    EXPECT_EQ(state.GetRejectReason(), "unexpected-witness");
    const Block committed_after = MakeBlock(main.segwit_height, {WithWitness(Spend(1))}, true);
    EXPECT_TRUE(RunContextual(committed_after, main.segwit_height, SOME_TIME - 1, main).IsValid());
}

TEST(BlockCheck, IsBlockMutated)
{
    const Block good = MakeBlock(1, {WithWitness(Spend(1))}, /*commitment=*/true);
    EXPECT_FALSE(IsBlockMutated(good, /*check_witness_root=*/true));

    // The transactions no longer match the merkle root.
    Block wrong_root = good;
    wrong_root.vtx[1] = MakeTransactionRef(WithWitness(Spend(2)));
    EXPECT_TRUE(IsBlockMutated(wrong_root, true));
    EXPECT_TRUE(IsBlockMutated(wrong_root, false));

    // CVE-2012-2459: the repeated tail keeps the root.
    Block duplicated = MakeBlock(1, {Spend(1), Spend(2)});
    duplicated.vtx.push_back(duplicated.vtx.back());
    ASSERT_EQ(BlockMerkleRoot(duplicated), duplicated.header.merkle_root);
    EXPECT_TRUE(IsBlockMutated(duplicated, true));

    // Witness stripped from the spend: the commitment no longer matches.
    Block stripped = good;
    stripped.vtx[1] = MakeTransactionRef(Spend(1));
    ASSERT_EQ(stripped.vtx[1]->GetHash(), good.vtx[1]->GetHash());
    EXPECT_TRUE(IsBlockMutated(stripped, true));
    // Junk witness data is caught the same way.
    Block junk = good;
    MutableTransaction junk_tx = ToMutable(*good.vtx[1]);
    junk_tx.vin[0].witness.stack.push_back({0x01});
    junk.vtx[1] = MakeTransactionRef(junk_tx);
    EXPECT_TRUE(IsBlockMutated(junk, true));
    // Before SegWit any witness is unexpected.
    EXPECT_TRUE(IsBlockMutated(good, false));
    EXPECT_FALSE(IsBlockMutated(MakeBlock(1, {Spend(1)}), false));

    // No coinbase first: a 64-byte transaction (an inner merkle node in disguise) is
    // mutation; other transactions are left to the full checks.
    MutableTransaction small;
    small.version = 1;
    small.vin.emplace_back().prevout = OutPoint{TagHash(3), 0};
    small.vout.push_back(TxOut{1, Script{std::vector<uint8_t>(4, 0x51)}});
    ASSERT_EQ(EncodeNoWitness(small).size(), 64u);
    Block no_coinbase;
    no_coinbase.header = good.header;
    no_coinbase.vtx.push_back(MakeTransactionRef(small));
    no_coinbase.header.merkle_root = BlockMerkleRoot(no_coinbase);
    EXPECT_TRUE(IsBlockMutated(no_coinbase, true));
    small.vout[0].script_pubkey = Script{std::vector<uint8_t>(5, 0x51)};
    no_coinbase.vtx[0] = MakeTransactionRef(small);
    no_coinbase.header.merkle_root = BlockMerkleRoot(no_coinbase);
    EXPECT_FALSE(IsBlockMutated(no_coinbase, true));
}

TEST(BlockCheck, IsBlockMutatedNamesTheMutation)
{
    const auto reason = [](const Block& block, bool check_witness_root) {
        BlockValidationState state;
        const bool mutated = IsBlockMutated(block, check_witness_root, state);
        EXPECT_EQ(mutated, state.IsInvalid());
        if (mutated) {
            EXPECT_EQ(state.GetResult(), BlockResult::MUTATED);
        }
        return state.GetRejectReason();
    };
    const Block good = MakeBlock(1, {WithWitness(Spend(1))}, /*commitment=*/true);
    EXPECT_EQ(reason(good, true), "");

    Block wrong_root = good;
    wrong_root.vtx[1] = MakeTransactionRef(WithWitness(Spend(2)));
    EXPECT_EQ(reason(wrong_root, true), "bad-txnmrklroot");

    Block duplicated = MakeBlock(1, {Spend(1), Spend(2)});
    duplicated.vtx.push_back(duplicated.vtx.back());
    EXPECT_EQ(reason(duplicated, true), "bad-txns-duplicate");

    Block junk = good;
    MutableTransaction junk_tx = ToMutable(*good.vtx[1]);
    junk_tx.vin[0].witness.stack.push_back({0x01});
    junk.vtx[1] = MakeTransactionRef(junk_tx);
    EXPECT_EQ(reason(junk, true), "bad-witness-merkle-match");

    Block long_nonce = good;
    MutableTransaction coinbase = ToMutable(*good.vtx[0]);
    coinbase.vin[0].witness.stack = {std::vector<uint8_t>(33, 0)};
    long_nonce.vtx[0] = MakeTransactionRef(coinbase);
    EXPECT_EQ(reason(long_nonce, true), "bad-witness-nonce-size");

    EXPECT_EQ(reason(good, false), "unexpected-witness");
}

TEST(BlockCheck, BlockWeight)
{
    // Witness bytes weigh 1 each: a 4 MB witness passes CheckBlock's size rule
    // and the commitment, but not the weight limit.
    MutableTransaction heavy = Spend(1);
    heavy.vin[0].witness.stack = {std::vector<uint8_t>(4'000'000, 0x11)};
    const Block block = MakeBlock(1, {heavy}, /*commitment=*/true);
    EXPECT_TRUE(RunCheckBlock(block).IsValid());
    const auto state = RunContextual(block, 1, SOME_TIME - 1);
    EXPECT_EQ(state.GetRejectReason(), "bad-blk-weight");
    EXPECT_EQ(state.GetResult(), BlockResult::CONSENSUS);

    // Trim the witness to land exactly on the limit.
    const size_t excess = block.GetWeight() - MAX_BLOCK_WEIGHT;
    heavy.vin[0].witness.stack[0].resize(4'000'000 - excess);
    const Block exact = MakeBlock(1, {heavy}, true);
    // (The item's length prefix stays 5 bytes, so this lands on or just under the limit.)
    ASSERT_LE(exact.GetWeight(), MAX_BLOCK_WEIGHT);
    ASSERT_GE(exact.GetWeight(), MAX_BLOCK_WEIGHT - 4);
    EXPECT_TRUE(RunContextual(exact, 1, SOME_TIME - 1).IsValid());
}

// ---- Real mainnet blocks -------------------------------------------------------

namespace {

class TimesChain : public HeaderChainView
{
public:
    std::vector<std::pair<uint32_t, int64_t>> headers;
    uint32_t BitsAt(int height) const override { return headers.at(height).first; }
    int64_t TimeAt(int height) const override { return headers.at(height).second; }
};

int64_t MedianOfLast11(const std::vector<std::pair<uint32_t, int64_t>>& headers)
{
    std::vector<int64_t> times;
    for (size_t i = headers.size() > 11 ? headers.size() - 11 : 0; i < headers.size(); ++i)
        times.push_back(headers[i].second);
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

} // namespace

TEST(BlockCheck, MainnetBlocks1To255)
{
    const auto file = ReadFileBytes(BLOCKS_DIR + "mainnet-blocks-1-255.dat");
    ASSERT_FALSE(file.empty());
    const auto& main = Mainnet();
    TimesChain chain;
    chain.headers.emplace_back(0x1d00ffff, 1231006505); // genesis
    size_t pos = 0;
    int height = 0;
    while (pos + 8 <= file.size()) {
        const uint32_t size = file[pos + 4] | (file[pos + 5] << 8) | (file[pos + 6] << 16) |
                              (static_cast<uint32_t>(file[pos + 7]) << 24);
        pos += 8;
        ASSERT_LE(size, file.size() - pos);
        auto block = Decode<Block>(std::span<const uint8_t>{file}.subspan(pos, size));
        pos += size;
        ASSERT_TRUE(block) << block.error().message;
        ++height;
        SCOPED_TRACE("height " + std::to_string(height));

        BlockValidationState state;
        EXPECT_TRUE(CheckBlock(*block, state, main)) << state.ToString();
        const int64_t mtp = MedianOfLast11(chain.headers);
        EXPECT_TRUE(ContextualCheckBlock(*block, state, height, mtp, main)) << state.ToString();

        HeaderContext context;
        context.height = height;
        context.prev_time = chain.headers.back().second;
        context.prev_median_time = mtp;
        context.now = SOME_TIME;
        context.expected_bits =
            GetNextWorkRequired(height - 1, chain.headers.back().second, chain.headers.back().first,
                                block->header.time, chain, main);
        EXPECT_TRUE(ContextualCheckBlockHeader(block->header, state, context, main))
            << state.ToString();

        // Tampering with a transaction breaks the merkle root.
        if (block->vtx.size() > 1) {
            Block swapped = *block;
            std::swap(swapped.vtx[0], swapped.vtx[1]);
            BlockValidationState bad;
            EXPECT_FALSE(CheckBlock(swapped, bad, main));
            EXPECT_EQ(bad.GetRejectReason(), "bad-txnmrklroot");
        }
        // Early blocks have version 1: they would be rejected once BIP34 is active.
        context.height = main.bip34_height;
        BlockValidationState late;
        EXPECT_FALSE(ContextualCheckBlockHeader(block->header, late, context, main));
        EXPECT_EQ(late.GetRejectReason(), "bad-version(0x00000001)");

        chain.headers.emplace_back(block->header.bits, block->header.time);
    }
    EXPECT_EQ(height, 255);
}

class SegwitBlockCheck : public ::testing::TestWithParam<const char*>
{};

TEST_P(SegwitBlockCheck, PassesContextFreeAndContextualChecks)
{
    const auto raw = ReadFileBytes(BLOCKS_DIR + "mainnet-" + GetParam() + ".blk");
    auto decoded = Decode<Block>(raw);
    ASSERT_TRUE(decoded) << decoded.error().message;
    const Block& block = *decoded;
    const auto& main = Mainnet();

    BlockValidationState state;
    EXPECT_TRUE(CheckBlock(block, state, main)) << state.ToString();

    // Read the BIP34 height from the coinbase (a 3-byte push at these heights).
    const auto& sig = block.vtx[0]->vin[0].script_sig.bytes();
    ASSERT_GE(sig.size(), 4U);
    ASSERT_EQ(sig[0], 0x03);
    const int height = sig[1] | (sig[2] << 8) | (sig[3] << 16);
    ASSERT_GT(height, main.segwit_height);

    // The median time past is unknown here; an hour before the block is a
    // stricter cutoff than the real one for every time lock that matters.
    const int64_t mtp = int64_t{block.header.time} - 3600;
    EXPECT_TRUE(ContextualCheckBlock(block, state, height, mtp, main)) << state.ToString();

    BlockValidationState wrong_height;
    EXPECT_FALSE(ContextualCheckBlock(block, wrong_height, height + 1, mtp, main));
    EXPECT_EQ(wrong_height.GetRejectReason(), "bad-cb-height");

    // Stripping one transaction's witness keeps the txid tree but breaks the commitment.
    Block stripped = block;
    for (auto& tx : stripped.vtx) {
        if (tx.get() == stripped.vtx[0].get() || !tx->HasWitness()) continue;
        MutableTransaction m = ToMutable(*tx);
        for (auto& in : m.vin)
            in.witness.stack.clear();
        tx = MakeTransactionRef(std::move(m));
        break;
    }
    BlockValidationState strip_state;
    EXPECT_TRUE(CheckBlock(stripped, strip_state, main)) << strip_state.ToString();
    EXPECT_FALSE(ContextualCheckBlock(stripped, strip_state, height, mtp, main));
    EXPECT_EQ(strip_state.GetRejectReason(), "bad-witness-merkle-match");
    EXPECT_EQ(strip_state.GetResult(), BlockResult::MUTATED);

    const uint32_t flags = GetBlockScriptFlags(height, block.GetHash(), main);
    EXPECT_EQ(flags, SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_TAPROOT |
                         SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
                         SCRIPT_VERIFY_CHECKSEQUENCEVERIFY | SCRIPT_VERIFY_NULLDUMMY);
}

INSTANTIATE_TEST_SUITE_P(
    Mainnet, SegwitBlockCheck,
    ::testing::Values("0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2",
                      "00000000000000000021868c2cefc52a480d173c849412fe81c4e5ab806f94ab"));

// ---- Subsidy -------------------------------------------------------------------

TEST(BlockCheck, Subsidy)
{
    const auto& main = Mainnet();
    EXPECT_EQ(GetBlockSubsidy(0, main), 5'000'000'000);
    EXPECT_EQ(GetBlockSubsidy(209'999, main), 5'000'000'000);
    EXPECT_EQ(GetBlockSubsidy(210'000, main), 2'500'000'000);
    EXPECT_EQ(GetBlockSubsidy(420'000, main), 1'250'000'000);
    EXPECT_EQ(GetBlockSubsidy(840'000, main), 312'500'000);
    // 32 halvings: 5e9 / 2^32 rounds down to one satoshi; one more and it is gone.
    EXPECT_EQ(GetBlockSubsidy(6'929'999, main), 1);
    EXPECT_EQ(GetBlockSubsidy(6'930'000, main), 0);
    // 63 and 64 halvings (the shift would be undefined from 64 on).
    EXPECT_EQ(GetBlockSubsidy(63 * 210'000, main), 0);
    EXPECT_EQ(GetBlockSubsidy(64 * 210'000, main), 0);
    EXPECT_EQ(GetBlockSubsidy(2'000'000'000, main), 0);

    // The whole schedule adds up to just under 21 million BTC (Core's figure).
    Amount sum = 0;
    for (int height = 0; height < 14'000'000; height += 1000)
        sum += GetBlockSubsidy(height, main) * 1000;
    EXPECT_EQ(sum, 2'099'999'997'690'000);

    const auto& regtest = Regtest();
    EXPECT_EQ(GetBlockSubsidy(149, regtest), 5'000'000'000);
    EXPECT_EQ(GetBlockSubsidy(150, regtest), 2'500'000'000);
    EXPECT_EQ(GetBlockSubsidy(300, regtest), 1'250'000'000);
    EXPECT_EQ(GetBlockSubsidy(150 * 64, regtest), 0);
}

// ---- Script flags ---------------------------------------------------------------

TEST(BlockCheck, ScriptFlagsMainnet)
{
    const auto& main = Mainnet();
    constexpr uint32_t BASE = SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_TAPROOT;
    const Uint256 any = TagHash(9);
    EXPECT_EQ(GetBlockScriptFlags(1, any, main), BASE);
    EXPECT_EQ(GetBlockScriptFlags(170'060, any, main), BASE);
    EXPECT_EQ(GetBlockScriptFlags(363'724, any, main), BASE);
    EXPECT_EQ(GetBlockScriptFlags(363'725, any, main), BASE | SCRIPT_VERIFY_DERSIG);
    EXPECT_EQ(GetBlockScriptFlags(388'380, any, main), BASE | SCRIPT_VERIFY_DERSIG);
    EXPECT_EQ(GetBlockScriptFlags(388'381, any, main),
              BASE | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY);
    EXPECT_EQ(GetBlockScriptFlags(419'327, any, main),
              BASE | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY);
    constexpr uint32_t CSV = BASE | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
                             SCRIPT_VERIFY_CHECKSEQUENCEVERIFY;
    EXPECT_EQ(GetBlockScriptFlags(419'328, any, main), CSV);
    EXPECT_EQ(GetBlockScriptFlags(481'823, any, main), CSV);
    EXPECT_EQ(GetBlockScriptFlags(481'824, any, main), CSV | SCRIPT_VERIFY_NULLDUMMY);
    EXPECT_EQ(GetBlockScriptFlags(800'000, any, main), CSV | SCRIPT_VERIFY_NULLDUMMY);

    // The two exception blocks (hashes as in Bitcoin Core's chainparams).
    const Uint256 bip16_exception =
        HashFromHex("00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22");
    const Uint256 taproot_exception =
        HashFromHex("0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad");
    EXPECT_EQ(main.bip16_exception_block, bip16_exception);
    EXPECT_EQ(main.taproot_exception_block, taproot_exception);
    EXPECT_EQ(GetBlockScriptFlags(170'060, bip16_exception, main), SCRIPT_VERIFY_NONE);
    EXPECT_EQ(GetBlockScriptFlags(692'261, taproot_exception, main),
              (CSV | SCRIPT_VERIFY_NULLDUMMY) & ~SCRIPT_VERIFY_TAPROOT);
    EXPECT_EQ(GetBlockScriptFlags(692'262, any, main), CSV | SCRIPT_VERIFY_NULLDUMMY);

    // Regtest: SegWit from genesis, the rest from height 1; no exceptions, so a
    // zero hash is not mistaken for one.
    const auto& regtest = Regtest();
    EXPECT_EQ(GetBlockScriptFlags(0, Uint256{}, regtest), BASE | SCRIPT_VERIFY_NULLDUMMY);
    EXPECT_EQ(GetBlockScriptFlags(1, Uint256{}, regtest), CSV | SCRIPT_VERIFY_NULLDUMMY);
}

// ---- Signet (BIP325) --------------------------------------------------------------

namespace {

constexpr std::array<uint8_t, 4> SIGNET_MAGIC{0xec, 0xc7, 0xda, 0xa2};

PrivKey TestKey(uint8_t seed)
{
    std::array<uint8_t, 32> secret{};
    secret.fill(seed);
    return *PrivKey::FromBytes(secret);
}

ConsensusParams SignetParams(const Script& challenge)
{
    const auto params = common::ChainParams::SigNet({.challenge = challenge.bytes()});
    ConsensusParams c = params->GetConsensus();
    // Trivial PoW so CheckBlock can run with check_pow on.
    c.pow_limit = Regtest().pow_limit;
    return c;
}

// A signet block whose commitment output ends with `extra_push` (if non-empty).
Block SignetBlock(const std::vector<uint8_t>& extra_push)
{
    Block block = MakeBlock(1, {WithWitness(Spend(1))}, /*commitment=*/true);
    if (!extra_push.empty()) {
        MutableTransaction cb = ToMutable(*block.vtx[0]);
        cb.vout.back().script_pubkey << extra_push;
        block.vtx[0] = MakeTransactionRef(std::move(cb));
        Finish(block);
    }
    return block;
}

// BIP325's to_spend / to_sign pair for a block whose commitment currently
// carries a bare header push (the form signed over), built from the BIP text.
struct SignetPair
{
    MutableTransaction to_spend;
    MutableTransaction to_sign;
};

SignetPair BuildSignetPair(const Block& unsigned_block, const Script& challenge)
{
    std::vector<uint8_t> data;
    Writer w{data};
    w(unsigned_block.header.version, unsigned_block.header.prev_block,
      BlockMerkleRoot(unsigned_block), unsigned_block.header.time);
    SignetPair p;
    p.to_spend.version = 0;
    p.to_spend.locktime = 0;
    auto& in = p.to_spend.vin.emplace_back();
    in.prevout = OutPoint{};
    in.sequence = 0;
    in.script_sig << OP_0 << data;
    p.to_spend.vout.push_back(TxOut{0, challenge});
    p.to_sign.version = 0;
    p.to_sign.locktime = 0;
    auto& sin = p.to_sign.vin.emplace_back();
    sin.prevout = OutPoint{p.to_spend.GetHash(), 0};
    sin.sequence = 0;
    Script ret;
    ret << OP_RETURN;
    p.to_sign.vout.push_back(TxOut{0, ret});
    return p;
}

// Serializes a solution (scriptSig, witness stack) and appends it to the header push.
Block AttachSolution(const Block& unsigned_block, const Script& script_sig,
                     const std::vector<std::vector<uint8_t>>& stack)
{
    std::vector<uint8_t> push(SIGNET_MAGIC.begin(), SIGNET_MAGIC.end());
    Writer w{push};
    w(script_sig, stack);
    Block block = unsigned_block;
    MutableTransaction cb = ToMutable(*block.vtx[0]);
    auto& spk = cb.vout.back().script_pubkey.bytes();
    spk.resize(spk.size() - (1 + SIGNET_MAGIC.size())); // drop the bare header push
    cb.vout.back().script_pubkey << push;
    block.vtx[0] = MakeTransactionRef(std::move(cb));
    Finish(block);
    return block;
}

} // namespace

TEST(BlockCheck, SignetBareChecksigSolution)
{
    const PrivKey key = TestKey(0x31);
    Script challenge;
    challenge << key.GetPubKey() << OP_CHECKSIG;
    const ConsensusParams params = SignetParams(challenge);

    const Block unsigned_block =
        SignetBlock(std::vector<uint8_t>(SIGNET_MAGIC.begin(), SIGNET_MAGIC.end()));
    const SignetPair pair = BuildSignetPair(unsigned_block, challenge);
    const Transaction to_sign{pair.to_sign};
    const Uint256 sighash = SignatureHash(challenge, to_sign, 0, SIGHASH_ALL, 0, SigVersion::BASE);
    std::vector<uint8_t> sig = key.SignEcdsa(sighash);
    sig.push_back(SIGHASH_ALL);
    Script script_sig;
    script_sig << sig;

    const Block signed_block = AttachSolution(unsigned_block, script_sig, {});
    EXPECT_TRUE(CheckSignetBlockSolution(signed_block, params));
    BlockValidationState state;
    EXPECT_TRUE(CheckBlock(signed_block, state, params)) << state.ToString();

    // The nonce is not signed: PoW can be ground after signing.
    Block reground = signed_block;
    reground.header.nonce += 1000;
    EXPECT_TRUE(CheckSignetBlockSolution(reground, params));
    // The version, parent, time and transactions are.
    Block retimed = signed_block;
    retimed.header.time += 1;
    EXPECT_FALSE(CheckSignetBlockSolution(retimed, params));
    Block other_txs = signed_block;
    other_txs.vtx.push_back(MakeTransactionRef(Spend(9)));
    EXPECT_FALSE(CheckSignetBlockSolution(other_txs, params));

    // A signature by another key.
    const PrivKey other = TestKey(0x32);
    std::vector<uint8_t> bad_sig = other.SignEcdsa(sighash);
    bad_sig.push_back(SIGHASH_ALL);
    Script bad_script_sig;
    bad_script_sig << bad_sig;
    const Block forged = AttachSolution(unsigned_block, bad_script_sig, {});
    EXPECT_FALSE(CheckSignetBlockSolution(forged, params));
    BlockValidationState forged_state;
    EXPECT_FALSE(CheckBlock(forged, forged_state, params));
    EXPECT_EQ(forged_state.GetRejectReason(), "bad-signet-blksig");
    EXPECT_EQ(forged_state.GetResult(), BlockResult::CONSENSUS);
    // CheckBlock leaves the signet rule out when told not to check PoW, as Core does.
    BlockValidationState no_pow;
    EXPECT_TRUE(CheckBlock(forged, no_pow, params, /*check_pow=*/false)) << no_pow.ToString();

    // No solution at all (bare header, or no signet push), and no commitment.
    EXPECT_FALSE(CheckSignetBlockSolution(unsigned_block, params));
    EXPECT_FALSE(CheckSignetBlockSolution(SignetBlock({}), params));
    EXPECT_FALSE(CheckSignetBlockSolution(MakeBlock(1), params));

    // Trailing bytes after the solution, or a truncated one.
    Block trailing = signed_block;
    {
        MutableTransaction cb = ToMutable(*trailing.vtx[0]);
        auto& spk = cb.vout.back().script_pubkey;
        Opcode op;
        std::vector<uint8_t> data;
        auto pc = spk.begin();
        Script fresh;
        while (spk.GetOp(pc, op, &data)) {
            if (data.size() > SIGNET_MAGIC.size() &&
                std::equal(SIGNET_MAGIC.begin(), SIGNET_MAGIC.end(), data.begin())) {
                data.push_back(0x00);
            }
            if (data.empty())
                fresh << op;
            else
                fresh << data;
        }
        cb.vout.back().script_pubkey = fresh;
        trailing.vtx[0] = MakeTransactionRef(std::move(cb));
        Finish(trailing);
    }
    EXPECT_FALSE(CheckSignetBlockSolution(trailing, params));

    // The genesis block needs no solution.
    const auto real = common::ChainParams::SigNet({.challenge = challenge.bytes()});
    EXPECT_TRUE(CheckSignetBlockSolution(real->GenesisBlock(), real->GetConsensus()));
}

TEST(BlockCheck, SignetWitnessSolution)
{
    // P2WPKH-style challenge: the solution lives in the witness (BIP143 sighash, amount 0).
    const PrivKey key = TestKey(0x41);
    const std::vector<uint8_t> pubkey = key.GetPubKey();
    const Uint160 key_hash = Hash160(pubkey);
    Script challenge;
    challenge << OP_0 << std::vector<uint8_t>(key_hash.begin(), key_hash.end());
    const ConsensusParams params = SignetParams(challenge);

    const Block unsigned_block =
        SignetBlock(std::vector<uint8_t>(SIGNET_MAGIC.begin(), SIGNET_MAGIC.end()));
    const SignetPair pair = BuildSignetPair(unsigned_block, challenge);
    const Transaction to_sign{pair.to_sign};
    Script script_code;
    script_code << OP_DUP << OP_HASH160 << std::vector<uint8_t>(key_hash.begin(), key_hash.end())
                << OP_EQUALVERIFY << OP_CHECKSIG;
    const Uint256 sighash =
        SignatureHash(script_code, to_sign, 0, SIGHASH_ALL, 0, SigVersion::WITNESS_V0);
    std::vector<uint8_t> sig = key.SignEcdsa(sighash);
    sig.push_back(SIGHASH_ALL);

    const Block good = AttachSolution(unsigned_block, Script{}, {sig, pubkey});
    EXPECT_TRUE(CheckSignetBlockSolution(good, params));

    // The same signature put in the scriptSig does not satisfy a witness program.
    Script wrong_place;
    wrong_place << sig << pubkey;
    EXPECT_FALSE(CheckSignetBlockSolution(AttachSolution(unsigned_block, wrong_place, {}), params));
    // A legacy sighash is not a BIP143 one.
    const Uint256 legacy = SignatureHash(script_code, to_sign, 0, SIGHASH_ALL, 0, SigVersion::BASE);
    std::vector<uint8_t> legacy_sig = key.SignEcdsa(legacy);
    legacy_sig.push_back(SIGHASH_ALL);
    EXPECT_FALSE(CheckSignetBlockSolution(
        AttachSolution(unsigned_block, Script{}, {legacy_sig, pubkey}), params));
}

TEST(BlockCheck, SignetTrivialChallengeAndNonSignet)
{
    // OP_TRUE accepts the empty solution, so the signet push may be left out
    // (a commitment is still required).
    Script op_true;
    op_true << OP_TRUE;
    const ConsensusParams trivial = SignetParams(op_true);
    EXPECT_TRUE(CheckSignetBlockSolution(SignetBlock({}), trivial));
    EXPECT_FALSE(CheckSignetBlockSolution(MakeBlock(1), trivial));
    // Garbage after the header is a parse failure even for OP_TRUE.
    std::vector<uint8_t> junk(SIGNET_MAGIC.begin(), SIGNET_MAGIC.end());
    junk.push_back(0x05); // scriptSig length 5, nothing follows
    EXPECT_FALSE(CheckSignetBlockSolution(SignetBlock(junk), trivial));

    // OP_FALSE rejects everything.
    Script op_false;
    op_false << OP_0;
    EXPECT_FALSE(CheckSignetBlockSolution(SignetBlock({}), SignetParams(op_false)));

    // Networks without signet blocks never look.
    Block empty;
    EXPECT_TRUE(CheckSignetBlockSolution(empty, Mainnet()));
    EXPECT_TRUE(CheckSignetBlockSolution(MakeBlock(1), Regtest()));
    EXPECT_TRUE(CheckSignetBlockSolution(SignetBlock({}), Testnet4()));
}
