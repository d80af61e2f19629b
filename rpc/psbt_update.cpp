// utxoupdatepsbt: Core's ProcessPSBT without signing. UTXOs come from the mempool, -txindex and
// the UTXO set; scripts, key origins and taproot data from the caller's descriptors.
#include <common/chainparams.h>
#include <common/descriptor.h>
#include <common/psbt.h>
#include <common/solver.h>
#include <consensus/hash.h>
#include <consensus/script/taproot.h>
#include <interfaces/chain.h>
#include <rpc/method.h>
#include <rpc/psbt_internal.h>
#include <rpc/rawtransaction_util.h>
#include <rpc/services.h>
#include <rpc/util.h>

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace rpc::psbt_internal {

namespace {

// Core's EvalDescriptorStringOrObject into `provider` (secrets are never kept).
void AddDescriptor(const Json& object, const common::ChainParams& params, Provider& provider)
{
    ExpandScanObject(object, params, [&provider](common::DescriptorExpansion& exp) {
        provider.pubkeys.merge(exp.pubkeys);
        provider.origins.merge(exp.origins);
        provider.scripts.merge(exp.scripts);
        provider.taproot.merge(exp.taproot);
    });
}

// Core's IsSegWitOutput: a witness program, or P2SH of a known witness program.
bool IsSegwitOutput(const Script& spk, const Provider& provider)
{
    int version{0};
    Bytes program;
    if (spk.IsWitnessProgram(version, program)) return true;
    std::vector<Bytes> sol;
    if (common::Solver(spk, sol) == common::TxoutType::SCRIPTHASH) {
        const auto it = provider.scripts.find(Uint160{sol[0]});
        if (it != provider.scripts.end() && it->second.IsWitnessProgram(version, program))
            return true;
    }
    return false;
}

// Taproot fields from what the provider knows of the output key: the internal key, its origin
// and the leaves' keys with their leaf hashes (Core's taproot_misc_pubkeys).
std::map<common::PsbtHash32, common::TapKeyOrigin> TapOrigins(const common::TaprootSpendData& tap,
                                                              const Provider& provider)
{
    std::map<common::PsbtHash32, common::TapKeyOrigin> out;
    const auto origin_of =
        [&provider](std::span<const uint8_t> xonly) -> std::optional<common::KeyOrigin> {
        for (const uint8_t prefix : {0x02, 0x03}) {
            Bytes full{prefix};
            full.insert(full.end(), xonly.begin(), xonly.end());
            const auto it = provider.origins.find(consensus::Hash160(full));
            if (it != provider.origins.end())
                return common::KeyOrigin{it->second.fingerprint, it->second.path};
        }
        return std::nullopt;
    };
    common::PsbtHash32 internal{};
    std::copy(tap.internal_key.begin(), tap.internal_key.end(), internal.begin());
    if (const auto origin = origin_of(internal)) out[internal].origin = *origin;
    for (const auto& leaf : tap.leaves) {
        const Uint256 leaf_hash =
            consensus::ComputeTapleafHash(leaf.leaf_version, leaf.script.bytes());
        common::PsbtHash32 lh{};
        std::copy(leaf_hash.begin(), leaf_hash.end(), lh.begin());
        auto pc = leaf.script.begin();
        consensus::Opcode op;
        Bytes data;
        while (pc < leaf.script.end() && leaf.script.GetOp(pc, op, &data)) {
            if (data.size() != 32) continue;
            const auto origin = origin_of(data);
            if (!origin) continue;
            common::PsbtHash32 xonly{};
            std::copy(data.begin(), data.end(), xonly.begin());
            out[xonly].origin = *origin;
            out[xonly].leaf_hashes.insert(lh);
        }
    }
    return out;
}

// Core's SignPSBTInput with a provider that hides secrets: fills the scripts, the key origins
// and the taproot data the walk discovers; a witness walk also records the witness UTXO.
void UpdateInput(Psbt& psbt, size_t index, const Provider& provider)
{
    PsbtInput& input = psbt.inputs[index];
    if (common::PsbtInputFinalized(input)) return;
    const auto utxo = common::GetInputUtxo(psbt, index);
    if (!utxo) return;
    const WalkResult walk = Walk(utxo->script_pubkey, KnownFromInput(input, &provider));
    if (!input.non_witness_utxo && !walk.witness) return;
    if (input.redeem_script.empty() && !walk.redeem_script.empty())
        input.redeem_script = walk.redeem_script;
    if (input.witness_script.empty() && !walk.witness_script.empty())
        input.witness_script = walk.witness_script;
    for (const auto& [pubkey, origin] : walk.origins)
        input.bip32_derivs.emplace(pubkey, origin);
    if (walk.tap) {
        const auto& tap = *walk.tap;
        if (!input.tap_internal_key && !tap.internal_key.IsNull()) {
            common::PsbtHash32 key{};
            std::copy(tap.internal_key.begin(), tap.internal_key.end(), key.begin());
            input.tap_internal_key = key;
        }
        if (!input.tap_merkle_root && tap.merkle_root) {
            common::PsbtHash32 root{};
            std::copy(tap.merkle_root->begin(), tap.merkle_root->end(), root.begin());
            input.tap_merkle_root = root;
        }
        if (const auto paths = LeafPaths(tap.leaves)) {
            for (size_t i = 0; i < tap.leaves.size(); ++i) {
                const auto& leaf = tap.leaves[i];
                Bytes control{
                    static_cast<uint8_t>(leaf.leaf_version | (tap.output_parity ? 1 : 0))};
                control.insert(control.end(), tap.internal_key.begin(), tap.internal_key.end());
                for (const auto& node : (*paths)[i])
                    control.insert(control.end(), node.begin(), node.end());
                input.tap_scripts[{leaf.script.bytes(), leaf.leaf_version}].insert(control);
            }
        }
        for (const auto& [xonly, origin] : TapOrigins(tap, provider))
            input.tap_bip32_derivs.emplace(xonly, origin);
    }
    if (walk.witness) input.witness_utxo = *utxo;
}

// Core's UpdatePSBTOutput: the output's scripts, key origins and taproot tree.
void UpdateOutput(Psbt& psbt, size_t index, const Provider& provider)
{
    PsbtOutput& output = psbt.outputs[index];
    Known known;
    known.derivs.push_back(&output.bip32_derivs);
    known.scripts = {output.redeem_script, output.witness_script};
    known.provider = &provider;
    const WalkResult walk = Walk(psbt.tx.vout[index].script_pubkey, known);
    if (output.redeem_script.empty() && !walk.redeem_script.empty())
        output.redeem_script = walk.redeem_script;
    if (output.witness_script.empty() && !walk.witness_script.empty())
        output.witness_script = walk.witness_script;
    for (const auto& [pubkey, origin] : walk.origins)
        output.bip32_derivs.emplace(pubkey, origin);
    if (walk.tap) {
        const auto& tap = *walk.tap;
        if (!output.tap_internal_key && !tap.internal_key.IsNull()) {
            common::PsbtHash32 key{};
            std::copy(tap.internal_key.begin(), tap.internal_key.end(), key.begin());
            output.tap_internal_key = key;
        }
        if (output.tap_tree.empty()) {
            for (const auto& leaf : tap.leaves) {
                output.tap_tree.push_back(
                    {static_cast<uint8_t>(leaf.depth), leaf.leaf_version, leaf.script.bytes()});
            }
        }
        for (const auto& [xonly, origin] : TapOrigins(tap, provider))
            output.tap_bip32_derivs.emplace(xonly, origin);
    }
}

// Core's RemoveUnnecessaryTransactions for SIGHASH_ALL: full previous transactions go only when
// every input is a witness v1+ spend with its witness UTXO.
void DropUnneededTransactions(Psbt& psbt)
{
    for (const auto& input : psbt.inputs) {
        int version{0};
        Bytes program;
        if (!input.witness_utxo ||
            !input.witness_utxo->script_pubkey.IsWitnessProgram(version, program) || version == 0) {
            return;
        }
    }
    for (auto& input : psbt.inputs)
        input.non_witness_utxo = nullptr;
}

} // namespace

Method UtxoUpdatePsbtMethod(const Services& services)
{
    return Method{
        "utxoupdatepsbt",
        "rawtransactions",
        "\nUpdates all segwit inputs and outputs in a PSBT with data from output descriptors, the "
        "UTXO set, txindex, or the mempool.\n",
        {
            {"psbt", ArgType::STR, ArgOptional::NO, "A base64 string of a PSBT"},
            {"descriptors",
             ArgType::ARR,
             ArgOptional::OMITTED,
             "An array of either strings or objects",
             {{"", ArgType::STR, ArgOptional::OMITTED, "An output descriptor"},
              {"",
               ArgType::OBJ,
               ArgOptional::OMITTED,
               "An object with an output descriptor and extra information",
               {{"desc", ArgType::STR, ArgOptional::NO, "An output descriptor"},
                {"range", ArgType::RANGE, Json(1000),
                 "Up to what index HD chains should be explored (either end or [begin,end])"}}}}},
        },
        {ResultDoc{ResultType::STR, "",
                   "The base64-encoded partially signed transaction with inputs updated"}},
        HelpExampleCli("utxoupdatepsbt", "\"psbt\""),
        [&services](const Request& request) -> Result {
            interfaces::Chain& chain = *services.chain;
            Provider provider;
            if (!request.Param(1).is_null()) {
                for (const Json& desc : request.Param(1))
                    AddDescriptor(desc, chain.Params(), provider);
            }
            Psbt psbt = DecodePsbtParam(request.Param(0));
            for (size_t i = 0; i < psbt.inputs.size(); ++i) {
                PsbtInput& input = psbt.inputs[i];
                if (input.non_witness_utxo) continue;
                const auto& prevout = psbt.tx.vin[i].prevout;
                // The whole previous transaction, from the mempool or -txindex.
                if (const auto found = chain.FindTransaction(prevout.hash, std::nullopt);
                    found && found->tx && prevout.n < found->tx->vout.size()) {
                    input.non_witness_utxo = found->tx;
                    continue;
                }
                const auto coin = chain.GetCoinWithMempool(prevout);
                if (coin && !coin->out.IsNull() &&
                    IsSegwitOutput(coin->out.script_pubkey, provider))
                    input.witness_utxo = coin->out;
            }
            for (size_t i = 0; i < psbt.inputs.size(); ++i)
                UpdateInput(psbt, i, provider);
            for (size_t i = 0; i < psbt.outputs.size(); ++i)
                UpdateOutput(psbt, i, provider);
            DropUnneededTransactions(psbt);
            return Json(common::EncodePsbtBase64(psbt));
        }};
}

} // namespace rpc::psbt_internal
