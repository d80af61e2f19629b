// Statistics over blocks and the UTXO set: getblockstats, getchaintxstats, gettxout,
// gettxoutsetinfo.
#include <common/chainparams.h>
#include <consensus/block_check.h>
#include <consensus/consensus_constants.h>
#include <consensus/serialize.h>
#include <rpc/blockchain.h>
#include <rpc/blockchain_internal.h>
#include <rpc/core_write.h>
#include <rpc/dispatch.h>
#include <rpc/services.h>
#include <rpc/util.h>
#include <util/chaintype.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rpc {

namespace {

using consensus::Amount;
using interfaces::BlockInfo;

const std::string EXAMPLE_BLOCK_HASH{
    "00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"};

// Bytes a UTXO entry costs beyond its serialized output: outpoint (36), height (4) and the
// coinbase flag (1), as getblockstats counts them.
constexpr int64_t PER_UTXO_OVERHEAD{36 + 4 + 1};

// The two mainnet blocks whose coinbases repeat earlier txids (BIP30): their outputs never
// added to the UTXO set.
bool IsBip30Repeat(const common::ChainParams& params, const BlockInfo& info)
{
    if (params.GetChainType() != util::ChainType::MAIN) return false;
    static const auto H91842 = consensus::Uint256::FromHex(
        "00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec");
    static const auto H91880 = consensus::Uint256::FromHex(
        "00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721");
    return (info.height == 91842 && info.hash == *H91842) ||
           (info.height == 91880 && info.hash == *H91880);
}

// Core's ParseHashOrHeight for getblockstats: a height on the active chain or a known hash.
BlockInfo BlockFromHashOrHeight(const interfaces::Chain& chain, const Json& param)
{
    if (param.is_number()) {
        const int height = IntParam(param);
        if (height < 0) {
            ThrowRpc(RPC_INVALID_PARAMETER,
                     "Target block height " + std::to_string(height) + " is negative");
        }
        const int tip_height = chain.Tip().height;
        if (height > tip_height) {
            ThrowRpc(RPC_INVALID_PARAMETER, "Target block height " + std::to_string(height) +
                                                " after current tip " + std::to_string(tip_height));
        }
        auto info = chain.GetBlockInfoAtHeight(height);
        if (!info) ThrowRpc(RPC_INVALID_PARAMETER, "Block height out of range");
        return std::move(*info);
    }
    return BlockInfoOrThrow(chain, ParseHashParam(param, "hash_or_height"));
}

int64_t SerializedOutputSize(const consensus::TxOut& out)
{
    return static_cast<int64_t>(consensus::Encode(out).size());
}

// Mean of the two middle elements (rounded toward zero) or the middle one; 0 when empty.
int64_t TruncatedMedian(std::vector<int64_t>& values)
{
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    if (n % 2 == 0) return (values[n / 2 - 1] + values[n / 2]) / 2;
    return values[n / 2];
}

// Feerates at the 10th, 25th, 50th, 75th and 90th percentile of the block's weight.
std::array<int64_t, 5> FeeratePercentiles(std::vector<std::pair<int64_t, int64_t>>& scores,
                                          int64_t total_weight)
{
    std::array<int64_t, 5> result{};
    if (scores.empty()) return result;
    std::sort(scores.begin(), scores.end());
    const double marks[5] = {total_weight / 10.0, total_weight / 4.0, total_weight / 2.0,
                             (total_weight * 3.0) / 4.0, (total_weight * 9.0) / 10.0};
    size_t next = 0;
    int64_t cumulative = 0;
    for (const auto& [feerate, weight] : scores) {
        cumulative += weight;
        while (next < result.size() && cumulative >= marks[next]) {
            result[next++] = feerate;
        }
    }
    for (; next < result.size(); ++next)
        result[next] = scores.back().first;
    return result;
}

Json ComputeBlockStats(const interfaces::Chain& chain, const BlockInfo& info)
{
    const auto block = ReadBlockOrThrow(chain, info);
    interfaces::BlockUndo undo;
    if (info.height > 0) {
        if (!info.have_undo) ThrowRpc(RPC_MISC_ERROR, "Undo data not available");
        auto read = chain.ReadBlockUndo(info.hash);
        if (!read) ThrowRpc(RPC_MISC_ERROR, "Can't read undo data from disk");
        undo = std::move(*read);
    }
    const auto& params = chain.Params();
    const bool skip_utxo_count = info.height == 0;
    const bool bip30_repeat = IsBip30Repeat(params, info);

    Amount maxfee = 0, maxfeerate = 0, minfee = consensus::MAX_MONEY,
           minfeerate = consensus::MAX_MONEY, total_out = 0, totalfee = 0;
    int64_t inputs = 0, maxtxsize = 0,
            mintxsize = static_cast<int64_t>(consensus::MAX_BLOCK_SERIALIZED_SIZE), outputs = 0,
            swtotal_size = 0, swtotal_weight = 0, swtxs = 0, total_size = 0, total_weight = 0,
            utxos = 0, utxo_size_inc = 0, utxo_size_inc_actual = 0;
    std::vector<int64_t> fees;
    std::vector<std::pair<int64_t, int64_t>> feerates;
    std::vector<int64_t> txsizes;

    for (size_t i = 0; i < block->vtx.size(); ++i) {
        const auto& tx = *block->vtx[i];
        outputs += static_cast<int64_t>(tx.vout.size());
        Amount tx_total_out = 0;
        for (const auto& out : tx.vout) {
            tx_total_out += out.value;
            const int64_t out_size = SerializedOutputSize(out) + PER_UTXO_OVERHEAD;
            utxo_size_inc += out_size;
            if (skip_utxo_count || (bip30_repeat && tx.IsCoinBase())) continue;
            if (out.script_pubkey.IsUnspendable()) continue;
            ++utxos;
            utxo_size_inc_actual += out_size;
        }
        if (tx.IsCoinBase()) continue;

        inputs += static_cast<int64_t>(tx.vin.size());
        total_out += tx_total_out;

        const auto tx_size = static_cast<int64_t>(tx.GetTotalSize());
        txsizes.push_back(tx_size);
        maxtxsize = std::max(maxtxsize, tx_size);
        mintxsize = std::min(mintxsize, tx_size);
        total_size += tx_size;

        const auto weight = static_cast<int64_t>(tx.GetWeight());
        total_weight += weight;
        if (tx.HasWitness()) {
            ++swtxs;
            swtotal_size += tx_size;
            swtotal_weight += weight;
        }

        if (i - 1 >= undo.size()) ThrowRpc(RPC_MISC_ERROR, "Can't read undo data from disk");
        Amount tx_total_in = 0;
        for (const auto& coin : undo[i - 1]) {
            tx_total_in += coin.out.value;
            const int64_t prevout_size = SerializedOutputSize(coin.out) + PER_UTXO_OVERHEAD;
            utxo_size_inc -= prevout_size;
            utxo_size_inc_actual -= prevout_size;
        }
        const Amount fee = tx_total_in - tx_total_out;
        fees.push_back(fee);
        maxfee = std::max(maxfee, fee);
        minfee = std::min(minfee, fee);
        totalfee += fee;
        // sat/vB: fee over weight scaled back to virtual bytes.
        const Amount feerate = weight ? (fee * consensus::WITNESS_SCALE_FACTOR) / weight : 0;
        feerates.emplace_back(feerate, weight);
        maxfeerate = std::max(maxfeerate, feerate);
        minfeerate = std::min(minfeerate, feerate);
    }

    const auto percentiles = FeeratePercentiles(feerates, total_weight);
    const auto n_tx = static_cast<int64_t>(block->vtx.size());
    Json all = Json::object();
    all["avgfee"] = n_tx > 1 ? totalfee / (n_tx - 1) : 0;
    all["avgfeerate"] =
        total_weight ? (totalfee * consensus::WITNESS_SCALE_FACTOR) / total_weight : 0;
    all["avgtxsize"] = n_tx > 1 ? total_size / (n_tx - 1) : 0;
    all["blockhash"] = info.hash.GetHex();
    all["feerate_percentiles"] = Json::array();
    for (const auto p : percentiles)
        all["feerate_percentiles"].push_back(p);
    all["height"] = info.height;
    all["ins"] = inputs;
    all["maxfee"] = maxfee;
    all["maxfeerate"] = maxfeerate;
    all["maxtxsize"] = maxtxsize;
    all["medianfee"] = TruncatedMedian(fees);
    all["mediantime"] = info.median_time_past;
    all["mediantxsize"] = TruncatedMedian(txsizes);
    all["minfee"] = minfee == consensus::MAX_MONEY ? 0 : minfee;
    all["minfeerate"] = minfeerate == consensus::MAX_MONEY ? 0 : minfeerate;
    all["mintxsize"] =
        mintxsize == static_cast<int64_t>(consensus::MAX_BLOCK_SERIALIZED_SIZE) ? 0 : mintxsize;
    all["outs"] = outputs;
    all["subsidy"] = consensus::GetBlockSubsidy(info.height, params.GetConsensus());
    all["swtotal_size"] = swtotal_size;
    all["swtotal_weight"] = swtotal_weight;
    all["swtxs"] = swtxs;
    all["time"] = info.header.time;
    all["total_out"] = total_out;
    all["total_size"] = total_size;
    all["total_weight"] = total_weight;
    all["totalfee"] = totalfee;
    all["txs"] = n_tx;
    all["utxo_increase"] = outputs - inputs;
    all["utxo_size_inc"] = utxo_size_inc;
    all["utxo_increase_actual"] = utxos - inputs;
    all["utxo_size_inc_actual"] = utxo_size_inc_actual;
    return all;
}

std::vector<ResultDoc> BlockStatsFields()
{
    auto num = [](std::string key, std::string text) {
        return ResultDoc{ResultType::NUM, std::move(key), true, std::move(text)};
    };
    return {
        num("avgfee", "Average fee in the block"),
        num("avgfeerate", "Average feerate (in satoshis per virtual byte)"),
        num("avgtxsize", "Average transaction size"),
        {ResultType::STR_HEX, "blockhash", true, "The block hash (to check for potential reorgs)"},
        {ResultType::ARR_FIXED,
         "feerate_percentiles",
         true,
         "Feerates at the 10th, 25th, 50th, 75th, and 90th percentile weight unit (in satoshis "
         "per virtual byte)",
         {
             {ResultType::NUM, "10th_percentile_feerate", "The 10th percentile feerate"},
             {ResultType::NUM, "25th_percentile_feerate", "The 25th percentile feerate"},
             {ResultType::NUM, "50th_percentile_feerate", "The 50th percentile feerate"},
             {ResultType::NUM, "75th_percentile_feerate", "The 75th percentile feerate"},
             {ResultType::NUM, "90th_percentile_feerate", "The 90th percentile feerate"},
         }},
        num("height", "The height of the block"),
        num("ins", "The number of inputs (excluding coinbase)"),
        num("maxfee", "Maximum fee in the block"),
        num("maxfeerate", "Maximum feerate (in satoshis per virtual byte)"),
        num("maxtxsize", "Maximum transaction size"),
        num("medianfee", "Truncated median fee in the block"),
        num("mediantime", "The block median time past"),
        num("mediantxsize", "Truncated median transaction size"),
        num("minfee", "Minimum fee in the block"),
        num("minfeerate", "Minimum feerate (in satoshis per virtual byte)"),
        num("mintxsize", "Minimum transaction size"),
        num("outs", "The number of outputs"),
        num("subsidy", "The block subsidy"),
        num("swtotal_size", "Total size of all segwit transactions"),
        num("swtotal_weight", "Total weight of all segwit transactions"),
        num("swtxs", "The number of segwit transactions"),
        num("time", "The block time"),
        num("total_out",
            "Total amount in all outputs (excluding coinbase and thus reward [ie subsidy + "
            "totalfee])"),
        num("total_size", "Total size of all non-coinbase transactions"),
        num("total_weight", "Total weight of all non-coinbase transactions"),
        num("totalfee", "The fee total"),
        num("txs", "The number of transactions (including coinbase)"),
        num("utxo_increase",
            "The increase/decrease in the number of unspent outputs (not discounting op_return "
            "and similar)"),
        num("utxo_size_inc",
            "The increase/decrease in size for the utxo index (not discounting op_return and "
            "similar)"),
        num("utxo_increase_actual",
            "The increase/decrease in the number of unspent outputs, not counting unspendables"),
        num("utxo_size_inc_actual",
            "The increase/decrease in size for the utxo index, not counting unspendables"),
    };
}

Method GetBlockStats(const Services& services)
{
    return Method{
        "getblockstats",
        "blockchain",
        "\nComputes statistics of one block. Amounts are in satoshis.\n"
        "Needs the block's data and undo data.\n",
        {
            {"hash_or_height",
             ArgType::NUM,
             ArgOptional::NO,
             "The block hash or height of the target block",
             {},
             ArgOptions{.skip_type_check = true, .type_str = {"", "string or numeric"}}},
            {"stats",
             ArgType::ARR,
             DefaultHint{"all values"},
             "Values to plot (see result below)",
             {
                 {"height", ArgType::STR, ArgOptional::OMITTED, "Selected statistic"},
                 {"time", ArgType::STR, ArgOptional::OMITTED, "Selected statistic"},
             },
             ArgOptions{.oneline_description = "stats"}},
        },
        {ResultDoc{ResultType::OBJ, "", "", BlockStatsFields()}},
        HelpExampleCli("getblockstats",
                       "'\"" + EXAMPLE_BLOCK_HASH + "\"' '[\"minfeerate\",\"avgfeerate\"]'") +
            HelpExampleCli("getblockstats", "1000 '[\"minfeerate\",\"avgfeerate\"]'") +
            HelpExampleRpc("getblockstats",
                           "\"" + EXAMPLE_BLOCK_HASH + "\", [\"minfeerate\",\"avgfeerate\"]") +
            HelpExampleRpc("getblockstats", "1000, [\"minfeerate\",\"avgfeerate\"]"),
        [&services](const Request& request) -> Result {
            const auto info = BlockFromHashOrHeight(*services.chain, request.Param(0));
            std::set<std::string> selected;
            if (request.HasArg("stats")) {
                for (const auto& stat : request.Param(1)) {
                    if (!stat.is_string()) {
                        ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " +
                                                     std::string{JsonTypeName(stat)} +
                                                     " is not of expected type string");
                    }
                    selected.insert(stat.get<std::string>());
                }
            }
            Json all = ComputeBlockStats(*services.chain, info);
            if (selected.empty()) return all;
            Json result = Json::object();
            for (const auto& stat : selected) {
                if (!all.contains(stat)) {
                    ThrowRpc(RPC_INVALID_PARAMETER, "Invalid selected statistic '" + stat + "'");
                }
                result[stat] = all[stat];
            }
            return result;
        }};
}

Method GetChainTxStats(const Services& services)
{
    return Method{
        "getchaintxstats",
        "blockchain",
        "\nComputes the total number and the rate of transactions over a window of the chain.\n",
        {
            {"nblocks", ArgType::NUM, DefaultHint{"one month"},
             "Size of the window in number of blocks"},
            {"blockhash", ArgType::STR_HEX, DefaultHint{"chain tip"},
             "The hash of the block that ends the window."},
        },
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                {ResultType::NUM_TIME, "time",
                 "The timestamp for the final block in the window, expressed in UNIX epoch time"},
                {ResultType::NUM, "txcount", true,
                 "The total number of transactions in the chain up to that point, if known. It "
                 "may be unknown when using assumeutxo."},
                {ResultType::STR_HEX, "window_final_block_hash",
                 "The hash of the final block in the window"},
                {ResultType::NUM, "window_final_block_height",
                 "The height of the final block in the window."},
                {ResultType::NUM, "window_block_count", "Size of the window in number of blocks"},
                {ResultType::NUM, "window_interval", true,
                 "The elapsed time in the window in seconds. Only returned if "
                 "\"window_block_count\" is > 0"},
                {ResultType::NUM, "window_tx_count", true,
                 "The number of transactions in the window. Only returned if "
                 "\"window_block_count\" is > 0 and if txcount exists for the start and end of the "
                 "window."},
                {ResultType::NUM, "txrate", true,
                 "The average rate of transactions per second in the window. Only returned if "
                 "\"window_interval\" is > 0 and if window_tx_count exists."},
            }}},
        HelpExampleCli("getchaintxstats", "") + HelpExampleRpc("getchaintxstats", "2016"),
        [&services](const Request& request) -> Result {
            const auto& chain = *services.chain;
            BlockInfo final_block;
            if (!request.HasArg("blockhash")) {
                final_block = BlockInfoOrThrow(chain, chain.Tip().hash);
            } else {
                final_block =
                    BlockInfoOrThrow(chain, ParseHashParam(request.Param(1), "blockhash"));
                if (!final_block.in_active_chain) {
                    ThrowRpc(RPC_INVALID_PARAMETER, "Block is not in main chain");
                }
            }
            int count = static_cast<int>(30 * 24 * 60 * 60 /
                                         chain.Params().GetConsensus().pow_target_spacing);
            if (!request.HasArg("nblocks")) {
                count = std::max(0, std::min(count, final_block.height - 1));
            } else {
                count = IntParam(request.Param(0));
                if (count < 0 || (count > 0 && count >= final_block.height)) {
                    ThrowRpc(RPC_INVALID_PARAMETER,
                             "Invalid block count: should be between 0 and the block's height - 1");
                }
            }
            const auto first = chain.GetAncestor(final_block.hash, final_block.height - count);
            if (!first) ThrowRpc(RPC_MISC_ERROR, "Block not found");
            const int64_t interval = final_block.median_time_past - first->median_time_past;

            Json result = Json::object();
            result["time"] = final_block.header.time;
            if (final_block.chain_tx_count != 0) result["txcount"] = final_block.chain_tx_count;
            result["window_final_block_hash"] = final_block.hash.GetHex();
            result["window_final_block_height"] = final_block.height;
            result["window_block_count"] = count;
            if (count > 0) {
                result["window_interval"] = interval;
                if (final_block.chain_tx_count != 0 && first->chain_tx_count != 0) {
                    const uint64_t window_tx = final_block.chain_tx_count - first->chain_tx_count;
                    result["window_tx_count"] = window_tx;
                    if (interval > 0) {
                        result["txrate"] =
                            static_cast<double>(window_tx) / static_cast<double>(interval);
                    }
                }
            }
            return result;
        }};
}

Method GetTxOut(const Services& services)
{
    return Method{
        "gettxout",
        "blockchain",
        "\nReturns an unspent transaction output.\n",
        {
            {"txid", ArgType::STR_HEX, ArgOptional::NO, "The transaction id"},
            {"n", ArgType::NUM, ArgOptional::NO, "vout number"},
            {"include_mempool", ArgType::BOOL, Json(true),
             "Whether to include the mempool. An output spent by a mempool transaction is then "
             "not returned."},
        },
        {
            ResultDoc{"If the UTXO was not found", ResultType::NONE, "", ""},
            ResultDoc{
                "Otherwise",
                ResultType::OBJ,
                "",
                "",
                {
                    {ResultType::STR_HEX, "bestblock",
                     "The hash of the block at the tip of the chain"},
                    {ResultType::NUM, "confirmations", "The number of confirmations"},
                    {ResultType::STR_AMOUNT, "value", "The transaction value in BTC"},
                    {ResultType::OBJ,
                     "scriptPubKey",
                     "",
                     {
                         {ResultType::STR, "asm", "Disassembly of the output script"},
                         {ResultType::STR, "desc", "Inferred descriptor for the output"},
                         {ResultType::STR_HEX, "hex", "The raw output script bytes, hex-encoded"},
                         {ResultType::STR, "type", "The type, eg pubkeyhash"},
                         {ResultType::STR, "address", true,
                          "The Bitcoin address (only if a well-defined address exists)"},
                     }},
                    {ResultType::BOOL, "coinbase", "Coinbase or not"},
                }},
        },
        "\nGet unspent transactions\n" + HelpExampleCli("listunspent", "") +
            "\nView the details\n" + HelpExampleCli("gettxout", "\"txid\" 1") +
            "\nAs a JSON-RPC call\n" + HelpExampleRpc("gettxout", "\"txid\", 1"),
        [&services](const Request& request) -> Result {
            const auto txid = ParseHashParam(request.Param(0), "txid");
            const uint32_t n = Uint32Param(request.Param(1));
            const consensus::OutPoint outpoint{txid, n};
            const auto coin = request.Arg("include_mempool").get<bool>()
                                  ? services.chain->GetCoinWithMempool(outpoint)
                                  : services.chain->GetCoin(outpoint);
            if (!coin) return Json(nullptr);
            const auto tip = services.chain->Tip();
            Json result = Json::object();
            result["bestblock"] = tip.hash.GetHex();
            result["confirmations"] = coin->height == interfaces::MEMPOOL_COIN_HEIGHT
                                          ? int64_t{0}
                                          : static_cast<int64_t>(tip.height) - coin->height + 1;
            result["value"] = AmountToJson(coin->out.value);
            result["scriptPubKey"] =
                ScriptPubKeyToJson(coin->out.script_pubkey, services.chain->Params());
            result["coinbase"] = coin->coinbase;
            return result;
        }};
}

Method GetTxOutSetInfo(const Services& services)
{
    auto amount = [](std::string key, std::string text) {
        return ResultDoc{ResultType::STR_AMOUNT, std::move(key), std::move(text)};
    };
    return Method{
        "gettxoutsetinfo",
        "blockchain",
        "\nReturns statistics of the unspent transaction output set.\n"
        "Without coinstatsindex this walks the whole set and may take a while.\n",
        {
            {"hash_type", ArgType::STR, Json("hash_serialized_3"),
             "Which UTXO set hash should be calculated. Options: 'hash_serialized_3' (the legacy "
             "algorithm), 'muhash', 'none'."},
            {"hash_or_height",
             ArgType::NUM,
             DefaultHint{"the current best block"},
             "The block hash or height of the target height (only available with coinstatsindex).",
             {},
             ArgOptions{.skip_type_check = true, .type_str = {"", "string or numeric"}}},
            {"use_index", ArgType::BOOL, Json(true), "Use coinstatsindex, if available."},
        },
        {ResultDoc{
            ResultType::OBJ,
            "",
            "",
            {
                {ResultType::NUM, "height", "The block height (index) of the returned statistics"},
                {ResultType::STR_HEX, "bestblock",
                 "The hash of the block at which these statistics are calculated"},
                {ResultType::NUM, "txouts", "The number of unspent transaction outputs"},
                {ResultType::NUM, "bogosize",
                 "Database-independent, meaningless metric indicating the UTXO set size"},
                {ResultType::STR_HEX, "hash_serialized_3", true,
                 "The serialized hash (only present if 'hash_serialized_3' hash_type is chosen)"},
                {ResultType::STR_HEX, "muhash", true,
                 "The serialized hash (only present if 'muhash' hash_type is chosen)"},
                {ResultType::NUM, "transactions", true,
                 "The number of transactions with unspent outputs (not available when "
                 "coinstatsindex is used)"},
                {ResultType::NUM, "disk_size", true,
                 "The estimated size of the chainstate on disk (not available when coinstatsindex "
                 "is used)"},
                amount("total_amount", "The total amount of coins in the UTXO set"),
                {ResultType::STR_AMOUNT, "total_unspendable_amount", true,
                 "The total amount of coins permanently excluded from the UTXO set (only "
                 "available if coinstatsindex is used)"},
                {ResultType::OBJ,
                 "block_info",
                 true,
                 "Info on amounts in the block at this block height (only available if "
                 "coinstatsindex is used)",
                 {
                     amount("prevout_spent", "Total amount of all prevouts spent in this block"),
                     amount("coinbase", "Coinbase subsidy amount of this block"),
                     amount("new_outputs_ex_coinbase",
                            "Total amount of new outputs created by this block"),
                     amount("unspendable",
                            "Total amount of unspendable outputs created in this block"),
                     {ResultType::OBJ,
                      "unspendables",
                      "Detailed view of the unspendable categories",
                      {
                          amount("genesis_block",
                                 "The unspendable amount of the Genesis block subsidy"),
                          amount("bip30",
                                 "Transactions overridden by duplicates (no longer possible with "
                                 "BIP30)"),
                          amount("scripts",
                                 "Amounts sent to scripts that are unspendable (for example "
                                 "OP_RETURN outputs)"),
                          amount("unclaimed_rewards",
                                 "Fee rewards that miners did not claim in their coinbase "
                                 "transaction"),
                      }},
                 }},
            }}},
        HelpExampleCli("gettxoutsetinfo", "") + HelpExampleCli("gettxoutsetinfo", "\"none\"") +
            HelpExampleCli("gettxoutsetinfo", "\"none\" 1000") +
            HelpExampleCli("gettxoutsetinfo", "\"none\" '\"" + EXAMPLE_BLOCK_HASH + "\"'") +
            HelpExampleCli("-named gettxoutsetinfo", "hash_type='muhash' use_index='false'") +
            HelpExampleRpc("gettxoutsetinfo", "") + HelpExampleRpc("gettxoutsetinfo", "\"none\"") +
            HelpExampleRpc("gettxoutsetinfo", "\"none\", 1000") +
            HelpExampleRpc("gettxoutsetinfo", "\"none\", \"" + EXAMPLE_BLOCK_HASH + "\""),
        [&services](const Request& request) -> Result {
            const std::string hash_type = request.Arg("hash_type").get<std::string>();
            // No coinstatsindex: both digests come from a walk over the whole set.
            if (hash_type != "hash_serialized_3" && hash_type != "muhash" && hash_type != "none") {
                ThrowRpc(RPC_INVALID_PARAMETER, "'" + hash_type + "' is not a valid hash_type");
            }
            if (request.HasArg("hash_or_height")) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Querying specific block heights requires coinstatsindex");
            }
            const bool with_muhash = hash_type == "muhash";
            const auto stats = services.chain->GetUtxoSetStats(with_muhash);
            if (!stats) ThrowRpc(RPC_INTERNAL_ERROR, "Unable to read UTXO set");
            Json result = Json::object();
            result["height"] = stats->height;
            result["bestblock"] = stats->best_block.GetHex();
            result["txouts"] = stats->txouts;
            result["bogosize"] = stats->bogosize;
            if (hash_type == "hash_serialized_3") {
                result["hash_serialized_3"] = stats->hash_serialized.GetHex();
            }
            if (with_muhash) result["muhash"] = stats->muhash.GetHex();
            result["total_amount"] = AmountToJson(stats->total_amount);
            result["transactions"] = stats->transactions;
            result["disk_size"] = stats->disk_size;
            return result;
        }};
}

} // namespace

void RegisterBlockchainStatsMethods(MethodTable& table, const Services& services)
{
    table.Register(GetBlockStats(services));
    table.Register(GetChainTxStats(services));
    table.Register(GetTxOut(services));
    table.Register(GetTxOutSetInfo(services));
}

} // namespace rpc
