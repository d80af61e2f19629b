#include <wallet/types.h>

namespace wallet {

std::string_view OutputTypeName(OutputType type)
{
    switch (type) {
    case OutputType::LEGACY:
        return "legacy";
    case OutputType::P2SH_SEGWIT:
        return "p2sh-segwit";
    case OutputType::BECH32:
        return "bech32";
    case OutputType::BECH32M:
        return "bech32m";
    }
    return "unknown";
}

std::optional<OutputType> ParseOutputType(std::string_view name)
{
    for (const OutputType type : ALL_OUTPUT_TYPES) {
        if (OutputTypeName(type) == name) return type;
    }
    return std::nullopt;
}

} // namespace wallet
