// Partial merkle trees and merkle blocks (BIP37's `merkleblock` payload, also the
// proof format of gettxoutproof/verifytxoutproof), byte-compatible with Bitcoin
// Core's CPartialMerkleTree and CMerkleBlock.
//
// A partial tree is the depth-first walk of a block's txid tree: one flag bit
// per node visited ("some matched txid lies below"), and a hash for every node
// whose subtree is not descended into (and for every matched leaf). Extraction
// replays the walk and rejects every encoding Core rejects: too few or unused
// bits or hashes, equal sibling hashes (CVE-2012-2459), more hashes than
// transactions, and transaction counts no block can reach.
#pragma once

#include <consensus/block.h>
#include <consensus/consensus_constants.h>
#include <consensus/serialize.h>
#include <consensus/uint256.h>

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

namespace consensus {

/// Weight of the smallest possible transaction (60 bytes stripped, no witness).
inline constexpr size_t MIN_TRANSACTION_WEIGHT = 240;
/// Most transactions a proof may claim: more cannot fit in one block.
inline constexpr uint32_t MAX_PROOF_TRANSACTIONS = MAX_BLOCK_WEIGHT / MIN_TRANSACTION_WEIGHT;

/// What ExtractMatches recovers from a well-formed partial tree.
struct MerkleMatches
{
    Uint256 root;                    //!< the merkle root the proof commits to
    std::vector<Uint256> txids;      //!< matched txids, in block order
    std::vector<uint32_t> positions; //!< their positions in the block
};

/// A pruned merkle tree proving that some txids belong to a tree with a given root.
class PartialMerkleTree
{
public:
    /// An empty tree (zero transactions); it extracts as malformed.
    PartialMerkleTree() = default;
    /// The tree over `txids` keeping the path to every txids[i] with matches[i] set
    /// (entries missing from `matches` count as not matched).
    PartialMerkleTree(std::span<const Uint256> txids, const std::vector<bool>& matches);

    /// Replays the walk; nullopt if the tree is malformed in any way Core rejects.
    std::optional<MerkleMatches> ExtractMatches() const;

    /// Transaction count of the block the tree was built from (as claimed when decoded).
    uint32_t GetNumTransactions() const { return m_transactions; }
    /// The node hashes, in walk order.
    const std::vector<Uint256>& Hashes() const { return m_hashes; }
    /// The flag bits, in walk order (decoded trees carry the padding of the last byte).
    const std::vector<bool>& Bits() const { return m_bits; }

    /// uint32 count, CompactSize-prefixed hashes, CompactSize-prefixed bit bytes (LSB first).
    void Serialize(Writer& w) const;
    /// Inverse of Serialize; throws DecodeError on truncated or oversized input.
    void Unserialize(Reader& r);

    friend bool operator==(const PartialMerkleTree&, const PartialMerkleTree&) = default;

private:
    /// Nodes at `height` (0 = leaves) of a tree over m_transactions leaves.
    uint64_t TreeWidth(int height) const;
    /// The hash of node (height, pos) computed from all txids.
    Uint256 CalcHash(int height, uint64_t pos, std::span<const Uint256> txids) const;
    void Build(int height, uint64_t pos, std::span<const Uint256> txids,
               const std::vector<bool>& matches);
    /// Walk state of one extraction.
    struct Cursor
    {
        size_t bits_used{0};
        size_t hashes_used{0};
        bool bad{false};
    };
    Uint256 Extract(int height, uint64_t pos, Cursor& cursor, MerkleMatches& out) const;

    uint32_t m_transactions{0};
    std::vector<bool> m_bits;
    std::vector<Uint256> m_hashes;
};

/// A block header and a partial merkle tree of its transactions.
struct MerkleBlock
{
    BlockHeader header;
    PartialMerkleTree txn;

    /// The proof for the txids of `block` that are in `txids` (others are ignored).
    static MerkleBlock FromBlock(const Block& block, const std::set<Uint256>& txids);

    template <class S, class Self>
    static void Fields(S& s, Self& self)
    {
        s(self.header, self.txn);
    }
    friend bool operator==(const MerkleBlock&, const MerkleBlock&) = default;
};

} // namespace consensus
