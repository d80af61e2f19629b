#include <rpc/http_auth.h>
#include <rpc/http_server.h>
#include <util/base64.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using Response = http::response<http::string_body>;

// A tiny synchronous client: raw bytes out, Beast's parser for replies, and a
// deadline on every read so a server bug fails the test instead of hanging it.
class Client
{
public:
    explicit Client(uint16_t port) : m_stream{m_ioc}
    {
        m_stream.socket().connect({net::ip::make_address("127.0.0.1"), port});
    }

    void Send(const std::string& raw) { net::write(m_stream.socket(), net::buffer(raw)); }

    std::optional<Response> Read(std::chrono::milliseconds deadline = 10s)
    {
        http::response_parser<http::string_body> parser;
        parser.body_limit(1 << 20);
        return ReadWith(parser, deadline);
    }

    // Reads one reply with a caller-configured parser (e.g. one that skips the body).
    template <class Body>
    std::optional<http::response<Body>> ReadWith(http::response_parser<Body>& parser,
                                                 std::chrono::milliseconds deadline = 10s)
    {
        beast::error_code result = net::error::would_block;
        m_stream.expires_after(deadline);
        http::async_read(m_stream, m_buffer, parser,
                         [&](beast::error_code ec, size_t) { result = ec; });
        m_ioc.restart();
        m_ioc.run();
        if (result) return std::nullopt;
        return parser.release();
    }

    std::optional<Response> Post(const std::string& target, const std::string& body,
                                 const std::string& extra_headers = "")
    {
        Send("POST " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers +
             "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
        return Read();
    }

    // True if the server closed the connection (EOF or reset) before the deadline.
    bool ClosedByPeer(std::chrono::milliseconds deadline = 10s)
    {
        std::array<char, 256> scratch{};
        beast::error_code result = net::error::would_block;
        m_stream.expires_after(deadline);
        m_stream.async_read_some(net::buffer(scratch),
                                 [&](beast::error_code ec, size_t) { result = ec; });
        m_ioc.restart();
        m_ioc.run();
        return result == net::error::eof || result == net::error::connection_reset;
    }

private:
    net::io_context m_ioc;
    beast::tcp_stream m_stream;
    beast::flat_buffer m_buffer;
};

rpc::HttpServerOptions TestOptions()
{
    rpc::HttpServerOptions options;
    options.bind = {{"127.0.0.1", 0}};
    options.worker_threads = 2;
    options.work_queue = 16;
    options.timeout = 5s;
    return options;
}

rpc::HttpResponse Echo(const rpc::HttpRequest& req)
{
    rpc::HttpResponse res;
    res.content_type = "text/plain";
    res.body =
        req.method + " " + req.target + " " + req.body + " user=" + req.auth_user.value_or("-");
    res.headers.emplace_back("X-Peer", req.peer);
    return res;
}

uint16_t StartServer(rpc::HttpServer& server)
{
    const auto started = server.Start();
    EXPECT_TRUE(started.has_value()) << (started ? "" : started.error().message);
    const auto bound = server.BoundEndpoints();
    EXPECT_EQ(bound.size(), 1u);
    return bound.empty() ? 0 : bound[0].port;
}

} // namespace

TEST(HttpServer, KeepAliveServesTwoRequestsOnOneConnection)
{
    rpc::HttpServer server{TestOptions(), nullptr, nullptr};
    server.RegisterHandler("/", {.exact_match = true, .post_only = true}, Echo);
    const uint16_t port = StartServer(server);
    ASSERT_NE(port, 0);

    Client client{port};
    const auto first = client.Post("/", "one");
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->result_int(), 200u);
    EXPECT_EQ(first->body(), "POST / one user=-");
    EXPECT_TRUE(first->keep_alive());
    EXPECT_EQ(first->at(http::field::content_type), "text/plain");
    EXPECT_EQ(std::string{first->at("X-Peer")}.rfind("127.0.0.1:", 0), 0u);

    const auto second = client.Post("/", "two");
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->result_int(), 200u);
    EXPECT_EQ(second->body(), "POST / two user=-");
    server.Stop();
}

TEST(HttpServer, HeadRepliesCarryHeadersButNoBody)
{
    rpc::HttpServer server{TestOptions(), nullptr, nullptr};
    server.RegisterHandler("/rest/", {.exact_match = false, .post_only = false}, Echo);
    const uint16_t port = StartServer(server);
    ASSERT_NE(port, 0);

    Client client{port};
    client.Send("HEAD /rest/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
    http::response_parser<http::empty_body> head_parser;
    head_parser.skip(true); // a reply to HEAD has no body, whatever Content-Length says
    const auto head = client.ReadWith(head_parser);
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->result_int(), 200u);
    // The length the GET reply would have: "HEAD /rest/x  user=-".
    EXPECT_EQ(head->at(http::field::content_length), "20");
    EXPECT_TRUE(head->keep_alive());

    // Had the server sent a body after the HEAD headers, this reply would not parse.
    client.Send("GET /rest/y HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const auto get = client.Read();
    ASSERT_TRUE(get.has_value());
    EXPECT_EQ(get->body(), "GET /rest/y  user=-");
    server.Stop();
}

TEST(HttpServer, ExpectContinueIsAnswered)
{
    rpc::HttpServer server{TestOptions(), nullptr, nullptr};
    server.RegisterHandler("/", {.exact_match = true}, Echo);
    const uint16_t port = StartServer(server);

    // curl's habit for bodies over 1 KiB: headers first, body only after "100 Continue".
    Client client{port};
    client.Send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    const auto interim = client.Read(5s);
    ASSERT_TRUE(interim.has_value());
    EXPECT_EQ(interim->result_int(), 100u);
    client.Send("body");
    const auto res = client.Read();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 200u);
    EXPECT_EQ(res->body(), "POST / body user=-");
}

TEST(HttpServer, Http10WithoutKeepAliveIsClosed)
{
    rpc::HttpServer server{TestOptions(), nullptr, nullptr};
    server.RegisterHandler("/", {.exact_match = true}, Echo);
    const uint16_t port = StartServer(server);

    Client client{port};
    client.Send("POST / HTTP/1.0\r\nContent-Length: 1\r\n\r\nx");
    const auto res = client.Read();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 200u);
    EXPECT_FALSE(res->keep_alive());
    EXPECT_TRUE(client.ClosedByPeer());
}

TEST(HttpServer, RoutesByExactPathAndPrefix)
{
    rpc::HttpServer server{TestOptions(), nullptr, nullptr};
    server.RegisterHandler("/", {.exact_match = true, .post_only = true}, Echo);
    server.RegisterHandler("/wallet/", {.post_only = true}, Echo);
    server.RegisterHandler("/rest/", {}, Echo);
    const uint16_t port = StartServer(server);

    Client client{port};
    auto res = client.Post("/wallet/w1", "x");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 200u);
    EXPECT_EQ(res->body(), "POST /wallet/w1 x user=-");

    res = client.Post("/other", "x");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 404u);
    // Exact match: "/x" is not "/".
    res = client.Post("/x", "");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 404u);

    client.Send("GET /rest/chaininfo.json HTTP/1.1\r\nHost: x\r\n\r\n");
    res = client.Read();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 200u);
    EXPECT_EQ(res->body(), "GET /rest/chaininfo.json  user=-");
}

TEST(HttpServer, MethodNotAllowed)
{
    rpc::HttpServer server{TestOptions(), nullptr, nullptr};
    server.RegisterHandler("/", {.exact_match = true, .post_only = true}, Echo);
    const uint16_t port = StartServer(server);

    Client client{port};
    client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    auto res = client.Read();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 405u);
    EXPECT_EQ(res->body(), "JSONRPC server handles only POST requests");

    // A method Core does not know is refused before routing; the connection lives on.
    client.Send("BREW / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    res = client.Read();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 405u);

    res = client.Post("/", "ok");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 200u);
}

TEST(HttpServer, AuthenticationAnd401Delay)
{
    rpc::Authenticator auth;
    auth.AddUserPassword("user", "secret");
    rpc::HttpServer server{TestOptions(), &auth, nullptr};
    server.RegisterHandler("/", {.exact_match = true, .post_only = true, .require_auth = true},
                           Echo);
    const uint16_t port = StartServer(server);
    Client client{port};

    // No header at all: 401 with the challenge.
    auto res = client.Post("/", "x");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 401u);
    EXPECT_EQ(res->at(http::field::www_authenticate), "Basic realm=\"jsonrpc\"");

    // 405 is decided before credentials are looked at (as Core).
    client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    res = client.Read();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 405u);

    // Wrong password: 401 only after the anti-brute-force delay.
    const auto start = std::chrono::steady_clock::now();
    res = client.Post("/", "x",
                      "Authorization: Basic " + util::EncodeBase64(std::string_view{"user:wrong"}) +
                          "\r\n");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 401u);
    EXPECT_EQ(res->at(http::field::www_authenticate), "Basic realm=\"jsonrpc\"");
    EXPECT_GE(elapsed, 250ms);

    // Malformed header: also a delayed 401, and the connection still works afterwards.
    res = client.Post("/", "x", "Authorization: Basic ***\r\n");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 401u);

    res = client.Post("/", "x",
                      "Authorization: Basic " +
                          util::EncodeBase64(std::string_view{"user:secret"}) + "\r\n");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 200u);
    EXPECT_EQ(res->body(), "POST / x user=user");
}

TEST(HttpServer, ForbiddenSubnet)
{
    auto options = TestOptions();
    options.always_allow_loopback = false; // test hook: let the allow-list exclude 127.0.0.1
    options.allow = {rpc::Subnet::Parse("10.0.0.0/8").value()};
    rpc::HttpServer server{options, nullptr, nullptr};
    server.RegisterHandler("/", {.exact_match = true}, Echo);
    const uint16_t port = StartServer(server);

    Client client{port};
    const auto res = client.Post("/", "x");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 403u);
    server.Stop();

    // The same server setup with loopback in the list answers.
    options.allow = {rpc::Subnet::Parse("127.0.0.0/8").value()};
    rpc::HttpServer allowed{options, nullptr, nullptr};
    allowed.RegisterHandler("/", {.exact_match = true}, Echo);
    Client client2{StartServer(allowed)};
    const auto ok = client2.Post("/", "x");
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->result_int(), 200u);
}

TEST(HttpServer, TooLargeRequests)
{
    auto options = TestOptions();
    options.max_body_size = 1024;
    options.max_header_size = 2048;
    rpc::HttpServer server{options, nullptr, nullptr};
    server.RegisterHandler("/", {.exact_match = true}, Echo);
    const uint16_t port = StartServer(server);

    {
        // The declared length alone is enough to refuse; the body is not waited for.
        Client client{port};
        client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n");
        const auto res = client.Read();
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->result_int(), 413u);
    }
    {
        // A body at the limit is fine.
        Client client{port};
        const auto res = client.Post("/", std::string(1024, 'a'));
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->result_int(), 200u);
    }
    {
        Client client{port};
        client.Send("POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'h') +
                    "\r\nContent-Length: 0\r\n\r\n");
        const auto res = client.Read();
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->result_int(), 413u);
    }
    {
        // Chunked bodies are counted too.
        Client client{port};
        client.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                    std::string(0x800, 'b') + "\r\n0\r\n\r\n");
        const auto res = client.Read();
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->result_int(), 413u);
    }
}

TEST(HttpServer, WorkQueueFullAnswers503)
{
    auto options = TestOptions();
    options.worker_threads = 1;
    options.work_queue = 1;
    rpc::HttpServer server{options, nullptr, nullptr};
    std::atomic<int> entered{0};
    std::latch release{1};
    server.RegisterHandler("/", {.exact_match = true}, [&](const rpc::HttpRequest& req) {
        ++entered;
        release.wait();
        return Echo(req);
    });
    const uint16_t port = StartServer(server);

    Client a{port}, b{port}, c{port};
    a.Send("POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\na");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (entered.load() < 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_EQ(entered.load(), 1);
    b.Send("POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nb");
    while (server.QueueDepth() < 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_EQ(server.QueueDepth(), 1u);

    const auto rejected = c.Post("/", "c");
    ASSERT_TRUE(rejected.has_value());
    EXPECT_EQ(rejected->result_int(), 503u);
    EXPECT_EQ(rejected->body(), "Work queue depth exceeded");

    release.count_down();
    const auto ra = a.Read();
    const auto rb = b.Read();
    ASSERT_TRUE(ra.has_value());
    ASSERT_TRUE(rb.has_value());
    EXPECT_EQ(ra->body(), "POST / a user=-");
    EXPECT_EQ(rb->body(), "POST / b user=-");
    EXPECT_EQ(entered.load(), 2);

    // Capacity is back: the rejected client may retry on the same connection.
    const auto retry = c.Post("/", "c");
    ASSERT_TRUE(retry.has_value());
    EXPECT_EQ(retry->result_int(), 200u);
}

TEST(HttpServer, MalformedRequestGets400AndServerKeepsServing)
{
    rpc::HttpServer server{TestOptions(), nullptr, nullptr};
    server.RegisterHandler("/", {.exact_match = true}, Echo);
    const uint16_t port = StartServer(server);

    for (const std::string bad :
         {"GARBAGE\r\n\r\n", "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
          "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
          "POST / HTTP/1.1\r\nBad Header\r\n\r\n",
          "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
        Client client{port};
        client.Send(bad);
        const auto res = client.Read();
        ASSERT_TRUE(res.has_value()) << bad;
        EXPECT_EQ(res->result_int(), 400u) << bad;
        EXPECT_TRUE(client.ClosedByPeer()) << bad;
    }
    Client good{port};
    const auto res = good.Post("/", "still here");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 200u);
}

TEST(HttpServer, HandlerExceptionGives500)
{
    rpc::HttpServer server{TestOptions(), nullptr, nullptr};
    server.RegisterHandler(
        "/throw", {.exact_match = true},
        [](const rpc::HttpRequest&) -> rpc::HttpResponse { throw std::runtime_error("boom"); });
    server.RegisterHandler("/throwint", {.exact_match = true},
                           [](const rpc::HttpRequest&) -> rpc::HttpResponse { throw 42; });
    server.RegisterHandler("/", {.exact_match = true}, Echo);
    const uint16_t port = StartServer(server);

    Client client{port};
    auto res = client.Post("/throw", "");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 500u);
    res = client.Post("/throwint", "");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 500u);
    res = client.Post("/", "fine");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 200u);
}

TEST(HttpServer, SlowClientIsDisconnected)
{
    auto options = TestOptions();
    options.timeout = 200ms;
    rpc::HttpServer server{options, nullptr, nullptr};
    server.RegisterHandler("/", {.exact_match = true}, Echo);
    const uint16_t port = StartServer(server);

    Client slow{port};
    slow.Send("POST / HTTP/1.1\r\nContent-Le"); // never finishes the header
    EXPECT_TRUE(slow.ClosedByPeer(5s));

    Client idle{port};
    const auto res = idle.Post("/", "x");
    ASSERT_TRUE(res.has_value());
    EXPECT_TRUE(idle.ClosedByPeer(5s)); // idle keep-alive connection times out too
}

TEST(HttpServer, StopClosesIdleConnections)
{
    rpc::HttpServer server{TestOptions(), nullptr, nullptr};
    server.RegisterHandler("/", {.exact_match = true}, Echo);
    const uint16_t port = StartServer(server);

    Client client{port};
    ASSERT_TRUE(client.Post("/", "x").has_value());
    Client never_sent{port};
    server.Stop();
    EXPECT_TRUE(client.ClosedByPeer(5s));
    EXPECT_TRUE(never_sent.ClosedByPeer(5s));
    server.Stop(); // idempotent

    // Nothing listens any more.
    net::io_context ioc;
    tcp::socket socket{ioc};
    beast::error_code ec;
    socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
    EXPECT_TRUE(ec);
}

TEST(HttpServer, StopFinishesInFlightRequest)
{
    rpc::HttpServer server{TestOptions(), nullptr, nullptr};
    std::atomic<int> entered{0};
    std::latch release{1};
    server.RegisterHandler("/", {.exact_match = true}, [&](const rpc::HttpRequest& req) {
        ++entered;
        release.wait();
        return Echo(req);
    });
    const uint16_t port = StartServer(server);

    std::optional<Client> client{std::in_place, port};
    client->Send("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbusy");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (entered.load() < 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_EQ(entered.load(), 1);

    auto stopped = std::async(std::launch::async, [&] { server.Stop(); });
    EXPECT_EQ(stopped.wait_for(50ms), std::future_status::timeout); // waits for the handler
    release.count_down();
    const auto res = client->Read();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->result_int(), 200u);
    EXPECT_EQ(res->body(), "POST / busy user=-");
    EXPECT_FALSE(res->keep_alive()); // shutting down: no further requests
    client.reset();                  // our close ends the server's wait for us
    EXPECT_EQ(stopped.wait_for(10s), std::future_status::ready);
}

TEST(HttpServer, StartFailsWhenNothingBinds)
{
    auto options = TestOptions();
    options.bind = {{"not-an-ip", 0}, {"192.0.2.1", 0}}; // TEST-NET: not a local address
    rpc::HttpServer server{options, nullptr, nullptr};
    const auto started = server.Start();
    ASSERT_FALSE(started.has_value());
    EXPECT_NE(started.error().message.find("Unable to bind"), std::string::npos);
}

TEST(HttpServer, SubnetMatcher)
{
    const auto addr = [](const char* s) { return net::ip::make_address(s); };

    const auto s24 = rpc::Subnet::Parse("192.168.1.77/24");
    ASSERT_TRUE(s24.has_value());
    EXPECT_EQ(s24->ToString(), "192.168.1.0/24");
    EXPECT_TRUE(s24->Match(addr("192.168.1.1")));
    EXPECT_TRUE(s24->Match(addr("192.168.1.255")));
    EXPECT_FALSE(s24->Match(addr("192.168.2.1")));
    EXPECT_TRUE(s24->Match(addr("::ffff:192.168.1.9"))); // IPv4-mapped
    EXPECT_FALSE(s24->Match(addr("2001:db8::1")));

    const auto mask = rpc::Subnet::Parse("10.1.0.0/255.255.0.0");
    ASSERT_TRUE(mask.has_value());
    EXPECT_EQ(mask->ToString(), "10.1.0.0/16");
    EXPECT_TRUE(mask->Match(addr("10.1.200.3")));
    EXPECT_FALSE(mask->Match(addr("10.2.0.1")));

    const auto single = rpc::Subnet::Parse("1.2.3.4");
    ASSERT_TRUE(single.has_value());
    EXPECT_TRUE(single->Match(addr("1.2.3.4")));
    EXPECT_FALSE(single->Match(addr("1.2.3.5")));

    const auto v6 = rpc::Subnet::Parse("2001:db8::/32");
    ASSERT_TRUE(v6.has_value());
    EXPECT_TRUE(v6->Match(addr("2001:db8:ffff::1")));
    EXPECT_FALSE(v6->Match(addr("2001:db9::1")));
    EXPECT_FALSE(v6->Match(addr("32.1.13.184")));

    const auto any = rpc::Subnet::Parse("0.0.0.0/0");
    ASSERT_TRUE(any.has_value());
    EXPECT_TRUE(any->Match(addr("8.8.8.8")));
    EXPECT_FALSE(any->Match(addr("::2"))); // an IPv4 subnet never matches IPv6

    for (const char* bad :
         {"", "/24", "1.2.3", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/", "1.2.3.4/255.0.255.0",
          "1.2.3.4/ffff::", "::1/129", "host.example", "1.2.3.4/24/1"}) {
        EXPECT_FALSE(rpc::Subnet::Parse(bad).has_value()) << bad;
    }

    EXPECT_TRUE(rpc::IsLoopback(addr("127.0.0.1")));
    EXPECT_TRUE(rpc::IsLoopback(addr("127.255.0.9")));
    EXPECT_TRUE(rpc::IsLoopback(addr("::1")));
    EXPECT_TRUE(rpc::IsLoopback(addr("::ffff:127.0.0.1")));
    EXPECT_FALSE(rpc::IsLoopback(addr("10.0.0.1")));
    EXPECT_FALSE(rpc::IsLoopback(addr("::2")));
}

TEST(HttpServer, ParseEndpoint)
{
    const auto check = [](const char* text, const char* host, uint16_t port) {
        const auto ep = rpc::ParseEndpoint(text, 8332);
        ASSERT_TRUE(ep.has_value()) << text;
        EXPECT_EQ(ep->address, host) << text;
        EXPECT_EQ(ep->port, port) << text;
    };
    check("127.0.0.1", "127.0.0.1", 8332);
    check("127.0.0.1:18443", "127.0.0.1", 18443);
    check("[::1]:0", "::1", 0);
    check("[::1]", "::1", 8332);
    check("::1", "::1", 8332);
    check("0.0.0.0:65535", "0.0.0.0", 65535);
    for (const char* bad : {"", "[::1", "[::1]x", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1",
                            "1.2.3.4:8a", ":8332", "[]:1"}) {
        EXPECT_FALSE(rpc::ParseEndpoint(bad, 8332).has_value()) << bad;
    }
}

TEST(HttpServer, RequestHeaderLookupIsCaseInsensitive)
{
    rpc::HttpRequest req;
    req.headers = {{"Content-Type", "application/json"}, {"X-A", "1"}, {"x-a", "2"}};
    EXPECT_EQ(req.GetHeader("content-type").value_or(""), "application/json");
    EXPECT_EQ(req.GetHeader("X-A").value_or(""), "1");
    EXPECT_FALSE(req.GetHeader("authorization").has_value());
}
