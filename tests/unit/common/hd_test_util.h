// Helpers of the BIP32 / BIP86 vector tests: mainnet parameters for the xprv / xpub
// encodings, and derivation along a textual key path that reports failures to gtest.
#pragma once

#include <common/bip32.h>
#include <common/chainparams.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

namespace common_test {

/// Mainnet parameters, built once.
inline const common::ChainParams& Main()
{
    static const auto params = common::CreateChainParams(util::ChainType::MAIN);
    return *params;
}

/// `from` derived along `path` ("m/44'/0'/0'/0/0"); a bad path or failed step fails the test
/// and returns the key reached so far.
inline common::ExtKey DeriveOrFail(const common::ExtKey& from, std::string_view path)
{
    const auto steps = common::ParseHDKeypath(path);
    EXPECT_TRUE(steps) << path;
    common::ExtKey key = from;
    if (!steps) return key;
    for (const uint32_t step : *steps) {
        auto next = key.Derive(step);
        EXPECT_TRUE(next) << path;
        if (!next) return key;
        key = *next;
    }
    return key;
}

} // namespace common_test
