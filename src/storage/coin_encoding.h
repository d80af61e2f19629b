// Bitcoin Core's compact encodings of unspent outputs, shared by the UTXO
// database (chainstate/ 'C' values) and undo data (revNNNNN.dat):
//
//   amount  : CompressAmount (drops trailing decimal zeros), as a VARINT
//   script  : CompressScript — special forms 0x00 P2PKH (20 bytes), 0x01 P2SH
//             (20), 0x02/0x03 compressed P2PK (32), 0x04/0x05 uncompressed P2PK
//             (32, stored compressed); else VARINT(size + 6) + raw bytes
//   coin    : VARINT(height * 2 + coinbase) + amount + script
//   tx undo : per spent input VARINT(height * 2 + coinbase), VARINT(0) when
//             height > 0 (a legacy version field), amount + script
//   block undo : CompactSize(tx count, coinbase excluded) of CompactSize(n) tx undos
//
// Decoders check every length against what remains, reject trailing bytes and
// refuse amounts above MAX_MONEY (only damaged data holds them).
// Pure functions; callable from any thread.
#pragma once

#include <consensus/coins.h>
#include <util/expected.h>

#include <cstdint>
#include <span>
#include <vector>

namespace storage {

/// Core's CompressAmount: a smaller number for amounts with trailing zeros.
uint64_t CompressAmount(uint64_t amount);
/// Inverse of CompressAmount.
uint64_t DecompressAmount(uint64_t compressed);

/// Appends the compressed form of a script (special forms only when they round-trip).
void AppendCompressedScript(std::vector<uint8_t>& out, const consensus::Script& script);
/// Appends compressed amount + compressed script.
void AppendCompressedTxOut(std::vector<uint8_t>& out, const consensus::TxOut& txout);
/// Reads a compressed txout at pos, advancing it. Scripts longer than
/// MAX_SCRIPT_SIZE decode as a single OP_RETURN (unspendable), as in Core.
util::Expected<consensus::TxOut> ReadCompressedTxOut(std::span<const uint8_t> in, size_t& pos);

/// The 'C' record value of an unspent coin.
std::vector<uint8_t> EncodeCoin(const consensus::Coin& coin);
/// Parses a 'C' record value; trailing bytes are an error.
util::Expected<consensus::Coin> DecodeCoin(std::span<const uint8_t> value);

/// The coins one transaction spent, in input order.
struct TxUndo
{
    std::vector<consensus::Coin> prevouts;
    friend bool operator==(const TxUndo&, const TxUndo&) = default;
};

/// The coins a block spent: one TxUndo per transaction after the coinbase.
struct BlockUndo
{
    std::vector<TxUndo> txs;
    friend bool operator==(const BlockUndo&, const BlockUndo&) = default;
};

/// Serializes undo data in Core's rev-file format.
std::vector<uint8_t> EncodeBlockUndo(const BlockUndo& undo);
/// Parses undo data; counts are bounded by the bytes that remain.
util::Expected<BlockUndo> DecodeBlockUndo(std::span<const uint8_t> bytes);

} // namespace storage
