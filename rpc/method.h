// One declarative description per RPC method: it checks parameters, maps named parameters to
// positions and renders `help` text in Bitcoin Core's layout.
#pragma once

#include <rpc/jsonrpc.h>
#include <rpc/protocol.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace rpc {

/// Who is calling and through which endpoint; filled in by the transport.
struct Context
{
    /// The authenticated user name ("__cookie__" for cookie auth).
    std::string user;
    /// The HTTP path, e.g. "/" or "/wallet/<name>", for methods that route by it.
    std::string uri;
    /// When set, a method it refuses answers HTTP 403 (rpcwhitelist). Called on the caller's
    /// thread with the method name.
    std::function<bool(std::string_view method)> allowed;
};

/// Type of an argument: picks the JSON type checked and the "(string, required)" wording.
enum class ArgType
{
    STR,              //!< JSON string
    STR_HEX,          //!< JSON string holding hex
    NUM,              //!< JSON number
    AMOUNT,           //!< number or string, checked by the method
    RANGE,            //!< number or [n,n], checked by the method
    BOOL,             //!< JSON true/false
    OBJ,              //!< object with the keys listed in `inner`
    OBJ_NAMED_PARAMS, //!< options object whose `inner` keys may also be given as named parameters
    OBJ_USER_KEYS,    //!< object whose keys the caller chooses
    ARR,              //!< array of `inner`
};

/// A required argument, or an optional one without a default.
enum class ArgOptional
{
    NO,      //!< must be given
    OMITTED, //!< may be left out; the method handles its absence
};

/// An optional argument whose default is described in words (e.g. "all commands").
struct DefaultHint
{
    std::string text;
};

/// What happens when an argument is not given: required, omitted, a hint, or a JSON default.
using ArgFallback = std::variant<ArgOptional, DefaultHint, Json>;

/// Presentation details of an argument.
struct ArgOptions
{
    /// Accept any JSON type (echo does this).
    bool skip_type_check{false};
    /// Replaces the generated form in the one-line summary.
    std::string oneline_description{};
    /// Replaces the type words: {shown in object listings, shown in parentheses}.
    std::vector<std::string> type_str{};
    /// Leaves this and every later argument out of help.
    bool hidden{false};
};

/// One argument: names ("name" or "name|alias"), type, fallback, description, nested fields.
struct Arg
{
    Arg(std::string names, ArgType type, ArgFallback fallback, std::string description,
        std::vector<Arg> inner = {}, ArgOptions options = {});

    std::string names;
    ArgType type;
    ArgFallback fallback;
    std::string description;
    std::vector<Arg> inner;
    ArgOptions options;

    /// The first of the '|'-separated names.
    std::string FirstName() const;
    /// Every '|'-separated name.
    std::vector<std::string> AllNames() const;
    /// True unless the fallback is ArgOptional::NO.
    bool IsOptional() const;
    /// Null when `value` is acceptable, else Core's "JSON value of type x is not of expected
    /// type y" message.
    std::optional<std::string> TypeMismatch(const Json& value) const;
};

/// Shape of one result value in help.
enum class ResultType
{
    OBJ,        //!< object with fixed keys
    ARR,        //!< array of the inner element, continued with "..."
    STR,        //!< string
    NUM,        //!< number
    BOOL,       //!< true|false
    NONE,       //!< JSON null
    ANY,        //!< anything; left out of help (test helpers only)
    STR_AMOUNT, //!< an amount shown as a number
    STR_HEX,    //!< hex string
    OBJ_DYN,    //!< object with caller-chosen keys
    ARR_FIXED,  //!< array whose elements are all listed
    NUM_TIME,   //!< UNIX time, shown as xxx
    ELISION,    //!< "..." standing for something described elsewhere
};

/// Description of a result (or of one field of it) for the Result section of help.
struct ResultDoc
{
    /// A result with no condition.
    ResultDoc(ResultType type, std::string key_name, std::string description,
              std::vector<ResultDoc> inner = {});
    /// A result field that may be absent.
    ResultDoc(ResultType type, std::string key_name, bool optional, std::string description,
              std::vector<ResultDoc> inner = {});
    /// One of several results, chosen by `cond` ("if verbose is set to true", ...).
    ResultDoc(std::string cond, ResultType type, std::string key_name, std::string description,
              std::vector<ResultDoc> inner = {});

    std::string cond;
    ResultType type;
    std::string key_name;
    bool optional{false};
    std::string description;
    std::vector<ResultDoc> inner;
};

class Method;

/// One call as the handler sees it: positional parameters (named ones already mapped).
struct Request
{
    const Method& method;
    Json params;
    const Context& context;

    /// The parameter at `position`, or null when not given.
    const Json& Param(size_t position) const;
    /// The argument called `name` (any alias): the given value, else its JSON default, else
    /// null. Asking for a name the description lacks is a bug.
    const Json& Arg(std::string_view name) const;
    /// True when the argument called `name` was given and is not null.
    bool HasArg(std::string_view name) const;
};

/// What a handler does: read the request, return a result or an RpcError. Exceptions it
/// throws are turned into errors by the dispatcher (-3 for JSON type errors, else -1).
using Handler = std::function<Result(const Request&)>;

/// Text in examples standing for the RPC port; help output replaces it with the real port.
inline constexpr std::string_view EXAMPLE_PORT_TOKEN{"@RPCPORT@"};
/// Port shown in examples when the caller gives none (mainnet, as in Core's help).
constexpr uint16_t DEFAULT_EXAMPLE_PORT{8332};

/// "> minibit-cli <method> <args>\n"
std::string HelpExampleCli(std::string_view method, std::string_view args);
/// The same with -named and name=value pairs; values that are JSON strings print raw.
std::string HelpExampleCliNamed(std::string_view method,
                                const std::vector<std::pair<std::string, Json>>& args);
/// A curl line posting a JSON-RPC 2.0 request with positional params `args`.
std::string HelpExampleRpc(std::string_view method, std::string_view args);
/// The same with named params.
std::string HelpExampleRpcNamed(std::string_view method,
                                const std::vector<std::pair<std::string, Json>>& args);

/// A method: its description drives checking, named parameters and help.
class Method
{
public:
    Method(std::string name, std::string category, std::string description,
           std::vector<rpc::Arg> args, std::vector<ResultDoc> results, std::string examples,
           Handler handler);

    const std::string& Name() const { return m_name; }
    const std::string& Category() const { return m_category; }
    const std::vector<rpc::Arg>& Args() const { return m_args; }
    /// The documented result shapes, in help order (one entry per condition).
    const std::vector<ResultDoc>& Results() const { return m_results; }

    /// Full help: summary line, description, Arguments, Result and Examples sections.
    std::string HelpText(uint16_t example_port = DEFAULT_EXAMPLE_PORT) const;
    /// The summary line, e.g. `getblock "blockhash" ( verbosity )`.
    std::string SummaryLine() const;

    /// Turns a named-parameter object into positional parameters as Core does (aliases,
    /// JSON null in gaps, the "args" key for leading positional ones, keys of an
    /// OBJ_NAMED_PARAMS argument gathered into that object); -8 on unknown names, on a name
    /// given both ways and on an options object given together with some of its keys.
    Result NamedToPositional(const Json& named) const;
    /// Checks positional parameters: a wrong count answers -1 with the help text, wrong types
    /// answer -3 "Wrong type passed: ...". nullopt when the call may proceed.
    std::optional<RpcError> CheckParams(const Json& positional) const;
    /// Position of the argument called `name` (any alias), or nullopt.
    std::optional<size_t> ArgPosition(std::string_view name) const;
    /// Runs the handler; exceptions become errors.
    Result Invoke(const Json& positional, const Context& context) const;
    /// True when the description is consistent (distinct names, required args documented).
    bool IsWellFormed() const;

private:
    std::string m_name;
    std::string m_category;
    std::string m_description;
    std::vector<rpc::Arg> m_args;
    std::vector<ResultDoc> m_results;
    std::string m_examples;
    Handler m_handler;
};

} // namespace rpc
