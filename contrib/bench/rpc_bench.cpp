// rpc_bench: JSON-RPC load generator for contrib/bench/rpc-bench.sh (issue 5).
//
//   rpc_bench -port=<n> -cookie=<file> -expect=<height> [-host=127.0.0.1]
//             [-threads=8] [-batch-threads=8] [-batch=1000] [-seconds=5]
//             [-server-pid=<pid>] [-only=baseline|single|batch]
//
// Runs three timed scenarios, each on keep-alive HTTP/1.1 connections (one per
// client thread, synchronous Boost.Beast):
//   baseline  getblockcount posted to a trivial Beast server inside this
//             process (one thread per connection) that answers every POST with
//             the exact bytes the node returned for getblockcount: the cost of
//             the HTTP stack and of this client, measured in the same run;
//   single    getblockcount posted to the node;
//   batch     one JSON-RPC batch of -batch getblockcount calls per request.
// Every reply is checked (HTTP 200, "result" equal to -expect, "error" null,
// batch ids each seen once) and failures are counted. Prints a table, the
// ratios, and one "SUMMARY key=value ..." line for the script.
// Exit status: 0 when every reply was right, 1 when any was not, 2 on usage.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Requests each connection sends before the clock starts (connection set-up,
// first allocations and the server's first dispatch stay out of the figures).
constexpr int WARMUP_REQUESTS = 3;
// Replies of 1,000-call batches are ~35 KB; Beast's default limit is 8 MB,
// raised so that a larger -batch is limited by the server, not by us.
constexpr uint64_t REPLY_BODY_LIMIT = 256ULL << 20;

struct Options
{
    std::string host{"127.0.0.1"};
    uint16_t port{0};
    std::string cookie_file;
    int64_t expect{-1};
    int threads{8};
    int batch_threads{8};
    int batch_size{1000};
    double seconds{5.0};
    int server_pid{0};
    std::string only;
};

// Where a scenario sends its requests and what it must get back.
struct Target
{
    std::string host;
    uint16_t port{0};
    std::string authorization; // full header value, empty for none
    std::string body;          // request body, identical for every request
    int64_t expect{0};         // expected "result" of every call
    int calls{1};              // calls per request (1 = not a batch)
};

// What one client thread saw while the clock ran.
struct ThreadStats
{
    std::vector<uint64_t> latencies_ns;
    uint64_t errors{0};
    uint64_t reconnects{0};
    std::string first_error;
};

struct ScenarioResult
{
    std::string name;
    int threads{0};
    int calls{1};
    uint64_t requests{0};
    double seconds{0};
    std::vector<uint64_t> latencies_ns; // sorted
    uint64_t errors{0};
    uint64_t reconnects{0};
    std::string first_error;
    double client_cpu{0};  // this process's CPU seconds per wall second
    double server_cpu{-1}; // -server-pid's, -1 when not measured
    double RequestsPerSecond() const { return seconds > 0 ? requests / seconds : 0; }
    double CallsPerSecond() const { return RequestsPerSecond() * calls; }
    double PercentileUs(double p) const
    {
        if (latencies_ns.empty()) return 0;
        const size_t index = std::min(latencies_ns.size() - 1,
                                      static_cast<size_t>(p * (latencies_ns.size() - 1) + 0.5));
        return latencies_ns[index] / 1000.0;
    }
};

std::string Base64(std::string_view in)
{
    static constexpr char ALPHABET[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
        for (int shift : {18, 12, 6, 0})
            out += ALPHABET[(v >> shift) & 63];
    }
    if (i + 1 == in.size()) {
        const uint32_t v = uint8_t(in[i]) << 16;
        out += ALPHABET[(v >> 18) & 63];
        out += ALPHABET[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
        out += ALPHABET[(v >> 18) & 63];
        out += ALPHABET[(v >> 12) & 63];
        out += ALPHABET[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

double ProcessCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// utime + stime of another process from /proc/<pid>/stat, in seconds.
std::optional<double> OtherCpuSeconds(int pid)
{
    if (pid <= 0) return std::nullopt;
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(file, line)) return std::nullopt;
    // The command name may hold spaces; the fields we need follow its ')'.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    // After ')': state is field 3 of stat(5); utime and stime are 14 and 15.
    for (int n = 3; n <= 15 && fields >> field; ++n) {
        if (n == 14) utime = std::strtod(field.c_str(), nullptr);
        if (n == 15) stime = std::strtod(field.c_str(), nullptr);
    }
    return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// One call's reply object: no error, and the height we expect.
bool CheckCall(const nlohmann::json& reply, int64_t expect, std::string& why)
{
    if (!reply.is_object()) {
        why = "reply is not an object";
        return false;
    }
    const auto error = reply.find("error");
    if (error != reply.end() && !error->is_null()) {
        why = "error " + error->dump();
        return false;
    }
    const auto result = reply.find("result");
    if (result == reply.end() || !result->is_number_integer() || result->get<int64_t>() != expect) {
        why = "result is not " + std::to_string(expect) + ": " + reply.dump();
        return false;
    }
    return true;
}

bool CheckReply(const http::response<http::string_body>& response, const Target& target,
                std::string& why)
{
    if (response.result() != http::status::ok) {
        why = "HTTP " + std::to_string(response.result_int()) + ": " + response.body();
        return false;
    }
    const nlohmann::json reply = nlohmann::json::parse(response.body(), nullptr, false);
    if (reply.is_discarded()) {
        why = "reply is not JSON: " + response.body().substr(0, 200);
        return false;
    }
    if (target.calls == 1 && !target.body.starts_with('['))
        return CheckCall(reply, target.expect, why);
    if (!reply.is_array() || reply.size() != static_cast<size_t>(target.calls)) {
        why = "batch reply is not an array of " + std::to_string(target.calls);
        return false;
    }
    // Ids were 0..calls-1; each must come back exactly once, in any order.
    std::vector<bool> seen(target.calls, false);
    for (const auto& item : reply) {
        if (!CheckCall(item, target.expect, why)) return false;
        const auto id = item.find("id");
        if (id == item.end() || !id->is_number_integer() || id->get<int64_t>() < 0 ||
            id->get<int64_t>() >= target.calls || seen[id->get<int64_t>()]) {
            why = "batch reply ids are not 0.." + std::to_string(target.calls - 1);
            return false;
        }
        seen[id->get<int64_t>()] = true;
    }
    return true;
}

// One keep-alive connection and the request it repeats.
class Client
{
public:
    explicit Client(const Target& target) : m_target{target}
    {
        m_request.method(http::verb::post);
        m_request.target("/");
        m_request.version(11);
        m_request.set(http::field::host, target.host);
        m_request.set(http::field::content_type, "application/json");
        if (!target.authorization.empty())
            m_request.set(http::field::authorization, target.authorization);
        m_request.body() = target.body;
        m_request.prepare_payload();
    }

    // Sends one request and checks its reply; reconnects after any failure.
    bool Call(ThreadStats& stats)
    {
        std::string why;
        const bool ok = CallOnce(why);
        if (!ok) {
            ++stats.errors;
            if (stats.first_error.empty()) stats.first_error = why;
        }
        return ok;
    }

    uint64_t Reconnects() const { return m_reconnects; }

private:
    bool Connect(std::string& why)
    {
        beast::error_code ec;
        m_socket.close(ec);
        m_buffer.clear();
        tcp::resolver resolver{m_io};
        const auto endpoints = resolver.resolve(m_target.host, std::to_string(m_target.port), ec);
        if (!ec) asio::connect(m_socket, endpoints, ec);
        if (!ec) m_socket.set_option(tcp::no_delay{true}, ec);
        if (ec) {
            why = "connect: " + ec.message();
            return false;
        }
        return true;
    }

    bool CallOnce(std::string& why)
    {
        if (!m_socket.is_open()) {
            if (m_connected_once) ++m_reconnects;
            m_connected_once = true;
            if (!Connect(why)) return false;
        }
        beast::error_code ec;
        http::write(m_socket, m_request, ec);
        http::response_parser<http::string_body> parser;
        parser.body_limit(REPLY_BODY_LIMIT);
        if (!ec) http::read(m_socket, m_buffer, parser, ec);
        if (ec) {
            why = "I/O: " + ec.message();
            m_socket.close(ec);
            return false;
        }
        const auto& response = parser.get();
        // A server that ends keep-alive costs a new connection; count it apart.
        if (!response.keep_alive()) m_socket.close(ec);
        return CheckReply(response, m_target, why);
    }

    const Target& m_target;
    asio::io_context m_io;
    tcp::socket m_socket{m_io};
    beast::flat_buffer m_buffer;
    http::request<http::string_body> m_request;
    uint64_t m_reconnects{0};
    bool m_connected_once{false};
};

ScenarioResult RunScenario(std::string name, const Target& target, int threads, double seconds,
                           int server_pid)
{
    std::vector<ThreadStats> stats(threads);
    std::atomic<bool> stop{false};
    // Workers and this thread meet once every connection is warm.
    std::barrier start_line(threads + 1);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            ThreadStats& mine = stats[t];
            mine.latencies_ns.reserve(1 << 16);
            Client client{target};
            for (int i = 0; i < WARMUP_REQUESTS; ++i)
                client.Call(mine);
            start_line.arrive_and_wait();
            while (!stop.load(std::memory_order_relaxed)) {
                const auto begin = Clock::now();
                const bool ok = client.Call(mine);
                if (ok) {
                    mine.latencies_ns.push_back(
                        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - begin)
                            .count());
                } else {
                    // Do not spin on a dead server.
                    std::this_thread::sleep_for(std::chrono::milliseconds{10});
                }
            }
            mine.reconnects = client.Reconnects();
        });
    }
    start_line.arrive_and_wait();
    const auto begin = Clock::now();
    const double cpu_begin = ProcessCpuSeconds();
    const auto server_begin = OtherCpuSeconds(server_pid);
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& worker : workers)
        worker.join();
    // The last requests end after the stop flag; they count, so time them too.
    const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
    const double cpu = ProcessCpuSeconds() - cpu_begin;
    const auto server_end = OtherCpuSeconds(server_pid);

    ScenarioResult result;
    result.name = std::move(name);
    result.threads = threads;
    result.calls = target.calls;
    result.seconds = elapsed;
    result.client_cpu = cpu / elapsed;
    if (server_begin && server_end) result.server_cpu = (*server_end - *server_begin) / elapsed;
    for (auto& s : stats) {
        result.latencies_ns.insert(result.latencies_ns.end(), s.latencies_ns.begin(),
                                   s.latencies_ns.end());
        result.errors += s.errors;
        result.reconnects += s.reconnects;
        if (result.first_error.empty()) result.first_error = s.first_error;
    }
    result.requests = result.latencies_ns.size();
    std::sort(result.latencies_ns.begin(), result.latencies_ns.end());
    return result;
}

// Trivial HTTP/1.1 keep-alive server: one thread per connection, every
// request answered with the same body. Lives for one scenario.
class BaselineServer
{
public:
    explicit BaselineServer(std::string reply_body)
    {
        m_response.result(http::status::ok);
        m_response.version(11);
        m_response.set(http::field::content_type, "application/json");
        m_response.body() = std::move(reply_body);
        m_response.prepare_payload();
        const tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), 0};
        m_acceptor.open(endpoint.protocol());
        m_acceptor.set_option(tcp::acceptor::reuse_address{true});
        m_acceptor.bind(endpoint);
        m_acceptor.listen();
        m_port = m_acceptor.local_endpoint().port();
        m_accept_thread = std::thread([this] { AcceptLoop(); });
    }

    ~BaselineServer()
    {
        m_stopping = true;
        // Wake the blocking accept with a connection of our own.
        {
            asio::io_context io;
            tcp::socket poke{io};
            beast::error_code ec;
            poke.connect({asio::ip::make_address("127.0.0.1"), m_port}, ec);
            m_accept_thread.join();
        }
        // Sessions end when their clients close, which they have by now.
        for (auto& session : m_sessions)
            session.join();
    }

    BaselineServer(const BaselineServer&) = delete;
    BaselineServer& operator=(const BaselineServer&) = delete;

    uint16_t Port() const { return m_port; }

private:
    void AcceptLoop()
    {
        while (true) {
            auto socket = std::make_unique<tcp::socket>(m_io);
            beast::error_code ec;
            m_acceptor.accept(*socket, ec);
            if (m_stopping || ec) return;
            socket->set_option(tcp::no_delay{true}, ec);
            m_sessions.emplace_back([this, s = std::move(socket)] { Serve(*s); });
        }
    }

    void Serve(tcp::socket& socket)
    {
        // Each session writes its own copy: nothing shared while serving.
        const http::response<http::string_body> response = m_response;
        beast::flat_buffer buffer;
        while (true) {
            http::request<http::string_body> request;
            beast::error_code ec;
            http::read(socket, buffer, request, ec);
            if (ec) return;
            http::write(socket, response, ec);
            if (ec || !request.keep_alive()) return;
        }
    }

    asio::io_context m_io;
    tcp::acceptor m_acceptor{m_io};
    uint16_t m_port{0};
    http::response<http::string_body> m_response;
    std::atomic<bool> m_stopping{false};
    std::thread m_accept_thread;
    std::vector<std::thread> m_sessions; // touched by the accept thread, joined after it
};

// One plain request, for the reply bytes the baseline server will repeat.
std::optional<std::string> FetchOnce(const Target& target, std::string& why)
{
    asio::io_context io;
    tcp::socket socket{io};
    beast::error_code ec;
    tcp::resolver resolver{io};
    const auto endpoints = resolver.resolve(target.host, std::to_string(target.port), ec);
    if (!ec) asio::connect(socket, endpoints, ec);
    http::request<http::string_body> request{http::verb::post, "/", 11};
    request.set(http::field::host, target.host);
    request.set(http::field::content_type, "application/json");
    request.set(http::field::authorization, target.authorization);
    request.body() = target.body;
    request.prepare_payload();
    if (!ec) http::write(socket, request, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    if (!ec) http::read(socket, buffer, response, ec);
    if (ec) {
        why = ec.message();
        return std::nullopt;
    }
    if (!CheckReply(response, target, why)) return std::nullopt;
    return response.body();
}

std::string BatchBody(int calls)
{
    std::string body = "[";
    for (int i = 0; i < calls; ++i) {
        if (i) body += ',';
        body += R"({"jsonrpc":"1.0","id":)" + std::to_string(i) + R"(,"method":"getblockcount"})";
    }
    return body + "]";
}

void PrintRow(const ScenarioResult& r)
{
    char server_cpu[16] = "-";
    if (r.server_cpu >= 0)
        std::snprintf(server_cpu, sizeof(server_cpu), "%.0f%%", r.server_cpu * 100);
    std::printf("%-30s %7d %6d %9llu %11.0f %10.0f %9.0f %9.0f %9.0f %6.0f%% %6s %6llu\n",
                r.name.c_str(), r.threads, r.calls, static_cast<unsigned long long>(r.requests),
                r.CallsPerSecond(), r.RequestsPerSecond(), r.PercentileUs(0.50),
                r.PercentileUs(0.99), r.PercentileUs(1.0), r.client_cpu * 100, server_cpu,
                static_cast<unsigned long long>(r.errors));
    if (r.errors) std::printf("  first error: %s\n", r.first_error.c_str());
    if (r.reconnects)
        std::printf("  %llu reconnects (after a failure or a reply without keep-alive)\n",
                    static_cast<unsigned long long>(r.reconnects));
}

void Usage()
{
    std::fprintf(stderr,
                 "usage: rpc_bench -port=<n> -cookie=<file> -expect=<height> [-host=127.0.0.1]\n"
                 "                 [-threads=8] [-batch-threads=8] [-batch=1000] [-seconds=5]\n"
                 "                 [-server-pid=<pid>] [-only=baseline|single|batch]\n");
}

std::optional<Options> ParseOptions(int argc, char** argv)
{
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const size_t eq = arg.find('=');
        if (!arg.starts_with('-') || eq == std::string_view::npos) return std::nullopt;
        const std::string key{arg.substr(0, eq)};
        const std::string value{arg.substr(eq + 1)};
        char* end = nullptr;
        const long long number = std::strtoll(value.c_str(), &end, 10);
        const bool is_number = !value.empty() && *end == '\0';
        if (key == "-host") {
            options.host = value;
        } else if (key == "-cookie") {
            options.cookie_file = value;
        } else if (key == "-only") {
            if (value != "baseline" && value != "single" && value != "batch") return std::nullopt;
            options.only = value;
        } else if (key == "-seconds") {
            options.seconds = std::strtod(value.c_str(), &end);
            if (value.empty() || *end != '\0' || !(options.seconds > 0)) return std::nullopt;
        } else if (!is_number) {
            return std::nullopt;
        } else if (key == "-port" && number > 0 && number < 65536) {
            options.port = static_cast<uint16_t>(number);
        } else if (key == "-expect" && number >= 0) {
            options.expect = number;
        } else if (key == "-threads" && number > 0 && number <= 1024) {
            options.threads = static_cast<int>(number);
        } else if (key == "-batch-threads" && number > 0 && number <= 1024) {
            options.batch_threads = static_cast<int>(number);
        } else if (key == "-batch" && number > 0 && number <= 1000000) {
            options.batch_size = static_cast<int>(number);
        } else if (key == "-server-pid" && number > 0) {
            options.server_pid = static_cast<int>(number);
        } else {
            return std::nullopt;
        }
    }
    if (options.port == 0 || options.cookie_file.empty() || options.expect < 0) return std::nullopt;
    return options;
}

} // namespace

int main(int argc, char** argv)
{
    const auto parsed = ParseOptions(argc, argv);
    if (!parsed) {
        Usage();
        return 2;
    }
    const Options& options = *parsed;
    std::ifstream cookie_stream(options.cookie_file);
    std::string cookie;
    if (!std::getline(cookie_stream, cookie) || cookie.empty()) {
        std::fprintf(stderr, "rpc_bench: cannot read cookie file %s\n",
                     options.cookie_file.c_str());
        return 2;
    }

    Target single;
    single.host = options.host;
    single.port = options.port;
    single.authorization = "Basic " + Base64(cookie);
    single.body = R"({"jsonrpc":"1.0","id":1,"method":"getblockcount"})";
    single.expect = options.expect;
    Target batch = single;
    batch.body = BatchBody(options.batch_size);
    batch.calls = options.batch_size;

    std::string why;
    const auto node_reply = FetchOnce(single, why);
    if (!node_reply) {
        std::fprintf(stderr, "rpc_bench: getblockcount against %s:%u failed: %s\n",
                     options.host.c_str(), options.port, why.c_str());
        return 1;
    }

    std::printf("rpc_bench: %.1f s per scenario; node %s:%u at height %lld; getblockcount reply "
                "%zu bytes; %u hardware threads shared by client and server\n",
                options.seconds, options.host.c_str(), options.port,
                static_cast<long long>(options.expect), node_reply->size(),
                std::thread::hardware_concurrency());
    std::printf("%-30s %7s %6s %9s %11s %10s %9s %9s %9s %7s %6s %6s\n", "scenario", "threads",
                "calls", "requests", "calls/s", "req/s", "p50_us", "p99_us", "max_us", "cli_cpu",
                "srv_cpu", "errors");

    std::optional<ScenarioResult> baseline_result, single_result, batch_result;
    const bool all = options.only.empty();
    if (all || options.only == "baseline") {
        // Same client, same request bytes, same reply bytes; no node behind it.
        BaselineServer server{*node_reply};
        Target target = single;
        target.port = server.Port();
        baseline_result =
            RunScenario("baseline (in-process Beast)", target, options.threads, options.seconds, 0);
        PrintRow(*baseline_result);
    }
    if (all || options.only == "single") {
        single_result = RunScenario("minibitd getblockcount", single, options.threads,
                                    options.seconds, options.server_pid);
        PrintRow(*single_result);
    }
    if (all || options.only == "batch") {
        batch_result = RunScenario("minibitd batch x" + std::to_string(options.batch_size), batch,
                                   options.batch_threads, options.seconds, options.server_pid);
        PrintRow(*batch_result);
    }

    uint64_t errors = 0;
    std::string summary = "SUMMARY";
    char field[96];
    for (const auto* r : {&baseline_result, &single_result, &batch_result}) {
        if (!*r) continue;
        errors += (*r)->errors;
        const std::string key = r == &baseline_result ? "baseline"
                                : r == &single_result ? "single"
                                                      : "batch";
        std::snprintf(field, sizeof(field), " %s_calls_s=%.0f %s_req_s=%.1f %s_p99_us=%.0f",
                      key.c_str(), (*r)->CallsPerSecond(), key.c_str(), (*r)->RequestsPerSecond(),
                      key.c_str(), (*r)->PercentileUs(0.99));
        summary += field;
    }
    if (baseline_result && single_result && baseline_result->CallsPerSecond() > 0) {
        const double ratio = single_result->CallsPerSecond() / baseline_result->CallsPerSecond();
        std::printf("ratio minibitd getblockcount calls/s / baseline calls/s: %.3f\n", ratio);
        std::snprintf(field, sizeof(field), " ratio_single_baseline=%.3f", ratio);
        summary += field;
    }
    if (single_result && batch_result && single_result->CallsPerSecond() > 0) {
        const double ratio = batch_result->CallsPerSecond() / single_result->CallsPerSecond();
        std::printf("ratio batched calls/s / single-call calls/s: %.2f\n", ratio);
        std::snprintf(field, sizeof(field), " ratio_batch_single=%.2f", ratio);
        summary += field;
    }
    summary += " errors=" + std::to_string(errors);
    std::printf("%s\n", summary.c_str());
    if (errors) {
        std::printf("rpc_bench: FAILED: %llu wrong or failed replies\n",
                    static_cast<unsigned long long>(errors));
        return 1;
    }
    return 0;
}
