// Block and chain JSON shared by the blockchain RPC methods and REST
// (rpc/blockchain.cpp).
#pragma once

#include <consensus/block.h>
#include <interfaces/chain.h>
#include <rpc/jsonrpc.h>

#include <cstdint>

namespace common {
class ChainParams;
}

namespace rpc {

/// Difficulty of `bits` relative to difficulty 1 (Core's GetDifficulty).
double GetDifficulty(uint32_t bits);

/// Core's blockheaderToJSON: hash, confirmations, height, version, versionHex, merkleroot,
/// time, mediantime, nonce, bits, difficulty, chainwork, nTx, previousblockhash,
/// nextblockhash, for `info` given the active tip's height.
Json BlockHeaderToJson(const interfaces::BlockInfo& info, int tip_height);

/// Core's blockToJSON at verbosity 1 (txids), 2 (decoded transactions, fee when `undo` is
/// given) or 3 (plus prevouts): the header fields, strippedsize, size, weight and tx.
Json BlockToJson(const consensus::Block& block, const interfaces::BlockInfo& info, int tip_height,
                 int verbosity, const interfaces::BlockUndo* undo,
                 const common::ChainParams& params);

/// getblockchaininfo's object (also REST /rest/chaininfo.json).
Json ChainInfoToJson(const interfaces::Chain& chain);

} // namespace rpc
