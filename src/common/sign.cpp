#include <common/sign.h>

#include <consensus/hash.h>
#include <consensus/script/interpreter.h>

#include <array>
#include <optional>

namespace common {

// The signer is written in terms of the consensus library throughout.
using namespace consensus;

namespace {

using Bytes = std::vector<uint8_t>;

enum class Template
{
    NONSTANDARD,
    PUBKEY,
    PUBKEYHASH,
    SCRIPTHASH,
    MULTISIG,
    WITNESS_V0_KEYHASH,
    WITNESS_V0_SCRIPTHASH,
    WITNESS_V1_TAPROOT,
};

struct Solved
{
    Template type{Template::NONSTANDARD};
    int required{0};
    std::vector<Bytes> data; // keys (P2PK, multisig) or the hash / program
};

bool PlausibleKey(const Bytes& key)
{
    return IsPubKeyEncodingPlausible(key);
}

// The standard templates a signer can satisfy (multisig counts as OP_1..OP_16 only).
Solved Solve(const Script& script)
{
    Solved s;
    const auto& b = script.bytes();
    int version{0};
    Bytes program;
    if (script.IsPayToScriptHash()) {
        s.type = Template::SCRIPTHASH;
        s.data.emplace_back(b.begin() + 2, b.begin() + 22);
    } else if (script.IsWitnessProgram(version, program)) {
        if (version == 0 && program.size() == 20) {
            s.type = Template::WITNESS_V0_KEYHASH;
        } else if (version == 0 && program.size() == 32) {
            s.type = Template::WITNESS_V0_SCRIPTHASH;
        } else if (version == 1 && program.size() == 32) {
            s.type = Template::WITNESS_V1_TAPROOT;
        } else {
            return s;
        }
        s.data.push_back(std::move(program));
    } else if ((b.size() == 35 || b.size() == 67) && b[0] == b.size() - 2 &&
               b.back() == OP_CHECKSIG && PlausibleKey(Bytes(b.begin() + 1, b.end() - 1))) {
        s.type = Template::PUBKEY;
        s.data.emplace_back(b.begin() + 1, b.end() - 1);
    } else if (b.size() == 25 && b[0] == OP_DUP && b[1] == OP_HASH160 && b[2] == 20 &&
               b[23] == OP_EQUALVERIFY && b[24] == OP_CHECKSIG) {
        s.type = Template::PUBKEYHASH;
        s.data.emplace_back(b.begin() + 3, b.begin() + 23);
    } else if (!b.empty() && b.back() == OP_CHECKMULTISIG) {
        auto pc = script.begin();
        Opcode op;
        Bytes data;
        if (!script.GetOp(pc, op, &data) || op < OP_1 || op > OP_16) return s;
        const int required = DecodeOpN(op);
        std::vector<Bytes> keys;
        while (script.GetOp(pc, op, &data) && op <= OP_PUSHDATA4 && PlausibleKey(data)) {
            keys.push_back(data);
        }
        if (op < OP_1 || op > OP_16 || DecodeOpN(op) != static_cast<int>(keys.size()) ||
            required > DecodeOpN(op) || pc + 1 != script.end()) {
            return s;
        }
        s.type = Template::MULTISIG;
        s.required = required;
        s.data = std::move(keys);
    }
    return s;
}

Script P2pkhScript(std::span<const uint8_t> hash)
{
    Script s;
    s << OP_DUP << OP_HASH160 << hash << OP_EQUALVERIFY << OP_CHECKSIG;
    return s;
}

// Core's PushAll: small numbers as OP_N, empty as OP_0, everything else as a minimal push.
Script PushAll(const std::vector<Bytes>& values)
{
    Script out;
    for (const Bytes& v : values) {
        if (v.empty()) {
            out << OP_0;
        } else if (v.size() == 1 && v[0] >= 1 && v[0] <= 16) {
            out << EncodeOpN(v[0]);
        } else if (v.size() == 1 && v[0] == 0x81) {
            out << OP_1NEGATE;
        } else {
            out << v;
        }
    }
    return out;
}

struct Signer
{
    const Transaction& tx;
    unsigned n_in;
    Amount amount;
    int hash_type;
    const PrecomputedTxData& txdata;
    const SigningProvider& provider;
    const KnownSignatures& known;
    bool allow_signing;

    const PrivKey* FindKey(const Uint160& id) const
    {
        const auto it = provider.keys.find(id);
        return it == provider.keys.end() ? nullptr : &it->second;
    }

    std::optional<Script> FindScript(const Uint160& id) const
    {
        if (const auto it = provider.scripts.find(id); it != provider.scripts.end()) {
            return it->second;
        }
        if (const auto it = known.scripts.find(id); it != known.scripts.end()) return it->second;
        return std::nullopt;
    }

    bool CreateSig(const Bytes& pubkey, const Script& code, SigVersion sigversion, Bytes& sig) const
    {
        if (const auto it = known.ecdsa.find(pubkey); it != known.ecdsa.end()) {
            sig = it->second;
            return true;
        }
        if (!allow_signing) return false;
        const PrivKey* key = FindKey(Hash160(pubkey));
        if (key == nullptr || key->GetPubKey() != pubkey) return false;
        // Segwit v0 only accepts compressed keys (BIP143 policy), so Core will not sign with one.
        if (sigversion == SigVersion::WITNESS_V0 && !key->IsCompressed()) return false;
        const int type = hash_type == SIGHASH_DEFAULT ? SIGHASH_ALL : hash_type;
        const Uint256 hash = SignatureHash(code, tx, n_in, type, amount, sigversion, &txdata);
        sig = key->SignEcdsa(hash);
        sig.push_back(static_cast<uint8_t>(type));
        return true;
    }

    bool SignTaproot(const Bytes& program, std::vector<Bytes>& ret) const
    {
        if (!known.taproot_key_path.empty()) {
            ret.push_back(known.taproot_key_path);
            return true;
        }
        if (!allow_signing) return false;
        const auto id = provider.taproot_keys.find(Uint256{program});
        if (id == provider.taproot_keys.end()) return false;
        const PrivKey* key = FindKey(id->second);
        if (key == nullptr) return false;
        ScriptExecutionData execdata;
        execdata.annex_init = true;
        execdata.annex_present = false;
        Uint256 hash;
        if (!SignatureHashSchnorr(hash, execdata, tx, n_in, static_cast<uint8_t>(hash_type),
                                  SigVersion::TAPROOT, txdata)) {
            return false;
        }
        const std::array<uint8_t, 32> aux{};
        const auto sig64 = key->SignSchnorr(hash, aux, nullptr, /*key_path_tweak=*/true);
        Bytes sig(sig64.begin(), sig64.end());
        if (hash_type != SIGHASH_DEFAULT) sig.push_back(static_cast<uint8_t>(hash_type));
        ret.push_back(std::move(sig));
        return true;
    }

    // One step of Core's SignStep: the pushes satisfying `script`, or the next script to solve.
    bool Step(const Script& script, std::vector<Bytes>& ret, Template& type,
              SigVersion sigversion) const
    {
        ret.clear();
        const Solved s = Solve(script);
        type = s.type;
        Bytes sig;
        switch (s.type) {
        case Template::NONSTANDARD:
            return false;
        case Template::PUBKEY:
            if (!CreateSig(s.data[0], script, sigversion, sig)) return false;
            ret.push_back(std::move(sig));
            return true;
        case Template::PUBKEYHASH: {
            const Uint160 id{s.data[0]};
            Bytes pubkey;
            if (const PrivKey* key = FindKey(id)) {
                pubkey = key->GetPubKey();
            } else {
                for (const auto& [known_key, known_sig] : known.ecdsa) {
                    if (Hash160(known_key) == id) pubkey = known_key;
                }
            }
            if (pubkey.empty() || !CreateSig(pubkey, script, sigversion, sig)) return false;
            ret.push_back(std::move(sig));
            ret.push_back(std::move(pubkey));
            return true;
        }
        case Template::SCRIPTHASH: {
            const auto redeem = FindScript(Uint160{s.data[0]});
            if (!redeem) return false;
            ret.push_back(redeem->bytes());
            return true;
        }
        case Template::MULTISIG: {
            ret.emplace_back(); // the extra item CHECKMULTISIG pops
            for (const Bytes& pubkey : s.data) {
                // Every key is tried so all signatures that can be made are made.
                if (CreateSig(pubkey, script, sigversion, sig) &&
                    ret.size() < static_cast<size_t>(s.required) + 1) {
                    ret.push_back(sig);
                }
            }
            const bool ok = ret.size() == static_cast<size_t>(s.required) + 1;
            while (ret.size() < static_cast<size_t>(s.required) + 1)
                ret.emplace_back();
            return ok;
        }
        case Template::WITNESS_V0_KEYHASH:
            ret.push_back(s.data[0]);
            return true;
        case Template::WITNESS_V0_SCRIPTHASH: {
            const auto ws = FindScript(Ripemd160(s.data[0]));
            if (!ws) return false;
            ret.push_back(ws->bytes());
            return true;
        }
        case Template::WITNESS_V1_TAPROOT:
            return SignTaproot(s.data[0], ret);
        }
        return false;
    }
};

// The script code and signature version a push in this input is checked under (see
// CollectSignatures), or nullopt for taproot and unknown shapes.
struct SpendContext
{
    Script code;
    SigVersion sigversion{SigVersion::BASE};
    std::vector<Bytes> script_keys; // keys named by the executed script
};

std::vector<Bytes> Pushes(const Script& script)
{
    std::vector<Bytes> out;
    auto pc = script.begin();
    Opcode op;
    Bytes data;
    while (pc < script.end() && script.GetOp(pc, op, &data)) {
        if (op <= OP_PUSHDATA4) out.push_back(data);
    }
    return out;
}

} // namespace

void SigningProvider::AddKey(const PrivKey& key)
{
    const Bytes pubkey = key.GetPubKey();
    const Uint160 id = Hash160(pubkey);
    keys.insert_or_assign(id, key);
    if (key.IsCompressed()) {
        Script p2wpkh;
        p2wpkh << OP_0 << id.span();
        AddScript(p2wpkh);
        const XOnlyPubKey internal = key.GetXOnlyPubKey();
        if (const auto tweaked = internal.CreateTapTweak(nullptr)) {
            taproot_keys.insert_or_assign(tweaked->first.bytes(), id);
        }
    }
}

void SigningProvider::AddScript(const Script& script)
{
    scripts.insert_or_assign(Hash160(script.bytes()), script);
}

void CollectSignatures(const Transaction& tx, unsigned n_in, const TxOut& spent,
                       const Script& script_sig, const ScriptWitness& witness,
                       const PrecomputedTxData& txdata, KnownSignatures& known)
{
    const std::vector<Bytes> sig_pushes = Pushes(script_sig);
    Script inner = spent.script_pubkey;
    Solved solved = Solve(inner);
    if (solved.type == Template::SCRIPTHASH) {
        if (sig_pushes.empty()) return;
        inner = Script{sig_pushes.back()};
        if (Hash160(inner.bytes()) != Uint160{solved.data[0]}) return;
        known.scripts.insert_or_assign(Hash160(inner.bytes()), inner);
        solved = Solve(inner);
    }
    std::vector<Bytes> items = sig_pushes;
    SpendContext ctx;
    ctx.code = inner;
    if (solved.type == Template::WITNESS_V1_TAPROOT) {
        if (witness.stack.empty()) return;
        const Bytes& sig = witness.stack[0];
        if (witness.stack.size() != 1 || (sig.size() != 64 && sig.size() != 65)) return;
        const uint8_t hash_type = sig.size() == 65 ? sig.back() : 0;
        if (sig.size() == 65 && hash_type == SIGHASH_DEFAULT) return;
        ScriptExecutionData execdata;
        execdata.annex_init = true;
        Uint256 hash;
        if (!SignatureHashSchnorr(hash, execdata, tx, n_in, hash_type, SigVersion::TAPROOT,
                                  txdata)) {
            return;
        }
        const XOnlyPubKey key{Uint256{solved.data[0]}};
        if (key.VerifySchnorr(hash, std::span{sig}.first(64))) known.taproot_key_path = sig;
        return;
    }
    if (solved.type == Template::WITNESS_V0_KEYHASH) {
        ctx.code = P2pkhScript(solved.data[0]);
        ctx.sigversion = SigVersion::WITNESS_V0;
        items = witness.stack;
    } else if (solved.type == Template::WITNESS_V0_SCRIPTHASH) {
        if (witness.stack.empty()) return;
        Script ws{witness.stack.back()};
        if (Sha256Hash(ws.bytes()) != Uint256{solved.data[0]}) return;
        known.scripts.insert_or_assign(Hash160(ws.bytes()), ws);
        ctx.code = ws;
        ctx.sigversion = SigVersion::WITNESS_V0;
        items = witness.stack;
        solved = Solve(ws);
    }
    if (solved.type == Template::PUBKEY || solved.type == Template::MULTISIG) {
        ctx.script_keys = solved.data;
    }
    std::vector<Bytes> keys = ctx.script_keys;
    for (const Bytes& item : items) {
        if (IsPubKeyEncodingPlausible(item)) keys.push_back(item);
    }
    const TransactionSignatureChecker checker{&tx, n_in, spent.value, txdata};
    for (const Bytes& item : items) {
        if (item.size() < 9 || item.size() > 73) continue;
        for (const Bytes& key : keys) {
            if (known.ecdsa.contains(key)) continue;
            if (checker.CheckEcdsaSignature(item, key, ctx.code, ctx.sigversion)) {
                known.ecdsa.emplace(key, item);
                break;
            }
        }
    }
}

SignedInput SignInput(const Transaction& tx, unsigned n_in, const TxOut& spent, int hash_type,
                      const PrecomputedTxData& txdata, const SigningProvider& provider,
                      const KnownSignatures& known, bool allow_signing)
{
    const Signer signer{tx, n_in, spent.value, hash_type, txdata, provider, known, allow_signing};
    SignedInput out;
    std::vector<Bytes> result;
    Template type{Template::NONSTANDARD};
    bool solved = signer.Step(spent.script_pubkey, result, type, SigVersion::BASE);
    bool p2sh{false};
    Script subscript;
    if (solved && type == Template::SCRIPTHASH) {
        subscript = Script{result[0]};
        solved =
            signer.Step(subscript, result, type, SigVersion::BASE) && type != Template::SCRIPTHASH;
        p2sh = true;
    }
    if (solved && type == Template::WITNESS_V0_SCRIPTHASH) {
        const Script ws{result[0]};
        Template sub{Template::NONSTANDARD};
        solved = signer.Step(ws, result, sub, SigVersion::WITNESS_V0) &&
                 sub != Template::SCRIPTHASH && sub != Template::WITNESS_V0_SCRIPTHASH &&
                 sub != Template::WITNESS_V0_KEYHASH && sub != Template::WITNESS_V1_TAPROOT;
        result.push_back(ws.bytes());
        out.witness.stack = std::move(result);
        result.clear();
    } else if (solved && type == Template::WITNESS_V0_KEYHASH) {
        const Script code = P2pkhScript(result[0]);
        Template sub{Template::NONSTANDARD};
        solved = signer.Step(code, result, sub, SigVersion::WITNESS_V0);
        out.witness.stack = std::move(result);
        result.clear();
    } else if (type == Template::WITNESS_V1_TAPROOT && !p2sh) {
        if (solved) out.witness.stack = std::move(result);
        result.clear();
    } else if (type == Template::WITNESS_V1_TAPROOT) {
        solved = false;
    }
    if (p2sh) result.push_back(subscript.bytes());
    out.script_sig = PushAll(result);
    if (solved) {
        const TransactionSignatureChecker checker{&tx, n_in, spent.value, txdata};
        out.complete = VerifyScript(out.script_sig, spent.script_pubkey, &out.witness,
                                    STANDARD_SCRIPT_VERIFY_FLAGS, checker);
    }
    return out;
}

} // namespace common
