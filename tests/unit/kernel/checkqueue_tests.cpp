// The script check pool over real signed transactions: legacy P2PKH and
// segwit v0 P2WPKH inputs signed in the test, one of them optionally broken.
#include <kernel/checkqueue.h>

#include <consensus/crypto/key.h>
#include <consensus/hash.h>

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <optional>
#include <vector>

namespace {

using consensus::ScriptError;
using kernel::ScriptCheck;
using kernel::ScriptCheckQueue;

constexpr uint32_t FLAGS =
    consensus::SCRIPT_VERIFY_P2SH | consensus::SCRIPT_VERIFY_DERSIG |
    consensus::SCRIPT_VERIFY_WITNESS | consensus::SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY |
    consensus::SCRIPT_VERIFY_CHECKSEQUENCEVERIFY | consensus::SCRIPT_VERIFY_NULLDUMMY;

consensus::PrivKey KeyNumber(size_t i)
{
    std::array<uint8_t, 32> secret{};
    secret[0] = 0x11;
    secret[30] = static_cast<uint8_t>(i >> 8);
    secret[31] = static_cast<uint8_t>(i + 1);
    return *consensus::PrivKey::FromBytes(secret);
}

consensus::Script P2pkhScript(const consensus::Uint160& key_hash)
{
    consensus::Script script;
    script << consensus::OP_DUP << consensus::OP_HASH160
           << std::vector<uint8_t>(key_hash.begin(), key_hash.end()) << consensus::OP_EQUALVERIFY
           << consensus::OP_CHECKSIG;
    return script;
}

// A transaction spending `inputs` outputs (even ones P2PKH, odd ones P2WPKH),
// each signed by its own key, with the checks that verify it.
struct SignedSpend
{
    std::unique_ptr<consensus::Transaction> tx;
    std::vector<consensus::TxOut> spent;
    std::unique_ptr<consensus::PrecomputedTxData> txdata;

    // bad_inputs get a signature over the wrong message (valid encoding, wrong hash).
    SignedSpend(size_t inputs, const std::vector<size_t>& bad_inputs = {})
    {
        consensus::MutableTransaction mtx;
        std::vector<consensus::PrivKey> keys;
        for (size_t i = 0; i < inputs; ++i) {
            keys.push_back(KeyNumber(i));
            const std::vector<uint8_t> pubkey = keys.back().GetPubKey();
            const consensus::Uint160 key_hash = consensus::Hash160(pubkey);
            consensus::Script script_pubkey;
            if (i % 2 == 0) {
                script_pubkey = P2pkhScript(key_hash);
            } else {
                script_pubkey << consensus::OP_0
                              << std::vector<uint8_t>(key_hash.begin(), key_hash.end());
            }
            spent.push_back(
                consensus::TxOut{static_cast<consensus::Amount>(10'000 + i), script_pubkey});
            consensus::TxIn txin;
            consensus::Uint256 prev_hash;
            prev_hash.data()[0] = static_cast<uint8_t>(i);
            prev_hash.data()[1] = 0xee;
            txin.prevout = consensus::OutPoint{prev_hash, static_cast<uint32_t>(i % 3)};
            mtx.vin.push_back(txin);
        }
        mtx.vout.push_back(consensus::TxOut{5000, P2pkhScript(consensus::Uint160{})});

        // Signature hashes of SIGHASH_ALL do not cover other inputs' scripts,
        // so they can all be taken from the unsigned transaction.
        const consensus::Transaction unsigned_tx{mtx};
        consensus::PrecomputedTxData unsigned_data;
        unsigned_data.Init(unsigned_tx, spent, /*force=*/true);
        for (size_t i = 0; i < inputs; ++i) {
            const std::vector<uint8_t> pubkey = keys[i].GetPubKey();
            const bool segwit = i % 2 == 1;
            const consensus::Script script_code =
                P2pkhScript(consensus::Hash160(pubkey)); // BIP143 P2WPKH code is the same
            bool bad = false;
            for (size_t b : bad_inputs)
                bad = bad || b == i;
            // A bad input signs the message of a different input.
            const unsigned signed_input = static_cast<unsigned>(bad ? (i + 1) % inputs : i);
            const consensus::Uint256 hash = consensus::SignatureHash(
                script_code, unsigned_tx, signed_input, consensus::SIGHASH_ALL, spent[i].value,
                segwit ? consensus::SigVersion::WITNESS_V0 : consensus::SigVersion::BASE,
                &unsigned_data);
            std::vector<uint8_t> sig = keys[i].SignEcdsa(hash);
            sig.push_back(consensus::SIGHASH_ALL);
            if (segwit) {
                mtx.vin[i].witness.stack = {sig, pubkey};
            } else {
                mtx.vin[i].script_sig << sig << pubkey;
            }
        }
        tx = std::make_unique<consensus::Transaction>(mtx);
        txdata = std::make_unique<consensus::PrecomputedTxData>();
        txdata->Init(*tx, spent);
    }

    std::vector<ScriptCheck> Checks() const
    {
        std::vector<ScriptCheck> checks;
        for (size_t i = 0; i < spent.size(); ++i) {
            checks.push_back(ScriptCheck{tx.get(), static_cast<unsigned>(i), spent[i], FLAGS,
                                         txdata.get(), nullptr});
        }
        return checks;
    }
};

constexpr size_t INPUTS = 96;

const SignedSpend& AllGood()
{
    static const SignedSpend spend{INPUTS};
    return spend;
}

TEST(ScriptCheckTest, SingleChecksPassAndFail)
{
    const auto checks = AllGood().Checks();
    for (const ScriptCheck& check : checks)
        EXPECT_EQ(check(), std::nullopt);

    // The wrong amount breaks a segwit signature; the wrong script breaks any.
    ScriptCheck wrong_amount = checks[1];
    wrong_amount.spent.value += 1;
    EXPECT_EQ(wrong_amount(), ScriptError::EVAL_FALSE);
    ScriptCheck wrong_script = checks[0];
    wrong_script.spent = checks[2].spent;
    EXPECT_EQ(wrong_script(), ScriptError::EQUALVERIFY);
    // Without precomputed data a legacy input still verifies.
    ScriptCheck no_txdata = checks[0];
    no_txdata.txdata = nullptr;
    EXPECT_EQ(no_txdata(), std::nullopt);
    ScriptCheck out_of_range = checks[0];
    out_of_range.input = INPUTS;
    EXPECT_TRUE(out_of_range().has_value());
}

TEST(ScriptCheckTest, SignatureCacheIsConsulted)
{
    consensus::SignatureCache cache;
    auto checks = AllGood().Checks();
    for (ScriptCheck& check : checks)
        check.signature_cache = &cache;
    for (const ScriptCheck& check : checks)
        EXPECT_EQ(check(), std::nullopt);
    // Block validation only reads the cache.
    EXPECT_EQ(cache.Size(), 0u);
}

TEST(ScriptCheckQueueTest, ThreadCount)
{
    EXPECT_EQ(ScriptCheckQueue{0}.ThreadCount(), 1u);
    EXPECT_EQ(ScriptCheckQueue{1}.ThreadCount(), 1u);
    EXPECT_EQ(ScriptCheckQueue{4}.ThreadCount(), 4u);
}

class ScriptCheckQueueThreads : public ::testing::TestWithParam<unsigned>
{};

TEST_P(ScriptCheckQueueThreads, AllValidPass)
{
    ScriptCheckQueue queue{GetParam()};
    EXPECT_EQ(queue.RunAll(AllGood().Checks()), std::nullopt);
}

TEST_P(ScriptCheckQueueThreads, EmptyBatchPasses)
{
    ScriptCheckQueue queue{GetParam()};
    EXPECT_EQ(queue.RunAll({}), std::nullopt);
    EXPECT_EQ(queue.RunAll({}), std::nullopt);
}

TEST_P(ScriptCheckQueueThreads, OneBadSignatureIsFoundWithItsIndex)
{
    ScriptCheckQueue queue{GetParam()};
    for (size_t bad : {size_t{0}, size_t{37}, size_t{50}, INPUTS - 1}) {
        const SignedSpend spend{INPUTS, {bad}};
        const auto failure = queue.RunAll(spend.Checks());
        ASSERT_TRUE(failure.has_value()) << "bad input " << bad;
        EXPECT_EQ(failure->index, bad);
        EXPECT_EQ(failure->error, ScriptError::EVAL_FALSE);
    }
}

TEST_P(ScriptCheckQueueThreads, TwoFailuresReportOneThatRan)
{
    ScriptCheckQueue queue{GetParam()};
    auto checks = AllGood().Checks();
    checks[21].spent.value += 1;         // segwit input: EVAL_FALSE
    checks[70].spent = checks[72].spent; // another key's hash: EQUALVERIFY
    const auto failure = queue.RunAll(checks);
    ASSERT_TRUE(failure.has_value());
    if (GetParam() == 1) {
        // Alone, the caller reaches index 21 first and stops there.
        EXPECT_EQ(failure->index, 21u);
        EXPECT_EQ(failure->error, ScriptError::EVAL_FALSE);
    } else {
        EXPECT_TRUE(failure->index == 21 || failure->index == 70) << failure->index;
        EXPECT_EQ(failure->error,
                  failure->index == 21 ? ScriptError::EVAL_FALSE : ScriptError::EQUALVERIFY);
    }
}

TEST_P(ScriptCheckQueueThreads, RepeatedRunsAreIndependent)
{
    ScriptCheckQueue queue{GetParam()};
    const SignedSpend bad_spend{INPUTS, {61}};
    const auto good = AllGood().Checks();
    const auto bad = bad_spend.Checks();
    const std::vector<ScriptCheck> single{good.front()};
    for (int round = 0; round < 6; ++round) {
        EXPECT_EQ(queue.RunAll(good), std::nullopt) << round;
        const auto failure = queue.RunAll(bad);
        ASSERT_TRUE(failure.has_value()) << round;
        EXPECT_EQ(failure->index, 61u);
        EXPECT_EQ(queue.RunAll(single), std::nullopt);
        EXPECT_EQ(queue.RunAll({}), std::nullopt);
    }
}

INSTANTIATE_TEST_SUITE_P(Threads, ScriptCheckQueueThreads, ::testing::Values(1u, 2u, 4u));

TEST(ScriptCheckQueueTest, ManyQueuesStartAndStop)
{
    // Destruction joins workers whether or not they ever had work.
    for (int i = 0; i < 20; ++i) {
        ScriptCheckQueue queue{4};
        if (i % 2 == 0) {
            const std::vector<ScriptCheck> checks{AllGood().Checks()[0]};
            EXPECT_EQ(queue.RunAll(checks), std::nullopt);
        }
    }
}

} // namespace
