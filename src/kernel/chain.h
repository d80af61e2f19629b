// The block index: one BlockIndex per known header, linked to its parent
// (with a skip pointer for fast ancestor lookup), carrying the cumulative work
// of its chain, its validation status and where its data lives on disk; and
// Chain, the active chain as a height-indexed vector.
//
// Thread safety: entries are created and changed only by the validation
// executor; other threads read published snapshots (tip hash, height).
#pragma once

#include <consensus/arith_uint256.h>
#include <consensus/block.h>
#include <consensus/uint256.h>
#include <storage/block_tree_db.h>
#include <storage/flatfile.h>

#include <cstdint>
#include <vector>

namespace kernel {

/// Blocks whose timestamps make up the median time past.
inline constexpr int MEDIAN_TIME_SPAN = 11;

/// Everything the node knows about one header.
class BlockIndex
{
public:
    consensus::Uint256 hash{};  //!< the block hash (also the map key)
    BlockIndex* prev{nullptr};  //!< parent, null for genesis
    BlockIndex* skip{nullptr};  //!< some further ancestor, for GetAncestor
    int height{0};              //!< distance from genesis
    uint32_t status{0};         //!< storage::BlockStatus bits
    uint32_t tx_count{0};       //!< transactions in this block (0 until data is known)
    uint64_t chain_tx_count{0}; //!< transactions up to and including this block, 0 if unknown
    int file{-1};               //!< blk/rev file number
    uint32_t data_pos{0};       //!< offset of the block in its blk file
    uint32_t undo_pos{0};       //!< offset of the undo data in its rev file
    consensus::ArithUint256 chain_work{}; //!< total work of the chain ending here
    int32_t sequence_id{0};               //!< arrival order among equal-work tips (lower wins)
    uint32_t time_max{0};                 //!< maximum timestamp on the chain up to here

    // Header fields (the hash and prev pointer complete the header).
    int32_t version{0};
    consensus::Uint256 merkle_root{};
    uint32_t time{0};
    uint32_t bits{0};
    uint32_t nonce{0};

    /// The full 80-byte header.
    consensus::BlockHeader GetHeader() const;
    /// Copies the header's own fields (the parent link is set separately).
    void SetHeaderFields(const consensus::BlockHeader& header);
    /// Median of the timestamps of this block and up to 10 ancestors.
    int64_t GetMedianTimePast() const;
    /// The ancestor at `target_height` (this if equal), null if out of range.
    BlockIndex* GetAncestor(int target_height);
    const BlockIndex* GetAncestor(int target_height) const;
    /// Sets the skip pointer; prev and height must be set.
    void BuildSkip();
    /// Derives chain_work, time_max and the skip pointer from the parent (whose
    /// own fields must already be set) and this header's bits and time.
    void ComputeChainFields();

    /// True if not failed and validated at least to `up_to` (a BLOCK_VALID_* level).
    bool IsValid(uint32_t up_to = storage::BLOCK_VALID_TRANSACTIONS) const;
    /// Raises the validity level to `up_to`; returns true if it changed. Failed entries stay.
    bool RaiseValidity(uint32_t up_to);
    bool HaveData() const { return (status & storage::BLOCK_HAVE_DATA) != 0; }
    bool HaveUndo() const { return (status & storage::BLOCK_HAVE_UNDO) != 0; }
    bool IsFailed() const { return (status & storage::BLOCK_FAILED_MASK) != 0; }
    /// Position of the block data (null if not stored).
    storage::FlatFilePos DataPos() const;
    /// Position of the undo data (null if not stored).
    storage::FlatFilePos UndoPos() const;
    /// The persisted form of this entry.
    storage::DiskBlockIndex ToDisk() const;
};

/// Most-work order for candidate tips: more work first, then earlier arrival,
/// then address (a stable total order). Returns true if a sorts before b,
/// i.e. a is *worse* (so the best candidate is the last of a std::set).
struct BlockIndexWorkComparator
{
    bool operator()(const BlockIndex* a, const BlockIndex* b) const;
};

/// The deepest block both a and b descend from (either may be null: null result).
const BlockIndex* LastCommonAncestor(const BlockIndex* a, const BlockIndex* b);

/// A linear chain from genesis, indexed by height.
class Chain
{
public:
    /// The block at height 0, or null if empty.
    BlockIndex* Genesis() const { return m_chain.empty() ? nullptr : m_chain.front(); }
    /// The last block, or null if empty.
    BlockIndex* Tip() const { return m_chain.empty() ? nullptr : m_chain.back(); }
    /// The block at height, or null if out of range.
    BlockIndex* operator[](int height) const
    {
        if (height < 0 || height >= static_cast<int>(m_chain.size())) return nullptr;
        return m_chain[height];
    }
    /// True if index is on this chain.
    bool Contains(const BlockIndex* index) const
    {
        return index && (*this)[index->height] == index;
    }
    /// The successor of index on this chain, null if none or not contained.
    BlockIndex* Next(const BlockIndex* index) const
    {
        return Contains(index) ? (*this)[index->height + 1] : nullptr;
    }
    /// Height of the tip, -1 if empty.
    int Height() const { return static_cast<int>(m_chain.size()) - 1; }
    /// Makes the chain end at tip (walking its ancestors); null empties it.
    void SetTip(BlockIndex* tip);
    /// The last block of this chain that is an ancestor of (or equal to) index.
    const BlockIndex* FindFork(const BlockIndex* index) const;
    /// Hashes going back from index: 10 one apart, then doubling steps, ending at genesis.
    std::vector<consensus::Uint256> GetLocator(const BlockIndex* index) const;

private:
    std::vector<BlockIndex*> m_chain;
};

} // namespace kernel
