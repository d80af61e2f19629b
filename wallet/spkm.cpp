// gcc 12 misreports the memcmp inside std::vector's <=> (which std::less<Script> uses for the
// script cache) as reading past the object once it is inlined into std::map's insertion. The
// warning is attributed to the standard library header, so it has to be silenced before any
// include.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif

#include <wallet/spkm.h>

#include <consensus/crypto/key.h>
#include <consensus/hash.h>

#include <algorithm>
#include <limits>
#include <span>

namespace wallet {

namespace {

// Ranged descriptors derive non-hardened child numbers, so indexes stay below 2^31.
constexpr int64_t MAX_INDEX_END{std::numeric_limits<int32_t>::max()};

std::string_view StripChecksum(std::string_view text)
{
    const size_t hash = text.rfind('#');
    return hash == std::string_view::npos ? text : text.substr(0, hash);
}

} // namespace

consensus::Uint256 DescriptorId(std::string_view public_text)
{
    const std::string_view body = StripChecksum(public_text);
    return consensus::Sha256Hash(
        std::span{reinterpret_cast<const uint8_t*>(body.data()), body.size()});
}

DescriptorSpkm::DescriptorSpkm(consensus::Uint256 id, DescriptorRecord record,
                               std::unique_ptr<common::Descriptor> parsed)
    : m_id{id}, m_record{std::move(record)}, m_public{std::move(parsed)}
{}

util::Expected<std::unique_ptr<DescriptorSpkm>>
DescriptorSpkm::Create(DescriptorRecord record, const common::ChainParams& params)
{
    auto parsed = common::ParseDescriptor(record.descriptor, params);
    if (!parsed) return parsed.error();
    // The record is stored in clear: secrets belong in the separate key records.
    if ((*parsed)->HasPrivateKeys()) {
        return util::Unexpected("Descriptor record must hold the public form of the descriptor");
    }
    auto public_text = (*parsed)->ToString(common::DescriptorStringType::PUBLIC);
    if (!public_text) return util::Unexpected("Descriptor has no public form");
    record.descriptor = *public_text;
    const bool ranged = (*parsed)->IsRange();
    if (ranged) {
        if (record.range_start < 0 || record.range_end < record.range_start ||
            record.next_index < 0) {
            return util::Unexpected("Invalid descriptor range [" +
                                    std::to_string(record.range_start) + ", " +
                                    std::to_string(record.range_end) + ") next index " +
                                    std::to_string(record.next_index));
        }
    }
    const consensus::Uint256 id = DescriptorId(record.descriptor);
    std::unique_ptr<DescriptorSpkm> spkm{
        new DescriptorSpkm(id, std::move(record), std::move(*parsed))};
    const auto& rec = spkm->m_record;
    auto derived =
        ranged ? spkm->DeriveRange(rec.range_start, rec.range_end) : spkm->DeriveRange(0, 1);
    if (!derived) return derived.error();
    return spkm;
}

bool DescriptorSpkm::IsRange() const
{
    return m_public->IsRange();
}

bool DescriptorSpkm::IsSingleType() const
{
    return m_public->IsSingleType();
}

util::Expected<void> DescriptorSpkm::DeriveRange(int32_t begin, int32_t end)
{
    // Collected apart first so a failure half way leaves the cache as it was.
    std::vector<std::pair<consensus::Script, int32_t>> fresh;
    for (int32_t index = begin; index < end; ++index) {
        auto expansion = m_public->Expand(static_cast<uint32_t>(index));
        if (!expansion) return expansion.error();
        for (auto& script : expansion->output_scripts)
            fresh.emplace_back(std::move(script), index);
    }
    for (auto& [script, index] : fresh)
        m_scripts.emplace(std::move(script), index);
    return {};
}

util::Expected<bool> DescriptorSpkm::TopUp(uint32_t keypool_size)
{
    if (!IsRange()) {
        if (!m_scripts.empty()) return false;
        auto derived = DeriveRange(0, 1);
        if (!derived) return derived.error();
        return true;
    }
    const int64_t target =
        std::min<int64_t>(int64_t{m_record.next_index} + keypool_size, MAX_INDEX_END);
    if (m_record.range_end >= target) return false;
    // Only the indexes not cached yet; an empty cache starts at range_start.
    const int32_t begin = m_record.range_end;
    auto derived = DeriveRange(begin, static_cast<int32_t>(target));
    if (!derived) return derived.error();
    m_record.range_end = static_cast<int32_t>(target);
    return true;
}

util::Expected<consensus::Script> DescriptorSpkm::GetNewScript(uint32_t keypool_size)
{
    if (!IsRange()) {
        auto expansion = ExpandPublic(0);
        if (!expansion) return expansion.error();
        if (expansion->output_scripts.empty()) return util::Unexpected("Descriptor has no script");
        return expansion->output_scripts.front();
    }
    if (m_record.next_index >= MAX_INDEX_END) {
        return util::Unexpected("No addresses available: the descriptor's range is exhausted");
    }
    // Cached scripts must cover the index handed out, even with a keypool of 0.
    if (m_record.range_end <= m_record.next_index) {
        auto grown = TopUp(std::max<uint32_t>(keypool_size, 1));
        if (!grown) return grown.error();
    }
    auto expansion = ExpandPublic(m_record.next_index);
    if (!expansion) return expansion.error();
    if (expansion->output_scripts.empty()) return util::Unexpected("Descriptor has no script");
    consensus::Script script = expansion->output_scripts.front();
    ++m_record.next_index;
    auto grown = TopUp(keypool_size);
    if (!grown) return grown.error();
    return script;
}

std::optional<int32_t> DescriptorSpkm::IndexOf(const consensus::Script& script) const
{
    const auto it = m_scripts.find(script);
    if (it == m_scripts.end()) return std::nullopt;
    return it->second;
}

bool DescriptorSpkm::MarkUsed(const consensus::Script& script, uint32_t keypool_size)
{
    const auto index = IndexOf(script);
    if (!index || !IsRange()) return false;
    bool changed{false};
    if (*index >= m_record.next_index) {
        m_record.next_index = *index + 1;
        changed = true;
    }
    // A failure to derive further leaves the cache as it was; the next TopUp retries.
    const auto grown = TopUp(keypool_size);
    if (grown && *grown) changed = true;
    return changed;
}

util::Expected<common::DescriptorExpansion> DescriptorSpkm::ExpandPublic(int32_t index) const
{
    if (index < 0) return util::Unexpected("Negative derivation index");
    return m_public->Expand(static_cast<uint32_t>(index));
}

bool DescriptorSpkm::FillSigningProvider(const consensus::Script& script,
                                         common::SigningProvider& provider) const
{
    const auto index = IndexOf(script);
    if (!index) return false;
    auto expansion = ExpandPublic(*index);
    if (!expansion) return false;
    for (const auto& [id, inner] : expansion->scripts)
        provider.AddScript(inner);
    if (!m_private) return true;
    auto secrets = m_private->Expand(static_cast<uint32_t>(*index));
    if (!secrets) return true;
    for (const auto& [id, secret] : secrets->secrets) {
        // The key's serialized form says whether its scripts use the compressed pubkey.
        const auto pub = secrets->pubkeys.find(id);
        const bool compressed = pub == secrets->pubkeys.end() || pub->second.size() != 65;
        const auto key =
            consensus::PrivKey::FromBytes(std::span<const uint8_t, 32>{secret}, compressed);
        // AddKey also records the BIP86 output key, which is how tr(KEY) key paths are found.
        if (key) provider.AddKey(*key);
    }
    return true;
}

std::optional<std::string>
DescriptorSpkm::InferScriptDescriptor(const consensus::Script& script,
                                      const common::ChainParams& params) const
{
    const auto index = IndexOf(script);
    if (!index) return std::nullopt;
    auto expansion = ExpandPublic(*index);
    if (!expansion) return std::nullopt;
    return common::InferDescriptorString(script, *expansion, params);
}

util::Expected<void> DescriptorSpkm::SetPrivate(std::string_view private_text,
                                                const common::ChainParams& params)
{
    auto parsed = common::ParseDescriptor(private_text, params);
    if (!parsed) return parsed.error();
    if (!(*parsed)->HasPrivateKeys()) {
        return util::Unexpected("The private descriptor holds no private keys");
    }
    const auto public_text = (*parsed)->ToString(common::DescriptorStringType::PUBLIC);
    if (!public_text || *public_text != m_record.descriptor) {
        return util::Unexpected("The private descriptor does not match the wallet descriptor " +
                                m_record.descriptor);
    }
    m_private = std::move(*parsed);
    return {};
}

void DescriptorSpkm::ClearPrivate()
{
    m_private.reset();
}

util::Expected<std::string> DescriptorSpkm::PrivateString() const
{
    if (!m_private) return util::Unexpected("The private keys of this descriptor are not loaded");
    auto text = m_private->ToString(common::DescriptorStringType::PRIVATE);
    if (!text) return util::Unexpected("The descriptor has no private form");
    return *text;
}

} // namespace wallet
