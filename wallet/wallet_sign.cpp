// Wallet signing: raw transactions, PSBTs (updater, signer, finalizer) and
// Bitcoin Signed Messages, with keys from the descriptors.
#include <wallet/wallet.h>

#include <common/key_io.h>
#include <common/message.h>
#include <consensus/hash.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/script_error.h>
#include <wallet/wallet_state.h>

#include <algorithm>

namespace wallet {

using consensus::Script;
using consensus::TxOut;
using consensus::Uint160;
using consensus::Uint256;

namespace {

bool Locked(const WalletState& s)
{
    return !s.master_keys.empty() && s.master_key.empty();
}

// Every descriptor's keys and scripts for `script`.
const DescriptorSpkm* FillProvider(const WalletState& s, const Script& script,
                                   common::SigningProvider& provider, int32_t* index = nullptr)
{
    const DescriptorSpkm* found = nullptr;
    for (const auto& [id, spkm] : s.spkms) {
        if (spkm->FillSigningProvider(script, provider) && found == nullptr) {
            found = spkm.get();
            if (index != nullptr) *index = spkm->IndexOf(script).value_or(0);
        }
    }
    return found;
}

// Keys for the public keys a PSBT input lists with their origins, when one of our descriptors
// derives them: how a signer holding one key of a multisig it does not watch (an escrow built
// by a coordinator) finds what to sign with, as Core's FillPSBT falls back to hd_keypaths.
bool FillProviderFromOrigins(const WalletState& s, const common::PsbtInput& in,
                             common::SigningProvider& provider)
{
    bool found = false;
    for (const auto& [pubkey, origin] : in.bip32_derivs) {
        if (origin.path.empty()) continue;
        const uint32_t index = origin.path.back();
        if ((index & 0x80000000U) != 0) continue; // our ranged steps are unhardened
        const consensus::Uint160 key_id = consensus::Hash160(pubkey);
        for (const auto& [id, spkm] : s.spkms) {
            if (!spkm->HasPrivate()) continue;
            const auto expansion = spkm->ExpandPublic(static_cast<int32_t>(index));
            if (!expansion || !expansion->pubkeys.contains(key_id)) continue;
            const auto known = expansion->origins.find(key_id);
            if (known == expansion->origins.end() ||
                known->second.fingerprint != origin.fingerprint ||
                known->second.path != origin.path) {
                continue;
            }
            for (const Script& script : expansion->output_scripts) {
                if (spkm->FillSigningProvider(script, provider)) found = true;
            }
        }
    }
    return found;
}

// Core's wording for an input left incomplete, from the script check's error.
std::string InputError(const consensus::Transaction& tx, unsigned n_in, const TxOut& spent,
                       const consensus::PrecomputedTxData& txdata)
{
    consensus::ScriptError error{};
    const consensus::TransactionSignatureChecker checker{&tx, n_in, spent.value, txdata};
    consensus::VerifyScript(tx.vin[n_in].script_sig, spent.script_pubkey, &tx.vin[n_in].witness,
                            common::STANDARD_SCRIPT_VERIFY_FLAGS, checker, &error);
    if (error == consensus::ScriptError::INVALID_STACK_OPERATION) {
        return "Unable to sign input, invalid stack size (possibly missing key)";
    }
    if (error == consensus::ScriptError::SIG_NULLFAIL) {
        return "CHECK(MULTI)SIG failing with non-zero signature (possibly need more signatures)";
    }
    return consensus::ScriptErrorString(error);
}

// The redeem script a P2SH output commits to and the witness script a P2WSH program commits
// to, when the provider knows them.
void FindScripts(const Script& spk, const common::SigningProvider& provider, Script& redeem,
                 Script& witness_script, bool& segwit, bool& taproot)
{
    segwit = false;
    taproot = false;
    Script inner = spk;
    if (spk.IsPayToScriptHash()) {
        const Uint160 hash{std::span<const uint8_t>{spk.data() + 2, 20}};
        const auto it = provider.scripts.find(hash);
        if (it == provider.scripts.end()) return;
        redeem = it->second;
        inner = redeem;
    }
    int version = 0;
    std::vector<uint8_t> program;
    if (!inner.IsWitnessProgram(version, program)) return;
    segwit = true;
    if (version == 1 && program.size() == 32) taproot = true;
    if (version == 0 && program.size() == 32) {
        for (const auto& [id, script] : provider.scripts) {
            const Uint256 sha = consensus::Sha256Hash(script.span());
            if (std::equal(sha.begin(), sha.end(), program.begin())) {
                witness_script = script;
                break;
            }
        }
    }
}

common::PsbtHash32 XOnly(const std::vector<uint8_t>& pubkey)
{
    common::PsbtHash32 out{};
    if (pubkey.size() == 32) std::copy(pubkey.begin(), pubkey.end(), out.begin());
    if (pubkey.size() == 33) std::copy(pubkey.begin() + 1, pubkey.end(), out.begin());
    return out;
}

common::PsbtHash32 ToHash32(const Uint256& v)
{
    common::PsbtHash32 out{};
    std::copy(v.begin(), v.end(), out.begin());
    return out;
}

// Updater data for a script we derive: redeem/witness scripts, taproot internal key and merkle
// root, and key origins when `bip32derivs`.
template <class Map>
void FillOrigins(const WalletState& s, const Script& spk, bool bip32derivs, Script& redeem,
                 Script& witness_script, std::optional<common::PsbtHash32>& internal_key,
                 std::optional<common::PsbtHash32>* merkle_root, Map& tap_derivs,
                 std::map<common::PsbtBytes, common::KeyOrigin, common::BytesLess>& derivs,
                 bool& segwit)
{
    common::SigningProvider provider;
    int32_t index = 0;
    const DescriptorSpkm* spkm = FillProvider(s, spk, provider, &index);
    segwit = false;
    if (spkm == nullptr) return;
    bool taproot = false;
    Script found_redeem;
    Script found_witness;
    FindScripts(spk, provider, found_redeem, found_witness, segwit, taproot);
    if (redeem.empty()) redeem = found_redeem;
    if (witness_script.empty()) witness_script = found_witness;
    const auto expansion = spkm->ExpandPublic(index);
    if (!expansion) return;
    if (taproot) {
        const Uint256 output_key{std::span<const uint8_t>{spk.data() + 2, 32}};
        const auto td = expansion->taproot.find(output_key);
        if (td != expansion->taproot.end()) {
            internal_key = ToHash32(td->second.internal_key);
            if (merkle_root != nullptr && td->second.merkle_root) {
                *merkle_root = ToHash32(*td->second.merkle_root);
            }
        }
    }
    if (!bip32derivs) return;
    for (const auto& [key_id, pubkey] : expansion->pubkeys) {
        const auto origin = expansion->origins.find(key_id);
        if (origin == expansion->origins.end()) continue;
        const common::KeyOrigin ko{origin->second.fingerprint, origin->second.path};
        if (taproot) {
            tap_derivs[XOnly(pubkey)] = common::TapKeyOrigin{{}, ko};
        } else {
            derivs[pubkey] = ko;
        }
    }
}

} // namespace

util::Expected<std::map<unsigned, std::string>>
Wallet::SignTransaction(consensus::MutableTransaction& tx,
                        const std::map<consensus::OutPoint, TxOut>& coins, int sighash_type) const
{
    std::lock_guard lock(m_mutex);
    const WalletState& s = *m_state;
    if (Locked(s)) return util::Unexpected(LOCKED_WALLET_ERROR);
    std::vector<std::optional<TxOut>> spent(tx.vin.size());
    bool all_known = true;
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const auto it = coins.find(tx.vin[i].prevout);
        if (it != coins.end()) {
            spent[i] = it->second;
        } else if (const TxOut* out = detail::FindOutput(s, tx.vin[i].prevout)) {
            spent[i] = *out;
        }
        all_known = all_known && spent[i].has_value();
    }
    const consensus::Transaction original{tx};
    consensus::PrecomputedTxData txdata;
    std::vector<TxOut> spent_list;
    if (all_known) {
        for (const auto& out : spent)
            spent_list.push_back(*out);
    }
    // Forced: the unsigned inputs carry no witness yet, which Init would read as non-segwit.
    txdata.Init(original, std::move(spent_list), /*force=*/true);
    std::map<unsigned, std::string> errors;
    for (unsigned i = 0; i < tx.vin.size(); ++i) {
        if (!spent[i]) {
            errors[i] = "Input not found or already spent";
            continue;
        }
        common::SigningProvider provider;
        FillProvider(s, spent[i]->script_pubkey, provider);
        common::KnownSignatures known;
        common::CollectSignatures(original, i, *spent[i], tx.vin[i].script_sig, tx.vin[i].witness,
                                  txdata, known);
        const common::SignedInput signed_input =
            common::SignInput(original, i, *spent[i], sighash_type, txdata, provider, known);
        tx.vin[i].script_sig = signed_input.script_sig;
        tx.vin[i].witness = signed_input.witness;
        if (!signed_input.complete) {
            const consensus::Transaction now{tx};
            errors[i] = InputError(now, i, *spent[i], txdata);
        }
    }
    return errors;
}

util::Expected<bool> Wallet::FillPsbt(common::Psbt& psbt, bool sign, int sighash_type,
                                      bool bip32derivs, bool finalize) const
{
    std::lock_guard lock(m_mutex);
    const WalletState& s = *m_state;
    if (sign && Locked(s)) return util::Unexpected(LOCKED_WALLET_ERROR);
    if (psbt.inputs.size() != psbt.tx.vin.size() || psbt.outputs.size() != psbt.tx.vout.size()) {
        return util::Unexpected("PSBT is malformed: map counts differ from the transaction");
    }
    // UTXOs first: taproot signatures commit to every spent output.
    for (size_t i = 0; i < psbt.inputs.size(); ++i) {
        common::PsbtInput& in = psbt.inputs[i];
        if (common::PsbtInputFinalized(in)) continue;
        if (!in.non_witness_utxo) {
            const auto it = s.txs.find(psbt.tx.vin[i].prevout.hash);
            if (it != s.txs.end()) in.non_witness_utxo = it->second.tx;
        }
    }
    const consensus::Transaction unsigned_tx{psbt.tx};
    std::vector<TxOut> spent_list;
    bool all_known = true;
    for (size_t i = 0; i < psbt.inputs.size(); ++i) {
        const auto utxo = common::GetInputUtxo(psbt, i);
        if (!utxo) {
            all_known = false;
            break;
        }
        spent_list.push_back(*utxo);
    }
    consensus::PrecomputedTxData txdata;
    txdata.Init(unsigned_tx, all_known ? std::move(spent_list) : std::vector<TxOut>{},
                /*force=*/true);

    for (unsigned i = 0; i < psbt.inputs.size(); ++i) {
        common::PsbtInput& in = psbt.inputs[i];
        if (common::PsbtInputFinalized(in)) continue;
        const auto utxo = common::GetInputUtxo(psbt, i);
        if (!utxo) continue;
        if (sign && in.sighash_type && *in.sighash_type != sighash_type) {
            return util::Unexpected("Specified sighash value does not match value stored in PSBT");
        }
        bool segwit = false;
        FillOrigins(s, utxo->script_pubkey, bip32derivs, in.redeem_script, in.witness_script,
                    in.tap_internal_key, &in.tap_merkle_root, in.tap_bip32_derivs, in.bip32_derivs,
                    segwit);
        if (segwit) in.witness_utxo = *utxo;
        if (!sign) continue;
        common::SigningProvider provider;
        if (FillProvider(s, utxo->script_pubkey, provider) == nullptr &&
            !FillProviderFromOrigins(s, in, provider)) {
            continue;
        }
        common::KnownSignatures known;
        for (const auto& [pubkey, sig] : in.partial_sigs)
            known.ecdsa[pubkey] = sig;
        known.taproot_key_path = in.tap_key_sig;
        if (!in.redeem_script.empty()) {
            known.scripts[consensus::Hash160(in.redeem_script.span())] = in.redeem_script;
        }
        if (!in.witness_script.empty()) {
            known.scripts[consensus::Hash160(in.witness_script.span())] = in.witness_script;
        }
        const common::SignedInput result =
            common::SignInput(unsigned_tx, i, *utxo, sighash_type, txdata, provider, known);
        // Keep what the signer produced as partial signatures; the finalizer builds the rest.
        common::KnownSignatures produced;
        common::CollectSignatures(unsigned_tx, i, *utxo, result.script_sig, result.witness, txdata,
                                  produced);
        for (const auto& [pubkey, sig] : produced.ecdsa)
            in.partial_sigs[pubkey] = sig;
        if (!produced.taproot_key_path.empty()) in.tap_key_sig = produced.taproot_key_path;
    }

    for (size_t i = 0; i < psbt.outputs.size(); ++i) {
        common::PsbtOutput& out = psbt.outputs[i];
        bool segwit = false;
        FillOrigins(s, psbt.tx.vout[i].script_pubkey, bip32derivs, out.redeem_script,
                    out.witness_script, out.tap_internal_key, nullptr, out.tap_bip32_derivs,
                    out.bip32_derivs, segwit);
    }

    // Core's RemoveUnnecessaryTransactions: only all-taproot inputs may drop the full parents.
    if ((sighash_type & 0x80) == 0) {
        bool all_taproot = !psbt.inputs.empty();
        for (const auto& in : psbt.inputs) {
            int version = 0;
            std::vector<uint8_t> program;
            if (!in.witness_utxo ||
                !in.witness_utxo->script_pubkey.IsWitnessProgram(version, program) ||
                version == 0) {
                all_taproot = false;
                break;
            }
        }
        if (all_taproot) {
            for (auto& in : psbt.inputs)
                in.non_witness_utxo = nullptr;
        }
    }

    if (finalize) common::FinalizePsbt(psbt);
    return common::IsComplete(psbt);
}

util::Expected<std::string> Wallet::SignMessage(const std::string& address,
                                                const std::string& message) const
{
    std::lock_guard lock(m_mutex);
    const WalletState& s = *m_state;
    if (Locked(s)) return util::Unexpected(LOCKED_WALLET_ERROR);
    const auto dest = common::DecodeDestination(address, *s.params);
    if (!dest || !common::IsValidDestination(*dest)) return util::Unexpected("Invalid address");
    const auto* pkh = std::get_if<common::PKHash>(&*dest);
    if (pkh == nullptr) return util::Unexpected("Address does not refer to key");
    common::SigningProvider provider;
    FillProvider(s, common::GetScriptForDestination(*dest), provider);
    const auto key = provider.keys.find(pkh->hash);
    if (key == provider.keys.end()) return util::Unexpected("Private key not available");
    auto sig = common::SignMessage(key->second.Secret(), key->second.IsCompressed(), message);
    if (!sig) return util::Unexpected("Sign failed");
    return std::move(*sig);
}

} // namespace wallet
