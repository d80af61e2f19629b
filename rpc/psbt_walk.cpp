// The walk over an output script shared by analyzepsbt and utxoupdatepsbt: Core's
// ProduceSignature for the standard templates, fed with what a PSBT input and the descriptors
// know, placing 71-byte (ECDSA) and 64-byte (Schnorr) placeholders where Core's dummy signer does.
#include <common/psbt.h>
#include <common/solver.h>
#include <consensus/hash.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/taproot.h>
#include <rpc/psbt_internal.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace rpc::psbt_internal {

namespace {

// Sizes of the placeholder signatures Core's dummy signer makes for size estimates.
constexpr size_t DUMMY_ECDSA_SIG_SIZE{71};
constexpr size_t DUMMY_SCHNORR_SIG_SIZE{64};

Script P2pkhOfHash(std::span<const uint8_t> hash)
{
    Script out;
    out << consensus::OP_DUP << consensus::OP_HASH160 << hash << consensus::OP_EQUALVERIFY
        << consensus::OP_CHECKSIG;
    return out;
}

std::optional<Bytes> FindPubkey(const Known& known, const Uint160& id)
{
    if (known.partial_sigs) {
        for (const auto& [pubkey, sig] : *known.partial_sigs) {
            if (consensus::Hash160(pubkey) == id) return pubkey;
        }
    }
    for (const auto* derivs : known.derivs) {
        for (const auto& [pubkey, origin] : *derivs) {
            if (consensus::Hash160(pubkey) == id) return pubkey;
        }
    }
    if (known.provider) {
        if (const auto it = known.provider->pubkeys.find(id); it != known.provider->pubkeys.end())
            return it->second;
    }
    return std::nullopt;
}

std::optional<Script> FindScript(const Known& known, const Uint160& id)
{
    for (const Script& s : known.scripts) {
        if (!s.empty() && consensus::Hash160(s.bytes()) == id) return s;
    }
    if (known.provider) {
        if (const auto it = known.provider->scripts.find(id); it != known.provider->scripts.end())
            return it->second;
    }
    return std::nullopt;
}

void NoteOrigin(const Known& known, const Bytes& pubkey, WalkResult& result)
{
    if (!known.provider) return;
    const auto it = known.provider->origins.find(consensus::Hash160(pubkey));
    if (it == known.provider->origins.end()) return;
    result.origins[pubkey] = common::KeyOrigin{it->second.fingerprint, it->second.path};
}

// A signature by `pubkey`: the partial one present, else a placeholder (recorded as missing).
Bytes SigFor(const Known& known, const Bytes& pubkey, WalkResult& result)
{
    NoteOrigin(known, pubkey, result);
    if (known.partial_sigs) {
        if (const auto it = known.partial_sigs->find(pubkey); it != known.partial_sigs->end())
            return it->second;
    }
    result.missing_sigs.push_back(consensus::Hash160(pubkey));
    result.have_sigs = false;
    return Bytes(DUMMY_ECDSA_SIG_SIZE, 0);
}

Script PushAll(const std::vector<Bytes>& stack)
{
    Script out;
    for (const Bytes& item : stack) {
        if (item.empty()) {
            out << consensus::OP_0;
        } else {
            out << item;
        }
    }
    return out;
}

// Core's SignStep for the key and multisig templates: the stack that satisfies `script`.
bool SolveKeys(const Script& script, const Known& known, std::vector<Bytes>& stack,
               WalkResult& result)
{
    std::vector<Bytes> sol;
    const common::TxoutType type = common::Solver(script, sol);
    switch (type) {
    case common::TxoutType::PUBKEY:
        stack.push_back(SigFor(known, sol[0], result));
        return true;
    case common::TxoutType::PUBKEYHASH: {
        const Uint160 id{sol[0]};
        const auto pubkey = FindPubkey(known, id);
        if (!pubkey) {
            result.missing_pubkeys.push_back(id);
            return false;
        }
        stack.push_back(SigFor(known, *pubkey, result));
        stack.push_back(*pubkey);
        return true;
    }
    case common::TxoutType::MULTISIG: {
        const size_t required = sol.front()[0];
        std::vector<Bytes> sigs;
        // Core asks every key for a signature, so every absent one is reported missing.
        for (size_t i = 1; i + 1 < sol.size(); ++i) {
            NoteOrigin(known, sol[i], result);
            const Bytes* sig{nullptr};
            if (known.partial_sigs) {
                const auto it = known.partial_sigs->find(sol[i]);
                if (it != known.partial_sigs->end()) sig = &it->second;
            }
            if (sig) {
                if (sigs.size() < required) sigs.push_back(*sig);
            } else {
                result.missing_sigs.push_back(consensus::Hash160(sol[i]));
            }
        }
        if (sigs.size() < required) {
            result.have_sigs = false;
            while (sigs.size() < required)
                sigs.push_back(Bytes(DUMMY_ECDSA_SIG_SIZE, 0));
        }
        stack.push_back({});
        stack.insert(stack.end(), sigs.begin(), sigs.end());
        return true;
    }
    default:
        return false;
    }
}

// Core's BIP341 tree shape: the leaves' hashes combined pairwise by depth, recording each
// leaf's path so control blocks can be built.
struct TreeNode
{
    Uint256 hash;
    std::vector<std::pair<size_t, std::vector<Uint256>>> leaves; //!< leaf index, path
};

} // namespace

std::optional<std::vector<std::vector<Uint256>>>
LeafPaths(const std::vector<common::TaprootLeaf>& leaves)
{
    std::vector<std::optional<TreeNode>> stack; // index = depth
    std::vector<std::vector<Uint256>> paths(leaves.size());
    for (size_t i = 0; i < leaves.size(); ++i) {
        const auto& leaf = leaves[i];
        TreeNode node{consensus::ComputeTapleafHash(leaf.leaf_version, leaf.script.bytes()),
                      {{i, {}}}};
        int depth = leaf.depth;
        while (true) {
            if (depth < 0 || depth > 128) return std::nullopt;
            if (stack.size() <= static_cast<size_t>(depth)) stack.resize(depth + 1);
            if (!stack[depth]) {
                stack[depth] = std::move(node);
                break;
            }
            TreeNode left = std::move(*stack[depth]);
            stack[depth].reset();
            if (depth == 0) return std::nullopt;
            TreeNode parent;
            parent.hash = consensus::ComputeTapbranchHash(left.hash, node.hash);
            for (auto& [idx, path] : left.leaves) {
                path.push_back(node.hash);
                parent.leaves.emplace_back(idx, std::move(path));
            }
            for (auto& [idx, path] : node.leaves) {
                path.push_back(left.hash);
                parent.leaves.emplace_back(idx, std::move(path));
            }
            node = std::move(parent);
            --depth;
        }
    }
    if (stack.empty() || !stack[0]) return std::nullopt;
    for (size_t depth = 1; depth < stack.size(); ++depth) {
        if (stack[depth]) return std::nullopt;
    }
    for (auto& [idx, path] : stack[0]->leaves)
        paths[idx] = std::move(path);
    return paths;
}

namespace {

// Taproot: a key-path signature (present or a placeholder when the internal key is known), else
// a one-key leaf signed in tap_script_sigs.
bool SolveTaproot(const Script& spk, const Known& known, std::vector<Bytes>& stack,
                  WalkResult& result)
{
    int version{0};
    Bytes program;
    spk.IsWitnessProgram(version, program);
    if (known.provider) {
        const auto it = known.provider->taproot.find(Uint256{program});
        if (it != known.provider->taproot.end()) result.tap = it->second;
    }
    const PsbtInput* input = known.input;
    if (input && !input->tap_key_sig.empty()) {
        stack.push_back(input->tap_key_sig);
        return true;
    }
    if (input) {
        for (const auto& [leaf, controls] : input->tap_scripts) {
            const Bytes& script = leaf.first;
            if (script.size() != 34 || script[0] != 32 || script[33] != consensus::OP_CHECKSIG ||
                controls.empty()) {
                continue;
            }
            const Uint256 leaf_hash = consensus::ComputeTapleafHash(leaf.second, script);
            common::PsbtHash32 xonly{}, lh{};
            std::copy(script.begin() + 1, script.begin() + 33, xonly.begin());
            std::copy(leaf_hash.begin(), leaf_hash.end(), lh.begin());
            const auto sig = input->tap_script_sigs.find({xonly, lh});
            if (sig == input->tap_script_sigs.end()) continue;
            stack = {sig->second, script, *controls.begin()};
            return true;
        }
    }
    result.have_sigs = false;
    const bool have_internal =
        (input && input->tap_internal_key) || (result.tap && !result.tap->internal_key.IsNull());
    if (have_internal) {
        stack.push_back(Bytes(DUMMY_SCHNORR_SIG_SIZE, 0));
        return true;
    }
    return false;
}

} // namespace

// Core's ProduceSignature over `spk` with what `known` holds: the satisfying scriptSig and
// witness (placeholders for absent signatures) and what is missing.
WalkResult Walk(const Script& spk, const Known& known)
{
    WalkResult result;
    std::vector<Bytes> stack;
    std::vector<Bytes> sol;
    common::TxoutType type = common::Solver(spk, sol);
    Script inner = spk;
    bool p2sh{false};
    if (type == common::TxoutType::SCRIPTHASH) {
        const Uint160 id{sol[0]};
        const auto redeem = FindScript(known, id);
        if (!redeem) {
            result.missing_redeem = id;
            return result;
        }
        result.redeem_script = *redeem;
        inner = *redeem;
        p2sh = true;
        sol.clear();
        type = common::Solver(inner, sol);
        if (type == common::TxoutType::SCRIPTHASH) return result;
    }
    bool solved{false};
    if (type == common::TxoutType::WITNESS_V0_KEYHASH) {
        result.witness = true;
        solved = SolveKeys(P2pkhOfHash(sol[0]), known, stack, result);
        result.wit = stack;
        stack.clear();
    } else if (type == common::TxoutType::WITNESS_V0_SCRIPTHASH) {
        const Uint256 program{sol[0]};
        const auto ws = FindScript(known, consensus::Ripemd160(program.span()));
        if (!ws || consensus::Sha256Hash(ws->bytes()) != program) {
            result.missing_witness = program;
        } else {
            result.witness = true;
            result.witness_script = *ws;
            std::vector<Bytes> wit;
            solved = SolveKeys(*ws, known, wit, result);
            wit.push_back(ws->bytes());
            result.wit = std::move(wit);
        }
    } else if (type == common::TxoutType::WITNESS_V1_TAPROOT && !p2sh) {
        result.witness = true;
        solved = SolveTaproot(inner, known, result.wit, result);
    } else if (type == common::TxoutType::WITNESS_UNKNOWN ||
               type == common::TxoutType::WITNESS_V1_TAPROOT || type == common::TxoutType::ANCHOR) {
        // Nothing a signer can do.
    } else {
        solved = SolveKeys(inner, known, stack, result);
    }
    if (p2sh) stack.push_back(inner.bytes());
    result.script_sig = PushAll(stack);
    result.solved = solved;
    return result;
}

Known KnownFromInput(const PsbtInput& input, const Provider* provider)
{
    Known known;
    known.partial_sigs = &input.partial_sigs;
    known.derivs.push_back(&input.bip32_derivs);
    known.scripts = {input.redeem_script, input.witness_script};
    known.provider = provider;
    known.input = &input;
    return known;
}

} // namespace rpc::psbt_internal
