#include <rpc/dispatch.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <utility>

namespace rpc {

namespace {

constexpr std::string_view HIDDEN_CATEGORY{"hidden"};

HttpReply JsonReply(int status, const Json& reply)
{
    return HttpReply{status, WriteJson(reply) + "\n"};
}

// An error answered with an HTTP error status, as Core does for legacy requests and for
// anything that fails before a request's own rules are known.
HttpReply ErrorReply(const RpcError& error, const JsonRequest& request)
{
    return JsonReply(LegacyErrorStatus(error.code),
                     MakeReply(Result{error}, request.id, request.version));
}

std::string Capitalize(std::string text)
{
    if (!text.empty())
        text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    return text;
}

Method MakeHelp(const MethodTable& table)
{
    return Method{
        "help",
        "control",
        "List every command, or show the full help of one command.",
        {
            {"command", ArgType::STR, DefaultHint{"all commands"}, "The command to show help for"},
        },
        {
            ResultDoc{ResultType::STR, "", "The help text"},
            ResultDoc{ResultType::ANY, "", ""},
        },
        "",
        [&table](const Request& request) -> Result {
            const Json& command = request.Param(0);
            return Json(table.Help(command.is_string() ? command.get<std::string>() : ""));
        },
    };
}

Method MakeEcho(std::string name)
{
    std::vector<Arg> args;
    for (int i{0}; i < 10; ++i) {
        args.emplace_back("arg" + std::to_string(i), ArgType::STR, ArgOptional::OMITTED, "",
                          std::vector<Arg>{}, ArgOptions{.skip_type_check = true});
    }
    return Method{
        std::move(name),
        std::string{HIDDEN_CATEGORY},
        "Returns its arguments unchanged; a test helper for the RPC layer.\n"
        "\n"
        "Passing arg9=\"trigger_internal_bug\" makes it report an internal error instead.\n"
        "echo and echojson differ only in the client: minibit-cli parses the arguments of "
        "echojson as JSON.",
        std::move(args),
        {ResultDoc{ResultType::ANY, "", "The parameters as received"}},
        "",
        [](const Request& request) -> Result {
            const Json& last = request.Param(9);
            if (last.is_string() && last.get<std::string>() == "trigger_internal_bug") {
                return RpcError{RPC_MISC_ERROR,
                                "Internal bug detected: echo asked to trigger an internal bug"};
            }
            return request.params;
        },
    };
}

} // namespace

MethodTable::MethodTable(TableOptions options) : m_options{options} {}

bool MethodTable::Register(Method method)
{
    if (!method.IsWellFormed()) return false;
    if (m_methods.count(method.Name())) return false;
    std::string name = method.Name();
    m_methods.emplace(std::move(name), std::move(method));
    return true;
}

void MethodTable::RegisterBuiltins()
{
    Register(MakeHelp(*this));
    Register(MakeEcho("echo"));
    Register(MakeEcho("echojson"));
}

const Method* MethodTable::Find(std::string_view name) const
{
    const auto it = m_methods.find(name);
    return it == m_methods.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodTable::MethodNames() const
{
    std::vector<std::string> names;
    names.reserve(m_methods.size());
    for (const auto& [name, method] : m_methods)
        names.push_back(name);
    return names;
}

void MethodTable::SetWarmupStatus(std::string status)
{
    std::lock_guard lock{m_warmup_mutex};
    m_warmup_status = std::move(status);
}

void MethodTable::FinishWarmup()
{
    std::lock_guard lock{m_warmup_mutex};
    m_in_warmup = false;
}

bool MethodTable::InWarmup(std::string* status) const
{
    std::lock_guard lock{m_warmup_mutex};
    if (status) *status = m_warmup_status;
    return m_in_warmup;
}

Result MethodTable::Execute(const JsonRequest& request, const Context& context) const
{
    // During warm-up nothing runs, not even help or an unknown method; clients such as
    // `minibit-cli -rpcwait` poll on exactly this code.
    {
        std::lock_guard lock{m_warmup_mutex};
        if (m_in_warmup) return RpcError{RPC_IN_WARMUP, m_warmup_status};
    }
    const Method* method = Find(request.method);
    if (!method) return RpcError{RPC_METHOD_NOT_FOUND, "Method not found"};

    Json positional;
    if (request.params.is_object()) {
        Result mapped = method->NamedToPositional(request.params);
        if (!mapped) return mapped;
        positional = std::move(mapped).value();
    } else if (request.params.is_array()) {
        positional = request.params;
    } else {
        positional = Json::array();
    }
    if (auto error = method->CheckParams(positional)) {
        // The help in a wrong-count error should show the node's own port.
        if (error->code == RPC_MISC_ERROR)
            error->message = method->HelpText(m_options.example_port);
        return *error;
    }
    std::list<ActiveCommand>::iterator active;
    {
        std::lock_guard lock{m_active_mutex};
        active = m_active.insert(m_active.end(),
                                 ActiveCommand{method->Name(), std::chrono::steady_clock::now()});
    }
    Result result = method->Invoke(positional, context);
    {
        std::lock_guard lock{m_active_mutex};
        m_active.erase(active);
    }
    return result;
}

std::vector<ActiveCommand> MethodTable::ActiveCommands() const
{
    std::lock_guard lock{m_active_mutex};
    return {m_active.begin(), m_active.end()};
}

std::string MethodTable::Help(std::string_view command) const
{
    // Core sorts by category and name glued together; keep that so listings match.
    std::vector<std::pair<std::string, const Method*>> sorted;
    for (const auto& [name, method] : m_methods)
        sorted.emplace_back(method.Category() + name, &method);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });

    std::string out;
    std::string category;
    for (const auto& [key, method] : sorted) {
        const bool listing{command.empty()};
        if ((!listing || method->Category() == HIDDEN_CATEGORY) && method->Name() != command) {
            continue;
        }
        std::string text = method->HelpText(m_options.example_port);
        if (listing) {
            text = text.substr(0, text.find('\n'));
            if (category != method->Category()) {
                if (!category.empty()) out += "\n";
                category = method->Category();
                out += "== " + Capitalize(category) + " ==\n";
            }
        }
        out += text + "\n";
    }
    if (out.empty()) out = "help: unknown command: " + std::string{command} + "\n";
    out.pop_back();
    return out;
}

HttpReply MethodTable::Dispatch(std::string_view body, const Context& context) const
{
    const JsonRequest no_request;
    try {
        if (body.size() > m_options.max_body_size) {
            return ErrorReply(RpcError{RPC_PARSE_ERROR, "Parse error"}, no_request);
        }
        Result parsed = ParseJsonBody(body);
        if (!parsed) return ErrorReply(parsed.error(), no_request);
        const Json& value = parsed.value();

        if (value.is_object()) {
            JsonRequest request;
            if (auto error = ParseRequest(value, request)) return ErrorReply(*error, request);
            if (context.allowed && !context.allowed(request.method)) {
                return HttpReply{HTTP_FORBIDDEN, ""};
            }
            const Result outcome = Execute(request, context);
            if (request.version == JsonRpcVersion::V2) {
                // 2.0 reports method errors inside a 200 reply; notifications run silently.
                if (request.IsNotification()) return HttpReply{HTTP_NO_CONTENT, ""};
                return JsonReply(HTTP_OK, MakeReply(outcome, request.id, request.version));
            }
            if (!outcome) return ErrorReply(outcome.error(), request);
            return JsonReply(HTTP_OK, MakeReply(outcome, request.id, request.version));
        }

        if (value.is_array()) {
            if (context.allowed) {
                // A whitelisted user's batch is refused whole if any member is not allowed.
                for (const Json& member : value) {
                    if (!member.is_object()) {
                        return ErrorReply({RPC_INVALID_REQUEST, "Invalid Request object"},
                                          no_request);
                    }
                    const auto method = member.find("method");
                    if (method == member.end() || !method->is_string()) {
                        const Json& found = method == member.end() ? Json{} : *method;
                        return ErrorReply({RPC_PARSE_ERROR, "JSON value of type " +
                                                                std::string{JsonTypeName(found)} +
                                                                " is not of expected type string"},
                                          no_request);
                    }
                    if (!context.allowed(method->get_ref<const std::string&>())) {
                        return HttpReply{HTTP_FORBIDDEN, ""};
                    }
                }
            }
            Json replies = Json::array();
            for (const Json& member : value) {
                // Members never fail the batch; each gets its own reply unless it is a
                // 2.0 notification.
                JsonRequest request;
                Result outcome = RpcError{};
                if (auto error = ParseRequest(member, request)) {
                    outcome = *error;
                } else {
                    outcome = Execute(request, context);
                }
                if (!request.IsNotification()) {
                    replies.push_back(MakeReply(outcome, request.id, request.version));
                }
            }
            // An all-notification batch gets no body, but an empty batch still answers []
            // because it carried no version to say the caller speaks 2.0.
            if (replies.empty() && !value.empty()) return HttpReply{HTTP_NO_CONTENT, ""};
            return JsonReply(HTTP_OK, replies);
        }

        return ErrorReply({RPC_PARSE_ERROR, "Top-level object parse error"}, no_request);
    } catch (const std::exception& e) {
        // Only allocation failure or a broken invariant gets here; still answer something.
        return ErrorReply({RPC_INTERNAL_ERROR, e.what()}, no_request);
    }
}

} // namespace rpc
