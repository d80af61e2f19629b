// Bitcoin Core's unauthenticated REST interface (-rest): blocks, headers, transactions,
// UTXO queries (BIP64), chain and mempool info, with Core's paths, formats
// (.bin/.hex/.json), status codes and plain-text error messages.
#pragma once

#include <consensus/transaction.h>
#include <util/expected.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rpc {

class HttpServer;
class MethodTable;
struct HttpRequest;
struct HttpResponse;
struct Services;

/// Most outpoints one /rest/getutxos call may ask about (Core's MAX_GETUTXOS_OUTPOINTS).
inline constexpr size_t MAX_GETUTXOS_OUTPOINTS{15};
/// Most headers one /rest/headers call returns (Core's MAX_REST_HEADERS_RESULTS).
inline constexpr size_t MAX_REST_HEADERS_RESULTS{2000};

/// The output format chosen by the path's extension.
enum class RestFormat
{
    UNDEF,  //!< no or unknown extension (answered 404)
    BINARY, //!< .bin
    HEX,    //!< .hex
    JSON,   //!< .json
};

/// Core's ParseDataFormat: drops the query string, then splits a known ".bin", ".hex" or
/// ".json" suffix off `uri_part` into `param`; an unknown suffix stays in `param` (UNDEF).
RestFormat ParseDataFormat(std::string& param, std::string_view uri_part);

/// The first value of query parameter `key` in `target` (percent-decoded), nullopt when
/// absent; an error with Core's message when the query has characters RFC 3986 forbids.
util::Expected<std::optional<std::string>> GetQueryParameter(std::string_view target,
                                                             std::string_view key);

/// What /rest/getutxos asks: whether to look in the mempool, and the outpoints.
struct GetUtxosQuery
{
    bool check_mempool{false};
    std::vector<consensus::OutPoint> outpoints;
};

/// Parses the path form "/checkmempool/<txid>-<n>/<txid>-<n>..." (after "/rest/getutxos",
/// extension removed); Core's "Parse error" for a malformed outpoint and "Error: empty request"
/// when none is given.
util::Expected<GetUtxosQuery> ParseGetUtxosPath(std::string_view param);

/// Parses the binary request body: a check-mempool byte then a vector of outpoints; trailing
/// bytes are ignored as Core does. "Parse error" on truncation.
util::Expected<GetUtxosQuery> ParseGetUtxosBody(std::span<const uint8_t> body);

/// BIP64's bitmap: bit i (least significant first within each byte) set when outpoint i was
/// found unspent.
std::vector<uint8_t> UtxoBitmap(const std::vector<bool>& hits);

/// Core's lenient ParseHex for request bodies: hex pairs, whitespace allowed between them;
/// empty on any other character.
std::vector<uint8_t> ParseHexBody(std::string_view text);

/// Answers one REST request (target starting with "/rest/"). Exposed for tests; the server
/// calls it through RegisterRestHandlers. With `table`, answers 503 while it is in warm-up and
/// serves /rest/deploymentinfo through its getdeploymentinfo method.
HttpResponse HandleRest(const HttpRequest& request, const Services& services,
                        const MethodTable* table);

/// Registers Core's /rest/ prefixes on `server` (no authentication, any HTTP method), as
/// `-rest` does. `services` (and `table`, when given) must outlive the server.
void RegisterRestHandlers(HttpServer& server, const Services& services,
                          const MethodTable* table = nullptr);

} // namespace rpc
