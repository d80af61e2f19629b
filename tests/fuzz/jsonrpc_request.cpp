// JSON-RPC request handling without sockets. The first input byte picks the dispatcher's state
// (warm-up, an -rpcwhitelist-style filter); the rest is an HTTP request body. Checks:
// - ParseJsonBody accepts exactly the JSON texts nlohmann accepts that hold no NUL byte and nest
//   at most MAX_JSON_DEPTH deep (depth counted here by a separate scan), and never throws;
// - what parses is written by WriteJson as JSON that parses back to the same value;
// - ParseRequest accepts exactly the request objects the JSON-RPC rules describe and fills id
//   and version as they say;
// - MethodTable::Dispatch answers with the status, reply shape, error code and id those rules
//   give, one reply per non-notification batch member, echo returns its parameters, and no
//   internal error (-32603) ever escapes;
// - the HTTP auth helpers: -rpcauth parsing, the Authorization header check against a
//   password/rpcauth pair and Bitcoin Core's rpcauth test vector, TimingResistantEqual, and the
//   -rpcallowip subnet and -rpcbind endpoint parsers of http_server.h.
// The HTTP request line and headers are parsed by Boost.Beast inside the server's socket
// session; http_server.h exposes no byte-level entry point for them, so they are not fed here.
#include <rpc/dispatch.h>
#include <rpc/http_auth.h>
#include <rpc/http_server.h>
#include <rpc/jsonrpc.h>
#include <rpc/protocol.h>
#include <util/base64.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

using namespace rpc;

namespace {

// Bodies past this only make longer strings and batches.
constexpr size_t MAX_BODY{64 * 1024};

// Deepest array/object nesting of a text, skipping string contents; meaningful for valid JSON.
size_t NestingDepth(std::string_view text)
{
    size_t depth = 0;
    size_t max_depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            max_depth = std::max(max_depth, ++depth);
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return max_depth;
}

// JSON equality where numbers compare by value: WriteJson prints doubles with 16 significant
// digits (as UniValue) and whole doubles without a fraction, so a reparse may turn 1.0 into 1.
bool SameJson(const Json& a, const Json& b)
{
    if (a.is_number() && b.is_number()) {
        if (!a.is_number_float() && !b.is_number_float()) return a == b;
        const double x = a.get<double>();
        const double y = b.get<double>();
        return x == y || std::fabs(x - y) <= 1e-15 * std::max(std::fabs(x), std::fabs(y));
    }
    if (a.type() != b.type()) return false;
    if (a.is_array()) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i) {
            if (!SameJson(a[i], b[i])) return false;
        }
        return true;
    }
    if (a.is_object()) {
        if (a.size() != b.size()) return false;
        for (auto it = a.begin(); it != a.end(); ++it) {
            const auto other = b.find(it.key());
            if (other == b.end() || !SameJson(it.value(), *other)) return false;
        }
        return true;
    }
    return a == b;
}

// What ParseRequest must conclude about one request object, from the rules alone.
struct ExpectedRequest
{
    bool valid{false};
    bool has_id{false};
    JsonRpcVersion version{JsonRpcVersion::V1_LEGACY};
};

ExpectedRequest ReferenceRequest(const Json& value)
{
    ExpectedRequest out;
    if (!value.is_object()) {
        out.has_id = true; // the default JsonRequest answers with "id": null
        return out;
    }
    out.has_id = value.contains("id");
    const auto version = value.find("jsonrpc");
    if (version != value.end() && !version->is_null()) {
        if (!version->is_string()) return out;
        if (*version == "2.0") {
            out.version = JsonRpcVersion::V2;
        } else if (*version != "1.0") {
            return out;
        }
    }
    const auto method = value.find("method");
    if (method == value.end() || !method->is_string()) return out;
    const auto params = value.find("params");
    if (params != value.end() && !params->is_null() && !params->is_array() &&
        !params->is_object()) {
        return out;
    }
    out.valid = true;
    return out;
}

void CheckParseRequest(const Json& value)
{
    JsonRequest request;
    const auto error = ParseRequest(value, request);
    const ExpectedRequest expected = ReferenceRequest(value);
    if (error.has_value() == expected.valid) std::abort();
    if (error && error->code != RPC_INVALID_REQUEST) std::abort();
    if (!value.is_object()) return;
    if (request.id.has_value() != expected.has_id) std::abort();
    if (request.id && *request.id != value["id"]) std::abort();
    if (request.version != expected.version) std::abort();
    if (!error) {
        if (request.method != value["method"]) std::abort();
        const auto params = value.find("params");
        const Json want = params == value.end() || params->is_null() ? Json::array() : *params;
        if (request.params != want) std::abort();
    }

    // Reply shapes: legacy always has result and error, 2.0 has "jsonrpc" and exactly one.
    const Result outcome = error ? Result{*error} : Result{Json("ok")};
    const Json reply = MakeReply(outcome, request.id, request.version);
    const bool legacy = request.version == JsonRpcVersion::V1_LEGACY;
    if (legacy && (!reply.contains("result") || !reply.contains("error"))) std::abort();
    if (!legacy && (reply.value("jsonrpc", "") != "2.0" ||
                    reply.contains("result") == reply.contains("error"))) {
        std::abort();
    }
    if (reply.contains("id") != request.id.has_value()) std::abort();
    if (error && reply["error"] != ErrorObject(*error)) std::abort();
}

const MethodTable& Table(bool warm)
{
    static const auto make = [](bool finish) {
        auto table = std::make_unique<MethodTable>();
        table->RegisterBuiltins();
        if (finish) table->FinishWarmup();
        return table;
    };
    static const auto ready = make(true);
    static const auto warming = make(false);
    return warm ? *warming : *ready;
}

// Parses a reply body, which must be JSON of the expected shape.
Json ReplyJson(const HttpReply& reply)
{
    const Result parsed = ParseJsonBody(reply.body);
    if (!parsed) std::abort();
    return parsed.value();
}

// The error code inside a reply object, or 0 when it carries a result.
int ReplyCode(const Json& reply)
{
    const auto error = reply.find("error");
    if (error == reply.end() || error->is_null()) return 0;
    if (!error->is_object() || !(*error)["code"].is_number_integer()) std::abort();
    return (*error)["code"].get<int>();
}

// What echo must return for these params: the array itself, or named arg0..arg9 placed by
// position with nulls in the gaps. nullopt when the params are outside that simple case.
std::optional<Json> EchoResult(const Json& params)
{
    if (params.is_array()) {
        if (params.size() > 10) return std::nullopt;
        if (params.size() == 10 && params[9] == "trigger_internal_bug") return std::nullopt;
        return params;
    }
    Json out = Json::array();
    for (const auto& [key, value] : params.items()) {
        if (key.size() != 4 || key.compare(0, 3, "arg") != 0 || key[3] < '0' || key[3] > '9') {
            return std::nullopt;
        }
        const size_t index = static_cast<size_t>(key[3] - '0');
        while (out.size() <= index)
            out.push_back(nullptr);
        out[index] = value;
    }
    if (out.size() == 10 && out[9] == "trigger_internal_bug") return std::nullopt;
    return out;
}

// Checks one reply object against the request member that produced it.
void CheckMemberReply(const Json& member, const Json& reply, bool warm, bool* is_echo)
{
    if (!reply.is_object()) std::abort();
    const ExpectedRequest expected = ReferenceRequest(member);
    const int code = ReplyCode(reply);
    if (code == RPC_INTERNAL_ERROR) std::abort();
    if (expected.has_id && member.is_object() && !SameJson(reply["id"], member["id"])) std::abort();
    if (expected.version == JsonRpcVersion::V2 && member.is_object() &&
        reply.value("jsonrpc", "") != "2.0") {
        std::abort();
    }
    if (!expected.valid) {
        if (code != RPC_INVALID_REQUEST) std::abort();
        return;
    }
    if (warm) {
        if (code != RPC_IN_WARMUP) std::abort();
        return;
    }
    const std::string& method = member["method"].get_ref<const std::string&>();
    if (method != "help" && method != "echo" && method != "echojson") {
        if (code != RPC_METHOD_NOT_FOUND) std::abort();
        return;
    }
    if (method == "help") return;
    const auto params_it = member.find("params");
    const Json params =
        params_it == member.end() || params_it->is_null() ? Json::array() : *params_it;
    if (const auto want = EchoResult(params)) {
        if (code != 0 || !SameJson(reply["result"], *want)) std::abort();
        *is_echo = true;
    }
}

// The whitelist filter of this run: only help and echo are allowed.
bool Allowed(std::string_view method)
{
    return method == "help" || method == "echo";
}

void CheckDispatch(std::string_view body, const Result& parsed, bool warm, bool whitelist)
{
    Context context;
    context.user = "fuzz";
    context.uri = "/";
    if (whitelist) context.allowed = Allowed;
    const HttpReply reply = Table(warm).Dispatch(body, context);

    // 204 and 403 carry no body; every other reply is JSON.
    if ((reply.status == HTTP_NO_CONTENT || reply.status == HTTP_FORBIDDEN) != reply.body.empty()) {
        std::abort();
    }
    if (!parsed) {
        const Json json = ReplyJson(reply);
        if (reply.status != HTTP_INTERNAL_SERVER_ERROR || ReplyCode(json) != RPC_PARSE_ERROR ||
            !json["id"].is_null()) {
            std::abort();
        }
        return;
    }
    const Json& value = parsed.value();

    if (value.is_object()) {
        const ExpectedRequest expected = ReferenceRequest(value);
        if (!expected.valid) {
            if (reply.status != HTTP_BAD_REQUEST) std::abort();
            bool unused = false;
            CheckMemberReply(value, ReplyJson(reply), warm, &unused);
            return;
        }
        const std::string& method = value["method"].get_ref<const std::string&>();
        if (whitelist && !Allowed(method)) {
            if (reply.status != HTTP_FORBIDDEN) std::abort();
            return;
        }
        const bool notification = expected.version == JsonRpcVersion::V2 && !expected.has_id;
        if (notification) {
            if (reply.status != HTTP_NO_CONTENT) std::abort();
            return;
        }
        const Json json = ReplyJson(reply);
        bool is_echo = false;
        CheckMemberReply(value, json, warm, &is_echo);
        const int code = ReplyCode(json);
        // 2.0 reports method errors in a 200; legacy maps them onto HTTP statuses.
        int want_status = HTTP_OK;
        if (code != 0 && expected.version == JsonRpcVersion::V1_LEGACY) {
            want_status = LegacyErrorStatus(code);
        }
        if (reply.status != want_status) std::abort();
        return;
    }

    if (value.is_array()) {
        if (whitelist) {
            // The whole batch is refused up front if a member is malformed or not allowed.
            for (const Json& member : value) {
                if (!member.is_object()) {
                    if (reply.status != HTTP_BAD_REQUEST) std::abort();
                    return;
                }
                const auto method = member.find("method");
                if (method == member.end() || !method->is_string()) {
                    if (reply.status != HTTP_INTERNAL_SERVER_ERROR) std::abort();
                    return;
                }
                if (!Allowed(method->get_ref<const std::string&>())) {
                    if (reply.status != HTTP_FORBIDDEN) std::abort();
                    return;
                }
            }
        }
        std::vector<const Json*> answered;
        for (const Json& member : value) {
            const ExpectedRequest expected = ReferenceRequest(member);
            if (member.is_object() && expected.version == JsonRpcVersion::V2 && !expected.has_id) {
                continue;
            }
            answered.push_back(&member);
        }
        if (answered.empty() && !value.empty()) {
            if (reply.status != HTTP_NO_CONTENT) std::abort();
            return;
        }
        if (reply.status != HTTP_OK) std::abort();
        const Json json = ReplyJson(reply);
        if (!json.is_array() || json.size() != answered.size()) std::abort();
        for (size_t i = 0; i < answered.size(); ++i) {
            bool is_echo = false;
            CheckMemberReply(*answered[i], json[i], warm, &is_echo);
        }
        return;
    }

    // A bare string, number, bool or null is not a request.
    const Json json = ReplyJson(reply);
    if (reply.status != HTTP_INTERNAL_SERVER_ERROR || ReplyCode(json) != RPC_PARSE_ERROR) {
        std::abort();
    }
}

void CheckJson(std::string_view body, bool warm, bool whitelist)
{
    const Result parsed = ParseJsonBody(body);
    // nlohmann stops at a NUL byte as if the input ended there; JSON text never contains a raw
    // NUL, so a body holding one is refused whatever comes before it.
    const bool acceptable = body.find('\0') == std::string_view::npos &&
                            Json::accept(body.begin(), body.end()) &&
                            NestingDepth(body) <= MAX_JSON_DEPTH;
    if (parsed.has_value() != acceptable) std::abort();
    if (!parsed && (parsed.error().code != RPC_PARSE_ERROR)) std::abort();

    if (parsed) {
        const Json& value = parsed.value();
        const std::string written = WriteJson(value);
        const Result again = ParseJsonBody(written);
        if (!again || !SameJson(again.value(), value)) std::abort();
        // The indented form carries the same value.
        const Result indented = ParseJsonBody(WriteJson(value, 2));
        if (!indented || !SameJson(indented.value(), value)) std::abort();
        if (value.is_array()) {
            for (const Json& member : value)
                CheckParseRequest(member);
        } else {
            CheckParseRequest(value);
        }
    }
    CheckDispatch(body, parsed, warm, whitelist);
}

// Bitcoin Core's own -rpcauth example (test/functional/rpc_users.py), checked with Python's hmac.
constexpr std::string_view CORE_RPCAUTH{
    "rt:93648e835a54c573682c2eb19f882535$"
    "7681e9c5b74bdd85e78166031d2058e1069b3ed7ed967c93fc63abba06f31144"};
constexpr std::string_view CORE_PASSWORD{"cA773lm788buwYe4g4WT+05pKyNruVKjQ25x3n0DQcM="};

std::string BasicHeader(std::string_view user, std::string_view password)
{
    return "Basic " + util::EncodeBase64(std::string{user} + ":" + std::string{password});
}

void CheckAuth(std::string_view text)
{
    // -rpcauth: exactly one ':' and, after it, exactly one '$'.
    const auto entry = ParseRpcAuth(text);
    const size_t colon = text.find(':');
    const bool shape_ok = colon != std::string_view::npos &&
                          std::count(text.begin(), text.end(), ':') == 1 &&
                          std::count(text.begin() + colon, text.end(), '$') == 1;
    if (entry.has_value() != shape_ok) std::abort();
    if (entry && entry->user + ":" + entry->salt + "$" + entry->hmac_hex != text) std::abort();

    // The text split at its first newline: a user name and a password.
    const size_t newline = text.find('\n');
    const std::string_view user = text.substr(0, newline);
    const std::string_view password =
        newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    if (TimingResistantEqual(user, password) != (user == password)) std::abort();

    static const auto core_entry = ParseRpcAuth(CORE_RPCAUTH);
    if (!core_entry) std::abort();
    Authenticator auth;
    auth.AddRpcAuth(*core_entry);
    const bool plain = user.find(':') == std::string_view::npos;
    if (plain) auth.AddUserPassword(user, password);
    if (auth.Check(BasicHeader("rt", CORE_PASSWORD)) != std::optional<std::string>{"rt"}) {
        std::abort();
    }
    if (plain) {
        const auto who = auth.Check(BasicHeader(user, password));
        if (!who || *who != user) std::abort();
        // One more byte of password is a different password.
        if (auth.Check(BasicHeader(user, std::string{password} + "x"))) std::abort();
    }
    // Only rt's password passes for rt, unless the fuzzed pair is rt's too.
    if (password != CORE_PASSWORD && auth.Check(BasicHeader("rt", password)) &&
        !(plain && user == "rt")) {
        std::abort();
    }
    // The whole input as a header value: if it passes, it names a configured user.
    if (const auto who = auth.Check(text)) {
        if (*who != "rt" && !(plain && *who == user)) std::abort();
        if (!text.starts_with("Basic ")) std::abort();
    }
    if (auth.Check(std::string{"basic "} + std::string{text})) std::abort();

    // -rpcallowip subnets print in a form that parses to the same subnet.
    if (const auto subnet = Subnet::Parse(text)) {
        const std::string printed = subnet->ToString();
        const auto again = Subnet::Parse(printed);
        if (!again || again->ToString() != printed) std::abort();
    }
    (void)ParseEndpoint(text, 8332);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0 || size > MAX_BODY + 1) return 0;
    const uint8_t selector = data[0];
    const std::string_view body{reinterpret_cast<const char*>(data + 1), size - 1};
    CheckJson(body, /*warm=*/selector & 1, /*whitelist=*/selector & 2);
    CheckAuth(body);
    return 0;
}
