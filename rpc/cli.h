// minibit-cli: a drop-in bitcoin-cli. Options and config, the HTTP/1.1 client, output and exit
// codes as Bitcoin Core v28's bitcoin-cli, and the -getinfo/-netinfo/-generate helpers.
#pragma once

#include <rpc/jsonrpc.h>
#include <util/args.h>
#include <util/chaintype.h>
#include <util/expected.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rpc::cli {

/// Bitcoin Core's default RPC port of each network (8332, 18332, 48332, 38332, 18443).
uint16_t DefaultRpcPort(util::ChainType chain);

/// Registers every option minibit-cli accepts (startup thread only).
void SetupCliArgs(util::ArgsManager& args);

/// Where and how to reach the server, decided from the options and the config file.
struct CliSettings
{
    util::ChainType chain{util::ChainType::MAIN};
    std::filesystem::path datadir{};       //!< -datadir or the default
    std::filesystem::path chain_datadir{}; //!< datadir plus the chain subfolder (cookie lives here)
    std::filesystem::path config_file{};   //!< the -conf path (read or not), for messages
    std::string host{"127.0.0.1"};
    uint16_t port{0};
    std::optional<std::string> wallet{};      //!< -rpcwallet, if given (even empty)
    std::string credentials{};                //!< "user:password" sent with Basic auth
    bool cookie_failed{false};                //!< no -rpcpassword and no readable cookie
    std::filesystem::path cookie_file{};      //!< read again before each try; empty with a password
    std::chrono::seconds client_timeout{900}; //!< -rpcclienttimeout; 0 means none
    bool wait{false};                         //!< -rpcwait
    std::chrono::seconds wait_timeout{0};     //!< -rpcwaittimeout; 0 means forever
};

/// After ParseParameters: checks -datadir, reads the config file (with its network
/// sections), picks the chain, host, port, wallet endpoint and credentials. `password`
/// overrides -rpcpassword (for -stdinrpcpass). Errors are Core's messages, without "error: ".
util::Expected<CliSettings> ReadCliSettings(util::ArgsManager& args,
                                            const std::optional<std::string>& password = {});

/// Splits "-rpcconnect" into host and port as Core does ("h", "h:p", "[v6]", "[v6]:p");
/// port is 0 when none is given; nullopt for a malformed or out-of-range port.
std::optional<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view text);

/// Percent-encodes everything but RFC 3986 unreserved characters (libevent's
/// evhttp_uriencode without space-as-plus), for "/wallet/<name>".
std::string UrlEncode(std::string_view text);

/// The URL path for a wallet: "/" without one, "/wallet/<encoded name>" with one.
std::string Endpoint(const std::optional<std::string>& wallet);

/// What the process prints and returns.
struct CliOutput
{
    std::string out{}; //!< for stdout (without the final newline)
    std::string err{}; //!< for stderr (without the final newline)
    int exit_code{0};
};

/// The exit status for an RPC error code: |code| as Core, reduced to the low byte the OS
/// keeps, and never 0.
int ExitCodeForRpcError(int64_t code);

/// A reply object to print: strings raw, null nothing, other results as JSON indented by 2;
/// errors as "error code: N\nerror message:\n<text>" with exit status |N|.
CliOutput FormatReply(const Json& reply);

/// Core's -getinfo progress bar: one "▒" per 5% done, one "░" per 5% left.
std::string ProgressBar(double progress);

/// Sync speed measured by -getinfo while the node is behind.
struct SyncRate
{
    double blocks_per_second{0};
    std::optional<std::chrono::seconds> eta{}; //!< nullopt when it cannot be estimated
};

/// "1h 02m 03s" style duration for the ETA line.
std::string FormatDuration(std::chrono::seconds duration);

/// The human-readable -getinfo text from the merged -getinfo object (Core's field names:
/// chain, blocks, headers, verificationprogress, difficulty, connections, version, ...).
/// Network and wallet sections are left out when their data is missing.
std::string FormatGetInfo(const Json& info, bool color, const std::optional<SyncRate>& rate = {});

/// Runs minibit-cli with the process arguments; returns the exit status.
int CliMain(int argc, const char* const argv[], std::istream& in, std::ostream& out,
            std::ostream& err);

} // namespace rpc::cli
