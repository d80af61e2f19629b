#include <rpc/core_write.h>

#include <common/descriptor.h>
#include <common/solver.h>

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

// The address of a script when Core's ExtractDestination gives one (not for P2PK).
std::optional<std::string> AddressOf(const consensus::Script& script,
                                     const common::ChainParams& params)
{
    const auto dest = common::ExtractDestination(script);
    if (!dest || !common::IsValidDestination(*dest)) return std::nullopt;
    if (common::GetScriptForDestination(*dest) != script) return std::nullopt;
    std::string address = common::EncodeDestination(*dest, params);
    if (address.empty()) return std::nullopt;
    return address;
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
    std::vector<std::vector<uint8_t>> solutions;
    return common::TxoutTypeName(common::Solver(script, solutions));
}

std::string InferDescriptor(const consensus::Script& script, const common::ChainParams& params)
{
    return common::InferDescriptorString(script, common::DescriptorExpansion{}, params);
}

Json ScriptPubKeyToJson(const consensus::Script& script, const common::ChainParams& params,
                        bool include_hex, bool include_address)
{
    Json out = Json::object();
    out["asm"] = ScriptToAsm(script);
    if (include_address) out["desc"] = InferDescriptor(script, params);
    if (include_hex) out["hex"] = util::HexStr(script.bytes());
    std::vector<std::vector<uint8_t>> solutions;
    const common::TxoutType type = common::Solver(script, solutions);
    if (include_address && type != common::TxoutType::PUBKEY) {
        if (const auto address = AddressOf(script, params)) out["address"] = *address;
    }
    out["type"] = common::TxoutTypeName(type);
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
