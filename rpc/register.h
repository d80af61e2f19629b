// Registration of the node's RPC methods, one function per category file. Each
// adds its methods to the table; handlers keep a reference to `services`.
#pragma once

namespace rpc {

class MethodTable;
struct Services;

/// blockchain: getblock*, getblockchaininfo, getchaintips, gettxout*, verifychain, waitfor*, ...
void RegisterBlockchainMethods(MethodTable& table, const Services& services);
/// control: stop, uptime, logging, getrpcinfo, getmemoryinfo (help and echo are builtins).
void RegisterControlMethods(MethodTable& table, const Services& services);
/// mining: generatetoaddress, generateblock, submitblock, submitheader, ...
void RegisterMiningMethods(MethodTable& table, const Services& services);
/// rawtransactions: getrawtransaction, decoderawtransaction, createrawtransaction, ...
void RegisterRawTransactionMethods(MethodTable& table, const Services& services);
/// rawtransactions: the PSBT methods (decodepsbt, createpsbt, analyzepsbt, utxoupdatepsbt, ...).
void RegisterPsbtMethods(MethodTable& table, const Services& services);
/// util: validateaddress, createmultisig, verifymessage, signmessagewithprivkey, ...
void RegisterUtilMethods(MethodTable& table, const Services& services);
/// gettxoutproof, verifytxoutproof (blockchain) and getindexinfo (util).
void RegisterTxOutProofMethods(MethodTable& table, const Services& services);
/// scantxoutset (blockchain), driven by output descriptors.
void RegisterScanMethods(MethodTable& table, const Services& services);
/// The mempool methods (blockchain, rawtransactions, mining and util categories).
void RegisterMempoolMethods(MethodTable& table, const Services& services);
/// getblocktemplate, getmininginfo, getnetworkhashps (mining).
void RegisterMiningTemplateMethods(MethodTable& table, const Services& services);
/// hidden: setmocktime (regtest only).
void RegisterNodeControlMethods(MethodTable& table, const Services& services);
/// network: getpeerinfo, getnetworkinfo, addnode, setban, ... plus getblockfrompeer
/// (blockchain) and addpeeraddress (hidden).
void RegisterNetMethods(MethodTable& table, const Services& services);
/// zmq: getzmqnotifications.
void RegisterZmqMethods(MethodTable& table, const Services& services);

/// Every category above, in Core's order.
void RegisterAllMethods(MethodTable& table, const Services& services);

} // namespace rpc
