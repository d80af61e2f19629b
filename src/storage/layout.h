// The on-disk key layout of every LevelDB database the node keeps, in one
// place. Prefixes and encodings are Bitcoin Core's (txdb.cpp, blockstorage.cpp,
// index/txindex.cpp, dbwrapper.cpp) so users' tools and habits carry over.
//
// blocks/index/ (block tree DB)
//   'b' + block hash (32 raw bytes)          -> block index entry (header, height,
//                                               status, file/data/undo positions)
//   'f' + file number (int32 LE)             -> per-file info (block count, sizes,
//                                               height and time ranges)
//   'l'                                      -> int32 LE: number of the last blk file
//   'R'                                      -> uint8 '1' while a reindex is running;
//                                               erased when it finishes
//   'F' + name (CompactSize length + bytes)  -> uint8 '1' or '0' (named flags such as
//                                               "prunedblockfiles", "txindex")
//   't' + txid (32 raw bytes)                -> disk position of a transaction (the tx
//                                               index; Core keeps it in indexes/txindex/)
//
// chainstate/ (UTXO set)
//   'C' + txid (32 raw bytes) + VARINT(vout) -> coin (VARINT(height*2+coinbase) + compressed txout)
//   'B'                                      -> block hash the coins are consistent with
//   'H'                                      -> vector of block hashes {new tip, old tip}
//                                               written before a flush and erased after
//                                               it: a crash in between is replayed
//
// indexes/txindex/ (-txindex, kernel/txindex.h; not obfuscated, as in Core)
//   't' + txid (32 raw bytes)                -> hash (32 raw bytes) of the active-chain
//                                               block holding the transaction (Core
//                                               stores a disk position instead)
//   'B'                                      -> Core's locator of the last block
//                                               indexed: int32 version + CompactSize
//                                               count + hashes; written in the same
//                                               batch as the entries it covers
//
// Every obfuscated database
//   0x0e 0x00 "obfuscate_key"                -> CompactSize(8) + 8-byte XOR key, stored
//                                               in clear; all other values are XORed
//
// VARINT is Core's MSB-first base-128 encoding in which each continuation
// subtracts one, so every number has exactly one encoding.
#pragma once

#include <consensus/transaction.h>
#include <consensus/uint256.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace storage::layout {

using Key = std::vector<uint8_t>;

// ---- block tree DB (blocks/index/) -------------------------------------------

/// Block index entry, keyed by block hash.
inline constexpr uint8_t DB_BLOCK_INDEX = 'b';
/// Block file info, keyed by file number.
inline constexpr uint8_t DB_BLOCK_FILES = 'f';
/// Number of the last blk file in use (single record).
inline constexpr uint8_t DB_LAST_BLOCK = 'l';
/// Present while a reindex is in progress (single record).
inline constexpr uint8_t DB_REINDEX_FLAG = 'R';
/// Named boolean flags.
inline constexpr uint8_t DB_FLAG = 'F';
/// Transaction index entry, keyed by txid.
inline constexpr uint8_t DB_TXINDEX = 't';

// ---- chainstate DB (chainstate/) ---------------------------------------------

/// One unspent output, keyed by outpoint.
inline constexpr uint8_t DB_COIN = 'C';
/// Hash of the block the UTXO set corresponds to.
inline constexpr uint8_t DB_BEST_BLOCK = 'B';
/// The "moving from tip A to tip B" record of an unfinished flush.
inline constexpr uint8_t DB_HEAD_BLOCKS = 'H';
/// Pre-0.15 per-transaction coins; only recognised to refuse an old database.
inline constexpr uint8_t DB_LEGACY_COINS = 'c';

// ---- every obfuscated DB -------------------------------------------------------

/// Raw key of the obfuscation key: a serialized std::string "\0obfuscate_key".
inline constexpr std::string_view OBFUSCATE_KEY_KEY{"\x0e\x00obfuscate_key", 15};
/// Length of the XOR key in bytes.
inline constexpr size_t OBFUSCATE_KEY_SIZE = 8;
/// Values of 'R' and 'F' records.
inline constexpr uint8_t FLAG_TRUE = '1';
inline constexpr uint8_t FLAG_FALSE = '0';

// ---- key builders ---------------------------------------------------------------

/// 'b' + hash.
Key BlockIndexKey(const consensus::Uint256& block_hash);
/// 'f' + int32 LE file number.
Key BlockFileInfoKey(int file);
/// 'l'.
Key LastBlockFileKey();
/// 'R'.
Key ReindexFlagKey();
/// 'F' + CompactSize length + name.
Key FlagKey(std::string_view name);
/// 't' + txid.
Key TxIndexKey(const consensus::Uint256& txid);
/// 'C' + txid + VARINT(n).
Key CoinKey(const consensus::OutPoint& outpoint);
/// The outpoint a 'C' key names; nullopt if the key is not a well-formed coin key.
std::optional<consensus::OutPoint> ParseCoinKey(std::span<const uint8_t> key);
/// 'B'.
Key BestBlockKey();
/// 'H'.
Key HeadBlocksKey();
/// The single-byte prefix every key of one kind starts with (for iteration).
Key Prefix(uint8_t prefix);

// ---- Core's VARINT ----------------------------------------------------------------

/// Appends the VARINT encoding of n.
void AppendVarInt(std::vector<uint8_t>& out, uint64_t n);
/// Reads a VARINT at `pos`, advancing it; nullopt if truncated or overflowing 64 bits.
std::optional<uint64_t> ReadVarInt(std::span<const uint8_t> in, size_t& pos);

} // namespace storage::layout
