// Wallet: creation and loading, keys, descriptors, the address book, locked
// coins and files. Chain sync lives in wallet_sync.cpp, transactions and
// balances in wallet_tx.cpp, encryption in wallet_crypt.cpp, signing in
// wallet_sign.cpp.
#include <wallet/wallet.h>

#include <common/bip32.h>
#include <common/descriptor.h>
#include <common/key_io.h>
#include <util/logging.h>
#include <wallet/wallet_state.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

namespace wallet {

using consensus::Uint256;

namespace {

constexpr const char* NO_KEYS_ERROR = "Error: This wallet has no available keys";

uint32_t Purpose(OutputType type)
{
    switch (type) {
    case OutputType::LEGACY:
        return 44;
    case OutputType::P2SH_SEGWIT:
        return 49;
    case OutputType::BECH32:
        return 84;
    case OutputType::BECH32M:
        return 86;
    }
    return 84;
}

// Core's default descriptor text around an account key: "wpkh(KEY/0/*)" and friends.
std::string WrapDescriptor(OutputType type, const std::string& key)
{
    switch (type) {
    case OutputType::LEGACY:
        return "pkh(" + key + ")";
    case OutputType::P2SH_SEGWIT:
        return "sh(wpkh(" + key + "))";
    case OutputType::BECH32:
        return "wpkh(" + key + ")";
    case OutputType::BECH32M:
        return "tr(" + key + ")";
    }
    return {};
}

std::string HexFingerprint(const common::Fingerprint& fp)
{
    static constexpr char HEX[] = "0123456789abcdef";
    std::string out;
    for (uint8_t b : fp) {
        out.push_back(HEX[b >> 4]);
        out.push_back(HEX[b & 15]);
    }
    return out;
}

uint32_t KeypoolOr(uint32_t size, const WalletSettings& settings)
{
    return size == 0 ? settings.keypool_size : size;
}

} // namespace

Wallet::Wallet(interfaces::Chain& chain, std::string name, WalletSettings settings,
               util::Logger* logger, std::unique_ptr<State> state)
    : m_chain{chain}, m_name{std::move(name)},
      m_settings{std::move(settings)}, m_logger{logger}, m_state{std::move(state)}
{}

Wallet::~Wallet()
{
    Detach();
}

util::Expected<std::shared_ptr<Wallet>>
Wallet::Create(interfaces::Chain& chain, std::string name, const std::filesystem::path& dir,
               const CreateOptions& options, const WalletSettings& settings, util::Logger* logger)
{
    if (!options.passphrase.empty() && options.disable_private_keys) {
        return util::Unexpected(
            "Passphrase provided but private keys are disabled. A passphrase is only used to "
            "encrypt private keys, so cannot be used for wallets with private keys disabled.");
    }
    const common::ChainParams& params = chain.Params();
    const uint32_t keypool = settings.keypool_size;

    // Everything is built in memory first so that a failure leaves no database behind.
    std::map<Uint256, std::unique_ptr<DescriptorSpkm>> spkms;
    std::map<std::pair<OutputType, bool>, Uint256> active;
    std::map<Uint256, std::string> private_texts;
    const int64_t now = detail::NowSeconds();
    if (!options.blank && !options.disable_private_keys) {
        std::vector<uint8_t> seed = options.seed;
        if (seed.empty()) {
            seed.resize(32);
            if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1) {
                return util::Unexpected("Failed to generate a random seed");
            }
        }
        auto master = common::ExtKey::FromSeed(seed);
        OPENSSL_cleanse(seed.data(), seed.size());
        if (!master) return util::Unexpected("Invalid seed: no master key derives from it");
        const std::string fingerprint = HexFingerprint(master->Neuter().GetFingerprint());
        const uint32_t coin = params.IsTestChain() ? 1 : 0;
        for (OutputType type : ALL_OUTPUT_TYPES) {
            std::optional<common::ExtKey> account =
                master->Derive(Purpose(type) | common::BIP32_HARDENED);
            if (account) account = account->Derive(coin | common::BIP32_HARDENED);
            if (account) account = account->Derive(0 | common::BIP32_HARDENED);
            if (!account) return util::Unexpected("Failed to derive the account key");
            const std::string origin = "[" + fingerprint + "/" + std::to_string(Purpose(type)) +
                                       "h/" + std::to_string(coin) + "h/0h]";
            const std::string xprv = common::EncodeExtKey(*account, params);
            for (bool internal : {false, true}) {
                const std::string text =
                    WrapDescriptor(type, origin + xprv + (internal ? "/1/*" : "/0/*"));
                auto parsed = common::ParseDescriptor(text, params);
                if (!parsed) return util::Unexpected(parsed.error().message);
                const auto pub = (*parsed)->ToString(common::DescriptorStringType::PUBLIC);
                const auto priv = (*parsed)->ToString(common::DescriptorStringType::PRIVATE);
                if (!pub || !priv) return util::Unexpected("Failed to print a default descriptor");
                DescriptorRecord record;
                record.descriptor = *pub;
                record.creation_time = now;
                record.has_private = true;
                auto spkm = DescriptorSpkm::Create(record, params);
                if (!spkm) return util::Unexpected(spkm.error().message);
                if (auto ok = (*spkm)->SetPrivate(*priv, params); !ok) return ok.error();
                if (auto ok = (*spkm)->TopUp(keypool); !ok) return ok.error();
                const Uint256 id = (*spkm)->Id();
                active[{type, internal}] = id;
                private_texts[id] = *priv;
                spkms[id] = std::move(*spkm);
            }
        }
    }

    auto db = WalletDatabase::Open(dir, /*create=*/true);
    if (!db) return db.error();
    auto state = std::make_unique<State>();
    WalletState& s = *state;
    s.db = std::move(*db);
    s.params = &chain.Params();
    s.flags = WALLET_FLAG_DESCRIPTORS;
    if (options.blank) s.flags |= WALLET_FLAG_BLANK_WALLET;
    if (options.disable_private_keys) s.flags |= WALLET_FLAG_DISABLE_PRIVATE_KEYS;
    if (options.avoid_reuse) s.flags |= WALLET_FLAG_AVOID_REUSE;
    const interfaces::TipSnapshot tip = chain.Tip();
    s.best = BestBlock{tip.hash, tip.height};
    s.spkms = std::move(spkms);
    s.active = std::move(active);

    WalletBatch batch;
    batch.WriteVersion(WALLET_DB_VERSION);
    batch.WriteFlags(s.flags);
    batch.WriteBestBlock(s.best);
    batch.WriteOrderPosNext(0);
    if (!options.passphrase.empty()) {
        // Encrypted from the first write: no clear private text ever reaches the disk.
        auto master_key = CreateMasterKey(options.passphrase);
        if (!master_key) return master_key.error();
        for (const auto& [id, text] : private_texts) {
            auto sealed = detail::EncryptDescriptorText(
                master_key->master_key.span(), id,
                std::span{reinterpret_cast<const uint8_t*>(text.data()), text.size()});
            if (!sealed) return sealed.error();
            batch.WriteCryptedKey(id, *sealed);
            s.crypted_keys[id] = std::move(*sealed);
        }
        batch.WriteMasterKey(1, master_key->record);
        s.master_keys[1] = master_key->record;
        for (auto& [id, spkm] : s.spkms)
            spkm->ClearPrivate();
    } else {
        for (const auto& [id, text] : private_texts) {
            batch.WriteClearKey(
                id, std::span{reinterpret_cast<const uint8_t*>(text.data()), text.size()});
        }
    }
    for (auto& [id, text] : private_texts)
        OPENSSL_cleanse(text.data(), text.size());
    for (const auto& [id, spkm] : s.spkms)
        batch.WriteDescriptor(id, spkm->Record());
    for (const auto& [key, id] : s.active)
        batch.WriteActiveDescriptor(key.first, key.second, id);
    if (auto ok = s.db->Commit(batch); !ok) return ok.error();
    if (logger) logger->Info("Wallet \"" + name + "\" created at " + dir.string());
    return std::shared_ptr<Wallet>(
        new Wallet(chain, std::move(name), settings, logger, std::move(state)));
}

util::Expected<std::shared_ptr<Wallet>> Wallet::Load(interfaces::Chain& chain, std::string name,
                                                     const std::filesystem::path& dir,
                                                     const WalletSettings& settings,
                                                     util::Logger* logger)
{
    auto db = WalletDatabase::Open(dir, /*create=*/false);
    if (!db) return db.error();
    auto data = (*db)->Load();
    if (!data) return data.error();
    if (data->version > WALLET_DB_VERSION) {
        return util::Unexpected("Error loading " + dir.string() +
                                ": Wallet requires newer version of minibit");
    }
    auto state = std::make_unique<State>();
    WalletState& s = *state;
    s.db = std::move(*db);
    s.params = &chain.Params();
    s.flags = data->flags;
    for (auto& [id, record] : data->descriptors) {
        auto spkm = DescriptorSpkm::Create(record, *s.params);
        if (!spkm) {
            return util::Unexpected("Wallet corrupted: descriptor " + id.GetHex() +
                                    " does not parse: " + spkm.error().message);
        }
        s.spkms[id] = std::move(*spkm);
    }
    s.crypted_keys = std::move(data->crypted_keys);
    s.master_keys = std::move(data->master_keys);
    if (s.master_keys.empty()) {
        for (const auto& [id, text] : data->clear_keys) {
            auto it = s.spkms.find(id);
            if (it == s.spkms.end()) continue;
            const std::string_view view{reinterpret_cast<const char*>(text.data()), text.size()};
            if (auto ok = it->second->SetPrivate(view, *s.params); !ok) {
                return util::Unexpected("Wallet corrupted: private descriptor " + id.GetHex() +
                                        ": " + ok.error().message);
            }
        }
    }
    s.active = std::move(data->active);
    s.txs = std::move(data->txs);
    for (const auto& [txid, wtx] : s.txs)
        detail::AddSpends(s, wtx);
    s.address_book = std::move(data->address_book);
    s.persistent_locks = data->locked_coins;
    s.locked_coins = std::move(data->locked_coins);
    if (data->best_block) s.best = *data->best_block;
    s.order_pos_next = data->order_pos_next;
    if (logger) logger->Info("Wallet \"" + name + "\" loaded from " + dir.string());
    return std::shared_ptr<Wallet>(
        new Wallet(chain, std::move(name), settings, logger, std::move(state)));
}

// ---- flags, keys and addresses ----

uint64_t Wallet::Flags() const
{
    std::lock_guard lock(m_mutex);
    return m_state->flags;
}

util::Expected<std::string> Wallet::GetNewAddress(OutputType type, const std::string& label)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    const auto it = s.active.find({type, false});
    if (it == s.active.end()) return util::Unexpected(NO_KEYS_ERROR);
    DescriptorSpkm& spkm = *s.spkms.at(it->second);
    auto script = spkm.GetNewScript(m_settings.keypool_size);
    if (!script) return script.error();
    const auto dest = common::ExtractDestination(*script);
    if (!dest || !common::IsValidDestination(*dest)) {
        return util::Unexpected(
            "Error: Cannot extract destination from the generated scriptpubkey");
    }
    const std::string address = common::EncodeDestination(*dest, *s.params);
    const AddressBookEntry entry{label, "receive"};
    WalletBatch batch;
    batch.WriteDescriptor(spkm.Id(), spkm.Record());
    batch.WriteAddressBook(address, entry);
    if (auto ok = s.db->Commit(batch); !ok) return ok.error();
    s.address_book[address] = entry;
    return address;
}

util::Expected<consensus::Script> Wallet::GetNewChangeScript(OutputType type)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    const auto it = s.active.find({type, true});
    if (it == s.active.end()) return util::Unexpected(NO_KEYS_ERROR);
    DescriptorSpkm& spkm = *s.spkms.at(it->second);
    auto script = spkm.GetNewScript(m_settings.keypool_size);
    if (!script) return script.error();
    WalletBatch batch;
    batch.WriteDescriptor(spkm.Id(), spkm.Record());
    if (auto ok = s.db->Commit(batch); !ok) return ok.error();
    return script;
}

bool Wallet::IsMine(const consensus::Script& script) const
{
    std::lock_guard lock(m_mutex);
    return detail::FindSpkm(*m_state, script) != nullptr;
}

ScriptInfo Wallet::GetScriptInfo(const consensus::Script& script) const
{
    std::lock_guard lock(m_mutex);
    const WalletState& s = *m_state;
    ScriptInfo info;
    if (const auto dest = common::ExtractDestination(script);
        dest && common::IsValidDestination(*dest)) {
        const auto it = s.address_book.find(common::EncodeDestination(*dest, *s.params));
        if (it != s.address_book.end()) info.labels.push_back(it->second.label);
    }
    int32_t index = 0;
    const DescriptorSpkm* spkm = detail::FindSpkm(s, script, &index);
    if (spkm == nullptr) return info;
    info.mine = true;
    info.solvable = spkm->Public().IsSolvable();
    info.change = detail::IsChangeScript(s, script);
    info.desc = spkm->InferScriptDescriptor(script, *s.params);
    info.parent_desc = spkm->Record().descriptor;
    info.timestamp = spkm->Record().creation_time;
    if (auto expansion = spkm->ExpandPublic(index)) {
        for (const auto& [key_id, pubkey] : expansion->pubkeys)
            info.pubkeys.push_back(pubkey);
        if (expansion->origins.size() == 1) {
            const common::KeyOriginInfo& origin = expansion->origins.begin()->second;
            std::string path{"m"};
            path += common::FormatHDKeypath(origin.path);
            info.hdkeypath = std::move(path);
            info.hdmasterfingerprint = HexFingerprint(origin.fingerprint);
        }
    }
    return info;
}

bool Wallet::FillSigningProvider(const consensus::Script& script,
                                 common::SigningProvider& provider) const
{
    std::lock_guard lock(m_mutex);
    bool found = false;
    for (const auto& [id, spkm] : m_state->spkms) {
        if (spkm->FillSigningProvider(script, provider)) found = true;
    }
    return found;
}

util::Expected<void> Wallet::TopUpKeypool(uint32_t size)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    WalletBatch batch;
    for (const auto& [id, spkm] : s.spkms) {
        auto grew = spkm->TopUp(KeypoolOr(size, m_settings));
        if (!grew) return grew.error();
        if (*grew) batch.WriteDescriptor(id, spkm->Record());
    }
    return detail::CommitIfAny(s, batch);
}

std::pair<uint32_t, uint32_t> Wallet::KeypoolSize() const
{
    std::lock_guard lock(m_mutex);
    std::pair<uint32_t, uint32_t> sizes{0, 0};
    for (const auto& [key, id] : m_state->active) {
        const DescriptorRecord& r = m_state->spkms.at(id)->Record();
        const uint32_t ahead =
            r.range_end > r.next_index ? static_cast<uint32_t>(r.range_end - r.next_index) : 0;
        (key.second ? sizes.second : sizes.first) += ahead;
    }
    return sizes;
}

util::Expected<std::vector<std::string>> Wallet::ImportDescriptor(const ImportRequest& request)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    std::vector<std::string> warnings;
    auto parsed = common::ParseDescriptor(request.desc, *s.params, /*require_checksum=*/true);
    if (!parsed) return parsed.error();
    const common::Descriptor& desc = **parsed;

    int32_t range_start = 0;
    int32_t range_end = 1;
    int32_t next_index = 0;
    if (!desc.IsRange() && request.range) {
        return util::Unexpected("Range should not be specified for an un-ranged descriptor");
    }
    if (desc.IsRange()) {
        if (request.range) {
            range_start = request.range->first;
            range_end = request.range->second + 1;
        } else {
            warnings.emplace_back("Range not given, using default keypool range");
            range_end = static_cast<int32_t>(m_settings.keypool_size);
        }
        next_index = range_start;
        if (request.next_index) {
            if (*request.next_index < range_start || *request.next_index >= range_end) {
                return util::Unexpected("next_index is out of range");
            }
            next_index = *request.next_index;
        }
    }
    if (request.active && !desc.IsRange()) {
        return util::Unexpected("Active descriptors must be ranged");
    }
    if (desc.IsRange() && !request.label.empty()) {
        return util::Unexpected("Ranged descriptors should not have a label");
    }
    if (request.internal && !request.label.empty()) {
        return util::Unexpected("Internal addresses should not have a label");
    }
    if (request.active && !desc.IsSingleType()) {
        return util::Unexpected("Combo descriptors cannot be set to active");
    }
    const bool has_private = desc.HasPrivateKeys();
    const bool private_disabled = (s.flags & WALLET_FLAG_DISABLE_PRIVATE_KEYS) != 0;
    if (private_disabled && has_private) {
        return util::Unexpected(
            "Cannot import private keys to a wallet with private keys disabled");
    }
    if (!desc.Expand(0)) {
        return util::Unexpected("Cannot expand descriptor. Probably because of hardened "
                                "derivations without private keys provided");
    }
    std::optional<std::string> private_text;
    if (!private_disabled) {
        if (!has_private) {
            return util::Unexpected("Cannot import descriptor without private keys to a wallet "
                                    "with private keys enabled");
        }
        private_text = desc.ToString(common::DescriptorStringType::PRIVATE);
        if (!private_text) {
            warnings.emplace_back("Not all private keys provided. Some wallet functionality may "
                                  "return unexpected errors");
        }
    }
    const bool crypted = !s.master_keys.empty();
    if (private_text && crypted && s.master_key.empty()) {
        return util::Unexpected(LOCKED_WALLET_ERROR);
    }

    const auto pub = desc.ToString(common::DescriptorStringType::PUBLIC);
    if (!pub) return util::Unexpected("Could not add descriptor '" + request.desc + "'");
    DescriptorRecord record;
    record.descriptor = *pub;
    record.creation_time = request.timestamp.value_or(detail::NowSeconds());
    record.range_start = desc.IsRange() ? range_start : 0;
    record.range_end = desc.IsRange() ? range_end : 0;
    record.next_index = next_index;
    record.has_private = private_text.has_value();
    const Uint256 id = DescriptorId(*pub);
    if (const auto old = s.spkms.find(id); old != s.spkms.end()) {
        const DescriptorRecord& o = old->second->Record();
        if (desc.IsRange() &&
            (record.range_start > o.range_start || record.range_end < o.range_end)) {
            return util::Unexpected("Could not add descriptor '" + request.desc +
                                    "': new range must include current range = [" +
                                    std::to_string(o.range_start) + "," +
                                    std::to_string(o.range_end - 1) + "]");
        }
        record.next_index = std::max(record.next_index, o.next_index);
    }
    auto spkm = DescriptorSpkm::Create(record, *s.params);
    if (!spkm) return spkm.error();
    WalletBatch batch;
    if (private_text) {
        if (auto ok = (*spkm)->SetPrivate(*private_text, *s.params); !ok) return ok.error();
        const std::span<const uint8_t> bytes{reinterpret_cast<const uint8_t*>(private_text->data()),
                                             private_text->size()};
        if (crypted) {
            auto sealed = detail::EncryptDescriptorText(s.master_key.span(), id, bytes);
            if (!sealed) return sealed.error();
            batch.WriteCryptedKey(id, *sealed);
            s.crypted_keys[id] = std::move(*sealed);
        } else {
            batch.WriteClearKey(id, bytes);
        }
        OPENSSL_cleanse(private_text->data(), private_text->size());
    }
    if (desc.IsRange()) {
        if (auto ok = (*spkm)->TopUp(m_settings.keypool_size); !ok) return ok.error();
    }
    batch.WriteDescriptor(id, (*spkm)->Record());
    const auto out_type = desc.GetOutputType();
    std::optional<OutputType> type;
    if (out_type) type = static_cast<OutputType>(static_cast<int>(*out_type));
    if (request.active) {
        if (!type) {
            warnings.emplace_back("Unknown output type, cannot set descriptor to active.");
        } else {
            batch.WriteActiveDescriptor(*type, request.internal, id);
        }
    } else if (type) {
        const auto it = s.active.find({*type, request.internal});
        if (it != s.active.end() && it->second == id) {
            batch.EraseActiveDescriptor(*type, request.internal);
        }
    }
    std::vector<std::string> labelled;
    if (!desc.IsRange() && !request.label.empty()) {
        for (const auto& [script, index] : (*spkm)->Scripts()) {
            const auto dest = common::ExtractDestination(script);
            if (!dest || !common::IsValidDestination(*dest)) continue;
            const std::string address = common::EncodeDestination(*dest, *s.params);
            batch.WriteAddressBook(address, AddressBookEntry{request.label, "receive"});
            labelled.push_back(address);
        }
    }
    if (auto ok = s.db->Commit(batch); !ok) return ok.error();
    for (const auto& address : labelled)
        s.address_book[address] = AddressBookEntry{request.label, "receive"};
    if (request.active && type) {
        s.active[{*type, request.internal}] = id;
    } else if (type) {
        const auto it = s.active.find({*type, request.internal});
        if (it != s.active.end() && it->second == id) s.active.erase(it);
    }
    s.spkms[id] = std::move(*spkm);
    return warnings;
}

util::Expected<std::vector<DescriptorInfo>> Wallet::ListDescriptors(bool with_private) const
{
    std::lock_guard lock(m_mutex);
    const WalletState& s = *m_state;
    if (with_private && (s.flags & WALLET_FLAG_DISABLE_PRIVATE_KEYS) != 0) {
        return util::Unexpected("Can't get private descriptor string for watch-only wallets");
    }
    if (with_private && !s.master_keys.empty() && s.master_key.empty()) {
        return util::Unexpected(LOCKED_WALLET_ERROR);
    }
    std::vector<DescriptorInfo> out;
    for (const auto& [id, spkm] : s.spkms) {
        const DescriptorRecord& r = spkm->Record();
        DescriptorInfo info;
        if (with_private) {
            auto text = spkm->PrivateString();
            if (!text) return util::Unexpected("Can't get descriptor string.");
            info.desc = *text;
        } else {
            info.desc = r.descriptor;
        }
        info.timestamp = r.creation_time;
        for (const auto& [key, active_id] : s.active) {
            if (active_id == id) {
                info.active = true;
                info.internal = key.second;
            }
        }
        if (spkm->IsRange()) {
            info.range = std::pair{r.range_start, r.range_end - 1};
            info.next_index = r.next_index;
        }
        out.push_back(std::move(info));
    }
    std::sort(out.begin(), out.end(),
              [](const DescriptorInfo& a, const DescriptorInfo& b) { return a.desc < b.desc; });
    return out;
}

// ---- address book and locked coins ----

util::Expected<void> Wallet::SetAddressBook(const std::string& address, const std::string& label,
                                            const std::string& purpose)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    const auto dest = common::DecodeDestination(address, *s.params);
    if (!dest || !common::IsValidDestination(*dest)) return util::Unexpected("Invalid address");
    // Keep the purpose an entry already has when none is given.
    AddressBookEntry entry{label, purpose};
    if (purpose.empty()) {
        const auto it = s.address_book.find(address);
        entry.purpose = it != s.address_book.end() ? it->second.purpose : "receive";
    }
    WalletBatch batch;
    batch.WriteAddressBook(address, entry);
    if (auto ok = s.db->Commit(batch); !ok) return ok;
    s.address_book[address] = entry;
    return {};
}

std::map<std::string, AddressBookEntry> Wallet::AddressBook() const
{
    std::lock_guard lock(m_mutex);
    return m_state->address_book;
}

util::Expected<void> Wallet::LockCoin(const consensus::OutPoint& outpoint, bool persistent)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    if (persistent) {
        WalletBatch batch;
        batch.WriteLockedCoin(outpoint);
        if (auto ok = s.db->Commit(batch); !ok) return ok;
        s.persistent_locks.insert(outpoint);
    }
    s.locked_coins.insert(outpoint);
    return {};
}

util::Expected<void> Wallet::UnlockCoin(const consensus::OutPoint& outpoint)
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    if (!s.locked_coins.contains(outpoint)) {
        return util::Unexpected("Invalid parameter, expected locked output");
    }
    if (s.persistent_locks.contains(outpoint)) {
        WalletBatch batch;
        batch.EraseLockedCoin(outpoint);
        if (auto ok = s.db->Commit(batch); !ok) return ok;
        s.persistent_locks.erase(outpoint);
    }
    s.locked_coins.erase(outpoint);
    return {};
}

void Wallet::UnlockAllCoins()
{
    std::lock_guard lock(m_mutex);
    WalletState& s = *m_state;
    WalletBatch batch;
    for (const auto& outpoint : s.persistent_locks)
        batch.EraseLockedCoin(outpoint);
    if (auto ok = detail::CommitIfAny(s, batch); !ok) {
        if (m_logger) m_logger->Error(ok.error().message);
        return;
    }
    s.persistent_locks.clear();
    s.locked_coins.clear();
}

std::set<consensus::OutPoint> Wallet::LockedCoins() const
{
    std::lock_guard lock(m_mutex);
    return m_state->locked_coins;
}

// ---- files ----

util::Expected<void> Wallet::Backup(const std::filesystem::path& dest) const
{
    std::lock_guard lock(m_mutex);
    return m_state->db->Backup(dest);
}

std::filesystem::path Wallet::Dir() const
{
    std::lock_guard lock(m_mutex);
    return m_state->db->Dir();
}

} // namespace wallet
