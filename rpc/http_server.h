// The RPC/REST HTTP/1.1 server on Boost.Beast, behaving like Bitcoin Core's
// libevent server: loopback-only by default, -rpcallowip, a bounded work queue
// answered with 503 when full, size limits (413), timeouts, Basic auth with a
// 250 ms delay before each 401, and handlers chosen by path prefix.
#pragma once

#include <rpc/http_auth.h>
#include <util/expected.h>

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace util {
class Logger;
}

namespace rpc {

/// -rpcthreads default (Bitcoin Core v28+).
inline constexpr int DEFAULT_HTTP_THREADS{16};
/// -rpcworkqueue default (Bitcoin Core v28+).
inline constexpr int DEFAULT_HTTP_WORKQUEUE{64};
/// -rpcservertimeout default, seconds.
inline constexpr int DEFAULT_HTTP_SERVER_TIMEOUT{30};
/// Largest request header block (Core's MAX_HEADERS_SIZE).
inline constexpr size_t MAX_HEADERS_SIZE{8192};
/// Largest request body (Core's MAX_SIZE, 32 MiB).
inline constexpr size_t MAX_BODY_SIZE{0x02000000};
/// Delay before answering a request whose credentials were wrong.
inline constexpr std::chrono::milliseconds AUTH_FAILURE_DELAY{250};

/// A subnet of -rpcallowip: "1.2.3.4", "1.2.3.0/24", "1.2.3.0/255.255.255.0",
/// "2001:db8::/32", "::1".
class Subnet
{
public:
    /// Parses a subnet; nullopt for junk, a prefix out of range or a non-contiguous mask.
    static std::optional<Subnet> Parse(std::string_view text);
    /// True if `addr` lies inside (IPv4-mapped IPv6 addresses match IPv4 subnets).
    bool Match(const boost::asio::ip::address& addr) const;
    /// Canonical "network/prefix" form, for logs.
    std::string ToString() const;

private:
    boost::asio::ip::address m_network{};
    unsigned m_prefix{0};
};

/// True for 127.0.0.0/8 and ::1 (and IPv4-mapped 127/8), which are always allowed.
bool IsLoopback(const boost::asio::ip::address& addr);

/// Where to listen: a literal IP address and a port (0 picks a free one).
struct HttpEndpoint
{
    std::string address;
    uint16_t port{0};
};

/// Splits "host", "host:port", "[v6]:port" or "v6" into an endpoint; the port
/// defaults to `default_port`. nullopt on a malformed port.
std::optional<HttpEndpoint> ParseEndpoint(std::string_view text, uint16_t default_port);

/// One request as handed to a handler. Header names keep the client's case;
/// GetHeader() compares them case-insensitively.
struct HttpRequest
{
    std::string method;                                       //!< "POST", "GET", ...
    std::string target;                                       //!< path and query, e.g. "/wallet/w1"
    std::vector<std::pair<std::string, std::string>> headers; //!< in arrival order
    std::string body;
    std::string peer;                     //!< "127.0.0.1:51234" or "[::1]:51234"
    std::optional<std::string> auth_user; //!< set when the handler requires auth

    /// The first header called `name` (any case), or nullopt.
    std::optional<std::string> GetHeader(std::string_view name) const;
};

/// A handler's answer. Content-Length, Connection and Server are added by the server.
struct HttpResponse
{
    int status{200};
    std::string content_type{"application/json"};
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; //!< extra headers
};

/// Runs on a worker thread; may block (long-polls). Exceptions are caught, logged
/// and answered with 500.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

/// How a registered path is served.
struct HandlerOptions
{
    bool exact_match{false};  //!< target must equal the prefix (Core's "/" JSON-RPC)
    bool post_only{false};    //!< answer 405 to other methods, before auth (JSON-RPC)
    bool require_auth{false}; //!< check Authorization first: 401 if missing or wrong
};

/// Server settings, one field per -rpc* option.
struct HttpServerOptions
{
    std::vector<HttpEndpoint> bind{{"::1", 0}, {"127.0.0.1", 0}}; //!< -rpcbind/-rpcport
    std::vector<Subnet> allow{};                                  //!< -rpcallowip (plus loopback)
    int io_threads{1};                                            //!< socket threads
    int worker_threads{DEFAULT_HTTP_THREADS};                     //!< -rpcthreads
    int work_queue{DEFAULT_HTTP_WORKQUEUE};                       //!< -rpcworkqueue (>= 1)
    std::chrono::milliseconds timeout{std::chrono::seconds{DEFAULT_HTTP_SERVER_TIMEOUT}};
    size_t max_header_size{MAX_HEADERS_SIZE};
    size_t max_body_size{MAX_BODY_SIZE};
    std::chrono::milliseconds auth_failure_delay{AUTH_FAILURE_DELAY};
    //! Tests only: false lets an allow-list exclude loopback to exercise 403.
    bool always_allow_loopback{true};
};

/// The HTTP server. Register handlers, then Start(); Stop() (or the destructor)
/// finishes queued and running requests, closes every socket and joins all threads.
/// Start/Stop/RegisterHandler are for one controlling thread.
class HttpServer
{
public:
    /// `authenticator` is used by handlers with require_auth; it and `logger` (both
    /// may be null) must outlive the server.
    HttpServer(HttpServerOptions options, const Authenticator* authenticator, util::Logger* logger);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Adds a handler; the first registered match wins (as Core). Before Start() only.
    void RegisterHandler(std::string prefix, HandlerOptions options, HttpHandler handler);

    /// Binds every endpoint (failures logged), starts threads. An error if none bound.
    util::Expected<void> Start();
    /// The endpoints actually bound, with the real ports (port 0 resolved).
    std::vector<HttpEndpoint> BoundEndpoints() const;
    /// Requests waiting for a worker right now (for monitoring and tests). Any thread.
    size_t QueueDepth() const;
    /// Stops accepting, finishes queued and running requests, closes connections.
    /// Idempotent; must not be called from a handler.
    void Stop();

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace rpc
