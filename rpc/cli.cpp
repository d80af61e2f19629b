#include <rpc/cli.h>
#include <rpc/cli_netinfo.h>
#include <rpc/cli_wallet.h>

#include <rpc/client.h>
#include <rpc/http_auth.h>
#include <rpc/protocol.h>
#include <rpc/util.h>
#include <util/base64.h>
#include <util/fs.h>
#include <util/strings.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <istream>
#include <limits>
#include <map>
#include <ostream>
#include <sstream>
#include <thread>
#include <variant>

#include <termios.h>
#include <unistd.h>

#ifndef MINIBIT_VERSION
#define MINIBIT_VERSION "0.0.0"
#endif

namespace rpc::cli {

namespace {

constexpr const char* CONFIG_FILENAME{"minibit.conf"};
constexpr const char* DEFAULT_RPCCONNECT{"127.0.0.1"};
constexpr int64_t DEFAULT_HTTP_CLIENT_TIMEOUT{900};
constexpr int64_t DEFAULT_WAIT_CLIENT_TIMEOUT{0};
constexpr const char* DEFAULT_NBLOCKS{"1"};
constexpr int64_t DEFAULT_MAX_TRIES{1'000'000};
constexpr const char* DEFAULT_COLOR_SETTING{"auto"};
constexpr int NETINFO_MAX_LEVEL{4};
// Options that each pick a whole command; Core allows at most one of them.
constexpr std::array CLI_COMMANDS{"-addrinfo", "-generate", "-getinfo", "-netinfo"};

/// A failure the caller may retry under -rpcwait (no connection, or the server warming up).
struct ConnectionFailed
{
    std::string message;
};

/// A failure that ends the program with "error: <message>" and status 1.
struct LocalError
{
    std::string message;
};

/// An error reply that ends the program as a server error would (a refused batch).
struct ReplyError
{
    Json reply;
};

std::string JoinStrings(const std::vector<std::string>& parts, std::string_view sep)
{
    std::string out;
    for (const std::string& part : parts) {
        if (!out.empty()) out += sep;
        out += part;
    }
    return out;
}

// --- JSON reading that keeps the server's number text -----------------------------------

bool IsAmountText(std::string_view text)
{
    const size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
    const size_t dot = text.find('.');
    if (dot == std::string_view::npos || dot == start || text.size() - dot - 1 != 8) return false;
    if (dot - start > 11) return false; // keeps the satoshi count inside int64
    for (size_t i = start; i < text.size(); ++i) {
        if (i != dot && (text[i] < '0' || text[i] > '9')) return false;
    }
    return true;
}

// A DOM builder that turns numbers written with exactly eight decimals into amount values, so
// "50.00000000" from the server prints back as "50.00000000" and not as "50".
class ReplySax
{
public:
    using Dom = nlohmann::detail::json_sax_dom_parser<Json>;
    explicit ReplySax(Json& root) : m_dom{root, false} {}

    bool null() { return m_dom.null(); }
    bool boolean(bool v) { return m_dom.boolean(v); }
    bool number_integer(Json::number_integer_t v) { return m_dom.number_integer(v); }
    bool number_unsigned(Json::number_unsigned_t v) { return m_dom.number_unsigned(v); }
    bool number_float(Json::number_float_t v, const Json::string_t& text)
    {
        if (IsAmountText(text)) {
            std::string digits;
            for (char c : text)
                if (c != '.' && c != '-') digits += c;
            int64_t sats = std::strtoll(digits.c_str(), nullptr, 10);
            if (text[0] == '-') sats = -sats;
            Json amount = AmountToJson(sats);
            return m_dom.binary(amount.get_binary());
        }
        return m_dom.number_float(v, text);
    }
    bool string(Json::string_t& v) { return m_dom.string(v); }
    bool binary(Json::binary_t& v) { return m_dom.binary(v); }
    bool start_object(std::size_t n)
    {
        if (++m_depth > static_cast<int>(MAX_JSON_DEPTH)) return false;
        return m_dom.start_object(n);
    }
    bool key(Json::string_t& k) { return m_dom.key(k); }
    bool end_object()
    {
        --m_depth;
        return m_dom.end_object();
    }
    bool start_array(std::size_t n)
    {
        if (++m_depth > static_cast<int>(MAX_JSON_DEPTH)) return false;
        return m_dom.start_array(n);
    }
    bool end_array()
    {
        --m_depth;
        return m_dom.end_array();
    }
    bool parse_error(std::size_t pos, const std::string& token,
                     const nlohmann::detail::exception& e)
    {
        m_failed = true;
        return m_dom.parse_error(pos, token, e);
    }
    bool Failed() const { return m_failed || m_dom.is_errored(); }

private:
    Dom m_dom;
    int m_depth{0};
    bool m_failed{false};
};

std::optional<Json> ParseReplyJson(std::string_view text)
{
    Json root;
    ReplySax sax{root};
    const bool ok =
        Json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json,
                        /*strict=*/true);
    if (!ok || sax.Failed()) return std::nullopt;
    return root;
}

// UniValue's getValStr(): a string's text, a number's or bool's JSON text, "" otherwise.
std::string ValStr(const Json& value)
{
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number() || value.is_boolean() || value.is_binary()) return WriteJson(value);
    return "";
}

double NumberOf(const Json& value)
{
    if (const auto amount = JsonToAmount(value)) return static_cast<double>(*amount) / 1e8;
    if (value.is_number()) return value.get<double>();
    return 0;
}

const Json& Field(const Json& object, std::string_view key)
{
    static const Json NULL_JSON{};
    if (!object.is_object()) return NULL_JSON;
    const auto it = object.find(std::string{key});
    return it == object.end() ? NULL_JSON : *it;
}

// --- config file -----------------------------------------------------------------------

// Core's client ignores config keys it does not know (a shared minibit.conf holds the
// daemon's options too); unknown lines are blanked so error line numbers stay right.
std::string FilterConfig(std::istream& stream, const util::ArgsManager& args,
                         const std::vector<std::string>& known)
{
    (void)args;
    std::string out;
    std::string line;
    while (std::getline(stream, line)) {
        std::string body = line.substr(0, line.find('#'));
        const std::string_view trimmed = util::TrimString(body);
        const size_t eq = trimmed.find('=');
        bool keep = true;
        if (!trimmed.empty() && trimmed.front() != '[' && trimmed.front() != '-' &&
            eq != std::string_view::npos) {
            std::string key{util::TrimString(trimmed.substr(0, eq))};
            if (const size_t dot = key.find('.'); dot != std::string::npos) key.erase(0, dot + 1);
            const bool found = std::find(known.begin(), known.end(), key) != known.end();
            const bool negated_found =
                key.starts_with("no") &&
                std::find(known.begin(), known.end(), key.substr(2)) != known.end();
            keep = found || negated_found;
        }
        out += keep ? line : std::string{};
        out += '\n';
    }
    return out;
}

const std::vector<std::string>& ConfigKeys()
{
    static const std::vector<std::string> KEYS{
        "datadir",       "chain",          "regtest",          "testnet",
        "testnet4",      "signet",         "rpcclienttimeout", "rpcconnect",
        "rpccookiefile", "rpcpassword",    "rpcport",          "rpcuser",
        "rpcwait",       "rpcwaittimeout", "rpcwallet",        "named",
        "color",         "stdin",          "stdinrpcpass",     "stdinwalletpassphrase"};
    return KEYS;
}

util::Expected<std::filesystem::path> ReadConfig(util::ArgsManager& args,
                                                 const std::filesystem::path& datadir)
{
    if (args.IsArgNegated("-conf")) return std::filesystem::path{};
    std::filesystem::path conf{args.GetArg("-conf", CONFIG_FILENAME)};
    if (conf.is_relative()) conf = datadir / conf;
    std::error_code ec;
    if (std::filesystem::is_directory(conf, ec)) {
        return util::Unexpected("Config path \"" + conf.string() +
                                "\" is a directory, not a file.");
    }
    std::ifstream file{conf};
    if (!file.good()) {
        if (args.IsArgSet("-conf")) {
            return util::Unexpected("specified config file \"" + conf.string() +
                                    "\" could not be opened.");
        }
        return std::filesystem::path{};
    }
    std::istringstream filtered{FilterConfig(file, args, ConfigKeys())};
    if (auto ok = args.ReadConfigStream(filtered, conf.string()); !ok) return ok.error();
    return conf;
}

std::filesystem::path DataDirFromArgs(const util::ArgsManager& args)
{
    const std::string datadir = args.GetArg("-datadir", "");
    if (datadir.empty()) return util::GetDefaultDataDir();
    return std::filesystem::absolute(datadir).lexically_normal();
}

util::Expected<void> CheckDataDir(const util::ArgsManager& args)
{
    const std::string datadir = args.GetArg("-datadir", "");
    if (!datadir.empty() && !util::IsDirectory(std::filesystem::absolute(datadir))) {
        return util::Unexpected("Specified data directory \"" + datadir + "\" does not exist.");
    }
    return {};
}

} // namespace

uint16_t DefaultRpcPort(util::ChainType chain)
{
    switch (chain) {
    case util::ChainType::MAIN:
        return 8332;
    case util::ChainType::TESTNET:
        return 18332;
    case util::ChainType::TESTNET4:
        return 48332;
    case util::ChainType::SIGNET:
        return 38332;
    case util::ChainType::REGTEST:
        return 18443;
    }
    return 8332;
}

void SetupCliArgs(util::ArgsManager& args)
{
    using util::ArgType;
    using util::OptionsCategory;
    const auto opt = OptionsCategory::OPTIONS;
    args.AddArg("-?", "Print this help message and exit", ArgType::BOOL, opt);
    args.AddHiddenArgs({"-h", "-help"});
    args.AddArg("-version", "Print version and exit", ArgType::BOOL, opt);
    args.AddArg("-conf=<file>",
                std::string{"Configuration file to read; a relative path starts at the data "
                            "directory (default: "} +
                    CONFIG_FILENAME + ")",
                ArgType::STRING, opt, util::COMMAND_LINE_ONLY);
    args.AddArg("-datadir=<dir>", "Data directory holding the config file and the cookie",
                ArgType::STRING, opt, util::DISALLOW_NEGATION);
    args.AddArg("-generate",
                std::string{"Mine blocks to a new wallet address at once: getnewaddress, then "
                            "generatetoaddress. Optional integer arguments: number of blocks "
                            "(default: "} +
                    DEFAULT_NBLOCKS + ") and maximum tries (default: " +
                    std::to_string(DEFAULT_MAX_TRIES) + "). Example: minibit-cli -generate 4 1000",
                ArgType::BOOL, opt);
    args.AddArg("-addrinfo", "Count the addresses the node knows, per network and in total",
                ArgType::BOOL, opt);
    args.AddArg("-getinfo",
                "Show a summary of the server: chain and sync state, network, wallet. Built "
                "from several calls, so parts may describe slightly different moments",
                ArgType::BOOL, opt);
    args.AddArg("-netinfo",
                "Show the peer connections of the server. An optional level 0 to 4 adds a peer "
                "listing (default: 0); pass \"help\" for details",
                ArgType::BOOL, opt);
    args.AddArg("-color=<when>",
                std::string{"Colour the -getinfo output: always, auto (when standard output is a "
                            "terminal) or never (default: "} +
                    DEFAULT_COLOR_SETTING + ")",
                ArgType::STRING, opt, util::DISALLOW_NEGATION);
    args.AddArg("-named", "Pass named instead of positional arguments (default: false)",
                ArgType::BOOL, opt);
    args.AddArg("-rpcclienttimeout=<n>",
                "Seconds to wait for an HTTP reply, or 0 for no limit (default: " +
                    std::to_string(DEFAULT_HTTP_CLIENT_TIMEOUT) + ")",
                ArgType::INT, opt);
    args.AddArg("-rpcconnect=<ip>",
                std::string{"Address of the node, optionally with :port (default: "} +
                    DEFAULT_RPCCONNECT + ")",
                ArgType::STRING, opt);
    args.AddArg("-rpccookiefile=<loc>",
                "Cookie file to authenticate with; a relative path starts at the chain's data "
                "directory (default: .cookie there)",
                ArgType::STRING, opt);
    args.AddArg("-rpcpassword=<pw>", "Password for JSON-RPC connections", ArgType::STRING, opt,
                util::SENSITIVE);
    args.AddArg("-rpcport=<port>",
                "Port of the node's JSON-RPC server (default: 8332, testnet: 18332, testnet4: "
                "48332, signet: 38332, regtest: 18443)",
                ArgType::STRING, opt, util::NETWORK_ONLY);
    args.AddArg("-rpcuser=<user>", "User name for JSON-RPC connections", ArgType::STRING, opt);
    args.AddArg("-rpcwait", "Wait for the RPC server to start", ArgType::BOOL, opt);
    args.AddArg("-rpcwaittimeout=<n>",
                "Seconds to wait for the RPC server to start, or 0 for no limit (default: " +
                    std::to_string(DEFAULT_WAIT_CLIENT_TIMEOUT) + ")",
                ArgType::INT, opt, util::DISALLOW_NEGATION);
    args.AddArg("-rpcwallet=<walletname>",
                "Send the call to this wallet of the node (its /wallet/<walletname> endpoint)",
                ArgType::STRING, opt);
    args.AddArg("-stdin",
                "Read more arguments from standard input, one per line, until end of file "
                "(good for secrets). With -stdinrpcpass, the first line is the RPC password",
                ArgType::BOOL, opt);
    args.AddArg("-stdinrpcpass",
                "Read the RPC password from the first line of standard input. With "
                "-stdinwalletpassphrase, the passphrase is the second line",
                ArgType::BOOL, opt);
    args.AddArg("-stdinwalletpassphrase",
                "Read the wallet passphrase of walletpassphrase(change) from a line of standard "
                "input",
                ArgType::BOOL, opt);

    const auto chain = OptionsCategory::CHAINPARAMS;
    args.AddArg("-chain=<chain>", "Network: main, test, testnet4, signet or regtest",
                ArgType::STRING, chain);
    args.AddArg("-regtest", "Same as -chain=regtest", ArgType::BOOL, chain);
    args.AddArg("-testnet", "Same as -chain=test", ArgType::BOOL, chain);
    args.AddArg("-testnet4", "Same as -chain=testnet4", ArgType::BOOL, chain);
    args.AddArg("-signet", "Same as -chain=signet", ArgType::BOOL, chain);
}

std::optional<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view text)
{
    std::string host{text};
    std::string port_text;
    const size_t colon = text.rfind(':');
    // A port follows the last ':' only for "[v6]:p" or a host with a single colon.
    const bool bracketed = !text.empty() && text.front() == '[';
    const bool has_port =
        colon != std::string_view::npos &&
        (bracketed ? colon > 0 && text[colon - 1] == ']' : text.find(':') == colon);
    if (has_port) {
        host = std::string{text.substr(0, colon)};
        port_text = std::string{text.substr(colon + 1)};
    }
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    uint16_t port = 0;
    if (has_port) {
        const auto value = util::ParseInt64(port_text);
        if (!value || *value < 1 || *value > 65535) return std::nullopt;
        port = static_cast<uint16_t>(*value);
    }
    return std::make_pair(host, port);
}

std::string UrlEncode(std::string_view text)
{
    static constexpr char HEX[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += HEX[c >> 4];
            out += HEX[c & 15];
        }
    }
    return out;
}

std::string Endpoint(const std::optional<std::string>& wallet)
{
    return wallet ? "/wallet/" + UrlEncode(*wallet) : "/";
}

util::Expected<CliSettings> ReadCliSettings(util::ArgsManager& args,
                                            const std::optional<std::string>& password)
{
    CliSettings settings;
    if (auto ok = CheckDataDir(args); !ok) return ok.error();
    auto conf = ReadConfig(args, DataDirFromArgs(args));
    if (!conf) return util::Unexpected("Error reading configuration file: " + conf.error().message);
    if (auto ok = CheckDataDir(args); !ok) return ok.error();
    settings.datadir = DataDirFromArgs(args);
    settings.config_file =
        util::AbsPathFor(settings.datadir, args.GetArg("-conf", CONFIG_FILENAME));

    auto chain = args.GetChainType();
    if (!chain) return chain.error();
    settings.chain = *chain;
    args.SelectConfigNetwork(util::ChainTypeToString(*chain));
    const std::string subdir = util::ChainDataSubdir(*chain);
    settings.chain_datadir = subdir.empty() ? settings.datadir : settings.datadir / subdir;

    // Port preference as Core: -rpcport, then a port inside -rpcconnect, then the default.
    const std::string connect = args.GetArg("-rpcconnect", DEFAULT_RPCCONNECT);
    const auto host_port = SplitHostPort(connect);
    if (!host_port) return util::Unexpected("Invalid port provided in -rpcconnect: " + connect);
    settings.host = host_port->first;
    settings.port = host_port->second != 0 ? host_port->second : DefaultRpcPort(*chain);
    if (const auto rpcport = args.GetArg("-rpcport")) {
        const auto value = util::ParseInt64(*rpcport);
        if (!value || *value < 1 || *value > 65535) {
            return util::Unexpected("Invalid port provided in -rpcport: " + *rpcport);
        }
        settings.port = static_cast<uint16_t>(*value);
    }

    if (args.IsArgSet("-rpcwallet")) settings.wallet = args.GetArg("-rpcwallet", "");

    const std::string pass = password ? *password : args.GetArg("-rpcpassword", "");
    if (pass.empty()) {
        std::filesystem::path cookie = DefaultCookiePath(settings.chain_datadir);
        if (const auto file = args.GetArg("-rpccookiefile")) {
            cookie = util::AbsPathFor(settings.chain_datadir, *file);
        }
        settings.cookie_file = cookie;
        if (auto line = ReadAuthCookie(cookie)) {
            settings.credentials = *line;
        } else {
            settings.cookie_failed = true;
        }
    } else {
        settings.credentials = args.GetArg("-rpcuser", "") + ":" + pass;
    }

    settings.client_timeout = std::chrono::seconds{
        std::max<int64_t>(0, args.GetIntArg("-rpcclienttimeout", DEFAULT_HTTP_CLIENT_TIMEOUT))};
    settings.wait = args.GetBoolArg("-rpcwait", false);
    settings.wait_timeout = std::chrono::seconds{
        std::max<int64_t>(0, args.GetIntArg("-rpcwaittimeout", DEFAULT_WAIT_CLIENT_TIMEOUT))};
    return settings;
}

int ExitCodeForRpcError(int64_t code)
{
    // The OS keeps the low byte of Core's abs(code); no Core code is a multiple of 256, and a
    // failure must never read as success.
    const uint64_t magnitude =
        code < 0 ? 0 - static_cast<uint64_t>(code) : static_cast<uint64_t>(code);
    const int status = static_cast<int>(magnitude & 0xff);
    return status == 0 ? 1 : status;
}

CliOutput FormatReply(const Json& reply)
{
    CliOutput output;
    const Json& error = Field(reply, "error");
    if (error.is_null()) {
        const Json& result = Field(reply, "result");
        if (result.is_string()) {
            output.out = result.get<std::string>();
        } else if (!result.is_null()) {
            output.out = WriteJson(result, 2);
        }
        return output;
    }
    if (!error.is_object()) {
        output.err = "error: " + WriteJson(error);
        output.exit_code = 1;
        return output;
    }
    const Json& code = Field(error, "code");
    const Json& message = Field(error, "message");
    if (!code.is_null()) output.err = "error code: " + ValStr(code) + "\n";
    if (message.is_string()) output.err += "error message:\n" + message.get<std::string>();
    if (code.is_number_integer() && code.get<int64_t>() == RPC_WALLET_NOT_SPECIFIED) {
        output.err += " Or for the CLI, specify the \"-rpcwallet=<walletname>\" option before "
                      "the command (run \"minibit-cli -h\" for help or \"minibit-cli "
                      "listwallets\" to see which wallets are currently loaded).";
    }
    output.exit_code = code.is_number_integer() ? ExitCodeForRpcError(code.get<int64_t>()) : 1;
    return output;
}

std::string ProgressBar(double progress)
{
    std::string bar;
    if (progress < 0 || progress > 1) return bar;
    constexpr double INCREMENT{0.05};
    for (int i = 0; i < progress / INCREMENT; ++i)
        bar += "\u2592";
    for (int i = 0; i < (1 - progress) / INCREMENT; ++i)
        bar += "\u2591";
    return bar;
}

std::string FormatDuration(std::chrono::seconds duration)
{
    const int64_t total = std::max<int64_t>(0, duration.count());
    const int64_t days = total / 86400;
    const int64_t hours = total % 86400 / 3600;
    const int64_t minutes = total % 3600 / 60;
    const int64_t seconds = total % 60;
    char buf[64];
    if (days > 0) {
        std::snprintf(buf, sizeof(buf), "%lldd %02lldh %02lldm", static_cast<long long>(days),
                      static_cast<long long>(hours), static_cast<long long>(minutes));
    } else if (hours > 0) {
        std::snprintf(buf, sizeof(buf), "%lldh %02lldm %02llds", static_cast<long long>(hours),
                      static_cast<long long>(minutes), static_cast<long long>(seconds));
    } else if (minutes > 0) {
        std::snprintf(buf, sizeof(buf), "%lldm %02llds", static_cast<long long>(minutes),
                      static_cast<long long>(seconds));
    } else {
        std::snprintf(buf, sizeof(buf), "%llds", static_cast<long long>(seconds));
    }
    return buf;
}

std::string FormatGetInfo(const Json& info, bool color, const std::optional<SyncRate>& rate)
{
    // The wallet lines (magenta, cyan) come from FormatGetInfoWallet.
    std::string reset, green, blue, yellow;
    if (color) {
        reset = "\x1B[0m";
        green = "\x1B[32m";
        blue = "\x1B[34m";
        yellow = "\x1B[33m";
    }
    std::string s = blue + "Chain: " + ValStr(Field(info, "chain")) + reset + "\n";
    s += "Blocks: " + ValStr(Field(info, "blocks")) + "\n";
    s += "Headers: " + ValStr(Field(info, "headers")) + "\n";
    const double progress = NumberOf(Field(info, "verificationprogress"));
    std::string bar;
    if (progress < 0.99) bar = ProgressBar(progress) + " ";
    char pct[64];
    std::snprintf(pct, sizeof(pct), "%.4f%%", progress * 100);
    s += "Verification progress: " + bar + pct + "\n";
    if (rate) {
        char speed[64];
        std::snprintf(speed, sizeof(speed), "%.2f", rate->blocks_per_second);
        s += std::string{"Sync speed (blocks/s): "} + speed + "\n";
        s += "Estimated time left: " + (rate->eta ? FormatDuration(*rate->eta) : "unknown") + "\n";
    }
    s += "Difficulty: " + ValStr(Field(info, "difficulty")) + "\n\n";

    const Json& connections = Field(info, "connections");
    if (!connections.is_null()) {
        s += green + "Network: in " + ValStr(Field(connections, "in")) + ", out " +
             ValStr(Field(connections, "out")) + ", total " + ValStr(Field(connections, "total")) +
             reset + "\n";
        s += "Version: " + ValStr(Field(info, "version")) + "\n";
        s += "Time offset (s): " + ValStr(Field(info, "timeoffset")) + "\n";
        // One entry per distinct proxy, naming the networks that use it, in first-seen order.
        std::vector<std::string> order;
        std::map<std::string, std::vector<std::string>> users;
        const Json& networks = Field(info, "networks");
        if (networks.is_array()) {
            for (const Json& network : networks) {
                const std::string proxy = ValStr(Field(network, "proxy"));
                if (proxy.empty()) continue;
                if (!users.contains(proxy)) order.push_back(proxy);
                users[proxy].push_back(ValStr(Field(network, "name")));
            }
        }
        std::vector<std::string> proxies;
        for (const std::string& proxy : order)
            proxies.push_back(proxy + " (" + JoinStrings(users[proxy], ", ") + ")");
        s += "Proxies: " + (proxies.empty() ? std::string{"n/a"} : JoinStrings(proxies, ", ")) +
             "\n";
        s += "Min tx relay fee rate (BTC/kvB): " + ValStr(Field(info, "relayfee")) + "\n\n";
    }

    s += FormatGetInfoWallet(info, color);
    const Json& warnings = Field(info, "warnings");
    std::string warning_text;
    if (warnings.is_array()) {
        std::vector<std::string> parts;
        for (const Json& w : warnings)
            parts.push_back(ValStr(w));
        warning_text = JoinStrings(parts, "\n");
    } else {
        warning_text = ValStr(warnings);
    }
    s += yellow + "Warnings:" + reset + " " + (warning_text.empty() ? "(none)" : warning_text);
    return s;
}

namespace {

// --- transport ---------------------------------------------------------------------------

struct HttpResult
{
    int status{0};
    std::string body;
};

std::string CouldNotConnect(const CliSettings& settings, bool timed_out)
{
    return "Could not connect to the server " + settings.host + ":" +
           std::to_string(settings.port) +
           (timed_out ? " (error code 0 - \"timeout reached\")"
                      : " (error code 1 - \"EOF reached\")") +
           "\n\nMake sure the minibitd server is running and that you are connecting to the "
           "correct RPC port.\nUse \"minibit-cli -help\" for more info.";
}

// One POST on a fresh connection. Connection trouble (refused, reset, timeout) is a
// ConnectionFailed; -rpcwait retries those.
std::variant<HttpResult, ConnectionFailed>
Post(const CliSettings& settings, const std::string& endpoint, const std::string& body)
{
    namespace beast = boost::beast;
    namespace http = beast::http;
    using tcp = boost::asio::ip::tcp;
    boost::asio::io_context io;
    beast::tcp_stream stream{io};
    const auto arm = [&] {
        if (settings.client_timeout.count() > 0) {
            stream.expires_after(settings.client_timeout);
        } else {
            stream.expires_never();
        }
    };
    beast::error_code ec;
    tcp::resolver resolver{io};
    const auto endpoints = resolver.resolve(settings.host, std::to_string(settings.port), ec);
    if (ec) return ConnectionFailed{CouldNotConnect(settings, false)};
    arm();
    stream.connect(endpoints, ec);
    if (ec) return ConnectionFailed{CouldNotConnect(settings, ec == beast::error::timeout)};

    http::request<http::string_body> request{http::verb::post, endpoint, 11};
    request.set(http::field::host, settings.host);
    request.set(http::field::connection, "close");
    request.set(http::field::content_type, "application/json");
    request.set(http::field::authorization, "Basic " + util::EncodeBase64(settings.credentials));
    request.body() = body;
    request.prepare_payload();
    arm();
    http::write(stream, request, ec);
    if (ec) return ConnectionFailed{CouldNotConnect(settings, ec == beast::error::timeout)};

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.header_limit(1 << 20);
    arm();
    http::read(stream, buffer, parser, ec);
    if (ec) return ConnectionFailed{CouldNotConnect(settings, ec == beast::error::timeout)};
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    const auto& response = parser.get();
    return HttpResult{static_cast<int>(response.result_int()), response.body()};
}

// Core's CallRPC: HTTP status checks, then the reply parsed as JSON.
std::variant<Json, ConnectionFailed> CallOnce(CliSettings settings, const Json& request)
{
    // Under -rpcwait the node may write its cookie only after the client started.
    if (!settings.cookie_file.empty()) {
        auto line = ReadAuthCookie(settings.cookie_file);
        settings.cookie_failed = !line;
        settings.credentials = line ? *line : std::string{};
    }
    auto posted = Post(settings, Endpoint(settings.wallet), WriteJson(request) + "\n");
    if (auto* failed = std::get_if<ConnectionFailed>(&posted)) return *failed;
    const HttpResult& http = std::get<HttpResult>(posted);
    if (http.status == HTTP_UNAUTHORIZED) {
        if (settings.cookie_failed) {
            // The node may have written its cookie between our read and its reply.
            if (settings.wait) {
                return ConnectionFailed{"no authentication cookie found at " +
                                        settings.cookie_file.string()};
            }
            throw LocalError{"Could not locate RPC credentials. No authentication cookie could "
                             "be found, and RPC password is not set.  See -rpcpassword and "
                             "-stdinrpcpass.  Configuration file: (" +
                             settings.config_file.string() + ")"};
        }
        throw LocalError{"Authorization failed: Incorrect rpcuser or rpcpassword"};
    }
    if (http.status == HTTP_SERVICE_UNAVAILABLE) throw LocalError{"Server response: " + http.body};
    if (http.status >= 400 && http.status != HTTP_BAD_REQUEST && http.status != HTTP_NOT_FOUND &&
        http.status != HTTP_INTERNAL_SERVER_ERROR) {
        throw LocalError{"server returned HTTP error " + std::to_string(http.status)};
    }
    if (http.body.empty()) throw LocalError{"no response from server"};
    auto reply = ParseReplyJson(http.body);
    if (!reply) throw LocalError{"couldn't parse reply from server"};
    return std::move(*reply);
}

bool IsWarmupError(const Json& reply)
{
    const Json& code = Field(Field(reply, "error"), "code");
    return code.is_number_integer() && code.get<int64_t>() == RPC_IN_WARMUP;
}

// Core's ConnectAndCallRPC: with -rpcwait, retries refused connections and warm-up replies
// once a second until -rpcwaittimeout passes.
Json Call(const CliSettings& settings, const Json& request)
{
    const auto deadline = std::chrono::steady_clock::now() + settings.wait_timeout;
    while (true) {
        std::string failure;
        auto outcome = CallOnce(settings, request);
        if (auto* reply = std::get_if<Json>(&outcome)) {
            if (!settings.wait || !IsWarmupError(*reply)) return std::move(*reply);
            failure = "server in warmup";
        } else {
            failure = std::get<ConnectionFailed>(outcome).message;
        }
        if (settings.wait &&
            (settings.wait_timeout.count() <= 0 || std::chrono::steady_clock::now() < deadline)) {
            std::this_thread::sleep_for(std::chrono::seconds{1});
            continue;
        }
        throw LocalError{"timeout on transient error: " + failure};
    }
}

Json MakeRequest(std::string_view method, Json params, Json id = 1)
{
    Json request = Json::object();
    request["method"] = std::string{method};
    request["params"] = std::move(params);
    request["id"] = std::move(id);
    request["jsonrpc"] = "2.0";
    return request;
}

// Calls one method on `wallet`'s endpoint (or the default one) and returns the reply object.
Json CallMethod(CliSettings settings, std::string_view method, Json params,
                const std::optional<std::string>& wallet)
{
    settings.wallet = wallet;
    Json reply = Call(settings, MakeRequest(method, std::move(params)));
    if (!reply.is_object() || reply.empty()) {
        throw LocalError{"expected reply to have result, error and id properties"};
    }
    return reply;
}

// The transport for cli_wallet.cpp's helpers: one call per request, on the given endpoint.
WalletCall WalletCaller(const CliSettings& settings)
{
    return [&settings](std::string_view method, Json params,
                       const std::optional<std::string>& wallet) {
        return CallMethod(settings, method, std::move(params), wallet);
    };
}

// A batch reply indexed by id 0..n-1, as Core's JSONRPCProcessBatchReply.
std::vector<Json> CallBatch(const CliSettings& settings, std::vector<Json> requests)
{
    const size_t n = requests.size();
    Json batch = Json::array();
    for (Json& r : requests)
        batch.push_back(std::move(r));
    Json reply = Call(settings, batch);
    if (reply.is_object() && !Field(reply, "error").is_null()) {
        // The server refused the whole batch; show its error as a single reply.
        throw ReplyError{std::move(reply)};
    }
    if (!reply.is_array()) throw LocalError{"Batch must be an array"};
    std::vector<Json> out(n);
    for (const Json& item : reply) {
        const Json& id = Field(item, "id");
        if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<uint64_t>() >= n) {
            throw LocalError{"Batch member id is larger than batch size"};
        }
        out[id.get<size_t>()] = item;
    }
    return out;
}

bool ReplyFailed(const Json& reply)
{
    return !reply.is_object() || !Field(reply, "error").is_null();
}

// --- -getinfo ----------------------------------------------------------------------------

std::optional<SyncRate> MeasureSync(const CliSettings& settings, const Json& first)
{
    const int64_t blocks =
        Field(first, "blocks").is_number() ? Field(first, "blocks").get<int64_t>() : 0;
    const int64_t headers =
        Field(first, "headers").is_number() ? Field(first, "headers").get<int64_t>() : 0;
    const double progress = NumberOf(Field(first, "verificationprogress"));
    if (headers <= blocks && progress >= 0.99) return std::nullopt;
    const auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds{1});
    const Json reply = CallMethod(settings, "getblockchaininfo", Json::array(), settings.wallet);
    if (ReplyFailed(reply)) return std::nullopt;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const Json& second = Field(reply, "result");
    const int64_t blocks2 =
        Field(second, "blocks").is_number() ? Field(second, "blocks").get<int64_t>() : blocks;
    const int64_t headers2 =
        Field(second, "headers").is_number() ? Field(second, "headers").get<int64_t>() : headers;
    const double progress2 = NumberOf(Field(second, "verificationprogress"));
    SyncRate rate;
    rate.blocks_per_second = elapsed > 0 ? static_cast<double>(blocks2 - blocks) / elapsed : 0;
    if (rate.blocks_per_second > 0 && headers2 > blocks2) {
        rate.eta = std::chrono::seconds{static_cast<int64_t>(
            std::ceil(static_cast<double>(headers2 - blocks2) / rate.blocks_per_second))};
    } else if (progress2 > progress && elapsed > 0) {
        rate.eta = std::chrono::seconds{
            static_cast<int64_t>(std::ceil((1 - progress2) / ((progress2 - progress) / elapsed)))};
    }
    return rate;
}

bool ShouldColor(const util::ArgsManager& args)
{
    const std::string color = args.GetArg("-color", DEFAULT_COLOR_SETTING);
    if (color == "always") return true;
    if (color == "never") return false;
    if (color != "auto") {
        throw LocalError{"Invalid value for -color option. Valid values: always, auto, never."};
    }
    return isatty(fileno(stdout)) != 0;
}

CliOutput GetInfo(const util::ArgsManager& args, const CliSettings& settings,
                  const std::vector<std::string>& words)
{
    if (!words.empty()) throw LocalError{"-getinfo takes no arguments"};
    enum
    {
        ID_NETWORKINFO,
        ID_BLOCKCHAININFO,
        ID_WALLETINFO,
        ID_BALANCES
    };
    std::vector<Json> requests;
    for (const char* method :
         {"getnetworkinfo", "getblockchaininfo", "getwalletinfo", "getbalances"})
        requests.push_back(MakeRequest(method, Json::array(), static_cast<int>(requests.size())));
    const std::vector<Json> batch = CallBatch(settings, std::move(requests));
    // The chain state is required; network and wallet parts are shown only if the server has them.
    if (ReplyFailed(batch[ID_BLOCKCHAININFO])) return FormatReply(batch[ID_BLOCKCHAININFO]);
    const Json& chain = Field(batch[ID_BLOCKCHAININFO], "result");
    const bool has_network = !ReplyFailed(batch[ID_NETWORKINFO]);
    const Json& net = Field(batch[ID_NETWORKINFO], "result");

    Json info = Json::object();
    if (has_network) info["version"] = Field(net, "version");
    info["blocks"] = Field(chain, "blocks");
    info["headers"] = Field(chain, "headers");
    info["verificationprogress"] = Field(chain, "verificationprogress");
    if (has_network) {
        info["timeoffset"] = Field(net, "timeoffset");
        info["connections"] = {{"in", Field(net, "connections_in")},
                               {"out", Field(net, "connections_out")},
                               {"total", Field(net, "connections")}};
        info["networks"] = Field(net, "networks");
    }
    info["difficulty"] = Field(chain, "difficulty");
    info["chain"] = Field(chain, "chain");
    AddGetInfoWallet(info, batch[ID_WALLETINFO], batch[ID_BALANCES]);
    if (has_network) info["relayfee"] = Field(net, "relayfee");
    info["warnings"] = has_network ? Field(net, "warnings") : Field(chain, "warnings");

    if (!settings.wallet) {
        // With several wallets loaded and none chosen, each one's trusted balance.
        if (auto balances = GetWalletBalances(WalletCaller(settings))) {
            info["balances"] = std::move(*balances);
        }
    }
    const bool color = ShouldColor(args);
    const auto rate = MeasureSync(settings, chain);
    return CliOutput{FormatGetInfo(info, color, rate), "", 0};
}

// --- -netinfo ----------------------------------------------------------------------------

std::string NetinfoHelp()
{
    return "-netinfo level|\"help\"\n\n"
           "Shows a dashboard of the node's peer connections, built from getpeerinfo and "
           "getnetworkinfo.\nIt is meant for people: the layout may change between versions.\n"
           "An optional level from 0 to " +
           std::to_string(NETINFO_MAX_LEVEL) +
           " selects the peer listing; larger numbers count as " +
           std::to_string(NETINFO_MAX_LEVEL) +
           ".\n\nArguments:\n"
           "1. level (integer 0-4, optional)  detail of the dashboard (default 0):\n"
           "                                  0 - peer counts and local addresses\n"
           "                                  1 - as 0, preceded by a list of peers\n"
           "                                  2 - as 1, with an address column\n"
           "                                  3 - as 1, with a version column\n"
           "                                  4 - as 1, with address and version columns\n"
           "2. outonly (string \"outonly\", optional) list outbound peers only\n"
           "   help (string \"help\", optional) print this text instead of the dashboard\n\n"
           "Examples:\n\n> minibit-cli -netinfo\n> minibit-cli -netinfo 4\n"
           "> watch --interval 1 --no-title minibit-cli -netinfo 4\n";
}

CliOutput NetInfo(const CliSettings& settings, const std::vector<std::string>& words)
{
    // Parsing and layout live in cli_netinfo.cpp; this only fetches the two replies.
    const auto request = ParseNetinfoArgs(words);
    if (!request) throw LocalError{request.error().message};
    std::vector<Json> requests{MakeRequest("getpeerinfo", Json::array(), 0),
                               MakeRequest("getnetworkinfo", Json::array(), 1)};
    const std::vector<Json> batch = CallBatch(settings, std::move(requests));
    if (ReplyFailed(batch[0])) return FormatReply(batch[0]);
    if (ReplyFailed(batch[1])) return FormatReply(batch[1]);
    const std::string client =
        "minibit client v" + std::string{MINIBIT_VERSION} +
        (settings.chain == util::ChainType::MAIN ? ""
                                                 : " " + util::ChainTypeToString(settings.chain));
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const Json& peers = Field(batch[0], "result");
    const Json& network = Field(batch[1], "result");
    return CliOutput{FormatNetinfo(peers, network, *request, client, now), "", 0};
}

// --- -addrinfo ---------------------------------------------------------------------------

CliOutput AddrInfo(const CliSettings& settings, const std::vector<std::string>& words)
{
    if (!words.empty()) throw LocalError{"-addrinfo takes no arguments"};
    const Json reply = CallMethod(settings, "getnodeaddresses", Json::array({0}), settings.wallet);
    if (ReplyFailed(reply)) return FormatReply(reply);
    static const std::array<std::string, 5> NETWORKS{"ipv4", "ipv6", "onion", "i2p", "cjdns"};
    std::array<uint64_t, 5> counts{};
    const Json& nodes = Field(reply, "result");
    if (nodes.is_array()) {
        for (const Json& node : nodes) {
            const auto it =
                std::find(NETWORKS.begin(), NETWORKS.end(), ValStr(Field(node, "network")));
            if (it != NETWORKS.end()) ++counts[static_cast<size_t>(it - NETWORKS.begin())];
        }
    }
    Json addresses = Json::object();
    uint64_t total = 0;
    for (size_t i = 0; i < NETWORKS.size(); ++i) {
        addresses[NETWORKS[i]] = counts[i];
        total += counts[i];
    }
    addresses["total"] = total;
    return FormatReply(Json{{"result", Json{{"addresses_known", addresses}}}, {"error", nullptr}});
}

// --- -generate ---------------------------------------------------------------------------

CliOutput Generate(const CliSettings& settings, std::vector<std::string> words)
{
    return GenerateToNewAddress(WalletCaller(settings), std::move(words), settings.wallet);
}

// --- standard input ----------------------------------------------------------------------

// Reads one line with terminal echo off when standard input is a terminal.
bool ReadSecretLine(std::istream& in, std::string& line, std::ostream& err, std::string_view prompt)
{
    const bool tty = &in == &std::cin && isatty(STDIN_FILENO) != 0;
    termios saved{};
    if (tty) {
        err << prompt << std::flush;
        if (tcgetattr(STDIN_FILENO, &saved) == 0) {
            termios quiet = saved;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        }
    }
    const bool ok = static_cast<bool>(std::getline(in, line));
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        err << "\n";
    }
    return ok;
}

CliOutput Run(util::ArgsManager& args, std::istream& in, std::ostream& err)
{
    std::optional<std::string> password;
    if (args.GetBoolArg("-stdinrpcpass", false)) {
        std::string line;
        if (!ReadSecretLine(in, line, err, "RPC password> ")) {
            throw LocalError{"-stdinrpcpass specified but failed to read from standard input"};
        }
        password = line;
    }
    std::vector<std::string> words = args.Positional();
    if (args.GetBoolArg("-stdinwalletpassphrase", false)) {
        if (words.empty() || !words[0].starts_with("walletpassphrase")) {
            throw LocalError{
                "-stdinwalletpassphrase is only applicable for walletpassphrase(change)"};
        }
        std::string line;
        if (!ReadSecretLine(in, line, err, "Wallet passphrase> ")) {
            throw LocalError{
                "-stdinwalletpassphrase specified but failed to read from standard input"};
        }
        words.insert(words.begin() + 1, line);
    }
    if (args.GetBoolArg("-stdin", false)) {
        std::string line;
        while (std::getline(in, line))
            words.push_back(line);
    }
    std::vector<std::string> commands;
    for (const char* cmd : CLI_COMMANDS)
        if (args.IsArgSet(cmd)) commands.emplace_back(cmd);
    if (commands.size() > 1) {
        throw LocalError{"Only one of " + JoinStrings(commands, ", ") + " may be specified."};
    }

    auto settings = ReadCliSettings(args, password);
    if (!settings) throw LocalError{settings.error().message};

    if (args.GetBoolArg("-getinfo", false)) return GetInfo(args, *settings, words);
    if (args.GetBoolArg("-netinfo", false)) {
        if (!words.empty() && (words[0] == "h" || words[0] == "help")) {
            return CliOutput{NetinfoHelp(), "", 0};
        }
        return NetInfo(*settings, words);
    }
    if (args.GetBoolArg("-generate", false)) return Generate(*settings, words);
    if (args.GetBoolArg("-addrinfo", false)) return AddrInfo(*settings, words);

    if (words.empty()) throw LocalError{"too few parameters (need at least command)"};
    const std::string method = words[0];
    words.erase(words.begin());
    auto params = args.GetBoolArg("-named", false) ? ConvertNamed(method, words)
                                                   : ConvertPositional(method, words);
    if (!params) throw LocalError{params.error().message};
    return FormatReply(CallMethod(*settings, method, std::move(*params), settings->wallet));
}

std::string Usage(const util::ArgsManager& args)
{
    return std::string{"minibit RPC client version v"} + MINIBIT_VERSION +
           "\n\n"
           "Usage:  minibit-cli [options] <command> [params]  Send command to minibit\n"
           "or:     minibit-cli [options] -named <command> [name=value]...  Send command to "
           "minibit (with named arguments)\n"
           "or:     minibit-cli [options] help                List commands\n"
           "or:     minibit-cli [options] help <command>      Get help for a command\n\n" +
           args.GetHelpMessage();
}

} // namespace

int CliMain(int argc, const char* const argv[], std::istream& in, std::ostream& out,
            std::ostream& err)
{
    util::ArgsManager args;
    SetupCliArgs(args);
    if (auto ok = args.ParseParameters(argc, argv); !ok) {
        err << "Error parsing command line arguments: " << ok.error().message << "\n";
        return 1;
    }
    const bool help = args.IsArgSet("-?") || args.IsArgSet("-h") || args.IsArgSet("-help");
    if (argc < 2 || help || args.IsArgSet("-version")) {
        if (args.IsArgSet("-version") && !help) {
            out << "minibit RPC client version v" << MINIBIT_VERSION << "\n"
                << "Copyright (C) The minibit developers\n\n"
                << "Distributed under the MIT software license.\n";
        } else {
            out << Usage(args);
        }
        if (argc < 2) {
            err << "Error: too few parameters\n";
            return 1;
        }
        return 0;
    }

    CliOutput output;
    try {
        output = Run(args, in, err);
    } catch (const LocalError& e) {
        output = CliOutput{"", "error: " + e.message, 1};
    } catch (const ReplyError& e) {
        output = FormatReply(e.reply);
    } catch (const std::exception& e) {
        output = CliOutput{"", std::string{"error: "} + e.what(), 1};
    }
    if (output.exit_code == 0) {
        if (!output.out.empty()) out << output.out << "\n";
    } else if (!output.err.empty()) {
        err << output.err << "\n";
    }
    out.flush();
    err.flush();
    return output.exit_code;
}

} // namespace rpc::cli
