// Payloads that carry blocks and transactions: block, tx, getaddr, and the
// BIP152 compact-block messages cmpctblock, getblocktxn and blocktxn.
// Decoders never throw, check counts against the bytes left before
// allocating, and reject truncation and trailing bytes, like messages.h.
#pragma once

#include <consensus/block.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>
#include <util/expected.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace net {

/// Command names of the messages declared here.
namespace msgtype {
inline constexpr std::string_view GETADDR{"getaddr"};
inline constexpr std::string_view BLOCK{"block"};
inline constexpr std::string_view TX{"tx"};
inline constexpr std::string_view CMPCTBLOCK{"cmpctblock"};
inline constexpr std::string_view GETBLOCKTXN{"getblocktxn"};
inline constexpr std::string_view BLOCKTXN{"blocktxn"};
} // namespace msgtype

/// Serialises a block payload with witness data.
std::vector<uint8_t> EncodeBlock(const consensus::Block& block);
/// Parses a block payload (witness encoding allowed); the getaddr payload is
/// empty and uses DecodeEmpty from messages.h.
util::Expected<consensus::Block> DecodeBlock(std::span<const uint8_t> payload);

/// Serialises a tx payload with witness data when the transaction has any.
std::vector<uint8_t> EncodeTx(const consensus::Transaction& tx);
/// Parses a tx payload (witness encoding allowed).
util::Expected<consensus::TransactionRef> DecodeTx(std::span<const uint8_t> payload);

/// Bytes of a BIP152 short transaction id on the wire.
inline constexpr size_t SHORT_TXID_SIZE = 6;
/// Highest value a short id can take (48 bits).
inline constexpr uint64_t MAX_SHORT_TXID = (uint64_t{1} << 48) - 1;
/// Most transactions a compact block may describe: BIP152 positions are 16-bit.
inline constexpr size_t MAX_COMPACT_BLOCK_TXS = 65'535;
/// Highest transaction position a differential index may reach.
inline constexpr uint32_t MAX_BLOCK_TX_INDEX = 65'535;

/// SipHash-2-4 key of one compact block's short ids.
struct ShortIdKey
{
    uint64_t k0{0};
    uint64_t k1{0};
    friend bool operator==(const ShortIdKey&, const ShortIdKey&) = default;
};
/// Key from the first two little-endian words of SHA256(header || nonce), per BIP152.
ShortIdKey ComputeShortIdKey(const consensus::BlockHeader& header, uint64_t nonce);
/// Version-2 short id: the low 48 bits of SipHash-2-4(key, wtxid).
uint64_t ComputeShortId(const ShortIdKey& key, const consensus::Uint256& wtxid);

/// A transaction sent in full inside a compact block, at its absolute position.
struct PrefilledTransaction
{
    uint16_t index{0};
    consensus::TransactionRef tx;
};

/// Payload of cmpctblock (BIP152, version 2: short ids over wtxids).
struct CompactBlockMessage
{
    consensus::BlockHeader header;
    uint64_t nonce{0};
    /// One per transaction not prefilled, each at most MAX_SHORT_TXID.
    std::vector<uint64_t> short_ids;
    /// Strictly increasing absolute indexes; differential on the wire.
    std::vector<PrefilledTransaction> prefilled;
};
/// Describes `block` the way Core announces it: the coinbase prefilled, every
/// other transaction as a short id keyed by `nonce`.
CompactBlockMessage MakeCompactBlock(const consensus::Block& block, uint64_t nonce);
/// Serialises a cmpctblock payload. Fails on a short id over 48 bits, a null
/// transaction, indexes that do not strictly increase, or more than
/// MAX_COMPACT_BLOCK_TXS transactions in total.
util::Expected<std::vector<uint8_t>> Encode(const CompactBlockMessage& msg);
/// Parses a cmpctblock payload. Checks that belong to reconstruction (prefilled
/// indexes within the block, non-empty block) are left to the message handler.
util::Expected<CompactBlockMessage> DecodeCompactBlock(std::span<const uint8_t> payload);

/// Payload of getblocktxn: which transactions of a compact block are missing.
struct GetBlockTxnMessage
{
    consensus::Uint256 block_hash{};
    /// Strictly increasing absolute indexes; differential on the wire.
    std::vector<uint16_t> indexes;
    friend bool operator==(const GetBlockTxnMessage&, const GetBlockTxnMessage&) = default;
};
/// Serialises a getblocktxn payload; fails when the indexes do not strictly increase.
util::Expected<std::vector<uint8_t>> Encode(const GetBlockTxnMessage& msg);
/// Parses a getblocktxn payload; an index past 65,535 is an error.
util::Expected<GetBlockTxnMessage> DecodeGetBlockTxn(std::span<const uint8_t> payload);

/// Payload of blocktxn: the requested transactions, in request order.
struct BlockTxnMessage
{
    consensus::Uint256 block_hash{};
    std::vector<consensus::TransactionRef> txs;
};
/// Serialises a blocktxn payload with witness data; fails on a null transaction.
util::Expected<std::vector<uint8_t>> Encode(const BlockTxnMessage& msg);
/// Parses a blocktxn payload.
util::Expected<BlockTxnMessage> DecodeBlockTxn(std::span<const uint8_t> payload);

} // namespace net
