// Wallet encryption (lock, unlock, relock, passphrase change, no clear key on
// disk), reload from disk, PSBT filling and signing, message signing, and the
// BIP84/BIP86 vectors on mainnet parameters.
#include "wallet_fixture.h"

#include <common/bip32.h>
#include <common/psbt.h>
#include <common/secp_helpers.h>
#include <consensus/hash.h>
#include <util/base64.h>
#include <wallet/crypter.h>
#include <wallet/wallet.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

namespace {

using namespace wallet_test;
using namespace std::chrono_literals;
using consensus::Amount;
using consensus::COIN;
using wallet::OutputType;

constexpr const char* LOCKED =
    "Error: Please enter the wallet passphrase with walletpassphrase first.";

class WalletCryptTest : public ::testing::Test
{
protected:
    testutil::TempDir m_dir;
    TestNode m_node{common::ChainParams::RegTest(), m_dir.Path(), 105};

    consensus::Uint256 Fund(wallet::Wallet& w, Amount amount, OutputType type = OutputType::BECH32)
    {
        auto address = w.GetNewAddress(type, "");
        EXPECT_TRUE(address);
        auto tx = m_node.PayTo(ScriptOf(*address, m_node.Params()), amount);
        m_node.Mine({tx});
        m_node.Sync();
        return tx->GetHash();
    }

    consensus::MutableTransaction Spend(const consensus::OutPoint& outpoint, Amount value)
    {
        consensus::MutableTransaction tx;
        consensus::TxIn in;
        in.prevout = outpoint;
        tx.vin.push_back(in);
        tx.vout.push_back(consensus::TxOut{
            value - 10'000, m_node.Builder().NextScript(testutil::OutputKind::P2WPKH)});
        return tx;
    }

    // Every byte of every file under `dir`.
    static std::vector<std::vector<uint8_t>> ReadAll(const std::filesystem::path& dir)
    {
        std::vector<std::vector<uint8_t>> files;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
            if (!entry.is_regular_file()) continue;
            std::ifstream in(entry.path(), std::ios::binary);
            files.emplace_back(std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>());
        }
        return files;
    }
    static bool Contains(const std::vector<std::vector<uint8_t>>& files,
                         std::span<const uint8_t> needle)
    {
        for (const auto& f : files) {
            if (std::search(f.begin(), f.end(), needle.begin(), needle.end()) != f.end()) {
                return true;
            }
        }
        return false;
    }
};

// The account-level tprv texts of a wallet's private descriptors and their 32-byte secrets.
std::vector<std::pair<std::string, std::array<uint8_t, 32>>>
PrivateKeys(wallet::Wallet& w, const common::ChainParams& params)
{
    std::vector<std::pair<std::string, std::array<uint8_t, 32>>> out;
    auto descs = w.ListDescriptors(true);
    EXPECT_TRUE(descs);
    if (!descs) return out;
    for (const auto& d : *descs) {
        const size_t start = d.desc.find("tprv");
        EXPECT_NE(start, std::string::npos);
        const size_t end = d.desc.find('/', start);
        const std::string text = d.desc.substr(start, end - start);
        auto key = common::DecodeExtKey(text, params);
        EXPECT_TRUE(key);
        if (key) out.emplace_back(text, key->secret);
    }
    return out;
}

TEST_F(WalletCryptTest, EncryptLocksUnlockSignsLockForgets)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    const auto funding = Fund(*w, COIN);
    ASSERT_FALSE(w->IsCrypted());
    EXPECT_FALSE(w->IsLocked());
    EXPECT_FALSE(w->Unlock("pw", 60s)); // unencrypted
    EXPECT_FALSE(w->EncryptWallet(""));

    ASSERT_TRUE(w->EncryptWallet("pw"));
    EXPECT_TRUE(w->IsCrypted());
    EXPECT_TRUE(w->IsLocked());
    EXPECT_EQ(w->UnlockedUntil(), 0);
    EXPECT_FALSE(w->EncryptWallet("again"));

    auto tx = Spend({funding, 0}, COIN);
    auto signed_locked = w->SignTransaction(tx, {}, 1);
    ASSERT_FALSE(signed_locked);
    EXPECT_EQ(signed_locked.error().message, LOCKED);
    auto psbt = common::CreatePsbt(tx);
    ASSERT_TRUE(psbt);
    EXPECT_EQ(w->FillPsbt(*psbt, true, 1, true, true).error().message, LOCKED);
    EXPECT_TRUE(w->FillPsbt(*psbt, false, 1, true, false)); // updating needs no keys
    EXPECT_EQ(w->ListDescriptors(true).error().message, LOCKED);
    // Public derivation still works while locked.
    EXPECT_TRUE(w->GetNewAddress(OutputType::BECH32, ""));

    auto wrong = w->Unlock("nope", 60s);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().message, wallet::INCORRECT_PASSPHRASE_MESSAGE);
    EXPECT_TRUE(w->IsLocked());

    const auto before = std::chrono::system_clock::now();
    ASSERT_TRUE(w->Unlock("pw", 60s));
    EXPECT_FALSE(w->IsLocked());
    EXPECT_GE(w->UnlockedUntil(),
              std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count() +
                  60);
    auto errors = w->SignTransaction(tx, {}, 1);
    ASSERT_TRUE(errors);
    EXPECT_TRUE(errors->empty());
    EXPECT_EQ(m_node.Accept(consensus::MakeTransactionRef(tx)), "");

    w->Lock();
    EXPECT_TRUE(w->IsLocked());
    EXPECT_EQ(w->UnlockedUntil(), 0);
    consensus::MutableTransaction again = Spend({funding, 0}, COIN);
    EXPECT_FALSE(w->SignTransaction(again, {}, 1));

    // walletpassphrasechange re-seals the same master key.
    EXPECT_EQ(w->ChangePassphrase("nope", "pw2").error().message,
              wallet::INCORRECT_PASSPHRASE_MESSAGE);
    ASSERT_TRUE(w->ChangePassphrase("pw", "pw2"));
    EXPECT_TRUE(w->IsLocked());
    EXPECT_FALSE(w->Unlock("pw", 60s));
    ASSERT_TRUE(w->Unlock("pw2", 60s));
    EXPECT_TRUE(w->SignTransaction(again, {}, 1));
}

TEST_F(WalletCryptTest, RelockTimerWipesKeysWithoutAnotherCall)
{
    wallet::CreateOptions options;
    options.passphrase = "pw";
    auto w = m_node.CreateWallet("w", options);
    ASSERT_TRUE(w);
    EXPECT_TRUE(w->IsCrypted());
    EXPECT_TRUE(w->IsLocked());
    ASSERT_TRUE(w->Unlock("pw", 2s)); // whole seconds: at least one second remains now
    EXPECT_FALSE(w->IsLocked());
    // Bounded wait for the timer; the assertion is about relocking, not about when.
    for (int i = 0; i < 100 && !w->IsLocked(); ++i)
        std::this_thread::sleep_for(100ms);
    EXPECT_TRUE(w->IsLocked());
    EXPECT_EQ(w->UnlockedUntil(), 0);
}

TEST_F(WalletCryptTest, NoPrivateKeyBytesOnDiskAfterEncryption)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    const auto keys = PrivateKeys(*w, m_node.Params());
    ASSERT_EQ(keys.size(), 8u);
    const auto dir = m_node.WalletDir("w");
    // Control: in clear before encryption, so the scan below can see what it looks for.
    bool seen = false;
    for (const auto& [text, secret] : keys) {
        seen =
            seen || Contains(ReadAll(dir),
                             std::span{reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    }
    EXPECT_TRUE(seen);

    ASSERT_TRUE(w->EncryptWallet("pw"));
    m_node.CloseWallet(w);
    const auto files = ReadAll(dir);
    for (const auto& [text, secret] : keys) {
        EXPECT_FALSE(
            Contains(files, std::span{reinterpret_cast<const uint8_t*>(text.data()), text.size()}))
            << text;
        EXPECT_FALSE(Contains(files, secret));
    }

    // Encrypted from creation: never in clear.
    wallet::CreateOptions options;
    options.passphrase = "pw";
    options.seed = AbandonSeed();
    auto e = m_node.CreateWallet("e", options);
    ASSERT_TRUE(e);
    ASSERT_TRUE(e->Unlock("pw", 60s));
    const auto e_keys = PrivateKeys(*e, m_node.Params());
    ASSERT_EQ(e_keys.size(), 8u);
    m_node.CloseWallet(e);
    const auto e_files = ReadAll(m_node.WalletDir("e"));
    for (const auto& [text, secret] : e_keys) {
        EXPECT_FALSE(Contains(
            e_files, std::span{reinterpret_cast<const uint8_t*>(text.data()), text.size()}));
        EXPECT_FALSE(Contains(e_files, secret));
    }
}

TEST_F(WalletCryptTest, ReloadKeepsEverything)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    const auto funding = Fund(*w, COIN);
    auto labelled = w->GetNewAddress(OutputType::BECH32M, "savings");
    ASSERT_TRUE(labelled);
    auto tx = Spend({funding, 0}, COIN);
    ASSERT_TRUE(w->SignTransaction(tx, {}, 1));
    auto ref = consensus::MakeTransactionRef(tx);
    ASSERT_TRUE(w->CommitTransaction(ref, {{"comment", "c"}}));
    m_node.Sync();
    ASSERT_TRUE(w->EncryptWallet("pw"));

    const auto descs = *w->ListDescriptors(false);
    const auto txs = w->ListTransactions();
    const auto book = w->AddressBook();
    const auto best = w->LastBlock();
    const auto balances = w->GetBalances();
    m_node.CloseWallet(w);

    w = m_node.LoadWallet("w");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->LastBlock(), best);
    const auto descs2 = *w->ListDescriptors(false);
    ASSERT_EQ(descs2.size(), descs.size());
    for (size_t i = 0; i < descs.size(); ++i) {
        EXPECT_EQ(descs2[i].desc, descs[i].desc);
        EXPECT_EQ(descs2[i].next_index, descs[i].next_index);
        EXPECT_EQ(descs2[i].active, descs[i].active);
        EXPECT_EQ(descs2[i].internal, descs[i].internal);
    }
    const auto txs2 = w->ListTransactions();
    ASSERT_EQ(txs2.size(), 2u);
    ASSERT_EQ(txs2.size(), txs.size());
    for (size_t i = 0; i < txs.size(); ++i) {
        EXPECT_EQ(txs2[i].wtx.Txid(), txs[i].wtx.Txid());
        EXPECT_EQ(txs2[i].wtx.state, txs[i].wtx.state);
        EXPECT_EQ(txs2[i].wtx.order_pos, txs[i].wtx.order_pos);
        EXPECT_EQ(txs2[i].wtx.map_value, txs[i].wtx.map_value);
        EXPECT_EQ(txs2[i].wtx.from_me, txs[i].wtx.from_me);
    }
    EXPECT_EQ(w->AddressBook(), book);
    EXPECT_EQ(w->AddressBook().at(*labelled).label, "savings");
    EXPECT_EQ(w->GetBalances().trusted, balances.trusted);
    EXPECT_TRUE(w->IsSpent({funding, 0}));
    EXPECT_TRUE(w->IsCrypted());
    EXPECT_TRUE(w->IsLocked());
    ASSERT_TRUE(w->Unlock("pw", 60s));
    EXPECT_EQ(PrivateKeys(*w, m_node.Params()).size(), 8u);
    // Addresses handed out before are not handed out again.
    auto next = w->GetNewAddress(OutputType::BECH32M, "");
    ASSERT_TRUE(next);
    EXPECT_NE(*next, *labelled);
    EXPECT_FALSE(book.contains(*next));
}

TEST_F(WalletCryptTest, FillPsbtUpdatesSignsAndFinalizesSegwitAndTaproot)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    const auto a = Fund(*w, COIN, OutputType::BECH32);
    const auto b = Fund(*w, COIN, OutputType::BECH32M);
    consensus::MutableTransaction tx;
    for (const auto& txid : {a, b}) {
        consensus::TxIn in;
        in.prevout = {txid, 0};
        tx.vin.push_back(in);
    }
    auto change = w->GetNewChangeScript(OutputType::BECH32M);
    ASSERT_TRUE(change);
    tx.vout.push_back(consensus::TxOut{COIN, *change});
    tx.vout.push_back(
        consensus::TxOut{COIN - 20'000, m_node.Builder().NextScript(testutil::OutputKind::P2WPKH)});
    auto psbt = common::CreatePsbt(tx);
    ASSERT_TRUE(psbt);

    // Updater only.
    auto complete = w->FillPsbt(*psbt, false, 0, true, false);
    ASSERT_TRUE(complete);
    EXPECT_FALSE(*complete);
    const auto& wpkh = psbt->inputs[0];
    EXPECT_TRUE(wpkh.witness_utxo.has_value());
    EXPECT_TRUE(wpkh.non_witness_utxo); // segwit v0 keeps the parent (Core)
    ASSERT_EQ(wpkh.bip32_derivs.size(), 1u);
    EXPECT_EQ(common::FormatHDKeypath(wpkh.bip32_derivs.begin()->second.path), "/84h/1h/0h/0/0");
    const auto& tr = psbt->inputs[1];
    EXPECT_TRUE(tr.tap_internal_key.has_value());
    ASSERT_EQ(tr.tap_bip32_derivs.size(), 1u);
    EXPECT_EQ(common::FormatHDKeypath(tr.tap_bip32_derivs.begin()->second.origin.path),
              "/86h/1h/0h/0/0");
    EXPECT_TRUE(psbt->outputs[0].tap_internal_key.has_value());
    EXPECT_EQ(psbt->outputs[0].tap_bip32_derivs.size(), 1u);
    EXPECT_FALSE(psbt->outputs[1].tap_internal_key.has_value()); // not ours
    EXPECT_TRUE(wpkh.partial_sigs.empty());

    // Without origins: none added.
    auto bare = common::CreatePsbt(tx);
    ASSERT_TRUE(w->FillPsbt(*bare, false, 0, false, false));
    EXPECT_TRUE(bare->inputs[0].bip32_derivs.empty());
    EXPECT_TRUE(bare->inputs[1].tap_bip32_derivs.empty());

    // Signer, not finalizer.
    complete = w->FillPsbt(*psbt, true, 0, true, false);
    ASSERT_TRUE(complete);
    EXPECT_FALSE(*complete);
    EXPECT_EQ(psbt->inputs[0].partial_sigs.size(), 1u);
    EXPECT_EQ(psbt->inputs[1].tap_key_sig.size(), 64u);

    // Finalizer: the extracted transaction is valid.
    complete = w->FillPsbt(*psbt, true, 0, true, true);
    ASSERT_TRUE(complete);
    EXPECT_TRUE(*complete);
    auto final_tx = common::ExtractTransaction(*psbt);
    ASSERT_TRUE(final_tx);
    EXPECT_EQ(m_node.Accept(consensus::MakeTransactionRef(std::move(*final_tx))), "");

    // A sighash the PSBT does not carry is refused when signing.
    auto other = common::CreatePsbt(tx);
    other->inputs[0].sighash_type = 3;
    EXPECT_EQ(w->FillPsbt(*other, true, 1, true, true).error().message,
              "Specified sighash value does not match value stored in PSBT");
}

TEST_F(WalletCryptTest, SignMessageWithALegacyAddress)
{
    auto w = m_node.CreateWallet("w");
    ASSERT_TRUE(w);
    auto legacy = w->GetNewAddress(OutputType::LEGACY, "");
    ASSERT_TRUE(legacy);
    auto sig = w->SignMessage(*legacy, "hello");
    ASSERT_TRUE(sig) << sig.error().message;
    // Recover the key from the signature over Core's message hash, computed here.
    std::vector<uint8_t> data{24};
    const std::string magic = "Bitcoin Signed Message:\n";
    data.insert(data.end(), magic.begin(), magic.end());
    data.push_back(5);
    for (char c : std::string{"hello"})
        data.push_back(static_cast<uint8_t>(c));
    const auto hash = consensus::Hash256(data);
    const auto raw = util::DecodeBase64(*sig);
    ASSERT_TRUE(raw);
    ASSERT_EQ(raw->size(), 65u);
    const auto pubkey = common::secp::RecoverCompact(
        std::span<const uint8_t>{reinterpret_cast<const uint8_t*>(raw->data()), raw->size()},
        std::span<const uint8_t, 32>{hash.begin(), 32});
    ASSERT_TRUE(pubkey);
    EXPECT_EQ(ScriptOf(*legacy, m_node.Params()),
              common::GetScriptForDestination(common::PKHash{consensus::Hash160(*pubkey)}));

    auto segwit = w->GetNewAddress(OutputType::BECH32, "");
    EXPECT_EQ(w->SignMessage(*segwit, "hello").error().message, "Address does not refer to key");
    EXPECT_EQ(w->SignMessage("nonsense", "hello").error().message, "Invalid address");
    const std::string foreign =
        AddressOf(m_node.Builder().NextScript(testutil::OutputKind::P2PKH), m_node.Params());
    EXPECT_EQ(w->SignMessage(foreign, "hello").error().message, "Private key not available");
    ASSERT_TRUE(w->EncryptWallet("pw"));
    EXPECT_EQ(w->SignMessage(*legacy, "hello").error().message, LOCKED);
}

// BIP84 and BIP86 test vectors need coin type 0: a mainnet chainstate at genesis.
TEST(WalletMainnetTest, KnownSeedGivesTheBip84AndBip86Addresses)
{
    testutil::TempDir dir;
    TestNode node{common::ChainParams::Main(), dir.Path(), 0};
    wallet::CreateOptions options;
    options.seed = AbandonSeed();
    auto w = node.CreateWallet("main", options);
    ASSERT_TRUE(w);
    EXPECT_EQ(*w->GetNewAddress(OutputType::BECH32, ""),
              "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu");
    EXPECT_EQ(*w->GetNewAddress(OutputType::BECH32, ""),
              "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g");
    auto change = w->GetNewChangeScript(OutputType::BECH32);
    ASSERT_TRUE(change);
    EXPECT_EQ(AddressOf(*change, node.Params()), "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el");
    EXPECT_EQ(*w->GetNewAddress(OutputType::BECH32M, ""),
              "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr");
    const auto descs = w->ListDescriptors(false);
    ASSERT_TRUE(descs);
    bool found = false;
    for (const auto& d : *descs)
        found = found || d.desc.rfind("wpkh([73c5da0a/84h/0h/0h]xpub", 0) == 0;
    EXPECT_TRUE(found);
}

} // namespace
