// Pieces the two wallet_manage files share: the second half of the manage methods' registration
// and the help fragments both use. RPC worker threads.
#pragma once

#include <rpc/method.h>

#include <string>
#include <vector>

namespace rpc {
class MethodTable;
}

namespace wallet {

class WalletManager;

/// importdescriptors, listdescriptors, rescanblockchain, keypoolrefill, lockunspent,
/// listlockunspent, abandontransaction, signmessage (wallet_manage_keys.cpp).
void RegisterWalletKeyMethods(rpc::MethodTable& table, WalletManager& manager);

/// Core's note on methods that need an unlocked wallet.
inline constexpr const char* HELP_REQUIRING_PASSPHRASE{
    "Requires wallet passphrase to be set with walletpassphrase call if wallet is encrypted."};

} // namespace wallet
