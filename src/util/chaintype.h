// The five networks by name, and where each keeps its data inside -datadir.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace util {

enum class ChainType
{
    MAIN,
    TESTNET,
    TESTNET4,
    SIGNET,
    REGTEST
};

/// Parses a -chain value: "main", "test", "testnet4", "signet", "regtest".
std::optional<ChainType> ParseChainType(std::string_view name);
/// The -chain name of a network ("main", "test", ...).
std::string ChainTypeToString(ChainType chain);
/// Subfolder of -datadir holding this network's data ("" for main, "testnet3",
/// "testnet4", "signet", "regtest"), as Bitcoin Core lays it out.
std::string ChainDataSubdir(ChainType chain);

} // namespace util
