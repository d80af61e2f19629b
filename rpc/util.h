// Helpers every RPC method file shares: errors thrown from deep inside a handler,
// amounts printed exactly as Bitcoin Core prints them, and Core's checks (and
// messages) for hash and hex parameters.
#pragma once

#include <consensus/amount.h>
#include <consensus/uint256.h>
#include <rpc/jsonrpc.h>
#include <rpc/protocol.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rpc {

/// An RPC error raised by a helper; Method::Invoke answers it with exactly this code and
/// message.
class RpcException : public std::runtime_error
{
public:
    explicit RpcException(RpcError error)
        : std::runtime_error{error.message}, m_error{std::move(error)}
    {}
    const RpcError& Error() const { return m_error; }

private:
    RpcError m_error;
};

/// Throws RpcException{code, message}.
[[noreturn]] void ThrowRpc(int code, std::string message);

/// A JSON number that prints as Core's amounts do ("50.00000000", "-0.00010000"). It is kept
/// as a tagged binary value inside the process, so WriteJson alone turns it into text; no
/// JSON a client sends can produce one.
Json AmountToJson(consensus::Amount amount);

/// The amount an AmountToJson value holds, nullopt for any other value.
std::optional<consensus::Amount> JsonToAmount(const Json& value);

/// Core's AmountFromValue: a JSON number or numeric string with at most `decimals` decimals,
/// in satoshis. Throws -3 "Amount is not a number or string", "Invalid amount", "Amount out of
/// range" (negative or above MAX_MONEY).
consensus::Amount AmountFromValue(const Json& value, int decimals = 8);

/// Core's ParseHashV: a 64-digit hex string (the usual reversed display order). Throws -8
/// "<name> must be of length 64 (not N, for '<v>')" or "<name> must be hexadecimal string
/// (not '<v>')"; -3 if not a string.
consensus::Uint256 ParseHashParam(const Json& value, std::string_view name);

/// Core's ParseHexV: an even-length hex string. Throws -8 "<name> must be hexadecimal string
/// (not '<v>') and length of it must be divisible by 2"; -3 if not a string.
std::vector<uint8_t> ParseHexParam(const Json& value, std::string_view name);

/// Core's ParseVerbosity for getblock-style arguments: a bool (false=0, true=`true_value`) or
/// an integer; `default_value` when null.
int ParseVerbosity(const Json& value, int default_value, int true_value);

/// A JSON number as an integer, as UniValue's getInt reads it (a float with no fraction
/// passes); -3 "JSON integer out of range" otherwise.
int64_t IntFromJson(const Json& value);

/// Core's ParseDescriptorRange: "end" or "[begin,end]", both within [0, 2^31), less than
/// 1,000,000 wide; -8 with Core's messages otherwise.
std::pair<int64_t, int64_t> ParseDescriptorRange(const Json& value);

} // namespace rpc
