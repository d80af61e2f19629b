#include <rpc/core_read.h>

#include <consensus/serialize.h>
#include <util/strings.h>

#include <exception>

namespace rpc {

namespace {

using consensus::MutableTransaction;
using consensus::Script;

bool ScriptsLookSane(const MutableTransaction& tx)
{
    const bool coinbase = tx.vin.size() == 1 && tx.vin[0].prevout.IsNull();
    if (!coinbase) {
        for (const auto& in : tx.vin) {
            if (!HasValidOps(in.script_sig) || in.script_sig.size() > consensus::MAX_SCRIPT_SIZE) {
                return false;
            }
        }
    }
    for (const auto& out : tx.vout) {
        if (!HasValidOps(out.script_pubkey) ||
            out.script_pubkey.size() > consensus::MAX_SCRIPT_SIZE) {
            return false;
        }
    }
    return true;
}

std::optional<MutableTransaction> DecodeExtended(std::span<const uint8_t> data)
{
    auto tx = consensus::Decode<MutableTransaction>(data);
    if (!tx) return std::nullopt;
    return std::move(*tx);
}

std::optional<MutableTransaction> DecodeLegacy(std::span<const uint8_t> data)
{
    try {
        consensus::Reader r{data};
        MutableTransaction tx;
        r.Get(tx.version);
        r.Get(tx.vin);
        r.Get(tx.vout);
        r.Get(tx.locktime);
        if (!r.Empty()) return std::nullopt;
        return tx;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

} // namespace

bool HasValidOps(const Script& script)
{
    auto pc = script.begin();
    while (pc < script.end()) {
        consensus::Opcode op;
        std::vector<uint8_t> data;
        if (!script.GetOp(pc, op, &data) || op > consensus::OP_NOP10 ||
            data.size() > consensus::MAX_SCRIPT_ELEMENT_SIZE) {
            return false;
        }
    }
    return true;
}

// Core's DecodeHexTx: tries the witness and legacy encodings and prefers the one whose scripts
// look sane, then the witness one.
std::optional<MutableTransaction> DecodeHexTx(const Json& value, bool try_no_witness,
                                              bool try_witness)
{
    if (!value.is_string()) return std::nullopt;
    const std::string& hex = value.get_ref<const std::string&>();
    if (!util::IsHex(hex)) return std::nullopt;
    const auto bytes = util::TryParseHex(hex);
    if (!bytes) return std::nullopt;
    std::optional<MutableTransaction> extended;
    if (try_witness) extended = DecodeExtended(*bytes);
    if (extended && ScriptsLookSane(*extended)) return extended;
    std::optional<MutableTransaction> legacy;
    if (try_no_witness) legacy = DecodeLegacy(*bytes);
    if (legacy && ScriptsLookSane(*legacy)) return legacy;
    if (extended) return extended;
    return legacy;
}

} // namespace rpc
