// minibit-cli -netinfo: Bitcoin Core's peer dashboard (levels 0-4, "outonly"), built from
// getpeerinfo and getnetworkinfo replies. Pure functions, so tests feed canned JSON.
#pragma once

#include <rpc/jsonrpc.h>
#include <util/expected.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rpc::cli {

/// Highest -netinfo level; larger numbers (up to 255) count as this.
inline constexpr int NETINFO_LEVEL_MAX{4};

/// What the -netinfo words ask for.
struct NetinfoRequest
{
    int level{0};        //!< 0: counts only; 1: peer list; 2: +address; 3: +version; 4: both
    bool outonly{false}; //!< list outbound peers only (levels 1-4)
};

/// Parses "[level [outonly|o]]" with Core's error messages (without "error: ").
util::Expected<NetinfoRequest> ParseNetinfoArgs(const std::vector<std::string>& words);

/// The dashboard text. `client` is the first words of the header ("minibit client v0.1.0
/// regtest"); `now` is unix seconds, for the send/recv/txn/blk/age columns.
std::string FormatNetinfo(const Json& peers, const Json& network_info,
                          const NetinfoRequest& request, const std::string& client, int64_t now);

} // namespace rpc::cli
