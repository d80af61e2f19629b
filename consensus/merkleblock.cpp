#include <consensus/merkleblock.h>

#include <consensus/hash.h>

#include <algorithm>

namespace consensus {

PartialMerkleTree::PartialMerkleTree(std::span<const Uint256> txids,
                                     const std::vector<bool>& matches)
    : m_transactions{static_cast<uint32_t>(txids.size())}
{
    if (txids.empty()) return;
    int height = 0;
    while (TreeWidth(height) > 1)
        ++height;
    Build(height, 0, txids, matches);
}

uint64_t PartialMerkleTree::TreeWidth(int height) const
{
    // 64-bit so that a hostile count near 2^32 cannot wrap.
    return (uint64_t{m_transactions} + (uint64_t{1} << height) - 1) >> height;
}

Uint256 PartialMerkleTree::CalcHash(int height, uint64_t pos, std::span<const Uint256> txids) const
{
    if (height == 0) return txids[pos];
    const Uint256 left = CalcHash(height - 1, pos * 2, txids);
    // A missing right child pairs the left one with itself, as in the block's own tree.
    const Uint256 right =
        pos * 2 + 1 < TreeWidth(height - 1) ? CalcHash(height - 1, pos * 2 + 1, txids) : left;
    return Hash256(left, right);
}

void PartialMerkleTree::Build(int height, uint64_t pos, std::span<const Uint256> txids,
                              const std::vector<bool>& matches)
{
    const uint64_t begin = pos << height;
    const uint64_t end = std::min<uint64_t>((pos + 1) << height, m_transactions);
    bool below = false;
    for (uint64_t p = begin; p < end && !below; ++p)
        below = p < matches.size() && matches[p];
    m_bits.push_back(below);
    if (height == 0 || !below) {
        m_hashes.push_back(CalcHash(height, pos, txids));
        return;
    }
    Build(height - 1, pos * 2, txids, matches);
    if (pos * 2 + 1 < TreeWidth(height - 1)) Build(height - 1, pos * 2 + 1, txids, matches);
}

Uint256 PartialMerkleTree::Extract(int height, uint64_t pos, Cursor& cursor,
                                   MerkleMatches& out) const
{
    if (cursor.bits_used >= m_bits.size()) {
        cursor.bad = true;
        return {};
    }
    const bool below = m_bits[cursor.bits_used++];
    if (height == 0 || !below) {
        if (cursor.hashes_used >= m_hashes.size()) {
            cursor.bad = true;
            return {};
        }
        const Uint256& hash = m_hashes[cursor.hashes_used++];
        if (height == 0 && below) {
            out.txids.push_back(hash);
            out.positions.push_back(static_cast<uint32_t>(pos));
        }
        return hash;
    }
    const Uint256 left = Extract(height - 1, pos * 2, cursor, out);
    Uint256 right = left;
    if (pos * 2 + 1 < TreeWidth(height - 1)) {
        right = Extract(height - 1, pos * 2 + 1, cursor, out);
        // Two equal children would let another transaction list give the same root.
        if (right == left) cursor.bad = true;
    }
    return Hash256(left, right);
}

std::optional<MerkleMatches> PartialMerkleTree::ExtractMatches() const
{
    if (m_transactions == 0 || m_transactions > MAX_PROOF_TRANSACTIONS) return std::nullopt;
    // Every hash stands for at least one transaction and needs at least one bit.
    if (m_hashes.size() > m_transactions) return std::nullopt;
    if (m_bits.size() < m_hashes.size()) return std::nullopt;
    int height = 0;
    while (TreeWidth(height) > 1)
        ++height;
    MerkleMatches out;
    Cursor cursor;
    out.root = Extract(height, 0, cursor, out);
    if (cursor.bad) return std::nullopt;
    // All bits must be used except the padding of the last byte, and every hash.
    if ((cursor.bits_used + 7) / 8 != (m_bits.size() + 7) / 8) return std::nullopt;
    if (cursor.hashes_used != m_hashes.size()) return std::nullopt;
    return out;
}

void PartialMerkleTree::Serialize(Writer& w) const
{
    w(m_transactions, m_hashes);
    std::vector<uint8_t> bytes((m_bits.size() + 7) / 8, 0);
    for (size_t p = 0; p < m_bits.size(); ++p)
        bytes[p / 8] |= static_cast<uint8_t>(m_bits[p] ? 1u << (p % 8) : 0u);
    w(bytes);
}

void PartialMerkleTree::Unserialize(Reader& r)
{
    std::vector<uint8_t> bytes;
    r(m_transactions, m_hashes, bytes);
    m_bits.assign(bytes.size() * 8, false);
    for (size_t p = 0; p < m_bits.size(); ++p)
        m_bits[p] = ((bytes[p / 8] >> (p % 8)) & 1) != 0;
}

MerkleBlock MerkleBlock::FromBlock(const Block& block, const std::set<Uint256>& txids)
{
    std::vector<Uint256> hashes;
    std::vector<bool> matches;
    hashes.reserve(block.vtx.size());
    matches.reserve(block.vtx.size());
    for (const auto& tx : block.vtx) {
        hashes.push_back(tx->GetHash());
        matches.push_back(txids.contains(hashes.back()));
    }
    return MerkleBlock{block.header, PartialMerkleTree{hashes, matches}};
}

} // namespace consensus
