// rawtransactions: getrawtransaction, decoderawtransaction, createrawtransaction,
// decodescript, combinerawtransaction, signrawtransactionwithkey.
#include <common/chainparams.h>
#include <common/descriptor.h>
#include <common/key_io.h>
#include <common/sign.h>
#include <consensus/crypto/key.h>
#include <consensus/hash.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/script_error.h>
#include <consensus/serialize.h>
#include <interfaces/chain.h>
#include <rpc/core_read.h>
#include <rpc/core_write.h>
#include <rpc/dispatch.h>
#include <rpc/method.h>
#include <rpc/rawtransaction_util.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rpc {

namespace {

using consensus::MutableTransaction;
using consensus::Script;

std::string EncodeHexTx(const MutableTransaction& tx)
{
    return util::HexStr(consensus::Encode(tx));
}

int64_t IntValue(const Json& value, std::string_view what)
{
    if (value.is_number_integer()) return value.get<int64_t>();
    if (value.is_number_unsigned()) {
        const auto v = value.get<uint64_t>();
        return v > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v);
    }
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
        ThrowRpc(RPC_TYPE_ERROR, std::string{what} + " is not an integer");
    }
    ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " + std::string{value.type_name()} +
                                 " is not of expected type number");
}

// ---- getrawtransaction ----------------------------------------------------

Json ConfirmationFields(const Services& services, const consensus::Uint256& block_hash, Json result)
{
    result["blockhash"] = block_hash.GetHex();
    if (const auto info = services.chain->GetBlockInfo(block_hash)) {
        if (info->in_active_chain) {
            const auto tip = services.chain->Tip();
            result["confirmations"] = 1 + tip.height - info->height;
            result["time"] = info->header.time;
            result["blocktime"] = info->header.time;
        } else {
            result["confirmations"] = 0;
        }
    }
    return result;
}

// Core's TxDoc: the fields of a decoded transaction, the txid described as `txid_doc`.
std::vector<ResultDoc> DecodedTxDoc(const std::string& txid_doc)
{
    return {
        {ResultType::STR_HEX, "txid", txid_doc},
        {ResultType::STR_HEX, "hash",
         "The transaction hash (differs from txid for witness transactions)"},
        {ResultType::NUM, "size", "The serialized transaction size"},
        {ResultType::NUM, "vsize",
         "The virtual transaction size (differs from size for witness transactions)"},
        {ResultType::NUM, "weight", "The transaction's weight (between vsize*4-3 and vsize*4)"},
        {ResultType::NUM, "version", "The version"},
        {ResultType::NUM_TIME, "locktime", "The lock time"},
        {ResultType::ARR,
         "vin",
         "",
         {{ResultType::OBJ,
           "",
           "",
           {{ResultType::STR_HEX, "coinbase", true,
             "The coinbase value (only if coinbase transaction)"},
            {ResultType::STR_HEX, "txid", true, "The transaction id (if not coinbase transaction)"},
            {ResultType::NUM, "vout", true, "The output number (if not coinbase transaction)"},
            {ResultType::OBJ,
             "scriptSig",
             true,
             "The script (if not coinbase transaction)",
             {{ResultType::STR, "asm", "Disassembly of the signature script"},
              {ResultType::STR_HEX, "hex", "The raw signature script bytes, hex-encoded"}}},
            {ResultType::ARR,
             "txinwitness",
             true,
             "",
             {{ResultType::STR_HEX, "hex", "hex-encoded witness data (if any)"}}},
            {ResultType::NUM, "sequence", "The script sequence number"}}}}},
        {ResultType::ARR,
         "vout",
         "",
         {{ResultType::OBJ,
           "",
           "",
           {{ResultType::STR_AMOUNT, "value", "The value in BTC"},
            {ResultType::NUM, "n", "index"},
            {ResultType::OBJ,
             "scriptPubKey",
             "",
             {{ResultType::STR, "asm", "Disassembly of the output script"},
              {ResultType::STR, "desc", "Inferred descriptor for the output"},
              {ResultType::STR_HEX, "hex", "The raw output script bytes, hex-encoded"},
              {ResultType::STR, "address", true,
               "The Bitcoin address (only if a well-defined address exists)"},
              {ResultType::STR, "type",
               "The type (one of: nonstandard, anchor, pubkey, pubkeyhash, scripthash, multisig, "
               "nulldata, witness_v0_scripthash, witness_v0_keyhash, witness_v1_taproot, "
               "witness_unknown)"}}}}}}},
    };
}

Method GetRawTransaction(const Services& services)
{
    std::vector<ResultDoc> tx_fields{
        {ResultType::STR_HEX, "hex", "The serialized, hex-encoded data for 'txid'"},
    };
    for (ResultDoc& doc : DecodedTxDoc("The transaction id (same as provided)"))
        tx_fields.push_back(std::move(doc));
    std::vector<ResultDoc> verbose_fields{
        {ResultType::BOOL, "in_active_chain", true,
         "Whether specified block is in the active chain or not (only present with explicit "
         "\"blockhash\" argument)"},
        {ResultType::STR_HEX, "blockhash", true, "the block hash"},
        {ResultType::NUM, "confirmations", true, "The confirmations"},
        {ResultType::NUM_TIME, "blocktime", true, "The block time expressed in UNIX epoch time"},
        {ResultType::NUM, "time", true, "Same as \"blocktime\""},
    };
    verbose_fields.insert(verbose_fields.end(), tx_fields.begin(), tx_fields.end());
    return Method{
        "getrawtransaction",
        "rawtransactions",
        "\nBy default, this call only returns a transaction if it is in the mempool. If -txindex "
        "is enabled\n"
        "and no blockhash argument is passed, it will return the transaction if it is in the "
        "mempool or any block.\n"
        "If a blockhash argument is passed, it will return the transaction if\n"
        "the specified block is available and the transaction is in that block.\n\n"
        "Hint: Use gettransaction for wallet transactions.\n\n"
        "If verbosity is 0 or omitted, returns the serialized transaction as a hex-encoded "
        "string.\n"
        "If verbosity is 1, returns a JSON Object with information about the transaction.\n"
        "If verbosity is 2, returns a JSON Object with information about the transaction, "
        "including fee and prevout information.\n",
        {
            {"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id"},
            {"verbosity|verbose",
             ArgType::NUM,
             Json(0),
             "0 for hex-encoded data, 1 for a JSON object, and 2 for JSON object with fee and "
             "prevout",
             {},
             ArgOptions{.skip_type_check = true}},
            {"blockhash", ArgType::STR_HEX, ArgOptional::OMITTED,
             "The block in which to look for the transaction"},
        },
        {
            ResultDoc{"if verbosity is not set or set to 0", ResultType::STR, "",
                      "The serialized transaction as a hex-encoded string for 'txid'"},
            ResultDoc{"if verbosity is set to 1", ResultType::OBJ, "", "", verbose_fields},
            ResultDoc{
                "for verbosity = 2",
                ResultType::OBJ,
                "",
                "",
                {{ResultType::ELISION, "", "Same output as verbosity = 1"},
                 {ResultType::NUM, "fee", true,
                  "transaction fee in BTC, omitted if block undo data is not available"},
                 {ResultType::ARR,
                  "vin",
                  "",
                  {{ResultType::OBJ,
                    "",
                    "utxo being spent",
                    {{ResultType::ELISION, "", "Same output as verbosity = 1"},
                     {ResultType::OBJ,
                      "prevout",
                      true,
                      "The previous output, omitted if block undo data is not available",
                      {{ResultType::BOOL, "generated", "Coinbase or not"},
                       {ResultType::NUM, "height", "The height of the prevout"},
                       {ResultType::STR_AMOUNT, "value", "The value in BTC"},
                       {ResultType::OBJ,
                        "scriptPubKey",
                        "",
                        {{ResultType::STR, "asm", "Disassembly of the output script"},
                         {ResultType::STR, "desc", "Inferred descriptor for the output"},
                         {ResultType::STR_HEX, "hex", "The raw output script bytes, hex-encoded"},
                         {ResultType::STR, "address", true,
                          "The Bitcoin address (only if a well-defined address exists)"},
                         {ResultType::STR, "type",
                          "The type (one of: nonstandard, anchor, pubkey, pubkeyhash, scripthash, "
                          "multisig, nulldata, witness_v0_scripthash, witness_v0_keyhash, "
                          "witness_v1_taproot, witness_unknown)"}}}}}}}}}}},
        },
        HelpExampleCli("getrawtransaction", "\"mytxid\"") +
            HelpExampleCli("getrawtransaction", "\"mytxid\" 1") +
            HelpExampleRpc("getrawtransaction", "\"mytxid\", 1") +
            HelpExampleCli("getrawtransaction", "\"mytxid\" 0 \"myblockhash\"") +
            HelpExampleCli("getrawtransaction", "\"mytxid\" 1 \"myblockhash\"") +
            HelpExampleCli("getrawtransaction", "\"mytxid\" 2 \"myblockhash\""),
        [&services](const Request& request) -> Result {
            interfaces::Chain& chain = *services.chain;
            const auto& params = chain.Params();
            const consensus::Uint256 txid = ParseHashParam(request.Param(0), "parameter 1");
            if (txid == params.GenesisBlock().header.merkle_root) {
                ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY,
                         "The genesis block coinbase is not considered an ordinary transaction "
                         "and cannot be retrieved");
            }
            const Json& verbosity_arg = request.Param(1);
            int verbosity{0};
            if (verbosity_arg.is_boolean()) {
                verbosity = verbosity_arg.get<bool>() ? 1 : 0;
            } else if (!verbosity_arg.is_null()) {
                const int64_t v = IntValue(verbosity_arg, "verbosity");
                verbosity = static_cast<int>(std::clamp<int64_t>(v, -1, 3));
            }
            std::optional<consensus::Uint256> block_hash;
            std::optional<interfaces::BlockInfo> block_info;
            if (!request.Param(2).is_null()) {
                block_hash = ParseHashParam(request.Param(2), "parameter 3");
                block_info = chain.GetBlockInfo(*block_hash);
                if (!block_info) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Block hash not found");
            }
            const auto found = chain.FindTransaction(txid, block_hash);
            if (!found || !found->tx) {
                std::string message;
                if (block_info) {
                    if (!block_info->have_data) ThrowRpc(RPC_MISC_ERROR, "Block not available");
                    message = "No such transaction found in the provided block";
                } else if (!chain.HaveTxIndex()) {
                    message = "No such mempool transaction. Use -txindex or provide a block hash "
                              "to enable blockchain transaction queries";
                } else {
                    bool synced{true};
                    for (const auto& index : chain.GetIndexInfo()) {
                        if (index.name == "txindex") synced = index.synced;
                    }
                    message = synced ? "No such mempool or blockchain transaction"
                                     : "No such mempool transaction. Blockchain transactions are "
                                       "still in the process of being indexed";
                }
                ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY,
                         message + ". Use gettransaction for wallet transactions.");
            }
            const consensus::Transaction& tx = *found->tx;
            if (verbosity <= 0) return Json(util::HexStr(consensus::Encode(tx)));

            Json result = Json::object();
            if (block_info) result["in_active_chain"] = block_info->in_active_chain;
            const consensus::Uint256 hash_block = found->block_hash.value_or(consensus::Uint256{});
            if (!block_info && found->block_hash) block_info = chain.GetBlockInfo(hash_block);

            std::vector<interfaces::Coin> spent;
            bool have_spent{false};
            if (verbosity >= 2 && !tx.IsCoinBase() && block_info && block_info->have_data &&
                block_info->have_undo) {
                auto undo = chain.ReadBlockUndo(block_info->hash);
                if (!undo) {
                    ThrowRpc(RPC_INTERNAL_ERROR,
                             "Undo data expected but can't be read. This could be due to disk "
                             "corruption or a conflict with a pruning event.");
                }
                auto block = chain.ReadBlock(block_info->hash);
                if (!block) {
                    ThrowRpc(RPC_INTERNAL_ERROR,
                             "Block data expected but can't be read. This could be due to disk "
                             "corruption or a conflict with a pruning event.");
                }
                const auto& vtx = (*block)->vtx;
                for (size_t i = 1; i < vtx.size(); ++i) {
                    if (vtx[i]->GetWitnessHash() == tx.GetWitnessHash() && i - 1 < undo->size()) {
                        spent = (*undo)[i - 1];
                        have_spent = true;
                        break;
                    }
                }
            }
            Json body = TxToJson(
                tx, consensus::Uint256{}, params, true, have_spent ? &spent : nullptr,
                have_spent ? TxVerbosity::SHOW_DETAILS_AND_PREVOUT : TxVerbosity::SHOW_DETAILS);
            for (auto& [key, value] : body.items())
                result[key] = std::move(value);
            if (!hash_block.IsNull())
                result = ConfirmationFields(services, hash_block, std::move(result));
            return result;
        }};
}

// ---- decoderawtransaction -------------------------------------------------

Method DecodeRawTransaction(const Services& services)
{
    return Method{
        "decoderawtransaction",
        "rawtransactions",
        "Return a JSON object representing the serialized, hex-encoded transaction.\n",
        {
            {"hexstring", ArgType::STR_HEX, ArgOptional::NO, "The transaction hex string"},
            IsWitnessArg(),
        },
        {ResultDoc{ResultType::OBJ, "", "", DecodedTxDoc("The transaction id")}},
        HelpExampleCli("decoderawtransaction", "\"hexstring\"") +
            HelpExampleRpc("decoderawtransaction", "\"hexstring\""),
        [&services](const Request& request) -> Result {
            const auto mtx = DecodeHexTxArg(request.Param(0), request.Param(1));
            if (!mtx) ThrowRpc(RPC_DESERIALIZATION_ERROR, "TX decode failed");
            return TxToJson(consensus::Transaction{*mtx}, consensus::Uint256{},
                            services.chain->Params(), false);
        }};
}

// ---- createrawtransaction -------------------------------------------------

Method CreateRawTransaction(const Services& services)
{
    return Method{"createrawtransaction",
                  "rawtransactions",
                  "\nCreate a transaction spending the given inputs and creating new outputs.\n"
                  "Outputs can be addresses or data.\n"
                  "Returns hex-encoded raw transaction.\n"
                  "Note that the transaction's inputs are not signed, and\n"
                  "it is not stored in the wallet or transmitted to the network.\n",
                  CreateTxArgs(),
                  {ResultDoc{ResultType::STR_HEX, "transaction", "hex string of the transaction"}},
                  HelpExampleCli("createrawtransaction",
                                 "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\" "
                                 "\"[{\\\"address\\\":0.01}]\"") +
                      HelpExampleCli("createrawtransaction",
                                     "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\" "
                                     "\"[{\\\"data\\\":\\\"00010203\\\"}]\"") +
                      HelpExampleRpc("createrawtransaction",
                                     "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\", "
                                     "\"[{\\\"address\\\":0.01}]\"") +
                      HelpExampleRpc("createrawtransaction",
                                     "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\", "
                                     "\"[{\\\"data\\\":\\\"00010203\\\"}]\""),
                  [&services](const Request& request) -> Result {
                      std::optional<bool> rbf;
                      if (!request.Param(3).is_null()) rbf = request.Param(3).get<bool>();
                      const MutableTransaction tx =
                          ConstructTransaction(request.Param(0), request.Param(1), request.Param(2),
                                               rbf, services.chain->Params());
                      return Json(EncodeHexTx(tx));
                  }};
}

// ---- decodescript ---------------------------------------------------------

// Core's InferDescriptor for a P2WSH output whose witness script is known: wsh(pk()) or
// wsh(multi()) for compressed keys, else the plain address.
std::string SegwitDescriptor(const Script& witness_program, const Script& inner,
                             const std::string& type, const common::ChainParams& params)
{
    if (witness_program.IsPayToWitnessScriptHash() && (type == "multisig" || type == "pubkey")) {
        const std::string desc = InferDescriptor(inner, params);
        const std::string body = desc.substr(0, desc.find('#'));
        if (body.rfind("multi(", 0) == 0 || body.rfind("pk(", 0) == 0) {
            const std::string wsh = "wsh(" + body + ")";
            return wsh + "#" + common::DescriptorChecksum(wsh);
        }
    }
    return InferDescriptor(witness_program, params);
}

Method DecodeScript(const Services& services)
{
    return Method{
        "decodescript",
        "rawtransactions",
        "\nDecode a hex-encoded script.\n",
        {{"hexstring", ArgType::STR_HEX, ArgOptional::NO, "the hex-encoded script"}},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {{ResultType::STR, "asm", "Disassembly of the script"},
             {ResultType::STR, "desc", "Inferred descriptor for the script"},
             {ResultType::STR, "type",
              "The output type (e.g. nonstandard, anchor, pubkey, pubkeyhash, scripthash, "
              "multisig, nulldata, witness_v0_scripthash, witness_v0_keyhash, witness_v1_taproot, "
              "witness_unknown)"},
             {ResultType::STR, "address", true,
              "The Bitcoin address (only if a well-defined address exists)"},
             {ResultType::STR, "p2sh", true,
              "address of P2SH script wrapping this redeem script (not returned for types that "
              "should not be wrapped)"},
             {ResultType::OBJ,
              "segwit",
              true,
              "Result of a witness output script wrapping this redeem script (not returned for "
              "types that should not be wrapped)",
              {{ResultType::STR, "asm", "Disassembly of the output script"},
               {ResultType::STR_HEX, "hex", "The raw output script bytes, hex-encoded"},
               {ResultType::STR, "type",
                "The type of the output script (e.g. witness_v0_keyhash or witness_v0_scripthash)"},
               {ResultType::STR, "address", true,
                "The Bitcoin address (only if a well-defined address exists)"},
               {ResultType::STR, "desc", "Inferred descriptor for the script"},
               {ResultType::STR, "p2sh-segwit",
                "address of the P2SH script wrapping this witness redeem script"}}}}}},
        HelpExampleCli("decodescript", "\"hexstring\"") +
            HelpExampleRpc("decodescript", "\"hexstring\""),
        [&services](const Request& request) -> Result {
            const auto& params = services.chain->Params();
            Script script;
            const Json& hex = request.Param(0);
            if (hex.is_string() && !hex.get_ref<const std::string&>().empty()) {
                script = Script{ParseHexParam(hex, "argument")};
            }
            Json result = ScriptPubKeyToJson(script, params, /*include_hex=*/false, true);
            const std::string type = result.at("type").get<std::string>();
            const auto p2sh_address = [&params](const Script& s) {
                return common::EncodeDestination(common::ScriptHash{consensus::Hash160(s.bytes())},
                                                 params);
            };
            bool can_wrap = type == "multisig" || type == "nonstandard" || type == "pubkey" ||
                            type == "pubkeyhash" || type == "witness_v0_keyhash" ||
                            type == "witness_v0_scripthash";
            if (can_wrap && (!HasValidOps(script) || script.IsUnspendable())) can_wrap = false;
            if (can_wrap) {
                auto pc = script.begin();
                consensus::Opcode op;
                while (pc < script.end() && script.GetOp(pc, op)) {
                    if (op == consensus::OP_CHECKSIGADD || consensus::IsOpSuccess(op)) {
                        can_wrap = false;
                    }
                }
            }
            if (!can_wrap) return result;
            result["p2sh"] = p2sh_address(script);

            // Scripts holding an uncompressed key have no segwit form; neither do witness
            // programs.
            bool can_wrap_segwit = type == "multisig" || type == "pubkey" ||
                                   type == "nonstandard" || type == "pubkeyhash";
            std::vector<std::vector<uint8_t>> keys;
            if (type == "multisig" || type == "pubkey") {
                auto pc = script.begin();
                consensus::Opcode op;
                std::vector<uint8_t> data;
                while (pc < script.end() && script.GetOp(pc, op, &data)) {
                    if (data.size() == 33 || data.size() == 65) keys.push_back(data);
                }
                for (const auto& key : keys) {
                    if (key.size() != 33) can_wrap_segwit = false;
                }
            }
            if (!can_wrap_segwit) return result;
            Script segwit;
            if (type == "pubkey") {
                segwit << consensus::OP_0 << consensus::Hash160(keys.at(0)).span();
            } else if (type == "pubkeyhash") {
                segwit << consensus::OP_0
                       << std::span<const uint8_t>{script.bytes()}.subspan(3, 20);
            } else {
                segwit << consensus::OP_0 << consensus::Sha256Hash(script.bytes()).span();
            }
            Json sr = ScriptPubKeyToJson(segwit, params, true, true);
            sr["desc"] = SegwitDescriptor(segwit, script, type, params);
            sr["p2sh-segwit"] = p2sh_address(segwit);
            result["segwit"] = std::move(sr);
            return result;
        }};
}

// ---- signing --------------------------------------------------------------

// Core's SignTransaction + SignTransactionResultToJSON.
Json SignTransaction(MutableTransaction& mtx, const common::SigningProvider& provider,
                     const CoinMap& coins, int hash_type)
{
    const bool hash_single =
        (hash_type & ~consensus::SIGHASH_ANYONECANPAY) == consensus::SIGHASH_SINGLE;
    const consensus::Transaction tx_const{mtx};
    std::vector<consensus::TxOut> spent_outputs;
    for (const auto& in : mtx.vin) {
        const auto it = coins.find(in.prevout);
        if (it == coins.end() || !it->second) {
            spent_outputs.clear();
            break;
        }
        spent_outputs.push_back(*it->second);
    }
    consensus::PrecomputedTxData txdata;
    txdata.Init(tx_const, std::move(spent_outputs), true);

    std::map<size_t, std::string> errors;
    for (size_t i = 0; i < mtx.vin.size(); ++i) {
        consensus::TxIn& in = mtx.vin[i];
        const auto it = coins.find(in.prevout);
        if (it == coins.end() || !it->second) {
            errors[i] = "Input not found or already spent";
            continue;
        }
        const consensus::TxOut& spent = *it->second;
        common::KnownSignatures known;
        common::CollectSignatures(tx_const, static_cast<unsigned>(i), spent, in.script_sig,
                                  in.witness, txdata, known);
        const consensus::TransactionSignatureChecker checker{&tx_const, static_cast<unsigned>(i),
                                                             spent.value, txdata};
        // An input that already verifies is kept as it is.
        const bool already =
            consensus::VerifyScript(in.script_sig, spent.script_pubkey, &in.witness,
                                    common::STANDARD_SCRIPT_VERIFY_FLAGS, checker);
        bool complete{already};
        if (!already) {
            const bool may_sign = !hash_single || i < mtx.vout.size();
            const auto signed_input =
                common::SignInput(tx_const, static_cast<unsigned>(i), spent, hash_type, txdata,
                                  provider, known, may_sign);
            in.script_sig = signed_input.script_sig;
            in.witness = signed_input.witness;
            complete = signed_input.complete;
        }
        if (spent.value == UNKNOWN_AMOUNT && !in.witness.IsNull()) {
            errors[i] = "Missing amount";
            continue;
        }
        consensus::ScriptError error{consensus::ScriptError::OK};
        if (!complete &&
            !consensus::VerifyScript(in.script_sig, spent.script_pubkey, &in.witness,
                                     common::STANDARD_SCRIPT_VERIFY_FLAGS, checker, &error)) {
            if (error == consensus::ScriptError::INVALID_STACK_OPERATION) {
                errors[i] = "Unable to sign input, invalid stack size (possibly missing key)";
            } else if (error == consensus::ScriptError::SIG_NULLFAIL) {
                errors[i] = "CHECK(MULTI)SIG failing with non-zero signature (possibly need more "
                            "signatures)";
            } else {
                errors[i] = consensus::ScriptErrorString(error);
            }
        } else {
            errors.erase(i);
        }
    }
    return SignResultToJson(mtx, errors, [&coins](const consensus::OutPoint& outpoint) {
        const auto it = coins.find(outpoint);
        return it == coins.end() ? std::nullopt : it->second;
    });
}

Method SignRawTransactionWithKey(const Services& services)
{
    return Method{
        "signrawtransactionwithkey",
        "rawtransactions",
        "\nSign inputs for raw transaction (serialized, hex-encoded).\n"
        "The second argument is an array of base58-encoded private\n"
        "keys that will be the only keys used to sign the transaction.\n"
        "The third optional argument (may be null) is an array of previous transaction outputs "
        "that\n"
        "this transaction depends on but may not yet be in the block chain.\n",
        {
            {"hexstring", ArgType::STR, ArgOptional::NO, "The transaction hex string"},
            {"privkeys",
             ArgType::ARR,
             ArgOptional::NO,
             "The base58-encoded private keys for signing",
             {{"privatekey", ArgType::STR_HEX, ArgOptional::OMITTED,
               "private key in base58-encoding"}}},
            PrevTxsArg("output script"),
            {"sighashtype", ArgType::STR, Json("DEFAULT for Taproot, ALL otherwise"),
             "The signature hash type. Must be one of:\n" + SighashNamesDoc() + "\n"},
        },
        SignRawTransactionResultDoc(),
        HelpExampleCli("signrawtransactionwithkey", "\"myhex\" \"[\\\"key1\\\",\\\"key2\\\"]\"") +
            HelpExampleRpc("signrawtransactionwithkey",
                           "\"myhex\", \"[\\\"key1\\\",\\\"key2\\\"]\""),
        [&services](const Request& request) -> Result {
            interfaces::Chain& chain = *services.chain;
            auto mtx = DecodeHexTx(request.Param(0));
            if (!mtx) {
                ThrowRpc(RPC_DESERIALIZATION_ERROR,
                         "TX decode failed. Make sure the tx has at least one input.");
            }
            common::SigningProvider provider;
            for (const Json& k : request.Param(1)) {
                if (!k.is_string()) {
                    ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " + std::string{JsonTypeName(k)} +
                                                 " is not of expected type string");
                }
                const auto wif = common::DecodeSecret(k.get<std::string>(), chain.Params());
                if (!wif) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key");
                const auto key = consensus::PrivKey::FromBytes(wif->secret, wif->compressed);
                if (!key) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key");
                provider.AddKey(*key);
            }
            CoinMap coins;
            for (const auto& in : mtx->vin) {
                const auto coin = chain.GetCoin(in.prevout);
                coins[in.prevout] = coin ? std::optional{coin->out} : std::nullopt;
            }
            ParsePrevouts(request.Param(2), &provider, coins);
            const int hash_type =
                ParseSighashString(request.Param(3)).value_or(consensus::SIGHASH_DEFAULT);
            return SignTransaction(*mtx, provider, coins, hash_type);
        }};
}

// ---- combinerawtransaction ------------------------------------------------

Method CombineRawTransaction(const Services& services)
{
    return Method{
        "combinerawtransaction",
        "rawtransactions",
        "\nCombine multiple partially signed transactions into one transaction.\n"
        "The combined transaction may be another partially signed transaction or a \n"
        "fully signed transaction.",
        {{"txs",
          ArgType::ARR,
          ArgOptional::NO,
          "The hex strings of partially signed transactions",
          {{"hexstring", ArgType::STR_HEX, ArgOptional::OMITTED,
            "A hex-encoded raw transaction"}}}},
        {ResultDoc{ResultType::STR, "", "The hex-encoded raw transaction with signature(s)"}},
        HelpExampleCli("combinerawtransaction", "'[\"myhex1\", \"myhex2\", \"myhex3\"]'"),
        [&services](const Request& request) -> Result {
            interfaces::Chain& chain = *services.chain;
            const Json& txs = request.Param(0);
            std::vector<MutableTransaction> variants;
            for (size_t i = 0; i < txs.size(); ++i) {
                auto tx = DecodeHexTx(txs[i]);
                if (!tx) {
                    ThrowRpc(RPC_DESERIALIZATION_ERROR,
                             "TX decode failed for tx " + std::to_string(i) +
                                 ". Make sure the tx has at least one input.");
                }
                variants.push_back(std::move(*tx));
            }
            if (variants.empty()) ThrowRpc(RPC_DESERIALIZATION_ERROR, "Missing transactions");
            MutableTransaction merged = variants[0];
            std::vector<consensus::TxOut> spent_outputs;
            for (const auto& in : merged.vin) {
                const auto coin = chain.GetCoin(in.prevout);
                if (!coin) ThrowRpc(RPC_VERIFY_ERROR, "Input not found or already spent");
                spent_outputs.push_back(coin->out);
            }
            const consensus::Transaction tx_const{merged};
            consensus::PrecomputedTxData txdata;
            txdata.Init(tx_const, spent_outputs, true);
            const common::SigningProvider no_keys;
            for (size_t i = 0; i < merged.vin.size(); ++i) {
                const unsigned n = static_cast<unsigned>(i);
                common::KnownSignatures known;
                for (const auto& variant : variants) {
                    if (variant.vin.size() <= i) continue;
                    common::CollectSignatures(tx_const, n, spent_outputs[i],
                                              variant.vin[i].script_sig, variant.vin[i].witness,
                                              txdata, known);
                }
                const auto signed_input =
                    common::SignInput(tx_const, n, spent_outputs[i], consensus::SIGHASH_ALL, txdata,
                                      no_keys, known, false);
                merged.vin[i].script_sig = signed_input.script_sig;
                merged.vin[i].witness = signed_input.witness;
            }
            return Json(EncodeHexTx(merged));
        }};
}

} // namespace

void RegisterRawTransactionMethods(MethodTable& table, const Services& services)
{
    table.Register(GetRawTransaction(services));
    table.Register(CreateRawTransaction(services));
    table.Register(DecodeRawTransaction(services));
    table.Register(DecodeScript(services));
    table.Register(CombineRawTransaction(services));
    table.Register(SignRawTransactionWithKey(services));
}

} // namespace rpc
