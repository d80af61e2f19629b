// Partially Signed Bitcoin Transactions, version 0 (BIP174, with the BIP371
// taproot fields): the data model, a strict decoder that applies the BIP's
// validity rules (and Bitcoin Core's where the BIP leaves room), a canonical
// encoder that writes records in the order Core writes them, and the Combiner,
// Input Finalizer and Transaction Extractor roles. Pure functions on values;
// any thread may call them.
#pragma once

#include <common/bip32.h>
#include <common/sign.h>
#include <consensus/script/script.h>
#include <consensus/transaction.h>
#include <util/expected.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace common {

/// Raw bytes of a key, value, signature or script.
using PsbtBytes = std::vector<uint8_t>;
/// A 32-byte hash or x-only public key, ordered bytewise (as Core's uint256).
using PsbtHash32 = std::array<uint8_t, 32>;

/// Bytewise lexicographic order of byte strings (a plain loop: gcc 12 misreports memcmp
/// bounds in std::vector's own operator<).
struct BytesLess
{
    bool operator()(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) const
    {
        const size_t n = a.size() < b.size() ? a.size() : b.size();
        for (size_t i = 0; i < n; ++i) {
            if (a[i] != b[i]) return a[i] < b[i];
        }
        return a.size() < b.size();
    }
    bool operator()(const std::pair<std::vector<uint8_t>, uint8_t>& a,
                    const std::pair<std::vector<uint8_t>, uint8_t>& b) const
    {
        if ((*this)(a.first, b.first)) return true;
        if ((*this)(b.first, a.first)) return false;
        return a.second < b.second;
    }
};
/// Records keyed by bytes, in key order.
using PsbtByteMap = std::map<std::vector<uint8_t>, std::vector<uint8_t>, BytesLess>;

/// Magic prefix of every PSBT: "psbt" and 0xff.
inline constexpr std::array<uint8_t, 5> PSBT_MAGIC{0x70, 0x73, 0x62, 0x74, 0xff};
/// Size of a serialized extended public key with its 4 version bytes (PSBT_GLOBAL_XPUB key).
inline constexpr size_t PSBT_XPUB_SIZE = 78;

/// Global key types.
inline constexpr uint8_t PSBT_GLOBAL_UNSIGNED_TX = 0x00;
inline constexpr uint8_t PSBT_GLOBAL_XPUB = 0x01;
inline constexpr uint8_t PSBT_GLOBAL_VERSION = 0xfb;
inline constexpr uint8_t PSBT_GLOBAL_PROPRIETARY = 0xfc;
/// Input key types.
inline constexpr uint8_t PSBT_IN_NON_WITNESS_UTXO = 0x00;
inline constexpr uint8_t PSBT_IN_WITNESS_UTXO = 0x01;
inline constexpr uint8_t PSBT_IN_PARTIAL_SIG = 0x02;
inline constexpr uint8_t PSBT_IN_SIGHASH = 0x03;
inline constexpr uint8_t PSBT_IN_REDEEM_SCRIPT = 0x04;
inline constexpr uint8_t PSBT_IN_WITNESS_SCRIPT = 0x05;
inline constexpr uint8_t PSBT_IN_BIP32_DERIVATION = 0x06;
inline constexpr uint8_t PSBT_IN_FINAL_SCRIPTSIG = 0x07;
inline constexpr uint8_t PSBT_IN_FINAL_SCRIPTWITNESS = 0x08;
inline constexpr uint8_t PSBT_IN_RIPEMD160 = 0x0a;
inline constexpr uint8_t PSBT_IN_SHA256 = 0x0b;
inline constexpr uint8_t PSBT_IN_HASH160 = 0x0c;
inline constexpr uint8_t PSBT_IN_HASH256 = 0x0d;
inline constexpr uint8_t PSBT_IN_TAP_KEY_SIG = 0x13;
inline constexpr uint8_t PSBT_IN_TAP_SCRIPT_SIG = 0x14;
inline constexpr uint8_t PSBT_IN_TAP_LEAF_SCRIPT = 0x15;
inline constexpr uint8_t PSBT_IN_TAP_BIP32_DERIVATION = 0x16;
inline constexpr uint8_t PSBT_IN_TAP_INTERNAL_KEY = 0x17;
inline constexpr uint8_t PSBT_IN_TAP_MERKLE_ROOT = 0x18;
inline constexpr uint8_t PSBT_IN_PROPRIETARY = 0xfc;
/// Output key types.
inline constexpr uint8_t PSBT_OUT_REDEEM_SCRIPT = 0x00;
inline constexpr uint8_t PSBT_OUT_WITNESS_SCRIPT = 0x01;
inline constexpr uint8_t PSBT_OUT_BIP32_DERIVATION = 0x02;
inline constexpr uint8_t PSBT_OUT_TAP_INTERNAL_KEY = 0x05;
inline constexpr uint8_t PSBT_OUT_TAP_TREE = 0x06;
inline constexpr uint8_t PSBT_OUT_TAP_BIP32_DERIVATION = 0x07;
inline constexpr uint8_t PSBT_OUT_PROPRIETARY = 0xfc;

/// Master key fingerprint and derivation path of a key; ordered as Core's KeyOriginInfo
/// (fingerprint bytes, then shorter path first, then path elements).
struct KeyOrigin
{
    Fingerprint fingerprint{};
    KeyPath path;

    friend bool operator==(const KeyOrigin&, const KeyOrigin&) = default;
    friend bool operator<(const KeyOrigin& a, const KeyOrigin& b)
    {
        if (a.fingerprint != b.fingerprint) return a.fingerprint < b.fingerprint;
        if (a.path.size() != b.path.size()) return a.path.size() < b.path.size();
        return a.path < b.path;
    }
};

/// One PSBT_GLOBAL_XPUB record: the 78-byte extended key (with version) and its origin.
struct PsbtXpub
{
    std::array<uint8_t, PSBT_XPUB_SIZE> xpub{};
    KeyOrigin origin;
    friend bool operator==(const PsbtXpub&, const PsbtXpub&) = default;
};

/// A taproot BIP32 derivation: the leaves the key signs for, and its origin.
struct TapKeyOrigin
{
    std::set<PsbtHash32> leaf_hashes;
    KeyOrigin origin;
    friend bool operator==(const TapKeyOrigin&, const TapKeyOrigin&) = default;
};

/// One leaf of PSBT_OUT_TAP_TREE, in depth-first order.
struct TapTreeLeaf
{
    uint8_t depth{0};
    uint8_t leaf_version{0};
    PsbtBytes script;
    friend bool operator==(const TapTreeLeaf&, const TapTreeLeaf&) = default;
};

/// Per-input map. Empty scripts and an empty tap_key_sig mean "absent", as in Core.
struct PsbtInput
{
    consensus::TransactionRef non_witness_utxo;
    std::optional<consensus::TxOut> witness_utxo;
    /// Serialized pubkey -> signature with hash-type byte (written ordered by HASH160(pubkey)).
    PsbtByteMap partial_sigs;
    std::optional<int32_t> sighash_type;
    consensus::Script redeem_script;
    consensus::Script witness_script;
    /// Serialized pubkey -> origin.
    std::map<PsbtBytes, KeyOrigin, BytesLess> bip32_derivs;
    consensus::Script final_script_sig;
    consensus::ScriptWitness final_script_witness;
    /// Hash (20 or 32 bytes) -> preimage.
    PsbtByteMap ripemd160_preimages;
    PsbtByteMap sha256_preimages;
    PsbtByteMap hash160_preimages;
    PsbtByteMap hash256_preimages;
    /// 64 or 65 bytes when present.
    PsbtBytes tap_key_sig;
    /// (x-only pubkey, leaf hash) -> 64 or 65 byte signature.
    std::map<std::pair<PsbtHash32, PsbtHash32>, PsbtBytes> tap_script_sigs;
    /// (leaf script, leaf version) -> control blocks (shortest first).
    std::map<std::pair<PsbtBytes, uint8_t>, std::set<PsbtBytes, ShorterBytesFirst>, BytesLess>
        tap_scripts;
    /// x-only pubkey -> leaves and origin.
    std::map<PsbtHash32, TapKeyOrigin> tap_bip32_derivs;
    std::optional<PsbtHash32> tap_internal_key;
    std::optional<PsbtHash32> tap_merkle_root;
    /// Whole key (type 0xfc, identifier, subtype, key data) -> value.
    PsbtByteMap proprietary;
    /// Whole key of every unrecognised type -> value, kept verbatim.
    PsbtByteMap unknown;
};

/// Per-output map.
struct PsbtOutput
{
    consensus::Script redeem_script;
    consensus::Script witness_script;
    std::map<PsbtBytes, KeyOrigin, BytesLess> bip32_derivs;
    std::optional<PsbtHash32> tap_internal_key;
    /// Empty means absent; when present, a complete tree (checked on decode).
    std::vector<TapTreeLeaf> tap_tree;
    std::map<PsbtHash32, TapKeyOrigin> tap_bip32_derivs;
    PsbtByteMap proprietary;
    PsbtByteMap unknown;
};

/// A version 0 PSBT: the unsigned transaction plus one map per input and per output.
struct Psbt
{
    /// No scriptSigs and no witnesses.
    consensus::MutableTransaction tx;
    /// Written ordered by origin, then key bytes (Core's order).
    std::vector<PsbtXpub> xpubs;
    PsbtByteMap proprietary;
    PsbtByteMap unknown;
    std::vector<PsbtInput> inputs;
    std::vector<PsbtOutput> outputs;
};

/// Decodes a binary PSBT, applying every BIP174 validity rule (magic, duplicate keys, key
/// lengths, scriptSig-free unsigned tx in legacy serialization, map counts, non-witness UTXO
/// txid and index, value sizes, trailing bytes). Errors read like Core's ("PSBT decode
/// failed ...", "extra data after PSBT").
util::Expected<Psbt> DecodePsbt(std::span<const uint8_t> data);
/// Decodes a base64 PSBT; "invalid base64" if the text is not base64.
util::Expected<Psbt> DecodePsbtBase64(std::string_view text);
/// Canonical encoding: known fields in Core's order, unknown records kept, sorted by key.
std::vector<uint8_t> EncodePsbt(const Psbt& psbt);
/// Base64 of EncodePsbt.
std::string EncodePsbtBase64(const Psbt& psbt);

/// Creator: a PSBT with empty maps for `tx`; fails if any input has a scriptSig or witness.
util::Expected<Psbt> CreatePsbt(const consensus::MutableTransaction& tx);

/// Combiner: merges PSBTs of the same unsigned transaction (first one wins where a field is
/// single-valued); fails with Core's "PSBTs not compatible (different transactions)".
util::Expected<Psbt> CombinePsbts(std::span<const Psbt> psbts);

/// The BIP174 roles, in workflow order.
enum class PsbtRole
{
    CREATOR,
    UPDATER,
    SIGNER,
    FINALIZER,
    EXTRACTOR,
};
/// Core's lower-case role names ("creator", ..., "extractor").
std::string PsbtRoleName(PsbtRole role);

/// The role that should act next, as the least advanced input needs (Core's analyzepsbt
/// "next", simplified): updater while an unfinalized input lacks its UTXO, signer while one
/// lacks signatures, finalizer once signatures suffice, extractor when all are finalized.
PsbtRole NextRole(const Psbt& psbt);

/// True if the input carries a final scriptSig or final witness.
bool PsbtInputFinalized(const PsbtInput& input);
/// Number of inputs not yet finalized.
size_t CountUnfinalizedInputs(const Psbt& psbt);
/// True when every input is finalized (the extractor can run).
bool IsComplete(const Psbt& psbt);
/// The output input `index` spends, from its non-witness UTXO (checked against the outpoint)
/// or else its witness UTXO; nullopt when neither is usable.
std::optional<consensus::TxOut> GetInputUtxo(const Psbt& psbt, size_t index);

/// Input Finalizer: for each unfinalized input whose partial signatures (or taproot key-path
/// signature) satisfy its script (P2PK, P2PKH, P2WPKH, P2SH-P2WPKH, multisig bare, in P2SH,
/// P2WSH or P2SH-P2WSH, taproot key path), writes the final scriptSig/witness, checks it
/// against the standard script flags, and clears the other fields as BIP174 says (UTXOs,
/// proprietary and unknown records stay). Returns true if every input is now finalized.
bool FinalizePsbt(Psbt& psbt);

/// Transaction Extractor: the signed transaction; fails unless every input is finalized.
util::Expected<consensus::MutableTransaction> ExtractTransaction(const Psbt& psbt);

} // namespace common
