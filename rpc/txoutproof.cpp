// gettxoutproof and verifytxoutproof (blockchain) and getindexinfo (util), with
// Bitcoin Core v28's arguments, results and errors. Proofs are Core's
// serialized CMerkleBlock (consensus/merkleblock.h).
#include <consensus/consensus_constants.h>
#include <consensus/merkleblock.h>
#include <consensus/serialize.h>
#include <interfaces/chain.h>
#include <rpc/dispatch.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>
#include <util/strings.h>

#include <optional>
#include <set>
#include <string>

namespace rpc {

namespace {

/// Core's bound on the outputs one transaction can have (what AccessByTxid scans).
constexpr uint32_t MAX_OUTPUTS_PER_BLOCK =
    consensus::MAX_BLOCK_WEIGHT / (4 * 9); // an empty output weighs 4 * 9 bytes

/// Height of the block holding the first unspent output of `txid`, as Core's AccessByTxid
/// finds it; nullopt when every output is spent or the txid is unknown.
std::optional<int> UnspentHeight(const interfaces::Chain& chain, const consensus::Uint256& txid)
{
    // With -txindex the transaction tells how many outputs it has, which bounds the scan.
    uint32_t limit = MAX_OUTPUTS_PER_BLOCK;
    if (chain.HaveTxIndex()) {
        const auto found = chain.FindTransaction(txid, std::nullopt);
        if (!found || !found->block_hash || !found->tx) return std::nullopt;
        limit = static_cast<uint32_t>(found->tx->vout.size());
    }
    for (uint32_t n = 0; n < limit; ++n) {
        if (const auto coin = chain.GetCoin(consensus::OutPoint{txid, n})) return coin->height;
    }
    return std::nullopt;
}

Method GetTxOutProof(const Services& services)
{
    return Method{
        "gettxoutproof",
        "blockchain",
        "Returns a hex-encoded merkle proof that the given transactions are in one block.\n"
        "\nNOTE: Without a block hash this only finds transactions that still have an\n"
        "unspent output, unless the node keeps a transaction index (-txindex).\n"
        "Pass the hash of the block that holds the transactions to find any of them.\n",
        {
            {"txids",
             ArgType::ARR,
             ArgOptional::NO,
             "The transactions to prove, all in the same block",
             {
                 {"txid", ArgType::STR_HEX, ArgOptional::OMITTED, "A transaction id"},
             }},
            {"blockhash", ArgType::STR_HEX, ArgOptional::OMITTED,
             "The block holding the transactions; when given, only it is searched"},
        },
        {ResultDoc{ResultType::STR, "data", "The serialized proof (a merkle block), hex-encoded."}},
        HelpExampleCli("gettxoutproof", "'[\"mytxid\",...]'") +
            HelpExampleCli("gettxoutproof", "'[\"mytxid\",...]' \"blockhash\"") +
            HelpExampleRpc("gettxoutproof", "[\"mytxid\",...], \"blockhash\""),
        [&services](const Request& request) -> Result {
            const interfaces::Chain& chain = *services.chain;
            const Json& txids = request.Arg("txids");
            if (txids.empty()) ThrowRpc(RPC_INVALID_PARAMETER, "Parameter 'txids' cannot be empty");
            std::set<consensus::Uint256> wanted;
            for (const Json& value : txids) {
                if (!wanted.insert(ParseHashParam(value, "txid")).second) {
                    ThrowRpc(RPC_INVALID_PARAMETER,
                             "Invalid parameter, duplicated txid: " + value.get<std::string>());
                }
            }

            std::optional<interfaces::BlockInfo> block_info;
            if (request.HasArg("blockhash")) {
                const auto hash = ParseHashParam(request.Arg("blockhash"), "blockhash");
                block_info = chain.GetBlockInfo(hash);
                if (!block_info) ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
            } else {
                // The first txid (in hash order) with an unspent output picks the block.
                for (const auto& txid : wanted) {
                    if (const auto height = UnspentHeight(chain, txid)) {
                        block_info = chain.GetBlockInfoAtHeight(*height);
                        break;
                    }
                }
            }
            if (!block_info) {
                // Otherwise the index (if any) is asked for the first txid only, as in Core.
                const auto found = chain.HaveTxIndex()
                                       ? chain.FindTransaction(*wanted.begin(), std::nullopt)
                                       : std::nullopt;
                if (!found || !found->tx || !found->block_hash) {
                    ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Transaction not yet in block");
                }
                block_info = chain.GetBlockInfo(*found->block_hash);
                if (!block_info) ThrowRpc(RPC_INTERNAL_ERROR, "Transaction index corrupt");
            }
            if (!block_info->have_data) {
                ThrowRpc(RPC_MISC_ERROR, "Block not available (not fully downloaded)");
            }
            const auto block = chain.ReadBlock(block_info->hash);
            if (!block || !*block) ThrowRpc(RPC_INTERNAL_ERROR, "Can't read block from disk");

            size_t found_count = 0;
            for (const auto& tx : (*block)->vtx)
                found_count += wanted.contains(tx->GetHash()) ? 1 : 0;
            if (found_count != wanted.size()) {
                ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY,
                         "Not all transactions found in specified or retrieved block");
            }
            return Json(util::HexStr(
                consensus::Encode(consensus::MerkleBlock::FromBlock(**block, wanted))));
        }};
}

Method VerifyTxOutProof(const Services& services)
{
    return Method{
        "verifytxoutproof",
        "blockchain",
        "Checks a proof made by gettxoutproof and returns the transactions it commits to;\n"
        "fails with an error when its block is not on the active chain.\n",
        {
            {"proof", ArgType::STR_HEX, ArgOptional::NO,
             "A hex-encoded proof as gettxoutproof returns it"},
        },
        {ResultDoc{ResultType::ARR,
                   "",
                   "",
                   {
                       {ResultType::STR_HEX, "txid",
                        "A txid the proof commits to; the array is empty when the proof does "
                        "not check out."},
                   }}},
        HelpExampleCli("verifytxoutproof", "\"proof\"") +
            HelpExampleRpc("verifytxoutproof", "\"proof\""),
        [&services](const Request& request) -> Result {
            const auto bytes = ParseHexParam(request.Arg("proof"), "proof");
            const auto proof = consensus::Decode<consensus::MerkleBlock>(bytes);
            if (!proof) ThrowRpc(RPC_MISC_ERROR, "Proof decode failed: " + proof.error().message);

            Json result = Json::array();
            const auto matches = proof->txn.ExtractMatches();
            if (!matches || matches->root != proof->header.merkle_root) return result;

            const auto info = services.chain->GetBlockInfo(proof->header.GetHash());
            if (!info || !info->in_active_chain || info->tx_count == 0) {
                ThrowRpc(RPC_INVALID_ADDRESS_OR_KEY, "Block not found in chain");
            }
            // A proof claiming another transaction count can fake a leaf out of an inner node.
            if (info->tx_count == proof->txn.GetNumTransactions()) {
                for (const auto& txid : matches->txids)
                    result.push_back(txid.GetHex());
            }
            return result;
        }};
}

Method GetIndexInfo(const Services& services)
{
    return Method{
        "getindexinfo",
        "util",
        "Reports how far each optional index the node runs has got, or only the one named.\n",
        {
            {"index_name", ArgType::STR, ArgOptional::OMITTED,
             "Report only the index of this name."},
        },
        {ResultDoc{ResultType::OBJ_DYN,
                   "",
                   "",
                   {
                       {ResultType::OBJ,
                        "name",
                        "Keyed by the index name",
                        {
                            {ResultType::BOOL, "synced",
                             "True once the index has caught up with the chain"},
                            {ResultType::NUM, "best_block_height",
                             "Height of the last block the index covers"},
                        }},
                   }}},
        HelpExampleCli("getindexinfo", "") + HelpExampleRpc("getindexinfo", "") +
            HelpExampleCli("getindexinfo", "txindex") + HelpExampleRpc("getindexinfo", "txindex"),
        [&services](const Request& request) -> Result {
            const std::string filter =
                request.HasArg("index_name") ? request.Arg("index_name").get<std::string>() : "";
            Json result = Json::object();
            for (const auto& index : services.chain->GetIndexInfo()) {
                if (!filter.empty() && filter != index.name) continue;
                result[index.name] =
                    Json{{"synced", index.synced}, {"best_block_height", index.best_block_height}};
            }
            return result;
        }};
}

} // namespace

void RegisterTxOutProofMethods(MethodTable& table, const Services& services)
{
    table.Register(GetTxOutProof(services));
    table.Register(VerifyTxOutProof(services));
    table.Register(GetIndexInfo(services));
}

} // namespace rpc
