// Signing for signrawtransactionwithkey/combinerawtransaction, checked independently by the
// consensus script interpreter (VerifyScript with the standard flags) for every script type.
#include <common/sign.h>
#include <consensus/crypto/key.h>
#include <consensus/hash.h>
#include <consensus/script/interpreter.h>
#include <consensus/transaction.h>

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace {

using namespace consensus;
using common::KnownSignatures;
using common::SignedInput;
using common::SigningProvider;
using common::STANDARD_SCRIPT_VERIFY_FLAGS;

PrivKey KeyFrom(uint8_t seed, bool compressed = true)
{
    std::array<uint8_t, 32> secret{};
    secret.fill(seed);
    return *PrivKey::FromBytes(secret, compressed);
}

Script P2pkh(const PrivKey& key)
{
    Script s;
    s << OP_DUP << OP_HASH160 << Hash160(key.GetPubKey()).span() << OP_EQUALVERIFY << OP_CHECKSIG;
    return s;
}
Script P2wpkh(const PrivKey& key)
{
    Script s;
    s << OP_0 << Hash160(key.GetPubKey()).span();
    return s;
}
Script P2sh(const Script& redeem)
{
    Script s;
    s << OP_HASH160 << Hash160(redeem.bytes()).span() << OP_EQUAL;
    return s;
}
Script P2wsh(const Script& ws)
{
    Script s;
    s << OP_0 << Sha256Hash(ws.bytes()).span();
    return s;
}
Script Multisig(int m, const std::vector<PrivKey>& keys)
{
    Script s;
    s << EncodeOpN(m);
    for (const auto& k : keys)
        s << k.GetPubKey();
    s << EncodeOpN(static_cast<int>(keys.size())) << OP_CHECKMULTISIG;
    return s;
}

struct Spend
{
    MutableTransaction mtx;
    TxOut spent;
};

Spend MakeSpend(const Script& spk, Amount amount = 100'000)
{
    Spend s;
    consensus::TxIn in;
    in.prevout.hash = Sha256Hash(spk.bytes());
    in.prevout.n = 1;
    in.sequence = 0xfffffffd;
    s.mtx.vin.push_back(in);
    consensus::TxOut out;
    out.value = amount - 1'000;
    out.script_pubkey = spk;
    s.mtx.vout.push_back(out);
    s.spent.value = amount;
    s.spent.script_pubkey = spk;
    return s;
}

// Signs with `provider`, then checks the result with VerifyScript, which does not share code
// with the signer beyond the sighash it must agree with.
SignedInput SignAndCheck(Spend& s, const SigningProvider& provider, int hash_type,
                         bool expect_valid, const KnownSignatures& known = {})
{
    const Transaction tx{s.mtx};
    PrecomputedTxData txdata;
    txdata.Init(tx, {s.spent}, true);
    const SignedInput result = SignInput(tx, 0, s.spent, hash_type, txdata, provider, known);
    s.mtx.vin[0].script_sig = result.script_sig;
    s.mtx.vin[0].witness = result.witness;
    const Transaction signed_tx{s.mtx};
    PrecomputedTxData signed_data;
    signed_data.Init(signed_tx, {s.spent}, true);
    const TransactionSignatureChecker checker{&signed_tx, 0, s.spent.value, signed_data};
    ScriptError error{ScriptError::OK};
    const bool valid =
        VerifyScript(signed_tx.vin[0].script_sig, s.spent.script_pubkey, &signed_tx.vin[0].witness,
                     STANDARD_SCRIPT_VERIFY_FLAGS, checker, &error);
    EXPECT_EQ(valid, expect_valid) << ScriptErrorString(error);
    EXPECT_EQ(result.complete, expect_valid);
    return result;
}

TEST(SignTest, P2pkhP2pkAndUncompressed)
{
    SigningProvider provider;
    const PrivKey key = KeyFrom(1);
    const PrivKey uncompressed = KeyFrom(2, false);
    provider.AddKey(key);
    provider.AddKey(uncompressed);

    Spend pkh = MakeSpend(P2pkh(key));
    const auto r = SignAndCheck(pkh, provider, SIGHASH_DEFAULT, true);
    EXPECT_TRUE(r.witness.IsNull());
    // scriptSig is <sig ALL> <pubkey>.
    std::vector<uint8_t> sig, pub;
    auto pc = r.script_sig.begin();
    Opcode op;
    ASSERT_TRUE(r.script_sig.GetOp(pc, op, &sig));
    ASSERT_TRUE(r.script_sig.GetOp(pc, op, &pub));
    EXPECT_EQ(sig.back(), SIGHASH_ALL);
    EXPECT_EQ(pub, key.GetPubKey());

    Spend pkh_u = MakeSpend(P2pkh(uncompressed));
    SignAndCheck(pkh_u, provider, SIGHASH_ALL, true);

    Script p2pk;
    p2pk << key.GetPubKey() << OP_CHECKSIG;
    Spend pk = MakeSpend(p2pk);
    SignAndCheck(pk, provider, SIGHASH_NONE | SIGHASH_ANYONECANPAY, true);
}

TEST(SignTest, SegwitKeyHashNativeAndWrapped)
{
    SigningProvider provider;
    const PrivKey key = KeyFrom(3);
    provider.AddKey(key);
    Spend native = MakeSpend(P2wpkh(key));
    const auto r = SignAndCheck(native, provider, SIGHASH_ALL, true);
    EXPECT_TRUE(r.script_sig.empty());
    ASSERT_EQ(r.witness.stack.size(), 2U);
    // P2SH-P2WPKH is signable from the key alone (its redeem script is learnt from the key).
    Spend wrapped = MakeSpend(P2sh(P2wpkh(key)));
    const auto w = SignAndCheck(wrapped, provider, SIGHASH_SINGLE, true);
    EXPECT_EQ(w.witness.stack.size(), 2U);
    EXPECT_FALSE(w.script_sig.empty());
    // An uncompressed key is never used for segwit.
    SigningProvider u;
    const PrivKey uk = KeyFrom(4, false);
    u.AddKey(uk);
    Script p2wpkh_u;
    p2wpkh_u << OP_0 << Hash160(uk.GetPubKey()).span();
    Spend bad = MakeSpend(p2wpkh_u);
    SignAndCheck(bad, u, SIGHASH_ALL, false);
}

TEST(SignTest, MultisigInP2shAndP2wshAndPartialMerge)
{
    const std::vector<PrivKey> keys{KeyFrom(5), KeyFrom(6), KeyFrom(7)};
    const Script ms = Multisig(2, keys);
    SigningProvider all;
    for (const auto& k : keys)
        all.AddKey(k);
    all.AddScript(ms);
    all.AddScript(P2wsh(ms));

    Spend p2sh = MakeSpend(P2sh(ms));
    SignAndCheck(p2sh, all, SIGHASH_ALL, true);
    Spend p2wsh = MakeSpend(P2wsh(ms));
    const auto w = SignAndCheck(p2wsh, all, SIGHASH_ALL, true);
    ASSERT_EQ(w.witness.stack.size(), 4U); // empty, sig, sig, witness script
    EXPECT_TRUE(w.witness.stack[0].empty());
    Spend nested = MakeSpend(P2sh(P2wsh(ms)));
    SignAndCheck(nested, all, SIGHASH_ALL, true);

    // One key signs: incomplete, with an empty placeholder for the missing signature.
    SigningProvider first;
    first.AddKey(keys[0]);
    first.AddScript(ms);
    first.AddScript(P2wsh(ms));
    Spend partial = MakeSpend(P2wsh(ms));
    const auto p1 = SignAndCheck(partial, first, SIGHASH_ALL, false);
    ASSERT_EQ(p1.witness.stack.size(), 4U);
    EXPECT_FALSE(p1.witness.stack[1].empty());
    EXPECT_TRUE(p1.witness.stack[2].empty());

    // The third key signs the same transaction; merging both partial inputs completes it.
    SigningProvider third;
    third.AddKey(keys[2]);
    third.AddScript(ms);
    third.AddScript(P2wsh(ms));
    Spend other = MakeSpend(P2wsh(ms));
    const auto p3 = SignAndCheck(other, third, SIGHASH_ALL, false);

    const Transaction tx{partial.mtx};
    PrecomputedTxData txdata;
    txdata.Init(tx, {partial.spent}, true);
    KnownSignatures known;
    CollectSignatures(tx, 0, partial.spent, p1.script_sig, p1.witness, txdata, known);
    CollectSignatures(tx, 0, partial.spent, p3.script_sig, p3.witness, txdata, known);
    EXPECT_EQ(known.ecdsa.size(), 2U);
    Spend combined = MakeSpend(P2wsh(ms));
    const SigningProvider none;
    const Transaction ctx{combined.mtx};
    const auto merged = SignInput(ctx, 0, combined.spent, SIGHASH_ALL, txdata, none, known, false);
    EXPECT_TRUE(merged.complete);
    combined.mtx.vin[0].witness = merged.witness;
    const Transaction final_tx{combined.mtx};
    const TransactionSignatureChecker checker{&final_tx, 0, combined.spent.value, txdata};
    EXPECT_TRUE(VerifyScript(final_tx.vin[0].script_sig, combined.spent.script_pubkey,
                             &final_tx.vin[0].witness, STANDARD_SCRIPT_VERIFY_FLAGS, checker));
    // Signatures are ordered as the keys are (key 0 before key 2).
    EXPECT_EQ(merged.witness.stack[1], p1.witness.stack[1]);
    EXPECT_EQ(merged.witness.stack[2], p3.witness.stack[1]);
}

TEST(SignTest, TaprootKeyPathBip86)
{
    SigningProvider provider;
    const PrivKey key = KeyFrom(8);
    provider.AddKey(key);
    const auto tweaked = key.GetXOnlyPubKey().CreateTapTweak(nullptr);
    ASSERT_TRUE(tweaked.has_value());
    Script p2tr;
    p2tr << OP_1 << tweaked->first.bytes().span();
    Spend s = MakeSpend(p2tr);
    const auto r = SignAndCheck(s, provider, SIGHASH_DEFAULT, true);
    ASSERT_EQ(r.witness.stack.size(), 1U);
    EXPECT_EQ(r.witness.stack[0].size(), 64U);
    Spend s2 = MakeSpend(p2tr);
    const auto r2 = SignAndCheck(s2, provider, SIGHASH_ALL, true);
    EXPECT_EQ(r2.witness.stack[0].size(), 65U);
    EXPECT_EQ(r2.witness.stack[0].back(), SIGHASH_ALL);
    // The untweaked key as output key is not signable with the BIP86 tweak.
    Script raw;
    raw << OP_1 << key.GetXOnlyPubKey().bytes().span();
    Spend s3 = MakeSpend(raw);
    SignAndCheck(s3, provider, SIGHASH_DEFAULT, false);
}

TEST(SignTest, WrongKeyOrMissingScriptFails)
{
    SigningProvider other;
    other.AddKey(KeyFrom(9));
    Spend s = MakeSpend(P2pkh(KeyFrom(10)));
    const auto r = SignAndCheck(s, other, SIGHASH_ALL, false);
    EXPECT_TRUE(r.script_sig.empty());
    // P2SH without its redeem script: nothing can be produced.
    const Script ms = Multisig(1, {KeyFrom(9)});
    Spend p2sh = MakeSpend(P2sh(ms));
    const auto q = SignAndCheck(p2sh, other, SIGHASH_ALL, false);
    EXPECT_TRUE(q.script_sig.empty());
    // A signature over a different amount does not verify for segwit.
    SigningProvider provider;
    const PrivKey key = KeyFrom(11);
    provider.AddKey(key);
    Spend seg = MakeSpend(P2wpkh(key));
    SignAndCheck(seg, provider, SIGHASH_ALL, true);
    const Transaction tx{seg.mtx};
    PrecomputedTxData txdata;
    txdata.Init(tx, {seg.spent}, true);
    const TransactionSignatureChecker wrong_amount{&tx, 0, seg.spent.value + 1, txdata};
    EXPECT_FALSE(VerifyScript(tx.vin[0].script_sig, seg.spent.script_pubkey, &tx.vin[0].witness,
                              STANDARD_SCRIPT_VERIFY_FLAGS, wrong_amount));
}

} // namespace
