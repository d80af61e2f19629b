// decodepsbt: every field of a PSBT as Bitcoin Core's JSON shows it.
#include <common/bip32.h>
#include <common/chainparams.h>
#include <common/psbt.h>
#include <consensus/amount.h>
#include <consensus/script/interpreter.h>
#include <interfaces/chain.h>
#include <rpc/core_write.h>
#include <rpc/method.h>
#include <rpc/psbt_internal.h>
#include <rpc/services.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace rpc::psbt_internal {

namespace {

std::string FingerprintHex(const common::Fingerprint& fingerprint)
{
    return util::HexStr(fingerprint);
}

std::string PathText(const common::KeyPath& path)
{
    std::string text{"m"};
    text += common::FormatHDKeypath(path);
    return text;
}

// Core's SighashToStr: "" for a value outside its table.
std::string SighashName(int32_t sighash)
{
    // Core looks up the low byte only.
    switch (static_cast<uint8_t>(sighash)) {
    case consensus::SIGHASH_ALL:
        return "ALL";
    case consensus::SIGHASH_ALL | consensus::SIGHASH_ANYONECANPAY:
        return "ALL|ANYONECANPAY";
    case consensus::SIGHASH_NONE:
        return "NONE";
    case consensus::SIGHASH_NONE | consensus::SIGHASH_ANYONECANPAY:
        return "NONE|ANYONECANPAY";
    case consensus::SIGHASH_SINGLE:
        return "SINGLE";
    case consensus::SIGHASH_SINGLE | consensus::SIGHASH_ANYONECANPAY:
        return "SINGLE|ANYONECANPAY";
    default:
        return "";
    }
}

// Reads a compact size from `bytes` at `pos`; nullopt past the end.
std::optional<uint64_t> ReadCompact(const Bytes& bytes, size_t& pos)
{
    if (pos >= bytes.size()) return std::nullopt;
    const uint8_t first = bytes[pos++];
    size_t width = first < 0xfd ? 0 : first == 0xfd ? 2 : first == 0xfe ? 4 : 8;
    if (width == 0) return first;
    if (bytes.size() - pos < width) return std::nullopt;
    uint64_t v{0};
    for (size_t i = 0; i < width; ++i)
        v |= static_cast<uint64_t>(bytes[pos + i]) << (8 * i);
    pos += width;
    return v;
}

// Core's proprietary entries: the identifier and subtype parsed from the key, the whole key.
Json ProprietaryJson(const common::PsbtByteMap& records)
{
    Json list = Json::array();
    for (const auto& [key, value] : records) {
        size_t pos = 1; // after the 0xfc type byte
        Bytes identifier;
        uint64_t subtype{0};
        if (const auto len = ReadCompact(key, pos); len && key.size() - pos >= *len) {
            identifier.assign(key.begin() + static_cast<std::ptrdiff_t>(pos),
                              key.begin() + static_cast<std::ptrdiff_t>(pos + *len));
            pos += *len;
            subtype = ReadCompact(key, pos).value_or(0);
        }
        Json entry = Json::object();
        entry["identifier"] = util::HexStr(identifier);
        entry["subtype"] = subtype;
        entry["key"] = util::HexStr(key);
        entry["value"] = util::HexStr(value);
        list.push_back(std::move(entry));
    }
    return list;
}

// Unknown records and hash preimages alike: an object of hex keys to hex values.
Json HexMapJson(const common::PsbtByteMap& records)
{
    Json obj = Json::object();
    for (const auto& [key, value] : records)
        obj[util::HexStr(key)] = util::HexStr(value);
    return obj;
}

// Core's ScriptToUniv without address: asm, hex, type.
Json ScriptJson(const Script& script)
{
    Json obj = Json::object();
    obj["asm"] = ScriptToAsm(script);
    obj["hex"] = util::HexStr(script.bytes());
    obj["type"] = ScriptTypeName(script);
    return obj;
}

Json Bip32Json(const std::map<Bytes, common::KeyOrigin, common::BytesLess>& derivs)
{
    Json list = Json::array();
    for (const auto& [pubkey, origin] : derivs) {
        Json entry = Json::object();
        entry["pubkey"] = util::HexStr(pubkey);
        entry["master_fingerprint"] = FingerprintHex(origin.fingerprint);
        entry["path"] = PathText(origin.path);
        list.push_back(std::move(entry));
    }
    return list;
}

Json TapBip32Json(const std::map<common::PsbtHash32, common::TapKeyOrigin>& derivs)
{
    Json list = Json::array();
    for (const auto& [xonly, origin] : derivs) {
        Json entry = Json::object();
        entry["pubkey"] = util::HexStr(xonly);
        entry["master_fingerprint"] = FingerprintHex(origin.origin.fingerprint);
        entry["path"] = PathText(origin.origin.path);
        Json leaves = Json::array();
        for (const auto& leaf : origin.leaf_hashes)
            leaves.push_back(util::HexStr(leaf));
        entry["leaf_hashes"] = std::move(leaves);
        list.push_back(std::move(entry));
    }
    return list;
}

Json DecodeInput(const Psbt& psbt, size_t index, const common::ChainParams& params,
                 consensus::Amount& total_in, bool& have_all)
{
    const PsbtInput& input = psbt.inputs[index];
    Json in = Json::object();
    std::optional<consensus::TxOut> txout;
    if (input.witness_utxo) {
        txout = *input.witness_utxo;
        Json out = Json::object();
        out["amount"] = AmountToJson(input.witness_utxo->value);
        out["scriptPubKey"] = ScriptPubKeyToJson(input.witness_utxo->script_pubkey, params);
        in["witness_utxo"] = std::move(out);
    }
    if (input.non_witness_utxo) {
        const uint32_t n = psbt.tx.vin[index].prevout.n;
        if (n < input.non_witness_utxo->vout.size()) txout = input.non_witness_utxo->vout[n];
        in["non_witness_utxo"] =
            TxToJson(*input.non_witness_utxo, consensus::Uint256{}, params, false);
    }
    if (txout && consensus::MoneyRange(txout->value) &&
        consensus::MoneyRange(total_in + txout->value)) {
        total_in += txout->value;
    } else {
        have_all = false;
    }
    if (!input.partial_sigs.empty()) {
        Json sigs = Json::object();
        for (const auto& [pubkey, sig] : input.partial_sigs)
            sigs[util::HexStr(pubkey)] = util::HexStr(sig);
        in["partial_signatures"] = std::move(sigs);
    }
    if (input.sighash_type) in["sighash"] = SighashName(*input.sighash_type);
    if (!input.redeem_script.empty()) in["redeem_script"] = ScriptJson(input.redeem_script);
    if (!input.witness_script.empty()) in["witness_script"] = ScriptJson(input.witness_script);
    if (!input.bip32_derivs.empty()) in["bip32_derivs"] = Bip32Json(input.bip32_derivs);
    if (!input.final_script_sig.empty()) {
        Json sig = Json::object();
        sig["asm"] = ScriptToAsm(input.final_script_sig, true);
        sig["hex"] = util::HexStr(input.final_script_sig.bytes());
        in["final_scriptSig"] = std::move(sig);
    }
    if (!input.final_script_witness.IsNull()) {
        Json stack = Json::array();
        for (const auto& item : input.final_script_witness.stack)
            stack.push_back(util::HexStr(item));
        in["final_scriptwitness"] = std::move(stack);
    }
    if (!input.ripemd160_preimages.empty())
        in["ripemd160_preimages"] = HexMapJson(input.ripemd160_preimages);
    if (!input.sha256_preimages.empty())
        in["sha256_preimages"] = HexMapJson(input.sha256_preimages);
    if (!input.hash160_preimages.empty())
        in["hash160_preimages"] = HexMapJson(input.hash160_preimages);
    if (!input.hash256_preimages.empty())
        in["hash256_preimages"] = HexMapJson(input.hash256_preimages);
    if (!input.tap_key_sig.empty()) in["taproot_key_path_sig"] = util::HexStr(input.tap_key_sig);
    if (!input.tap_script_sigs.empty()) {
        Json sigs = Json::array();
        for (const auto& [key_leaf, sig] : input.tap_script_sigs) {
            Json entry = Json::object();
            entry["pubkey"] = util::HexStr(key_leaf.first);
            entry["leaf_hash"] = util::HexStr(key_leaf.second);
            entry["sig"] = util::HexStr(sig);
            sigs.push_back(std::move(entry));
        }
        in["taproot_script_path_sigs"] = std::move(sigs);
    }
    if (!input.tap_scripts.empty()) {
        Json scripts = Json::array();
        for (const auto& [leaf, controls] : input.tap_scripts) {
            Json entry = Json::object();
            entry["script"] = util::HexStr(leaf.first);
            entry["leaf_ver"] = leaf.second;
            Json blocks = Json::array();
            for (const auto& control : controls)
                blocks.push_back(util::HexStr(control));
            entry["control_blocks"] = std::move(blocks);
            scripts.push_back(std::move(entry));
        }
        in["taproot_scripts"] = std::move(scripts);
    }
    if (!input.tap_bip32_derivs.empty())
        in["taproot_bip32_derivs"] = TapBip32Json(input.tap_bip32_derivs);
    if (input.tap_internal_key) in["taproot_internal_key"] = util::HexStr(*input.tap_internal_key);
    if (input.tap_merkle_root) in["taproot_merkle_root"] = util::HexStr(*input.tap_merkle_root);
    if (!input.proprietary.empty()) in["proprietary"] = ProprietaryJson(input.proprietary);
    if (!input.unknown.empty()) in["unknown"] = HexMapJson(input.unknown);
    return in;
}

Json DecodeOutput(const PsbtOutput& output)
{
    Json out = Json::object();
    if (!output.redeem_script.empty()) out["redeem_script"] = ScriptJson(output.redeem_script);
    if (!output.witness_script.empty()) out["witness_script"] = ScriptJson(output.witness_script);
    if (!output.bip32_derivs.empty()) out["bip32_derivs"] = Bip32Json(output.bip32_derivs);
    if (output.tap_internal_key)
        out["taproot_internal_key"] = util::HexStr(*output.tap_internal_key);
    if (!output.tap_tree.empty()) {
        Json tree = Json::array();
        for (const auto& leaf : output.tap_tree) {
            Json entry = Json::object();
            entry["depth"] = leaf.depth;
            entry["leaf_ver"] = leaf.leaf_version;
            entry["script"] = util::HexStr(leaf.script);
            tree.push_back(std::move(entry));
        }
        out["taproot_tree"] = std::move(tree);
    }
    if (!output.tap_bip32_derivs.empty())
        out["taproot_bip32_derivs"] = TapBip32Json(output.tap_bip32_derivs);
    if (!output.proprietary.empty()) out["proprietary"] = ProprietaryJson(output.proprietary);
    if (!output.unknown.empty()) out["unknown"] = HexMapJson(output.unknown);
    return out;
}

Json DecodePsbtJson(const Psbt& psbt, const common::ChainParams& params)
{
    Json result = Json::object();
    result["tx"] = TxToJson(consensus::Transaction{psbt.tx}, consensus::Uint256{}, params, false);

    // Core keeps xpubs in a map ordered by origin, then key.
    std::vector<common::PsbtXpub> xpubs = psbt.xpubs;
    std::stable_sort(xpubs.begin(), xpubs.end(), [](const auto& a, const auto& b) {
        if (a.origin < b.origin) return true;
        if (b.origin < a.origin) return false;
        return a.xpub < b.xpub;
    });
    Json global_xpubs = Json::array();
    for (const auto& xpub : xpubs) {
        Json entry = Json::object();
        const auto ext = common::ExtPubKey::Decode(std::span<const uint8_t>{xpub.xpub}.subspan(4));
        entry["xpub"] = ext ? common::EncodeExtPubKey(*ext, params) : std::string{};
        entry["master_fingerprint"] = FingerprintHex(xpub.origin.fingerprint);
        entry["path"] = PathText(xpub.origin.path);
        global_xpubs.push_back(std::move(entry));
    }
    result["global_xpubs"] = std::move(global_xpubs);
    result["psbt_version"] = 0;
    result["proprietary"] = ProprietaryJson(psbt.proprietary);
    result["unknown"] = HexMapJson(psbt.unknown);

    consensus::Amount total_in{0};
    bool have_all{true};
    Json inputs = Json::array();
    for (size_t i = 0; i < psbt.inputs.size(); ++i)
        inputs.push_back(DecodeInput(psbt, i, params, total_in, have_all));
    result["inputs"] = std::move(inputs);

    consensus::Amount total_out{0};
    Json outputs = Json::array();
    for (size_t i = 0; i < psbt.outputs.size(); ++i) {
        outputs.push_back(DecodeOutput(psbt.outputs[i]));
        const consensus::Amount value = psbt.tx.vout[i].value;
        if (consensus::MoneyRange(value) && consensus::MoneyRange(total_out + value)) {
            total_out += value;
        } else {
            have_all = false;
        }
    }
    result["outputs"] = std::move(outputs);
    if (have_all) result["fee"] = AmountToJson(total_in - total_out);
    return result;
}

std::vector<ResultDoc> ProprietaryDoc()
{
    return {{ResultType::OBJ,
             "",
             "",
             {{ResultType::STR_HEX, "identifier", "The hex string for the proprietary identifier"},
              {ResultType::NUM, "subtype", "The number for the subtype"},
              {ResultType::STR_HEX, "key", "The hex for the key"},
              {ResultType::STR_HEX, "value", "The hex for the value"}}}};
}

std::vector<ResultDoc> ScriptDoc(const std::string& what)
{
    return {{ResultType::STR, "asm", "Disassembly of the " + what},
            {ResultType::STR_HEX, "hex", "The raw " + what + " bytes, hex-encoded"},
            {ResultType::STR, "type", "The type, eg 'pubkeyhash'"}};
}

std::vector<ResultDoc> TapBip32Doc()
{
    return {{ResultType::OBJ,
             "",
             "",
             {{ResultType::STR, "pubkey", "The x-only public key this path corresponds to"},
              {ResultType::STR, "master_fingerprint", "The fingerprint of the master key"},
              {ResultType::STR, "path", "The path"},
              {ResultType::ARR,
               "leaf_hashes",
               "The hashes of the leaves this pubkey appears in",
               {{ResultType::STR_HEX, "hash", "The hash of a leaf this pubkey appears in"}}}}}};
}

ResultDoc PreimageDoc(const std::string& name)
{
    return {ResultType::OBJ_DYN,
            name,
            true,
            "",
            {{ResultType::STR, "hash", "The hash and preimage that corresponds to it."}}};
}

ResultDoc Bip32DerivsDoc(const std::string& pubkey_doc)
{
    return {ResultType::ARR,
            "bip32_derivs",
            true,
            "",
            {{ResultType::OBJ,
              "",
              "",
              {{ResultType::STR, "pubkey", pubkey_doc},
               {ResultType::STR, "master_fingerprint", "The fingerprint of the master key"},
               {ResultType::STR, "path", "The path"}}}}};
}

ResultDoc UnknownDoc(bool optional, const std::string& description)
{
    return {ResultType::OBJ_DYN,
            "unknown",
            optional,
            description,
            {{ResultType::STR_HEX, "key", "(key-value pair) An unknown key-value pair"}}};
}

} // namespace

Method DecodePsbtMethod(const Services& services)
{
    std::vector<ResultDoc> input_doc{
        {ResultType::OBJ,
         "non_witness_utxo",
         true,
         "Decoded network transaction for non-witness UTXOs",
         {{ResultType::ELISION, "", ""}}},
        {ResultType::OBJ,
         "witness_utxo",
         true,
         "Transaction output for witness UTXOs",
         {{ResultType::NUM, "amount", "The value in BTC"},
          {ResultType::OBJ,
           "scriptPubKey",
           "",
           {{ResultType::STR, "asm", "Disassembly of the output script"},
            {ResultType::STR, "desc", "Inferred descriptor for the output"},
            {ResultType::STR_HEX, "hex", "The raw output script bytes, hex-encoded"},
            {ResultType::STR, "type", "The type, eg 'pubkeyhash'"},
            {ResultType::STR, "address", true,
             "The Bitcoin address (only if a well-defined address exists)"}}}}},
        {ResultType::OBJ_DYN,
         "partial_signatures",
         true,
         "",
         {{ResultType::STR, "pubkey", "The public key and signature that corresponds to it."}}},
        {ResultType::STR, "sighash", true, "The sighash type to be used"},
        {ResultType::OBJ, "redeem_script", true, "", ScriptDoc("redeem script")},
        {ResultType::OBJ, "witness_script", true, "", ScriptDoc("witness script")},
        Bip32DerivsDoc("The public key with the derivation path as the value."),
        {ResultType::OBJ,
         "final_scriptSig",
         true,
         "",
         {{ResultType::STR, "asm", "Disassembly of the final signature script"},
          {ResultType::STR_HEX, "hex", "The raw final signature script bytes, hex-encoded"}}},
        {ResultType::ARR,
         "final_scriptwitness",
         true,
         "",
         {{ResultType::STR_HEX, "", "hex-encoded witness data (if any)"}}},
        PreimageDoc("ripemd160_preimages"),
        PreimageDoc("sha256_preimages"),
        PreimageDoc("hash160_preimages"),
        PreimageDoc("hash256_preimages"),
        {ResultType::STR_HEX, "taproot_key_path_sig", true,
         "hex-encoded signature for the Taproot key path spend"},
        {ResultType::ARR,
         "taproot_script_path_sigs",
         true,
         "",
         {{ResultType::OBJ,
           "signature",
           true,
           "The signature for the pubkey and leaf hash combination",
           {{ResultType::STR, "pubkey", "The x-only pubkey for this signature"},
            {ResultType::STR, "leaf_hash", "The leaf hash for this signature"},
            {ResultType::STR, "sig", "The signature itself"}}}}},
        {ResultType::ARR,
         "taproot_scripts",
         true,
         "",
         {{ResultType::OBJ,
           "",
           "",
           {{ResultType::STR_HEX, "script", "A leaf script"},
            {ResultType::NUM, "leaf_ver", "The version number for the leaf script"},
            {ResultType::ARR,
             "control_blocks",
             "The control blocks for this script",
             {{ResultType::STR_HEX, "control_block",
               "A hex-encoded control block for this script"}}}}}}},
        {ResultType::ARR, "taproot_bip32_derivs", true, "", TapBip32Doc()},
        {ResultType::STR_HEX, "taproot_internal_key", true,
         "The hex-encoded Taproot x-only internal key"},
        {ResultType::STR_HEX, "taproot_merkle_root", true, "The hex-encoded Taproot merkle root"},
        UnknownDoc(true, "The unknown input fields"),
        {ResultType::ARR, "proprietary", true, "The input proprietary map", ProprietaryDoc()},
    };
    std::vector<ResultDoc> output_doc{
        {ResultType::OBJ, "redeem_script", true, "", ScriptDoc("redeem script")},
        {ResultType::OBJ, "witness_script", true, "", ScriptDoc("witness script")},
        Bip32DerivsDoc("The public key this path corresponds to"),
        {ResultType::STR_HEX, "taproot_internal_key", true,
         "The hex-encoded Taproot x-only internal key"},
        {ResultType::ARR,
         "taproot_tree",
         true,
         "The tuples that make up the Taproot tree, in depth first search order",
         {{ResultType::OBJ,
           "tuple",
           true,
           "A single leaf script in the taproot tree",
           {{ResultType::NUM, "depth", "The depth of this element in the tree"},
            {ResultType::NUM, "leaf_ver", "The version of this leaf"},
            {ResultType::STR, "script", "The hex-encoded script itself"}}}}},
        {ResultType::ARR, "taproot_bip32_derivs", true, "", TapBip32Doc()},
        UnknownDoc(true, "The unknown output fields"),
        {ResultType::ARR, "proprietary", true, "The output proprietary map", ProprietaryDoc()},
    };
    return Method{
        "decodepsbt",
        "rawtransactions",
        "\nReturn a JSON object representing the serialized, base64-encoded partially signed "
        "Bitcoin transaction.\n",
        {{"psbt", ArgType::STR, ArgOptional::NO, "The PSBT base64 string"}},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {{ResultType::OBJ,
              "tx",
              "The decoded network-serialized unsigned transaction.",
              {{ResultType::ELISION, "",
                "The layout is the same as the output of decoderawtransaction."}}},
             {ResultType::ARR,
              "global_xpubs",
              "",
              {{ResultType::OBJ,
                "",
                "",
                {{ResultType::STR, "xpub", "The extended public key this path corresponds to"},
                 {ResultType::STR_HEX, "master_fingerprint", "The fingerprint of the master key"},
                 {ResultType::STR, "path", "The path"}}}}},
             {ResultType::NUM, "psbt_version",
              "The PSBT version number. Not to be confused with the unsigned transaction version"},
             {ResultType::ARR, "proprietary", "The global proprietary map", ProprietaryDoc()},
             UnknownDoc(false, "The unknown global fields"),
             {ResultType::ARR, "inputs", "", {{ResultType::OBJ, "", "", input_doc}}},
             {ResultType::ARR, "outputs", "", {{ResultType::OBJ, "", "", output_doc}}},
             {ResultType::STR_AMOUNT, "fee", true,
              "The transaction fee paid if all UTXOs slots in the PSBT have been filled."}}}},
        HelpExampleCli("decodepsbt", "\"psbt\""),
        [&services](const Request& request) -> Result {
            const Psbt psbt = DecodePsbtParam(request.Param(0));
            return DecodePsbtJson(psbt, services.chain->Params());
        }};
}

} // namespace rpc::psbt_internal
