#include <rpc/method.h>

#include <rpc/util.h>

#include <util/strings.h>

#include <algorithm>
#include <exception>
#include <set>
#include <unordered_map>

namespace rpc {

namespace {

// Core's words after the type of an OBJ_NAMED_PARAMS argument in help.
constexpr std::string_view NAMED_PARAMS_NOTE{
    "Options object that can be used to pass named arguments, listed below."};

const Json& NullJson()
{
    static const Json null_value;
    return null_value;
}

// The JSON type an argument must have; nullopt where the method checks it itself.
std::optional<Json::value_t> ExpectedType(ArgType type)
{
    switch (type) {
    case ArgType::STR:
    case ArgType::STR_HEX:
        return Json::value_t::string;
    case ArgType::NUM:
        return Json::value_t::number_integer;
    case ArgType::AMOUNT:
    case ArgType::RANGE:
        return std::nullopt;
    case ArgType::BOOL:
        return Json::value_t::boolean;
    case ArgType::OBJ:
    case ArgType::OBJ_NAMED_PARAMS:
    case ArgType::OBJ_USER_KEYS:
        return Json::value_t::object;
    case ArgType::ARR:
        return Json::value_t::array;
    }
    return std::nullopt;
}

// A help block of two columns: the left part (a JSON-ish skeleton or "1. name") and the
// right part (type and description), padded so the right parts line up.
struct Section
{
    std::string left;
    std::string right;
};

class Sections
{
public:
    void Add(Section section)
    {
        m_max_pad = std::max(m_max_pad, section.left.size());
        m_sections.push_back(std::move(section));
    }

    // Nested fields of an argument; top-level scalars have none.
    void PushArg(const Arg& arg, size_t indent_width = 5, int outer = OUTER_NONE)
    {
        const std::string indent(indent_width, ' ');
        const std::string indent_next(indent_width + 2, ' ');
        const bool push_name{outer == OUTER_OBJ};
        const bool top_level{outer == OUTER_NONE};
        switch (arg.type) {
        case ArgType::STR:
        case ArgType::STR_HEX:
        case ArgType::NUM:
        case ArgType::AMOUNT:
        case ArgType::RANGE:
        case ArgType::BOOL: {
            if (top_level) return;
            std::string left = indent;
            if (!arg.options.type_str.empty() && push_name) {
                left += "\"" + arg.FirstName() + "\": " + arg.options.type_str.at(0);
            } else {
                left += push_name ? ObjEntry(arg, /*oneline=*/false) : Oneline(arg, false);
            }
            left += ",";
            Add({left, Describe(arg, push_name)});
            return;
        }
        case ArgType::OBJ_NAMED_PARAMS:
            // Core lists its keys in the "Named Arguments" section instead.
            if (top_level) return;
            [[fallthrough]];
        case ArgType::OBJ:
        case ArgType::OBJ_USER_KEYS: {
            const std::string right = top_level ? "" : Describe(arg, push_name);
            Add({indent + (push_name ? "\"" + arg.FirstName() + "\": " : "") + "{", right});
            for (const auto& inner : arg.inner)
                PushArg(inner, indent_width + 2, OUTER_OBJ);
            if (arg.type != ArgType::OBJ) Add({indent_next + "...", ""});
            Add({indent + "}" + (top_level ? "" : ","), ""});
            return;
        }
        case ArgType::ARR: {
            std::string left = indent + (push_name ? "\"" + arg.FirstName() + "\": " : "") + "[";
            const std::string right = top_level ? "" : Describe(arg, push_name);
            Add({left, right});
            for (const auto& inner : arg.inner)
                PushArg(inner, indent_width + 2, OUTER_ARR);
            Add({indent_next + "...", ""});
            Add({indent + "]" + (top_level ? "" : ","), ""});
            return;
        }
        }
    }

    void PushResult(const ResultDoc& doc, int outer = OUTER_NONE, size_t indent_width = 0)
    {
        const std::string indent(indent_width, ' ');
        const std::string indent_next(indent_width + 2, ' ');
        const std::string separator{outer != OUTER_NONE ? "," : ""};
        const std::string key{outer == OUTER_OBJ ? "\"" + doc.key_name + "\" : " : ""};
        const auto describe = [&](const std::string& type) {
            return "(" + type + (doc.optional ? ", optional" : "") + ")" +
                   (doc.description.empty() ? "" : " " + doc.description);
        };
        switch (doc.type) {
        case ResultType::ELISION:
            Add({indent + "..." + separator, doc.description});
            return;
        case ResultType::ANY:
            return;
        case ResultType::NONE:
            Add({indent + "null" + separator, describe("json null")});
            return;
        case ResultType::STR:
            Add({indent + key + "\"str\"" + separator, describe("string")});
            return;
        case ResultType::STR_AMOUNT:
        case ResultType::NUM:
            Add({indent + key + "n" + separator, describe("numeric")});
            return;
        case ResultType::STR_HEX:
            Add({indent + key + "\"hex\"" + separator, describe("string")});
            return;
        case ResultType::NUM_TIME:
            Add({indent + key + "xxx" + separator, describe("numeric")});
            return;
        case ResultType::BOOL:
            Add({indent + key + "true|false" + separator, describe("boolean")});
            return;
        case ResultType::ARR:
        case ResultType::ARR_FIXED: {
            Add({indent + key + "[", describe("json array")});
            for (const auto& inner : doc.inner)
                PushResult(inner, OUTER_ARR, indent_width + 2);
            if (doc.type == ResultType::ARR &&
                (doc.inner.empty() || doc.inner.back().type != ResultType::ELISION)) {
                Add({indent_next + "...", ""});
            } else {
                DropTrailingComma();
            }
            Add({indent + "]" + separator, ""});
            return;
        }
        case ResultType::OBJ:
        case ResultType::OBJ_DYN: {
            if (doc.inner.empty()) {
                Add({indent + key + "{}", describe("empty JSON object")});
                return;
            }
            Add({indent + key + "{", describe("json object")});
            for (const auto& inner : doc.inner)
                PushResult(inner, OUTER_OBJ, indent_width + 2);
            if (doc.type == ResultType::OBJ_DYN && doc.inner.back().type != ResultType::ELISION) {
                Add({indent_next + "...", ""});
            } else {
                DropTrailingComma();
            }
            Add({indent + "}" + separator, ""});
            return;
        }
        }
    }

    bool empty() const { return m_sections.empty(); }

    // Right parts start at the widest left part plus four; continuation lines of a
    // multi-line right part are indented to the same column.
    std::string Render() const
    {
        std::string out;
        const size_t pad{m_max_pad + 4};
        for (const auto& section : m_sections) {
            if (section.right.empty()) {
                out += section.left + "\n";
                continue;
            }
            std::string left = section.left;
            left.resize(pad, ' ');
            out += left;
            size_t begin{0};
            size_t newline{section.right.find('\n')};
            while (true) {
                out += section.right.substr(begin, newline - begin);
                if (newline == std::string::npos) break;
                out += '\n';
                out.append(pad, ' ');
                begin = section.right.find_first_not_of(' ', newline + 1);
                if (begin == std::string::npos) break;
                newline = section.right.find('\n', begin + 1);
            }
            out += "\n";
        }
        return out;
    }

    // "(type, required) text" as shown after an argument.
    static std::string Describe(const Arg& arg, bool is_named)
    {
        std::string out = "(";
        if (arg.options.type_str.size() >= 2) {
            out += arg.options.type_str.at(1);
        } else {
            switch (arg.type) {
            case ArgType::STR:
            case ArgType::STR_HEX:
                out += "string";
                break;
            case ArgType::NUM:
                out += "numeric";
                break;
            case ArgType::AMOUNT:
                out += "numeric or string";
                break;
            case ArgType::RANGE:
                out += "numeric or array";
                break;
            case ArgType::BOOL:
                out += "boolean";
                break;
            case ArgType::OBJ:
            case ArgType::OBJ_NAMED_PARAMS:
            case ArgType::OBJ_USER_KEYS:
                out += "json object";
                break;
            case ArgType::ARR:
                out += "json array";
                break;
            }
        }
        if (const auto* hint = std::get_if<DefaultHint>(&arg.fallback)) {
            out += ", optional, default=" + hint->text;
        } else if (const auto* value = std::get_if<Json>(&arg.fallback)) {
            out += ", optional, default=" + WriteJson(*value);
        } else if (std::get<ArgOptional>(arg.fallback) == ArgOptional::NO) {
            out += ", required";
        } else if (is_named) {
            // Inside arrays an omitted element simply is not there, so only keys say it.
            out += ", optional";
        }
        out += ")";
        std::string_view description{arg.description};
        if (arg.type == ArgType::OBJ_NAMED_PARAMS) {
            out += " ";
            out += NAMED_PARAMS_NOTE;
            // A description written before this type existed may repeat the note; say it once.
            if (description.starts_with(NAMED_PARAMS_NOTE)) {
                description.remove_prefix(NAMED_PARAMS_NOTE.size());
                description = util::TrimString(description);
            }
        }
        if (!description.empty()) {
            out += " ";
            out += description;
        }
        return out;
    }

    // The compact form used in the summary line and in array listings.
    static std::string Oneline(const Arg& arg, bool oneline)
    {
        if (oneline && !arg.options.oneline_description.empty()) {
            return arg.options.oneline_description;
        }
        switch (arg.type) {
        case ArgType::STR:
        case ArgType::STR_HEX:
            return "\"" + arg.FirstName() + "\"";
        case ArgType::AMOUNT:
        case ArgType::RANGE:
        case ArgType::NUM:
        case ArgType::BOOL:
            return arg.FirstName();
        case ArgType::OBJ:
        case ArgType::OBJ_NAMED_PARAMS:
        case ArgType::OBJ_USER_KEYS: {
            std::string joined;
            for (size_t i{0}; i < arg.inner.size(); ++i) {
                if (i > 0) joined += ",";
                joined += ObjEntry(arg.inner[i], oneline);
            }
            return "{" + joined + (arg.type == ArgType::OBJ ? "}" : ",...}");
        }
        case ArgType::ARR: {
            std::string joined;
            for (const auto& inner : arg.inner)
                joined += Oneline(inner, oneline) + ",";
            return "[" + joined + "...]";
        }
        }
        return arg.FirstName();
    }

    // `"name":"str"` and friends, for keys of an object argument.
    static std::string ObjEntry(const Arg& arg, bool oneline)
    {
        std::string out{"\""};
        out += arg.FirstName();
        out += oneline ? "\":" : "\": ";
        switch (arg.type) {
        case ArgType::STR:
            return out + "\"str\"";
        case ArgType::STR_HEX:
            return out + "\"hex\"";
        case ArgType::NUM:
            return out + "n";
        case ArgType::RANGE:
            return out + "n or [n,n]";
        case ArgType::AMOUNT:
            return out + "amount";
        case ArgType::BOOL:
            return out + "bool";
        case ArgType::ARR: {
            out += "[";
            for (const auto& inner : arg.inner)
                out += Oneline(inner, oneline) + ",";
            return out + "...]";
        }
        case ArgType::OBJ:
        case ArgType::OBJ_NAMED_PARAMS:
        case ArgType::OBJ_USER_KEYS:
            // Core has no layout for objects inside objects; show a plain object.
            return out + "{...}";
        }
        return out;
    }

    static constexpr int OUTER_NONE{0};
    static constexpr int OUTER_OBJ{1};
    static constexpr int OUTER_ARR{2};

private:
    void DropTrailingComma()
    {
        auto& left = m_sections.back().left;
        if (!left.empty() && left.back() == ',') left.pop_back();
    }

    std::vector<Section> m_sections;
    size_t m_max_pad{0};
};

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to)
{
    size_t pos{0};
    while ((pos = text.find(from, pos)) != std::string::npos) {
        text.replace(pos, from.size(), to);
        pos += to.size();
    }
    return text;
}

std::string ShellQuoteIfNeeded(const std::string& text)
{
    if (text.find_first_of(" '\"") == std::string::npos) return text;
    std::string quoted = "'";
    for (const char c : text) {
        quoted += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
    }
    return quoted + "'";
}

} // namespace

Arg::Arg(std::string names_in, ArgType type_in, ArgFallback fallback_in, std::string description_in,
         std::vector<Arg> inner_in, ArgOptions options_in)
    : names{std::move(names_in)}, type{type_in}, fallback{std::move(fallback_in)},
      description{std::move(description_in)}, inner{std::move(inner_in)}, options{
                                                                              std::move(options_in)}
{}

std::string Arg::FirstName() const
{
    return names.substr(0, names.find('|'));
}

std::vector<std::string> Arg::AllNames() const
{
    return util::SplitString(names, '|');
}

bool Arg::IsOptional() const
{
    const auto* optional = std::get_if<ArgOptional>(&fallback);
    return optional == nullptr || *optional != ArgOptional::NO;
}

std::optional<std::string> Arg::TypeMismatch(const Json& value) const
{
    if (options.skip_type_check) return std::nullopt;
    if (IsOptional() && value.is_null()) return std::nullopt;
    const auto expected = ExpectedType(type);
    if (!expected) return std::nullopt;
    const bool matches =
        *expected == Json::value_t::number_integer ? value.is_number() : value.type() == *expected;
    if (matches) return std::nullopt;
    return "JSON value of type " + std::string{JsonTypeName(value)} + " is not of expected type " +
           std::string{JsonTypeName(Json(*expected))};
}

ResultDoc::ResultDoc(ResultType type_in, std::string key_name_in, std::string description_in,
                     std::vector<ResultDoc> inner_in)
    : ResultDoc{"", type_in, std::move(key_name_in), std::move(description_in), std::move(inner_in)}
{}

ResultDoc::ResultDoc(ResultType type_in, std::string key_name_in, bool optional_in,
                     std::string description_in, std::vector<ResultDoc> inner_in)
    : ResultDoc{"", type_in, std::move(key_name_in), std::move(description_in), std::move(inner_in)}
{
    optional = optional_in;
}

ResultDoc::ResultDoc(std::string cond_in, ResultType type_in, std::string key_name_in,
                     std::string description_in, std::vector<ResultDoc> inner_in)
    : cond{std::move(cond_in)}, type{type_in}, key_name{std::move(key_name_in)},
      description{std::move(description_in)}, inner{std::move(inner_in)}
{}

const Json& Request::Param(size_t position) const
{
    if (params.is_array() && position < params.size()) return params[position];
    return NullJson();
}

const Json& Request::Arg(std::string_view name) const
{
    const auto position = method.ArgPosition(name);
    if (!position) return NullJson();
    const Json& given = Param(*position);
    if (!given.is_null()) return given;
    if (const auto* fallback = std::get_if<Json>(&method.Args()[*position].fallback)) {
        return *fallback;
    }
    return NullJson();
}

bool Request::HasArg(std::string_view name) const
{
    const auto position = method.ArgPosition(name);
    return position && !Param(*position).is_null();
}

std::string HelpExampleCli(std::string_view method, std::string_view args)
{
    return "> minibit-cli " + std::string{method} + " " + std::string{args} + "\n";
}

std::string HelpExampleCliNamed(std::string_view method,
                                const std::vector<std::pair<std::string, Json>>& args)
{
    std::string out = "> minibit-cli -named " + std::string{method};
    for (const auto& [name, value] : args) {
        const std::string text = value.is_string() ? value.get<std::string>() : WriteJson(value);
        out += " " + name + "=" + ShellQuoteIfNeeded(text);
    }
    return out + "\n";
}

std::string HelpExampleRpc(std::string_view method, std::string_view args)
{
    return "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", "
           "\"method\": \"" +
           std::string{method} + "\", \"params\": [" + std::string{args} +
           "]}' -H 'content-type: application/json' http://127.0.0.1:" +
           std::string{EXAMPLE_PORT_TOKEN} + "/\n";
}

std::string HelpExampleRpcNamed(std::string_view method,
                                const std::vector<std::pair<std::string, Json>>& args)
{
    Json params = Json::object();
    for (const auto& [name, value] : args)
        params[name] = value;
    return "> curl --user myusername --data-binary '{\"jsonrpc\": \"2.0\", \"id\": \"curltest\", "
           "\"method\": \"" +
           std::string{method} + "\", \"params\": " + WriteJson(params) +
           "}' -H 'content-type: application/json' http://127.0.0.1:" +
           std::string{EXAMPLE_PORT_TOKEN} + "/\n";
}

Method::Method(std::string name, std::string category, std::string description,
               std::vector<rpc::Arg> args, std::vector<ResultDoc> results, std::string examples,
               Handler handler)
    : m_name{std::move(name)}, m_category{std::move(category)},
      m_description{std::move(description)}, m_args{std::move(args)}, m_results{std::move(results)},
      m_examples{std::move(examples)}, m_handler{std::move(handler)}
{}

std::string Method::SummaryLine() const
{
    std::string out = m_name;
    bool in_optional{false};
    for (const auto& arg : m_args) {
        if (arg.options.hidden) break;
        out += " ";
        if (arg.IsOptional()) {
            if (!in_optional) out += "( ";
            in_optional = true;
        } else {
            if (in_optional) out += ") ";
            in_optional = false;
        }
        out += Sections::Oneline(arg, /*oneline=*/true);
    }
    if (in_optional) out += " )";
    return out;
}

std::string Method::HelpText(uint16_t example_port) const
{
    std::string out = SummaryLine();
    out += "\n\n" + std::string{util::TrimString(m_description)} + "\n";

    Sections arguments;
    // Keys of options objects, listed by bare name after the arguments, as Core does; they
    // are padded among themselves.
    Sections named_only;
    for (size_t i{0}; i < m_args.size(); ++i) {
        const auto& arg = m_args[i];
        if (arg.options.hidden) break;
        arguments.Add({std::to_string(i + 1) + ". " + arg.FirstName(),
                       Sections::Describe(arg, /*is_named=*/true)});
        arguments.PushArg(arg);
        if (arg.type != ArgType::OBJ_NAMED_PARAMS) continue;
        for (const auto& inner : arg.inner) {
            named_only.Add({inner.FirstName(), Sections::Describe(inner, /*is_named=*/true)});
            named_only.PushArg(inner);
        }
    }
    if (!arguments.empty()) out += "\nArguments:\n" + arguments.Render();
    if (!named_only.empty()) out += "\nNamed Arguments:\n" + named_only.Render();

    for (const auto& result : m_results) {
        if (result.type == ResultType::ANY) continue;
        out += result.cond.empty() ? "\nResult:\n" : "\nResult (" + result.cond + "):\n";
        Sections sections;
        sections.PushResult(result);
        out += sections.Render();
    }

    if (!m_examples.empty()) {
        out += "\nExamples:\n" +
               ReplaceAll(m_examples, EXAMPLE_PORT_TOKEN, std::to_string(example_port));
    }
    return out;
}

std::optional<size_t> Method::ArgPosition(std::string_view name) const
{
    for (size_t i{0}; i < m_args.size(); ++i) {
        for (const auto& alias : m_args[i].AllNames()) {
            if (alias == name) return i;
        }
    }
    return std::nullopt;
}

Result Method::NamedToPositional(const Json& named) const
{
    if (const auto duplicate = named.find(DUPLICATE_PARAM_MARKER);
        duplicate != named.end() && duplicate->is_string()) {
        return RpcError{RPC_INVALID_PARAMETER,
                        "Parameter " + duplicate->get<std::string>() + " specified multiple times"};
    }
    // Keys still unclaimed; whatever is left at the end is unknown to this method.
    std::unordered_map<std::string, const Json*> remaining;
    for (const auto& [key, value] : named.items())
        remaining.emplace(key, &value);

    // The first key of `remaining` that is one of `names`.
    const auto find_any = [&remaining](const std::vector<std::string>& names) {
        for (const auto& alias : names) {
            if (const auto found = remaining.find(alias); found != remaining.end()) return found;
        }
        return remaining.end();
    };

    Json positional = Json::array();
    // Arguments skipped so far; they become nulls only if a later argument is given, so
    // methods that count their parameters see the same count as with positional calls.
    size_t gap{0};
    size_t leading_gap{0};
    std::optional<std::string> first_given;
    for (const auto& arg : m_args) {
        // Keys of an options object given at top level; Core claims them just before the
        // object itself, so an earlier argument of the same name takes the value first.
        // Keys are claimed (erased) as found, so none can be claimed twice.
        Json options = Json::object();
        if (arg.type == ArgType::OBJ_NAMED_PARAMS) {
            for (const auto& inner : arg.inner) {
                const auto found = find_any(inner.AllNames());
                if (found == remaining.end()) continue;
                options[found->first] = *found->second;
                remaining.erase(found);
            }
        }
        const auto found = find_any(arg.AllNames());
        if (found == remaining.end() && options.empty()) {
            ++gap;
            if (positional.empty()) leading_gap = gap;
            continue;
        }
        for (; gap > 0; --gap)
            positional.push_back(nullptr);
        if (!first_given) first_given = arg.names;
        if (found == remaining.end()) {
            positional.push_back(std::move(options));
            continue;
        }
        if (!options.empty()) {
            // Named after the first key in the method's order, as Core does.
            return RpcError{RPC_INVALID_PARAMETER, "Parameter " + found->first +
                                                       " conflicts with parameter " +
                                                       options.begin().key()};
        }
        positional.push_back(*found->second);
        remaining.erase(found);
    }

    // "args" carries leading positional parameters next to named ones.
    const auto extra = remaining.find("args");
    if (extra != remaining.end()) {
        const Json* leading = extra->second;
        remaining.erase(extra);
        if (leading->is_array()) {
            if (leading_gap < leading->size() && first_given) {
                return RpcError{RPC_INVALID_PARAMETER,
                                "Parameter " + *first_given +
                                    " specified twice both as positional and named argument"};
            }
            Json merged = *leading;
            for (size_t i{merged.size()}; i < positional.size(); ++i) {
                merged.push_back(positional[i]);
            }
            positional = std::move(merged);
        }
    }

    if (!remaining.empty()) {
        // Report the first unknown key in the caller's order, so the message is stable.
        for (const auto& [key, value] : named.items()) {
            if (remaining.count(key)) {
                return RpcError{RPC_INVALID_PARAMETER, "Unknown named parameter " + key};
            }
        }
    }
    return positional;
}

std::optional<RpcError> Method::CheckParams(const Json& positional) const
{
    size_t required{0};
    for (size_t n{m_args.size()}; n > 0; --n) {
        if (!m_args[n - 1].IsOptional()) {
            required = n;
            break;
        }
    }
    const size_t given{positional.is_array() ? positional.size() : 0};
    if (given < required || given > m_args.size()) {
        // Core answers a wrong parameter count with the method's help as the error text.
        return RpcError{RPC_MISC_ERROR, HelpText()};
    }

    Json mismatches = Json::object();
    for (size_t i{0}; i < m_args.size(); ++i) {
        const Json& value = i < given ? positional[i] : NullJson();
        if (auto problem = m_args[i].TypeMismatch(value)) {
            mismatches["Position " + std::to_string(i + 1) + " (" + m_args[i].names + ")"] =
                *problem;
        }
    }
    if (!mismatches.empty()) {
        return RpcError{RPC_TYPE_ERROR, "Wrong type passed:\n" + WriteJson(mismatches, 4)};
    }
    return std::nullopt;
}

Result Method::Invoke(const Json& positional, const Context& context) const
{
    if (!m_handler) return RpcError{RPC_INTERNAL_ERROR, "Method has no handler"};
    try {
        return m_handler(Request{*this, positional, context});
    } catch (const RpcException& e) {
        return e.Error();
    } catch (const Json::type_error& e) {
        return RpcError{RPC_TYPE_ERROR, e.what()};
    } catch (const std::exception& e) {
        return RpcError{RPC_MISC_ERROR, e.what()};
    } catch (...) {
        return RpcError{RPC_MISC_ERROR, "unknown error"};
    }
}

bool Method::IsWellFormed() const
{
    if (m_name.empty() || m_category.empty() || !m_handler) return false;
    std::set<std::string> seen;
    // Keys of options objects must be distinct among themselves, or one would be unreachable
    // by name. They may repeat a top-level name (Core's also_positional: send's fee_rate),
    // which then takes the value.
    std::set<std::string> seen_named_only;
    for (const auto& arg : m_args) {
        for (const auto& alias : arg.AllNames()) {
            if (alias.empty() || !seen.insert(alias).second) return false;
        }
        if (arg.type == ArgType::OBJ_NAMED_PARAMS) {
            for (const auto& inner : arg.inner) {
                for (const auto& alias : inner.AllNames()) {
                    if (alias.empty() || !seen_named_only.insert(alias).second) return false;
                }
            }
        }
        // A JSON default must itself pass the type check, or help would advertise a lie.
        if (const auto* value = std::get_if<Json>(&arg.fallback)) {
            if (arg.TypeMismatch(*value)) return false;
        }
    }
    return true;
}

} // namespace rpc
