// zmq: getzmqnotifications, listing the publishers the node was started with.
#include <rpc/dispatch.h>
#include <rpc/register.h>
#include <rpc/services.h>

namespace rpc {

namespace {

Method GetZmqNotifications(const Services& services)
{
    return Method{
        "getzmqnotifications",
        "zmq",
        "List the ZeroMQ publishers this node runs (empty when no -zmqpub* option is set).",
        {},
        {ResultDoc{
            ResultType::ARR,
            "",
            "",
            {ResultDoc{ResultType::OBJ,
                       "",
                       "",
                       {
                           ResultDoc{ResultType::STR, "type", "Type of notification"},
                           ResultDoc{ResultType::STR, "address", "Address of the publisher"},
                           ResultDoc{ResultType::NUM, "hwm", "Outbound message high water mark"},
                       }}}}},
        HelpExampleCli("getzmqnotifications", "") + HelpExampleRpc("getzmqnotifications", ""),
        [&services](const Request&) -> Result {
            Json result = Json::array();
            for (const auto& n : services.zmq_notifications) {
                Json entry = Json::object();
                entry["type"] = n.type;
                entry["address"] = n.address;
                entry["hwm"] = n.hwm;
                result.push_back(std::move(entry));
            }
            return result;
        },
    };
}

} // namespace

void RegisterZmqMethods(MethodTable& table, const Services& services)
{
    table.Register(GetZmqNotifications(services));
}

} // namespace rpc
