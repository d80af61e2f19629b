// Registration of the wallet RPC methods (category "wallet"). The composition
// root calls RegisterWalletMethods once, after the node's methods; handlers keep
// a reference to the manager, which must outlive the method table.
#pragma once

namespace rpc {
class MethodTable;
}

namespace wallet {

class WalletManager;

/// createwallet, loadwallet, unloadwallet, listwallets, listwalletdir, restorewallet,
/// backupwallet, encryptwallet, walletpassphrase, walletlock, walletpassphrasechange,
/// getwalletinfo, importdescriptors, listdescriptors, rescanblockchain, keypoolrefill,
/// lockunspent, listlockunspent, abandontransaction, signmessage (wallet_manage.cpp).
void RegisterWalletManageMethods(rpc::MethodTable& table, WalletManager& manager);
/// getnewaddress, getrawchangeaddress, getaddressinfo, setlabel, listlabels,
/// getaddressesbylabel, getbalances, getbalance, listunspent, listtransactions,
/// listsinceblock, gettransaction (wallet_query.cpp).
void RegisterWalletQueryMethods(rpc::MethodTable& table, WalletManager& manager);
/// sendtoaddress, sendmany, send, sendall, bumpfee, psbtbumpfee, walletcreatefundedpsbt,
/// walletprocesspsbt, signrawtransactionwithwallet, fundrawtransaction (wallet_spend.cpp).
void RegisterWalletSpendMethods(rpc::MethodTable& table, WalletManager& manager);

/// All three, in Core's help order.
void RegisterWalletMethods(rpc::MethodTable& table, WalletManager& manager);

} // namespace wallet
