#include <net/blockmessages.h>

#include <consensus/hash.h>
#include <consensus/serialize.h>
#include <net/decode.h>

#include <array>
#include <string>
#include <utility>

namespace net {

using consensus::DecodeError;
using consensus::Reader;
using consensus::Writer;

namespace {

/// BIP152 differential indexes: each entry is the gap to the previous index
/// plus one, so decoded indexes strictly increase by construction. `next` is
/// the lowest index the following entry may take.
uint16_t ReadDifferentialIndex(Reader& r, uint32_t& next)
{
    const uint64_t delta = consensus::ReadCompactSize(r, /*range_check=*/false);
    // Compare without adding, so a 64-bit delta cannot wrap past the limit.
    if (next > MAX_BLOCK_TX_INDEX || delta > MAX_BLOCK_TX_INDEX - next)
        throw DecodeError("transaction index overflows 16 bits");
    const auto index = static_cast<uint16_t>(next + delta);
    next = uint32_t{index} + 1;
    return index;
}

/// Writes `index` as a gap from `next`; false when it does not exceed the previous one.
bool WriteDifferentialIndex(Writer& w, uint16_t index, uint32_t& next)
{
    if (index < next) return false;
    consensus::WriteCompactSize(w, index - next);
    next = uint32_t{index} + 1;
    return true;
}

void WriteShortId(Writer& w, uint64_t id)
{
    std::array<uint8_t, SHORT_TXID_SIZE> b;
    for (size_t i = 0; i < SHORT_TXID_SIZE; ++i)
        b[i] = static_cast<uint8_t>(id >> (8 * i));
    w.WriteBytes(b);
}

uint64_t ReadShortId(Reader& r)
{
    auto b = r.ReadBytes(SHORT_TXID_SIZE);
    uint64_t id = 0;
    for (size_t i = 0; i < SHORT_TXID_SIZE; ++i)
        id |= uint64_t{b[i]} << (8 * i);
    return id;
}

} // namespace

std::vector<uint8_t> EncodeBlock(const consensus::Block& block)
{
    return consensus::Encode(block);
}

util::Expected<consensus::Block> DecodeBlock(std::span<const uint8_t> payload)
{
    auto block = consensus::Decode<consensus::Block>(payload);
    if (!block) return util::Unexpected("block: " + block.error().message);
    return block;
}

std::vector<uint8_t> EncodeTx(const consensus::Transaction& tx)
{
    return consensus::Encode(tx);
}

util::Expected<consensus::TransactionRef> DecodeTx(std::span<const uint8_t> payload)
{
    auto tx = consensus::DecodeTransaction(payload);
    if (!tx) return util::Unexpected("tx: " + tx.error().message);
    return tx;
}

ShortIdKey ComputeShortIdKey(const consensus::BlockHeader& header, uint64_t nonce)
{
    std::vector<uint8_t> preimage = consensus::Encode(header);
    Writer w{preimage};
    w(nonce);
    const consensus::Uint256 digest = consensus::Sha256Hash(preimage);
    return ShortIdKey{digest.GetUint64(0), digest.GetUint64(1)};
}

uint64_t ComputeShortId(const ShortIdKey& key, const consensus::Uint256& wtxid)
{
    return consensus::SipHashUint256(key.k0, key.k1, wtxid) & MAX_SHORT_TXID;
}

CompactBlockMessage MakeCompactBlock(const consensus::Block& block, uint64_t nonce)
{
    CompactBlockMessage msg;
    msg.header = block.header;
    msg.nonce = nonce;
    if (block.vtx.empty()) return msg;
    // The coinbase is never in a mempool, so it always travels in full.
    msg.prefilled.push_back(PrefilledTransaction{0, block.vtx[0]});
    const ShortIdKey key = ComputeShortIdKey(block.header, nonce);
    msg.short_ids.reserve(block.vtx.size() - 1);
    for (size_t i = 1; i < block.vtx.size(); ++i)
        msg.short_ids.push_back(ComputeShortId(key, block.vtx[i]->GetWitnessHash()));
    return msg;
}

util::Expected<std::vector<uint8_t>> Encode(const CompactBlockMessage& msg)
{
    if (msg.short_ids.size() + msg.prefilled.size() > MAX_COMPACT_BLOCK_TXS)
        return util::Unexpected("cmpctblock: too many transactions");
    std::vector<uint8_t> out;
    Writer w{out};
    w(msg.header, msg.nonce);
    consensus::WriteCompactSize(w, msg.short_ids.size());
    for (uint64_t id : msg.short_ids) {
        if (id > MAX_SHORT_TXID) return util::Unexpected("cmpctblock: short id over 48 bits");
        WriteShortId(w, id);
    }
    consensus::WriteCompactSize(w, msg.prefilled.size());
    uint32_t next = 0;
    for (const auto& p : msg.prefilled) {
        if (!p.tx) return util::Unexpected("cmpctblock: null prefilled transaction");
        if (!WriteDifferentialIndex(w, p.index, next))
            return util::Unexpected("cmpctblock: prefilled indexes not strictly increasing");
        p.tx->Serialize(w);
    }
    return out;
}

util::Expected<CompactBlockMessage> DecodeCompactBlock(std::span<const uint8_t> payload)
{
    return DecodeWhole<CompactBlockMessage>(
        payload, "cmpctblock", [](Reader& r, CompactBlockMessage& m) {
            r(m.header, m.nonce);
            const size_t n_ids = ReadBoundedCount(r, MAX_COMPACT_BLOCK_TXS, SHORT_TXID_SIZE);
            m.short_ids.reserve(n_ids);
            for (size_t i = 0; i < n_ids; ++i)
                m.short_ids.push_back(ReadShortId(r));
            // index(>=1) + transaction(>=10)
            const size_t n_pre = ReadBoundedCount(r, MAX_COMPACT_BLOCK_TXS - n_ids,
                                                  1 + consensus::Transaction::MIN_ENCODED_SIZE);
            m.prefilled.reserve(n_pre);
            uint32_t next = 0;
            for (size_t i = 0; i < n_pre; ++i) {
                auto& p = m.prefilled.emplace_back();
                p.index = ReadDifferentialIndex(r, next);
                consensus::UnserializeTransactionRef(r, p.tx);
            }
        });
}

util::Expected<std::vector<uint8_t>> Encode(const GetBlockTxnMessage& msg)
{
    std::vector<uint8_t> out;
    Writer w{out};
    w(msg.block_hash);
    consensus::WriteCompactSize(w, msg.indexes.size());
    uint32_t next = 0;
    for (uint16_t index : msg.indexes) {
        if (!WriteDifferentialIndex(w, index, next))
            return util::Unexpected("getblocktxn: indexes not strictly increasing");
    }
    return out;
}

util::Expected<GetBlockTxnMessage> DecodeGetBlockTxn(std::span<const uint8_t> payload)
{
    return DecodeWhole<GetBlockTxnMessage>(
        payload, "getblocktxn", [](Reader& r, GetBlockTxnMessage& m) {
            r(m.block_hash);
            // Strictly increasing 16-bit values: at most 65,536 of them.
            const size_t n = ReadBoundedCount(r, size_t{MAX_BLOCK_TX_INDEX} + 1, 1);
            m.indexes.reserve(n);
            uint32_t next = 0;
            for (size_t i = 0; i < n; ++i)
                m.indexes.push_back(ReadDifferentialIndex(r, next));
        });
}

util::Expected<std::vector<uint8_t>> Encode(const BlockTxnMessage& msg)
{
    std::vector<uint8_t> out;
    Writer w{out};
    w(msg.block_hash);
    consensus::WriteCompactSize(w, msg.txs.size());
    for (const auto& tx : msg.txs) {
        if (!tx) return util::Unexpected("blocktxn: null transaction");
        tx->Serialize(w);
    }
    return out;
}

util::Expected<BlockTxnMessage> DecodeBlockTxn(std::span<const uint8_t> payload)
{
    return DecodeWhole<BlockTxnMessage>(payload, "blocktxn", [](Reader& r, BlockTxnMessage& m) {
        r(m.block_hash);
        // No request names more than 65,536 positions, so no answer carries more.
        const size_t n = ReadBoundedCount(r, size_t{MAX_BLOCK_TX_INDEX} + 1,
                                          consensus::Transaction::MIN_ENCODED_SIZE);
        m.txs.reserve(n);
        for (size_t i = 0; i < n; ++i)
            consensus::UnserializeTransactionRef(r, m.txs.emplace_back());
    });
}

} // namespace net
