// The node's RPC server: -rpc* and -rest options, the cookie, the method table
// and the HTTP server, started before the chainstate loads (answering -28 while
// it warms up) and stopped before the chainstate closes.
#pragma once

#include <rpc/dispatch.h>
#include <rpc/http_auth.h>
#include <rpc/http_server.h>
#include <rpc/services.h>
#include <util/args.h>
#include <util/expected.h>

#include <filesystem>
#include <functional>
#include <memory>

namespace common {
class ChainParams;
}
namespace util {
class Logger;
}

namespace node {

/// Registers -server, -rpcbind, -rpcallowip, -rpcport, -rpcthreads, -rpcworkqueue,
/// -rpcservertimeout, -rpcuser, -rpcpassword, -rpcauth, -rpccookiefile, -rpcwhitelist,
/// -rpcwhitelistdefault and -rest.
void AddRpcArgs(util::ArgsManager& args);

/// The running RPC server and everything it needs. Controlled from the main thread.
class RpcServer
{
public:
    /// Checks the options, writes the cookie (unless -rpcpassword is set), registers every
    /// method (and REST when -rest) and starts listening. `services` must outlive the server;
    /// its chain may stay null until FinishWarmup (every call answers -28 until then).
    /// `register_more` (if set) adds methods beyond the node's own (the wallet's).
    static util::Expected<std::unique_ptr<RpcServer>>
    Start(const util::ArgsManager& args, const common::ChainParams& params,
          const std::filesystem::path& chain_datadir, rpc::Services& services, util::Logger& logger,
          const std::function<void(rpc::MethodTable&)>& register_more = {});
    /// Stop().
    ~RpcServer();

    /// Sets the message of -28 replies ("Loading block index...").
    void SetWarmupStatus(std::string status) { m_table.SetWarmupStatus(std::move(status)); }
    /// Ends warm-up: calls run from now on.
    void FinishWarmup() { m_table.FinishWarmup(); }
    /// Stops listening, finishes running calls, deletes the cookie. Idempotent.
    void Stop();
    /// The endpoints bound (with real ports).
    std::vector<rpc::HttpEndpoint> BoundEndpoints() const { return m_http->BoundEndpoints(); }

private:
    RpcServer(const rpc::TableOptions& table_options, util::Logger& logger)
        : m_table{table_options}, m_logger{logger}
    {}

    rpc::MethodTable m_table;
    rpc::Authenticator m_auth;
    rpc::RpcWhitelist m_whitelist;
    std::unique_ptr<rpc::HttpServer> m_http;
    std::filesystem::path m_cookie_path; // empty when no cookie was written
    util::Logger& m_logger;
};

} // namespace node
