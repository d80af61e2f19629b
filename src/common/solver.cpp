#include <common/solver.h>

#include <consensus/script/interpreter.h>

#include <optional>

namespace common {

namespace {

using consensus::Opcode;
using consensus::Script;
using Bytes = std::vector<uint8_t>;

// Serialized length a public key must have given its prefix byte (0: unknown prefix). Hybrid
// prefixes 06/07 count, as in Core's CPubKey::ValidSize.
size_t PubKeyLength(uint8_t prefix)
{
    if (prefix == 0x02 || prefix == 0x03) return 33;
    if (prefix == 0x04 || prefix == 0x06 || prefix == 0x07) return 65;
    return 0;
}

bool PubKeyValidSize(const Bytes& key)
{
    return !key.empty() && PubKeyLength(key[0]) == key.size();
}

// Core's CScript::IsPushOnly from an offset; OP_RESERVED counts as a push there.
bool PushOnlyFrom(const Script& script, size_t offset)
{
    auto pc = script.begin() + static_cast<std::ptrdiff_t>(offset);
    while (pc < script.end()) {
        Opcode op;
        if (!script.GetOp(pc, op)) return false;
        if (op > consensus::OP_16) return false;
    }
    return true;
}

bool MatchPayToPubkey(const Script& script, Bytes& pubkey)
{
    const auto& b = script.bytes();
    if (b.size() == 67 && b[0] == 65 && b.back() == consensus::OP_CHECKSIG) {
        pubkey.assign(b.begin() + 1, b.begin() + 66);
        return PubKeyValidSize(pubkey);
    }
    // The compressed form requires an 02/03 prefix before the size check.
    if (b.size() == 35 && b[0] == 33 && b.back() == consensus::OP_CHECKSIG &&
        (b[1] == 0x02 || b[1] == 0x03)) {
        pubkey.assign(b.begin() + 1, b.begin() + 34);
        return PubKeyValidSize(pubkey);
    }
    return false;
}

bool MatchPayToPubkeyHash(const Script& script, Bytes& hash)
{
    const auto& b = script.bytes();
    if (b.size() != 25 || b[0] != consensus::OP_DUP || b[1] != consensus::OP_HASH160 ||
        b[2] != 20 || b[23] != consensus::OP_EQUALVERIFY || b[24] != consensus::OP_CHECKSIG) {
        return false;
    }
    hash.assign(b.begin() + 3, b.begin() + 23);
    return true;
}

// A count in [min, max] given as OP_1..OP_16 or as a minimal push of a minimally encoded
// script number of at most 4 bytes (Core's GetScriptNumber).
std::optional<int> ScriptNumber(Opcode op, const Bytes& data, int min, int max)
{
    int64_t count{0};
    if (op >= consensus::OP_1 && op <= consensus::OP_16) {
        count = consensus::DecodeOpN(op);
    } else if (op > consensus::OP_0 && op <= consensus::OP_PUSHDATA4) {
        if (!consensus::CheckMinimalPush(data, op)) return std::nullopt;
        if (data.size() > 4) return std::nullopt;
        if (!data.empty() && (data.back() & 0x7f) == 0 &&
            (data.size() == 1 || (data[data.size() - 2] & 0x80) == 0)) {
            return std::nullopt;
        }
        // Little-endian magnitude with the sign in the top bit of the last byte.
        uint64_t magnitude{0};
        for (size_t i = 0; i < data.size(); ++i) {
            magnitude |= static_cast<uint64_t>(data[i]) << (8 * i);
        }
        if (!data.empty() && (data.back() & 0x80) != 0) {
            magnitude &= ~(uint64_t{0x80} << (8 * (data.size() - 1)));
            count = -static_cast<int64_t>(magnitude);
        } else {
            count = static_cast<int64_t>(magnitude);
        }
    } else {
        return std::nullopt;
    }
    if (count < min || count > max) return std::nullopt;
    return static_cast<int>(count);
}

bool MatchMultisig(const Script& script, int& required, std::vector<Bytes>& keys)
{
    if (script.empty() || script.bytes().back() != consensus::OP_CHECKMULTISIG) return false;
    auto pc = script.begin();
    Opcode op;
    Bytes data;
    if (!script.GetOp(pc, op, &data)) return false;
    const auto req = ScriptNumber(op, data, 1, consensus::MAX_PUBKEYS_PER_MULTISIG);
    if (!req) return false;
    required = *req;
    for (;;) {
        // A truncated script cannot end in a count followed by CHECKMULTISIG.
        if (!script.GetOp(pc, op, &data)) return false;
        if (!PubKeyValidSize(data)) break;
        keys.push_back(data);
    }
    const auto count = ScriptNumber(op, data, required, consensus::MAX_PUBKEYS_PER_MULTISIG);
    if (!count || keys.size() != static_cast<size_t>(*count)) return false;
    return pc != script.end() && pc + 1 == script.end();
}

bool IsPayToAnchor(const Script& script)
{
    const auto& b = script.bytes();
    return b.size() == 4 && b[0] == consensus::OP_1 && b[1] == 0x02 && b[2] == 0x4e && b[3] == 0x73;
}

} // namespace

std::string TxoutTypeName(TxoutType type)
{
    switch (type) {
    case TxoutType::NONSTANDARD:
        return "nonstandard";
    case TxoutType::ANCHOR:
        return "anchor";
    case TxoutType::PUBKEY:
        return "pubkey";
    case TxoutType::PUBKEYHASH:
        return "pubkeyhash";
    case TxoutType::SCRIPTHASH:
        return "scripthash";
    case TxoutType::MULTISIG:
        return "multisig";
    case TxoutType::NULL_DATA:
        return "nulldata";
    case TxoutType::WITNESS_V0_SCRIPTHASH:
        return "witness_v0_scripthash";
    case TxoutType::WITNESS_V0_KEYHASH:
        return "witness_v0_keyhash";
    case TxoutType::WITNESS_V1_TAPROOT:
        return "witness_v1_taproot";
    case TxoutType::WITNESS_UNKNOWN:
        return "witness_unknown";
    }
    return "nonstandard";
}

TxoutType Solver(const consensus::Script& script, std::vector<std::vector<uint8_t>>& solutions)
{
    solutions.clear();
    const auto& b = script.bytes();

    // P2SH is checked first: its exact 23-byte shape wins over every other reading.
    if (script.IsPayToScriptHash()) {
        solutions.emplace_back(b.begin() + 2, b.begin() + 22);
        return TxoutType::SCRIPTHASH;
    }

    int version{0};
    Bytes program;
    if (script.IsWitnessProgram(version, program)) {
        if (version == 0 && program.size() == 20) {
            solutions.push_back(std::move(program));
            return TxoutType::WITNESS_V0_KEYHASH;
        }
        if (version == 0 && program.size() == 32) {
            solutions.push_back(std::move(program));
            return TxoutType::WITNESS_V0_SCRIPTHASH;
        }
        if (version == 1 && program.size() == 32) {
            solutions.push_back(std::move(program));
            return TxoutType::WITNESS_V1_TAPROOT;
        }
        if (IsPayToAnchor(script)) return TxoutType::ANCHOR;
        if (version != 0) {
            solutions.push_back(Bytes{static_cast<uint8_t>(version)});
            solutions.push_back(std::move(program));
            return TxoutType::WITNESS_UNKNOWN;
        }
        // Version 0 with any other program length can never be spent.
        return TxoutType::NONSTANDARD;
    }

    // Whatever the pushes after OP_RETURN carry, the output is provably unspendable.
    if (!b.empty() && b[0] == consensus::OP_RETURN && PushOnlyFrom(script, 1)) {
        return TxoutType::NULL_DATA;
    }

    Bytes data;
    if (MatchPayToPubkey(script, data)) {
        solutions.push_back(std::move(data));
        return TxoutType::PUBKEY;
    }
    if (MatchPayToPubkeyHash(script, data)) {
        solutions.push_back(std::move(data));
        return TxoutType::PUBKEYHASH;
    }

    int required{0};
    std::vector<Bytes> keys;
    if (MatchMultisig(script, required, keys)) {
        // Both counts are within 1..20, so one byte each holds them.
        solutions.push_back(Bytes{static_cast<uint8_t>(required)});
        solutions.insert(solutions.end(), keys.begin(), keys.end());
        solutions.push_back(Bytes{static_cast<uint8_t>(keys.size())});
        return TxoutType::MULTISIG;
    }

    solutions.clear();
    return TxoutType::NONSTANDARD;
}

} // namespace common
