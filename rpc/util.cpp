#include <rpc/util.h>

#include <util/strings.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace rpc {

namespace {

// Subtype of the binary values that stand for amounts (see AmountToJson).
constexpr std::uint8_t AMOUNT_SUBTYPE{0xa0};

} // namespace

void ThrowRpc(int code, std::string message)
{
    throw RpcException{RpcError{code, std::move(message)}};
}

Json AmountToJson(consensus::Amount amount)
{
    std::vector<std::uint8_t> bytes(8);
    const auto raw = static_cast<uint64_t>(amount);
    for (int i = 0; i < 8; ++i)
        bytes[i] = static_cast<std::uint8_t>(raw >> (8 * i));
    return Json::binary(std::move(bytes), AMOUNT_SUBTYPE);
}

std::optional<consensus::Amount> JsonToAmount(const Json& value)
{
    if (!value.is_binary()) return std::nullopt;
    const auto& bin = value.get_binary();
    if (!bin.has_subtype() || bin.subtype() != AMOUNT_SUBTYPE || bin.size() != 8) {
        return std::nullopt;
    }
    uint64_t raw = 0;
    for (int i = 0; i < 8; ++i)
        raw |= static_cast<uint64_t>(bin[i]) << (8 * i);
    return static_cast<consensus::Amount>(raw);
}

consensus::Amount AmountFromValue(const Json& value, int decimals)
{
    std::string text;
    if (value.is_string()) {
        text = value.get<std::string>();
    } else if (value.is_number_integer() || value.is_number_unsigned()) {
        text = value.dump();
    } else if (value.is_number_float()) {
        // Clients send decimal text; the double parsed from it prints back as the shortest
        // text that reads as the same double, which is that decimal text for any amount.
        text = value.dump();
    } else if (auto amount = JsonToAmount(value)) {
        return *amount;
    } else {
        ThrowRpc(RPC_TYPE_ERROR, "Amount is not a number or string");
    }
    const auto parsed = util::ParseFixedPoint(text, decimals);
    if (!parsed) ThrowRpc(RPC_TYPE_ERROR, "Invalid amount");
    if (!consensus::MoneyRange(*parsed)) ThrowRpc(RPC_TYPE_ERROR, "Amount out of range");
    return *parsed;
}

consensus::Uint256 ParseHashParam(const Json& value, std::string_view name)
{
    if (!value.is_string()) {
        ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " + std::string{JsonTypeName(value)} +
                                     " is not of expected type string");
    }
    const std::string text = value.get<std::string>();
    if (text.size() != 64) {
        ThrowRpc(RPC_INVALID_PARAMETER, std::string{name} + " must be of length 64 (not " +
                                            std::to_string(text.size()) + ", for '" + text + "')");
    }
    const auto hash = consensus::Uint256::FromHex(text);
    if (!hash) {
        ThrowRpc(RPC_INVALID_PARAMETER,
                 std::string{name} + " must be hexadecimal string (not '" + text + "')");
    }
    return *hash;
}

std::vector<uint8_t> ParseHexParam(const Json& value, std::string_view name)
{
    if (!value.is_string()) {
        ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " + std::string{JsonTypeName(value)} +
                                     " is not of expected type string");
    }
    const std::string text = value.get<std::string>();
    auto bytes = util::TryParseHex(text);
    if (!bytes || text.size() % 2 != 0) {
        ThrowRpc(RPC_INVALID_PARAMETER, std::string{name} + " must be hexadecimal string (not '" +
                                            text + "') and length of it must be divisible by 2");
    }
    return std::move(*bytes);
}

int ParseVerbosity(const Json& value, int default_value, int true_value)
{
    if (value.is_null()) return default_value;
    if (value.is_boolean()) return value.get<bool>() ? true_value : 0;
    if (value.is_number_integer() || value.is_number_unsigned()) {
        const auto v = value.get<int64_t>();
        if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
            ThrowRpc(RPC_TYPE_ERROR, "JSON integer out of range");
        }
        return static_cast<int>(v);
    }
    ThrowRpc(RPC_TYPE_ERROR, "JSON value of type " + std::string{JsonTypeName(value)} +
                                 " is not of expected type number");
}

int64_t IntFromJson(const Json& value)
{
    if (value.is_number_integer()) return value.get<int64_t>();
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::trunc(d) == d && std::abs(d) < 9.2e18) return static_cast<int64_t>(d);
    }
    ThrowRpc(RPC_TYPE_ERROR, "JSON integer out of range");
}

std::pair<int64_t, int64_t> ParseDescriptorRange(const Json& value)
{
    int64_t low = 0;
    int64_t high = 0;
    if (value.is_number()) {
        high = IntFromJson(value);
    } else if (value.is_array() && value.size() == 2 && value[0].is_number() &&
               value[1].is_number()) {
        low = IntFromJson(value[0]);
        high = IntFromJson(value[1]);
        if (low > high) {
            ThrowRpc(RPC_INVALID_PARAMETER,
                     "Range specified as [begin,end] must not have begin after end");
        }
    } else {
        ThrowRpc(RPC_INVALID_PARAMETER, "Range must be specified as end or as [begin,end]");
    }
    if (low < 0) ThrowRpc(RPC_INVALID_PARAMETER, "Range should be greater or equal than 0");
    if ((high >> 31) != 0) ThrowRpc(RPC_INVALID_PARAMETER, "End of range is too high");
    if (high >= low + 1000000) ThrowRpc(RPC_INVALID_PARAMETER, "Range is too large");
    return {low, high};
}

} // namespace rpc
