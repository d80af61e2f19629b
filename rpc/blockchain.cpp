#include <rpc/blockchain.h>

#include <common/chainparams.h>
#include <consensus/serialize.h>
#include <rpc/blockchain_internal.h>
#include <rpc/core_write.h>
#include <rpc/dispatch.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>

namespace rpc {

namespace {

using interfaces::BlockInfo;

std::string Hex32(uint32_t value)
{
    char buf[9];
    std::snprintf(buf, sizeof(buf), "%08x", value);
    return buf;
}

const std::string EXAMPLE_BLOCK_HASH{
    "\"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09\""};

// Result fields shared by getblock (verbosity 1) and getblockheader, in Core's help order.
std::vector<ResultDoc> HeaderResultFields(bool with_block_fields)
{
    std::vector<ResultDoc> fields{
        {ResultType::STR_HEX, "hash", "the block hash (same as provided)"},
        {ResultType::NUM, "confirmations",
         "The number of confirmations, or -1 if the block is not on the main chain"},
    };
    if (with_block_fields) {
        fields.push_back({ResultType::NUM, "size", "The block size"});
        fields.push_back(
            {ResultType::NUM, "strippedsize", "The block size excluding witness data"});
        fields.push_back({ResultType::NUM, "weight", "The block weight as defined in BIP 141"});
    }
    fields.push_back({ResultType::NUM, "height", "The block height or index"});
    fields.push_back({ResultType::NUM, "version", "The block version"});
    fields.push_back(
        {ResultType::STR_HEX, "versionHex", "The block version formatted in hexadecimal"});
    fields.push_back({ResultType::STR_HEX, "merkleroot", "The merkle root"});
    if (with_block_fields) {
        fields.push_back({ResultType::ARR,
                          "tx",
                          "The transaction ids",
                          {{ResultType::STR_HEX, "", "The transaction id"}}});
    }
    fields.push_back({ResultType::NUM_TIME, "time", "The block time expressed in UNIX epoch time"});
    fields.push_back(
        {ResultType::NUM_TIME, "mediantime", "The median block time expressed in UNIX epoch time"});
    fields.push_back({ResultType::NUM, "nonce", "The nonce"});
    fields.push_back({ResultType::STR_HEX, "bits", "The bits"});
    fields.push_back({ResultType::NUM, "difficulty", "The difficulty"});
    fields.push_back({ResultType::STR_HEX, "chainwork",
                      with_block_fields
                          ? "Expected number of hashes required to produce the chain up to this "
                            "block (in hex)"
                          : "Expected number of hashes required to produce the current chain"});
    fields.push_back({ResultType::NUM, "nTx", "The number of transactions in the block"});
    fields.push_back({ResultType::STR_HEX, "previousblockhash", true,
                      "The hash of the previous block (if available)"});
    fields.push_back(
        {ResultType::STR_HEX, "nextblockhash", true, "The hash of the next block (if available)"});
    return fields;
}

Method GetBestBlockHash(const Services& services)
{
    return Method{"getbestblockhash",
                  "blockchain",
                  "\nReturns the hash of the tip of the most-work fully-validated chain.\n",
                  {},
                  {ResultDoc{ResultType::STR_HEX, "", "the block hash, hex-encoded"}},
                  HelpExampleCli("getbestblockhash", "") + HelpExampleRpc("getbestblockhash", ""),
                  [&services](const Request&) -> Result {
                      return Json(services.chain->Tip().hash.GetHex());
                  }};
}

Method GetBlockCount(const Services& services)
{
    return Method{
        "getblockcount",
        "blockchain",
        "\nReturns the height of the most-work fully-validated chain.\n"
        "Block 0 is the genesis block.\n",
        {},
        {ResultDoc{ResultType::NUM, "", "The current block count"}},
        HelpExampleCli("getblockcount", "") + HelpExampleRpc("getblockcount", ""),
        [&services](const Request&) -> Result { return Json(services.chain->Tip().height); }};
}

Method GetBlockHash(const Services& services)
{
    return Method{"getblockhash",
                  "blockchain",
                  "\nReturns the hash of the active chain's block at the given height.\n",
                  {{"height", ArgType::NUM, ArgOptional::NO, "The height index"}},
                  {ResultDoc{ResultType::STR_HEX, "", "The block hash"}},
                  HelpExampleCli("getblockhash", "1000") + HelpExampleRpc("getblockhash", "1000"),
                  [&services](const Request& request) -> Result {
                      const int height = IntParam(request.Param(0));
                      const auto tip = services.chain->Tip();
                      std::optional<BlockInfo> info;
                      if (height >= 0 && height <= tip.height) {
                          info = services.chain->GetBlockInfoAtHeight(height);
                      }
                      if (!info) ThrowRpc(RPC_INVALID_PARAMETER, "Block height out of range");
                      return Json(info->hash.GetHex());
                  }};
}

Method GetDifficultyMethod(const Services& services)
{
    return Method{
        "getdifficulty",
        "blockchain",
        "\nReturns the proof-of-work difficulty as a multiple of the minimum difficulty.\n",
        {},
        {ResultDoc{ResultType::NUM, "",
                   "the proof-of-work difficulty as a multiple of the minimum "
                   "difficulty."}},
        HelpExampleCli("getdifficulty", "") + HelpExampleRpc("getdifficulty", ""),
        [&services](const Request&) -> Result {
            return Json(GetDifficulty(services.chain->Tip().bits));
        }};
}

Method GetBlockHeader(const Services& services)
{
    return Method{
        "getblockheader",
        "blockchain",
        "\nWith verbose false, returns the serialized block header 'hash' as hex.\n"
        "With verbose true, returns an object describing block header <hash>.\n",
        {
            {"blockhash", ArgType::STR_HEX, ArgOptional::NO, "The block hash"},
            {"verbose", ArgType::BOOL, Json(true),
             "true for a json object, false for the hex-encoded data"},
        },
        {
            ResultDoc{"for verbose = true", ResultType::OBJ, "", "", HeaderResultFields(false)},
            ResultDoc{"for verbose=false", ResultType::STR_HEX, "",
                      "The serialized block header 'hash', hex-encoded"},
        },
        HelpExampleCli("getblockheader", EXAMPLE_BLOCK_HASH) +
            HelpExampleRpc("getblockheader", EXAMPLE_BLOCK_HASH),
        [&services](const Request& request) -> Result {
            // Core names this parameter "hash" in its error messages.
            const auto hash = ParseHashParam(request.Param(0), "hash");
            const bool verbose = request.Arg("verbose").get<bool>();
            const auto tip = services.chain->Tip();
            const auto info = BlockInfoOrThrow(*services.chain, hash);
            if (!verbose) return Json(util::HexStr(consensus::Encode(info.header)));
            return BlockHeaderToJson(info, tip.height);
        }};
}

Method GetBlock(const Services& services)
{
    std::vector<ResultDoc> verbose1 = HeaderResultFields(true);
    return Method{
        "getblock",
        "blockchain",
        "\nWith verbosity 0, returns the serialized block 'hash' as hex.\n"
        "With verbosity 1, returns an object describing block <hash>.\n"
        "With verbosity 2, the object also describes each transaction.\n"
        "With verbosity 3, each transaction input also shows the output it spent (prevout), "
        "when undo data is available.\n",
        {
            {"blockhash", ArgType::STR_HEX, ArgOptional::NO, "The block hash"},
            {"verbosity|verbose",
             ArgType::NUM,
             Json(1),
             "0 for hex-encoded data, 1 for a JSON object, 2 for JSON object with transaction "
             "data, and 3 for JSON object with transaction data including prevout information "
             "for inputs",
             {},
             ArgOptions{.skip_type_check = true}},
        },
        {
            ResultDoc{"for verbosity = 0", ResultType::STR_HEX, "",
                      "The serialized block 'hash', hex-encoded"},
            ResultDoc{"for verbosity = 1", ResultType::OBJ, "", "", std::move(verbose1)},
            ResultDoc{"for verbosity = 2",
                      ResultType::OBJ,
                      "",
                      "",
                      {
                          {ResultType::ELISION, "", "Same output as verbosity = 1"},
                          {ResultType::ARR,
                           "tx",
                           "",
                           {{ResultType::OBJ,
                             "",
                             "",
                             {
                                 {ResultType::ELISION, "",
                                  "The transactions as getrawtransaction shows them, instead of "
                                  "the txids of verbosity = 1"},
                                 {ResultType::NUM, "fee",
                                  "The transaction fee in BTC, omitted without block undo data"},
                             }}}},
                      }},
            ResultDoc{
                "for verbosity = 3",
                ResultType::OBJ,
                "",
                "",
                {
                    {ResultType::ELISION, "", "Same output as verbosity = 2"},
                    {ResultType::ARR,
                     "tx",
                     "",
                     {{ResultType::OBJ,
                       "",
                       "",
                       {{ResultType::ARR,
                         "vin",
                         "",
                         {{ResultType::OBJ,
                           "",
                           "",
                           {
                               {ResultType::ELISION, "", "The same output as verbosity = 2"},
                               {ResultType::OBJ,
                                "prevout",
                                "(Only if undo information is available)",
                                {
                                    {ResultType::BOOL, "generated", "Coinbase or not"},
                                    {ResultType::NUM, "height", "The height of the prevout"},
                                    {ResultType::STR_AMOUNT, "value", "The value in BTC"},
                                    {ResultType::OBJ,
                                     "scriptPubKey",
                                     "",
                                     {
                                         {ResultType::STR, "asm",
                                          "Disassembly of the output script"},
                                         {ResultType::STR, "desc",
                                          "Inferred descriptor for the output"},
                                         {ResultType::STR_HEX, "hex",
                                          "The raw output script bytes, hex-encoded"},
                                         {ResultType::STR, "address", true,
                                          "The Bitcoin address (only if a well-defined address "
                                          "exists)"},
                                         {ResultType::STR, "type",
                                          "The type (one of: nonstandard, anchor, pubkey, "
                                          "pubkeyhash, scripthash, multisig, nulldata, "
                                          "witness_v0_scripthash, witness_v0_keyhash, "
                                          "witness_v1_taproot, witness_unknown)"},
                                     }},
                                }},
                           }}}}}}}},
                }},
        },
        HelpExampleCli("getblock", EXAMPLE_BLOCK_HASH) +
            HelpExampleRpc("getblock", EXAMPLE_BLOCK_HASH),
        [&services](const Request& request) -> Result {
            const auto hash = ParseHashParam(request.Param(0), "blockhash");
            const int verbosity = ParseVerbosity(request.Param(1), 1, 1);
            const auto tip = services.chain->Tip();
            const auto info = BlockInfoOrThrow(*services.chain, hash);
            const auto block = ReadBlockOrThrow(*services.chain, info);
            if (verbosity <= 0) return Json(util::HexStr(consensus::Encode(*block)));

            std::optional<interfaces::BlockUndo> undo;
            if (verbosity >= 2 && info.have_undo && info.height > 0) {
                auto read = services.chain->ReadBlockUndo(hash);
                if (!read) {
                    ThrowRpc(RPC_INTERNAL_ERROR,
                             "Undo data expected but can't be read. This could be due to disk "
                             "corruption or a conflict with a pruning event.");
                }
                undo = std::move(*read);
            }
            return BlockToJson(*block, info, tip.height, verbosity, undo ? &*undo : nullptr,
                               services.chain->Params());
        }};
}

Method GetBlockchainInfo(const Services& services)
{
    return Method{
        "getblockchaininfo",
        "blockchain",
        "Returns an object with the state of block chain processing.\n",
        {},
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                {ResultType::STR, "chain",
                 "current network name (main, test, testnet4, signet, regtest)"},
                {ResultType::NUM, "blocks",
                 "the height of the most-work fully-validated chain. The genesis block has height "
                 "0"},
                {ResultType::NUM, "headers", "the current number of headers we have validated"},
                {ResultType::STR, "bestblockhash", "the hash of the currently best block"},
                {ResultType::NUM, "difficulty", "the current difficulty"},
                {ResultType::NUM_TIME, "time", "The block time expressed in UNIX epoch time"},
                {ResultType::NUM_TIME, "mediantime",
                 "The median block time expressed in UNIX epoch time"},
                {ResultType::NUM, "verificationprogress",
                 "estimate of verification progress [0..1]"},
                {ResultType::BOOL, "initialblockdownload",
                 "(debug information) estimate of whether this node is in Initial Block Download "
                 "mode"},
                {ResultType::STR_HEX, "chainwork",
                 "total amount of work in active chain, in hexadecimal"},
                {ResultType::NUM, "size_on_disk",
                 "the estimated size of the block and undo files on disk"},
                {ResultType::BOOL, "pruned", "if the blocks are subject to pruning"},
                {ResultType::NUM, "pruneheight", true,
                 "height of the last block pruned, plus one (only present if pruning is enabled)"},
                {ResultType::BOOL, "automatic_pruning", true,
                 "whether automatic pruning is enabled (only present if pruning is enabled)"},
                {ResultType::NUM, "prune_target_size", true,
                 "the target size used by pruning (only present if automatic pruning is enabled)"},
                {ResultType::ARR,
                 "warnings",
                 "any network and blockchain warnings (run with `-deprecatedrpc=warnings` to "
                 "return the latest warning as a single string)",
                 {{ResultType::STR, "", "warning"}}},
            }}},
        HelpExampleCli("getblockchaininfo", "") + HelpExampleRpc("getblockchaininfo", ""),
        [&services](const Request&) -> Result { return ChainInfoToJson(*services.chain); }};
}

Method GetChainTips(const Services& services)
{
    return Method{
        "getchaintips",
        "blockchain",
        "Returns every known tip of the block tree: the active chain's and those of side "
        "branches.\n",
        {},
        {ResultDoc{ResultType::ARR,
                   "",
                   "",
                   {{ResultType::OBJ,
                     "",
                     "",
                     {
                         {ResultType::NUM, "height", "height of the chain tip"},
                         {ResultType::STR_HEX, "hash", "block hash of the tip"},
                         {ResultType::NUM, "branchlen",
                          "zero for main chain, otherwise length of branch connecting the tip to "
                          "the main chain"},
                         {ResultType::STR, "status",
                          "status of the chain, \"active\" for the main chain\n"
                          "Possible values for status:\n"
                          "1.  \"invalid\"               This branch contains at least one "
                          "invalid block\n"
                          "2.  \"headers-only\"          Not all blocks for this branch are "
                          "available, but the headers are valid\n"
                          "3.  \"valid-headers\"         All blocks are available for this "
                          "branch, but they were never fully validated\n"
                          "4.  \"valid-fork\"            This branch is not part of the active "
                          "chain, but is fully validated\n"
                          "5.  \"active\"                This is the tip of the active main "
                          "chain, which is certainly valid"},
                     }}}}},
        HelpExampleCli("getchaintips", "") + HelpExampleRpc("getchaintips", ""),
        [&services](const Request&) -> Result {
            auto tips = services.chain->GetChainTips();
            // Highest first, as Core lists them.
            std::stable_sort(tips.begin(), tips.end(),
                             [](const auto& a, const auto& b) { return a.height > b.height; });
            Json result = Json::array();
            for (const auto& tip : tips) {
                Json entry = Json::object();
                entry["height"] = tip.height;
                entry["hash"] = tip.hash.GetHex();
                entry["branchlen"] = tip.branch_length;
                entry["status"] = interfaces::BlockStateName(tip.state);
                result.push_back(std::move(entry));
            }
            return result;
        }};
}

} // namespace

int IntParam(const Json& value)
{
    if (value.is_number_integer() || value.is_number_unsigned()) {
        if (value.is_number_unsigned()) {
            if (value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int>::max())) {
                return static_cast<int>(value.get<uint64_t>());
            }
        } else {
            const auto v = value.get<int64_t>();
            if (v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max()) {
                return static_cast<int>(v);
            }
        }
        ThrowRpc(RPC_MISC_ERROR, "JSON integer out of range");
    }
    if (value.is_number_float()) ThrowRpc(RPC_MISC_ERROR, "JSON integer out of range");
    ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " + std::string{JsonTypeName(value)} +
                                 " is not of expected type number");
}

uint32_t Uint32Param(const Json& value)
{
    if (value.is_number_unsigned() || value.is_number_integer()) {
        const auto v = value.get<int64_t>();
        if (value.is_number_unsigned() || v >= 0) {
            const auto u = value.get<uint64_t>();
            if (u <= std::numeric_limits<uint32_t>::max()) return static_cast<uint32_t>(u);
        }
    }
    if (value.is_number()) ThrowRpc(RPC_MISC_ERROR, "JSON integer out of range");
    ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " + std::string{JsonTypeName(value)} +
                                 " is not of expected type number");
}

interfaces::BlockInfo BlockInfoOrThrow(const interfaces::Chain& chain,
                                       const consensus::Uint256& hash)
{
    auto info = chain.GetBlockInfo(hash);
    if (!info) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    return std::move(*info);
}

std::shared_ptr<const consensus::Block> ReadBlockOrThrow(const interfaces::Chain& chain,
                                                         const interfaces::BlockInfo& info)
{
    if (!info.have_data) ThrowRpc(RPC_MISC_ERROR, "Block not available (not fully downloaded)");
    auto block = chain.ReadBlock(info.hash);
    if (!block) ThrowRpc(RPC_MISC_ERROR, block.error().message);
    return std::move(*block);
}

double GetDifficulty(uint32_t bits)
{
    // Difficulty 1 is the target 0xffff * 2^208 (compact 0x1d00ffff); scale the mantissa ratio
    // by whole bytes until the exponents match.
    int shift = static_cast<int>((bits >> 24) & 0xff);
    double difficulty = static_cast<double>(0x0000ffff) / static_cast<double>(bits & 0x00ffffff);
    for (; shift < 29; ++shift)
        difficulty *= 256.0;
    for (; shift > 29; --shift)
        difficulty /= 256.0;
    return difficulty;
}

Json BlockHeaderToJson(const interfaces::BlockInfo& info, int tip_height)
{
    Json result = Json::object();
    result["hash"] = info.hash.GetHex();
    result["confirmations"] = info.in_active_chain ? tip_height - info.height + 1 : -1;
    result["height"] = info.height;
    result["version"] = info.header.version;
    result["versionHex"] = Hex32(static_cast<uint32_t>(info.header.version));
    result["merkleroot"] = info.header.merkle_root.GetHex();
    result["time"] = info.header.time;
    result["mediantime"] = info.median_time_past;
    result["nonce"] = info.header.nonce;
    result["bits"] = Hex32(info.header.bits);
    result["difficulty"] = GetDifficulty(info.header.bits);
    result["chainwork"] = info.chain_work.GetHex();
    result["nTx"] = info.tx_count;
    if (info.height > 0) result["previousblockhash"] = info.header.prev_block.GetHex();
    if (info.in_active_chain && info.next_hash) result["nextblockhash"] = info.next_hash->GetHex();
    return result;
}

Json BlockToJson(const consensus::Block& block, const interfaces::BlockInfo& info, int tip_height,
                 int verbosity, const interfaces::BlockUndo* undo,
                 const common::ChainParams& params)
{
    Json result = BlockHeaderToJson(info, tip_height);
    result["strippedsize"] = consensus::EncodeBlockNoWitness(block).size();
    result["size"] = consensus::Encode(block).size();
    result["weight"] = block.GetWeight();
    Json txs = Json::array();
    if (verbosity <= 1) {
        for (const auto& tx : block.vtx)
            txs.push_back(tx->GetHash().GetHex());
    } else {
        const auto tx_verbosity =
            verbosity == 2 ? TxVerbosity::SHOW_DETAILS : TxVerbosity::SHOW_DETAILS_AND_PREVOUT;
        for (size_t i = 0; i < block.vtx.size(); ++i) {
            // The coinbase spends nothing; undo data lists the others from index 1 on.
            const std::vector<interfaces::Coin>* spent = nullptr;
            if (undo && i > 0 && i - 1 < undo->size() &&
                (*undo)[i - 1].size() == block.vtx[i]->vin.size()) {
                spent = &(*undo)[i - 1];
            }
            txs.push_back(TxToJson(*block.vtx[i], consensus::Uint256{}, params,
                                   /*include_hex=*/true, spent, tx_verbosity));
        }
    }
    result["tx"] = std::move(txs);
    return result;
}

Json ChainInfoToJson(const interfaces::Chain& chain)
{
    const auto tip = chain.Tip();
    Json result = Json::object();
    result["chain"] = chain.Params().GetChainTypeString();
    result["blocks"] = tip.height;
    result["headers"] = tip.headers;
    result["bestblockhash"] = tip.hash.GetHex();
    result["difficulty"] = GetDifficulty(tip.bits);
    result["time"] = tip.time;
    result["mediantime"] = tip.median_time_past;
    result["verificationprogress"] = tip.verification_progress;
    result["initialblockdownload"] = tip.initial_block_download;
    result["chainwork"] = tip.chain_work.GetHex();
    result["size_on_disk"] = chain.BlockFilesSize();
    result["pruned"] = false; // minibit does not prune
    result["warnings"] = Json::array();
    return result;
}

void RegisterBlockchainMethods(MethodTable& table, const Services& services)
{
    table.Register(GetBestBlockHash(services));
    table.Register(GetBlock(services));
    table.Register(GetBlockchainInfo(services));
    table.Register(GetBlockCount(services));
    table.Register(GetBlockHash(services));
    table.Register(GetBlockHeader(services));
    table.Register(GetChainTips(services));
    table.Register(GetDifficultyMethod(services));
    RegisterBlockchainStatsMethods(table, services);
    RegisterBlockchainControlMethods(table, services);
}

} // namespace rpc
