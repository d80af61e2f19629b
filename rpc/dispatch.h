// The method table and the JSON-RPC dispatcher: request body in, HTTP status and body out.
// Transport-agnostic; the HTTP server calls Dispatch after authentication.
#pragma once

#include <rpc/jsonrpc.h>
#include <rpc/method.h>
#include <rpc/protocol.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace rpc {

/// What the transport sends back. An empty body goes with 204 and 403.
struct HttpReply
{
    int status{HTTP_OK};
    std::string body;
};

/// Settings of a MethodTable.
struct TableOptions
{
    /// Bodies longer than this are refused as a parse error (Core's HTTP limit is 32 MiB).
    size_t max_body_size{32 * 1024 * 1024};
    /// Port printed in help examples (the node passes its -rpcport).
    uint16_t example_port{DEFAULT_EXAMPLE_PORT};
};

/// A call being executed right now (getrpcinfo's active_commands).
struct ActiveCommand
{
    std::string method;
    std::chrono::steady_clock::time_point start;
};

/// Registered methods plus the warm-up state. Register everything before serving; after that
/// Dispatch, Execute and Help may be called from any number of threads at once.
class MethodTable
{
public:
    /// Starts in warm-up with Core's status "RPC server started": every call answers -28
    /// until FinishWarmup().
    explicit MethodTable(TableOptions options = {});
    MethodTable(const MethodTable&) = delete;
    MethodTable& operator=(const MethodTable&) = delete;

    /// Adds a method; false (and nothing added) if the name is taken or the description is
    /// not well formed. Not thread-safe: call before serving.
    bool Register(Method method);
    /// Adds `help` (control), and `echo` and `echojson` (hidden), as Core has them.
    void RegisterBuiltins();

    /// The method called `name`, or nullptr.
    const Method* Find(std::string_view name) const;
    /// Names of all methods, sorted.
    std::vector<std::string> MethodNames() const;

    /// Sets the message warm-up errors carry (e.g. "Loading block index…"). Any thread.
    void SetWarmupStatus(std::string status);
    /// Ends warm-up for good. Any thread.
    void FinishWarmup();
    /// True while in warm-up; copies the status message into `status` when given.
    bool InWarmup(std::string* status = nullptr) const;

    /// Handles one HTTP request body as Core's JSON-RPC endpoint does: single requests,
    /// batches, legacy and 2.0 replies, notifications (204), whitelist (403). Never throws.
    HttpReply Dispatch(std::string_view body, const Context& context) const;
    /// Runs one parsed call: warm-up, lookup, named parameters, checks, handler.
    Result Execute(const JsonRequest& request, const Context& context) const;
    /// `help` text: all non-hidden methods by category, or one method's full help.
    std::string Help(std::string_view command) const;

    /// The calls running now, oldest first. Any thread.
    std::vector<ActiveCommand> ActiveCommands() const;

private:
    TableOptions m_options;
    std::map<std::string, Method, std::less<>> m_methods;

    mutable std::mutex m_warmup_mutex;
    bool m_in_warmup{true}; // guarded by m_warmup_mutex
    mutable std::mutex m_active_mutex;
    mutable std::list<ActiveCommand> m_active;         // guarded by m_active_mutex
    std::string m_warmup_status{"RPC server started"}; // guarded by m_warmup_mutex
};

} // namespace rpc
