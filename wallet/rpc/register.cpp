#include <wallet/rpc/register.h>

namespace wallet {

void RegisterWalletMethods(rpc::MethodTable& table, WalletManager& manager)
{
    RegisterWalletManageMethods(table, manager);
    RegisterWalletQueryMethods(table, manager);
    RegisterWalletSpendMethods(table, manager);
}

} // namespace wallet
