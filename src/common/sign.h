// Producing input signatures for the standard output types (P2PK, P2PKH, bare
// and wrapped multisig, P2SH, P2WPKH, P2WSH, P2SH-wrapped segwit, and taproot
// key-path spends of BIP86 keys), and collecting signatures already present in
// an input so partial signing and combining keep them. Pure functions; any
// thread may call them.
#pragma once

#include <consensus/amount.h>
#include <consensus/crypto/key.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/script.h>
#include <consensus/script/sighash.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>

#include <cstdint>
#include <map>
#include <vector>

namespace common {

using consensus::Amount;
using consensus::MutableTransaction;
using consensus::PrecomputedTxData;
using consensus::PrivKey;
using consensus::Script;
using consensus::ScriptWitness;
using consensus::SigVersion;
using consensus::Transaction;
using consensus::TxOut;
using consensus::Uint160;
using consensus::Uint256;
using consensus::XOnlyPubKey;

/// Core's STANDARD_SCRIPT_VERIFY_FLAGS: the consensus flags plus the policy ones (every flag
/// but SIGPUSHONLY). Signers check their result against them and the mempool verifies with
/// them (kernel::StandardScriptVerifyFlags).
inline constexpr uint32_t STANDARD_SCRIPT_VERIFY_FLAGS =
    consensus::SCRIPT_VERIFY_ALL_FLAGS & ~consensus::SCRIPT_VERIFY_SIGPUSHONLY;

/// The keys and scripts a signer may use, found by HASH160 of the pubkey or script.
struct SigningProvider
{
    std::map<Uint160, PrivKey> keys;
    std::map<Uint160, Script> scripts;
    /// Taproot output keys (BIP86, no script tree) mapped to the HASH160 of the internal key's
    /// compressed pubkey, so key-path spends find their key.
    std::map<Uint256, Uint160> taproot_keys;

    /// Adds a key; a compressed key also makes its P2WPKH script known (so P2SH-P2WPKH can be
    /// signed without a redeem script, as Core does) and its BIP86 output key.
    void AddKey(const PrivKey& key);
    /// Adds a script, found later by its HASH160.
    void AddScript(const Script& script);
};

/// Orders byte strings by length, then bytes (a plain loop; gcc 12 misreports memcmp bounds in
/// std::vector's own ordering).
struct ShorterBytesFirst
{
    bool operator()(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) const
    {
        if (a.size() != b.size()) return a.size() < b.size();
        for (size_t i = 0; i < a.size(); ++i) {
            if (a[i] != b[i]) return a[i] < b[i];
        }
        return false;
    }
};

/// What an input already carries: ECDSA signatures by serialized pubkey (with hash-type byte),
/// the taproot key-path signature, and redeem/witness scripts by HASH160.
struct KnownSignatures
{
    std::map<std::vector<uint8_t>, std::vector<uint8_t>, ShorterBytesFirst> ecdsa;
    std::vector<uint8_t> taproot_key_path;
    std::map<Uint160, Script> scripts;
};

/// The unlocking data for one input and whether it is complete.
struct SignedInput
{
    Script script_sig;
    ScriptWitness witness;
    bool complete{false};
};

/// Scans every push in `script_sig` and `witness` and keeps those that are valid signatures of
/// input `n_in` (spending `spent`) by a pubkey pushed there or named by the spent, redeem or
/// witness script; also keeps the redeem and witness scripts. `txdata` must have been
/// initialised for `tx` (with spent outputs, for taproot).
void CollectSignatures(const Transaction& tx, unsigned n_in, const TxOut& spent,
                       const Script& script_sig, const ScriptWitness& witness,
                       const PrecomputedTxData& txdata, KnownSignatures& known);

/// Builds the unlocking data of input `n_in` from `known` signatures and the provider's keys,
/// as Core's ProduceSignature does (partial multisig leaves empty pushes; P2SH and P2WSH scripts
/// are appended even when signatures are missing). `hash_type` SIGHASH_DEFAULT means ALL for
/// ECDSA. `complete` is true only when the result passes VerifyScript with the standard flags.
SignedInput SignInput(const Transaction& tx, unsigned n_in, const TxOut& spent, int hash_type,
                      const PrecomputedTxData& txdata, const SigningProvider& provider,
                      const KnownSignatures& known, bool allow_signing = true);

} // namespace common
