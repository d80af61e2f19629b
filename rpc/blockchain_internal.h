// Pieces the blockchain method files (rpc/blockchain*.cpp) share; not for other categories.
#pragma once

#include <consensus/uint256.h>
#include <interfaces/chain.h>
#include <rpc/jsonrpc.h>
#include <rpc/method.h>

#include <cstdint>
#include <memory>

namespace rpc {

class MethodTable;
struct Services;

/// getblockstats, getchaintxstats, gettxout, gettxoutsetinfo (rpc/blockchain_stats.cpp).
void RegisterBlockchainStatsMethods(MethodTable& table, const Services& services);
/// getdeploymentinfo, verifychain, invalidate/reconsider/preciousblock and the waitfor* methods
/// (rpc/blockchain_control.cpp).
void RegisterBlockchainControlMethods(MethodTable& table, const Services& services);

/// UniValue's getInt<int>: a JSON integer in int range, else -1 "JSON integer out of range"
/// (-3 when not a number at all).
int IntParam(const Json& value);
/// The same for uint32_t (gettxout's "n").
uint32_t Uint32Param(const Json& value);

/// The index entry of `hash`, else -5 "Block not found".
interfaces::BlockInfo BlockInfoOrThrow(const interfaces::Chain& chain,
                                       const consensus::Uint256& hash);

/// The block's data, with Core's -1 errors when it is missing.
std::shared_ptr<const consensus::Block> ReadBlockOrThrow(const interfaces::Chain& chain,
                                                         const interfaces::BlockInfo& info);

} // namespace rpc
