// mempool_bench: mempool and block template benchmark for contrib/bench/mempool-bench.sh
// (issue 6). Talks JSON-RPC to a fresh `minibitd -regtest`:
//
//   mempool_bench -port=<n> -cookie=<file> [-host=127.0.0.1] [-threads=8]
//                 [-spends=10000] [-pool=50000] [-fanout=2500] [-calls=5]
//                 [-server-pid=<pid>]
//
// 1. Mines 100 + ceil(pool / fanout) blocks to a P2WPKH key it holds, spends one
//    mature coinbase per fan-out transaction into -fanout P2WPKH outputs, mines those.
// 2. Signs -pool independent one-input P2WPKH spends (common::SignInput), fee rates
//    spread over 16 levels so block assembly has something to sort.
// 3. Times, from -threads keep-alive connections, the first -spends of them sent to
//    decoderawtransaction (baseline: same bytes and HTTP path, no validation), to
//    sendrawtransaction, and to decoderawtransaction again; then the rest of the pool.
// 4. With -pool transactions in the mempool, times getblocktemplate {"rules":["segwit"]}
//    against getrawmempool false, interleaved, -calls each (medians).
// Also measures, in this process and on one thread, raw ECDSA verification of the same
// signatures and VerifyScript of the same inputs.
// Every reply is checked. Prints the figures and one "SUMMARY key=value ..." line.
// Exit status: 0 when every step and reply was right, 1 when not, 2 on usage.
#include <common/chainparams.h>
#include <common/key_io.h>
#include <common/sign.h>
#include <consensus/crypto/key.h>
#include <consensus/crypto/pubkey.h>
#include <consensus/hash.h>
#include <consensus/script/interpreter.h>
#include <consensus/script/sighash.h>
#include <consensus/transaction.h>
#include <util/expected.h>
#include <util/strings.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
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
using Json = nlohmann::json;
using consensus::Amount;

// getblocktemplate replies of ~9,000 transactions are several MB; Beast's default is 8 MB.
constexpr uint64_t REPLY_BODY_LIMIT = 512ULL << 20;
// Every regtest coinbase before the first halving pays this much.
constexpr Amount COIN = 100'000'000;
// Core's default -blockmaxweight (the BIP141 limit less 4,000), and the weight block
// assembly counts for the coinbase before adding transactions; a package fits while the
// total stays below the maximum (Core's TestPackage).
constexpr int64_t DEFAULT_BLOCK_MAX_WEIGHT = 4'000'000 - 4'000;
constexpr int64_t COINBASE_RESERVED_WEIGHT = 4'000;
// The fan-out transactions pay this many sat per vbyte (above the 1 sat/vB relay floor).
constexpr int64_t FANOUT_FEE_RATE = 2;
// Fee of spend j is SPEND_FEE_STEP * (1 + j % FEE_LEVELS) sat: 1.4 to 22 sat/vB at 110 vB.
constexpr Amount SPEND_FEE_STEP = 150;
constexpr int FEE_LEVELS = 16;

struct Options
{
    std::string host{"127.0.0.1"};
    uint16_t port{0};
    std::string cookie_file;
    int threads{8};
    int spends{10'000};
    int pool{50'000};
    int fanout{2'500};
    int calls{5};
    int server_pid{0};
};

// One signed spend: what is sent, and what the node must answer.
struct Spend
{
    std::string hex;
    std::string txid;
    Amount fee{0};
    int64_t weight{0};
    consensus::TransactionRef tx;
    Amount amount{0}; // value of the output it spends
};

// Standard base64 of the cookie for the Basic authorization header.
std::string EncodeBase64(std::string_view in)
{
    static constexpr std::string_view DIGITS =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    uint32_t bits = 0;
    int held = 0;
    for (const char c : in) {
        bits = (bits << 8) | static_cast<uint8_t>(c);
        held += 8;
        while (held >= 6) {
            held -= 6;
            out += DIGITS[(bits >> held) & 63];
        }
    }
    if (held > 0) out += DIGITS[(bits << (6 - held)) & 63];
    while (out.size() % 4 != 0)
        out += '=';
    return out;
}

double ProcessCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// utime + stime of the node from /proc/<pid>/stat (fields 14 and 15), in seconds.
std::optional<double> NodeCpuSeconds(int pid)
{
    if (pid <= 0) return std::nullopt;
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(file, line)) return std::nullopt;
    const size_t close = line.rfind(')'); // the command name may contain spaces
    if (close == std::string::npos || close + 2 > line.size()) return std::nullopt;
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int n = 3; n <= 15 && fields >> field; ++n) {
        if (n == 14 || n == 15) ticks += std::strtod(field.c_str(), nullptr);
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// object[key], or null when `object` is not an object or lacks it (const operator[] of
// nlohmann::json must not be given a missing key).
const Json& Field(const Json& object, const std::string& key)
{
    static const Json NONE;
    if (!object.is_object()) return NONE;
    const auto found = object.find(key);
    return found == object.end() ? NONE : *found;
}

// The string at object[key], or "" when there is none.
std::string StringField(const Json& object, const std::string& key)
{
    const Json& value = Field(object, key);
    return value.is_string() ? value.get<std::string>() : std::string{};
}

double Seconds(Clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

// A keep-alive HTTP/1.1 connection that posts JSON-RPC bodies to "/".
class RpcConnection
{
public:
    RpcConnection(const Options& options, std::string authorization)
        : m_host{options.host}, m_port{options.port}, m_authorization{std::move(authorization)}
    {}

    // The raw reply body of one POST; HTTP errors with a JSON body (RPC errors) count as
    // replies, transport failures as errors.
    util::Expected<std::string> Post(const std::string& body)
    {
        auto reply = PostOnce(body);
        // The server closes keep-alive connections idle for too long; a reused connection
        // that fails gets one fresh attempt.
        if (!reply && m_reused) reply = PostOnce(body);
        return reply;
    }

    // The "result" of one call, or its error.
    util::Expected<Json> Call(std::string_view method, const Json& params = Json::array())
    {
        auto body = Post(RequestBody(method, params));
        if (!body) return body.error();
        return ResultOf(*body, method);
    }

    static std::string RequestBody(std::string_view method, const Json& params)
    {
        return Json{{"jsonrpc", "1.0"}, {"id", 1}, {"method", method}, {"params", params}}.dump();
    }

    static util::Expected<Json> ResultOf(const std::string& body, std::string_view method)
    {
        Json reply = Json::parse(body, nullptr, false);
        if (reply.is_discarded() || !reply.is_object()) {
            return util::Unexpected(std::string{method} +
                                    ": reply is not a JSON object: " + body.substr(0, 200));
        }
        const auto error = reply.find("error");
        if (error != reply.end() && !error->is_null())
            return util::Unexpected(std::string{method} + ": " + error->dump());
        const auto result = reply.find("result");
        if (result == reply.end())
            return util::Unexpected(std::string{method} + ": reply has no result");
        return std::move(*result);
    }

private:
    util::Expected<std::string> PostOnce(const std::string& body)
    {
        beast::error_code ec;
        m_reused = m_socket.is_open();
        if (!m_socket.is_open()) {
            tcp::resolver resolver{m_io};
            const auto endpoints = resolver.resolve(m_host, std::to_string(m_port), ec);
            if (!ec) asio::connect(m_socket, endpoints, ec);
            if (!ec) m_socket.set_option(tcp::no_delay{true}, ec);
            if (ec) return util::Unexpected("connect: " + ec.message());
            m_buffer.clear();
        }
        http::request<http::string_body> request{http::verb::post, "/", 11};
        request.set(http::field::host, m_host);
        request.set(http::field::content_type, "application/json");
        request.set(http::field::authorization, m_authorization);
        request.body() = body;
        request.prepare_payload();
        http::write(m_socket, request, ec);
        http::response_parser<http::string_body> parser;
        parser.body_limit(REPLY_BODY_LIMIT);
        if (!ec) http::read(m_socket, m_buffer, parser, ec);
        if (ec) {
            m_socket.close(ec);
            return util::Unexpected("HTTP I/O: " + ec.message());
        }
        auto response = parser.release();
        if (!response.keep_alive()) m_socket.close(ec);
        const bool json_error = response.result() == http::status::internal_server_error ||
                                response.result() == http::status::not_found ||
                                response.result() == http::status::bad_request;
        if (response.result() != http::status::ok && !json_error) {
            return util::Unexpected("HTTP " + std::to_string(response.result_int()) + " " +
                                    response.body().substr(0, 200));
        }
        return std::move(response.body());
    }

    std::string m_host;
    uint16_t m_port;
    std::string m_authorization;
    asio::io_context m_io;
    tcp::socket m_socket{m_io};
    beast::flat_buffer m_buffer;
    bool m_reused{false}; // whether the last attempt went over an already open connection
};

// What one timed round of posts saw.
struct RoundResult
{
    std::string name;
    size_t requests{0};
    double seconds{0};
    std::vector<double> latencies_us; // sorted
    size_t errors{0};
    std::string first_error;
    double client_cpu{0};
    double node_cpu{-1};
    double Rate() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
    double Percentile(double p) const
    {
        if (latencies_us.empty()) return 0;
        const auto index = static_cast<size_t>(p * static_cast<double>(latencies_us.size() - 1));
        return latencies_us[index];
    }
};

// Posts bodies[first..last) from one connection per thread, each thread taking the next
// index; `check(index, reply_body)` says why a reply is wrong ("" when right).
template <class Check>
RoundResult PostAll(std::string name, std::deque<RpcConnection>& connections,
                    const std::vector<std::string>& bodies, size_t first, size_t last,
                    int server_pid, const Check& check)
{
    RoundResult result;
    result.name = std::move(name);
    std::atomic<size_t> next{first};
    std::mutex mutex; // guards the merged results below
    std::vector<double> latencies;
    const double client_cpu0 = ProcessCpuSeconds();
    const auto node_cpu0 = NodeCpuSeconds(server_pid);
    const auto begin = Clock::now();
    std::vector<std::thread> workers;
    for (auto& connection : connections) {
        workers.emplace_back([&] {
            std::vector<double> mine;
            size_t errors = 0;
            std::string first_error;
            for (size_t i = next++; i < last; i = next++) {
                const auto start = Clock::now();
                auto reply = connection.Post(bodies[i]);
                mine.push_back(Seconds(Clock::now() - start) * 1e6);
                std::string why = reply ? check(i, *reply) : reply.error().message;
                if (!why.empty()) {
                    if (errors++ == 0) first_error = "#" + std::to_string(i) + ": " + why;
                }
            }
            std::lock_guard lock{mutex};
            latencies.insert(latencies.end(), mine.begin(), mine.end());
            result.errors += errors;
            if (result.first_error.empty()) result.first_error = first_error;
        });
    }
    for (auto& worker : workers)
        worker.join();
    result.seconds = Seconds(Clock::now() - begin);
    result.client_cpu = (ProcessCpuSeconds() - client_cpu0) / result.seconds;
    if (const auto node_cpu1 = NodeCpuSeconds(server_pid); node_cpu0 && node_cpu1)
        result.node_cpu = (*node_cpu1 - *node_cpu0) / result.seconds;
    result.requests = last - first;
    std::sort(latencies.begin(), latencies.end());
    result.latencies_us = std::move(latencies);
    return result;
}

void PrintRound(const RoundResult& round)
{
    std::printf("%-34s %7zu tx %8.3f s %9.0f tx/s  p50 %7.0f us  p99 %7.0f us  max %7.0f us"
                "  CPU client %3.0f%% node %3.0f%%  errors %zu\n",
                round.name.c_str(), round.requests, round.seconds, round.Rate(),
                round.Percentile(0.5), round.Percentile(0.99),
                round.latencies_us.empty() ? 0.0 : round.latencies_us.back(),
                round.client_cpu * 100, round.node_cpu * 100, round.errors);
    if (round.errors > 0) std::printf("  first error: %s\n", round.first_error.c_str());
    std::fflush(stdout);
}

double Median(std::vector<double> values)
{
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

std::string HexOf(const consensus::Transaction& tx)
{
    std::vector<uint8_t> bytes;
    consensus::Writer writer{bytes};
    tx.Serialize(writer);
    return util::HexStr(bytes);
}

// Signs input 0 of `mtx` (spending `spent`) in place; false when the signer says incomplete.
bool SignOnlyInput(consensus::MutableTransaction& mtx, const consensus::TxOut& spent,
                   const common::SigningProvider& provider)
{
    const consensus::Transaction unsigned_tx{mtx};
    consensus::PrecomputedTxData txdata;
    txdata.Init(unsigned_tx, {spent}, true);
    const auto signed_input = common::SignInput(unsigned_tx, 0, spent, consensus::SIGHASH_ALL,
                                                txdata, provider, common::KnownSignatures{});
    mtx.vin[0].script_sig = signed_input.script_sig;
    mtx.vin[0].witness = signed_input.witness;
    return signed_input.complete;
}

// Amount as the node prints it (8 decimals) to satoshis.
std::optional<Amount> ToSatoshis(const Json& value)
{
    if (!value.is_number()) return std::nullopt;
    return static_cast<Amount>(std::llround(value.get<double>() * static_cast<double>(COIN)));
}

bool ParseOptions(int argc, char** argv, Options& options)
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg{argv[i]};
        const size_t eq = arg.find('=');
        if (!arg.starts_with('-') || eq == std::string_view::npos) return false;
        const std::string key{arg.substr(1, eq - 1)};
        const std::string value{arg.substr(eq + 1)};
        char* end = nullptr;
        const long number = std::strtol(value.c_str(), &end, 10);
        const bool numeric = !value.empty() && end != nullptr && *end == '\0';
        if (key == "host") {
            options.host = value;
        } else if (key == "cookie") {
            options.cookie_file = value;
        } else if (numeric && key == "port" && number > 0 && number < 65536) {
            options.port = static_cast<uint16_t>(number);
        } else if (numeric && key == "threads" && number > 0 && number <= 256) {
            options.threads = static_cast<int>(number);
        } else if (numeric && key == "spends" && number > 0 && number <= 1'000'000) {
            options.spends = static_cast<int>(number);
        } else if (numeric && key == "pool" && number > 0 && number <= 1'000'000) {
            options.pool = static_cast<int>(number);
        } else if (numeric && key == "fanout" && number > 0 && number <= 3'000) {
            options.fanout = static_cast<int>(number);
        } else if (numeric && key == "calls" && number > 0 && number <= 1'000) {
            options.calls = static_cast<int>(number);
        } else if (numeric && key == "server-pid" && number > 0) {
            options.server_pid = static_cast<int>(number);
        } else {
            return false;
        }
    }
    return options.port != 0 && !options.cookie_file.empty() && options.pool >= options.spends;
}

int Fail(const std::string& why)
{
    std::fprintf(stderr, "mempool_bench: FAILED: %s\n", why.c_str());
    return 1;
}

// Spends `pool` coins of `fanouts` in parallel; spend j takes output j % fanout of fan-out
// j / fanout. False if any input did not sign completely.
bool SignSpends(std::vector<Spend>& spends, const std::vector<consensus::Uint256>& fanout_txids,
                int fanout, Amount output_value, const consensus::Script& script,
                const common::SigningProvider& provider)
{
    std::atomic<size_t> next{0};
    std::atomic<bool> ok{true};
    std::vector<std::thread> workers;
    const unsigned n_threads = std::max(1U, std::thread::hardware_concurrency());
    for (unsigned t = 0; t < n_threads; ++t) {
        workers.emplace_back([&] {
            for (size_t j = next++; j < spends.size(); j = next++) {
                Spend& spend = spends[j];
                spend.amount = output_value;
                spend.fee = SPEND_FEE_STEP * (1 + static_cast<Amount>(j % FEE_LEVELS));
                consensus::MutableTransaction mtx;
                consensus::TxIn in;
                in.prevout.hash = fanout_txids[j / fanout];
                in.prevout.n = static_cast<uint32_t>(j % fanout);
                in.sequence = consensus::TxIn::SEQUENCE_FINAL - 2; // signals replaceability
                mtx.vin.push_back(in);
                mtx.vout.push_back(consensus::TxOut{output_value - spend.fee, script});
                if (!SignOnlyInput(mtx, consensus::TxOut{output_value, script}, provider)) {
                    ok = false;
                    return;
                }
                spend.tx = consensus::MakeTransactionRef(std::move(mtx));
                spend.hex = HexOf(*spend.tx);
                spend.txid = spend.tx->GetHash().GetHex();
                spend.weight = static_cast<int64_t>(spend.tx->GetWeight());
            }
        });
    }
    for (auto& worker : workers)
        worker.join();
    return ok;
}

// Single-threaded rates (best of three rounds), in this process, for the spends' signatures: raw
// ECDSA checks from serialized key and signature (sighash computed beforehand), and VerifyScript of
// each input with the standard flags. Nullopt if any check fails.
std::optional<std::pair<double, double>> VerifyRates(const std::vector<Spend>& spends, size_t count,
                                                     const consensus::Script& script,
                                                     const consensus::Uint160& key_hash)
{
    consensus::Script script_code;
    script_code << consensus::OP_DUP << consensus::OP_HASH160 << key_hash.span()
                << consensus::OP_EQUALVERIFY << consensus::OP_CHECKSIG;
    std::vector<consensus::PrecomputedTxData> txdata(count);
    std::vector<consensus::Uint256> hashes(count);
    for (size_t j = 0; j < count; ++j) {
        const auto& tx = *spends[j].tx;
        txdata[j].Init(tx, {consensus::TxOut{spends[j].amount, script}}, true);
        hashes[j] =
            consensus::SignatureHash(script_code, tx, 0, consensus::SIGHASH_ALL, spends[j].amount,
                                     consensus::SigVersion::WITNESS_V0, &txdata[j]);
    }
    // Three interleaved rounds of each; the fastest counts (other load only slows a round).
    bool all_ok = true;
    double raw_seconds = 1e9, script_seconds = 1e9;
    for (int round = 0; round < 3; ++round) {
        auto begin = Clock::now();
        for (size_t j = 0; j < count; ++j) {
            const auto& stack = spends[j].tx->vin[0].witness.stack;
            const std::span<const uint8_t> sig{stack[0].data(), stack[0].size() - 1};
            all_ok &= consensus::VerifyEcdsa(stack[1], sig, hashes[j]);
        }
        raw_seconds = std::min(raw_seconds, Seconds(Clock::now() - begin));
        begin = Clock::now();
        for (size_t j = 0; j < count; ++j) {
            const auto& tx = *spends[j].tx;
            const consensus::TransactionSignatureChecker checker{&tx, 0, spends[j].amount,
                                                                 txdata[j]};
            all_ok &= consensus::VerifyScript(tx.vin[0].script_sig, script, &tx.vin[0].witness,
                                              common::STANDARD_SCRIPT_VERIFY_FLAGS, checker);
        }
        script_seconds = std::min(script_seconds, Seconds(Clock::now() - begin));
    }
    if (!all_ok) return std::nullopt;
    return std::pair{static_cast<double>(count) / raw_seconds,
                     static_cast<double>(count) / script_seconds};
}

// Mines `count` blocks to `address` and returns their hashes.
util::Expected<std::vector<std::string>> Mine(RpcConnection& rpc, int count,
                                              const std::string& address)
{
    auto hashes = rpc.Call("generatetoaddress", Json::array({count, address}));
    if (!hashes) return hashes.error();
    if (!hashes->is_array() || hashes->size() != static_cast<size_t>(count))
        return util::Unexpected("generatetoaddress did not return " + std::to_string(count) +
                                " hashes");
    return hashes->get<std::vector<std::string>>();
}

util::Expected<int64_t> MempoolSize(RpcConnection& rpc)
{
    auto info = rpc.Call("getmempoolinfo");
    if (!info) return info.error();
    const Json& size = Field(*info, "size");
    if (!size.is_number_integer()) return util::Unexpected("getmempoolinfo has no integer size");
    return size.get<int64_t>();
}

int Run(const Options& options)
{
    std::ifstream cookie_stream{options.cookie_file};
    std::string cookie;
    if (!std::getline(cookie_stream, cookie) || cookie.empty())
        return Fail("cannot read the cookie file " + options.cookie_file);
    const std::string authorization = "Basic " + EncodeBase64(cookie);
    RpcConnection rpc{options, authorization};

    // The key every coin here belongs to (fixed, so runs build the same transactions).
    std::array<uint8_t, 32> secret{};
    secret.fill(0x42);
    const auto key = consensus::PrivKey::FromBytes(secret);
    if (!key) return Fail("fixed key is invalid");
    common::SigningProvider provider;
    provider.AddKey(*key);
    const consensus::Uint160 key_hash = consensus::Hash160(key->GetPubKey());
    const common::WitnessV0KeyHash destination{key_hash};
    const consensus::Script script = common::GetScriptForDestination(destination);
    const auto params = common::ChainParams::RegTest();
    const std::string address = common::EncodeDestination(destination, *params);

    auto height = rpc.Call("getblockcount");
    if (!height) return Fail(height.error().message);
    if (*height != 0) return Fail("the node must start on a fresh regtest chain (height 0)");

    // 1. Coinbases to spend, one per fan-out transaction.
    const int n_fanouts = (options.pool + options.fanout - 1) / options.fanout;
    const int maturity_blocks = 100;
    const auto setup_begin = Clock::now();
    if (auto mined = Mine(rpc, n_fanouts + maturity_blocks, address); !mined)
        return Fail(mined.error().message);
    std::vector<consensus::Uint256> fanout_txids;
    std::vector<std::string> fanout_hex;
    Amount output_value = 0;
    for (int f = 0; f < n_fanouts; ++f) {
        auto hash = rpc.Call("getblockhash", Json::array({f + 1}));
        if (!hash) return Fail(hash.error().message);
        auto block = rpc.Call("getblock", Json::array({*hash, 2}));
        if (!block) return Fail(block.error().message);
        const Json& block_txs = Field(*block, "tx");
        const Json& coinbase = block_txs.is_array() && !block_txs.empty() ? block_txs[0] : *block;
        const Json& outs = Field(coinbase, "vout");
        const Json& out = outs.is_array() && !outs.empty() ? outs[0] : coinbase;
        const auto value = ToSatoshis(Field(out, "value"));
        if (!value ||
            StringField(Field(out, "scriptPubKey"), "hex") != util::HexStr(script.bytes()))
            return Fail("coinbase of block " + std::to_string(f + 1) + " does not pay our key");
        const auto coinbase_txid = consensus::Uint256::FromHex(StringField(coinbase, "txid"));
        if (!coinbase_txid) return Fail("bad coinbase txid");

        consensus::MutableTransaction mtx;
        consensus::TxIn in;
        in.prevout.hash = *coinbase_txid;
        in.prevout.n = 0;
        mtx.vin.push_back(in);
        // Upper bound of the vsize: version, counts, locktime, one P2WPKH input with its
        // witness, and 31 bytes per P2WPKH output.
        const int64_t vsize_bound = 16 + 41 + 28 + 31 * static_cast<int64_t>(options.fanout);
        const Amount each = (*value - FANOUT_FEE_RATE * vsize_bound) / options.fanout;
        if (f == 0) output_value = each;
        if (each != output_value) return Fail("coinbases pay different amounts");
        for (int o = 0; o < options.fanout; ++o)
            mtx.vout.push_back(consensus::TxOut{each, script});
        if (!SignOnlyInput(mtx, consensus::TxOut{*value, script}, provider))
            return Fail("cannot sign a fan-out transaction");
        const consensus::Transaction tx{mtx};
        fanout_txids.push_back(tx.GetHash());
        fanout_hex.push_back(HexOf(tx));
    }
    for (size_t f = 0; f < fanout_hex.size(); ++f) {
        auto txid = rpc.Call("sendrawtransaction", Json::array({fanout_hex[f]}));
        if (!txid) return Fail(txid.error().message);
        if (*txid != fanout_txids[f].GetHex()) return Fail("fan-out txid mismatch");
    }
    // Mine until every fan-out is in a block (each is ~310,000 weight units).
    std::set<std::string> unconfirmed;
    for (const auto& txid : fanout_txids)
        unconfirmed.insert(txid.GetHex());
    for (int round = 0; !unconfirmed.empty(); ++round) {
        if (round > n_fanouts) return Fail("fan-out transactions are not being mined");
        auto mined = Mine(rpc, 1, address);
        if (!mined) return Fail(mined.error().message);
        auto block = rpc.Call("getblock", Json::array({(*mined)[0], 1}));
        if (!block) return Fail(block.error().message);
        for (const auto& txid : Field(*block, "tx")) {
            if (txid.is_string()) unconfirmed.erase(txid.get<std::string>());
        }
    }
    auto size = MempoolSize(rpc);
    if (!size) return Fail(size.error().message);
    if (*size != 0) return Fail("mempool not empty after mining the fan-outs");
    const double setup_seconds = Seconds(Clock::now() - setup_begin);

    // 2. The spends.
    const auto sign_begin = Clock::now();
    std::vector<Spend> spends(static_cast<size_t>(options.pool));
    if (!SignSpends(spends, fanout_txids, options.fanout, output_value, script, provider))
        return Fail("cannot sign a spend");
    const double sign_seconds = Seconds(Clock::now() - sign_begin);
    const auto verify = VerifyRates(spends, static_cast<size_t>(options.spends), script, key_hash);
    if (!verify) return Fail("a spend's signature does not verify in process");
    std::printf("setup: %d fan-out transactions of %d outputs mined in %.1f s; %d spends "
                "signed in %.1f s (%u threads); spend weight %lld WU\n",
                n_fanouts, options.fanout, setup_seconds, options.pool, sign_seconds,
                std::max(1U, std::thread::hardware_concurrency()),
                static_cast<long long>(spends[0].weight));

    // 3. Acceptance against decoding, same bytes and connections.
    std::vector<std::string> send_bodies, decode_bodies;
    for (const auto& spend : spends) {
        const Json params = Json::array({spend.hex});
        send_bodies.push_back(RpcConnection::RequestBody("sendrawtransaction", params));
        decode_bodies.push_back(RpcConnection::RequestBody("decoderawtransaction", params));
    }
    std::deque<RpcConnection> connections; // a deque: connections cannot move
    for (int t = 0; t < options.threads; ++t) {
        connections.emplace_back(options, authorization);
        // Connects and warms each connection outside the timed rounds.
        if (auto warm = connections.back().Call("getblockcount"); !warm)
            return Fail(warm.error().message);
    }
    const auto check_send = [&](size_t i, const std::string& body) -> std::string {
        auto result = RpcConnection::ResultOf(body, "sendrawtransaction");
        if (!result) return result.error().message;
        if (*result != spends[i].txid) return "returned " + result->dump();
        return "";
    };
    const auto check_decode = [&](size_t i, const std::string& body) -> std::string {
        auto result = RpcConnection::ResultOf(body, "decoderawtransaction");
        if (!result) return result.error().message;
        if (StringField(*result, "txid") != spends[i].txid) return "txid is not " + spends[i].txid;
        return "";
    };
    const size_t n_spends = static_cast<size_t>(options.spends);
    const size_t n_pool = static_cast<size_t>(options.pool);
    const auto decode_before = PostAll("decoderawtransaction (before)", connections, decode_bodies,
                                       0, n_spends, options.server_pid, check_decode);
    PrintRound(decode_before);
    const auto accept = PostAll("sendrawtransaction (empty pool)", connections, send_bodies, 0,
                                n_spends, options.server_pid, check_send);
    PrintRound(accept);
    const auto decode_after = PostAll("decoderawtransaction (after)", connections, decode_bodies, 0,
                                      n_spends, options.server_pid, check_decode);
    PrintRound(decode_after);
    size = MempoolSize(rpc);
    if (!size) return Fail(size.error().message);
    if (*size != options.spends) return Fail("mempool holds " + std::to_string(*size));
    // The rest of the pool, in rounds of -spends, to show how acceptance scales with pool size.
    std::vector<RoundResult> fill_rounds;
    double fill_seconds = 0;
    size_t fill_errors = 0;
    for (size_t first = n_spends; first < n_pool; first += n_spends) {
        const size_t last = std::min(n_pool, first + n_spends);
        fill_rounds.push_back(PostAll("sendrawtransaction (pool " + std::to_string(first) + "+)",
                                      connections, send_bodies, first, last, options.server_pid,
                                      check_send));
        PrintRound(fill_rounds.back());
        fill_seconds += fill_rounds.back().seconds;
        fill_errors += fill_rounds.back().errors;
    }
    const double fill_rate =
        fill_seconds > 0 ? static_cast<double>(n_pool - n_spends) / fill_seconds : 0;
    const double last_round_rate = fill_rounds.empty() ? accept.Rate() : fill_rounds.back().Rate();
    size = MempoolSize(rpc);
    if (!size) return Fail(size.error().message);
    if (*size != options.pool) return Fail("mempool holds " + std::to_string(*size));
    const size_t errors = decode_before.errors + accept.errors + decode_after.errors + fill_errors;
    if (errors > 0) return Fail(std::to_string(errors) + " wrong replies");

    // 4. Template against listing, interleaved, on the full pool.
    std::map<std::string, const Spend*> by_txid;
    for (const auto& spend : spends)
        by_txid[spend.txid] = &spend;
    const std::string template_body =
        RpcConnection::RequestBody("getblocktemplate", Json::array({{{"rules", {"segwit"}}}}));
    const std::string list_body = RpcConnection::RequestBody("getrawmempool", Json::array({false}));
    std::vector<double> template_ms, list_ms;
    size_t template_txs = 0;
    int64_t template_weight = 0;
    size_t template_bytes = 0, list_bytes = 0;
    for (int call = 0; call <= options.calls; ++call) { // call 0 warms up, untimed
        auto start = Clock::now();
        auto body = rpc.Post(template_body);
        const double gbt_ms = Seconds(Clock::now() - start) * 1e3;
        if (!body) return Fail(body.error().message);
        template_bytes = body->size();
        auto gbt = RpcConnection::ResultOf(*body, "getblocktemplate");
        if (!gbt) return Fail(gbt.error().message);
        start = Clock::now();
        body = rpc.Post(list_body);
        const double list_call_ms = Seconds(Clock::now() - start) * 1e3;
        if (!body) return Fail(body.error().message);
        list_bytes = body->size();
        auto list = RpcConnection::ResultOf(*body, "getrawmempool");
        if (!list) return Fail(list.error().message);
        if (call > 0) {
            template_ms.push_back(gbt_ms);
            list_ms.push_back(list_call_ms);
        }

        // The listing names exactly the spends.
        if (!list->is_array() || list->size() != n_pool)
            return Fail("getrawmempool does not list " + std::to_string(n_pool) + " txids");
        for (const auto& txid : *list) {
            if (!txid.is_string() || !by_txid.count(txid.get<std::string>()))
                return Fail("getrawmempool lists an unknown txid");
        }
        // The template: known spends with their fees, each once, within the weight limit,
        // the best fee rates first, and a coinbase value of subsidy plus fees.
        const Json& txs = Field(*gbt, "transactions");
        if (!txs.is_array() || txs.empty()) return Fail("template has no transactions");
        std::set<const Spend*> chosen;
        int64_t weight = 0;
        Amount fees = 0;
        for (const auto& item : txs) {
            const auto found = by_txid.find(StringField(item, "txid"));
            if (found == by_txid.end()) return Fail("template holds an unknown transaction");
            const Spend& spend = *found->second;
            if (!chosen.insert(&spend).second) return Fail("template repeats a transaction");
            if (Field(item, "fee") != spend.fee || Field(item, "weight") != spend.weight ||
                StringField(item, "data") != spend.hex)
                return Fail("template entry of " + spend.txid + " has wrong fee/weight/data");
            weight += spend.weight;
            fees += spend.fee;
        }
        if (COINBASE_RESERVED_WEIGHT + weight >= DEFAULT_BLOCK_MAX_WEIGHT)
            return Fail("template is over the weight limit");
        double worst_in = 1e18, best_out = 0;
        int64_t lightest_out = DEFAULT_BLOCK_MAX_WEIGHT; // as 4 x vsize, as Core counts it
        for (const auto& spend : spends) {
            const double rate = static_cast<double>(spend.fee) / static_cast<double>(spend.weight);
            if (chosen.count(&spend)) {
                worst_in = std::min(worst_in, rate);
            } else {
                best_out = std::max(best_out, rate);
                lightest_out = std::min(lightest_out, (spend.weight + 3) / 4 * 4);
            }
        }
        if (chosen.size() < n_pool && worst_in < best_out)
            return Fail("template leaves out a better fee rate than one it includes");
        const bool weight_limited = chosen.size() < n_pool;
        if (weight_limited &&
            COINBASE_RESERVED_WEIGHT + weight + lightest_out < DEFAULT_BLOCK_MAX_WEIGHT) {
            return Fail("template of " + std::to_string(chosen.size()) + " transactions, " +
                        std::to_string(weight) + " WU, leaves out one of " +
                        std::to_string(lightest_out) + " WU that would still fit");
        }
        const Json& height_field = Field(*gbt, "height");
        if (!height_field.is_number_integer()) return Fail("template has no height");
        const int64_t template_height = height_field.get<int64_t>();
        const int halvings =
            static_cast<int>(template_height / params->GetConsensus().subsidy_halving_interval);
        const Amount subsidy = halvings >= 64 ? 0 : (50 * COIN) >> halvings;
        if (Field(*gbt, "coinbasevalue") != subsidy + fees)
            return Fail("coinbasevalue is not subsidy + fees");
        template_txs = chosen.size();
        template_weight = weight;
    }
    const bool weight_limited = template_txs < n_pool;
    const double gbt_median = Median(template_ms);
    const double list_median = Median(list_ms);
    std::printf("getblocktemplate on %zu transactions: median %.1f ms of %d (", n_pool, gbt_median,
                options.calls);
    for (size_t i = 0; i < template_ms.size(); ++i)
        std::printf("%s%.1f", i ? " " : "", template_ms[i]);
    std::printf(");\n  %zu transactions, %lld WU + %lld reserved for the coinbase of %lld, %s; "
                "reply %.1f MB\n",
                template_txs, static_cast<long long>(template_weight),
                static_cast<long long>(COINBASE_RESERVED_WEIGHT),
                static_cast<long long>(DEFAULT_BLOCK_MAX_WEIGHT),
                weight_limited ? "limited by block weight (no left-out transaction would fit)"
                               : "the whole mempool",
                static_cast<double>(template_bytes) / 1e6);
    std::printf("getrawmempool false on %zu transactions: median %.1f ms of %d (", n_pool,
                list_median, options.calls);
    for (size_t i = 0; i < list_ms.size(); ++i)
        std::printf("%s%.1f", i ? " " : "", list_ms[i]);
    std::printf("); reply %.1f MB\n", static_cast<double>(list_bytes) / 1e6);

    const double decode_rate = std::max(decode_before.Rate(), decode_after.Rate());
    const double accept_ratio = accept.Rate() / decode_rate;
    const double template_ratio = gbt_median / list_median;
    std::printf("in-process, 1 thread, same %d signatures (best of 3): raw ECDSA %.0f/s, "
                "VerifyScript %.0f/s\n",
                options.spends, verify->first, verify->second);
    std::printf("ratios: accept tx/s / decode tx/s (faster decode round) = %.3f; "
                "getblocktemplate / getrawmempool time = %.1f\n",
                accept_ratio, template_ratio);
    std::printf("SUMMARY accept_tx_s=%.0f decode_tx_s=%.0f decode_before_tx_s=%.0f "
                "decode_after_tx_s=%.0f fill_tx_s=%.0f last_round_tx_s=%.0f accept_p50_us=%.0f "
                "accept_p99_us=%.0f "
                "accept_node_cpu=%.2f ratio_accept_decode=%.3f raw_ecdsa_s=%.0f "
                "verifyscript_s=%.0f gbt_ms=%.1f rawmempool_ms=%.1f ratio_gbt_list=%.2f "
                "template_txs=%zu template_weight=%lld weight_limited=%d\n",
                accept.Rate(), decode_rate, decode_before.Rate(), decode_after.Rate(), fill_rate,
                last_round_rate, accept.Percentile(0.5), accept.Percentile(0.99), accept.node_cpu,
                accept_ratio, verify->first, verify->second, gbt_median, list_median,
                template_ratio, template_txs, static_cast<long long>(template_weight),
                weight_limited ? 1 : 0);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    Options options;
    if (!ParseOptions(argc, argv, options)) {
        std::fprintf(stderr, "usage: mempool_bench -port=<n> -cookie=<file> [-host=127.0.0.1] "
                             "[-threads=8] [-spends=10000] [-pool=50000] [-fanout=2500] [-calls=5] "
                             "[-server-pid=<pid>]\n(-pool must be at least -spends)\n");
        return 2;
    }
    // nlohmann::json reports a reply of an unexpected shape by throwing; that is a failed run.
    try {
        return Run(options);
    } catch (const std::exception& e) {
        return Fail(std::string{"unexpected reply: "} + e.what());
    }
}
