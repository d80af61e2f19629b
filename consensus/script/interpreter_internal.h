// Small helpers shared by the interpreter's translation units; not a public API.
#pragma once

#include <consensus/script/script.h>
#include <consensus/script/script_error.h>
#include <vector>

#include <cstddef>
#include <cstdint>
#include <span>

namespace consensus::detail {

/// A stack element and the stack the interpreter executes on.
using ValType = std::vector<uint8_t>;
using Stack = std::vector<ValType>;

inline bool SetError(ScriptError* out, ScriptError error)
{
    if (out) *out = error;
    return false;
}

inline bool SetSuccess(ScriptError* out)
{
    if (out) *out = ScriptError::OK;
    return true;
}

/// Reads one opcode and its push data from [pc, end); false if truncated.
inline bool ReadOp(const uint8_t*& pc, const uint8_t* end, uint8_t& op, const uint8_t*& data,
                   size_t& size)
{
    size = 0;
    data = nullptr;
    if (pc >= end) return false;
    op = *pc++;
    if (op <= OP_PUSHDATA4) {
        if (op < OP_PUSHDATA1) {
            size = op;
        } else {
            const size_t len_bytes = op == OP_PUSHDATA1 ? 1 : (op == OP_PUSHDATA2 ? 2 : 4);
            if (static_cast<size_t>(end - pc) < len_bytes) return false;
            for (size_t i = 0; i < len_bytes; ++i)
                size |= static_cast<size_t>(pc[i]) << (8 * i);
            pc += len_bytes;
        }
        if (static_cast<size_t>(end - pc) < size) return false;
        data = pc;
        pc += size;
    }
    return true;
}

/// The canonical single push of data (what Script::operator<< emits).
inline Script PushOnlyScript(std::span<const uint8_t> data)
{
    Script s;
    s << data;
    return s;
}

} // namespace consensus::detail
