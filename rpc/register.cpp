#include <rpc/register.h>

namespace rpc {

void RegisterAllMethods(MethodTable& table, const Services& services)
{
    RegisterBlockchainMethods(table, services);
    RegisterControlMethods(table, services);
    RegisterNetMethods(table, services);
    RegisterMiningMethods(table, services);
    RegisterMiningTemplateMethods(table, services);
    RegisterMempoolMethods(table, services);
    RegisterRawTransactionMethods(table, services);
    RegisterPsbtMethods(table, services);
    RegisterUtilMethods(table, services);
    RegisterTxOutProofMethods(table, services);
    RegisterScanMethods(table, services);
    RegisterZmqMethods(table, services);
    RegisterNodeControlMethods(table, services);
}

} // namespace rpc
