#include <rpc/core_write.h>

#include <common/chainparams.h>
#include <common/key_io.h>
#include <consensus/crypto/pubkey.h>
#include <consensus/script/interpreter.h>
#include <consensus/serialize.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rpc {

namespace {

using consensus::Opcode;
using consensus::Script;

// The value of a push of at most four bytes, read as the interpreter's sign-magnitude numbers
// without the minimal-encoding rule (how Core prints small pushes in asm).
int64_t SmallPushValue(const std::vector<uint8_t>& data)
{
    if (data.empty()) return 0;
    int64_t value{0};
    for (size_t i = 0; i < data.size(); ++i) {
        value |= static_cast<int64_t>(data[i]) << (8 * i);
    }
    if (data.back() & 0x80) {
        return -(value & ~(static_cast<int64_t>(0x80) << (8 * (data.size() - 1))));
    }
    return value;
}

// Core's names of the six defined hash types, for "[ALL]"-style suffixes in asm.
std::optional<std::string_view> SighashName(uint8_t hash_type)
{
    switch (hash_type) {
    case 0x01:
        return "ALL";
    case 0x81:
        return "ALL|ANYONECANPAY";
    case 0x02:
        return "NONE";
    case 0x82:
        return "NONE|ANYONECANPAY";
    case 0x03:
        return "SINGLE";
    case 0x83:
        return "SINGLE|ANYONECANPAY";
    default:
        return std::nullopt;
    }
}

// Core's script classification (Solver), with the data it extracts.
enum class TxoutType
{
    NONSTANDARD,
    PUBKEY,
    PUBKEYHASH,
    SCRIPTHASH,
    MULTISIG,
    NULL_DATA,
    WITNESS_V0_KEYHASH,
    WITNESS_V0_SCRIPTHASH,
    WITNESS_V1_TAPROOT,
    ANCHOR,
    WITNESS_UNKNOWN,
};

struct Solution
{
    TxoutType type{TxoutType::NONSTANDARD};
    int required{0};                        // multisig threshold
    std::vector<std::vector<uint8_t>> keys; // pubkeys (P2PK, multisig) or the one hash/program
};

// Length a serialized public key must have given its first byte (0 if the prefix is unknown).
size_t PubKeyLengthForHeader(uint8_t header)
{
    if (header == 2 || header == 3) return 33;
    if (header == 4 || header == 6 || header == 7) return 65;
    return 0;
}

bool PubKeyValidSize(const std::vector<uint8_t>& key)
{
    return !key.empty() && PubKeyLengthForHeader(key[0]) == key.size();
}

// Core's push-only test, which (unlike the consensus helper) lets OP_RESERVED through.
bool IsPushOnlyFrom(const Script& script, size_t offset)
{
    auto pc = script.begin() + static_cast<std::ptrdiff_t>(offset);
    while (pc < script.end()) {
        Opcode op;
        if (!script.GetOp(pc, op)) return false;
        if (op > consensus::OP_16) return false;
    }
    return true;
}

// A multisig count: OP_1..OP_16, or a minimal push of a minimal number, within [min, max].
std::optional<int> MultisigNumber(Opcode op, const std::vector<uint8_t>& data, int min, int max)
{
    int count{0};
    if (op >= consensus::OP_1 && op <= consensus::OP_16) {
        count = consensus::DecodeOpN(op);
    } else if (op > consensus::OP_0 && op <= consensus::OP_PUSHDATA4) {
        if (!consensus::CheckMinimalPush(data, op)) return std::nullopt;
        if (data.size() > 4) return std::nullopt;
        // Minimal number encoding: the last byte must carry more than the sign bit.
        if (!data.empty() && (data.back() & 0x7f) == 0 &&
            (data.size() == 1 || (data[data.size() - 2] & 0x80) == 0)) {
            return std::nullopt;
        }
        const int64_t value = SmallPushValue(data);
        if (value < min || value > max) return std::nullopt;
        count = static_cast<int>(value);
    } else {
        return std::nullopt;
    }
    if (count < min || count > max) return std::nullopt;
    return count;
}

bool MatchMultisig(const Script& script, Solution& out)
{
    if (script.empty() || script.bytes().back() != consensus::OP_CHECKMULTISIG) return false;
    auto pc = script.begin();
    Opcode op;
    std::vector<uint8_t> data;
    if (!script.GetOp(pc, op, &data)) return false;
    const auto required = MultisigNumber(op, data, 1, consensus::MAX_PUBKEYS_PER_MULTISIG);
    if (!required) return false;
    std::vector<std::vector<uint8_t>> keys;
    while (script.GetOp(pc, op, &data) && PubKeyValidSize(data)) {
        keys.push_back(data);
    }
    // A non-push opcode leaves `data` empty in GetOp, so the count is read from `op`.
    const auto count = MultisigNumber(op, data, *required, consensus::MAX_PUBKEYS_PER_MULTISIG);
    if (!count || keys.size() != static_cast<size_t>(*count)) return false;
    if (pc + 1 != script.end()) return false;
    out.type = TxoutType::MULTISIG;
    out.required = *required;
    out.keys = std::move(keys);
    return true;
}

Solution Solve(const Script& script)
{
    Solution sol;
    const auto& b = script.bytes();
    if (script.IsPayToScriptHash()) {
        sol.type = TxoutType::SCRIPTHASH;
        sol.keys.emplace_back(b.begin() + 2, b.begin() + 22);
        return sol;
    }
    int version{0};
    std::vector<uint8_t> program;
    if (script.IsWitnessProgram(version, program)) {
        if (version == 0 && program.size() == 20) {
            sol.type = TxoutType::WITNESS_V0_KEYHASH;
        } else if (version == 0 && program.size() == 32) {
            sol.type = TxoutType::WITNESS_V0_SCRIPTHASH;
        } else if (version == 1 && program.size() == 32) {
            sol.type = TxoutType::WITNESS_V1_TAPROOT;
        } else if (b.size() == 4 && b[0] == consensus::OP_1 && b[1] == 0x02 && b[2] == 0x4e &&
                   b[3] == 0x73) {
            sol.type = TxoutType::ANCHOR;
            return sol;
        } else if (version != 0) {
            sol.type = TxoutType::WITNESS_UNKNOWN;
        } else {
            return sol;
        }
        sol.keys.push_back(std::move(program));
        return sol;
    }
    if (!b.empty() && b[0] == consensus::OP_RETURN && IsPushOnlyFrom(script, 1)) {
        sol.type = TxoutType::NULL_DATA;
        return sol;
    }
    if ((b.size() == 35 && b[0] == 33) || (b.size() == 67 && b[0] == 65)) {
        std::vector<uint8_t> key(b.begin() + 1, b.end() - 1);
        if (b.back() == consensus::OP_CHECKSIG && PubKeyValidSize(key)) {
            sol.type = TxoutType::PUBKEY;
            sol.keys.push_back(std::move(key));
            return sol;
        }
    }
    if (b.size() == 25 && b[0] == consensus::OP_DUP && b[1] == consensus::OP_HASH160 &&
        b[2] == 20 && b[23] == consensus::OP_EQUALVERIFY && b[24] == consensus::OP_CHECKSIG) {
        sol.type = TxoutType::PUBKEYHASH;
        sol.keys.emplace_back(b.begin() + 3, b.begin() + 23);
        return sol;
    }
    if (MatchMultisig(script, sol)) return sol;
    return Solution{};
}

std::string TypeName(TxoutType type)
{
    switch (type) {
    case TxoutType::NONSTANDARD:
        return "nonstandard";
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
    case TxoutType::WITNESS_V0_KEYHASH:
        return "witness_v0_keyhash";
    case TxoutType::WITNESS_V0_SCRIPTHASH:
        return "witness_v0_scripthash";
    case TxoutType::WITNESS_V1_TAPROOT:
        return "witness_v1_taproot";
    case TxoutType::ANCHOR:
        return "anchor";
    case TxoutType::WITNESS_UNKNOWN:
        return "witness_unknown";
    }
    return "nonstandard";
}

// "name(inner)", built by appending (gcc 12 warns falsely on literal + temporary string).
std::string Wrap(std::string_view name, std::string_view inner)
{
    std::string out{name};
    out += '(';
    out += inner;
    out += ')';
    return out;
}

// Descriptors print keys as hex only for 02/03/04 prefixes (never hybrid keys).
bool IsNonHybridKey(const std::vector<uint8_t>& key)
{
    return !key.empty() && (key[0] == 2 || key[0] == 3 || key[0] == 4);
}

// The address of a script when Core's ExtractDestination gives one (not for P2PK).
std::optional<std::string> AddressOf(const Script& script, const common::ChainParams& params)
{
    const auto dest = common::ExtractDestination(script);
    if (!dest || !common::IsValidDestination(*dest)) return std::nullopt;
    if (common::GetScriptForDestination(*dest) != script) return std::nullopt;
    std::string address = common::EncodeDestination(*dest, params);
    if (address.empty()) return std::nullopt;
    return address;
}

// The descriptor body (no checksum) Core infers for a top-level script with no key knowledge.
std::string InferDescriptorBody(const Script& script, const common::ChainParams& params)
{
    const Solution sol = Solve(script);
    if (sol.type == TxoutType::PUBKEY && IsNonHybridKey(sol.keys[0])) {
        return Wrap("pk", util::HexStr(sol.keys[0]));
    }
    if (sol.type == TxoutType::MULTISIG) {
        bool ok{true};
        std::string body = std::to_string(sol.required);
        for (const auto& key : sol.keys) {
            if (!IsNonHybridKey(key)) {
                ok = false;
                break;
            }
            body += ',';
            body += util::HexStr(key);
        }
        if (ok) return Wrap("multi", body);
    }
    if (sol.type == TxoutType::WITNESS_V1_TAPROOT) {
        const consensus::XOnlyPubKey key{consensus::Uint256{sol.keys[0]}};
        if (key.IsFullyValid()) return Wrap("rawtr", util::HexStr(sol.keys[0]));
    }
    if (const auto address = AddressOf(script, params)) return Wrap("addr", *address);
    return Wrap("raw", util::HexStr(script.bytes()));
}

} // namespace

std::string ScriptToAsm(const consensus::Script& script, bool decode_sighash)
{
    std::string out;
    auto pc = script.begin();
    while (pc < script.end()) {
        if (!out.empty()) out += ' ';
        Opcode op;
        std::vector<uint8_t> data;
        if (!script.GetOp(pc, op, &data)) {
            out += "[error]";
            return out;
        }
        if (op > consensus::OP_PUSHDATA4) {
            out += consensus::GetOpName(op);
            continue;
        }
        if (data.size() <= 4) {
            out += std::to_string(SmallPushValue(data));
            continue;
        }
        // OP_RETURN data is never read as a signature, even when it looks like one.
        if (decode_sighash && !script.IsUnspendable() &&
            consensus::IsValidSignatureEncoding(data)) {
            if (const auto name = SighashName(data.back())) {
                data.pop_back();
                out += util::HexStr(data) + "[" + std::string{*name} + "]";
                continue;
            }
        }
        out += util::HexStr(data);
    }
    return out;
}

std::string ScriptTypeName(const consensus::Script& script)
{
    return TypeName(Solve(script).type);
}

std::string DescriptorChecksum(std::string_view descriptor)
{
    // BIP380: each character's position in this table feeds a BCH code over GF(32).
    static constexpr std::string_view INPUT_CHARSET{"0123456789()[],'/*abcdefgh@:$%{}"
                                                    "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
                                                    "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "};
    static constexpr std::string_view CHECKSUM_CHARSET{"qpzry9x8gf2tvdw0s3jn54khce6mua7l"};
    const auto poly_mod = [](uint64_t c, uint64_t value) {
        const uint8_t c0 = static_cast<uint8_t>(c >> 35);
        c = ((c & 0x7ffffffffULL) << 5) ^ value;
        if (c0 & 1) c ^= 0xf5dee51989ULL;
        if (c0 & 2) c ^= 0xa9fdca3312ULL;
        if (c0 & 4) c ^= 0x1bab10e32dULL;
        if (c0 & 8) c ^= 0x3706b1677aULL;
        if (c0 & 16) c ^= 0x644d626ffdULL;
        return c;
    };
    uint64_t c{1};
    uint64_t cls{0};
    int cls_count{0};
    for (const char ch : descriptor) {
        const size_t pos = INPUT_CHARSET.find(ch);
        if (pos == std::string_view::npos) return "";
        c = poly_mod(c, pos & 31);
        cls = cls * 3 + (pos >> 5);
        if (++cls_count == 3) {
            c = poly_mod(c, cls);
            cls = 0;
            cls_count = 0;
        }
    }
    if (cls_count > 0) c = poly_mod(c, cls);
    for (int j = 0; j < 8; ++j)
        c = poly_mod(c, 0);
    c ^= 1;
    std::string out(8, ' ');
    for (int j = 0; j < 8; ++j)
        out[j] = CHECKSUM_CHARSET[(c >> (5 * (7 - j))) & 31];
    return out;
}

std::string InferDescriptor(const consensus::Script& script, const common::ChainParams& params)
{
    std::string body = InferDescriptorBody(script, params);
    const std::string checksum = DescriptorChecksum(body);
    return body + "#" + checksum;
}

Json ScriptPubKeyToJson(const consensus::Script& script, const common::ChainParams& params,
                        bool include_hex, bool include_address)
{
    Json out = Json::object();
    out["asm"] = ScriptToAsm(script);
    if (include_address) out["desc"] = InferDescriptor(script, params);
    if (include_hex) out["hex"] = util::HexStr(script.bytes());
    const Solution sol = Solve(script);
    if (include_address && sol.type != TxoutType::PUBKEY) {
        if (const auto address = AddressOf(script, params)) out["address"] = *address;
    }
    out["type"] = TypeName(sol.type);
    return out;
}

Json TxToJson(const consensus::Transaction& tx, const consensus::Uint256& block_hash,
              const common::ChainParams& params, bool include_hex,
              const std::vector<interfaces::Coin>* spent, TxVerbosity verbosity)
{
    Json entry = Json::object();
    entry["txid"] = tx.GetHash().GetHex();
    entry["hash"] = tx.GetWitnessHash().GetHex();
    entry["version"] = tx.version;
    entry["size"] = tx.GetTotalSize();
    entry["vsize"] = tx.GetVirtualSize();
    entry["weight"] = tx.GetWeight();
    entry["locktime"] = tx.locktime;

    // Undo data is meaningless for a coinbase and unusable if it does not match the inputs.
    const bool have_undo = spent != nullptr && !tx.IsCoinBase() && spent->size() == tx.vin.size();
    consensus::Amount total_in{0};
    consensus::Amount total_out{0};

    Json vin = Json::array();
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const consensus::TxIn& txin = tx.vin[i];
        Json in = Json::object();
        if (tx.IsCoinBase()) {
            in["coinbase"] = util::HexStr(txin.script_sig.bytes());
        } else {
            in["txid"] = txin.prevout.hash.GetHex();
            in["vout"] = txin.prevout.n;
            Json script_sig = Json::object();
            script_sig["asm"] = ScriptToAsm(txin.script_sig, true);
            script_sig["hex"] = util::HexStr(txin.script_sig.bytes());
            in["scriptSig"] = std::move(script_sig);
        }
        if (!txin.witness.IsNull()) {
            Json witness = Json::array();
            for (const auto& item : txin.witness.stack)
                witness.push_back(util::HexStr(item));
            in["txinwitness"] = std::move(witness);
        }
        if (have_undo) {
            const interfaces::Coin& coin = (*spent)[i];
            total_in += coin.out.value;
            if (verbosity == TxVerbosity::SHOW_DETAILS_AND_PREVOUT) {
                Json prevout = Json::object();
                prevout["generated"] = coin.coinbase;
                prevout["height"] = coin.height;
                prevout["value"] = AmountToJson(coin.out.value);
                prevout["scriptPubKey"] = ScriptPubKeyToJson(coin.out.script_pubkey, params);
                in["prevout"] = std::move(prevout);
            }
        }
        in["sequence"] = txin.sequence;
        vin.push_back(std::move(in));
    }
    entry["vin"] = std::move(vin);

    Json vout = Json::array();
    for (size_t i = 0; i < tx.vout.size(); ++i) {
        const consensus::TxOut& txout = tx.vout[i];
        Json out = Json::object();
        out["value"] = AmountToJson(txout.value);
        out["n"] = i;
        out["scriptPubKey"] = ScriptPubKeyToJson(txout.script_pubkey, params);
        vout.push_back(std::move(out));
        total_out += txout.value;
    }
    entry["vout"] = std::move(vout);

    if (have_undo) entry["fee"] = AmountToJson(total_in - total_out);
    if (!block_hash.IsNull()) entry["blockhash"] = block_hash.GetHex();
    if (include_hex) entry["hex"] = util::HexStr(consensus::Encode(tx));
    return entry;
}

} // namespace rpc
