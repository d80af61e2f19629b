#include <rpc/jsonrpc.h>

#include <rpc/util.h>

#include <cstdio>
#include <exception>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rpc {

namespace {

// A validating pass that only counts nesting. It runs before the DOM is built so a body of
// 100000 '[' is refused after MAX_JSON_DEPTH characters instead of growing a huge tree.
class DepthCheck final : public nlohmann::json_sax<Json>
{
public:
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return Enter(); }
    bool key(string_t&) override { return true; }
    bool end_object() override { return Leave(); }
    bool start_array(std::size_t) override { return Enter(); }
    bool end_array() override { return Leave(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override
    {
        return false;
    }

private:
    bool Enter() { return ++m_depth <= MAX_JSON_DEPTH; }
    bool Leave()
    {
        --m_depth;
        return true;
    }

    size_t m_depth{0};
};

// Tracks object keys while the DOM is built. nlohmann keeps one value per key, but Core
// refuses a named parameter given twice, so a params object with a repeated key gets
// DUPLICATE_PARAM_MARKER naming the first repeated key.
class DuplicateParamFinder
{
public:
    bool operator()(int /*depth*/, nlohmann::detail::parse_event_t event, Json& parsed)
    {
        using Event = nlohmann::detail::parse_event_t;
        switch (event) {
        case Event::object_start:
        case Event::array_start:
            m_frames.push_back(
                Frame{{}, {}, false, !m_frames.empty() && m_frames.back().last_key_is_params});
            break;
        case Event::key: {
            // Keys are only remembered inside params objects, so large replies that
            // minibit-cli parses cost no more than before.
            Frame& frame = m_frames.back();
            const auto& key = parsed.get_ref<const std::string&>();
            frame.last_key_is_params = key == "params";
            if (frame.under_params && !frame.keys.insert(key).second && !frame.duplicate)
                frame.duplicate = key;
            break;
        }
        case Event::object_end:
            if (m_frames.back().under_params && m_frames.back().duplicate)
                parsed[std::string{DUPLICATE_PARAM_MARKER}] = *m_frames.back().duplicate;
            m_frames.pop_back();
            break;
        case Event::array_end:
            m_frames.pop_back();
            break;
        case Event::value:
            break;
        }
        return true;
    }

private:
    struct Frame
    {
        std::set<std::string> keys; //!< only filled under params
        std::optional<std::string> duplicate;
        bool last_key_is_params{false};
        bool under_params{false};
    };
    std::vector<Frame> m_frames;
};

RpcError InvalidRequest(std::string message)
{
    return RpcError{RPC_INVALID_REQUEST, std::move(message)};
}

} // namespace

Result ParseJsonBody(std::string_view body)
{
    const RpcError parse_error{RPC_PARSE_ERROR, "Parse error"};
    // nlohmann's lexer takes a NUL byte for the end of input, so "{...}\0junk" would parse
    // with the junk ignored. JSON text never holds a raw NUL (strings must escape it), and
    // Core's reader refuses one, so neither do we.
    if (body.find('\0') != std::string_view::npos) return parse_error;
    try {
        DepthCheck check;
        if (!Json::sax_parse(body.begin(), body.end(), &check)) return parse_error;
        DuplicateParamFinder finder;
        Json value = Json::parse(
            body.begin(), body.end(),
            [&finder](int depth, nlohmann::detail::parse_event_t event, Json& parsed) {
                return finder(depth, event, parsed);
            },
            /*allow_exceptions=*/false);
        if (value.is_discarded()) return parse_error;
        return value;
    } catch (const std::exception&) {
        // Only allocation failure can land here; the caller still deserves an answer.
        return parse_error;
    }
}

std::optional<RpcError> ParseRequest(const Json& value, JsonRequest& out)
{
    if (!value.is_object()) return InvalidRequest("Invalid Request object");

    const auto id_it = value.find("id");
    if (id_it != value.end()) {
        out.id = *id_it;
    } else {
        out.id.reset();
    }

    out.version = JsonRpcVersion::V1_LEGACY;
    const auto version_it = value.find("jsonrpc");
    if (version_it != value.end() && !version_it->is_null()) {
        if (!version_it->is_string()) return InvalidRequest("jsonrpc field must be a string");
        const auto& version = version_it->get_ref<const std::string&>();
        // Some old documentation put "jsonrpc": "1.0" in requests, so Core keeps accepting it.
        if (version == "2.0") {
            out.version = JsonRpcVersion::V2;
        } else if (version != "1.0") {
            return InvalidRequest("JSON-RPC version not supported");
        }
    }

    const auto method_it = value.find("method");
    if (method_it == value.end() || method_it->is_null()) return InvalidRequest("Missing method");
    if (!method_it->is_string()) return InvalidRequest("Method must be a string");
    out.method = method_it->get<std::string>();

    const auto params_it = value.find("params");
    if (params_it == value.end() || params_it->is_null()) {
        out.params = Json::array();
    } else if (params_it->is_array() || params_it->is_object()) {
        out.params = *params_it;
    } else {
        return InvalidRequest("Params must be an array or object");
    }
    return std::nullopt;
}

Json ErrorObject(const RpcError& error)
{
    Json object = Json::object();
    object["code"] = error.code;
    object["message"] = error.message;
    return object;
}

Json MakeReply(const Result& outcome, const std::optional<Json>& id, JsonRpcVersion version)
{
    const bool legacy{version == JsonRpcVersion::V1_LEGACY};
    Json reply = Json::object();
    if (!legacy) reply["jsonrpc"] = "2.0";
    if (outcome.has_value()) {
        reply["result"] = outcome.value();
        if (legacy) reply["error"] = nullptr;
    } else {
        if (legacy) reply["result"] = nullptr;
        reply["error"] = ErrorObject(outcome.error());
    }
    if (id.has_value()) reply["id"] = *id;
    return reply;
}

int LegacyErrorStatus(int code)
{
    if (code == RPC_INVALID_REQUEST) return HTTP_BAD_REQUEST;
    if (code == RPC_METHOD_NOT_FOUND) return HTTP_NOT_FOUND;
    return HTTP_INTERNAL_SERVER_ERROR;
}

std::string_view JsonTypeName(const Json& value)
{
    switch (value.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
        return "null";
    case Json::value_t::boolean:
        return "bool";
    case Json::value_t::object:
        return "object";
    case Json::value_t::array:
        return "array";
    case Json::value_t::string:
    case Json::value_t::binary:
        return "string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
        return "number";
    }
    return "null";
}

namespace {

void AppendIndent(std::string& out, int indent, int level)
{
    out.append(static_cast<size_t>(indent) * static_cast<size_t>(level), ' ');
}

// UniValue's writer: compact without indent; with it, one element per line and "key": value,
// and empty containers still broken over two lines, as bitcoin-cli prints them.
void Write(const Json& value, int indent, int level, std::string& out)
{
    switch (value.type()) {
    case Json::value_t::object: {
        out += '{';
        if (indent > 0) out += '\n';
        size_t i = 0;
        for (const auto& [key, item] : value.items()) {
            if (indent > 0) AppendIndent(out, indent, level + 1);
            out += Json(key).dump(-1, ' ', false, Json::error_handler_t::replace);
            out += indent > 0 ? ": " : ":";
            Write(item, indent, level + 1, out);
            if (++i != value.size()) out += ',';
            if (indent > 0) out += '\n';
        }
        if (indent > 0) AppendIndent(out, indent, level);
        out += '}';
        return;
    }
    case Json::value_t::array: {
        out += '[';
        if (indent > 0) out += '\n';
        for (size_t i = 0; i < value.size(); ++i) {
            if (indent > 0) AppendIndent(out, indent, level + 1);
            Write(value[i], indent, level + 1, out);
            if (i + 1 != value.size()) out += ',';
            if (indent > 0) out += '\n';
        }
        if (indent > 0) AppendIndent(out, indent, level);
        out += ']';
        return;
    }
    case Json::value_t::number_float: {
        // UniValue prints doubles with 16 significant digits.
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%.16g", value.get<double>());
        out += buf;
        return;
    }
    case Json::value_t::binary:
        if (const auto amount = JsonToAmount(value)) {
            const uint64_t abs =
                *amount < 0 ? 0 - static_cast<uint64_t>(*amount) : static_cast<uint64_t>(*amount);
            char buf[40];
            std::snprintf(buf, sizeof(buf), "%s%llu.%08llu", *amount < 0 ? "-" : "",
                          static_cast<unsigned long long>(abs / 100'000'000),
                          static_cast<unsigned long long>(abs % 100'000'000));
            out += buf;
            return;
        }
        out += "null"; // no other binary values are ever built
        return;
    default:
        out += value.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
        return;
    }
}

} // namespace

std::string WriteJson(const Json& value, int indent)
{
    std::string out;
    Write(value, indent, 0, out);
    return out;
}

} // namespace rpc
