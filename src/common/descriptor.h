// Output script descriptors (BIP380-387): parsing with checksum checks, expansion
// into output scripts at a derivation index, and Bitcoin Core's text forms.
//
// Supported: pk, pkh, wpkh, sh, wsh, multi, sortedmulti, combo, addr, raw, tr
// (script trees whose leaves are pk, pkh, multi_a or sortedmulti_a) and rawtr;
// key expressions are hex public keys (x-only inside tr), WIF secrets, and
// xpub/xprv with paths, ranged /* or /*h, and [fingerprint/path] origins.
// Miniscript and multipath (<0;1>) expressions are not supported.
// A parsed Descriptor is immutable, so any thread may use it.
#pragma once

#include <common/bip32.h>
#include <common/chainparams.h>
#include <consensus/script/script.h>
#include <consensus/uint256.h>
#include <util/expected.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace common {

/// Where a key came from: the master key's fingerprint and the path from it.
struct KeyOriginInfo
{
    Fingerprint fingerprint{};
    KeyPath path{};
    friend bool operator==(const KeyOriginInfo&, const KeyOriginInfo&) = default;
};

/// A taproot script leaf and its depth in the tree.
struct TaprootLeaf
{
    int depth{0};
    uint8_t leaf_version{0xc0};
    consensus::Script script{};
};

/// What a signer needs to spend a taproot output: internal key, tree and result.
struct TaprootSpendData
{
    consensus::Uint256 internal_key{};
    std::optional<consensus::Uint256> merkle_root{};
    std::vector<TaprootLeaf> leaves{}; //!< depth-first, left to right
    consensus::Uint256 output_key{};
    bool output_parity{false};
};

/// Everything expanding a descriptor at one position yields. Keys are indexed by the
/// HASH160 of their serialized form (for x-only keys, of 0x02 || x).
struct DescriptorExpansion
{
    /// The output scripts, in the descriptor's order (combo gives several).
    std::vector<consensus::Script> output_scripts{};
    /// Public keys by key id.
    std::map<consensus::Uint160, std::vector<uint8_t>> pubkeys{};
    /// Origin of each public key (also for keys with no explicit origin: the xpub's own
    /// fingerprint and derivation path, or the key's own fingerprint and an empty path).
    std::map<consensus::Uint160, KeyOriginInfo> origins{};
    /// Secrets by key id; only filled when the descriptor holds private keys.
    std::map<consensus::Uint160, std::array<uint8_t, 32>> secrets{};
    /// Redeem and witness scripts by their HASH160 (P2SH) and HASH160 of the script (P2WSH).
    std::map<consensus::Uint160, consensus::Script> scripts{};
    /// Taproot spend data by output key.
    std::map<consensus::Uint256, TaprootSpendData> taproot{};

    DescriptorExpansion() = default;
    DescriptorExpansion(const DescriptorExpansion&) = default;
    DescriptorExpansion(DescriptorExpansion&&) = default;
    DescriptorExpansion& operator=(const DescriptorExpansion&) = default;
    DescriptorExpansion& operator=(DescriptorExpansion&&) = default;
    /// Wipes the secrets.
    ~DescriptorExpansion();
};

/// Which text form ToString produces.
enum class DescriptorStringType
{
    PUBLIC,  //!< public keys only (getdescriptorinfo's "descriptor")
    PRIVATE, //!< every key as its secret (WIF, xprv)
};

/// Which address type an output of the descriptor has (nullopt when it varies or has none).
enum class DescriptorOutputType
{
    LEGACY,
    P2SH_SEGWIT,
    BECH32,
    BECH32M,
};

class PubkeyProvider;
class DescriptorNode;

/// A parsed descriptor.
class Descriptor
{
public:
    explicit Descriptor(std::unique_ptr<DescriptorNode> root);
    ~Descriptor();
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;

    /// True if some key derives by index (/*): expand it at each position of a range.
    bool IsRange() const;
    /// True if the scripts can be signed for given the keys (false for addr() and raw()).
    bool IsSolvable() const;
    /// True if at least one key expression holds a secret.
    bool HasPrivateKeys() const;
    /// True if there is exactly one output script per position (false for combo).
    bool IsSingleType() const;
    /// The address type of the outputs, if fixed.
    std::optional<DescriptorOutputType> GetOutputType() const;

    /// Core's ToString with the "#checksum" suffix; hardened markers keep the input's
    /// style as Core does. PRIVATE fails (nullopt) if some key has no secret.
    std::optional<std::string>
    ToString(DescriptorStringType type = DescriptorStringType::PUBLIC) const;

    /// Expands at position `pos` (ignored unless IsRange()). Fails when a hardened step has
    /// no private key ("Cannot derive script without private keys") or derivation fails.
    util::Expected<DescriptorExpansion> Expand(uint32_t pos) const;

private:
    std::unique_ptr<DescriptorNode> m_root;
};

/// BIP380 checksum of a descriptor without '#' (8 characters); "" if it has a character
/// outside the descriptor character set.
std::string DescriptorChecksum(std::string_view descriptor);

/// Appends "#" and the checksum.
std::string AddDescriptorChecksum(std::string_view descriptor);

/// Parses a descriptor for a network. A "#checksum" suffix is verified when present and
/// required when `require_checksum`. Errors carry Bitcoin Core's messages.
util::Expected<std::unique_ptr<Descriptor>>
ParseDescriptor(std::string_view text, const ChainParams& params, bool require_checksum = false);

/// Core's InferDescriptor: the most specific descriptor for an output script given what an
/// expansion knows (keys, origins, redeem/witness scripts, taproot trees). Falls back to
/// addr() for scripts with an address and raw() otherwise. Includes the checksum.
std::string InferDescriptorString(const consensus::Script& script, const DescriptorExpansion& known,
                                  const ChainParams& params);

} // namespace common
