#include <util/chaintype.h>

#include <array>

namespace util {

namespace {

struct ChainInfo
{
    ChainType type;
    std::string_view name;   // the -chain value
    std::string_view subdir; // folder inside -datadir
};

// One row per network: names and folders as Bitcoin Core uses them.
constexpr std::array<ChainInfo, 5> CHAINS{{
    {ChainType::MAIN, "main", ""},
    {ChainType::TESTNET, "test", "testnet3"},
    {ChainType::TESTNET4, "testnet4", "testnet4"},
    {ChainType::SIGNET, "signet", "signet"},
    {ChainType::REGTEST, "regtest", "regtest"},
}};

const ChainInfo& Info(ChainType chain)
{
    for (const auto& info : CHAINS) {
        if (info.type == chain) return info;
    }
    return CHAINS[0];
}

} // namespace

std::optional<ChainType> ParseChainType(std::string_view name)
{
    for (const auto& info : CHAINS) {
        if (info.name == name) return info.type;
    }
    return std::nullopt;
}

std::string ChainTypeToString(ChainType chain)
{
    return std::string{Info(chain).name};
}

std::string ChainDataSubdir(ChainType chain)
{
    return std::string{Info(chain).subdir};
}

} // namespace util
