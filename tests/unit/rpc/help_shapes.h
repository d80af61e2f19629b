// Helpers of the tests that compare RPC method descriptions with Bitcoin Core's published
// help: the type word Core prints for a result, the field paths below a result, nested
// argument names, and joining them into one comparable string.
// Field paths: "a.b" is key b inside object a, "a[]" an element of array a, a trailing "?"
// marks a field Core documents as optional.
#pragma once

#include <rpc/method.h>

#include <functional>
#include <string>
#include <vector>

namespace rpc_test {

/// One result of a method as Core's help documents it.
struct ResultShape
{
    const char* cond;   //!< Core's condition text, "" when the method has one result
    const char* type;   //!< the type word Core prints for the whole result
    const char* fields; //!< space-separated field paths, in help order
};

/// The words Core's help prints in parentheses for a result of this type.
inline std::string TypeWord(rpc::ResultType type)
{
    using rpc::ResultType;
    switch (type) {
    case ResultType::OBJ:
    case ResultType::OBJ_DYN:
        return "json object";
    case ResultType::ARR:
    case ResultType::ARR_FIXED:
        return "json array";
    case ResultType::STR:
    case ResultType::STR_HEX:
        return "string";
    case ResultType::NUM:
    case ResultType::NUM_TIME:
    case ResultType::STR_AMOUNT:
        return "numeric";
    case ResultType::BOOL:
        return "boolean";
    case ResultType::NONE:
        return "json null";
    case ResultType::ANY:
    case ResultType::ELISION:
        return "";
    }
    return "?";
}

/// Whether a child of the result at `path` (an element when `in_array`) is left out of the
/// comparison, e.g. one of minibit's own extension fields.
using FieldFilter =
    std::function<bool(const std::string& path, bool in_array, const rpc::ResultDoc& child)>;

/// Appends the paths of the fields below `doc` (whose own path is `path`). Elements of arrays
/// carry no key in help, so their names are ignored as Core's help ignores them; an optional
/// element shows as "path[]?".
inline void CollectFields(const rpc::ResultDoc& doc, const std::string& path,
                          std::vector<std::string>& out, const FieldFilter& leave_out = nullptr)
{
    using rpc::ResultType;
    const bool is_array = doc.type == ResultType::ARR || doc.type == ResultType::ARR_FIXED;
    for (const rpc::ResultDoc& child : doc.inner) {
        if (child.type == ResultType::ELISION || child.type == ResultType::ANY) continue;
        if (leave_out && leave_out(path, is_array, child)) continue;
        if (is_array) {
            if (child.optional) out.push_back(path + "[]?");
            CollectFields(child, path + "[]", out, leave_out);
            continue;
        }
        const std::string child_path = path.empty() ? child.key_name : path + "." + child.key_name;
        out.push_back(child_path + (child.optional ? "?" : ""));
        CollectFields(child, child_path, out, leave_out);
    }
}

/// Appends the names of nested arguments in help order; anonymous objects only group them.
inline void CollectArgNames(const std::vector<rpc::Arg>& args, std::vector<std::string>& out)
{
    for (const auto& arg : args) {
        if (!arg.names.empty()) out.push_back(arg.names);
        CollectArgNames(arg.inner, out);
    }
}

/// The parts separated by single spaces.
inline std::string Join(const std::vector<std::string>& parts)
{
    std::string text;
    for (const auto& part : parts) {
        if (!text.empty()) text += ' ';
        text += part;
    }
    return text;
}

} // namespace rpc_test
