#include <consensus/block.h>

#include <consensus/hash.h>

namespace consensus {

Uint256 BlockHeader::GetHash() const
{
    return SerializeHash(*this);
}

void Block::Serialize(Writer& w) const
{
    w.Put(header);
    WriteCompactSize(w, vtx.size());
    for (const auto& tx : vtx)
        SerializeTransactionRef(w, tx);
}

void Block::Unserialize(Reader& r)
{
    r.Get(header);
    const size_t n = ReadCount(r, Transaction::MIN_ENCODED_SIZE);
    vtx.clear();
    vtx.reserve(n);
    for (size_t i = 0; i < n; ++i)
        UnserializeTransactionRef(r, vtx.emplace_back());
}

size_t Block::GetWeight() const
{
    size_t base = BlockHeader::SIZE + CompactSizeLen(vtx.size());
    size_t total = base;
    for (const auto& tx : vtx) {
        base += tx->GetBaseSize();
        total += tx->GetTotalSize();
    }
    return base * (WITNESS_SCALE_FACTOR - 1) + total;
}

std::vector<uint8_t> EncodeBlockNoWitness(const Block& block)
{
    std::vector<uint8_t> out;
    Writer w{out};
    w.Put(block.header);
    WriteCompactSize(w, block.vtx.size());
    for (const auto& tx : block.vtx)
        tx->SerializeWithoutWitness(w);
    return out;
}

} // namespace consensus
