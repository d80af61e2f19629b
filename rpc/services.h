// What the node hands to RPC and REST handlers: the chain interface, the logger,
// a way to ask for shutdown and a few facts about the running node. Filled in by
// the composition root (src/node) before the methods are registered; it must
// outlive the MethodTable and the HttpServer.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace interfaces {
class Chain;
class Net;
} // namespace interfaces
namespace util {
class Logger;
}

namespace rpc {

/// One ZMQ publisher as getzmqnotifications reports it.
struct ZmqNotification
{
    std::string type;    //!< "pubhashblock", ...
    std::string address; //!< "tcp://127.0.0.1:28332"
    int hwm{1000};       //!< outbound high-water mark
};

/// The node's services, as seen by handlers (which may run on any RPC worker thread).
struct Services
{
    interfaces::Chain* chain{nullptr}; //!< required once methods are registered
    util::Logger* logger{nullptr};     //!< may be null
    /// The P2P layer; null when it is not running (network methods then answer -31).
    interfaces::Net* net{nullptr};
    /// Asks the node to shut down; returns at once (the `stop` RPC).
    std::function<void()> request_shutdown{};
    /// True once shutdown began (long-polls stop waiting).
    std::function<bool()> shutdown_requested{};
    /// When the node started (uptime).
    std::chrono::steady_clock::time_point start_time{std::chrono::steady_clock::now()};
    /// Absolute path of debug.log ("" when logging to a file is off), for getrpcinfo.
    std::filesystem::path log_path{};
    /// The ZMQ publishers configured (empty without -zmqpub*).
    std::vector<ZmqNotification> zmq_notifications{};
    /// Sets the node's mock clock (seconds since the epoch, 0: system time); empty where the
    /// chain does not allow mocking (setmocktime then refuses).
    std::function<void(int64_t)> set_mock_time{};
};

} // namespace rpc
