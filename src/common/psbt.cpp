// The BIP174 codec: strict decoding with the validity rules, canonical encoding, and base64.
#include <common/psbt.h>

#include <util/base64.h>

#include <consensus/crypto/pubkey.h>
#include <consensus/hash.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/sighash.h>
#include <consensus/serialize.h>
#include <util/strings.h>

#include <algorithm>
#include <string>

namespace common {

namespace {

using consensus::DecodeError;
using consensus::Reader;
using consensus::Writer;

// Core's taproot limits: 128 levels below the root, and the leaf-version mask (even versions).
constexpr size_t TAPROOT_MAX_DEPTH = 128;
constexpr uint8_t TAPROOT_LEAF_MASK = 0xfe;

[[noreturn]] void Fail(const std::string& message)
{
    throw DecodeError(message);
}

void ExpectKeySize(const PsbtBytes& key, size_t size, const char* name)
{
    if (key.size() != size) {
        Fail("Size of key was not " + std::to_string(size) + " for the type " + name);
    }
}

// Parses a value whose bytes must be consumed exactly (Core's UnserializeFromVector).
template <class F>
void ParseValue(std::span<const uint8_t> value, F&& parse)
{
    Reader r{value};
    parse(r);
    if (!r.Empty()) Fail("Size of value was not the stated size");
}

PsbtHash32 ToHash32(std::span<const uint8_t> bytes)
{
    PsbtHash32 out{};
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
}

// Legacy (no witness) serialization only: a transaction with a BIP144 marker fails to
// parse or leaves bytes over, which is what BIP174 requires of the unsigned transaction.
consensus::MutableTransaction ReadTxNoWitness(Reader& r)
{
    consensus::MutableTransaction tx;
    r(tx.version);
    r.Get(tx.vin);
    r.Get(tx.vout);
    r(tx.locktime);
    return tx;
}

KeyOrigin ParseKeyOrigin(std::span<const uint8_t> value)
{
    if (value.empty() || value.size() % 4 != 0) Fail("Invalid length for HD key path");
    KeyOrigin origin;
    std::copy(value.begin(), value.begin() + 4, origin.fingerprint.begin());
    Reader r{value.subspan(4)};
    while (!r.Empty())
        origin.path.push_back(consensus::ReadLE<uint32_t>(r));
    return origin;
}

void WriteKeyOrigin(Writer& w, const KeyOrigin& origin)
{
    w.WriteBytes(origin.fingerprint);
    for (uint32_t step : origin.path)
        consensus::WriteLE<uint32_t>(w, step);
}

// BIP32 derivation keys hold a full (33 or 65 byte) public key that must parse.
PsbtBytes ParseDerivationPubkey(const PsbtBytes& key, const char* what)
{
    if (key.size() != consensus::COMPRESSED_PUBKEY_SIZE + 1 &&
        key.size() != consensus::UNCOMPRESSED_PUBKEY_SIZE + 1) {
        Fail(std::string{"Size of key was not the expected size for the type "} + what);
    }
    PsbtBytes pubkey(key.begin() + 1, key.end());
    if (!consensus::IsFullyValidPubKey(pubkey)) Fail("Invalid pubkey");
    return pubkey;
}

// Core's CheckSignatureEncoding with DERSIG|STRICTENC: strict DER and a defined hash type.
bool IsValidPartialSignature(std::span<const uint8_t> sig)
{
    if (sig.empty() || !consensus::IsValidSignatureEncoding(sig)) return false;
    const uint8_t base = sig.back() & ~consensus::SIGHASH_ANYONECANPAY;
    return base >= consensus::SIGHASH_ALL && base <= consensus::SIGHASH_SINGLE;
}

TapKeyOrigin ParseTapKeyOrigin(std::span<const uint8_t> value)
{
    Reader r{value};
    TapKeyOrigin out;
    const size_t count = consensus::ReadCount(r, 32);
    for (size_t i = 0; i < count; ++i)
        out.leaf_hashes.insert(ToHash32(r.ReadBytes(32)));
    out.origin = ParseKeyOrigin(r.ReadBytes(r.Remaining()));
    return out;
}

void WriteTapKeyOrigin(Writer& w, const TapKeyOrigin& tko)
{
    PsbtBytes value;
    Writer vw{value};
    consensus::WriteCompactSize(vw, tko.leaf_hashes.size());
    for (const auto& h : tko.leaf_hashes)
        vw.WriteBytes(h);
    WriteKeyOrigin(vw, tko.origin);
    w.Put(value);
}

// Whether depth-first leaves form a complete binary tree (Core's TaprootBuilder rules):
// pending[d] marks a finished subtree at depth d still waiting for its sibling.
bool IsCompleteTapTree(const std::vector<TapTreeLeaf>& leaves)
{
    std::vector<bool> pending;
    for (const auto& leaf : leaves) {
        size_t depth = leaf.depth;
        if (depth + 1 < pending.size()) return false;
        while (pending.size() > depth && pending[depth]) {
            if (depth == 0) return false;
            pending.pop_back();
            --depth;
        }
        if (pending.size() <= depth) pending.resize(depth + 1);
        pending[depth] = true;
    }
    return pending.size() == 1 && pending[0];
}

// Proprietary keys must carry an identifier and a subtype (Core rejects them otherwise).
void CheckProprietaryKey(const PsbtBytes& key)
{
    Reader r{std::span<const uint8_t>{key}.subspan(1)};
    PsbtBytes identifier;
    r.Get(identifier);
    consensus::ReadCompactSize(r);
}

// Reads one map's key; returns false on the separator. Rejects duplicates.
bool ReadKey(Reader& r, std::set<PsbtBytes, BytesLess>& seen, PsbtBytes& key, uint64_t& type,
             const char* map)
{
    if (r.Empty()) {
        Fail(std::string{"Separator is missing at the end of "} +
             (std::string_view{map} == "global" ? "the global map"
                                                : std::string{"an "} + map + " map"));
    }
    key.clear();
    r.Get(key);
    if (key.empty()) return false;
    if (!seen.insert(key).second) {
        Fail(std::string{"Duplicate Key, "} + map + " key \"" + util::HexStr(key) +
             "\" already provided");
    }
    Reader kr{key};
    type = consensus::ReadCompactSize(kr);
    return true;
}

PsbtInput ReadInput(Reader& r)
{
    PsbtInput in;
    std::set<PsbtBytes, BytesLess> seen;
    PsbtBytes key;
    uint64_t type = 0;
    while (ReadKey(r, seen, key, type, "input")) {
        PsbtBytes value;
        r.Get(value);
        switch (type) {
        case PSBT_IN_NON_WITNESS_UTXO: {
            ExpectKeySize(key, 1, "Input Non-witness UTXO");
            consensus::MutableTransaction tx;
            ParseValue(value, [&](Reader& vr) { tx.Unserialize(vr); });
            in.non_witness_utxo = consensus::MakeTransactionRef(std::move(tx));
            break;
        }
        case PSBT_IN_WITNESS_UTXO: {
            ExpectKeySize(key, 1, "Input Witness UTXO");
            consensus::TxOut out;
            ParseValue(value, [&](Reader& vr) { vr.Get(out); });
            in.witness_utxo = std::move(out);
            break;
        }
        case PSBT_IN_PARTIAL_SIG: {
            if (key.size() != consensus::COMPRESSED_PUBKEY_SIZE + 1 &&
                key.size() != consensus::UNCOMPRESSED_PUBKEY_SIZE + 1) {
                Fail("Size of key was not the expected size for the type partial signature pubkey");
            }
            PsbtBytes pubkey(key.begin() + 1, key.end());
            if (!consensus::IsFullyValidPubKey(pubkey)) Fail("Invalid pubkey");
            if (!IsValidPartialSignature(value)) Fail("Signature is not a valid encoding");
            in.partial_sigs.emplace(std::move(pubkey), std::move(value));
            break;
        }
        case PSBT_IN_SIGHASH:
            ExpectKeySize(key, 1, "Input Sighash Type");
            ParseValue(value,
                       [&](Reader& vr) { in.sighash_type = consensus::ReadLE<int32_t>(vr); });
            break;
        case PSBT_IN_REDEEM_SCRIPT:
            ExpectKeySize(key, 1, "Input redeemScript");
            in.redeem_script = consensus::Script{std::move(value)};
            break;
        case PSBT_IN_WITNESS_SCRIPT:
            ExpectKeySize(key, 1, "Input witnessScript");
            in.witness_script = consensus::Script{std::move(value)};
            break;
        case PSBT_IN_BIP32_DERIVATION:
            in.bip32_derivs.emplace(ParseDerivationPubkey(key, "BIP32 keypath"),
                                    ParseKeyOrigin(value));
            break;
        case PSBT_IN_FINAL_SCRIPTSIG:
            ExpectKeySize(key, 1, "Input Final scriptSig");
            in.final_script_sig = consensus::Script{std::move(value)};
            break;
        case PSBT_IN_FINAL_SCRIPTWITNESS:
            ExpectKeySize(key, 1, "Input Final scriptWitness");
            ParseValue(value, [&](Reader& vr) { vr.Get(in.final_script_witness.stack); });
            break;
        case PSBT_IN_RIPEMD160:
            ExpectKeySize(key, 21, "Input RIPEMD160 Preimage");
            in.ripemd160_preimages.emplace(PsbtBytes(key.begin() + 1, key.end()), std::move(value));
            break;
        case PSBT_IN_SHA256:
            ExpectKeySize(key, 33, "Input SHA256 Preimage");
            in.sha256_preimages.emplace(PsbtBytes(key.begin() + 1, key.end()), std::move(value));
            break;
        case PSBT_IN_HASH160:
            ExpectKeySize(key, 21, "Input Hash160 Preimage");
            in.hash160_preimages.emplace(PsbtBytes(key.begin() + 1, key.end()), std::move(value));
            break;
        case PSBT_IN_HASH256:
            ExpectKeySize(key, 33, "Input Hash256 Preimage");
            in.hash256_preimages.emplace(PsbtBytes(key.begin() + 1, key.end()), std::move(value));
            break;
        case 0x0e:
        case 0x0f:
        case 0x10:
        case 0x11:
        case 0x12:
            Fail("Input key type " + std::to_string(type) + " is not allowed in PSBTv0");
        case PSBT_IN_TAP_KEY_SIG:
            ExpectKeySize(key, 1, "Input Taproot Key Path Signature");
            if (value.size() < 64)
                Fail("Input Taproot key path signature is shorter than 64 bytes");
            if (value.size() > 65) Fail("Input Taproot key path signature is longer than 65 bytes");
            in.tap_key_sig = std::move(value);
            break;
        case PSBT_IN_TAP_SCRIPT_SIG: {
            ExpectKeySize(key, 65, "Input Taproot Script Path Signature");
            if (value.size() < 64)
                Fail("Input Taproot script path signature is shorter than 64 bytes");
            if (value.size() > 65)
                Fail("Input Taproot script path signature is longer than 65 bytes");
            const std::span<const uint8_t> k{key};
            in.tap_script_sigs.emplace(
                std::make_pair(ToHash32(k.subspan(1, 32)), ToHash32(k.subspan(33, 32))),
                std::move(value));
            break;
        }
        case PSBT_IN_TAP_LEAF_SCRIPT: {
            if (key.size() < 34) Fail("Input Taproot leaf script key is not at least 34 bytes");
            if ((key.size() - 2) % 32 != 0) {
                Fail("Input Taproot leaf script key's control block size is not valid");
            }
            if (value.empty()) Fail("Input Taproot leaf script must be at least 1 byte");
            const uint8_t leaf_version = value.back();
            value.pop_back();
            in.tap_scripts[{std::move(value), leaf_version}].insert(
                PsbtBytes(key.begin() + 1, key.end()));
            break;
        }
        case PSBT_IN_TAP_BIP32_DERIVATION: {
            ExpectKeySize(key, 33, "Input Taproot BIP32 Keypath");
            in.tap_bip32_derivs.emplace(ToHash32(std::span<const uint8_t>{key}.subspan(1)),
                                        ParseTapKeyOrigin(value));
            break;
        }
        case PSBT_IN_TAP_INTERNAL_KEY:
            ExpectKeySize(key, 1, "Input Taproot Internal Key");
            if (value.size() != 32) Fail("Size of value was not the stated size");
            in.tap_internal_key = ToHash32(value);
            break;
        case PSBT_IN_TAP_MERKLE_ROOT:
            ExpectKeySize(key, 1, "Input Taproot Merkle Root");
            if (value.size() != 32) Fail("Size of value was not the stated size");
            in.tap_merkle_root = ToHash32(value);
            break;
        case PSBT_IN_PROPRIETARY:
            CheckProprietaryKey(key);
            in.proprietary.emplace(std::move(key), std::move(value));
            break;
        default:
            in.unknown.emplace(std::move(key), std::move(value));
            break;
        }
    }
    return in;
}

PsbtOutput ReadOutput(Reader& r)
{
    PsbtOutput out;
    std::set<PsbtBytes, BytesLess> seen;
    PsbtBytes key;
    uint64_t type = 0;
    while (ReadKey(r, seen, key, type, "output")) {
        PsbtBytes value;
        r.Get(value);
        switch (type) {
        case PSBT_OUT_REDEEM_SCRIPT:
            ExpectKeySize(key, 1, "Output redeemScript");
            out.redeem_script = consensus::Script{std::move(value)};
            break;
        case PSBT_OUT_WITNESS_SCRIPT:
            ExpectKeySize(key, 1, "Output witnessScript");
            out.witness_script = consensus::Script{std::move(value)};
            break;
        case PSBT_OUT_BIP32_DERIVATION:
            out.bip32_derivs.emplace(ParseDerivationPubkey(key, "BIP32 keypath"),
                                     ParseKeyOrigin(value));
            break;
        case 0x03:
        case 0x04:
            Fail("Output key type " + std::to_string(type) + " is not allowed in PSBTv0");
        case PSBT_OUT_TAP_INTERNAL_KEY:
            ExpectKeySize(key, 1, "Output Taproot Internal Key");
            if (value.size() != 32) Fail("Size of value was not the stated size");
            out.tap_internal_key = ToHash32(value);
            break;
        case PSBT_OUT_TAP_TREE: {
            ExpectKeySize(key, 1, "Output Taproot Tree Key");
            if (value.empty()) Fail("Output Taproot tree must not be empty");
            Reader tr{value};
            while (!tr.Empty()) {
                TapTreeLeaf leaf;
                tr(leaf.depth, leaf.leaf_version);
                tr.Get(leaf.script);
                if (leaf.depth > TAPROOT_MAX_DEPTH) {
                    Fail("Output Taproot tree has as leaf greater than Taproot maximum depth");
                }
                if ((leaf.leaf_version & ~TAPROOT_LEAF_MASK) != 0) {
                    Fail("Output Taproot tree has a leaf with an invalid leaf version");
                }
                out.tap_tree.push_back(std::move(leaf));
            }
            if (!IsCompleteTapTree(out.tap_tree)) Fail("Output Taproot tree is malformed");
            break;
        }
        case PSBT_OUT_TAP_BIP32_DERIVATION:
            ExpectKeySize(key, 33, "Output Taproot BIP32 Keypath");
            out.tap_bip32_derivs.emplace(ToHash32(std::span<const uint8_t>{key}.subspan(1)),
                                         ParseTapKeyOrigin(value));
            break;
        case PSBT_OUT_PROPRIETARY:
            CheckProprietaryKey(key);
            out.proprietary.emplace(std::move(key), std::move(value));
            break;
        default:
            out.unknown.emplace(std::move(key), std::move(value));
            break;
        }
    }
    return out;
}

Psbt ReadPsbt(Reader& r)
{
    const auto magic = r.ReadBytes(PSBT_MAGIC.size());
    if (!std::equal(magic.begin(), magic.end(), PSBT_MAGIC.begin()))
        Fail("Invalid PSBT magic bytes");

    Psbt psbt;
    bool have_tx = false;
    std::set<PsbtBytes, BytesLess> seen;
    PsbtBytes key;
    uint64_t type = 0;
    while (ReadKey(r, seen, key, type, "global")) {
        PsbtBytes value;
        r.Get(value);
        switch (type) {
        case PSBT_GLOBAL_UNSIGNED_TX:
            ExpectKeySize(key, 1, "Global Unsigned TX");
            ParseValue(value, [&](Reader& vr) { psbt.tx = ReadTxNoWitness(vr); });
            for (const auto& txin : psbt.tx.vin) {
                if (!txin.script_sig.empty() || !txin.witness.IsNull()) {
                    Fail("Unsigned tx does not have empty scriptSigs and scriptWitnesses.");
                }
            }
            have_tx = true;
            break;
        case PSBT_GLOBAL_XPUB: {
            ExpectKeySize(key, PSBT_XPUB_SIZE + 1, "Global XPUB");
            PsbtXpub x;
            std::copy(key.begin() + 1, key.end(), x.xpub.begin());
            // Compressed key after version(4) depth(1) parent(4) child(4) chain code(32).
            const std::span<const uint8_t> pubkey = std::span<const uint8_t>{x.xpub}.subspan(45);
            if ((pubkey[0] != 0x02 && pubkey[0] != 0x03) ||
                !consensus::IsFullyValidPubKey(pubkey)) {
                Fail("Invalid pubkey");
            }
            x.origin = ParseKeyOrigin(value);
            psbt.xpubs.push_back(std::move(x));
            break;
        }
        case 0x02:
        case 0x03:
        case 0x04:
        case 0x05:
        case 0x06:
            Fail("Global key type " + std::to_string(type) + " is not allowed in PSBTv0");
        case PSBT_GLOBAL_VERSION: {
            ExpectKeySize(key, 1, "Global PSBT Version");
            uint32_t version = 0;
            ParseValue(value, [&](Reader& vr) { version = consensus::ReadLE<uint32_t>(vr); });
            if (version != 0) Fail("Unsupported version number " + std::to_string(version));
            break;
        }
        case PSBT_GLOBAL_PROPRIETARY:
            CheckProprietaryKey(key);
            psbt.proprietary.emplace(std::move(key), std::move(value));
            break;
        default:
            psbt.unknown.emplace(std::move(key), std::move(value));
            break;
        }
    }
    if (!have_tx) Fail("No unsigned transaction was provided");

    for (size_t i = 0; i < psbt.tx.vin.size() && !r.Empty(); ++i) {
        psbt.inputs.push_back(ReadInput(r));
        const auto& utxo = psbt.inputs.back().non_witness_utxo;
        if (utxo) {
            const auto& prevout = psbt.tx.vin[i].prevout;
            if (utxo->GetHash() != prevout.hash)
                Fail("Non-witness UTXO does not match outpoint hash");
            if (prevout.n >= utxo->vout.size())
                Fail("Input specifies output index that does not exist");
        }
    }
    if (psbt.inputs.size() != psbt.tx.vin.size()) {
        Fail("Inputs provided does not match the number of inputs in transaction.");
    }
    for (size_t i = 0; i < psbt.tx.vout.size() && !r.Empty(); ++i)
        psbt.outputs.push_back(ReadOutput(r));
    if (psbt.outputs.size() != psbt.tx.vout.size()) {
        Fail("Outputs provided does not match the number of outputs in transaction.");
    }
    return psbt;
}

// ---- encoding -----------------------------------------------------------------

void WriteRecord(Writer& w, std::span<const uint8_t> key, std::span<const uint8_t> value)
{
    consensus::WriteCompactSize(w, key.size());
    w.WriteBytes(key);
    consensus::WriteCompactSize(w, value.size());
    w.WriteBytes(value);
}

PsbtBytes TypedKey(uint8_t type, std::span<const uint8_t> data = {})
{
    // Sized up front rather than insert(): gcc 12 misreports vector::insert with -Warray-bounds.
    PsbtBytes key(1 + data.size());
    key[0] = type;
    std::copy(data.begin(), data.end(), key.begin() + 1);
    return key;
}

template <class F>
PsbtBytes BuildValue(F&& build)
{
    PsbtBytes value;
    Writer w{value};
    build(w);
    return value;
}

void WriteDerivations(Writer& w, uint8_t type,
                      const std::map<PsbtBytes, KeyOrigin, BytesLess>& derivs)
{
    // Clang 14 cannot capture a structured binding, so the origin goes in by init-capture.
    for (const auto& [pubkey, origin] : derivs)
        WriteRecord(w, TypedKey(type, pubkey),
                    BuildValue([&o = origin](Writer& vw) { WriteKeyOrigin(vw, o); }));
}

void WriteTapDerivations(Writer& w, uint8_t type, const std::map<PsbtHash32, TapKeyOrigin>& derivs)
{
    for (const auto& [xonly, tko] : derivs) {
        const PsbtBytes key = TypedKey(type, xonly);
        consensus::WriteCompactSize(w, key.size());
        w.WriteBytes(key);
        WriteTapKeyOrigin(w, tko);
    }
}

void WriteRawMap(Writer& w, const PsbtByteMap& records)
{
    for (const auto& [key, value] : records)
        WriteRecord(w, key, value);
}

void WritePreimages(Writer& w, uint8_t type, const PsbtByteMap& preimages)
{
    for (const auto& [hash, preimage] : preimages)
        WriteRecord(w, TypedKey(type, hash), preimage);
}

void WriteInput(Writer& w, const PsbtInput& in)
{
    if (in.non_witness_utxo) {
        WriteRecord(w, TypedKey(PSBT_IN_NON_WITNESS_UTXO),
                    BuildValue([&](Writer& vw) { in.non_witness_utxo->Serialize(vw); }));
    }
    if (in.witness_utxo) {
        WriteRecord(w, TypedKey(PSBT_IN_WITNESS_UTXO), consensus::Encode(*in.witness_utxo));
    }
    // Core drops signing data from a finalized input.
    if (!PsbtInputFinalized(in)) {
        // Core keys partial signatures by HASH160 of the pubkey, so that is the written order.
        std::vector<std::pair<consensus::Uint160, const PsbtBytes*>> by_id;
        for (const auto& [pubkey, sig] : in.partial_sigs)
            by_id.emplace_back(consensus::Hash160(pubkey), &pubkey);
        std::sort(by_id.begin(), by_id.end());
        for (const auto& [id, pubkey] : by_id)
            WriteRecord(w, TypedKey(PSBT_IN_PARTIAL_SIG, *pubkey), in.partial_sigs.at(*pubkey));
        if (in.sighash_type) {
            WriteRecord(w, TypedKey(PSBT_IN_SIGHASH), BuildValue([&](Writer& vw) {
                            consensus::WriteLE<int32_t>(vw, *in.sighash_type);
                        }));
        }
        if (!in.redeem_script.empty())
            WriteRecord(w, TypedKey(PSBT_IN_REDEEM_SCRIPT), in.redeem_script.bytes());
        if (!in.witness_script.empty()) {
            WriteRecord(w, TypedKey(PSBT_IN_WITNESS_SCRIPT), in.witness_script.bytes());
        }
        WriteDerivations(w, PSBT_IN_BIP32_DERIVATION, in.bip32_derivs);
        WritePreimages(w, PSBT_IN_RIPEMD160, in.ripemd160_preimages);
        WritePreimages(w, PSBT_IN_SHA256, in.sha256_preimages);
        WritePreimages(w, PSBT_IN_HASH160, in.hash160_preimages);
        WritePreimages(w, PSBT_IN_HASH256, in.hash256_preimages);
        if (!in.tap_key_sig.empty()) WriteRecord(w, TypedKey(PSBT_IN_TAP_KEY_SIG), in.tap_key_sig);
        for (const auto& [xonly_leaf, sig] : in.tap_script_sigs) {
            std::array<uint8_t, 64> key_data{};
            std::copy(xonly_leaf.first.begin(), xonly_leaf.first.end(), key_data.begin());
            std::copy(xonly_leaf.second.begin(), xonly_leaf.second.end(), key_data.begin() + 32);
            const PsbtBytes key = TypedKey(PSBT_IN_TAP_SCRIPT_SIG, key_data);
            WriteRecord(w, key, sig);
        }
        for (const auto& [leaf, control_blocks] : in.tap_scripts) {
            PsbtBytes value = leaf.first;
            value.push_back(leaf.second);
            for (const auto& cb : control_blocks)
                WriteRecord(w, TypedKey(PSBT_IN_TAP_LEAF_SCRIPT, cb), value);
        }
        WriteTapDerivations(w, PSBT_IN_TAP_BIP32_DERIVATION, in.tap_bip32_derivs);
        if (in.tap_internal_key)
            WriteRecord(w, TypedKey(PSBT_IN_TAP_INTERNAL_KEY), *in.tap_internal_key);
        if (in.tap_merkle_root)
            WriteRecord(w, TypedKey(PSBT_IN_TAP_MERKLE_ROOT), *in.tap_merkle_root);
    }
    if (!in.final_script_sig.empty()) {
        WriteRecord(w, TypedKey(PSBT_IN_FINAL_SCRIPTSIG), in.final_script_sig.bytes());
    }
    if (!in.final_script_witness.IsNull()) {
        WriteRecord(w, TypedKey(PSBT_IN_FINAL_SCRIPTWITNESS),
                    BuildValue([&](Writer& vw) { vw.Put(in.final_script_witness.stack); }));
    }
    WriteRawMap(w, in.proprietary);
    WriteRawMap(w, in.unknown);
    w.Put(uint8_t{0});
}

void WriteOutput(Writer& w, const PsbtOutput& out)
{
    if (!out.redeem_script.empty())
        WriteRecord(w, TypedKey(PSBT_OUT_REDEEM_SCRIPT), out.redeem_script.bytes());
    if (!out.witness_script.empty()) {
        WriteRecord(w, TypedKey(PSBT_OUT_WITNESS_SCRIPT), out.witness_script.bytes());
    }
    WriteDerivations(w, PSBT_OUT_BIP32_DERIVATION, out.bip32_derivs);
    // Core writes output proprietary records before the taproot ones.
    WriteRawMap(w, out.proprietary);
    if (out.tap_internal_key)
        WriteRecord(w, TypedKey(PSBT_OUT_TAP_INTERNAL_KEY), *out.tap_internal_key);
    if (!out.tap_tree.empty()) {
        WriteRecord(w, TypedKey(PSBT_OUT_TAP_TREE), BuildValue([&](Writer& vw) {
                        for (const auto& leaf : out.tap_tree)
                            vw(leaf.depth, leaf.leaf_version, leaf.script);
                    }));
    }
    WriteTapDerivations(w, PSBT_OUT_TAP_BIP32_DERIVATION, out.tap_bip32_derivs);
    WriteRawMap(w, out.unknown);
    w.Put(uint8_t{0});
}

// Core's CExtPubKey order: public key bytes, then chain code.
bool XpubLess(const PsbtXpub& a, const PsbtXpub& b)
{
    if (!(a.origin == b.origin)) return a.origin < b.origin;
    const auto ka = std::span<const uint8_t>{a.xpub}.subspan(45);
    const auto kb = std::span<const uint8_t>{b.xpub}.subspan(45);
    if (!std::equal(ka.begin(), ka.end(), kb.begin())) {
        return std::lexicographical_compare(ka.begin(), ka.end(), kb.begin(), kb.end());
    }
    const auto ca = std::span<const uint8_t>{a.xpub}.subspan(13, 32);
    const auto cb = std::span<const uint8_t>{b.xpub}.subspan(13, 32);
    if (!std::equal(ca.begin(), ca.end(), cb.begin())) {
        return std::lexicographical_compare(ca.begin(), ca.end(), cb.begin(), cb.end());
    }
    return a.xpub < b.xpub;
}

} // namespace

util::Expected<Psbt> DecodePsbt(std::span<const uint8_t> data)
{
    try {
        Reader r{data};
        Psbt psbt = ReadPsbt(r);
        if (!r.Empty()) return util::Unexpected("extra data after PSBT");
        return psbt;
    } catch (const DecodeError& e) {
        return util::Unexpected(std::string{"PSBT decode failed "} + e.what());
    }
}

util::Expected<Psbt> DecodePsbtBase64(std::string_view text)
{
    const auto bytes = util::DecodeBase64(text);
    if (!bytes) return util::Unexpected("invalid base64");
    return DecodePsbt(*bytes);
}

std::vector<uint8_t> EncodePsbt(const Psbt& psbt)
{
    std::vector<uint8_t> out;
    Writer w{out};
    w.WriteBytes(PSBT_MAGIC);
    WriteRecord(w, TypedKey(PSBT_GLOBAL_UNSIGNED_TX), consensus::EncodeNoWitness(psbt.tx));
    std::vector<const PsbtXpub*> xpubs;
    for (const auto& x : psbt.xpubs)
        xpubs.push_back(&x);
    std::sort(xpubs.begin(), xpubs.end(),
              [](const PsbtXpub* a, const PsbtXpub* b) { return XpubLess(*a, *b); });
    for (const PsbtXpub* x : xpubs)
        WriteRecord(w, TypedKey(PSBT_GLOBAL_XPUB, x->xpub),
                    BuildValue([&](Writer& vw) { WriteKeyOrigin(vw, x->origin); }));
    WriteRawMap(w, psbt.proprietary);
    WriteRawMap(w, psbt.unknown);
    w.Put(uint8_t{0});
    for (const auto& in : psbt.inputs)
        WriteInput(w, in);
    for (const auto& o : psbt.outputs)
        WriteOutput(w, o);
    return out;
}

std::string EncodePsbtBase64(const Psbt& psbt)
{
    return util::EncodeBase64(EncodePsbt(psbt));
}

} // namespace common
