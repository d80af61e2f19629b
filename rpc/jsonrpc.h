// JSON-RPC envelope: parsing request bodies and building replies as Bitcoin Core v28 does.
#pragma once

#include <rpc/protocol.h>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace rpc {

/// The JSON value type of the RPC layer; it keeps object keys in insertion order so results
/// print with Bitcoin Core's field order.
using Json = nlohmann::ordered_json;

/// Deepest nesting of arrays and objects a request body may have (UniValue's limit).
constexpr size_t MAX_JSON_DEPTH{512};

/// Which reply rules apply: legacy 1.0/1.1 (result, error and id always) or strict 2.0.
enum class JsonRpcVersion
{
    V1_LEGACY,
    V2,
};

/// One request object after envelope checks. `id` is nullopt when the request had no "id" key;
/// it starts as JSON null so errors found before the id is read still answer with "id": null.
struct JsonRequest
{
    std::optional<Json> id{Json{}};
    JsonRpcVersion version{JsonRpcVersion::V1_LEGACY};
    std::string method;
    Json params{Json::array()};

    /// True for a 2.0 request without an "id" key: it runs but gets no reply.
    bool IsNotification() const { return !id.has_value() && version == JsonRpcVersion::V2; }
};

/// A JSON value or the RPC error that replaces it.
class [[nodiscard]] Result
{
public:
    Result(Json value) : m_v{std::in_place_index<0>, std::move(value)} {}
    Result(RpcError error) : m_v{std::in_place_index<1>, std::move(error)} {}

    /// True when this holds a value.
    bool has_value() const { return m_v.index() == 0; }
    explicit operator bool() const { return has_value(); }
    /// The value; calling it on an error is a bug.
    const Json& value() const& { return std::get<0>(m_v); }
    Json&& value() && { return std::get<0>(std::move(m_v)); }
    /// The error; calling it on a value is a bug.
    const RpcError& error() const { return std::get<1>(m_v); }

private:
    std::variant<Json, RpcError> m_v;
};

/// Key ParseJsonBody adds to a params object whose JSON text repeated a key; its value is
/// the first repeated key (the DOM keeps one value per key, Core refuses the call).
inline constexpr std::string_view DUPLICATE_PARAM_MARKER{"\x01duplicate-parameter"};

/// Parses a request body: any JSON text, nested at most MAX_JSON_DEPTH deep. Never throws;
/// bad or too deep input gives RPC_PARSE_ERROR "Parse error".
Result ParseJsonBody(std::string_view body);

/// Checks one request object and fills `out` step by step like Core (id, then version, then
/// method and params), so a failure still leaves the id and version to answer with.
/// Returns the RPC_INVALID_REQUEST error, or nullopt when `out` is complete.
std::optional<RpcError> ParseRequest(const Json& value, JsonRequest& out);

/// {"code": ..., "message": ...}
Json ErrorObject(const RpcError& error);

/// A reply object: legacy carries both result and error (one null), 2.0 carries "jsonrpc"
/// and only one of them; "id" appears only when the request had one.
Json MakeReply(const Result& outcome, const std::optional<Json>& id, JsonRpcVersion version);

/// The HTTP status of a legacy error reply: 400 invalid request, 404 unknown method, else 500.
int LegacyErrorStatus(int code);

/// UniValue's name for a JSON type ("null", "bool", "object", "array", "string", "number"),
/// which Core's type-error messages quote.
std::string_view JsonTypeName(const Json& value);

/// Compact JSON text; invalid UTF-8 in strings is replaced rather than thrown on.
std::string WriteJson(const Json& value, int indent = -1);

} // namespace rpc
