#include <kernel/chain.h>

#include <consensus/pow.h>

#include <algorithm>
#include <array>

namespace kernel {

namespace {

// Turns off the lowest set bit.
int InvertLowestOne(int n)
{
    return n & (n - 1);
}

// The height the skip pointer of a block at `height` points to: spreads skip
// targets so any ancestor is reached in O(log n) hops (the scheme Core uses).
int GetSkipHeight(int height)
{
    if (height < 2) return 0;
    return (height & 1) ? InvertLowestOne(InvertLowestOne(height - 1)) + 1
                        : InvertLowestOne(height);
}

} // namespace

consensus::BlockHeader BlockIndex::GetHeader() const
{
    consensus::BlockHeader header;
    header.version = version;
    if (prev) header.prev_block = prev->hash;
    header.merkle_root = merkle_root;
    header.time = time;
    header.bits = bits;
    header.nonce = nonce;
    return header;
}

void BlockIndex::SetHeaderFields(const consensus::BlockHeader& header)
{
    version = header.version;
    merkle_root = header.merkle_root;
    time = header.time;
    bits = header.bits;
    nonce = header.nonce;
}

int64_t BlockIndex::GetMedianTimePast() const
{
    std::array<int64_t, MEDIAN_TIME_SPAN> times{};
    size_t count = 0;
    for (const BlockIndex* index = this; index && count < times.size(); index = index->prev) {
        times[count++] = index->time;
    }
    std::sort(times.begin(), times.begin() + count);
    return times[count / 2];
}

const BlockIndex* BlockIndex::GetAncestor(int target_height) const
{
    if (target_height > height || target_height < 0) return nullptr;
    const BlockIndex* walk = this;
    int walk_height = height;
    while (walk_height > target_height) {
        const int skip_height = GetSkipHeight(walk_height);
        const int skip_prev_height = GetSkipHeight(walk_height - 1);
        // Take the skip pointer unless the parent's skip gets strictly closer
        // without overshooting; this keeps the walk logarithmic.
        if (walk->skip && (skip_height == target_height ||
                           (skip_height > target_height && !(skip_prev_height < skip_height - 2 &&
                                                             skip_prev_height >= target_height)))) {
            walk = walk->skip;
            walk_height = skip_height;
        } else {
            walk = walk->prev;
            --walk_height;
        }
    }
    return walk;
}

BlockIndex* BlockIndex::GetAncestor(int target_height)
{
    return const_cast<BlockIndex*>(std::as_const(*this).GetAncestor(target_height));
}

void BlockIndex::BuildSkip()
{
    if (prev) skip = prev->GetAncestor(GetSkipHeight(height));
}

void BlockIndex::ComputeChainFields()
{
    chain_work =
        (prev ? prev->chain_work : consensus::ArithUint256{}) + consensus::GetBlockProof(bits);
    time_max = prev ? std::max(prev->time_max, time) : time;
    BuildSkip();
}

bool BlockIndex::IsValid(uint32_t up_to) const
{
    if (IsFailed()) return false;
    return (status & storage::BLOCK_VALID_MASK) >= up_to;
}

bool BlockIndex::RaiseValidity(uint32_t up_to)
{
    if (IsFailed()) return false;
    if ((status & storage::BLOCK_VALID_MASK) < up_to) {
        status = (status & ~uint32_t{storage::BLOCK_VALID_MASK}) | up_to;
        return true;
    }
    return false;
}

storage::FlatFilePos BlockIndex::DataPos() const
{
    if (!HaveData()) return {};
    return {file, data_pos};
}

storage::FlatFilePos BlockIndex::UndoPos() const
{
    if (!HaveUndo()) return {};
    return {file, undo_pos};
}

storage::DiskBlockIndex BlockIndex::ToDisk() const
{
    storage::DiskBlockIndex disk;
    disk.header = GetHeader();
    disk.height = height;
    disk.status = status;
    disk.tx_count = tx_count;
    disk.file = (status & storage::BLOCK_HAVE_MASK) ? file : -1;
    disk.data_pos = HaveData() ? data_pos : 0;
    disk.undo_pos = HaveUndo() ? undo_pos : 0;
    return disk;
}

bool BlockIndexWorkComparator::operator()(const BlockIndex* a, const BlockIndex* b) const
{
    if (a->chain_work != b->chain_work) return a->chain_work < b->chain_work;
    if (a->sequence_id != b->sequence_id) return a->sequence_id > b->sequence_id;
    return a > b;
}

const BlockIndex* LastCommonAncestor(const BlockIndex* a, const BlockIndex* b)
{
    if (!a || !b) return nullptr;
    if (a->height > b->height) a = a->GetAncestor(b->height);
    if (b->height > a->height) b = b->GetAncestor(a->height);
    while (a != b && a && b) {
        a = a->prev;
        b = b->prev;
    }
    return a == b ? a : nullptr;
}

void Chain::SetTip(BlockIndex* tip)
{
    if (!tip) {
        m_chain.clear();
        return;
    }
    m_chain.resize(tip->height + 1);
    while (tip && m_chain[tip->height] != tip) {
        m_chain[tip->height] = tip;
        tip = tip->prev;
    }
}

const BlockIndex* Chain::FindFork(const BlockIndex* index) const
{
    if (!index) return nullptr;
    if (index->height > Height()) index = index->GetAncestor(Height());
    while (index && !Contains(index))
        index = index->prev;
    return index;
}

std::vector<consensus::Uint256> Chain::GetLocator(const BlockIndex* index) const
{
    std::vector<consensus::Uint256> hashes;
    int step = 1;
    while (index) {
        hashes.push_back(index->hash);
        if (index->height == 0) break;
        const int height = std::max(index->height - step, 0);
        // Walk the active chain when we can: O(1) per step.
        index = Contains(index) ? (*this)[height] : index->GetAncestor(height);
        if (hashes.size() > 10) step *= 2;
    }
    return hashes;
}

} // namespace kernel
