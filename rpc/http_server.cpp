#include <rpc/http_server.h>

#include <util/logging.h>
#include <util/strings.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

namespace rpc {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

// libevent's default for replies whose producer set no content type.
constexpr std::string_view DEFAULT_ERROR_CONTENT_TYPE{"text/html; charset=ISO-8859-1"};
// How long a closing connection waits for the peer to finish sending.
constexpr std::chrono::milliseconds LINGER_TIMEOUT{1000};

net::ip::address Unmap(const net::ip::address& addr)
{
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
        return net::ip::make_address_v4(net::ip::v4_mapped, addr.to_v6());
    }
    return addr;
}

std::vector<uint8_t> AddressBytes(const net::ip::address& addr)
{
    if (addr.is_v4()) {
        const auto b = addr.to_v4().to_bytes();
        return {b.begin(), b.end()};
    }
    const auto b = addr.to_v6().to_bytes();
    return {b.begin(), b.end()};
}

// Number of leading one bits if `mask` is contiguous ones then zeros.
std::optional<unsigned> MaskPrefix(const std::vector<uint8_t>& mask)
{
    unsigned prefix = 0;
    bool seen_zero = false;
    for (const uint8_t byte : mask) {
        for (int bit = 7; bit >= 0; --bit) {
            const bool one = (byte >> bit) & 1;
            if (one && seen_zero) return std::nullopt;
            if (one) ++prefix;
            if (!one) seen_zero = true;
        }
    }
    return prefix;
}

std::string PeerString(const tcp::endpoint& ep)
{
    const auto addr = Unmap(ep.address());
    if (addr.is_v6()) return "[" + addr.to_string() + "]:" + std::to_string(ep.port());
    return addr.to_string() + ":" + std::to_string(ep.port());
}

bool IsAllDigits(std::string_view s)
{
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::optional<Subnet> Subnet::Parse(std::string_view text)
{
    const size_t slash = text.find('/');
    boost::system::error_code ec;
    auto addr = net::ip::make_address(std::string{text.substr(0, slash)}, ec);
    if (ec) return std::nullopt;
    addr = Unmap(addr);
    const unsigned max_prefix = addr.is_v4() ? 32 : 128;
    unsigned prefix = max_prefix;
    if (slash != std::string_view::npos) {
        const std::string_view rest = text.substr(slash + 1);
        if (IsAllDigits(rest)) {
            if (rest.size() > 3) return std::nullopt;
            prefix = static_cast<unsigned>(std::stoul(std::string{rest}));
            if (prefix > max_prefix) return std::nullopt;
        } else {
            auto mask = net::ip::make_address(std::string{rest}, ec);
            if (ec) return std::nullopt;
            mask = Unmap(mask);
            if (mask.is_v4() != addr.is_v4()) return std::nullopt;
            const auto p = MaskPrefix(AddressBytes(mask));
            if (!p) return std::nullopt;
            prefix = *p;
        }
    }
    // Keep only the network bits so ToString() shows the subnet, not the host.
    auto bytes = AddressBytes(addr);
    for (size_t i = 0; i < bytes.size(); ++i) {
        const unsigned first_bit = static_cast<unsigned>(i) * 8;
        if (first_bit >= prefix) {
            bytes[i] = 0;
        } else if (prefix - first_bit < 8) {
            bytes[i] &= static_cast<uint8_t>(0xff << (8 - (prefix - first_bit)));
        }
    }
    Subnet subnet;
    if (addr.is_v4()) {
        net::ip::address_v4::bytes_type b{};
        std::copy(bytes.begin(), bytes.end(), b.begin());
        subnet.m_network = net::ip::address_v4{b};
    } else {
        net::ip::address_v6::bytes_type b{};
        std::copy(bytes.begin(), bytes.end(), b.begin());
        subnet.m_network = net::ip::address_v6{b};
    }
    subnet.m_prefix = prefix;
    return subnet;
}

bool Subnet::Match(const net::ip::address& addr_in) const
{
    const auto addr = Unmap(addr_in);
    if (addr.is_v4() != m_network.is_v4()) return false;
    const auto a = AddressBytes(addr);
    const auto n = AddressBytes(m_network);
    for (unsigned bit = 0; bit < m_prefix; ++bit) {
        const unsigned byte = bit / 8;
        const unsigned shift = 7 - bit % 8;
        if (((a[byte] >> shift) & 1) != ((n[byte] >> shift) & 1)) return false;
    }
    return true;
}

std::string Subnet::ToString() const
{
    return m_network.to_string() + "/" + std::to_string(m_prefix);
}

bool IsLoopback(const net::ip::address& addr)
{
    return Unmap(addr).is_loopback();
}

std::optional<HttpEndpoint> ParseEndpoint(std::string_view text, uint16_t default_port)
{
    std::string_view host = text;
    std::optional<std::string_view> port_text;
    if (!text.empty() && text.front() == '[') {
        const size_t close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        const std::string_view after = text.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port_text = after.substr(1);
        }
    } else {
        const size_t colon = text.rfind(':');
        // More than one colon without brackets is a bare IPv6 address.
        if (colon != std::string_view::npos && text.find(':') == colon) {
            host = text.substr(0, colon);
            port_text = text.substr(colon + 1);
        }
    }
    if (host.empty()) return std::nullopt;
    HttpEndpoint endpoint{std::string{host}, default_port};
    if (port_text) {
        if (!IsAllDigits(*port_text) || port_text->size() > 5) return std::nullopt;
        const unsigned long port = std::stoul(std::string{*port_text});
        if (port > 65535) return std::nullopt;
        endpoint.port = static_cast<uint16_t>(port);
    }
    return endpoint;
}

std::optional<std::string> HttpRequest::GetHeader(std::string_view name) const
{
    const std::string wanted = util::ToLower(name);
    for (const auto& [key, value] : headers) {
        if (util::ToLower(key) == wanted) return value;
    }
    return std::nullopt;
}

namespace {

struct Route
{
    std::string prefix;
    HandlerOptions options;
    std::shared_ptr<const HttpHandler> handler;
};

class Session;

} // namespace

struct HttpServer::Impl
{
    HttpServerOptions options;
    const Authenticator* authenticator;
    util::Logger* logger;

    net::io_context ioc;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work_guard;
    net::strand<net::io_context::executor_type> acceptor_strand{net::make_strand(ioc)};
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors; // used on acceptor_strand
    std::vector<HttpEndpoint> bound;
    std::vector<Route> routes;
    std::vector<std::thread> io_threads;
    std::vector<std::thread> workers;
    std::atomic<bool> stopping{false};
    bool started{false};

    std::mutex queue_mutex;
    std::condition_variable queue_cv;
    std::deque<std::function<void()>> queue; // guarded by queue_mutex
    bool queue_closed{false};                // guarded by queue_mutex

    std::mutex sessions_mutex;
    std::vector<std::weak_ptr<Session>> sessions; // guarded by sessions_mutex

    Impl(HttpServerOptions opts, const Authenticator* auth, util::Logger* log)
        : options{std::move(opts)}, authenticator{auth}, logger{log}
    {}

    void Log(util::LogLevel level, std::string_view message) const
    {
        if (logger) logger->Log(util::LogCategory::HTTP, level, message);
    }
    void Info(std::string_view message) const
    {
        if (logger) logger->Info(message);
    }

    bool ClientAllowed(const net::ip::address& addr) const
    {
        if (options.always_allow_loopback && IsLoopback(addr)) return true;
        return std::any_of(options.allow.begin(), options.allow.end(),
                           [&](const Subnet& s) { return s.Match(addr); });
    }

    const Route* FindRoute(std::string_view target) const
    {
        for (const auto& route : routes) {
            if (route.options.exact_match ? target == route.prefix
                                          : target.substr(0, route.prefix.size()) == route.prefix) {
                return &route;
            }
        }
        return nullptr;
    }

    // False if the queue is full or closed; the caller answers 503.
    bool Enqueue(std::function<void()> job)
    {
        {
            std::lock_guard lock{queue_mutex};
            if (queue_closed || queue.size() >= static_cast<size_t>(options.work_queue)) {
                return false;
            }
            queue.push_back(std::move(job));
        }
        queue_cv.notify_one();
        return true;
    }

    void WorkerLoop()
    {
        while (true) {
            std::function<void()> job;
            {
                std::unique_lock lock{queue_mutex};
                queue_cv.wait(lock, [&] { return !queue.empty() || queue_closed; });
                // Drain what was accepted before closing: those clients are owed a reply.
                if (queue.empty()) return;
                job = std::move(queue.front());
                queue.pop_front();
            }
            try {
                job();
            } catch (...) {
                // Jobs catch their own errors; nothing may kill a worker.
            }
        }
    }

    void DoAccept(tcp::acceptor& acceptor);
};

namespace {

class Session : public std::enable_shared_from_this<Session>
{
public:
    Session(HttpServer::Impl& server, tcp::socket&& socket)
        : m_server{server}, m_stream{std::move(socket)}, m_timer{m_stream.get_executor()}
    {
        boost::system::error_code ec;
        const auto remote = m_stream.socket().remote_endpoint(ec);
        if (!ec) {
            m_peer_addr = remote.address();
            m_peer = PeerString(remote);
        }
    }

    void Start()
    {
        net::dispatch(m_stream.get_executor(), [self = shared_from_this()] { self->DoRead(); });
    }

    // From any thread: close now if idle, otherwise once the current reply is out.
    void Shutdown()
    {
        net::post(m_stream.get_executor(), [self = shared_from_this()] {
            self->m_closing = true;
            if (!self->m_busy) self->Close();
        });
    }

    // On the strand: a worker's answer is ready.
    void Reply(HttpResponse response) { Send(std::move(response), !m_closing && m_keep_alive); }

private:
    void DoRead()
    {
        if (m_closing || m_server.stopping.load()) return Close();
        m_busy = false;
        m_parser.emplace();
        m_parser->header_limit(static_cast<std::uint32_t>(
            std::min<size_t>(m_server.options.max_header_size, UINT32_MAX)));
        m_parser->body_limit(m_server.options.max_body_size);
        // One deadline for header and body: a client that trickles bytes is cut off.
        m_stream.expires_after(m_server.options.timeout);
        http::async_read_header(
            m_stream, m_buffer, *m_parser,
            [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
    }

    void OnHeader(beast::error_code ec)
    {
        if (ec) return OnRead(ec);
        auto& header = m_parser->get();
        const auto expect = header.find(http::field::expect);
        if (header.version() >= 11 && expect != header.end() &&
            util::ToLower(util::TrimString(std::string_view{
                expect->value().data(), expect->value().size()})) == "100-continue") {
            // curl sends "Expect: 100-continue" for larger bodies and waits for this
            // before sending them (as libevent answers for Core).
            auto interim = std::make_shared<http::response<http::empty_body>>(
                http::status::continue_, header.version());
            http::async_write(m_stream, *interim,
                              [self = shared_from_this(), interim](beast::error_code wec, size_t) {
                                  if (wec) return self->Close();
                                  self->ReadBody();
                              });
            return;
        }
        ReadBody();
    }

    void ReadBody()
    {
        http::async_read(
            m_stream, m_buffer, *m_parser,
            [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
    }

    void OnRead(beast::error_code ec)
    {
        m_busy = true;
        try {
            if (!ec) return HandleRequest(m_parser->release());
            if (ec == http::error::body_limit || ec == http::error::header_limit) {
                m_server.Log(util::LogLevel::DEBUG, "HTTP request from " + m_peer + " too large");
                return SendError(413, "", false);
            }
            const beast::error_code http_error{http::error::bad_target};
            if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
                ec.category() != http_error.category()) {
                // The peer went away, timed out or the socket failed: nothing to answer.
                return Close();
            }
            m_server.Log(util::LogLevel::DEBUG,
                         "Malformed HTTP request from " + m_peer + ": " + ec.message());
            return SendError(400, "", false);
        } catch (const std::exception& e) {
            m_server.Log(util::LogLevel::ERROR, std::string{"HTTP session error: "} + e.what());
            Close();
        } catch (...) {
            Close();
        }
    }

    void HandleRequest(http::request<http::string_body>&& req)
    {
        m_keep_alive = req.keep_alive();
        m_version = req.version();
        m_head_request = req.method() == http::verb::head;

        if (!m_server.ClientAllowed(m_peer_addr)) {
            m_server.Info("HTTP request from " + m_peer +
                          " rejected: Client network is not allowed RPC access");
            return SendError(403, "", m_keep_alive);
        }
        if (req.method() == http::verb::unknown) return SendError(405, "", m_keep_alive);

        const std::string target{req.target()};
        m_server.Log(util::LogLevel::DEBUG, "Received a " + std::string{req.method_string()} +
                                                " request for " + target + " from " + m_peer);
        const Route* route = m_server.FindRoute(target);
        if (route == nullptr) return SendError(404, "", m_keep_alive);
        if (route->options.post_only && req.method() != http::verb::post) {
            return SendError(405, "JSONRPC server handles only POST requests", m_keep_alive);
        }

        HttpRequest request;
        request.method = std::string{req.method_string()};
        request.target = target;
        for (const auto& field : req) {
            request.headers.emplace_back(std::string{field.name_string()},
                                         std::string{field.value()});
        }
        request.body = std::move(req.body());
        request.peer = m_peer;

        if (route->options.require_auth) {
            const auto authorization = request.GetHeader("authorization");
            if (!authorization) return SendUnauthorized();
            std::optional<std::string> user;
            if (m_server.authenticator) user = m_server.authenticator->Check(*authorization);
            if (!user) {
                m_server.Info("ThreadRPCServer incorrect password attempt from " + m_peer);
                // Deter brute force without holding a worker: wait on this strand.
                m_timer.expires_after(m_server.options.auth_failure_delay);
                m_timer.async_wait(
                    [self = shared_from_this()](beast::error_code) { self->SendUnauthorized(); });
                return;
            }
            request.auth_user = std::move(user);
        }

        auto job = [self = shared_from_this(), handler = route->handler,
                    request = std::move(request)]() mutable {
            HttpResponse response;
            try {
                response = (*handler)(request);
            } catch (const std::exception& e) {
                self->m_server.Log(util::LogLevel::ERROR,
                                   "Unhandled exception in HTTP handler for " + request.target +
                                       ": " + e.what());
                response = HttpResponse{
                    500, std::string{DEFAULT_ERROR_CONTENT_TYPE}, "Internal server error", {}};
            } catch (...) {
                self->m_server.Log(util::LogLevel::ERROR,
                                   "Unknown exception in HTTP handler for " + request.target);
                response = HttpResponse{
                    500, std::string{DEFAULT_ERROR_CONTENT_TYPE}, "Internal server error", {}};
            }
            net::post(self->m_stream.get_executor(),
                      [self, response = std::move(response)]() mutable {
                          self->Reply(std::move(response));
                      });
        };
        if (m_server.stopping.load() || !m_server.Enqueue(std::move(job))) {
            if (!m_server.stopping.load()) {
                m_server.Log(util::LogLevel::WARNING,
                             "Request rejected because http work queue depth exceeded, it can "
                             "be increased with the -rpcworkqueue= setting");
            }
            return SendError(503, "Work queue depth exceeded", m_keep_alive);
        }
    }

    void SendUnauthorized()
    {
        HttpResponse response{401, std::string{DEFAULT_ERROR_CONTENT_TYPE}, "", {}};
        response.headers.emplace_back("WWW-Authenticate", std::string{WWW_AUTH_HEADER_VALUE});
        Send(std::move(response), !m_closing && m_keep_alive);
    }

    void SendError(int status, std::string body, bool keep_alive)
    {
        Send(HttpResponse{status, std::string{DEFAULT_ERROR_CONTENT_TYPE}, std::move(body), {}},
             keep_alive && !m_closing);
    }

    // A HEAD reply: the GET reply's status and headers (Content-Length included), no body.
    void SendHeadersOnly(const http::response<http::string_body>& full, bool keep_alive)
    {
        auto res = std::make_shared<http::response<http::empty_body>>();
        res->version(full.version());
        res->result(full.result_int());
        for (const auto& field : full)
            res->set(field.name_string(), field.value());
        res->keep_alive(keep_alive);
        m_head_response = res;
        m_stream.expires_after(m_server.options.timeout);
        http::async_write(m_stream, *res,
                          [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                              self->m_head_response.reset();
                              if (ec) return self->Close();
                              if (!keep_alive || self->m_closing) return self->Linger();
                              self->DoRead();
                          });
    }

    void Send(HttpResponse response, bool keep_alive)
    {
        try {
            auto res = std::make_shared<http::response<http::string_body>>();
            res->version(m_version);
            res->result(static_cast<unsigned>(response.status));
            if (!response.content_type.empty()) {
                res->set(http::field::content_type, response.content_type);
            }
            for (auto& [name, value] : response.headers)
                res->insert(name, value);
            res->body() = std::move(response.body);
            res->keep_alive(keep_alive);
            res->prepare_payload();
            if (m_head_request) return SendHeadersOnly(*res, keep_alive);
            m_response = res;
            m_stream.expires_after(m_server.options.timeout);
            http::async_write(
                m_stream, *res,
                [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                    self->m_response.reset();
                    if (ec) return self->Close();
                    if (!keep_alive || self->m_closing) return self->Linger();
                    self->DoRead();
                });
        } catch (...) {
            Close();
        }
    }

    // After the last reply: stop sending, then read and discard until the peer closes
    // (or a short while passes). Closing with unread input would make the kernel send
    // a reset, which can destroy the reply before the client has read it.
    void Linger()
    {
        m_busy = true;
        if (!m_lingering) {
            // One deadline for the whole drain, so a chatty peer cannot extend it.
            m_lingering = true;
            boost::system::error_code ignored;
            m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
            m_stream.expires_after(
                std::min<std::chrono::milliseconds>(m_server.options.timeout, LINGER_TIMEOUT));
        }
        m_buffer.clear();
        m_stream.async_read_some(m_buffer.prepare(4096),
                                 [self = shared_from_this()](beast::error_code ec, size_t) {
                                     if (ec) return self->Close();
                                     self->Linger();
                                 });
    }

    void Close()
    {
        m_busy = false;
        m_closing = true;
        boost::system::error_code ignored;
        m_timer.cancel();
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        m_stream.socket().close(ignored);
    }

    HttpServer::Impl& m_server;
    beast::tcp_stream m_stream;
    net::steady_timer m_timer;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    std::shared_ptr<http::response<http::string_body>> m_response;
    std::shared_ptr<http::response<http::empty_body>> m_head_response;
    net::ip::address m_peer_addr{};
    std::string m_peer{"unknown"};
    unsigned m_version{11};
    bool m_keep_alive{false};
    bool m_head_request{false}; // the request being answered is a HEAD (strand only)
    bool m_busy{false};         // a request is being answered (strand only)
    bool m_closing{false};      // no further requests (strand only)
    bool m_lingering{false};    // draining input before close (strand only)
};

} // namespace

void HttpServer::Impl::DoAccept(tcp::acceptor& acceptor)
{
    acceptor.async_accept(
        net::make_strand(ioc), [this, &acceptor](beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
            try {
                if (!ec && !stopping.load()) {
                    auto session = std::make_shared<Session>(*this, std::move(socket));
                    {
                        std::lock_guard lock{sessions_mutex};
                        std::erase_if(sessions, [](const auto& w) { return w.expired(); });
                        sessions.push_back(session);
                    }
                    session->Start();
                }
            } catch (const std::exception& e) {
                Log(util::LogLevel::ERROR, std::string{"HTTP accept error: "} + e.what());
            }
            if (!stopping.load()) DoAccept(acceptor);
        });
}

HttpServer::HttpServer(HttpServerOptions options, const Authenticator* authenticator,
                       util::Logger* logger)
    : m_impl{std::make_unique<Impl>(std::move(options), authenticator, logger)}
{}

HttpServer::~HttpServer()
{
    Stop();
}

void HttpServer::RegisterHandler(std::string prefix, HandlerOptions options, HttpHandler handler)
{
    m_impl->routes.push_back(
        Route{std::move(prefix), options, std::make_shared<const HttpHandler>(std::move(handler))});
}

util::Expected<void> HttpServer::Start()
{
    Impl& s = *m_impl;
    if (s.started) return util::Unexpected("HTTP server already started");
    s.options.work_queue = std::max(s.options.work_queue, 1);
    s.options.worker_threads = std::max(s.options.worker_threads, 1);
    s.options.io_threads = std::max(s.options.io_threads, 1);

    for (const auto& endpoint : s.options.bind) {
        boost::system::error_code ec;
        const auto addr = net::ip::make_address(endpoint.address, ec);
        if (ec) {
            s.Info("Binding RPC on address " + endpoint.address + " port " +
                   std::to_string(endpoint.port) + " failed: not an IP address");
            continue;
        }
        auto acceptor = std::make_unique<tcp::acceptor>(s.acceptor_strand);
        const tcp::endpoint ep{addr, endpoint.port};
        acceptor->open(ep.protocol(), ec);
        if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
        // Keep "::" from also taking the IPv4 port, so "0.0.0.0" can bind beside it.
        if (!ec && addr.is_v6()) acceptor->set_option(net::ip::v6_only(true), ec);
        if (!ec) acceptor->bind(ep, ec);
        if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
        if (ec) {
            s.Info("Binding RPC on address " + endpoint.address + " port " +
                   std::to_string(endpoint.port) + " failed: " + ec.message());
            continue;
        }
        const auto local = acceptor->local_endpoint(ec);
        s.bound.push_back(HttpEndpoint{endpoint.address, ec ? endpoint.port : local.port()});
        s.Log(util::LogLevel::DEBUG,
              "Bound RPC to " + endpoint.address + " port " + std::to_string(s.bound.back().port));
        s.acceptors.push_back(std::move(acceptor));
    }
    if (s.acceptors.empty()) return util::Unexpected("Unable to bind any endpoint for RPC server");

    s.started = true;
    s.work_guard.emplace(s.ioc.get_executor());
    net::post(s.acceptor_strand, [&s] {
        for (auto& acceptor : s.acceptors)
            s.DoAccept(*acceptor);
    });
    try {
        for (int i = 0; i < s.options.worker_threads; ++i) {
            s.workers.emplace_back([&s] { s.WorkerLoop(); });
        }
        for (int i = 0; i < s.options.io_threads; ++i) {
            s.io_threads.emplace_back([&s] {
                while (true) {
                    try {
                        s.ioc.run();
                        return;
                    } catch (...) {
                        // A handler threw: keep serving the others.
                    }
                }
            });
        }
    } catch (const std::system_error& e) {
        Stop();
        return util::Unexpected(std::string{"Unable to start HTTP server threads: "} + e.what());
    }
    return {};
}

std::vector<HttpEndpoint> HttpServer::BoundEndpoints() const
{
    return m_impl->bound;
}

size_t HttpServer::QueueDepth() const
{
    std::lock_guard lock{m_impl->queue_mutex};
    return m_impl->queue.size();
}

void HttpServer::Stop()
{
    Impl& s = *m_impl;
    if (!s.started || s.stopping.exchange(true)) return;

    // 1. No new connections. Acceptors belong to the I/O threads, so close them there.
    std::promise<void> closed;
    net::post(s.acceptor_strand, [&s, &closed] {
        for (auto& acceptor : s.acceptors) {
            boost::system::error_code ignored;
            acceptor->close(ignored);
        }
        closed.set_value();
    });
    closed.get_future().wait();

    // 2. Idle connections close now, busy ones after their reply.
    {
        std::lock_guard lock{s.sessions_mutex};
        for (const auto& weak : s.sessions) {
            if (auto session = weak.lock()) session->Shutdown();
        }
        s.sessions.clear();
    }

    // 3. Finish every queued and running request.
    {
        std::lock_guard lock{s.queue_mutex};
        s.queue_closed = true;
    }
    s.queue_cv.notify_all();
    for (auto& worker : s.workers)
        worker.join();
    s.workers.clear();

    // 4. The I/O threads return once the last reply is written and sockets are closed.
    s.work_guard.reset();
    for (auto& thread : s.io_threads)
        thread.join();
    s.io_threads.clear();
    s.acceptors.clear();
    s.Log(util::LogLevel::DEBUG, "Stopped HTTP server");
}

} // namespace rpc
