// One descriptor of a wallet and the output scripts it derives (Core's
// DescriptorScriptPubKeyMan): a cache of scripts for a range of indexes so
// IsMine is a map lookup, handing out the next index, topping the range up, and
// the keys and scripts to sign or describe an output. The private form of the
// descriptor is present only while the wallet is unencrypted or unlocked.
//
// Not thread-safe: the owning Wallet serialises every call under its mutex.
#pragma once

#include <common/chainparams.h>
#include <common/descriptor.h>
#include <common/sign.h>
#include <consensus/script/script.h>
#include <consensus/uint256.h>
#include <util/expected.h>
#include <wallet/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wallet {

/// Core's default -keypool: indexes kept derived ahead of the next one handed out.
inline constexpr uint32_t DEFAULT_KEYPOOL_SIZE{1000};

/// The id of a descriptor: SHA-256 of its public text without "#checksum".
consensus::Uint256 DescriptorId(std::string_view public_text);

/// A descriptor with its cached scripts.
class DescriptorSpkm
{
public:
    /// Parses `record.descriptor` (public text) for `params` and derives the scripts of
    /// [range_start, range_end). An error with the descriptor parser's message on bad text.
    static util::Expected<std::unique_ptr<DescriptorSpkm>>
    Create(DescriptorRecord record, const common::ChainParams& params);

    /// The id (DescriptorId of the public text).
    const consensus::Uint256& Id() const { return m_id; }
    /// The record as it should be persisted (range and next_index move as keys are used).
    const DescriptorRecord& Record() const { return m_record; }
    /// The parsed public descriptor.
    const common::Descriptor& Public() const { return *m_public; }
    /// True if the descriptor derives by index.
    bool IsRange() const;
    /// True if there is one output type (false for combo).
    bool IsSingleType() const;

    /// Derives scripts until range_end >= next_index + keypool_size (ranged descriptors; an
    /// unranged one caches its index 0 only). Returns true if the range grew.
    util::Expected<bool> TopUp(uint32_t keypool_size);
    /// The script at next_index (the first script for combo), then advances next_index and
    /// tops up. An unranged descriptor keeps returning its one script.
    util::Expected<consensus::Script> GetNewScript(uint32_t keypool_size);

    /// The index that derives `script`, nullopt if not one of ours.
    std::optional<int32_t> IndexOf(const consensus::Script& script) const;
    /// Every cached script with its index.
    const std::map<consensus::Script, int32_t>& Scripts() const { return m_scripts; }
    /// Records that `script` received funds: next_index moves past its index (and the range is
    /// topped up). Returns true if the record changed.
    bool MarkUsed(const consensus::Script& script, uint32_t keypool_size);

    /// Public expansion at `index` (pubkeys, origins, scripts, taproot data).
    util::Expected<common::DescriptorExpansion> ExpandPublic(int32_t index) const;
    /// Adds the keys and scripts for signing `script` to `provider`: private keys only when
    /// the private form is loaded. False if `script` is not ours.
    bool FillSigningProvider(const consensus::Script& script,
                             common::SigningProvider& provider) const;
    /// Core's inferred descriptor of one of our scripts (getaddressinfo "desc"), with origins.
    std::optional<std::string> InferScriptDescriptor(const consensus::Script& script,
                                                     const common::ChainParams& params) const;

    /// Loads the private form from its text (checked to have this descriptor's public text).
    util::Expected<void> SetPrivate(std::string_view private_text,
                                    const common::ChainParams& params);
    /// Forgets the private form (wallet locked).
    void ClearPrivate();
    /// True while the private form is loaded.
    bool HasPrivate() const { return m_private != nullptr; }
    /// The private text with checksum (listdescriptors private=true); error when not loaded.
    util::Expected<std::string> PrivateString() const;

private:
    DescriptorSpkm(consensus::Uint256 id, DescriptorRecord record,
                   std::unique_ptr<common::Descriptor> parsed);
    util::Expected<void> DeriveRange(int32_t begin, int32_t end);

    consensus::Uint256 m_id;
    DescriptorRecord m_record;
    std::unique_ptr<common::Descriptor> m_public;
    std::unique_ptr<common::Descriptor> m_private;
    std::map<consensus::Script, int32_t> m_scripts;
};

} // namespace wallet
