// Test hooks of the hidden category: setmocktime (regtest only).
#include <rpc/dispatch.h>
#include <rpc/register.h>
#include <rpc/services.h>
#include <rpc/util.h>

#include <string>

namespace rpc {

namespace {

Method SetMockTime(const Services& services)
{
    return Method{
        "setmocktime",
        "hidden",
        "Make the node believe the current time is the given timestamp (-regtest only).",
        {
            {"timestamp", ArgType::NUM, ArgOptional::NO,
             "Seconds since the UNIX epoch; 0 returns to the system clock."},
        },
        {ResultDoc{ResultType::NONE, "", ""}},
        HelpExampleCli("setmocktime", "1700000000") + HelpExampleRpc("setmocktime", "1700000000"),
        [&services](const Request& request) -> Result {
            // The node leaves the hook empty on chains where time may not be mocked.
            if (!services.set_mock_time) {
                ThrowRpc(RPC_MISC_ERROR,
                         "setmocktime is for regression testing (-regtest mode) only");
            }
            const Json& param = request.Param(0);
            if (!param.is_number_integer()) {
                ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " + std::string{param.type_name()} +
                                             " is not of expected type number");
            }
            const int64_t time = param.get<int64_t>();
            if (time < 0) {
                ThrowRpc(RPC_INVALID_PARAMETER,
                         "Mocktime cannot be negative: " + std::to_string(time) + ".");
            }
            services.set_mock_time(time);
            return Json(nullptr);
        },
    };
}

} // namespace

void RegisterNodeControlMethods(MethodTable& table, const Services& services)
{
    table.Register(SetMockTime(services));
}

} // namespace rpc
