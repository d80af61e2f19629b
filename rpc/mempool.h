// Mempool JSON shared by the RPC methods (rpc/mempool.cpp) and REST's
// /rest/mempool/ endpoints.
#pragma once

#include <interfaces/mempool.h>
#include <rpc/jsonrpc.h>

#include <cstdint>
#include <vector>

namespace rpc {

/// getmempoolinfo's object.
Json MempoolInfoToJson(const interfaces::MempoolInfo& info);

/// getrawmempool's answer: txids, or entries by txid when `verbose`; with `sequence`
/// (not verbose) the {"txids", "mempool_sequence"} object.
Json MempoolToJson(const std::vector<interfaces::MempoolEntryInfo>& entries, bool verbose,
                   const uint64_t* sequence = nullptr);

} // namespace rpc
