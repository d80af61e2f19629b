// Block headers and blocks.
#pragma once

#include <consensus/serialize.h>
#include <consensus/transaction.h>
#include <consensus/uint256.h>

#include <vector>

namespace consensus {

/// The 80-byte header whose double SHA-256 is the block hash.
struct BlockHeader
{
    static constexpr size_t SIZE = 80;

    int32_t version{0};
    Uint256 prev_block{};
    Uint256 merkle_root{};
    uint32_t time{0};
    uint32_t bits{0};
    uint32_t nonce{0};

    Uint256 GetHash() const;
    bool IsNull() const { return bits == 0; }

    template <class S, class Self>
    static void Fields(S& s, Self& self)
    {
        s(self.version, self.prev_block, self.merkle_root, self.time, self.bits, self.nonce);
    }
    friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

/// A header and its transactions.
struct Block
{
    static constexpr size_t MIN_ENCODED_SIZE = BlockHeader::SIZE + 1;

    BlockHeader header;
    std::vector<TransactionRef> vtx;

    Uint256 GetHash() const { return header.GetHash(); }
    /// BIP141 weight of the whole block.
    size_t GetWeight() const;

    void Serialize(Writer& w) const;
    void Unserialize(Reader& r);
};

/// Serialized block without witness data (the size rule and legacy peers).
std::vector<uint8_t> EncodeBlockNoWitness(const Block& block);

} // namespace consensus
