#include <rpc/client.h>

#include <array>

namespace rpc {

namespace {

// Bitcoin Core v28's list of (method, position, name) whose command-line words are JSON.
// Several entries share a position: option keys inside an "options" object are listed so
// that "-named" calls giving those keys directly also get JSON values.
// clang-format off
constexpr auto CONVERT_PARAMS = std::to_array<ConvertParam>({
    {"setmocktime", 0, "timestamp"},
    {"mockscheduler", 0, "delta_time"},
    {"utxoupdatepsbt", 1, "descriptors"},
    {"generatetoaddress", 0, "nblocks"},
    {"generatetoaddress", 2, "maxtries"},
    {"generatetodescriptor", 0, "num_blocks"},
    {"generatetodescriptor", 2, "maxtries"},
    {"generateblock", 1, "transactions"},
    {"generateblock", 2, "submit"},
    {"getnetworkhashps", 0, "nblocks"},
    {"getnetworkhashps", 1, "height"},
    {"sendtoaddress", 1, "amount"},
    {"sendtoaddress", 4, "subtractfeefromamount"},
    {"sendtoaddress", 5, "replaceable"},
    {"sendtoaddress", 6, "conf_target"},
    {"sendtoaddress", 8, "avoid_reuse"},
    {"sendtoaddress", 9, "fee_rate"},
    {"sendtoaddress", 10, "verbose"},
    {"settxfee", 0, "amount"},
    {"sethdseed", 0, "newkeypool"},
    {"getreceivedbyaddress", 1, "minconf"},
    {"getreceivedbyaddress", 2, "include_immature_coinbase"},
    {"getreceivedbylabel", 1, "minconf"},
    {"getreceivedbylabel", 2, "include_immature_coinbase"},
    {"listreceivedbyaddress", 0, "minconf"},
    {"listreceivedbyaddress", 1, "include_empty"},
    {"listreceivedbyaddress", 2, "include_watchonly"},
    {"listreceivedbyaddress", 4, "include_immature_coinbase"},
    {"listreceivedbylabel", 0, "minconf"},
    {"listreceivedbylabel", 1, "include_empty"},
    {"listreceivedbylabel", 2, "include_watchonly"},
    {"listreceivedbylabel", 3, "include_immature_coinbase"},
    {"getbalance", 1, "minconf"},
    {"getbalance", 2, "include_watchonly"},
    {"getbalance", 3, "avoid_reuse"},
    {"getblockfrompeer", 1, "peer_id"},
    {"getblockhash", 0, "height"},
    {"waitforblockheight", 0, "height"},
    {"waitforblockheight", 1, "timeout"},
    {"waitforblock", 1, "timeout"},
    {"waitfornewblock", 0, "timeout"},
    {"listtransactions", 1, "count"},
    {"listtransactions", 2, "skip"},
    {"listtransactions", 3, "include_watchonly"},
    {"walletpassphrase", 1, "timeout"},
    {"getblocktemplate", 0, "template_request"},
    {"listsinceblock", 1, "target_confirmations"},
    {"listsinceblock", 2, "include_watchonly"},
    {"listsinceblock", 3, "include_removed"},
    {"listsinceblock", 4, "include_change"},
    {"sendmany", 1, "amounts"},
    {"sendmany", 2, "minconf"},
    {"sendmany", 4, "subtractfeefrom"},
    {"sendmany", 5, "replaceable"},
    {"sendmany", 6, "conf_target"},
    {"sendmany", 8, "fee_rate"},
    {"sendmany", 9, "verbose"},
    {"deriveaddresses", 1, "range"},
    {"scanblocks", 1, "scanobjects"},
    {"scanblocks", 2, "start_height"},
    {"scanblocks", 3, "stop_height"},
    {"scanblocks", 5, "options"},
    {"scanblocks", 5, "filter_false_positives"},
    {"scantxoutset", 1, "scanobjects"},
    {"addmultisigaddress", 0, "nrequired"},
    {"addmultisigaddress", 1, "keys"},
    {"createmultisig", 0, "nrequired"},
    {"createmultisig", 1, "keys"},
    {"listunspent", 0, "minconf"},
    {"listunspent", 1, "maxconf"},
    {"listunspent", 2, "addresses"},
    {"listunspent", 3, "include_unsafe"},
    {"listunspent", 4, "query_options"},
    {"listunspent", 4, "minimumAmount"},
    {"listunspent", 4, "maximumAmount"},
    {"listunspent", 4, "maximumCount"},
    {"listunspent", 4, "minimumSumAmount"},
    {"listunspent", 4, "include_immature_coinbase"},
    {"getblock", 1, "verbosity"},
    {"getblock", 1, "verbose"},
    {"getblockheader", 1, "verbose"},
    {"getchaintxstats", 0, "nblocks"},
    {"gettransaction", 1, "include_watchonly"},
    {"gettransaction", 2, "verbose"},
    {"getrawtransaction", 1, "verbosity"},
    {"getrawtransaction", 1, "verbose"},
    {"createrawtransaction", 0, "inputs"},
    {"createrawtransaction", 1, "outputs"},
    {"createrawtransaction", 2, "locktime"},
    {"createrawtransaction", 3, "replaceable"},
    {"decoderawtransaction", 1, "iswitness"},
    {"signrawtransactionwithkey", 1, "privkeys"},
    {"signrawtransactionwithkey", 2, "prevtxs"},
    {"signrawtransactionwithwallet", 1, "prevtxs"},
    {"sendrawtransaction", 1, "maxfeerate"},
    {"sendrawtransaction", 2, "maxburnamount"},
    {"testmempoolaccept", 0, "rawtxs"},
    {"testmempoolaccept", 1, "maxfeerate"},
    {"submitpackage", 0, "package"},
    {"submitpackage", 1, "maxfeerate"},
    {"submitpackage", 2, "maxburnamount"},
    {"combinerawtransaction", 0, "txs"},
    {"fundrawtransaction", 1, "options"},
    {"fundrawtransaction", 1, "add_inputs"},
    {"fundrawtransaction", 1, "include_unsafe"},
    {"fundrawtransaction", 1, "minconf"},
    {"fundrawtransaction", 1, "maxconf"},
    {"fundrawtransaction", 1, "changePosition"},
    {"fundrawtransaction", 1, "includeWatching"},
    {"fundrawtransaction", 1, "lockUnspents"},
    {"fundrawtransaction", 1, "fee_rate"},
    {"fundrawtransaction", 1, "feeRate"},
    {"fundrawtransaction", 1, "subtractFeeFromOutputs"},
    {"fundrawtransaction", 1, "input_weights"},
    {"fundrawtransaction", 1, "conf_target"},
    {"fundrawtransaction", 1, "replaceable"},
    {"fundrawtransaction", 1, "solving_data"},
    {"fundrawtransaction", 1, "max_tx_weight"},
    {"fundrawtransaction", 2, "iswitness"},
    {"walletcreatefundedpsbt", 0, "inputs"},
    {"walletcreatefundedpsbt", 1, "outputs"},
    {"walletcreatefundedpsbt", 2, "locktime"},
    {"walletcreatefundedpsbt", 3, "options"},
    {"walletcreatefundedpsbt", 3, "add_inputs"},
    {"walletcreatefundedpsbt", 3, "include_unsafe"},
    {"walletcreatefundedpsbt", 3, "minconf"},
    {"walletcreatefundedpsbt", 3, "maxconf"},
    {"walletcreatefundedpsbt", 3, "changePosition"},
    {"walletcreatefundedpsbt", 3, "includeWatching"},
    {"walletcreatefundedpsbt", 3, "lockUnspents"},
    {"walletcreatefundedpsbt", 3, "fee_rate"},
    {"walletcreatefundedpsbt", 3, "feeRate"},
    {"walletcreatefundedpsbt", 3, "subtractFeeFromOutputs"},
    {"walletcreatefundedpsbt", 3, "conf_target"},
    {"walletcreatefundedpsbt", 3, "replaceable"},
    {"walletcreatefundedpsbt", 3, "solving_data"},
    {"walletcreatefundedpsbt", 3, "max_tx_weight"},
    {"walletcreatefundedpsbt", 4, "bip32derivs"},
    {"walletprocesspsbt", 1, "sign"},
    {"walletprocesspsbt", 3, "bip32derivs"},
    {"walletprocesspsbt", 4, "finalize"},
    {"descriptorprocesspsbt", 1, "descriptors"},
    {"descriptorprocesspsbt", 3, "bip32derivs"},
    {"descriptorprocesspsbt", 4, "finalize"},
    {"createpsbt", 0, "inputs"},
    {"createpsbt", 1, "outputs"},
    {"createpsbt", 2, "locktime"},
    {"createpsbt", 3, "replaceable"},
    {"combinepsbt", 0, "txs"},
    {"joinpsbts", 0, "txs"},
    {"finalizepsbt", 1, "extract"},
    {"converttopsbt", 1, "permitsigdata"},
    {"converttopsbt", 2, "iswitness"},
    {"gettxout", 1, "n"},
    {"gettxout", 2, "include_mempool"},
    {"gettxoutproof", 0, "txids"},
    {"gettxoutsetinfo", 1, "hash_or_height"},
    {"gettxoutsetinfo", 2, "use_index"},
    {"lockunspent", 0, "unlock"},
    {"lockunspent", 1, "transactions"},
    {"lockunspent", 2, "persistent"},
    {"getbalances", 0, "scan_utxoset"},
    {"send", 0, "outputs"},
    {"send", 1, "conf_target"},
    {"send", 3, "fee_rate"},
    {"send", 4, "options"},
    {"send", 4, "add_inputs"},
    {"send", 4, "include_unsafe"},
    {"send", 4, "minconf"},
    {"send", 4, "maxconf"},
    {"send", 4, "add_to_wallet"},
    {"send", 4, "change_position"},
    {"send", 4, "fee_rate"},
    {"send", 4, "include_watching"},
    {"send", 4, "inputs"},
    {"send", 4, "locktime"},
    {"send", 4, "lock_unspents"},
    {"send", 4, "psbt"},
    {"send", 4, "subtract_fee_from_outputs"},
    {"send", 4, "conf_target"},
    {"send", 4, "replaceable"},
    {"send", 4, "solving_data"},
    {"send", 4, "max_tx_weight"},
    {"sendall", 0, "recipients"},
    {"sendall", 1, "conf_target"},
    {"sendall", 3, "fee_rate"},
    {"sendall", 4, "options"},
    {"sendall", 4, "add_to_wallet"},
    {"sendall", 4, "fee_rate"},
    {"sendall", 4, "include_watching"},
    {"sendall", 4, "inputs"},
    {"sendall", 4, "locktime"},
    {"sendall", 4, "lock_unspents"},
    {"sendall", 4, "psbt"},
    {"sendall", 4, "send_max"},
    {"sendall", 4, "minconf"},
    {"sendall", 4, "maxconf"},
    {"sendall", 4, "conf_target"},
    {"sendall", 4, "replaceable"},
    {"sendall", 4, "solving_data"},
    {"simulaterawtransaction", 0, "rawtxs"},
    {"simulaterawtransaction", 1, "options"},
    {"simulaterawtransaction", 1, "include_watchonly"},
    {"importprivkey", 2, "rescan"},
    {"importaddress", 2, "rescan"},
    {"importaddress", 3, "p2sh"},
    {"importpubkey", 2, "rescan"},
    {"importmempool", 1, "options"},
    {"importmempool", 1, "apply_fee_delta_priority"},
    {"importmempool", 1, "use_current_time"},
    {"importmempool", 1, "apply_unbroadcast_set"},
    {"importmulti", 0, "requests"},
    {"importmulti", 1, "options"},
    {"importmulti", 1, "rescan"},
    {"importdescriptors", 0, "requests"},
    {"listdescriptors", 0, "private"},
    {"verifychain", 0, "checklevel"},
    {"verifychain", 1, "nblocks"},
    {"getblockstats", 0, "hash_or_height"},
    {"getblockstats", 1, "stats"},
    {"pruneblockchain", 0, "height"},
    {"keypoolrefill", 0, "newsize"},
    {"getrawmempool", 0, "verbose"},
    {"getrawmempool", 1, "mempool_sequence"},
    {"estimatesmartfee", 0, "conf_target"},
    {"estimaterawfee", 0, "conf_target"},
    {"estimaterawfee", 1, "threshold"},
    {"prioritisetransaction", 1, "dummy"},
    {"prioritisetransaction", 2, "fee_delta"},
    {"setban", 2, "bantime"},
    {"setban", 3, "absolute"},
    {"setnetworkactive", 0, "state"},
    {"setwalletflag", 1, "value"},
    {"getmempoolancestors", 1, "verbose"},
    {"getmempooldescendants", 1, "verbose"},
    {"gettxspendingprevout", 0, "outputs"},
    {"bumpfee", 1, "options"},
    {"bumpfee", 1, "conf_target"},
    {"bumpfee", 1, "fee_rate"},
    {"bumpfee", 1, "replaceable"},
    {"bumpfee", 1, "outputs"},
    {"bumpfee", 1, "original_change_index"},
    {"psbtbumpfee", 1, "options"},
    {"psbtbumpfee", 1, "conf_target"},
    {"psbtbumpfee", 1, "fee_rate"},
    {"psbtbumpfee", 1, "replaceable"},
    {"psbtbumpfee", 1, "outputs"},
    {"psbtbumpfee", 1, "original_change_index"},
    {"logging", 0, "include"},
    {"logging", 1, "exclude"},
    {"disconnectnode", 1, "nodeid"},
    {"upgradewallet", 0, "version"},
    {"gethdkeys", 0, "active_only"},
    {"gethdkeys", 0, "options"},
    {"gethdkeys", 0, "private"},
    {"createwalletdescriptor", 1, "options"},
    {"createwalletdescriptor", 1, "internal"},
    {"echojson", 0, "arg0"},
    {"echojson", 1, "arg1"},
    {"echojson", 2, "arg2"},
    {"echojson", 3, "arg3"},
    {"echojson", 4, "arg4"},
    {"echojson", 5, "arg5"},
    {"echojson", 6, "arg6"},
    {"echojson", 7, "arg7"},
    {"echojson", 8, "arg8"},
    {"echojson", 9, "arg9"},
    {"rescanblockchain", 0, "start_height"},
    {"rescanblockchain", 1, "stop_height"},
    {"createwallet", 1, "disable_private_keys"},
    {"createwallet", 2, "blank"},
    {"createwallet", 4, "avoid_reuse"},
    {"createwallet", 5, "descriptors"},
    {"createwallet", 6, "load_on_startup"},
    {"createwallet", 7, "external_signer"},
    {"restorewallet", 2, "load_on_startup"},
    {"loadwallet", 1, "load_on_startup"},
    {"unloadwallet", 1, "load_on_startup"},
    {"getnodeaddresses", 0, "count"},
    {"addpeeraddress", 1, "port"},
    {"addpeeraddress", 2, "tried"},
    {"sendmsgtopeer", 0, "peer_id"},
    {"stop", 0, "wait"},
    {"addnode", 2, "v2transport"},
    {"addconnection", 2, "v2transport"},
});
// clang-format on

} // namespace

std::span<const ConvertParam> ConvertParams()
{
    return CONVERT_PARAMS;
}

bool IsJsonArg(std::string_view method, int index)
{
    for (const ConvertParam& param : CONVERT_PARAMS) {
        if (param.method == method && param.index == index) return true;
    }
    return false;
}

bool IsJsonArg(std::string_view method, std::string_view name)
{
    for (const ConvertParam& param : CONVERT_PARAMS) {
        if (param.method == method && param.name == name) return true;
    }
    return false;
}

util::Expected<Json> ParseArgJson(std::string_view raw)
{
    // The server's body parser, so the client accepts exactly what the server would (any
    // top-level value, nesting capped) and never throws.
    Result parsed = ParseJsonBody(raw);
    if (!parsed) return util::Unexpected("Error parsing JSON: " + std::string{raw});
    return std::move(parsed).value();
}

util::Expected<Json> ConvertPositional(std::string_view method,
                                       const std::vector<std::string>& words)
{
    Json params = Json::array();
    for (size_t i = 0; i < words.size(); ++i) {
        if (!IsJsonArg(method, static_cast<int>(i))) {
            params.push_back(words[i]);
            continue;
        }
        auto value = ParseArgJson(words[i]);
        if (!value) return value.error();
        params.push_back(std::move(*value));
    }
    return params;
}

util::Expected<Json> ConvertNamed(std::string_view method, const std::vector<std::string>& words)
{
    Json params = Json::object();
    Json positional = Json::array();
    for (const std::string& word : words) {
        const size_t eq = word.find('=');
        if (eq == std::string::npos) {
            const int index = static_cast<int>(positional.size());
            if (!IsJsonArg(method, index)) {
                positional.push_back(word);
                continue;
            }
            auto value = ParseArgJson(word);
            if (!value) return value.error();
            positional.push_back(std::move(*value));
            continue;
        }
        const std::string name = word.substr(0, eq);
        const std::string_view text = std::string_view{word}.substr(eq + 1);
        if (!IsJsonArg(method, name)) {
            params[name] = std::string{text};
            continue;
        }
        auto value = ParseArgJson(text);
        if (!value) return value.error();
        params[name] = std::move(*value);
    }
    if (!positional.empty() && !params.contains("args")) params["args"] = std::move(positional);
    return params;
}

} // namespace rpc
