// The BIP174 roles after the codec: Creator, Combiner, Input Finalizer and
// Transaction Extractor, and the role helpers.
#include <common/psbt.h>

#include <consensus/hash.h>
#include <consensus/script/sighash.h>

#include <algorithm>
#include <string>

namespace common {

namespace {
void MergeInput(PsbtInput& into, const PsbtInput& from)
{
    if (!into.non_witness_utxo && from.non_witness_utxo)
        into.non_witness_utxo = from.non_witness_utxo;
    if (!into.witness_utxo && from.witness_utxo) into.witness_utxo = from.witness_utxo;
    into.partial_sigs.insert(from.partial_sigs.begin(), from.partial_sigs.end());
    into.ripemd160_preimages.insert(from.ripemd160_preimages.begin(),
                                    from.ripemd160_preimages.end());
    into.sha256_preimages.insert(from.sha256_preimages.begin(), from.sha256_preimages.end());
    into.hash160_preimages.insert(from.hash160_preimages.begin(), from.hash160_preimages.end());
    into.hash256_preimages.insert(from.hash256_preimages.begin(), from.hash256_preimages.end());
    into.bip32_derivs.insert(from.bip32_derivs.begin(), from.bip32_derivs.end());
    into.proprietary.insert(from.proprietary.begin(), from.proprietary.end());
    into.unknown.insert(from.unknown.begin(), from.unknown.end());
    into.tap_script_sigs.insert(from.tap_script_sigs.begin(), from.tap_script_sigs.end());
    into.tap_scripts.insert(from.tap_scripts.begin(), from.tap_scripts.end());
    into.tap_bip32_derivs.insert(from.tap_bip32_derivs.begin(), from.tap_bip32_derivs.end());
    if (into.redeem_script.empty()) into.redeem_script = from.redeem_script;
    if (into.witness_script.empty()) into.witness_script = from.witness_script;
    if (into.final_script_sig.empty()) into.final_script_sig = from.final_script_sig;
    if (into.final_script_witness.IsNull()) into.final_script_witness = from.final_script_witness;
    if (into.tap_key_sig.empty()) into.tap_key_sig = from.tap_key_sig;
    if (!into.tap_internal_key) into.tap_internal_key = from.tap_internal_key;
    if (!into.tap_merkle_root) into.tap_merkle_root = from.tap_merkle_root;
    if (!into.sighash_type) into.sighash_type = from.sighash_type;
}

void MergeOutput(PsbtOutput& into, const PsbtOutput& from)
{
    into.bip32_derivs.insert(from.bip32_derivs.begin(), from.bip32_derivs.end());
    into.proprietary.insert(from.proprietary.begin(), from.proprietary.end());
    into.unknown.insert(from.unknown.begin(), from.unknown.end());
    into.tap_bip32_derivs.insert(from.tap_bip32_derivs.begin(), from.tap_bip32_derivs.end());
    if (into.redeem_script.empty()) into.redeem_script = from.redeem_script;
    if (into.witness_script.empty()) into.witness_script = from.witness_script;
    if (!into.tap_internal_key) into.tap_internal_key = from.tap_internal_key;
    if (into.tap_tree.empty()) into.tap_tree = from.tap_tree;
}

} // namespace

util::Expected<Psbt> CreatePsbt(const consensus::MutableTransaction& tx)
{
    for (const auto& txin : tx.vin) {
        if (!txin.script_sig.empty() || !txin.witness.IsNull()) {
            return util::Unexpected("Inputs must not have scriptSigs and scriptWitnesses");
        }
    }
    Psbt psbt;
    psbt.tx = tx;
    psbt.inputs.resize(tx.vin.size());
    psbt.outputs.resize(tx.vout.size());
    return psbt;
}

util::Expected<Psbt> CombinePsbts(std::span<const Psbt> psbts)
{
    if (psbts.empty()) return util::Unexpected("Parameter 'txs' cannot be empty");
    Psbt out = psbts[0];
    const consensus::Uint256 txid = out.tx.GetHash();
    for (const Psbt& other : psbts.subspan(1)) {
        if (other.tx.GetHash() != txid || other.inputs.size() != out.inputs.size() ||
            other.outputs.size() != out.outputs.size()) {
            return util::Unexpected("PSBTs not compatible (different transactions)");
        }
        for (size_t i = 0; i < out.inputs.size(); ++i)
            MergeInput(out.inputs[i], other.inputs[i]);
        for (size_t i = 0; i < out.outputs.size(); ++i)
            MergeOutput(out.outputs[i], other.outputs[i]);
        // One record per xpub key: a second origin for the same key would be a duplicate key.
        for (const auto& x : other.xpubs) {
            const bool known =
                std::any_of(out.xpubs.begin(), out.xpubs.end(),
                            [&](const PsbtXpub& have) { return have.xpub == x.xpub; });
            if (!known) out.xpubs.push_back(x);
        }
        out.proprietary.insert(other.proprietary.begin(), other.proprietary.end());
        out.unknown.insert(other.unknown.begin(), other.unknown.end());
    }
    return out;
}

std::string PsbtRoleName(PsbtRole role)
{
    switch (role) {
    case PsbtRole::CREATOR:
        return "creator";
    case PsbtRole::UPDATER:
        return "updater";
    case PsbtRole::SIGNER:
        return "signer";
    case PsbtRole::FINALIZER:
        return "finalizer";
    case PsbtRole::EXTRACTOR:
        return "extractor";
    }
    return "unknown";
}

PsbtRole NextRole(const Psbt& psbt)
{
    Psbt trial = psbt;
    FinalizePsbt(trial);
    PsbtRole next = PsbtRole::EXTRACTOR;
    for (size_t i = 0; i < psbt.inputs.size(); ++i) {
        PsbtRole role = PsbtRole::EXTRACTOR;
        if (PsbtInputFinalized(psbt.inputs[i])) {
            role = PsbtRole::EXTRACTOR;
        } else if (!GetInputUtxo(psbt, i)) {
            role = PsbtRole::UPDATER;
        } else if (PsbtInputFinalized(trial.inputs[i])) {
            role = PsbtRole::FINALIZER;
        } else {
            role = PsbtRole::SIGNER;
        }
        next = std::min(next, role);
    }
    return next;
}

bool PsbtInputFinalized(const PsbtInput& input)
{
    return !input.final_script_sig.empty() || !input.final_script_witness.IsNull();
}

size_t CountUnfinalizedInputs(const Psbt& psbt)
{
    return static_cast<size_t>(
        std::count_if(psbt.inputs.begin(), psbt.inputs.end(),
                      [](const PsbtInput& in) { return !PsbtInputFinalized(in); }));
}

bool IsComplete(const Psbt& psbt)
{
    return CountUnfinalizedInputs(psbt) == 0;
}

std::optional<consensus::TxOut> GetInputUtxo(const Psbt& psbt, size_t index)
{
    if (index >= psbt.inputs.size() || index >= psbt.tx.vin.size()) return std::nullopt;
    const PsbtInput& in = psbt.inputs[index];
    const auto& prevout = psbt.tx.vin[index].prevout;
    if (in.non_witness_utxo) {
        if (in.non_witness_utxo->GetHash() != prevout.hash ||
            prevout.n >= in.non_witness_utxo->vout.size()) {
            return std::nullopt;
        }
        return in.non_witness_utxo->vout[prevout.n];
    }
    return in.witness_utxo;
}

bool FinalizePsbt(Psbt& psbt)
{
    const consensus::Transaction tx{psbt.tx};
    std::vector<consensus::TxOut> spent;
    bool have_all = true;
    for (size_t i = 0; i < psbt.inputs.size(); ++i) {
        auto utxo = GetInputUtxo(psbt, i);
        if (!utxo) {
            have_all = false;
            break;
        }
        spent.push_back(std::move(*utxo));
    }
    consensus::PrecomputedTxData txdata;
    txdata.Init(tx, have_all ? std::move(spent) : std::vector<consensus::TxOut>{}, true);

    const SigningProvider no_keys;
    for (size_t i = 0; i < psbt.inputs.size(); ++i) {
        PsbtInput& in = psbt.inputs[i];
        if (PsbtInputFinalized(in)) continue;
        const auto utxo = GetInputUtxo(psbt, i);
        if (!utxo) continue;
        // BIP174: signatures that do not use the requested sighash type block finalizing.
        if (in.sighash_type) {
            const bool mismatch =
                std::any_of(in.partial_sigs.begin(), in.partial_sigs.end(), [&](const auto& ps) {
                    return ps.second.empty() ||
                           ps.second.back() != static_cast<uint8_t>(*in.sighash_type);
                });
            if (mismatch) continue;
        }
        KnownSignatures known;
        for (const auto& [pubkey, sig] : in.partial_sigs)
            known.ecdsa.emplace(pubkey, sig);
        known.taproot_key_path = in.tap_key_sig;
        if (!in.redeem_script.empty())
            known.scripts.emplace(consensus::Hash160(in.redeem_script.span()), in.redeem_script);
        if (!in.witness_script.empty()) {
            known.scripts.emplace(consensus::Hash160(in.witness_script.span()), in.witness_script);
        }
        const SignedInput signed_in =
            SignInput(tx, static_cast<unsigned>(i), *utxo,
                      in.sighash_type.value_or(consensus::SIGHASH_DEFAULT), txdata, no_keys, known,
                      /*allow_signing=*/false);
        if (!signed_in.complete) continue;
        PsbtInput final_in;
        final_in.non_witness_utxo = in.non_witness_utxo;
        final_in.witness_utxo = in.witness_utxo;
        final_in.final_script_sig = signed_in.script_sig;
        final_in.final_script_witness = signed_in.witness;
        final_in.proprietary = std::move(in.proprietary);
        final_in.unknown = std::move(in.unknown);
        in = std::move(final_in);
    }
    return IsComplete(psbt);
}

util::Expected<consensus::MutableTransaction> ExtractTransaction(const Psbt& psbt)
{
    if (!IsComplete(psbt))
        return util::Unexpected("PSBT is not complete: not every input is finalized");
    consensus::MutableTransaction tx = psbt.tx;
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        tx.vin[i].script_sig = psbt.inputs[i].final_script_sig;
        tx.vin[i].witness = psbt.inputs[i].final_script_witness;
    }
    return tx;
}

} // namespace common
