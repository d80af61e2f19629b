#include <consensus/coins.h>
#include <consensus/consensus_constants.h>
#include <consensus/script/interpreter.h>
#include <consensus/tx_check.h>
#include <consensus/tx_verify.h>

#include <gtest/gtest.h>

#include <map>

using namespace consensus;

namespace {

constexpr uint32_t P2SH = SCRIPT_VERIFY_P2SH;
constexpr uint32_t WITNESS = SCRIPT_VERIFY_WITNESS;

Uint256 HashOf(uint8_t b)
{
    Uint256 h;
    h.data()[0] = b;
    h.data()[31] = 0x42;
    return h;
}

OutPoint Prevout(uint8_t b, uint32_t n = 0)
{
    return OutPoint{HashOf(b), n};
}

std::vector<uint8_t> Bytes(size_t n, uint8_t fill)
{
    return std::vector<uint8_t>(n, fill);
}

Script P2pkh()
{
    Script s;
    s << OP_DUP << OP_HASH160 << Bytes(20, 0x11) << OP_EQUALVERIFY << OP_CHECKSIG;
    return s;
}

// A non-coinbase transaction spending `n_in` distinct prevouts into one output.
MutableTransaction ValidSpend(size_t n_in = 1, Amount value = 1000)
{
    MutableTransaction tx;
    for (size_t i = 0; i < n_in; ++i) {
        TxIn in;
        in.prevout = Prevout(static_cast<uint8_t>(i + 1));
        in.script_sig << Bytes(71, 0x30) << Bytes(33, 0x02);
        tx.vin.push_back(in);
    }
    tx.vout.push_back(TxOut{value, P2pkh()});
    return tx;
}

MutableTransaction Coinbase(size_t script_len)
{
    MutableTransaction tx;
    TxIn in;
    in.script_sig = Script{Bytes(script_len, 0x01)};
    tx.vin.push_back(in);
    tx.vout.push_back(TxOut{50 * COIN, P2pkh()});
    return tx;
}

std::string RejectOf(const MutableTransaction& mtx)
{
    TxValidationState state;
    const bool ok = CheckTransaction(Transaction{mtx}, state);
    EXPECT_EQ(ok, state.IsValid());
    if (ok) return "";
    EXPECT_EQ(state.GetResult(), TxResult::CONSENSUS);
    return state.GetRejectReason();
}

} // namespace

// ---- CheckTransaction --------------------------------------------------------

TEST(CheckTransaction, ValidSpendAndCoinbase)
{
    EXPECT_EQ(RejectOf(ValidSpend()), "");
    EXPECT_EQ(RejectOf(ValidSpend(3)), "");
    EXPECT_EQ(RejectOf(Coinbase(2)), "");
    EXPECT_EQ(RejectOf(Coinbase(100)), "");
}

TEST(CheckTransaction, EmptyInputsOrOutputs)
{
    auto tx = ValidSpend();
    tx.vin.clear();
    EXPECT_EQ(RejectOf(tx), "bad-txns-vin-empty");
    tx = ValidSpend();
    tx.vout.clear();
    EXPECT_EQ(RejectOf(tx), "bad-txns-vout-empty");
}

TEST(CheckTransaction, Oversize)
{
    // Stripped size exactly at the limit passes; one byte more fails.
    auto tx = ValidSpend();
    tx.vout[0].script_pubkey = Script{};
    const size_t base = Transaction{tx}.GetBaseSize();
    const size_t limit = MAX_BLOCK_WEIGHT / WITNESS_SCALE_FACTOR;
    // Script length CompactSize grows from 1 to 5 bytes for sizes >= 65536.
    tx.vout[0].script_pubkey = Script{Bytes(limit - base - 4, OP_NOP)};
    ASSERT_EQ(Transaction{tx}.GetBaseSize(), limit);
    EXPECT_EQ(RejectOf(tx), "");
    tx.vout[0].script_pubkey.bytes().push_back(OP_NOP);
    EXPECT_EQ(RejectOf(tx), "bad-txns-oversize");

    // Witness bytes do not count towards this check.
    auto wtx = ValidSpend();
    wtx.vin[0].witness.stack.push_back(Bytes(MAX_BLOCK_WEIGHT, 0));
    EXPECT_EQ(RejectOf(wtx), "");
}

TEST(CheckTransaction, OutputValues)
{
    auto tx = ValidSpend(1, -1);
    EXPECT_EQ(RejectOf(tx), "bad-txns-vout-negative");
    tx = ValidSpend(1, 0);
    EXPECT_EQ(RejectOf(tx), "");
    tx = ValidSpend(1, MAX_MONEY + 1);
    EXPECT_EQ(RejectOf(tx), "bad-txns-vout-toolarge");
    tx = ValidSpend(1, MAX_MONEY);
    EXPECT_EQ(RejectOf(tx), "");

    tx = ValidSpend(1, MAX_MONEY);
    tx.vout.push_back(TxOut{1, P2pkh()});
    EXPECT_EQ(RejectOf(tx), "bad-txns-txouttotal-toolarge");
    tx.vout[0].value = MAX_MONEY - 1;
    EXPECT_EQ(RejectOf(tx), "");
}

TEST(CheckTransaction, DuplicateInputs)
{
    auto tx = ValidSpend(3);
    tx.vin[2].prevout = tx.vin[0].prevout;
    EXPECT_EQ(RejectOf(tx), "bad-txns-inputs-duplicate");
    // Same txid, different index is not a duplicate.
    tx.vin[2].prevout.n = 1;
    EXPECT_EQ(RejectOf(tx), "");
}

TEST(CheckTransaction, CoinbaseScriptLength)
{
    EXPECT_EQ(RejectOf(Coinbase(0)), "bad-cb-length");
    EXPECT_EQ(RejectOf(Coinbase(1)), "bad-cb-length");
    EXPECT_EQ(RejectOf(Coinbase(101)), "bad-cb-length");
    EXPECT_EQ(RejectOf(Coinbase(2)), "");
    EXPECT_EQ(RejectOf(Coinbase(100)), "");
}

TEST(CheckTransaction, NullPrevoutInNonCoinbase)
{
    auto tx = ValidSpend(2);
    tx.vin[1].prevout = OutPoint{};
    EXPECT_EQ(RejectOf(tx), "bad-txns-prevout-null");
    // A null hash with a real index is not a null prevout.
    tx.vin[1].prevout.n = 0;
    EXPECT_EQ(RejectOf(tx), "");
}

// ---- CheckTxInputs -----------------------------------------------------------

namespace {

struct InputsCase
{
    CoinsViewMemory view;
    MutableTransaction tx;
};

InputsCase TwoInputs(Amount a, Amount b, Amount out, bool coinbase = false, uint32_t height = 10)
{
    InputsCase c;
    c.tx = ValidSpend(2, out);
    c.view.AddCoin(c.tx.vin[0].prevout, Coin{TxOut{a, P2pkh()}, height, coinbase});
    c.view.AddCoin(c.tx.vin[1].prevout, Coin{TxOut{b, P2pkh()}, height, false});
    return c;
}

} // namespace

TEST(CheckTxInputs, FeeComputed)
{
    auto c = TwoInputs(3000, 2500, 5000);
    TxValidationState state;
    Amount fee = -7;
    ASSERT_TRUE(CheckTxInputs(Transaction{c.tx}, state, c.view, 200, fee)) << state.ToString();
    EXPECT_EQ(fee, 500);

    c = TwoInputs(3000, 2000, 5000);
    ASSERT_TRUE(CheckTxInputs(Transaction{c.tx}, state, c.view, 200, fee));
    EXPECT_EQ(fee, 0);
}

TEST(CheckTxInputs, MissingOrSpent)
{
    auto c = TwoInputs(3000, 2500, 5000);
    c.view.SpendCoin(c.tx.vin[1].prevout);
    TxValidationState state;
    Amount fee = -7;
    EXPECT_FALSE(CheckTxInputs(Transaction{c.tx}, state, c.view, 200, fee));
    EXPECT_EQ(state.GetResult(), TxResult::MISSING_INPUTS);
    EXPECT_EQ(state.GetRejectReason(), "bad-txns-inputs-missingorspent");
    EXPECT_EQ(fee, -7);

    // A coin stored in the spent state is also missing.
    c = TwoInputs(3000, 2500, 5000);
    c.view.AddCoin(c.tx.vin[0].prevout, Coin{});
    TxValidationState state2;
    EXPECT_FALSE(CheckTxInputs(Transaction{c.tx}, state2, c.view, 200, fee));
    EXPECT_EQ(state2.GetRejectReason(), "bad-txns-inputs-missingorspent");
}

TEST(CheckTxInputs, CoinbaseMaturityBoundary)
{
    // Coin created at height 10; spending at 110 is 100 confirmations deep.
    auto c = TwoInputs(3000, 2500, 5000, /*coinbase=*/true, /*height=*/10);
    TxValidationState state;
    Amount fee = 0;
    EXPECT_FALSE(CheckTxInputs(Transaction{c.tx}, state, c.view, 10 + COINBASE_MATURITY - 1, fee));
    EXPECT_EQ(state.GetResult(), TxResult::PREMATURE_SPEND);
    EXPECT_EQ(state.GetRejectReason(), "bad-txns-premature-spend-of-coinbase");

    TxValidationState ok_state;
    EXPECT_TRUE(CheckTxInputs(Transaction{c.tx}, ok_state, c.view, 10 + COINBASE_MATURITY, fee));
    EXPECT_EQ(fee, 500);

    // A non-coinbase coin may be spent at any depth.
    c = TwoInputs(3000, 2500, 5000, /*coinbase=*/false, /*height=*/10);
    TxValidationState state3;
    EXPECT_TRUE(CheckTxInputs(Transaction{c.tx}, state3, c.view, 10, fee));
}

TEST(CheckTxInputs, InputValuesOutOfRange)
{
    for (auto [a, b] : {std::pair<Amount, Amount>{MAX_MONEY + 1, 0}, {-2, 10}, {MAX_MONEY, 1}}) {
        auto c = TwoInputs(a, b, 0);
        TxValidationState state;
        Amount fee = 0;
        EXPECT_FALSE(CheckTxInputs(Transaction{c.tx}, state, c.view, 200, fee)) << a << "," << b;
        EXPECT_EQ(state.GetResult(), TxResult::CONSENSUS);
        EXPECT_EQ(state.GetRejectReason(), "bad-txns-inputvalues-outofrange");
    }
    auto c = TwoInputs(MAX_MONEY - 1, 1, 0);
    TxValidationState state;
    Amount fee = 0;
    EXPECT_TRUE(CheckTxInputs(Transaction{c.tx}, state, c.view, 200, fee));
    EXPECT_EQ(fee, MAX_MONEY);
}

TEST(CheckTxInputs, InBelowOut)
{
    auto c = TwoInputs(3000, 1999, 5000);
    TxValidationState state;
    Amount fee = 0;
    EXPECT_FALSE(CheckTxInputs(Transaction{c.tx}, state, c.view, 200, fee));
    EXPECT_EQ(state.GetResult(), TxResult::CONSENSUS);
    EXPECT_EQ(state.GetRejectReason(), "bad-txns-in-belowout");
    EXPECT_EQ(state.GetDebugMessage(), "value in (4999) < value out (5000)");
}

TEST(CheckTxInputs, FeeOutOfRangeUnreachableWithValidInputs)
{
    // Inputs within MAX_MONEY and outputs >= 0 bound the fee by MAX_MONEY, so the
    // fee check can only fire for outputs that CheckTransaction rejects.
    auto c = TwoInputs(MAX_MONEY / 2, MAX_MONEY / 2, -2);
    TxValidationState state;
    Amount fee = 0;
    EXPECT_FALSE(CheckTxInputs(Transaction{c.tx}, state, c.view, 200, fee));
    EXPECT_EQ(state.GetRejectReason(), "bad-txns-fee-outofrange");
    c = TwoInputs(MAX_MONEY / 2, MAX_MONEY / 2, 0);
    TxValidationState state2;
    EXPECT_TRUE(CheckTxInputs(Transaction{c.tx}, state2, c.view, 200, fee));
    EXPECT_EQ(fee, MAX_MONEY / 2 * 2);
}

// ---- IsFinalTx ---------------------------------------------------------------

TEST(IsFinalTx, ZeroLockTimeAlwaysFinal)
{
    auto tx = ValidSpend();
    tx.locktime = 0;
    tx.vin[0].sequence = 0;
    EXPECT_TRUE(IsFinalTx(Transaction{tx}, 0, 0));
}

TEST(IsFinalTx, HeightBoundary)
{
    auto tx = ValidSpend();
    tx.vin[0].sequence = 0;
    tx.locktime = 100;
    EXPECT_FALSE(IsFinalTx(Transaction{tx}, 100, 2'000'000'000));
    EXPECT_TRUE(IsFinalTx(Transaction{tx}, 101, 0));
    tx.locktime = LOCKTIME_THRESHOLD - 1;
    EXPECT_FALSE(IsFinalTx(Transaction{tx}, LOCKTIME_THRESHOLD - 1, 2'000'000'000));
    EXPECT_TRUE(IsFinalTx(Transaction{tx}, LOCKTIME_THRESHOLD, 0));
}

TEST(IsFinalTx, TimeBoundary)
{
    auto tx = ValidSpend();
    tx.vin[0].sequence = 0;
    tx.locktime = LOCKTIME_THRESHOLD;
    EXPECT_FALSE(IsFinalTx(Transaction{tx}, 1'000'000'000, LOCKTIME_THRESHOLD));
    EXPECT_TRUE(IsFinalTx(Transaction{tx}, 0, LOCKTIME_THRESHOLD + 1));
    tx.locktime = 0xffffffff;
    EXPECT_FALSE(IsFinalTx(Transaction{tx}, 0, 0xffffffff));
    EXPECT_TRUE(IsFinalTx(Transaction{tx}, 0, 0x100000000LL));
}

TEST(IsFinalTx, SequenceFinalOverridesLockTime)
{
    auto tx = ValidSpend(2);
    tx.locktime = 1000;
    tx.vin[0].sequence = TxIn::SEQUENCE_FINAL;
    tx.vin[1].sequence = TxIn::SEQUENCE_FINAL;
    EXPECT_TRUE(IsFinalTx(Transaction{tx}, 1, 0));
    tx.vin[1].sequence = TxIn::SEQUENCE_FINAL - 1;
    EXPECT_FALSE(IsFinalTx(Transaction{tx}, 1, 0));
}

// ---- BIP68 sequence locks ----------------------------------------------------

namespace {

// Chain whose block at height h has median time past 1'000'000 + 600*h.
int64_t FakeMtp(int height)
{
    return 1'000'000 + 600 * int64_t{height};
}

} // namespace

TEST(SequenceLocks, HeightBased)
{
    auto tx = ValidSpend(2);
    tx.version = 2;
    tx.vin[0].sequence = 10;
    tx.vin[1].sequence = 5;
    std::vector<int> heights{100, 103};
    const auto lock =
        CalculateSequenceLocks(Transaction{tx}, LOCKTIME_VERIFY_SEQUENCE, heights, FakeMtp);
    // max(100 + 10 - 1, 103 + 5 - 1) = 109: the first block allowed is 110.
    EXPECT_EQ(lock.first, 109);
    EXPECT_EQ(lock.second, -1);
    EXPECT_FALSE(EvaluateSequenceLocks(109, FakeMtp(108), lock));
    EXPECT_TRUE(EvaluateSequenceLocks(110, FakeMtp(109), lock));
}

TEST(SequenceLocks, TimeBased)
{
    auto tx = ValidSpend();
    tx.version = 2;
    tx.vin[0].sequence = TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | 3; // 3 * 512 seconds
    std::vector<int> heights{100};
    int asked = -1;
    const auto lock =
        CalculateSequenceLocks(Transaction{tx}, LOCKTIME_VERIFY_SEQUENCE, heights, [&](int h) {
            asked = h;
            return FakeMtp(h);
        });
    EXPECT_EQ(asked, 99); // the block before the coin's block
    EXPECT_EQ(lock.first, -1);
    EXPECT_EQ(lock.second, FakeMtp(99) + 3 * 512 - 1);
    EXPECT_FALSE(EvaluateSequenceLocks(1000, lock.second, lock));
    EXPECT_TRUE(EvaluateSequenceLocks(1000, lock.second + 1, lock));

    // A coin in the genesis block measures from genesis, not height -1.
    std::vector<int> genesis{0};
    CalculateSequenceLocks(Transaction{tx}, LOCKTIME_VERIFY_SEQUENCE, genesis, [&](int h) {
        asked = h;
        return FakeMtp(h);
    });
    EXPECT_EQ(asked, 0);
}

TEST(SequenceLocks, DisableFlagAndMaskedBits)
{
    auto tx = ValidSpend(2);
    tx.version = 2;
    tx.vin[0].sequence = TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG | 50;
    // Bits outside the mask and type flag carry no meaning.
    tx.vin[1].sequence = (1U << 20) | 4;
    std::vector<int> heights{100, 200};
    const auto lock =
        CalculateSequenceLocks(Transaction{tx}, LOCKTIME_VERIFY_SEQUENCE, heights, FakeMtp);
    EXPECT_EQ(heights[0], 0);
    EXPECT_EQ(heights[1], 200);
    EXPECT_EQ(lock.first, 203);
    EXPECT_EQ(lock.second, -1);
}

TEST(SequenceLocks, NotEnforcedForVersion1OrWithoutFlag)
{
    auto tx = ValidSpend();
    tx.vin[0].sequence = 10;
    std::vector<int> heights{100};
    tx.version = 1;
    auto lock = CalculateSequenceLocks(Transaction{tx}, LOCKTIME_VERIFY_SEQUENCE, heights, FakeMtp);
    EXPECT_EQ(lock, (std::pair<int, int64_t>{-1, -1}));
    EXPECT_TRUE(EvaluateSequenceLocks(0, 0, lock));

    tx.version = 2;
    lock = CalculateSequenceLocks(Transaction{tx}, 0, heights, FakeMtp);
    EXPECT_EQ(lock, (std::pair<int, int64_t>{-1, -1}));

    // Versions are compared unsigned: 0xffffffff is "at least 2".
    tx.version = 0xffffffff;
    lock = CalculateSequenceLocks(Transaction{tx}, LOCKTIME_VERIFY_SEQUENCE, heights, FakeMtp);
    EXPECT_EQ(lock.first, 109);
}

// ---- sigops ------------------------------------------------------------------

namespace {

Script Multisig(int m, int n)
{
    Script s;
    s << EncodeOpN(m);
    for (int i = 0; i < n; ++i)
        s << Bytes(33, 0x02);
    s << EncodeOpN(n) << OP_CHECKMULTISIG;
    return s;
}

Script P2shOf()
{
    return Script{} << OP_HASH160 << Bytes(20, 0x33) << OP_EQUAL;
}

struct SpendCase
{
    CoinsViewMemory view;
    MutableTransaction tx;
};

SpendCase SpendOf(const Script& prev_script_pubkey, Script script_sig, ScriptWitness witness = {})
{
    SpendCase c;
    c.tx = ValidSpend();
    c.tx.vin[0].script_sig = std::move(script_sig);
    c.tx.vin[0].witness = std::move(witness);
    c.tx.vout[0].script_pubkey = Script{} << OP_RETURN; // no sigops in the output
    c.view.AddCoin(c.tx.vin[0].prevout, Coin{TxOut{5000, prev_script_pubkey}, 1, false});
    return c;
}

} // namespace

TEST(SigOps, P2pkh)
{
    auto c = SpendOf(P2pkh(), Script{} << Bytes(71, 0x30) << Bytes(33, 0x02));
    const Transaction tx{c.tx};
    EXPECT_EQ(GetLegacySigOpCount(tx), 0U); // the checksig is in the spent output
    EXPECT_EQ(GetP2SHSigOpCount(tx, c.view), 0U);
    EXPECT_EQ(GetTransactionSigOpCost(tx, c.view, P2SH | WITNESS), 0);

    // An output creating a P2PKH counts 1 legacy sigop (4 cost).
    c.tx.vout[0].script_pubkey = P2pkh();
    const Transaction tx2{c.tx};
    EXPECT_EQ(GetLegacySigOpCount(tx2), 1U);
    EXPECT_EQ(GetTransactionSigOpCost(tx2, c.view, P2SH | WITNESS), 4);
}

TEST(SigOps, BareMultisigInaccurateVsAccurate)
{
    const Script ms = Multisig(2, 3);
    EXPECT_EQ(ms.GetSigOpCount(true), 3U);
    EXPECT_EQ(ms.GetSigOpCount(false), 20U);
    auto c = SpendOf(P2pkh(), Script{} << Bytes(71, 0x30) << Bytes(33, 0x02));
    c.tx.vout[0].script_pubkey = ms;
    const Transaction tx{c.tx};
    EXPECT_EQ(GetLegacySigOpCount(tx), 20U); // legacy counting is never accurate
    EXPECT_EQ(GetTransactionSigOpCost(tx, c.view, P2SH | WITNESS), 80);
}

TEST(SigOps, P2shMultisig)
{
    const Script redeem = Multisig(2, 3);
    auto c =
        SpendOf(P2shOf(), Script{} << OP_0 << Bytes(71, 0x30) << Bytes(71, 0x30) << redeem.bytes());
    const Transaction tx{c.tx};
    EXPECT_EQ(GetLegacySigOpCount(tx), 0U); // the pushed redeem script is data
    EXPECT_EQ(GetP2SHSigOpCount(tx, c.view), 3U);
    EXPECT_EQ(GetTransactionSigOpCost(tx, c.view, P2SH | WITNESS), 12);
    EXPECT_EQ(GetTransactionSigOpCost(tx, c.view, 0), 0); // pre-BIP16 rules
    // Missing coins contribute nothing rather than failing.
    CoinsViewMemory empty;
    EXPECT_EQ(GetP2SHSigOpCount(tx, empty), 0U);
}

TEST(SigOps, P2wpkh)
{
    const Script spk = Script{} << OP_0 << Bytes(20, 0x44);
    ScriptWitness w;
    w.stack = {Bytes(71, 0x30), Bytes(33, 0x02)};
    auto c = SpendOf(spk, Script{}, w);
    const Transaction tx{c.tx};
    EXPECT_EQ(GetTransactionSigOpCost(tx, c.view, P2SH | WITNESS), 1);
    EXPECT_EQ(GetTransactionSigOpCost(tx, c.view, P2SH), 0);
}

TEST(SigOps, P2wsh)
{
    const Script witness_script = Multisig(2, 3);
    const Script spk = Script{} << OP_0 << Bytes(32, 0x55);
    ScriptWitness w;
    w.stack = {{}, Bytes(71, 0x30), Bytes(71, 0x30), witness_script.bytes()};
    auto c = SpendOf(spk, Script{}, w);
    EXPECT_EQ(GetTransactionSigOpCost(Transaction{c.tx}, c.view, P2SH | WITNESS), 3);
    // An empty witness has no script to count.
    c.tx.vin[0].witness.stack.clear();
    EXPECT_EQ(GetTransactionSigOpCost(Transaction{c.tx}, c.view, P2SH | WITNESS), 0);
}

TEST(SigOps, P2shP2wsh)
{
    const Script witness_script = Multisig(1, 2);
    const Script program = Script{} << OP_0 << Bytes(32, 0x55);
    ScriptWitness w;
    w.stack = {{}, Bytes(71, 0x30), witness_script.bytes()};
    auto c = SpendOf(P2shOf(), Script{} << program.bytes(), w);
    const Transaction tx{c.tx};
    // The redeem script (a witness program) has no legacy sigops itself.
    EXPECT_EQ(GetP2SHSigOpCount(tx, c.view), 0U);
    EXPECT_EQ(GetTransactionSigOpCost(tx, c.view, P2SH | WITNESS), 2);

    // P2SH-P2WPKH counts 1.
    const Script wpkh = Script{} << OP_0 << Bytes(20, 0x44);
    auto c2 = SpendOf(P2shOf(), Script{} << wpkh.bytes(), w);
    EXPECT_EQ(GetTransactionSigOpCost(Transaction{c2.tx}, c2.view, P2SH | WITNESS), 1);

    // A non-push-only scriptSig disqualifies the wrapped program.
    auto c3 = SpendOf(P2shOf(), Script{} << OP_NOP << program.bytes(), w);
    EXPECT_EQ(GetTransactionSigOpCost(Transaction{c3.tx}, c3.view, P2SH | WITNESS), 0);
}

TEST(SigOps, TaprootHasNoCountedSigOps)
{
    const Script spk = Script{} << OP_1 << Bytes(32, 0x66);
    ScriptWitness w;
    w.stack = {Multisig(1, 2).bytes(), Bytes(33, 0xc0)};
    auto c = SpendOf(spk, Script{}, w);
    EXPECT_EQ(GetTransactionSigOpCost(Transaction{c.tx}, c.view, P2SH | WITNESS), 0);
}

TEST(SigOps, CoinbaseCountsOnlyLegacy)
{
    auto tx = Coinbase(4);
    tx.vin[0].script_sig = Script{} << OP_CHECKSIG << OP_CHECKSIG;
    CoinsViewMemory view;
    EXPECT_EQ(GetTransactionSigOpCost(Transaction{tx}, view, P2SH | WITNESS), 4 * (2 + 1));
}
