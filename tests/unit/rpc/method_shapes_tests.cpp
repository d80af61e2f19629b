// The shape of every method in the blockchain, control, network, rawtransactions (and psbt), util
// (getindexinfo) and zmq files, and of the builtins, against Bitcoin Core v28: argument names in
// order (with aliases and hidden arguments), the help category, and each documented result's type
// and field paths. The table is transcribed from Core v28.0's published RPC docs
// (bitcoincore.org/en/doc/28.0.0/rpc/...) and, for hidden methods, from Core's method tables.
// Field paths: "a.b" is key b inside object a, "a[]" is an element of array a, a trailing "?"
// marks a field Core documents as optional.
#include <rpc/dispatch.h>
#include <rpc/method.h>
#include <rpc/register.h>
#include <rpc/services.h>

#include "help_shapes.h"

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using rpc::ResultDoc;
using rpc::ResultType;
using rpc_test::CollectArgNames;
using rpc_test::CollectFields;
using rpc_test::Join;
using rpc_test::ResultShape;
using rpc_test::TypeWord;

struct MethodShape
{
    const char* name;
    const char* category;
    std::vector<std::string> args; //!< top-level names, "name|alias" where Core has an alias
    const char* nested;            //!< names of the fields inside object and array arguments
    std::vector<ResultShape> results;
};

const std::vector<MethodShape>& CoreShapes()
{
    static const std::vector<MethodShape> shapes{
        {"getbestblockhash", "blockchain", {}, "", {{"", "string", ""}}},
        {"getblock",
         "blockchain",
         {"blockhash", "verbosity|verbose"},
         "",
         {{"for verbosity = 0", "string", ""},
          {"for verbosity = 1", "json object",
           "hash confirmations size strippedsize weight height version versionHex merkleroot tx "
           "time mediantime nonce bits difficulty chainwork nTx previousblockhash? nextblockhash?"},
          {"for verbosity = 2", "json object", "tx tx[].fee"},
          {"for verbosity = 3", "json object",
           "tx tx[].vin tx[].vin[].prevout tx[].vin[].prevout.generated tx[].vin[].prevout.height "
           "tx[].vin[].prevout.value tx[].vin[].prevout.scriptPubKey "
           "tx[].vin[].prevout.scriptPubKey.asm tx[].vin[].prevout.scriptPubKey.desc "
           "tx[].vin[].prevout.scriptPubKey.hex tx[].vin[].prevout.scriptPubKey.address? "
           "tx[].vin[].prevout.scriptPubKey.type"}}},
        {"getblockchaininfo",
         "blockchain",
         {},
         "",
         {{"", "json object",
           "chain blocks headers bestblockhash difficulty time mediantime verificationprogress "
           "initialblockdownload chainwork size_on_disk pruned pruneheight? automatic_pruning? "
           "prune_target_size? warnings"}}},
        {"getblockcount", "blockchain", {}, "", {{"", "numeric", ""}}},
        {"getblockhash", "blockchain", {"height"}, "", {{"", "string", ""}}},
        {"getblockheader",
         "blockchain",
         {"blockhash", "verbose"},
         "",
         {{"for verbose = true", "json object",
           "hash confirmations height version versionHex merkleroot time mediantime nonce bits "
           "difficulty chainwork nTx previousblockhash? nextblockhash?"},
          {"for verbose=false", "string", ""}}},
        {"getblockstats",
         "blockchain",
         {"hash_or_height", "stats"},
         "height time",
         {{"", "json object",
           "avgfee? avgfeerate? avgtxsize? blockhash? feerate_percentiles? height? ins? maxfee? "
           "maxfeerate? maxtxsize? medianfee? mediantime? mediantxsize? minfee? minfeerate? "
           "mintxsize? outs? subsidy? swtotal_size? swtotal_weight? swtxs? time? total_out? "
           "total_size? total_weight? totalfee? txs? utxo_increase? utxo_size_inc? "
           "utxo_increase_actual? utxo_size_inc_actual?"}}},
        {"getchaintips",
         "blockchain",
         {},
         "",
         {{"", "json array", "[].height [].hash [].branchlen [].status"}}},
        {"getchaintxstats",
         "blockchain",
         {"nblocks", "blockhash"},
         "",
         {{"", "json object",
           "time txcount? window_final_block_hash window_final_block_height window_block_count "
           "window_interval? window_tx_count? txrate?"}}},
        {"getdeploymentinfo",
         "blockchain",
         {"blockhash"},
         "",
         {{"", "json object",
           "hash height deployments deployments.xxxx deployments.xxxx.type "
           "deployments.xxxx.height? deployments.xxxx.active deployments.xxxx.bip9? "
           "deployments.xxxx.bip9.bit? deployments.xxxx.bip9.start_time "
           "deployments.xxxx.bip9.timeout deployments.xxxx.bip9.min_activation_height "
           "deployments.xxxx.bip9.status deployments.xxxx.bip9.since "
           "deployments.xxxx.bip9.status_next deployments.xxxx.bip9.statistics? "
           "deployments.xxxx.bip9.statistics.period deployments.xxxx.bip9.statistics.threshold? "
           "deployments.xxxx.bip9.statistics.elapsed deployments.xxxx.bip9.statistics.count "
           "deployments.xxxx.bip9.statistics.possible? deployments.xxxx.bip9.signalling?"}}},
        {"getdifficulty", "blockchain", {}, "", {{"", "numeric", ""}}},
        {"gettxout",
         "blockchain",
         {"txid", "n", "include_mempool"},
         "",
         {{"If the UTXO was not found", "json null", ""},
          {"Otherwise", "json object",
           "bestblock confirmations value scriptPubKey scriptPubKey.asm scriptPubKey.desc "
           "scriptPubKey.hex scriptPubKey.type scriptPubKey.address? coinbase"}}},
        {"gettxoutproof", "blockchain", {"txids", "blockhash"}, "txid", {{"", "string", ""}}},
        {"gettxoutsetinfo",
         "blockchain",
         {"hash_type", "hash_or_height", "use_index"},
         "",
         {{"", "json object",
           "height bestblock txouts bogosize hash_serialized_3? muhash? transactions? disk_size? "
           "total_amount total_unspendable_amount? block_info? block_info.prevout_spent "
           "block_info.coinbase block_info.new_outputs_ex_coinbase block_info.unspendable "
           "block_info.unspendables block_info.unspendables.genesis_block "
           "block_info.unspendables.bip30 block_info.unspendables.scripts "
           "block_info.unspendables.unclaimed_rewards"}}},
        {"preciousblock", "blockchain", {"blockhash"}, "", {{"", "json null", ""}}},
        {"verifychain", "blockchain", {"checklevel", "nblocks"}, "", {{"", "boolean", ""}}},
        {"verifytxoutproof", "blockchain", {"proof"}, "", {{"", "json array", ""}}},
        {"getmemoryinfo",
         "control",
         {"mode"},
         "",
         {{"mode \"stats\"", "json object",
           "locked locked.used locked.free locked.total locked.locked locked.chunks_used "
           "locked.chunks_free"},
          {"mode \"mallocinfo\"", "string", ""}}},
        {"getrpcinfo",
         "control",
         {},
         "",
         {{"", "json object",
           "active_commands active_commands[].method active_commands[].duration logpath"}}},
        {"help", "control", {"command"}, "", {{"", "string", ""}}},
        {"logging",
         "control",
         {"include", "exclude"},
         "include_category exclude_category",
         {{"", "json object", "category"}}},
        {"stop", "control", {"wait"}, "", {{"", "string", ""}}},
        {"uptime", "control", {}, "", {{"", "numeric", ""}}},
        {"combinerawtransaction", "rawtransactions", {"txs"}, "hexstring", {{"", "string", ""}}},
        {"createrawtransaction",
         "rawtransactions",
         {"inputs", "outputs", "locktime", "replaceable"},
         "txid vout sequence address data",
         {{"", "string", ""}}},
        {"decoderawtransaction",
         "rawtransactions",
         {"hexstring", "iswitness"},
         "",
         {{"", "json object",
           "txid hash size vsize weight version locktime vin vin[].coinbase? vin[].txid? "
           "vin[].vout? vin[].scriptSig? vin[].scriptSig.asm vin[].scriptSig.hex "
           "vin[].txinwitness? vin[].sequence vout vout[].value vout[].n vout[].scriptPubKey "
           "vout[].scriptPubKey.asm vout[].scriptPubKey.desc vout[].scriptPubKey.hex "
           "vout[].scriptPubKey.address? vout[].scriptPubKey.type"}}},
        {"decodescript",
         "rawtransactions",
         {"hexstring"},
         "",
         {{"", "json object",
           "asm desc type address? p2sh? segwit? segwit.asm segwit.hex segwit.type segwit.address? "
           "segwit.desc segwit.p2sh-segwit"}}},
        {"getrawtransaction",
         "rawtransactions",
         {"txid", "verbosity|verbose", "blockhash"},
         "",
         {{"if verbosity is not set or set to 0", "string", ""},
          {"if verbosity is set to 1", "json object",
           "in_active_chain? blockhash? confirmations? blocktime? time? hex txid hash size vsize "
           "weight version locktime vin vin[].coinbase? vin[].txid? vin[].vout? vin[].scriptSig? "
           "vin[].scriptSig.asm vin[].scriptSig.hex vin[].txinwitness? vin[].sequence vout "
           "vout[].value vout[].n vout[].scriptPubKey vout[].scriptPubKey.asm "
           "vout[].scriptPubKey.desc vout[].scriptPubKey.hex vout[].scriptPubKey.address? "
           "vout[].scriptPubKey.type"},
          {"for verbosity = 2", "json object",
           "fee? vin vin[].prevout? vin[].prevout.generated vin[].prevout.height "
           "vin[].prevout.value vin[].prevout.scriptPubKey vin[].prevout.scriptPubKey.asm "
           "vin[].prevout.scriptPubKey.desc vin[].prevout.scriptPubKey.hex "
           "vin[].prevout.scriptPubKey.address? vin[].prevout.scriptPubKey.type"}}},
        {"signrawtransactionwithkey",
         "rawtransactions",
         {"hexstring", "privkeys", "prevtxs", "sighashtype"},
         "privatekey txid vout scriptPubKey redeemScript witnessScript amount",
         {{"", "json object",
           "hex complete errors? errors[].txid errors[].vout errors[].witness errors[].scriptSig "
           "errors[].sequence errors[].error"}}},
        // PSBT methods (psbt.cpp), from Core v28's rawtransactions help pages.
        {"analyzepsbt",
         "rawtransactions",
         {"psbt"},
         "",
         {{"", "json object",
           "inputs? inputs[].has_utxo inputs[].is_final inputs[].missing? "
           "inputs[].missing.pubkeys? inputs[].missing.signatures? inputs[].missing.redeemscript? "
           "inputs[].missing.witnessscript? inputs[].next? estimated_vsize? estimated_feerate? "
           "fee? next error?"}}},
        {"combinepsbt", "rawtransactions", {"txs"}, "psbt", {{"", "string", ""}}},
        {"converttopsbt",
         "rawtransactions",
         {"hexstring", "permitsigdata", "iswitness"},
         "",
         {{"", "string", ""}}},
        {"createpsbt",
         "rawtransactions",
         {"inputs", "outputs", "locktime", "replaceable"},
         "txid vout sequence address data",
         {{"", "string", ""}}},
        {"decodepsbt",
         "rawtransactions",
         {"psbt"},
         "",
         {{"", "json object",
           "tx global_xpubs global_xpubs[].xpub global_xpubs[].master_fingerprint "
           "global_xpubs[].path psbt_version proprietary proprietary[].identifier "
           "proprietary[].subtype proprietary[].key proprietary[].value unknown unknown.key "
           "inputs inputs[].non_witness_utxo? inputs[].witness_utxo? "
           "inputs[].witness_utxo.amount inputs[].witness_utxo.scriptPubKey "
           "inputs[].witness_utxo.scriptPubKey.asm inputs[].witness_utxo.scriptPubKey.desc "
           "inputs[].witness_utxo.scriptPubKey.hex inputs[].witness_utxo.scriptPubKey.type "
           "inputs[].witness_utxo.scriptPubKey.address? inputs[].partial_signatures? "
           "inputs[].partial_signatures.pubkey inputs[].sighash? inputs[].redeem_script? "
           "inputs[].redeem_script.asm inputs[].redeem_script.hex "
           "inputs[].redeem_script.type inputs[].witness_script? inputs[].witness_script.asm "
           "inputs[].witness_script.hex inputs[].witness_script.type inputs[].bip32_derivs? "
           "inputs[].bip32_derivs[].pubkey inputs[].bip32_derivs[].master_fingerprint "
           "inputs[].bip32_derivs[].path inputs[].final_scriptSig? "
           "inputs[].final_scriptSig.asm inputs[].final_scriptSig.hex "
           "inputs[].final_scriptwitness? inputs[].ripemd160_preimages? "
           "inputs[].ripemd160_preimages.hash inputs[].sha256_preimages? "
           "inputs[].sha256_preimages.hash inputs[].hash160_preimages? "
           "inputs[].hash160_preimages.hash inputs[].hash256_preimages? "
           "inputs[].hash256_preimages.hash inputs[].taproot_key_path_sig? "
           "inputs[].taproot_script_path_sigs? inputs[].taproot_script_path_sigs[]? "
           "inputs[].taproot_script_path_sigs[].pubkey "
           "inputs[].taproot_script_path_sigs[].leaf_hash "
           "inputs[].taproot_script_path_sigs[].sig inputs[].taproot_scripts? "
           "inputs[].taproot_scripts[].script inputs[].taproot_scripts[].leaf_ver "
           "inputs[].taproot_scripts[].control_blocks inputs[].taproot_bip32_derivs? "
           "inputs[].taproot_bip32_derivs[].pubkey "
           "inputs[].taproot_bip32_derivs[].master_fingerprint "
           "inputs[].taproot_bip32_derivs[].path inputs[].taproot_bip32_derivs[].leaf_hashes "
           "inputs[].taproot_internal_key? inputs[].taproot_merkle_root? inputs[].unknown? "
           "inputs[].unknown.key inputs[].proprietary? inputs[].proprietary[].identifier "
           "inputs[].proprietary[].subtype inputs[].proprietary[].key "
           "inputs[].proprietary[].value outputs outputs[].redeem_script? "
           "outputs[].redeem_script.asm outputs[].redeem_script.hex "
           "outputs[].redeem_script.type outputs[].witness_script? "
           "outputs[].witness_script.asm outputs[].witness_script.hex "
           "outputs[].witness_script.type outputs[].bip32_derivs? "
           "outputs[].bip32_derivs[].pubkey outputs[].bip32_derivs[].master_fingerprint "
           "outputs[].bip32_derivs[].path outputs[].taproot_internal_key? "
           "outputs[].taproot_tree? outputs[].taproot_tree[]? outputs[].taproot_tree[].depth "
           "outputs[].taproot_tree[].leaf_ver outputs[].taproot_tree[].script "
           "outputs[].taproot_bip32_derivs? outputs[].taproot_bip32_derivs[].pubkey "
           "outputs[].taproot_bip32_derivs[].master_fingerprint "
           "outputs[].taproot_bip32_derivs[].path "
           "outputs[].taproot_bip32_derivs[].leaf_hashes outputs[].unknown? "
           "outputs[].unknown.key outputs[].proprietary? outputs[].proprietary[].identifier "
           "outputs[].proprietary[].subtype outputs[].proprietary[].key "
           "outputs[].proprietary[].value fee?"}}},
        {"finalizepsbt",
         "rawtransactions",
         {"psbt", "extract"},
         "",
         {{"", "json object", "psbt? hex? complete"}}},
        {"joinpsbts", "rawtransactions", {"txs"}, "psbt", {{"", "string", ""}}},
        {"utxoupdatepsbt",
         "rawtransactions",
         {"psbt", "descriptors"},
         "desc range",
         {{"", "string", ""}}},
        {"getindexinfo",
         "util",
         {"index_name"},
         "",
         {{"", "json object", "name name.synced name.best_block_height"}}},
        {"getzmqnotifications", "zmq", {}, "", {{"", "json array", "[].type [].address [].hwm"}}},
        // network (and getblockfrompeer, which Core files under blockchain)
        {"addnode", "network", {"node", "command", "v2transport"}, "", {{"", "json null", ""}}},
        {"clearbanned", "network", {}, "", {{"", "json null", ""}}},
        {"disconnectnode", "network", {"address", "nodeid"}, "", {{"", "json null", ""}}},
        {"getaddednodeinfo",
         "network",
         {"node"},
         "",
         {{"", "json array",
           "[].addednode [].connected [].addresses [].addresses[].address "
           "[].addresses[].connected"}}},
        {"getconnectioncount", "network", {}, "", {{"", "numeric", ""}}},
        {"getnettotals",
         "network",
         {},
         "",
         {{"", "json object",
           "totalbytesrecv totalbytessent timemillis uploadtarget uploadtarget.timeframe "
           "uploadtarget.target uploadtarget.target_reached uploadtarget.serve_historical_blocks "
           "uploadtarget.bytes_left_in_cycle uploadtarget.time_left_in_cycle"}}},
        {"getnetworkinfo",
         "network",
         {},
         "",
         {{"", "json object",
           "version subversion protocolversion localservices localservicesnames localrelay "
           "timeoffset connections connections_in connections_out networkactive networks "
           "networks[].name networks[].limited networks[].reachable networks[].proxy "
           "networks[].proxy_randomize_credentials relayfee incrementalfee localaddresses "
           "localaddresses[].address localaddresses[].port localaddresses[].score warnings"}}},
        {"getnodeaddresses",
         "network",
         {"count", "network"},
         "",
         {{"", "json array", "[].time [].services [].address [].port [].network"}}},
        {"getpeerinfo",
         "network",
         {},
         "",
         {{"", "json array",
           "[].id [].addr [].addrbind? [].addrlocal? [].network [].mapped_as? [].services "
           "[].servicesnames [].relaytxes [].lastsend [].lastrecv [].last_transaction "
           "[].last_block [].bytessent [].bytesrecv [].conntime [].timeoffset [].pingtime? "
           "[].minping? [].pingwait? [].version [].subver [].inbound [].bip152_hb_to "
           "[].bip152_hb_from [].startingheight [].presynced_headers [].synced_headers "
           "[].synced_blocks [].inflight [].addr_relay_enabled [].addr_processed "
           "[].addr_rate_limited [].permissions [].minfeefilter [].bytessent_per_msg "
           "[].bytessent_per_msg.msg [].bytesrecv_per_msg [].bytesrecv_per_msg.msg "
           "[].connection_type [].transport_protocol_type [].session_id"}}},
        {"listbanned",
         "network",
         {},
         "",
         {{"", "json array",
           "[].address [].ban_created [].banned_until [].ban_duration [].time_remaining"}}},
        {"ping", "network", {}, "", {{"", "json null", ""}}},
        {"setban",
         "network",
         {"subnet", "command", "bantime", "absolute"},
         "",
         {{"", "json null", ""}}},
        {"setnetworkactive", "network", {"state"}, "", {{"", "boolean", ""}}},
        {"getblockfrompeer", "blockchain", {"blockhash", "peer_id"}, "", {{"", "json object", ""}}},
        // Hidden in Core v28 (absent from its published docs); names from Core's own method tables.
        {"invalidateblock", "hidden", {"blockhash"}, "", {{"", "json null", ""}}},
        {"reconsiderblock", "hidden", {"blockhash"}, "", {{"", "json null", ""}}},
        {"waitfornewblock", "hidden", {"timeout"}, "", {{"", "json object", "hash height"}}},
        {"waitforblock",
         "hidden",
         {"blockhash", "timeout"},
         "",
         {{"", "json object", "hash height"}}},
        {"waitforblockheight",
         "hidden",
         {"height", "timeout"},
         "",
         {{"", "json object", "hash height"}}},
        {"addpeeraddress",
         "hidden",
         {"address", "port", "tried"},
         "",
         {{"", "json object", "success error?"}}},
        {"echo",
         "hidden",
         {"arg0", "arg1", "arg2", "arg3", "arg4", "arg5", "arg6", "arg7", "arg8", "arg9"},
         "",
         {}},
        {"echojson",
         "hidden",
         {"arg0", "arg1", "arg2", "arg3", "arg4", "arg5", "arg6", "arg7", "arg8", "arg9"},
         "",
         {}},
    };
    return shapes;
}

class MethodShapesTest : public ::testing::Test
{
protected:
    MethodShapesTest()
    {
        // Registration only reads the services' address; no handler runs, so no chain is needed.
        m_table.RegisterBuiltins();
        rpc::RegisterBlockchainMethods(m_table, m_services);
        rpc::RegisterControlMethods(m_table, m_services);
        rpc::RegisterRawTransactionMethods(m_table, m_services);
        rpc::RegisterPsbtMethods(m_table, m_services);
        rpc::RegisterTxOutProofMethods(m_table, m_services);
        rpc::RegisterZmqMethods(m_table, m_services);
        rpc::RegisterNetMethods(m_table, m_services);
    }

    rpc::Services m_services;
    rpc::MethodTable m_table;
};

TEST_F(MethodShapesTest, RegistersExactlyTheDocumentedMethods)
{
    std::set<std::string> expected;
    for (const auto& shape : CoreShapes())
        expected.insert(shape.name);
    const auto names = m_table.MethodNames();
    // A method whose description is not well formed is silently not registered; this catches it.
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), expected);
    EXPECT_EQ(names.size(), expected.size());
}

TEST_F(MethodShapesTest, ArgumentNamesAndOrderMatchCore)
{
    for (const auto& shape : CoreShapes()) {
        SCOPED_TRACE(shape.name);
        const rpc::Method* method = m_table.Find(shape.name);
        ASSERT_NE(method, nullptr);
        std::vector<std::string> names;
        for (const auto& arg : method->Args())
            names.push_back(arg.names);
        EXPECT_EQ(names, shape.args);
        std::vector<std::string> nested;
        for (const auto& arg : method->Args())
            CollectArgNames(arg.inner, nested);
        EXPECT_EQ(Join(nested), shape.nested);
    }
}

TEST_F(MethodShapesTest, CategoryMatchesCore)
{
    for (const auto& shape : CoreShapes()) {
        SCOPED_TRACE(shape.name);
        const rpc::Method* method = m_table.Find(shape.name);
        ASSERT_NE(method, nullptr);
        EXPECT_EQ(method->Category(), shape.category);
    }
}

TEST_F(MethodShapesTest, ResultTypesAndFieldsMatchCore)
{
    for (const auto& shape : CoreShapes()) {
        SCOPED_TRACE(shape.name);
        const rpc::Method* method = m_table.Find(shape.name);
        ASSERT_NE(method, nullptr);
        // ANY results are test-only and never shown in help, so Core's docs omit them too.
        std::vector<const ResultDoc*> shown;
        for (const auto& doc : method->Results()) {
            if (doc.type != ResultType::ANY) shown.push_back(&doc);
        }
        ASSERT_EQ(shown.size(), shape.results.size());
        for (size_t i = 0; i < shown.size(); ++i) {
            SCOPED_TRACE(shape.results[i].cond);
            EXPECT_EQ(shown[i]->cond, shape.results[i].cond);
            EXPECT_EQ(TypeWord(shown[i]->type), shape.results[i].type);
            std::vector<std::string> fields;
            // minibit's own extension fields (getpeerinfo's minibit_cmpct_*) are not Core's.
            CollectFields(*shown[i], "", fields,
                          [](const std::string&, bool, const ResultDoc& child) {
                              return child.key_name.rfind("minibit_", 0) == 0;
                          });
            EXPECT_EQ(Join(fields), shape.results[i].fields);
        }
    }
}

TEST_F(MethodShapesTest, HelpListsCategoriesAsCoreAndHidesHiddenMethods)
{
    // Which "== Category ==" header each listed method sits under.
    std::map<std::string, std::string> listed_under;
    std::istringstream listing{m_table.Help("")};
    std::string line, header;
    while (std::getline(listing, line)) {
        if (line.empty()) continue;
        if (line.rfind("== ", 0) == 0) {
            header = line;
            continue;
        }
        listed_under[line.substr(0, line.find(' '))] = header;
    }
    for (const auto& shape : CoreShapes()) {
        SCOPED_TRACE(shape.name);
        const std::string category{shape.category};
        if (category == "hidden") {
            EXPECT_EQ(listed_under.count(shape.name), 0u);
            continue;
        }
        // Core capitalises only the first letter: "== Rawtransactions ==", "== Zmq ==".
        std::string expected_header = "== " + category + " ==";
        expected_header[3] = static_cast<char>(std::toupper(expected_header[3]));
        EXPECT_EQ(listed_under[shape.name], expected_header);
    }
    // Hidden methods still answer help for themselves, as in Core.
    EXPECT_EQ(m_table.Help("invalidateblock").rfind("invalidateblock \"blockhash\"", 0), 0u);
    // A hidden argument stays out of the summary line.
    EXPECT_EQ(m_table.Find("stop")->SummaryLine(), "stop");
}

TEST_F(MethodShapesTest, AliasesMapToTheSamePosition)
{
    for (const char* name : {"getblock", "getrawtransaction"}) {
        SCOPED_TRACE(name);
        const rpc::Method* method = m_table.Find(name);
        ASSERT_NE(method, nullptr);
        EXPECT_EQ(method->ArgPosition("verbose"), std::optional<size_t>{1});
        EXPECT_EQ(method->ArgPosition("verbosity"), std::optional<size_t>{1});
        auto mapped = method->NamedToPositional(rpc::Json{{"verbose", 0}});
        ASSERT_TRUE(mapped);
        EXPECT_EQ(mapped.value(), rpc::Json::parse("[null, 0]"));
        // A name Core does not have is refused with -8.
        auto unknown = method->NamedToPositional(rpc::Json{{"verbositylevel", 0}});
        ASSERT_FALSE(unknown);
        EXPECT_EQ(unknown.error().code, rpc::RPC_INVALID_PARAMETER);
    }
    // getblockheader has no alias: "verbosity" is not one of its names.
    EXPECT_EQ(m_table.Find("getblockheader")->ArgPosition("verbosity"), std::nullopt);
}

} // namespace

namespace {

// Every method minibitd serves, by Core's name: a description that fails its own checks
// is silently left out by MethodTable::Register, so the whole table is pinned here.
TEST(AllMethods, EveryCategoryRegistersEveryMethod)
{
    rpc::Services services;
    rpc::MethodTable table;
    table.RegisterBuiltins();
    rpc::RegisterAllMethods(table, services);
    const std::set<std::string> expected{
        // blockchain
        "getbestblockhash", "getblock", "getblockchaininfo", "getblockcount", "getblockhash",
        "getblockheader", "getblockstats", "getchaintips", "getchaintxstats", "getdeploymentinfo",
        "getdifficulty", "gettxout", "gettxoutproof", "verifytxoutproof", "gettxoutsetinfo",
        "scantxoutset", "verifychain", "invalidateblock", "reconsiderblock", "preciousblock",
        "waitfornewblock", "waitforblock", "waitforblockheight", "getrawmempool", "getmempoolinfo",
        "getmempoolentry", "getmempoolancestors", "getmempooldescendants", "gettxspendingprevout",
        "savemempool",
        // control, hidden and zmq
        "help", "echo", "echojson", "stop", "uptime", "logging", "getrpcinfo", "getmemoryinfo",
        "setmocktime", "getzmqnotifications",
        // network (getblockfrompeer is blockchain, addpeeraddress hidden)
        "getpeerinfo", "getnetworkinfo", "getconnectioncount", "getnettotals", "addnode",
        "disconnectnode", "getaddednodeinfo", "getnodeaddresses", "setban", "listbanned",
        "clearbanned", "ping", "setnetworkactive", "getblockfrompeer", "addpeeraddress",
        // rawtransactions
        "getrawtransaction", "decoderawtransaction", "createrawtransaction", "decodescript",
        "combinerawtransaction", "signrawtransactionwithkey", "sendrawtransaction",
        "testmempoolaccept", "submitpackage", "createpsbt", "combinepsbt", "finalizepsbt",
        "decodepsbt", "analyzepsbt", "utxoupdatepsbt", "converttopsbt", "joinpsbts",
        // util
        "validateaddress", "createmultisig", "getdescriptorinfo", "deriveaddresses",
        "verifymessage", "signmessagewithprivkey", "getindexinfo", "estimatesmartfee",
        // mining and generating
        "getblocktemplate", "submitblock", "submitheader", "getmininginfo", "getnetworkhashps",
        "prioritisetransaction", "getprioritisedtransactions", "generatetoaddress",
        "generatetodescriptor", "generateblock"};
    const auto names = table.MethodNames();
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), expected);
}

} // namespace
