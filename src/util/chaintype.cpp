#include <util/chaintype.h>

namespace util {

std::optional<ChainType> ParseChainType(std::string_view name)
{
    if (name == "main") return ChainType::MAIN;
    if (name == "test") return ChainType::TESTNET;
    if (name == "testnet4") return ChainType::TESTNET4;
    if (name == "signet") return ChainType::SIGNET;
    if (name == "regtest") return ChainType::REGTEST;
    return std::nullopt;
}

std::string ChainTypeToString(ChainType chain)
{
    switch (chain) {
    case ChainType::MAIN:
        return "main";
    case ChainType::TESTNET:
        return "test";
    case ChainType::TESTNET4:
        return "testnet4";
    case ChainType::SIGNET:
        return "signet";
    case ChainType::REGTEST:
        return "regtest";
    }
    return "main";
}

std::string ChainDataSubdir(ChainType chain)
{
    switch (chain) {
    case ChainType::MAIN:
        return "";
    case ChainType::TESTNET:
        return "testnet3";
    case ChainType::TESTNET4:
        return "testnet4";
    case ChainType::SIGNET:
        return "signet";
    case ChainType::REGTEST:
        return "regtest";
    }
    return "";
}

} // namespace util
