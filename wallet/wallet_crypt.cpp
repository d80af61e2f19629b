// Wallet encryption: sealing the private descriptor texts under a master key,
// unlocking with a relock timer, locking and changing the passphrase.
#include <wallet/wallet.h>

#include <util/logging.h>
#include <wallet/wallet_state.h>

#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>

namespace wallet {

using consensus::Uint256;

namespace {

/// Core caps walletpassphrase's timeout at this many seconds (about three years).
constexpr int64_t MAX_UNLOCK_SECONDS = 100000000;

// Forgets every private key and the master key.
void LockState(WalletState& s)
{
    for (auto& [id, spkm] : s.spkms)
        spkm->ClearPrivate();
    s.master_key = SecureBytes{};
    s.unlocked_until = 0;
}

// Opens every encrypted descriptor text with `master_key` and loads it; on any failure nothing
// stays loaded and the error says the passphrase was wrong (as Core, which cannot tell).
util::Expected<void> LoadPrivateTexts(WalletState& s, const SecureBytes& master_key)
{
    for (const auto& [id, sealed] : s.crypted_keys) {
        const auto it = s.spkms.find(id);
        if (it == s.spkms.end()) continue;
        auto text = detail::DecryptDescriptorText(master_key.span(), id, sealed);
        util::Expected<void> ok =
            text ? it->second->SetPrivate(
                       std::string_view{reinterpret_cast<const char*>(text->data()), text->size()},
                       *s.params)
                 : util::Expected<void>{text.error()};
        if (!ok) {
            for (auto& [other_id, spkm] : s.spkms)
                spkm->ClearPrivate();
            return util::Unexpected(std::string{INCORRECT_PASSPHRASE_MESSAGE});
        }
    }
    return {};
}

std::span<const uint8_t> IdBytes(const Uint256& id)
{
    return std::span<const uint8_t>{id.begin(), id.size()};
}

} // namespace

namespace detail {

util::Expected<std::vector<uint8_t>> EncryptDescriptorText(std::span<const uint8_t> master_key,
                                                           const Uint256& id,
                                                           std::span<const uint8_t> text)
{
    // EncryptSecret derives its IV as SHA-256d of the bytes it is given: here the id, as the
    // database layout says.
    return EncryptSecret(master_key, text, IdBytes(id));
}

util::Expected<SecureBytes> DecryptDescriptorText(std::span<const uint8_t> master_key,
                                                  const Uint256& id,
                                                  std::span<const uint8_t> ciphertext)
{
    return DecryptSecret(master_key, ciphertext, IdBytes(id));
}

} // namespace detail

bool Wallet::IsCrypted() const
{
    std::lock_guard lock(m_mutex);
    return !m_state->master_keys.empty();
}

bool Wallet::IsLocked() const
{
    std::lock_guard lock(m_mutex);
    return !m_state->master_keys.empty() && m_state->master_key.empty();
}

int64_t Wallet::UnlockedUntil() const
{
    std::lock_guard lock(m_mutex);
    return m_state->unlocked_until;
}

util::Expected<void> Wallet::EncryptWallet(std::string_view passphrase)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    if (!s.master_keys.empty()) {
        return util::Unexpected(
            "Error: running with an encrypted wallet, but encryptwallet was called.");
    }
    if ((s.flags & WALLET_FLAG_DISABLE_PRIVATE_KEYS) != 0) {
        return util::Unexpected("Error: wallet does not contain private keys, nothing to encrypt.");
    }
    if (passphrase.empty()) return util::Unexpected("passphrase cannot be empty");
    auto master = CreateMasterKey(passphrase);
    if (!master) return master.error();
    WalletBatch batch;
    std::map<Uint256, std::vector<uint8_t>> sealed_all;
    for (const auto& [id, spkm] : s.spkms) {
        if (!spkm->HasPrivate()) continue;
        auto text = spkm->PrivateString();
        if (!text) return text.error();
        auto sealed = detail::EncryptDescriptorText(
            master->master_key.span(), id,
            std::span{reinterpret_cast<const uint8_t*>(text->data()), text->size()});
        OPENSSL_cleanse(text->data(), text->size());
        if (!sealed) return sealed.error();
        batch.WriteCryptedKey(id, *sealed);
        batch.EraseClearKey(id);
        sealed_all[id] = std::move(*sealed);
    }
    batch.WriteMasterKey(1, master->record);
    // If the process dies before Compact below ends, the next Open compacts.
    batch.WritePurgePending();
    // One atomic batch: either the wallet is fully encrypted or untouched.
    if (auto ok = s.db->Commit(batch); !ok) return ok;
    // Rewrites the files so the erased clear texts leave the disk.
    s.db->Compact();
    s.master_keys[1] = master->record;
    s.crypted_keys = std::move(sealed_all);
    LockState(s);
    s.relock_cv.notify_all();
    if (m_logger) m_logger->Info("Wallet \"" + m_name + "\" encrypted");
    return {};
}

util::Expected<void> Wallet::Unlock(std::string_view passphrase, std::chrono::seconds timeout)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    if (s.master_keys.empty()) {
        return util::Unexpected(
            "Error: running with an unencrypted wallet, but walletpassphrase was called.");
    }
    std::optional<SecureBytes> opened;
    for (const auto& [mk_id, record] : s.master_keys) {
        auto key = UnlockMasterKey(record, passphrase);
        if (!key) continue;
        if (!LoadPrivateTexts(s, *key)) continue;
        opened = std::move(*key);
        break;
    }
    if (!opened) return util::Unexpected(std::string{INCORRECT_PASSPHRASE_MESSAGE});
    s.master_key = std::move(*opened);
    const int64_t seconds = std::clamp<int64_t>(timeout.count(), 0, MAX_UNLOCK_SECONDS);
    s.unlocked_until = detail::NowSeconds() + seconds;
    if (!s.relock_thread.joinable() && !s.relock_stop) {
        // Wipes the keys at the deadline even if no call ever comes.
        s.relock_thread = std::thread([this] {
            std::unique_lock relock_lock(m_mutex);
            WalletState& st = *m_state;
            while (!st.relock_stop) {
                if (st.unlocked_until == 0) {
                    st.relock_cv.wait(relock_lock);
                    continue;
                }
                const std::chrono::system_clock::time_point deadline{
                    std::chrono::seconds{st.unlocked_until}};
                if (std::chrono::system_clock::now() >= deadline) {
                    LockState(st);
                    continue;
                }
                st.relock_cv.wait_until(relock_lock, deadline);
            }
        });
    }
    s.relock_cv.notify_all();
    return {};
}

void Wallet::Lock()
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    if (s.master_keys.empty()) return;
    LockState(s);
    s.relock_cv.notify_all();
}

util::Expected<void> Wallet::ChangePassphrase(std::string_view old_passphrase,
                                              std::string_view new_passphrase)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    if (s.master_keys.empty()) {
        return util::Unexpected("Error: running with an unencrypted wallet, but "
                                "walletpassphrasechange was called.");
    }
    if (new_passphrase.empty()) return util::Unexpected("passphrase cannot be empty");
    const bool was_locked = s.master_key.empty();
    for (const auto& [mk_id, record] : s.master_keys) {
        auto key = UnlockMasterKey(record, old_passphrase);
        if (!key) continue;
        // The master key must really open our keys, not merely decrypt to 32 bytes.
        if (!LoadPrivateTexts(s, *key)) continue;
        auto resealed = wallet::ChangePassphrase(record, old_passphrase, new_passphrase);
        if (!resealed) {
            if (was_locked) LockState(s);
            return resealed.error();
        }
        WalletBatch batch;
        batch.WriteMasterKey(mk_id, *resealed);
        if (auto ok = s.db->Commit(batch); !ok) {
            if (was_locked) LockState(s);
            return ok;
        }
        s.master_keys[mk_id] = std::move(*resealed);
        if (was_locked) {
            LockState(s);
        } else {
            s.master_key = std::move(*key);
        }
        return {};
    }
    // A failed attempt may have unloaded the keys of an unlocked wallet: load them back.
    if (!was_locked && !LoadPrivateTexts(s, s.master_key)) LockState(s);
    return util::Unexpected(std::string{INCORRECT_PASSPHRASE_MESSAGE});
}

} // namespace wallet
