#include <rpc/dispatch.h>
#include <rpc/register.h>
#include <rpc/services.h>

namespace rpc {

// Filled by the util methods work (descriptors); registered here so the table is complete.
void RegisterUtilMethods(MethodTable& table, const Services& services)
{
    (void)table;
    (void)services;
}

} // namespace rpc
