// Turning command-line words into JSON-RPC params as bitcoin-cli does: Core's table of
// which arguments are JSON, positional and -named conversion (with the "args" key).
#pragma once

#include <rpc/jsonrpc.h>
#include <util/expected.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rpc {

/// One argument that the client parses as JSON instead of passing as a string.
struct ConvertParam
{
    std::string_view method; //!< RPC method name
    int index;               //!< 0-based position of the argument
    std::string_view name;   //!< argument name (for -named), or an option key inside it
};

/// Bitcoin Core v28's conversion table (src/rpc/client.cpp), entry for entry.
std::span<const ConvertParam> ConvertParams();

/// True if positional argument `index` of `method` is parsed as JSON.
bool IsJsonArg(std::string_view method, int index);
/// True if the named argument `name` of `method` is parsed as JSON.
bool IsJsonArg(std::string_view method, std::string_view name);

/// Parses one command-line value as any JSON value (object, array, number, bool, null or a
/// quoted string); the error is Core's "Error parsing JSON: <raw>".
util::Expected<Json> ParseArgJson(std::string_view raw);

/// Positional params: an array, each word a string unless the table marks it JSON.
util::Expected<Json> ConvertPositional(std::string_view method,
                                       const std::vector<std::string>& words);

/// -named params: "name=value" words become object keys (a later one replaces an earlier
/// one in place); words without '=' are collected, in order, into an "args" array appended
/// last, each converted by its position. An explicit "args=" key wins over the collected one.
util::Expected<Json> ConvertNamed(std::string_view method, const std::vector<std::string>& words);

} // namespace rpc
