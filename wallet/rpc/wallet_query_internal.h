// Pieces the wallet query files share: the registration of each file's methods and the small
// helpers several use. RPC worker threads.
#pragma once

#include <common/sign.h>
#include <rpc/method.h>
#include <wallet/wallet.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rpc {
class MethodTable;
}

namespace wallet {

class WalletManager;

/// getbalances, getbalance, listunspent (wallet_query_coins.cpp).
void RegisterWalletQueryCoinMethods(rpc::MethodTable& table, WalletManager& manager);
/// listtransactions, listsinceblock, gettransaction (wallet_query_tx.cpp); calls
/// RegisterWalletQueryReceivedMethods.
void RegisterWalletQueryTxMethods(rpc::MethodTable& table, WalletManager& manager);
/// getreceivedbyaddress, getreceivedbylabel, listreceivedbyaddress, listreceivedbylabel
/// (wallet_query_received.cpp).
void RegisterWalletQueryReceivedMethods(rpc::MethodTable& table, WalletManager& manager);

/// The script the wallet's signing data holds under `id` (HASH160 of the script).
std::optional<consensus::Script> KnownScript(const common::SigningProvider& provider,
                                             const consensus::Uint160& id);
/// The id a P2WSH program's witness script is stored under: RIPEMD-160 of its SHA-256.
consensus::Uint160 WitnessScriptId(const consensus::Uint256& program);

/// Core's "parent_descs" of an output script: the wallet descriptors deriving it.
std::vector<std::string> ParentDescriptors(const Wallet& wallet, const consensus::Script& script);

} // namespace wallet
